//! Writing an imported plan: the plan itself when new, its nodes and
//! activities created or changed by code, all in one transaction with one
//! audit row that lists what the import did; and the uploaded files that wait
//! between a preview and its "apply", each used up by the transaction that
//! applies it, so that a failed apply leaves it to try again.

use chrono::NaiveDate;

use crate::domain::PlanKind;
use serde::Serialize;
use sqlx::{PgPool, Postgres, Transaction};

use super::funding::{self, FundingFields};
use super::schedules;
use super::structure::{self, ActivityFields, IndicatorFields, NodeFields};
use super::{audit, to_json};
use crate::schedule::PlannedPeriod;

/// A plan to create, when the import names a plan the agency does not have.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NewPlan {
    pub agency_id: i64,
    pub code: String,
    pub title: String,
    pub year: i32,
    pub level_names: Vec<String>,
    /// The last year of a multi-year plan (an action plan 2022-2024, from
    /// its file); `None` for a one-year plan.
    #[serde(default)]
    pub end_year: Option<i32>,
}

/// One change of an import, in the order it is applied (parents first).
#[derive(Debug, Clone, Serialize)]
pub enum PlanChange {
    CreateNode {
        fields: NodeFields,
        parent_code: Option<String>,
    },
    UpdateNode {
        id: i64,
        fields: NodeFields,
        parent_code: Option<String>,
    },
    CreateActivity {
        fields: ActivityFields,
        node_code: String,
    },
    UpdateActivity {
        id: i64,
        fields: ActivityFields,
        node_code: String,
    },
    CreateIndicator {
        fields: IndicatorFields,
        node_code: Option<String>,
    },
    UpdateIndicator {
        id: i64,
        fields: IndicatorFields,
        node_code: Option<String>,
    },
    CreateFunding {
        fields: FundingFields,
    },
    UpdateFunding {
        id: i64,
        fields: FundingFields,
    },
    /// The activity of that code (created before, or already there) is
    /// planned in these periods.
    SetSchedule {
        code: String,
        periods: Vec<PlannedPeriod>,
    },
    /// A new plan's amounts are in this currency (its ISO code), not FCFA.
    SetCurrency {
        currency: String,
    },
}

