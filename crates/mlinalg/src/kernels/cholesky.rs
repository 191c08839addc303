//! Cholesky `A = L Lᵀ` (LAPACK `potrf`), recursive (Toledo; LAPACK's `dpotrf2`): every
//! level factors the leading half, solves for the off-diagonal block ([`super::trsm`]) and
//! updates the trailing half with one symmetric rank-k update ([`super::syrk`]), so almost
//! all the flops run in the packed GEMM; the leaves are unblocked dot-product loops over
//! contiguous rows.

use ndarray::{Array2, ArrayBase, ArrayView2, DataMut, Ix2};

use super::block::{Block, LEAF, dot, split};
use super::pool::in_pool;
use super::syrk::syrk_lower;
use super::trsm::trsm_right_lower_t;
use crate::error::{Error, Result};

/// Lower Cholesky factor L with `A = L Lᵀ`, reading the lower triangle of `a`; C order,
/// exact zeros above the diagonal.
///
/// # Errors
/// [`Error::NotPositiveDefinite`] (named `op`) when a leading minor is not positive
/// definite; [`Error::Unsupported`] when the copy cannot be allocated.
pub(crate) fn llt(op: &'static str, a: &ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let mut l = super::c_order(op, a.view())?;
    cholesky_in_place(&mut l).map_err(|_| Error::NotPositiveDefinite { op })?;
    Ok(l)
}

/// Cholesky `A = L Lᵀ` in place on a square C-order array, reading its lower triangle; the
/// strict upper triangle is set to zero (NumPy's output). `Err(j)` when the leading minor
/// of order `j + 1` is not positive definite (LAPACK's `info = j + 1`).
///
/// # Panics
/// If `a` is not square or not in C order (the recursion addresses `(i, j)` as
/// `ptr + i·ld + j` for `i, j < n`).
#[track_caller]
pub(crate) fn cholesky_in_place<S: DataMut<Elem = f64>>(
    a: &mut ArrayBase<S, Ix2>,
) -> std::result::Result<(), usize> {
    let n = a.nrows();
    assert!(
        a.ncols() == n,
        "cholesky_in_place: {} × {} is not square",
        n,
        a.ncols()
    );
    if n > 0 {
        let blk = Block::of(a);
        // SAFETY: the block is the whole of `a`, borrowed mutably here.
        in_pool(n, || unsafe { potrf(blk, 0) })?;
    }
    if let Some(flat) = a.as_slice_mut() {
        // (a stack of small matrices spent 9 % of its time in `slice_mut` otherwise)
        for (i, row) in flat.chunks_exact_mut(n).enumerate() {
            row[i + 1..].fill(0.0);
        }
    } else {
        for (i, mut row) in a.rows_mut().into_iter().enumerate() {
            row.slice_mut(ndarray::s![i + 1..]).fill(0.0);
        }
    }
    Ok(())
}

/// Recursive Cholesky of the lower triangle of a square block; `offset` is the block's
/// position on the diagonal (for the error index).
///
/// # Safety
/// `a` is a valid square block no one else accesses during the call.
unsafe fn potrf(a: Block, offset: usize) -> std::result::Result<(), usize> {
    let n = a.rows;
    if n <= 2 * LEAF {
        // SAFETY: forwarded.
        return unsafe { potf2(a, offset) };
    }
    let n1 = split(n);
    let n2 = n - n1;
    // SAFETY: sub-blocks of `a`; each update writes a block disjoint from what it reads.
    unsafe {
        potrf(a.sub(0, 0, n1, n1), offset)?;
        trsm_right_lower_t(a.sub(0, 0, n1, n1), a.sub(n1, 0, n2, n1));
        syrk_lower(a.sub(n1, n1, n2, n2), a.sub(n1, 0, n2, n1));
        potrf(a.sub(n1, n1, n2, n2), offset + n1)
    }
}

/// Unblocked Cholesky (dot-product form over contiguous rows).
///
/// # Safety
/// `a` is a valid square block no one else accesses during the call.
unsafe fn potf2(a: Block, offset: usize) -> std::result::Result<(), usize> {
    let n = a.rows;
    // SAFETY: indices (i, p) with p ≤ i < n.
    unsafe {
        for j in 0..n {
            let rj = std::slice::from_raw_parts(a.at(j, 0), j);
            let d = *a.at(j, j) - dot(rj, rj);
            // LAPACK's test: not (ajj > 0), which also catches NaN.
            if d.is_nan() || d <= 0.0 {
                return Err(offset + j);
            }
            let l = d.sqrt();
            *a.at(j, j) = l;
            for i in j + 1..n {
                let ri = std::slice::from_raw_parts(a.at(i, 0), j);
                let x = a.at(i, j);
                *x = (*x - dot(ri, rj)) / l;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{SIZES, matrix, max_abs_diff, naive_cholesky};

    #[test]
    fn cholesky_matches_the_textbook_algorithm() {
        for &n in &SIZES {
            let g = matrix(n, n, 100 + n as u64);
            let a = g.dot(&g.t()) + Array2::<f64>::eye(n) * n as f64;
            // junk in the strict upper triangle must not be read
            let mut input = a.clone();
            for i in 0..n {
                for j in i + 1..n {
                    input[[i, j]] = f64::NAN;
                }
            }
            cholesky_in_place(&mut input).unwrap();
            let want = naive_cholesky(&a).unwrap();
            let d = max_abs_diff(&input, &want);
            assert!(d < 1e-11 * (n as f64).sqrt(), "n = {n}: differs by {d:e}");
            for i in 0..n {
                for j in i + 1..n {
                    assert_eq!(input[[i, j]], 0.0);
                }
            }
        }
    }

    #[test]
    fn cholesky_reports_the_first_failing_minor() {
        for &(n, bad) in &[(5usize, 3usize), (40, 0), (100, 70), (300, 299), (300, 150)] {
            let g = matrix(n, n, 9);
            let mut a = g.dot(&g.t()) + Array2::<f64>::eye(n) * n as f64;
            // make the leading minor of order bad + 1 indefinite
            a[[bad, bad]] = -1.0;
            let err = cholesky_in_place(&mut a.clone()).unwrap_err();
            assert_eq!(err, bad, "n = {n}");
            assert!(naive_cholesky(&a).is_none());
        }
    }
}
