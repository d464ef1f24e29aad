//! DPoP (RFC 9449) for service apps, against a loopback org whose token
//! endpoint and API require it and check every proof on their own: the
//! signature against the proof's own `jwk`, `typ`, `htm` and `htu` against
//! the request that arrived, `iat`, a unique `jti`, `ath` and the nonce.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use futures::StreamExt;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use okta_api::legacy::UserApi;
use okta_api::{Client, DpopMode, Error};
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

async fn within<T>(secs: u64, test: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), test)
        .await
        .expect("the test hung")
}

#[derive(Debug, serde::Deserialize)]
struct Proof {
    htm: String,
    htu: String,
    iat: u64,
    jti: String,
    nonce: Option<String>,
    ath: Option<String>,
}

/// Checks a proof as a server would, without the client's code: the
/// signature against the header's `jwk`, the header, and the claims against
/// the request that arrived.
fn verify(proof: &str, request: &Request, base: &str, token: Option<&str>) -> Result<Proof, String> {
    let header = jsonwebtoken::decode_header(proof).map_err(|e| e.to_string())?;
    if header.typ.as_deref() != Some("dpop+jwt") || header.alg != Algorithm::ES256 {
        return Err(format!("header {header:?}"));
    }
    let raw: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(proof.split('.').next().unwrap()).unwrap()).unwrap();
    if raw["jwk"].get("d").is_some() || raw["jwk"]["crv"] != "P-256" {
        return Err("the jwk is not a public P-256 key".into());
    }
    let jwk = header.jwk.ok_or("no jwk")?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(Algorithm::ES256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    let claims: Proof = jsonwebtoken::decode(proof, &key, &validation)
        .map_err(|e| e.to_string())?
        .claims;
    let expected_htu = format!("{base}{}", request.url.path());
    if claims.htm != request.method.as_str() || claims.htu != expected_htu {
        return Err(format!(
            "htm/htu {} {} for {} {expected_htu}",
            claims.htm, claims.htu, request.method
        ));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    if claims.iat.abs_diff(now) > 5 {
        return Err(format!("iat {} is not fresh", claims.iat));
    }
    let ath =
        token.map(|t| URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, t.as_bytes())));
    if claims.ath != ath {
        return Err(format!("ath {:?}, expected {ath:?}", claims.ath));
    }
    Ok(claims)
}

/// What the org requires, and everything it saw.
#[derive(Default)]
struct Org {
    base: String,
    require_dpop: bool,
    token_nonce: Option<&'static str>,
    api_nonce: Option<&'static str>,
    /// The API answers its first request with a 429.
    limit_first: bool,
    /// A new nonce the API hands out with its successful answers.
    success_nonce: Option<&'static str>,
    /// Per token request: the proof's claims, if it had one, and the assertion's jti.
    token_requests: Vec<(Option<Proof>, String)>,
    /// Per API request: the path as received, and the proof's claims.
    api_requests: Vec<(String, Proof)>,
    jtis: HashSet<String>,
    tokens: usize,
}

type Shared = Arc<Mutex<Org>>;

fn oauth_error(status: u16, error: &str, description: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": error, "error_description": description}))
}

struct TokenEndpoint(Shared);

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut org = self.0.lock().unwrap();
        let form: std::collections::HashMap<String, String> =
            url::form_urlencoded::parse(&request.body).into_owned().collect();
        let claims = form["client_assertion"].split('.').nth(1).unwrap();
        let assertion: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
        let assertion_jti = assertion["jti"].as_str().unwrap().to_string();
        let Some(proof) = request
            .headers
            .get("dpop")
            .map(|v| v.to_str().unwrap().to_string())
        else {
            org.token_requests.push((None, assertion_jti));
            if org.require_dpop {
                return oauth_error(400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.");
            }
            org.tokens += 1;
            return ResponseTemplate::new(200)
                .set_body_json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": format!("bearer-{}", org.tokens)}));
        };
        let claims = match verify(&proof, request, &org.base, None) {
            Ok(claims) => claims,
            Err(e) => return oauth_error(400, "invalid_dpop_proof", &e),
        };
        let fresh_jti = org.jtis.insert(claims.jti.clone());
        let nonce_ok = org.token_nonce.is_none_or(|n| claims.nonce.as_deref() == Some(n));
        let expected_nonce = org.token_nonce;
        org.token_requests.push((Some(claims), assertion_jti));
        if !fresh_jti {
            return oauth_error(400, "invalid_dpop_proof", "jti reused");
        }
        if !nonce_ok {
            return oauth_error(
                400,
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof.",
            )
            .insert_header("dpop-nonce", expected_nonce.unwrap());
        }
        org.tokens += 1;
        ResponseTemplate::new(200).set_body_json(
            json!({"token_type": "DPoP", "expires_in": 3600, "access_token": format!("at-{}", org.tokens)}),
        )
    }
}

