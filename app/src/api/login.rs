use crate::{error::AppError, model::Me};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<Me, AppError> {
    let ports = crate::ports::ports()?;
    let session = crate::ports::session()?;
    let ctx = crate::ports::request_context()?;
    let me = ports
        .accounts
        .login(&session, &ctx, crate::model::LoginInput { email, password })
        .await?;
    leptos_axum::redirect("/");
    Ok(me)
}
