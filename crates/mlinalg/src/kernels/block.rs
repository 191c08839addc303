//! [`Block`], the raw view of a row-major matrix that the recursive factorizations
//! ([`super::lu`], [`super::cholesky`]) and triangular solves ([`super::trsm`]) hand to one
//! another, and the operations they share: the GEMM updates on blocks, the recursion split
//! and a dot product over contiguous rows.
//!
//! The entry points that create blocks ([`super::lu::LuFactor::factor`],
//! [`super::cholesky::cholesky_in_place`]) take an owned C-order array and hand out disjoint
//! sub-blocks of it, so no two blocks that are written at the same time overlap.

use ndarray::{ArrayBase, ArrayView2, ArrayViewMut2, Ix2, ShapeBuilder};

use super::gemm::gemm_sub;

/// Width of the unblocked leaves of the recursions.
pub(super) const LEAF: usize = 16;

/// Row-major sub-matrix of a buffer owned by the caller: `(i, j)` at `ptr + i·ld + j`.
#[derive(Clone, Copy)]
pub(super) struct Block {
    pub(super) ptr: *mut f64,
    pub(super) rows: usize,
    pub(super) cols: usize,
    pub(super) ld: usize,
}

// SAFETY: a Block is a raw view into a buffer owned by the caller of the entry points; it
// moves to a pool thread only together with the whole computation (`in_pool`), and blocks
// used concurrently by the GEMM's threads are disjoint or only read.
unsafe impl Send for Block {}
// SAFETY: as above.
unsafe impl Sync for Block {}

impl Block {
    /// The whole of a C-order (row-major, unit column stride) array.
    ///
    /// # Panics
    /// If `a` is not row-major with unit column stride and a row stride of at least its
    /// number of columns (what `Block`'s addressing `ptr + i·ld + j` needs to stay inside
    /// `a` and to reach every element once).
    #[track_caller]
    pub(super) fn of<S: ndarray::DataMut<Elem = f64>>(a: &mut ArrayBase<S, Ix2>) -> Block {
        let (rows, cols) = a.dim();
        let (rs, cs) = (a.strides()[0], a.strides()[1]);
        assert!(
            (cols <= 1 || cs == 1) && (rows <= 1 || rs >= cols.max(1) as isize),
            "kernels: a {rows} × {cols} array with strides ({rs}, {cs}) is not in C order"
        );
        let ld = if rows > 1 { rs as usize } else { cols.max(1) };
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
    pub(super) unsafe fn sub(self, r0: usize, c0: usize, rows: usize, cols: usize) -> Block {
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
    pub(super) unsafe fn at(self, i: usize, j: usize) -> *mut f64 {
        // SAFETY: forwarded contract.
        unsafe { self.ptr.add(i * self.ld + j) }
    }

    /// Row `i` as a slice.
    ///
    /// # Safety
    /// `i < rows`, and no other live reference covers that row segment.
    #[inline(always)]
    pub(super) unsafe fn row<'a>(self, i: usize) -> &'a mut [f64] {
        // SAFETY: forwarded contract; a row of a block is `cols` contiguous elements.
        unsafe { std::slice::from_raw_parts_mut(self.at(i, 0), self.cols) }
    }

    /// An ndarray view for the GEMM.
    ///
    /// # Safety
    /// No mutable view of an overlapping block may be live at the same time.
    pub(super) unsafe fn view<'a>(self) -> ArrayView2<'a, f64> {
        // SAFETY: the block lies in the caller's buffer with strides (ld, 1).
        unsafe {
            ArrayView2::from_shape_ptr((self.rows, self.cols).strides((self.ld, 1)), self.ptr)
        }
    }

    /// A mutable ndarray view for the GEMM.
    ///
    /// # Safety
    /// No other view of an overlapping block may be live at the same time.
    pub(super) unsafe fn view_mut<'a>(self) -> ArrayViewMut2<'a, f64> {
        // SAFETY: as in `view`, and the block is not aliased while the view lives.
        unsafe {
            ArrayViewMut2::from_shape_ptr((self.rows, self.cols).strides((self.ld, 1)), self.ptr)
        }
    }
}

/// `c -= a @ b` on three disjoint blocks.
///
/// # Safety
/// `c` must not overlap `a` or `b`; shapes must agree.
pub(super) unsafe fn update(c: Block, a: Block, b: Block) {
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
pub(super) unsafe fn update_bt(c: Block, a: Block, b: Block) {
    if c.rows == 0 || c.cols == 0 || a.cols == 0 {
        return;
    }
    // SAFETY: disjoint blocks of live buffers (caller's contract).
    unsafe { gemm_sub(&mut c.view_mut(), &a.view(), &b.view().t()) }
}

/// Where a split of `n` columns falls: half, rounded to a multiple of the leaf width when
/// that is possible, so the GEMMs get kernel-friendly sizes.
pub(super) fn split(n: usize) -> usize {
    let h = n / 2;
    if h >= LEAF { h / LEAF * LEAF } else { h.max(1) }
}

#[inline(always)]
pub(super) fn dot(x: &[f64], y: &[f64]) -> f64 {
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
