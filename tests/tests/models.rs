//! The generated 1.9.0 models: polymorphism (nested), open enums, custom
//! attributes and unknown fields survive a read-modify-write.

use okta_api::legacy::models::{
    Application, ApplicationSignOnMode, BookmarkApplication, BrowserPluginApplication, Factor, FactorType,
    Policy, PolicyRule, SwaApplication, User, UserStatus,
};
use serde_json::{json, Value};

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(value: &Value) -> T {
    let typed: T = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        value,
        "serializes back to the same JSON"
    );
    typed
}

fn app(sign_on_mode: &str, name: &str, app_settings: Value) -> Value {
    json!({
        "id": "0oa1",
        "label": "An app",
        "status": "ACTIVE",
        "name": name,
        "signOnMode": sign_on_mode,
        "settings": {"app": app_settings, "implicitAssignment": false},
        "visibility": {"autoSubmitToolbar": false}
    })
}

#[test]
fn application_picks_its_subtype_by_sign_on_mode() {
    let cases = [
        ("AUTO_LOGIN", "my_auto", "AutoLogin"),
        ("BASIC_AUTH", "template_basic_auth", "BasicAuth"),
        ("BOOKMARK", "bookmark", "Bookmark"),
        ("BROWSER_PLUGIN", "template_swa", "BrowserPlugin/Swa"),
        (
            "BROWSER_PLUGIN",
            "template_swa3field",
            "BrowserPlugin/SwaThreeField",
        ),
        ("BROWSER_PLUGIN", "some_new_plugin", "BrowserPlugin/Other"),
        ("OPENID_CONNECT", "oidc_client", "OpenIdConnect"),
        ("SAML_2_0", "my_saml", "Saml"),
        ("SECURE_PASSWORD_STORE", "template_sps", "SecurePasswordStore"),
        ("WS_FEDERATION", "template_wsfed", "WsFederation"),
        ("SAML_1_1", "my_saml11", "Other"),
    ];
    for (mode, name, expected) in cases {
        let value = app(mode, name, json!({"url": "https://example.com"}));
        let app: Application = round_trip(&value);
        let got = match &app {
            Application::AutoLogin(_) => "AutoLogin",
            Application::BasicAuth(_) => "BasicAuth",
            Application::Bookmark(_) => "Bookmark",
            Application::BrowserPlugin(BrowserPluginApplication::Swa(_)) => "BrowserPlugin/Swa",
            Application::BrowserPlugin(BrowserPluginApplication::SwaThreeField(_)) => {
                "BrowserPlugin/SwaThreeField"
            }
            Application::BrowserPlugin(BrowserPluginApplication::Other(_)) => "BrowserPlugin/Other",
            Application::OpenIdConnect(_) => "OpenIdConnect",
            Application::Saml(_) => "Saml",
            Application::SecurePasswordStore(_) => "SecurePasswordStore",
            Application::WsFederation(_) => "WsFederation",
            Application::Other(_) => "Other",
            _ => "unexpected",
        };
        assert_eq!(got, expected, "{mode} / {name}");
        // Inherited fields, readable without matching, at every level.
        assert_eq!(app.id().map(String::as_str), Some("0oa1"));
        assert_eq!(app.label().map(String::as_str), Some("An app"));
        assert_eq!(app.sign_on_mode().map(|m| m.as_str()), Some(mode));
    }
}

#[test]
fn subtypes_have_their_own_typed_fields() {
    let value = app(
        "BROWSER_PLUGIN",
        "template_swa",
        json!({"buttonField": "btn", "passwordField": "pw", "usernameField": "user", "url": "https://x", "loginUrlRegex": "x"}),
    );
    let Application::BrowserPlugin(BrowserPluginApplication::Swa(swa)) = round_trip(&value) else {
        panic!("expected an SWA application");
    };
    let settings = swa.settings.unwrap().app.unwrap();
    assert_eq!(settings.button_field.as_deref(), Some("btn"));
    assert_eq!(settings.username_field.as_deref(), Some("user"));
    assert!(
        settings.additional_properties.is_empty(),
        "every SWA field is typed"
    );
    assert_eq!(swa.label.as_deref(), Some("An app"), "inherited from Application");

    let value = app(
        "BOOKMARK",
        "bookmark",
        json!({"url": "https://x", "requestIntegration": true}),
    );
    let Application::Bookmark(bookmark) = round_trip(&value) else {
        panic!("expected a bookmark application");
    };
    assert_eq!(
        bookmark.settings.unwrap().app.unwrap().request_integration,
        Some(true)
    );
}

