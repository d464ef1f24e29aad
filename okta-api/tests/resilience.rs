//! Pagination, rate limits, retries, timeouts, OAuth and safety, each
//! against a real HTTP server on loopback.

use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt;
use okta_api::legacy::UserApi;
use okta_api::{Client, Error};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const TOKEN: &str = "00api-token-that-must-not-leak";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .org_url(server.uri())
        .api_token(TOKEN)
        .build()
        .unwrap()
}

fn users(ids: std::ops::Range<usize>) -> Value {
    Value::Array(
        ids.map(|i| json!({"id": format!("00u{i}"), "status": "ACTIVE"}))
            .collect(),
    )
}

/// Serves `pages` of users at `/api/v1/users?after=<n>`, linking each to the next.
async fn mount_pages(server: &MockServer, pages: usize, per_page: usize) {
    for p in 0..pages {
        let mut response = ResponseTemplate::new(200).set_body_json(users(p * per_page..(p + 1) * per_page));
        if p + 1 < pages {
            let link = format!(
                "<{}/api/v1/users?after={}&limit={per_page}>; rel=\"next\"",
                server.uri(),
                p + 1
            );
            response = response.append_header("link", link.as_str());
        }
        let mock = Mock::given(method("GET")).and(path("/api/v1/users"));
        let mock = if p == 0 {
            mock.and(wiremock::matchers::query_param_is_missing("after"))
        } else {
            mock.and(query_param("after", (p).to_string().as_str()))
        };
        mock.respond_with(response).mount(server).await;
    }
}

#[tokio::test]
async fn streams_items_across_pages_lazily() {
    let server = MockServer::start().await;
    mount_pages(&server, 3, 2).await;
    let client = client(&server);
    let mut stream = UserApi::new(&client).list_users().stream();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(first.id.as_deref(), Some("00u0"));
    stream.next().await.unwrap().unwrap();
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "page 2 waits until it is needed"
    );
    let rest: Vec<_> = stream.collect().await;
    let ids: Vec<String> = rest.into_iter().map(|u| u.unwrap().id.unwrap()).collect();
    assert_eq!(ids, vec!["00u2", "00u3", "00u4", "00u5"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_list_await_is_one_page_that_says_more_follow_and_all_reads_every_page() {
    let server = MockServer::start().await;
    mount_pages(&server, 3, 2).await;
    let client = client(&server);
    let page = bounded(UserApi::new(&client).list_users().into_future())
        .await
        .unwrap();
    assert!(page.has_next(), "the first of three pages");
    assert_eq!(page.len(), 2, "a page reads as the slice of its items");
    let ids: Vec<&str> = page.iter().filter_map(|u| u.id.as_deref()).collect();
    assert_eq!(ids, ["00u0", "00u1"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    let all = bounded(UserApi::new(&client).list_users().all()).await.unwrap();
    let ids: Vec<String> = all.into_iter().filter_map(|u| u.id).collect();
    assert_eq!(ids, ["00u0", "00u1", "00u2", "00u3", "00u4", "00u5"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 4);

    let last = bounded(UserApi::new(&client).list_users().after("2").into_future())
        .await
        .unwrap();
    assert!(!last.has_next());
    assert_eq!(last.into_iter().count(), 2);
}

#[tokio::test]
async fn pages_expose_the_cursor_for_callers_who_store_it() {
    let server = MockServer::start().await;
    mount_pages(&server, 2, 2).await;
    let client = client(&server);
    let page = UserApi::new(&client).list_users().send().await.unwrap();
    assert_eq!(page.items.len(), 2);
    let cursor = page.next_cursor().expect("a next page");
    assert_eq!(cursor, "1");
    let next = UserApi::new(&client)
        .list_users()
        .after(cursor)
        .send()
        .await
        .unwrap();
    assert_eq!(next.items[0].id.as_deref(), Some("00u2"));
    assert_eq!(next.next_cursor(), None);
}

#[tokio::test]
async fn a_link_back_to_the_same_page_ends_the_stream_with_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(0..2))
                .append_header("link", "</api/v1/users>; rel=\"next\""),
        )
        .mount(&server)
        .await;
    let items: Vec<_> = UserApi::new(&client(&server))
        .list_users()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    assert!(items[..2].iter().all(Result::is_ok));
    assert!(
        matches!(items[2], Err(Error::Pagination { .. })),
        "{:?}",
        items[2]
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_links_end_the_stream_cleanly() {
    for link in [
        "garbage; rel=next",
        "<>; rel=\"prev\"",
        "</api/v1/users>; rel=\"prev\"",
    ] {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(users(0..2))
                    .append_header("link", link),
            )
            .mount(&server)
            .await;
        let items: Vec<_> = UserApi::new(&client(&server))
            .list_users()
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 2, "{link}");
        assert!(items.iter().all(Result::is_ok), "{link}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1, "{link}");
    }
}

#[tokio::test]
async fn a_page_error_is_an_item_error_and_ends_the_stream() {
    let server = MockServer::start().await;
    let link = format!("<{}/api/v1/users?after=x>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param_is_missing("after"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(0..2))
                .append_header("link", link.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "x"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"errorCode": "E0000006"})))
        .mount(&server)
        .await;
    let items: Vec<_> = UserApi::new(&client(&server))
        .list_users()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 3);
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.as_api().unwrap().error_code.as_deref(), Some("E0000006"));
}

