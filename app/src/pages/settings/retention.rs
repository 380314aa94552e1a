//! `/settings/retention`: how long delivery details, events and inactive contacts are
//! kept, and the daily runs that applied it. A plain form, so it works without JavaScript.

use crate::{
    api::{get_retention, SaveRetention},
    components::{date, error_text, use_can, use_strings, ErrorAlert, FieldError},
    model::{Action, RetentionRunDto, RetentionView},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;

#[component]
pub fn RetentionPage() -> impl IntoView {
    let t = use_strings();
    let p = t.privacy;
    let save = ServerAction::<SaveRetention>::new();
    let view_ = Resource::new(move || save.version().get(), |_| get_retention());
    view! {
        <Title text=format!("{} · {}", p.retention_title, t.product)/>
        <section aria-labelledby="retention-title">
            <h2 id="retention-title">{p.retention_title}</h2>
            <p class="muted">{p.retention_intro}</p>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match view_.await {
                        Ok(v) => view! { <Policy v save/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Policy(v: RetentionView, save: ServerAction<SaveRetention>) -> impl IntoView {
    let p = use_strings().privacy;
    let can_manage = use_can(Action::SettingsManage);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let message = move |key: &'static str| {
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error(key))))
    };
    let shown = |m: Option<u32>| m.map(|m| m.to_string()).unwrap_or_default();
    let form = view! {
        <ActionForm action=save attr:class="form">
            <ErrorAlert error/>
            <div class="field">
                <label for="retention-deliveries">{p.retention_deliveries}</label>
                <input id="retention-deliveries" name="delivery_months" type="number" min="1" max="120"
                    value=shown(v.policy.delivery_months) disabled=!can_manage/>
                <FieldError id="retention-deliveries-error".to_owned() message=message("delivery_months")/>
            </div>
            <div class="field">
                <label for="retention-contacts">{p.retention_contacts}</label>
                <input id="retention-contacts" name="contact_months" type="number" min="1" max="120"
                    value=shown(v.policy.contact_months) disabled=!can_manage/>
                <FieldError id="retention-contacts-error".to_owned() message=message("contact_months")/>
            </div>
            <p class="hint">{p.retention_hint}</p>
            {can_manage.then(|| view! { <button type="submit" class="button primary">{p.retention_save}</button> })}
        </ActionForm>
    };
    let runs = if v.runs.is_empty() {
        view! { <p class="muted" data-testid="retention-runs-empty">{p.retention_no_runs}</p> }
            .into_any()
    } else {
        let rows = v.runs.into_iter().map(run_row).collect_view();
        view! {
            <div class="table-wrap">
                <table class="table" data-testid="retention-runs">
                    <thead><tr>
                        <th scope="col">{p.retention_day}</th>
                        <th scope="col">{p.retention_status}</th>
                        <th scope="col">{p.retention_deliveries_deleted}</th>
                        <th scope="col">{p.retention_events_deleted}</th>
                        <th scope="col">{p.retention_contacts_deleted}</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        {form}
        <h3>{p.retention_runs}</h3>
        {runs}
    }
}

fn run_row(r: RetentionRunDto) -> impl IntoView {
    let p = use_strings().privacy;
    let status = match (r.status.as_str(), &r.error) {
        ("done", _) => format!(
            "{} {}",
            p.retention_done,
            r.finished_at.as_ref().map(date).unwrap_or_default()
        ),
        (_, Some(e)) => format!("{}: {e}", p.retention_retrying),
        _ => p.retention_running.to_owned(),
    };
    view! {
        <tr>
            <td>{r.day}</td>
            <td>{status}</td>
            <td>{r.deliveries_deleted}</td>
            <td>{r.events_deleted}</td>
            <td>{r.contacts_deleted}</td>
        </tr>
    }
}
