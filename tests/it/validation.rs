//! Validation by the M&E unit, through the router on the demo (ANASER needs
//! validation; `anaser.se` is its validator): a staff member's update waits,
//! is validated and counts, or is rejected with a reason its author sees and
//! resubmitted; nobody else decides; the plan page can show the waiting ones;
//! sealing warns of them; a sealed session keeps what it was sealed with.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::common::*;

/// An activity of the PAP 2026 not done today, and the plan.
async fn open_activity(pool: &PgPool) -> (i64, i64) {
    let plan = plan_id(pool, "ANASER", "PAP-2026").await;
    let activity: i64 = sqlx::query_scalar(
        "SELECT a.id FROM activities a WHERE a.plan_id = $1 AND a.code = 'B1.06'",
    )
    .bind(plan)
    .fetch_one(pool)
    .await
    .unwrap();
    (plan, activity)
}

/// The editor marks the activity done; returns the id of the update.
async fn submit_done(editor: &mut Client, pool: &PgPool, activity: i64) -> i64 {
    let page = editor.get(&format!("/activities/{activity}")).await;
    let fields = page.form_values(
        &[
            "csrf", "base", "status", "achieved", "spent", "as_of", "comment",
        ],
        &[
            ("status", "done"),
            ("achieved", "5"),
            ("as_of", "2026-11-25"),
        ],
    );
    let saved = editor
        .post_values(&format!("/activities/{activity}/progress"), &fields)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    sqlx::query_scalar("SELECT max(id) FROM progress_updates WHERE activity_id = $1")
        .bind(activity)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn done_on_plan(client: &mut Client, plan: i64, query: &str) -> i64 {
    client
        .get(&format!("/plans/{plan}?as_of=2026-11-30{query}"))
        .await
        .text("#headline [data-figure=done]")
        .parse()
        .unwrap()
}

async fn decide(client: &mut Client, update: i64, decision: &str, reason: &str) -> Page {
    let page = client.get(&format!("/validation/{update}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = csrf_of(&page);
    client
        .post(
            &format!("/validation/{update}"),
            &[("csrf", &csrf), ("decision", decision), ("reason", reason)],
        )
        .await
}

#[sqlx::test]
async fn a_submitted_update_counts_once_validated(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (plan, activity) = open_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let done_before = done_on_plan(&mut editor, plan, "").await;

    let update = submit_done(&mut editor, &pool, activity).await;
    // Waiting: not counted, said so on the activity, counted only when the
    // plan page is asked to include waiting updates (and says so).
    assert_eq!(done_on_plan(&mut editor, plan, "").await, done_before);
    let provisional = editor
        .get(&format!("/plans/{plan}?as_of=2026-11-30&pending=1"))
        .await;
    assert_eq!(
        provisional.text("#headline [data-figure=done]"),
        // This one and the demo's waiting B1.01.
        (done_before + 2).to_string()
    );
    assert!(provisional.text("#pending-banner").contains("provisoires"));
    let page = editor.get(&format!("/activities/{activity}")).await;
    assert_eq!(page.attrs("#review-note", "data-review"), ["submitted"]);

    // The validator finds it in the queue, with its author, and validates.
    let mut validator = signed_in(&app, "anaser.se").await;
    let queue = validator.get("/validation").await;
    assert_eq!(queue.status, StatusCode::OK);
    let listed = queue.attrs("#queue tr[data-update]", "data-update");
    assert!(listed.contains(&update.to_string()), "{listed:?}");
    let by_author = validator
        .get(&format!(
            "/validation?plan={plan}&from=2026-11-25&to=2026-11-25"
        ))
        .await;
    assert_eq!(
        by_author.attrs("#queue tr[data-update]", "data-update"),
        [update.to_string()]
    );
    let decided = decide(&mut validator, update, "validate", "").await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    assert_eq!(done_on_plan(&mut editor, plan, "").await, done_before + 1);
    let review: (String, Option<String>) = sqlx::query_as(
        "SELECT u.review, (SELECT action FROM audit_log WHERE object_id = u.id \
         AND action LIKE 'progress.validate') FROM progress_updates u WHERE u.id = $1",
    )
    .bind(update)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        review,
        ("validated".into(), Some("progress.validate".into()))
    );
    // Decided once: the page of a decided update is gone.
    let again = validator.get(&format!("/validation/{update}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_rejected_update_shows_its_reason_and_can_be_resubmitted(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (plan, activity) = open_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let done_before = done_on_plan(&mut editor, plan, "").await;
    let update = submit_done(&mut editor, &pool, activity).await;

    let mut validator = signed_in(&app, "anaser.se").await;
    // A rejection needs its reason: refused, nothing written, form kept.
    let refused = decide(&mut validator, update, "reject", " ").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text("#refused").contains("motif"));
    let rejected = decide(&mut validator, update, "reject", "Aucune pièce jointe").await;
    assert_eq!(rejected.status, StatusCode::SEE_OTHER);
    // Only the demo's waiting B1.01 is provisional now.
    assert_eq!(
        done_on_plan(&mut editor, plan, "&pending=1").await,
        done_before + 1
    );

    // The author sees why, on the activity and in the grid, and the form
    // starts from what was rejected.
    let page = editor.get(&format!("/activities/{activity}")).await;
    assert!(page.text("#review-note").contains("Aucune pièce jointe"));
    assert_eq!(
        page.form_values(&["status"], &[])
            .iter()
            .find(|(k, _)| k == "status")
            .map(|(_, v)| v.as_str()),
        Some("done")
    );
    let grid = editor.get(&format!("/plans/{plan}/grid")).await;
    let row = format!("tr[data-activity=\"{activity}\"] [data-review]");
    assert!(
        grid.text(&row).contains("Aucune pièce jointe"),
        "{}",
        grid.text(&row)
    );

    // Resubmitted, then validated: counted.
    let second = submit_done(&mut editor, &pool, activity).await;
    assert_ne!(second, update);
    assert_eq!(
        decide(&mut validator, second, "validate", "").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(done_on_plan(&mut editor, plan, "").await, done_before + 1);
}

#[sqlx::test]
async fn only_the_agencys_m_and_e_unit_and_admins_decide(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (_, activity) = open_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let update = submit_done(&mut editor, &pool, activity).await;
    // A validator of another agency.
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let crss_se = suivi::store::users::create(&pool, "crss.se", "CRSS SE", &hash, false)
        .await
        .unwrap()
        .unwrap();
    suivi::store::users::set_role(
        &pool,
        crss_se,
        agency_id(&pool, "CRSS").await,
        suivi::domain::Role::Validator,
    )
    .await
    .unwrap();

    let csrf = csrf_of(&editor.get("/").await);
    for login in ["anaser.editeur", "anaser.ca", "crss.lecteur", "crss.se"] {
        let mut client = signed_in(&app, login).await;
        let csrf = if login == "anaser.editeur" {
            csrf.clone()
        } else {
            csrf_of(&client.get("/account/password").await)
        };
        let id = update.to_string();
        let single = client
            .post(
                &format!("/validation/{update}"),
                &[("csrf", &csrf), ("decision", "validate")],
            )
            .await;
        assert_eq!(single.status, StatusCode::FORBIDDEN, "{login}");
        let bulk = client
            .post(
                "/validation",
                &[("csrf", &csrf), ("decision", "validate"), ("update", &id)],
            )
            .await;
        // The queue is for validators; one of another agency decides
        // nothing of ANASER's.
        let expected = if login == "crss.se" {
            StatusCode::CONFLICT
        } else {
            StatusCode::FORBIDDEN
        };
        assert_eq!(bulk.status, expected, "{login}");
    }
    let review: String = sqlx::query_scalar("SELECT review FROM progress_updates WHERE id = $1")
        .bind(update)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(review, "submitted");
    // The M&E unit of the ministry above ANASER validates for it.
    let mti_se = suivi::store::users::create(&pool, "mti.se", "MTI SE", &hash, false)
        .await
        .unwrap()
        .unwrap();
    suivi::store::users::set_role(
        &pool,
        mti_se,
        agency_id(&pool, "MTI").await,
        suivi::domain::Role::Validator,
    )
    .await
    .unwrap();
    let mut ministry = signed_in(&app, "mti.se").await;
    assert_eq!(
        decide(&mut ministry, update, "validate", "").await.status,
        StatusCode::SEE_OTHER
    );
}

#[sqlx::test]
async fn bulk_decisions_are_all_or_nothing(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (_, activity) = open_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let mine = submit_done(&mut editor, &pool, activity).await;
    // The demo's waiting update of B1.01.
    let demo: i64 = sqlx::query_scalar(
        "SELECT id FROM progress_updates WHERE review = 'submitted' AND id <> $1",
    )
    .bind(mine)
    .fetch_one(&pool)
    .await
    .unwrap();
    let mut validator = signed_in(&app, "anaser.se").await;
    let csrf = csrf_of(&validator.get("/validation").await);
    let (mine_text, demo_text) = (mine.to_string(), demo.to_string());
    // One of them is decided meanwhile: nothing is written, the rest stays
    // ticked.
    assert_eq!(
        decide(&mut validator, demo, "validate", "").await.status,
        StatusCode::SEE_OTHER
    );
    let stale = validator
        .post(
            "/validation",
            &[
                ("csrf", &csrf),
                ("update", &mine_text),
                ("update", &demo_text),
                ("decision", "reject"),
                ("reason", "Pièces manquantes"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        stale.attrs("#queue input[checked]", "value"),
        [mine_text.as_str()]
    );
    let review: String = sqlx::query_scalar("SELECT review FROM progress_updates WHERE id = $1")
        .bind(mine)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(review, "submitted");
    let done = validator
        .post(
            "/validation",
            &[
                ("csrf", &csrf),
                ("update", &mine_text),
                ("decision", "reject"),
                ("reason", "Pièces manquantes"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let reason: Option<String> =
        sqlx::query_scalar("SELECT reason FROM update_reviews WHERE update_id = $1")
            .bind(mine)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(reason.as_deref(), Some("Pièces manquantes"));
}

#[sqlx::test]
async fn sealing_warns_of_waiting_updates_and_keeps_what_it_sealed(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (plan, activity) = open_activity(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let update = submit_done(&mut editor, &pool, activity).await;
    let plan_text = plan.to_string();
    let csrf = csrf_of(&editor.get("/agencies/ANASER/sessions/new").await);
    let form = |status: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("number", "31".to_owned()),
            ("kind", "ordinary".to_owned()),
            ("held_on", "2026-12-01".to_owned()),
            ("cutoff", "2026-11-30".to_owned()),
            ("reviewed_plan", plan_text.clone()),
            ("status", status.to_owned()),
        ]
    };
    let fields = form("held");
    let as_refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let warned = editor.post("/agencies/ANASER/sessions", &as_refs).await;
    assert_eq!(warned.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Two wait: this one and the demo's B1.01.
    assert_eq!(warned.attrs("#waiting-warning", "data-waiting"), ["2"]);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM board_sessions WHERE number = 31")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "nothing written");

    let mut confirmed = as_refs.clone();
    confirmed.push(("seal_anyway", "1"));
    let sealed = editor.post("/agencies/ANASER/sessions", &confirmed).await;
    assert_eq!(sealed.status, StatusCode::SEE_OTHER);
    let dashboard = sealed.location.unwrap();
    let done_sealed = editor
        .get(&dashboard)
        .await
        .text("#headline [data-figure=done]");

    // Validated after the seal: the sealed figures do not move, `verify`
    // (as known at sealing) is clean, and the session says it was corrected.
    let mut validator = signed_in(&app, "anaser.se").await;
    assert_eq!(
        decide(&mut validator, update, "validate", "").await.status,
        StatusCode::SEE_OTHER
    );
    let after = editor.get(&dashboard).await;
    assert_eq!(after.text("#headline [data-figure=done]"), done_sealed);
    assert!(after.text("#corrected-since").contains("1 saisie"));
    let (_, differ) = suivi::dashboard::verify(&pool).await.unwrap();
    assert!(differ.is_empty(), "{differ:?}");
}
