//! The campaigns list. Filters, search and page live in the query string and the
//! filter form is a plain GET form, so the list works the same without JavaScript.

use super::parts::{channel_names, StatusBadge};
use crate::{
    api::{list_campaigns, CampaignView},
    components::{date, error_text, query_text, use_can, use_strings, Pager},
    model::{Action, CampaignQuery, CampaignStatus, Channel, Page},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PER_PAGE: u64 = 20;

#[component]
pub fn CampaignsPage() -> impl IntoView {
    let t = use_strings();
    let c = t.campaigns;
    let can_write = use_can(Action::CampaignsWrite);
    let query_map = use_query_map();
    let query = Memo::new(move |_| {
        query_map.with(|q| {
            let text = |k: &str| query_text(q, k);
            CampaignQuery {
                page: text("page").and_then(|p| p.parse().ok()).filter(|p| *p > 0),
                per_page: Some(PER_PAGE),
                sort: None,
                q: text("q"),
                status: text("status"),
                channel: text("channel"),
            }
        })
    });
    let campaigns = Resource::new(move || query.get(), list_campaigns);
    view! {
        <Title text=format!("{} · {}", t.campaigns_title, t.product)/>
        <div class="page-head">
            <h1>{t.campaigns_title}</h1>
            {can_write.then(|| view! { <a class="button primary" href="/campaigns/new">{c.new_campaign}</a> })}
        </div>
        <Filters query=query.get_untracked()/>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match campaigns.await {
                    Ok(page) if page.items.is_empty() => {
                        let q = query.get_untracked();
                        let filtered = q.q.is_some() || q.status.is_some() || q.channel.is_some();
                        view! { <p class="muted" data-testid="campaigns-empty">{if filtered { c.none_match } else { c.none_yet }}</p> }.into_any()
                    }
                    Ok(page) => view! { <CampaignsTable page query=query.get_untracked()/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Filters(query: CampaignQuery) -> impl IntoView {
    let c = use_strings().campaigns;
    let status = query.status.clone().unwrap_or_default();
    let channel = query.channel.clone().unwrap_or_default();
    let status_options = CampaignStatus::ALL
        .into_iter()
        .map(|s| view! { <option value=s.as_str() selected=status == s.as_str()>{c.status_name(s)}</option> })
        .collect_view();
    let channel_options = Channel::ALL
        .into_iter()
        .map(|ch| view! { <option value=ch.as_str() selected=channel == ch.as_str()>{c.channel_name(ch)}</option> })
        .collect_view();
    view! {
        <form method="get" action="/campaigns" class="form form-row filters" role="search">
            <div class="field">
                <label for="campaign-search">{c.search}</label>
                <input id="campaign-search" type="search" name="q" value=query.q.unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="campaign-status">{c.status}</label>
                <select id="campaign-status" name="status">
                    <option value="">{c.any}</option>
                    {status_options}
                </select>
            </div>
            <div class="field">
                <label for="campaign-channel">{c.channel}</label>
                <select id="campaign-channel" name="channel">
                    <option value="">{c.any}</option>
                    {channel_options}
                </select>
            </div>
            <button type="submit" class="button secondary">{c.filter}</button>
        </form>
    }
}

#[component]
fn CampaignsTable(page: Page<CampaignView>, query: CampaignQuery) -> impl IntoView {
    let t = use_strings();
    let c = t.campaigns;
    let rows = page
        .items
        .into_iter()
        .map(|view| {
            let scheduled = view.scheduled_display();
            let dto = view.campaign;
            let when = match scheduled {
                Some(at) => {
                    view! { {at} " " <span class="muted">"(" {dto.time_zone.clone()} ")"</span> }
                        .into_any()
                }
                None => view! { <span class="muted">{c.not_scheduled}</span> }.into_any(),
            };
            view! {
                <tr data-testid="campaign-row">
                    <td><a href=format!("/campaigns/{}", dto.id)>{dto.title.clone()}</a></td>
                    <td><StatusBadge status=dto.status/></td>
                    <td>{channel_names(&dto.channels)}</td>
                    <td>{when}</td>
                    <td>{date(&dto.updated_at)}</td>
                </tr>
            }
        })
        .collect_view();
    let link = move |n: u64| page_href(&query, n);
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="campaigns">
                <thead>
                    <tr>
                        <th scope="col">{c.col_title}</th>
                        <th scope="col">{c.col_status}</th>
                        <th scope="col">{c.col_channels}</th>
                        <th scope="col">{c.col_scheduled}</th>
                        <th scope="col">{c.col_updated}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager current=page.page per_page=page.per_page total=page.total href=link/>
    }
}

/// The list's address for page `n`, keeping the filters.
fn page_href(query: &CampaignQuery, n: u64) -> String {
    let mut pairs = vec![("page".to_owned(), n.to_string())];
    for (k, v) in [
        ("q", &query.q),
        ("status", &query.status),
        ("channel", &query.channel),
    ] {
        if let Some(v) = v {
            pairs.push((k.to_owned(), v.clone()));
        }
    }
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::components::query_value(v)))
        .collect();
    format!("/campaigns?{}", encoded.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_links_keep_the_filters() {
        let q = CampaignQuery {
            q: Some("spring sale&co".into()),
            status: Some("draft".into()),
            ..Default::default()
        };
        assert_eq!(
            page_href(&q, 2),
            "/campaigns?page=2&q=spring%20sale%26co&status=draft"
        );
    }
}
