//! `cargo xtask generate | check | bench | mutants`: writes or compares the
//! generated files, measures the generator and the SDK, or mutation-tests
//! the hand-written runtime.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use okta_codegen::Generated;
use xtask::{bench, committed_files, drift, generate, workspace_root, write_files, MODULES};

const USAGE: &str = "usage: cargo xtask <generate|check> [--root DIR]
       cargo xtask bench [generator|runtime|compile] [--pairs N] [--cases a,b,...]
       cargo xtask mutants [cargo-mutants options]

  generate  regenerate okta-api's generated modules from spec/ (and delete stale files)
  check     fail if the committed generated files differ from what generate would write
  bench     print the tables of BENCHMARKS.md (release build; `compile` takes about half an hour
            on two idle cores: --pairs N baseline/case pairs, default 3; --cases a subset of
            management-user,default,okta-0.7.1,full, default all, each beside the baseline)
  mutants   mutation-test the hand-written runtime (okta-api-runtime) with cargo-mutants (hours; not in CI)

  --root DIR  the workspace to work on (default: this one)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("mutants") {
        return match mutants(&workspace_root(), &args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    if args.first().map(String::as_str) == Some("bench") {
        return match bench::main(&workspace_root(), &args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::FAILURE
            }
        };
    }
    let root = match args.get(1..) {
        Some([flag, dir]) if flag == "--root" => PathBuf::from(dir),
        Some([]) | None => workspace_root(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match args.first().map(String::as_str) {
        Some("generate") => cmd_generate(&root),
        Some("check") => cmd_check(&root),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Runs cargo-mutants over the hand-written runtime (`okta-api-runtime`),
/// building only the `legacy` crate the runtime tests use, so that one
/// mutant takes about a minute on two cores. Extra arguments go to
/// cargo-mutants (`--shard 0/4`, `--file okta-api-runtime/src/auth.rs`).
/// Survivors are explained in `okta-api/mutants.md`.
fn mutants(root: &Path, extra: &[String]) -> Result<(), String> {
    let installed = std::process::Command::new("cargo")
        .args(["mutants", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        eprintln!("installing cargo-mutants from crates.io");
        run(root, &["install", "cargo-mutants", "--locked"], &[])?;
    }
    // The runtime is mutated; its unit tests and okta-api's runtime tests judge.
    let mut args = vec![
        "mutants",
        "--package",
        "okta-api-runtime",
        "--test-package",
        "okta-api-runtime",
        "--test-package",
        "okta-api",
    ];
    // `--file` given by the caller narrows the run instead of adding to it.
    if !extra.iter().any(|a| a == "--file" || a == "-f") {
        args.extend(["--file", "okta-api-runtime/src/*.rs"]);
    }
    args.extend([
        "--no-default-features",
        "--features",
        "okta-api/legacy",
        "--output",
        "target/mutants",
    ]);
    args.extend(extra.iter().map(String::as_str));
    let tests = [
        "--",
        "--lib",
        "--test",
        "runtime",
        "--test",
        "resilience",
        "--test",
        "hostile",
        "--test",
        "dpop",
        "--test",
        "parity",
        "--test",
        "config_files",
    ];
    run(root, &args, &tests)
}

fn run(root: &Path, args: &[&str], tail: &[&str]) -> Result<(), String> {
    let status = std::process::Command::new("cargo")
        .args(args)
        .args(tail)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}

fn run_generator(root: &Path) -> Result<Generated, String> {
    let generated = generate(root, MODULES)?;
    for api in &generated.apis {
        for w in &api.warnings {
            eprintln!("warning: {}: {}: {}", api.sources[0], w.pointer, w.message);
        }
    }
    Ok(generated)
}

fn cmd_generate(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    // Nothing is written unless the whole generation succeeds.
    let generated = run_generator(root)?;
    let existing = committed_files(root)?;
    let written = write_files(root, &generated.files, true)?;
    let mut removed = 0;
    for stale in existing.iter().filter(|p| !generated.files.contains_key(*p)) {
        std::fs::remove_file(root.join(stale)).map_err(|e| format!("{stale}: {e}"))?;
        removed += 1;
    }
    let ops: usize = generated.apis.iter().map(|a| a.operations().count()).sum();
    let models: usize = generated.apis.iter().map(|a| a.models.len()).sum();
    let lines: usize = generated.files.values().map(|c| c.lines().count()).sum();
    eprintln!(
        "generated {} files ({lines} lines: {ops} operations, {models} types); {written} written, {removed} removed, in {:.2?}",
        generated.files.len(),
        started.elapsed()
    );
    Ok(())
}

fn cmd_check(root: &Path) -> Result<(), String> {
    let generated = run_generator(root)?;
    let diff = drift(root, &generated.files)?;
    if diff.is_empty() {
        eprintln!("generated files are up to date ({} files)", generated.files.len());
        return Ok(());
    }
    for line in &diff {
        eprintln!("{line}");
    }
    Err(format!(
        "{} generated file(s) differ from the spec; run `cargo xtask generate` and commit the result",
        diff.len()
    ))
}
