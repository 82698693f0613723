//! Board sessions edited in Suivi: creating and editing a session with its
//! form, who may, the freeze once the session is held, resolutions followed
//! up with dated notes, and the indicator trend charts of the dashboard.

use crate::common::*;
use axum::http::StatusCode;
use rust_decimal::Decimal;
use sqlx::PgPool;

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// The CSRF token of the form on `uri`, as the client loads it.
async fn csrf_at(client: &mut Client, uri: &str) -> String {
    let page = client.get(uri).await;
    assert_eq!(page.status, StatusCode::OK, "{uri}");
    csrf_of(&page)
}

fn session_form<'a>(
    csrf: &'a str,
    plan: &'a str,
    cutoff: &'a str,
    status: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("number", "31"),
        ("kind", "ordinary"),
        ("held_on", "2026-06-26"),
        ("cutoff", cutoff),
        ("place", "Bamako"),
        ("chair", "Le ministre des Transports"),
        ("reviewed_plan", plan),
        ("adopted_plan", ""),
        ("agenda", "1. Bilan à mi-parcours\n2. Divers"),
        ("attendees", "Les administrateurs"),
        ("status", status),
    ]
}

fn with<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    name: &str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    for field in &mut fields {
        if field.0 == name {
            field.1 = value;
        }
    }
    fields
}

fn figures(page: &Page) -> (String, String, String) {
    (
        page.text("#headline [data-figure=done]"),
        page.text("#headline [data-figure=planned]"),
        page.text("#headline [data-figure=execution-rate]"),
    )
}

#[sqlx::test]
async fn a_session_form_checks_every_field_and_keeps_what_was_typed(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = csrf_at(&mut editor, "/agencies/ANASER/sessions/new").await;
    let sessions_before = count(&pool, "SELECT count(*) FROM board_sessions").await;
    let crss_plan = plan_id(&pool, "CRSS", "SNRSS-PA-2022-2024")
        .await
        .to_string();

    let bad = with(
        with(
            session_form(&csrf, &crss_plan, "2026-07-31", "planned"),
            "number",
            "trente",
        ),
        "status",
        "annulée",
    );
    let page = editor.post("/agencies/ANASER/sessions", &bad).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error = |field: &str| page.text(&format!(".field-error[data-field={field}]"));
    assert!(error("number").contains("nombre entier"));
    assert!(error("cutoff").contains("après la date de la session"));
    assert!(error("reviewed_plan").contains("plan de cette structure"));
    assert!(error("status").contains("liste"));
    assert_eq!(page.attrs("#s-number", "value"), ["trente"]);
    assert_eq!(page.attrs("#s-place", "value"), ["Bamako"]);
    assert_eq!(page.text("#s-agenda"), "1. Bilan à mi-parcours 2. Divers");
    assert_eq!(
        count(&pool, "SELECT count(*) FROM board_sessions").await,
        sessions_before
    );

    // Right this time: the dashboard of the new session reads its plan as of
    // its cutoff.
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await.to_string();
    let saved = editor
        .post(
            "/agencies/ANASER/sessions",
            &session_form(&csrf, &plan, "2026-05-31", "planned"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let dashboard_uri = saved.location.clone().unwrap();
    let dashboard = editor.get(&dashboard_uri).await;
    assert_eq!(
        dashboard.text("h1"),
        "31ᵉ session ordinaire du conseil d’administration"
    );
    assert_eq!(
        dashboard.text("#agenda .pre"),
        "1. Bilan à mi-parcours 2. Divers"
    );
    let audit = count(
        &pool,
        "SELECT count(*) FROM audit_log WHERE action = 'session.create' AND object_type = 'board_session'",
    )
    .await;
    assert_eq!(audit, 1);

    // The same number again is refused on the number field.
    let again = editor
        .post(
            "/agencies/ANASER/sessions",
            &session_form(&csrf, &plan, "2026-05-31", "planned"),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again
        .text(".field-error[data-field=number]")
        .contains("déjà une session"));
    assert_eq!(
        count(&pool, "SELECT count(*) FROM board_sessions").await,
        sessions_before + 1
    );
}

#[sqlx::test]
async fn a_board_member_of_another_agency_cannot_open_or_edit_its_sessions(pool: PgPool) {
    let app = demo_app(&pool).await;
    // A CRSS session, made by an admin through the form.
    let mut admin = signed_in(&app, "admin").await;
    let csrf = csrf_at(&mut admin, "/agencies/CRSS/sessions/new").await;
    let crss_plan = plan_id(&pool, "CRSS", "SNRSS-PA-2022-2024")
        .await
        .to_string();
    let form = with(
        with(
            session_form(&csrf, &crss_plan, "2024-11-30", "held"),
            "held_on",
            "2024-12-15",
        ),
        "number",
        "7",
    );
    let created = admin.post("/agencies/CRSS/sessions", &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let crss_session = created.location.unwrap();

    let mut board = signed_in(&app, "anaser.ca").await;
    let refused = board.get(&crss_session).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("SNRSS"), "nothing of CRSS leaks");
    assert_eq!(
        board.get("/agencies/CRSS/sessions/new").await.status,
        StatusCode::FORBIDDEN
    );
    // Reading one's own agency's session is not editing it.
    let own = session_id(&pool, "ANASER", 30).await;
    let dashboard = board.get(&format!("/sessions/{own}")).await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(dashboard.texts("#edit-session").is_empty());
    assert_eq!(
        board.get(&format!("/sessions/{own}/edit")).await.status,
        StatusCode::FORBIDDEN
    );
    let csrf = csrf_of(&dashboard);
    let before = count(&pool, "SELECT count(*) FROM audit_log").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await.to_string();
    let post = board
        .post(
            &format!("/sessions/{own}/edit"),
            &session_form(&csrf, &plan, "2025-11-30", "planned"),
        )
        .await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&pool, "SELECT count(*) FROM audit_log").await, before);
}

