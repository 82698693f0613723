//! Everything a figure depends on is dated (issue 11, section 1): a change
//! of an activity's target or budget takes effect from a date and is kept
//! as a version, so figures as of an earlier date stay as they were; a
//! correction dated in the past (an admin's, once a session has fixed those
//! figures) does change them; an indicator value corrected for a past
//! period keeps the old value, shown as a correction.

use std::io::Cursor;

use crate::common::*;
use axum::http::StatusCode;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use sqlx::PgPool;

const ACTIVITY_FIELDS: &[&str] = &[
    "csrf",
    "node",
    "code",
    "title",
    "unit",
    "target",
    "budget",
    "responsible_unit",
    "region",
    "planned_start",
    "planned_end",
    "effective_on",
];

const REPORT_CSV: &str = "/agencies/ANASER/report/2025.csv?as_of=2025-11-30";
const SUMMARY_CSV: &str = "/agencies/ANASER/report/2025.csv?as_of=2025-11-30&table=summary";
const REPORT_XLSX: &str = "/agencies/ANASER/report/2025.xlsx?as_of=2025-11-30";

async fn edit_activity(client: &mut Client, activity: i64, replaced: &[(&str, &str)]) -> Page {
    let uri = format!("/activities/{activity}/edit");
    let edit = client.get(&uri).await;
    assert_eq!(edit.status, StatusCode::OK);
    let fields = edit.form_values(ACTIVITY_FIELDS, replaced);
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    client.post(&uri, &pairs).await
}

