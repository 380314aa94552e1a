//! `POST /hooks/{sendgrid|mailgun|twilio}/{organization_id}`: public (providers have no
//! session), each request proven by its provider's signature under the organization's
//! settings of that provider. Answers: 200 with what was applied; 400 for a body that
//! is not the provider's format; 401 for a missing, wrong or stale signature (nothing
//! is recorded); 413 past [`MAX_BODY`]; 503 when some messages are still being recorded
//! (the provider sends the request again).

use crate::{
    channels,
    db::entities::webhook_token,
    error::{problem, ServiceError},
    state::AppState,
    webhooks::{fresh, mailgun, sendgrid, twilio, Applied, Webhooks, MAX_BODY},
};
use app::model::Channel;
use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::{header, HeaderMap, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::post,
    Json, Router,
};
use sea_orm::{sea_query::OnConflict, EntityTrait, Set};
use uuid::Uuid;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/hooks/sendgrid/{organization_id}", post(sendgrid))
        .route("/hooks/mailgun/{organization_id}", post(mailgun))
        .route("/hooks/twilio/{organization_id}", post(twilio))
}

pub(crate) enum HookError {
    BadRequest(String),
    Unauthorized(String),
    TooLarge,
    Service(ServiceError),
}

impl From<ServiceError> for HookError {
    fn from(e: ServiceError) -> Self {
        HookError::Service(e)
    }
}

impl From<sea_orm::DbErr> for HookError {
    fn from(e: sea_orm::DbErr) -> Self {
        HookError::Service(e.into())
    }
}

impl IntoResponse for HookError {
    fn into_response(self) -> Response {
        match self {
            HookError::BadRequest(why) => problem(
                StatusCode::BAD_REQUEST,
                "bad-request",
                "Malformed webhook",
                why,
            ),
            HookError::Unauthorized(why) => {
                tracing::warn!(why, "webhook refused");
                problem(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "Signature refused",
                    why,
                )
            }
            HookError::TooLarge => problem(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Webhook too large",
                format!("a webhook body is at most {MAX_BODY} bytes"),
            ),
            HookError::Service(e) => crate::error::problem_response(&app::error::AppError::from(e)),
        }
    }
}

type HookResult = Result<Response, HookError>;

async fn read(body: Body) -> Result<Bytes, HookError> {
    axum::body::to_bytes(body, MAX_BODY).await.map_err(|e| {
        let too_large = std::error::Error::source(&e)
            .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if too_large {
            HookError::TooLarge
        } else {
            HookError::BadRequest(format!("the body could not be read: {e}"))
        }
    })
}

fn organization(raw: &str) -> Result<Uuid, HookError> {
    raw.parse()
        .map_err(|_| HookError::BadRequest("the URL's organization id is not a UUID".into()))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, HookError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| HookError::Unauthorized(format!("the {name} header is missing")))
}

