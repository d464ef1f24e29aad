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

#[cfg(all(feature = "governance-campaigns", feature = "governance-reviews"))]
#[allow(dead_code)]
#[path = "../examples/governance_campaigns.rs"]
mod governance_campaigns;

#[cfg(feature = "governance-requests")]
#[allow(dead_code)]
#[path = "../examples/access_request.rs"]
mod access_request;

#[cfg(feature = "oauth-org-as")]
#[allow(dead_code)]
#[path = "../examples/introspect_token.rs"]
mod introspect_token;

#[cfg(feature = "myaccount-email")]
#[allow(dead_code)]
#[path = "../examples/my_emails.rs"]
mod my_emails;

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

/// A campaign or review as Okta lists it: the required properties, and
/// `_links.self`.
#[cfg(all(feature = "governance-campaigns", feature = "governance-reviews"))]
fn governance_item(id: &str, extra: serde_json::Value) -> serde_json::Value {
    let mut item = json!({
        "id": id, "createdBy": "00u0", "created": "2026-01-01T00:00:00.000Z",
        "lastUpdated": "2026-01-01T00:00:00.000Z", "lastUpdatedBy": "00u0",
        "_links": {"self": {"href": format!("https://example.okta.com/x/{id}")}}
    });
    item.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    item
}

#[cfg(all(feature = "governance-campaigns", feature = "governance-reviews"))]
#[tokio::test]
async fn governance_campaigns_lists_the_reviewers_reviews_in_every_active_campaign() {
    let test = async {
        let (server, client) = setup().await;
        let campaign = |id: &str, name: &str| {
            governance_item(
                id,
                json!({"name": name, "startDate": "2026-01-01", "endDate": "2026-02-01",
                       "scheduleType": "ONE_OFF", "reviewerType": "USER", "status": "ACTIVE"}),
            )
        };
        let next = format!(
            "{}/governance/api/v1/campaigns?after=c1&filter=status%20eq%20%22ACTIVE%22",
            server.uri()
        );
        Mock::given(method("GET"))
            .and(path("/governance/api/v1/campaigns"))
            .and(query_param("filter", "status eq \"ACTIVE\""))
            .and(wiremock::matchers::query_param_is_missing("after"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [campaign("c1", "Q1 access")],
                "_links": {"self": {"href": "x"}, "next": {"href": next}}
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/governance/api/v1/campaigns"))
            .and(query_param("after", "c1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [campaign("c2", "Q2 access")],
                "_links": {"self": {"href": "x"}}
            })))
            .expect(1)
            .mount(&server)
            .await;
        for (campaign, reviews) in [("c1", vec!["r1", "r2"]), ("c2", vec![])] {
            let data: Vec<_> = reviews
                .iter()
                .map(|r| {
                    governance_item(
                        r,
                        json!({"campaignId": campaign, "resourceId": "0oa1", "decision": "UNREVIEWED",
                               "remediationStatus": "NONE", "reviewerType": "USER",
                               "principalProfile": {"id": "00u9", "status": "ACTIVE", "type": "USER"}}),
                    )
                })
                .collect();
            Mock::given(method("GET"))
                .and(path("/governance/api/v1/reviews"))
                .and(query_param(
                    "filter",
                    format!("campaignId eq \"{campaign}\" and reviewerId eq \"00u1\"").as_str(),
                ))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!({"data": data, "_links": {"self": {"href": "x"}}})),
                )
                .expect(1)
                .mount(&server)
                .await;
        }
        let got = governance_campaigns::run(&client, "00u1").await.unwrap();
        assert_eq!(
            got,
            [
                governance_campaigns::CampaignReviews {
                    campaign: "Q1 access".into(),
                    reviews: vec![
                        ("r1".into(), "UNREVIEWED".into()),
                        ("r2".into(), "UNREVIEWED".into())
                    ],
                },
                governance_campaigns::CampaignReviews {
                    campaign: "Q2 access".into(),
                    reviews: vec![],
                },
            ]
        );
        let received = server.received_requests().await.unwrap();
        assert_eq!(
            received.len(),
            4,
            "two campaign pages, one review list per campaign"
        );
        assert!(received
            .iter()
            .all(|r| r.headers.get("authorization").is_some_and(|v| v == "SSWS t")));
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), test)
        .await
        .unwrap();
}

