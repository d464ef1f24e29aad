//! The generated code compiles, warning-free: every hostile spec that
//! generates code (`tests/specs/hostile/*.yaml`, each opening with a comment
//! on what it is about) and every golden spec (`tests/specs/*.yaml`) becomes
//! one crate, with the manifest the generator writes, of a scratch workspace
//! beside a copy of the hand-written runtime (`okta-api-runtime`), and
//! `cargo check` must pass with warnings denied. A failure names the cases
//! rustc points into and keeps the scratch workspace.
//! Dependencies are checked once into `target/tmp/codegen-compile-test` and
//! reused by later runs.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use okta_codegen::emit;
use okta_codegen::load::load;
use okta_codegen::normalize::normalize;
use okta_codegen::SourceFile;

/// Enough for a cold run on a slow machine (it checks reqwest, rustls, ring,
/// tokio and serde first); a hang fails the test instead of stalling CI.
const DEADLINE: Duration = Duration::from_secs(15 * 60);

/// One spec to compile, and the crate of the scratch workspace it becomes.
struct Case {
    module: String,
    spec: SourceFile,
}

impl Case {
    /// The module, the spec and what it is about (its leading comment).
    fn describe(&self) -> String {
        let about: Vec<&str> = self
            .spec
            .text
            .lines()
            .map_while(|l| l.strip_prefix('#'))
            .map(str::trim)
            .collect();
        let mut out = format!("{} ({})", self.module, self.spec.name);
        if !about.is_empty() {
            out = format!("{out}: {}", about.join(" "));
        }
        out
    }
}

/// Every spec under `tests/specs/hostile/` and `tests/specs/` (overlays
/// aside), as module (and crate) `case_<file stem>`.
fn cases(codegen: &Path) -> Vec<Case> {
    let mut files = Vec::new();
    for dir in ["tests/specs/hostile", "tests/specs"] {
        for entry in std::fs::read_dir(codegen.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let name = path.file_name().unwrap().to_string_lossy();
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    let mut cases: Vec<Case> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(codegen.join(&file)).unwrap();
        let spec = SourceFile {
            name: file.clone(),
            text,
        };
        if spec.text.starts_with("overlay:") {
            continue;
        }
        let stem = file.rsplit('/').next().unwrap().trim_end_matches(".yaml");
        let module = format!("case_{}", stem.replace('-', "_"));
        assert!(
            !cases.iter().any(|c| c.module == module),
            "two specs become module `{module}`: rename one"
        );
        cases.push(Case { module, spec });
    }
    cases
}

/// The tables of a TOML file whose header starts with one of `prefixes`,
/// verbatim. Enough for the workspace's manifests: a table runs from its
/// `[header]` line to the next line that starts with `[`.
fn tables(toml: &str, prefixes: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut keep = false;
    for line in toml.lines() {
        if line.starts_with('[') {
            keep = prefixes.iter().any(|p| line.starts_with(p));
            if keep {
                out.push(String::new());
            }
        }
        if let Some(table) = out.last_mut().filter(|_| keep) {
            table.push_str(line);
            table.push('\n');
        }
    }
    out
}

/// `(name, version, dependency names)` of each package in a `Cargo.lock`.
fn locked(lock: &str) -> Vec<(String, String, Vec<String>)> {
    let value = |block: &str, key: &str| {
        block
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(" = \""))
            .map(|v| v.trim_end_matches('"').to_string())
            .unwrap_or_default()
    };
    lock.split("[[package]]")
        .skip(1)
        .map(|block| {
            let deps = block
                .lines()
                .skip_while(|l| !l.starts_with("dependencies = ["))
                .skip(1)
                .take_while(|l| !l.starts_with(']'))
                .filter_map(|l| l.trim().trim_matches(['"', ',']).split(' ').next())
                .map(str::to_string)
                .collect();
            (value(block, "name"), value(block, "version"), deps)
        })
        .collect()
}

/// The names of `root` and everything it depends on (dev-dependencies too:
/// the lock does not tell them apart).
fn reachable(lock: &str, root: &str) -> BTreeSet<String> {
    let packages = locked(lock);
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            for (n, _, deps) in &packages {
                if *n == name {
                    todo.extend(deps.iter().cloned());
                }
            }
        }
    }
    seen
}

/// The scratch workspace's manifest: the real workspace's package
/// defaults, dependency table and profiles, so every dependency builds with
/// the same settings, and `members`. Profile overrides of packages okta-api
/// does not reach are left out (cargo warns about them).
fn manifest(root_toml: &str, lock: &str, members: &[&str]) -> String {
    let reached = reachable(lock, "okta-api");
    let profiles: Vec<String> = tables(root_toml, &["[profile."])
        .into_iter()
        .filter(|table| {
            let header = table.lines().next().unwrap_or_default();
            match header.split_once(".package.") {
                Some((_, spec)) => {
                    let spec = spec.trim_end_matches(']').trim_matches('"');
                    spec == "*" || reached.contains(spec.split('@').next().unwrap_or(spec))
                }
                None => true,
            }
        })
        .collect();
    format!(
        "[workspace]\nresolver = \"2\"\nmembers = {members:?}\n\n{}\n{}",
        tables(root_toml, &["[workspace.package]", "[workspace.dependencies]"]).join("\n"),
        profiles.join("\n"),
    )
}

/// A generated `lib.rs` with every warning denied.
fn deny_warnings(lib_rs: &str) -> String {
    let at = lib_rs
        .find("\n#![")
        .expect("a generated lib.rs has inner attributes to put `#![deny(warnings)]` beside");
    format!("{}\n#![deny(warnings)]{}", &lib_rs[..at], &lib_rs[at..])
}

