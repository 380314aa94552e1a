//! The problem responses that endpoints share, declared once for the OpenAPI document:
//! an endpoint lists them by name, e.g. `responses((status = 200, …), Unauthorized,
//! Forbidden, Invalid)`.
#![allow(dead_code)] // The fields only carry the schema.

use crate::error::Problem;

#[derive(utoipa::IntoResponses)]
#[response(
    status = 401,
    description = "not signed in, or an invalid token",
    content_type = "application/problem+json"
)]
pub struct Unauthorized(Problem);

#[derive(utoipa::IntoResponses)]
#[response(
    status = 403,
    description = "the role or the token's abilities do not allow it",
    content_type = "application/problem+json"
)]
pub struct Forbidden(Problem);

#[derive(utoipa::IntoResponses)]
#[response(
    status = 404,
    description = "not found in your organization",
    content_type = "application/problem+json"
)]
pub struct NotFound(Problem);

#[derive(utoipa::IntoResponses)]
#[response(
    status = 409,
    description = "not allowed in the current state",
    content_type = "application/problem+json"
)]
pub struct Conflict(Problem);

#[derive(utoipa::IntoResponses)]
#[response(
    status = 422,
    description = "invalid input; `errors` names each field",
    content_type = "application/problem+json"
)]
pub struct Invalid(Problem);

/// On the endpoints anyone may call: a token is not required, but one that is sent must
/// be valid.
#[derive(utoipa::IntoResponses)]
#[response(
    status = 401,
    description = "an `Authorization` header with an invalid or revoked token",
    content_type = "application/problem+json"
)]
pub struct BadToken(Problem);
