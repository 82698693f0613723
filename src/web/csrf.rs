//! Protection against cross-site request forgery: a random token per session,
//! written in a hidden field of every form and checked on every POST by the
//! `CsrfForm` extractor. Pages stay free of JavaScript (the CSP forbids inline
//! script), so a plain form field it is, not a header set by a script.
//!
//! An anonymous visitor (the login form) has no session, and gets none: a row
//! per `GET /login` would let anyone fill the table. Their token goes in a
//! short-lived cookie instead (HttpOnly, SameSite=Strict, `Path=/login`) and
//! the form must send it back (a double submit): another site can neither
//! read that cookie nor make the browser send it.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use tower_sessions::cookie::{time, Cookie, SameSite};
use tower_sessions::Session;

use super::{AppError, AppState};

/// The session key and the form field of the token.
pub const CSRF_KEY: &str = "csrf";

/// The cookie of an anonymous visitor's token.
pub const FORM_COOKIE: &str = "suivi_csrf";
/// Only the login form is posted without a session.
const FORM_COOKIE_PATH: &str = "/login";
/// An hour to fill the login form in; then the form has expired (403).
const FORM_COOKIE_MAX_AGE_SECONDS: i64 = 60 * 60;

/// The token of a form and, for an anonymous visitor, the cookie that must
/// go with the page.
#[derive(Debug)]
pub struct FormToken {
    pub token: String,
    pub cookie: Option<HeaderValue>,
}

/// The token for a form that anonymous visitors see too (the login form):
/// the session's when there is one (signed in), otherwise the visitor's
/// cookie token, kept if they have one (several tabs open on the form stay
/// valid) and sent again to renew its hour. Writes no session.
pub async fn form_token(
    session: &Session,
    headers: &HeaderMap,
    secure: bool,
) -> Result<FormToken, AppError> {
    let signed_in = session.get::<i64>(super::auth::USER_KEY).await?.is_some();
    if signed_in || session.get::<String>(CSRF_KEY).await?.is_some() {
        return Ok(FormToken {
            token: token(session).await?,
            cookie: None,
        });
    }
    let token = match cookie_token(headers) {
        Some(token) => token,
        None => random_token()?,
    };
    let cookie = form_cookie(
        &token,
        time::Duration::seconds(FORM_COOKIE_MAX_AGE_SECONDS),
        secure,
    )?;
    Ok(FormToken {
        token,
        cookie: Some(cookie),
    })
}

/// The `Set-Cookie` that removes the anonymous token (once signed in, the
/// session's token takes over).
pub fn clear_form_cookie(secure: bool) -> Result<HeaderValue, AppError> {
    form_cookie("", time::Duration::ZERO, secure)
}

