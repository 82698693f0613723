//! Evidence on progress updates: attaching a file or a link to an update
//! (`POST /updates/{id}/attachments`, the agency's editors and admins),
//! downloading a file (`GET /attachments/{id}`, the agency's readers) and
//! withdrawing an attachment with a reason (`POST /attachments/{id}/withdraw`,
//! the agency's editors and admins). The activity page shows the evidence of
//! each update with these forms ([`EvidencePanel`]), and shows them again
//! with their message when one is refused.
//!
//! A file's type comes from its content — its first bytes, and for office
//! documents the zip's own list of what it holds — never from its name or
//! the type the browser sent: only PDF, JPEG, PNG and office documents are
//! kept, so a program renamed `photo.jpg` is refused. Files are served as
//! downloads (`Content-Disposition: attachment`, `nosniff`), never shown
//! inline, and read from PostgreSQL one chunk at a time as they are sent.

use std::io::Read;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sqlx::PgPool;
use tokio::sync::mpsc;

use super::evidence::{Refusal, RefusedForm};
use crate::store::attachments::{
    self, AttachmentRow, Author, Evidence, FileType, UpdateRef, WithdrawOutcome,
};
use crate::store::audit::Actor;
use crate::web::auth::CurrentUser;
use crate::web::csrf::{CsrfForm, CsrfUpload};
use crate::web::download::attachment_of_type;
use crate::web::extract::{Editable, FromPath, OfAgency, Readable};
use crate::web::{AppError, AppState, Ctx};

/// The longest label, link and reason kept (the table's CHECKs say the same).
const LABEL_MAX_CHARS: usize = 200;
const URL_MAX_CHARS: usize = 2000;
const REASON_MAX_CHARS: usize = 500;
/// The longest file name kept; a longer one is cut (it is only shown).
const FILE_NAME_MAX_CHARS: usize = 255;
/// The most of an office document's table of contents read to find its type.
const CONTENT_TYPES_MAX_BYTES: u64 = 256 * 1024;

impl FromPath for UpdateRef {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        match parse_id(param) {
            Some(id) => Ok(attachments::find_update(&state.db, id).await?),
            None => Ok(None),
        }
    }
}

impl OfAgency for UpdateRef {
    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

impl FromPath for AttachmentRow {
    const PARAM: &'static str = "id";

    async fn load(state: &AppState, param: &str) -> Result<Option<Self>, AppError> {
        match parse_id(param) {
            Some(id) => Ok(attachments::find(&state.db, id).await?),
            None => Ok(None),
        }
    }
}

impl OfAgency for AttachmentRow {
    fn agency_id(&self) -> i64 {
        self.agency_id
    }
}

/// A positive id from the URL; anything else names no attachment (404).
fn parse_id(text: &str) -> Option<i64> {
    text.parse::<i64>().ok().filter(|id| *id > 0)
}

/// Attaches the file or the link of the form to the update, then back to
/// the activity's page at that update.
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(update, user): Editable<UpdateRef>,
    upload: Result<CsrfUpload, AppError>,
) -> Result<Response, AppError> {
    let limit = state.config.max_attachment;
    let too_large = |ctx: &Ctx| {
        ctx.t_with(
            "evidence.error.too_large",
            &[("max", &limit.megabytes.to_string())],
        )
    };
    let upload = match upload {
        Ok(upload) => upload,
        // Past the route's limit, the body was not read to its end (nor its
        // token checked): nothing is written, the page says the limit.
        Err(AppError::TooLarge { .. }) => {
            let message = too_large(&ctx);
            let refusal = Refusal::attach(update.id, message, "", "");
            let status = StatusCode::PAYLOAD_TOO_LARGE;
            return super::activities::refused_evidence(
                &state, ctx, &update, &user, refusal, status,
            )
            .await;
        }
        Err(other) => return Err(other),
    };
    let label = upload.field("label").unwrap_or_default().trim().to_owned();
    let url = upload.field("url").unwrap_or_default().trim().to_owned();
    let checked = check_upload(&upload, &label, &url, limit.bytes());
    let evidence = match checked {
        Ok(evidence) => evidence,
        Err(problem) => {
            let (message, status) = match problem {
                Problem::TooLarge => (too_large(&ctx), StatusCode::PAYLOAD_TOO_LARGE),
                Problem::Refused(key) => {
                    (ctx.t(key).into_owned(), StatusCode::UNPROCESSABLE_ENTITY)
                }
            };
            let refusal = Refusal::attach(update.id, message, &label, &url);
            return super::activities::refused_evidence(
                &state, ctx, &update, &user, refusal, status,
            )
            .await;
        }
    };
    let label = (!label.is_empty()).then_some(label.as_str());
    let added = attachments::add(&state.db, &update, evidence, label, author(&user)).await?;
    tracing::info!(
        update = update.id,
        attachment = added.id,
        "evidence attached"
    );
    Ok(Redirect::to(&format!(
        "/activities/{}#update-{}",
        update.activity_id, update.id
    ))
    .into_response())
}

