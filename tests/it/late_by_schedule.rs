//! "Late" with per-period targets: an activity whose schedule plans
//! quantities per quarter is late once a quarter has ended with less
//! achieved than planned up to it, not merely once its first quarter has
//! ended. The figures counted in Rust (pages, reports, seals) and in SQL
//! (the per-plan figures kept by the triggers, and the exact path through
//! the history) agree at every date.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::PgPool;

use crate::common::*;
use crate::scale::{assert_plan_figures_fresh, dates};
use suivi::performance::Summary;
use suivi::store::{agencies, plans};

/// An activity of `plan` with a schedule (periods as stored: JSON) and its
/// updates: (as of, status, achieved).
async fn scheduled(
    pool: &PgPool,
    (plan, node): (i64, i64),
    code: &str,
    periods: serde_json::Value,
    first_end: NaiveDate,
    updates: &[(NaiveDate, &str, i64)],
) {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO activities (plan_id, node_id, code, title, target, unit, budget) \
         VALUES ($1, $2, $3, $3, 20, 'séances', 1000000) RETURNING id",
    )
    .bind(plan)
    .bind(node)
    .bind(code)
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO activity_schedule_versions (activity_id, effective_on, periods, first_end) \
         VALUES ($1, DATE '1900-01-01', $2, $3)",
    )
    .bind(id)
    .bind(periods)
    .bind(first_end)
    .execute(pool)
    .await
    .unwrap();
    for (as_of, status, achieved) in updates {
        add_update(pool, id, *as_of, status, Some(*achieved)).await;
    }
}

fn quarter(q: u8, target: Option<i64>) -> serde_json::Value {
    json!({"year": 2025, "quarter": q, "target": target, "cost": null})
}

/// ANASER's second plan for 2025, of four scheduled activities.
async fn plan_with_targets(pool: &PgPool) -> i64 {
    let anaser = agency_id(pool, "ANASER").await;
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names) \
         VALUES ($1, 'PTA-2025', 'Programme de travail 2025', 'annual', 2025, 2025, \
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
    let at = (plan, node);
    // 10 planned in T1 and 10 in T2; 12 achieved in May: on track until
    // the end of June, late after.
    scheduled(
        pool,
        at,
        "1.1",
        json!([quarter(1, Some(10)), quarter(2, Some(10))]),
        date(2025, 3, 31),
        &[(date(2025, 5, 2), "in_progress", 12)],
    )
    .await;
    // 5 in T1, 10 in T3; 6 achieved in April: on track until the end of
    // September, although its first quarter has ended.
    scheduled(
        pool,
        at,
        "1.2",
        json!([quarter(1, Some(5)), quarter(3, Some(10))]),
        date(2025, 3, 31),
        &[(date(2025, 4, 10), "in_progress", 6)],
    )
    .await;
    // No target per quarter: late once T1 has ended, as before.
    scheduled(
        pool,
        at,
        "1.3",
        json!([quarter(1, None), quarter(2, None)]),
        date(2025, 3, 31),
        &[(date(2025, 2, 1), "in_progress", 15)],
    )
    .await;
    // Done: never late, whatever it achieved.
    scheduled(
        pool,
        at,
        "1.4",
        json!([quarter(2, Some(40))]),
        date(2025, 6, 30),
        &[(date(2025, 6, 1), "done", 4)],
    )
    .await;
    plan
}

async fn late_in_rust(pool: &PgPool, plan: i64, as_of: NaiveDate) -> Summary {
    let activities = plans::activities_as_of(pool, plan, as_of).await.unwrap();
    let figures: Vec<_> = activities.iter().map(|a| a.figures()).collect();
    Summary::of(&figures, as_of)
}

