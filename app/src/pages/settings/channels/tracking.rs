//! The organization's open and click tracking switch, under its channels: a plain form
//! (a checkbox and a button), so it works without JavaScript.

use crate::{
    api::{get_organization, SetTracking},
    components::{error_text, use_can, use_strings, ErrorAlert},
    model::Action,
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn TrackingSection() -> impl IntoView {
    let t = use_strings();
    let s = t.sending;
    let save = ServerAction::<SetTracking>::new();
    let organization = Resource::new(move || save.version().get(), |_| get_organization());
    let can_manage = use_can(Action::SettingsManage);
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    view! {
        <section aria-labelledby="tracking-title" class="card" data-testid="tracking">
            <h3 id="tracking-title">{s.tracking_title}</h3>
            <p class="muted">{s.tracking_intro}</p>
            <Transition fallback=move || view! { <p>{t.loading}</p> }>
                {move || Suspend::new(async move {
                    match organization.await {
                        Ok(o) => view! {
                            <ActionForm action=save attr:class="form">
                                <ErrorAlert error/>
                                <label class="check">
                                    <input type="checkbox" name="tracking" checked=o.tracking
                                        disabled=!can_manage data-testid="tracking-enabled"/>
                                    " " {s.tracking_label}
                                </label>
                                <p class="muted" data-testid="tracking-state">
                                    {if o.tracking { s.tracking_on } else { s.tracking_off }}
                                </p>
                                {can_manage.then(|| view! {
                                    <button type="submit" class="button" data-testid="tracking-save">{s.tracking_save}</button>
                                })}
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{error_text(t, &e)}</div> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