/// A progress update on the first PAP 2026 activity, through the form.
async fn record(client: &mut Client, activity: i64, as_of: &str, status: &str) -> Page {
    let page = client.get(&format!("/activities/{activity}")).await;
    let csrf = csrf_of(&page);
    let base = page.attrs("#progress input[name=base]", "value")[0].clone();
    client
        .post(
            &format!("/activities/{activity}/progress"),
            &[
                ("csrf", csrf.as_str()),
                ("base", base.as_str()),
                ("status", status),
                ("achieved", "1"),
                ("spent", "1000"),
                ("as_of", as_of),
                ("comment", ""),
            ],
        )
        .await
}

#[sqlx::test]
async fn holding_a_session_freezes_its_figures(pool: PgPool) {
    let app = demo_app(&pool).await;
    counted_at_once(&pool, "ANASER").await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    // An activity not done by the end of May 2026.
    let activities = suivi::store::plans::activities_as_of(&pool, plan, date(2026, 5, 31))
        .await
        .unwrap();
    let open = activities
        .iter()
        .find(|a| a.figures().status != suivi::domain::Status::Done)
        .unwrap()
        .id;

    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = csrf_at(&mut editor, "/agencies/ANASER/sessions/new").await;
    let plan_text = plan.to_string();
    let created = editor
        .post(
            "/agencies/ANASER/sessions",
            &session_form(&csrf, &plan_text, "2026-05-31", "planned"),
        )
        .await;
    let dashboard_uri = created.location.unwrap();
    let edit_uri = format!("{dashboard_uri}/edit");

    // Still planned: entering progress before the cutoff is allowed.
    let page = record(&mut editor, open, "2026-05-15", "done").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let at_the_meeting = figures(&editor.get(&dashboard_uri).await);

    // The board meets: the session is marked held.
    let held = editor
        .post(
            &edit_uri,
            &session_form(&csrf, &plan_text, "2026-05-31", "held"),
        )
        .await;
    assert_eq!(held.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_log WHERE action = 'session.hold'"
        )
        .await,
        1
    );

    // Before the cutoff: refused to the editor, nothing written.
    let updates = "SELECT count(*) FROM progress_updates";
    let before = count(&pool, updates).await;
    let refused = record(&mut editor, open, "2026-05-20", "in_progress").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text(".field-error[data-field=as_of]")
        .contains("figés"));
    assert_eq!(count(&pool, updates).await, before);

    // After the cutoff: recorded, and the dashboard does not move.
    let later = record(&mut editor, open, "2026-06-10", "abandoned").await;
    assert_eq!(later.status, StatusCode::SEE_OTHER);
    assert_eq!(figures(&editor.get(&dashboard_uri).await), at_the_meeting);

    // An admin may still correct the frozen figures, and that is audited.
    let mut admin = signed_in(&app, "admin").await;
    let corrected = record(&mut admin, open, "2026-05-20", "in_progress").await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER);
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM audit_log WHERE action = 'progress.record_frozen_override'"
        )
        .await,
        1
    );
    // The session is sealed: the correction shows only once an admin
    // reopens it (with a reason) and it is sealed again.
    assert_eq!(figures(&admin.get(&dashboard_uri).await), at_the_meeting);
    let session = dashboard_uri.rsplit('/').next().unwrap().to_owned();
    let csrf_admin = csrf_at(&mut admin, &dashboard_uri).await;
    let reopened = admin
        .post(
            &format!("/sessions/{session}/reopen"),
            &[
                ("csrf", csrf_admin.as_str()),
                ("reason", "Correction du statut de l’activité"),
            ],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    let csrf = csrf_at(&mut editor, &edit_uri).await;
    let resealed = editor
        .post(
            &edit_uri,
            &session_form(&csrf, &plan_text, "2026-05-31", "held"),
        )
        .await;
    assert_eq!(resealed.status, StatusCode::SEE_OTHER);
    let (done_then, planned, _) = at_the_meeting;
    let (done_now, planned_now, _) = figures(&admin.get(&dashboard_uri).await);
    assert_eq!(planned_now, planned);
    assert_eq!(
        done_now.parse::<i64>().unwrap(),
        done_then.parse::<i64>().unwrap() - 1,
        "the override took the activity back to in progress as of the cutoff"
    );
}

