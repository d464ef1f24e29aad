//! Every operation and schema of the 1.9.0 spec is generated, and every
//! resource method extension is bound as the spec says.

use std::collections::BTreeMap;

use okta_codegen::ir::{Binding, ModelKind};
use okta_workspace_tests::{legacy_api, workspace_root};
use serde_json::Value;

fn raw_spec() -> Value {
    let text = std::fs::read_to_string(workspace_root().join("spec/okta-1.9.0.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
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

    let raw = raw_spec();
    let mut spec_ids: Vec<String> = raw["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op.get("operationId").and_then(Value::as_str).map(str::to_string))
        .collect();
    let mut generated: Vec<String> = api.operations().map(|(_, o)| o.id.clone()).collect();
    spec_ids.sort();
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
    for name in schemas.keys() {
        let pointer = format!("/components/schemas/{name}");
        assert!(
            api.models
                .iter()
                .any(|m| &m.wire == name && m.pointer.0 == pointer),
            "schema {name} has no generated type"
        );
    }
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
                r.source,
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
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
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
    let api = legacy_api();
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
    // WS-Federation's `wreply` is one letter and a word, not an acronym.
    let known = ["w_reply_override", "w_reply_url"];
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
