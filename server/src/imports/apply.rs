//! Applying one batch of prepared rows in one transaction: new people are inserted in
//! bulk, rows for existing contacts (found through the blind indexes) are merged into
//! them; then the consents, the report and the progress counters.

use super::{
    basis::Bases,
    bulk::{self, NewContacts},
    dedup::DUPLICATE,
    matched::Matched,
    prepare::{Candidate, Prepared},
};
use crate::{
    consents::{ledger, Change},
    contacts::store,
    crypto::{Cipher, IndexKey},
    db::{
        entities::{contact, contact_consent, import, import_row},
        shape::{padded, pow2_chunks},
    },
    error::ServiceResult,
    suppressions,
};
use app::model::{Channel, ConsentState};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const CREATED: &str = "created";
const UPDATED: &str = "updated";
const UNCHANGED: &str = "unchanged";
const SKIPPED: &str = "skipped";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    created: i64,
    updated: i64,
    unchanged: i64,
    skipped: i64,
    no_consent_email: i64,
    no_consent_sms: i64,
}

pub struct Batch<'a> {
    pub import_id: Uuid,
    pub organization_id: Uuid,
    /// What each channel's consents rest on, for the consent ledger.
    pub bases: &'a Bases,
    pub cipher: &'a Cipher,
    /// The organization's blind-index key.
    pub index_key: &'a IndexKey,
}

