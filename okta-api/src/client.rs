//! The client: configuration, credentials and the one request pipeline every
//! generated operation goes through.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use secrecy::{ExposeSecret, SecretString};
use tracing::Instrument;
use url::Url;

use crate::runtime::{Request, Response};
use crate::Error;

/// The `User-Agent` every request carries: crate, version and Rust version.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "okta-sdk-rust/",
    env!("CARGO_PKG_VERSION"),
    " rust/",
    env!("OKTA_API_RUSTC_VERSION")
);

/// How requests are authorised.
#[derive(Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// An API token: `Authorization: SSWS <token>`.
    ApiToken(SecretString),
    /// An OAuth 2.0 access token obtained elsewhere: `Authorization: Bearer <token>`.
    BearerToken(SecretString),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Credentials::BearerToken(_) => f.write_str("BearerToken(<redacted>)"),
        }
    }
}

impl Credentials {
    fn header_value(&self) -> Result<HeaderValue, Error> {
        let (scheme, secret) = match self {
            Credentials::ApiToken(t) => ("SSWS", t),
            Credentials::BearerToken(t) => ("Bearer", t),
        };
        let mut value = HeaderValue::from_str(&format!("{scheme} {}", secret.expose_secret()))
            .map_err(|_| Error::Config("the token contains characters not allowed in a header".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Settings for a [`Client`]; build one with [`Client::builder`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    org_url: Option<String>,
    credentials: Option<Credentials>,
    user_agent: Option<String>,
    connect_timeout: Duration,
    request_timeout: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            org_url: None,
            credentials: None,
            user_agent: None,
            connect_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl ClientBuilder {
    /// The org's base URL, e.g. `https://dev-123456.okta.com`. Must be https
    /// (plain http is accepted for loopback addresses only, for tests).
    pub fn org_url(mut self, url: impl Into<String>) -> Self {
        self.org_url = Some(url.into());
        self
    }

    /// Authorise with an API token (`Authorization: SSWS <token>`).
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::ApiToken(SecretString::from(token.into())));
        self
    }

    /// Authorise with an OAuth 2.0 access token (`Authorization: Bearer <token>`).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials = Some(Credentials::BearerToken(SecretString::from(token.into())));
        self
    }

    /// Appended to the default `User-Agent`.
    pub fn user_agent(mut self, extra: impl Into<String>) -> Self {
        self.user_agent = Some(extra.into());
        self
    }

    /// How long establishing a connection may take (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one request, body included, may take (default 60 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let raw = self
            .org_url
            .ok_or_else(|| Error::Config("org_url is not set".into()))?;
        if raw.contains("{yourOktaDomain}") {
            return Err(Error::Config(format!(
                "org_url {raw:?} still contains the {{yourOktaDomain}} placeholder"
            )));
        }
        let mut org_url =
            Url::parse(&raw).map_err(|e| Error::Config(format!("org_url {raw:?} is not a URL: {e}")))?;
        let loopback = matches!(org_url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
        if org_url.scheme() != "https" && !(org_url.scheme() == "http" && loopback) {
            return Err(Error::Config(format!(
                "org_url {raw:?} must use https (http is allowed only for loopback addresses)"
            )));
        }
        if !org_url.path().ends_with('/') {
            let path = format!("{}/", org_url.path());
            org_url.set_path(&path);
        }
        let credentials = self
            .credentials
            .ok_or_else(|| Error::Config("no credentials: set api_token or bearer_token".into()))?;
        let token_ok = match &credentials {
            Credentials::ApiToken(t) | Credentials::BearerToken(t) => !t.expose_secret().trim().is_empty(),
        };
        if !token_ok {
            return Err(Error::Config("the token is empty".into()));
        }
        let authorization = credentials.header_value()?;
        let user_agent = match self.user_agent {
            Some(extra) => format!("{DEFAULT_USER_AGENT} {extra}"),
            None => DEFAULT_USER_AGENT.to_string(),
        };
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .user_agent(user_agent)
            // Credentials go to the org only: redirects are not followed.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                org_url,
                credentials,
                authorization,
            }),
        })
    }
}

/// A connection to one Okta org. Cheap to clone: clones share the
/// connection pool and configuration.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    org_url: Url,
    credentials: Credentials,
    authorization: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("org_url", &self.inner.org_url.as_str())
            .field("credentials", &self.inner.credentials)
            .finish()
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The org's base URL.
    pub fn org_url(&self) -> &Url {
        &self.inner.org_url
    }

    /// Sends one request through the pipeline: URL, credentials, send,
    /// status check. Decoding is the caller's (typed) step.
    pub(crate) async fn execute(&self, request: Request) -> Result<Response, Error> {
        let operation = request.operation;
        let span = tracing::debug_span!(
            "okta.request",
            operation,
            method = %request.method,
            path = request.path_template,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        async move {
            let url = request.url(&self.inner.org_url)?;
            let mut builder = self.inner.http.request(request.method.clone(), url);
            builder = builder.header(ACCEPT, request.accept.unwrap_or("application/json"));
            if request.with_credentials {
                builder = builder.header(AUTHORIZATION, self.inner.authorization.clone());
            }
            for (name, value) in &request.headers {
                builder = builder.header(name.as_str(), value.as_str());
            }
            if !request.cookies.is_empty() {
                let cookie = request
                    .cookies
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                builder = builder.header(reqwest::header::COOKIE, cookie);
            }
            if let Some((content_type, body)) = request.body {
                builder = builder.header(CONTENT_TYPE, content_type).body(body);
            }
            let response = builder.send().await.map_err(|e| transport(operation, e))?;
            let status = response.status();
            let request_id = response
                .headers()
                .get("x-okta-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let span = tracing::Span::current();
            span.record("status", status.as_u16());
            if let Some(id) = &request_id {
                span.record("request_id", id.as_str());
            }
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(|e| transport(operation, e))?;
            if !status.is_success() {
                let text = String::from_utf8_lossy(&body).into_owned();
                return Err(Error::Api(Box::new(crate::ApiError::new(
                    operation, status, request_id, text,
                ))));
            }
            Ok(Response {
                operation,
                status,
                headers,
                request_id,
                body,
            })
        }
        .instrument(span)
        .await
    }
}

fn transport(operation: &'static str, e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout { operation }
    } else {
        Error::Transport { operation, source: e }
    }
}
