//! What `cargo xtask` does around the generator: which specs make which
//! modules, reading them, writing the generated files on one thread per
//! core, comparing them with the committed ones, and timing the stages.
//! The workspace tests use the same functions.

pub mod bench;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use okta_codegen::ir::Api;
use okta_codegen::{
    emit, output_dir, Error, Inputs, ModuleInput, SourceFile, Stage, Stages, DOCS_DIR, TESTS_GENERATED_DIR,
};

/// One bundled spec and the `okta-api` module generated from it.
#[derive(Clone, Copy, Debug)]
pub struct SpecModule {
    /// Module (and cargo feature) name in `okta-api`.
    pub module: &'static str,
    /// Spec file, relative to the workspace root.
    pub spec: &'static str,
    /// Overlay files applied in order, relative to the workspace root.
    pub overlays: &'static [&'static str],
    /// One cargo feature per tag (`<module>-<tag>`).
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
    SpecModule {
        module: "oauth",
        spec: "spec/okta-oauth-2026.06.3.yaml",
        overlays: &[],
        tag_features: true,
    },
    SpecModule {
        module: "myaccount",
        spec: "spec/okta-myaccount-2026.06.3.yaml",
        overlays: &[],
        tag_features: true,
    },
    SpecModule {
        module: "governance",
        spec: "spec/okta-governance-2026.06.3.yaml",
        overlays: &[],
        tag_features: true,
    },
];

/// The SDK's manifest, whose dependency and feature blocks are generated.
pub use okta_codegen::CRATE_MANIFEST;

/// The workspace this xtask belongs to.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// Reads `root/name`, named by `name` in every error.
pub fn read(root: &Path, name: &str) -> Result<SourceFile, String> {
    let text = std::fs::read_to_string(root.join(name)).map_err(|e| format!("{name}: cannot read: {e}"))?;
    Ok(SourceFile {
        name: name.to_string(),
        text,
    })
}

/// The spec and overlays of one module, read from under `root`.
pub fn module_input(root: &Path, module: &SpecModule) -> Result<ModuleInput, String> {
    Ok(ModuleInput {
        module: module.module.to_string(),
        spec: read(root, module.spec)?,
        overlays: module
            .overlays
            .iter()
            .map(|o| read(root, o))
            .collect::<Result<_, _>>()?,
        tag_features: module.tag_features,
    })
}

/// Everything a generation of `modules` reads, from under `root`.
pub fn inputs(root: &Path, modules: &[SpecModule]) -> Result<Inputs, String> {
    Ok(Inputs {
        modules: modules
            .iter()
            .map(|m| module_input(root, m))
            .collect::<Result<_, _>>()?,
        manifest: read(root, CRATE_MANIFEST)?,
    })
}

/// Loads and normalises one module of the workspace.
pub fn load_api(root: &Path, module: &str) -> Result<Api, String> {
    let module = MODULES
        .iter()
        .find(|m| m.module == module)
        .ok_or_else(|| format!("no module `{module}`"))?;
    okta_codegen::load_api(&module_input(root, module)?).map_err(|e| e.to_string())
}

/// Generates `modules` from the specs under `root`, emitting on one thread
/// per core.
pub fn generate(root: &Path, modules: &[SpecModule]) -> Result<okta_codegen::Generated, String> {
    generate_timed(root, modules, &mut Timings::default())
}

/// [`generate`], adding the time of each stage to `timings`.
pub fn generate_timed(
    root: &Path,
    modules: &[SpecModule],
    timings: &mut Timings,
) -> Result<okta_codegen::Generated, String> {
    let inputs = inputs(root, modules)?;
    okta_codegen::generate_with(&inputs, timings).map_err(|e| e.to_string())
}

/// Every directory the generator owns (and may delete stale files from).
pub fn generated_dirs(modules: &[SpecModule]) -> Vec<String> {
    let mut dirs: Vec<String> = modules.iter().map(|m| output_dir(m.module)).collect();
    dirs.push(TESTS_GENERATED_DIR.to_string());
    dirs.push(DOCS_DIR.to_string());
    dirs
}

