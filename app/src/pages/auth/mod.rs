//! Sign-up and log-in, for signed-out visitors only.

mod frame;
mod login;
mod signup;

pub use login::LoginPage;
pub use signup::SignupPage;
