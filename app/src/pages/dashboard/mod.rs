//! The home page after login: what the organization's campaigns sent over a period and
//! what became of it — totals, charts per channel and over time, and the campaigns of
//! the period. The period, the table's order and its page are in the address (plain
//! GET forms and links), so the page works the same without JavaScript. While a
//! campaign of the period runs, the hydrated page reads its figures again every 5 s.

mod campaigns;
mod tables;

pub use tables::ChannelTable;

use crate::{
    api::get_dashboard,
    components::{error_text, query_text, query_value, use_strings, Chart},
    model::{ChartSpec, Dashboard, OrganizationStats},
};
use campaigns::{CampaignTable, TableView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use tables::{MixTable, SeriesTable};

/// The period as the address gives it.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Period {
    days: Option<u32>,
    from: Option<String>,
    to: Option<String>,
}

impl Period {
    /// The address's query for this period (for the table's links).
    pub(super) fn query(&self) -> String {
        let mut q = Vec::new();
        if let Some(d) = self.days {
            q.push(format!("days={d}"));
        }
        for (k, v) in [("from", &self.from), ("to", &self.to)] {
            if let Some(v) = v {
                q.push(format!("{k}={}", query_value(v)));
            }
        }
        q.join("&")
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let t = use_strings();
    let query_map = use_query_map();
    let period = Memo::new(move |_| {
        query_map.with(|q| {
            let text = |k: &str| query_text(q, k);
            Period {
                days: text("days").and_then(|d| d.parse().ok()),
                from: text("from"),
                to: text("to"),
            }
        })
    });
    let table = Memo::new(move |_| query_map.with(TableView::from_query));
    let figures = Resource::new(
        move || period.get(),
        |p| get_dashboard(p.days, p.from, p.to),
    );
    refresh_while_live(figures);
    view! {
        <Title text=format!("{} · {}", t.dashboard_title, t.product)/>
        <h1>{t.dashboard_title}</h1>
        <p class="muted">{t.dashboard.intro}</p>
        <PeriodForm period=period.get_untracked()/>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || {
                let (period, table) = (period.get(), table.get());
                Suspend::new(async move {
                match figures.await {
                    Ok(dashboard) => view! { <Figures dashboard period table/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert" data-testid="dashboard-error">{error_text(t, &e)}</div> }.into_any(),
                }
            })}}
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

/// One figure with its label, in a `<dl class="tiles">` (`value` may be reactive).
pub fn tile(testid: String, label: &'static str, value: impl IntoView + 'static) -> impl IntoView {
    view! {
        <div class="tile">
            <dt>{label}</dt>
            <dd data-testid=testid>{value}</dd>
        </div>
    }
}

/// Reads the figures again every 5 s while a campaign of the period runs (hydrated
/// pages only; one request at a time, since a refetch replaces the one in flight).
#[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
fn refresh_while_live(figures: Resource<Result<Dashboard, crate::error::AppError>>) {
    #[cfg(feature = "hydrate")]
    {
        let live = move || {
            figures.with_untracked(|f| {
                matches!(f, Some(Ok(d)) if d.stats.campaigns.iter().any(|c| crate::pages::campaigns::is_live(c.status)))
            })
        };
        if let Ok(handle) = set_interval_with_handle(
            move || {
                if live() {
                    figures.refetch();
                }
            },
            std::time::Duration::from_secs(5),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
}

#[component]
fn Figures(dashboard: Dashboard, period: Period, table: TableView) -> impl IntoView {
    let t = use_strings();
    let d = t.dashboard;
    let Dashboard { stats: s, charts } = dashboard;
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
    let chart = |key: &str| Signal::stored(ChartSpec::find(&charts, key));
    let (by_channel_chart, over_time, mix) =
        (chart("by-channel"), chart("over-time"), chart("mix"));
    let hourly = s.hourly();
    let OrganizationStats {
        by_channel,
        series,
        campaigns,
        ..
    } = s;
    let channels = by_channel.clone();
    view! {
        {totals}
        {machines}
        <section aria-labelledby="dashboard-channels">
            <h2 id="dashboard-channels">{d.by_channel}</h2>
            <div class="charts">
                <Chart spec=by_channel_chart><ChannelTable prefix="dashboard" rows=channels/></Chart>
                <Chart spec=mix><MixTable rows=by_channel/></Chart>
                <Chart spec=over_time><SeriesTable series hourly/></Chart>
            </div>
        </section>
        <section aria-labelledby="dashboard-campaigns-title">
            <h2 id="dashboard-campaigns-title">{d.campaigns}</h2>
            <CampaignTable campaigns period table/>
        </section>
    }
}
