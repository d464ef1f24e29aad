//! The one error type every operation returns.

use std::fmt;

use reqwest::StatusCode;
use serde::Deserialize;

use crate::RateLimit;

/// How much of an error body that is not Okta's error JSON an [`ApiError`]
/// keeps.
pub(crate) const BODY_EXCERPT: usize = 4096;

/// What went wrong with a call. Every variant displays as one readable line
/// and never contains credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Okta answered with a non-success status.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// Okta kept answering 429 until the retry budget was spent.
    #[error("{0} (rate limited)")]
    RateLimited(Box<ApiError>),
    /// The request could not be sent or the response not read.
    #[error("{operation}: transport error after {attempts} attempt(s): {source}")]
    Transport {
        /// The operation, e.g. `listUsers`.
        operation: &'static str,
        /// HTTP attempts made, retries included.
        attempts: u32,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },
    /// An attempt (body included) or the whole call took longer than configured.
    #[error("{operation}: timed out after {attempts} attempt(s)")]
    Timeout {
        /// The operation, e.g. `listUsers`.
        operation: &'static str,
        /// HTTP attempts made, retries included.
        attempts: u32,
    },
    /// The OAuth token endpoint refused to issue an access token.
    #[error("oauth2/v1/token: {status} {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// The token endpoint's HTTP status.
        status: StatusCode,
        /// Okta's `error`, e.g. `invalid_client`.
        error: String,
        /// Okta's `error_description`.
        description: Option<String>,
    },
    /// A URL outside the configured org (for example a pagination `Link`):
    /// credentials are never sent there, so it is not followed.
    #[error("{operation}: refusing to send credentials to {url}, which is not the configured org")]
    UntrustedUrl {
        /// The operation, e.g. `listUsers`.
        operation: &'static str,
        /// The URL that was not followed.
        url: String,
    },
    /// A success response whose body does not match the expected type.
    #[error(
        "{operation}: cannot decode the {status} response at `{path}`: {message} (body starts: {excerpt:?})"
    )]
    Decode {
        /// The operation, e.g. `getUser`.
        operation: &'static str,
        /// The response's HTTP status.
        status: StatusCode,
        /// Where in the body decoding failed, e.g. `profile.login`.
        path: String,
        /// What did not match.
        message: String,
        /// The first bytes of the body.
        excerpt: String,
        /// `X-Okta-Request-Id` of the response.
        request_id: Option<String>,
    },
    /// A resource method needs a field of the model that is not set (for
    /// example `user.activate(..)` on a user without an `id`).
    #[error("{field} is not set; the call needs it")]
    MissingField {
        /// `Model.field`, e.g. `User.id`.
        field: &'static str,
    },
    /// An argument of the call is refused before anything is sent, for
    /// example a path parameter that is empty or `..` (it would name
    /// another resource than the one the call is about).
    #[error("{operation}: argument `{argument}` {message}")]
    InvalidArgument {
        /// The operation, e.g. `removeGroupUser`.
        operation: &'static str,
        /// The parameter's name in the spec, e.g. `userId`.
        argument: String,
        /// What is wrong with it.
        message: String,
    },
    /// A success response whose body is larger than the configured limit
    /// ([`ClientBuilder::max_response_size`](crate::ClientBuilder::max_response_size)).
    /// At most the limit was read.
    #[error("{operation}: the response body is larger than the {limit}-byte limit{}", request_id.as_deref().map(|id| format!(" [request id {id}]")).unwrap_or_default())]
    ResponseTooLarge {
        /// The operation, e.g. `listUsers`.
        operation: &'static str,
        /// The limit, in bytes.
        limit: usize,
        /// `X-Okta-Request-Id` of the response.
        request_id: Option<String>,
    },
    /// A list's `Link` headers lead nowhere useful: back to a page already
    /// fetched, or through too many empty pages in a row.
    #[error("{operation}: pagination stopped: {message}")]
    Pagination {
        /// The operation, e.g. `listUsers`.
        operation: &'static str,
        /// What the next links did.
        message: String,
    },
    /// The request could not be built (for example an unserialisable body).
    #[error("{operation}: invalid request: {message}")]
    InvalidRequest {
        /// The operation, e.g. `createUser`.
        operation: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The client configuration is invalid.
    #[error("invalid configuration: {0}")]
    Config(String),
}

