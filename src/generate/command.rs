//! `suivi generate`: its flags, and the progress lines on stderr while it runs.

use clap::Args;
use sqlx::PgPool;

use super::{GenerateOptions, GenerateProgress};

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of synthetic agencies.
    #[arg(long, env = "SUIVI_GENERATE_AGENCIES", default_value_t = 300)]
    pub agencies: u32,
    /// Activities per agency and per year.
    #[arg(long, env = "SUIVI_GENERATE_ACTIVITIES", default_value_t = 200)]
    pub activities: u32,
    /// Progress updates per activity that has started (one for the others).
    #[arg(long, env = "SUIVI_GENERATE_UPDATES_PER_ACTIVITY", default_value_t = super::DEFAULT_UPDATES_PER_ACTIVITY)]
    pub updates_per_activity: u32,
    /// Number of years (one annual plan per agency and year).
    #[arg(long, env = "SUIVI_GENERATE_YEARS", default_value_t = 10)]
    pub years: u32,
    /// Seed of the generator: the same seed gives the same data.
    #[arg(long, env = "SUIVI_GENERATE_SEED", default_value_t = 2025)]
    pub seed: u64,
}

pub async fn run(db: &PgPool, args: &GenerateArgs) -> anyhow::Result<()> {
    let options = GenerateOptions {
        updates_per_activity: args.updates_per_activity,
        ..GenerateOptions::new(args.agencies, args.activities, args.years, args.seed)
    };
    // Progress goes to stderr, one line per step, so that a redirect of stdout
    // keeps only the final report.
    let mut last_percent = None;
    let mut show = |progress: GenerateProgress| {
        let percent =
            u64::from(progress.agencies_done) * 100 / u64::from(progress.agencies_total.max(1));
        if last_percent != Some((progress.stage, percent)) {
            last_percent = Some((progress.stage, percent));
            eprintln!("{progress}");
        }
    };
    let report = super::generate(db, &options, &mut show).await?;
    println!("{report}");
    Ok(())
}
