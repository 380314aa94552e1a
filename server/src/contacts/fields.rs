//! Validation of the API's contact input into canonical values, all errors at once.

use super::normalize;
use app::{
    error::AppError,
    model::{ContactInput, ContactPatch, FieldErrors},
};
use serde_json::{Map, Value};

/// A change to one optional field (no change at all is `None` around it).
#[derive(Clone, Debug, PartialEq)]
pub enum Change<T> {
    Clear,
    Set(T),
}

/// Canonical values ready to store (email lower-cased, phone E.164, ...).
#[derive(Debug, Default)]
pub struct Validated {
    pub email: Option<Change<String>>,
    pub phone: Option<Change<String>>,
    pub first_name: Option<Change<String>>,
    pub last_name: Option<Change<String>>,
    pub locale: Option<Change<String>>,
    pub time_zone: Option<Change<String>>,
}

const ATTRIBUTES_MAX_BYTES: usize = 16 * 1024;

fn check(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<Option<String>>,
    rule: impl Fn(&str) -> Result<String, String>,
) -> Option<Change<String>> {
    match value {
        None => None,
        Some(v) => match normalize::optional(v.as_deref()) {
            None => Some(Change::Clear),
            Some(raw) => match rule(raw) {
                Ok(ok) => Some(Change::Set(ok)),
                Err(e) => {
                    errors.insert(field.to_owned(), e);
                    None
                }
            },
        },
    }
}

fn validate(
    patch: ContactPatch,
    region: Option<phonenumber::country::Id>,
) -> Result<Validated, FieldErrors> {
    let mut errors = FieldErrors::new();
    let v = Validated {
        email: check(
            &mut errors,
            "email",
            patch.email,
            normalize::normalize_email,
        ),
        phone: check(&mut errors, "phone", patch.phone, |p| {
            normalize::normalize_phone(p, region)
        }),
        first_name: check(&mut errors, "first_name", patch.first_name, normalize::name),
        last_name: check(&mut errors, "last_name", patch.last_name, normalize::name),
        locale: check(&mut errors, "locale", patch.locale, normalize::locale),
        time_zone: check(
            &mut errors,
            "time_zone",
            patch.time_zone,
            normalize::time_zone,
        ),
    };
    if let Some(attrs) = &patch.attributes {
        if serde_json::to_vec(attrs).map_or(true, |b| b.len() > ATTRIBUTES_MAX_BYTES) {
            errors.insert(
                "attributes".into(),
                format!("at most {} KiB of attributes", ATTRIBUTES_MAX_BYTES / 1024),
            );
        }
    }
    if errors.is_empty() {
        Ok(v)
    } else {
        Err(errors)
    }
}

pub fn validate_input(
    input: &ContactInput,
    region: Option<phonenumber::country::Id>,
) -> Result<Validated, AppError> {
    let as_patch = ContactPatch {
        email: Some(input.email.clone()),
        phone: Some(input.phone.clone()),
        first_name: Some(input.first_name.clone()),
        last_name: Some(input.last_name.clone()),
        locale: Some(input.locale.clone()),
        time_zone: Some(input.time_zone.clone()),
        attributes: input.attributes.clone(),
        ..Default::default()
    };
    let v = validate(as_patch, region).map_err(AppError::fields)?;
    let has = |c: &Option<Change<String>>| matches!(c, Some(Change::Set(_)));
    if !has(&v.email) && !has(&v.phone) {
        return Err(AppError::fields(FieldErrors::from([
            (
                "email".to_owned(),
                "an email or a phone number is required".to_owned(),
            ),
            (
                "phone".to_owned(),
                "an email or a phone number is required".to_owned(),
            ),
        ])));
    }
    Ok(v)
}

pub fn validate_patch(
    patch: &ContactPatch,
    region: Option<phonenumber::country::Id>,
) -> Result<Validated, AppError> {
    validate(patch.clone(), region).map_err(AppError::fields)
}

/// Merges `changes` into `current`: a `null` value removes the key.
pub fn merge_attributes(current: &mut Map<String, Value>, changes: &Map<String, Value>) {
    for (k, v) in changes {
        if v.is_null() {
            current.remove(k);
        } else {
            current.insert(k.clone(), v.clone());
        }
    }
}

/// The new value of a plain optional column after `change`.
pub fn apply(current: Option<String>, change: &Option<Change<String>>) -> Option<String> {
    match change {
        None => current,
        Some(Change::Clear) => None,
        Some(Change::Set(v)) => Some(v.clone()),
    }
}
