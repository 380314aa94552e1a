use crate::{error::AppError, model::RetentionView};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "get_retention")]
pub async fn get_retention() -> Result<RetentionView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.retention.view(&actor).await
}

/// From Settings → Data retention: each field a number of months, empty for no limit.
#[server(prefix = "/api/fn", endpoint = "save_retention")]
pub async fn save_retention(
    #[server(default)] delivery_months: String,
    #[server(default)] contact_months: String,
) -> Result<RetentionView, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    let mut errors = crate::model::FieldErrors::new();
    let mut months = |field: &str, raw: &str| match raw.trim() {
        "" => None,
        n => match n.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.insert(field.into(), "a whole number of months".into());
                None
            }
        },
    };
    let policy = crate::model::RetentionPolicy {
        delivery_months: months("delivery_months", &delivery_months),
        contact_months: months("contact_months", &contact_months),
    };
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    ports.retention.set(&actor, policy).await
}
