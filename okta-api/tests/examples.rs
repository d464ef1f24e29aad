//! The programs in `examples/`, run against a loopback server instead of a
//! real org: the same code, checked request by request.

use okta_api::Client;
use serde_json::json;
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[allow(dead_code)]
#[path = "../examples/list_users.rs"]
mod list_users;

#[allow(dead_code)]
#[path = "../examples/create_activate_user.rs"]
mod create_activate_user;

#[allow(dead_code)]
#[path = "../examples/assign_user_to_app.rs"]
mod assign_user_to_app;

#[cfg(all(
    feature = "management-application",
    feature = "management-application-sso-credential-key"
))]
#[allow(dead_code)]
#[path = "../examples/rotate_app_key.rs"]
mod rotate_app_key;

#[cfg(feature = "management-ssf-security-event-token")]
#[allow(dead_code)]
#[path = "../examples/publish_set.rs"]
mod publish_set;

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token("t")
        .build()
        .unwrap();
    (server, client)
}

#[tokio::test]
async fn list_users_follows_every_page() {
    let (server, client) = setup().await;
    let next = format!("<{}/api/v1/users?after=2&limit=200>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("filter", "status eq \"ACTIVE\""))
        .and(query_param("limit", "200"))
        .and(wiremock::matchers::query_param_is_missing("after"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"id": "1", "profile": {"login": "a@x.com"}}]))
                .insert_header("link", next.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users"))
        .and(query_param("after", "2"))
        // The filter Okta's next link may drop is sent again.
        .and(query_param("filter", "status eq \"ACTIVE\""))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!([{"id": "2", "profile": {"login": "b@x.com"}}])),
        )
        .mount(&server)
        .await;
    let logins = list_users::run(&client, "status eq \"ACTIVE\"").await.unwrap();
    assert_eq!(logins, vec!["a@x.com", "b@x.com"]);
}

#[tokio::test]
async fn create_activate_user_creates_staged_then_activates() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users"))
        .and(query_param("activate", "false"))
        .and(body_partial_json(
            json!({"profile": {"login": "ada@example.com", "firstName": "Ada"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1", "status": "STAGED"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v1/users/00u1/lifecycle/activate"))
        .and(query_param("sendEmail", "false"))
        .and(header("authorization", "SSWS t"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"activationUrl": "https://x/welcome/abc", "activationToken": "abc"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (id, url) = create_activate_user::run(&client, "ada@example.com", "Ada", "Lovelace")
        .await
        .unwrap();
    assert_eq!(id, "00u1");
    assert_eq!(url.as_deref(), Some("https://x/welcome/abc"));
}

#[tokio::test]
async fn assign_user_to_app_posts_the_assignment() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps/0oa1/users"))
        .and(body_partial_json(
            json!({"id": "00u1", "scope": "USER", "credentials": {"userName": "ada"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "00u1", "status": "PROVISIONED"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let status = assign_user_to_app::run(&client, "0oa1", "00u1", "ada")
        .await
        .unwrap();
    assert_eq!(status.as_deref(), Some("PROVISIONED"));
}

#[cfg(all(
    feature = "management-application",
    feature = "management-application-sso-credential-key"
))]
#[tokio::test]
async fn rotate_app_key_generates_a_key_and_points_the_app_at_it() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/apps/0oa1/credentials/keys/generate"))
        .and(query_param("validityYears", "2"))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(json!({"kid": "new-kid", "kty": "RSA", "use": "sig"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let app = json!({
        "id": "0oa1", "label": "SAML app", "name": "my_saml", "signOnMode": "SAML_2_0", "status": "ACTIVE",
        "credentials": {"signing": {"kid": "old-kid"}, "userNameTemplate": {"template": "${source.login}", "type": "BUILT_IN"}},
        "settings": {"app": {}, "signOn": {"ssoAcsUrl": "https://sp/acs"}},
        "customField": {"kept": true}
    });
    Mock::given(method("GET"))
        .and(path("/api/v1/apps/0oa1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(app.clone()))
        .mount(&server)
        .await;
    let mut expected = app.clone();
    expected["credentials"]["signing"]["kid"] = json!("new-kid");
    Mock::given(method("PUT"))
        .and(path("/api/v1/apps/0oa1"))
        .and(body_partial_json(expected.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(expected))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(rotate_app_key::run(&client, "0oa1").await.unwrap(), "new-kid");
}

#[cfg(feature = "management-ssf-security-event-token")]
#[tokio::test]
async fn publish_set_posts_the_token_without_credentials() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/security/api/v1/security-events"))
        .and(header("content-type", "application/secevent+jwt"))
        .respond_with(ResponseTemplate::new(202))
        .expect(1)
        .mount(&server)
        .await;
    publish_set::run(&client, "eyJhbGciOiJSUzI1NiJ9.e30.sig\n")
        .await
        .unwrap();
    let received = server.received_requests().await.unwrap();
    assert_eq!(received[0].body, b"eyJhbGciOiJSUzI1NiJ9.e30.sig");
    assert!(!received[0].headers.contains_key("authorization"));
}

/// Without their features the two tests above are not compiled; these say
/// so in `cargo test`'s summary instead of vanishing. `.ci/run` runs the
/// real ones with the features on.
#[cfg(not(all(
    feature = "management-application",
    feature = "management-application-sso-credential-key"
)))]
#[test]
#[ignore = "needs --features management-application-sso-credential-key (bash .ci/run runs it)"]
fn rotate_app_key_needs_its_features() {
    panic!("compiled without management-application-sso-credential-key: run with that feature");
}

#[cfg(not(feature = "management-ssf-security-event-token"))]
#[test]
#[ignore = "needs --features management-ssf-security-event-token (bash .ci/run runs it)"]
fn publish_set_needs_its_feature() {
    panic!("compiled without management-ssf-security-event-token: run with that feature");
}
