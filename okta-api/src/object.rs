//! How a generated struct reads a JSON object: one pass over its properties,
//! each known one into its slot, every other kept in `additional_properties`.
//!
//! The generated `Deserialize` impls are a `match` on the property name that
//! calls these; being generic over the value's type only, each is compiled
//! once per field type rather than once per struct.

use std::collections::BTreeMap;

use serde::de::{self, Deserialize, MapAccess, Visitor};
use serde_json::{Map, Value};

/// A property name, borrowed from the input when the input allows.
pub enum Key<'de> {
    /// Borrowed from the input (no escapes in it).
    Borrowed(&'de str),
    /// Unescaped, or read from an owned value.
    Owned(String),
}

impl Key<'_> {
    /// The name.
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(name) => name,
            Key::Owned(name) => name,
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Borrowed(name) => name.to_owned(),
            Key::Owned(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> Visitor<'de> for Name {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a property name")
            }
            fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(name))
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(name.to_owned()))
            }
            fn visit_string<E: de::Error>(self, name: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(name))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// Reads a known property's value into its slot; a property that comes
/// twice is an error, as with serde's derive.
pub fn field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// A required property's value, or serde's `missing field` error.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Keeps a property the struct does not know, or one a tolerant decode set
/// aside, under its own name.
pub fn extra<'de, A: MapAccess<'de>>(
    map: &mut A,
    extras: &mut Map<String, Value>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let name = crate::tolerant::restored(key.into_string());
    extras.insert(name, map.next_value()?);
    Ok(())
}

/// Keeps a property the struct does not know, where the spec gives the type
/// of such properties.
pub fn typed_extra<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    extras: &mut BTreeMap<String, T>,
    key: Key<'de>,
) -> Result<(), A::Error> {
    extras.insert(key.into_string(), map.next_value()?);
    Ok(())
}
