//! The yearly reports and the session dashboard as files, read back the way
//! their readers' tools read them: the XLSX with calamine (and its XML for
//! what calamine does not show), the CSV as French Excel splits it, the PDF
//! parsed and its text extracted. Also who may download what, bad
//! parameters, the `suivi export report` command, and every download route
//! asked for gzip as browsers do.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use crate::common::*;
use axum::http::StatusCode;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use http_body_util::BodyExt;
use sqlx::PgPool;
use tower::ServiceExt;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const BOM: &str = "\u{feff}";

fn workbook(page: &Page) -> Xlsx<Cursor<Vec<u8>>> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.content_type, XLSX);
    open_workbook_from_rs(Cursor::new(page.bytes.clone())).expect("a workbook calamine opens")
}

fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    book.worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"))
        .rows()
        .map(<[Data]>::to_vec)
        .collect()
}

fn text(cell: Option<&Data>) -> String {
    match cell {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn number(cell: Option<&Data>) -> f64 {
    match cell {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// The value beside a label in the first column of the summary sheet.
fn headline(rows: &[Vec<Data>], label: &str) -> f64 {
    let row = rows
        .iter()
        .find(|row| text(row.first()) == label)
        .unwrap_or_else(|| panic!("no line {label:?}"));
    number(row.get(1))
}

/// A file inside the XLSX (a zip of XML files).
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    let mut part = archive.by_name(name).expect("the part");
    let mut xml = String::new();
    part.read_to_string(&mut xml).unwrap();
    xml
}

fn csv_rows(page: &Page, separator: char) -> Vec<Vec<String>> {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.content_type, "text/csv; charset=utf-8");
    assert!(page.body.starts_with(BOM), "a byte-order mark first");
    parse_csv(&page.body[BOM.len()..], separator)
}

fn column(rows: &[Vec<String>], title: &str) -> usize {
    rows[0]
        .iter()
        .position(|t| t == title)
        .unwrap_or_else(|| panic!("no column {title:?} in {:?}", rows[0]))
}

/// The text of a PDF, with every kind of space made a plain space.
fn pdf_text(page: &Page) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.content_type, "application/pdf");
    pdf_text_of(&page.bytes)
}

fn pdf_pages(page: &Page) -> usize {
    lopdf::Document::load_mem(&page.bytes)
        .expect("a valid PDF")
        .get_pages()
        .len()
}

