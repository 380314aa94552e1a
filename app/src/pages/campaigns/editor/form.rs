//! The editor form: what, to whom, when. The channel content is in `content.rs`.

use super::{
    content::ContentTabs,
    fields::EditorField,
    preview::{live_preview, PreviewPanel},
};
use crate::{
    api::{CampaignEditorData, SaveCampaign},
    components::{use_can, use_strings, ErrorAlert, FieldError},
    error::AppError,
    model::{Action, CampaignContent, Channel, ListOption},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

/// What the preview and the counters follow while typing (with JavaScript).
#[derive(Clone, Copy)]
pub struct Live {
    pub channels: RwSignal<Vec<Channel>>,
    pub content: RwSignal<CampaignContent>,
    /// False during SSR and until hydration: the page must then work as plain HTML.
    pub hydrated: RwSignal<bool>,
}

#[component]
pub fn EditorForm(data: CampaignEditorData, typed: Option<SaveCampaign>) -> impl IntoView {
    let c = use_strings().campaigns;
    let save = ServerAction::<SaveCampaign>::new();
    let init = typed.unwrap_or_else(|| initial(&data));
    let channels = Channel::ALL
        .into_iter()
        .filter(|ch| init.has_channel(*ch))
        .collect();
    let live = Live {
        channels: RwSignal::new(channels),
        content: RwSignal::new(all_channels(init.content())),
        hydrated: RwSignal::new(false),
    };
    Effect::new(move |_| live.hydrated.set(true));
    let id = RwSignal::new(init.id.clone());
    // A new draft saved but not scheduled: later saves must update it (see `save_campaign`).
    Effect::new(move |_| {
        if let Some(new_id) = save.value().with(|v| {
            v.as_ref()
                .and_then(|r| r.as_ref().err())
                .and_then(|e| e.field_error("id"))
        }) {
            id.set(new_id);
        }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let query = use_query_map();
    let saved = move || {
        query.with(|q| q.get("saved").is_some()) || save.value().with(|v| matches!(v, Some(Ok(_))))
    };
    let preview = RwSignal::new(data.preview.clone());
    live_preview(live.content, preview);
    let can_schedule = use_can(Action::CampaignsSchedule);
    view! {
        <div class="editor">
            <ActionForm action=save attr:class="form editor-form" attr:novalidate=true>
                <ErrorAlert error/>
                {move || saved().then(|| view! { <p class="notice" role="status">{c.saved}</p> })}
                <input type="hidden" name="id" value=move || id.get()/>
                <EditorField name="title" error_key="title" id="campaign-title" label=c.title
                    value=init.title.clone() error/>
                <EditorField name="description" error_key="description" id="campaign-description"
                    label=c.description value=init.description.clone() rows=2 error/>
                <ChannelChecks live error/>
                <Audience lists=data.lists.clone() include=init.list_ids.clone()
                    exclude=init.exclusion_list_ids.clone() error/>
                <ContentTabs live init=init.clone() error/>
                <Schedule time_zone=data.time_zone.clone() value=init.scheduled_at.clone() error/>
                <div class="form-actions">
                    <button type="submit" name="intent" value="save" class="button secondary">{c.save}</button>
                    {can_schedule.then(|| view! {
                        <button type="submit" name="intent" value="schedule" class="button primary">{c.save_schedule}</button>
                    })}
                    // With JavaScript the preview follows the typing; without, this refreshes it.
                    {move || (!live.hydrated.get()).then(|| view! {
                        <button type="submit" name="intent" value="preview" class="button secondary">{c.update_preview}</button>
                    })}
                </div>
            </ActionForm>
            <PreviewPanel preview/>
        </div>
    }
}

/// The form's values from the saved campaign (or blank for a new one).
fn initial(data: &CampaignEditorData) -> SaveCampaign {
    let blank = SaveCampaign {
        id: String::new(),
        intent: String::new(),
        title: String::new(),
        description: String::new(),
        channels: vec![],
        list_ids: vec![],
        exclusion_list_ids: vec![],
        scheduled_at: String::new(),
        email_subject: String::new(),
        email_from_name: String::new(),
        email_from_email: String::new(),
        email_preheader: String::new(),
        email_html: String::new(),
        email_text: String::new(),
        sms_text: String::new(),
        sms_sender_id: String::new(),
        push_title: String::new(),
        push_body: String::new(),
        push_url: String::new(),
        push_icon: String::new(),
    };
    let Some(view) = &data.campaign else {
        return blank;
    };
    let d = &view.campaign;
    let e = d.content.email.clone().unwrap_or_default();
    let s = d.content.sms.clone().unwrap_or_default();
    let p = d.content.push.clone().unwrap_or_default();
    SaveCampaign {
        id: d.id.to_string(),
        title: d.title.clone(),
        description: d.description.clone(),
        channels: d.channels.iter().map(|c| c.as_str().to_owned()).collect(),
        list_ids: d.list_ids.clone(),
        exclusion_list_ids: d.exclusion_list_ids.clone(),
        scheduled_at: view.scheduled_local.clone().unwrap_or_default(),
        email_subject: e.subject,
        email_from_name: e.from_name,
        email_from_email: e.from_email,
        email_preheader: e.preheader,
        email_html: e.html,
        email_text: e.text,
        sms_text: s.text,
        sms_sender_id: s.sender_id,
        push_title: p.title,
        push_body: p.body,
        push_url: p.url,
        push_icon: p.icon,
        ..blank
    }
}

/// Every channel present, so typing in any tab has a place to go.
fn all_channels(mut content: CampaignContent) -> CampaignContent {
    content.email.get_or_insert_with(Default::default);
    content.sms.get_or_insert_with(Default::default);
    content.push.get_or_insert_with(Default::default);
    content
}

fn field_message(error: Signal<Option<AppError>>, key: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(key))))
}

