//! Plans and progress through spreadsheets: export then import gives the same
//! plan; every problem of a bad file is reported by line and nothing is
//! written; Windows-1252 CSV; the progress round trip records exactly the
//! changed rows and reports a conflict; a second import changes nothing.
//! Hostile workbooks (cells far apart, a zip bomb) are refused with a message
//! and the server lives on; an upload past the body limit is the French 413
//! page; a failed apply keeps its upload to apply again.

use crate::common::*;
use sqlx::PgPool;
use suivi::imports::{self, plan_file::Problem, PlanImport, Target};
use suivi::store::activities::Recorder;
use suivi::store::imports::NewPlan;
use suivi::store::plans;

async fn plan(pool: &PgPool, agency: &str, code: &str) -> plans::Plan {
    plans::find(pool, plan_id(pool, agency, code).await)
        .await
        .unwrap()
        .unwrap()
}

/// Everything that makes a plan, comparable between two plans.
async fn shape(pool: &PgPool, plan_id: i64) -> Vec<String> {
    let mut rows: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws('|', n.code, n.title, n.depth, p.code) FROM plan_nodes n \
         LEFT JOIN plan_nodes p ON p.id = n.parent_id WHERE n.plan_id = $1 ORDER BY n.code",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    let activities: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws('|', a.code, a.title, a.target::text, a.unit, a.budget, a.responsible_unit, \
         a.region_code, a.planned_start, a.planned_end, n.code) FROM activities a \
         JOIN plan_nodes n ON n.id = a.node_id WHERE a.plan_id = $1 ORDER BY a.code",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.extend(activities);
    rows
}

