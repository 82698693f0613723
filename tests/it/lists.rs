//! Lists that grow with the data come a page at a time: a big plan's page
//! keeps every figure and node but lists 50 activities a page, and so does
//! its drill-down; drill-down rows link to their activities; a page that
//! does not exist is a 400.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

#[sqlx::test]
async fn a_big_plan_s_page_lists_its_activities_fifty_at_a_time(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = big_plan(&pool, 120).await;
    let mut admin = admin(&app, &pool).await;
    let uri = format!("/plans/{plan}?as_of=2026-11-25");
    let first = admin.get(&uri).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.text("#headline [data-figure=planned]"), "120");
    let nodes = first.attrs("#tree tr.node", "data-node");
    assert_eq!(first.attrs("#tree tr.activity", "data-activity").len(), 50);
    let third = admin.get(&format!("{uri}&page=3")).await;
    assert_eq!(third.attrs("#tree tr.activity", "data-activity").len(), 20);
    assert_eq!(
        third.attrs("#tree tr.node", "data-node"),
        nodes,
        "every node, with its figures, on every page"
    );
    assert_eq!(
        third.text("#headline [data-figure=planned]"),
        "120",
        "the headline is the whole plan's"
    );
    let next = first.attrs(".pager [rel=next]", "href");
    assert_eq!(next[0], format!("{uri}&page=2"));
    let mut every: Vec<String> = Vec::new();
    for n in 1..=3 {
        every.extend(
            admin
                .get(&format!("{uri}&page={n}"))
                .await
                .attrs("#tree tr.activity", "data-activity"),
        );
    }
    let listed = every.len();
    every.sort();
    every.dedup();
    assert_eq!((listed, every.len()), (120, 120));
    for bad in ["&page=4", "&page=0", "&page=x"] {
        assert_eq!(
            admin.get(&format!("{uri}{bad}")).await.status,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }

    let drill = format!("/plans/{plan}/activities?as_of=2026-11-25");
    let drilled = admin.get(&drill).await;
    assert_eq!(drilled.text("[data-figure=count]"), "120");
    assert_eq!(
        drilled
            .attrs("#activities tr.activity", "data-activity")
            .len(),
        50
    );
    let last = admin.get(&format!("{drill}&page=3")).await;
    assert_eq!(
        last.attrs("#activities tr.activity", "data-activity").len(),
        20
    );
    assert_eq!(last.text("[data-figure=count]"), "120");
    assert_eq!(
        admin.get(&format!("{drill}&page=4")).await.status,
        StatusCode::BAD_REQUEST
    );
}

#[sqlx::test]
async fn drill_down_rows_link_to_their_activities(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let mut reader = signed_in(&app, "anaser.ca").await;
    let page = reader
        .get(&format!(
            "/plans/{plan}/activities?as_of=2025-11-30&status=done"
        ))
        .await;
    assert_eq!(page.text("[data-figure=count]"), "32");
    let codes = page.attrs("#activities tr.activity", "data-activity");
    let links = page.attrs("#activities tr.activity td:first-child a", "href");
    assert_eq!(codes.len(), 32, "the demo's list fits on one page");
    assert_eq!(links.len(), 32);
    for (code, link) in codes.iter().zip(&links) {
        let id: i64 =
            sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = $2")
                .bind(plan)
                .bind(code)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(link, &format!("/activities/{id}"));
    }
    let opened = reader.get(&links[0]).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert!(
        page.attrs(".pager", "class").is_empty(),
        "no pager for one page"
    );
}

/// Raw and gzip sizes of a page's HTML, in bytes.
fn weight(page: &Page) -> (usize, usize) {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(page.body.as_bytes()).unwrap();
    (page.body.len(), gz.finish().unwrap().len())
}

