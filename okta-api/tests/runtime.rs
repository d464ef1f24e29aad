//! The request pipeline against a real HTTP server on loopback.

use okta_api::legacy::models::{Group, GroupProfile};
use okta_api::legacy::{GroupApi, UserApi};
use okta_api::{Client, Error};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "00secret-token-value";

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn sends_the_api_token_user_agent_and_no_empty_query() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(header("authorization", format!("SSWS {TOKEN}").as_str()))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([{"id": "00u1"}])))
        .expect(1)
        .mount(&server)
        .await;
    let users = UserApi::new(&client).list_users().await.unwrap();
    assert_eq!(users[0].id.as_deref(), Some("00u1"));
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].url.query(), None, "nothing set, no query string");
    let agent = received[0].headers["user-agent"].to_str().unwrap();
    assert!(agent.starts_with("okta-sdk-rust/0.1.0 rust/"), "{agent}");
}

#[tokio::test]
async fn optional_parameters_are_sent_only_when_set() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("search", "profile.lastName eq \"O'Brien & Co\""))
        .and(query_param("limit", "5"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .expect(1)
        .mount(&server)
        .await;
    UserApi::new(&client)
        .list_users()
        .search("profile.lastName eq \"O'Brien & Co\"")
        .limit(5)
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received[0].url.query(),
        Some("limit=5&search=profile.lastName%20eq%20%22O%27Brien%20%26%20Co%22"),
        "spec order, RFC 3986 escapes"
    );
}

#[tokio::test]
async fn path_parameters_are_percent_encoded() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "x"})))
        .mount(&server)
        .await;
    UserApi::new(&client)
        .get_user("a/b c?d#e@example.com")
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(
        received[0].url.path(),
        "/api/v1/users/a%2Fb%20c%3Fd%23e@example.com"
    );
}

#[tokio::test]
async fn json_bodies_and_empty_success_responses() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/groups"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"profile": {"name": "Admins"}})))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "00g1", "profile": {"name": "Admins"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/api/v1/groups/00g1"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/00u1/lifecycle/deactivate"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .mount(&server)
        .await;
    let group = Group {
        profile: Some(GroupProfile {
            name: Some("Admins".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let created = GroupApi::new(&client).create_group(group).await.unwrap();
    created.delete(&client).await.unwrap();
    UserApi::new(&client).deactivate_user("00u1").await.unwrap();
}

#[tokio::test]
async fn api_errors_keep_status_okta_fields_request_id_and_body() {
    let (server, client) = setup().await;
    let body = json!({
        "errorCode": "E0000001",
        "errorSummary": "Api validation failed: login",
        "errorLink": "E0000001",
        "errorId": "oaeabc",
        "errorCauses": [{"errorSummary": "login: An object with this field already exists"}]
    });
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-okta-request-id", "req-123")
                .set_body_json(body.clone()),
        )
        .mount(&server)
        .await;
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(err.request_id(), Some("req-123"));
    let api = err.as_api().unwrap();
    assert_eq!(api.operation, "getUser");
    assert_eq!(api.error_code.as_deref(), Some("E0000001"));
    assert_eq!(api.error_summary.as_deref(), Some("Api validation failed: login"));
    assert_eq!(api.error_link.as_deref(), Some("E0000001"));
    assert_eq!(api.error_id.as_deref(), Some("oaeabc"));
    assert_eq!(
        api.error_causes,
        vec!["login: An object with this field already exists"]
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&api.body).unwrap(),
        body
    );
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn non_okta_error_bodies_are_kept_raw() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.error_code, None);
    assert_eq!(api.body, "<html>Bad Gateway</html>");
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), Some(3), "a GET is retried twice by default");
}

#[tokio::test]
async fn undecodable_bodies_name_the_path_and_show_the_start() {
    let (server, _) = setup().await;
    // A strict client: by default a property of the wrong type is set
    // aside instead (`tests/tolerant.rs`).
    let client = Client::builder()
        .org_url(server.uri())
        .api_token(TOKEN)
        .strict_decoding(true)
        .build()
        .unwrap();
    Mock::given(method("GET"))
        .and(path("/api/v1/users/bad"))
        .respond_with(
            ResponseTemplate::new(200).set_body_string(r#"{"id": "00u1", "profile": {"login": 42}}"#),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/truncated"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"id": "00u1", "prof"#))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/empty"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let users = UserApi::new(&client);
    match users.get_user("bad").await.unwrap_err() {
        Error::Decode {
            operation,
            path,
            excerpt,
            ..
        } => {
            assert_eq!(operation, "getUser");
            assert_eq!(path, "profile.login");
            assert!(excerpt.starts_with(r#"{"id": "00u1""#));
        }
        other => panic!("expected a decode error, got {other}"),
    }
    assert!(matches!(
        users.get_user("truncated").await.unwrap_err(),
        Error::Decode { .. }
    ));
    // An empty 200 where the spec promises a user reads as an empty user.
    let empty = users.get_user("empty").await.unwrap();
    assert_eq!(empty, okta_api::legacy::models::User::default());
}

#[tokio::test]
async fn an_empty_body_for_a_polymorphic_type_is_a_decode_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let err = okta_api::legacy::ApplicationApi::new(&client)
        .get_application("0oa1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("the response has no body"), "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(204));
}

#[tokio::test]
async fn redirects_are_not_followed_with_credentials() {
    let (server, client) = setup().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn resource_methods_need_their_bound_fields() {
    let (_server, client) = setup().await;
    let err = Group::default().delete(&client).await.unwrap_err();
    assert!(matches!(err, Error::MissingField { field: "Group.id" }), "{err}");
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let client = Client::builder()
        .org_url("https://dev-1.okta.com")
        .api_token(TOKEN)
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("<redacted>"));
    let builder = format!("{:?}", Client::builder().bearer_token(TOKEN));
    assert!(!builder.contains(TOKEN), "{builder}");
}

#[test]
fn invalid_configuration_is_rejected_with_the_setting_named() {
    let err = |b: okta_api::ClientBuilder| b.build().unwrap_err().to_string();
    assert!(err(Client::builder().api_token(TOKEN)).contains("orgUrl is not set"));
    assert!(err(Client::builder()
        .org_url("http://dev-1.okta.com")
        .api_token(TOKEN))
    .contains("must use https"));
    assert!(err(Client::builder()
        .org_url("https://{yourOktaDomain}")
        .api_token(TOKEN))
    .contains("placeholder"));
    assert_eq!(
        err(Client::builder().org_url("https://dev-1.okta.com").api_token(" ")),
        "invalid configuration: token (from the builder) is empty"
    );
    assert!(err(Client::builder().org_url("https://dev-1.okta.com")).contains("token is not set"));
    assert!(Client::builder()
        .org_url("http://127.0.0.1:8080")
        .api_token(TOKEN)
        .build()
        .is_ok());
}
