//! Suivi in a real headless Chromium, driven over WebDriver: people sign in
//! through the login form, read the figures the browser renders, enter
//! progress through the forms, download the yearly reports, and get refused
//! where they may not write. The pages are screenshotted (and the dashboard
//! printed to PDF) into `test-output/` for people to look at.
//!
//! The harness (`tests/it/browser/harness.rs`) serves the app on a real port and
//! runs chromedriver; without Chromium the tests say they are skipped, unless
//! `SUIVI_REQUIRE_BROWSER=1` (set by `.ci/run`).

mod design;
mod harness;

use std::path::Path;

use crate::common::*;
use calamine::{open_workbook, Reader, Xlsx};
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
    counted_at_once(&pool, "ANASER").await;
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
    counted_at_once(&pool, "ANASER").await;
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

/// The file name a download is saved under, from its `Content-Disposition`.
fn attachment_name(page: &Page) -> String {
    let disposition = page.disposition.as_deref().expect("an attachment");
    disposition
        .split_once("filename=\"")
        .and_then(|(_, rest)| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no file name in {disposition}"))
        .to_owned()
}

/// Every sheet of a workbook on disk, its cells as text, as calamine reads it.
fn workbook_cells(path: &Path) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = open_workbook(path)
        .unwrap_or_else(|error| panic!("{}: not a workbook: {error}", path.display()));
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|row| row.iter().map(ToString::to_string).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

/// The number of pages of a PDF on disk and its text, spaces made plain.
fn pdf_pages_and_text(path: &Path) -> (usize, String) {
    let document = lopdf::Document::load(path)
        .unwrap_or_else(|error| panic!("{}: not a PDF: {error}", path.display()));
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    let text = document.extract_text(&pages).expect("the PDF's text");
    (
        pages.len(),
        text.split_whitespace().collect::<Vec<_>>().join(" "),
    )
}

/// Browsers ask for gzip; the reports once came as a 200 with no bytes and a
/// dropped connection. A board member clicks the three download links of the
/// 2025 report on the agency's page; Chromium saves each file whole, under
/// the name the server gives, and each opens with its reader's tool and holds
/// what the server sends to a plain HTTP client.
#[sqlx::test]
async fn a_board_member_downloads_the_yearly_report_in_each_format(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    browser.sign_in("anaser.ca").await;
    browser.open("/agencies/ANASER").await;
    // The same files as a plain HTTP client gets them, to compare.
    let router = app(&pool);
    let mut board = signed_in(&router, "anaser.ca").await;
    let link = |href: &str| format!("#reports a[href=\"{href}\"]");
    let file_name = |path: &Path| path.file_name().unwrap().to_string_lossy().into_owned();

    let href = "/agencies/ANASER/report/2025.xlsx";
    let xlsx = browser.download(&link(href)).await;
    let expected = board.get(href).await;
    assert_eq!(file_name(&xlsx), attachment_name(&expected));
    let cells = workbook_cells(&xlsx);
    let names: Vec<&str> = cells.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        ["Synthèse", "Activités", "Indicateurs", "Financement"]
    );
    let activities = &cells[1].1;
    assert_eq!(activities.len(), 1 + 49, "a header and 49 activities");
    assert!(activities[1..].iter().all(|row| row[0] == "ANASER"));
    assert!(
        cells[0]
            .1
            .iter()
            .flatten()
            .any(|cell| cell.contains("ANASER")),
        "the summary names the agency: {:?}",
        cells[0].1
    );
    let sent = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sent.path(), &expected.bytes).unwrap();
    assert_eq!(cells, workbook_cells(sent.path()), "what the server sends");

    let href = "/agencies/ANASER/report/2025.csv";
    let csv = browser.download(&link(href)).await;
    let expected = board.get(href).await;
    assert_eq!(file_name(&csv), attachment_name(&expected));
    let bytes = std::fs::read(&csv).unwrap();
    assert_eq!(bytes, expected.bytes, "the CSV byte for byte");
    let text = String::from_utf8(bytes).expect("UTF-8");
    let rows = parse_csv(text.strip_prefix('\u{feff}').expect("a BOM"), ';');
    assert_eq!(rows.len(), 1 + 49, "a header and 49 activities");
    assert!(rows.iter().all(|row| row.len() == rows[0].len()));
    assert!(rows[0].contains(&"Statut".to_owned()), "{:?}", rows[0]);
    assert!(rows[1..].iter().all(|row| row[0] == "ANASER"));

    let href = "/agencies/ANASER/report/2025.pdf";
    let pdf = browser.download(&link(href)).await;
    let expected = board.get(href).await;
    assert_eq!(file_name(&pdf), attachment_name(&expected));
    let (pages, text) = pdf_pages_and_text(&pdf);
    assert!(pages >= 3, "{pages} pages");
    for wanted in [
        "Rapport annuel de performance 2025",
        "Agence Nationale de la Sécurité Routière (ANASER)",
        "Sur les 49 activités prévues",
    ] {
        assert!(text.contains(wanted), "{wanted:?} not in the PDF: {text}");
    }
    let sent = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(sent.path(), &expected.bytes).unwrap();
    assert_eq!((pages, text), pdf_pages_and_text(sent.path()));

    // Downloading left the agency's page where it was.
    assert_eq!(browser.path().await, "/agencies/ANASER");
    browser.close().await;
}

