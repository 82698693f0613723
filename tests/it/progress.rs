//! Entering progress on an activity through the router: validation, rights,
//! CSRF, conflicts between two saves, the audit row, and past figures kept.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

async fn first_activity(pool: &PgPool, plan: &str) -> i64 {
    let plan = plan_id(pool, "ANASER", plan).await;
    sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY position, id LIMIT 1")
        .bind(plan)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn updates(pool: &PgPool, activity: i64) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM progress_updates WHERE activity_id = $1")
        .bind(activity)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The form's csrf and base, as loaded now.
async fn load_form(client: &mut Client, activity: i64) -> (String, String) {
    let page = client.get(&format!("/activities/{activity}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let base = page.attrs("#progress input[name=base]", "value");
    assert_eq!(base.len(), 1, "the entry form is shown");
    (csrf_of(&page), base[0].clone())
}

fn valid<'a>(csrf: &'a str, base: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("base", base),
        ("status", "in_progress"),
        ("achieved", "12,5"),
        ("spent", "1 500 000"),
        ("as_of", "2026-11-20"),
        ("comment", "Atelier tenu à Kayes"),
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

#[sqlx::test]
async fn an_editor_records_progress_with_its_audit_row(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2026").await;
    let before = updates(&pool, activity).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let (csrf, base) = load_form(&mut editor, activity).await;
    let saved = editor
        .post(
            &format!("/activities/{activity}/progress"),
            &valid(&csrf, &base),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location, Some(format!("/activities/{activity}")));
    assert_eq!(updates(&pool, activity).await, before + 1);

    let (achieved, spent, author): (rust_decimal::Decimal, i64, String) = sqlx::query_as(
        "SELECT achieved, spent, author FROM progress_updates WHERE activity_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(activity)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(achieved, rust_decimal::Decimal::new(125, 1), "12,5 is 12.5");
    assert_eq!(spent, 1_500_000);
    assert_eq!(author, "Point focal ANASER (démo)");

    let (action, after, before_json): (String, serde_json::Value, Option<serde_json::Value>) =
        sqlx::query_as("SELECT action, after, before FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(action, "progress.record");
    assert_eq!(after["status"], "in_progress");
    assert_eq!(
        after["achieved"]
            .as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>(),
        Ok(rust_decimal::Decimal::new(125, 1)),
        "exact decimals, as text"
    );
    assert_eq!(after["as_of"], "2026-11-20");
    assert_eq!(
        before_json.map(|b| b["id"].to_string()),
        (!base.is_empty()).then(|| base.clone()),
        "before is the update the form was based on"
    );

    let page = editor.get(&format!("/activities/{activity}")).await;
    assert_eq!(
        page.texts("#history [data-field=author]")
            .first()
            .map(String::as_str),
        Some("Point focal ANASER (démo)")
    );
}

#[sqlx::test]
async fn bad_input_gives_the_form_again_with_what_was_typed(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2026").await;
    let before = updates(&pool, activity).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let (csrf, base) = load_form(&mut editor, activity).await;
    let long_comment = "x".repeat(2001);
    let cases: [(&str, &str, &str); 8] = [
        ("achieved", "-3", "#p-achieved"),
        ("achieved", "douze", "#p-achieved"),
        ("spent", "-100", "#p-spent"),
        ("spent", "beaucoup", "#p-spent"),
        ("as_of", "2026-12-24", "#p-as-of"),
        ("as_of", "2025-06-30", "#p-as-of"),
        ("status", "finished", "#p-status option[selected]"),
        ("comment", &long_comment, "#p-comment"),
    ];
    for (field, value, selector) in cases {
        let page = editor
            .post(
                &format!("/activities/{activity}/progress"),
                &with(valid(&csrf, &base), field, value),
            )
            .await;
        assert_eq!(
            page.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}={value}"
        );
        assert_eq!(
            page.texts(&format!("[data-field={field}]")).len(),
            1,
            "a message next to {field}"
        );
        let shown = if field == "comment" {
            page.texts(selector).join("")
        } else {
            page.attrs(selector, "value").join("")
        };
        assert_eq!(shown, value, "{field}: the typed value is kept");
    }
    assert_eq!(updates(&pool, activity).await, before, "nothing written");
    // The messages are in the reader's language.
    let page = editor
        .post(
            &format!("/activities/{activity}/progress"),
            &with(valid(&csrf, &base), "as_of", "2025-06-30"),
        )
        .await;
    assert_eq!(
        page.text("[data-field=as_of]"),
        "La date doit tomber dans les années du plan (2026)."
    );
}

#[sqlx::test]
async fn a_post_without_csrf_writes_nothing(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2026").await;
    let before = updates(&pool, activity).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let (csrf, base) = load_form(&mut editor, activity).await;
    let fields: Vec<_> = valid(&csrf, &base)
        .into_iter()
        .filter(|(name, _)| *name != "csrf")
        .collect();
    let page = editor
        .post(&format!("/activities/{activity}/progress"), &fields)
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(updates(&pool, activity).await, before);
}

#[sqlx::test]
async fn two_saves_on_the_same_base_one_wins_the_other_gets_409(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2026").await;
    let before = updates(&pool, activity).await;
    let mut first = signed_in(&app, "anaser.editeur").await;
    let mut second = signed_in(&app, "admin").await;
    let (csrf1, base1) = load_form(&mut first, activity).await;
    let (csrf2, base2) = load_form(&mut second, activity).await;
    assert_eq!(base1, base2);
    let uri = format!("/activities/{activity}/progress");
    let mine = valid(&csrf1, &base1);
    let theirs = with(valid(&csrf2, &base2), "achieved", "7");
    let (a, b) = tokio::join!(first.post(&uri, &mine), second.post(&uri, &theirs));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    assert_eq!(
        updates(&pool, activity).await,
        before + 1,
        "exactly one saved"
    );

    let conflict = if a.status == StatusCode::CONFLICT {
        a
    } else {
        b
    };
    assert_eq!(conflict.texts("#conflict").len(), 1);
    assert_eq!(
        conflict
            .texts("[data-version=theirs][data-field=status]")
            .len(),
        1
    );
    let new_base: i64 =
        sqlx::query_scalar("SELECT max(id) FROM progress_updates WHERE activity_id = $1")
            .bind(activity)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        conflict.attrs("#progress input[name=base]", "value"),
        [new_base.to_string()],
        "the retry form is based on the update saved meanwhile"
    );
}

#[sqlx::test]
async fn only_the_agency_editors_may_record(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2026").await;
    let before = updates(&pool, activity).await;
    // An editor of another agency.
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let user = suivi::store::users::create(&pool, "crss.editeur", "Éditeur CRSS", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let crss = agency_id(&pool, "CRSS").await;
    suivi::store::users::set_role(&pool, user, crss, suivi::domain::Role::Editor)
        .await
        .unwrap();
    let uri = format!("/activities/{activity}/progress");
    for login in ["crss.lecteur", "anaser.ca", "crss.editeur"] {
        let mut client = signed_in(&app, login).await;
        // The board reads the page without a form; outsiders cannot read it.
        let page = client.get(&format!("/activities/{activity}")).await;
        let expected = if login == "anaser.ca" {
            StatusCode::OK
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(page.status, expected, "{login}");
        assert!(page.texts("#progress").is_empty(), "{login} sees no form");
        let home = client.get("/").await;
        let csrf = home.attrs("form.logout input[name=csrf]", "value")[0].clone();
        let page = client.post(&uri, &valid(&csrf, "")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{login}");
    }
    let mut anonymous = Client::new(&app);
    let page = anonymous.post(&uri, &valid("", "")).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(updates(&pool, activity).await, before);
}

#[sqlx::test]
async fn the_30th_session_figures_ignore_an_update_after_its_cutoff(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let figures = |page: &Page| {
        (
            page.text("#headline [data-figure=done]"),
            page.text("#headline [data-figure=execution-rate]"),
        )
    };
    let mut board = signed_in(&app, "anaser.ca").await;
    let before = figures(&board.get(&format!("/sessions/{session}")).await);
    // An activity not done at the cutoff, marked done on 15 December 2025.
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let cutoff = date(2025, 11, 30);
    let activities = suivi::store::plans::activities_as_of(&pool, plan, cutoff)
        .await
        .unwrap();
    let open = activities
        .iter()
        .find(|a| a.figures().status != suivi::domain::Status::Done)
        .unwrap();
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let (csrf, base) = load_form(&mut editor, open.id).await;
    let fields = with(
        with(valid(&csrf, &base), "as_of", "2025-12-15"),
        "status",
        "done",
    );
    let saved = editor
        .post(&format!("/activities/{}/progress", open.id), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let after = figures(&board.get(&format!("/sessions/{session}")).await);
    assert_eq!(before, after);
    assert_eq!(after, ("32".to_owned(), "65 %".to_owned()));
}

/// The 30th session (cutoff 30 November 2025) is held: an update dated on or
/// before its cutoff is refused to the editor and nothing is written; an
/// admin may still correct, and the audit log says it was an override.
#[sqlx::test]
async fn a_held_session_freezes_updates_dated_before_its_cutoff(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2025").await;
    let before = updates(&pool, activity).await;
    let uri = format!("/activities/{activity}/progress");

    let mut editor = signed_in(&app, "anaser.editeur").await;
    let (csrf, base) = load_form(&mut editor, activity).await;
    let fields = with(valid(&csrf, &base), "as_of", "2025-11-15");
    let refused = editor.post(&uri, &fields).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text("#progress .field-error[data-field=as_of]")
        .contains("figés"));
    assert_eq!(
        refused.attrs("#progress input[name=as_of]", "value"),
        ["2025-11-15"],
        "what was typed is kept"
    );
    assert_eq!(updates(&pool, activity).await, before);

    // After the cutoff the same editor may record.
    let fields = with(valid(&csrf, &base), "as_of", "2025-12-01");
    assert_eq!(
        editor.post(&uri, &fields).await.status,
        StatusCode::SEE_OTHER
    );

    let mut admin = signed_in(&app, "admin").await;
    let (csrf, base) = load_form(&mut admin, activity).await;
    let fields = with(valid(&csrf, &base), "as_of", "2025-11-15");
    assert_eq!(
        admin.post(&uri, &fields).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(updates(&pool, activity).await, before + 2);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE object_type = 'progress_update' \
         AND action LIKE 'progress.record%' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["progress.record", "progress.record_frozen_override"]
    );
}

/// The stored session, as the store last wrote it.
async fn stored_session(pool: &PgPool) -> (Vec<u8>, String) {
    sqlx::query_as("SELECT data, expiry_date::text FROM tower_sessions.session")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test]
async fn reading_pages_writes_nothing_to_the_session_and_a_save_s_message_shows_once(pool: PgPool) {
    let app = demo_app(&pool).await;
    let activity = first_activity(&pool, "PAP-2026").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let (csrf, base) = load_form(&mut editor, activity).await;
    let signed_in_state = stored_session(&pool).await;
    for uri in ["/", "/agencies/ANASER", &format!("/activities/{activity}")] {
        let page = editor.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}");
    }
    assert_eq!(
        stored_session(&pool).await,
        signed_in_state,
        "pages read are not a write each"
    );

    let saved = editor
        .post(
            &format!("/activities/{activity}/progress"),
            &valid(&csrf, &base),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let with_message = stored_session(&pool).await;
    assert_ne!(with_message.0, signed_in_state.0, "the message is kept");
    let next = editor.get(&format!("/activities/{activity}")).await;
    assert_eq!(next.text("#flash"), suivi::i18n::Lang::Fr.t("flash.saved"));
    let shown = stored_session(&pool).await;
    assert_ne!(shown.0, with_message.0, "and taken once shown");
    let again = editor.get(&format!("/activities/{activity}")).await;
    assert!(again.texts("#flash").is_empty(), "shown once only");
    assert_eq!(stored_session(&pool).await, shown);
}
