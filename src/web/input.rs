//! Input no handler should ever see: text that PostgreSQL cannot store. A NUL
//! byte in a URL, a form field or an upload's name would make the database
//! refuse the statement (error 22021) and the reader get a 500; it is refused
//! here instead, once for every route, with the field's name in the message.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppError;

/// Refuses (400) a path or query string holding an encoded NUL byte, before
/// any session or database work. The HTTP parser already refuses raw ones.
pub async fn refuse_nul_in_url(request: Request, next: Next) -> Response {
    let has_nul = request
        .uri()
        .path_and_query()
        .is_some_and(|target| contains_encoded_nul(target.as_str()));
    if has_nul {
        return AppError::bad_request("error.nul_in_url").into_response();
    }
    next.run(request).await
}

fn contains_encoded_nul(target: &str) -> bool {
    target
        .as_bytes()
        .windows(3)
        .any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

/// Refuses (422) the first field, name or value, holding a NUL character.
pub fn refuse_nul_in_fields<'a>(
    fields: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), AppError> {
    for (name, value) in fields {
        if name.contains('\0') || value.contains('\0') {
            return Err(AppError::BadField {
                key: "error.nul_in_field",
                field: name.replace('\0', "").chars().take(60).collect(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_nul_is_found_anywhere_in_the_target() {
        assert!(contains_encoded_nul("/agencies/%00"));
        assert!(contains_encoded_nul("/plans/1?as_of=2025%00"));
        assert!(!contains_encoded_nul("/plans/100?as_of=2025-11-30"));
        // An encoded percent sign followed by "00" is text, not NUL.
        assert!(!contains_encoded_nul("/search?q=%2500"));
    }

    #[test]
    fn a_field_with_nul_is_named() {
        let fields = [("title", "ok"), ("comment", "a\0b")];
        match refuse_nul_in_fields(fields.iter().map(|(n, v)| (*n, *v))) {
            Err(AppError::BadField { field, .. }) => assert_eq!(field, "comment"),
            _ => panic!("the NUL byte should be refused"),
        }
        assert!(refuse_nul_in_fields([("title", "Réalisée")]).is_ok());
    }
}