#[cfg(feature = "governance-requests")]
#[tokio::test]
async fn access_request_submits_then_follows_the_request_to_its_decision() {
    let test = async {
        let (server, client) = setup().await;
        let request = |status: &str| {
            json!({"id": "rq1", "createdBy": "00u0", "created": "2026-01-01T00:00:00.000Z",
                   "lastUpdated": "2026-01-01T00:00:00.000Z", "lastUpdatedBy": "00u0", "status": status})
        };
        Mock::given(method("POST"))
            .and(path("/governance/api/v2/requests"))
            .and(body_partial_json(json!({
                "requested": {"type": "CATALOG_ENTRY", "entryId": "cen1"},
                "requestedFor": {"type": "OKTA_USER", "externalId": "00u1"}
            })))
            .respond_with(ResponseTemplate::new(202).set_body_json(request("SUBMITTED")))
            .expect(1)
            .mount(&server)
            .await;
        // Pending twice, then approved.
        Mock::given(method("GET"))
            .and(path("/governance/api/v2/requests/rq1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(request("PENDING")))
            .up_to_n_times(2)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/governance/api/v2/requests/rq1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(request("APPROVED")))
            .mount(&server)
            .await;
        let (id, status) = access_request::run(&client, "cen1", "00u1", std::time::Duration::from_millis(5))
            .await
            .unwrap();
        assert_eq!((id.as_str(), status.as_str()), ("rq1", "APPROVED"));
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 4, "one submission, three reads");
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), test)
        .await
        .unwrap();
}

#[cfg(feature = "oauth-org-as")]
#[tokio::test]
async fn introspect_token_sends_a_form_with_client_authentication_and_no_api_token() {
    let test = async {
        let (server, client) = setup().await;
        Mock::given(method("POST"))
            .and(path("/oauth2/v1/introspect"))
            .and(header("content-type", "application/x-www-form-urlencoded"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "active": true, "sub": "ada@example.com", "scope": "openid email"
            })))
            .expect(1)
            .mount(&server)
            .await;
        let answer = introspect_token::run(&client, "0oa1", "s3cret&=", "eyJ.a.b")
            .await
            .unwrap();
        assert_eq!(answer.active, Some(true));
        assert_eq!(answer.sub.as_deref(), Some("ada@example.com"));
        let received = server.received_requests().await.unwrap();
        let mut form: Vec<(String, String)> = url::form_urlencoded::parse(&received[0].body)
            .into_owned()
            .collect();
        form.sort();
        assert_eq!(
            form,
            [
                ("client_id".to_string(), "0oa1".to_string()),
                ("client_secret".to_string(), "s3cret&=".to_string()),
                ("token".to_string(), "eyJ.a.b".to_string()),
                ("token_type_hint".to_string(), "access_token".to_string()),
            ]
        );
        assert!(
            !received[0].headers.contains_key("authorization"),
            "the org's API token is never sent to the OAuth endpoints"
        );
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), test)
        .await
        .unwrap();
}

#[cfg(feature = "myaccount-email")]
#[tokio::test]
async fn my_emails_lists_the_users_own_addresses_with_their_bearer_token() {
    let test = async {
        let server = MockServer::start().await;
        let client = Client::builder()
            .org_url(server.uri())
            .bearer_token("user-access-token")
            .build()
            .unwrap();
        Mock::given(method("GET"))
            .and(path("/idp/myaccount/emails"))
            .and(header("authorization", "Bearer user-access-token"))
            .and(header("accept", "application/json;okta-version=1.0.0"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "e1", "profile": {"email": "ada@example.com"}, "roles": ["PRIMARY"], "status": "VERIFIED"},
                {"id": "e2", "profile": {"email": "ada@work.example"}, "roles": ["SECONDARY"], "status": "UNVERIFIED"}
            ])))
            .expect(1)
            .mount(&server)
            .await;
        let emails = my_emails::run(&client).await.unwrap();
        assert_eq!(
            emails,
            [
                ("ada@example.com".to_string(), "VERIFIED".to_string()),
                ("ada@work.example".to_string(), "UNVERIFIED".to_string()),
            ]
        );
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), test)
        .await
        .unwrap();
}

#[cfg(not(all(feature = "governance-campaigns", feature = "governance-reviews")))]
#[test]
#[ignore = "needs --features governance-campaigns,governance-reviews (bash .ci/run runs it)"]
fn governance_campaigns_needs_its_features() {
    panic!("compiled without governance-campaigns and governance-reviews: run with those features");
}

#[cfg(not(feature = "governance-requests"))]
#[test]
#[ignore = "needs --features governance-requests (bash .ci/run runs it)"]
fn access_request_needs_its_feature() {
    panic!("compiled without governance-requests: run with that feature");
}

#[cfg(not(feature = "oauth-org-as"))]
#[test]
#[ignore = "needs --features oauth-org-as (bash .ci/run runs it)"]
fn introspect_token_needs_its_feature() {
    panic!("compiled without oauth-org-as: run with that feature");
}

#[cfg(not(feature = "myaccount-email"))]
#[test]
#[ignore = "needs --features myaccount-email (bash .ci/run runs it)"]
fn my_emails_needs_its_feature() {
    panic!("compiled without myaccount-email: run with that feature");
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
