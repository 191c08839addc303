//! LU with partial pivoting (LAPACK `getrf`) on row-major `f64` matrices, recursive
//! (Toledo; LAPACK's `dgetrf2`): every level halves the columns, factors the left half,
//! and updates the right half with one large matrix product, so almost all the flops run in
//! the packed GEMM ([`super::gemm`]) on every core. The leaves (at most [`LU_LEAF`]
//! columns) are unblocked and work on a contiguous column-major copy of the panel.
//!
//! faer's LU measured 0.6–0.8× OpenBLAS's `getrf` on this project's machine, while our
//! GEMM runs at or above OpenBLAS's, hence this implementation.

use ndarray::Array2;

use super::block::{Block, dot, split, update};
use super::isa::Isa;
use super::pool::in_pool;
use super::trsm::{trsm_lower_unit, trsm_upper};

/// Width of the unblocked LU panels.
const LU_LEAF: usize = 32;

thread_local! {
    /// The LU panel scratch of this thread, kept between calls (up to
    /// [`KEEP_SCRATCH`] elements) so that repeated solves do not fault it in each time.
    static SCRATCH: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Largest scratch kept between calls: 4 MiB.
const KEEP_SCRATCH: usize = 1 << 19;

/// Runs `f` with a scratch slice of `len` elements (contents unspecified).
fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [f64]) -> R) -> R {
    if len > KEEP_SCRATCH {
        return f(&mut vec![0.0; len]);
    }
    SCRATCH.with(|c| match c.try_borrow_mut() {
        Ok(mut v) => {
            if v.len() < len {
                v.resize(len, 0.0);
            }
            f(&mut v[..len])
        }
        // a nested factorization on this thread (rayon ran one while we waited)
        Err(_) => f(&mut vec![0.0; len]),
    })
}

/// An LU factorization with partial pivoting `P A = L U` of a square or tall matrix, stored
/// as LAPACK's `getrf` does: `L` (unit diagonal, not stored) below and `U` on and above the
/// diagonal of one row-major array, and row interchanges `ipiv` (row `i` was swapped with
/// row `ipiv[i] ≥ i`, in order; one per column).
pub(crate) struct LuFactor {
    pub(crate) lu: Array2<f64>,
    pub(crate) ipiv: Vec<usize>,
}

impl LuFactor {
    /// Factors `a` (`m × n`, `m ≥ n`, C order) in place.
    ///
    /// # Panics
    /// If `m < n` or `a` is not in C order (row-major with unit column stride).
    pub(crate) fn factor(mut a: Array2<f64>) -> LuFactor {
        let (m, n) = a.dim();
        assert!(
            m >= n,
            "LuFactor::factor: {m} × {n} has more columns than rows"
        );
        let mut ipiv = vec![0usize; n];
        if n > 0 {
            let blk = Block::of(&mut a);
            with_scratch(m * LU_LEAF.min(n), |scratch| {
                // SAFETY: the block is the whole of `a`, owned here; the scratch holds
                // m · min(LU_LEAF, n) elements, the widest leaf panel.
                in_pool(n, || unsafe { getrf(blk, &mut ipiv, scratch) });
            });
        }
        LuFactor { lu: a, ipiv }
    }

