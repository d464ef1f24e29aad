//! Client configuration: a builder, and loading from the places Okta's
//! official SDKs read (`~/.okta/okta.yaml`, `./.okta.yaml`, `OKTA_CLIENT_*`
//! environment variables), later sources overriding earlier ones. Every
//! setting remembers where it came from, so an invalid one is reported with
//! its source.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::auth::{Credentials, DpopMode, OAuthSettings};
use crate::Error;

/// Defaults, following Okta's official SDKs.
pub mod defaults {
    use std::time::Duration;

    /// `okta.client.connectionTimeout`: 30 seconds in the Java, .NET, Python and Go SDKs.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
    /// `okta.client.rateLimit.maxRetries`: 2, as in the Python and .NET SDKs' configuration references.
    pub const MAX_RETRIES: u32 = 2;
    /// Per-attempt limit (connect, send, read the whole body), so a stalled
    /// server cannot hang a call. The official SDKs have no separate setting.
    pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(60);
    /// `okta.client.requestTimeout` (all attempts of one call): 0, no limit
    /// beyond the attempts, as in the official SDKs.
    pub const REQUEST_TIMEOUT: Option<Duration> = None;
    /// `okta.client.rateLimit.maxWait`: the longest one 429 is waited out
    /// before the call fails with [`Error::RateLimited`](crate::Error::RateLimited).
    /// Okta's rate-limit windows are one minute: a wait for a reset within
    /// the window, plus the one second allowed for clock skew, fits.
    pub const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(61);
    /// The largest success body read (64 MiB), far above Okta's largest
    /// real pages (a few MiB: 1,000 System Log events, 200 users).
    pub const MAX_RESPONSE_SIZE: usize = 64 * 1024 * 1024;
    /// How many empty pages in a row, each with a next link, a stream
    /// follows before it stops with [`Error::Pagination`](crate::Error::Pagination).
    pub const MAX_EMPTY_PAGES: usize = 10;
}

/// Checked settings, from which the client is made.
pub(crate) struct ClientConfig {
    pub org_url: url::Url,
    pub credentials: Credentials,
    pub user_agent: Option<String>,
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub request_timeout: Option<Duration>,
    pub max_retries: u32,
    pub max_rate_limit_wait: Duration,
    pub max_response_size: usize,
    pub prevent_rate_limits: bool,
    pub strict_decoding: bool,
    pub proxy: Option<reqwest::Proxy>,
}

/// How requests are authorised (`okta.client.authorizationMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationMode {
    /// `SSWS`: an API token.
    Ssws,
    /// `Bearer`: an access token obtained elsewhere.
    Bearer,
    /// `PrivateKey`: OAuth 2.0 for a service app (`client_credentials` with a
    /// `private_key_jwt` client assertion).
    PrivateKey,
}

/// A value and where it came from.
#[derive(Clone)]
struct Sourced<T> {
    value: T,
    source: String,
}

impl<T> Sourced<T> {
    fn new(value: T, source: impl Into<String>) -> Self {
        Sourced {
            value,
            source: source.into(),
        }
    }
}

#[derive(Clone, Default)]
struct Settings {
    org_url: Option<Sourced<String>>,
    token: Option<Sourced<SecretString>>,
    authorization_mode: Option<Sourced<String>>,
    client_id: Option<Sourced<String>>,
    scopes: Option<Sourced<Vec<String>>>,
    private_key: Option<Sourced<SecretString>>,
    kid: Option<Sourced<String>>,
    dpop: Option<Sourced<String>>,
    connect_timeout: Option<Sourced<String>>,
    request_timeout: Option<Sourced<String>>,
    max_retries: Option<Sourced<String>>,
    max_rate_limit_wait: Option<Sourced<String>>,
    proxy_host: Option<Sourced<String>>,
    proxy_port: Option<Sourced<String>>,
    proxy_username: Option<Sourced<String>>,
    proxy_password: Option<Sourced<SecretString>>,
}

