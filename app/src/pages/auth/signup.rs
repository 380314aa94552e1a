use super::frame::AuthFrame;
use crate::{
    api::Signup,
    components::{
        refresh_session_on_success, use_strings, ErrorAlert, Guard, SessionScope, TextField,
    },
    model::PASSWORD_MIN,
};
use leptos::{form::ActionForm, prelude::*};
use leptos_router::components::A;

#[component]
pub fn SignupPage() -> impl IntoView {
    view! {
        <SessionScope guard=Guard::SignedOut>
            <SignupForm/>
        </SessionScope>
    }
}

#[component]
fn SignupForm() -> impl IntoView {
    let t = use_strings();
    let signup = ServerAction::<Signup>::new();
    refresh_session_on_success(signup);
    let error = Signal::derive(move || signup.value().get().and_then(Result::err));
    view! {
        <AuthFrame title=t.signup_title>
            <p class="muted">{t.signup_intro}</p>
            <ActionForm action=signup attr:class="form">
                <ErrorAlert error/>
                <TextField name="email" id="signup-email" label=t.email input_type="email"
                    autocomplete="email" required=true error/>
                <TextField name="password" id="signup-password" label=t.password input_type="password"
                    autocomplete="new-password" hint=t.password_hint minlength=PASSWORD_MIN
                    required=true error/>
                <TextField name="organization" id="signup-organization" label=t.organization_name
                    autocomplete="organization" required=true error/>
                <button type="submit" class="button primary">{t.signup_submit}</button>
            </ActionForm>
            <p class="aside">{t.have_account}" "<A href="/login">{t.login_link}</A></p>
        </AuthFrame>
    }
}
