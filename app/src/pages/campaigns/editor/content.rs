//! The content of each channel. Before hydration (and without JavaScript) every panel is
//! shown, one under the other; once hydrated they become tabs of the chosen channels.

use super::{fields::EditorField, form::Live};
use crate::{
    api::SaveCampaign,
    components::use_strings,
    error::AppError,
    model::{sms_length, CampaignContent, Channel, SmsEncoding},
};
use leptos::prelude::*;

type Setter = fn(&mut CampaignContent, String);

fn setter(live: Live, set: Setter) -> Callback<String> {
    Callback::new(move |v| live.content.update(|c| set(c, v)))
}

#[component]
pub fn ContentTabs(
    live: Live,
    init: SaveCampaign,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let c = use_strings().campaigns;
    let active = RwSignal::new(
        live.channels
            .get_untracked()
            .first()
            .copied()
            .unwrap_or(Channel::Email),
    );
    // Keep a chosen channel in front; jump to the first channel a refused save names.
    Effect::new(move |_| {
        let chosen = live.channels.get();
        if !chosen.contains(&active.get_untracked()) {
            if let Some(first) = chosen.first() {
                active.set(*first);
            }
        }
    });
    Effect::new(move |_| {
        let failing = error.with(|e| {
            Channel::ALL.into_iter().find(|ch| match e {
                Some(AppError::Validation { fields, .. }) => {
                    let prefix = format!("content.{}.", ch.as_str());
                    fields.keys().any(|k| k.starts_with(&prefix))
                }
                _ => false,
            })
        });
        if let Some(ch) = failing {
            active.set(ch);
        }
    });
    let tabs = move || {
        live.hydrated.get().then(|| {
            let buttons = live
                .channels
                .get()
                .into_iter()
                .map(|ch| {
                    view! {
                        <button type="button" role="tab" id=format!("tab-{}", ch.as_str())
                            aria-controls=format!("panel-{}", ch.as_str())
                            aria-selected=move || (active.get() == ch).to_string()
                            class="tab" on:click=move |_| active.set(ch)>
                            {c.channel_name(ch)}
                        </button>
                    }
                })
                .collect_view();
            view! { <div class="tabs" role="tablist" aria-label=c.content_tabs>{buttons}</div> }
        })
    };
    let hidden = move |ch: Channel| {
        move || {
            live.hydrated.get()
                && (active.get() != ch || !live.channels.with(|cs| cs.contains(&ch)))
        }
    };
    view! {
        <fieldset class="content">
            <legend>{c.content}</legend>
            <VariablesHelp/>
            {tabs}
            <section id="panel-email" class="panel" hidden=hidden(Channel::Email) aria-label=c.channel_email>
                <h3 class="panel-title">{c.channel_email}</h3>
                <EditorField name="email_subject" error_key="content.email.subject" id="email-subject" label=c.subject
                    value=init.email_subject.clone() error on_input=setter(live, |c, v| c.email.get_or_insert_with(Default::default).subject = v)/>
                <EditorField name="email_from_name" error_key="content.email.from_name" id="email-from-name" label=c.from_name
                    value=init.email_from_name.clone() error on_input=setter(live, |c, v| c.email.get_or_insert_with(Default::default).from_name = v)/>
                <EditorField name="email_from_email" error_key="content.email.from_email" id="email-from-email" label=c.from_email
                    input_type="email" value=init.email_from_email.clone() error on_input=setter(live, |c, v| c.email.get_or_insert_with(Default::default).from_email = v)/>
                <EditorField name="email_preheader" error_key="content.email.preheader" id="email-preheader" label=c.preheader
                    value=init.email_preheader.clone() error on_input=setter(live, |c, v| c.email.get_or_insert_with(Default::default).preheader = v)/>
                <EditorField name="email_html" error_key="content.email.html" id="email-html" label=c.html rows=10
                    value=init.email_html.clone() error on_input=setter(live, |c, v| c.email.get_or_insert_with(Default::default).html = v)/>
                <EditorField name="email_text" error_key="content.email.text" id="email-text" label=c.text rows=5 hint=c.text_hint
                    value=init.email_text.clone() error on_input=setter(live, |c, v| c.email.get_or_insert_with(Default::default).text = v)/>
            </section>
            <section id="panel-sms" class="panel" hidden=hidden(Channel::Sms) aria-label=c.channel_sms>
                <h3 class="panel-title">{c.channel_sms}</h3>
                <EditorField name="sms_text" error_key="content.sms.text" id="sms-text" label=c.sms_text rows=4 described_by="sms-meter"
                    value=init.sms_text.clone() error on_input=setter(live, |c, v| c.sms.get_or_insert_with(Default::default).text = v)/>
                <SmsMeter live/>
                <EditorField name="sms_sender_id" error_key="content.sms.sender_id" id="sms-sender-id" label=c.sender_id hint=c.sender_id_hint
                    value=init.sms_sender_id.clone() error on_input=setter(live, |c, v| c.sms.get_or_insert_with(Default::default).sender_id = v)/>
            </section>
            <section id="panel-push" class="panel" hidden=hidden(Channel::Push) aria-label=c.channel_push>
                <h3 class="panel-title">{c.channel_push}</h3>
                <EditorField name="push_title" error_key="content.push.title" id="push-title" label=c.push_title
                    value=init.push_title.clone() error on_input=setter(live, |c, v| c.push.get_or_insert_with(Default::default).title = v)/>
                <EditorField name="push_body" error_key="content.push.body" id="push-body" label=c.push_body rows=3
                    value=init.push_body.clone() error on_input=setter(live, |c, v| c.push.get_or_insert_with(Default::default).body = v)/>
                <EditorField name="push_url" error_key="content.push.url" id="push-url" label=c.push_url input_type="url"
                    value=init.push_url.clone() error on_input=setter(live, |c, v| c.push.get_or_insert_with(Default::default).url = v)/>
                <EditorField name="push_icon" error_key="content.push.icon" id="push-icon" label=c.push_icon input_type="url"
                    value=init.push_icon.clone() error on_input=setter(live, |c, v| c.push.get_or_insert_with(Default::default).icon = v)/>
            </section>
        </fieldset>
    }
}

