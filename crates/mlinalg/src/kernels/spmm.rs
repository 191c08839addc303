//! CSR × dense kernels: `A B` row by row (each output row `Σₖ A[i, k] · B[k, :]` over the
//! row's stored entries, its column blocks held in registers) and the scatter of `Aᵀ B`
//! (row `i` of `A` adds `A[i, j] · B[i, :]` to output row `j`). Both are compiled per
//! instruction set ([`Isa`]); the drivers that split the work between threads are the
//! [`CsrMatrix`] methods in `sparse/ops.rs`.
//!
//! Each output element receives its terms in stored order whatever the instruction set, so
//! results are bit-for-bit reproducible.

use std::mem::MaybeUninit;
use std::ops::Range;

use super::isa::Isa;
use crate::scalar::RealScalar;
use crate::sparse::CsrMatrix;

/// True for `f32`: its blocks are twice as wide (16 lanes per AVX-512 register, 8 per AVX2
/// one), so the same eight accumulators cover twice the columns.
#[cfg(target_arch = "x86_64")]
fn single<T: RealScalar>() -> bool {
    std::mem::size_of::<T>() == 4
}

/// Writes rows `rows` of `A B` into `out` (`rows.len() × k`, row-major), `B` being `bs`
/// (`ncols × k`, row-major), with the `isa` kernel.
pub(crate) fn spmm<T: RealScalar>(
    isa: Isa,
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [MaybeUninit<T>],
) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { spmm_rows_avx512(a, rows, bs, k, out) },
        // SAFETY: `or_scalar` confirmed AVX2 on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { spmm_rows_avx2(a, rows, bs, k, out) },
        _ => spmm_rows::<T, 16>(a, rows, bs, k, out),
    }
}

/// Adds `A[rows, cols]ᵀ B[rows, :]` to `out` (`(cols.len(), k)`, row-major, the output
/// rows `cols`), with the `isa` kernel.
pub(crate) fn scatter_t<T: RealScalar>(
    isa: Isa,
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    cols: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [T],
) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { scatter_t_avx512(a, rows, cols, bs, k, out) },
        // SAFETY: `or_scalar` confirmed AVX2 on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { scatter_t_avx2(a, rows, cols, bs, k, out) },
        _ => scatter_t_rows::<T, 16>(a, rows, cols, bs, k, out),
    }
}

/// [`spmm_rows`] with 64-wide column blocks for `f64`, 128-wide for `f32` (eight AVX-512
/// accumulators).
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn spmm_rows_avx512<T: RealScalar>(
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [MaybeUninit<T>],
) {
    if single::<T>() {
        spmm_rows::<T, 128>(a, rows, bs, k, out);
    } else {
        spmm_rows::<T, 64>(a, rows, bs, k, out);
    }
}

/// [`spmm_rows`] with 32-wide column blocks for `f64`, 64-wide for `f32` (eight AVX2
/// accumulators).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn spmm_rows_avx2<T: RealScalar>(
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [MaybeUninit<T>],
) {
    if single::<T>() {
        spmm_rows::<T, 64>(a, rows, bs, k, out);
    } else {
        spmm_rows::<T, 32>(a, rows, bs, k, out);
    }
}

/// Writes rows `rows` of `A B` into `out` (`rows.len() × k`, row-major), `B` being `bs`
/// (`ncols × k`, row-major). Each output row is cut into column blocks of `W`, then of
/// 64, 32, …, 1 for the remainder; a block's sums stay in registers across the row's
/// entries and are stored once.
#[inline(always)]
fn spmm_rows<T: RealScalar, const W: usize>(
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [MaybeUninit<T>],
) {
    for (i, dst) in rows.zip(out.chunks_exact_mut(k)) {
        let (cols, vals) = a.row(i);
        let c = spmm_block::<T, W>(cols, vals, bs, k, 0, dst);
        let c = spmm_block::<T, 64>(cols, vals, bs, k, c, dst);
        let c = spmm_block::<T, 32>(cols, vals, bs, k, c, dst);
        let c = spmm_block::<T, 16>(cols, vals, bs, k, c, dst);
        let c = spmm_block::<T, 8>(cols, vals, bs, k, c, dst);
        let c = spmm_block::<T, 4>(cols, vals, bs, k, c, dst);
        let c = spmm_block::<T, 2>(cols, vals, bs, k, c, dst);
        spmm_block::<T, 1>(cols, vals, bs, k, c, dst);
    }
}

