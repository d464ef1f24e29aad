//! Support for the workspace-level tests: the recorded-traffic replay server
//! and what it needs to know about the spec.
//!
//! A scenario is a HAR 1.2 file recorded from a real Okta org (see
//! `tests/har/README.md`). [`Replay`] serves its responses in order on a
//! loopback port and checks each request the SDK sends against the recording:
//! method, path, query (sorted) and JSON body. Read-only properties (by the
//! spec) and `null` values are left out of the body comparison; see
//! [`normalize_body`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use okta_codegen::ir::{Api, ModelKind, TypeRef};
use serde::Deserialize;
use serde_json::Value;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// The workspace root.
/// Whether to rewrite golden files (`UPDATE_GOLDEN=1`). Refused under CI,
/// where expectations are checked, never rewritten.
pub fn update_golden() -> bool {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    assert!(
        !(update && std::env::var_os("CI").is_some()),
        "UPDATE_GOLDEN is refused when CI is set: golden files are checked there, not rewritten"
    );
    update
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace")
        .to_path_buf()
}

/// The IR of the workspace module `module`, loaded once into `cell`.
fn loaded(cell: &'static OnceLock<Api>, module: &str) -> &'static Api {
    cell.get_or_init(|| xtask::load_api(&workspace_root(), module).expect("the bundled spec loads"))
}

/// The IR of the 1.9.0 spec, loaded once.
pub fn legacy_api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    loaded(&API, "legacy")
}

/// The IR of the Management spec (with its overlays), loaded once.
pub fn management_api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    loaded(&API, "management")
}

/// The IR of the OpenID Connect & OAuth 2.0 spec, loaded once.
pub fn oauth_api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    loaded(&API, "oauth")
}

/// The IR of the MyAccount spec, loaded once.
pub fn myaccount_api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    loaded(&API, "myaccount")
}

/// The IR of the Identity Governance spec, loaded once.
pub fn governance_api() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    loaded(&API, "governance")
}

#[derive(Deserialize)]
struct Har {
    log: HarLog,
}

#[derive(Deserialize)]
struct HarLog {
    entries: Vec<HarEntry>,
}

#[derive(Deserialize)]
struct HarEntry {
    request: HarRequest,
    response: HarResponse,
}

#[derive(Deserialize)]
struct HarRequest {
    method: String,
    url: String,
    #[serde(rename = "queryString", default)]
    query_string: Vec<NameValue>,
    #[serde(rename = "postData")]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct HarResponse {
    status: u16,
    #[serde(default)]
    headers: Vec<NameValue>,
    content: Content,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    value: String,
}

#[derive(Deserialize)]
struct PostData {
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    text: Option<String>,
}

/// One recorded exchange.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub method: String,
    /// Percent-decoded path.
    pub path: String,
    /// Sorted, decoded query pairs.
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub response_body: String,
}

