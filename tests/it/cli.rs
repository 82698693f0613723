//! The `suivi` command line in French and English (`--lang`, `SUIVI_LANG`,
//! else the locale: English for an English one, French otherwise): the test
//! message of `suivi mail test` and its answers, the outbox listed by
//! `suivi mail outbox`, publishing and taking off with `suivi publish`
//! (audited as the pages' button is, the same rules), and `suivi token
//! create`. The real binary, on the test's database.

use std::process::{Command, Output};

use sqlx::PgPool;

use crate::common::*;

/// `suivi ARGS` on the test's database with exactly the language settings
/// given (nothing inherited from the machine running the tests).
fn suivi(pool: &PgPool, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_suivi"));
    command
        .args(args)
        .env("DATABASE_URL", url_of(pool))
        .env("SUIVI_LOG", "warn")
        .env_remove("SUIVI_SMTP_URL")
        .env_remove("SUIVI_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the suivi binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The one-line error of a failed command.
fn refusal(output: &Output) -> String {
    assert!(!output.status.success(), "{output:?}");
    String::from_utf8(output.stderr.clone()).unwrap()
}

async fn audit_rows(pool: &PgPool, action: &str) -> Vec<(Option<i64>, String, serde_json::Value)> {
    sqlx::query_as(
        "SELECT user_id, object_type, after FROM audit_log WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Flags, environment, and what the command should print.
type LanguageCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[sqlx::test]
async fn the_command_line_speaks_the_language_asked_else_the_locales_else_french(pool: PgPool) {
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    let test_to =
        |address: &str, env: &[(&str, &str)]| suivi(&pool, &["mail", "test", address], env);

    // By `--lang`, by SUIVI_LANG, by the locale (LC_ALL first), else French.
    let french = "message d’essai mis en file pour a@x.test ; sans --smtp-url, il reste dans la file d’envoi\n";
    let english = "test message queued for a@x.test; no --smtp-url, so it stays in the outbox\n";
    let cases: [LanguageCase; 7] = [
        (&["--lang", "fr"], &[("LANG", "en_GB.UTF-8")], french),
        (&["--lang", "EN"], &[], english),
        (&[], &[("SUIVI_LANG", "en")], english),
        (&[], &[("LANG", "en_US.UTF-8")], english),
        (
            &[],
            &[("LANG", "en_US.UTF-8"), ("LC_ALL", "fr_FR.UTF-8")],
            french,
        ),
        (&[], &[("LANG", "C.UTF-8")], french),
        (&[], &[], french),
    ];
    for (flags, env, expected) in cases {
        let mut args = vec!["mail", "test", "a@x.test"];
        args.extend_from_slice(flags);
        assert_eq!(
            stdout(&suivi(&pool, &args, env)),
            expected,
            "{flags:?} {env:?}"
        );
    }
    // The test message itself goes in the command's language.
    let languages: Vec<String> =
        sqlx::query_scalar("SELECT lang FROM mail_outbox WHERE kind = 'test' ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(languages, ["fr", "en", "en", "en", "fr", "fr", "fr"]);

    // Refusals too, and nothing queued.
    assert_eq!(
        refusal(&test_to("pas une adresse", &[])),
        "suivi: pas une adresse n’est pas une adresse électronique\n"
    );
    assert_eq!(
        refusal(&test_to("not an address", &[("SUIVI_LANG", "en")])),
        "suivi: not an address is not an e-mail address\n"
    );
    let queued: i64 = sqlx::query_scalar("SELECT count(*) FROM mail_outbox")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, 7);
    // A language Suivi does not speak is refused by the parser, naming both.
    let unknown = refusal(&suivi(&pool, &["--lang", "de", "migrate"], &[]));
    assert!(
        unknown.contains("fr") && unknown.contains("en"),
        "{unknown}"
    );
    assert_eq!(
        stdout(&suivi(&pool, &["migrate"], &[])),
        "migrations appliquées\n"
    );
}

#[sqlx::test]
async fn the_outbox_is_listed_from_the_command_line(pool: PgPool) {
    suivi::db::MIGRATOR.run(&pool).await.unwrap();
    assert_eq!(
        stdout(&suivi(&pool, &["mail", "outbox"], &[])),
        "Aucun message.\n"
    );
    stdout(&suivi(&pool, &["mail", "test", "a@x.test"], &[]));
    stdout(&suivi(&pool, &["mail", "test", "b@x.test"], &[]));
    sqlx::query(
        "UPDATE mail_outbox SET attempts = 3, failed_at = now(), \
         last_error = E'connection refused\\nby 127.0.0.1' WHERE recipient = 'b@x.test'",
    )
    .execute(&pool)
    .await
    .unwrap();

    let lines = |text: String| -> Vec<Vec<String>> {
        text.lines()
            .map(|line| line.split('\t').map(str::to_owned).collect())
            .collect()
    };
    let french = lines(stdout(&suivi(&pool, &["mail", "outbox"], &[])));
    assert_eq!(french.len(), 3, "{french:?}");
    assert_eq!(french[0][0], "Nature");
    // Newest first; the error on one line.
    assert_eq!(
        (
            french[1][1].as_str(),
            french[1][3].as_str(),
            french[1][4].as_str()
        ),
        ("b@x.test", "Abandonné", "3")
    );
    assert_eq!(french[1][5], "connection refused by 127.0.0.1");
    assert_eq!(
        (
            french[2][0].as_str(),
            french[2][1].as_str(),
            french[2][3].as_str()
        ),
        ("Essai", "a@x.test", "En attente")
    );
    let english = lines(stdout(&suivi(
        &pool,
        &["mail", "outbox", "--limit", "1", "--lang", "en"],
        &[],
    )));
    assert_eq!(english.len(), 2, "{english:?}");
    assert_eq!(
        (english[0][0].as_str(), english[1][3].as_str()),
        ("Kind", "Given up")
    );
}

#[sqlx::test]
async fn publishing_from_the_command_line_follows_the_pages_rules_and_is_audited(pool: PgPool) {
    let app = demo_app(&pool).await;
    let session = session_id(&pool, "ANASER", 30).await;
    let next_plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let public = |uri: String| {
        let app = app.clone();
        async move { get(&app, &uri).await.status }
    };

    // What the demo published, as the public index lists it.
    let listed = stdout(&suivi(&pool, &["publish", "list"], &[]));
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    assert_eq!(
        listed,
        format!(
            "ANASER\tProjet Annuel de Performance 2025\t2025\t/public/plans/{plan}\n\
             ANASER\t30ᵉ session ordinaire du conseil d’administration\t26 décembre 2025\t/public/sessions/{session}\n"
        )
    );

    // Taken off by its board name, in English: down at once, audited as the
    // command line's.
    let off = suivi(
        &pool,
        &["publish", "session", "ANASER:30", "--off", "--lang", "en"],
        &[],
    );
    assert_eq!(
        stdout(&off),
        "taken off the public pages: ANASER 30th ordinary board session\n"
    );
    assert_eq!(
        public(format!("/public/sessions/{session}")).await,
        axum::http::StatusCode::NOT_FOUND
    );
    let unpublished = audit_rows(&pool, "publication.unpublish").await;
    assert_eq!(
        unpublished,
        [(
            None,
            "board_session".to_owned(),
            serde_json::json!({"via": "cli"})
        )]
    );
    assert_eq!(
        stdout(&suivi(
            &pool,
            &["publish", "session", "ANASER:30", "--off"],
            &[]
        )),
        "n’était pas publié : ANASER 30ᵉ session ordinaire du conseil d’administration\n"
    );

    // A plan by AGENCY:CODE: published once, a second time changes nothing.
    let published = stdout(&suivi(&pool, &["publish", "plan", "ANASER:PAP-2026"], &[]));
    assert_eq!(
        published,
        format!(
            "publié : plan ANASER:PAP-2026 « Projet Annuel de Performance 2026 », /public/plans/{next_plan}\n"
        )
    );
    assert_eq!(
        public(format!("/public/plans/{next_plan}")).await,
        axum::http::StatusCode::OK
    );
    let again = stdout(&suivi(
        &pool,
        &["publish", "plan", &next_plan.to_string()],
        &[],
    ));
    assert!(
        again.starts_with("déjà publié : plan ANASER:PAP-2026"),
        "{again}"
    );
    let publishes = audit_rows(&pool, "publication.publish").await;
    assert_eq!(
        publishes.len(),
        3,
        "the demo's two and this one: {publishes:?}"
    );
    assert_eq!(publishes[2].0, None);
    assert_eq!(publishes[2].2["via"], "cli");

    // The pages' rules: only a sealed session; names as in the API.
    sqlx::query(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, reviewed_plan_id) \
         VALUES ($1, 31, 'ordinary', '2026-06-26', '2026-05-31', $2)",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(next_plan)
    .execute(&pool)
    .await
    .unwrap();
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM publications")
        .fetch_one(&pool)
        .await
        .unwrap();
    let refusals = [
        (
            vec!["publish", "session", "ANASER:31"],
            "suivi: ANASER 31ᵉ session ordinaire du conseil d’administration : pas encore scellée ; seuls des chiffres scellés se publient\n",
        ),
        (
            vec!["publish", "session", "ANASER:31", "--lang", "en"],
            "suivi: ANASER 31st ordinary board session: not sealed yet; only sealed figures are published\n",
        ),
        (vec!["publish", "plan", "ANASER:NOPE"], "suivi: aucun plan ANASER:NOPE\n"),
        (
            vec!["publish", "session", "CRSS:9", "--lang", "en"],
            "suivi: no session CRSS:9\n",
        ),
        (
            vec!["publish", "plan", "PAP-2025"],
            "suivi: Un plan se désigne par son identifiant ou par AGENCE:CODE, par exemple ANASER:PAP-2025.\n",
        ),
    ];
    for (args, expected) in refusals {
        assert_eq!(refusal(&suivi(&pool, &args, &[])), expected, "{args:?}");
    }
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM publications")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(after, before, "nothing written by a refusal");
}

#[sqlx::test]
async fn a_token_made_on_the_command_line_says_so_in_the_commands_language(pool: PgPool) {
    let app = demo_app(&pool).await;
    let french = suivi(&pool, &["token", "create", "anaser.ca", "--days", "1"], &[]);
    let secret = stdout(&french);
    let told = String::from_utf8(french.stderr.clone()).unwrap();
    assert!(
        told.contains("pour anaser.ca (Lecture, jusqu’au "),
        "{told}"
    );
    // Standard output is the secret alone, and it works.
    let answer = api_call(
        &app,
        "GET",
        "/api/v1/agencies/ANASER",
        Some(secret.trim_end()),
        None,
        None,
    )
    .await;
    assert_eq!(answer.status, axum::http::StatusCode::OK);
    let english = suivi(
        &pool,
        &["token", "create", "anaser.ca", "--scope", "write"],
        &[("LANG", "en_GB.UTF-8")],
    );
    stdout(&english);
    let told = String::from_utf8(english.stderr).unwrap();
    assert!(
        told.contains("for anaser.ca (Read and write, until "),
        "{told}"
    );
    assert_eq!(
        refusal(&suivi(&pool, &["token", "create", "personne"], &[])),
        "suivi: aucun compte personne\n"
    );
}
