//! Kernels for tall, narrow blocks (n_samples × a few dozen columns), which general GEMM
//! handles poorly: [`gram`], `XᵀX` (BLAS `syrk`) with the column sums and a finiteness
//! check in the same pass over X, and [`tall_times_small`], `X M` for a small M, one pass
//! over X in parallel over rows. The covariance solver of PCA and CholeskyQR need nothing
//! else.
//!
//! X is read once, in chunks of [`CHUNK`] rows copied into a small zero-padded row-major
//! buffer (L1/L2-resident, any input strides). On each chunk a register-blocked kernel
//! accumulates the `MR × NR` tiles of the lower triangle of `XᵀX` (about half the work of
//! a GEMM); the upper triangle is mirrored at the end, so the result is exactly
//! symmetric. The kernel is compiled per instruction set (AVX-512, AVX2, SSE2) and chosen
//! at run time.
//!
//! Rows are cut into groups (at most 8; up to 512 padded columns one per 1024 rows, so the
//! same groups for every thread count; beyond, one per 4096 rows and at most one per
//! thread); each group sums its rows in order into its own partial result and the partials
//! are added in group order, so the result is bit-for-bit the same from run to run, and
//! for up to 512 columns for every thread count (beyond, for any thread count at least the
//! number of groups). Plain multiply-then-add (no fused multiply-add) keeps it the same on
//! every instruction set.

use std::mem::MaybeUninit;

use ndarray::{Array1, Array2, ArrayView2, s};
use rayon::prelude::*;

use super::block::{Block, LEAF, split, update_bt};
use super::isa::Isa;
use crate::array::{checked_len, try_vec_uninit};
use crate::error::{Error, Result};
use crate::scalar::{RealScalar, cast_slice};

/// Rows per packed chunk: 64 rows of up to ~100 features stay in L1/L2.
const CHUNK: usize = 64;

/// Padding multiple of the packed rows: the widest tile height.
const PAD: usize = 8;

/// Rows per group (one partial `XᵀX` each) while [`MAX_GROUPS`] partial results take at
/// most [`SMALL_PARTIALS`] bytes; at most [`MAX_GROUPS`] groups.
const ROWS_PER_GROUP: usize = 1024;

/// Rows per group for larger partial results, then also at most one group per thread.
const ROWS_PER_LARGE_GROUP: usize = 4096;

/// Most partial results.
const MAX_GROUPS: usize = 8;

/// Bytes that [`MAX_GROUPS`] partial results may take together while their number does not
/// depend on the threads (16 MiB: up to 512 padded columns).
const SMALL_PARTIALS: usize = 16 << 20;

/// The number of row groups (partial results) for `m` rows of `pp` padded columns.
///
/// Small partials: one group per [`ROWS_PER_GROUP`] rows up to [`MAX_GROUPS`], whatever the
/// threads, so that the result is the same for every thread count, and so that a worker
/// slowed by another thread on its core (the streaming reader, a noisy neighbour) takes
/// fewer groups instead of holding up the others: on 12.5 M × 100 rows streamed from a
/// `.npy` (Zen 4, two cores, the reader thread beside them) 3.9 s instead of 4.3–5.6 s,
/// whole pass. Large partials: at most one per thread, as the memory they take grows with
/// the groups.
fn groups(m: usize, pp: usize, threads: usize) -> usize {
    if MAX_GROUPS
        .saturating_mul(pp)
        .saturating_mul(pp)
        .saturating_mul(8)
        <= SMALL_PARTIALS
    {
        (m / ROWS_PER_GROUP).clamp(1, MAX_GROUPS)
    } else {
        (m / ROWS_PER_LARGE_GROUP).clamp(1, MAX_GROUPS.min(threads.max(1)))
    }
}

/// `XᵀX`, the column sums of X and whether every entry of X is finite.
pub(crate) struct Gram {
    pub(crate) xtx: Array2<f64>,
    pub(crate) col_sums: Array1<f64>,
    pub(crate) finite: bool,
}

