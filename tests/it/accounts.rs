//! Accounts through the router: signing in and out, sessions kept in
//! PostgreSQL (and none for anonymous visitors), CSRF tokens, changing one's
//! password; `suivi user` on the command line, audited like the web.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sqlx::PgPool;
use suivi::store::audit::Actor;
use suivi::web::csrf::FORM_COOKIE;
use suivi::web::{self, AppState, WebConfig, SESSION_COOKIE};
use tower::ServiceExt;

#[sqlx::test]
async fn a_good_password_signs_in_and_a_bad_one_says_nothing_about_the_account(pool: PgPool) {
    let app = demo_app(&pool).await;

    let mut client = Client::new(&app);
    let wrong_password = client.login("anaser.editeur", "not-the-password").await;
    assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_password.attrs("input[name=login]", "value"),
        ["anaser.editeur"],
        "the typed login is kept"
    );
    let unknown_login = client.login("nobody.here", "not-the-password").await;
    assert_eq!(unknown_login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        wrong_password.text("#login-failed"),
        unknown_login.text("#login-failed"),
        "the same message whether the account exists or not"
    );
    assert_eq!(
        wrong_password.text("#login-failed"),
        "Identifiant ou mot de passe incorrect."
    );

    let ok = client.login("anaser.editeur", DEMO_PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.location.as_deref(), Some("/"));
    let home = client.get("/").await;
    assert_eq!(home.text("#account"), "Point focal ANASER (démo)");
}

/// Sends a request built by hand: its status, its `Set-Cookie` headers and
/// its body.
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Vec<String>, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        cookies,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// A login form posted with exactly the `Cookie` header given (none at all
/// for `None`).
fn login_post(cookie: Option<&str>, csrf: &str, password: &str) -> Request<Body> {
    let body =
        serde_urlencoded::to_string([("csrf", csrf), ("login", "admin"), ("password", password)])
            .unwrap();
    let mut request = Request::builder()
        .method("POST")
        .uri("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    request.body(Body::from(body)).unwrap()
}

fn get_login() -> Request<Body> {
    Request::builder()
        .uri("/login")
        .body(Body::empty())
        .unwrap()
}

fn the_cookie<'a>(cookies: &'a [String], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(String::as_str)
}

