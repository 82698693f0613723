//! Malformed requests on every route: a few thousand of them, from a seeded
//! generator (the same run every time), for each kind of reader (signed out,
//! a viewer, a board member and an editor of ANASER, an admin). Hostile path
//! parameters, query strings, form values, uploads and content types; POSTs
//! with the reader's CSRF token (to reach the handlers) and without. Whatever
//! comes in, the answer is never a 5xx and nothing panics.
//!
//! The routes are read from the source (`crate::common::routes_in_source`), and the
//! forms' fields and the links' query parameters from the pages an admin
//! sees, so a new route or a new field is fuzzed without a line here. Every
//! failure is listed (deduplicated, with the server's log line for it) before
//! the test fails; the server's log goes to `test-output/fuzz-server.log`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::common::*;
use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use sqlx::PgPool;
use suivi::domain::Role;
use tokio::task::JoinSet;
use tower::ServiceExt;

/// Requests in flight at once: fewer than the test pool's five connections
/// (more only measures how a loaded server sheds load with 503s, which is
/// not what this test is about).
const IN_FLIGHT: usize = 4;
/// The generator's seed: change it to explore other inputs.
const SEED: u64 = 0x5u64 << 60 | 0x0051_0f1a_2026;
/// At most this many fields of one form get a hostile value each (a grid
/// has hundreds).
const FIELDS_PER_FORM: usize = 12;

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `count` distinct items of `items`, in a random order.
    fn sample<T: Clone>(&mut self, items: &[T], count: usize) -> Vec<T> {
        let mut pool: Vec<T> = items.to_vec();
        let mut chosen = Vec::new();
        while !pool.is_empty() && chosen.len() < count {
            chosen.push(pool.swap_remove(self.below(pool.len())));
        }
        chosen
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Who {
    Anonymous,
    Viewer,
    Board,
    Editor,
    Admin,
}

const EVERYONE: [Who; 5] = [
    Who::Anonymous,
    Who::Viewer,
    Who::Board,
    Who::Editor,
    Who::Admin,
];

impl Who {
    fn login(self) -> Option<&'static str> {
        match self {
            Who::Anonymous => None,
            Who::Viewer => Some("anaser.lecteur"),
            Who::Board => Some("anaser.ca"),
            Who::Editor => Some("anaser.editeur"),
            Who::Admin => Some("admin"),
        }
    }

    /// Gets past the rights checks of ANASER's writes: worth every field.
    fn writes(self) -> bool {
        matches!(self, Who::Editor | Who::Admin)
    }
}

/// A reader's cookies and CSRF token, taken once before the fuzzing.
#[derive(Clone)]
struct Identity {
    cookie: String,
    csrf: String,
}

async fn identity(app: &Router, who: Who) -> Identity {
    let mut client = match who.login() {
        None => Client::new(app),
        Some(login) => signed_in(app, login).await,
    };
    let form = client.get("/login").await;
    let csrf = csrf_of(&form);
    Identity {
        cookie: client.cookie_header(),
        csrf,
    }
}

/// The demo objects whose ids go into the paths. Admins change an agency and
/// a user that no fuzzing reader is: CRSS and its viewer.
struct Ids {
    plan: i64,
    node: i64,
    activity: i64,
    indicator: i64,
    session: i64,
    resolution: i64,
    other_agency: i64,
    other_user: i64,
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn ids(pool: &PgPool) -> Ids {
    let plan = plan_id(pool, "ANASER", "PAP-2025").await;
    let session = session_id(pool, "ANASER", 30).await;
    Ids {
        plan,
        node: scalar(
            pool,
            &format!(
                "SELECT id FROM plan_nodes WHERE plan_id = {plan} ORDER BY depth, position LIMIT 1"
            ),
        )
        .await,
        activity: scalar(
            pool,
            &format!("SELECT id FROM activities WHERE plan_id = {plan} ORDER BY id LIMIT 1"),
        )
        .await,
        indicator: scalar(
            pool,
            &format!("SELECT id FROM indicators WHERE plan_id = {plan} ORDER BY id LIMIT 1"),
        )
        .await,
        session,
        resolution: scalar(
            pool,
            &format!("SELECT id FROM resolutions WHERE session_id = {session} ORDER BY id LIMIT 1"),
        )
        .await,
        other_agency: agency_id(pool, "CRSS").await,
        other_user: scalar(pool, "SELECT id FROM users WHERE login = 'crss.lecteur'").await,
    }
}

/// The valid values of a path parameter of `route`.
fn valid_values(route: &str, param: &str, ids: &Ids) -> Vec<String> {
    match param {
        "{code}" if route.starts_with("/lang/") => vec!["en".into(), "fr".into()],
        "{code}" => vec!["ANASER".into()],
        "{file}" => vec!["2025.xlsx".into(), "2025.csv".into(), "2025.pdf".into()],
        _ => {
            let id = if route.starts_with("/admin/agencies/") {
                ids.other_agency
            } else if route.starts_with("/admin/users/") {
                ids.other_user
            } else if route.starts_with("/nodes/") {
                ids.node
            } else if route.starts_with("/activities/") {
                ids.activity
            } else if route.starts_with("/indicators/") {
                ids.indicator
            } else if route.starts_with("/sessions/") {
                ids.session
            } else if route.starts_with("/resolutions/") {
                ids.resolution
            } else {
                ids.plan
            };
            vec![id.to_string()]
        }
    }
}

fn long(length: usize) -> String {
    "x".repeat(length)
}

/// Hostile path parameters, percent-encoded as they travel.
fn hostile_path_values(param: &str) -> Vec<String> {
    let mut values: Vec<String> = [
        "-1",
        "0",
        "9223372036854775808",
        "-9223372036854775809",
        "%00",
        "%FF",
        "%C0%AF",
        "..",
        "%2e%2e",
        "1e400",
        "NaN",
        "%0d%0aSet-Cookie:x",
        "ANASER%00",
        "%E2%80%AE",
    ]
    .map(str::to_owned)
    .to_vec();
    values.push(long(5000));
    if param == "{file}" {
        values.extend(
            [
                "99999.pdf",
                "-5000.csv",
                "9223372036854775808.xlsx",
                "2025.",
                ".csv",
                "%00.csv",
                "2025.csv%00",
                "2025.xlsx.pdf",
            ]
            .map(str::to_owned),
        );
    }
    values
}

/// Hostile query values, percent-encoded as they travel.
fn hostile_query_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "-5000-01-01",
        "99999-01-01",
        "%00",
        "2025-01-01%00",
        "1e400",
        "NaN",
        "/%0d%0aSet-Cookie:x",
        "//evil.example",
        "%2F%2Fevil.example%2F",
        "/%5Cevil.example",
        "%FF",
        "2025-02-30",
        "",
        "-1",
        "9223372036854775808",
    ]
    .map(str::to_owned)
    .to_vec();
    values.push(long(5000));
    values
}

