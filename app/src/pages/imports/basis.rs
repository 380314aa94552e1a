//! The wizard's question per channel: on what ground may the organization write to the
//! people of the file? Plain form fields (`basis_<channel>`, `wording_<channel>`), so it is
//! asked with and without JavaScript; the upload applies the answers to the mapping.

use crate::{
    components::use_strings,
    model::{BasisAnswer, Channel, LawfulBasis, DECLARABLE},
};
use leptos::prelude::*;

#[component]
pub fn BasisQuestions() -> impl IntoView {
    let c = use_strings().contacts;
    let channels = DECLARABLE
        .into_iter()
        .map(|channel| view! { <ChannelBasis channel/> })
        .collect_view();
    view! {
        <section class="import-basis" aria-labelledby="import-basis-title">
            <h2 id="import-basis-title">{c.basis_title}</h2>
            <p class="hint">{c.basis_intro}</p>
            {channels}
        </section>
    }
}

#[component]
fn ChannelBasis(channel: Channel) -> impl IntoView {
    let c = use_strings().contacts;
    let ch = channel.as_str();
    let name = format!("basis_{ch}");
    let answers = BasisAnswer::ALL
        .into_iter()
        .map(|answer| {
            let id = format!("basis-{ch}-{}", answer.as_str());
            let label = match answer {
                BasisAnswer::Column => c.basis_from_column,
                BasisAnswer::Nothing => c.basis_none,
                BasisAnswer::Declared(LawfulBasis::Consent) => c.basis_all_consented,
                BasisAnswer::Declared(basis) => c.basis_name(basis),
            };
            view! {
                <div class="check">
                    <input type="radio" id=id.clone() name=name.clone() value=answer.as_str() required=true/>
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    let wording_id = format!("wording-{ch}");
    let hint_id = format!("wording-{ch}-hint");
    view! {
        <fieldset class="basis" data-testid=format!("basis-{ch}")>
            <legend>{c.channel_name(channel)}</legend>
            <div class="basis-answers">{answers}</div>
            <div class="field">
                <label for=wording_id.clone()>{c.basis_wording}</label>
                <textarea id=wording_id name=format!("wording_{ch}") rows="3" maxlength="10240"
                    aria-describedby=hint_id.clone()></textarea>
                <p class="hint" id=hint_id>{c.basis_wording_hint}</p>
            </div>
        </fieldset>
    }
}
