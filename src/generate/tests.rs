//! The generator against a real database: counts, reproducibility, the
//! future; the progress lines; the options' checks; and the ignored
//! national-scale measure.

use super::*;
use sqlx::postgres::PgPoolOptions;

fn small() -> GenerateOptions {
    GenerateOptions {
        agencies: 3,
        activities: 20,
        updates_per_activity: 4,
        years: 2,
        first_year: 2024,
        seed: 7,
        // Mid-December: the December 2025 sessions are still planned.
        today: NaiveDate::from_ymd_opt(2025, 12, 10).unwrap(),
    }
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Figures that any difference in the generated rows would change.
async fn fingerprint(pool: &PgPool) -> Vec<String> {
    let queries = [
        "SELECT count(*)::text FROM activities a
         WHERE (SELECT status FROM progress_updates p WHERE p.activity_id = a.id
                ORDER BY as_of DESC, id DESC LIMIT 1) = 'done'",
        "SELECT sum(budget)::text FROM activities",
        "SELECT md5(string_agg(concat_ws('|', id, plan_id, node_id, code, title, target,
             unit, budget, responsible_unit, region_code, planned_start, planned_end),
             ',' ORDER BY id)) FROM activities",
        "SELECT md5(string_agg(concat_ws('|', id, activity_id, as_of, status, achieved,
             spent, comment, author, recorded_at), ',' ORDER BY id)) FROM progress_updates",
        "SELECT md5(string_agg(concat_ws('|', id, indicator_id, period_end, value),
             ',' ORDER BY id)) FROM indicator_values",
        "SELECT md5(string_agg(concat_ws('|', r.id, r.text, r.due_on, r.status, s.held_on),
             ',' ORDER BY r.id)) FROM resolutions r JOIN board_sessions s ON s.id = r.session_id",
    ];
    let mut figures = Vec::new();
    for sql in queries {
        figures.push(sqlx::query_scalar(sql).fetch_one(pool).await.unwrap());
    }
    figures
}

#[sqlx::test]
async fn generates_a_consistent_small_set(pool: PgPool) {
    let options = small();
    let mut lines = Vec::new();
    let report = generate(&pool, &options, &mut |p| lines.push(p.to_string()))
        .await
        .unwrap();
    assert_eq!(lines.len(), 3 + 2);
    assert!(lines[0].starts_with("agences 1/3 (33 %)"), "{}", lines[0]);

    // Exact counts: 3 agencies + 1 ministry; per agency-year one plan with
    // 2 + 10 nodes, 20 activities, 5 indicators, 2 sessions, 3 funding lines.
    assert_eq!(report.agencies, 4);
    assert_eq!(report.ministries, 1);
    assert_eq!(report.plans, 6);
    assert_eq!(report.plan_nodes, 72);
    assert_eq!(report.activities, 120);
    assert_eq!(report.indicators, 30);
    assert_eq!(report.board_sessions, 12);
    assert_eq!(report.funding_lines, 18);
    // Quarters up to 10 December 2025: 4 + 3 per indicator.
    assert_eq!(report.indicator_values, 15 * 4 + 15 * 3);
    assert_eq!(count(&pool, "SELECT count(*) FROM agencies").await, 4);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM plans WHERE illustrative").await,
        6
    );
    assert_eq!(count(&pool, "SELECT count(*) FROM activities").await, 120);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM board_sessions").await,
        12
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM progress_updates").await,
        report.progress_updates as i64
    );
    assert!(report.progress_updates >= 120 && report.progress_updates <= 480);

    // Every activity has at least one update, dated within its year and not
    // after `today`.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM activities a WHERE NOT EXISTS
             (SELECT 1 FROM progress_updates p WHERE p.activity_id = a.id)"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM progress_updates p
             JOIN activities a ON a.id = p.activity_id JOIN plans l ON l.id = a.plan_id
             WHERE extract(year FROM p.as_of) <> l.start_year OR p.as_of > '2025-12-10'"
        )
        .await,
        0
    );

    // Foreign keys point where they should.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM plans p JOIN agencies a ON a.id = p.agency_id
             WHERE a.code NOT LIKE 'GEN-0%' OR a.parent_id IS NULL"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM activities a JOIN plan_nodes n ON n.id = a.node_id
             WHERE n.plan_id <> a.plan_id OR n.depth <> 1"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM plan_nodes c JOIN plan_nodes p ON p.id = c.parent_id
             WHERE p.plan_id <> c.plan_id"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM board_sessions s
             JOIN plans r ON r.id = s.reviewed_plan_id
             LEFT JOIN plans d ON d.id = s.adopted_plan_id
             WHERE r.agency_id <> s.agency_id OR d.agency_id <> s.agency_id
                OR r.start_year <> extract(year FROM s.held_on)"
        )
        .await,
        0
    );
    // Sessions are numbered 1…4 per agency; past ones are held, with resolutions.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM (SELECT agency_id FROM board_sessions
             GROUP BY agency_id HAVING array_agg(number ORDER BY held_on) = '{1,2,3,4}') x"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM board_sessions WHERE status = 'planned'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM board_sessions s WHERE status = 'held' AND
             (SELECT count(*) FROM resolutions r WHERE r.session_id = s.id) NOT IN (2, 3)"
        )
        .await,
        0
    );
    // Funding lines add up to the plan's activity budget.
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM plans p WHERE
             (SELECT sum(planned) FROM funding_lines f WHERE f.plan_id = p.id)
             <> (SELECT sum(budget) FROM activities a WHERE a.plan_id = p.id)"
        )
        .await,
        0
    );
    // Some done activities beat their target, as in the ANASER report.
    assert!(
        count(
            &pool,
            "SELECT count(*) FROM progress_updates p JOIN activities a ON a.id = p.activity_id
             WHERE p.status = 'done' AND p.achieved > a.target"
        )
        .await
            > 0
    );

    // The sequences moved past the generated ids: ordinary inserts work.
    let agency: i64 = sqlx::query_scalar(
        "INSERT INTO agencies (code, name) VALUES ('APRES', 'Après génération') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(agency, 5);
    let plan: i64 = sqlx::query_scalar(
        "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, level_names)
         VALUES ($1, 'PAP-2026', 'PAP 2026', 'annual', 2026, 2026, '{Action}') RETURNING id",
    )
    .bind(agency)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(plan, 7);
    let node: i64 = sqlx::query_scalar(
        "INSERT INTO plan_nodes (plan_id, depth, code, title) VALUES ($1, 0, 'A', 'A')
         RETURNING id",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let activity: i64 = sqlx::query_scalar(
        "INSERT INTO activities (plan_id, node_id, code, title) VALUES ($1, $2, 'X', 'X')
         RETURNING id",
    )
    .bind(plan)
    .bind(node)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(activity, 121);
    let update: i64 = sqlx::query_scalar(
        "INSERT INTO progress_updates (activity_id, as_of, status, author)
         VALUES ($1, '2026-01-05', 'in_progress', 'test') RETURNING id",
    )
    .bind(activity)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(update, report.progress_updates as i64 + 1);

    // A second run refuses rather than mixing two data sets.
    let error = generate(&pool, &options, &mut |_| {}).await.unwrap_err();
    assert!(error.to_string().contains("GEN-"), "{error}");
    assert_eq!(count(&pool, "SELECT count(*) FROM activities").await, 121);
}

