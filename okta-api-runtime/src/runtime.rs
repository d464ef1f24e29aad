//! The narrow surface generated code calls: a request description, the
//! response to decode, and helpers for open enums, polymorphic models and
//! resource methods. Nothing here depends on a spec.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS, NON_ALPHANUMERIC};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

pub use crate::nullable::Optional;
pub use crate::object::{object, object_in_place, required, FromObject, Key, Properties, ReadObject};
pub use crate::pagination::fetch_page;

use crate::Error;

/// Sends `request` through `client`, retrying as configured, and returns
/// the successful response or the final error: what a generated builder's
/// `send` calls.
#[inline]
pub fn execute<'a>(
    client: &'a crate::Client,
    request: &'a Request,
) -> impl Future<Output = Result<Response, Error>> + Send + 'a {
    client.execute(request)
}

/// The future a request builder turns into with `.await`.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Characters escaped in a path segment: everything a segment cannot hold
/// literally (`/`, `?`, `#`, `%`, spaces, ...), and `;`, which some servers
/// read as the start of segment parameters (`..;`).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b';')
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
    /// Path parameters as given, encoded and checked when the URL is built.
    path_params: Vec<(&'static str, String)>,
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
            path_params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            accept: None,
            with_credentials: true,
            absolute: None,
        }
    }

    /// A request to an absolute URL (an `href` Okta returned).
    pub(crate) fn absolute(method: Method, url: Url, operation: &'static str) -> Self {
        let mut request = Request::new(method, "<href>", operation);
        request.absolute = Some(url);
        request
    }

    /// The same operation at another URL (the next page of a list). The
    /// original query parameters that `url` leaves out are added back, as
    /// Okta drops some of them (`expand`, ...) from its next links.
    pub(crate) fn at(&self, mut url: Url) -> Request {
        let missing: Vec<&(String, String)> = {
            let present: Vec<_> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
            self.query.iter().filter(|(k, _)| !present.contains(k)).collect()
        };
        if !missing.is_empty() {
            let mut query = url.query().unwrap_or_default().to_string();
            for (k, v) in missing {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY),
                    utf8_percent_encode(v, QUERY)
                ));
            }
            url.set_query(Some(&query));
        }
        Request {
            method: self.method.clone(),
            path_template: self.path_template,
            operation: self.operation,
            path_params: Vec::new(),
            query: self.query.clone(),
            headers: self.headers.clone(),
            cookies: self.cookies.clone(),
            body: None,
            accept: self.accept,
            with_credentials: self.with_credentials,
            absolute: Some(url),
        }
    }

    /// Fills `{name}` in the path with `value`, percent-encoded; a value
    /// that would name another resource is refused when the URL is built.
    pub fn path(&mut self, name: &'static str, value: &(impl ParamValue + ?Sized)) {
        self.path_params.push((name, value.to_param().into_owned()));
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

    /// An `application/x-www-form-urlencoded` body: one `name=value` pair
    /// per property of the body's JSON object (unknown properties too), a
    /// list as one pair per item, `null` left out, and a nested object as
    /// its JSON text.
    pub fn form<T: Serialize + ?Sized>(&mut self, content_type: &'static str, body: &T) -> Result<(), Error> {
        let invalid = |message: String| Error::InvalidRequest {
            operation: self.operation,
            message,
        };
        let value =
            serde_json::to_value(body).map_err(|e| invalid(format!("cannot serialise the body: {e}")))?;
        let serde_json::Value::Object(object) = value else {
            return Err(invalid("a form body must be an object".into()));
        };
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &object {
            let items = match value {
                serde_json::Value::Array(items) => items.as_slice(),
                other => std::slice::from_ref(other),
            };
            for item in items.iter().filter(|v| !v.is_null()) {
                form.append_pair(name, &item.to_param());
            }
        }
        self.body = Some((Cow::Borrowed(content_type), form.finish().into_bytes()));
        Ok(())
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

    /// The full URL under the org's base URL: the template's segments
    /// appended to the base path, each parameter percent-encoded in place.
    /// Nothing is resolved, so no value can step out of its segment.
    pub(crate) fn url(&self, base: &Url) -> Result<Url, Error> {
        if let Some(url) = &self.absolute {
            return Ok(url.clone());
        }
        let mut path = base.path().trim_end_matches('/').to_string();
        for segment in self.path_template.trim_start_matches('/').split('/') {
            path.push('/');
            path.push_str(&self.fill_segment(segment)?);
        }
        let mut url = base.clone();
        url.set_path(&path);
        url.set_query(None);
        url.set_fragment(None);
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

    /// One template segment with its `{name}` placeholders replaced.
    fn fill_segment(&self, segment: &str) -> Result<String, Error> {
        let mut out = String::new();
        let mut rest = segment;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            let name = &rest[open + 1..open + close];
            let value = self
                .path_params
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| Error::InvalidArgument {
                    operation: self.operation,
                    argument: name.to_string(),
                    message: "is not set".into(),
                })?;
            check_path_value(value).map_err(|message| Error::InvalidArgument {
                operation: self.operation,
                argument: name.to_string(),
                message: format!("{value:.64?} {message}"),
            })?;
            out.push_str(&utf8_percent_encode(value, PATH_SEGMENT).to_string());
            rest = &rest[open + close + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// Refuses a path value that names another resource once it is in a URL:
/// empty, or a dot segment (`.`, `..`) as it is, after `/` or `\` split it
/// (a proxy that decodes `%2F`), or after percent-decoding (a server that
/// decodes twice).
fn check_path_value(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("is empty: the URL would name the collection, not one resource");
    }
    let mut text = Cow::Borrowed(value);
    for _ in 0..4 {
        if text.split(['/', '\\']).any(|part| part == "." || part == "..") {
            return Err("is or contains a dot segment (`.` or `..`), which would name another resource");
        }
        let decoded = percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned();
        if decoded == text {
            break;
        }
        text = Cow::Owned(decoded);
    }
    Ok(())
}

/// Reads at most `limit` bytes of the body, whatever `Content-Length`
/// says; the flag tells whether more was left unread.
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<(Bytes, bool), reqwest::Error> {
    let mut body = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body.freeze(), true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body.freeze(), false))
}

/// Locks `mutex`; a panic elsewhere while it was held does not poison the
/// client (the guarded values are plain data, valid at every step).
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// A URL as it may be shown: without user name or password.
pub(crate) fn redacted(url: &Url) -> String {
    let mut url = url.clone();
    let _ = url.set_username("");
    let _ = url.set_password(None);
    url.to_string()
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

/// What a response said besides its body: the status (to tell apart the
/// 2xx answers of one operation, such as `verifyFactor`'s 200 and 201),
/// the headers, Okta's request id and the rate-limit state.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: StatusCode,
    /// Every response header.
    pub headers: HeaderMap,
    /// `X-Okta-Request-Id`.
    pub request_id: Option<String>,
    /// `X-Rate-Limit-Limit`, `-Remaining` and `-Reset`.
    pub rate_limit: Option<crate::RateLimit>,
}

/// A decoded body with its response's metadata, from an operation's
/// `.send_with_response()`.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiResponse<T> {
    /// The decoded body.
    pub body: T,
    /// Status, headers, request id and rate-limit state.
    pub meta: ResponseMeta,
}

