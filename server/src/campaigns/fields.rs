//! The editable fields of a campaign, checked and normalized together so that one
//! refusal names every field that is wrong.

use super::{audience, content, schedule_time};
use crate::error::ServiceResult;
use app::{
    error::AppError,
    model::{CampaignContent, Channel, FieldErrors},
};
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

const TITLE_MAX: usize = 200;
/// Target and exclusion lists a campaign may name, each.
pub const LISTS_MAX: usize = 100;
const DESCRIPTION_MAX: usize = 5_000;

/// A validated set of editable fields.
pub(super) struct Fields {
    pub title: String,
    pub description: String,
    pub channels: Vec<Channel>,
    pub scheduled_at: Option<chrono::DateTime<Utc>>,
    pub list_ids: Vec<Uuid>,
    pub exclusion_list_ids: Vec<Uuid>,
    pub content: CampaignContent,
}

/// Checks and normalizes fields; `channels` and `scheduled_at` are given only when they
/// change (raw, to be parsed). Collects every field error before refusing.
pub(super) async fn validate(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    tz: &Tz,
    mut f: Fields,
    channels: Option<&[String]>,
    scheduled_at: Option<Option<&str>>,
) -> ServiceResult<Fields> {
    let mut errors = FieldErrors::new();
    f.title = f.title.trim().to_owned();
    if f.title.is_empty() {
        errors.insert("title".into(), "a campaign needs a title".into());
    } else if f.title.chars().count() > TITLE_MAX {
        errors.insert(
            "title".into(),
            format!("a title has at most {TITLE_MAX} characters"),
        );
    }
    if f.description.chars().count() > DESCRIPTION_MAX {
        errors.insert(
            "description".into(),
            format!("a description has at most {DESCRIPTION_MAX} characters"),
        );
    }
    if let Some(raw) = channels {
        let mut parsed = Vec::new();
        for name in raw {
            match name.parse::<Channel>() {
                Ok(c) if !parsed.contains(&c) => parsed.push(c),
                Ok(_) => {}
                Err(e) => {
                    errors.insert("channels".into(), e);
                }
            }
        }
        if raw.is_empty() {
            errors.insert(
                "channels".into(),
                "choose at least one channel: email, sms or push".into(),
            );
        }
        parsed.sort();
        f.channels = parsed;
    }
    if let Some(raw) = scheduled_at {
        f.scheduled_at = match raw.map(|r| schedule_time::parse(r, *tz)).transpose() {
            Ok(t) => t,
            Err(e) => {
                errors.insert("scheduled_at".into(), e);
                None
            }
        };
    }
    dedup(&mut f.list_ids);
    dedup(&mut f.exclusion_list_ids);
    for (field, ids) in [
        ("list_ids", &mut f.list_ids),
        ("exclusion_list_ids", &mut f.exclusion_list_ids),
    ] {
        if ids.len() > LISTS_MAX {
            errors.insert(
                field.into(),
                format!("at most {LISTS_MAX} lists (got {})", ids.len()),
            );
            // Not looked up: the query would grow with the input.
            ids.clear();
        }
    }
    if f.list_ids
        .iter()
        .any(|id| f.exclusion_list_ids.contains(id))
    {
        errors.insert(
            "exclusion_list_ids".into(),
            "a list cannot be both targeted and excluded".into(),
        );
    }
    for (field, ids) in [
        ("list_ids", &f.list_ids),
        ("exclusion_list_ids", &f.exclusion_list_ids),
    ] {
        let unknown = audience::unknown_lists(db, organization_id, ids).await?;
        if !unknown.is_empty() {
            let ids: Vec<String> = unknown.iter().map(Uuid::to_string).collect();
            errors.insert(
                field.into(),
                format!("unknown list ids: {}", ids.join(", ")),
            );
        }
    }
    // Sanitizing and the trial renders are CPU work: off the async threads.
    let content = std::mem::take(&mut f.content);
    match tokio::task::spawn_blocking(move || content::prepare(content))
        .await
        .map_err(anyhow::Error::new)?
    {
        Ok(c) => f.content = c,
        Err(e) => errors.extend(e),
    }
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(AppError::fields(errors).into())
    }
}

fn dedup(ids: &mut Vec<Uuid>) {
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(*id));
}
