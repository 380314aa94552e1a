//! The session info (who is signed in, which language) fetched once per page load and
//! shared by every page, plus the guards that send visitors to the right place.

use crate::{
    api::{get_session_info, SessionInfo},
    error::AppError,
    i18n::{Locale, Strings},
    model::Me,
};
use leptos::{context::Provider, prelude::*};
use leptos_router::components::Redirect;
use std::sync::Arc;

/// App-wide: the session resource and the counter that makes it refetch.
#[derive(Clone, Copy)]
struct SessionState {
    info: Resource<Result<SessionInfo, AppError>>,
    version: RwSignal<u32>,
}

/// What the pages inside a [`SessionScope`] see.
#[derive(Clone)]
struct Current(Arc<SessionInfo>);

/// Called once by `App`. Blocking, so the server knows who is signed in before it
/// sends headers (redirects) and the page is rendered in the right language.
pub fn provide_session() {
    let version = RwSignal::new(0u32);
    let info = Resource::new_blocking(move || version.get(), |_| get_session_info());
    provide_context(SessionState { info, version });
}

/// Refetches the session info after `action` succeeds (log-in, switch of organization,
/// ...). Only matters with JavaScript; without it the redirect reloads the page anyway.
pub fn refresh_session_on_success<I, O>(action: ServerAction<I>)
where
    I: leptos::server_fn::ServerFn<Output = O, Error = AppError> + Clone + Send + Sync + 'static,
    O: Send + Sync + 'static,
{
    let Some(state) = use_context::<SessionState>() else {
        return;
    };
    Effect::watch(
        move || action.version().get(),
        move |_, _, _| {
            if action.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
                state.version.update(|n| *n += 1);
            }
        },
        false,
    );
}

/// Who may see the content of a [`SessionScope`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guard {
    /// App pages: anonymous visitors go to `/login`.
    SignedIn,
    /// Log-in and sign-up: signed-in users go to the dashboard.
    SignedOut,
    Anyone,
}

/// Waits for the session info, applies the guard and makes the info available to
/// the children through [`use_me`] and [`use_strings`].
#[component]
pub fn SessionScope(guard: Guard, children: ChildrenFn) -> impl IntoView {
    let state = use_context::<SessionState>();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let result = match state {
                        Some(state) => state.info.await,
                        None => Err(AppError::Internal),
                    };
                    match result {
                        Ok(info) => scoped(guard, info, children).into_any(),
                        Err(error) => view! { <SessionFailed error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

fn scoped(guard: Guard, info: SessionInfo, children: ChildrenFn) -> impl IntoView {
    let target = match (guard, info.me.is_some()) {
        (Guard::SignedIn, false) => Some("/login"),
        (Guard::SignedOut, true) => Some("/"),
        _ => None,
    };
    match target {
        Some(path) => view! { <Redirect path/> }.into_any(),
        None => {
            view! { <Provider value=Current(Arc::new(info))>{children()}</Provider> }.into_any()
        }
    }
}

/// Without session info we cannot even pick a language: say so in English.
#[component]
fn SessionFailed(error: AppError) -> impl IntoView {
    let t = Locale::En.strings();
    view! {
        <main id="main" class="page page-narrow">
            <div class="alert" role="alert">{super::error_text(t, &error)}</div>
        </main>
    }
}

/// The signed-in user, inside a [`SessionScope`].
pub fn use_me() -> Option<Me> {
    use_context::<Current>().and_then(|c| c.0.me.clone())
}

/// The page's language (English outside a [`SessionScope`]).
pub fn use_locale() -> Locale {
    use_context::<Current>()
        .map(|c| c.0.locale)
        .unwrap_or_default()
}

/// The text table of the page's language.
pub fn use_strings() -> &'static Strings {
    use_locale().strings()
}

/// Whether the signed-in user's role allows `action`. The UI only hides controls with
/// this; the services check again.
pub fn use_can(action: crate::model::Action) -> bool {
    use crate::model::{authorize, Actor, Via};
    use_me().is_some_and(|me| {
        let actor = Actor {
            user_id: me.user.id,
            organization_id: me.organization.organization_id,
            role: me.organization.role,
            via: Via::Session,
        };
        authorize(&actor, action)
    })
}
