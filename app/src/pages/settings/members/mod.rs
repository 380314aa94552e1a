//! `/settings/members`: everyone sees the members; admins also manage them and the
//! pending invitations.

mod invitations;
mod table;

use crate::{
    api::{list_members, ChangeMemberRole, RemoveMember},
    components::{error_text, use_can, use_me, use_strings, ErrorAlert},
    model::Action,
};
use invitations::Invitations;
use leptos::prelude::*;
use leptos_meta::Title;
use table::MembersTable;

#[component]
pub fn MembersPage() -> impl IntoView {
    let t = use_strings();
    let can_manage = use_can(Action::MembersManage);
    let my_user_id = use_me().map(|me| me.user.id);
    let change = ServerAction::<ChangeMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let members = Resource::new(
        move || (change.version().get(), remove.version().get()),
        |_| list_members(),
    );
    let error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| change.value().get().and_then(Result::err))
    });
    view! {
        <Title text=format!("{} · {}", t.members_title, t.product)/>
        <section aria-labelledby="members-title">
            <h2 id="members-title">{t.members_title}</h2>
            {(!can_manage).then(|| view! { <p class="muted">{t.members_read_only}</p> })}
            <ErrorAlert error/>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Ok(members) => view! {
                            <MembersTable members can_manage my_user_id change remove/>
                        }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        {can_manage.then(|| view! { <Invitations/> })}
    }
}
