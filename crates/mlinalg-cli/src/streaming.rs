//! `--memory-limit`: whether an input is streamed instead of loaded, the row source that
//! streams it, and the per-pass progress bar on a terminal.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mlinalg::MemoryLimit;
use mlinalg::stream::{
    CsrRowSource, CsvSource, MtxCsrSource, NpySource, NpzCsrSource, ParquetSource, PassProgress,
    RowSource, StreamOptions,
};

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

/// A row source for `path` if it should be streamed: a `.npy` or Parquet input whose
/// in-memory fit would need more than the limit. `None` means "load it as usual".
pub fn plan(op: &str, path: &Path, limit_arg: Option<MemoryLimit>) -> Result<Option<Plan>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let src: Box<dyn RowSource> = if crate::input::is_parquet(path) {
        Box::new(
            ParquetSource::open(&[path.to_path_buf()], crate::input::columns())
                .map_err(|e| anyhow!("{op}: {e}"))?,
        )
    } else if ext.as_deref() == Some("npy") {
        // Streaming reads real 1-d/2-d data; complex data and higher ranks take the
        // in-memory path, which handles them as NumPy does (or names what is wrong).
        let header = mlinalg::io::read_npy_header(path).map_err(|e| anyhow!("{op}: {e}"))?;
        if header.dtype.is_complex() || header.shape.len() > 2 {
            return Ok(None);
        }
        // Decided from the header: a file that fits in memory takes the in-memory path
        // whatever its dtype (the streaming reader takes fewer dtypes, float16 not among
        // them).
        let elements = header
            .shape
            .iter()
            .fold(1u128, |n, &d| n.saturating_mul(d as u128));
        if elements.saturating_mul(8 * IN_MEMORY_FACTOR) <= u128::from(limit(limit_arg).bytes()) {
            return Ok(None);
        }
        Box::new(NpySource::open(path).map_err(|e| anyhow!("{op}: {e}"))?)
    } else if ext.as_deref() == Some("csv") {
        // the in-memory reader holds the text, then the values: about twice the file
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if u128::from(bytes) * 2 <= u128::from(limit(limit_arg).bytes()) {
            return Ok(None);
        }
        Box::new(CsvSource::open(path).map_err(|e| anyhow!("{op}: {e}"))?)
    } else {
        return Ok(None);
    };
    let limit = limit(limit_arg);
    let need = match src.nrows() {
        Some(n) => u128::from(n) * src.ncols() as u128 * 8 * IN_MEMORY_FACTOR,
        // CSV: decided above from the file's size
        None => u128::MAX,
    };
    if need <= u128::from(limit.bytes()) {
        return Ok(None);
    }
    let mut opts = StreamOptions::with_memory_limit(limit);
    opts.progress = progress_bar(op);
    Ok(Some(Plan { source: src, opts }))
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

/// A sparse streamed input: a CSR row-block source and the options of the passes.
pub struct SparsePlan {
    pub source: Box<dyn CsrRowSource>,
    pub opts: StreamOptions,
}

/// A CSR row-block source for a SciPy `.npz` or a `.mtx` whose in-memory CSR form (and
/// the products' workspace) would need more than the limit; `None` means "load it".
pub fn plan_sparse(
    op: &str,
    path: &Path,
    limit_arg: Option<MemoryLimit>,
) -> Result<Option<SparsePlan>> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    let limit = limit(limit_arg);
    let (src, need): (Box<dyn CsrRowSource>, u128) = match ext.as_deref() {
        Some("npz") => {
            let s = match NpzCsrSource::open(path) {
                Ok(s) => s,
                // not a CSR archive: the usual reader says what it is
                Err(_) => return Ok(None),
            };
            let need = u128::from(s.uncompressed_bytes()) * 2;
            (Box::new(s), need)
        }
        Some("mtx") => {
            let s = match MtxCsrSource::open(path) {
                Ok(s) => s,
                Err(_) => return Ok(None),
            };
            // CSR: 8 bytes of value and 8 of index per entry, and the coordinate lists
            let need = u128::from(s.nnz()) * 32;
            (Box::new(s), need)
        }
        _ => return Ok(None),
    };
    if need <= u128::from(limit.bytes()) {
        return Ok(None);
    }
    let mut opts = StreamOptions::with_memory_limit(limit);
    opts.progress = progress_bar(op);
    Ok(Some(SparsePlan { source: src, opts }))
}
