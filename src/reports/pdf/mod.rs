//! The report as a PDF made on the server (krilla, no browser): A4 portrait
//! in the reader's language, a title page, the key figures, the charts (the
//! same figures as the SVG charts of the pages, drawn as vector bars), then
//! the tables, breaking across pages with their headers repeated.
//!
//! One agency's report (and a session's dashboard) lists every activity; the
//! consolidated report gives the breakdowns only, since a list of tens of
//! thousands of activities belongs in the XLSX or CSV.

mod canvas;
mod charts;
mod fonts;

pub use canvas::fonts;

use krilla::metadata::Metadata;

use self::canvas::{Canvas, Color, Column, Row, Weight, CONTENT_WIDTH, MARGIN};
use super::figures::{GroupLine, Synthesis};
use super::{ReportData, ReportError, Subject};
use crate::i18n::{currency_label, Lang};
use crate::performance::{ActivityFigures, Ratio, Summary};
use crate::store::reports::ReportActivity;
use crate::store::sessions::Resolution;

/// What a session's dashboard adds to its plan's report.
pub struct SessionExtras {
    /// The previous session on the same plan ("29e session ordinaire …")
    /// and its figures at its own cutoff.
    pub previous: Option<(String, Summary)>,
    pub resolutions: Vec<Resolution>,
    /// The programme the session adopted, as the dashboard shows it.
    pub adopted: Option<crate::dashboard::Adopted>,
    /// Resolutions of earlier sessions still open when this one was held.
    pub open_earlier: Vec<crate::store::sessions::OpenResolution>,
}

pub fn report(
    data: &ReportData,
    synthesis: &Synthesis,
    activities: &[(ReportActivity, ActivityFigures)],
    session: Option<&SessionExtras>,
) -> Result<Vec<u8>, ReportError> {
    let heading = &data.heading;
    let lang = heading.lang;
    let footer = format!(
        "{} — {} — {}",
        heading.subject_line(),
        heading.title(),
        heading.as_of_line()
    );
    let mut canvas = Canvas::new(fonts()?, footer);
    title_page(&mut canvas, data);
    canvas.new_page();

    if data.plans.is_empty() {
        canvas.heading(&lang.t("report.headline.title"), 14.0, 20.0);
        canvas.paragraph(
            &lang.t("report.no_plan"),
            10.0,
            Weight::Regular,
            Color::MUTED,
        );
    } else {
        key_figures(&mut canvas, lang, synthesis, session);
        charts::charts(&mut canvas, data, synthesis);
        breakdowns(&mut canvas, data, synthesis);
        if heading.is_consolidated() {
            canvas.gap(8.0);
            canvas.paragraph(
                &lang.t("report.details_elsewhere"),
                9.0,
                Weight::Regular,
                Color::MUTED,
            );
        } else {
            indicators(&mut canvas, data);
            funding(&mut canvas, data, synthesis);
            activity_list(&mut canvas, data, activities);
        }
    }
    if let Some(session) = session {
        if let Some(adopted) = &session.adopted {
            adopted_programme(&mut canvas, lang, adopted);
        }
        open_earlier(&mut canvas, lang, &session.open_earlier);
        resolutions(&mut canvas, lang, &session.resolutions);
    }

    let metadata = Metadata::new()
        .title(format!("{} — {}", heading.title(), heading.subject_line()))
        .description(heading.as_of_line())
        .language(lang.code().to_owned())
        .creator("Suivi".to_owned());
    canvas.render(metadata, |n, total| {
        lang.t_with(
            "report.page",
            &[("n", &n.to_string()), ("total", &total.to_string())],
        )
    })
}

