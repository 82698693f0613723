//! E-mail against a real SMTP server started here (Debian's
//! `python3-aiosmtpd`, which prints every message it receives): the reminder
//! reaches exactly the editors it should with the activities it should, two
//! senders on one database send each message once, an outage leaves mail
//! queued until the server is back, a sealed session notifies its board,
//! and a password-reset link works once.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::common::*;
use suivi::domain::Role;
use suivi::mail::{self, MailArgs, Mailer};
use suivi::store::mail::{self as outbox, NewMail};

/// An aiosmtpd server on a port of its own, printing what it receives to a
/// file; stopped when dropped.
struct SmtpServer {
    child: Child,
    output: tempfile::NamedTempFile,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl SmtpServer {
    fn start(port: u16) -> SmtpServer {
        let output = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new("/usr/bin/python3")
            .args([
                "-u",
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
            ])
            .stdout(Stdio::from(output.reopen().unwrap()))
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd is installed (.ci/run installs it)");
        // Ready once it accepts connections (it starts in well under a second).
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return SmtpServer { child, output };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not start on port {port}");
    }

    /// The recipient (`To:`) of every message received, in order.
    fn recipients(&self) -> Vec<String> {
        std::fs::read_to_string(self.output.path())
            .unwrap()
            .lines()
            .filter_map(|line| line.strip_prefix("To: "))
            .map(str::to_owned)
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(&MailArgs {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        mail_from: "Suivi <suivi@anaser.test>".to_owned(),
        base_url: "http://suivi.test".to_owned(),
    })
    .unwrap()
}

async fn set_email(pool: &PgPool, login: &str, email: &str) {
    sqlx::query("UPDATE users SET email = $2 WHERE login = $1")
        .bind(login)
        .bind(email)
        .execute(pool)
        .await
        .unwrap();
}

async fn add_user(pool: &PgPool, login: &str, agency: &str, role: Role, email: &str) -> i64 {
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let user = suivi::store::users::create(pool, login, login, &hash, false)
        .await
        .unwrap()
        .unwrap();
    let agency = agency_id(pool, agency).await;
    suivi::store::users::set_role(pool, user, agency, role)
        .await
        .unwrap();
    set_email(pool, login, email).await;
    user
}

async fn test_mail(pool: &PgPool, to: &str) {
    outbox::enqueue(
        pool,
        &NewMail {
            kind: "test",
            dedupe_key: None,
            user_id: None,
            recipient: to,
            lang: "fr",
            params: serde_json::json!({}),
        },
    )
    .await
    .unwrap();
}

#[sqlx::test]
async fn the_reminder_reaches_the_right_editors_with_the_right_activities_once(pool: PgPool) {
    let _app = demo_app(&pool).await;
    set_email(&pool, "anaser.editeur", "editeur@anaser.test").await;
    set_email(&pool, "anaser.ca", "ca@anaser.test").await;
    let quiet = add_user(
        &pool,
        "anaser.editeur2",
        "ANASER",
        Role::Editor,
        "e2@anaser.test",
    )
    .await;
    sqlx::query("INSERT INTO mail_opt_outs (user_id, kind) VALUES ($1, 'reminder')")
        .bind(quiet)
        .execute(&pool)
        .await
        .unwrap();
    add_user(
        &pool,
        "crss.editeur",
        "CRSS",
        Role::Editor,
        "editeur@crss.test",
    )
    .await;
    add_user(&pool, "anaser.sans", "ANASER", Role::Editor, "x@y.test").await;
    sqlx::query("UPDATE users SET email = NULL WHERE login = 'anaser.sans'")
        .execute(&pool)
        .await
        .unwrap();

    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    sqlx::query(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id) \
         VALUES ($1, 31, 'ordinary', '2026-06-26', '2026-05-31', $2)",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(plan)
    .execute(&pool)
    .await
    .unwrap();
    // One activity has progress since the 30th session's cutoff: not listed.
    let (updated, updated_code): (i64, String) =
        sqlx::query_as("SELECT id, code FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    add_update(&pool, updated, date(2026, 3, 31), "in_progress", Some(1)).await;
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT a.code FROM activities a WHERE a.plan_id = $1 AND a.retired_on IS NULL \
         AND NOT EXISTS (SELECT 1 FROM progress_updates u WHERE u.activity_id = a.id \
                         AND u.as_of > '2025-11-30') ORDER BY a.position, a.code",
    )
    .bind(plan)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!expected.is_empty() && !expected.contains(&updated_code));

    // Eleven days before the cutoff: too early (7 days by default).
    assert_eq!(
        outbox::queue_reminders(&pool, date(2026, 5, 20))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        outbox::queue_reminders(&pool, date(2026, 5, 27))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        outbox::queue_reminders(&pool, date(2026, 5, 28))
            .await
            .unwrap(),
        0,
        "once per session and editor"
    );
    let queued: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT recipient, params FROM mail_outbox WHERE kind = 'reminder'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, "editeur@anaser.test");
    let listed: Vec<String> = queued[0].1["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, expected);

    let port = free_port();
    let server = SmtpServer::start(port);
    let sent = mail::send_due(&pool, &mailer(port), Utc::now())
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(server.recipients(), ["editeur@anaser.test"]);
    let text = std::fs::read_to_string(server.output.path()).unwrap();
    assert!(
        text.contains("multipart/alternative"),
        "plain text and HTML"
    );
}

#[sqlx::test]
async fn two_senders_on_one_database_send_each_message_once(pool: PgPool) {
    let addresses: Vec<String> = (0..30)
        .map(|i| format!("point.focal{i}@anaser.test"))
        .collect();
    for address in &addresses {
        test_mail(&pool, address).await;
    }
    let other = PgPoolOptions::new()
        .max_connections(4)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let port = free_port();
    let server = SmtpServer::start(port);
    let (first, second) = (mailer(port), mailer(port));
    let now = Utc::now();
    let (a, b) = tokio::join!(
        mail::send_due(&pool, &first, now),
        mail::send_due(&other, &second, now)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, 30);
    assert_eq!(a.failed + b.failed, 0);
    let mut received = server.recipients();
    received.sort();
    let mut expected = addresses.clone();
    expected.sort();
    assert_eq!(received, expected, "each message once");
    let unsent: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(unsent, 0);
}

#[sqlx::test]
async fn an_smtp_outage_leaves_mail_queued_until_the_server_is_back(pool: PgPool) {
    for i in 0..3 {
        test_mail(&pool, &format!("dg{i}@anaser.test")).await;
    }
    let port = free_port();
    let mailer = mailer(port);
    let now = Utc::now();
    // Nobody listens: the first message fails, the pass stops there.
    let down = mail::send_due(&pool, &mailer, now).await.unwrap();
    assert_eq!((down.sent, down.failed), (0, 1));
    let rows: Vec<(i32, Option<String>, bool)> =
        sqlx::query_as("SELECT attempts, last_error, sent_at IS NULL FROM mail_outbox ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|(_, _, unsent)| *unsent));
    assert_eq!(rows[0].0, 1);
    assert!(rows[0].1.is_some(), "the failure is recorded");

    let server = SmtpServer::start(port);
    // The failed one waits for its retry; the others go now.
    let back = mail::send_due(&pool, &mailer, now).await.unwrap();
    assert_eq!((back.sent, back.failed), (2, 0));
    let later = mail::send_due(&pool, &mailer, now + Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!((later.sent, later.failed), (1, 0));
    let mut received = server.recipients();
    received.sort();
    assert_eq!(
        received,
        ["dg0@anaser.test", "dg1@anaser.test", "dg2@anaser.test"]
    );
    assert_eq!(
        mail::send_due(&pool, &mailer, now + Duration::hours(1))
            .await
            .unwrap(),
        mail::Sent::default(),
        "nothing sent twice"
    );
}

#[sqlx::test]
async fn sealing_a_session_notifies_its_board_members(pool: PgPool) {
    let _app = demo_app(&pool).await;
    set_email(&pool, "anaser.ca", "ca@anaser.test").await;
    set_email(&pool, "anaser.editeur", "editeur@anaser.test").await;
    let session: i64 = sqlx::query_scalar(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id, status) \
         VALUES ($1, 31, 'ordinary', '2026-06-26', '2026-05-31', $2, 'held') RETURNING id",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(plan_id(&pool, "ANASER", "PAP-2026").await)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(suivi::dashboard::seal_never_sealed(&pool).await.unwrap(), 1);
    let queued: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT recipient, params FROM mail_outbox WHERE kind = 'sealed'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(queued.len(), 1, "the board member only: {queued:?}");
    assert_eq!(queued[0].0, "ca@anaser.test");
    assert_eq!(queued[0].1["session_id"], session);
}

#[sqlx::test]
async fn a_reset_link_works_once_and_ends_the_other_sessions(pool: PgPool) {
    let app = demo_app(&pool).await;
    set_email(&pool, "anaser.editeur", "Editeur@Anaser.test").await;
    let mut open_elsewhere = signed_in(&app, "anaser.editeur").await;

    let ask = |email: &'static str| {
        let app = app.clone();
        async move {
            let mut visitor = Client::new(&app);
            let form = visitor.get("/password/forgot").await;
            let csrf = csrf_of(&form);
            visitor
                .post("/password/forgot", &[("csrf", &csrf), ("email", email)])
                .await
        }
    };
    let known = ask("editeur@anaser.test").await;
    let unknown = ask("personne@anaser.test").await;
    assert_eq!(known.status, StatusCode::OK);
    assert_eq!(unknown.status, known.status);
    assert_eq!(
        unknown.text("#reset-sent"),
        known.text("#reset-sent"),
        "the same answer"
    );
    let tokens: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT params FROM mail_outbox WHERE kind = 'password_reset'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(tokens.len(), 1);
    let token = tokens[0]["token"].as_str().unwrap().to_owned();
    let link = format!("/password/reset/{token}");

    let mut visitor = Client::new(&app);
    let form = visitor.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form);
    let new = "un-nouveau-mot-de-passe-2026";
    let mismatch = visitor
        .post(
            &link,
            &[("csrf", &csrf), ("new", new), ("confirm", "autre")],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = visitor
        .post(&link, &[("csrf", &csrf), ("new", new), ("confirm", new)])
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.texts("#reset-done").len(), 1);
    // Once only.
    let again = visitor
        .post(
            &link,
            &[
                ("csrf", &csrf),
                ("new", "encore-un-autre-2026"),
                ("confirm", "encore-un-autre-2026"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::GONE);
    assert_eq!(visitor.get(&link).await.status, StatusCode::GONE);
    // The session opened before is over; the new password signs in.
    let before = open_elsewhere.get("/account/password").await;
    assert_eq!(before.status, StatusCode::SEE_OTHER);
    assert!(before.location.unwrap().starts_with("/login"));
    let mut fresh = Client::new(&app);
    let signed = fresh.login("anaser.editeur", new).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(fresh.get("/account/password").await.status, StatusCode::OK);
    let audited: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'user.password_reset'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audited, 1);
}

#[sqlx::test]
async fn users_set_their_address_and_turn_kinds_off(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let form = editor.get("/account/mail").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = csrf_of(&form);
    let bad = editor
        .post(
            "/account/mail",
            &[
                ("csrf", &csrf),
                ("email", "pas une adresse"),
                ("lang", "fr"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let saved = editor
        .post(
            "/account/mail",
            &[
                ("csrf", &csrf),
                ("email", "editeur@anaser.test"),
                ("lang", "en"),
                ("sealed", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK);
    let off: Vec<String> = sqlx::query_scalar(
        "SELECT o.kind FROM mail_opt_outs o JOIN users u ON u.id = o.user_id \
         WHERE u.login = 'anaser.editeur' ORDER BY o.kind",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(off, ["digest", "rejection", "reminder"]);
    let mut board = signed_in(&app, "anaser.ca").await;
    let csrf = csrf_of(&board.get("/account/mail").await);
    let taken = board
        .post(
            "/account/mail",
            &[
                ("csrf", &csrf),
                ("email", "EDITEUR@anaser.test"),
                ("lang", "fr"),
            ],
        )
        .await;
    assert_eq!(taken.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Admins see the outbox, and that nothing is sent without SMTP.
    let mut admin = signed_in(&app, "admin").await;
    let page = admin.get("/admin/mail").await;
    assert_eq!(page.texts("#no-smtp").len(), 1);
}

#[sqlx::test]
async fn a_rejected_update_notifies_its_author_with_the_reason(pool: PgPool) {
    let _app = demo_app(&pool).await;
    set_email(&pool, "anaser.editeur", "editeur@anaser.test").await;
    let (author, admin): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE login = 'anaser.editeur'), \
         (SELECT id FROM users WHERE login = 'admin')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let update: i64 = sqlx::query_scalar(
        "INSERT INTO progress_updates (activity_id, as_of, status, author, user_id, review) \
         SELECT id, '2026-03-31', 'in_progress', 'Point focal', $2, 'submitted' \
         FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1 RETURNING id",
    )
    .bind(plan)
    .bind(author)
    .fetch_one(&pool)
    .await
    .unwrap();
    let reason = "Joindre la liste de présence de l'atelier";
    let outcome = suivi::store::reviews::decide(
        &pool,
        &[update],
        &suivi::store::reviews::Decision::Reject {
            reason: reason.to_owned(),
        },
        admin,
        None,
    )
    .await
    .unwrap();
    assert_eq!(outcome, suivi::store::reviews::DecideOutcome::Decided(1));
    let queued: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT recipient, params FROM mail_outbox WHERE kind = 'rejection'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, "editeur@anaser.test");
    assert_eq!(queued[0].1["reason"], reason);
    let port = free_port();
    let server = SmtpServer::start(port);
    let sent = mail::send_due(&pool, &mailer(port), Utc::now())
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(server.recipients(), ["editeur@anaser.test"]);
}
