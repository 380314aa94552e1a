//! The background run of an import, as the `imports` job: a round claims one queued
//! import (or one whose runner died: its lease expired) and runs it. A blocking reader
//! thread (`reader`) prepares rows; this task writes them batch by batch, one
//! transaction each, recording the last committed line so a later run resumes after it.

use super::{
    apply::Batch,
    basis::Bases,
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
/// Imports a process runs side by side on PostgreSQL; each holds at most a few batches
/// in memory.
const IMPORTS_AT_ONCE: usize = 2;
/// Tries per batch: a concurrent write or a dropped connection rolls a batch back whole.
const ATTEMPTS: u64 = 3;

impl jobs::Leased for import::Entity {
    const ID: import::Column = import::Column::Id;
    const LEASE_UNTIL: import::Column = import::Column::LeaseUntil;
    const LEASE_OWNER: import::Column = import::Column::LeaseOwner;
}

/// The `imports` job: at most [`IMPORTS_AT_ONCE`] imports at a time per process, new
/// uploads of this process first.
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

    fn loops(&self) -> usize {
        // SQLite has one writer: a second import would only wait for the first's
        // batches (and time out claiming).
        match self.inner.db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => 1,
            _ => IMPORTS_AT_ONCE,
        }
    }

    async fn round(&self, stop: &Stop) -> anyhow::Result<Round> {
        if stop.requested() {
            return Ok(Round::Idle);
        }
        let reserved = self
            .inner
            .handoff
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop_front();
        let (job, lease) = match reserved {
            Some(claimed) => claimed,
            None => {
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
                    |update| update,
                )
                .await
                .context("Failed to claim an import")?;
                let Some(claimed) = claimed.pop() else {
                    return Ok(Round::Idle);
                };
                claimed
            }
        };
        if job.last_line > 1 {
            tracing::info!(import_id = %job.id, after_line = job.last_line, "resuming an interrupted import");
        }
        Ok(run(&self.inner, job, lease, stop).await)
    }
}

