use crate::components::{AppHeader, Guard, SessionScope};
use leptos::prelude::*;
use leptos_router::components::Outlet;

/// Every signed-in page: header, then the page in `<main>`.
#[component]
pub fn AppLayout() -> impl IntoView {
    view! {
        <SessionScope guard=Guard::SignedIn>
            <AppHeader/>
            <main id="main" class="page">
                <Outlet/>
            </main>
        </SessionScope>
    }
}