#[tokio::test]
async fn a_link_to_a_foreign_host_is_refused() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    let link = format!("<{}/api/v1/users?after=1>; rel=\"next\"", elsewhere.uri());
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(0..1))
                .append_header("link", link.as_str()),
        )
        .mount(&server)
        .await;
    let items: Vec<_> = UserApi::new(&client(&server))
        .list_users()
        .stream()
        .collect()
        .await;
    assert!(items[0].is_ok());
    assert!(
        matches!(items[1], Err(Error::UntrustedUrl { .. })),
        "{:?}",
        items[1]
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "no credentials leave the org"
    );
}

/// Answers with each template in turn, then repeats the last; records when
/// each request arrived.
struct Sequence {
    responses: Vec<ResponseTemplate>,
    arrivals: Arc<Mutex<Vec<Instant>>>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut arrivals = self.arrivals.lock().unwrap();
        arrivals.push(Instant::now());
        let i = (arrivals.len() - 1).min(self.responses.len() - 1);
        self.responses[i].clone()
    }
}

async fn sequence(server: &MockServer, responses: Vec<ResponseTemplate>) -> Arc<Mutex<Vec<Instant>>> {
    let arrivals = Arc::new(Mutex::new(Vec::new()));
    Mock::given(wiremock::matchers::any())
        .respond_with(Sequence {
            responses,
            arrivals: arrivals.clone(),
        })
        .mount(server)
        .await;
    arrivals
}

fn too_many(retry_after: &str, request_id: &str) -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("retry-after", retry_after)
        .insert_header("x-okta-request-id", request_id)
        .set_body_json(json!({"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit due to too many requests."}))
}

#[tokio::test]
async fn a_429_is_waited_out_then_retried() {
    let server = MockServer::start().await;
    let arrivals = sequence(
        &server,
        vec![
            too_many("1", "r1"),
            ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})),
        ],
    )
    .await;
    let user = UserApi::new(&client(&server)).get_user("00u1").await.unwrap();
    assert_eq!(user.id.as_deref(), Some("00u1"));
    let arrivals = arrivals.lock().unwrap();
    assert_eq!(arrivals.len(), 2);
    assert!(
        arrivals[1] - arrivals[0] >= Duration::from_secs(1),
        "waited for Retry-After"
    );
}

/// Answers `limited`, then 200: how long the client waited in between.
async fn wait_after(limited: ResponseTemplate) -> Duration {
    let server = MockServer::start().await;
    let arrivals = sequence(
        &server,
        vec![limited, ResponseTemplate::new(200).set_body_json(json!({}))],
    )
    .await;
    UserApi::new(&client(&server)).get_user("x").await.unwrap();
    let arrivals = arrivals.lock().unwrap();
    arrivals[1] - arrivals[0]
}

#[tokio::test]
async fn x_rate_limit_reset_is_read_against_the_servers_date() {
    // The server's clock is an hour ahead of ours and the limit resets two
    // seconds after its now: by its Date that is a 3 s wait; by our clock
    // it would be an hour, over the wait bound, and the call would fail.
    let server_now = std::time::SystemTime::now() + Duration::from_secs(3600);
    let reset = server_now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    let limited = ResponseTemplate::new(429)
        .insert_header("date", httpdate::fmt_http_date(server_now).as_str())
        .insert_header("x-rate-limit-reset", reset.to_string().as_str());
    let waited = wait_after(limited).await;
    // Two seconds to the reset, one for skew, up to 0.5 s of jitter.
    assert!(
        waited >= Duration::from_millis(2900) && waited < Duration::from_millis(4500),
        "{waited:?}"
    );
}

