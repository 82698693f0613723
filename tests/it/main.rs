//! Suivi's integration tests, in one test binary (linked once, and `common`
//! shared without a `dead_code` allowance): PostgreSQL through sqlx (each
//! test gets its own database from `#[sqlx::test]`), the HTTP app through
//! its router, the real binary, and headless Chromium. One module per
//! journey.

mod common;

mod accounts;
mod admin;
mod api;
mod authorization;
mod binary;
mod boards;
mod browser;
mod cli;
mod confirmations;
mod currencies;
mod dated;
mod evidence;
mod exports;
mod figures;
mod funding;
mod fuzz;
mod grid;
mod hardening;
mod imports;
mod late_by_schedule;
mod lists;
mod mail;
mod own_files;
mod own_template;
mod pages;
mod progress;
mod public;
mod resilience;
mod scale;
mod sealing;
mod search;
mod sign_in;
mod structure;
mod upgrade;
mod validation;
