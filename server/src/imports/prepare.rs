//! One CSV record → a validated, encrypted candidate contact, or the reason to skip it.
//! Pure CPU work, run on the reader thread so the database writer only writes.

use super::{format::MAX_LINE_BYTES, mapping::ColumnMap};
use crate::{
    contacts::{normalize, store},
    crypto::{Cipher, DataKey, IndexKey},
};
use app::model::{Channel, ConsentState};
use uuid::Uuid;

/// A normalized personal value: the plaintext (kept in memory only, to re-encrypt when
/// the row merges into an existing contact), its blind index, and its ciphertext for a
/// new contact.
#[derive(Debug)]
pub struct Personal {
    pub value: String,
    pub index: String,
    pub sealed_for_new: String,
}

#[derive(Debug)]
pub struct Candidate {
    pub new_id: Uuid,
    /// The wrapped data key of a new contact (empty when read for its keys only).
    pub data_key_for_new: String,
    pub email: Option<Personal>,
    pub phone: Option<Personal>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub locale: Option<String>,
    pub time_zone: Option<String>,
    /// Custom attributes, name and cell (pairs rather than a map: a batch holds thousands).
    pub attributes: Vec<(String, String)>,
    pub consents: Vec<(Channel, ConsentState)>,
}

impl Candidate {
    /// The blind indexes that identify this person.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        [&self.email, &self.phone]
            .into_iter()
            .flatten()
            .map(|p| p.index.as_str())
    }

    /// The attributes of a new contact: a JSON object.
    pub fn attributes_json(&self) -> String {
        serde_json::Value::Object(
            self.attributes
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
        .to_string()
    }
}

/// The rows of a batch that are to be applied.
pub fn candidates(rows: &[Prepared]) -> impl Iterator<Item = &Candidate> {
    rows.iter().filter_map(|r| match r {
        Prepared::Row { candidate, .. } => Some(&**candidate),
        Prepared::Skip { .. } => None,
    })
}

#[derive(Debug)]
pub enum Prepared {
    Row {
        line: i64,
        candidate: Box<Candidate>,
    },
    Skip {
        line: i64,
        reason: String,
    },
}

/// What the row is read for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// To be written: encrypted for a new contact.
    Apply,
    /// Already applied by a crashed run: only its validity and blind indexes matter
    /// (no data key, no ciphertext: `sealed_for_new` stays empty).
    Keys,
}

pub fn prepare(
    record: &csv::ByteRecord,
    line: i64,
    map: &ColumnMap,
    region: Option<phonenumber::country::Id>,
    cipher: &Cipher,
    key: &IndexKey,
    purpose: Purpose,
) -> Prepared {
    match candidate(record, map, region, cipher, key, purpose) {
        Ok(c) => Prepared::Row {
            line,
            candidate: Box::new(c),
        },
        Err(reason) => Prepared::Skip { line, reason },
    }
}

