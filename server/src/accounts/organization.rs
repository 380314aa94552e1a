//! The current organization's settings: name, time zone, default phone region.

use super::Accounts;
use crate::{
    audit::{self, Entry},
    auth::require,
    contacts::normalize,
    db::entities::organization,
    error::{not_found, ServiceResult},
};
use app::{
    error::AppError,
    model::{validate_name, Action, Actor, FieldErrors, OrganizationDto, OrganizationPatch},
};
use chrono::Utc;
use sea_orm::{EntityTrait, Set, TransactionTrait};
use serde_json::json;

impl Accounts {
    pub async fn organization(&self, actor: &Actor) -> ServiceResult<OrganizationDto> {
        require(actor, Action::SettingsRead)?;
        let org = organization::Entity::find_by_id(actor.organization_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| not_found("organization"))?;
        Ok(to_dto(org))
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn update_organization(
        &self,
        actor: &Actor,
        patch: OrganizationPatch,
    ) -> ServiceResult<OrganizationDto> {
        require(actor, Action::SettingsManage)?;
        let mut errors = FieldErrors::new();
        let name = patch
            .name
            .map(|n| validate_name(&n, "organization name"))
            .transpose()
            .map_err(|e| errors.insert("name".into(), e))
            .ok()
            .flatten();
        let time_zone = patch
            .time_zone
            .map(|tz| normalize::time_zone(&tz).map_err(|e| format!("`{}`: {e}", tz.trim())));
        let time_zone = time_zone
            .transpose()
            .map_err(|e| errors.insert("time_zone".into(), e))
            .ok()
            .flatten();
        // The region reads national phone numbers, so it must be one the phone library knows.
        let region = patch.default_region.map(|r| {
            let r = r.trim().to_uppercase();
            if r.len() == 2 && normalize::region(&r).is_some() {
                Ok(r)
            } else {
                Err(format!("`{r}` is not a two-letter country code"))
            }
        });
        let region = region
            .transpose()
            .map_err(|e| errors.insert("default_region".into(), e))
            .ok()
            .flatten();
        if !errors.is_empty() {
            return Err(AppError::fields(errors).into());
        }
        let mut active = organization::ActiveModel {
            id: Set(actor.organization_id),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let changed = json!({"name": name, "time_zone": time_zone, "default_region": region,
            "tracking": patch.tracking});
        if let Some(n) = name {
            active.name = Set(n);
        }
        if let Some(tz) = time_zone {
            active.time_zone = Set(tz);
        }
        if let Some(r) = region {
            active.default_region = Set(r);
        }
        if let Some(on) = patch.tracking {
            active.tracking = Set(on);
        }
        let txn = self.db.begin().await?;
        let org = organization::Entity::update(active).exec(&txn).await?;
        audit::record(
            &txn,
            Entry::by(actor, "organization.updated", "organization", org.id).with(changed),
        )
        .await?;
        txn.commit().await?;
        Ok(to_dto(org))
    }
}

fn to_dto(org: organization::Model) -> OrganizationDto {
    OrganizationDto {
        id: org.id,
        name: org.name,
        time_zone: org.time_zone,
        default_region: org.default_region,
        tracking: org.tracking,
    }
}
