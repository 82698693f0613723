//! The pages through the router, on the demo data: what a board member and an
//! agency see, in French and in English, and the error pages.

use std::collections::HashMap;

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;
use suivi::store::plans;

/// The whole page must stay light for a slow 3G link.
const PAGE_BUDGET_BYTES: usize = 100 * 1024;

#[sqlx::test]
async fn the_session_page_shows_the_board_figures_in_french(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let id = session_id(&pool, "ANASER", 30).await;
    let page = reader.get(&format!("/sessions/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.text("#headline [data-figure=done]"), "32");
    assert_eq!(page.text("#headline [data-figure=planned]"), "49");
    assert_eq!(page.text("#headline [data-figure=execution-rate]"), "65 %");
    assert_eq!(page.text("#headline [data-figure=above-target]"), "10");
    assert_eq!(
        page.text("h1"),
        "30ᵉ session ordinaire du conseil d’administration"
    );
    assert!(page.text(".lede").contains("26 décembre 2025"));
    assert!(page
        .body
        .contains("Résultats à la date du 30 novembre 2025"));
    assert_eq!(page.attrs("html", "lang"), ["fr"]);
    // the programme adopted at the session: 50 activities in 5 priority actions
    assert_eq!(page.text("#adopted [data-figure=adopted-activities]"), "50");
    assert_eq!(page.text("#adopted [data-figure=adopted-nodes]"), "5");
    assert!(
        page.body.len() < PAGE_BUDGET_BYTES,
        "session page is {} bytes",
        page.body.len()
    );
}

#[sqlx::test]
async fn the_session_page_breaks_down_by_priority_action(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let id = session_id(&pool, "ANASER", 30).await;
    let page = reader.get(&format!("/sessions/{id}")).await;

    // Independently: group the plan's activities by their node as of the cutoff.
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let cutoff = date(2025, 11, 30);
    let nodes = plans::nodes(&pool, plan, today())
        .await
        .unwrap()
        .into_nodes();
    let activities = plans::activities_as_of(&pool, plan, cutoff).await.unwrap();
    let mut expected: HashMap<String, (u64, u64)> = HashMap::new();
    for activity in &activities {
        let node = nodes.iter().find(|n| n.id == activity.node_id).unwrap();
        let entry = expected.entry(node.code.clone()).or_default();
        entry.1 += 1;
        if activity.figures().status == suivi::domain::Status::Done {
            entry.0 += 1;
        }
    }
    let codes = page.attrs("#by-node tr[data-node]", "data-node");
    assert_eq!(codes.len(), expected.len(), "one row per priority action");
    for code in codes {
        let done = page.text(&format!(
            "#by-node tr[data-node='{code}'] [data-figure=done]"
        ));
        let planned = page.text(&format!(
            "#by-node tr[data-node='{code}'] [data-figure=planned]"
        ));
        assert_eq!(
            (done.parse().unwrap(), planned.parse().unwrap()),
            expected[&code],
            "node {code}"
        );
    }
}

/// The expected figures are counted here, activity by activity, up the
/// chain of parents: not with the roll-up the page itself uses.
#[sqlx::test]
async fn the_plan_page_rolls_up_every_node_as_the_module_does(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let as_of = date(2025, 11, 30);
    let page = reader.get(&format!("/plans/{plan}?as_of=2025-11-30")).await;
    assert_eq!(page.status, StatusCode::OK);

    let nodes = plans::nodes(&pool, plan, today())
        .await
        .unwrap()
        .into_nodes();
    let activities = plans::activities_as_of(&pool, plan, as_of).await.unwrap();
    let parents: HashMap<i64, Option<i64>> = nodes.iter().map(|n| (n.id, n.parent_id)).collect();
    // (done, planned) of each node: every activity counts in its node and
    // in each of that node's ancestors.
    let mut expected: HashMap<i64, (u64, u64)> = nodes.iter().map(|n| (n.id, (0, 0))).collect();
    for activity in &activities {
        let done = activity.figures().status == suivi::domain::Status::Done;
        let mut node = Some(activity.node_id);
        while let Some(id) = node {
            let entry = expected.get_mut(&id).unwrap();
            entry.0 += u64::from(done);
            entry.1 += 1;
            node = parents[&id];
        }
    }

    let shown = page.attrs("#tree tr.node", "data-node");
    assert_eq!(shown.len(), nodes.len(), "every node of the tree is shown");
    for node in &nodes {
        let row = format!("#tree tr.node[data-node='{}']", node.code);
        let (done, planned) = expected[&node.id];
        assert_eq!(page.attrs(&row, "data-done"), [done.to_string()]);
        assert_eq!(page.attrs(&row, "data-planned"), [planned.to_string()]);
        // Rounded half up, in whole percent.
        let percent = (200 * done + planned) / (2 * planned);
        let rate = page.text(&format!("{row} > [data-figure=execution-rate] span"));
        assert_eq!(rate, format!("{percent} %"));
    }
    // the roots together hold the whole plan
    let roots: u64 = nodes
        .iter()
        .filter(|n| n.parent_id.is_none())
        .map(|n| expected[&n.id].1)
        .sum();
    assert_eq!(roots, 49);
    assert_eq!(page.texts("#tree tr.activity").len(), 49);
    assert_eq!(page.text("#headline [data-figure=execution-rate]"), "65 %");
    assert!(
        page.body.len() < PAGE_BUDGET_BYTES,
        "plan page is {} bytes",
        page.body.len()
    );
}

#[sqlx::test]
async fn the_plan_page_defaults_to_today_or_to_the_last_day_of_a_finished_plan(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    // PAP 2025 is over: shown as of 31 December 2025, as its agency page does.
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let page = reader.get(&format!("/plans/{plan}")).await;
    let done: u64 = page.text("#headline [data-figure=done]").parse().unwrap();
    assert!(done > 32, "December updates count, got {done}");
    assert_eq!(page.attrs("input[name=as_of]", "value"), ["2025-12-31"]);
    let agency = reader.get("/agencies/ANASER").await;
    assert_eq!(
        agency.text("#plans tr[data-plan=PAP-2025] [data-figure=done]"),
        done.to_string()
    );
    // PAP 2026 runs: as of today.
    let running = plan_id(&pool, "ANASER", "PAP-2026").await;
    let page = reader.get(&format!("/plans/{running}")).await;
    assert_eq!(page.attrs("input[name=as_of]", "value"), ["2026-11-25"]);
}

#[sqlx::test]
async fn a_bad_date_gives_a_400_page_in_french(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    for bad in ["2025-13-45", "hier", "30/11/2025"] {
        let page = reader.get(&format!("/plans/{plan}?as_of={bad}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(page.content_type.starts_with("text/html"));
        assert!(page
            .text(".error .message")
            .contains("La date indiquée n’est pas valide"));
        assert_eq!(page.attrs(".error", "data-status"), ["400"]);
    }
    let english = reader
        .get_with(
            &format!("/plans/{plan}?as_of=x"),
            &[("accept-language", "en")],
        )
        .await;
    assert_eq!(english.status, StatusCode::BAD_REQUEST);
    assert!(english
        .text(".error .message")
        .contains("The date given is not valid"));
}

#[sqlx::test]
async fn unknown_ids_give_a_404_page(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    for uri in [
        "/plans/999999",
        "/plans/abc",
        "/sessions/0",
        "/agencies/NOPE",
        "/no/such/page",
    ] {
        let page = reader.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert_eq!(page.text(".error h1"), "Page introuvable", "{uri}");
    }
}

#[sqlx::test]
async fn english_follows_accept_language_and_the_switch(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let id = session_id(&pool, "ANASER", 30).await;
    let uri = format!("/sessions/{id}");
    let page = reader
        .get_with(&uri, &[("accept-language", "en-GB,en;q=0.9")])
        .await;
    assert_eq!(page.text("h1"), "30th ordinary board session");
    assert_eq!(page.text("#headline [data-figure=execution-rate]"), "65%");
    assert!(page.body.contains("Results as of 30 November 2025"));
    assert_eq!(page.attrs("html", "lang"), ["en"]);

    // The switch link sets a cookie and comes back to the same page.
    let switch = page.attrs("a.lang", "href").pop().unwrap();
    assert_eq!(switch, format!("/lang/fr?next=/sessions/{id}"));
    let response = reader.get_with("/lang/en?next=/sessions/1", &[]).await;
    assert_eq!(response.status, StatusCode::SEE_OTHER);
    let french_browser_choosing_english = reader
        .get_with(
            &uri,
            &[("accept-language", "fr"), ("cookie", "suivi_lang=en")],
        )
        .await;
    assert_eq!(
        french_browser_choosing_english.attrs("html", "lang"),
        ["en"]
    );
}

#[sqlx::test]
async fn home_and_agency_pages_list_what_the_board_needs(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let home = reader.get("/?year=2025").await;
    assert_eq!(home.status, StatusCode::OK);
    let anaser = "#agencies tr[data-agency=ANASER]";
    // as of 31 December 2025 the demo's December updates count
    let done: u64 = home
        .text(&format!("{anaser} [data-figure=done]"))
        .parse()
        .unwrap();
    assert!(done > 32);
    assert_eq!(home.text(&format!("{anaser} [data-figure=planned]")), "49");
    // the ministry rolls up the agency under it
    assert_eq!(
        home.text("#agencies tr[data-agency=MTI] [data-figure=planned]"),
        "49"
    );
    assert!(home.body.len() < PAGE_BUDGET_BYTES);

    let bad_year = reader.get("/?year=deux-mille").await;
    assert_eq!(bad_year.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reader.get("/?sort=nope").await.status,
        StatusCode::BAD_REQUEST
    );

    let agency = reader.get("/agencies/ANASER").await;
    assert_eq!(agency.status, StatusCode::OK);
    let plans = agency.attrs("#plans tr[data-plan]", "data-plan");
    assert!(plans.contains(&"PAP-2025".to_owned()) && plans.contains(&"PAP-2026".to_owned()));
    let sessions = agency.texts("ul.sessions li a");
    assert!(sessions
        .iter()
        .any(|s| s == "30ᵉ session ordinaire du conseil d’administration"));
    assert!(agency.body.len() < PAGE_BUDGET_BYTES);
}

#[sqlx::test]
async fn healthz_answers_ok_and_pages_carry_security_headers(pool: PgPool) {
    let app = app(&pool);
    let mut reader = admin(&app, &pool).await;
    let health = reader.get("/healthz").await;
    assert_eq!(
        (health.status, health.body.as_str()),
        (StatusCode::OK, "ok")
    );
    let response = tower::ServiceExt::oneshot(
        app.clone(),
        axum::http::Request::builder()
            .uri("/")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(response.headers()["x-frame-options"], "DENY");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let css = reader.get("/static/suivi.css").await;
    assert!(css.content_type.starts_with("text/css"));
    assert!(css.body.contains("@media print"));
}

#[sqlx::test]
async fn every_figure_drills_down_to_its_activities(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let id = session_id(&pool, "ANASER", 30).await;
    let session = reader.get(&format!("/sessions/{id}")).await;

    // The headline's "done" figure links to exactly the 32 activities done at the cutoff.
    let done_link = session
        .attrs("#headline a:has([data-figure=done])", "href")
        .pop()
        .unwrap();
    assert!(
        done_link.ends_with("as_of=2025-11-30&status=done"),
        "{done_link}"
    );
    let done = reader.get(&done_link).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.text("[data-figure=count]"), "32");
    assert!(done
        .attrs("#activities tr.activity", "data-status")
        .iter()
        .all(|s| s == "done"));

    let above_link = session
        .attrs("#headline a[data-figure=above-target]", "href")
        .pop()
        .unwrap();
    assert_eq!(
        reader.get(&above_link).await.text("[data-figure=count]"),
        "10"
    );

    // A priority action's row links to its activities; their count is the row's.
    let row = "#by-node tr[data-node=AP2]";
    let planned = session.text(&format!("{row} [data-figure=planned]"));
    let link = session.attrs(&format!("{row} th a"), "href").pop().unwrap();
    assert_eq!(reader.get(&link).await.text("[data-figure=count]"), planned);

    // And a region's row.
    let region = "#by-region tr[data-group=KAY]";
    let planned = session.text(&format!("{region} [data-figure=planned]"));
    let link = session
        .attrs(&format!("{region} th a"), "href")
        .pop()
        .unwrap();
    assert_eq!(reader.get(&link).await.text("[data-figure=count]"), planned);

    // The units add up to the plan.
    let units: u64 = session
        .texts("#by-unit [data-figure=planned]")
        .iter()
        .map(|p| p.parse::<u64>().unwrap())
        .sum();
    assert_eq!(units, 49);

    // The 29th session's resolution still in progress is followed up at the 30th.
    assert!(session
        .text("#open-resolutions")
        .contains("recrutement des contrôleurs routiers"));

    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    for bad in ["status=finished", "only=everything", "node=NOPE"] {
        let page = reader.get(&format!("/plans/{plan}/activities?{bad}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

/// Builds an agency with a four-activity plan and two sessions a quarter apart.
async fn constructed_pair(pool: &PgPool) -> (i64, i64) {
    let agency: i64 =
        sqlx::query_scalar("INSERT INTO agencies (code, name) VALUES ('TST', 'Test') RETURNING id")
            .fetch_one(pool)
            .await
            .unwrap();
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names) \
         VALUES ($1, 'P', 'Plan test', 'annual', 2025, 2025, '{Action}') RETURNING id",
    )
    .bind(agency)
    .fetch_one(pool)
    .await
    .unwrap();
    let node: i64 = sqlx::query_scalar("INSERT INTO plan_nodes (plan_id, depth, code, title) VALUES ($1, 0, 'N', 'N') RETURNING id")
        .bind(plan)
        .fetch_one(pool)
        .await
        .unwrap();
    let mut activities = Vec::new();
    for code in ["a", "b", "c", "d"] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO activities (plan_id, node_id, code, title) VALUES ($1, $2, $3, $3) RETURNING id",
        )
        .bind(plan)
        .bind(node)
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap();
        activities.push(id);
    }
    // 1 of 4 done by March, 3 of 4 by June.
    add_update(pool, activities[0], date(2025, 2, 1), "done", None).await;
    add_update(pool, activities[1], date(2025, 5, 1), "done", None).await;
    add_update(pool, activities[2], date(2025, 6, 1), "done", None).await;
    add_update(pool, activities[3], date(2025, 7, 1), "done", None).await; // after both cutoffs
    let mut sessions = Vec::new();
    for (number, held, cutoff) in [
        (1, date(2025, 4, 10), date(2025, 3, 31)),
        (2, date(2025, 7, 10), date(2025, 6, 30)),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id, status) \
             VALUES ($1, $2, 'ordinary', $3, $4, $5, 'held') RETURNING id",
        )
        .bind(agency)
        .bind(number)
        .bind(held)
        .bind(cutoff)
        .bind(plan)
        .fetch_one(pool)
        .await
        .unwrap();
        sessions.push(id);
    }
    (sessions[0], sessions[1])
}

#[sqlx::test]
async fn the_change_since_the_previous_session_is_exact(pool: PgPool) {
    let (first, second) = constructed_pair(&pool).await;
    let app = app(&pool);
    let mut reader = admin(&app, &pool).await;
    let page = reader.get(&format!("/sessions/{second}")).await;
    assert_eq!(page.text("#headline [data-figure=done]"), "3");
    assert_eq!(page.text("#headline [data-figure=execution-rate]"), "75 %");
    // from 1/4 to 3/4: +50 points, +2 activities done
    assert_eq!(page.text("#change [data-figure=rate-change]"), "+50 points");
    assert_eq!(page.text("#change [data-figure=done-change]"), "+2");
    // the first session has nothing to compare with
    let page = reader.get(&format!("/sessions/{first}")).await;
    assert_eq!(page.text("#headline [data-figure=execution-rate]"), "25 %");
    assert!(page.texts("#change").is_empty());
}

#[sqlx::test]
async fn the_consolidated_view_sorts_and_totals_without_double_counting(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    // 2025: only ANASER (49) has a plan; its ministry MTI shows the same 49.
    let page = reader.get("/?year=2025&sort=planned").await;
    let order = page.attrs("#agencies tbody tr", "data-agency");
    assert_eq!(
        &order[..2],
        ["ANASER", "MTI"],
        "most planned first, code breaks the tie"
    );
    assert_eq!(
        page.text("#total [data-figure=planned]"),
        "49",
        "the ministry is not counted twice"
    );

    // 2026: ANASER's PAP 2026; a 2013 year shows the UNDP programme alone.
    let page = reader.get("/?year=2013&sort=rate").await;
    assert_eq!(page.attrs("#agencies tbody tr", "data-agency")[0], "PNUD");
    let planned: u64 = page.text("#total [data-figure=planned]").parse().unwrap();
    assert_eq!(
        planned,
        page.text("#agencies tr[data-agency=PNUD] [data-figure=planned]")
            .parse::<u64>()
            .unwrap()
    );
}

#[sqlx::test]
async fn the_session_charts_draw_the_figures(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut reader = admin(&app, &pool).await;
    let id = session_id(&pool, "ANASER", 30).await;
    let page = reader.get(&format!("/sessions/{id}")).await;
    // One bar per priority action, its length the row's done / planned of 400 units.
    let rows = page.attrs("#by-node tr[data-node]", "data-node");
    let widths = page.attrs("svg#chart-by-node rect.bar", "width");
    assert_eq!(widths.len(), rows.len());
    for (code, width) in rows.iter().zip(&widths) {
        let done: f64 = page.attrs(&format!("#by-node tr[data-node='{code}']"), "data-done")[0]
            .parse()
            .unwrap();
        let planned: f64 = page.attrs(&format!("#by-node tr[data-node='{code}']"), "data-planned")
            [0]
        .parse()
        .unwrap();
        let width: f64 = width.parse().unwrap();
        assert!(
            (width - 400.0 * done / planned).abs() < 0.06,
            "{code}: {width} for {done}/{planned}"
        );
    }
    // The status bar: 32 done, 10 in progress, 3 not started, 3 postponed, 1 abandoned.
    let counts: Vec<u64> = page
        .attrs("svg#chart-statuses rect[data-count]", "data-count")
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<u64>(), 49);
    assert!(counts.contains(&32));
    // Readable without the picture: the description carries the figures.
    assert!(page.text("svg#chart-by-node desc").contains("7 / 10"));
}
