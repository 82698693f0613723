//! The confirmation shown once after a save ("Enregistré."): a message key kept
//! in the reader's session (in PostgreSQL, like the session itself), set when a
//! form post succeeds and taken by the next page the reader opens.
//!
//! Every form post that succeeds answers `303 See Other` to the page that shows
//! what was saved (post/redirect/get), so one middleware sets the message for
//! all of them instead of each handler. Sign-in, sign-out and the language
//! switch are not saves and set nothing.

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower_sessions::Session;

/// The session key of the pending message.
pub const FLASH_KEY: &str = "flash";

/// The message a successful save leaves.
const SAVED: &str = "flash.saved";

/// Posts that answer 303 without saving anything a reader would look for.
const NOT_SAVES: [&str; 2] = ["/login", "/logout"];

/// Runs inside the session layer: after a POST answered with 303, leaves the
/// confirmation in the session for the page the browser goes to next.
pub async fn after_save(request: Request, next: Next) -> Response {
    let is_post = request.method() == Method::POST && !NOT_SAVES.contains(&request.uri().path());
    let session = request.extensions().get::<Session>().cloned();
    let response = next.run(request).await;
    // The grid says itself how many rows it saved (`?saved=N`).
    let says_itself = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.contains("saved="));
    if is_post && response.status() == StatusCode::SEE_OTHER && !says_itself {
        if let Some(session) = session {
            // A message that cannot be kept is only a message: the save is done.
            if let Err(error) = session.insert(FLASH_KEY, SAVED).await {
                tracing::warn!(%error, "the confirmation message could not be kept");
            }
        }
    }
    response
}

/// The message taken from the session for this request: the context of a
/// request is built more than once (for its error page, then for its handler),
/// and each must see the message that the first one took.
#[derive(Clone)]
struct Taken(Option<String>);

/// The pending message of `session`, taken (shown once) and kept in the
/// request for the next look.
pub async fn take(parts: &mut Parts, session: &Session) -> Option<String> {
    if let Some(Taken(message)) = parts.extensions.get::<Taken>() {
        return message.clone();
    }
    // Looked up before it is removed: `Session::remove` marks the session
    // modified even when the key is absent, and a modified session is
    // written back to PostgreSQL, so every page would cost a write.
    let pending = session.get::<String>(FLASH_KEY).await.ok().flatten();
    let message = match pending {
        Some(_) => session.remove::<String>(FLASH_KEY).await.ok().flatten(),
        None => None,
    };
    parts.extensions.insert(Taken(message.clone()));
    message
}
