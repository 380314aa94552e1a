//! The query parameters of the list endpoints, as the OpenAPI document shows them. They
//! are read into the shared query types (`SearchQuery`, `CampaignQuery`) and checked by
//! the services (`crate::listing`), the same way for the UI.
#![allow(dead_code)] // Documentation only.

#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// From 1 (default 1).
    page: Option<u64>,
    /// 1 to 100 (default 25).
    per_page: Option<u64>,
    /// A field name, `-` first for descending.
    sort: Option<String>,
    /// Free-text search.
    q: Option<String>,
}

/// Campaign list filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignFilters {
    /// draft, scheduled, running, paused, completed, cancelled or failed.
    status: Option<String>,
    /// email, sms or push.
    channel: Option<String>,
}

/// Contact list filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilters {
    /// Only the members of this list.
    list_id: Option<String>,
}

/// A campaign's deliveries: page, and optional filters.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilters {
    /// email, sms or push.
    channel: Option<String>,
    /// pending, sent, delivered, failed, skipped or cancelled.
    status: Option<String>,
    /// From 1 (default 1).
    page: Option<u64>,
    /// 1 to 100 (default 25).
    per_page: Option<u64>,
}

/// The event cursor.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventCursor {
    /// The `next` of the previous call (none, or `0`: from the first event).
    after: Option<String>,
    /// 1 to 1000 (default 100).
    limit: Option<u64>,
}
