//! The generator behind `okta-api`: OpenAPI documents (plus overlays) ->
//! one intermediate representation ([`ir`]) -> Rust modules, Markdown pages
//! and test support files.
//!
//! The library is [`generate`]: spec texts in, file texts out. It reads no
//! disk, starts no thread and reads no clock; `xtask` does those (which
//! specs, writing, comparing, threads, timings).

// The stages, in the order a spec goes through them.

// What goes wrong, located: the file, the JSON pointer, the problem.
mod error;

// 1. Spec files as text; YAML parsing.
mod source;

// 2. The spec and its overlays -> `openapiv3`, every error located.
pub mod load;
pub mod overlay;

// 3. Spec -> IR, the whole contract of the emitters (names from `naming`):
// resolve, schemas, operations, resource methods, then the analysis that
// records every decision the emitters print.
pub mod normalize;

pub mod ir;
pub mod naming;

// 4. IR -> Rust token streams.
pub mod emit;

// 5. Token streams -> formatted files.
pub mod render;

// 6. IR -> the Markdown reference, the compiled examples and the listing of
// the public surface.
pub mod docs;
pub mod surface;

use std::collections::BTreeMap;

pub use error::Error;
pub use source::SourceFile;

/// One spec and the `okta-api` module generated from it.
#[derive(Clone, Debug)]
pub struct ModuleInput {
    /// Module (and cargo feature) name in `okta-api`.
    pub module: String,
    /// The spec, named by its path relative to the workspace root.
    pub spec: SourceFile,
    /// Overlays, applied in order.
    pub overlays: Vec<SourceFile>,
    /// One cargo feature per tag (`<module>-<tag>`), so a user compiles only
    /// the APIs they use and the types those reach.
    pub tag_features: bool,
}

/// Everything a generation reads.
#[derive(Clone, Debug)]
pub struct Inputs {
    pub modules: Vec<ModuleInput>,
    /// `okta-api/Cargo.toml`, whose generated `[features]` block is replaced.
    pub manifest: SourceFile,
}

/// Directory (relative to the workspace root) that holds only generated
/// files for `module`: the crate generated from its spec.
pub fn output_dir(module: &str) -> String {
    emit::crate_name(module)
}

/// Directory of the generated support files of the workspace tests.
pub const TESTS_GENERATED_DIR: &str = "tests/src/generated";

/// Directory of the generated Markdown reference.
pub const DOCS_DIR: &str = "okta-api/docs";

/// Everything `generate` produced.
#[derive(Debug, Default)]
pub struct Generated {
    /// Relative path -> contents.
    pub files: BTreeMap<String, String>,
    /// One IR per spec module.
    pub apis: Vec<ir::Api>,
}

/// The stages of a generation, for a caller who times them or spreads the
/// emitting over threads; the defaults run each stage as it is, in order.
pub trait Stages {
    /// Runs one stage of a module's generation.
    fn stage<T>(&mut self, stage: Stage, run: impl FnOnce() -> T) -> T {
        let _ = stage;
        run()
    }

    /// Emits and formats the files of one module ([`emit::jobs`], each with
    /// [`emit::Job::file`]), as (path in the module directory, contents).
    fn emit(&mut self, api: &ir::Api) -> Result<Vec<(String, String)>, Error> {
        emit::emit(api)
    }
}

/// A stage of a generation that [`Stages::stage`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Parsing the spec and overlays, applying overlays, reading `openapiv3`.
    Load,
    /// Spec -> IR.
    Normalize,
    /// IR -> the Markdown pages, the compiled examples and the test tables.
    Docs,
}

/// Each stage as it is, in order, on the caller's thread.
pub struct InOrder;

impl Stages for InOrder {}

/// Loads and normalises one spec module.
pub fn load_api(module: &ModuleInput) -> Result<ir::Api, Error> {
    load_api_with(module, &mut InOrder)
}

fn load_api_with(module: &ModuleInput, stages: &mut impl Stages) -> Result<ir::Api, Error> {
    let loaded = stages.stage(Stage::Load, || load::load(&module.spec, &module.overlays))?;
    stages.stage(Stage::Normalize, || {
        normalize::normalize(&loaded, &module.module, module.tag_features)
    })
}

/// Generates every module of `inputs`: relative path -> contents.
pub fn generate(inputs: &Inputs) -> Result<Generated, Error> {
    generate_with(inputs, &mut InOrder)
}