#[tokio::test]
async fn a_429_storm_ends_in_a_rate_limited_error_with_the_last_request_id() {
    let server = MockServer::start().await;
    sequence(
        &server,
        vec![too_many("0", "r1"), too_many("0", "r2"), too_many("0", "r3")],
    )
    .await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token(TOKEN)
        .max_retries(2)
        .build()
        .unwrap();
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err}");
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(err.request_id(), Some("r3"));
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn concurrent_callers_wait_out_a_429_together() {
    let server = MockServer::start().await;
    let arrivals = sequence(
        &server,
        vec![
            too_many("1", "r1"),
            ResponseTemplate::new(200).set_body_json(json!({})),
        ],
    )
    .await;
    let client = client(&server);
    let first = tokio::spawn({
        let client = client.clone();
        async move { UserApi::new(&client).get_user("a").await }
    });
    // Once the 429 has been answered, start ten more callers.
    while arrivals.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let limited_at = arrivals.lock().unwrap()[0];
    let others: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { UserApi::new(&client).get_user("b").await })
        })
        .collect();
    first.await.unwrap().unwrap();
    for o in others {
        o.await.unwrap().unwrap();
    }
    let arrivals = arrivals.lock().unwrap();
    assert_eq!(
        arrivals.len(),
        12,
        "one 429, then one request per caller: no retry storm"
    );
    assert!(
        arrivals[1..]
            .iter()
            .all(|t| *t - limited_at >= Duration::from_secs(1)),
        "nobody sent during the pause"
    );
}

#[tokio::test]
async fn a_503_is_retried_for_get_but_not_for_post() {
    let server = MockServer::start().await;
    sequence(
        &server,
        vec![
            ResponseTemplate::new(503),
            ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})),
        ],
    )
    .await;
    let client = client(&server);
    UserApi::new(&client).get_user("00u1").await.unwrap();
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    let server = MockServer::start().await;
    sequence(
        &server,
        vec![ResponseTemplate::new(503), ResponseTemplate::new(200)],
    )
    .await;
    let client = self::client(&server);
    let err = UserApi::new(&client)
        .activate_user("00u1", false)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), Some(1));
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "a POST is not repeated"
    );
}

/// A raw HTTP server that promises `declared` body bytes, sends `sent` of
/// them, then either hangs up or stalls. Counts connections.
async fn half_body_server(declared: usize, sent: usize, stall: bool) -> (String, Arc<Mutex<usize>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(Mutex::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            *seen.lock().unwrap() += 1;
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&vec![b' '; sent]).await;
                let _ = socket.flush().await;
                if stall {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                }
            });
        }
    });
    (format!("http://{addr}"), count)
}

#[tokio::test]
async fn a_connection_dropped_mid_body_is_retried_then_reported() {
    let (url, connections) = half_body_server(100, 10, false).await;
    let client = Client::builder().org_url(url).api_token(TOKEN).build().unwrap();
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert_eq!(err.attempts(), Some(3));
    assert_eq!(*connections.lock().unwrap(), 3);
}

#[tokio::test]
async fn a_stalled_body_is_a_timeout_not_a_hang() {
    let (url, _) = half_body_server(100, 10, true).await;
    let client = Client::builder()
        .org_url(url)
        .api_token(TOKEN)
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_is_a_timeout() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({}))
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token(TOKEN)
        .request_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 1, .. }), "{err}");
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"[{"id": "00u1"}, {"id": "#))
        .mount(&server)
        .await;
    let err = UserApi::new(&client(&server)).list_users().await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
    assert!(err.to_string().contains("listUsers"), "{err}");
}

// ---- OAuth 2.0 service apps -------------------------------------------------

