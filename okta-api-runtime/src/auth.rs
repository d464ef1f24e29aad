//! Credentials: API tokens, bearer tokens, and OAuth 2.0 for service apps
//! (`client_credentials` with a `private_key_jwt` client assertion, and
//! DPoP-bound tokens when the app requires them).

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex as StdMutex, OnceLock};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::dpop::DpopKey;
use crate::keys::SigningKey;
use crate::runtime::lock;
use crate::Error;

/// How long before its expiry a cached access token is replaced.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// The longest an access token is cached, whatever `expires_in` says.
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// Lifetime of a client assertion (Okta accepts up to one hour).
const ASSERTION_LIFETIME: u64 = 300;

/// How requests are authorised. Secrets never appear in `Debug` output.
#[non_exhaustive]
pub enum Credentials {
    /// An API token: `Authorization: SSWS <token>`.
    ApiToken(SecretString),
    /// An OAuth 2.0 access token obtained elsewhere: `Authorization: Bearer <token>`.
    BearerToken(SecretString),
    /// A service app: access tokens are requested (and cached) as needed.
    PrivateKey(Box<OAuthSettings>),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Credentials::BearerToken(_) => f.write_str("BearerToken(<redacted>)"),
            Credentials::PrivateKey(s) => f
                .debug_struct("PrivateKey")
                .field("client_id", &s.client_id)
                .field("scopes", &s.scopes)
                .field("kid", &s.key.kid)
                .field("dpop", &s.dpop_mode)
                .field("key", &"<redacted>")
                .finish(),
        }
    }
}

/// When a service app proves possession of a key with DPoP (RFC 9449).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DpopMode {
    /// Plain tokens until Okta asks for DPoP (`invalid_dpop_proof`), then
    /// DPoP for the rest of the client's life, as Okta's Java, .NET, Go and
    /// Node SDKs do.
    #[default]
    Auto,
    /// DPoP from the first token request (saves one failed grant).
    Always,
    /// Never: an app that requires DPoP then fails with `Error::OAuth`.
    Never,
}

/// A service app's OAuth settings, its DPoP state and its cached token.
pub struct OAuthSettings {
    client_id: String,
    scopes: Vec<String>,
    key: SigningKey,
    token_url: url::Url,
    dpop_mode: DpopMode,
    /// The DPoP key pair, made when DPoP is first used.
    dpop: OnceLock<DpopKey>,
    /// Okta asked for DPoP (in `Auto` mode).
    dpop_required: AtomicBool,
    /// The latest `DPoP-Nonce` of the token endpoint, and of the API.
    token_nonce: StdMutex<Option<String>>,
    api_nonce: StdMutex<Option<String>>,
    cached: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    header: HeaderValue,
    /// The access token, for DPoP's `ath`; set when the token is DPoP-bound.
    dpop_token: Option<SecretString>,
    refresh_at: Instant,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: u64,
    exp: u64,
    jti: String,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
}

/// The headers that authorise one HTTP request.
#[derive(Clone)]
pub(crate) struct Authorization {
    pub header: HeaderValue,
    /// The `DPoP` proof, for a DPoP-bound token.
    pub dpop: Option<HeaderValue>,
}

const TOKEN_OPERATION: &str = "oauth2/v1/token";

impl OAuthSettings {
    pub(crate) fn new(
        client_id: String,
        scopes: Vec<String>,
        key: SigningKey,
        org_url: &url::Url,
        dpop_mode: DpopMode,
    ) -> Result<Self, String> {
        let token_url = org_url
            .join("oauth2/v1/token")
            .map_err(|e| format!("cannot build the token URL: {e}"))?;
        Ok(OAuthSettings {
            client_id,
            scopes,
            key,
            token_url,
            dpop_mode,
            dpop: OnceLock::new(),
            dpop_required: AtomicBool::new(false),
            token_nonce: StdMutex::new(None),
            api_nonce: StdMutex::new(None),
            cached: Mutex::new(None),
        })
    }