#[component]
fn ChannelChecks(live: Live, error: Signal<Option<AppError>>) -> impl IntoView {
    let c = use_strings().campaigns;
    let message = field_message(error, "channels");
    let boxes = Channel::ALL
        .into_iter()
        .map(|ch| {
            let id = format!("channel-{}", ch.as_str());
            let checked = live.channels.with_untracked(|cs| cs.contains(&ch));
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                live.channels.update(|cs| {
                    cs.retain(|x| *x != ch);
                    if on {
                        cs.push(ch);
                        cs.sort();
                    }
                });
            };
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="channels[]" value=ch.as_str() checked=checked on:change=toggle/>
                    <label for=id>{c.channel_name(ch)}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <fieldset class="checks" aria-describedby=move || message.with(Option::is_some).then_some("channels-error")>
            <legend>{c.channels}</legend>
            {boxes}
            <FieldError id="channels-error".to_owned() message/>
        </fieldset>
    }
}

#[component]
fn Audience(
    lists: Vec<ListOption>,
    include: Vec<Uuid>,
    exclude: Vec<Uuid>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let c = use_strings().campaigns;
    if lists.is_empty() {
        // Scheduling still says why it cannot go out; keep that message on screen.
        let message = field_message(error, "list_ids");
        return view! {
            <div class="field">
                <p class="notice" data-testid="no-lists">{c.no_lists} " " <a href="/contacts">{c.no_lists_link}</a></p>
                <FieldError id="list-error".to_owned() message/>
            </div>
        }
        .into_any();
    }
    let group = |legend: &'static str,
                 name: &'static str,
                 prefix: &'static str,
                 chosen: Vec<Uuid>| {
        let message = field_message(error, name);
        let error_id = format!("{prefix}-error");
        let described = error_id.clone();
        let boxes = lists
            .iter()
            .map(|l| {
                let id = format!("{prefix}-{}", l.id);
                view! {
                    <div class="check">
                        <input type="checkbox" id=id.clone() name=format!("{name}[]") value=l.id.to_string() checked=chosen.contains(&l.id)/>
                        <label for=id>{l.name.clone()} " " <span class="muted">"(" {l.member_count} " " {c.contacts_count} ")"</span></label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="checks" aria-describedby=move || message.with(Option::is_some).then(|| described.clone())>
                <legend>{legend}</legend>
                {boxes}
                <FieldError id=error_id message/>
            </fieldset>
        }
    };
    view! {
        {group(c.lists, "list_ids", "list", include)}
        {group(c.exclusions, "exclusion_list_ids", "exclude", exclude)}
    }
    .into_any()
}

#[component]
fn Schedule(
    time_zone: Option<String>,
    value: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let c = use_strings().campaigns;
    let zone = time_zone.unwrap_or_else(|| c.time_zone_unknown.to_owned());
    let message = field_message(error, "scheduled_at");
    view! {
        <div class="field">
            <label for="campaign-scheduled-at">{format!("{} ({}: {zone})", c.send_at, c.time_zone)}</label>
            <input id="campaign-scheduled-at" type="datetime-local" name="scheduled_at" value=value
                aria-invalid=move || message.with(Option::is_some).then_some("true")
                aria-describedby="campaign-scheduled-at-hint campaign-scheduled-at-error"/>
            <p class="hint" id="campaign-scheduled-at-hint">{c.send_at_hint}</p>
            <FieldError id="campaign-scheduled-at-error".to_owned() message/>
        </div>
    }
}
