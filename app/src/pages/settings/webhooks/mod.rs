//! `/settings/webhooks`: outbound webhook endpoints (admins): register one, see which
//! are failing or disabled, turn them off and on, delete them. `/settings/webhooks/:id`
//! lists an endpoint's attempts. Plain forms, so it works without JavaScript.

mod attempts;
mod form;

pub use attempts::WebhookAttemptsPage;

use crate::{
    api::{list_webhooks, take_flash, CreateWebhook, DeleteWebhook, FlashKind, SetWebhookEnabled},
    components::{date, error_text, use_strings, ErrorAlert, OnceSecret},
    model::WebhookDto,
};
use form::NewWebhookForm;
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let t = use_strings();
    let w = t.webhooks;
    let create = ServerAction::<CreateWebhook>::new();
    let toggle = ServerAction::<SetWebhookEnabled>::new();
    let delete = ServerAction::<DeleteWebhook>::new();
    let endpoints = Resource::new(
        move || {
            (
                create.version().get(),
                toggle.version().get(),
                delete.version().get(),
            )
        },
        |_| list_webhooks(),
    );
    // See `take_flash`: the secret of an endpoint made through a plain form.
    let flashed = Resource::new(|| (), |_| take_flash(FlashKind::WebhookSecret));
    let action_error = Signal::derive(move || {
        toggle
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
    });
    view! {
        <Title text=format!("{} · {}", w.title, t.product)/>
        <section aria-labelledby="webhooks-title">
            <h2 id="webhooks-title">{w.title}</h2>
            <p class="muted">{w.intro}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let from_action = create.value().get().and_then(Result::ok).map(|c| c.secret);
                    let secret = from_action.or(flashed.await.ok().flatten());
                    secret.map(|value| view! { <OnceSecret title=w.secret_title note=w.secret_note value/> })
                })}
            </Suspense>
            <ErrorAlert error=action_error/>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted" data-testid="webhooks-empty">{w.none}</p> }.into_any(),
                        Ok(list) => view! { <WebhooksTable list toggle delete/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <NewWebhookForm create/>
    }
}

#[component]
fn WebhooksTable(
    list: Vec<WebhookDto>,
    toggle: ServerAction<SetWebhookEnabled>,
    delete: ServerAction<DeleteWebhook>,
) -> impl IntoView {
    let t = use_strings();
    let w = t.webhooks;
    let any_disabled = list.iter().any(|e| !e.enabled);
    let rows = list
        .into_iter()
        .map(|e| {
            let status = if e.enabled {
                let failing = e
                    .failing_since
                    .map(|at| view! { <br/><small class="warning">{w.failing_since} " " {date(&at)}</small> });
                view! { <span class="badge ok">{w.enabled}</span>{failing} }.into_any()
            } else {
                let reason = e.disabled_reason.clone().unwrap_or_default();
                view! { <span class="badge danger">{w.disabled}</span><br/><small>{reason}</small> }.into_any()
            };
            let (label, next) = if e.enabled {
                (w.disable, "false")
            } else {
                (w.enable, "true")
            };
            let id = e.id.to_string();
            let toggle_id = id.clone();
            view! {
                <tr data-testid="webhook-row">
                    <td>
                        <code class="wrap">{e.url.clone()}</code>
                        {e.description.clone().map(|d| view! { <br/><small class="muted">{d}</small> })}
                    </td>
                    <td><small>{e.events.join(", ")}</small></td>
                    <td data-testid="webhook-status">{status}</td>
                    <td>{e.pending}</td>
                    <td class="actions">
                        <a href=format!("/settings/webhooks/{id}") class="button secondary">{w.attempts}</a>
                        <ActionForm action=toggle attr:class="inline-form">
                            <input type="hidden" name="id" value=toggle_id/>
                            <input type="hidden" name="enabled" value=next/>
                            <button type="submit" class="button secondary">{label}</button>
                        </ActionForm>
                        <ActionForm action=delete attr:class="inline-form">
                            <input type="hidden" name="id" value=id/>
                            <button type="submit" class="button danger">{w.delete}</button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        {any_disabled.then(|| view! { <div class="alert" role="alert" data-testid="webhook-disabled">{w.disabled_alert}</div> })}
        <div class="table-wrap">
            <table class="table" data-testid="webhooks">
                <thead>
                    <tr>
                        <th scope="col">{w.col_url}</th>
                        <th scope="col">{w.col_events}</th>
                        <th scope="col">{w.col_status}</th>
                        <th scope="col">{w.col_waiting}</th>
                        <th scope="col">{t.col_actions}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