fn key(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn service_app(server: &MockServer, private_key: &str) -> Client {
    Client::builder()
        .org_url(server.uri())
        .private_key("0oaclient", ["okta.users.read", "okta.groups.read"], private_key)
        .kid("kid-1")
        .build()
        .unwrap()
}

/// The forms a token endpoint received.
type Forms = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// The token endpoint: issues `tokens` in turn and keeps the forms it got.
struct TokenEndpoint {
    tokens: Vec<&'static str>,
    forms: Forms,
}

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let form: Vec<(String, String)> = url::form_urlencoded::parse(&request.body).into_owned().collect();
        let mut forms = self.forms.lock().unwrap();
        forms.push(form);
        let token = self.tokens[(forms.len() - 1).min(self.tokens.len() - 1)];
        ResponseTemplate::new(200).set_body_json(json!({"token_type": "Bearer", "expires_in": 3600, "access_token": token, "scope": "okta.users.read okta.groups.read"}))
    }
}

async fn token_endpoint(
    server: &MockServer,
    tokens: Vec<&'static str>,
) -> Arc<Mutex<Vec<Vec<(String, String)>>>> {
    let forms = Arc::new(Mutex::new(Vec::new()));
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(TokenEndpoint {
            tokens,
            forms: forms.clone(),
        })
        .mount(server)
        .await;
    forms
}

#[derive(serde::Deserialize)]
struct AssertionClaims {
    iss: String,
    sub: String,
    aud: String,
    exp: u64,
    iat: u64,
    jti: String,
}

