//! Progress and the per-row report of an import.

use super::Imports;
use crate::{
    auth::require,
    db::entities::{import, import_row},
    error::{not_found, ServiceResult},
};
use app::model::{Action, Actor, ImportDto};
use bytes::Bytes;
use futures_util::Stream;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Report rows read per query while streaming the CSV.
const PAGE: u64 = 5000;

impl Imports {
    pub async fn get(&self, actor: &Actor, id: Uuid) -> ServiceResult<ImportDto> {
        require(actor, Action::ContactsRead)?;
        to_dto(find(&self.inner.db, actor.organization_id, id).await?)
    }

    /// `row,outcome,reason,contact_id` for every data row (the header is row 1), streamed page by page.
    pub async fn report_csv(&self, actor: &Actor, id: Uuid) -> ServiceResult<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
        require(actor, Action::ContactsRead)?;
        find(&self.inner.db, actor.organization_id, id).await?;
        let db = self.inner.db.clone();
        let header = Bytes::from_static(b"row,outcome,reason,contact_id\n");
        let first = futures_util::stream::once(async move { Ok(header) });
        let pages = futures_util::stream::try_unfold(Some(0i64), move |after| {
            let db = db.clone();
            async move {
                let Some(after) = after else { return Ok(None) };
                let rows = page(&db, id, after).await.map_err(std::io::Error::other)?;
                if rows.is_empty() {
                    return Ok(None);
                }
                let next = (rows.len() as u64 == PAGE).then(|| rows.last().map_or(after, |r| r.line));
                Ok(Some((render(&rows)?, next)))
            }
        });
        Ok(futures_util::StreamExt::chain(first, pages))
    }
}

async fn page(db: &DatabaseConnection, id: Uuid, after: i64) -> Result<Vec<import_row::Model>, sea_orm::DbErr> {
    import_row::Entity::find()
        .filter(import_row::Column::ImportId.eq(id))
        .filter(import_row::Column::Line.gt(after))
        .order_by_asc(import_row::Column::Line)
        .limit(PAGE)
        .all(db)
        .await
}

fn render(rows: &[import_row::Model]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 64));
    for r in rows {
        let contact = r.contact_id.map(|c| c.to_string()).unwrap_or_default();
        w.write_record([r.line.to_string().as_str(), r.outcome.as_str(), r.reason.as_deref().unwrap_or(""), contact.as_str()])?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| std::io::Error::other(e.to_string()))
}

async fn find(db: &DatabaseConnection, organization_id: Uuid, id: Uuid) -> ServiceResult<import::Model> {
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
        error: i.error,
        created_at: i.created_at,
        finished_at: i.finished_at,
    })
}
