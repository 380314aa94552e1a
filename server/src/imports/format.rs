//! The CSV dialect we accept and the checks run while an upload streams in: UTF-8 only,
//! no binary, bounded lines, a header line, `,` or `;` detected from that header.

/// Longest physical line accepted. A contact row is a few hundred bytes; this leaves
/// room for generous custom attributes while keeping a hostile file from growing a
/// single record without bound.
pub const MAX_LINE_BYTES: usize = 64 * 1024;
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Streaming validation of an upload, fed chunk by chunk.
#[derive(Debug, Default)]
pub struct Sniffer {
    /// The bytes of a UTF-8 sequence cut by the chunk boundary (at most 3).
    pending: Vec<u8>,
    line_len: usize,
    newlines: u64,
    header: Vec<u8>,
    header_done: bool,
    last_byte: Option<u8>,
    bytes: u64,
}

/// What an upload turned out to be.
#[derive(Debug, Clone)]
pub struct Sniffed {
    pub delimiter: u8,
    pub header: Vec<String>,
    /// Lines after the header (an estimate when quoted fields span lines).
    pub data_lines: u64,
}

impl Sniffer {
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), String> {
        if chunk.is_empty() {
            return Ok(());
        }
        if memchr::memchr(0, chunk).is_some() {
            return Err("this looks like a binary file, not a CSV text file".into());
        }
        self.check_utf8(chunk)?;
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', chunk) {
            self.line_len += nl - start;
            self.end_line(&chunk[start..nl])?;
            start = nl + 1;
        }
        let rest = &chunk[start..];
        self.line_len += rest.len();
        if !self.header_done {
            self.header.extend_from_slice(rest);
        }
        if self.line_len > MAX_LINE_BYTES {
            return Err(format!(
                "line {} is longer than {} KiB",
                self.newlines + 1,
                MAX_LINE_BYTES / 1024
            ));
        }
        self.last_byte = chunk.last().copied();
        self.bytes += chunk.len() as u64;
        Ok(())
    }

    fn end_line(&mut self, tail: &[u8]) -> Result<(), String> {
        if self.line_len > MAX_LINE_BYTES {
            return Err(format!(
                "line {} is longer than {} KiB",
                self.newlines + 1,
                MAX_LINE_BYTES / 1024
            ));
        }
        if !self.header_done {
            self.header.extend_from_slice(tail);
            self.header_done = true;
        }
        self.newlines += 1;
        self.line_len = 0;
        Ok(())
    }

    fn check_utf8(&mut self, chunk: &[u8]) -> Result<(), String> {
        let joined;
        let bytes = if self.pending.is_empty() {
            chunk
        } else {
            joined = [self.pending.as_slice(), chunk].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => self.pending.clear(),
            // A sequence cut at the end of the chunk: complete it with the next one.
            Err(e) if e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4 => {
                self.pending = bytes[e.valid_up_to()..].to_vec();
            }
            Err(_) => {
                return Err(format!(
                    "line {} is not valid UTF-8: save the file as UTF-8 and upload it again",
                    self.newlines + 1
                ))
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<Sniffed, String> {
        if !self.pending.is_empty() {
            return Err("the file ends in the middle of a UTF-8 character".into());
        }
        if self.bytes == 0 {
            return Err("the file is empty".into());
        }
        let lines = self.newlines + u64::from(self.last_byte != Some(b'\n'));
        let (delimiter, header) = parse_header(&self.header)?;
        Ok(Sniffed {
            delimiter,
            header,
            data_lines: lines.saturating_sub(1),
        })
    }
}

/// The header line's delimiter and column names.
pub fn parse_header(line: &[u8]) -> Result<(u8, Vec<String>), String> {
    let line = line.strip_prefix(BOM).unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err("the first line must be a header naming the columns".into());
    }
    let delimiter = detect_delimiter(line);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(line);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        _ => return Err("the header line cannot be read as CSV".into()),
    }
    let header: Vec<String> = record.iter().map(|h| h.trim().to_owned()).collect();
    if header.iter().any(String::is_empty) {
        return Err("every column needs a name in the header line".into());
    }
    let mut seen = std::collections::HashSet::new();
    if let Some(dup) = header.iter().find(|h| !seen.insert(h.as_str())) {
        return Err(format!("the header names the column `{dup}` twice"));
    }
    Ok((delimiter, header))
}

/// `;` when the header has more semicolons than commas outside quotes, else `,`.
pub fn detect_delimiter(header: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0usize, 0usize, false);
    for b in header {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sniff(chunks: &[&[u8]]) -> Result<Sniffed, String> {
        let mut s = Sniffer::default();
        for c in chunks {
            s.feed(c)?;
        }
        s.finish()
    }

    #[test]
    fn delimiters_and_headers() {
        let s = sniff(&[b"email;first name;\"a;b\"\r\nx@y.org;Ada;1\n"]).unwrap();
        assert_eq!(s.delimiter, b';');
        assert_eq!(s.header, ["email", "first name", "a;b"]);
        assert_eq!(s.data_lines, 1);
        let s = sniff(&[b"\xEF\xBB\xBFemail,\"x;y\",phone\na,b,c\nd,e,f"]).unwrap();
        assert_eq!(
            (s.delimiter, s.header[0].as_str(), s.data_lines),
            (b',', "email", 2)
        );
    }

    #[test]
    fn utf8_split_across_chunks_is_fine_but_invalid_utf8_is_not() {
        let text = "prénom,email\nÉlodie,e@x.org\n".as_bytes();
        let (a, b) = text.split_at(3); // cuts the `é`
        assert!(sniff(&[a, b]).is_ok());
        let latin1 = b"pr\xe9nom,email\n";
        assert!(sniff(&[latin1]).unwrap_err().contains("UTF-8"));
        assert!(sniff(&[b"email\n\xC3"]).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn binary_empty_headerless_and_long_lines_are_refused() {
        assert!(sniff(&[b"PK\x03\x04\x00\x00"])
            .unwrap_err()
            .contains("binary"));
        assert!(sniff(&[]).unwrap_err().contains("empty"));
        assert!(sniff(&[b"\n\na,b\n"]).unwrap_err().contains("header"));
        assert!(sniff(&[b"a,,b\n"]).unwrap_err().contains("name"));
        assert!(sniff(&[b"a,a\n"]).unwrap_err().contains("twice"));
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        assert!(sniff(&[b"email\n", &long[..10], &long[10..]])
            .unwrap_err()
            .contains("line 2 is longer"));
    }
}