/// Query parameters that some page reads; the links of the pages add theirs.
const QUERY_NAMES: [&str; 14] = [
    "as_of", "from", "to", "due_on", "next", "year", "status", "format", "table", "sep", "agency",
    "region", "node", "page",
];

/// Hostile form values, as bytes (some are not UTF-8). The first few go into
/// every field; the others into a few, chosen at random.
fn hostile_form_values() -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = [
        &b"\0"[..],
        b"1e400",
        b"9223372036854775807",
        b"-5000-01-01",
        b"\xff\xfe\xfd",
        // The rest: a few per field.
        b"a\0b",
        b"NaN",
        b"-inf",
        b"-9223372036854775808",
        b"99999999999999999999999999",
        b"-1",
        b"0",
        b"99999-01-01",
        b"2025-02-30",
        b"\r\nSet-Cookie: x=1",
        b"/\r\nLocation: //evil.example",
        b"//evil.example",
        b"",
        b"   ",
        b"\xc3\x28",
        b"<script>alert(1)</script>",
        "\u{661}\u{662}\u{663}".as_bytes(),
        b"12 500 000,50",
        b"1,5e3",
        b"'; DROP TABLE users; --",
    ]
    .map(<[u8]>::to_vec)
    .to_vec();
    values.push(long(5000).into_bytes());
    values
}

/// How many of `hostile_form_values` go into every field.
const CORE_FORM_VALUES: usize = 5;

/// A short name for a value in the report.
fn label(value: &[u8]) -> String {
    match value.len() {
        0 => "empty".into(),
        n if n >= 1_000_000 => "1 MB".into(),
        n if n >= 1000 => format!("{n} chars"),
        _ => match std::str::from_utf8(value) {
            Ok(text) => format!("{text:?}"),
            Err(_) => format!("bytes {value:02X?}"),
        },
    }
}

