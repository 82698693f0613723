//! Evidence attached to progress updates: files and links, their bytes and
//! their withdrawal. A file's bytes are kept in PostgreSQL in chunks of
//! [`CHUNK_BYTES`], written one chunk at a time and read back one chunk at a
//! time, so that instances keep nothing on disk. Nothing is deleted: a
//! withdrawal is a row of its own, with its audit row in the same
//! transaction, like every write here.
//!
//! Which types are accepted, and how a file's type is found from its
//! content, is the web layer's check (`web::pages::attachments`); the rows
//! here only hold its answer, a [`FileType`].

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{FromRow, PgConnection, PgPool};

use super::{audit, to_json};

/// The size of a stored chunk (the table's CHECK says the same).
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// What a file was found to be, from its content. Stored as its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Pdf,
    Png,
    Jpeg,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Odp,
    Doc,
    Xls,
    Ppt,
}

impl FileType {
    pub const ALL: [FileType; 12] = [
        FileType::Pdf,
        FileType::Png,
        FileType::Jpeg,
        FileType::Docx,
        FileType::Xlsx,
        FileType::Pptx,
        FileType::Odt,
        FileType::Ods,
        FileType::Odp,
        FileType::Doc,
        FileType::Xls,
        FileType::Ppt,
    ];

    /// The code in the table (`file_type`).
    pub fn code(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Png => "png",
            FileType::Jpeg => "jpeg",
            FileType::Docx => "docx",
            FileType::Xlsx => "xlsx",
            FileType::Pptx => "pptx",
            FileType::Odt => "odt",
            FileType::Ods => "ods",
            FileType::Odp => "odp",
            FileType::Doc => "doc",
            FileType::Xls => "xls",
            FileType::Ppt => "ppt",
        }
    }

    /// The extension the downloaded file gets, whatever its name said.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            other => other.code(),
        }
    }

    /// The `Content-Type` it is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Png => "image/png",
            FileType::Jpeg => "image/jpeg",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileType::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            FileType::Odp => "application/vnd.oasis.opendocument.presentation",
            FileType::Doc => "application/msword",
            FileType::Xls => "application/vnd.ms-excel",
            FileType::Ppt => "application/vnd.ms-powerpoint",
        }
    }

    /// The short name shown beside the file (the same in both languages).
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Png => "PNG",
            FileType::Jpeg => "JPEG",
            FileType::Docx | FileType::Doc => "Word",
            FileType::Xlsx | FileType::Xls => "Excel",
            FileType::Pptx | FileType::Ppt => "PowerPoint",
            FileType::Odt => "ODT",
            FileType::Ods => "ODS",
            FileType::Odp => "ODP",
        }
    }

    fn from_code(code: &str) -> Option<FileType> {
        FileType::ALL.into_iter().find(|t| t.code() == code)
    }
}

// Stored as TEXT; the table's CHECK lists the same codes.
impl sqlx::Type<sqlx::Postgres> for FileType {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }
    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for FileType {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let text = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        FileType::from_code(text).ok_or_else(|| format!("unknown file type {text:?}").into())
    }
}

impl sqlx::Encode<'_, sqlx::Postgres> for FileType {
    fn encode_by_ref(
        &self,
        buf: &mut sqlx::postgres::PgArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <&str as sqlx::Encode<sqlx::Postgres>>::encode_by_ref(&self.code(), buf)
    }
}

/// A progress update that evidence is attached to, with what the rights and
/// the page need: its activity and that activity's agency.
#[derive(Debug, Clone, FromRow)]
pub struct UpdateRef {
    pub id: i64,
    pub activity_id: i64,
    pub agency_id: i64,
    pub as_of: NaiveDate,
}

pub async fn find_update(db: &PgPool, id: i64) -> sqlx::Result<Option<UpdateRef>> {
    sqlx::query_as(
        "SELECT u.id, u.activity_id, pl.agency_id, u.as_of FROM progress_updates u \
         JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
         WHERE u.id = $1",
    )
    .bind(id)
    .fetch_optional(db)
    .await
}

/// An attachment with its withdrawal, if any: what the history shows, the
/// download serves and the audit log keeps (never the bytes).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AttachmentRow {
    pub id: i64,
    pub update_id: i64,
    pub activity_id: i64,
    pub agency_id: i64,
    pub label: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<FileType>,
    pub size_bytes: Option<i64>,
    pub url: Option<String>,
    pub added_at: DateTime<Utc>,
    pub added_by: Option<i64>,
    pub author: String,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    pub withdrawal_reason: Option<String>,
}

