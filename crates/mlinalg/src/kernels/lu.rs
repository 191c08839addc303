//! LU with partial pivoting (LAPACK `getrf`) on row-major `f64` matrices, recursive
//! (Toledo; LAPACK's `dgetrf2`): every level halves the columns, factors the left half,
//! and updates the right half with one large matrix product, so almost all the flops run in
//! the packed GEMM ([`super::gemm`]) on every core. The leaves (at most [`LU_LEAF`]
//! columns) are unblocked and work on a contiguous column-major copy of the panel.
//!
//! faer's LU measured 0.6–0.8× OpenBLAS's `getrf` on this project's machine, while our
//! GEMM runs at or above OpenBLAS's, hence this implementation.

use ndarray::Array2;
use rayon::prelude::*;

use super::block::{Block, dot, split, update};
use super::isa::Isa;
use super::pool::in_pool;
use super::trsm::{trsm_lower_unit, trsm_upper};

/// Width of the unblocked LU panels.
const LU_LEAF: usize = 32;

/// A factorization with at least this many rows, and 16 times as many rows as columns, is
/// tall (the range finder's `n_samples × (k + oversamples)` blocks) and runs
/// [`getrf_tall`].
const TALL_ROWS: usize = 8192;

/// Panel width of [`getrf_tall`]: a panel row is one 64-byte cache line, so a 10⁵-row
/// panel (6.4 MB) stays in L3 for its column passes.
const TALL_LEAF: usize = 8;

/// Rows per parallel task of a tall panel's elimination.
const TALL_ROWS_PER_TASK: usize = 4096;

/// Multiply-subtracts per parallel task of a tall factorization's trailing update.
const TALL_UPDATE_PER_TASK: usize = 1 << 16;

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
    #[track_caller]
    pub(crate) fn factor(mut a: Array2<f64>) -> LuFactor {
        let (m, n) = a.dim();
        assert!(
            m >= n,
            "LuFactor::factor: {m} × {n} has more columns than rows"
        );
        let mut ipiv = vec![0usize; n];
        if n > 0 {
            if m >= TALL_ROWS && m >= 16 * n && a.is_standard_layout() {
                // safe because a standard-layout array is contiguous
                let s = a.as_slice_mut().expect("standard layout is contiguous");
                getrf_tall(s, n, &mut ipiv);
            } else {
                let blk = Block::of(&mut a);
                with_scratch(m * LU_LEAF.min(n), |scratch| {
                    // SAFETY: the block is the whole of `a`, owned here; the scratch holds
                    // m · min(LU_LEAF, n) elements, the widest leaf panel.
                    in_pool(n, || unsafe { getrf(blk, &mut ipiv, scratch) });
                });
            }
        }
        LuFactor { lu: a, ipiv }
    }

    /// Solves `A X = B` in place for a C-order `b` (`n × k`).
    ///
    /// # Panics
    /// If the factored matrix is not square and in C order, `b.nrows() != n`, or `b` is not
    /// in C order.
    #[track_caller]
    pub(crate) fn solve_in_place(&self, b: &mut Array2<f64>) {
        let n = self.lu.nrows();
        assert!(
            self.lu.ncols() == n && b.nrows() == n && self.lu.is_standard_layout(),
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
        // SAFETY: `lu` is only read; `bb` is a different buffer; the interchanges of a
        // square factor index its rows.
        unsafe { solve_blocks(lu, &self.ipiv, bb) }
    }
}

/// Largest order [`factor_small`] takes: one unblocked leaf.
pub(crate) const SMALL_LU: usize = LU_LEAF;

