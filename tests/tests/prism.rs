//! An independent check of the requests the SDK sends: Prism
//! (`@stoplight/prism-cli`) runs as a validating mock of a spec (with the
//! overlays applied) on loopback, and answers 422 to any request that breaks
//! it: the Management spec, then the OAuth 2.0, MyAccount and Governance
//! specs. The test is ignored by a plain `cargo test`:
//! `.ci/run` installs Prism, sets `PRISM_BIN` and runs it with `--ignored`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use okta_api::management::models::{
    CreateSessionRequest, CustomAaguidUpdateRequestObject, KeepCurrent, UploadBrandThemeLogoBody,
};
use okta_api::management::{
    ApplicationSsoCredentialKeyApi, AuthenticatorApi, GroupApi, SessionApi, SsfSecurityEventTokenApi,
    ThemesApi, UserApi, UserSessionsApi,
};
use okta_api::{Client, Error};
use okta_workspace_tests::workspace_root;
use serde_json::Value;

struct Prism {
    child: Child,
    url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Example values are data, but Prism dereferences every `$ref` in the
/// document, including one inside an example that shows a JSON schema.
fn scrub_example_refs(value: &mut Value, in_example: bool) {
    match value {
        Value::Object(map) => {
            if in_example {
                if let Some(r) = map.shift_remove("$ref") {
                    map.insert("x-example-ref".into(), r);
                }
            }
            for (k, v) in map.iter_mut() {
                scrub_example_refs(v, in_example || k == "example" || k == "examples" || k == "value");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| scrub_example_refs(v, in_example)),
        _ => {}
    }
}

fn start_prism(module: &str) -> Prism {
    let bin =
        std::env::var_os("PRISM_BIN").expect("PRISM_BIN is not set: bash .ci/run installs Prism and sets it");
    let root = workspace_root();
    let module = xtask::MODULES.iter().find(|m| m.module == module).unwrap();
    let input = xtask::module_input(&root, module).unwrap();
    let mut raw = okta_codegen::load::load(&input.spec, &input.overlays)
        .unwrap()
        .raw;
    for section in ["paths", "components"] {
        if let Some(v) = raw.get_mut(section) {
            scrub_example_refs(v, false);
        }
    }
    let file = std::env::temp_dir().join(format!(
        "okta-{}-prism-{}.json",
        module.module,
        std::process::id()
    ));
    std::fs::write(&file, serde_json::to_vec(&raw).unwrap()).unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(bin)
        .args(["mock", "--errors", "-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Prism starts");
    let prism = Prism {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "Prism did not start"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    prism
}

/// The statuses Prism answers when a request breaks the spec: no such path
/// (404), method (405), security (401), content type (415), parameters or
/// body (422).
const VALIDATION_STATUSES: [u16; 5] = [401, 404, 405, 415, 422];

/// A request Prism found invalid, with its explanation.
fn validation_failure<T>(what: &str, result: &Result<T, Error>) -> Option<String> {
    match result {
        Err(e)
            if e.status()
                .is_some_and(|s| VALIDATION_STATUSES.contains(&s.as_u16())) =>
        {
            let body = e.as_api().map(|a| a.body.clone()).unwrap_or_default();
            Some(format!("{what}: {body}"))
        }
        Err(Error::Transport { .. }) | Err(Error::Timeout { .. }) => {
            Some(format!("{what}: {result:?}", result = result.as_ref().err()))
        }
        _ => None,
    }
}

/// The SDK calls sent to Prism, and what it rejected.
#[derive(Default)]
struct Checks {
    checked: usize,
    failures: Vec<String>,
}

impl Checks {
    fn record<T>(&mut self, what: &str, result: Result<T, Error>) {
        self.checked += 1;
        if let Some(f) = validation_failure(what, &result) {
            self.failures.push(f);
        }
    }

    fn assert_none_rejected(&self) {
        println!("{} requests checked by Prism", self.checked);
        assert!(
            self.failures.is_empty(),
            "Prism rejected requests:\n{}",
            self.failures.join("\n")
        );
    }
}

/// Sends `$call` and records whether Prism rejected it.
macro_rules! check {
    ($checks:ident, $what:expr, $call:expr) => {
        $checks.record($what, $call.await)
    };
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Prism: bash .ci/run installs it and runs this; locally set PRISM_BIN and pass --ignored"]
async fn prism_finds_no_request_validation_error() {
    let prism = start_prism("management");
    // Prism validates: a request that breaks the spec gets a 422.
    let invalid = reqwest::Client::new()
        .get(format!("{}/api/v1/users?limit=many", prism.url))
        .header("authorization", "SSWS 00prism")
        .send()
        .await
        .unwrap();
    assert_eq!(
        invalid.status().as_u16(),
        422,
        "Prism must reject a non-integer limit"
    );
    // And it answers the other outcomes the SDK's calls are checked for
    // (415 too, which this version of Prism gives for few operations).
    let http = reqwest::Client::new();
    let status =
        |request: reqwest::RequestBuilder| async move { request.send().await.unwrap().status().as_u16() };
    let users = format!("{}/api/v1/users/00u1", prism.url);
    assert_eq!(
        status(
            http.get(format!("{}/api/v1/no-such-path", prism.url))
                .header("authorization", "SSWS 00prism")
        )
        .await,
        404
    );
    assert_eq!(
        status(
            http.patch(format!("{}/api/v1/meta/types/user", prism.url))
                .header("authorization", "SSWS 00prism")
        )
        .await,
        405
    );
    assert_eq!(status(http.get(&users)).await, 401, "no credentials");

    let client = Client::builder()
        .org_url(&prism.url)
        .api_token("00prism")
        .max_retries(0)
        .build()
        .unwrap();
    let mut checks = Checks::default();
    // Path and query parameters, no body.
    check!(checks, "getUser (path)", UserApi::new(&client).get_user("00u1"));
    check!(
        checks,
        "listUsers (query)",
        UserApi::new(&client)
            .list_users()
            .search("profile.lastName eq \"Doe\"")
            .limit(5)
            .after("abc")
    );
    check!(
        checks,
        "listGroups (query)",
        GroupApi::new(&client).list_groups().q("Admins").limit(10)
    );
    // Header parameter (a cookie), no credentials.
    check!(
        checks,
        "getCurrentSession (header)",
        SessionApi::new(&client).get_current_session().cookie("sid=abc")
    );
    // JSON bodies.
    check!(
        checks,
        "createSession (JSON body)",
        SessionApi::new(&client).create_session(CreateSessionRequest {
            session_token: Some("20111tok".into()),
            ..Default::default()
        })
    );
    check!(
        checks,
        "endUserSessions (optional JSON body)",
        UserSessionsApi::new(&client)
            .end_user_sessions()
            .keep_current(KeepCurrent {
                keep_current: Some(true),
                ..Default::default()
            })
    );
    check!(
        checks,
        "revokeUserSessions (query)",
        UserSessionsApi::new(&client)
            .revoke_user_sessions("00u1")
            .oauth_tokens(true)
    );
    // merge-patch JSON.
    check!(
        checks,
        "updateCustomAAGUID (merge-patch)",
        AuthenticatorApi::new(&client)
            .update_custom_aaguid("aut1", "cb69481e-8ff7-4039-93ec-0a2729a154a8")
            .custom_aaguid_update_request_object(CustomAaguidUpdateRequestObject {
                name: Some("Renamed".into()),
                ..Default::default()
            })
    );
    // A security event token.
    check!(
        checks,
        "publishSecurityEventTokens (secevent+jwt)",
        SsfSecurityEventTokenApi::new(&client).publish_security_event_tokens("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")
    );
    // Multipart upload.
    check!(
        checks,
        "uploadBrandThemeLogo (multipart)",
        ThemesApi::new(&client)
            .upload_brand_theme_logo("bnd1", "thm1")
            .body(UploadBrandThemeLogoBody {
                file: b"\x89PNG\r\n\x1a\nimage".to_vec(),
                ..Default::default()
            })
    );
    // Certificate upload (PEM) and a PKCS#10 response.
    check!(
        checks,
        "publishCsrFromApplication (PEM)",
        ApplicationSsoCredentialKeyApi::new(&client)
            .publish_csr_from_application(
                "0oa1",
                "csr1",
                b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec()
            )
            .content_type("application/x-pem-file")
    );
    check!(
        checks,
        "getCsrForApplication (PKCS#10)",
        ApplicationSsoCredentialKeyApi::new(&client)
            .get_csr_for_application("0oa1", "csr1")
            .send_raw("application/pkcs10")
    );
    checks.assert_none_rejected();
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Prism: bash .ci/run installs it and runs this; locally set PRISM_BIN and pass --ignored"]
async fn prism_finds_no_request_validation_error_in_the_org_apis() {
    use okta_api::governance::models::{
        PrincipalType, RequestCreatable2, RequestResourceCatalogEntryCreatable,
        RequestResourceCatalogEntryCreatableType, TargetPrincipal,
    };
    use okta_api::governance::{CampaignsApi, RequestsApi, ReviewsApi};
    use okta_api::myaccount::{EmailApi, PhoneApi};
    use okta_api::oauth::models::IntrospectionRequest;
    use okta_api::oauth::{ClientApi, OrgAsApi};

    let mut checks = Checks::default();
    let client = |prism: &Prism, token: &str, bearer: bool| {
        let builder = Client::builder().org_url(&prism.url).max_retries(0);
        let builder = if bearer {
            builder.bearer_token(token)
        } else {
            builder.api_token(token)
        };
        builder.build().unwrap()
    };

    let prism = start_prism("governance");
    let admin = client(&prism, "00prism", false);
    check!(
        checks,
        "listCampaigns",
        CampaignsApi::new(&admin)
            .list_campaigns()
            .filter("status eq \"ACTIVE\"")
            .limit(20)
    );
    check!(
        checks,
        "listReviews",
        ReviewsApi::new(&admin)
            .list_reviews()
            .filter("campaignId eq \"icij\" and reviewerId eq \"00u1\"")
    );
    let request = RequestCreatable2 {
        requested: RequestResourceCatalogEntryCreatable {
            type_: RequestResourceCatalogEntryCreatableType::CatalogEntry,
            entry_id: "cen123456789abcdefgh".into(),
            additional_properties: Default::default(),
        }
        .into(),
        requested_by: None,
        requested_for: TargetPrincipal {
            external_id: "00u123456789abcdefgh".into(),
            type_: PrincipalType::OktaUser,
            additional_properties: Default::default(),
        },
        requester_field_values: None,
        additional_properties: Default::default(),
    };
    check!(
        checks,
        "createRequestV2",
        RequestsApi::new(&admin).create_request_v2(request)
    );
    check!(
        checks,
        "getRequestV2",
        RequestsApi::new(&admin).get_request_v2("req1234567890abcdefg".to_string())
    );
    drop(prism);

    let prism = start_prism("oauth");
    let admin = client(&prism, "00prism", false);
    check!(
        checks,
        "listClients",
        ClientApi::new(&admin).list_clients().limit(20)
    );
    check!(
        checks,
        "oauthKeys (no credentials)",
        OrgAsApi::new(&admin).oauth_keys()
    );
    let mut form = IntrospectionRequest {
        token: Some("eyJ.a.b".into()),
        ..Default::default()
    };
    form.additional_properties
        .insert("client_id".into(), "0oa1".into());
    form.additional_properties
        .insert("client_secret".into(), "s".into());
    check!(
        checks,
        "introspect (form, client_secret_post)",
        OrgAsApi::new(&admin).introspect().introspection_request(form)
    );
    drop(prism);

    let prism = start_prism("myaccount");
    let user = client(&prism, "eyJuser", true);
    check!(checks, "listEmails", EmailApi::new(&user).list_emails());
    check!(checks, "listPhones", PhoneApi::new(&user).list_phones());
    drop(prism);

    checks.assert_none_rejected();
}
