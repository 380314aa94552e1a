use crate::{error::AppError, model::ImportPreview};
use leptos::{prelude::*, server_fn::codec::Json};

/// `head` is the start of the chosen file (the browser reads up to 256 KiB). JSON in,
/// because a form-encoded CSV would grow up to threefold on the way.
#[server(prefix = "/api/fn", endpoint = "preview_import", input = Json)]
pub async fn preview_import(head: String) -> Result<ImportPreview, AppError> {
    let ports = crate::ports::ports()?;
    let actor = crate::ports::actor()?;
    ports.imports.preview(&actor, head).await
}