/// LU with partial pivoting of one small square matrix, in place: `a` holds the `n × n`
/// matrix in C order (`n ≤` [`SMALL_LU`]) and receives the packed factors, `ipiv` (length
/// `n`) the row interchanges, as [`LuFactor::factor`] stores them. The same leaf runs as in
/// [`LuFactor::factor`], so the factors are bit for bit the same; nothing is allocated,
/// for stacks of many small matrices. `scratch` holds at least `n²` elements.
///
/// # Panics
/// If `n >` [`SMALL_LU`] or a slice is shorter than stated.
#[track_caller]
pub(crate) fn factor_small(a: &mut [f64], n: usize, ipiv: &mut [usize], scratch: &mut [f64]) {
    assert!(
        n <= SMALL_LU && a.len() == n * n && ipiv.len() == n && scratch.len() >= n * n,
        "factor_small: order {n} (at most {SMALL_LU}), {} elements, {} pivots, {} scratch",
        a.len(),
        ipiv.len(),
        scratch.len()
    );
    if n == 0 {
        return;
    }
    let blk = Block {
        ptr: a.as_mut_ptr(),
        rows: n,
        cols: n,
        ld: n,
    };
    // SAFETY: the block is the whole of `a`, borrowed mutably here; the scratch holds n·n
    // elements, the one leaf panel.
    unsafe { getf2(blk, ipiv, scratch) }
}

/// Solves `A X = B` in place for the factors [`factor_small`] left in `lu` (`n × n`, C
/// order) and `ipiv`: `b` holds `B`, `n × k` in C order, and receives `X`, by the same
/// operations as [`LuFactor::solve_in_place`].
///
/// # Panics
/// If a slice is shorter than stated or a pivot index is out of range.
#[track_caller]
pub(crate) fn solve_small(lu: &[f64], n: usize, ipiv: &[usize], b: &mut [f64], k: usize) {
    assert!(
        lu.len() == n * n && ipiv.len() == n && ipiv.iter().all(|&p| p < n) && b.len() == n * k,
        "solve_small: order {n}, {} factor elements, {} pivots, {} right-hand side elements \
         for {k} columns",
        lu.len(),
        ipiv.len(),
        b.len()
    );
    if n == 0 || k == 0 {
        return;
    }
    let lu = Block {
        ptr: lu.as_ptr().cast_mut(),
        rows: n,
        cols: n,
        ld: n,
    };
    let bb = Block {
        ptr: b.as_mut_ptr(),
        rows: n,
        cols: k,
        ld: k,
    };
    // SAFETY: `lu` is only read (the cast to *mut is for the shared Block type); `bb` is
    // the whole of `b`, a different buffer; the pivots were checked to index rows.
    unsafe { solve_blocks(lu, ipiv, bb) }
}

