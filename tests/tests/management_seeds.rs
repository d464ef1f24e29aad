//! The Management APIs documented in the official SDKs' pages (Session,
//! UserSessions, SSF security event tokens, Authenticators) behave as those
//! pages say: each call's exact request, its decoded response, and the
//! documented error statuses as typed errors.

use okta_api::management::models::{
    AuthenticatorBase, AuthenticatorMethodBase, AuthenticatorMethodType, AuthenticatorMethodTypeWebAuthn,
    CreateSessionRequest, KeepCurrent, SessionStatus,
};
use okta_api::management::{AuthenticatorApi, SessionApi, SsfSecurityEventTokenApi, UserSessionsApi};
use okta_api::{Client, Error};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "00test-token";

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

fn session(id: &str) -> Value {
    json!({
        "id": id, "login": "ada@example.com", "userId": "00u1", "status": "ACTIVE",
        "createdAt": "2026-01-01T00:00:00.000Z", "expiresAt": "2026-01-01T02:00:00.000Z",
        "amr": ["pwd"], "idp": {"id": "00o1", "type": "OKTA"},
        "_links": {"self": {"href": "https://x/api/v1/sessions/me"}}
    })
}

async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1, "exactly one request");
    received.remove(0)
}

fn assert_no_credentials(request: &Request) {
    assert!(
        !request.headers.contains_key("authorization"),
        "the call must not send the API token"
    );
}

fn error_body(code: &str) -> Value {
    json!({"errorCode": code, "errorSummary": "summary", "errorLink": code, "errorId": "oae1", "errorCauses": []})
}

/// The documented error statuses come back as typed API errors.
async fn assert_error_statuses<F, Fut, T>(statuses: &[u16], call: F)
where
    F: Fn(Client) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
    T: std::fmt::Debug,
{
    for &status in statuses {
        let server = MockServer::start().await;
        let mut response = ResponseTemplate::new(status)
            .insert_header("x-okta-request-id", "req-err")
            .set_body_json(error_body("E0000099"));
        if status == 429 {
            response = response.insert_header("retry-after", "0");
        }
        Mock::given(wiremock::matchers::any())
            .respond_with(response)
            .mount(&server)
            .await;
        let client = Client::builder()
            .org_url(server.uri())
            .api_token(TOKEN)
            .max_retries(0)
            .build()
            .unwrap();
        let err = call(client).await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{err}");
        assert_eq!(err.request_id(), Some("req-err"));
        assert_eq!(err.as_api().unwrap().error_code.as_deref(), Some("E0000099"));
        if status == 429 {
            assert!(matches!(err, Error::RateLimited(_)), "{err}");
        }
    }
}

// ---- Session (dotnet-SessionApi.md) -----------------------------------------

#[tokio::test]
async fn create_session_with_a_session_token() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"sessionToken": "20111tok"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(session("102abc")))
        .mount(&server)
        .await;
    let request = CreateSessionRequest {
        session_token: Some("20111tok".into()),
        ..Default::default()
    };
    let created = SessionApi::new(&client).create_session(request).await.unwrap();
    assert_eq!(created.id.as_deref(), Some("102abc"));
    assert_eq!(created.status, Some(SessionStatus::Active));
    assert_error_statuses(&[400, 403, 429], |c| async move {
        SessionApi::new(&c)
            .create_session(CreateSessionRequest::default())
            .await
    })
    .await;
}

#[tokio::test]
async fn get_refresh_and_revoke_a_session() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/102abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session("102abc")))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/102abc/lifecycle/refresh"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session("102abc")))
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/sessions/102abc"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let sessions = SessionApi::new(&client);
    assert_eq!(
        sessions.get_session("102abc").await.unwrap().login.as_deref(),
        Some("ada@example.com")
    );
    assert_eq!(
        sessions
            .refresh_session("102abc")
            .await
            .unwrap()
            .user_id
            .as_deref(),
        Some("00u1")
    );
    sessions.revoke_session("102abc").await.unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 3);
    assert!(received
        .iter()
        .all(|r| r.headers["authorization"] == format!("SSWS {TOKEN}").as_str()));
    assert_error_statuses(&[403, 404, 429], |c| async move {
        SessionApi::new(&c).get_session("x").await
    })
    .await;
}

