//! A started campaign's results on its page: sent → delivered → opened → clicked, with
//! the rates, and its most clicked links. Read from the counters, like the dashboard;
//! fetched by the page with its other data (a resource made inside a suspended view
//! would not hydrate).

use crate::{
    components::use_strings,
    model::{CampaignEngagement, Counts},
    pages::dashboard::tile,
};
use leptos::prelude::*;

#[component]
pub fn Engagement(e: CampaignEngagement) -> impl IntoView {
    let t = use_strings();
    view! {
        <section aria-labelledby="engagement-title" data-testid="engagement">
            <h2 id="engagement-title">{t.dashboard.engagement}</h2>
            <Funnel e/>
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
    let tile = |id: &str, label, value| tile(format!("engagement-{id}"), label, value);
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
