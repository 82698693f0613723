//! Suivi in a real headless Chromium, driven over WebDriver: people sign in
//! through the login form, read the figures the browser renders, enter
//! progress through the forms, and get refused where they may not write. The
//! pages are screenshotted (and the dashboard printed to PDF) into
//! `test-output/` for people to look at.
//!
//! The harness (`tests/browser/harness.rs`) serves the app on a real port and
//! runs chromedriver; without Chromium the tests say they are skipped, unless
//! `SUIVI_REQUIRE_BROWSER=1` (set by `.ci/run`).

mod common;
#[path = "browser/harness.rs"]
mod harness;

use common::*;
use harness::Browser;
use sqlx::PgPool;
use suivi::i18n::Lang;

async fn activity_id(pool: &PgPool, plan: i64, code: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = $2")
        .bind(plan)
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Rows that a write would add: progress updates and audit entries.
async fn written_rows(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM progress_updates), (SELECT count(*) FROM audit_log)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// `done / planned` as the French pages show it, rounded half up: `65 %`.
fn percent(done: u64, planned: u64) -> String {
    format!("{} %", (200 * done + planned) / (2 * planned))
}

/// The width and height, in points, of every page of a PDF (its MediaBoxes:
/// Chromium writes one per page, uncompressed).
fn pdf_page_sizes(pdf: &[u8]) -> Vec<(f64, f64)> {
    String::from_utf8_lossy(pdf)
        .split("/MediaBox [")
        .skip(1)
        .map(|rest| {
            let numbers: Vec<f64> = rest
                .split(']')
                .next()
                .unwrap()
                .split_whitespace()
                .map(|n| n.parse().expect("a number in a MediaBox"))
                .collect();
            (numbers[2] - numbers[0], numbers[3] - numbers[1])
        })
        .collect()
}

#[sqlx::test]
async fn a_board_member_reads_prints_and_screenshots_the_session_dashboard(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let session = session_id(&pool, "ANASER", 30).await;
    browser.sign_in("anaser.ca").await;
    browser.open("/agencies/ANASER").await;
    browser
        .click(&format!("a[href=\"/sessions/{session}\"]"))
        .await;
    assert_eq!(browser.path().await, format!("/sessions/{session}"));

    // The figures as Chromium rendered them, in French (the browser asks for fr).
    assert_eq!(browser.text("#headline [data-figure=done]").await, "32");
    assert_eq!(browser.text("#headline [data-figure=planned]").await, "49");
    assert_eq!(
        browser.text("#headline [data-figure=execution-rate]").await,
        "65 %"
    );
    assert_eq!(
        browser.text("#headline [data-figure=above-target]").await,
        "10"
    );
    assert_eq!(browser.attrs("html", "lang").await, ["fr"]);

    browser.screenshot("session-30").await;
    let pdf = browser.print_pdf("session-30").await;
    assert!(pdf.starts_with(b"%PDF-"), "a PDF");
    assert!(
        pdf.len() > 10_000,
        "a PDF with content: {} bytes",
        pdf.len()
    );
    let pages = pdf_page_sizes(&pdf);
    assert!(!pages.is_empty(), "the PDF has pages");
    // A4 portrait is 595.28 × 841.89 points; Chromium rounds a little.
    for (width, height) in &pages {
        assert!(
            (width - 595.28).abs() < 1.0 && (height - 841.89).abs() < 1.0,
            "not A4 portrait: {pages:?}"
        );
    }
    browser.close().await;
}

#[sqlx::test]
async fn a_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "CRSS", "SNRSS-PA-2022-2024").await;
    let activity = activity_id(&pool, plan, "C1.07").await;
    browser.sign_in("crss.lecteur").await;

    browser.open(&format!("/plans/{plan}")).await;
    browser.wait_for("#headline [data-figure=done]").await;
    assert_eq!(
        browser.count("form[method=post]:not(.logout)").await,
        0,
        "no form that writes on the plan page"
    );
    browser
        .click(&format!(
            "#tree tr[data-activity=\"C1.07\"] a[href=\"/activities/{activity}\"]"
        ))
        .await;
    assert_eq!(browser.path().await, format!("/activities/{activity}"));
    let status = browser.text("#current [data-figure=status]").await;
    assert!(
        status.starts_with(Lang::Fr.t("status.postponed").as_ref()),
        "the viewer reads the activity: {status}"
    );
    assert_eq!(
        browser.count("#progress, #entry").await,
        0,
        "no progress form"
    );
    assert_eq!(browser.count("form[method=post]:not(.logout)").await, 0);
    browser.screenshot("viewer-activity").await;

    // A POST forged from the viewer's own page, with the page's valid CSRF
    // token and the browser's session cookie: refused by the rights check.
    let csrf = browser.attrs("form.logout input[name=csrf]", "value").await;
    assert_eq!(csrf.len(), 1, "the page carries the session's token");
    let before = written_rows(&pool).await;
    browser
        .post_from_page(
            &format!("/activities/{activity}/progress"),
            &[
                ("csrf", &csrf[0]),
                ("base", ""),
                ("status", "done"),
                ("achieved", "1"),
                ("spent", ""),
                ("as_of", "2024-06-30"),
                ("comment", "forgée"),
            ],
        )
        .await;
    assert_eq!(browser.status().await, 403);
    assert_eq!(browser.attrs(".error", "data-status").await, ["403"]);
    assert_eq!(
        browser.text(".error .message").await,
        Lang::Fr.t("error.forbidden_edit"),
        "refused for lack of rights, not for the token"
    );
    assert_eq!(written_rows(&pool).await, before, "nothing is written");
    browser.screenshot("viewer-forged-post").await;
    browser.close().await;
}