#[test]
fn new_subtypes_carry_their_discriminators() {
    let bookmark = serde_json::to_value(Application::from(BookmarkApplication::default())).unwrap();
    assert_eq!(bookmark, json!({"name": "bookmark", "signOnMode": "BOOKMARK"}));
    let swa = serde_json::to_value(Application::BrowserPlugin(SwaApplication::default().into())).unwrap();
    assert_eq!(
        swa,
        json!({"name": "template_swa", "signOnMode": "BROWSER_PLUGIN"})
    );
    // And they read back as the same subtype.
    let back: Application = serde_json::from_value(swa).unwrap();
    assert!(matches!(
        back,
        Application::BrowserPlugin(BrowserPluginApplication::Swa(_))
    ));
    assert_eq!(
        BookmarkApplication::default().sign_on_mode,
        Some(ApplicationSignOnMode::Bookmark)
    );
}

#[test]
fn factor_picks_each_of_its_ten_types() {
    let types = [
        "call",
        "email",
        "push",
        "question",
        "sms",
        "token",
        "token:hardware",
        "token:software:totp",
        "u2f",
        "web",
    ];
    for factor_type in types {
        let value = json!({"id": "ufs1", "factorType": factor_type, "provider": "OKTA", "status": "ACTIVE", "profile": {"phoneNumber": "+1 555"}});
        let factor: Factor = round_trip(&value);
        assert!(!matches!(factor, Factor::Other(_)), "{factor_type} has a subtype");
        assert_eq!(factor.factor_type(), Some(&FactorType::from(factor_type)));
        assert_eq!(factor.id().map(String::as_str), Some("ufs1"));
    }
    let Factor::Call(call) = round_trip::<Factor>(
        &json!({"factorType": "call", "profile": {"phoneNumber": "+1 555", "phoneExtension": "12"}}),
    ) else {
        panic!("expected a call factor");
    };
    assert_eq!(call.profile.unwrap().phone_extension.as_deref(), Some("12"));
    let unknown = json!({"id": "x", "factorType": "signed_nonce", "brandNew": {"a": 1}});
    assert!(matches!(round_trip::<Factor>(&unknown), Factor::Other(_)));
}

#[test]
fn policies_and_rules_pick_their_subtypes() {
    assert!(matches!(
        round_trip::<Policy>(&json!({"type": "OKTA_SIGN_ON", "name": "p"})),
        Policy::OktaSignOn(_)
    ));
    assert!(matches!(
        round_trip::<Policy>(&json!({"type": "PASSWORD", "name": "p"})),
        Policy::Password(_)
    ));
    assert!(matches!(
        round_trip::<Policy>(&json!({"type": "MFA_ENROLL"})),
        Policy::Other(_)
    ));
    assert!(matches!(
        round_trip::<PolicyRule>(&json!({"type": "PASSWORD"})),
        PolicyRule::Password(_)
    ));
    assert!(matches!(
        round_trip::<PolicyRule>(&json!({"type": "SIGN_ON"})),
        PolicyRule::OktaSignOn(_)
    ));
    assert!(matches!(
        round_trip::<PolicyRule>(&json!({"type": "IDP_DISCOVERY"})),
        PolicyRule::Other(_)
    ));
}

#[test]
fn nothing_is_lost_in_a_read_modify_write() {
    let value = json!({
        "id": "00u1",
        "status": "NOT_YET_INVENTED",
        "transitioningToStatus": "ACTIVE",
        "profile": {
            "login": "a@example.com",
            "firstName": "A",
            "costCenter": "CC-42",
            "employeeNumber": 7,
            "tags": ["x", "y"]
        },
        "credentials": {"provider": {"type": "OKTA", "name": "OKTA"}, "recovery_question": {"question": "q"}},
        "aFieldFromTheFuture": {"nested": [1, 2, 3]},
        "_links": {"self": {"href": "https://x"}, "logo": [{"href": "https://y"}]}
    });
    let mut user: User = round_trip(&value);
    assert_eq!(user.status, Some(UserStatus::Other("NOT_YET_INVENTED".into())));
    assert_eq!(user.transitioning_to_status, Some(UserStatus::Active));
    let profile = user.profile.as_mut().unwrap();
    assert_eq!(profile.additional_properties["costCenter"], json!("CC-42"));
    profile.first_name = Some("B".into());
    let written = serde_json::to_value(&user).unwrap();
    let mut expected = value.clone();
    expected["profile"]["firstName"] = json!("B");
    assert_eq!(written, expected);
}

#[test]
fn open_enums_keep_unknown_values_verbatim() {
    assert_eq!(UserStatus::from("ACTIVE"), UserStatus::Active);
    assert_eq!(UserStatus::from("NEW").as_str(), "NEW");
    assert_eq!(UserStatus::LockedOut.to_string(), "LOCKED_OUT");
    assert_eq!("SUSPENDED".parse::<UserStatus>().unwrap(), UserStatus::Suspended);
}