/// The done count on a session's dashboard, as a board member reads it.
async fn board_done(browser: &Browser, session: i64) -> String {
    browser.open(&format!("/sessions/{session}")).await;
    browser.text("#headline [data-figure=done]").await
}

/// A 1×1 PNG, as a phone's photo stands in for here.
const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDAT\x78\x9c\x63\x00\x01\x00\x00\x05\x00\x01\x0d\x0a\x2d\xb4\x00\x00\x00\x00IEND\xaeB`\x82";

#[sqlx::test]
async fn a_staff_update_with_a_photo_counts_once_the_m_and_e_unit_validates_it(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    // A session not yet held, reviewing the PAP 2026: its dashboard is live.
    let session: i64 = sqlx::query_scalar(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, place, \
         reviewed_plan_id) VALUES ($1, 31, 'ordinary', '2026-12-20', '2026-11-30', 'Bamako', $2) \
         RETURNING id",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let activity = activity_id(&pool, plan, "B1.06").await;
    browser.sign_in("anaser.ca").await;
    let before = board_done(&browser, session).await;
    browser.submit("form.logout").await;

    // The staff member marks the activity done, then attaches the photo.
    browser.sign_in("anaser.editeur").await;
    browser.open(&format!("/activities/{activity}")).await;
    browser
        .fill_and_submit(
            "form#progress",
            &[
                ("status", "done"),
                ("achieved", "5"),
                ("as_of", "2026-11-25"),
                ("comment", "Axes géolocalisés"),
            ],
        )
        .await;
    assert_eq!(
        browser.attrs("#review-note", "data-review").await,
        ["submitted"]
    );
    let update: i64 =
        sqlx::query_scalar("SELECT max(id) FROM progress_updates WHERE activity_id = $1")
            .bind(activity)
            .fetch_one(&pool)
            .await
            .unwrap();
    let photo = std::env::temp_dir().join(format!("suivi-photo-{update}.png"));
    std::fs::write(&photo, PHOTO).unwrap();
    // Opening the "add evidence" disclosure, as the staff member taps it.
    browser
        .script(
            "document.querySelector(arguments[0]).open = true; return true;",
            vec![serde_json::json!(format!("#attach-{update}"))],
        )
        .await;
    let photo_path = photo.display().to_string();
    browser
        .fill_and_submit(
            &format!("#attach-{update} form"),
            &[("file", photo_path.as_str())],
        )
        .await;
    assert_eq!(browser.status().await, 200);
    browser.submit("form.logout").await;

    // Not counted yet: the board's figure has not moved.
    browser.sign_in("anaser.ca").await;
    assert_eq!(board_done(&browser, session).await, before);
    browser.submit("form.logout").await;

    // The M&E unit opens it from the queue, sees the photo, validates.
    browser.sign_in("anaser.se").await;
    browser.open("/validation").await;
    browser
        .click(&format!("#queue tr[data-update=\"{update}\"] a"))
        .await;
    assert_eq!(browser.path().await, format!("/validation/{update}"));
    assert_eq!(browser.count("#evidence [data-attachment]").await, 1);
    browser.screenshot("validation-update").await;
    browser.submit("form#decision").await;
    assert_eq!(browser.path().await, "/validation");
    browser.submit("form.logout").await;

    // The board member sees the figure move.
    browser.sign_in("anaser.ca").await;
    let after: i64 = board_done(&browser, session).await.parse().unwrap();
    assert_eq!(after, before.parse::<i64>().unwrap() + 1);
    browser.close().await;
    std::fs::remove_file(photo).ok();
}

/// The grid's save button is in sight as the page opens, on a phone and on
/// a desktop, and stays in sight after scrolling to the middle of the rows
/// (a sticky bar, no JavaScript of ours).
#[sqlx::test]
async fn the_grid_s_save_button_is_visible_without_scrolling(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    browser.sign_in("anaser.editeur").await;
    // The button's box inside the viewport: top, bottom, left, right.
    let in_view = "const r = document.querySelector('#grid-save').getBoundingClientRect(); \
        return r.height > 0 && r.top >= 0 && r.left >= 0 \
          && r.bottom <= window.innerHeight && r.right <= window.innerWidth;";
    for (width, height) in [(390, 844), (1280, 800)] {
        browser.set_viewport(width, height).await;
        let viewport = browser
            .script("return [window.innerWidth, window.innerHeight];", vec![])
            .await;
        assert_eq!(viewport, serde_json::json!([width, height]));
        browser.open(&format!("/plans/{plan}/grid")).await;
        browser.wait_for("#grid-save").await;
        let tall = browser
            .script(
                "return document.documentElement.scrollHeight > 2 * window.innerHeight;",
                vec![],
            )
            .await;
        assert_eq!(
            tall,
            serde_json::json!(true),
            "a grid taller than the window"
        );
        assert_eq!(
            browser.script(in_view, vec![]).await,
            serde_json::json!(true),
            "visible at {width}x{height} as the page opens"
        );
        browser.screenshot(&format!("grid-save-{width}")).await;
        browser
            .script(
                "window.scrollTo(0, document.documentElement.scrollHeight / 2); return true;",
                vec![],
            )
            .await;
        assert_eq!(
            browser.script(in_view, vec![]).await,
            serde_json::json!(true),
            "still visible at {width}x{height} halfway down"
        );
    }
    browser.close().await;
}
