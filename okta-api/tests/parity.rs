//! What Okta's official SDKs offer besides the operations, on loopback:
//! response metadata, following hrefs, throttling before a 429, private keys
//! as a JWK or SEC1 PEM, required scopes and the User-Agent.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use okta_api::legacy::models::FactorResultType;
use okta_api::legacy::UserApi;
use okta_api::{Client, Error};
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[allow(dead_code)]
#[path = "../examples/poll_push_factor.rs"]
mod poll_push_factor;

async fn within<T>(secs: u64, test: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), test)
        .await
        .expect("the test hung")
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .org_url(server.uri())
        .api_token("t")
        .build()
        .unwrap()
}

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn reset_in(secs: u64) -> String {
    (SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() + secs).to_string()
}

#[tokio::test]
async fn a_success_keeps_status_headers_request_id_and_rate_limit_state() {
    within(10, async {
        let server = MockServer::start().await;
        let reset = reset_in(30);
        let headers = |template: ResponseTemplate| {
            template
                .insert_header("x-okta-request-id", "r-1")
                .insert_header("x-rate-limit-limit", "600")
                .insert_header("x-rate-limit-remaining", "599")
                .insert_header("x-rate-limit-reset", reset.as_str())
        };
        Mock::given(method("GET"))
            .and(path("/api/v1/users"))
            .respond_with(headers(
                ResponseTemplate::new(200).set_body_json(json!([{"id": "00u1"}])),
            ))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": "00u1"}))
                    .insert_header("x-okta-request-id", "r-1")
                    .insert_header("x-rate-limit-limit", "600")
                    .insert_header("x-rate-limit-remaining", "599")
                    .insert_header("x-rate-limit-reset", reset.as_str())
                    .insert_header("x-custom", "yes"),
            )
            .mount(&server)
            .await;
        let response = UserApi::new(&client(&server))
            .get_user("00u1")
            .send_with_response()
            .await
            .unwrap();
        assert_eq!(response.body.id.as_deref(), Some("00u1"));
        assert_eq!(response.meta.status.as_u16(), 200);
        assert_eq!(response.meta.request_id.as_deref(), Some("r-1"));
        assert_eq!(response.meta.headers["x-custom"], "yes");
        let limit = response.meta.rate_limit.unwrap();
        assert_eq!((limit.limit, limit.remaining), (Some(600), Some(599)));
        let reset_at = limit.reset.unwrap().duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(reset_at.to_string(), reset);
        // Pages carry the same, page by page.
        let pages: Vec<_> = UserApi::new(&client(&server))
            .list_users()
            .pages()
            .collect()
            .await;
        assert_eq!(pages.len(), 1);
        let page = pages[0].as_ref().unwrap();
        assert_eq!(page.meta.request_id.as_deref(), Some("r-1"));
        assert_eq!(page.meta.rate_limit.unwrap().remaining, Some(599));
    })
    .await
}

#[tokio::test]
async fn an_api_error_carries_the_rate_limit_state() {
    within(10, async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(403)
                    .insert_header("x-rate-limit-limit", "100")
                    .insert_header("x-rate-limit-remaining", "42")
                    .set_body_json(json!({"errorCode": "E0000006"})),
            )
            .mount(&server)
            .await;
        let err = UserApi::new(&client(&server)).get_user("00u1").await.unwrap_err();
        let state = err.as_api().unwrap().rate_limit.unwrap();
        assert_eq!(
            (state.limit, state.remaining, state.reset),
            (Some(100), Some(42), None)
        );
    })
    .await
}

