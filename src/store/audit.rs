//! The audit log: who changed what, when, with the object before and after as
//! JSON. Rows are only ever added, inside the transaction of the change they
//! describe, so a change without its audit row cannot be committed; admins
//! read them back a page at a time, newest first, filtered.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};
use sqlx::{FromRow, PgExecutor, PgPool, Postgres, QueryBuilder};

/// Who made a change. The command line has no signed-in account: its rows have
/// no user (the audit page shows "System") and carry `"via": "cli"` in
/// `after`, so that a reader sees the change was made by someone with shell
/// access to the server, not through the web.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in account, by id.
    User(i64),
    /// A `suivi` command run on the server (`suivi user add`, `set-password`).
    CommandLine,
}

impl Actor {
    pub fn user_id(self) -> Option<i64> {
        match self {
            Actor::User(id) => Some(id),
            Actor::CommandLine => None,
        }
    }

    /// `after` as the log keeps it for this actor: with `"via": "cli"` added
    /// for the command line (to an empty object when there is no `after`).
    pub fn mark(self, after: Option<Value>) -> Option<Value> {
        match (self, after) {
            (Actor::User(_), after) => after,
            (Actor::CommandLine, None) => Some(Value::Object(Map::from_iter([via_cli()]))),
            (Actor::CommandLine, Some(Value::Object(mut fields))) => {
                fields.extend([via_cli()]);
                Some(Value::Object(fields))
            }
            // Never arises (every `after` is an object); kept whole rather
            // than lose it.
            (Actor::CommandLine, Some(other)) => Some(other),
        }
    }
}

fn via_cli() -> (String, Value) {
    ("via".to_owned(), Value::from("cli"))
}

#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub user_id: Option<i64>,
    /// What happened, e.g. `progress.record`.
    pub action: &'a str,
    /// The table of the object, e.g. `progress_update`.
    pub object_type: &'a str,
    pub object_id: Option<i64>,
    pub agency_id: Option<i64>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(db: impl PgExecutor<'_>, entry: &Entry<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "INSERT INTO audit_log (user_id, action, object_type, object_id, agency_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(entry.user_id)
    .bind(entry.action)
    .bind(entry.object_type)
    .bind(entry.object_id)
    .bind(entry.agency_id)
    .bind(&entry.before)
    .bind(&entry.after)
    .fetch_one(db)
    .await
}

/// Several rows in one statement: a bulk save's, one per update.
pub async fn record_many(db: impl PgExecutor<'_>, entries: &[Entry<'_>]) -> sqlx::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    let column = |field: fn(&Entry<'_>) -> Option<Value>| -> Vec<Option<Value>> {
        entries.iter().map(field).collect()
    };
    sqlx::query(
        "INSERT INTO audit_log (user_id, action, object_type, object_id, agency_id, before, after) \
         SELECT u, a, t, o, g, b, f FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], \
             $6::jsonb[], $7::jsonb[]) WITH ORDINALITY AS e(u, a, t, o, g, b, f, n) ORDER BY n",
    )
    .bind(entries.iter().map(|e| e.user_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.action).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.object_type).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.object_id).collect::<Vec<_>>())
    .bind(entries.iter().map(|e| e.agency_id).collect::<Vec<_>>())
    .bind(column(|e| e.before.clone()))
    .bind(column(|e| e.after.clone()))
    .execute(db)
    .await?;
    Ok(())
}

/// Which rows to read; `None` means no filter. Dates are calendar days in UTC
/// (Mali's time), both ends included.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub agency_id: Option<i64>,
    pub user_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub object_type: Option<String>,
}

/// One row of the log with the names a reader needs.
#[derive(Debug, Clone, FromRow)]
pub struct LogRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_login: Option<String>,
    pub user_name: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: Option<i64>,
    pub agency_code: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Up to `limit` rows matching `filter`, newest first, starting after the row
/// `after_id` (the last row of the previous page) when given. Only the
/// filters in use go into the SQL, so each shape gets a plan that uses its
/// index.
pub async fn page(
    db: &PgPool,
    filter: &Filter,
    after_id: Option<i64>,
    limit: i64,
) -> sqlx::Result<Vec<LogRow>> {
    let mut query: QueryBuilder<Postgres> = QueryBuilder::new(
        "SELECT a.id, a.at, u.login AS user_login, u.display_name AS user_name, a.action, \
         a.object_type, a.object_id, g.code AS agency_code, a.before, a.after \
         FROM audit_log a LEFT JOIN users u ON u.id = a.user_id \
         LEFT JOIN agencies g ON g.id = a.agency_id WHERE true",
    );
    if let Some(agency_id) = filter.agency_id {
        query.push(" AND a.agency_id = ").push_bind(agency_id);
    }
    if let Some(user_id) = filter.user_id {
        query.push(" AND a.user_id = ").push_bind(user_id);
    }
    if let Some(from) = filter.from {
        query
            .push(" AND a.at >= (")
            .push_bind(from)
            .push("::date)::timestamp AT TIME ZONE 'UTC'");
    }
    if let Some(to) = filter.to {
        query
            .push(" AND a.at < (")
            .push_bind(to)
            .push("::date + 1)::timestamp AT TIME ZONE 'UTC'");
    }
    if let Some(object_type) = &filter.object_type {
        query
            .push(" AND a.object_type = ")
            .push_bind(object_type.clone());
    }
    if let Some(after_id) = after_id {
        query
            .push(" AND (a.at, a.id) < (SELECT at, id FROM audit_log WHERE id = ")
            .push_bind(after_id)
            .push(")");
    }
    query
        .push(" ORDER BY a.at DESC, a.id DESC LIMIT ")
        .push_bind(limit);
    query.build_query_as().fetch_all(db).await
}

/// The kinds of object the log holds, for the filter's choices. A skip scan
/// over the `object_type` index: one probe per kind, however long the log.
pub async fn object_types(db: &PgPool) -> sqlx::Result<Vec<String>> {
    sqlx::query_scalar(
        "WITH RECURSIVE kinds(kind) AS ( \
             (SELECT object_type FROM audit_log ORDER BY object_type LIMIT 1) \
             UNION ALL \
             SELECT (SELECT object_type FROM audit_log WHERE object_type > k.kind \
                     ORDER BY object_type LIMIT 1) \
             FROM kinds k WHERE k.kind IS NOT NULL \
         ) SELECT kind FROM kinds WHERE kind IS NOT NULL ORDER BY kind",
    )
    .fetch_all(db)
    .await
}
