//! Triangular solves (BLAS `trsm`) on row-major [`Block`]s: recursive (each level halves
//! the triangle and updates the other half of the right-hand sides with one GEMM), with
//! unblocked leaves over contiguous rows.

use super::block::{Block, LEAF, dot, split, update, update_bt};

/// `B ← L⁻¹ B` for the unit lower triangle `L` of the square block `l` (the strict lower
/// triangle is read; the diagonal is taken as 1).
///
/// # Safety
/// `l` and `b` do not overlap; `b.rows == l.rows`.
pub(super) unsafe fn trsm_lower_unit(l: Block, b: Block) {
    let n = l.rows;
    if b.cols == 0 {
        return;
    }
    if n <= LEAF || b.cols <= 2 {
        // SAFETY: indices within the blocks; rows i ≠ p of `b` are distinct memory.
        unsafe {
            for i in 1..n {
                let bi = b.row(i);
                for p in 0..i {
                    let lip = *l.at(i, p);
                    if lip != 0.0 {
                        let bp = std::slice::from_raw_parts(b.at(p, 0), b.cols);
                        for (x, y) in bi.iter_mut().zip(bp) {
                            *x -= lip * y;
                        }
                    }
                }
            }
        }
        return;
    }
    let h = split(n);
    // SAFETY: sub-blocks of `l` (read) and disjoint row ranges of `b`.
    unsafe {
        trsm_lower_unit(l.sub(0, 0, h, h), b.sub(0, 0, h, b.cols));
        update(
            b.sub(h, 0, n - h, b.cols),
            l.sub(h, 0, n - h, h),
            b.sub(0, 0, h, b.cols),
        );
        trsm_lower_unit(l.sub(h, h, n - h, n - h), b.sub(h, 0, n - h, b.cols));
    }
}

/// `B ← U⁻¹ B` for the (non-unit) upper triangle `U` of the square block `u`.
///
/// # Safety
/// As [`trsm_lower_unit`].
pub(super) unsafe fn trsm_upper(u: Block, b: Block) {
    let n = u.rows;
    if b.cols == 0 {
        return;
    }
    if n <= LEAF || b.cols <= 2 {
        // SAFETY: as in `trsm_lower_unit`.
        unsafe {
            for i in (0..n).rev() {
                let bi = b.row(i);
                for p in i + 1..n {
                    let uip = *u.at(i, p);
                    if uip != 0.0 {
                        let bp = std::slice::from_raw_parts(b.at(p, 0), b.cols);
                        for (x, y) in bi.iter_mut().zip(bp) {
                            *x -= uip * y;
                        }
                    }
                }
                // LAPACK's dtrsm divides (no reciprocal).
                let d = *u.at(i, i);
                for x in bi.iter_mut() {
                    *x /= d;
                }
            }
        }
        return;
    }
    let h = split(n);
    // SAFETY: as in `trsm_lower_unit`.
    unsafe {
        trsm_upper(u.sub(h, h, n - h, n - h), b.sub(h, 0, n - h, b.cols));
        update(
            b.sub(0, 0, h, b.cols),
            u.sub(0, h, h, n - h),
            b.sub(h, 0, n - h, b.cols),
        );
        trsm_upper(u.sub(0, 0, h, h), b.sub(0, 0, h, b.cols));
    }
}

/// `B ← B L⁻ᵀ` for the lower triangle `L` of the square block `l` (`B` is `m × n`).
///
/// # Safety
/// As [`trsm_lower_unit`], with `b.cols == l.rows`.
pub(super) unsafe fn trsm_right_lower_t(l: Block, b: Block) {
    let n = l.rows;
    if b.rows == 0 {
        return;
    }
    if n <= LEAF {
        // Row by row: x_j = (b_j − Σ_{p<j} x_p L_jp) / L_jj.
        // SAFETY: indices within the blocks.
        unsafe {
            for r in 0..b.rows {
                let x = b.row(r);
                for j in 0..n {
                    let lj = std::slice::from_raw_parts(l.at(j, 0), j);
                    x[j] = (x[j] - dot(&x[..j], lj)) / *l.at(j, j);
                }
            }
        }
        return;
    }
    let h = split(n);
    // SAFETY: column blocks of `b` are disjoint; `l` is only read.
    unsafe {
        trsm_right_lower_t(l.sub(0, 0, h, h), b.sub(0, 0, b.rows, h));
        update_bt(
            b.sub(0, h, b.rows, n - h),
            b.sub(0, 0, b.rows, h),
            l.sub(h, 0, n - h, h),
        );
        trsm_right_lower_t(l.sub(h, h, n - h, n - h), b.sub(0, h, b.rows, n - h));
    }
}
