//! `/campaigns/new` and `/campaigns/:id/edit`. The form posts to `save_campaign` with
//! or without JavaScript; with it, the preview follows the typing.

mod content;
mod fields;
mod form;
mod preview;

pub use preview::PreviewPanel;

use super::parts::route_id;
use crate::{
    api::{campaign_editor, take_flash, FlashKind, SaveCampaign},
    components::{error_text, use_can, use_strings},
    model::Action,
};
use form::EditorForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NewCampaignPage() -> impl IntoView {
    view! { <EditorPage new=true/> }
}

#[component]
pub fn EditCampaignPage() -> impl IntoView {
    view! { <EditorPage new=false/> }
}

#[component]
fn EditorPage(new: bool) -> impl IntoView {
    let t = use_strings();
    let c = t.campaigns;
    let title = if new { c.new_campaign } else { c.edit_title };
    if !use_can(Action::CampaignsWrite) {
        return view! {
            <Title text=format!("{title} · {}", t.product)/>
            <h1>{title}</h1>
            <p class="muted" data-testid="read-only">{c.read_only}</p>
        }
        .into_any();
    }
    let id = route_id();
    let data = Resource::new(move || (!new).then(|| id.get()).flatten(), campaign_editor);
    // What a refused plain-form save had typed (see `save_campaign`).
    let flashed = Resource::new(|| (), |_| take_flash(FlashKind::CampaignForm));
    view! {
        <Title text=format!("{title} · {}", t.product)/>
        <p class="crumbs"><a href="/campaigns">{c.back}</a></p>
        <h1>{title}</h1>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let flash = flashed.await.ok().flatten();
                match data.await {
                    Ok(data) => {
                        let typed = flash
                            .and_then(|json| serde_json::from_str::<SaveCampaign>(&json).ok())
                            .filter(|f| f.campaign_id() == data.campaign.as_ref().map(|v| v.campaign.id));
                        match &data.campaign {
                            Some(v) if !v.campaign.status.is_editable() => view! {
                                <p class="muted">{c.not_editable}</p>
                                <a href=format!("/campaigns/{}", v.campaign.id)>{v.campaign.title.clone()}</a>
                            }.into_any(),
                            _ => view! { <EditorForm data typed/> }.into_any(),
                        }
                    }
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}