/// Computes [`Gram`] for `x` (`m × p`, any layout), in `f64` whatever the element type:
/// `f32` rows are widened (exactly) as they are copied into the chunk buffer, so a
/// single-precision X costs no `f64` copy of itself.
pub(crate) fn gram<T: RealScalar>(x: ArrayView2<'_, T>) -> Gram {
    gram_shifted(x, None)
}

/// [`gram`] of `X − 1 shiftᵀ` (every row minus `shift`, length `p`), formed as the rows
/// are copied into the chunk buffer: a centred Gram matrix without a centred copy of X.
/// `col_sums` and `finite` are those of the shifted rows.
///
/// # Panics
/// If `shift` is not of length `p`.
#[track_caller]
pub(crate) fn gram_shifted<T: RealScalar>(x: ArrayView2<'_, T>, shift: Option<&[f64]>) -> Gram {
    let (m, p) = x.dim();
    if let Some(sh) = shift {
        assert_eq!(
            sh.len(),
            p,
            "gram_shifted: a shift of {} for {p} columns",
            sh.len()
        );
    }
    let pp = p.div_ceil(PAD) * PAD;
    // One partial XᵀX per group, each held until the reduction (see `groups` for how many).
    let groups = groups(m, pp, rayon::current_num_threads());
    let isa = Isa::detect();
    let partials: Vec<(Vec<f64>, Vec<f64>)> = (0..groups)
        .into_par_iter()
        .map(|g| {
            let (r0, r1) = (m * g / groups, m * (g + 1) / groups);
            let mut c = vec![0.0; pp * pp];
            let mut sums = vec![0.0; p];
            // The padding columns p..pp stay zero: only ..p of each row is written.
            let mut buf = vec![0.0; CHUNK * pp];
            let mut start = r0;
            while start < r1 {
                let rows = CHUNK.min(r1 - start);
                let block = x.slice(s![start..start + rows, ..]);
                for (dst, src) in buf.chunks_exact_mut(pp).zip(block.rows()) {
                    let dst = &mut dst[..p];
                    match (src.as_slice().and_then(cast_slice::<T, f64>), shift) {
                        (Some(sl), None) => dst.copy_from_slice(sl),
                        (Some(sl), Some(sh)) => dst
                            .iter_mut()
                            .zip(sl.iter().zip(sh))
                            .for_each(|(d, (&v, &c))| *d = v - c),
                        (None, None) => dst
                            .iter_mut()
                            .zip(src.iter())
                            .for_each(|(d, &v)| *d = v.to_f64()),
                        (None, Some(sh)) => dst
                            .iter_mut()
                            .zip(src.iter().zip(sh))
                            .for_each(|(d, (&v, &c))| *d = v.to_f64() - c),
                    }
                    for (s, &v) in sums.iter_mut().zip(dst.iter()) {
                        *s += v;
                    }
                }
                syrk_chunk(isa, &buf[..rows * pp], pp, &mut c);
                start += rows;
            }
            (c, sums)
        })
        .collect();
    let mut iter = partials.into_iter();
    // safe because `groups ≥ 1`
    let (mut c, mut sums) = iter
        .next()
        .unwrap_or_else(|| (vec![0.0; pp * pp], vec![0.0; p]));
    for (cg, sg) in iter {
        c.iter_mut().zip(&cg).for_each(|(a, b)| *a += b);
        sums.iter_mut().zip(&sg).for_each(|(a, b)| *a += b);
    }
    // A NaN or ±∞ entry makes its column's running sum non-finite for good (∞ − ∞ is NaN),
    // so finite sums prove finite data; a non-finite sum may also be an overflow of huge
    // finite values, which the exact check below tells apart.
    let finite = sums.iter().all(|v| v.is_finite())
        || match shift {
            None => x.iter().all(|v| v.to_f64().is_finite()),
            Some(sh) => x.rows().into_iter().all(|r| {
                r.iter()
                    .zip(sh)
                    .all(|(&v, &c)| (v.to_f64() - c).is_finite())
            }),
        };
    // c[j·pp + i] holds Σ x_i x_j for every i ≥ j (and some i < j near the diagonal).
    let xtx = Array2::from_shape_fn((p, p), |(i, j)| {
        let (hi, lo) = if i >= j { (i, j) } else { (j, i) };
        c[lo * pp + hi]
    });
    Gram {
        xtx,
        col_sums: Array1::from(sums),
        finite,
    }
}

