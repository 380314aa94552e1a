//! The background run of an import: a blocking reader thread (`reader`) prepares rows;
//! this task writes them batch by batch, one transaction each, recording the last
//! committed line so a new run resumes after it.

use super::{
    apply::Batch,
    bulk::NewContacts,
    dedup::InFile,
    matched::Matched,
    prepare::{candidates, Prepared},
    reader::{batch_rows, Msg, Reader, QUEUE},
    Inner,
};
use crate::{contacts::store, db::entities::import, error::ServiceResult};
use anyhow::Context;
use app::model::{ImportMapping, ImportStatus};
use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait,
};
use std::sync::Arc;
use uuid::Uuid;

/// How long a runner holds an import without renewing it: an expired lease means it died.
pub const LEASE: chrono::Duration = chrono::Duration::seconds(60);
const RENEW_EVERY: std::time::Duration = std::time::Duration::from_secs(20);
/// Tries per batch: a concurrent write or a dropped connection rolls a batch back whole.
const ATTEMPTS: u64 = 3;

/// Runs the import to its end and leaves it `completed` or `failed`, unless it finds
/// that it no longer holds the import (see `hold`).
pub async fn run(inner: Arc<Inner>, import_id: Uuid) {
    let mut last_line = None;
    let result = run_inner(&inner, import_id, &mut last_line).await;
    let (status, error) = match &result {
        Ok(()) => (ImportStatus::Completed, None),
        Err(Stop::User(msg)) => (ImportStatus::Failed, Some(msg.clone())),
        Err(Stop::Internal(e)) => {
            tracing::error!(%import_id, error = ?e, "import failed");
            (
                ImportStatus::Failed,
                Some("internal error; rows already reported were applied".to_owned()),
            )
        }
        Err(Stop::Lost) => {
            tracing::warn!(%import_id, "the import's progress is not what this runner committed; leaving it to the sweeper");
            return;
        }
    };
    match finish(&inner, import_id, status, error, last_line).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(%import_id, "the import's progress moved under this runner; leaving it to the sweeper");
            return;
        }
        Err(e) => {
            // The lease expires and the sweeper retries or fails it.
            tracing::error!(%import_id, error = ?e, "could not record the end of an import");
            return;
        }
    }
    let _ = tokio::fs::remove_file(inner.file_path(import_id)).await;
    tracing::info!(%import_id, status = status.as_str(), "import finished");
}

enum Stop {
    /// Something about the file; shown on the import.
    User(String),
    Internal(anyhow::Error),
    /// Another runner took the import over, or the database lost commits this runner saw
    /// succeed: the stored progress is the truth, and the sweeper resumes from it.
    Lost,
}

impl From<crate::error::ServiceError> for Stop {
    fn from(e: crate::error::ServiceError) -> Self {
        match e {
            crate::error::ServiceError::App(a) => Stop::User(a.to_string()),
            crate::error::ServiceError::Internal(e) => Stop::Internal(e),
        }
    }
}

impl From<sea_orm::DbErr> for Stop {
    fn from(e: sea_orm::DbErr) -> Self {
        Stop::Internal(e.into())
    }
}

