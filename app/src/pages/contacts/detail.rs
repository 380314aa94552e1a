//! `/contacts/new` and `/contacts/:id`: the contact, its form, its lists, its deletion.
//! Readers get the same facts without the controls; the services refuse them anyway.

use super::{
    form::{starting_fields, ContactForm},
    list::full_name,
    memberships::{MembershipActions, Memberships},
    parts::route_id,
};
use crate::{
    api::{
        consent_history, get_contact, list_options, take_flash, DeleteContact, FlashKind,
        SaveContact,
    },
    components::{date, error_text, use_can, use_strings, ErrorAlert},
    error::AppError,
    model::{Action, ConsentRecordDto, ContactDto, ListOption},
};
use chrono::{DateTime, Utc};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

#[component]
pub fn NewContactPage() -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let save = ServerAction::<SaveContact>::new();
    let body = if use_can(Action::ContactsWrite) {
        // What a refused plain-form save had typed (see `save_contact`).
        let flashed = Resource::new(|| (), |_| take_flash(FlashKind::ContactForm));
        view! {
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    let flash = flashed.await.ok().flatten();
                    view! { <ContactForm fields=starting_fields(None, flash.as_deref()) save/> }
                })}
            </Transition>
        }
        .into_any()
    } else {
        view! { <p class="muted" data-testid="read-only">{c.read_only}</p> }.into_any()
    };
    view! {
        <Title text=format!("{} · {}", c.new_contact, t.product)/>
        <p class="crumbs"><a href="/contacts">{c.back}</a></p>
        <h1>{c.new_contact}</h1>
        {body}
    }
}