/// Output columns `c..` of one row in blocks of `V` while a whole block fits; returns the
/// first column not written.
#[inline(always)]
fn spmm_block<T: RealScalar, const V: usize>(
    cols: &[usize],
    vals: &[T],
    bs: &[T],
    k: usize,
    mut c: usize,
    dst: &mut [MaybeUninit<T>],
) -> usize {
    while c + V <= k {
        let mut acc = [T::zero(); V];
        for (&j, &v) in cols.iter().zip(vals) {
            let b = &bs[j * k + c..j * k + c + V];
            for (s, &x) in acc.iter_mut().zip(b) {
                *s += v * x;
            }
        }
        for (d, &s) in dst[c..c + V].iter_mut().zip(&acc) {
            d.write(s);
        }
        c += V;
    }
    c
}

/// [`scatter_t_rows`] with 64-wide column blocks (128 for `f32`).
///
/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn scatter_t_avx512<T: RealScalar>(
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    cols: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [T],
) {
    if single::<T>() {
        scatter_t_rows::<T, 128>(a, rows, cols, bs, k, out);
    } else {
        scatter_t_rows::<T, 64>(a, rows, cols, bs, k, out);
    }
}

/// [`scatter_t_rows`] with 32-wide column blocks (64 for `f32`).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scatter_t_avx2<T: RealScalar>(
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    cols: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [T],
) {
    if single::<T>() {
        scatter_t_rows::<T, 64>(a, rows, cols, bs, k, out);
    } else {
        scatter_t_rows::<T, 32>(a, rows, cols, bs, k, out);
    }
}

/// Adds `A[rows, cols]ᵀ B[rows, :]` to `out` (`(cols.len(), k)`, row-major, the output rows
/// `cols`): row `i` of `A` adds `A[i, j] · B[i, :]` to output row `j`, with `B[i, :]` held
/// in registers block by block.
#[inline(always)]
fn scatter_t_rows<T: RealScalar, const W: usize>(
    a: &CsrMatrix<T>,
    rows: Range<usize>,
    cols: Range<usize>,
    bs: &[T],
    k: usize,
    out: &mut [T],
) {
    let whole = cols.start == 0 && cols.end >= a.ncols();
    for i in rows {
        let (mut idx, mut vals) = a.row(i);
        if !whole {
            // column indices are sorted within a row
            let s = idx.partition_point(|&j| j < cols.start);
            let e = s + idx[s..].partition_point(|&j| j < cols.end);
            if s == e {
                continue;
            }
            (idx, vals) = (&idx[s..e], &vals[s..e]);
        }
        let b_row = &bs[i * k..(i + 1) * k];
        let j0 = cols.start;
        let c = scatter_block::<T, W>(idx, vals, b_row, k, j0, 0, out);
        let c = scatter_block::<T, 64>(idx, vals, b_row, k, j0, c, out);
        let c = scatter_block::<T, 32>(idx, vals, b_row, k, j0, c, out);
        let c = scatter_block::<T, 16>(idx, vals, b_row, k, j0, c, out);
        let c = scatter_block::<T, 8>(idx, vals, b_row, k, j0, c, out);
        let c = scatter_block::<T, 4>(idx, vals, b_row, k, j0, c, out);
        let c = scatter_block::<T, 2>(idx, vals, b_row, k, j0, c, out);
        scatter_block::<T, 1>(idx, vals, b_row, k, j0, c, out);
    }
}

/// Columns `c..` of one row's scatter in blocks of `V`; returns the first column not done.
#[inline(always)]
fn scatter_block<T: RealScalar, const V: usize>(
    cols: &[usize],
    vals: &[T],
    b_row: &[T],
    k: usize,
    j0: usize,
    mut c: usize,
    out: &mut [T],
) -> usize {
    while c + V <= k {
        let mut b = [T::zero(); V];
        b.copy_from_slice(&b_row[c..c + V]);
        for (&j, &v) in cols.iter().zip(vals) {
            let r = (j - j0) * k;
            let o = &mut out[r + c..r + c + V];
            for (o, &x) in o.iter_mut().zip(&b) {
                *o += v * x;
            }
        }
        c += V;
    }
    c
}