struct Api(Shared);

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut org = self.0.lock().unwrap();
        let auth = request
            .headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let Some(token) = auth.strip_prefix("DPoP ") else {
            return ResponseTemplate::new(401)
                .insert_header("www-authenticate", "DPoP error=\"invalid_token\"");
        };
        let Some(proof) = request
            .headers
            .get("dpop")
            .map(|v| v.to_str().unwrap().to_string())
        else {
            return ResponseTemplate::new(400).set_body_string("no DPoP proof");
        };
        let claims = match verify(&proof, request, &org.base, Some(token)) {
            Ok(claims) => claims,
            Err(e) => return ResponseTemplate::new(400).set_body_string(e),
        };
        assert!(org.jtis.insert(claims.jti.clone()), "a proof was reused");
        let nonce_ok = org.api_nonce.is_none_or(|n| claims.nonce.as_deref() == Some(n));
        let first = org.api_requests.is_empty();
        org.api_requests.push((request.url.path().to_string(), claims));
        if !nonce_ok {
            return ResponseTemplate::new(401)
                .insert_header("www-authenticate", "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"")
                .insert_header("dpop-nonce", org.api_nonce.unwrap());
        }
        if first && org.limit_first {
            return ResponseTemplate::new(429).insert_header("retry-after", "0");
        }
        if let Some(nonce) = org.success_nonce {
            return ResponseTemplate::new(200)
                .set_body_json(json!({"id": "00u1"}))
                .insert_header("dpop-nonce", nonce);
        }
        if request.url.path() == "/api/v1/users" && request.url.query().is_none() {
            let next = format!("<{}/api/v1/users?after=00u1&limit=1>; rel=\"next\"", org.base);
            return ResponseTemplate::new(200)
                .set_body_json(json!([{"id": "00u1"}]))
                .insert_header("link", next.as_str());
        }
        if request.url.path() == "/api/v1/users" {
            return ResponseTemplate::new(200).set_body_json(json!([{"id": "00u2"}]));
        }
        ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"}))
    }
}

async fn org(configure: impl FnOnce(&mut Org)) -> (MockServer, Shared) {
    let server = MockServer::start().await;
    let mut state = Org {
        base: server.uri(),
        require_dpop: true,
        ..Org::default()
    };
    configure(&mut state);
    let shared = Arc::new(Mutex::new(state));
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(TokenEndpoint(shared.clone()))
        .mount(&server)
        .await;
    Mock::given(path_regex("^/api/"))
        .respond_with(Api(shared.clone()))
        .mount(&server)
        .await;
    (server, shared)
}

