//! The JSON API (issue 15): its figures are the pages' figures, tokens
//! (another agency's refused, revoked and expired ones not accepted, use
//! counted, rate-limited), bad input answered as problem+json in the
//! reader's language and never a 500, the write path under the form's
//! rules (stale base, frozen period, audit), the token page, and the
//! OpenAPI document with every example in it checked. Who may call each
//! endpoint is in the authorization matrix.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use suivi::store::api_tokens::{RateLimit, Scope};
use suivi::web::{self, AppState, WebConfig};

use crate::common::*;

const PROBLEM: &str = "application/problem+json";

fn is_problem(answer: &ApiAnswer) -> bool {
    answer.content_type.starts_with(PROBLEM)
        && answer.json["status"] == json!(answer.status.as_u16())
        && answer.json["detail"].is_string()
        && answer.json["title"].is_string()
}

/// The first activity of ANASER's PAP 2025 in the demo.
async fn first_activity(pool: &PgPool) -> i64 {
    let plan = plan_id(pool, "ANASER", "PAP-2025").await;
    sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1")
        .bind(plan)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn latest_recorded(pool: &PgPool, activity: i64) -> Option<i64> {
    sqlx::query_scalar("SELECT max(id) FROM progress_updates WHERE activity_id = $1")
        .bind(activity)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn the_api_figures_are_the_pages_figures(pool: PgPool) {
    let app = demo_app(&pool).await;
    let token = api_token(&pool, "anaser.ca", Scope::Read).await;
    let session = session_id(&pool, "ANASER", 30).await;

    let answer = api_call(
        &app,
        "GET",
        &format!("/api/v1/sessions/{session}"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
    assert!(answer.content_type.starts_with("application/json"));
    let figures = &answer.json["reviewed"]["figures"];
    assert_eq!(figures["done"], 32);
    assert_eq!(figures["planned"], 49);
    assert_eq!(figures["above_target"], 10);
    assert_eq!(
        figures["execution_rate"],
        json!({"numerator": 32, "denominator": 49, "percent": 65})
    );
    assert_eq!(figures["budget"]["currency"], "XOF");
    assert!(answer.json["seal"]["digest"]
        .as_str()
        .is_some_and(|d| d.len() == 128));
    assert_eq!(answer.json["sealed"], true);
    assert_eq!(answer.json["cutoff"], "2025-11-30");

    // The session page shows the same figures.
    let mut board = signed_in(&app, "anaser.ca").await;
    let page = board.get(&format!("/sessions/{session}")).await;
    assert_eq!(page.text("#headline [data-figure=done]"), "32");
    assert_eq!(page.text("#headline [data-figure=planned]"), "49");
    assert_eq!(page.text("#headline [data-figure=above-target]"), "10");
    let shown_rate = page.text("#headline [data-figure=execution-rate]");
    assert!(shown_rate.starts_with("65"), "{shown_rate}");
    let percent = figures["budget_execution_rate"]["percent"]
        .as_i64()
        .unwrap();
    let shown_budget = page.text("#headline [data-figure=budget-rate]");
    assert!(
        shown_budget.starts_with(&format!("{percent}")),
        "{shown_budget} vs {percent}"
    );

    // The plan read as of the cutoff, by its codes, gives the same headline.
    let plan = api_call(
        &app,
        "GET",
        "/api/v1/plans/ANASER:PAP-2025?as_of=2025-11-30",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
    assert_eq!(
        plan.json["figures"]["execution_rate"],
        figures["execution_rate"]
    );
    assert_eq!(plan.json["figures"]["above_target"], 10);
    let nodes = plan.json["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty());
    let roots: u64 = nodes
        .iter()
        .filter(|n| n["parent_id"].is_null())
        .map(|n| n["figures"]["planned"].as_u64().unwrap())
        .sum();
    assert_eq!(roots, 49, "the roots' figures cover every activity");

    let activities = api_call(
        &app,
        "GET",
        "/api/v1/plans/ANASER:PAP-2025/activities?as_of=2025-11-30",
        Some(&token),
        None,
        None,
    )
    .await;
    let list = activities.json.as_array().unwrap();
    assert_eq!(list.len(), 49);
    assert_eq!(list.iter().filter(|a| a["status"] == "done").count(), 32);
    assert_eq!(
        list.iter().filter(|a| a["above_target"] == true).count(),
        10
    );

    // The consolidated figures of the year include ANASER's plan as the
    // home page counts it.
    let year = api_call(
        &app,
        "GET",
        "/api/v1/figures/2025",
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(year.status, StatusCode::OK, "{}", year.text);
    let anaser = year.json["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agency_code"] == "ANASER")
        .cloned()
        .unwrap();
    assert!(anaser["figures"]["planned"].as_u64().unwrap() >= 49);
    let home = board.get("/?year=2025").await;
    let home_done = home.text("tr[data-agency=ANASER] [data-figure=done]");
    if !home_done.is_empty() {
        assert_eq!(home_done, anaser["figures"]["done"].to_string());
    }
}

#[sqlx::test]
async fn tokens_carry_their_users_rights_and_no_more(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let uri = format!("/api/v1/sessions/{session}");

    // A token of an account of another agency: 403, naming nothing.
    let crss = api_token(&pool, "crss.lecteur", Scope::Write).await;
    let refused = api_call(&app, "GET", &uri, Some(&crss), None, None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(is_problem(&refused), "{}", refused.text);
    assert!(!refused.text.contains("ANASER") && !refused.text.contains("sécurité routière"));
    let agencies = api_call(&app, "GET", "/api/v1/agencies", Some(&crss), None, None).await;
    let codes: Vec<&str> = agencies
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"CRSS") && !codes.contains(&"ANASER"),
        "{codes:?}"
    );

    // No token, a made-up one, a revoked one, an expired one: 401.
    let token = api_token(&pool, "anaser.ca", Scope::Read).await;
    assert_eq!(
        api_call(&app, "GET", &uri, Some(&token), None, None)
            .await
            .status,
        StatusCode::OK
    );
    for bad in [None, Some("suivi_0000"), Some("")] {
        let answer = api_call(&app, "GET", &uri, bad, None, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{bad:?}");
        assert!(is_problem(&answer));
        assert!(answer.headers.contains_key("www-authenticate"));
    }
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap();
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(suivi::store::api_tokens::revoke(&pool, id, admin)
        .await
        .unwrap());
    let revoked = api_call(&app, "GET", &uri, Some(&token), None, None).await;
    assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);

    let expiring = api_token(&pool, "anaser.ca", Scope::Read).await;
    assert_eq!(
        api_call(&app, "GET", &uri, Some(&expiring), None, None)
            .await
            .status,
        StatusCode::OK
    );
    sqlx::query(
        "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE revoked_at IS NULL",
    )
    .execute(&pool)
    .await
    .unwrap();
    let expired = api_call(&app, "GET", &uri, Some(&expiring), None, Some("en")).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert!(
        expired.json["detail"].as_str().unwrap().contains("expired"),
        "{}",
        expired.text
    );

    // Each use counted on the token's row; the audit log has its creation.
    let (uses, last_used): (i64, Option<chrono::DateTime<chrono::Utc>>) =
        sqlx::query_as("SELECT use_count, last_used_at FROM api_tokens ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(uses, 1, "the expired request is no use");
    assert!(last_used.is_some());
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'api_token.create'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(created, 3);
}

#[sqlx::test]
async fn tokens_are_rate_limited_with_retry_after(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let app = web::app(AppState::new(
        pool.clone(),
        WebConfig {
            today: Some(today()),
            api_rate_limit: RateLimit {
                requests: 3,
                window_seconds: 3600,
            },
            ..WebConfig::default()
        },
    ));
    let token = api_token(&pool, "anaser.ca", Scope::Read).await;
    let other = api_token(&pool, "anaser.editeur", Scope::Read).await;
    for _ in 0..3 {
        assert_eq!(
            api_call(&app, "GET", "/api/v1/agencies", Some(&token), None, None)
                .await
                .status,
            StatusCode::OK
        );
    }
    let limited = api_call(&app, "GET", "/api/v1/agencies", Some(&token), None, None).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(is_problem(&limited));
    let wait: i64 = limited.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    // Per token: another one is not held back.
    assert_eq!(
        api_call(&app, "GET", "/api/v1/agencies", Some(&other), None, None)
            .await
            .status,
        StatusCode::OK
    );
    // A new window (its start moved back past its length) lets it through.
    sqlx::query("UPDATE api_tokens SET window_started_at = now() - interval '2 hours'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        api_call(&app, "GET", "/api/v1/agencies", Some(&token), None, None)
            .await
            .status,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn bad_input_is_a_problem_in_the_readers_language_never_a_500(pool: PgPool) {
    let app = demo_app(&pool).await;
    let token = api_token(&pool, "anaser.editeur", Scope::Write).await;
    let activity = first_activity(&pool).await;
    let base = latest_recorded(&pool, activity).await;
    let progress = format!("/api/v1/activities/{activity}/progress");
    let gets = [
        "/api/v1/plans/ANASER:PAP-2025?as_of=2025-13-45",
        "/api/v1/plans/ANASER:PAP-2025?as_of=hier",
        "/api/v1/plans/PAP-2025",
        "/api/v1/plans/ANASER:NOPE",
        "/api/v1/plans/0",
        "/api/v1/plans/99999999999999999999999",
        "/api/v1/activities/abc",
        "/api/v1/activities/-4",
        "/api/v1/agencies/NOPE",
        "/api/v1/sessions/1e9",
        "/api/v1/figures/deux-mille",
        "/api/v1/figures/2025?as_of=2024-01-01",
        "/api/v1/nothing/here",
        "/api/v1/plans/%FF",
    ];
    for uri in gets {
        let answer = api_call(&app, "GET", uri, Some(&token), None, None).await;
        assert!(
            answer.status.is_client_error(),
            "{uri} -> {}",
            answer.status
        );
        assert!(is_problem(&answer), "{uri}: {}", answer.text);
    }
    let writes_before: i64 = sqlx::query_scalar("SELECT count(*) FROM progress_updates")
        .fetch_one(&pool)
        .await
        .unwrap();
    let bodies = [
        json!("not an object"),
        json!({"status": "done"}),
        json!({"base": "x", "as_of": "2025-12-20", "status": "done"}),
        json!({"base": base, "as_of": "2025-12-20", "status": "finished"}),
        json!({"base": base, "as_of": "2030-01-01", "status": "done"}),
        json!({"base": base, "as_of": "2025-12-20", "status": "done", "achieved": "-3"}),
        json!({"base": base, "as_of": "2025-12-20", "status": "done", "spent": -5}),
        json!({"base": base, "as_of": "2025-12-20", "status": "done", "achieved": 1e300}),
        json!({"base": base, "as_of": "2025-12-20", "status": "done", "comment": "x".repeat(2001)}),
        json!({"base": base, "as_of": "2025-12-20\u{0}", "status": "done"}),
        json!({"base": base, "as_of": "2025-12-20", "status": "done", "comment": "a\u{0}b"}),
    ];
    for body in &bodies {
        let answer = api_call(&app, "POST", &progress, Some(&token), Some(body), None).await;
        assert!(
            answer.status.is_client_error(),
            "{body} -> {} {}",
            answer.status,
            answer.text
        );
        assert!(is_problem(&answer), "{body}: {}", answer.text);
    }
    // Not JSON at all, or no body.
    let answer = api_call(&app, "POST", &progress, Some(&token), None, None).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(is_problem(&answer));
    let writes_after: i64 = sqlx::query_scalar("SELECT count(*) FROM progress_updates")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(writes_before, writes_after, "nothing written");

    // The same messages as the form, in French by default and in English.
    let future = json!({"base": base, "as_of": "2030-01-01", "status": "done"});
    let fr = api_call(&app, "POST", &progress, Some(&token), Some(&future), None).await;
    assert_eq!(fr.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fr.json["errors"][0]["field"], "as_of");
    assert_eq!(fr.json["errors"][0]["code"], "error.progress.future");
    assert_eq!(
        fr.json["errors"][0]["detail"],
        suivi::i18n::Lang::Fr.t("error.progress.future").as_ref()
    );
    let en = api_call(
        &app,
        "POST",
        &progress,
        Some(&token),
        Some(&future),
        Some("en-GB,en;q=0.9"),
    )
    .await;
    assert_eq!(
        en.json["errors"][0]["detail"],
        suivi::i18n::Lang::En.t("error.progress.future").as_ref()
    );
    assert_eq!(en.headers["content-language"], "en");
    let outside = json!({"base": base, "as_of": "2024-06-30", "status": "done"});
    let years = api_call(&app, "POST", &progress, Some(&token), Some(&outside), None).await;
    assert!(
        years.json["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("2025"),
        "{}",
        years.text
    );
}

#[sqlx::test]
async fn recording_progress_follows_the_forms_rules(pool: PgPool) {
    let app = demo_app(&pool).await;
    let writer = api_token(&pool, "anaser.editeur", Scope::Write).await;
    let reader = api_token(&pool, "anaser.editeur", Scope::Read).await;
    let board = api_token(&pool, "anaser.ca", Scope::Write).await;
    let activity = first_activity(&pool).await;
    let base = latest_recorded(&pool, activity).await;
    let uri = format!("/api/v1/activities/{activity}/progress");
    let update = json!({
        "base": base, "as_of": "2025-12-20", "status": "in_progress",
        "achieved": 3.5, "spent": 1500000, "comment": "Saisi par l'API"
    });

    // A read-only token, or a board member's: 403, nothing written.
    for token in [&reader, &board] {
        let refused = api_call(&app, "POST", &uri, Some(token), Some(&update), None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text);
        assert!(is_problem(&refused));
    }
    assert_eq!(latest_recorded(&pool, activity).await, base);

    // Recorded, audited in the same transaction.
    let saved = api_call(&app, "POST", &uri, Some(&writer), Some(&update), None).await;
    assert_eq!(saved.status, StatusCode::CREATED, "{}", saved.text);
    assert_eq!(saved.json["achieved"], "3.5");
    assert_eq!(
        saved.json["spent"],
        json!({"amount": 1500000, "currency": "XOF"})
    );
    let id = saved.json["id"].as_i64().unwrap();
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'progress.record' AND object_id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let read = api_call(
        &app,
        "GET",
        &format!("/api/v1/activities/{activity}?as_of=2025-12-20"),
        Some(&reader),
        None,
        None,
    )
    .await;
    assert_eq!(read.json["latest_recorded_id"], id);
    // ANASER's updates wait for its M&E unit, as from the form: not
    // counted until validated.
    assert_eq!(saved.json["review"], "submitted");
    assert_ne!(read.json["update_id"], id);

    // The same body again: its base is stale now. 409 with both versions.
    let stale = api_call(&app, "POST", &uri, Some(&writer), Some(&update), None).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert!(is_problem(&stale));
    assert_eq!(stale.json["latest"]["id"], id);
    assert_eq!(stale.json["yours"]["comment"], "Saisi par l'API");
    assert_eq!(latest_recorded(&pool, activity).await, Some(id));

    // Dated within the held 30th session's figures: frozen, refused.
    let frozen = json!({"base": id, "as_of": "2025-11-15", "status": "done"});
    let refused = api_call(&app, "POST", &uri, Some(&writer), Some(&frozen), None).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.text
    );
    assert_eq!(refused.json["errors"][0]["code"], "error.progress.frozen");
    assert_eq!(latest_recorded(&pool, activity).await, Some(id));

    // An indicator value, through the structure editor's checks, audited.
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let indicator: i64 =
        sqlx::query_scalar("SELECT id FROM indicators WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let values = format!("/api/v1/indicators/{indicator}/values");
    let bad = api_call(
        &app,
        "POST",
        &values,
        Some(&writer),
        Some(&json!({"period_label": "", "period_end": "2025-02-30", "value": "-1"})),
        None,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    assert_eq!(bad.json["errors"].as_array().unwrap().len(), 3);
    let set = api_call(
        &app,
        "POST",
        &values,
        Some(&writer),
        Some(&json!({"period_label": "T4 2025", "period_end": "2025-12-31", "value": 12.5})),
        None,
    )
    .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.text);
    assert_eq!(
        set.json["current"],
        json!({"period_end": "2025-12-31", "value": "12.5"})
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'indicator.value' AND object_id = $1",
    )
    .bind(indicator)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test]
async fn a_token_is_made_on_the_account_page_shown_once_and_revoked_there(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let page = editor.get("/account/tokens").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = csrf_of(&page);
    let refused = editor
        .post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("label", "Script"),
                ("scope", "all"),
                ("days", "1000"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.attrs(".field-error", "data-field"),
        ["scope", "days"]
    );

    let created = editor
        .post(
            "/account/tokens",
            &[
                ("csrf", &csrf),
                ("label", "Synchronisation"),
                ("scope", "write"),
                ("days", "30"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK);
    let secret = created.text("#token-secret");
    assert!(
        secret.starts_with("suivi_") && secret.len() == 70,
        "{secret}"
    );
    // Kept hashed: the secret is nowhere in the database.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_ne!(stored, secret.as_bytes());
    let audit: String =
        sqlx::query_scalar("SELECT after::text FROM audit_log WHERE action = 'api_token.create'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!audit.contains(&secret[6..]));
    // Shown once.
    let again = editor.get("/account/tokens").await;
    assert!(!again.body.contains(&secret));
    assert_eq!(
        again.texts("#tokens tbody tr[data-token] td:first-child"),
        ["Synchronisation"]
    );

    assert_eq!(
        api_call(&app, "GET", "/api/v1/agencies", Some(&secret), None, None)
            .await
            .status,
        StatusCode::OK
    );
    let listed = editor.get("/account/tokens").await;
    assert_eq!(
        listed.text("#tokens tr[data-token] td:nth-child(6)"),
        "1",
        "its use is counted"
    );

    // Someone else may not revoke it; an admin may, and sees it.
    let id = listed.attrs("#tokens tr[data-token]", "data-token")[0].clone();
    let mut board = signed_in(&app, "anaser.ca").await;
    let board_page = board.get("/account/tokens").await;
    let refused = board
        .post(
            &format!("/account/tokens/{id}/revoke"),
            &[("csrf", &csrf_of(&board_page))],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut admin = signed_in(&app, "admin").await;
    let admin_page = admin.get("/account/tokens").await;
    assert_eq!(
        admin_page.attrs("#all-tokens tr[data-token]", "data-token"),
        std::slice::from_ref(&id)
    );
    let revoked = admin
        .post(
            &format!("/account/tokens/{id}/revoke"),
            &[("csrf", &csrf_of(&admin_page))],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(
        api_call(&app, "GET", "/api/v1/agencies", Some(&secret), None, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let mine = editor.get("/account/tokens").await;
    assert_eq!(
        mine.text("#tokens .token-state"),
        suivi::i18n::Lang::Fr.t("tokens.revoked").as_ref()
    );
}

/// Every `example` in the document, by its JSON pointer.
fn examples(value: &Value, pointer: String, found: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "example" {
                    found.push((here.clone(), inner.clone()));
                } else if key == "examples" && pointer.ends_with("properties") {
                    examples(inner, here, found);
                } else if key == "examples" {
                    for (i, example) in inner.as_array().into_iter().flatten().enumerate() {
                        found.push((format!("{here}/{i}"), example.clone()));
                    }
                } else {
                    examples(inner, here, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                examples(inner, format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

#[sqlx::test]
async fn the_openapi_document_describes_the_api_and_its_examples_hold(pool: PgPool) {
    let app = demo_app(&pool).await;
    let doc = api_call(&app, "GET", "/api/v1/openapi.json", None, None, None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc.json["paths"].as_object().unwrap();
    // Every route of the API is in the document, and nothing else.
    let mut routed: Vec<String> = routes_in_source()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    routed.sort();
    let mut documented: Vec<String> = paths
        .iter()
        .flat_map(|(path, item)| {
            ["get", "post"]
                .into_iter()
                .filter(|m| item.get(*m).is_some())
                .map(move |m| format!("{} {path}", m.to_uppercase()))
        })
        .collect();
    documented.sort();
    assert_eq!(routed, documented);

    let mut found = Vec::new();
    examples(&doc.json, String::new(), &mut found);
    // The schemas' examples here; the parameters' below.
    let pointers: Vec<&str> = found
        .iter()
        .map(|(p, _)| p.as_str())
        .filter(|p| p.starts_with("/components/"))
        .collect();
    assert_eq!(
        pointers,
        [
            "/components/schemas/NewUpdate/example",
            "/components/schemas/NewValue/example",
            "/components/schemas/Rate/example",
        ],
        "a new example needs its check here"
    );
    let example = |name: &str| {
        found
            .iter()
            .find(|(p, _)| p.contains(name))
            .unwrap()
            .1
            .clone()
    };

    // The rate's example is the 30th session's execution rate.
    let token = api_token(&pool, "anaser.editeur", Scope::Write).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let answer = api_call(
        &app,
        "GET",
        &format!("/api/v1/sessions/{session}"),
        Some(&token),
        None,
        None,
    )
    .await;
    assert_eq!(
        answer.json["reviewed"]["figures"]["execution_rate"],
        example("Rate")
    );

    // The update's example records as it is (base null) on an activity of
    // ANASER's PAP 2025 with no update yet.
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let fresh: i64 = sqlx::query_scalar(
        "SELECT a.id FROM activities a WHERE a.plan_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM progress_updates u WHERE u.activity_id = a.id) ORDER BY a.id LIMIT 1",
    )
    .bind(plan)
    .fetch_optional(&pool)
    .await
    .unwrap()
    .unwrap_or_else(|| panic!("the demo has an activity without updates"));
    let recorded = api_call(
        &app,
        "POST",
        &format!("/api/v1/activities/{fresh}/progress"),
        Some(&token),
        Some(&example("NewUpdate")),
        None,
    )
    .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.text);

    // The value's example is accepted on an indicator of the plan.
    let indicator: i64 =
        sqlx::query_scalar("SELECT id FROM indicators WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let saved = api_call(
        &app,
        "POST",
        &format!("/api/v1/indicators/{indicator}/values"),
        Some(&token),
        Some(&example("NewValue")),
        None,
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.text);

    // Every parameter has an example, and the examples name real rows: each
    // operation called with its parameters' examples (and its body's) answers,
    // a read with 200, a write with anything but "bad name" or "no such row".
    let mut called = Vec::new();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            if !["get", "post"].contains(&method.as_str()) {
                continue;
            }
            let mut uri = path.clone();
            let mut query = Vec::new();
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap();
                let text = match &parameter["example"] {
                    Value::String(text) => text.clone(),
                    Value::Null => panic!("{method} {path}: the parameter {name} has no example"),
                    other => other.to_string(),
                };
                match parameter["in"].as_str() {
                    Some("path") => uri = uri.replace(&format!("{{{name}}}"), &text),
                    Some("query") => query.push(format!("{name}={text}")),
                    other => panic!("{method} {path}: {name} in {other:?}"),
                }
            }
            if !query.is_empty() {
                uri = format!("{uri}?{}", query.join("&"));
            }
            let body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .map(|schema| example(schema.rsplit('/').next().unwrap()));
            let answer = api_call(
                &app,
                &method.to_uppercase(),
                &uri,
                Some(&token),
                body.as_ref(),
                None,
            )
            .await;
            let fine = match method.as_str() {
                "get" => answer.status == StatusCode::OK,
                _ => ![StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND].contains(&answer.status),
            };
            assert!(fine, "{method} {uri} -> {}: {}", answer.status, answer.text);
            called.push(format!("{method} {uri}"));
        }
    }
    assert!(
        called.contains(&"post /api/v1/indicators/ANASER:PAP-2025:IND1/values".to_owned()),
        "{called:?}"
    );
    assert!(
        called.contains(&"get /api/v1/sessions/ANASER:30".to_owned()),
        "{called:?}"
    );

    // The page for people links the document.
    let page = get(&app, "/api").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attrs("#openapi-link", "href"),
        ["/api/v1/openapi.json"]
    );
    assert!(page
        .texts(".endpoints code")
        .iter()
        .any(|e| e == "POST /api/v1/activities/{activity}/progress"));
}

#[sqlx::test]
async fn activities_and_sessions_are_named_by_their_codes_too(pool: PgPool) {
    let app = demo_app(&pool).await;
    let token = api_token(&pool, "anaser.ca", Scope::Read).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let get = |uri: String| {
        let (app, token) = (app.clone(), token.clone());
        async move { api_call(&app, "GET", &uri, Some(&token), None, Some("fr")).await }
    };

    // The 30th ordinary session, as the board names it, is the same session.
    let by_id = get(format!("/api/v1/sessions/{session}")).await;
    for name in ["ANASER:30", "ANASER:ordinary:30"] {
        let by_code = get(format!("/api/v1/sessions/{name}")).await;
        assert_eq!(by_code.status, StatusCode::OK, "{name}: {}", by_code.text);
        assert_eq!(by_code.json["id"], by_id.json["id"], "{name}");
        assert_eq!(by_code.json["reviewed"]["figures"]["done"], 32);
    }
    // An extraordinary 30th session does not exist, and a malformed name is
    // a 400 that says how to name one.
    assert_eq!(
        get("/api/v1/sessions/ANASER:extraordinary:30".into())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    for bad in ["ANASER:trentième", "ANASER:0", "ANASER:special:3", "ANASER"] {
        let answer = get(format!("/api/v1/sessions/{bad}")).await;
        assert_eq!(
            answer.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            answer.text
        );
        assert!(is_problem(&answer));
        assert!(answer.text.contains("ANASER:30"), "{bad}: {}", answer.text);
    }

    // An activity by agency, plan and activity code: the one with that code.
    let id: i64 = sqlx::query_scalar(
        "SELECT a.id FROM activities a JOIN plans pl ON pl.id = a.plan_id \
         WHERE pl.code = 'PAP-2025' AND a.code = 'A1.01'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let by_code = get("/api/v1/activities/ANASER:PAP-2025:A1.01?as_of=2025-11-30".into()).await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.text);
    assert_eq!(by_code.json["id"], id);
    assert_eq!(by_code.json["code"], "A1.01");
    let by_id = get(format!("/api/v1/activities/{id}?as_of=2025-11-30")).await;
    assert_eq!(by_code.json, by_id.json);
    assert_eq!(
        get("/api/v1/activities/ANASER:PAP-2025:Z9.99".into())
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let bad = get("/api/v1/activities/A1.01".into()).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.text);
    assert!(bad.text.contains("AGENCE:PLAN:CODE"), "{}", bad.text);
}

#[sqlx::test]
async fn indicators_plans_and_agencies_are_named_by_their_codes_too(pool: PgPool) {
    let app = demo_app(&pool).await;
    let writer = api_token(&pool, "anaser.editeur", Scope::Write).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let (indicator, code): (i64, String) = sqlx::query_as(
        "SELECT id, code FROM indicators WHERE plan_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let value = json!({"period_label": "T4 2025", "period_end": "2025-12-31", "value": "7"});
    let post = |uri: String| {
        let (app, writer, value) = (app.clone(), writer.clone(), value.clone());
        async move { api_call(&app, "POST", &uri, Some(&writer), Some(&value), Some("fr")).await }
    };

    // The indicator by agency, plan and its code is the one with that id.
    let by_code = post(format!("/api/v1/indicators/ANASER:PAP-2025:{code}/values")).await;
    assert_eq!(by_code.status, StatusCode::OK, "{}", by_code.text);
    assert_eq!(by_code.json["id"], indicator);
    assert_eq!(by_code.json["code"], code.as_str());
    let by_id = post(format!("/api/v1/indicators/{indicator}/values")).await;
    assert_eq!(by_id.json, by_code.json);
    let written: Vec<String> = sqlx::query_scalar(
        "SELECT value::text FROM indicator_values WHERE indicator_id = $1 \
         AND period_end = '2025-12-31'",
    )
    .bind(indicator)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(written, ["7.000"], "one value, entered by either name");

    // No such code: 404; a name that is not one: 400 saying how to name one.
    let unknown = post("/api/v1/indicators/ANASER:PAP-2025:NOPE/values".into()).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "{}", unknown.text);
    for bad in ["IND1", "ANASER:IND1", "ANASER:PAP-2025:"] {
        let answer = post(format!("/api/v1/indicators/{bad}/values")).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(is_problem(&answer));
        assert!(answer.text.contains("AGENCE:PLAN:CODE"), "{}", answer.text);
    }
    // Another agency's indicator by its codes: 403, as by its id.
    let (crss_plan, crss_indicator): (String, String) = sqlx::query_as(
        "SELECT pl.code, i.code FROM indicators i JOIN plans pl ON pl.id = i.plan_id \
         JOIN agencies g ON g.id = pl.agency_id WHERE g.code = 'CRSS' ORDER BY i.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let other = post(format!(
        "/api/v1/indicators/CRSS:{crss_plan}:{crss_indicator}/values"
    ))
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.text);

    // A plan and an agency by their codes are the same as by their ids.
    for (by_code, by_id) in [
        (
            "/api/v1/plans/ANASER:PAP-2025?as_of=2025-11-30".to_owned(),
            format!("/api/v1/plans/{plan}?as_of=2025-11-30"),
        ),
        (
            "/api/v1/agencies/ANASER".to_owned(),
            format!("/api/v1/agencies/{}", agency_id(&pool, "ANASER").await),
        ),
    ] {
        let code = api_call(&app, "GET", &by_code, Some(&writer), None, None).await;
        let id = api_call(&app, "GET", &by_id, Some(&writer), None, None).await;
        assert_eq!(code.status, StatusCode::OK, "{by_code}: {}", code.text);
        assert_eq!(code.json, id.json, "{by_code}");
    }
}
