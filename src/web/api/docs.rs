//! The API's description: the OpenAPI 3.1 document generated from the
//! handlers' annotations (utoipa), served as JSON, and a short page for
//! people that links it.

use askama::Template;
use axum::http::{header, HeaderMap};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{activities, agencies, figures, indicators, model, plans, problem, sessions};
use crate::web::{AppError, Ctx};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Suivi API",
        description = "Suivi's data as JSON: agencies, plans with their tree, activities with their state and figures as of a date, indicators, board sessions with their sealed figures and resolutions, a year's consolidated figures; recording progress and indicator values. Same rights and rules as the site. Errors are application/problem+json (RFC 9457) in French or English (Accept-Language).",
        license(name = "MIT")
    ),
    paths(
        agencies::list,
        agencies::show,
        agencies::sessions,
        plans::show,
        plans::activities,
        plans::indicators,
        activities::show,
        activities::record,
        indicators::set_value,
        sessions::show,
        figures::year,
    ),
    components(schemas(model::Money, model::Rate, model::Figures, problem::ProblemBody, problem::FieldError)),
    modifiers(&BearerToken),
    tags(
        (name = "agencies"), (name = "plans"), (name = "activities"),
        (name = "indicators"), (name = "sessions"), (name = "figures"),
    )
)]
pub struct ApiDoc;

/// The personal tokens, as the `bearer` scheme every operation names.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A personal API token (suivi_…), created on the account page \
                         (/account/tokens) or with `suivi token create`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document, as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(document())
}

#[derive(Template)]
#[template(path = "api.html")]
struct ApiPage {
    ctx: Ctx,
    /// The scheme and host the reader reached us at, for the curl example.
    origin: String,
    endpoints: Vec<(String, String)>,
}

/// The page for people: what the API offers, where its document is.
pub async fn page(ctx: Ctx, headers: HeaderMap) -> Result<Response, AppError> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost:8080");
    let doc = document();
    let mut endpoints = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, operation) in [("GET", &item.get), ("POST", &item.post)] {
            if operation.is_some() {
                endpoints.push((method.to_owned(), path.clone()));
            }
        }
    }
    let page = ApiPage {
        ctx,
        origin: format!("http://{host}"),
        endpoints,
    };
    Ok(Html(page.render()?).into_response())
}
