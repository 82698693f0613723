//! Issue 14, national scale: the figures the fast paths give (counted in SQL,
//! the sealed dashboard's ETag) are those the exact path gives (each
//! activity's state as of the date, summed in Rust), on the demo and on
//! generated data at many dates.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use sqlx::PgPool;

use crate::common::*;
use suivi::generate::{generate, GenerateOptions};
use suivi::performance::Summary;
use suivi::store::{agencies, plans};

/// Each agency's own figures for `year` as of `as_of`, from every activity's
/// state as the plan page reads it, added up in Rust.
async fn summed_in_rust(pool: &PgPool, year: i32, as_of: NaiveDate) -> BTreeMap<i64, Summary> {
    let plans_of_year: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, agency_id FROM plans WHERE $1 BETWEEN start_year AND end_year ORDER BY id",
    )
    .bind(year)
    .fetch_all(pool)
    .await
    .unwrap();
    let mut summaries: BTreeMap<i64, Summary> = BTreeMap::new();
    for (plan_id, agency_id) in plans_of_year {
        for activity in plans::activities_as_of(pool, plan_id, as_of).await.unwrap() {
            summaries
                .entry(agency_id)
                .or_default()
                .add(&activity.figures(), as_of);
        }
    }
    summaries
}

async fn counted_in_sql(
    pool: &PgPool,
    year: i32,
    as_of: NaiveDate,
    readable: Option<&[i64]>,
) -> BTreeMap<i64, Summary> {
    agencies::summaries_for_year(pool, year, as_of, readable)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

/// Month ends from January of `first` to December of `last`, and the days
/// given.
pub(crate) fn dates(first: i32, last: i32, days: &[NaiveDate]) -> Vec<NaiveDate> {
    let mut dates: Vec<NaiveDate> = (first..=last)
        .flat_map(|year| {
            (1..=12).map(move |month| {
                let next = if month == 12 {
                    date(year + 1, 1, 1)
                } else {
                    date(year, month + 1, 1)
                };
                next.pred_opt().unwrap()
            })
        })
        .collect();
    dates.extend_from_slice(days);
    dates
}

/// The agency page's per-plan figures counted in SQL against each plan's
/// activities summed in Rust, each plan as of its last day or `today`.
async fn assert_plan_summaries_agree(pool: &PgPool, today: NaiveDate) {
    let agency_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM agencies ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    for agency_id in agency_ids {
        let sql: BTreeMap<i64, Summary> = agencies::plan_summaries(pool, agency_id, today)
            .await
            .unwrap()
            .into_iter()
            .collect();
        let mut rust = BTreeMap::new();
        for plan in plans::list_for_agency(pool, agency_id).await.unwrap() {
            let as_of = date(plan.end_year, 12, 31).min(today);
            let activities = plans::activities_as_of(pool, plan.id, as_of).await.unwrap();
            if !activities.is_empty() {
                let figures: Vec<_> = activities.iter().map(|a| a.figures()).collect();
                rust.insert(plan.id, Summary::of(&figures, as_of));
            }
        }
        assert_eq!(sql, rust, "agency {agency_id} on {today}");
    }
}

async fn assert_paths_agree(pool: &PgPool, dates: &[NaiveDate]) -> usize {
    let mut compared = 0;
    for &as_of in dates {
        for year in [as_of.year() - 1, as_of.year()] {
            let rust = summed_in_rust(pool, year, as_of).await;
            let sql = counted_in_sql(pool, year, as_of, None).await;
            assert_eq!(sql, rust, "year {year} as of {as_of}");
            compared += rust.values().map(|s| s.planned as usize).sum::<usize>();
        }
    }
    compared
}

#[sqlx::test]
async fn the_home_page_s_counts_in_sql_are_the_activities_figures_on_the_demo(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let days = [date(2025, 11, 30), date(2025, 12, 26), today()];
    let compared = assert_paths_agree(&pool, &dates(2024, 2026, &days)).await;
    assert!(
        compared > 1000,
        "the dates cover the demo's plans: {compared}"
    );

    // The 30th session's figures, through the SQL counts.
    let anaser = agency_id(&pool, "ANASER").await;
    let counts = counted_in_sql(&pool, 2025, date(2025, 11, 30), Some(&[anaser])).await;
    let summary = counts[&anaser];
    assert_eq!((summary.done, summary.planned), (32, 49));
    assert_eq!(summary.above_target, 10);
    assert_eq!(
        summary.execution_rate().map(|r| r.percent_rounded()),
        Some(65)
    );
    assert_eq!(counts.len(), 1, "only the readable agency is counted");
}

#[sqlx::test]
async fn the_home_page_s_counts_in_sql_are_the_activities_figures_on_generated_data(pool: PgPool) {
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    let options = GenerateOptions {
        agencies: 4,
        activities: 40,
        updates_per_activity: 6,
        years: 2,
        first_year: 2024,
        seed: 14,
        today: date(2025, 12, 10),
    };
    generate(&pool, &options, &mut |_| {}).await.unwrap();
    let days = [date(2025, 12, 10), date(2024, 2, 29), date(2026, 1, 1)];
    let compared = assert_paths_agree(&pool, &dates(2024, 2025, &days)).await;
    assert!(compared > 5000, "{compared}");
    assert!(
        settled_plans(&pool, 2025, date(2025, 12, 31)).await > 0,
        "the per-plan rows served part of it"
    );
    assert_plan_figures_fresh(&pool).await;
    for day in days {
        assert_plan_summaries_agree(&pool, day).await;
    }
}

#[sqlx::test]
async fn the_home_page_shows_the_sql_counts(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut client = admin(&app, &pool).await;
    let page = client.get("/?year=2025").await;
    assert_eq!(page.status, StatusCode::OK);
    let rust = summed_in_rust(&pool, 2025, date(2025, 12, 31)).await;
    let done: u64 = rust.values().map(|s| s.done).sum();
    let planned: u64 = rust.values().map(|s| s.planned).sum();
    let total = page.text("tfoot");
    assert!(
        total.contains(&done.to_string()) && total.contains(&planned.to_string()),
        "{total} vs {done} / {planned}"
    );
}

/// Every activity's latest update on or before `as_of`, probed in the
/// history itself (the exact path, without `activity_state`).
async fn states_from_history(pool: &PgPool, as_of: NaiveDate) -> BTreeMap<i64, Option<i64>> {
    let rows: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT a.id, (SELECT p.id FROM progress_updates p WHERE p.activity_id = a.id \
         AND p.as_of <= $1 AND p.counted_since IS NOT NULL ORDER BY p.as_of DESC, p.id DESC LIMIT 1) \
         FROM activities a",
    )
    .bind(as_of)
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter().collect()
}

