//! Test-only helpers shared by the integration binary: a tiny `.npy` reader for the committed
//! fixtures, tolerant comparisons (NaN-aware, up to column sign, up to complex phase),
//! LAPACK-style residual ratios and proptest strategies for matrices.
//!
//! Deliberately independent of `mlinalg::io` and of mlinalg's own kernels: reference products
//! use `ndarray`'s `dot`, random inputs use `rand_chacha` directly.
#![allow(dead_code)]

use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use mlinalg::Complex64;
use ndarray::{Array1, Array2, ArrayBase, ArrayD, ArrayView1, ArrayView2, Data, Dimension, IxDyn};
use proptest::prelude::*;
use proptest::test_runner::Config;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Machine epsilon of `f64`.
pub const EPS: f64 = f64::EPSILON;

// ------------------------------------------------------------------------------- fixtures

/// `crates/mlinalg/tests/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// Reads a little-endian `f8`, C-order `.npy` file (format v1/v2/v3 header).
/// Panics with a clear message on anything else: fixtures are ours, so a mismatch is a bug.
pub fn read_npy(path: &Path) -> ArrayD<f64> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (regenerate with tests/fixtures/generate.py)",
            path.display()
        )
    });
    assert!(
        bytes.len() >= 10 && bytes.starts_with(b"\x93NUMPY"),
        "{}: not .npy",
        path.display()
    );
    let (hlen, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => panic!("{}: unsupported .npy version {v}", path.display()),
    };
    let header = std::str::from_utf8(&bytes[start..start + hlen]).expect("ascii header");
    assert!(
        header.contains("'descr': '<f8'"),
        "{}: not <f8: {header}",
        path.display()
    );
    assert!(
        header.contains("'fortran_order': False"),
        "{}: not C order",
        path.display()
    );
    let dims = header
        .split("'shape': (")
        .nth(1)
        .and_then(|s| s.split(')').next());
    let shape: Vec<usize> = dims
        .expect("shape in header")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("shape entry"))
        .collect();
    let data = &bytes[start + hlen..];
    let n: usize = shape.iter().product();
    assert_eq!(data.len(), n * 8, "{}: data length", path.display());
    let v: Vec<f64> = data
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect();
    ArrayD::from_shape_vec(IxDyn(&shape), v).expect("shape matches data")
}

/// A linalg fixture by its file stem, e.g. `fixture("svd_tall__s")`.
pub fn fixture(name: &str) -> ArrayD<f64> {
    read_npy(&fixtures_dir().join("linalg").join(format!("{name}.npy")))
}

/// `fixture("<case>__<key>")` as a 2-d array.
pub fn fx2(case: &str, key: &str) -> Array2<f64> {
    fixture(&format!("{case}__{key}"))
        .into_dimensionality()
        .expect("2-d fixture")
}

/// `fixture("<case>__<key>")` as a 1-d array.
pub fn fx1(case: &str, key: &str) -> Array1<f64> {
    fixture(&format!("{case}__{key}"))
        .into_dimensionality()
        .expect("1-d fixture")
}

/// `fixture("<case>__<key>")` as a scalar (0-d or length-1 array).
pub fn fx0(case: &str, key: &str) -> f64 {
    let a = fixture(&format!("{case}__{key}"));
    assert_eq!(
        a.len(),
        1,
        "{case}__{key}: expected a scalar, got shape {:?}",
        a.shape()
    );
    a.iter().copied().next().expect("one element")
}

/// `fixture("<case>__<key>")` of any dimension.
pub fn fxd(case: &str, key: &str) -> ArrayD<f64> {
    fixture(&format!("{case}__{key}"))
}

/// Whether a fixture file exists.
pub fn has_fixture(case: &str, key: &str) -> bool {
    fixtures_dir()
        .join("linalg")
        .join(format!("{case}__{key}.npy"))
        .exists()
}

/// A complex fixture stored with a trailing (re, im) axis, as a 1-d complex array.
pub fn fx1c(case: &str, key: &str) -> Array1<Complex64> {
    let a = fxd(case, key);
    match a.ndim() {
        1 => a.iter().map(|&re| Complex64::new(re, 0.0)).collect(),
        2 => a.outer_iter().map(|p| Complex64::new(p[0], p[1])).collect(),
        d => panic!("{case}__{key}: unexpected ndim {d}"),
    }
}

