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
        let promise = window().navigator().clipboard().write_text(&text);
        leptos::task::spawn_local(async move {
            // Refused (no permission, insecure context): the label stays "Copy" and
            // the text remains there to select by hand.
            let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
            copied.set(ok);
        });
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