/// `application/x-www-form-urlencoded`, every byte not unreserved escaped.
fn urlencoded(fields: &[(String, Vec<u8>)]) -> Vec<u8> {
    let encode = |bytes: &[u8]| {
        let mut out = String::with_capacity(bytes.len());
        for &b in bytes {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name.as_bytes()), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

const BOUNDARY: &str = "fuzz-boundary-91c2";

/// `multipart/form-data` with text fields and perhaps one file.
fn multipart(fields: &[(String, Vec<u8>)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; \
                 filename=\"plan.csv\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

const FORM: &str = "application/x-www-form-urlencoded";

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A form as a page shows it: where it posts, how, and its fields with the
/// values they hold.
#[derive(Debug, Clone, Default)]
struct Form {
    multipart: bool,
    fields: Vec<(String, String)>,
    /// The name of its file input, for uploads.
    file: Option<String>,
}

/// The forms of a page: (method, action path, form).
fn forms_of(html: &str) -> Vec<(String, String, Form)> {
    let document = Html::parse_document(html);
    let form_selector = Selector::parse("form").unwrap();
    let field_selector = Selector::parse("input[name], select[name], textarea[name]").unwrap();
    let option_selector = Selector::parse("option").unwrap();
    let mut forms = Vec::new();
    for element in document.select(&form_selector) {
        let attr = |name| element.value().attr(name).unwrap_or_default();
        let method = attr("method").to_ascii_uppercase();
        let method = if method.is_empty() {
            "GET".into()
        } else {
            method
        };
        let action = attr("action")
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut form = Form {
            multipart: attr("enctype") == "multipart/form-data",
            ..Form::default()
        };
        for field in element.select(&field_selector) {
            let value = field.value();
            let name = value.attr("name").unwrap_or_default().to_owned();
            let kind = value.attr("type").unwrap_or_default();
            let text = match value.name() {
                "select" => {
                    let options: Vec<_> = field.select(&option_selector).collect();
                    options
                        .iter()
                        .find(|o| o.value().attr("selected").is_some())
                        .or(options.first())
                        .map(|o| {
                            o.value()
                                .attr("value")
                                .map(str::to_owned)
                                .unwrap_or_else(|| o.text().collect())
                        })
                        .unwrap_or_default()
                }
                "textarea" => field.text().collect(),
                _ => match kind {
                    "file" => {
                        form.file = Some(name);
                        continue;
                    }
                    "checkbox" | "radio" if value.attr("checked").is_none() => continue,
                    "submit" | "button" | "image" | "reset" => continue,
                    _ => value.attr("value").unwrap_or_default().to_owned(),
                },
            };
            form.fields.push((name, text));
        }
        forms.push((method, action, form));
    }
    forms
}

/// The links of a page: their paths and the names in their query strings.
fn links_of(html: &str) -> Vec<(String, Vec<String>)> {
    let document = Html::parse_document(html);
    let selector = Selector::parse("a[href]").unwrap();
    document
        .select(&selector)
        .filter_map(|a| a.value().attr("href"))
        .filter(|href| href.starts_with('/'))
        .map(|href| {
            let (path, query) = href.split_once('?').unwrap_or((href, ""));
            let names = query
                .split('&')
                .filter_map(|pair| pair.split('=').next())
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect();
            (path.to_owned(), names)
        })
        .collect()
}

/// The route of `routes` a concrete path belongs to, literal segments first
/// (`/admin/users/new` before `/admin/users/{id}`).
fn route_of(path: &str, routes: &BTreeSet<String>) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    routes
        .iter()
        .filter_map(|route| {
            let pattern: Vec<&str> = route.split('/').collect();
            if pattern.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (p, s) in pattern.iter().zip(&segments) {
                if p == s {
                    literal += 1;
                } else if !(p.starts_with('{') && p.ends_with('}')) || s.is_empty() {
                    return None;
                }
            }
            Some((literal, route))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, route)| route.clone())
}

/// One request of the run.
#[derive(Debug, Clone)]
struct Case {
    who: Who,
    method: &'static str,
    route: String,
    uri: String,
    /// What is hostile about it, for the report.
    kind: String,
    content_type: Option<String>,
    extra_headers: Vec<(&'static str, String)>,
    /// Send the reader's cookies (else none at all).
    cookies: bool,
    body: Vec<u8>,
    /// An upload: if the answer offers to apply it, apply it too.
    then_apply: bool,
}

/// What the server answered.
struct Answer {
    status: u16,
    request_id: Option<String>,
    location: Option<String>,
    body: Result<Vec<u8>, String>,
}

async fn send(app: Router, request: Request<Body>) -> Answer {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let body = match response.into_body().collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(error) => Err(error.to_string()),
    };
    Answer {
        status,
        request_id,
        location,
        body,
    }
}

fn request(case: &Case, identity: &Identity) -> Request<Body> {
    let mut builder = Request::builder().method(case.method).uri(&case.uri);
    if case.cookies && !identity.cookie.is_empty() {
        builder = builder.header(header::COOKIE, &identity.cookie);
    }
    if let Some(content_type) = &case.content_type {
        builder = builder.header(header::CONTENT_TYPE, content_type);
    }
    for (name, value) in &case.extra_headers {
        builder = builder.header(*name, value);
    }
    builder.body(Body::from(case.body.clone())).unwrap()
}

/// A failure to list: what was sent and what came back.
#[derive(Debug, Clone)]
struct Failure {
    /// `500`, `panic`, `broken body`.
    what: String,
    who: Who,
    method: &'static str,
    route: String,
    kind: String,
    uri: String,
    request_id: Option<String>,
    detail: String,
}

/// Runs one case (and the apply step after an upload) and says what failed.
async fn run(app: Router, case: Case, identity: Identity) -> Vec<Failure> {
    let mut failures = Vec::new();
    let answer = send(app.clone(), request(&case, &identity)).await;
    let failed = |answer: &Answer, case: &Case| -> Option<Failure> {
        let what = match &answer.body {
            _ if answer.status >= 500 => answer.status.to_string(),
            Err(_) => "broken body".to_owned(),
            Ok(_) => return None,
        };
        let detail = match &answer.body {
            Ok(bytes) => snippet(bytes),
            Err(error) => error.clone(),
        };
        Some(Failure {
            what,
            who: case.who,
            method: case.method,
            route: case.route.clone(),
            kind: case.kind.clone(),
            uri: case.uri.chars().take(120).collect(),
            request_id: answer.request_id.clone(),
            detail,
        })
    };
    failures.extend(failed(&answer, &case));
    if case.then_apply && answer.status == 200 {
        let html = String::from_utf8_lossy(answer.body.as_deref().unwrap_or_default()).into_owned();
        for (method, action, form) in forms_of(&html) {
            if method != "POST" || !action.ends_with("/apply") {
                continue;
            }
            let fields: Vec<(String, Vec<u8>)> = form
                .fields
                .into_iter()
                .map(|(n, v)| (n, v.into_bytes()))
                .collect();
            let apply = Case {
                method: "POST",
                route: format!("{}/apply", case.route),
                uri: action,
                kind: format!("apply after upload: {}", case.kind),
                content_type: Some(FORM.into()),
                body: urlencoded(&fields),
                then_apply: false,
                ..case.clone()
            };
            let answer = send(app.clone(), request(&apply, &identity)).await;
            failures.extend(failed(&answer, &apply));
        }
    }
    failures
}

/// The text of an answer, in short: the error page's message if any.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let document = Html::parse_document(&text);
    let shown = [".error .message", "section.error", "main", "body"]
        .iter()
        .find_map(|css| {
            let selector = Selector::parse(css).unwrap();
            document
                .select(&selector)
                .next()
                .map(|e| e.text().collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| text.into_owned());
    shown
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(160)
        .collect()
}

/// The server's log, ERROR events only, kept to name each failure's cause.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn server_log() -> Log {
    static LOG: OnceLock<Log> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Log::default();
        let writer = log.clone();
        // INFO, for the request spans that carry the ids (a per-layer filter
        // keeping spans and warnings only lost the events).
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        log
    })
    .clone()
}

/// Panics anywhere in the process (handlers, their tasks), with where.
fn panics() -> &'static Mutex<Vec<String>> {
    static PANICS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    PANICS.get_or_init(Mutex::default)
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "a panic".to_owned())
}

