//! Applying one batch of prepared rows in one transaction: dedup against the
//! organization's contacts through the blind indexes, then multi-row upserts for
//! contacts, consents and the per-row report, and the progress counters.

use super::{
    prepare::{Candidate, Prepared},
    shape::{padded, pow2_chunks},
};
use crate::{
    contacts::store,
    crypto::Cipher,
    db::entities::{contact, contact_consent, import, import_row},
    error::ServiceResult,
};
use app::model::{ConsentChannel, ConsentState};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait, OnConflict},
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

pub const DUPLICATE: &str = "duplicate in file";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub skipped: i64,
}

pub struct Batch<'a> {
    pub import_id: Uuid,
    pub organization_id: Uuid,
    pub source: &'a str,
    pub cipher: &'a Cipher,
    pub lease_until: DateTime<Utc>,
}

impl Batch<'_> {
    /// Writes `rows` and the import's progress; the caller owns the transaction.
    pub async fn apply(&self, db: &impl ConnectionTrait, rows: &[Prepared]) -> ServiceResult<Tally> {
        let now = Utc::now();
        let existing = self.matching_contacts(db, rows).await?;
        let ids: Vec<Uuid> = existing.iter().map(|c| c.id).collect();
        let mut touched = self.touched_by_this_import(db, &ids).await?;
        let consents = store::consents_of(db, &padded(ids.clone(), 0)).await?;
        let by_email: HashMap<&str, &contact::Model> = existing.iter().filter_map(|c| Some((c.email_index.as_deref()?, c))).collect();
        let by_phone: HashMap<&str, &contact::Model> = existing.iter().filter_map(|c| Some((c.phone_index.as_deref()?, c))).collect();

        let mut seen_in_batch: HashSet<&str> = HashSet::new();
        let (mut upserts, mut consent_rows, mut report) = (Vec::new(), Vec::new(), Vec::with_capacity(rows.len()));
        let mut tally = Tally::default();
        for row in rows {
            let (line, c) = match row {
                Prepared::Skip { line, reason } => {
                    report.push(report_row(self.import_id, *line, "skipped", Some(reason.clone()), None));
                    tally.skipped += 1;
                    continue;
                }
                Prepared::Row { line, candidate } => (*line, candidate),
            };
            let keys: Vec<&str> = [&c.email, &c.phone].into_iter().flatten().map(|p| p.index.as_str()).collect();
            let skip = |reason: &str, report: &mut Vec<_>, tally: &mut Tally| {
                report.push(report_row(self.import_id, line, "skipped", Some(reason.to_owned()), None));
                tally.skipped += 1;
            };
            if keys.iter().any(|k| seen_in_batch.contains(k)) {
                skip(DUPLICATE, &mut report, &mut tally);
                continue;
            }
            let a = c.email.as_ref().and_then(|p| by_email.get(p.index.as_str()));
            let b = c.phone.as_ref().and_then(|p| by_phone.get(p.index.as_str()));
            let target = match (a, b) {
                (Some(x), Some(y)) if x.id != y.id => {
                    skip("email and phone belong to two different contacts", &mut report, &mut tally);
                    continue;
                }
                (Some(x), _) | (_, Some(x)) => Some(*x),
                (None, None) => None,
            };
            seen_in_batch.extend(keys);
            match target {
                Some(x) if touched.contains(&x.id) => skip(DUPLICATE, &mut report, &mut tally),
                Some(x) => {
                    touched.insert(x.id);
                    let current = consents.get(&x.id).map_or(&[][..], Vec::as_slice);
                    let consent_changes = changed_consents(&c.consents, current);
                    let merged = self.merge(x, c, now)?;
                    let outcome = if merged.is_some() || !consent_changes.is_empty() { "updated" } else { "unchanged" };
                    if let Some(m) = merged {
                        upserts.push(m);
                    }
                    consent_rows.extend(consent_changes.into_iter().map(|(ch, st)| (x.id, ch, st)));
                    if outcome == "updated" { tally.updated += 1 } else { tally.unchanged += 1 }
                    report.push(report_row(self.import_id, line, outcome, None, Some(x.id)));
                }
                None => {
                    upserts.push(new_contact(self.organization_id, c, now));
                    consent_rows.extend(c.consents.iter().map(|(ch, st)| (c.new_id, *ch, *st)));
                    tally.created += 1;
                    report.push(report_row(self.import_id, line, "created", None, Some(c.new_id)));
                }
            }
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
                            contact::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        store::set_consents(db, consent_rows, &consents, self.source, now).await?;
        for chunk in pow2_chunks(report) {
            import_row::Entity::insert_many(chunk).exec_without_returning(db).await?;
        }
        self.record_progress(db, rows, tally, now).await?;
        Ok(tally)
    }

    async fn matching_contacts(&self, db: &impl ConnectionTrait, rows: &[Prepared]) -> ServiceResult<Vec<contact::Model>> {
        let candidates = rows.iter().filter_map(|r| match r {
            Prepared::Row { candidate, .. } => Some(candidate),
            Prepared::Skip { .. } => None,
        });
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
            .filter(Condition::any().add(contact::Column::EmailIndex.is_in(emails)).add(contact::Column::PhoneIndex.is_in(phones)))
            .all(db)
            .await?)
    }

    /// Contacts an earlier row of this import already created or matched: a later row
    /// for the same person is a duplicate in the file (also across a resumed run).
    async fn touched_by_this_import(&self, db: &impl ConnectionTrait, ids: &[Uuid]) -> ServiceResult<HashSet<Uuid>> {
        if ids.is_empty() {
            return Ok(HashSet::new());
        }
        let rows: Vec<Option<Uuid>> = import_row::Entity::find()
            .select_only()
            .column(import_row::Column::ContactId)
            .filter(import_row::Column::ImportId.eq(self.import_id))
            .filter(import_row::Column::ContactId.is_in(padded(ids.to_vec(), 0)))
            .into_tuple()
            .all(db)
            .await?;
        Ok(rows.into_iter().flatten().collect())
    }

    /// The row of `x` with the cells of `c` applied, or `None` when nothing changes.
    /// Empty cells keep what the contact has.
    fn merge(&self, x: &contact::Model, c: &Candidate, now: DateTime<Utc>) -> ServiceResult<Option<contact::ActiveModel>> {
        let mut m = x.clone();
        let mut changed = false;
        if let Some(e) = c.email.as_ref().filter(|e| x.email_index.as_deref() != Some(e.index.as_str())) {
            let sealed = store::seal_email(self.cipher, x.id, &e.value)?;
            (m.email_ciphertext, m.email_index, changed) = (Some(sealed.ciphertext), Some(sealed.index), true);
        }
        if let Some(p) = c.phone.as_ref().filter(|p| x.phone_index.as_deref() != Some(p.index.as_str())) {
            let sealed = store::seal_phone(self.cipher, x.id, &p.value)?;
            (m.phone_ciphertext, m.phone_index, changed) = (Some(sealed.ciphertext), Some(sealed.index), true);
        }
        for (slot, new) in [(&mut m.first_name, &c.first_name), (&mut m.last_name, &c.last_name), (&mut m.locale, &c.locale), (&mut m.time_zone, &c.time_zone)] {
            if new.is_some() && slot != new {
                *slot = new.clone();
                changed = true;
            }
        }
        if !c.attributes.is_empty() {
            let mut attrs: Map<String, Value> = serde_json::from_str(&x.attributes).unwrap_or_default();
            for (k, v) in &c.attributes {
                if attrs.get(k) != Some(v) {
                    attrs.insert(k.clone(), v.clone());
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

    async fn record_progress(&self, db: &impl ConnectionTrait, rows: &[Prepared], t: Tally, now: DateTime<Utc>) -> ServiceResult<()> {
        let last_line = rows.iter().map(Prepared::line).max().unwrap_or(0);
        let add = |col: import::Column, n: i64| Expr::col(col).add(n);
        import::Entity::update_many()
            .col_expr(import::Column::RowsDone, add(import::Column::RowsDone, rows.len() as i64))
            .col_expr(import::Column::Created, add(import::Column::Created, t.created))
            .col_expr(import::Column::Updated, add(import::Column::Updated, t.updated))
            .col_expr(import::Column::Unchanged, add(import::Column::Unchanged, t.unchanged))
            .col_expr(import::Column::Skipped, add(import::Column::Skipped, t.skipped))
            .col_expr(import::Column::LastLine, Expr::value(last_line))
            .col_expr(import::Column::LeaseUntil, Expr::value(self.lease_until))
            .col_expr(import::Column::UpdatedAt, Expr::value(now))
            .filter(import::Column::Id.eq(self.import_id))
            .exec(db)
            .await?;
        Ok(())
    }
}

fn changed_consents(wanted: &[(ConsentChannel, ConsentState)], current: &[contact_consent::Model]) -> Vec<(ConsentChannel, ConsentState)> {
    wanted
        .iter()
        .filter(|(ch, st)| {
            let now = current.iter().find(|r| r.channel == ch.as_str()).map_or("unknown", |r| r.state.as_str());
            now != st.as_str()
        })
        .copied()
        .collect()
}

fn new_contact(organization_id: Uuid, c: &Candidate, now: DateTime<Utc>) -> contact::ActiveModel {
    to_active(contact::Model {
        id: c.new_id,
        organization_id,
        email_ciphertext: c.email.as_ref().map(|p| p.sealed_for_new.clone()),
        email_index: c.email.as_ref().map(|p| p.index.clone()),
        phone_ciphertext: c.phone.as_ref().map(|p| p.sealed_for_new.clone()),
        phone_index: c.phone.as_ref().map(|p| p.index.clone()),
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        locale: c.locale.clone(),
        time_zone: c.time_zone.clone(),
        attributes: serde_json::to_string(&c.attributes).unwrap_or_else(|_| "{}".into()),
        created_at: now,
        updated_at: now,
    })
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
        created_at: Set(m.created_at),
        updated_at: Set(m.updated_at),
    }
}

fn report_row(import_id: Uuid, line: i64, outcome: &str, reason: Option<String>, contact_id: Option<Uuid>) -> import_row::ActiveModel {
    import_row::ActiveModel { import_id: Set(import_id), line: Set(line), outcome: Set(outcome.to_owned()), reason: Set(reason), contact_id: Set(contact_id) }
}
