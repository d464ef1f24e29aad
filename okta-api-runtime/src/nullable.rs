//! [`Nullable`]: a property that can be absent, `null`, or a value.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A property Okta lets you clear: absent (not sent, so left as it is), an
/// explicit `null` (sent as `null`, which clears it on a partial update), or
/// a value.
///
/// Generated structs use it for every property the spec marks `nullable`
/// (or `x-okta-allow-null-property-value-for-updates`); other optional
/// properties are plain `Option`s. An absent one is left out of the JSON
/// body, an explicit `null` read from Okta stays `Null` and is written back.
///
/// ```
/// # use okta_api_runtime::Nullable; // `okta_api::Nullable` to users
/// let title: Nullable<String> = "Engineer".into();
/// assert_eq!(title.as_option().map(String::as_str), Some("Engineer"));
/// assert!(Nullable::<String>::null().is_null());
/// assert!(Nullable::<String>::default().is_absent());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Nullable<T> {
    /// Not present: left out of a request body.
    #[default]
    Absent,
    /// An explicit `null`.
    Null,
    /// A value.
    Value(T),
}

impl<T> Nullable<T> {
    /// An explicit `null`, which clears the property on a partial update.
    pub const fn null() -> Self {
        Nullable::Null
    }

    /// The value, if there is one (absent and `null` both read as `None`).
    pub fn as_option(&self) -> Option<&T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// The value, if there is one.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(value) => Some(value),
            Nullable::Absent | Nullable::Null => None,
        }
    }

    /// Not present: left out of a request body.
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// An explicit `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }
}

impl<T> From<T> for Nullable<T> {
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

impl From<&str> for Nullable<String> {
    fn from(value: &str) -> Self {
        Nullable::Value(value.to_string())
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    /// A value as itself, absent and `null` as `null` (generated structs
    /// leave an absent property out before it gets here).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(value) => value.serialize(serializer),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` as `Null`, anything else as a value; a property that is not
    /// there never gets here and stays `Absent` (`#[serde(default)]`).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            Some(value) => Nullable::Value(value),
            None => Nullable::Null,
        })
    }
}

/// An optional property of a generated struct, whichever way it is held:
/// `Option` or [`Nullable`]. Generated code reads and sets both through it.
#[doc(hidden)]
pub trait Optional<T> {
    /// The value, if there is one.
    fn get(&self) -> Option<&T>;
    /// The property set to `value`.
    fn of(value: T) -> Self;
}

impl<T> Optional<T> for Option<T> {
    fn get(&self) -> Option<&T> {
        self.as_ref()
    }

    fn of(value: T) -> Self {
        Some(value)
    }
}

impl<T> Optional<T> for Nullable<T> {
    fn get(&self) -> Option<&T> {
        self.as_option()
    }

    fn of(value: T) -> Self {
        Nullable::Value(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Profile {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        title: Nullable<String>,
    }

    #[test]
    fn absent_null_and_value_read_and_write_back_as_they_came() {
        for (json, state) in [
            ("{}", Nullable::Absent),
            (r#"{"title":null}"#, Nullable::Null),
            (r#"{"title":"Engineer"}"#, Nullable::Value("Engineer".to_string())),
        ] {
            let profile: Profile = serde_json::from_str(json).unwrap();
            assert_eq!(profile.title, state, "{json}");
            assert_eq!(serde_json::to_string(&profile).unwrap(), json);
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_not_a_null() {
        assert!(serde_json::from_str::<Profile>(r#"{"title":1}"#).is_err());
    }

    #[test]
    fn reading_and_setting_through_optional() {
        let set: Nullable<u8> = Optional::of(3);
        assert_eq!(Optional::get(&set), Some(&3));
        assert_eq!(Optional::get(&Nullable::<u8>::Null), None);
        assert_eq!(Nullable::<u8>::Null.into_option(), None);
        assert_eq!(Nullable::Value(4).into_option(), Some(4));
        let option: Option<u8> = Optional::of(5);
        assert_eq!(Optional::get(&option), Some(&5));
    }
}
