use crate::components::{use_strings, PublicHeader};
use leptos::prelude::*;
use leptos_meta::Title;

/// The public header and a centred card: the frame of every signed-out form.
#[component]
pub fn AuthFrame(title: &'static str, children: Children) -> impl IntoView {
    let t = use_strings();
    view! {
        <Title text=format!("{title} · {}", t.product)/>
        <PublicHeader/>
        <main id="main" class="page page-narrow">
            <div class="card">
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}
