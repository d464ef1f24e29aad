//! Every operation and schema of the 1.9.0 spec is generated, and every
//! resource method extension is bound as the spec says.

use std::collections::BTreeMap;

use okta_codegen::ir::Api;
use okta_codegen::ir::{Binding, ModelKind};
use okta_workspace_tests::{
    governance_api, legacy_api, management_api, myaccount_api, oauth_api, workspace_root,
};
use serde_json::Value;

fn raw_spec() -> Value {
    load("spec/okta-1.9.0.yaml")
}

fn load(file: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join(file)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn operation_ids(spec: &Value) -> Vec<String> {
    let mut ids: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str).map(str::to_string))
        .collect();
    ids.sort();
    ids
}

fn assert_every_schema_is_a_type(api: &Api, spec: &Value) {
    for name in spec["components"]["schemas"].as_object().unwrap().keys() {
        let pointer = format!("/components/schemas/{name}");
        assert!(
            api.models
                .iter()
                .any(|m| m.wire.0 == *name && m.pointer.0 == pointer),
            "schema {name} has no generated type"
        );
    }
}

#[test]
fn every_management_operation_and_schema_is_generated() {
    let api = management_api();
    let spec = load("spec/okta-management-2026.06.3.yaml");
    let mut generated: Vec<String> = api.operations().map(|(_, o)| o.id.0.clone()).collect();
    generated.sort();
    let upstream = operation_ids(&spec);
    assert_eq!(upstream.len(), 732);
    let restored = [
        "closeCurrentSession",
        "createSession",
        "endUserSessions",
        "getCurrentSession",
        "refreshCurrentSession",
    ];
    let mut expected = upstream.clone();
    expected.extend(restored.iter().map(|s| s.to_string()));
    expected.sort();
    assert_eq!(
        generated, expected,
        "732 upstream operations plus the 5 the overlay restores"
    );
    assert_eq!(api.tags.len(), 121);
    assert!(
        api.tags.iter().all(|t| t.feature.is_some()),
        "one feature per tag"
    );
    assert_eq!(spec["components"]["schemas"].as_object().unwrap().len(), 1541);
    assert_every_schema_is_a_type(api, &spec);
    // What the generator reports: two inline schemas whose natural names
    // belong to component schemas, renamed deterministically.
    let warnings: Vec<String> = api
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.pointer, w.message))
        .collect();
    assert_eq!(
        warnings,
        vec![
            "/components/schemas/tempPassword: type name TempPassword is taken; this schema is named TempPassword2",
            "/components/schemas/User/properties/type: type name UserType is taken; this schema is named UserTypeObject",
        ]
    );
}

/// Every operation of `spec` is a method, every schema a type, every tag
/// a cargo feature of the module, and the generator's warnings are exactly
/// `warnings`.
fn assert_every_operation_and_schema_is_generated(
    api: &Api,
    spec: &str,
    counts: (usize, usize, usize),
    warnings: &[&str],
) {
    let spec = load(spec);
    let mut generated: Vec<String> = api.operations().map(|(_, o)| o.id.0.clone()).collect();
    generated.sort();
    let upstream = operation_ids(&spec);
    assert_eq!(generated, upstream, "{}: every operation, no other", api.module);
    let schemas = spec["components"]["schemas"].as_object().map_or(0, |s| s.len());
    assert_eq!(
        (upstream.len(), schemas, api.tags.len()),
        counts,
        "{}: operations, schemas, tags",
        api.module
    );
    assert_every_schema_is_a_type(api, &spec);
    for tag in &api.tags {
        let feature = tag.feature.as_deref().unwrap_or_default();
        assert!(
            feature.starts_with(&format!("{}-", api.module)),
            "{}: tag {} has no feature of its own",
            api.module,
            tag.wire
        );
    }
    let got: Vec<String> = api
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.pointer, w.message))
        .collect();
    assert_eq!(got, warnings, "{}: what the generator reports", api.module);
}

#[test]
fn every_oauth_operation_and_schema_is_generated() {
    assert_every_operation_and_schema_is_generated(
        oauth_api(),
        "spec/okta-oauth-2026.06.3.yaml",
        (44, 86, 4),
        &[
            "/components/schemas/JsonWebKey: type name JsonWebKeyBase is taken; this schema is named JsonWebKeyBaseFields",
            "/paths/~1oauth2~1v1~1authorize/get/parameters/17: `request` is a name the request builder uses; the argument is named `request_arg`",
            "/paths/~1oauth2~1v1~1clients/post/requestBody: `client` is a name the request builder uses; the argument is named `client_arg`",
            "/paths/~1oauth2~1v1~1clients~1{clientId}/put/requestBody: `client` is a name the request builder uses; the argument is named `client_arg`",
            "/paths/~1oauth2~1{authorizationServerId}~1v1~1authorize/get/parameters/17: `request` is a name the request builder uses; the argument is named `request_arg`",
        ],
    );
}

#[test]
fn every_myaccount_operation_and_schema_is_generated() {
    assert_every_operation_and_schema_is_generated(
        myaccount_api(),
        "spec/okta-myaccount-2026.06.3.yaml",
        (40, 31, 10),
        &[],
    );
}

#[test]
fn every_governance_operation_and_schema_is_generated() {
    assert_every_operation_and_schema_is_generated(
        governance_api(),
        "spec/okta-governance-2026.06.3.yaml",
        (162, 770, 31),
        &[],
    );
}

