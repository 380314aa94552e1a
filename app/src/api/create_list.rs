use crate::{error::AppError, model::ListDto};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "create_list")]
pub async fn create_list(
    name: String,
    #[server(default)] description: String,
) -> Result<ListDto, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports
        .lists
        .create(&actor, crate::model::ListInput { name, description })
        .await
}