/// `X M` for a tall `x` (`m × l`) and a small `mat` (`l × w`, kept in L1/L2): each output
/// row is `Σₜ x[r, t] · mat[t, :]`, summed in order of t with the row's column blocks held
/// in registers; parallel over blocks of rows (bit-for-bit the same for any thread count).
pub(crate) fn tall_times_small(
    x: ArrayView2<'_, f64>,
    mat: ArrayView2<'_, f64>,
) -> Result<Array2<f64>> {
    let (m, l) = x.dim();
    let w = mat.ncols();
    assert_eq!(
        mat.nrows(),
        l,
        "tall_times_small: {:?} @ {:?}",
        x.dim(),
        mat.dim()
    );
    let x = x.as_standard_layout();
    let mat = mat.as_standard_layout();
    let len = checked_len("matmul", &[m, w])?;
    // Written once by the threads below (no serial zeroing pass; huge pages advised).
    let mut out = try_vec_uninit("matmul", len)?;
    if len > 0 {
        let dst = &mut out.spare_capacity_mut()[..len];
        match (x.as_slice(), mat.as_slice()) {
            (Some(xs), Some(ms)) if l > 0 => {
                let rows_per_task = ((1 << 15) / (l * w)).max(1);
                let isa = Isa::detect();
                dst.par_chunks_mut(rows_per_task * w)
                    .zip(xs.par_chunks(rows_per_task * l))
                    .for_each(|(d, src)| rows_times(isa, src, l, ms, w, d));
            }
            // l = 0: an empty sum; (standard layout is always contiguous)
            _ => dst.iter_mut().for_each(|d| {
                d.write(0.0);
            }),
        }
        // SAFETY: every element of `..len` was written above: the row chunks of `dst`
        // tile it and `rows_times_small` writes each row's w outputs.
        unsafe { out.set_len(len) };
    }
    Array2::from_shape_vec((m, w), out).map_err(|e| Error::shape("matmul", e.to_string()))
}

/// `X ← X M` in place for a tall row-major `x` (`m × l`) and a square `mat` (`l × l`): as
/// [`tall_times_small`] without a new `m × l` block. Returns `false` (leaving `x` as it
/// was) unless `x` is contiguous in standard layout and `mat` is `l × l`.
pub(crate) fn tall_times_square_in_place(x: &mut Array2<f64>, mat: ArrayView2<'_, f64>) -> bool {
    let l = x.ncols();
    if mat.dim() != (l, l) || l == 0 {
        return false;
    }
    let mat = mat.as_standard_layout();
    let (Some(xs), Some(ms)) = (x.as_slice_mut(), mat.as_slice()) else {
        return false;
    };
    let rows_per_task = ((1 << 15) / (l * l)).max(1);
    let isa = Isa::detect();
    xs.par_chunks_mut(rows_per_task * l).for_each(|chunk| {
        let mut tmp = vec![MaybeUninit::new(0.0); l];
        for row in chunk.chunks_exact_mut(l) {
            rows_times(isa, row, l, ms, l, &mut tmp);
            for (r, t) in row.iter_mut().zip(&tmp) {
                // SAFETY: `tmp` was initialised when created (and rewritten just above).
                *r = unsafe { t.assume_init() };
            }
        }
    });
    true
}

/// [`rows_times_small`] compiled for `isa`.
fn rows_times(
    isa: Isa,
    src: &[f64],
    l: usize,
    mat: &[f64],
    w: usize,
    dst: &mut [MaybeUninit<f64>],
) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { rows_times_avx512(src, l, mat, w, dst) },
        // SAFETY: `or_scalar` confirmed AVX2 on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { rows_times_avx2(src, l, mat, w, dst) },
        _ => rows_times_small(src, l, mat, w, dst),
    }
}

