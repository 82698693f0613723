//! The schema and the demo data against a real PostgreSQL: migrations, the demo
//! loaded twice, and the figures of the ANASER 30th session as of its cutoff.

use crate::common::*;
use sqlx::PgPool;
use suivi::domain::Status;
use suivi::performance::{self, Ratio, Summary};
use suivi::store::plans;

async fn summary_as_of(pool: &PgPool, plan_id: i64, as_of: chrono::NaiveDate) -> Summary {
    let activities = plans::activities_as_of(pool, plan_id, as_of).await.unwrap();
    Summary::of(
        &activities.iter().map(|a| a.figures()).collect::<Vec<_>>(),
        as_of,
    )
}

#[sqlx::test]
async fn migrations_build_the_schema_with_its_constraints(pool: PgPool) {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    for table in [
        "activities",
        "agencies",
        "board_sessions",
        "funding_lines",
        "indicator_values",
        "indicators",
        "plan_nodes",
        "plans",
        "progress_updates",
        "regions",
        "resolutions",
    ] {
        assert!(tables.iter().any(|t| t == table), "missing table {table}");
    }
    let agency: i64 =
        sqlx::query_scalar("INSERT INTO agencies (code, name) VALUES ('T', 'Test') RETURNING id")
            .fetch_one(&pool)
            .await
            .unwrap();
    // an annual plan spans one year
    let bad_plan = sqlx::query(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names) \
         VALUES ($1, 'P', 'P', 'annual', 2025, 2026, '{A}')",
    )
    .bind(agency)
    .execute(&pool)
    .await;
    assert!(bad_plan.is_err());
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names) \
         VALUES ($1, 'P', 'P', 'annual', 2025, 2025, '{A}') RETURNING id",
    )
    .bind(agency)
    .fetch_one(&pool)
    .await
    .unwrap();
    let node: i64 = sqlx::query_scalar(
        "INSERT INTO plan_nodes (plan_id, depth, code, title) VALUES ($1, 0, 'N', 'N') RETURNING id",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let negative_budget = sqlx::query(
        "INSERT INTO activities (plan_id, node_id, code, title, budget) VALUES ($1, $2, 'A', 'A', -1)",
    )
    .bind(plan)
    .bind(node)
    .execute(&pool)
    .await;
    assert!(negative_budget.is_err());
    let activity: i64 = sqlx::query_scalar(
        "INSERT INTO activities (plan_id, node_id, code, title, budget) VALUES ($1, $2, 'A', 'A', 10) RETURNING id",
    )
    .bind(plan)
    .bind(node)
    .fetch_one(&pool)
    .await
    .unwrap();
    let unknown_status = sqlx::query(
        "INSERT INTO progress_updates (activity_id, as_of, status, author) VALUES ($1, '2025-01-01', 'finished', 't')",
    )
    .bind(activity)
    .execute(&pool)
    .await;
    assert!(unknown_status.is_err());
    add_update(&pool, activity, date(2025, 1, 1), "in_progress", None).await;
    // progress is appended, never overwritten
    let overwrite = sqlx::query("UPDATE progress_updates SET status = 'done'")
        .execute(&pool)
        .await;
    assert!(overwrite.is_err());
}

#[sqlx::test]
async fn demo_loads_once_and_a_second_load_changes_nothing(pool: PgPool) {
    async fn counts(pool: &PgPool) -> Vec<i64> {
        let mut counts = Vec::new();
        for table in [
            "agencies",
            "plans",
            "plan_nodes",
            "activities",
            "progress_updates",
            "indicators",
            "indicator_values",
            "board_sessions",
            "resolutions",
            "funding_lines",
        ] {
            counts.push(
                sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                    .fetch_one(pool)
                    .await
                    .unwrap(),
            );
        }
        counts
    }
    suivi::demo::load(&pool).await.unwrap();
    let first = counts(&pool).await;
    assert!(
        first.iter().all(|&c| c > 0),
        "every table has demo rows: {first:?}"
    );
    suivi::demo::load(&pool).await.unwrap();
    assert_eq!(counts(&pool).await, first);
}

#[sqlx::test]
async fn the_30th_session_reads_32_of_49_and_10_above_target(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let session = suivi::store::sessions::find(&pool, session_id(&pool, "ANASER", 30).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.held_on, date(2025, 12, 26));
    assert_eq!(session.cutoff, date(2025, 11, 30));
    let plan = session.reviewed_plan_id.unwrap();
    let summary = summary_as_of(&pool, plan, session.cutoff).await;
    assert_eq!((summary.done, summary.planned), (32, 49));
    assert_eq!(summary.execution_rate(), Ratio::new(32, 49));
    assert_eq!(summary.execution_rate().unwrap().percent_rounded(), 65);
    assert_eq!(summary.above_target, 10);

    // The adopted programme: 50 activities in 5 priority actions.
    let adopted = session.adopted_plan_id.unwrap();
    let nodes = plans::nodes(&pool, adopted, today())
        .await
        .unwrap()
        .into_nodes();
    let activities = plans::activities_as_of(&pool, adopted, session.cutoff)
        .await
        .unwrap();
    assert_eq!(activities.len(), 50);
    let holding: std::collections::BTreeSet<i64> = activities.iter().map(|a| a.node_id).collect();
    assert_eq!(holding.len(), 5);
    assert!(holding.iter().all(|id| nodes.iter().any(|n| n.id == *id)));
}

#[sqlx::test]
async fn sql_latest_update_agrees_with_the_pure_rule(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let cutoff = date(2025, 11, 30);
    let rows: Vec<(i64, i64, chrono::NaiveDate, Status)> = sqlx::query_as(
        "SELECT u.activity_id, u.id, u.as_of, u.status FROM progress_updates u \
         JOIN activities a ON a.id = u.activity_id WHERE a.plan_id = $1",
    )
    .bind(plan)
    .fetch_all(&pool)
    .await
    .unwrap();
    for activity in plans::activities_as_of(&pool, plan, cutoff).await.unwrap() {
        let updates: Vec<performance::Update> = rows
            .iter()
            .filter(|r| r.0 == activity.id)
            .map(|r| performance::Update {
                id: r.1,
                as_of: r.2,
                status: r.3,
                achieved: None,
                spent: None,
            })
            .collect();
        let expected = performance::state_as_of(&updates, cutoff).map(|u| u.id);
        assert_eq!(activity.latest.id, expected, "activity {}", activity.code);
    }
}

#[sqlx::test]
async fn a_later_update_changes_today_but_not_the_session(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let cutoff = date(2025, 11, 30);
    let before_cutoff = summary_as_of(&pool, plan, cutoff).await;
    let before_today = summary_as_of(&pool, plan, today()).await;
    // the demo itself has December updates: today differs from the session
    assert!(before_today.done > before_cutoff.done);

    let open = plans::activities_as_of(&pool, plan, today())
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.figures().status != Status::Done)
        .expect("an activity still open today");
    add_update(&pool, open.id, date(2025, 12, 10), "done", None).await;

    let after_cutoff = summary_as_of(&pool, plan, cutoff).await;
    let after_today = summary_as_of(&pool, plan, today()).await;
    assert_eq!(after_cutoff, before_cutoff);
    assert_eq!(after_today.done, before_today.done + 1);
}
