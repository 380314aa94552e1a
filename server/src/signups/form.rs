//! The public form: what it shows, and what a posted sign-up becomes (a contact without
//! consent, and one pending confirmation).

use super::{Signups, IP, RESEND_AFTER, USER_AGENT, VALID_FOR};
use crate::{
    contacts::{normalize, store as contact_store},
    db::entities::{contact, list, list_member, list_signup, organization},
    error::{not_found, ServiceResult},
};
use anyhow::Context;
use app::{
    error::AppError,
    model::{Channel, ConsentState, FieldErrors, SuppressionReason, DEFAULT_SIGNUP_WORDING},
};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use uuid::Uuid;

pub const PENDING: &str = "pending";
pub const CONFIRMED: &str = "confirmed";

/// What the form shows.
#[derive(Clone, Debug)]
pub struct FormView {
    pub organization: String,
    pub list: String,
    pub wording: String,
}

/// A posted form, as read from its fields.
#[derive(Clone, Debug, Default)]
pub struct SignupInput {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The consent box was ticked.
    pub consent: bool,
    /// The field hidden from people was filled: a bot.
    pub trap: bool,
}

/// Who posted it, as the request tells.
#[derive(Clone, Debug, Default)]
pub struct Visitor {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl Signups {
    /// The form of a list that takes sign-ups; any other list is "not found".
    pub async fn form(&self, list_id: Uuid) -> ServiceResult<FormView> {
        let (l, org) = open_list(&self.db, list_id).await?;
        Ok(FormView {
            organization: org.name,
            wording: wording(&l),
            list: l.name,
        })
    }

    /// Takes a sign-up. Whatever becomes of it (new, already pending, a bot, an address
    /// that must not be mailed), the visitor is told the same: to check their inbox.
    #[tracing::instrument(skip_all, fields(%list_id))]
    pub async fn submit(
        &self,
        list_id: Uuid,
        input: SignupInput,
        visitor: Visitor,
    ) -> ServiceResult<()> {
        let (l, _) = open_list(&self.db, list_id).await?;
        if input.trap {
            tracing::info!("sign-up dropped: the hidden field was filled");
            return Ok(());
        }
        let (email, first_name, last_name) = validate(&input)?;
        let org = l.organization_id;
        let index = contact_store::email_index(&self.cipher.index_key(org), &email);
        let txn = self.db.begin().await?;
        if blocked(&txn, org, &index).await? {
            tracing::info!("sign-up dropped: the address bounced or complained");
            return Ok(());
        }
        let contact_id = match contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(org))
            .filter(contact::Column::EmailIndex.eq(index.as_str()))
            .one(&txn)
            .await?
        {
            // A known contact's data is not the visitor's to change: only the list and
            // the consent will be, once confirmed.
            Some(c) => c.id,
            None => {
                self.new_contact(&txn, org, &email, &index, first_name, last_name)
                    .await?
            }
        };
        let now = Utc::now();
        let existing = list_signup::Entity::find()
            .filter(list_signup::Column::ListId.eq(list_id))
            .filter(list_signup::Column::ContactId.eq(contact_id))
            .one(&txn)
            .await?;
        let mail = match existing {
            None => {
                let id = Uuid::now_v7();
                let (ip, user_agent) = self.seal_visitor(id, &visitor)?;
                list_signup::ActiveModel {
                    id: Set(id),
                    organization_id: Set(org),
                    list_id: Set(list_id),
                    contact_id: Set(contact_id),
                    status: Set(PENDING.into()),
                    wording: Set(wording(&l)),
                    ip_ciphertext: Set(ip),
                    user_agent_ciphertext: Set(user_agent),
                    requested_at: Set(now),
                    expires_at: Set(now + VALID_FOR),
                    mail_due: Set(Some(now)),
                    mailed_at: Set(None),
                    mail_attempts: Set(0),
                    mail_error: Set(None),
                    lease_until: Set(None),
                    lease_owner: Set(None),
                    confirmed_at: Set(None),
                }
                .insert(&txn)
                .await?;
                true
            }
            Some(s) if s.status == PENDING && s.expires_at > now => {
                // The same confirmation, mailed again if the last mail is not recent.
                let again =
                    s.mail_due.is_none() && s.mailed_at.is_none_or(|at| at + RESEND_AFTER <= now);
                if again {
                    let mut row: list_signup::ActiveModel = s.into();
                    row.mail_due = Set(Some(now));
                    row.mail_attempts = Set(0);
                    row.update(&txn).await?;
                }
                again
            }
            Some(s) if subscribed(&txn, &s).await? => false,
            // Expired, or confirmed once and left since: a new confirmation.
            Some(s) => {
                let (ip, user_agent) = self.seal_visitor(s.id, &visitor)?;
                let mut row: list_signup::ActiveModel = s.into();
                row.status = Set(PENDING.into());
                row.wording = Set(wording(&l));
                row.ip_ciphertext = Set(ip);
                row.user_agent_ciphertext = Set(user_agent);
                row.requested_at = Set(now);
                row.expires_at = Set(now + VALID_FOR);
                row.mail_due = Set(Some(now));
                row.mailed_at = Set(None);
                row.mail_attempts = Set(0);
                row.mail_error = Set(None);
                row.confirmed_at = Set(None);
                row.update(&txn).await?;
                true
            }
        };
        txn.commit().await?;
        if mail {
            self.wake.ring();
        }
        tracing::info!(mail, "sign-up taken");
        Ok(())
    }

