//! The import's bulk writes. On PostgreSQL each is one statement per batch whatever its
//! size: the columns travel as arrays and `UNNEST` turns them back into rows, which
//! PostgreSQL loads at close to `COPY` speed, with no bound-parameter limit and one
//! cached statement. SQLite has no arrays: multi-row `VALUES` in power-of-two chunks.
//!
//! The array binding cannot carry NULL elements, so optional text travels as `''` (no
//! optional column of these tables holds an empty string: cells are trimmed and empty
//! ones are absent) and an absent contact id as the nil UUID, both turned back into NULL.

use super::prepare::Candidate;
use crate::db::shape::pow2_chunks;
use crate::{
    consents::{Change, Provenance},
    db::entities::{contact, contact_consent, import_row},
    error::ServiceResult,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::OnConflict, ConnectionTrait, DbBackend, EntityTrait, QueryTrait, Set, Statement,
    TransactionSession, TransactionTrait, Value,
};
use std::collections::HashSet;
use uuid::Uuid;

/// New contacts as columns. The reader thread builds them, so that the writer, whose
/// time the database waits for, only sends them. Absent values are `''` (see above).
#[derive(Default)]
pub struct NewContacts {
    ids: Vec<Uuid>,
    data_key: Vec<String>,
    email_ciphertext: Vec<String>,
    email_index: Vec<String>,
    phone_ciphertext: Vec<String>,
    phone_index: Vec<String>,
    first_name: Vec<String>,
    last_name: Vec<String>,
    locale: Vec<String>,
    time_zone: Vec<String>,
    attributes: Vec<String>,
}

impl NewContacts {
    pub fn of<'c>(candidates: impl Iterator<Item = &'c Candidate>) -> Self {
        let mut n = NewContacts::default();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        for c in candidates {
            n.ids.push(c.new_id);
            n.data_key.push(c.data_key_for_new.clone());
            n.email_ciphertext.push(
                c.email
                    .as_ref()
                    .map(|p| p.sealed_for_new.clone())
                    .unwrap_or_default(),
            );
            n.email_index.push(
                c.email
                    .as_ref()
                    .map(|p| p.index.clone())
                    .unwrap_or_default(),
            );
            n.phone_ciphertext.push(
                c.phone
                    .as_ref()
                    .map(|p| p.sealed_for_new.clone())
                    .unwrap_or_default(),
            );
            n.phone_index.push(
                c.phone
                    .as_ref()
                    .map(|p| p.index.clone())
                    .unwrap_or_default(),
            );
            n.first_name.push(text(&c.first_name));
            n.last_name.push(text(&c.last_name));
            n.locale.push(text(&c.locale));
            n.time_zone.push(text(&c.time_zone));
            n.attributes.push(c.attributes_json());
        }
        n
    }

    fn pg_values(self, organization_id: Uuid, now: DateTime<Utc>) -> Vec<Value> {
        vec![
            organization_id.into(),
            now.into(),
            self.ids.into(),
            self.email_ciphertext.into(),
            self.email_index.into(),
            self.phone_ciphertext.into(),
            self.phone_index.into(),
            self.first_name.into(),
            self.last_name.into(),
            self.locale.into(),
            self.time_zone.into(),
            self.attributes.into(),
            self.data_key.into(),
        ]
    }

    fn models(self, organization_id: Uuid, now: DateTime<Utc>) -> Vec<contact::ActiveModel> {
        let mut columns = (
            self.email_ciphertext.into_iter(),
            self.email_index.into_iter(),
            self.phone_ciphertext.into_iter(),
            self.phone_index.into_iter(),
            self.first_name.into_iter(),
            self.last_name.into_iter(),
            self.locale.into_iter(),
            self.time_zone.into_iter(),
            self.attributes.into_iter(),
            self.data_key.into_iter(),
        );
        let next =
            |column: &mut std::vec::IntoIter<String>| Set(column.next().filter(|v| !v.is_empty()));
        self.ids
            .into_iter()
            .map(|id| contact::ActiveModel {
                id: Set(id),
                organization_id: Set(organization_id),
                email_ciphertext: next(&mut columns.0),
                email_index: next(&mut columns.1),
                phone_ciphertext: next(&mut columns.2),
                phone_index: next(&mut columns.3),
                first_name: next(&mut columns.4),
                last_name: next(&mut columns.5),
                locale: next(&mut columns.6),
                time_zone: next(&mut columns.7),
                attributes: Set(columns.8.next().unwrap_or_default()),
                index_version: Set(crate::contacts::store::INDEX_VERSION),
                data_key: next(&mut columns.9),
                created_at: Set(now),
                updated_at: Set(now),
            })
            .collect()
    }
}

