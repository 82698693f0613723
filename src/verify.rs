//! `suivi verify`: recomputes every sealed board session from the dated data
//! and compares it with its seal (`dashboard::verify`); any difference is
//! printed (in the command line's language), and the command fails, since a
//! seal that moves is a bug.

use crate::i18n::Lang;

pub async fn run(db: &sqlx::PgPool, lang: Lang) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let (checked, discrepancies) = crate::dashboard::verify(db).await?;
    for found in &discrepancies {
        println!(
            "{}",
            lang.t_with(
                "cli.verify.differs",
                &[
                    ("session", &found.session.to_string()),
                    ("id", &found.session_id.to_string()),
                    ("parts", &found.parts.join(", ")),
                ]
            )
        );
    }
    let differ = discrepancies.len().to_string();
    let tenths = i64::try_from(started.elapsed().as_millis() / 100).unwrap_or(i64::MAX);
    let tenths_of_seconds = rust_decimal::Decimal::new(tenths, 1);
    println!(
        "{}",
        lang.t_with(
            "cli.verify.checked",
            &[
                ("checked", &checked.to_string()),
                ("seconds", &lang.quantity(tenths_of_seconds)),
                ("differ", &differ),
            ]
        )
    );
    if discrepancies.is_empty() {
        Ok(())
    } else {
        anyhow::bail!(lang.t_with("cli.verify.failed", &[("differ", &differ)]))
    }
}
