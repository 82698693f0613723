//! What Suivi's own plan file carries besides the activities' fields of
//! before: the associated units ("Structures associées") and the schedule
//! ("Chronogramme"), each written by the export, read back by the import,
//! kept on the activity (dated) and shown on its pages; a second import of
//! the same file changes nothing, and a file without the column leaves them.

use crate::common::*;
use sqlx::PgPool;
use suivi::imports::{self, PlanImport, Target};
use suivi::schedule::PlannedPeriod;
use suivi::store::plans;

async fn plan_of(pool: &PgPool, agency: &str, code: &str) -> plans::Plan {
    plans::find(pool, plan_id(pool, agency, code).await)
        .await
        .unwrap()
        .unwrap()
}

async fn admin_id(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The CSV with one cell of one activity's row replaced.
fn edit_cell(csv: &str, code: &str, column: &str, value: &str) -> String {
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].trim_start_matches('\u{feff}').split(';').collect();
    let index = header
        .iter()
        .position(|h| *h == column)
        .unwrap_or_else(|| panic!("no column {column:?} in {header:?}"));
    let code_index = header.iter().position(|h| *h == "Code").unwrap();
    for line in lines.iter_mut().skip(1) {
        let mut cells: Vec<String> = line.split(';').map(str::to_owned).collect();
        if cells[code_index] == code {
            cells[index] = value.to_owned();
            *line = cells.join(";");
        }
    }
    lines.join("\r\n") + "\r\n"
}

/// The CSV without one of its columns, as a file made before it existed
/// (read and written back as a spreadsheet would: comments may hold `;`).
fn without_column(csv: &str, column: &str) -> String {
    let rows = parse_csv(csv.trim_start_matches('\u{feff}'), ';');
    let index = rows[0].iter().position(|h| h == column).unwrap();
    let quoted = |cell: &String| {
        if cell.contains([';', '"', '\n', '\r']) {
            format!("\"{}\"", cell.replace('"', "\"\""))
        } else {
            cell.clone()
        }
    };
    rows.iter()
        .filter(|row| row.len() > index)
        .map(|row| {
            let mut row = row.clone();
            row.remove(index);
            row.iter().map(quoted).collect::<Vec<_>>().join(";")
        })
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}

fn cell<'a>(csv: &'a str, code: &str, column: &str) -> &'a str {
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(';').collect()).collect();
    let index = rows[0]
        .iter()
        .position(|h| h.trim_start_matches('\u{feff}') == column)
        .unwrap_or_else(|| panic!("no column {column:?}"));
    let code_index = rows[0].iter().position(|h| *h == "Code").unwrap();
    rows.iter()
        .find(|r| r[code_index] == code)
        .map(|r| r[index])
        .unwrap_or_else(|| panic!("no row {code}"))
}