/// The plan's indicators, every field, comparable between two plans.
async fn indicator_shape(pool: &PgPool, plan_id: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT concat_ws('|', i.code, i.title, i.unit, i.baseline::text, i.baseline_year, \
         i.target::text, i.target_year, i.direction, n.code) FROM indicators i \
         LEFT JOIN plan_nodes n ON n.id = i.node_id WHERE i.plan_id = $1 ORDER BY i.code",
    )
    .bind(plan_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

async fn admin_id(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(pool)
        .await
        .unwrap()
}

fn new_plan(agency_id: i64, code: &str, level_names: Vec<String>) -> Target {
    Target::New(NewPlan {
        agency_id,
        code: code.into(),
        title: "Copie importée".into(),
        year: 2025,
        level_names,
        end_year: None,
    })
}

async fn import_new(pool: &PgPool, bytes: &[u8], code: &str) -> (i64, PlanImport) {
    let agency = agency_id(pool, "ANASER").await;
    let target = new_plan(agency, code, Vec::new());
    let import = imports::prepare_plan_import(pool, bytes, &target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    let id =
        imports::apply_plan_import(pool, &target, &import, today(), admin_id(pool).await, None)
            .await
            .unwrap()
            .unwrap();
    (id, import)
}

#[sqlx::test]
async fn export_then_import_gives_the_same_plan_in_csv_and_xlsx(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let original = plan(&pool, "ANASER", "PAP-2025").await;
    let expected = shape(&pool, original.id).await;
    assert!(expected.len() > 49);

    let csv = imports::export_csv(&pool, &original, today())
        .await
        .unwrap();
    assert!(csv.starts_with("\u{feff}".as_bytes()));
    let (copy, import) = import_new(&pool, &csv, "COPIE-CSV").await;
    assert_eq!(shape(&pool, copy).await, expected);
    assert_eq!(import.unchanged, 0);
    let copied = plans::find(&pool, copy).await.unwrap().unwrap();
    assert_eq!(copied.level_names[..], original.level_names[..3]);

    let xlsx = imports::export_xlsx(&pool, &original, today())
        .await
        .unwrap();
    let (copy, _) = import_new(&pool, &xlsx, "COPIE-XLSX").await;
    assert_eq!(shape(&pool, copy).await, expected);
    // The workbook carries the indicators too, on their own sheet.
    let indicators = indicator_shape(&pool, original.id).await;
    assert!(!indicators.is_empty());
    assert_eq!(indicator_shape(&pool, copy).await, indicators);

    // The same file again onto the copy: nothing to do.
    let target = Target::Existing(plans::find(&pool, copy).await.unwrap().unwrap());
    let again = imports::prepare_plan_import(&pool, &xlsx, &target, today())
        .await
        .unwrap()
        .unwrap();
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    // The three funding lines of the workbook's funding sheet too.
    assert_eq!(again.unchanged, expected.len() + indicators.len() + 3);
}

#[sqlx::test]
async fn a_file_with_ten_kinds_of_error_reports_them_all_and_writes_nothing(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let header = "Objectif;Action prioritaire;Code;Activité;Cible;Unité;Budget (FCFA);Responsable;Région;Début prévu;Fin prévue;Statut;Réalisation;Dépensé (FCFA);À la date du;Commentaire;Version (ne pas modifier)";
    let rows = [
        "OS1 · Sécurité;AP1 · Former;B1;Bonne ligne;10;sessions;1 000;DSI;KAY;2025-01-01;2025-06-30;;;;;;",
        "OS1;AP1;;Sans code;;;;;NAT;;;;;;;;",                              // 1 missing code
        "OS1;AP1;B1;Doublon;;;;;NAT;;;;;;;;",                              // 2 duplicate code
        "OS1;AP1;B3;Cible;douze;;;;NAT;;;;;;;;",                           // 3 not a number
        "OS1;AP1;B4;Région;;;;;Atlantide;;;;;;;;",                         // 4 unknown region
        "OS1;AP1;B5;Budget;;;-5;;NAT;;;;;;;;",                             // 5 negative
        "OS1;AP1;B6;Dates;;;;;NAT;2025-13-01;;;;;;;",                      // 6 bad date
        "OS1;AP1;B7;;;;;;NAT;;;;;;;;",                                     // 7 missing title
        ";AP2 · Orphelin;B8;Niveau;;;;;NAT;;;;;;;;",                       // 8 level gap
        "OS2 · Autre;AP1 · Ailleurs;B9;Parent;;;;;NAT;;;;;;;;",            // 9 level conflict
        "OS1;AP1;B10;Fin avant début;;;;;NAT;2025-06-01;2025-01-01;;;;;;", // 10 end before start
    ];
    let text = format!("{header}\n{}\n", rows.join("\n"));
    let before = shape(&pool, plan_id(&pool, "ANASER", "PAP-2025").await).await;
    let plans_before: i64 = sqlx::query_scalar("SELECT count(*) FROM plans")
        .fetch_one(&pool)
        .await
        .unwrap();
    let agency = agency_id(&pool, "ANASER").await;
    let target = new_plan(
        agency,
        "ERREURS",
        vec!["Objectif".into(), "Action prioritaire".into()],
    );
    let problems: Vec<Problem> =
        imports::prepare_plan_import(&pool, text.as_bytes(), &target, today())
            .await
            .unwrap()
            .unwrap_err();
    let found: Vec<(usize, &str)> = problems.iter().map(|p| (p.line, p.key)).collect();
    assert_eq!(
        found,
        [
            (3, "imports.error.missing_code"),
            (4, "imports.error.duplicate_code"),
            (5, "error.value.not_a_number"),
            (6, "imports.error.unknown_region"),
            (7, "error.value.negative"),
            (8, "error.bad_date"),
            (9, "error.value.empty"),
            (10, "imports.error.level_gap"),
            (11, "imports.error.level_conflict"),
            (12, "structure.error.end_before_start"),
        ]
    );
    assert!(problems.iter().all(|p| !p.column.is_empty()));
    let plans_after: i64 = sqlx::query_scalar("SELECT count(*) FROM plans")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(plans_after, plans_before);
    assert_eq!(
        shape(&pool, plan_id(&pool, "ANASER", "PAP-2025").await).await,
        before
    );
}

#[sqlx::test]
async fn a_windows_1252_csv_with_decimal_commas_imports_right(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let text = "Objectif;Action prioritaire;Code;Activité;Cible;Unité;Budget (FCFA);Responsable;Région\r\n\
                OS1 · Sécurité routière;AP1 · Contrôles à Kayes;K1;Opérations de contrôle;12,5;opérations;2 500 000;Brigade;Kayes\r\n";
    let (bytes, _, lossy) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!lossy);
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
    let (copy, _) = import_new(&pool, &bytes, "CP1252").await;
    let row: (String, String, i64, String) = sqlx::query_as(
        "SELECT a.title, a.target::text, a.budget, n.title FROM activities a \
         JOIN plan_nodes n ON n.id = a.node_id WHERE a.plan_id = $1",
    )
    .bind(copy)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "Opérations de contrôle".to_owned(),
            "12.500".to_owned(),
            2_500_000,
            "Contrôles à Kayes".to_owned()
        )
    );
}

