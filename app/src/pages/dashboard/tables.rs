//! The tables beside the dashboard's charts: the same figures, for readers without
//! JavaScript or a screen.

use crate::{
    components::use_strings,
    model::{ChannelStats, SeriesPoint},
};
use leptos::prelude::*;

/// Each channel's figures; test ids start with `prefix` (`{prefix}-by-channel`,
/// `{prefix}-channel-email`).
#[component]
pub fn ChannelTable(prefix: &'static str, rows: Vec<ChannelStats>) -> impl IntoView {
    let t = use_strings();
    let d = t.dashboard;
    let rows = rows
        .iter()
        .map(|c| {
            let ch = c.channel.as_str();
            view! {
                <tr data-testid=format!("{prefix}-channel-{ch}")>
                    <th scope="row">{t.campaigns.channel_name(c.channel)}</th>
                    <td>{d.number(c.counts.sent)}</td>
                    <td>{d.number(c.counts.delivered)}</td>
                    <td>{d.number(c.counts.failed)}</td>
                    <td>{d.number(c.counts.unique_opens)}</td>
                    <td>{d.number(c.counts.unique_clicks)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid=format!("{prefix}-by-channel")>
                <thead><tr>
                    <th scope="col">{d.channel}</th>
                    <th scope="col">{d.sent}</th>
                    <th scope="col">{d.delivered}</th>
                    <th scope="col">{d.failed}</th>
                    <th scope="col">{d.opens}</th>
                    <th scope="col">{d.clicks}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Each channel's share of the messages sent.
#[component]
pub(super) fn MixTable(rows: Vec<ChannelStats>) -> impl IntoView {
    let t = use_strings();
    let d = t.dashboard;
    let total: u64 = rows.iter().map(|c| c.counts.sent).sum();
    let rows = rows
        .iter()
        .map(|c| {
            let share = (total > 0).then(|| c.counts.sent as f64 / total as f64);
            view! {
                <tr data-testid=format!("dashboard-mix-{}", c.channel.as_str())>
                    <th scope="row">{t.campaigns.channel_name(c.channel)}</th>
                    <td>{d.number(c.counts.sent)}</td>
                    <td>{d.percent(share)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details>
            <summary>{t.dashboard.as_table}</summary>
            <table class="table">
                <thead><tr>
                    <th scope="col">{d.channel}</th>
                    <th scope="col">{d.sent}</th>
                    <th scope="col">{d.share}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

/// The series per bucket, over all channels (the same sums as the chart).
#[component]
pub(super) fn SeriesTable(series: Vec<SeriesPoint>, hourly: bool) -> impl IntoView {
    let d = use_strings().dashboard;
    let format = if hourly { d.hour_format } else { d.day_format };
    let mut buckets: std::collections::BTreeMap<_, (u64, u64, u64, u64)> = Default::default();
    for p in &series {
        let b = buckets.entry(p.t).or_default();
        b.0 += p.sent;
        b.1 += p.delivered;
        b.2 += p.opens;
        b.3 += p.clicks;
    }
    let rows = buckets
        .into_iter()
        .map(|(at, b)| {
            view! {
                <tr data-testid="dashboard-series-row">
                    <th scope="row">{at.format(format).to_string()}</th>
                    <td>{d.number(b.0)}</td>
                    <td>{d.number(b.1)}</td>
                    <td>{d.number(b.2)}</td>
                    <td>{d.number(b.3)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details>
            <summary>{d.as_table}</summary>
            <table class="table">
                <thead><tr>
                    <th scope="col">{d.when}</th>
                    <th scope="col">{d.sent}</th>
                    <th scope="col">{d.delivered}</th>
                    <th scope="col">{d.opens}</th>
                    <th scope="col">{d.clicks}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}
