//! `cargo xtask bench`: the figures in BENCHMARKS.md, each beside a baseline
//! measured in the same run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use okta_codegen::{generate_timed, load, SpecModule, Timings, MODULES};

/// The generator, stage by stage, for each spec module alone and for the
/// whole `generate`; the baseline is parsing the same spec's YAML.
pub fn generator(root: &Path, runs: usize) -> Result<(), String> {
    println!("## Generator (median of {runs} runs, release build)\n");
    println!(
        "| spec | load | normalize | emit | format | docs | write | total | baseline: YAML parse | total / baseline |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for module in MODULES {
        let baseline = median(runs, || {
            let started = Instant::now();
            let file = load::SourceFile::read(root, module.spec).map_err(|e| e.to_string())?;
            load::parse_yaml(&file).map_err(|e| e.to_string())?;
            Ok(started.elapsed())
        })?;
        let stages = stages(root, std::slice::from_ref(module), runs)?;
        row(module.spec, &stages, Some(baseline));
    }
    let all = stages(root, MODULES, runs)?;
    row("all (`cargo xtask generate`)", &all, None);
    println!();
    Ok(())
}

/// Median stage times of generating `modules` and writing every file over
/// the previous run's, as a spec update that touches every file would.
/// (The first, unmeasured run creates the files: creating a file costs this
/// machine's filesystem far more than rewriting one, whatever writes it.)
fn stages(root: &Path, modules: &[SpecModule], runs: usize) -> Result<Stages, String> {
    let out = scratch_dir("generate");
    let _ = std::fs::remove_dir_all(&out);
    let mut samples = Vec::new();
    for run in 0..=runs {
        let mut timings = Timings::default();
        let started = Instant::now();
        let generated = generate_timed(root, modules, &mut timings).map_err(|e| e.to_string())?;
        let written = Instant::now();
        for (path, contents) in &generated.files {
            let full = out.join(path);
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            }
            std::fs::write(&full, contents).map_err(|e| format!("{}: {e}", full.display()))?;
        }
        let write = written.elapsed();
        if run > 0 {
            samples.push(Stages {
                timings,
                write,
                total: started.elapsed(),
            });
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let pick = |f: &dyn Fn(&Stages) -> Duration| {
        let mut v: Vec<Duration> = samples.iter().map(f).collect();
        v.sort();
        v[v.len() / 2]
    };
    Ok(Stages {
        timings: Timings {
            load: pick(&|s| s.timings.load),
            normalize: pick(&|s| s.timings.normalize),
            emit: pick(&|s| s.timings.emit),
            format: pick(&|s| s.timings.format),
            docs: pick(&|s| s.timings.docs),
        },
        write: pick(&|s| s.write),
        total: pick(&|s| s.total),
    })
}

struct Stages {
    timings: Timings,
    write: Duration,
    total: Duration,
}

fn row(name: &str, s: &Stages, baseline: Option<Duration>) {
    let t = &s.timings;
    let (base, ratio) = match baseline {
        Some(b) => (ms(b), format!("{:.1}x", s.total.as_secs_f64() / b.as_secs_f64())),
        None => ("".into(), "".into()),
    };
    println!(
        "| {name} | {} | {} | {} | {} | {} | {} | **{}** | {base} | {ratio} |",
        ms(t.load),
        ms(t.normalize),
        ms(t.emit),
        ms(t.format),
        ms(t.docs),
        ms(s.write),
        ms(s.total),
    );
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn median(runs: usize, mut f: impl FnMut() -> Result<Duration, String>) -> Result<Duration, String> {
    f()?;
    let mut v = (0..runs).map(|_| f()).collect::<Result<Vec<_>, _>>()?;
    v.sort();
    Ok(v[v.len() / 2])
}

/// An empty directory of this process's own under the system's temp dir.
fn scratch_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("okta-xtask-bench-{name}-{}", std::process::id()))
}

/// `cargo xtask bench [what]`. Benchmarks of a debug build mean nothing, so
/// a debug xtask runs its release build instead.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .current_dir(root)
            .args(["run", "--release", "--quiet", "--package", "xtask", "--", "bench"])
            .args(args)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        return if status.success() {
            Ok(())
        } else {
            Err(format!("the release build of xtask bench failed: {status}"))
        };
    }
    let what = args.first().map(String::as_str);
    if matches!(what, None | Some("generator")) {
        generator(root, 10)?;
    }
    Ok(())
}