impl<T> ApiResponse<T> {
    /// The body with its response's metadata, for the generated crates.
    #[doc(hidden)]
    pub fn new(body: T, meta: ResponseMeta) -> Self {
        ApiResponse { body, meta }
    }

    /// The body, without the metadata.
    pub fn into_body(self) -> T {
        self.body
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
    /// Fail on a property that does not fit its type instead of setting it
    /// aside (`ClientBuilder::strict_decoding`).
    pub(crate) strict: bool,
}

impl Response {
    /// The response's status, headers, request id and rate-limit state.
    pub fn meta(&self) -> ResponseMeta {
        ResponseMeta {
            status: self.status,
            headers: self.headers.clone(),
            request_id: self.request_id.clone(),
            rate_limit: crate::RateLimit::from_headers(&self.headers),
        }
    }

    /// Decodes a JSON body; a failure names the JSON path and shows the
    /// start of the body.
    pub fn json<T: DeserializeOwned>(self) -> Result<T, Error> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Err(self.decode_error(String::new(), "the response has no body".into()));
        }
        // Decode at full speed; only a failure pays for more: to locate it
        // (from serde_json's position in the body), or to set aside what
        // does not fit. Every decode goes through this one deserializer.
        match serde_json::from_slice(&self.body) {
            Ok(decoded) => Ok(decoded),
            // Not JSON at all: serde's error says where.
            Err(first) if !first.is_data() => Err(self.decode_error(String::new(), first.to_string())),
            Err(first) if self.strict => Err(self.located(crate::locate::located(&self.body, &first))),
            Err(_) => crate::tolerant::decode(&self.body).map_err(|e| self.located(e)),
        }
    }

    fn located(&self, e: crate::locate::Located) -> Error {
        self.decode_error(e.path().to_string(), e.into_message())
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

/// A list in a path, header or cookie, or an inner list in the query:
/// comma-separated, OpenAPI's `simple` style (and `form` without explode).
impl<T: ParamValue> ParamValue for Vec<T> {
    fn to_param(&self) -> Cow<'_, str> {
        Cow::Owned(self.iter().map(|v| v.to_param()).collect::<Vec<_>>().join(","))
    }
}

