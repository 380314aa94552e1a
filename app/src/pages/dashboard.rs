//! The home page after login: what the organization's campaigns sent over a period and
//! what became of it — totals, charts per channel and over time, and the campaigns of
//! the period. The period, the table's order and its page are in the address (plain
//! GET forms and links), so the page works the same without JavaScript. While a
//! campaign of the period runs, the hydrated page reads its figures again every 5 s.

use crate::{
    api::get_dashboard,
    components::{error_text, query_value, use_strings, Chart, Pager},
    model::{CampaignSummary, ChannelStats, Dashboard, OrganizationStats, SeriesPoint},
    pages::campaigns::StatusBadge,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Campaigns per page of the summary table.
const PER_PAGE: usize = 10;

/// The period as the address gives it.
#[derive(Clone, Debug, PartialEq)]
struct Period {
    days: Option<u32>,
    from: Option<String>,
    to: Option<String>,
}

impl Period {
    /// The address's query for this period (for the table's links).
    fn query(&self) -> String {
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

/// The summary table's columns it can be ordered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortKey {
    Started,
    Title,
    Status,
    Sent,
    Opened,
    Failure,
}

impl SortKey {
    const ALL: [SortKey; 6] = [
        SortKey::Started,
        SortKey::Title,
        SortKey::Status,
        SortKey::Sent,
        SortKey::Opened,
        SortKey::Failure,
    ];

    fn name(self) -> &'static str {
        match self {
            SortKey::Started => "started",
            SortKey::Title => "title",
            SortKey::Status => "status",
            SortKey::Sent => "sent",
            SortKey::Opened => "opened",
            SortKey::Failure => "failure",
        }
    }

    fn parse(v: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.name() == v)
    }

    /// Ascending order; a rate not known yet comes before every rate.
    fn compare(self, a: &CampaignSummary, b: &CampaignSummary) -> std::cmp::Ordering {
        let rate = |r: Option<f64>| r.unwrap_or(-1.0);
        match self {
            SortKey::Started => a.started_at.cmp(&b.started_at),
            SortKey::Title => a.title.to_lowercase().cmp(&b.title.to_lowercase()),
            SortKey::Status => a.status.as_str().cmp(b.status.as_str()),
            SortKey::Sent => a.sent.cmp(&b.sent),
            SortKey::Opened => rate(a.open_rate).total_cmp(&rate(b.open_rate)),
            SortKey::Failure => rate(a.failure_rate).total_cmp(&rate(b.failure_rate)),
        }
    }
}