/// A user the fuzzing reads as: ANASER's viewer (the demo has none).
async fn add_viewer(pool: &PgPool) {
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let user = suivi::store::users::create(pool, "anaser.lecteur", "Lecteur", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let agency = agency_id(pool, "ANASER").await;
    suivi::store::users::set_role(pool, user, agency, Role::Viewer)
        .await
        .unwrap();
}

/// What the pages tell about the routes: each POST route's form, and the
/// query parameters each GET route is linked or submitted with.
#[derive(Default)]
struct Discovered {
    forms: BTreeMap<String, Form>,
    query_names: BTreeMap<String, BTreeSet<String>>,
    /// The plan file as exported, to upload hostile variants of it.
    plan_csv: String,
}

/// Reads every GET route as the admin (and uploads the plan file once, for
/// the apply form it leads to).
async fn discover(app: &Router, admin: &Identity, routes: &[Route], ids: &Ids) -> Discovered {
    let gets: BTreeSet<String> = routes
        .iter()
        .filter(|r| r.method == "GET")
        .map(|r| r.path.clone())
        .collect();
    let posts: BTreeSet<String> = routes
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path.clone())
        .collect();
    let mut found = Discovered::default();
    let learn = |found: &mut Discovered, html: &str| {
        for (method, action, form) in forms_of(html) {
            if method == "POST" {
                if let Some(route) = route_of(&action, &posts) {
                    let known = found.forms.entry(route).or_default();
                    if form.fields.len() > known.fields.len() || form.file.is_some() {
                        *known = form;
                    }
                }
            } else if let Some(route) = route_of(&action, &gets) {
                let names = found.query_names.entry(route).or_default();
                names.extend(form.fields.into_iter().map(|(n, _)| n));
            }
        }
        for (path, names) in links_of(html) {
            if let Some(route) = route_of(&path, &gets) {
                found.query_names.entry(route).or_default().extend(names);
            }
        }
    };
    for route in &gets {
        for uri in concrete_paths(route, ids) {
            let case = plain_case(Who::Admin, "GET", route, uri, "crawl");
            let answer = send(app.clone(), request(&case, admin)).await;
            if let Ok(bytes) = &answer.body {
                learn(&mut found, &String::from_utf8_lossy(bytes));
            }
        }
    }
    let export = plain_case(
        Who::Admin,
        "GET",
        "/plans/{id}/export",
        format!("/plans/{}/export?format=csv", ids.plan),
        "crawl",
    );
    let answer = send(app.clone(), request(&export, admin)).await;
    found.plan_csv = String::from_utf8_lossy(&answer.body.unwrap_or_default()).into_owned();
    // The apply forms come after an upload.
    let uploads: Vec<(String, Form)> = found
        .forms
        .iter()
        .filter(|(_, form)| form.file.is_some())
        .map(|(route, form)| (route.clone(), form.clone()))
        .collect();
    for (route, form) in uploads {
        let Some(uri) = concrete_paths(&route, ids).into_iter().next() else {
            continue;
        };
        // A plan file with one change, for a new plan (its code, title and
        // year filled in) or over the plan: either way a preview to apply.
        let filled: Vec<(String, String)> = form
            .fields
            .iter()
            .map(|(name, value)| {
                let value = match (name.as_str(), value.as_str()) {
                    ("kind", _) => "plan",
                    ("code", "") => "FUZZ-PLAN",
                    ("title", "") => "Plan du fuzz",
                    ("year", "") => "2031",
                    (_, value) => value,
                };
                (name.clone(), value.to_owned())
            })
            .collect();
        let fields = with_csrf(&filled, &admin.csrf);
        let file = edited_csv(&found.plan_csv, |title, cell| {
            if title == "Activité" {
                format!("{cell} (fuzz)")
            } else {
                cell.to_owned()
            }
        });
        let case = Case {
            content_type: Some(multipart_type()),
            body: multipart(&fields, Some((form.file.as_deref().unwrap(), &file))),
            ..plain_case(Who::Admin, "POST", &route, uri, "crawl")
        };
        let answer = send(app.clone(), request(&case, admin)).await;
        if let Ok(bytes) = &answer.body {
            learn(&mut found, &String::from_utf8_lossy(bytes));
        }
    }
    found
}

fn plain_case(who: Who, method: &'static str, route: &str, uri: String, kind: &str) -> Case {
    Case {
        who,
        method,
        route: route.to_owned(),
        uri,
        kind: kind.to_owned(),
        content_type: None,
        extra_headers: Vec::new(),
        cookies: true,
        body: Vec::new(),
        then_apply: false,
    }
}

/// `route` with every parameter given each of its valid values.
fn concrete_paths(route: &str, ids: &Ids) -> Vec<String> {
    let mut paths = vec![String::new()];
    for segment in route.split('/').skip(1) {
        let values = if segment.starts_with('{') {
            valid_values(route, segment, ids)
        } else {
            vec![segment.to_owned()]
        };
        paths = paths
            .iter()
            .flat_map(|p| values.iter().map(move |v| format!("{p}/{v}")))
            .collect();
    }
    if paths == [""] {
        vec!["/".to_owned()]
    } else {
        paths
    }
}

/// `route` with parameter number `index` given `value`, the others valid.
fn path_with(route: &str, index: usize, value: &str, ids: &Ids) -> String {
    let mut param = 0;
    let mut path = String::new();
    for segment in route.split('/').skip(1) {
        path.push('/');
        if segment.starts_with('{') {
            if param == index {
                path.push_str(value);
            } else {
                path.push_str(&valid_values(route, segment, ids)[0]);
            }
            param += 1;
        } else {
            path.push_str(segment);
        }
    }
    path
}

