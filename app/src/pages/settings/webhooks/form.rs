use crate::{
    api::CreateWebhook,
    components::{use_strings, ErrorAlert, FieldError, TextField},
    model::EVENT_TYPES,
};
use leptos::{form::ActionForm, prelude::*};

#[component]
pub fn NewWebhookForm(create: ServerAction<CreateWebhook>) -> impl IntoView {
    let t = use_strings();
    let w = t.webhooks;
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let events_error =
        Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.field_error("events"))));
    let boxes = EVENT_TYPES
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let id = format!("webhook-event-{i}");
            view! {
                <div class="check">
                    <input type="checkbox" id=id.clone() name="events[]" value=name/>
                    <label for=id><code>{name}</code></label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="new-webhook-title">
            <h2 id="new-webhook-title">{w.new_title}</h2>
            <ActionForm action=create attr:class="form">
                <ErrorAlert error/>
                <TextField name="url" id="webhook-url" label=w.url input_type="url"
                    autocomplete="off" hint=w.url_hint required=true error/>
                <TextField name="description" id="webhook-description" label=w.description
                    autocomplete="off" error/>
                <fieldset
                    class="checks"
                    aria-describedby=move || events_error.with(Option::is_some).then_some("webhook-events-error")
                >
                    <legend>{w.events}</legend>
                    {boxes}
                    <FieldError id="webhook-events-error".to_owned() message=events_error/>
                </fieldset>
                <button type="submit" class="button primary">{w.add}</button>
            </ActionForm>
        </section>
    }
}
