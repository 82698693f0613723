//! The audit log for admins: newest first, 50 rows a page (keyset: the next
//! page starts after the last row shown, so pages stay fast however long the
//! log), filtered by agency, account, date range and kind of object. A filter
//! that names nothing (an unknown agency, a date that is no date) is a 400
//! page, not an empty list that would look like "nothing happened".

use crate::web::pages::query::present;
use std::collections::BTreeSet;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::store::admin::{self, Account};
use crate::store::agencies::{self, Agency};
use crate::store::audit::{self, Filter, LogRow};
use crate::web::auth::Admin;
use crate::web::pages::{parse_date_param, render};
use crate::web::{AppError, AppState, Ctx};

/// Rows per page.
pub const PAGE_SIZE: i64 = 50;

/// The filters as typed in the query string (codes and logins, as readers
/// know them, not ids).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AuditQuery {
    pub agency: Option<String>,
    pub user: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub kind: Option<String>,
    /// The last row of the previous page.
    pub after: Option<String>,
}

impl AuditQuery {
    /// The query string of these filters (without the page), for links.
    fn filters_query(&self) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("agency", &self.agency),
            ("user", &self.user),
            ("from", &self.from),
            ("to", &self.to),
            ("kind", &self.kind),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, present(value)?)))
        .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// What an object kind looks like (`progress_update`), as in the schema's
/// 64 characters at most.
fn is_kind(kind: &str) -> bool {
    kind.len() <= 64
        && kind
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks every filter against what exists; the first bad one is the 400.
fn parse_filter(
    query: &AuditQuery,
    agencies: &[Agency],
    accounts: &[Account],
) -> Result<(Filter, Option<i64>), AppError> {
    let agency_id = match present(&query.agency) {
        None => None,
        Some(code) => Some(
            agencies
                .iter()
                .find(|a| a.code == code)
                .ok_or(AppError::bad_request("admin.audit.bad_agency"))?
                .id,
        ),
    };
    let user_id = match present(&query.user) {
        None => None,
        Some(login) => Some(
            accounts
                .iter()
                .find(|a| a.login == login)
                .ok_or(AppError::bad_request("admin.audit.bad_user"))?
                .id,
        ),
    };
    let from = parse_date_param(query.from.as_deref())?;
    let to = parse_date_param(query.to.as_deref())?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(AppError::bad_request("admin.audit.bad_range"));
        }
    }
    // A kind not in the log yet simply has no rows; one that could not be a
    // kind (the code's names are lowercase with `_`) is a mistake.
    let object_type = match present(&query.kind) {
        None => None,
        Some(kind) if is_kind(kind) => Some(kind.to_owned()),
        Some(_) => return Err(AppError::bad_request("admin.audit.bad_kind")),
    };
    let after = match present(&query.after) {
        None => None,
        Some(raw) => Some(
            raw.parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or(AppError::bad_request("admin.audit.bad_page"))?,
        ),
    };
    Ok((
        Filter {
            agency_id,
            user_id,
            from,
            to,
            object_type,
        },
        after,
    ))
}

/// One field of an object before and after the change, shown as text.
pub struct FieldChange {
    pub name: String,
    pub before: String,
    pub after: String,
    pub changed: bool,
}

/// A value as a reader wants it: text without quotes, nothing as a dash,
/// anything else as compact JSON.
fn show(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The fields of `before` and `after` side by side, in name order; values
/// that are not objects show as one unnamed field.
pub fn field_changes(before: Option<&Value>, after: Option<&Value>) -> Vec<FieldChange> {
    let as_object = |v: Option<&Value>| match v {
        Some(Value::Object(map)) => Some(map.clone()),
        None | Some(Value::Null) => Some(serde_json::Map::new()),
        Some(_) => None,
    };
    match (as_object(before), as_object(after)) {
        (Some(before), Some(after)) => {
            let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
            names
                .into_iter()
                .map(|name| FieldChange {
                    name: name.clone(),
                    before: show(before.get(name)),
                    after: show(after.get(name)),
                    changed: before.get(name) != after.get(name),
                })
                .collect()
        }
        _ => vec![FieldChange {
            name: String::new(),
            before: show(before),
            after: show(after),
            changed: before != after,
        }],
    }
}

pub struct LogView {
    pub row: LogRow,
    /// Date and time in the reader's language (UTC, Mali's time).
    pub when: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    ctx: Ctx,
    query: AuditQuery,
    agencies: Vec<Agency>,
    accounts: Vec<Account>,
    kinds: Vec<String>,
    rows: Vec<LogView>,
    /// The link to the next (older) page, if there is one.
    next_page: Option<String>,
    /// The link to the first page, when this is not it.
    first_page: Option<String>,
}

impl AuditPage {
    fn chosen(&self, value: &Option<String>, option: &str) -> bool {
        present(value) == Some(option)
    }

    fn typed<'a>(&self, value: &'a Option<String>) -> &'a str {
        value.as_deref().unwrap_or("")
    }
}

pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Admin(_): Admin,
    Query(query): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let agencies = agencies::list(&state.db).await?;
    let accounts = admin::accounts(&state.db).await?;
    let (filter, after) = parse_filter(&query, &agencies, &accounts)?;
    let mut kinds = audit::object_types(&state.db).await?;
    if let Some(kind) = &filter.object_type {
        if !kinds.contains(kind) {
            kinds.push(kind.clone());
        }
    }
    let mut rows = audit::page(&state.db, &filter, after, PAGE_SIZE + 1).await?;
    let has_more = rows.len() > usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX));
    let filters = query.filters_query();
    let link = |extra: Option<i64>| {
        let mut query = filters.clone();
        if let Some(after) = extra {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&format!("after={after}"));
        }
        if query.is_empty() {
            "/admin/audit".to_owned()
        } else {
            format!("/admin/audit?{query}")
        }
    };
    let next_page = has_more.then(|| link(rows.last().map(|r| r.id)));
    let first_page = after.map(|_| link(None));
    let lang = ctx.lang;
    let rows = rows
        .into_iter()
        .map(|row| LogView {
            when: format!(
                "{} {}",
                lang.date(row.at.date_naive()),
                row.at.format("%H:%M:%S")
            ),
            changes: field_changes(row.before.as_ref(), row.after.as_ref()),
            row,
        })
        .collect();
    let page = AuditPage {
        ctx,
        query,
        agencies,
        accounts,
        kinds,
        rows,
        next_page,
        first_page,
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn changes_show_each_field_before_and_after() {
        let before = json!({"name": "Agence A", "parent_code": null, "code": "A"});
        let after = json!({"name": "Agence B", "parent_code": "MTI", "code": "A"});
        let changes = field_changes(Some(&before), Some(&after));
        let names: Vec<&str> = changes.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["code", "name", "parent_code"]);
        assert!(!changes[0].changed);
        assert_eq!(
            (changes[1].before.as_str(), changes[1].after.as_str()),
            ("Agence A", "Agence B")
        );
        assert_eq!(changes[2].before, "—");
        let created = field_changes(None, Some(&json!({"n": 3})));
        assert_eq!(
            (created[0].before.as_str(), created[0].after.as_str()),
            ("—", "3")
        );
        let odd = field_changes(Some(&json!([1, 2])), None);
        assert_eq!(odd.len(), 1);
        assert_eq!(odd[0].before, "[1,2]");
    }

    #[test]
    fn bad_filters_are_refused() {
        let refused = |query: AuditQuery| match parse_filter(&query, &[], &[]) {
            Err(AppError::BadRequest { key }) => key,
            other => panic!("expected a bad request, got {other:?}"),
        };
        let q = |f: fn(&mut AuditQuery)| {
            let mut query = AuditQuery::default();
            f(&mut query);
            query
        };
        assert_eq!(
            refused(q(|q| q.agency = Some("NOPE".into()))),
            "admin.audit.bad_agency"
        );
        assert_eq!(
            refused(q(|q| q.user = Some("nobody".into()))),
            "admin.audit.bad_user"
        );
        assert_eq!(
            refused(q(|q| q.from = Some("2025-02-30".into()))),
            "error.bad_date"
        );
        assert_eq!(
            refused(q(|q| {
                q.from = Some("2025-03-02".into());
                q.to = Some("2025-03-01".into());
            })),
            "admin.audit.bad_range"
        );
        assert_eq!(
            refused(q(|q| q.kind = Some("Nope!".into()))),
            "admin.audit.bad_kind"
        );
        assert_eq!(
            refused(q(|q| q.after = Some("x".into()))),
            "admin.audit.bad_page"
        );
        let (filter, after) = parse_filter(
            &q(|q| {
                q.kind = Some("agency".into());
                q.from = Some(String::new());
            }),
            &[],
            &[],
        )
        .unwrap();
        assert_eq!(filter.object_type.as_deref(), Some("agency"));
        assert_eq!((filter.from, after), (None, None));
    }
}