/// Wall time spent in each stage of a generation, summed over the modules.
#[derive(Clone, Copy, Debug, Default)]
pub struct Timings {
    /// Parsing the spec and overlays, applying overlays, reading `openapiv3`.
    pub load: Duration,
    /// Spec -> IR.
    pub normalize: Duration,
    /// IR -> token streams (CPU time summed over the workers).
    pub emit: Duration,
    /// Token streams -> formatted Rust text (CPU time summed over the workers).
    pub format: Duration,
    /// IR -> Markdown pages, the compiled examples and the test tables.
    pub docs: Duration,
}

impl Timings {
    /// The sum of every stage.
    pub fn total(&self) -> Duration {
        self.load + self.normalize + self.emit + self.format + self.docs
    }
}

impl Stages for Timings {
    fn stage<T>(&mut self, stage: Stage, run: impl FnOnce() -> T) -> T {
        let slot = match stage {
            Stage::Load => &mut self.load,
            Stage::Normalize => &mut self.normalize,
            Stage::Docs => &mut self.docs,
        };
        timed(slot, run)
    }

    /// Emits and formats on one thread per core (token streams cannot cross
    /// threads, so each worker does both for its share); the output is
    /// sorted by path, so it does not depend on the scheduling.
    fn emit(&mut self, api: &Api) -> Result<Vec<(String, String)>, Error> {
        let jobs = emit::jobs(api);
        let results = on_each_core(&jobs, |share| {
            let started = Instant::now();
            let mut format = Duration::ZERO;
            let files = share
                .map(|job| {
                    let (path, tokens) = job.tokens(api);
                    let text = timed(&mut format, || {
                        okta_codegen::render::render(
                            &path,
                            &okta_codegen::render::header(&api.sources),
                            tokens,
                        )
                    })?;
                    Ok((path, text))
                })
                .collect::<Result<Vec<_>, Error>>();
            (files, started.elapsed(), format)
        });
        let mut files = Vec::new();
        for (worker_files, elapsed, format) in results {
            self.format += format;
            self.emit += elapsed.saturating_sub(format);
            files.extend(worker_files?);
        }
        files.sort();
        Ok(files)
    }
}

/// Times `f`, adding its duration to `slot`.
fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    *slot += started.elapsed();
    out
}

/// The number of worker threads: one per core.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Runs `work` on one scoped thread per core, item `i` going to thread
/// `i % threads`, and returns each thread's result in thread order, so the
/// outcome does not depend on scheduling. A panic in a thread resumes here.
pub fn on_each_core<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(&mut dyn Iterator<Item = &T>) -> R + Sync,
) -> Vec<R> {
    let threads = cores().min(items.len()).max(1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|thread| {
                let work = &work;
                scope.spawn(move || work(&mut items.iter().skip(thread).step_by(threads)))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// Writes `files` under `root` (only those whose contents differ when
/// `only_changed`), spread over one thread per core: creating and writing
/// thousands of files is mostly time in the kernel. Returns how many were
/// written.
pub fn write_files(
    root: &Path,
    files: &BTreeMap<String, String>,
    only_changed: bool,
) -> Result<usize, String> {
    let files: Vec<(&String, &String)> = files.iter().collect();
    let write = |share: &mut dyn Iterator<Item = &(&String, &String)>| -> Result<usize, String> {
        let mut written = 0;
        for (path, contents) in share {
            let full = root.join(path);
            if only_changed && std::fs::read(&full).ok().as_deref() == Some(contents.as_bytes()) {
                continue;
            }
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&full, contents).map_err(|e| format!("{path}: {e}"))?;
            written += 1;
        }
        Ok(written)
    };
    on_each_core(&files, write).into_iter().sum()
}

/// Generated files as they are on disk under `root`, relative paths.
pub fn committed_files(root: &Path) -> Result<BTreeSet<String>, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> Result<(), String> {
        let io = |e: std::io::Error| format!("{}: {e}", dir.display());
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
    let mut out = BTreeSet::new();
    for dir in generated_dirs(MODULES) {
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
pub fn drift(root: &Path, generated: &BTreeMap<String, String>) -> Result<Vec<String>, String> {
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