/// `B ← A⁻¹ B` for the packed square factors `lu` and interchanges `ipiv`.
///
/// # Safety
/// `lu` is a valid square block that is only read; `bb` a valid block with `lu.rows`
/// rows that no one else accesses; `ipiv[i] < lu.rows`.
unsafe fn solve_blocks(lu: Block, ipiv: &[usize], bb: Block) {
    let n = lu.rows;
    // SAFETY: forwarded contract.
    unsafe {
        swap_rows(bb, ipiv);
        if bb.cols <= 4 {
            // A few right-hand sides: one column at a time by dot products over the
            // contiguous rows of L and U (O(n²) each; the recursive solves below are for
            // many columns, where the GEMM pays off).
            let mut small = [0.0f64; 64];
            let mut large = Vec::new();
            let x: &mut [f64] = if n <= small.len() {
                &mut small[..n]
            } else {
                large.resize(n, 0.0);
                &mut large
            };
            for c in 0..bb.cols {
                for (i, v) in x.iter_mut().enumerate() {
                    *v = *bb.at(i, c);
                }
                substitute(lu, x);
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
/// `a` is a valid block no one else accesses during the call; `scratch` holds
/// `m · min(n, LU_LEAF)` elements.
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

/// Right-looking blocked LU (LAPACK `dgetrf`'s structure) of a tall, contiguous row-major
/// `m × l` matrix `a` (`m ≥ l`), for which the recursion's strided panel copies and skinny
/// GEMMs would stream the whole matrix many more times: panels of [`TALL_LEAF`] columns
/// are copied into a narrow contiguous buffer (L3-resident even for 10⁵ rows) and
/// factored there by parallel passes over rows ([`panel_in_place`]); the row swaps are then
/// applied to whole rows, and the rest of the matrix is updated once per panel by one
/// parallel pass over the rows, which also writes the factored panel back and packs the
/// next panel. Pivots are LAPACK's (the first largest magnitude); the multipliers are
/// those of [`getf2`].
fn getrf_tall(a: &mut [f64], l: usize, ipiv: &mut [usize]) {
    let m = a.len() / l;
    let k = l;
    let isa = Isa::detect();
    let mut panel: Vec<f64> = Vec::new();
    let mut next: Vec<f64> = Vec::new();
    // The first panel is packed here; each later one by the previous panel's update pass.
    let nb = TALL_LEAF.min(k);
    panel.resize(m * nb, 0.0);
    panel
        .par_chunks_mut(TALL_ROWS_PER_TASK * nb)
        .zip(a.par_chunks(TALL_ROWS_PER_TASK * l))
        .for_each(|(dst, src)| {
            for (d, row) in dst.chunks_exact_mut(nb).zip(src.chunks_exact(l)) {
                d.copy_from_slice(&row[..nb]);
            }
        });
    let mut c0 = 0;
    while c0 < k {
        let nb = TALL_LEAF.min(k - c0);
        let c1 = c0 + nb;
        let piv = &mut ipiv[c0..c1];
        panel_in_place(&mut panel, nb, piv);
        // LAPACK `laswp`: the panel's swaps, in order, on whole rows (the L columns to the
        // left and the trailing columns to the right); the panel columns are then
        // overwritten by the factored panel, whose rows were swapped alike.
        for (j, p) in piv.iter_mut().enumerate() {
            if *p != j {
                let (top, bottom) = a.split_at_mut((c0 + *p) * l);
                top[(c0 + j) * l..(c0 + j + 1) * l].swap_with_slice(&mut bottom[..l]);
            }
            *p += c0;
        }
        for (row, prow) in a
            .chunks_exact_mut(l)
            .skip(c0)
            .take(nb)
            .zip(panel.chunks_exact(nb))
        {
            row[c0..c1].copy_from_slice(prow);
        }
        // the panel rows of the rows below the pivot rows
        let below = &panel[nb * nb..];
        if c1 < k {
            let w = k - c1;
            // U₁₂ = L₁₁⁻¹ A₁₂ on the panel's pivot rows (forward substitution, unit L₁₁).
            let mut u12 = vec![0.0; nb * w];
            for t in 0..nb {
                let (done, cur) = u12.split_at_mut(t * w);
                let cur = &mut cur[..w];
                cur.copy_from_slice(&a[(c0 + t) * l + c1..(c0 + t) * l + k]);
                for s in 0..t {
                    let f = a[(c0 + t) * l + c0 + s];
                    for (x, &u) in cur.iter_mut().zip(&done[s * w..(s + 1) * w]) {
                        *x -= f * u;
                    }
                }
            }
            for (t, cur) in u12.chunks_exact(w).enumerate() {
                a[(c0 + t) * l + c1..(c0 + t) * l + k].copy_from_slice(cur);
            }
            // One parallel pass over the rows below the panel: write the factored panel
            // back, A₂₂ −= L₂₁ U₁₂, and pack the next panel.
            let nb2 = TALL_LEAF.min(w);
            next.resize((m - c1) * nb2, 0.0);
            let rows_per_task = (TALL_UPDATE_PER_TASK / (nb * w)).max(1);
            a[c1 * l..]
                .par_chunks_mut(rows_per_task * l)
                .zip(below.par_chunks(rows_per_task * nb))
                .zip(next.par_chunks_mut(rows_per_task * nb2))
                .for_each(|((chunk, prows), dst)| {
                    for (row, prow) in chunk.chunks_exact_mut(l).zip(prows.chunks_exact(nb)) {
                        row[c0..c1].copy_from_slice(prow);
                    }
                    update_rows(isa, chunk, l, c0, c1, &u12);
                    for (row, d) in chunk.chunks_exact(l).zip(dst.chunks_exact_mut(nb2)) {
                        d.copy_from_slice(&row[c1..c1 + nb2]);
                    }
                });
            std::mem::swap(&mut panel, &mut next);
        } else {
            a[c1 * l..]
                .par_chunks_mut(TALL_ROWS_PER_TASK * l)
                .zip(below.par_chunks(TALL_ROWS_PER_TASK * nb))
                .for_each(|(chunk, prows)| {
                    for (row, prow) in chunk.chunks_exact_mut(l).zip(prows.chunks_exact(nb)) {
                        row[c0..c1].copy_from_slice(prow);
                    }
                });
        }
        c0 = c1;
    }
}

/// `row[c1..] −= row[c0..c1] · U₁₂` for each row (length `l`) of `rows`, with the `isa`
/// kernel.
fn update_rows(isa: Isa, rows: &mut [f64], l: usize, c0: usize, c1: usize, u12: &[f64]) {
    match isa.or_scalar() {
        // SAFETY: `or_scalar` confirmed AVX-512F on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx512 => unsafe { update_rows_avx512(rows, l, c0, c1, u12) },
        // SAFETY: `or_scalar` confirmed AVX2 and FMA on this CPU.
        #[cfg(target_arch = "x86_64")]
        Isa::Avx2 => unsafe { update_rows_avx2(rows, l, c0, c1, u12) },
        _ => update_rows_body(rows, l, c0, c1, u12),
    }
}

/// # Safety
/// The CPU must support AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn update_rows_avx512(rows: &mut [f64], l: usize, c0: usize, c1: usize, u12: &[f64]) {
    update_rows_body(rows, l, c0, c1, u12);
}

/// # Safety
/// The CPU must support AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn update_rows_avx2(rows: &mut [f64], l: usize, c0: usize, c1: usize, u12: &[f64]) {
    update_rows_body(rows, l, c0, c1, u12);
}

/// The body of [`update_rows`]: the panel's columns are subtracted in order, with column
/// blocks of the row held in registers.
#[inline(always)]
fn update_rows_body(rows: &mut [f64], l: usize, c0: usize, c1: usize, u12: &[f64]) {
    let w = l - c1;
    for row in rows.chunks_exact_mut(l) {
        let (left, right) = row.split_at_mut(c1);
        let f = &left[c0..c1];
        let c = update_block::<32>(f, right, u12, w, 0);
        let c = update_block::<16>(f, right, u12, w, c);
        let c = update_block::<8>(f, right, u12, w, c);
        let c = update_block::<4>(f, right, u12, w, c);
        let c = update_block::<2>(f, right, u12, w, c);
        update_block::<1>(f, right, u12, w, c);
    }
}

/// Columns `c..` of one row's update in blocks of `V`; returns the first column not done.
#[inline(always)]
fn update_block<const V: usize>(
    f: &[f64],
    right: &mut [f64],
    u12: &[f64],
    w: usize,
    mut c: usize,
) -> usize {
    while c + V <= w {
        let mut acc = [0.0f64; V];
        acc.copy_from_slice(&right[c..c + V]);
        for (s, &fs) in f.iter().enumerate() {
            let u = &u12[s * w + c..s * w + c + V];
            for (x, &uv) in acc.iter_mut().zip(u) {
                *x -= fs * uv;
            }
        }
        right[c..c + V].copy_from_slice(&acc);
        c += V;
    }
    c
}

/// LU with partial pivoting of a contiguous row-major `(rows, w)` panel in place (L below
/// the diagonal, U on and above); `ipiv[j]` is the row swapped with row `j` at step `j`.
fn panel_in_place(p: &mut [f64], w: usize, ipiv: &mut [usize]) {
    let rows = p.len() / w;
    let steps = w.min(rows);
    let mut prow = [0.0f64; TALL_LEAF];
    let mut best_at = if steps > 0 { pivot_row(p, w, 0) } else { 0 };
    for j in 0..steps {
        ipiv[j] = best_at;
        if best_at != j {
            let (top, bottom) = p.split_at_mut(best_at * w);
            top[j * w..(j + 1) * w].swap_with_slice(&mut bottom[..w]);
        }
        let pivot = p[j * w + j];
        let next = j + 1 < steps;
        // An all-zero column (pivot 0): LAPACK `getrf` skips the elimination step and
        // reports `info > 0`; the rank-1 update below then subtracts zeros.
        let tail = w - j - 1;
        prow[..tail].copy_from_slice(&p[j * w + j + 1..(j + 1) * w]);
        // LAPACK's dgetf2: multiply by the reciprocal unless it would overflow.
        let recip = (pivot.abs() >= f64::MIN_POSITIVE).then(|| 1.0 / pivot);
        let found = p[(j + 1) * w..]
            .par_chunks_mut(TALL_ROWS_PER_TASK * w)
            .enumerate()
            .map(|(c, block)| {
                let mut best: Option<(f64, usize)> = None;
                for (t, row) in block.chunks_exact_mut(w).enumerate() {
                    if pivot != 0.0 {
                        row[j] = recip.map_or(row[j] / pivot, |r| row[j] * r);
                    }
                    let f = row[j];
                    for (x, &u) in row[j + 1..].iter_mut().zip(&prow[..tail]) {
                        *x -= f * u;
                    }
                    if next {
                        best =
                            first_max(best, (row[j + 1].abs(), j + 1 + c * TALL_ROWS_PER_TASK + t));
                    }
                }
                best
            })
            .reduce(|| None, |a, b| b.map_or(a, |b| first_max(a, b)));
        if next {
            best_at = found.map_or(j + 1, |(_, i)| i);
        }
    }
}

/// The running first-largest `(|value|, row)`: strict `>`, so the first largest wins, as
/// BLAS `idamax` (an earlier row comes first in every fold and reduction). NaN never wins.
fn first_max(best: Option<(f64, usize)>, cand: (f64, usize)) -> Option<(f64, usize)> {
    match best {
        Some(b) if cand.0 > b.0 => Some(cand),
        Some(b) => Some(b),
        None if cand.0.is_nan() => None,
        None => Some(cand),
    }
}

/// The row `i ≥ col` of the panel with the first largest `|p[i][col]|`.
fn pivot_row(p: &[f64], w: usize, col: usize) -> usize {
    p.chunks_exact(w)
        .enumerate()
        .skip(col)
        .fold(None, |best, (i, row)| first_max(best, (row[col].abs(), i)))
        .map_or(col, |(_, i)| i)
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
    use crate::kernels::testing::{SIZES, matrix, max_abs_diff, naive_lu};

    /// Tall blocks, below and above the tall threshold, with leaf-width remainders and a
    /// zero column: the same pivots as the textbook algorithm, factors to rounding.
    #[test]
    fn tall_lu_matches_the_textbook_algorithm() {
        for &(m, n) in &[
            (9000, 1),
            (9000, 7),
            (8191, 20),
            (8192, 20),
            (20000, 61),
            (10000, 100),
        ] {
            let mut a = matrix(m, n, (m + n) as u64);
            if n > 3 {
                a.column_mut(3).fill(0.0);
            }
            let f = LuFactor::factor(a.clone());
            let (want, want_piv) = naive_lu(a);
            assert_eq!(f.ipiv, want_piv, "({m}, {n}): pivots differ");
            let d = max_abs_diff(&f.lu, &want);
            assert!(d < 1e-11, "({m}, {n}): factors differ by {d:e}");
        }
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
