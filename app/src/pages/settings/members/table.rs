use crate::{
    api::{ChangeMemberRole, RemoveMember},
    components::{date, use_strings},
    model::{MemberDto, Role},
};
use leptos::{form::ActionForm, prelude::*};
use uuid::Uuid;

#[component]
pub fn MembersTable(
    members: Vec<MemberDto>,
    can_manage: bool,
    my_user_id: Option<Uuid>,
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let t = use_strings();
    let rows = members
        .into_iter()
        .map(|member| {
            let is_me = Some(member.user_id) == my_user_id;
            view! { <MemberRow member is_me can_manage change remove/> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="members">
                <thead>
                    <tr>
                        <th scope="col">{t.col_email}</th>
                        <th scope="col">{t.col_role}</th>
                        <th scope="col">{t.col_joined}</th>
                        {can_manage.then(|| view! { <th scope="col">{t.col_actions}</th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

#[component]
fn MemberRow(
    member: MemberDto,
    is_me: bool,
    can_manage: bool,
    change: ServerAction<ChangeMemberRole>,
    remove: ServerAction<RemoveMember>,
) -> impl IntoView {
    let t = use_strings();
    // Admins manage the others; one's own role is changed by another admin.
    let editable = can_manage && !is_me;
    let id = member.id.to_string();
    let select_id = format!("role-{id}");
    let email = member.email.clone();
    let role_cell = if editable {
        let (id, email) = (id.clone(), email.clone());
        view! {
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="member_id" value=id/>
                <label class="visually-hidden" for=select_id.clone()>{format!("{} {email}", t.role_for)}</label>
                <select id=select_id name="role">
                    {Role::ALL
                        .into_iter()
                        .map(|r| view! { <option value=r.as_str() selected=r == member.role>{t.role_name(r)}</option> })
                        .collect_view()}
                </select>
                <button type="submit" class="button secondary">{t.change_role}</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <span class="badge">{t.role_name(member.role)}</span> }.into_any()
    };
    let actions = editable.then(|| {
        view! {
            <td>
                <ActionForm action=remove attr:class="inline-form">
                    <input type="hidden" name="member_id" value=id/>
                    <button type="submit" class="button danger"
                        aria-label=format!("{} {email}", t.remove)>
                        {t.remove}
                    </button>
                </ActionForm>
            </td>
        }
    });
    // Keep the column count right in an admin's own row.
    let filler = (can_manage && is_me).then(|| view! { <td></td> });
    view! {
        <tr data-testid="member-row">
            <td>
                {member.email}
                {is_me.then(|| view! { " " <span class="muted">"(" {t.you} ")"</span> })}
            </td>
            <td data-testid="member-role">{role_cell}</td>
            <td>{date(&member.joined_at)}</td>
            {actions}
            {filler}
        </tr>
    }
}
