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
//! once: a second run finds ANASER and changes nothing. Nothing depends on the
//! clock or on randomness, so every load gives the same rows.

use std::collections::HashMap;
use std::fmt;

use anyhow::Context;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use sqlx::{PgPool, Postgres, Transaction};

use crate::domain::{
    Direction, FundingSourceKind, PlanKind, PlanStatus, ResolutionStatus, Role, SessionKind,
    SessionStatus, Status,
};
use crate::passwords;
use crate::store::users;

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
    let mut tx = pool.begin().await?;
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
    writer.tx.commit().await?;
    Ok(outcome)
}

/// The demo accounts (listed in the README as demo-only): login, display name,
/// admin, and a role in one agency.
type DemoAccount = (
    &'static str,
    &'static str,
    bool,
    Option<(&'static str, Role)>,
);
const DEMO_ACCOUNTS: &[DemoAccount] = &[
    ("admin", "Administrateur (démo)", true, None),
    (
        "anaser.editeur",
        "Point focal ANASER (démo)",
        false,
        Some(("ANASER", Role::Editor)),
    ),
    (
        "anaser.ca",
        "Administrateur ANASER (démo)",
        false,
        Some(("ANASER", Role::Board)),
    ),
    (
        "crss.lecteur",
        "Lecteur CRSS (démo)",
        false,
        Some(("CRSS", Role::Viewer)),
    ),
];

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
// From the tables to progress updates
// ---------------------------------------------------------------------------

/// A progress update to record.
#[derive(Debug, Clone, PartialEq)]
struct UpdateRow {
    as_of: NaiveDate,
    status: Status,
    achieved: Option<i64>,
    spent: i64,
    comment: Option<&'static str>,
}

fn date((y, m, d): Ymd) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).with_context(|| format!("bad demo date {y}-{m}-{d}"))
}

/// `days` after `from` (non-negative by construction).
fn after(from: NaiveDate, days: i64) -> NaiveDate {
    from + Days::new(u64::try_from(days).unwrap_or(0))
}

/// A number in `0..n` that depends only on the activity code (FNV-1a): variety
/// in the amounts spent without randomness, so every load gives the same rows.
fn spread(code: &str, n: i64) -> i64 {
    let hash = code.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    // n is a small positive constant: the remainder fits in i64.
    i64::try_from(hash % n.unsigned_abs()).unwrap_or(0)
}

const ABOVE_TARGET: &str = "Cible dépassée.";
const BELOW_TARGET: &str = "Réalisée en deçà de la cible ; le reliquat est reporté.";

