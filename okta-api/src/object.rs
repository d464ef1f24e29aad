//! How a generated struct reads a JSON object: one pass over its properties,
//! each known one into its slot, every other kept in `additional_properties`.
//!
//! A generated struct implements [`FromObject`]: a `match` on the property
//! name that calls the [`Properties`] methods, which, generic over the
//! value's type only, are compiled once per field type rather than once per
//! struct.

use std::collections::BTreeMap;
use std::marker::PhantomData;

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

/// A generated struct, read from a JSON object in one pass; its
/// `Deserialize` is [`object`].
pub trait FromObject: Sized {
    /// What serde's errors say was expected: `struct <Name>`.
    const EXPECTING: &'static str;

    /// Reads the object's properties from `map`.
    fn from_object<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize` of a [`FromObject`] type.
pub fn object<'de, D: de::Deserializer<'de>, T: FromObject>(deserializer: D) -> Result<T, D::Error> {
    struct Object<T>(PhantomData<T>);
    impl<'de, T: FromObject> Visitor<'de> for Object<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_object(map)
        }
    }
    deserializer.deserialize_map(Object(PhantomData))
}

/// What a [`FromObject`] impl does with each property, as methods of the
/// map it reads.
pub trait Properties<'de>: MapAccess<'de> + Sized {
    /// Reads a known property's value into its slot; a property that comes
    /// twice is an error, as with serde's derive.
    fn field<T: Deserialize<'de>>(
        &mut self,
        slot: &mut Option<T>,
        name: &'static str,
    ) -> Result<(), Self::Error> {
        if slot.is_some() {
            return Err(de::Error::duplicate_field(name));
        }
        *slot = Some(self.next_value()?);
        Ok(())
    }

    /// Keeps a property the struct does not know, or one a tolerant decode
    /// set aside, under its own name.
    fn extra(&mut self, extras: &mut Map<String, Value>, key: Key<'de>) -> Result<(), Self::Error> {
        let name = crate::tolerant::restored(key.into_string());
        extras.insert(name, self.next_value()?);
        Ok(())
    }

    /// Keeps a property the struct does not know, where the spec gives the
    /// type of such properties.
    fn typed_extra<T: Deserialize<'de>>(
        &mut self,
        extras: &mut BTreeMap<String, T>,
        key: Key<'de>,
    ) -> Result<(), Self::Error> {
        extras.insert(key.into_string(), self.next_value()?);
        Ok(())
    }
}

impl<'de, A: MapAccess<'de>> Properties<'de> for A {}

/// A required property's value, or serde's `missing field` error.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}
