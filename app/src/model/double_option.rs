//! `Option<Option<T>>` fields of PATCH bodies: an absent field (`None`) leaves the value
//! as it is, `null` (`Some(None)`) clears it, a value (`Some(Some(v))`) sets it. Use with
//! `#[serde(default, with = "super::double_option", skip_serializing_if = "Option::is_none")]`
//! so that a serialized patch reads back the same.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

pub fn serialize<T: Serialize, S: Serializer>(
    v: &Option<Option<T>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(inner) => inner.serialize(s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, with = "super", skip_serializing_if = "Option::is_none")]
        name: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_stay_apart() {
        for (json, patch) in [
            ("{}", Patch { name: None }),
            (r#"{"name":null}"#, Patch { name: Some(None) }),
            (
                r#"{"name":"Ada"}"#,
                Patch {
                    name: Some(Some("Ada".into())),
                },
            ),
        ] {
            assert_eq!(
                serde_json::from_str::<Patch>(json).unwrap(),
                patch,
                "{json}"
            );
            assert_eq!(serde_json::to_string(&patch).unwrap(), json);
        }
    }
}
