//! The OpenAPI 3.1 document, generated from the handlers' annotations and the DTOs,
//! served at `/api/openapi.json`.

use axum::Json;
use utoipa::{
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "Carillon API", description = "Omnichannel campaigns. Authenticate with the session cookie from `/api/auth/login`, or `Authorization: Bearer <id>|<secret>`. Errors are RFC 9457 problem documents. Every POST accepts an `Idempotency-Key` header."),
    paths(
        super::auth::signup,
        super::auth::login,
        super::auth::logout,
        super::auth::me,
        super::auth::switch_organization,
        super::auth::organization,
        super::auth::update_organization,
        super::tokens::list,
        super::tokens::create,
        super::tokens::revoke,
        super::members::list,
        super::members::change_role,
        super::members::remove,
        super::invitations::create,
        super::invitations::pending,
        super::invitations::revoke,
        super::invitations::accept,
        super::campaigns::list,
        super::campaigns::create,
        super::campaigns::show,
        super::campaigns::update,
        super::campaigns::remove,
        super::campaigns::schedule,
        super::campaigns::unschedule,
        super::campaigns::cancel,
        super::campaigns::duplicate,
        super::sending::send,
        super::sending::pause,
        super::sending::resume,
        super::sending::test,
        super::sending::progress,
        super::sending::deliveries,
        super::stats::organization,
        super::stats::campaign,
        super::stats::links,
        super::stats::failures,
        super::stats::deliveries_csv,
        super::channels::list,
        super::channels::update,
        super::channels::test,
        super::events::list,
        super::contacts::list,
        super::contacts::create,
        super::contacts::show,
        super::contacts::update,
        super::contacts::remove,
        super::contacts::consents,
        super::contacts::export,
        super::audit::list,
        super::audit::csv,
        super::suppressions::list,
        super::suppressions::create,
        super::suppressions::remove,
        super::suppressions::remove_address,
        super::retention::show,
        super::retention::update,
        super::imports::upload,
        super::imports::preview,
        super::imports::show,
        super::imports::report,
        super::lists::list,
        super::lists::create,
        super::lists::show,
        super::lists::update,
        super::lists::remove,
        super::lists::add_members,
        super::lists::remove_members,
        super::webhooks::list,
        super::webhooks::create,
        super::webhooks::show,
        super::webhooks::update,
        super::webhooks::remove,
        super::webhooks::attempts,
        super::webhooks::replay,
        crate::web::hooks::sendgrid,
        crate::web::hooks::mailgun,
        crate::web::hooks::twilio,
        crate::web::push_optin::subscribe,
        document,
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("<id>|<secret>")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("carillon_session"))),
        );
    }
}

#[utoipa::path(get, path = "/api/openapi.json", tag = "meta", summary = "This document", security(()),
    responses((status = 200, description = "the OpenAPI 3.1 document", content_type = "application/json"), super::responses::BadToken))]
pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
