use crate::{
    api::SetLocale,
    components::{use_locale, use_strings},
    i18n::Locale,
};
use leptos::{prelude::*, server_fn::ServerFn};

/// A plain form, on purpose also with JavaScript: the browser follows the redirect and
/// reloads the page, so every string (and `<html lang>`) switches at once.
#[component]
pub fn LocaleSwitcher() -> impl IntoView {
    let t = use_strings();
    let current = use_locale();
    view! {
        <form class="inline-form" method="post" action=SetLocale::url()>
            <label for="locale-select">{t.language}</label>
            <select id="locale-select" name="locale">
                {Locale::ALL
                    .into_iter()
                    .map(|l| {
                        view! {
                            <option value=l.code() lang=l.code() selected=l == current>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="button secondary">{t.change_language}</button>
        </form>
    }
}
