//! A campaign's run on its page: the counts per channel, why contacts were skipped,
//! and the first failures with their reasons. While the campaign runs (or is about to
//! start) the hydrated page asks for news every 3 s and reloads the campaign when
//! its status changes; without JavaScript the page refreshes itself every 3 s.

use crate::{
    components::{date, use_strings},
    model::{CampaignProgressView, CampaignStatus, ChannelProgress},
};
use leptos::prelude::*;
use uuid::Uuid;

/// Inside `<noscript>`, so that only pages without JavaScript reload.
const REFRESH: &str = r#"<meta http-equiv="refresh" content="3">"#;

/// Whether the counts of a campaign in this status can still move on their own.
pub fn is_live(status: CampaignStatus) -> bool {
    status == CampaignStatus::Running
}

#[component]
pub fn RunProgress(
    id: Uuid,
    /// Refreshed here while the campaign runs.
    current: RwSignal<CampaignProgressView>,
    /// Poll even though the campaign is not running yet (it is due any moment).
    starts_soon: bool,
    /// Called once when the polled status differs from the one the page shows.
    on_status_change: Callback<()>,
) -> impl IntoView {
    let t = use_strings();
    let s = t.sending;
    let c = t.campaigns;
    let shown_status = current.with_untracked(|v| v.progress.status);
    let polling = is_live(shown_status) || starts_soon;
    let reload = if polling { REFRESH } else { "" };
    poll(id, current, polling, shown_status, on_status_change);

    let channels = current.with_untracked(|v| {
        v.progress
            .channels
            .iter()
            .map(|ch| ch.channel)
            .collect::<Vec<_>>()
    });
    let overall = Memo::new(move |_| current.with(|v| v.progress.overall()));
    let pct = move || overall.with(ChannelProgress::percent_done);
    let count = move |channel: Option<crate::model::Channel>, f: fn(&ChannelProgress) -> u64| {
        move || match channel {
            Some(ch) => current.with(|v| {
                v.progress
                    .channels
                    .iter()
                    .find(|p| p.channel == ch)
                    .map(f)
                    .unwrap_or(0)
            }),
            None => overall.with(f),
        }
    };
    let row = move |label: String, key: String, channel: Option<crate::model::Channel>| {
        let cell = move |name: &'static str, f: fn(&ChannelProgress) -> u64| {
            view! { <td data-testid=format!("progress-{key}-{name}")>{count(channel, f)}</td> }
        };
        view! {
            <tr>
                <th scope="row">{label.clone()}</th>
                {cell("total", |p| p.total)}
                {cell("pending", |p| p.pending)}
                {cell("sent", |p| p.sent)}
                {cell("delivered", |p| p.delivered)}
                {cell("failed", |p| p.failed)}
                {cell("skipped", |p| p.skipped)}
                {cell("cancelled", |p| p.cancelled)}
            </tr>
        }
    };
    let rows = channels
        .iter()
        .map(|ch| {
            row(
                c.channel_name(*ch).to_owned(),
                ch.as_str().to_owned(),
                Some(*ch),
            )
        })
        .collect_view();
    let total_row =
        (channels.len() > 1).then(|| row(s.all_channels.to_owned(), "all".into(), None));
    let skip = move |f: fn(&CampaignProgressView) -> u64| move || current.with(f);
    let status = move || current.with(|v| v.progress.status);
    let when = move |f: fn(&CampaignProgressView) -> Option<chrono::DateTime<chrono::Utc>>| {
        move || current.with(|v| f(v).as_ref().map(date).unwrap_or_else(|| "—".into()))
    };

    view! {
        <noscript inner_html=reload></noscript>
        <section class="card run-progress" aria-labelledby="progress-title" data-testid="progress">
            <h2 id="progress-title">{s.progress_title}</h2>
            <dl class="facts">
                <dt>{c.col_status}</dt>
                <dd data-testid="progress-status" aria-live="polite">{move || c.status_name(status())}</dd>
                <dt>{s.started_at}</dt>
                <dd>{when(|v| v.progress.started_at)}</dd>
                <dt>{s.completed_at}</dt>
                <dd>{when(|v| v.progress.completed_at)}</dd>
            </dl>
            <div class="import-progress">
                <label for="run-progress">{s.progress_label}</label>
                <progress id="run-progress" max="100" value=move || pct().to_string()></progress>
                <p><strong data-testid="progress-percent">{move || format!("{} %", pct())}</strong></p>
            </div>
            <div class="table-wrap">
                <table class="table" data-testid="progress-table">
                    <thead>
                        <tr>
                            <th scope="col">{s.col_channel}</th>
                            <th scope="col">{s.total}</th>
                            <th scope="col">{s.pending}</th>
                            <th scope="col">{s.sent}</th>
                            <th scope="col">{s.delivered}</th>
                            <th scope="col">{s.failed}</th>
                            <th scope="col">{s.skipped}</th>
                            <th scope="col">{s.cancelled}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}{total_row}</tbody>
                </table>
            </div>
            <h3>{s.skipped_title}</h3>
            <dl class="counts" data-testid="skip-reasons">
                <div class="count"><dt>{s.no_consent}</dt><dd data-testid="skipped-no_consent">{skip(|v| v.progress.skipped.no_consent)}</dd></div>
                <div class="count"><dt>{s.no_address}</dt><dd data-testid="skipped-no_address">{skip(|v| v.progress.skipped.no_address)}</dd></div>
                <div class="count"><dt>{s.unsubscribed}</dt><dd data-testid="skipped-unsubscribed">{skip(|v| v.progress.skipped.unsubscribed)}</dd></div>
            </dl>
            <Failures current/>
        </section>
    }
}

