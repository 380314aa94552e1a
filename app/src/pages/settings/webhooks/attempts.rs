//! `/settings/webhooks/:id`: an endpoint's attempts, newest first, each replayable.

use crate::{
    api::{webhook_attempts, ReplayWebhook},
    components::{error_text, use_strings, ErrorAlert, Pager},
    model::{Page, WebhookAttemptDto},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

#[component]
pub fn WebhookAttemptsPage() -> impl IntoView {
    let t = use_strings();
    let w = t.webhooks;
    let params = use_params_map();
    let query = use_query_map();
    let replay = ServerAction::<ReplayWebhook>::new();
    let key = Memo::new(move |_| {
        let id = params.with(|p| p.get("id").and_then(|id| id.parse::<Uuid>().ok()));
        let page = query.with(|q| q.get("page").and_then(|p| p.parse::<u64>().ok()));
        (id, page)
    });
    let data = Resource::new(
        move || (key.get(), replay.version().get()),
        |((id, page), _)| async move {
            match id {
                Some(id) => webhook_attempts(id, page).await,
                None => Err(crate::error::AppError::NotFound(
                    "webhook endpoint not found".into(),
                )),
            }
        },
    );
    let replay_error = Signal::derive(move || replay.value().get().and_then(Result::err));
    let queued = move || {
        replay
            .value()
            .get()
            .is_some_and(|r| r.is_ok())
            .then(|| view! { <p class="notice" role="status">{w.replay_queued}</p> })
    };
    view! {
        <Title text=format!("{} · {}", w.attempts_title, t.product)/>
        <section aria-labelledby="attempts-title">
            <p><a href="/settings/webhooks">"← " {w.back}</a></p>
            <h2 id="attempts-title">{w.attempts_title}</h2>
            <p class="muted">{w.attempts_intro}</p>
            <ErrorAlert error=replay_error/>
            {queued}
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((endpoint, page)) => view! {
                            <p><code class="wrap" data-testid="attempts-url">{endpoint.url}</code></p>
                            <AttemptsTable endpoint_id=endpoint.id page replay/>
                        }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AttemptsTable(
    endpoint_id: Uuid,
    page: Page<WebhookAttemptDto>,
    replay: ServerAction<ReplayWebhook>,
) -> impl IntoView {
    let t = use_strings();
    let w = t.webhooks;
    if page.items.is_empty() {
        return view! { <p class="muted" data-testid="attempts-empty">{w.attempts_none}</p> }
            .into_any();
    }
    let rows = page
        .items
        .into_iter()
        .map(|a| {
            let result = match (a.status.as_str(), a.response_code) {
                ("succeeded", Some(code)) => format!("{} ({code})", w.succeeded),
                ("succeeded", None) => w.succeeded.to_owned(),
                (_, Some(code)) => format!("{} ({code})", w.failed),
                (_, None) => w.failed.to_owned(),
            };
            let class = if a.status == "succeeded" {
                "badge ok"
            } else {
                "badge danger"
            };
            view! {
                <tr data-testid="attempt-row">
                    <td>{a.attempted_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                    <td><code>{a.event_type.clone()}</code></td>
                    <td><code class="wrap">{a.message_id.clone()}</code><br/>
                        <small class="muted">{w.message_status(&a.message_status)}</small></td>
                    <td>{w.trigger(&a.trigger)}</td>
                    <td><span class=class>{result}</span></td>
                    <td>{format!("{} ms", a.latency_ms)}</td>
                    <td><small>{a.error.clone().unwrap_or_default()}</small></td>
                    <td>
                        <ActionForm action=replay attr:class="inline-form">
                            <input type="hidden" name="id" value=endpoint_id.to_string()/>
                            <input type="hidden" name="attempt_id" value=a.id.to_string()/>
                            <button type="submit" class="button secondary">{w.replay}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="attempts">
                <thead>
                    <tr>
                        <th scope="col">{w.col_when}</th>
                        <th scope="col">{w.col_event}</th>
                        <th scope="col">{w.col_message}</th>
                        <th scope="col">{w.col_trigger}</th>
                        <th scope="col">{w.col_result}</th>
                        <th scope="col">{w.col_latency}</th>
                        <th scope="col">{w.col_error}</th>
                        <th scope="col"></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <Pager current=page.page per_page=page.per_page total=page.total
            href=move |n| format!("/settings/webhooks/{endpoint_id}?page={n}")/>
    }
    .into_any()
}
