//! Moving a campaign between states. Every move goes through [`transition`], inside a
//! transaction the caller gives, for a user (authorized here, as every service call) or
//! for the system (the scheduler, a worker, a provider's webhook): it locks the row,
//! checks the move against the state machine, writes it, and records who made it.

use super::{
    audience, content,
    fields::{validate, Fields},
    service::{insert, Campaigns, NewRow},
    store,
};
use crate::{
    audit::{self, Entry},
    auth::require,
    db::entities::{
        campaign::{self, Status},
        campaign_status_change,
        delivery::{self, DeliveryStatus},
        delivery_counter,
    },
    error::{not_found, ServiceResult},
    events::{self, Kind},
};
use app::{
    error::AppError,
    model::{Action, Actor, CampaignDto, CampaignStatus, FieldErrors},
};
use chrono::{Duration, Utc};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

/// Clock skew we tolerate between a client that says "now" and the server.
const PAST_GRACE: Duration = Duration::seconds(60);

/// Who moves a campaign.
#[derive(Clone, Copy, Debug)]
pub enum By<'a> {
    /// A signed-in user or an API token, authorized for the move.
    User(&'a Actor),
    /// Carillon itself; not authorized (it acts for the organization), but still scoped
    /// to the campaign's organization.
    System(System),
}

/// The parts of Carillon that move campaigns on their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    Scheduler,
    Worker,
    Webhook,
}

impl System {
    pub fn as_str(self) -> &'static str {
        match self {
            System::Scheduler => "scheduler",
            System::Worker => "worker",
            System::Webhook => "webhook",
        }
    }
}

/// What a user needs to make a move; `None`: only the system makes it (a campaign
/// completes or fails by sending, not by a click).
fn permission(to: CampaignStatus) -> Option<Action> {
    match to {
        CampaignStatus::Draft
        | CampaignStatus::Scheduled
        | CampaignStatus::Running
        | CampaignStatus::Paused => Some(Action::CampaignsSchedule),
        CampaignStatus::Cancelled => Some(Action::CampaignsCancel),
        CampaignStatus::Completed | CampaignStatus::Failed => None,
    }
}

/// Moves campaign `id` of `organization_id` to `to` in the caller's transaction, which
/// holds the row until it ends (see `store::lock`). Refuses an illegal move with 409.
#[tracing::instrument(skip(db, by), fields(by = ?by))]
pub async fn transition(
    db: &DatabaseTransaction,
    by: By<'_>,
    organization_id: Uuid,
    id: Uuid,
    to: CampaignStatus,
) -> ServiceResult<campaign::Model> {
    if let By::User(actor) = by {
        if actor.organization_id != organization_id {
            return Err(not_found("campaign"));
        }
        match permission(to) {
            Some(action) => require(actor, action)?,
            None => {
                return Err(AppError::Conflict(format!(
                    "a campaign becomes {to} by sending, not by request"
                ))
                .into())
            }
        }
    }
    let row = store::lock(db, organization_id, id).await?;
    let from = row.status.0;
    let next = from
        .transition(to)
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let now = Utc::now();
    let mut update = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(Status(next)))
        .col_expr(campaign::Column::UpdatedAt, Expr::value(now));
    if from == CampaignStatus::Scheduled && next == CampaignStatus::Running {
        update = update.col_expr(campaign::Column::StartedAt, Expr::value(now));
    }
    if matches!(
        next,
        CampaignStatus::Completed | CampaignStatus::Cancelled | CampaignStatus::Failed
    ) {
        update = update.col_expr(campaign::Column::CompletedAt, Expr::value(now));
    }
    if next == CampaignStatus::Cancelled {
        cancel_pending(db, id).await?;
    }
    let row = update
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::OrganizationId.eq(organization_id))
        .exec_with_returning(db)
        .await?
        .pop()
        .ok_or_else(|| not_found("campaign"))?;
    let (by_user_id, by_system) = match by {
        By::User(actor) => (Some(actor.user_id), None),
        By::System(system) => (None, Some(system.as_str().to_owned())),
    };
    campaign_status_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        campaign_id: Set(id),
        organization_id: Set(organization_id),
        from_status: Set(Status(from)),
        to_status: Set(Status(next)),
        by_user_id: Set(by_user_id),
        by_system: Set(by_system),
        at: Set(now),
    }
    .insert(db)
    .await?;
    if let (By::User(actor), Some(action)) = (by, audited(from, next)) {
        audit::record(
            db,
            Entry::by(actor, action, "campaign", id).with(json!({
                "title": row.title, "from": from, "to": next, "scheduled_at": row.scheduled_at,
            })),
        )
        .await?;
    }
    if let Some(kind) = event_of(from, next) {
        let by = match by {
            By::User(actor) => json!({"user_id": actor.user_id}),
            By::System(system) => json!({"system": system.as_str()}),
        };
        events::record(
            db,
            vec![events::New::campaign(
                organization_id,
                id,
                kind,
                json!({"from": from, "to": next, "by": by}),
            )],
        )
        .await?;
    }
    tracing::info!(campaign_id = %id, %from, to = %next, "campaign status changed");
    Ok(row)
}

