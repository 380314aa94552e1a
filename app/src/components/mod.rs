//! Pieces shared by several pages.

mod chart;
mod copy_button;
mod errors;
mod field;
mod format;
mod header;
mod once_secret;
mod pager;
mod session;

pub use chart::Chart;
pub use copy_button::CopyButton;
pub use errors::{error_text, ErrorAlert};
pub use field::{FieldError, TextField};
pub use format::{date, query_text, query_value};
pub use header::{AppHeader, LocaleSwitcher, PublicHeader};
pub use once_secret::OnceSecret;
pub use pager::Pager;
pub use session::{
    provide_session, refresh_session_on_success, use_can, use_locale, use_me, use_strings, Guard,
    SessionScope,
};