/// The updates a focal point would have entered for the activity, oldest first:
/// an interim "in progress" (two for long activities) before the final state.
/// Amounts spent are cumulative and never exceed the budget.
fn updates_of(spec: &ActivitySpec) -> anyhow::Result<Vec<UpdateRow>> {
    let start = date(spec.planned.0)?;
    let budget = spec.budget;
    let row = |as_of, status, achieved, spent, comment| UpdateRow {
        as_of,
        status,
        achieved,
        spent,
        comment,
    };
    let mut rows = Vec::new();
    match spec.course {
        Course::Done(on, achieved) => {
            let done = date(on)?;
            let spent = budget * (85 + spread(spec.code, 16)) / 100;
            let days = (done - start).num_days();
            // Interim reports at a third and two thirds of a long activity,
            // half way through a shorter one.
            let parts = match days {
                150.. => 3,
                30.. => 2,
                _ => 1,
            };
            for k in 1..parts {
                rows.push(row(
                    after(start, days * k / parts),
                    Status::InProgress,
                    Some(achieved.min(spec.target) * k / parts),
                    spent * k / parts,
                    None,
                ));
            }
            let comment = match achieved.cmp(&spec.target) {
                std::cmp::Ordering::Greater => Some(ABOVE_TARGET),
                std::cmp::Ordering::Less => Some(BELOW_TARGET),
                std::cmp::Ordering::Equal => None,
            };
            rows.push(row(done, Status::Done, Some(achieved), spent, comment));
        }
        Course::InProgress(since, achieved) => {
            let as_of = date(since)?;
            let spent = budget * (30 + spread(spec.code, 31)) / 100;
            let days = (as_of - start).num_days();
            if days >= 60 {
                rows.push(row(
                    after(start, days / 2),
                    Status::InProgress,
                    Some(achieved / 2),
                    spent / 2,
                    None,
                ));
            }
            rows.push(row(as_of, Status::InProgress, Some(achieved), spent, None));
        }
        Course::NotStarted => {}
        Course::Waiting(on, reason) => {
            rows.push(row(date(on)?, Status::NotStarted, None, 0, Some(reason)));
        }
        Course::Postponed(on, reason) => {
            let postponed = date(on)?;
            let days = (postponed - start).num_days();
            // Preparatory spending before the activity was put off.
            let spent = if days >= 30 { budget / 20 } else { 0 };
            if days >= 30 {
                rows.push(row(
                    after(start, days / 2),
                    Status::InProgress,
                    Some(0),
                    spent,
                    None,
                ));
            }
            rows.push(row(
                postponed,
                Status::Postponed,
                Some(0),
                spent,
                Some(reason),
            ));
        }
        Course::Abandoned(on, reason) => {
            rows.push(row(date(on)?, Status::Abandoned, None, 0, Some(reason)));
        }
    }
    Ok(rows)
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
            sqlx::query(
                "INSERT INTO funding_lines (plan_id, position, source, source_kind, planned, mobilised) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(plan)
            .bind(position)
            .bind(line.source)
            .bind(line.kind.as_str())
            .bind(line.planned)
            .bind(line.mobilised)
            .execute(&mut *self.tx)
            .await?;
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

// ---------------------------------------------------------------------------
// The data
// ---------------------------------------------------------------------------

use Course::{Abandoned, Done, InProgress, NotStarted, Postponed, Waiting};
use ResolutionStatus as Rs;

/// Shorthand for the tables: an activity of year `y` planned from the first of
/// month `start` to the last day of month `end`.
#[allow(clippy::too_many_arguments)]
const fn act(
    code: &'static str,
    title: &'static str,
    target: i64,
    unit: &'static str,
    budget: i64,
    responsible: &'static Unit,
    region: &'static str,
    (y, start, end): (i32, u32, u32),
    course: Course,
) -> ActivitySpec {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let last_day = match end {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    ActivitySpec {
        code,
        title,
        target,
        unit,
        budget,
        responsible,
        region,
        planned: ((y, start, 1), (y, end, last_day)),
        course,
    }
}

/// Quarterly values of a year: T1..T4 ending on the quarter's last day.
macro_rules! quarters {
    ($year:literal: $($q:literal => $value:expr),+ $(,)?) => {
        &[$((
            concat!("T", $q, " ", $year),
            ($year, $q * 3, if $q == 1 || $q == 4 { 31 } else { 30 }),
            $value,
        )),+]
    };
}

/// Every agency of the demo, parents first.
static AGENCIES: &[AgencySpec] = &[
    AgencySpec {
        code: "MTI",
        name: "Ministère des Transports et des Infrastructures",
        parent: None,
        plans: &[],
        sessions: &[],
    },
    AgencySpec {
        code: "ANASER",
        name: "Agence Nationale de la Sécurité Routière",
        parent: Some("MTI"),
        plans: &[&PAP_2025, &PAP_2026],
        sessions: ANASER_SESSIONS,
    },
    AgencySpec {
        code: "CRSS",
        name: "Commissariat à la Réforme du Secteur de la Sécurité",
        parent: None,
        plans: &[&SNRSS],
        sessions: &[],
    },
    AgencySpec {
        code: "PNUD",
        name: "Programme des Nations unies pour le développement (PNUD) – Mali",
        parent: None,
        plans: &[&PGDT],
        sessions: &[],
    },
];

// ANASER ---------------------------------------------------------------------

const DPSR: Unit = Unit {
    name: "Direction de la Prévention et de la Sécurité Routière",
    short: "DPSR",
};
const DCR: Unit = Unit {
    name: "Direction du Contrôle et de la Réglementation",
    short: "DCR",
};
const DEP: Unit = Unit {
    name: "Direction des Études et de la Planification",
    short: "DEP",
};
const DAF: Unit = Unit {
    name: "Direction Administrative et Financière",
    short: "DAF",
};
const CCOM: Unit = Unit {
    name: "Cellule de Communication",
    short: "CCOM",
};
const CSID: Unit = Unit {
    name: "Cellule du Système d’Information et de la Digitalisation",
    short: "CSID",
};

const LEVELS_PAP: &[&str] = &[
    "Objectif stratégique",
    "Objectif opérationnel",
    "Action prioritaire",
];
const Y25: i32 = 2025;
const Y26: i32 = 2026;

const MINISTER: &str = "Madina SISSOKO DEMBELE, Ministre des Transports et des Infrastructures";

/// The 29th session (invented) and the 30th (date, cutoff, chair, plans from
/// the article; resolutions invented).
static ANASER_SESSIONS: &[SessionSpec] = &[
    SessionSpec {
        number: 29,
        held_on: (2025, 6, 27),
        cutoff: (2025, 5, 31),
        place: "Bamako",
        chair: MINISTER,
        reviewed: "PAP-2025",
        adopted: None,
        resolutions: &[
            ResolutionSpec {
                text: "Accélérer l’opérationnalisation du Comité interministériel de sécurité routière (CISR).",
                responsible: "Direction générale",
                due: (2025, 9, 30),
                status: Rs::Done,
            },
            ResolutionSpec {
                text: "Présenter au prochain conseil la situation de la mobilisation des ressources propres.",
                responsible: "DAF",
                due: (2025, 12, 31),
                status: Rs::Done,
            },
            ResolutionSpec {
                text: "Finaliser le recrutement des contrôleurs routiers prévu au plan de développement des ressources humaines.",
                responsible: "DAF",
                due: (2025, 12, 31),
                status: Rs::InProgress,
            },
            ResolutionSpec {
                text: "Actualiser le manuel de procédures administratives, financières et comptables de l’Agence.",
                responsible: "DAF",
                due: (2025, 10, 31),
                status: Rs::Pending,
            },
        ],
    },
    SessionSpec {
        number: 30,
        held_on: (2025, 12, 26),
        cutoff: (2025, 11, 30),
        place: "Bamako",
        chair: MINISTER,
        reviewed: "PAP-2025",
        adopted: Some("PAP-2026"),
        resolutions: &[
            ResolutionSpec {
                text: "Engager l’élaboration du plan d’actions quinquennal 2026-2030 de la Stratégie nationale de sécurité routière (SNSR).",
                responsible: "DEP",
                due: (2026, 6, 30),
                status: Rs::InProgress,
            },
            ResolutionSpec {
                text: "Poursuivre la digitalisation des services de l’Agence.",
                responsible: "Direction générale",
                due: (2026, 12, 31),
                status: Rs::InProgress,
            },
            ResolutionSpec {
                text: "Relever le taux de mobilisation des financements des partenaires techniques et financiers.",
                responsible: "DAF",
                due: (2026, 9, 30),
                status: Rs::Pending,
            },
            ResolutionSpec {
                text: "Transmettre aux administrateurs le rapport d’exécution du PAP 2025 avant fin janvier 2026.",
                responsible: "DEP",
                due: (2026, 1, 31),
                status: Rs::Done,
            },
        ],
    },
];

/// The PAP 2025: 49 activities in five priority actions. As of 30 November 2025:
/// 32 done (10 above target, 2 below), 10 in progress, 3 not started,
/// 3 postponed, 1 abandoned; as of 31 May 2025 (29th session), 16 done; three
/// more are done in December 2025, after the 30th session's cutoff.
static PAP_2025: PlanSpec = PlanSpec {
    code: "PAP-2025",
    title: "Projet Annuel de Performance 2025",
    kind: PlanKind::Annual,
    years: (2025, 2025),
    status: PlanStatus::Closed,
    levels: LEVELS_PAP,
    tree: &[
        NodeSpec {
            code: "OS1",
            title: "Améliorer la sécurité du transport routier",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OO1.1",
                    title: "Renforcer le cadre institutionnel et réglementaire de la sécurité routière",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP1",
                        title: "Opérationnalisation du CISR et vulgarisation du Code de la route",
                        children: &[],
                        activities: &[
                            act("A1.01", "Tenue de la session inaugurale du Comité interministériel de sécurité routière (CISR)", 1, "session", 8_500_000, &DEP, "BKO", (Y25, 1, 3), Done((Y25, 2, 28), 1)),
                            act("A1.02", "Élaboration des textes d’application du Code de la route", 6, "textes", 15_000_000, &DCR, "NAT", (Y25, 1, 6), Done((Y25, 5, 30), 7)),
                            act("A1.03", "Ateliers de vulgarisation du Code de la route dans les capitales régionales", 8, "ateliers", 32_000_000, &CCOM, "NAT", (Y25, 3, 10), Done((Y25, 9, 30), 10)),
                            act("A1.04", "Traduction du Code de la route en langues nationales", 4, "langues", 12_000_000, &CCOM, "NAT", (Y25, 4, 12), InProgress((Y25, 11, 14), 2)),
                            act("A1.05", "Formation des agents de contrôle routier aux nouvelles dispositions", 300, "agents", 24_500_000, &DCR, "BKO", (Y25, 2, 4), Done((Y25, 4, 30), 286)),
                            act("A1.06", "Réunions trimestrielles du secrétariat technique du CISR", 4, "réunions", 6_000_000, &DEP, "BKO", (Y25, 1, 11), Done((Y25, 11, 28), 4)),
                            act("A1.07", "Mise à jour du plan de développement des ressources humaines", 1, "document", 5_000_000, &DAF, "BKO", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                            act("A1.08", "Recrutement de contrôleurs routiers", 40, "agents", 45_000_000, &DAF, "NAT", (Y25, 2, 6), InProgress((Y25, 10, 31), 25)),
                            act("A1.09", "Élaboration du plan de mobilisation des fonds 2025", 1, "document", 3_500_000, &DAF, "BKO", (Y25, 1, 2), Done((Y25, 2, 14), 1)),
                            act("A1.10", "Étude sur le financement durable de la sécurité routière", 1, "étude", 18_000_000, &DEP, "NAT", (Y25, 3, 10), Postponed((Y25, 7, 31), "Reportée faute de financement mobilisé.")),
                        ],
                    }],
                },
                NodeSpec {
                    code: "OO1.2",
                    title: "Améliorer la sécurité des véhicules et des infrastructures routières",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP2",
                        title: "Contrôle technique, inspection des véhicules et audits de sécurité routière",
                        children: &[],
                        activities: &[
                            act("A2.01", "Audit de sécurité routière du corridor Bamako–Ségou", 1, "audit", 22_000_000, &DCR, "SEG", (Y25, 3, 6), Done((Y25, 6, 30), 1)),
                            act("A2.02", "Inspections de sécurité des routes nationales RN1 et RN3", 600, "km", 28_000_000, &DCR, "KAY", (Y25, 4, 10), Done((Y25, 10, 31), 720)),
                            act("A2.03", "Contrôles inopinés des centres de contrôle technique", 12, "centres", 7_500_000, &DCR, "BKO", (Y25, 2, 5), Done((Y25, 5, 15), 15)),
                            act("A2.04", "Contrôles de surcharge des poids lourds sur les axes frontaliers", 24, "opérations", 19_000_000, &DCR, "SIK", (Y25, 1, 11), Done((Y25, 11, 20), 22)),
                            act("A2.05", "Traitement des points noirs identifiés à Bamako", 10, "points noirs", 85_000_000, &DEP, "BKO", (Y25, 3, 12), InProgress((Y25, 10, 15), 6)),
                            act("A2.06", "Signalisation aux abords des écoles", 150, "panneaux", 36_000_000, &DPSR, "KOU", (Y25, 4, 8), Done((Y25, 8, 29), 150)),
                            act("A2.07", "Acquisition de matériel de contrôle (éthylotests, cinémomètres)", 1, "lot", 42_000_000, &DAF, "NAT", (Y25, 1, 4), Done((Y25, 4, 30), 1)),
                            act("A2.08", "Contrôle de l’état des véhicules de transport en commun", 2000, "véhicules", 16_000_000, &DCR, "BKO", (Y25, 2, 10), Done((Y25, 9, 30), 2350)),
                            act("A2.09", "Étude de faisabilité d’un centre de contrôle technique à Gao", 1, "étude", 14_000_000, &DEP, "GAO", (Y25, 3, 6), Waiting((Y25, 9, 30), "Financement non encore mobilisé auprès des partenaires.")),
                            act("A2.10", "Recensement des passages à niveau non gardés", 1, "rapport", 6_500_000, &DEP, "KOU", (Y25, 4, 7), Done((Y25, 7, 31), 1)),
                        ],
                    }],
                },
            ],
        },
        NodeSpec {
            code: "OS2",
            title: "Réduire le nombre de tués et de blessés graves sur les routes",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OO2.1",
                    title: "Changer les comportements des usagers de la route",
                    activities: &[],
                    children: &[
                        NodeSpec {
                            code: "AP3",
                            title: "Information, éducation et sensibilisation des usagers",
                            children: &[],
                            activities: &[
                                act("A3.01", "Séances de sensibilisation dans les gares routières", 20, "séances", 9_000_000, &CCOM, "BKO", (Y25, 2, 6), Done((Y25, 6, 30), 26)),
                                act("A3.02", "Campagne radio et télévision sur le port du casque", 1, "campagne", 27_000_000, &CCOM, "NAT", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                                act("A3.03", "Sensibilisation des conducteurs de motos-taxis à Mopti", 12, "séances", 7_000_000, &DPSR, "MOP", (Y25, 2, 5), Done((Y25, 5, 30), 12)),
                                act("A3.04", "Éducation routière dans les écoles fondamentales", 100, "écoles", 21_000_000, &DPSR, "SEG", (Y25, 1, 11), Done((Y25, 11, 14), 118)),
                                act("A3.05", "Semaine nationale de la sécurité routière", 1, "édition", 35_000_000, &CCOM, "NAT", (Y25, 8, 10), Done((Y25, 10, 17), 1)),
                                act("A3.06", "Caravane de sensibilisation sur l’axe Kayes–Diboli", 1, "caravane", 18_500_000, &CCOM, "KAY", (Y25, 9, 12), Done((Y25, 12, 12), 1)),
                                act("A3.07", "Spots de sensibilisation en langues nationales", 8, "spots", 11_000_000, &CCOM, "NAT", (Y25, 1, 4), Done((Y25, 4, 30), 8)),
                                act("A3.08", "Sensibilisation des conducteurs de poids lourds à Sikasso", 10, "séances", 6_000_000, &DPSR, "SIK", (Y25, 3, 10), InProgress((Y25, 10, 31), 6)),
                                act("A3.09", "Production de supports pédagogiques pour les écoles", 5000, "supports", 12_500_000, &DPSR, "NAT", (Y25, 1, 2), Done((Y25, 2, 28), 5000)),
                                act("A3.10", "Journées portes ouvertes de l’ANASER", 1, "édition", 9_500_000, &CCOM, "BKO", (Y25, 5, 6), Abandoned((Y25, 6, 30), "Abandonnée : reprise dans le programme de l’année suivante.")),
                            ],
                        },
                        NodeSpec {
                            code: "AP4",
                            title: "Formation et contrôle des conducteurs",
                            children: &[],
                            activities: &[
                                act("A4.01", "Formation des conducteurs de transport public de voyageurs", 500, "conducteurs", 30_000_000, &DPSR, "BKO", (Y25, 1, 5), Done((Y25, 5, 30), 640)),
                                act("A4.02", "Contrôle des auto-écoles", 60, "auto-écoles", 8_000_000, &DCR, "BKO", (Y25, 3, 9), Done((Y25, 9, 30), 60)),
                                act("A4.03", "Révision du programme de formation des auto-écoles", 1, "programme", 13_000_000, &DPSR, "NAT", (Y25, 6, 12), Done((Y25, 12, 18), 1)),
                                act("A4.04", "Formation des formateurs d’auto-écoles", 80, "formateurs", 10_500_000, &DPSR, "KOU", (Y25, 1, 3), Done((Y25, 3, 31), 80)),
                                act("A4.05", "Opérations de contrôle d’alcoolémie et de vitesse", 48, "opérations", 14_000_000, &DCR, "BKO", (Y25, 1, 11), Done((Y25, 11, 21), 55)),
                                act("A4.06", "Contrôle du permis de conduire des conducteurs de motos-taxis", 3000, "contrôles", 9_000_000, &DCR, "SEG", (Y25, 2, 12), InProgress((Y25, 10, 31), 1800)),
                                act("A4.07", "Formation des conducteurs de poids lourds à la conduite sûre", 200, "conducteurs", 20_000_000, &DPSR, "SIK", (Y25, 5, 10), Postponed((Y25, 8, 29), "Reportée à 2026 à la demande des organisations de transporteurs.")),
                                act("A4.08", "Sessions de recyclage des moniteurs d’auto-écoles", 4, "sessions", 5_500_000, &DPSR, "BKO", (Y25, 1, 4), Done((Y25, 4, 25), 4)),
                                act("A4.09", "Campagne de contrôle des équipements des motos", 20, "opérations", 7_000_000, &DCR, "MOP", (Y25, 3, 9), InProgress((Y25, 9, 30), 9)),
                                act("A4.10", "Formation des agents de la police routière de Tombouctou", 60, "agents", 11_000_000, &DCR, "TOM", (Y25, 4, 10), NotStarted),
                            ],
                        },
                    ],
                },
                NodeSpec {
                    code: "OO2.2",
                    title: "Améliorer la prise en charge des victimes et la connaissance des accidents",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP5",
                        title: "Secours aux victimes et système d’information sur les accidents",
                        children: &[],
                        activities: &[
                            act("A5.01", "Mise en place de la base de données nationale des accidents", 1, "base", 40_000_000, &DEP, "NAT", (Y25, 2, 12), InProgress((Y25, 11, 14), 0)),
                            act("A5.02", "Formation de secouristes bénévoles le long des axes routiers", 150, "secouristes", 15_000_000, &DPSR, "KOU", (Y25, 2, 6), Done((Y25, 6, 27), 180)),
                            act("A5.03", "Dotation des postes de secours en kits de premiers soins", 30, "kits", 12_000_000, &DAF, "SEG", (Y25, 2, 5), Done((Y25, 5, 16), 30)),
                            act("A5.04", "Rapport annuel 2024 sur les accidents de la circulation", 1, "rapport", 4_500_000, &DEP, "NAT", (Y25, 1, 3), Done((Y25, 3, 31), 1)),
                            act("A5.05", "Collecte des données d’accidents dans les régions", 10, "régions", 9_000_000, &DEP, "NAT", (Y25, 1, 10), Done((Y25, 10, 31), 10)),
                            act("A5.06", "Étude sur le coût socio-économique des accidents", 1, "étude", 25_000_000, &DEP, "NAT", (Y25, 4, 11), Postponed((Y25, 9, 30), "Reportée : termes de référence à revoir avec le partenaire financier.")),
                            act("A5.07", "Exercice de simulation de secours sur accident de masse", 1, "exercice", 8_000_000, &DPSR, "BKO", (Y25, 9, 12), Done((Y25, 12, 5), 1)),
                            act("A5.08", "Formation des agents de saisie des constats d’accidents", 40, "agents", 6_000_000, &DEP, "MOP", (Y25, 3, 7), Done((Y25, 7, 25), 40)),
                            act("A5.09", "Bornes d’appel d’urgence sur la RN6", 10, "bornes", 30_000_000, &DAF, "SEG", (Y25, 5, 10), Waiting((Y25, 10, 31), "Dossier d’appel d’offres en cours de préparation.")),
                        ],
                    }],
                },
            ],
        },
    ],
    indicators: &[
        IndicatorSpec {
            node: "OS2",
            code: "IND1",
            title: "Nombre de personnes tuées sur les routes (12 mois glissants)",
            unit: "personnes",
            baseline: (780, 2024),
            target: (700, 2025),
            direction: Direction::Decrease,
            values: quarters!(2025: 1 => 770, 2 => 752, 3 => 731, 4 => 716),
        },
        IndicatorSpec {
            node: "OS2",
            code: "IND2",
            title: "Nombre de blessés graves (12 mois glissants)",
            unit: "personnes",
            baseline: (5400, 2024),
            target: (5000, 2025),
            direction: Direction::Decrease,
            values: quarters!(2025: 1 => 5350, 2 => 5270, 3 => 5160, 4 => 5090),
        },
        IndicatorSpec {
            node: "OO2.1",
            code: "IND3",
            title: "Nombre d’usagers sensibilisés (cumul annuel)",
            unit: "personnes",
            baseline: (0, 2024),
            target: (250_000, 2025),
            direction: Direction::Increase,
            values: quarters!(2025: 1 => 40_000, 2 => 105_000, 3 => 180_000, 4 => 262_000),
        },
        IndicatorSpec {
            node: "OO2.1",
            code: "IND4",
            title: "Taux de port du casque chez les usagers de deux-roues (%)",
            unit: "%",
            baseline: (22, 2024),
            target: (35, 2025),
            direction: Direction::Increase,
            values: quarters!(2025: 1 => 23, 2 => 26, 3 => 29, 4 => 31),
        },
        IndicatorSpec {
            node: "OO1.2",
            code: "IND5",
            title: "Part des véhicules contrôlés trouvés conformes (%)",
            unit: "%",
            baseline: (61, 2024),
            target: (75, 2025),
            direction: Direction::Increase,
            values: quarters!(2025: 1 => 63, 2 => 66, 3 => 70, 4 => 73),
        },
    ],
    funding: &[
        FundingSpec {
            source: "Budget national",
            kind: FundingSourceKind::State,
            planned: 1_450_000_000,
            mobilised: 1_310_000_000,
        },
        FundingSpec {
            source: "Ressources propres (redevances et contrôles)",
            kind: FundingSourceKind::Own,
            planned: 620_000_000,
            mobilised: 540_000_000,
        },
        FundingSpec {
            source: "Partenaires techniques et financiers",
            kind: FundingSourceKind::Partner,
            planned: 280_000_000,
            mobilised: 150_000_000,
        },
    ],
};

