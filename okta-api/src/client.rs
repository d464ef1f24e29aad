//! The client and the one request pipeline every generated operation goes
//! through: URL, credentials, send, retry (429s and transient failures),
//! status check. Decoding is the typed step in `runtime`.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use tracing::Instrument;
use url::Url;

use crate::auth::Credentials;
use crate::config::ClientBuilder;
use crate::runtime::{Request, Response};
use crate::{ApiError, Error};

/// The `User-Agent` every request carries: crate, version and Rust version.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "okta-sdk-rust/",
    env!("CARGO_PKG_VERSION"),
    " rust/",
    env!("OKTA_API_RUSTC_VERSION")
);

/// Longest wait between retries of a transient failure.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

pub(crate) struct ClientConfig {
    pub org_url: Url,
    pub credentials: Credentials,
    pub user_agent: Option<String>,
    pub connect_timeout: Duration,
    pub attempt_timeout: Duration,
    pub request_timeout: Option<Duration>,
    pub max_retries: u32,
    pub proxy: Option<reqwest::Proxy>,
}

/// A connection to one Okta org. Cheap to clone: clones share the
/// connection pool, the configuration, the OAuth token cache and the
/// rate-limit pause.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    org_url: Url,
    credentials: Credentials,
    attempt_timeout: Duration,
    request_timeout: Option<Duration>,
    max_retries: u32,
    /// While Okta says the rate limit is exhausted, no caller sends: each
    /// waits until this instant instead of adding to the storm.
    paused_until: Mutex<Option<Instant>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("org_url", &self.inner.org_url.as_str())
            .field("credentials", &self.inner.credentials)
            .field("max_retries", &self.inner.max_retries)
            .finish_non_exhaustive()
    }
}

/// How one attempt ended, when it did not succeed.
enum Failure {
    Status {
        status: StatusCode,
        headers: HeaderMap,
        body: String,
        request_id: Option<String>,
    },
    /// No response at all (connection refused, reset, ...).
    Transport(reqwest::Error),
    /// The response started but its body could not be read to the end.
    Body(reqwest::Error),
}

