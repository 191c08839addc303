//! The op list of `numpy_baseline.py`: same names, sizes (full and `--quick`) and flop
//! counts. Inputs are built only for the ops that run, from a per-op seeded generator.

use std::hint::black_box;

use mlinalg::linalg::{self, QrMode};
use mlinalg::random::Rng;
use serde_json::{Value, json};

use crate::inputs::{rand, rand1, spd, sym, wellcond};

/// The density of the baseline's `scipy.sparse.random` matrix.
pub const SPARSE_DENSITY: f64 = 0.001;

/// Why the sparse / PCA / TruncatedSVD ops are skipped in a build without the `ml` feature.
pub const SKIP_REASON: &str = "built without the `ml` feature (--no-default-features)";

/// One timed operation on prepared inputs.
pub type Run = Box<dyn FnMut() -> mlinalg::Result<()>>;

/// Builds the inputs of an op (from its own generator) and returns the closure to time.
pub type Prepare = Box<dyn FnOnce(&mut Rng) -> mlinalg::Result<Run>>;

/// One op of the baseline.
pub struct Case {
    /// The baseline's key, e.g. `matmul_2048`.
    pub name: String,
    /// The size as the baseline reports it: `n` or `[m, k, …]`.
    pub n: Value,
    /// Floating-point operations of one run, where the baseline reports GFLOP/s.
    pub flops: Option<f64>,
    /// Timed runs, where the baseline asks for more than the default.
    pub reps: Option<usize>,
    /// Calls of the closure per timed run (1, or [`SMALL_CALLS`] for microsecond ops); the
    /// reported times are per call.
    pub calls: usize,
    /// Builds inputs and returns the timed closure.
    pub prepare: Prepare,
}

/// Shorthand: a case with the closure `prepare`.
pub fn case(
    name: String,
    n: Value,
    flops: Option<f64>,
    prepare: impl FnOnce(&mut Rng) -> mlinalg::Result<Run> + 'static,
) -> Case {
    Case {
        name,
        n,
        flops,
        reps: None,
        calls: 1,
        prepare: Box::new(prepare),
    }
}

/// Boxes a timed closure.
pub fn run(f: impl FnMut() -> mlinalg::Result<()> + 'static) -> mlinalg::Result<Run> {
    Ok(Box::new(f))
}

/// Every op of the baseline, in its order, plus the names of those this build skips.
pub fn all(quick: bool) -> (Vec<Case>, Vec<String>) {
    let q = quick;
    let mut v = Vec::new();

    // ---- matmul / matvec ----
    let sizes: &[usize] = if q {
        &[256, 1024]
    } else {
        &[256, 1024, 2048, 4096]
    };
    for &n in sizes {
        let flops = 2.0 * (n as f64).powi(3);
        v.push(case(
            format!("matmul_{n}"),
            json!(n),
            Some(flops),
            move |r| {
                let (a, b) = (rand(r, n, n), rand(r, n, n));
                run(move || {
                    black_box(mlinalg::ops::matmul_2d(a.view(), b.view())?);
                    Ok(())
                })
            },
        ));
    }
    let n = if q { 1024 } else { 4096 };
    let mut mv = case(
        format!("matvec_{n}"),
        json!(n),
        Some(2.0 * (n * n) as f64),
        move |r| {
            let (a, x) = (rand(r, n, n), rand1(r, n));
            run(move || {
                black_box(mlinalg::ops::matvec(a.view(), x.view())?);
                Ok(())
            })
        },
    );
    mv.reps = Some(20);
    v.push(mv);

    // ---- factorizations / solvers ----
    let sizes: &[usize] = if q { &[512] } else { &[1024, 2048] };
    for &n in sizes {
        let flops = 2.0 / 3.0 * (n as f64).powi(3);
        v.push(case(
            format!("solve_{n}"),
            json!(n),
            Some(flops),
            move |r| {
                let (a, b) = (wellcond(r, n), rand1(r, n));
                run(move || {
                    black_box(linalg::solve(a.view(), &b)?);
                    Ok(())
                })
            },
        ));
    }
    let n = if q { 512 } else { 1024 };
    let n3 = (n as f64).powi(3);
    v.push(case(
        format!("inv_{n}"),
        json!(n),
        Some(2.0 * n3),
        move |r| {
            let a = wellcond(r, n);
            run(move || {
                black_box(linalg::inv(a.view())?);
                Ok(())
            })
        },
    ));
    v.push(case(
        format!("det_{n}"),
        json!(n),
        Some(2.0 / 3.0 * n3),
        move |r| {
            let a = wellcond(r, n);
            run(move || {
                black_box(linalg::det(a.view())?);
                Ok(())
            })
        },
    ));
    let n = if q { 512 } else { 2048 };
    v.push(case(
        format!("cholesky_{n}"),
        json!(n),
        Some((n as f64).powi(3) / 3.0),
        move |r| {
            let s = spd(r, n)?;
            run(move || {
                black_box(linalg::cholesky(s.view())?);
                Ok(())
            })
        },
    ));
    let n = if q { 512 } else { 1024 };
    v.push(case(format!("qr_{n}"), json!(n), None, move |r| {
        let a = rand(r, n, n);
        run(move || {
            black_box(linalg::qr(a.view(), QrMode::Reduced)?);
            Ok(())
        })
    }));
    let (m, k) = if q { (5000, 100) } else { (20000, 200) };
    v.push(case(
        format!("qr_tall_{m}x{k}"),
        json!([m, k]),
        None,
        move |r| {
            let t = rand(r, m, k);
            run(move || {
                black_box(linalg::qr(t.view(), QrMode::Reduced)?);
                Ok(())
            })
        },
    ));
    let sizes: &[usize] = if q { &[256, 512] } else { &[512, 1024, 2048] };
    for &n in sizes {
        v.push(case(format!("eigh_{n}"), json!(n), None, move |r| {
            let s = sym(r, n);
            run(move || {
                black_box(linalg::eigh(s.view())?);
                Ok(())
            })
        }));
    }
    let sizes: &[usize] = if q { &[256] } else { &[512, 1024] };
    for &n in sizes {
        v.push(case(format!("eig_{n}"), json!(n), None, move |r| {
            let a = rand(r, n, n);
            run(move || {
                black_box(linalg::eig(a.view())?);
                Ok(())
            })
        }));
    }
    let sizes: &[usize] = if q { &[256, 512] } else { &[512, 1024] };
    for &n in sizes {
        v.push(case(format!("svd_{n}"), json!(n), None, move |r| {
            let a = rand(r, n, n);
            run(move || {
                black_box(linalg::svd(a.view(), false)?);
                Ok(())
            })
        }));
    }
    v.push(case(
        format!("svd_tall_{m}x{k}"),
        json!([m, k]),
        None,
        move |r| {
            let t = rand(r, m, k);
            run(move || {
                black_box(linalg::svd(t.view(), false)?);
                Ok(())
            })
        },
    ));
    v.push(case(
        format!("lstsq_{m}x{k}"),
        json!([m, k]),
        None,
        move |r| {
            let (t, y) = (rand(r, m, k), rand1(r, m));
            run(move || {
                black_box(linalg::lstsq(t.view(), &y, None)?);
                Ok(())
            })
        },
    ));

    // ---- scikit-learn / sparse ----
    let pca = if q { (20000, 100) } else { (100000, 100) };
    let sp = if q { (20000, 5000) } else { (100000, 20000) };
    let mut skipped = ml_cases(pca, sp, &mut v);

    small_cases(&mut v);

    // `Aᵀ @ B` on a transposed view (no copy), which issue 6's matmul target names; not in
    // the baseline, `scripts/numpy_with_mem.py` times NumPy's `a.T @ b` under the same key.
    let n = if q { 1024 } else { 2048 };
    v.push(case(
        format!("matmul_t_{n}"),
        json!(n),
        Some(2.0 * (n as f64).powi(3)),
        move |r| {
            let (a, b) = (rand(r, n, n), rand(r, n, n));
            run(move || {
                black_box(mlinalg::ops::matmul_2d(a.t(), b.view())?);
                Ok(())
            })
        },
    ));

    // ---- issue 12: float32 and stacks of small matrices ----
    crate::float32::cases(q, &mut v);
    skipped.extend(crate::float32::skipped(q));
    crate::stacks::cases(q, &mut v);

    // ---- file I/O (issue 16), when the benchmark files are there ----
    skipped.extend(crate::io::cases(q, &mut v));
    (v, skipped)
}

