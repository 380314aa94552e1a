//! The public opt-in page of an organization's push notifications, and what it needs:
//!
//! - `GET /p/{organization_id}`: a page with a button; its script (`/p/optin.js`)
//!   registers the service worker, asks the browser's permission, subscribes with the
//!   organization's VAPID key and posts the subscription;
//! - `POST /p/{organization_id}/subscriptions`: the browser's `PushSubscription` JSON
//!   (`{endpoint, keys: {p256dh, auth}}`, optionally `email`): 201, 404 when the
//!   organization does not send push through Web Push, 422 for invalid keys;
//! - `GET /p/sw.js`: the service worker: it shows each message (title, body, icon) and
//!   opens its URL on click.
//!
//! No session and no login: anyone may subscribe their own browser.

use crate::{
    error::problem_response,
    push::{Client, SubscriptionInput, MAX_BODY},
    state::AppState,
};
use app::error::AppError;
use axum::{
    body::Body,
    extract::{ConnectInfo, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
    Extension, Json, Router,
};
use std::net::SocketAddr;
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/p/sw.js", get(service_worker))
        .route("/p/optin.js", get(optin_script))
        .route("/p/{organization_id}", get(page))
        .route("/p/{organization_id}/subscriptions", post(subscribe))
}

const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self'; \
    manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

async fn page(
    State(state): State<AppState>,
    Path(organization_id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let words = Words::for_request(&headers);
    let key = match organization_id.parse::<Uuid>() {
        Ok(id) => match state.push.public_key(id).await {
            Ok(key) => key.map(|k| (id, k)),
            Err(e) => return problem_response(&AppError::from(e)),
        },
        Err(_) => None,
    };
    let Some((organization_id, key)) = key else {
        let html = shell(words.title, &format!("<p>{}</p>", words.unavailable));
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_SECURITY_POLICY, PAGE_CSP)],
            Html(html),
        )
            .into_response();
    };
    let body = format!(
        r#"<main id="optin" data-organization="{organization_id}" data-key="{key}">
<h1>{title}</h1>
<p>{intro}</p>
<label for="email">{email_label}</label>
<input id="email" type="email" autocomplete="email">
<button id="subscribe" type="button">{button}</button>
<p id="status" role="status" aria-live="polite"></p>
<template id="words" data-done="{done}" data-denied="{denied}" data-unsupported="{unsupported}" data-failed="{failed}"></template>
</main>
<script src="/p/optin.js" defer></script>"#,
        title = words.title,
        intro = words.intro,
        email_label = words.email_label,
        button = words.button,
        done = words.done,
        denied = words.denied,
        unsupported = words.unsupported,
        failed = words.failed,
    );
    (
        [(header::CONTENT_SECURITY_POLICY, PAGE_CSP)],
        Html(shell(words.title, &body)),
    )
        .into_response()
}

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}\
         input,button{{font:inherit;display:block;margin:.5rem 0;padding:.5rem;width:100%;box-sizing:border-box}}\
         button{{background:#1f4e79;color:#fff;border:0;border-radius:4px;cursor:pointer}}</style></head><body>{body}</body></html>"
    )
}

#[utoipa::path(post, path = "/p/{organization_id}/subscriptions", tag = "push",
    summary = "Subscribe a browser to the organization's push notifications (public)",
    security(()),
    params(("organization_id" = String, Path, description = "the organization's id")),
    request_body(content = crate::push::SubscriptionInput, content_type = "application/json", description = "the browser's PushSubscription, optionally with an email"),
    responses(
        (status = 201, description = "subscribed; the contact has push consent", body = crate::push::Subscribed),
        (status = 400, description = "not JSON of that shape", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "no such organization, or it does not send push through Web Push", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "over 16 KiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid endpoint, keys or email", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn subscribe(
    State(state): State<AppState>,
    Path(organization_id): Path<String>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(organization_id) = organization_id.parse::<Uuid>() else {
        return problem_response(&AppError::NotFound("push opt-in page not found".into()));
    };
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return crate::error::problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Subscription too large",
                format!("a subscription is at most {MAX_BODY} bytes"),
            )
        }
    };
    let input: SubscriptionInput = match serde_json::from_slice(&bytes) {
        Ok(i) => i,
        Err(e) => {
            return crate::error::problem(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Malformed subscription",
                format!(
                "expected a PushSubscription as JSON ({{endpoint, keys: {{p256dh, auth}}}}): {e}"
            ),
            )
        }
    };
    // The consent's evidence: who accepted, from where.
    let client = Client {
        ip: Some(
            super::authenticate::client_ip(&state, &headers, peer.as_ref().map(|p| &p.0))
                .to_string(),
        ),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    match state.push.subscribe(organization_id, input, client).await {
        Ok(done) => (StatusCode::CREATED, Json(done)).into_response(),
        Err(e) => problem_response(&AppError::from(e)),
    }
}

