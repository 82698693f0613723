//! The public transparency pages: what an admin (or an editor, if allowed)
//! publishes is readable without signing in, with its open data; nothing
//! else is, and unpublishing takes it down at once. Public answers carry
//! `Cache-Control: public` and an ETag (304 on `If-None-Match`), name no
//! staff and are limited per address (429 with `Retry-After`).

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

use crate::common::*;
use suivi::web::{self, AppState, PublicRate, WebConfig};

/// An anonymous GET with its headers and body.
async fn fetch(
    app: &Router,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut request = Request::builder().uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

async fn publish(client: &mut Client, what: &str, publish: bool) -> Page {
    let page = client.get("/login").await;
    let csrf = csrf_of(&page);
    let value = if publish { "true" } else { "false" };
    client
        .post(
            &format!("{what}/publication"),
            &[("csrf", &csrf), ("publish", value)],
        )
        .await
}

fn text_of(body: &str, selector: &str) -> String {
    let page = Page {
        status: StatusCode::OK,
        content_type: String::new(),
        body: body.to_owned(),
        bytes: Vec::new(),
        location: None,
        disposition: None,
        etag: None,
        cache_control: None,
    };
    page.text(selector)
}

#[sqlx::test]
async fn a_published_session_and_plan_are_public_with_their_open_data_until_unpublished(
    pool: PgPool,
) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let session_uri = format!("/public/sessions/{session}");
    // The demo published both, from the command line: a newcomer's `/public`
    // is not empty.
    let by_demo: Vec<(String, Option<i64>, serde_json::Value)> = sqlx::query_as(
        "SELECT object_type, user_id, after FROM audit_log \
         WHERE action = 'publication.publish' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let types: Vec<&str> = by_demo.iter().map(|(t, _, _)| t.as_str()).collect();
    assert_eq!(types, ["plan", "board_session"]);
    assert!(by_demo
        .iter()
        .all(|(_, user, after)| user.is_none() && after["via"] == "cli"));
    assert_eq!(fetch(&app, &session_uri, &[]).await.0, StatusCode::OK);

    // An admin takes them off, then publishes them again.
    let mut admin = signed_in(&app, "admin").await;
    for what in [format!("/sessions/{session}"), format!("/plans/{plan}")] {
        let undone = publish(&mut admin, &what, false).await;
        assert_eq!(undone.status, StatusCode::SEE_OTHER, "{what}");
    }
    assert_eq!(
        fetch(&app, &session_uri, &[]).await.0,
        StatusCode::NOT_FOUND
    );
    let private = admin.get(&format!("/sessions/{session}")).await;
    assert_eq!(
        private.attrs("#publication", "action"),
        [format!("/sessions/{session}/publication")]
    );
    let done = publish(&mut admin, &format!("/sessions/{session}"), true).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        publish(&mut admin, &format!("/plans/{plan}"), true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'publication.publish' \
         AND user_id = (SELECT id FROM users WHERE login = 'admin')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);

    // The index lists both under ANASER.
    let (status, _, index) = fetch(&app, "/public", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        index.contains(&format!("href=\"/public/sessions/{session}\"")),
        "{index}"
    );
    assert!(index.contains(&format!("href=\"/public/plans/{plan}\"")));

    // The sealed figures: 32 of 49, 65 %, 10 above target.
    let (status, headers, body) = fetch(&app, &session_uri, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text_of(&body, "#headline [data-figure=done]"), "32");
    assert_eq!(text_of(&body, "#headline [data-figure=planned]"), "49");
    assert_eq!(
        text_of(&body, "#headline [data-figure=execution-rate]"),
        "65 %"
    );
    assert_eq!(text_of(&body, "#headline [data-figure=above-target]"), "10");
    // No staff: no chair, no focal point who recorded an update, no
    // comment, no attachment, nobody signed in.
    for staff in ["SISSOKO", "Point focal", "/attachments/", "logout", "csrf"] {
        assert!(!body.contains(staff), "the public page shows {staff:?}");
    }
    assert_eq!(headers[header::CACHE_CONTROL], "public, no-cache");
    assert!(headers.get(header::SET_COOKIE).is_none());
    let etag = headers[header::ETAG].to_str().unwrap().to_owned();
    let (again, again_headers, empty) =
        fetch(&app, &session_uri, &[("if-none-match", &etag)]).await;
    assert_eq!(again, StatusCode::NOT_MODIFIED);
    assert!(empty.is_empty());
    assert_eq!(again_headers[header::ETAG].to_str().unwrap(), etag);
    // Another language is another body, hence another tag.
    let (_, english, _) = fetch(&app, &session_uri, &[("accept-language", "en")]).await;
    assert_ne!(english[header::ETAG].to_str().unwrap(), etag);

    // Open data: the same figures, exact and rounded.
    let (status, headers, json) = fetch(&app, &format!("{session_uri}/data.json"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "public, no-cache");
    let data: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(data["headline"]["execution_rate"]["numerator"], 32);
    assert_eq!(data["headline"]["execution_rate"]["denominator"], 49);
    assert_eq!(data["headline"]["execution_rate"]["percent"], 65);
    assert_eq!(data["headline"]["above_target"], 10);
    assert_eq!(data["session"]["number"], 30);
    assert_eq!(data["activities"].as_array().unwrap().len(), 49);
    assert!(
        !json.contains("SISSOKO") && !json.contains("Point focal") && !json.contains("comment")
    );
    let (status, headers, csv) = fetch(&app, &format!("{session_uri}/data.csv"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .contains("ANASER-session-30.csv"));
    let rows = parse_csv(csv.trim_start_matches('\u{feff}'), ';');
    assert_eq!(rows.len(), 1 + 49, "a header and one row per activity");
    assert_eq!(rows[0][0], "Structure");
    let done_rows = rows
        .iter()
        .filter(|r| r.get(8).is_some_and(|s| s == "Réalisée"))
        .count();
    assert_eq!(done_rows, 32);

    // The plan's page as of today, and its JSON.
    let (status, _, plan_page) = fetch(&app, &format!("/public/plans/{plan}"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(plan_page.contains(&format!("href=\"/public/sessions/{session}\"")));
    let (status, _, _) = fetch(&app, &format!("/public/plans/{plan}/data.json"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        fetch(&app, &format!("/public/plans/{plan}/data.xml"), &[])
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // Unpublishing takes it down at once, files included.
    let undone = publish(&mut admin, &format!("/sessions/{session}"), false).await;
    assert_eq!(undone.status, StatusCode::SEE_OTHER);
    for uri in [session_uri.clone(), format!("{session_uri}/data.json")] {
        let (status, headers, _) = fetch(&app, &uri, &[("if-none-match", &etag)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    }
    let (_, _, index) = fetch(&app, "/public", &[]).await;
    assert!(!index.contains(&format!("/public/sessions/{session}")));
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'publication.unpublish' \
         AND object_type = 'board_session' AND object_id = $1",
    )
    .bind(session)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(audited, 2, "taken off twice");
}

#[sqlx::test]
async fn editors_publish_only_where_an_admin_allows_it_and_only_sealed_sessions(pool: PgPool) {
    let app = demo_app(&pool).await;
    // The PAP 2026: the demo published the PAP 2025 already.
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let planned: i64 = sqlx::query_scalar(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id) \
         VALUES ($1, 31, 'ordinary', '2026-06-26', '2026-05-31', $2) RETURNING id",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(plan_id(&pool, "ANASER", "PAP-2026").await)
    .fetch_one(&pool)
    .await
    .unwrap();

    let mut editor = signed_in(&app, "anaser.editeur").await;
    assert!(editor
        .get(&format!("/plans/{plan}"))
        .await
        .attrs("#publication", "action")
        .is_empty());
    let refused = publish(&mut editor, &format!("/plans/{plan}"), true).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut board = signed_in(&app, "anaser.ca").await;

    let mut admin = signed_in(&app, "admin").await;
    let settings = admin.get("/admin/publications").await;
    assert_eq!(
        settings.text("tr[data-agency=ANASER] [data-field=editors-may-publish]"),
        "Non"
    );
    let csrf = csrf_of(&settings);
    let allowed = admin
        .post(
            "/admin/publications",
            &[
                ("csrf", &csrf),
                ("agency", "ANASER"),
                ("editors_may_publish", "true"),
            ],
        )
        .await;
    assert_eq!(allowed.status, StatusCode::SEE_OTHER);
    let unknown = admin
        .post(
            "/admin/publications",
            &[
                ("csrf", &csrf),
                ("agency", "NOPE"),
                ("editors_may_publish", "true"),
            ],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(
        editor
            .get(&format!("/plans/{plan}"))
            .await
            .attrs("#publication", "action"),
        [format!("/plans/{plan}/publication")]
    );
    assert_eq!(
        publish(&mut editor, &format!("/plans/{plan}"), true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        fetch(&app, &format!("/public/plans/{plan}"), &[]).await.0,
        StatusCode::OK
    );
    // A board member reads but does not publish; a planned session's
    // figures would still move: not publishable.
    assert_eq!(
        publish(&mut board, &format!("/plans/{plan}"), false)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        publish(&mut editor, &format!("/sessions/{planned}"), true)
            .await
            .status,
        StatusCode::CONFLICT
    );
    let published: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT u.login FROM publications p LEFT JOIN users u ON u.id = p.published_by \
         ORDER BY p.id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        published,
        [None, None, Some("anaser.editeur".to_owned())],
        "the demo's two, and the editor's plan"
    );
}

/// Every public route, with every id that is not published (every plan and
/// session of the demo, ids that name nothing, text): 404, and nothing of
/// the row in the answer.
#[sqlx::test]
async fn nothing_unpublished_is_reachable_anonymously(pool: PgPool) {
    let app = demo_app(&pool).await;
    // One published plan, so that "published somewhere" is not enough.
    let mut admin = signed_in(&app, "admin").await;
    let crss: i64 = sqlx::query_scalar("SELECT id FROM plans WHERE agency_id = $1 LIMIT 1")
        .bind(agency_id(&pool, "CRSS").await)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        publish(&mut admin, &format!("/plans/{crss}"), true)
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // Every plan and session not published (the demo published the PAP
    // 2025 and the 30th session).
    let plans: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM plans WHERE id NOT IN \
         (SELECT plan_id FROM publications WHERE plan_id IS NOT NULL)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(plans.iter().all(|(id, _)| *id != crss));
    assert!(plans.len() >= 2, "{plans:?}");
    let sessions: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM board_sessions WHERE id NOT IN \
         (SELECT session_id FROM publications WHERE session_id IS NOT NULL)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!sessions.is_empty());
    let routes: Vec<_> = routes_in_source()
        .into_iter()
        .filter(|r| r.path.starts_with("/public/"))
        .collect();
    assert_eq!(routes.len(), 4, "{routes:?}");
    let mut failures = Vec::new();
    for route in &routes {
        let ids: Vec<String> = if route.path.starts_with("/public/plans") {
            plans.iter().map(|(id, _)| id.to_string()).collect()
        } else {
            sessions.iter().map(i64::to_string).collect()
        };
        let files: &[&str] = if route.path.ends_with("{file}") {
            &["data.csv", "data.json"]
        } else {
            &[""]
        };
        for id in ids
            .iter()
            .map(String::as_str)
            .chain(["999999", "0", "-1", "abc"])
        {
            for file in files {
                let uri = route.path.replace("{id}", id).replace("{file}", file);
                let (status, _, body) = fetch(&app, &uri, &[]).await;
                if status != StatusCode::NOT_FOUND {
                    failures.push(format!("{uri} -> {status}"));
                }
                for (_, title) in &plans {
                    if body.contains(title.as_str()) {
                        failures.push(format!("{uri} shows {title:?}"));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[sqlx::test]
async fn public_pages_are_limited_per_address(pool: PgPool) {
    let app = web::app(AppState::new(
        pool.clone(),
        WebConfig {
            today: Some(today()),
            trust_proxy: true,
            public_rate: PublicRate { per_minute: 3 },
            ..WebConfig::default()
        },
    ));
    let from = |address: &'static str| [("x-forwarded-for", address)];
    for _ in 0..3 {
        assert_eq!(
            fetch(&app, "/public", &from("41.73.1.2")).await.0,
            StatusCode::OK
        );
    }
    let (status, headers, body) = fetch(&app, "/public", &from("41.73.1.2")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(body.contains("Trop de demandes"), "{body}");
    assert_eq!(
        fetch(&app, "/public", &from("41.73.9.9")).await.0,
        StatusCode::OK
    );
    // Signed-in pages are not counted.
    assert_eq!(
        fetch(&app, "/login", &from("41.73.1.2")).await.0,
        StatusCode::OK
    );
}

/// The updates' comments go public only where whoever publishes chose so:
/// on the page, in the JSON and as the CSV's last column.
#[sqlx::test]
async fn comments_are_public_only_where_the_publisher_chose_to_show_them(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let page_uri = format!("/public/plans/{plan}");
    let json_of = || async {
        let (status, _, json) = fetch(&app, &format!("{page_uri}/data.json"), &[]).await;
        assert_eq!(status, StatusCode::OK);
        serde_json::from_str::<serde_json::Value>(&json).unwrap()
    };
    let csv_header = || async {
        let (_, _, csv) = fetch(&app, &format!("{page_uri}/data.csv"), &[]).await;
        parse_csv(csv.trim_start_matches('\u{feff}'), ';')[0].clone()
    };
    // The demo published it with figures only.
    let (_, _, body) = fetch(&app, &page_uri, &[]).await;
    assert!(!body.contains("id=\"comments\""));
    let data = json_of().await;
    let activities = data["activities"].as_array().unwrap();
    assert!(activities.iter().all(|a| a.get("comment").is_none()));
    let plain_header = csv_header().await;
    assert!(!plain_header.contains(&"Commentaire".to_owned()));

    // Taken off, then published again with the box ticked.
    let mut admin = signed_in(&app, "admin").await;
    publish(&mut admin, &format!("/plans/{plan}"), false).await;
    let private = admin.get(&format!("/plans/{plan}")).await;
    assert_eq!(
        private.attrs("#publication input[name=show_comments]", "type"),
        ["checkbox"]
    );
    let csrf = csrf_of(&private);
    let done = admin
        .post(
            &format!("/plans/{plan}/publication"),
            &[
                ("csrf", &csrf),
                ("publish", "true"),
                ("show_comments", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after: serde_json::Value = sqlx::query_scalar(
        "SELECT after FROM audit_log WHERE action = 'publication.publish' \
         ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(after["show_comments"], true);

    // Each comment shown is the one of the update the figures come from.
    let data = json_of().await;
    let commented: Vec<(String, String)> = data["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| {
            Some((
                a["code"].as_str()?.to_owned(),
                a.get("comment")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    assert!(!commented.is_empty(), "the demo's updates have comments");
    for (code, comment) in &commented {
        let latest: Option<String> = sqlx::query_scalar(
            "SELECT u.comment FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
             WHERE a.plan_id = $1 AND a.code = $2 AND u.as_of <= $3 \
             ORDER BY u.as_of DESC, u.id DESC LIMIT 1",
        )
        .bind(plan)
        .bind(code)
        .bind(
            chrono::NaiveDate::parse_from_str(data["as_of"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(latest.as_deref(), Some(comment.as_str()), "{code}");
    }
    let (_, _, body) = fetch(&app, &page_uri, &[]).await;
    let shown = text_of(
        &body,
        &format!("#comments [data-activity=\"{}\"] dd", commented[0].0),
    );
    assert_eq!(shown, commented[0].1);
    let header = csv_header().await;
    assert_eq!(header.len(), plain_header.len() + 1);
    assert_eq!(header.last().map(String::as_str), Some("Commentaire"));
}
