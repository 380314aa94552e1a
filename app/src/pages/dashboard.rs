//! The home page after login: what the organization's campaigns sent over a period and
//! what became of it — totals, per channel, and the campaigns of the period. The period
//! is a plain GET form, so the page works the same without JavaScript.

use crate::{
    api::get_dashboard,
    components::{error_text, use_strings},
    model::OrganizationStats,
    pages::campaigns::StatusBadge,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The period as the address gives it.
#[derive(Clone, Debug, PartialEq)]
struct Period {
    days: Option<u32>,
    from: Option<String>,
    to: Option<String>,
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_strings();
    let query_map = use_query_map();
    let period = Memo::new(move |_| {
        query_map.with(|q| {
            let text = |k: &str| {
                q.get(k)
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty())
            };
            Period {
                days: text("days").and_then(|d| d.parse().ok()),
                from: text("from"),
                to: text("to"),
            }
        })
    });
    let figures = Resource::new(
        move || period.get(),
        |p| get_dashboard(p.days, p.from, p.to),
    );
    view! {
        <Title text=format!("{} · {}", t.dashboard_title, t.product)/>
        <h1>{t.dashboard_title}</h1>
        <p class="muted">{t.dashboard.intro}</p>
        <PeriodForm period=period.get_untracked()/>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(s) => view! { <Figures s/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert" data-testid="dashboard-error">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn PeriodForm(period: Period) -> impl IntoView {
    let d = use_strings().dashboard;
    let days = period.days.unwrap_or(7);
    let option = move |n: u32, label: &'static str| {
        view! { <option value=n.to_string() selected=days == n>{label}</option> }
    };
    view! {
        <form method="get" action="/" class="filters" data-testid="dashboard-period">
            <div class="field">
                <label for="dashboard-days">{d.period}</label>
                <select id="dashboard-days" name="days">
                    {option(7, d.last_7)}
                    {option(30, d.last_30)}
                    {option(90, d.last_90)}
                </select>
            </div>
            <div class="field">
                <label for="dashboard-from">{d.from}</label>
                <input id="dashboard-from" name="from" type="date" value=period.from.unwrap_or_default()/>
            </div>
            <div class="field">
                <label for="dashboard-to">{d.to}</label>
                <input id="dashboard-to" name="to" type="date" value=period.to.unwrap_or_default()/>
            </div>
            <button type="submit" class="button">{d.show}</button>
        </form>
    }
}

/// One figure with its label, in a `<dl class="tiles">`.
pub fn tile(testid: String, label: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="tile">
            <dt>{label}</dt>
            <dd data-testid=testid>{value}</dd>
        </div>
    }
}

#[component]
fn Figures(s: OrganizationStats) -> impl IntoView {
    let t = use_strings();
    let d = t.dashboard;
    let tile = |id: &str, label, value| tile(format!("dashboard-{id}"), label, value);
    let success = s.rates.failure.map(|f| 1.0 - f);
    let totals = view! {
        <dl class="tiles" data-testid="dashboard-totals">
            {tile("sent", d.sent, d.number(s.totals.sent))}
            {tile("delivered", d.delivered, d.number(s.totals.delivered))}
            {tile("failed", d.failed, d.number(s.totals.failed))}
            {tile("success-rate", d.success_rate, d.percent(success))}
            {tile("failure-rate", d.failure_rate, d.percent(s.rates.failure))}
            {tile("opens", d.opens, d.number(s.totals.unique_opens))}
            {tile("clicks", d.clicks, d.number(s.totals.unique_clicks))}
        </dl>
    };
    let machines = (s.totals.machine_opens > 0).then(|| {
        view! { <p class="hint" data-testid="dashboard-machines">{(d.machine_note)(s.totals.machine_opens)}</p> }
    });
    let channel_rows = s
        .by_channel
        .iter()
        .map(|c| {
            let ch = c.channel.as_str();
            view! {
                <tr data-testid=format!("dashboard-channel-{ch}")>
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
    let campaigns = if s.campaigns.is_empty() {
        view! { <p class="muted" data-testid="dashboard-no-campaigns">{d.no_campaigns}</p> }
            .into_any()
    } else {
        let rows = s
            .campaigns
            .into_iter()
            .map(|c| {
                let sent = c.sent;
                let none = || "–".to_owned();
                view! {
                    <tr data-testid="dashboard-campaign">
                        <th scope="row"><a href=format!("/campaigns/{}", c.id)>{c.title}</a></th>
                        <td><StatusBadge status=c.status/></td>
                        <td data-testid="dashboard-campaign-sent">{if sent == 0 { none() } else { d.number(sent) }}</td>
                        <td data-testid="dashboard-campaign-opened">{d.percent(c.open_rate)}</td>
                        <td data-testid="dashboard-campaign-failure">{d.percent(c.failure_rate)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table class="table" data-testid="dashboard-campaigns">
                    <thead><tr>
                        <th scope="col">{d.col_campaign}</th>
                        <th scope="col">{d.col_status}</th>
                        <th scope="col">{d.col_sent}</th>
                        <th scope="col">{d.col_opened}</th>
                        <th scope="col">{d.col_failure}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        {totals}
        {machines}
        <section aria-labelledby="dashboard-channels">
            <h2 id="dashboard-channels">{d.by_channel}</h2>
            <div class="table-wrap">
                <table class="table" data-testid="dashboard-by-channel">
                    <thead><tr>
                        <th scope="col">{d.channel}</th>
                        <th scope="col">{d.sent}</th>
                        <th scope="col">{d.delivered}</th>
                        <th scope="col">{d.failed}</th>
                        <th scope="col">{d.opens}</th>
                        <th scope="col">{d.clicks}</th>
                    </tr></thead>
                    <tbody>{channel_rows}</tbody>
                </table>
            </div>
        </section>
        <section aria-labelledby="dashboard-campaigns-title">
            <h2 id="dashboard-campaigns-title">{d.campaigns}</h2>
            {campaigns}
        </section>
    }
}
