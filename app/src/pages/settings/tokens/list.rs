use crate::{
    api::RevokeToken,
    components::{date, use_strings},
    model::TokenDto,
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn TokensTable(list: Vec<TokenDto>, revoke: ServerAction<RevokeToken>) -> impl IntoView {
    let t = use_strings();
    let or_never = |d: Option<chrono::DateTime<chrono::Utc>>| {
        d.as_ref().map(date).unwrap_or_else(|| t.never.to_owned())
    };
    let rows = list
        .into_iter()
        .map(|token| {
            let abilities = token
                .abilities
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            view! {
                <tr data-testid="token-row">
                    <td>{token.name.clone()}</td>
                    <td><code>{abilities}</code></td>
                    <td>{date(&token.created_at)}</td>
                    <td>{or_never(token.last_used_at)}</td>
                    <td>{or_never(token.expires_at)}</td>
                    <td>
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="token_id" value=token.id.to_string()/>
                            <button type="submit" class="button danger"
                                aria-label=format!("{} {}", t.revoke, token.name)>
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
            <table class="table" data-testid="tokens">
                <thead>
                    <tr>
                        <th scope="col">{t.col_name}</th>
                        <th scope="col">{t.col_abilities}</th>
                        <th scope="col">{t.col_created}</th>
                        <th scope="col">{t.col_last_used}</th>
                        <th scope="col">{t.col_expires}</th>
                        <th scope="col">{t.col_actions}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
