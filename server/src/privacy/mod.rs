//! The data subject's rights over what Carillon holds about them: access and
//! portability (`export`).

pub mod export;

pub use export::Privacy;
