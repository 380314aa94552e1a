//! Cross-cutting HTTP concerns: security headers, request metrics, health checks.

pub mod health;
pub mod idempotency;
pub mod import_form;
pub mod metrics;
pub mod security_headers;
