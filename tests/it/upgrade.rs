//! A database written by an earlier Suivi upgrades in place: every migration
//! added since the first release goes through over existing data, and the
//! figures kept by the later ones (today's state, the per-plan figures) are
//! those the history gives.

use std::borrow::Cow;

use sqlx::migrate::Migrator;
use sqlx::PgPool;

use crate::common::*;
use crate::scale::{assert_plan_figures_fresh, assert_states_agree, dates};
use suivi::store::plans;

/// The schema of the first release (issues 2 to 5): the migrations of 25
/// November 2026.
const FIRST_RELEASE: i64 = 20261126000000;

/// A small agency's year in the first release's schema: a plan of three
/// activities under one priority action, their updates over the year, an
/// indicator with a value, a funding line, a held board session and a user.
const FIRST_RELEASE_DATA: &str = r#"
INSERT INTO agencies (code, name) VALUES ('OLD', 'Agence d''avant');
INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, status, level_names)
    SELECT id, 'PTA-2025', 'Programme 2025', 'annual', 2025, 2025, 'in_progress',
           '{"Action prioritaire"}' FROM agencies WHERE code = 'OLD';
INSERT INTO plan_nodes (plan_id, depth, code, title)
    SELECT id, 0, 'AP1', 'Sensibiliser les usagers' FROM plans WHERE code = 'PTA-2025';
INSERT INTO activities (plan_id, node_id, position, code, title, target, unit, budget, planned_end)
    SELECT n.plan_id, n.id, v.position, v.code, v.title, v.target, 'séances', v.budget, DATE '2025-06-30'
    FROM plan_nodes n, (VALUES (1, '1.1', 'Campagne radio', 10, 5000000),
                               (2, '1.2', 'Caravanes', 4, 12000000),
                               (3, '1.3', 'Formation des moniteurs', 2, 3000000))
         AS v (position, code, title, target, budget)
    WHERE n.code = 'AP1';
INSERT INTO progress_updates (activity_id, as_of, status, achieved, spent, author)
    SELECT a.id, v.as_of, v.status, v.achieved, v.spent, 'Awa Traoré'
    FROM activities a JOIN (VALUES
        ('1.1', DATE '2025-03-31', 'in_progress', 4, 1000000),
        ('1.1', DATE '2025-06-30', 'done', 12, 4500000),
        ('1.2', DATE '2025-03-31', 'in_progress', 1, 2000000),
        ('1.2', DATE '2025-09-30', 'postponed', 1, 2000000),
        ('1.3', DATE '2025-06-30', 'not_started', 0, 0)) AS v (code, as_of, status, achieved, spent)
    ON a.code = v.code;
INSERT INTO indicators (plan_id, code, title, unit, baseline, baseline_year, target, target_year, direction)
    SELECT id, 'I1', 'Tués sur les routes', 'personnes', 700, 2024, 600, 2025, 'decrease'
    FROM plans WHERE code = 'PTA-2025';
INSERT INTO indicator_values (indicator_id, period_label, period_end, value)
    SELECT id, 'S1 2025', DATE '2025-06-30', 650 FROM indicators WHERE code = 'I1';
INSERT INTO funding_lines (plan_id, source, source_kind, planned, mobilised)
    SELECT id, 'Budget d''État', 'state', 20000000, 15000000 FROM plans WHERE code = 'PTA-2025';
INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id, status)
    SELECT agency_id, 12, 'ordinary', DATE '2025-07-15', DATE '2025-06-30', id, 'held'
    FROM plans WHERE code = 'PTA-2025';
INSERT INTO users (login, display_name, password_hash)
    VALUES ('awa', 'Awa Traoré', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo');
INSERT INTO user_roles (user_id, agency_id, role)
    SELECT u.id, a.id, 'editor' FROM users u, agencies a WHERE u.login = 'awa' AND a.code = 'OLD';
"#;

#[sqlx::test(migrations = false)]
async fn a_first_release_database_with_data_upgrades_to_today_s_schema(pool: PgPool) {
    let first_release = Migrator {
        migrations: Cow::Owned(
            suivi::db::MIGRATOR
                .iter()
                .filter(|migration| migration.version < FIRST_RELEASE)
                .cloned()
                .collect(),
        ),
        ..Migrator::DEFAULT
    };
    first_release.run(&pool).await.unwrap();
    sqlx::raw_sql(FIRST_RELEASE_DATA)
        .execute(&pool)
        .await
        .unwrap();

    suivi::db::MIGRATOR.run(&pool).await.unwrap();

    let uncounted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM progress_updates WHERE counted_since IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(uncounted, 0, "the updates of before validation all count");
    let plan = plan_id(&pool, "OLD", "PTA-2025").await;
    let statuses = |as_of| {
        let pool = pool.clone();
        async move {
            plans::activities_as_of(&pool, plan, as_of)
                .await
                .unwrap()
                .iter()
                .map(|activity| activity.figures().status.as_str().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        statuses(date(2025, 6, 30)).await,
        ["done", "in_progress", "not_started"]
    );
    assert_eq!(
        statuses(date(2025, 12, 31)).await,
        ["done", "postponed", "not_started"]
    );
    assert_states_agree(&pool, &dates(2025, 2026, &[today()])).await;
    assert_plan_figures_fresh(&pool).await;

    // And the upgraded history stays append-only.
    let rewritten = sqlx::query("UPDATE progress_updates SET achieved = 99")
        .execute(&pool)
        .await;
    assert!(rewritten.is_err());
}
