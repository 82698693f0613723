//! What each kind of message says, in the recipient's language: a subject,
//! plain text and simple HTML from the same parts (templates `mail/*`),
//! from the parameters queued with it.

use askama::Template;
use serde_json::Value;

use crate::i18n::Lang;

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The parts of a message, which both templates lay out.
struct Parts {
    lang: Lang,
    intro: String,
    /// Lines with a link each (an activity, the dashboard's PDF).
    items: Vec<(String, String)>,
    outro: String,
}

#[derive(Template)]
#[template(path = "mail/message.txt")]
struct Text<'a> {
    parts: &'a Parts,
}

#[derive(Template)]
#[template(path = "mail/message.html")]
struct Html<'a> {
    parts: &'a Parts,
}

fn text(params: &Value, key: &str) -> String {
    match &params[key] {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn session_name(lang: Lang, params: &Value) -> String {
    let key = match params["session_kind"].as_str() {
        Some("extraordinary") => "session_kind.extraordinary",
        _ => "session_kind.ordinary",
    };
    let number = params["number"].as_i64().unwrap_or(0);
    lang.t_with(key, &[("n", &lang.ordinal(number as i32))])
}

fn date(lang: Lang, params: &Value, key: &str) -> String {
    params[key]
        .as_str()
        .and_then(crate::domain::parse_iso_date)
        .map_or_else(String::new, |d| lang.date(d))
}

pub fn render(kind: &str, lang: Lang, params: &Value, base_url: &str) -> anyhow::Result<Rendered> {
    let agency = text(params, "agency");
    let (subject, parts) = match kind {
        "reminder" => {
            let session = session_name(lang, params);
            let cutoff = date(lang, params, "cutoff");
            let items = params["activities"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|a| {
                            (
                                format!("{} {}", text(a, "code"), text(a, "title")),
                                format!("{base_url}/activities/{}", text(a, "id")),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let values = [
                ("agency", agency.as_str()),
                ("session", session.as_str()),
                ("cutoff", cutoff.as_str()),
            ];
            (
                lang.t_with("mail.reminder.subject", &values),
                Parts {
                    lang,
                    intro: lang.t_with("mail.reminder.intro", &values),
                    items,
                    outro: lang.t("mail.reminder.outro").into_owned(),
                },
            )
        }
        "sealed" => {
            let session = session_name(lang, params);
            let held_on = date(lang, params, "held_on");
            let values = [
                ("agency", agency.as_str()),
                ("session", session.as_str()),
                ("date", held_on.as_str()),
            ];
            let id = text(params, "session_id");
            (
                lang.t_with("mail.sealed.subject", &values),
                Parts {
                    lang,
                    intro: lang.t_with("mail.sealed.intro", &values),
                    items: vec![
                        (
                            lang.t("mail.sealed.pdf").into_owned(),
                            format!("{base_url}/sessions/{id}/dashboard.pdf"),
                        ),
                        (
                            lang.t("mail.sealed.page").into_owned(),
                            format!("{base_url}/sessions/{id}"),
                        ),
                    ],
                    outro: String::new(),
                },
            )
        }
        "rejection" => {
            let as_of = date(lang, params, "as_of");
            let activity = format!("{} {}", text(params, "code"), text(params, "title"));
            let values = [
                ("agency", agency.as_str()),
                ("activity", activity.as_str()),
                ("date", as_of.as_str()),
            ];
            (
                lang.t_with("mail.rejection.subject", &values),
                Parts {
                    lang,
                    intro: lang.t_with("mail.rejection.intro", &values),
                    items: vec![(
                        activity.clone(),
                        format!("{base_url}/activities/{}", text(params, "activity_id")),
                    )],
                    outro: lang.t_with(
                        "mail.rejection.reason",
                        &[("reason", &text(params, "reason"))],
                    ),
                },
            )
        }
        "password_reset" => (
            lang.t("mail.reset.subject").into_owned(),
            Parts {
                lang,
                intro: lang.t("mail.reset.intro").into_owned(),
                items: vec![(
                    lang.t("mail.reset.link").into_owned(),
                    format!("{base_url}/password/reset/{}", text(params, "token")),
                )],
                outro: lang.t("mail.reset.outro").into_owned(),
            },
        ),
        "test" => (
            lang.t("mail.test.subject").into_owned(),
            Parts {
                lang,
                intro: lang.t("mail.test.intro").into_owned(),
                items: Vec::new(),
                outro: String::new(),
            },
        ),
        other => anyhow::bail!("no message for the kind {other:?}"),
    };
    Ok(Rendered {
        subject,
        text: Text { parts: &parts }.render()?,
        html: Html { parts: &parts }.render()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_lists_its_activities_with_links_in_both_parts() {
        let params = serde_json::json!({
            "agency": "ANASER", "number": 31, "session_kind": "ordinary",
            "cutoff": "2026-05-31", "activities": [{"id": 7, "code": "A1.1", "title": "Sensibiliser <les> usagers"}],
        });
        let fr = render("reminder", Lang::Fr, &params, "https://suivi.example").unwrap();
        assert!(fr.subject.contains("31 mai 2026"), "{}", fr.subject);
        assert!(fr.text.contains("A1.1 Sensibiliser <les> usagers"));
        assert!(fr.text.contains("https://suivi.example/activities/7"));
        assert!(
            fr.html.contains("Sensibiliser &#60;les&#62; usagers")
                || fr.html.contains("Sensibiliser &lt;les&gt; usagers"),
            "{}",
            fr.html
        );
        let en = render("reminder", Lang::En, &params, "https://suivi.example").unwrap();
        assert!(en.subject.contains("31 May 2026"), "{}", en.subject);
    }
}