/// Replaces the cell `column` of the row whose code is `code`.
fn edit_cell(csv: &str, code: &str, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(';').collect();
    let index = header.iter().position(|h| *h == column).unwrap();
    let code_index = header.iter().position(|h| *h == "Code").unwrap();
    for line in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = line.split(';').map(str::to_owned).collect();
        if cells[code_index] == code {
            cells[index] = value.to_owned();
            *line = cells.join(";");
        }
    }
    lines.join("\n") + "\n"
}

#[sqlx::test]
async fn the_progress_round_trip_records_exactly_the_changed_rows(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let csv = String::from_utf8(imports::export_csv(&pool, &plan, today()).await.unwrap()).unwrap();
    assert!(!csv.contains('"'), "the demo's plan file needs no quoting");
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM activities WHERE plan_id = $1 ORDER BY position, code LIMIT 3",
    )
    .bind(plan.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut edited = csv.clone();
    for code in &codes {
        edited = edit_cell(&edited, code, "Statut", "Abandonnée");
        edited = edit_cell(&edited, code, "À la date du", "2026-11-24");
        edited = edit_cell(&edited, code, "Commentaire", "Abandon décidé en comité");
    }
    // Meanwhile someone updates the third activity in the browser.
    let third: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = $2")
            .bind(plan.id)
            .bind(&codes[2])
            .fetch_one(&pool)
            .await
            .unwrap();
    add_update(&pool, third, date(2026, 11, 23), "in_progress", None).await;

    let admin = admin_id(&pool).await;
    let recorder = Recorder {
        user_id: admin,
        name: "Admin",
        is_admin: true,
    };
    let updates = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM progress_updates")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = updates().await;
    let result = imports::import_progress(&pool, &plan, edited.as_bytes(), recorder, today())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(result.recorded, codes[..2]);
    assert_eq!(result.conflicts.len(), 1);
    assert_eq!(result.conflicts[0].1, codes[2]);
    assert_eq!(updates().await, before + 2);
    let comments: Vec<String> = sqlx::query_scalar(
        "SELECT comment FROM progress_updates WHERE comment = 'Abandon décidé en comité'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(comments.len(), 2);

    // The same file again changes nothing.
    let again = imports::import_progress(&pool, &plan, edited.as_bytes(), recorder, today())
        .await
        .unwrap()
        .unwrap();
    assert!(again.recorded.is_empty());
    assert_eq!(updates().await, before + 2);

    // The untouched export changes nothing either.
    let fresh = imports::export_csv(&pool, &plan, today()).await.unwrap();
    let untouched = imports::import_progress(&pool, &plan, &fresh, recorder, today())
        .await
        .unwrap()
        .unwrap();
    assert!(untouched.recorded.is_empty() && untouched.conflicts.is_empty());
}

#[sqlx::test]
async fn the_command_line_imports_a_plan_and_refuses_a_bad_file(pool: PgPool) {
    use suivi::imports::command::{ImportCommand, ImportPlanArgs};
    let _app = demo_app(&pool).await;
    let original = plan(&pool, "ANASER", "PAP-2025").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.xlsx");
    std::fs::write(
        &file,
        imports::export_xlsx(&pool, &original, today())
            .await
            .unwrap(),
    )
    .unwrap();
    let args = |dry_run: bool, code: &str| ImportPlanArgs {
        file: file.clone(),
        agency: "CRSS".into(),
        plan: code.into(),
        title: Some("Plan importé".into()),
        year: Some(2025),
        login: "admin".into(),
        dry_run,
        reading: suivi::imports::command::ReadingArgs {
            json: false,
            mapping: None,
            sheet: None,
        },
    };
    suivi::imports::command::run(&pool, ImportCommand::Plan(args(true, "IMPORT-1")))
        .await
        .unwrap();
    let crss = agency_id(&pool, "CRSS").await;
    assert_eq!(
        suivi::store::imports::plan_by_code(&pool, crss, "IMPORT-1")
            .await
            .unwrap(),
        None,
        "a dry run writes nothing"
    );
    suivi::imports::command::run(&pool, ImportCommand::Plan(args(false, "IMPORT-1")))
        .await
        .unwrap();
    let copy = suivi::store::imports::plan_by_code(&pool, crss, "IMPORT-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shape(&pool, copy).await, shape(&pool, original.id).await);

    std::fs::write(&file, "Code;Activité\nX;Y\n").unwrap();
    let refused =
        suivi::imports::command::run(&pool, ImportCommand::Plan(args(false, "IMPORT-2"))).await;
    assert!(refused.is_err());
    assert_eq!(
        suivi::store::imports::plan_by_code(&pool, crss, "IMPORT-2")
            .await
            .unwrap(),
        None
    );
}

#[sqlx::test]
async fn an_editor_uploads_previews_then_applies_progress_through_the_forms(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let page = editor.get(&format!("/plans/{}", plan.id)).await;
    let import_uri = format!("/plans/{}/import", plan.id);
    assert_eq!(
        page.attrs("#import-link", "href"),
        std::slice::from_ref(&import_uri)
    );

    let export = editor
        .get(&format!("/plans/{}/export?format=csv", plan.id))
        .await;
    assert_eq!(export.status, StatusCode::OK);
    let csv = String::from_utf8(export.bytes.clone()).unwrap();
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM activities WHERE plan_id = $1 ORDER BY position, code LIMIT 2",
    )
    .bind(plan.id)
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut edited = csv;
    for code in &codes {
        edited = edit_cell(&edited, code, "Statut", "Reportée");
        edited = edit_cell(&edited, code, "À la date du", "2026-11-24");
    }
    let updates = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM progress_updates")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let before = updates().await;

    let form = editor.get(&import_uri).await;
    let csrf = csrf_of(&form);
    let preview = editor
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "progress")],
            ("file", "plan.csv", edited.as_bytes()),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert_eq!(preview.attrs("#changes-count", "data-count"), ["2"]);
    assert_eq!(updates().await, before, "a preview writes nothing");

    let token = preview.attrs("#apply input[name=token]", "value")[0].clone();
    let applied = editor
        .post(
            &format!("{import_uri}/apply"),
            &[("csrf", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(applied.status, StatusCode::OK);
    assert!(applied
        .text("#done")
        .contains("2 activité(s) mise(s) à jour"));
    assert_eq!(updates().await, before + 2);
    // A token serves once.
    let again = editor
        .post(
            &format!("{import_uri}/apply"),
            &[("csrf", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(updates().await, before + 2);

    // A broken file: every problem listed by line, nothing kept.
    let broken = edit_cell(&edited, &codes[0], "Réalisation", "beaucoup");
    let refused = editor
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "progress")],
            ("file", "plan.csv", broken.as_bytes()),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.attrs("#problems tr[data-line]", "data-line"), ["2"]);
    assert!(refused.texts("#apply").is_empty());
}

#[sqlx::test]
async fn only_editors_import_and_readers_export_what_they_read(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let import_uri = format!("/plans/{}/import", plan.id);
    let export_uri = format!("/plans/{}/export?format=xlsx", plan.id);
    let file = imports::export_csv(&pool, &plan, today()).await.unwrap();

    let mut board = signed_in(&app, "anaser.ca").await;
    let export = board.get(&export_uri).await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.bytes.starts_with(b"PK"));
    assert_eq!(board.get(&import_uri).await.status, StatusCode::FORBIDDEN);
    let csrf = csrf_of(&board.get("/account/password").await);
    let refused = board
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "plan")],
            ("file", "p.csv", &file),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut outsider = signed_in(&app, "crss.lecteur").await;
    assert_eq!(
        outsider.get(&export_uri).await.status,
        StatusCode::FORBIDDEN
    );
    let uploads: i64 = sqlx::query_scalar("SELECT count(*) FROM import_uploads")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(uploads, 0);
}

