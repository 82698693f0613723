//! SQL, one file per concern. The store returns rows; it knows nothing of HTTP
//! and computes no figures: `performance` does that from the rows.

pub mod activities;
pub mod admin;
pub mod agencies;
pub mod audit;
pub mod login_attempts;
pub mod plans;
pub mod sessions;
pub mod users;

/// The "state as of a date" of every activity is its latest progress update dated
/// on or before that date: one index probe per activity on
/// `progress_updates_latest`. Shared by every query that reads figures.
macro_rules! latest_update_join {
    ($date_param:literal) => {
        concat!(
            " LEFT JOIN LATERAL (SELECT p.id, p.status, p.achieved, p.spent, p.as_of, p.comment",
            " FROM progress_updates p WHERE p.activity_id = a.id AND p.as_of <= ",
            $date_param,
            " ORDER BY p.as_of DESC, p.id DESC LIMIT 1) u ON true "
        )
    };
}
pub(crate) use latest_update_join;