/// Settings for a [`Client`](crate::Client). Start from
/// [`Client::builder`](crate::Client::builder) (nothing set)
/// or [`ClientBuilder::from_default_sources`] (files and environment), then
/// override what you need and [`build`](ClientBuilder::build).
#[derive(Clone)]
pub struct ClientBuilder {
    settings: Settings,
    user_agent: Option<String>,
    attempt_timeout: Duration,
    max_response_size: usize,
    prevent_rate_limits: bool,
    strict_decoding: bool,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            settings: Settings::default(),
            user_agent: None,
            attempt_timeout: defaults::ATTEMPT_TIMEOUT,
            max_response_size: defaults::MAX_RESPONSE_SIZE,
            prevent_rate_limits: false,
            strict_decoding: false,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("ClientBuilder")
            .field("org_url", &s.org_url.as_ref().map(|v| redact_userinfo(&v.value)))
            .field("token", &s.token.as_ref().map(|_| "<redacted>"))
            .field("client_id", &s.client_id.as_ref().map(|v| &v.value))
            .field("private_key", &s.private_key.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

const BUILDER: &str = "the builder";

/// The `okta.client` section of an `okta.yaml` file.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct YamlClient {
    org_url: Option<String>,
    token: Option<String>,
    authorization_mode: Option<String>,
    client_id: Option<String>,
    scopes: Option<YamlScopes>,
    private_key: Option<String>,
    kid: Option<String>,
    dpop: Option<serde_yaml::Value>,
    connection_timeout: Option<serde_yaml::Value>,
    request_timeout: Option<serde_yaml::Value>,
    rate_limit: Option<YamlRateLimit>,
    proxy: Option<YamlProxy>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum YamlScopes {
    List(Vec<String>),
    Text(String),
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct YamlRateLimit {
    max_retries: Option<serde_yaml::Value>,
    max_wait: Option<serde_yaml::Value>,
}

#[derive(Deserialize, Default)]
struct YamlProxy {
    host: Option<String>,
    port: Option<serde_yaml::Value>,
    username: Option<String>,
    password: Option<String>,
}

#[derive(Deserialize)]
struct YamlRoot {
    okta: Option<YamlOkta>,
}

#[derive(Deserialize)]
struct YamlOkta {
    client: Option<YamlClient>,
}

fn yaml_scalar(v: serde_yaml::Value) -> Option<String> {
    match v {
        serde_yaml::Value::Null => None,
        serde_yaml::Value::String(s) => Some(s),
        serde_yaml::Value::Number(n) => Some(n.to_string()),
        serde_yaml::Value::Bool(b) => Some(b.to_string()),
        other => Some(format!("{other:?}")),
    }
}

fn split_scopes(s: &str) -> Vec<String> {
    s.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

impl ClientBuilder {
    /// Settings from `~/.okta/okta.yaml`, then `./.okta.yaml`, then the
    /// `OKTA_CLIENT_*` environment variables; later sources override earlier
    /// ones. Missing files are skipped; unreadable or malformed ones are errors.
    pub fn from_default_sources() -> Result<Self, Error> {
        let mut builder = ClientBuilder::default();
        let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"));
        if let Some(home) = home {
            builder = builder.yaml_file_if_present(&PathBuf::from(home).join(".okta/okta.yaml"))?;
        }
        builder = builder.yaml_file_if_present(Path::new(".okta.yaml"))?;
        Ok(builder.env_vars(|name| std::env::var(name).ok()))
    }

    /// Applies an `okta.yaml` file if it exists.
    pub fn yaml_file_if_present(self, path: &Path) -> Result<Self, Error> {
        match std::fs::read_to_string(path) {
            Ok(text) => self.yaml(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(self),
            Err(e) => Err(Error::Config(format!("{}: cannot read: {e}", path.display()))),
        }
    }

    /// Applies settings from the text of an `okta.yaml` (`okta.client.*`);
    /// `source` names it in errors.
    pub fn yaml(mut self, text: &str, source: &str) -> Result<Self, Error> {
        let root: YamlRoot = serde_yaml::from_str(text)
            .map_err(|e| Error::Config(format!("{source}: invalid okta.yaml: {e}")))?;
        let Some(c) = root.okta.and_then(|o| o.client) else {
            return Ok(self);
        };
        let s = &mut self.settings;
        let at = |key: &str| format!("{source} (okta.client.{key})");
        let set = |slot: &mut Option<Sourced<String>>, v: Option<String>, key: &str| {
            if let Some(v) = v {
                *slot = Some(Sourced::new(v, at(key)));
            }
        };
        set(&mut s.org_url, c.org_url, "orgUrl");
        set(
            &mut s.authorization_mode,
            c.authorization_mode,
            "authorizationMode",
        );
        set(&mut s.client_id, c.client_id, "clientId");
        set(&mut s.kid, c.kid, "kid");
        set(&mut s.dpop, c.dpop.and_then(yaml_scalar), "dpop");
        set(
            &mut s.connect_timeout,
            c.connection_timeout.and_then(yaml_scalar),
            "connectionTimeout",
        );
        set(
            &mut s.request_timeout,
            c.request_timeout.and_then(yaml_scalar),
            "requestTimeout",
        );
        let rate_limit = c.rate_limit.unwrap_or_default();
        set(
            &mut s.max_retries,
            rate_limit.max_retries.and_then(yaml_scalar),
            "rateLimit.maxRetries",
        );
        set(
            &mut s.max_rate_limit_wait,
            rate_limit.max_wait.and_then(yaml_scalar),
            "rateLimit.maxWait",
        );
        if let Some(t) = c.token {
            s.token = Some(Sourced::new(SecretString::from(t), at("token")));
        }
        if let Some(k) = c.private_key {
            s.private_key = Some(Sourced::new(SecretString::from(k), at("privateKey")));
        }
        if let Some(scopes) = c.scopes {
            let list = match scopes {
                YamlScopes::List(l) => l,
                YamlScopes::Text(t) => split_scopes(&t),
            };
            s.scopes = Some(Sourced::new(list, at("scopes")));
        }
        if let Some(p) = c.proxy {
            set(&mut s.proxy_host, p.host, "proxy.host");
            set(&mut s.proxy_port, p.port.and_then(yaml_scalar), "proxy.port");
            set(&mut s.proxy_username, p.username, "proxy.username");
            if let Some(pw) = p.password {
                s.proxy_password = Some(Sourced::new(SecretString::from(pw), at("proxy.password")));
            }
        }
        Ok(self)
    }

    /// Applies `OKTA_CLIENT_*` variables read through `get` (the process
    /// environment in [`from_default_sources`](Self::from_default_sources)).
    pub fn env_vars(mut self, get: impl Fn(&str) -> Option<String>) -> Self {
        let s = &mut self.settings;
        let var = |name: &str| {
            get(name)
                .filter(|v| !v.is_empty())
                .map(|v| (v, format!("env {name}")))
        };
        let plain = |slot: &mut Option<Sourced<String>>, name: &str| {
            if let Some((v, src)) = var(name) {
                *slot = Some(Sourced::new(v, src));
            }
        };
        plain(&mut s.org_url, "OKTA_CLIENT_ORGURL");
        plain(&mut s.authorization_mode, "OKTA_CLIENT_AUTHORIZATIONMODE");
        plain(&mut s.client_id, "OKTA_CLIENT_CLIENTID");
        plain(&mut s.kid, "OKTA_CLIENT_KID");
        plain(&mut s.dpop, "OKTA_CLIENT_DPOP");
        plain(&mut s.connect_timeout, "OKTA_CLIENT_CONNECTIONTIMEOUT");
        plain(&mut s.request_timeout, "OKTA_CLIENT_REQUESTTIMEOUT");
        plain(&mut s.max_retries, "OKTA_CLIENT_RATELIMIT_MAXRETRIES");
        plain(&mut s.max_rate_limit_wait, "OKTA_CLIENT_RATELIMIT_MAXWAIT");
        plain(&mut s.proxy_host, "OKTA_CLIENT_PROXY_HOST");
        plain(&mut s.proxy_port, "OKTA_CLIENT_PROXY_PORT");
        plain(&mut s.proxy_username, "OKTA_CLIENT_PROXY_USERNAME");
        let secret = |slot: &mut Option<Sourced<SecretString>>, name: &str| {
            if let Some((v, src)) = var(name) {
                *slot = Some(Sourced::new(SecretString::from(v), src));
            }
        };
        secret(&mut s.token, "OKTA_CLIENT_TOKEN");
        secret(&mut s.private_key, "OKTA_CLIENT_PRIVATEKEY");
        secret(&mut s.proxy_password, "OKTA_CLIENT_PROXY_PASSWORD");
        if let Some((v, src)) = var("OKTA_CLIENT_SCOPES") {
            s.scopes = Some(Sourced::new(split_scopes(&v), src));
        }
        self
    }

    /// The org's base URL, e.g. `https://dev-123456.okta.com`. Must be https
    /// (plain http is accepted for loopback addresses only, for tests).
    pub fn org_url(mut self, url: impl Into<String>) -> Self {
        self.settings.org_url = Some(Sourced::new(url.into(), BUILDER));
        self
    }

    /// Authorise with an API token (`Authorization: SSWS <token>`).
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.settings.token = Some(Sourced::new(SecretString::from(token.into()), BUILDER));
        self.settings.authorization_mode = Some(Sourced::new("SSWS".into(), BUILDER));
        self
    }

    /// Authorise with an OAuth 2.0 access token obtained elsewhere
    /// (`Authorization: Bearer <token>`).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.settings.token = Some(Sourced::new(SecretString::from(token.into()), BUILDER));
        self.settings.authorization_mode = Some(Sourced::new("Bearer".into(), BUILDER));
        self
    }

    /// Authorise as an OAuth 2.0 service app: `client_credentials` at
    /// `{org}/oauth2/v1/token` with a `private_key_jwt` assertion signed by
    /// `private_key`: an RSA or EC (P-256, P-384) key as PEM (PKCS#8,
    /// PKCS#1 or SEC1), as a JWK (the JSON the Admin Console downloads), or
    /// the path of a file holding either. The scopes are the ones granted
    /// to the app; DPoP is used when Okta asks for it (see [`dpop`](Self::dpop)).
    pub fn private_key(
        mut self,
        client_id: impl Into<String>,
        scopes: impl IntoIterator<Item = impl Into<String>>,
        private_key: impl Into<String>,
    ) -> Self {
        let s = &mut self.settings;
        s.client_id = Some(Sourced::new(client_id.into(), BUILDER));
        s.scopes = Some(Sourced::new(
            scopes.into_iter().map(Into::into).collect(),
            BUILDER,
        ));
        s.private_key = Some(Sourced::new(SecretString::from(private_key.into()), BUILDER));
        s.authorization_mode = Some(Sourced::new("PrivateKey".into(), BUILDER));
        self
    }

    /// Whether a service app uses DPoP (default [`DpopMode::Auto`]: when
    /// Okta asks for it). Also `okta.client.dpop` and `OKTA_CLIENT_DPOP`
    /// (`auto`, `true`, `false`).
    pub fn dpop(mut self, mode: DpopMode) -> Self {
        let value = match mode {
            DpopMode::Always => "always",
            DpopMode::Never => "never",
            _ => "auto",
        };
        self.settings.dpop = Some(Sourced::new(value.into(), BUILDER));
        self
    }

    /// The key id (`kid`) put in the client assertion's header (default:
    /// the JWK's own `kid`, when the key is a JWK).
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.settings.kid = Some(Sourced::new(kid.into(), BUILDER));
        self
    }

    /// Appended to the default `User-Agent`.
    pub fn user_agent(mut self, extra: impl Into<String>) -> Self {
        self.user_agent = Some(extra.into());
        self
    }

    /// How long establishing a connection may take (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = Some(Sourced::new(format!("{}ms", timeout.as_millis()), BUILDER));
        self
    }

    /// How long one call may take in all, retries and waits included
    /// (default: no limit beyond the retries).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.settings.request_timeout = Some(Sourced::new(format!("{}ms", timeout.as_millis()), BUILDER));
        self
    }

