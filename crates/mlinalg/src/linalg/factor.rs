//! Blocked LU (`getrf`), Cholesky (`potrf`) and triangular solves (`trsm`) on row-major
//! `f64` matrices, built on the packed GEMM of [`crate::gemm`].
//!
//! faer's LU and Cholesky measured 0.6–0.8× and ~1.15× OpenBLAS's `getrf`/`potrf` on this
//! project's machine, while our GEMM runs at or above OpenBLAS's. So the factorizations are
//! recursive (Toledo; LAPACK's `dgetrf2`/`dpotrf2`): every level halves the columns, factors
//! the left half, and updates the right half with one large matrix product, so almost all
//! the flops run in the GEMM kernel on both cores. The leaves (at most `LEAF` columns) are
//! unblocked loops over contiguous rows.
//!
//! Every routine works on a [`Block`]: a raw view of a row-major matrix (element `(i, j)`
//! at `ptr + i·ld + j`). The public entry points ([`Lu::factor`], [`cholesky_in_place`])
//! take an owned C-order array and hand out disjoint sub-blocks of it, so no two blocks
//! that are written at the same time overlap.

use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder};

use crate::gemm::gemm_sub;

/// Width of the unblocked leaves of the recursions.
const LEAF: usize = 16;

/// Width of the unblocked LU panels.
const LU_LEAF: usize = 32;

/// Row-major sub-matrix of a buffer owned by the caller: `(i, j)` at `ptr + i·ld + j`.
#[derive(Clone, Copy)]
struct Block {
    ptr: *mut f64,
    rows: usize,
    cols: usize,
    ld: usize,
}

// SAFETY: a Block is a raw view into a buffer owned by the caller of the entry points; it
// moves to a pool thread only together with the whole computation (`in_pool`), and blocks
// used concurrently by the GEMM's threads are disjoint or only read.
unsafe impl Send for Block {}
// SAFETY: as above.
unsafe impl Sync for Block {}

impl Block {
    /// The whole of a C-order (row-major, unit column stride) array.
    fn of(a: &mut Array2<f64>) -> Block {
        let (rows, cols) = a.dim();
        let ld = if rows > 1 {
            a.strides()[0] as usize
        } else {
            cols.max(1)
        };
        debug_assert!(rows <= 1 || cols <= 1 || a.strides()[1] == 1);
        Block {
            ptr: a.as_mut_ptr(),
            rows,
            cols,
            ld,
        }
    }

    /// The `rows × cols` block at `(r0, c0)`.
    ///
    /// # Safety
    /// The block must lie inside `self`.
    #[inline]
    unsafe fn sub(self, r0: usize, c0: usize, rows: usize, cols: usize) -> Block {
        debug_assert!(r0 + rows <= self.rows && c0 + cols <= self.cols);
        Block {
            // SAFETY: (r0, c0) lies inside the buffer when the block is non-empty; for an
            // empty block the pointer is never read (offsets of at most one row past).
            ptr: unsafe { self.ptr.add(r0 * self.ld + c0) },
            rows,
            cols,
            ld: self.ld,
        }
    }

    /// Pointer to `(i, j)`.
    ///
    /// # Safety
    /// `(i, j)` must lie inside the block.
    #[inline(always)]
    unsafe fn at(self, i: usize, j: usize) -> *mut f64 {
        // SAFETY: forwarded contract.
        unsafe { self.ptr.add(i * self.ld + j) }
    }

    /// Row `i` as a slice.
    ///
    /// # Safety
    /// `i < rows`, and no other live reference covers that row segment.
    #[inline(always)]
    unsafe fn row<'a>(self, i: usize) -> &'a mut [f64] {
        // SAFETY: forwarded contract; a row of a block is `cols` contiguous elements.
        unsafe { std::slice::from_raw_parts_mut(self.at(i, 0), self.cols) }
    }

    /// An ndarray view for the GEMM.
    ///
    /// # Safety
    /// No mutable view of an overlapping block may be live at the same time.
    unsafe fn view<'a>(self) -> ArrayView2<'a, f64> {
        // SAFETY: the block lies in the caller's buffer with strides (ld, 1).
        unsafe {
            ArrayView2::from_shape_ptr((self.rows, self.cols).strides((self.ld, 1)), self.ptr)
        }
    }

