//! `suivi verify`: recomputes every sealed board session from the dated data
//! and compares it with its seal (`dashboard::verify`); any difference is
//! printed, and the command fails, since a seal that moves is a bug.

pub async fn run(db: &sqlx::PgPool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let (checked, discrepancies) = crate::dashboard::verify(db).await?;
    for found in &discrepancies {
        println!(
            "session {} (id {}): differs from its seal in {}",
            found.session,
            found.session_id,
            found.parts.join(", ")
        );
    }
    println!(
        "{checked} sealed sessions checked in {:.1} s, {} differ",
        started.elapsed().as_secs_f64(),
        discrepancies.len()
    );
    if discrepancies.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(
            "{} sealed sessions differ from their seals",
            discrepancies.len()
        )
    }
}
