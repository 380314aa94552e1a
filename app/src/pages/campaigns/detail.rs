//! `/campaigns/:id`: what a campaign is, its preview, and the moves its status allows.
//! Readers get the same page without the actions; the services refuse them anyway.

use super::{
    actions::{Actions, ActionsBar},
    editor::PreviewPanel,
    engagement::Engagement,
    parts::{channel_names, route_id, ErrorDetails, StatusBadge},
    progress::RunProgress,
    test_send::{flashed_outcomes, TestSend},
};
use crate::{
    api::{campaign_editor, campaign_progress, CampaignEditorData},
    components::{date, error_text, use_can, use_strings},
    error::AppError,
    model::{Action, CampaignProgressView, CampaignStatus, CampaignTestResult, ListOption},
};
use leptos::prelude::*;
use leptos_meta::Title;
use uuid::Uuid;

#[component]
pub fn CampaignDetailPage() -> impl IntoView {
    let t = use_strings();
    let id = route_id();
    let actions = Actions::new();
    // Bumped when the run's status moves on its own (started, finished).
    let moved = RwSignal::new(0u32);
    // Two resources, one server function each: a fetcher that awaited one server
    // function, then called another, would find the request's context gone by then.
    let key = move || (id.get(), actions.version(), moved.get());
    let data = Resource::new(key, |(id, _, _)| async move {
        match id {
            Some(id) => campaign_editor(Some(id)).await,
            None => Err(AppError::NotFound("campaign".into())),
        }
    });
    let progress = Resource::new(key, |(id, _, _)| async move {
        match id {
            Some(id) => campaign_progress(id).await.ok(),
            None => None,
        }
    });
    let flashed = flashed_outcomes();
    let error = actions.error();
    let on_status_change = Callback::new(move |_| moved.update(|n| *n += 1));
    view! {
        <p class="crumbs"><a href="/campaigns">{t.campaigns.back}</a></p>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let progress = progress.await;
                match data.await {
                    Ok(data) => {
                        // A draft has not run: nothing to show.
                        let started = data
                            .campaign
                            .as_ref()
                            .is_some_and(|v| v.campaign.status != CampaignStatus::Draft);
                        let progress = progress.filter(|_| started);
                        view! { <Detail data progress actions error on_status_change flashed/> }.into_any()
                    }
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(
    data: CampaignEditorData,
    progress: Option<CampaignProgressView>,
    actions: Actions,
    error: Signal<Option<AppError>>,
    on_status_change: Callback<()>,
    flashed: Resource<Option<Vec<CampaignTestResult>>>,
) -> impl IntoView {
    let t = use_strings();
    let c = t.campaigns;
    let Some(view) = data.campaign.clone() else {
        return view! { <div class="alert" role="alert">{t.err_not_found}</div> }.into_any();
    };
    let scheduled = view.scheduled_display();
    let starts_soon = view.starts_soon;
    let dto = view.campaign;
    let can_test = use_can(Action::CampaignsWrite);
    let names = |ids: &[Uuid]| list_names(&data.lists, ids).unwrap_or_else(|| c.nothing.to_owned());
    let when = match scheduled {
        Some(at) => format!("{at} ({})", dto.time_zone),
        None => c.not_scheduled.to_owned(),
    };
    view! {
        <Title text=format!("{} · {}", dto.title, t.product)/>
        <div class="page-head">
            <h1>{dto.title.clone()}</h1>
            <StatusBadge status=dto.status/>
        </div>
        {(!dto.description.is_empty()).then(|| view! { <p class="muted">{dto.description.clone()}</p> })}
        <dl class="facts">
            <dt>{c.col_status}</dt>
            <dd data-testid="detail-status">{c.status_name(dto.status)}</dd>
            <dt>{c.channels}</dt>
            <dd>{channel_names(&dto.channels)}</dd>
            <dt>{c.recipients}</dt>
            <dd>{names(&dto.list_ids)}</dd>
            <dt>{c.excluded}</dt>
            <dd>{names(&dto.exclusion_list_ids)}</dd>
            <dt>{c.scheduled_for}</dt>
            <dd data-testid="detail-scheduled">{when}</dd>
            <dt>{c.col_updated}</dt>
            <dd>{date(&dto.updated_at)}</dd>
        </dl>
        <ErrorDetails error/>
        <ActionsBar id=dto.id status=dto.status scheduled_local=view.scheduled_local time_zone=dto.time_zone.clone() actions/>
        {progress.map(|initial| {
            // The progress refreshes this while the campaign runs; the results follow.
            let current = RwSignal::new(initial);
            let e = Signal::derive(move || current.with(|v| v.engagement.clone()));
            view! {
                <RunProgress id=dto.id current starts_soon on_status_change/>
                <Engagement id=dto.id e/>
            }
        })}
        {can_test.then(|| view! { <TestSend id=dto.id channels=dto.channels.clone() flashed/> })}
        <PreviewPanel preview=Signal::stored(data.preview)/>
    }
    .into_any()
}

fn list_names(lists: &[ListOption], ids: &[Uuid]) -> Option<String> {
    let names: Vec<String> = ids
        .iter()
        .map(|id| {
            lists
                .iter()
                .find(|l| l.id == *id)
                .map(|l| l.name.clone())
                .unwrap_or_else(|| id.to_string())
        })
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}
