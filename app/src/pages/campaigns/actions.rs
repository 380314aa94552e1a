//! The moves a campaign's status allows, as buttons, each shown only to the roles that
//! may make it (the services refuse the others anyway).

use crate::{
    api::{
        CancelCampaign, DeleteCampaign, DuplicateCampaign, PauseCampaign, ResumeCampaign,
        ScheduleCampaign, SendCampaign, UnscheduleCampaign,
    },
    components::{use_can, use_strings},
    error::AppError,
    model::{Action, CampaignStatus},
};
use leptos::{form::ActionForm, prelude::*};
use uuid::Uuid;

#[derive(Clone, Copy)]
pub struct Actions {
    pub schedule: ServerAction<ScheduleCampaign>,
    pub unschedule: ServerAction<UnscheduleCampaign>,
    pub send: ServerAction<SendCampaign>,
    pub pause: ServerAction<PauseCampaign>,
    pub resume: ServerAction<ResumeCampaign>,
    pub cancel: ServerAction<CancelCampaign>,
    pub duplicate: ServerAction<DuplicateCampaign>,
    pub delete: ServerAction<DeleteCampaign>,
}

impl Actions {
    pub fn new() -> Self {
        Actions {
            schedule: ServerAction::new(),
            unschedule: ServerAction::new(),
            send: ServerAction::new(),
            pause: ServerAction::new(),
            resume: ServerAction::new(),
            cancel: ServerAction::new(),
            duplicate: ServerAction::new(),
            delete: ServerAction::new(),
        }
    }

    /// Changes whenever a move that changes the campaign has answered.
    pub fn version(self) -> (usize, usize, usize, usize, usize, usize) {
        (
            self.schedule.version().get(),
            self.unschedule.version().get(),
            self.send.version().get(),
            self.pause.version().get(),
            self.resume.version().get(),
            self.cancel.version().get(),
        )
    }

    /// The last refusal of any of them.
    pub fn error(self) -> Signal<Option<AppError>> {
        Signal::derive(move || {
            let a = self;
            a.schedule
                .value()
                .get()
                .and_then(Result::err)
                .or_else(|| a.unschedule.value().get().and_then(Result::err))
                .or_else(|| a.send.value().get().and_then(Result::err))
                .or_else(|| a.pause.value().get().and_then(Result::err))
                .or_else(|| a.resume.value().get().and_then(Result::err))
                .or_else(|| a.cancel.value().get().and_then(Result::err))
                .or_else(|| a.duplicate.value().get().and_then(Result::err))
                .or_else(|| a.delete.value().get().and_then(Result::err))
        })
    }
}

#[component]
pub fn ActionsBar(
    id: Uuid,
    status: CampaignStatus,
    scheduled_local: Option<String>,
    time_zone: String,
    actions: Actions,
) -> impl IntoView {
    let t = use_strings();
    let (c, s) = (t.campaigns, t.sending);
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
    let send = simple(
        can_schedule && matches!(status, CampaignStatus::Draft | CampaignStatus::Scheduled),
        view! { <ActionForm action=actions.send attr:class="inline-form">{hidden()}<button type="submit" class="button primary">{s.send_now}</button></ActionForm> }.into_any(),
    );
    let pause = simple(
        can_schedule && status == CampaignStatus::Running,
        view! { <ActionForm action=actions.pause attr:class="inline-form">{hidden()}<button type="submit" class="button secondary">{s.pause}</button></ActionForm> }.into_any(),
    );
    let resume = simple(
        can_schedule && status == CampaignStatus::Paused,
        view! { <ActionForm action=actions.resume attr:class="inline-form">{hidden()}<button type="submit" class="button primary">{s.resume}</button></ActionForm> }.into_any(),
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
            {edit}{send}{schedule}{unschedule}{pause}{resume}{cancel}{duplicate}{delete}
        </section>
    }
    .into_any()
}
