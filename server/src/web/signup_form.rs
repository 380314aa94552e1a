//! A list's public sign-up form (double opt-in), plain HTML that works without
//! JavaScript and can be posted from a form embedded on any site:
//!
//! - `GET /f/{list_id}`: the form; `POST /f/{list_id}`: a sign-up, answered "check your
//!   inbox" whatever became of it (a bot, an address already pending);
//! - `GET /f/{list_id}/confirm/{token}`: the mailed link, a page with one button;
//!   `POST` the same: the confirmation.
//!
//! A list without a form, or an unknown one: 404 page; a link we did not sign: 404 page;
//! an expired one: 410 page. Nothing changes in any of them.

use super::{
    authenticate::client_ip,
    plain_page::{self, escape},
};
use crate::{
    signups::{Confirmation, FormView, LinkState, SignupInput, Visitor},
    state::AppState,
};
use app::error::AppError;
use axum::{
    body::Bytes,
    extract::{ConnectInfo, DefaultBodyLimit, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Extension, Router,
};
use std::net::SocketAddr;
use uuid::Uuid;

/// An address, two names and a box: far below this.
const MAX_FORM: usize = 16 * 1024;
/// The name of the field hidden from people: only a bot fills it.
pub const TRAP_FIELD: &str = "website";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/f/{list_id}", get(show).post(submit))
        .route(
            "/f/{list_id}/confirm/{token}",
            get(confirmation).post(confirm),
        )
        .layer(DefaultBodyLimit::max(MAX_FORM))
}

