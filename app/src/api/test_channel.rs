use crate::{error::AppError, model::SendResult};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A channel test's outcome, kept for the page after a plain form post.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelTested {
    pub channel: String,
    pub result: SendResult,
}

#[server(prefix = "/api/fn", endpoint = "test_channel")]
pub async fn test_channel(channel: String, to: String) -> Result<ChannelTested, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let result = ports.channels.test(&actor, &channel, &to).await?;
    let tested = ChannelTested { channel, result };
    let json = serde_json::to_string(&tested).map_err(|_| AppError::Internal)?;
    super::support::flash_if_plain_form(super::FlashKind::ChannelTest, &json).await?;
    Ok(tested)
}
