//! Admins' reading of the audit log: `GET /api/audit` (paged) and `GET /api/audit.csv`.

use super::context;
use crate::{
    auth::require,
    crypto::Cipher,
    db::entities::{audit_entry, user},
    error::ServiceResult,
    listing::{Listing, Sorts},
};
use app::{
    error::AppError,
    model::{audit_actions_matching, Action, Actor, AuditEntryDto, AuditQuery, Page},
};
use bytes::Bytes;
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::Stream;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};
use serde_json::Value;
use std::{collections::HashMap, sync::Arc};
use uuid::Uuid;

/// Lines in one CSV export, the newest; narrow the filters for older ones.
pub const MAX_CSV_ROWS: u64 = 100_000;
/// Lines read per query while the CSV streams.
const WINDOW: u64 = 1_000;

const SORTS: Sorts = Sorts {
    allowed: &["at"],
    default: ("at", true),
};

pub struct Audit {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
}

impl Audit {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Self { db, cipher }
    }

    /// Newest first.
    pub async fn list(
        &self,
        actor: &Actor,
        query: AuditQuery,
    ) -> ServiceResult<Page<AuditEntryDto>> {
        require(actor, Action::AuditRead)?;
        let f = Listing::parse(query.page, query.per_page, None, None, &SORTS)?;
        let find = filtered(actor.organization_id, &query)?;
        let total = find.clone().count(&self.db).await?;
        let rows = find
            .order_by_desc(audit_entry::Column::At)
            .order_by_desc(audit_entry::Column::Id)
            .offset(f.offset())
            .limit(f.per_page)
            .all(&self.db)
            .await?;
        Ok(Page {
            items: dtos(&self.db, &self.cipher, rows).await?,
            page: f.page,
            per_page: f.per_page,
            total,
        })
    }

    /// `at,action,actor_id,actor_email,token_id,ip,target_kind,target_id,details`, newest
    /// first, at most [`MAX_CSV_ROWS`] lines, streamed a window at a time.
    pub async fn csv(
        &self,
        actor: &Actor,
        query: AuditQuery,
    ) -> ServiceResult<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
        require(actor, Action::AuditRead)?;
        let find = filtered(actor.organization_id, &query)?;
        let (db, cipher) = (self.db.clone(), self.cipher.clone());
        let header = Bytes::from_static(
            b"at,action,actor_id,actor_email,token_id,ip,target_kind,target_id,details\n",
        );
        let first = futures_util::stream::once(async move { Ok(header) });
        let windows = futures_util::stream::try_unfold(0u64, move |offset| {
            let (db, cipher, find) = (db.clone(), cipher.clone(), find.clone());
            async move {
                if offset >= MAX_CSV_ROWS {
                    return Ok(None);
                }
                let rows = find
                    .order_by_desc(audit_entry::Column::At)
                    .order_by_desc(audit_entry::Column::Id)
                    .offset(offset)
                    .limit(WINDOW.min(MAX_CSV_ROWS - offset))
                    .all(&db)
                    .await
                    .map_err(std::io::Error::other)?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let n = rows.len() as u64;
                let lines = dtos(&db, &cipher, rows)
                    .await
                    .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
                Ok(Some((render(&lines)?, offset + n)))
            }
        });
        Ok(futures_util::StreamExt::chain(first, windows))
    }
}

fn filtered(organization_id: Uuid, q: &AuditQuery) -> ServiceResult<Select<audit_entry::Entity>> {
    let mut find =
        audit_entry::Entity::find().filter(audit_entry::Column::OrganizationId.eq(organization_id));
    if let Some(action) = q.action.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        let actions = audit_actions_matching(action).ok_or_else(|| {
            AppError::field(
                "action",
                "not an action or a kind of target of the audit log",
            )
        })?;
        find = find.filter(audit_entry::Column::Action.is_in(actions));
    }
    if let Some(actor_id) = q.actor_id {
        find = find.filter(audit_entry::Column::ActorId.eq(actor_id));
    }
    if let Some(target) = q.target_id.as_deref().filter(|t| !t.is_empty()) {
        find = find.filter(audit_entry::Column::TargetId.eq(target));
    }
    if let Some(from) = time("from", q.from.as_deref(), false)? {
        find = find.filter(audit_entry::Column::At.gte(from));
    }
    if let Some(to) = time("to", q.to.as_deref(), true)? {
        find = find.filter(audit_entry::Column::At.lte(to));
    }
    Ok(find)
}

/// An RFC 3339 time, or a day: its first instant (`from`) or its last (`to`), UTC.
fn time(field: &str, raw: Option<&str>, end: bool) -> ServiceResult<Option<DateTime<Utc>>> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        AppError::field(field, "a day (2026-12-01) or a time (2026-12-01T09:00:00Z)")
    })?;
    let t = if end {
        day.and_hms_nano_opt(23, 59, 59, 999_999_999)
    } else {
        day.and_hms_opt(0, 0, 0)
    };
    Ok(t.map(|t| t.and_utc()))
}

async fn dtos(
    db: &DatabaseConnection,
    cipher: &Cipher,
    rows: Vec<audit_entry::Model>,
) -> ServiceResult<Vec<AuditEntryDto>> {
    let mut ids: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let emails: HashMap<Uuid, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Email)
            .filter(user::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    Ok(rows
        .into_iter()
        .map(|r| AuditEntryDto {
            id: r.id,
            at: r.at,
            actor_email: r.actor_id.and_then(|a| emails.get(&a).cloned()),
            actor_id: r.actor_id,
            token_id: r.token_id,
            ip: r
                .ip_ciphertext
                .as_deref()
                .and_then(|c| context::open_ip(cipher, c)),
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            details: serde_json::from_str(&r.details).unwrap_or(Value::Null),
        })
        .collect())
}

fn render(lines: &[AuditEntryDto]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(lines.len() * 160));
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let id = |v: &Option<Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
    for l in lines {
        w.write_record([
            l.at.to_rfc3339(),
            l.action.clone(),
            id(&l.actor_id),
            text(&l.actor_email),
            id(&l.token_id),
            text(&l.ip),
            l.target_kind.clone(),
            text(&l.target_id),
            l.details.to_string(),
        ])
        .map_err(std::io::Error::other)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_and_times() {
        let from = time("from", Some("2026-12-01"), false).unwrap().unwrap();
        assert_eq!(from.to_rfc3339(), "2026-12-01T00:00:00+00:00");
        let to = time("to", Some("2026-12-01"), true).unwrap().unwrap();
        assert!(to > from && to.date_naive() == from.date_naive());
        let t = time("to", Some("2026-12-01T09:30:00+01:00"), true)
            .unwrap()
            .unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-01T08:30:00+00:00");
        assert!(time("from", Some("yesterday"), false).is_err());
        assert!(time("from", Some(" "), false).unwrap().is_none());
    }

    #[test]
    fn actions_by_name_or_kind() {
        assert_eq!(
            audit_actions_matching("campaign.cancelled"),
            Some(vec!["campaign.cancelled"])
        );
        assert!(audit_actions_matching("campaign").unwrap().len() >= 4);
        assert_eq!(audit_actions_matching("camp"), None);
        assert_eq!(audit_actions_matching("auth.sign"), None);
    }
}