#[tokio::test]
async fn a_service_app_signs_a_client_assertion_and_caches_the_token() {
    for (private, public, alg) in [
        (
            "rsa-private.pem",
            "rsa-public.pem",
            jsonwebtoken::Algorithm::RS256,
        ),
        ("ec-private.pem", "ec-public.pem", jsonwebtoken::Algorithm::ES256),
    ] {
        let server = MockServer::start().await;
        let forms = token_endpoint(&server, vec!["at-1"]).await;
        Mock::given(method("GET"))
            .and(path("/api/v1/users/00u1"))
            .and(wiremock::matchers::header("authorization", "Bearer at-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
            .expect(3)
            .mount(&server)
            .await;
        let client = service_app(&server, &key(private));
        for _ in 0..3 {
            UserApi::new(&client).get_user("00u1").await.unwrap();
        }
        let forms = forms.lock().unwrap();
        assert_eq!(forms.len(), 1, "the token is cached");
        let form: std::collections::BTreeMap<_, _> = forms[0].iter().cloned().collect();
        assert_eq!(form["grant_type"], "client_credentials");
        assert_eq!(form["scope"], "okta.users.read okta.groups.read");
        assert_eq!(
            form["client_assertion_type"],
            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
        );
        let jwt = &form["client_assertion"];
        let header = jsonwebtoken::decode_header(jwt).unwrap();
        assert_eq!(header.alg, alg);
        assert_eq!(header.kid.as_deref(), Some("kid-1"));
        let public = key(public);
        let decoding = match alg {
            jsonwebtoken::Algorithm::RS256 => jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes()),
            _ => jsonwebtoken::DecodingKey::from_ec_pem(public.as_bytes()),
        }
        .unwrap();
        let mut validation = jsonwebtoken::Validation::new(alg);
        let aud = format!("{}/oauth2/v1/token", server.uri());
        validation.set_audience(&[aud.as_str()]);
        let claims = jsonwebtoken::decode::<AssertionClaims>(jwt, &decoding, &validation)
            .unwrap()
            .claims;
        assert_eq!(
            (claims.iss.as_str(), claims.sub.as_str()),
            ("0oaclient", "0oaclient")
        );
        assert_eq!(claims.aud, aud);
        assert!(claims.exp > claims.iat && claims.exp - claims.iat <= 3600);
        assert!(claims.jti.len() >= 16);
    }
}

#[tokio::test]
async fn concurrent_callers_share_one_token_refresh() {
    let server = MockServer::start().await;
    let forms = token_endpoint(&server, vec!["at-1"]).await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    let client = service_app(&server, &key("rsa-private.pem"));
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { UserApi::new(&client).get_user("x").await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert_eq!(forms.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn an_expired_token_mid_stream_is_refreshed_once() {
    let server = MockServer::start().await;
    let forms = token_endpoint(&server, vec!["at-1", "at-2"]).await;
    let link = format!("<{}/api/v1/users?after=1>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param_is_missing("after"))
        .and(wiremock::matchers::header("authorization", "Bearer at-1"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(0..2))
                .append_header("link", link.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "1"))
        .and(wiremock::matchers::header("authorization", "Bearer at-1"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header(
                    "www-authenticate",
                    "Bearer error=\"invalid_token\", error_description=\"The token has expired.\"",
                )
                .set_body_json(json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "1"))
        .and(wiremock::matchers::header("authorization", "Bearer at-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(users(2..4)))
        .mount(&server)
        .await;
    let client = service_app(&server, &key("rsa-private.pem"));
    let ids: Vec<String> = UserApi::new(&client)
        .list_users()
        .stream()
        .map(|u| u.unwrap().id.unwrap())
        .collect()
        .await;
    assert_eq!(ids, vec!["00u0", "00u1", "00u2", "00u3"]);
    assert_eq!(forms.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_token_endpoint_error_surfaces_with_oktas_error_and_description() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_client", "error_description": "The client_assertion signature is invalid."}),
        ))
        .mount(&server)
        .await;
    let client = service_app(&server, &key("rsa-private.pem"));
    let err = UserApi::new(&client).get_user("x").await.unwrap_err();
    match &err {
        Error::OAuth {
            status,
            error,
            description,
        } => {
            assert_eq!(status.as_u16(), 400);
            assert_eq!(error, "invalid_client");
            assert_eq!(
                description.as_deref(),
                Some("The client_assertion signature is invalid.")
            );
        }
        other => panic!("expected an OAuth error, got {other}"),
    }
    assert_eq!(
        err.to_string(),
        "oauth2/v1/token: 400 Bad Request invalid_client: The client_assertion signature is invalid."
    );
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "no API call without a token"
    );
}

/// `test`, failed if it takes more than ten seconds.
async fn bounded<T>(test: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), test)
        .await
        .expect("the test hung")
}

/// A token endpoint that answers every grant with `token`.
async fn fixed_token(server: &MockServer, token: Value) {
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(token))
        .mount(server)
        .await;
}

async fn token_requests(server: &MockServer) -> usize {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.url.path() == "/oauth2/v1/token")
        .count()
}

#[tokio::test]
async fn a_short_lived_token_is_refreshed_a_tenth_of_its_life_early() {
    bounded(async {
        let server = MockServer::start().await;
        fixed_token(
            &server,
            json!({"token_type": "Bearer", "expires_in": 2, "access_token": "short"}),
        )
        .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
            .mount(&server)
            .await;
        let client = service_app(&server, &key("ec-private.pem"));
        let users = UserApi::new(&client);
        users.get_user("00u1").await.unwrap();
        users.get_user("00u1").await.unwrap();
        assert_eq!(token_requests(&server).await, 1, "cached at first");
        // Refreshed 1.8 s after the grant, not at its expiry (2 s).
        tokio::time::sleep(Duration::from_millis(1900)).await;
        users.get_user("00u1").await.unwrap();
        assert_eq!(token_requests(&server).await, 2);
    })
    .await
}

#[tokio::test]
async fn a_long_access_token_is_read_whole() {
    bounded(async {
        let server = MockServer::start().await;
        let token = "a".repeat(8 * 1024);
        fixed_token(
            &server,
            json!({"token_type": "Bearer", "expires_in": 3600, "access_token": token}),
        )
        .await;
        Mock::given(method("GET"))
            .and(wiremock::matchers::header(
                "authorization",
                format!("Bearer {token}").as_str(),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
            .expect(1)
            .mount(&server)
            .await;
        let client = service_app(&server, &key("ec-private.pem"));
        UserApi::new(&client).get_user("00u1").await.unwrap();
    })
    .await
}

#[tokio::test]
async fn an_api_token_rejected_as_invalid_is_not_retried() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(401).set_body_json(
                    json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"}),
                ),
            )
            .mount(&server)
            .await;
        let err = UserApi::new(&client(&server)).get_user("00u1").await.unwrap_err();
        assert!(matches!(&err, Error::Api(e) if e.status.as_u16() == 401), "{err}");
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
    })
    .await
}

