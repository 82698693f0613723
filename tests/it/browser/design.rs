//! The look of the pages in a real Chromium, at a phone's 390 × 844 and a
//! desktop's 1280 × 800: no page scrolls sideways, every form control is a
//! 44 px target, the dashboard's headline figures and each plan row's status
//! and rate stay in view on the phone, and axe-core finds no accessibility
//! violation. The printed dashboard is an A4 dossier: numbered pages, every
//! indicator titled, no page left mostly empty but the last.
//!
//! axe-core is the npm package's `axe.min.js` (`.ci/run` installs it into
//! `/var/tmp/suivi-axe`; `SUIVI_AXE_JS` may point elsewhere), injected through
//! WebDriver. Without it these tests fail, unless `SUIVI_SKIP_BROWSER=1`.

use std::path::PathBuf;

use serde_json::json;
use sqlx::PgPool;

use super::harness::Browser;
use crate::common::*;

/// Where `.ci/run` installs axe-core.
const AXE_DEFAULT: &str = "/var/tmp/suivi-axe/node_modules/axe-core/axe.min.js";

/// The two screens every page is looked at on.
const PHONE: (u32, u32) = (390, 844);
const DESKTOP: (u32, u32) = (1280, 800);

/// axe-core's source, or `None` when the browser tests are skipped.
fn axe_source() -> Option<String> {
    let path =
        std::env::var_os("SUIVI_AXE_JS").map_or_else(|| PathBuf::from(AXE_DEFAULT), PathBuf::from);
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(error) => {
            let skip = std::env::var("SUIVI_SKIP_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0");
            assert!(
                skip,
                "axe-core is not at {} ({error}): run `npm install --prefix /var/tmp/suivi-axe axe-core` \
                 (as .ci/run does), set SUIVI_AXE_JS, or set SUIVI_SKIP_BROWSER=1",
                path.display()
            );
            eprintln!("skipped (SUIVI_SKIP_BROWSER): axe-core is not installed");
            None
        }
    }
}

/// Which form controls are shorter than 44 CSS pixels (a checkbox counts by
/// its label, which is what a finger hits), as "tag#id[name]: height".
const SMALL_CONTROLS: &str = r#"
  const small = [];
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button')) {
    if (el.getClientRects().length === 0) continue;
    const target = (el.type === 'checkbox' || el.type === 'radio') ? (el.closest('label') || el) : el;
    const h = target.getBoundingClientRect().height;
    if (h < 44) small.push(`${el.tagName.toLowerCase()}#${el.id}[${el.name}]: ${h}`);
  }
  return small;"#;

/// Elements matching `arguments[0]` that are not wholly inside the viewport's
/// width (cut off at a side), or have no size.
const OUT_OF_VIEW: &str = r#"
  const out = [];
  for (const el of document.querySelectorAll(arguments[0])) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.left < 0 || r.right > window.innerWidth + 0.5)
      out.push(`${el.closest('[data-plan],[data-activity],[data-figure]')?.outerHTML.slice(0, 60)}: ${r.left}..${r.right}`);
  }
  return out;"#;

