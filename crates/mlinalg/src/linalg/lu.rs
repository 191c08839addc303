//! LU with partial pivoting as the dense solvers need it: mlinalg's recursive LU
//! ([`crate::kernels::lu`]) on input scaled into range, with NumPy's notion of a singular
//! matrix.

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::kernels::lu::{LuFactor, SMALL_LU, factor_small, solve_small};
use crate::linalg::bridge::{Rescale, generic, pow2_scale, scale_into_range};
use crate::scalar::{RealScalar, Scalar, cast, cast_mut, cast_view};

/// LU with partial pivoting of a square matrix, reduced to what callers need, for every
/// [`Scalar`].
///
/// For `f64` the factorization is mlinalg's own recursive LU ([`crate::kernels::lu`]) on the
/// packed GEMM; it keeps LAPACK `getrf`'s pivot choices (first largest magnitude). Other
/// types use faer's generic LU ([`generic::Lu`]), in their own precision.
/// Input whose largest magnitude is far from 1 (outside [2^-64, 2^64] for `f64`) is factored
/// as `A = 2^e · A_s` (exact), so that subnormal matrices do not overflow `1/pivot`;
/// [`Lu::det_scale`], [`Lu::solve_in_place`] and [`Lu::inverse`] undo the factor.
pub(crate) struct Lu<T: Scalar> {
    imp: Imp<T>,
}

enum Imp<T: Scalar> {
    F64 { f: LuFactor, exp: i32 },
    Faer(generic::Lu<T>),
}

impl<T: Scalar> Lu<T> {
    pub(crate) fn new(op: &'static str, a: &ArrayView2<'_, T>) -> Result<Self> {
        let Some(a) = cast_view::<T, f64, _>(a.view()) else {
            return Ok(Lu {
                imp: Imp::Faer(generic::Lu::new(a)),
            });
        };
        let (copy, exp) = match scale_into_range(&a) {
            Some((scaled, Rescale(exp))) => (crate::kernels::c_order(op, scaled.view())?, exp),
            None => (crate::kernels::c_order(op, a.view())?, 0),
        };
        Ok(Lu {
            imp: Imp::F64 {
                f: LuFactor::factor(copy),
                exp,
            },
        })
    }

    fn n(&self) -> usize {
        match &self.imp {
            Imp::F64 { f, .. } => f.lu.nrows(),
            Imp::Faer(f) => f.n(),
        }
    }

    fn exp(&self) -> i32 {
        match &self.imp {
            Imp::F64 { exp, .. } => *exp,
            Imp::Faer(f) => f.exp(),
        }
    }

    /// |l_ij| (i > j) or |u_ij| (i ≤ j) of the packed factors, as `f64`.
    fn abs_entry(&self, i: usize, j: usize) -> f64 {
        match &self.imp {
            Imp::F64 { f, .. } => f.lu[(i, j)].abs(),
            Imp::Faer(f) if i > j => f.l(i, j).abs().to_f64(),
            Imp::Faer(f) => f.u(i, j).abs().to_f64(),
        }
    }

    /// The diagonal of U (the pivots) of the scaled matrix `A_s`.
    pub(crate) fn pivots(&self) -> Vec<T> {
        match &self.imp {
            Imp::F64 { f, .. } => {
                let p: Vec<f64> = f.lu.diag().to_vec();
                cast::<Vec<f64>, Vec<T>>(p).expect("the F64 variant holds f64")
            }
            Imp::Faer(f) => (0..f.n()).map(|k| f.u(k, k)).collect(),
        }
    }

    /// `det A = det A_s · 2^(e·n)`: multiplies a determinant of `A_s` back.
    pub(crate) fn det_scale(&self, det_s: T) -> T {
        let mut total = i64::from(self.exp()) * self.n() as i64;
        let mut d = det_s;
        // in steps that f32's exponent range can hold; saturates to 0/±∞ like NumPy's
        // product
        while total != 0 && d != T::from_f64(0.0) && d.is_finite() {
            let step = total.clamp(-100, 100) as i32;
            d = generic::pow2_scale(d, step);
            total -= i64::from(step);
        }
        d
    }