/// The PAP 2026, adopted at the 30th session: 50 activities in five priority
/// actions (the goals and the context of the article), recorded up to October
/// 2026, a year still under way: 22 done, 19 in progress, 7 not started,
/// 2 postponed.
static PAP_2026: PlanSpec = PlanSpec {
    code: "PAP-2026",
    title: "Projet Annuel de Performance 2026",
    kind: PlanKind::Annual,
    years: (2026, 2026),
    status: PlanStatus::InProgress,
    levels: LEVELS_PAP,
    tree: &[
        NodeSpec {
            code: "OS1",
            title: "Améliorer la sécurité du transport routier",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OO1.1",
                    title: "Moderniser la gouvernance de la sécurité routière",
                    activities: &[],
                    children: &[
                        NodeSpec {
                            code: "AP1",
                            title: "Digitalisation des services et du système d’information de sécurité routière",
                            children: &[],
                            activities: &[
                                act("B1.01", "Plateforme en ligne de déclaration des accidents", 1, "plateforme", 45_000_000, &CSID, "NAT", (Y26, 2, 9), InProgress((Y26, 10, 16), 0)),
                                act("B1.02", "Numérisation des dossiers de contrôle technique", 20_000, "dossiers", 18_000_000, &CSID, "BKO", (Y26, 1, 10), Done((Y26, 9, 25), 22_450)),
                                act("B1.03", "Paiement mobile des redevances de contrôle technique", 1, "service", 25_000_000, &DAF, "NAT", (Y26, 3, 8), Done((Y26, 8, 28), 1)),
                                act("B1.04", "Formation des agents aux outils numériques", 120, "agents", 9_000_000, &CSID, "BKO", (Y26, 2, 6), Done((Y26, 6, 19), 120)),
                                act("B1.05", "Tableau de bord national de la sécurité routière", 1, "tableau de bord", 15_000_000, &DEP, "NAT", (Y26, 4, 10), InProgress((Y26, 10, 30), 0)),
                                act("B1.06", "Géolocalisation des accidents sur les routes nationales", 5, "axes", 20_000_000, &CSID, "KOU", (Y26, 3, 11), InProgress((Y26, 10, 9), 3)),
                                act("B1.07", "Équipement des postes de contrôle en tablettes", 60, "tablettes", 21_000_000, &DAF, "NAT", (Y26, 2, 5), Done((Y26, 5, 29), 60)),
                                act("B1.08", "Interconnexion avec le fichier national des permis de conduire", 1, "interconnexion", 30_000_000, &CSID, "BKO", (Y26, 5, 12), Waiting((Y26, 9, 30), "En attente de la convention d’échange de données avec la direction chargée des transports terrestres.")),
                                act("B1.09", "Sécurisation et sauvegarde des données de l’Agence", 1, "dispositif", 12_000_000, &CSID, "BKO", (Y26, 4, 9), InProgress((Y26, 9, 30), 0)),
                                act("B1.10", "Refonte du site web et des services en ligne de l’ANASER", 1, "site", 8_000_000, &CCOM, "NAT", (Y26, 6, 10), Postponed((Y26, 7, 31), "Reportée à 2027 : priorité donnée à la plateforme de déclaration des accidents.")),
                            ],
                        },
                        NodeSpec {
                            code: "AP2",
                            title: "Élaboration du plan d’actions quinquennal 2026-2030 de la SNSR",
                            children: &[],
                            activities: &[
                                act("B2.01", "Bilan de la mise en œuvre du précédent plan d’actions de la SNSR", 1, "rapport", 12_000_000, &DEP, "NAT", (Y26, 1, 3), Done((Y26, 3, 27), 1)),
                                act("B2.02", "Ateliers régionaux de consultation sur le plan d’actions 2026-2030", 8, "ateliers", 40_000_000, &DEP, "NAT", (Y26, 3, 6), Done((Y26, 7, 10), 8)),
                                act("B2.03", "Consultation des transporteurs et des syndicats de conducteurs", 4, "rencontres", 6_000_000, &DEP, "BKO", (Y26, 3, 5), Done((Y26, 5, 22), 5)),
                                act("B2.04", "Rédaction du plan d’actions quinquennal 2026-2030", 1, "document", 18_000_000, &DEP, "NAT", (Y26, 6, 9), InProgress((Y26, 10, 23), 0)),
                                act("B2.05", "Validation technique du plan d’actions par le CISR", 1, "session", 5_000_000, &DEP, "BKO", (Y26, 10, 10), NotStarted),
                                act("B2.06", "Chiffrage et plan de financement du plan d’actions", 1, "document", 10_000_000, &DAF, "NAT", (Y26, 7, 10), InProgress((Y26, 10, 23), 0)),
                                act("B2.07", "Cadre de suivi-évaluation du plan d’actions", 1, "cadre", 7_000_000, &DEP, "NAT", (Y26, 7, 10), InProgress((Y26, 9, 30), 0)),
                                act("B2.08", "Table ronde des partenaires techniques et financiers", 1, "table ronde", 20_000_000, &DAF, "BKO", (Y26, 11, 12), NotStarted),
                                act("B2.09", "Adoption du plan d’actions en Conseil des ministres", 1, "décret", 2_000_000, &DEP, "BKO", (Y26, 12, 12), NotStarted),
                                act("B2.10", "Diffusion du plan d’actions auprès des acteurs régionaux", 10, "régions", 15_000_000, &CCOM, "NAT", (Y26, 12, 12), NotStarted),
                            ],
                        },
                    ],
                },
                NodeSpec {
                    code: "OO1.2",
                    title: "Faire respecter les règles de circulation",
                    activities: &[],
                    children: &[NodeSpec {
                        code: "AP3",
                        title: "Contrôle et sanction des comportements à risque",
                        children: &[],
                        activities: &[
                            act("B3.01", "Opérations de contrôle de vitesse", 60, "opérations", 14_000_000, &DCR, "BKO", (Y26, 1, 12), InProgress((Y26, 10, 30), 52)),
                            act("B3.02", "Contrôles d’alcoolémie de nuit", 30, "opérations", 9_000_000, &DCR, "BKO", (Y26, 1, 12), Done((Y26, 10, 16), 34)),
                            act("B3.03", "Contrôle du port du casque", 40, "opérations", 8_000_000, &DCR, "SEG", (Y26, 1, 12), InProgress((Y26, 10, 30), 31)),
                            act("B3.04", "Contrôle de surcharge des poids lourds", 24, "opérations", 16_000_000, &DCR, "SIK", (Y26, 1, 12), InProgress((Y26, 10, 30), 20)),
                            act("B3.05", "Contrôle des véhicules de transport scolaire", 300, "véhicules", 7_000_000, &DCR, "KOU", (Y26, 1, 4), Done((Y26, 4, 24), 312)),
                            act("B3.06", "Contrôle des auto-écoles", 70, "auto-écoles", 8_000_000, &DCR, "NAT", (Y26, 2, 9), Done((Y26, 9, 18), 70)),
                            act("B3.07", "Installation de radars pédagogiques", 10, "radars", 35_000_000, &DAF, "BKO", (Y26, 3, 8), InProgress((Y26, 9, 11), 4)),
                            act("B3.08", "Contrôle des centres de contrôle technique", 15, "centres", 6_000_000, &DCR, "NAT", (Y26, 2, 6), Done((Y26, 6, 26), 15)),
                            act("B3.09", "Contrôles conjoints avec la police routière à Kayes", 12, "opérations", 10_000_000, &DCR, "KAY", (Y26, 1, 12), InProgress((Y26, 10, 30), 9)),
                            act("B3.10", "Contrôles conjoints avec la gendarmerie à Mopti", 12, "opérations", 10_000_000, &DCR, "MOP", (Y26, 1, 6), Done((Y26, 7, 3), 12)),
                        ],
                    }],
                },
            ],
        },
        NodeSpec {
            code: "OS2",
            title: "Réduire le nombre de tués et de blessés graves sur les routes",
            activities: &[],
            children: &[NodeSpec {
                code: "OO2.1",
                title: "Protéger les usagers vulnérables et secourir les victimes",
                activities: &[],
                children: &[
                    NodeSpec {
                        code: "AP4",
                        title: "Sensibilisation et éducation des usagers",
                        children: &[],
                        activities: &[
                            act("B4.01", "Campagne nationale sur le port du casque", 1, "campagne", 30_000_000, &CCOM, "NAT", (Y26, 2, 4), Done((Y26, 4, 30), 1)),
                            act("B4.02", "Sensibilisation dans les gares routières", 24, "séances", 10_000_000, &DPSR, "BKO", (Y26, 1, 12), Done((Y26, 10, 2), 28)),
                            act("B4.03", "Éducation routière dans les écoles fondamentales", 120, "écoles", 22_000_000, &DPSR, "SEG", (Y26, 1, 6), Done((Y26, 6, 12), 131)),
                            act("B4.04", "Semaine nationale de la sécurité routière", 1, "édition", 38_000_000, &CCOM, "NAT", (Y26, 9, 10), Done((Y26, 10, 23), 1)),
                            act("B4.05", "Spots radio en langues nationales", 10, "spots", 12_000_000, &CCOM, "NAT", (Y26, 1, 3), Done((Y26, 3, 20), 10)),
                            act("B4.06", "Sensibilisation des conducteurs de motos-taxis à Mopti", 15, "séances", 7_000_000, &DPSR, "MOP", (Y26, 2, 7), Done((Y26, 7, 24), 15)),
                            act("B4.07", "Caravane de sensibilisation sur l’axe Ségou–Mopti", 1, "caravane", 19_000_000, &CCOM, "SEG", (Y26, 10, 12), InProgress((Y26, 10, 30), 0)),
                            act("B4.08", "Sensibilisation des transporteurs à Gao", 8, "séances", 6_000_000, &DPSR, "GAO", (Y26, 3, 9), Postponed((Y26, 6, 30), "Reportée : mission de l’équipe différée pour raisons de sécurité.")),
                            act("B4.09", "Sensibilisation des usagers de la route à Tombouctou", 6, "séances", 6_000_000, &DPSR, "TOM", (Y26, 3, 11), InProgress((Y26, 10, 9), 3)),
                            act("B4.10", "Concours scolaire de la sécurité routière", 1, "concours", 9_000_000, &DPSR, "BKO", (Y26, 9, 12), InProgress((Y26, 10, 30), 0)),
                        ],
                    },
                    NodeSpec {
                        code: "AP5",
                        title: "Prise en charge des victimes et connaissance des accidents",
                        children: &[],
                        activities: &[
                            act("B5.01", "Formation de secouristes bénévoles le long des axes routiers", 200, "secouristes", 18_000_000, &DPSR, "KOU", (Y26, 2, 9), Done((Y26, 9, 25), 200)),
                            act("B5.02", "Kits de premiers secours pour les postes de secours", 40, "kits", 14_000_000, &DAF, "NAT", (Y26, 3, 6), Done((Y26, 6, 30), 40)),
                            act("B5.03", "Rapport annuel 2025 sur les accidents de la circulation", 1, "rapport", 5_000_000, &DEP, "NAT", (Y26, 1, 3), Done((Y26, 4, 17), 1)),
                            act("B5.04", "Exercices de simulation de secours sur accident de masse", 2, "exercices", 9_000_000, &DPSR, "BKO", (Y26, 5, 11), InProgress((Y26, 9, 18), 1)),
                            act("B5.05", "Collecte des données d’accidents dans les régions", 10, "régions", 9_000_000, &DEP, "NAT", (Y26, 1, 12), InProgress((Y26, 10, 30), 7)),
                            act("B5.06", "Étude sur les accidents impliquant des deux-roues", 1, "étude", 22_000_000, &DEP, "BKO", (Y26, 3, 10), InProgress((Y26, 10, 23), 0)),
                            act("B5.07", "Numéro vert d’urgence routière", 1, "service", 16_000_000, &CSID, "NAT", (Y26, 6, 12), Waiting((Y26, 9, 30), "En attente de l’attribution du numéro court par le régulateur des télécommunications.")),
                            act("B5.08", "Bornes d’appel d’urgence sur la RN6", 10, "bornes", 30_000_000, &DAF, "SEG", (Y26, 4, 12), NotStarted),
                            act("B5.09", "Convention d’appui aux services d’urgence de Sikasso", 1, "convention", 6_000_000, &DPSR, "SIK", (Y26, 2, 5), Done((Y26, 5, 15), 1)),
                            act("B5.10", "Registre des victimes de la route", 1, "registre", 11_000_000, &DEP, "NAT", (Y26, 4, 11), InProgress((Y26, 10, 16), 0)),
                        ],
                    },
                ],
            }],
        },
    ],
    indicators: &[
        IndicatorSpec {
            node: "OS2",
            code: "IND1",
            title: "Nombre de personnes tuées sur les routes (12 mois glissants)",
            unit: "personnes",
            baseline: (716, 2025),
            target: (650, 2026),
            direction: Direction::Decrease,
            values: quarters!(2026: 1 => 709, 2 => 694, 3 => 681),
        },
        IndicatorSpec {
            node: "OS1",
            code: "IND6",
            title: "Part des services de l’Agence accessibles en ligne (%)",
            unit: "%",
            baseline: (10, 2025),
            target: (50, 2026),
            direction: Direction::Increase,
            values: quarters!(2026: 1 => 15, 2 => 25, 3 => 35),
        },
    ],
    funding: &[
        FundingSpec {
            source: "Budget national",
            kind: FundingSourceKind::State,
            planned: 1_600_000_000,
            mobilised: 1_380_000_000,
        },
        FundingSpec {
            source: "Ressources propres (redevances et contrôles)",
            kind: FundingSourceKind::Own,
            planned: 650_000_000,
            mobilised: 590_000_000,
        },
        FundingSpec {
            source: "Partenaires techniques et financiers",
            kind: FundingSourceKind::Partner,
            planned: 300_000_000,
            mobilised: 120_000_000,
        },
    ],
};

