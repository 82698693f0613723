//! The report's charts, drawn as vector bars: the execution rate by priority
//! action (or agency, or region), and the activities by status.

use super::canvas::{Canvas, Color, Weight, CONTENT_WIDTH, MARGIN};
use super::{count, labelled};
use crate::domain::Status;
use crate::i18n::Lang;
use crate::performance::{Ratio, Summary};
use crate::reports::figures::{GroupLine, Synthesis};
use crate::reports::ReportData;

/// More bars than this make a chart nobody reads: the chart then goes one
/// level up (agencies, then regions).
const MAX_BARS: usize = 30;

struct Bar {
    label: String,
    rate: Option<Ratio>,
    detail: String,
}

fn bars_of<'a>(groups: impl Iterator<Item = (String, &'a Summary)>) -> Vec<Bar> {
    groups
        .map(|(label, summary)| Bar {
            label,
            rate: summary.execution_rate(),
            detail: format!("{} / {}", summary.done, summary.planned),
        })
        .collect()
}

/// The execution rate by priority action (or by agency, or by region when
/// those would be too many bars), then the activities by status.
pub(super) fn charts(canvas: &mut Canvas, data: &ReportData, synthesis: &Synthesis) {
    let lang = data.heading.lang;
    let leaves: Vec<_> = synthesis.leaf_nodes().collect();
    let (title, bars) = if !leaves.is_empty() && leaves.len() <= MAX_BARS {
        let level = leaves[0].level_name.clone();
        let bars = bars_of(
            leaves
                .iter()
                .map(|n| (format!("{} {}", n.code, n.title), &n.summary)),
        );
        (
            lang.t_with("report.chart.by_level", &[("level", &level)]),
            bars,
        )
    } else if data.spans_agencies() && synthesis.agencies.len() <= MAX_BARS {
        let bars = bars_of(group_bars(&synthesis.agencies));
        (lang.t("report.chart.by_agency").into_owned(), bars)
    } else {
        let bars = bars_of(group_bars(&synthesis.regions));
        (lang.t("report.chart.by_region").into_owned(), bars)
    };
    canvas.heading(&title, 12.0, 18.0 * bars.len().min(8) as f32);
    bar_chart(canvas, lang, &bars);
    canvas.heading(&lang.t("session.statuses"), 12.0, 60.0);
    status_chart(canvas, lang, &synthesis.total);
}

fn group_bars(groups: &[GroupLine]) -> impl Iterator<Item = (String, &Summary)> {
    groups
        .iter()
        .map(|g| (format!("{} {}", g.code, g.label), &g.summary))
}

fn bar_chart(canvas: &mut Canvas, lang: Lang, bars: &[Bar]) {
    const ROW: f32 = 18.0;
    const LABEL: f32 = 190.0;
    const TRACK: f32 = 200.0;
    const SIZE: f32 = 8.0;
    for bar in bars {
        canvas.ensure(ROW);
        let y = canvas.y();
        let label = canvas.fit(&bar.label, SIZE, Weight::Regular, LABEL - 8.0);
        canvas.text_at(MARGIN, y + 11.0, SIZE, Weight::Regular, Color::INK, &label);
        let x = MARGIN + LABEL;
        canvas.rect(x, y + 3.0, TRACK, 10.0, Color::TINT);
        if let Some(rate) = bar.rate {
            // The same length rule as the SVG charts of the pages.
            let fraction = crate::charts::bar_length(rate) / crate::charts::BAR_WIDTH;
            canvas.rect(x, y + 3.0, TRACK * fraction as f32, 10.0, Color::ACCENT);
        }
        let value = format!("{} · {}", lang.percent(bar.rate), bar.detail);
        canvas.text_at(
            x + TRACK + 8.0,
            y + 11.0,
            SIZE,
            Weight::Regular,
            Color::INK,
            &value,
        );
        canvas.gap(ROW);
    }
}

fn status_color(status: Status) -> Color {
    // The colours of the dashboard's charts (static/suivi.css).
    match status {
        Status::Done => Color(0x2f, 0x9e, 0x6e),
        Status::InProgress => Color(0x4a, 0x7f, 0xc1),
        Status::NotStarted => Color(0xc3, 0xc9, 0xd2),
        Status::Postponed => Color(0xe0, 0xa0, 0x40),
        Status::Abandoned => Color(0xc0, 0x50, 0x4d),
    }
}

/// One stacked bar of the statuses, and its legend with the counts.
fn status_chart(canvas: &mut Canvas, lang: Lang, total: &Summary) {
    const HEIGHT: f32 = 16.0;
    canvas.ensure(HEIGHT + 50.0);
    let y = canvas.y();
    let mut running = 0u64;
    for status in Status::ALL {
        let n = total.count(*status);
        if n == 0 || total.planned == 0 {
            continue;
        }
        // From the running total before to the running total after: the
        // segments meet, and the last ends exactly at the full width.
        let edge = |count: u64| MARGIN + CONTENT_WIDTH * count as f32 / total.planned as f32;
        let start = edge(running);
        running += n;
        canvas.rect(
            start,
            y,
            edge(running) - start,
            HEIGHT,
            status_color(*status),
        );
    }
    if total.planned == 0 {
        canvas.rect(MARGIN, y, CONTENT_WIDTH, HEIGHT, Color::TINT);
    }
    canvas.gap(HEIGHT + 8.0);
    let column = CONTENT_WIDTH / 3.0;
    for (index, status) in Status::ALL.iter().enumerate() {
        let x = MARGIN + (index % 3) as f32 * column;
        let y = canvas.y();
        canvas.rect(x, y + 2.0, 8.0, 8.0, status_color(*status));
        let text = labelled(
            lang,
            &lang.t(status.label_key()),
            &count(lang, total.count(*status)),
        );
        canvas.text_at(x + 12.0, y + 9.5, 8.5, Weight::Regular, Color::INK, &text);
        if index % 3 == 2 || index == Status::ALL.len() - 1 {
            canvas.gap(14.0);
        }
    }
}