/// Why the op `name` was skipped.
pub fn skip_reason(name: &str) -> &'static str {
    if name.starts_with("io_") {
        crate::io::SKIP_REASON
    } else {
        SKIP_REASON
    }
}

/// Calls per timed run of the small ops: their single calls take microseconds, below the
/// timer's and the guard's useful resolution, so each timed run is a loop of this many
/// calls and the time reported is the loop's divided by it (`numpy_with_mem.py` does the
/// same on the NumPy side).
pub const SMALL_CALLS: usize = 1000;

/// Timed runs of the small ops (each a loop of [`SMALL_CALLS`] calls).
pub const SMALL_REPS: usize = 20;

/// The small products of issue 6, in both `--quick` and full runs (they are not in
/// `numpy_baseline.py`; `scripts/numpy_with_mem.py` adds the same keys): `matmul_small_{n}`
/// is `n×n @ n×n` for n = 8, 32, 64 (`matmul_256` is the baseline's), `forward_32x10x64`
/// a dense layer's forward product `32×10 @ 10×64`. All through `mlinalg::ops::matmul_2d`,
/// the product a network's forward pass uses, against NumPy's `a @ b`.
fn small_cases(v: &mut Vec<Case>) {
    let shapes = [
        ("matmul_small_8".to_string(), json!(8), (8, 8, 8)),
        ("matmul_small_32".to_string(), json!(32), (32, 32, 32)),
        ("matmul_small_64".to_string(), json!(64), (64, 64, 64)),
        (
            "forward_32x10x64".to_string(),
            json!([32, 10, 64]),
            (32, 10, 64),
        ),
    ];
    for (name, n, (m, k, p)) in shapes {
        let flops = 2.0 * (m * k * p) as f64;
        let mut c = case(name, n, Some(flops), move |r| {
            let (a, b) = (rand(r, m, k), rand(r, k, p));
            run(move || {
                black_box(mlinalg::ops::matmul_2d(a.view(), b.view())?);
                Ok(())
            })
        });
        c.reps = Some(SMALL_REPS);
        c.calls = SMALL_CALLS;
        v.push(c);
    }
}

#[cfg(feature = "ml")]
fn ml_cases(pca: (usize, usize), sp: (usize, usize), v: &mut Vec<Case>) -> Vec<String> {
    crate::ml::cases(pca, sp, v);
    Vec::new()
}

#[cfg(not(feature = "ml"))]
fn ml_cases(pca: (usize, usize), sp: (usize, usize), _v: &mut Vec<Case>) -> Vec<String> {
    let ((pm, pk), (m, k)) = (pca, sp);
    vec![
        format!("pca10_{pm}x{pk}"),
        format!("truncsvd50_csr_{m}x{k}"),
        format!("csr_matmul_dense_{m}x{k}_x64"),
        format!("csr_matmul_dense_f32_{m}x{k}_x64"),
    ]
}
