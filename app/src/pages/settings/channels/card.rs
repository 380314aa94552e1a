//! One channel: its provider, the provider's form, and a test send.

use super::{fields::SettingInput, Shared};
use crate::{
    components::{use_strings, ErrorAlert, FieldError},
    error::AppError,
    model::{Channel, ChannelSettingsDto, ProviderDto, SendResult},
};
use leptos::{form::ActionForm, prelude::*};
use serde_json::Value;

#[component]
pub fn ChannelCard(
    settings: ChannelSettingsDto,
    providers: Vec<ProviderDto>,
    /// A provider chosen on the page but not saved yet.
    wanted: Option<String>,
    shared: Shared,
) -> impl IntoView {
    let t = use_strings();
    let (s, c) = (t.sending, t.campaigns);
    let channel = settings.channel;
    let offered: Vec<ProviderDto> = providers
        .into_iter()
        .filter(|p| p.channels.contains(&channel))
        .collect();
    let shown = wanted
        .and_then(|w| offered.iter().find(|p| p.name == w).cloned())
        .or_else(|| {
            offered
                .iter()
                .find(|p| p.name == settings.provider)
                .cloned()
        });
    let unsaved = shown.as_ref().is_some_and(|p| p.name != settings.provider);
    // An unsaved provider's form starts empty: its defaults apply unless filled in.
    let values = if unsaved {
        Value::Null
    } else {
        settings.settings.clone()
    };
    let mine = move || shared.last.get() == Some(channel);
    let save_error = Signal::derive(move || {
        mine()
            .then(|| shared.save.value().get().and_then(Result::err))
            .flatten()
    });
    let saved = move || {
        shared
            .save
            .value()
            .get()
            .and_then(Result::ok)
            .is_some_and(|dto| dto.channel == channel)
    };
    let options = offered
        .iter()
        .map(|p| {
            let selected = shown.as_ref().is_some_and(|sh| sh.name == p.name);
            view! { <option value=p.name.clone() selected=selected>{s.provider_name(&p.name).to_owned()}</option> }
        })
        .collect_view();
    let provider_name = shown.as_ref().map(|p| p.name.clone()).unwrap_or_default();
    let is_simulator = provider_name == "simulator";
    let inputs = shown
        .as_ref()
        .map(|p| {
            p.fields
                .iter()
                .map(|f| view! { <SettingInput channel field=f.clone() values=values.clone() error=save_error/> })
                .collect_view()
        });
    let id = |what: &str| format!("{}-{what}", channel.as_str());
    view! {
        <section class="card channel-card" aria-labelledby=id("title") data-testid=id("card")>
            <h3 id=id("title")>{c.channel_name(channel)}</h3>
            <p>
                {s.provider} ": "
                <strong data-testid=id("provider")>{s.provider_name(&settings.provider).to_owned()}</strong>
            </p>
            {settings.updated_at.is_none().then(|| view! { <p class="muted">{s.not_saved}</p> })}
            {is_simulator.then(|| view! { <p class="note" data-testid=id("simulator-note")>{s.simulator_note}</p> })}
            <form method="get" action="/settings/channels" class="form form-row">
                <input type="hidden" name="channel" value=channel.as_str()/>
                <div class="field">
                    <label for=id("provider-choice")>{s.provider}</label>
                    <select id=id("provider-choice") name="provider">{options}</select>
                </div>
                <button type="submit" class="button secondary">{s.change_provider}</button>
            </form>
            {unsaved.then(|| view! { <p class="note">{s.unsaved_provider}</p> })}
            {(!unsaved).then(|| push_optin(&settings.settings, channel))}
            <ActionForm action=shared.save attr:class="form" attr:data-testid=id("settings")>
                <ErrorAlert error=save_error/>
                <input type="hidden" name="channel" value=channel.as_str()/>
                <input type="hidden" name="provider" value=provider_name/>
                {inputs}
                <button type="submit" class="button primary">{s.save}</button>
                <p role="status" class="muted">{move || saved().then_some(s.saved)}</p>
            </ActionForm>
            <TestForm channel shared/>
        </section>
    }
}

/// Web Push, once saved: the public key, the opt-in page and a snippet for one's site.
fn push_optin(settings: &Value, channel: Channel) -> Option<impl IntoView> {
    let s = use_strings().sending;
    let url = settings.get("optin_url")?.as_str()?.to_owned();
    let key = settings
        .get("vapid_public_key")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let snippet = format!(
        "<a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{}</a>",
        s.push_snippet_text
    );
    let id = |what: &str| format!("{}-{what}", channel.as_str());
    Some(view! {
        <div class="push-optin" data-testid=id("optin")>
            <p>{s.push_optin_page} ": " <a href=url.clone() target="_blank" rel="noopener" data-testid=id("optin-url")>{url.clone()}</a></p>
            <p>{s.push_public_key} ": " <code data-testid=id("public-key")>{key}</code></p>
            <label for=id("snippet")>{s.push_snippet}</label>
            <textarea id=id("snippet") readonly rows="2" data-testid=id("snippet")>{snippet}</textarea>
        </div>
    })
}

#[component]
fn TestForm(channel: Channel, shared: Shared) -> impl IntoView {
    let s = use_strings().sending;
    if channel == Channel::Push {
        return view! { <p class="muted">{s.push_test_note}</p> }.into_any();
    }
    let mine = move || shared.last.get() == Some(channel);
    let error = Signal::derive(move || {
        mine()
            .then(|| shared.test.value().get().and_then(Result::err))
            .flatten()
    });
    let to_error =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error("to"))));
    let input_id = format!("{}-test-to", channel.as_str());
    let (kind, hint) = match channel {
        Channel::Sms => ("tel", s.test_to_hint_sms),
        _ => ("email", s.test_to_hint_email),
    };
    view! {
        <ActionForm action=shared.test attr:class="form form-row test-form">
            <ErrorAlert error=Signal::derive(move || error.get().filter(|e| !matches!(e, AppError::Validation { .. })))/>
            <input type="hidden" name="channel" value=channel.as_str()/>
            <div class="field grow">
                <label for=input_id.clone()>{s.test_to}</label>
                <input id=input_id.clone() name="to" type=kind required autocomplete="off"
                    aria-invalid=move || to_error.with(Option::is_some).then_some("true")/>
                <p class="hint">{hint}</p>
                <FieldError id=format!("{input_id}-error") message=to_error/>
            </div>
            <button type="submit" class="button secondary">{s.test_channel}</button>
        </ActionForm>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let from_action = shared
                    .test
                    .value()
                    .get()
                    .and_then(Result::ok)
                    .filter(|r| r.channel == channel.as_str());
                let from_flash = shared.flashed.await.filter(|r| r.channel == channel.as_str());
                from_action.or(from_flash).map(|tested| view! { <Outcome result=tested.result channel/> })
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn Outcome(result: SendResult, channel: Channel) -> impl IntoView {
    let s = use_strings().sending;
    let ok = result.outcome == "accepted";
    let detail = result.reason.clone().or_else(|| {
        result
            .provider_message_id
            .clone()
            .map(|id| format!("{}: {id}", s.message_id))
    });
    view! {
        <p class=if ok { "outcome ok" } else { "outcome bad" } role="status"
            data-testid=format!("{}-test-outcome", channel.as_str())>
            <strong>{s.outcome(&result)}</strong>
            {detail.map(|d| view! { " — " <span>{d}</span> })}
        </p>
    }
}
