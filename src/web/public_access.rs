//! What the public pages (no login) add to every answer: a limit of requests
//! per client address, and HTTP caching (`Cache-Control: public`, an `ETag`
//! of the body, 304 when the reader has it already).
//!
//! The limit is a fixed window per address kept in this instance's memory:
//! a few lines, no crate, and good enough against a scraper hammering one
//! instance (each instance counts for itself). Pages are revalidated on each
//! use (`no-cache`): a cache may keep a copy but must ask first, so that an
//! unpublished page is gone at once, while an unchanged one costs a 304.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use blake2::{Blake2b512, Digest};

use super::client_address::ClientAddress;
use super::{AppError, AppState, PublicRate};

const WINDOW: Duration = Duration::from_secs(60);
/// Past this many addresses, windows that have ended are dropped, so that
/// the map cannot grow without bound.
const SWEEP_ABOVE: usize = 10_000;

/// Requests counted per address in the current window.
#[derive(Debug)]
pub struct Limiter {
    per_window: u32,
    windows: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(rate: PublicRate) -> Limiter {
        Limiter {
            per_window: rate.per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request from `address`; `Err(seconds)` to wait when it is
    /// one too many. Requests with no known address (a router called
    /// directly) share one count.
    pub fn check(&self, address: Option<IpAddr>, now: Instant) -> Result<(), u64> {
        // A poisoned lock only means another request panicked mid-count.
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(address).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= self.per_window {
            let left = WINDOW.saturating_sub(now.duration_since(*start));
            return Err(left.as_secs().max(1));
        }
        *count += 1;
        Ok(())
    }
}

/// A request to a public page that is within its address's limit (else a
/// 429 with `Retry-After`, before anything is read).
#[derive(Debug, Clone, Copy)]
pub struct WithinLimit;

impl FromRequestParts<AppState> for WithinLimit {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ClientAddress(address) = match ClientAddress::from_request_parts(parts, state).await {
            Ok(address) => address,
            Err(never) => match never {},
        };
        state
            .public_limiter
            .check(address, Instant::now())
            .map(|()| WithinLimit)
            .map_err(|retry_after| AppError::TooManyRequests { retry_after })
    }
}

/// The body as a public, cacheable answer: 304 when the request's
/// `If-None-Match` names its ETag already. `file_name` makes it a download.
pub fn cacheable(
    request: &HeaderMap,
    content_type: &'static str,
    file_name: Option<&str>,
    body: Vec<u8>,
) -> Response {
    let etag = etag_of(&body);
    let fresh = request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/")
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        body.into_response()
    };
    let headers = response.headers_mut();
    if !fresh {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        if let Some(name) = file_name {
            let disposition = format!(
                "attachment; filename=\"{}\"",
                crate::reports::safe_file_name(name)
            );
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
        }
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    // The language comes from the cookie or the browser's preference.
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept-Language, Cookie"),
    );
    response
}

/// A weak ETag (the body may be sent compressed) from the body's digest.
fn etag_of(body: &[u8]) -> String {
    let digest = Blake2b512::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("W/\"{hex}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_past_its_limit_waits_for_the_next_window() {
        let limiter = Limiter::new(PublicRate { per_minute: 2 });
        let start = Instant::now();
        let one = "10.0.0.1".parse().ok();
        let two = "10.0.0.2".parse().ok();
        assert_eq!(limiter.check(one, start), Ok(()));
        assert_eq!(limiter.check(one, start), Ok(()));
        assert_eq!(limiter.check(one, start + Duration::from_secs(15)), Err(45));
        assert_eq!(limiter.check(two, start), Ok(()), "per address");
        assert_eq!(limiter.check(one, start + WINDOW), Ok(()));
    }

    #[test]
    fn the_etag_answers_304_and_stays_public() {
        let body = b"<p>65 %</p>".to_vec();
        let first = cacheable(&HeaderMap::new(), "text/html", None, body.clone());
        assert_eq!(first.status(), StatusCode::OK);
        let etag = first.headers()[header::ETAG].clone();
        let mut again = HeaderMap::new();
        again.insert(header::IF_NONE_MATCH, etag.clone());
        let second = cacheable(&again, "text/html", None, body);
        assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(second.headers()[header::ETAG], etag);
        assert_eq!(second.headers()[header::CACHE_CONTROL], "public, no-cache");
        let changed = cacheable(&again, "text/html", None, b"<p>66 %</p>".to_vec());
        assert_eq!(changed.status(), StatusCode::OK);
    }
}
