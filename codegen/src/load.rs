//! Reads a spec and its overlays into an `openapiv3::OpenAPI`, keeping vendor
//! extensions. Every error names the file and the JSON pointer.

use crate::error::Error;
use crate::overlay::{self, AppliedOverlay};
use crate::source::path_to_pointer;
pub use crate::source::{parse_yaml, SourceFile};

/// A loaded spec: the typed document plus the raw JSON (for examples and
/// extension lookups by pointer) and what each overlay did.
#[derive(Debug)]
pub struct LoadedSpec {
    pub file: String,
    pub raw: serde_json::Value,
    pub openapi: openapiv3::OpenAPI,
    pub overlays: Vec<AppliedOverlay>,
}

/// Loads `spec`, applies `overlays` in order, and deserializes the result.
pub fn load(spec: &SourceFile, overlays: &[SourceFile]) -> Result<LoadedSpec, Error> {
    let mut raw = parse_yaml(spec)?;
    let mut applied = Vec::new();
    for file in overlays {
        applied.push(overlay::apply(&mut raw, file)?);
    }
    let openapi = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let (pointer, message) =
            locate(&raw).unwrap_or_else(|| (path_to_pointer(e.path()), e.into_inner().to_string()));
        Error::spec(&spec.name, pointer, message)
    })?;
    Ok(LoadedSpec {
        file: spec.name.clone(),
        raw,
        openapi,
        overlays: applied,
    })
}

/// openapiv3 flattens extensions into most objects, which hides the path of
/// an error below them; this finds the operation or schema that fails and
/// the path inside it.
fn locate(raw: &serde_json::Value) -> Option<(String, String)> {
    use openapiv3::{Operation, Parameter, ReferenceOr, RequestBody, Response, Schema};
    fn check<T: serde::de::DeserializeOwned>(v: &serde_json::Value, at: &str) -> Option<(String, String)> {
        serde_path_to_error::deserialize::<_, T>(v).err().map(|e| {
            (
                format!("{at}{}", path_to_pointer(e.path())),
                e.into_inner().to_string(),
            )
        })
    }
    let esc = |k: &str| k.replace('~', "~0").replace('/', "~1");
    for (path, item) in raw.get("paths")?.as_object()?.iter() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let at = format!("/paths/{}/{method}", esc(path));
            if ![
                "get", "put", "post", "delete", "patch", "head", "options", "trace",
            ]
            .contains(&method.as_str())
            {
                continue;
            }
            for (i, p) in op
                .get("parameters")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(found) = check::<ReferenceOr<Parameter>>(p, &format!("{at}/parameters/{i}")) {
                    return Some(found);
                }
            }
            if let Some(found) = op
                .get("requestBody")
                .and_then(|b| check::<ReferenceOr<RequestBody>>(b, &format!("{at}/requestBody")))
            {
                return Some(found);
            }
            if let Some(responses) = op.get("responses") {
                let Some(map) = responses.as_object() else {
                    return Some((
                        format!("{at}/responses"),
                        format!("expected a map of responses, found {responses}"),
                    ));
                };
                for (code, r) in map {
                    if let Some(found) =
                        check::<ReferenceOr<Response>>(r, &format!("{at}/responses/{}", esc(code)))
                    {
                        return Some(found);
                    }
                }
            }
            if let Some(found) = check::<Operation>(op, &at) {
                return Some(found);
            }
        }
    }
    for (name, schema) in raw.pointer("/components/schemas")?.as_object()?.iter() {
        if let Some(found) =
            check::<ReferenceOr<Schema>>(schema, &format!("/components/schemas/{}", esc(name)))
        {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "spec/test.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn yaml_syntax_error_names_file_and_line() {
        let err = load(&file("openapi: 3.0.0\ninfo: [\n"), &[]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("spec/test.yaml"), "{msg}");
        assert!(msg.contains("line"), "{msg}");
    }

    #[test]
    fn type_error_names_pointer() {
        let text =
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 7\n";
        let err = load(&file(text), &[]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/paths/~1a/get/responses"), "{msg}");
    }
}
