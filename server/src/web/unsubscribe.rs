//! The unsubscribe link of every email, public and without login: `GET /u/{token}`
//! shows a confirmation page whose button posts; `POST /u/{token}` unsubscribes (also
//! the RFC 8058 one-click POST a mail client sends, `List-Unsubscribe=One-Click`, from
//! any origin: the signed token is the proof). A token we did not sign gets a 404 page.

use super::plain_page;
use crate::{delivery::sending::Unsubscribed, state::AppState};
use app::model::Channel;
use axum::{
    extract::{Path, State},
    http::{HeaderMap, StatusCode},
    response::Response,
    routing::get,
    Router,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/u/{token}", get(confirm).post(unsubscribe))
}

async fn confirm(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    match state.sending.unsubscribe_link(&token) {
        Some(link) => page(
            StatusCode::OK,
            &words,
            words.confirm_title,
            &format!(
                "<p>{}</p><form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\"><button type=\"submit\">{}</button></form>",
                (words.confirm_text)(link.channel),
                words.button
            ),
        ),
        None => invalid(&words),
    }
}

async fn unsubscribe(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    let Some(link) = state.sending.unsubscribe_link(&token) else {
        return invalid(&words);
    };
    match state.sending.unsubscribe(&token).await {
        Ok(Unsubscribed::Now | Unsubscribed::Already) => page(
            StatusCode::OK,
            &words,
            words.done_title,
            &format!("<p>{}</p>", (words.done_text)(link.channel)),
        ),
        Err(crate::error::ServiceError::App(app::error::AppError::NotFound(_))) => invalid(&words),
        Err(e) => {
            let _ = app::error::AppError::from(e);
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &words,
                words.error_title,
                &format!("<p>{}</p>", words.error_text),
            )
        }
    }
}

fn invalid(words: &Words) -> Response {
    page(
        StatusCode::NOT_FOUND,
        words,
        words.invalid_title,
        &format!("<p>{}</p>", words.invalid_text),
    )
}

fn page(status: StatusCode, words: &Words, title: &str, body: &str) -> Response {
    plain_page::render(status, words.lang, title, body)
}

struct Words {
    lang: &'static str,
    confirm_title: &'static str,
    confirm_text: fn(Channel) -> String,
    button: &'static str,
    done_title: &'static str,
    done_text: fn(Channel) -> String,
    invalid_title: &'static str,
    invalid_text: &'static str,
    error_title: &'static str,
    error_text: &'static str,
}

impl Words {
    fn for_request(headers: &HeaderMap) -> Self {
        if plain_page::wants_french(headers) {
            Words {
                lang: "fr",
                confirm_title: "Se désabonner",
                confirm_text: |c| format!("Vous ne recevrez plus de messages de cet expéditeur par {}.", channel_fr(c)),
                button: "Me désabonner",
                done_title: "Vous êtes désabonné",
                done_text: |c| format!("Vous ne recevrez plus de messages de cet expéditeur par {}.", channel_fr(c)),
                invalid_title: "Lien invalide",
                invalid_text: "Ce lien de désabonnement n'est pas valide : il a peut-être été modifié. Rien n'a changé.",
                error_title: "Erreur",
                error_text: "Le désabonnement n'a pas pu être enregistré. Réessayez dans un instant.",
            }
        } else {
            Words {
                lang: "en",
                confirm_title: "Unsubscribe",
                confirm_text: |c| {
                    format!(
                        "You will receive no more messages from this sender by {}.",
                        channel_en(c)
                    )
                },
                button: "Unsubscribe me",
                done_title: "You are unsubscribed",
                done_text: |c| {
                    format!(
                        "You will receive no more messages from this sender by {}.",
                        channel_en(c)
                    )
                },
                invalid_title: "Invalid link",
                invalid_text:
                    "This unsubscribe link is not valid: it may have been altered. Nothing changed.",
                error_title: "Error",
                error_text: "The unsubscribe could not be recorded. Please try again in a moment.",
            }
        }
    }
}

fn channel_en(c: Channel) -> &'static str {
    match c {
        Channel::Email => "email",
        Channel::Sms => "SMS",
        Channel::Push => "push notification",
    }
}

fn channel_fr(c: Channel) -> &'static str {
    match c {
        Channel::Email => "e-mail",
        Channel::Sms => "SMS",
        Channel::Push => "notification",
    }
}