impl AttachmentRow {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_at.is_some()
    }

    /// What the reader sees of it: its label, else its file name or link.
    pub fn title(&self) -> &str {
        self.label
            .as_deref()
            .or(self.file_name.as_deref())
            .or(self.url.as_deref())
            .unwrap_or_default()
    }

    /// The name it is downloaded under: the name it was sent with, with the
    /// extension of the type its content was found to be.
    pub fn download_name(&self) -> String {
        let sent = self.file_name.as_deref().unwrap_or("piece");
        let stem = match sent.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem,
            _ => sent,
        };
        match self.file_type {
            Some(file_type) => format!("{stem}.{}", file_type.extension()),
            None => stem.to_owned(),
        }
    }
}

const ATTACHMENT_COLUMNS: &str = "SELECT t.id, t.update_id, u.activity_id, pl.agency_id, \
     t.label, t.file_name, t.file_type, t.size_bytes, t.url, t.added_at, t.added_by, t.author, \
     w.withdrawn_at, w.author AS withdrawn_by, w.reason AS withdrawal_reason \
     FROM attachments t JOIN progress_updates u ON u.id = t.update_id \
     JOIN activities a ON a.id = u.activity_id JOIN plans pl ON pl.id = a.plan_id \
     LEFT JOIN attachment_withdrawals w ON w.attachment_id = t.id";

pub async fn find(db: impl sqlx::PgExecutor<'_>, id: i64) -> sqlx::Result<Option<AttachmentRow>> {
    sqlx::query_as(&format!("{ATTACHMENT_COLUMNS} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// Every attachment of the activity's updates, withdrawn ones included, in
/// the order they were added.
pub async fn for_activity(db: &PgPool, activity_id: i64) -> sqlx::Result<Vec<AttachmentRow>> {
    sqlx::query_as(&format!(
        "{ATTACHMENT_COLUMNS} WHERE u.activity_id = $1 ORDER BY t.id"
    ))
    .bind(activity_id)
    .fetch_all(db)
    .await
}

/// The attachments of these updates still in force (none withdrawn), in the
/// order they were added: what a public page that shows attachments lists.
pub async fn for_updates(db: &PgPool, update_ids: &[i64]) -> sqlx::Result<Vec<AttachmentRow>> {
    sqlx::query_as(&format!(
        "{ATTACHMENT_COLUMNS} WHERE t.update_id = ANY($1) AND w.attachment_id IS NULL \
         ORDER BY t.id"
    ))
    .bind(update_ids)
    .fetch_all(db)
    .await
}

/// Per activity of the plan, how many attachments (not withdrawn) its
/// updates dated on or before `as_of` carry: the evidence behind its state
/// as of that date. Activities without any are left out.
pub async fn counts_for_plan(
    db: &PgPool,
    plan_id: i64,
    as_of: NaiveDate,
) -> sqlx::Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT u.activity_id, count(*) FROM attachments t \
         JOIN progress_updates u ON u.id = t.update_id JOIN activities a ON a.id = u.activity_id \
         WHERE a.plan_id = $1 AND u.as_of <= $2 \
         AND NOT EXISTS (SELECT 1 FROM attachment_withdrawals w WHERE w.attachment_id = t.id) \
         GROUP BY u.activity_id",
    )
    .bind(plan_id)
    .bind(as_of)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().collect())
}

/// Chunk `n` of a file's bytes; `None` past its end.
pub async fn chunk(db: &PgPool, attachment_id: i64, n: i32) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar("SELECT bytes FROM attachment_chunks WHERE attachment_id = $1 AND n = $2")
        .bind(attachment_id)
        .bind(n)
        .fetch_optional(db)
        .await
}

/// What is attached: a file whose type its content showed, or a link.
#[derive(Debug, Clone, Copy)]
pub enum Evidence<'a> {
    File {
        file_name: &'a str,
        file_type: FileType,
        bytes: &'a [u8],
    },
    Link {
        url: &'a str,
    },
}

/// Who attaches or withdraws: the audit row's actor and the name shown.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub actor: audit::Actor,
    pub name: &'a str,
}

/// Attaches `evidence` to the update, with its audit row, in one transaction.
pub async fn add(
    db: &PgPool,
    update: &UpdateRef,
    evidence: Evidence<'_>,
    label: Option<&str>,
    author: Author<'_>,
) -> sqlx::Result<AttachmentRow> {
    let mut tx = crate::db::begin(db).await?;
    let added = add_in(&mut tx, update, evidence, label, author).await?;
    tx.commit().await?;
    Ok(added)
}

