//! The generator behind `okta-api`: OpenAPI documents (plus overlays) ->
//! one intermediate representation ([`ir`]) -> Rust modules.
//!
//! The library reads specs and returns an in-memory file set; writing (and
//! comparing) is `xtask`'s job.

// The stages, in the order a spec goes through them.

// 1. Spec files as text; YAML parsing.
mod source;

// 2. The spec and its overlays -> `openapiv3`, every error located.
pub mod load;
pub mod overlay;

// 3. Spec -> IR, the whole contract of the emitters (names from `naming`).
pub mod normalize;

pub mod ir;
pub mod naming;

// 4. IR -> Rust token streams.
pub mod emit;

// 5. Token streams -> formatted files.
pub mod render;

// 6. IR -> the Markdown reference and the compiled examples.
pub mod docs;

// How a generation runs: threads and timings.
mod run;

use std::collections::BTreeMap;
use std::path::Path;

use run::timed;
pub use run::{cores, on_each_core, Timings};

/// One generator error. Spec errors name the file, the JSON pointer and the
/// problem.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: cannot read: {message}")]
    Io { file: String, message: String },
    #[error("{file}: {pointer}: {message}", pointer = if pointer.is_empty() { "/" } else { pointer })]
    Spec {
        file: String,
        pointer: String,
        message: String,
    },
    #[error("generated code for {file} does not parse: {message}")]
    Render { file: String, message: String },
}

