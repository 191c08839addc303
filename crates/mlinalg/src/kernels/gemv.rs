//! Matrix–vector products `y (+)= A x` (BLAS `dgemv`). Every element of `A` is used once,
//! so the product is bound by memory bandwidth, not by arithmetic: nothing is packed, `A`
//! is streamed once in its own layout, and large products split the rows of `A` between
//! the threads so that every core streams its share (one core alone does not saturate the
//! memory bus).
//!
//! * row-major `A`: each `y_i` is a dot product of row `i` with `x` (eight partial sums);
//! * column-major `A`: `y` is built from `x_j · A[:, j]` over blocks of rows that stay in
//!   L1, four columns at a time.
//!
//! Both are compiled per instruction set ([`Isa`]). Other layouts are not handled here
//! ([`gemv`] returns `false`).

use ndarray::{ArrayView1, ArrayView2, ArrayViewMut1};
use rayon::prelude::*;

use super::isa::Isa;

/// Below this many elements of `A` a product runs on the calling thread only (~1 MiB: a
/// few tens of microseconds, comparable to handing work to another thread).
pub(crate) const PAR_ELEMENTS: usize = 1 << 17;

/// Rows of `y` per block of the column-major kernel (16 KiB of `y`, L1-resident).
const COL_BLOCK: usize = 2048;

/// Whether [`gemv`] should compute `A x` for an `m × k` matrix rather than faer: when `A`
/// is larger than half of the last-level cache ([`super::cache`]), so that the product
/// streams it from memory and both cores' bandwidth pays. Below that faer's product,
/// reading from cache, is faster. Measured on AMD EPYC Zen 4 (release build, one thread,
/// CPU time, best of 9; GFLOP/s gemv vs faer): 1024² 9.9 vs 14.6 (row-major), 10.2 vs 15.6
/// (column-major); 2048² 4.9 vs 3.3 and 4.7 vs 3.4; 4096² 5.2 vs 3.6 and 4.3 vs 3.6.
pub(crate) fn preferred(m: usize, k: usize) -> bool {
    let c = super::cache::caches();
    let llc = c.l3.map_or(c.l2.size, |l3| l3.size);
    m.saturating_mul(k).saturating_mul(8) >= llc / 2
}

/// `y = A x`, or `y += A x` when `accumulate`, if `A` is row- or column-major (unit stride
/// in one axis); returns `false` (leaving `y` as it was) for other layouts.
///
/// # Panics
/// If the shapes disagree (`A` is `m × k`, `x` has `k` elements, `y` has `m`).
#[track_caller]
pub(crate) fn gemv(
    a: &ArrayView2<'_, f64>,
    x: &ArrayView1<'_, f64>,
    y: &mut ArrayViewMut1<'_, f64>,
    accumulate: bool,
) -> bool {
    gemv_with(
        Isa::detect(),
        rayon::current_num_threads(),
        a,
        x,
        y,
        accumulate,
    )
}