/// [`add`] inside the caller's transaction (the demo's load).
pub async fn add_in(
    tx: &mut PgConnection,
    update: &UpdateRef,
    evidence: Evidence<'_>,
    label: Option<&str>,
    author: Author<'_>,
) -> sqlx::Result<AttachmentRow> {
    let (kind, file_name, file_type, size, url, bytes) = match evidence {
        Evidence::File {
            file_name,
            file_type,
            bytes,
        } => (
            "file",
            Some(file_name),
            Some(file_type),
            Some(i64::try_from(bytes.len()).map_err(|e| sqlx::Error::Encode(Box::new(e)))?),
            None,
            bytes,
        ),
        Evidence::Link { url } => ("link", None, None, None, Some(url), &[][..]),
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO attachments (update_id, kind, label, file_name, file_type, size_bytes, url, \
         added_by, author) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(update.id)
    .bind(kind)
    .bind(label)
    .bind(file_name)
    .bind(file_type)
    .bind(size)
    .bind(url)
    .bind(author.actor.user_id())
    .bind(author.name)
    .fetch_one(&mut *tx)
    .await?;
    // One statement per chunk: the bytes go to the server a chunk at a
    // time, never as one more copy of the whole file.
    for (n, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
        let n = i32::try_from(n).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("INSERT INTO attachment_chunks (attachment_id, n, bytes) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(n)
            .bind(chunk)
            .execute(&mut *tx)
            .await?;
    }
    let added = find(&mut *tx, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: author.actor.user_id(),
            action: "attachment.add",
            object_type: "attachment",
            object_id: Some(id),
            agency_id: Some(update.agency_id),
            before: None,
            after: author.actor.mark(Some(to_json(&added)?)),
        },
    )
    .await?;
    Ok(added)
}

#[derive(Debug)]
pub enum WithdrawOutcome {
    Withdrawn,
    /// Someone withdrew it first; nothing written.
    AlreadyWithdrawn,
}

/// Withdraws the attachment with the reason given, with its audit row, in
/// one transaction. Its bytes stay: admins can still read them.
pub async fn withdraw(
    db: &PgPool,
    attachment: &AttachmentRow,
    reason: &str,
    author: Author<'_>,
) -> sqlx::Result<WithdrawOutcome> {
    let mut tx = crate::db::begin(db).await?;
    // Two withdrawals at once: the second finds the first's row and stops.
    let inserted = sqlx::query(
        "INSERT INTO attachment_withdrawals (attachment_id, withdrawn_by, author, reason) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (attachment_id) DO NOTHING",
    )
    .bind(attachment.id)
    .bind(author.actor.user_id())
    .bind(author.name)
    .bind(reason)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Ok(WithdrawOutcome::AlreadyWithdrawn);
    }
    let withdrawn = find(&mut *tx, attachment.id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: author.actor.user_id(),
            action: "attachment.withdraw",
            object_type: "attachment",
            object_id: Some(attachment.id),
            agency_id: Some(attachment.agency_id),
            before: Some(to_json(attachment)?),
            after: author.actor.mark(Some(to_json(&withdrawn)?)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(WithdrawOutcome::Withdrawn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(file_name: Option<&str>, file_type: Option<FileType>) -> AttachmentRow {
        AttachmentRow {
            id: 1,
            update_id: 1,
            activity_id: 1,
            agency_id: 1,
            label: None,
            file_name: file_name.map(str::to_owned),
            file_type,
            size_bytes: Some(1),
            url: None,
            added_at: Utc::now(),
            added_by: None,
            author: "a".into(),
            withdrawn_at: None,
            withdrawn_by: None,
            withdrawal_reason: None,
        }
    }

    #[test]
    fn the_content_names_the_extension() {
        assert_eq!(
            row(Some("photo.jpg"), Some(FileType::Png)).download_name(),
            "photo.png"
        );
        assert_eq!(
            row(Some("rapport"), Some(FileType::Pdf)).download_name(),
            "rapport.pdf"
        );
        assert_eq!(
            row(Some(".pdf"), Some(FileType::Pdf)).download_name(),
            ".pdf.pdf"
        );
    }

    #[test]
    fn codes_read_back() {
        for file_type in FileType::ALL {
            assert_eq!(FileType::from_code(file_type.code()), Some(file_type));
        }
    }
}
