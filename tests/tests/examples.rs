//! Every example in the bundled specs deserializes into its generated type
//! and serializes back without losing a non-null value.

use okta_workspace_tests::{legacy_types, lost_values, management_types, workspace_root};
use serde_json::Value;

/// Where an example sits, which body it belongs to, and its schema: a
/// component schema's name, or an array of one.
#[derive(Debug)]
struct Example {
    at: String,
    request: bool,
    schema: String,
    array: bool,
    value: Value,
}

/// Follows a local `$ref` (`#/components/examples/X`).
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(r.trim_start_matches('#')).unwrap_or(value),
        None => value,
    }
}

/// Every example attached to a component schema, or to a request or
/// response body whose schema is a component schema (or an array of one).
fn examples(spec: &Value) -> (Vec<Example>, usize) {
    let mut out = Vec::new();
    let mut untyped = 0;
    if let Some(schemas) = spec.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, schema) in schemas {
            if let Some(example) = schema.get("example") {
                out.push(Example {
                    at: format!("/components/schemas/{name}/example"),
                    request: false,
                    schema: name.clone(),
                    array: false,
                    value: example.clone(),
                });
            }
        }
    }
    let paths = spec.get("paths").and_then(Value::as_object).into_iter().flatten();
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let request = op.get("requestBody").map(|b| resolve(spec, b));
            let bodies = request
                .and_then(|b| b.get("content"))
                .map(|c| (true, "requestBody".to_string(), c))
                .into_iter()
                .chain(
                    op.get("responses")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .filter_map(|(code, r)| {
                            Some((
                                false,
                                format!("responses/{code}"),
                                resolve(spec, r).get("content")?,
                            ))
                        }),
                );
            for (is_request, at, content) in bodies {
                for (ct, media) in content.as_object().into_iter().flatten() {
                    let base = format!(
                        "/paths/{}/{method}/{at}/content/{}",
                        path.replace('/', "~1"),
                        ct.replace('/', "~1")
                    );
                    let schema = media.get("schema");
                    let (name, array) = match schema {
                        Some(s) if s.get("$ref").is_some() => (s["$ref"].as_str(), false),
                        Some(s) if s.pointer("/items/$ref").is_some() => (s["items"]["$ref"].as_str(), true),
                        _ => (None, false),
                    };
                    let mut found = Vec::new();
                    if let Some(example) = media.get("example") {
                        found.push((format!("{base}/example"), example.clone()));
                    }
                    for (k, ex) in media
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(value) = resolve(spec, ex).get("value") {
                            found.push((format!("{base}/examples/{k}"), value.clone()));
                        }
                    }
                    match name.and_then(|r| r.rsplit('/').next()) {
                        Some(name) => out.extend(found.into_iter().map(|(at, value)| Example {
                            at,
                            request: is_request,
                            schema: name.to_string(),
                            array,
                            value,
                        })),
                        None => untyped += found.len(),
                    }
                }
            }
        }
    }
    (out, untyped)
}

/// Round-trips every example through `roundtrip`; returns the failures.
fn check(
    examples: &[Example],
    roundtrip: fn(&str, Value, bool) -> Option<Result<Value, String>>,
) -> Vec<String> {
    let mut failures = Vec::new();
    for ex in examples {
        let items: Vec<Value> = match (&ex.value, ex.array) {
            (Value::Array(items), true) => items.clone(),
            (other, _) => vec![other.clone()],
        };
        for (i, item) in items.into_iter().enumerate() {
            let at = if ex.array {
                format!("{}[{i}]", ex.at)
            } else {
                ex.at.clone()
            };
            // A request is written by the caller and must fit its schema; a
            // response (or a schema's own example) is read as Okta's are.
            match roundtrip(&ex.schema, item.clone(), !ex.request) {
                None => failures.push(format!("{at}: no generated type for schema {}", ex.schema)),
                Some(Err(e)) => failures.push(format!("{at} ({}): {e}", ex.schema)),
                Some(Ok(back)) => {
                    for lost in lost_values(&item, &back) {
                        failures.push(format!("{at} ({}): {lost}", ex.schema));
                    }
                }
            }
        }
    }
    failures
}