    fn assertion(&self) -> Result<String, Error> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        let claims = Claims {
            iss: &self.client_id,
            sub: &self.client_id,
            aud: self.token_url.as_str(),
            iat: now,
            exp: now + ASSERTION_LIFETIME,
            jti: format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..)),
        };
        self.key
            .jwt(&claims)
            .map_err(|e| Error::Config(format!("cannot sign the client assertion: {e}")))
    }

    fn uses_dpop(&self) -> bool {
        match self.dpop_mode {
            DpopMode::Always => true,
            DpopMode::Never => false,
            DpopMode::Auto => self.dpop_required.load(Ordering::Relaxed),
        }
    }

    fn dpop_key(&self) -> Result<&DpopKey, Error> {
        if let Some(key) = self.dpop.get() {
            return Ok(key);
        }
        let key = DpopKey::generate().map_err(|e| Error::Config(format!("cannot make a DPoP key: {e}")))?;
        tracing::debug!(jkt = key.thumbprint(), "made the DPoP key pair");
        Ok(self.dpop.get_or_init(|| key))
    }

    fn proof(
        &self,
        method: &Method,
        url: &url::Url,
        nonce: &StdMutex<Option<String>>,
        token: Option<&str>,
    ) -> Result<HeaderValue, Error> {
        let nonce = lock(nonce).clone();
        let proof = self
            .dpop_key()?
            .proof(method, url, nonce.as_deref(), token)
            .map_err(|e| Error::Config(format!("cannot sign a DPoP proof: {e}")))?;
        HeaderValue::from_str(&proof).map_err(|_| Error::Config("a DPoP proof is not a header value".into()))
    }

    /// Keeps a `DPoP-Nonce` the API sent; whether it is a new one.
    pub(crate) fn api_nonce(&self, headers: &HeaderMap) -> bool {
        let Some(nonce) = dpop_nonce(headers) else {
            return false;
        };
        let mut current = lock(&self.api_nonce);
        let fresh = current.as_deref() != Some(nonce.as_str());
        *current = Some(nonce);
        fresh
    }

    /// The headers for one request: from the cached token or a new one.
    /// `stale` is a header the server rejected: it is not handed out again.
    /// One refresh at a time: concurrent callers wait for it and share it.
    async fn authorization(
        &self,
        http: &reqwest::Client,
        method: &Method,
        url: &url::Url,
        stale: Option<&HeaderValue>,
    ) -> Result<Authorization, Error> {
        let mut cached = self.cached.lock().await;
        let usable = cached.as_ref().is_some_and(|token| {
            let rejected = stale.is_some_and(|s| s == token.header);
            !rejected && Instant::now() < token.refresh_at
        });
        if !usable {
            *cached = Some(self.fetch(http).await?);
        }
        let token = cached.as_ref().expect("a token was just cached");
        let dpop = match &token.dpop_token {
            Some(secret) => Some(self.proof(method, url, &self.api_nonce, Some(secret.expose_secret()))?),
            None => None,
        };
        Ok(Authorization {
            header: token.header.clone(),
            dpop,
        })
    }

    /// Requests a token: with a DPoP proof when DPoP is on, retried once
    /// with one when Okta asks for it (`Auto`), and once with the nonce Okta
    /// hands out (`use_dpop_nonce`), each time with a fresh assertion.
    async fn fetch(&self, http: &reqwest::Client) -> Result<CachedToken, Error> {
        let scope = self.scopes.join(" ");
        let (mut asked_for_dpop, mut asked_for_nonce) = (false, false);
        loop {
            let dpop = self.uses_dpop();
            let assertion = self.assertion()?;
            let form = [
                ("grant_type", "client_credentials"),
                ("scope", scope.as_str()),
                (
                    "client_assertion_type",
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ),
                ("client_assertion", assertion.as_str()),
            ];
            let started = Instant::now();
            let mut request = http
                .post(self.token_url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .form(&form);
            if dpop {
                request = request.header(
                    "dpop",
                    self.proof(&Method::POST, &self.token_url, &self.token_nonce, None)?,
                );
            }
            let transport = |e| Error::Transport {
                operation: TOKEN_OPERATION,
                attempts: 1,
                source: e,
            };
            let response = request.send().await.map_err(transport)?;
            let status = response.status();
            if let Some(nonce) = dpop_nonce(response.headers()) {
                *lock(&self.token_nonce) = Some(nonce);
            }
            // A token response is a few KiB; a larger one is cut, then fails to parse.
            let (body, _) = crate::runtime::read_body(response, 64 * 1024)
                .await
                .map_err(transport)?;
            if !status.is_success() {
                let parsed: Option<TokenError> = serde_json::from_slice(&body).ok();
                let (error, description) = parsed.map(|p| (p.error, p.error_description)).unwrap_or_default();
                match error.as_deref() {
                    Some("invalid_dpop_proof")
                        if !dpop && self.dpop_mode == DpopMode::Auto && !asked_for_dpop =>
                    {
                        tracing::debug!("the token endpoint requires DPoP; using it from now on");
                        asked_for_dpop = true;
                        self.dpop_required.store(true, Ordering::Relaxed);
                        continue;
                    }
                    Some("use_dpop_nonce")
                        if dpop && !asked_for_nonce && lock(&self.token_nonce).is_some() =>
                    {
                        asked_for_nonce = true;
                        continue;
                    }
                    _ => {}
                }
                return Err(Error::OAuth {
                    status,
                    error: error.unwrap_or_else(|| "unknown_error".into()),
                    description,
                });
            }
            let bad_response = |description: String| Error::OAuth {
                status,
                error: "invalid_token_response".into(),
                description: Some(description),
            };
            let token: TokenResponse =
                serde_json::from_slice(&body).map_err(|e| bad_response(e.to_string()))?;
            let scheme = token.token_type.unwrap_or_else(|| "Bearer".into());
            let bound = scheme.eq_ignore_ascii_case("dpop");
            if bound && !dpop {
                return Err(bad_response(
                    "a DPoP-bound token for a request without a proof".into(),
                ));
            }
            let mut header = HeaderValue::from_str(&format!(
                "{} {}",
                if bound { "DPoP" } else { &scheme },
                token.access_token
            ))
            .map_err(|_| bad_response("the access token is not a valid header value".into()))?;
            header.set_sensitive(true);
            // Okta's access tokens live at most a day; a longer claim is read as a day.
            let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600)).min(MAX_TOKEN_LIFETIME);
            // Refresh shortly before expiry: 5 minutes, or a tenth of a short lifetime.
            let margin = REFRESH_MARGIN.min(lifetime / 10);
            return Ok(CachedToken {
                header,
                dpop_token: bound.then(|| SecretString::from(token.access_token)),
                refresh_at: started.checked_add(lifetime - margin).unwrap_or(started),
            });
        }
    }
}

