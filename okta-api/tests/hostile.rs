//! The runtime against hostile servers and careless callers, on loopback:
//! requests go exactly where the call says, every wait ends, no server value
//! crashes the client, lists end and never truncate, bodies are bounded.
//! Each test bounds its own time, so a hang fails instead of stalling.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use okta_api::legacy::models::User;
use okta_api::legacy::{GroupApi, UserApi, UserFactorApi};
use okta_api::{Client, Error};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "00api-token";

/// Runs `test`, failing it if it takes longer than `secs` seconds.
async fn within<T>(secs: u64, test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), test)
        .await
        .expect("the test hung")
}

fn client(uri: &str) -> Client {
    Client::builder().org_url(uri).api_token(TOKEN).build().unwrap()
}

fn users(ids: std::ops::Range<usize>) -> Value {
    Value::Array(ids.map(|i| json!({"id": format!("00u{i}")})).collect())
}

fn epoch_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// One scripted answer of [`RawServer`].
enum Answer {
    /// These bytes, then close the connection.
    Bytes(Vec<u8>),
    /// Close the connection without answering.
    Drop,
    /// A chunked 200 response whose body never ends.
    Endless,
}

/// A raw HTTP/1.1 server: answers the n-th request with the n-th answer
/// (the last one repeated), one connection per request, and records each
/// request's head exactly as it arrived.
struct RawServer {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
}

async fn raw_server(answers: Vec<Answer>) -> RawServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = heads.clone();
    let answers = Arc::new(answers);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (seen, answers) = (seen.clone(), answers.clone());
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let index = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(String::from_utf8_lossy(&head).into_owned());
                    seen.len() - 1
                };
                match &answers[index.min(answers.len() - 1)] {
                    Answer::Bytes(bytes) => {
                        let _ = socket.write_all(bytes).await;
                    }
                    Answer::Drop => {}
                    Answer::Endless => {
                        let _ = socket
                            .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n")
                            .await;
                        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
                        while socket.write_all(chunk.as_bytes()).await.is_ok() {}
                    }
                }
                let _ = socket.shutdown().await;
            });
        }
    });
    RawServer { url, heads }
}

