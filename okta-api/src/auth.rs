//! Credentials: API tokens, bearer tokens, and OAuth 2.0 for service apps
//! (`client_credentials` with a `private_key_jwt` client assertion).

use std::fmt;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::Error;

/// How long before its expiry a cached access token is replaced.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);
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
                .field("kid", &s.kid)
                .field("key", &"<redacted>")
                .finish(),
        }
    }
}

/// A service app's OAuth settings and its cached access token.
pub struct OAuthSettings {
    client_id: String,
    scopes: Vec<String>,
    key: EncodingKey,
    algorithm: Algorithm,
    kid: Option<String>,
    token_url: url::Url,
    cached: Mutex<Option<CachedToken>>,
}

struct CachedToken {
    header: HeaderValue,
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

impl OAuthSettings {
    /// Reads the key (RSA → RS256, EC P-256 → ES256, EC P-384 → ES384).
    pub(crate) fn new(
        client_id: String,
        scopes: Vec<String>,
        pem: &SecretString,
        kid: Option<String>,
        org_url: &url::Url,
    ) -> Result<Self, String> {
        let pem = pem.expose_secret().as_bytes();
        let (key, algorithm) = if let Ok(key) = EncodingKey::from_rsa_pem(pem) {
            (key, Algorithm::RS256)
        } else if let Ok(key) = EncodingKey::from_ec_pem(pem) {
            // The curve decides the algorithm; signing tells which one fits.
            let probe = |alg| jsonwebtoken::encode(&Header::new(alg), &serde_json::json!({}), &key).is_ok();
            let alg = if probe(Algorithm::ES256) {
                Algorithm::ES256
            } else if probe(Algorithm::ES384) {
                Algorithm::ES384
            } else {
                return Err("the EC key is on a curve Okta does not accept (P-256 or P-384 needed)".into());
            };
            (key, alg)
        } else {
            return Err("not an RSA or EC private key in PEM form".into());
        };
        let token_url = org_url
            .join("oauth2/v1/token")
            .map_err(|e| format!("cannot build the token URL: {e}"))?;
        Ok(OAuthSettings {
            client_id,
            scopes,
            key,
            algorithm,
            kid,
            token_url,
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
        let mut header = Header::new(self.algorithm);
        header.kid = self.kid.clone();
        jsonwebtoken::encode(&header, &claims, &self.key)
            .map_err(|e| Error::Config(format!("cannot sign the client assertion: {e}")))
    }

    /// The `Authorization` value, from the cache or a new token. `stale` is
    /// a header the server rejected: it is not handed out again. One refresh
    /// at a time: concurrent callers wait for it and share the result.
    async fn authorization(
        &self,
        http: &reqwest::Client,
        stale: Option<&HeaderValue>,
    ) -> Result<HeaderValue, Error> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref() {
            let rejected = stale.is_some_and(|s| s == token.header);
            if !rejected && Instant::now() < token.refresh_at {
                return Ok(token.header.clone());
            }
        }
        let fresh = self.fetch(http).await?;
        let header = fresh.header.clone();
        *cached = Some(fresh);
        Ok(header)
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<CachedToken, Error> {
        let assertion = self.assertion()?;
        let scope = self.scopes.join(" ");
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
        let response = http
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| Error::Transport {
                operation: "oauth2/v1/token",
                attempts: 1,
                source: e,
            })?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| Error::Transport {
            operation: "oauth2/v1/token",
            attempts: 1,
            source: e,
        })?;
        if !status.is_success() {
            let parsed: Option<TokenError> = serde_json::from_slice(&body).ok();
            let (error, description) = parsed.map(|p| (p.error, p.error_description)).unwrap_or_default();
            return Err(Error::OAuth {
                status,
                error: error.unwrap_or_else(|| "unknown_error".into()),
                description,
            });
        }
        let token: TokenResponse = serde_json::from_slice(&body).map_err(|e| Error::OAuth {
            status,
            error: "invalid_token_response".into(),
            description: Some(e.to_string()),
        })?;
        let scheme = token.token_type.unwrap_or_else(|| "Bearer".into());
        let mut header =
            HeaderValue::from_str(&format!("{scheme} {}", token.access_token)).map_err(|_| Error::OAuth {
                status,
                error: "invalid_token_response".into(),
                description: Some("the access token is not a valid header value".into()),
            })?;
        header.set_sensitive(true);
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        // Refresh shortly before expiry: 5 minutes, or a tenth of a short lifetime.
        let margin = REFRESH_MARGIN.min(lifetime / 10);
        Ok(CachedToken {
            header,
            refresh_at: started + lifetime - margin,
        })
    }
}

impl Credentials {
    /// The `Authorization` header value for the next request.
    pub(crate) async fn authorization(
        &self,
        http: &reqwest::Client,
        rejected: Option<&HeaderValue>,
    ) -> Result<HeaderValue, Error> {
        let (scheme, secret) = match self {
            Credentials::ApiToken(t) => ("SSWS", t),
            Credentials::BearerToken(t) => ("Bearer", t),
            Credentials::PrivateKey(settings) => return settings.authorization(http, rejected).await,
        };
        let mut value = HeaderValue::from_str(&format!("{scheme} {}", secret.expose_secret()))
            .map_err(|_| Error::Config("the token contains characters not allowed in a header".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Whether a 401 can be cured by fetching a new token.
    pub(crate) fn can_refresh(&self) -> bool {
        matches!(self, Credentials::PrivateKey(_))
    }
}
