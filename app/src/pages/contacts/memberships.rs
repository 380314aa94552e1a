//! A contact's lists: the ones holding it (`ContactDto::lists`), a button on each to
//! take the contact out, and a form to add it to another. Readers get the names only.

use crate::{
    api::{AddToList, RemoveFromList},
    components::{use_strings, ErrorAlert},
    error::AppError,
    model::{ListOption, ListRef},
};
use leptos::{form::ActionForm, prelude::*};
use uuid::Uuid;

/// The two membership actions. The page creates them once, so that their answers
/// outlive the section, which is rebuilt whenever the contact is fetched again.
#[derive(Clone, Copy)]
pub struct MembershipActions {
    pub add: ServerAction<AddToList>,
    pub remove: ServerAction<RemoveFromList>,
    /// Which action answered last, once hydrated (`None` before either has).
    last: RwSignal<Option<Which>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Which {
    Add,
    Remove,
}

impl MembershipActions {
    #[allow(clippy::new_without_default)] // it starts effects: not a plain default value
    pub fn new() -> Self {
        let actions = Self {
            add: ServerAction::new(),
            remove: ServerAction::new(),
            last: RwSignal::new(None),
        };
        // Adding then removing must not still say "added": the last answer wins.
        Effect::new(move |_| {
            if actions.add.version().get() > 0 {
                actions.last.set(Some(Which::Add));
            }
        });
        Effect::new(move |_| {
            if actions.remove.version().get() > 0 {
                actions.last.set(Some(Which::Remove));
            }
        });
        actions
    }

    /// Changes whenever either action answers; the page refetches the contact on it.
    pub fn versions(&self) -> (usize, usize) {
        (self.add.version().get(), self.remove.version().get())
    }

    /// The last answer as a notice or an error. Without JavaScript no effect runs, and
    /// the only answer there is a refusal that Leptos carried back in the address.
    fn outcome(
        &self,
        added: &'static str,
        removed: &'static str,
    ) -> Option<Result<&'static str, AppError>> {
        let add = || self.add.value().get().map(|r| r.map(|_| added));
        let remove = || self.remove.value().get().map(|r| r.map(|_| removed));
        match self.last.get() {
            Some(Which::Add) => add(),
            Some(Which::Remove) => remove(),
            None => add().or_else(remove),
        }
    }
}

#[component]
pub fn Memberships(
    contact_id: Uuid,
    /// The lists holding the contact.
    held: Vec<ListRef>,
    /// Every list of the organization, for the "add" form; empty for readers.
    lists: Vec<ListOption>,
    actions: MembershipActions,
    can_write: bool,
) -> impl IntoView {
    let c = use_strings().contacts;
    let outcome = move || actions.outcome(c.added, c.removed);
    let error = Signal::derive(move || outcome().and_then(Result::err));
    let notice = move || {
        outcome().and_then(Result::ok).map(|m| {
            view! { <p class="notice" role="status" data-testid="membership-notice">{m}</p> }
        })
    };
    let addable: Vec<ListOption> = lists
        .into_iter()
        .filter(|l| !held.iter().any(|h| h.id == l.id))
        .collect();
    let everything = addable.is_empty() && !held.is_empty();
    let add = can_write.then(|| {
        if everything {
            view! { <p class="muted">{c.in_every_list}</p> }.into_any()
        } else if addable.is_empty() {
            view! { <p class="muted">{c.no_lists} " " <a href="/lists">{c.lists_title}</a></p> }
                .into_any()
        } else {
            view! { <AddForm contact_id lists=addable action=actions.add/> }.into_any()
        }
    });
    let held = if held.is_empty() {
        view! { <p class="muted" data-testid="memberships-none">{c.in_no_list}</p> }.into_any()
    } else {
        let items = held
            .into_iter()
            .map(|list| view! { <Held contact_id list action=actions.remove can_write/> })
            .collect_view();
        view! { <ul class="membership-list" data-testid="memberships">{items}</ul> }.into_any()
    };
    view! {
        <section class="memberships" aria-labelledby="memberships-title">
            <h2 id="memberships-title">{c.memberships}</h2>
            {can_write.then(|| view! { <p class="hint">{c.memberships_hint}</p> })}
            <ErrorAlert error/>
            {notice}
            {held}
            {add}
        </section>
    }
}

/// One list holding the contact: its name, a link to its members and, for writers, the
/// button that takes the contact out.
#[component]
fn Held(
    contact_id: Uuid,
    list: ListRef,
    action: ServerAction<RemoveFromList>,
    can_write: bool,
) -> impl IntoView {
    let c = use_strings().contacts;
    let label = format!("{} {}", c.remove_from, list.name);
    let remove = can_write.then(|| {
        view! {
            <ActionForm action attr:class="inline-form">
                <input type="hidden" name="contact_id" value=contact_id.to_string()/>
                <input type="hidden" name="list_id" value=list.id.to_string()/>
                <button type="submit" class="button secondary"
                    aria-label=label>{c.remove}</button>
            </ActionForm>
        }
    });
    view! {
        <li data-testid="membership">
            <a href=format!("/contacts?list_id={}", list.id)>{list.name}</a>
            {remove}
        </li>
    }
}

#[component]
fn AddForm(
    contact_id: Uuid,
    lists: Vec<ListOption>,
    action: ServerAction<AddToList>,
) -> impl IntoView {
    let c = use_strings().contacts;
    let options = lists
        .into_iter()
        .map(|l| view! { <option value=l.id.to_string()>{l.name}</option> })
        .collect_view();
    view! {
        <ActionForm action attr:class="inline-form">
            <input type="hidden" name="contact_id" value=contact_id.to_string()/>
            <label for="membership-add">{c.add_to_list}</label>
            <select id="membership-add" name="list_id">{options}</select>
            <button type="submit" class="button secondary">{c.add_to_list}</button>
        </ActionForm>
    }
}