/// Runs a claimed import to its end and leaves it `completed` or `failed`, unless it
/// finds that it no longer holds the import, or the process stops first (then the import
/// stays `running`, released, and the next round anywhere resumes it: `Round::Idle`).
async fn run(
    inner: &Inner,
    job: import::Model,
    mut lease: Lease<import::Entity>,
    stop: &Stop,
) -> Round {
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
            return Round::Worked;
        }
        Err(Halt::Stopping) => {
            match lease.release(&inner.db, at(last_line), |u| u).await {
                Ok(_) => {
                    tracing::info!(%import_id, last_line, "import paused for shutdown; it resumes after this line")
                }
                Err(e) => {
                    tracing::warn!(%import_id, error = ?e, "could not release an import at shutdown; its lease will expire")
                }
            }
            return Round::Idle;
        }
    };
    match finish(inner, lease, status, error, last_line).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(%import_id, "the import's progress moved under this runner; leaving it to another round");
            return Round::Worked;
        }
        Err(e) => {
            // The lease expires and a later round retries or fails it.
            tracing::error!(%import_id, error = ?e, "could not record the end of an import");
            return Round::Worked;
        }
    }
    let _ = tokio::fs::remove_file(inner.file_path(import_id)).await;
    tracing::info!(%import_id, status = status.as_str(), "import finished");
    Round::Worked
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
    let running = |update: sea_orm::UpdateMany<import::Entity>| {
        update.col_expr(
            import::Column::Status,
            Expr::value(ImportStatus::Running.as_str()),
        )
    };
    if !lease
        .renew_with(&inner.db, at(job.last_line), running)
        .await?
    {
        return Err(Halt::Lost);
    }
    let mapping: ImportMapping =
        serde_json::from_str(&job.mapping).map_err(|e| Halt::Internal(e.into()))?;
    let region = store::region(&inner.db, job.organization_id).await?;
    let bases = Bases::of(import_id, &mapping);
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
        batch_size: batch_rows(
            inner.db.get_database_backend(),
            mapping.consents.len() + mapping.lawful_bases.len(),
        ),
        mapping,
        region,
        index_key: inner.cipher.index_key(job.organization_id),
        cipher: inner.cipher.clone(),
        in_file,
    };
    let reader = tokio::task::spawn_blocking(move || {
        if let Err(msg) = reader.read(&tx) {
            let _ = tx.blocking_send(Msg::Failed(msg));
        }
    });
    let index_key = inner.cipher.index_key(job.organization_id);
    let batch = Batch {
        import_id,
        organization_id: job.organization_id,
        bases: &bases,
        cipher: &inner.cipher,
        index_key: &index_key,
    };
    // While the reader is busy (reading again what a crashed run applied, say), the
    // lease is renewed anyway, so no other round claims the import.
    let mut renew = tokio::time::interval(RENEW_EVERY);
    loop {
        let msg = tokio::select! {
            // A shutdown comes first; dropping the receiver ends the reader thread at its
            // next send.
            biased;
            () = stop.wait() => return Err(Halt::Stopping),
            msg = rx.recv() => msg,
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
    use crate::{
        crypto::Cipher,
        db::entities::{contact, organization},
    };
    use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};
    use std::{collections::VecDeque, sync::Mutex};
    use uuid::Uuid;

    /// A migrated SQLite database with one organization, in `dir`.
    async fn setup(dir: &std::path::Path) -> (Arc<Inner>, Uuid) {
        let db = crate::db::connect(&format!("sqlite://{}?mode=rwc", dir.join("t.db").display()))
            .await
            .unwrap();
        crate::db::migrate(&db).await.unwrap();
        let now = Utc::now();
        let org = organization::Model {
            id: Uuid::now_v7(),
            name: "Acme".into(),
            time_zone: "UTC".into(),
            default_region: "FR".into(),
            tracking: true,
            created_at: now,
            updated_at: now,
        };
        org.clone().into_active_model().insert(&db).await.unwrap();
        let inner = Arc::new(Inner {
            db,
            cipher: Arc::new(Cipher::new(&[7; 32])),
            dir: dir.join("imports"),
            handoff: Mutex::new(VecDeque::new()),
        });
        (inner, org.id)
    }

    /// A queued import of `rows_total` rows whose file holds `csv`.
    async fn queue(
        inner: &Inner,
        organization_id: Uuid,
        csv: &str,
        rows_total: i64,
    ) -> import::Model {
        let now = Utc::now();
        let job = import::Model {
            id: Uuid::now_v7(),
            organization_id,
            created_by: None,
            status: "queued".into(),
            file_name: "a.csv".into(),
            delimiter: ",".into(),
            mapping: r#"{"email":"email"}"#.into(),
            rows_total,
            rows_done: 0,
            last_line: 1,
            created: 0,
            updated: 0,
            unchanged: 0,
            skipped: 0,
            no_consent_email: 0,
            no_consent_sms: 0,
            error: None,
            lease_until: None,
            lease_owner: None,
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        std::fs::create_dir_all(&inner.dir).unwrap();
        std::fs::write(inner.file_path(job.id), csv).unwrap();
        job.into_active_model().insert(&inner.db).await.unwrap()
    }

    async fn claim_one(inner: &Inner) -> (import::Model, Lease<import::Entity>) {
        jobs::claim::<import::Entity>(
            &inner.db,
            Condition::all(),
            import::Column::CreatedAt,
            1,
            LEASE,
            |u| u,
        )
        .await
        .unwrap()
        .pop()
        .expect("claimed")
    }

    #[tokio::test]
    async fn a_runner_holds_the_import_only_at_the_progress_it_committed() {
        let dir = tempfile::tempdir().unwrap();
        let (inner, org) = setup(dir.path()).await;
        let job = queue(&inner, org, "email\n", 0).await;
        import::Entity::update_many()
            .col_expr(import::Column::LastLine, Expr::value(5))
            .exec(&inner.db)
            .await
            .unwrap();
        let (_, mut lease) = claim_one(&inner).await;
        let claimed_until = lease.until;

        assert!(
            !lease.renew(&inner.db, at(3)).await.unwrap(),
            "another runner moved the progress on"
        );
        let stored = import::Entity::find_by_id(job.id)
            .one(&inner.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.lease_until,
            Some(claimed_until),
            "and the lease is not renewed for it"
        );
        assert!(lease.renew(&inner.db, at(5)).await.unwrap());
        let stored = import::Entity::find_by_id(job.id)
            .one(&inner.db)
            .await
            .unwrap()
            .unwrap();
        assert!(lease.until > claimed_until, "renewed");
        assert_eq!(stored.lease_until, Some(lease.until));
    }

    /// Stopped while it runs, an import keeps what it committed and hands the rest back;
    /// run again, it ends with every row once.
    #[tokio::test]
    async fn an_import_stopped_by_a_shutdown_resumes_without_losing_or_repeating_a_row() {
        let dir = tempfile::tempdir().unwrap();
        let (inner, org) = setup(dir.path()).await;
        let rows = 5_000;
        let mut csv = String::from("email\n");
        for i in 0..rows {
            csv.push_str(&format!("p{i}@example.org\n"));
        }
        let job = queue(&inner, org, &csv, rows).await;

        let (claimed, lease) = claim_one(&inner).await;
        assert_eq!(
            run(&inner, claimed, lease, &Stop::requested_now()).await,
            Round::Idle
        );
        let paused = import::Entity::find_by_id(job.id)
            .one(&inner.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(paused.status, "running", "not finished: {paused:?}");
        assert_eq!(
            (paused.lease_owner, paused.lease_until),
            (None, None),
            "handed back"
        );
        assert!(paused.last_line < rows + 1, "stopped before the end");
        assert!(
            inner.file_path(job.id).exists(),
            "the file stays for the resume"
        );

        let (claimed, lease) = claim_one(&inner).await;
        assert_eq!(
            run(&inner, claimed, lease, &Stop::default()).await,
            Round::Worked
        );
        let done = import::Entity::find_by_id(job.id)
            .one(&inner.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (done.status.as_str(), done.created, done.rows_done),
            ("completed", rows, rows)
        );
        let stored = contact::Entity::find()
            .filter(contact::Column::OrganizationId.eq(org))
            .count(&inner.db)
            .await
            .unwrap();
        assert_eq!(stored, 5_000);
        assert!(!inner.file_path(job.id).exists());
    }
}
