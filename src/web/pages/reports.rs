//! Downloads: the yearly report of an agency (with the agencies under it) or
//! of every agency the reader may read, as XLSX, CSV or PDF, and a board
//! session's dashboard as PDF. Thin: parse the URL, check the right to read,
//! hand over to `reports`. The CSV streams straight from the database into
//! the response.
//!
//! - `/agencies/{code}/report/{year}.{xlsx|csv|pdf}?as_of=YYYY-MM-DD`
//! - `/report/{year}.{xlsx|csv|pdf}?as_of=…` (consolidated)
//! - CSV only: `&sep=comma` for `,` instead of `;`, `&table=summary|indicators|funding`
//!   for a table other than the activities
//! - `/sessions/{id}/dashboard.pdf`

use std::io::{Read, Seek, SeekFrom};

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use tokio::sync::mpsc;
use tracing::Instrument;

use super::parse_date_param;
use crate::i18n::Lang;
use crate::reports::{
    self, CsvTable, Format, Heading, OpenReport, ReportError, Scope, Separator, Subject,
};
use crate::store::agencies::Agency;
use crate::store::sessions::BoardSession;
use crate::web::auth::CurrentUser;
use crate::web::download::attachment;
use crate::web::extract::Readable;
use crate::web::{AppError, AppState, Ctx};

#[derive(Deserialize)]
pub struct ReportQuery {
    as_of: Option<String>,
    sep: Option<String>,
    table: Option<String>,
}

/// What the URL asks for, validated.
struct Wanted {
    year: i32,
    format: Format,
    as_of: NaiveDate,
    table: CsvTable,
    separator: Separator,
}

impl Wanted {
    fn parse(file: &str, query: &ReportQuery, today: NaiveDate) -> Result<Wanted, AppError> {
        let (year, format) = reports::parse_file_name(file).map_err(AppError::bad_request)?;
        let as_of = parse_date_param(query.as_of.as_deref())?
            .unwrap_or_else(|| reports::default_as_of(year, today));
        let table = CsvTable::parse(query.table.as_deref())
            .ok_or(AppError::bad_request("report.bad_table"))?;
        let separator = Separator::parse(query.sep.as_deref())
            .ok_or(AppError::bad_request("report.bad_separator"))?;
        Ok(Wanted {
            year,
            format,
            as_of,
            table,
            separator,
        })
    }

    fn heading(&self, subject: Subject, lang: Lang) -> Heading {
        Heading {
            subject,
            year: self.year,
            as_of: self.as_of,
            lang,
        }
    }
}

pub async fn agency(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(agency, _): Readable<Agency>,
    Path((_, file)): Path<(String, String)>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let wanted = Wanted::parse(&file, &query, state.today())?;
    let subject = Subject::Agency {
        code: agency.code,
        name: agency.name,
    };
    let heading = wanted.heading(subject, ctx.lang);
    let report = reports::open(&state.db, Scope::Agency(agency.id), heading)
        .await
        .map_err(app_error)?;
    deliver(report, &wanted).await
}

/// Every agency the reader may read (all of them for admins).
pub async fn consolidated(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(file): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let wanted = Wanted::parse(&file, &query, state.today())?;
    let heading = wanted.heading(Subject::Consolidated, ctx.lang);
    let scope = Scope::Agencies(user.readable_filter().map(<[i64]>::to_vec));
    let report = reports::open(&state.db, scope, heading)
        .await
        .map_err(app_error)?;
    deliver(report, &wanted).await
}

pub async fn session_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Readable(session, _): Readable<BoardSession>,
) -> Result<Response, AppError> {
    let pdf = reports::session_pdf(&state.db, &session, ctx.lang, state.today())
        .await
        .map_err(app_error)?;
    let name = format!(
        "{}-{}.pdf",
        ctx.t_with(
            "report.file.session",
            &[
                ("agency", &session.agency_code),
                ("n", &session.number.to_string())
            ]
        ),
        session.cutoff
    );
    Ok(attachment(Format::Pdf, &name, Body::from(pdf)))
}

async fn deliver(report: OpenReport, wanted: &Wanted) -> Result<Response, AppError> {
    let name = report.data.heading.file_name(wanted.format, wanted.table);
    let body = match wanted.format {
        Format::Xlsx => {
            // Written to an unnamed temporary file (gone when closed), then
            // sent from it: the workbook never sits whole in memory.
            let file = tempfile::tempfile().map_err(|e| app_error(e.into()))?;
            let mut file = reports::xlsx(report, file, &mut |_| {})
                .await
                .map_err(app_error)?;
            file.seek(SeekFrom::Start(0))
                .map_err(|e| app_error(e.into()))?;
            file_body(file)
        }
        Format::Pdf => Body::from(reports::pdf(report, &mut |_| {}).await.map_err(app_error)?),
        Format::Csv => stream_csv(report, wanted.table, wanted.separator),
    };
    Ok(attachment(wanted.format, &name, body))
}