#[tokio::test]
async fn current_session_calls_send_the_cookie_not_the_token() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/sessions/me"))
        .and(header("cookie", "sid=abcde-123"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session("me1")))
        .mount(&server)
        .await;
    let current = SessionApi::new(&client)
        .get_current_session()
        .cookie("sid=abcde-123")
        .await
        .unwrap();
    assert_eq!(current.id.as_deref(), Some("me1"));
    assert_no_credentials(&only_request(&server).await);

    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/sessions/me/lifecycle/refresh"))
        .and(header("cookie", "idx=xyz"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session("me1")))
        .mount(&server)
        .await;
    SessionApi::new(&client)
        .refresh_current_session()
        .cookie("idx=xyz")
        .await
        .unwrap();
    assert_no_credentials(&only_request(&server).await);

    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/sessions/me"))
        .and(header("cookie", "sid=abcde-123"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    SessionApi::new(&client)
        .close_current_session()
        .cookie("sid=abcde-123")
        .await
        .unwrap();
    assert_no_credentials(&only_request(&server).await);

    assert_error_statuses(&[404], |c| async move {
        SessionApi::new(&c).get_current_session().await
    })
    .await;
}

// ---- UserSessions (java-UserSessionsApi.md) ---------------------------------

#[tokio::test]
async fn revoke_user_sessions_sends_oauth_tokens_only_when_set() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/users/00u1/sessions"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let users = UserSessionsApi::new(&client);
    users.revoke_user_sessions("00u1").await.unwrap();
    users
        .revoke_user_sessions("00u1")
        .oauth_tokens(true)
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received[0].url.query(),
        None,
        "oauthTokens defaults to false: not sent"
    );
    assert_eq!(received[1].url.query(), Some("oauthTokens=true"));
    assert_error_statuses(&[403, 404, 429], |c| async move {
        UserSessionsApi::new(&c).revoke_user_sessions("00u1").await
    })
    .await;
}

#[tokio::test]
async fn end_user_sessions_sends_keep_current() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/me/lifecycle/delete_sessions"))
        .and(body_json(json!({"keepCurrent": false})))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    UserSessionsApi::new(&client)
        .end_user_sessions()
        .keep_current(KeepCurrent {
            keep_current: Some(false),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        only_request(&server).await.headers["content-type"],
        "application/json"
    );
    assert_error_statuses(&[403, 404, 429], |c| async move {
        UserSessionsApi::new(&c).end_user_sessions().await
    })
    .await;
}

// ---- SSF security event tokens (java-SsfSecurityEventTokenApi.md) -----------

#[tokio::test]
async fn publish_security_event_tokens_posts_the_raw_jwt_without_authorization() {
    let (server, client) = setup().await;
    let set = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJodHRwczovL3RyYW5zbWl0dGVyIn0.c2lnbmF0dXJl";
    Mock::given(method("POST"))
        .and(path("/security/api/v1/security-events"))
        .and(header("content-type", "application/secevent+jwt"))
        .respond_with(ResponseTemplate::new(202))
        .mount(&server)
        .await;
    SsfSecurityEventTokenApi::new(&client)
        .publish_security_event_tokens(set)
        .await
        .unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.body, set.as_bytes(), "the token is the raw body");
    assert_no_credentials(&request);
    assert_error_statuses(&[400], |c| async move {
        SsfSecurityEventTokenApi::new(&c)
            .publish_security_event_tokens("x")
            .await
    })
    .await;
}

// ---- Authenticators (python-AuthenticatorApi.md) ----------------------------

fn authenticator(key: &str, id: &str) -> Value {
    json!({
        "id": id, "key": key, "name": "An authenticator", "status": "ACTIVE", "type": "email",
        "created": "2026-01-01T00:00:00.000Z", "lastUpdated": "2026-01-01T00:00:00.000Z",
        "settings": {"allowedFor": "any", "tokenLifetimeInMinutes": 5},
        "_links": {"self": {"href": "https://x"}}
    })
}

#[tokio::test]
async fn authenticators_are_polymorphic_by_key() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/authenticators"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            authenticator("okta_email", "aut1"),
            authenticator("webauthn", "aut2"),
            authenticator("some_future_key", "aut3"),
        ])))
        .mount(&server)
        .await;
    let all = AuthenticatorApi::new(&client)
        .list_authenticators()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(matches!(all[0], AuthenticatorBase::OktaEmail(_)), "{:?}", all[0]);
    assert!(matches!(all[1], AuthenticatorBase::Webauthn(_)), "{:?}", all[1]);
    assert!(matches!(all[2], AuthenticatorBase::Other(_)), "{:?}", all[2]);
    let ids: Vec<_> = all.iter().map(|a| a.id().cloned()).collect();
    assert_eq!(
        ids,
        vec![Some("aut1".into()), Some("aut2".into()), Some("aut3".into())]
    );
    // Nothing is lost on the way back.
    let back = serde_json::to_value(&all.items).unwrap();
    assert_eq!(back[2], authenticator("some_future_key", "aut3"));
}

