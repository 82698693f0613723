//! The evidence panel of the activity page: each update's attachments, what
//! the reader may do with them, and a refused evidence form shown again. Its
//! own module so that the activity page (which shows it) and the attachment
//! handlers (which show the page again on a refusal) both use it without
//! depending on each other both ways.

use std::borrow::Borrow;

use rust_decimal::Decimal;

use crate::store::attachments::{self, AttachmentRow};
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState, Ctx};

/// The evidence of an activity's updates as its page shows it, and what the
/// reader may do with it.
#[derive(Debug, Default)]
pub struct EvidencePanel {
    attachments: Vec<AttachmentRow>,
    /// The agency's editors and admins attach and withdraw.
    pub can_change: bool,
    /// Admins may still download what was withdrawn.
    pub is_admin: bool,
    /// The configured largest file, said beside the file field.
    pub max_megabytes: u32,
    /// A form refused, shown again with its message and what was typed.
    pub refused: Option<Refusal>,
}

/// Which form of the page was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusedForm {
    /// The form attaching evidence to this update.
    Attach(i64),
    /// The form withdrawing this attachment.
    Withdraw(i64),
}

/// A refused form: its message, and the values typed, to show again.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub form: RefusedForm,
    pub message: String,
    pub label: String,
    pub url: String,
    pub reason: String,
}

impl EvidencePanel {
    pub async fn load(
        state: &AppState,
        activity_id: i64,
        agency_id: i64,
        user: &CurrentUser,
    ) -> Result<EvidencePanel, AppError> {
        Ok(EvidencePanel {
            attachments: attachments::for_activity(&state.db, activity_id).await?,
            can_change: user.can_edit(agency_id),
            is_admin: user.user.is_admin,
            max_megabytes: state.config.max_attachment.megabytes,
            refused: None,
        })
    }

    /// The attachments of one update, in the order they were added.
    pub fn of(&self, update_id: impl Borrow<i64>) -> Vec<&AttachmentRow> {
        let update_id = *update_id.borrow();
        self.attachments
            .iter()
            .filter(|a| a.update_id == update_id)
            .collect()
    }

    /// Whether the update's evidence row is shown at all.
    pub fn shows(&self, update_id: impl Borrow<i64>) -> bool {
        let update_id = *update_id.borrow();
        self.can_change || self.attachments.iter().any(|a| a.update_id == update_id)
    }

    /// The refusal of the form attaching to this update, if it was refused.
    pub fn refused_attach(&self, update_id: impl Borrow<i64>) -> Option<&Refusal> {
        let update_id = *update_id.borrow();
        self.refused
            .as_ref()
            .filter(|r| r.form == RefusedForm::Attach(update_id))
    }

    /// The refusal of the form withdrawing this attachment, if refused.
    pub fn refused_withdraw(&self, attachment_id: impl Borrow<i64>) -> Option<&Refusal> {
        let attachment_id = *attachment_id.borrow();
        self.refused
            .as_ref()
            .filter(|r| r.form == RefusedForm::Withdraw(attachment_id))
    }

    /// Whether the reader gets a download link for this file.
    pub fn downloadable(&self, attachment: &AttachmentRow) -> bool {
        attachment.file_type.is_some() && (!attachment.is_withdrawn() || self.is_admin)
    }

    /// A file's size as people read it: `850 Ko`, `2,4 Mo`.
    pub fn size(&self, ctx: &Ctx, attachment: &AttachmentRow) -> String {
        let bytes = attachment.size_bytes.unwrap_or(0).max(0);
        if bytes < 1024 * 1024 {
            let kilobytes = (bytes + 1023) / 1024;
            ctx.t_with("evidence.size_kb", &[("n", &kilobytes.to_string())])
        } else {
            let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
            let megabytes = ctx.qty(Some(Decimal::new(tenths, 1)));
            ctx.t_with("evidence.size_mb", &[("n", &megabytes)])
        }
    }
}
