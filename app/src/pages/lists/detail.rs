//! `/lists/:id`: one list, and its public sign-up form (double opt-in): on or off, the
//! consent wording it shows, its address and an HTML snippet to embed it elsewhere.

use crate::{
    api::{get_list, SaveSignupForm},
    components::{error_text, use_can, use_strings, ErrorAlert, FieldError},
    error::AppError,
    model::{Action, ListDto, DEFAULT_SIGNUP_WORDING},
    pages::contacts::parts::route_id,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

#[component]
pub fn ListDetailPage() -> impl IntoView {
    let t = use_strings();
    let id = route_id();
    let save = ServerAction::<SaveSignupForm>::new();
    let list = Resource::new(
        move || (id.get(), save.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_list(id).await,
                None => Err(AppError::NotFound("list".into())),
            }
        },
    );
    view! {
        <p class="crumbs"><a href="/lists">{t.contacts.lists_title}</a></p>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(list) => view! { <Detail list save/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(list: ListDto, save: ServerAction<SaveSignupForm>) -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let can_write = use_can(Action::ListsWrite);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let wording_error = Signal::derive(move || {
        error.with(|e| e.as_ref().and_then(|e| e.field_error("signup_wording")))
    });
    let wording = list
        .signup_wording
        .clone()
        .unwrap_or_else(|| DEFAULT_SIGNUP_WORDING.to_owned());
    let published = list.signup_url.clone().map(|url| {
        let snippet = snippet(&url, &wording, c.signup_subscribe);
        view! {
            <p>{c.signup_address}" "<a href=url.clone() data-testid="signup-url">{url.clone()}</a></p>
            <div class="field">
                <label for="signup-snippet">{c.signup_snippet}</label>
                <textarea id="signup-snippet" readonly=true rows="9" data-testid="signup-snippet">{snippet}</textarea>
                <p class="hint">{c.signup_snippet_hint}</p>
            </div>
        }
    });
    let settings = can_write.then(|| {
        let id = list.id.to_string();
        view! {
            <ActionForm action=save attr:class="form">
                <ErrorAlert error/>
                <input type="hidden" name="id" value=id/>
                <div class="check">
                    <input type="checkbox" id="signup-enabled" name="enabled" value="yes"
                        checked=list.signup_enabled/>
                    <label for="signup-enabled">{c.signup_enabled}</label>
                </div>
                <div class="field">
                    <label for="signup-wording">{c.signup_wording}</label>
                    <textarea id="signup-wording" name="wording" rows="3"
                        placeholder=DEFAULT_SIGNUP_WORDING>{list.signup_wording.clone().unwrap_or_default()}</textarea>
                    <p class="hint">{c.signup_wording_hint}</p>
                    <FieldError id="signup-wording-error".to_owned() message=wording_error/>
                </div>
                <button type="submit" class="button primary">{c.signup_save}</button>
            </ActionForm>
        }
    });
    view! {
        <Title text=format!("{} · {}", list.name, t.product)/>
        <h1>{list.name.clone()}</h1>
        {(!list.description.is_empty()).then(|| view! { <p class="muted">{list.description.clone()}</p> })}
        <p>
            <a href=format!("/contacts?list_id={}", list.id)>{c.view_contacts}</a>
            " · " {c.col_members} ": " <span data-testid="list-members">{list.member_count}</span>
        </p>
        <section class="card" aria-labelledby="signup-title">
            <h2 id="signup-title">{c.signup_title}</h2>
            <p class="muted">{c.signup_hint}</p>
            {published}
            {settings}
        </section>
    }
}

/// A form to paste on any site: it posts to ours, which answers with its own pages.
fn snippet(url: &str, wording: &str, subscribe: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    format!(
        "<form action=\"{url}\" method=\"post\">\n  \
         <input type=\"email\" name=\"email\" required placeholder=\"you@example.org\">\n  \
         <!-- left empty by people; bots fill it -->\n  \
         <input type=\"text\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\" aria-hidden=\"true\" style=\"position:absolute;left:-10000px\">\n  \
         <label><input type=\"checkbox\" name=\"consent\" value=\"yes\" required> {wording}</label>\n  \
         <button type=\"submit\">{subscribe}</button>\n\
         </form>",
        url = escape(url),
        wording = escape(wording),
        subscribe = escape(subscribe),
    )
}
