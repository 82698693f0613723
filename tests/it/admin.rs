//! The admin pages through the router: accounts, roles and agencies set up by
//! an admin and working at once; everyone else refused with nothing written;
//! the audit log filtered and paged; the housekeeping of sessions and sign-in
//! attempts.

use crate::common::*;
use axum::http::StatusCode;
use sqlx::PgPool;

/// Posts a form with the CSRF token of the client's session (read from the
/// page at `form_uri`).
async fn post_form(
    client: &mut Client,
    form_uri: &str,
    uri: &str,
    fields: &[(&str, &str)],
) -> Page {
    let form = client.get(form_uri).await;
    let csrf = csrf_of(&form);
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    client.post(uri, &all).await
}

async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn user_id(pool: &PgPool, login: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// An audit row: object_id, agency_id, before, after.
type Audited = (
    Option<i64>,
    Option<i64>,
    Option<serde_json::Value>,
    Option<serde_json::Value>,
);

/// The audit rows of an action.
async fn audited(pool: &PgPool, action: &str) -> Vec<Audited> {
    sqlx::query_as(
        "SELECT object_id, agency_id, before, after FROM audit_log WHERE action = $1 ORDER BY id",
    )
    .bind(action)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn an_admin_creates_an_account_and_grants_a_role_that_works_at_once(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let home = admin.get("/").await;
    assert_eq!(home.attrs("#admin-link", "href"), ["/admin"]);

    let created = post_form(
        &mut admin,
        "/admin/users/new",
        "/admin/users",
        &[
            ("login", "Awa.Traore"),
            ("display_name", "Awa Traoré"),
            ("password", "premier-mot-de-passe"),
            ("confirm", "premier-mot-de-passe"),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let awa = user_id(&pool, "awa.traore").await;
    assert_eq!(created.location, Some(format!("/admin/users/{awa}")));
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(awa)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let creation = audited(&pool, "user.create").await;
    assert_eq!(creation.len(), 1);
    let after = creation[0].3.clone().unwrap();
    assert_eq!(after["login"], "awa.traore");
    assert!(
        !after.to_string().contains("argon2"),
        "never the hash in the log"
    );

    // Before any role, she reads nothing of ANASER.
    let mut awa_client = Client::new(&app);
    let signed = awa_client.login("awa.traore", "premier-mot-de-passe").await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    assert_eq!(
        awa_client.get("/agencies/ANASER").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(awa_client
        .get("/")
        .await
        .attrs("#admin-link", "href")
        .is_empty());

    let anaser = agency_id(&pool, "ANASER").await;
    let user_page = format!("/admin/users/{awa}");
    let granted = post_form(
        &mut admin,
        &user_page,
        &format!("{user_page}/roles"),
        &[("agency", &anaser.to_string()), ("role", "editor")],
    )
    .await;
    assert_eq!(granted.status, StatusCode::SEE_OTHER);
    let page = admin.get(&user_page).await;
    assert_eq!(
        page.attrs("#role-list tr[data-agency]", "data-role"),
        ["editor"]
    );
    let grants = audited(&pool, "user.role_grant").await;
    assert_eq!(grants.len(), 1);
    assert_eq!((grants[0].0, grants[0].1), (Some(awa), Some(anaser)));
    assert_eq!(grants[0].3.as_ref().unwrap()["role"], "editor");

    // Her open session gets the role at once: she reads ANASER and edits it.
    assert_eq!(
        awa_client.get("/agencies/ANASER").await.status,
        StatusCode::OK
    );
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    assert_eq!(
        awa_client.get(&format!("/plans/{plan}/grid")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        awa_client.get("/agencies/CRSS").await.status,
        StatusCode::FORBIDDEN
    );
    // And she still may not use the admin pages.
    assert_eq!(awa_client.get("/admin").await.status, StatusCode::FORBIDDEN);

    // A new role in the same agency replaces the old one, audited with both.
    post_form(
        &mut admin,
        &user_page,
        &format!("{user_page}/roles"),
        &[("agency", &anaser.to_string()), ("role", "viewer")],
    )
    .await;
    let grants = audited(&pool, "user.role_grant").await;
    assert_eq!(grants.len(), 2);
    assert_eq!(grants[1].2.as_ref().unwrap()["role"], "editor");
    assert_eq!(grants[1].3.as_ref().unwrap()["role"], "viewer");
    assert_eq!(
        awa_client.get(&format!("/plans/{plan}/grid")).await.status,
        StatusCode::FORBIDDEN
    );

    // Revoked: the agency is closed to her again.
    let revoked = post_form(
        &mut admin,
        &user_page,
        &format!("{user_page}/roles/revoke"),
        &[("agency", &anaser.to_string())],
    )
    .await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&pool, "user.role_revoke").await.len(), 1);
    assert_eq!(
        awa_client.get("/agencies/ANASER").await.status,
        StatusCode::FORBIDDEN
    );

    // The list shows her, without roles.
    let list = admin.get("/admin/users").await;
    assert_eq!(
        list.text("tr[data-login='awa.traore'] td[data-field=roles]"),
        ""
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn bad_account_forms_come_back_with_messages_and_write_nothing(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let users_before = count(&pool, "SELECT count(*) FROM users").await;
    let audit_before = count(&pool, "SELECT count(*) FROM audit_log").await;

    let page = post_form(
        &mut admin,
        "/admin/users/new",
        "/admin/users",
        &[
            ("login", "awa traoré"),
            ("display_name", "Awa Traoré"),
            ("password", "court"),
            ("confirm", "autre"),
            ("is_admin", "on"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.attrs("#u-login", "value"), ["awa traoré"]);
    assert_eq!(page.attrs("#u-name", "value"), ["Awa Traoré"]);
    assert_eq!(page.attrs("#u-password", "value"), Vec::<String>::new());
    assert_eq!(page.attrs("input[name=is_admin][checked]", "name").len(), 1);
    for field in ["login", "password", "confirm"] {
        assert_eq!(
            page.texts(&format!(".field-error[data-field={field}]"))
                .len(),
            1,
            "{field}"
        );
    }
    assert!(page.text(".field-error[data-field=password]").contains('8'));

    // A login that is taken is said on the login field.
    let page = post_form(
        &mut admin,
        "/admin/users/new",
        "/admin/users",
        &[
            ("login", "anaser.ca"),
            ("display_name", "Quelqu’un"),
            ("password", "assez-long-pour-passer"),
            ("confirm", "assez-long-pour-passer"),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text(".field-error[data-field=login]"),
        "Cet identifiant est déjà pris."
    );

    // An empty name, and an admin removing their own admin flag.
    let me = user_id(&pool, "admin").await;
    let uri = format!("/admin/users/{me}");
    let page = post_form(&mut admin, &uri, &uri, &[("display_name", "  ")]).await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.texts(".field-error[data-field=display_name]").len(), 1);
    assert_eq!(page.texts(".field-error[data-field=is_admin]").len(), 1);
    // A role with no agency and a role that does not exist.
    let page = post_form(
        &mut admin,
        &uri,
        &format!("{uri}/roles"),
        &[("agency", "999999"), ("role", "chef")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.texts(".field-error[data-field=agency]").len(), 1);
    assert_eq!(page.texts(".field-error[data-field=role]").len(), 1);
    assert_eq!(
        page.attrs("#r-role option[selected]", "value"),
        Vec::<String>::new()
    );
    // Disabling oneself.
    let page = post_form(
        &mut admin,
        &uri,
        &format!("{uri}/status"),
        &[("disabled", "true")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.texts(".field-error[data-field=disabled]").len(), 1);

    assert_eq!(
        count(&pool, "SELECT count(*) FROM users").await,
        users_before
    );
    assert_eq!(
        count(&pool, "SELECT count(*) FROM audit_log").await,
        audit_before
    );
    assert_eq!(
        count(
            &pool,
            "SELECT count(*) FROM users WHERE login = 'admin' AND is_admin AND disabled_at IS NULL"
        )
        .await,
        1
    );
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn agencies_are_created_and_edited_without_cycles(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let mti = agency_id(&pool, "MTI").await;
    let anaser = agency_id(&pool, "ANASER").await;

    let created = post_form(
        &mut admin,
        "/admin/agencies/new",
        "/admin/agencies",
        &[
            ("code", "DNTT"),
            ("name", "Direction nationale des transports terrestres"),
            ("parent", &mti.to_string()),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let list = admin.get("/admin/agencies").await;
    assert_eq!(
        list.text("tr[data-agency=DNTT] td[data-field=parent]"),
        "MTI"
    );
    let dntt = agency_id(&pool, "DNTT").await;
    let creation = audited(&pool, "agency.create").await;
    assert_eq!(creation.len(), 1);
    assert_eq!(creation[0].1, Some(dntt));
    assert_eq!(creation[0].3.as_ref().unwrap()["parent_code"], "MTI");

    // The ministry's board now reads the new agency: the tree is live.
    // A code taken by another agency (whatever the case) is said on the field.
    let uri = format!("/admin/agencies/{dntt}");
    let page = post_form(
        &mut admin,
        &uri,
        &uri,
        &[("code", "anaser"), ("name", "X"), ("parent", "")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.text(".field-error[data-field=code]"),
        "Une autre structure porte déjà ce sigle."
    );
    assert_eq!(page.attrs("#a-code", "value"), ["anaser"]);

    // MTI under ANASER, which sits under MTI: a cycle, refused.
    let uri = format!("/admin/agencies/{mti}");
    let page = post_form(
        &mut admin,
        &uri,
        &uri,
        &[
            ("code", "MTI"),
            ("name", "Ministère"),
            ("parent", &anaser.to_string()),
        ],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(page.texts(".field-error[data-field=parent]").len(), 1);
    assert_eq!(
        page.attrs("#a-parent option[selected]", "value"),
        [anaser.to_string()],
        "the choice is kept"
    );
    // A bad code and an empty name.
    let page = post_form(
        &mut admin,
        &uri,
        &uri,
        &[("code", "M T I"), ("name", ""), ("parent", "")],
    )
    .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        page.texts(".field-error").len(),
        3,
        "form-level + two fields"
    );
    assert_eq!(audited(&pool, "agency.update").await.len(), 0);

    // A good edit: renamed and moved from MTI to the top, audited both ways.
    let uri = format!("/admin/agencies/{dntt}");
    let saved = post_form(
        &mut admin,
        &uri,
        &uri,
        &[
            ("code", "DNTT"),
            ("name", "DNTT (renommée)"),
            ("parent", ""),
        ],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let updates = audited(&pool, "agency.update").await;
    assert_eq!(updates.len(), 1);
    let (before, after) = (updates[0].2.clone().unwrap(), updates[0].3.clone().unwrap());
    assert_eq!(
        (
            before["parent_code"].as_str(),
            after["parent_code"].as_str()
        ),
        (Some("MTI"), None)
    );
    assert_eq!(after["name"], "DNTT (renommée)");
    let parent: Option<i64> = sqlx::query_scalar("SELECT parent_id FROM agencies WHERE id = $1")
        .bind(dntt)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(parent, None);
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn a_disabled_account_cannot_sign_in_and_its_session_ends(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    assert_eq!(editor.get("/agencies/ANASER").await.status, StatusCode::OK);

    let id = user_id(&pool, "anaser.editeur").await;
    let uri = format!("/admin/users/{id}");
    let done = post_form(
        &mut admin,
        &uri,
        &format!("{uri}/status"),
        &[("disabled", "true")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        admin
            .get(&uri)
            .await
            .attrs("#account-state", "data-disabled"),
        ["true"]
    );
    assert_eq!(audited(&pool, "user.disable").await.len(), 1);

    // The open session is over.
    let page = editor.get("/agencies/ANASER").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location.unwrap().starts_with("/login"));
    // The right password no longer opens it.
    let mut again = Client::new(&app);
    let page = again.login("anaser.editeur", DEMO_PASSWORD).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(page.attrs("#login-failed", "data-reason"), ["disabled"]);
    assert_eq!(page.attrs("#login-id", "value"), ["anaser.editeur"]);
    assert_eq!(again.get("/").await.status, StatusCode::SEE_OTHER);
    // A wrong password says nothing more than for any account.
    let page = again.login("anaser.editeur", "pas-le-bon").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert_eq!(page.attrs("#login-failed", "data-reason"), ["wrong"]);

    // Enabled again: the password works again.
    let done = post_form(
        &mut admin,
        &uri,
        &format!("{uri}/status"),
        &[("disabled", "false")],
    )
    .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(audited(&pool, "user.enable").await.len(), 1);
    let page = Client::new(&app)
        .login("anaser.editeur", DEMO_PASSWORD)
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn an_admin_flag_taken_away_applies_at_once(pool: PgPool) {
    let app = demo_app(&pool).await;
    let mut admin = signed_in(&app, "admin").await;
    let created = post_form(
        &mut admin,
        "/admin/users/new",
        "/admin/users",
        &[
            ("login", "second.admin"),
            ("display_name", "Second"),
            ("password", "mot-de-passe-2"),
            ("confirm", "mot-de-passe-2"),
            ("is_admin", "on"),
        ],
    )
    .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER);
    let mut second = Client::new(&app);
    second.login("second.admin", "mot-de-passe-2").await;
    assert_eq!(second.get("/admin/users").await.status, StatusCode::OK);

    let id = user_id(&pool, "second.admin").await;
    let uri = format!("/admin/users/{id}");
    let saved = post_form(
        &mut admin,
        &uri,
        &uri,
        &[("display_name", "Second (ex-admin)")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = second.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(
        page.text(".error .message"),
        "Seuls les administrateurs de Suivi ont accès à l’administration."
    );
    let home = second.get("/").await;
    assert!(
        home.attrs("#admin-link", "href").is_empty(),
        "the header no longer links to the admin pages"
    );
    assert_eq!(
        home.text("#account"),
        "Second (ex-admin)",
        "nor the old name"
    );
    let updates = audited(&pool, "user.update").await;
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].2.as_ref().unwrap()["is_admin"], true);
    assert_eq!(updates[0].3.as_ref().unwrap()["is_admin"], false);
}

/// A request: method, URI and the form to post.
type Request = (&'static str, String, Vec<(&'static str, String)>);

/// Every admin route, with a form that an admin could post.
fn admin_routes(user: i64, agency: i64) -> Vec<Request> {
    let form = |pairs: &[(&'static str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    let agency = agency.to_string();
    vec![
        ("GET", "/admin".into(), vec![]),
        ("GET", "/admin/agencies".into(), vec![]),
        ("GET", "/admin/agencies/new".into(), vec![]),
        ("GET", format!("/admin/agencies/{agency}"), vec![]),
        ("GET", "/admin/users".into(), vec![]),
        ("GET", "/admin/users/new".into(), vec![]),
        ("GET", format!("/admin/users/{user}"), vec![]),
        ("GET", "/admin/audit?kind=agency".into(), vec![]),
        (
            "POST",
            "/admin/agencies".into(),
            form(&[("code", "HACK"), ("name", "Piratage"), ("parent", "")]),
        ),
        (
            "POST",
            format!("/admin/agencies/{agency}"),
            form(&[("code", "ANASER"), ("name", "Piratage"), ("parent", "")]),
        ),
        (
            "POST",
            "/admin/users".into(),
            form(&[
                ("login", "pirate"),
                ("display_name", "Pirate"),
                ("password", "mot-de-passe-pirate"),
                ("confirm", "mot-de-passe-pirate"),
                ("is_admin", "on"),
            ]),
        ),
        (
            "POST",
            format!("/admin/users/{user}"),
            form(&[("display_name", "Pirate"), ("is_admin", "on")]),
        ),
        (
            "POST",
            format!("/admin/users/{user}/status"),
            form(&[("disabled", "true")]),
        ),
        (
            "POST",
            format!("/admin/users/{user}/roles"),
            vec![("agency", agency.clone()), ("role", "editor".into())],
        ),
        (
            "POST",
            format!("/admin/users/{user}/roles/revoke"),
            vec![("agency", agency.clone())],
        ),
    ]
}

/// What an admin route could change.
async fn admin_state(pool: &PgPool) -> String {
    sqlx::query_scalar(
        "SELECT concat_ws(' | ', \
           (SELECT string_agg(concat_ws(',', code, name, parent_id), ';' ORDER BY id) FROM agencies), \
           (SELECT string_agg(concat_ws(',', login, display_name, is_admin, disabled_at), ';' ORDER BY id) FROM users), \
           (SELECT string_agg(concat_ws(',', user_id, agency_id, role), ';' ORDER BY user_id, agency_id) FROM user_roles), \
           (SELECT count(*) FROM audit_log))",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn everyone_but_admins_is_refused_on_every_admin_route_and_nothing_is_written(pool: PgPool) {
    let app = demo_app(&pool).await;
    let target = user_id(&pool, "crss.lecteur").await;
    let agency = agency_id(&pool, "ANASER").await;
    let routes = admin_routes(target, agency);
    let before = admin_state(&pool).await;
    let mut failures = Vec::new();
    for who in [
        None,
        Some("anaser.editeur"),
        Some("anaser.ca"),
        Some("crss.lecteur"),
    ] {
        for (method, uri, form) in &routes {
            let mut client = match who {
                None => Client::new(&app),
                Some(login) => signed_in(&app, login).await,
            };
            let page = if *method == "GET" {
                client.get(uri).await
            } else {
                let fields: Vec<(&str, &str)> =
                    form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                post_form(&mut client, "/login", uri, &fields).await
            };
            let ok =
                match (who, *method) {
                    (None, "GET") => {
                        page.status == StatusCode::SEE_OTHER
                            && page
                                .location
                                .as_deref()
                                .is_some_and(|l| l.starts_with("/login?next=/admin"))
                    }
                    (None, _) => page.status == StatusCode::FORBIDDEN,
                    (Some(_), _) => page.status == StatusCode::FORBIDDEN
                        && page.text(".error .message")
                            == "Seuls les administrateurs de Suivi ont accès à l’administration.",
                };
            if !ok {
                failures.push(format!("{who:?} {method} {uri} -> {}", page.status));
            }
            if admin_state(&pool).await != before {
                failures.push(format!("{who:?} {method} {uri} wrote"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The same requests from an admin pass (so the test above could fail).
    let mut admin = signed_in(&app, "admin").await;
    for (method, uri, form) in &routes {
        let page = if *method == "GET" {
            admin.get(uri).await
        } else {
            let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&mut admin, "/admin", uri, &fields).await
        };
        assert!(
            page.status == StatusCode::OK || page.status == StatusCode::SEE_OTHER,
            "admin {method} {uri} -> {}",
            page.status
        );
    }
    assert_ne!(admin_state(&pool).await, before);
}

// ---- The audit log ----

struct LogFixture {
    /// Audit ids in the order written (r1 oldest).
    rows: Vec<i64>,
}

/// Four known audit rows at known times, in a database without demo data.
async fn log_fixture(pool: &PgPool) -> LogFixture {
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let alice = suivi::store::users::create(pool, "alice", "Alice Diarra", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let bob = suivi::store::users::create(pool, "bob", "Bob Keïta", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let mut agencies = Vec::new();
    for code in ["AAA", "BBB"] {
        let id: i64 =
            sqlx::query_scalar("INSERT INTO agencies (code, name) VALUES ($1, $1) RETURNING id")
                .bind(code)
                .fetch_one(pool)
                .await
                .unwrap();
        agencies.push(id);
    }
    let mut rows = Vec::new();
    for (at, user, agency, kind, before, after) in [
        (
            "2025-01-10T10:00:00Z",
            Some(alice),
            Some(agencies[0]),
            "agency",
            Some(serde_json::json!({"name": "Ancien nom", "code": "AAA"})),
            Some(serde_json::json!({"name": "Nouveau nom", "code": "AAA"})),
        ),
        (
            "2025-01-15T23:59:00Z",
            Some(bob),
            Some(agencies[0]),
            "progress_update",
            None,
            Some(serde_json::json!({"status": "done"})),
        ),
        (
            "2025-01-16T00:00:00Z",
            Some(bob),
            Some(agencies[1]),
            "progress_update",
            None,
            Some(serde_json::json!({"status": "in_progress"})),
        ),
        ("2025-02-01T08:00:00Z", None, None, "user", None, None),
    ] {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO audit_log (at, user_id, action, object_type, object_id, agency_id, before, after) \
             VALUES ($1::timestamptz, $2, $4 || '.test', $4, 1, $3, $5, $6) RETURNING id",
        )
        .bind(at)
        .bind(user)
        .bind(agency)
        .bind(kind)
        .bind(before)
        .bind(after)
        .fetch_one(pool)
        .await
        .unwrap();
        rows.push(id);
    }
    LogFixture { rows }
}

fn ids(page: &Page) -> Vec<i64> {
    page.attrs("#audit tr[data-audit]", "data-audit")
        .iter()
        .map(|id| id.parse().unwrap())
        .collect()
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_audit_log_filters_by_agency_user_dates_and_kind(pool: PgPool) {
    let app = app(&pool);
    let LogFixture { rows: r } = log_fixture(&pool).await;
    let mut admin = admin(&app, &pool).await;

    let all = admin.get("/admin/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(ids(&all), [r[3], r[2], r[1], r[0]], "newest first");
    let cases: [(&str, Vec<i64>); 8] = [
        ("agency=AAA", vec![r[1], r[0]]),
        ("agency=BBB", vec![r[2]]),
        ("user=bob", vec![r[2], r[1]]),
        ("user=alice&agency=BBB", vec![]),
        // Both ends included, whole days in UTC.
        ("from=2025-01-15&to=2025-01-15", vec![r[1]]),
        ("from=2025-01-16", vec![r[3], r[2]]),
        ("to=2025-01-10", vec![r[0]]),
        (
            "kind=progress_update&user=bob&from=2025-01-01&to=2025-12-31",
            vec![r[2], r[1]],
        ),
    ];
    for (query, expected) in cases {
        let page = admin.get(&format!("/admin/audit?{query}")).await;
        assert_eq!(page.status, StatusCode::OK, "{query}");
        assert_eq!(ids(&page), expected, "{query}");
    }
    let page = admin.get("/admin/audit?kind=user").await;
    assert_eq!(ids(&page), [r[3]]);
    assert_eq!(
        page.text(&format!("tr[data-audit='{}'] td[data-field=who]", r[3])),
        "Système"
    );
    let page = admin.get("/admin/audit?kind=indicator_value").await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "a kind not logged yet has no rows"
    );
    assert!(ids(&page).is_empty());
    assert_eq!(page.texts("#audit-empty").len(), 1);
    // The filters chosen stay chosen.
    let page = admin.get("/admin/audit?agency=AAA&from=2025-01-01").await;
    assert_eq!(
        page.attrs("select[name=agency] option[selected]", "value"),
        ["AAA"]
    );
    assert_eq!(page.attrs("input[name=from]", "value"), ["2025-01-01"]);

    // Who, and the values before and after, field by field.
    let row = format!("tr[data-audit='{}']", r[0]);
    assert!(page
        .text(&format!("{row} td[data-field=who]"))
        .starts_with("Alice Diarra"));
    assert_eq!(
        page.text(&format!("{row} td[data-field=who] .level")),
        "alice"
    );
    assert_eq!(
        page.text(&format!("{row} tr.changed[data-name=name] td.before")),
        "Ancien nom"
    );
    assert_eq!(
        page.text(&format!("{row} tr.changed[data-name=name] td.after")),
        "Nouveau nom"
    );
    assert_eq!(
        page.texts(&format!("{row} tr.changed")).len(),
        1,
        "the code did not change"
    );

    // Filters that name nothing are a 400 page that says why.
    for (query, message) in [
        ("agency=NOPE", "aucune structure"),
        ("user=nobody", "aucun compte"),
        ("from=2025-13-01", "date"),
        ("to=demain", "date"),
        ("from=2025-02-01&to=2025-01-01", "début est après"),
        ("kind=Nope%21", "type d’objet"),
        ("after=abc", "page"),
    ] {
        let page = admin.get(&format!("/admin/audit?{query}")).await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.text(".error .message").contains(message),
            "{query}: {}",
            page.text(".error .message")
        );
    }
}

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn the_audit_log_pages_by_fifty_without_gaps_or_repeats(pool: PgPool) {
    let app = app(&pool);
    sqlx::query(
        "INSERT INTO audit_log (at, action, object_type) \
         SELECT timestamptz '2025-03-01' + make_interval(mins => n % 7), 'bulk.test', 'bulk' \
         FROM generate_series(1, 120) n",
    )
    .execute(&pool)
    .await
    .unwrap();
    let mut admin = admin(&app, &pool).await;
    let mut seen = Vec::new();
    let mut uri = "/admin/audit?kind=bulk".to_owned();
    let mut pages = 0;
    loop {
        let page = admin.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK);
        pages += 1;
        let shown = ids(&page);
        assert!(shown.len() <= 50);
        seen.extend(shown);
        match page.attrs("#next-page", "href").first() {
            Some(next) => {
                assert!(next.contains("kind=bulk"), "the filter is kept: {next}");
                uri = next.replace("&amp;", "&");
            }
            None => break,
        }
        assert_eq!(
            page.attrs("#first-page", "href").len(),
            usize::from(pages > 1)
        );
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 120);
    let times: Vec<(chrono::DateTime<chrono::Utc>, i64)> =
        sqlx::query_as("SELECT at, id FROM audit_log WHERE id = ANY($1)")
            .bind(&seen)
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut expected = times.clone();
    expected.sort_by(|a, b| b.cmp(a));
    let expected: Vec<i64> = expected.into_iter().map(|(_, id)| id).collect();
    assert_eq!(seen, expected, "newest first, each row once");
}

// ---- Housekeeping (the sign-in limits themselves: tests/sign_in.rs) ----

#[sqlx::test(migrator = "suivi::db::MIGRATOR")]
async fn housekeeping_removes_expired_sessions_and_old_attempts(pool: PgPool) {
    sqlx::query(
        "INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES \
         ('old', '\\x00', now() - interval '1 hour'), ('live', '\\x00', now() + interval '1 hour')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO login_attempts (at, login, address) VALUES \
         (now() - interval '2 days', 'ancien', '10.0.0.1'), (now(), 'recent', '10.0.0.1')",
    )
    .execute(&pool)
    .await
    .unwrap();
    let store = tower_sessions_sqlx_store::PostgresStore::new(pool.clone());
    suivi::web::housekeeping::once(&pool, &store).await;
    let sessions: Vec<String> = sqlx::query_scalar("SELECT id FROM tower_sessions.session")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(sessions, ["live"]);
    let attempts: Vec<String> = sqlx::query_scalar("SELECT login FROM login_attempts")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(attempts, ["recent"]);
}
