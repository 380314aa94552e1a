//! Receiving an upload: streamed to disk through the format checks, then queued.

use super::{
    format::Sniffer,
    mapping::{column_map, suggest_mapping},
    runner, Imports,
};
use crate::{
    audit::{self, Entry},
    auth::require,
    db::entities::import,
    error::ServiceResult,
    jobs,
};
use anyhow::Context;
use app::{
    error::AppError,
    model::{Action, Actor, ImportDto, ImportMapping, ImportPreview, ImportStatus},
};
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, Set, TransactionTrait};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// The preview reads at most this much of the file.
pub const PREVIEW_BYTES: usize = 256 * 1024;
const PREVIEW_ROWS: usize = 5;
const MAPPING_MAX_BYTES: usize = 64 * 1024;

/// An upload being received. Dropped before [`Imports::start`] succeeds, it removes its file.
pub struct Upload {
    id: Uuid,
    path: PathBuf,
    file: Option<tokio::io::BufWriter<tokio::fs::File>>,
    sniffer: Sniffer,
    file_name: Option<String>,
    error: Option<String>,
}

impl Upload {
    pub fn set_file_name(&mut self, name: Option<&str>) {
        let name: String = name
            .unwrap_or("upload.csv")
            .chars()
            .filter(|c| !c.is_control())
            .take(255)
            .collect();
        self.file_name = Some(name);
    }

    /// Checks and stores one chunk. Once the content is refused, the rest is only drained,
    /// so the client gets its 422 instead of a reset connection.
    pub async fn write(&mut self, chunk: &[u8]) -> ServiceResult<()> {
        if self.error.is_some() {
            return Ok(());
        }
        if let Err(e) = self.sniffer.feed(chunk) {
            self.error = Some(e);
            return Ok(());
        }
        if let Some(f) = self.file.as_mut() {
            f.write_all(chunk)
                .await
                .context("Failed to store an upload")?;
        }
        Ok(())
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        // After a successful start the file was renamed and this finds nothing.
        let path = std::mem::take(&mut self.path);
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => drop(rt.spawn_blocking(move || std::fs::remove_file(path))),
            Err(_) => drop(std::fs::remove_file(path)),
        }
    }
}

impl Imports {
    pub async fn begin_upload(&self, actor: &Actor) -> ServiceResult<Upload> {
        require(actor, Action::ContactsWrite)?;
        let id = Uuid::now_v7();
        tokio::fs::create_dir_all(&self.inner.dir)
            .await
            .with_context(|| format!("Failed to create {}", self.inner.dir.display()))?;
        let path = self.inner.dir.join(format!("{id}.part"));
        let file = tokio::fs::File::create(&path)
            .await
            .with_context(|| format!("Failed to create {}", path.display()))?;
        Ok(Upload {
            id,
            path,
            file: Some(tokio::io::BufWriter::new(file)),
            sniffer: Sniffer::default(),
            file_name: None,
            error: None,
        })
    }

    #[tracing::instrument(skip_all, fields(organization_id = %actor.organization_id))]
    pub async fn start(
        &self,
        actor: &Actor,
        mut upload: Upload,
        mapping: Option<String>,
    ) -> ServiceResult<ImportDto> {
        require(actor, Action::ContactsWrite)?;
        let Some(file_name) = upload.file_name.clone() else {
            return Err(AppError::field("file", "attach the CSV file as the `file` part").into());
        };
        if let Some(e) = upload.error.take() {
            return Err(AppError::field("file", e).into());
        }
        let sniffed = std::mem::take(&mut upload.sniffer)
            .finish()
            .map_err(|e| AppError::field("file", e))?;
        let mapping = parse_mapping(mapping)?;
        column_map(&mapping, &sniffed.header).map_err(AppError::fields)?;
        if let Some(mut f) = upload.file.take() {
            f.flush().await.context("Failed to store an upload")?;
            f.into_inner()
                .sync_all()
                .await
                .context("Failed to store an upload")?;
        }
        let final_path = self.inner.file_path(upload.id);
        tokio::fs::rename(&upload.path, &final_path)
            .await
            .context("Failed to store an upload")?;
        let now = Utc::now();
        let row = import::ActiveModel {
            id: Set(upload.id),
            organization_id: Set(actor.organization_id),
            created_by: Set(Some(actor.user_id)),
            status: Set(ImportStatus::Queued.as_str().to_owned()),
            file_name: Set(file_name),
            delimiter: Set((sniffed.delimiter as char).to_string()),
            mapping: Set(serde_json::to_string(&mapping).map_err(anyhow::Error::new)?),
            rows_total: Set(i64::try_from(sniffed.data_lines).unwrap_or(i64::MAX)),
            rows_done: Set(0),
            last_line: Set(1),
            created: Set(0),
            updated: Set(0),
            unchanged: Set(0),
            skipped: Set(0),
            no_consent_email: Set(0),
            no_consent_sms: Set(0),
            error: Set(None),
            lease_until: Set(None),
            lease_owner: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            finished_at: Set(None),
        };
        let saved = match self.insert_audited(actor, row, sniffed.data_lines).await {
            Ok(saved) => saved,
            Err(e) => {
                let _ = tokio::fs::remove_file(&final_path).await;
                return Err(e);
            }
        };
        tracing::info!(import_id = %saved.id, rows = sniffed.data_lines, "import queued");
        self.reserve(saved.id).await;
        self.wake.ring();
        super::report::to_dto(saved)
    }