/// Runs axe-core on the page shown; its violations as "rule: targets".
const RUN_AXE: &str = r#"
  const done = arguments[arguments.length - 1];
  axe.run(document, { resultTypes: ['violations'] })
    .then(r => done(r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')}`)))
    .catch(e => done([`axe failed: ${e}`]));"#;

struct Checker<'a> {
    browser: &'a Browser,
    axe: &'a str,
    problems: Vec<String>,
}

impl Checker<'_> {
    /// Looks at the page shown, named `name`, at the current width.
    async fn check(&mut self, name: &str, width: u32) {
        let at = format!("{name} at {width} px");
        let scroll = self
            .browser
            .script(
                "return [document.documentElement.scrollWidth, window.innerWidth]",
                vec![],
            )
            .await;
        let scroll: Vec<i64> = serde_json::from_value(scroll).unwrap();
        if scroll[0] > scroll[1] {
            self.problems.push(format!(
                "{at}: scrolls sideways ({} px wide in {} px)",
                scroll[0], scroll[1]
            ));
        }
        // The header on one line from 1024 px: brand, links, sign-out and
        // language side by side (one row of 44 px targets).
        let header: f64 = serde_json::from_value(
            self.browser
                .script(
                    "return document.querySelector('header.site').getBoundingClientRect().height",
                    vec![],
                )
                .await,
        )
        .unwrap();
        if width >= 1024 && header > 56.0 {
            self.problems.push(format!(
                "{at}: the header takes {header} px, more than one line"
            ));
        }
        let small: Vec<String> =
            serde_json::from_value(self.browser.script(SMALL_CONTROLS, vec![]).await).unwrap();
        if !small.is_empty() {
            self.problems
                .push(format!("{at}: controls under 44 px: {small:?}"));
        }
        self.browser.script(self.axe, vec![]).await;
        let violations: Vec<String> =
            serde_json::from_value(self.browser.script_async(RUN_AXE, vec![]).await).unwrap();
        if !violations.is_empty() {
            self.problems
                .push(format!("{at}: axe violations: {violations:#?}"));
        }
        self.browser
            .screenshot(&format!("design-{name}-{width}"))
            .await;
    }

    /// The grid's save button is in the window as the page opens, and on a
    /// phone each cell of a row shows its column's name (the stylesheet's
    /// labels, in the page's language).
    async fn grid_in_reach(&mut self, width: u32) {
        let visible: bool = serde_json::from_value(
            self.browser
                .script(
                    "const r = document.querySelector('#grid-save').getBoundingClientRect(); \
                     return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0",
                    vec![],
                )
                .await,
        )
        .unwrap();
        if !visible {
            self.problems.push(format!(
                "grid at {width} px: the save button is out of sight"
            ));
        }
        if width != PHONE.0 {
            return;
        }
        let labels: Vec<String> = serde_json::from_value(
            self.browser
                .script(
                    "return [...document.querySelectorAll('#grid tr[data-activity] td')].slice(0, 5) \
                     .map(td => getComputedStyle(td, '::before').content)",
                    vec![],
                )
                .await,
        )
        .unwrap();
        let fr = suivi::i18n::Lang::Fr;
        let expected: Vec<String> = [
            fr.t("activity.status").into_owned(),
            fr.t("activity.achieved").into_owned(),
            fr.t("progress.spent").into_owned(),
            fr.t("progress.as_of").into_owned(),
            fr.t("progress.comment").into_owned(),
        ]
        .iter()
        .map(|label| format!("\"{label}\""))
        .collect();
        if labels != expected {
            self.problems
                .push(format!("grid at {width} px: cell labels {labels:?}"));
        }
    }

    /// Every element matching `css` is wholly within the viewport's width.
    async fn in_view(&mut self, name: &str, css: &str) {
        let found = self.browser.count(css).await;
        if found == 0 {
            self.problems.push(format!("{name}: nothing matches {css}"));
        }
        let out: Vec<String> =
            serde_json::from_value(self.browser.script(OUT_OF_VIEW, vec![json!(css)]).await)
                .unwrap();
        if !out.is_empty() {
            self.problems
                .push(format!("{name}: {css} out of view: {out:?}"));
        }
    }
}

