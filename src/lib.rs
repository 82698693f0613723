//! Suivi tracks the action plans of public institutions: what each agency planned,
//! how far each activity has got, and what the board sees at its sessions.
//!
//! Data flows one way: `web` → `store` (rows) → `performance` (figures) → templates.

pub mod domain;
pub mod generate;
pub mod performance;