fn http(status: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    let mut text = format!(
        "HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    Answer::Bytes(text.into_bytes())
}

fn request_line(head: &str) -> &str {
    head.lines().next().unwrap_or_default()
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

// ---- requests go exactly where the call says --------------------------------

#[tokio::test]
async fn ids_that_would_name_another_resource_are_refused_before_sending() {
    within(10, async {
        let server = MockServer::start().await;
        let client = client(&server.uri());
        let refused = [
            (
                GroupApi::new(&client).remove_group_user("00g1", "..").await,
                "userId",
            ),
            (
                GroupApi::new(&client).remove_group_user("..", "00u1").await,
                "groupId",
            ),
            (
                UserFactorApi::new(&client).delete_factor("00u1", "..").await,
                "factorId",
            ),
            (
                UserApi::new(&client).deactivate_or_delete_user("").await,
                "userId",
            ),
            (
                UserApi::new(&client).deactivate_or_delete_user(".").await,
                "userId",
            ),
            (
                UserApi::new(&client).deactivate_or_delete_user("00u1/..").await,
                "userId",
            ),
            (
                UserApi::new(&client).deactivate_or_delete_user("%2e%2e").await,
                "userId",
            ),
        ];
        for (result, argument) in refused {
            match result {
                Err(Error::InvalidArgument { argument: a, .. }) => assert_eq!(a, argument),
                other => panic!("expected {argument} to be refused, got {other:?}"),
            }
        }
        // A resource method binds the model's own id: the same rule holds.
        let user = User {
            id: Some("..".into()),
            ..Default::default()
        };
        let err = user.delete(&client).await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
        assert!(
            server.received_requests().await.unwrap().is_empty(),
            "nothing was sent"
        );
    })
    .await
}

#[tokio::test]
async fn odd_ids_reach_the_server_in_their_own_segment() {
    within(10, async {
        let server = raw_server(vec![http("204 No Content", &[], "")]).await;
        let client = client(&server.url);
        for id in ["a/b", "..;", "a b?#", "%2F", "ada@example.com"] {
            GroupApi::new(&client)
                .remove_group_user("00g1", id)
                .await
                .unwrap();
        }
        let heads = server.heads.lock().unwrap();
        let lines: Vec<_> = heads.iter().map(|h| request_line(h)).collect();
        assert_eq!(
            lines,
            [
                "DELETE /api/v1/groups/00g1/users/a%2Fb HTTP/1.1",
                "DELETE /api/v1/groups/00g1/users/..%3B HTTP/1.1",
                "DELETE /api/v1/groups/00g1/users/a%20b%3F%23 HTTP/1.1",
                "DELETE /api/v1/groups/00g1/users/%252F HTTP/1.1",
                "DELETE /api/v1/groups/00g1/users/ada@example.com HTTP/1.1",
            ]
        );
    })
    .await
}

#[tokio::test]
async fn an_org_url_with_a_password_is_rejected_without_showing_it() {
    let url = "https://admin:hunter2@dev-1.okta.com";
    let builder = Client::builder().org_url(url).api_token(TOKEN);
    let debug = format!("{builder:?}");
    assert!(
        !debug.contains("hunter2") && debug.contains("dev-1.okta.com"),
        "{debug}"
    );
    let err = builder.build().unwrap_err().to_string();
    assert!(
        err.contains("orgUrl") && err.contains("user name or password"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    let err = Client::builder()
        .env_vars(|name| (name == "OKTA_CLIENT_ORGURL").then(|| url.to_string()))
        .api_token(TOKEN)
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("env OKTA_CLIENT_ORGURL") && !err.contains("hunter2"),
        "{err}"
    );
}

#[tokio::test]
async fn a_next_link_with_userinfo_is_refused_like_a_foreign_origin() {
    within(10, async {
        let server = MockServer::start().await;
        let addr = server.address();
        let link = format!("<http://admin:pw@{addr}/api/v1/users?after=1>; rel=\"next\"");
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(users(0..1))
                    .append_header("link", link.as_str()),
            )
            .mount(&server)
            .await;
        let items: Vec<_> = UserApi::new(&client(&server.uri()))
            .list_users()
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 2);
        match &items[1] {
            Err(Error::UntrustedUrl { url, .. }) => assert!(!url.contains("pw"), "{url}"),
            other => panic!("expected UntrustedUrl, got {other:?}"),
        }
        let received = server.received_requests().await.unwrap();
        assert_eq!(received.len(), 1, "the link was not followed");
    })
    .await
}

// ---- every wait ends, and no server value crashes the client ----------------

fn limited(headers: &[(&str, &str)]) -> Answer {
    let mut all = vec![
        ("x-okta-request-id", "r-limited"),
        ("x-rate-limit-limit", "600"),
        ("x-rate-limit-remaining", "0"),
    ];
    all.extend_from_slice(headers);
    http("429 Too Many Requests", &all, r#"{"errorCode":"E0000047"}"#)
}

#[tokio::test]
async fn absurd_rate_limit_values_fail_at_once_with_the_rate_limit_state() {
    let year_ahead = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(365 * 86_400));
    let day_ahead = (epoch_secs(SystemTime::now()) + 86_400).to_string();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "Retry-After u64::MAX",
            vec![("retry-after", "18446744073709551615")],
        ),
        (
            "X-Rate-Limit-Reset u64::MAX",
            vec![("x-rate-limit-reset", "18446744073709551615")],
        ),
        (
            "Retry-After a year ahead",
            vec![("retry-after", year_ahead.as_str())],
        ),
        (
            "reset a day ahead",
            vec![("x-rate-limit-reset", day_ahead.as_str())],
        ),
    ];
    for (case, headers) in cases {
        within(5, async {
            let server = raw_server(vec![limited(&headers), http("200 OK", &[], "{}")]).await;
            let started = Instant::now();
            let err = UserApi::new(&client(&server.url))
                .get_user("00u1")
                .await
                .unwrap_err();
            assert!(started.elapsed() < Duration::from_secs(2), "{case}: waited");
            let Error::RateLimited(api) = &err else {
                panic!("{case}: {err}")
            };
            assert_eq!(api.attempts, 1, "{case}");
            assert_eq!(api.request_id.as_deref(), Some("r-limited"), "{case}");
            let state = api.rate_limit.expect("rate-limit state");
            assert_eq!((state.limit, state.remaining), (Some(600), Some(0)), "{case}");
            if case == "reset a day ahead" {
                assert_eq!(state.reset.map(epoch_secs), Some(day_ahead.parse().unwrap()));
                assert!(err.to_string().contains("resets at"), "{err}");
            }
            assert_eq!(server.heads.lock().unwrap().len(), 1, "{case}: not retried");
        })
        .await
    }
}