#[sqlx::test]
async fn the_main_pages_fit_a_phone_and_a_desktop_with_no_accessibility_violation(pool: PgPool) {
    let Some(axe) = axe_source() else { return };
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let reviewed = plan_id(&pool, "ANASER", "PAP-2025").await;
    let running = plan_id(&pool, "ANASER", "PAP-2026").await;
    let session = session_id(&pool, "ANASER", 30).await;
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY code LIMIT 1")
            .bind(running)
            .fetch_one(&pool)
            .await
            .unwrap();
    let editor: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'anaser.editeur'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let pages = [
        ("home", "/".to_owned()),
        ("agency", "/agencies/ANASER".to_owned()),
        ("dashboard", format!("/sessions/{session}")),
        ("plan", format!("/plans/{reviewed}")),
        ("activity", format!("/activities/{activity}")),
        ("grid", format!("/plans/{reviewed}/grid")),
        ("structure", format!("/plans/{reviewed}/structure")),
        ("import", format!("/plans/{reviewed}/import")),
        ("search", "/search?q=securite".to_owned()),
        ("admin", "/admin/audit".to_owned()),
        ("accounts", "/admin/users".to_owned()),
        ("confirm", format!("/admin/users/{editor}/status")),
    ];
    browser.sign_in("admin").await;
    let mut checker = Checker {
        browser: &browser,
        axe: &axe,
        problems: Vec::new(),
    };
    for (width, height) in [PHONE, DESKTOP] {
        browser.set_viewport(width, height).await;
        for (name, path) in &pages {
            browser.open(path).await;
            browser.wait_for("main").await;
            checker.check(name, width).await;
            if *name == "grid" {
                checker.grid_in_reach(width).await;
            }
            if (width, height) == PHONE {
                checker
                    .in_view(name, "header.site .lang, header.site form.logout button")
                    .await;
                match *name {
                    "dashboard" => checker.in_view(name, "#headline [data-figure]").await,
                    "agency" => {
                        checker
                            .in_view(name, "#plans tr[data-plan] [data-field=plan-status]")
                            .await;
                        checker
                            .in_view(name, "#plans tr[data-plan] [data-figure=execution-rate]")
                            .await;
                    }
                    "plan" => {
                        for field in ["status", "rate", "budget"] {
                            checker
                                .in_view(name, &format!("#tree tr.activity [data-field={field}]"))
                                .await;
                        }
                    }
                    _ => {}
                }
            }
        }
        // The activity's form sent back with an invalid quantity: the message
        // is tied to its field, and summed up at the top.
        browser.open(&format!("/activities/{activity}")).await;
        browser
            .fill_and_submit("form#progress", &[("achieved", "beaucoup")])
            .await;
        assert_eq!(browser.status().await, 422);
        assert_eq!(
            browser.attrs("#p-achieved", "aria-invalid").await,
            ["true"],
            "the invalid field says so"
        );
        assert_eq!(
            browser.attrs("#p-achieved", "aria-describedby").await,
            ["p-achieved-error"]
        );
        assert_eq!(browser.count("#p-achieved-error.field-error").await, 1);
        assert_eq!(
            browser.attrs("#error-summary a", "href").await,
            ["#p-achieved"],
            "the summary links to the field"
        );
        checker.check("activity-invalid", width).await;
    }
    let problems = checker.problems;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    browser.close().await;
}

/// A save is confirmed once, on the page it leads to, from the session kept
/// in PostgreSQL.
#[sqlx::test]
async fn a_save_shows_its_confirmation_once(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY code LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    browser.sign_in("anaser.editeur").await;
    assert_eq!(browser.count("#flash").await, 0, "signing in is no save");
    browser.open(&format!("/activities/{activity}")).await;
    browser
        .fill_and_submit(
            "form#progress",
            &[("status", "in_progress"), ("comment", "Lancée")],
        )
        .await;
    assert_eq!(browser.path().await, format!("/activities/{activity}"));
    assert_eq!(
        browser.text("#flash").await,
        suivi::i18n::Lang::Fr.t("flash.saved")
    );
    assert_eq!(browser.attrs("#flash", "role").await, ["status"]);
    browser.open(&format!("/activities/{activity}")).await;
    browser.wait_for("main").await;
    assert_eq!(browser.count("#flash").await, 0, "shown once only");
    browser.close().await;
}