/// Adds the lower-triangle tiles of `BᵀB` to `c` for a packed chunk `b` (`rows × pp`,
/// row-major, `pp` a multiple of [`PAD`]), with the `isa` kernel.
fn syrk_chunk(isa: Isa, b: &[f64], pp: usize, c: &mut [f64]) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { syrk_avx512(b, pp, c) },
        // SAFETY: `or_scalar` confirmed AVX2 on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { syrk_avx2(b, pp, c) },
        _ => syrk_tiles::<4, 4>(b, pp, c),
    }
}

/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn rows_times_avx512(
    src: &[f64],
    l: usize,
    mat: &[f64],
    w: usize,
    dst: &mut [MaybeUninit<f64>],
) {
    rows_times_small(src, l, mat, w, dst);
}

/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn rows_times_avx2(
    src: &[f64],
    l: usize,
    mat: &[f64],
    w: usize,
    dst: &mut [MaybeUninit<f64>],
) {
    rows_times_small(src, l, mat, w, dst);
}

/// `dst = src · mat` for row-major `src` (`r × l`), `mat` (`l × w`) and `dst` (`r × w`).
#[inline(always)]
fn rows_times_small(src: &[f64], l: usize, mat: &[f64], w: usize, dst: &mut [MaybeUninit<f64>]) {
    for (x, o) in src.chunks_exact(l).zip(dst.chunks_exact_mut(w)) {
        let c = rows_times_block::<32>(x, mat, w, 0, o);
        let c = rows_times_block::<16>(x, mat, w, c, o);
        let c = rows_times_block::<8>(x, mat, w, c, o);
        let c = rows_times_block::<4>(x, mat, w, c, o);
        let c = rows_times_block::<2>(x, mat, w, c, o);
        rows_times_block::<1>(x, mat, w, c, o);
    }
}

#[inline(always)]
fn rows_times_block<const V: usize>(
    x: &[f64],
    mat: &[f64],
    w: usize,
    mut c: usize,
    out: &mut [MaybeUninit<f64>],
) -> usize {
    while c + V <= w {
        let mut acc = [0.0f64; V];
        for (t, &xt) in x.iter().enumerate() {
            for (a, &mv) in acc.iter_mut().zip(&mat[t * w + c..t * w + c + V]) {
                *a += xt * mv;
            }
        }
        for (o, &a) in out[c..c + V].iter_mut().zip(&acc) {
            o.write(a);
        }
        c += V;
    }
    c
}

/// 8 × 8 tiles: eight AVX-512 accumulators, one row vector, one broadcast. (8 × 8 rather
/// than 16 × 8: the same multiplies and adds per element, and with rows padded to 8 rather
/// than 16 the lower triangle wastes less: 5824 elements computed against 5050 needed at
/// 100 columns, where 16 × 8 tiles computed 7168.)
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn syrk_avx512(b: &[f64], pp: usize, c: &mut [f64]) {
    use std::arch::x86_64::{
        _mm512_add_pd, _mm512_loadu_pd, _mm512_mul_pd, _mm512_set1_pd, _mm512_storeu_pd,
    };
    const MR: usize = 8;
    const NR: usize = 8;
    let rows = b.len() / pp;
    for i0 in (0..pp).step_by(MR) {
        for j0 in (0..(i0 + MR).min(pp)).step_by(NR) {
            assert!(i0 + MR <= pp && j0 + NR <= pp && (j0 + NR - 1) * pp + i0 + MR <= c.len());
            // SAFETY: the assert bounds every C access ((j0 + t)·pp + i0 + 0..8 for
            // t < 8); rows r < rows = b.len() / pp read b[r·pp + i0 + 0..8] and
            // b[r·pp + j0 + 0..8], inside b since i0 + 8 ≤ pp and j0 + 8 ≤ pp.
            unsafe {
                let cp = c.as_mut_ptr();
                let mut acc = [_mm512_loadu_pd(cp.add(j0 * pp + i0)); NR];
                for (t, a) in acc.iter_mut().enumerate().skip(1) {
                    *a = _mm512_loadu_pd(cp.add((j0 + t) * pp + i0));
                }
                let mut row = b.as_ptr();
                for _ in 0..rows {
                    let a0 = _mm512_loadu_pd(row.add(i0));
                    for (t, a) in acc.iter_mut().enumerate() {
                        let bj = _mm512_set1_pd(*row.add(j0 + t));
                        *a = _mm512_add_pd(*a, _mm512_mul_pd(a0, bj));
                    }
                    row = row.add(pp);
                }
                for (t, a) in acc.iter().enumerate() {
                    _mm512_storeu_pd(cp.add((j0 + t) * pp + i0), *a);
                }
            }
        }
    }
}

