//! The demo tables against the sources and the rules: every course gives
//! ordered, cumulative updates; the figures the articles give; the load.

use chrono::NaiveDate;

use super::*;

fn collect<'a>(nodes: &'a [NodeSpec], out: &mut Vec<&'a ActivitySpec>) {
    for node in nodes {
        out.extend(node.activities);
        collect(node.children, out);
    }
}

#[test]
fn every_course_gives_ordered_cumulative_updates_within_the_plan_years() {
    for agency in AGENCIES {
        for plan in agency.plans {
            let mut activities = Vec::new();
            collect(plan.tree, &mut activities);
            for activity in activities {
                let rows = updates_of(activity).unwrap();
                let start = date(activity.planned.0).unwrap();
                let code = activity.code;
                for pair in rows.windows(2) {
                    // Distinct dates: the latest update never depends on insertion order.
                    assert!(pair[0].as_of < pair[1].as_of, "{code}: dates");
                    assert!(pair[0].spent <= pair[1].spent, "{code}: spent");
                    if let (Some(a), Some(b)) = (pair[0].achieved, pair[1].achieved) {
                        assert!(a <= b, "{code}: achieved");
                    }
                }
                for row in &rows {
                    use chrono::Datelike;
                    // The progress form refuses dates outside the plan's years.
                    assert!(
                        (plan.years.0..=plan.years.1).contains(&row.as_of.year()),
                        "{code}: {} outside {:?}",
                        row.as_of,
                        plan.years
                    );
                    assert!(row.as_of >= start, "{code}: before its planned start");
                    assert!(row.spent <= activity.budget, "{code}: over budget");
                }
            }
        }
    }
}

async fn row_counts(pool: &PgPool) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
         AND table_name <> '_sqlx_migrations' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{table}\""))
            .fetch_one(pool)
            .await
            .unwrap();
        counts.push((table, count));
    }
    counts
}

#[sqlx::test]
async fn a_second_load_changes_nothing(pool: PgPool) {
    assert_eq!(load(&pool).await.unwrap(), DemoOutcome::Loaded);
    let first = row_counts(&pool).await;
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
        assert!(
            first.iter().any(|(t, n)| t == table && *n > 0),
            "{table} has demo rows: {first:?}"
        );
    }
    assert_eq!(load(&pool).await.unwrap(), DemoOutcome::AlreadyPresent);
    assert_eq!(row_counts(&pool).await, first);
}

#[sqlx::test]
async fn two_loads_at_once_load_once(pool: PgPool) {
    let (a, b) = tokio::join!(load(&pool), load(&pool));
    let mut outcomes = [a.unwrap(), b.unwrap()];
    outcomes.sort_by_key(|o| *o == DemoOutcome::AlreadyPresent);
    assert_eq!(outcomes, [DemoOutcome::Loaded, DemoOutcome::AlreadyPresent]);
    let agencies: i64 = sqlx::query_scalar("SELECT count(*) FROM agencies")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(agencies, AGENCIES.len() as i64);
}

