//! How a generated struct reads a JSON object: one pass over its properties,
//! each known one into its place, every other kept in
//! `additional_properties`.
//!
//! A generated struct implements [`ReadObject`] (read in place), or, when
//! it has no empty value to read into, [`FromObject`] (read into a new
//! value): a `match` on the property name that calls the [`Properties`]
//! methods.

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

// `#[inline]`: the generated crates match every property name through
// `as_str`, across the crate boundary.
impl Key<'_> {
    /// The name.
    #[inline]
    pub fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(name) => name,
            Key::Owned(name) => name,
        }
    }

    #[inline]
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

/// A generated struct without an empty value (a required property's type
/// has none), read from a JSON object in one pass into a new value; its
/// `Deserialize` is [`object`].
pub trait FromObject: Sized {
    /// What serde's errors say was expected: `struct <Name>`.
    const EXPECTING: &'static str;

    /// Reads the object's properties from `map`.
    fn from_object<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize` of a [`FromObject`] type.
pub fn object<'de, D: de::Deserializer<'de>, T: FromObject>(deserializer: D) -> Result<T, D::Error> {
    struct Object<T>(std::marker::PhantomData<T>);
    impl<'de, T: FromObject> Visitor<'de> for Object<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::from_object(map)
        }
    }
    deserializer.deserialize_map(Object(std::marker::PhantomData))
}

/// A generated struct with an empty value (every required property's type
/// has one, which an absent property reads as), read from a JSON object in one
/// pass, in place: its properties are written into the value that holds
/// them, and an object property into its own place there, so that a large
/// struct (a user's fifteen links, say) is not copied up through every
/// level it is read in. Its `Deserialize` is [`object_in_place`].
pub trait ReadObject: Default {
    /// What serde's errors say was expected: `struct <Name>`.
    const EXPECTING: &'static str;

    /// The value with no property set, to read into: the default, except
    /// where the default sets the properties that make it its type.
    fn empty() -> Self {
        Self::default()
    }

    /// Reads the object's properties from `map` into `self`, which is
    /// [`ReadObject::empty`].
    fn read<'de, A: MapAccess<'de>>(&mut self, map: A) -> Result<(), A::Error>;
}

/// `Deserialize` of a [`ReadObject`] type.
pub fn object_in_place<'de, D: de::Deserializer<'de>, T: ReadObject>(deserializer: D) -> Result<T, D::Error> {
    let mut value = T::empty();
    deserializer.deserialize_map(InPlace(&mut value))?;
    Ok(value)
}

/// Reads an object into the place it is given.
struct InPlace<'a, T>(&'a mut T);

impl<'de, T: ReadObject> Visitor<'de> for InPlace<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.0.read(map)
    }
}

impl<'de, T: ReadObject> de::DeserializeSeed<'de> for InPlace<'_, T> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// Reads an optional object into its place: `null` leaves it unset.
struct InPlaceOptional<'a, T>(&'a mut Option<T>);

impl<'de, T: ReadObject> Visitor<'de> for InPlaceOptional<'_, T> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.0 = None;
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.visit_none()
    }
    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(InPlace(self.0.insert(T::empty())))
    }
}

impl<'de, T: ReadObject> de::DeserializeSeed<'de> for InPlaceOptional<'_, T> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

/// What a generated struct does with each property, as methods of the map
/// it reads; generic over the value's type only, they are compiled once
/// per field type rather than once per struct. A property that comes twice
/// is an error, as with serde's derive: [`ReadObject`] types keep a `seen`
/// flag for each, [`FromObject`] types a slot that is set once.
pub trait Properties<'de>: MapAccess<'de> + Sized {
    /// Reads a known property's value into its slot.
    fn value<T: Deserialize<'de>>(
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

    /// Reads a known property's value into its place.
    fn field<T: Deserialize<'de>>(
        &mut self,
        place: &mut T,
        seen: &mut bool,
        name: &'static str,
    ) -> Result<(), Self::Error> {
        first(seen, name)?;
        *place = self.next_value()?;
        Ok(())
    }

    /// Reads a known property whose value is a generated struct into its
    /// place, without building it elsewhere first.
    fn object<T: ReadObject>(
        &mut self,
        place: &mut T,
        seen: &mut bool,
        name: &'static str,
    ) -> Result<(), Self::Error> {
        first(seen, name)?;
        // What the holder's default put there may not be empty.
        *place = T::empty();
        self.next_value_seed(InPlace(place))
    }

    /// As [`Properties::object`], for an optional one.
    fn optional_object<T: ReadObject>(
        &mut self,
        place: &mut Option<T>,
        seen: &mut bool,
        name: &'static str,
    ) -> Result<(), Self::Error> {
        first(seen, name)?;
        self.next_value_seed(InPlaceOptional(place))
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

fn first<E: de::Error>(seen: &mut bool, name: &'static str) -> Result<(), E> {
    match std::mem::replace(seen, true) {
        true => Err(E::duplicate_field(name)),
        false => Ok(()),
    }
}

/// A required property's value, or serde's `missing field` error.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // As the generator writes them.
    #[derive(Debug, Default, PartialEq)]
    struct Link {
        href: Option<String>,
        additional_properties: Map<String, Value>,
    }

    #[derive(Debug, Default, PartialEq)]
    struct Holder {
        link: Option<Link>,
        main: Link,
        typed: Option<Typed>,
        required_typed: Typed,
        n: Option<u8>,
        additional_properties: Map<String, Value>,
    }

    /// A subtype: its default sets what makes it this type.
    #[derive(Debug, PartialEq)]
    struct Typed {
        kind: Option<String>,
        additional_properties: Map<String, Value>,
    }

    impl Default for Typed {
        fn default() -> Self {
            Typed {
                kind: Some("typed".into()),
                additional_properties: Map::new(),
            }
        }
    }

    impl<'de> Deserialize<'de> for Link {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object_in_place(deserializer)
        }
    }

    impl ReadObject for Link {
        const EXPECTING: &'static str = "struct Link";

        fn read<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
            let mut seen = [false; 1];
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "href" => map.field(&mut self.href, &mut seen[0], "href")?,
                    _ => map.extra(&mut self.additional_properties, key)?,
                }
            }
            Ok(())
        }
    }

    impl<'de> Deserialize<'de> for Holder {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object_in_place(deserializer)
        }
    }

    impl ReadObject for Holder {
        const EXPECTING: &'static str = "struct Holder";

        fn read<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
            let mut seen = [false; 5];
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "requiredTyped" => map.object(&mut self.required_typed, &mut seen[4], "requiredTyped")?,
                    "link" => map.optional_object(&mut self.link, &mut seen[0], "link")?,
                    "main" => map.object(&mut self.main, &mut seen[1], "main")?,
                    "typed" => map.optional_object(&mut self.typed, &mut seen[2], "typed")?,
                    "n" => map.field(&mut self.n, &mut seen[3], "n")?,
                    _ => map.extra(&mut self.additional_properties, key)?,
                }
            }
            Ok(())
        }
    }

    impl<'de> Deserialize<'de> for Typed {
        fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            object_in_place(deserializer)
        }
    }

    impl ReadObject for Typed {
        const EXPECTING: &'static str = "struct Typed";

        fn empty() -> Self {
            Typed {
                kind: None,
                additional_properties: Map::new(),
            }
        }

        fn read<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
            let mut seen = [false; 1];
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "kind" => map.field(&mut self.kind, &mut seen[0], "kind")?,
                    _ => map.extra(&mut self.additional_properties, key)?,
                }
            }
            Ok(())
        }
    }

    fn holder(json: serde_json::Value) -> Result<Holder, crate::locate::Located> {
        crate::locate::from_slice(json.to_string().as_bytes())
    }

    #[test]
    fn objects_are_read_into_their_places_with_what_they_do_not_know() {
        let read = holder(json!({
            "link": {"href": "/a", "rel": "self"},
            "main": {"href": "/b"},
            "typed": {},
            "requiredTyped": {},
            "n": 2,
            "other": [1],
        }))
        .unwrap();
        let link = |href: &str| Link {
            href: Some(href.into()),
            additional_properties: Map::new(),
        };
        let mut expected_link = link("/a");
        expected_link
            .additional_properties
            .insert("rel".into(), json!("self"));
        assert_eq!(read.link, Some(expected_link));
        assert_eq!(read.main, link("/b"));
        assert_eq!(read.n, Some(2));
        assert_eq!(read.additional_properties["other"], json!([1]));
        // Read from the wire, a type has only what the wire says, not what
        // its default sets.
        assert_eq!(read.typed.unwrap().kind, None);
        assert_eq!(read.required_typed.kind, None);
        assert_eq!(crate::locate::from_slice::<Typed>(b"{}").unwrap().kind, None);
        // Nothing at all: every place as it was.
        assert_eq!(holder(json!({})).unwrap(), Holder::default());
    }

    #[test]
    fn null_repeats_and_failures_inside_an_object_read_in_place() {
        assert_eq!(holder(json!({"link": null})).unwrap().link, None);
        let err = |text: &str| crate::locate::from_slice::<Holder>(text.as_bytes()).unwrap_err();
        let cases = [
            // A repeated property, also after a `null` that left it unset.
            (r#"{"n":1,"n":2}"#, ".", "duplicate field `n`"),
            (r#"{"link":null,"link":{}}"#, ".", "duplicate field `link`"),
            (r#"{"main":{},"main":{}}"#, ".", "duplicate field `main`"),
            (
                r#"{"link":{"href":"/a","href":"/b"}}"#,
                "link",
                "duplicate field `href`",
            ),
            // A required object cannot be `null`.
            (
                r#"{"main":null}"#,
                "main",
                "invalid type: null, expected struct Link",
            ),
            // What fails inside an object read in place is located in it.
            (r#"{"main":{"href":1}}"#, "main.href", "invalid type: integer `1`"),
            (
                r#"{"link":{"href":"/a"},"typed":{"kind":[]}}"#,
                "typed.kind",
                "invalid type: sequence",
            ),
            (
                r#"{"link":"/a"}"#,
                "link",
                "invalid type: string \"/a\", expected struct Link",
            ),
        ];
        for (text, path, message) in cases {
            let e = err(text);
            assert_eq!(e.path().to_string(), path, "{text}: {e}");
            assert!(e.message().starts_with(message), "{text}: {e}");
        }
    }
}
