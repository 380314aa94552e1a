//! The CSV dialect we accept and the checks run while an upload streams in: UTF-8 only,
//! no binary, bounded lines, a header line, `,` or `;` detected from that header.

use app::model::{ConsentChannel, ImportMapping};
use std::collections::BTreeMap;

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
            return Err(format!("line {} is longer than {} KiB", self.newlines + 1, MAX_LINE_BYTES / 1024));
        }
        self.last_byte = chunk.last().copied();
        self.bytes += chunk.len() as u64;
        Ok(())
    }

    fn end_line(&mut self, tail: &[u8]) -> Result<(), String> {
        if self.line_len > MAX_LINE_BYTES {
            return Err(format!("line {} is longer than {} KiB", self.newlines + 1, MAX_LINE_BYTES / 1024));
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
            Err(_) => return Err(format!("line {} is not valid UTF-8: save the file as UTF-8 and upload it again", self.newlines + 1)),
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
        Ok(Sniffed { delimiter, header, data_lines: lines.saturating_sub(1) })
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
    let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).has_headers(false).from_reader(line);
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

/// Column positions for each contact field, checked against the header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnMap {
    pub email: Option<usize>,
    pub phone: Option<usize>,
    pub first_name: Option<usize>,
    pub last_name: Option<usize>,
    pub locale: Option<usize>,
    pub time_zone: Option<usize>,
    pub attributes: Vec<(String, usize)>,
    pub consents: Vec<(ConsentChannel, usize)>,
    pub width: usize,
}

pub fn column_map(mapping: &ImportMapping, header: &[String]) -> Result<ColumnMap, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let mut find = |field: String, column: &Option<String>| -> Option<usize> {
        let name = column.as_deref().map(str::trim).filter(|c| !c.is_empty())?;
        let pos = header.iter().position(|h| h == name);
        if pos.is_none() {
            errors.insert(field, format!("the file has no column `{name}`"));
        }
        pos
    };
    let mut map = ColumnMap {
        email: find("mapping.email".into(), &mapping.email),
        phone: find("mapping.phone".into(), &mapping.phone),
        first_name: find("mapping.first_name".into(), &mapping.first_name),
        last_name: find("mapping.last_name".into(), &mapping.last_name),
        locale: find("mapping.locale".into(), &mapping.locale),
        time_zone: find("mapping.time_zone".into(), &mapping.time_zone),
        width: header.len(),
        ..ColumnMap::default()
    };
    for name in &mapping.attributes {
        if let Some(i) = find("mapping.attributes".into(), &Some(name.clone())) {
            map.attributes.push((name.trim().to_owned(), i));
        }
    }
    for (channel, column) in &mapping.consents {
        if let Some(i) = find(format!("mapping.consents.{}", channel.as_str()), &Some(column.clone())) {
            map.consents.push((*channel, i));
        }
    }
    if mapping.email.is_none() && mapping.phone.is_none() {
        errors.insert("mapping".into(), "map a column to `email` or to `phone` (or both)".into());
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(errors)
    }
}

/// A first guess for the import wizard, from usual column names (English and French).
pub fn suggest_mapping(header: &[String]) -> ImportMapping {
    let mut m = ImportMapping::default();
    for h in header {
        let key: String = h.to_lowercase().chars().map(fold_accent).filter(char::is_ascii_alphanumeric).collect();
        let slot = match key.as_str() {
            "email" | "emailaddress" | "mail" | "courriel" | "adressemail" => &mut m.email,
            "phone" | "phonenumber" | "mobile" | "telephone" | "tel" | "portable" | "cellphone" => &mut m.phone,
            "firstname" | "givenname" | "prenom" => &mut m.first_name,
            "lastname" | "surname" | "familyname" | "nom" | "name" => &mut m.last_name,
            "locale" | "language" | "lang" | "langue" => &mut m.locale,
            "timezone" | "tz" | "fuseauhoraire" => &mut m.time_zone,
            _ => {
                let consent = ["consent", "optin", "subscribed"].iter().any(|w| key.contains(w));
                let channel = ConsentChannel::ALL.into_iter().find(|c| key.contains(c.as_str()));
                match (consent, channel) {
                    (true, Some(c)) if !m.consents.contains_key(&c) => {
                        m.consents.insert(c, h.clone());
                    }
                    _ => m.attributes.push(h.clone()),
                }
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(h.clone());
        } else {
            m.attributes.push(h.clone());
        }
    }
    m
}

/// Enough of Unicode folding for French and German column names.
fn fold_accent(c: char) -> char {
    match c {
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'à' | 'â' | 'ä' => 'a',
        'î' | 'ï' => 'i',
        'ô' | 'ö' => 'o',
        'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        _ => c,
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
        assert_eq!((s.delimiter, s.header[0].as_str(), s.data_lines), (b',', "email", 2));
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
        assert!(sniff(&[b"PK\x03\x04\x00\x00"]).unwrap_err().contains("binary"));
        assert!(sniff(&[]).unwrap_err().contains("empty"));
        assert!(sniff(&[b"\n\na,b\n"]).unwrap_err().contains("header"));
        assert!(sniff(&[b"a,,b\n"]).unwrap_err().contains("name"));
        assert!(sniff(&[b"a,a\n"]).unwrap_err().contains("twice"));
        let long = vec![b'x'; MAX_LINE_BYTES + 1];
        assert!(sniff(&[b"email\n", &long[..10], &long[10..]]).unwrap_err().contains("line 2 is longer"));
    }

    #[test]
    fn mappings_are_checked_against_the_header() {
        let header: Vec<String> = ["E-mail", "Prénom", "Nom", "SMS opt-in", "Company"].map(String::from).to_vec();
        let m = suggest_mapping(&header);
        assert_eq!(m.email.as_deref(), Some("E-mail"));
        assert_eq!(m.first_name.as_deref(), Some("Prénom"));
        assert_eq!(m.last_name.as_deref(), Some("Nom"));
        assert_eq!(m.consents.get(&ConsentChannel::Sms).map(String::as_str), Some("SMS opt-in"));
        assert_eq!(m.attributes, ["Company"]);
        let map = column_map(&m, &header).unwrap();
        assert_eq!((map.email, map.first_name, map.width), (Some(0), Some(1), 5));
        assert_eq!(map.consents, [(ConsentChannel::Sms, 3)]);

        let bad = ImportMapping { phone: Some("Mobile".into()), ..Default::default() };
        assert!(column_map(&bad, &header).unwrap_err().contains_key("mapping.phone"));
        let none = ImportMapping { first_name: Some("Prénom".into()), ..Default::default() };
        assert!(column_map(&none, &header).unwrap_err().contains_key("mapping"));
    }
}