/// The organization's settings of `provider` on `channel`, secrets included.
async fn settings(
    hooks: &Webhooks,
    organization_id: Uuid,
    channel: Channel,
    provider: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, HookError> {
    hooks
        .channels
        .provider_settings(organization_id, channel, provider)
        .await?
        .ok_or_else(|| {
            HookError::Unauthorized(format!(
                "this organization does not send {channel} through {provider}"
            ))
        })
}

fn answer(applied: Applied) -> Response {
    let status = if applied.early > 0 {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let mut response = (status, Json(applied)).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    }
    response
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[utoipa::path(post, path = "/hooks/sendgrid/{organization_id}", tag = "webhooks",
    summary = "SendGrid's signed Event Webhook (ECDSA over timestamp and body)",
    security(()),
    params(("organization_id" = String, Path, description = "the organization's id"),
        ("X-Twilio-Email-Event-Webhook-Signature" = String, Header, description = "base64 DER ECDSA P-256 signature"),
        ("X-Twilio-Email-Event-Webhook-Timestamp" = String, Header, description = "Unix time, within 10 minutes")),
    request_body(content = Vec<Object>, content_type = "application/json", description = "SendGrid's array of events"),
    responses((status = 200, description = "what was applied", body = crate::webhooks::Applied),
        (status = 400, description = "not the provider's format", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "signature missing, wrong or stale; nothing recorded", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "some messages are still being recorded: send again", body = crate::webhooks::Applied))
)]
pub(crate) async fn sendgrid(
    State(state): State<AppState>,
    Path(organization_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> HookResult {
    let organization_id = organization(&organization_id)?;
    let body = read(body).await?;
    let signature = header(&headers, sendgrid::SIGNATURE_HEADER)?;
    let timestamp = header(&headers, sendgrid::TIMESTAMP_HEADER)?;
    let settings = settings(
        &state.webhooks,
        organization_id,
        Channel::Email,
        channels::sendgrid::NAME,
    )
    .await?;
    let key = settings
        .get("webhook_verification_key")
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            HookError::Unauthorized(
                "no webhook_verification_key is set in the SendGrid settings".into(),
            )
        })?;
    let key = channels::sendgrid::verification_key(key)
        .map_err(|e| HookError::Unauthorized(format!("the stored verification key: {e}")))?;
    if !sendgrid::verify(&key, timestamp, &body, signature) {
        return Err(HookError::Unauthorized(
            "the signature does not match the body".into(),
        ));
    }
    let stamped: i64 = timestamp
        .parse()
        .map_err(|_| HookError::Unauthorized("the timestamp is not a number".into()))?;
    if !fresh(stamped, now()) {
        return Err(HookError::Unauthorized(
            "the timestamp is more than 10 minutes off".into(),
        ));
    }
    let statuses = sendgrid::statuses(&body).map_err(HookError::BadRequest)?;
    let applied = state
        .webhooks
        .apply(organization_id, channels::sendgrid::NAME, statuses)
        .await?;
    Ok(answer(applied))
}

#[utoipa::path(post, path = "/hooks/mailgun/{organization_id}", tag = "webhooks",
    summary = "Mailgun's signed webhook (HMAC over timestamp and a one-time token)",
    security(()),
    params(("organization_id" = String, Path, description = "the organization's id")),
    request_body(content = Object, content_type = "application/json", description = "`{signature: {timestamp, token, signature}, \"event-data\": {...}}`"),
    responses((status = 200, description = "what was applied", body = crate::webhooks::Applied),
        (status = 400, description = "not the provider's format", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "signature missing, wrong or stale; nothing recorded", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "some messages are still being recorded: send again", body = crate::webhooks::Applied))
)]
pub(crate) async fn mailgun(
    State(state): State<AppState>,
    Path(organization_id): Path<String>,
    body: Body,
) -> HookResult {
    let organization_id = organization(&organization_id)?;
    let body = read(body).await?;
    let (signed, status) = mailgun::parse(&body).map_err(HookError::BadRequest)?;
    let settings = settings(
        &state.webhooks,
        organization_id,
        Channel::Email,
        channels::mailgun::NAME,
    )
    .await?;
    let key = settings
        .get("webhook_signing_key")
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            HookError::Unauthorized("no webhook_signing_key is set in the Mailgun settings".into())
        })?;
    if !mailgun::verify(key, &signed) {
        return Err(HookError::Unauthorized(
            "the signature does not match".into(),
        ));
    }
    let stamped: i64 = signed
        .timestamp
        .parse()
        .map_err(|_| HookError::Unauthorized("the timestamp is not a number".into()))?;
    if !fresh(stamped, now()) {
        return Err(HookError::Unauthorized(
            "the timestamp is more than 10 minutes off".into(),
        ));
    }
    // Once only: a second request with this token is a replay.
    let token = webhook_token::ActiveModel {
        organization_id: Set(organization_id),
        provider: Set(channels::mailgun::NAME.to_owned()),
        token: Set(signed.token.clone()),
        seen_at: Set(chrono::Utc::now()),
    };
    if webhook_token::Entity::insert(token)
        .on_conflict(
            OnConflict::columns([
                webhook_token::Column::OrganizationId,
                webhook_token::Column::Provider,
                webhook_token::Column::Token,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&state.db)
        .await?
        == 0
    {
        return Err(HookError::Unauthorized(
            "this token was already used".into(),
        ));
    }
    let result = state
        .webhooks
        .apply(organization_id, channels::mailgun::NAME, vec![status])
        .await;
    // Not taken: Mailgun will send the same request again, which must then pass.
    if !matches!(&result, Ok(applied) if applied.early == 0) {
        let forget = webhook_token::Entity::delete_by_id((
            organization_id,
            channels::mailgun::NAME.to_owned(),
            signed.token,
        ))
        .exec(&state.db)
        .await;
        if let Err(e) = forget {
            tracing::warn!(error = %e, "could not forget a webhook token");
        }
    }
    Ok(answer(result?))
}

#[utoipa::path(post, path = "/hooks/twilio/{organization_id}", tag = "webhooks",
    summary = "Twilio's status callbacks and inbound messages (X-Twilio-Signature); STOP unsubscribes",
    security(()),
    params(("organization_id" = String, Path, description = "the organization's id"),
        ("X-Twilio-Signature" = String, Header, description = "base64 HMAC-SHA1 of the URL and the sorted parameters")),
    request_body(content = std::collections::HashMap<String, String>, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "a status applied (JSON) or an inbound message taken (empty TwiML)", body = crate::webhooks::Applied),
        (status = 400, description = "not the provider's format", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "signature missing, wrong or stale; nothing recorded", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 503, description = "some messages are still being recorded: send again", body = crate::webhooks::Applied))
)]
pub(crate) async fn twilio(
    State(state): State<AppState>,
    Path(organization_id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> HookResult {
    let organization_id = organization(&organization_id)?;
    let body = read(body).await?;
    let signature = header(&headers, twilio::SIGNATURE_HEADER)?;
    let params = twilio::params(&body).map_err(HookError::BadRequest)?;
    let settings = settings(
        &state.webhooks,
        organization_id,
        Channel::Sms,
        channels::twilio::NAME,
    )
    .await?;
    let token = settings
        .get("auth_token")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    let url = called_url(&state, &headers, &uri);
    if !twilio::verify(token, &url, &params, signature) {
        return Err(HookError::Unauthorized(format!(
            "the signature does not match the parameters and the URL {url} (with a proxy in front, set CARILLON_PUBLIC_URL)"
        )));
    }
    match twilio::read(&params).map_err(HookError::BadRequest)? {
        twilio::Callback::Status(status) => {
            let applied = state
                .webhooks
                .apply(organization_id, channels::twilio::NAME, vec![status])
                .await?;
            Ok(answer(applied))
        }
        twilio::Callback::Stop { from } => {
            state.webhooks.stop(organization_id, &from).await?;
            Ok(twiml())
        }
        twilio::Callback::Inbound => Ok(twiml()),
    }
}

/// The URL Twilio called: our public URL when configured (what we gave Twilio as the
/// callback), else what the request says.
fn called_url(state: &AppState, headers: &HeaderMap, uri: &Uri) -> String {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    match &state.config.public_url {
        Some(public) => format!("{}{path}", public.as_str().trim_end_matches('/')),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}{path}")
        }
    }
}

/// An empty TwiML answer: no reply to an inbound message (Twilio's own opt-out handling
/// answers STOP).
fn twiml() -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml")],
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>",
    )
        .into_response()
}