#[test]
fn one_tag_compiles_only_the_types_its_operations_reach() {
    let api = management_api();
    assert_eq!(
        api.other_models_feature.as_deref(),
        Some("management-other-models")
    );
    let features = |name: &str| {
        api.models
            .iter()
            .find(|m| m.name.0 == name)
            .unwrap_or_else(|| panic!("no model {name}"))
            .features
            .clone()
    };
    // No operation uses the widget's theme tokens: only the extra feature
    // compiles them. The users API compiles User.
    assert_eq!(
        features("WidgetConfigurationThemeTokens"),
        ["management-other-models"]
    );
    assert!(features("User").iter().any(|f| f == "management-user"));
    let compiled_by = |feature: &str| {
        api.models
            .iter()
            .filter(|m| m.features.iter().any(|f| f == feature || f == "management"))
            .count()
    };
    // It was 626 when types no operation uses came with every tag.
    assert_eq!(compiled_by("management-user"), 34);
    assert_eq!(compiled_by("management-other-models"), 612);
}

#[test]
fn every_operation_is_a_method_on_its_tag() {
    let api = legacy_api();
    let per_tag: BTreeMap<&str, usize> = api
        .tags
        .iter()
        .map(|t| (t.wire.as_str(), t.operations.len()))
        .collect();
    let expected: BTreeMap<&str, usize> = [
        ("User", 25),
        ("Application", 19),
        ("Group", 15),
        ("Policy", 14),
        ("UserFactor", 8),
        ("Authentication", 5),
        ("Session", 4),
        ("Log", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(per_tag, expected);

    let spec_ids = operation_ids(&raw_spec());
    let mut generated: Vec<String> = api.operations().map(|(_, o)| o.id.0.clone()).collect();
    generated.sort();
    assert_eq!(generated.len(), 91);
    assert_eq!(generated, spec_ids);
}

#[test]
fn every_schema_is_a_type() {
    let api = legacy_api();
    let raw = raw_spec();
    let schemas = raw["components"]["schemas"].as_object().unwrap();
    assert_eq!(schemas.len(), 190);
    assert_every_schema_is_a_type(api, &raw);
    // The rest are named inline schemas and the fallbacks of polymorphic types.
    let unions = api
        .models
        .iter()
        .filter(|m| matches!(m.kind, ModelKind::Union(_)))
        .count();
    let inline = api
        .models
        .iter()
        .filter(|m| m.pointer.0.matches('/').count() > 3)
        .count();
    assert_eq!(api.models.len(), 190 + unions + inline);
    assert!(api.warnings.is_empty(), "{:?}", api.warnings);
}

/// The resource methods, listed: `Model.method -> operationId(bindings)`.
/// Compared with `tests/golden/legacy-resource-methods.txt`.
#[test]
fn resource_methods_bind_as_the_extensions_say() {
    let api = legacy_api();
    let mut listing = String::new();
    let mut count = 0;
    for m in api.models.iter().filter(|m| !m.methods.is_empty()) {
        for r in &m.methods {
            let args: Vec<String> = r
                .bindings
                .iter()
                .map(|b| match b {
                    Binding::Field { field, .. } => format!("self.{field}"),
                    Binding::SelfBody => "self".into(),
                    Binding::Parent { arg, .. } => format!("parent:{arg}"),
                    Binding::Caller { arg, .. } => format!("arg:{arg}"),
                })
                .collect();
            listing.push_str(&format!(
                "{}.{} [{}] -> {}({})\n",
                m.name,
                r.rust,
                r.source.extension(),
                r.operation_id,
                args.join(", ")
            ));
            count += 1;
        }
    }
    let raw = raw_spec();
    let in_spec: usize = raw["components"]["schemas"]
        .as_object()
        .unwrap()
        .values()
        .map(|s| {
            ["x-okta-crud", "x-okta-operations"]
                .iter()
                .map(|k| s.get(*k).and_then(Value::as_array).map_or(0, Vec::len))
                .sum::<usize>()
        })
        .sum();
    assert_eq!(count, in_spec, "every extension entry is a method");

    let path = workspace_root().join("tests/golden/legacy-resource-methods.txt");
    if okta_workspace_tests::update_golden() {
        std::fs::write(&path, &listing).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        listing, want,
        "resource methods changed; if intended, rerun with UPDATE_GOLDEN=1"
    );
}

/// Identifiers with one-letter segments (`external_i_ps`) mean an acronym
/// the naming table does not handle yet.
#[test]
fn no_identifier_has_a_one_letter_segment() {
    for api in [
        legacy_api(),
        management_api(),
        oauth_api(),
        myaccount_api(),
        governance_api(),
    ] {
        assert_no_one_letter_segments(api);
    }
}

fn assert_no_one_letter_segments(api: &Api) {
    let mut names: Vec<String> = Vec::new();
    for m in &api.models {
        if let ModelKind::Struct(s) = &m.kind {
            names.extend(s.fields.iter().map(|f| f.rust.0.clone()));
        }
        names.extend(m.methods.iter().map(|r| r.rust.0.clone()));
    }
    for (_, op) in api.operations() {
        names.push(op.method_name.0.clone());
        names.extend(op.params.iter().map(|p| p.rust.0.clone()));
    }
    // One-letter words that are words, not split acronyms: WS-Federation's
    // `wreply`, the `X-Forwarded-For` header, and English's "a".
    let known = [
        "w_reply_override",
        "w_reply_url",
        "x_forwarded_for",
        "show_sign_in_with_a_passkey_button",
    ];
    let odd: Vec<&String> = names
        .iter()
        .filter(|n| !known.contains(&n.as_str()))
        .filter(|n| {
            let segments: Vec<&str> = n.trim_end_matches('_').split('_').collect();
            segments.len() > 1
                && segments
                    .iter()
                    .any(|s| s.len() == 1 && !s.chars().all(|c| c.is_ascii_digit()))
        })
        .collect();
    assert!(odd.is_empty(), "{odd:?}");
}
