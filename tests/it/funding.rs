//! The funding plan, edited (issue 11, section 5): an agency's editors add
//! and change funding lines in the browser forms, each change a version in
//! force from its date with who recorded it; bad input is refused with its
//! message and the form kept; nobody else may edit; a held session's funding
//! never moves; activities name their source and the dashboards show the
//! execution per source; the plan file carries both.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;
use suivi::domain::Role;
use suivi::imports::{self, Target};
use suivi::store::imports::NewPlan;
use suivi::store::plans;

const LINE_FIELDS: &[&str] = &[
    "csrf",
    "source",
    "source_kind",
    "planned",
    "mobilised",
    "effective_on",
];

/// Fills the form at `form_uri` as the page gives it, with `replaced`, and
/// posts it to `post_uri`.
async fn submit(
    client: &mut Client,
    form_uri: &str,
    post_uri: &str,
    replaced: &[(&str, &str)],
) -> Page {
    let form = client.get(form_uri).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let values = form.form_values(LINE_FIELDS, replaced);
    client.post_values(post_uri, &values).await
}

async fn edit_line(client: &mut Client, line: i64, replaced: &[(&str, &str)]) -> Page {
    let uri = format!("/funding/{line}/edit");
    submit(client, &uri, &uri, replaced).await
}

async fn line_id(pool: &PgPool, plan: i64, source: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM funding_lines WHERE plan_id = $1 AND source = $2")
        .bind(plan)
        .bind(source)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn versions(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM funding_line_versions")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Only the digits of a shown amount ("1 310 000 000 FCFA" → "1310000000").
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// A line's mobilised amount as a page's funding section shows it.
fn mobilised_on(page: &Page, source: &str) -> String {
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    digits(&page.text(&format!(
        "#funding tr[data-line=\"{source}\"] [data-figure=mobilised]"
    )))
}

#[sqlx::test]
async fn an_editor_adds_and_changes_funding_lines_each_change_a_dated_version(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;

    let new = format!("/plans/{plan}/funding/new");
    let added = submit(
        &mut editor,
        &new,
        &new,
        &[
            ("source", "Fonds d’entretien routier"),
            ("source_kind", "partner"),
            ("planned", "45 000 000"),
            ("mobilised", "12 500 000 FCFA"),
            ("effective_on", "2026-03-01"),
        ],
    )
    .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let line = line_id(&pool, plan, "Fonds d’entretien routier").await;
    // Added on 1 March: not there on 28 February, there after.
    let before = editor.get(&format!("/plans/{plan}?as_of=2026-02-28")).await;
    assert!(before
        .texts("#funding tr[data-line=\"Fonds d’entretien routier\"]")
        .is_empty());
    let after = editor.get(&format!("/plans/{plan}?as_of=2026-03-01")).await;
    assert_eq!(
        mobilised_on(&after, "Fonds d’entretien routier"),
        "12500000"
    );

    // The amount mobilised changes from 1 October; the old one stays.
    let changed = edit_line(
        &mut editor,
        line,
        &[("mobilised", "30 000 000"), ("effective_on", "2026-10-01")],
    )
    .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    let september = editor.get(&format!("/plans/{plan}?as_of=2026-09-30")).await;
    assert_eq!(
        mobilised_on(&september, "Fonds d’entretien routier"),
        "12500000"
    );
    let october = editor.get(&format!("/plans/{plan}?as_of=2026-10-01")).await;
    assert_eq!(
        mobilised_on(&october, "Fonds d’entretien routier"),
        "30000000"
    );

    // The history lists both versions, latest first, with who recorded them.
    let form = editor.get(&format!("/funding/{line}/edit")).await;
    let history = form.texts("#funding-history tr.funding-version");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(history[0].contains("30 000 000") || digits(&history[0]).contains("30000000"));
    assert!(history[0].contains("1 octobre 2026") || history[0].contains("1er octobre 2026"));
    let recorded_by: Vec<Option<i64>> = sqlx::query_scalar(
        "SELECT recorded_by FROM funding_line_versions WHERE funding_line_id = $1 ORDER BY id",
    )
    .bind(line)
    .fetch_all(&pool)
    .await
    .unwrap();
    let editor_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'anaser.editeur'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(recorded_by, [Some(editor_id), Some(editor_id)]);
    // Both writes audited, with the amounts before and after.
    let audited: Vec<(String, Option<serde_json::Value>)> = sqlx::query_as(
        "SELECT action, before FROM audit_log WHERE object_type = 'funding_line' \
         AND object_id = $1 ORDER BY id",
    )
    .bind(line)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), 2);
    assert_eq!(audited[0].0, "funding.create");
    assert_eq!(audited[1].0, "funding.update");
    assert_eq!(audited[1].1.as_ref().unwrap()["mobilised"], 12_500_000);
}

