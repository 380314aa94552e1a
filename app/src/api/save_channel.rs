use crate::{error::AppError, model::ChannelSettingsDto};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// `settings[key]` inputs, by setting key (`settings[dkim.selector]`); an empty secret
/// keeps the stored one.
#[server(prefix = "/api/fn", endpoint = "save_channel")]
pub async fn save_channel(
    channel: String,
    provider: String,
    #[server(default)] settings: BTreeMap<String, String>,
) -> Result<ChannelSettingsDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports
        .channels
        .save_form(&actor, &channel, &provider, settings)
        .await
}
