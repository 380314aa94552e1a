//! Upload files left behind: a `.part` whose upload died with its process, or a `.csv`
//! whose import ended while its removal failed. Both hold plaintext addresses, so the
//! `import-files` job removes them, at start-up and then hourly. Only files untouched
//! for [`STALE`] (an hour) go: an upload being received is written continuously, and a
//! new import's file gets its row within moments.

use super::Inner;
use crate::{
    db::entities::import,
    jobs::{Job, Round, Stop},
};
use anyhow::Context;
use app::model::ImportStatus;
use async_trait::async_trait;
use sea_orm::EntityTrait;
use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};
use uuid::Uuid;

const STALE: Duration = Duration::from_secs(60 * 60);

pub struct FileSweep {
    pub(super) inner: Arc<Inner>,
}

#[async_trait]
impl Job for FileSweep {
    fn name(&self) -> &'static str {
        "import-files"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(3600)
    }

    async fn round(&self, _stop: &Stop) -> anyhow::Result<Round> {
        sweep(&self.inner, SystemTime::now() - STALE).await?;
        Ok(Round::Idle)
    }
}

/// Removes the leftovers last modified before `before`.
async fn sweep(inner: &Inner, before: SystemTime) -> anyhow::Result<()> {
    let mut entries = match tokio::fs::read_dir(&inner.dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("Failed to read {}", inner.dir.display())),
    };
    while let Some(entry) = entries.next_entry().await? {
        let path = entry.path();
        // A file may go while this looks (its import ended, its upload was renamed).
        let modified = match entry.metadata().await.and_then(|m| m.modified()) {
            Ok(modified) => modified,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e.into()),
        };
        if modified >= before {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let leftover = if name.ends_with(".part") {
            true
        } else if let Some(id) = name
            .strip_suffix(".csv")
            .and_then(|s| s.parse::<Uuid>().ok())
        {
            let row = import::Entity::find_by_id(id).one(&inner.db).await?;
            row.is_none_or(|r| {
                [
                    ImportStatus::Completed.as_str(),
                    ImportStatus::Failed.as_str(),
                ]
                .contains(&r.status.as_str())
            })
        } else {
            false
        };
        if leftover {
            match tokio::fs::remove_file(&path).await {
                Ok(()) => tracing::info!(file = %path.display(), "removed a leftover upload file"),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("Failed to remove {}", path.display()))
                }
            }
        }
    }
    Ok(())
}
