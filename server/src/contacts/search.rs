//! Listing contacts: paging, sorting, and search by email or phone (exact, through the
//! blind indexes) or by name (plain `LIKE`; names are not encrypted).

use super::{normalize, service::Contacts, store};
use crate::{
    auth::require,
    db::entities::{contact, list, list_member},
    error::{not_found, ServiceResult},
    listing::{self, Listing, Sorts},
};
use app::{
    error::AppError,
    model::{Action, Actor, ContactDto, Page, SearchQuery},
};
use sea_orm::{
    sea_query::Query, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

const SORTS: Sorts = Sorts {
    allowed: &["name", "created_at", "updated_at", "id"],
    default: ("created_at", true),
};

/// What a search text means: an email, a phone number, or words of a name.
enum Term {
    EmailIndex(String),
    PhoneIndex(String),
    Name(Vec<String>),
}

impl Contacts {
    pub async fn list(&self, actor: &Actor, query: SearchQuery) -> ServiceResult<Page<ContactDto>> {
        require(actor, Action::ContactsRead)?;
        let f = Listing::parse(
            query.page,
            query.per_page,
            query.sort.as_deref(),
            query.q.as_deref(),
            &SORTS,
        )?;
        let list_id = match query
            .list_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => Some(
                raw.parse::<Uuid>()
                    .map_err(|_| AppError::field("list_id", "not a list id"))?,
            ),
        };
        let mut query = contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(actor.organization_id));
        if let Some(list_id) = list_id {
            list::Entity::find_by_id(list_id)
                .filter(list::Column::OrganizationId.eq(actor.organization_id))
                .one(&self.db)
                .await?
                .ok_or_else(|| not_found("list"))?;
            let members = Query::select()
                .column(list_member::Column::ContactId)
                .from(list_member::Entity)
                .and_where(list_member::Column::ListId.eq(list_id))
                .to_owned();
            query = query.filter(contact::Column::Id.in_subquery(members));
        }
        if let Some(q) = &f.q {
            let region = store::region(&self.db, actor.organization_id).await?;
            query = match self.term(q, actor.organization_id, region) {
                Term::EmailIndex(i) => query.filter(contact::Column::EmailIndex.eq(i)),
                Term::PhoneIndex(i) => query.filter(contact::Column::PhoneIndex.eq(i)),
                Term::Name(words) => {
                    let mut all = Condition::all();
                    for w in words {
                        all = all.add(
                            Condition::any()
                                .add(listing::contains(contact::Column::FirstName, &w))
                                .add(listing::contains(contact::Column::LastName, &w)),
                        );
                    }
                    query.filter(all)
                }
            };
        }
        let total = query.clone().count(&self.db).await?;
        let (field, _) = f.sort;
        let order = f.order();
        query = match field {
            "name" => query
                .order_by(contact::Column::LastName, order.clone())
                .order_by(contact::Column::FirstName, order.clone()),
            "updated_at" => query.order_by(contact::Column::UpdatedAt, order.clone()),
            "created_at" => query.order_by(contact::Column::CreatedAt, order.clone()),
            _ => query,
        };
        // Ids are UUIDv7: a stable tie-breaker in creation order.
        let rows = query
            .order_by(contact::Column::Id, order)
            .offset(f.offset())
            .limit(f.per_page)
            .all(&self.db)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|c| c.id).collect();
        let consents = store::consents_of(&self.db, &ids).await?;
        let mut lists = store::lists_of(&self.db, actor.organization_id, &ids).await?;
        let items = rows
            .into_iter()
            .map(|c| {
                let id = c.id;
                store::to_dto(
                    &self.cipher,
                    c,
                    consents.get(&id).map_or(&[], Vec::as_slice),
                    lists.remove(&id).unwrap_or_default(),
                )
            })
            .collect::<ServiceResult<_>>()?;
        Ok(Page {
            items,
            page: f.page,
            per_page: f.per_page,
            total,
        })
    }

    fn term(
        &self,
        q: &str,
        organization_id: Uuid,
        region: Option<phonenumber::country::Id>,
    ) -> Term {
        let key = self.cipher.index_key(organization_id);
        if q.contains('@') {
            // An invalid address matches nothing rather than being an error: it is a search.
            let normalized = normalize::normalize_email(q).unwrap_or_else(|_| q.to_lowercase());
            return Term::EmailIndex(store::email_index(&key, &normalized));
        }
        let digits = q.chars().filter(char::is_ascii_digit).count();
        if digits >= 6
            && q.chars()
                .all(|c| c.is_ascii_digit() || " +-.()/".contains(c))
        {
            if let Ok(e164) = normalize::normalize_phone(q, region) {
                return Term::PhoneIndex(store::phone_index(&key, &e164));
            }
        }
        Term::Name(
            q.to_lowercase()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
        )
    }
}
