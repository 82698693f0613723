//! Accounts through the router: signing in and out, sessions kept in
//! PostgreSQL, CSRF tokens, changing one's password.

mod common;

use axum::http::StatusCode;
use common::*;
use sqlx::PgPool;
use suivi::web::SESSION_COOKIE;

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

#[sqlx::test]
async fn the_session_cookie_is_http_only_and_lax(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = Client::new(&app);
    let form = client.get("/login").await;
    let csrf = csrf_of(&form);
    let response = {
        use axum::body::Body;
        use axum::http::{header, Request};
        use tower::ServiceExt;
        let body = serde_urlencoded::to_string([
            ("csrf", csrf.as_str()),
            ("login", "admin"),
            ("password", DEMO_PASSWORD),
        ])
        .unwrap();
        let request = Request::builder()
            .method("POST")
            .uri("/login")
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
        app.clone().oneshot(request).await.unwrap()
    };
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get(header_name())
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.starts_with(&format!("{SESSION_COOKIE}=")),
        "{cookie}"
    );
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "not Secure unless configured");
}

fn header_name() -> axum::http::HeaderName {
    axum::http::header::SET_COOKIE
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
