//! Progress and the per-row report of an import.

use super::Imports;
use crate::{
    auth::require,
    db::entities::{import, import_row},
    error::{not_found, ServiceResult},
};
use app::model::{Action, Actor, Channel, ImportDto};
use bytes::Bytes;
use futures_util::Stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// File rows per chunk of the streamed report.
const WINDOW: i64 = 5000;

impl Imports {
    pub async fn get(&self, actor: &Actor, id: Uuid) -> ServiceResult<ImportDto> {
        require(actor, Action::ContactsRead)?;
        to_dto(find(&self.inner.db, actor.organization_id, id).await?)
    }

    /// `row,outcome,reason,contact_id` for every data row applied so far (the header is
    /// row 1), streamed a window of rows at a time. Rows that created a contact have no
    /// stored report row (see `apply`): every line without one is `created`.
    pub async fn report_csv(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
        require(actor, Action::ContactsRead)?;
        let last_line = find(&self.inner.db, actor.organization_id, id)
            .await?
            .last_line;
        let db = self.inner.db.clone();
        let header = Bytes::from_static(b"row,outcome,reason,contact_id\n");
        let first = futures_util::stream::once(async move { Ok(header) });
        let windows = futures_util::stream::try_unfold(2i64, move |from| {
            let db = db.clone();
            async move {
                if from > last_line {
                    return Ok(None);
                }
                let to = (from + WINDOW - 1).min(last_line);
                let stored = window(&db, id, from, to)
                    .await
                    .map_err(std::io::Error::other)?;
                Ok(Some((render(from, to, &stored)?, to + 1)))
            }
        });
        Ok(futures_util::StreamExt::chain(first, windows))
    }
}

async fn window(
    db: &DatabaseConnection,
    id: Uuid,
    from: i64,
    to: i64,
) -> Result<Vec<import_row::Model>, sea_orm::DbErr> {
    import_row::Entity::find()
        .filter(import_row::Column::ImportId.eq(id))
        .filter(import_row::Column::Line.between(from, to))
        .order_by_asc(import_row::Column::Line)
        .all(db)
        .await
}

/// Lines `from..=to`: the stored rows as they are, the others as `created`.
fn render(from: i64, to: i64, stored: &[import_row::Model]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity((to - from + 1) as usize * 24));
    let mut stored = stored.iter().peekable();
    for line in from..=to {
        let n = line.to_string();
        match stored.next_if(|r| r.line == line) {
            Some(r) => {
                let contact = r.contact_id.map(|c| c.to_string()).unwrap_or_default();
                w.write_record([
                    n.as_str(),
                    r.outcome.as_str(),
                    r.reason.as_deref().unwrap_or(""),
                    contact.as_str(),
                ])?
            }
            None => w.write_record([n.as_str(), super::apply::CREATED, "", ""])?,
        }
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

async fn find(
    db: &DatabaseConnection,
    organization_id: Uuid,
    id: Uuid,
) -> ServiceResult<import::Model> {
    import::Entity::find_by_id(id)
        .filter(import::Column::OrganizationId.eq(organization_id))
        .one(db)
        .await?
        .ok_or_else(|| not_found("import"))
}

pub(super) fn to_dto(i: import::Model) -> ServiceResult<ImportDto> {
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    Ok(ImportDto {
        id: i.id,
        status: i.status.parse().map_err(|e: String| anyhow::anyhow!(e))?,
        file_name: i.file_name,
        rows_total: n(i.rows_total),
        rows_done: n(i.rows_done),
        created: n(i.created),
        updated: n(i.updated),
        unchanged: n(i.unchanged),
        skipped: n(i.skipped),
        no_consent: [
            (Channel::Email, n(i.no_consent_email)),
            (Channel::Sms, n(i.no_consent_sms)),
        ]
        .into(),
        error: i.error,
        created_at: i.created_at,
        finished_at: i.finished_at,
    })
}