/// The template as downloaded imports as a new plan without a problem: its
/// example is a valid plan, its instructions sheet is ignored.
#[sqlx::test]
async fn the_template_is_a_valid_plan_file(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let mut viewer = signed_in(&app, "crss.lecteur").await;
    let page = viewer.get("/import-template").await;
    assert_eq!(page.status, StatusCode::OK);
    let agency = agency_id(&pool, "CRSS").await;
    let target = Target::New(NewPlan {
        agency_id: agency,
        code: "MODELE".into(),
        title: "Modèle".into(),
        year: 2027,
        level_names: Vec::new(),
        end_year: None,
    });
    let import = imports::prepare_plan_import(&pool, &page.bytes, &target, date(2027, 12, 31))
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    // Two levels, two activities, one indicator, two funding lines.
    assert_eq!(import.changes.len(), 7);
}

#[sqlx::test]
async fn an_admin_creates_a_plan_from_a_file_through_the_forms(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let original = plan(&pool, "ANASER", "PAP-2025").await;
    let xlsx = imports::export_xlsx(&pool, &original, today())
        .await
        .unwrap();
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let agency_page = editor.get("/agencies/ANASER").await;
    let uri = "/agencies/ANASER/plans/import";
    assert_eq!(agency_page.attrs("#new-plan-import", "href"), [uri]);
    let csrf = csrf_of(&editor.get(uri).await);

    // Bad fields: each message by its field, nothing kept.
    let bad = editor
        .post_file(
            uri,
            &[
                ("csrf", &csrf),
                ("code", "PAP-2025"),
                ("title", ""),
                ("year", "deux mille"),
            ],
            ("file", "plan.xlsx", &xlsx),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["code", "title", "year"] {
        assert!(
            !bad.text(&format!(".field-error[data-field={field}]"))
                .is_empty(),
            "{field}"
        );
    }

    let preview = editor
        .post_file(
            uri,
            &[
                ("csrf", &csrf),
                ("code", "PAP-2025-BIS"),
                ("title", "PAP 2025 révisé"),
                ("year", "2025"),
            ],
            ("file", "plan.xlsx", &xlsx),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let anaser = agency_id(&pool, "ANASER").await;
    assert_eq!(
        suivi::store::imports::plan_by_code(&pool, anaser, "PAP-2025-BIS")
            .await
            .unwrap(),
        None,
        "a preview creates nothing"
    );
    let token = preview.attrs("#apply input[name=token]", "value")[0].clone();
    let created = editor
        .post(
            &format!("{uri}/apply"),
            &[("csrf", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let plan_page = editor.get(created.location.as_deref().unwrap()).await;
    assert_eq!(plan_page.text("#headline [data-figure=planned]"), "49");
    let id = suivi::store::imports::plan_by_code(&pool, anaser, "PAP-2025-BIS")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(shape(&pool, id).await, shape(&pool, original.id).await);
}

// ---- Hostile files and failures (issue 9, items 2 and 12) ----

/// The workbook with its first sheet's rows replaced by `sheet_data`.
fn with_first_sheet(workbook: &[u8], sheet_data: &str) -> Vec<u8> {
    use std::io::{Cursor, Write};
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">\
         <sheetData>{sheet_data}</sheetData></worksheet>"
    );
    let mut archive = zip::ZipArchive::new(Cursor::new(workbook)).unwrap();
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        writer
            .start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            writer.write_all(xml.as_bytes()).unwrap();
        } else {
            std::io::copy(&mut entry, &mut writer).unwrap();
        }
    }
    writer.finish().unwrap().into_inner()
}

/// The 5 KB file of the issue: cells A1 and XFD1048576, which made the
/// reader ask 512 GiB and the process abort.
fn far_apart_cells() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Plan").unwrap();
    sheet.write_string(0, 0, "Code").unwrap();
    sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A plan workbook whose plan sheet inflates to 60 MB of rows.
fn zip_bomb(plan_file: &[u8]) -> Vec<u8> {
    let row = r#"<row><c t="inlineStr"><is><t>OS1 · Sécurité routière</t></is></c></row>"#;
    with_first_sheet(plan_file, &row.repeat(60 * 1024 * 1024 / row.len()))
}

async fn uploads(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM import_uploads")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn hostile_workbooks_are_refused_with_a_message_and_the_server_lives_on(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let import_uri = format!("/plans/{}/import", plan.id);
    let csrf = csrf_of(&editor.get(&import_uri).await);

    let far = far_apart_cells();
    assert!(far.len() < 10_000, "{} bytes", far.len());
    let refused = editor
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "plan")],
            ("file", "plan.xlsx", &far),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.texts("#problems tbody td:nth-child(4)"),
        ["Plan!XFD1048576"]
    );
    assert!(refused
        .text("#problems tbody td:nth-child(3)")
        .contains("100 000 lignes ou de 200 colonnes"));

    let xlsx = imports::export_xlsx(&pool, &plan, today()).await.unwrap();
    let bomb = zip_bomb(&xlsx);
    assert!(bomb.len() < 2 * 1024 * 1024, "{} bytes", bomb.len());
    for kind in ["plan", "progress"] {
        let started = std::time::Instant::now();
        let refused = editor
            .post_file(
                &import_uri,
                &[("csrf", &csrf), ("kind", kind)],
                ("file", "plan.xlsx", &bomb),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused
            .text("#problems tbody td:nth-child(3)")
            .contains("50 Mo une fois décompressé"));
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    // The new plan route too, where the file is read once.
    let new_plan_uri = "/agencies/ANASER/plans/import";
    for file in [&far, &bomb] {
        let refused = editor
            .post_file(
                new_plan_uri,
                &[
                    ("csrf", &csrf),
                    ("code", "PAP-HOSTILE"),
                    ("title", "Fichier hostile"),
                    ("year", "2026"),
                ],
                ("file", "plan.xlsx", file),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.texts("#problems tbody tr").len(), 1);
    }
    assert_eq!(uploads(&pool).await, 0, "nothing kept");

    // Still serving, and the real file still previews.
    let preview = editor
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "plan")],
            ("file", "plan.xlsx", &xlsx),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
}

