//! Building the application: database, services, router and middleware.

use crate::{config::Config, db, rest, state::AppState, web};
use anyhow::Context;
use app::ports::Ports;
use axum::{
    body::Body,
    extract::Request,
    http::{header, HeaderValue},
    middleware,
    routing::{any, get},
    Router,
};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::convert::Infallible;
use std::{future::Future, net::SocketAddr, time::Duration};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::{service_fn, Service};
use tower_http::{
    catch_panic::CatchPanicLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    services::ServeDir,
    trace::TraceLayer,
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// How long a stopping server waits for the background rounds under way (an import
/// batch, say) to finish and release what they hold.
pub const JOBS_GRACE: Duration = Duration::from_secs(30);

pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

impl Application {
    /// Connects, migrates, wires the services and binds `leptos_options.site_addr`
    /// (port 0 picks a free one). Nothing runs until [`Application::run_until_stopped`].
    pub async fn build(config: Config, leptos_options: LeptosOptions) -> anyhow::Result<Self> {
        let db = db::connect(&config.database_url).await?;
        db::migrate(&db).await?;
        let cipher = crate::keys::open(&config, &db).await?;
        // Before anything answers: lookups and uniqueness use the current indexes.
        crate::contacts::reindex::run(&db, &cipher)
            .await
            .map_err(|e| anyhow::anyhow!("Failed to re-index contacts: {e:?}"))?;
        let listener = TcpListener::bind(leptos_options.site_addr)
            .await
            .with_context(|| format!("Failed to bind {}", leptos_options.site_addr))?;
        // Port 0 picks one: links built from the address must name the real one.
        let mut leptos_options = leptos_options;
        leptos_options.site_addr = listener.local_addr()?;
        let state = AppState::build(config, db, cipher, leptos_options)?;
        Ok(Self {
            listener,
            router: router(state.clone()),
            state,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The services and the background jobs (tests drain them).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves and runs the background jobs until SIGINT or SIGTERM.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves and runs the background jobs until `stop` resolves; then, at once and side
    /// by side, stops accepting and answers the requests under way, and lets the job
    /// rounds under way finish their unit of work and release their claims (at most
    /// [`JOBS_GRACE`]).
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stopping = CancellationToken::new();
        tokio::spawn({
            let stopping = stopping.clone();
            async move {
                stop.await;
                stopping.cancel();
            }
        });
        let jobs = self.state.jobs.clone();
        jobs.start().await;
        let server = async {
            let served = axum::serve(
                self.listener,
                self.router
                    .into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(stopping.clone().cancelled_owned())
            .await
            .context("The HTTP server failed");
            // A server that fails stops the process, jobs included.
            stopping.cancel();
            served
        };
        let jobs_stopped = async {
            stopping.cancelled().await;
            jobs.shutdown(JOBS_GRACE).await;
        };
        let (served, ()) = tokio::join!(server, jobs_stopped);
        served
    }
}

fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let page_context = {
        let ports = state.ports();
        move || page_context(ports.clone())
    };
    let secure = state.config.secure_cookies();
    let session_layer = SessionManagerLayer::new(state.sessions.clone())
        .with_name(if secure {
            "__Host-carillon_session"
        } else {
            "carillon_session"
        })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(state.config.session_idle_timeout)
                .unwrap_or(time::Duration::HOUR),
        ));

    // Probes and metrics answer without a session, a caller or CSRF checks (and so
    // never touch the session store); /metrics has its own token.
    let probes = Router::new()
        .route("/healthz", get(web::health::alive))
        .route("/readyz", get(web::health::ready))
        .route("/metrics", get(web::metrics::render))
        // Public, from mail clients of any origin: the signed token is the proof.
        .merge(web::unsubscribe::router())
        .merge(web::preferences::router())
        // Public, from mail clients and browsers: the signed token is the proof.
        .merge(web::tracking::router())
        // Public, from providers: each request's signature is the proof.
        .merge(web::hooks::router())
        // Public: a visitor subscribes their own browser to push notifications.
        .merge(web::push_optin::router())
        // Public, posted from any site that embeds it: a list's sign-up form.
        .merge(web::signup_form::router());
    let app = Router::new()
        .merge(rest::router())
        .merge(web::import_form::router())
        .route("/api/{*rest}", any(rest::not_found))
        .leptos_routes_with_context(&state, routes, page_context.clone(), {
            let options = state.leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback_service(static_files(&state, page_context))
        // Outermost last: CSRF → session → auth → server-function status → idempotency.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::idempotency::enforce,
        ))
        .layer(middleware::from_fn(server_fn_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::authenticate::authenticate,
        ))
        .layer(session_layer)
        .layer(middleware::from_fn(web::csrf::same_origin_only));

    // Outermost last: request id → trace → headers → panic guard → metrics → gzip.
    probes
        .merge(app)
        .layer(web::compress::layer())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            web::metrics::track,
        ))
        // A bug must cost one request a 500, never the connection or the process.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn(web::security_headers::add))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// The site's files (WASM, scripts, styles, icons), else the "not found" page. Files are
