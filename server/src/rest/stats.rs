//! Delivery and engagement figures: a campaign's, and the organization's over a period.

use super::extract::{ApiQuery, AuthActor, IdPath};
use super::responses::{Forbidden, Invalid, NotFound, Unauthorized};
use crate::{error::ApiError, state::AppState};
use app::model::{CampaignStats, FailureReason, LinkStats, OrganizationStats};
use axum::{
    body::Body,
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/stats", get(organization))
        .route("/api/campaigns/{id}/stats", get(campaign))
        .route("/api/campaigns/{id}/links", get(links))
        .route("/api/campaigns/{id}/failures", get(failures))
        .route("/api/campaigns/{id}/deliveries.csv", get(deliveries_csv))
}

/// `GET /api/stats` parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct Period {
    /// The period's start: a day (`2026-02-15`) or an RFC 3339 time (default: 7 days
    /// before `to`).
    from: Option<String>,
    /// Its end, excluded (a day counts whole; default: now). At most 400 days after `from`.
    to: Option<String>,
    /// `email`, `sms` or `push` (default: all).
    channel: Option<String>,
}

#[utoipa::path(get, path = "/api/stats", tag = "stats", summary = "The organization's figures over a period: totals, rates, per channel, a series (hourly up to 3 days, else daily) and the campaigns started in it",
    params(Period),
    responses((status = 200, description = "the figures", body = app::model::OrganizationStats), Unauthorized, Forbidden, Invalid)
)]
pub async fn organization(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    ApiQuery(q): ApiQuery<Period>,
) -> Result<Json<OrganizationStats>, ApiError> {
    Ok(Json(
        state
            .stats
            .organization(
                &actor,
                q.from.as_deref(),
                q.to.as_deref(),
                q.channel.as_deref(),
            )
            .await?,
    ))
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

#[utoipa::path(get, path = "/api/campaigns/{id}/failures", tag = "stats", summary = "Why the campaign's deliveries failed: their last errors grouped, the most frequent first (at most 10)",
    params(("id" = uuid::Uuid, Path, description = "the campaign")),
    responses((status = 200, description = "the reasons", body = Vec<app::model::FailureReason>), Unauthorized, Forbidden, NotFound)
)]
pub async fn failures(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Json<Vec<FailureReason>>, ApiError> {
    Ok(Json(state.stats.failures(&actor, id).await?))
}

#[utoipa::path(get, path = "/api/campaigns/{id}/deliveries.csv", tag = "stats", summary = "Every delivery of the campaign with its engagement, as CSV, streamed",
    params(("id" = uuid::Uuid, Path, description = "the campaign")),
    responses((status = 200, description = "`delivery_id,contact_id,channel,status,skip_reason,attempts,provider,error,created_at,sent_at,opened_at,clicked_at`", content_type = "text/csv"), Unauthorized, Forbidden, NotFound)
)]
pub async fn deliveries_csv(
    State(state): State<AppState>,
    AuthActor(actor): AuthActor,
    IdPath(id): IdPath,
) -> Result<Response, ApiError> {
    let stream = state.stats.deliveries_csv(&actor, id).await?;
    let disposition = format!("attachment; filename=\"campaign-{id}-deliveries.csv\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
