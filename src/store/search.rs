//! Search: the activities whose code or title hold the words typed, in the
//! plans of the agencies a reader may read. The words are matched by
//! PostgreSQL's full-text search under `suivi_fr` (french with unaccent, see
//! the migration), so "securite routiere" finds "Sécurité routière"; ranked
//! by how well the title matches, then the newest plans first.

use sqlx::{FromRow, PgPool};

/// One activity found, with where it lives.
#[derive(Debug, FromRow)]
pub struct Hit {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub plan_id: i64,
    pub plan_title: String,
    pub start_year: i32,
    pub end_year: i32,
    pub agency_code: String,
    pub agency_name: String,
}

impl Hit {
    /// "2025" or "2022-2024".
    pub fn years(&self) -> String {
        if self.start_year == self.end_year {
            self.start_year.to_string()
        } else {
            format!("{}-{}", self.start_year, self.end_year)
        }
    }
}

/// What every search query shares: the activities in force today that match,
/// in readable agencies (`$2`, all of them for NULL).
const MATCHES: &str = "FROM activities a \
     JOIN plans pl ON pl.id = a.plan_id \
     JOIN agencies g ON g.id = pl.agency_id \
     WHERE a.search_words @@ websearch_to_tsquery('suivi_fr', $1) \
     AND (a.retired_on IS NULL OR a.retired_on > current_date) \
     AND ($2::bigint[] IS NULL OR pl.agency_id = ANY($2))";

/// The matches of `words`, `limit` of them after `offset`.
#[tracing::instrument(skip(db, readable))]
pub async fn activities(
    db: &PgPool,
    words: &str,
    readable: Option<&[i64]>,
    limit: u32,
    offset: u64,
) -> sqlx::Result<Vec<Hit>> {
    sqlx::query_as(&format!(
        "SELECT a.id, a.code, a.title, pl.id AS plan_id, pl.title AS plan_title, \
         pl.start_year, pl.end_year, g.code AS agency_code, g.name AS agency_name \
         {MATCHES} \
         ORDER BY ts_rank(a.search_words, websearch_to_tsquery('suivi_fr', $1)) DESC, \
         pl.start_year DESC, a.id \
         LIMIT $3 OFFSET $4"
    ))
    .bind(words)
    .bind(readable)
    .bind(i64::from(limit))
    .bind(i64::try_from(offset).unwrap_or(i64::MAX))
    .fetch_all(db)
    .await
}

/// How many activities match, counted up to `cap` (a word found in half the
/// country's activities is not counted to the last one).
#[tracing::instrument(skip(db, readable))]
pub async fn count(
    db: &PgPool,
    words: &str,
    readable: Option<&[i64]>,
    cap: u64,
) -> sqlx::Result<u64> {
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT count(*) FROM (SELECT 1 {MATCHES} LIMIT $3) AS capped"
    ))
    .bind(words)
    .bind(readable)
    .bind(i64::try_from(cap).unwrap_or(i64::MAX))
    .fetch_one(db)
    .await?;
    Ok(u64::try_from(count).unwrap_or(0))
}