    async fn new_contact(
        &self,
        txn: &DatabaseTransaction,
        organization_id: Uuid,
        email: &str,
        index: &str,
        first_name: Option<String>,
        last_name: Option<String>,
    ) -> ServiceResult<Uuid> {
        let id = Uuid::now_v7();
        let (key, wrapped) = contact_store::new_data_key(&self.cipher, id)?;
        let sealed =
            contact_store::seal_email(&key, &self.cipher.index_key(organization_id), id, email)?;
        debug_assert_eq!(sealed.index, index);
        let now = Utc::now();
        contact::ActiveModel {
            id: Set(id),
            organization_id: Set(organization_id),
            email_ciphertext: Set(Some(sealed.ciphertext)),
            email_index: Set(Some(sealed.index)),
            phone_ciphertext: Set(None),
            phone_index: Set(None),
            first_name: Set(first_name),
            last_name: Set(last_name),
            locale: Set(None),
            time_zone: Set(None),
            attributes: Set("{}".into()),
            index_version: Set(contact_store::INDEX_VERSION),
            data_key: Set(Some(wrapped)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(txn)
        .await?;
        Ok(id)
    }

    fn seal_visitor(
        &self,
        signup_id: Uuid,
        visitor: &Visitor,
    ) -> ServiceResult<(Option<String>, Option<String>)> {
        let row = signup_id.to_string();
        let seal = |field, value: &Option<String>| {
            value
                .as_deref()
                .map(|v| self.cipher.encrypt(field, &row, &clip(v, 512)))
                .transpose()
                .context("Failed to encrypt a sign-up's client")
        };
        Ok((
            seal(IP, &visitor.ip)?,
            seal(USER_AGENT, &visitor.user_agent)?,
        ))
    }

    /// The visitor's address and browser, as [`Signups::seal_visitor`] kept them.
    pub(super) fn open_visitor(&self, s: &list_signup::Model) -> Visitor {
        let row = s.id.to_string();
        let open = |field, value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| self.cipher.decrypt(field, &row, v).ok())
        };
        Visitor {
            ip: open(IP, &s.ip_ciphertext),
            user_agent: open(USER_AGENT, &s.user_agent_ciphertext),
        }
    }
}

/// A list whose form is on, with its organization.
pub(super) async fn open_list(
    db: &impl ConnectionTrait,
    list_id: Uuid,
) -> ServiceResult<(list::Model, organization::Model)> {
    let l = list::Entity::find_by_id(list_id)
        .filter(list::Column::SignupEnabled.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| not_found("sign-up form"))?;
    let org = organization::Entity::find_by_id(l.organization_id)
        .one(db)
        .await?
        .ok_or_else(|| not_found("sign-up form"))?;
    Ok((l, org))
}

pub(super) fn wording(l: &list::Model) -> String {
    l.signup_wording
        .clone()
        .unwrap_or_else(|| DEFAULT_SIGNUP_WORDING.to_owned())
}

type Validated = (String, Option<String>, Option<String>);

fn validate(input: &SignupInput) -> ServiceResult<Validated> {
    let mut errors = FieldErrors::new();
    let email = match normalize::normalize_email(&input.email) {
        Ok(e) => Some(e),
        Err(e) => {
            errors.insert("email".into(), e);
            None
        }
    };
    let mut name = |field: &str, value: &Option<String>| match normalize::optional(value.as_deref())
        .map(normalize::name)
        .transpose()
    {
        Ok(v) => v,
        Err(e) => {
            errors.insert(field.into(), e);
            None
        }
    };
    let first_name = name("first_name", &input.first_name);
    let last_name = name("last_name", &input.last_name);
    if !input.consent {
        errors.insert(
            "consent".into(),
            "tick the box to agree: without it we cannot send you anything".into(),
        );
    }
    match email {
        Some(email) if errors.is_empty() => Ok((email, first_name, last_name)),
        _ => Err(AppError::fields(errors).into()),
    }
}

/// An address that bounced or complained gets no mail from a form: a confirmation
/// could not arrive, or would be unwelcome. (An unsubscribed or erased one may sign up
/// again: confirming lifts that.)
async fn blocked(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    index: &str,
) -> ServiceResult<bool> {
    let found =
        crate::suppressions::store::reasons(db, organization_id, Channel::Email, index).await?;
    Ok(found.iter().any(|r| {
        !matches!(
            r,
            SuppressionReason::Unsubscribe | SuppressionReason::Erasure
        )
    }))
}

/// The sign-up was confirmed and still holds: the contact is in the list, consenting.
async fn subscribed(db: &impl ConnectionTrait, s: &list_signup::Model) -> ServiceResult<bool> {
    if s.status != CONFIRMED {
        return Ok(false);
    }
    let member = list_member::Entity::find()
        .filter(list_member::Column::ListId.eq(s.list_id))
        .filter(list_member::Column::ContactId.eq(s.contact_id))
        .one(db)
        .await?
        .is_some();
    let consents = contact_store::consents_of(db, &[s.contact_id]).await?;
    let granted = consents.get(&s.contact_id).is_some_and(|rows| {
        rows.iter().any(|r| {
            r.channel == Channel::Email.as_str() && r.state == ConsentState::Granted.as_str()
        })
    });
    Ok(member && granted)
}

fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