fn title_page(canvas: &mut Canvas, data: &ReportData) {
    let heading = &data.heading;
    let lang = heading.lang;
    canvas.text_at(
        MARGIN,
        70.0,
        9.0,
        Weight::Bold,
        Color::ACCENT,
        &lang.t("footer.tagline"),
    );
    canvas.rect(MARGIN, 80.0, CONTENT_WIDTH, 1.5, Color::ACCENT);
    canvas.gap(180.0);
    canvas.paragraph(&heading.subject_line(), 15.0, Weight::Regular, Color::MUTED);
    canvas.gap(6.0);
    canvas.paragraph(&heading.title(), 26.0, Weight::Bold, Color::INK);
    canvas.gap(10.0);
    canvas.paragraph(&heading.as_of_line(), 15.0, Weight::Bold, Color::ACCENT);
    if let Subject::Session(session) = &heading.subject {
        canvas.gap(6.0);
        let mut held = lang.t_with("session.held_on", &[("date", &lang.date(session.held_on))]);
        if let Some(place) = &session.place {
            held = format!("{held} · {place}");
        }
        canvas.paragraph(&held, 11.0, Weight::Regular, Color::INK);
        if let Some(chair) = &session.chair {
            let line = format!("{} {chair}", lang.t("session.chair"));
            canvas.paragraph(&line, 11.0, Weight::Regular, Color::INK);
        }
    }
    canvas.gap(24.0);
    canvas.paragraph(
        &lang.t("report.plans_covered"),
        10.0,
        Weight::Bold,
        Color::INK,
    );
    const LISTED: usize = 12;
    for plan in data.plans.iter().take(LISTED) {
        let line = if heading.is_consolidated() || data.spans_agencies() {
            format!("{} · {} — {}", plan.agency_code, plan.code, plan.title)
        } else {
            format!("{} — {}", plan.code, plan.title)
        };
        canvas.paragraph(&line, 10.0, Weight::Regular, Color::INK);
    }
    if data.plans.len() > LISTED {
        let more = (data.plans.len() - LISTED).to_string();
        canvas.paragraph(
            &lang.t_with("report.more_plans", &[("n", &more)]),
            10.0,
            Weight::Regular,
            Color::MUTED,
        );
    }
    if data.plans.is_empty() {
        canvas.paragraph("—", 10.0, Weight::Regular, Color::MUTED);
    }
    canvas.gap(18.0);
    canvas.paragraph(
        &lang.t_with(
            "figures.as_of_sentence",
            &[("date", &lang.date(heading.as_of))],
        ),
        9.0,
        Weight::Regular,
        Color::MUTED,
    );
    if data.is_illustrative() {
        canvas.gap(6.0);
        canvas.paragraph(
            &lang.t("demo.illustrative"),
            9.0,
            Weight::Regular,
            Color::MUTED,
        );
    }
}

fn count(lang: Lang, value: u64) -> String {
    lang.integer(i64::try_from(value).unwrap_or(i64::MAX))
}

/// "Réalisée : 32" in French (a space before the colon), "Done: 32" in English.
fn labelled(lang: Lang, label: &str, value: &str) -> String {
    lang.t_with("report.labelled", &[("label", label), ("value", value)])
}

