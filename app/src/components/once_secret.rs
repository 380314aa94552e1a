use super::CopyButton;
use leptos::prelude::*;

/// A secret shown once (new token, invitation link), with a copy button when
/// JavaScript runs; the text is selectable either way.
#[component]
pub fn OnceSecret(title: &'static str, note: &'static str, value: String) -> impl IntoView {
    let t = super::use_strings();
    view! {
        <section class="secret" aria-labelledby="secret-title">
            <h3 id="secret-title">{title}</h3>
            <p>{note}</p>
            <div class="secret-row">
                <code class="secret-value" data-testid="secret">{value.clone()}</code>
                <CopyButton text=value label=t.copy done=t.copied/>
            </div>
        </section>
    }
}
