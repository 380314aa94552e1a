//! "Send a test": the campaign rendered for a sample contact, sent to the addresses
//! given, with each channel's outcome shown inline (also after a plain form post).

use crate::{
    api::{take_flash, FlashKind, TestCampaign},
    components::{use_strings, ErrorAlert, TextField},
    model::{CampaignTestResult, Channel},
};
use leptos::{form::ActionForm, prelude::*};
use uuid::Uuid;

/// The outcomes kept for the page after a plain form post. Made by the page itself,
/// not inside the campaign's `Suspend`: resources are matched to the values the server
/// sent in the order they are made, and one made only once another resolved would
/// take that one's place when the page hydrates.
pub fn flashed_outcomes() -> Resource<Option<Vec<CampaignTestResult>>> {
    Resource::new(
        || (),
        |_| async move {
            take_flash(FlashKind::CampaignTest)
                .await
                .ok()
                .flatten()
                .and_then(|json| serde_json::from_str(&json).ok())
        },
    )
}

#[component]
pub fn TestSend(
    id: Uuid,
    channels: Vec<Channel>,
    flashed: Resource<Option<Vec<CampaignTestResult>>>,
) -> impl IntoView {
    let t = use_strings();
    let s = t.sending;
    let test = ServerAction::<TestCampaign>::new();
    let error = Signal::derive(move || test.value().get().and_then(Result::err));
    let email = channels
        .contains(&Channel::Email)
        .then(|| view! { <TextField name="email" id="test-email" label=s.test_email input_type="email" autocomplete="off" error/> });
    let phone = channels
        .contains(&Channel::Sms)
        .then(|| view! { <TextField name="phone" id="test-phone" label=s.test_phone input_type="tel" autocomplete="off" error/> });
    view! {
        <section class="card" aria-labelledby="test-send-title">
            <h2 id="test-send-title">{s.test_title}</h2>
            <p class="muted">{s.test_hint}</p>
            <ActionForm action=test attr:class="form">
                <ErrorAlert error/>
                <input type="hidden" name="id" value=id.to_string()/>
                {email}
                {phone}
                <button type="submit" class="button secondary">{s.test_send}</button>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let from_action = test.value().get().and_then(Result::ok);
                    let from_flash = flashed.await;
                    from_action.or(from_flash).map(|results| view! { <Outcomes results/> })
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Outcomes(results: Vec<CampaignTestResult>) -> impl IntoView {
    let t = use_strings();
    let (s, c) = (t.sending, t.campaigns);
    let items = results
        .into_iter()
        .map(|r| {
            let ok = r.result.outcome == "accepted";
            let detail = r.result.reason.clone().or_else(|| {
                r.result
                    .provider_message_id
                    .clone()
                    .map(|id| format!("{}: {id}", s.message_id))
            });
            view! {
                <li class=if ok { "outcome ok" } else { "outcome bad" } data-testid="test-outcome">
                    <strong>{c.channel_name(r.channel)}</strong> " → " {r.to.clone()} ": "
                    {s.outcome(&r.result)}
                    {detail.map(|d| view! { " — " <span>{d}</span> })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="outcomes" role="status">{items}</ul> }
}
