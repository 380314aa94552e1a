use crate::{
    api::{list_pending_invitations, take_flash, FlashKind, InviteMember, RevokeInvitation},
    components::{date, error_text, use_strings, ErrorAlert, FieldError, OnceSecret, TextField},
    model::{InvitationDto, Role},
};
use leptos::{form::ActionForm, prelude::*};

/// Admins only: the invite form, the link of the invitation just made, the pending list.
#[component]
pub fn Invitations() -> impl IntoView {
    let t = use_strings();
    let invite = ServerAction::<InviteMember>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let pending = Resource::new(
        move || (invite.version().get(), revoke.version().get()),
        |_| list_pending_invitations(),
    );
    // After a plain-form post the link waits in the session; with JavaScript it is in
    // the action's value.
    let flashed = Resource::new(|| (), |_| take_flash(FlashKind::InvitationLink));
    let invite_error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let revoke_error = Signal::derive(move || revoke.value().get().and_then(Result::err));
    let role_error = Signal::derive(move || {
        invite_error.with(|e| e.as_ref().and_then(|e| e.field_error("role")))
    });
    view! {
        <section aria-labelledby="invite-title">
            <h2 id="invite-title">{t.invite_title}</h2>
            <ActionForm action=invite attr:class="form form-row">
                <ErrorAlert error=invite_error/>
                <TextField name="email" id="invite-email" label=t.email input_type="email"
                    autocomplete="off" required=true error=invite_error/>
                <div class="field">
                    <label for="invite-role">{t.role}</label>
                    <select id="invite-role" name="role">
                        {Role::ALL
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str() selected=r == Role::Reader>{t.role_name(r)}</option> })
                            .collect_view()}
                    </select>
                    <FieldError id="invite-role-error".to_owned() message=role_error/>
                </div>
                <button type="submit" class="button primary">{t.invite_submit}</button>
            </ActionForm>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let from_action = invite.value().get().and_then(Result::ok).map(|c| c.accept_url);
                    let link = from_action.or(flashed.await.ok().flatten());
                    link.map(|value| view! { <OnceSecret title=t.invite_link_title note=t.invite_link_once value/> })
                })}
            </Suspense>
        </section>
        <section aria-labelledby="pending-title">
            <h2 id="pending-title">{t.pending_title}</h2>
            <ErrorAlert error=revoke_error/>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match pending.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{t.pending_none}</p> }.into_any(),
                        Ok(list) => view! { <PendingTable list revoke/> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PendingTable(list: Vec<InvitationDto>, revoke: ServerAction<RevokeInvitation>) -> impl IntoView {
    let t = use_strings();
    let rows = list
        .into_iter()
        .map(|inv| {
            view! {
                <tr data-testid="invitation-row">
                    <td>{inv.email.clone()}</td>
                    <td>{t.role_name(inv.role)}</td>
                    <td>{date(&inv.expires_at)}</td>
                    <td>
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="invitation_id" value=inv.id.to_string()/>
                            <button type="submit" class="button danger"
                                aria-label=format!("{} {}", t.revoke, inv.email)>
                                {t.revoke}
                            </button>
                        </ActionForm>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{t.col_email}</th>
                        <th scope="col">{t.col_role}</th>
                        <th scope="col">{t.col_expires}</th>
                        <th scope="col">{t.col_actions}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
