//! Small pieces the campaign pages share.

use crate::{
    components::{error_text, use_strings},
    error::AppError,
    model::{CampaignStatus, Channel},
};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn StatusBadge(status: CampaignStatus) -> impl IntoView {
    let c = use_strings().campaigns;
    view! {
        <span class=format!("badge status status-{}", status.as_str()) data-testid="campaign-status">
            {c.status_name(status)}
        </span>
    }
}

pub fn channel_names(channels: &[Channel]) -> String {
    let c = use_strings().campaigns;
    channels
        .iter()
        .map(|ch| c.channel_name(*ch))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The id in the route (`/campaigns/:id...`), if it is one.
pub fn route_id() -> Memo<Option<Uuid>> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse().ok())))
}

/// An error with every field message spelled out: on pages without the fields (the
/// detail page's actions) "correct the highlighted fields" would point at nothing.
#[component]
pub fn ErrorDetails(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    let t = use_strings();
    move || {
        error.get().map(|e| {
            let fields = match &e {
                AppError::Validation { fields, .. } => fields
                    .iter()
                    .filter(|(k, _)| k.as_str() != "id")
                    .map(|(k, m)| view! { <li><code>{k.clone()}</code>": " {m.clone()}</li> })
                    .collect_view()
                    .into_any(),
                _ => ().into_any(),
            };
            view! {
                <div class="alert" role="alert">
                    <p class="alert-title">{error_text(t, &e)}</p>
                    <ul class="alert-list">{fields}</ul>
                </div>
            }
        })
    }
}