#[sqlx::test]
async fn an_editor_records_progress_and_the_plan_execution_rate_follows(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    browser.sign_in("anaser.editeur").await;

    browser.open(&format!("/plans/{plan}")).await;
    let done: u64 = browser
        .text("#headline [data-figure=done]")
        .await
        .parse()
        .unwrap();
    let planned: u64 = browser
        .text("#headline [data-figure=planned]")
        .await
        .parse()
        .unwrap();
    assert!(done < planned, "some activity is left to do");
    assert_ne!(percent(done, planned), percent(done + 1, planned));
    assert_eq!(
        browser.text("#headline [data-figure=execution-rate]").await,
        percent(done, planned)
    );
    browser.screenshot("plan-2026-before").await;

    // The first activity not done, opened from the plan's tree.
    let codes = browser
        .attrs("#tree tr.activity:not([data-status=done])", "data-activity")
        .await;
    let code = codes.first().expect("an activity not done");
    let activity = activity_id(&pool, plan, code).await;
    browser
        .click(&format!("#tree tr[data-activity=\"{code}\"] a"))
        .await;
    assert_eq!(browser.path().await, format!("/activities/{activity}"));

    browser
        .fill_and_submit(
            "form#progress",
            &[
                ("status", "done"),
                ("comment", "Réalisée, saisie dans le navigateur"),
            ],
        )
        .await;
    assert_eq!(browser.status().await, 200);
    assert_eq!(browser.path().await, format!("/activities/{activity}"));
    let status = browser.text("#current [data-figure=status]").await;
    assert!(
        status.starts_with(Lang::Fr.t("status.done").as_ref()),
        "the activity is done: {status}"
    );
    assert!(browser
        .texts("#history td")
        .await
        .contains(&"Réalisée, saisie dans le navigateur".to_owned()));
    browser.screenshot("activity-recorded").await;

    browser.click("#plan-link").await;
    assert_eq!(
        browser.text("#headline [data-figure=done]").await,
        (done + 1).to_string()
    );
    assert_eq!(
        browser.text("#headline [data-figure=planned]").await,
        planned.to_string()
    );
    assert_eq!(
        browser.text("#headline [data-figure=execution-rate]").await,
        percent(done + 1, planned)
    );
    assert_eq!(
        browser
            .attrs(
                &format!("#tree tr[data-activity=\"{code}\"]"),
                "data-status"
            )
            .await,
        ["done"]
    );
    browser.screenshot("plan-2026-after").await;
    browser.close().await;
}

/// A staff member signs in, opens the bulk grid from the plan, marks three
/// activities done in one submit, and sees the plan's execution rate follow.
#[sqlx::test]
async fn a_staff_member_updates_three_activities_in_the_grid(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    browser.sign_in("anaser.editeur").await;
    browser.open(&format!("/plans/{plan}")).await;
    let figure = |name: &'static str| {
        let browser = &browser;
        async move {
            browser
                .text(&format!("#headline [data-figure={name}]"))
                .await
                .parse::<u64>()
                .unwrap()
        }
    };
    let (done, planned) = (figure("done").await, figure("planned").await);
    let codes = browser
        .attrs("#tree tr.activity:not([data-status=done])", "data-activity")
        .await;
    assert!(codes.len() >= 3, "three activities left to do");
    let mut ids = Vec::new();
    for code in &codes[..3] {
        ids.push(activity_id(&pool, plan, code).await);
    }

    browser.click("#grid-link").await;
    assert_eq!(browser.path().await, format!("/plans/{plan}/grid"));
    browser.screenshot("grid-before").await;
    let names: Vec<(String, &str)> = ids
        .iter()
        .flat_map(|id| {
            [
                (format!("{id}.status"), "done"),
                (format!("{id}.comment"), "Saisie groupée"),
            ]
        })
        .collect();
    let fields: Vec<(&str, &str)> = names.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    browser.fill_and_submit("form#grid", &fields).await;
    assert_eq!(browser.status().await, 200);
    assert_eq!(browser.attrs("#saved", "data-saved").await, ["3"]);
    browser.screenshot("grid-saved").await;

    browser.click("#plan-link").await;
    assert_eq!(figure("done").await, done + 3);
    assert_eq!(
        browser.text("#headline [data-figure=execution-rate]").await,
        percent(done + 3, planned)
    );
    browser.screenshot("plan-2026-after-grid").await;
    browser.close().await;
}
