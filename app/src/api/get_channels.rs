use crate::{error::AppError, model::ChannelsView};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "get_channels")]
pub async fn get_channels() -> Result<ChannelsView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.channels.view(&actor).await
}
