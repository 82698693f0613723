//! A board session's figures: what its dashboard shows, as one value that can
//! be computed from the dated data, sealed, and read back. A held session is
//! sealed: its figures are read from its seal (`store::seals`), never
//! recomputed, so that nothing entered later — a corrected target, a new
//! indicator value, a changed budget — moves what the board saw. `verify`
//! recomputes every sealed session and says where it differs.
//!
//! The figures keep the rows the dashboard is built from (the plan, its tree
//! and activities with their state at the cutoff, indicators, funding), not
//! rendered text: the page builds its tables and charts from them in the
//! reader's language, with the same pure code as for a live session.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use blake2::{Blake2b512, Digest};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::performance::Summary;
use crate::schedule::LateRule;
use crate::store::plans::{self, ActivityRow, FundingLine, IndicatorRow, NodeRow, Plan};
use crate::store::seals::{self, NewSeal, SealHeader};
use crate::store::sessions::{self, BoardSession, OpenResolution};

/// Everything a session's dashboard shows but its own resolutions (followed
/// up after the session by nature, so read live).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionFigures {
    pub cutoff: NaiveDate,
    pub reviewed: Option<Reviewed>,
    pub previous: Option<Previous>,
    pub adopted: Option<Adopted>,
    /// Resolutions of earlier sessions still open when this one was held.
    pub open_earlier: Vec<OpenResolution>,
    /// The rule the reviewed plan's "late" was counted by; a seal written
    /// before there was a choice names none and was counted by the first
    /// period's end.
    #[serde(default = "LateRule::of_older_seals")]
    pub late_rule: LateRule,
}

/// The plan the session reviewed, as of its cutoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reviewed {
    pub plan: Plan,
    /// In reading order (`store::plans::nodes`).
    pub nodes: Vec<NodeRow>,
    pub activities: Vec<ActivityRow>,
    pub indicators: Vec<IndicatorRow>,
    pub funding: Vec<FundingLine>,
    /// The headline, kept beside the rows it comes from so that a reader of
    /// the seal (or `verify`) sees the figures without recomputing.
    pub headline: Summary,
}

/// The previous session on the same plan, for the change since then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Previous {
    pub session: BoardSession,
    pub summary: Summary,
}

/// The programme the session adopted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adopted {
    pub plan: Plan,
    pub activities: usize,
    pub leaf_nodes: usize,
    pub leaf_level_name: String,
    pub budget: i128,
}

/// A session's figures and, if sealed, the seal they come from.
pub struct Dashboard {
    pub figures: SessionFigures,
    pub seal: Option<SealHeader>,
}

impl SessionFigures {
    /// Computes the figures from the data as it stands now.
    pub async fn compute(db: &PgPool, session: &BoardSession) -> sqlx::Result<SessionFigures> {
        let mut conn = db.acquire().await?;
        SessionFigures::compute_on(&mut conn, session).await
    }

    /// Computes the figures from the data as it was known at `known_at`
    /// (what had been recorded, and validated, by then): a sealed session's
    /// figures as they stood when it was sealed, whatever was corrected since.
    pub async fn compute_as_known_at(
        db: &PgPool,
        session: &BoardSession,
        known_at: DateTime<Utc>,
    ) -> sqlx::Result<SessionFigures> {
        let mut tx = crate::db::begin(db).await?;
        sqlx::query("SELECT set_config('suivi.known_at', $1, true)")
            .bind(known_at.to_rfc3339())
            .execute(&mut *tx)
            .await?;
        let figures = SessionFigures::compute_on(&mut tx, session).await?;
        // Read only: the transaction ends with the setting it made.
        tx.rollback().await?;
        Ok(figures)
    }