    /// The queued import and its audit line, together.
    async fn insert_audited(
        &self,
        actor: &Actor,
        row: import::ActiveModel,
        rows: u64,
    ) -> ServiceResult<import::Model> {
        let txn = self.inner.db.begin().await?;
        let saved = row.insert(&txn).await?;
        // The file's name may be personal ("customers-of-jane.csv"): the line has the id.
        audit::record(
            &txn,
            Entry::by(actor, "import.started", "import", saved.id)
                .with(serde_json::json!({"rows": rows, "mapping": serde_json::from_str::<serde_json::Value>(&saved.mapping).unwrap_or_default()})),
        )
        .await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Claims a new upload for this process, whose disk holds the file, and hands it to
    /// the `imports` job's loops here. Should that fail, the import stays queued, for any
    /// round to claim.
    async fn reserve(&self, import_id: Uuid) {
        let only = Condition::all().add(import::Column::Id.eq(import_id));
        let claim = jobs::claim::<import::Entity>(
            &self.inner.db,
            only,
            import::Column::CreatedAt,
            1,
            runner::LEASE,
            |update| update,
        );
        match claim.await {
            Ok(claimed) => self
                .inner
                .handoff
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend(claimed),
            Err(e) => {
                tracing::warn!(%import_id, error = ?e, "could not reserve a new import; it waits for any instance")
            }
        }
    }

    /// Delimiter, header, first rows and a suggested mapping, from the start of a file.
    pub async fn preview(
        &self,
        actor: &Actor,
        head: &[u8],
        truncated: bool,
    ) -> ServiceResult<ImportPreview> {
        require(actor, Action::ContactsWrite)?;
        let mut sniffer = Sniffer::default();
        // A cut file may end inside a line or a character: keep whole lines only.
        let usable = if truncated {
            head.iter()
                .rposition(|b| *b == b'\n')
                .map_or(head, |i| &head[..=i])
        } else {
            head
        };
        sniffer
            .feed(usable)
            .map_err(|e| AppError::field("file", e))?;
        let sniffed = sniffer.finish().map_err(|e| AppError::field("file", e))?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(sniffed.delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(usable);
        let rows = reader
            .records()
            .take(PREVIEW_ROWS)
            .map(|r| r.map(|rec| rec.iter().map(str::to_owned).collect::<Vec<_>>()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::field("file", "the first rows cannot be read as CSV"))?;
        Ok(ImportPreview {
            delimiter: (sniffed.delimiter as char).to_string(),
            suggested_mapping: suggest_mapping(&sniffed.header),
            header: sniffed.header,
            rows,
        })
    }
}

/// The `mapping` part of an upload, bounded while it arrives: a part past
/// [`MAPPING_MAX_BYTES`] is refused at its first chunk over, never held whole.
#[derive(Default)]
pub struct MappingPart(Vec<u8>);

impl MappingPart {
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        if self.0.len() + chunk.len() > MAPPING_MAX_BYTES {
            return Err(AppError::field(
                "mapping",
                format!("the mapping has at most {} KiB", MAPPING_MAX_BYTES / 1024),
            ));
        }
        self.0.extend_from_slice(chunk);
        Ok(())
    }

    /// The mapping's text; `None` when the part was empty.
    pub fn finish(self) -> Result<Option<String>, AppError> {
        let text = String::from_utf8(self.0)
            .map_err(|_| AppError::field("mapping", "the mapping is not UTF-8 text"))?;
        Ok(Some(text).filter(|t| !t.trim().is_empty()))
    }
}

fn parse_mapping(raw: Option<String>) -> ServiceResult<ImportMapping> {
    let raw = raw.ok_or_else(|| {
        AppError::field(
            "mapping",
            "send the column mapping as the `mapping` part (JSON)",
        )
    })?;
    serde_json::from_str(&raw)
        .map_err(|e| AppError::field("mapping", format!("invalid mapping JSON: {e}")).into())
}
