//! Protection against cross-site request forgery: a random token per session,
//! written in a hidden field of every form and checked on every POST by the
//! `CsrfForm` extractor. Pages stay free of JavaScript (the CSP forbids inline
//! script), so a plain form field it is, not a header set by a script.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use tower_sessions::Session;

use super::{AppError, AppState};

/// The session key and the form field of the token.
pub const CSRF_KEY: &str = "csrf";

/// The session's token, created on first use (the login form is the first
/// form an anonymous visitor sees).
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
        let session = session_of(&request)?;
        let bad = |error: axum::extract::multipart::MultipartError| {
            if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::bad_request("imports.error.too_large")
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
                        upload.file = Some((file_name, bytes.to_vec()));
                    }
                }
                None => {
                    let text = field.text().await.map_err(bad)?;
                    upload.fields.push((name, text));
                }
            }
        }
        check(&session, upload.field(CSRF_KEY)).await?;
        Ok(upload)
    }
}

/// A URL-encoded form whose `csrf` field matched the session's token; any
/// other field goes to `T`. A missing or wrong token is a 403, before the
/// handler runs, so nothing can be written.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let session = session_of(&request)?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        let sent = fields
            .iter()
            .find(|(name, _)| name == CSRF_KEY)
            .map(|(_, value)| value.as_str());
        check(&session, sent).await?;
        let form = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        Ok(CsrfForm(form))
    }
}

/// The request's session; the session layer is always there in `web::app`.
fn session_of(request: &Request) -> Result<Session, AppError> {
    request
        .extensions()
        .get::<Session>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))
}

/// Refuses (403) unless `sent` is the session's token.
async fn check(session: &Session, sent: Option<&str>) -> Result<(), AppError> {
    let expected = session.get::<String>(CSRF_KEY).await?;
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