#[tokio::test]
async fn the_wait_bound_is_configurable() {
    within(10, async {
        let server = raw_server(vec![limited(&[("retry-after", "2")]), http("200 OK", &[], "{}")]).await;
        let strict = Client::builder()
            .org_url(&server.url)
            .api_token(TOKEN)
            .max_rate_limit_wait(Duration::from_secs(1))
            .build()
            .unwrap();
        let err = UserApi::new(&strict).get_user("00u1").await.unwrap_err();
        assert!(matches!(err, Error::RateLimited(_)), "{err}");
        // The default bound (61 s) waits two seconds out.
        let server = raw_server(vec![limited(&[("retry-after", "2")]), http("200 OK", &[], "{}")]).await;
        UserApi::new(&client(&server.url)).get_user("00u1").await.unwrap();
        assert_eq!(server.heads.lock().unwrap().len(), 2);
        let err = Client::builder()
            .org_url(&server.url)
            .api_token(TOKEN)
            .env_vars(|n| (n == "OKTA_CLIENT_RATELIMIT_MAXWAIT").then(|| "7200".to_string()))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("rateLimit.maxWait (from env OKTA_CLIENT_RATELIMIT_MAXWAIT)"),
            "{err}"
        );
    })
    .await
}

#[tokio::test]
async fn a_hostile_429_does_not_hold_back_healthy_calls() {
    within(10, async {
        let server = MockServer::start().await;
        let day_ahead = (epoch_secs(SystemTime::now()) + 86_400).to_string();
        Mock::given(path("/api/v1/users/hostile"))
            .respond_with(ResponseTemplate::new(429).insert_header("x-rate-limit-reset", day_ahead.as_str()))
            .mount(&server)
            .await;
        Mock::given(path("/api/v1/users/fine"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "fine"})))
            .mount(&server)
            .await;
        let client = client(&server.uri());
        let err = UserApi::new(&client).get_user("hostile").await.unwrap_err();
        assert!(matches!(err, Error::RateLimited(_)), "{err}");
        let started = Instant::now();
        UserApi::new(&client).get_user("fine").await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    })
    .await
}

#[tokio::test]
async fn the_earliest_of_several_resets_is_used() {
    let now = epoch_secs(SystemTime::now());
    let (soon, late) = ((now + 1).to_string(), (now + 3600).to_string());
    let joined = format!("{late}, {soon}");
    for headers in [
        vec![
            ("x-rate-limit-reset", late.as_str()),
            ("x-rate-limit-reset", soon.as_str()),
        ],
        vec![("x-rate-limit-reset", joined.as_str())],
    ] {
        within(10, async {
            let server = raw_server(vec![limited(&headers), http("200 OK", &[], "{}")]).await;
            // The late reset alone would be over the bound and fail the call.
            UserApi::new(&client(&server.url)).get_user("00u1").await.unwrap();
            assert_eq!(server.heads.lock().unwrap().len(), 2);
        })
        .await
    }
}