#[sqlx::test]
async fn bad_funding_input_is_refused_with_its_message_and_the_form_kept(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let written = versions(&pool).await;
    let new = format!("/plans/{plan}/funding/new");

    let refused = submit(
        &mut editor,
        &new,
        &new,
        &[
            ("source", "  "),
            ("source_kind", "don"),
            ("planned", "-5"),
            ("mobilised", "douze"),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["source", "source_kind", "planned", "mobilised"] {
        assert_eq!(
            refused
                .texts(&format!(".field-error[data-field={field}]"))
                .len(),
            1,
            "a message for {field}"
        );
    }
    assert_eq!(
        refused.text(".field-error[data-field=source]"),
        "Ce champ est obligatoire."
    );
    // What was typed comes back.
    assert_eq!(refused.attrs("#f-mobilised", "value"), ["douze"]);

    // A name another line of the plan has.
    let taken = submit(
        &mut editor,
        &new,
        &new,
        &[
            ("source", "Budget national"),
            ("source_kind", "state"),
            ("planned", "1"),
            ("mobilised", "0"),
        ],
    )
    .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        taken.text(".field-error[data-field=source]"),
        "Une autre ligne de ce plan porte déjà ce nom."
    );
    // A date before the plan starts.
    let line = line_id(&pool, plan, "Budget national").await;
    let early = edit_line(&mut editor, line, &[("effective_on", "2025-06-30")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        early.texts(".field-error[data-field=effective_on]").len(),
        1
    );
    // A renaming onto another line's name, refused by the database's rule.
    let rename = edit_line(
        &mut editor,
        line,
        &[("source", "Partenaires techniques et financiers")],
    )
    .await;
    assert_eq!(rename.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(rename.texts(".field-error[data-field=source]").len(), 1);

    assert_eq!(versions(&pool).await, written, "nothing written");
}

#[sqlx::test]
async fn only_the_agencys_editors_and_admins_edit_its_funding_plan(pool: PgPool) {
    let app = demo_app(&pool).await;
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    for (login, agency, role) in [
        ("anaser.lecteur", "ANASER", Role::Viewer),
        ("crss.editeur", "CRSS", Role::Editor),
    ] {
        let user = suivi::store::users::create(&pool, login, login, &hash, false)
            .await
            .unwrap()
            .unwrap();
        let agency = agency_id(&pool, agency).await;
        suivi::store::users::set_role(&pool, user, agency, role)
            .await
            .unwrap();
    }
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let line = line_id(&pool, plan, "Budget national").await;
    let written = versions(&pool).await;
    // The editor's own form, replayed by the others with their own token.
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let form = editor.get(&format!("/funding/{line}/edit")).await;
    assert_eq!(form.status, StatusCode::OK);
    for login in ["anaser.lecteur", "anaser.ca", "crss.editeur"] {
        let mut other = signed_in(&app, login).await;
        for uri in [
            format!("/plans/{plan}/funding"),
            format!("/plans/{plan}/funding/new"),
            format!("/funding/{line}/edit"),
        ] {
            let page = other.get(&uri).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{login} GET {uri}");
        }
        // A valid token of their own (the sign-out form's), so that only
        // their rights stand in the way.
        let home = other.get("/").await;
        let mut values = form.form_values(LINE_FIELDS, &[("mobilised", "1")]);
        values[0].1 = csrf_of(&home);
        let posted = other
            .post_values(&format!("/funding/{line}/edit"), &values)
            .await;
        assert_eq!(posted.status, StatusCode::FORBIDDEN, "{login}");
        assert!(!posted.body.contains("Budget national"), "{login}");
    }
    assert_eq!(versions(&pool).await, written, "nothing written");
    // The editors' page links the funding plan from the structure page.
    let structure = editor.get(&format!("/plans/{plan}/structure")).await;
    assert_eq!(
        structure.attrs("#edit-funding", "href"),
        [format!("/plans/{plan}/funding")]
    );
}

#[sqlx::test]
async fn a_held_sessions_funding_never_moves(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let line = line_id(&pool, plan, "Budget national").await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let dashboard = format!("/sessions/{session}");
    let before = board.get(&dashboard).await;
    assert_eq!(mobilised_on(&before, "Budget national"), "1310000000");
    let by_source_before = before.texts("#funding-by-source tr");
    let pdf = format!("/sessions/{session}/dashboard.pdf");
    let pdf_before = pdf_text_of(&board.get(&pdf).await.bytes);
    assert!(pdf_before.contains("1 310 000 000") || pdf_before.contains("1310000000"));

    // The editor may not date a change within the 30th session's figures…
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let frozen = edit_line(
        &mut editor,
        line,
        &[
            ("mobilised", "1 450 000 000"),
            ("effective_on", "2025-11-01"),
        ],
    )
    .await;
    assert_eq!(frozen.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(frozen
        .text(".field-error[data-field=effective_on]")
        .contains("figés"));
    // …but may record it from today, and rename the line too.
    let saved = edit_line(
        &mut editor,
        line,
        &[
            ("source", "Budget d’État"),
            ("mobilised", "1 450 000 000"),
            ("effective_on", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    // The 30th session reads as it was, page and PDF.
    let after = board.get(&dashboard).await;
    assert_eq!(mobilised_on(&after, "Budget national"), "1310000000");
    assert_eq!(after.texts("#funding-by-source tr"), by_source_before);
    assert_eq!(pdf_text_of(&board.get(&pdf).await.bytes), pdf_before);
    // The plan as of today shows the change, as of the cutoff not.
    // (A finished plan's page opens on its last day: ask for today.)
    let today = chrono::Utc::now().date_naive();
    let today_page = board.get(&format!("/plans/{plan}?as_of={today}")).await;
    assert_eq!(mobilised_on(&today_page, "Budget d’État"), "1450000000");
    let cutoff = board.get(&format!("/plans/{plan}?as_of=2025-11-30")).await;
    assert_eq!(mobilised_on(&cutoff, "Budget national"), "1310000000");
    // The activities that name the line follow its name at each date.
    assert_eq!(
        digits(
            &today_page.text(
                "#funding-by-source tr[data-source=\"Budget d’État\"] [data-figure=activities]"
            )
        ),
        "5"
    );
    let (checked, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(checked >= 1);
    assert!(differ.is_empty(), "{differ:?}");

    // An admin's correction within the sealed figures: the dashboard still
    // reads from its seal and says it was corrected since; `verify`, which
    // recomputes as known when sealed, stays clean.
    assert!(after.texts("#corrected-since").is_empty());
    let mut admin = signed_in(&app, "admin").await;
    let corrected = edit_line(
        &mut admin,
        line,
        &[
            ("source", "Budget national"),
            ("mobilised", "1 000 000 000"),
            ("effective_on", "2025-06-01"),
        ],
    )
    .await;
    assert_eq!(
        corrected.status,
        StatusCode::SEE_OTHER,
        "{}",
        corrected.body
    );
    let sealed = board.get(&dashboard).await;
    assert_eq!(mobilised_on(&sealed, "Budget national"), "1310000000");
    assert_eq!(sealed.texts("#corrected-since").len(), 1);
    let (_, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(differ.is_empty(), "{differ:?}");
    // The plan as of the cutoff reads the correction.
    let cutoff = board.get(&format!("/plans/{plan}?as_of=2025-11-30")).await;
    assert_eq!(mobilised_on(&cutoff, "Budget national"), "1000000000");
}

#[sqlx::test]
async fn activities_name_their_source_and_dashboards_show_execution_per_source(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let mut board = signed_in(&app, "anaser.ca").await;
    let page = board.get(&format!("/sessions/{session}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let row = |source: &str, figure: &str| {
        digits(&page.text(&format!(
            "#funding-by-source tr[data-source=\"{source}\"] [data-figure={figure}]"
        )))
    };
    // The demo's Budget national pays for A1.01, A1.02, A1.05, A1.08 and
    // A2.05: 8.5 + 15 + 24.5 + 45 + 85 million.
    assert_eq!(row("Budget national", "activities"), "5");
    assert_eq!(row("Budget national", "budget"), "178000000");
    assert_eq!(
        row("Ressources propres (redevances et contrôles)", "activities"),
        "3"
    );
    assert_eq!(
        row("Partenaires techniques et financiers", "activities"),
        "2"
    );
    // The others (49 − 10) name none.
    assert_eq!(
        digits(&page.text("#funding-by-source tr[data-unassigned] [data-figure=activities]")),
        "39"
    );
    let spent: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(u.spent), 0)::bigint FROM activities a \
         JOIN funding_lines f ON f.id = a.funding_line_id AND f.source = 'Budget national' \
         JOIN LATERAL (SELECT p.spent FROM progress_updates p WHERE p.activity_id = a.id \
         AND p.as_of <= '2025-11-30' ORDER BY p.as_of DESC, p.id DESC LIMIT 1) u ON true \
         WHERE a.plan_id = f.plan_id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(row("Budget national", "spent"), spent.to_string());
    // The headline figures stand.
    assert_eq!(page.text("#headline [data-figure=above-target]"), "10");
    let pdf = pdf_text_of(
        &board
            .get(&format!("/sessions/{session}/dashboard.pdf"))
            .await
            .bytes,
    );
    assert!(pdf.contains("Exécution par source de financement"), "{pdf}");
    assert!(
        pdf.contains("178 000 000") || pdf.contains("178000000"),
        "{pdf}"
    );

    // An editor names a source in the activity form of the 2026 plan.
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let uri = format!("/activities/{activity}/edit");
    let fields: &[&str] = &[
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
        "funding_source",
    ];
    let form = editor.get(&uri).await;
    let unknown = editor
        .post_values(
            &uri,
            &form.form_values(fields, &[("funding_source", "Mécène inconnu")]),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        unknown
            .texts(".field-error[data-field=funding_source]")
            .len(),
        1
    );
    let form = editor.get(&uri).await;
    let named = editor
        .post_values(
            &uri,
            &form.form_values(fields, &[("funding_source", "Budget national")]),
        )
        .await;
    assert_eq!(named.status, StatusCode::SEE_OTHER, "{}", named.body);
    let again = editor.get(&uri).await;
    assert_eq!(
        again.attrs("#a-funding option[selected]", "value"),
        ["Budget national"]
    );
    let plan_page = editor.get(&format!("/plans/{plan}")).await;
    assert_eq!(
        digits(&plan_page.text(
            "#funding-by-source tr[data-source=\"Budget national\"] [data-figure=activities]"
        )),
        "1"
    );
}

async fn import_into(pool: &PgPool, bytes: &[u8], target: &Target) -> imports::PlanImport {
    imports::prepare_plan_import(pool, bytes, target, today())
        .await
        .unwrap()
        .unwrap_or_else(|problems| panic!("{problems:?}"))
}

/// Each activity's code with its source, and each line, of a plan.
async fn funding_shape(pool: &PgPool, plan: i64) -> (Vec<String>, Vec<String>) {
    let activities = sqlx::query_scalar(
        "SELECT concat_ws('|', a.code, f.source) FROM activities a \
         LEFT JOIN funding_lines f ON f.id = a.funding_line_id WHERE a.plan_id = $1 ORDER BY a.code",
    )
    .bind(plan)
    .fetch_all(pool)
    .await
    .unwrap();
    let lines = sqlx::query_scalar(
        "SELECT concat_ws('|', source, source_kind, planned, mobilised) FROM funding_lines \
         WHERE plan_id = $1 ORDER BY position",
    )
    .bind(plan)
    .fetch_all(pool)
    .await
    .unwrap();
    (activities, lines)
}

#[sqlx::test]
async fn the_plan_file_carries_the_funding_lines_and_the_sources_there_and_back(pool: PgPool) {
    let app = demo_app(&pool).await;
    let original = plans::find(&pool, plan_id(&pool, "ANASER", "PAP-2025").await)
        .await
        .unwrap()
        .unwrap();
    let expected = funding_shape(&pool, original.id).await;
    assert_eq!(expected.1.len(), 3);
    assert!(expected.0.iter().any(|a| a == "A2.05|Budget national"));

    // Through the router, as an admin downloads it.
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let file = editor
        .get(&format!("/plans/{}/export?format=xlsx", original.id))
        .await;
    assert_eq!(file.status, StatusCode::OK);
    let admin: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let target = Target::New(NewPlan {
        agency_id: agency_id(&pool, "ANASER").await,
        code: "COPIE-FIN".into(),
        title: "Copie".into(),
        year: 2025,
        level_names: Vec::new(),
        end_year: None,
    });
    let import = import_into(&pool, &file.bytes, &target).await;
    let copy = imports::apply_plan_import(&pool, &target, &import, today(), admin, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(funding_shape(&pool, copy).await, expected);

    // The same file onto the copy: nothing to do.
    let target = Target::Existing(plans::find(&pool, copy).await.unwrap().unwrap());
    let again = import_into(&pool, &file.bytes, &target).await;
    assert!(again.changes.is_empty(), "{:?}", again.changes);

    // A file naming a source the plan and the file do not have is refused,
    // with its line and column.
    let csv = imports::export_csv(&pool, &original, today())
        .await
        .unwrap();
    let text = String::from_utf8(csv).unwrap();
    let changed = text.replacen("Budget national", "Mécène inconnu", 1);
    let target = Target::Existing(original.clone());
    let problems = imports::prepare_plan_import(&pool, changed.as_bytes(), &target, today())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].column, "Source de financement");
    assert_eq!(problems[0].key, "funding.error.unknown_source");
    assert!(problems[0].line > 1);
}
