//! Who may do what: every route of the router, for eight kinds of people
//! (anonymous, a viewer, a board member, an editor and a validator of agency
//! A, an editor and a validator of agency B, an admin), with the expected
//! answer. A forbidden request writes
//! nothing and its page shows nothing of the other agency. The list of routes
//! is read from the source, so a new route without a line here fails the test.
//! Also: two Suivi instances on one database share logins and refuse a lost
//! update.

use std::collections::BTreeSet;

use crate::common::*;
use axum::http::StatusCode;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use suivi::domain::Role;
use suivi::store::api_tokens::Scope;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Who {
    Anonymous,
    ViewerA,
    BoardA,
    EditorA,
    EditorB,
    ValidatorA,
    ValidatorB,
    Admin,
}

const EVERYONE: [Who; 8] = [
    Who::Anonymous,
    Who::ViewerA,
    Who::BoardA,
    Who::EditorA,
    Who::EditorB,
    Who::ValidatorA,
    Who::ValidatorB,
    Who::Admin,
];

impl Who {
    fn login(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::ViewerA => Some("anaser.lecteur"),
            Who::BoardA => Some("anaser.ca"),
            Who::EditorA => Some("anaser.editeur"),
            Who::EditorB => Some("crss.editeur"),
            Who::ValidatorA => Some("anaser.se"),
            Who::ValidatorB => Some("crss.se"),
            Who::Admin => Some("admin"),
        }
    }
}

/// What a route lets through.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user (their own account).
    SignedIn,
    /// Reading agency A's data: its readers; anonymous readers go to login.
    ReadA,
    /// Changing agency A's data: its editors and admins.
    EditA,
    /// The validation queue: validators of any agency (each sees their own)
    /// and admins.
    ValidateAny,
    /// Deciding on agency A's updates: its validators and admins.
    ValidateA,
    /// The admin pages: admins only.
    AdminOnly,
}

impl Rule {
    fn allows(self, who: Who) -> bool {
        match self {
            Rule::Public => true,
            Rule::SignedIn => who != Who::Anonymous,
            Rule::ReadA => matches!(
                who,
                Who::ViewerA | Who::BoardA | Who::EditorA | Who::ValidatorA | Who::Admin
            ),
            Rule::ValidateAny => matches!(who, Who::ValidatorA | Who::ValidatorB | Who::Admin),
            Rule::ValidateA => matches!(who, Who::ValidatorA | Who::Admin),
            Rule::EditA => matches!(who, Who::EditorA | Who::Admin),
            Rule::AdminOnly => who == Who::Admin,
        }
    }
}

/// One line of the matrix: a route as written in the router, a concrete URI
/// on agency A's demo data, the form to post (the CSRF token is added).
struct Case {
    method: &'static str,
    route: &'static str,
    uri: String,
    form: Vec<(&'static str, String)>,
    rule: Rule,
    /// What an allowed user gets: by default 200 for a GET and 303 (saved,
    /// redirected) for a POST; a line says when its form is refused on
    /// purpose (a 422 proves the handler ran past the rights check).
    expect: Vec<StatusCode>,
    /// A route of the JSON API: called with a read+write token of the user
    /// (none for the anonymous), `form` as a JSON object; a refused call is
    /// 401 without a token, 403 otherwise.
    api: bool,
}

impl Case {
    fn expecting(mut self, status: StatusCode) -> Case {
        self.expect = vec![status];
        self
    }

    /// For a form whose first post succeeds and the next ones, by other
    /// users, meet what it wrote (a duplicate code, a sign-in limit).
    fn expecting_any(mut self, statuses: &[StatusCode]) -> Case {
        self.expect = statuses.to_vec();
        self
    }
}

fn get(route: &'static str, uri: String, rule: Rule) -> Case {
    Case {
        method: "GET",
        route,
        uri,
        form: Vec::new(),
        rule,
        expect: vec![StatusCode::OK],
        api: false,
    }
}

fn api_get(route: &'static str, uri: String, rule: Rule) -> Case {
    Case {
        api: true,
        ..get(route, uri, rule)
    }
}

fn api_post(route: &'static str, uri: String, body: &[(&'static str, &str)], rule: Rule) -> Case {
    Case {
        api: true,
        expect: vec![StatusCode::OK],
        ..post(route, uri, body, rule)
    }
}

fn post(route: &'static str, uri: String, form: &[(&'static str, &str)], rule: Rule) -> Case {
    Case {
        method: "POST",
        route,
        uri,
        form: form.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        rule,
        expect: vec![StatusCode::SEE_OTHER],
        api: false,
    }
}

/// The ids of agency A's (ANASER's) demo objects used in the URIs.
struct Ids {
    plan: i64,
    next_plan: i64,
    session: i64,
    /// A session not yet held (the 30th is sealed: nobody edits it).
    planned_session: i64,
    activity: i64,
    resolution: i64,
    node: i64,
    indicator: i64,
    /// A funding line of the next plan (no held session on it).
    funding: i64,
    /// A progress update of agency A, and a file attached to it (the demo's).
    update: i64,
    /// An update of agency A waiting for validation (the demo's).
    submitted: i64,
    attachment: i64,
    /// An API token of agency A's editor.
    token: i64,
    /// Agency A, its parent, and agency B's editor with their role there.
    agency: i64,
    parent: i64,
    editor_b: i64,
    agency_b: i64,
}