#[tokio::test]
async fn retries_say_what_they_retry() {
    within(20, async {
        let server = raw_server(vec![
            limited(&[("retry-after", "0")]),
            http("503 Service Unavailable", &[("x-okta-request-id", "r-503")], ""),
            Answer::Drop,
            http("200 OK", &[], r#"{"id":"00u1"}"#),
        ])
        .await;
        let client = Client::builder()
            .org_url(&server.url)
            .api_token(TOKEN)
            .max_retries(3)
            .build()
            .unwrap();
        UserApi::new(&client).get_user("00u1").await.unwrap();
        let heads = server.heads.lock().unwrap();
        let retry = |i: usize| {
            (
                header(&heads[i], "x-okta-retry-count"),
                header(&heads[i], "x-okta-retry-for"),
            )
        };
        assert_eq!(heads.len(), 4);
        assert_eq!(retry(0), (None, None));
        assert_eq!(retry(1), (Some("1"), Some("r-limited")));
        assert_eq!(retry(2), (Some("2"), Some("r-503")));
        assert_eq!(
            retry(3),
            (Some("3"), None),
            "a dropped connection has no request id"
        );
    })
    .await
}

#[tokio::test]
async fn a_token_that_claims_to_live_forever_does_not_crash_the_client() {
    within(10, async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth2/v1/token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"token_type": "Bearer", "access_token": "at-1", "expires_in": 18446744073709551615u64}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(wiremock::matchers::header("authorization", "Bearer at-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .expect(2)
            .mount(&server)
            .await;
        let pem = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/keys/rsa-private.pem")).unwrap();
        let client = Client::builder()
            .org_url(server.uri())
            .private_key("0oa1", ["okta.users.read"], pem)
            .build()
            .unwrap();
        UserApi::new(&client).get_user("a").await.unwrap();
        UserApi::new(&client).get_user("b").await.unwrap();
    })
    .await
}

#[test]
fn settings_outside_a_sane_range_are_rejected_with_name_and_source() {
    let cases = [
        (
            "OKTA_CLIENT_REQUESTTIMEOUT",
            "18446744073709551615",
            "requestTimeout",
        ),
        (
            "OKTA_CLIENT_REQUESTTIMEOUT",
            "99999999999999999999999",
            "requestTimeout",
        ),
        ("OKTA_CLIENT_CONNECTIONTIMEOUT", "0", "connectionTimeout"),
        ("OKTA_CLIENT_CONNECTIONTIMEOUT", "100000", "connectionTimeout"),
        (
            "OKTA_CLIENT_RATELIMIT_MAXRETRIES",
            "4294967295",
            "rateLimit.maxRetries",
        ),
        ("OKTA_CLIENT_RATELIMIT_MAXRETRIES", "-1", "rateLimit.maxRetries"),
    ];
    for (var, value, setting) in cases {
        let err = Client::builder()
            .org_url("https://dev-1.okta.com")
            .api_token(TOKEN)
            .env_vars(|n| (n == var).then(|| value.to_string()))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("{setting} (from env {var})")),
            "{var}={value}: {err}"
        );
    }
    let err = Client::builder()
        .org_url("https://dev-1.okta.com")
        .api_token(TOKEN)
        .request_timeout(Duration::MAX)
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("requestTimeout (from the builder)"), "{err}");
    for timeout in [Duration::ZERO, Duration::MAX] {
        let err = Client::builder()
            .org_url("https://dev-1.okta.com")
            .api_token(TOKEN)
            .attempt_timeout(timeout)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("attemptTimeout"), "{err}");
    }
}

// ---- pagination always ends and never truncates ----------------------------