/// Why an upload was refused: past the size limit (413), or a catalog key.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    TooLarge,
    Refused(&'static str),
}

/// The evidence the form carries once every rule holds: a label of a
/// reasonable length, a file or a link but not both, the file within the
/// limit and of a type its content shows, the link http or https.
fn check_upload<'a>(
    upload: &'a CsrfUpload,
    label: &str,
    url: &'a str,
    max_bytes: usize,
) -> Result<Evidence<'a>, Problem> {
    if label.chars().count() > LABEL_MAX_CHARS {
        return Err(Problem::Refused("evidence.error.label_too_long"));
    }
    match (&upload.file, url.is_empty()) {
        (Some(_), false) => Err(Problem::Refused("evidence.error.both")),
        (None, true) => Err(Problem::Refused("evidence.error.nothing")),
        (None, false) => parse_link(url)
            .map(|url| Evidence::Link { url })
            .map_err(Problem::Refused),
        (Some((sent_name, bytes)), true) => {
            if bytes.len() > max_bytes {
                return Err(Problem::TooLarge);
            }
            let file_name = shown_file_name(sent_name);
            let file_type = file_type_of(bytes, file_name).map_err(Problem::Refused)?;
            Ok(Evidence::File {
                file_name,
                file_type,
                bytes,
            })
        }
    }
}

/// The name shown for a file: what follows the last `/` or `\` (some
/// browsers send the whole path), at most 255 characters.
fn shown_file_name(sent: &str) -> &str {
    let name = sent.rsplit(['/', '\\']).next().unwrap_or(sent).trim();
    let name = match name.char_indices().nth(FILE_NAME_MAX_CHARS) {
        Some((end, _)) => &name[..end],
        None => name,
    };
    if name.is_empty() {
        "piece"
    } else {
        name
    }
}

/// A link to keep: http or https, a host, no credentials in it (a
/// `https://ministere.ml@ailleurs.example` reads as the ministry's), no
/// spaces or control characters.
fn parse_link(text: &str) -> Result<&str, &'static str> {
    if text.chars().count() > URL_MAX_CHARS {
        return Err("evidence.error.link_too_long");
    }
    let lower = text.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .ok_or("evidence.error.bad_link")?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || "-.:[]".contains(c));
    if !host_ok || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("evidence.error.bad_link");
    }
    Ok(text)
}

/// What the file is, from its content; `sent_name` only tells apart the
/// legacy Word, Excel and PowerPoint files, whose shared container (OLE2)
/// does not say which it holds. Anything else is refused with a catalog key.
fn file_type_of(bytes: &[u8], sent_name: &str) -> Result<FileType, &'static str> {
    const PDF: &[u8] = b"%PDF-";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JPEG: &[u8] = b"\xFF\xD8\xFF";
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.starts_with(PDF) {
        Ok(FileType::Pdf)
    } else if bytes.starts_with(PNG) {
        Ok(FileType::Png)
    } else if bytes.starts_with(JPEG) {
        Ok(FileType::Jpeg)
    } else if bytes.starts_with(ZIP) {
        office_document(bytes)
    } else if bytes.starts_with(OLE2) {
        legacy_office_document(sent_name)
    } else if is_program(bytes) {
        Err("evidence.error.executable")
    } else {
        Err("evidence.error.unknown_type")
    }
}

