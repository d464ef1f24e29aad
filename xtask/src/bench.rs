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

/// Another generator, run as its users run it: a command that reads a
/// spec and writes a crate into an empty directory.
struct Peer {
    name: &'static str,
    /// The program, looked up on `PATH`.
    program: &'static str,
    /// Where to get it.
    install: &'static str,
    /// Its arguments for a spec and an output directory.
    args: fn(&Path, &Path) -> Vec<std::ffi::OsString>,
}

const PEERS: &[Peer] = &[
    Peer {
        name: "openapi-generator 7.10 (`-g rust`)",
        program: "openapi-generator-cli",
        install: "pip install openapi-generator-cli==7.10.0 (needs a Java runtime)",
        args: |spec, out| {
            let mut args: Vec<std::ffi::OsString> = vec!["generate".into(), "-i".into()];
            args.extend([spec.into(), "-o".into(), out.into()]);
            args.extend(["-g", "rust", "--skip-validate-spec"].map(Into::into));
            args
        },
    },
    Peer {
        name: "progenitor 0.15 (`cargo progenitor`)",
        program: "cargo-progenitor",
        install: "cargo install cargo-progenitor@0.15.1 --locked",
        args: |spec, out| {
            let mut args: Vec<std::ffi::OsString> = vec!["progenitor".into(), "-i".into()];
            args.extend([spec.into(), "-o".into(), out.into()]);
            args.extend(["-n", "okta", "-v", "0.1.0"].map(Into::into));
            args
        },
    },
];

/// `cargo xtask bench peers`: wall time of generating a crate from the
/// legacy and the Management spec, against other generators on the same
/// spec, interleaved round by round, each writing into a new empty
/// directory. A peer that is not installed, or that cannot read a spec, is
/// reported as such.
pub fn peers(root: &Path, rounds: usize) -> Result<(), String> {
    println!(
        "## Against other generators (wall time, {rounds} interleaved rounds, {} cores)\n",
        cores()
    );
    println!("Each round generates the crate with this generator (in process: load, normalize, emit, format, docs, and creating every file) and then runs each other generator on the same spec, every one into a new empty directory. Ratios are the peer's time over this generator's, taken within each round: median (min–max).\n");
    println!("| spec | this generator | files | peer | peer's time | files | peer / this generator |");
    println!("|---|---|---|---|---|---|---|");
    let out = scratch_dir("peers");
    for module in MODULES
        .iter()
        .filter(|m| matches!(m.module, "legacy" | "management"))
    {
        // Every generator reads the same document: the spec with its
        // overlays applied, as JSON.
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        let spec = out.with_extension("json");
        let overlays = module
            .overlays
            .iter()
            .map(|o| read(root, o))
            .collect::<Result<Vec<_>, _>>()?;
        let loaded = load::load(&read(root, module.spec)?, &overlays).map_err(|e| e.to_string())?;
        std::fs::write(&spec, loaded.raw.to_string()).map_err(|e| e.to_string())?;
        let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); PEERS.len()];
        let mut failed: Vec<Option<String>> = PEERS.iter().map(|p| on_path(p.program).err()).collect();
        let mut files = (0, vec![0; PEERS.len()]);
        for round in 0..=rounds {
            let _ = std::fs::remove_dir_all(&out);
            let started = Instant::now();
            let generated = generate_timed(root, std::slice::from_ref(module), &mut Timings::default())?;
            crate::write_files(&out.join("this"), &generated.files, false)?;
            let ours = started.elapsed().as_secs_f64();
            files.0 = generated.files.len();
            for (i, peer) in PEERS.iter().enumerate() {
                if failed[i].is_some() {
                    continue;
                }
                let dir = out.join(format!("peer-{i}"));
                let started = Instant::now();
                let output = std::process::Command::new(peer.program)
                    .args((peer.args)(&spec, &dir))
                    .stdin(std::process::Stdio::null())
                    .output();
                let theirs = started.elapsed().as_secs_f64();
                match output {
                    Ok(o) if o.status.success() => {
                        files.1[i] = count_files(&dir);
                        // The first round warms the caches of both.
                        if round > 0 {
                            runs[i].push((ours, theirs));
                        }
                    }
                    Ok(o) => {
                        let said = String::from_utf8_lossy(&o.stderr);
                        let first = said.lines().next().unwrap_or_default();
                        let first: String = first.chars().take(120).collect();
                        failed[i] = Some(format!("fails on this spec ({}): `{first}`", o.status));
                    }
                    Err(e) => failed[i] = Some(format!("cannot be run: {e}")),
                }
            }
        }
        for (i, peer) in PEERS.iter().enumerate() {
            match &failed[i] {
                Some(why) => println!("| {} | | | {} | {why} | | |", module.spec, peer.name),
                None => {
                    let p = Paired::of(&runs[i]);
                    println!(
                        "| {} | {:.2} s | {} | {} | {:.2} s | {} | {} |",
                        module.spec,
                        p.baseline,
                        files.0,
                        peer.name,
                        p.this,
                        files.1[i],
                        ratio_spread(&p.ratio)
                    );
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(out.with_extension("json"));
    for peer in PEERS {
        if on_path(peer.program).is_err() {
            println!("\n{} is not installed: {}.", peer.name, peer.install);
        }
    }
    println!();
    Ok(())
}

/// Whether `program` is on `PATH`.
fn on_path(program: &str) -> Result<(), String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    match std::env::split_paths(&path).any(|dir| dir.join(program).is_file()) {
        true => Ok(()),
        false => Err("not installed".into()),
    }
}

/// How many files are under `dir`.
fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries
            .flatten()
            .map(|e| match e.file_type() {
                Ok(t) if t.is_dir() => count_files(&e.path()),
                _ => 1,
            })
            .sum()
    })
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

