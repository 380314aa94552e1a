//! Sections that exist in the navigation but not yet in the product.

use crate::{components::use_strings, i18n::Strings};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    placeholder(|t| (t.dashboard_title, t.dashboard_soon))
}

fn placeholder(text: fn(&'static Strings) -> (&'static str, &'static str)) -> impl IntoView {
    let t = use_strings();
    let (title, soon) = text(t);
    view! {
        <Title text=format!("{title} · {}", t.product)/>
        <h1>{title}</h1>
        <p class="muted">{soon}</p>
    }
}
