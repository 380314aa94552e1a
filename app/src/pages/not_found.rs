use crate::components::{use_strings, Guard, PublicHeader, SessionScope};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    // A real 404 for crawlers and scripts, not a 200 that says "not found".
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <SessionScope guard=Guard::Anyone>
            <NotFoundContent/>
        </SessionScope>
    }
}

#[component]
fn NotFoundContent() -> impl IntoView {
    let t = use_strings();
    view! {
        <Title text=format!("{} · {}", t.not_found_title, t.product)/>
        <PublicHeader/>
        <main id="main" class="page page-narrow">
            <h1>{t.not_found_title}</h1>
            <p>{t.not_found_body}</p>
            <p><a href="/">{t.back_home}</a></p>
        </main>
    }
}