    /// Solves `A X = B` in place for a C-order `b` (`n × k`).
    ///
    /// # Panics
    /// If the factored matrix is not square, `b.nrows() != n`, or `b` is not in C order.
    pub(crate) fn solve_in_place(&self, b: &mut Array2<f64>) {
        let n = self.lu.nrows();
        assert!(
            self.lu.ncols() == n && b.nrows() == n,
            "LuFactor::solve_in_place: {:?} factor, right-hand sides {:?}",
            self.lu.dim(),
            b.dim()
        );
        if n == 0 || b.ncols() == 0 {
            return;
        }
        let bb = Block::of(b);
        // `self.lu` is only read; the cast to *mut is for the shared Block type.
        let lu = Block {
            ptr: self.lu.as_ptr().cast_mut(),
            rows: n,
            cols: n,
            ld: n,
        };
        // SAFETY: `lu` is only read by the routines below; `bb` is a different buffer.
        unsafe {
            swap_rows(bb, &self.ipiv);
            if bb.cols <= 4 {
                // A few right-hand sides: one column at a time by dot products over the
                // contiguous rows of L and U (O(n²) each; the recursive solves below are for
                // many columns, where the GEMM pays off).
                let mut x = vec![0.0f64; n];
                for c in 0..bb.cols {
                    for (i, v) in x.iter_mut().enumerate() {
                        *v = *bb.at(i, c);
                    }
                    substitute(lu, &mut x);
                    for (i, v) in x.iter().enumerate() {
                        *bb.at(i, c) = *v;
                    }
                }
            } else {
                in_pool(n.max(bb.cols), || {
                    trsm_lower_unit(lu, bb);
                    trsm_upper(lu, bb);
                });
            }
        }
    }
}

/// `x ← U⁻¹ L⁻¹ x` for the packed factors of the square block `lu`.
///
/// # Safety
/// `lu` is a valid block, `x.len() == lu.rows`.
unsafe fn substitute(lu: Block, x: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if Isa::detect() != Isa::Scalar {
        // SAFETY: the CPU has AVX2 and FMA; forwarded contract.
        return unsafe { substitute_avx2(lu, x) };
    }
    // SAFETY: forwarded.
    unsafe { substitute_body(lu, x) }
}

/// [`substitute`] compiled for AVX2 + FMA.
///
/// # Safety
/// As [`substitute`], on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn substitute_avx2(lu: Block, x: &mut [f64]) {
    // SAFETY: forwarded.
    unsafe { substitute_body(lu, x) }
}

/// # Safety
/// As [`substitute`].
#[inline(always)]
unsafe fn substitute_body(lu: Block, x: &mut [f64]) {
    let n = lu.rows;
    // SAFETY: row i of the block has n elements.
    unsafe {
        for i in 1..n {
            let row = std::slice::from_raw_parts(lu.at(i, 0), i);
            x[i] -= dot(row, &x[..i]);
        }
        for i in (0..n).rev() {
            let row = std::slice::from_raw_parts(lu.at(i, i + 1), n - i - 1);
            x[i] = (x[i] - dot(row, &x[i + 1..])) / *lu.at(i, i);
        }
    }
}

/// Recursive LU with partial pivoting of an `m × n` block, `m ≥ n`; `ipiv` (length `n`)
/// receives row interchanges relative to the block's first row.
///
/// # Safety
/// `a` is a valid block no one else accesses during the call.
unsafe fn getrf(a: Block, ipiv: &mut [usize], scratch: &mut [f64]) {
    let (m, n) = (a.rows, a.cols);
    debug_assert!(m >= n && ipiv.len() == n);
    if n <= LU_LEAF {
        // SAFETY: forwarded.
        unsafe { getf2(a, ipiv, scratch) };
        return;
    }
    let n1 = split(n);
    let n2 = n - n1;
    let (ip1, ip2) = ipiv.split_at_mut(n1);
    // SAFETY: all blocks lie inside `a`; the GEMM's output (rows n1.., cols n1..) is
    // disjoint from its inputs (rows n1.., cols ..n1 and rows ..n1, cols n1..).
    unsafe {
        getrf(a.sub(0, 0, m, n1), ip1, scratch);
        swap_rows(a.sub(0, n1, m, n2), ip1);
        trsm_lower_unit(a.sub(0, 0, n1, n1), a.sub(0, n1, n1, n2));
        update(
            a.sub(n1, n1, m - n1, n2),
            a.sub(n1, 0, m - n1, n1),
            a.sub(0, n1, n1, n2),
        );
        getrf(a.sub(n1, n1, m - n1, n2), ip2, scratch);
        swap_rows(a.sub(n1, 0, m - n1, n1), ip2);
    }
    for p in ip2.iter_mut() {
        *p += n1;
    }
}