#[tokio::test]
async fn a_token_rejected_again_after_its_refresh_fails_the_call() {
    bounded(async {
        let server = MockServer::start().await;
        let forms = token_endpoint(&server, vec!["at-1", "at-2"]).await;
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(401)
                    .insert_header("www-authenticate", "Bearer error=\"invalid_token\""),
            )
            .mount(&server)
            .await;
        let client = service_app(&server, &key("ec-private.pem"));
        let err = UserApi::new(&client).get_user("00u1").await.unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
        assert_eq!(forms.lock().unwrap().len(), 2, "one refresh");
        let requests = server.received_requests().await.unwrap();
        let api: Vec<_> = requests
            .iter()
            .filter(|r| r.url.path() == "/api/v1/users/00u1")
            .map(|r| r.headers["authorization"].to_str().unwrap().to_string())
            .collect();
        assert_eq!(api, ["Bearer at-1", "Bearer at-2"]);
    })
    .await
}

#[tokio::test]
async fn only_a_401_that_says_the_token_is_invalid_refreshes_it() {
    bounded(async {
        let invalid = ResponseTemplate::new(401);
        let cases = [
            (
                invalid
                    .clone()
                    .insert_header("www-authenticate", "Bearer error=\"invalid_token\""),
                2,
            ),
            (invalid.clone().set_body_json(json!({"errorCode": "E0000011"})), 2),
            (
                invalid.clone().set_body_json(json!({"error": "invalid_token"})),
                2,
            ),
            (invalid.set_body_json(json!({"errorCode": "E0000006"})), 1),
            (
                ResponseTemplate::new(403)
                    .insert_header("www-authenticate", "Bearer error=\"invalid_token\""),
                1,
            ),
        ];
        for (refusal, grants) in cases {
            let server = MockServer::start().await;
            let forms = token_endpoint(&server, vec!["at-1", "at-2"]).await;
            Mock::given(method("GET"))
                .respond_with(refusal)
                .up_to_n_times(1)
                .with_priority(1)
                .mount(&server)
                .await;
            Mock::given(method("GET"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
                .mount(&server)
                .await;
            let client = service_app(&server, &key("ec-private.pem"));
            let result = UserApi::new(&client).get_user("00u1").await;
            assert_eq!(result.is_ok(), grants == 2, "{result:?}");
            assert_eq!(forms.lock().unwrap().len(), grants);
        }
    })
    .await
}

#[tokio::test]
async fn a_retry_that_fits_in_the_request_timeout_is_made() {
    bounded(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(503))
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "00u1"})))
            .mount(&server)
            .await;
        let client = Client::builder()
            .org_url(server.uri())
            .api_token(TOKEN)
            .request_timeout(Duration::from_secs(8))
            .build()
            .unwrap();
        UserApi::new(&client).get_user("00u1").await.unwrap();
        assert_eq!(server.received_requests().await.unwrap().len(), 2);
    })
    .await
}

// ---- configuration ----------------------------------------------------------

#[test]
fn later_sources_override_earlier_ones_and_errors_name_the_source() {
    let yaml = "okta:\n  client:\n    orgUrl: https://from-yaml.okta.com\n    token: yaml-token\n    connectionTimeout: 12\n    rateLimit:\n      maxRetries: 5\n";
    let env = |name: &str| match name {
        "OKTA_CLIENT_ORGURL" => Some("https://from-env.okta.com".to_string()),
        _ => None,
    };
    let client = Client::builder()
        .yaml(yaml, "~/.okta/okta.yaml")
        .unwrap()
        .env_vars(env)
        .build()
        .unwrap();
    assert_eq!(client.org_url().as_str(), "https://from-env.okta.com/");
    assert!(format!("{client:?}").contains("max_retries: 5"));

    let bad = |yaml: &str, env: fn(&str) -> Option<String>| {
        Client::builder()
            .yaml(yaml, "./.okta.yaml")
            .unwrap()
            .env_vars(env)
            .build()
            .unwrap_err()
            .to_string()
    };
    let no_env = |_: &str| None;
    assert_eq!(
        bad("okta:\n  client:\n    orgUrl: http://dev.okta.com\n    token: t\n", no_env),
        "invalid configuration: orgUrl (from ./.okta.yaml (okta.client.orgUrl)) must use https (http is allowed only for loopback addresses)"
    );
    assert!(bad(
        "okta:\n  client:\n    orgUrl: https://{yourOktaDomain}\n    token: t\n",
        no_env
    )
    .contains("placeholder"));
    assert_eq!(
        bad("okta:\n  client:\n    orgUrl: https://dev.okta.com\n", |n| (n
            == "OKTA_CLIENT_TOKEN")
            .then(|| " ".into())),
        "invalid configuration: token (from env OKTA_CLIENT_TOKEN) is empty"
    );
    assert!(bad(
        "okta:\n  client:\n    orgUrl: https://dev.okta.com\n    authorizationMode: PrivateKey\n    clientId: c\n    privateKey: /nonexistent/key.pem\n",
        no_env
    )
    .starts_with("invalid configuration: privateKey (from ./.okta.yaml (okta.client.privateKey)) is neither PEM, nor a JWK, nor a readable file"));
    assert!(bad("okta:\n  client:\n    orgUrl: https://dev.okta.com\n    token: t\n    rateLimit:\n      maxRetries: many\n", no_env)
        .contains("rateLimit.maxRetries (from ./.okta.yaml (okta.client.rateLimit.maxRetries)) is not a whole number"));
}

