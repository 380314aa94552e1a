use super::frame::AuthFrame;
use crate::{
    api::Login,
    components::{
        refresh_session_on_success, use_strings, ErrorAlert, Guard, SessionScope, TextField,
    },
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

#[component]
pub fn LoginPage() -> impl IntoView {
    view! {
        <SessionScope guard=Guard::SignedOut>
            <LoginForm/>
        </SessionScope>
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let t = use_strings();
    let login = ServerAction::<Login>::new();
    refresh_session_on_success(login);
    let error = Signal::derive(move || login.value().get().and_then(Result::err));
    view! {
        <AuthFrame title=t.login_title>
            <ActionForm action=login attr:class="form">
                <ErrorAlert error/>
                <TextField name="email" id="login-email" label=t.email input_type="email"
                    autocomplete="email" required=true error/>
                <TextField name="password" id="login-password" label=t.password input_type="password"
                    autocomplete="current-password" required=true error/>
                <button type="submit" class="button primary">{t.login_submit}</button>
            </ActionForm>
            <p class="aside">{t.no_account}" "<A href="/signup">{t.signup_link}</A></p>
        </AuthFrame>
    }
}
