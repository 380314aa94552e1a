//! Schema migrations. Backend-neutral: every migration runs on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m0001_accounts;
mod m0002_organization_settings;
mod m0003_contacts_lists;
mod m0004_campaigns;
mod m0005_idempotency_keys;
mod m0006_import_rows_index;
mod m0007_session_keys;
mod m0008_engine_room;
mod m0009_idempotency_principal;
mod m0010_contact_index_version;
mod m0011_delivery;
mod m0012_delivery_queue;
mod m0013_event_order;
mod m0014_providers;
mod m0015_consent_ledger;
mod m0016_audit_log;
mod m0017_contact_data_keys;
mod m0018_list_signups;
mod m0019_retention;
mod m0020_import_no_consent;
mod m0021_crypto_keys;
mod m0022_tracking;
mod m0023_channel_hours;
mod m0024_outbound_webhooks;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts::Migration),
            Box::new(m0002_organization_settings::Migration),
            Box::new(m0003_contacts_lists::Migration),
            Box::new(m0004_campaigns::Migration),
            Box::new(m0005_idempotency_keys::Migration),
            Box::new(m0006_import_rows_index::Migration),
            Box::new(m0007_session_keys::Migration),
            Box::new(m0008_engine_room::Migration),
            Box::new(m0009_idempotency_principal::Migration),
            Box::new(m0010_contact_index_version::Migration),
            Box::new(m0011_delivery::Migration),
            Box::new(m0012_delivery_queue::Migration),
            Box::new(m0013_event_order::Migration),
            Box::new(m0014_providers::Migration),
            Box::new(m0015_consent_ledger::Migration),
            Box::new(m0016_audit_log::Migration),
            Box::new(m0017_contact_data_keys::Migration),
            Box::new(m0018_list_signups::Migration),
            Box::new(m0019_retention::Migration),
            Box::new(m0020_import_no_consent::Migration),
            Box::new(m0021_crypto_keys::Migration),
            Box::new(m0022_tracking::Migration),
            Box::new(m0023_channel_hours::Migration),
            Box::new(m0024_outbound_webhooks::Migration),
        ]
    }
}
