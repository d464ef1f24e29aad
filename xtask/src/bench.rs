//! `cargo xtask bench`: the figures in BENCHMARKS.md, each beside a baseline
//! measured in the same run.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use okta_codegen::load;

use crate::{cores, generate_timed, read, SpecModule, Timings, MODULES};

/// The generator, stage by stage, for each spec module alone and for the
/// whole `generate`; the baseline is parsing the same spec's YAML.
pub fn generator(root: &Path, runs: usize) -> Result<(), String> {
    println!(
        "## Generator (median of {runs} runs, release build, {} cores)\n",
        cores()
    );
    println!("`emit` and `format` run on one thread per core and are CPU time summed over the threads;");
    println!(
        "`write` rewrites every file; `total` is wall time from reading the YAML to the last file written.\n"
    );
    println!(
        "| spec | load | normalize | emit | format | docs | write | total | baseline: YAML parse | total / baseline |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for module in MODULES {
        let baseline = median(runs, || {
            let started = Instant::now();
            let file = read(root, module.spec)?;
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
        let generated = generate_timed(root, modules, &mut timings)?;
        let written = Instant::now();
        crate::write_files(&out, &generated.files, false)?;
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
    let pick = |f: &dyn Fn(&Stages) -> Duration| middle(samples.iter().map(f).collect());
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
    Ok(middle((0..runs).map(|_| f()).collect::<Result<Vec<_>, _>>()?))
}

/// The median of `samples` (at least one).
fn middle(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// An empty directory of this process's own under the system's temp dir.
fn scratch_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("okta-xtask-bench-{name}-{}", std::process::id()))
}

/// `cargo xtask bench [what]`. Benchmarks of a debug build mean nothing, so
/// a debug xtask runs its release build instead.
pub fn main(root: &Path, args: &[String]) -> Result<(), String> {
    if cfg!(debug_assertions) {
        let mut release = vec!["run", "--release", "--quiet", "--package", "xtask", "--", "bench"];
        release.extend(args.iter().map(String::as_str));
        return cargo(root, &release);
    }
    let what = args.first().map(String::as_str);
    if matches!(what, None | Some("generator")) {
        generator(root, 10)?;
    }
    if matches!(what, None | Some("runtime")) {
        runtime(root)?;
    }
    if what == Some("compile") {
        compile(root)?;
    }
    Ok(())
}

/// What a user's crate pays to build against `okta-api`, from cold: one
/// small binary per feature set, each with its own target directory, beside
/// the baseline of a binary that depends only on `reqwest`, `serde_json`
/// and `tokio`. Dependency versions come from the workspace's `Cargo.lock`.
pub fn compile(root: &Path) -> Result<(), String> {
    const TOKIO: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;
    let okta = |features: &str| {
        format!(
            "okta-api = {{ path = {:?}{features} }}\n{TOKIO}\n",
            root.join("okta-api").display().to_string()
        )
    };
    let user_main = r#"#[tokio::main]
async fn main() -> Result<(), okta_api::Error> {
    let client = okta_api::Client::from_env()?;
    let page = okta_api::management::UserApi::new(&client).list_users().limit(200).send_page().await?;
    println!("{} users", page.items.len());
    Ok(())
}
"#;
    let baseline_main = r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("OKTA_CLIENT_ORGURL")? + "/api/v1/users?limit=200";
    let token = std::env::var("OKTA_CLIENT_TOKEN")?;
    let body = reqwest::Client::new().get(url).header("Authorization", format!("SSWS {token}")).send().await?.bytes().await?;
    let users: serde_json::Value = serde_json::from_slice(&body)?;
    println!("{} users", users.as_array().map_or(0, Vec::len));
    Ok(())
}
"#;
    let cases = [
        (
            "baseline: reqwest + serde_json + tokio",
            format!(
                "reqwest = {{ version = \"0.12\", default-features = false, features = [\"json\", \"rustls-tls\"] }}\nserde_json = \"1\"\n{TOKIO}\n"
            ),
            baseline_main,
        ),
        (
            "okta-api, one tag (`management-user`)",
            okta(r#", default-features = false, features = ["management-user"]"#),
            user_main,
        ),
        ("okta-api, default features", okta(""), user_main),
        ("okta-api, `full`", okta(r#", features = ["full"]"#), user_main),
    ];
    let scratch = root.join("target/bench-compile");
    let lock = std::fs::read(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    println!(
        "## Compile time of a user's crate, from cold (dev profile, {} cores)\n",
        cores()
    );
    println!("| crate depends on | `cargo build` | `cargo check` | build - baseline |");
    println!("|---|---|---|---|");
    let mut baseline = None;
    for (i, (name, deps, main)) in cases.iter().enumerate() {
        let dir = scratch.join(format!("case{i}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |path: &str, contents: &[u8]| {
            std::fs::write(dir.join(path), contents).map_err(|e| format!("{path}: {e}"))
        };
        write(
            "Cargo.toml",
            format!("[package]\nname = \"user-crate\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\n{deps}").as_bytes(),
        )?;
        write("Cargo.lock", &lock)?;
        write("src/main.rs", main.as_bytes())?;
        let mut times = Vec::new();
        for command in ["build", "check"] {
            let target = dir.join("target");
            let _ = std::fs::remove_dir_all(&target);
            // Downloads are not compile time.
            cargo(&dir, &["fetch", "--quiet"])?;
            let started = Instant::now();
            cargo(&dir, &[command, "--quiet"])?;
            times.push(started.elapsed());
        }
        let base = *baseline.get_or_insert(times[0]);
        let extra = if i == 0 {
            String::new()
        } else {
            format!("+{:.1} s", times[0].as_secs_f64() - base.as_secs_f64())
        };
        println!(
            "| {name} | {:.1} s | {:.1} s | {extra} |",
            times[0].as_secs_f64(),
            times[1].as_secs_f64()
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!();
    Ok(())
}

/// The SDK's criterion benchmarks (decode, request) as one table of ratios
/// against the baseline of each group, then the pagination memory table.
pub fn runtime(root: &Path) -> Result<(), String> {
    let criterion_dir = root.join("target/criterion");
    // Only this run's results are read back.
    let _ = std::fs::remove_dir_all(&criterion_dir);
    let benches = ["bench", "--quiet", "--package", "okta-api"];
    // Criterion's own report goes to stderr; the tables are stdout.
    run(cargo_command(root, &benches)
        .args(["--bench", "decode", "--bench", "request"])
        .stdout(std::io::stderr()))?;
    let mut results = Vec::new();
    for group in read_dir(&criterion_dir)? {
        for bench in read_dir(&group)? {
            let new = bench.join("new");
            if new.is_dir() {
                results.push(CriterionResult::read(&new)?);
            }
        }
    }
    results.sort_by(|a, b| {
        (&a.group, !a.is_baseline(), &a.function).cmp(&(&b.group, !b.is_baseline(), &b.function))
    });
    println!("## Runtime (criterion, mean time per iteration)\n");
    println!("| benchmark | what | time | throughput | ratio to baseline |");
    println!("|---|---|---|---|---|");
    for r in &results {
        let baseline = results
            .iter()
            .find(|b| b.group == r.group && b.is_baseline())
            .ok_or_else(|| format!("benchmark group {} has no `baseline: ` function", r.group))?;
        let throughput = r
            .bytes
            .map(|b| format!("{:.0} MB/s", b as f64 / r.mean_ns * 1e9 / 1e6))
            .unwrap_or_default();
        println!(
            "| {} | {} | {:.1} µs | {throughput} | {:.2}x |",
            r.group,
            r.function,
            r.mean_ns / 1000.0,
            r.mean_ns / baseline.mean_ns
        );
    }
    println!();
    run(cargo_command(root, &benches).args(["--bench", "pagination_memory"]))
}

/// One criterion benchmark's latest result.
struct CriterionResult {
    group: String,
    function: String,
    bytes: Option<u64>,
    mean_ns: f64,
}

impl CriterionResult {
    fn read(dir: &Path) -> Result<Self, String> {
        let json = |name: &str| -> Result<serde_json::Value, String> {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        };
        let benchmark = json("benchmark.json")?;
        let estimates = json("estimates.json")?;
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
        Ok(CriterionResult {
            group: text(&benchmark["group_id"]),
            function: text(&benchmark["function_id"]),
            bytes: benchmark["throughput"]["Bytes"].as_u64(),
            mean_ns: estimates["mean"]["point_estimate"]
                .as_f64()
                .ok_or_else(|| format!("{}: no mean estimate", dir.display()))?,
        })
    }

    fn is_baseline(&self) -> bool {
        self.function.starts_with("baseline: ")
    }
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    out.retain(|p| p.is_dir());
    out.sort();
    Ok(out)
}

/// Runs cargo in `root`, its output passed through.
fn cargo(root: &Path, args: &[&str]) -> Result<(), String> {
    run(&mut cargo_command(root, args))
}

fn cargo_command(root: &Path, args: &[&str]) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.current_dir(root).args(args);
    command
}

fn run(command: &mut std::process::Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed: {status}"))
    }
}