/// Figures of a plan as of a date, in plain SQL independent of the store:
/// (activities, done, done above target, budget, spent).
async fn figures(pool: &PgPool, plan: &str, as_of: NaiveDate) -> (i64, i64, i64, i64, i64) {
    sqlx::query_as(
        "SELECT count(*), \
                count(*) FILTER (WHERE u.status = 'done'), \
                count(*) FILTER (WHERE u.status = 'done' AND u.achieved > a.target), \
                sum(a.budget)::bigint, \
                coalesce(sum(u.spent), 0)::bigint \
         FROM activities a \
         JOIN plans p ON p.id = a.plan_id \
         LEFT JOIN LATERAL ( \
             SELECT status, achieved, spent FROM progress_updates \
             WHERE activity_id = a.id AND as_of <= $2 \
             ORDER BY as_of DESC, id DESC LIMIT 1 \
         ) u ON true \
         WHERE p.code = $1",
    )
    .bind(plan)
    .bind(as_of)
    .fetch_one(pool)
    .await
    .unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[sqlx::test]
async fn pap_2025_gives_the_figures_of_the_30th_session(pool: PgPool) {
    load(&pool).await.unwrap();
    let (planned, done, above, budget, spent) = figures(&pool, "PAP-2025", day(2025, 11, 30)).await;
    assert_eq!((planned, done, above), (49, 32, 10));
    // 32/49 shows as 65 %.
    assert_eq!((done * 100 + planned / 2) / planned, 65);
    let budget_rate = spent * 100 / budget;
    assert!((60..=75).contains(&budget_rate), "budget {budget_rate} %");

    // The 29th session (cutoff 31 May) saw fewer done.
    let (_, done_may, ..) = figures(&pool, "PAP-2025", day(2025, 5, 31)).await;
    assert!(done_may < 32 && done_may > 0, "{done_may} done in May");

    // Updates of December 2025 make today's figures differ from the session's.
    let (_, done_today, ..) = figures(&pool, "PAP-2025", day(2026, 11, 25)).await;
    assert!(done_today > 32, "{done_today} done today");

    // Some activities were late at the cutoff: planned to end before it, not done.
    let late: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activities a JOIN plans p ON p.id = a.plan_id \
         WHERE p.code = 'PAP-2025' AND a.planned_end < '2025-11-30' \
         AND coalesce((SELECT status FROM progress_updates WHERE activity_id = a.id \
                       AND as_of <= '2025-11-30' ORDER BY as_of DESC, id DESC LIMIT 1), \
                      'not_started') NOT IN ('done', 'abandoned')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(late > 0);

    // The 30th session as the article tells it.
    let (held, cutoff, reviewed, adopted): (NaiveDate, NaiveDate, String, String) = sqlx::query_as(
        "SELECT s.held_on, s.cutoff, r.code, ad.code FROM board_sessions s \
             JOIN agencies g ON g.id = s.agency_id \
             JOIN plans r ON r.id = s.reviewed_plan_id \
             JOIN plans ad ON ad.id = s.adopted_plan_id \
             WHERE g.code = 'ANASER' AND s.number = 30 AND s.kind = 'ordinary'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        (held, cutoff, reviewed.as_str(), adopted.as_str()),
        (day(2025, 12, 26), day(2025, 11, 30), "PAP-2025", "PAP-2026")
    );
}

#[sqlx::test]
async fn pap_2026_has_50_activities_in_5_priority_actions(pool: PgPool) {
    load(&pool).await.unwrap();
    let (activities, holders, leaves): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM activities WHERE plan_id = p.id), \
                (SELECT count(DISTINCT node_id) FROM activities WHERE plan_id = p.id), \
                (SELECT count(*) FROM plan_nodes n WHERE n.plan_id = p.id \
                 AND NOT EXISTS (SELECT 1 FROM plan_nodes c WHERE c.parent_id = n.id)) \
         FROM plans p WHERE p.code = 'PAP-2026'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((activities, holders, leaves), (50, 5, 5));
    // A year under way: partly done, nothing counted after October (two
    // November updates wait for, or were refused, validation).
    let (planned, done, ..) = figures(&pool, "PAP-2026", day(2026, 11, 25)).await;
    assert!(done > 0 && done < planned);
    let last: Option<NaiveDate> = sqlx::query_scalar(
        "SELECT max(u.as_of) FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
         JOIN plans p ON p.id = a.plan_id WHERE p.code = 'PAP-2026' AND u.counted_since IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(last.map(|d| d <= day(2026, 10, 31)), Some(true));
    let uncounted: Vec<(String, String)> = sqlx::query_as(
        "SELECT a.code, u.review FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
         JOIN plans p ON p.id = a.plan_id WHERE p.code = 'PAP-2026' AND u.counted_since IS NULL \
         ORDER BY a.code",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        uncounted,
        [
            ("B1.01".to_owned(), "submitted".to_owned()),
            ("B1.05".to_owned(), "rejected".to_owned())
        ]
    );
}