/// Six boxes of key figures, the sentence of the dashboard, and for a
/// session the change since the previous one.
fn key_figures(
    canvas: &mut Canvas,
    lang: Lang,
    synthesis: &Synthesis,
    session: Option<&SessionExtras>,
) {
    let total = &synthesis.total;
    canvas.heading(&lang.t("report.headline.title"), 14.0, 140.0);
    let boxes = [
        (
            lang.t("figures.done_of_planned").into_owned(),
            format!(
                "{} / {}",
                count(lang, total.done),
                count(lang, total.planned)
            ),
            String::new(),
        ),
        (
            lang.t("figures.execution_rate").into_owned(),
            lang.percent(total.execution_rate()),
            String::new(),
        ),
        (
            lang.t("figures.above_target").into_owned(),
            count(lang, total.above_target),
            String::new(),
        ),
        (
            lang.t("report.headline.not_started").into_owned(),
            count(lang, total.not_started),
            labelled(
                lang,
                &lang.t("report.headline.late"),
                &count(lang, total.late),
            ),
        ),
        (
            lang.t("report.headline.budget_rate").into_owned(),
            lang.percent(total.budget_execution_rate()),
            format!(
                "{} / {}",
                lang.money(total.spent, &synthesis.currency),
                lang.money(total.budget, &synthesis.currency)
            ),
        ),
        (
            lang.t("report.headline.funding_rate").into_owned(),
            lang.percent(synthesis.mobilisation_rate()),
            format!(
                "{} / {}",
                lang.money(synthesis.funding_mobilised, &synthesis.currency),
                lang.money(synthesis.funding_planned, &synthesis.currency)
            ),
        ),
    ];
    const BOX_HEIGHT: f32 = 58.0;
    const GAP: f32 = 8.0;
    let width = (CONTENT_WIDTH - 2.0 * GAP) / 3.0;
    for (index, (label, value, detail)) in boxes.iter().enumerate() {
        let column = (index % 3) as f32;
        let x = MARGIN + column * (width + GAP);
        if index % 3 == 0 {
            canvas.ensure(BOX_HEIGHT + GAP);
        }
        let y = canvas.y();
        canvas.rect(x, y, width, BOX_HEIGHT, Color::TINT);
        canvas.rect(x, y, 2.5, BOX_HEIGHT, Color::ACCENT);
        let label = canvas.fit(label, 8.0, Weight::Regular, width - 14.0);
        canvas.text_at(
            x + 9.0,
            y + 15.0,
            8.0,
            Weight::Regular,
            Color::MUTED,
            &label,
        );
        canvas.text_at(x + 9.0, y + 36.0, 17.0, Weight::Bold, Color::INK, value);
        let detail = canvas.fit(detail, 7.0, Weight::Regular, width - 14.0);
        canvas.text_at(
            x + 9.0,
            y + 50.0,
            7.0,
            Weight::Regular,
            Color::MUTED,
            &detail,
        );
        if index % 3 == 2 {
            canvas.gap(BOX_HEIGHT + GAP);
        }
    }
    canvas.gap(4.0);
    let sentence = lang.t_with(
        "session.sentence",
        &[
            ("done", &count(lang, total.done)),
            ("planned", &count(lang, total.planned)),
            ("rate", &lang.percent(total.execution_rate())),
            ("above", &count(lang, total.above_target)),
        ],
    );
    canvas.paragraph(&sentence, 10.0, Weight::Regular, Color::INK);
    if let Some((previous, then)) = session.and_then(|s| s.previous.as_ref()) {
        let mut line = lang.t_with("session.since_previous", &[("session", previous)]);
        if let (Some(now), Some(before)) = (total.execution_rate(), then.execution_rate()) {
            line = format!("{line} {}", lang.points(now.minus(before)));
        }
        let done = total.done as i64 - then.done as i64;
        let sign = if done > 0 { "+" } else { "" };
        line = format!("{line}, {sign}{done} {}", lang.t("session.activities_done"));
        canvas.gap(2.0);
        canvas.paragraph(&line, 10.0, Weight::Bold, Color::INK);
    }
}

/// The columns of a breakdown table after its first ones, its money in
/// `currency`.
fn summary_columns(lang: Lang, currency: &str) -> Vec<Column> {
    vec![
        Column::number(lang.t("report.col.planned"), 1.0),
        Column::number(lang.t("report.col.done"), 1.0),
        Column::number(lang.t("report.col.execution_rate"), 1.2),
        Column::number(lang.t("report.col.above_target"), 1.1),
        Column::number(lang.t("report.col.late"), 1.0),
        Column::number(
            lang.t_with(
                "report.col.budget_in",
                &[("currency", currency_label(currency))],
            ),
            1.9,
        ),
        Column::number(lang.t("report.col.budget_rate"), 1.3),
    ]
}

fn summary_cells(lang: Lang, summary: &Summary) -> Vec<String> {
    vec![
        count(lang, summary.planned),
        count(lang, summary.done),
        lang.percent(summary.execution_rate()),
        count(lang, summary.above_target),
        count(lang, summary.late),
        lang.integer(summary.budget),
        lang.percent(summary.budget_execution_rate()),
    ]
}