/// [`gemv`] with an explicit kernel and thread count.
#[track_caller]
pub(crate) fn gemv_with(
    isa: Isa,
    threads: usize,
    a: &ArrayView2<'_, f64>,
    x: &ArrayView1<'_, f64>,
    y: &mut ArrayViewMut1<'_, f64>,
    accumulate: bool,
) -> bool {
    let (m, k) = a.dim();
    assert!(
        x.len() == k && y.len() == m,
        "gemv: shapes {:?} @ ({},) -> ({},)",
        a.dim(),
        x.len(),
        y.len()
    );
    let (rs, cs) = (a.strides()[0], a.strides()[1]);
    let row_major = cs == 1 || k <= 1;
    let col_major = rs == 1 || m <= 1;
    if !(row_major || col_major) || rs < 0 || cs < 0 {
        return false;
    }
    if m == 0 {
        return true;
    }
    // x and y as contiguous slices (copies only when strided: O(k) and O(m))
    let xs_owned;
    let xs: &[f64] = match x.as_slice() {
        Some(s) => s,
        None => {
            xs_owned = x.to_vec();
            &xs_owned
        }
    };
    let mut ys_owned = if y.as_slice().is_some() {
        None
    } else {
        Some(y.to_vec())
    };
    let ys: &mut [f64] = match ys_owned.as_mut() {
        Some(v) => v,
        // safe because `as_slice` just found `y` contiguous
        None => y.as_slice_mut().expect("contiguous y"),
    };
    if !accumulate {
        ys.fill(0.0);
    }
    if k > 0 {
        let threads = if m.saturating_mul(k) < PAR_ELEMENTS {
            1
        } else {
            threads.max(1)
        };
        let ptr = Ptr(a.as_ptr());
        if row_major {
            let ld = if m > 1 { rs as usize } else { k };
            // Rows per task: about 1/4 of a thread's share, at least 64 rows.
            let rows = m.div_ceil(4 * threads).max(64);
            let task = |(t, out): (usize, &mut [f64])| {
                let r0 = t * rows;
                // SAFETY: rows r0 .. r0 + out.len() < m of A, each k elements from
                // ptr + i·ld (the view's addressing, unit column stride).
                let a_rows = unsafe { ptr.rows(r0, out.len(), ld, k) };
                rows_dot(isa, a_rows, ld, k, xs, out);
            };
            if threads > 1 {
                ys.par_chunks_mut(rows).enumerate().for_each(task);
            } else {
                ys.chunks_mut(rows).enumerate().for_each(task);
            }
        } else {
            let ld = if k > 1 { cs as usize } else { m };
            // Two tasks per thread (work stealing evens out a busy core).
            let rows = if threads > 1 {
                m.div_ceil(2 * threads)
            } else {
                m
            };
            let task = |(t, out): (usize, &mut [f64])| {
                let r0 = t * rows;
                for (b, o) in out.chunks_mut(COL_BLOCK).enumerate() {
                    let i0 = r0 + b * COL_BLOCK;
                    // SAFETY: rows i0 .. i0 + o.len() ≤ m of every column j < k, at
                    // ptr + i + j·ld (the view's addressing, unit row stride).
                    let cols = unsafe { ptr.cols(i0, o.len(), ld, k) };
                    cols_axpy(isa, cols, ld, k, xs, o);
                }
            };
            if threads > 1 {
                ys.par_chunks_mut(rows).enumerate().for_each(task);
            } else {
                ys.chunks_mut(rows).enumerate().for_each(task);
            }
        }
    }
    if let Some(v) = ys_owned {
        y.iter_mut().zip(v).for_each(|(d, s)| *d = s);
    }
    true
}

/// `A`'s data pointer, shared by the threads (which only read through it).
#[derive(Clone, Copy)]
struct Ptr(*const f64);

// SAFETY: only reads of the immutably borrowed `A` happen through it, while the view lives.
unsafe impl Send for Ptr {}
// SAFETY: as above.
unsafe impl Sync for Ptr {}

impl Ptr {
    /// The `rows` rows from `r0` of a row-major matrix with leading dimension `ld` and `k`
    /// columns, as one slice of `(rows − 1)·ld + k` elements.
    ///
    /// # Safety
    /// Those rows lie inside the matrix the pointer came from.
    unsafe fn rows<'a>(self, r0: usize, rows: usize, ld: usize, k: usize) -> &'a [f64] {
        let len = if rows == 0 { 0 } else { (rows - 1) * ld + k };
        // SAFETY: forwarded; the span from row r0's first to row r0 + rows − 1's last
        // element is inside the view's allocation and only read.
        unsafe { std::slice::from_raw_parts(self.0.add(r0 * ld), len) }
    }

    /// Rows `i0 .. i0 + rows` of all `k` columns of a column-major matrix with leading
    /// dimension `ld`, as one slice of `(k − 1)·ld + rows` elements from `(i0, 0)`.
    ///
    /// # Safety
    /// Those rows lie inside the matrix the pointer came from.
    unsafe fn cols<'a>(self, i0: usize, rows: usize, ld: usize, k: usize) -> &'a [f64] {
        let len = if k == 0 { 0 } else { (k - 1) * ld + rows };
        // SAFETY: forwarded, as in `rows`.
        unsafe { std::slice::from_raw_parts(self.0.add(i0), len) }
    }
}

/// `out[i] += a[i·ld .. i·ld + k] · x` for each `i`.
fn rows_dot(isa: Isa, a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { rows_dot_avx512(a, ld, k, x, out) },
        // SAFETY: `or_scalar` confirmed AVX2 and FMA on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { rows_dot_avx2(a, ld, k, x, out) },
        _ => rows_dot_body(a, ld, k, x, out),
    }
}

