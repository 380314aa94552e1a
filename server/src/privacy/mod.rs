//! The data subject's rights over what Carillon holds about them: access and
//! portability (`export`), erasure (`erasure`), and their own choices (`preferences`).

pub mod erasure;
pub mod export;
pub mod preferences;

pub use export::Privacy;
