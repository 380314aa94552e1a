//! Delivery and engagement figures of a campaign.

use super::extract::{AuthActor, IdPath};
use super::responses::{Forbidden, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{CampaignStats, LinkStats};
use axum::{extract::State, routing::get, Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/campaigns/{id}/stats", get(campaign))
        .route("/api/campaigns/{id}/links", get(links))
}

#[utoipa::path(get, path = "/api/campaigns/{id}/stats", tag = "stats", summary = "Sent, delivered, failed, skipped, opens, clicks, bounces, complaints and unsubscribes per channel, with the rates",
    params(("id" = uuid::Uuid, Path, description = "the campaign")),
    responses((status = 200, description = "the figures", body = app::model::CampaignStats), Unauthorized, Forbidden, NotFound)
)]
pub async fn campaign(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<CampaignStats>, ApiError> {
    Ok(Json(state.stats.campaign(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/campaigns/{id}/links", tag = "stats", summary = "The links of the campaign's messages and their clicks, most clicked first (at most 1000)",
    params(("id" = uuid::Uuid, Path, description = "the campaign")),
    responses((status = 200, description = "the links", body = Vec<app::model::LinkStats>), Unauthorized, Forbidden, NotFound)
)]
pub async fn links(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<Vec<LinkStats>>, ApiError> {
    Ok(Json(state.stats.links(&actor, id).await?))
}
