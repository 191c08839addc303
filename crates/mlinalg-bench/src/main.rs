//! `mlinalg-bench`: times mlinalg on the operations, sizes and seeded float64 inputs of the
//! NumPy / SciPy / scikit-learn baseline (`scripts/numpy_baseline.py`), with the same
//! op names, the same median-of-≥5-after-a-warm-up rule and the same noisy-neighbour guard.
//!
//! ```text
//! cargo run --release -p mlinalg-bench -- [--quick] [--json] [--only OP,OP] [--reps N] [--quiet-wait S]
//!                                          [--threads T] [--spin-wait on|off]
//! ```
//!
//! `--json` prints ONE JSON object `{op: {"n", "seconds" (median), "min_seconds",
//! "gflops"?, "others_cpu", "steal", "own_cores"?, "peak_mem_bytes"?, "calls_per_rep"?},
//! "_meta": {...}}`,
//! keyed like the baseline's, so `scripts/bench-vs-numpy` can join the two. Without it a
//! table is printed. Progress goes to stderr.
//!
//! After an op's timed runs it is run once more to measure its peak memory
//! (`peak_mem_bytes`, see [`mem`]), the same way `scripts/numpy_with_mem.py` measures
//! NumPy's. The small products of issue 6 (`matmul_small_*`, `forward_32x10x64`) come last;
//! each of their timed runs is a loop of [`cases::SMALL_CALLS`] calls, reported per call.
//! The file I/O ops of issue 16 ([`io`]) run when `MLINALG_BENCH_IO_DIR` names the
//! directory of their input files. Issue 12's float32 rows ([`float32`]: `*_f32_*`) and
//! stacked rows ([`stacks`]: `*_stack_*`) come after the baseline's float64 ops.

mod cases;
mod float32;
mod inputs;
mod io;
mod mem;
#[cfg(feature = "ml")]
mod ml;
mod stacks;
mod timing;

use std::process::ExitCode;

use serde_json::{Map, Value, json};

use crate::cases::Case;

