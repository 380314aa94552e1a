use crate::{
    api::SwitchOrganization,
    components::{refresh_session_on_success, use_strings},
    model::Me,
};
use leptos::{form::ActionForm, prelude::*};

/// Shown only to members of several organizations.
#[component]
pub fn OrgSwitcher(me: Me) -> impl IntoView {
    let t = use_strings();
    let switch = ServerAction::<SwitchOrganization>::new();
    refresh_session_on_success(switch);
    let current = me.organization.organization_id;
    view! {
        <ActionForm action=switch attr:class="inline-form">
            <label for="org-select">{t.organization}</label>
            <select id="org-select" name="organization_id">
                {me
                    .organizations
                    .into_iter()
                    .map(|org| {
                        view! {
                            <option
                                value=org.organization_id.to_string()
                                selected=org.organization_id == current
                            >
                                {org.organization_name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="button secondary">{t.switch_organization}</button>
        </ActionForm>
    }
}
