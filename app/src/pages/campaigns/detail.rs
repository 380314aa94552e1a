//! `/campaigns/:id`: what a campaign is, its preview, and the moves its status allows.
//! Readers get the same page without the actions; the services refuse them anyway.

use super::{
    editor::PreviewPanel,
    parts::{channel_names, route_id, ErrorDetails, StatusBadge},
};
use crate::{
    api::{
        campaign_editor, CampaignEditorData, CancelCampaign, DeleteCampaign, DuplicateCampaign,
        ScheduleCampaign, UnscheduleCampaign,
    },
    components::{date, error_text, use_can, use_strings},
    error::AppError,
    model::{Action, CampaignStatus, ListOption},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use uuid::Uuid;

#[derive(Clone, Copy)]
struct Actions {
    schedule: ServerAction<ScheduleCampaign>,
    unschedule: ServerAction<UnscheduleCampaign>,
    cancel: ServerAction<CancelCampaign>,
    duplicate: ServerAction<DuplicateCampaign>,
    delete: ServerAction<DeleteCampaign>,
}

#[component]
pub fn CampaignDetailPage() -> impl IntoView {
    let t = use_strings();
    let id = route_id();
    let actions = Actions {
        schedule: ServerAction::new(),
        unschedule: ServerAction::new(),
        cancel: ServerAction::new(),
        duplicate: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.schedule.version().get(),
            actions.unschedule.version().get(),
            actions.cancel.version().get(),
        )
    };
    let data = Resource::new(
        move || (id.get(), versions()),
        |(id, _)| async move {
            match id {
                Some(id) => campaign_editor(Some(id)).await,
                None => Err(AppError::NotFound("campaign".into())),
            }
        },
    );
    let error = Signal::derive(move || {
        let a = actions;
        a.schedule
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| a.unschedule.value().get().and_then(Result::err))
            .or_else(|| a.cancel.value().get().and_then(Result::err))
            .or_else(|| a.duplicate.value().get().and_then(Result::err))
            .or_else(|| a.delete.value().get().and_then(Result::err))
    });
    view! {
        <p class="crumbs"><a href="/campaigns">{t.campaigns.back}</a></p>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(data) => view! { <Detail data actions error/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(
    data: CampaignEditorData,
    actions: Actions,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = use_strings();
    let c = t.campaigns;
    let Some(view) = data.campaign.clone() else {
        return view! { <div class="alert" role="alert">{t.err_not_found}</div> }.into_any();
    };
    let scheduled = view.scheduled_display();
    let dto = view.campaign;
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

#[component]
fn ActionsBar(
    id: Uuid,
    status: CampaignStatus,
    scheduled_local: Option<String>,
    time_zone: String,
    actions: Actions,
) -> impl IntoView {
    let c = use_strings().campaigns;
    let can_write = use_can(Action::CampaignsWrite);
    let can_schedule = use_can(Action::CampaignsSchedule);
    let can_cancel = use_can(Action::CampaignsCancel);
    if !(can_write || can_schedule || can_cancel) {
        return view! { <p class="muted" data-testid="read-only">{c.read_only}</p> }.into_any();
    }
    let edit_href = format!("/campaigns/{id}/edit");
    // Copy (a Uuid inside), so every form below can take its own.
    let hidden = move || view! { <input type="hidden" name="id" value=id.to_string()/> };
    let edit = (can_write && status.is_editable()).then(|| {
        view! { <a class="button secondary" href=edit_href>{c.edit}</a> }
    });
    let schedule = (can_schedule && status.can_become(CampaignStatus::Scheduled)).then(|| view! {
        <ActionForm action=actions.schedule attr:class="inline-form">
            {hidden()}
            <label for="schedule-at">{format!("{} ({time_zone})", c.send_at)}</label>
            <input id="schedule-at" type="datetime-local" name="at" value=scheduled_local.unwrap_or_default()/>
            <button type="submit" class="button primary">{c.schedule}</button>
        </ActionForm>
    });
    let simple = |show: bool, form: AnyView| show.then_some(form);
    let unschedule = simple(
        can_schedule && status == CampaignStatus::Scheduled,
        view! { <ActionForm action=actions.unschedule attr:class="inline-form">{hidden()}<button type="submit" class="button secondary">{c.unschedule}</button></ActionForm> }.into_any(),
    );
    let cancel = simple(
        can_cancel && status.can_become(CampaignStatus::Cancelled),
        view! { <ActionForm action=actions.cancel attr:class="inline-form">{hidden()}<button type="submit" class="button danger">{c.cancel}</button></ActionForm> }.into_any(),
    );
    let duplicate = simple(
        can_write,
        view! { <ActionForm action=actions.duplicate attr:class="inline-form">{hidden()}<button type="submit" class="button secondary">{c.duplicate}</button></ActionForm> }.into_any(),
    );
    let delete = simple(
        can_write && matches!(status, CampaignStatus::Draft | CampaignStatus::Cancelled),
        view! { <ActionForm action=actions.delete attr:class="inline-form">{hidden()}<button type="submit" class="button danger">{c.delete}</button></ActionForm> }.into_any(),
    );
    view! {
        <section class="campaign-actions" aria-label=c.actions>
            {edit}{schedule}{unschedule}{cancel}{duplicate}{delete}
        </section>
    }
    .into_any()
}
