//! Password hashing: argon2id with the crate's default (OWASP-recommended)
//! parameters and a random salt, stored as a PHC string. Hashing is slow on
//! purpose, so callers on the async runtime run it with `spawn_blocking`.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

/// The shortest password accepted, on the command line and in the browser.
pub const MIN_LENGTH: usize = 8;
/// Argon2 accepts longer ones, but hashing megabytes would be a denial of service.
pub const MAX_LENGTH: usize = 256;

pub fn hash(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|error| anyhow::anyhow!("cannot hash the password: {error}"))?;
    Ok(hash.to_string())
}

/// True when `password` matches the stored PHC string; a malformed hash never
/// matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Whether a new password is acceptable; the error is a catalog key.
pub fn check_new(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err("error.password.too_short")
    } else if length > MAX_LENGTH {
        Err("error.password.too_long")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_differ() {
        let first = super::hash("suivi-demo").unwrap();
        let second = super::hash("suivi-demo").unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second, "a fresh salt each time");
        assert!(super::verify("suivi-demo", &first));
        assert!(!super::verify("suivi-demo!", &first));
        assert!(!super::verify("suivi-demo", "not a hash"));
    }

    #[test]
    fn new_passwords_have_a_sane_length() {
        assert!(super::check_new("short").is_err());
        assert!(super::check_new("long enough").is_ok());
        assert!(super::check_new(&"x".repeat(300)).is_err());
    }
}
