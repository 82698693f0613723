//! The demo data: ANASER's PAP 2025 and 2026 with its 29th and 30th board
//! sessions, the CRSS security-sector-reform action plan 2022-2024 and the UNDP
//! democratic-governance programme, from the articles in `shared/seeds`.
//!
//! What the sources say is reproduced exactly: the 30th ordinary session of the
//! ANASER board on 26 December 2025 chaired by the Minister of Transport and
//! Infrastructure, figures as of 30 November 2025, 32 of the 49 activities of
//! the PAP 2025 done (65 %), 10 of them above target; a 2026 programme of 50
//! activities in five priority actions; the CRSS national workshop at the CICB
//! and the regional workshop in Kayes; the four objectives of the UNDP programme
//! and their sub-objectives.
//!
//! Everything else is illustrative, invented to be plausible and not taken from
//! any source: activity titles, targets, budgets, responsible units, dates and
//! progress, indicator values, funding amounts, the 29th session and the
//! resolutions. The plans and sessions are therefore marked `illustrative`.
//!
//! The data is written as tables below; `load` inserts it in one transaction,
//! once: a second run finds ANASER and changes nothing. Once sealed, the PAP
//! 2025 and the 30th session are published (`publications`). Nothing depends on the
//! clock or on randomness, so every load gives the same rows.

mod data;
mod evidence;
mod publications;
#[cfg(test)]
mod tests;
mod updates;
mod validation;

use std::collections::HashMap;
use std::fmt;

use anyhow::Context;
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::{
    Direction, FundingSourceKind, PlanKind, PlanStatus, ResolutionStatus, SessionKind,
    SessionStatus,
};
use crate::passwords;
use crate::store::users;
use data::{AGENCIES, DEMO_ACCOUNTS};
use updates::{date, updates_of};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded,
    AlreadyPresent,
}

impl fmt::Display for DemoOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DemoOutcome::Loaded => "demo data loaded",
            DemoOutcome::AlreadyPresent => "demo data already present",
        })
    }
}

/// Serialises concurrent loads (two instances starting together): the second
/// waits for the first to commit, then finds ANASER and does nothing.
const DEMO_LOCK: i64 = 0x5375_6976_6944_656d; // "SuivDem"

/// The agency whose presence means the demo is loaded.
const MARKER_AGENCY: &str = "ANASER";

pub async fn load(pool: &PgPool) -> anyhow::Result<DemoOutcome> {
    let mut tx = crate::db::begin(pool).await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(DEMO_LOCK)
        .execute(&mut *tx)
        .await?;
    let present: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM agencies WHERE code = $1)")
            .bind(MARKER_AGENCY)
            .fetch_one(&mut *tx)
            .await?;
    let mut writer = Writer {
        tx,
        agencies: HashMap::new(),
    };
    let outcome = if present {
        DemoOutcome::AlreadyPresent
    } else {
        for agency in AGENCIES {
            writer
                .agency(agency)
                .await
                .with_context(|| format!("{} demo data", agency.code))?;
        }
        DemoOutcome::Loaded
    };
    // Also on a database loaded before accounts existed; existing logins are
    // left alone (their passwords may have been changed).
    writer.accounts().await.context("demo accounts")?;
    // Also once on a database loaded before attachments existed.
    evidence::attach(&mut writer.tx)
        .await
        .context("demo evidence")?;
    // Also once on a database loaded before validation existed.
    validation::submit_and_review(&mut writer.tx)
        .await
        .context("demo validation")?;
    writer.tx.commit().await?;
    // The demo's held sessions (the 29th and 30th of ANASER…) are sealed as
    // any session marked held is, with the figures just loaded.
    crate::dashboard::seal_never_sealed(pool)
        .await
        .context("sealing the demo's held sessions")?;
    if outcome == DemoOutcome::Loaded {
        publications::publish(pool)
            .await
            .context("publishing the demo's plan and session")?;
    }
    Ok(outcome)
}

/// The password of every demo account; public, hence demo-only.
pub const DEMO_PASSWORD: &str = "suivi-demo";

// ---------------------------------------------------------------------------
// The shape of the tables
// ---------------------------------------------------------------------------

/// A calendar date written as (year, month, day) in the tables.
type Ymd = (i32, u32, u32);

