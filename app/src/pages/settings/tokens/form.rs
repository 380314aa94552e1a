use crate::{
    api::CreateToken,
    components::{use_strings, ErrorAlert, FieldError, TextField},
    model::Ability,
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn NewTokenForm(create: ServerAction<CreateToken>) -> impl IntoView {
    let t = use_strings();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let abilities_error =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error("abilities"))));
    let boxes = Ability::ALL
        .into_iter()
        .enumerate()
        .map(|(i, ability)| {
            let id = format!("ability-{i}");
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="abilities[]" value=ability.as_str()/>
                    <label for=id>
                        <code>{ability.as_str()}</code>
                        {(ability == Ability::All).then(|| view! { " (" {t.ability_all} ")" })}
                    </label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="new-token-title">
            <h2 id="new-token-title">{t.token_new_title}</h2>
            <ActionForm action=create attr:class="form">
                <ErrorAlert error/>
                <TextField name="name" id="token-name" label=t.token_name autocomplete="off"
                    required=true error/>
                <fieldset
                    class="checks"
                    aria-describedby=move || abilities_error.with(Option::is_some).then_some("abilities-error")
                >
                    <legend>{t.token_abilities}</legend>
                    {boxes}
                    <FieldError id="abilities-error".to_owned() message=abilities_error/>
                </fieldset>
                <TextField name="expires_on" id="token-expires" label=t.token_expires_on
                    input_type="date" hint=t.token_expires_hint error/>
                <button type="submit" class="button primary">{t.token_create}</button>
            </ActionForm>
        </section>
    }
}
