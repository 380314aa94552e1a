//! `/settings/tokens`: the user's own API tokens.

mod form;
mod list;

use crate::{
    api::{list_tokens, take_flash, CreateToken, FlashKind, RevokeToken},
    components::{error_text, use_strings, ErrorAlert, OnceSecret},
};
use form::NewTokenForm;
use leptos::prelude::*;
use leptos_meta::Title;
use list::TokensTable;

#[component]
pub fn TokensPage() -> impl IntoView {
    let t = use_strings();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    // See `take_flash`: the secret of a token made through a plain form.
    let flashed = Resource::new(|| (), |_| take_flash(FlashKind::NewToken));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    view! {
        <Title text=format!("{} · {}", t.tokens_title, t.product)/>
        <section aria-labelledby="tokens-title">
            <h2 id="tokens-title">{t.tokens_title}</h2>
            <p class="muted">{t.tokens_intro}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let from_action = create.value().get().and_then(Result::ok).map(|c| c.plain_text_token);
                    let secret = from_action.or(flashed.await.ok().flatten());
                    secret.map(|value| view! { <OnceSecret title=t.token_created_title note=t.token_once value/> })
                })}
            </Suspense>
            <ErrorAlert error=revoke_error/>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t.tokens_none}</p> }.into_any(),
                        Ok(list) => view! { <TokensTable list revoke/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <NewTokenForm create/>
    }
}
