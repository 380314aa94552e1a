//! Cross-cutting HTTP concerns: who is calling, CSRF, idempotency, security headers,
//! request metrics, health checks, compression of static assets, and the import form's
//! upload.

pub mod authenticate;
pub mod compress;
pub mod csrf;
pub mod health;
pub mod hooks;
pub mod idempotency;
pub mod import_form;
pub mod metrics;
mod plain_page;
pub mod preferences;
pub mod push_optin;
pub mod security_headers;
pub mod signup_form;
pub mod tracking;
pub mod unsubscribe;