/// [`rows_dot`] with AVX-512F: four rows at a time (each 16-element chunk of `x` is loaded
/// once for four rows), two accumulators of eight lanes per row. A row's sum does not
/// depend on the rows it is grouped with (the remainder rows take the same path one at a
/// time), so the result is the same for any split between threads.
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn rows_dot_avx512(a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    let r = out.len();
    assert!(x.len() >= k && (r == 0 || a.len() >= (r - 1) * ld + k));
    let mut i = 0;
    while i + 4 <= r {
        // SAFETY: rows i .. i + 4 (< r) have k elements from (i + t)·ld, inside `a` by the
        // assert; the CPU has AVX-512F (caller).
        let d = unsafe {
            dot_rows_avx512::<4>(std::array::from_fn(|t| a.as_ptr().add((i + t) * ld)), x, k)
        };
        for (o, d) in out[i..i + 4].iter_mut().zip(d) {
            *o += d;
        }
        i += 4;
    }
    while i < r {
        // SAFETY: as above, for row i.
        out[i] += unsafe { dot_rows_avx512::<1>([a.as_ptr().add(i * ld)], x, k)[0] };
        i += 1;
    }
}

/// `R` dot products of `k` elements with `x`, fused multiply-adds in two eight-lane
/// accumulators per row, then the tail.
///
/// # Safety
/// Each `rows[t]` is readable for `k` elements, `x.len() ≥ k`; the CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn dot_rows_avx512<const R: usize>(rows: [*const f64; R], x: &[f64], k: usize) -> [f64; R] {
    use std::arch::x86_64::{
        _mm512_add_pd, _mm512_fmadd_pd, _mm512_loadu_pd, _mm512_reduce_add_pd, _mm512_setzero_pd,
    };
    let body = k / 16 * 16;
    let xp = x.as_ptr();
    // SAFETY: every read is rows[t] + c or xp + c with c < k (caller's contract).
    unsafe {
        let mut acc = [[_mm512_setzero_pd(); 2]; R];
        let mut c = 0;
        while c < body {
            let x0 = _mm512_loadu_pd(xp.add(c));
            let x1 = _mm512_loadu_pd(xp.add(c + 8));
            for (at, &p) in acc.iter_mut().zip(&rows) {
                at[0] = _mm512_fmadd_pd(_mm512_loadu_pd(p.add(c)), x0, at[0]);
                at[1] = _mm512_fmadd_pd(_mm512_loadu_pd(p.add(c + 8)), x1, at[1]);
            }
            c += 16;
        }
        let mut out = [0.0f64; R];
        for ((o, at), &p) in out.iter_mut().zip(&acc).zip(&rows) {
            let mut t = _mm512_reduce_add_pd(_mm512_add_pd(at[0], at[1]));
            for c in body..k {
                t = (*p.add(c)).mul_add(*xp.add(c), t);
            }
            *o = t;
        }
        out
    }
}

/// [`rows_dot`] with AVX2 + FMA: as [`rows_dot_avx512`] with four-lane accumulators.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_dot_avx2(a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    let r = out.len();
    assert!(x.len() >= k && (r == 0 || a.len() >= (r - 1) * ld + k));
    let mut i = 0;
    while i + 4 <= r {
        // SAFETY: as in `rows_dot_avx512`; the CPU has AVX2 and FMA (caller).
        let d = unsafe {
            dot_rows_avx2::<4>(std::array::from_fn(|t| a.as_ptr().add((i + t) * ld)), x, k)
        };
        for (o, d) in out[i..i + 4].iter_mut().zip(d) {
            *o += d;
        }
        i += 4;
    }
    while i < r {
        // SAFETY: as above, for row i.
        out[i] += unsafe { dot_rows_avx2::<1>([a.as_ptr().add(i * ld)], x, k)[0] };
        i += 1;
    }
}

