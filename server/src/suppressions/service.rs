//! Admins' view of the suppression list: list, add, remove (`/api/suppressions`).

use super::store;
use crate::{
    audit::{self, Entry},
    auth::require,
    contacts::{normalize, store as contact_store},
    crypto::Cipher,
    db::entities::{contact, suppression},
    error::{not_found, ServiceResult},
    listing::{Listing, Sorts},
};
use app::{
    error::AppError,
    model::{
        Action, Actor, Channel, Page, SuppressionDto, SuppressionInput, SuppressionQuery,
        SuppressionReason,
    },
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::sync::Arc;
use uuid::Uuid;

const SORTS: Sorts = Sorts {
    allowed: &["created_at"],
    default: ("created_at", true),
};

pub struct Suppressions {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
}

impl Suppressions {
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>) -> Self {
        Self { db, cipher }
    }

    /// Newest first; `channel` and `address` narrow it to one address's entries.
    pub async fn list(
        &self,
        actor: &Actor,
        query: SuppressionQuery,
    ) -> ServiceResult<Page<SuppressionDto>> {
        require(actor, Action::SuppressionsRead)?;
        let f = Listing::parse(query.page, query.per_page, None, None, &SORTS)?;
        let mut find = suppression::Entity::find()
            .filter(suppression::Column::OrganizationId.eq(actor.organization_id));
        if let Some(channel) = query.channel {
            find = find.filter(suppression::Column::Channel.eq(channel.as_str()));
        }
        if let Some(address) = query.address.as_deref().filter(|a| !a.trim().is_empty()) {
            let indexes = self
                .indexes(actor.organization_id, query.channel, address)
                .await?;
            find = find.filter(suppression::Column::AddressIndex.is_in(indexes));
        }
        let total = find.clone().count(&self.db).await?;
        let rows = find
            .order_by(suppression::Column::CreatedAt, f.order())
            .order_by(suppression::Column::Id, f.order())
            .offset(f.offset())
            .limit(f.per_page)
            .all(&self.db)
            .await?;
        Ok(Page {
            items: rows.into_iter().filter_map(to_dto).collect(),
            page: f.page,
            per_page: f.per_page,
            total,
        })
    }

    /// Suppresses an address; adding one already there returns the existing entry.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn add(
        &self,
        actor: &Actor,
        input: SuppressionInput,
    ) -> ServiceResult<SuppressionDto> {
        require(actor, Action::SuppressionsManage)?;
        let index = self
            .index(actor.organization_id, input.channel, &input.address)
            .await?;
        let contact_id = contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(actor.organization_id))
            .filter(store::address_column(input.channel).eq(&index))
            .one(&self.db)
            .await?
            .map(|c| c.id);
        let txn = self.db.begin().await?;
        store::insert(
            &txn,
            actor.organization_id,
            input.channel,
            &index,
            input.reason.unwrap_or(SuppressionReason::Admin),
            contact_id,
        )
        .await?;
        let row = suppression::Entity::find()
            .filter(suppression::Column::OrganizationId.eq(actor.organization_id))
            .filter(suppression::Column::Channel.eq(input.channel.as_str()))
            .filter(suppression::Column::AddressIndex.eq(index))
            .one(&txn)
            .await?
            .ok_or_else(|| not_found("suppression"))?;
        audit::record(
            &txn,
            Entry::by(actor, "suppression.added", "suppression", row.id)
                .with(serde_json::json!({"channel": row.channel, "reason": row.reason})),
        )
        .await?;
        txn.commit().await?;
        tracing::info!(channel = %input.channel, "address suppressed");
        to_dto(row).ok_or_else(|| not_found("suppression"))
    }

    /// Lifts one entry. The contact's consent stays as it is: sending again needs a
    /// new consent too.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, %id))]
    pub async fn remove(&self, actor: &Actor, id: Uuid) -> ServiceResult<()> {
        require(actor, Action::SuppressionsManage)?;
        let txn = self.db.begin().await?;
        let done = suppression::Entity::delete_many()
            .filter(suppression::Column::OrganizationId.eq(actor.organization_id))
            .filter(suppression::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        if done.rows_affected == 0 {
            return Err(not_found("suppression"));
        }
        audit::record(
            &txn,
            Entry::by(actor, "suppression.removed", "suppression", id),
        )
        .await?;
        txn.commit().await?;
        tracing::info!("suppression lifted");
        Ok(())
    }

    /// Lifts the entries of one address (on one channel, or on all).
    pub async fn remove_address(
        &self,
        actor: &Actor,
        channel: Option<Channel>,
        address: &str,
    ) -> ServiceResult<u64> {
        require(actor, Action::SuppressionsManage)?;
        let indexes = self
            .indexes(actor.organization_id, channel, address)
            .await?;
        let mut delete = suppression::Entity::delete_many()
            .filter(suppression::Column::OrganizationId.eq(actor.organization_id))
            .filter(suppression::Column::AddressIndex.is_in(indexes));
        if let Some(channel) = channel {
            delete = delete.filter(suppression::Column::Channel.eq(channel.as_str()));
        }
        let txn = self.db.begin().await?;
        let done = delete.exec(&txn).await?;
        if done.rows_affected == 0 {
            return Err(not_found("suppression"));
        }
        // The address is personal data: the line says how many entries went.
        audit::record(
            &txn,
            Entry::by(actor, "suppression.removed", "suppression", "by address").with(
                serde_json::json!({"channel": channel.map(|c| c.as_str()), "entries": done.rows_affected}),
            ),
        )
        .await?;
        txn.commit().await?;
        Ok(done.rows_affected)
    }

    /// The blind index of an address as `channel` takes it (a 422 naming `address` when
    /// it is not one).
    async fn index(
        &self,
        organization_id: Uuid,
        channel: Channel,
        address: &str,
    ) -> ServiceResult<String> {
        let key = self.cipher.index_key(organization_id);
        Ok(match channel {
            Channel::Sms => {
                let region = contact_store::region(&self.db, organization_id).await?;
                let e164 = normalize::normalize_phone(address, region)
                    .map_err(|e| AppError::field("address", e))?;
                contact_store::phone_index(&key, &e164)
            }
            Channel::Email | Channel::Push => {
                let email = normalize::normalize_email(address)
                    .map_err(|e| AppError::field("address", e))?;
                contact_store::email_index(&key, &email)
            }
        })
    }

    /// The indexes an address may be suppressed under: as an email, as a phone, or both
    /// when no channel says which it is.
    async fn indexes(
        &self,
        organization_id: Uuid,
        channel: Option<Channel>,
        address: &str,
    ) -> ServiceResult<Vec<String>> {
        if let Some(channel) = channel {
            return Ok(vec![self.index(organization_id, channel, address).await?]);
        }
        let mut out = Vec::new();
        let mut last = None;
        for channel in [Channel::Email, Channel::Sms] {
            match self.index(organization_id, channel, address).await {
                Ok(i) => out.push(i),
                Err(e) => last = Some(e),
            }
        }
        match (out.is_empty(), last) {
            (true, Some(_)) => Err(AppError::field(
                "address",
                "neither an email address nor a phone number",
            )
            .into()),
            _ => Ok(out),
        }
    }
}

fn to_dto(r: suppression::Model) -> Option<SuppressionDto> {
    Some(SuppressionDto {
        id: r.id,
        channel: r.channel.parse().ok()?,
        reason: SuppressionReason::from_name(&r.reason).unwrap_or_default(),
        contact_id: r.contact_id,
        created_at: r.created_at,
    })
}
