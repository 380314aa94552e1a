//! What the editor shows while typing: the content rendered for a sample contact, and
//! the lists a campaign can target.

use super::{audience, content, service::Campaigns};
use crate::{auth::require, error::ServiceResult};
use app::model::{
    sms_length, Action, Actor, CampaignContent, CampaignPreview, ListOption, SmsPreview,
};
use serde_json::json;

impl Campaigns {
    pub async fn preview(
        &self,
        actor: &Actor,
        input: CampaignContent,
    ) -> ServiceResult<CampaignPreview> {
        require(actor, Action::CampaignsRead)?;
        // Sanitize and derive the text part exactly as saving would, even while a
        // template is broken, so every channel still previews and no raw HTML is shown.
        let (prepared, mut errors) = content::normalize(input);
        let vars = sample_contact();
        let mut render = |key: &str, source: &str| match content::render(source, &vars) {
            Ok(out) => out,
            Err(e) => {
                errors.entry(key.to_owned()).or_insert(e);
                source.to_owned()
            }
        };
        let email = prepared.email.map(|e| app::model::EmailContent {
            subject: render("content.email.subject", &e.subject),
            preheader: render("content.email.preheader", &e.preheader),
            html: render("content.email.html", &e.html),
            text: render("content.email.text", &e.text),
            from_name: e.from_name,
            from_email: e.from_email,
        });
        let sms = prepared.sms.map(|s| {
            let text = render("content.sms.text", &s.text);
            SmsPreview {
                length: sms_length(&text),
                text,
                sender_id: s.sender_id,
            }
        });
        let push = prepared.push.map(|p| app::model::PushContent {
            title: render("content.push.title", &p.title),
            body: render("content.push.body", &p.body),
            url: render("content.push.url", &p.url),
            icon: p.icon,
        });
        Ok(CampaignPreview {
            email,
            sms,
            push,
            errors,
        })
    }

    pub async fn list_options(&self, actor: &Actor) -> ServiceResult<Vec<ListOption>> {
        require(actor, Action::ListsRead)?;
        audience::options(&self.db, actor.organization_id).await
    }
}

/// The contact every preview is rendered for.
fn sample_contact() -> serde_json::Value {
    json!({
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "+33612345678",
        "locale": "en",
        "unsubscribe_url": "https://example.com/unsubscribe/sample",
    })
}