/// What `cargo xtask bench` was asked for.
#[derive(Debug, PartialEq)]
struct Options {
    /// `generator`, `runtime`, `compile` or `peers`; none runs the first two.
    what: Option<String>,
    /// `--pairs N`: baseline/case pairs per compile case (default 3).
    pairs: Option<usize>,
    /// `--cases a,b`: the compile cases to run beside the baseline.
    cases: Option<Vec<String>>,
}

const BENCH_USAGE: &str = "cargo xtask bench [generator|runtime|compile|peers] [--pairs N] [--cases a,b,...]";

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        what: None,
        pairs: None,
        cases: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--pairs" => {
                let n = args.next().ok_or("--pairs needs a number")?;
                let n = n
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| format!("--pairs {n}: not a positive number"))?;
                options.pairs = Some(n);
            }
            "--cases" => {
                let list = args.next().ok_or("--cases needs a comma-separated list")?;
                options.cases = Some(
                    list.split(',')
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(String::from)
                        .collect(),
                );
            }
            what @ ("generator" | "runtime" | "compile" | "peers") if options.what.is_none() => {
                options.what = Some(what.to_string());
            }
            other => return Err(format!("unexpected argument `{other}`; usage: {BENCH_USAGE}")),
        }
    }
    if (options.pairs.is_some() || options.cases.is_some()) && options.what.as_deref() != Some("compile") {
        return Err(format!(
            "--pairs and --cases apply to `compile`; usage: {BENCH_USAGE}"
        ));
    }
    Ok(options)
}

/// `cargo xtask bench [what] [--pairs N] [--cases a,b]`. Benchmarks of a
/// debug build mean nothing, so a debug xtask runs its release build instead.
pub fn main(root: &Path, args: &[String]) -> Result<(), String> {
    let options = parse_args(args)?;
    if cfg!(debug_assertions) {
        let mut release = vec!["run", "--release", "--quiet", "--package", "xtask", "--", "bench"];
        release.extend(args.iter().map(String::as_str));
        return cargo(root, &release);
    }
    let what = options.what.as_deref();
    if matches!(what, None | Some("generator")) {
        generator(root, 10)?;
    }
    if matches!(what, None | Some("runtime")) {
        runtime(root)?;
    }
    if what == Some("compile") {
        compile(root, options.pairs.unwrap_or(3), options.cases.as_deref())?;
    }
    if what == Some("peers") {
        peers(root, 5)?;
    }
    Ok(())
}

/// One crate of the compile benchmark: a small binary that lists users.
struct Case {
    /// Its name for `--cases`.
    key: &'static str,
    /// Its name in the tables.
    name: &'static str,
    /// Its `[dependencies]`.
    deps: String,
    /// Its `src/main.rs`.
    main: &'static str,
    /// Whether the release binary's size is measured too.
    size: bool,
}

const TOKIO: &str = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;