/// served without the page context: Leptos' own file handler runs it for each file and
/// takes the response headers it finds there, which under many concurrent requests (a
/// page preloads its WASM chunks) took a page's security policy off that page.
fn static_files(
    state: &AppState,
    page_context: impl Fn() + Clone + Send + Sync + 'static,
) -> ServeDir<
    impl Service<
            Request<Body>,
            Response = axum::response::Response,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static,
> {
    let root = state.leptos_options.site_root.to_string();
    let render =
        leptos_axum::file_and_error_handler_with_context::<AppState, _>(page_context, app::shell);
    let state = state.clone();
    let not_found = service_fn(move |request: Request<Body>| {
        let (render, state) = (render.clone(), state.clone());
        async move {
            let uri = request.uri().clone();
            Ok::<_, Infallible>(render(uri, axum::extract::State(state), request).await)
        }
    });
    ServeDir::new(root)
        .append_index_html_on_directories(false)
        .call_fallback_on_method_not_allowed(true)
        .fallback(not_found)
}

/// What every rendered page and server function gets: the services, and a CSP nonce
/// that the hydration script carries and the response's policy allows.
fn page_context(ports: Ports) {
    provide_context(ports);
    leptos::nonce::provide_nonce();
    if let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(csp) = HeaderValue::from_str(&web::security_headers::page_csp(&nonce)) {
            response.insert_header(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
}

/// Leptos answers every server-function error with 500; ours carry their real status
/// (401, 422, ...), so clients and logs see a refusal as a refusal, not a crash.
async fn server_fn_status(
    request: Request<Body>,
    next: middleware::Next,
) -> axum::response::Response {
    let is_server_fn = request.uri().path().starts_with("/api/fn/");
    let response = next.run(request).await;
    if !is_server_fn || response.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 256 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = axum::http::StatusCode::from_u16(error.status()).unwrap_or(parts.status);
    }
    axum::response::Response::from_parts(parts, Body::from(bytes))
}

fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = message, "a request handler panicked");
    crate::error::problem_response(&app::error::AppError::Internal)
}

/// One span per request, carrying the request id so every log line of the request has it.
/// The path is logged without its query, and invitation secrets are cut out of it.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let path = request.uri().path();
    let path = if path.starts_with("/invite/") {
        "/invite/…"
    } else {
        path
    };
    tracing::info_span!("request", method = %request.method(), path, request_id)
}

pub async fn shutdown_signal() {
    // Only a signal that arrives stops the server. A signal stream that fails or closes
    // (its driver gone, as happens with many runtimes in one test process) is not a
    // request to stop: taken as one, it made a server stop accepting while its clients
    // still waited for an answer.
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                if s.recv().await.is_none() {
                    std::future::pending::<()>().await;
                }
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