    /// `ln 2^(e·n)`, the log of the factor [`Lu::det_scale`] applies.
    pub(crate) fn logdet_shift(&self) -> T::Real {
        <T::Real as Scalar>::from_f64(
            f64::from(self.exp()) * self.n() as f64 * std::f64::consts::LN_2,
        )
    }

    /// True when the matrix is singular to working precision.
    ///
    /// LAPACK's `getrf` (and so NumPy) reports "Singular matrix" only for an exactly zero
    /// pivot. Which pivots come out exactly zero depends on the order of floating-point
    /// operations, though: OpenBLAS gets an exact 0 for `[[1,2,3],[4,5,6],[7,8,9]]` or a
    /// matrix with a repeated column, where fused multiply-adds leave ±1e-16. So a
    /// pivot also counts as zero when it is no larger than the rounding error of its own
    /// computation, `u_kk = a_kk − Σ l_ki u_ik`: |u_kk| ≤ (k + 1) · ε · (|u_kk| + Σ |l_ki| |u_ik|),
    /// with ε that of the element type. Such a pivot has no correct digit. A tiny pivot that
    /// is exact data (diag(1, 1e-20)) involves no cancellation and is kept. A NaN pivot
    /// (after an overflow) also means singular.
    pub(crate) fn is_singular(&self) -> bool {
        singular_pivots(self.n(), T::eps().to_f64(), |i, j| self.abs_entry(i, j))
    }

    /// The sign (±1) of the row permutation.
    pub(crate) fn perm_sign(&self) -> f64 {
        match &self.imp {
            Imp::F64 { f, .. } => {
                let swaps = f.ipiv.iter().enumerate().filter(|&(i, &p)| i != p).count();
                if swaps % 2 == 0 { 1.0 } else { -1.0 }
            }
            Imp::Faer(f) => f.perm_sign(),
        }
    }

    /// Solves `A X = B` in place for every column of a C-order `b` (`X = A_s⁻¹ B · 2^-e`).
    pub(crate) fn solve_in_place(&self, b: &mut Array2<T>) {
        match &self.imp {
            Imp::F64 { f, exp } => {
                let b = cast_mut::<Array2<T>, Array2<f64>>(b).expect("the F64 variant is f64");
                f.solve_in_place(b);
                if *exp != 0 {
                    b.mapv_inplace(|v| pow2_scale(v, -*exp));
                }
            }
            Imp::Faer(f) => f.solve_in_place(b),
        }
    }

    /// `A⁻¹ = A_s⁻¹ · 2^-e` (C order for `f64`).
    pub(crate) fn inverse(&self, op: &'static str) -> Result<Array2<T>> {
        if let Imp::Faer(f) = &self.imp {
            return Ok(f.inverse());
        }
        let n = self.n();
        let mut v = crate::array::try_vec(op, n * n)?;
        for i in 0..n {
            v[i * n + i] = 1.0;
        }
        let inv = Array2::from_shape_vec((n, n), v).map_err(|e| Error::shape(op, e.to_string()))?;
        let mut inv = cast::<Array2<f64>, Array2<T>>(inv).expect("the F64 variant is f64");
        self.solve_in_place(&mut inv);
        Ok(inv)
    }
}

/// The test of [`Lu::is_singular`] on packed factors of order `n` whose entries' magnitudes
/// `abs_entry(i, j)` gives (|l_ij| below the diagonal, |u_ij| on and above), for an element
/// type of machine epsilon `eps`.
fn singular_pivots(n: usize, eps: f64, abs_entry: impl Fn(usize, usize) -> f64) -> bool {
    // |l_ki| ≤ 1 under partial pivoting, so Σ |l_ki| |u_ik| ≤ k · max |U|: the exact
    // sum is only needed for pivots below that cheap bound.
    let mut umax = 0.0f64;
    for i in 0..n {
        for j in i..n {
            let v = abs_entry(i, j);
            if v > umax {
                umax = v;
            }
        }
    }
    for k in 0..n {
        let p = abs_entry(k, k);
        if p == 0.0 || p.is_nan() {
            return true;
        }
        if k == 0 {
            continue;
        }
        let eps_k = (k + 1) as f64 * eps;
        if p > eps_k * (p + k as f64 * umax) {
            continue;
        }
        let terms: f64 = (0..k)
            .map(|i| abs_entry(k, i) * abs_entry(i, k))
            .sum::<f64>()
            + p;
        if p <= eps_k * terms {
            return true;
        }
    }
    false
}

