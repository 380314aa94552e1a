//! Which column of the file feeds which contact field: the mapping a user chose, checked
//! against the header, and a first guess for the wizard from the column names.

use crate::consents::MAX_WORDING;
use app::model::{Channel, ImportMapping};
use std::collections::BTreeMap;

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
    pub consents: Vec<(Channel, usize)>,
    /// Channels whose every row with an address comes in granted, on a declared basis.
    pub declared: Vec<Channel>,
    pub width: usize,
}

pub fn column_map(
    mapping: &ImportMapping,
    header: &[String],
) -> Result<ColumnMap, BTreeMap<String, String>> {
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
        if let Some(i) = find(
            format!("mapping.consents.{}", channel.as_str()),
            &Some(column.clone()),
        ) {
            map.consents.push((*channel, i));
        }
    }
    for (channel, declared) in &mapping.lawful_bases {
        let field = format!("mapping.lawful_bases.{}", channel.as_str());
        match declaration_error(mapping, *channel, &declared.wording) {
            Some(why) => drop(errors.insert(field, why)),
            None => map.declared.push(*channel),
        }
    }
    for (channel, wording) in &mapping.consent_wording {
        let field = format!("mapping.consent_wording.{}", channel.as_str());
        if !mapping.consents.contains_key(channel) {
            let why = format!("no consent column is mapped for {}", channel.as_str());
            errors.insert(field, why);
        } else if wording.len() > MAX_WORDING {
            errors.insert(field, too_long());
        }
    }
    if mapping.email.is_none() && mapping.phone.is_none() {
        errors.insert(
            "mapping".into(),
            "map a column to `email` or to `phone` (or both)".into(),
        );
    }
    if errors.is_empty() {
        Ok(map)
    } else {
        Err(errors)
    }
}

/// Why a lawful basis declared for `channel` cannot stand, if it cannot.
fn declaration_error(mapping: &ImportMapping, channel: Channel, wording: &str) -> Option<String> {
    let ch = channel.as_str();
    if channel == Channel::Push {
        Some(
            "push consent comes from each device's opt-in: declare a basis for email or sms".into(),
        )
    } else if mapping.consents.contains_key(&channel) {
        Some(format!(
            "declare either a consent column or a lawful basis for {ch}, not both"
        ))
    } else if wording.trim().is_empty() {
        Some("say what the people were told: the consent text, the terms of the contract or the notice of legitimate interest".into())
    } else if wording.len() > MAX_WORDING {
        Some(too_long())
    } else {
        None
    }
}

fn too_long() -> String {
    format!("the wording has at most {} KiB", MAX_WORDING / 1024)
}

/// A first guess for the import wizard, from usual column names (English and French).
pub fn suggest_mapping(header: &[String]) -> ImportMapping {
    let mut m = ImportMapping::default();
    for h in header {
        let key: String = h
            .to_lowercase()
            .chars()
            .map(fold_accent)
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let slot = match key.as_str() {
            "email" | "emailaddress" | "mail" | "courriel" | "adressemail" => &mut m.email,
            "phone" | "phonenumber" | "mobile" | "telephone" | "tel" | "portable" | "cellphone" => {
                &mut m.phone
            }
            "firstname" | "givenname" | "prenom" => &mut m.first_name,
            "lastname" | "surname" | "familyname" | "nom" | "name" => &mut m.last_name,
            "locale" | "language" | "lang" | "langue" => &mut m.locale,
            "timezone" | "tz" | "fuseauhoraire" => &mut m.time_zone,
            _ => {
                let consent = ["consent", "optin", "subscribed"]
                    .iter()
                    .any(|w| key.contains(w));
                let channel = Channel::ALL.into_iter().find(|c| key.contains(c.as_str()));
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

    #[test]
    fn mappings_are_checked_against_the_header() {
        let header: Vec<String> = ["E-mail", "Prénom", "Nom", "SMS opt-in", "Company"]
            .map(String::from)
            .to_vec();
        let m = suggest_mapping(&header);
        assert_eq!(m.email.as_deref(), Some("E-mail"));
        assert_eq!(m.first_name.as_deref(), Some("Prénom"));
        assert_eq!(m.last_name.as_deref(), Some("Nom"));
        assert_eq!(
            m.consents.get(&Channel::Sms).map(String::as_str),
            Some("SMS opt-in")
        );
        assert_eq!(m.attributes, ["Company"]);
        let map = column_map(&m, &header).unwrap();
        assert_eq!(
            (map.email, map.first_name, map.width),
            (Some(0), Some(1), 5)
        );
        assert_eq!(map.consents, [(Channel::Sms, 3)]);

        let bad = ImportMapping {
            phone: Some("Mobile".into()),
            ..Default::default()
        };
        assert!(column_map(&bad, &header)
            .unwrap_err()
            .contains_key("mapping.phone"));
        let none = ImportMapping {
            first_name: Some("Prénom".into()),
            ..Default::default()
        };
        assert!(column_map(&none, &header)
            .unwrap_err()
            .contains_key("mapping"));
    }
}