/// The audit line a member's move writes.
fn audited(from: CampaignStatus, to: CampaignStatus) -> Option<&'static str> {
    Some(match (from, to) {
        (_, CampaignStatus::Scheduled) => "campaign.scheduled",
        (CampaignStatus::Scheduled, CampaignStatus::Draft) => "campaign.unscheduled",
        (_, CampaignStatus::Paused) => "campaign.paused",
        (CampaignStatus::Paused, CampaignStatus::Running) => "campaign.resumed",
        (_, CampaignStatus::Cancelled) => "campaign.cancelled",
        _ => return None,
    })
}

/// The event a move records (going back to draft records none).
fn event_of(from: CampaignStatus, to: CampaignStatus) -> Option<Kind> {
    Some(match (from, to) {
        (_, CampaignStatus::Draft) => return None,
        (_, CampaignStatus::Scheduled) => Kind::CampaignScheduled,
        (CampaignStatus::Paused, CampaignStatus::Running) => Kind::CampaignResumed,
        (_, CampaignStatus::Running) => Kind::CampaignStarted,
        (_, CampaignStatus::Paused) => Kind::CampaignPaused,
        (_, CampaignStatus::Completed) => Kind::CampaignSent,
        (_, CampaignStatus::Cancelled) => Kind::CampaignCancelled,
        (_, CampaignStatus::Failed) => Kind::CampaignFailed,
    })
}

