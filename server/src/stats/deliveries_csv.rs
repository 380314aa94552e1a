//! `GET /api/campaigns/{id}/deliveries.csv`: every delivery of a campaign with what
//! became of it, streamed in windows read by id (no offset scans, bounded memory
//! whatever the campaign's size). Contacts are named by id: their addresses are
//! personal data the contact export gives, with its own permission and audit.

use super::Stats;
use crate::{auth::require, campaigns::store, db::entities::delivery, error::ServiceResult};
use app::model::{Action, Actor};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures_util::Stream;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Deliveries read per window.
const WINDOW: u64 = 2_000;

pub const HEADER: &str =
    "delivery_id,contact_id,channel,status,skip_reason,attempts,provider,error,\
     created_at,sent_at,opened_at,clicked_at\n";

impl Stats {
    /// The campaign's deliveries as CSV, in id order.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %id))]
    pub async fn deliveries_csv(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ServiceResult<impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static> {
        require(actor, Action::CampaignsRead)?;
        store::find(&self.db, actor.organization_id, id).await?;
        let (db, organization_id) = (self.db.clone(), actor.organization_id);
        let first = futures_util::stream::once(async { Ok(Bytes::from_static(HEADER.as_bytes())) });
        // The state is the last id written; `None` once the campaign is exhausted.
        let windows = futures_util::stream::try_unfold(Some(Uuid::nil()), move |after| {
            let db = db.clone();
            async move {
                let Some(after) = after else {
                    return Ok(None);
                };
                let rows = delivery::Entity::find()
                    .filter(delivery::Column::CampaignId.eq(id))
                    .filter(delivery::Column::OrganizationId.eq(organization_id))
                    .filter(delivery::Column::Id.gt(after))
                    .order_by_asc(delivery::Column::Id)
                    .limit(WINDOW)
                    .all(&db)
                    .await
                    .map_err(std::io::Error::other)?;
                let Some(last) = rows.last().map(|r| r.id) else {
                    return Ok(None);
                };
                let next = (rows.len() as u64 == WINDOW).then_some(last);
                Ok(Some((render(&rows)?, next)))
            }
        });
        Ok(futures_util::StreamExt::chain(first, windows))
    }
}

fn render(rows: &[delivery::Model]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows.len() * 200));
    let time = |t: Option<DateTime<Utc>>| t.map(|t| t.to_rfc3339()).unwrap_or_default();
    for r in rows {
        w.write_record([
            r.id.to_string(),
            r.contact_id.to_string(),
            r.channel.clone(),
            r.status.as_str().to_owned(),
            r.skip_reason.clone().unwrap_or_default(),
            r.attempts.to_string(),
            r.provider.clone().unwrap_or_default(),
            // A provider's text could start like a spreadsheet formula.
            defuse(r.error.as_deref().unwrap_or_default()),
            r.created_at.to_rfc3339(),
            time(r.sent_at),
            time(r.opened_at),
            time(r.clicked_at),
        ])?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// A cell a spreadsheet would read as a formula gets a leading `'`.
fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::defuse;

    #[test]
    fn formulas_are_defused_and_text_is_kept() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("@cmd"), "'@cmd");
        assert_eq!(defuse("550 user unknown"), "550 user unknown");
        assert_eq!(defuse(""), "");
    }
}
