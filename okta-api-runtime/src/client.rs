//! The client and the one request pipeline every generated operation goes
//! through: URL, credentials, send, retry (429s and transient failures),
//! status check. Decoding is the typed step in `runtime`.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument;
use url::Url;

use crate::auth::{Authorization, Credentials};
use crate::config::{ClientBuilder, ClientConfig};
use crate::rate_limit::{rate_limit_wait, Wait};
use crate::runtime::{lock, read_body, redacted, Request, Response};
use crate::{ApiError, Error, RateLimit};

/// The start of the `User-Agent` every request carries: crate, version and
/// Rust version; the operating system and architecture (`linux/x86_64`)
/// follow, then the caller's suffix, as in Okta's Go, Python and Node SDKs.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "okta-sdk-rust/",
    env!("CARGO_PKG_VERSION"),
    " rust/",
    env!("OKTA_API_RUSTC_VERSION")
);

/// Longest wait between retries of a transient failure.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

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
    max_rate_limit_wait: Duration,
    max_response_size: usize,
    /// When set, an endpoint whose last response said `Remaining: 0` is
    /// not called again before its reset.
    prevent_rate_limits: bool,
    /// Fail on a property that does not fit its type (no setting aside).
    strict_decoding: bool,
    exhausted: Mutex<HashMap<(Method, &'static str), Instant>>,
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
        /// What was read of the body, and whether more was left unread.
        body: Bytes,
        cut: bool,
        request_id: Option<String>,
    },
    /// A success response larger than the configured limit.
    TooLarge { request_id: Option<String> },
    /// No response at all (connection refused, reset, ...).
    Transport(reqwest::Error),
    /// The response started but its body could not be read to the end.
    Body(reqwest::Error),
}