/// A multipart body with text fields and one file, and its content type.
fn multipart(fields: &[(&str, &str)], file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "suivi-test-boundary-413";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// An answer as the 413 tests read it (not a `Page`: built here, by hand).
struct Answer {
    status: axum::http::StatusCode,
    content_type: String,
    body: String,
}

impl Answer {
    fn text(&self, selector: &str) -> String {
        let selector = scraper::Selector::parse(selector).unwrap();
        scraper::Html::parse_document(&self.body)
            .select(&selector)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .collect::<Vec<_>>()
            .join("|")
    }
}

/// Posts an oversized upload as the client, with a `Content-Length` or
/// chunked (in 64 KB pieces, no length).
async fn post_oversized(client: &Client, uri: &str, csrf: &str, with_length: bool) -> Answer {
    use axum::body::{Body, Bytes};
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let file = vec![b'x'; 3 * 1024 * 1024];
    let (content_type, body) = multipart(&[("csrf", csrf), ("kind", "plan")], &file);
    let session = client.cookie(suivi::web::SESSION_COOKIE).unwrap();
    let mut request = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type)
        .header(
            header::COOKIE,
            format!("{}={session}", suivi::web::SESSION_COOKIE),
        );
    let body = if with_length {
        request = request.header(header::CONTENT_LENGTH, body.len());
        Body::from(body)
    } else {
        let chunks: Vec<Result<Bytes, std::io::Error>> = body
            .chunks(64 * 1024)
            .map(|chunk| Ok(Bytes::copy_from_slice(chunk)))
            .collect();
        Body::from_stream(futures_util::stream::iter(chunks))
    };
    let response = client
        .app
        .clone()
        .oneshot(request.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

fn assert_french_413(answer: &Answer) {
    assert_eq!(
        answer.status,
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        answer.text(".message")
    );
    assert!(
        answer.content_type.starts_with("text/html"),
        "{}",
        answer.body
    );
    assert_eq!(
        answer.text("section.error[data-status='413'] h1"),
        "Envoi trop volumineux"
    );
}

#[sqlx::test]
async fn a_chunked_upload_past_the_limit_is_the_french_413_page(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let import_uri = format!("/plans/{}/import", plan.id);
    let csrf = csrf_of(&editor.get(&import_uri).await);
    let page = post_oversized(&editor, &import_uri, &csrf, false).await;
    assert_french_413(&page);
    assert!(page
        .text("section.error .message")
        .contains("Ce fichier est trop gros (2 Mo au plus)"));
    assert_eq!(uploads(&pool).await, 0);
}

// The body limit answers a too long Content-Length before the router, in
// plain text: it must sit inside `render_error_pages` (src/web/mod.rs).
#[sqlx::test]
async fn an_upload_whose_length_is_past_the_limit_is_the_french_413_page(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let import_uri = format!("/plans/{}/import", plan.id);
    let csrf = csrf_of(&editor.get(&import_uri).await);
    let page = post_oversized(&editor, &import_uri, &csrf, true).await;
    assert_french_413(&page);
    assert!(!page.body.contains("length limit exceeded"));
}

/// Makes every write to `table` fail, as a database error in the middle of
/// an apply would, until `allow_writes`.
async fn fail_writes(pool: &PgPool, table: &str) {
    sqlx::query(
        "CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS \
         $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(&format!(
        "CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE ON {table} \
         FOR EACH ROW EXECUTE FUNCTION refuse_write()"
    ))
    .execute(pool)
    .await
    .unwrap();
}

async fn allow_writes(pool: &PgPool, table: &str) {
    sqlx::query(&format!("DROP TRIGGER refuse_write ON {table}"))
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DROP FUNCTION refuse_write()")
        .execute(pool)
        .await
        .unwrap();
}

#[sqlx::test]
async fn a_failed_apply_keeps_the_upload_to_apply_again(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let plan = plan(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let import_uri = format!("/plans/{}/import", plan.id);
    let csrf = csrf_of(&editor.get(&import_uri).await);
    let csv = String::from_utf8(imports::export_csv(&pool, &plan, today()).await.unwrap()).unwrap();
    let code: String = sqlx::query_scalar(
        "SELECT code FROM activities WHERE plan_id = $1 ORDER BY position, code LIMIT 1",
    )
    .bind(plan.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    let title = |pool: PgPool, code: String| async move {
        sqlx::query_scalar::<_, String>(
            "SELECT title FROM activities WHERE plan_id = $1 AND code = $2",
        )
        .bind(plan.id)
        .bind(code)
        .fetch_one(&pool)
        .await
        .unwrap()
    };

    // A plan import whose transaction fails half-way.
    let renamed = edit_cell(&csv, &code, "Activité", "Intitulé revu à l’import");
    let preview = editor
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "plan")],
            ("file", "plan.csv", renamed.as_bytes()),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let token = preview.attrs("#apply input[name=token]", "value")[0].clone();
    let apply_uri = format!("{import_uri}/apply");
    fail_writes(&pool, "activities").await;
    let failed = editor
        .post(&apply_uri, &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(uploads(&pool).await, 1, "the upload survives the failure");
    assert_ne!(
        title(pool.clone(), code.clone()).await,
        "Intitulé revu à l’import"
    );
    allow_writes(&pool, "activities").await;
    let applied = editor
        .post(&apply_uri, &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(
        title(pool.clone(), code.clone()).await,
        "Intitulé revu à l’import"
    );
    assert_eq!(uploads(&pool).await, 0, "used up by the apply");
    let again = editor
        .post(&apply_uri, &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST, "it serves once");

    // A progress import whose recording fails.
    let csv = String::from_utf8(imports::export_csv(&pool, &plan, today()).await.unwrap()).unwrap();
    let progressed = edit_cell(&csv, &code, "Statut", "Reportée");
    let progressed = edit_cell(&progressed, &code, "À la date du", "2026-11-24");
    let preview = editor
        .post_file(
            &import_uri,
            &[("csrf", &csrf), ("kind", "progress")],
            ("file", "plan.csv", progressed.as_bytes()),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let token = preview.attrs("#apply input[name=token]", "value")[0].clone();
    fail_writes(&pool, "progress_updates").await;
    let failed = editor
        .post(&apply_uri, &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(uploads(&pool).await, 1);
    allow_writes(&pool, "progress_updates").await;
    let applied = editor
        .post(&apply_uri, &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert!(applied
        .text("#done")
        .contains("1 activité(s) mise(s) à jour"));
    assert_eq!(uploads(&pool).await, 0);

    // A new plan whose creation fails.
    let new_plan_uri = "/agencies/ANASER/plans/import";
    let preview = editor
        .post_file(
            new_plan_uri,
            &[
                ("csrf", &csrf),
                ("code", "PAP-2026-BIS"),
                ("title", "PAP 2026 bis"),
                ("year", "2026"),
            ],
            ("file", "plan.csv", csv.as_bytes()),
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let token = preview.attrs("#apply input[name=token]", "value")[0].clone();
    fail_writes(&pool, "plans").await;
    let failed = editor
        .post(
            &format!("{new_plan_uri}/apply"),
            &[("csrf", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(failed.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(uploads(&pool).await, 1);
    allow_writes(&pool, "plans").await;
    let created = editor
        .post(
            &format!("{new_plan_uri}/apply"),
            &[("csrf", &csrf), ("token", &token)],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    assert_eq!(uploads(&pool).await, 0);
}

#[sqlx::test]
async fn two_applies_of_the_same_new_plan_code_create_one_plan_and_a_409(pool: PgPool) {
    use axum::http::StatusCode;
    let app = demo_app(&pool).await;
    let original = plan(&pool, "ANASER", "PAP-2025").await;
    let xlsx = imports::export_xlsx(&pool, &original, today())
        .await
        .unwrap();
    let uri = "/agencies/ANASER/plans/import";
    // Two editors preview the same new plan; both are offered "apply".
    let mut previews = Vec::new();
    for _ in 0..2 {
        let mut editor = signed_in(&app, "anaser.editeur").await;
        let csrf = csrf_of(&editor.get(uri).await);
        let fields = [
            ("csrf", csrf.as_str()),
            ("code", "PAP-2025-TER"),
            ("title", "PAP 2025 bis"),
            ("year", "2025"),
        ];
        let preview = editor
            .post_file(uri, &fields, ("file", "plan.xlsx", &xlsx))
            .await;
        assert_eq!(preview.status, StatusCode::OK);
        let token = preview.attrs("#apply input[name=token]", "value")[0].clone();
        previews.push((editor, csrf, token));
    }
    let apply_uri = format!("{uri}/apply");
    let (mut first, mut second) = (previews.remove(0), previews.remove(0));
    let first_fields = [("csrf", first.1.as_str()), ("token", first.2.as_str())];
    let second_fields = [("csrf", second.1.as_str()), ("token", second.2.as_str())];
    let (a, b) = tokio::join!(
        first.0.post(&apply_uri, &first_fields),
        second.0.post(&apply_uri, &second_fields),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM plans WHERE code = 'PAP-2025-TER'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}
