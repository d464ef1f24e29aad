//! A nullable property on the wire: the exact body sent when it is set,
//! cleared with `null`, or left absent, and an explicit `null` read back.

use okta_api::management::models::{UpdateUserRequest, UserProfile};
use okta_api::management::UserApi;
use okta_api::{Client, Nullable};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn sent_body(profile: UserProfile) -> (String, okta_api::management::models::User) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token("00token")
        .build()
        .unwrap();
    Mock::given(method("POST"))
        .and(path("/api/v1/users/00u1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "00u1",
            "profile": {"login": "ada@example.com", "mobilePhone": null, "title": "Engineer"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let change = UpdateUserRequest {
        profile: Some(profile),
        ..Default::default()
    };
    let user = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        UserApi::new(&client).update_user("00u1", change),
    )
    .await
    .expect("the call finishes")
    .unwrap();
    let received = server.received_requests().await.unwrap();
    (String::from_utf8(received[0].body.clone()).unwrap(), user)
}

#[tokio::test]
async fn a_cleared_property_is_sent_as_null_a_set_one_as_its_value_an_absent_one_not_at_all() {
    let (body, _) = sent_body(UserProfile {
        mobile_phone: Nullable::null(),
        title: "Engineer".into(),
        ..Default::default()
    })
    .await;
    assert_eq!(body, r#"{"profile":{"mobilePhone":null,"title":"Engineer"}}"#);

    let (body, _) = sent_body(UserProfile::default()).await;
    assert_eq!(body, r#"{"profile":{}}"#);
}

#[tokio::test]
async fn an_explicit_null_from_okta_reads_as_null_and_is_written_back() {
    let (_, user) = sent_body(UserProfile::default()).await;
    let profile = user.profile.unwrap();
    assert!(profile.mobile_phone.is_null());
    assert_eq!(profile.title.as_option().map(String::as_str), Some("Engineer"));
    assert!(profile.city.is_absent());
    assert_eq!(
        serde_json::to_value(&profile).unwrap(),
        json!({"login": "ada@example.com", "mobilePhone": null, "title": "Engineer"})
    );
}