fn form_cookie(
    token: &str,
    max_age: time::Duration,
    secure: bool,
) -> Result<HeaderValue, AppError> {
    let cookie = Cookie::build((FORM_COOKIE, token))
        .path(FORM_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(max_age)
        .build();
    HeaderValue::from_str(&cookie.to_string()).map_err(|error| AppError::Internal(error.into()))
}

/// The anonymous token the request's cookie carries, if it looks like one of
/// ours (anything else is ignored, as if there were no cookie).
fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == FORM_COOKIE)
        .map(|(_, value)| value)
        .filter(|value| value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// The session's token, created on first use (for the forms of signed-in
/// users, whose session is stored anyway).
pub async fn token(session: &Session) -> Result<String, AppError> {
    if let Some(token) = session.get::<String>(CSRF_KEY).await? {
        return Ok(token);
    }
    rotate(session).await
}

/// A fresh token, e.g. at login, so that one seen before login is worthless.
pub async fn rotate(session: &Session) -> Result<String, AppError> {
    let token = random_token()?;
    session.insert(CSRF_KEY, &token).await?;
    Ok(token)
}

/// 32 random bytes from the OS, in hex: unguessable names for tokens.
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(anyhow::anyhow!("no randomness: {error}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A multipart form (a file upload) whose `csrf` field matched the session's
/// token: its text fields and its one file (name and bytes).
#[derive(Debug)]
pub struct CsrfUpload {
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
}

impl CsrfUpload {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let expected = expected_of(&request)?;
        // A body past the limit without a Content-Length (chunked) ends here.
        let bad = |error: axum::extract::multipart::MultipartError| {
            if past_body_limit(&error) {
                AppError::TooLarge {
                    key: "imports.error.too_large",
                }
            } else {
                AppError::bad_request("error.bad_request")
            }
        };
        let mut multipart = axum::extract::Multipart::from_request(request, state)
            .await
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        let mut upload = CsrfUpload {
            fields: Vec::new(),
            file: None,
        };
        while let Some(field) = multipart.next_field().await.map_err(bad)? {
            let name = field.name().unwrap_or_default().to_owned();
            match field.file_name().map(str::to_owned) {
                Some(file_name) => {
                    let bytes = field.bytes().await.map_err(bad)?;
                    if !bytes.is_empty() {
                        // Takes the buffer over rather than copy it: a file
                        // (up to the attachment limit) is held once.
                        upload.file = Some((file_name, Vec::from(bytes)));
                    }
                }
                None => {
                    let text = field.text().await.map_err(bad)?;
                    upload.fields.push((name, text));
                }
            }
        }
        check(&expected, upload.field(CSRF_KEY)).await?;
        let file_name = upload
            .file
            .as_ref()
            .map(|(name, _)| ("file", name.as_str()));
        super::input::refuse_nul_in_fields(
            upload
                .fields
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .chain(file_name),
        )?;
        Ok(upload)
    }
}

/// Whether the body limit stopped the upload. axum's own check
/// (`MultipartError::status`) looks one wrapper deep, where its own limit's
/// error is; the router's limit (tower-http's, which trips first) is deeper.
fn past_body_limit(error: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(error), |error| error.source())
        .any(|error| error.is::<http_body_util::LengthLimitError>())
}

/// A URL-encoded form whose `csrf` field matched the session's token; any
/// other field goes to `T`. A missing or wrong token is a 403, before the
/// handler runs, so nothing can be written.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let expected = expected_of(&request)?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::TooLarge {
                        key: "error.too_large_form",
                    }
                } else {
                    AppError::bad_request("error.bad_request")
                }
            })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        let sent = fields
            .iter()
            .find(|(name, _)| name == CSRF_KEY)
            .map(|(_, value)| value.as_str());
        check(&expected, sent).await?;
        super::input::refuse_nul_in_fields(
            fields
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str())),
        )?;
        let form = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        Ok(CsrfForm(form))
    }
}

/// Where the token a form must send is kept: the request's session (the
/// session layer is always there in `web::app`), else the anonymous cookie.
struct Expected {
    session: Session,
    cookie: Option<String>,
}

fn expected_of(request: &Request) -> Result<Expected, AppError> {
    let session = request
        .extensions()
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))?;
    Ok(Expected {
        session,
        cookie: cookie_token(request.headers()),
    })
}

/// Refuses (403) unless `sent` is the session's token or, for a visitor whose
/// session holds none (anonymous), the token of their cookie.
async fn check(expected: &Expected, sent: Option<&str>) -> Result<(), AppError> {
    let expected = match expected.session.get::<String>(CSRF_KEY).await? {
        Some(token) => Some(token),
        None => expected.cookie.clone(),
    };
    match (sent, expected) {
        (Some(sent), Some(expected)) if same_token(sent, &expected) => Ok(()),
        _ => Err(AppError::forbidden("error.csrf")),
    }
}

/// Compares in time independent of where the first difference is.
fn same_token(sent: &str, expected: &str) -> bool {
    sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_compare_exactly() {
        assert!(super::same_token("abc", "abc"));
        assert!(!super::same_token("abd", "abc"));
        assert!(!super::same_token("ab", "abc"));
        assert!(!super::same_token("", "abc"));
    }
}
