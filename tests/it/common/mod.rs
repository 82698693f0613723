//! Shared test helpers: the app over a test database, requests through the
//! router, HTML queries with CSS selectors, and lookups in the demo data.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use sqlx::PgPool;
use tower::ServiceExt;

use suivi::web::{self, AppState, WebConfig};

/// "Today" in tests, fixed so that figures as of today are reproducible.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn app(pool: &PgPool) -> Router {
    web::app(AppState::new(
        pool.clone(),
        WebConfig {
            today: Some(today()),
            ..WebConfig::default()
        },
    ))
}

pub async fn demo_app(pool: &PgPool) -> Router {
    suivi::demo::load(pool).await.expect("demo loads");
    app(pool)
}

pub struct Page {
    pub status: StatusCode,
    pub content_type: String,
    /// The body as text (binary bodies such as XLSX or PDF: see `bytes`).
    pub body: String,
    pub bytes: Vec<u8>,
    /// The `Location` header of a redirect.
    pub location: Option<String>,
    /// The `Content-Disposition` header of a download.
    pub disposition: Option<String>,
    /// The `ETag` and `Cache-Control` headers.
    pub etag: Option<String>,
    pub cache_control: Option<String>,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The fields `names` of the page's form as it fills them (an input's
    /// value, a select's selected option, a textarea's text), with some
    /// `replaced`, ready to post back.
    pub fn form_values(&self, names: &[&str], replaced: &[(&str, &str)]) -> Vec<(String, String)> {
        names
            .iter()
            .map(|name| {
                let value = match replaced.iter().find(|(n, _)| n == name) {
                    Some((_, value)) => (*value).to_owned(),
                    None => {
                        let selector = format!("form [name={name}]");
                        self.attrs(&selector, "value")
                            .into_iter()
                            .next()
                            .or_else(|| {
                                self.attrs(&format!("{selector} option[selected]"), "value")
                                    .into_iter()
                                    .next()
                            })
                            .or_else(|| self.texts(&selector).into_iter().next())
                            .unwrap_or_default()
                    }
                };
                ((*name).to_owned(), value)
            })
            .collect()
    }

    /// The trimmed text of every element matching `selector`.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The text of the one element matching `selector`.
    pub fn text(&self, selector: &str) -> String {
        let texts = self.texts(selector);
        assert_eq!(
            texts.len(),
            1,
            "expected one match for {selector}, got {texts:?}"
        );
        texts.into_iter().next().unwrap()
    }

    /// The value of `attribute` on every element matching `selector`.
    pub fn attrs(&self, selector: &str, attribute: &str) -> Vec<String> {
        let selector = Selector::parse(selector).expect("valid selector");
        self.html()
            .select(&selector)
            .filter_map(|e| e.value().attr(attribute).map(str::to_owned))
            .collect()
    }
}

pub async fn get(app: &Router, uri: &str) -> Page {
    get_with(app, uri, &[]).await
}