async fn import_onto(pool: &PgPool, plan: &plans::Plan, bytes: &[u8]) -> PlanImport {
    let target = Target::Existing(plan.clone());
    let import = imports::prepare_plan_import(pool, bytes, &target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    imports::apply_plan_import(pool, &target, &import, today(), admin_id(pool).await, None)
        .await
        .unwrap()
        .unwrap();
    import
}

async fn associated(pool: &PgPool, plan: i64, code: &str) -> Option<String> {
    sqlx::query_scalar("SELECT associated_units FROM activities WHERE plan_id = $1 AND code = $2")
        .bind(plan)
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn export(pool: &PgPool, plan: &plans::Plan) -> String {
    String::from_utf8(imports::export_csv(pool, plan, today()).await.unwrap()).unwrap()
}

#[sqlx::test]
async fn associated_units_go_out_and_come_back_with_the_plan_file(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_of(&pool, "ANASER", "PAP-2025").await;
    let csv = export(&pool, &plan).await;
    assert_eq!(cell(&csv, "A1.01", "Structures associées"), "");

    let units = "DGTTM, Police routière";
    let edited = edit_cell(&csv, "A1.01", "Structures associées", units);
    let import = import_onto(&pool, &plan, edited.as_bytes()).await;
    assert_eq!(import.changes.len(), 1, "{:?}", import.changes);
    assert_eq!(
        associated(&pool, plan.id, "A1.01").await.as_deref(),
        Some(units)
    );
    // A dated attribute: the plan as it stood before today names none.
    let before: Option<String> = sqlx::query_scalar(
        "SELECT v.associated_units FROM activity_versions v JOIN activities a \
         ON a.id = v.activity_id WHERE a.plan_id = $1 AND a.code = 'A1.01' \
         ORDER BY v.effective_on LIMIT 1",
    )
    .bind(plan.id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(before, None);

    // Shown on the plan page and the activity's page.
    let mut admin = signed_in(&app, "admin").await;
    let page = admin
        .get(&format!("/plans/{}?as_of={}", plan.id, today()))
        .await;
    assert_eq!(
        page.texts("tr[data-activity=\"A1.01\"] [data-field=associated]"),
        [format!("Structures associées : {units}")]
    );
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = 'A1.01'")
            .bind(plan.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let page = admin.get(&format!("/activities/{id}")).await;
    assert_eq!(page.text("#units [data-field=associated]"), units);

    // Exported again, the same file changes nothing; without the column
    // (a file made before it), the units stay.
    let again = export(&pool, &plan).await;
    assert_eq!(cell(&again, "A1.01", "Structures associées"), units);
    let target = Target::Existing(plan.clone());
    let same = imports::prepare_plan_import(&pool, again.as_bytes(), &target, today())
        .await
        .unwrap()
        .unwrap();
    assert!(same.changes.is_empty(), "{:?}", same.changes);
    let older = without_column(&again, "Structures associées");
    let same = imports::prepare_plan_import(&pool, older.as_bytes(), &target, today())
        .await
        .unwrap()
        .unwrap();
    assert!(same.changes.is_empty(), "{:?}", same.changes);

    // Emptied in the file, they go.
    let emptied = edit_cell(&again, "A1.01", "Structures associées", "");
    import_onto(&pool, &plan, emptied.as_bytes()).await;
    assert_eq!(associated(&pool, plan.id, "A1.01").await, None);
}

async fn periods(pool: &PgPool, plan: i64, code: &str) -> Vec<PlannedPeriod> {
    plans::activities_as_of(pool, plan, today())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.code == code)
        .unwrap_or_else(|| panic!("no activity {code}"))
        .periods()
        .to_vec()
}

fn quarter(year: i32, q: u8, target: Option<i64>) -> PlannedPeriod {
    PlannedPeriod {
        year,
        quarter: Some(q),
        target,
        cost: None,
    }
}

#[sqlx::test]
async fn the_schedule_goes_out_and_comes_back_as_quarters_or_years(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let plan = plan_of(&pool, "ANASER", "PAP-2025").await;
    let csv = export(&pool, &plan).await;
    assert_eq!(cell(&csv, "A1.01", "Chronogramme"), "");

    // Quarters of the plan's year.
    let edited = edit_cell(&csv, "A1.01", "Chronogramme", "T3 T1");
    let import = import_onto(&pool, &plan, edited.as_bytes()).await;
    assert_eq!(import.changes.len(), 1, "{:?}", import.changes);
    assert_eq!(
        periods(&pool, plan.id, "A1.01").await,
        [quarter(2025, 1, None), quarter(2025, 3, None)]
    );

    // A quantity per quarter set in Suivi stays through the round trip: the
    // file names the periods, and the same file changes nothing.
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = 'A1.01'")
            .bind(plan.id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let with_targets = [quarter(2025, 1, Some(10)), quarter(2025, 3, Some(20))];
    let mut conn = pool.acquire().await.unwrap();
    suivi::store::schedules::write(&mut conn, id, &with_targets, today(), None)
        .await
        .unwrap();
    drop(conn);
    let again = export(&pool, &plan).await;
    assert_eq!(cell(&again, "A1.01", "Chronogramme"), "T1 T3");
    let target = Target::Existing(plan.clone());
    let same = imports::prepare_plan_import(&pool, again.as_bytes(), &target, today())
        .await
        .unwrap()
        .unwrap();
    assert!(same.changes.is_empty(), "{:?}", same.changes);
    let moved = edit_cell(&again, "A1.01", "Chronogramme", "T1 T4");
    import_onto(&pool, &plan, moved.as_bytes()).await;
    assert_eq!(
        periods(&pool, plan.id, "A1.01").await,
        [quarter(2025, 1, Some(10)), quarter(2025, 4, None)]
    );

    // Without the column, schedules stay; a word that is no period is a
    // problem of its line and column, and nothing is written.
    let older = without_column(&moved, "Chronogramme");
    let same = imports::prepare_plan_import(&pool, older.as_bytes(), &target, today())
        .await
        .unwrap()
        .unwrap();
    assert!(same.changes.is_empty(), "{:?}", same.changes);
    let bad = edit_cell(&moved, "A1.02", "Chronogramme", "T1 T5");
    let problems = imports::prepare_plan_import(&pool, bad.as_bytes(), &target, today())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(
        (
            problems[0].column.as_str(),
            problems[0].key,
            problems[0].value.as_str()
        ),
        ("Chronogramme", "imports.error.schedule", "T5")
    );

    // A plan of several years: years, and quarters with their year.
    let pgdt = plan_of(&pool, "PNUD", "PGDT").await;
    let csv = export(&pool, &pgdt).await;
    let edited = edit_cell(&csv, "D1.01", "Chronogramme", "2013 2014-T2");
    import_onto(&pool, &pgdt, edited.as_bytes()).await;
    let year_2013 = PlannedPeriod {
        quarter: None,
        ..quarter(2013, 1, None)
    };
    assert_eq!(
        periods(&pool, pgdt.id, "D1.01").await,
        [year_2013, quarter(2014, 2, None)]
    );
    let again = export(&pool, &pgdt).await;
    assert_eq!(cell(&again, "D1.01", "Chronogramme"), "2013 2014-T2");
}