async fn show(
    State(state): State<AppState>,
    Path(list_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    let Ok(list_id) = list_id.parse::<Uuid>() else {
        return not_found(&words);
    };
    match state.signups.form(list_id).await {
        Ok(view) => page(
            StatusCode::OK,
            &words,
            &view.list,
            &form(&words, &view, &SignupInput::default(), None),
        ),
        Err(e) => failed(&words, e.into()),
    }
}

async fn submit(
    State(state): State<AppState>,
    Path(list_id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let words = Words::for_request(&headers);
    let Ok(list_id) = list_id.parse::<Uuid>() else {
        return not_found(&words);
    };
    let mut input = SignupInput::default();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "email" => input.email = value.into_owned(),
            "first_name" => input.first_name = Some(value.into_owned()),
            "last_name" => input.last_name = Some(value.into_owned()),
            "consent" => input.consent = !value.is_empty(),
            TRAP_FIELD => input.trap = !value.trim().is_empty(),
            _ => {}
        }
    }
    let visitor = Visitor {
        ip: Some(client_ip(&state, &headers, peer.as_ref().map(|p| &p.0)).to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    match state.signups.submit(list_id, input.clone(), visitor).await {
        Ok(()) => page(
            StatusCode::OK,
            &words,
            words.check_inbox_title,
            &format!("<p role=\"status\">{}</p>", words.check_inbox_text),
        ),
        Err(e) => match AppError::from(e) {
            AppError::Validation { fields, .. } => {
                invalid(&state, &words, list_id, &input, &fields).await
            }
            other => failed(&words, other),
        },
    }
}

async fn confirmation(
    State(state): State<AppState>,
    Path((list_id, token)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    let Ok(list_id) = list_id.parse::<Uuid>() else {
        return not_found(&words);
    };
    match state.signups.confirmation(list_id, &token).await {
        Ok(c) => confirmation_page(&words, &c),
        Err(e) => failed(&words, e.into()),
    }
}

async fn confirm(
    State(state): State<AppState>,
    Path((list_id, token)): Path<(String, String)>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    let Ok(list_id) = list_id.parse::<Uuid>() else {
        return not_found(&words);
    };
    let ip = client_ip(&state, &headers, peer.as_ref().map(|p| &p.0)).to_string();
    match state.signups.confirm(list_id, &token, Some(ip)).await {
        Ok(c) => confirmation_page(&words, &c),
        Err(e) => failed(&words, e.into()),
    }
}

/// The form again, with what was typed and what is wrong with it.
async fn invalid(
    state: &AppState,
    words: &Words,
    list_id: Uuid,
    input: &SignupInput,
    errors: &app::model::FieldErrors,
) -> Response {
    match state.signups.form(list_id).await {
        Ok(view) => page(
            StatusCode::UNPROCESSABLE_ENTITY,
            words,
            &view.list,
            &form(words, &view, input, Some(errors)),
        ),
        Err(e) => failed(words, e.into()),
    }
}

fn form(
    words: &Words,
    view: &FormView,
    input: &SignupInput,
    errors: Option<&app::model::FieldErrors>,
) -> String {
    let error = |field: &str| {
        errors
            .and_then(|e| e.get(field))
            .map(|m| {
                format!(
                    "<p class=\"field-error\" id=\"{field}-error\">{}</p>",
                    escape(m)
                )
            })
            .unwrap_or_default()
    };
    let value = |v: &str| escape(v);
    let alert = if errors.is_some() {
        format!("<p role=\"alert\" class=\"alert\">{}</p>", words.fix_errors)
    } else {
        String::new()
    };
    format!(
        "{alert}<p>{intro}</p>\
         <form method=\"post\">\
         <p><label for=\"email\">{email}</label><br>\
         <input type=\"email\" id=\"email\" name=\"email\" required autocomplete=\"email\" value=\"{email_value}\"></p>{email_error}\
         <p><label for=\"first_name\">{first}</label><br>\
         <input type=\"text\" id=\"first_name\" name=\"first_name\" autocomplete=\"given-name\" value=\"{first_value}\"></p>{first_error}\
         <p><label for=\"last_name\">{last}</label><br>\
         <input type=\"text\" id=\"last_name\" name=\"last_name\" autocomplete=\"family-name\" value=\"{last_value}\"></p>{last_error}\
         <p class=\"trap\" aria-hidden=\"true\">\
         <label for=\"{trap}\">{trap_label}</label>\
         <input type=\"text\" id=\"{trap}\" name=\"{trap}\" tabindex=\"-1\" autocomplete=\"off\"></p>\
         <p><label><input type=\"checkbox\" name=\"consent\" value=\"yes\" required> {wording}</label></p>{consent_error}\
         <p><button type=\"submit\">{subscribe}</button></p>\
         </form>",
        intro = (words.intro)(&escape(&view.organization)),
        email = words.email,
        email_value = value(&input.email),
        email_error = error("email"),
        first = words.first_name,
        first_value = value(input.first_name.as_deref().unwrap_or("")),
        first_error = error("first_name"),
        last = words.last_name,
        last_value = value(input.last_name.as_deref().unwrap_or("")),
        last_error = error("last_name"),
        trap = TRAP_FIELD,
        trap_label = words.trap,
        wording = escape(&view.wording),
        consent_error = error("consent"),
        subscribe = words.subscribe,
    )
}

fn confirmation_page(words: &Words, c: &Confirmation) -> Response {
    match c.state {
        LinkState::Invalid => not_found(words),
        LinkState::Expired => page(
            StatusCode::GONE,
            words,
            words.expired_title,
            &format!("<p>{}</p>", words.expired_text),
        ),
        LinkState::Pending => page(
            StatusCode::OK,
            words,
            words.confirm_title,
            &format!(
                "<p>{}</p><form method=\"post\"><p><button type=\"submit\">{}</button></p></form>",
                (words.confirm_text)(&escape(&c.list), &escape(&c.organization)),
                words.confirm_button
            ),
        ),
        LinkState::Confirmed => page(
            StatusCode::OK,
            words,
            words.confirmed_title,
            &format!(
                "<p role=\"status\">{}</p>",
                (words.confirmed_text)(&escape(&c.list), &escape(&c.organization))
            ),
        ),
    }
}

fn not_found(words: &Words) -> Response {
    page(
        StatusCode::NOT_FOUND,
        words,
        words.invalid_title,
        &format!("<p>{}</p>", words.invalid_text),
    )
}

fn failed(words: &Words, e: AppError) -> Response {
    match e {
        AppError::NotFound(_) => not_found(words),
        _ => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            words,
            words.error_title,
            &format!("<p>{}</p>", words.error_text),
        ),
    }
}

fn page(status: StatusCode, words: &Words, title: &str, body: &str) -> Response {
    plain_page::render(status, words.lang, &escape(title), body)
}

struct Words {
    lang: &'static str,
    intro: fn(&str) -> String,
    email: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    trap: &'static str,
    subscribe: &'static str,
    fix_errors: &'static str,
    check_inbox_title: &'static str,
    check_inbox_text: &'static str,
    confirm_title: &'static str,
    confirm_text: fn(&str, &str) -> String,
    confirm_button: &'static str,
    confirmed_title: &'static str,
    confirmed_text: fn(&str, &str) -> String,
    invalid_title: &'static str,
    invalid_text: &'static str,
    expired_title: &'static str,
    expired_text: &'static str,
    error_title: &'static str,
    error_text: &'static str,
}

impl Words {
    fn for_request(headers: &HeaderMap) -> Self {
        if plain_page::wants_french(headers) {
            Words {
                lang: "fr",
                intro: |org| format!("Recevez les messages de {org}."),
                email: "Adresse e-mail",
                first_name: "Prénom (facultatif)",
                last_name: "Nom (facultatif)",
                trap: "Laissez ce champ vide",
                subscribe: "M'inscrire",
                fix_errors: "Corrigez les champs signalés.",
                check_inbox_title: "Vérifiez votre boîte de réception",
                check_inbox_text: "Nous vous avons envoyé un e-mail : ouvrez son lien pour confirmer votre inscription. Rien ne vous sera envoyé d'ici là.",
                confirm_title: "Confirmer l'inscription",
                confirm_text: |list, org| format!("Confirmez-vous vouloir recevoir « {list} » de {org} ?"),
                confirm_button: "Je confirme",
                confirmed_title: "Inscription confirmée",
                confirmed_text: |list, org| format!("C'est fait : vous recevrez « {list} » de {org}. Chaque message contient un lien pour vous désabonner."),
                invalid_title: "Lien invalide",
                invalid_text: "Ce lien ou ce formulaire n'existe pas (ou plus). Rien n'a changé.",
                expired_title: "Lien expiré",
                expired_text: "Ce lien de confirmation a expiré. Inscrivez-vous à nouveau pour en recevoir un autre. Rien n'a changé.",
                error_title: "Erreur",
                error_text: "Votre demande n'a pas pu être enregistrée. Réessayez dans un instant.",
            }
        } else {
            Words {
                lang: "en",
                intro: |org| format!("Get messages from {org}."),
                email: "Email address",
                first_name: "First name (optional)",
                last_name: "Last name (optional)",
                trap: "Leave this field empty",
                subscribe: "Subscribe",
                fix_errors: "Please correct the fields shown.",
                check_inbox_title: "Check your inbox",
                check_inbox_text: "We have sent you an email: open its link to confirm your subscription. Nothing will be sent to you until then.",
                confirm_title: "Confirm your subscription",
                confirm_text: |list, org| format!("Do you confirm you want to receive \u{201c}{list}\u{201d} from {org}?"),
                confirm_button: "Yes, subscribe me",
                confirmed_title: "Subscription confirmed",
                confirmed_text: |list, org| format!("Done: you will receive \u{201c}{list}\u{201d} from {org}. Every message has a link to unsubscribe."),
                invalid_title: "Invalid link",
                invalid_text: "This link or form does not exist (any more). Nothing changed.",
                expired_title: "Link expired",
                expired_text: "This confirmation link has expired. Sign up again to get a new one. Nothing changed.",
                error_title: "Error",
                error_text: "Your request could not be saved. Please try again in a moment.",
            }
        }
    }
}
