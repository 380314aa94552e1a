//! Following the mailed link: a page that asks for one click (mail scanners open links
//! on their own; only a person presses the button), then the subscription itself.

use super::{
    form::{open_list, CONFIRMED, PENDING},
    link::ConfirmLink,
    Signups, Visitor,
};
use crate::{
    consents::{ledger, Change, Provenance},
    contacts::store as contact_store,
    db::entities::{contact, list_member, list_signup},
    error::ServiceResult,
    suppressions,
};
use app::model::{Channel, ConsentState, LawfulBasis, SuppressionReason};
use chrono::Utc;
use sea_orm::{
    sea_query::OnConflict, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use uuid::Uuid;

/// Where a confirmation link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Not a link we signed, or its sign-up is gone (erased, the list deleted or closed).
    Invalid,
    /// Past its expiry, and not confirmed.
    Expired,
    /// Waiting for the click.
    Pending,
    Confirmed,
}

/// What the confirmation page shows.
#[derive(Clone, Debug)]
pub struct Confirmation {
    pub state: LinkState,
    pub list: String,
    pub organization: String,
}

impl Signups {
    /// The confirmation link of a pending sign-up.
    pub(super) fn confirm_url(&self, s: &list_signup::Model) -> String {
        let token = ConfirmLink {
            list_id: s.list_id,
            signup_id: s.id,
        }
        .token(&self.link_key);
        format!("{}/confirm/{token}", self.form_url(s.list_id))
    }

    /// Where the link of `token` stands, changing nothing.
    pub async fn confirmation(&self, list_id: Uuid, token: &str) -> ServiceResult<Confirmation> {
        let Some((signup, list, organization)) = self.find(list_id, token).await? else {
            return Ok(invalid());
        };
        Ok(Confirmation {
            state: state(&signup),
            list,
            organization,
        })
    }

    /// Confirms: the contact joins the list, consenting by email, and the ledger keeps
    /// both the sign-up (wording, address, browser) and this confirmation (time,
    /// address). Twice is once.
    #[tracing::instrument(skip_all, fields(%list_id))]
    pub async fn confirm(
        &self,
        list_id: Uuid,
        token: &str,
        confirming_ip: Option<String>,
    ) -> ServiceResult<Confirmation> {
        let Some(link) =
            ConfirmLink::verify(token, &self.link_key).filter(|l| l.list_id == list_id)
        else {
            return Ok(invalid());
        };
        let txn = self.db.begin().await?;
        let Ok((list, org)) = open_list(&txn, list_id).await else {
            return Ok(invalid());
        };
        let Some(signup) = list_signup::Entity::find_by_id(link.signup_id)
            .filter(list_signup::Column::ListId.eq(list_id))
            .one(&txn)
            .await?
        else {
            return Ok(invalid());
        };
        let shown = |state| Confirmation {
            state,
            list: list.name.clone(),
            organization: org.name.clone(),
        };
        if state(&signup) != LinkState::Pending {
            return Ok(shown(state(&signup)));
        }
        // Made pending → confirmed by this statement alone: of two clicks at once, one
        // confirms and the other finds it done.
        let now = Utc::now();
        let taken = list_signup::Entity::update_many()
            .col_expr(list_signup::Column::Status, CONFIRMED.into())
            .col_expr(list_signup::Column::ConfirmedAt, Some(now).into())
            .col_expr(
                list_signup::Column::MailDue,
                Option::<chrono::DateTime<Utc>>::None.into(),
            )
            .filter(list_signup::Column::Id.eq(signup.id))
            .filter(list_signup::Column::Status.eq(PENDING))
            .exec(&txn)
            .await?
            .rows_affected
            == 1;
        if !taken {
            return Ok(shown(LinkState::Confirmed));
        }
        let Some(c) = contact::Entity::find_by_id(signup.contact_id)
            .one(&txn)
            .await?
        else {
            return Ok(invalid());
        };
        let Visitor { ip, user_agent } = self.open_visitor(&signup);
        let provenance = Provenance {
            basis: LawfulBasis::Consent,
            wording: Some(signup.wording.clone()),
            ..Provenance::new("form").with_ref(self.form_url(list_id))
        }
        .from_client(&self.cipher, org.id, ip.as_deref(), user_agent.as_deref())?
        .confirmed(&self.cipher, org.id, now, confirming_ip.as_deref())?;
        let existing = contact_store::consents_of(&txn, &[c.id]).await?;
        ledger::set(
            &txn,
            org.id,
            vec![Change::new(c.id, Channel::Email, ConsentState::Granted)],
            &existing,
            &provenance,
            now,
        )
        .await?;
        if let Some(index) = &c.email_index {
            suppressions::store::lift(
                &txn,
                org.id,
                Channel::Email,
                index,
                &[SuppressionReason::Unsubscribe, SuppressionReason::Erasure],
            )
            .await?;
        }
        list_member::Entity::insert(list_member::ActiveModel {
            list_id: Set(list_id),
            contact_id: Set(c.id),
            created_at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([list_member::Column::ListId, list_member::Column::ContactId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        txn.commit().await?;
        tracing::info!(contact_id = %c.id, "sign-up confirmed");
        Ok(shown(LinkState::Confirmed))
    }

    async fn find(
        &self,
        list_id: Uuid,
        token: &str,
    ) -> ServiceResult<Option<(list_signup::Model, String, String)>> {
        let Some(link) =
            ConfirmLink::verify(token, &self.link_key).filter(|l| l.list_id == list_id)
        else {
            return Ok(None);
        };
        let Ok((list, org)) = open_list(&self.db, list_id).await else {
            return Ok(None);
        };
        let signup = list_signup::Entity::find_by_id(link.signup_id)
            .filter(list_signup::Column::ListId.eq(list_id))
            .one(&self.db)
            .await?;
        Ok(signup.map(|s| (s, list.name, org.name)))
    }
}

fn state(s: &list_signup::Model) -> LinkState {
    if s.status == CONFIRMED {
        LinkState::Confirmed
    } else if s.expires_at <= Utc::now() {
        LinkState::Expired
    } else {
        LinkState::Pending
    }
}

fn invalid() -> Confirmation {
    Confirmation {
        state: LinkState::Invalid,
        list: String::new(),
        organization: String::new(),
    }
}
