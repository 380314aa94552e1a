//! Resolves the caller of every request into an `Actor` (API token or session) and the
//! `RequestContext`, and puts both in the request extensions for handlers, server
//! functions and services.

use crate::{audit, auth::session_auth, error::problem_response, state::AppState};
use app::{error::AppError, ports::RequestContext};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::Response,
};
use chrono::Utc;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ctx = request_context(&state, &request);
    let audit = audit::context::Client::new(state.cipher.clone(), ctx.client_ip);
    request.extensions_mut().insert(ctx);

    if let Some(value) = request.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return problem_response(&AppError::Unauthorized(
                "the Authorization header must be `Bearer <id>|<secret>`".into(),
            ));
        };
        match state.tokens.authenticate(token).await {
            Ok(actor) => {
                request.extensions_mut().insert(actor);
            }
            Err(e) => return problem_response(&AppError::from(e)),
        }
    } else if let Some(session) = request.extensions().get::<Session>().cloned() {
        match actor_from_session(&state, &session).await {
            Ok(Some(actor)) => {
                request.extensions_mut().insert(actor);
            }
            Ok(None) => {}
            Err(e) => return problem_response(&AppError::from(e)),
        }
    }
    audit::context::scope(audit, next.run(request)).await
}

async fn actor_from_session(
    state: &AppState,
    session: &Session,
) -> crate::error::ServiceResult<Option<app::model::Actor>> {
    let Some(auth) = session_auth::current(session).await? else {
        return Ok(None);
    };
    let age = Utc::now().signed_duration_since(auth.authenticated_at);
    if age
        .to_std()
        .is_ok_and(|age| age > state.config.session_absolute_timeout)
    {
        session_auth::sign_out(session).await?;
        return Ok(None);
    }
    let actor = state.accounts.actor_for_session(&auth).await?;
    if actor.is_none() {
        // The user lost every membership (or was deleted): the session is over.
        session_auth::sign_out(session).await?;
    } else if let Some(a) = &actor {
        if a.organization_id != auth.organization_id {
            session_auth::set_organization(session, a.organization_id).await?;
        }
    }
    Ok(actor)
}

fn request_context(state: &AppState, request: &Request) -> RequestContext {
    let headers = request.headers();
    let client_ip = client_ip(
        state,
        headers,
        request.extensions().get::<ConnectInfo<SocketAddr>>(),
    );
    let base_url = match &state.config.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    };
    RequestContext {
        client_ip,
        base_url,
    }
}

/// The client's address: the peer's, or what our proxy says when we sit behind one.
/// Public pages outside this middleware (opt-in, preferences) call it themselves.
pub fn client_ip(
    state: &AppState,
    headers: &HeaderMap,
    peer: Option<&ConnectInfo<SocketAddr>>,
) -> IpAddr {
    let peer = peer
        .map(|ci| ci.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    if state.config.trust_proxy {
        forwarded_for(headers).unwrap_or(peer)
    } else {
        peer
    }
}

/// The last address of `X-Forwarded-For`: the one our proxy appended, the client as it
/// saw it. (The first is whatever the client chose to send: taken, a client would pick a
/// fresh address for every attempt and pass the per-address throttles.)
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get("x-forwarded-for")?
        .to_str()
        .ok()?
        .rsplit(',')
        .next()?
        .trim()
        .parse()
        .ok()
}