fn candidate(
    record: &csv::ByteRecord,
    map: &ColumnMap,
    region: Option<phonenumber::country::Id>,
    cipher: &Cipher,
    key: &IndexKey,
    purpose: Purpose,
) -> Result<Candidate, String> {
    if record.len() != map.width {
        return Err(format!(
            "wrong number of columns: {} instead of {}",
            record.len(),
            map.width
        ));
    }
    if record.as_slice().len() > MAX_LINE_BYTES {
        return Err("row too long".into());
    }
    let cell = |i: Option<usize>| -> Result<Option<&str>, String> {
        match i.and_then(|i| record.get(i)) {
            None => Ok(None),
            Some(raw) => std::str::from_utf8(raw)
                .map(|s| normalize::optional(Some(s)))
                .map_err(|_| "not valid UTF-8".to_owned()),
        }
    };
    let email = cell(map.email)?
        .map(normalize::normalize_email)
        .transpose()
        .map_err(|_| "invalid email".to_owned())?;
    let phone = cell(map.phone)?
        .map(|p| normalize::normalize_phone(p, region))
        .transpose()
        .map_err(|_| "invalid phone".to_owned())?;
    if email.is_none() && phone.is_none() {
        return Err("missing required field: email or phone".into());
    }
    let text = |i,
                rule: fn(&str) -> Result<String, String>,
                what: &str|
     -> Result<Option<String>, String> {
        cell(i)?
            .map(rule)
            .transpose()
            .map_err(|e| format!("invalid {what}: {e}"))
    };
    let first_name = text(map.first_name, normalize::name, "first name")?;
    let last_name = text(map.last_name, normalize::name, "last name")?;
    let locale = text(map.locale, normalize::locale, "locale")?;
    let time_zone = text(map.time_zone, normalize::time_zone, "time zone")?;
    let mut attributes = Vec::new();
    for (name, i) in &map.attributes {
        if let Some(v) = cell(Some(*i))? {
            attributes.push((name.clone(), v.to_owned()));
        }
    }
    let mut consents = Vec::new();
    for (channel, i) in &map.consents {
        let state = cell(Some(*i))?
            .map(ConsentState::parse_cell)
            .transpose()
            .map_err(|_| format!("invalid {} consent value", channel.as_str()))?
            .flatten();
        if let Some(state) = state {
            consents.push((*channel, state));
        }
    }
    for channel in &map.declared {
        let has_address = match channel {
            Channel::Email => email.is_some(),
            Channel::Sms => phone.is_some(),
            Channel::Push => false,
        };
        if has_address {
            consents.push((*channel, ConsentState::Granted));
        }
    }
    let new_id = Uuid::now_v7();
    // A new contact's own data key (see `crypto::data_key`), made here, off the writer.
    let data_key = match purpose {
        Purpose::Keys => None,
        Purpose::Apply => Some(
            store::new_data_key(cipher, new_id)
                .map_err(|_| "could not encrypt this row".to_owned())?,
        ),
    };
    let seal = |value: String,
                sealed: fn(
        &DataKey,
        &IndexKey,
        Uuid,
        &str,
    ) -> crate::error::ServiceResult<store::Sealed>,
                index: fn(&IndexKey, &str) -> String| {
        let Some((data_key, _)) = &data_key else {
            return Ok(Personal {
                index: index(key, &value),
                value,
                sealed_for_new: String::new(),
            });
        };
        sealed(data_key, key, new_id, &value)
            .map(|s| Personal {
                value,
                index: s.index,
                sealed_for_new: s.ciphertext,
            })
            .map_err(|_| "could not encrypt this row".to_owned())
    };
    let email = email
        .map(|e| seal(e, store::seal_email, store::email_index))
        .transpose()?;
    let phone = phone
        .map(|p| seal(p, store::seal_phone, store::phone_index))
        .transpose()?;
    Ok(Candidate {
        new_id,
        data_key_for_new: data_key.map(|(_, wrapped)| wrapped).unwrap_or_default(),
        email,
        phone,
        first_name,
        last_name,
        locale,
        time_zone,
        attributes,
        consents,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::imports::mapping::column_map;
    use app::model::ImportMapping;

    fn setup() -> (ColumnMap, Cipher) {
        let header: Vec<String> = ["email", "phone", "first", "tz", "plan", "sms"]
            .map(String::from)
            .to_vec();
        let mapping = ImportMapping {
            email: Some("email".into()),
            phone: Some("phone".into()),
            first_name: Some("first".into()),
            time_zone: Some("tz".into()),
            attributes: vec!["plan".into()],
            consents: [(Channel::Sms, "sms".into())].into(),
            ..Default::default()
        };
        (
            column_map(&mapping, &header).unwrap(),
            Cipher::new(&[3; 32]),
        )
    }

    pub(in crate::imports) fn run(cells: &[&str]) -> Prepared {
        let (map, cipher) = setup();
        prepare(
            &csv::ByteRecord::from(cells.to_vec()),
            2,
            &map,
            normalize::region("FR"),
            &cipher,
            &cipher.index_key(Uuid::nil()),
            Purpose::Apply,
        )
    }

    fn reason(p: Prepared) -> String {
        match p {
            Prepared::Skip { reason, .. } => reason,
            Prepared::Row { .. } => panic!("expected a skip"),
        }
    }

    #[test]
    fn a_good_row_is_normalized_and_encrypted() {
        let Prepared::Row { candidate: c, line } = run(&[
            " Ada@Example.org ",
            "06 12 34 56 78",
            "Ada",
            "Europe/Paris",
            "gold",
            "yes",
        ]) else {
            panic!("expected a row")
        };
        assert_eq!(line, 2);
        let email = c.email.unwrap();
        assert_eq!(email.value, "ada@example.org");
        assert!(!email.sealed_for_new.contains("ada"));
        assert_eq!(c.phone.unwrap().value, "+33612345678");
        assert_eq!(c.first_name.as_deref(), Some("Ada"));
        assert_eq!(c.attributes, [("plan".to_owned(), "gold".to_owned())]);
        assert_eq!(c.consents, [(Channel::Sms, ConsentState::Granted)]);
    }

    #[test]
    fn rows_read_again_for_their_keys_are_not_encrypted() {
        let (map, cipher) = setup();
        let key = cipher.index_key(Uuid::nil());
        let cells = csv::ByteRecord::from(vec!["ada@example.org", "", "Ada", "", "", ""]);
        let (
            Prepared::Row {
                candidate: applied, ..
            },
            Prepared::Row {
                candidate: keys, ..
            },
        ) = (
            prepare(&cells, 2, &map, None, &cipher, &key, Purpose::Apply),
            prepare(&cells, 2, &map, None, &cipher, &key, Purpose::Keys),
        )
        else {
            panic!("expected rows")
        };
        assert_eq!(
            keys.keys().collect::<Vec<_>>(),
            applied.keys().collect::<Vec<_>>()
        );
        assert!(keys.email.unwrap().sealed_for_new.is_empty());
    }

    #[test]
    fn each_rejection_has_its_reason() {
        assert_eq!(reason(run(&["nope", "", "", "", "", ""])), "invalid email");
        assert_eq!(reason(run(&["", "12", "", "", "", ""])), "invalid phone");
        assert!(reason(run(&["", "", "Ada", "", "", ""])).starts_with("missing required field"));
        assert!(
            reason(run(&["a@b.org", "", "", "Mars/Base", "", ""])).starts_with("invalid time zone")
        );
        assert_eq!(
            reason(run(&["a@b.org", "", "", "", "", "maybe"])),
            "invalid sms consent value"
        );
        assert!(reason(run(&["a@b.org", ""])).starts_with("wrong number of columns"));
    }
}