    /// A mutable ndarray view for the GEMM.
    ///
    /// # Safety
    /// No other view of an overlapping block may be live at the same time.
    unsafe fn view_mut<'a>(self) -> ArrayViewMut2<'a, f64> {
        // SAFETY: as in `view`, and the block is not aliased while the view lives.
        unsafe {
            ArrayViewMut2::from_shape_ptr((self.rows, self.cols).strides((self.ld, 1)), self.ptr)
        }
    }
}

/// Runs `f` on a worker thread of the rayon pool when the matrix is large enough for the
/// GEMMs inside to run in parallel: they then fork from inside the pool, instead of each
/// handing its work from the calling thread to the pool and back (two thread wake-ups per
/// product, measured at ~1 ms of a 10 ms LU of order 1024).
///
/// While `f` runs, the pool's other workers are kept awake ([`keep_warm`]): between two
/// parallel products of a factorization there are sequential stretches (panel leaves)
/// long enough for an idle rayon worker to go to sleep, and on this project's virtual
/// machine waking a halted vCPU costs tens of microseconds, so small products ran on one
/// core (`matmul_256` took longer with two threads than with one). OpenBLAS's threads
/// likewise spin between calls.
pub(crate) fn in_pool<R: Send>(n: usize, f: impl FnOnce() -> R + Send) -> R {
    let threads = rayon::current_num_threads();
    if n < 256 || threads < 2 || rayon::current_thread_index().is_some() {
        return f();
    }
    let done = AtomicBool::new(false);
    let mut out = None;
    rayon::scope(|s| {
        for _ in 1..threads {
            s.spawn(|_| keep_warm(&done));
        }
        IN_POOL_WORK.with(|w| w.set(w.get() + 1));
        out = Some(f());
        IN_POOL_WORK.with(|w| w.set(w.get() - 1));
        done.store(true, Ordering::Release);
    });
    // safe because rayon::scope returns only after the closure ran to completion
    out.expect("rayon::scope ran the closure")
}

