//! The sign-in limits through the router, each client at its own address (as
//! the server sees its peer): a pair (account, address) is refused after five
//! failures, the account as a whole only slowed down, and never at an address
//! it signed in from before; an address is refused for the logins not known
//! there, but not for its own users. See `store::login_attempts`.

use std::net::SocketAddr;

use crate::common::*;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use sqlx::PgPool;
use suivi::store::login_attempts::Limits;
use suivi::web::csrf::FORM_COOKIE;
use suivi::web::{self, AppState, WebConfig};
use tower::ServiceExt;

/// The app as a client at `address` reaches it.
fn at(pool: &PgPool, address: impl Into<SocketAddr>) -> Router {
    at_with(pool, address, Limits::default())
}

fn at_with(pool: &PgPool, address: impl Into<SocketAddr>, limits: Limits) -> Router {
    web::app(AppState::new(
        pool.clone(),
        WebConfig {
            today: Some(today()),
            login_limits: limits,
            ..WebConfig::default()
        },
    ))
    .layer(MockConnectInfo(address.into()))
}

fn v4(last: u8) -> SocketAddr {
    SocketAddr::from(([10, 0, 0, last], 40000))
}

/// The answer to a sign-in through the form, with what a test looks at.
struct Answer {
    status: StatusCode,
    retry_after: Option<i64>,
    page: Html,
}

impl Answer {
    fn reason(&self) -> Vec<String> {
        let failed = Selector::parse("#login-failed").unwrap();
        self.page
            .select(&failed)
            .filter_map(|e| e.value().attr("data-reason").map(str::to_owned))
            .collect()
    }

    fn message(&self) -> String {
        let failed = Selector::parse("#login-failed").unwrap();
        self.page
            .select(&failed)
            .flat_map(|e| e.text())
            .collect::<String>()
            .trim()
            .to_owned()
    }
}

/// Opens the login form and posts it, as a fresh browser would (with the
/// language cookie `lang` if given).
async fn sign_in(app: &Router, login: &str, password: &str) -> Answer {
    sign_in_as(app, login, password, None).await
}

async fn sign_in_as(app: &Router, login: &str, password: &str, lang: Option<&str>) -> Answer {
    let mut form = Request::builder().uri("/login");
    if let Some(lang) = lang {
        form = form.header(header::COOKIE, format!("suivi_lang={lang}"));
    }
    let response = app
        .clone()
        .oneshot(form.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{FORM_COOKIE}=")))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let page = Html::parse_document(&String::from_utf8_lossy(&bytes));
    let field = Selector::parse("input[name=csrf]").unwrap();
    let csrf = page
        .select(&field)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned();
    let cookies = match lang {
        Some(lang) => format!("{cookie}; suivi_lang={lang}"),
        None => cookie,
    };
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("login", login),
        ("password", password),
        ("next", "/"),
    ])
    .unwrap();
    let request = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookies)
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        retry_after,
        page: Html::parse_document(&String::from_utf8_lossy(&bytes)),
    }
}