    /// How long one HTTP attempt may take, body included (default 60 s).
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// How many times a call is retried after a 429 or a transient failure
    /// (default 2, at most 100).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.settings.max_retries = Some(Sourced::new(retries.to_string(), BUILDER));
        self
    }

    /// The longest wait for one 429 (default 61 s, at most an hour). A 429
    /// that asks for longer fails the call at once with
    /// [`Error::RateLimited`], which carries the reset time; zero never waits.
    pub fn max_rate_limit_wait(mut self, wait: Duration) -> Self {
        self.settings.max_rate_limit_wait = Some(Sourced::new(format!("{}ms", wait.as_millis()), BUILDER));
        self
    }

    /// The largest success body read, in bytes (default 64 MiB). A larger
    /// one fails with [`Error::ResponseTooLarge`] after at most this much
    /// was read, whatever its `Content-Length` says.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Throttles before Okta does (off by default), like the Go SDK's
    /// `WithRateLimitPrevent`: after a response that said
    /// `X-Rate-Limit-Remaining: 0`, the next call to the same endpoint
    /// (method and path template) waits for its reset, within the wait
    /// bound, instead of drawing a 429.
    pub fn prevent_rate_limits(mut self, prevent: bool) -> Self {
        self.prevent_rate_limits = prevent;
        self
    }

    /// Fails a response in which a property does not fit its declared type
    /// (off by default), as a test that validates Okta's responses wants.
    /// By default such a property is set aside instead: it reads as unset,
    /// is kept verbatim in its struct's `additional_properties` (so a
    /// read-modify-write loses nothing), and is reported as a `tracing`
    /// warning with its JSON path; the rest of the response decodes.
    pub fn strict_decoding(mut self, strict: bool) -> Self {
        self.strict_decoding = strict;
        self
    }

    /// Sends requests through an HTTP(S) proxy.
    pub fn proxy(mut self, host: impl Into<String>, port: u16) -> Self {
        self.settings.proxy_host = Some(Sourced::new(host.into(), BUILDER));
        self.settings.proxy_port = Some(Sourced::new(port.to_string(), BUILDER));
        self
    }

    /// Checks the settings ([`build`](Self::build) makes the client of them).
    pub(crate) fn into_config(self) -> Result<ClientConfig, Error> {
        let s = self.settings;
        let org = s.org_url.ok_or_else(|| {
            Error::Config("orgUrl is not set (builder, okta.yaml or OKTA_CLIENT_ORGURL)".into())
        })?;
        let org_url = parse_org_url(&org)?;
        let mode = match &s.authorization_mode {
            None => AuthorizationMode::Ssws,
            Some(m) => match m.value.to_ascii_lowercase().as_str() {
                "ssws" => AuthorizationMode::Ssws,
                "bearer" => AuthorizationMode::Bearer,
                "privatekey" => AuthorizationMode::PrivateKey,
                other => {
                    return Err(invalid(
                        "authorizationMode",
                        m,
                        &format!("{other:?} is not one of SSWS, Bearer, PrivateKey"),
                    ))
                }
            },
        };
        let credentials = match mode {
            AuthorizationMode::Ssws | AuthorizationMode::Bearer => {
                let token = s.token.ok_or_else(|| {
                    Error::Config("token is not set (builder, okta.yaml or OKTA_CLIENT_TOKEN)".into())
                })?;
                if token.value.expose_secret().trim().is_empty() {
                    return Err(Error::Config(format!("token (from {}) is empty", token.source)));
                }
                if mode == AuthorizationMode::Ssws {
                    Credentials::ApiToken(token.value)
                } else {
                    Credentials::BearerToken(token.value)
                }
            }
            AuthorizationMode::PrivateKey => {
                let client_id = s.client_id.ok_or_else(|| {
                    Error::Config("clientId is not set; PrivateKey authorization needs it".into())
                })?;
                let key = s.private_key.ok_or_else(|| {
                    Error::Config("privateKey is not set; PrivateKey authorization needs it".into())
                })?;
                let text = read_private_key(&key)?;
                let mut signing = crate::keys::parse_private_key(text.expose_secret())
                    .map_err(|e| Error::Config(format!("privateKey (from {}): {e}", key.source)))?;
                if let Some(kid) = s.kid {
                    signing.kid = Some(kid.value);
                }
                let scopes = s.scopes.filter(|v| !v.value.is_empty()).ok_or_else(|| {
                    Error::Config(
                        "scopes is not set (builder, okta.client.scopes or OKTA_CLIENT_SCOPES); \
                         PrivateKey authorization requests exactly the scopes granted to the app"
                            .into(),
                    )
                })?;
                let dpop = match &s.dpop {
                    None => DpopMode::Auto,
                    Some(v) => match v.value.trim().to_ascii_lowercase().as_str() {
                        "auto" => DpopMode::Auto,
                        "true" | "always" => DpopMode::Always,
                        "false" | "never" => DpopMode::Never,
                        _ => {
                            return Err(invalid(
                                "dpop",
                                v,
                                "is not one of auto, true (always), false (never)",
                            ))
                        }
                    },
                };
                let settings = OAuthSettings::new(client_id.value, scopes.value, signing, &org_url, dpop)
                    .map_err(|e| Error::Config(format!("privateKey (from {}): {e}", key.source)))?;
                Credentials::PrivateKey(Box::new(settings))
            }
        };
        let connect_timeout = duration(&s.connect_timeout, "connectionTimeout", HOUR, false)?
            .unwrap_or(defaults::CONNECT_TIMEOUT);
        let request_timeout = duration(&s.request_timeout, "requestTimeout", DAY, true)?
            .filter(|d| !d.is_zero())
            .or(defaults::REQUEST_TIMEOUT);
        let max_rate_limit_wait = duration(&s.max_rate_limit_wait, "rateLimit.maxWait", HOUR, true)?
            .unwrap_or(defaults::MAX_RATE_LIMIT_WAIT);
        let max_retries = match &s.max_retries {
            None => defaults::MAX_RETRIES,
            Some(v) => v
                .value
                .trim()
                .parse()
                .ok()
                .filter(|n| *n <= MAX_RETRIES_LIMIT)
                .ok_or_else(|| invalid("rateLimit.maxRetries", v, "is not a whole number from 0 to 100"))?,
        };
        if self.attempt_timeout.is_zero() || self.attempt_timeout > DAY {
            return Err(Error::Config(
                "attemptTimeout (from the builder) must be more than zero and at most a day".into(),
            ));
        }
        if self.max_response_size == 0 {
            return Err(Error::Config(
                "maxResponseSize (from the builder) must be more than zero".into(),
            ));
        }
        let proxy = match &s.proxy_host {
            None => None,
            Some(host) => {
                let port = match &s.proxy_port {
                    Some(p) => p
                        .value
                        .trim()
                        .parse::<u16>()
                        .map_err(|_| invalid("proxy.port", p, "is not a port number"))?,
                    None => 80,
                };
                let url = if host.value.contains("://") {
                    format!("{}:{port}", host.value)
                } else {
                    format!("http://{}:{port}", host.value)
                };
                let mut proxy =
                    reqwest::Proxy::all(&url).map_err(|e| invalid("proxy.host", host, &e.to_string()))?;
                if let (Some(user), Some(pass)) = (&s.proxy_username, &s.proxy_password) {
                    proxy = proxy.basic_auth(&user.value, pass.value.expose_secret());
                }
                Some(proxy)
            }
        };
        Ok(ClientConfig {
            org_url,
            credentials,
            user_agent: self.user_agent,
            connect_timeout,
            attempt_timeout: self.attempt_timeout,
            request_timeout,
            max_retries,
            max_rate_limit_wait,
            max_response_size: self.max_response_size,
            prevent_rate_limits: self.prevent_rate_limits,
            strict_decoding: self.strict_decoding,
            proxy,
        })
    }
}