fn service_app(server: &MockServer, mode: DpopMode) -> Client {
    let pem =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/rsa-private.pem")).unwrap();
    Client::builder()
        .org_url(server.uri())
        .private_key("0oaservice", ["okta.users.read"], pem)
        .dpop(mode)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_default_service_app_is_refused_once_then_uses_dpop() {
    within(10, async {
        let (server, org) = org(|_| {}).await;
        let client = service_app(&server, DpopMode::Auto);
        UserApi::new(&client).get_user("00u1").await.unwrap();
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let org = org.lock().unwrap();
        assert_eq!(org.token_requests.len(), 2);
        assert!(org.token_requests[0].0.is_none(), "the first grant has no proof");
        let proof = org.token_requests[1]
            .0
            .as_ref()
            .expect("the second grant has one");
        assert_eq!((proof.htm.as_str(), proof.ath.as_deref()), ("POST", None));
        assert_ne!(
            org.token_requests[0].1, org.token_requests[1].1,
            "a fresh client assertion"
        );
        assert_eq!(org.api_requests.len(), 2, "one token serves both calls");
        assert_ne!(org.api_requests[0].1.jti, org.api_requests[1].1.jti);
    })
    .await
}

#[tokio::test]
async fn the_token_endpoints_nonce_is_used_with_a_fresh_assertion() {
    within(10, async {
        let (server, org) = org(|o| o.token_nonce = Some("tn-1")).await;
        let client = service_app(&server, DpopMode::Always);
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let org = org.lock().unwrap();
        let nonces: Vec<_> = org
            .token_requests
            .iter()
            .map(|(p, _)| p.as_ref().unwrap().nonce.clone())
            .collect();
        assert_eq!(nonces, [None, Some("tn-1".to_string())]);
        assert_ne!(org.token_requests[0].1, org.token_requests[1].1);
        assert_eq!(org.api_requests.len(), 1);
    })
    .await
}

#[tokio::test]
async fn the_apis_nonce_is_stored_and_the_call_retried_once() {
    within(10, async {
        let (server, org) = org(|o| o.api_nonce = Some("an-1")).await;
        let client = service_app(&server, DpopMode::Always);
        UserApi::new(&client).get_user("00u1").await.unwrap();
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let org = org.lock().unwrap();
        let nonces: Vec<_> = org.api_requests.iter().map(|(_, p)| p.nonce.clone()).collect();
        assert_eq!(
            nonces,
            [None, Some("an-1".into()), Some("an-1".into())],
            "the nonce is kept for later calls"
        );
        assert_eq!(org.token_requests.len(), 1);
    })
    .await
}

#[tokio::test]
async fn a_token_endpoint_that_keeps_asking_for_a_nonce_is_retried_once() {
    within(10, async {
        for (nonce, grants) in [(Some("tn-1"), 2), (None, 1)] {
            let server = MockServer::start().await;
            let mut refusal = oauth_error(
                400,
                "use_dpop_nonce",
                "Authorization server requires nonce in DPoP proof.",
            );
            if let Some(nonce) = nonce {
                refusal = refusal.insert_header("dpop-nonce", nonce);
            }
            Mock::given(method("POST"))
                .and(path("/oauth2/v1/token"))
                .respond_with(refusal)
                .mount(&server)
                .await;
            let err = UserApi::new(&service_app(&server, DpopMode::Always))
                .get_user("00u1")
                .await
                .unwrap_err();
            assert!(
                matches!(&err, Error::OAuth { error, .. } if error == "use_dpop_nonce"),
                "{err}"
            );
            let received = server.received_requests().await.unwrap();
            assert_eq!(received.len(), grants, "nonce {nonce:?}");
        }
    })
    .await
}

#[tokio::test]
async fn a_nonce_sent_with_a_success_is_used_for_the_next_call() {
    within(10, async {
        let (server, org) = org(|o| o.success_nonce = Some("an-2")).await;
        let client = service_app(&server, DpopMode::Always);
        UserApi::new(&client).get_user("00u1").await.unwrap();
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let org = org.lock().unwrap();
        let nonces: Vec<_> = org.api_requests.iter().map(|(_, p)| p.nonce.clone()).collect();
        assert_eq!(nonces, [None, Some("an-2".into())]);
    })
    .await
}

#[tokio::test]
async fn an_api_that_keeps_asking_for_a_nonce_is_retried_once_per_new_nonce() {
    within(10, async {
        let (server, org) = org(|_| {}).await;
        Mock::given(path("/api/v1/users/00u2"))
            .respond_with(
                ResponseTemplate::new(401)
                    .insert_header("www-authenticate", "DPoP error=\"use_dpop_nonce\"")
                    .insert_header("dpop-nonce", "an-1"),
            )
            .with_priority(1)
            .mount(&server)
            .await;
        let client = service_app(&server, DpopMode::Always);
        let asked = || async {
            let requests = server.received_requests().await.unwrap();
            requests
                .iter()
                .filter(|r| r.url.path() == "/api/v1/users/00u2")
                .count()
        };
        for calls_so_far in [2, 3] {
            let err = UserApi::new(&client).get_user("00u2").await.unwrap_err();
            assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
            assert_eq!(asked().await, calls_so_far, "retried only for a new nonce");
        }
        assert_eq!(org.lock().unwrap().token_requests.len(), 1);
    })
    .await
}

#[tokio::test]
async fn a_429_is_retried_with_a_fresh_proof() {
    within(10, async {
        let (server, org) = org(|o| o.limit_first = true).await;
        let client = service_app(&server, DpopMode::Always);
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let org = org.lock().unwrap();
        assert_eq!(org.api_requests.len(), 2);
        assert_ne!(org.api_requests[0].1.jti, org.api_requests[1].1.jti);
    })
    .await
}

#[tokio::test]
async fn htu_is_the_url_as_sent_for_odd_paths_and_next_links() {
    within(10, async {
        let (server, org) = org(|_| {}).await;
        let client = service_app(&server, DpopMode::Always);
        UserApi::new(&client).get_user("a@b c/d").await.unwrap();
        let users: Vec<_> = UserApi::new(&client).list_users().stream().collect().await;
        assert_eq!(users.len(), 2);
        assert!(users.iter().all(Result::is_ok));
        let org = org.lock().unwrap();
        let seen: Vec<(&str, &str)> = org
            .api_requests
            .iter()
            .map(|(p, c)| (p.as_str(), c.htu.as_str()))
            .collect();
        let base = &org.base;
        assert_eq!(
            seen,
            [
                (
                    "/api/v1/users/a@b%20c%2Fd",
                    format!("{base}/api/v1/users/a@b%20c%2Fd").as_str()
                ),
                ("/api/v1/users", format!("{base}/api/v1/users").as_str()),
                ("/api/v1/users", format!("{base}/api/v1/users").as_str()),
            ]
        );
    })
    .await
}

#[tokio::test]
async fn a_hundred_concurrent_calls_share_one_token() {
    within(20, async {
        let (server, org) = org(|_| {}).await;
        let client = service_app(&server, DpopMode::Always);
        let calls: Vec<_> = (0..100)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { UserApi::new(&client).get_user("00u1").await })
            })
            .collect();
        for call in calls {
            call.await.unwrap().unwrap();
        }
        let org = org.lock().unwrap();
        assert_eq!(org.token_requests.len(), 1);
        assert_eq!(org.api_requests.len(), 100);
        assert_eq!(org.jtis.len(), 101, "every proof is unique");
    })
    .await
}