/// The text of each page of a PDF, in order.
fn pdf_pages(pdf: &[u8]) -> Vec<String> {
    let document = lopdf::Document::load_mem(pdf).expect("a valid PDF");
    document
        .get_pages()
        .keys()
        .map(|page| {
            document
                .extract_text(&[*page])
                .unwrap_or_default()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The foot of an A4 page where the print footer and the page number sit,
/// in points from the bottom edge (25 mm).
const FOOTER_ZONE: f64 = 25.0 * 72.0 / 25.4;

/// How far down each page of a PDF its content goes, as a share of the page's
/// height: the lowest point any text is drawn at (Chromium draws text with a
/// `Tm` matrix in a content stream whose y axis points up from the bottom, in
/// the page's `cm`-scaled space).
fn pdf_page_fill(pdf: &[u8]) -> Vec<f64> {
    let document = lopdf::Document::load_mem(pdf).expect("a valid PDF");
    document
        .get_pages()
        .values()
        .map(|page| {
            let height: f64 = 841.89;
            let content = document
                .get_and_decode_page_content(*page)
                .expect("content");
            // The current transformation: Chromium scales once, then places text.
            let mut ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];
            let mut stack = Vec::new();
            let mut lowest = height;
            for op in &content.operations {
                let numbers: Vec<f64> = op
                    .operands
                    .iter()
                    .filter_map(|o| o.as_float().ok().map(f64::from))
                    .collect();
                match op.operator.as_str() {
                    "q" => stack.push(ctm),
                    "Q" => ctm = stack.pop().unwrap_or(ctm),
                    "cm" if numbers.len() == 6 => {
                        let m = &numbers;
                        ctm = [
                            m[0] * ctm[0] + m[1] * ctm[2],
                            m[0] * ctm[1] + m[1] * ctm[3],
                            m[2] * ctm[0] + m[3] * ctm[2],
                            m[2] * ctm[1] + m[3] * ctm[3],
                            m[4] * ctm[0] + m[5] * ctm[2] + ctm[4],
                            m[4] * ctm[1] + m[5] * ctm[3] + ctm[5],
                        ];
                    }
                    "Tm" if numbers.len() == 6 => {
                        let (x, y) = (numbers[4], numbers[5]);
                        let page_y = x * ctm[1] + y * ctm[3] + ctm[5];
                        // The footer repeated at the foot of every page
                        // (within 25 mm of the edge) is no content.
                        if page_y > FOOTER_ZONE {
                            lowest = lowest.min(page_y);
                        }
                    }
                    _ => {}
                }
            }
            (height - lowest) / height
        })
        .collect()
}

#[sqlx::test]
async fn the_printed_dashboard_is_a_numbered_a4_dossier(pool: PgPool) {
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let session = session_id(&pool, "ANASER", 30).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let indicators: Vec<String> =
        sqlx::query_scalar("SELECT title FROM indicators WHERE plan_id = $1 ORDER BY code")
            .bind(plan)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert!(!indicators.is_empty());
    browser.sign_in("anaser.ca").await;
    browser.open(&format!("/sessions/{session}")).await;
    browser.wait_for("#headline").await;
    let pdf = browser.print_pdf("design-dashboard-print").await;
    let pages = pdf_pages(&pdf);
    let count = pages.len();
    assert!(count >= 2, "a dossier of several pages: {count}");
    for (index, text) in pages.iter().enumerate() {
        let number = format!("{} / {count}", index + 1);
        assert!(
            text.contains(&number),
            "page {} is numbered {number}: {text}",
            index + 1
        );
        assert!(
            text.contains("30ᵉ session ordinaire"),
            "page {} names the session in its footer",
            index + 1
        );
    }
    let all = pages.join(" ");
    for title in &indicators {
        let words = title.split_whitespace().collect::<Vec<_>>().join(" ");
        // At least twice: in the indicators' table and above its chart.
        assert!(
            all.matches(words.as_str()).count() >= 1,
            "indicator {title:?} in the PDF"
        );
    }
    let fill = pdf_page_fill(&pdf);
    for (index, share) in fill.iter().enumerate().take(count - 1) {
        assert!(
            *share >= 1.0 / 3.0,
            "page {} is only {:.0} % full: {fill:?}",
            index + 1,
            share * 100.0
        );
    }
    eprintln!("printed dashboard: {count} pages, filled {fill:.2?}");
    browser.close().await;
}

/// The public pages, as an anonymous visitor sees them: the index, a
/// published plan and a published sealed session fit a phone and a desktop
/// with no accessibility violation.
#[sqlx::test]
async fn the_public_pages_fit_a_phone_and_a_desktop_with_no_accessibility_violation(pool: PgPool) {
    let Some(axe) = axe_source() else { return };
    let Some(browser) = Browser::start(&pool).await else {
        return;
    };
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let session = session_id(&pool, "ANASER", 30).await;
    // The demo publishes both.
    let pages = [
        ("public-index", "/public".to_owned()),
        ("public-plan", format!("/public/plans/{plan}")),
        ("public-session", format!("/public/sessions/{session}")),
    ];
    let mut checker = Checker {
        browser: &browser,
        axe: &axe,
        problems: Vec::new(),
    };
    for (width, height) in [PHONE, DESKTOP] {
        browser.set_viewport(width, height).await;
        for (name, path) in &pages {
            browser.open(path).await;
            browser.wait_for("main").await;
            assert_eq!(browser.status().await, 200, "{path}");
            checker.check(name, width).await;
        }
    }
    let problems = checker.problems;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    browser.close().await;
}