fn invalid<T>(setting: &str, value: &Sourced<T>, problem: &str) -> Error {
    Error::Config(format!("{setting} (from {}) {problem}", value.source))
}

fn parse_org_url(org: &Sourced<String>) -> Result<url::Url, Error> {
    let raw = org.value.trim();
    if raw.contains("{yourOktaDomain}") {
        return Err(invalid(
            "orgUrl",
            org,
            "still contains the {yourOktaDomain} placeholder",
        ));
    }
    let mut url = url::Url::parse(raw).map_err(|e| invalid("orgUrl", org, &format!("is not a URL: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        // The value is not repeated: it holds a password.
        return Err(invalid(
            "orgUrl",
            org,
            "must not contain a user name or password (credentials are configured separately)",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("orgUrl", org, "must not have a query or a fragment"));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(invalid(
            "orgUrl",
            org,
            "must use https (http is allowed only for loopback addresses)",
        ));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
const MAX_RETRIES_LIMIT: u32 = 100;

/// Timeouts are whole seconds in okta.yaml and the environment (as in the
/// official SDKs); the builder records milliseconds with an `ms` suffix.
/// A value must be at most `max`, and zero only where `zero_ok`.
fn duration(
    value: &Option<Sourced<String>>,
    setting: &str,
    max: Duration,
    zero_ok: bool,
) -> Result<Option<Duration>, Error> {
    let Some(v) = value else { return Ok(None) };
    let text = v.value.trim();
    let parsed = match text.strip_suffix("ms") {
        Some(ms) => ms.parse::<u64>().map(Duration::from_millis),
        None => text.parse::<u64>().map(Duration::from_secs),
    };
    let lowest = if zero_ok { 0 } else { 1 };
    parsed
        .ok()
        .filter(|d| *d <= max && (zero_ok || !d.is_zero()))
        .map(Some)
        .ok_or_else(|| {
            invalid(
                setting,
                v,
                &format!(
                    "is not a whole number of seconds from {lowest} to {}",
                    max.as_secs()
                ),
            )
        })
}

/// An org URL for `Debug`, without the password it should not hold.
fn redact_userinfo(raw: &str) -> String {
    match url::Url::parse(raw.trim()) {
        Ok(url) if !url.username().is_empty() || url.password().is_some() => crate::runtime::redacted(&url),
        Ok(_) => raw.to_string(),
        Err(_) if raw.contains('@') => "<unparsable, redacted>".into(),
        Err(_) => raw.to_string(),
    }
}

/// The key itself when the setting holds PEM or a JWK, else the file it names.
fn read_private_key(key: &Sourced<SecretString>) -> Result<SecretString, Error> {
    let value = key.value.expose_secret();
    if value.contains("-----BEGIN") || value.trim_start().starts_with('{') {
        return Ok(key.value.clone());
    }
    std::fs::read_to_string(value.trim())
        .map(SecretString::from)
        .map_err(|e| {
            Error::Config(format!(
                "privateKey (from {}) is neither PEM, nor a JWK, nor a readable file: {e}",
                key.source
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A service app's key, as the path of a JWK file (its `kid` is `test-ec-key`).
    const JWK_PATH: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../okta-api/tests/keys/ec-private.jwk.json"
    );

    fn token_app() -> ClientBuilder {
        ClientBuilder::default()
            .org_url("https://dev-1.okta.com")
            .api_token("t")
    }

    fn service_app() -> ClientBuilder {
        ClientBuilder::default()
            .org_url("https://dev-1.okta.com")
            .private_key("0oa1", ["okta.users.read"], JWK_PATH)
    }

    fn config(builder: ClientBuilder) -> ClientConfig {
        builder.into_config().unwrap_or_else(|e| panic!("rejected: {e}"))
    }

    fn rejected(builder: ClientBuilder) -> String {
        match builder.into_config() {
            Ok(_) => panic!("accepted"),
            Err(e) => e.to_string(),
        }
    }

    /// `builder` with one `OKTA_CLIENT_*` variable set.
    fn with_env(builder: ClientBuilder, name: &str, value: &str) -> ClientBuilder {
        builder.env_vars(|n| (n == name).then(|| value.to_string()))
    }

    fn credentials(builder: ClientBuilder) -> String {
        format!("{:?}", config(builder).credentials)
    }

    #[test]
    fn unset_settings_take_the_documented_defaults() {
        let c = config(token_app());
        assert_eq!(c.org_url.as_str(), "https://dev-1.okta.com/");
        assert!(matches!(c.credentials, Credentials::ApiToken(_)));
        assert_eq!(c.connect_timeout, Duration::from_secs(30));
        assert_eq!(c.attempt_timeout, Duration::from_secs(60));
        assert_eq!(c.request_timeout, None);
        assert_eq!(c.max_retries, 2);
        assert_eq!(c.max_rate_limit_wait, Duration::from_secs(61));
        assert_eq!(c.max_response_size, 67_108_864);
        assert!(!c.prevent_rate_limits);
        assert!(c.user_agent.is_none() && c.proxy.is_none());
    }

    #[test]
    fn every_builder_setting_reaches_the_config() {
        let c = config(
            token_app()
                .user_agent("app/1")
                .connect_timeout(Duration::from_millis(1500))
                .request_timeout(Duration::from_secs(90))
                .attempt_timeout(Duration::from_secs(5))
                .max_retries(7)
                .max_rate_limit_wait(Duration::from_secs(3))
                .max_response_size(1024)
                .prevent_rate_limits(true)
                .proxy("proxy.example", 3128),
        );
        assert_eq!(c.user_agent.as_deref(), Some("app/1"));
        assert_eq!(c.connect_timeout, Duration::from_millis(1500));
        assert_eq!(c.request_timeout, Some(Duration::from_secs(90)));
        assert_eq!(c.attempt_timeout, Duration::from_secs(5));
        assert_eq!(c.max_retries, 7);
        assert_eq!(c.max_rate_limit_wait, Duration::from_secs(3));
        assert_eq!(c.max_response_size, 1024);
        assert!(c.prevent_rate_limits);
        let proxy = format!("{:?}", c.proxy.expect("a proxy"));
        assert!(
            proxy.contains("Domain(\"proxy.example\")") && proxy.contains("port: Some(3128)"),
            "{proxy}"
        );
        let bearer = config(token_app().bearer_token("b"));
        assert!(matches!(bearer.credentials, Credentials::BearerToken(_)));
    }

    #[test]
    fn a_service_app_keeps_its_dpop_mode_and_kid() {
        let debug = credentials(service_app());
        assert!(
            debug.contains("dpop: Auto") && debug.contains("kid: Some(\"test-ec-key\")"),
            "{debug}"
        );
        for (mode, shown) in [
            (DpopMode::Always, "dpop: Always"),
            (DpopMode::Never, "dpop: Never"),
            (DpopMode::Auto, "dpop: Auto"),
        ] {
            let debug = credentials(service_app().dpop(mode));
            assert!(debug.contains(shown), "{debug}");
        }
        for (value, shown) in [
            ("auto", "dpop: Auto"),
            ("TRUE", "dpop: Always"),
            ("always", "dpop: Always"),
            ("false", "dpop: Never"),
            (" never ", "dpop: Never"),
        ] {
            let debug = credentials(with_env(service_app(), "OKTA_CLIENT_DPOP", value));
            assert!(debug.contains(shown), "{value:?}: {debug}");
        }
        let debug = credentials(service_app().kid("rotated"));
        assert!(debug.contains("kid: Some(\"rotated\")"), "{debug}");
    }

    #[test]
    fn yaml_scalars_and_scope_lists_are_read() {
        let yaml = format!(
            "okta:\n  client:\n    orgUrl: https://dev-1.okta.com\n    authorizationMode: PrivateKey\n    clientId: 0oa1\n    privateKey: {JWK_PATH}\n    scopes: \"okta.users.read, okta.apps.read\"\n    dpop: true\n    connectionTimeout: 12\n    requestTimeout: 0\n    rateLimit:\n      maxRetries: 5\n      maxWait: 7\n"
        );
        let c = config(ClientBuilder::default().yaml(&yaml, "okta.yaml").unwrap());
        let debug = format!("{:?}", c.credentials);
        assert!(
            debug.contains("scopes: [\"okta.users.read\", \"okta.apps.read\"]")
                && debug.contains("dpop: Always"),
            "{debug}"
        );
        assert_eq!(c.connect_timeout, Duration::from_secs(12));
        assert_eq!(c.request_timeout, None, "zero is no limit");
        assert_eq!(c.max_retries, 5);
        assert_eq!(c.max_rate_limit_wait, Duration::from_secs(7));
        let list = "okta:\n  client:\n    scopes: [okta.users.read, okta.apps.read]\n";
        let debug = credentials(service_app().yaml(list, "okta.yaml").unwrap());
        assert!(
            debug.contains("scopes: [\"okta.users.read\", \"okta.apps.read\"]"),
            "{debug}"
        );
        let debug = credentials(with_env(service_app(), "OKTA_CLIENT_SCOPES", "a,b c"));
        assert!(debug.contains("scopes: [\"a\", \"b\", \"c\"]"), "{debug}");
    }

    #[test]
    fn empty_environment_variables_are_ignored() {
        let c =
            config(token_app().env_vars(|name| {
                matches!(name, "OKTA_CLIENT_ORGURL" | "OKTA_CLIENT_TOKEN").then(String::new)
            }));
        assert_eq!(c.org_url.as_str(), "https://dev-1.okta.com/");
    }

    #[test]
    fn a_missing_file_is_skipped_and_an_unreadable_one_is_an_error() {
        let missing = token_app().yaml_file_if_present(Path::new("/nonexistent/okta.yaml"));
        assert_eq!(config(missing.unwrap()).max_retries, 2);
        let file = std::env::temp_dir().join(format!("okta-config-unit-{}.yaml", std::process::id()));
        std::fs::write(&file, "okta:\n  client:\n    rateLimit:\n      maxRetries: 9\n").unwrap();
        let present = token_app().yaml_file_if_present(&file);
        std::fs::remove_file(&file).unwrap();
        assert_eq!(config(present.unwrap()).max_retries, 9);
        // A directory cannot be read as text.
        let err = token_app()
            .yaml_file_if_present(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
    }

    #[test]
    fn durations_and_retries_are_accepted_up_to_their_bounds() {
        let c = config(with_env(token_app(), "OKTA_CLIENT_CONNECTIONTIMEOUT", "3600"));
        assert_eq!(c.connect_timeout, Duration::from_secs(3600));
        let c = config(with_env(token_app(), "OKTA_CLIENT_REQUESTTIMEOUT", "86400"));
        assert_eq!(c.request_timeout, Some(Duration::from_secs(86_400)));
        let c = config(with_env(token_app(), "OKTA_CLIENT_RATELIMIT_MAXWAIT", "0"));
        assert_eq!(c.max_rate_limit_wait, Duration::ZERO);
        let c = config(with_env(token_app(), "OKTA_CLIENT_RATELIMIT_MAXRETRIES", "100"));
        assert_eq!(c.max_retries, 100);
        for (name, value, message) in [
            ("OKTA_CLIENT_CONNECTIONTIMEOUT", "3601", "from 1 to 3600"),
            ("OKTA_CLIENT_CONNECTIONTIMEOUT", "0", "from 1 to 3600"),
            ("OKTA_CLIENT_REQUESTTIMEOUT", "86401", "from 0 to 86400"),
            ("OKTA_CLIENT_RATELIMIT_MAXWAIT", "3601", "from 0 to 3600"),
            ("OKTA_CLIENT_RATELIMIT_MAXRETRIES", "101", "from 0 to 100"),
        ] {
            let err = rejected(with_env(token_app(), name, value));
            assert!(
                err.contains(&format!("(from env {name})")) && err.contains(message),
                "{err}"
            );
        }
        let day = Duration::from_secs(86_400);
        assert_eq!(config(token_app().attempt_timeout(day)).attempt_timeout, day);
        for timeout in [Duration::ZERO, day + Duration::from_millis(1)] {
            assert!(rejected(token_app().attempt_timeout(timeout)).contains("attemptTimeout"));
        }
        assert!(rejected(token_app().max_response_size(0)).contains("maxResponseSize"));
    }

    #[test]
    fn org_urls_are_checked_and_end_with_a_slash() {
        for (raw, url) in [
            ("https://dev-1.okta.com", "https://dev-1.okta.com/"),
            (" https://example.com/okta ", "https://example.com/okta/"),
            ("https://example.com/okta/", "https://example.com/okta/"),
            ("http://localhost:8080", "http://localhost:8080/"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
            ("http://[::1]:8080", "http://[::1]:8080/"),
        ] {
            assert_eq!(config(token_app().org_url(raw)).org_url.as_str(), url, "{raw:?}");
        }
        for (raw, problem) in [
            ("https://ada@dev-1.okta.com", "user name or password"),
            ("https://:hunter2@dev-1.okta.com", "user name or password"),
            ("https://dev-1.okta.com/?x=1", "query or a fragment"),
            ("https://dev-1.okta.com/#top", "query or a fragment"),
            ("http://dev-1.okta.com", "must use https"),
            ("ftp://127.0.0.1", "must use https"),
            ("dev-1.okta.com", "is not a URL"),
        ] {
            let err = rejected(token_app().org_url(raw));
            assert!(err.contains(problem), "{raw:?}: {err}");
        }
    }

    #[test]
    fn the_builders_debug_shows_the_settings_but_no_secret() {
        let debug = format!(
            "{:?}",
            ClientBuilder::default()
                .org_url("https://dev-1.okta.com")
                .private_key("0oa1", ["okta.users.read"], "PEM-TEXT")
        );
        assert!(
            debug.contains("org_url: Some(\"https://dev-1.okta.com\")")
                && debug.contains("client_id: Some(\"0oa1\")")
                && debug.contains("private_key: Some(\"<redacted>\")")
                && !debug.contains("PEM-TEXT"),
            "{debug}"
        );
        let org_url = |raw: &str| format!("{:?}", ClientBuilder::default().org_url(raw));
        for (raw, hidden) in [
            ("https://ada:hunter2@dev-1.okta.com", "hunter2"),
            ("https://ada@dev-1.okta.com", "ada"),
            ("https://:hunter2@dev-1.okta.com", "hunter2"),
            ("hunter2@dev 1.okta.com", "hunter2"),
        ] {
            let debug = org_url(raw);
            assert!(
                debug.contains("org_url: Some(") && !debug.contains(hidden),
                "{debug}"
            );
        }
        // An unparsable value without user info is shown as it is.
        assert!(org_url("dev 1.okta.com").contains("Some(\"dev 1.okta.com\")"));
    }
}
