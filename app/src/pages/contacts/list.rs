//! The contacts list. Search, list filter and page live in the query string and the
//! search form is a plain GET form, so the list works the same without JavaScript.

use super::parts::href;
use crate::{
    api::{list_contacts, list_options},
    components::{date, error_text, query_text, use_can, use_strings, Pager},
    model::{Action, ContactDto, ListOption, Page, SearchQuery},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PER_PAGE: u64 = 25;

#[component]
pub fn ContactsPage() -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let can_write = use_can(Action::ContactsWrite);
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            let text = |k: &str| query_text(q, k);
            SearchQuery {
                page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p > 0),
                per_page: Some(PER_PAGE),
                sort: None,
                q: text("q"),
                list_id: text("list_id").filter(|id| id.parse::<uuid::Uuid>().is_ok()),
            }
        })
    });
    let contacts = Resource::new(move || query.get(), list_contacts);
    let lists = Resource::new(|| (), |_| list_options());
    view! {
        <Title text=format!("{} · {}", t.contacts_title, t.product)/>
        <div class="page-head">
            <h1>{t.contacts_title}</h1>
            {can_write.then(|| view! {
                <div class="head-actions">
                    <a class="button secondary" href="/contacts/import">{c.import}</a>
                    <a class="button primary" href="/contacts/new">{c.new_contact}</a>
                </div>
            })}
        </div>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                let lists = lists.await.unwrap_or_default();
                let q = query.get_untracked();
                let search = view! { <Search query=q.clone() lists/> };
                let body = match contacts.await {
                    Ok(page) if page.items.is_empty() => {
                        let filtered = q.q.is_some() || q.list_id.is_some();
                        view! { <p class="muted" data-testid="contacts-empty">{if filtered { c.none_match } else { c.none_yet }}</p> }.into_any()
                    }
                    Ok(page) => view! { <ContactsTable page query=q/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                };
                view! { {search} {body} }
            })}
        </Transition>
    }
}

#[component]
fn Search(query: SearchQuery, lists: Vec<ListOption>) -> impl IntoView {
    let c = use_strings().contacts;
    let selected = query.list_id;
    let options = lists
        .into_iter()
        .map(|l| view! { <option value=l.id.to_string() selected=selected.as_deref() == Some(l.id.to_string().as_str())>{l.name}</option> })
        .collect_view();
    view! {
        <form method="get" action="/contacts" class="form form-row filters" role="search">
            <div class="field grow">
                <label for="contact-search">{c.search}</label>
                <input id="contact-search" type="search" name="q" value=query.q.unwrap_or_default()
                    aria-describedby="contact-search-hint"/>
                <p class="hint" id="contact-search-hint">{c.search_hint}</p>
            </div>
            <div class="field">
                <label for="contact-list">{c.list}</label>
                <select id="contact-list" name="list_id">
                    <option value="">{c.all_lists}</option>
                    {options}
                </select>
            </div>
            <button type="submit" class="button secondary">{c.filter}</button>
        </form>
    }
}

pub fn full_name(contact: &ContactDto) -> Option<String> {
    let parts: Vec<&str> = [&contact.first_name, &contact.last_name]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[component]
fn ContactsTable(page: Page<ContactDto>, query: SearchQuery) -> impl IntoView {
    let c = use_strings().contacts;
    let rows = page
        .items
        .into_iter()
        .map(|contact| {
            let name = full_name(&contact).unwrap_or_else(|| c.no_name.to_owned());
            view! {
                <tr data-testid="contact-row">
                    <td><a href=format!("/contacts/{}", contact.id)>{name}</a></td>
                    <td>{contact.email.clone().unwrap_or_default()}</td>
                    <td>{contact.phone.clone().unwrap_or_default()}</td>
                    <td>{date(&contact.updated_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let link = move |n: u64| {
        href(
            "/contacts",
            &[
                ("page", Some(n.to_string())),
                ("q", query.q.clone()),
                ("list_id", query.list_id.clone()),
            ],
        )
    };
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="contacts">
                <thead>
                    <tr>
                        <th scope="col">{c.col_name}</th>
                        <th scope="col">{c.col_email}</th>
                        <th scope="col">{c.col_phone}</th>
                        <th scope="col">{c.col_updated}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager current=page.page per_page=page.per_page total=page.total href=link/>
    }
}