#[tokio::test]
async fn a_push_verification_is_polled_through_its_href_until_answered() {
    within(10, async {
        let server = MockServer::start().await;
        let poll = format!("{}/api/v1/users/00u1/factors/opf1/transactions/v2mst.abc", server.uri());
        let waiting = json!({"factorResult": "WAITING", "_links": {"poll": {"href": poll, "hints": {"allow": ["GET"]}}}});
        Mock::given(method("POST"))
            .and(path("/api/v1/users/00u1/factors/opf1/verify"))
            .respond_with(ResponseTemplate::new(201).set_body_json(waiting.clone()))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/users/00u1/factors/opf1/transactions/v2mst.abc"))
            .and(header("authorization", "SSWS t"))
            .respond_with(ResponseTemplate::new(200).set_body_json(waiting))
            .up_to_n_times(2)
            .expect(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/users/00u1/factors/opf1/transactions/v2mst.abc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"factorResult": "SUCCESS"})))
            .expect(1)
            .mount(&server)
            .await;
        let result = poll_push_factor::run(&client(&server), "00u1", "opf1", Duration::from_millis(10)).await.unwrap();
        assert_eq!(result, Some(FactorResultType::Success));
    })
    .await
}

#[tokio::test]
async fn hrefs_elsewhere_are_refused_and_other_methods_work() {
    within(10, async {
        let server = MockServer::start().await;
        let elsewhere = MockServer::start().await;
        let err = client(&server)
            .get_href::<serde_json::Value>(&format!("{}/api/v1/users", elsewhere.uri()))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UntrustedUrl { .. }), "{err}");
        assert!(elsewhere.received_requests().await.unwrap().is_empty());
        Mock::given(method("POST"))
            .and(path("/api/v1/users/00u1/lifecycle/suspend"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("DELETE"))
            .and(path("/api/v1/users/00u1/sessions"))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server);
        let _: serde_json::Value = c
            .post_href(
                &format!("{}/api/v1/users/00u1/lifecycle/suspend", server.uri()),
                None::<&()>,
            )
            .await
            .unwrap();
        // A relative href is resolved against the org URL.
        c.delete_href("/api/v1/users/00u1/sessions").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn an_href_with_a_user_name_is_refused_and_a_posted_hrefs_answer_is_decoded() {
    within(10, async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/users/00u1/lifecycle/activate"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"activationToken": "at-1"})))
            .expect(1)
            .mount(&server)
            .await;
        let c = client(&server);
        let with_user = server.uri().replace("http://", "http://ada@");
        let err = c
            .get_href::<serde_json::Value>(&format!("{with_user}/api/v1/users"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::UntrustedUrl { .. }), "{err}");
        let answer: serde_json::Value = c
            .post_href("/api/v1/users/00u1/lifecycle/activate", None::<&()>)
            .await
            .unwrap();
        assert_eq!(answer["activationToken"], "at-1");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    })
    .await
}

#[tokio::test]
async fn throttling_waits_for_an_exhausted_endpoints_reset_instead_of_drawing_a_429() {
    within(15, async {
        let server = MockServer::start().await;
        let reset = reset_in(1);
        Mock::given(method("GET"))
            .and(path("/api/v1/users/00u1"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({}))
                    .insert_header("x-rate-limit-remaining", "0")
                    .insert_header("x-rate-limit-reset", reset.as_str()),
            )
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/api/v1/groups"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
        let throttled = Client::builder()
            .org_url(server.uri())
            .api_token("t")
            .prevent_rate_limits(true)
            .build()
            .unwrap();
        UserApi::new(&throttled).get_user("00u1").await.unwrap();
        // Another endpoint is not held back.
        let started = Instant::now();
        okta_api::legacy::GroupApi::new(&throttled)
            .list_groups()
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_millis(500));
        // The exhausted one waits for its reset (one second plus the skew margin).
        let started = Instant::now();
        UserApi::new(&throttled).get_user("00u1").await.unwrap();
        assert!(
            started.elapsed() >= Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
        // Off by default.
        let plain = client(&server);
        UserApi::new(&plain).get_user("00u1").await.unwrap();
        let started = Instant::now();
        UserApi::new(&plain).get_user("00u1").await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(500));
    })
    .await
}

