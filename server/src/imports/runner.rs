//! The background run of an import, as the `imports` job: a round claims one queued
//! import (or one whose runner died: its lease expired) and runs it. A blocking reader
//! thread (`reader`) prepares rows; this task writes them batch by batch, one
//! transaction each, recording the last committed line so a later run resumes after it.

use super::{
    apply::Batch,
    bulk::NewContacts,
    dedup::InFile,
    matched::Matched,
    prepare::{candidates, Prepared},
    reader::{batch_rows, Msg, Reader, QUEUE},
    Inner,
};
use crate::{
    contacts::store,
    db::entities::import,
    error::ServiceResult,
    jobs::{self, Job, Lease, Round, Stop, Wake},
};
use anyhow::Context;
use app::model::{ImportMapping, ImportStatus};
use async_trait::async_trait;
use chrono::Utc;
use sea_orm::{sea_query::Expr, ColumnTrait, Condition, ConnectionTrait, TransactionTrait};
use std::{sync::Arc, time::Duration};

/// How long a runner holds an import without renewing it: an expired lease means it died.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(60);
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// How often an idle loop looks for imports whose runner died.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Tries per batch: a concurrent write or a dropped connection rolls a batch back whole.
const ATTEMPTS: u64 = 3;

impl jobs::Leased for import::Entity {
    const ID: import::Column = import::Column::Id;
    const LEASE_UNTIL: import::Column = import::Column::LeaseUntil;
    const LEASE_OWNER: import::Column = import::Column::LeaseOwner;
}

/// The `imports` job: one import at a time per process, so an import's memory bound is
/// the process's.
pub struct ImportJob {
    pub(super) inner: Arc<Inner>,
    pub(super) wake: Wake,
}

#[async_trait]
impl Job for ImportJob {
    fn name(&self) -> &'static str {
        "imports"
    }

    fn every(&self) -> Duration {
        SWEEP_EVERY
    }

    fn wake(&self) -> Option<Wake> {
        Some(self.wake.clone())
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        let ready = Condition::all().add(import::Column::Status.is_in([
            ImportStatus::Queued.as_str(),
            ImportStatus::Running.as_str(),
        ]));
        let mut claimed = jobs::claim::<import::Entity>(
            &self.inner.db,
            ready,
            import::Column::CreatedAt,
            1,
            LEASE,
            |update| {
                update.col_expr(
                    import::Column::Status,
                    Expr::value(ImportStatus::Running.as_str()),
                )
            },
        )
        .await
        .context("Failed to claim an import")?;
        let Some((job, lease)) = claimed.pop() else {
            return Ok(Round::Idle);
        };
        if job.last_line > 1 {
            tracing::info!(import_id = %job.id, after_line = job.last_line, "resuming an interrupted import");
        }
        run(&self.inner, job, lease, stop).await;
        Ok(Round::Worked)
    }
}

/// Runs a claimed import to its end and leaves it `completed` or `failed`, unless it
/// finds that it no longer holds the import, or the process stops first (then the import
/// stays `running`, released, and the next round anywhere resumes it).
async fn run(inner: &Inner, job: import::Model, mut lease: Lease<import::Entity>, stop: &Stop) {
    let import_id = job.id;
    let mut last_line = job.last_line;
    let result = run_inner(inner, job, &mut lease, &mut last_line, stop).await;
    let (status, error) = match &result {
        Ok(()) => (ImportStatus::Completed, None),
        Err(Halt::User(msg)) => (ImportStatus::Failed, Some(msg.clone())),
        Err(Halt::Internal(e)) => {
            tracing::error!(%import_id, error = ?e, "import failed");
            (
                ImportStatus::Failed,
                Some("internal error; rows already reported were applied".to_owned()),
            )
        }
        Err(Halt::Lost) => {
            tracing::warn!(%import_id, "the import's progress is not what this runner committed; leaving it to another round");
            return;
        }
        Err(Halt::Stopping) => {
            let progress = Condition::all().add(import::Column::LastLine.eq(last_line));
            match lease.release(&inner.db, progress, |u| u).await {
                Ok(_) => {
                    tracing::info!(%import_id, last_line, "import paused for shutdown; it resumes after this line")
                }
                Err(e) => {
                    tracing::warn!(%import_id, error = ?e, "could not release an import at shutdown; its lease will expire")
                }
            }
            return;
        }
    };
    match finish(inner, lease, status, error, last_line).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(%import_id, "the import's progress moved under this runner; leaving it to another round");
            return;
        }
        Err(e) => {
            // The lease expires and a later round retries or fails it.
            tracing::error!(%import_id, error = ?e, "could not record the end of an import");
            return;
        }
    }
    let _ = tokio::fs::remove_file(inner.file_path(import_id)).await;
    tracing::info!(%import_id, status = status.as_str(), "import finished");
}