#[tokio::test]
async fn forced_on_sends_a_proof_from_the_first_grant_and_forced_off_never() {
    within(10, async {
        let (server, org_on) = org(|_| {}).await;
        UserApi::new(&service_app(&server, DpopMode::Always))
            .get_user("00u1")
            .await
            .unwrap();
        {
            let on = org_on.lock().unwrap();
            assert_eq!(on.token_requests.len(), 1);
            assert!(on.token_requests[0].0.is_some());
        }

        let (server, org_off) = org(|_| {}).await;
        let err = UserApi::new(&service_app(&server, DpopMode::Never))
            .get_user("00u1")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::OAuth { error, .. } if error == "invalid_dpop_proof"),
            "{err}"
        );
        let off = org_off.lock().unwrap();
        assert_eq!(off.token_requests.len(), 1);
        assert!(off.token_requests[0].0.is_none());
        assert!(off.api_requests.is_empty());
    })
    .await
}

#[tokio::test]
async fn an_app_without_dpop_keeps_plain_bearer_tokens() {
    within(10, async {
        let (server, org) = org(|o| o.require_dpop = false).await;
        Mock::given(path("/api/v1/users/00u1"))
            .and(wiremock::matchers::header("authorization", "Bearer bearer-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
            .with_priority(1)
            .expect(1)
            .mount(&server)
            .await;
        UserApi::new(&service_app(&server, DpopMode::Auto))
            .get_user("00u1")
            .await
            .unwrap();
        let org = org.lock().unwrap();
        assert_eq!(org.token_requests.len(), 1);
        assert!(org.token_requests[0].0.is_none());
    })
    .await
}

#[test]
fn the_setting_is_read_from_yaml_and_the_environment() {
    let pem =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/rsa-private.pem")).unwrap();
    let base = || {
        Client::builder().org_url("https://dev-1.okta.com").private_key(
            "0oa1",
            ["okta.users.read"],
            pem.clone(),
        )
    };
    for value in ["auto", "true", "false", "TRUE", "always", "never"] {
        base()
            .env_vars(|n| (n == "OKTA_CLIENT_DPOP").then(|| value.to_string()))
            .build()
            .unwrap();
    }
    let err = base()
        .env_vars(|n| (n == "OKTA_CLIENT_DPOP").then(|| "sometimes".to_string()))
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("dpop (from env OKTA_CLIENT_DPOP)"),
        "{err}"
    );
    let err = base()
        .yaml("okta:\n  client:\n    dpop: maybe\n", "okta.yaml")
        .unwrap()
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("dpop (from okta.yaml (okta.client.dpop))"),
        "{err}"
    );
}
