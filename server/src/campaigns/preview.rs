//! What the editor shows while typing: the content rendered for a sample contact, and
//! the lists a campaign can target.

use super::{
    audience, content,
    render::{render, sample_contact, Part},
    service::Campaigns,
};
use crate::{auth::require, error::ServiceResult};
use anyhow::Context;
use app::model::{
    sms_length, Action, Actor, CampaignContent, CampaignPreview, EmailContent, ListOption,
    PushContent, SmsPreview,
};

impl Campaigns {
    pub async fn preview(
        &self,
        actor: &Actor,
        input: CampaignContent,
    ) -> ServiceResult<CampaignPreview> {
        require(actor, Action::CampaignsRead)?;
        // Template rendering is CPU work, bounded but not free: off the async threads.
        let preview = tokio::task::spawn_blocking(move || preview(input))
            .await
            .context("The preview stopped")?;
        Ok(preview)
    }

    pub async fn list_options(&self, actor: &Actor) -> ServiceResult<Vec<ListOption>> {
        require(actor, Action::ListsRead)?;
        audience::options(&self.db, actor.organization_id).await
    }
}

/// Sanitizes and derives the text part exactly as saving would, even while a template is
/// broken, so every channel still previews and no raw HTML is shown. A part that does not
/// render shows its source, and its error.
fn preview(input: CampaignContent) -> CampaignPreview {
    let (prepared, mut errors) = content::normalize(input);
    let vars = sample_contact();
    let mut render = |part: Part, source: &str| match render(part, source, &vars) {
        Ok(out) => out,
        Err(e) => {
            errors.entry(part.key().to_owned()).or_insert(e.to_string());
            // The prepared source: its HTML is sanitized already.
            source.to_owned()
        }
    };
    let email = prepared.email.map(|e| EmailContent {
        subject: render(Part::EmailSubject, &e.subject),
        preheader: render(Part::EmailPreheader, &e.preheader),
        html: render(Part::EmailHtml, &e.html),
        text: render(Part::EmailText, &e.text),
        from_name: e.from_name,
        from_email: e.from_email,
    });
    let sms = prepared.sms.map(|s| {
        let text = render(Part::SmsText, &s.text);
        SmsPreview {
            length: sms_length(&text),
            text,
            sender_id: s.sender_id,
        }
    });
    let push = prepared.push.map(|p| PushContent {
        title: render(Part::PushTitle, &p.title),
        body: render(Part::PushBody, &p.body),
        url: render(Part::PushUrl, &p.url),
        icon: p.icon,
    });
    CampaignPreview {
        email,
        sms,
        push,
        errors,
    }
}