/// Programs and scripts, whatever they are named: Windows (MZ), Linux (ELF),
/// macOS (Mach-O, and universal binaries), and scripts (`#!`).
fn is_program(bytes: &[u8]) -> bool {
    const MAGICS: [&[u8]; 8] = [
        b"MZ",
        b"\x7FELF",
        b"\xFE\xED\xFA\xCE",
        b"\xFE\xED\xFA\xCF",
        b"\xCE\xFA\xED\xFE",
        b"\xCF\xFA\xED\xFE",
        b"\xCA\xFE\xBA\xBE",
        b"#!",
    ];
    MAGICS.iter().any(|magic| bytes.starts_with(magic))
}

/// A zip is kept only as an office document: OpenDocument names its type in
/// a `mimetype` entry, Office Open XML in `[Content_Types].xml`. Documents
/// with macros (docm, xlsm, a `vbaProject`) are refused: they carry code.
fn office_document(bytes: &[u8]) -> Result<FileType, &'static str> {
    const UNKNOWN: &str = "evidence.error.unknown_type";
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| UNKNOWN)?;
    if let Some(mimetype) = entry_text(&mut archive, "mimetype") {
        return match mimetype.trim() {
            "application/vnd.oasis.opendocument.text" => Ok(FileType::Odt),
            "application/vnd.oasis.opendocument.spreadsheet" => Ok(FileType::Ods),
            "application/vnd.oasis.opendocument.presentation" => Ok(FileType::Odp),
            _ => Err(UNKNOWN),
        };
    }
    let types = entry_text(&mut archive, "[Content_Types].xml").ok_or(UNKNOWN)?;
    if types.contains("macroEnabled") || types.contains("vbaProject") {
        return Err("evidence.error.macros");
    }
    const MAIN_PARTS: [(&str, FileType); 3] = [
        ("wordprocessingml.document.main+xml", FileType::Docx),
        ("spreadsheetml.sheet.main+xml", FileType::Xlsx),
        ("presentationml.presentation.main+xml", FileType::Pptx),
    ];
    MAIN_PARTS
        .iter()
        .find(|(part, _)| types.contains(part))
        .map(|(_, file_type)| *file_type)
        .ok_or(UNKNOWN)
}

/// The text of a small entry of the zip, read no further than needed to
/// know the type (a hostile zip may inflate to far more).
fn entry_text<R: std::io::Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    name: &str,
) -> Option<String> {
    let entry = archive.by_name(name).ok()?;
    let mut text = String::new();
    entry
        .take(CONTENT_TYPES_MAX_BYTES)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// Word, Excel and PowerPoint before 2007 share one container: the name
/// says which, and nothing else in it is kept (an installer is one too).
fn legacy_office_document(sent_name: &str) -> Result<FileType, &'static str> {
    let extension = sent_name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    match extension.as_deref() {
        Some("doc") => Ok(FileType::Doc),
        Some("xls") => Ok(FileType::Xls),
        Some("ppt") => Ok(FileType::Ppt),
        _ => Err("evidence.error.unknown_type"),
    }
}

/// A file attached to an update of the reader's agency, as a download.
pub async fn download(
    State(state): State<AppState>,
    Readable(attachment, user): Readable<AttachmentRow>,
) -> Result<Response, AppError> {
    // Withdrawn, it is kept for the record: admins only.
    if attachment.is_withdrawn() && !user.user.is_admin {
        return Err(AppError::NotFound);
    }
    file_answer(&state, &attachment).await
}

