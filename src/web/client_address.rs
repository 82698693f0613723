//! Where a request comes from, for limiting sign-in attempts per address: the
//! connection's peer, or, only when Suivi is told it sits behind a reverse
//! proxy (`--trust-proxy`), the address that proxy puts in `X-Forwarded-For`.
//! Without the option the header is ignored: anyone can write it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;

use super::AppState;

/// The client's IP address, or `None` when the server cannot tell (a router
/// called directly, as in tests, has no connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if state.config.trust_proxy {
            if let Some(address) = forwarded_for(&parts.headers) {
                return Ok(ClientAddress(Some(address)));
            }
        }
        let peer = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .ok()
            // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d.
            .map(|ConnectInfo(peer)| peer.ip().to_canonical());
        Ok(ClientAddress(peer))
    }
}

/// The last address of the last `X-Forwarded-For` header: the one the proxy in
/// front of Suivi appended. Addresses further left were written by the client
/// or by proxies we know nothing of, so they are not believed.
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_proxy_appended_address_is_believed_not_the_first() {
        let mut headers = HeaderMap::new();
        assert_eq!(forwarded_for(&headers), None);
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 10.0.0.7"),
        );
        assert_eq!(forwarded_for(&headers), "10.0.0.7".parse().ok());
        headers.insert("x-forwarded-for", HeaderValue::from_static("2001:db8::1"));
        assert_eq!(forwarded_for(&headers), "2001:db8::1".parse().ok());
        headers.insert("x-forwarded-for", HeaderValue::from_static("10.0.0.9:5120"));
        assert_eq!(forwarded_for(&headers), "10.0.0.9".parse().ok());
        headers.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(forwarded_for(&headers), None);
    }

    async fn address(
        trust_proxy: bool,
        forwarded: Option<&str>,
        peer: Option<&str>,
    ) -> ClientAddress {
        let db = sqlx::PgPool::connect_lazy("postgres://localhost/unused").unwrap();
        let state = AppState::new(
            db,
            super::super::WebConfig {
                trust_proxy,
                ..Default::default()
            },
        );
        let mut request = axum::http::Request::builder().uri("/login");
        if let Some(forwarded) = forwarded {
            request = request.header("x-forwarded-for", forwarded);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts
                .extensions
                .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        }
        match ClientAddress::from_request_parts(&mut parts, &state).await {
            Ok(address) => address,
            Err(never) => match never {},
        }
    }

    #[tokio::test]
    async fn the_header_counts_only_behind_a_trusted_proxy() {
        let ip = |text: &str| ClientAddress(text.parse().ok());
        let forwarded = Some("6.6.6.6, 41.73.1.2");
        let peer = Some("10.0.0.5:51000");
        assert_eq!(address(false, forwarded, peer).await, ip("10.0.0.5"));
        assert_eq!(address(true, forwarded, peer).await, ip("41.73.1.2"));
        assert_eq!(address(true, Some("n/a"), peer).await, ip("10.0.0.5"));
        assert_eq!(address(false, None, None).await, ClientAddress(None));
        assert_eq!(
            address(false, None, Some("[::ffff:10.0.0.5]:51000")).await,
            ip("10.0.0.5")
        );
    }
}