#[test]
fn a_private_key_can_come_from_a_file_path_in_the_environment() {
    let path = format!("{}/tests/keys/ec-private.pem", env!("CARGO_MANIFEST_DIR"));
    let client = Client::builder()
        .env_vars(|name| match name {
            "OKTA_CLIENT_ORGURL" => Some("https://dev.okta.com".into()),
            "OKTA_CLIENT_AUTHORIZATIONMODE" => Some("PrivateKey".into()),
            "OKTA_CLIENT_CLIENTID" => Some("0oa1".into()),
            "OKTA_CLIENT_SCOPES" => Some("okta.users.read,okta.apps.read".into()),
            "OKTA_CLIENT_PRIVATEKEY" => Some(path.clone()),
            _ => None,
        })
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    assert!(
        debug.contains("okta.apps.read") && debug.contains("<redacted>"),
        "{debug}"
    );
    assert!(!debug.contains("BEGIN"), "{debug}");
}

// ---- secrets and observability ------------------------------------------------

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_stay_out_of_logs_errors_and_debug_and_spans_say_what_happened() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    sequence(
        &server,
        vec![
            too_many("0", "req-429"),
            ResponseTemplate::new(404)
                .insert_header("x-okta-request-id", "req-404")
                .set_body_json(json!({"errorCode": "E0000007"})),
        ],
    )
    .await;
    let client = client(&server);
    let err = UserApi::new(&client).get_user("00u1").await.unwrap_err();
    // A service app that really obtains a token, which the API then rejects.
    let org = MockServer::start().await;
    token_endpoint(&org, vec!["at-secret-access-token"]).await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Bearer error=\"invalid_token\"")
                .set_body_json(json!({"errorCode": "E0000011", "errorSummary": "Invalid token provided"})),
        )
        .mount(&org)
        .await;
    let oauth = service_app(&org, &key("rsa-private.pem"));
    let oauth_err = UserApi::new(&oauth).get_user("00u1").await.unwrap_err();
    let sent: Vec<String> = org
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter_map(|r| {
            r.headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().to_string())
        })
        .collect();
    assert!(
        sent.iter().any(|a| a == "Bearer at-secret-access-token"),
        "the token was obtained and used: {sent:?}"
    );

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let rsa = key("rsa-private.pem");
    let key_line = rsa.lines().nth(1).unwrap();
    for text in [
        logs.as_str(),
        &err.to_string(),
        &format!("{err:?}"),
        &format!("{client:?}"),
        &format!("{oauth:?}"),
        &oauth_err.to_string(),
        &format!("{oauth_err:?}"),
    ] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
        assert!(
            !text.contains("at-secret-access-token"),
            "access token leaked: {text}"
        );
        assert!(!text.contains(key_line), "private key leaked: {text}");
    }
    assert!(logs.contains("okta.request"), "{logs}");
    assert!(
        logs.contains("operation=\"getUser\"") || logs.contains("operation=getUser"),
        "{logs}"
    );
    assert!(
        logs.contains("path=\"/api/v1/users/{userId}\"") || logs.contains("path=/api/v1/users/{userId}"),
        "{logs}"
    );
    assert!(
        logs.contains("status=404") && logs.contains("attempt=2") && logs.contains("req-404"),
        "{logs}"
    );
}

// ---- behaviours each guarded by one test ------------------------------------

