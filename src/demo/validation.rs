//! The demo's validation by ANASER's M&E unit: ANASER's updates need
//! validation, its validator is `anaser.se`, and two updates of the PAP 2026
//! show both ends of it: one waiting in the queue, one rejected with its
//! reason. Both are dated after the 30th session's cutoff and are not
//! counted, so no figure the demo reproduces moves.

use anyhow::Context;
use sqlx::PgConnection;

use crate::store::reviews::{self, Decision};

/// (activity of the PAP 2026, date, done, comment, rejection reason).
const SUBMITTED: &[(&str, &str, &str, Option<&str>)] = &[
    (
        "B1.01",
        "2026-11-20",
        "Plateforme mise en ligne le 18 novembre ; procès-verbal de réception joint.",
        None,
    ),
    (
        "B1.05",
        "2026-11-24",
        "Tableau de bord livré.",
        Some("Aucune pièce ne montre la livraison : joindre le procès-verbal de réception."),
    ),
];

/// Turns validation on for ANASER and records the two updates, once: a
/// database where ANASER already needs validation is left alone.
pub(super) async fn submit_and_review(tx: &mut PgConnection) -> anyhow::Result<()> {
    let already: bool =
        sqlx::query_scalar("SELECT requires_validation FROM agencies WHERE code = 'ANASER'")
            .fetch_one(&mut *tx)
            .await?;
    if already {
        return Ok(());
    }
    sqlx::query("UPDATE agencies SET requires_validation = true WHERE code = 'ANASER'")
        .execute(&mut *tx)
        .await?;
    let (editor, editor_name): (i64, String) =
        sqlx::query_as("SELECT id, display_name FROM users WHERE login = 'anaser.editeur'")
            .fetch_one(&mut *tx)
            .await
            .context("the demo editor")?;
    let validator: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'anaser.se'")
        .fetch_one(&mut *tx)
        .await
        .context("the demo validator")?;
    for (activity, as_of, comment, rejection) in SUBMITTED {
        let update: i64 = sqlx::query_scalar(
            "INSERT INTO progress_updates (activity_id, as_of, status, achieved, spent, comment, \
             author, user_id, review) \
             SELECT a.id, $2::date, 'done', a.target, NULL, $3, $4, $5, 'submitted' \
             FROM activities a JOIN plans pl ON pl.id = a.plan_id \
             JOIN agencies g ON g.id = pl.agency_id \
             WHERE g.code = 'ANASER' AND pl.code = 'PAP-2026' AND a.code = $1 RETURNING id",
        )
        .bind(activity)
        .bind(as_of)
        .bind(comment)
        .bind(&editor_name)
        .bind(editor)
        .fetch_one(&mut *tx)
        .await
        .with_context(|| format!("submitting the demo update of {activity}"))?;
        if let Some(reason) = rejection {
            let decision = Decision::Reject {
                reason: (*reason).to_owned(),
            };
            reviews::decide_in(&mut *tx, &[update], &decision, validator, None).await?;
        }
    }
    Ok(())
}
