//! `/contacts/imports/:id`: how far an import got, then its summary and report. With
//! JavaScript the page asks for news every 500 ms; without, it reloads every second.

use crate::{
    api::get_import,
    components::{error_text, use_strings},
    error::AppError,
    model::{ImportDto, ImportStatus, DECLARABLE},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// Inside `<noscript>` so that only browsers without JavaScript reload: a `<meta>` in
/// the head would reload hydrated pages too, which poll instead.
const REFRESH: &str = r#"<meta http-equiv="refresh" content="1">"#;

#[component]
pub fn ImportProgressPage() -> impl IntoView {
    let t = use_strings();
    let id = super::super::contacts::parts::route_id();
    let import = Resource::new(
        move || id.get(),
        |id| async move {
            match id {
                Some(id) => get_import(id).await,
                None => Err(AppError::NotFound("import".into())),
            }
        },
    );
    view! {
        <p class="crumbs"><a href="/contacts">{t.contacts.back}</a></p>
        <Transition fallback=move || view! { <p>{t.loading}</p> }>
            {move || Suspend::new(async move {
                match import.await {
                    Ok(dto) => view! { <Progress dto/> }.into_any(),
                    Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn finished(status: ImportStatus) -> bool {
    matches!(status, ImportStatus::Completed | ImportStatus::Failed)
}

/// Whole percent done; a completed import is 100 % whatever the upload counted.
pub fn percent(dto: &ImportDto) -> u64 {
    match (dto.status, dto.rows_total) {
        (ImportStatus::Completed, _) => 100,
        (_, 0) => 0,
        (_, total) => (dto.rows_done.saturating_mul(100) / total).min(100),
    }
}

#[component]
fn Progress(dto: ImportDto) -> impl IntoView {
    let t = use_strings();
    let c = t.contacts;
    let id = dto.id;
    // Every element is on the page whatever the status, and only attributes and text
    // depend on it: SSR may fetch the import twice, and if it finished in between, the
    // HTML and the data sent for hydration would disagree on the page's shape.
    let reload = if finished(dto.status) { "" } else { REFRESH };
    let title = format!("{} · {} · {}", c.progress_title, dto.file_name, t.product);
    let file_name = dto.file_name.clone();
    let current = RwSignal::new(dto);
    poll(current);
    let get = move |f: fn(&ImportDto) -> u64| move || current.with(f).to_string();
    let pct = move || current.with(percent);
    let status = move || current.with(|d| d.status);
    let count = move |label: &'static str, key: &'static str, f: fn(&ImportDto) -> u64| {
        view! { <div class="count"><dt>{label}</dt><dd data-testid=format!("import-{key}")>{get(f)}</dd></div> }
    };
    view! {
        <Title text=title/>
        <noscript inner_html=reload></noscript>
        <h1>{c.progress_title} " " <span class="muted">{file_name}</span></h1>
        <dl class="facts">
            <dt>{c.status}</dt>
            <dd data-testid="import-status">
                <span class=move || format!("badge import-{}", status().as_str())>{move || c.import_status(status())}</span>
            </dd>
        </dl>
        <div class="import-progress">
            <label id="import-progress-label" for="import-progress">{c.progress}</label>
            <progress id="import-progress" max="100" value=move || pct().to_string()
                aria-valuemin="0" aria-valuemax="100" aria-valuenow=move || pct().to_string()
                aria-describedby="import-progress-text"></progress>
            <p id="import-progress-text" aria-live="polite">
                <strong data-testid="import-percent">{move || format!("{} %", pct())}</strong>
                " · " {get(|d| d.rows_done)} " / " {get(|d| d.rows_total)} " " {c.rows}
            </p>
        </div>
        <dl class="counts" data-testid="import-counts">
            {count(c.created, "created", |d| d.created)}
            {count(c.updated, "updated", |d| d.updated)}
            {count(c.unchanged, "unchanged", |d| d.unchanged)}
            {count(c.skipped, "skipped", |d| d.skipped)}
            {DECLARABLE.map(|ch| {
                let n = move || current.with(|d| d.no_consent.get(&ch).copied().unwrap_or(0)).to_string();
                view! {
                    <div class="count">
                        <dt>{c.no_consent} " · " {c.channel_name(ch)}</dt>
                        <dd data-testid=format!("import-no-consent-{}", ch.as_str())>{n}</dd>
                    </div>
                }
            })}
        </dl>
        <p class="hint">{c.no_consent_hint}</p>
        <div class="alert import-failure" role="alert" hidden=move || current.with(|d| d.error.is_none())>
            <p class="alert-title">{c.failed_because}</p>
            <p>{move || current.with(|d| d.error.clone().unwrap_or_default())}</p>
        </div>
        <section class="import-report" aria-labelledby="import-report-title"
            hidden=move || !finished(status())>
            <h2 id="import-report-title">{c.report}</h2>
            <p><a href=format!("/api/imports/{id}/report.csv") download="" data-testid="import-report">{c.download_report}</a></p>
            <p><a href="/contacts/import">{c.import_another}</a></p>
        </section>
    }
}

/// Refreshes `current` every 500 ms until the import is over, and stops on unmount.
fn poll(current: RwSignal<ImportDto>) {
    #[cfg(feature = "hydrate")]
    {
        use std::time::Duration;
        if current.with_untracked(|d| finished(d.status)) {
            return;
        }
        let id = current.with_untracked(|d| d.id);
        // One question at a time: a slow answer must not pile up requests.
        let busy = StoredValue::new(false);
        let tick = move || {
            if busy.try_get_value() != Some(false) {
                return;
            }
            if current.try_with_untracked(|d| finished(d.status)) != Some(false) {
                return;
            }
            busy.set_value(true);
            leptos::task::spawn_local(async move {
                if let Ok(dto) = get_import(id).await {
                    current.try_set(dto);
                }
                busy.try_set_value(false);
            });
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(500)) {
            Effect::new(move |_| {
                if current.with(|d| finished(d.status)) {
                    handle.clear();
                }
            });
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = current;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dto(status: ImportStatus, done: u64, total: u64) -> ImportDto {
        ImportDto {
            id: uuid::Uuid::nil(),
            status,
            file_name: "a.csv".into(),
            rows_total: total,
            rows_done: done,
            created: 0,
            updated: 0,
            unchanged: 0,
            skipped: 0,
            no_consent: Default::default(),
            error: None,
            created_at: Default::default(),
            finished_at: None,
        }
    }

    #[test]
    fn percent_is_whole_and_bounded() {
        assert_eq!(percent(&dto(ImportStatus::Queued, 0, 0)), 0);
        assert_eq!(percent(&dto(ImportStatus::Running, 1, 3)), 33);
        // The upload's count is an estimate: never past 100 while running.
        assert_eq!(percent(&dto(ImportStatus::Running, 5, 4)), 100);
        assert_eq!(percent(&dto(ImportStatus::Completed, 3, 4)), 100);
    }
}
