//! Every content type the Management spec uses, on the wire: JSON,
//! merge-patch JSON, a security event token, multipart image uploads,
//! certificate uploads (DER / CER / PEM), and PKCS#10 and XML responses.

use okta_api::management::models::{CustomAaguidUpdateRequestObject, UploadBrandThemeLogoBody};
use okta_api::management::{ApplicationSsoApi, ApplicationSsoCredentialKeyApi, AuthenticatorApi, ThemesApi};
use okta_api::Client;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder()
        .org_url(server.uri())
        .api_token("t")
        .build()
        .unwrap();
    (server, client)
}

async fn only_request(server: &MockServer) -> Request {
    let mut received = server.received_requests().await.unwrap();
    assert_eq!(received.len(), 1);
    received.remove(0)
}

#[tokio::test]
async fn merge_patch_json() {
    let (server, client) = setup().await;
    Mock::given(method("PATCH"))
        .and(path("/api/v1/authenticators/aut1/aaguids/cb69481e"))
        .and(header("content-type", "application/merge-patch+json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"aaguid": "cb69481e", "name": "Renamed"})),
        )
        .mount(&server)
        .await;
    let patch = CustomAaguidUpdateRequestObject {
        name: Some("Renamed".into()),
        ..Default::default()
    };
    let updated = AuthenticatorApi::new(&client)
        .update_custom_aaguid("aut1", "cb69481e")
        .custom_aaguid_update_request_object(patch)
        .await
        .unwrap();
    assert_eq!(updated.name.as_deref(), Some("Renamed"));
    let request = only_request(&server).await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&request.body).unwrap(),
        json!({"name": "Renamed"})
    );
}

#[tokio::test]
async fn multipart_image_upload() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/v1/brands/bnd1/themes/thm1/logo"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"url": "https://x/logo.png"})))
        .mount(&server)
        .await;
    let png = b"\x89PNG\r\n\x1a\n-image-bytes-".to_vec();
    let uploaded = ThemesApi::new(&client)
        .upload_brand_theme_logo("bnd1", "thm1")
        .body(UploadBrandThemeLogoBody {
            file: png.clone(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(uploaded.url.as_deref(), Some("https://x/logo.png"));
    let request = only_request(&server).await;
    let content_type = request.headers["content-type"].to_str().unwrap().to_string();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart body with its boundary");
    let body = request.body;
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: image/png\r\n\r\n"
    );
    assert!(
        body.starts_with(head.as_bytes()),
        "{}",
        String::from_utf8_lossy(&body)
    );
    assert!(
        body.windows(png.len()).any(|w| w == png.as_slice()),
        "the image bytes are sent unchanged"
    );
    assert!(body.ends_with(format!("\r\n--{boundary}--\r\n").as_bytes()));
}

#[tokio::test]
async fn certificate_uploads_in_each_accepted_format() {
    for (content_type, body) in [
        (
            "application/x-x509-ca-cert",
            b"\x30\x82\x01\x0a-cer-bytes".to_vec(),
        ),
        ("application/pkix-cert", b"\x30\x82\x01\x0a-der-bytes".to_vec()),
        (
            "application/x-pem-file",
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_vec(),
        ),
    ] {
        let (server, client) = setup().await;
        Mock::given(method("POST"))
            .and(path("/api/v1/apps/0oa1/credentials/csrs/csr1/lifecycle/publish"))
            .and(header("content-type", content_type))
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"kid": "k1", "kty": "RSA"})))
            .mount(&server)
            .await;
        let key = ApplicationSsoCredentialKeyApi::new(&client)
            .publish_csr_from_application("0oa1", "csr1", body.clone())
            .content_type(content_type)
            .await
            .unwrap();
        assert_eq!(key.kid.as_deref(), Some("k1"), "{content_type}");
        assert_eq!(
            only_request(&server).await.body,
            body,
            "{content_type}: the body is sent as it is"
        );
    }
}

#[tokio::test]
async fn pkcs10_responses_are_bytes() {
    let (server, client) = setup().await;
    let csr = b"\x30\x82\x02\xa0-pkcs10-der".to_vec();
    Mock::given(method("GET"))
        .and(path("/api/v1/apps/0oa1/credentials/csrs/csr1"))
        .and(header("accept", "application/pkcs10"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(csr.clone(), "application/pkcs10"))
        .mount(&server)
        .await;
    let got = ApplicationSsoCredentialKeyApi::new(&client)
        .get_csr_for_application("0oa1", "csr1")
        .send_raw("application/pkcs10")
        .await
        .unwrap();
    assert_eq!(got, csr);
}

#[tokio::test]
async fn xml_responses_are_text() {
    let (server, client) = setup().await;
    let xml = r#"<?xml version="1.0"?><md:EntityDescriptor entityID="http://www.okta.com/exk1"/>"#;
    Mock::given(method("GET"))
        .and(path("/api/v1/apps/0oa1/sso/saml/metadata"))
        .and(header("accept", "text/xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(xml, "text/xml"))
        .mount(&server)
        .await;
    let got = ApplicationSsoApi::new(&client)
        .preview_saml_metadata_for_application("0oa1", "kid1")
        .await
        .unwrap();
    assert_eq!(got, xml);
}
