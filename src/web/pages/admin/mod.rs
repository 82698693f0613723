//! The admin pages (admins only, through the `Admin` extractor): agencies,
//! accounts and their roles, and the audit log. Every change goes through
//! `store::admin`, which audits it in the same transaction. Forms come back
//! with a message next to each bad field and what was typed (422).

pub mod accounts;
pub mod agencies;
pub mod audit;

use askama::Template;
use axum::response::Html;

use super::forms::FieldErrors;
use super::render;
use crate::web::auth::Admin;
use crate::web::{AppError, Ctx};

/// Required text: trimmed, between 1 and `max` characters.
fn required_text(
    errors: &mut FieldErrors,
    field: &'static str,
    text: &str,
    max: usize,
) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        errors.set(field, "error.value.empty");
        None
    } else if text.chars().count() > max {
        errors.set(field, "admin.error.too_long");
        None
    } else {
        Some(text.to_owned())
    }
}

/// A checkbox: present (any value but "false") means checked.
fn checked(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| v != "false")
}

#[derive(Template)]
#[template(path = "admin/index.html")]
struct IndexPage {
    ctx: Ctx,
}

pub async fn index(ctx: Ctx, Admin(_): Admin) -> Result<Html<String>, AppError> {
    render(&IndexPage { ctx })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        let mut errors = FieldErrors::default();
        assert_eq!(
            required_text(&mut errors, "name", "  ANASER ", 10).as_deref(),
            Some("ANASER")
        );
        assert!(errors.is_empty());
        assert_eq!(required_text(&mut errors, "name", "   ", 10), None);
        assert_eq!(errors.get("name"), Some("error.value.empty"));
        assert_eq!(
            required_text(&mut errors, "other", "é".repeat(11).as_str(), 10),
            None
        );
        assert_eq!(errors.get("other"), Some("admin.error.too_long"));
    }

    /// Every catalog key written in the admin pages and templates (and the
    /// sign-in page, which says why it refuses) has a text in both languages.
    #[test]
    fn every_key_of_the_admin_pages_is_in_the_catalog() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files = vec![
            format!("{root}/src/web/pages/login.rs"),
            format!("{root}/src/web/auth.rs"),
            format!("{root}/templates/base.html"),
        ];
        for dir in ["src/web/pages/admin", "templates/admin"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                files.push(entry.unwrap().path().display().to_string());
            }
        }
        let mut seen = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let is_key = ["admin.", "login.", "nav.", "error."]
                    .iter()
                    .any(|p| literal.starts_with(p))
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_');
                if !is_key || literal.ends_with('.') || literal.ends_with(".html") {
                    continue;
                }
                seen += 1;
                for lang in crate::i18n::Lang::ALL {
                    assert_ne!(lang.t(literal), literal, "{file}: {literal} in {lang:?}");
                }
            }
        }
        assert!(seen > 50, "only {seen} keys found");
    }

    #[test]
    fn checkboxes() {
        assert!(checked(&Some("on".into())));
        assert!(!checked(&Some("false".into())));
        assert!(!checked(&None));
    }
}