/// Inserts new contacts, skipping any that an existing contact's email or phone index
/// (or a concurrent writer) already holds; returns the ids actually inserted. `again`
/// builds the same columns for a second statement, which only a conflict needs.
#[tracing::instrument(skip_all, fields(rows = rows.ids.len()))]
pub async fn insert_contacts<C>(
    db: &C,
    organization_id: Uuid,
    now: DateTime<Utc>,
    rows: NewContacts,
    again: impl FnOnce() -> NewContacts,
) -> ServiceResult<HashSet<Uuid>>
where
    C: ConnectionTrait + TransactionTrait,
{
    if rows.ids.is_empty() {
        return Ok(HashSet::new());
    }
    let returned = if db.get_database_backend() == DbBackend::Postgres {
        // A plain INSERT loads as fast as COPY; `ON CONFLICT` costs half as much again
        // (a speculative insertion per unique index). Most rows of an import are new, so
        // the plain statement runs first, in a savepoint, and only a batch that hits an
        // existing contact pays for `ON CONFLICT`.
        let ids = rows.ids.clone();
        let savepoint = db.begin().await?;
        let plain = pg_insert_contacts("");
        match savepoint
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                plain,
                rows.pg_values(organization_id, now),
            ))
            .await
        {
            Ok(_) => {
                savepoint.commit().await?;
                return Ok(ids.into_iter().collect());
            }
            Err(e)
                if matches!(
                    e.sql_err(),
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                ) =>
            {
                savepoint.rollback().await?
            }
            Err(e) => return Err(e.into()),
        }
        let skipping = pg_insert_contacts(" ON CONFLICT DO NOTHING RETURNING id");
        db.query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            skipping,
            again().pg_values(organization_id, now),
        ))
        .await?
    } else {
        let mut returned = Vec::with_capacity(rows.ids.len());
        for chunk in pow2_chunks(rows.models(organization_id, now)) {
            let mut insert = contact::Entity::insert_many(chunk).into_query();
            insert
                .on_conflict(OnConflict::new().do_nothing().to_owned())
                .returning_col(contact::Column::Id);
            returned.extend(db.query_all(&insert).await?);
        }
        returned
    };
    returned
        .into_iter()
        .map(|row| Ok(row.try_get_by_index::<Uuid>(0)?))
        .collect()
}

fn pg_insert_contacts(on_conflict: &str) -> String {
    format!("{PG_INSERT_CONTACTS}{on_conflict}")
}

/// `index_version` 2 is `contacts::store::INDEX_VERSION`.
const PG_INSERT_CONTACTS: &str = "INSERT INTO contacts (id, organization_id, email_ciphertext, email_index, phone_ciphertext, phone_index, \
first_name, last_name, locale, time_zone, attributes, created_at, updated_at, index_version, data_key) \
SELECT t.id, $1, NULLIF(t.ec, ''), NULLIF(t.ei, ''), NULLIF(t.pc, ''), NULLIF(t.pi, ''), NULLIF(t.fi, ''), NULLIF(t.la, ''), \
NULLIF(t.lo, ''), NULLIF(t.tz, ''), t.at, $2, $2, 2, NULLIF(t.dk, '') \
FROM UNNEST($3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) \
AS t(id, ec, ei, pc, pi, fi, la, lo, tz, at, dk)";

/// Consents of contacts this batch created (so no row exists for them yet).
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn insert_consents(
    db: &impl ConnectionTrait,
    provenance: &Provenance,
    now: DateTime<Utc>,
    rows: &[Change],
) -> ServiceResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let source = provenance.current_source();
    let basis = provenance.basis.as_str();
    if db.get_database_backend() == DbBackend::Postgres {
        let values = vec![
            source.into(),
            basis.into(),
            now.into(),
            rows.iter().map(|r| r.contact_id).collect::<Vec<_>>().into(),
            rows.iter()
                .map(|r| r.channel.as_str().to_owned())
                .collect::<Vec<_>>()
                .into(),
            rows.iter()
                .map(|r| r.state.as_str().to_owned())
                .collect::<Vec<_>>()
                .into(),
        ];
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            PG_INSERT_CONSENTS,
            values,
        ))
        .await?;
        return Ok(());
    }
    let models: Vec<_> = rows
        .iter()
        .map(|r| contact_consent::ActiveModel {
            contact_id: Set(r.contact_id),
            channel: Set(r.channel.as_str().to_owned()),
            state: Set(r.state.as_str().to_owned()),
            source: Set(source.to_owned()),
            lawful_basis: Set(basis.to_owned()),
            updated_at: Set(now),
        })
        .collect();
    for chunk in pow2_chunks(models) {
        contact_consent::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

const PG_INSERT_CONSENTS: &str = "INSERT INTO contact_consents (contact_id, channel, state, source, lawful_basis, updated_at) \
SELECT t.contact_id, t.channel, t.state, $1, $2, $3 FROM UNNEST($4::uuid[], $5::text[], $6::text[]) AS t(contact_id, channel, state)";

/// The report rows of a batch (every row but those that created a contact).
#[tracing::instrument(skip_all, fields(rows = rows.len()))]
pub async fn insert_report(
    db: &impl ConnectionTrait,
    import_id: Uuid,
    rows: Vec<import_row::Model>,
) -> ServiceResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    if db.get_database_backend() == DbBackend::Postgres {
        let values = vec![
            import_id.into(),
            rows.iter().map(|r| r.line).collect::<Vec<_>>().into(),
            rows.iter()
                .map(|r| r.outcome.clone())
                .collect::<Vec<_>>()
                .into(),
            rows.iter()
                .map(|r| r.reason.clone().unwrap_or_default())
                .collect::<Vec<_>>()
                .into(),
            rows.iter()
                .map(|r| r.contact_id.unwrap_or(Uuid::nil()))
                .collect::<Vec<_>>()
                .into(),
        ];
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            PG_INSERT_REPORT,
            values,
        ))
        .await?;
        return Ok(());
    }
    for chunk in pow2_chunks(rows) {
        let models = chunk.into_iter().map(|r| import_row::ActiveModel {
            import_id: Set(import_id),
            line: Set(r.line),
            outcome: Set(r.outcome),
            reason: Set(r.reason),
            contact_id: Set(r.contact_id),
        });
        import_row::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

const PG_INSERT_REPORT: &str = "INSERT INTO import_rows (import_id, line, outcome, reason, contact_id) \
SELECT $1, t.line, t.outcome, NULLIF(t.reason, ''), NULLIF(t.contact_id, '00000000-0000-0000-0000-000000000000'::uuid) \
FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::uuid[]) AS t(line, outcome, reason, contact_id)";