/// Reads `tests/har/<name>.har`.
pub fn scenario(name: &str) -> Vec<Exchange> {
    let path = workspace_root().join("tests/har").join(format!("{name}.har"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let har: Har = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    har.log
        .entries
        .into_iter()
        .map(|e| {
            let url = url::Url::parse(&e.request.url).expect("recorded URLs are absolute");
            let mut query: Vec<(String, String)> = e
                .request
                .query_string
                .into_iter()
                .map(|nv| (nv.name, nv.value))
                .collect();
            query.sort();
            let text = e.request.post_data.map(|p| p.text).unwrap_or_default();
            Exchange {
                method: e.request.method,
                path: decode(url.path()),
                query,
                body: (!text.trim().is_empty())
                    .then(|| serde_json::from_str(&text).expect("recorded request bodies are JSON")),
                status: e.response.status,
                headers: e
                    .response
                    .headers
                    .into_iter()
                    .map(|nv| (nv.name, nv.value))
                    .collect(),
                response_body: e.response.content.text.unwrap_or_default(),
            }
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A loopback server replaying one scenario.
pub struct Replay {
    pub server: MockServer,
    state: Arc<State>,
}

struct State {
    exchanges: Vec<Exchange>,
    next: AtomicUsize,
    failures: Mutex<Vec<String>>,
    /// The recorded org origin, rewritten to the server's in headers.
    origin: Mutex<String>,
}

struct Responder(Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let state = &self.0;
        let i = state.next.fetch_add(1, Ordering::SeqCst);
        let Some(want) = state.exchanges.get(i) else {
            state.failures.lock().unwrap().push(format!(
                "request #{i} {} {} was not recorded",
                request.method, request.url
            ));
            return ResponseTemplate::new(599);
        };
        if let Some(problem) = compare(want, request) {
            state
                .failures
                .lock()
                .unwrap()
                .push(format!("request #{i}: {problem}"));
        }
        let origin = state.origin.lock().unwrap().clone();
        let mut response = ResponseTemplate::new(want.status);
        for (name, value) in &want.headers {
            let value = value
                .replace("https://qa-vijet-preview.oktapreview.com", &origin)
                .replace("https://test.example.com", &origin);
            response = response.insert_header(name.as_str(), value.as_str());
        }
        if !want.response_body.is_empty() {
            response = response.set_body_raw(want.response_body.clone(), "application/json;charset=UTF-8");
        }
        response
    }
}

fn compare(want: &Exchange, got: &wiremock::Request) -> Option<String> {
    let method = got.method.as_str();
    let path = decode(got.url.path());
    if method != want.method || path != want.path {
        return Some(format!(
            "expected {} {}, got {method} {path}",
            want.method, want.path
        ));
    }
    let mut query: Vec<(String, String)> = got.url.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
    query.sort();
    if query != want.query {
        return Some(format!(
            "{method} {path}: expected query {:?}, got {query:?}",
            want.query
        ));
    }
    let body: Option<Value> = if got.body.is_empty() {
        None
    } else {
        match serde_json::from_slice(&got.body) {
            Ok(v) => Some(v),
            Err(e) => return Some(format!("{method} {path}: body is not JSON: {e}")),
        }
    };
    let ty = request_body_type(method, &want.path);
    let normalize = |v: &Option<Value>| v.clone().map(|v| normalize_body(v, ty.as_ref()));
    let (want_body, got_body) = (normalize(&want.body), normalize(&body));
    if want_body != got_body {
        return Some(format!(
            "{method} {path}: body differs\n  recorded: {}\n  sent:     {}",
            want_body.map(|v| v.to_string()).unwrap_or_default(),
            got_body.map(|v| v.to_string()).unwrap_or_default()
        ));
    }
    None
}

impl Replay {
    /// Starts a server for `tests/har/<name>.har`.
    pub async fn start(name: &str) -> Replay {
        let server = MockServer::start().await;
        let state = Arc::new(State {
            exchanges: scenario(name),
            next: AtomicUsize::new(0),
            failures: Mutex::new(Vec::new()),
            origin: Mutex::new(server.uri()),
        });
        Mock::given(wiremock::matchers::any())
            .respond_with(Responder(state.clone()))
            .mount(&server)
            .await;
        Replay { server, state }
    }

    /// A client for the replay server, with an API token.
    pub fn client(&self) -> okta_api::Client {
        okta_api::Client::builder()
            .org_url(self.server.uri())
            .api_token("replay-token")
            .build()
            .expect("a loopback client builds")
    }

    /// Fails unless every recorded request was made, in order, as recorded.
    pub fn finish(self) {
        let failures = self.state.failures.lock().unwrap().clone();
        let made = self.state.next.load(Ordering::SeqCst);
        let recorded = self.state.exchanges.len();
        assert!(failures.is_empty(), "replay mismatches:\n{}", failures.join("\n"));
        assert_eq!(
            made, recorded,
            "the scenario recorded {recorded} requests; {made} were made"
        );
    }
}

/// The request body type of the operation `method path` matches, by the IR.
pub fn request_body_type(method: &str, path: &str) -> Option<TypeRef> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    legacy_api()
        .operations()
        .filter(|(_, op)| op.method.as_str() == method)
        .filter_map(|(_, op)| {
            let template: Vec<&str> = op.path.trim_matches('/').split('/').collect();
            let literal = template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s);
            literal.then(|| (template.iter().filter(|t| !t.starts_with('{')).count(), op))
        })
        .max_by_key(|(literal, _)| *literal)
        .and_then(|(_, op)| op.body.as_ref().map(|b| b.ty.clone()))
}

/// What a body comparison ignores: properties the spec marks read-only
/// (Okta ignores them on writes, and an SDK that read a resource sends them
/// back), and `null` values (the SDK reads an explicit `null` in a property
/// the spec does not mark nullable as absent; in the recorded full-replacement
/// PUTs both mean "no value").
pub fn normalize_body(mut value: Value, ty: Option<&TypeRef>) -> Value {
    if let Some(ty) = ty {
        strip_read_only(&mut value, ty, legacy_api());
    }
    strip_nulls(&mut value);
    value
}

fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

fn strip_read_only(value: &mut Value, ty: &TypeRef, api: &Api) {
    match (ty, value) {
        (TypeRef::Array(inner), Value::Array(items)) => {
            items.iter_mut().for_each(|v| strip_read_only(v, inner, api))
        }
        (TypeRef::Map(inner), Value::Object(map)) => {
            map.values_mut().for_each(|v| strip_read_only(v, inner, api))
        }
        (TypeRef::Named(name), value) => match api.model(name).map(|m| &m.kind) {
            Some(ModelKind::Struct(s)) => {
                if let Value::Object(map) = value {
                    for f in &s.fields {
                        if f.read_only {
                            map.shift_remove(f.wire.as_str());
                        } else if let Some(v) = map.get_mut(f.wire.as_str()) {
                            strip_read_only(v, &f.ty, api);
                        }
                    }
                }
            }
            Some(ModelKind::Union(u)) => {
                let tag = value
                    .get(u.property.as_str())
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let target = u
                    .variants
                    .iter()
                    .find(|v| tag.as_ref().is_some_and(|t| v.values.contains(t)))
                    .map(|v| v.ty.clone())
                    .unwrap_or_else(|| u.fallback.clone());
                strip_read_only(value, &TypeRef::Named(target), api);
            }
            Some(ModelKind::Alias(t)) => strip_read_only(value, t, api),
            _ => {}
        },
        _ => {}
    }
}

/// Generated: the example of every operation of the reference pages.
#[path = "generated/legacy_examples.rs"]
#[rustfmt::skip]
pub mod legacy_examples;

/// Generated: the example of every operation of the reference pages.
#[path = "generated/management_examples.rs"]
#[rustfmt::skip]
pub mod management_examples;

/// Generated: one round-trip function per spec module, by schema name.
#[path = "generated/management.rs"]
#[rustfmt::skip]
pub mod management_types;

/// Generated: one round-trip function per spec module, by schema name.
#[path = "generated/legacy.rs"]
#[rustfmt::skip]
pub mod legacy_types;

/// Generated: the example of every operation of the reference pages.
#[path = "generated/oauth_examples.rs"]
#[rustfmt::skip]
pub mod oauth_examples;

/// Generated: one round-trip function per spec module, by schema name.
#[path = "generated/oauth.rs"]
#[rustfmt::skip]
pub mod oauth_types;

/// Generated: the example of every operation of the reference pages.
#[path = "generated/myaccount_examples.rs"]
#[rustfmt::skip]
pub mod myaccount_examples;

/// Generated: one round-trip function per spec module, by schema name.
#[path = "generated/myaccount.rs"]
#[rustfmt::skip]
pub mod myaccount_types;

/// Generated: the example of every operation of the reference pages.
#[path = "generated/governance_examples.rs"]
#[rustfmt::skip]
pub mod governance_examples;

/// Generated: one round-trip function per spec module, by schema name.
#[path = "generated/governance.rs"]
#[rustfmt::skip]
pub mod governance_types;

/// Deserializes `value` into `T` and serializes it back.
pub fn roundtrip<T: serde::de::DeserializeOwned + serde::Serialize>(
    value: Value,
    tolerant: bool,
) -> Result<Value, String> {
    let typed: T = if tolerant {
        okta_api::tolerant::decode(&serde_json::to_vec(&value).map_err(|e| e.to_string())?)
            .map_err(|e| format!("at `{}`: {}", e.path(), e.message()))
    } else {
        serde_path_to_error::deserialize(value).map_err(|e| format!("at `{}`: {}", e.path(), e.inner()))
    }?;
    serde_json::to_value(&typed).map_err(|e| format!("cannot serialise back: {e}"))
}

/// `value` decoded as `T`, as its `Debug` text (which starts with the
/// variant's name for an enum).
pub fn decoded<T: serde::de::DeserializeOwned + std::fmt::Debug>(value: Value) -> Result<String, String> {
    serde_json::from_value::<T>(value)
        .map(|typed| format!("{typed:?}"))
        .map_err(|e| e.to_string())
}

/// JSON paths where `after` lost or changed a non-null value of `before`.
pub fn lost_values(before: &Value, after: &Value) -> Vec<String> {
    let mut out = Vec::new();
    lost_at(before, after, "$", &mut out);
    out
}

fn lost_at(before: &Value, after: &Value, path: &str, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Null, _) => {}
        (Value::Object(b), Value::Object(a)) => {
            for (k, v) in b {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => lost_at(v, av, &p, out),
                    None if v.is_null() => {}
                    None => out.push(format!("{p}: dropped {v}")),
                }
            }
        }
        (Value::Array(b), Value::Array(a)) if b.len() == a.len() => {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                lost_at(bv, av, &format!("{path}[{i}]"), out);
            }
        }
        (b, a) if b == a => {}
        // JSON has one number type: `10` and `10.0` are the same value.
        (Value::Number(b), Value::Number(a)) if b.as_f64() == a.as_f64() => {}
        (b, a) => out.push(format!("{path}: {b} became {a}")),
    }
}
