use crate::{error::AppError, model::Me};
use leptos::prelude::*;

#[server(prefix = "/api/fn", endpoint = "signup")]
pub async fn signup(email: String, password: String, organization: String) -> Result<Me, AppError> {
    let ports = crate::ports::ports()?;
    let session = crate::ports::session()?;
    let ctx = crate::ports::request_context()?;
    let input = crate::model::SignupInput {
        email,
        password,
        organization,
    };
    let me = ports.accounts.signup(&session, &ctx, input).await?;
    leptos_axum::redirect("/");
    Ok(me)
}