impl<T: ParamValue + ?Sized> ParamValue for Box<T> {
    fn to_param(&self) -> Cow<'_, str> {
        (**self).to_param()
    }
}

/// Serde, `Display`, `FromStr` and parameter support for a generated open
/// enum, from its `as_str` and `From<&str>`.
#[doc(hidden)]
#[macro_export]
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
pub use crate::open_enum;

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

/// The discriminator of a polymorphic object, given its JSON text: the
/// string value of `property`, if it has one. Only the names are read; the
/// other values are stepped over, as is a repeated `property`.
pub fn discriminator(json: &[u8], property: &str) -> Option<String> {
    struct Find<'p>(&'p str);
    impl<'de> serde::de::Visitor<'de> for Find<'_> {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut found = None;
            while let Some(key) = map.next_key::<crate::object::Key<'de>>()? {
                if found.is_none() && key.as_str() == self.0 {
                    let value: serde_json::Value = map.next_value()?;
                    found = Some(value.as_str().map(str::to_owned));
                } else {
                    map.next_value::<serde::de::IgnoredAny>()?;
                }
            }
            Ok(found.flatten())
        }
    }
    let mut deserializer = serde_json::Deserializer::from_slice(json);
    serde::Deserializer::deserialize_map(&mut deserializer, Find(property))
        .ok()
        .flatten()
}

/// Decodes a subtype from an already parsed value.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, serde_json::Error> {
    from_json(&crate::tolerant::bytes(&value))
}

/// Decodes a subtype from its JSON text.
pub fn from_json<T: DeserializeOwned>(json: &[u8]) -> Result<T, serde_json::Error> {
    crate::tolerant::from_json(json)
}

/// `Deserialize` of an object that is read whole before its type is known
/// (a polymorphic type, told by its discriminator): `decide` gets its JSON
/// text, copied as it is read (no `Value` in between), to decode with the
/// deserializer every other decode uses. What `decide` fails with is
/// reported from inside the object, so that the error's position, and so
/// its path, is the object's.
pub fn buffered<'de, D, T>(
    deserializer: D,
    decide: fn(&[u8]) -> Result<T, serde_json::Error>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Whole<T>(fn(&[u8]) -> Result<T, serde_json::Error>);
    impl<'de, T> serde::de::Visitor<'de> for Whole<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let mut json = Vec::new();
            serde_transcode::transcode(
                serde::de::value::MapAccessDeserializer::new(map),
                &mut serde_json::Serializer::new(&mut json),
            )
            .map_err(serde::de::Error::custom)?;
            (self.0)(&json).map_err(serde::de::Error::custom)
        }
    }
    deserializer.deserialize_map(Whole(decide))
}

