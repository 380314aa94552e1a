//! Integration tests: a real server per test, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod helpers;

mod audit;
mod auth;
mod campaigns;
mod contacts;
mod engine;
mod errors;
mod gdpr;
mod http;
mod idempotency;
mod import_basis;
mod import_form;
mod imports;
mod invitations;
mod key_rotation;
mod lists;
mod members;
mod memberships;
mod outbound_webhooks;
mod provider_sink;
mod providers;
mod push;
mod reports;
mod retention;
mod sending;
mod shutdown;
mod signups;
mod smtp_server;
mod tokens;
mod tracking;