/// The attachment's file as a download, once the caller has checked that
/// the reader may have it (here, or a public page that shows it); a link is
/// a 404, having nothing to download.
pub async fn file_answer(
    state: &AppState,
    attachment: &AttachmentRow,
) -> Result<Response, AppError> {
    // A link has nothing to download: the page links to it directly.
    let (Some(file_type), Some(size)) = (attachment.file_type, attachment.size_bytes) else {
        return Err(AppError::NotFound);
    };
    // The first chunk is read here, so that a database that does not answer
    // gets its error page rather than a download cut short.
    let first = attachments::chunk(&state.db, attachment.id, 0)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("attachment {} has no bytes", attachment.id))
        })?;
    let body = chunks_body(state.db.clone(), attachment.id, first);
    let mut response =
        attachment_of_type(file_type.content_type(), &attachment.download_name(), body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    // A browser must never take a file for something else (an HTML page).
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}

/// The file's bytes, `first` then the following chunks read one at a time
/// as the client takes them (at most two held at once).
fn chunks_body(db: PgPool, attachment_id: i64, first: Vec<u8>) -> Body {
    let (sender, mut receiver) = mpsc::channel::<std::io::Result<Vec<u8>>>(1);
    tokio::spawn(async move {
        if sender.send(Ok(first)).await.is_err() {
            return;
        }
        for n in 1..i32::MAX {
            let chunk = match attachments::chunk(&db, attachment_id, n).await {
                Ok(Some(bytes)) => Ok(bytes),
                Ok(None) => break,
                Err(error) => {
                    tracing::error!(%error, attachment = attachment_id, chunk = n, "reading a file");
                    Err(std::io::Error::other(error))
                }
            };
            let failed = chunk.is_err();
            // A client gone away closes the channel: stop reading.
            if sender.send(chunk).await.is_err() || failed {
                break;
            }
        }
    });
    // A closed channel keeps answering "no more" if polled again, as the
    // compression layer does (see `reports::body_of`).
    Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }))
}

#[derive(Debug, Default, Deserialize)]
pub struct WithdrawInput {
    #[serde(default)]
    reason: String,
}

/// Withdraws an attachment with the reason given, then back to its update.
pub async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    Editable(attachment, user): Editable<AttachmentRow>,
    CsrfForm(input): CsrfForm<WithdrawInput>,
) -> Result<Response, AppError> {
    if attachment.is_withdrawn() {
        return Err(AppError::Conflict {
            key: "evidence.error.already_withdrawn",
        });
    }
    let reason = input.reason.trim();
    let problem = if reason.is_empty() {
        Some("evidence.error.reason_missing")
    } else if reason.chars().count() > REASON_MAX_CHARS {
        Some("evidence.error.reason_too_long")
    } else {
        None
    };
    let update = attachments::find_update(&state.db, attachment.update_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if let Some(key) = problem {
        let refusal = Refusal {
            form: RefusedForm::Withdraw(attachment.id),
            message: ctx.t(key).into_owned(),
            label: String::new(),
            url: String::new(),
            reason: reason.to_owned(),
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return super::activities::refused_evidence(&state, ctx, &update, &user, refusal, status)
            .await;
    }
    match attachments::withdraw(&state.db, &attachment, reason, author(&user)).await? {
        WithdrawOutcome::Withdrawn => {
            tracing::info!(attachment = attachment.id, "evidence withdrawn");
            Ok(Redirect::to(&format!(
                "/activities/{}#update-{}",
                update.activity_id, update.id
            ))
            .into_response())
        }
        WithdrawOutcome::AlreadyWithdrawn => Err(AppError::Conflict {
            key: "evidence.error.already_withdrawn",
        }),
    }
}

impl Refusal {
    fn attach(update_id: i64, message: String, label: &str, url: &str) -> Refusal {
        Refusal {
            form: RefusedForm::Attach(update_id),
            message,
            label: label.to_owned(),
            url: url.to_owned(),
            reason: String::new(),
        }
    }
}

/// The signed-in user as the author of an attachment or a withdrawal.
fn author(user: &CurrentUser) -> Author<'_> {
    Author {
        actor: Actor::User(user.user.id),
        name: &user.user.display_name,
    }
}

#[cfg(test)]
mod tests;
