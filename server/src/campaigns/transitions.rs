//! Moving a campaign between states. Each move is one transaction: re-read the row,
//! check the transition and its preconditions, write.

use super::{
    audience, content,
    fields::{validate, Fields},
    service::{channels_json, find, parse_status, replace_lists, Campaigns},
};
use crate::{auth::require, db::entities::campaign, error::ServiceResult};
use app::{
    error::AppError,
    model::{Action, Actor, CampaignDto, CampaignStatus, FieldErrors},
};
use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Set, TransactionTrait};
use uuid::Uuid;

/// Clock skew we tolerate between a client that says "now" and the server.
const PAST_GRACE: Duration = Duration::seconds(60);

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
        let row = find(&txn, actor.organization_id, id).await?;
        let next = transition(&row, CampaignStatus::Scheduled)?;
        let tz = self.time_zone(&txn, actor.organization_id).await?;
        let current = self.to_dto(&txn, row.clone(), &tz).await?;
        let mut fields = Fields {
            title: current.title,
            description: current.description,
            channels: current.channels,
            scheduled_at: current.scheduled_at,
            list_ids: current.list_ids,
            exclusion_list_ids: current.exclusion_list_ids,
            content: current.content,
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
        ensure_sendable(&txn, &fields).await?;

        let mut active: campaign::ActiveModel = row.into();
        active.status = Set(next.as_str().to_owned());
        active.scheduled_at = Set(Some(when));
        active.updated_at = Set(Utc::now());
        let row = sea_orm::ActiveModelTrait::update(active, &txn).await?;
        let dto = self.to_dto(&txn, row, &tz).await?;
        txn.commit().await?;
        tracing::info!(scheduled_at = %when, "campaign scheduled");
        Ok(dto)
    }

    /// Scheduled → draft: nothing will be sent until it is scheduled again.
    pub async fn unschedule(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsSchedule)?;
        self.move_to(actor, id, CampaignStatus::Draft).await
    }

    /// Scheduled or running → cancelled.
    pub async fn cancel(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsCancel)?;
        self.move_to(actor, id, CampaignStatus::Cancelled).await
    }

    /// A new draft with the same content and audience, and no schedule.
    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id, campaign_id = %id))]
    pub async fn duplicate(&self, actor: &Actor, id: Uuid) -> ServiceResult<CampaignDto> {
        require(actor, Action::CampaignsWrite)?;
        let txn = self.db.begin().await?;
        let row = find(&txn, actor.organization_id, id).await?;
        let tz = self.time_zone(&txn, actor.organization_id).await?;
        let source = self.to_dto(&txn, row, &tz).await?;
        let now = Utc::now();
        let copy_id = Uuid::now_v7();
        let title: String = format!("Copy of {}", source.title)
            .chars()
            .take(200)
            .collect();
        let copy = campaign::ActiveModel {
            id: Set(copy_id),
            organization_id: Set(actor.organization_id),
            title: Set(title),
            description: Set(source.description),
            channels: Set(channels_json(&source.channels)?),
            status: Set(CampaignStatus::Draft.as_str().to_owned()),
            scheduled_at: Set(None),
            content: Set(serde_json::to_string(&source.content).map_err(anyhow::Error::new)?),
            created_by: Set(Some(actor.user_id)),
            created_at: Set(now),
            updated_at: Set(now),
        };
        let copy = sea_orm::ActiveModelTrait::insert(copy, &txn).await?;
        replace_lists(&txn, copy_id, &source.list_ids, &source.exclusion_list_ids).await?;
        let dto = self.to_dto(&txn, copy, &tz).await?;
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
        let row = find(&txn, actor.organization_id, id).await?;
        let next = transition(&row, to)?;
        let tz = self.time_zone(&txn, actor.organization_id).await?;
        let mut active: campaign::ActiveModel = row.into();
        active.status = Set(next.as_str().to_owned());
        active.updated_at = Set(Utc::now());
        let row = sea_orm::ActiveModelTrait::update(active, &txn).await?;
        let dto = self.to_dto(&txn, row, &tz).await?;
        txn.commit().await?;
        tracing::info!(campaign_id = %id, status = %next, "campaign status changed");
        Ok(dto)
    }
}

fn transition(row: &campaign::Model, to: CampaignStatus) -> ServiceResult<CampaignStatus> {
    parse_status(&row.status)?
        .transition(to)
        .map_err(|e| AppError::Conflict(e.to_string()).into())
}

/// What scheduling requires: content complete for every channel, someone to send to,
/// and a time that has not passed.
pub(super) async fn ensure_sendable(db: &impl ConnectionTrait, f: &Fields) -> ServiceResult<()> {
    let mut errors: FieldErrors = content::readiness(&f.content, &f.channels);
    if f.channels.is_empty() {
        errors.insert("channels".into(), "choose at least one channel".into());
    }
    if f.list_ids.is_empty() {
        errors.insert(
            "list_ids".into(),
            "choose at least one recipient list".into(),
        );
    } else if audience::size(db, &f.list_ids, &f.exclusion_list_ids).await? == 0 {
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