impl Client {
    /// Starts configuring a client with nothing set.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `~/.okta/okta.yaml`, `./.okta.yaml` and the
    /// `OKTA_CLIENT_*` environment variables, as Okta's official SDKs do.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_default_sources()?.build()
    }

    pub(crate) fn new(config: ClientConfig) -> Result<Client, Error> {
        let user_agent = match config.user_agent {
            Some(extra) => format!("{DEFAULT_USER_AGENT} {extra}"),
            None => DEFAULT_USER_AGENT.to_string(),
        };
        let mut http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.attempt_timeout)
            .user_agent(user_agent)
            // Credentials go to the org only: redirects are not followed.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(proxy) = config.proxy {
            http = http.proxy(proxy);
        }
        let http = http
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                org_url: config.org_url,
                credentials: config.credentials,
                attempt_timeout: config.attempt_timeout,
                request_timeout: config.request_timeout,
                max_retries: config.max_retries,
                paused_until: Mutex::new(None),
            }),
        })
    }

    /// The org's base URL.
    pub fn org_url(&self) -> &Url {
        &self.inner.org_url
    }

    /// Whether `url` is on the org's own origin (credentials may go there).
    pub(crate) fn is_org_url(&self, url: &Url) -> bool {
        url.origin() == self.inner.org_url.origin()
    }

    /// Sends `request`, retrying as configured, and returns the successful
    /// response or the final error.
    pub(crate) async fn execute(&self, request: &Request) -> Result<Response, Error> {
        let span = tracing::debug_span!(
            "okta.request",
            operation = request.operation,
            method = %request.method,
            path = request.path_template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        self.execute_with_retries(request).instrument(span).await
    }

    async fn execute_with_retries(&self, request: &Request) -> Result<Response, Error> {
        let operation = request.operation;
        let started = Instant::now();
        let deadline = self.inner.request_timeout.map(|t| started + t);
        let idempotent = matches!(
            request.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        let url = request.url(&self.inner.org_url)?;
        if !self.is_org_url(&url) {
            return Err(Error::UntrustedUrl {
                operation,
                url: url.to_string(),
            });
        }
        let mut attempt: u32 = 0;
        let mut rejected: Option<HeaderValue> = None;
        let mut refreshed = false;
        loop {
            attempt += 1;
            self.wait_for_rate_limit().await;
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            let authorization = if request.with_credentials {
                Some(
                    self.inner
                        .credentials
                        .authorization(&self.inner.http, rejected.as_ref())
                        .await?,
                )
            } else {
                None
            };
            let timeout = match deadline {
                Some(d) => d
                    .saturating_duration_since(Instant::now())
                    .min(self.inner.attempt_timeout),
                None => self.inner.attempt_timeout,
            };
            let failure = match self.attempt(request, &url, authorization.clone(), timeout).await {
                Ok(response) => {
                    span.record("status", response.status.as_u16());
                    if let Some(id) = &response.request_id {
                        span.record("request_id", id.as_str());
                    }
                    return Ok(response);
                }
                Err(f) => f,
            };
            let now = Instant::now();
            let within = |wait: Duration| deadline.is_none_or(|d| now + wait < d);
            let retries_left = attempt <= self.inner.max_retries;
            let transient = is_transient(&failure);
            match failure {
                Failure::Status {
                    status,
                    headers,
                    body,
                    request_id,
                } => {
                    span.record("status", status.as_u16());
                    if let Some(id) = &request_id {
                        span.record("request_id", id.as_str());
                    }
                    if status == StatusCode::UNAUTHORIZED
                        && !refreshed
                        && self.inner.credentials.can_refresh()
                        && invalid_token(&headers, &body)
                    {
                        // The cached access token was revoked or expired early:
                        // fetch a new one and try once more.
                        tracing::debug!(attempt, "access token rejected; refreshing");
                        refreshed = true;
                        rejected = authorization;
                        continue;
                    }
                    let wait = match status {
                        StatusCode::TOO_MANY_REQUESTS => Some(rate_limit_wait(&headers)),
                        StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                            if idempotent =>
                        {
                            Some(backoff(attempt))
                        }
                        _ => None,
                    };
                    let mut error = ApiError::new(operation, status, request_id, body);
                    error.attempts = attempt;
                    match wait {
                        Some(wait) if retries_left && within(wait) => {
                            tracing::debug!(
                                attempt,
                                status = status.as_u16(),
                                wait_ms = wait.as_millis() as u64,
                                "retrying"
                            );
                            if status == StatusCode::TOO_MANY_REQUESTS {
                                self.pause_until(now + wait);
                            }
                            tokio::time::sleep(wait).await;
                        }
                        _ if status == StatusCode::TOO_MANY_REQUESTS => {
                            return Err(Error::RateLimited(Box::new(error)));
                        }
                        _ => return Err(Error::Api(Box::new(error))),
                    }
                }
                Failure::Transport(e) | Failure::Body(e) => {
                    if e.is_timeout() {
                        return Err(Error::Timeout {
                            operation,
                            attempts: attempt,
                        });
                    }
                    let wait = backoff(attempt);
                    if idempotent && retries_left && within(wait) && transient {
                        tracing::debug!(attempt, error = %e, "transient failure; retrying");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(Error::Transport {
                        operation,
                        attempts: attempt,
                        source: e,
                    });
                }
            }
        }
    }

    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        authorization: Option<HeaderValue>,
        timeout: Duration,
    ) -> Result<Response, Failure> {
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .timeout(timeout)
            .header(ACCEPT, request.accept.unwrap_or("application/json"));
        if let Some(auth) = authorization {
            builder = builder.header(AUTHORIZATION, auth);
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
        if let Some((content_type, body)) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, content_type.as_ref())
                .body(body.clone());
        }
        let response = builder.send().await.map_err(Failure::Transport)?;
        let status = response.status();
        let headers = response.headers().clone();
        let request_id = headers
            .get("x-okta-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.bytes().await.map_err(Failure::Body)?;
        if !status.is_success() {
            return Err(Failure::Status {
                status,
                headers,
                body: String::from_utf8_lossy(&body).into_owned(),
                request_id,
            });
        }
        Ok(Response {
            operation: request.operation,
            status,
            headers,
            request_id,
            body,
        })
    }

    async fn wait_for_rate_limit(&self) {
        let until = *self.inner.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(until) = until {
            let now = Instant::now();
            if until > now {
                // Spread the waiting callers out a little when the pause ends.
                let spread = Duration::from_millis(fastrand::u64(0..250));
                tokio::time::sleep(until - now + spread).await;
            }
        }
    }

    fn pause_until(&self, until: Instant) {
        let mut paused = self.inner.paused_until.lock().unwrap_or_else(|e| e.into_inner());
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }
}

/// How long to wait after a 429: `Retry-After` when present, else until
/// `X-Rate-Limit-Reset` by the server's clock (`Date`), plus a second for
/// Okta's clock skew and some jitter.
fn rate_limit_wait(headers: &HeaderMap) -> Duration {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let jitter = Duration::from_millis(fastrand::u64(0..500));
    if let Some(after) = text("retry-after") {
        if let Ok(secs) = after.trim().parse::<u64>() {
            return Duration::from_secs(secs) + jitter;
        }
        if let Ok(at) = httpdate::parse_http_date(after) {
            let server_now = text("date").and_then(|d| httpdate::parse_http_date(d).ok());
            let now = server_now.unwrap_or_else(SystemTime::now);
            return at.duration_since(now).unwrap_or_default() + jitter;
        }
    }
    if let Some(reset) = text("x-rate-limit-reset").and_then(|r| r.trim().parse::<u64>().ok()) {
        let server_now = text("date")
            .and_then(|d| httpdate::parse_http_date(d).ok())
            .unwrap_or_else(SystemTime::now);
        let now_secs = server_now
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        return Duration::from_secs(reset.saturating_sub(now_secs) + 1) + jitter;
    }
    backoff(1) + jitter
}

/// Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s, ... capped.
fn backoff(attempt: u32) -> Duration {
    let ceiling = Duration::from_millis(500)
        .saturating_mul(1 << attempt.saturating_sub(1).min(10))
        .min(MAX_BACKOFF);
    Duration::from_millis(fastrand::u64(
        ceiling.as_millis() as u64 / 2..=ceiling.as_millis() as u64,
    ))
}

/// Failures worth another attempt of an idempotent request.
fn is_transient(failure: &Failure) -> bool {
    match failure {
        Failure::Transport(e) => e.is_connect() || e.is_request(),
        Failure::Body(_) => true,
        Failure::Status { .. } => false,
    }
}

fn invalid_token(headers: &HeaderMap, body: &str) -> bool {
    let challenge = headers
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    challenge.contains("invalid_token") || body.contains("invalid_token") || body.contains("E0000011")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (reqwest::header::HeaderName::from_static(k), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn rate_limit_wait_uses_the_servers_clock() {
        // The server says it is 12:00:00 and the limit resets at 12:00:05,
        // whatever this machine's clock says.
        let date = "Sun, 22 Nov 2026 12:00:00 GMT";
        let reset = httpdate::parse_http_date(date)
            .unwrap()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 5;
        let wait = rate_limit_wait(&headers(&[
            ("date", date),
            ("x-rate-limit-reset", &reset.to_string()),
        ]));
        assert!(
            wait >= Duration::from_secs(6) && wait < Duration::from_millis(6500),
            "{wait:?}"
        );
    }

    #[test]
    fn retry_after_wins() {
        let wait = rate_limit_wait(&headers(&[
            ("retry-after", "2"),
            ("x-rate-limit-reset", "99999999999"),
        ]));
        assert!(
            wait >= Duration::from_secs(2) && wait < Duration::from_millis(2500),
            "{wait:?}"
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_millis(500));
        assert!(backoff(3) >= Duration::from_millis(1000) && backoff(3) <= Duration::from_millis(2000));
        assert!(backoff(30) <= MAX_BACKOFF);
    }
}
