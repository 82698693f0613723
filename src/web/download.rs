//! Every file the site hands out (reports, a session's dashboard, a plan
//! file, the import template, evidence) leaves through `attachment` (or
//! `attachment_of_type`), so that each gets a file name safe in a header and
//! is kept by no shared cache.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::reports::{safe_file_name, Format};

/// `body` as a download named `file_name`. The name is reduced to ASCII
/// letters, digits, `-`, `_` and `.` first: it comes from codes that users
/// type (a plan's), and a quote or a `;` would end the header's value early.
pub fn attachment(format: Format, file_name: &str, body: Body) -> Response {
    attachment_of_type(format.content_type(), file_name, body)
}

/// [`attachment`] for a file that is no report: evidence attached to a
/// progress update, whose type its content showed.
pub fn attachment_of_type(content_type: &'static str, file_name: &str, body: Body) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let disposition = format!("attachment; filename=\"{}\"", safe_file_name(file_name));
    // Always a valid header value: the safe name is plain ASCII.
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    // Figures of an agency: for the reader only, never for shared caches.
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_cannot_break_out_of_its_header() {
        let response = attachment(Format::Csv, "PAP\"; x=1 é.csv", Body::empty());
        let headers = response.headers();
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"PAP___x_1__.csv\""
        );
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
        assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    }
}
