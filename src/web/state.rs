//! What every handler may reach: the database pool and the web layer's
//! settings, validated once at start. The layers built from them (sessions,
//! headers) are assembled in `web::app`.

use std::sync::Arc;

use sqlx::PgPool;

/// What every handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub config: Arc<WebConfig>,
    /// Requests to the public pages per client address (this instance's).
    pub public_limiter: Arc<super::public_access::Limiter>,
    /// "Mot de passe oublié" requests per client address.
    pub reset_limiter: Arc<super::public_access::Limiter>,
}

/// Settings of the web layer, validated once at start.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Today's date is read from the clock unless fixed here (tests fix it so
    /// that figures "as of today" are reproducible).
    pub today: Option<chrono::NaiveDate>,
    /// Mark the session cookie `Secure` (served over HTTPS, perhaps behind a
    /// proxy, so Suivi cannot tell by itself).
    pub secure_cookies: bool,
    /// Believe the client address a reverse proxy writes in `X-Forwarded-For`
    /// (only behind such a proxy: otherwise clients could pick their address).
    pub trust_proxy: bool,
    /// The sign-in limits: per (account, address) pair, a growing delay per
    /// account, per address for logins not known there (`login_attempts`).
    pub login_limits: crate::store::login_attempts::Limits,
    /// The largest file one may attach to a progress update.
    pub max_attachment: AttachmentLimit,
    /// Requests per minute one address may make to the public pages.
    pub public_rate: PublicRate,
    /// Whether an SMTP server is configured (else mail waits in the outbox).
    pub mail_sends: bool,
    /// Requests per API token per window (`store::api_tokens`).
    pub api_rate_limit: crate::store::api_tokens::RateLimit,
}

/// How many requests per minute one address may make to the public pages
/// (120 unless set with `suivi serve --public-requests-per-minute`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicRate {
    pub per_minute: u32,
}

impl Default for PublicRate {
    fn default() -> PublicRate {
        PublicRate { per_minute: 120 }
    }
}

/// The largest attachment accepted, in whole megabytes (10 unless set with
/// `suivi serve --max-attachment-mb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimit {
    pub megabytes: u32,
}

impl Default for AttachmentLimit {
    fn default() -> AttachmentLimit {
        AttachmentLimit { megabytes: 10 }
    }
}

impl AttachmentLimit {
    /// Room for the other fields of the form (the CSRF token, a label, a
    /// link) and the multipart boundaries, beyond the file itself.
    const FORM_MARGIN_BYTES: usize = 64 * 1024;

    pub fn bytes(self) -> usize {
        self.megabytes as usize * 1024 * 1024
    }

    /// The upload route's body limit: a file just past the limit still
    /// reaches the handler, which says what the limit is.
    pub fn body_bytes(self) -> usize {
        self.bytes() + Self::FORM_MARGIN_BYTES
    }
}

/// Password-reset requests one address may make per minute.
const RESET_REQUESTS_PER_MINUTE: u32 = 5;

impl AppState {
    pub fn new(db: PgPool, config: WebConfig) -> AppState {
        AppState {
            db,
            public_limiter: Arc::new(super::public_access::Limiter::new(config.public_rate)),
            reset_limiter: Arc::new(super::public_access::Limiter::new(PublicRate {
                per_minute: RESET_REQUESTS_PER_MINUTE,
            })),
            config: Arc::new(config),
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        self.config
            .today
            .unwrap_or_else(|| chrono::Local::now().date_naive())
    }
}