#[sqlx::test]
async fn with_targets_per_quarter_late_follows_the_quantities_in_rust_and_in_sql(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    counted_at_once(&pool, "ANASER").await;
    let plan = plan_with_targets(&pool).await;
    let anaser = agency_id(&pool, "ANASER").await;

    let late_at = |as_of: NaiveDate| {
        let pool = pool.clone();
        async move { late_in_rust(&pool, plan, as_of).await.late }
    };
    assert_eq!(late_at(date(2025, 3, 15)).await, 0);
    // After T1: the activity without targets, and 1.1 with nothing
    // reported yet (1.2's 6 keep up with the 5 planned).
    assert_eq!(late_at(date(2025, 4, 15)).await, 2);
    // After T2: 1.1's 12 fall short of the 20 planned.
    assert_eq!(late_at(date(2025, 7, 15)).await, 2);
    // After T3: 1.2's 6 fall short of the 15 planned.
    assert_eq!(late_at(date(2025, 10, 15)).await, 3);

    // SQL counts the same at every date: before the plan's last update
    // through the history, after it from the figures the triggers keep.
    let settled: NaiveDate =
        sqlx::query_scalar("SELECT settled_on FROM plan_figures WHERE plan_id = $1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        settled,
        date(2025, 6, 1),
        "the dates below fall on both sides"
    );
    let days = [date(2025, 4, 15), date(2025, 7, 15), date(2025, 10, 15)];
    for as_of in dates(2025, 2025, &days) {
        let sql: Vec<(i64, Summary)> = agencies::plan_summaries(&pool, anaser, as_of)
            .await
            .unwrap();
        let counted = sql
            .iter()
            .find(|(id, _)| *id == plan)
            .map(|(_, summary)| *summary)
            .unwrap_or_default();
        assert_eq!(counted, late_in_rust(&pool, plan, as_of).await, "{as_of}");
    }
    assert_plan_figures_fresh(&pool).await;

    // Catching up moves it back on track, in both paths.
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = '1.1'")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    add_update(&pool, id, date(2025, 8, 1), "in_progress", Some(20)).await;
    let as_of = date(2025, 8, 15);
    assert_eq!(late_at(as_of).await, 1);
    let sql = agencies::plan_summaries(&pool, anaser, as_of)
        .await
        .unwrap();
    assert_eq!(
        sql.iter().find(|(id, _)| *id == plan).unwrap().1.late,
        1,
        "the kept figures follow the new quantity"
    );
    assert_plan_figures_fresh(&pool).await;
}

/// A seal made before per-period targets counted says so by naming no rule:
/// its "late" is read, and `verify` recomputes it, by the first period's
/// end, as its board saw it; a seal made since reads by the targets.
#[sqlx::test]
async fn a_seal_made_before_per_period_targets_keeps_the_late_its_board_saw(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session_id = session_id(&pool, "ANASER", 30).await;
    let (plan, node): (i64, i64) = sqlx::query_as(
        "SELECT a.plan_id, a.node_id FROM activities a \
         JOIN board_sessions s ON s.reviewed_plan_id = a.plan_id WHERE s.id = $1 LIMIT 1",
    )
    .bind(session_id)
    .fetch_one(&pool)
    .await
    .unwrap();
    // 5 planned in T1 and 15 in T4; 8 achieved by June: late since April by
    // the first quarter's end, on track by the targets until December.
    let june = NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
    scheduled(
        &pool,
        (plan, node),
        "Z9.01",
        json!([quarter(1, Some(5)), quarter(4, Some(15))]),
        NaiveDate::from_ymd_opt(2025, 3, 31).unwrap(),
        &[(june, "in_progress", 8)],
    )
    .await;
    // Sealed again now, as today's code seals.
    let session = suivi::store::sessions::find(&pool, session_id)
        .await
        .unwrap()
        .unwrap();
    let seal = suivi::dashboard::seal_for(&pool, &session)
        .await
        .unwrap()
        .unwrap();
    assert!(seal.figures.contains(r#""late_rule":"period_targets""#));
    let mut tx = pool.begin().await.unwrap();
    suivi::store::seals::insert(&mut tx, session_id, session.agency_id, &seal, None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut board = signed_in(&app, "anaser.ca").await;
    let late = |page: &Page| page.text("[data-figure=late]").parse::<u64>().unwrap();
    let by_targets = late(&board.get(&format!("/sessions/{session_id}")).await);
    let (_, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(differ.is_empty(), "{differ:?}");

    // The same seal as the code before per-period targets wrote it: no
    // rule, and Z9.01 counted late in the headline.
    let mut older: serde_json::Value = serde_json::from_str(&seal.figures).unwrap();
    assert_eq!(older["late_rule"], "period_targets");
    older.as_object_mut().unwrap().remove("late_rule");
    let headline_late = &mut older["reviewed"]["headline"]["late"];
    *headline_late = json!(headline_late.as_u64().unwrap() + 1);
    let older = older.to_string();
    sqlx::query("ALTER TABLE session_seals DISABLE TRIGGER session_seals_append_only")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE session_seals SET figures = $2, digest = $3 \
         WHERE id = (SELECT seal_id FROM board_sessions WHERE id = $1)",
    )
    .bind(session_id)
    .bind(&older)
    .bind(suivi::dashboard::digest_of(&older))
    .execute(&pool)
    .await
    .unwrap();
    let page = board.get(&format!("/sessions/{session_id}")).await;
    assert_eq!(
        late(&page),
        by_targets + 1,
        "Z9.01 late by its first quarter"
    );
    let (_, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(
        differ.is_empty(),
        "verify counts it by the seal's rule: {differ:?}"
    );
}