fn load(file: &str) -> Value {
    let text = std::fs::read_to_string(workspace_root().join(file)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

#[test]
fn legacy_spec_examples_round_trip() {
    let (examples, _) = examples(&load("spec/okta-1.9.0.yaml"));
    let failures = check(&examples, legacy_types::roundtrip);
    println!(
        "{} examples round-tripped, {} failures",
        examples.len(),
        failures.len()
    );
    assert_eq!(examples.len(), 20, "the 1.9.0 spec has 20 schema examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A spec's examples, round-tripped through its module's types. The few
/// that contradict their own schema are listed, with the reason, in
/// `tests/golden/<module>-example-failures.txt`; the test fails when the
/// list changes either way. Returns how many examples there were.
fn spec_examples_round_trip(
    module: &str,
    spec: &str,
    roundtrip: fn(&str, Value, bool) -> Option<Result<Value, String>>,
) -> usize {
    let (examples, untyped) = examples(&load(spec));
    let failures = check(&examples, roundtrip);
    let requests = examples.iter().filter(|e| e.request).count();
    let responses = examples
        .iter()
        .filter(|e| !e.request && !e.at.starts_with("/components"))
        .count();
    println!(
        "{module} examples: {} request, {} response, {} schema-level; {} on bodies without a named schema; {} failures",
        requests,
        responses,
        examples.len() - requests - responses,
        untyped,
        failures.len()
    );
    let path = workspace_root().join(format!("tests/golden/{module}-example-failures.txt"));
    let listed = std::fs::read_to_string(&path).unwrap_or_default();
    let entries: Vec<(&str, &str)> = listed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_once(" -- ").unwrap_or((l, "")))
        .collect();
    let unexplained: Vec<&str> = entries
        .iter()
        .filter(|(_, why)| why.trim().is_empty())
        .map(|(f, _)| *f)
        .collect();
    assert!(
        unexplained.is_empty(),
        "{}: every listed failure needs a reason after ` -- `:\n{}",
        path.display(),
        unexplained.join("\n")
    );
    let known: Vec<&str> = entries.iter().map(|(f, _)| *f).collect();
    if okta_workspace_tests::update_golden() {
        let mut text =
            String::from("# Spec examples that contradict their own schema: `<failure> -- <why>`.\n");
        for f in &failures {
            // Keep the reason already written for a failure that remains.
            let reason = listed
                .lines()
                .find_map(|l| l.strip_prefix(f.as_str()).and_then(|r| r.strip_prefix(" -- ")))
                .unwrap_or("");
            text.push_str(&format!("{f} -- {reason}\n"));
        }
        std::fs::write(&path, text).unwrap();
        return examples.len();
    }
    let unexpected: Vec<&String> = failures.iter().filter(|f| !known.contains(&f.as_str())).collect();
    let fixed: Vec<&&str> = known
        .iter()
        .filter(|k| !failures.iter().any(|f| f == *k))
        .collect();
    assert!(
        unexpected.is_empty(),
        "new {module} example failures:\n{}",
        unexpected
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        fixed.is_empty(),
        "listed failures that now pass (remove them): {fixed:?}"
    );
    examples.len()
}

#[test]
fn management_spec_examples_round_trip() {
    spec_examples_round_trip(
        "management",
        "spec/okta-management-2026.06.3.yaml",
        management_types::roundtrip,
    );
}

#[test]
fn oauth_spec_examples_round_trip() {
    let count = spec_examples_round_trip(
        "oauth",
        "spec/okta-oauth-2026.06.3.yaml",
        okta_workspace_tests::oauth_types::roundtrip,
    );
    assert!(count > 0, "the OAuth spec has examples");
}

#[test]
fn myaccount_spec_examples_round_trip() {
    let count = spec_examples_round_trip(
        "myaccount",
        "spec/okta-myaccount-2026.06.3.yaml",
        okta_workspace_tests::myaccount_types::roundtrip,
    );
    assert!(count > 0, "the MyAccount spec has examples");
}

#[test]
fn governance_spec_examples_round_trip() {
    let count = spec_examples_round_trip(
        "governance",
        "spec/okta-governance-2026.06.3.yaml",
        okta_workspace_tests::governance_types::roundtrip,
    );
    assert!(count > 0, "the Governance spec has examples");
}

#[test]
fn lost_values_notices_a_dropped_value() {
    let before = serde_json::json!({"a": {"b": 1, "c": null}, "d": [1, 2]});
    assert!(lost_values(&before, &serde_json::json!({"a": {"b": 1}, "d": [1, 2]})).is_empty());
    assert_eq!(
        lost_values(&before, &serde_json::json!({"a": {}, "d": [1, 3]})),
        vec!["$.a.b: dropped 1".to_string(), "$.d[1]: 2 became 3".to_string()]
    );
}