impl Batch<'_> {
    /// Writes `rows` (whose new contacts `new` holds as columns) and the import's
    /// progress; returns the last row. The caller owns the transaction and rolls
    /// `matched` back with it.
    pub async fn apply<C>(
        &self,
        db: &C,
        rows: &[Prepared],
        new: NewContacts,
        matched: &mut Matched,
    ) -> ServiceResult<i64>
    where
        C: ConnectionTrait + TransactionTrait,
    {
        let now = Utc::now();
        // One report row per file row, in file order; `fresh` rows point into it.
        let mut report = Vec::with_capacity(rows.len());
        let mut fresh: Vec<(usize, &Candidate)> = Vec::new();
        for row in rows {
            match row {
                Prepared::Skip { line, reason } => {
                    report.push(report_row(*line, SKIPPED, Some(reason), None))
                }
                Prepared::Row { line, candidate } => {
                    fresh.push((report.len(), candidate));
                    report.push(report_row(*line, CREATED, None, Some(candidate.new_id)));
                }
            }
        }
        let blocked = self.suppressed_grants(db, &fresh).await?;
        // Every row is tried as a new contact in one statement; the rows that an existing
        // contact's email or phone stops are merged into that contact instead.
        let again = || NewContacts::of(fresh.iter().map(|(_, c)| *c));
        let inserted = bulk::insert_contacts(db, self.organization_id, now, new, again).await?;
        let (created, existing): (Vec<_>, Vec<_>) = fresh
            .iter()
            .copied()
            .partition(|(_, c)| inserted.contains(&c.new_id));
        for &(at, c) in &created {
            report[at].reason = blocked_reason(c, &blocked);
        }
        let changes: Vec<Change> = created
            .iter()
            .flat_map(|&(at, c)| {
                let line = report[at].line;
                let blocked = &blocked;
                c.consents
                    .iter()
                    .filter(|(_, state)| *state != ConsentState::Unknown)
                    .filter(move |(channel, state)| {
                        !(*state == ConsentState::Granted
                            && blocked.contains(&(c.new_id, *channel)))
                    })
                    .map(move |(channel, state)| Change {
                        line: Some(line),
                        ..Change::new(c.new_id, *channel, *state)
                    })
            })
            .collect();
        for (channel, group) in by_channel(changes) {
            let provenance = self.bases.of_channel(channel);
            bulk::insert_consents(db, provenance, now, &group).await?;
            ledger::append(db, self.organization_id, &group, provenance, now).await?;
        }
        self.merge_into_existing(db, &existing, &mut report, matched, &blocked, now)
            .await?;

        let mut tally = Tally::default();
        for &(at, c) in &fresh {
            if report[at].outcome == SKIPPED {
                continue;
            }
            for channel in without_consent(c) {
                *match channel {
                    Channel::Sms => &mut tally.no_consent_sms,
                    Channel::Email | Channel::Push => &mut tally.no_consent_email,
                } += 1;
            }
        }
        for r in &report {
            *match r.outcome.as_str() {
                CREATED => &mut tally.created,
                UPDATED => &mut tally.updated,
                UNCHANGED => &mut tally.unchanged,
                _ => &mut tally.skipped,
            } += 1;
        }
        let last_line = report.last().map_or(0, |r| r.line);
        // Rows that created a contact are the many, and the ones the report can tell
        // without a row each: every line up to `last_line` that has no report row.
        report.retain(|r| r.outcome != CREATED || r.reason.is_some());
        bulk::insert_report(db, self.import_id, report).await?;
        self.record_progress(db, rows.len(), last_line, tally, now)
            .await?;
        Ok(last_line)
    }

    /// Rows whose insert an existing contact stopped: each is merged into that contact,
    /// unless an earlier row of this import already did (a duplicate in the file).
    async fn merge_into_existing(
        &self,
        db: &impl ConnectionTrait,
        rows: &[(usize, &Candidate)],
        report: &mut [import_row::Model],
        matched: &mut Matched,
        blocked: &HashSet<(Uuid, Channel)>,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let existing = self
            .matching_contacts(db, rows.iter().map(|(_, c)| *c))
            .await?;
        let consents =
            store::consents_of(db, &padded(existing.iter().map(|c| c.id).collect(), 0)).await?;
        let by_email: HashMap<&str, &contact::Model> = existing
            .iter()
            .filter_map(|c| Some((c.email_index.as_deref()?, c)))
            .collect();
        let by_phone: HashMap<&str, &contact::Model> = existing
            .iter()
            .filter_map(|c| Some((c.phone_index.as_deref()?, c)))
            .collect();
        let (mut upserts, mut consent_rows) = (Vec::new(), Vec::new());
        for &(at, c) in rows {
            let line = report[at].line;
            let a = c
                .email
                .as_ref()
                .and_then(|p| by_email.get(p.index.as_str()));
            let b = c
                .phone
                .as_ref()
                .and_then(|p| by_phone.get(p.index.as_str()));
            let x = match (a, b) {
                (Some(x), Some(y)) if x.id != y.id => {
                    report[at] = report_row(
                        line,
                        SKIPPED,
                        Some("email and phone belong to two different contacts"),
                        None,
                    );
                    continue;
                }
                (Some(x), _) | (_, Some(x)) => *x,
                // The contact that stopped the insert was deleted since: the batch is retried.
                (None, None) => {
                    return Err(anyhow::anyhow!(
                        "a contact changed while an import batch was written"
                    )
                    .into())
                }
            };
            if matched.contains(x.id) {
                report[at] = report_row(line, SKIPPED, Some(DUPLICATE), None);
                continue;
            }
            matched.add(x.id);
            let current = consents.get(&x.id).map_or(&[][..], Vec::as_slice);
            let mut consent_changes = changed_consents(&c.consents, current);
            consent_changes.retain(|(channel, state)| {
                !(*state == ConsentState::Granted && blocked.contains(&(c.new_id, *channel)))
            });
            let merged = self.merge(x, c, now)?;
            let outcome = if merged.is_some() || !consent_changes.is_empty() {
                UPDATED
            } else {
                UNCHANGED
            };
            upserts.extend(merged);
            consent_rows.extend(consent_changes.into_iter().map(|(ch, st)| Change {
                line: Some(line),
                ..Change::new(x.id, ch, st)
            }));
            report[at] = report_row(line, outcome, None, Some(x.id));
            report[at].reason = blocked_reason(c, blocked);
        }
        for chunk in pow2_chunks(upserts) {
            contact::Entity::insert_many(chunk)
                .on_conflict(
                    OnConflict::column(contact::Column::Id)
                        .update_columns([
                            contact::Column::EmailCiphertext,
                            contact::Column::EmailIndex,
                            contact::Column::PhoneCiphertext,
                            contact::Column::PhoneIndex,
                            contact::Column::FirstName,
                            contact::Column::LastName,
                            contact::Column::Locale,
                            contact::Column::TimeZone,
                            contact::Column::Attributes,
                            contact::Column::DataKey,
                            contact::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        for (channel, group) in by_channel(consent_rows) {
            let provenance = self.bases.of_channel(channel);
            ledger::set(db, self.organization_id, group, &consents, provenance, now).await?;
        }
        Ok(())
    }

    /// The (candidate, channel) pairs whose consent the file grants to an address on
    /// the suppression list: that consent is not applied.
    async fn suppressed_grants(
        &self,
        db: &impl ConnectionTrait,
        rows: &[(usize, &Candidate)],
    ) -> ServiceResult<HashSet<(Uuid, Channel)>> {
        let grants = || {
            rows.iter().flat_map(|(_, c)| {
                c.consents
                    .iter()
                    .filter(|(_, state)| *state == ConsentState::Granted)
                    .filter_map(move |(channel, _)| {
                        Some((c.new_id, *channel, address_index(c, *channel)?))
                    })
            })
        };
        let indexes: Vec<String> = grants().map(|(_, _, i)| i.to_owned()).collect();
        if indexes.is_empty() {
            return Ok(HashSet::new());
        }
        let found = suppressions::store::suppressed(db, self.organization_id, indexes).await?;
        Ok(grants()
            .filter(|(_, channel, index)| found.contains(&(*channel, (*index).to_owned())))
            .map(|(id, channel, _)| (id, channel))
            .collect())
    }

    async fn matching_contacts<'c>(
        &self,
        db: &impl ConnectionTrait,
        candidates: impl Iterator<Item = &'c Candidate>,
    ) -> ServiceResult<Vec<contact::Model>> {
        let (mut emails, mut phones) = (Vec::new(), Vec::new());
        for c in candidates {
            emails.extend(c.email.as_ref().map(|p| p.index.clone()));
            phones.extend(c.phone.as_ref().map(|p| p.index.clone()));
        }
        if emails.is_empty() && phones.is_empty() {
            return Ok(Vec::new());
        }
        let size = emails.len().max(phones.len());
        let (emails, phones) = (padded(emails, size), padded(phones, size));
        Ok(contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(self.organization_id))
            .filter(
                Condition::any()
                    .add(contact::Column::EmailIndex.is_in(emails))
                    .add(contact::Column::PhoneIndex.is_in(phones)),
            )
            .all(db)
            .await?)
    }

    /// The row of `x` with the cells of `c` applied, or `None` when nothing changes.
    /// Empty cells keep what the contact has.
    fn merge(
        &self,
        x: &contact::Model,
        c: &Candidate,
        now: DateTime<Utc>,
    ) -> ServiceResult<Option<contact::ActiveModel>> {
        let mut m = x.clone();
        let mut changed = false;
        let new_email = c
            .email
            .as_ref()
            .filter(|e| x.email_index.as_deref() != Some(e.index.as_str()));
        let new_phone = c
            .phone
            .as_ref()
            .filter(|p| x.phone_index.as_deref() != Some(p.index.as_str()));
        // Only a row whose address changes needs its key (and, from before data keys, one).
        let key = if new_email.is_some() || new_phone.is_some() {
            Some(store::data_key_for_write(self.cipher, &mut m)?)
        } else {
            None
        };
        changed |= m.data_key != x.data_key;
        if let (Some(e), Some(key)) = (new_email, &key) {
            let sealed = store::seal_email(key, self.index_key, x.id, &e.value)?;
            (m.email_ciphertext, m.email_index, changed) =
                (Some(sealed.ciphertext), Some(sealed.index), true);
        }
        if let (Some(p), Some(key)) = (new_phone, &key) {
            let sealed = store::seal_phone(key, self.index_key, x.id, &p.value)?;
            (m.phone_ciphertext, m.phone_index, changed) =
                (Some(sealed.ciphertext), Some(sealed.index), true);
        }
        for (slot, new) in [
            (&mut m.first_name, &c.first_name),
            (&mut m.last_name, &c.last_name),
            (&mut m.locale, &c.locale),
            (&mut m.time_zone, &c.time_zone),
        ] {
            if new.is_some() && slot != new {
                *slot = new.clone();
                changed = true;
            }
        }
        if !c.attributes.is_empty() {
            let mut attrs: Map<String, Value> =
                serde_json::from_str(&x.attributes).unwrap_or_default();
            for (k, v) in &c.attributes {
                if attrs.get(k).and_then(Value::as_str) != Some(v.as_str()) {
                    attrs.insert(k.clone(), Value::String(v.clone()));
                    changed = true;
                }
            }
            m.attributes = serde_json::to_string(&attrs).map_err(anyhow::Error::new)?;
        }
        if !changed {
            return Ok(None);
        }
        m.updated_at = now;
        Ok(Some(to_active(m)))
    }

    async fn record_progress(
        &self,
        db: &impl ConnectionTrait,
        rows: usize,
        last_line: i64,
        t: Tally,
        now: DateTime<Utc>,
    ) -> ServiceResult<()> {
        let add = |col: import::Column, n: i64| Expr::col(col).add(n);
        import::Entity::update_many()
            .col_expr(
                import::Column::RowsDone,
                add(import::Column::RowsDone, rows as i64),
            )
            .col_expr(
                import::Column::Created,
                add(import::Column::Created, t.created),
            )
            .col_expr(
                import::Column::Updated,
                add(import::Column::Updated, t.updated),
            )
            .col_expr(
                import::Column::Unchanged,
                add(import::Column::Unchanged, t.unchanged),
            )
            .col_expr(
                import::Column::Skipped,
                add(import::Column::Skipped, t.skipped),
            )
            .col_expr(
                import::Column::NoConsentEmail,
                add(import::Column::NoConsentEmail, t.no_consent_email),
            )
            .col_expr(
                import::Column::NoConsentSms,
                add(import::Column::NoConsentSms, t.no_consent_sms),
            )
            .col_expr(import::Column::LastLine, Expr::value(last_line))
            .col_expr(import::Column::UpdatedAt, Expr::value(now))
            .filter(import::Column::Id.eq(self.import_id))
            .exec(db)
            .await?;
        Ok(())
    }
}

/// The address a channel's suppression is looked up by (as `suppressions::store` does
/// for contacts).
fn address_index(c: &Candidate, channel: Channel) -> Option<&str> {
    match channel {
        Channel::Sms => c.phone.as_ref().map(|p| p.index.as_str()),
        Channel::Email | Channel::Push => c.email.as_ref().map(|p| p.index.as_str()),
    }
}

/// The channels a row has an address for but brought no consent or lawful basis for.
fn without_consent(c: &Candidate) -> impl Iterator<Item = Channel> + '_ {
    [
        (Channel::Email, c.email.is_some()),
        (Channel::Sms, c.phone.is_some()),
    ]
    .into_iter()
    .filter(|(_, has)| *has)
    .map(|(channel, _)| channel)
    .filter(|channel| {
        !c.consents
            .iter()
            .any(|(ch, st)| ch == channel && *st != ConsentState::Unknown)
    })
}