thread_local! {
    /// How many [`in_pool`] computations are running on this thread (suspended ones
    /// included: rayon runs other jobs while a join waits).
    static IN_POOL_WORK: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Keeps a rayon worker busy until `done`, executing any pending pool job as soon as it
/// appears (the parallel products of the computation it serves).
///
/// It returns at once on a thread that is itself inside an [`in_pool`] computation (the
/// owner popping its own keep-warm job, or two concurrent computations picking up each
/// other's): spinning there would sit on top of that computation's frames and could wait
/// for itself. Spinning is bounded (at most ~10 s without a job), so a missed `done`
/// could only cost time, never hang.
fn keep_warm(done: &AtomicBool) {
    if IN_POOL_WORK.with(|w| w.get()) > 0 {
        return;
    }
    let start = std::time::Instant::now();
    let mut last_work = start;
    let mut spins = 0u32;
    while !done.load(Ordering::Acquire) {
        match rayon::yield_now() {
            Some(rayon::Yield::Executed) => {
                spins = 0;
                last_work = std::time::Instant::now();
            }
            Some(rayon::Yield::Idle) => {
                std::hint::spin_loop();
                spins = spins.wrapping_add(1);
                if spins.is_multiple_of(1024) && last_work.elapsed().as_secs() >= 10 {
                    return;
                }
            }
            None => return,
        }
    }
}

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

/// `c -= a @ b` on three disjoint blocks.
///
/// # Safety
/// `c` must not overlap `a` or `b`; shapes must agree.
unsafe fn update(c: Block, a: Block, b: Block) {
    if c.rows == 0 || c.cols == 0 || a.cols == 0 {
        return;
    }
    // SAFETY: disjoint blocks of live buffers (caller's contract).
    unsafe { gemm_sub(&mut c.view_mut(), &a.view(), &b.view()) }
}

/// `c -= a @ bᵀ` on disjoint blocks (`b` is read transposed).
///
/// # Safety
/// As [`update`].
unsafe fn update_bt(c: Block, a: Block, b: Block) {
    if c.rows == 0 || c.cols == 0 || a.cols == 0 {
        return;
    }
    // SAFETY: disjoint blocks of live buffers (caller's contract).
    unsafe { gemm_sub(&mut c.view_mut(), &a.view(), &b.view().t()) }
}

/// Where a split of `n` columns falls: half, rounded to a multiple of the leaf width when
/// that is possible, so the GEMMs get kernel-friendly sizes.
fn split(n: usize) -> usize {
    let h = n / 2;
    if h >= LEAF { h / LEAF * LEAF } else { h.max(1) }
}

// ---------------------------------------------------------------------------------------
// LU with partial pivoting
// ---------------------------------------------------------------------------------------

/// An LU factorization with partial pivoting `P A = L U` of a square matrix, stored as
/// LAPACK's `getrf` does: `L` (unit diagonal, not stored) below and `U` on and above the
/// diagonal of one row-major array, and row interchanges `ipiv` (row `i` was swapped with
/// row `ipiv[i] ≥ i`, in order).
pub(crate) struct Lu {
    pub(crate) lu: Array2<f64>,
    pub(crate) ipiv: Vec<usize>,
}

impl Lu {
    /// Factors `a` (square, C order) in place.
    pub(crate) fn factor(mut a: Array2<f64>) -> Lu {
        let n = a.nrows();
        debug_assert_eq!(n, a.ncols());
        let mut ipiv = vec![0usize; n];
        if n > 0 {
            let blk = Block::of(&mut a);
            // SAFETY: the block is the whole of `a`, owned here.
            with_scratch(n * LU_LEAF.min(n), |scratch| {
                // SAFETY: the block is the whole of `a`, owned here.
                in_pool(n, || unsafe { getrf(blk, &mut ipiv, scratch) });
            });
        }
        Lu { lu: a, ipiv }
    }

    /// Solves `A X = B` in place for a C-order `b` (`n × k`).
    pub(crate) fn solve_in_place(&self, b: &mut Array2<f64>) {
        let n = self.lu.nrows();
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
    if avx2() {
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
    if avx2() {
        // SAFETY: the CPU has AVX2 and FMA; forwarded contract.
        return unsafe { getf2_avx2(a, ipiv, scratch) };
    }
    // SAFETY: forwarded.
    unsafe { getf2_body(a, ipiv, scratch) }
}

/// Whether the CPU runs AVX2 + FMA code (cached by std).
#[cfg(target_arch = "x86_64")]
#[inline]
fn avx2() -> bool {
    is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
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

/// `B ← L⁻¹ B` for the unit lower triangle `L` of the square block `l` (the strict lower
/// triangle is read; the diagonal is taken as 1).
///
/// # Safety
/// `l` and `b` do not overlap; `b.rows == l.rows`.
unsafe fn trsm_lower_unit(l: Block, b: Block) {
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
unsafe fn trsm_upper(u: Block, b: Block) {
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

// ---------------------------------------------------------------------------------------
// Cholesky
// ---------------------------------------------------------------------------------------

/// Cholesky `A = L Lᵀ` in place on a square C-order array, reading its lower triangle; the
/// strict upper triangle is set to zero (NumPy's output). `Err(j)` when the leading minor
/// of order `j + 1` is not positive definite (LAPACK's `info = j + 1`).
pub(crate) fn cholesky_in_place(a: &mut Array2<f64>) -> std::result::Result<(), usize> {
    let n = a.nrows();
    debug_assert_eq!(n, a.ncols());
    if n > 0 {
        let blk = Block::of(a);
        // SAFETY: the block is the whole of `a`, borrowed mutably here.
        in_pool(n, || unsafe { potrf(blk, 0) })?;
    }
    for (i, mut row) in a.rows_mut().into_iter().enumerate() {
        row.slice_mut(ndarray::s![i + 1..]).fill(0.0);
    }
    Ok(())
}

/// Recursive Cholesky of the lower triangle of a square block; `offset` is the block's
/// position on the diagonal (for the error index).
///
/// # Safety
/// As [`getrf`].
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
/// As [`getrf`].
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

#[inline(always)]
fn dot(x: &[f64], y: &[f64]) -> f64 {
    // Eight partial sums: vectorisable without reassociation flags.
    let mut s = [0.0f64; 8];
    let (xc, xr) = x.split_at(x.len() / 8 * 8);
    let (yc, yr) = y.split_at(xc.len());
    for (a, b) in xc.chunks_exact(8).zip(yc.chunks_exact(8)) {
        for k in 0..8 {
            s[k] += a[k] * b[k];
        }
    }
    let mut t = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (a, b) in xr.iter().zip(yr) {
        t += a * b;
    }
    t
}

/// `B ← B L⁻ᵀ` for the lower triangle `L` of the square block `l` (`B` is `m × n`).
///
/// # Safety
/// As [`trsm_lower_unit`], with `b.cols == l.rows`.
unsafe fn trsm_right_lower_t(l: Block, b: Block) {
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

/// `C ← C − A Aᵀ` on the lower triangle of the square block `c` (`A` is `n × k`). Diagonal
/// blocks of at most 64 rows are updated whole (their strict upper part is scratch).
///
/// # Safety
/// `c` and `a` do not overlap.
unsafe fn syrk_lower(c: Block, a: Block) {
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

    /// Deterministic uniform(−1, 1) matrix (64-bit LCG, top 53 bits).
    fn matrix(m: usize, n: usize, seed: u64) -> Array2<f64> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        Array2::from_shape_fn((m, n), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        })
    }

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

    fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
        a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
    }

    /// Sizes around the leaf widths (16, 32), two recursion levels, the parallel GEMM
    /// threshold (128³ multiply-adds) and the in-pool path (n ≥ 256).
    const SIZES: [usize; 14] = [1, 2, 3, 15, 16, 17, 31, 32, 33, 64, 65, 100, 130, 300];

    #[test]
    fn lu_matches_the_textbook_algorithm_pivot_for_pivot() {
        for &n in &SIZES {
            let a = matrix(n, n, n as u64);
            let f = Lu::factor(a.clone());
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
            let f = Lu::factor(a.clone());
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
        let f = Lu::factor(a);
        assert_eq!(f.lu[[0, 0]], 0.0);
        assert!(f.lu.iter().all(|v| v.is_finite()));
        let z = Lu::factor(Array2::zeros((70, 70)));
        assert!(z.lu.iter().all(|&v| v == 0.0));
        assert!(z.ipiv.iter().enumerate().all(|(i, &p)| i == p));
    }

    fn naive_cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
        let n = a.nrows();
        let mut l = Array2::<f64>::zeros((n, n));
        for j in 0..n {
            let d = a[[j, j]] - (0..j).map(|p| l[[j, p]] * l[[j, p]]).sum::<f64>();
            if d.is_nan() || d <= 0.0 {
                return None;
            }
            l[[j, j]] = d.sqrt();
            for i in j + 1..n {
                l[[i, j]] =
                    (a[[i, j]] - (0..j).map(|p| l[[i, p]] * l[[j, p]]).sum::<f64>()) / l[[j, j]];
            }
        }
        Some(l)
    }

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

#[cfg(test)]
mod pool_tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Several OS threads factor large matrices at once, each through `in_pool` (and its
    /// keep-warm jobs), while rayon's workers also serve each other's products: every
    /// computation must finish (no keep-warm job may wait on a computation suspended
    /// beneath it) and give the same result as alone.
    #[test]
    fn concurrent_in_pool_computations_finish_and_agree() {
        let n = 300;
        let a = tests_matrix(n, 5) + Array2::<f64>::eye(n) * 4.0;
        let alone = Lu::factor(a.clone());
        let (tx, rx) = mpsc::channel();
        for t in 0..4 {
            let (a, tx) = (a.clone(), tx.clone());
            let want = alone.lu.clone();
            std::thread::spawn(move || {
                for _ in 0..5 {
                    let f = Lu::factor(a.clone());
                    assert_eq!(f.lu, want, "thread {t}");
                    let mut s = a.t().dot(&a);
                    cholesky_in_place(&mut s).unwrap();
                }
                tx.send(t).unwrap();
            });
        }
        drop(tx);
        for _ in 0..4 {
            rx.recv_timeout(Duration::from_secs(120))
                .expect("a concurrent factorization did not finish within 120 s (deadlock?)");
        }
    }

    fn tests_matrix(n: usize, seed: u64) -> Array2<f64> {
        let mut s = seed;
        Array2::from_shape_fn((n, n), |_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        })
    }
}