/// The same through the figures' read path (today's state when it is dated
/// on or before `as_of`, the history otherwise), for every plan.
async fn states_as_read(pool: &PgPool, as_of: NaiveDate) -> BTreeMap<i64, Option<i64>> {
    let plan_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM plans ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap();
    let mut states = BTreeMap::new();
    for plan_id in plan_ids {
        for activity in plans::activities_as_of(pool, plan_id, as_of).await.unwrap() {
            states.insert(activity.id, activity.latest.id);
        }
    }
    states
}

pub(crate) async fn assert_states_agree(pool: &PgPool, dates: &[NaiveDate]) -> usize {
    // Today's state is the latest update of each activity, whatever its date.
    let stale: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM activities a LEFT JOIN activity_state s ON s.activity_id = a.id \
         WHERE s.update_id IS DISTINCT FROM (SELECT p.id FROM progress_updates p \
         WHERE p.activity_id = a.id AND p.counted_since IS NOT NULL ORDER BY p.as_of DESC, p.id DESC LIMIT 1)",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        stale, 0,
        "activity_state is today's state of every activity"
    );
    let mut compared = 0;
    for &as_of in dates {
        let history = states_from_history(pool, as_of).await;
        let read = states_as_read(pool, as_of).await;
        for (activity, update) in &read {
            assert_eq!(
                Some(update),
                history.get(activity),
                "{activity} as of {as_of}"
            );
        }
        compared += read.len();
    }
    compared
}