/// Serves users 0 and 1 on the first page (no `after`), linking `link`,
/// and user 2 to the requests `second` matches.
async fn two_pages(server: &MockServer, link: &str, second: wiremock::MockBuilder) {
    Mock::given(method("GET"))
        .and(query_param_is_missing("after"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(0..2))
                .append_header("link", link),
        )
        .mount(server)
        .await;
    second
        .respond_with(ResponseTemplate::new(200).set_body_json(users(2..3)))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_next_link_with_commas_is_followed_whole() {
    within(10, async {
        let server = MockServer::start().await;
        let link = format!(
            "<{}/api/v1/users?after=00u1&expand=a,b>; rel=\"next\", <{}/api/v1/users>; rel=\"self\"",
            server.uri(),
            server.uri()
        );
        let second = Mock::given(method("GET"))
            .and(query_param("after", "00u1"))
            .and(query_param("expand", "a,b"));
        two_pages(&server, &link, second).await;
        let items: Vec<_> = UserApi::new(&client(&server.uri()))
            .list_users()
            .stream()
            .collect()
            .await;
        let ids: Vec<_> = items.into_iter().map(|u| u.unwrap().id.unwrap()).collect();
        assert_eq!(ids, ["00u0", "00u1", "00u2"]);
    })
    .await
}

/// Serves `/api/v1/users?after=<n>` for each `(n, items, next)`.
async fn mount_walk(server: &MockServer, pages: &[(&str, std::ops::Range<usize>, &str)]) {
    for (after, items, next) in pages {
        let link = format!("<{}/api/v1/users?after={next}>; rel=\"next\"", server.uri());
        let mock = Mock::given(method("GET")).and(path("/api/v1/users"));
        let mock = if after.is_empty() {
            mock.and(query_param_is_missing("after"))
        } else {
            mock.and(query_param("after", *after))
        };
        mock.respond_with(
            ResponseTemplate::new(200)
                .set_body_json(users(items.clone()))
                .append_header("link", link.as_str()),
        )
        .mount(server)
        .await;
    }
}

#[tokio::test]
async fn a_cycle_of_any_length_ends_with_an_error() {
    within(10, async {
        let server = MockServer::start().await;
        // Start, then A -> B -> C -> A.
        mount_walk(
            &server,
            &[
                ("", 0..1, "a"),
                ("a", 1..2, "b"),
                ("b", 2..3, "c"),
                ("c", 3..4, "a"),
            ],
        )
        .await;
        let items: Vec<_> = UserApi::new(&client(&server.uri()))
            .list_users()
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 5, "four pages of one user, then the error");
        assert!(items[..4].iter().all(Result::is_ok));
        let err = items[4].as_ref().unwrap_err();
        assert!(
            matches!(err, Error::Pagination { .. }) && err.to_string().contains("already fetched"),
            "{err}"
        );
        assert_eq!(server.received_requests().await.unwrap().len(), 4);
    })
    .await
}

#[tokio::test]
async fn a_run_of_empty_pages_is_bounded() {
    within(10, async {
        let server = MockServer::start().await;
        // Every page is empty and links a fresh one.
        let counter = Arc::new(Mutex::new(0usize));
        let seen = counter.clone();
        let base = server.uri();
        Mock::given(method("GET"))
            .respond_with(move |_: &wiremock::Request| {
                let mut n = seen.lock().unwrap();
                *n += 1;
                let link = format!("<{base}/api/v1/users?after=p{n}>; rel=\"next\"");
                ResponseTemplate::new(200)
                    .set_body_json(json!([]))
                    .append_header("link", link.as_str())
            })
            .mount(&server)
            .await;
        let items: Vec<_> = UserApi::new(&client(&server.uri()))
            .list_users()
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 1);
        let err = items[0].as_ref().unwrap_err();
        assert!(
            matches!(err, Error::Pagination { .. }) && err.to_string().contains("10 empty pages"),
            "{err}"
        );
        assert_eq!(*counter.lock().unwrap(), okta_api::defaults::MAX_EMPTY_PAGES);
    })
    .await
}

#[tokio::test]
async fn query_parameters_a_next_link_drops_are_sent_again() {
    within(10, async {
        let server = MockServer::start().await;
        // Okta's next link keeps `after` and `limit` but drops `search`.
        let link = format!("<{}/api/v1/users?after=00u1&limit=2>; rel=\"next\"", server.uri());
        two_pages(
            &server,
            &link,
            Mock::given(method("GET")).and(query_param("after", "00u1")),
        )
        .await;
        let items: Vec<_> = UserApi::new(&client(&server.uri()))
            .list_users()
            .search("profile.department eq \"R&D\"")
            .limit(2)
            .stream()
            .collect()
            .await;
        assert_eq!(items.len(), 3);
        let received = server.received_requests().await.unwrap();
        let page2: Vec<(String, String)> = received[1].url.query_pairs().into_owned().collect();
        assert_eq!(
            page2,
            [
                ("after".into(), "00u1".into()),
                ("limit".into(), "2".into()),
                ("search".into(), "profile.department eq \"R&D\"".into()),
            ]
        );
    })
    .await
}

