//! The providers Carillon can send through. A new provider is one module implementing
//! [`Provider`] and one line in [`PROVIDERS`].

use super::{
    http_sms::HttpSms, mailgun::Mailgun, sendgrid::SendGrid, simulator::Simulator, smtp::Smtp,
    twilio::Twilio, webpush::WebPush, ChannelAdapter, Context,
};
use app::model::{Channel, FieldErrors, SettingField};
use serde_json::{Map, Value};
use std::sync::Arc;

pub trait Provider: Send + Sync + 'static {
    /// The name in settings (`"provider": "smtp"`).
    fn name(&self) -> &'static str;
    fn channels(&self) -> &'static [Channel];
    /// Settings that are secrets: stored encrypted, never shown. Top-level keys, or
    /// `outer.inner` for a key of a nested object.
    fn secrets(&self) -> &'static [&'static str] {
        &[]
    }
    /// The settings form, in the order the page shows it (the common settings follow).
    fn form(&self) -> Vec<SettingField>;
    /// Checks `settings` (secrets included) and fills in defaults. Errors are keyed by
    /// the setting's name (`host`, `dkim.selector`).
    fn validate(&self, settings: &mut Map<String, Value>) -> Result<(), FieldErrors>;
    /// An adapter for validated settings.
    fn adapter(
        &self,
        channel: Channel,
        settings: &Map<String, Value>,
        context: &Context,
    ) -> anyhow::Result<Arc<dyn ChannelAdapter>>;
}

pub static PROVIDERS: &[&dyn Provider] = &[
    &Simulator, &Smtp, &SendGrid, &Mailgun, &Twilio, &HttpSms, &WebPush,
];

pub fn provider(name: &str) -> Option<&'static dyn Provider> {
    PROVIDERS.iter().copied().find(|p| p.name() == name)
}
