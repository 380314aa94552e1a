use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex, PoisonError};

/// What a one-time flash holds. Secrets are never put in a URL; after a plain-form
/// post they wait in the session for the page to read them once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashKind {
    /// The `id|secret` of a token just created.
    NewToken,
    /// The accept link of an invitation just created.
    InvitationLink,
    /// The campaign editor's fields (JSON) after a refused plain-form save.
    CampaignForm,
    /// The contact form's fields (JSON) after a refused plain-form save.
    ContactForm,
    /// A channel test's outcome (JSON) after a plain-form test.
    ChannelTest,
    /// A campaign test's outcomes (JSON) after a plain-form test.
    CampaignTest,
    /// The signing secret of an outbound webhook endpoint just registered.
    WebhookSecret,
}

impl FlashKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FlashKind::NewToken => "new_token",
            FlashKind::InvitationLink => "invitation_link",
            FlashKind::CampaignForm => "campaign_form",
            FlashKind::ContactForm => "contact_form",
            FlashKind::ChannelTest => "channel_test",
            FlashKind::CampaignTest => "campaign_test",
            FlashKind::WebhookSecret => "webhook_secret",
        }
    }
}

/// What this request has already taken from the session, by kind. Provided by `App`,
/// so it lives exactly as long as the rendering of one request.
#[derive(Clone, Default)]
pub struct FlashCache(Arc<Mutex<Vec<Taken>>>);

/// A kind, and what the session held for it (possibly nothing).
type Taken = (FlashKind, Option<String>);

impl FlashCache {
    pub fn get(&self, kind: FlashKind) -> Option<Option<String>> {
        let taken = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        taken
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.clone())
    }

    /// Records what was taken and returns what the request should show: a value found
    /// by any build of the page wins over a later build's empty read.
    pub fn keep(&self, kind: FlashKind, value: Option<String>) -> Option<String> {
        let mut taken = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match taken.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, kept)) => {
                if kept.is_none() {
                    *kept = value;
                }
                kept.clone()
            }
            None => {
                taken.push((kind, value.clone()));
                value
            }
        }
    }
}

/// Returns the flash of this kind and forgets it.
#[server(prefix = "/api/fn", endpoint = "take_flash")]
pub async fn take_flash(kind: FlashKind) -> Result<Option<String>, AppError> {
    // Only the signed-in user's own session can hold a flash; refuse anonymous reads.
    crate::ports::actor()?;
    super::support::take_flash(kind).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keeps_what_was_found() {
        let cache = FlashCache::default();
        assert_eq!(cache.get(FlashKind::NewToken), None);
        assert_eq!(
            cache.keep(FlashKind::NewToken, Some("s".into())),
            Some("s".into())
        );
        // A later build found nothing in the session: the first find still wins.
        assert_eq!(cache.keep(FlashKind::NewToken, None), Some("s".into()));
        assert_eq!(cache.get(FlashKind::NewToken), Some(Some("s".into())));
        assert_eq!(cache.get(FlashKind::InvitationLink), None);
    }
}
