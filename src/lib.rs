//! Suivi: placeholder, filled in by the core commit.
