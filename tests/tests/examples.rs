//! Every example in the bundled specs deserializes into its generated type
//! and serializes back without losing a non-null value.

use okta_workspace_tests::{legacy_types, lost_values, workspace_root};
use serde_json::Value;

/// `(where, schema name, example)` for every example attached to a
/// component schema, or to a request or response body that references one.
fn examples(spec: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    if let Some(schemas) = spec.pointer("/components/schemas").and_then(Value::as_object) {
        for (name, schema) in schemas {
            if let Some(example) = schema.get("example") {
                out.push((
                    format!("/components/schemas/{name}/example"),
                    name.clone(),
                    example.clone(),
                ));
            }
        }
    }
    let paths = spec.get("paths").and_then(Value::as_object).into_iter().flatten();
    for (path, item) in paths {
        for (method, op) in item.as_object().into_iter().flatten() {
            let bodies = op
                .pointer("/requestBody/content")
                .into_iter()
                .map(|c| ("requestBody".to_string(), c))
                .chain(
                    op.get("responses")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .filter_map(|(code, r)| Some((format!("responses/{code}"), r.get("content")?))),
                );
            for (at, content) in bodies {
                for (ct, media) in content.as_object().into_iter().flatten() {
                    let Some(name) = media
                        .pointer("/schema/$ref")
                        .and_then(Value::as_str)
                        .and_then(|r| r.rsplit('/').next())
                    else {
                        continue;
                    };
                    let base = format!("/paths/{}/{method}/{at}/content/{ct}", path.replace('/', "~1"));
                    if let Some(example) = media.get("example") {
                        out.push((format!("{base}/example"), name.to_string(), example.clone()));
                    }
                    for (k, ex) in media
                        .get("examples")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                    {
                        if let Some(value) = ex.get("value") {
                            out.push((format!("{base}/examples/{k}"), name.to_string(), value.clone()));
                        }
                    }
                }
            }
        }
    }
    out
}

#[test]
fn legacy_spec_examples_round_trip() {
    let text = std::fs::read_to_string(workspace_root().join("spec/okta-1.9.0.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&text).unwrap();
    let examples = examples(&spec);
    let mut failures = Vec::new();
    for (at, schema, example) in &examples {
        match legacy_types::roundtrip(schema, example.clone()) {
            None => failures.push(format!("{at}: no generated type for schema {schema}")),
            Some(Err(e)) => failures.push(format!("{at} ({schema}): {e}")),
            Some(Ok(back)) => {
                for lost in lost_values(example, &back) {
                    failures.push(format!("{at} ({schema}): {lost}"));
                }
            }
        }
    }
    println!(
        "{} examples round-tripped, {} failures",
        examples.len(),
        failures.len()
    );
    assert_eq!(examples.len(), 20, "the 1.9.0 spec has 20 schema examples");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
