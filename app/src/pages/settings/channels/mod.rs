//! `/settings/channels`: one card per channel with its provider's form (secrets
//! write-only) and a test send. Choosing another provider is a plain GET
//! (`?channel=email&provider=smtp`) that shows that provider's empty form; nothing
//! changes until it is saved.

mod card;
mod fields;
mod tracking;

use crate::{
    api::{get_channels, take_flash, ChannelTested, FlashKind, SaveChannel, TestChannel},
    components::{error_text, use_strings},
    model::Channel,
};
use card::ChannelCard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use tracking::TrackingSection;

/// What every card shares: the page's two actions, which channel was submitted last
/// (their answers and errors belong to that card), and a test outcome kept across a
/// plain form post.
#[derive(Clone, Copy)]
pub struct Shared {
    pub save: ServerAction<SaveChannel>,
    pub test: ServerAction<TestChannel>,
    pub last: RwSignal<Option<Channel>>,
    pub flashed: Resource<Option<ChannelTested>>,
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let t = use_strings();
    let s = t.sending;
    let query = use_query_map();
    let chosen = move || {
        query.with_untracked(|q| {
            let channel = q.get("channel").and_then(|c| c.parse::<Channel>().ok());
            channel.zip(q.get("provider"))
        })
    };
    let shared = Shared {
        save: ServerAction::new(),
        test: ServerAction::new(),
        // Without JavaScript the card is known from the address the form came back to.
        last: RwSignal::new(chosen().map(|(c, _)| c)),
        flashed: Resource::new(
            || (),
            |_| async move {
                take_flash(FlashKind::ChannelTest)
                    .await
                    .ok()
                    .flatten()
                    .and_then(|json| serde_json::from_str(&json).ok())
            },
        ),
    };
    Effect::new(move |_| {
        let submitted = shared
            .save
            .input()
            .with(|i| i.as_ref().and_then(|i| i.channel.parse().ok()))
            .or_else(|| {
                shared
                    .test
                    .input()
                    .with(|i| i.as_ref().and_then(|i| i.channel.parse().ok()))
            });
        if submitted.is_some() {
            shared.last.set(submitted);
        }
    });
    let data = Resource::new(move || shared.save.version().get(), |_| get_channels());
    view! {
        <Title text=format!("{} · {}", s.channels_title, t.product)/>
        <section aria-labelledby="channels-title">
            <h2 id="channels-title">{s.channels_title}</h2>
            <p class="muted">{s.channels_intro}</p>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => {
                            let chosen = chosen();
                            view.channels
                                .iter()
                                .map(|settings| {
                                    let wanted = chosen
                                        .as_ref()
                                        .filter(|(c, _)| *c == settings.channel)
                                        .map(|(_, p)| p.clone());
                                    view! { <ChannelCard settings=settings.clone() providers=view.providers.clone() wanted shared/> }
                                })
                                .collect_view()
                                .into_any()
                        }
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
            <TrackingSection/>
        </section>
    }
}
