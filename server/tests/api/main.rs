//! Integration tests: a real server per test, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod helpers;

mod auth;
mod campaigns;
mod errors;
mod http;
mod idempotency;
mod import_form;
mod invitations;
mod members;
mod tokens;
mod contacts;
mod imports;
mod lists;
mod memberships;