impl ClientBuilder {
    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        Client::new(self.into_config()?)
    }
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
        let platform = format!(
            "{DEFAULT_USER_AGENT} {}/{}",
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let user_agent = match config.user_agent {
            Some(extra) => format!("{platform} {extra}"),
            None => platform,
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
                max_rate_limit_wait: config.max_rate_limit_wait,
                max_response_size: config.max_response_size,
                prevent_rate_limits: config.prevent_rate_limits,
                strict_decoding: config.strict_decoding,
                exhausted: Mutex::new(HashMap::new()),
                paused_until: Mutex::new(None),
            }),
        })
    }

    /// The org's base URL.
    pub fn org_url(&self) -> &Url {
        &self.inner.org_url
    }

    /// Whether `url` is on the org's own origin and carries no user name
    /// or password (credentials may go there, and only ours).
    pub(crate) fn is_org_url(&self, url: &Url) -> bool {
        url.origin() == self.inner.org_url.origin() && url.username().is_empty() && url.password().is_none()
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
        let deadline = self
            .inner
            .request_timeout
            .and_then(|t| Instant::now().checked_add(t));
        let idempotent = matches!(
            request.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        );
        let url = request.url(&self.inner.org_url)?;
        if !self.is_org_url(&url) {
            return Err(Error::UntrustedUrl {
                operation,
                url: redacted(&url),
            });
        }
        let mut attempt: u32 = 0;
        let mut rejected: Option<HeaderValue> = None;
        let mut refreshed = false;
        let mut nonce_retried = false;
        // The request id of the response the next attempt retries.
        let mut retry_for: Option<String> = None;
        loop {
            attempt += 1;
            self.wait_for_rate_limit(deadline).await;
            self.wait_for_endpoint(request, deadline).await;
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            let authorization = if request.with_credentials {
                let credentials = &self.inner.credentials;
                Some(
                    credentials
                        .authorization(&self.inner.http, &request.method, &url, rejected.as_ref())
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
            let retry = (attempt > 1).then(|| Retry {
                count: attempt - 1,
                of: retry_for.take(),
            });
            let outcome = self
                .attempt(request, &url, authorization.clone(), timeout, retry)
                .await;
            match &outcome {
                Ok(response) => self.note_rate_limit(request, &response.headers),
                Err(Failure::Status { headers, .. }) => self.note_rate_limit(request, headers),
                Err(_) => {}
            }
            let new_nonce = match (&outcome, self.inner.credentials.oauth()) {
                (Ok(response), Some(oauth)) => oauth.api_nonce(&response.headers),
                (Err(Failure::Status { headers, .. }), Some(oauth)) => oauth.api_nonce(headers),
                _ => false,
            };
            let failure = match outcome {
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
            let within =
                |wait: Duration| deadline.is_none_or(|d| now.checked_add(wait).is_some_and(|t| t < d));
            let retries_left = attempt <= self.inner.max_retries;
            let transient = is_transient(&failure);
            match failure {
                Failure::Status {
                    status,
                    headers,
                    body,
                    cut,
                    request_id,
                } => {
                    span.record("status", status.as_u16());
                    if let Some(id) = &request_id {
                        span.record("request_id", id.as_str());
                    }
                    retry_for = request_id.clone();
                    if status == StatusCode::UNAUTHORIZED
                        && new_nonce
                        && !nonce_retried
                        && crate::auth::asks_for_dpop_nonce(&headers)
                    {
                        // The API wants a proof with the nonce it just sent.
                        tracing::debug!(attempt, "DPoP nonce required; retrying with it");
                        nonce_retried = true;
                        continue;
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
                        rejected = authorization.map(|a| a.header);
                        continue;
                    }
                    let mut error = ApiError::new(operation, status, request_id, &body, cut);
                    error.attempts = attempt;
                    error.rate_limit = RateLimit::from_headers(&headers);
                    let wait = match status {
                        StatusCode::TOO_MANY_REQUESTS => match rate_limit_wait(
                            &headers,
                            SystemTime::now(),
                            self.inner.max_rate_limit_wait,
                            backoff(1),
                        ) {
                            Wait::Retry(wait) => Some(wait),
                            Wait::TooLong(wait) => {
                                tracing::debug!(
                                    wait_s = wait.as_secs(),
                                    "rate limited for longer than the wait bound; giving up"
                                );
                                None
                            }
                        },
                        StatusCode::BAD_GATEWAY
                        | StatusCode::SERVICE_UNAVAILABLE
                        | StatusCode::GATEWAY_TIMEOUT
                            if idempotent =>
                        {
                            Some(backoff(attempt))
                        }
                        _ => None,
                    };
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
                Failure::TooLarge { request_id } => {
                    return Err(Error::ResponseTooLarge {
                        operation,
                        limit: self.inner.max_response_size,
                        request_id,
                    })
                }
                Failure::Transport(e) | Failure::Body(e) => {
                    retry_for = None;
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
        authorization: Option<Authorization>,
        timeout: Duration,
        retry: Option<Retry>,
    ) -> Result<Response, Failure> {
        let mut builder = self
            .inner
            .http
            .request(request.method.clone(), url.clone())
            .timeout(timeout)
            .header(ACCEPT, request.accept.unwrap_or("application/json"));
        if let Some(auth) = authorization {
            builder = builder.header(AUTHORIZATION, auth.header);
            if let Some(proof) = auth.dpop {
                builder = builder.header("dpop", proof);
            }
        }
        if let Some(retry) = retry {
            // What Okta's SDKs send on a retry, so Okta can tell retries apart.
            builder = builder.header("x-okta-retry-count", retry.count);
            if let Some(id) = retry.of.and_then(|id| HeaderValue::from_str(&id).ok()) {
                builder = builder.header("x-okta-retry-for", id);
            }
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
        if !status.is_success() {
            let (body, cut) = read_body(response, ERROR_BODY_LIMIT)
                .await
                .map_err(Failure::Body)?;
            return Err(Failure::Status {
                status,
                headers,
                body,
                cut,
                request_id,
            });
        }
        let limit = self.inner.max_response_size;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(Failure::TooLarge { request_id });
        }
        let (body, cut) = read_body(response, limit).await.map_err(Failure::Body)?;
        if cut {
            return Err(Failure::TooLarge { request_id });
        }
        Ok(Response {
            operation: request.operation,
            status,
            headers,
            request_id,
            body,
            strict: self.inner.strict_decoding,
        })
    }

    /// Waits while Okta has said the rate limit is exhausted, never past
    /// the caller's deadline.
    async fn wait_for_rate_limit(&self, deadline: Option<Instant>) {
        let paused = *lock(&self.inner.paused_until);
        // Spread the waiting callers out a little when the pause ends.
        let spread = Duration::from_millis(fastrand::u64(0..250));
        sleep_until(paused, deadline, spread).await;
    }

    /// With rate-limit prevention: waits for the reset of an endpoint
    /// whose last response said no calls remain (within the wait bound).
    async fn wait_for_endpoint(&self, request: &Request, deadline: Option<Instant>) {
        if !self.inner.prevent_rate_limits {
            return;
        }
        let key = (request.method.clone(), request.path_template);
        let until = lock(&self.inner.exhausted).get(&key).copied();
        if until.is_some_and(|u| u > Instant::now()) {
            tracing::debug!("endpoint exhausted; waiting for its reset");
        }
        sleep_until(until, deadline, Duration::ZERO).await;
    }

    /// With rate-limit prevention: remembers when an exhausted endpoint resets.
    fn note_rate_limit(&self, request: &Request, headers: &HeaderMap) {
        if !self.inner.prevent_rate_limits {
            return;
        }
        let key = (request.method.clone(), request.path_template);
        let mut exhausted = lock(&self.inner.exhausted);
        let exhausted_now = RateLimit::from_headers(headers).is_some_and(|r| r.remaining == Some(0));
        let wait = exhausted_now.then(|| {
            rate_limit_wait(
                headers,
                SystemTime::now(),
                self.inner.max_rate_limit_wait,
                Duration::ZERO,
            )
        });
        match wait {
            Some(Wait::Retry(wait)) => {
                exhausted.insert(key, Instant::now() + wait);
            }
            _ => {
                exhausted.remove(&key);
            }
        }
    }

    /// Follows an `href` Okta returned (`_links.poll`, `next`, `self`, a
    /// lifecycle link, ...) with a GET, and decodes the answer. Only URLs
    /// on the org's origin are followed ([`Error::UntrustedUrl`] otherwise);
    /// auth, retries, tracing and errors are those of every operation.
    pub async fn get_href<T: DeserializeOwned>(&self, href: &str) -> Result<T, Error> {
        self.follow(Method::GET, href, None).await?.json()
    }

    /// Follows an `href` with a POST (a lifecycle link such as
    /// `_links.activate`), with an optional JSON body, and decodes the
    /// answer; an empty answer reads as the type's empty value.
    pub async fn post_href<T: DeserializeOwned + Default>(
        &self,
        href: &str,
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, Error> {
        let body = body
            .map(serde_json::to_vec)
            .transpose()
            .map_err(|e| Error::InvalidRequest {
                operation: HREF,
                message: format!("cannot serialise the body: {e}"),
            })?;
        self.follow(Method::POST, href, body).await?.json_or_default()
    }

    /// Follows an `href` with a DELETE.
    pub async fn delete_href(&self, href: &str) -> Result<(), Error> {
        self.follow(Method::DELETE, href, None).await?.empty()
    }

    async fn follow(&self, method: Method, href: &str, body: Option<Vec<u8>>) -> Result<Response, Error> {
        let url = self
            .inner
            .org_url
            .join(href)
            .map_err(|e| Error::InvalidArgument {
                operation: HREF,
                argument: "href".into(),
                message: format!("is not a URL: {e}"),
            })?;
        let mut request = Request::absolute(method, url, HREF);
        if let Some(body) = body {
            request.body = Some(("application/json".into(), body));
        }
        self.execute(&request).await
    }

    fn pause_until(&self, until: Instant) {
        let mut paused = lock(&self.inner.paused_until);
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
    }
}

/// The operation name of a followed `href`, in errors and traces.
const HREF: &str = "followHref";

/// Sleeps until `until` (if set), never past `deadline`, plus `spread`
/// when there is a wait at all.
async fn sleep_until(until: Option<Instant>, deadline: Option<Instant>, spread: Duration) {
    let Some(until) = until.map(|u| deadline.map_or(u, |d| u.min(d))) else {
        return;
    };
    let now = Instant::now();
    if until > now {
        tokio::time::sleep(until - now + spread).await;
    }
}

/// The retry headers of an attempt after the first.
struct Retry {
    /// `X-Okta-Retry-Count`: 1 on the first retry, 2 on the second, ...
    count: u32,
    /// `X-Okta-Retry-For`: the request id of the response being retried
    /// (none after a dropped connection).
    of: Option<String>,
}

/// How much of an error response's body is read: Okta's error JSON is far
/// smaller, and the rest of an HTML error page is not needed.
const ERROR_BODY_LIMIT: usize = 64 * 1024;

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
        Failure::Status { .. } | Failure::TooLarge { .. } => false,
    }
}

fn invalid_token(headers: &HeaderMap, body: &[u8]) -> bool {
    let body = String::from_utf8_lossy(body);
    let challenge = headers
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    challenge.contains("invalid_token") || body.contains("invalid_token") || body.contains("E0000011")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn cookies_are_joined_into_one_header() {
        let server = MockServer::start().await;
        Mock::given(wiremock::matchers::header("cookie", "sid=abc; DT=x y"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        let client = Client::builder()
            .org_url(server.uri())
            .api_token("t")
            .build()
            .unwrap();
        let mut request = Request::new(Method::GET, "/api/v1/sessions/me", "getCurrentSession");
        request.cookie("sid", Some("abc"));
        request.cookie("DT", Some("x y"));
        request.cookie("unset", None::<&str>);
        let response = tokio::time::timeout(Duration::from_secs(10), client.execute(&request))
            .await
            .unwrap();
        assert_eq!(response.unwrap().status.as_u16(), 200);
        let received = server.received_requests().await.unwrap();
        assert_eq!(received[0].headers.get_all("cookie").iter().count(), 1);
    }

    #[test]
    fn backoff_waits_between_half_its_ceiling_and_its_ceiling() {
        for (attempt, ceiling_ms) in [(1, 500), (2, 1000), (3, 2000), (5, 8000), (6, 10_000)] {
            for _ in 0..200 {
                let wait = backoff(attempt).as_millis();
                assert!(
                    (ceiling_ms / 2..=ceiling_ms).contains(&wait),
                    "attempt {attempt}: {wait} ms"
                );
            }
        }
    }

    #[tokio::test]
    async fn a_request_that_cannot_be_built_is_not_retried() {
        let client = Client::builder()
            .org_url("http://127.0.0.1:9")
            .api_token("t")
            .build()
            .unwrap();
        let mut request = Request::new(Method::GET, "/api/v1/users/me", "getCurrentUser");
        request.header("X-Bad", Some("a\nb"));
        let result = tokio::time::timeout(Duration::from_secs(10), client.execute(&request))
            .await
            .unwrap();
        match result {
            Err(Error::Transport { attempts, .. }) => assert_eq!(attempts, 1),
            other => panic!("expected a transport error, got {other:?}"),
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) <= Duration::from_millis(500));
        assert!(backoff(3) >= Duration::from_millis(1000) && backoff(3) <= Duration::from_millis(2000));
        assert!(backoff(30) <= MAX_BACKOFF);
    }
}
