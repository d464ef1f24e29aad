//! The narrow surface generated code calls: a request description, the
//! response to decode, and helpers for open enums, polymorphic models and
//! resource methods. Nothing here depends on a spec.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use crate::Error;

/// The future a request builder turns into with `.await`.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Characters escaped in a path segment: everything a segment cannot hold
/// literally (`/`, `?`, `#`, `%`, spaces, ...).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Characters escaped in a query name or value: all but RFC 3986's unreserved.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A request as an operation describes it, before the client sends it.
#[derive(Debug)]
pub struct Request {
    pub(crate) method: Method,
    /// The spec's path template, e.g. `/api/v1/users/{userId}`, for tracing.
    pub(crate) path_template: &'static str,
    pub(crate) operation: &'static str,
    path: String,
    query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) cookies: Vec<(String, String)>,
    pub(crate) body: Option<(Cow<'static, str>, Vec<u8>)>,
    pub(crate) accept: Option<&'static str>,
    pub(crate) with_credentials: bool,
    /// An absolute URL (a pagination `Link`) instead of path and query.
    absolute: Option<Url>,
}

impl Request {
    pub fn new(method: Method, path_template: &'static str, operation: &'static str) -> Self {
        Request {
            method,
            path_template,
            operation,
            path: path_template.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            accept: None,
            with_credentials: true,
            absolute: None,
        }
    }

    /// The same operation at another URL (the next page of a list).
    pub(crate) fn at(&self, url: Url) -> Request {
        Request {
            method: self.method.clone(),
            path_template: self.path_template,
            operation: self.operation,
            path: String::new(),
            query: Vec::new(),
            headers: self.headers.clone(),
            cookies: self.cookies.clone(),
            body: None,
            accept: self.accept,
            with_credentials: self.with_credentials,
            absolute: Some(url),
        }
    }

    /// Fills `{name}` in the path with `value`, percent-encoded.
    pub fn path(&mut self, name: &str, value: &(impl ParamValue + ?Sized)) {
        let encoded = utf8_percent_encode(&value.to_param(), PATH_SEGMENT).to_string();
        self.path = self.path.replace(&format!("{{{name}}}"), &encoded);
    }

    /// Adds `name=value` to the query when `value` is set.
    pub fn query<V: ParamValue + ?Sized>(&mut self, name: &str, value: Option<&V>) {
        if let Some(v) = value {
            self.query.push((name.to_string(), v.to_param().into_owned()));
        }
    }

    /// Adds an array: one pair per item (`explode`), or one comma-joined pair.
    pub fn query_each<V: ParamValue>(&mut self, name: &str, values: Option<&Vec<V>>, explode: bool) {
        let Some(values) = values else { return };
        if explode {
            for v in values {
                self.query.push((name.to_string(), v.to_param().into_owned()));
            }
        } else {
            let joined = values.iter().map(|v| v.to_param()).collect::<Vec<_>>().join(",");
            self.query.push((name.to_string(), joined));
        }
    }

    pub fn header<V: ParamValue + ?Sized>(&mut self, name: &str, value: Option<&V>) {
        if let Some(v) = value {
            self.headers.push((name.to_string(), v.to_param().into_owned()));
        }
    }

    pub fn cookie<V: ParamValue + ?Sized>(&mut self, name: &str, value: Option<&V>) {
        if let Some(v) = value {
            self.cookies.push((name.to_string(), v.to_param().into_owned()));
        }
    }

    /// A JSON body (`application/json` or a `+json` type).
    pub fn json<T: Serialize + ?Sized>(&mut self, content_type: &'static str, body: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(body).map_err(|e| Error::InvalidRequest {
            operation: self.operation,
            message: format!("cannot serialise the body: {e}"),
        })?;
        self.body = Some((Cow::Borrowed(content_type), bytes));
        Ok(())
    }

    /// A text body sent as it is (a JWT, a PEM certificate, ...).
    pub fn text(&mut self, content_type: &'static str, body: &str) {
        self.body = Some((Cow::Borrowed(content_type), body.as_bytes().to_vec()));
    }

    /// A binary body sent as it is.
    pub fn bytes(&mut self, content_type: &'static str, body: &[u8]) {
        self.body = Some((Cow::Borrowed(content_type), body.to_vec()));
    }

    /// A `multipart/form-data` body, one part per `(name, part)`.
    pub fn multipart(&mut self, parts: Vec<(&'static str, FormPart)>) {
        let boundary = format!(
            "okta-sdk-rust-{:016x}{:016x}",
            fastrand::u64(..),
            fastrand::u64(..)
        );
        let mut body = Vec::new();
        for (name, part) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match part {
                FormPart::Text(text) => {
                    body.extend_from_slice(
                        format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                    );
                    body.extend_from_slice(text.as_bytes());
                }
                FormPart::File(bytes) => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\nContent-Type: {}\r\n\r\n",
                            sniff_media_type(&bytes)
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(&bytes);
                }
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        self.body = Some((
            Cow::Owned(format!("multipart/form-data; boundary={boundary}")),
            body,
        ));
    }

    /// The `Accept` header, when the response is not JSON.
    pub fn accept(&mut self, content_type: &'static str) {
        self.accept = Some(content_type);
    }

    /// Sends no `Authorization` header (operations with `security: []`).
    pub fn without_credentials(&mut self) {
        self.with_credentials = false;
    }

    /// The full URL under the org's base URL.
    pub(crate) fn url(&self, base: &Url) -> Result<Url, Error> {
        if let Some(url) = &self.absolute {
            return Ok(url.clone());
        }
        let mut url = base
            .join(self.path.trim_start_matches('/'))
            .map_err(|e| Error::InvalidRequest {
                operation: self.operation,
                message: format!("bad path {:?}: {e}", self.path),
            })?;
        if !self.query.is_empty() {
            let query = self
                .query
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        utf8_percent_encode(k, QUERY),
                        utf8_percent_encode(v, QUERY)
                    )
                })
                .collect::<Vec<_>>()
                .join("&");
            url.set_query(Some(&query));
        }
        Ok(url)
    }
}