/// A complex fixture stored with a trailing (re, im) axis, as a 2-d complex array.
pub fn fx2c(case: &str, key: &str) -> Array2<Complex64> {
    let a = fxd(case, key);
    match a.ndim() {
        2 => a
            .into_dimensionality::<ndarray::Ix2>()
            .expect("2-d")
            .mapv(|re| Complex64::new(re, 0.0)),
        3 => {
            let (m, n) = (a.shape()[0], a.shape()[1]);
            Array2::from_shape_fn((m, n), |(i, j)| Complex64::new(a[[i, j, 0]], a[[i, j, 1]]))
        }
        d => panic!("{case}__{key}: unexpected ndim {d}"),
    }
}

// ---------------------------------------------------------------------------- comparisons

/// Anything that can be compared: `f64` or an f64 array of any dimension.
pub trait Values {
    /// The shape (`[]` for a scalar).
    fn shape_vec(&self) -> Vec<usize>;
    /// The elements in logical (row-major) order.
    fn values(&self) -> Vec<f64>;
}

impl Values for f64 {
    fn shape_vec(&self) -> Vec<usize> {
        vec![]
    }
    fn values(&self) -> Vec<f64> {
        vec![*self]
    }
}

impl<S: Data<Elem = f64>, D: Dimension> Values for ArrayBase<S, D> {
    fn shape_vec(&self) -> Vec<usize> {
        self.shape().to_vec()
    }
    fn values(&self) -> Vec<f64> {
        self.iter().copied().collect()
    }
}

impl<T: Values + ?Sized> Values for &T {
    fn shape_vec(&self) -> Vec<usize> {
        (**self).shape_vec()
    }
    fn values(&self) -> Vec<f64> {
        (**self).values()
    }
}

/// `|got − want| ≤ atol + rtol·|want|`; NaN equals NaN; infinities must match exactly.
pub fn close(got: f64, want: f64, rtol: f64, atol: f64) -> bool {
    if want.is_nan() || got.is_nan() {
        return want.is_nan() && got.is_nan();
    }
    if want.is_infinite() || got.is_infinite() {
        return got == want;
    }
    (got - want).abs() <= atol + rtol * want.abs()
}

/// Elementwise comparison behind [`assert_close!`]; panics with the first offending index.
#[track_caller]
pub fn assert_close_impl(got: &dyn Values, want: &dyn Values, rtol: f64, atol: f64, what: &str) {
    let (gs, ws) = (got.shape_vec(), want.shape_vec());
    assert_eq!(gs, ws, "{what}: shape differs (got vs expected)");
    let (g, w) = (got.values(), want.values());
    let mut worst: Option<(usize, f64, f64)> = None;
    let mut bad = 0usize;
    for (i, (&a, &b)) in g.iter().zip(&w).enumerate() {
        if !close(a, b, rtol, atol) {
            bad += 1;
            if worst.is_none() {
                worst = Some((i, a, b));
            }
        }
    }
    if let Some((i, a, b)) = worst {
        panic!(
            "{what}: {bad} of {} elements differ (rtol {rtol:e}, atol {atol:e}); first at flat \
             index {i}: got {a:e}, expected {b:e}\n got: {g:?}\nwant: {w:?}",
            g.len()
        );
    }
}

/// `assert_close!(got, want)` (rtol 1e-10, atol 1e-12), or with `rtol = …, atol = …`.
/// Works for `f64` and for arrays of any dimension; NaN-aware.
macro_rules! assert_close {
    ($got:expr, $want:expr $(,)?) => {
        $crate::common::assert_close_impl(&$got, &$want, 1e-10, 1e-12, stringify!($got))
    };
    ($got:expr, $want:expr, rtol = $r:expr $(,)?) => {
        $crate::common::assert_close_impl(&$got, &$want, $r, 0.0, stringify!($got))
    };
    ($got:expr, $want:expr, atol = $a:expr $(,)?) => {
        $crate::common::assert_close_impl(&$got, &$want, 0.0, $a, stringify!($got))
    };
    ($got:expr, $want:expr, rtol = $r:expr, atol = $a:expr $(,)?) => {
        $crate::common::assert_close_impl(&$got, &$want, $r, $a, stringify!($got))
    };
}
pub(crate) use assert_close;

