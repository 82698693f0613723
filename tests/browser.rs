//! The session dashboard in a real headless Chromium: the page as the browser
//! builds it shows the headline figures, prints to an A4 PDF and is screenshotted
//! into `test-output/` for people to look at.
//!
//! Chromium comes from Debian (`.ci/run` installs it). Without it the test says
//! so and passes, unless `SUIVI_REQUIRE_BROWSER=1` (set by `.ci/run`), where a
//! missing browser is a failure.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use scraper::{Html, Selector};
use sqlx::PgPool;
use tokio::process::Command;

fn chromium() -> Option<PathBuf> {
    let found = [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var("SUIVI_REQUIRE_BROWSER").is_err(),
            "SUIVI_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)"
        );
        eprintln!("skipped: Chromium is not installed");
    }
    found
}

/// Runs headless Chromium on `url` with `extra` flags; returns its stdout.
async fn run_chromium(browser: &Path, profile: &Path, url: &str, extra: &[String]) -> String {
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            // The machine has no network: keep Chromium from trying.
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--lang=fr-FR",
            "--accept-lang=fr-FR,fr",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .kill_on_drop(true)
        .output()
        .await
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[sqlx::test]
async fn the_dashboard_renders_prints_and_screenshots_in_chromium(pool: PgPool) {
    let Some(browser) = chromium() else { return };
    let app = demo_app(&pool).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let id = session_id(&pool, "ANASER", 30).await;
    let url = format!("http://{address}/sessions/{id}");
    let profile = tempfile::tempdir().unwrap();

    // The DOM as Chromium built it, in French (the browser asks for fr-FR).
    let dom = run_chromium(&browser, profile.path(), &url, &["--dump-dom".to_owned()]).await;
    let html = Html::parse_document(&dom);
    let text = |css: &str| {
        let selector = Selector::parse(css).unwrap();
        let element = html
            .select(&selector)
            .next()
            .unwrap_or_else(|| panic!("{css} in {dom}"));
        element
            .text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(text("#headline [data-figure=done]"), "32");
    assert_eq!(text("#headline [data-figure=planned]"), "49");
    assert_eq!(text("#headline [data-figure=execution-rate]"), "65 %");
    assert_eq!(text("#headline [data-figure=above-target]"), "10");

    let out = output_dir();
    let pdf = out.join("session-30.pdf");
    let png = out.join("session-30.png");
    let _ = std::fs::remove_file(&pdf);
    let _ = std::fs::remove_file(&png);
    run_chromium(
        &browser,
        profile.path(),
        &url,
        &[
            "--no-pdf-header-footer".to_owned(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    )
    .await;
    run_chromium(
        &browser,
        profile.path(),
        &url,
        &[
            "--window-size=1200,2400".to_owned(),
            format!("--screenshot={}", png.display()),
        ],
    )
    .await;
    server.abort();

    let pdf_bytes = std::fs::read(&pdf).expect("a PDF was printed");
    assert!(pdf_bytes.starts_with(b"%PDF-"));
    let pdf_text = String::from_utf8_lossy(&pdf_bytes);
    // The print stylesheet asks for A4 portrait: 595 × 842 points, on every page.
    let boxes: Vec<&str> = pdf_text
        .split("/MediaBox [")
        .skip(1)
        .filter_map(|rest| rest.split(']').next())
        .collect();
    assert!(!boxes.is_empty(), "the PDF has pages");
    assert!(
        boxes.iter().all(|b| *b == "0 0 594.95996 841.91998"),
        "not all A4: {boxes:?}"
    );
    let png_bytes = std::fs::read(&png).expect("a screenshot was taken");
    assert!(png_bytes.starts_with(b"\x89PNG"));
}
