//! The dashboard's table of the period's campaigns (Campaign | Status | Sent | Opened |
//! Failure rate): ordered by a column through links in its headers, and paged.

use super::Period;
use crate::{
    components::{use_strings, Pager},
    model::CampaignSummary,
    pages::campaigns::StatusBadge,
};
use leptos::prelude::*;
use leptos_router::params::ParamsMap;

/// Campaigns per page of the summary table.
const PER_PAGE: usize = 10;

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
pub(super) struct TableView {
    sort: SortKey,
    descending: bool,
    page: usize,
}

impl TableView {
    pub(super) fn from_query(q: &ParamsMap) -> Self {
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
    }
}

/// The campaigns of the period: ordered by a column (links in the headers) and paged.
#[component]
pub(super) fn CampaignTable(
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