#[tokio::test]
async fn self_and_next_in_separate_link_headers_are_both_read() {
    let server = MockServer::start().await;
    // Okta sends `self` and `next` as two headers, `self` first.
    Mock::given(method("GET"))
        .and(wiremock::matchers::query_param_is_missing("after"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(0..1))
                .append_header(
                    "link",
                    format!("<{}/api/v1/users>; rel=\"self\"", server.uri()).as_str(),
                )
                .append_header(
                    "link",
                    format!("<{}/api/v1/users?after=1>; rel=\"next\"", server.uri()).as_str(),
                ),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(query_param("after", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(users(1..2)))
        .mount(&server)
        .await;
    let items: Vec<_> = UserApi::new(&client(&server))
        .list_users()
        .stream()
        .collect()
        .await;
    let ids: Vec<String> = items.into_iter().map(|u| u.unwrap().id.unwrap()).collect();
    assert_eq!(ids, ["00u0", "00u1"]);
}

#[tokio::test]
async fn a_short_lived_token_is_replaced_when_it_runs_out() {
    let server = MockServer::start().await;
    let forms = Arc::new(Mutex::new(0usize));
    let count = forms.clone();
    Mock::given(method("POST"))
        .and(path("/oauth2/v1/token"))
        .respond_with(move |_: &Request| {
            let mut n = count.lock().unwrap();
            *n += 1;
            ResponseTemplate::new(200).set_body_json(
                json!({"token_type": "Bearer", "expires_in": 1, "access_token": format!("at-{n}")}),
            )
        })
        .mount(&server)
        .await;
    for token in ["at-1", "at-2"] {
        Mock::given(method("GET"))
            .and(wiremock::matchers::header(
                "authorization",
                format!("Bearer {token}").as_str(),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .expect(2)
            .mount(&server)
            .await;
    }
    let client = service_app(&server, &key("rsa-private.pem"));
    // Two calls within the first token's second, two after it ran out.
    UserApi::new(&client).get_user("a").await.unwrap();
    UserApi::new(&client).get_user("b").await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    UserApi::new(&client).get_user("c").await.unwrap();
    UserApi::new(&client).get_user("d").await.unwrap();
    assert_eq!(*forms.lock().unwrap(), 2);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_read_against_the_servers_date() {
    // The server's clock is an hour behind ours: by its Date the retry
    // time is two seconds away; by ours it is long past.
    let server_now = std::time::SystemTime::now() - Duration::from_secs(3600);
    let limited = ResponseTemplate::new(429)
        .insert_header("date", httpdate::fmt_http_date(server_now).as_str())
        .insert_header(
            "retry-after",
            httpdate::fmt_http_date(server_now + Duration::from_secs(2)).as_str(),
        );
    let waited = wait_after(limited).await;
    assert!(
        waited >= Duration::from_millis(1900) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy_with_its_credentials() {
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let head = Arc::new(Mutex::new(String::new()));
    let seen = head.clone();
    tokio::spawn(async move {
        let (mut socket, _) = proxy.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let mut read = 0;
        while !buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
            read += socket.read(&mut buf[read..]).await.unwrap();
        }
        *seen.lock().unwrap() = String::from_utf8_lossy(&buf[..read]).into_owned();
        let body = r#"{"id":"via-proxy"}"#;
        let answer = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
        socket.write_all(answer.as_bytes()).await.unwrap();
    });
    // The org is never reached directly: nothing listens there.
    let client = Client::builder()
        .org_url("http://127.0.0.1:9")
        .api_token(TOKEN)
        .env_vars(|name| match name {
            "OKTA_CLIENT_PROXY_HOST" => Some("127.0.0.1".into()),
            "OKTA_CLIENT_PROXY_PORT" => Some(proxy_addr.port().to_string()),
            "OKTA_CLIENT_PROXY_USERNAME" => Some("proxy-user".into()),
            "OKTA_CLIENT_PROXY_PASSWORD" => Some("proxy-pass".into()),
            _ => None,
        })
        .build()
        .unwrap();
    let user = tokio::time::timeout(Duration::from_secs(10), UserApi::new(&client).get_user("00u1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(user.id.as_deref(), Some("via-proxy"));
    let head = head.lock().unwrap().clone();
    assert!(
        head.starts_with("GET http://127.0.0.1:9/api/v1/users/00u1 HTTP/1.1\r\n"),
        "{head}"
    );
    let basic = format!(
        "proxy-authorization: Basic {}",
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            "proxy-user:proxy-pass"
        )
    );
    assert!(
        head.to_ascii_lowercase().contains(&basic.to_ascii_lowercase()),
        "{head}"
    );
}