// CRSS -----------------------------------------------------------------------

const CRSS_COORD: Unit = Unit {
    name: "Cellule de coordination du CRSS",
    short: "CRSS",
};
const CRSS_COM: Unit = Unit {
    name: "Cellule de communication du CRSS",
    short: "COM-CRSS",
};

/// The action plan 2022-2024 of the national security-sector-reform strategy
/// (decree n°2022-0208/PT-RM of 4 April 2022). The national workshop at the
/// CICB on 30 June 2022 (with UNDP) and the regional workshop in Kayes are in
/// the articles; the other activities and all figures are illustrative.
static SNRSS: PlanSpec = PlanSpec {
    code: "SNRSS-PA-2022-2024",
    title: "Plan d’actions 2022-2024 de la Stratégie nationale de réforme du secteur de la sécurité",
    kind: PlanKind::Multiyear,
    years: (2022, 2024),
    status: PlanStatus::Closed,
    levels: &["Axe stratégique", "Objectif"],
    tree: &[
        NodeSpec {
            code: "AX1",
            title: "Gouvernance et appropriation nationale de la réforme",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OB1.1",
                    title: "Promouvoir l’appropriation nationale de la stratégie et de son plan d’actions",
                    children: &[],
                    activities: &[
                        act("C1.01", "Atelier national d’appropriation de la SNRSS et de son plan d’actions 2022-2024 (CICB, Bamako)", 1, "atelier", 25_000_000, &CRSS_COORD, "BKO", (2022, 5, 6), Done((2022, 6, 30), 1)),
                        act("C1.02", "Atelier régional d’appropriation de la SNRSS à Kayes", 1, "atelier", 12_000_000, &CRSS_COORD, "KAY", (2023, 1, 6), Done((2023, 5, 26), 1)),
                        act("C1.03", "Atelier régional d’appropriation de la SNRSS à Ségou", 1, "atelier", 12_000_000, &CRSS_COORD, "SEG", (2023, 3, 9), Done((2023, 9, 29), 1)),
                        act("C1.04", "Atelier régional d’appropriation de la SNRSS à Koulikoro", 1, "atelier", 10_000_000, &CRSS_COORD, "KOU", (2023, 6, 11), Done((2023, 11, 17), 1)),
                        act("C1.05", "Atelier régional d’appropriation de la SNRSS à Mopti", 1, "atelier", 13_000_000, &CRSS_COORD, "MOP", (2023, 6, 12), Done((2024, 2, 23), 1)),
                        act("C1.06", "Atelier régional d’appropriation de la SNRSS à Sikasso", 1, "atelier", 12_000_000, &CRSS_COORD, "SIK", (2024, 1, 5), Done((2024, 4, 26), 1)),
                        act("C1.07", "Atelier régional d’appropriation de la SNRSS à Tombouctou", 1, "atelier", 15_000_000, &CRSS_COORD, "TOM", (2024, 1, 6), Postponed((2024, 6, 28), "Reportée : conditions de sécurité des déplacements non réunies.")),
                        act("C1.08", "Diffusion du décret n°2022-0208/PT-RM du 4 avril 2022 portant stratégie de réforme du secteur de la sécurité", 5000, "exemplaires", 6_000_000, &CRSS_COM, "NAT", (2022, 4, 9), Done((2022, 9, 30), 5000)),
                    ],
                },
                NodeSpec {
                    code: "OB1.2",
                    title: "Installer les comités consultatifs de sécurité",
                    children: &[],
                    activities: &[
                        act("C1.09", "Installation des comités consultatifs régionaux de sécurité", 10, "comités", 30_000_000, &CRSS_COORD, "NAT", (2022, 6, 12), Done((2023, 12, 15), 10)),
                        act("C1.10", "Formation des membres des comités consultatifs de sécurité", 300, "membres", 22_000_000, &CRSS_COORD, "NAT", (2023, 1, 12), InProgress((2024, 10, 31), 210)),
                        act("C1.11", "Installation des comités consultatifs communaux de sécurité dans la région de Kayes", 20, "comités", 9_000_000, &CRSS_COORD, "KAY", (2023, 3, 12), Done((2024, 6, 28), 24)),
                    ],
                },
            ],
        },
        NodeSpec {
            code: "AX2",
            title: "Confiance entre forces de défense et de sécurité, justice et populations",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OB2.1",
                    title: "Renforcer la collaboration entre les FDS et les populations",
                    children: &[],
                    activities: &[
                        act("C2.01", "Forums civilo-militaires régionaux", 6, "forums", 18_000_000, &CRSS_COORD, "NAT", (2022, 9, 12), Done((2024, 11, 29), 6)),
                        act("C2.02", "Rencontres d’échanges sécurité–justice", 4, "rencontres", 8_000_000, &CRSS_COORD, "BKO", (2023, 1, 12), Done((2023, 12, 20), 4)),
                        act("C2.03", "Étude de perception de la population sur le processus de réforme", 1, "étude", 20_000_000, &CRSS_COORD, "NAT", (2023, 4, 12), InProgress((2024, 9, 30), 0)),
                    ],
                },
                NodeSpec {
                    code: "OB2.2",
                    title: "Intégrer le genre et la jeunesse (résolutions 1325 et 2250)",
                    children: &[],
                    activities: &[
                        act("C2.04", "Formation des organisations de femmes et de jeunes sur la SNRSS", 200, "participants", 10_000_000, &CRSS_COORD, "NAT", (2022, 10, 12), Done((2023, 6, 30), 230)),
                        act("C2.05", "Dialogue genre–sécurité avec les légitimités traditionnelles", 3, "dialogues", 7_500_000, &CRSS_COORD, "SIK", (2023, 5, 12), NotStarted),
                    ],
                },
            ],
        },
        NodeSpec {
            code: "AX3",
            title: "Communication et mobilisation des ressources",
            activities: &[],
            children: &[NodeSpec {
                code: "OB3.1",
                title: "Mettre en œuvre le schéma de communication et mobiliser les ressources",
                children: &[],
                activities: &[
                    act("C3.01", "Émissions radiophoniques sur la réforme du secteur de la sécurité", 24, "émissions", 9_000_000, &CRSS_COM, "NAT", (2022, 6, 12), Done((2024, 12, 13), 24)),
                    act("C3.02", "Table ronde de mobilisation des ressources", 1, "table ronde", 16_000_000, &CRSS_COORD, "BKO", (2022, 9, 12), Done((2023, 3, 31), 1)),
                    act("C3.03", "Rapport annuel de mise en œuvre du plan d’actions", 3, "rapports", 5_000_000, &CRSS_COORD, "NAT", (2022, 12, 12), InProgress((2024, 4, 30), 2)),
                ],
            }],
        },
    ],
    indicators: &[IndicatorSpec {
        node: "AX1",
        code: "IC1",
        title: "Nombre de régions dotées d’un comité consultatif de sécurité fonctionnel",
        unit: "régions",
        baseline: (2, 2021),
        target: (10, 2024),
        direction: Direction::Increase,
        values: &[
            ("2022", (2022, 12, 31), 4),
            ("2023", (2023, 12, 31), 10),
            ("2024", (2024, 12, 31), 10),
        ],
    }],
    funding: &[
        FundingSpec {
            source: "Budget national",
            kind: FundingSourceKind::State,
            planned: 180_000_000,
            mobilised: 150_000_000,
        },
        FundingSpec {
            source: "PNUD",
            kind: FundingSourceKind::Partner,
            planned: 120_000_000,
            mobilised: 110_000_000,
        },
    ],
};

