//! Agencies' own spreadsheets, understood as they are: a PTA, a PAP, a
//! multi-year action plan or a results framework made by hand, and progress
//! reports in the officers' own words. [`detect`] finds the table (sheet,
//! header row, columns by meaning), [`plan`] reads a plan's tree, activities
//! and schedule and lists the rows it ignores with the reason, [`indicators`]
//! reads an indicator sheet, [`progress`] reads progress rows and leaves what
//! cannot be decided to the user. All of it is pure (rows in, what they say
//! out); the import modules check it against the database and write it.
//!
//! Suivi's own plan file (the template and the export) is not read here:
//! `plan_file` reads it exactly, cell for cell.

pub mod amount;
pub mod detect;
pub mod folding;
pub mod indicators;
pub mod plan;
pub mod progress;
pub mod words;

pub use detect::{detect, Choices, Column, Kind, Layout};
pub use words::Meaning;

#[cfg(test)]
mod tests;
