//! A started campaign's results on its page: the funnel from its audience to the clicks
//! with the rates, a chart per channel, its most clicked links, why deliveries failed,
//! and the CSV export of its deliveries. Read from the counters, like the dashboard;
//! refreshed with the progress while the campaign runs.

use crate::{
    components::{use_strings, Chart},
    model::{CampaignEngagement, ChartSpec, Counts},
    pages::dashboard::{tile, ChannelTable},
};
use leptos::prelude::*;
use uuid::Uuid;

#[component]
pub fn Engagement(id: Uuid, e: Signal<CampaignEngagement>) -> impl IntoView {
    let t = use_strings();
    let d = t.dashboard;
    let all = Memo::new(move |_| {
        e.with(|e| {
            let mut all = Counts::default();
            for c in &e.stats.channels {
                all += c.counts;
            }
            all
        })
    });
    let chart = move |key: &'static str| {
        Signal::derive(move || e.with(|e| ChartSpec::find(&e.charts, key)))
    };
    let count = move |f: fn(&Counts) -> u64| move || d.number(all.with(f));
    let rate = move |f: fn(&crate::model::Rates) -> Option<f64>| {
        move || d.percent(e.with(|e| f(&e.stats.rates)))
    };
    let id_of = |name: &str| format!("engagement-{name}");
    view! {
        <section aria-labelledby="engagement-title" data-testid="engagement">
            <h2 id="engagement-title">{d.engagement}</h2>
            <dl class="tiles">
                {tile(id_of("audience"), d.audience, move || d.number(e.with(|e| e.audience)))}
                {tile(id_of("sent"), d.sent, count(|a| a.sent))}
                {tile(id_of("delivered"), d.delivered, count(|a| a.delivered))}
                {tile(id_of("opened"), d.opens, count(|a| a.unique_opens))}
                {tile(id_of("clicked"), d.clicks, count(|a| a.unique_clicks))}
                {tile(id_of("open-rate"), d.open_rate, rate(|r| r.open))}
                {tile(id_of("click-rate"), d.click_rate, rate(|r| r.click))}
                {tile(id_of("failure-rate"), d.failure_rate, rate(|r| r.failure))}
            </dl>
            <div class="charts">
                // The tiles above are the funnel's figures.
                <Chart spec=chart("funnel")/>
                <Chart spec=chart("campaign-channels")>
                    {move || view! { <ChannelTable prefix="engagement" rows=e.with(|e| e.stats.channels.clone())/> }}
                </Chart>
            </div>
            <Links e/>
            <Failures e/>
            <p>
                <a class="button secondary" href=format!("/api/campaigns/{id}/deliveries.csv") download=""
                    data-testid="engagement-csv">{d.export_csv}</a>
            </p>
        </section>
    }
}

#[component]
fn Links(e: Signal<CampaignEngagement>) -> impl IntoView {
    let d = use_strings().dashboard;
    let rows = move || {
        e.with(|e| {
            e.links
                .iter()
                .map(|l| {
                    view! {
                        <tr data-testid="engagement-link">
                            <td class="url">{l.url.clone()}</td>
                            <td>{d.number(l.clicks)}</td>
                            <td>{d.number(l.unique_clicks)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div hidden=move || e.with(|e| e.links.is_empty())>
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
        </div>
    }
}

#[component]
fn Failures(e: Signal<CampaignEngagement>) -> impl IntoView {
    let d = use_strings().dashboard;
    let rows = move || {
        e.with(|e| {
            e.failures
                .iter()
                .map(|f| {
                    view! {
                        <tr data-testid="engagement-failure">
                            <td data-testid="engagement-failure-reason">{f.reason.clone().unwrap_or_else(|| d.no_reason.to_owned())}</td>
                            <td data-testid="engagement-failure-count">{d.number(f.count)}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div hidden=move || e.with(|e| e.failures.is_empty()) data-testid="engagement-failures">
            <h3>{d.failures_title}</h3>
            <div class="table-wrap">
                <table class="table">
                    <thead><tr>
                        <th scope="col">{d.col_reason}</th>
                        <th scope="col">{d.col_count}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}