/// Frobenius (or 2-) norm of any array, overflow- and underflow-safe (scaled sum of squares).
pub fn fro(a: &dyn Values) -> f64 {
    let v = a.values();
    let scale = v.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return scale;
    }
    scale * v.iter().map(|x| (x / scale).powi(2)).sum::<f64>().sqrt()
}

/// Normwise relative difference ‖got − want‖_F / ‖want‖_F (absolute when `want` is zero).
pub fn rel_diff(got: &dyn Values, want: &dyn Values) -> f64 {
    assert_eq!(got.shape_vec(), want.shape_vec(), "rel_diff: shapes differ");
    let d: Vec<f64> = got
        .values()
        .iter()
        .zip(want.values())
        .map(|(a, b)| a - b)
        .collect();
    let nd = fro(&Array1::from(d));
    let nw = fro(want);
    if nw == 0.0 { nd } else { nd / nw }
}

/// Asserts ‖got − want‖_F ≤ tol·‖want‖_F: the right comparison for backward-stable results
/// whatever the scale of the data (1e±150).
#[track_caller]
pub fn assert_close_norm(got: &dyn Values, want: &dyn Values, tol: f64, what: &str) {
    assert_eq!(
        got.shape_vec(),
        want.shape_vec(),
        "{what}: shape differs (got vs expected)"
    );
    let r = rel_diff(got, want);
    assert!(
        r <= tol,
        "{what}: normwise relative difference {r:e} > {tol:e}\n got: {:?}\nwant: {:?}",
        got.values(),
        want.values()
    );
}

/// Compares the first `ncols` columns of `got` and `want` up to the sign of each column
/// (normwise per column, tolerance `tol`). Returns the signs (±1) to apply to `got`'s columns.
#[track_caller]
pub fn assert_cols_close_up_to_sign(
    got: ArrayView2<'_, f64>,
    want: ArrayView2<'_, f64>,
    ncols: usize,
    tol: f64,
    what: &str,
) -> Vec<f64> {
    assert_eq!(got.nrows(), want.nrows(), "{what}: row counts differ");
    assert!(
        got.ncols() >= ncols && want.ncols() >= ncols,
        "{what}: fewer than {ncols} columns"
    );
    (0..ncols)
        .map(|j| {
            let (g, w) = (got.column(j), want.column(j));
            let s = if g.dot(&w) < 0.0 { -1.0 } else { 1.0 };
            let gs = g.mapv(|x| s * x);
            let r = rel_diff(&gs, &w);
            assert!(
                r <= tol,
                "{what}: column {j} differs even up to sign: rel {r:e} > {tol:e}\n got: {g}\nwant: {w}"
            );
            s
        })
        .collect()
}

/// min over unit complex c of ‖c·got − want‖ / ‖want‖.
pub fn phase_rel_diff(got: ArrayView1<'_, Complex64>, want: ArrayView1<'_, Complex64>) -> f64 {
    assert_eq!(got.len(), want.len(), "phase_rel_diff: lengths differ");
    let inner: Complex64 = got.iter().zip(want.iter()).map(|(g, w)| g.conj() * w).sum();
    let c = if inner.norm() == 0.0 {
        Complex64::new(1.0, 0.0)
    } else {
        inner / inner.norm()
    };
    let diff: f64 = got
        .iter()
        .zip(want.iter())
        .map(|(g, w)| (g * c - w).norm_sqr())
        .sum::<f64>();
    let nw: f64 = want.iter().map(|w| w.norm_sqr()).sum::<f64>();
    (diff / nw.max(f64::MIN_POSITIVE)).sqrt()
}

/// Compares complex vectors up to a unit complex factor (phase): min_c ‖c·got − want‖ ≤ tol‖want‖.
#[track_caller]
pub fn assert_close_up_to_phase(
    got: ArrayView1<'_, Complex64>,
    want: ArrayView1<'_, Complex64>,
    tol: f64,
    what: &str,
) {
    let r = phase_rel_diff(got, want);
    assert!(
        r <= tol,
        "{what}: differs even up to phase: rel {r:e} > {tol:e}\n got: {got}\nwant: {want}"
    );
}

/// Asserts that `result` is an error whose message contains `needle`; returns the message.
#[track_caller]
pub fn assert_err_contains<T: std::fmt::Debug>(result: mlinalg::Result<T>, needle: &str) -> String {
    match result {
        Ok(v) => panic!("expected an error containing {needle:?}, got Ok({v:?})"),
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.contains(needle),
                "error message {msg:?} does not contain {needle:?}"
            );
            msg
        }
    }
}

