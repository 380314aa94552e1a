use crate::startup::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