    async fn compute_on(
        db: &mut PgConnection,
        session: &BoardSession,
    ) -> sqlx::Result<SessionFigures> {
        let cutoff = session.cutoff;
        let mut reviewed = None;
        if let Some(plan) = linked_plan(&mut *db, session.reviewed_plan_id).await? {
            let nodes = plans::nodes(&mut *db, plan.id, cutoff).await?.into_nodes();
            let activities = plans::activities_as_of(&mut *db, plan.id, cutoff).await?;
            reviewed = Some(Reviewed {
                headline: summary_of(&activities, cutoff),
                indicators: plans::indicators(&mut *db, plan.id, cutoff).await?,
                funding: plans::funding(&mut *db, plan.id, cutoff).await?,
                nodes,
                activities,
                plan,
            });
        }

        let mut previous = None;
        if let (Some(earlier), Some(plan_id)) = (
            sessions::previous(&mut *db, session).await?,
            session.reviewed_plan_id,
        ) {
            // The change only means something when both sessions reviewed one plan.
            if earlier.reviewed_plan_id == Some(plan_id) {
                let summary = match sealed_headline(&mut *db, &earlier).await? {
                    Some(summary) => summary,
                    None => {
                        let activities =
                            plans::activities_as_of(&mut *db, plan_id, earlier.cutoff).await?;
                        summary_of(&activities, earlier.cutoff)
                    }
                };
                // Whether it is sealed now is no part of this session's figures.
                let session = BoardSession {
                    seal_id: None,
                    ..earlier
                };
                previous = Some(Previous { session, summary });
            }
        }

        let mut adopted = None;
        if let Some(plan) = linked_plan(&mut *db, session.adopted_plan_id).await? {
            let nodes = plans::nodes(&mut *db, plan.id, cutoff).await?;
            let activities = plans::activities_as_of(&mut *db, plan.id, cutoff).await?;
            let leaf_depth = nodes.leaf_depth(|id| activities.iter().any(|a| a.node_id == id));
            let leaf_nodes = nodes
                .nodes()
                .iter()
                .filter(|n| Some(n.depth) == leaf_depth)
                .count();
            adopted = Some(Adopted {
                activities: activities.len(),
                leaf_nodes,
                leaf_level_name: leaf_depth
                    .map_or("", |depth| plan.level_name(depth))
                    .to_owned(),
                budget: summary_of(&activities, cutoff).budget,
                plan,
            });
        }

        Ok(SessionFigures {
            cutoff,
            reviewed,
            previous,
            adopted,
            open_earlier: sessions::open_resolutions_before(&mut *db, session).await?,
            late_rule: LateRule::default(),
        })
    }

    /// The same figures with "late" counted by `rule`: what a seal's rows
    /// are read with, and what `verify` recomputes an older seal by.
    fn counted_by(mut self, rule: LateRule) -> SessionFigures {
        self.rows_counted_by(rule);
        if let Some(reviewed) = &mut self.reviewed {
            reviewed.headline = summary_of(&reviewed.activities, self.cutoff);
        }
        self
    }

    /// Sets the rule on the figures and on each of their rows, the headline
    /// left as it is.
    fn rows_counted_by(&mut self, rule: LateRule) {
        self.late_rule = rule;
        if let Some(reviewed) = &mut self.reviewed {
            for activity in &mut reviewed.activities {
                activity.late_rule = rule;
            }
        }
    }

    /// The figures as sealed: their text and its digest.
    pub fn seal(&self) -> Result<NewSeal, serde_json::Error> {
        let figures = serde_json::to_string(self)?;
        let digest = digest_of(&figures);
        Ok(NewSeal { figures, digest })
    }
}

impl Dashboard {
    /// The session's figures: its seal's if it is sealed, else computed now.
    pub async fn of(db: &PgPool, session: &BoardSession) -> sqlx::Result<Dashboard> {
        let header = match session.seal_id {
            Some(id) => seals::header(db, id).await?,
            None => None,
        };
        match header {
            Some(seal) => Dashboard::sealed(db, seal).await,
            None => Ok(Dashboard {
                figures: SessionFigures::compute(db, session).await?,
                seal: None,
            }),
        }
    }

    /// The figures of this seal, read once per process (`sealed_figures`).
    pub async fn sealed(db: &PgPool, seal: SealHeader) -> sqlx::Result<Dashboard> {
        Ok(Dashboard {
            figures: sealed_figures(db, &seal).await?,
            seal: Some(seal),
        })
    }
}

/// Sealed figures already read, by the digest of their text. A seal never
/// changes and its digest names its text, so what is kept here is right for
/// any database and any instance (tests run many databases in one process);
/// a text that does not match its digest (changed by hand, which `verify`
/// reports) is read each time and never kept.
static READ_SEALS: LazyLock<Mutex<HashMap<String, Arc<SessionFigures>>>> =
    LazyLock::new(Mutex::default);

/// About 300 KB each for a plan of 200 activities: a bound on memory, not a
/// working set (when full, it starts again).
const KEPT_SEALS: usize = 32;