/// Applies the changes; returns the plan's id. Nodes are found by code, so a
/// change may name a node created earlier in the same import. The upload
/// with the token `upload`, if any, is deleted first in the same transaction:
/// `None` when it is gone (another request applied it), and nothing is
/// written; a concurrent apply of the same upload waits on its row.
pub async fn apply(
    db: &PgPool,
    plan: Result<i64, &NewPlan>,
    changes: &[PlanChange],
    added_on: Option<NaiveDate>,
    user_id: i64,
    agency_id: i64,
    upload: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    let mut tx = crate::db::begin(db).await?;
    if let Some(token) = upload {
        let used = sqlx::query("DELETE FROM import_uploads WHERE token = $1")
            .bind(token)
            .execute(&mut *tx)
            .await?;
        if used.rows_affected() == 0 {
            return Ok(None);
        }
    }
    let plan_id = match plan {
        Ok(id) => id,
        Err(new) => {
            sqlx::query_scalar(
                "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, status, level_names) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7) RETURNING id",
            )
            .bind(new.agency_id)
            .bind(&new.code)
            .bind(&new.title)
            .bind(match new.end_year {
                Some(end) if end > new.year => PlanKind::Multiyear,
                _ => PlanKind::Annual,
            })
            .bind(new.year)
            .bind(new.end_year.unwrap_or(new.year).max(new.year))
            .bind(&new.level_names)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    // The editor's changes to the same plan wait, and are checked against
    // what the import wrote.
    structure::lock_tree(&mut tx, plan_id).await?;
    for change in changes {
        apply_one(&mut tx, plan_id, change, added_on, user_id).await?;
    }
    audit::record(
        &mut *tx,
        &audit::Entry {
            user_id: Some(user_id),
            action: "plan.import",
            object_type: "plan",
            object_id: Some(plan_id),
            agency_id: Some(agency_id),
            before: None,
            after: Some(to_json(&changes)?),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(plan_id))
}

async fn node_id(
    tx: &mut Transaction<'_, Postgres>,
    plan_id: i64,
    code: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT id FROM plan_nodes WHERE plan_id = $1 AND code = $2")
        .bind(plan_id)
        .bind(code)
        .fetch_one(&mut **tx)
        .await
}

/// The date of the versions in force before any plan (as the migrations
/// give existing rows).
const FROM_THE_START: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");

/// One change, through the same writes as the edit pages; the node a change
/// names by code is looked up first (it may have been created just before).
async fn apply_one(
    tx: &mut Transaction<'_, Postgres>,
    plan_id: i64,
    change: &PlanChange,
    added_on: Option<NaiveDate>,
    user_id: i64,
) -> sqlx::Result<()> {
    match change {
        PlanChange::CreateNode {
            fields,
            parent_code,
        } => {
            let parent_id = node_of(tx, plan_id, parent_code.as_deref()).await?;
            structure::insert_node(tx, plan_id, parent_id, fields, added_on).await?;
        }
        PlanChange::UpdateNode {
            id,
            fields,
            parent_code,
        } => {
            let parent_id = node_of(tx, plan_id, parent_code.as_deref()).await?;
            structure::write_node(tx, *id, parent_id, fields).await?;
        }
        PlanChange::CreateActivity { fields, node_code } => {
            let node_id = node_id(tx, plan_id, node_code).await?;
            structure::insert_activity(tx, plan_id, node_id, fields, added_on).await?;
        }
        PlanChange::UpdateActivity {
            id,
            fields,
            node_code,
        } => {
            let node_id = node_id(tx, plan_id, node_code).await?;
            // A re-imported plan's changes take effect on the day of the
            // import, like its additions; a plan without activities yet has
            // nothing to update, so the fallback (from the start) is moot.
            let effective_on = added_on.unwrap_or_default();
            structure::write_activity(tx, *id, node_id, fields, effective_on, user_id).await?;
        }
        PlanChange::CreateIndicator { fields, node_code } => {
            let node_id = node_of(tx, plan_id, node_code.as_deref()).await?;
            structure::insert_indicator(tx, plan_id, node_id, fields, added_on).await?;
        }
        PlanChange::UpdateIndicator {
            id,
            fields,
            node_code,
        } => {
            let node_id = node_of(tx, plan_id, node_code.as_deref()).await?;
            // From the day of the import, as for activities.
            let effective_on = added_on.unwrap_or_default();
            structure::write_indicator(tx, *id, node_id, fields, effective_on, user_id).await?;
        }
        PlanChange::CreateFunding { fields } => {
            // From the day of the import into a plan under way, else from
            // the start, as for activities.
            let added_on = added_on.unwrap_or(FROM_THE_START);
            funding::insert(tx, plan_id, fields, added_on, Some(user_id)).await?;
        }
        PlanChange::UpdateFunding { id, fields } => {
            let effective_on = added_on.unwrap_or(FROM_THE_START);
            funding::write(tx, *id, fields, effective_on, Some(user_id)).await?;
        }
        PlanChange::SetCurrency { currency } => {
            sqlx::query("UPDATE plans SET currency = $2 WHERE id = $1")
                .bind(plan_id)
                .bind(currency)
                .execute(&mut **tx)
                .await?;
        }
        PlanChange::SetSchedule { code, periods } => {
            let activity_id: i64 =
                sqlx::query_scalar("SELECT id FROM activities WHERE plan_id = $1 AND code = $2")
                    .bind(plan_id)
                    .bind(code)
                    .fetch_one(&mut **tx)
                    .await?;
            // From the day of the import into a plan under way (a past
            // figure stands), else from the start, as for activities.
            let effective_on = added_on.unwrap_or(FROM_THE_START);
            schedules::write(tx, activity_id, periods, effective_on, Some(user_id)).await?;
        }
    }
    Ok(())
}

/// The node a change names, if it names one.
async fn node_of(
    tx: &mut Transaction<'_, Postgres>,
    plan_id: i64,
    code: Option<&str>,
) -> sqlx::Result<Option<i64>> {
    match code {
        Some(code) => Ok(Some(node_id(tx, plan_id, code).await?)),
        None => Ok(None),
    }
}

/// The agency's plan with that code, if any.
pub async fn plan_by_code(db: &PgPool, agency_id: i64, code: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("SELECT id FROM plans WHERE agency_id = $1 AND code = $2")
        .bind(agency_id)
        .bind(code)
        .fetch_optional(db)
        .await
}

/// Keeps an uploaded file for its preview's "apply" button; purges old ones.
pub async fn keep_upload(
    db: &PgPool,
    token: &str,
    user_id: i64,
    plan_id: i64,
    kind: &str,
    file_name: &str,
    content: &[u8],
) -> sqlx::Result<()> {
    let mut tx = crate::db::begin(db).await?;
    sqlx::query("DELETE FROM import_uploads WHERE created_at < now() - interval '1 day'")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO import_uploads (token, user_id, plan_id, kind, file_name, content) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token)
    .bind(user_id)
    .bind(plan_id)
    .bind(kind)
    .bind(file_name)
    .bind(content)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// The upload of this user for this plan: its kind, file name and content.
/// It stays until the apply uses it up (`apply`, `use_up_upload_in`).
pub async fn find_upload(
    db: &PgPool,
    token: &str,
    user_id: i64,
    plan_id: i64,
) -> sqlx::Result<Option<(String, String, Vec<u8>)>> {
    sqlx::query_as(
        "SELECT kind, file_name, content FROM import_uploads \
         WHERE token = $1 AND user_id = $2 AND plan_id = $3 \
         AND created_at > now() - interval '1 day'",
    )
    .bind(token)
    .bind(user_id)
    .bind(plan_id)
    .fetch_optional(db)
    .await
}

/// Keeps an uploaded file that will create a plan, for its preview's "apply".
pub async fn keep_new_plan_upload(
    db: &PgPool,
    token: &str,
    user_id: i64,
    plan: &NewPlan,
    file_name: &str,
    content: &[u8],
) -> sqlx::Result<()> {
    let new_plan = to_json(plan)?;
    sqlx::query(
        "INSERT INTO import_uploads (token, user_id, agency_id, new_plan, kind, file_name, content) \
         VALUES ($1, $2, $3, $4, 'plan', $5, $6)",
    )
    .bind(token)
    .bind(user_id)
    .bind(plan.agency_id)
    .bind(new_plan)
    .bind(file_name)
    .bind(content)
    .execute(db)
    .await?;
    Ok(())
}

/// The new-plan upload of this user for this agency; it stays until `apply`
/// uses it up.
pub async fn find_new_plan_upload(
    db: &PgPool,
    token: &str,
    user_id: i64,
    agency_id: i64,
) -> sqlx::Result<Option<(NewPlan, String, Vec<u8>)>> {
    let row: Option<(serde_json::Value, String, Vec<u8>)> = sqlx::query_as(
        "SELECT new_plan, file_name, content FROM import_uploads \
         WHERE token = $1 AND user_id = $2 AND agency_id = $3 \
         AND new_plan IS NOT NULL AND created_at > now() - interval '1 day'",
    )
    .bind(token)
    .bind(user_id)
    .bind(agency_id)
    .fetch_optional(db)
    .await?;
    row.map(|(plan, name, content)| {
        serde_json::from_value(plan)
            .map(|plan| (plan, name, content))
            .map_err(|error| sqlx::Error::Decode(Box::new(error)))
    })
    .transpose()
}

/// Uses up an upload in the transaction that records its progress rows, so
/// that a failure leaves it to apply again; `false` when another apply used
/// it up first (the caller then writes nothing).
pub async fn use_up_upload_in(tx: &mut sqlx::PgConnection, token: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM import_uploads WHERE token = $1")
        .bind(token)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() > 0)
}
