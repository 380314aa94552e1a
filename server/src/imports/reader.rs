//! The reader thread of an import: streams the stored file through the CSV parser,
//! prepares rows (validated, encrypted, indexed, duplicates in the file marked) and hands
//! them to the writer a batch at a time, the new contacts already laid out as columns.

use super::{
    bounded::{BoundedRecords, CUT, ROW_MAX_BYTES},
    bulk::NewContacts,
    dedup::InFile,
    mapping::column_map,
    prepare::{candidates, prepare, Prepared, Purpose},
};
use crate::crypto::{Cipher, IndexKey};
use app::model::ImportMapping;
use std::{io::Read, path::PathBuf, sync::Arc};

/// Rows per transaction: large enough to amortize round trips and commits, small enough
/// to bound memory. On SQLite also under its bound-parameter limit (32,766) for the
/// multi-row statements (contacts: 13 columns a row; consents: 5 a channel); PostgreSQL
/// gets arrays (see `bulk`), except where rows merge into existing contacts: 4,096 rows
/// of 13 columns, or 8,192 consent rows of 5, stay under its limit of 65,535. A power
/// of two, like every bulk statement's row count (see `db::shape`).
pub fn batch_rows(backend: sea_orm::DbBackend, channels: usize) -> usize {
    if backend == sea_orm::DbBackend::Postgres {
        return 4096;
    }
    let rows = (32_766 / 13.max(5 * channels)).min(4096);
    1 << (usize::BITS - 1 - rows.leading_zeros())
}

/// Prepared batches waiting for the writer; bounds memory whatever the file size. One is
/// enough: preparing a batch takes less time than writing one.
pub const QUEUE: usize = 1;

pub enum Msg {
    /// Rows, and the new contacts among them as columns.
    Batch(Vec<Prepared>, Box<NewContacts>),
    Failed(String),
}

pub struct Reader {
    pub path: PathBuf,
    pub delimiter: u8,
    /// The last row a crashed run committed: rows up to it are read for their keys only.
    pub resume_after: i64,
    pub batch_size: usize,
    pub mapping: ImportMapping,
    pub region: Option<phonenumber::country::Id>,
    pub cipher: Arc<Cipher>,
    /// The organization's blind-index key.
    pub index_key: IndexKey,
    pub in_file: InFile,
}

impl Reader {
    /// Never holds more than one batch plus the queue in memory.
    pub fn read(mut self, tx: &tokio::sync::mpsc::Sender<Msg>) -> Result<(), String> {
        let mut file = std::fs::File::open(&self.path)
            .map_err(|_| "the uploaded file is no longer available; upload it again".to_owned())?;
        // Skip a UTF-8 byte-order mark (spreadsheet exports add one) without losing line numbers.
        let mut head = [0u8; 3];
        let n = file.read(&mut head).map_err(|e| e.to_string())?;
        let prefix = if head[..n] == *b"\xEF\xBB\xBF" {
            &head[..0]
        } else {
            &head[..n]
        };
        let source = BoundedRecords::new(
            std::io::BufReader::with_capacity(256 * 1024, prefix.chain(file)),
            self.delimiter,
        );
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(true)
            .from_reader(source);
        let header: Vec<String> = reader
            .headers()
            .map_err(|_| "the header line cannot be read".to_owned())?
            .iter()
            .map(|h| h.trim().to_owned())
            .collect();
        let map = column_map(&self.mapping, &header)
            .map_err(|errors| format!("the mapping does not fit the file: {errors:?}"))?;
        let mut record = csv::ByteRecord::new();
        let mut batch = Vec::with_capacity(self.batch_size);
        let send = |batch: Vec<Prepared>| {
            let new = Box::new(NewContacts::of(candidates(&batch)));
            tx.blocking_send(Msg::Batch(batch, new)).is_ok()
        };
        // Rows are numbered as a spreadsheet shows them (the header is row 1), whatever the
        // line breaks inside quoted cells; csv's own line positions drift on CRLF files.
        let mut row: i64 = 1;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => row += 1,
                Err(_) => {
                    return Err(format!(
                        "the file stopped being readable CSV after row {row}"
                    ))
                }
            }
            // Rows a crashed run applied are read again only for what they tell of later rows.
            let applied_before = row <= self.resume_after;
            let purpose = if applied_before {
                Purpose::Keys
            } else {
                Purpose::Apply
            };
            let prepared = if record.iter().any(|f| f.contains(&CUT)) {
                Prepared::Skip {
                    line: row,
                    reason: format!("the row is longer than {} KiB", ROW_MAX_BYTES / 1024),
                }
            } else {
                self.in_file.check(prepare(
                    &record,
                    row,
                    &map,
                    self.region,
                    &self.cipher,
                    &self.index_key,
                    purpose,
                ))
            };
            if !applied_before {
                batch.push(prepared);
            }
            if batch.len() == self.batch_size
                && !send(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(self.batch_size),
                ))
            {
                return Ok(()); // the writer stopped; it records why
            }
        }
        if !batch.is_empty() {
            send(batch);
        }
        Ok(())
    }
}