// ------------------------------------------------------------------------ residual ratios

/// ‖a − b‖_F / (‖a‖_F · max(m, n) · ε): LAPACK's test ratio (below ~30 is a pass).
/// A zero `a` gives 0 if `b` is zero too and ∞ otherwise.
pub fn rel_residual<S1, S2, D1, D2>(a: &ArrayBase<S1, D1>, b: &ArrayBase<S2, D2>) -> f64
where
    S1: Data<Elem = f64>,
    S2: Data<Elem = f64>,
    D1: Dimension,
    D2: Dimension,
{
    assert_eq!(a.shape(), b.shape(), "rel_residual: shapes differ");
    let d: Array1<f64> = a.iter().zip(b.iter()).map(|(x, y)| x - y).collect();
    let n = a.shape().iter().copied().max().unwrap_or(1).max(1) as f64;
    ratio(fro(&d), fro(a), n)
}

/// `resid / (norm · n · ε)`, with 0/0 = 0 and x/0 = ∞.
pub fn ratio(resid: f64, norm: f64, n: f64) -> f64 {
    if resid == 0.0 {
        0.0
    } else if norm == 0.0 {
        f64::INFINITY
    } else {
        // divide step by step so that tiny norms (1e-150 data) do not underflow the product
        resid / norm / n.max(1.0) / EPS
    }
}

/// ‖QᵀQ − I‖_F / (max(m, k) · ε) for an m×k matrix with (supposedly) orthonormal columns.
pub fn orth_residual(q: ArrayView2<'_, f64>) -> f64 {
    let qtq = q.t().dot(&q);
    let k = q.ncols();
    let d = &qtq - &Array2::<f64>::eye(k);
    fro(&d) / (q.nrows().max(k).max(1) as f64) / EPS
}

/// ‖QᴴQ − I‖_F / (n · ε) for complex columns.
pub fn orth_residual_c(q: ArrayView2<'_, Complex64>) -> f64 {
    let k = q.ncols();
    let mut s = 0.0;
    for i in 0..k {
        for j in 0..k {
            let dot: Complex64 = q
                .column(i)
                .iter()
                .zip(q.column(j))
                .map(|(a, b)| a.conj() * b)
                .sum();
            let e = if i == j { dot - 1.0 } else { dot };
            s += e.norm_sqr();
        }
    }
    s.sqrt() / (q.nrows().max(k).max(1) as f64) / EPS
}

/// Naive complex product (reference only).
pub fn cmatmul(a: ArrayView2<'_, Complex64>, b: ArrayView2<'_, Complex64>) -> Array2<Complex64> {
    assert_eq!(a.ncols(), b.nrows());
    Array2::from_shape_fn((a.nrows(), b.ncols()), |(i, j)| {
        (0..a.ncols()).map(|k| a[[i, k]] * b[[k, j]]).sum()
    })
}

/// Frobenius norm of a complex matrix.
pub fn cfro(a: ArrayView2<'_, Complex64>) -> f64 {
    a.iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt()
}

// ------------------------------------------------------------------------- random inputs

/// The proptest configuration of this suite: 256 cases (matrices are at most 12×12, so this
/// takes well under a second) and a fixed seed, so that CI is reproducible. `PROPTEST_CASES=…` and `PROPTEST_RNG_SEED=<u64>`
/// override both, to explore further.
pub fn config() -> Config {
    let mut c = Config {
        failure_persistence: None,
        ..Config::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = 256;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = proptest::test_runner::RngSeed::Fixed(0x006d_6c69_6e61_6c67);
    }
    c
}

/// An m×n matrix of standard normals from a seeded ChaCha generator.
pub fn normal(m: usize, n: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array2::from_shape_simple_fn((m, n), || StandardNormal.sample(&mut rng))
}

/// An m×k matrix (k ≤ m) with orthonormal columns: modified Gram–Schmidt, twice.
pub fn orthonormal(m: usize, k: usize, seed: u64) -> Array2<f64> {
    assert!(k <= m);
    let mut q = normal(m, k, seed);
    for _ in 0..2 {
        for j in 0..k {
            for i in 0..j {
                let p = q.column(i).dot(&q.column(j));
                let qi = q.column(i).to_owned();
                q.column_mut(j).scaled_add(-p, &qi);
            }
            let nrm = q.column(j).dot(&q.column(j)).sqrt();
            q.column_mut(j).mapv_inplace(|x| x / nrm);
        }
    }
    q
}