fn params_of(route: &str) -> Vec<&str> {
    route
        .split('/')
        .filter(|s| s.starts_with('{') && s.ends_with('}'))
        .collect()
}

/// The form's fields with `csrf` set to `token` (added if the form had none).
fn with_csrf(fields: &[(String, String)], token: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = fields
        .iter()
        .filter(|(name, _)| name != "csrf")
        .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
        .collect();
    out.insert(0, ("csrf".to_owned(), token.as_bytes().to_vec()));
    out
}

fn get_cases(
    rng: &mut Rng,
    who: Who,
    route: &str,
    ids: &Ids,
    query_names: &BTreeSet<String>,
    heavy: bool,
) -> Vec<Case> {
    let mut cases = Vec::new();
    let case = |uri: String, kind: String| plain_case(who, "GET", route, uri, &kind);
    for uri in concrete_paths(route, ids) {
        cases.push(case(uri, "valid".into()));
    }
    for (index, param) in params_of(route).into_iter().enumerate() {
        for value in hostile_path_values(param) {
            let kind = format!("path {param}={}", short(&value));
            cases.push(case(path_with(route, index, &value, ids), kind));
        }
    }
    let base = concrete_paths(route, ids);
    let hostile = hostile_query_values();
    let mut names: Vec<String> = query_names.iter().cloned().collect();
    // Each parameter a page uses, with every hostile value (for the admin,
    // who reads every page) or a few. A route that builds a file (a PDF
    // takes a second in a debug build) gets fewer.
    for name in &names {
        let values = match (who, heavy) {
            (Who::Admin, _) => hostile.clone(),
            (_, false) => rng.sample(&hostile, 3),
            (_, true) => rng.sample(&hostile, 1),
        };
        for value in values {
            let uri = format!("{}?{name}={value}", rng.pick(&base));
            cases.push(case(uri, format!("query {name}={}", short(&value))));
        }
    }
    // And a few random mixes, names no page uses included.
    names.extend(QUERY_NAMES.map(str::to_owned));
    let mixes = match (who, heavy) {
        (_, false) => 4,
        (Who::Admin, true) => 1,
        (_, true) => 0,
    };
    for _ in 0..mixes {
        let count = 1 + rng.below(3);
        let chosen = rng.sample(&names, count);
        let query: Vec<String> = chosen
            .iter()
            .map(|name| format!("{name}={}", rng.pick(&hostile)))
            .collect();
        let uri = format!("{}?{}", rng.pick(&base), query.join("&"));
        cases.push(case(uri, format!("query mix of {}", chosen.join(","))));
    }
    // Broken cookies and headers, once per route.
    let uri = base[0].clone();
    for (kind, cookie) in [
        (
            "cookie: a 5000-character session",
            format!("{}={}", suivi::web::SESSION_COOKIE, long(5000)),
        ),
        (
            "cookie: a session of %00",
            format!("{}=%00", suivi::web::SESSION_COOKIE),
        ),
        (
            "cookie: a language of %00",
            format!("{}=%00", suivi::web::LANG_COOKIE),
        ),
    ] {
        if rng.below(5) == 0 || who == Who::Anonymous {
            cases.push(Case {
                cookies: false,
                extra_headers: vec![("cookie", cookie)],
                ..case(uri.clone(), kind.into())
            });
        }
    }
    if !heavy || who == Who::Admin {
        cases.push(Case {
            extra_headers: vec![
                ("accept-language", format!("{};q=NaN,*;q=1e400", long(3000))),
                ("x-forwarded-for", "999.999.999.999, %00, ::ffff:zz".into()),
                ("accept-encoding", "gzip;q=NaN, br;q=-1".into()),
            ],
            ..case(uri, "hostile headers".into())
        });
    }
    cases
}

fn short(value: &str) -> String {
    if value.len() > 40 {
        format!("{} chars", value.len())
    } else if value.is_empty() {
        "empty".into()
    } else {
        value.to_owned()
    }
}

/// The plan file (CSV) with its first line of data changed by `edit`, which
/// gets each cell with its column's title.
fn edited_csv(plan_csv: &str, edit: impl Fn(&str, &str) -> String) -> Vec<u8> {
    let mut rows = parse_csv(plan_csv.trim_start_matches('\u{feff}'), ';');
    if rows.len() > 1 {
        let header = rows[0].clone();
        for (cell, title) in rows[1].iter_mut().zip(&header) {
            *cell = edit(title, cell);
        }
    }
    let lines: Vec<String> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| format!("\"{}\"", cell.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect();
    format!("\u{feff}{}\r\n", lines.join("\r\n")).into_bytes()
}

/// Columns of the plan file that people write text into.
const TEXT_COLUMNS: [&str; 4] = ["Activité", "Unité", "Responsable", "Commentaire"];

/// Hostile files for an upload: the plan file with a line of hostile cells
/// (in its text columns only, which a preview may accept and an apply then
/// writes; or in every column but the codes), and things that are no plan
/// file at all.
fn hostile_files(rng: &mut Rng, plan_csv: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("an empty file".into(), Vec::new()),
        (
            "random bytes".into(),
            (0..2048).map(|_| rng.next() as u8).collect(),
        ),
        (
            "a truncated zip".into(),
            b"PK\x03\x04\x14\x00\x00\x00\x08\x00garbage".to_vec(),
        ),
        (
            "a CSV header only".into(),
            plan_csv
                .lines()
                .next()
                .unwrap_or_default()
                .as_bytes()
                .to_vec(),
        ),
        (
            "the plan CSV with NULs everywhere".into(),
            plan_csv.replace(';', "\0;").into_bytes(),
        ),
    ];
    for value in hostile_form_values().iter().take(CORE_FORM_VALUES + 3) {
        let value = String::from_utf8_lossy(value).into_owned();
        let text_only = edited_csv(plan_csv, |title, cell| {
            if TEXT_COLUMNS.contains(&title) {
                value.clone()
            } else {
                cell.to_owned()
            }
        });
        files.push((
            format!("plan CSV text cells {}", label(value.as_bytes())),
            text_only,
        ));
        let all = edited_csv(plan_csv, |title, cell| {
            if title == "Code" || title.starts_with("Version") {
                cell.to_owned()
            } else {
                value.clone()
            }
        });
        files.push((format!("plan CSV cells {}", label(value.as_bytes())), all));
    }
    files
}