fn breakdowns(canvas: &mut Canvas, data: &ReportData, synthesis: &Synthesis) {
    let lang = data.heading.lang;
    if !synthesis.nodes.is_empty() {
        canvas.heading(&lang.t("report.section.tree"), 12.0, 60.0);
        let mut columns = vec![
            Column::text(lang.t("report.col.code"), 1.1),
            Column::text(lang.t("report.col.item"), 4.5),
        ];
        columns.extend(summary_columns(lang, &synthesis.currency));
        let rows: Vec<Row> = synthesis
            .nodes
            .iter()
            .map(|node| {
                let mut cells = vec![
                    node.code.clone(),
                    format!("{} — {}", node.level_name, node.title),
                ];
                cells.extend(summary_cells(lang, &node.summary));
                if node.depth == 0 {
                    Row::strong(cells)
                } else {
                    Row::new(cells)
                }
            })
            .collect();
        canvas.table(&columns, &rows);
    }
    let currency = synthesis.currency.as_str();
    if data.spans_agencies() {
        group_table(
            canvas,
            (lang, currency),
            "report.section.agencies",
            "report.col.agency",
            &synthesis.agencies,
        );
    }
    group_table(
        canvas,
        (lang, currency),
        "report.section.regions",
        "report.col.region",
        &synthesis.regions,
    );
    currencies(canvas, lang, synthesis);
}