/// `last_line`: the last row this runner knows committed, once it has read the import.
#[tracing::instrument(skip(inner, last_line))]
async fn run_inner(
    inner: &Arc<Inner>,
    import_id: Uuid,
    last_line: &mut Option<i64>,
) -> Result<(), Stop> {
    let job = import::Entity::find_by_id(import_id)
        .one(&inner.db)
        .await?
        .ok_or_else(|| Stop::User("the import vanished".into()))?;
    *last_line = Some(job.last_line);
    let mapping: ImportMapping =
        serde_json::from_str(&job.mapping).map_err(|e| Stop::Internal(e.into()))?;
    let region = store::region(&inner.db, job.organization_id).await?;
    let source = format!("import:{import_id}");
    import::Entity::update_many()
        .col_expr(
            import::Column::Status,
            Expr::value(ImportStatus::Running.as_str()),
        )
        .col_expr(import::Column::LeaseUntil, Expr::value(Utc::now() + LEASE))
        .filter(import::Column::Id.eq(import_id))
        .exec(&inner.db)
        .await?;
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
    // lease is renewed anyway, so the sweeper does not start a second runner.
    let mut renew = tokio::time::interval(RENEW_EVERY);
    let mut expected = job.last_line;
    loop {
        let msg = tokio::select! {
            msg = rx.recv() => msg,
            _ = renew.tick() => {
                if !hold(&inner.db, import_id, expected).await? {
                    return Err(Stop::Lost);
                }
                continue;
            }
        };
        let (rows, new) = match msg {
            None => break,
            Some(Msg::Batch(rows, new)) => (rows, *new),
            Some(Msg::Failed(why)) => return Err(Stop::User(why)),
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
            match write(inner, &batch, expected, &rows, new, &mut matched).await {
                Ok(Some(committed)) => {
                    matched.commit();
                    (expected, *last_line) = (committed, Some(committed));
                    break;
                }
                Ok(None) => return Err(Stop::Lost),
                Err(e) if attempt < ATTEMPTS => {
                    matched.rollback();
                    tracing::warn!(%import_id, attempt, error = ?e, "import batch rolled back; retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(500 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    reader.await.map_err(|e| Stop::Internal(e.into()))?;
    Ok(())
}

/// One batch in one transaction, after `hold`; the batch's last row once committed, or
/// `None` when this runner no longer holds the import.
async fn write(
    inner: &Inner,
    batch: &Batch<'_>,
    expected: i64,
    rows: &[Prepared],
    new: NewContacts,
    matched: &mut Matched,
) -> ServiceResult<Option<i64>> {
    let txn = inner.db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        // Without waiting for the WAL flush at commit. A database crash may then lose the
        // last batches, but whole: their rows and the progress that counts them go
        // together. `hold` notices, and the resumed run applies them again. `finish`
        // commits normally, which flushes everything before the file is removed.
        txn.execute_unprepared("SET LOCAL synchronous_commit TO OFF")
            .await?;
    }
    if !hold(&txn, batch.import_id, expected).await? {
        return Ok(None);
    }
    let committed = batch.apply(&txn, rows, new, matched).await?;
    txn.commit().await?;
    Ok(Some(committed))
}

/// Renews the lease, but only while the import's last committed row is the one this
/// runner committed. Inside a batch's transaction the update also locks the import's
/// row: a second runner waits, then finds the progress moved and stops.
async fn hold(db: &impl ConnectionTrait, import_id: Uuid, expected: i64) -> ServiceResult<bool> {
    let held = import::Entity::update_many()
        .col_expr(import::Column::LeaseUntil, Expr::value(Utc::now() + LEASE))
        .filter(import::Column::Id.eq(import_id))
        .filter(import::Column::LastLine.eq(expected))
        .exec(db)
        .await?;
    Ok(held.rows_affected == 1)
}

/// `false` when the import's progress is no longer `last_line` (another runner holds it).
async fn finish(
    inner: &Inner,
    import_id: Uuid,
    status: ImportStatus,
    error: Option<String>,
    last_line: Option<i64>,
) -> ServiceResult<bool> {
    let now = Utc::now();
    let mut update = import::Entity::update_many()
        .col_expr(import::Column::Status, Expr::value(status.as_str()))
        .col_expr(import::Column::Error, Expr::value(error))
        .col_expr(
            import::Column::LeaseUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(import::Column::FinishedAt, Expr::value(now))
        .col_expr(import::Column::UpdatedAt, Expr::value(now));
    if status == ImportStatus::Completed {
        // Quoted fields may span lines: the count at upload was an estimate.
        update = update.col_expr(
            import::Column::RowsTotal,
            Expr::col(import::Column::RowsDone),
        );
    }
    let mut update = update.filter(import::Column::Id.eq(import_id));
    if let Some(line) = last_line {
        update = update.filter(import::Column::LastLine.eq(line));
    }
    Ok(update
        .exec(&inner.db)
        .await
        .context("Failed to finish an import")?
        .rows_affected
        == 1)
}

/// Claims imports whose runner died (lease expired) and runs them again from their last
/// committed line. Called at start-up and then periodically.
pub async fn resume_orphans(inner: Arc<Inner>) -> ServiceResult<()> {
    let now = Utc::now();
    let orphans = import::Entity::find()
        .filter(import::Column::Status.is_in([
            ImportStatus::Queued.as_str(),
            ImportStatus::Running.as_str(),
        ]))
        .filter(
            sea_orm::Condition::any()
                .add(import::Column::LeaseUntil.is_null())
                .add(import::Column::LeaseUntil.lt(now)),
        )
        .all(&inner.db)
        .await?;
    for job in orphans {
        // Atomic claim: of several instances, one wins.
        let claimed = import::Entity::update_many()
            .col_expr(
                import::Column::Status,
                Expr::value(ImportStatus::Running.as_str()),
            )
            .col_expr(import::Column::LeaseUntil, Expr::value(now + LEASE))
            .filter(import::Column::Id.eq(job.id))
            .filter(
                sea_orm::Condition::any()
                    .add(import::Column::LeaseUntil.is_null())
                    .add(import::Column::LeaseUntil.lt(now)),
            )
            .exec(&inner.db)
            .await?
            .rows_affected
            == 1;
        if claimed {
            tracing::info!(import_id = %job.id, after_line = job.last_line, "resuming an interrupted import");
            tokio::spawn(run(inner.clone(), job.id));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entities::organization;
    use sea_orm::{ActiveModelTrait, IntoActiveModel};

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
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        job.clone().into_active_model().insert(&db).await.unwrap();

        assert!(
            !hold(&db, job.id, 3).await.unwrap(),
            "another runner moved the progress on"
        );
        let stored = import::Entity::find_by_id(job.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            stored.lease_until, None,
            "and the lease is not renewed for it"
        );
        assert!(hold(&db, job.id, 5).await.unwrap());
        let stored = import::Entity::find_by_id(job.id)
            .one(&db)
            .await
            .unwrap()
            .unwrap();
        assert!(stored.lease_until.is_some_and(|l| l > now), "renewed");
    }
}
