//! Sealed board sessions: once held, a session's figures are those of its
//! seal. The reproduction of issue 11 (an editor changes a target, a budget,
//! an indicator value and the cutoff after the 30th session is held), then
//! reopening with a reason, sealing again, and `verify`.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

/// The headline of a session's dashboard: done, planned, rate, above target,
/// financial rate.
async fn headline(client: &mut Client, session: i64) -> [String; 5] {
    let page = client.get(&format!("/sessions/{session}")).await;
    assert_eq!(page.status, StatusCode::OK);
    [
        "done",
        "planned",
        "execution-rate",
        "above-target",
        "budget-rate",
    ]
    .map(|figure| {
        let text = page.text(&format!("#headline [data-figure={figure}]"));
        // The financial rate's cell also holds the amounts.
        text.split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

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
];

#[sqlx::test]
async fn the_30th_session_reads_the_same_whatever_is_changed_after_it_is_held(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let sealed = headline(&mut board, session).await;
    assert_eq!(sealed[0], "32");
    assert_eq!(sealed[1], "49");
    assert_eq!(sealed[2], "65 %");
    assert_eq!(sealed[3], "10");
    let page = board.get(&format!("/sessions/{session}")).await;
    assert!(
        !page.text("#sealed").is_empty(),
        "the dashboard says it is sealed"
    );
    let pdf_before = board
        .get(&format!("/sessions/{session}/dashboard.pdf"))
        .await;
    assert_eq!(pdf_before.status, StatusCode::OK);
    let pdf_before = pdf_text_of(&pdf_before.bytes);
    assert!(pdf_before.contains("32"), "{pdf_before}");

    // The editor changes a done activity's target (6 → 60) and its budget…
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let activity: i64 = sqlx::query_scalar(
        "SELECT id FROM activities WHERE plan_id = $1 AND target = 6 ORDER BY id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let edit = editor.get(&format!("/activities/{activity}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let fields = edit.form_values(
        ACTIVITY_FIELDS,
        &[("target", "60"), ("budget", "900000000")],
    );
    let saved = editor
        .post_values(&format!("/activities/{activity}/edit"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // …the T3 2025 value of an indicator…
    let indicator: i64 = sqlx::query_scalar(
        "SELECT i.id FROM indicators i JOIN indicator_values v ON v.indicator_id = i.id \
         WHERE i.plan_id = $1 AND v.period_end = '2025-09-30' ORDER BY i.id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let values = format!("/indicators/{indicator}/values");
    let form = editor.get(&values).await;
    let saved = editor
        .post(
            &values,
            &[
                ("csrf", &csrf_of(&form)),
                ("period_label", "T3 2025"),
                ("period_end", "2025-09-30"),
                ("value", "9999"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // …and tries to move the held session's cutoff: refused.
    assert_eq!(
        editor
            .get(&format!("/sessions/{session}/edit"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let csrf = csrf_of(&editor.get(&format!("/sessions/{session}")).await);
    let moved = editor
        .post(
            &format!("/sessions/{session}/edit"),
            &[
                ("csrf", &csrf),
                ("cutoff", "2025-12-20"),
                ("status", "held"),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::FORBIDDEN);
    let cutoff: chrono::NaiveDate =
        sqlx::query_scalar("SELECT cutoff FROM board_sessions WHERE id = $1")
            .bind(session)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(cutoff, date(2025, 11, 30));

    // The session still reads what the board saw, indicator value included.
    assert_eq!(headline(&mut board, session).await, sealed);
    let page = board.get(&format!("/sessions/{session}")).await;
    assert!(
        !page.body.contains("9 999"),
        "the new indicator value stays out"
    );
    let pdf_after = board
        .get(&format!("/sessions/{session}/dashboard.pdf"))
        .await;
    assert_eq!(
        pdf_text_of(&pdf_after.bytes),
        pdf_before,
        "the PDF does not move either"
    );
    // The change took effect today (the form's default), so the live plan
    // page as of the cutoff does not move either (tests/dated.rs); today's
    // figures do: the change is real.
    let as_of_cutoff = board
        .get(&format!("/plans/{plan}?as_of=2025-11-30"))
        .await
        .text("#headline [data-figure=above-target]");
    assert_eq!(as_of_cutoff, sealed[3]);
    let live = board
        .get(&format!("/plans/{plan}?as_of={}", today()))
        .await
        .text("#headline [data-figure=above-target]");
    assert_ne!(live, sealed[3]);

    // `verify` recomputes the sealed session as it was known when sealed:
    // the indicator value corrected since (for a period before the cutoff)
    // is no discrepancy, it is a correction the next session shows.
    let (checked, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(checked >= 2);
    assert!(differ.iter().all(|d| d.session_id != session), "{differ:?}");
    // The held session says it was corrected since, without moving.
    let page = board.get(&format!("/sessions/{session}")).await;
    let note = page.text("#corrected-since");
    assert!(note.contains("Corrigé depuis"), "{note}");
    assert!(note.contains("1 modification"), "{note}");
}

#[sqlx::test]
async fn an_admin_reopens_with_a_reason_and_saving_as_held_seals_again(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let seals = |pool: PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM session_seals WHERE session_id = $1")
            .bind(session)
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(seals(pool.clone()).await, 1);

    // Neither the editor nor the board member may reopen.
    for login in ["anaser.editeur", "anaser.ca"] {
        let mut client = signed_in(&app, login).await;
        let csrf = csrf_of(&client.get(&format!("/sessions/{session}")).await);
        let refused = client
            .post(
                &format!("/sessions/{session}/reopen"),
                &[("csrf", &csrf), ("reason", "Erreur de saisie constatée")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{login}");
    }
    let mut admin = signed_in(&app, "admin").await;
    let page = admin.get(&format!("/sessions/{session}")).await;
    let csrf = csrf_of(&page);
    let short = admin
        .post(
            &format!("/sessions/{session}/reopen"),
            &[("csrf", &csrf), ("reason", "oups")],
        )
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reason = "Le budget de l’activité 2.3 était mal saisi";
    let reopened = admin
        .post(
            &format!("/sessions/{session}/reopen"),
            &[("csrf", &csrf), ("reason", reason)],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    let page = admin.get(&format!("/sessions/{session}")).await;
    assert!(page.texts("#sealed").is_empty(), "no longer sealed");
    assert!(page.text("[data-reopened]").contains(reason));
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'session.reopen'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);

    // The editor may now correct it; saving it held seals it anew.
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let form = editor.get(&format!("/sessions/{session}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    let names = [
        "csrf",
        "number",
        "kind",
        "held_on",
        "cutoff",
        "place",
        "chair",
        "reviewed_plan",
        "adopted_plan",
        "agenda",
        "attendees",
        "status",
    ];
    let fields = form.form_values(&names, &[("cutoff", "2025-12-20"), ("status", "held")]);
    let saved = editor
        .post_values(&format!("/sessions/{session}/edit"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        seals(pool.clone()).await,
        2,
        "the old seal is kept, a new one made"
    );
    let mut board = signed_in(&app, "anaser.ca").await;
    let resealed = headline(&mut board, session).await;
    assert_eq!(resealed[1], "49");
    let page = board.get(&format!("/sessions/{session}")).await;
    assert!(!page.text("#sealed").is_empty());
    assert!(
        page.text("[data-reopened]").contains(reason),
        "the reopening stays on record"
    );
    // Sealed on the new data: verify finds nothing to report.
    let (_, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(differ.iter().all(|d| d.session_id != session), "{differ:?}");
}

#[sqlx::test]
async fn verify_reports_a_seal_changed_in_the_database(pool: PgPool) {
    let _app = demo_app(&pool).await;
    let (checked, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(checked >= 2, "the demo's held sessions are sealed");
    assert!(differ.is_empty(), "{differ:?}");

    // Someone edits a seal's figures by hand (the trigger forbids UPDATE,
    // so they would have to drop it first).
    let session = session_id(&pool, "ANASER", 30).await;
    sqlx::query("ALTER TABLE session_seals DISABLE TRIGGER session_seals_append_only")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE session_seals SET figures = replace(figures, '\"done\":32', '\"done\":35') \
         WHERE session_id = $1",
    )
    .bind(session)
    .execute(&pool)
    .await
    .unwrap();
    let (_, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    let found = differ.iter().find(|d| d.session_id == session).unwrap();
    assert!(found.parts.contains(&"digest"), "{found:?}");
    assert!(found.parts.contains(&"headline"), "{found:?}");
}

#[sqlx::test]
async fn a_generated_agency_s_held_sessions_are_sealed_and_verify_clean(pool: PgPool) {
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    let options = suivi::generate::GenerateOptions::new(2, 30, 2, 7);
    suivi::generate::generate(&pool, &options, &mut |_| {})
        .await
        .unwrap();
    let (held, sealed): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'held'), count(seal_id) FROM board_sessions",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(held > 0, "the generator holds sessions");
    assert_eq!(sealed, held, "every held session is sealed");
    let (checked, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert_eq!(checked as i64, held);
    assert!(differ.is_empty(), "{differ:?}");
}

/// "Corrigé depuis" reads each activity's history only when the plan's kept
/// figures were recomputed after the seal: a correction of each kind still
/// shows, one by one, and a write dated after the cutoff does not.
#[sqlx::test]
async fn corrections_since_a_seal_are_found_whatever_the_plan_s_last_write(pool: PgPool) {
    use suivi::store::seals;
    let _app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let (plan, cutoff, seal): (i64, chrono::NaiveDate, i64) = sqlx::query_as(
        "SELECT reviewed_plan_id, cutoff, seal_id FROM board_sessions WHERE id = $1",
    )
    .bind(session)
    .fetch_one(&pool)
    .await
    .unwrap();
    let sealed_at = seals::header(&pool, seal).await.unwrap().unwrap().sealed_at;
    let corrections = || seals::corrections_since(&pool, plan, cutoff, sealed_at);
    assert_eq!(corrections().await.unwrap(), Default::default());
    let activity: i64 = sqlx::query_scalar("SELECT min(id) FROM activities WHERE plan_id = $1")
        .bind(plan)
        .fetch_one(&pool)
        .await
        .unwrap();

    // After the cutoff: the plan changed, but nothing the seal covers.
    add_update(&pool, activity, date(2026, 1, 15), "done", None).await;
    let changed: bool =
        sqlx::query_scalar("SELECT changed_at > $2 FROM plan_figures WHERE plan_id = $1")
            .bind(plan)
            .bind(sealed_at)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(
        changed,
        "the write recomputed the plan's figures after the seal"
    );
    assert_eq!(corrections().await.unwrap().updates, 0);

    // An update dated before the cutoff, then a new target in force on it.
    add_update(&pool, activity, date(2025, 10, 1), "done", None).await;
    let found = corrections().await.unwrap();
    assert_eq!((found.updates, found.attributes), (1, 0));
    sqlx::query(
        "INSERT INTO activity_versions (activity_id, effective_on, target, unit, budget, \
         responsible_unit, region_code, planned_start, planned_end) \
         SELECT activity_id, effective_on, 99, unit, budget, responsible_unit, region_code, \
         planned_start, planned_end FROM activity_versions WHERE activity_id = $1 \
         ORDER BY effective_on DESC, recorded_at DESC, id DESC LIMIT 1",
    )
    .bind(activity)
    .execute(&pool)
    .await
    .unwrap();
    let found = corrections().await.unwrap();
    assert_eq!((found.updates, found.attributes), (1, 1));
    assert!(found.latest.is_some_and(|at| at > sealed_at));
}
