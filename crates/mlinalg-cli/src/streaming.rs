//! `--memory-limit`: whether an input is streamed instead of loaded, the row source that
//! streams it, and the per-pass progress bar on a terminal.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mlinalg::MemoryLimit;
use mlinalg::stream::{NpySource, PassProgress, RowSource, StreamOptions};

/// Set while a streamed computation draws its own progress bar: the generic spinner then
/// stays hidden (two bars on one terminal garble each other).
pub static PROGRESS_SHOWN: AtomicBool = AtomicBool::new(false);

/// Bytes an in-memory fit needs per byte of float64 data: the loaded matrix, a centred
/// copy and the decomposition's workspace (measured: PCA's SVD solver peaks near 3×).
const IN_MEMORY_FACTOR: u128 = 3;

/// A streamed input: its row source and the options of the passes.
pub struct Plan {
    pub source: Box<dyn RowSource>,
    pub opts: StreamOptions,
}

/// The memory budget: `--memory-limit`, or half of the memory available to the process
/// (cgroup limits included).
pub fn limit(arg: Option<MemoryLimit>) -> MemoryLimit {
    arg.unwrap_or_else(MemoryLimit::default_for_process)
}

/// A row source for `path` if it should be streamed: a `.npy` file whose in-memory fit
/// would need more than the limit. `None` means "load it as usual".
pub fn plan(op: &str, path: &Path, limit_arg: Option<MemoryLimit>) -> Result<Option<Plan>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    if ext.as_deref() != Some("npy") {
        return Ok(None);
    }
    let src = NpySource::open(path).map_err(|e| anyhow!("{op}: {e}"))?;
    let limit = limit(limit_arg);
    let need = u128::from(src.nrows().unwrap_or(0)) * src.ncols() as u128 * 8 * IN_MEMORY_FACTOR;
    if need <= u128::from(limit.bytes()) {
        return Ok(None);
    }
    let mut opts = StreamOptions::with_memory_limit(limit);
    opts.progress = progress_bar(op);
    Ok(Some(Plan {
        source: Box::new(src),
        opts,
    }))
}

/// A progress callback drawing one bar per pass on an interactive stderr: bytes read,
/// rows per second and the ETA of the pass. `None` when stderr is not a terminal (scripts
/// and pipes see only the `error:` line, if any).
fn progress_bar(op: &str) -> Option<mlinalg::stream::ProgressFn> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    PROGRESS_SHOWN.store(true, Ordering::Relaxed);
    let style = ProgressStyle::with_template(
        "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
    )
    .ok()?
    .progress_chars("=> ");
    let op = op.to_string();
    let state: Arc<Mutex<Option<(usize, ProgressBar)>>> = Arc::new(Mutex::new(None));
    Some(Arc::new(move |p: &PassProgress| {
        let mut guard = state.lock().unwrap_or_else(|e| e.into_inner());
        let total = p.bytes_total.unwrap_or(0);
        let fresh = !matches!(&*guard, Some((pass, _)) if *pass == p.pass);
        if fresh {
            if let Some((_, old)) = guard.take() {
                old.finish_and_clear();
            }
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(style.clone());
            *guard = Some((p.pass, bar));
        }
        if let Some((_, bar)) = &*guard {
            let done = match (p.rows_total, p.bytes_total) {
                (Some(r), Some(b)) if r > 0 => (b as f64 * p.rows_done as f64 / r as f64) as u64,
                _ => 0,
            };
            bar.set_position(done);
            let rate = if p.elapsed > 0.0 {
                p.rows_done as f64 / p.elapsed
            } else {
                0.0
            };
            let passes = p.passes.map_or(String::new(), |n| format!("/{n}"));
            bar.set_message(format!(
                "{op}: pass {}{passes}, {rate:.0} rows/s",
                p.pass + 1
            ));
            if p.rows_total == Some(p.rows_done) {
                bar.finish_and_clear();
            }
        }
    }))
}