/// The summary table's order and page, from the address (default: the latest first).
#[derive(Clone, Copy, Debug, PartialEq)]
struct TableView {
    sort: SortKey,
    descending: bool,
    page: usize,
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
    let table = Memo::new(move |_| {
        query_map.with(|q| {
            let sort = q
                .get("sort")
                .and_then(|v| SortKey::parse(&v))
                .unwrap_or(SortKey::Started);
            TableView {
                sort,
                descending: q
                    .get("dir")
                    .map_or(sort == SortKey::Started, |d| d == "desc"),
                page: q
                    .get("page")
                    .and_then(|p| p.parse().ok())
                    .filter(|p| *p >= 1)
                    .unwrap_or(1),
            }
        })
    });
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
    let mut charts = charts.into_iter();
    let mut next_chart = move || {
        Signal::stored(charts.next().unwrap_or_else(|| crate::model::ChartSpec {
            key: "missing".into(),
            title: String::new(),
            option: String::new(),
        }))
    };
    let (by_channel_chart, over_time, mix) = (next_chart(), next_chart(), next_chart());
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
fn MixTable(rows: Vec<ChannelStats>) -> impl IntoView {
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
fn SeriesTable(series: Vec<SeriesPoint>, hourly: bool) -> impl IntoView {
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

/// The campaigns of the period: ordered by a column (links in the headers) and paged.
#[component]
fn CampaignTable(
    campaigns: Vec<CampaignSummary>,
    period: Period,
    table: TableView,
) -> impl IntoView {
    let d = use_strings().dashboard;
    if campaigns.is_empty() {
        return view! { <p class="muted" data-testid="dashboard-no-campaigns">{d.no_campaigns}</p> }
            .into_any();
    }
    let total = campaigns.len();
    let mut campaigns = campaigns;
    campaigns.sort_by(|a, b| {
        let o = table.sort.compare(a, b);
        if table.descending {
            o.reverse()
        } else {
            o
        }
    });
    let pages = total.div_ceil(PER_PAGE);
    let page = table.page.min(pages);
    let base = period.query();
    let href = move |sort: SortKey, descending: bool, page: usize| {
        let dir = if descending { "desc" } else { "asc" };
        let sep = if base.is_empty() { "" } else { "&" };
        format!("/?{base}{sep}sort={}&dir={dir}&page={page}", sort.name())
    };
    let header = {
        let href = href.clone();
        move |key: SortKey, label: &'static str| {
            let current = table.sort == key;
            // A first click orders numbers from the highest, words from A.
            let descending = if current {
                !table.descending
            } else {
                !matches!(key, SortKey::Title | SortKey::Status)
            };
            let aria = current.then_some(if table.descending {
                "descending"
            } else {
                "ascending"
            });
            let arrow = if current {
                if table.descending {
                    " ↓"
                } else {
                    " ↑"
                }
            } else {
                ""
            };
            view! {
                <th scope="col" aria-sort=aria>
                    <a href=href(key, descending, 1) data-testid=format!("dashboard-sort-{}", key.name())>{label}{arrow}</a>
                </th>
            }
        }
    };
    let rows = campaigns
        .into_iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|c| {
            let sent = c.sent;
            view! {
                <tr data-testid="dashboard-campaign">
                    <th scope="row"><a href=format!("/campaigns/{}", c.id)>{c.title}</a></th>
                    <td><StatusBadge status=c.status/></td>
                    <td data-testid="dashboard-campaign-sent">{if sent == 0 { "–".to_owned() } else { d.number(sent) }}</td>
                    <td data-testid="dashboard-campaign-opened">{d.percent(c.open_rate)}</td>
                    <td data-testid="dashboard-campaign-failure">{d.percent(c.failure_rate)}</td>
                </tr>
            }
        })
        .collect_view();
    let pager = (pages > 1).then(|| {
        let href = href.clone();
        view! {
            <Pager current=page as u64 per_page=PER_PAGE as u64 total=total as u64
                href=move |n| href(table.sort, table.descending, n as usize)/>
        }
    });
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="dashboard-campaigns">
                <thead><tr>
                    {header(SortKey::Title, d.col_campaign)}
                    {header(SortKey::Status, d.col_status)}
                    {header(SortKey::Sent, d.col_sent)}
                    {header(SortKey::Opened, d.col_opened)}
                    {header(SortKey::Failure, d.col_failure)}
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {pager}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CampaignStatus;

    fn summary(title: &str, sent: u64, open_rate: Option<f64>) -> CampaignSummary {
        CampaignSummary {
            id: uuid::Uuid::new_v4(),
            title: title.to_owned(),
            status: CampaignStatus::Completed,
            started_at: None,
            sent,
            open_rate,
            failure_rate: None,
        }
    }

    #[test]
    fn columns_order_campaigns_and_the_address_names_them() {
        let (a, b, c) = (
            summary("beta", 10, Some(0.5)),
            summary("Alpha", 200, None),
            summary("gamma", 3, Some(0.75)),
        );
        let order = |key: SortKey| {
            let mut all = [a.clone(), b.clone(), c.clone()];
            all.sort_by(|x, y| key.compare(x, y));
            all.map(|s| s.title).join(",")
        };
        assert_eq!(order(SortKey::Sent), "gamma,beta,Alpha");
        assert_eq!(order(SortKey::Title), "Alpha,beta,gamma");
        // Not opened yet (no rate) comes before any rate.
        assert_eq!(order(SortKey::Opened), "Alpha,beta,gamma");
        for key in SortKey::ALL {
            assert_eq!(SortKey::parse(key.name()), Some(key));
        }
        assert_eq!(SortKey::parse("drop table"), None);
        let period = Period {
            days: None,
            from: Some("2026-02-01".into()),
            to: Some("a&b=c".into()),
        };
        assert_eq!(period.query(), "from=2026-02-01&to=a%26b%3Dc");
    }
}
