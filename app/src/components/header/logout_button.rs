use crate::{
    api::Logout,
    components::{refresh_session_on_success, use_strings},
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn LogoutButton() -> impl IntoView {
    let t = use_strings();
    let logout = ServerAction::<Logout>::new();
    refresh_session_on_success(logout);
    view! {
        <ActionForm action=logout attr:class="inline-form">
            <button type="submit" class="button secondary">{t.log_out}</button>
        </ActionForm>
    }
}
