//! What an import understood, as JSON for `suivi import … --dry-run --json`:
//! the sheet and header row, the levels and their nodes, the activities with
//! their fields, schedule and funding sources, the indicators, the ignored
//! rows with their reason and the problems with their line, column and
//! message. Messages are the browser's French ones, so that what the
//! command says is what the page says.

use serde_json::{json, Value};

use super::layout::progress::ProgressRows;
use super::layout::Layout;
use super::own_file::Understood;
use super::plan_file::Problem;
use crate::i18n::Lang;

fn problems_json(problems: &[Problem]) -> Value {
    problems
        .iter()
        .map(|p| {
            json!({
                "line": p.line,
                "column": p.column,
                "key": p.key,
                "message": Lang::Fr.t(p.key),
                "value": p.value,
            })
        })
        .collect()
}

fn layout_json(layout: &Layout) -> Value {
    json!({
        "sheet": layout.sheet,
        "header_row": layout.header_line,
        "header_rows": layout.header_lines,
        "columns": layout.columns,
    })
}

fn ignored_json(ignored: &[super::layout::plan::Ignored]) -> Value {
    ignored
        .iter()
        .map(|i| json!({"line": i.line, "text": i.text, "reason": Lang::Fr.t(i.reason), "key": i.reason}))
        .collect()
}

/// A plan file as understood; `problems` are those that stop the import.
pub fn plan_json(understood: &Understood, problems: &[Problem]) -> Value {
    let plan = &understood.plan;
    let currency = plan.currency.symbol();
    let levels: Vec<Value> = plan
        .level_names
        .iter()
        .enumerate()
        .map(|(depth, name)| {
            let nodes: Vec<Value> = plan
                .nodes
                .iter()
                .filter(|n| n.depth == depth)
                .map(|n| json!({"line": n.line, "code": n.code, "title": n.title, "parent": n.parent}))
                .collect();
            json!({"depth": depth, "name": name, "nodes": nodes})
        })
        .collect();
    let activities: Vec<Value> = plan
        .activities
        .iter()
        .map(|a| {
            json!({
                "line": a.line,
                "code": a.code,
                "code_made": a.code_made,
                "title": a.title,
                "parent": a.parent,
                "target": a.target,
                "unit": a.unit,
                "budget": a.budget.map(|amount| json!({"amount": amount, "currency": currency})),
                "pm": a.pm,
                "responsible_unit": a.responsible,
                "associated_units": a.associated,
                "region": a.region,
                "start": a.start,
                "end": a.end,
                "schedule": a.schedule,
                "funding_sources": a.funding,
                "indicator": a.indicator,
                "comment": a.comment,
            })
        })
        .collect();
    json!({
        "format": "own",
        "sheets": understood.sheets,
        "layout": layout_json(&understood.layout),
        "years": plan.years,
        "currency": currency,
        "levels": levels,
        "activities": activities,
        "indicator_sheet": understood.indicator_sheet,
        "indicators": understood.indicators,
        "ignored": ignored_json(&plan.ignored),
        "not_imported": understood.not_imported().map(|c| c.name()).collect::<Vec<_>>(),
        "notes": problems_json(&plan.notes),
        "problems": problems_json(problems),
    })
}

/// A progress file as understood: each row's code, status, achieved and
/// rate, the rows left to the user, the ignored rows and the problems.
pub fn progress_json(layout: &Layout, rows: &ProgressRows, problems: &[Problem]) -> Value {
    let row_json = |r: &super::layout::progress::ProgressRow| {
        json!({
            "line": r.line,
            "code": r.code,
            "status": r.status.map(|s| s.as_str()),
            "status_text": r.status_text,
            "achieved": r.achieved,
            "rate": r.rate,
            "spent": r.spent,
            "as_of": r.as_of,
            "comment": r.comment,
        })
    };
    json!({
        "format": "own",
        "layout": layout_json(layout),
        "rows": rows.rows.iter().filter(|r| r.status.is_some()).map(row_json).collect::<Vec<_>>(),
        "left_to_user": rows.undecided().map(row_json).collect::<Vec<_>>(),
        "ignored": ignored_json(&rows.ignored),
        "problems": problems_json(problems),
    })
}

/// Problems alone, for a file Suivi could not read at all.
pub fn problems_only_json(problems: &[Problem]) -> Value {
    json!({"problems": problems_json(problems)})
}