/// As [`dot_rows_avx512`], with two four-lane accumulators per row.
///
/// # Safety
/// Each `rows[t]` is readable for `k` elements, `x.len() ≥ k`; the CPU has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[inline]
unsafe fn dot_rows_avx2<const R: usize>(rows: [*const f64; R], x: &[f64], k: usize) -> [f64; R] {
    use std::arch::x86_64::{
        _mm_add_pd, _mm_add_sd, _mm_cvtsd_f64, _mm_unpackhi_pd, _mm256_add_pd,
        _mm256_castpd256_pd128, _mm256_extractf128_pd, _mm256_fmadd_pd, _mm256_loadu_pd,
        _mm256_setzero_pd,
    };
    let body = k / 8 * 8;
    let xp = x.as_ptr();
    // SAFETY: every read is rows[t] + c or xp + c with c < k (caller's contract).
    unsafe {
        let mut acc = [[_mm256_setzero_pd(); 2]; R];
        let mut c = 0;
        while c < body {
            let x0 = _mm256_loadu_pd(xp.add(c));
            let x1 = _mm256_loadu_pd(xp.add(c + 4));
            for (at, &p) in acc.iter_mut().zip(&rows) {
                at[0] = _mm256_fmadd_pd(_mm256_loadu_pd(p.add(c)), x0, at[0]);
                at[1] = _mm256_fmadd_pd(_mm256_loadu_pd(p.add(c + 4)), x1, at[1]);
            }
            c += 8;
        }
        let mut out = [0.0f64; R];
        for ((o, at), &p) in out.iter_mut().zip(&acc).zip(&rows) {
            let v = _mm256_add_pd(at[0], at[1]);
            let s2 = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd::<1>(v));
            let mut t = _mm_cvtsd_f64(_mm_add_sd(s2, _mm_unpackhi_pd(s2, s2)));
            for c in body..k {
                t = (*p.add(c)).mul_add(*xp.add(c), t);
            }
            *o = t;
        }
        out
    }
}

/// The portable [`rows_dot`]: one [`super::block::dot`] per row.
fn rows_dot_body(a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    let x = &x[..k];
    for (i, o) in out.iter_mut().enumerate() {
        *o += super::block::dot(&a[i * ld..i * ld + k], x);
    }
}

/// `out[i] += Σ_j x[j] · a[i + j·ld]`, four columns at a time.
fn cols_axpy(isa: Isa, a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { cols_axpy_avx512(a, ld, k, x, out) },
        // SAFETY: `or_scalar` confirmed AVX2 and FMA on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { cols_axpy_avx2(a, ld, k, x, out) },
        _ => cols_axpy_body(a, ld, k, x, out),
    }
}

