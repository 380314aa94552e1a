//! `/settings/suppressions`: the suppression list, for admins: look an address up, add
//! one, lift an entry. Plain forms, so it works without JavaScript.

use crate::{
    api::{list_suppressions, AddSuppression, RemoveSuppression},
    components::{date, error_text, query_text, use_strings, ErrorAlert, FieldError, Pager},
    model::{Channel, Page, SuppressionDto, SuppressionQuery},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PER_PAGE: u64 = 50;

#[component]
pub fn SuppressionsPage() -> impl IntoView {
    let t = use_strings();
    let p = t.privacy;
    let add = ServerAction::<AddSuppression>::new();
    let remove = ServerAction::<RemoveSuppression>::new();
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            let text = |k: &str| query_text(q, k);
            SuppressionQuery {
                page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p > 0),
                per_page: Some(PER_PAGE),
                channel: None,
                address: text("address"),
            }
        })
    });
    let entries = Resource::new(
        move || (query.get(), add.version().get(), remove.version().get()),
        |(q, _, _)| list_suppressions(q),
    );
    let add_error = Signal::derive(move || add.value().get().and_then(Result::err));
    let address_error = Signal::derive(move || {
        add_error.with(|e| e.as_ref().and_then(|e| e.field_error("address")))
    });
    let remove_error = Signal::derive(move || remove.value().get().and_then(Result::err));
    let channels = Channel::ALL
        .into_iter()
        .map(|c| view! { <option value=c.as_str()>{t.contacts.channel_name(c)}</option> })
        .collect_view();
    view! {
        <Title text=format!("{} · {}", p.suppressions_title, t.product)/>
        <section aria-labelledby="suppressions-title">
            <h2 id="suppressions-title">{p.suppressions_title}</h2>
            <p class="muted">{p.suppressions_intro}</p>
            <form method="get" action="/settings/suppressions" class="form form-row filters" role="search">
                <div class="field grow">
                    <label for="suppression-search">{p.search}</label>
                    <input id="suppression-search" type="search" name="address"
                        value=move || query.get().address.unwrap_or_default()/>
                </div>
                <button type="submit" class="button secondary">{p.find}</button>
            </form>
            <ErrorAlert error=remove_error/>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match entries.await {
                        Ok(page) if page.items.is_empty() => view! { <p class="muted" data-testid="suppressions-empty">{p.suppressions_none}</p> }.into_any(),
                        Ok(page) => view! { <SuppressionsTable page remove/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section aria-labelledby="suppress-title">
            <h2 id="suppress-title">{p.add_title}</h2>
            <ErrorAlert error=add_error/>
            <ActionForm action=add attr:class="form form-row">
                <div class="field">
                    <label for="suppress-channel">{p.channel}</label>
                    <select id="suppress-channel" name="channel">{channels}</select>
                </div>
                <div class="field grow">
                    <label for="suppress-address">{p.address}</label>
                    <input id="suppress-address" name="address" required
                        aria-describedby="suppress-address-error"/>
                    <FieldError id="suppress-address-error".to_owned() message=address_error/>
                </div>
                <button type="submit" class="button primary">{p.add}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn SuppressionsTable(
    page: Page<SuppressionDto>,
    remove: ServerAction<RemoveSuppression>,
) -> impl IntoView {
    let t = use_strings();
    let p = t.privacy;
    let rows = page
        .items
        .into_iter()
        .map(|s| {
            let contact = s.contact_id.map(|c| {
                view! { <a href=format!("/contacts/{c}")>{p.col_contact}</a> }
            });
            view! {
                <tr data-testid="suppression-row">
                    <td>{t.contacts.channel_name(s.channel)}</td>
                    <td>{p.reason_name(s.reason)}</td>
                    <td>{contact}</td>
                    <td>{date(&s.created_at)}</td>
                    <td>
                        <ActionForm action=remove attr:class="inline-form">
                            <input type="hidden" name="id" value=s.id.to_string()/>
                            <button type="submit" class="button danger">{p.remove}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="suppressions">
                <thead>
                    <tr>
                        <th scope="col">{p.col_channel}</th>
                        <th scope="col">{p.col_reason}</th>
                        <th scope="col">{p.col_contact}</th>
                        <th scope="col">{p.col_added}</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager current=page.page per_page=page.per_page total=page.total
            href=|n| format!("/settings/suppressions?page={n}")/>
    }
}