fn post_cases(
    rng: &mut Rng,
    who: Who,
    identity: &Identity,
    route: &str,
    ids: &Ids,
    form: &Form,
    plan_csv: &str,
) -> Vec<Case> {
    let mut cases = Vec::new();
    let uri = concrete_paths(route, ids)[0].clone();
    let fields = with_csrf(&form.fields, &identity.csrf);
    let csrf_less: Vec<_> = fields
        .iter()
        .filter(|(n, _)| n != "csrf")
        .cloned()
        .collect();
    let valid_file = form.file.as_deref().map(|name| (name, plan_csv.as_bytes()));
    let case = |kind: String, content_type: Option<String>, body: Vec<u8>| Case {
        content_type,
        body,
        then_apply: form.file.is_some() && who.writes(),
        extra_headers: vec![("sec-fetch-site", "same-origin".to_owned())],
        ..plain_case(who, "POST", route, uri.clone(), &kind)
    };
    // The body in the route's own content type.
    let encode = |fields: &[(String, Vec<u8>)], file: Option<(&str, &[u8])>| {
        if form.multipart {
            (Some(multipart_type()), multipart(fields, file))
        } else {
            (Some(FORM.to_owned()), urlencoded(fields))
        }
    };
    let own = |kind: &str, fields: &[(String, Vec<u8>)], file: Option<(&str, &[u8])>| {
        let (content_type, body) = encode(fields, file);
        case(kind.to_owned(), content_type, body)
    };

    cases.push(own("valid form", &fields, valid_file));
    cases.push(own("no csrf", &csrf_less, valid_file));
    let mut bad = csrf_less.clone();
    bad.insert(0, ("csrf".into(), b"x\0".to_vec()));
    cases.push(own("csrf of NUL", &bad, valid_file));
    let mut twice = fields.clone();
    twice.extend(fields.iter().cloned());
    cases.push(own("every field twice", &twice, valid_file));

    // Wrong content types and broken bodies.
    let (other_type, other_body) = if form.multipart {
        (FORM.to_owned(), urlencoded(&fields))
    } else {
        (multipart_type(), multipart(&fields, None))
    };
    cases.push(case(
        "the other form encoding".into(),
        Some(other_type),
        other_body,
    ));
    let json = serde_json::Value::Object(
        fields
            .iter()
            .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned().into()))
            .collect(),
    );
    cases.push(case(
        "JSON".into(),
        Some("application/json".into()),
        json.to_string().into_bytes(),
    ));
    cases.push(case("no content type".into(), None, urlencoded(&fields)));
    cases.push(case(
        "text/plain".into(),
        Some("text/plain".into()),
        urlencoded(&fields),
    ));
    let mut raw = urlencoded(&fields);
    raw.extend_from_slice(b"&\xff\xfe=\xff\xfe&comment=\xc3\x28");
    cases.push(case(
        "raw invalid UTF-8 in the body".into(),
        Some(FORM.into()),
        raw,
    ));
    let mut garbage = format!("csrf={}&", identity.csrf).into_bytes();
    garbage.extend_from_slice(b"a&&=x&%zz=%&b=%F&%00=%00");
    cases.push(case(
        "broken percent-encoding".into(),
        Some(FORM.into()),
        garbage,
    ));
    cases.push(case(
        "multipart without a boundary".into(),
        Some("multipart/form-data".into()),
        multipart(&fields, valid_file),
    ));
    let mut truncated = multipart(&fields, valid_file);
    truncated.truncate(truncated.len() * 2 / 3);
    cases.push(case(
        "a truncated multipart body".into(),
        Some(multipart_type()),
        truncated,
    ));
    cases.push(case(
        "a body over the size limit".into(),
        Some(FORM.into()),
        vec![b'a'; 3 * 1024 * 1024],
    ));

    // Hostile values in the fields.
    let values = hostile_form_values();
    let names: Vec<String> = csrf_less.iter().map(|(n, _)| n.clone()).collect();
    let hostile_in = |name: &str, value: &[u8]| {
        let mut changed = fields.clone();
        for (n, v) in changed.iter_mut() {
            if n == name {
                *v = value.to_vec();
            }
        }
        changed
    };
    if !names.is_empty() {
        for value in &values[..CORE_FORM_VALUES] {
            let every: Vec<_> = fields
                .iter()
                .map(|(n, v)| {
                    if n == "csrf" {
                        (n.clone(), v.clone())
                    } else {
                        (n.clone(), value.clone())
                    }
                })
                .collect();
            cases.push(own(
                &format!("every field {}", label(value)),
                &every,
                valid_file,
            ));
        }
        let name = rng.pick(&names).clone();
        let big = hostile_in(&name, &vec![b'7'; 1024 * 1024]);
        cases.push(own(&format!("field {name} 1 MB"), &big, valid_file));
        let (mutated, per_field) = if who.writes() {
            (rng.sample(&names, FIELDS_PER_FORM), 3)
        } else {
            (rng.sample(&names, 2), 1)
        };
        for name in mutated {
            let mut chosen: Vec<&Vec<u8>> = if who.writes() {
                values[..CORE_FORM_VALUES].iter().collect()
            } else {
                Vec::new()
            };
            for _ in 0..per_field {
                chosen.push(rng.pick(&values[CORE_FORM_VALUES..]));
            }
            for value in chosen {
                cases.push(own(
                    &format!("field {name} {}", label(value)),
                    &hostile_in(&name, value),
                    valid_file,
                ));
            }
        }
    }
    // Hostile files for the uploads.
    if let Some(file) = form.file.as_deref() {
        for (kind, bytes) in hostile_files(rng, plan_csv) {
            cases.push(own(&format!("file: {kind}"), &fields, Some((file, &bytes))));
        }
        cases.push(own("no file", &fields, None));
    }
    cases
}

