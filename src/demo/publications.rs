//! The demo's public pages: ANASER's PAP 2025 and its sealed 30th session
//! are published when the demo is first loaded, so that `/public` shows a
//! newcomer what a published plan and session look like. Published by the
//! command line (audited `via: cli`), through the store function the pages
//! use; a later load leaves publications alone (an admin may have taken
//! them off).

use anyhow::Context;
use sqlx::PgPool;

use crate::store::audit::Actor;
use crate::store::publications::{self, Target};
use crate::store::{plans, sessions};

const AGENCY: &str = "ANASER";
const PLAN: &str = "PAP-2025";
const SESSION: i32 = 30;

/// Publishes the plan and the session (which must be sealed by now).
pub(super) async fn publish(pool: &PgPool) -> anyhow::Result<()> {
    let plan = plans::find_by_codes(pool, AGENCY, PLAN)
        .await?
        .with_context(|| format!("no plan {AGENCY}:{PLAN}"))?;
    let session = sessions::find_by_number(pool, AGENCY, "ordinary", SESSION)
        .await?
        .with_context(|| format!("no session {AGENCY}:{SESSION}"))?;
    anyhow::ensure!(session.is_sealed(), "the {SESSION}th session is not sealed");
    for target in [Target::Plan(plan.id), Target::Session(session.id)] {
        // Figures only: the demo's comments are illustrative staff notes.
        publications::publish(pool, target, plan.agency_id, false, Actor::CommandLine).await?;
    }
    Ok(())
}
