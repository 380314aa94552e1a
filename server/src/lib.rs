//! The Carillon server: configuration, services, REST API and the Leptos app on axum.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod channels;
pub mod cli;
pub mod config;
pub mod consents;
pub mod contacts;
pub mod crypto;
pub mod db;
pub mod delivery;
pub mod egress;
pub mod error;
pub mod events;
pub mod html;
pub mod imports;
pub mod jobs;
pub mod keys;
pub mod listing;
pub mod lists;
pub mod members;
pub mod outbound_webhooks;
pub mod ports;
pub mod privacy;
pub mod push;
pub mod rest;
pub mod retention;
pub mod signups;
pub mod startup;
pub mod state;
pub mod stats;
pub mod suppressions;
pub mod telemetry;
pub mod tokens;
pub mod tracking;
pub mod web;
pub mod webhooks;

/// Leptos settings from the `LEPTOS_*` environment, with our output name when the
/// binary was not built by cargo-leptos.
pub fn leptos_options() -> anyhow::Result<leptos::config::LeptosOptions> {
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| anyhow::anyhow!("invalid LEPTOS_* configuration: {e}"))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "carillon".into();
    }
    Ok(options)
}