/// Length, encoding and segments of the SMS as typed (templates not yet filled in).
#[component]
fn SmsMeter(live: Live) -> impl IntoView {
    let c = use_strings().campaigns;
    let length = Memo::new(move |_| {
        live.content
            .with(|content| sms_length(content.sms.as_ref().map_or("", |s| s.text.as_str())))
    });
    view! {
        <p class="sms-meter" id="sms-meter" aria-live="polite" data-testid="sms-meter">
            <span data-testid="sms-meter-units">{move || length.get().units}</span> " " {c.units} " · "
            <span data-testid="sms-meter-encoding">{move || encoding_name(length.get().encoding)}</span> " · "
            <span data-testid="sms-meter-segments">{move || length.get().segments}</span> " " {c.segments} " · "
            {move || length.get().remaining} " " {c.remaining}
        </p>
    }
}

pub fn encoding_name(encoding: SmsEncoding) -> &'static str {
    match encoding {
        SmsEncoding::Gsm7 => "GSM-7",
        SmsEncoding::Ucs2 => "UCS-2",
    }
}

#[component]
fn VariablesHelp() -> impl IntoView {
    let c = use_strings().campaigns;
    let rows = [
        ("{{ first_name }}", c.var_first_name),
        ("{{ last_name }}", c.var_last_name),
        ("{{ email }}", c.var_email),
        ("{{ unsubscribe_url }}", c.var_unsubscribe),
        ("{{ plan }}", c.var_custom),
        ("{{ first_name | default(\"there\") }}", c.var_default),
    ]
    .into_iter()
    .map(|(var, what)| view! { <dt><code>{var}</code></dt><dd>{what}</dd> })
    .collect_view();
    view! {
        <details class="vars">
            <summary>{c.vars_title}</summary>
            <p class="hint">{c.vars_intro}</p>
            <dl class="vars-list">{rows}</dl>
        </details>
    }
}
