//! The confirmation page of a destructive action: what will change, why it
//! matters, and a POST form with one button, reached by a plain link (a GET
//! that changes nothing), so that no single click on a list retires,
//! revokes or disables anything. The POST handlers stay where they were.

use askama::Template;

use crate::web::Ctx;

#[derive(Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub ctx: Ctx,
    /// The question, as a catalog key ("Retirer cet élément ?").
    pub heading_key: &'static str,
    /// What the action applies to, as readers name it.
    pub item: String,
    /// What happens, as a catalog key.
    pub explain_key: &'static str,
    /// Where the form posts.
    pub action: String,
    pub button_key: &'static str,
    /// Where "cancel" goes back to.
    pub back: String,
    /// Hidden fields the form posts with the CSRF token (which role to
    /// revoke), as the one-click form did.
    pub fields: Vec<(&'static str, String)>,
}
