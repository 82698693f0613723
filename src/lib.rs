//! Suivi tracks the action plans of public institutions: what each agency planned,
//! how far each activity has got, and what the board sees at its sessions.
//!
//! Data flows one way: `web` → `store` (rows) → `performance` (figures) → templates.

// The message catalog, compiled in; `i18n::Lang::t` reads it.
rust_i18n::i18n!("locales", fallback = "fr");

pub mod cli;
pub mod db;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod performance;
pub mod postgres;
pub mod store;
pub mod web;
