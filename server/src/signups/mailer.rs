//! The `signup_mail` job: mails the confirmations owed (`mail_due` passed), each under a
//! lease, through the organization's email channel. A refusal for now is tried again
//! later, up to [`MAX_ATTEMPTS`]; the mail's id is the sign-up's, so one sent again
//! after a crash is recognizably the same message.

use super::{form::PENDING, Signups};
use crate::{
    channels::{Body, EmailMessage, OutboundMessage, SendOutcome},
    contacts::{normalize::EMAIL, store as contact_store},
    db::entities::{contact, list, list_signup, organization},
    html,
    jobs::{self, Job, Round, Stop, Wake},
};
use app::model::Channel;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{sea_query::Expr, ColumnTrait, Condition, EntityTrait, UpdateMany};
use std::{sync::Arc, time::Duration};

pub const MAX_ATTEMPTS: i32 = 5;
const BATCH: u64 = 20;
const LEASE: chrono::Duration = chrono::Duration::seconds(120);
const SEND_TIMEOUT: Duration = Duration::from_secs(60);

impl jobs::Leased for list_signup::Entity {
    const ID: list_signup::Column = list_signup::Column::Id;
    const LEASE_UNTIL: list_signup::Column = list_signup::Column::LeaseUntil;
    const LEASE_OWNER: list_signup::Column = list_signup::Column::LeaseOwner;
}

pub struct SignupMailer {
    pub(super) signups: Arc<Signups>,
}

#[async_trait]
impl Job for SignupMailer {
    fn name(&self) -> &'static str {
        "signup_mail"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(30)
    }

    fn wake(&self) -> Option<Wake> {
        Some(self.signups.wake.clone())
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        let s = &self.signups;
        let now = Utc::now();
        let claimed = jobs::claim::<list_signup::Entity>(
            &s.db,
            Condition::all()
                .add(list_signup::Column::Status.eq(PENDING))
                .add(list_signup::Column::MailDue.lte(now)),
            list_signup::Column::MailDue,
            BATCH,
            LEASE,
            |u| u,
        )
        .await?;
        if claimed.is_empty() {
            return Ok(Round::Idle);
        }
        for (signup, lease) in claimed {
            if stop.requested() {
                lease.release(&s.db, Condition::all(), |u| u).await?;
                continue;
            }
            let outcome = s.mail(&signup).await;
            let attempts = signup.mail_attempts + 1;
            let settle = |u: UpdateMany<list_signup::Entity>| settled(u, &outcome, attempts);
            lease.release(&s.db, Condition::all(), settle).await?;
        }
        Ok(Round::Worked)
    }
}

/// The row after one try: sent, given up, or due again after a back-off.
fn settled(
    update: UpdateMany<list_signup::Entity>,
    outcome: &SendOutcome,
    attempts: i32,
) -> UpdateMany<list_signup::Entity> {
    use list_signup::Column as C;
    let none: Option<DateTime<Utc>> = None;
    let update = update.col_expr(C::MailAttempts, Expr::value(attempts));
    match outcome {
        SendOutcome::Accepted { .. } => update
            .col_expr(C::MailDue, Expr::value(none))
            .col_expr(C::MailedAt, Expr::value(Some(Utc::now())))
            .col_expr(C::MailError, Expr::value(Option::<String>::None)),
        SendOutcome::Retry { reason, .. } if attempts < MAX_ATTEMPTS => {
            let wait = chrono::Duration::seconds(30 << attempts.clamp(0, 10));
            update
                .col_expr(C::MailDue, Expr::value(Some(Utc::now() + wait)))
                .col_expr(C::MailError, Expr::value(Some(clip(reason))))
        }
        SendOutcome::Retry { reason, .. } | SendOutcome::Failed { reason } => update
            .col_expr(C::MailDue, Expr::value(none))
            .col_expr(C::MailError, Expr::value(Some(clip(reason)))),
    }
}

impl Signups {
    /// One confirmation mail, sent; what the provider said.
    #[tracing::instrument(skip_all, fields(signup_id = %signup.id))]
    async fn mail(&self, signup: &list_signup::Model) -> SendOutcome {
        match self.compose(signup).await {
            Ok(Some(message)) => {
                let resolved = match self
                    .channels
                    .resolve(signup.organization_id, Channel::Email)
                    .await
                {
                    Ok(r) => r,
                    Err(e) => {
                        return SendOutcome::Retry {
                            after: None,
                            reason: format!("the email channel could not be resolved: {e}"),
                        }
                    }
                };
                let outcome = tokio::time::timeout(SEND_TIMEOUT, resolved.adapter.send(&message))
                    .await
                    .unwrap_or_else(|_| SendOutcome::Retry {
                        after: None,
                        reason: "no answer from the provider".into(),
                    });
                tracing::info!(
                    provider = resolved.provider,
                    ok = matches!(outcome, SendOutcome::Accepted { .. }),
                    "confirmation mailed"
                );
                outcome.without_address(&message.to)
            }
            Ok(None) => SendOutcome::Failed {
                reason: "the contact has no readable email address".into(),
            },
            Err(e) => SendOutcome::Retry {
                after: None,
                reason: format!("the mail could not be prepared: {e}"),
            },
        }
    }

    async fn compose(&self, s: &list_signup::Model) -> anyhow::Result<Option<OutboundMessage>> {
        let Some(c) = contact::Entity::find_by_id(s.contact_id)
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let key = contact_store::data_key(&self.cipher, &c)?;
        let Some(to) = c
            .email_ciphertext
            .as_deref()
            .map(|v| contact_store::open(&self.cipher, key.as_ref(), EMAIL, c.id, v))
            .transpose()?
        else {
            return Ok(None);
        };
        let list = list::Entity::find_by_id(s.list_id).one(&self.db).await?;
        let org = organization::Entity::find_by_id(s.organization_id)
            .one(&self.db)
            .await?;
        let (Some(list), Some(org)) = (list, org) else {
            return Ok(None);
        };
        let url = self.confirm_url(s);
        let hours = super::VALID_FOR.num_hours();
        let subject = format!("Confirm your subscription to {}", list.name);
        let text = format!(
            "Hello,\n\nSomeone, hopefully you, asked to receive \"{list}\" from {org} at this address.\n\
             To confirm, open this link within {hours} hours and press the button:\n\n{url}\n\n\
             If it was not you, ignore this message: nothing will be sent to you.\n",
            list = list.name,
            org = org.name,
        );
        let html = format!(
            "<p>Hello,</p><p>Someone, hopefully you, asked to receive <strong>{list}</strong> from {org} at this address.</p>\
             <p>To confirm, open this link within {hours} hours and press the button:</p>\
             <p><a href=\"{url}\">Confirm my subscription</a></p>\
             <p>If it was not you, ignore this message: nothing will be sent to you.</p>",
            list = html::escape(&list.name),
            org = html::escape(&org.name),
            url = html::escape(&url),
        );
        Ok(Some(OutboundMessage {
            delivery_id: s.id,
            organization_id: s.organization_id,
            campaign_id: None,
            to,
            body: Body::Email(EmailMessage {
                from_name: org.name,
                // The channel's own sender (`from_email` in its settings).
                from_email: String::new(),
                subject,
                html,
                text,
                unsubscribe_url: None,
            }),
        }))
    }
}

fn clip(reason: &str) -> String {
    reason.chars().take(1000).collect()
}