/// The properties of an object alternative of a one-of, by wire name.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Properties the alternative requires.
    pub required: &'static [&'static str],
    /// Every property the alternative knows.
    pub known: &'static [&'static str],
    /// Properties whose value is one of a few strings, with those strings.
    pub constants: &'static [(&'static str, &'static [&'static str])],
}

/// An alternative of a one-of: its shape, where it is an object, and the
/// function that decodes a value as it.
pub type Alternative<T> = (
    Option<Shape>,
    fn(serde_json::Value) -> Result<T, serde_json::Error>,
);

/// `value` decoded as the first of `alternatives`, in the order of
/// [`best_first`], that it decodes as; `other(value)` when none does.
pub fn best_match<T>(
    value: serde_json::Value,
    alternatives: &[Alternative<T>],
    other: fn(serde_json::Value) -> T,
) -> T {
    let shapes: Vec<Option<Shape>> = alternatives.iter().map(|(shape, _)| *shape).collect();
    for i in best_first(&value, &shapes) {
        if let Ok(decoded) = (alternatives[i].1)(value.clone()) {
            return decoded;
        }
    }
    other(value)
}

/// The order in which to try the alternatives of a one-of on `value`: the
/// alternative it fits best first. An object fits an alternative better
/// when, in turn: it has every property the alternative requires; more of
/// its properties hold one of the strings the alternative allows there
/// (fewer hold another); more of its properties are ones the alternative
/// knows; fewer of the alternative's properties are missing. Alternatives
/// that are not objects (`None`), and ties, keep the spec's order.
pub fn best_first(value: &serde_json::Value, shapes: &[Option<Shape>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..shapes.len()).collect();
    let Some(object) = value.as_object() else {
        return order;
    };
    let score = |shape: &Option<Shape>| -> (bool, i64, usize, usize) {
        let Some(shape) = shape else {
            return (false, i64::MIN, 0, usize::MAX);
        };
        let has_required = shape.required.iter().all(|p| object.contains_key(*p));
        let constants = shape
            .constants
            .iter()
            .filter_map(|(p, allowed)| {
                object
                    .get(*p)
                    .and_then(|v| v.as_str())
                    .map(|v| allowed.contains(&v))
            })
            .map(|fits| if fits { 1 } else { -1 })
            .sum();
        let known = object
            .keys()
            .filter(|k| shape.known.contains(&k.as_str()))
            .count();
        (has_required, constants, known, shape.known.len() - known)
    };
    let scores: Vec<_> = shapes.iter().map(score).collect();
    // Best first: larger on the first three, smaller on the last.
    order.sort_by(|&a, &b| {
        let (x, y) = (&scores[a], &scores[b]);
        (y.0, y.1, y.2, x.3).cmp(&(x.0, x.1, x.2, y.3))
    });
    order
}