const USAGE: &str = "\
usage: mlinalg-bench [--quick] [--json] [--only OP,OP] [--reps N] [--quiet-wait S] [--threads T]
                     [--spin-wait on|off]

  --quick         the baseline's smaller sizes (~30 s of NumPy time)
  --json          print one JSON object (the baseline's format) instead of a table
  --only P,P      run only ops whose name starts with one of these prefixes
  --reps N        timed runs per op (at least 5; default 5)
  --quiet-wait S  max seconds to wait before each op for other processes to go idle
                  (default 600, as the baseline; 0 disables the wait and the re-runs)
  --threads T     threads for faer and rayon (default: all cores, as the baseline's BLAS)
  --spin-wait V   on or off: mlinalg::set_spin_wait (default: MLINALG_SPIN_WAIT, else on);
                  compare the two for the time (median) and CPU (own cores) it buys";

/// Command-line settings.
struct Args {
    quick: bool,
    json: bool,
    only: Vec<String>,
    reps: usize,
    quiet_wait: f64,
    threads: Option<usize>,
    spin_wait: Option<bool>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        quick: false,
        json: false,
        only: Vec::new(),
        reps: 5,
        quiet_wait: 600.0,
        threads: None,
        spin_wait: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--quick" => args.quick = true,
            "--json" => args.json = true,
            "--only" => {
                args.only = value("--only")?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "--reps" => {
                let v = value("--reps")?;
                args.reps = v.parse().map_err(|_| format!("--reps: not a count: {v}"))?;
            }
            "--quiet-wait" => {
                let v = value("--quiet-wait")?;
                args.quiet_wait = v
                    .parse()
                    .map_err(|_| format!("--quiet-wait: not a number: {v}"))?;
            }
            "--threads" => {
                let v = value("--threads")?;
                args.threads = Some(
                    v.parse()
                        .map_err(|_| format!("--threads: not a count: {v}"))?,
                );
            }
            "--spin-wait" => {
                let v = value("--spin-wait")?;
                args.spin_wait = Some(match v.as_str() {
                    "on" => true,
                    "off" => false,
                    _ => return Err(format!("--spin-wait: on or off, not {v}")),
                });
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    // the baseline's rule: median of at least 5 timed runs
    args.reps = args.reps.max(5);
    Ok(args)
}

/// Bytes per MB in the printed tables (MiB, as `/usr/bin/time` reports kbytes / 1024).
const MB: f64 = 1024.0 * 1024.0;

/// One measured (or skipped / failed) op.
struct Row {
    name: String,
    n: Value,
    outcome: Outcome,
}

enum Outcome {
    Timed {
        t: timing::Timing,
        gflops: Option<f64>,
        /// Bytes, from one extra run after the timed ones (None off Linux).
        peak_mem: Option<u64>,
        /// Calls per timed run; `t` is already divided by it.
        calls: usize,
    },
    Failed(String),
}

fn run_case(case: Case, args: &Args) -> Row {
    let Case {
        name,
        n,
        flops,
        reps,
        calls,
        prepare,
    } = case;
    let calls = calls.max(1);
    let outcome = match prepare(&mut inputs::rng_for(&name)) {
        Err(e) => Outcome::Failed(format!("inputs: {e}")),
        Ok(mut run) => {
            let mut err = None;
            let mut t = timing::bench(
                || {
                    for _ in 0..calls {
                        if let Err(e) = run() {
                            err.get_or_insert(e.to_string());
                        }
                    }
                },
                reps.unwrap_or(args.reps).max(args.reps),
                args.quiet_wait,
            );
            t.median /= calls as f64;
            t.min /= calls as f64;
            // one more call, alone, for the peak memory
            let peak_mem = mem::peak_bytes(|| {
                if let Err(e) = run() {
                    err.get_or_insert(e.to_string());
                }
            });
            match err {
                Some(e) => Outcome::Failed(e),
                None => Outcome::Timed {
                    t,
                    gflops: flops.map(|f| f / t.median / 1e9),
                    peak_mem,
                    calls,
                },
            }
        }
    };
    match &outcome {
        Outcome::Timed {
            t,
            gflops,
            peak_mem,
            ..
        } => eprintln!(
            "{name:28} n={:14} median={}s{}{}{}{}",
            n.to_string(),
            if calls > 1 {
                format!("{:.3e}", t.median)
            } else {
                format!("{:.6}", t.median)
            },
            gflops.map(|g| format!("  {g:.1} GF/s")).unwrap_or_default(),
            t.others_cpu
                .map(|o| format!("  others={o:.3}"))
                .unwrap_or_default(),
            t.own_cores
                .map(|o| format!("  own={o:.2}"))
                .unwrap_or_default(),
            peak_mem
                .map(|b| format!("  peak={:.3} MB", b as f64 / MB))
                .unwrap_or_default(),
        ),
        Outcome::Failed(e) => eprintln!("{name:28} FAILED: {e}"),
    }
    Row { name, n, outcome }
}

fn to_json(rows: &[Row], meta: Value) -> Value {
    let mut out = Map::new();
    for r in rows {
        let v = match &r.outcome {
            Outcome::Timed {
                t,
                gflops,
                peak_mem,
                calls,
            } => {
                let mut d = Map::new();
                d.insert("n".into(), r.n.clone());
                d.insert("seconds".into(), json!(t.median));
                d.insert("min_seconds".into(), json!(t.min));
                if let (Some(o), Some(s)) = (t.others_cpu, t.steal) {
                    d.insert("others_cpu".into(), json!((o * 1000.0).round() / 1000.0));
                    d.insert("steal".into(), json!((s * 1000.0).round() / 1000.0));
                }
                if let Some(g) = gflops {
                    d.insert("gflops".into(), json!(g));
                }
                if let Some(o) = t.own_cores {
                    d.insert("own_cores".into(), json!((o * 100.0).round() / 100.0));
                }
                if let Some(b) = peak_mem {
                    d.insert("peak_mem_bytes".into(), json!(b));
                }
                if *calls > 1 {
                    d.insert("calls_per_rep".into(), json!(calls));
                }
                Value::Object(d)
            }
            Outcome::Failed(e) => json!({ "n": r.n, "error": e }),
        };
        out.insert(r.name.clone(), v);
    }
    out.insert("_meta".into(), meta);
    Value::Object(out)
}

fn print_table(rows: &[Row], skipped: &[String]) {
    println!(
        "{:<32} {:>14} {:>12} {:>12} {:>9} {:>7} {:>5} {:>10}",
        "op", "n", "median s", "min s", "GF/s", "others", "own", "peak MB"
    );
    for r in rows {
        let n = r.n.to_string().replace(',', "x").replace(['[', ']'], "");
        match &r.outcome {
            Outcome::Timed {
                t,
                gflops,
                peak_mem,
                ..
            } => println!(
                "{:<32} {:>14} {:>12.4e} {:>12.4e} {:>9} {:>7} {:>5} {:>10}",
                r.name,
                n,
                t.median,
                t.min,
                gflops.map(|g| format!("{g:.1}")).unwrap_or_default(),
                t.others_cpu.map(|o| format!("{o:.3}")).unwrap_or_default(),
                t.own_cores.map(|o| format!("{o:.2}")).unwrap_or_default(),
                peak_mem
                    .map(|b| format!("{:.3}", b as f64 / MB))
                    .unwrap_or_default(),
            ),
            Outcome::Failed(e) => println!("{:<32} {:>14} FAILED: {e}", r.name, n),
        }
    }
    for s in skipped {
        println!("(skipped: {s})");
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // both cores, as the baseline's BLAS (threadpoolctl reports all cores in use)
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if let Err(e) = mlinalg::set_num_threads(args.threads.unwrap_or(cores)) {
        eprintln!("warning: {e}");
    }
    if let Some(on) = args.spin_wait {
        mlinalg::set_spin_wait(on);
    }

    let (all, skipped) = cases::all(args.quick);
    let selected =
        |name: &str| args.only.is_empty() || args.only.iter().any(|p| name.starts_with(p));
    let rows: Vec<Row> = all
        .into_iter()
        .filter(|c| selected(&c.name))
        .map(|c| run_case(c, &args))
        .collect();
    let skipped: Vec<String> = skipped.into_iter().filter(|s| selected(s)).collect();
    for s in &skipped {
        eprintln!("{s:28} skipped: {}", cases::skip_reason(s));
    }

    if args.json {
        let meta = json!({
            "mlinalg": env!("CARGO_PKG_VERSION"),
            "backend": "faer 0.24 (pure Rust), rayon",
            "threads": mlinalg::num_threads(),
            "spin_wait": mlinalg::spin_wait(),
            "cpu_count": cores,
            "reps": args.reps,
            "quick": args.quick,
            "sparse_density": cases::SPARSE_DENSITY,
            "skipped": skipped.iter().map(|s| json!({ "op": s, "reason": cases::skip_reason(s) })).collect::<Vec<_>>(),
            "peak_mem": "peak_mem_bytes = VmHWM - VmRSS before one extra run of the op, after \
                         malloc_trim(0) and a VmHWM reset (write 5 to /proc/self/clear_refs)",
            "small_calls_per_rep": cases::SMALL_CALLS,
            "inputs": "standard normal (ChaCha8, seed 12345 ^ fnv(op)); solve/inv/det: G/sqrt(n)+I; \
                       cholesky: G G^T + n I; eigh: (G+G^T)/2; sparse: uniform pattern, values U[0,1)",
        });
        match serde_json::to_string_pretty(&to_json(&rows, meta)) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        print_table(&rows, &skipped);
    }
    if rows.iter().any(|r| matches!(r.outcome, Outcome::Failed(_))) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
