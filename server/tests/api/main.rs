//! Integration tests: a real server per test, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.

mod helpers;

mod auth;
mod errors;
mod http;
mod invitations;
mod members;
mod tokens;
