//! Deterministic signs for singular vectors: scikit-learn's `utils.extmath.svd_flip`.
//!
//! A singular triplet `(uᵢ, σᵢ, vᵢ)` is only defined up to a common sign, `(−uᵢ, σᵢ, −vᵢ)`
//! being just as valid, and different SVD kernels (LAPACK, faer, a randomized solver) pick
//! different ones. Every decomposition in [`crate::decomposition`] therefore passes its
//! factors through [`svd_flip`] before returning them (STYLE.md C10: signs are API).

use ndarray::{Array1, Array2, ArrayView2, Axis};

/// Position of the entry of largest magnitude, the *first* one on ties (NumPy `argmax`).
fn argmax_abs<'a>(values: impl Iterator<Item = &'a f64>) -> Option<(usize, f64)> {
    let mut best: Option<(usize, f64)> = None;
    for (i, &v) in values.enumerate() {
        // strict `>`: the first maximum wins, as `np.argmax(np.abs(..))`
        if best.is_none_or(|(_, b)| v.abs() > b.abs()) {
            best = Some((i, v));
        }
    }
    best
}

/// The sign `svd_flip` applies to one vector: that of its entry of largest magnitude.
///
/// scikit-learn multiplies by `np.sign(·)`, which is 0 for an all-zero vector and would
/// wipe out the paired vector too; we return +1 there instead (a zero vector has no sign
/// to fix, and the paired vector must survive).
fn sign_of_largest(values: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = values.collect();
    match argmax_abs(v.iter()) {
        Some((_, x)) if x < 0.0 => -1.0,
        _ => 1.0,
    }
}

/// The signs that make the largest-magnitude entry of each row of `vt` positive.
pub(crate) fn row_signs(vt: ArrayView2<'_, f64>) -> Array1<f64> {
    vt.axis_iter(Axis(0))
        .map(|row| sign_of_largest(row.iter().copied()))
        .collect()
}

/// The signs that make the largest-magnitude entry of each column of `u` positive.
pub(crate) fn col_signs(u: ArrayView2<'_, f64>) -> Array1<f64> {
    u.axis_iter(Axis(1))
        .map(|col| sign_of_largest(col.iter().copied()))
        .collect()
}

/// Multiplies row `i` of `vt` by `signs[i]`.
pub(crate) fn scale_rows(vt: &mut Array2<f64>, signs: &Array1<f64>) {
    for (mut row, &s) in vt.axis_iter_mut(Axis(0)).zip(signs.iter()) {
        if s < 0.0 {
            row.mapv_inplace(|x| -x);
        }
    }
}

/// Multiplies column `j` of `u` by `signs[j]`.
pub(crate) fn scale_cols(u: &mut Array2<f64>, signs: &Array1<f64>) {
    for (mut col, &s) in u.axis_iter_mut(Axis(1)).zip(signs.iter()) {
        if s < 0.0 {
            col.mapv_inplace(|x| -x);
        }
    }
}

/// scikit-learn's `svd_flip(u, vt, u_based_decision)`, in place.
///
/// `u`: (m, k) left singular vectors as columns; `vt`: (k, n) right singular vectors as
/// rows. With `u_based = true` the entry of largest |·| in each *column of u* is made
/// positive; with `u_based = false` (what `PCA` and `TruncatedSVD` use since scikit-learn
/// 1.5) the entry of largest |·| in each *row of vt*, i.e. in each component, is made
/// positive. The paired vector is flipped with it, so `U Σ Vᵀ` is unchanged. Ties go to the
/// first entry (NumPy `argmax`); an all-zero vector keeps its sign (see [`sign_of_largest`]).
pub(crate) fn svd_flip(u: &mut Array2<f64>, vt: &mut Array2<f64>, u_based: bool) {
    let k = u.ncols().min(vt.nrows());
    let signs = if u_based {
        col_signs(u.slice(ndarray::s![.., ..k]))
    } else {
        row_signs(vt.slice(ndarray::s![..k, ..]))
    };
    scale_cols(u, &signs);
    scale_rows(vt, &signs);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn v_based_makes_largest_row_entry_positive() {
        let mut u = array![[1.0, 2.0], [3.0, -4.0]];
        let mut vt = array![[0.1, -0.9], [0.8, 0.2]];
        svd_flip(&mut u, &mut vt, false);
        assert_eq!(vt, array![[-0.1, 0.9], [0.8, 0.2]]);
        assert_eq!(u, array![[-1.0, 2.0], [-3.0, -4.0]]);
    }

    #[test]
    fn u_based_makes_largest_col_entry_positive() {
        let mut u = array![[1.0, 2.0], [3.0, -4.0]];
        let mut vt = array![[0.1, -0.9], [0.8, 0.2]];
        svd_flip(&mut u, &mut vt, true);
        assert_eq!(u, array![[1.0, -2.0], [3.0, 4.0]]);
        assert_eq!(vt, array![[0.1, -0.9], [-0.8, -0.2]]);
    }

    #[test]
    fn ties_go_to_the_first_entry_and_zero_vectors_survive() {
        let mut u = array![[1.0], [1.0]];
        let mut vt = array![[-0.5, 0.5]];
        svd_flip(&mut u, &mut vt, false);
        assert_eq!(vt, array![[0.5, -0.5]]);
        let mut z = array![[0.0, 0.0]];
        let mut u1 = array![[2.0]];
        svd_flip(&mut u1, &mut z, false);
        assert_eq!(u1, array![[2.0]]);
    }
}