/// A token endpoint that accepts any assertion signed by `public` (PEM).
async fn checks_assertions(
    server: &MockServer,
    public: String,
    alg: jsonwebtoken::Algorithm,
    kid: &'static str,
) {
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(move |request: &wiremock::Request| {
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(&request.body).into_owned().collect();
            let jwt = &form["client_assertion"];
            let header = jsonwebtoken::decode_header(jwt).unwrap();
            let key = match alg {
                jsonwebtoken::Algorithm::RS256 => jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()),
                _ => jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()),
            }
            .unwrap();
            let mut validation = jsonwebtoken::Validation::new(alg);
            validation.validate_aud = false;
            let valid = jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation).is_ok();
            if valid && header.alg == alg && header.kid.as_deref() == Some(kid) {
                ResponseTemplate::new(200)
                    .set_body_json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": "at"}))
            } else {
                ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"}))
            }
        })
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer at"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn private_keys_as_jwk_and_sec1_pem_sign_accepted_assertions() {
    let jwk_kid = |name: &str| {
        let jwk: serde_json::Value = serde_json::from_str(&key(name)).ok()?;
        jwk["kid"].as_str().map(str::to_string)
    };
    let cases = [
        (
            "rsa-private.jwk.json",
            "rsa-public.pem",
            jsonwebtoken::Algorithm::RS256,
        ),
        (
            "ec-private.jwk.json",
            "ec-public.pem",
            jsonwebtoken::Algorithm::ES256,
        ),
        (
            "ec-private-sec1.pem",
            "ec-public.pem",
            jsonwebtoken::Algorithm::ES256,
        ),
        (
            "ec384-private-sec1.pem",
            "ec384-public.pem",
            jsonwebtoken::Algorithm::ES384,
        ),
    ];
    for (private, public, alg) in cases {
        within(10, async {
            let server = MockServer::start().await;
            // A JWK names its own kid; a PEM's comes from the setting.
            let kid: &'static str = match jwk_kid(private) {
                Some(kid) => Box::leak(kid.into_boxed_str()),
                None => "kid-setting",
            };
            checks_assertions(&server, key(public), alg, kid).await;
            let mut builder = Client::builder().org_url(server.uri()).private_key(
                "0oa1",
                ["okta.users.read"],
                key(private),
            );
            if kid == "kid-setting" {
                builder = builder.kid(kid);
            }
            UserApi::new(&builder.build().unwrap())
                .get_user("00u1")
                .await
                .unwrap_or_else(|e| panic!("{private}: {e}"));
        })
        .await
    }
}

#[test]
fn a_service_app_without_scopes_is_a_configuration_error() {
    for scopes in [None, Some("")] {
        let err = Client::builder()
            .env_vars(|name| match name {
                "OKTA_CLIENT_ORGURL" => Some("https://dev-1.okta.com".into()),
                "OKTA_CLIENT_AUTHORIZATIONMODE" => Some("PrivateKey".into()),
                "OKTA_CLIENT_CLIENTID" => Some("0oa1".into()),
                "OKTA_CLIENT_PRIVATEKEY" => Some(key("rsa-private.pem")),
                "OKTA_CLIENT_SCOPES" => scopes.map(str::to_string),
                _ => None,
            })
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("scopes is not set") && err.contains("OKTA_CLIENT_SCOPES"),
            "{err}"
        );
    }
}

#[tokio::test]
async fn the_user_agent_names_sdk_rust_platform_and_the_callers_suffix() {
    within(10, async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        let client = Client::builder()
            .org_url(server.uri())
            .api_token("t")
            .user_agent("my-tool/1.2")
            .build()
            .unwrap();
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let received = server.received_requests().await.unwrap();
        let agent = received[0].headers["user-agent"].to_str().unwrap();
        let expected = format!(
            "{} {}/{} my-tool/1.2",
            okta_api::DEFAULT_USER_AGENT,
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        assert_eq!(agent, expected);
        assert!(agent.starts_with("okta-sdk-rust/0.1.0 rust/"), "{agent}");
    })
    .await
}
