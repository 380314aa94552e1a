//! A started campaign's results on its page: sent → delivered → opened → clicked, with
//! the rates, and its most clicked links. Read from the counters, like the dashboard.

use crate::{
    api::get_campaign_engagement,
    components::{error_text, use_strings},
    model::{CampaignEngagement, Counts},
};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn Engagement(id: Uuid) -> impl IntoView {
    let t = use_strings();
    let figures = Resource::new(move || id, get_campaign_engagement);
    view! {
        <section aria-labelledby="engagement-title" data-testid="engagement">
            <h2 id="engagement-title">{t.dashboard.engagement}</h2>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match figures.await {
                        Ok(e) => view! { <Funnel e/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Funnel(e: CampaignEngagement) -> impl IntoView {
    let d = use_strings().dashboard;
    let mut all = Counts::default();
    for c in &e.stats.channels {
        all += c.counts;
    }
    let r = e.stats.rates;
    let tile = move |id: &'static str, label: &'static str, value: String| {
        view! {
            <div class="tile">
                <dt>{label}</dt>
                <dd data-testid=format!("engagement-{id}")>{value}</dd>
            </div>
        }
    };
    let links = (!e.links.is_empty()).then(|| {
        let rows = e
            .links
            .into_iter()
            .map(|l| {
                view! {
                    <tr data-testid="engagement-link">
                        <td class="url">{l.url}</td>
                        <td>{d.number(l.clicks)}</td>
                        <td>{d.number(l.unique_clicks)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <h3>{d.top_links}</h3>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{d.col_link}</th>
                        <th scope="col">{d.col_clicks}</th>
                        <th scope="col">{d.col_unique_clicks}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    view! {
        <dl class="tiles">
            {tile("sent", d.sent, d.number(all.sent))}
            {tile("delivered", d.delivered, d.number(all.delivered))}
            {tile("opened", d.opens, d.number(all.unique_opens))}
            {tile("clicked", d.clicks, d.number(all.unique_clicks))}
            {tile("open-rate", d.open_rate, d.percent(r.open))}
            {tile("click-rate", d.click_rate, d.percent(r.click))}
            {tile("failure-rate", d.failure_rate, d.percent(r.failure))}
        </dl>
        {links}
    }
}