/// The CSV goes out as it is written. Headers are sent before the end is
/// known, so a failure midway ends the body with an error: the reader's
/// browser reports a failed download instead of keeping a short file.
fn stream_csv(report: OpenReport, table: CsvTable, separator: Separator) -> Body {
    let (sender, receiver) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let task = async move {
        match reports::csv(report, table, separator, &sender, &mut |_| {}).await {
            Ok(()) | Err(ReportError::Cancelled) => {}
            Err(error) => {
                tracing::error!(%error, "CSV export failed midway");
                let _ = sender
                    .send(Err(std::io::Error::other("export failed")))
                    .await;
            }
        }
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
    body_of(receiver)
}

/// A file sent a chunk at a time, read on a blocking thread.
fn file_body(mut file: std::fs::File) -> Body {
    let (sender, receiver) = mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    tokio::task::spawn_blocking(move || loop {
        let mut chunk = vec![0; 64 * 1024];
        match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(read) => {
                chunk.truncate(read);
                if sender.blocking_send(Ok(chunk)).is_err() {
                    break;
                }
            }
            Err(error) => {
                let _ = sender.blocking_send(Err(error));
                break;
            }
        }
    });
    body_of(receiver)
}

/// The chunks a task sends, as a body. The compression layer polls a body
/// again after its end, so the stream must keep answering "no more" rather
/// than panic as `stream::unfold` does: a closed channel does exactly that.
fn body_of(mut receiver: mpsc::Receiver<std::io::Result<Vec<u8>>>) -> Body {
    Body::from_stream(futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx)
    }))
}

fn app_error(error: ReportError) -> AppError {
    match error {
        ReportError::TooManyRows(_) => AppError::bad_request("report.too_many_rows"),
        ReportError::Database(error) => AppError::Database(error),
        other => AppError::Internal(anyhow::Error::new(other)),
    }
}

/// The three download links of a yearly report, for the pages that offer it.
pub struct ReportLinks {
    pub year: i32,
    /// `/agencies/ANASER/report/2025` or `/report/2025`.
    base: String,
    /// `?as_of=…`, or empty for the year's default date.
    query: String,
}

impl ReportLinks {
    pub fn agency(code: &str, year: i32, as_of: Option<NaiveDate>) -> ReportLinks {
        ReportLinks::new(format!("/agencies/{code}/report/{year}"), year, as_of)
    }

    pub fn consolidated(year: i32, as_of: Option<NaiveDate>) -> ReportLinks {
        ReportLinks::new(format!("/report/{year}"), year, as_of)
    }

    fn new(base: String, year: i32, as_of: Option<NaiveDate>) -> ReportLinks {
        ReportLinks {
            year,
            base,
            query: as_of.map_or_else(String::new, |date| format!("?as_of={date}")),
        }
    }

    pub fn href(&self, extension: &str) -> String {
        format!("{}.{extension}{}", self.base, self.query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(as_of: Option<&str>, sep: Option<&str>, table: Option<&str>) -> ReportQuery {
        ReportQuery {
            as_of: as_of.map(str::to_owned),
            sep: sep.map(str::to_owned),
            table: table.map(str::to_owned),
        }
    }

    #[test]
    fn parameters_are_checked() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let wanted = Wanted::parse("2025.csv", &query(None, Some("comma"), None), today).unwrap();
        assert_eq!(wanted.as_of, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
        assert_eq!(wanted.separator, Separator::Comma);
        for (file, query, key) in [
            ("2025.docx", query(None, None, None), "report.bad_format"),
            ("year.pdf", query(None, None, None), "error.bad_year"),
            (
                "2025.pdf",
                query(Some("30/11/2025"), None, None),
                "error.bad_date",
            ),
            (
                "2025.csv",
                query(None, Some("tab"), None),
                "report.bad_separator",
            ),
            (
                "2025.csv",
                query(None, None, Some("all")),
                "report.bad_table",
            ),
        ] {
            match Wanted::parse(file, &query, today) {
                Err(AppError::BadRequest { key: got }) => assert_eq!(got, key, "{file}"),
                _ => panic!("{file} should be refused with {key}"),
            }
        }
    }

    #[test]
    fn links_keep_the_date() {
        let links = ReportLinks::agency("ANASER", 2025, NaiveDate::from_ymd_opt(2025, 11, 30));
        assert_eq!(
            links.href("xlsx"),
            "/agencies/ANASER/report/2025.xlsx?as_of=2025-11-30"
        );
        assert_eq!(
            ReportLinks::consolidated(2024, None).href("pdf"),
            "/report/2024.pdf"
        );
    }
}