async fn optin_script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        OPTIN_JS,
    )
        .into_response()
}

async fn service_worker() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; img-src 'self' https: data:",
            ),
            (
                header::HeaderName::from_static("service-worker-allowed"),
                "/p/",
            ),
        ],
        SERVICE_WORKER_JS,
    )
        .into_response()
}

/// The opt-in page's script: no framework, no inline code (the page's CSP forbids it).
const OPTIN_JS: &str = r#"'use strict';
(function () {
  const main = document.getElementById('optin');
  const status = document.getElementById('status');
  const words = document.getElementById('words').dataset;
  const button = document.getElementById('subscribe');
  const say = (text) => { status.textContent = text; };
  const key = (base64url) => {
    const raw = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - base64url.length % 4) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  };
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) {
    say(words.unsupported);
    button.disabled = true;
    return;
  }
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== 'granted') { say(words.denied); button.disabled = false; return; }
      const registration = await navigator.serviceWorker.register('/p/sw.js', { scope: '/p/' });
      await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: key(main.dataset.key),
      });
      const body = subscription.toJSON();
      const email = document.getElementById('email').value.trim();
      if (email) body.email = email;
      const response = await fetch('/p/' + main.dataset.organization + '/subscriptions', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const problem = await response.json().catch(() => ({}));
        throw new Error(problem.detail || response.statusText);
      }
      say(words.done);
      main.dataset.subscribed = 'true';
    } catch (error) {
      say(words.failed + ' ' + error.message);
      button.disabled = false;
    }
  });
})();
"#;

/// The service worker: shows each push message and opens its URL on click.
const SERVICE_WORKER_JS: &str = r#"'use strict';
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
self.addEventListener('push', (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (_) { message = { body: event.data.text() }; }
  event.waitUntil(self.registration.showNotification(message.title || '', {
    body: message.body || '',
    icon: message.icon || undefined,
    data: { url: message.url || '' },
  }));
});
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = event.notification.data && event.notification.data.url;
  if (url) event.waitUntil(self.clients.openWindow(url));
});
"#;

struct Words {
    title: &'static str,
    intro: &'static str,
    email_label: &'static str,
    button: &'static str,
    done: &'static str,
    denied: &'static str,
    unsupported: &'static str,
    failed: &'static str,
    unavailable: &'static str,
}

impl Words {
    fn for_request(headers: &HeaderMap) -> Words {
        let french = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("fr"));
        if french {
            Words {
                title: "Recevoir nos notifications",
                intro: "Acceptez les notifications de ce navigateur pour recevoir nos messages. Vous pourrez les couper à tout moment dans les réglages du navigateur.",
                email_label: "Votre adresse e-mail (facultative : relie cet abonnement à votre compte)",
                button: "Activer les notifications",
                done: "C'est fait : ce navigateur recevra nos notifications.",
                denied: "Les notifications sont refusées pour ce site : autorisez-les dans les réglages du navigateur.",
                unsupported: "Ce navigateur ne prend pas en charge les notifications push.",
                failed: "L'abonnement a échoué :",
                unavailable: "Cette page d'abonnement n'existe pas, ou les notifications push ne sont pas activées.",
            }
        } else {
            Words {
                title: "Get our notifications",
                intro: "Allow notifications in this browser to receive our messages. You can turn them off at any time in the browser's settings.",
                email_label: "Your email address (optional: links this subscription to your account)",
                button: "Turn on notifications",
                done: "Done: this browser will receive our notifications.",
                denied: "Notifications are blocked for this site: allow them in the browser's settings.",
                unsupported: "This browser does not support push notifications.",
                failed: "Subscribing failed:",
                unavailable: "This subscription page does not exist, or push notifications are not turned on.",
            }
        }
    }
}