/// 8 × 6 tiles: twelve AVX2 accumulators, two row vectors, one broadcast.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn syrk_avx2(b: &[f64], pp: usize, c: &mut [f64]) {
    use std::arch::x86_64::{
        _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_storeu_pd,
    };
    const MR: usize = 8;
    const NR: usize = 4;
    let rows = b.len() / pp;
    for i0 in (0..pp).step_by(MR) {
        for j0 in (0..(i0 + MR).min(pp)).step_by(NR) {
            assert!(i0 + MR <= pp && j0 + NR <= pp && (j0 + NR - 1) * pp + i0 + MR <= c.len());
            // SAFETY: as in `syrk_avx512`, for 8 × 4 tiles.
            unsafe {
                let cp = c.as_mut_ptr();
                let mut lo = [_mm256_loadu_pd(cp.add(j0 * pp + i0)); NR];
                let mut hi = [_mm256_loadu_pd(cp.add(j0 * pp + i0 + 4)); NR];
                for t in 1..NR {
                    lo[t] = _mm256_loadu_pd(cp.add((j0 + t) * pp + i0));
                    hi[t] = _mm256_loadu_pd(cp.add((j0 + t) * pp + i0 + 4));
                }
                let mut row = b.as_ptr();
                for _ in 0..rows {
                    let a0 = _mm256_loadu_pd(row.add(i0));
                    let a1 = _mm256_loadu_pd(row.add(i0 + 4));
                    for t in 0..NR {
                        let bj = _mm256_set1_pd(*row.add(j0 + t));
                        lo[t] = _mm256_add_pd(lo[t], _mm256_mul_pd(a0, bj));
                        hi[t] = _mm256_add_pd(hi[t], _mm256_mul_pd(a1, bj));
                    }
                    row = row.add(pp);
                }
                for t in 0..NR {
                    _mm256_storeu_pd(cp.add((j0 + t) * pp + i0), lo[t]);
                    _mm256_storeu_pd(cp.add((j0 + t) * pp + i0 + 4), hi[t]);
                }
            }
        }
    }
}

/// Every `MR × NR` tile `(i0.., j0..)` with `j0 < i0 + MR` (covering all `i ≥ j`): the
/// tile's sums stay in registers over the chunk's rows; `c[j·pp + i]` is entry (i, j).
#[inline(always)]
fn syrk_tiles<const MR: usize, const NR: usize>(b: &[f64], pp: usize, c: &mut [f64]) {
    for i0 in (0..pp).step_by(MR) {
        for j0 in (0..(i0 + MR).min(pp)).step_by(NR) {
            let mut acc = [[0.0f64; MR]; NR];
            for (t, a) in acc.iter_mut().enumerate() {
                a.copy_from_slice(&c[(j0 + t) * pp + i0..(j0 + t) * pp + i0 + MR]);
            }
            for row in b.chunks_exact(pp) {
                let xi = &row[i0..i0 + MR];
                let xj = &row[j0..j0 + NR];
                for (a, &bj) in acc.iter_mut().zip(xj) {
                    for (s, &ai) in a.iter_mut().zip(xi) {
                        *s += ai * bj;
                    }
                }
            }
            for (t, a) in acc.iter().enumerate() {
                c[(j0 + t) * pp + i0..(j0 + t) * pp + i0 + MR].copy_from_slice(a);
            }
        }
    }
}