/// The `DPoP-Nonce` header, when it is a sane value.
fn dpop_nonce(headers: &HeaderMap) -> Option<String> {
    let nonce = headers.get("dpop-nonce")?.to_str().ok()?.trim();
    (!nonce.is_empty() && nonce.len() <= 1024).then(|| nonce.to_string())
}

/// Whether a 401 asks for a DPoP nonce (`WWW-Authenticate: DPoP
/// error="use_dpop_nonce"`).
pub(crate) fn asks_for_dpop_nonce(headers: &HeaderMap) -> bool {
    headers
        .get_all(reqwest::header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.trim_start().to_ascii_lowercase().starts_with("dpop") && v.contains("use_dpop_nonce"))
}

impl Credentials {
    /// The headers that authorise a request of `method` to `url`.
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        method: &Method,
        url: &url::Url,
        rejected: Option<&HeaderValue>,
    ) -> Result<Authorization, Error> {
        let (scheme, secret) = match self {
            Credentials::ApiToken(t) => ("SSWS", t),
            Credentials::BearerToken(t) => ("Bearer", t),
            Credentials::PrivateKey(settings) => {
                return settings.authorization(http, method, url, rejected).await
            }
        };
        let mut header = HeaderValue::from_str(&format!("{scheme} {}", secret.expose_secret()))
            .map_err(|_| Error::Config("the token contains characters not allowed in a header".into()))?;
        header.set_sensitive(true);
        Ok(Authorization { header, dpop: None })
    }

    /// Whether a 401 can be cured by fetching a new token.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Credentials::PrivateKey(_))
    }

    /// The service app's settings, for DPoP nonces.
    pub(crate) fn oauth(&self) -> Option<&OAuthSettings> {
        match self {
            Credentials::PrivateKey(settings) => Some(settings),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn settings() -> OAuthSettings {
        let pem = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../okta-api/tests/keys/ec-private.pem"
        ));
        let key = crate::keys::parse_private_key(&pem.unwrap()).unwrap();
        let org = url::Url::parse("https://dev-1.okta.com/").unwrap();
        OAuthSettings::new(
            "0oa1".into(),
            vec!["okta.users.read".into()],
            key,
            &org,
            DpopMode::Always,
        )
        .unwrap()
    }

    #[test]
    fn a_dpop_nonce_is_kept_only_when_sane() {
        let nonce = |value: &str| dpop_nonce(&headers(&[("dpop-nonce", value)]));
        assert_eq!(nonce(" n-1 ").as_deref(), Some("n-1"));
        assert_eq!(nonce(&"n".repeat(1024)).map(|n| n.len()), Some(1024));
        assert_eq!(nonce(&"n".repeat(1025)), None, "too long");
        assert_eq!(nonce(""), None);
        assert_eq!(nonce("  "), None);
        assert_eq!(dpop_nonce(&HeaderMap::new()), None);
    }

    #[test]
    fn only_a_dpop_challenge_for_a_nonce_asks_for_one() {
        let asks = |values: &[&str]| {
            let pairs: Vec<_> = values.iter().map(|v| ("www-authenticate", *v)).collect();
            asks_for_dpop_nonce(&headers(&pairs))
        };
        assert!(asks(&["DPoP error=\"use_dpop_nonce\""]));
        assert!(asks(&[" dpop error=\"use_dpop_nonce\", error_description=\"x\""]));
        assert!(asks(&["Bearer realm=\"okta\"", "DPoP error=\"use_dpop_nonce\""]));
        assert!(!asks(&["DPoP error=\"invalid_token\""]));
        assert!(!asks(&["Bearer error=\"use_dpop_nonce\""]));
        assert!(!asks(&[]));
    }

    #[test]
    fn the_apis_nonce_is_new_only_when_it_changes() {
        let oauth = settings();
        let nonce = |value: &str| headers(&[("dpop-nonce", value)]);
        assert!(!oauth.api_nonce(&HeaderMap::new()), "no nonce");
        assert!(oauth.api_nonce(&nonce("an-1")));
        assert!(!oauth.api_nonce(&nonce("an-1")), "the same again");
        assert!(!oauth.api_nonce(&HeaderMap::new()));
        assert_eq!(lock(&oauth.api_nonce).as_deref(), Some("an-1"), "kept");
        assert!(oauth.api_nonce(&nonce("an-2")));
    }

    #[test]
    fn only_service_apps_refresh_their_token() {
        let token = || SecretString::from("t".to_string());
        assert!(!Credentials::ApiToken(token()).can_refresh());
        assert!(!Credentials::BearerToken(token()).can_refresh());
        assert!(Credentials::ApiToken(token()).oauth().is_none());
        let app = Credentials::PrivateKey(Box::new(settings()));
        assert!(app.can_refresh() && app.oauth().is_some());
    }
}