impl Error {
    pub(crate) fn spec(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Spec {
            file: file.to_string(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

/// One bundled spec and the `okta-api` module generated from it.
#[derive(Clone, Copy, Debug)]
pub struct SpecModule {
    /// Module (and cargo feature) name in `okta-api`.
    pub module: &'static str,
    /// Spec file, relative to the workspace root.
    pub spec: &'static str,
    /// Overlay files applied in order, relative to the workspace root.
    pub overlays: &'static [&'static str],
    /// One cargo feature per tag (`<module>-<tag>`), so a user compiles only
    /// the APIs they use and the types those reach.
    pub tag_features: bool,
}

/// The specs this workspace generates from.
pub const MODULES: &[SpecModule] = &[
    SpecModule {
        module: "legacy",
        spec: "spec/okta-1.9.0.yaml",
        overlays: &["spec/overlays/okta-1.9.0-fixes.yaml"],
        tag_features: false,
    },
    SpecModule {
        module: "management",
        spec: "spec/okta-management-2026.06.3.yaml",
        overlays: &["spec/overlays/okta-management-sessions.yaml"],
        tag_features: true,
    },
];

/// Directory (relative to the workspace root) that holds only generated
/// files for `module`.
pub fn output_dir(module: &str) -> String {
    format!("okta-api/src/{module}")
}

/// Directory of the generated support files of the workspace tests.
pub const TESTS_GENERATED_DIR: &str = "tests/src/generated";

/// Directory of the generated Markdown reference.
pub const DOCS_DIR: &str = "okta-api/docs";

/// Every directory `generate` owns (and may delete stale files from).
pub fn generated_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = MODULES.iter().map(|m| output_dir(m.module)).collect();
    dirs.push(TESTS_GENERATED_DIR.to_string());
    dirs.push(DOCS_DIR.to_string());
    dirs
}

/// Everything `generate` produced.
#[derive(Debug, Default)]
pub struct Generated {
    /// Relative path -> contents.
    pub files: BTreeMap<String, String>,
    /// One IR per spec module.
    pub apis: Vec<ir::Api>,
}

/// Loads and normalises one spec module.
pub fn load_api(root: &Path, module: &SpecModule) -> Result<ir::Api, Error> {
    load_api_timed(root, module, &mut Timings::default())
}

fn load_api_timed(root: &Path, module: &SpecModule, timings: &mut Timings) -> Result<ir::Api, Error> {
    let loaded = timed(&mut timings.load, || {
        let spec = load::SourceFile::read(root, module.spec)?;
        let overlays = module
            .overlays
            .iter()
            .map(|o| load::SourceFile::read(root, o))
            .collect::<Result<Vec<_>, _>>()?;
        load::load(&spec, &overlays)
    })?;
    timed(&mut timings.normalize, || {
        normalize::normalize(&loaded, module.module, module.tag_features)
    })
}

/// Generates every module in `modules` from the specs under `root`.
pub fn generate(root: &Path, modules: &[SpecModule]) -> Result<Generated, Error> {
    generate_timed(root, modules, &mut Timings::default())
}

/// [`generate`], adding the time spent in each stage to `timings`.
pub fn generate_timed(
    root: &Path,
    modules: &[SpecModule],
    timings: &mut Timings,
) -> Result<Generated, Error> {
    let mut out = Generated::default();
    for module in modules {
        let api = load_api_timed(root, module, timings)?;
        let dir = output_dir(module.module);
        for (path, contents) in emit::emit(&api, timings)? {
            out.files.insert(format!("{dir}/{path}"), contents);
        }
        let table = emit::type_table(&api, timings)?;
        out.files
            .insert(format!("{TESTS_GENERATED_DIR}/{}.rs", module.module), table);
        timed(&mut timings.docs, || -> Result<(), Error> {
            out.files.insert(
                format!("{TESTS_GENERATED_DIR}/{}_examples.rs", module.module),
                docs::examples_file(&api),
            );
            for (path, contents) in docs::pages(&api)? {
                out.files
                    .insert(format!("{DOCS_DIR}/{}/{path}", module.module), contents);
            }
            Ok(())
        })?;
        out.apis.push(api);
    }
    timed(&mut timings.docs, || -> Result<(), Error> {
        out.files
            .insert(format!("{DOCS_DIR}/README.md"), docs::index(&out.apis)?);
        Ok(())
    })?;
    let manifest = load::SourceFile::read(root, CRATE_MANIFEST)?;
    out.files
        .insert(CRATE_MANIFEST.to_string(), splice_features(&manifest, &out.apis)?);
    Ok(out)
}

/// The SDK's manifest: its `[features]` block between the markers is generated.
pub const CRATE_MANIFEST: &str = "okta-api/Cargo.toml";
const FEATURES_BEGIN: &str = "# BEGIN generated features";
const FEATURES_END: &str = "# END generated features";

/// `manifest` with the block between the feature markers replaced: one
/// feature per module, one per tag where the module splits by tag, and `full`.
fn splice_features(manifest: &load::SourceFile, apis: &[ir::Api]) -> Result<String, Error> {
    let text = &manifest.text;
    let (Some(begin), Some(end)) = (text.find(FEATURES_BEGIN), text.find(FEATURES_END)) else {
        return Err(Error::Io {
            file: manifest.name.clone(),
            message: format!("the `{FEATURES_BEGIN}` / `{FEATURES_END}` markers are missing"),
        });
    };
    let mut block =
        format!("{FEATURES_BEGIN} (by `cargo xtask generate`; edit the generator, not this block)\n");
    let mut full = Vec::new();
    for api in apis {
        block.push_str(&format!(
            "# {} {} (`{}`).\n{} = []\n",
            api.title, api.version, api.sources[0], api.module
        ));
        let tagged: Vec<&ir::Tag> = api.tags.iter().filter(|t| t.feature.is_some()).collect();
        if tagged.is_empty() {
            full.push(api.module.0.clone());
        }
        for tag in tagged {
            let feature = tag.feature.as_deref().unwrap_or_default();
            block.push_str(&format!(
                "# {}: {} operation(s).\n{feature} = [\"{}\"]\n",
                tag.handle,
                tag.operations.len(),
                api.module
            ));
            full.push(feature.to_string());
        }
        if let Some(feature) = &api.other_models_feature {
            let count = api.models.iter().filter(|m| m.features.contains(feature)).count();
            block.push_str(&format!(
                "# The {count} types no operation uses (hook payloads, event types, ...) and what they reach.\n{feature} = [\"{}\"]\n",
                api.module
            ));
            full.push(feature.clone());
        }
    }
    block.push_str("# Every module and every API.\nfull = [\n");
    for f in &full {
        block.push_str(&format!("    \"{f}\",\n"));
    }
    block.push_str("]\n");
    let end_line = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Ok(format!(
        "{}{block}{FEATURES_END}\n{}",
        &text[..begin],
        &text[end_line..]
    ))
}

/// Generated files as they are on disk under `root`, relative paths.
pub fn committed_files(root: &Path) -> Result<std::collections::BTreeSet<String>, Error> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeSet<String>) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Io {
            file: dir.display().to_string(),
            message: e.to_string(),
        };
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(e)),
        };
        for entry in entries {
            let path = entry.map_err(io)?.path();
            if path.is_dir() {
                walk(root, &path, out)?;
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.insert(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        Ok(())
    }
    let mut out = std::collections::BTreeSet::new();
    for dir in generated_dirs() {
        walk(root, &root.join(dir), &mut out)?;
    }
    Ok(out)
}

/// What tells `have` from `want`: their line endings, the newlines at the
/// end, or the first line that differs (`:<line>` and both versions).
fn difference(have: &str, want: &str) -> String {
    if have.replace("\r\n", "\n") == want.replace("\r\n", "\n") {
        return ": line endings differ (CRLF against LF; see .gitattributes)".into();
    }
    if have.trim_end_matches(['\r', '\n']) == want.trim_end_matches(['\r', '\n']) {
        return ": the trailing newlines differ".into();
    }
    let (mut have_lines, mut want_lines) = (have.lines(), want.lines());
    for line in 1.. {
        match (have_lines.next(), want_lines.next()) {
            (None, None) => break,
            (h, w) if h != w => {
                return format!(":{line}\n  - {}\n  + {}", h.unwrap_or(""), w.unwrap_or(""));
            }
            _ => {}
        }
    }
    ": the contents differ".into()
}

/// Compares `generated` with the files on disk: one readable entry per
/// differing path (missing, stale, or the first differing line), empty when
/// everything matches.
pub fn drift(root: &Path, generated: &BTreeMap<String, String>) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for (path, want) in generated {
        match std::fs::read_to_string(root.join(path)) {
            Err(_) => out.push(format!("missing: {path}")),
            Ok(have) if &have != want => out.push(format!("differs: {path}{}", difference(&have, want))),
            Ok(_) => {}
        }
    }
    for stale in committed_files(root)? {
        if !generated.contains_key(&stale) {
            out.push(format!("stale (no longer generated): {stale}"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch root holding one generated file, `okta-api/docs/x.md`.
    fn root_with(contents: &str) -> (std::path::PathBuf, BTreeMap<String, String>) {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("okta-drift-{}-{n}", std::process::id()));
        let file = root.join(DOCS_DIR).join("x.md");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, contents).unwrap();
        let generated = BTreeMap::from([(format!("{DOCS_DIR}/x.md"), "one\ntwo\n".to_string())]);
        (root, generated)
    }

    #[test]
    fn drift_names_line_endings_trailing_newlines_and_the_first_differing_line() {
        let cases = [
            (
                "one\r\ntwo\r\n",
                "differs: okta-api/docs/x.md: line endings differ (CRLF against LF; see .gitattributes)",
            ),
            (
                "one\ntwo\n\n",
                "differs: okta-api/docs/x.md: the trailing newlines differ",
            ),
            (
                "one\ntwo",
                "differs: okta-api/docs/x.md: the trailing newlines differ",
            ),
            ("one\nTWO\n", "differs: okta-api/docs/x.md:2\n  - TWO\n  + two"),
            ("one\n", "differs: okta-api/docs/x.md:2\n  - \n  + two"),
            ("one\ntwo\n", ""),
        ];
        for (on_disk, expected) in cases {
            let (root, generated) = root_with(on_disk);
            let diff = drift(&root, &generated).unwrap();
            assert_eq!(diff.join("|"), expected, "{on_disk:?}");
            std::fs::remove_dir_all(&root).unwrap();
        }
    }

    #[test]
    fn drift_reports_a_deleted_and_a_stale_file() {
        let (root, mut generated) = root_with("one\ntwo\n");
        generated.insert(format!("{DOCS_DIR}/deleted.md"), "gone\n".into());
        std::fs::write(root.join(DOCS_DIR).join("stale.md"), "old\n").unwrap();
        let diff = drift(&root, &generated).unwrap();
        assert_eq!(
            diff,
            [
                format!("missing: {DOCS_DIR}/deleted.md"),
                format!("stale (no longer generated): {DOCS_DIR}/stale.md"),
            ]
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
