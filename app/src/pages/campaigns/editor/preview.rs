//! The content as a sample contact would get it: the email in a sandboxed frame (no
//! scripts, no same-origin access; the HTML is sanitized on the server too), the SMS as
//! a phone bubble, the push as a notification card.

use super::content::encoding_name;
use crate::{
    api::preview_campaign,
    components::use_strings,
    model::{CampaignContent, CampaignPreview, EmailContent, PushContent, SmsPreview},
};
use leptos::prelude::*;
use std::time::Duration;

/// Typing pauses this long before the server renders the preview again.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Re-renders `preview` from `content` after each pause in typing. Browser only
/// (effects do not run on the server); a late answer never replaces a newer one.
pub fn live_preview(content: RwSignal<CampaignContent>, preview: RwSignal<CampaignPreview>) {
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let latest = StoredValue::new(0u64);
    Effect::watch(
        move || content.get(),
        move |content, _, _| {
            if let Some(handle) = pending.get_value() {
                handle.clear();
            }
            latest.update_value(|n| *n += 1);
            let ticket = latest.get_value();
            let content = content.clone();
            let handle = set_timeout_with_handle(
                move || {
                    leptos::task::spawn_local(async move {
                        // A failed preview keeps the last good one; saving reports errors.
                        if let Ok(rendered) = preview_campaign(content).await {
                            if latest.get_value() == ticket {
                                preview.set(rendered);
                            }
                        }
                    })
                },
                DEBOUNCE,
            );
            pending.set_value(handle.ok());
        },
        false,
    );
}

#[component]
pub fn PreviewPanel(#[prop(into)] preview: Signal<CampaignPreview>) -> impl IntoView {
    let c = use_strings().campaigns;
    let errors = move || {
        preview.with(|p| {
            (!p.errors.is_empty()).then(|| {
                let items = p
                    .errors
                    .iter()
                    .map(|(k, m)| view! { <li><code>{k.clone()}</code>": " {m.clone()}</li> })
                    .collect_view();
                view! { <ul class="alert alert-list" role="alert">{items}</ul> }
            })
        })
    };
    let empty = move || preview.with(|p| p.email.is_none() && p.sms.is_none() && p.push.is_none());
    view! {
        <section class="preview" id="preview" aria-labelledby="preview-title" aria-live="polite" data-testid="preview">
            <h2 id="preview-title">{c.preview}</h2>
            <p class="hint">{c.preview_sample}</p>
            {errors}
            {move || empty().then(|| view! { <p class="muted">{c.preview_empty}</p> })}
            {move || preview.with(|p| p.email.clone()).map(|email| view! { <EmailCard email/> })}
            {move || preview.with(|p| p.sms.clone()).map(|sms| view! { <SmsBubble sms/> })}
            {move || preview.with(|p| p.push.clone()).map(|push| view! { <PushCard push/> })}
        </section>
    }
}

#[component]
fn EmailCard(email: EmailContent) -> impl IntoView {
    let c = use_strings().campaigns;
    let from = match (email.from_name.is_empty(), email.from_email.is_empty()) {
        (false, false) => format!("{} <{}>", email.from_name, email.from_email),
        (true, _) => email.from_email.clone(),
        (false, true) => email.from_name.clone(),
    };
    view! {
        <article class="preview-card preview-email" aria-label=c.channel_email>
            <h3 class="preview-channel">{c.channel_email}</h3>
            <p class="preview-meta">{c.from} ": " {from}</p>
            <p class="preview-subject" data-testid="preview-email-subject">{email.subject}</p>
            {(!email.preheader.is_empty()).then(|| view! { <p class="preview-meta">{email.preheader.clone()}</p> })}
            <iframe class="preview-frame" title=c.preview_email_frame sandbox="" srcdoc=email.html data-testid="preview-email"></iframe>
        </article>
    }
}

#[component]
fn SmsBubble(sms: SmsPreview) -> impl IntoView {
    let c = use_strings().campaigns;
    let l = sms.length;
    view! {
        <article class="preview-card preview-sms" aria-label=c.channel_sms>
            <h3 class="preview-channel">{c.channel_sms}</h3>
            <div class="phone">
                <p class="preview-meta">{sms.sender_id}</p>
                <p class="bubble" data-testid="preview-sms-text">{sms.text}</p>
            </div>
            <p class="sms-meter">
                {l.units} " " {c.units} " · " {encoding_name(l.encoding)} " · "
                <span data-testid="sms-segments">{l.segments}</span> " " {c.segments}
            </p>
        </article>
    }
}

#[component]
fn PushCard(push: PushContent) -> impl IntoView {
    let c = use_strings().campaigns;
    view! {
        <article class="preview-card preview-push" aria-label=c.channel_push data-testid="preview-push">
            <h3 class="preview-channel">{c.channel_push}</h3>
            <div class="notification">
                <p class="notification-title">{push.title}</p>
                <p>{push.body}</p>
                {(!push.url.is_empty()).then(|| view! { <p class="preview-meta">{push.url.clone()}</p> })}
            </div>
        </article>
    }
}
