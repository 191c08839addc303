//! Criterion benchmarks of mlinalg, one module per area (style guide C12).
//!
//! ```text
//! cargo bench -p mlinalg --bench main -- --quick              # every group, short runs
//! cargo bench -p mlinalg --bench main -- --quick matmul/8     # one id (a regex filter)
//! cargo bench -p mlinalg --bench main -- --list               # the ids
//! ```
//!
//! Inputs are seeded (`mlinalg::random`) and built outside the timed closures; sizes are
//! in the `BenchmarkId`s (`group/function/size`). The sweeps are small so that the whole
//! target finishes in minutes. These benches track mlinalg against itself over time; the
//! comparison with NumPy in the same run is `scripts/bench-vs-numpy` (mlinalg-bench plus
//! `numpy_baseline.py`), which reports the ratios.

use std::time::Duration;

use criterion::{Criterion, criterion_main};

mod decomposition;
mod io;
mod linalg;
mod sparse;

/// The settings of every group: short warm-up and measurement, few samples (the machine
/// has 2 shared cores; `--quick` shortens further).
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args()
}

/// The value of a call that must succeed on the bench's valid inputs: an error would make
/// the timing meaningless, so it stops the bench.
pub fn must<T>(r: mlinalg::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("bench input rejected: {e}"))
}

criterion_main!(
    linalg::benches,
    decomposition::benches,
    sparse::benches,
    io::benches
);