#[component]
pub fn ContactDetailPage() -> impl IntoView {
    let t = use_strings();
    let id = route_id();
    let can_write = use_can(Action::ContactsWrite);
    let save = ServerAction::<SaveContact>::new();
    let delete = ServerAction::<DeleteContact>::new();
    let memberships = MembershipActions::new();
    // Fetched again after a save that worked, not after a refused one: the hydrated
    // form then keeps what was typed, beside its errors.
    let saved = Memo::new(move |last: Option<&Option<DateTime<Utc>>>| {
        let now = save.value().with(|v| match v {
            Some(Ok(contact)) => Some(contact.updated_at),
            _ => None,
        });
        now.or_else(|| last.copied().flatten())
    });
    let contact = Resource::new(
        move || (id.get(), saved.get(), memberships.versions()),
        |(id, _, _)| async move {
            match id {
                Some(id) => get_contact(id).await,
                None => Err(AppError::NotFound("contact".into())),
            }
        },
    );
    let history = Resource::new(
        move || (id.get(), saved.get()),
        |(id, _)| async move {
            match id {
                Some(id) => consent_history(id).await,
                None => Ok(vec![]),
            }
        },
    );
    // Loaded beside the contact, not in a nested `Suspense` under it: a resource created
    // while rendering resolved content failed to hydrate.
    let lists = can_write.then(|| Resource::new(|| (), |_| list_options()));
    let flashed = can_write.then(|| Resource::new(|| (), |_| take_flash(FlashKind::ContactForm)));
    view! {
        <p class="crumbs"><a href="/contacts">{t.contacts.back}</a></p>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let lists = match lists {
                    Some(lists) => lists.await.unwrap_or_default(),
                    None => vec![],
                };
                let flash = match flashed {
                    Some(flashed) => flashed.await.ok().flatten(),
                    None => None,
                };
                // Once a save has worked, the flash of an earlier refused one is stale.
                let flash = flash.filter(|_| saved.get_untracked().is_none());
                let history = history.await.unwrap_or_default();
                match contact.await {
                    Ok(contact) => view! { <Detail contact lists flash save delete memberships history/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(
    contact: ContactDto,
    lists: Vec<ListOption>,
    flash: Option<String>,
    save: ServerAction<SaveContact>,
    delete: ServerAction<DeleteContact>,
    memberships: MembershipActions,
    history: Vec<ConsentRecordDto>,
) -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let can_write = use_can(Action::ContactsWrite);
    let heading = full_name(&contact)
        .or_else(|| contact.email.clone())
        .or_else(|| contact.phone.clone())
        .unwrap_or_else(|| c.edit_title.to_owned());
    let id = contact.id;
    let held = contact.lists.clone();
    let facts = view! {
        <dl class="facts">
            <dt>{c.created_at}</dt>
            <dd>{date(&contact.created_at)}</dd>
            <dt>{c.updated_at}</dt>
            <dd>{date(&contact.updated_at)}</dd>
        </dl>
        <p>
            <a class="button" href=format!("/api/contacts/{id}/export") download
                data-testid="export">{c.export_json}</a>
        </p>
    };
    let body = if can_write {
        let delete_error = Signal::derive(move || delete.value().get().and_then(Result::err));
        let fields = starting_fields(Some(&contact), flash.as_deref());
        view! {
            <ContactForm fields save/>
            <Memberships contact_id=id held lists actions=memberships can_write/>
            <section class="danger-zone" aria-label=c.delete>
                <ErrorAlert error=delete_error/>
                <h2>{c.erase_title}</h2>
                <p class="muted">{c.erase_hint}</p>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="check">
                        <input type="checkbox" id="erase-confirm" name="confirm" value="yes"
                            required/>
                        <label for="erase-confirm">{c.erase_confirm}</label>
                    </div>
                    <button type="submit" class="button danger" data-testid="erase">{c.delete}</button>
                </ActionForm>
            </section>
        }
        .into_any()
    } else {
        view! {
            <p class="muted" data-testid="read-only">{c.read_only}</p>
            <ReadOnly contact/>
            <Memberships contact_id=id held lists actions=memberships can_write/>
        }
        .into_any()
    };
    view! {
        <Title text=format!("{heading} · {}", t.product)/>
        <h1>{heading}</h1>
        {facts}
        {body}
        <ConsentHistory history/>
    }
}

/// The consent ledger, oldest first: what was agreed to, on which basis, from where.
#[component]
fn ConsentHistory(history: Vec<ConsentRecordDto>) -> impl IntoView {
    let c = use_strings().contacts;
    if history.is_empty() {
        return view! {
            <section aria-label=c.consent_history>
                <h2>{c.consent_history}</h2>
                <p class="muted" data-testid="consent-history">{c.consent_history_empty}</p>
            </section>
        }
        .into_any();
    }
    let rows = history
        .into_iter()
        .map(|r| {
            let mut source = r.source.clone();
            if let Some(what) = &r.source_ref {
                source.push_str(&format!(" · {what}"));
            }
            if let Some(line) = r.source_line {
                source.push_str(&format!(" · {line}"));
            }
            view! {
                <tr>
                    <td>{r.recorded_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td>{c.channel_name(r.channel)}</td>
                    <td>{c.consent_name(r.state)}</td>
                    <td>{c.basis_name(r.lawful_basis)}</td>
                    <td>{source}</td>
                    <td>{r.wording.unwrap_or_else(|| "—".to_owned())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-label=c.consent_history>
            <h2>{c.consent_history}</h2>
            <table class="table" data-testid="consent-history">
                <thead>
                    <tr>
                        <th scope="col">{c.history_when}</th>
                        <th scope="col">{c.history_channel}</th>
                        <th scope="col">{c.history_state}</th>
                        <th scope="col">{c.history_basis}</th>
                        <th scope="col">{c.history_source}</th>
                        <th scope="col">{c.history_wording}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}

/// Everything the form would show, for readers.
#[component]
fn ReadOnly(contact: ContactDto) -> impl IntoView {
    let c = use_strings().contacts;
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    let consents = contact
        .consents
        .iter()
        .map(|k| view! { <dt>{c.channel_name(k.channel)}</dt><dd>{c.consent_name(k.state)}</dd> })
        .collect_view();
    let attributes = serde_json::to_string_pretty(&contact.attributes).unwrap_or_default();
    view! {
        <dl class="facts" data-testid="contact-facts">
            <dt>{c.email}</dt><dd>{or_dash(&contact.email)}</dd>
            <dt>{c.phone}</dt><dd>{or_dash(&contact.phone)}</dd>
            <dt>{c.first_name}</dt><dd>{or_dash(&contact.first_name)}</dd>
            <dt>{c.last_name}</dt><dd>{or_dash(&contact.last_name)}</dd>
            <dt>{c.locale}</dt><dd>{or_dash(&contact.locale)}</dd>
            <dt>{c.time_zone}</dt><dd>{or_dash(&contact.time_zone)}</dd>
        </dl>
        <h2>{c.consents}</h2>
        <dl class="facts">{consents}</dl>
        {(!contact.attributes.is_empty()).then(|| view! {
            <h2>{c.attributes}</h2>
            <pre class="attributes">{attributes}</pre>
        })}
    }
}
