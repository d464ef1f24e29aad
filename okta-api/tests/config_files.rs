//! `Client::from_env` with real files: `~/.okta/okta.yaml` in a scratch
//! home, `./.okta.yaml` in a scratch working directory, and `OKTA_CLIENT_*`
//! variables, later sources overriding earlier ones. One test in its own
//! binary, since it sets the process's home, directory and environment.

use std::time::Duration;

use okta_api::legacy::UserApi;
use okta_api::Client;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn from_env_reads_the_home_file_then_the_local_file_then_the_environment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v1/users/00u1"))
        .and(header("authorization", "SSWS from-local-file"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "00u1"})))
        .expect(1)
        .mount(&server)
        .await;
    let scratch = std::env::temp_dir().join(format!("okta-config-files-{}", std::process::id()));
    let home = scratch.join("home");
    let work = scratch.join("work");
    std::fs::create_dir_all(home.join(".okta")).unwrap();
    std::fs::create_dir_all(&work).unwrap();
    // The home file sets the org and a token; the local file overrides the
    // token; the environment overrides the retries.
    std::fs::write(
        home.join(".okta/okta.yaml"),
        format!("okta:\n  client:\n    orgUrl: {}\n    token: from-home-file\n    rateLimit:\n      maxRetries: 7\n", server.uri()),
    )
    .unwrap();
    std::fs::write(
        work.join(".okta.yaml"),
        "okta:\n  client:\n    token: from-local-file\n",
    )
    .unwrap();
    std::env::set_var("HOME", &home);
    std::env::set_current_dir(&work).unwrap();
    std::env::set_var("OKTA_CLIENT_RATELIMIT_MAXRETRIES", "many");
    let err = Client::from_env().unwrap_err().to_string();
    assert!(
        err.contains("rateLimit.maxRetries (from env OKTA_CLIENT_RATELIMIT_MAXRETRIES)"),
        "{err}"
    );
    std::env::set_var("OKTA_CLIENT_RATELIMIT_MAXRETRIES", "1");
    let client = Client::from_env().unwrap();
    let debug = format!("{client:?}");
    assert!(debug.contains("max_retries: 1"), "{debug}");
    tokio::time::timeout(Duration::from_secs(10), UserApi::new(&client).get_user("00u1"))
        .await
        .unwrap()
        .unwrap();
    // A malformed file is an error that names it.
    std::fs::write(work.join(".okta.yaml"), "okta: [not, a, map").unwrap();
    let err = Client::from_env().unwrap_err().to_string();
    assert!(err.contains(".okta.yaml: invalid okta.yaml"), "{err}");
    std::fs::remove_dir_all(&scratch).unwrap();
}