fn matrix(ids: &Ids) -> Vec<Case> {
    let Ids {
        plan,
        next_plan,
        session,
        planned_session,
        activity,
        resolution,
        node,
        indicator,
        funding,
        update,
        submitted,
        attachment,
        token,
        agency,
        parent,
        editor_b,
        agency_b,
    } = ids;
    let (agency_text, parent_text, agency_b_text) =
        (agency.to_string(), parent.to_string(), agency_b.to_string());
    let node_form = [("parent", ""), ("code", "X9"), ("title", "Nouveau")];
    let indicator_form = [
        ("code", "IND-X"),
        ("title", "Indicateur"),
        ("direction", "increase"),
    ];
    let value_form = [
        ("period_label", "2025"),
        ("period_end", "2025-12-31"),
        ("value", "3"),
    ];
    // The planned session's own values: saving them changes nothing that matters.
    let next_plan_text = next_plan.to_string();
    let session_40 = [
        ("number", "40"),
        ("kind", "ordinary"),
        ("held_on", "2027-06-26"),
        ("cutoff", "2027-05-31"),
        ("place", "Bamako"),
        ("chair", ""),
        ("reviewed_plan", next_plan_text.as_str()),
        ("adopted_plan", ""),
        ("agenda", ""),
        ("attendees", ""),
        ("status", "planned"),
    ];
    let session_31 = [
        ("number", "31"),
        ("kind", "ordinary"),
        ("held_on", "2026-06-26"),
        ("cutoff", "2026-05-31"),
        ("reviewed_plan", next_plan_text.as_str()),
        ("status", "planned"),
    ];
    let resolution_form = [
        ("text", "Accélérer les marchés"),
        ("responsible_unit", "DAF"),
    ];
    let funding_form = [
        ("source", "Fonds routier"),
        ("source_kind", "own"),
        ("planned", "5 000 000"),
        ("mobilised", "1 000 000"),
    ];
    let activity_form = [
        ("node", ""),
        ("code", "B9.99"),
        ("title", "Nouvelle"),
        ("region", "NAT"),
    ];
    let progress_form = [
        ("base", ""),
        ("status", "in_progress"),
        ("achieved", "1"),
        ("as_of", "2025-12-20"),
    ];
    vec![
        // The JSON API, with tokens.
        api_get(
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            Rule::Public,
        ),
        api_get(
            "/api/v1/agencies",
            "/api/v1/agencies".into(),
            Rule::SignedIn,
        ),
        api_get(
            "/api/v1/agencies/{agency}",
            "/api/v1/agencies/ANASER".into(),
            Rule::ReadA,
        ),
        api_get(
            "/api/v1/agencies/{agency}/sessions",
            format!("/api/v1/agencies/{agency}/sessions"),
            Rule::ReadA,
        ),
        api_get(
            "/api/v1/plans/{plan}",
            format!("/api/v1/plans/{plan}?as_of=2025-11-30"),
            Rule::ReadA,
        ),
        api_get(
            "/api/v1/plans/{plan}/activities",
            "/api/v1/plans/ANASER:PAP-2025/activities".into(),
            Rule::ReadA,
        ),
        api_get(
            "/api/v1/plans/{plan}/indicators",
            format!("/api/v1/plans/{plan}/indicators"),
            Rule::ReadA,
        ),
        api_get(
            "/api/v1/activities/{activity}",
            // As of a date before the matrix's own retirement of it.
            format!("/api/v1/activities/{activity}?as_of=2025-11-30"),
            Rule::ReadA,
        ),
        // Based on no update while there are: refused past the rights check.
        api_post(
            "/api/v1/activities/{activity}/progress",
            format!("/api/v1/activities/{activity}/progress"),
            &progress_form,
            Rule::EditA,
        )
        .expecting(StatusCode::CONFLICT),
        api_post(
            "/api/v1/indicators/{indicator}/values",
            format!("/api/v1/indicators/{indicator}/values"),
            &value_form,
            Rule::EditA,
        ),
        api_get(
            "/api/v1/sessions/{session}",
            format!("/api/v1/sessions/{session}"),
            Rule::ReadA,
        ),
        api_get(
            "/api/v1/figures/{year}",
            "/api/v1/figures/2025".into(),
            Rule::SignedIn,
        ),
        get("/api", "/api".into(), Rule::Public),
        get("/account/tokens", "/account/tokens".into(), Rule::SignedIn),
        post(
            "/account/tokens",
            "/account/tokens".into(),
            &[("label", "Matrice"), ("scope", "read"), ("days", "7")],
            Rule::SignedIn,
        )
        .expecting(StatusCode::OK),
        // Agency A's editor's token: theirs to revoke, and any admin's; the
        // confirmation page first, which revokes nothing.
        get(
            "/account/tokens/{id}/revoke",
            format!("/account/tokens/{token}/revoke"),
            Rule::EditA,
        ),
        post(
            "/account/tokens/{id}/revoke",
            format!("/account/tokens/{token}/revoke"),
            &[],
            Rule::EditA,
        ),
        get(
            "/plans/{id}/funding",
            format!("/plans/{next_plan}/funding"),
            Rule::EditA,
        ),
        get(
            "/plans/{id}/funding/new",
            format!("/plans/{next_plan}/funding/new"),
            Rule::EditA,
        ),
        // The first allowed post adds the line, the next ones meet its name.
        post(
            "/plans/{id}/funding/new",
            format!("/plans/{next_plan}/funding/new"),
            &funding_form,
            Rule::EditA,
        )
        .expecting_any(&[StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]),
        get(
            "/funding/{id}/edit",
            format!("/funding/{funding}/edit"),
            Rule::EditA,
        ),
        // Each allowed post records a new version of the line.
        post(
            "/funding/{id}/edit",
            format!("/funding/{funding}/edit"),
            &[
                ("source", "Budget national"),
                ("source_kind", "state"),
                ("planned", "1 600 000 000"),
                ("mobilised", "1 400 000 000"),
            ],
            Rule::EditA,
        ),
        get(
            "/plans/{id}/structure",
            format!("/plans/{plan}/structure"),
            Rule::EditA,
        ),
        get(
            "/plans/{id}/export",
            format!("/plans/{plan}/export?format=csv"),
            Rule::ReadA,
        ),
        get(
            "/plans/{id}/import",
            format!("/plans/{plan}/import"),
            Rule::EditA,
        ),
        // Not a multipart body: refused as such once the rights are checked.
        post(
            "/plans/{id}/import",
            format!("/plans/{plan}/import"),
            &[],
            Rule::EditA,
        )
        .expecting(StatusCode::BAD_REQUEST),
        post(
            "/plans/{id}/import/apply",
            format!("/plans/{plan}/import/apply"),
            &[("token", "unknown")],
            Rule::EditA,
        )
        .expecting(StatusCode::BAD_REQUEST),
        get(
            "/plans/{id}/nodes/new",
            format!("/plans/{plan}/nodes/new"),
            Rule::EditA,
        ),
        post(
            "/plans/{id}/nodes/new",
            format!("/plans/{plan}/nodes/new"),
            &node_form,
            Rule::EditA,
        )
        .expecting_any(&[StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]),
        get(
            "/nodes/{id}/edit",
            format!("/nodes/{node}/edit"),
            Rule::EditA,
        ),
        post(
            "/nodes/{id}/edit",
            format!("/nodes/{node}/edit"),
            &node_form,
            Rule::EditA,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        // The confirmation page: it shows, it retires nothing.
        get(
            "/nodes/{id}/retire",
            format!("/nodes/{node}/retire"),
            Rule::EditA,
        ),
        post(
            "/nodes/{id}/retire",
            format!("/nodes/{node}/retire"),
            &[],
            Rule::EditA,
        )
        .expecting(StatusCode::CONFLICT),
        get(
            "/plans/{id}/activities/new",
            format!("/plans/{plan}/activities/new"),
            Rule::EditA,
        ),
        post(
            "/plans/{id}/activities/new",
            format!("/plans/{plan}/activities/new"),
            &activity_form,
            Rule::EditA,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        get(
            "/activities/{id}/edit",
            format!("/activities/{activity}/edit"),
            Rule::EditA,
        ),
        post(
            "/activities/{id}/edit",
            format!("/activities/{activity}/edit"),
            &activity_form,
            Rule::EditA,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        // The confirmation page: it shows, it retires nothing.
        get(
            "/activities/{id}/retire",
            format!("/activities/{activity}/retire"),
            Rule::EditA,
        ),
        post(
            "/activities/{id}/retire",
            format!("/activities/{activity}/retire"),
            &[],
            Rule::EditA,
        ),
        get(
            "/plans/{id}/indicators/new",
            format!("/plans/{plan}/indicators/new"),
            Rule::EditA,
        ),
        post(
            "/plans/{id}/indicators/new",
            format!("/plans/{plan}/indicators/new"),
            &indicator_form,
            Rule::EditA,
        )
        .expecting_any(&[StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]),
        get(
            "/indicators/{id}/edit",
            format!("/indicators/{indicator}/edit"),
            Rule::EditA,
        ),
        post(
            "/indicators/{id}/edit",
            format!("/indicators/{indicator}/edit"),
            &indicator_form,
            Rule::EditA,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        // The confirmation page: it shows, it retires nothing.
        get(
            "/indicators/{id}/retire",
            format!("/indicators/{indicator}/retire"),
            Rule::EditA,
        ),
        post(
            "/indicators/{id}/retire",
            format!("/indicators/{indicator}/retire"),
            &[],
            Rule::EditA,
        ),
        get(
            "/indicators/{id}/values",
            format!("/indicators/{indicator}/values"),
            Rule::EditA,
        ),
        post(
            "/indicators/{id}/values",
            format!("/indicators/{indicator}/values"),
            &value_form,
            Rule::EditA,
        ),
        get(
            "/agencies/{code}/sessions/new",
            "/agencies/ANASER/sessions/new".into(),
            Rule::EditA,
        ),
        post(
            "/agencies/{code}/sessions",
            "/agencies/ANASER/sessions".into(),
            &session_31,
            Rule::EditA,
        )
        .expecting_any(&[StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]),
        get(
            "/sessions/{id}/edit",
            format!("/sessions/{planned_session}/edit"),
            Rule::EditA,
        ),
        post(
            "/sessions/{id}/edit",
            format!("/sessions/{planned_session}/edit"),
            &session_40,
            Rule::EditA,
        ),
        // Before the reopen line: the admin's reopening unseals the session,
        // and an unsealed session has no public page.
        get(
            "/public/sessions/{id}",
            format!("/public/sessions/{session}"),
            Rule::Public,
        ),
        get(
            "/public/sessions/{id}/{file}",
            format!("/public/sessions/{session}/data.json"),
            Rule::Public,
        ),
        post(
            "/sessions/{id}/publication",
            format!("/sessions/{session}/publication"),
            &[("publish", "true")],
            Rule::AdminOnly,
        ),
        post(
            "/sessions/{id}/reopen",
            format!("/sessions/{session}/reopen"),
            &[("reason", "Vérification de la matrice des droits")],
            Rule::AdminOnly,
        ),
        get(
            "/sessions/{id}/resolutions/new",
            format!("/sessions/{session}/resolutions/new"),
            Rule::EditA,
        ),
        post(
            "/sessions/{id}/resolutions",
            format!("/sessions/{session}/resolutions"),
            &resolution_form,
            Rule::EditA,
        ),
        get(
            "/resolutions/{id}",
            format!("/resolutions/{resolution}"),
            Rule::ReadA,
        ),
        get(
            "/resolutions/{id}/edit",
            format!("/resolutions/{resolution}/edit"),
            Rule::EditA,
        ),
        post(
            "/resolutions/{id}/edit",
            format!("/resolutions/{resolution}/edit"),
            &resolution_form,
            Rule::EditA,
        ),
        post(
            "/resolutions/{id}/follow-ups",
            format!("/resolutions/{resolution}/follow-ups"),
            &[
                ("status", "in_progress"),
                ("noted_on", "2026-11-20"),
                ("note", "Marché lancé"),
            ],
            Rule::EditA,
        ),
        get("/", "/?year=2025".into(), Rule::SignedIn),
        get("/agencies/{code}", "/agencies/ANASER".into(), Rule::ReadA),
        get("/plans/{id}", format!("/plans/{plan}"), Rule::ReadA),
        get(
            "/plans/{id}/activities",
            format!("/plans/{plan}/activities?status=done"),
            Rule::ReadA,
        ),
        get(
            "/sessions/{id}",
            format!("/sessions/{session}"),
            Rule::ReadA,
        ),
        get(
            "/sessions/{id}/dashboard.pdf",
            format!("/sessions/{session}/dashboard.pdf"),
            Rule::ReadA,
        ),
        get(
            "/agencies/{code}/report/{file}",
            "/agencies/ANASER/report/2025.pdf?as_of=2025-11-30".into(),
            Rule::ReadA,
        ),
        // The consolidated report covers what each reader may read.
        get("/report/{file}", "/report/2025.csv".into(), Rule::SignedIn),
        get(
            "/plans/{id}/grid",
            format!("/plans/{plan}/grid"),
            Rule::EditA,
        ),
        // An untouched grid: nothing to save, but the rights are checked.
        post(
            "/plans/{id}/grid",
            format!("/plans/{plan}/grid"),
            &[],
            Rule::EditA,
        ),
        // Each reader finds what they may read (tests/it/search.rs).
        get("/search", "/search?q=securite".into(), Rule::SignedIn),
        get(
            "/activities/{id}",
            format!("/activities/{activity}"),
            Rule::ReadA,
        ),
        post(
            "/activities/{id}/progress",
            format!("/activities/{activity}/progress"),
            &[
                ("base", ""),
                ("status", "in_progress"),
                ("achieved", "1"),
                ("spent", "0"),
                ("as_of", "2025-12-20"),
                ("comment", ""),
            ],
            Rule::EditA,
        )
        .expecting(StatusCode::CONFLICT),
        // Not a multipart body: refused as such once the rights are checked.
        post(
            "/updates/{id}/attachments",
            format!("/updates/{update}/attachments"),
            &[("url", "https://anaser.ml/")],
            Rule::EditA,
        )
        .expecting(StatusCode::BAD_REQUEST),
        get(
            "/attachments/{id}",
            format!("/attachments/{attachment}"),
            Rule::ReadA,
        ),
        // Without a reason: refused once the rights are checked, so the file
        // stays downloadable for the lines of the next users.
        post(
            "/attachments/{id}/withdraw",
            format!("/attachments/{attachment}/withdraw"),
            &[("reason", "")],
            Rule::EditA,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        get("/validation", "/validation".into(), Rule::ValidateAny),
        // Nothing ticked: refused once the rights are checked.
        post(
            "/validation",
            "/validation".into(),
            &[("decision", "validate")],
            Rule::ValidateAny,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        get(
            "/validation/{id}",
            format!("/validation/{submitted}"),
            Rule::ValidateA,
        ),
        // A rejection without its reason: refused once the rights are
        // checked, so the update still waits for the next lines.
        post(
            "/validation/{id}",
            format!("/validation/{submitted}"),
            &[("decision", "reject"), ("reason", "")],
            Rule::ValidateA,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        get("/login", "/login".into(), Rule::Public),
        post(
            "/login",
            "/login".into(),
            &[("login", "nobody"), ("password", "x"), ("next", "/")],
            Rule::Public,
        )
        .expecting_any(&[StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]),
        // Signing out without a session changes nothing: harmless, allowed.
        post("/logout", "/logout".into(), &[], Rule::Public),
        get(
            "/account/password",
            "/account/password".into(),
            Rule::SignedIn,
        ),
        post(
            "/account/password",
            "/account/password".into(),
            &[("current", "wrong"), ("new", "x"), ("confirm", "y")],
            Rule::SignedIn,
        )
        .expecting(StatusCode::UNPROCESSABLE_ENTITY),
        get("/lang/{code}", "/lang/en?next=/".into(), Rule::Public)
            .expecting(StatusCode::SEE_OTHER),
        get(
            "/static/suivi.css",
            "/static/suivi.css".into(),
            Rule::Public,
        ),
        get("/favicon.svg", "/favicon.svg".into(), Rule::Public),
        get("/robots.txt", "/robots.txt".into(), Rule::Public),
        get("/healthz", "/healthz".into(), Rule::Public),
        get("/account/mail", "/account/mail".into(), Rule::SignedIn),
        post(
            "/account/mail",
            "/account/mail".into(),
            &[("email", ""), ("lang", "fr")],
            Rule::SignedIn,
        )
        .expecting(StatusCode::OK),
        get("/password/forgot", "/password/forgot".into(), Rule::Public),
        // The same answer for an unknown address; past five a minute, 429.
        post(
            "/password/forgot",
            "/password/forgot".into(),
            &[("email", "personne@anaser.test")],
            Rule::Public,
        )
        .expecting_any(&[StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]),
        get(
            "/password/reset/{token}",
            "/password/reset/unknown".into(),
            Rule::Public,
        )
        .expecting(StatusCode::GONE),
        post(
            "/password/reset/{token}",
            "/password/reset/unknown".into(),
            &[("new", "x"), ("confirm", "x")],
            Rule::Public,
        )
        .expecting(StatusCode::GONE),
        get("/admin/mail", "/admin/mail".into(), Rule::AdminOnly),
        post(
            "/admin/mail",
            "/admin/mail".into(),
            &[("agency", "CRSS"), ("reminder_days", "7")],
            Rule::AdminOnly,
        ),
        // The public pages, on the plan and the session the test published
        // (`public.rs` checks that nothing unpublished answers).
        get("/public", "/public".into(), Rule::Public),
        get(
            "/public/plans/{id}",
            format!("/public/plans/{plan}"),
            Rule::Public,
        ),
        get(
            "/public/plans/{id}/{file}",
            format!("/public/plans/{plan}/data.csv"),
            Rule::Public,
        ),
        // Publishing again what is published: allowed, changes nothing.
        // ANASER's editors may not publish until an admin allows them.
        post(
            "/plans/{id}/publication",
            format!("/plans/{plan}/publication"),
            &[("publish", "true")],
            Rule::AdminOnly,
        ),
        get(
            "/admin/publications",
            "/admin/publications".into(),
            Rule::AdminOnly,
        ),
        post(
            "/admin/publications",
            "/admin/publications".into(),
            &[("agency", "CRSS"), ("editors_may_publish", "false")],
            Rule::AdminOnly,
        ),
        get(
            "/import-template",
            "/import-template".into(),
            Rule::SignedIn,
        ),
        get(
            "/agencies/{code}/plans/import",
            "/agencies/ANASER/plans/import".into(),
            Rule::EditA,
        ),
        // Not a multipart body: refused as such once the rights are checked.
        post(
            "/agencies/{code}/plans/import",
            "/agencies/ANASER/plans/import".into(),
            &[],
            Rule::EditA,
        )
        .expecting(StatusCode::BAD_REQUEST),
        post(
            "/agencies/{code}/plans/import/apply",
            "/agencies/ANASER/plans/import/apply".into(),
            &[("token", "unknown")],
            Rule::EditA,
        )
        .expecting(StatusCode::BAD_REQUEST),
        // The admin pages. Admins post values that change nothing that later
        // lines rely on: agency A keeps its code, agency B's editor their role.
        get("/admin", "/admin".into(), Rule::AdminOnly),
        get("/admin/agencies", "/admin/agencies".into(), Rule::AdminOnly),
        get(
            "/admin/agencies/new",
            "/admin/agencies/new".into(),
            Rule::AdminOnly,
        ),
        post(
            "/admin/agencies",
            "/admin/agencies".into(),
            &[("code", "MATRIX"), ("name", "Matrice"), ("parent", "")],
            Rule::AdminOnly,
        ),
        get(
            "/admin/agencies/{id}",
            format!("/admin/agencies/{agency}"),
            Rule::AdminOnly,
        ),
        post(
            "/admin/agencies/{id}",
            format!("/admin/agencies/{agency}"),
            &[
                ("code", "ANASER"),
                ("name", "Agence Nationale de la Sécurité Routière"),
                ("parent", parent_text.as_str()),
            ],
            Rule::AdminOnly,
        ),
        get("/admin/users", "/admin/users".into(), Rule::AdminOnly),
        get(
            "/admin/users/new",
            "/admin/users/new".into(),
            Rule::AdminOnly,
        ),
        post(
            "/admin/users",
            "/admin/users".into(),
            &[
                ("login", "matrix.user"),
                ("display_name", "Matrice"),
                ("password", "matrix-password"),
                ("confirm", "matrix-password"),
            ],
            Rule::AdminOnly,
        ),
        get(
            "/admin/users/{id}",
            format!("/admin/users/{editor_b}"),
            Rule::AdminOnly,
        ),
        post(
            "/admin/users/{id}",
            format!("/admin/users/{editor_b}"),
            &[("display_name", "crss.editeur")],
            Rule::AdminOnly,
        ),
        // The confirmation page of disabling: it disables nothing.
        get(
            "/admin/users/{id}/status",
            format!("/admin/users/{editor_b}/status"),
            Rule::AdminOnly,
        ),
        post(
            "/admin/users/{id}/status",
            format!("/admin/users/{editor_b}/status"),
            &[("disabled", "false")],
            Rule::AdminOnly,
        ),
        post(
            "/admin/users/{id}/roles",
            format!("/admin/users/{editor_b}/roles"),
            &[("agency", agency_b_text.as_str()), ("role", "editor")],
            Rule::AdminOnly,
        ),
        get(
            "/admin/users/{id}/roles/revoke",
            format!("/admin/users/{editor_b}/roles/revoke?agency={agency_b_text}"),
            Rule::AdminOnly,
        ),
        post(
            "/admin/users/{id}/roles/revoke",
            format!("/admin/users/{editor_b}/roles/revoke"),
            &[("agency", agency_text.as_str())],
            Rule::AdminOnly,
        ),
        get(
            "/admin/audit",
            "/admin/audit?agency=ANASER&from=2025-01-01".into(),
            Rule::AdminOnly,
        ),
    ]
}

/// Every `(method, path)` routed in `src/web`, read from the source.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    let mut files = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/web"
    ))];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        for call in source.split(".route(").skip(1) {
            // The call's text up to its closing parenthesis.
            let mut depth = 1;
            let end = call
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(call.len(), |(i, _)| i);
            let call = &call[..end];
            let Some(path) = call.split('"').nth(1) else {
                continue;
            };
            for (method, marker) in [("GET", "get("), ("POST", "post(")] {
                let routed = call.match_indices(marker).any(|(i, _)| {
                    i == 0 || !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                });
                if routed {
                    routes.insert((method.to_owned(), path.to_owned()));
                }
            }
        }
    }
    routes
}

async fn signed_in_as(app: &axum::Router, who: Who) -> Client {
    match who.login() {
        None => Client::new(app),
        Some(login) => signed_in(app, login).await,
    }
}

/// Rows that any change writes: the audit log and the progress updates.
async fn writes(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM audit_log), (SELECT count(*) FROM progress_updates)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn add_people(pool: &PgPool) {
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    for (login, agency, role) in [
        ("anaser.lecteur", "ANASER", Role::Viewer),
        ("crss.editeur", "CRSS", Role::Editor),
        ("crss.se", "CRSS", Role::Validator),
    ] {
        let user = suivi::store::users::create(pool, login, login, &hash, false)
            .await
            .unwrap()
            .unwrap();
        let agency = agency_id(pool, agency).await;
        suivi::store::users::set_role(pool, user, agency, role)
            .await
            .unwrap();
    }
}

#[sqlx::test]
async fn every_route_answers_each_kind_of_user_as_expected(pool: PgPool) {
    let app = demo_app(&pool).await;
    add_people(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let session = session_id(&pool, "ANASER", 30).await;
    let planned_session: i64 = sqlx::query_scalar(
        "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, place, reviewed_plan_id) \
         VALUES ($1, 40, 'ordinary', '2027-06-26', '2027-05-31', 'Bamako', $2) RETURNING id",
    )
    .bind(agency_id(&pool, "ANASER").await)
    .bind(plan_id(&pool, "ANASER", "PAP-2026").await)
    .fetch_one(&pool)
    .await
    .unwrap();
    let resolution: i64 =
        sqlx::query_scalar("SELECT id FROM resolutions WHERE session_id = $1 ORDER BY id LIMIT 1")
            .bind(session)
            .fetch_one(&pool)
            .await
            .unwrap();
    let node: i64 = sqlx::query_scalar(
        "SELECT id FROM plan_nodes WHERE plan_id = $1 ORDER BY depth, position LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let indicator: i64 =
        sqlx::query_scalar("SELECT id FROM indicators WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let (update, attachment): (i64, i64) = sqlx::query_as(
        "SELECT t.update_id, t.id FROM attachments t JOIN progress_updates u ON u.id = t.update_id \
         JOIN activities a ON a.id = u.activity_id WHERE a.plan_id = $1 AND t.kind = 'file' \
         ORDER BY t.id LIMIT 1",
    )
    .bind(plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let next_plan = plan_id(&pool, "ANASER", "PAP-2026").await;
    let funding: i64 = sqlx::query_scalar(
        "SELECT id FROM funding_lines WHERE plan_id = $1 AND source = 'Budget national'",
    )
    .bind(next_plan)
    .fetch_one(&pool)
    .await
    .unwrap();
    let editor_a: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'anaser.editeur'")
        .fetch_one(&pool)
        .await
        .unwrap();
    let (token, _) = suivi::store::api_tokens::create(
        &pool,
        editor_a,
        "matrice",
        Scope::Read,
        chrono::Utc::now() + chrono::Duration::days(1),
        suivi::store::audit::Actor::User(editor_a),
    )
    .await
    .unwrap();
    let submitted: i64 = sqlx::query_scalar(
        "SELECT u.id FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
         JOIN plans pl ON pl.id = a.plan_id JOIN agencies g ON g.id = pl.agency_id \
         WHERE g.code = 'ANASER' AND u.review = 'submitted' ORDER BY u.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let ids = Ids {
        token: token.id,
        submitted,
        node,
        indicator,
        funding,
        update,
        attachment,
        plan,
        next_plan,
        session,
        planned_session,
        activity,
        resolution,
        agency: agency_id(&pool, "ANASER").await,
        parent: agency_id(&pool, "MTI").await,
        editor_b: sqlx::query_scalar("SELECT id FROM users WHERE login = 'crss.editeur'")
            .fetch_one(&pool)
            .await
            .unwrap(),
        agency_b: agency_id(&pool, "CRSS").await,
    };
    let admin_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(&pool)
        .await
        .unwrap();
    for target in [
        suivi::store::publications::Target::Plan(plan),
        suivi::store::publications::Target::Session(session),
    ] {
        suivi::store::publications::publish(
            &pool,
            target,
            ids.agency,
            false,
            suivi::store::audit::Actor::User(admin_id),
        )
        .await
        .unwrap();
    }
    let cases = matrix(&ids);

    let covered: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| (c.method.to_owned(), c.route.to_owned()))
        .collect();
    let missing: Vec<_> = routes_in_source().difference(&covered).cloned().collect();
    assert!(
        missing.is_empty(),
        "routes with no line in the matrix: {missing:?}"
    );

    let mut tokens = std::collections::BTreeMap::new();
    for who in EVERYONE {
        if let Some(login) = who.login() {
            tokens.insert(who, api_token(&pool, login, Scope::Write).await);
        }
    }
    let mut failures = Vec::new();
    for who in EVERYONE {
        for case in &cases {
            if case.api {
                let before = writes(&pool).await;
                let body: serde_json::Map<String, serde_json::Value> = case
                    .form
                    .iter()
                    .map(|(k, v)| {
                        // An empty field is a null (no base).
                        let value = match v.as_str() {
                            "" => serde_json::Value::Null,
                            text => serde_json::Value::from(text),
                        };
                        ((*k).to_owned(), value)
                    })
                    .collect();
                let body = serde_json::Value::Object(body);
                let answer = api_call(
                    &app,
                    case.method,
                    &case.uri,
                    tokens.get(&who).map(String::as_str),
                    (case.method == "POST").then_some(&body),
                    None,
                )
                .await;
                let allowed = case.rule.allows(who);
                let refusal = if who == Who::Anonymous {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FORBIDDEN
                };
                let ok = if allowed {
                    case.expect.contains(&answer.status)
                } else {
                    answer.status == refusal
                        && answer.content_type.starts_with("application/problem+json")
                };
                if !ok {
                    failures.push(format!(
                        "{who:?} API {} {} -> {} (allowed: {allowed}, expected {:?})",
                        case.method, case.uri, answer.status, case.expect
                    ));
                }
                if !allowed && writes(&pool).await != before {
                    failures.push(format!("{who:?} API {} {} wrote", case.method, case.uri));
                }
                if !allowed && answer.text.contains("sécurité routière") {
                    failures.push(format!("{who:?} API {} {} leaks", case.method, case.uri));
                }
                continue;
            }
            // A fresh client per request: a logout or password change must not
            // leak into the next line.
            let mut client = signed_in_as(&app, who).await;
            let before = writes(&pool).await;
            let page = if case.method == "GET" {
                client.get(&case.uri).await
            } else {
                let form_page = client.get("/login").await;
                let csrf = csrf_of(&form_page);
                let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf)];
                fields.extend(case.form.iter().map(|(k, v)| (*k, v.as_str())));
                client.post(&case.uri, &fields).await
            };
            let allowed = case.rule.allows(who);
            let status = page.status;
            let ok = match (allowed, case.method, who) {
                (true, _, _) => {
                    case.expect.contains(&status)
                        && page
                            .location
                            .as_deref()
                            .is_none_or(|l| !l.starts_with("/login"))
                }
                // Reading pages send the anonymous reader to the login form.
                (false, "GET", Who::Anonymous) => {
                    status == StatusCode::SEE_OTHER
                        && page
                            .location
                            .as_deref()
                            .is_some_and(|l| l.starts_with("/login?next="))
                }
                (false, _, _) => status == StatusCode::FORBIDDEN,
            };
            if !ok {
                failures.push(format!(
                    "{who:?} {} {} -> {status} (allowed: {allowed}, expected {:?})",
                    case.method, case.uri, case.expect
                ));
            }
            if !allowed {
                if writes(&pool).await != before {
                    failures.push(format!("{who:?} {} {} wrote", case.method, case.uri));
                }
                for secret in ["Projet Annuel de Performance", "sécurité routière"] {
                    if page.body.contains(secret) {
                        failures.push(format!(
                            "{who:?} {} {} shows {secret:?}",
                            case.method, case.uri
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[sqlx::test]
async fn the_overview_lists_only_the_agencies_one_may_read(pool: PgPool) {
    let app = demo_app(&pool).await;
    add_people(&pool).await;
    let codes = |page: &Page| page.attrs("table tbody tr[data-agency]", "data-agency");

    let mut viewer = signed_in(&app, "crss.lecteur").await;
    let seen = codes(&viewer.get("/?year=2023").await);
    assert!(seen.contains(&"CRSS".to_owned()), "{seen:?}");
    assert!(
        !seen.iter().any(|c| c == "ANASER" || c == "MTI"),
        "{seen:?}"
    );

    let mut admin = signed_in(&app, "admin").await;
    let all = codes(&admin.get("/?year=2025").await);
    assert!(all.contains(&"ANASER".to_owned()) && all.contains(&"MTI".to_owned()));
}

#[sqlx::test]
async fn a_role_in_a_ministry_reads_the_agencies_under_it(pool: PgPool) {
    let app = demo_app(&pool).await;
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let user = suivi::store::users::create(&pool, "mti.ca", "MTI", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let mti = agency_id(&pool, "MTI").await;
    suivi::store::users::set_role(&pool, user, mti, Role::Board)
        .await
        .unwrap();
    let mut ministry = signed_in(&app, "mti.ca").await;
    assert_eq!(
        ministry.get("/agencies/ANASER").await.status,
        StatusCode::OK
    );
    let refused = ministry.get("/agencies/CRSS").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.attrs("form.logout", "action"),
        ["/logout"],
        "the 403 page still shows who is signed in"
    );
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let page = ministry.get(&format!("/plans/{plan}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.texts("a[href$='/grid']").is_empty(),
        "reading is not editing"
    );
}

fn progress_form<'a>(csrf: &'a str, base: &'a str, comment: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("base", base),
        ("status", "in_progress"),
        ("achieved", "3"),
        ("spent", "0"),
        ("as_of", "2025-12-20"),
        ("comment", comment),
    ]
}

/// Two instances of Suivi behind a load balancer: separate pools on one
/// database, one router each. A login made on one works on the other, and two
/// saves on the same base give one success and one conflict.
#[sqlx::test]
async fn two_instances_share_logins_and_refuse_a_lost_update(pool: PgPool) {
    let first = demo_app(&pool).await;
    let other_pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with((*pool.connect_options()).clone())
        .await
        .unwrap();
    let second = app(&other_pool);

    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let activity: i64 =
        sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 ORDER BY id LIMIT 1")
            .bind(plan)
            .fetch_one(&pool)
            .await
            .unwrap();
    let uri = format!("/activities/{activity}");

    // Alice signs in on the first instance, then the balancer sends her to the
    // second: same cookie, same session.
    let mut alice = signed_in(&first, "anaser.editeur").await;
    alice.app = second.clone();
    let mut bob = signed_in(&second, "admin").await;
    bob.app = first.clone();

    let load = |page: &Page| {
        (
            csrf_of(page),
            page.attrs("#progress input[name=base]", "value")[0].clone(),
        )
    };
    let (alice_csrf, alice_base) = load(&alice.get(&uri).await);
    let (bob_csrf, bob_base) = load(&bob.get(&uri).await);
    assert_eq!(alice_base, bob_base);

    let progress = format!("{uri}/progress");
    let alice_fields = progress_form(&alice_csrf, &alice_base, "Alice");
    let bob_fields = progress_form(&bob_csrf, &bob_base, "Bob");
    let (a, b) = tokio::join!(
        alice.post(&progress, &alice_fields),
        bob.post(&progress, &bob_fields)
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);

    // Exactly one new update, and it was made on the base both had seen.
    let recorded: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT comment FROM progress_updates WHERE activity_id = $1 AND id > $2")
            .bind(activity)
            .bind(alice_base.parse::<i64>().unwrap_or(0))
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(recorded.len(), 1);
    let winner = if a.status == StatusCode::SEE_OTHER {
        "Alice"
    } else {
        "Bob"
    };
    assert_eq!(recorded[0].0.as_deref(), Some(winner));
}