/// The LU of one small `f64` matrix of a stack, factored in buffers the caller owns and
/// reuses from matrix to matrix ([`SmallLu::factor`]): what [`Lu`] computes for the same
/// matrix, bit for bit, without allocating. A stack of 10⁵ 4 × 4 matrices is otherwise
/// dominated by the per-matrix allocations and copies.
pub(crate) struct SmallLu {
    n: usize,
    lu: Vec<f64>,
    ipiv: Vec<usize>,
    scratch: Vec<f64>,
}

impl SmallLu {
    /// Buffers for matrices of order `n ≤` [`SMALL_LU`].
    pub(crate) fn new(n: usize) -> SmallLu {
        debug_assert!(n <= SMALL_LU);
        SmallLu {
            n,
            lu: vec![0.0; n * n],
            ipiv: vec![0; n],
            scratch: vec![0.0; n * n],
        }
    }

    /// Factors the `n × n` matrix `a`, or returns `false` (nothing factored) when its
    /// largest magnitude lies outside [2^-64, 2^64]: [`Lu`] factors such a matrix scaled by
    /// a power of two, and the caller takes that path.
    pub(crate) fn factor(&mut self, a: ArrayView2<'_, f64>) -> bool {
        match a.as_slice() {
            Some(s) => self.lu.copy_from_slice(s),
            None => self.lu.iter_mut().zip(a.iter()).for_each(|(d, &v)| *d = v),
        }
        let amax = crate::array::abs_max(&self.lu);
        if amax != 0.0 && amax.is_finite() && !(2f64.powi(-64)..=2f64.powi(64)).contains(&amax) {
            return false;
        }
        factor_small(&mut self.lu, self.n, &mut self.ipiv, &mut self.scratch);
        true
    }

    /// [`Lu::is_singular`] of the factored matrix.
    pub(crate) fn is_singular(&self) -> bool {
        let n = self.n;
        singular_pivots(n, f64::EPSILON, |i, j| self.lu[i * n + j].abs())
    }

    /// The determinant, as [`crate::linalg::det`] computes it from [`Lu`] (for a
    /// non-singular matrix).
    pub(crate) fn det(&self) -> f64 {
        let prod: f64 = (0..self.n).map(|k| self.lu[k * self.n + k]).product();
        prod * self.perm_sign()
    }

    /// Sign and `ln |det|`, as [`crate::linalg::slogdet`] computes them from [`Lu`] (for a
    /// non-singular matrix).
    pub(crate) fn slogdet(&self) -> (f64, f64) {
        let mut sign = self.perm_sign();
        let mut logabsdet = 0.0f64;
        for k in 0..self.n {
            let p = self.lu[k * self.n + k];
            let m = p.abs();
            sign *= p / m;
            logabsdet += m.ln();
        }
        (sign, logabsdet + 0.0)
    }

    fn perm_sign(&self) -> f64 {
        let swaps = self
            .ipiv
            .iter()
            .enumerate()
            .filter(|&(i, &p)| i != p)
            .count();
        if swaps % 2 == 0 { 1.0 } else { -1.0 }
    }

    /// Solves `A X = B` in place: `b` holds `B` (`n × k`, C order) and receives `X`.
    pub(crate) fn solve_in_place(&self, b: &mut [f64], k: usize) {
        solve_small(&self.lu, self.n, &self.ipiv, b, k);
    }

    /// Writes `A⁻¹` (C order) into `out` (`n²` elements).
    pub(crate) fn inverse_into(&self, out: &mut [f64]) {
        out.fill(0.0);
        for i in 0..self.n {
            out[i * self.n + i] = 1.0;
        }
        self.solve_in_place(out, self.n);
    }
}