/// One part of a `multipart/form-data` body.
#[derive(Clone, Debug)]
pub enum FormPart {
    /// A text field.
    Text(String),
    /// A file (an image upload, say); its media type is recognised from its first bytes.
    File(Vec<u8>),
}

/// The media type of an upload, from its magic bytes (the image formats
/// Okta's upload endpoints accept); `application/octet-stream` otherwise.
fn sniff_media_type(bytes: &[u8]) -> &'static str {
    match bytes {
        [0x89, b'P', b'N', b'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [b'G', b'I', b'F', b'8', ..] => "image/gif",
        [0, 0, 1, 0, ..] => "image/x-icon",
        _ if bytes.trim_ascii_start().starts_with(b"<svg")
            || bytes.trim_ascii_start().starts_with(b"<?xml") =>
        {
            "image/svg+xml"
        }
        _ => "application/octet-stream",
    }
}

/// A success response, ready to be decoded into the operation's type.
#[derive(Debug)]
pub struct Response {
    pub(crate) operation: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) request_id: Option<String>,
    pub(crate) body: Bytes,
}

impl Response {
    /// Decodes a JSON body; a failure names the JSON path and shows the
    /// start of the body.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(String::new(), "the response has no body".into()));
        }
        // Decode at full speed; only a failure pays for tracking the path,
        // by decoding again.
        serde_json::from_slice(&self.body).map_err(|first| {
            let mut de = serde_json::Deserializer::from_slice(&self.body);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Err(e) => {
                    let path = e.path().to_string();
                    self.decode_error(path, e.into_inner().to_string())
                }
                // The value itself decodes: what failed comes after it.
                Ok(_) => self.decode_error(String::new(), first.to_string()),
            }
        })
    }

    /// Like [`Response::json`], but an empty body (a 204, or a 200 without
    /// content) reads as the type's empty value: no items, no fields.
    pub fn json_or_default<T: DeserializeOwned + Default>(self) -> Result<T, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(T::default());
        }
        self.json()
    }

    /// Accepts any body (including none) for operations without one.
    pub fn empty(self) -> Result<(), Error> {
        Ok(())
    }

    /// A text body (XML, PEM, ...).
    pub fn text(self) -> Result<String, Error> {
        String::from_utf8(self.body.to_vec())
            .map_err(|e| self.decode_error(String::new(), format!("the body is not UTF-8: {e}")))
    }

    /// A binary body.
    pub fn bytes(self) -> Result<Vec<u8>, Error> {
        Ok(self.body.to_vec())
    }

    fn decode_error(&self, path: String, message: String) -> Error {
        const EXCERPT: usize = 200;
        let text = String::from_utf8_lossy(&self.body[..self.body.len().min(EXCERPT)]).into_owned();
        Error::Decode {
            operation: self.operation,
            status: self.status,
            path: if path.is_empty() { ".".into() } else { path },
            message,
            excerpt: text,
            request_id: self.request_id.clone(),
        }
    }
}

/// A value that can stand in a path, query, header or cookie.
pub trait ParamValue {
    fn to_param(&self) -> Cow<'_, str>;
}

impl ParamValue for str {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

impl ParamValue for String {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Borrowed(self)
    }
}

macro_rules! display_param {
    ($($t:ty),*) => {$(
        impl ParamValue for $t {
            fn to_param(&self) -> Cow<'_, str> {
                Cow::Owned(self.to_string())
            }
        }
    )*};
}
display_param!(bool, i32, i64, f64);

impl ParamValue for serde_json::Value {
    fn to_param(&self) -> Cow<'_, str> {
        match self {
            serde_json::Value::String(s) => Cow::Borrowed(s),
            other => Cow::Owned(other.to_string()),
        }
    }
}

impl<T: ParamValue + ?Sized> ParamValue for Box<T> {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

/// Serde, `Display`, `FromStr` and parameter support for a generated open
/// enum, from its `as_str` and `From<&str>`.
macro_rules! open_enum {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::deserialize_open_enum(deserializer)
            }
        }

        impl $crate::runtime::ParamValue for $name {
            fn to_param(&self) -> ::std::borrow::Cow<'_, str> {
                ::std::borrow::Cow::Borrowed(self.as_str())
            }
        }
    };
}
#[allow(unused_imports)] // used by generated modules, each behind a feature
pub(crate) use open_enum;

/// Deserializes an open enum from a string, matching a borrowed or
/// transient string in place rather than copying it first.
pub fn deserialize_open_enum<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: for<'a> From<&'a str>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<T: for<'a> From<&'a str>> serde::de::Visitor<'_> for Visitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
            Ok(T::from(value))
        }
    }
    deserializer.deserialize_str(Visitor(std::marker::PhantomData))
}

/// The discriminator value of a polymorphic object, if it has one.
pub fn discriminator<'a>(value: &'a serde_json::Value, property: &str) -> Option<&'a str> {
    value.get(property)?.as_str()
}

/// Decodes a subtype from an already parsed value.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

/// A field a resource method binds an argument to; an error when unset.
pub fn bound_field<'a, T>(value: Option<&'a T>, field: &'static str) -> Result<&'a T, Error> {
    value.ok_or(Error::MissingField { field })
}

pub(crate) use crate::pagination::fetch_page;
