//! Spec files as text, and the YAML and error-path helpers that the loader
//! and the overlays share.

use crate::error::Error;

/// A spec or overlay file's text, named by its path relative to the
/// workspace (which every error names).
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
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
