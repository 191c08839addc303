//! The file I/O ops of issue 16, on the files `scripts/numpy_io_bench.py` writes (the NumPy
//! side of the same ops): `.npy` read and write, `info`'s statistics, transpose-and-write,
//! `.npz` read, Matrix Market read, CSV read. They run only when the environment variable
//! `MLINALG_BENCH_IO_DIR` names the directory of those files (`scripts/bench-vs-numpy --io`
//! sets it); otherwise they are listed as skipped.
//!
//! Every op reads from or writes to the page cache (the files were just written or read),
//! as NumPy's side does: the timings compare the plumbing, not the disk.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use mlinalg::io::{NpyOrder, TypedArray};
use serde_json::json;

use crate::cases::{Case, Run, case, run};

/// The environment variable naming the directory of the benchmark files.
pub const DIR_VAR: &str = "MLINALG_BENCH_IO_DIR";

/// Why the I/O ops are skipped when [`DIR_VAR`] is unset.
pub const SKIP_REASON: &str =
    "MLINALG_BENCH_IO_DIR is not set (scripts/bench-vs-numpy --io writes the files and sets it)";

/// The sizes of the I/O ops: the dense matrix (`.npy`, `.npz`), the sparse matrix and its
/// entries (`.mtx`), the CSV table. Full: 640 MB `.npy`, ≈ 250 MB `.mtx`, ≈ 200 MB CSV, as
/// in issue 16. `scripts/numpy_io_bench.py` uses the same numbers.
pub struct Sizes {
    pub dense: (usize, usize),
    pub sparse: (usize, usize, usize),
    pub csv: (usize, usize),
}

/// The sizes for a full or `--quick` run.
pub fn sizes(quick: bool) -> Sizes {
    if quick {
        Sizes {
            dense: (100_000, 200),
            sparse: (100_000, 20_000, 1_500_000),
            csv: (50_000, 50),
        }
    } else {
        Sizes {
            dense: (400_000, 200),
            sparse: (300_000, 50_000, 7_500_000),
            csv: (200_000, 50),
        }
    }
}

/// The names of the I/O ops (for the skip list).
pub fn names(quick: bool) -> Vec<String> {
    let Sizes { dense, sparse, csv } = sizes(quick);
    let d = format!("{}x{}", dense.0, dense.1);
    vec![
        format!("io_npy_read_{d}"),
        format!("io_npy_write_{d}"),
        format!("io_info_{d}"),
        format!("io_transpose_write_{d}"),
        format!("io_npz_read_{d}"),
        format!("io_mtx_read_{}x{}", sparse.0, sparse.1),
        format!("io_csv_read_{}x{}", csv.0, csv.1),
        format!("io_csv_read_pyarrow_{}x{}", csv.0, csv.1),
    ]
}

/// [`run`] after `sync(2)`: before an op is timed, the dirty pages that the ops before it
/// (and the NumPy side's run) left are written back, so that no op waits for the write-back
/// of another's output (truncating or replacing a file whose pages are being written back
/// waits for that I/O). `scripts/numpy_io_bench.py` does the same before each of its ops.
fn settled(f: impl FnMut() -> mlinalg::Result<()> + 'static) -> mlinalg::Result<Run> {
    // SAFETY: `sync` takes no arguments and cannot fail.
    unsafe { libc::sync() };
    run(f)
}

/// A file of the benchmark directory, or an error saying how to create it.
fn input(dir: &Path, name: &str) -> mlinalg::Result<PathBuf> {
    let p = dir.join(name);
    if p.is_file() {
        Ok(p)
    } else {
        Err(mlinalg::Error::Io {
            path: p,
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "missing: run scripts/numpy_io_bench.py (or scripts/bench-vs-numpy --io) first",
            ),
        })
    }
}

/// Appends the I/O ops if [`DIR_VAR`] is set; returns the names of those skipped.
pub fn cases(quick: bool, v: &mut Vec<Case>) -> Vec<String> {
    let Some(dir) = std::env::var_os(DIR_VAR).map(PathBuf::from) else {
        return names(quick);
    };
    let Sizes { dense, sparse, csv } = sizes(quick);
    let (m, k) = dense;
    let d = format!("{m}x{k}");
    let npy = format!("X_{d}.npy");

    let (dir1, f) = (dir.clone(), npy.clone());
    v.push(case(
        format!("io_npy_read_{d}"),
        json!([m, k]),
        None,
        move |_| {
            let p = input(&dir1, &f)?;
            settled(move || {
                black_box(mlinalg::io::read_npy_typed(&p)?);
                Ok(())
            })
        },
    ));

    let (dir1, f) = (dir.clone(), npy.clone());
    v.push(case(
        format!("io_npy_write_{d}"),
        json!([m, k]),
        None,
        move |_| {
            let x = mlinalg::io::read_npy_typed(&input(&dir1, &f)?)?.data;
            let out = dir1.join("out_mlinalg.npy");
            settled(move || x.write_npy(&out))
        },
    ));

    let (dir1, f) = (dir.clone(), npy.clone());
    v.push(case(
        format!("io_info_{d}"),
        json!([m, k]),
        None,
        move |_| {
            let p = input(&dir1, &f)?;
            settled(move || {
                black_box(mlinalg::io::summarize(&p)?);
                Ok(())
            })
        },
    ));

    // What `mlinalg transpose X.npy --out T.npy` does: read, reverse the axes (no copy),
    // write (Fortran order, straight from memory).
    let (dir1, f) = (dir.clone(), npy.clone());
    v.push(case(
        format!("io_transpose_write_{d}"),
        json!([m, k]),
        None,
        move |_| {
            let p = input(&dir1, &f)?;
            let out = dir1.join("out_mlinalg_t.npy");
            settled(move || {
                let t: TypedArray = mlinalg::io::read_npy_typed(&p)?.data.reversed_axes();
                t.write_npy_order(&out, NpyOrder::Auto)
            })
        },
    ));

    let dir1 = dir.clone();
    v.push(case(
        format!("io_npz_read_{d}"),
        json!([m, k]),
        None,
        move |_| {
            let p = input(&dir1, &format!("X_{d}.npz"))?;
            settled(move || {
                black_box(mlinalg::io::load_typed(&p)?);
                Ok(())
            })
        },
    ));

    let (sm, sk, nnz) = sparse;
    let dir1 = dir.clone();
    v.push(case(
        format!("io_mtx_read_{sm}x{sk}"),
        json!([sm, sk, nnz]),
        None,
        move |_| {
            let p = input(&dir1, &format!("S_{sm}x{sk}.mtx"))?;
            settled(move || {
                black_box(mlinalg::io::read_mtx(&p)?);
                Ok(())
            })
        },
    ));

    // The same read timed against np.loadtxt and against pyarrow.
    let (cm, ck) = csv;
    for key in ["io_csv_read", "io_csv_read_pyarrow"] {
        let dir1 = dir.clone();
        v.push(case(
            format!("{key}_{cm}x{ck}"),
            json!([cm, ck]),
            None,
            move |_| {
                let p = input(&dir1, &format!("T_{cm}x{ck}.csv"))?;
                settled(move || {
                    black_box(mlinalg::io::read_csv(&p)?);
                    Ok(())
                })
            },
        ));
    }
    Vec::new()
}