/// Orthonormal basis of the column space of a full-column-rank `a` (MGS, twice).
pub fn orthonormalize(a: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut q = a.to_owned();
    for _ in 0..2 {
        for j in 0..q.ncols() {
            for i in 0..j {
                let p = q.column(i).dot(&q.column(j));
                let qi = q.column(i).to_owned();
                q.column_mut(j).scaled_add(-p, &qi);
            }
            let nrm = q.column(j).dot(&q.column(j)).sqrt();
            q.column_mut(j).mapv_inplace(|x| x / nrm);
        }
    }
    q
}

/// Orthonormal basis of the column space of any `a`: MGS (twice) that drops columns whose
/// remaining norm is below `rtol` times their original norm (for rank-deficient input).
pub fn column_space(a: ArrayView2<'_, f64>, rtol: f64) -> Array2<f64> {
    let mut basis: Vec<Array1<f64>> = Vec::new();
    for col in a.columns() {
        let n0 = fro(&col);
        if n0 == 0.0 {
            continue;
        }
        let mut v = col.to_owned();
        for _ in 0..2 {
            for q in &basis {
                let p = q.dot(&v);
                v.scaled_add(-p, q);
            }
        }
        let nv = fro(&v);
        if nv > rtol * n0 {
            basis.push(v / nv);
        }
    }
    let mut out = Array2::zeros((a.nrows(), basis.len()));
    for (j, q) in basis.iter().enumerate() {
        out.column_mut(j).assign(q);
    }
    out
}

/// ‖x − P x‖ / ‖x‖ where P projects onto the column space of `basis` (orthonormal columns):
/// 0 when `x` lies in that space.
pub fn out_of_span(basis: ArrayView2<'_, f64>, x: ArrayView1<'_, f64>) -> f64 {
    let px = basis.dot(&basis.t().dot(&x));
    let d = &x - &px;
    let nx = fro(&x);
    if nx == 0.0 { 0.0 } else { fro(&d) / nx }
}

/// U diag(logspace(0, −log10(cond), k)) Vᵀ of shape m×n (k = min(m, n)).
pub fn ill_conditioned(m: usize, n: usize, cond: f64, seed: u64) -> Array2<f64> {
    let k = m.min(n);
    let u = orthonormal(m, k, seed);
    let v = orthonormal(n, k, seed.wrapping_add(1));
    let l = cond.log10();
    let s = Array1::from_shape_fn(k, |i| {
        if k == 1 {
            1.0
        } else {
            10f64.powf(-l * i as f64 / (k - 1) as f64)
        }
    });
    (&u * &s).dot(&v.t())
}

/// Q diag(logspace(0, −log10(cond), n)) Qᵀ: symmetric positive definite, condition `cond`.
pub fn ill_symmetric(n: usize, cond: f64, seed: u64) -> Array2<f64> {
    let q = orthonormal(n, n, seed);
    let l = cond.log10();
    let s = Array1::from_shape_fn(n, |i| {
        if n == 1 {
            1.0
        } else {
            10f64.powf(-l * i as f64 / (n - 1) as f64)
        }
    });
    symmetrize((&q * &s).dot(&q.t()))
}

/// A product B(m×r)·C(r×n) of rank r (almost surely).
pub fn rank_deficient(m: usize, n: usize, r: usize, seed: u64) -> Array2<f64> {
    normal(m, r, seed).dot(&normal(r, n, seed.wrapping_add(7)))
}

/// B·Bᵀ + n·I: symmetric positive definite.
pub fn spd(n: usize, seed: u64) -> Array2<f64> {
    let b = normal(n, n, seed);
    let a = b.dot(&b.t()) + Array2::<f64>::eye(n) * n as f64;
    symmetrize(a)
}

/// (B + Bᵀ)/2.
pub fn symmetric(n: usize, seed: u64) -> Array2<f64> {
    symmetrize(normal(n, n, seed))
}

/// (A + Aᵀ)/2, exactly symmetric.
pub fn symmetrize(a: Array2<f64>) -> Array2<f64> {
    let t = a.t().to_owned();
    (a + t) * 0.5
}

