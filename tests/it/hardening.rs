//! What an attacker, or an unlucky paste, sends: NUL bytes, dates PostgreSQL
//! cannot store, CR/LF in redirect targets, amounts that would wrap a total,
//! cross-site posts. Each answer is a 4xx page in the reader's language with
//! nothing written, never a 500. Also the headers every response carries.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;
use suivi::web::{self, AppState, WebConfig};

async fn first_activity(pool: &PgPool) -> i64 {
    let plan = plan_id(pool, "ANASER", "PAP-2026").await;
    sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY position, id LIMIT 1")
        .bind(plan)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The progress form of an activity, filled in validly, with one field replaced.
async fn progress_form(
    client: &mut Client,
    activity: i64,
    field: &str,
    value: &str,
) -> Vec<(String, String)> {
    let page = client.get(&format!("/activities/{activity}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let base = page.attrs("#progress input[name=base]", "value")[0].clone();
    let mut fields = vec![
        ("csrf".to_owned(), csrf_of(&page)),
        ("base".to_owned(), base),
        ("status".to_owned(), "in_progress".to_owned()),
        ("achieved".to_owned(), "3".to_owned()),
        ("spent".to_owned(), "1 500 000".to_owned()),
        ("as_of".to_owned(), "2026-11-20".to_owned()),
        ("comment".to_owned(), "Atelier tenu à Kayes".to_owned()),
    ];
    for (name, old) in &mut fields {
        if name == field {
            *old = value.to_owned();
        }
    }
    fields
}

#[sqlx::test]
async fn nul_bytes_in_urls_are_refused_before_any_database_work(pool: PgPool) {
    let app = demo_app(&pool).await;
    // Anonymous, then signed in: both a 400 page in French, not a 500.
    let anonymous = get(&app, "/agencies/%00").await;
    assert_eq!(anonymous.status, StatusCode::BAD_REQUEST);
    assert!(anonymous.text(".message").contains("caractère nul"));
    let mut viewer = signed_in(&app, "anaser.ca").await;
    for uri in [
        "/agencies/ANASER%00",
        "/agencies/ANASER/report/2025.csv?table=%00",
        "/plans/1?as_of=2025-11-30%00",
        "/admin/audit?actor=%00",
    ] {
        let page = viewer.get(uri).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[sqlx::test]
async fn nul_bytes_in_forms_name_the_field_and_write_nothing(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let updates = count(&pool, "progress_updates").await;
    let audit = count(&pool, "audit_log").await;
    let fields = progress_form(&mut editor, activity, "comment", "Atelier\0tenu").await;
    let refused = editor
        .post_values(&format!("/activities/{activity}/progress"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.text(".message").contains("« comment »"),
        "{}",
        refused.text(".message")
    );
    assert_eq!(count(&pool, "progress_updates").await, updates);
    assert_eq!(count(&pool, "audit_log").await, audit);

    // The login form, anonymously: a NUL in the login is no 500 either.
    let mut anonymous = Client::new(&app);
    let form = anonymous.get("/login").await;
    let csrf = csrf_of(&form);
    let page = anonymous
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("login", "admin\0"),
                ("password", "x"),
                ("next", "/"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.text(".message").contains("« login »"));
}

#[sqlx::test]
async fn dates_postgres_cannot_store_are_refused_at_parsing(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let mut admin = signed_in(&app, "admin").await;
    for uri in [
        format!("/plans/{plan}?as_of=-5000-01-01"),
        format!("/plans/{plan}?as_of=99999-01-01"),
        format!("/plans/{plan}/activities?as_of=294277-01-01"),
        "/admin/audit?from=-5000-01-01".to_owned(),
        "/admin/audit?to=300000-12-31".to_owned(),
        "/agencies/ANASER/report/2025.csv?as_of=-4714-11-24".to_owned(),
    ] {
        let page = admin.get(&uri).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(page.text(".message").contains("AAAA-MM-JJ"), "{uri}");
    }

    let activity = first_activity(&pool).await;
    let updates = count(&pool, "progress_updates").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let fields = progress_form(&mut editor, activity, "as_of", "-5000-01-01").await;
    let refused = editor
        .post_values(&format!("/activities/{activity}/progress"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&pool, "progress_updates").await, updates);
}

#[sqlx::test]
async fn redirect_targets_never_carry_a_line_break(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = Client::new(&app);
    let page = client
        .get("/lang/en?next=/%0d%0aSet-Cookie:%20planted=1")
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/"));
    assert_eq!(client.cookie("planted"), None);

    // A correct login with a poisoned `next` still signs in, and lands home.
    let mut person = Client::new(&app);
    let form = person.get("/login").await;
    let csrf = csrf_of(&form);
    let page = person
        .post(
            "/login",
            &[
                ("csrf", &csrf),
                ("login", "anaser.ca"),
                ("password", DEMO_PASSWORD),
                ("next", "/agencies\r\nSet-Cookie: planted=1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/"));
    assert_eq!(person.get("/agencies/ANASER").await.status, StatusCode::OK);
}

#[sqlx::test]
async fn amounts_that_would_wrap_a_total_are_refused(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let total_before = editor.get(&format!("/plans/{plan}")).await.body;
    let updates = count(&pool, "progress_updates").await;

    let fields = progress_form(&mut editor, activity, "spent", "9223372036854775807").await;
    let refused = editor
        .post_values(&format!("/activities/{activity}/progress"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("1 000 000 000 000 000 au plus"));
    assert_eq!(count(&pool, "progress_updates").await, updates);

    // The budget, on the structure editor's activity form.
    let edit = editor.get(&format!("/activities/{activity}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let fields = edit.form_values(
        &[
            "csrf",
            "node",
            "code",
            "title",
            "unit",
            "target",
            "budget",
            "responsible_unit",
            "region",
            "planned_start",
            "planned_end",
        ],
        &[("budget", "9 223 372 036 854 775 807")],
    );
    let refused = editor
        .post_values(&format!("/activities/{activity}/edit"), &fields)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("1 000 000 000 000 000 au plus"));
    let budget: i64 = sqlx::query_scalar("SELECT budget FROM activities WHERE id = $1")
        .bind(activity)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(budget < 1_000_000_000_000_000);
    assert_eq!(
        editor.get(&format!("/plans/{plan}")).await.body,
        total_before
    );
}

#[sqlx::test]
async fn private_pages_are_never_stored_and_policies_are_sent(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let mut viewer = signed_in(&app, "anaser.ca").await;
    for uri in [
        format!("/plans/{plan}"),
        format!("/plans/{plan}/export"),
        "/agencies/ANASER/report/2025.csv".to_owned(),
    ] {
        let response = raw_get(&mut viewer, &uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let cache = response
            .headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(cache.as_deref(), Some("private, no-store"), "{uri}");
        assert!(
            response.headers().contains_key("permissions-policy"),
            "{uri}"
        );
        // Plain HTTP (no --secure-cookies): no HSTS, which would lock a test
        // server out of browsers for a year.
        assert!(!response.headers().contains_key("strict-transport-security"));
    }
    let stylesheet = raw_get(&mut viewer, "/static/suivi.css").await;
    assert_eq!(
        stylesheet.headers().get("cache-control").unwrap(),
        "public, max-age=3600"
    );
}

/// Plan codes are free text (the schema checks only their length): whatever
/// one holds, the name of a download stays inside its header.
#[sqlx::test]
async fn a_plan_code_with_quotes_semicolons_and_accents_exports_under_a_safe_name(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    sqlx::query("UPDATE plans SET code = $1 WHERE id = $2")
        .bind("PAP\"2025; é=x")
        .bind(plan)
        .execute(&pool)
        .await
        .unwrap();
    let mut viewer = signed_in(&app, "anaser.ca").await;
    for extension in ["csv", "xlsx"] {
        let uri = format!("/plans/{plan}/export?format={extension}");
        let response = raw_get(&mut viewer, &uri).await;
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header("content-disposition").as_deref(),
            Some(format!("attachment; filename=\"PAP_2025____x-2026-11-25.{extension}\"").as_str()),
            "{uri}"
        );
        assert_eq!(
            header("cache-control").as_deref(),
            Some("private, no-store")
        );
    }
}

async fn raw_get(client: &mut Client, uri: &str) -> axum::http::Response<axum::body::Body> {
    use tower::ServiceExt;
    let cookies = client.cookie_header();
    client
        .app
        .clone()
        .oneshot(
            axum::http::Request::builder()
                .uri(uri)
                .header("cookie", cookies)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap()
}

#[sqlx::test]
async fn over_https_every_cookie_is_secure_and_hsts_is_sent(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let app = web::app(AppState::new(
        pool.clone(),
        WebConfig {
            today: Some(today()),
            secure_cookies: true,
            ..WebConfig::default()
        },
    ));
    let response = {
        use tower::ServiceExt;
        app.clone()
            .oneshot(
                axum::http::Request::builder()
                    .uri("/lang/en?next=/login")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
    };
    let cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(cookie.starts_with("suivi_lang=en"), "{cookie}");
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(
        response.headers().get("strict-transport-security").unwrap(),
        "max-age=31536000"
    );
}

#[sqlx::test]
async fn a_cross_site_post_is_refused_even_with_a_valid_token(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let updates = count(&pool, "progress_updates").await;
    let fields = progress_form(&mut editor, activity, "comment", "forged").await;
    let body = serde_urlencoded::to_string(&fields).unwrap();
    let page = editor
        .send_request(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("/activities/{activity}/progress"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .header("origin", "https://evil.example")
                .body(axum::body::Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.content_type.starts_with("text/html"));
    assert_eq!(count(&pool, "progress_updates").await, updates);

    // The same form from the site itself goes through.
    let page = editor
        .send_request(
            axum::http::Request::builder()
                .method("POST")
                .uri(format!("/activities/{activity}/progress"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(axum::body::Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(count(&pool, "progress_updates").await, updates + 1);
}

#[sqlx::test]
async fn a_form_past_the_body_limit_is_the_french_413_page(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let updates = count(&pool, "progress_updates").await;
    let huge = "x".repeat(3 * 1024 * 1024);
    let fields = progress_form(&mut editor, activity, "comment", &huge).await;
    let body = serde_urlencoded::to_string(&fields).unwrap();
    // Streamed (no length said up front), then with its length declared.
    for declared in [false, true] {
        let mut request = axum::http::Request::builder()
            .method("POST")
            .uri(format!("/activities/{activity}/progress"))
            .header("content-type", "application/x-www-form-urlencoded");
        if declared {
            request = request.header("content-length", body.len().to_string());
        }
        let page = editor
            .send_request(request.body(axum::body::Body::from(body.clone())).unwrap())
            .await;
        assert_eq!(
            page.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "declared: {declared}"
        );
        assert!(page.content_type.starts_with("text/html"));
        assert!(
            page.text("h1").contains("Envoi trop volumineux"),
            "declared: {declared}"
        );
    }
    assert_eq!(count(&pool, "progress_updates").await, updates);
}

#[sqlx::test]
async fn many_sign_ins_to_one_account_at_once_all_succeed(pool: PgPool) {
    // Each success clears the account's failures: without one lock for the
    // login, two at once updated the same rows in different orders.
    let app = demo_app(&pool).await;
    // Each attempt counts as a failure until it succeeds, so four at once
    // stay under the five a pair may have; each success clears the others'.
    let mut clients = Vec::new();
    for _ in 0..4 {
        let mut client = Client::new(&app);
        let csrf = csrf_of(&client.get("/login").await);
        clients.push((client, csrf));
    }
    let sign_ins = clients.into_iter().map(|(mut client, csrf)| async move {
        client
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("login", "anaser.ca"),
                    ("password", DEMO_PASSWORD),
                    ("next", "/"),
                ],
            )
            .await
            .status
    });
    for status in futures_util::future::join_all(sign_ins).await {
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}