/// When a case runs, so that none changes what the others rely on:
/// retiring an object after everything else, then signing in (a hostile
/// value may be the login and password of an account an admin just created
/// with it: the session then changes hands), and signing out last of all.
fn phase(route: &str) -> u8 {
    match route {
        "/login" => 2,
        "/logout" => 3,
        route if route.ends_with("/retire") => 1,
        _ => 0,
    }
}

#[sqlx::test]
async fn no_malformed_request_gets_a_server_error(pool: PgPool) {
    let started = Instant::now();
    let log = server_log();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let text = format!("{}{at}", panic_text(info.payload()));
        eprintln!("panic: {text}");
        panics().lock().unwrap().push(text);
    }));

    let app = demo_app(&pool).await;
    add_viewer(&pool).await;
    let ids = ids(&pool).await;
    let mut identities = HashMap::new();
    for who in EVERYONE {
        identities.insert(who, identity(&app, who).await);
    }
    let routes = routes_in_source();
    assert!(routes.len() > 50, "routes read from the source: {routes:?}");
    let found = discover(&app, &identities[&Who::Admin], &routes, &ids).await;

    let mut rng = Rng(SEED);
    let mut cases: Vec<Case> = Vec::new();
    let mut without_form = BTreeSet::new();
    for who in EVERYONE {
        for route in &routes {
            if route.method == "GET" {
                let names = found
                    .query_names
                    .get(&route.path)
                    .cloned()
                    .unwrap_or_default();
                let heavy = route.handler.contains("reports::")
                    || route.handler.ends_with("::export")
                    || route.handler.ends_with("::template");
                cases.extend(get_cases(&mut rng, who, &route.path, &ids, &names, heavy));
            } else {
                let form = found.forms.get(&route.path).cloned().unwrap_or_else(|| {
                    without_form.insert(route.path.clone());
                    // No page shows it: a guess at what it reads.
                    Form {
                        multipart: route.path.ends_with("/import"),
                        fields: ["token", "code", "title", "name", "value"]
                            .map(|n| (n.to_owned(), "x".to_owned()))
                            .to_vec(),
                        file: route.path.ends_with("/import").then(|| "file".to_owned()),
                    }
                });
                cases.extend(post_cases(
                    &mut rng,
                    who,
                    &identities[&who],
                    &route.path,
                    &ids,
                    &form,
                    &found.plan_csv,
                ));
            }
        }
    }
    // Shuffled, so that slow routes spread out and requests of all kinds
    // interleave.
    for i in (1..cases.len()).rev() {
        let j = rng.below(i + 1);
        cases.swap(i, j);
    }
    let prepared = started.elapsed();

    let mut failures = Vec::new();
    let mut timings = BTreeMap::new();
    let mut sent = 0;
    let mut signed_out = BTreeSet::new();
    for current in 0..=3 {
        if current == 0 || current == 2 {
            // Until the sign-ins and outs, every reader keeps their session,
            // or the cases after losing it tested the anonymous reader.
            for who in EVERYONE.into_iter().filter(|w| w.login().is_some()) {
                let case = plain_case(who, "GET", "/", "/".into(), "still signed in");
                let answer = send(app.clone(), request(&case, &identities[&who])).await;
                if answer.status != 200 {
                    signed_out.insert((current, who, answer.status, answer.location));
                }
            }
        }
        let mut running = JoinSet::new();
        for case in cases.iter().filter(|c| phase(&c.route) == current) {
            while running.len() >= IN_FLIGHT {
                collect(
                    running.join_next().await.unwrap(),
                    &mut failures,
                    &mut timings,
                );
            }
            sent += 1;
            let summary = case.clone();
            let task = tokio::spawn(run(
                app.clone(),
                case.clone(),
                identities[&case.who].clone(),
            ));
            running.spawn(async move {
                let sent_at = Instant::now();
                let failures = match task.await {
                    Ok(failures) => failures,
                    Err(error) => vec![Failure {
                        what: "panic".into(),
                        who: summary.who,
                        method: summary.method,
                        route: summary.route.clone(),
                        kind: summary.kind,
                        uri: summary.uri.chars().take(120).collect(),
                        request_id: None,
                        detail: if error.is_panic() {
                            panic_text(&*error.into_panic())
                        } else {
                            error.to_string()
                        },
                    }],
                };
                (summary.method, summary.route, sent_at.elapsed(), failures)
            });
        }
        while let Some(done) = running.join_next().await {
            collect(done, &mut failures, &mut timings);
        }
    }
    // Still serving after all that.
    let health = send(
        app.clone(),
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    let elapsed = started.elapsed();
    std::panic::set_hook(default_hook);

    let logged = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    let output = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test-output");
    std::fs::create_dir_all(&output).unwrap();
    std::fs::write(output.join("fuzz-server.log"), &logged).unwrap();
    let report = report(&failures, &logged, &panics().lock().unwrap());
    let mut slowest: Vec<_> = timings.into_iter().collect();
    slowest.sort_by_key(|(_, (_, total))| std::cmp::Reverse(*total));
    let slowest: Vec<String> = slowest
        .iter()
        .take(6)
        .map(|((method, route), (count, total))| {
            format!("{method} {route} {count}× {:.1} s", total.as_secs_f64())
        })
        .collect();
    eprintln!(
        "fuzz: {sent} requests ({} routes, {} forms found, none for {without_form:?}) in {:.1} s \
         ({:.1} s to prepare), {} failed, {} lines in test-output/fuzz-server.log; \
         the slowest routes: {slowest:?}",
        routes.len(),
        found.forms.len(),
        elapsed.as_secs_f64(),
        prepared.as_secs_f64(),
        failures.len(),
        logged.lines().count()
    );
    assert_eq!(health.status, 200, "the service still answers");
    assert!(
        signed_out.is_empty(),
        "signed out by a hostile request before the end: {signed_out:?}"
    );
    assert!(failures.is_empty(), "{report}");
    assert!(
        panics().lock().unwrap().is_empty(),
        "panics outside any request: {report}"
    );
}