#[component]
fn Failures(current: RwSignal<CampaignProgressView>) -> impl IntoView {
    let t = use_strings();
    let s = t.sending;
    let c = t.campaigns;
    let rows = move || {
        current.with(|v| {
            v.failures
                .iter()
                .map(|d| {
                    let contact = d.contact_id;
                    view! {
                        <tr data-testid="failure-row">
                            <td><a href=format!("/contacts/{contact}")>{contact.to_string()}</a></td>
                            <td>{c.channel_name(d.channel)}</td>
                            <td>{d.attempts}</td>
                            <td data-testid="failure-reason">{d.error.clone().unwrap_or_else(|| s.no_reason.to_owned())}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    let summary = move || {
        current.with(|v| {
            let shown = v.failures.len() as u64;
            (v.failures_total > shown).then(|| {
                s.failures_shown
                    .replace("{shown}", &shown.to_string())
                    .replace("{total}", &v.failures_total.to_string())
            })
        })
    };
    view! {
        <div hidden=move || current.with(|v| v.failures.is_empty()) data-testid="failures">
            <h3>{s.failures_title}</h3>
            <p class="muted">{summary}</p>
            <div class="table-wrap">
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{s.col_contact}</th>
                            <th scope="col">{s.col_channel}</th>
                            <th scope="col">{s.col_attempts}</th>
                            <th scope="col">{s.col_reason}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}

/// Refreshes `current` every 3 s while `polling`, one question at a time, and calls
/// `on_status_change` once when the status moves away from `shown`.
fn poll(
    id: Uuid,
    current: RwSignal<CampaignProgressView>,
    polling: bool,
    shown: CampaignStatus,
    on_status_change: Callback<()>,
) {
    #[cfg(feature = "hydrate")]
    {
        use std::time::Duration;
        if !polling {
            return;
        }
        let busy = StoredValue::new(false);
        let done = StoredValue::new(false);
        let tick = move || {
            if busy.try_get_value() != Some(false) || done.try_get_value() != Some(false) {
                return;
            }
            busy.set_value(true);
            leptos::task::spawn_local(async move {
                if let Ok(view) = crate::api::campaign_progress(id).await {
                    let moved = view.progress.status != shown;
                    current.try_set(view);
                    if moved {
                        done.try_set_value(true);
                        on_status_change.run(());
                    }
                }
                busy.try_set_value(false);
            });
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_secs(3)) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, current, polling, shown, on_status_change);
}