/// A department responsible for activities; its short name signs the progress
/// updates, as focal points do ("Point focal DPSR").
struct Unit {
    name: &'static str,
    short: &'static str,
}

/// How an activity went; `updates_of` turns it into the dated updates a focal
/// point would have entered along the way.
#[derive(Clone, Copy)]
enum Course {
    /// Done on the date with this achieved quantity; in progress before.
    Done(Ymd, i64),
    /// In progress, with this achieved quantity as of the date.
    InProgress(Ymd, i64),
    /// Nothing recorded.
    NotStarted,
    /// Recorded as not started on the date, with the reason.
    Waiting(Ymd, &'static str),
    /// Started, then postponed on the date, with the reason.
    Postponed(Ymd, &'static str),
    /// Abandoned on the date, with the reason.
    Abandoned(Ymd, &'static str),
}

struct ActivitySpec {
    code: &'static str,
    title: &'static str,
    target: i64,
    unit: &'static str,
    budget: i64,
    responsible: &'static Unit,
    region: &'static str,
    /// Planned start and end.
    planned: (Ymd, Ymd),
    course: Course,
}

struct NodeSpec {
    code: &'static str,
    title: &'static str,
    children: &'static [NodeSpec],
    activities: &'static [ActivitySpec],
}

struct IndicatorSpec {
    /// The code of the node it measures.
    node: &'static str,
    code: &'static str,
    title: &'static str,
    unit: &'static str,
    baseline: (i64, i32),
    target: (i64, i32),
    direction: Direction,
    /// (period label, period end, value).
    values: &'static [(&'static str, Ymd, i64)],
}

struct FundingSpec {
    source: &'static str,
    kind: FundingSourceKind,
    /// FCFA.
    planned: i64,
    mobilised: i64,
    /// The codes of the plan's activities this line pays for (a few, to
    /// show the execution per source; the others name none).
    activities: &'static [&'static str],
}

struct PlanSpec {
    code: &'static str,
    title: &'static str,
    kind: PlanKind,
    years: (i32, i32),
    status: PlanStatus,
    levels: &'static [&'static str],
    tree: &'static [NodeSpec],
    indicators: &'static [IndicatorSpec],
    funding: &'static [FundingSpec],
}

struct ResolutionSpec {
    text: &'static str,
    responsible: &'static str,
    due: Ymd,
    status: ResolutionStatus,
}

struct SessionSpec {
    number: i32,
    held_on: Ymd,
    cutoff: Ymd,
    place: &'static str,
    chair: &'static str,
    /// Plan codes of the same agency.
    reviewed: &'static str,
    adopted: Option<&'static str>,
    resolutions: &'static [ResolutionSpec],
}

struct AgencySpec {
    code: &'static str,
    name: &'static str,
    /// Code of the supervising agency ("tutelle"), listed before this one.
    parent: Option<&'static str>,
    plans: &'static [&'static PlanSpec],
    sessions: &'static [SessionSpec],
}

// ---------------------------------------------------------------------------
// The loader
// ---------------------------------------------------------------------------

struct Writer {
    tx: Transaction<'static, Postgres>,
    /// Agency code → (id, plan code → id), filled as they are inserted.
    agencies: HashMap<&'static str, (i64, HashMap<&'static str, i64>)>,
}

impl Writer {
    async fn accounts(&mut self) -> anyhow::Result<()> {
        let logins: Vec<&str> = DEMO_ACCOUNTS.iter().map(|a| a.0).collect();
        let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM users WHERE login = ANY($1)")
            .bind(&logins)
            .fetch_one(&mut *self.tx)
            .await?;
        if usize::try_from(existing).is_ok_and(|n| n == DEMO_ACCOUNTS.len()) {
            return Ok(());
        }
        // One hash for all: the password is public anyway, and argon2 is slow
        // on purpose.
        let hash = tokio::task::spawn_blocking(|| passwords::hash(DEMO_PASSWORD)).await??;
        for (login, name, is_admin, role) in DEMO_ACCOUNTS {
            let Some(user) = users::create(&mut *self.tx, login, name, &hash, *is_admin).await?
            else {
                continue;
            };
            if let Some((agency, role)) = role {
                let agency: i64 = sqlx::query_scalar("SELECT id FROM agencies WHERE code = $1")
                    .bind(agency)
                    .fetch_one(&mut *self.tx)
                    .await?;
                users::set_role(&mut *self.tx, user, agency, *role).await?;
            }
        }
        Ok(())
    }

