//! E-mail against a real SMTP server started here (Debian's
//! `python3-aiosmtpd`, which prints every message it receives): the reminder
//! reaches exactly the editors it should with the activities it should, two
//! senders on one database send each message once, an outage leaves mail
//! queued until the server is back, a sealed session notifies its board
//! (with its PDF's link), each kind a user turned off stays unsent, admins
//! choose each agency's reminder days,
//! a validator gets one digest a day of the updates waiting, and a
//! password-reset link works once.

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
        SmtpServer::start_with(port, &[])
    }

    /// With more of aiosmtpd's arguments (`--tlscert`, `--tlskey`: STARTTLS).
    fn start_with(port: u16, extra: &[&str]) -> SmtpServer {
        let output = tempfile::NamedTempFile::new().unwrap();
        let listen = format!("127.0.0.1:{port}");
        let mut child = Command::new("/usr/bin/python3")
            .args(["-u", "-m", "aiosmtpd", "-n", "-l", &listen])
            .args(extra)
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

impl SmtpServer {
    /// Everything received, with the quoted-printable bodies decoded (soft
    /// line breaks joined, `=XX` bytes read), as a person would read it.
    fn decoded(&self) -> String {
        let raw = std::fs::read_to_string(self.output.path()).unwrap();
        let joined = raw.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'=', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
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

#[sqlx::test]
async fn validators_get_one_digest_a_day_of_the_updates_waiting(pool: PgPool) {
    let _app = demo_app(&pool).await;
    // The demo's validator, an editor (no digest), and a second validator who
    // turned digests off.
    set_email(&pool, "anaser.se", "se@anaser.test").await;
    set_email(&pool, "anaser.editeur", "editeur@anaser.test").await;
    let quiet = add_user(
        &pool,
        "anaser.se2",
        "ANASER",
        Role::Validator,
        "se2@anaser.test",
    )
    .await;
    sqlx::query("INSERT INTO mail_opt_outs (user_id, kind) VALUES ($1, 'digest')")
        .bind(quiet)
        .execute(&pool)
        .await
        .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    assert_eq!(outbox::queue_digests(&pool, day).await.unwrap(), 1);
    // Run again, or by a second instance on the same database: nothing more.
    assert_eq!(outbox::queue_digests(&pool, day).await.unwrap(), 0);
    let other = PgPoolOptions::new()
        .max_connections(2)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    assert_eq!(outbox::queue_digests(&other, day).await.unwrap(), 0);
    let queued: Vec<(String, String, serde_json::Value)> = sqlx::query_as(
        "SELECT recipient, lang, params FROM mail_outbox WHERE kind = 'digest' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].0, "se@anaser.test");
    assert_eq!(queued[0].2["total"], 1);
    let codes: Vec<&str> = queued[0].2["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["B1.01"], "the update waiting, not the rejected one");

    let port = free_port();
    let server = SmtpServer::start(port);
    let sent = mail::send_due(&pool, &mailer(port), Utc::now())
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(server.recipients(), ["se@anaser.test"]);

    // The next day it comes again while the update waits; once decided,
    // there is nothing to say and no digest.
    let next = day.succ_opt().unwrap();
    sqlx::query("UPDATE users SET mail_lang = 'en' WHERE login = 'anaser.se'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(outbox::queue_digests(&pool, next).await.unwrap(), 1);
    let lang: String = sqlx::query_scalar(
        "SELECT lang FROM mail_outbox WHERE kind = 'digest' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(lang, "en");
    let (update, validator): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM progress_updates WHERE review = 'submitted'), \
         (SELECT id FROM users WHERE login = 'anaser.se')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    suivi::store::reviews::decide(
        &pool,
        &[update],
        &suivi::store::reviews::Decision::Validate,
        validator,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        outbox::queue_digests(&pool, next.succ_opt().unwrap())
            .await
            .unwrap(),
        0
    );
}

/// A private CA and a certificate it signed for 127.0.0.1, made with the
/// openssl command: (directory, CA bundle, certificate, key).
fn private_ca() -> (tempfile::TempDir, String, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (ca_key, ca, key, csr, cert, ext) = (
        path("ca.key"),
        path("ca.pem"),
        path("server.key"),
        path("server.csr"),
        path("server.pem"),
        path("ext.cnf"),
    );
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl")
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &ca_key,
        "-out",
        &ca,
        "-days",
        "2",
        "-subj",
        "/CN=Suivi test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &key,
        "-out",
        &csr,
        "-subj",
        "/CN=127.0.0.1",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &ca,
        "-CAkey",
        &ca_key,
        "-CAcreateserial",
        "-out",
        &cert,
        "-days",
        "2",
        "-extfile",
        &ext,
    ]);
    (dir, ca, cert, key)
}

fn mailer_at(url: String) -> Mailer {
    Mailer::new(&MailArgs {
        smtp_url: Some(url),
        mail_from: "Suivi <suivi@anaser.test>".to_owned(),
        base_url: "http://suivi.test".to_owned(),
    })
    .unwrap()
}

#[sqlx::test]
async fn starttls_is_used_when_required_and_never_dropped(pool: PgPool) {
    // A server without STARTTLS: a mailer that requires it sends nothing,
    // and the message stays queued with the error.
    let plain_port = free_port();
    let plain = SmtpServer::start(plain_port);
    test_mail(&pool, "secret@anaser.test").await;
    let strict = mailer_at(format!("smtp://127.0.0.1:{plain_port}?tls=required"));
    let sent = mail::send_due(&pool, &strict, Utc::now()).await.unwrap();
    assert_eq!((sent.sent, sent.failed), (0, 1));
    assert!(plain.recipients().is_empty());
    let (sent_at, error): (Option<chrono::DateTime<Utc>>, Option<String>) =
        sqlx::query_as("SELECT sent_at, last_error FROM mail_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(sent_at.is_none());
    assert!(error.is_some());

    // A server with STARTTLS and a certificate of a private CA, named by
    // SSL_CERT_FILE as an operator would: the message goes, encrypted.
    let (_dir, ca, cert, key) = private_ca();
    std::env::set_var("SSL_CERT_FILE", &ca);
    let tls_port = free_port();
    let tls = SmtpServer::start_with(tls_port, &["--tlscert", &cert, "--tlskey", &key]);
    let starttls = mailer_at(format!("smtp://127.0.0.1:{tls_port}?tls=required"));
    let later = Utc::now() + Duration::minutes(2);
    let sent = mail::send_due(&pool, &starttls, later).await.unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(tls.recipients(), ["secret@anaser.test"]);
}

#[sqlx::test]
async fn admins_choose_each_agencys_reminder_days_and_the_reminders_follow(pool: PgPool) {
    let app = demo_app(&pool).await;
    set_email(&pool, "anaser.editeur", "editeur@anaser.test").await;
    sqlx::query(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id) \
         VALUES ($1, 31, 'ordinary', '2026-06-26', '2026-05-31', $2)",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(plan_id(&pool, "ANASER", "PAP-2026").await)
    .execute(&pool)
    .await
    .unwrap();
    // Eleven days before the cutoff: too early at the default 7.
    let eleven_days_before = date(2026, 5, 20);
    assert_eq!(
        outbox::queue_reminders(&pool, eleven_days_before)
            .await
            .unwrap(),
        0
    );

    let mut admin = signed_in(&app, "admin").await;
    let page = admin.get("/admin/mail").await;
    let field = "#reminder-days tr[data-agency=ANASER] input[name=reminder_days]";
    assert_eq!(page.attrs(field, "value"), ["7"]);
    let csrf = csrf_of(&page);
    let days = || async {
        sqlx::query_scalar::<_, i32>("SELECT reminder_days FROM agencies WHERE code = 'ANASER'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    // Refused: the reason on the field, what was typed kept, nothing written.
    for typed in ["0", "91", "sept", "", "7.5"] {
        let refused = admin
            .post(
                "/admin/mail",
                &[
                    ("csrf", &csrf),
                    ("agency", "ANASER"),
                    ("reminder_days", typed),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{typed}");
        assert_eq!(
            refused.text("tr[data-agency=ANASER] [data-field=reminder_days]"),
            "Un nombre entier de jours, de 1 à 90.",
            "{typed}"
        );
        assert_eq!(refused.attrs(field, "value"), [typed]);
        assert_eq!(refused.attrs(field, "aria-invalid"), ["true"]);
        assert!(refused
            .texts("tr[data-agency=CRSS] [data-field=reminder_days]")
            .is_empty());
    }
    let unknown = admin
        .post(
            "/admin/mail",
            &[("csrf", &csrf), ("agency", "NOPE"), ("reminder_days", "14")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(days().await, 7);

    let saved = admin
        .post(
            "/admin/mail",
            &[
                ("csrf", &csrf),
                ("agency", "ANASER"),
                ("reminder_days", " 14 "),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    assert_eq!(saved.location.as_deref(), Some("/admin/mail#reminders"));
    assert_eq!(days().await, 14);
    let audited: Vec<(serde_json::Value, serde_json::Value)> = sqlx::query_as(
        "SELECT before, after FROM audit_log WHERE action = 'agency.reminder_days' \
         AND user_id = (SELECT id FROM users WHERE login = 'admin')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        audited,
        [(
            serde_json::json!({"reminder_days": 7}),
            serde_json::json!({"reminder_days": 14})
        )]
    );
    assert_eq!(admin.get("/admin/mail").await.attrs(field, "value"), ["14"]);

    // Fourteen days ahead now: eleven days before, the reminder goes.
    assert_eq!(
        outbox::queue_reminders(&pool, eleven_days_before)
            .await
            .unwrap(),
        1
    );
    let port = free_port();
    let server = SmtpServer::start(port);
    let sent = mail::send_due(&pool, &mailer(port), Utc::now())
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(server.recipients(), ["editeur@anaser.test"]);
}

/// Posts the account's mail settings with only the kinds in `on` ticked.
async fn save_mail_settings(client: &mut Client, email: &str, on: &[&str]) {
    let csrf = csrf_of(&client.get("/account/mail").await);
    let mut form = vec![("csrf", csrf.as_str()), ("email", email), ("lang", "fr")];
    form.extend(on.iter().map(|kind| (*kind, "on")));
    let saved = client.post("/account/mail", &form).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
}

#[sqlx::test]
async fn each_kind_a_user_turned_off_stays_unsent_and_the_sealed_notice_links_its_pdf(
    pool: PgPool,
) {
    let app = demo_app(&pool).await;
    let all = ["reminder", "sealed", "digest", "rejection"];
    // Two board members: one keeps the sealed notice, one turned it off; the
    // editor turned rejection notices off. All on the settings page.
    let mut board = signed_in(&app, "anaser.ca").await;
    save_mail_settings(&mut board, "ca@anaser.test", &all).await;
    add_user(&pool, "anaser.ca2", "ANASER", Role::Board, "x@anaser.test").await;
    let mut quiet_board = signed_in(&app, "anaser.ca2").await;
    save_mail_settings(
        &mut quiet_board,
        "ca2@anaser.test",
        &["reminder", "digest", "rejection"],
    )
    .await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    save_mail_settings(
        &mut editor,
        "editeur@anaser.test",
        &["reminder", "sealed", "digest"],
    )
    .await;

    // The 31st session is held and sealed: only the board member who kept
    // the notice gets it.
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

    // An update of the editor's sent back: no notice, they turned it off.
    let (author, admin): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT id FROM users WHERE login = 'anaser.editeur'), \
         (SELECT id FROM users WHERE login = 'admin')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let submit = |as_of: chrono::NaiveDate| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
            "INSERT INTO progress_updates (activity_id, as_of, status, author, user_id, review) \
             SELECT id, $3, 'in_progress', 'Point focal', $2, 'submitted' \
             FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1 RETURNING id",
        )
        .bind(plan_id(&pool, "ANASER", "PAP-2026").await)
        .bind(author)
        .bind(as_of)
        .fetch_one(&pool)
        .await
        .unwrap()
        }
    };
    let reject = |update: i64, reason: &'static str| {
        let pool = pool.clone();
        async move {
            suivi::store::reviews::decide(
                &pool,
                &[update],
                &suivi::store::reviews::Decision::Reject {
                    reason: reason.to_owned(),
                },
                admin,
                None,
            )
            .await
            .unwrap()
        }
    };
    reject(submit(date(2026, 3, 31)).await, "Pièce manquante").await;

    let port = free_port();
    let server = SmtpServer::start(port);
    let sent = mail::send_due(&pool, &mailer(port), Utc::now())
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(server.recipients(), ["ca@anaser.test"]);
    // The notice links the sealed dashboard's PDF, which the member opens.
    let received = server.decoded();
    let pdf = format!("/sessions/{session}/dashboard.pdf");
    assert!(
        received.contains(&format!("http://suivi.test{pdf}")),
        "{received}"
    );
    assert!(received.contains("Le tableau de bord en PDF"), "{received}");
    let opened = board.get(&pdf).await;
    assert_eq!(opened.status, StatusCode::OK);
    assert_eq!(opened.content_type, "application/pdf");

    // Turned back on, the next rejection reaches the editor with its reason.
    save_mail_settings(&mut editor, "editeur@anaser.test", &all).await;
    reject(
        submit(date(2026, 4, 30)).await,
        "Joindre la liste de présence",
    )
    .await;
    let sent = mail::send_due(&pool, &mailer(port), Utc::now())
        .await
        .unwrap();
    assert_eq!((sent.sent, sent.failed), (1, 0));
    assert_eq!(
        server.recipients(),
        ["ca@anaser.test", "editeur@anaser.test"]
    );
    assert!(server.decoded().contains("Joindre la liste de présence"));
    let never: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM mail_outbox WHERE recipient IN ('ca2@anaser.test') \
         OR (kind = 'rejection' AND params->>'reason' = 'Pièce manquante')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(never, 0, "nothing queued for what was turned off");
}
