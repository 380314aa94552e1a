//! The lists with their member counts, a page at a time (`page` and `per_page` in the
//! query string, pager links). Every change is an `ActionForm`: without JavaScript it
//! posts and comes back here, with it the table refetches.

use crate::{
    api::{list_lists, CreateList, DeleteList, RenameList},
    components::{error_text, use_can, use_strings, ErrorAlert, Pager},
    model::{Action, ListDto, SearchQuery},
    pages::contacts::parts::href,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PER_PAGE: u64 = 25;
/// The most the lists service gives in one page.
const MAX_PER_PAGE: u64 = 100;

#[derive(Clone, Copy)]
struct Actions {
    create: ServerAction<CreateList>,
    rename: ServerAction<RenameList>,
    delete: ServerAction<DeleteList>,
}

#[component]
pub fn ListsPage() -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let can_write = use_can(Action::ListsWrite);
    let actions = Actions {
        create: ServerAction::new(),
        rename: ServerAction::new(),
        delete: ServerAction::new(),
    };
    let versions = move || {
        (
            actions.create.version().get(),
            actions.rename.version().get(),
            actions.delete.version().get(),
        )
    };
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            let number = |k: &str| q.get(k).and_then(|v| v.trim().parse::<u64>().ok());
            SearchQuery {
                page: number("page").filter(|p| *p > 0),
                // Kept within what the service accepts, so an edited address still works.
                per_page: Some(
                    number("per_page")
                        .unwrap_or(PER_PAGE)
                        .clamp(1, MAX_PER_PAGE),
                ),
                ..Default::default()
            }
        })
    });
    let lists = Resource::new(move || (query.get(), versions()), |(q, _)| list_lists(q));
    let error = Signal::derive(move || {
        actions
            .rename
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.delete.value().get().and_then(Result::err))
    });
    view! {
        <Title text=format!("{} · {}", c.lists_title, t.product)/>
        <div class="page-head">
            <h1>{c.lists_title}</h1>
        </div>
        {if can_write {
            view! { <NewList action=actions.create/> }.into_any()
        } else {
            view! { <p class="muted" data-testid="read-only">{c.lists_read_only}</p> }.into_any()
        }}
        <ErrorAlert error/>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match lists.await {
                    Ok(page) if page.total == 0 => {
                        view! { <p class="muted" data-testid="lists-empty">{c.lists_none}</p> }.into_any()
                    }
                    Ok(page) => {
                        let custom = query.get_untracked().per_page.filter(|n| *n != PER_PAGE);
                        view! {
                            <ListsTable lists=page.items actions can_write/>
                            <ListsPager current=page.page per_page=page.per_page total=page.total custom_per_page=custom/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The pager; its links keep a `per_page` that was asked for in the address.
#[component]
fn ListsPager(
    current: u64,
    per_page: u64,
    total: u64,
    custom_per_page: Option<u64>,
) -> impl IntoView {
    let link = move |n: u64| {
        href(
            "/lists",
            &[
                ("page", Some(n.to_string())),
                ("per_page", custom_per_page.map(|p| p.to_string())),
            ],
        )
    };
    view! { <Pager current per_page total href=link/> }
}

#[component]
fn NewList(action: ServerAction<CreateList>) -> impl IntoView {
    let c = use_strings().contacts;
    let error = Signal::derive(move || action.value().get().and_then(Result::err));
    let message = move |key: &'static str| {
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(key))))
    };
    view! {
        <section class="card" aria-labelledby="new-list-title">
            <h2 id="new-list-title">{c.new_list}</h2>
            <ActionForm action attr:class="form form-row" attr:novalidate=true>
                <ErrorAlert error/>
                <div class="field">
                    <label for="list-name">{c.list_name}</label>
                    <input id="list-name" name="name" required=true
                        aria-invalid=move || message("name").with(Option::is_some).then_some("true")/>
                    <crate::components::FieldError id="list-name-error".to_owned() message=message("name")/>
                </div>
                <div class="field grow">
                    <label for="list-description">{c.list_description}</label>
                    <input id="list-description" name="description"/>
                </div>
                <button type="submit" class="button primary">{c.create_list}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn ListsTable(lists: Vec<ListDto>, actions: Actions, can_write: bool) -> impl IntoView {
    let c = use_strings().contacts;
    let rows = lists
        .into_iter()
        .map(|l| {
            let id = l.id.to_string();
            let rename_id = format!("rename-{}", l.id);
            let (rename_key, delete_key) = (id.clone(), id.clone());
            let rename_label = format!("{} ({})", c.new_name, l.name);
            let current_name = l.name.clone();
            let controls = can_write.then(move || {
                view! {
                    <td class="row-actions">
                        <ActionForm action=actions.rename attr:class="inline-form">
                            <input type="hidden" name="id" value=rename_key/>
                            <label class="visually-hidden" for=rename_id.clone()>{rename_label}</label>
                            <input id=rename_id name="name" value=current_name required=true size=16/>
                            <button type="submit" class="button secondary">{c.rename}</button>
                        </ActionForm>
                        <ActionForm action=actions.delete attr:class="inline-form">
                            <input type="hidden" name="id" value=delete_key/>
                            <button type="submit" class="button danger">{c.delete_list}</button>
                        </ActionForm>
                    </td>
                }
            });
            view! {
                <tr data-testid="list-row">
                    <td>
                        <a href=format!("/lists/{id}")><strong>{l.name.clone()}</strong></a>
                        {(!l.description.is_empty()).then(|| view! { <br/><span class="muted">{l.description.clone()}</span> })}
                    </td>
                    <td data-testid="list-members">{l.member_count}</td>
                    <td><a href=format!("/contacts?list_id={id}")>{c.view_contacts}</a></td>
                    {controls}
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="lists">
                <thead>
                    <tr>
                        <th scope="col">{c.list_name}</th>
                        <th scope="col">{c.col_members}</th>
                        <th scope="col"><span class="visually-hidden">{c.view_contacts}</span></th>
                        {can_write.then(|| view! { <th scope="col">{c.col_actions}</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
