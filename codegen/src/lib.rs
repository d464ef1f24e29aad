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
/// files for `module`.
pub fn output_dir(module: &str) -> String {
    format!("okta-api/src/{module}")
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
        splice_features(&inputs.manifest, &out.apis)?,
    );
    Ok(out)
}

/// The SDK's manifest: its `[features]` block between the markers is generated.
pub const CRATE_MANIFEST: &str = "okta-api/Cargo.toml";
const FEATURES_BEGIN: &str = "# BEGIN generated features";
const FEATURES_END: &str = "# END generated features";

/// `manifest` with the block between the feature markers replaced: one
/// feature per module, one per tag where the module splits by tag, and `full`.
fn splice_features(manifest: &SourceFile, apis: &[ir::Api]) -> Result<String, Error> {
    let text = &manifest.text;
    let (Some(begin), Some(end)) = (text.find(FEATURES_BEGIN), text.find(FEATURES_END)) else {
        return Err(Error::Manifest {
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
