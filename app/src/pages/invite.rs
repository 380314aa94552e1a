//! `/invite/:token`: look at an invitation, then join with a password.

use crate::{
    api::{preview_invitation, AcceptInvitation},
    components::{
        error_text, refresh_session_on_success, use_strings, ErrorAlert, Guard, PublicHeader,
        SessionScope, TextField,
    },
    error::AppError,
    model::{InvitationPreview, PASSWORD_MIN},
};
use leptos::{form::ActionForm, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn InvitePage() -> impl IntoView {
    view! {
        <SessionScope guard=Guard::Anyone>
            <InviteContent/>
        </SessionScope>
    }
}

#[component]
fn InviteContent() -> impl IntoView {
    let t = use_strings();
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, preview_invitation);
    view! {
        <Title text=format!("{} · {}", t.invitation_title, t.product)/>
        <PublicHeader/>
        <main id="main" class="page page-narrow">
            <div class="card">
                <h1>{t.invitation_title}</h1>
                <Transition fallback=move || view! { <p>{t.loading}</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(preview) => view! { <AcceptForm token=token() preview/> }.into_any(),
                            Err(error) => view! { <Unusable error/> }.into_any(),
                        }
                    })}
                </Transition>
            </div>
        </main>
    }
}

#[component]
fn AcceptForm(token: String, preview: InvitationPreview) -> impl IntoView {
    let t = use_strings();
    let accept = ServerAction::<AcceptInvitation>::new();
    refresh_session_on_success(accept);
    let error = Signal::derive(move || accept.value().get().and_then(Result::err));
    // An existing account proves itself with its password; a new one chooses it.
    let (label, autocomplete, hint) = if preview.account_exists {
        (t.your_password, "current-password", "")
    } else {
        (t.choose_password, "new-password", t.password_hint)
    };
    view! {
        <p class="muted">{t.invitation_intro}</p>
        <dl class="facts">
            <dt>{t.organization}</dt>
            <dd data-testid="invite-organization">{preview.organization_name}</dd>
            <dt>{t.role}</dt>
            <dd data-testid="invite-role">{t.role_name(preview.role)}</dd>
            <dt>{t.email}</dt>
            <dd data-testid="invite-email">{preview.email}</dd>
        </dl>
        <ActionForm action=accept attr:class="form">
            <ErrorAlert error/>
            <input type="hidden" name="token" value=token/>
            <TextField name="password" id="invite-password" label input_type="password"
                autocomplete hint minlength=PASSWORD_MIN required=true error/>
            <button type="submit" class="button primary">{t.accept_invitation}</button>
        </ActionForm>
    }
}

#[component]
fn Unusable(error: AppError) -> impl IntoView {
    let t = use_strings();
    // Whatever is wrong with the link itself, the reader can only ask for a new one.
    let text = match error {
        AppError::Internal | AppError::Transport(_) | AppError::TooManyRequests { .. } => {
            error_text(t, &error)
        }
        _ => t.invite_invalid.to_owned(),
    };
    view! { <div class="alert" role="alert" data-testid="invite-invalid">{text}</div> }
}
