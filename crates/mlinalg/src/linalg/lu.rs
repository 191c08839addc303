//! LU with partial pivoting as the dense solvers need it: mlinalg's recursive LU
//! ([`crate::kernels::lu`]) on input scaled into range, with NumPy's notion of a singular
//! matrix.

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};
use crate::kernels::lu::LuFactor;
use crate::linalg::bridge::{Rescale, pow2_scale, scale_into_range};

/// LU with partial pivoting of a square matrix, reduced to what callers need.
///
/// The factorization is mlinalg's own recursive LU ([`crate::kernels::lu`]) on the packed
/// GEMM; it keeps LAPACK `getrf`'s pivot choices (first largest magnitude).
/// Input whose largest magnitude lies outside [2^-64, 2^64] is factored as `A = 2^e · A_s`
/// (exact), so that subnormal matrices do not overflow `1/pivot`; [`Lu::det_scale`],
/// [`Lu::solve_in_place`] and [`Lu::inverse`] undo the factor.
pub(crate) struct Lu {
    f: LuFactor,
    exp: i32,
}

impl Lu {
    pub(crate) fn new(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<Self> {
        let (copy, exp) = match scale_into_range(a) {
            Some((scaled, Rescale(exp))) => (crate::kernels::c_order(op, scaled.view())?, exp),
            None => (crate::kernels::c_order(op, a.view())?, 0),
        };
        Ok(Lu {
            f: LuFactor::factor(copy),
            exp,
        })
    }

    fn n(&self) -> usize {
        self.f.lu.nrows()
    }

    /// The diagonal of U (the pivots) of the scaled matrix `A_s`.
    pub(crate) fn pivots(&self) -> impl Iterator<Item = f64> + '_ {
        self.f.lu.diag().into_iter().copied()
    }

    /// `det A = det A_s · 2^(e·n)`: multiplies a determinant of `A_s` back.
    pub(crate) fn det_scale(&self, det_s: f64) -> f64 {
        let mut total = i64::from(self.exp) * self.n() as i64;
        let mut d = det_s;
        // in steps the f64 exponent range can hold; saturates to 0/±∞ like NumPy's product
        while total != 0 && d != 0.0 && d.is_finite() {
            let step = total.clamp(-1000, 1000) as i32;
            d *= 2f64.powi(step);
            total -= i64::from(step);
        }
        d
    }

    /// `ln 2^(e·n)`, the log of the factor [`Lu::det_scale`] applies.
    pub(crate) fn logdet_shift(&self) -> f64 {
        f64::from(self.exp) * self.n() as f64 * std::f64::consts::LN_2
    }

    /// True when the matrix is singular to working precision.
    ///
    /// LAPACK's `getrf` (and so NumPy) reports "Singular matrix" only for an exactly zero
    /// pivot. Which pivots come out exactly zero depends on the order of floating-point
    /// operations, though: OpenBLAS gets an exact 0 for `[[1,2,3],[4,5,6],[7,8,9]]` or a
    /// matrix with a repeated column, where fused multiply-adds leave ±1e-16. So a
    /// pivot also counts as zero when it is no larger than the rounding error of its own
    /// computation, `u_kk = a_kk − Σ l_ki u_ik`: |u_kk| ≤ (k + 1) · ε · (|u_kk| + Σ |l_ki| |u_ik|).
    /// Such a pivot has no correct digit. A tiny pivot that is exact data (diag(1, 1e-20))
    /// involves no cancellation and is kept. A NaN pivot (after an overflow) also means
    /// singular.
    pub(crate) fn is_singular(&self) -> bool {
        let lu = &self.f.lu;
        let n = self.n();
        // |l_ki| ≤ 1 under partial pivoting, so Σ |l_ki| |u_ik| ≤ k · max |U|: the exact
        // sum is only needed for pivots below that cheap bound.
        let mut umax = 0.0f64;
        for (i, row) in lu.rows().into_iter().enumerate() {
            for &v in row.iter().skip(i) {
                let v = v.abs();
                if v > umax {
                    umax = v;
                }
            }
        }
        for k in 0..n {
            let p = lu[(k, k)];
            if p == 0.0 || p.is_nan() {
                return true;
            }
            if k == 0 {
                continue;
            }
            let eps_k = (k + 1) as f64 * f64::EPSILON;
            if p.abs() > eps_k * (p.abs() + k as f64 * umax) {
                continue;
            }
            let terms: f64 = (0..k).map(|i| (lu[(k, i)] * lu[(i, k)]).abs()).sum::<f64>() + p.abs();
            if p.abs() <= eps_k * terms {
                return true;
            }
        }
        false
    }

    /// The sign (±1) of the row permutation.
    pub(crate) fn perm_sign(&self) -> f64 {
        let swaps = self
            .f
            .ipiv
            .iter()
            .enumerate()
            .filter(|&(i, &p)| i != p)
            .count();
        if swaps % 2 == 0 { 1.0 } else { -1.0 }
    }

    /// Solves `A X = B` in place for every column of a C-order `b` (`X = A_s⁻¹ B · 2^-e`).
    pub(crate) fn solve_in_place(&self, b: &mut Array2<f64>) {
        self.f.solve_in_place(b);
        if self.exp != 0 {
            b.mapv_inplace(|v| pow2_scale(v, -self.exp));
        }
    }

    /// `A⁻¹ = A_s⁻¹ · 2^-e`, in C order.
    pub(crate) fn inverse(&self, op: &'static str) -> Result<Array2<f64>> {
        let n = self.n();
        let mut v = crate::array::try_vec(op, n * n)?;
        for i in 0..n {
            v[i * n + i] = 1.0;
        }
        let mut inv =
            Array2::from_shape_vec((n, n), v).map_err(|e| Error::shape(op, e.to_string()))?;
        self.solve_in_place(&mut inv);
        Ok(inv)
    }
}