/// Strategy: standard-normal m×n matrices with m, n in the given ranges.
pub fn matrix(
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
) -> impl Strategy<Value = Array2<f64>> {
    (rows, cols, any::<u64>()).prop_map(|(m, n, seed)| normal(m, n, seed))
}

/// Strategy: square standard-normal matrices.
pub fn square(dims: RangeInclusive<usize>) -> impl Strategy<Value = Array2<f64>> {
    (dims, any::<u64>()).prop_map(|(n, seed)| normal(n, n, seed))
}

/// Strategy: m×n matrices with condition number ~1e10 (U diag(logspace) Vᵀ).
pub fn ill_matrix(
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
) -> impl Strategy<Value = Array2<f64>> {
    (rows, cols, any::<u64>()).prop_map(|(m, n, seed)| ill_conditioned(m, n, 1e10, seed))
}

/// Strategy: (A, r) with A of shape m×n and rank r < min(m, n) (m, n ≥ 2).
pub fn rank_deficient_matrix(
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
) -> impl Strategy<Value = (Array2<f64>, usize)> {
    let (r0, c0) = ((*rows.start()).max(2), (*cols.start()).max(2));
    (r0..=*rows.end(), c0..=*cols.end(), any::<u64>()).prop_flat_map(|(m, n, seed)| {
        (1..m.min(n)).prop_map(move |r| (rank_deficient(m, n, r, seed), r))
    })
}

/// Strategy: standard-normal matrices scaled by 1e150 or 1e-150.
pub fn scaled_matrix(
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
) -> impl Strategy<Value = Array2<f64>> {
    (rows, cols, any::<u64>(), any::<bool>())
        .prop_map(|(m, n, seed, big)| normal(m, n, seed) * if big { 1e150 } else { 1e-150 })
}

/// Strategy: zero matrices.
pub fn zero_matrix(
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
) -> impl Strategy<Value = Array2<f64>> {
    (rows, cols).prop_map(|(m, n)| Array2::zeros((m, n)))
}

/// Strategy: a mix of normal, ill-conditioned, rank-deficient, scaled and zero matrices.
pub fn any_matrix(
    rows: RangeInclusive<usize>,
    cols: RangeInclusive<usize>,
) -> impl Strategy<Value = Array2<f64>> {
    prop_oneof![
        4 => matrix(rows.clone(), cols.clone()),
        2 => ill_matrix(rows.clone(), cols.clone()),
        2 => rank_deficient_matrix(rows.clone(), cols.clone()).prop_map(|(a, _)| a),
        2 => scaled_matrix(rows.clone(), cols.clone()),
        1 => zero_matrix(rows, cols),
    ]
}

/// Strategy: well-conditioned square matrices (normal + n·I shift keeps them invertible),
/// optionally scaled by 1e±150.
pub fn invertible(dims: RangeInclusive<usize>) -> impl Strategy<Value = Array2<f64>> {
    (
        dims,
        any::<u64>(),
        prop_oneof![Just(1.0), Just(1e150), Just(1e-150)],
    )
        .prop_map(|(n, seed, scale)| {
            (normal(n, n, seed) + Array2::<f64>::eye(n) * (2.0 * n as f64)) * scale
        })
}

/// Strategy: symmetric positive definite matrices (B·Bᵀ + n·I), some scaled by 1e±150.
pub fn spd_matrix(dims: RangeInclusive<usize>) -> impl Strategy<Value = Array2<f64>> {
    (
        dims,
        any::<u64>(),
        prop_oneof![Just(1.0), Just(1e150), Just(1e-150)],
    )
        .prop_map(|(n, seed, scale)| spd(n, seed) * scale)
}

/// Strategy: symmetric matrices (normal, ill-conditioned, scaled, zero).
pub fn symmetric_matrix(dims: RangeInclusive<usize>) -> impl Strategy<Value = Array2<f64>> {
    prop_oneof![
        3 => (dims.clone(), any::<u64>()).prop_map(|(n, s)| symmetric(n, s)),
        1 => (dims.clone(), any::<u64>()).prop_map(|(n, s)| ill_symmetric(n, 1e10, s)),
        1 => (dims.clone(), any::<u64>(), any::<bool>()).prop_map(|(n, s, big)| {
            symmetric(n, s) * if big { 1e150 } else { 1e-150 }
        }),
        1 => dims.prop_map(|n| Array2::zeros((n, n))),
    ]
}