async fn session_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_session_cookie_is_http_only_and_lax(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = Client::new(&app);
    let form = client.get("/login").await;
    let csrf = csrf_of(&form);
    let form_cookie = format!("{FORM_COOKIE}={}", client.cookie(FORM_COOKIE).unwrap());
    let (status, cookies, _) =
        send(&app, login_post(Some(&form_cookie), &csrf, DEMO_PASSWORD)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = the_cookie(&cookies, SESSION_COOKIE).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not Secure unless configured");
    let cleared = the_cookie(&cookies, FORM_COOKIE).expect("the anonymous token cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
}

#[sqlx::test]
async fn an_anonymous_visitor_gets_a_short_lived_strict_token_cookie_and_no_session(pool: PgPool) {
    let app = demo_app(&pool).await;
    let response = app.clone().oneshot(get_login()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<String> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(the_cookie(&cookies, SESSION_COOKIE), None, "{cookies:?}");
    let cookie = the_cookie(&cookies, FORM_COOKIE).expect("a token cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/login", "Max-Age=3600"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.contains("Secure"), "not Secure unless configured");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let page = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
    let field = scraper::Selector::parse("input[name=csrf]").unwrap();
    let in_form = page
        .select(&field)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned();
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches(&format!("{FORM_COOKIE}="));
    assert_eq!(value, in_form, "the form sends back the cookie's token");

    let secure = web::app(AppState::new(
        pool.clone(),
        WebConfig {
            secure_cookies: true,
            ..WebConfig::default()
        },
    ));
    let (_, cookies, _) = send(&secure, get_login()).await;
    let cookie = the_cookie(&cookies, FORM_COOKIE).unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[sqlx::test]
async fn anonymous_visits_and_failed_logins_store_no_session(pool: PgPool) {
    let app = demo_app(&pool).await;
    for _ in 0..100 {
        let (status, _, _) = send(&app, get_login()).await;
        assert_eq!(status, StatusCode::OK);
    }
    let mut client = Client::new(&app);
    for _ in 0..5 {
        assert_eq!(client.get("/login").await.status, StatusCode::OK);
    }
    let failed = client.login("admin", "not-the-password").await;
    assert_eq!(failed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(session_rows(&pool).await, 0, "nothing kept for nobody");

    // The form shown again after a failure works, and signing in stores the
    // one session.
    let csrf = csrf_of(&failed);
    let ok = client
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("login", "admin"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(session_rows(&pool).await, 1);
    assert_eq!(client.get("/account/password").await.status, StatusCode::OK);
    assert_eq!(
        client.cookie(FORM_COOKIE),
        None,
        "the anonymous token is gone"
    );
}

#[sqlx::test]
async fn a_login_post_needs_the_token_of_its_own_cookie(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (_, cookies, body) = send(&app, get_login()).await;
    let page = scraper::Html::parse_document(&body);
    let field = scraper::Selector::parse("input[name=csrf]").unwrap();
    let csrf = page
        .select(&field)
        .next()
        .and_then(|e| e.value().attr("value"))
        .unwrap()
        .to_owned();
    let own = the_cookie(&cookies, FORM_COOKIE)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();

    // The token without its cookie, as a forging site would send it.
    let (status, _, _) = send(&app, login_post(None, &csrf, DEMO_PASSWORD)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another visitor's cookie, or one that is not a token at all.
    let other = format!("{FORM_COOKIE}={}", "ab".repeat(32));
    let (status, _, _) = send(&app, login_post(Some(&other), &csrf, DEMO_PASSWORD)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let garbage = format!("{FORM_COOKIE}={csrf}x");
    let (status, _, _) = send(&app, login_post(Some(&garbage), &csrf, DEMO_PASSWORD)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The right cookie with another token in the form.
    let (status, _, _) = send(
        &app,
        login_post(Some(&own), &"cd".repeat(32), DEMO_PASSWORD),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(session_rows(&pool).await, 0);

    let (status, cookies, _) = send(&app, login_post(Some(&own), &csrf, DEMO_PASSWORD)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(the_cookie(&cookies, SESSION_COOKIE).is_some());
}

#[sqlx::test]
async fn sessions_live_in_postgresql_and_survive_a_new_app(pool: PgPool) {
    let first = demo_app(&pool).await;
    let mut client = signed_in(&first, "anaser.ca").await;
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM tower_sessions.session")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(rows >= 1, "the session is a row in PostgreSQL");
    // Another instance (a restart, or a second server) on the same database.
    client.app = app(&pool);
    let page = client.get("/account/password").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text(".lede"), "anaser.ca");
}

#[sqlx::test]
async fn logout_ends_the_session(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = signed_in(&app, "admin").await;
    let home = client.get("/").await;
    let token = home.attrs("form.logout input[name=csrf]", "value");
    assert_eq!(token.len(), 1, "a logout button with its token");
    let out = client.post("/logout", &[("csrf", &token[0])]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let page = client.get("/account/password").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=/account/password")
    );
}

#[sqlx::test]
async fn a_post_without_the_csrf_token_is_refused_in_the_reader_language(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = Client::new(&app);
    client.get("/login").await;
    let page = client
        .post("/login", &[("login", "admin"), ("password", DEMO_PASSWORD)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.text(".message").contains("Ce formulaire a expiré"));
    let page = client
        .post(
            "/login",
            &[
                ("csrf", "forged"),
                ("login", "admin"),
                ("password", DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(client.get("/account/password").await.status == StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn users_change_their_own_password(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = signed_in(&app, "crss.lecteur").await;
    let form = client.get("/account/password").await;
    let csrf = csrf_of(&form);
    let wrong = client
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", "not-it"),
                ("new", "nouveau-secret"),
                ("confirm", "nouveau-secret"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        wrong.text("[data-field=current]"),
        "Le mot de passe actuel est incorrect."
    );
    let ok = client
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", DEMO_PASSWORD),
                ("new", "nouveau-secret"),
                ("confirm", "nouveau-secret"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.texts("#password-changed").len(), 1);

    let mut other = Client::new(&app);
    assert_eq!(
        other.login("crss.lecteur", DEMO_PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        other.login("crss.lecteur", "nouveau-secret").await.status,
        StatusCode::SEE_OTHER
    );
}

async fn change_password(client: &mut Client, current: &str, new: &str) -> Page {
    let form = client.get("/account/password").await;
    let csrf = csrf_of(&form);
    client
        .post(
            "/account/password",
            &[
                ("csrf", &csrf),
                ("current", current),
                ("new", new),
                ("confirm", new),
            ],
        )
        .await
}

#[sqlx::test]
async fn a_new_password_signs_out_the_accounts_other_sessions(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut here = signed_in(&app, "crss.lecteur").await;
    let mut elsewhere = signed_in(&app, "crss.lecteur").await;
    let mut someone_else = signed_in(&app, "anaser.ca").await;
    assert_eq!(session_rows(&pool).await, 3);

    let changed = change_password(&mut here, DEMO_PASSWORD, "nouveau-secret").await;
    assert_eq!(changed.status, StatusCode::OK);
    assert_eq!(
        changed.text("#password-changed"),
        "Votre mot de passe a été changé. Vos autres sessions ouvertes (sur d’autres postes ou \
         navigateurs) sont fermées."
    );
    // The session that changed it goes on, with its forms.
    let page = here.get("/account/password").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text(".lede"), "crss.lecteur");
    assert_eq!(
        change_password(&mut here, "nouveau-secret", "encore-autre")
            .await
            .status,
        StatusCode::OK
    );
    // The other one is over at its next request, and its row is gone.
    let page = elsewhere.get("/account/password").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/login?next=/account/password")
    );
    assert_eq!(elsewhere.get("/").await.status, StatusCode::SEE_OTHER);
    assert_eq!(session_rows(&pool).await, 2);
    // Another account's session is untouched.
    assert_eq!(
        someone_else.get("/account/password").await.status,
        StatusCode::OK
    );

    // A password set from the command line ends every session of the account.
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'crss.lecteur'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let hash = suivi::passwords::hash("par-la-console").unwrap();
    assert!(
        suivi::store::users::change_password(&pool, id, &hash, Actor::CommandLine)
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        here.get("/account/password").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        signed_in_with(&app, "crss.lecteur", "par-la-console")
            .await
            .get("/account/password")
            .await
            .status,
        StatusCode::OK
    );
}

async fn signed_in_with(app: &Router, login: &str, password: &str) -> Client {
    let mut client = Client::new(app);
    let page = client.login(login, password).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{login} signs in");
    client
}

#[sqlx::test]
async fn wrong_current_passwords_are_limited_like_sign_ins(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = signed_in(&app, "crss.lecteur").await;
    let form = client.get("/account/password").await;
    let csrf = csrf_of(&form);
    let mut statuses = Vec::new();
    for guess in 0..30 {
        let page = client
            .post(
                "/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", &format!("guess-{guess}")),
                    ("new", "nouveau-secret"),
                    ("confirm", "nouveau-secret"),
                ],
            )
            .await;
        statuses.push(page.status);
    }
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!(wrong, 5, "five guesses checked: {statuses:?}");
    assert!(statuses[5..]
        .iter()
        .all(|s| *s == StatusCode::TOO_MANY_REQUESTS));

    // Even the right one is refused now, with when to retry.
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("current", DEMO_PASSWORD),
        ("new", "nouveau-secret"),
        ("confirm", "nouveau-secret"),
    ])
    .unwrap();
    let request = Request::builder()
        .method("POST")
        .uri("/account/password")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!(
                "{SESSION_COOKIE}={}",
                client.cookie(SESSION_COOKIE).unwrap()
            ),
        )
        .body(Body::from(body))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = response.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let page = scraper::Html::parse_document(&String::from_utf8_lossy(&bytes));
    let message = scraper::Selector::parse("#password-too-many").unwrap();
    let message: String = page.select(&message).flat_map(|e| e.text()).collect();
    assert!(
        message.starts_with("Trop d’essais du mot de passe actuel"),
        "{message}"
    );
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE login = 'crss.lecteur'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(suivi::passwords::verify(DEMO_PASSWORD, &hash), "unchanged");
    // The guesses count for signing in from here too.
    assert_eq!(
        Client::new(&app)
            .login("crss.lecteur", DEMO_PASSWORD)
            .await
            .status,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// An audit row of an account: user_id, action, object_id, agency_id, after.
type AccountAudit = (
    Option<i64>,
    String,
    Option<i64>,
    Option<i64>,
    Option<serde_json::Value>,
);

#[sqlx::test]
async fn the_command_line_audits_the_accounts_it_creates_and_the_passwords_it_sets(pool: PgPool) {
    let app = demo_app(&pool).await;
    let suivi_user = |args: &[&str], password: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_suivi"))
            .arg("user")
            .args(args)
            .env("DATABASE_URL", url_of(&pool))
            .env("SUIVI_PASSWORD", password)
            .env("SUIVI_LANG", "en")
            .env("SUIVI_LOG", "warn")
            .output()
            .unwrap()
    };
    let rows = || async {
        sqlx::query_as::<_, AccountAudit>(
            "SELECT user_id, action, object_id, agency_id, after FROM audit_log \
             WHERE object_type = 'user' ORDER BY id",
        )
        .fetch_all(&pool)
        .await
        .unwrap()
    };
    assert!(rows().await.is_empty(), "the demo writes no account rows");

    let output = suivi_user(
        &[
            "add",
            "cli.agent",
            "--name",
            "Agent console",
            "--role",
            "ANASER:editor",
        ],
        "depuis-la-console",
    );
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "account cli.agent created\n"
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'cli.agent'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let anaser = agency_id(&pool, "ANASER").await;
    let created = serde_json::json!({
        "login": "cli.agent",
        "display_name": "Agent console",
        "is_admin": false,
        "disabled": false,
        "via": "cli",
    });
    let granted = serde_json::json!({
        "login": "cli.agent",
        "agency_code": "ANASER",
        "role": "editor",
        "via": "cli",
    });
    assert_eq!(
        rows().await,
        [
            (None, "user.create".into(), Some(id), None, Some(created)),
            (
                None,
                "user.role_grant".into(),
                Some(id),
                Some(anaser),
                Some(granted)
            ),
        ],
        "no account to name, and `via: cli`"
    );

    let output = suivi_user(&["set-password", "cli.agent"], "encore-la-console");
    assert!(output.status.success(), "{output:?}");
    let password_changed = serde_json::json!({ "via": "cli" });
    assert_eq!(
        rows().await.pop(),
        Some((
            None,
            "user.password_changed".into(),
            Some(id),
            None,
            Some(password_changed)
        ))
    );
    assert_eq!(
        Client::new(&app)
            .login("cli.agent", "encore-la-console")
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // The audit page shows them as the system's, with the `via` field.
    let page = signed_in(&app, "admin")
        .await
        .get("/admin/audit?kind=user")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attrs("#audit tr[data-action]", "data-action"),
        ["user.password_changed", "user.role_grant", "user.create"]
    );
    assert_eq!(
        page.texts("#audit td[data-field=who]"),
        ["Système", "Système", "Système"]
    );
    assert_eq!(
        page.texts(r#"#audit tr[data-action="user.create"] tr[data-name="via"] td.after"#),
        ["cli"]
    );
}