async fn follow_up(
    client: &mut Client,
    resolution: i64,
    noted_on: &str,
    status: &str,
    note: &str,
) -> Page {
    let uri = format!("/resolutions/{resolution}");
    let csrf = csrf_at(client, &uri).await;
    client
        .post(
            &format!("{uri}/follow-ups"),
            &[
                ("csrf", csrf.as_str()),
                ("status", status),
                ("noted_on", noted_on),
                ("note", note),
            ],
        )
        .await
}

#[sqlx::test]
async fn resolutions_are_followed_up_with_dated_notes(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let session_29 = session_id(&pool, "ANASER", 29).await;
    let session_30 = session_id(&pool, "ANASER", 30).await;

    // Two new resolutions of the 29th session (June 2025).
    let mut ids = Vec::new();
    for text in ["Publier le rapport d’audit", "Recruter deux contrôleurs"] {
        let csrf = csrf_at(
            &mut editor,
            &format!("/sessions/{session_29}/resolutions/new"),
        )
        .await;
        let page = editor
            .post(
                &format!("/sessions/{session_29}/resolutions"),
                &[
                    ("csrf", csrf.as_str()),
                    ("text", text),
                    ("responsible_unit", "DAF"),
                    ("due_on", "2025-12-31"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        ids.push(
            sqlx::query_scalar::<_, i64>("SELECT id FROM resolutions WHERE text = $1")
                .bind(text)
                .fetch_one(&pool)
                .await
                .unwrap(),
        );
    }
    let (audit_report, recruit) = (ids[0], ids[1]);

    // The audit report: started in September, done in January (after the
    // 30th session). The recruitment: done before the 30th session.
    for (noted_on, status, note) in [
        ("2026-01-15", "done", "Rapport publié"),
        ("2025-09-01", "in_progress", "Appel d’offres lancé"),
    ] {
        let page = follow_up(&mut editor, audit_report, noted_on, status, note).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
    }
    follow_up(
        &mut editor,
        recruit,
        "2025-12-01",
        "done",
        "Deux contrôleurs en poste",
    )
    .await;

    // A note dated in the future or empty is refused, nothing written.
    let before = count(&pool, "SELECT count(*) FROM resolution_follow_ups").await;
    let bad = follow_up(&mut editor, recruit, "2027-01-01", "done", " ").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!bad.text(".field-error[data-field=noted_on]").is_empty());
    assert!(!bad.text(".field-error[data-field=note]").is_empty());
    assert_eq!(
        count(&pool, "SELECT count(*) FROM resolution_follow_ups").await,
        before
    );

    // The resolution's page lists its follow-ups by date, whatever the order
    // they were entered in.
    let page = editor.get(&format!("/resolutions/{audit_report}")).await;
    assert_eq!(
        page.texts("ol.follow-ups [data-field=note]"),
        ["Appel d’offres lancé", "Rapport publié"]
    );
    assert_eq!(page.text("dd[data-field=status]"), "Mise en œuvre");

    // The 29th session shows today's follow-up.
    let dashboard = editor.get(&format!("/sessions/{session_29}")).await;
    let row = format!("#resolutions tr[data-resolution='{audit_report}']");
    assert!(dashboard
        .text(&format!("{row} [data-field=note]"))
        .starts_with("Rapport publié"));

    // The 30th session is sealed: resolutions entered after it was held are
    // no part of what its board saw.
    let dashboard = editor.get(&format!("/sessions/{session_30}")).await;
    let open = dashboard.texts("#open-resolutions tbody tr");
    assert!(
        !open
            .iter()
            .any(|r| r.contains("Publier le rapport d’audit")),
        "{open:?}"
    );

    // Reopened (and so read from the data), the 30th session (26 December
    // 2025) lists the audit report as still open (in progress then), and not
    // the recruitment (done on 1 December).
    let mut admin = signed_in(&app, "admin").await;
    let csrf = csrf_at(&mut admin, &format!("/sessions/{session_30}")).await;
    let reopened = admin
        .post(
            &format!("/sessions/{session_30}/reopen"),
            &[
                ("csrf", csrf.as_str()),
                ("reason", "Résolutions saisies en retard"),
            ],
        )
        .await;
    assert_eq!(reopened.status, StatusCode::SEE_OTHER);
    let dashboard = editor.get(&format!("/sessions/{session_30}")).await;
    let open = dashboard.texts("#open-resolutions tbody tr");
    assert!(
        open.iter()
            .any(|r| r.contains("Publier le rapport d’audit") && r.contains("En cours")),
        "{open:?}"
    );
    assert!(
        !open.iter().any(|r| r.contains("Recruter deux contrôleurs")),
        "{open:?}"
    );
}

#[sqlx::test]
async fn the_trend_charts_draw_each_indicator_value_up_to_the_cutoff(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    // Make sure one indicator has a value in the session's year as well.
    let indicator: i64 =
        sqlx::query_scalar("SELECT id FROM indicators WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    sqlx::query(
        "INSERT INTO indicator_values (indicator_id, period_label, period_end, value) \
         VALUES ($1, 'S1 2025', '2025-06-30', 123.5) ON CONFLICT DO NOTHING",
    )
    .bind(indicator)
    .execute(&pool)
    .await
    .unwrap();
    // A value after the cutoff must not be drawn.
    sqlx::query(
        "INSERT INTO indicator_values (indicator_id, period_label, period_end, value) \
         VALUES ($1, '2026', '2026-06-30', 999) ON CONFLICT DO NOTHING",
    )
    .bind(indicator)
    .execute(&pool)
    .await
    .unwrap();

    let expected: Vec<(i64, Vec<Decimal>)> = {
        let rows: Vec<(i64, Decimal)> = sqlx::query_as(
            "SELECT v.indicator_id, v.value FROM indicator_values v \
             JOIN indicators i ON i.id = v.indicator_id \
             WHERE i.plan_id = $1 AND v.period_end <= '2025-11-30' ORDER BY v.indicator_id, v.period_end",
        )
        .bind(plan)
        .fetch_all(&pool)
        .await
        .unwrap();
        let mut series: Vec<(i64, Vec<Decimal>)> = Vec::new();
        for (id, value) in rows {
            match series.last_mut() {
                Some((last, values)) if *last == id => values.push(value),
                _ => series.push((id, vec![value])),
            }
        }
        series.retain(|(_, values)| values.len() >= 2);
        series
    };
    assert!(!expected.is_empty());

    let mut reader = signed_in(&app, "anaser.ca").await;
    let session = session_id(&pool, "ANASER", 30).await;
    let page = reader.get(&format!("/sessions/{session}")).await;
    assert_eq!(
        page.texts("#indicator-trends svg.trend").len(),
        expected.len(),
        "one chart per indicator with two values or more"
    );
    for (id, values) in &expected {
        let svg = format!("#indicator-trends svg#trend-{id}");
        let drawn: Vec<Decimal> = page
            .attrs(&format!("{svg} circle.point"), "data-value")
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        assert_eq!(&drawn, values, "indicator {id}");
        // Higher values sit higher on the chart (smaller y).
        let ys: Vec<f64> = page
            .attrs(&format!("{svg} circle.point"), "cy")
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        for i in 0..values.len() {
            for j in 0..values.len() {
                if values[i] > values[j] {
                    assert!(ys[i] < ys[j], "indicator {id}: {values:?} drawn at {ys:?}");
                }
            }
        }
        // The text equivalent names every value.
        let desc = page.text(&format!("{svg} desc"));
        for value in values {
            let written = suivi::i18n::Lang::Fr
                .quantity(*value)
                .replace(['\u{a0}', '\u{202f}'], " ");
            assert!(desc.contains(&written), "{written} in {desc}");
        }
    }
}
