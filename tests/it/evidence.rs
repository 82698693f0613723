//! Evidence on progress updates through the router: files (PDF, PNG) and
//! links attached by an editor on the activity page (and reached from the
//! grid), downloaded by the agency's readers with safe headers and refused
//! to another agency's, types checked from the content, the size limit,
//! withdrawal (audited; admins only may still download), the drill-down's
//! count, and the bytes kept only in PostgreSQL, in chunks.

use crate::common::*;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use sqlx::PgPool;
use suivi::domain::Role;
use suivi::web::{self, AppState, AttachmentLimit, WebConfig};
use tower::ServiceExt;

/// A 1×1 PNG.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\nIDAT\x78\x9c\x63\x00\x01\x00\x00\x05\x00\x01\x0d\x0a\x2d\xb4\x00\x00\x00\x00IEND\xaeB`\x82";

/// A PDF of `size` bytes: a header, then filler that differs from byte to
/// byte (so that a chunk out of place would show).
fn pdf(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n%".to_vec();
    let mut x: u32 = 7;
    while bytes.len() < size {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    bytes
}

/// An activity of ANASER's PAP 2025 by code, and its latest update.
async fn activity_and_update(pool: &PgPool, code: &str) -> (i64, i64) {
    let plan = plan_id(pool, "ANASER", "PAP-2025").await;
    sqlx::query_as(
        "SELECT a.id, max(u.id) FROM activities a JOIN progress_updates u ON u.activity_id = a.id \
         WHERE a.plan_id = $1 AND a.code = $2 GROUP BY a.id",
    )
    .bind(plan)
    .bind(code)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
}

/// (attachments, chunks): what an upload would add.
async fn stored(pool: &PgPool) -> (i64, i64) {
    (
        count(pool, "attachments").await,
        count(pool, "attachment_chunks").await,
    )
}

/// The CSRF token of the activity's page, with the attach form of `update`.
async fn attach_form(client: &mut Client, activity: i64, update: i64) -> String {
    let page = client.get(&format!("/activities/{activity}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.attrs(&format!("#attach-{update} form"), "action"),
        [format!("/updates/{update}/attachments")],
        "the update has its attach form"
    );
    csrf_of(&page)
}

async fn upload(
    client: &mut Client,
    update: i64,
    csrf: &str,
    label: &str,
    file: (&str, &[u8]),
) -> Page {
    client
        .post_file(
            &format!("/updates/{update}/attachments"),
            &[("csrf", csrf), ("label", label), ("url", "")],
            ("file", file.0, file.1),
        )
        .await
}

/// The id of the attachment most recently added.
async fn last_attachment(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT max(id) FROM attachments")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A GET as the client, with every response header.
async fn fetch(client: &Client, uri: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::builder().uri(uri);
    let cookies = client.cookie_header();
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies);
    }
    let response = client
        .app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

/// A second agency's editor (the demo has only its reader).
async fn crss_editor(pool: &PgPool) {
    let hash = suivi::passwords::hash(DEMO_PASSWORD).unwrap();
    let user = suivi::store::users::create(pool, "crss.editeur", "CRSS", &hash, false)
        .await
        .unwrap()
        .unwrap();
    let crss = agency_id(pool, "CRSS").await;
    suivi::store::users::set_role(pool, user, crss, Role::Editor)
        .await
        .unwrap();
}

#[sqlx::test]
async fn an_editor_attaches_a_pdf_and_a_png_that_the_agency_s_readers_download(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.03").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = attach_form(&mut editor, activity, update).await;

    // Larger than a chunk, so that it is written and read in three.
    let report = pdf(2 * 1024 * 1024 + 300_000);
    let saved = upload(
        &mut editor,
        update,
        &csrf,
        "Rapport des ateliers",
        ("Rapport ateliers é.pdf", &report),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(
        saved.location,
        Some(format!("/activities/{activity}#update-{update}"))
    );
    let report_id = last_attachment(&pool).await;
    let chunks: Vec<i32> = sqlx::query_scalar(
        "SELECT length(bytes) FROM attachment_chunks WHERE attachment_id = $1 ORDER BY n",
    )
    .bind(report_id)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(chunks, [1024 * 1024, 1024 * 1024, 300_000]);

    // A PNG named as a JPEG: the content decides.
    let saved = upload(&mut editor, update, &csrf, "", ("photo.jpg", PNG)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let photo_id = last_attachment(&pool).await;

    let (action, after): (String, serde_json::Value) = sqlx::query_as(
        "SELECT action, after FROM audit_log WHERE object_type = 'attachment' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(action, "attachment.add");
    assert_eq!(after["file_type"], "png");
    assert_eq!(after["update_id"], update);
    assert_eq!(after["author"], "Point focal ANASER (démo)");

    // The history shows both, under their update.
    let page = editor.get(&format!("/activities/{activity}")).await;
    let listed = format!("#history tr[data-evidence-for='{update}'] li[data-kind=file]");
    let texts = page.texts(&listed);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].starts_with("Rapport des ateliers PDF · 2,3 Mo"),
        "{texts:?}"
    );
    assert!(texts[1].starts_with("photo.jpg PNG · 1 Ko"), "{texts:?}");

    // A board member of the agency downloads them, byte for byte.
    let board = signed_in(&app, "anaser.ca").await;
    let (status, headers, bytes) = fetch(&board, &format!("/attachments/{report_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == report, "the same bytes ({} read)", bytes.len());
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"Rapport_ateliers__.pdf\""
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    assert_eq!(headers[header::CONTENT_LENGTH], report.len().to_string());

    let (status, headers, bytes) = fetch(&board, &format!("/attachments/{photo_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PNG);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"photo.png\""
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

    // Signed out: the login form, nothing of the file.
    let (status, headers, _) = fetch(&Client::new(&app), &format!("/attachments/{photo_id}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login?next="));

    // A board member reads but does not attach: no form, and a 403.
    let mut board = board;
    let page = board.get(&format!("/activities/{activity}")).await;
    assert!(page.texts("form.attach").is_empty());
    let refused = upload(&mut board, update, &csrf_of(&page), "", ("a.png", PNG)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // In English too.
    let page = editor
        .get_with(
            &format!("/activities/{activity}"),
            &[("cookie", "suivi_lang=en")],
        )
        .await;
    assert_eq!(
        page.texts(&format!("#attach-{update} summary")),
        ["Add evidence"]
    );
}

#[sqlx::test]
async fn another_agency_is_refused_and_told_nothing(pool: PgPool) {
    let app = demo_app(&pool).await;
    crss_editor(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.01").await;
    // The demo's procès-verbal of the CISR's inaugural session.
    let demo_pdf: i64 =
        sqlx::query_scalar("SELECT id FROM attachments WHERE update_id = $1 AND file_type = 'pdf'")
            .bind(update)
            .fetch_one(&pool)
            .await
            .unwrap();

    for login in ["crss.lecteur", "crss.editeur"] {
        let other = signed_in(&app, login).await;
        let (status, _, bytes) = fetch(&other, &format!("/attachments/{demo_pdf}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{login}");
        let body = String::from_utf8_lossy(&bytes);
        for secret in ["CISR", "PV_session", "ANASER", "%PDF", "Procès-verbal"] {
            assert!(!body.contains(secret), "{login} is shown {secret:?}");
        }
        let mut other = other;
        let page = other.get(&format!("/activities/{activity}")).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
    }

    // Nor may another agency's editor attach to ANASER's updates.
    let mut other = signed_in(&app, "crss.editeur").await;
    let csrf = csrf_of(&other.get("/account/password").await);
    let before = stored(&pool).await;
    let refused = upload(&mut other, update, &csrf, "", ("a.png", PNG)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(!refused.body.contains("ANASER"));
    assert_eq!(stored(&pool).await, before);

    // An id that names nothing is a 404, the same for everyone.
    let (status, _, _) = fetch(&other, "/attachments/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn a_disguised_program_is_refused_by_its_content(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.03").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = attach_form(&mut editor, activity, update).await;
    let before = stored(&pool).await;

    let mut windows = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00".to_vec();
    windows.extend_from_slice(&[0; 200]);
    let mut linux = b"\x7FELF\x02\x01\x01".to_vec();
    linux.extend_from_slice(&[0; 200]);
    for (name, bytes) in [("photo.jpg", &windows), ("rapport.pdf", &linux)] {
        let refused = upload(&mut editor, update, &csrf, "Photo", (name, bytes)).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let message = refused.text(&format!("#attach-{update} .field-error"));
        assert!(
            message.starts_with("Ce fichier est un programme, quel que soit son nom"),
            "{name}: {message}"
        );
        // The form is open again, with the label typed.
        assert_eq!(
            refused.attrs(
                &format!("#attach-{update}[open] input[name=label]"),
                "value"
            ),
            ["Photo"]
        );
    }
    // Nor anything else that is not a document, whatever its name.
    let refused = upload(
        &mut editor,
        update,
        &csrf,
        "",
        ("page.pdf", b"<html><script>alert(1)</script>"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused
        .text(".field-error")
        .contains("c’est le contenu qui est vérifié, pas le nom"));
    assert_eq!(stored(&pool).await, before, "nothing stored");
}

/// The app with a 1 MB limit per file.
fn app_with_limit(pool: &PgPool, megabytes: u32) -> axum::Router {
    web::app(AppState::new(
        pool.clone(),
        WebConfig {
            today: Some(today()),
            max_attachment: AttachmentLimit { megabytes },
            ..WebConfig::default()
        },
    ))
}

#[sqlx::test]
async fn a_file_past_the_limit_is_refused_with_the_limit_and_nothing_stored(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.03").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = attach_form(&mut editor, activity, update).await;
    let before = stored(&pool).await;

    // 50 MB against the default 10: the body is not even read to its end.
    let huge = pdf(50 * 1024 * 1024);
    let refused = upload(&mut editor, update, &csrf, "", ("scan.pdf", &huge)).await;
    drop(huge);
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused.content_type.starts_with("text/html"));
    assert_eq!(
        refused.text(&format!("#attach-{update} .field-error")),
        "Ce fichier dépasse la taille maximale autorisée (10 Mo par pièce) : rien n’a été enregistré."
    );
    assert_eq!(stored(&pool).await, before);

    // Just past a configured 1 MB: read whole, refused by the handler.
    let mut editor = editor;
    editor.app = app_with_limit(&pool, 1);
    let csrf = attach_form(&mut editor, activity, update).await;
    let page = editor.get(&format!("/activities/{activity}")).await;
    assert!(page
        .text(&format!("label[for=a-file-{update}]"))
        .ends_with("1 Mo au plus"));
    let over = pdf(1024 * 1024 + 1);
    let refused = upload(&mut editor, update, &csrf, "", ("scan.pdf", &over)).await;
    assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(refused
        .text(".field-error")
        .contains("(1 Mo par pièce) : rien n’a été enregistré"));
    assert_eq!(stored(&pool).await, before);
    // At the limit exactly, it is kept.
    let saved = upload(
        &mut editor,
        update,
        &csrf,
        "",
        ("scan.pdf", &pdf(1024 * 1024)),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn a_link_is_attached_and_shown_and_only_http_links_are(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.05").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = attach_form(&mut editor, activity, update).await;
    let uri = format!("/updates/{update}/attachments");
    let before = stored(&pool).await;

    for (url, message) in [
        ("javascript:alert(1)", "Ce lien n’est pas valide"),
        (
            "https://ministere.ml@ailleurs.example/",
            "Ce lien n’est pas valide",
        ),
        ("", "Choisissez un fichier ou saisissez un lien."),
    ] {
        let refused = editor
            .post_file(
                &uri,
                &[("csrf", &csrf), ("label", ""), ("url", url)],
                ("file", "", b""),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        assert!(refused.text(".field-error").starts_with(message), "{url}");
    }
    let both = editor
        .post_file(
            &uri,
            &[("csrf", &csrf), ("url", "https://anaser.ml/")],
            ("file", "a.png", PNG),
        )
        .await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored(&pool).await, before);

    let link = "https://anaser.ml/formation?session=2025&lieu=Bamako";
    let saved = editor
        .post_file(
            &uri,
            &[
                ("csrf", &csrf),
                ("label", "Liste de présence"),
                ("url", link),
            ],
            ("file", "", b""),
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(stored(&pool).await, (before.0 + 1, before.1), "no bytes");
    let page = editor.get(&format!("/activities/{activity}")).await;
    let selector =
        format!("tr[data-evidence-for='{update}'] li[data-kind=link] a[data-field=link]");
    assert_eq!(page.attrs(&selector, "href"), [link]);
    assert_eq!(page.texts(&selector), ["Liste de présence"]);
    assert_eq!(
        page.attrs(&selector, "rel"),
        ["noopener noreferrer nofollow"]
    );
    // Nothing to download behind a link.
    let board = signed_in(&app, "anaser.ca").await;
    let id = last_attachment(&pool).await;
    assert_eq!(
        fetch(&board, &format!("/attachments/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn a_withdrawn_attachment_is_audited_and_kept_for_admins_only(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.03").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = attach_form(&mut editor, activity, update).await;
    let saved = upload(
        &mut editor,
        update,
        &csrf,
        "Photo de l’atelier",
        ("a.png", PNG),
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let id = last_attachment(&pool).await;
    let uri = format!("/attachments/{id}/withdraw");

    let page = editor.get(&format!("/activities/{activity}")).await;
    assert_eq!(
        page.attrs(
            &format!("li[data-attachment='{id}'] form.withdraw"),
            "action"
        ),
        std::slice::from_ref(&uri)
    );
    // A reason is needed.
    let refused = editor
        .post(&uri, &[("csrf", &csrf), ("reason", "  ")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.text(&format!("li[data-attachment='{id}'] .field-error")),
        "Indiquez le motif du retrait."
    );
    // Not by a board member.
    let mut board = signed_in(&app, "anaser.ca").await;
    let board_csrf = csrf_of(&board.get(&format!("/activities/{activity}")).await);
    let refused = board
        .post(&uri, &[("csrf", &board_csrf), ("reason", "Erreur")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(count(&pool, "attachment_withdrawals").await, 0);

    let withdrawn = editor
        .post(
            &uri,
            &[("csrf", &csrf), ("reason", "Photo d’un autre atelier")],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    assert_eq!(
        withdrawn.location,
        Some(format!("/activities/{activity}#update-{update}"))
    );
    let (action, before, after): (String, serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT action, before, after FROM audit_log WHERE object_type = 'attachment' \
         AND object_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(action, "attachment.withdraw");
    assert_eq!(before["withdrawal_reason"], serde_json::Value::Null);
    assert_eq!(after["withdrawal_reason"], "Photo d’un autre atelier");
    assert_eq!(after["withdrawn_by"], "Point focal ANASER (démo)");

    // Shown as withdrawn, with no download link but for admins.
    let page = board.get(&format!("/activities/{activity}")).await;
    let item = format!("li[data-attachment='{id}'][data-withdrawn=true]");
    assert!(page
        .text(&format!("{item} [data-field=withdrawal]"))
        .ends_with("par Point focal ANASER (démo) : Photo d’un autre atelier"));
    assert!(page.attrs(&format!("{item} a"), "href").is_empty());
    for client in [&board, &editor] {
        assert_eq!(
            fetch(client, &format!("/attachments/{id}")).await.0,
            StatusCode::NOT_FOUND
        );
    }
    let mut admin = signed_in(&app, "admin").await;
    let page = admin.get(&format!("/activities/{activity}")).await;
    assert_eq!(
        page.attrs(&format!("{item} a[data-field=download]"), "href"),
        [format!("/attachments/{id}")]
    );
    let (status, _, bytes) = fetch(&admin, &format!("/attachments/{id}")).await;
    assert_eq!((status, bytes.as_slice()), (StatusCode::OK, PNG));

    // Once is enough; the row and its bytes stay.
    let again = editor
        .post(&uri, &[("csrf", &csrf), ("reason", "Encore")])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(count(&pool, "attachment_withdrawals").await, 1);
    let kept: i64 =
        sqlx::query_scalar("SELECT count(*) FROM attachment_chunks WHERE attachment_id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(kept, 1);
    // And the database itself refuses to delete evidence.
    assert!(sqlx::query("DELETE FROM attachments WHERE id = $1")
        .bind(id)
        .execute(&pool)
        .await
        .is_err());
}

/// Every file under `dir` changed since `since` whose bytes hold `marker`.
fn files_holding(
    dir: &std::path::Path,
    since: std::time::SystemTime,
    marker: &[u8],
) -> Vec<String> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                dirs.push(path);
            } else if meta.is_file()
                && meta.len() < 64 * 1024 * 1024
                && meta.modified().is_ok_and(|m| m >= since)
            {
                if let Ok(bytes) = std::fs::read(&path) {
                    if bytes.windows(marker.len()).any(|w| w == marker) {
                        found.push(path.display().to_string());
                    }
                }
            }
        }
    }
    found
}

#[sqlx::test]
async fn files_are_kept_only_in_postgresql(pool: PgPool) {
    let app = demo_app(&pool).await;
    let (activity, update) = activity_and_update(&pool, "A1.03").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;
    let csrf = attach_form(&mut editor, activity, update).await;
    let since = std::time::SystemTime::now() - std::time::Duration::from_secs(1);
    // A marker no other file can hold by chance.
    let marker = format!("suivi-evidence-{}-{:?}", std::process::id(), since);
    let mut file = pdf(1500 * 1024);
    file.extend_from_slice(marker.as_bytes());
    let saved = upload(&mut editor, update, &csrf, "", ("preuve.pdf", &file)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let id = last_attachment(&pool).await;
    let board = signed_in(&app, "anaser.ca").await;
    let (status, _, bytes) = fetch(&board, &format!("/attachments/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes == file);

    // In PostgreSQL, whole, in two chunks.
    let kept: Vec<u8> = sqlx::query_scalar(
        "SELECT string_agg(bytes, ''::bytea ORDER BY n) FROM attachment_chunks WHERE attachment_id = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(kept == file);
    // And nowhere on this machine's disk where a server would write: the
    // temporary directory, the working directory.
    // PostgreSQL's own files hold it, of course, and a test cluster may live
    // in the temporary directory (scripts/test puts it there): not those.
    let data_directory: String = sqlx::query_scalar("SHOW data_directory")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut places = vec![std::env::temp_dir(), std::env::current_dir().unwrap()];
    places.dedup();
    for place in places {
        let found: Vec<_> = files_holding(&place, since, marker.as_bytes())
            .into_iter()
            .filter(|path| !path.starts_with(&data_directory))
            .collect();
        assert!(found.is_empty(), "the file was written to {found:?}");
    }
}

#[sqlx::test]
async fn the_drilldown_counts_the_evidence_and_the_grid_leads_to_the_form(pool: PgPool) {
    let app = demo_app(&pool).await;
    let plan = plan_id(&pool, "ANASER", "PAP-2025").await;
    let mut editor = signed_in(&app, "anaser.editeur").await;

    // The demo's: a PDF on A1.01 and A1.07, a link on A2.01.
    let page = editor
        .get(&format!("/plans/{plan}/activities?as_of=2025-11-30"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let count_of = |page: &Page, code: &str| {
        page.text(&format!(
            "#activities tr[data-activity='{code}'] [data-field=evidence]"
        ))
    };
    for code in ["A1.01", "A1.07", "A2.01"] {
        assert_eq!(count_of(&page, code), "1", "{code}");
    }
    assert_eq!(count_of(&page, "A1.03"), "—");
    let (a101, _) = activity_and_update(&pool, "A1.01").await;
    assert_eq!(
        page.attrs(
            "#activities tr[data-activity='A1.01'] [data-field=evidence] a",
            "href"
        ),
        [format!("/activities/{a101}#history")]
    );

    // From the grid's row to the latest update's form, and an upload there.
    let (activity, update) = activity_and_update(&pool, "A1.03").await;
    let grid = editor.get(&format!("/plans/{plan}/grid")).await;
    let link = format!("/activities/{activity}#attach-{update}");
    assert_eq!(
        grid.attrs(
            &format!("tr[data-activity='{activity}'] a[data-field=evidence]"),
            "href"
        ),
        [link]
    );
    let csrf = attach_form(&mut editor, activity, update).await;
    let saved = upload(&mut editor, update, &csrf, "", ("photo.png", PNG)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = editor
        .get(&format!("/plans/{plan}/activities?as_of=2025-11-30"))
        .await;
    assert_eq!(count_of(&page, "A1.03"), "1");
    // A withdrawn piece no longer counts.
    let a101_pdf: i64 = sqlx::query_scalar(
        "SELECT t.id FROM attachments t JOIN progress_updates u ON u.id = t.update_id \
         WHERE u.activity_id = $1",
    )
    .bind(a101)
    .fetch_one(&pool)
    .await
    .unwrap();
    let withdrawn = editor
        .post(
            &format!("/attachments/{a101_pdf}/withdraw"),
            &[("csrf", &csrf), ("reason", "Version provisoire")],
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let page = editor
        .get(&format!("/plans/{plan}/activities?as_of=2025-11-30"))
        .await;
    assert_eq!(count_of(&page, "A1.01"), "—");
}

#[sqlx::test]
async fn the_demo_pdfs_open_and_a_second_load_adds_none(pool: PgPool) {
    let app = demo_app(&pool).await;
    suivi::demo::load(&pool).await.unwrap();
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM attachments WHERE kind = 'file' ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(count(&pool, "attachments").await, 3);
    let board = signed_in(&app, "anaser.ca").await;
    for id in ids {
        let (status, headers, bytes) = fetch(&board, &format!("/attachments/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        let document = lopdf::Document::load_mem(&bytes).expect("a valid PDF");
        assert_eq!(document.get_pages().len(), 1);
    }
}
