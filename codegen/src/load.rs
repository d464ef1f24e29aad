//! Reads a spec and its overlays into an `openapiv3::OpenAPI`, keeping vendor
//! extensions. Every error names the file and the JSON pointer.

use std::path::Path;

use crate::overlay::{self, AppliedOverlay};
use crate::Error;

/// A file read from disk, named by its path relative to the workspace.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    /// Reads `root/name`.
    pub fn read(root: &Path, name: &str) -> Result<Self, Error> {
        let text = std::fs::read_to_string(root.join(name)).map_err(|e| Error::Io {
            file: name.to_string(),
            message: e.to_string(),
        })?;
        Ok(SourceFile {
            name: name.to_string(),
            text,
        })
    }
}

/// A loaded spec: the typed document plus the raw JSON (for examples and
/// extension lookups by pointer) and what each overlay did.
#[derive(Debug)]
pub struct LoadedSpec {
    pub file: String,
    pub raw: serde_json::Value,
    pub openapi: openapiv3::OpenAPI,
    pub overlays: Vec<AppliedOverlay>,
}

/// Parses YAML text into JSON, naming the line and column of a syntax error.
pub fn parse_yaml(file: &SourceFile) -> Result<serde_json::Value, Error> {
    serde_yaml::from_str(&file.text).map_err(|e| {
        let at = e
            .location()
            .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
            .unwrap_or_default();
        Error::spec(&file.name, "", format!("invalid YAML{at}: {e}"))
    })
}

/// Loads `spec`, applies `overlays` in order, and deserializes the result.
pub fn load(spec: &SourceFile, overlays: &[SourceFile]) -> Result<LoadedSpec, Error> {
    let mut raw = parse_yaml(spec)?;
    let mut applied = Vec::new();
    for file in overlays {
        applied.push(overlay::apply(&mut raw, file)?);
    }
    let openapi = serde_path_to_error::deserialize(&raw).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        Error::spec(&spec.name, pointer, e.into_inner().to_string())
    })?;
    Ok(LoadedSpec {
        file: spec.name.clone(),
        raw,
        openapi,
        overlays: applied,
    })
}

/// Converts serde_path_to_error's path into a JSON pointer.
pub(crate) fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        let s = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.replace('~', "~0").replace('/', "~1"),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => continue,
        };
        out.push('/');
        out.push_str(&s);
    }
    out
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
