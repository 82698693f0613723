//! A public page's figures as files: JSON (the whole `OpenData`, as the page
//! has it) and CSV (one row per activity, as French Excel opens it).

use axum::http::HeaderMap;
use axum::response::Response;

use super::figures::OpenData;
use crate::i18n::Lang;
use crate::reports::csv::CsvWriter;
use crate::reports::Separator;
use crate::web::public_access::cacheable;
use crate::web::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// The file of the URL: `data.csv` or `data.json`; anything else is no
    /// page.
    pub fn of(file: &str) -> Result<Format, AppError> {
        match file {
            "data.csv" => Ok(Format::Csv),
            "data.json" => Ok(Format::Json),
            _ => Err(AppError::NotFound),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
        }
    }
}

pub fn answer(
    headers: &HeaderMap,
    format: Format,
    file_name: &str,
    data: &OpenData,
    lang: Lang,
) -> Result<Response, AppError> {
    let (content_type, body) = match format {
        Format::Json => (
            "application/json",
            serde_json::to_vec_pretty(data).map_err(anyhow::Error::from)?,
        ),
        Format::Csv => ("text/csv; charset=utf-8", csv(data, lang)),
    };
    Ok(cacheable(headers, content_type, Some(file_name), body))
}

const COLUMNS: [&str; 14] = [
    "public.csv.agency",
    "public.csv.plan",
    "public.csv.as_of",
    "public.csv.node",
    "public.csv.code",
    "public.csv.title",
    "public.csv.region",
    "public.csv.unit_responsible",
    "public.csv.status",
    "public.csv.target",
    "public.csv.achieved",
    "public.csv.achievement_rate",
    "public.csv.budget",
    "public.csv.spent",
];

fn csv(data: &OpenData, lang: Lang) -> Vec<u8> {
    let mut out = CsvWriter::new(Separator::Semicolon);
    let currency = [("currency", crate::i18n::currency_label(&data.currency))];
    for key in COLUMNS {
        out.text(&lang.t_with(key, &currency));
    }
    // The last column only where the publisher chose to show comments.
    if data.shows_comments {
        out.text(&lang.t("public.csv.comment"));
    }
    out.end_row();
    for a in &data.activities {
        out.text(&data.agency.code);
        out.text(&data.plan.code);
        out.date(Some(data.as_of));
        out.text(&a.node);
        out.text(&a.code);
        out.text(&a.title);
        out.text(&a.region);
        out.optional_text(a.responsible_unit.as_deref());
        out.text(&lang.t(a.status.label_key()));
        out.decimal(a.target);
        out.decimal(a.achieved);
        out.percent(
            a.achievement_rate
                .and_then(|r| crate::performance::Ratio::new(r.numerator, r.denominator)),
        );
        out.integer(a.budget);
        match a.spent {
            Some(spent) => out.integer(spent),
            None => out.empty(),
        }
        if data.shows_comments {
            out.optional_text(a.comment.as_deref());
        }
        out.end_row();
    }
    out.into_bytes()
}
