use crate::{error::AppError, model::CampaignTestResult};
use leptos::prelude::*;
use uuid::Uuid;

/// Empty inputs are left out: the test goes to the channels given an address.
#[server(prefix = "/api/fn", endpoint = "test_campaign")]
pub async fn test_campaign(
    id: Uuid,
    #[server(default)] email: String,
    #[server(default)] phone: String,
) -> Result<Vec<CampaignTestResult>, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let given = |s: String| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    let input = crate::model::CampaignTestInput {
        email: given(email),
        phone: given(phone),
    };
    let results = ports.sending.test(&actor, id, input).await?;
    let json = serde_json::to_string(&results).map_err(|_| AppError::Internal)?;
    super::support::flash_if_plain_form(super::FlashKind::CampaignTest, &json).await?;
    Ok(results)
}