#[sqlx::test]
async fn today_s_state_and_the_history_agree_on_the_demo_at_every_date(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let days = [date(2025, 11, 30), date(2025, 12, 26), today()];
    let dates = dates(2024, 2026, &days);
    assert!(assert_states_agree(&pool, &dates).await > 1000);

    // A later update dated in the past moves today's state only if it is
    // the latest by date; one dated earlier leaves it, and the past reads
    // the history either way.
    let anaser_2025 = plan_id(&pool, "ANASER", "PAP-2025").await;
    let activity: i64 = sqlx::query_scalar("SELECT min(id) FROM activities WHERE plan_id = $1")
        .bind(anaser_2025)
        .fetch_one(&pool)
        .await
        .unwrap();
    add_update(&pool, activity, date(2024, 12, 31), "in_progress", Some(1)).await;
    add_update(&pool, activity, today(), "done", Some(3)).await;
    assert_states_agree(&pool, &dates).await;
    let state: (chrono::NaiveDate, String) =
        sqlx::query_as("SELECT as_of, status FROM activity_state WHERE activity_id = $1")
            .bind(activity)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(state, (today(), "done".to_owned()));
    // The 30th session's figures stand.
    let counts = counted_in_sql(&pool, 2025, date(2025, 11, 30), None).await;
    let anaser = counts[&agency_id(&pool, "ANASER").await];
    assert_eq!(
        (anaser.done, anaser.planned, anaser.above_target),
        (32, 49, 10)
    );
}

#[sqlx::test]
async fn today_s_state_and_the_history_agree_on_generated_data(pool: PgPool) {
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    let options = GenerateOptions {
        agencies: 3,
        activities: 30,
        updates_per_activity: 8,
        years: 2,
        first_year: 2024,
        seed: 41,
        today: date(2025, 12, 10),
    };
    generate(&pool, &options, &mut |_| {}).await.unwrap();
    let days = [date(2025, 12, 10), date(2023, 12, 31)];
    assert!(assert_states_agree(&pool, &dates(2024, 2025, &days)).await > 4000);
}

