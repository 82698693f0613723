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
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|error| AppError::Internal(anyhow::anyhow!("no randomness: {error}")))?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    session.insert(CSRF_KEY, &token).await?;
    Ok(token)
}

/// A URL-encoded form whose `csrf` field matched the session's token; any
/// other field goes to `T`. A missing or wrong token is a 403, before the
/// handler runs, so nothing can be written.
#[derive(Debug)]
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, AppError> {
        let session = request
            .extensions()
            .get::<Session>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no session layer")))?;
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        let sent = fields
            .iter()
            .find(|(name, _)| name == CSRF_KEY)
            .map(|(_, value)| value.as_str());
        let expected = session.get::<String>(CSRF_KEY).await?;
        match (sent, expected) {
            (Some(sent), Some(expected)) if same_token(sent, &expected) => {}
            _ => return Err(AppError::forbidden("error.csrf")),
        }
        let form = serde_urlencoded::from_bytes(&body)
            .map_err(|_| AppError::bad_request("error.bad_request"))?;
        Ok(CsrfForm(form))
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