/// Unblocked LU of an `m × w` panel (`w ≤ LU_LEAF`, `m ≥ w`). The panel's columns are far
/// apart in the row-major matrix, so it is copied into `scratch` column by column (`m·w`
/// contiguous elements), factored there with unit-stride column operations (pivot search,
/// scaling and rank-1 updates all vectorise), and copied back.
///
/// # Safety
/// As [`getrf`]; `scratch` holds at least `m·w` elements.
unsafe fn getf2(a: Block, ipiv: &mut [usize], scratch: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if Isa::detect() != Isa::Scalar {
        // SAFETY: the CPU has AVX2 and FMA; forwarded contract.
        return unsafe { getf2_avx2(a, ipiv, scratch) };
    }
    // SAFETY: forwarded.
    unsafe { getf2_body(a, ipiv, scratch) }
}

/// [`getf2`] compiled for AVX2 + FMA.
///
/// # Safety
/// As [`getf2`], on a CPU with AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn getf2_avx2(a: Block, ipiv: &mut [usize], scratch: &mut [f64]) {
    // SAFETY: forwarded.
    unsafe { getf2_body(a, ipiv, scratch) }
}

/// Row tile of the transposing copies.
const TILE: usize = 8;

/// # Safety
/// As [`getf2`].
#[inline(always)]
unsafe fn getf2_body(a: Block, ipiv: &mut [usize], scratch: &mut [f64]) {
    let (m, w) = (a.rows, a.cols);
    let s = &mut scratch[..m * w];
    // SAFETY: (i, c) with i < m, c < w lies inside the block.
    unsafe {
        for i0 in (0..m).step_by(TILE) {
            let rows = TILE.min(m - i0);
            for c in 0..w {
                for i in i0..i0 + rows {
                    *s.get_unchecked_mut(c * m + i) = *a.at(i, c);
                }
            }
        }
    }
    for j in 0..w {
        let p = j + iamax(&s[j * m + j..(j + 1) * m]);
        ipiv[j] = p;
        if p != j {
            for c in 0..w {
                s.swap(c * m + j, c * m + p);
            }
        }
        let (left, right) = s.split_at_mut((j + 1) * m);
        let col = &mut left[j * m..];
        let piv = col[j];
        let below = &mut col[j + 1..];
        if piv != 0.0 {
            // LAPACK's dgetf2: multiply by the reciprocal unless it would overflow.
            if piv.abs() >= f64::MIN_POSITIVE {
                let r = 1.0 / piv;
                below.iter_mut().for_each(|x| *x *= r);
            } else {
                below.iter_mut().for_each(|x| *x /= piv);
            }
        }
        for c in right.chunks_exact_mut(m) {
            let u = c[j];
            for (x, l) in c[j + 1..].iter_mut().zip(below.iter()) {
                *x -= l * u;
            }
        }
    }
    // SAFETY: as above.
    unsafe {
        for i0 in (0..m).step_by(TILE) {
            let rows = TILE.min(m - i0);
            for c in 0..w {
                for i in i0..i0 + rows {
                    *a.at(i, c) = *s.get_unchecked(c * m + i);
                }
            }
        }
    }
}

/// Index of the first largest magnitude of `x` (BLAS `idamax`; NaN is never preferred to a
/// number, and an all-NaN `x` gives 0).
fn iamax(x: &[f64]) -> usize {
    let (mut best, mut at) = (-1.0f64, 0);
    for (i, &v) in x.iter().enumerate() {
        let v = v.abs();
        if v > best {
            best = v;
            at = i;
        }
    }
    at
}

