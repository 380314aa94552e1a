use leptos::prelude::*;

/// Copies `text` to the clipboard. Rendered only once the page is hydrated: without
/// JavaScript it could not work, and the text next to it stays selectable.
#[component]
pub fn CopyButton(text: String, label: &'static str, done: &'static str) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    let copied = RwSignal::new(false);
    // Effects run in the browser only, so this flips after hydration.
    Effect::new(move |_| hydrated.set(true));
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        // The promise's outcome is not worth waiting for: the text stays on screen.
        let _ = clipboard.write_text(&text);
        copied.set(true);
    };
    move || {
        hydrated.get().then(|| {
            let copy = copy.clone();
            view! {
                <button type="button" class="button secondary" on:click=copy>
                    {move || if copied.get() { done } else { label }}
                </button>
            }
        })
    }
}