const ANASER_XLSX: &str = "/agencies/ANASER/report/2025.xlsx?as_of=2025-11-30";

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_anaser_workbook_holds_the_figures_of_the_30th_session(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let page = board.get(ANASER_XLSX).await;
    assert_eq!(
        page.disposition.as_deref(),
        Some("attachment; filename=\"rapport-ANASER-2025-au-2025-11-30.xlsx\"")
    );
    let mut book = workbook(&page);
    assert_eq!(
        book.sheet_names(),
        ["Synthèse", "Activités", "Indicateurs", "Financement"]
    );

    let summary = sheet(&mut book, "Synthèse");
    assert_eq!(
        text(summary[0].first()),
        "Rapport annuel de performance 2025"
    );
    assert_eq!(headline(&summary, "Activités prévues"), 49.0);
    assert_eq!(headline(&summary, "Activités réalisées"), 32.0);
    assert_eq!(headline(&summary, "Réalisées au-delà de la cible"), 10.0);
    // A real percentage: the exact rate, shown as 65 % by the cell's format.
    let rate = headline(&summary, "Taux d’exécution physique");
    assert!((rate - 32.0 / 49.0).abs() < 1e-12, "{rate}");

    // Each priority action as on the session's dashboard.
    let session = session_id(&pool, "ANASER", 30).await;
    let dashboard = board.get(&format!("/sessions/{session}")).await;
    let codes = dashboard.attrs("tr[data-node]", "data-node");
    let done = dashboard.attrs("tr[data-node]", "data-done");
    let planned = dashboard.attrs("tr[data-node]", "data-planned");
    assert_eq!(codes.len(), 5, "five priority actions");
    let in_workbook: HashMap<String, (f64, f64)> = summary
        .iter()
        .filter(|row| text(row.first()) == "Action prioritaire")
        .map(|row| (text(row.get(2)), (number(row.get(5)), number(row.get(4)))))
        .collect();
    assert_eq!(in_workbook.len(), 5);
    for ((code, done), planned) in codes.iter().zip(&done).zip(&planned) {
        assert_eq!(
            in_workbook[code],
            (done.parse().unwrap(), planned.parse().unwrap()),
            "{code}"
        );
    }

    let activities = sheet(&mut book, "Activités");
    assert_eq!(activities.len(), 1 + 49);
    assert_eq!(text(activities[0].get(5)), "Activité");
    let status = activities[0]
        .iter()
        .position(|c| text(Some(c)) == "Statut")
        .unwrap();
    let done_rows = activities[1..]
        .iter()
        .filter(|row| text(row.get(status)) == "Réalisée")
        .count();
    assert_eq!(done_rows, 32);
    let first = &activities[1];
    assert!(
        matches!(first.get(11), Some(Data::DateTime(_))),
        "{first:?}"
    );
    assert!(
        matches!(first.get(17), Some(Data::DateTime(_))),
        "{first:?}"
    );
    let budget = number(first.get(12));
    assert!(budget > 0.0 && budget.fract() == 0.0, "{budget}");

    let indicators = sheet(&mut book, "Indicateurs");
    assert_eq!(text(indicators[0].get(6)), "Référence");
    assert!(indicators.len() > 1);
    let funding = sheet(&mut book, "Financement");
    assert!(funding.len() > 1);
    assert_eq!(text(funding[0].get(4)), "Devise");
    assert_eq!(text(funding[0].get(5)), "Prévu");
    assert_eq!(text(funding[1].get(4)), "FCFA");

    // Frozen header, filters, money and percentage formats, date cells.
    let activity_xml = xlsx_part(&page.bytes, "xl/worksheets/sheet2.xml");
    assert!(activity_xml.contains(r#"ySplit="1""#), "frozen header row");
    assert!(
        activity_xml.contains("<autoFilter ref=\"A1:U50\""),
        "filters"
    );
    let styles = xlsx_part(&page.bytes, "xl/styles.xml");
    assert!(styles.contains(r#"numFmtId="3""#), "money without decimals");
    assert!(styles.contains(r#"numFmtId="9""#), "percentages");
    assert!(styles.contains(r#"numFmtId="14""#), "dates");

    // Printed: A4 landscape, one page wide, header row on every page, numbered.
    for part in 1..=4 {
        let xml = xlsx_part(&page.bytes, &format!("xl/worksheets/sheet{part}.xml"));
        assert!(
            xml.contains(r#"<pageSetUpPr fitToPage="1"/>"#),
            "sheet {part} fits the page"
        );
        assert!(
            xml.contains(r#"paperSize="9""#) && xml.contains(r#"orientation="landscape""#),
            "sheet {part} on A4 landscape"
        );
        assert!(
            xml.contains(r#"fitToHeight="0""#),
            "sheet {part} one page wide"
        );
        assert!(xml.contains("&amp;P / &amp;N"), "sheet {part} numbered");
    }
    let workbook_xml = xlsx_part(&page.bytes, "xl/workbook.xml");
    assert!(
        workbook_xml.contains("_xlnm.Print_Titles"),
        "the header row repeats"
    );
    // The summary's wrapped titles get rows tall enough for them.
    let summary_xml = xlsx_part(&page.bytes, "xl/worksheets/sheet1.xml");
    assert!(summary_xml.contains(r#"customHeight="1""#), "{summary_xml}");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_workbook_speaks_english_to_english_readers(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let page = board
        .get_with(ANASER_XLSX, &[("cookie", "suivi_lang=en")])
        .await;
    let mut book = workbook(&page);
    assert_eq!(
        book.sheet_names(),
        ["Summary", "Activities", "Indicators", "Funding"]
    );
    let summary = sheet(&mut book, "Summary");
    assert_eq!(headline(&summary, "Activities done"), 32.0);
    let activities = sheet(&mut book, "Activities");
    assert!(activities[1..]
        .iter()
        .any(|row| row.iter().any(|c| text(Some(c)) == "Done")));
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_csv_opens_in_french_excel(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut viewer = signed_in(&app, "anaser.ca").await;
    let page = viewer
        .get("/agencies/ANASER/report/2025.csv?as_of=2025-11-30")
        .await;
    let rows = csv_rows(&page, ';');
    assert_eq!(rows.len(), 1 + 49);
    assert!(rows.iter().all(|row| row.len() == rows[0].len()));
    let status = column(&rows, "Statut");
    let done = rows[1..].iter().filter(|r| r[status] == "Réalisée").count();
    assert_eq!(done, 32);
    // Decimal comma, plain integers, ISO dates.
    let rate = column(&rows, "Taux de réalisation");
    assert!(rows[1..].iter().any(|r| r[rate].contains(',')));
    let budget = column(&rows, "Budget");
    let currency = column(&rows, "Devise");
    assert!(rows[1..].iter().all(|r| r[currency] == "FCFA"));
    assert!(rows[1..].iter().all(|r| r[budget].parse::<i64>().is_ok()));
    let end = column(&rows, "Fin prévue");
    assert!(rows[1..].iter().all(
        |r| r[end].is_empty() || chrono::NaiveDate::parse_from_str(&r[end], "%Y-%m-%d").is_ok()
    ));

    // A comma on request, with a decimal point.
    let page = viewer
        .get("/agencies/ANASER/report/2025.csv?as_of=2025-11-30&sep=comma")
        .await;
    let comma = csv_rows(&page, ',');
    assert_eq!(comma.len(), 1 + 49);
    assert_eq!(comma[0], rows[0]);
    let rate = column(&comma, "Taux de réalisation");
    assert!(comma[1..].iter().any(|r| r[rate].contains('.')));
    assert!(comma[1..].iter().all(|r| !r[rate].contains(',')));

    // The other tables, one file each.
    let page = viewer
        .get("/agencies/ANASER/report/2025.csv?as_of=2025-11-30&table=summary")
        .await;
    assert!(page
        .disposition
        .as_deref()
        .is_some_and(|d| d.ends_with("-summary.csv\"")));
    let summary = csv_rows(&page, ';');
    let planned = column(&summary, "Prévues");
    let done = column(&summary, "Réalisées");
    assert_eq!(summary[1][0], "Ensemble");
    assert_eq!(
        (summary[1][planned].as_str(), summary[1][done].as_str()),
        ("49", "32")
    );
    assert_eq!(summary[1][column(&summary, "Taux d’exécution")], "65,3");
    for table in ["indicators", "funding"] {
        let page = viewer
            .get(&format!(
                "/agencies/ANASER/report/2025.csv?as_of=2025-11-30&table={table}"
            ))
            .await;
        assert!(csv_rows(&page, ';').len() > 1, "{table}");
    }
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_pdf_is_a_valid_a4_report_with_the_headline_figures(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut viewer = signed_in(&app, "anaser.ca").await;
    let page = viewer
        .get("/agencies/ANASER/report/2025.pdf?as_of=2025-11-30")
        .await;
    let text = pdf_text(&page);
    for expected in [
        "Rapport annuel de performance 2025",
        "Agence Nationale de la Sécurité Routière (ANASER)",
        "Situation au 30 novembre 2025",
        "32 / 49",
        "65 %",
        "Sur les 49 activités prévues, 32 ont été réalisées",
        "Taux d’exécution par Action prioritaire",
        "Par région",
        "Indicateurs",
        "Plan de mobilisation des fonds",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the PDF: {text}"
        );
    }
    // A title page, the figures, and every activity in the table.
    assert!(pdf_pages(&page) >= 3);
    assert!(
        text.contains("A1.01") && text.contains("A5."),
        "activities listed"
    );
    let document = lopdf::Document::load_mem(&page.bytes).unwrap();
    let first = document.get_pages()[&1];
    let media_box = document
        .get_dictionary(first)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_float().unwrap().round() as i64)
        .collect::<Vec<_>>();
    assert_eq!(media_box, [0, 0, 595, 842], "A4 portrait");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn a_ministry_report_covers_its_agencies(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let rows = csv_rows(
        &admin
            .get("/agencies/MTI/report/2025.csv?as_of=2025-11-30")
            .await,
        ';',
    );
    assert_eq!(rows.len(), 1 + 49);
    assert!(rows[1..].iter().all(|r| r[0] == "ANASER"));
}

/// A second plan in 2023, for ANASER, beside CRSS's 2022-2024 action plan.
async fn add_anaser_plan_in_2023(pool: &PgPool) {
    let anaser = agency_id(pool, "ANASER").await;
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names) \
         VALUES ($1, 'PAP-2023', 'Projet Annuel de Performance 2023', 'annual', 2023, 2023, \
         '{Action prioritaire}') RETURNING id",
    )
    .bind(anaser)
    .fetch_one(pool)
    .await
    .unwrap();
    let node: i64 = sqlx::query_scalar(
        "INSERT INTO plan_nodes (plan_id, depth, code, title) \
         VALUES ($1, 0, 'AP1', 'Sensibilisation') RETURNING id",
    )
    .bind(plan)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO activities (plan_id, node_id, code, title, budget) \
         VALUES ($1, $2, 'A1', 'Campagne de sécurité routière 2023', 1000000)",
    )
    .bind(plan)
    .bind(node)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_consolidated_report_covers_only_readable_agencies(pool: PgPool) {
    let app = demo_app(&pool).await;
    add_anaser_plan_in_2023(&pool).await;

    let mut admin = signed_in(&app, "admin").await;
    let all = csv_rows(&admin.get("/report/2023.csv").await, ';');
    let agencies: std::collections::BTreeSet<&str> =
        all[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(agencies.into_iter().collect::<Vec<_>>(), ["ANASER", "CRSS"]);

    let mut viewer = signed_in(&app, "crss.lecteur").await;
    let rows = csv_rows(&viewer.get("/report/2023.csv").await, ';');
    assert_eq!(rows.len(), 1 + 19, "CRSS's 19 activities, nothing else");
    assert!(rows[1..].iter().all(|r| r[0] == "CRSS"));

    let page = viewer.get("/report/2023.xlsx").await;
    assert!(page
        .disposition
        .as_deref()
        .is_some_and(|d| d.contains("rapport-consolide-2023")));
    let mut book = workbook(&page);
    let summary = sheet(&mut book, "Synthèse");
    assert_eq!(headline(&summary, "Activités prévues"), 19.0);
    let activities = sheet(&mut book, "Activités");
    assert!(activities[1..].iter().all(|r| text(r.first()) == "CRSS"));
    for name in ["Indicateurs", "Financement"] {
        let rows = sheet(&mut book, name);
        assert!(
            rows[1..].iter().all(|r| text(r.first()) == "CRSS"),
            "{name}"
        );
    }

    let text = pdf_text(&viewer.get("/report/2023.pdf").await);
    assert!(text.contains("Rapport consolidé"));
    assert!(text.contains("CRSS") && !text.contains("ANASER"), "{text}");
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_session_dashboard_comes_as_a_pdf(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let session = session_id(&pool, "ANASER", 30).await;
    let dashboard = board.get(&format!("/sessions/{session}")).await;
    let href = format!("/sessions/{session}/dashboard.pdf");
    assert_eq!(
        dashboard.attrs("#dashboard-pdf a", "href"),
        std::slice::from_ref(&href)
    );

    let page = board.get(&href).await;
    assert!(page
        .disposition
        .as_deref()
        .is_some_and(|d| d.contains("session-ANASER-30-au-2025-11-30.pdf")));
    let text = pdf_text(&page);
    for expected in [
        "30ᵉ session ordinaire du conseil d’administration",
        "Situation au 30 novembre 2025",
        "32 / 49",
        "65 %",
        "Depuis la 29ᵉ session ordinaire",
        "Taux d’exécution par Action prioritaire",
        "Indicateurs",
        "Résolutions",
        // What the page shows, the PDF shows: the programme adopted and the
        // earlier sessions' resolutions still open.
        "Programme adopté",
        "Résolutions des sessions précédentes encore ouvertes",
        // A status on one line, a unit said once.
        "Abandonnée",
    ] {
        assert!(
            text.contains(expected),
            "{expected:?} not in the PDF: {text}"
        );
    }
    assert!(!text.contains("(%) (%)"), "the unit twice: {text}");
    assert!(!text.contains("Abandonné e"), "a status broken mid-word");
    for open in dashboard.texts("#open-resolutions tbody td:nth-child(2)") {
        let words = open
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains(&words), "{words:?} not in the PDF");
    }
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn pages_link_to_the_reports(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let agency = board.get("/agencies/ANASER").await;
    let links = agency.attrs("#reports a", "href");
    assert!(
        links.contains(&"/agencies/ANASER/report/2025.xlsx".to_owned()),
        "{links:?}"
    );
    assert!(
        links.contains(&"/agencies/ANASER/report/2026.pdf".to_owned()),
        "{links:?}"
    );
    let home = board.get("/?year=2025").await;
    assert_eq!(
        home.attrs(".report-links a", "href"),
        ["/report/2025.xlsx", "/report/2025.csv", "/report/2025.pdf"]
    );
    let session = session_id(&pool, "ANASER", 30).await;
    let dashboard = board.get(&format!("/sessions/{session}")).await;
    assert!(dashboard
        .attrs(".report-links a", "href")
        .contains(&"/agencies/ANASER/report/2025.xlsx?as_of=2025-11-30".to_owned()));
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn exports_need_the_right_to_read(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let session_pdf = format!("/sessions/{session}/dashboard.pdf");

    let mut anonymous = Client::new(&app);
    for uri in [ANASER_XLSX, "/report/2025.csv", session_pdf.as_str()] {
        let page = anonymous.get(uri).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{uri}");
        assert!(
            page.location
                .as_deref()
                .is_some_and(|l| l.starts_with("/login?next=")),
            "{uri}"
        );
    }

    let mut other = signed_in(&app, "crss.lecteur").await;
    for uri in [
        ANASER_XLSX,
        "/agencies/ANASER/report/2025.csv",
        "/agencies/ANASER/report/2025.pdf",
        session_pdf.as_str(),
    ] {
        let page = other.get(uri).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{uri}");
        assert!(page.content_type.starts_with("text/html"));
        assert!(!page.body.contains("Sécurité Routière"), "{uri}");
    }

    let mut editor = signed_in(&app, "anaser.editeur").await;
    assert_eq!(editor.get(ANASER_XLSX).await.status, StatusCode::OK);
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn bad_parameters_get_a_400_page(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    for (uri, message) in [
        (
            "/agencies/ANASER/report/2025.docx",
            "Format de rapport inconnu",
        ),
        ("/agencies/ANASER/report/2025", "Format de rapport inconnu"),
        ("/agencies/ANASER/report/vingt.xlsx", ""),
        ("/agencies/ANASER/report/1850.xlsx", ""),
        ("/agencies/ANASER/report/2025.xlsx?as_of=2025-13-01", ""),
        (
            "/agencies/ANASER/report/2025.csv?sep=tab",
            "Séparateur inconnu",
        ),
        (
            "/agencies/ANASER/report/2025.csv?table=tout",
            "Tableau inconnu",
        ),
        ("/report/2025.txt", "Format de rapport inconnu"),
        ("/report/2025.pdf?as_of=hier", ""),
    ] {
        let page = admin.get(uri).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(page.content_type.starts_with("text/html"), "{uri}");
        assert!(page.body.contains(message), "{uri}: {}", page.body);
    }
    assert_eq!(
        admin.get("/agencies/NOPE/report/2025.xlsx").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        admin.get("/sessions/999999/dashboard.pdf").await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_command_line_writes_the_report_files(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_suivi"))
            .args(["export", "report"])
            .args(args)
            .env("DATABASE_URL", url_of(&pool))
            .env("SUIVI_LOG", "warn")
            .output()
            .unwrap()
    };
    let csv = dir.path().join("anaser.csv");
    let output = run(&[
        "--agency",
        "ANASER",
        "--year",
        "2025",
        "--as-of",
        "2025-11-30",
        "--format",
        "csv",
        "-o",
        csv.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("export:"));
    let text = std::fs::read_to_string(&csv).unwrap();
    let rows = parse_csv(text.strip_prefix(BOM).expect("a BOM"), ';');
    assert_eq!(rows.len(), 1 + 49);

    let pdf = dir.path().join("all.pdf");
    let output = run(&[
        "--year",
        "2025",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(lopdf::Document::load(&pdf).is_ok());

    // A bad agency: an error, and no file.
    let missing = dir.path().join("none.xlsx");
    let output = run(&[
        "--agency",
        "NOPE",
        "--year",
        "2025",
        "--format",
        "xlsx",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("NOPE"));
    assert!(!missing.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

/// What a download holds, in a form that two downloads compare by.
#[derive(Debug, PartialEq)]
enum Contents {
    /// Each sheet's name and its cells as text.
    Workbook(Vec<(String, Vec<Vec<String>>)>),
    /// The rows of a `;` CSV.
    Csv(Vec<Vec<String>>),
    /// The number of pages and the text.
    Pdf(usize, String),
}

impl Contents {
    fn sheet(&self, name: &str) -> &[Vec<String>] {
        match self {
            Contents::Workbook(sheets) => sheets
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, rows)| rows.as_slice())
                .unwrap_or_else(|| panic!("no sheet {name:?}")),
            other => panic!("not a workbook: {other:?}"),
        }
    }

    fn sheet_names(&self) -> Vec<&str> {
        match self {
            Contents::Workbook(sheets) => sheets.iter().map(|(n, _)| n.as_str()).collect(),
            other => panic!("not a workbook: {other:?}"),
        }
    }

    fn rows(&self) -> &[Vec<String>] {
        match self {
            Contents::Csv(rows) => rows,
            other => panic!("not a CSV: {other:?}"),
        }
    }

    fn text(&self) -> &str {
        match self {
            Contents::Pdf(_, text) => text,
            other => panic!("not a PDF: {other:?}"),
        }
    }
}

/// A download as it arrived: its body inflated if it came compressed.
struct Download {
    status: StatusCode,
    content_type: String,
    /// The `Content-Encoding` it came with.
    encoding: Option<String>,
    bytes: Vec<u8>,
}

impl From<Page> for Download {
    fn from(page: Page) -> Download {
        Download {
            status: page.status,
            content_type: page.content_type,
            encoding: None,
            bytes: page.bytes,
        }
    }
}

/// Opens a download with the tool its readers use: calamine, a CSV reader,
/// lopdf.
fn contents(uri: &str, download: &Download) -> Contents {
    let bytes = &download.bytes;
    assert_eq!(
        download.status,
        StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(bytes)
    );
    match download.content_type.as_str() {
        XLSX => {
            let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone()))
                .unwrap_or_else(|error| panic!("{uri}: not a workbook: {error}"));
            let sheets = book
                .sheet_names()
                .into_iter()
                .map(|name| {
                    let rows = sheet(&mut book, &name)
                        .iter()
                        .map(|row| row.iter().map(ToString::to_string).collect())
                        .collect();
                    (name, rows)
                })
                .collect();
            Contents::Workbook(sheets)
        }
        "text/csv; charset=utf-8" => {
            let text = std::str::from_utf8(bytes)
                .unwrap_or_else(|error| panic!("{uri}: not UTF-8: {error}"));
            let text = text
                .strip_prefix(BOM)
                .unwrap_or_else(|| panic!("{uri}: no byte-order mark in {} bytes", bytes.len()));
            Contents::Csv(parse_csv(text, ';'))
        }
        "application/pdf" => {
            let document = lopdf::Document::load_mem(bytes)
                .unwrap_or_else(|error| panic!("{uri}: not a PDF: {error}"));
            Contents::Pdf(document.get_pages().len(), pdf_text_of(bytes))
        }
        other => panic!("{uri}: not a download: {other}"),
    }
}

/// A download as every browser asks for it (`Accept-Encoding: gzip`): the
/// body read to its end, then inflated if the server compressed it.
async fn get_as_a_browser(client: &Client, uri: &str) -> Download {
    use axum::http::header;
    let request = axum::http::Request::get(uri)
        .header(header::ACCEPT_ENCODING, "gzip")
        .header(header::COOKIE, client.cookie_header())
        .body(axum::body::Body::empty())
        .unwrap();
    let response = client.app.clone().oneshot(request).await.unwrap();
    let text = |name| {
        response
            .headers()
            .get(name)
            .map(|v: &axum::http::HeaderValue| v.to_str().unwrap().to_owned())
    };
    let content_type = text(header::CONTENT_TYPE).unwrap_or_default();
    let encoding = text(header::CONTENT_ENCODING);
    let status = response.status();
    let sent = response.into_body().collect().await.unwrap().to_bytes();
    let bytes = match encoding.as_deref() {
        None | Some("identity") => sent.to_vec(),
        Some("gzip") => {
            let mut inflated = Vec::new();
            flate2::read::GzDecoder::new(&sent[..])
                .read_to_end(&mut inflated)
                .unwrap_or_else(|error| {
                    panic!(
                        "{uri}: {} gzipped bytes that do not inflate: {error}",
                        sent.len()
                    )
                });
            inflated
        }
        Some(other) => panic!("{uri}: asked for gzip, got {other}"),
    };
    Download {
        status,
        content_type,
        encoding,
        bytes,
    }
}

/// Browsers ask for gzip, and the compression layer used to poll the
/// streamed report bodies after their end: a 200 with no bytes and a dropped
/// connection. Every download route of the router (read from the source)
/// must give, compressed, a file its reader's tool opens, the same as sent
/// uncompressed.
#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn every_download_comes_whole_to_a_browser_asking_for_gzip(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let session = session_id(&pool, "ANASER", 30).await;
    let agency_report = "/agencies/{code}/report/{file}";
    let consolidated = "/report/{file}";
    let mut downloads: Vec<(&str, String)> = Vec::new();
    for query in [
        "",
        "?table=summary",
        "?table=indicators",
        "?table=funding",
        "?as_of=2025-11-30",
    ] {
        downloads.push((
            agency_report,
            format!("/agencies/ANASER/report/2025.csv{query}"),
        ));
        downloads.push((consolidated, format!("/report/2025.csv{query}")));
    }
    for file in ["2025.xlsx", "2025.pdf", "2025.xlsx?as_of=2025-11-30"] {
        downloads.push((agency_report, format!("/agencies/ANASER/report/{file}")));
        downloads.push((consolidated, format!("/report/{file}")));
    }
    downloads.extend([
        (
            "/sessions/{id}/dashboard.pdf",
            format!("/sessions/{session}/dashboard.pdf"),
        ),
        ("/plans/{id}/export", format!("/plans/{plan}/export")),
        (
            "/plans/{id}/export",
            format!("/plans/{plan}/export?format=xlsx"),
        ),
        (
            "/plans/{id}/export",
            format!("/plans/{plan}/export?format=csv"),
        ),
        ("/import-template", "/import-template".to_owned()),
    ]);

    let routed: std::collections::BTreeSet<String> = routes_in_source()
        .into_iter()
        .filter(|route| {
            route.method == "GET"
                && (route.handler.contains("reports::")
                    || route.handler.ends_with("::export")
                    || route.handler.ends_with("::template"))
        })
        .map(|route| route.path)
        .collect();
    let missing: Vec<_> = routed
        .iter()
        .filter(|path| !downloads.iter().any(|(route, _)| route == path))
        .collect();
    assert!(missing.is_empty(), "download routes not tried: {missing:?}");

    let mut found = HashMap::new();
    let mut compressed = Vec::new();
    for (_, uri) in &downloads {
        let download = get_as_a_browser(&admin, uri).await;
        if download.encoding.is_some() {
            compressed.push(uri.as_str());
        }
        let got = contents(uri, &download);
        let plain = Download::from(admin.get(uri).await);
        assert_eq!(got, contents(uri, &plain), "{uri}: as sent without gzip");
        found.insert(uri.as_str(), got);
    }
    // XLSX and PDF are compressed already and go as they are; the CSV, the
    // streamed body that broke, is gzipped.
    assert!(
        compressed.iter().any(|uri| uri.contains(".csv")),
        "the streamed CSV is sent gzipped, or this test tests nothing: {compressed:?}"
    );

    // What they hold: ANASER's 49 activities of 2025, in every format.
    let book = &found["/agencies/ANASER/report/2025.xlsx"];
    assert_eq!(
        book.sheet_names(),
        ["Synthèse", "Activités", "Indicateurs", "Financement"]
    );
    assert_eq!(book.sheet("Activités").len(), 1 + 49);
    assert_eq!(
        book.sheet("Synthèse")[0][0],
        "Rapport annuel de performance 2025"
    );
    let rows = found["/agencies/ANASER/report/2025.csv"].rows();
    assert_eq!(rows.len(), 1 + 49);
    assert_eq!(rows[1..].iter().filter(|r| r[0] == "ANASER").count(), 49);
    let summary = found["/agencies/ANASER/report/2025.csv?table=summary"].rows();
    assert_eq!(summary[1][0], "Ensemble");
    assert_eq!(summary[1][column(summary, "Prévues")], "49");
    for table in ["indicators", "funding"] {
        let uri = format!("/agencies/ANASER/report/2025.csv?table={table}");
        assert!(found[uri.as_str()].rows().len() > 1, "{uri}");
    }
    let text = found["/agencies/ANASER/report/2025.pdf"].text();
    assert!(
        text.contains("Agence Nationale de la Sécurité Routière (ANASER)")
            && text.contains("Sur les 49 activités prévues"),
        "{text}"
    );
    assert!(
        matches!(found["/agencies/ANASER/report/2025.pdf"], Contents::Pdf(pages, _) if pages >= 3)
    );

    // The consolidated report: every agency's 2025 activities for an admin.
    let all = found["/report/2025.csv"].rows();
    assert!(all.len() > 49 && all[1..].iter().any(|r| r[0] == "ANASER"));
    assert_eq!(
        found["/report/2025.xlsx"].sheet("Activités").len(),
        all.len()
    );
    assert!(found["/report/2025.pdf"]
        .text()
        .contains("Rapport consolidé"));

    let dashboard = found[format!("/sessions/{session}/dashboard.pdf").as_str()].text();
    assert!(
        dashboard.contains("30ᵉ session ordinaire du conseil d’administration"),
        "{dashboard}"
    );
    let plan_file = &found[format!("/plans/{plan}/export").as_str()];
    assert_eq!(
        plan_file.sheet_names(),
        ["Plan", "Indicateurs", "Financement"]
    );
    assert_eq!(
        plan_file,
        &found[format!("/plans/{plan}/export?format=xlsx").as_str()]
    );
    assert_eq!(
        found[format!("/plans/{plan}/export?format=csv").as_str()].rows(),
        plan_file.sheet("Plan")
    );
    assert_eq!(
        found["/import-template"].sheet_names(),
        ["Plan", "Indicateurs", "Financement", "Instructions"]
    );
}