/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn cols_axpy_avx512(a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    cols_axpy_body(a, ld, k, x, out);
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn cols_axpy_avx2(a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    cols_axpy_body(a, ld, k, x, out);
}

#[inline(always)]
fn cols_axpy_body(a: &[f64], ld: usize, k: usize, x: &[f64], out: &mut [f64]) {
    let r = out.len();
    let mut j = 0;
    while j + 4 <= k {
        let (x0, x1, x2, x3) = (x[j], x[j + 1], x[j + 2], x[j + 3]);
        let c0 = &a[j * ld..j * ld + r];
        let c1 = &a[(j + 1) * ld..(j + 1) * ld + r];
        let c2 = &a[(j + 2) * ld..(j + 2) * ld + r];
        let c3 = &a[(j + 3) * ld..(j + 3) * ld + r];
        for i in 0..r {
            out[i] += x0 * c0[i] + x1 * c1[i] + x2 * c2[i] + x3 * c3[i];
        }
        j += 4;
    }
    while j < k {
        let xj = x[j];
        for (o, &v) in out.iter_mut().zip(&a[j * ld..j * ld + r]) {
            *o += xj * v;
        }
        j += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::testing::matrix;
    use ndarray::{Array1, Array2, ShapeBuilder, s};

    fn naive(a: &ArrayView2<'_, f64>, x: &ArrayView1<'_, f64>) -> Array1<f64> {
        Array1::from_shape_fn(a.nrows(), |i| {
            (0..a.ncols()).map(|j| a[[i, j]] * x[j]).sum()
        })
    }

    #[test]
    fn every_layout_kernel_and_thread_count_matches_the_textbook_product() {
        for &(m, k) in &[
            (0, 3),
            (3, 0),
            (1, 1),
            (1, 9),
            (9, 1),
            (7, 13),
            (64, 65),
            (300, 301),
            (COL_BLOCK + 5, 70),
            (500, 600),
        ] {
            let a = matrix(m, k, (m * 31 + k) as u64);
            let mut f = Array2::zeros((m, k).f());
            f.assign(&a);
            let x = matrix(k, 1, 3).column(0).to_owned();
            let y0 = matrix(m, 1, 4).column(0).to_owned();
            let want = naive(&a.view(), &x.view());
            let xs = matrix(2 * k + 1, 1, 0);
            let mut xs = xs.column(0).to_owned();
            xs.slice_mut(s![1..;2]).assign(&x);
            for isa in Isa::all_available() {
                for threads in [1, 2, 3] {
                    for av in [a.view(), f.view()] {
                        for xv in [x.view(), xs.slice(s![1..;2])] {
                            for acc in [false, true] {
                                let mut y = y0.clone();
                                assert!(gemv_with(isa, threads, &av, &xv, &mut y.view_mut(), acc));
                                let w = if acc { &want + &y0 } else { want.clone() };
                                let d = (&y - &w).iter().fold(0.0f64, |m, v| m.max(v.abs()));
                                assert!(
                                    d < 1e-13 * (k as f64 + 1.0),
                                    "({m}, {k}) {isa:?} {threads}: {d:e}"
                                );
                            }
                        }
                    }
                }
            }
            if m == 0 {
                continue;
            }
            // a strided output
            let mut ys = Array1::from_elem(2 * m, f64::NAN);
            assert!(gemv(
                &a.view(),
                &x.view(),
                &mut ys.slice_mut(s![..;2]),
                false
            ));
            let d = (&ys.slice(s![..;2]) - &want)
                .iter()
                .fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(d < 1e-13 * (k as f64 + 1.0));
            assert!(ys.slice(s![1..;2]).iter().all(|v| v.is_nan()));
        }
        // large enough for the threads, both layouts
        let a = matrix(700, 400, 9);
        let x = matrix(400, 1, 10).column(0).to_owned();
        let want = naive(&a.view(), &x.view());
        let f = a.t().as_standard_layout().into_owned();
        for av in [a.view(), f.t()] {
            let mut y = Array1::zeros(700);
            assert!(gemv(&av, &x.view(), &mut y.view_mut(), false));
            assert!((&y - &want).iter().all(|d| d.abs() < 1e-12));
        }
    }

    /// Row-major results are the same bits however the rows are split between tasks and
    /// threads (groups of four, remainders).
    #[test]
    fn row_major_results_do_not_depend_on_the_split() {
        let (m, k) = (1003, 517);
        let a = matrix(m, k, 21);
        let x = matrix(k, 1, 22).column(0).to_owned();
        for isa in Isa::all_available() {
            let mut first: Option<Array1<f64>> = None;
            for threads in [1, 2, 3, 5] {
                let mut y = Array1::zeros(m);
                assert!(gemv_with(
                    isa,
                    threads,
                    &a.view(),
                    &x.view(),
                    &mut y.view_mut(),
                    false
                ));
                match &first {
                    None => first = Some(y),
                    Some(f) => assert!(
                        y.iter().zip(f).all(|(g, w)| g.to_bits() == w.to_bits()),
                        "{isa:?} {threads}"
                    ),
                }
            }
        }
    }

    #[test]
    fn other_layouts_are_declined_and_nan_propagates() {
        let a = matrix(6, 8, 1);
        let x = Array1::<f64>::ones(4);
        let mut y = Array1::<f64>::from_elem(3, 7.0);
        assert!(!gemv(
            &a.slice(s![..;2, ..;2]),
            &x.view(),
            &mut y.view_mut(),
            false
        ));
        assert_eq!(y, Array1::from_elem(3, 7.0));
        assert!(!gemv(
            &a.slice(s![..3, ..;-2]),
            &x.view(),
            &mut y.view_mut(),
            false
        ));
        // NumPy: nan · 0 = nan
        let mut z = Array2::<f64>::zeros((2, 2));
        z[[1, 0]] = f64::NAN;
        let mut y = Array1::zeros(2);
        assert!(gemv(
            &z.view(),
            &Array1::zeros(2).view(),
            &mut y.view_mut(),
            false
        ));
        assert!(y[0] == 0.0 && y[1].is_nan());
    }

    #[test]
    #[should_panic(expected = "gemv: shapes (2, 3) @ (4,) -> (2,)")]
    fn wrong_shapes_are_refused() {
        let mut y = Array1::zeros(2);
        gemv(
            &Array2::zeros((2, 3)).view(),
            &Array1::zeros(4).view(),
            &mut y.view_mut(),
            false,
        );
    }
}
