//! `/settings/audit`: the organization's audit log, for admins. The filters are a plain
//! GET form and live in the query string, so the page works the same without
//! JavaScript; the CSV link carries the same filters.

use crate::{
    api::list_audit,
    components::{error_text, query_text, use_strings, Pager},
    model::{AuditEntryDto, AuditQuery, Page, AUDIT_ACTIONS},
    pages::contacts::parts::href,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PER_PAGE: u64 = 50;

#[component]
pub fn AuditPage() -> impl IntoView {
    let t = use_strings();
    let p = t.privacy;
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            let text = |k: &str| query_text(q, k);
            AuditQuery {
                page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p > 0),
                per_page: Some(PER_PAGE),
                action: text("action"),
                actor_id: None,
                target_id: None,
                from: text("from"),
                to: text("to"),
            }
        })
    });
    let entries = Resource::new(move || query.get(), list_audit);
    view! {
        <Title text=format!("{} · {}", p.audit_title, t.product)/>
        <section aria-labelledby="audit-title">
            <h2 id="audit-title">{p.audit_title}</h2>
            <p class="muted">{p.audit_intro}</p>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    let q = query.get_untracked();
                    let filters = view! { <Filters query=q.clone()/> };
                    let body = match entries.await {
                        Ok(page) if page.items.is_empty() => view! { <p class="muted" data-testid="audit-empty">{p.audit_none}</p> }.into_any(),
                        Ok(page) => view! { <AuditTable page query=q/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    };
                    view! { {filters} {body} }
                })}
            </Transition>
        </section>
    }
}

/// An address with the filters of `q` (and `page`), for the pager and the CSV link.
fn with_filters(path: &str, q: &AuditQuery, page: Option<u64>) -> String {
    href(
        path,
        &[
            ("action", q.action.clone()),
            ("from", q.from.clone()),
            ("to", q.to.clone()),
            ("page", page.map(|p| p.to_string())),
        ],
    )
}

#[component]
fn Filters(query: AuditQuery) -> impl IntoView {
    let p = use_strings().privacy;
    let chosen = query.action.clone().unwrap_or_default();
    let mut kinds: Vec<&str> = AUDIT_ACTIONS
        .iter()
        .filter_map(|a| a.split('.').next())
        .collect();
    kinds.dedup();
    let options = kinds
        .into_iter()
        .map(|k| {
            let actions = AUDIT_ACTIONS
                .iter()
                .filter(|a| a.split('.').next() == Some(k))
                .map(|a| view! { <option value=*a selected=chosen == *a>{*a}</option> })
                .collect_view();
            view! {
                <option value=k selected=chosen == k>{format!("{k}.*")}</option>
                {actions}
            }
        })
        .collect_view();
    let csv = with_filters("/api/audit.csv", &query, None);
    view! {
        <form method="get" action="/settings/audit" class="form form-row filters" role="search">
            <div class="field">
                <label for="audit-action">{p.audit_action}</label>
                <select id="audit-action" name="action">
                    <option value="">{p.audit_all}</option>
                    {options}
                </select>
            </div>
            <div class="field">
                <label for="audit-from">{p.audit_from}</label>
                <input id="audit-from" type="date" name="from" value=query.from.clone().unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="audit-to">{p.audit_to}</label>
                <input id="audit-to" type="date" name="to" value=query.to.clone().unwrap_or_default()/>
            </div>
            <button type="submit" class="button secondary">{p.audit_filter}</button>
            <a class="button secondary" href=csv download data-testid="audit-csv">{p.audit_csv}</a>
        </form>
    }
}

#[component]
fn AuditTable(page: Page<AuditEntryDto>, query: AuditQuery) -> impl IntoView {
    let p = use_strings().privacy;
    let rows = page
        .items
        .into_iter()
        .map(|e| {
            let who = e
                .actor_email
                .clone()
                .or_else(|| e.actor_id.map(|a| a.to_string()))
                .unwrap_or_else(|| "—".to_owned());
            let who = match e.token_id {
                Some(token) => format!("{who} (token {token})"),
                None => who,
            };
            let target = match &e.target_id {
                Some(id) => format!("{} {id}", e.target_kind),
                None => e.target_kind.clone(),
            };
            view! {
                <tr data-testid="audit-row">
                    <td>{e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td>{who}</td>
                    <td><code>{e.action.clone()}</code></td>
                    <td>{target}</td>
                    <td>{e.ip.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td><code>{e.details.to_string()}</code></td>
                </tr>
            }
        })
        .collect_view();
    let href = move |n: u64| with_filters("/settings/audit", &query, Some(n));
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="audit">
                <thead>
                    <tr>
                        <th scope="col">{p.col_at}</th>
                        <th scope="col">{p.col_who}</th>
                        <th scope="col">{p.col_action}</th>
                        <th scope="col">{p.col_target}</th>
                        <th scope="col">{p.col_ip}</th>
                        <th scope="col">{p.col_details}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager current=page.page per_page=page.per_page total=page.total href/>
    }
}
