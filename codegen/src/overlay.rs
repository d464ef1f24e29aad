//! OpenAPI Overlay 1.0: local fixes and additions to an upstream spec, kept
//! in their own files. Actions apply in order; an action whose target no
//! longer matches anything is an error, so a fix never silently goes stale.

use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::Error;
use crate::source::{parse_yaml, path_to_pointer, SourceFile};

#[derive(Deserialize)]
struct OverlayDoc {
    overlay: String,
    #[serde(default)]
    actions: Vec<Action>,
}

#[derive(Deserialize)]
struct Action {
    target: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    update: Option<Value>,
    #[serde(default)]
    remove: bool,
}

/// What one overlay file did, for the generated headers and the accounting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedOverlay {
    pub file: String,
    /// One entry per action: its target and how many nodes it changed.
    pub actions: Vec<(String, usize)>,
}

/// Applies the overlay in `file` to `doc`.
pub fn apply(doc: &mut Value, file: &SourceFile) -> Result<AppliedOverlay, Error> {
    let raw = parse_yaml(file)?;
    let overlay: OverlayDoc = serde_path_to_error::deserialize(&raw)
        .map_err(|e| Error::spec(&file.name, path_to_pointer(e.path()), e.inner().to_string()))?;
    if !overlay.overlay.starts_with("1.") {
        return Err(Error::spec(
            &file.name,
            "/overlay",
            format!("unsupported overlay version {:?}", overlay.overlay),
        ));
    }
    let mut applied = Vec::new();
    for (i, action) in overlay.actions.iter().enumerate() {
        let at = format!("/actions/{i}");
        if action.description.as_deref().unwrap_or("").trim().is_empty() {
            return Err(Error::spec(
                &file.name,
                format!("{at}/description"),
                "every action needs a description saying why",
            ));
        }
        let path = JsonPath::parse(&action.target)
            .map_err(|e| Error::spec(&file.name, format!("{at}/target"), e.to_string()))?;
        let pointers: Vec<String> = path
            .query_located(doc)
            .locations()
            .map(|l| l.to_json_pointer())
            .collect();
        if pointers.is_empty() {
            return Err(Error::spec(
                &file.name,
                format!("{at}/target"),
                format!(
                    "`{}` matches nothing in the spec: the fix is stale",
                    action.target
                ),
            ));
        }
        match (&action.update, action.remove) {
            (Some(update), false) => {
                for p in &pointers {
                    if let Some(node) = doc.pointer_mut(p) {
                        merge(node, update.clone());
                    }
                }
            }
            (None, true) => {
                // Remove from the back so array indices stay valid.
                for p in pointers.iter().rev() {
                    remove(doc, p);
                }
            }
            _ => {
                return Err(Error::spec(
                    &file.name,
                    at,
                    "an action needs exactly one of `update` or `remove: true`",
                ))
            }
        }
        applied.push((action.target.clone(), pointers.len()));
    }
    Ok(AppliedOverlay {
        file: file.name.clone(),
        actions: applied,
    })
}

/// Overlay merge: objects merge key by key, arrays append, anything else
/// replaces.
fn merge(target: &mut Value, update: Value) {
    match (target, update) {
        (Value::Object(t), Value::Object(u)) => {
            for (k, v) in u {
                match t.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        t.insert(k, v);
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(u)) => t.extend(u),
        (t, u) => *t = u,
    }
}

fn remove(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(text: &str) -> SourceFile {
        SourceFile {
            name: "spec/overlays/test.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn update_merges_and_remove_deletes() {
        let mut doc = json!({"paths": {"/a": {"get": {"x": 1}}, "/b": {}}});
        let applied = apply(
            &mut doc,
            &overlay(
                "overlay: 1.0.0\nactions:\n  - target: \"$.paths['/a'].get\"\n    description: add y\n    update: {y: 2}\n  - target: \"$.paths['/b']\"\n    description: drop b\n    remove: true\n",
            ),
        )
        .unwrap();
        assert_eq!(doc, json!({"paths": {"/a": {"get": {"x": 1, "y": 2}}}}));
        assert_eq!(
            applied.actions,
            vec![("$.paths['/a'].get".into(), 1), ("$.paths['/b']".into(), 1)]
        );
    }

    #[test]
    fn stale_target_is_an_error_naming_the_action() {
        let mut doc = json!({"paths": {}});
        let err = apply(
            &mut doc,
            &overlay("overlay: 1.0.0\nactions:\n  - target: \"$.paths['/gone']\"\n    description: x\n    update: {}\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("spec/overlays/test.yaml: /actions/0/target"),
            "{err}"
        );
        assert!(err.contains("stale"), "{err}");
    }
}
