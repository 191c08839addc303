//! Shared by the fuzz targets: a per-process scratch file for the readers that take a
//! path, the allocation cap, and the check that every message is one printable line.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Once;

/// Every allocation sized from input is capped at 1 MiB: a checked allocation above it
/// fails with an error, so one that libFuzzer's `-rss_limit_mb=256` / `-malloc_limit_mb`
/// catches was made without the check (a bug). The cap also bounds the work a tiny input
/// can ask for: a 92-byte `.mtx` declaring 8·10⁶ rows (64 MiB of row pointers) costs
/// O(rows) in every reader, legitimately — 3 s with the coverage instrumentation, and
/// 10⁶ rows (8 MiB) still exceeded the 1 s timeout on the loaded 2-core machine; at 1 MiB
/// (1.3·10⁵ rows) their work is an eighth of that case.
pub const CAP: u64 = 1 << 20;

static INIT: Once = Once::new();

/// Sets the allocation cap ([`CAP`]) once per process, and one thread for the library's
/// parallel kernels (a fuzzing process uses one core; libFuzzer's `-jobs` is the way to
/// use more).
pub fn init() {
    init_capped(CAP);
}

/// [`init`] with another allocation cap. The `.npz` and `model` targets use a smaller one:
/// their corpora grow towards archives whose members inflate to the cap (and `npz` reads
/// each input with eight readers), so at 1 MiB `npz` ran at 270 inputs/s and `model` at
/// 800–1300; the readers' paths are the same at any cap (the size checks are exercised by
/// declared sizes above it).
pub fn init_capped(cap: u64) {
    INIT.call_once(|| {
        mlinalg::memory::set_allocation_cap(Some(cap));
        // Err only when the global pool already exists, which it cannot before this call.
        let _ = mlinalg::set_num_threads(1);
        // libfuzzer-sys's panic hook aborts at once, before `catch_unwind` can run. The
        // Parquet reader catches panics of the `parquet`/`arrow` decoders (a bug there is
        // not ours to fix; the reader turns it into an error naming the file), so those
        // unwind to it; a panic it does not catch still reaches libfuzzer-sys's own
        // `catch_unwind` around the target, which aborts: a crash, as before. Every other
        // panic aborts at once, as libfuzzer-sys does.
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|l| l.file()).unwrap_or("");
            let decoder = ["/parquet-", "/arrow-"].iter().any(|c| file.contains(c));
            if !decoder {
                abort_hook(info);
            }
        }));
    });
}

/// A scratch directory of this process (on tmpfs when there is one).
pub fn scratch() -> PathBuf {
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("mlinalg-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Writes `bytes` to the scratch file `name` and returns its path.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let p = scratch().join(name);
    std::fs::write(&p, bytes).expect("scratch file");
    p
}

/// An error's message must be one line without control characters (issue 11: a hostile
/// file cannot reach the terminal through a message).
pub fn check_message(e: &mlinalg::Error) {
    let msg = e.to_string();
    assert!(
        !msg.chars()
            .any(|c| c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')),
        "unsafe message: {msg:?}"
    );
    assert!(msg.len() < 64 * 1024, "message of {} bytes", msg.len());
}

/// Checks the message of an error result; returns the value of an `Ok`.
pub fn checked<T>(r: mlinalg::Result<T>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            check_message(&e);
            None
        }
    }
}

/// The invariants of a CSR matrix every reader must establish.
pub fn check_csr(m: &mlinalg::sparse::CsrMatrix) {
    let (nrows, ncols) = m.shape();
    let (p, idx, data) = (m.indptr(), m.indices(), m.data());
    assert_eq!(p.len(), nrows + 1);
    assert_eq!(p[0], 0);
    assert_eq!(p[nrows], idx.len());
    assert_eq!(idx.len(), data.len());
    for r in 0..nrows {
        assert!(p[r] <= p[r + 1]);
        let row = &idx[p[r]..p[r + 1]];
        assert!(
            row.windows(2).all(|w| w[0] < w[1]),
            "row {r} not strictly increasing"
        );
        assert!(row.iter().all(|&c| c < ncols));
    }
}
