use crate::error::AppError;
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let ports = crate::ports::ports()?;
    let session = crate::ports::session()?;
    ports.accounts.logout(&session).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
