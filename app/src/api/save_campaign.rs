// One argument per form field: the plain HTML form posts them flat.
#![allow(clippy::too_many_arguments)]

use super::CampaignView;
use crate::{
    error::AppError,
    model::{CampaignContent, CampaignPatch, EmailContent, NewCampaign, PushContent, SmsContent},
};
use leptos::prelude::*;
use uuid::Uuid;

/// The editor's one form. `id` is empty for a new campaign; `intent` is the button
/// pressed: `save` (stays a draft), `schedule`, or `preview` (the no-JavaScript way to
/// refresh the preview: save, then come back to the editor).
#[server(prefix = "/api/fn", endpoint = "save_campaign")]
pub async fn save_campaign(
    #[server(default)] id: String,
    #[server(default)] intent: String,
    #[server(default)] title: String,
    #[server(default)] description: String,
    #[server(default)] channels: Vec<String>,
    #[server(default)] list_ids: Vec<Uuid>,
    #[server(default)] exclusion_list_ids: Vec<Uuid>,
    #[server(default)] scheduled_at: String,
    #[server(default)] email_subject: String,
    #[server(default)] email_from_name: String,
    #[server(default)] email_from_email: String,
    #[server(default)] email_preheader: String,
    #[server(default)] email_html: String,
    #[server(default)] email_text: String,
    #[server(default)] sms_text: String,
    #[server(default)] sms_sender_id: String,
    #[server(default)] push_title: String,
    #[server(default)] push_body: String,
    #[server(default)] push_url: String,
    #[server(default)] push_icon: String,
) -> Result<CampaignView, AppError> {
    let form = SaveCampaign {
        id,
        intent,
        title,
        description,
        channels,
        list_ids,
        exclusion_list_ids,
        scheduled_at,
        email_subject,
        email_from_name,
        email_from_email,
        email_preheader,
        email_html,
        email_text,
        sms_text,
        sms_sender_id,
        push_title,
        push_body,
        push_url,
        push_icon,
    };
    let result = server::save(&form).await;
    if let Err(error) = &result {
        // Without JavaScript the page is rebuilt from the server: keep what was typed.
        if error.field_error("id").is_none() {
            if let Ok(json) = serde_json::to_string(&form) {
                super::support::flash_if_plain_form(super::FlashKind::CampaignForm, &json).await?;
            }
        }
    }
    result
}

impl SaveCampaign {
    /// The id, when the form edits a saved campaign.
    pub fn campaign_id(&self) -> Option<Uuid> {
        self.id.trim().parse().ok()
    }

    pub fn has_channel(&self, channel: crate::model::Channel) -> bool {
        self.channels.iter().any(|c| c == channel.as_str())
    }

    /// The content of every channel that is chosen or has something written in it.
    pub fn content(&self) -> CampaignContent {
        use crate::model::Channel;
        let any = |fields: &[&String]| fields.iter().any(|f| !f.trim().is_empty());
        let email = (self.has_channel(Channel::Email)
            || any(&[&self.email_subject, &self.email_html, &self.email_text]))
        .then(|| EmailContent {
            subject: self.email_subject.clone(),
            from_name: self.email_from_name.clone(),
            from_email: self.email_from_email.clone(),
            preheader: self.email_preheader.clone(),
            html: self.email_html.clone(),
            text: self.email_text.clone(),
        });
        let sms = (self.has_channel(Channel::Sms) || any(&[&self.sms_text])).then(|| SmsContent {
            text: self.sms_text.clone(),
            sender_id: self.sms_sender_id.clone(),
        });
        let push = (self.has_channel(Channel::Push) || any(&[&self.push_title, &self.push_body]))
            .then(|| PushContent {
                title: self.push_title.clone(),
                body: self.push_body.clone(),
                url: self.push_url.clone(),
                icon: self.push_icon.clone(),
            });
        CampaignContent { email, sms, push }
    }

    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    fn schedule_text(&self) -> Option<String> {
        let at = self.scheduled_at.trim();
        (!at.is_empty()).then(|| at.to_owned())
    }

    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    fn new_campaign(&self) -> NewCampaign {
        NewCampaign {
            title: self.title.clone(),
            description: self.description.clone(),
            channels: self.channels.clone(),
            scheduled_at: self.schedule_text(),
            list_ids: self.list_ids.clone(),
            exclusion_list_ids: self.exclusion_list_ids.clone(),
            content: self.content(),
        }
    }

    #[cfg_attr(not(feature = "ssr"), allow(dead_code))]
    fn patch(&self) -> CampaignPatch {
        CampaignPatch {
            title: Some(self.title.clone()),
            description: Some(self.description.clone()),
            channels: Some(self.channels.clone()),
            scheduled_at: Some(self.schedule_text()),
            list_ids: Some(self.list_ids.clone()),
            exclusion_list_ids: Some(self.exclusion_list_ids.clone()),
            content: Some(self.content()),
        }
    }
}

#[cfg(feature = "ssr")]
mod server {
    use super::*;
    use crate::model::CampaignStatus;
    use leptos::server_fn::{error::ServerFnUrlError, ServerFn};

    pub async fn save(form: &SaveCampaign) -> Result<CampaignView, AppError> {
        let ports = crate::ports::ports()?;
        let actor = crate::ports::actor()?;
        let plain = crate::api::support::from_plain_form();
        let existing = form.campaign_id();
        if existing.is_none() && !form.id.trim().is_empty() {
            return Err(AppError::field("id", "not a campaign id"));
        }
        let saved = match existing {
            Some(id) => ports.campaigns.update(&actor, id, form.patch()).await?,
            None => ports.campaigns.create(&actor, form.new_campaign()).await?,
        };
        let id = saved.id;
        let mut result = saved;
        if form.intent == "schedule" && result.status == CampaignStatus::Draft {
            // The time was saved with the draft; scheduling keeps it (or sends now).
            match ports.campaigns.schedule(&actor, id, None).await {
                Ok(scheduled) => result = scheduled,
                Err(error) => return Err(after_saving(error, id, plain, existing.is_none())),
            }
        }
        let target = match form.intent.as_str() {
            "schedule" => format!("/campaigns/{id}"),
            "preview" => format!("/campaigns/{id}/edit#preview"),
            _ => format!("/campaigns/{id}/edit?saved=1"),
        };
        // The hydrated editor stays put after saving an existing campaign (what was
        // typed is still in the inputs); everything else goes to the new address.
        if plain || existing.is_none() || form.intent == "schedule" {
            leptos_axum::redirect(&target);
        }
        Ok(CampaignView::new(result))
    }

    /// The draft is saved but scheduling was refused. Without JavaScript, go to the
    /// draft's editor with the error (Leptos would go back to the Referer, `/new`). With
    /// it, tell the editor the new id in the error, so the next save updates the draft
    /// instead of creating another one.
    fn after_saving(error: AppError, id: Uuid, plain: bool, created: bool) -> AppError {
        let error = match error {
            AppError::Validation {
                message,
                mut fields,
            } if created => {
                fields.insert("id".into(), id.to_string());
                AppError::Validation { message, fields }
            }
            other => other,
        };
        if plain {
            let base = crate::ports::request_context()
                .map(|ctx| ctx.base_url)
                .unwrap_or_default();
            let page = format!("{base}/campaigns/{id}/edit");
            if let Ok(url) = ServerFnUrlError::new(SaveCampaign::PATH, error.clone()).to_url(&page)
            {
                leptos_axum::redirect(url.as_str());
            }
        }
        error
    }
}
