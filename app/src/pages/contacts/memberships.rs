//! A contact's lists: add it to one, take it out of one. `ContactDto` does not say which
//! lists hold the contact, so both forms offer every list.

use crate::{
    api::{AddToList, RemoveFromList},
    components::{use_strings, ErrorAlert},
    model::ListDto,
};
use leptos::{form::ActionForm, prelude::*};
use uuid::Uuid;

#[component]
pub fn Memberships(contact_id: Uuid, lists: Vec<ListDto>) -> impl IntoView {
    let c = use_strings().contacts;
    let add = ServerAction::<AddToList>::new();
    let remove = ServerAction::<RemoveFromList>::new();
    let error = Signal::derive(move || {
        add.value()
            .get()
            .and_then(Result::err)
            .or_else(|| remove.value().get().and_then(Result::err))
    });
    let body = if lists.is_empty() {
        view! { <p class="muted">{c.no_lists} " " <a href="/lists">{c.lists_title}</a></p> }
            .into_any()
    } else {
        let options = |lists: &[ListDto]| {
            lists
                .iter()
                .map(|l| view! { <option value=l.id.to_string()>{l.name.clone()}</option> })
                .collect_view()
        };
        let (add_options, remove_options) = (options(&lists), options(&lists));
        let contact =
            move || view! { <input type="hidden" name="contact_id" value=contact_id.to_string()/> };
        view! {
            <p class="hint">{c.memberships_hint}</p>
            <div class="membership-forms">
                <ActionForm action=add attr:class="inline-form">
                    {contact()}
                    <label for="membership-add">{c.add_to_list}</label>
                    <select id="membership-add" name="list_id">{add_options}</select>
                    <button type="submit" class="button secondary">{c.add_to_list}</button>
                </ActionForm>
                <ActionForm action=remove attr:class="inline-form">
                    {contact()}
                    <label for="membership-remove">{c.remove_from_list}</label>
                    <select id="membership-remove" name="list_id">{remove_options}</select>
                    <button type="submit" class="button secondary">{c.remove_from_list}</button>
                </ActionForm>
            </div>
        }
        .into_any()
    };
    // The last answer wins: adding then removing must not still say "added".
    let done = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        if add.value().with(|v| matches!(v, Some(Ok(_)))) {
            done.set(Some(c.added));
        }
    });
    Effect::new(move |_| {
        if remove.value().with(|v| matches!(v, Some(Ok(_)))) {
            done.set(Some(c.removed));
        }
    });
    Effect::new(move |_| {
        if error.with(Option::is_some) {
            done.set(None);
        }
    });
    view! {
        <section class="memberships" aria-labelledby="memberships-title">
            <h2 id="memberships-title">{c.memberships}</h2>
            <ErrorAlert error/>
            {move || done.get().map(|m| view! { <p class="notice" role="status" data-testid="membership-notice">{m}</p> })}
            {body}
        </section>
    }
}