/// Time spent per route: (method, route) → (requests, total time in flight).
type Timings = BTreeMap<(&'static str, String), (usize, std::time::Duration)>;

fn collect(
    done: Result<(&'static str, String, std::time::Duration, Vec<Failure>), tokio::task::JoinError>,
    failures: &mut Vec<Failure>,
    timings: &mut Timings,
) {
    let (method, route, took, failed) = done.expect("the task that runs a case never fails");
    failures.extend(failed);
    let timing = timings.entry((method, route)).or_default();
    timing.0 += 1;
    timing.1 += took;
}

/// What a log line says went wrong: its message and error, with the
/// SQLSTATE of a database error.
fn cause_in(line: &str) -> String {
    // After the spans (`request{…}:call: `), from the event's target on.
    let after_spans = line.rfind("}:").map_or(line, |i| &line[i + 2..]);
    let line = after_spans
        .match_indices(": ")
        .map(|(i, _)| i)
        .find(|&i| after_spans[..i].contains("::"))
        .and_then(|end| {
            after_spans[..end]
                .rfind(' ')
                .map(|start| &after_spans[start + 1..])
        })
        .unwrap_or(after_spans);
    let (message, fields) = line.split_once(" error=").unwrap_or((line, ""));
    let error = fields.split(" cause=").next().unwrap_or_default();
    let code = line
        .split("code: \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|code| format!(" (SQLSTATE {code})"))
        .unwrap_or_default();
    // Numbers that differ from one request to the next (task ids) would
    // split a group.
    let error: Vec<&str> = error
        .split(' ')
        .map(|word| {
            if !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()) {
                "N"
            } else {
                word
            }
        })
        .collect();
    let cause = format!("{message}: {}{code}", error.join(" "));
    cause.chars().take(300).collect()
}

/// The failures grouped by what failed and why (status, method, route, the
/// server's cause), each with the inputs that led there, its readers, its
/// count and an example.
fn report(failures: &[Failure], log: &str, panics: &[String]) -> String {
    let cause_of = |failure: &Failure| -> String {
        if failure.what == "panic" {
            return panics
                .iter()
                .find(|p| p.starts_with(&failure.detail))
                .map_or_else(
                    || format!("panic: {}", failure.detail),
                    |p| format!("panic: {p}"),
                );
        }
        let page = || format!("page: {}", failure.detail);
        let Some(id) = &failure.request_id else {
            return page();
        };
        let needle = format!("id={id}");
        let logged: BTreeSet<String> = log
            .lines()
            .filter(|line| {
                line.contains(&needle) && (line.contains(" ERROR ") || line.contains(" WARN "))
            })
            .map(|line| format!("log: {}", cause_in(line)))
            .collect();
        if logged.is_empty() {
            page()
        } else {
            logged.into_iter().collect::<Vec<_>>().join("\n    ")
        }
    };
    type Group<'a> = (BTreeSet<String>, BTreeSet<Who>, usize, &'a Failure);
    let mut groups: BTreeMap<(String, String, &str, String), Group> = BTreeMap::new();
    for failure in failures {
        let key = (
            failure.what.clone(),
            failure.route.clone(),
            failure.method,
            cause_of(failure),
        );
        let entry = groups
            .entry(key)
            .or_insert_with(|| (BTreeSet::new(), BTreeSet::new(), 0, failure));
        entry.0.insert(failure.kind.clone());
        entry.1.insert(failure.who);
        entry.2 += 1;
    }
    let mut text = format!(
        "{} failed requests, {} distinct (status, method, route, cause):\n",
        failures.len(),
        groups.len()
    );
    for ((what, route, method, cause), (kinds, who, count, example)) in &groups {
        let mut inputs: Vec<&str> = kinds.iter().map(String::as_str).take(12).collect();
        let more = format!("and {} more", kinds.len().saturating_sub(12));
        if kinds.len() > 12 {
            inputs.push(&more);
        }
        text.push_str(&format!(
            "- {what} {method} {route} ×{count} {who:?}\n    inputs: {}\n    e.g. {}\n    {cause}\n",
            inputs.join(" | "),
            example.uri
        ));
    }
    let stray: Vec<&String> = panics
        .iter()
        .filter(|p| {
            !failures
                .iter()
                .any(|f| f.what == "panic" && p.starts_with(&f.detail))
        })
        .collect();
    if !stray.is_empty() {
        text.push_str(&format!("panics outside a request's task: {stray:#?}\n"));
    }
    text
}