/// The weights of the demo's main pages, and of the plan page, grid and
/// drill-down for generated 200- and 1 000-activity plans, recorded (run
/// with `--nocapture` to read them) and held under the budgets: 60 KB raw
/// for every page of the demo, 15 KB gzip for a national-scale
/// (200-activity) plan.
#[sqlx::test]
async fn plan_pages_stay_light_however_big_the_plan(pool: PgPool) {
    let app = demo_app(&pool).await;
    let demo = plan_id(&pool, "ANASER", "PAP-2025").await;
    let mut admin = admin(&app, &pool).await;
    let pages = |plan: i64| {
        [
            ("plan", format!("/plans/{plan}")),
            ("grid", format!("/plans/{plan}/grid")),
            ("drill-down", format!("/plans/{plan}/activities")),
        ]
    };
    let session = session_id(&pool, "ANASER", 30).await;
    let activity: i64 = sqlx::query_scalar("SELECT min(id) FROM activities WHERE plan_id = $1")
        .bind(demo)
        .fetch_one(&pool)
        .await
        .unwrap();
    let others = [
        ("home", "/".to_string()),
        ("agency", "/agencies/ANASER".to_string()),
        ("dashboard", format!("/sessions/{session}")),
        ("structure", format!("/plans/{demo}/structure")),
        ("activity", format!("/activities/{activity}")),
        ("search", "/search?q=securite".to_string()),
        ("admin users", "/admin".to_string()),
        ("audit log", "/admin/audit".to_string()),
    ];
    for (name, uri) in pages(demo).into_iter().chain(others) {
        let page = admin.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK);
        let (raw, gzip) = weight(&page);
        println!("weight demo {name}: {raw} B raw, {gzip} B gzip");
        assert!(raw < 60_000, "demo {name}: {raw} B");
        assert!(gzip < 15_000, "demo {name}: {gzip} B gzip");
    }
    let big = big_plan(&pool, 1_000).await;
    // A second generated agency of 200 activities, as the national data set has.
    let mut options = suivi::generate::GenerateOptions::new(1, 200, 1, 21);
    options.first_year = 2026;
    options.today = today();
    sqlx::query("UPDATE agencies SET code = 'BIG' || substr(code, 4) WHERE code LIKE 'GEN-%'")
        .execute(&pool)
        .await
        .unwrap();
    suivi::generate::generate(&pool, &options, &mut |_| {})
        .await
        .unwrap();
    let national: i64 = sqlx::query_scalar(
        "SELECT p.id FROM plans p JOIN agencies g ON g.id = p.agency_id WHERE g.code = 'GEN-0001'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    for (label, plan) in [("200", national), ("1000", big)] {
        for (name, uri) in pages(plan) {
            let page = admin.get(&uri).await;
            assert_eq!(page.status, StatusCode::OK);
            let (raw, gzip) = weight(&page);
            println!("weight {label}-activity {name}: {raw} B raw, {gzip} B gzip");
            assert!(gzip < 15_000, "{label}-activity {name}: {gzip} B gzip");
        }
    }
}

/// The accounts list comes fifty at a time, by login, and filters by words
/// of the login or the name, whatever their case; `%` is a plain character.
#[sqlx::test]
async fn the_accounts_list_comes_a_page_at_a_time_and_filters(pool: PgPool) {
    let app = demo_app(&pool).await;
    sqlx::query(
        "INSERT INTO users (login, display_name, password_hash) \
         SELECT 'agent' || lpad(n::text, 3, '0'), 'Agent numéro ' || n, '$argon2id$x' \
         FROM generate_series(1, 120) n",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut admin = admin(&app, &pool).await;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    let first = admin.get("/admin/users").await;
    assert_eq!(first.status, StatusCode::OK);
    let logins = first.attrs("#users tr[data-login]", "data-login");
    assert_eq!(logins.len(), 50);
    let mut sorted = logins.clone();
    sorted.sort();
    assert_eq!(logins, sorted, "by login");
    assert_eq!(
        first.attrs(".pager [rel=next]", "href"),
        ["/admin/users?page=2"]
    );
    let mut every = Vec::new();
    let pages = u64::try_from(total).unwrap().div_ceil(50);
    for n in 1..=pages {
        every.extend(
            admin
                .get(&format!("/admin/users?page={n}"))
                .await
                .attrs("#users tr[data-login]", "data-login"),
        );
    }
    let listed = every.len();
    every.sort();
    every.dedup();
    assert_eq!((listed, every.len()), (total as usize, total as usize));
    assert_eq!(
        admin
            .get(&format!("/admin/users?page={}", pages + 1))
            .await
            .status,
        StatusCode::BAD_REQUEST
    );

    let found = admin.get("/admin/users?q=Num%C3%A9ro+10").await;
    assert_eq!(
        found.attrs("#users tr[data-login]", "data-login"),
        [
            "agent010", "agent100", "agent101", "agent102", "agent103", "agent104", "agent105",
            "agent106", "agent107", "agent108", "agent109"
        ]
    );
    let by_login = admin.get("/admin/users?q=anaser.").await;
    assert!(by_login
        .attrs("#users tr[data-login]", "data-login")
        .iter()
        .all(|login| login.starts_with("anaser.")));
    let none = admin.get("/admin/users?q=%25").await;
    assert!(none.attrs("#users tr[data-login]", "data-login").is_empty());
    assert_eq!(none.attrs("#users-none", "id"), ["users-none"]);
    let long = "a".repeat(201);
    assert_eq!(
        admin.get(&format!("/admin/users?q={long}")).await.status,
        StatusCode::BAD_REQUEST
    );
}