/// A field a resource method binds an argument to; an error when unset.
pub fn bound_field<'a, T>(value: Option<&'a T>, field: &'static str) -> Result<&'a T, Error> {
    value.ok_or(Error::MissingField { field })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn base() -> Url {
        Url::parse("https://dev-1.okta.com/").unwrap()
    }

    fn remove_member(group: &str, user: &str) -> Result<Url, Error> {
        let mut r = Request::new(
            Method::DELETE,
            "/api/v1/groups/{groupId}/users/{userId}",
            "removeGroupUser",
        );
        r.path("groupId", group);
        r.path("userId", user);
        r.url(&base())
    }

    fn refused_argument(result: Result<Url, Error>) -> String {
        match result {
            Err(Error::InvalidArgument { argument, .. }) => argument,
            other => panic!("expected a refused argument, got {other:?}"),
        }
    }

    #[test]
    fn values_that_name_another_resource_are_refused_with_the_parameter_named() {
        for bad in [
            "",
            ".",
            "..",
            "a/..",
            "../x",
            "..\\x",
            "%2e%2e",
            "%2E.",
            "%252e%252e",
            "x/./y",
        ] {
            assert_eq!(refused_argument(remove_member("00g1", bad)), "userId", "{bad:?}");
        }
        assert_eq!(refused_argument(remove_member("..", "00u1")), "groupId");
        let err = remove_member("00g1", "..").unwrap_err().to_string();
        assert!(
            err.contains("removeGroupUser") && err.contains("userId") && err.contains("dot segment"),
            "{err}"
        );
    }

    #[test]
    fn ordinary_and_odd_values_stay_in_their_segment() {
        let cases = [
            ("00u1", "/api/v1/groups/00g1/users/00u1"),
            ("ada@example.com", "/api/v1/groups/00g1/users/ada@example.com"),
            ("a/b", "/api/v1/groups/00g1/users/a%2Fb"),
            ("a b", "/api/v1/groups/00g1/users/a%20b"),
            ("...", "/api/v1/groups/00g1/users/..."),
            ("..;", "/api/v1/groups/00g1/users/..%3B"),
            ("x?y#z", "/api/v1/groups/00g1/users/x%3Fy%23z"),
            ("%41", "/api/v1/groups/00g1/users/%2541"),
            ("a\r\nb", "/api/v1/groups/00g1/users/a%0D%0Ab"),
            ("é", "/api/v1/groups/00g1/users/%C3%A9"),
        ];
        for (value, path) in cases {
            let url = remove_member("00g1", value).unwrap();
            assert_eq!(url.path(), path, "{value:?}");
            assert_eq!(url.query(), None);
        }
    }

    #[test]
    fn the_base_path_is_kept_and_the_query_is_encoded() {
        let mut r = Request::new(Method::GET, "/api/v1/users/{userId}", "getUser");
        r.path("userId", "00u1");
        r.query("expand", Some("a,b c"));
        let url = r.url(&Url::parse("https://example.com/okta/").unwrap()).unwrap();
        assert_eq!(
            url.as_str(),
            "https://example.com/okta/api/v1/users/00u1?expand=a%2Cb%20c"
        );
    }

    #[test]
    fn a_placeholder_without_a_value_is_refused() {
        let r = Request::new(Method::GET, "/api/v1/users/{userId}", "getUser");
        assert_eq!(refused_argument(r.url(&base())), "userId");
    }

    #[test]
    fn next_links_get_back_the_query_parameters_they_dropped() {
        let mut r = Request::new(Method::GET, "/api/v1/users", "listUsers");
        r.query("expand", Some("a,b"));
        r.query("limit", Some("2"));
        let next = r.at(Url::parse("https://dev-1.okta.com/api/v1/users?after=x&limit=2").unwrap());
        let url = next.url(&base()).unwrap();
        assert_eq!(url.query(), Some("after=x&limit=2&expand=a%2Cb"));
        // And on the page after, from the original request still.
        let third = next.at(Url::parse("https://dev-1.okta.com/api/v1/users?after=y").unwrap());
        assert_eq!(
            third.url(&base()).unwrap().query(),
            Some("after=y&expand=a%2Cb&limit=2")
        );
    }

    #[test]
    fn array_query_parameters_are_exploded_or_comma_joined() {
        let values = vec!["a b".to_string(), "c,d".to_string()];
        let mut r = Request::new(Method::GET, "/x", "x");
        r.query_each("discloseIdentifiers", Some(&values), true);
        r.query_each("expand", Some(&values), false);
        r.query_each("none", None::<&Vec<String>>, true);
        assert_eq!(
            r.url(&base()).unwrap().query(),
            Some("discloseIdentifiers=a%20b&discloseIdentifiers=c%2Cd&expand=a%20b%2Cc%2Cd")
        );
    }

    #[test]
    fn uploads_are_sent_with_the_media_type_their_bytes_show() {
        let cases: [(&[u8], &str); 7] = [
            (b"\x89PNG\r\n\x1a\n...", "image/png"),
            (b"\xFF\xD8\xFF\xE0...", "image/jpeg"),
            (b"GIF89a...", "image/gif"),
            (b"\x00\x00\x01\x00...", "image/x-icon"),
            (b"  <svg xmlns=\"http://www.w3.org/2000/svg\"/>", "image/svg+xml"),
            (b"<?xml version=\"1.0\"?><svg/>", "image/svg+xml"),
            (b"plain bytes", "application/octet-stream"),
        ];
        for (bytes, media_type) in cases {
            let mut r = Request::new(Method::POST, "/x", "x");
            r.multipart(vec![
                ("file", FormPart::File(bytes.to_vec())),
                ("name", FormPart::Text("logo".into())),
            ]);
            let (content_type, body) = r.body.unwrap();
            let boundary = content_type
                .strip_prefix("multipart/form-data; boundary=")
                .unwrap()
                .to_string();
            let body = String::from_utf8_lossy(&body).into_owned();
            let file_part = format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: {media_type}\r\n\r\n"
            );
            assert!(body.starts_with(&file_part), "{media_type}: {body:?}");
            assert!(body.contains("Content-Disposition: form-data; name=\"name\"\r\n\r\nlogo\r\n"));
            assert!(body.ends_with(&format!("--{boundary}--\r\n")));
        }
    }

    #[test]
    fn headers_accept_credentials_and_raw_bodies_are_kept_for_the_client() {
        let mut r = Request::new(Method::POST, "/x", "x");
        r.header("X-Device", Some("d-1"));
        r.header("X-None", None::<&str>);
        r.accept("application/xml");
        r.without_credentials();
        r.text("application/jwt", "a.b.c");
        assert_eq!(r.headers, [("X-Device".to_string(), "d-1".to_string())]);
        assert_eq!(r.accept, Some("application/xml"));
        assert!(!r.with_credentials);
        let body = |r: &Request| r.body.as_ref().map(|(t, b)| (t.to_string(), b.clone()));
        assert_eq!(body(&r), Some(("application/jwt".into(), b"a.b.c".to_vec())));
        r.bytes("application/octet-stream", &[0, 1]);
        assert_eq!(body(&r), Some(("application/octet-stream".into(), vec![0, 1])));
    }

    #[test]
    fn a_form_body_is_one_pair_per_property_and_list_item_without_nulls() {
        let mut r = Request::new(Method::POST, "/oauth2/v1/token", "token");
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "scope": ["okta.users.read", "a b&c"],
            "audience": null,
            "claims": {"x": 1},
        });
        r.form("application/x-www-form-urlencoded", &body).unwrap();
        let (content_type, bytes) = r.body.clone().unwrap();
        assert_eq!(content_type, "application/x-www-form-urlencoded");
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "grant_type=client_credentials&scope=okta.users.read&scope=a+b%26c&claims=%7B%22x%22%3A1%7D"
        );
        for not_an_object in [
            serde_json::json!(["a"]),
            serde_json::json!("a"),
            serde_json::Value::Null,
        ] {
            let mut r = Request::new(Method::POST, "/oauth2/v1/token", "token");
            let err = r
                .form("application/x-www-form-urlencoded", &not_an_object)
                .unwrap_err();
            assert!(
                matches!(&err, Error::InvalidRequest { operation: "token", message } if message.contains("object")),
                "{err:?}"
            );
            assert!(r.body.is_none());
        }
    }

    fn response(body: &'static [u8]) -> Response {
        Response {
            operation: "op",
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            request_id: None,
            body: Bytes::from_static(body),
            strict: false,
        }
    }

    #[test]
    fn text_binary_and_empty_bodies_are_returned_as_they_came() {
        assert_eq!(response(b"<xml/>").text().unwrap(), "<xml/>");
        assert!(matches!(response(b"\xff").text(), Err(Error::Decode { .. })));
        assert_eq!(response(b"\x00\x01").bytes().unwrap(), [0, 1]);
        let empty: Vec<String> = response(b" \n").json_or_default().unwrap();
        assert!(empty.is_empty());
        let list: Vec<String> = response(b"[\"a\"]").json_or_default().unwrap();
        assert_eq!(list, ["a"]);
    }

    #[test]
    fn a_value_is_tried_first_as_the_alternative_it_fits_best() {
        const USER_GROUP: Shape = Shape {
            required: &[],
            known: &["name", "description"],
            constants: &[],
        };
        const AD_GROUP: Shape = Shape {
            required: &[],
            known: &["name", "description", "dn", "samAccountName"],
            constants: &[],
        };
        const CHROME: Shape = Shape {
            required: &["type", "serviceAccountName"],
            known: &["type", "serviceAccountName"],
            constants: &[("type", &["CHROME"])],
        };
        const IDP: Shape = Shape {
            required: &["type", "idpId"],
            known: &["type", "idpId"],
            constants: &[("type", &["DEVICE_IDP"])],
        };
        let groups = [Some(USER_GROUP), Some(AD_GROUP)];
        let ad = serde_json::json!({"name": "g", "dn": "CN=g", "samAccountName": "g"});
        assert_eq!(best_first(&ad, &groups), [1, 0], "more known properties");
        let plain = serde_json::json!({"name": "g", "description": "d"});
        assert_eq!(best_first(&plain, &groups), [0, 1], "fewer properties missing");
        let reversed = [Some(AD_GROUP), Some(USER_GROUP)];
        assert_eq!(best_first(&plain, &reversed), [1, 0], "whatever the spec's order");
        let devices = [Some(CHROME), Some(IDP), None];
        // Required properties first, then the constant.
        let idp = serde_json::json!({"type": "DEVICE_IDP", "idpId": "0oa1"});
        assert_eq!(best_first(&idp, &devices), [1, 0, 2]);
        let mislabelled =
            serde_json::json!({"type": "DEVICE_IDP", "serviceAccountName": "a", "idpId": "0oa1"});
        assert_eq!(
            best_first(&mislabelled, &devices),
            [1, 0, 2],
            "the constant decides between two fits"
        );
        // Not an object, or nothing to tell apart: the spec's order.
        assert_eq!(best_first(&serde_json::json!("x"), &devices), [0, 1, 2]);
        assert_eq!(best_first(&serde_json::json!({}), &[None, None]), [0, 1]);
    }

    #[test]
    fn json_values_and_boxed_values_are_parameters() {
        assert_eq!(serde_json::json!("a b").to_param(), "a b");
        assert_eq!(serde_json::json!(["x", 1]).to_param(), "[\"x\",1]");
        assert_eq!(Box::new(7_i64).to_param(), "7");
        assert_eq!(Box::<str>::from("00u1").to_param(), "00u1");
        let ids = vec!["00u1".to_string(), "a b".to_string()];
        assert_eq!(ids.to_param(), "00u1,a b");
        assert_eq!(vec![true].to_param(), "true");
    }

    #[test]
    fn discriminators_and_open_enums_are_read_from_strings_only() {
        let json = br#"{"n": 1, "x": {"type": "NESTED"}, "t\u0079pe": "OKTA_SIGN_ON", "type": "LATER"}"#;
        assert_eq!(
            discriminator(json, "type").as_deref(),
            Some("OKTA_SIGN_ON"),
            "the first, at the top"
        );
        assert_eq!(discriminator(json, "n"), None, "not a string");
        assert_eq!(discriminator(br#"{"n": 1}"#, "type"), None);
        for odd in [
            &b""[..],
            b"[]",
            b"\"type\"",
            b"{\"type\"",
            b"{\"type\": \"A",
            b"\xff",
        ] {
            assert_eq!(
                discriminator(odd, "type"),
                None,
                "{:?}",
                String::from_utf8_lossy(odd)
            );
        }
        #[derive(Debug, PartialEq)]
        struct Kind(String);
        impl From<&str> for Kind {
            fn from(s: &str) -> Self {
                Kind(s.to_string())
            }
        }
        let kind: Kind = deserialize_open_enum(serde_json::json!("NEW_KIND")).unwrap();
        assert_eq!(kind, Kind("NEW_KIND".into()));
        let err = deserialize_open_enum::<_, Kind>(serde_json::json!(3)).unwrap_err();
        assert!(err.to_string().contains("expected a string"), "{err}");
    }

    #[test]
    fn a_polymorphic_object_is_decoded_by_its_discriminator_and_its_failures_located_at_it() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Circle {
            radius: u8,
        }
        #[derive(Debug)]
        #[allow(dead_code)]
        enum Shape {
            Circle(Circle),
            Other(serde_json::Map<String, serde_json::Value>),
        }
        impl<'de> serde::Deserialize<'de> for Shape {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                buffered(deserializer, |json| {
                    match discriminator(json, "kind").as_deref() {
                        Some("circle") => from_json(json).map(Shape::Circle),
                        _ => from_json(json).map(Shape::Other),
                    }
                })
            }
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Drawing {
            name: String,
            // Last: a failure read once the whole object is read is still
            // its own, not the drawing's.
            shapes: Vec<Shape>,
        }
        let drawing: Drawing = serde_json::from_str(
            r#"{"name": "d", "shapes": [{"radius": 2, "kind": "circle"}, {"kind": "square", "side": 1}]}"#,
        )
        .unwrap();
        assert!(matches!(drawing.shapes[0], Shape::Circle(Circle { radius: 2 })));
        assert!(matches!(&drawing.shapes[1], Shape::Other(o) if o["side"] == 1));
        for (json, path, message) in [
            (
                r#"{"name": "d", "shapes": [{"kind": "circle", "radius": "big"}]}"#,
                "shapes[0]",
                "invalid type: string \"big\", expected u8",
            ),
            (
                r#"{"name": "d", "shapes": [{}, {"kind": "circle"}]}"#,
                "shapes[1]",
                "missing field `radius`",
            ),
            (
                r#"{"name": "d", "shapes": [{}, 7]}"#,
                "shapes[1]",
                "invalid type: integer `7`, expected an object",
            ),
        ] {
            let e = crate::locate::from_slice::<Drawing>(json.as_bytes()).unwrap_err();
            assert_eq!(
                (e.path().to_string().as_str(), e.message()),
                (path, message),
                "{json}"
            );
        }
    }

    #[test]
    fn a_url_is_shown_without_user_name_or_password() {
        let url = Url::parse("https://ada:hunter2@dev-1.okta.com/api/v1/users?after=x").unwrap();
        assert_eq!(redacted(&url), "https://dev-1.okta.com/api/v1/users?after=x");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

        #[test]
        fn any_accepted_id_fills_exactly_its_segment_and_decodes_back(id in "\\PC{0,24}|[./%\\\\a-f0-9;@]{0,12}") {
            match remove_member("00g1", &id) {
                Ok(url) => {
                    let segments: Vec<_> = url.path_segments().unwrap().collect();
                    prop_assert_eq!(segments.len(), 6, "{}", url);
                    prop_assert_eq!(&segments[..5], &["api", "v1", "groups", "00g1", "users"]);
                    let decoded = percent_encoding::percent_decode_str(segments[5]).decode_utf8().unwrap();
                    prop_assert_eq!(decoded, id.as_str());
                    prop_assert_eq!(url.query(), None);
                    prop_assert_eq!(url.fragment(), None);
                }
                Err(Error::InvalidArgument { argument, .. }) => {
                    prop_assert_eq!(argument, "userId");
                    prop_assert!(check_path_value(&id).is_err());
                }
                Err(other) => prop_assert!(false, "unexpected error {other}"),
            }
        }
    }
}