async fn sealed_figures(db: &PgPool, seal: &SealHeader) -> sqlx::Result<SessionFigures> {
    let kept = READ_SEALS
        .lock()
        .ok()
        .and_then(|seals| seals.get(&seal.digest).cloned());
    if let Some(figures) = kept {
        return Ok(SessionFigures::clone(&figures));
    }
    let text = seals::figures(db, seal.id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    let figures = read(&text)?;
    if digest_of(&text) == seal.digest {
        if let Ok(mut seals) = READ_SEALS.lock() {
            if seals.len() >= KEPT_SEALS {
                seals.clear();
            }
            seals.insert(seal.digest.clone(), Arc::new(figures.clone()));
        }
    }
    Ok(figures)
}

/// The seal a held session gets now, or `None` for a planned one.
pub async fn seal_for(db: &PgPool, session: &BoardSession) -> sqlx::Result<Option<NewSeal>> {
    if session.status != crate::domain::SessionStatus::Held {
        return Ok(None);
    }
    let figures = SessionFigures::compute(db, session).await?;
    figures
        .seal()
        .map(Some)
        .map_err(|error| sqlx::Error::Encode(Box::new(error)))
}

/// Seals the held sessions that never were (held before seals existed, or
/// loaded so by the demo), as of the data now; returns how many.
pub async fn seal_never_sealed(db: &PgPool) -> sqlx::Result<usize> {
    let ids = seals::never_sealed_held(db).await?;
    for id in &ids {
        if let Some(session) = sessions::find(db, *id).await? {
            if let Some(seal) = seal_for(db, &session).await? {
                seals::seal(db, session.id, session.agency_id, &seal, None).await?;
            }
        }
    }
    Ok(ids.len())
}

/// What `verify` found for one sealed session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    pub session_id: i64,
    pub session: String,
    /// The parts of the figures that differ, or `digest` when the seal's
    /// text no longer matches its digest (changed in the database).
    pub parts: Vec<&'static str>,
}

/// Recomputes every sealed session from the dated data and compares it with
/// its seal; returns how many seals were checked and what differs.
pub async fn verify(db: &PgPool) -> sqlx::Result<(usize, Vec<Discrepancy>)> {
    let seal_ids = seals::in_force(db).await?;
    let mut found = Vec::new();
    for seal_id in &seal_ids {
        let Some(seal) = seals::find(db, *seal_id).await? else {
            continue;
        };
        let Some(session) = sessions::find(db, seal.session_id).await? else {
            continue;
        };
        let mut parts = Vec::new();
        if digest_of(&seal.figures) != seal.digest {
            parts.push("digest");
        }
        let now = SessionFigures::compute_as_known_at(db, &session, seal.sealed_at).await?;
        match read(&seal.figures) {
            Err(_) => parts.push("figures"),
            Ok(sealed) => parts.extend(differences(&sealed, &now.counted_by(sealed.late_rule))),
        }
        if !parts.is_empty() {
            found.push(Discrepancy {
                session_id: session.id,
                session: format!(
                    "{} #{} ({})",
                    session.agency_code, session.number, session.held_on
                ),
                parts,
            });
        }
    }
    Ok((seal_ids.len(), found))
}

/// The named parts in which two sets of figures differ.
fn differences(sealed: &SessionFigures, now: &SessionFigures) -> Vec<&'static str> {
    let mut parts = Vec::new();
    if sealed.cutoff != now.cutoff {
        parts.push("cutoff");
    }
    match (&sealed.reviewed, &now.reviewed) {
        (Some(a), Some(b)) => {
            let checks: [(&'static str, bool); 6] = [
                ("plan", a.plan == b.plan),
                ("headline", a.headline == b.headline),
                ("nodes", a.nodes == b.nodes),
                ("activities", a.activities == b.activities),
                ("indicators", a.indicators == b.indicators),
                ("funding", a.funding == b.funding),
            ];
            parts.extend(
                checks
                    .iter()
                    .filter(|(_, same)| !same)
                    .map(|(name, _)| *name),
            );
        }
        (None, None) => {}
        _ => parts.push("reviewed"),
    }
    if sealed.previous != now.previous {
        parts.push("previous");
    }
    if sealed.adopted != now.adopted {
        parts.push("adopted");
    }
    if sealed.open_earlier != now.open_earlier {
        parts.push("open_resolutions");
    }
    parts
}

/// A seal's figures, its rows counted by the rule it was sealed with. The
/// headline stays the one sealed: only the rows' rule is set.
fn read(text: &str) -> sqlx::Result<SessionFigures> {
    let mut figures: SessionFigures =
        serde_json::from_str(text).map_err(|error| sqlx::Error::Decode(Box::new(error)))?;
    figures.rows_counted_by(figures.late_rule);
    Ok(figures)
}

async fn sealed_headline(
    db: &mut PgConnection,
    session: &BoardSession,
) -> sqlx::Result<Option<Summary>> {
    let text = match session.seal_id {
        Some(id) => seals::figures(&mut *db, id).await?,
        None => None,
    };
    Ok(match text {
        Some(text) => read(&text)?.reviewed.map(|r| r.headline),
        None => None,
    })
}

async fn linked_plan(db: impl PgExecutor<'_>, plan_id: Option<i64>) -> sqlx::Result<Option<Plan>> {
    match plan_id {
        Some(id) => plans::find(db, id).await,
        None => Ok(None),
    }
}

fn summary_of(activities: &[ActivityRow], as_of: NaiveDate) -> Summary {
    let figures: Vec<_> = activities.iter().map(ActivityRow::figures).collect();
    Summary::of(&figures, as_of)
}

/// BLAKE2b-512 of the text, in hex.
pub fn digest_of(text: &str) -> String {
    Blake2b512::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