enum Halt {
    /// Something about the file; shown on the import.
    User(String),
    Internal(anyhow::Error),
    /// Another runner took the import over, or the database lost commits this runner saw
    /// succeed: the stored progress is the truth, and a later round resumes from it.
    Lost,
    /// The process is stopping: the committed batches stay, the rest waits.
    Stopping,
}

impl From<crate::error::ServiceError> for Halt {
    fn from(e: crate::error::ServiceError) -> Self {
        match e {
            crate::error::ServiceError::App(a) => Halt::User(a.to_string()),
            crate::error::ServiceError::Internal(e) => Halt::Internal(e),
        }
    }
}

impl From<sea_orm::DbErr> for Halt {
    fn from(e: sea_orm::DbErr) -> Self {
        Halt::Internal(e.into())
    }
}

/// Holds the import only while its last committed row is the one this runner committed.
fn at(expected: i64) -> Condition {
    Condition::all().add(import::Column::LastLine.eq(expected))
}

/// `last_line`: the last row this runner knows committed.
#[tracing::instrument(skip_all, fields(import_id = %job.id))]
async fn run_inner(
    inner: &Inner,
    job: import::Model,
    lease: &mut Lease<import::Entity>,
    last_line: &mut i64,
    stop: &Stop,
) -> Result<(), Halt> {
    let import_id = job.id;
    let mapping: ImportMapping =
        serde_json::from_str(&job.mapping).map_err(|e| Halt::Internal(e.into()))?;
    let region = store::region(&inner.db, job.organization_id).await?;
    let source = format!("import:{import_id}");
    let mut matched = Matched::load(&inner.db, import_id).await?;
    let keys_per_row = usize::from(mapping.email.is_some()) + usize::from(mapping.phone.is_some());
    let in_file = InFile::with_capacity(
        usize::try_from(job.rows_total)
            .unwrap_or(0)
            .saturating_mul(keys_per_row),
    );
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Msg>(QUEUE);
    let reader = Reader {
        path: inner.file_path(import_id),
        delimiter: job.delimiter.bytes().next().unwrap_or(b','),
        resume_after: job.last_line,
        batch_size: batch_rows(inner.db.get_database_backend(), mapping.consents.len()),
        mapping,
        region,
        cipher: inner.cipher.clone(),
        in_file,
    };
    let reader = tokio::task::spawn_blocking(move || {
        if let Err(msg) = reader.read(&tx) {
            let _ = tx.blocking_send(Msg::Failed(msg));
        }
    });
    let batch = Batch {
        import_id,
        organization_id: job.organization_id,
        source: &source,
        cipher: &inner.cipher,
    };
    // While the reader is busy (reading again what a crashed run applied, say), the
    // lease is renewed anyway, so no other round claims the import.
    let mut renew = tokio::time::interval(RENEW_EVERY);
    loop {
        let msg = tokio::select! {
            msg = rx.recv() => msg,
            // Dropping the receiver ends the reader thread at its next send.
            () = stop.wait() => return Err(Halt::Stopping),
            _ = renew.tick() => {
                if !lease.renew(&inner.db, at(*last_line)).await? {
                    return Err(Halt::Lost);
                }
                continue;
            }
        };
        let (rows, new) = match msg {
            None => break,
            Some(Msg::Batch(rows, new)) => (rows, *new),
            Some(Msg::Failed(why)) => return Err(Halt::User(why)),
        };
        let mut new = Some(new);
        // A dropped connection, or a contact deleted between our insert and our lookup,
        // rolls the transaction back whole; the next attempt starts the batch over.
        let mut attempt = 0;
        loop {
            attempt += 1;
            let new = new
                .take()
                .unwrap_or_else(|| NewContacts::of(candidates(&rows)));
            match write(inner, &batch, lease, *last_line, &rows, new, &mut matched).await {
                Ok(Some(committed)) => {
                    matched.commit();
                    *last_line = committed;
                    break;
                }
                Ok(None) => return Err(Halt::Lost),
                Err(e) if attempt < ATTEMPTS => {
                    matched.rollback();
                    tracing::warn!(%import_id, attempt, error = ?e, "import batch rolled back; retrying");
                    tokio::time::sleep(Duration::from_millis(500 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    reader.await.map_err(|e| Halt::Internal(e.into()))?;
    Ok(())
}

/// One batch in one transaction, after renewing the lease in it (which also locks the
/// import's row: a second runner waits, then finds the progress moved and stops); the
/// batch's last row once committed, or `None` when this runner no longer holds the import.
async fn write(
    inner: &Inner,
    batch: &Batch<'_>,
    lease: &mut Lease<import::Entity>,
    expected: i64,
    rows: &[Prepared],
    new: NewContacts,
    matched: &mut Matched,
) -> ServiceResult<Option<i64>> {
    let txn = inner.db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Without waiting for the WAL flush at commit. A database crash may then lose the
        // last batches, but whole: their rows and the progress that counts them go
        // together. The renewal notices, and the resumed run applies them again.
        // `finish` commits normally, which flushes everything before the file is removed.
        txn.execute_unprepared("SET LOCAL synchronous_commit TO OFF")
            .await?;
    }
    if !lease.renew(&txn, at(expected)).await? {
        return Ok(None);
    }
    let committed = batch.apply(&txn, rows, new, matched).await?;
    txn.commit().await?;
    Ok(Some(committed))
}

/// Records the end and releases the import; `false` when its progress is no longer
/// `last_line` or another runner holds it.
async fn finish(
    inner: &Inner,
    lease: Lease<import::Entity>,
    status: ImportStatus,
    error: Option<String>,
    last_line: i64,
) -> ServiceResult<bool> {
    let now = Utc::now();
    let released = lease
        .release(&inner.db, at(last_line), |update| {
            let update = update
                .col_expr(import::Column::Status, Expr::value(status.as_str()))
                .col_expr(import::Column::Error, Expr::value(error))
                .col_expr(import::Column::FinishedAt, Expr::value(now))
                .col_expr(import::Column::UpdatedAt, Expr::value(now));
            if status == ImportStatus::Completed {
                // Quoted fields may span lines: the count at upload was an estimate.
                update.col_expr(
                    import::Column::RowsTotal,
                    Expr::col(import::Column::RowsDone),
                )
            } else {
                update
            }
        })
        .await
        .context("Failed to finish an import")?;
    Ok(released)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entities::organization;
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};
    use uuid::Uuid;

    #[tokio::test]
    async fn a_runner_holds_the_import_only_at_the_progress_it_committed() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::connect(&format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("t.db").display()
        ))
        .await
        .unwrap();
        crate::db::migrate(&db).await.unwrap();
        let now = Utc::now();
        let org = organization::Model {
            id: Uuid::now_v7(),
            name: "Acme".into(),
            time_zone: "UTC".into(),
            default_region: "FR".into(),
            created_at: now,
            updated_at: now,
        };
        org.clone().into_active_model().insert(&db).await.unwrap();
        let job = import::Model {
            id: Uuid::now_v7(),
            organization_id: org.id,
            created_by: None,
            status: "running".into(),
            file_name: "a.csv".into(),
            delimiter: ",".into(),
            mapping: "{}".into(),
            rows_total: 10,
            rows_done: 4,
            last_line: 5,
            created: 4,
            updated: 0,
            unchanged: 0,
            skipped: 0,
            error: None,
            lease_until: None,
            lease_owner: None,
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        job.clone().into_active_model().insert(&db).await.unwrap();
        let (_, mut lease) = jobs::claim::<import::Entity>(
            &db,
            Condition::all(),
            import::Column::CreatedAt,
            1,
            LEASE,
            |u| u,
        )
        .await
        .unwrap()
        .pop()
        .expect("claimed");
        let until = lease.until;

        assert!(
            !lease.renew(&db, at(3)).await.unwrap(),
            "another runner moved the progress on"
        );
        let stored = import::Entity::find_by_id(job.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.lease_until,
            Some(until),
            "and the lease is not renewed for it"
        );
        assert!(lease.renew(&db, at(5)).await.unwrap());
        let stored = import::Entity::find_by_id(job.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.lease_until.is_some_and(|l| l >= until), "renewed");
    }
}