impl Error {
    /// The HTTP status, for API and decode errors.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e.status),
            Error::Decode { status, .. } | Error::OAuth { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Okta's `X-Okta-Request-Id` of the failed response, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } | Error::ResponseTooLarge { request_id, .. } => {
                request_id.as_deref()
            }
            _ => None,
        }
    }

    /// The API error, if Okta answered with a non-success status.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e),
            _ => None,
        }
    }

    /// How many HTTP attempts the call made before failing, where known.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e.attempts),
            Error::Transport { attempts, .. } | Error::Timeout { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again: rate limits,
    /// server-side failures, timeouts and connection failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.status == StatusCode::TOO_MANY_REQUESTS || e.status.is_server_error(),
            Error::RateLimited(_) | Error::Timeout { .. } => true,
            Error::Transport { source, .. } => source.is_connect() || source.is_request(),
            _ => false,
        }
    }
}

/// A non-success response from Okta, with Okta's error body when it sent one.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that failed, e.g. `getUser`.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// `errorCode`, e.g. `E0000007`.
    pub error_code: Option<String>,
    /// `errorSummary`, e.g. `Not found: Resource not found: x (User)`.
    pub error_summary: Option<String>,
    /// `errorLink`.
    pub error_link: Option<String>,
    /// `errorId`, Okta's id for this occurrence.
    pub error_id: Option<String>,
    /// `errorCauses[].errorSummary`.
    pub error_causes: Vec<String>,
    /// The `X-Okta-Request-Id` response header.
    pub request_id: Option<String>,
    /// The response body, as text: whole when it is short, else its first
    /// 4 KiB followed by `… [cut]` (an HTML error page, say).
    pub body: String,
    /// How many HTTP attempts were made (retries included).
    pub attempts: u32,
    /// The rate-limit state the response reported (`X-Rate-Limit-*`).
    pub rate_limit: Option<RateLimit>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OktaErrorBody {
    error_code: Option<String>,
    error_summary: Option<String>,
    error_link: Option<String>,
    error_id: Option<String>,
    #[serde(default)]
    error_causes: Vec<OktaErrorCause>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OktaErrorCause {
    error_summary: Option<String>,
}

impl ApiError {
    /// `body` is what was read of the response body; `cut` says whether
    /// more was left unread.
    pub(crate) fn new(
        operation: &'static str,
        status: StatusCode,
        request_id: Option<String>,
        body: &[u8],
        cut: bool,
    ) -> Self {
        let parsed: Option<OktaErrorBody> = serde_json::from_slice(body).ok();
        let mut e = ApiError {
            operation,
            status,
            error_code: None,
            error_summary: None,
            error_link: None,
            error_id: None,
            error_causes: Vec::new(),
            request_id,
            body: excerpt(body, cut),
            attempts: 1,
            rate_limit: None,
        };
        if let Some(p) = parsed {
            e.error_code = p.error_code;
            e.error_summary = p.error_summary;
            e.error_link = p.error_link;
            e.error_id = p.error_id;
            e.error_causes = p
                .error_causes
                .into_iter()
                .filter_map(|c| c.error_summary)
                .collect();
        }
        e
    }
}

/// The body as text, cut to [`BODY_EXCERPT`] bytes (at a character
/// boundary) and marked when anything was left out.
fn excerpt(body: &[u8], cut: bool) -> String {
    let text = String::from_utf8_lossy(body);
    if !cut && text.len() <= BODY_EXCERPT {
        return text.into_owned();
    }
    let mut end = BODY_EXCERPT.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [cut]", &text[..end])
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: Okta answered {}", self.operation, self.status)?;
        if let Some(code) = &self.error_code {
            write!(f, " {code}")?;
        }
        if let Some(summary) = &self.error_summary {
            write!(f, ": {summary}")?;
        }
        if !self.error_causes.is_empty() {
            write!(f, " ({})", self.error_causes.join("; "))?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            if let Some(reset) = self.rate_limit.and_then(|r| r.reset) {
                write!(f, "; the limit resets at {}", httpdate::fmt_http_date(reset))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_error_body_is_parsed_and_displayed() {
        let body = r#"{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorLink":"E0000001","errorId":"oaeX","errorCauses":[{"errorSummary":"login: An object with this field already exists"}]}"#;
        let e = ApiError::new(
            "createUser",
            StatusCode::BAD_REQUEST,
            Some("req-1".into()),
            body.as_bytes(),
            false,
        );
        assert_eq!(e.error_code.as_deref(), Some("E0000001"));
        assert_eq!(e.error_id.as_deref(), Some("oaeX"));
        assert_eq!(
            e.error_causes,
            vec!["login: An object with this field already exists"]
        );
        assert_eq!(
            Error::Api(Box::new(e)).to_string(),
            "createUser: Okta answered 400 Bad Request E0000001: Api validation failed: login (login: An object with this field already exists) [request id req-1]"
        );
    }

    #[test]
    fn non_okta_body_is_kept_raw() {
        let e = ApiError::new(
            "getUser",
            StatusCode::BAD_GATEWAY,
            None,
            b"<html>bad gateway</html>",
            false,
        );
        assert_eq!(e.error_code, None);
        assert_eq!(e.body, "<html>bad gateway</html>");
        assert!(Error::Api(Box::new(e)).is_retryable());
    }

    #[test]
    fn an_excerpt_ends_at_the_character_boundary_before_the_limit() {
        // One ASCII byte, then two-byte characters: byte 4096 falls inside one.
        let body = format!("a{}", "é".repeat(3000));
        let e = ApiError::new("getUser", StatusCode::BAD_GATEWAY, None, body.as_bytes(), false);
        let kept = e.body.strip_suffix("… [cut]").unwrap();
        assert_eq!(kept.len(), BODY_EXCERPT - 1);
    }

    #[tokio::test]
    async fn rate_limits_timeouts_and_dropped_connections_are_retryable() {
        let limited = ApiError::new("getUser", StatusCode::TOO_MANY_REQUESTS, None, b"", false);
        assert!(Error::RateLimited(Box::new(limited)).is_retryable());
        assert!(Error::Timeout {
            operation: "getUser",
            attempts: 3
        }
        .is_retryable());
        // A server that accepts the connection and closes it unanswered.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                drop(socket);
            }
        });
        let source = tokio::time::timeout(std::time::Duration::from_secs(10), reqwest::get(&url))
            .await
            .unwrap()
            .unwrap_err();
        assert!(!source.is_connect(), "{source}");
        let dropped = Error::Transport {
            operation: "getUser",
            attempts: 1,
            source,
        };
        assert!(dropped.is_retryable(), "{dropped}");
        let bad = Error::Config("x".into());
        assert!(!bad.is_retryable());
    }

    #[test]
    fn long_bodies_keep_a_marked_excerpt_cut_at_a_character() {
        let page = format!("<html>{}</html>", "é".repeat(60_000));
        let e = ApiError::new("getUser", StatusCode::BAD_GATEWAY, None, page.as_bytes(), false);
        assert!(e.body.len() <= BODY_EXCERPT + "… [cut]".len(), "{}", e.body.len());
        assert!(e.body.starts_with("<html>éé") && e.body.ends_with("… [cut]"));
        // A short body of which more was left unread is marked too.
        let e = ApiError::new("getUser", StatusCode::BAD_GATEWAY, None, b"<html>", true);
        assert_eq!(e.body, "<html>… [cut]");
    }
}