/// Changes grouped by channel, each group written with its channel's provenance.
fn by_channel(changes: Vec<Change>) -> impl Iterator<Item = (Channel, Vec<Change>)> {
    let mut groups: Vec<(Channel, Vec<Change>)> = Vec::new();
    for change in changes {
        match groups.iter_mut().find(|(ch, _)| *ch == change.channel) {
            Some((_, group)) => group.push(change),
            None => groups.push((change.channel, vec![change])),
        }
    }
    groups.into_iter()
}

/// The report's word for consents left out because their address is suppressed.
fn blocked_reason(c: &Candidate, blocked: &HashSet<(Uuid, Channel)>) -> Option<String> {
    let channels: Vec<&str> = Channel::ALL
        .into_iter()
        .filter(|ch| blocked.contains(&(c.new_id, *ch)))
        .map(Channel::as_str)
        .collect();
    (!channels.is_empty()).then(|| {
        format!(
            "{} consent not applied: the address is suppressed",
            channels.join(" and ")
        )
    })
}

fn changed_consents(
    wanted: &[(Channel, ConsentState)],
    current: &[contact_consent::Model],
) -> Vec<(Channel, ConsentState)> {
    wanted
        .iter()
        .filter(|(ch, st)| {
            let now = current
                .iter()
                .find(|r| r.channel == ch.as_str())
                .map_or("unknown", |r| r.state.as_str());
            now != st.as_str()
        })
        .copied()
        .collect()
}

/// Every column set, so the multi-row INSERT has the same shape for every row.
fn to_active(m: contact::Model) -> contact::ActiveModel {
    contact::ActiveModel {
        id: Set(m.id),
        organization_id: Set(m.organization_id),
        email_ciphertext: Set(m.email_ciphertext),
        email_index: Set(m.email_index),
        phone_ciphertext: Set(m.phone_ciphertext),
        phone_index: Set(m.phone_index),
        first_name: Set(m.first_name),
        last_name: Set(m.last_name),
        locale: Set(m.locale),
        time_zone: Set(m.time_zone),
        attributes: Set(m.attributes),
        index_version: Set(m.index_version),
        data_key: Set(m.data_key),
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
    }
}

fn report_row(
    line: i64,
    outcome: &str,
    reason: Option<&str>,
    contact_id: Option<Uuid>,
) -> import_row::Model {
    // The import id is set when the rows are written.
    import_row::Model {
        import_id: Uuid::nil(),
        line,
        outcome: outcome.to_owned(),
        reason: reason.map(str::to_owned),
        contact_id,
    }
}