pub async fn get_with(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Page {
    let mut request = Request::builder().uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let disposition = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Page {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
        location: None,
        disposition,
        etag: None,
        cache_control: None,
    }
}

/// A browser in miniature: keeps the cookies the app sets and sends them back.
pub struct Client {
    pub app: Router,
    cookies: Vec<(String, String)>,
}

impl Client {
    pub fn new(app: &Router) -> Client {
        Client {
            app: app.clone(),
            cookies: Vec::new(),
        }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.get_with(uri, &[]).await
    }

    /// A GET with extra headers; a `cookie` header adds to the client's own.
    pub async fn get_with(&mut self, uri: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = Request::builder().uri(uri);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// A form post of owned fields, as `Page::form_values` gives them.
    pub async fn post_values(&mut self, uri: &str, fields: &[(String, String)]) -> Page {
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        self.post(uri, &pairs).await
    }

    pub async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.send(
            Request::builder()
                .method("POST")
                .uri(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// A multipart form with text fields and one file, as a browser uploads.
    pub async fn post_file(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Page {
        let boundary = "suivi-test-boundary-7d1c";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                )
                .as_bytes(),
            );
        }
        let (name, file_name, bytes) = file;
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.send(
            Request::builder()
                .method("POST")
                .uri(uri)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    async fn send(&mut self, mut request: Request<Body>) -> Page {
        if !self.cookies.is_empty() {
            let mut pairs: Vec<String> = self
                .cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            if let Some(given) = request.headers().get(header::COOKIE) {
                pairs.push(given.to_str().unwrap().to_owned());
            }
            let cookie = pairs.join("; ");
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        let response = self.app.clone().oneshot(request).await.unwrap();
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().unwrap();
            let (pair, attributes) = set.split_once(';').unwrap_or((set, ""));
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !attributes.to_ascii_lowercase().contains("max-age=0") {
                self.cookies.push((name.to_owned(), value.to_owned()));
            }
        }
        let status = response.status();
        let header_text = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
        let location = header_text(header::LOCATION);
        let disposition = header_text(header::CONTENT_DISPOSITION);
        let etag = header_text(header::ETAG);
        let cache_control = header_text(header::CACHE_CONTROL);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            content_type,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
            location,
            disposition,
            etag,
            cache_control,
        }
    }

    /// Any request, sent with the client's cookies (for headers the other
    /// helpers do not set).
    pub async fn send_request(&mut self, request: Request<Body>) -> Page {
        self.send(request).await
    }

    /// The `Cookie` header the client would send.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Signs in through the login form, as a person would.
    pub async fn login(&mut self, login: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        let csrf = csrf_of(&form);
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

/// The CSRF token in a page's first form.
pub fn csrf_of(page: &Page) -> String {
    page.attrs("input[name=csrf]", "value")
        .into_iter()
        .next()
        .expect("a form with a CSRF token")
}

/// The demo password of every demo account.
pub const DEMO_PASSWORD: &str = "suivi-demo";

/// A signed-in client on the demo data.
pub async fn signed_in(app: &Router, login: &str) -> Client {
    let mut client = Client::new(app);
    let page = client.login(login, DEMO_PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{login} signs in");
    client
}

/// A signed-in admin, created if the database has none (tests without the
/// demo data); admins read every page.
pub async fn admin(app: &Router, pool: &PgPool) -> Client {
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    suivi::store::users::create(pool, "test.admin", "Test Admin", &hash, true)
        .await
        .unwrap();
    signed_in(app, "test.admin").await
}

/// Makes the agency count its staff's updates at once, without the M&E
/// unit's validation (the demo's ANASER needs it): for the journeys that are
/// about entering progress, not validating it.
pub async fn counted_at_once(pool: &PgPool, agency: &str) {
    sqlx::query("UPDATE agencies SET requires_validation = false WHERE code = $1")
        .bind(agency)
        .execute(pool)
        .await
        .unwrap();
}

pub async fn agency_id(pool: &PgPool, code: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM agencies WHERE code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

pub async fn plan_id(pool: &PgPool, agency: &str, plan: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT p.id FROM plans p JOIN agencies g ON g.id = p.agency_id WHERE g.code = $1 AND p.code = $2",
    )
    .bind(agency)
    .bind(plan)
    .fetch_one(pool)
    .await
    .unwrap()
}

pub async fn session_id(pool: &PgPool, agency: &str, number: i32) -> i64 {
    sqlx::query_scalar(
        "SELECT s.id FROM board_sessions s JOIN agencies g ON g.id = s.agency_id \
         WHERE g.code = $1 AND s.number = $2 AND s.kind = 'ordinary'",
    )
    .bind(agency)
    .bind(number)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Records a progress update the way data entry will (an append).
pub async fn add_update(
    pool: &PgPool,
    activity_id: i64,
    as_of: NaiveDate,
    status: &str,
    achieved: Option<i64>,
) {
    sqlx::query(
        "INSERT INTO progress_updates (activity_id, as_of, status, achieved, author) \
         VALUES ($1, $2, $3, $4, 'test')",
    )
    .bind(activity_id)
    .bind(as_of)
    .bind(status)
    .bind(achieved.map(rust_decimal::Decimal::from))
    .execute(pool)
    .await
    .unwrap();
}

/// Splits CSV text as a spreadsheet does: quoted fields may hold the
/// separator, doubled quotes and line breaks.
pub fn parse_csv(text: &str, separator: char) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, c) if c == separator => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// A route of the router as written in `src/web`: its method, its path with
/// the `{param}` placeholders, and the handler's path (`pages::reports::agency`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Route {
    pub method: &'static str,
    pub path: String,
    pub handler: String,
}

/// Every route in `src/web`, read from the source (each `.route(` call), so
/// that a test over "every route" notices a new one.
pub fn routes_in_source() -> Vec<Route> {
    let mut routes = Vec::new();
    let mut files = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/web"
    ))];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for call in source.split(".route(").skip(1) {
            let call = &call[..closing_parenthesis(call)];
            // A path, not the `.route("…")` of a comment.
            let Some(path) = call.split('"').nth(1).filter(|p| p.starts_with('/')) else {
                continue;
            };
            for (method, marker) in [("GET", "get("), ("POST", "post(")] {
                for (i, _) in call.match_indices(marker) {
                    if i > 0 && call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                        continue;
                    }
                    let argument = &call[i + marker.len()..];
                    let handler = &argument[..closing_parenthesis(argument)];
                    routes.push(Route {
                        method,
                        path: path.to_owned(),
                        handler: handler.split_whitespace().collect(),
                    });
                }
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

/// Where the call whose arguments `text` starts with ends (its `)`).
fn closing_parenthesis(text: &str) -> usize {
    let mut depth = 1;
    text.char_indices()
        .find(|&(_, c)| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth == 0
        })
        .map_or(text.len(), |(i, _)| i)
}

/// The text of a PDF, with every kind of space made a plain space.
pub fn pdf_text_of(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    let text = document.extract_text(&pages).expect("text");
    text.chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `DATABASE_URL` pointed at the test's own database, for the real binary.
pub fn url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL for sqlx::test");
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let (server_and_path, query) = base.split_once('?').unwrap_or((&base, ""));
    let (server, _) = server_and_path.rsplit_once('/').unwrap();
    match query {
        "" => format!("{server}/{database}"),
        query => format!("{server}/{database}?{query}"),
    }
}

/// A live API token for the account `login`, valid 30 days.
pub async fn api_token(
    pool: &PgPool,
    login: &str,
    scope: suivi::store::api_tokens::Scope,
) -> String {
    let user: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(pool)
        .await
        .unwrap();
    let (_, secret) = suivi::store::api_tokens::create(
        pool,
        user,
        "test",
        scope,
        chrono::Utc::now() + chrono::Duration::days(30),
        suivi::store::audit::Actor::User(user),
    )
    .await
    .unwrap();
    secret
}

/// An answer of the JSON API.
#[derive(Debug)]
pub struct ApiAnswer {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    /// The body as JSON (`Null` when it is not JSON).
    pub json: serde_json::Value,
    pub text: String,
}

/// One request to the API, with a bearer token if given, a JSON body if
/// given, and the `Accept-Language` header if given.
pub async fn api_call(
    app: &Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
    lang: Option<&str>,
) -> ApiAnswer {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if let Some(lang) = lang {
        request = request.header(header::ACCEPT_LANGUAGE, lang);
    }
    let body = match body {
        Some(json) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    let response = app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    ApiAnswer {
        status,
        content_type,
        headers,
        json: serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        text,
    }
}

/// A generated plan of `activities` activities for 2026 (agency `GEN-0001`,
/// which only admins read), for the pages that must come in pages.
pub async fn big_plan(pool: &PgPool, activities: u32) -> i64 {
    let mut options = suivi::generate::GenerateOptions::new(1, activities, 1, 13);
    options.first_year = today().year();
    options.today = today();
    suivi::generate::generate(pool, &options, &mut |_| {})
        .await
        .expect("generated");
    sqlx::query_scalar(
        "SELECT p.id FROM plans p JOIN agencies g ON g.id = p.agency_id \
         WHERE g.code = 'GEN-0001' ORDER BY p.start_year DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}
