//! The preference centre, public and without login: `GET /pref/{token}` shows the
//! contact's channels and lists as a plain form; `POST /pref/{token}` saves it (a
//! checked box keeps or grants, an unchecked one withdraws or leaves). "Unsubscribe from
//! everything" withdraws every channel in one click. A link we did not sign: 404 page;
//! an expired one: 410 page. Nothing changes in either case.

use super::{
    authenticate::client_ip,
    plain_page::{self, escape},
};
use crate::{
    delivery::links::LinkError,
    privacy::preferences::{PreferencesView, Visitor, Wanted},
    state::AppState,
};
use app::model::Channel;
use axum::{
    body::Bytes,
    extract::{ConnectInfo, DefaultBodyLimit, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Extension, Router,
};
use std::net::SocketAddr;

/// A form lists three channels and the contact's lists: far below this.
const MAX_FORM: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/pref/{token}", get(show).post(save))
        .layer(DefaultBodyLimit::max(MAX_FORM))
}

async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    let link = match state.privacy.preferences_link(&token) {
        Ok(link) => link,
        Err(e) => return refused(&words, e),
    };
    match state.privacy.preferences(link).await {
        Ok(view) => page(
            StatusCode::OK,
            &words,
            words.title,
            &form(&words, &view, None),
        ),
        Err(e) => failed(&words, e),
    }
}

async fn save(
    State(state): State<AppState>,
    Path(token): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let words = Words::for_request(&headers);
    let link = match state.privacy.preferences_link(&token) {
        Ok(link) => link,
        Err(e) => return refused(&words, e),
    };
    let mut wanted = Wanted {
        lists: Some(Default::default()),
        ..Default::default()
    };
    let mut everything = false;
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "channel" => wanted.channels.extend(value.parse::<Channel>()),
            "list" => wanted
                .lists
                .get_or_insert_default()
                .extend(value.parse::<uuid::Uuid>()),
            "everything" => everything = true,
            _ => {}
        }
    }
    if everything {
        // Every channel withdrawn; the lists are left as they are.
        wanted = Wanted::default();
    }
    let visitor = Visitor {
        ip: Some(client_ip(&state, &headers, peer.as_ref().map(|p| &p.0)).to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    match state.privacy.set_preferences(link, wanted, visitor).await {
        Ok(view) => page(
            StatusCode::OK,
            &words,
            words.title,
            &form(&words, &view, Some(words.saved)),
        ),
        Err(e) => failed(&words, e),
    }
}

fn form(words: &Words, view: &PreferencesView, notice: Option<&str>) -> String {
    let notice = notice
        .map(|n| format!("<p role=\"status\" class=\"notice\">{n}</p>"))
        .unwrap_or_default();
    let channels: String = view
        .channels
        .iter()
        .map(|(ch, on)| {
            format!(
                "<label><input type=\"checkbox\" name=\"channel\" value=\"{}\"{}> {}</label><br>",
                ch.as_str(),
                if *on { " checked" } else { "" },
                (words.channel)(*ch)
            )
        })
        .collect();
    let lists: String = view
        .lists
        .iter()
        .map(|l| {
            format!(
                "<label><input type=\"checkbox\" name=\"list\" value=\"{}\" checked> {}</label><br>",
                l.id,
                escape(&l.name)
            )
        })
        .collect();
    let lists = if lists.is_empty() {
        String::new()
    } else {
        format!(
            "<fieldset><legend>{}</legend>{lists}</fieldset>",
            words.lists
        )
    };
    format!(
        "{notice}<p>{}</p><form method=\"post\"><fieldset><legend>{}</legend>{channels}</fieldset>{lists}\
         <p><button type=\"submit\">{}</button></p></form>\
         <form method=\"post\"><input type=\"hidden\" name=\"everything\" value=\"none\">\
         <p><button type=\"submit\" class=\"danger\">{}</button></p></form>",
        (words.intro)(&escape(&view.organization)),
        words.channels,
        words.save,
        words.everything,
    )
}

fn refused(words: &Words, e: LinkError) -> Response {
    match e {
        LinkError::Invalid => page(
            StatusCode::NOT_FOUND,
            words,
            words.invalid_title,
            &format!("<p>{}</p>", words.invalid_text),
        ),
        LinkError::Expired => page(
            StatusCode::GONE,
            words,
            words.expired_title,
            &format!("<p>{}</p>", words.expired_text),
        ),
    }
}

fn failed(words: &Words, e: crate::error::ServiceError) -> Response {
    match app::error::AppError::from(e) {
        // The contact was erased or deleted since the message left.
        app::error::AppError::NotFound(_) => refused(words, LinkError::Invalid),
        _ => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            words,
            words.error_title,
            &format!("<p>{}</p>", words.error_text),
        ),
    }
}

fn page(status: StatusCode, words: &Words, title: &str, body: &str) -> Response {
    plain_page::render(status, words.lang, title, body)
}

struct Words {
    lang: &'static str,
    title: &'static str,
    intro: fn(&str) -> String,
    channels: &'static str,
    channel: fn(Channel) -> &'static str,
    lists: &'static str,
    save: &'static str,
    saved: &'static str,
    everything: &'static str,
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
                title: "Vos préférences",
                intro: |org| format!("Choisissez ce que vous recevez de {org}."),
                channels: "Recevoir par",
                channel: |c| match c {
                    Channel::Email => "E-mail",
                    Channel::Sms => "SMS",
                    Channel::Push => "Notifications",
                },
                lists: "Listes",
                save: "Enregistrer",
                saved: "Vos préférences sont enregistrées.",
                everything: "Me désabonner de tout",
                invalid_title: "Lien invalide",
                invalid_text:
                    "Ce lien n'est pas valide : il a peut-être été modifié. Rien n'a changé.",
                expired_title: "Lien expiré",
                expired_text:
                    "Ce lien a expiré. Utilisez celui d'un message plus récent. Rien n'a changé.",
                error_title: "Erreur",
                error_text:
                    "Vos préférences n'ont pas pu être enregistrées. Réessayez dans un instant.",
            }
        } else {
            Words {
                lang: "en",
                title: "Your preferences",
                intro: |org| format!("Choose what you receive from {org}."),
                channels: "Receive by",
                channel: |c| match c {
                    Channel::Email => "Email",
                    Channel::Sms => "SMS",
                    Channel::Push => "Push notifications",
                },
                lists: "Lists",
                save: "Save",
                saved: "Your preferences are saved.",
                everything: "Unsubscribe from everything",
                invalid_title: "Invalid link",
                invalid_text: "This link is not valid: it may have been altered. Nothing changed.",
                expired_title: "Link expired",
                expired_text:
                    "This link has expired. Use the one in a more recent message. Nothing changed.",
                error_title: "Error",
                error_text: "Your preferences could not be saved. Please try again in a moment.",
            }
        }
    }
}
