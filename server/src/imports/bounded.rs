//! Keeps every CSV record the parser sees under [`ROW_MAX_BYTES`]. A quoted cell may span
//! lines, so one record can be as long as the file, and the parser would hold it whole.
//! This reader sits between the file and the parser and follows the record structure
//! the parser follows (fields, quotes, doubled quotes, line ends). Once a record passes
//! the bound, it closes the open quote, ends the record with a NUL byte (which no upload
//! holds: they are refused at upload) and skips the rest of the record: the parser sees
//! one short record for it, and the import reports that row and goes on.

use std::io::{self, Read};

/// The longest row an import reads.
pub const ROW_MAX_BYTES: usize = 64 * 1024;

/// A NUL byte in a parsed record: its row was cut at [`ROW_MAX_BYTES`].
pub const CUT: u8 = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the field's end, or the first of a doubled quote.
    QuoteInQuoted,
}

pub struct BoundedRecords<R> {
    inner: R,
    delimiter: u8,
    max: usize,
    state: State,
    /// Bytes of the current record passed on.
    len: usize,
    /// Skipping the rest of a cut record.
    skipping: bool,
    /// What is ready to be passed on.
    pending: Vec<u8>,
    buffer: Vec<u8>,
}

impl<R: Read> BoundedRecords<R> {
    pub fn new(inner: R, delimiter: u8) -> Self {
        Self::with_max(inner, delimiter, ROW_MAX_BYTES)
    }

    fn with_max(inner: R, delimiter: u8, max: usize) -> Self {
        BoundedRecords {
            inner,
            delimiter,
            max,
            state: State::FieldStart,
            len: 0,
            skipping: false,
            pending: Vec::new(),
            buffer: vec![0; 64 * 1024],
        }
    }

    /// Moves the record structure on by one byte; true when the byte ends a record.
    fn step(&mut self, b: u8) -> bool {
        let (next, ends) = match (self.state, b) {
            (State::Quoted, b'"') => (State::QuoteInQuoted, false),
            (State::Quoted, _) => (State::Quoted, false),
            (State::QuoteInQuoted, b'"') => (State::Quoted, false),
            // Like the csv parser: `\n`, `\r` and `\r\n` each end a record.
            (_, b'\n' | b'\r') => (State::FieldStart, true),
            (_, b) if b == self.delimiter => (State::FieldStart, false),
            (State::FieldStart, b'"') => (State::Quoted, false),
            _ => (State::Unquoted, false),
        };
        self.state = next;
        ends
    }
}

impl<R: Read> Read for BoundedRecords<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        loop {
            if !self.pending.is_empty() {
                let n = self.pending.len().min(out.len());
                out[..n].copy_from_slice(&self.pending[..n]);
                self.pending.drain(..n);
                return Ok(n);
            }
            let want = out.len().min(self.buffer.len());
            let read = self.inner.read(&mut self.buffer[..want])?;
            if read == 0 {
                return Ok(0);
            }
            for i in 0..read {
                let b = self.buffer[i];
                let in_quotes = self.state == State::Quoted;
                let ends = self.step(b);
                if self.skipping {
                    if ends {
                        self.skipping = false;
                        self.len = 0;
                    }
                    continue;
                }
                if !ends && self.len >= self.max {
                    // Cut here: close the quote, mark the record, end it, skip the rest.
                    if in_quotes {
                        self.pending.push(b'"');
                    }
                    self.pending.extend_from_slice(&[CUT, b'\n']);
                    self.skipping = true;
                    continue;
                }
                self.pending.push(b);
                self.len = if ends { 0 } else { self.len + 1 };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(input: &str, max: usize) -> Vec<Vec<String>> {
        let reader = BoundedRecords::with_max(input.as_bytes(), b',', max);
        csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader)
            .byte_records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).replace('\0', "<CUT>"))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_bare_carriage_return_ends_a_record_for_both() {
        // csv reads `x`, ends the record at `\r`, then opens a quote at the next field.
        let input = format!("email\nx\r\"{}", "short line\n".repeat(10_000));
        let rows = pass(&input, 1000);
        assert_eq!(rows.len(), 3, "{:?}", &rows[..2]);
        assert!(rows[2][0].ends_with("<CUT>") && rows[2][0].len() < 1100);
    }

    #[test]
    fn short_records_pass_untouched() {
        let input = "a,b\n\"multi\nline\",\"say \"\"hi\"\"\"\n5\" screen,x\r\nlast,row\rmac,line";
        let direct: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input.as_bytes())
            .byte_records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned())
                    .collect()
            })
            .collect();
        assert_eq!(pass(input, 1000), direct);
    }

    #[test]
    fn a_long_record_is_cut_once_and_the_rest_goes_on() {
        let long_quoted = format!("\"{}\n{}\"", "x".repeat(30), "y".repeat(30));
        let input = format!(
            "a,b\n{long_quoted},tail\nnext,row\n{},z\nend,row\n",
            "u".repeat(50)
        );
        let rows = pass(&input, 20);
        assert_eq!(rows.len(), 5, "{rows:?}");
        assert_eq!(rows[0], ["a", "b"]);
        assert!(rows[1].last().unwrap().ends_with("<CUT>"), "{rows:?}");
        assert_eq!(rows[2], ["next", "row"]);
        assert!(rows[3].last().unwrap().ends_with("<CUT>"), "{rows:?}");
        assert_eq!(rows[4], ["end", "row"]);
        assert!(rows.iter().flatten().all(|f| f.len() <= 25));
    }

    #[test]
    fn a_file_that_is_one_open_quote_stays_bounded() {
        let input = format!("a,b\n\"{}", "z\n".repeat(100_000));
        let rows = pass(&input, 1000);
        assert_eq!(rows.len(), 2);
        assert!(rows[1][0].ends_with("<CUT>") && rows[1][0].len() < 1100);
    }
}