/// Applies the interchanges `ipiv` (row `i` ↔ row `ipiv[i]`, in order) to `b`.
///
/// # Safety
/// `ipiv[i] < b.rows`; `b` is not accessed elsewhere.
unsafe fn swap_rows(b: Block, ipiv: &[usize]) {
    if b.cols == 0 {
        return;
    }
    for (i, &p) in ipiv.iter().enumerate() {
        if p != i {
            // SAFETY: rows i ≠ p of the block, each `cols` long, do not overlap.
            unsafe { std::ptr::swap_nonoverlapping(b.at(i, 0), b.at(p, 0), b.cols) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::{SIZES, matrix, max_abs_diff};

    /// Textbook right-looking LU with partial pivoting (LAPACK's pivot rule: the first
    /// largest magnitude), row-major.
    fn naive_lu(mut a: Array2<f64>) -> (Array2<f64>, Vec<usize>) {
        let n = a.nrows();
        let mut ipiv = vec![0; n];
        for k in 0..n {
            let mut p = k;
            for i in k + 1..n {
                if a[[i, k]].abs() > a[[p, k]].abs() {
                    p = i;
                }
            }
            ipiv[k] = p;
            for j in 0..n {
                a.swap([k, j], [p, j]);
            }
            let piv = a[[k, k]];
            for i in k + 1..n {
                a[[i, k]] /= piv;
                for j in k + 1..n {
                    a[[i, j]] -= a[[i, k]] * a[[k, j]];
                }
            }
        }
        (a, ipiv)
    }

    #[test]
    fn lu_matches_the_textbook_algorithm_pivot_for_pivot() {
        for &n in &SIZES {
            let a = matrix(n, n, n as u64);
            let f = LuFactor::factor(a.clone());
            let (want, want_piv) = naive_lu(a.clone());
            assert_eq!(f.ipiv, want_piv, "n = {n}: pivots differ");
            let d = max_abs_diff(&f.lu, &want);
            assert!(d < 1e-11, "n = {n}: factors differ by {d:e}");
            // P A = L U, with the LAPACK backward-error ratio
            let mut pa = a.clone();
            for (i, &p) in f.ipiv.iter().enumerate() {
                for j in 0..n {
                    pa.swap([i, j], [p, j]);
                }
            }
            let l = Array2::from_shape_fn((n, n), |(i, j)| match i.cmp(&j) {
                std::cmp::Ordering::Greater => f.lu[[i, j]],
                std::cmp::Ordering::Equal => 1.0,
                std::cmp::Ordering::Less => 0.0,
            });
            let u = Array2::from_shape_fn((n, n), |(i, j)| if j >= i { f.lu[[i, j]] } else { 0.0 });
            let r = &pa - &l.dot(&u);
            let fro = |x: &Array2<f64>| x.iter().map(|v| v * v).sum::<f64>().sqrt();
            let ratio = fro(&r) / (fro(&a) * n as f64 * f64::EPSILON);
            assert!(ratio < 30.0, "n = {n}: ‖PA − LU‖ ratio {ratio}");
            assert!(l.iter().all(|v| v.abs() <= 1.0), "n = {n}: |L| > 1");
        }
    }

    #[test]
    fn lu_solves_any_number_of_right_hand_sides() {
        for &n in &[1usize, 5, 33, 100, 300] {
            let a = matrix(n, n, 7 + n as u64) + Array2::<f64>::eye(n) * 0.5;
            let f = LuFactor::factor(a.clone());
            for k in [1usize, 3, 4, 5, 17, 64] {
                let b = matrix(n, k, (n * k) as u64);
                let mut x = b.clone();
                f.solve_in_place(&mut x);
                let r = &a.dot(&x) - &b;
                let fro = |x: &Array2<f64>| x.iter().map(|v| v * v).sum::<f64>().sqrt();
                let ratio = fro(&r) / (fro(&a) * fro(&x) * n as f64 * f64::EPSILON);
                assert!(ratio < 30.0, "n = {n}, k = {k}: residual ratio {ratio}");
            }
        }
    }

    #[test]
    fn lu_of_singular_and_zero_columns_does_not_divide_by_zero() {
        // zero first column: no pivot, the column is left as it is (LAPACK's info > 0)
        let mut a = matrix(40, 40, 3);
        a.column_mut(0).fill(0.0);
        let f = LuFactor::factor(a);
        assert_eq!(f.lu[[0, 0]], 0.0);
        assert!(f.lu.iter().all(|v| v.is_finite()));
        let z = LuFactor::factor(Array2::zeros((70, 70)));
        assert!(z.lu.iter().all(|&v| v == 0.0));
        assert!(z.ipiv.iter().enumerate().all(|(i, &p)| i == p));
    }
}
