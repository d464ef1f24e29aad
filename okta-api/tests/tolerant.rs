//! Okta's payloads drift from Okta's own spec. A property whose value does
//! not fit its declared type reads as unset, is kept verbatim in its
//! struct's `additional_properties`, and does not fail the page; a strict
//! client fails as before.

use std::time::Duration;

use okta_api::legacy::models::Application;
use okta_api::legacy::{ApplicationApi, UserApi};
use okta_api::{Client, Error};
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn serve(route: &str, body: &Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, strict: bool) -> Client {
    Client::builder()
        .org_url(server.uri())
        .api_token("00token")
        .strict_decoding(strict)
        .build()
        .unwrap()
}

async fn bounded<T>(call: impl std::future::IntoFuture<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), call.into_future())
        .await
        .expect("the call finishes")
}

#[tokio::test]
async fn a_user_with_drifted_properties_does_not_fail_the_page() {
    let page = json!([
        {"id": "00u1", "status": "ACTIVE", "profile": {"login": "a@example.com"}},
        // A string where the spec says object, a map where it says array,
        // "false," where it says boolean.
        {
            "id": "00u2",
            "status": "ACTIVE",
            "_links": "https://example.okta.com/api/v1/users/00u2",
            "profile": {"login": "b@example.com", "firstName": {"given": "B"}},
            "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}, "recovery_question": {"question": false}},
            "type": ["not", "an", "object"]
        },
    ]);
    let server = serve("/api/v1/users", &page).await;
    let users = bounded(UserApi::new(&client(&server, false)).list_users())
        .await
        .unwrap();
    assert_eq!(users.len(), 2, "the page holds both users");
    let odd = &users[1];
    assert_eq!(odd.id.as_deref(), Some("00u2"));
    let profile = odd.profile.as_ref().unwrap();
    assert_eq!(profile.login.as_deref(), Some("b@example.com"));
    assert_eq!(profile.first_name, None, "what does not fit reads as unset");
    assert_eq!(profile.additional_properties["firstName"], json!({"given": "B"}));
    assert_eq!(odd.additional_properties["type"], json!(["not", "an", "object"]));
    // A read-modify-write writes back what came.
    assert_eq!(serde_json::to_value(&users.items).unwrap(), page);

    let strict = bounded(UserApi::new(&client(&server, true)).list_users()).await;
    match strict {
        Err(Error::Decode { path, .. }) => assert!(path.starts_with("[1]."), "{path}"),
        other => panic!("a strict client fails the page: {other:?}"),
    }
}

#[tokio::test]
async fn a_drifted_property_inside_a_polymorphic_type_is_set_aside_there() {
    let page = json!([
        {"id": "0oa1", "name": "bookmark", "signOnMode": "BOOKMARK", "label": "Wiki",
         "settings": {"app": {"url": {"href": "https://wiki.example.com"}, "requestIntegration": "false,"}}},
        {"id": "0oa2", "name": "bookmark", "signOnMode": "BOOKMARK", "label": "Docs",
         "settings": {"app": {"url": "https://docs.example.com", "requestIntegration": false}}},
    ]);
    let server = serve("/api/v1/apps", &page).await;
    let apps = bounded(ApplicationApi::new(&client(&server, false)).list_applications())
        .await
        .unwrap();
    let Application::Bookmark(first) = &apps[0] else {
        panic!("still a bookmark app: {:?}", apps[0]);
    };
    let app = first.settings.as_ref().unwrap().app.as_ref().unwrap();
    assert_eq!((app.url.as_deref(), app.request_integration), (None, None));
    assert_eq!(app.additional_properties["requestIntegration"], json!("false,"));
    let Application::Bookmark(second) = &apps[1] else {
        panic!("{:?}", apps[1]);
    };
    let app = second.settings.as_ref().unwrap().app.as_ref().unwrap();
    assert_eq!(app.url.as_deref(), Some("https://docs.example.com"));
    assert_eq!(serde_json::to_value(&apps.items).unwrap(), page);
}

#[tokio::test]
async fn a_body_of_another_shape_still_fails_with_its_path() {
    let server = serve("/api/v1/users", &json!({"not": "a list"})).await;
    let result = bounded(UserApi::new(&client(&server, false)).list_users()).await;
    assert!(matches!(result, Err(Error::Decode { .. })), "{result:?}");
}