/// Every authenticator operation: `(method, path, call)`.
#[tokio::test]
async fn every_authenticator_operation_sends_what_the_page_documents() {
    type Call =
        fn(Client) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, Error>> + Send>>;
    fn json<T: serde::Serialize>(r: Result<T, Error>) -> Result<Value, Error> {
        r.map(|v| serde_json::to_value(v).unwrap())
    }
    let method_body = json!({"type": "push", "status": "ACTIVE", "settings": {"algorithms": ["RSA"]}});
    let cases: Vec<(&str, &str, Option<&str>, Call)> = vec![
        (
            "GET",
            "/.well-known/app-authenticator-configuration",
            Some("oauthClientId=0oa1"),
            |c| {
                Box::pin(async move {
                    json(
                        AuthenticatorApi::new(&c)
                            .get_well_known_app_authenticator_configuration("0oa1")
                            .await
                            .map(|page| page.items),
                    )
                })
            },
        ),
        ("GET", "/api/v1/authenticators", None, |c| {
            Box::pin(async move {
                json(
                    AuthenticatorApi::new(&c)
                        .list_authenticators()
                        .await
                        .map(|page| page.items),
                )
            })
        }),
        ("POST", "/api/v1/authenticators", Some("activate=false"), |c| {
            Box::pin(async move {
                let body: AuthenticatorBase =
                    serde_json::from_value(authenticator("okta_email", "aut1")).unwrap();
                json(
                    AuthenticatorApi::new(&c)
                        .create_authenticator(body)
                        .activate(false)
                        .await,
                )
            })
        }),
        ("GET", "/api/v1/authenticators/aut1", None, |c| {
            Box::pin(async move { json(AuthenticatorApi::new(&c).get_authenticator("aut1").await) })
        }),
        ("PUT", "/api/v1/authenticators/aut1", None, |c| {
            Box::pin(async move {
                let body: AuthenticatorBase =
                    serde_json::from_value(authenticator("okta_email", "aut1")).unwrap();
                json(
                    AuthenticatorApi::new(&c)
                        .replace_authenticator("aut1", body)
                        .await,
                )
            })
        }),
        ("GET", "/api/v1/authenticators/aut1/aaguids", None, |c| {
            Box::pin(async move { json(AuthenticatorApi::new(&c).list_all_custom_aaguids("aut1").await) })
        }),
        ("POST", "/api/v1/authenticators/aut1/aaguids", None, |c| {
            Box::pin(async move { json(AuthenticatorApi::new(&c).create_custom_aaguid("aut1").await) })
        }),
        ("GET", "/api/v1/authenticators/aut1/aaguids/cb69481e", None, |c| {
            Box::pin(async move {
                json(
                    AuthenticatorApi::new(&c)
                        .get_custom_aaguid("aut1", "cb69481e")
                        .await,
                )
            })
        }),
        ("PUT", "/api/v1/authenticators/aut1/aaguids/cb69481e", None, |c| {
            Box::pin(async move {
                json(
                    AuthenticatorApi::new(&c)
                        .replace_custom_aaguid("aut1", "cb69481e")
                        .await,
                )
            })
        }),
        (
            "DELETE",
            "/api/v1/authenticators/aut1/aaguids/cb69481e",
            None,
            |c| {
                Box::pin(async move {
                    json(
                        AuthenticatorApi::new(&c)
                            .delete_custom_aaguid("aut1", "cb69481e")
                            .await,
                    )
                })
            },
        ),
        (
            "PATCH",
            "/api/v1/authenticators/aut1/aaguids/cb69481e",
            None,
            |c| {
                Box::pin(async move {
                    json(
                        AuthenticatorApi::new(&c)
                            .update_custom_aaguid("aut1", "cb69481e")
                            .await,
                    )
                })
            },
        ),
        (
            "POST",
            "/api/v1/authenticators/aut1/lifecycle/activate",
            None,
            |c| Box::pin(async move { json(AuthenticatorApi::new(&c).activate_authenticator("aut1").await) }),
        ),
        (
            "POST",
            "/api/v1/authenticators/aut1/lifecycle/deactivate",
            None,
            |c| {
                Box::pin(
                    async move { json(AuthenticatorApi::new(&c).deactivate_authenticator("aut1").await) },
                )
            },
        ),
        ("GET", "/api/v1/authenticators/aut1/methods", None, |c| {
            Box::pin(async move {
                json(
                    AuthenticatorApi::new(&c)
                        .list_authenticator_methods("aut1")
                        .await
                        .map(|page| page.items),
                )
            })
        }),
        ("GET", "/api/v1/authenticators/aut1/methods/push", None, |c| {
            Box::pin(async move {
                json(
                    AuthenticatorApi::new(&c)
                        .get_authenticator_method("aut1", AuthenticatorMethodType::Push)
                        .await,
                )
            })
        }),
        ("PUT", "/api/v1/authenticators/aut1/methods/push", None, |c| {
            Box::pin(async move {
                json(
                    AuthenticatorApi::new(&c)
                        .replace_authenticator_method("aut1", AuthenticatorMethodType::Push)
                        .await,
                )
            })
        }),
        (
            "POST",
            "/api/v1/authenticators/aut1/methods/push/lifecycle/activate",
            None,
            |c| {
                Box::pin(async move {
                    json(
                        AuthenticatorApi::new(&c)
                            .activate_authenticator_method("aut1", AuthenticatorMethodType::Push)
                            .await,
                    )
                })
            },
        ),
        (
            "POST",
            "/api/v1/authenticators/aut1/methods/push/lifecycle/deactivate",
            None,
            |c| {
                Box::pin(async move {
                    json(
                        AuthenticatorApi::new(&c)
                            .deactivate_authenticator_method("aut1", AuthenticatorMethodType::Push)
                            .await,
                    )
                })
            },
        ),
        (
            "POST",
            "/api/v1/authenticators/aut1/methods/webauthn/verify-rp-id-domain",
            None,
            |c| {
                Box::pin(async move {
                    json(
                        AuthenticatorApi::new(&c)
                            .verify_rp_id_domain("aut1", AuthenticatorMethodTypeWebAuthn::Webauthn)
                            .await,
                    )
                })
            },
        ),
    ];
    assert_eq!(cases.len(), 19, "all 19 operations of the page");
    for (verb, route, query, call) in cases {
        let (server, client) = setup().await;
        let response = if route.contains("/methods/push") && verb != "GET" || route.ends_with("/methods/push")
        {
            method_body.clone()
        } else if route.contains("/methods") && !route.ends_with("verify-rp-id-domain") {
            json!([method_body.clone()])
        } else if route.contains("aaguids/") || route.ends_with("/aaguids") && verb == "POST" {
            json!({"aaguid": "cb69481e", "name": "Key", "authenticatorCharacteristics": {"platformAttached": false}})
        } else if route.ends_with("/aaguids") {
            json!([{"aaguid": "cb69481e", "name": "Key"}])
        } else if route == "/api/v1/authenticators" && verb == "GET" || route.starts_with("/.well-known") {
            json!([])
        } else {
            authenticator("okta_email", "aut1")
        };
        Mock::given(method(verb))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(response))
            .mount(&server)
            .await;
        let result = call(client).await;
        assert!(result.is_ok(), "{verb} {route}: {:?}", result.err());
        let request = only_request(&server).await;
        assert_eq!(request.url.query(), query, "{verb} {route}");
        if request.url.path().starts_with("/.well-known") {
            assert_no_credentials(&request);
        } else {
            assert_eq!(
                request.headers["authorization"],
                format!("SSWS {TOKEN}").as_str(),
                "{verb} {route}"
            );
        }
        // The merge-patch Content-Type of a PATCH with a body is checked in
        // management_content_types.rs.
    }
    assert_error_statuses(&[400, 403, 404, 429], |c| async move {
        AuthenticatorApi::new(&c).activate_authenticator("aut1").await
    })
    .await;
}

#[tokio::test]
async fn authenticator_methods_are_polymorphic_by_type() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/authenticators/aut1/methods"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([
            {"type": "push", "status": "ACTIVE", "settings": {"algorithms": ["RSA"]}},
            {"type": "totp", "status": "INACTIVE"},
            {"type": "smoke_signal", "status": "ACTIVE", "smoke": true},
        ])))
        .mount(&server)
        .await;
    let methods = AuthenticatorApi::new(&client)
        .list_authenticator_methods("aut1")
        .await
        .unwrap();
    assert!(
        matches!(methods[0], AuthenticatorMethodBase::Push(_)),
        "{:?}",
        methods[0]
    );
    assert!(
        matches!(methods[1], AuthenticatorMethodBase::Totp(_)),
        "{:?}",
        methods[1]
    );
    assert!(
        matches!(methods[2], AuthenticatorMethodBase::Other(_)),
        "{:?}",
        methods[2]
    );
    assert_eq!(serde_json::to_value(&methods[2]).unwrap()["smoke"], json!(true));
}