// PNUD -----------------------------------------------------------------------

const UGP: Unit = Unit {
    name: "Unité de gestion du programme",
    short: "UGP",
};

/// UNDP Mali's democratic-governance programme during the transition: the four
/// sectoral objectives and their sub-objectives (i), (ii), (iii) as UNDP lists
/// them; where the source does not number an aim, its node has no number
/// either. Activities and figures are illustrative.
static PGDT: PlanSpec = PlanSpec {
    code: "PGDT",
    title: "Programme de gouvernance démocratique en période de transition",
    kind: PlanKind::Multiyear,
    years: (2013, 2014),
    status: PlanStatus::Closed,
    levels: &["Objectif sectoriel", "Sous-objectif"],
    tree: &[
        NodeSpec {
            code: "OS1",
            title: "Redéploiement de l’administration dans le Nord et amélioration des prestations de service public",
            activities: &[],
            children: &[NodeSpec {
                code: "OS1.1",
                title: "Reprise des fonctions essentielles du gouvernement par le redéploiement des services de l’administration dans les régions de Mopti, Tombouctou et Gao",
                children: &[],
                activities: &[
                    act("D1.01", "Réhabilitation et équipement de bâtiments administratifs", 12, "bâtiments", 240_000_000, &UGP, "TOM", (2013, 4, 12), Done((2014, 6, 30), 12)),
                    act("D1.02", "Retour et installation des agents de l’État", 500, "agents", 90_000_000, &UGP, "GAO", (2013, 3, 12), Done((2014, 3, 31), 560)),
                    act("D1.03", "Appui à la reprise des services de l’état civil", 30, "centres", 45_000_000, &UGP, "MOP", (2013, 5, 12), InProgress((2014, 10, 31), 22)),
                    act("D1.04", "Cadre de concertation interministériel sur le redéploiement", 8, "réunions", 6_000_000, &UGP, "BKO", (2013, 3, 12), Done((2013, 12, 20), 8)),
                ],
            }],
        },
        NodeSpec {
            code: "OS2",
            title: "Renforcement des capacités de gouvernance locale",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OS2.i",
                    title: "(i) Prise en charge effective des compétences essentielles des collectivités",
                    children: &[],
                    activities: &[act("D2.01", "Formation des élus et agents des collectivités", 400, "participants", 60_000_000, &UGP, "SEG", (2013, 6, 12), Done((2014, 5, 30), 400))],
                },
                NodeSpec {
                    code: "OS2.ii",
                    title: "(ii) Implication des collectivités dans la cohésion sociale et le dialogue national",
                    children: &[],
                    activities: &[act("D2.02", "Espaces communaux de dialogue", 40, "communes", 35_000_000, &UGP, "MOP", (2013, 9, 12), InProgress((2014, 9, 30), 25))],
                },
                NodeSpec {
                    code: "OS2.iii",
                    title: "(iii) Actions de sécurité communautaire",
                    children: &[],
                    activities: &[act("D2.03", "Plans communaux de sécurité communautaire", 20, "plans", 28_000_000, &UGP, "GAO", (2014, 1, 12), NotStarted)],
                },
                NodeSpec {
                    code: "OS2.R",
                    title: "Besoins de réforme de la décentralisation et plans stratégiques pour la période post-transition",
                    children: &[],
                    activities: &[act("D2.04", "Étude diagnostique des besoins de réforme en matière de décentralisation", 1, "étude", 30_000_000, &UGP, "BKO", (2013, 9, 12), Done((2014, 9, 26), 1))],
                },
            ],
        },
        NodeSpec {
            code: "OS3",
            title: "Renforcement des capacités de l’Assemblée nationale",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OS3.i",
                    title: "(i) Renforcement des capacités des députés et du personnel parlementaire",
                    children: &[],
                    activities: &[act("D3.01", "Séminaires de formation des députés et du personnel parlementaire", 6, "séminaires", 40_000_000, &UGP, "BKO", (2014, 1, 12), Done((2014, 11, 28), 6))],
                },
                NodeSpec {
                    code: "OS3.ii",
                    title: "(ii) Dotation en documents et outils stratégiques",
                    children: &[],
                    activities: &[
                        act("D3.02", "Manuel de procédures comptables et financières de l’Assemblée nationale", 1, "manuel", 15_000_000, &UGP, "BKO", (2014, 1, 6), Done((2014, 7, 31), 1)),
                        act("D3.03", "Stratégie et plan de communication de l’Assemblée nationale", 1, "document", 12_000_000, &UGP, "BKO", (2014, 3, 12), Postponed((2014, 10, 31), "Reportée à la demande du bureau de l’Assemblée nationale.")),
                        act("D3.04", "Projet de statut autonome du personnel parlementaire", 1, "projet de texte", 8_000_000, &UGP, "BKO", (2014, 2, 10), InProgress((2014, 10, 31), 0)),
                    ],
                },
            ],
        },
        NodeSpec {
            code: "OS4",
            title: "Renforcement de la cohésion sociale et promotion du dialogue national",
            activities: &[],
            children: &[
                NodeSpec {
                    code: "OS4.i",
                    title: "(i) Capacités nationales à mener des processus inclusifs de dialogue et de cohésion sociale",
                    children: &[],
                    activities: &[act("D4.01", "Formation de médiateurs communautaires", 150, "médiateurs", 25_000_000, &UGP, "TOM", (2013, 7, 12), Done((2014, 4, 30), 165))],
                },
                NodeSpec {
                    code: "OS4.ii",
                    title: "(ii) Un processus de concertation produisant un modèle de dialogue national légitime",
                    children: &[],
                    activities: &[
                        act("D4.02", "Concertations régionales sur le dialogue national", 8, "concertations", 55_000_000, &UGP, "NAT", (2013, 10, 12), Done((2014, 9, 30), 8)),
                        act("D4.03", "Appui technique à la coordination des initiatives nationales", 1, "dispositif", 20_000_000, &UGP, "BKO", (2013, 4, 12), Abandoned((2014, 2, 28), "Abandonnée : coordination reprise par le cadre conjoint d’appui à la transition.")),
                    ],
                },
            ],
        },
    ],
    indicators: &[],
    funding: &[
        FundingSpec {
            source: "PNUD (ressources propres)",
            kind: FundingSourceKind::Partner,
            planned: 450_000_000,
            mobilised: 420_000_000,
        },
        FundingSpec {
            source: "Partenaires (fonds fiduciaire)",
            kind: FundingSourceKind::Partner,
            planned: 300_000_000,
            mobilised: 210_000_000,
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn collect<'a>(nodes: &'a [NodeSpec], out: &mut Vec<&'a ActivitySpec>) {
        for node in nodes {
            out.extend(node.activities);
            collect(node.children, out);
        }
    }

    #[test]
    fn every_course_gives_ordered_cumulative_updates_within_the_plan_years() {
        for agency in AGENCIES {
            for plan in agency.plans {
                let mut activities = Vec::new();
                collect(plan.tree, &mut activities);
                for activity in activities {
                    let rows = updates_of(activity).unwrap();
                    let start = date(activity.planned.0).unwrap();
                    let code = activity.code;
                    for pair in rows.windows(2) {
                        // Distinct dates: the latest update never depends on insertion order.
                        assert!(pair[0].as_of < pair[1].as_of, "{code}: dates");
                        assert!(pair[0].spent <= pair[1].spent, "{code}: spent");
                        if let (Some(a), Some(b)) = (pair[0].achieved, pair[1].achieved) {
                            assert!(a <= b, "{code}: achieved");
                        }
                    }
                    for row in &rows {
                        use chrono::Datelike;
                        // The progress form refuses dates outside the plan's years.
                        assert!(
                            (plan.years.0..=plan.years.1).contains(&row.as_of.year()),
                            "{code}: {} outside {:?}",
                            row.as_of,
                            plan.years
                        );
                        assert!(row.as_of >= start, "{code}: before its planned start");
                        assert!(row.spent <= activity.budget, "{code}: over budget");
                    }
                }
            }
        }
    }

    async fn row_counts(pool: &PgPool) -> Vec<(String, i64)> {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY 1",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        let mut counts = Vec::new();
        for table in tables {
            let count: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM \"{table}\""))
                .fetch_one(pool)
                .await
                .unwrap();
            counts.push((table, count));
        }
        counts
    }

    #[sqlx::test]
    async fn a_second_load_changes_nothing(pool: PgPool) {
        assert_eq!(load(&pool).await.unwrap(), DemoOutcome::Loaded);
        let first = row_counts(&pool).await;
        for table in [
            "agencies",
            "plans",
            "plan_nodes",
            "activities",
            "progress_updates",
            "indicators",
            "indicator_values",
            "board_sessions",
            "resolutions",
            "funding_lines",
        ] {
            assert!(
                first.iter().any(|(t, n)| t == table && *n > 0),
                "{table} has demo rows: {first:?}"
            );
        }
        assert_eq!(load(&pool).await.unwrap(), DemoOutcome::AlreadyPresent);
        assert_eq!(row_counts(&pool).await, first);
    }

    #[sqlx::test]
    async fn two_loads_at_once_load_once(pool: PgPool) {
        let (a, b) = tokio::join!(load(&pool), load(&pool));
        let mut outcomes = [a.unwrap(), b.unwrap()];
        outcomes.sort_by_key(|o| *o == DemoOutcome::AlreadyPresent);
        assert_eq!(outcomes, [DemoOutcome::Loaded, DemoOutcome::AlreadyPresent]);
        let agencies: i64 = sqlx::query_scalar("SELECT count(*) FROM agencies")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(agencies, AGENCIES.len() as i64);
    }

    /// Figures of a plan as of a date, in plain SQL independent of the store:
    /// (activities, done, done above target, budget, spent).
    async fn figures(pool: &PgPool, plan: &str, as_of: NaiveDate) -> (i64, i64, i64, i64, i64) {
        sqlx::query_as(
            "SELECT count(*), \
                    count(*) FILTER (WHERE u.status = 'done'), \
                    count(*) FILTER (WHERE u.status = 'done' AND u.achieved > a.target), \
                    sum(a.budget)::bigint, \
                    coalesce(sum(u.spent), 0)::bigint \
             FROM activities a \
             JOIN plans p ON p.id = a.plan_id \
             LEFT JOIN LATERAL ( \
                 SELECT status, achieved, spent FROM progress_updates \
                 WHERE activity_id = a.id AND as_of <= $2 \
                 ORDER BY as_of DESC, id DESC LIMIT 1 \
             ) u ON true \
             WHERE p.code = $1",
        )
        .bind(plan)
        .bind(as_of)
        .fetch_one(pool)
        .await
        .unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[sqlx::test]
    async fn pap_2025_gives_the_figures_of_the_30th_session(pool: PgPool) {
        load(&pool).await.unwrap();
        let (planned, done, above, budget, spent) =
            figures(&pool, "PAP-2025", day(2025, 11, 30)).await;
        assert_eq!((planned, done, above), (49, 32, 10));
        // 32/49 shows as 65 %.
        assert_eq!((done * 100 + planned / 2) / planned, 65);
        let budget_rate = spent * 100 / budget;
        assert!((60..=75).contains(&budget_rate), "budget {budget_rate} %");

        // The 29th session (cutoff 31 May) saw fewer done.
        let (_, done_may, ..) = figures(&pool, "PAP-2025", day(2025, 5, 31)).await;
        assert!(done_may < 32 && done_may > 0, "{done_may} done in May");

        // Updates of December 2025 make today's figures differ from the session's.
        let (_, done_today, ..) = figures(&pool, "PAP-2025", day(2026, 11, 25)).await;
        assert!(done_today > 32, "{done_today} done today");

        // Some activities were late at the cutoff: planned to end before it, not done.
        let late: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM activities a JOIN plans p ON p.id = a.plan_id \
             WHERE p.code = 'PAP-2025' AND a.planned_end < '2025-11-30' \
             AND coalesce((SELECT status FROM progress_updates WHERE activity_id = a.id \
                           AND as_of <= '2025-11-30' ORDER BY as_of DESC, id DESC LIMIT 1), \
                          'not_started') NOT IN ('done', 'abandoned')",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert!(late > 0);

        // The 30th session as the article tells it.
        let (held, cutoff, reviewed, adopted): (NaiveDate, NaiveDate, String, String) =
            sqlx::query_as(
                "SELECT s.held_on, s.cutoff, r.code, ad.code FROM board_sessions s \
                 JOIN agencies g ON g.id = s.agency_id \
                 JOIN plans r ON r.id = s.reviewed_plan_id \
                 JOIN plans ad ON ad.id = s.adopted_plan_id \
                 WHERE g.code = 'ANASER' AND s.number = 30 AND s.kind = 'ordinary'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(
            (held, cutoff, reviewed.as_str(), adopted.as_str()),
            (day(2025, 12, 26), day(2025, 11, 30), "PAP-2025", "PAP-2026")
        );
    }

    #[sqlx::test]
    async fn pap_2026_has_50_activities_in_5_priority_actions(pool: PgPool) {
        load(&pool).await.unwrap();
        let (activities, holders, leaves): (i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM activities WHERE plan_id = p.id), \
                    (SELECT count(DISTINCT node_id) FROM activities WHERE plan_id = p.id), \
                    (SELECT count(*) FROM plan_nodes n WHERE n.plan_id = p.id \
                     AND NOT EXISTS (SELECT 1 FROM plan_nodes c WHERE c.parent_id = n.id)) \
             FROM plans p WHERE p.code = 'PAP-2026'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!((activities, holders, leaves), (50, 5, 5));
        // A year under way: partly done, nothing recorded after October.
        let (planned, done, ..) = figures(&pool, "PAP-2026", day(2026, 11, 25)).await;
        assert!(done > 0 && done < planned);
        let last: Option<NaiveDate> = sqlx::query_scalar(
            "SELECT max(u.as_of) FROM progress_updates u JOIN activities a ON a.id = u.activity_id \
             JOIN plans p ON p.id = a.plan_id WHERE p.code = 'PAP-2026'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(last.map(|d| d <= day(2026, 10, 31)), Some(true));
    }
}