/// The plan page's "above target" and financial rate.
async fn plan_figures(client: &mut Client, uri: &str) -> (String, String) {
    let page = client.get(uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    (
        page.text("#headline [data-figure=above-target]"),
        page.text("#headline [data-figure=budget-rate]"),
    )
}

/// The workbook's summary lines for above target and the financial rate.
fn workbook_figures(page: &Page) -> (f64, f64) {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(page.bytes.clone())).expect("a workbook");
    let rows: Vec<Vec<Data>> = book
        .worksheet_range("Synthèse")
        .expect("the summary sheet")
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let line = |label: &str| {
        rows.iter()
            .find(|row| matches!(row.first(), Some(Data::String(s)) if s == label))
            .and_then(|row| match row.get(1) {
                Some(Data::Float(f)) => Some(*f),
                Some(Data::Int(i)) => Some(*i as f64),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no figure {label:?}"))
    };
    (
        line("Réalisées au-delà de la cible"),
        line("Taux d’exécution financière"),
    )
}

/// A done activity of PAP 2025 with a target of 6, above it by 2025-11-30.
async fn done_activity_above_six(pool: &PgPool) -> i64 {
    let plan = plan_id(pool, "ANASER", "PAP-2025").await;
    sqlx::query_scalar(
        "SELECT a.id FROM activities a WHERE a.plan_id = $1 AND a.target = 6 \
         AND (SELECT p.status = 'done' AND p.achieved > 6 FROM progress_updates p \
              WHERE p.activity_id = a.id AND p.as_of <= '2025-11-30' \
              ORDER BY p.as_of DESC, p.id DESC LIMIT 1) \
         ORDER BY a.id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(pool)
    .await
    .expect("a done activity above its target of 6")
}

async fn versions(pool: &PgPool, activity: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM activity_versions WHERE activity_id = $1")
        .bind(activity)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn a_change_from_today_leaves_the_figures_as_of_the_30th_session(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let as_of = format!("/plans/{plan}?as_of=2025-11-30");
    let now = format!("/plans/{plan}?as_of={}", today());
    let activity = done_activity_above_six(&pool).await;
    assert_eq!(versions(&pool, activity).await, 1, "the first version");

    let mut board = signed_in(&app, "anaser.ca").await;
    let plan_before = plan_figures(&mut board, &as_of).await;
    assert_eq!(plan_before.0, "10");
    let today_before = plan_figures(&mut board, &now).await;
    let csv_before = board.get(REPORT_CSV).await.body;
    let summary_before = board.get(SUMMARY_CSV).await.body;
    let xlsx_before = workbook_figures(&board.get(REPORT_XLSX).await);
    assert_eq!(xlsx_before.0, 10.0);

    // The editor changes the target 6 → 60 and the budget, with effect from
    // today: the form's default.
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let edit = editor.get(&format!("/activities/{activity}/edit")).await;
    assert_eq!(
        edit.attrs("form [name=effective_on]", "value"),
        [today().to_string()]
    );
    let saved = edit_activity(
        &mut editor,
        activity,
        &[("target", "60"), ("budget", "900000000")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(versions(&pool, activity).await, 2);

    // As of 2025-11-30 nothing moved: plan page, CSV, XLSX.
    assert_eq!(plan_figures(&mut board, &as_of).await, plan_before);
    assert_eq!(board.get(REPORT_CSV).await.body, csv_before);
    assert_eq!(board.get(SUMMARY_CSV).await.body, summary_before);
    assert_eq!(workbook_figures(&board.get(REPORT_XLSX).await), xlsx_before);
    // Today the change shows.
    let today_after = plan_figures(&mut board, &now).await;
    assert_ne!(today_after.0, today_before.0, "one fewer above target");
    assert_ne!(today_after.1, today_before.1, "the financial rate moves");

    // A correction from 2025-01-01 would move what the 30th session fixed:
    // refused to the editor…
    let refused = edit_activity(
        &mut editor,
        activity,
        &[("target", "60"), ("effective_on", "2025-01-01")],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!refused
        .text(".field-error[data-field=effective_on]")
        .is_empty());
    // …and before the plan starts, to anyone.
    let mut admin = signed_in(&app, "admin").await;
    let too_early = edit_activity(
        &mut admin,
        activity,
        &[("target", "60"), ("effective_on", "2024-12-31")],
    )
    .await;
    assert_eq!(too_early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(versions(&pool, activity).await, 2, "nothing written");

    // The admin's correction from 2025-01-01 does change the figures then.
    let corrected = edit_activity(
        &mut admin,
        activity,
        &[
            ("target", "60"),
            ("budget", "900000000"),
            ("effective_on", "2025-01-01"),
        ],
    )
    .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let plan_corrected = plan_figures(&mut board, &as_of).await;
    assert_eq!(plan_corrected.0, "9");
    assert_ne!(plan_corrected.1, plan_before.1);
    assert_eq!(workbook_figures(&board.get(REPORT_XLSX).await).0, 9.0);
    assert_ne!(board.get(REPORT_CSV).await.body, csv_before);

    // Every version is kept, with its date and author.
    assert_eq!(versions(&pool, activity).await, 3);
    let kept: Vec<(chrono::NaiveDate, Option<String>)> = sqlx::query_as(
        "SELECT v.effective_on, u.login FROM activity_versions v \
         LEFT JOIN users u ON u.id = v.recorded_by WHERE v.activity_id = $1 \
         ORDER BY v.recorded_at, v.id",
    )
    .bind(activity)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        kept,
        [
            (date(1900, 1, 1), None),
            (today(), Some("anaser.editeur".to_owned())),
            (date(2025, 1, 1), Some("admin".to_owned())),
        ]
    );
    // The current columns follow the latest version.
    let (target, budget): (rust_decimal::Decimal, i64) =
        sqlx::query_as("SELECT target, budget FROM activities WHERE id = $1")
            .bind(activity)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        (target, budget),
        (rust_decimal::Decimal::from(60), 900_000_000)
    );
}

#[sqlx::test]
async fn an_indicator_value_corrected_for_t3_2025_keeps_both_values(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let (indicator, old): (i64, rust_decimal::Decimal) = sqlx::query_as(
        "SELECT i.id, v.value FROM indicators i JOIN indicator_values v ON v.indicator_id = i.id \
         WHERE i.plan_id = $1 AND v.period_end = '2025-09-30' ORDER BY i.id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let uri = format!("/indicators/{indicator}/values");
    let form = editor.get(&uri).await;
    assert!(form
        .text("tr[data-period=\"2025-09-30\"] [data-field=corrections]")
        .is_empty());
    for value in ["9999", "9999"] {
        let saved = editor
            .post(
                &uri,
                &[
                    ("csrf", &csrf_of(&form)),
                    ("period_label", "T3 2025"),
                    ("period_end", "2025-09-30"),
                    ("value", value),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    }

    // The new value is read, the old one kept (once: saving the same value
    // again is no correction).
    let current: Vec<rust_decimal::Decimal> = sqlx::query_scalar(
        "SELECT value FROM indicator_values WHERE indicator_id = $1 AND period_end = '2025-09-30'",
    )
    .bind(indicator)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(current, [rust_decimal::Decimal::from(9999)]);
    let kept: Vec<rust_decimal::Decimal> = sqlx::query_scalar(
        "SELECT value FROM indicator_value_revisions \
         WHERE indicator_id = $1 AND period_end = '2025-09-30'",
    )
    .bind(indicator)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(kept, [old]);

    let page = editor.get(&uri).await;
    let row = "tr[data-period=\"2025-09-30\"]";
    assert_eq!(page.text(&format!("{row} [data-field=value]")), "9 999");
    let correction = page.text(&format!("{row} [data-field=corrections]"));
    assert!(correction.starts_with("corrigé le "), "{correction}");
    // As the page reads: the French grouping space collapsed like any other.
    let old_shown = format!("ancienne valeur {}", suivi::i18n::Lang::Fr.quantity(old))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(correction.contains(&old_shown), "{correction}");
}

#[sqlx::test]
async fn a_plan_import_records_its_changes_as_versions(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = suivi::store::plans::find(&pool, plan_id(&pool, "ANASER", "PAP-2025").await)
        .await
        .unwrap()
        .unwrap();
    let activity = done_activity_above_six(&pool).await;
    // The plan file as it stands (target 6), then the editor's change to 60.
    let file = suivi::imports::export_csv(&pool, &plan, today())
        .await
        .unwrap();
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let saved = edit_activity(&mut editor, activity, &[("target", "60")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // Importing the file again puts 6 back: one change, a third version.
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let target = suivi::imports::Target::Existing(plan.clone());
    let import = suivi::imports::prepare_plan_import(&pool, &file, &target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"));
    assert_eq!(import.changes.len(), 1, "{:?}", import.changes);
    suivi::imports::apply_plan_import(&pool, &target, &import, today(), admin, None)
        .await
        .unwrap()
        .unwrap();
    let kept: Vec<(
        chrono::NaiveDate,
        Option<i64>,
        Option<rust_decimal::Decimal>,
    )> = sqlx::query_as(
        "SELECT effective_on, recorded_by, target FROM activity_versions \
             WHERE activity_id = $1 ORDER BY recorded_at, id",
    )
    .bind(activity)
    .fetch_all(&pool)
    .await
    .unwrap();
    let six = Some(rust_decimal::Decimal::from(6));
    assert_eq!(kept.len(), 3);
    assert_eq!(kept[1].2, Some(rust_decimal::Decimal::from(60)));
    assert_eq!(kept[2], (today(), Some(admin), six));
    let rows = suivi::store::plans::activities_as_of(&pool, plan.id, today())
        .await
        .unwrap();
    let row = rows.iter().find(|r| r.id == activity).unwrap();
    assert_eq!(row.target.map(|t| t.normalize()), six);
}

#[sqlx::test]
async fn an_indicator_target_changed_from_today_leaves_the_report_as_of_the_cutoff(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let indicator: i64 = sqlx::query_scalar(
        "SELECT id FROM indicators WHERE plan_id = $1 AND target IS NOT NULL ORDER BY id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let report = "/agencies/ANASER/report/2025.csv?as_of=2025-11-30&table=indicators";
    let mut board = signed_in(&app, "anaser.ca").await;
    let before = board.get(report).await.body;

    let mut editor = signed_in(&app, "anaser.editeur").await;
    let uri = format!("/indicators/{indicator}/edit");
    let edit = editor.get(&uri).await;
    assert_eq!(edit.status, StatusCode::OK);
    let names = [
        "csrf",
        "node",
        "code",
        "title",
        "unit",
        "baseline",
        "baseline_year",
        "target",
        "target_year",
        "direction",
        "effective_on",
    ];
    let mut fields: Vec<(String, String)> = names
        .iter()
        .map(|name| {
            let selector = format!("form [name={name}]");
            let value = edit
                .attrs(&selector, "value")
                .into_iter()
                .next()
                .or_else(|| {
                    edit.attrs(&format!("{selector} option[selected]"), "value")
                        .into_iter()
                        .next()
                })
                .unwrap_or_default();
            ((*name).to_owned(), value)
        })
        .collect();
    assert_eq!(fields[10].1, today().to_string(), "today by default");
    fields[7].1 = "123456".to_owned();
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let saved = editor.post(&uri, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    assert_eq!(board.get(report).await.body, before, "as of the cutoff");
    // The yearly report stops at the end of 2025, before the change: the
    // plan's indicators as of today show it.
    let now = suivi::store::plans::indicators(&mut pool.acquire().await.unwrap(), plan, today())
        .await
        .unwrap();
    let changed = now.iter().find(|i| i.id == indicator).unwrap();
    assert_eq!(changed.target, Some(rust_decimal::Decimal::from(123_456)));
    let versions: i64 =
        sqlx::query_scalar("SELECT count(*) FROM indicator_versions WHERE indicator_id = $1")
            .bind(indicator)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(versions, 2);
}
