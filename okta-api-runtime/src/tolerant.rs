//! Tolerant decoding: Okta's payloads drift from Okta's own spec (a link
//! sent as a string where the spec says object, a map where it says array,
//! `"false,"` where it says boolean). A property whose value does not fit
//! its declared type does not fail the response: it is set aside, reads as
//! unset, is kept verbatim in its struct's `additional_properties` under its
//! own name (so a read-modify-write writes it back as it came), and is
//! reported as a `tracing` warning with its JSON path.
//!
//! Decoding first runs at full speed as usual; only a response that fails
//! is read again, as a `serde_json::Value`, setting aside the property at
//! each failing path until the value decodes. Each attempt decodes the
//! value's bytes with the same deserializer as the first, and finds the
//! failing path from serde_json's error position (`locate.rs`). A
//! polymorphic object mends its subtype the same way, from its own text, so
//! a subtype that decodes is never read as a `Value`. A client built with
//! `strict_decoding(true)` skips this and fails as before.

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use crate::locate::Located;
use crate::locate::{Path, Segment};

/// The prefix a set-aside property's name carries between the repair and
/// the struct that reads it into `additional_properties` (NUL: never in a
/// name Okta sends).
const SET_ASIDE: char = '\u{0}';

/// At most this many properties are set aside in one value; past that, the
/// value is not what the type describes at all, and decoding fails.
const MAX_SET_ASIDE: usize = 256;

thread_local! {
    /// Whether a tolerant decode is running on this thread, so that the
    /// polymorphic types (which decode their subtype from its own JSON
    /// text) repair their subtype too.
    static TOLERANT: Cell<bool> = const { Cell::new(false) };
}

/// Decodes `json` as `T`, setting aside each property whose value does not
/// fit its declared type. The error is the first that could not be mended
/// (a missing required property, a whole body of another shape, ...).
pub fn decode<T: DeserializeOwned>(json: &[u8]) -> Result<T, Located> {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            TOLERANT.set(self.0);
        }
    }
    let _restore = Restore(TOLERANT.replace(true));
    repaired(json)
}

/// `json` decoded as `T`, mended as [`decode`] does while a tolerant decode
/// runs on this thread. The error has no position: the decode that called
/// this one gives it its own.
pub(crate) fn from_json<T: DeserializeOwned>(json: &[u8]) -> Result<T, serde_json::Error> {
    let message = if TOLERANT.get() {
        repaired(json).map_err(Located::into_message)
    } else {
        serde_json::from_slice(json).map_err(|e| crate::locate::message(&e))
    };
    message.map_err(serde::de::Error::custom)
}

