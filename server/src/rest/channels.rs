//! Channel settings: the provider per channel, its settings (secrets write-only), a test.

use super::extract::{ApiJson, AuthActor};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{ChannelSettingsDto, ChannelSettingsInput, ChannelTestInput, SendResult};
use axum::{
    extract::{Path, State},
    routing::{get, post, put},
    Json, Router,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/channels", get(list))
        .route("/api/channels/{channel}", put(update))
        .route("/api/channels/{channel}/test", post(test))
}

#[utoipa::path(get, path = "/api/channels", tag = "channels", summary = "The provider and settings of email, sms and push (secrets shown as set or not)",
    responses((status = 200, description = "one entry per channel", body = Vec<app::model::ChannelSettingsDto>), Unauthorized, Forbidden)
)]
pub async fn list(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
) -> Result<Json<Vec<ChannelSettingsDto>>, ApiError> {
    Ok(Json(state.channels.list(&actor).await?))
}

#[utoipa::path(put, path = "/api/channels/{channel}", tag = "channels", summary = "Choose a channel's provider and settings",
    params(("channel" = String, Path, description = "email, sms or push")),
    request_body = app::model::ChannelSettingsInput,
    responses((status = 200, description = "saved", body = app::model::ChannelSettingsDto), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn update(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    Path(channel): Path<String>,
    ApiJson(input): ApiJson<ChannelSettingsInput>,
) -> Result<Json<ChannelSettingsDto>, ApiError> {
    Ok(Json(state.channels.put(&actor, &channel, input).await?))
}

#[utoipa::path(post, path = "/api/channels/{channel}/test", tag = "channels", summary = "Send one test message through the channel's provider",
    params(("channel" = String, Path, description = "email, sms or push")),
    request_body = app::model::ChannelTestInput,
    responses((status = 200, description = "what the provider said", body = app::model::SendResult), Unauthorized, Forbidden, NotFound, Invalid)
)]
pub async fn test(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    Path(channel): Path<String>,
    ApiJson(input): ApiJson<ChannelTestInput>,
) -> Result<Json<SendResult>, ApiError> {
    Ok(Json(
        state.channels.test(&actor, &channel, &input.to).await?,
    ))
}
