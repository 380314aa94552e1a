//! A campaign's templates made into one contact's message: compiled once per campaign
//! and channel (for a batch, or for one test send), then rendered per contact, each
//! render within its own bounds (`campaigns::render`).

use crate::{
    campaigns::{
        content::html_to_text,
        render::{Compiled, Part, RenderError},
    },
    channels::{Body, EmailMessage, PushMessage, SmsMessage},
};
use app::model::{CampaignContent, Channel, EmailContent};
use serde_json::Value;

/// A campaign's message on `channel` for a contact's template variables. The
/// unsubscribe link goes where the email template puts `{{ unsubscribe_url }}`, else in
/// a footer; a test send has none.
pub fn body(
    channel: Channel,
    content: &CampaignContent,
    vars: &Value,
    unsubscribe_url: Option<&str>,
) -> Result<Body, String> {
    Templates::new(channel, content)?.body(vars, unsubscribe_url)
}

/// A campaign's templates for one channel, compiled once for all the contacts of a
/// batch.
pub enum Templates {
    Email {
        subject: Compiled,
        preheader: Compiled,
        html: Compiled,
        /// None: the text is derived from the HTML.
        text: Option<Compiled>,
        content: EmailContent,
    },
    Sms {
        text: Compiled,
        sender_id: String,
    },
    Push {
        title: Compiled,
        body: Compiled,
        url: Compiled,
        icon: String,
    },
}

/// A template error, as a delivery's failure reason.
fn failed(part: Part, e: RenderError) -> String {
    format!("the template `{}` failed for this contact: {e}", part.key())
}

impl Templates {
    pub fn new(channel: Channel, content: &CampaignContent) -> Result<Self, String> {
        let compile =
            |part: Part, source: &str| Compiled::new(part, source).map_err(|e| failed(part, e));
        let missing = || format!("the campaign has no {channel} content");
        Ok(match channel {
            Channel::Email => {
                let e = content.email.as_ref().ok_or_else(missing)?;
                Templates::Email {
                    subject: compile(Part::EmailSubject, &e.subject)?,
                    preheader: compile(Part::EmailPreheader, &e.preheader)?,
                    html: compile(Part::EmailHtml, &e.html)?,
                    text: if e.text.trim().is_empty() {
                        None
                    } else {
                        Some(compile(Part::EmailText, &e.text)?)
                    },
                    content: e.clone(),
                }
            }
            Channel::Sms => {
                let s = content.sms.as_ref().ok_or_else(missing)?;
                Templates::Sms {
                    text: compile(Part::SmsText, &s.text)?,
                    sender_id: s.sender_id.clone(),
                }
            }
            Channel::Push => {
                let p = content.push.as_ref().ok_or_else(missing)?;
                Templates::Push {
                    title: compile(Part::PushTitle, &p.title)?,
                    body: compile(Part::PushBody, &p.body)?,
                    url: compile(Part::PushUrl, &p.url)?,
                    icon: p.icon.clone(),
                }
            }
        })
    }

    /// The message for one contact.
    pub fn body(&self, vars: &Value, unsubscribe_url: Option<&str>) -> Result<Body, String> {
        // Converted once for the message's several parts.
        let vars = minijinja::Value::from_serialize(vars);
        let part =
            |part: Part, template: &Compiled| template.render(&vars).map_err(|e| failed(part, e));
        Ok(match self {
            Templates::Email {
                subject,
                preheader,
                html: html_template,
                text: text_template,
                content: e,
            } => {
                let mut html = part(Part::EmailHtml, html_template)?;
                let mut text = match text_template {
                    None => html_to_text(&html),
                    Some(t) => part(Part::EmailText, t)?,
                };
                let preheader = part(Part::EmailPreheader, preheader)?;
                if !preheader.trim().is_empty() {
                    html = format!(
                        "<div style=\"display:none;max-height:0;overflow:hidden\">{}</div>{html}",
                        ammonia::clean_text(&preheader)
                    );
                }
                if let Some(url) = unsubscribe_url {
                    if !e.html.contains("unsubscribe_url") {
                        html.push_str(&format!(
                            "<p style=\"font-size:12px;color:#666\"><a href=\"{}\">Unsubscribe</a></p>",
                            ammonia::clean_text(url)
                        ));
                    }
                    if !e.text.contains("unsubscribe_url") {
                        text.push_str(&format!("\n\nUnsubscribe: {url}\n"));
                    }
                }
                Body::Email(EmailMessage {
                    from_name: e.from_name.clone(),
                    from_email: e.from_email.clone(),
                    subject: part(Part::EmailSubject, subject)?,
                    html,
                    text,
                    unsubscribe_url: unsubscribe_url.map(str::to_owned),
                })
            }
            Templates::Sms { text, sender_id } => Body::Sms(SmsMessage {
                text: part(Part::SmsText, text)?,
                sender_id: sender_id.clone(),
            }),
            Templates::Push {
                title,
                body,
                url,
                icon,
            } => Body::Push(PushMessage {
                title: part(Part::PushTitle, title)?,
                body: part(Part::PushBody, body)?,
                url: part(Part::PushUrl, url)?,
                icon: icon.clone(),
                targets: Vec::new(),
            }),
        })
    }
}