    async fn agency(&mut self, spec: &'static AgencySpec) -> anyhow::Result<()> {
        let parent = match spec.parent {
            Some(code) => Some(
                self.agencies
                    .get(code)
                    .with_context(|| format!("parent {code} is listed after {}", spec.code))?
                    .0,
            ),
            None => None,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agencies (code, name, parent_id) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(spec.code)
        .bind(spec.name)
        .bind(parent)
        .fetch_one(&mut *self.tx)
        .await?;
        let mut plans = HashMap::new();
        for plan in spec.plans {
            let plan_id = self
                .plan(id, plan)
                .await
                .with_context(|| format!("plan {}", plan.code))?;
            plans.insert(plan.code, plan_id);
        }
        for session in spec.sessions {
            let plan = |code: &str| {
                plans
                    .get(code)
                    .copied()
                    .with_context(|| format!("session {}: no plan {code}", session.number))
            };
            let reviewed = plan(session.reviewed)?;
            let adopted = session.adopted.map(plan).transpose()?;
            self.session(id, session, reviewed, adopted).await?;
        }
        self.agencies.insert(spec.code, (id, plans));
        Ok(())
    }

    async fn plan(&mut self, agency: i64, spec: &PlanSpec) -> anyhow::Result<i64> {
        // Every demo plan has invented activities, hence illustrative.
        let plan: i64 = sqlx::query_scalar(
            "INSERT INTO plans (agency_id, code, title, kind, start_year, end_year, status, level_names, illustrative) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true) RETURNING id",
        )
        .bind(agency)
        .bind(spec.code)
        .bind(spec.title)
        .bind(spec.kind.as_str())
        .bind(spec.years.0)
        .bind(spec.years.1)
        .bind(spec.status.as_str())
        .bind(spec.levels)
        .fetch_one(&mut *self.tx)
        .await?;
        let mut position = 0;
        for node in spec.tree {
            self.node(plan, None, 0, node, &mut position).await?;
        }
        for (position, indicator) in (0..).zip(spec.indicators) {
            self.indicator(plan, position, indicator).await?;
        }
        for (position, line) in (0_i32..).zip(spec.funding) {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO funding_lines (plan_id, position, source, source_kind, planned, mobilised) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(plan)
            .bind(position)
            .bind(line.source)
            .bind(line.kind.as_str())
            .bind(line.planned)
            .bind(line.mobilised)
            .fetch_one(&mut *self.tx)
            .await?;
            // The source is part of the activities' first version (from the
            // start), as if the plan had named it from the outset; the
            // activities were inserted before their lines existed.
            for sql in [
                "UPDATE activities a SET funding_line_id = $1 \
                 WHERE a.plan_id = $2 AND a.code = ANY($3)",
                "UPDATE activity_versions v SET funding_line_id = $1 FROM activities a \
                 WHERE a.id = v.activity_id AND a.plan_id = $2 AND a.code = ANY($3)",
            ] {
                let updated = sqlx::query(sql)
                    .bind(id)
                    .bind(plan)
                    .bind(line.activities)
                    .execute(&mut *self.tx)
                    .await?;
                anyhow::ensure!(
                    updated.rows_affected() == line.activities.len() as u64,
                    "funding line {}: an activity code it names is not in the plan",
                    line.source
                );
            }
        }
        Ok(plan)
    }

    /// Inserts a node, its activities, then its children; `position` numbers
    /// nodes and activities in reading order across the whole plan.
    async fn node(
        &mut self,
        plan: i64,
        parent: Option<i64>,
        depth: i32,
        spec: &NodeSpec,
        position: &mut i32,
    ) -> anyhow::Result<()> {
        *position += 1;
        let node: i64 = sqlx::query_scalar(
            "INSERT INTO plan_nodes (plan_id, parent_id, depth, position, code, title) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(plan)
        .bind(parent)
        .bind(depth)
        .bind(*position)
        .bind(spec.code)
        .bind(spec.title)
        .fetch_one(&mut *self.tx)
        .await?;
        for activity in spec.activities {
            *position += 1;
            self.activity(plan, node, *position, activity)
                .await
                .with_context(|| format!("activity {}", activity.code))?;
        }
        for child in spec.children {
            Box::pin(self.node(plan, Some(node), depth + 1, child, position)).await?;
        }
        Ok(())
    }

    async fn activity(
        &mut self,
        plan: i64,
        node: i64,
        position: i32,
        spec: &ActivitySpec,
    ) -> anyhow::Result<()> {
        let activity: i64 = sqlx::query_scalar(
            "INSERT INTO activities (plan_id, node_id, position, code, title, target, unit, budget, \
             responsible_unit, region_code, planned_start, planned_end) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(plan)
        .bind(node)
        .bind(position)
        .bind(spec.code)
        .bind(spec.title)
        .bind(Decimal::from(spec.target))
        .bind(spec.unit)
        .bind(spec.budget)
        .bind(spec.responsible.name)
        .bind(spec.region)
        .bind(date(spec.planned.0)?)
        .bind(date(spec.planned.1)?)
        .fetch_one(&mut *self.tx)
        .await?;
        let author = format!("Point focal {}", spec.responsible.short);
        for update in updates_of(spec)? {
            // recorded_at follows as_of (end of that working day) rather than
            // the clock, so that two loads give the same rows.
            sqlx::query(
                "INSERT INTO progress_updates (activity_id, as_of, status, achieved, spent, comment, author, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, ($2::date + time '17:00') AT TIME ZONE 'UTC')",
            )
            .bind(activity)
            .bind(update.as_of)
            .bind(update.status.as_str())
            .bind(update.achieved.map(Decimal::from))
            .bind(update.spent)
            .bind(update.comment)
            .bind(&author)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn indicator(
        &mut self,
        plan: i64,
        position: i32,
        spec: &IndicatorSpec,
    ) -> anyhow::Result<()> {
        let indicator: i64 = sqlx::query_scalar(
            "INSERT INTO indicators (plan_id, node_id, position, code, title, unit, baseline, baseline_year, \
             target, target_year, direction) \
             VALUES ($1, (SELECT id FROM plan_nodes WHERE plan_id = $1 AND code = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
        )
        .bind(plan)
        .bind(spec.node)
        .bind(position)
        .bind(spec.code)
        .bind(spec.title)
        .bind(spec.unit)
        .bind(Decimal::from(spec.baseline.0))
        .bind(spec.baseline.1)
        .bind(Decimal::from(spec.target.0))
        .bind(spec.target.1)
        .bind(spec.direction.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        for (label, end, value) in spec.values {
            sqlx::query(
                "INSERT INTO indicator_values (indicator_id, period_label, period_end, value, recorded_at) \
                 VALUES ($1, $2, $3, $4, ($3::date + time '17:00') AT TIME ZONE 'UTC')",
            )
            .bind(indicator)
            .bind(label)
            .bind(date(*end)?)
            .bind(Decimal::from(*value))
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    async fn session(
        &mut self,
        agency: i64,
        spec: &SessionSpec,
        reviewed: i64,
        adopted: Option<i64>,
    ) -> anyhow::Result<()> {
        let session: i64 = sqlx::query_scalar(
            "INSERT INTO board_sessions (agency_id, number, kind, held_on, cutoff, place, chair, \
             reviewed_plan_id, adopted_plan_id, status, illustrative) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true) RETURNING id",
        )
        .bind(agency)
        .bind(spec.number)
        .bind(SessionKind::Ordinary.as_str())
        .bind(date(spec.held_on)?)
        .bind(date(spec.cutoff)?)
        .bind(spec.place)
        .bind(spec.chair)
        .bind(reviewed)
        .bind(adopted)
        .bind(SessionStatus::Held.as_str())
        .fetch_one(&mut *self.tx)
        .await?;
        for (position, resolution) in (0_i32..).zip(spec.resolutions) {
            sqlx::query(
                "INSERT INTO resolutions (session_id, position, text, responsible_unit, due_on, status) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(session)
            .bind(position)
            .bind(resolution.text)
            .bind(resolution.responsible)
            .bind(date(resolution.due)?)
            .bind(resolution.status.as_str())
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }
}