/// Each currency's own figures when the plans have several: their money is
/// never added together.
fn currencies(canvas: &mut Canvas, lang: Lang, synthesis: &Synthesis) {
    if synthesis.currencies.is_empty() {
        return;
    }
    canvas.heading(&lang.t("report.section.currencies"), 12.0, 60.0);
    let columns = vec![
        Column::text(lang.t("report.col.currency"), 1.8),
        Column::number(lang.t("report.col.planned"), 1.0),
        Column::number(lang.t("report.col.done"), 1.0),
        Column::number(lang.t("report.col.budget"), 2.4),
        Column::number(lang.t("report.col.spent"), 2.4),
        Column::number(lang.t("report.col.budget_rate"), 1.3),
        Column::number(lang.t("report.col.funding_planned"), 2.4),
        Column::number(lang.t("report.col.mobilisation_rate"), 1.3),
    ];
    let rows: Vec<Row> = synthesis
        .currencies
        .iter()
        .map(|line| {
            let summary = &line.summary;
            Row::new(vec![
                currency_label(&line.currency).to_owned(),
                count(lang, summary.planned),
                count(lang, summary.done),
                lang.money(summary.budget, &line.currency),
                lang.money(summary.spent, &line.currency),
                lang.percent(summary.budget_execution_rate()),
                lang.money(line.funding_planned, &line.currency),
                lang.percent(line.mobilisation_rate()),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
}

fn group_table(
    canvas: &mut Canvas,
    (lang, currency): (Lang, &str),
    title_key: &str,
    label_key: &str,
    groups: &[GroupLine],
) {
    canvas.heading(&lang.t(title_key), 12.0, 60.0);
    let mut columns = vec![Column::text(lang.t(label_key), 5.6)];
    columns.extend(summary_columns(lang, currency));
    let rows: Vec<Row> = groups
        .iter()
        .map(|group| {
            let label = if group.code == group.label {
                group.label.clone()
            } else {
                format!("{} — {}", group.code, group.label)
            };
            let mut cells = vec![label];
            cells.extend(summary_cells(lang, &group.summary));
            Row::new(cells)
        })
        .collect();
    canvas.table(&columns, &rows);
}

fn indicators(canvas: &mut Canvas, data: &ReportData) {
    let lang = data.heading.lang;
    if data.indicators.is_empty() {
        return;
    }
    canvas.heading(&lang.t("report.section.indicators"), 12.0, 60.0);
    let columns = vec![
        Column::text(lang.t("report.col.code"), 1.0),
        Column::text(lang.t("report.col.indicator"), 4.2),
        Column::number(lang.t("report.col.baseline"), 1.2),
        Column::number(lang.t("report.col.target"), 1.2),
        Column::number(lang.t("report.col.latest"), 1.2),
        Column::text(lang.t("report.col.latest_date"), 1.6),
        Column::number(lang.t("report.col.progress"), 1.2),
    ];
    let rows: Vec<Row> = data
        .indicators
        .iter()
        .map(|line| {
            let indicator = &line.indicator;
            let mut title = indicator.title.clone();
            // "Taux de port du casque (%)" says its unit already.
            if let Some(unit) = &indicator.unit {
                if !title.contains(&format!("({unit})")) {
                    title = format!("{title} ({unit})");
                }
            }
            title = format!("{title} — {}", lang.t(indicator.direction.label_key()));
            Row::new(vec![
                indicator.code.clone(),
                title,
                lang.optional_quantity(indicator.baseline),
                lang.optional_quantity(indicator.target),
                lang.optional_quantity(line.latest.map(|(_, value)| value)),
                line.latest
                    .map_or_else(|| "—".to_owned(), |(date, _)| lang.date(date)),
                lang.percent(line.progress),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
}

fn funding(canvas: &mut Canvas, data: &ReportData, synthesis: &Synthesis) {
    let lang = data.heading.lang;
    if data.funding.is_empty() {
        return;
    }
    canvas.heading(&lang.t("report.section.funding"), 12.0, 60.0);
    let columns = vec![
        Column::text(lang.t("report.col.source"), 4.0),
        Column::text(lang.t("report.col.source_kind"), 2.0),
        Column::number(lang.t("report.col.funding_planned"), 2.0),
        Column::number(lang.t("report.col.mobilised"), 2.0),
        Column::number(lang.t("report.col.mobilisation_rate"), 1.4),
    ];
    let rows: Vec<Row> = data
        .funding
        .iter()
        .map(|line| {
            Row::new(vec![
                line.source.clone(),
                lang.t(line.source_kind.label_key()).into_owned(),
                lang.money(line.planned, &line.currency),
                lang.money(line.mobilised, &line.currency),
                lang.percent(Ratio::new(
                    i128::from(line.mobilised),
                    i128::from(line.planned),
                )),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
    funding_execution(canvas, data, synthesis);
}

/// The execution of the activities of each funding line, when any names one.
fn funding_execution(canvas: &mut Canvas, data: &ReportData, synthesis: &Synthesis) {
    let lang = data.heading.lang;
    if synthesis.by_funding.is_empty() {
        return;
    }
    canvas.heading(&lang.t("funding.by_source"), 11.0, 50.0);
    let columns = vec![
        Column::text(lang.t("report.col.source"), 4.0),
        Column::number(lang.t("figures.planned"), 1.4),
        Column::number(lang.t("funding.activities_budget"), 2.2),
        Column::number(lang.t("funding.activities_spent"), 2.2),
        Column::number(lang.t("funding.activities_rate"), 1.6),
    ];
    let rows: Vec<Row> = data
        .funding
        .iter()
        .map(|line| {
            let summary = synthesis
                .by_funding
                .get(&line.id)
                .copied()
                .unwrap_or_default();
            Row::new(vec![
                line.source.clone(),
                lang.integer(i128::from(summary.planned)),
                lang.money(summary.budget, &line.currency),
                lang.money(summary.spent, &line.currency),
                lang.percent(summary.budget_execution_rate()),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
}

fn activity_list(
    canvas: &mut Canvas,
    data: &ReportData,
    activities: &[(ReportActivity, ActivityFigures)],
) {
    let lang = data.heading.lang;
    if activities.is_empty() {
        return;
    }
    canvas.heading(&lang.t("report.section.activities"), 12.0, 60.0);
    let spans = data.spans_agencies();
    let columns = vec![
        Column::text(lang.t("report.col.code"), 1.3),
        Column::text(lang.t("report.col.activity"), 4.6),
        // Wide enough for "Abandonnée", "Non entamée" on one line.
        Column::text(lang.t("report.col.status"), 1.9),
        Column::number(lang.t("report.col.achieved_of_target"), 1.7),
        Column::number(lang.t("report.col.achievement_rate"), 1.3),
        Column::number(lang.t("report.col.budget"), 1.8),
        Column::number(lang.t("report.col.spent"), 1.8),
    ];
    let rows: Vec<Row> = activities
        .iter()
        .map(|(row, figures)| {
            let code = if spans {
                format!("{} {}", row.agency_code, row.activity.code)
            } else {
                row.activity.code.clone()
            };
            let mut title = format!("{} · {}", row.node_code, row.activity.title);
            if figures.is_late(data.heading.as_of) {
                title = format!("{title} ({})", lang.t("figures.late"));
            }
            let achieved = format!(
                "{} / {}",
                lang.optional_quantity(figures.achieved),
                lang.optional_quantity(row.activity.target)
            );
            Row::new(vec![
                code,
                title,
                lang.t(figures.status.label_key()).into_owned(),
                achieved,
                lang.percent(figures.achievement_rate()),
                lang.money(figures.budget, &row.currency),
                lang.money(figures.spent, &row.currency),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
}

/// The programme adopted at the session: its plan, activities, leaf nodes and budget.
fn adopted_programme(canvas: &mut Canvas, lang: Lang, adopted: &crate::dashboard::Adopted) {
    canvas.heading(&lang.t("session.adopted"), 12.0, 40.0);
    canvas.paragraph(&adopted.plan.title, 10.0, Weight::Bold, Color::INK);
    let columns = vec![
        Column::text(lang.t("session.adopted_activities"), 2.0),
        Column::text(adopted.leaf_level_name.clone(), 2.0),
        Column::number(lang.t("activity.budget"), 2.0),
    ];
    let rows = vec![Row::new(vec![
        count(lang, adopted.activities as u64),
        count(lang, adopted.leaf_nodes as u64),
        lang.money(adopted.budget, &adopted.plan.currency),
    ])];
    canvas.table(&columns, &rows);
}

/// The earlier sessions' resolutions still open, as the dashboard lists them.
fn open_earlier(canvas: &mut Canvas, lang: Lang, open: &[crate::store::sessions::OpenResolution]) {
    if open.is_empty() {
        return;
    }
    canvas.heading(&lang.t("session.open_resolutions"), 12.0, 40.0);
    let columns = vec![
        Column::text(lang.t("session.of_session"), 1.4),
        Column::text(lang.t("resolution.text"), 5.2),
        Column::text(lang.t("resolution.responsible"), 1.8),
        Column::text(lang.t("resolution.due"), 1.6),
        Column::text(lang.t("resolution.status"), 1.6),
    ];
    let rows: Vec<Row> = open
        .iter()
        .map(|resolution| {
            Row::new(vec![
                lang.t_with(
                    "session.of_session_n",
                    &[("n", &lang.ordinal(resolution.session_number))],
                ),
                resolution.text.clone(),
                resolution
                    .responsible_unit
                    .clone()
                    .unwrap_or_else(|| "—".to_owned()),
                resolution
                    .due_on
                    .map_or_else(|| "—".to_owned(), |date| lang.date(date)),
                lang.t(resolution.status.label_key()).into_owned(),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
}

fn resolutions(canvas: &mut Canvas, lang: Lang, resolutions: &[Resolution]) {
    canvas.heading(&lang.t("session.resolutions"), 12.0, 40.0);
    if resolutions.is_empty() {
        canvas.paragraph(
            &lang.t("session.no_resolutions"),
            9.0,
            Weight::Regular,
            Color::MUTED,
        );
        return;
    }
    let columns = vec![
        Column::text(lang.t("resolution.text"), 6.0),
        Column::text(lang.t("resolution.responsible"), 2.0),
        Column::text(lang.t("resolution.due"), 1.6),
        Column::text(lang.t("resolution.status"), 1.4),
    ];
    let rows: Vec<Row> = resolutions
        .iter()
        .map(|resolution| {
            Row::new(vec![
                resolution.text.clone(),
                resolution
                    .responsible_unit
                    .clone()
                    .unwrap_or_else(|| "—".to_owned()),
                resolution
                    .due_on
                    .map_or_else(|| "—".to_owned(), |date| lang.date(date)),
                lang.t(resolution.status.label_key()).into_owned(),
            ])
        })
        .collect();
    canvas.table(&columns, &rows);
}