/// `C ← C − A Aᵀ` on the lower triangle of the square block `c` (`A` is `n × k`). Diagonal
/// blocks of at most 64 rows are updated whole (their strict upper part is scratch).
///
/// # Safety
/// `c` and `a` do not overlap.
pub(super) unsafe fn syrk_lower(c: Block, a: Block) {
    let n = c.rows;
    // SAFETY: sub-blocks of `c` (written) and `a` (read).
    unsafe {
        if n <= 4 * LEAF {
            update_bt(c, a, a);
            return;
        }
        let h = split(n);
        syrk_lower(c.sub(0, 0, h, h), a.sub(0, 0, h, a.cols));
        update_bt(
            c.sub(h, 0, n - h, h),
            a.sub(h, 0, n - h, a.cols),
            a.sub(0, 0, h, a.cols),
        );
        syrk_lower(c.sub(h, h, n - h, n - h), a.sub(h, 0, n - h, a.cols));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_plain_product_for_every_kernel_shape() {
        let mut r = crate::random::rng(3);
        for (m, p) in [
            (1, 1),
            (3, 1),
            (1, 7),
            (70, 5),
            (129, 16),
            (200, 17),
            (9000, 33),
            (5000, 100),
        ] {
            let x = crate::random::randn2_with(&mut r, m, p);
            let g = gram(x.view());
            let want = x.t().dot(&x);
            let scale = want.iter().fold(1.0f64, |a, v| a.max(v.abs()));
            assert!(
                (&g.xtx - &want).iter().all(|d| d.abs() <= 1e-12 * scale),
                "({m}, {p})"
            );
            assert_eq!(g.xtx, g.xtx.t(), "exactly symmetric");
            let sums = x.sum_axis(ndarray::Axis(0));
            assert!((&g.col_sums - &sums).iter().all(|d| d.abs() < 1e-9));
            assert!(g.finite);
            // every kernel gives the same bits
            for isa in Isa::all_available() {
                let pp = p.div_ceil(PAD) * PAD;
                let mut b = vec![0.0; m.min(CHUNK) * pp];
                for (d, s) in b.chunks_exact_mut(pp).zip(x.rows()) {
                    d[..p].copy_from_slice(s.as_slice().unwrap());
                }
                let mut c1 = vec![0.0; pp * pp];
                let mut c2 = vec![0.0; pp * pp];
                syrk_chunk(isa, &b, pp, &mut c1);
                syrk_tiles::<4, 4>(&b, pp, &mut c2);
                for i in 0..p {
                    for j in 0..=i {
                        assert_eq!(c1[j * pp + i].to_bits(), c2[j * pp + i].to_bits());
                    }
                }
            }
        }
    }

    /// Up to 512 padded columns the row groups, and so the bits of the result, do not
    /// depend on the number of threads; wider partial results stay one per thread.
    #[test]
    fn narrow_gram_is_the_same_for_every_thread_count() {
        assert_eq!(groups(100, 104, 2), 1);
        assert_eq!(groups(5000, 104, 1), 4);
        assert_eq!(groups(5000, 104, 64), 4);
        assert_eq!(groups(1 << 20, 512, 1), MAX_GROUPS);
        assert_eq!(groups(1 << 20, 520, 2), 2);
        assert_eq!(groups(1 << 20, 520, 64), MAX_GROUPS);
        assert_eq!(groups(5000, 520, 64), 1);
        let x = crate::random::randn2(9000, 100, 4);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| gram_shifted(x.view(), Some(&[0.25; 100])))
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            let g = run(threads);
            assert_eq!(g.xtx, one.xtx, "{threads} threads");
            assert_eq!(g.col_sums, one.col_sums, "{threads} threads");
        }
    }

    /// `gram_shifted(X, c)` is, bit for bit, `gram` of the explicitly shifted copy
    /// `X − 1 cᵀ`, for C-order, strided and f32 input; a NaN is reported as non-finite.
    #[test]
    fn shifted_gram_equals_the_gram_of_the_shifted_copy() {
        let mut r = crate::random::rng(9);
        for (m, p) in [(1, 1), (70, 5), (5000, 100), (9000, 33)] {
            let x = crate::random::randn2_with(&mut r, m, p).mapv(|v| 1e3 + v);
            let c: Vec<f64> = (0..p).map(|j| 1e3 + 0.01 * j as f64).collect();
            let shifted = Array2::from_shape_fn((m, p), |(i, j)| x[[i, j]] - c[j]);
            let want = gram(shifted.view());
            let fortran = x.t().as_standard_layout().into_owned().reversed_axes();
            assert!(p == 1 || !fortran.is_standard_layout());
            for (what, view) in [("C order", x.view()), ("F order", fortran.view())] {
                let g = gram_shifted(view, Some(&c));
                assert_eq!(g.xtx, want.xtx, "{what} ({m}, {p})");
                assert_eq!(g.col_sums, want.col_sums, "{what} ({m}, {p})");
                assert!(g.finite);
            }
            let xf = x.mapv(|v| v as f32);
            let shifted_f = Array2::from_shape_fn((m, p), |(i, j)| f64::from(xf[[i, j]]) - c[j]);
            assert_eq!(
                gram_shifted(xf.view(), Some(&c)).xtx,
                gram(shifted_f.view()).xtx,
                "f32 ({m}, {p})"
            );
            let mut bad = x.clone();
            bad[[m - 1, p - 1]] = f64::NAN;
            assert!(!gram_shifted(bad.view(), Some(&c)).finite, "({m}, {p})");
        }
    }

    #[test]
    fn tall_times_small_matches_dot() {
        let mut r = crate::random::rng(5);
        for (m, l, w) in [
            (1, 1, 1),
            (5, 3, 1),
            (300, 60, 60),
            (1000, 100, 10),
            (2000, 7, 45),
        ] {
            let x = crate::random::randn2_with(&mut r, m, l);
            let b = crate::random::randn2_with(&mut r, l, w);
            let got = tall_times_small(x.view(), b.view()).unwrap();
            let want = x.dot(&b);
            assert!(
                (&got - &want).iter().all(|d| d.abs() < 1e-12),
                "({m}, {l}, {w})"
            );
            // strided operands
            let got = tall_times_small(x.t().to_owned().t(), b.t().to_owned().t()).unwrap();
            assert!(
                (&got - &want).iter().all(|d| d.abs() < 1e-12),
                "({m}, {l}, {w}) F"
            );
        }
        assert_eq!(
            tall_times_small(Array2::zeros((4, 0)).view(), Array2::zeros((0, 3)).view()).unwrap(),
            Array2::<f64>::zeros((4, 3))
        );
    }

    #[test]
    fn in_place_square_product_matches_dot() {
        let mut r = crate::random::rng(6);
        for (m, l) in [(1, 1), (7, 3), (3000, 60)] {
            let x = crate::random::randn2_with(&mut r, m, l);
            let b = crate::random::randn2_with(&mut r, l, l);
            let want = tall_times_small(x.view(), b.view()).unwrap();
            let mut y = x.clone();
            assert!(tall_times_square_in_place(&mut y, b.t().to_owned().t()));
            assert_eq!(y, want, "({m}, {l})");
        }
        // not square, or not row-major: refused, untouched
        let mut x = Array2::<f64>::ones((4, 3));
        assert!(!tall_times_square_in_place(
            &mut x,
            Array2::zeros((3, 2)).view()
        ));
        let mut f = Array2::<f64>::ones((3, 4)).reversed_axes();
        assert!(!tall_times_square_in_place(
            &mut f,
            Array2::zeros((3, 3)).view()
        ));
        assert_eq!(f, Array2::<f64>::ones((4, 3)));
    }

    #[test]
    fn strided_input_and_non_finite_entries() {
        let mut r = crate::random::rng(4);
        let x = crate::random::randn2_with(&mut r, 300, 12);
        let f = x.t().to_owned(); // (12, 300), so f.t() is a column-major view
        let a = gram(x.view());
        let b = gram(f.t());
        assert_eq!(a.xtx, b.xtx);
        let mut y = x.clone();
        y[[250, 3]] = f64::NAN;
        assert!(!gram(y.view()).finite);
        y[[250, 3]] = f64::INFINITY;
        assert!(!gram(y.view()).finite);
        // huge but finite values overflow the sums: still finite data
        let big = Array2::from_elem((10, 2), 1e308);
        assert!(gram(big.view()).finite);
    }
}
