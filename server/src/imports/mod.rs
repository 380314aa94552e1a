//! CSV import of contacts: streamed, in the background, with progress and a report.
//!
//! The upload is checked while it streams to `<data dir>/imports/<id>.csv` (never whole
//! in memory), then a background task applies it batch by batch. The file stays until
//! the import ends, so an interrupted import resumes from its last committed line.

mod apply;
mod bulk;
mod dedup;
mod format;
mod mapping;
mod matched;
mod prepare;
mod reader;
mod report;
mod runner;
pub(crate) mod shape;
mod upload;

pub use upload::{Upload, PREVIEW_BYTES};

use crate::crypto::Cipher;
use sea_orm::DatabaseConnection;
use std::{path::PathBuf, sync::Arc, time::Duration};
use uuid::Uuid;

/// Largest accepted upload (the REST API and the wizard's plain-form post): about ten
/// million contact rows.
pub const UPLOAD_MAX_BYTES: usize = 1024 * 1024 * 1024;

/// How often to look for imports whose runner died.
const SWEEP_EVERY: Duration = Duration::from_secs(30);

pub struct Imports {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    dir: PathBuf,
}

impl Inner {
    fn file_path(&self, id: Uuid) -> PathBuf {
        self.dir.join(format!("{id}.csv"))
    }
}

impl Imports {
    /// `dir` holds uploads until they are processed. When called inside a Tokio runtime,
    /// starts the sweeper that resumes interrupted imports.
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>, dir: PathBuf) -> Self {
        let inner = Arc::new(Inner { db, cipher, dir });
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(sweep(inner.clone()));
        }
        Self { inner }
    }

    /// Resumes interrupted imports now (the sweeper does it periodically).
    pub async fn resume_interrupted(&self) -> crate::error::ServiceResult<()> {
        runner::resume_orphans(self.inner.clone()).await
    }
}

async fn sweep(inner: Arc<Inner>) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        if let Err(e) = runner::resume_orphans(inner.clone()).await {
            tracing::warn!(error = ?e, "could not look for interrupted imports");
        }
    }
}
