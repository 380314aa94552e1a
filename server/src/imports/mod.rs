//! CSV import of contacts: streamed, in the background, with progress and a report.
//!
//! The upload is checked while it streams to `<data dir>/imports/<id>.csv` (never whole
//! in memory), then the `imports` background job applies it batch by batch. The file stays until
//! the import ends, so an interrupted import resumes from its last committed line.

mod apply;
mod basis;
mod bounded;
mod bulk;
mod dedup;
mod files;
mod format;
mod mapping;
mod matched;
mod prepare;
mod reader;
mod report;
mod runner;
mod upload;

pub use upload::{MappingPart, Upload, PREVIEW_BYTES};

use crate::{
    crypto::Cipher,
    db::entities::import,
    jobs::{Lease, Wake},
};
use sea_orm::DatabaseConnection;
use std::{
    collections::VecDeque,
    path::PathBuf,
    sync::{Arc, Mutex},
};
use uuid::Uuid;

/// Largest accepted upload (the REST API and the wizard's plain-form post): about ten
/// million contact rows.
pub const UPLOAD_MAX_BYTES: usize = 1024 * 1024 * 1024;

pub struct Imports {
    inner: Arc<Inner>,
    /// Rung when an upload is queued, so the `imports` job starts it at once.
    wake: Wake,
}

pub(crate) struct Inner {
    db: DatabaseConnection,
    cipher: Arc<Cipher>,
    dir: PathBuf,
    /// Uploads this process received and claimed: its own loops run them first, since the
    /// file is here (another instance only gets one whose lease expired).
    handoff: Mutex<VecDeque<(import::Model, Lease<import::Entity>)>>,
}

impl Inner {
    fn file_path(&self, id: Uuid) -> PathBuf {
        self.dir.join(format!("{id}.csv"))
    }
}

impl Imports {
    /// `dir` holds uploads until they are processed. Starts nothing: the work is done by
    /// the job from [`Imports::job`].
    pub fn new(db: DatabaseConnection, cipher: Arc<Cipher>, dir: PathBuf) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                cipher,
                dir,
                handoff: Mutex::new(VecDeque::new()),
            }),
            wake: Wake::default(),
        }
    }

    /// The background job that removes upload files left behind.
    pub fn file_sweep(&self) -> files::FileSweep {
        files::FileSweep {
            inner: self.inner.clone(),
        }
    }

    /// The background job that runs queued imports and resumes interrupted ones.
    pub fn job(&self) -> runner::ImportJob {
        runner::ImportJob {
            inner: self.inner.clone(),
            wake: self.wake.clone(),
        }
    }
}