/// A cancelled campaign sends nothing more: every pending delivery becomes cancelled at
/// once, and its counters with it. (A delivery a worker is sending right now is recorded
/// as sent if the provider took it.)
async fn cancel_pending(db: &DatabaseTransaction, campaign_id: Uuid) -> ServiceResult<()> {
    delivery::Entity::update_many()
        .col_expr(
            delivery::Column::Status,
            Expr::value(DeliveryStatus::Cancelled),
        )
        .col_expr(delivery::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(delivery::Column::CampaignId.eq(campaign_id))
        .filter(delivery::Column::Status.eq(DeliveryStatus::Pending))
        .exec(db)
        .await?;
    delivery_counter::Entity::update_many()
        .col_expr(
            delivery_counter::Column::Cancelled,
            Expr::col(delivery_counter::Column::Cancelled)
                .add(Expr::col(delivery_counter::Column::Pending)),
        )
        .col_expr(delivery_counter::Column::Pending, Expr::value(0i64))
        .filter(delivery_counter::Column::CampaignId.eq(campaign_id))
        .exec(db)
        .await?;
    Ok(())
}

impl Campaigns {
    /// Draft → scheduled. `at` (raw, like the create body) sets the time; without it the
    /// campaign keeps its time, or goes out now when it has none.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn schedule(
        &self,
        actor: &Actor,
        id: Uuid,
        at: Option<String>,
    ) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsSchedule)?;
        let txn = self.db.begin().await?;
        let row = store::lock(&txn, actor.organization_id, id).await?;
        // The state first, so an illegal move is a 409 rather than a list of missing fields.
        from_state(row.status.0, CampaignStatus::Scheduled)?;
        let tz = store::time_zone(&txn, actor.organization_id).await?;
        let targets = store::targets(&txn, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let mut fields = Fields {
            title: row.title.clone(),
            description: row.description.clone(),
            channels: row.channels.0.clone(),
            scheduled_at: row.scheduled_at,
            list_ids: targets.include,
            exclusion_list_ids: targets.exclude,
            content: row.content.0.clone(),
        };
        if at.is_some() {
            fields = validate(
                &txn,
                actor.organization_id,
                &tz,
                fields,
                None,
                Some(at.as_deref()),
            )
            .await?;
        }
        let when = fields.scheduled_at.unwrap_or_else(Utc::now);
        fields.scheduled_at = Some(when);
        ensure_sendable(&txn, actor.organization_id, id, &fields).await?;
        campaign::Entity::update_many()
            .col_expr(campaign::Column::ScheduledAt, Expr::value(when))
            .filter(campaign::Column::Id.eq(id))
            .filter(campaign::Column::OrganizationId.eq(actor.organization_id))
            .exec(&txn)
            .await?;
        let row = transition(
            &txn,
            By::User(actor),
            actor.organization_id,
            id,
            CampaignStatus::Scheduled,
        )
        .await?;
        let dto = store::dto(&txn, row).await?;
        txn.commit().await?;
        tracing::info!(scheduled_at = %when, "campaign scheduled");
        Ok(dto)
    }

    /// Sends now: a draft is scheduled for now (with the same checks), a scheduled
    /// campaign's time becomes now. The scheduler starts it within a second.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn send_now(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsSchedule)?;
        let status = store::find(&self.db, actor.organization_id, id)
            .await?
            .status
            .0;
        if status != CampaignStatus::Scheduled {
            return self
                .schedule(actor, id, Some(Utc::now().to_rfc3339()))
                .await;
        }
        let txn = self.db.begin().await?;
        let row = store::lock(&txn, actor.organization_id, id).await?;
        if row.status.0 != CampaignStatus::Scheduled {
            return Err(AppError::Conflict(format!(
                "a {} campaign cannot be sent now",
                row.status.0
            ))
            .into());
        }
        let now = Utc::now();
        let row = campaign::Entity::update_many()
            .col_expr(campaign::Column::ScheduledAt, Expr::value(now))
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
            .filter(campaign::Column::Id.eq(id))
            .filter(campaign::Column::OrganizationId.eq(actor.organization_id))
            .exec_with_returning(&txn)
            .await?
            .pop()
            .ok_or_else(|| not_found("campaign"))?;
        let dto = store::dto(&txn, row).await?;
        txn.commit().await?;
        Ok(dto)
    }

    /// Running → paused: workers claim nothing more of it; what is in flight finishes.
    pub async fn pause(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        self.move_to(actor, id, CampaignStatus::Paused).await
    }

    /// Paused → running.
    pub async fn resume(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        self.move_to(actor, id, CampaignStatus::Running).await
    }

    /// Scheduled → draft: nothing will be sent until it is scheduled again.
    pub async fn unschedule(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        self.move_to(actor, id, CampaignStatus::Draft).await
    }

    /// Scheduled, running or paused → cancelled.
    pub async fn cancel(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        self.move_to(actor, id, CampaignStatus::Cancelled).await
    }

    /// A new draft with the same content and audience, and no schedule.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn duplicate(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let source = store::find(&txn, actor.organization_id, id).await?;
        let targets = store::targets(&txn, &[id])
            .await?
            .remove(&id)
            .unwrap_or_default();
        let copy = NewRow {
            title: format!("Copy of {}", source.title)
                .chars()
                .take(200)
                .collect(),
            description: source.description,
            channels: source.channels.0,
            scheduled_at: None,
            content: source.content.0,
        };
        let copy = insert(&txn, actor, copy, CampaignStatus::Draft).await?;
        store::replace_targets(&txn, copy.id, &targets).await?;
        let dto = store::dto(&txn, copy).await?;
        txn.commit().await?;
        Ok(dto)
    }

    async fn move_to(
        &self,
        actor: &Actor,
        id: Uuid,
        to: CampaignStatus,
    ) -> ServiceResult<CampaignDto> {
        let txn = self.db.begin().await?;
        let row = transition(&txn, By::User(actor), actor.organization_id, id, to).await?;
        let dto = store::dto(&txn, row).await?;
        txn.commit().await?;
        Ok(dto)
    }
}

fn from_state(from: CampaignStatus, to: CampaignStatus) -> ServiceResult<()> {
    from.transition(to)
        .map(drop)
        .map_err(|e| AppError::Conflict(e.to_string()).into())
}

/// What scheduling requires: content complete for every channel, someone to send to
/// (the campaign's stored targets, in `db`), and a time that has not passed.
pub(super) async fn ensure_sendable(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    campaign_id: Uuid,
    f: &Fields,
) -> ServiceResult<()> {
    let mut errors: FieldErrors = content::readiness(&f.content, &f.channels);
    if f.channels.is_empty() {
        errors.insert("channels".into(), "choose at least one channel".into());
    }
    if f.list_ids.is_empty() {
        errors.insert(
            "list_ids".into(),
            "choose at least one recipient list".into(),
        );
    } else if audience::is_empty(db, organization_id, campaign_id).await? {
        errors.insert(
            "list_ids".into(),
            "the chosen lists have no contacts (after exclusions)".into(),
        );
    }
    if f.scheduled_at
        .is_some_and(|at| at < Utc::now() - PAST_GRACE)
    {
        errors.insert(
            "scheduled_at".into(),
            "the publication time has passed: choose now or a later time".into(),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::fields(errors).into())
    }
}