/// [`generate`], each stage run through `stages`.
pub fn generate_with(inputs: &Inputs, stages: &mut impl Stages) -> Result<Generated, Error> {
    let mut out = Generated::default();
    for module in &inputs.modules {
        let api = load_api_with(module, stages)?;
        let dir = output_dir(&module.module);
        for (path, contents) in stages.emit(&api)? {
            out.files.insert(format!("{dir}/{path}"), contents);
        }
        out.files
            .insert(format!("{dir}/Cargo.toml"), emit::crate_manifest(&api));
        stages.stage(Stage::Docs, || -> Result<(), Error> {
            out.files.insert(
                format!("{TESTS_GENERATED_DIR}/{}.rs", module.module),
                emit::type_table(&api)?,
            );
            out.files.insert(
                format!("{TESTS_GENERATED_DIR}/{}_examples.rs", module.module),
                docs::examples_file(&api),
            );
            out.files.insert(
                format!("{DOCS_DIR}/{}/surface.txt", module.module),
                surface::listing(&api),
            );
            for (path, contents) in docs::pages(&api)? {
                out.files
                    .insert(format!("{DOCS_DIR}/{}/{path}", module.module), contents);
            }
            Ok(())
        })?;
        out.apis.push(api);
    }
    stages.stage(Stage::Docs, || -> Result<(), Error> {
        out.files
            .insert(format!("{DOCS_DIR}/README.md"), docs::index(&out.apis)?);
        Ok(())
    })?;
    out.files.insert(
        CRATE_MANIFEST.to_string(),
        sdk_manifest(&inputs.manifest, &out.apis)?,
    );
    Ok(out)
}

/// The SDK's manifest: the blocks between its markers are generated.
pub const CRATE_MANIFEST: &str = "okta-api/Cargo.toml";

/// The SDK's manifest with its two generated blocks replaced: in
/// `[dependencies]`, each module's crate as an optional dependency; in
/// `[features]`, one feature per module, which brings in its crate, one per
/// feature of that crate, of the same name, and `full`.
fn sdk_manifest(manifest: &SourceFile, apis: &[ir::Api]) -> Result<String, Error> {
    let mut dependencies = String::new();
    let mut features = String::new();
    let mut full = Vec::new();
    for api in apis {
        let module = &api.module;
        let krate = emit::crate_name(&module.0);
        dependencies.push_str(&format!(
            "{krate} = {{ path = \"../{krate}\", version = \"{}\", optional = true }}\n",
            emit::CRATE_VERSION
        ));
        features.push_str(&format!(
            "# {} {} (`{}`).\n{module} = [\"dep:{krate}\"]\n",
            api.title, api.version, api.sources[0]
        ));
        let module_features = emit::crate_features(api);
        if module_features.is_empty() {
            full.push(module.0.clone());
        }
        for (feature, comment) in module_features {
            features.push_str(&format!(
                "# {comment}\n{feature} = [\"{module}\", \"{krate}/{feature}\"]\n"
            ));
            full.push(feature);
        }
    }
    features.push_str("# Every module and every API.\nfull = [\n");
    for f in &full {
        features.push_str(&format!("    \"{f}\",\n"));
    }
    features.push_str("]\n");
    let text = splice(manifest, &manifest.text, "dependencies", &dependencies)?;
    splice(manifest, &text, "features", &features)
}

/// `text`, a version of `manifest`, with the lines between
/// `# BEGIN generated <what>` and `# END generated <what>` replaced by
/// `block`; errors name `manifest`.
fn splice(manifest: &SourceFile, text: &str, what: &str, block: &str) -> Result<String, Error> {
    let (begin_marker, end_marker) = (
        format!("# BEGIN generated {what}"),
        format!("# END generated {what}"),
    );
    let (Some(begin), Some(end)) = (text.find(&begin_marker), text.find(&end_marker)) else {
        return Err(Error::Manifest {
            file: manifest.name.clone(),
            message: format!("the `{begin_marker}` / `{end_marker}` markers are missing"),
        });
    };
    if end < begin {
        return Err(Error::Manifest {
            file: manifest.name.clone(),
            message: format!("`{end_marker}` comes before `{begin_marker}`"),
        });
    }
    let end_line = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Ok(format!(
        "{}{begin_marker} (by `cargo xtask generate`; edit the generator, not this block)\n{block}{end_marker}\n{}",
        &text[..begin],
        &text[end_line..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(text: &str) -> SourceFile {
        SourceFile {
            name: "okta-api/Cargo.toml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn a_block_is_replaced_between_its_markers_and_nothing_else_moves() {
        let text = "[features]\n# BEGIN generated features (old)\nold = []\n# END generated features\n[x]\n";
        assert_eq!(
            splice(&manifest(text), text, "features", "new = []\n").unwrap(),
            "[features]\n# BEGIN generated features (by `cargo xtask generate`; edit the generator, not this block)\nnew = []\n# END generated features\n[x]\n"
        );
        // An end marker on the last line, without a newline.
        let text = "# BEGIN generated features\n# END generated features";
        assert!(splice(&manifest(text), text, "features", "")
            .unwrap()
            .ends_with("# END generated features\n"));
    }

    #[test]
    fn missing_or_swapped_markers_name_the_file() {
        for text in [
            "",
            "# BEGIN generated features\n",
            "# END generated features\n",
            "# BEGIN generated dependencies\n# END generated dependencies\n",
            "# END generated features\n# BEGIN generated features\n",
        ] {
            let err = splice(&manifest(text), text, "features", "")
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("okta-api/Cargo.toml: "), "{err}");
            assert!(err.contains("generated features"), "{err}");
        }
    }
}
