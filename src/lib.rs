//! Suivi tracks the action plans of public institutions: what each agency planned,
//! how far each activity has got, and what the board sees at its sessions.
//!
//! Data flows one way: `web` → `store` (rows) → `performance` (figures) → templates.

// The message catalog, compiled in; `i18n::Lang::t` reads it.
rust_i18n::i18n!("locales", fallback = "fr");

pub mod accounts; // the `suivi user` commands
pub mod charts; // SVG charts
pub mod cli; // the command line
pub mod dashboard; // a board session's figures, sealed when held
pub mod db; // opening the database, migrations
pub mod demo; // demo data from the seed articles
pub mod domain; // validated small types
pub mod generate; // synthetic national-scale data
pub mod i18n; // languages and formats
pub mod imports; // plans and progress in from spreadsheets
pub mod mail; // e-mail: the outbox's sender, reminders
pub mod names; // plans, activities, indicators and sessions named by their codes
pub mod passwords; // argon2id hashing
pub mod performance; // pure figures
pub mod postgres; // the private cluster
pub mod publishing; // the `suivi publish` commands
pub mod reports; // yearly reports and dashboards as XLSX, CSV and PDF
pub mod schedule; // an activity's planned periods (chronogramme)
pub mod serve; // the `suivi serve` command
pub mod store; // SQL
pub mod tokens; // the `suivi token` command
pub mod verify; // the `suivi verify` command
pub mod web; // HTTP