#[sqlx::test]
async fn a_sealed_dashboard_answers_a_repeat_visit_with_304_until_what_it_shows_changes(
    pool: PgPool,
) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let uri = format!("/sessions/{session}");
    let mut board = signed_in(&app, "anaser.ca").await;
    let first = board.get(&uri).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.cache_control.as_deref(), Some("private, no-cache"));
    let tag = first.etag.clone().expect("a sealed dashboard has an ETag");
    let again = board.get_with(&uri, &[("if-none-match", &tag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    assert_eq!(again.etag.as_deref(), Some(tag.as_str()));
    // Another reader (other rights, other CSRF token) has another tag.
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let theirs = editor.get_with(&uri, &[("if-none-match", &tag)]).await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_ne!(theirs.etag.as_deref(), Some(tag.as_str()));

    // A follow-up of one of its resolutions shows on the page: a new tag.
    let resolution: i64 =
        sqlx::query_scalar("SELECT min(id) FROM resolutions WHERE session_id = $1")
            .bind(session)
            .fetch_one(&pool)
            .await
            .unwrap();
    let csrf = csrf_of(&editor.get(&format!("/resolutions/{resolution}")).await);
    let noted = editor
        .post(
            &format!("/resolutions/{resolution}/follow-ups"),
            &[
                ("csrf", csrf.as_str()),
                ("status", "in_progress"),
                ("noted_on", "2026-01-15"),
                ("note", "Marché lancé"),
            ],
        )
        .await;
    assert_eq!(noted.status, StatusCode::SEE_OTHER);
    // A reader with no copy gets the page kept for the tag (rendered once
    // per process): the same bytes, and never the page of an older tag.
    let again_without_copy = board.get(&uri).await;
    let moved = board.get_with(&uri, &[("if-none-match", &tag)]).await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_ne!(moved.etag.as_deref(), Some(tag.as_str()));
    assert_eq!(moved.etag, again_without_copy.etag);
    assert_eq!(moved.body, again_without_copy.body);
    assert!(moved
        .text(&format!(
            "tr[data-resolution='{resolution}'] [data-field=note]"
        ))
        .starts_with("Marché lancé"));
    assert_eq!(moved.text("#headline"), first.text("#headline"));
    assert!(first.text("#headline [data-figure=done]").contains("32"));

    // Its publication button shows on the page: taking it off public view
    // is a new tag for the admin who did it.
    let mut admin = signed_in(&app, "admin").await;
    let shown = admin.get(&uri).await;
    let admin_tag = shown.etag.clone().expect("an ETag");
    let csrf = csrf_of(&shown);
    let off = admin
        .post(
            &format!("{uri}/publication"),
            &[("csrf", csrf.as_str()), ("publish", "false")],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER);
    let after = admin.get_with(&uri, &[("if-none-match", &admin_tag)]).await;
    assert_eq!(after.status, StatusCode::OK, "not a stale 304");
    assert_ne!(after.etag.as_deref(), Some(admin_tag.as_str()));

    // A live (planned) session's figures move with every save: no ETag.
    let planned: i64 = sqlx::query_scalar(
        "SELECT s.id FROM board_sessions s JOIN agencies g ON g.id = s.agency_id \
         WHERE g.code = 'ANASER' AND s.status = 'planned' LIMIT 1",
    )
    .fetch_optional(&pool)
    .await
    .unwrap()
    .unwrap_or(session);
    if planned != session {
        let live = board.get(&format!("/sessions/{planned}")).await;
        assert_eq!(live.status, StatusCode::OK);
        assert_eq!(live.etag, None);
    }
}

#[sqlx::test]
async fn today_s_state_moves_with_a_validation_not_with_a_submission(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let anaser = agency_id(&pool, "ANASER").await;
    sqlx::query("UPDATE agencies SET requires_validation = true WHERE id = $1")
        .bind(anaser)
        .execute(&pool)
        .await
        .unwrap();
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let activity: i64 = sqlx::query_scalar("SELECT min(id) FROM activities WHERE plan_id = $1")
        .bind(plan)
        .fetch_one(&pool)
        .await
        .unwrap();
    let state = || async {
        sqlx::query_scalar::<_, Option<i64>>(
            "SELECT (SELECT update_id FROM activity_state WHERE activity_id = $1)",
        )
        .bind(activity)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let before = state().await;
    let submitted: i64 = sqlx::query_scalar(
        "INSERT INTO progress_updates (activity_id, as_of, status, achieved, author, review) \
         VALUES ($1, $2, 'done', 5, 'test', 'submitted') RETURNING id",
    )
    .bind(activity)
    .bind(today())
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        state().await,
        before,
        "a submitted update does not count yet"
    );
    let figures = || async {
        sqlx::query_scalar::<_, String>(
            "SELECT row(f.*)::text FROM plan_figures f WHERE plan_id = $1",
        )
        .bind(plan)
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    let figures_before = figures().await;
    assert_plan_figures_fresh(&pool).await;
    let validator = suivi::store::users::find_by_login(&pool, "admin")
        .await
        .unwrap()
        .unwrap()
        .id;
    let decided = suivi::store::reviews::decide(
        &pool,
        &[submitted],
        &suivi::store::reviews::Decision::Validate,
        validator,
        None,
    )
    .await
    .unwrap();
    assert_eq!(decided, suivi::store::reviews::DecideOutcome::Decided(1));
    assert_eq!(
        state().await,
        Some(submitted),
        "validated, it is today's state"
    );
    assert_ne!(
        figures().await,
        figures_before,
        "and it moves the plan's figures"
    );
    assert_plan_figures_fresh(&pool).await;
    let dates = dates(2025, 2026, &[today()]);
    assert_states_agree(&pool, &dates).await;
}

/// How many plans of `year` the fast path serves as of `as_of` (their
/// `plan_figures` row is settled by then).
async fn settled_plans(pool: &PgPool, year: i32, as_of: NaiveDate) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM plans pl JOIN plan_figures f ON f.plan_id = pl.id \
         WHERE $1 BETWEEN pl.start_year AND pl.end_year AND f.settled_on <= $2",
    )
    .bind(year)
    .bind(as_of)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The per-plan rows are today's figures recomputed from scratch: the
/// triggers left nothing stale (when they ran is no figure).
pub(crate) async fn assert_plan_figures_fresh(pool: &PgPool) {
    let kept: Vec<(i64, String)> = sqlx::query_as(
        "SELECT plan_id, (to_jsonb(f) - 'changed_at')::text FROM plan_figures f ORDER BY plan_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SELECT refresh_plan_figures(ARRAY(SELECT id FROM plans))")
        .execute(&mut *tx)
        .await
        .unwrap();
    let fresh: Vec<(i64, String)> = sqlx::query_as(
        "SELECT plan_id, (to_jsonb(f) - 'changed_at')::text FROM plan_figures f ORDER BY plan_id",
    )
    .fetch_all(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(kept, fresh);
}

#[sqlx::test]
async fn the_per_plan_figures_follow_every_write_and_agree_with_the_history(pool: PgPool) {
    suivi::demo::load(&pool).await.unwrap();
    let days = [date(2025, 11, 30), date(2025, 12, 26), today()];
    let all_dates = dates(2025, 2026, &days);
    assert!(settled_plans(&pool, 2025, date(2025, 12, 31)).await > 0);
    assert!(settled_plans(&pool, 2026, today()).await > 0);
    assert_plan_figures_fresh(&pool).await;

    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let activities: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 4")
            .bind(plan)
            .fetch_all(&pool)
            .await
            .unwrap();
    // A progress update, a new version (a target raised, an end moved
    // earlier), one dated ahead (the plan is unsettled until then), an
    // activity retired: after each, both paths agree.
    add_update(&pool, activities[0], today(), "done", Some(40)).await;
    sqlx::query(
        "INSERT INTO activity_versions (activity_id, effective_on, target, budget, region_code, \
         planned_end) VALUES ($1, $2, 2, 1000000, 'NAT', $3)",
    )
    .bind(activities[1])
    .bind(date(2026, 3, 1))
    .bind(date(2026, 4, 30))
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO activity_versions (activity_id, effective_on, target, budget, region_code) \
         VALUES ($1, $2, 9, 5, 'NAT')",
    )
    .bind(activities[2])
    .bind(today() + chrono::Days::new(40))
    .execute(&pool)
    .await
    .unwrap();
    let settled_on: NaiveDate =
        sqlx::query_scalar("SELECT settled_on FROM plan_figures WHERE plan_id = $1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        settled_on,
        today() + chrono::Days::new(40),
        "a version dated ahead sends its plan to the history path until then"
    );
    sqlx::query("UPDATE activities SET retired_on = $2 WHERE id = $1")
        .bind(activities[3])
        .bind(date(2026, 6, 30))
        .execute(&pool)
        .await
        .unwrap();
    assert_plan_figures_fresh(&pool).await;
    let mut ahead = all_dates.clone();
    ahead.push(today() + chrono::Days::new(40));
    assert_paths_agree(&pool, &ahead).await;
    for day in [today(), date(2025, 12, 31), today() + chrono::Days::new(40)] {
        assert_plan_summaries_agree(&pool, day).await;
    }
    // The 30th session's figures stand on both paths.
    let counts = counted_in_sql(&pool, 2025, date(2025, 11, 30), None).await;
    let anaser = counts[&agency_id(&pool, "ANASER").await];
    assert_eq!(
        (anaser.done, anaser.planned, anaser.above_target),
        (32, 49, 10)
    );
}

#[sqlx::test]
async fn the_consolidated_view_is_paged_with_the_totals_of_every_agency(pool: PgPool) {
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    let options = GenerateOptions {
        agencies: 60,
        activities: 3,
        updates_per_activity: 2,
        years: 1,
        first_year: today().year(),
        seed: 7,
        today: today(),
    };
    generate(&pool, &options, &mut |_| {}).await.unwrap();
    let agencies: i64 = sqlx::query_scalar("SELECT count(*) FROM agencies")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(agencies > 50, "{agencies}");
    let app = app(&pool);
    let mut client = admin(&app, &pool).await;
    let year = today().year();
    let first = client.get(&format!("/?year={year}&sort=done")).await;
    assert_eq!(first.status, StatusCode::OK);
    let first_rows = first.attrs("#agencies tbody tr", "data-agency");
    assert_eq!(first_rows.len(), 50);
    let next = first.attrs(".pager a[rel=next]", "href");
    assert_eq!(next, [format!("/?year={year}&sort=done&page=2")]);
    let second = client.get(&next[0]).await;
    assert_eq!(second.status, StatusCode::OK);
    let second_rows = second.attrs("#agencies tbody tr", "data-agency");
    assert_eq!(second_rows.len() as i64, agencies - 50);
    let mut all: Vec<String> = first_rows.into_iter().chain(second_rows).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len() as i64, agencies, "each agency on one page");
    // The totals are those of all agencies, on every page.
    assert_eq!(first.text("tfoot"), second.text("tfoot"));
    let rust = summed_in_rust(&pool, year, today()).await;
    let planned: u64 = rust.values().map(|s| s.planned).sum();
    assert!(first.text("tfoot").contains(&planned.to_string()));
    let past = client.get(&format!("/?year={year}&page=3")).await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
}