// ---- bodies are bounded -----------------------------------------------------

#[tokio::test]
async fn an_endless_body_fails_after_the_limit() {
    within(20, async {
        let server = raw_server(vec![Answer::Endless]).await;
        let client = Client::builder()
            .org_url(&server.url)
            .api_token(TOKEN)
            .max_response_size(1024 * 1024)
            .build()
            .unwrap();
        let err = UserApi::new(&client).list_users().await.unwrap_err();
        assert!(
            matches!(err, Error::ResponseTooLarge { limit: 1048576, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("1048576-byte limit"), "{err}");
    })
    .await
}

#[tokio::test]
async fn a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_not() {
    within(10, async {
        let server = MockServer::start().await;
        let body = users(0..3).to_string();
        Mock::given(method("GET"))
            .and(path("/api/v1/users"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"))
            .mount(&server)
            .await;
        let limited = |limit: usize| {
            Client::builder()
                .org_url(server.uri())
                .api_token(TOKEN)
                .max_response_size(limit)
                .build()
                .unwrap()
        };
        let listed = UserApi::new(&limited(body.len())).list_users().await.unwrap();
        assert_eq!(listed.len(), 3);
        let err = UserApi::new(&limited(body.len() - 1))
            .list_users()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err}");
    })
    .await
}

#[tokio::test]
async fn a_declared_length_over_the_limit_fails_without_reading() {
    within(10, async {
        let big = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 536870912\r\nx-okta-request-id: r-big\r\n\r\n[";
        let server = raw_server(vec![Answer::Bytes(big.as_bytes().to_vec())]).await;
        let client = Client::builder()
            .org_url(&server.url)
            .api_token(TOKEN)
            .max_response_size(1024 * 1024)
            .build()
            .unwrap();
        let err = UserApi::new(&client).list_users().await.unwrap_err();
        assert!(matches!(err, Error::ResponseTooLarge { .. }), "{err}");
        assert_eq!(err.request_id(), Some("r-big"));
    })
    .await
}

#[tokio::test]
async fn an_error_with_many_causes_is_still_read_as_oktas_error() {
    within(10, async {
        let server = MockServer::start().await;
        // A bulk validation failure: 100 causes, about 6 KiB.
        let causes: Vec<Value> = (0..100)
            .map(|i| json!({"errorSummary": format!("profile.field{i}: Property is not defined in the schema")}))
            .collect();
        let body = json!({"errorCode": "E0000001", "errorSummary": "Api validation failed", "errorCauses": causes});
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(400).set_body_json(body))
            .mount(&server)
            .await;
        let err = UserApi::new(&client(&server.uri()))
            .get_user("00u1")
            .await
            .unwrap_err();
        let api = err.as_api().expect("an API error");
        assert_eq!(api.error_code.as_deref(), Some("E0000001"));
        assert_eq!(api.error_causes.len(), 100);
    })
    .await
}

#[tokio::test]
async fn a_huge_html_error_page_keeps_a_bounded_excerpt() {
    within(10, async {
        let page = format!(
            "<html><body>{}</body></html>",
            "Service unavailable. ".repeat(6000)
        );
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(500)
                    .insert_header("x-okta-request-id", "r-html")
                    .set_body_raw(page.clone(), "text/html"),
            )
            .mount(&server)
            .await;
        let err = UserApi::new(&client(&server.uri()))
            .activate_user("00u1", false)
            .await
            .unwrap_err();
        let api = err.as_api().unwrap();
        assert_eq!(
            (api.status.as_u16(), api.request_id.as_deref()),
            (500, Some("r-html"))
        );
        assert!(page.len() > 120_000);
        assert!(
            api.body.len() <= 4096 + "… [cut]".len() && api.body.ends_with("… [cut]"),
            "{}",
            api.body.len()
        );
        assert!(api.body.starts_with("<html><body>Service unavailable."));
        assert!(err.to_string().len() < 200, "{err}");
    })
    .await
}
