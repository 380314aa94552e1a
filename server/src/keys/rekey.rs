//! `carillon rekey`: everything sealed under a master key other than the current one,
//! sealed again under the current one. Batches commit one by one, and only what is not
//! yet under the current key is selected, so the command can be stopped at any point
//! (Ctrl-C, a crash) and run again to finish: nothing is left half-written.
//!
//! A new column sealed under the master key: one line in [`targets`].

use super::{
    contacts::Contacts,
    index_root,
    progress::Progress,
    sealed::{Column, Resealable, Tally},
};
use crate::{
    audit, auth::session_store, channels::settings as channel_settings,
    consents::provenance as consent, crypto::Cipher, db::entities as e, outbound_webhooks, push,
    signups, tracking, web::idempotency,
};
use sea_orm::DatabaseConnection;
use std::ops::ControlFlow;

/// Rows read and re-encrypted per transaction, unless told otherwise.
pub const DEFAULT_BATCH: u64 = 500;
/// The most rows per transaction: bounds what one batch holds in memory and locks.
pub const MAX_BATCH: u64 = 10_000;

/// Everything sealed under the master key, in the order it is re-encrypted.
fn targets() -> Vec<Box<dyn Resealable>> {
    use e::{
        audit_entry as audit_row, channel_setting, consent_record, idempotency_key, list_signup,
        push_subscription, session, tracked_link, webhook_endpoint,
    };
    vec![
        Box::new(Contacts),
        Box::new(Column::<channel_setting::Entity> {
            name: "channel_settings.secrets",
            column: channel_setting::Column::Secrets,
            field: channel_settings::SECRETS,
            row: |m| channel_settings::row_id(m.organization_id, &m.channel),
            value: |m| m.secrets.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<push_subscription::Entity> {
            name: "push_subscriptions.endpoint",
            column: push_subscription::Column::EndpointCiphertext,
            field: push::ENDPOINT,
            row: |m| m.id.to_string(),
            value: |m| Some(&m.endpoint_ciphertext),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<push_subscription::Entity> {
            name: "push_subscriptions.keys",
            column: push_subscription::Column::KeysCiphertext,
            field: push::KEYS,
            row: |m| m.id.to_string(),
            value: |m| Some(&m.keys_ciphertext),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<consent_record::Entity> {
            name: "consent_records.ip",
            column: consent_record::Column::IpCiphertext,
            field: consent::IP,
            row: |m| m.organization_id.to_string(),
            value: |m| m.ip_ciphertext.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<consent_record::Entity> {
            name: "consent_records.user_agent",
            column: consent_record::Column::UserAgentCiphertext,
            field: consent::USER_AGENT,
            row: |m| m.organization_id.to_string(),
            value: |m| m.user_agent_ciphertext.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<consent_record::Entity> {
            name: "consent_records.confirmed_ip",
            column: consent_record::Column::ConfirmedIpCiphertext,
            field: consent::IP,
            row: |m| m.organization_id.to_string(),
            value: |m| m.confirmed_ip_ciphertext.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<list_signup::Entity> {
            name: "list_signups.ip",
            column: list_signup::Column::IpCiphertext,
            field: signups::IP,
            row: |m| m.id.to_string(),
            value: |m| m.ip_ciphertext.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<list_signup::Entity> {
            name: "list_signups.user_agent",
            column: list_signup::Column::UserAgentCiphertext,
            field: signups::USER_AGENT,
            row: |m| m.id.to_string(),
            value: |m| m.user_agent_ciphertext.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<audit_row::Entity> {
            name: "audit_log.ip",
            column: audit_row::Column::IpCiphertext,
            field: audit::context::IP,
            row: |_| audit::context::ROW.to_owned(),
            value: |m| m.ip_ciphertext.as_deref(),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<tracked_link::Entity> {
            name: "tracked_links.url",
            column: tracked_link::Column::Url,
            field: tracking::links::URL,
            row: |m| m.id.to_string(),
            value: |m| Some(&m.url),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<webhook_endpoint::Entity> {
            name: "webhook_endpoints.url",
            column: webhook_endpoint::Column::Url,
            field: outbound_webhooks::URL,
            row: |m| m.id.to_string(),
            value: |m| Some(&m.url),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<webhook_endpoint::Entity> {
            name: "webhook_endpoints.secret",
            column: webhook_endpoint::Column::Secret,
            field: outbound_webhooks::SECRET,
            row: |m| m.id.to_string(),
            value: |m| Some(&m.secret),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<session::Entity> {
            name: "sessions.data",
            column: session::Column::Data,
            field: session_store::DATA,
            row: |m| m.id.clone(),
            value: |m| Some(&m.data),
            max_batch: MAX_BATCH,
        }),
        Box::new(Column::<idempotency_key::Entity> {
            name: "idempotency_keys.body",
            column: idempotency_key::Column::Body,
            field: idempotency::BODY,
            row: |m| m.id.to_string(),
            value: |m| m.body.as_deref(),
            // A stored response is up to 4 MiB (5.3 sealed): 16 of them at a time.
            max_batch: 16,
        }),
    ]
}

/// What a run did, per kind of value.
#[derive(Debug, Default)]
pub struct Report {
    pub tallies: Vec<(&'static str, Tally)>,
    /// False when the run was stopped before the end (run again to finish).
    pub complete: bool,
}

impl Report {
    pub fn resealed(&self) -> u64 {
        self.tallies.iter().map(|(_, t)| t.resealed).sum()
    }

    pub fn unreadable(&self) -> u64 {
        self.tallies.iter().map(|(_, t)| t.unreadable).sum()
    }
}

/// Moves everything under `cipher`'s current key, `batch` rows per transaction.
#[tracing::instrument(skip_all, fields(key_id = cipher.key_id()))]
pub async fn run(
    db: &DatabaseConnection,
    cipher: &Cipher,
    batch: u64,
    progress: &mut (dyn Progress + Send),
) -> anyhow::Result<Report> {
    let batch = batch.clamp(1, MAX_BATCH);
    index_root::rewrap(db, cipher).await?;
    let mut report = Report::default();
    for target in targets() {
        match target.reseal(db, cipher, batch, progress).await? {
            ControlFlow::Continue(tally) => report.tallies.push((target.name(), tally)),
            ControlFlow::Break(tally) => {
                report.tallies.push((target.name(), tally));
                return Ok(report);
            }
        }
    }
    report.complete = true;
    Ok(report)
}
