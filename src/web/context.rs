//! What every page knows about the request: the reader's language and where they
//! are (for the language switch). Templates reach the catalog and the formatters
//! through it.

use std::borrow::{Borrow, Cow};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::i18n::Lang;
use crate::performance::Ratio;

/// The cookie that remembers an explicit choice of language.
pub const LANG_COOKIE: &str = "suivi_lang";

/// The language of a request: an explicit choice (cookie) first, then the
/// browser's `Accept-Language`, then French.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    let chosen = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .find_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == LANG_COOKIE)
                .then(|| Lang::from_code(value))
                .flatten()
        });
    chosen.unwrap_or_else(|| {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::Fr, Lang::from_accept_language)
    })
}

#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    /// The current path and query, to come back here after switching language.
    pub here: String,
    /// The signed-in user's name, for the header.
    pub user_name: Option<String>,
    /// Whether the header links to the admin pages.
    pub is_admin: bool,
    /// The session's CSRF token, for the hidden field of every form (the
    /// logout button in the header among them).
    pub csrf: Option<String>,
    /// The message key of a confirmation to show once (`web::flash`).
    pub flash: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut ctx = Ctx::new(
            request_lang(&parts.headers),
            parts.uri.path_and_query().map_or("/", |pq| pq.as_str()),
        );
        // Only reads: an anonymous reader gets no session (no row, no cookie).
        // A session that cannot be read shows the page as to an anonymous
        // reader; the pages that need the user fail on their own extractor.
        if let Some(session) = parts.extensions.get::<tower_sessions::Session>().cloned() {
            ctx.user_name = session.get(super::auth::USER_NAME_KEY).await.ok().flatten();
            ctx.is_admin = ctx.user_name.is_some()
                && session
                    .get(super::auth::USER_ADMIN_KEY)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(false);
            ctx.csrf = session.get(super::csrf::CSRF_KEY).await.ok().flatten();
            // Only pages show it: a POST's own context must leave it for the
            // page the browser is sent to.
            if parts.method == axum::http::Method::GET && ctx.user_name.is_some() {
                ctx.flash = super::flash::take(parts, &session).await;
            }
        }
        Ok(ctx)
    }
}

// Formatters take `impl Borrow<T>` because templates hand over values or
// references depending on the expression.
impl Ctx {
    pub fn new(lang: Lang, here: &str) -> Ctx {
        Ctx {
            lang,
            here: here.to_owned(),
            user_name: None,
            is_admin: false,
            csrf: None,
            flash: None,
        }
    }

    /// The stylesheet's address, versioned by its content so that browsers
    /// may keep it for a year and still get a new one the day it changes.
    pub fn stylesheet_href(&self) -> String {
        super::pages::assets::stylesheet_href()
    }

    pub fn t<'a>(&self, key: &'a str) -> Cow<'a, str> {
        self.lang.t(key)
    }

    pub fn t_with(&self, key: &str, values: &[(&str, &str)]) -> String {
        self.lang.t_with(key, values)
    }

    /// A value made safe for a query string.
    pub fn query_value(&self, value: &str) -> String {
        percent_encode(value)
    }

    /// The CSRF token for a form's hidden field (empty when the session has
    /// none, which the POST handler then refuses).
    pub fn csrf_token(&self) -> &str {
        self.csrf.as_deref().unwrap_or("")
    }

    /// The link that shows this same page in the other language.
    pub fn switch_lang_href(&self) -> String {
        format!(
            "/lang/{}?next={}",
            self.lang.other().code(),
            percent_encode(&self.here)
        )
    }

    pub fn pct(&self, rate: impl Borrow<Option<Ratio>>) -> String {
        self.lang.percent(*rate.borrow())
    }

    pub fn fcfa(&self, amount: impl Amount) -> String {
        self.lang.fcfa(amount.fcfa())
    }

    /// How a currency shows in a column's title: `Dépensé (FCFA)`.
    pub fn currency<'a>(&self, currency: &'a str) -> &'a str {
        crate::i18n::currency_label(currency)
    }

    /// An amount in a plan's currency (`XOF` shows as FCFA).
    pub fn money(&self, amount: impl Amount, currency: &str) -> String {
        self.lang.money(amount.fcfa(), currency)
    }

    pub fn int(&self, value: impl Borrow<u64>) -> String {
        self.lang
            .integer(i64::try_from(*value.borrow()).unwrap_or(i64::MAX))
    }

    pub fn qty(&self, value: impl Borrow<Option<Decimal>>) -> String {
        self.lang.optional_quantity(*value.borrow())
    }

    pub fn date(&self, date: impl Borrow<NaiveDate>) -> String {
        self.lang.date(*date.borrow())
    }

    pub fn ordinal(&self, n: impl Borrow<i32>) -> String {
        self.lang.ordinal(*n.borrow())
    }

    pub fn opt_date(&self, date: impl Borrow<Option<NaiveDate>>) -> String {
        date.borrow()
            .map_or_else(|| "—".to_owned(), |d| self.lang.date(d))
    }
}

/// Percent-encodes a path for use as a query value (everything but unreserved
/// characters and `/`).
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An amount templates may show: a stored one (`i64`) or a total (`i128`),
/// by value or by reference as askama hands it over.
pub trait Amount {
    fn fcfa(&self) -> i128;
}

impl Amount for i64 {
    fn fcfa(&self) -> i128 {
        i128::from(*self)
    }
}

impl Amount for i128 {
    fn fcfa(&self) -> i128 {
        *self
    }
}

impl<T: Amount + ?Sized> Amount for &T {
    fn fcfa(&self) -> i128 {
        (**self).fcfa()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn cookie_choice_wins_over_accept_language() {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_LANGUAGE, HeaderValue::from_static("en-US"));
        assert_eq!(request_lang(&headers), Lang::En);
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; suivi_lang=fr"),
        );
        assert_eq!(request_lang(&headers), Lang::Fr);
    }

    #[test]
    fn switch_link_keeps_the_query() {
        let ctx = Ctx::new(Lang::Fr, "/plans/3?as_of=2025-11-30");
        assert_eq!(
            ctx.switch_lang_href(),
            "/lang/en?next=/plans/3%3Fas_of%3D2025-11-30"
        );
    }
}