/// Moves every recorded attempt `seconds` into the past, as if that much
/// time had gone by (no test waits for the clock).
async fn time_passes(pool: &PgPool, seconds: i64) {
    sqlx::query("UPDATE login_attempts SET at = at - make_interval(secs => $1)")
        .bind(seconds as f64)
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn five_failures_from_one_address_refuse_it_even_the_right_password(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let office = at(&pool, v4(1));
    for attempt in 1..=5 {
        let answer = sign_in(&office, "anaser.editeur", "mauvais").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let answer = sign_in(&office, "anaser.editeur", DEMO_PASSWORD).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.reason(), ["too_many"]);
    assert!(
        answer
            .message()
            .starts_with("Trop de tentatives de connexion échouées"),
        "{}",
        answer.message()
    );
    assert!(answer.message().contains("15 min"), "{}", answer.message());
    let retry = answer.retry_after.unwrap();
    assert!((14 * 60..=15 * 60).contains(&retry), "{retry}");
    let login = Selector::parse("#login-id").unwrap();
    assert_eq!(
        answer
            .page
            .select(&login)
            .filter_map(|e| e.value().attr("value"))
            .collect::<Vec<_>>(),
        ["anaser.editeur"]
    );

    // In English for an English reader; the typed case does not matter.
    let answer = sign_in_as(&office, " Anaser.Editeur ", DEMO_PASSWORD, Some("en")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(answer
        .message()
        .starts_with("Too many failed sign-in attempts"));

    // Other accounts at that address are not affected.
    assert_eq!(
        sign_in(&office, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Once the failures are out of the window, the pair opens again.
    time_passes(&pool, 16 * 60).await;
    assert_eq!(
        sign_in(&office, "anaser.editeur", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_owner_signs_in_from_another_address_while_a_stranger_hammers_the_account(
    pool: PgPool,
) {
    suivi::demo::load(&pool).await.unwrap();
    // A long first delay, so that no test machine is slow enough to outlast it.
    let limits = Limits {
        first_delay_seconds: 600,
        max_delay_seconds: 3600,
        ..Limits::default()
    };
    // The owner has signed in from home before: that address is known.
    let home = at_with(&pool, v4(9), limits);
    assert_eq!(
        sign_in(&home, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    let stranger = at_with(&pool, SocketAddr::from(([198, 51, 100, 7], 40000)), limits);
    let mut statuses = Vec::new();
    for guess in 0..30 {
        statuses.push(
            sign_in(&stranger, "anaser.ca", &format!("guess-{guess}"))
                .await
                .status,
        );
    }
    assert_eq!(&statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert!(statuses[5..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));
    // The stranger moves on to other addresses: the account is slowed down.
    for last in 20..30 {
        let elsewhere = at_with(
            &pool,
            SocketAddr::from(([198, 51, 100, last], 40000)),
            limits,
        );
        let answer = sign_in(&elsewhere, "anaser.ca", "guess").await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{last}");
        assert_eq!(answer.reason(), ["too_many"]);
    }

    // The owner, at home, signs in at once, password checked.
    assert_eq!(
        sign_in(&home, "anaser.ca", "pas-le-bon").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&home, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // That gives the stranger no new guesses at their address.
    assert_eq!(
        sign_in(&stranger, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let failures: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_attempts WHERE address = '198.51.100.7'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(failures, 5, "refused attempts are not recorded");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_accounts_delay_doubles_with_each_failure_up_to_its_cap(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let limits = Limits {
        first_delay_seconds: 60,
        max_delay_seconds: 200,
        ..Limits::default()
    };
    let from = |last: u8| at_with(&pool, v4(last), limits);
    // Five failures, each from its own address: none is over the pair limit.
    for last in 1..=5 {
        assert_eq!(
            sign_in(&from(last), "anaser.editeur", "mauvais")
                .await
                .status,
            StatusCode::UNAUTHORIZED
        );
    }
    // Then each attempt waits, the right password too (it is not checked),
    // and the wait doubles with each failure: 60 s, 120 s, then the cap.
    let mut next = 6;
    for (wait, shown) in [(60, "1 min"), (120, "2 min"), (200, "4 min")] {
        let answer = sign_in(&from(next), "anaser.editeur", DEMO_PASSWORD).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "wait {wait}");
        let retry = answer.retry_after.unwrap();
        assert!((wait - 10..=wait).contains(&retry), "{retry} for {wait}");
        assert!(answer.message().contains(shown), "{}", answer.message());
        time_passes(&pool, wait + 1).await;
        assert_eq!(
            sign_in(&from(next), "anaser.editeur", "mauvais")
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "the wait is over"
        );
        next += 1;
    }
    let answer = sign_in(&from(next), "anaser.editeur", DEMO_PASSWORD).await;
    let retry = answer.retry_after.unwrap();
    assert!((190..=200).contains(&retry), "capped: {retry}");

    // Once the wait is over, the right password signs in, and the delay is
    // gone for everyone.
    time_passes(&pool, 201).await;
    assert_eq!(
        sign_in(&from(next), "anaser.editeur", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&from(next + 1), "anaser.editeur", "mauvais")
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn a_successful_sign_in_clears_the_pairs_counter(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let office = at(&pool, v4(1));
    for _ in 0..4 {
        sign_in(&office, "anaser.ca", "mauvais").await;
    }
    assert_eq!(
        sign_in(&office, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Five new failures are allowed again, then the sixth attempt is refused.
    for attempt in 1..=5 {
        let answer = sign_in(&office, "anaser.ca", "mauvais").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    assert_eq!(
        sign_in(&office, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Clients whose address the server cannot tell count as one address.
    let unknown = app(&pool);
    for _ in 0..5 {
        sign_in(&unknown, "admin", "mauvais").await;
    }
    assert_eq!(
        sign_in(&unknown, "admin", DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn an_address_is_refused_for_logins_not_known_there_but_not_for_its_own_users(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let office = at(&pool, v4(1));
    // anaser.ca works at the office: it signed in from there before.
    assert_eq!(
        sign_in(&office, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    // Twenty failures from the office on logins that do not exist, none
    // over its own pair's limit.
    for login in ["un", "deux", "trois", "quatre"] {
        for _ in 0..5 {
            let answer = sign_in(&office, login, "mauvais").await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{login}");
        }
    }
    // Now the office is refused for any login not known there, existing or
    // not (the same answer: it tells nothing of which accounts exist)...
    for login in ["admin", "cinq"] {
        let answer = sign_in(&office, login, DEMO_PASSWORD).await;
        assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{login}");
        assert_eq!(answer.reason(), ["too_many"]);
    }
    // ... but its own users sign in, their password checked as always.
    assert_eq!(
        sign_in(&office, "anaser.ca", "pas-le-bon").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        sign_in(&office, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );

    // The same account from elsewhere signs in, and that does not clear the
    // office's counter.
    assert_eq!(
        sign_in(&at(&pool, v4(2)), "admin", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sign_in(&office, "admin", DEMO_PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The window over, the office is open again.
    time_passes(&pool, 16 * 60).await;
    assert_eq!(
        sign_in(&office, "admin", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    let addresses: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT address FROM login_attempts")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(addresses, [Some("10.0.0.1".to_owned())]);
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn an_ipv6_client_counts_by_its_64(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let address = |text: &str| SocketAddr::new(text.parse().unwrap(), 40000);
    for host in 1..=5 {
        let client = at(&pool, address(&format!("2001:db8:1:2::{host}")));
        assert_eq!(
            sign_in(&client, "anaser.ca", "mauvais").await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let same_network = at(&pool, address("2001:db8:1:2:ffff::99"));
    assert_eq!(
        sign_in(&same_network, "anaser.ca", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another /64 is another address (the account's delay is a second).
    time_passes(&pool, 2).await;
    let next_door = at(&pool, address("2001:db8:1:3::1"));
    assert_eq!(
        sign_in(&next_door, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn an_address_unused_for_sixty_days_is_forgotten(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let home = at(&pool, v4(9));
    assert_eq!(
        sign_in(&home, "anaser.ca", DEMO_PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    sqlx::query(
        "INSERT INTO login_known_addresses (login, address, last_success_at) \
         VALUES ('admin', '10.0.0.9', now() - interval '61 days')",
    )
    .execute(&pool)
    .await
    .unwrap();
    // A stranger slows the old account down: the address it has not used for
    // sixty days is slowed down too.
    for last in 1..=5 {
        sign_in(&at(&pool, v4(last)), "admin", "mauvais").await;
    }
    let limits = Limits {
        first_delay_seconds: 600,
        ..Limits::default()
    };
    assert_eq!(
        sign_in(&at_with(&pool, v4(9), limits), "admin", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
    suivi::web::housekeeping::once(&pool, &store).await;
    let known: Vec<(String, String)> =
        sqlx::query_as("SELECT login, address FROM login_known_addresses")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(known, [("anaser.ca".to_owned(), "10.0.0.9".to_owned())]);
}