#[sqlx::test]
async fn same_seed_same_data_in_a_fresh_database(pool: PgPool) {
    let options = small();
    generate(&pool, &options, &mut |_| {}).await.unwrap();
    let first = fingerprint(&pool).await;

    // A second fresh database on the same server, migrated the same way.
    let name = format!("suivi_generate_twin_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    let twin = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(pool.connect_options().as_ref().clone().database(&name))
        .await
        .unwrap();
    sqlx::migrate!().run(&twin).await.unwrap();
    generate(&twin, &options, &mut |_| {}).await.unwrap();
    let second = fingerprint(&twin).await;
    twin.close().await;
    // The server may not have ended the closed connections yet.
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&pool)
        .await
        .unwrap();

    assert_eq!(first, second);
    // The figures are not trivially equal: some but not all activities are done.
    let done: i64 = first[0].parse().unwrap();
    assert!(done > 0 && done < 120, "{done}");

    // Another seed gives other data.
    let other = GenerateOptions { seed: 8, ..options };
    let name = format!("{name}_b");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&pool)
        .await
        .unwrap();
    let twin = PgPoolOptions::new()
        .max_connections(2)
        .connect_with(pool.connect_options().as_ref().clone().database(&name))
        .await
        .unwrap();
    sqlx::migrate!().run(&twin).await.unwrap();
    generate(&twin, &other, &mut |_| {}).await.unwrap();
    let third = fingerprint(&twin).await;
    twin.close().await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&pool)
        .await
        .unwrap();
    assert_ne!(first[3], third[3]);
}

#[sqlx::test]
async fn future_years_have_plans_but_nothing_recorded(pool: PgPool) {
    let options = GenerateOptions {
        agencies: 1,
        activities: 5,
        years: 1,
        first_year: 2030,
        ..small()
    };
    let report = generate(&pool, &options, &mut |_| {}).await.unwrap();
    assert_eq!(report.activities, 5);
    assert_eq!(report.progress_updates, 0);
    assert_eq!(report.indicator_values, 0);
    assert_eq!(report.resolutions, 0);
    assert_eq!(
        count(&pool, "SELECT count(*) FROM plans WHERE status = 'adopted'").await,
        1
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM board_sessions WHERE status = 'planned'"
        )
        .await,
        2
    );
    assert_eq!(
        count(&pool, "SELECT sum(mobilised)::bigint FROM funding_lines").await,
        0
    );
}

#[test]
fn progress_lines_read_in_french() {
    let line = GenerateProgress {
        stage: Stage::Agencies,
        agencies_done: 120,
        agencies_total: 300,
        rows: 1_234_567,
        elapsed: Duration::from_millis(12_340),
    };
    assert_eq!(
        line.to_string(),
        "agences 120/300 (40 %), 1 234 567 lignes, 12,3 s"
    );
    assert_eq!(group_thousands(999), "999");
    assert_eq!(group_thousands(1000), "1 000");
}

#[test]
fn options_are_checked() {
    let mut options = small();
    assert!(options.validate().is_ok());
    options.agencies = 0;
    assert!(options.validate().is_err());
    let options = GenerateOptions::new(300, 200, 10, 1);
    assert_eq!(options.last_year(), Local::now().year());
    assert_eq!(options.ministries(), 10);
}