/// `value` as compact JSON, which always succeeds for a `Value`.
pub(crate) fn bytes(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

fn repaired<T: DeserializeOwned>(json: &[u8]) -> Result<T, Located> {
    let mut decoded = None;
    repair(json, &mut |bytes| {
        decoded = Some(crate::locate::from_slice(bytes)?);
        Ok(())
    })?;
    decoded.ok_or_else(|| Located::new(Path::default(), "nothing was decoded".into()))
}

/// Sets aside what `attempt` fails on until it decodes; not generic, so
/// compiled once rather than once per type. `json` itself is tried first:
/// it is parsed as a `Value`, to be mended, only once that fails.
fn repair(json: &[u8], attempt: &mut dyn FnMut(&[u8]) -> Result<(), Located>) -> Result<(), Located> {
    let mut error = match attempt(json) {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(json) else {
        return Err(error);
    };
    // The errors of the properties set aside so far, by path.
    let mut set_aside: Vec<(String, Located)> = Vec::new();
    while set_aside.len() < MAX_SET_ASIDE && set_aside_at(&mut value, error.path()) {
        tracing::warn!(
            path = %error.path(),
            error = %error.message(),
            "a property does not fit its declared type; it reads as unset and is kept in additional_properties"
        );
        let next = attempt(&bytes(&value));
        set_aside.push((error.path().to_string(), error));
        match next {
            Ok(()) => return Ok(()),
            Err(e) => error = e,
        }
    }
    // A required property set aside is then missing: what is wrong is its
    // value, as its own error said.
    let missing = error
        .message()
        .strip_prefix("missing field `")
        .and_then(|m| m.split('`').next());
    let property = missing.map(|name| match error.path().to_string().as_str() {
        "." => name.to_string(),
        parent => format!("{parent}.{name}"),
    });
    Err(
        match set_aside
            .into_iter()
            .find(|(path, _)| Some(path) == property.as_ref())
        {
            Some((_, cause)) => cause,
            None => error,
        },
    )
}

/// Renames the property `path` ends at so that its struct reads it into
/// `additional_properties`; if it was set aside already (its struct keeps
/// only typed properties), sets aside the property that holds that struct
/// instead. False when there is no such property (the value itself has the
/// wrong shape).
fn set_aside_at(value: &mut Value, path: &Path) -> bool {
    set_aside(value, path.segments())
}

fn set_aside(value: &mut Value, segments: &[Segment]) -> bool {
    let Some((Segment::Key(key), parents)) = segments.split_last() else {
        return false;
    };
    let Some(object) = object_at(value, parents) else {
        return false;
    };
    if key.starts_with(SET_ASIDE) {
        // Set aside already, and its struct keeps only typed properties (a
        // map of one type): put back every name set aside in it, and set
        // aside the nearest property that holds it.
        if !object.contains_key(key.as_str()) {
            return false;
        }
        restore_names(object);
        let holder = parents.iter().rposition(|s| matches!(s, Segment::Key(_)));
        return holder.is_some_and(|i| set_aside(value, &parents[..=i]));
    }
    match object.remove(key.as_str()) {
        Some(property) => {
            object.insert(format!("{SET_ASIDE}{key}"), property);
            true
        }
        None => false,
    }
}

/// `object` with every name set aside in it, at any depth, put back.
fn restore_names(object: &mut Map<String, Value>) {
    fn within(value: &mut Value) {
        match value {
            Value::Object(object) => restore_names(object),
            Value::Array(items) => items.iter_mut().for_each(within),
            _ => {}
        }
    }
    *object = std::mem::take(object)
        .into_iter()
        .map(|(name, mut value)| {
            within(&mut value);
            (restored(name), value)
        })
        .collect();
}

/// The object at `path` in `value`.
fn object_at<'v>(value: &'v mut Value, path: &[Segment]) -> Option<&'v mut Map<String, Value>> {
    let mut at = value;
    for segment in path {
        at = match (segment, at) {
            (Segment::Key(key), Value::Object(object)) => object.get_mut(key.as_str())?,
            (Segment::Index(index), Value::Array(items)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    at.as_object_mut()
}

/// The name a property had before a tolerant decode set it aside.
pub(crate) fn restored(name: String) -> String {
    match name.strip_prefix(SET_ASIDE) {
        Some(original) => original.to_string(),
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{required, FromObject, Key, Properties, ReadObject};
    use serde::de::MapAccess;
    use serde::{Deserialize, Deserializer, Serialize};
    use serde_json::json;

    #[derive(Debug, Serialize)]
    struct Link {
        href: String,
        #[serde(flatten)]
        additional_properties: Map<String, Value>,
    }

    #[derive(Debug, Default, Serialize)]
    struct Thing {
        #[serde(skip_serializing_if = "Option::is_none")]
        enabled: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        link: Option<Link>,
        #[serde(skip_serializing_if = "Option::is_none")]
        counts: Option<std::collections::BTreeMap<String, u8>>,
        #[serde(flatten)]
        additional_properties: Map<String, Value>,
    }

    // As the generator writes them: `Link` has no empty value (a required
    // `href`), `Thing` has.
    impl<'de> Deserialize<'de> for Link {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            crate::object::object(deserializer)
        }
    }

    impl FromObject for Link {
        const EXPECTING: &'static str = "struct Link";

        fn from_object<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            let (mut href, mut additional_properties) = (None, Map::new());
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "href" => map.value(&mut href, "href")?,
                    _ => map.extra(&mut additional_properties, key)?,
                }
            }
            let href = required(href, "href")?;
            Ok(Link {
                href,
                additional_properties,
            })
        }
    }

    impl<'de> Deserialize<'de> for Thing {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            crate::object::object_in_place(deserializer)
        }
    }

    impl ReadObject for Thing {
        const EXPECTING: &'static str = "struct Thing";

        fn read<'de, A: MapAccess<'de>>(&mut self, mut map: A) -> Result<(), A::Error> {
            let mut seen = [false; 4];
            while let Some(key) = map.next_key::<Key<'de>>()? {
                match key.as_str() {
                    "enabled" => map.field(&mut self.enabled, &mut seen[0], "enabled")?,
                    "tags" => map.field(&mut self.tags, &mut seen[1], "tags")?,
                    "link" => map.field(&mut self.link, &mut seen[2], "link")?,
                    "counts" => map.field(&mut self.counts, &mut seen[3], "counts")?,
                    _ => map.extra(&mut self.additional_properties, key)?,
                }
            }
            Ok(())
        }
    }

    #[test]
    fn properties_that_do_not_fit_read_as_unset_and_are_written_back_as_they_came() {
        let body = json!([
            {"enabled": true, "tags": ["a"], "link": {"href": "/x"}},
            {"enabled": "false,", "tags": {"a": 1}, "link": "/y", "other": 1},
        ]);
        assert!(
            serde_json::from_value::<Vec<Thing>>(body.clone()).is_err(),
            "strict decoding fails"
        );
        let things: Vec<Thing> = decode(&bytes(&body)).unwrap();
        assert_eq!(things[0].enabled, Some(true));
        let odd = &things[1];
        assert_eq!((odd.enabled, &odd.tags, odd.link.is_none()), (None, &None, true));
        assert_eq!(odd.additional_properties["enabled"], json!("false,"));
        assert_eq!(odd.additional_properties["link"], json!("/y"));
        assert_eq!(serde_json::to_value(&things).unwrap(), body, "nothing lost");
        assert!(!TOLERANT.get(), "the mode ends with the decode");
    }

    #[test]
    fn a_value_of_another_shape_or_a_missing_required_property_still_fails() {
        assert!(decode::<Thing>(&bytes(&json!([1]))).is_err());
        let err = decode::<Vec<Link>>(&bytes(&json!([{"rel": "self"}]))).unwrap_err();
        assert_eq!(err.path().to_string(), "[0]");
        assert!(err.message().contains("missing field `href`"), "{err}");
        // A required property of the wrong type: its own error, not the
        // missing field that setting it aside leaves.
        let err = decode::<Vec<Link>>(&bytes(&json!([{"href": {"url": "/x"}}]))).unwrap_err();
        assert_eq!(err.path().to_string(), "[0].href");
        assert!(err.message().contains("invalid type: map"), "{err}");
        // A property set aside in a struct that keeps no untyped properties
        // cannot be kept: an error, not a loop.
        #[derive(Debug, Deserialize)]
        struct Closed {
            #[serde(default)]
            #[allow(dead_code)]
            n: Option<u8>,
        }
        let _: Closed = serde_json::from_value(json!({"x": 1})).unwrap();
        assert!(decode::<std::collections::BTreeMap<String, u8>>(&bytes(&json!({"a": "x"}))).is_err());
    }

    #[test]
    fn a_value_a_typed_map_cannot_hold_sets_aside_the_map() {
        // Two values that do not fit: the first is set aside, then the
        // second, and then the map that holds both, as it came.
        let body = json!([{"counts": {"a": 1, "b": "two", "c": "three"}, "link": {"href": "/x"}}]);
        let things: Vec<Thing> = decode(&bytes(&body)).unwrap();
        assert_eq!(things[0].counts, None);
        assert_eq!(things[0].additional_properties["counts"], body[0]["counts"]);
        assert_eq!(things[0].link.as_ref().map(|l| l.href.as_str()), Some("/x"));
        assert_eq!(serde_json::to_value(&things).unwrap(), body, "nothing lost");
    }

    #[test]
    fn the_text_as_it_came_is_tried_first_and_read_as_a_value_only_if_it_fails() {
        #[derive(Deserialize)]
        struct B {
            #[serde(default)]
            #[allow(dead_code)]
            b: Option<String>,
        }
        let mut seen = Vec::new();
        let mut attempt = |json: &[u8]| {
            seen.push(String::from_utf8_lossy(json).into_owned());
            crate::locate::from_slice::<B>(json).map(drop)
        };
        // Fails once, at `b`: mended from the value, written compactly.
        repair(b"{ \"a\" : 1, \"b\": 2 }", &mut attempt).unwrap();
        // Decodes at once: one attempt, on the text as it came.
        repair(b" {\"b\": \"x\"} ", &mut attempt).unwrap();
        // Not JSON: the first attempt's error, and no other attempt.
        let err = repair(b"{\"b\": nul", &mut attempt).unwrap_err();
        assert_eq!(err.message(), "EOF while parsing a value");
        assert_eq!(
            seen,
            [
                "{ \"a\" : 1, \"b\": 2 }",
                "{\"a\":1,\"\\u0000b\":2}",
                " {\"b\": \"x\"} ",
                "{\"b\": nul",
            ]
        );
    }

    #[test]
    fn set_aside_follows_the_path_through_objects_and_lists() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            b: String,
        }
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            a: Vec<Inner>,
        }
        let mut value = json!({"a": [{"b": 1}]});
        let err = crate::locate::from_slice::<Outer>(&bytes(&value)).unwrap_err();
        assert_eq!(err.path().to_string(), "a[0].b");
        assert!(set_aside_at(&mut value, err.path()));
        assert_eq!(value, json!({"a": [{"\u{0}b": 1}]}));
        assert!(!set_aside_at(&mut value, err.path()), "already set aside");
        assert!(
            !set_aside_at(&mut json!([1]), err.path()),
            "the path leads nowhere"
        );
    }
}