/// The compile cases, the baseline first. Dependency versions come from
/// the workspace's `Cargo.lock` (those of `okta` 0.7.1, which the workspace
/// does not use, from crates.io as `cargo fetch` resolves them).
fn compile_cases(root: &Path) -> Vec<Case> {
    let okta = |features: &str| {
        format!(
            "okta-api = {{ path = {:?}{features} }}\n{TOKIO}\n",
            root.join("okta-api").display().to_string()
        )
    };
    let user_main = r#"#[tokio::main]
async fn main() -> Result<(), okta_api::Error> {
    let client = okta_api::Client::from_env()?;
    let page = okta_api::management::UserApi::new(&client).list_users().limit(200).send().await?;
    println!("{} users", page.items.len());
    Ok(())
}
"#;
    let baseline_main = r#"#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct User {
    id: String,
    status: String,
    profile: serde_json::Map<String, serde_json::Value>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("OKTA_CLIENT_ORGURL")? + "/api/v1/users?limit=200";
    let token = std::env::var("OKTA_CLIENT_TOKEN")?;
    let body = reqwest::Client::new().get(url).header("Authorization", format!("SSWS {token}")).send().await?.error_for_status()?.bytes().await?;
    let users: Vec<User> = serde_json::from_slice(&body)?;
    let active = users.iter().filter(|u| u.status == "ACTIVE").count();
    println!("{} users ({active} active), first {:?} with {} profile fields", users.len(), users.first().map(|u| &u.id), users.first().map_or(0, |u| u.profile.len()));
    Ok(())
}
"#;
    let okta_071_main = r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut client = okta::Client::new_from_env();
    client.with_host_override(std::env::var("OKTA_CLIENT_ORGURL")?);
    let page = client.users().list("", "", 200, "", "", "", "").await?;
    println!("{} users", page.body.len());
    Ok(())
}
"#;
    vec![
        Case {
            key: "baseline",
            name: "baseline: reqwest + serde + serde_json + tokio",
            deps: format!(
                "reqwest = {{ version = \"0.12\", default-features = false, features = [\"json\", \"rustls-tls\"] }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n{TOKIO}\n"
            ),
            main: baseline_main,
            size: true,
        },
        Case {
            key: "management-user",
            name: "okta-api, one tag (`management-user`)",
            deps: okta(r#", default-features = false, features = ["management-user"]"#),
            main: user_main,
            size: true,
        },
        Case {
            key: "default",
            name: "okta-api, default features",
            deps: okta(""),
            main: user_main,
            size: true,
        },
        Case {
            key: "okta-0.7.1",
            name: "`okta` 0.7.1 (crates.io), default features",
            deps: format!("okta = \"=0.7.1\"\n{TOKIO}\n"),
            main: okta_071_main,
            size: true,
        },
        Case {
            key: "full",
            name: "okta-api, `full`",
            deps: okta(r#", features = ["full"]"#),
            main: user_main,
            size: false,
        },
    ]
}

/// The indexes in `keys` (the baseline's first) of the cases `wanted`
/// names, in `keys` order, the baseline left out: it runs beside each.
/// All of them when nothing is asked for.
fn select_cases(keys: &[&str], wanted: Option<&[String]>) -> Result<Vec<usize>, String> {
    let Some(wanted) = wanted else {
        return Ok((1..keys.len()).collect());
    };
    if let Some(unknown) = wanted.iter().find(|w| !keys.contains(&w.as_str())) {
        return Err(format!(
            "--cases: no case `{unknown}`; the cases are {}",
            keys.join(", ")
        ));
    }
    let chosen: Vec<usize> = (1..keys.len())
        .filter(|&i| wanted.iter().any(|w| w == keys[i]))
        .collect();
    if chosen.is_empty() {
        return Err(format!(
            "--cases: nothing to compare with the baseline; the cases are {}",
            keys[1..].join(", ")
        ));
    }
    Ok(chosen)
}

/// What a user's crate pays to build against `okta-api`, from cold, beside
/// a baseline that makes the same call by hand and beside `okta` 0.7.1, the
/// older community crate. Each case is paired with the baseline, the two
/// interleaved (baseline, case, baseline, case, ...), each build in a fresh
/// target directory of its own with `CARGO_INCREMENTAL=0` and no compiler
/// wrapper, the sources fetched beforehand; differences and ratios are
/// taken within each pair. Then the release binaries' sizes.
pub fn compile(root: &Path, pairs: usize, wanted: Option<&[String]>) -> Result<(), String> {
    let cases = compile_cases(root);
    let keys: Vec<&str> = cases.iter().map(|c| c.key).collect();
    let chosen = select_cases(&keys, wanted)?;
    if pairs < 3 {
        eprintln!("warning: {pairs} pair(s): a smoke run; figures worth quoting take at least 3");
    }
    let meter = Meter::new();
    let scratch = root.join("target/bench-compile");
    let _ = std::fs::remove_dir_all(&scratch);
    let lock = std::fs::read(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    // Every crate written and its sources downloaded before any timing:
    // downloads are not compile time.
    for i in std::iter::once(0).chain(chosen.iter().copied()) {
        let case = &cases[i];
        let dir = scratch.join(case.key);
        std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{}: {e}", dir.display()))?;
        let write = |path: &str, contents: &[u8]| {
            std::fs::write(dir.join(path), contents).map_err(|e| format!("{}/{path}: {e}", dir.display()))
        };
        write(
            "Cargo.toml",
            format!(
                "[package]\nname = \"user-crate\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\n{}",
                case.deps
            )
            .as_bytes(),
        )?;
        write("Cargo.lock", &lock)?;
        write("src/main.rs", case.main.as_bytes())?;
        cargo(&dir, &["fetch", "--quiet"])?;
    }
    let rss_note = match &meter.time {
        Some(time) => format!(
            "Peak RSS is that of the largest process of the build (`rustc` or the linker), from `{} -f %M`",
            time.display()
        ),
        None => {
            eprintln!(
                "warning: {GNU_TIME} (GNU time) is missing, so peak RSS is not measured; `apt-get install time` provides it"
            );
            format!("Peak RSS not measured: {GNU_TIME} (GNU time) is missing (`apt-get install time`)")
        }
    };
    println!(
        "## Compile time of a user's crate, from cold (dev profile, {} cores, {pairs} pair{})\n",
        cores(),
        if pairs == 1 { "" } else { "s" }
    );
    println!(
        "Each pair builds the baseline and then the crate (baseline, crate, baseline, crate, ...), every build in a fresh target directory of its own, `CARGO_INCREMENTAL=0`, sources fetched beforehand, `--offline`. Times are medians over the pairs; the difference and the ratio are taken within each pair, and given as median (min to max). {rss_note}.\n"
    );
    println!(
        "| crate depends on | command | baseline | this crate | - baseline: median (min to max) | / baseline: median (min–max) | peak RSS: baseline | peak RSS | RSS / baseline |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let base_dir = scratch.join(cases[0].key);
    for &i in &chosen {
        let case = &cases[i];
        let dir = scratch.join(case.key);
        let mut build = Vec::new();
        let mut check = Vec::new();
        for pair in 1..=pairs {
            for (command, samples) in [("build", &mut build), ("check", &mut check)] {
                let args = [command, "--quiet", "--offline"];
                let a = meter.cold(&base_dir, &args)?;
                progress(pair, pairs, cases[0].key, command, &a, &base_dir);
                let b = meter.cold(&dir, &args)?;
                progress(pair, pairs, case.key, command, &b, &dir);
                samples.push((a, b));
            }
        }
        for (command, samples) in [("build", &build), ("check", &check)] {
            let secs: Vec<(f64, f64)> = samples.iter().map(|(a, b)| (a.secs, b.secs)).collect();
            let time = Paired::of(&secs);
            let rss: Option<Vec<(f64, f64)>> = samples
                .iter()
                .map(|(a, b)| Some((a.rss_kib? / 1024.0, b.rss_kib? / 1024.0)))
                .collect();
            let rss = match rss.as_deref().map(Paired::of) {
                Some(r) => format!(
                    "{:.0} MiB | {:.0} MiB | {}",
                    r.baseline,
                    r.this,
                    ratio_spread(&r.ratio)
                ),
                None => "n/a | n/a | n/a".into(),
            };
            println!(
                "| {} | `cargo {command}` | {:.1} s | {:.1} s | {} | {} | {rss} |",
                case.name,
                time.baseline,
                time.this,
                diff_spread(&time.diff, "s"),
                ratio_spread(&time.ratio),
            );
        }
    }
    println!();
    let sized: Vec<usize> = chosen.iter().copied().filter(|&i| cases[i].size).collect();
    if !sized.is_empty() {
        // Size does not depend on what was built before, so these builds
        // share one target directory.
        let target = scratch.join("release-target");
        let size = |case: &Case| -> Result<u64, String> {
            let dir = scratch.join(case.key);
            let mut command = cargo_command(&dir, &["build", "--release", "--quiet", "--offline"]);
            cold_env(&mut command, &target);
            run(&mut command)?;
            let binary = target.join("release/user-crate");
            let bytes = std::fs::metadata(&binary)
                .map_err(|e| format!("{}: {e}", binary.display()))?
                .len();
            eprintln!("release binary: {}: {:.2} MiB", case.key, mib(bytes));
            Ok(bytes)
        };
        let base = size(&cases[0])?;
        println!("## Release binary size of a user's crate (default release profile, as built)\n");
        println!("| binary depends on | size | baseline | - baseline | / baseline |");
        println!("|---|---|---|---|---|");
        for &i in &sized {
            let bytes = size(&cases[i])?;
            println!(
                "| {} | {:.2} MiB | {:.2} MiB | {:+.2} MiB | {:.2}x |",
                cases[i].name,
                mib(bytes),
                mib(base),
                mib(bytes) - mib(base),
                bytes as f64 / base as f64
            );
        }
        println!();
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(())
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// One build's progress, on stderr (the tables are stdout).
fn progress(pair: usize, pairs: usize, key: &str, command: &str, sample: &Sample, dir: &Path) {
    let rss = sample
        .rss_kib
        .map(|k| format!(", peak RSS {:.0} MiB", k / 1024.0))
        .unwrap_or_default();
    eprintln!(
        "pair {pair}/{pairs}: {key}: cargo {command}: {:.1} s{rss} (target dir {})",
        sample.secs,
        dir.join("target").display()
    );
}

const GNU_TIME: &str = "/usr/bin/time";

/// Times cold builds, with their peak RSS when GNU time is installed.
struct Meter {
    time: Option<PathBuf>,
}

/// One build: wall time, and peak RSS in KiB.
struct Sample {
    secs: f64,
    rss_kib: Option<f64>,
}

impl Meter {
    fn new() -> Self {
        let probe = scratch_dir("time-probe");
        let works = std::process::Command::new(GNU_TIME)
            .args(["-f", "%M", "-o"])
            .arg(&probe)
            .arg("true")
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
            && std::fs::read_to_string(&probe).is_ok_and(|t| parse_rss(&t).is_some());
        let _ = std::fs::remove_file(&probe);
        Meter {
            time: works.then(|| PathBuf::from(GNU_TIME)),
        }
    }

    /// `cargo <args>` in `dir` from cold, in `dir/target`, emptied before
    /// and removed after.
    fn cold(&self, dir: &Path, args: &[&str]) -> Result<Sample, String> {
        let target = dir.join("target");
        let _ = std::fs::remove_dir_all(&target);
        let report = dir.join("time.txt");
        let mut command = match &self.time {
            Some(time) => {
                let mut command = std::process::Command::new(time);
                command.args(["-f", "%M", "-o"]).arg(&report).arg(cargo_path());
                command.current_dir(dir).args(args);
                command
            }
            None => cargo_command(dir, args),
        };
        cold_env(&mut command, &target);
        let started = Instant::now();
        let result = run(&mut command);
        let secs = started.elapsed().as_secs_f64();
        let _ = std::fs::remove_dir_all(&target);
        result?;
        let rss_kib = match &self.time {
            Some(_) => {
                let text =
                    std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
                Some(
                    parse_rss(&text)
                        .ok_or_else(|| format!("{}: no peak RSS in {text:?}", report.display()))?,
                )
            }
            None => None,
        };
        Ok(Sample { secs, rss_kib })
    }
}

/// The environment of a cold build into `target`, whatever this process
/// inherited: its own target directory, no incremental compilation, no
/// compiler wrapper (a cache such as sccache would make it warm).
fn cold_env(command: &mut std::process::Command, target: &Path) {
    command
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_INCREMENTAL", "0");
    for wrapper in [
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_BUILD_RUSTC_WRAPPER",
        "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    ] {
        command.env_remove(wrapper);
    }
}

/// The `%M` (KiB) GNU time wrote: its last line (a failed command's status
/// line comes before it).
fn parse_rss(report: &str) -> Option<f64> {
    report
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())?
        .trim()
        .parse()
        .ok()
}

/// The median and range of a figure over the pairs.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Spread {
    median: f64,
    min: f64,
    max: f64,
    /// How many pairs.
    n: usize,
}

/// The median (of the two middle values, for an even count) and range of
/// `values`, at least one.
fn spread(values: &[f64]) -> Spread {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    };
    Spread {
        median,
        min: sorted[0],
        max: sorted[n - 1],
        n,
    }
}

/// Paired measurements (baseline, this) summed up.
#[derive(Debug, PartialEq)]
struct Paired {
    /// Median of the baseline's figures.
    baseline: f64,
    /// Median of this case's figures.
    this: f64,
    /// Of `this - baseline`, pair by pair.
    diff: Spread,
    /// Of `this / baseline`, pair by pair.
    ratio: Spread,
}

impl Paired {
    fn of(pairs: &[(f64, f64)]) -> Paired {
        let column = |f: &dyn Fn(&(f64, f64)) -> f64| pairs.iter().map(f).collect::<Vec<_>>();
        Paired {
            baseline: spread(&column(&|p| p.0)).median,
            this: spread(&column(&|p| p.1)).median,
            diff: spread(&column(&|p| p.1 - p.0)),
            ratio: spread(&column(&|p| p.1 / p.0)),
        }
    }
}

/// `+9.1 s (+8.7 to +9.8)`; the range left out for a single pair.
fn diff_spread(s: &Spread, unit: &str) -> String {
    if s.n == 1 {
        format!("{:+.1} {unit}", s.median)
    } else {
        format!("{:+.1} {unit} ({:+.1} to {:+.1})", s.median, s.min, s.max)
    }
}

/// `1.56x (1.52–1.60)`; the range left out for a single pair.
fn ratio_spread(s: &Spread) -> String {
    if s.n == 1 {
        format!("{:.2}x", s.median)
    } else {
        format!("{:.2}x ({:.2}–{:.2})", s.median, s.min, s.max)
    }
}

/// Where criterion writes its results, as criterion 0.8 decides it in the
/// benchmark process (whose working directory is `bench_cwd`, the
/// package's): `$CRITERION_HOME`, else `$CARGO_TARGET_DIR/criterion`, else
/// the target directory `cargo metadata` names, else `target/criterion`,
/// a relative path being relative to `bench_cwd`.
fn criterion_home(
    bench_cwd: &Path,
    criterion_home: Option<std::ffi::OsString>,
    cargo_target_dir: Option<std::ffi::OsString>,
    metadata_target_dir: impl FnOnce() -> Option<PathBuf>,
) -> PathBuf {
    let dir = if let Some(home) = criterion_home {
        PathBuf::from(home)
    } else if let Some(target) = cargo_target_dir.map(PathBuf::from).or_else(metadata_target_dir) {
        target.join("criterion")
    } else {
        PathBuf::from("target/criterion")
    };
    bench_cwd.join(dir)
}

/// The target directory `cargo metadata` reports for the workspace at `root`.
fn metadata_target_dir(root: &Path) -> Option<PathBuf> {
    let output = cargo_command(root, &["metadata", "--format-version", "1", "--no-deps"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    metadata["target_directory"].as_str().map(PathBuf::from)
}

/// The SDK's criterion benchmarks (decode, request) as one table of ratios
/// against the baseline of each group; the request benchmark's interleaved
/// measurement of the per-call overhead; then the pagination memory table.
pub fn runtime(root: &Path) -> Result<(), String> {
    let package = root.join("okta-api");
    let criterion_dir = criterion_home(
        &package,
        std::env::var_os("CRITERION_HOME"),
        std::env::var_os("CARGO_TARGET_DIR"),
        || metadata_target_dir(root),
    );
    eprintln!("criterion results: {}", criterion_dir.display());
    let interleaved_file = scratch_dir("interleaved.json");
    let _ = std::fs::remove_file(&interleaved_file);
    // Only this run's results are read back: those written since now
    // (whole seconds, for filesystems that keep no finer times).
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let benches = ["bench", "--quiet", "--package", "okta-api"];
    // Criterion's own report goes to stderr; the tables are stdout. The
    // benchmarks are told where to write, which is where this reads.
    run(cargo_command(root, &benches)
        .args(["--bench", "decode", "--bench", "request"])
        .env("CRITERION_HOME", &criterion_dir)
        .env(INTERLEAVED_ENV, &interleaved_file)
        .stdout(std::io::stderr()))?;
    let mut results = Vec::new();
    for group in read_dir(&criterion_dir)? {
        for bench in read_dir(&group)? {
            let new = bench.join("new");
            let fresh = std::fs::metadata(new.join("estimates.json"))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .is_some_and(|t| t.as_secs() >= started);
            if fresh {
                results.push(CriterionResult::read(&new)?);
            }
        }
    }
    if results.is_empty() {
        return Err(format!(
            "no results of this run under {}",
            criterion_dir.display()
        ));
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
    interleaved_table(&interleaved_file)?;
    let _ = std::fs::remove_file(&interleaved_file);
    run(cargo_command(root, &benches).args(["--bench", "pagination_memory"]))
}

/// Where `benches/request.rs` writes its interleaved measurement.
const INTERLEAVED_ENV: &str = "OKTA_API_BENCH_INTERLEAVED";

/// The per-call overhead from the request benchmark's interleaved rounds:
/// each round times a block of baseline calls and a block of SDK calls back
/// to back, so the machine's drift hits both alike, and the ratio is taken
/// within the round.
fn interleaved_table(file: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let calls: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let calls = calls
        .as_array()
        .ok_or_else(|| format!("{}: not a list", file.display()))?;
    let numbers = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
            .unwrap_or_default()
    };
    let rounds = calls.first().map_or(0, |c| numbers(&c["baseline_ns"]).len());
    println!("## Per-call overhead, interleaved ({rounds} rounds)\n");
    println!("Each round times a block of hand-written `reqwest` calls and a block of SDK calls back to back, which goes first alternating; the ratio is taken within each round.\n");
    println!("| call | calls per block | baseline per call (median) | okta-api per call (median) | okta-api / baseline: median (min–max) |");
    println!("|---|---|---|---|---|");
    for call in calls {
        let baseline = numbers(&call["baseline_ns"]);
        let sdk = numbers(&call["sdk_ns"]);
        if baseline.is_empty() || baseline.len() != sdk.len() {
            return Err(format!("{}: uneven rounds for {}", file.display(), call["call"]));
        }
        let pairs: Vec<(f64, f64)> = baseline.into_iter().zip(sdk).collect();
        let p = Paired::of(&pairs);
        println!(
            "| {} | {} | {:.1} µs | {:.1} µs | {} |",
            call["call"].as_str().unwrap_or_default(),
            call["calls"],
            p.baseline / 1000.0,
            p.this / 1000.0,
            ratio_spread(&p.ratio)
        );
    }
    println!();
    Ok(())
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
    let mut command = std::process::Command::new(cargo_path());
    command.current_dir(root).args(args);
    command
}

/// The cargo that runs this xtask, else the one on `PATH`.
fn cargo_path() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn median_of_an_odd_and_an_even_count() {
        assert_eq!(spread(&[3.0, 1.0, 2.0]).median, 2.0);
        assert_eq!(spread(&[4.0, 1.0, 3.0, 2.0]).median, 2.5);
        let one = spread(&[7.0]);
        assert_eq!((one.median, one.min, one.max, one.n), (7.0, 7.0, 7.0, 1));
    }

    #[test]
    fn differences_and_ratios_are_taken_within_each_pair() {
        // The machine slows down between pairs; within each pair the case
        // costs 10 s more, twice the baseline.
        let p = Paired::of(&[(10.0, 20.0), (30.0, 40.0), (20.0, 30.0)]);
        assert_eq!(p.baseline, 20.0);
        assert_eq!(p.this, 30.0);
        assert_eq!(
            p.diff,
            Spread {
                median: 10.0,
                min: 10.0,
                max: 10.0,
                n: 3
            }
        );
        assert_eq!(p.ratio.median, 1.5);
        assert_eq!(p.ratio.min, 40.0 / 30.0);
        assert_eq!(p.ratio.max, 2.0);
        // Not the difference of the medians.
        let p = Paired::of(&[(1.0, 5.0), (2.0, 2.5), (10.0, 10.5)]);
        assert_eq!(p.diff.median, 0.5);
        assert_eq!(p.this - p.baseline, 3.0);
    }

    #[test]
    fn spreads_print_median_then_range() {
        let s = spread(&[1.52, 1.60, 1.56]);
        assert_eq!(ratio_spread(&s), "1.56x (1.52–1.60)");
        assert_eq!(ratio_spread(&spread(&[1.04])), "1.04x");
        let d = spread(&[9.1, 8.7, 9.8]);
        assert_eq!(diff_spread(&d, "s"), "+9.1 s (+8.7 to +9.8)");
        assert_eq!(
            diff_spread(&spread(&[-0.25, 0.5, 0.1]), "s"),
            "+0.1 s (-0.2 to +0.5)"
        );
        assert_eq!(diff_spread(&spread(&[-1.0]), "s"), "-1.0 s");
    }

    #[test]
    fn criterion_home_is_where_criterion_writes() {
        let cwd = Path::new("/ws/okta-api");
        let none = || None;
        let metadata = || Some(PathBuf::from("/ws/custom-target"));
        // $CRITERION_HOME first, relative to the benchmark's directory.
        assert_eq!(
            criterion_home(cwd, Some("/c".into()), Some("/t".into()), metadata),
            Path::new("/c")
        );
        assert_eq!(
            criterion_home(cwd, Some("out".into()), None, none),
            Path::new("/ws/okta-api/out")
        );
        // Then $CARGO_TARGET_DIR/criterion, whatever cargo metadata says.
        assert_eq!(
            criterion_home(cwd, None, Some("/t".into()), || panic!("not asked")),
            Path::new("/t/criterion")
        );
        assert_eq!(
            criterion_home(cwd, None, Some("../tgt".into()), none),
            Path::new("/ws/okta-api/../tgt/criterion")
        );
        // Then the target directory of `cargo metadata`, else target/.
        assert_eq!(
            criterion_home(cwd, None, None, metadata),
            Path::new("/ws/custom-target/criterion")
        );
        assert_eq!(
            criterion_home(cwd, None, None, none),
            Path::new("/ws/okta-api/target/criterion")
        );
    }

    #[test]
    fn gnu_time_report() {
        assert_eq!(parse_rss("412345\n"), Some(412345.0));
        assert_eq!(
            parse_rss("Command exited with non-zero status 101\n9000\n"),
            Some(9000.0)
        );
        assert_eq!(parse_rss(""), None);
    }

    #[test]
    fn arguments() {
        assert_eq!(
            parse_args(&args(&[
                "compile",
                "--pairs",
                "1",
                "--cases",
                "management-user, full"
            ])),
            Ok(Options {
                what: Some("compile".into()),
                pairs: Some(1),
                cases: Some(vec!["management-user".into(), "full".into()]),
            })
        );
        assert_eq!(
            parse_args(&[]),
            Ok(Options {
                what: None,
                pairs: None,
                cases: None
            })
        );
        assert!(parse_args(&args(&["compile", "--pairs", "0"])).is_err());
        assert!(parse_args(&args(&["compile", "--pairs"])).is_err());
        assert!(parse_args(&args(&["runtime", "--pairs", "2"])).is_err());
        assert!(parse_args(&args(&["compile", "runtime"])).is_err());
        assert_eq!(
            parse_args(&args(&["peers"])).map(|o| o.what),
            Ok(Some("peers".into()))
        );
        assert!(parse_args(&args(&["peers", "--cases", "full"])).is_err());
    }

    #[test]
    fn files_are_counted_at_every_depth_and_a_missing_directory_has_none() {
        let dir = scratch_dir("count-files");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        for file in ["x", "a/y", "a/b/z"] {
            std::fs::write(dir.join(file), "").unwrap();
        }
        assert_eq!(count_files(&dir), 3);
        assert_eq!(count_files(&dir.join("none")), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn case_selection() {
        let keys = ["baseline", "management-user", "default", "okta-0.7.1", "full"];
        assert_eq!(select_cases(&keys, None), Ok(vec![1, 2, 3, 4]));
        let wanted = args(&["full", "baseline", "management-user"]);
        assert_eq!(select_cases(&keys, Some(&wanted)), Ok(vec![1, 4]));
        assert!(select_cases(&keys, Some(&args(&["baseline"]))).is_err());
        assert!(select_cases(&keys, Some(&args(&["okta"]))).is_err());
        let root = Path::new("/ws");
        let cases = compile_cases(root);
        assert_eq!(cases.iter().map(|c| c.key).collect::<Vec<_>>(), keys);
    }
}