fn write(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Runs `command` until it exits or `deadline` passes (then kills it), and
/// returns whether it succeeded and its stderr.
fn run(mut command: Command, deadline: Duration) -> (bool, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run cargo");
    let mut pipe = child.stderr.take().unwrap();
    // Read on a thread, so a full pipe cannot stall cargo.
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        pipe.read_to_string(&mut text).ok();
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > deadline {
            child.kill().ok();
            child.wait().ok();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let stderr = reader.join().unwrap();
    match status {
        Some(status) => (status.success(), stderr),
        None => (false, format!("cargo was killed after {deadline:?}\n{stderr}")),
    }
}

/// The cases cargo's messages point into (`--> <crate>/src/...`).
fn failing<'a>(cases: &'a [Case], stderr: &str) -> Vec<&'a Case> {
    let named: BTreeSet<&str> = stderr
        .lines()
        .filter_map(|l| l.split_once("--> ")?.1.split('/').next())
        .collect();
    cases
        .iter()
        .filter(|c| named.contains(c.module.as_str()))
        .collect()
}

#[test]
fn generated_code_compiles_without_warnings() {
    let codegen = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = codegen.parent().unwrap();
    let runtime = workspace.join("okta-api-runtime");
    let dir = std::env::temp_dir().join(format!("okta-codegen-compile-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // The hand-written runtime, where a generated manifest expects it
    // (`../okta-api-runtime`), with its build script (the rustc version in
    // the User-Agent).
    for file in ["Cargo.toml", "build.rs"] {
        write(
            &dir.join("okta-api-runtime").join(file),
            &std::fs::read_to_string(runtime.join(file)).unwrap(),
        );
    }
    for entry in std::fs::read_dir(runtime.join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        write(
            &dir.join("okta-api-runtime/src").join(&name),
            &std::fs::read_to_string(&path).unwrap(),
        );
    }

    // One crate per case, generated as `cargo xtask generate` does. A spec
    // the generator refuses belongs in hostile.rs, with its located error.
    let mut cases = cases(codegen);
    let mut refused = Vec::new();
    cases.retain(|case| {
        let outcome = load(&case.spec, &[])
            .and_then(|loaded| normalize(&loaded, &case.module, false))
            .and_then(|api| Ok((emit::emit(&api)?, emit::crate_manifest(&api))));
        match outcome {
            Ok((files, manifest)) => {
                let root = dir.join(&case.module);
                write(&root.join("Cargo.toml"), &manifest);
                for (path, contents) in files {
                    let contents = match path.as_str() {
                        "src/lib.rs" => deny_warnings(&contents),
                        _ => contents,
                    };
                    write(&root.join(path), &contents);
                }
                true
            }
            Err(e) => {
                refused.push(format!("- {}: the generator refuses it: {e}\n", case.spec.name));
                false
            }
        }
    });
    let mut members: Vec<&str> = cases.iter().map(|c| c.module.as_str()).collect();
    members.push("okta-api-runtime");

    // The workspace's lock: the same version of every dependency.
    let lock = std::fs::read_to_string(workspace.join("Cargo.lock")).unwrap();
    let root_toml = std::fs::read_to_string(workspace.join("Cargo.toml")).unwrap();
    write(&dir.join("Cargo.toml"), &manifest(&root_toml, &lock, &members));
    write(&dir.join("Cargo.lock"), &lock);

    // `check` finds what `build` would (type errors and lints; a library is
    // not linked) in half the time of a warm `build`, and half the disk.
    // `--locked` is not possible: cargo drops the workspace's other packages
    // from the copied lock; the versions are compared below instead.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(&dir)
        .args([
            "check",
            "--workspace",
            "--offline",
            "--quiet",
            "--color",
            "never",
            "--target-dir",
        ])
        .arg(Path::new(env!("CARGO_TARGET_TMPDIR")).join("codegen-compile-test"))
        // The crate is new each run: incremental state would only pile up.
        .env("CARGO_INCREMENTAL", "0");
    let started = Instant::now();
    let (ok, stderr) = run(command, DEADLINE);
    let mut summary = refused.concat();
    if !ok {
        for case in failing(&cases, &stderr) {
            summary.push_str(&format!("- {}\n", case.describe()));
        }
        if stderr.contains("--offline") {
            summary.push_str("- a dependency is not downloaded: run `cargo fetch` in the workspace\n");
        }
        panic!(
            "the generated code does not compile, or warns:\n{summary}\n\
             cargo's output (the scratch crate is kept in {}):\n{stderr}",
            dir.display()
        );
    }
    eprintln!("{} cases checked in {:.1?}", cases.len(), started.elapsed());
    assert!(summary.is_empty(), "specs that generate no code:\n{summary}");

    let workspace_versions: BTreeSet<(String, String)> =
        locked(&lock).into_iter().map(|(n, v, _)| (n, v)).collect();
    let scratch_lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let drifted: Vec<String> = locked(&scratch_lock)
        .into_iter()
        .filter(|(n, v, _)| {
            !cases.iter().any(|c| emit::crate_name(&c.module) == *n)
                && !workspace_versions.contains(&(n.clone(), v.clone()))
        })
        .map(|(n, v, _)| format!("{n} {v}"))
        .collect();
    assert!(
        drifted.is_empty(),
        "the scratch crate resolved versions the workspace's Cargo.lock does not have: {drifted:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
