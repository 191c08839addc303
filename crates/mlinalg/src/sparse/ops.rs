//! Products with a CSR matrix and its transpose.
//!
//! The kernels are row-oriented: output row `i` of `A B` is `Σₖ A[i, k] · B[k, :]` over the
//! stored entries of row `i`, so rows are independent and are computed in parallel with
//! rayon.
//!
//! `Aᵀ B` scatters instead: row `i` of `A` adds `A[i, j] · B[i, :]` to output row `j`.
//! Different rows of `A` hit the same output rows, so the parallel tasks split the *output*
//! rows (columns of `A`) into ranges of about equal `nnz`: each task scans every row of `A`,
//! finds the row's entries in its column range (indices are sorted: a binary search) and
//! scatters them into its own rows of the output. No task shares an output row, no
//! buffers are added up, and each output row receives its terms in row order of `A`
//! whatever the number of tasks, so results are bit-for-bit those of a sequential scatter
//! on any machine. The price is that every task reads `B` (sequentially); with one task
//! per thread that is cheap next to a transpose of `A` (one extra copy of `A` and
//! cache-unfriendly writes) or per-task output buffers (zeroed, then summed).

use std::borrow::Cow;
use std::mem::MaybeUninit;
use std::ops::Range;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use super::CsrMatrix;
use crate::array::{checked_len, fmt_shape, try_vec_uninit_of};
use crate::error::{Error, Result};
use crate::kernels::isa::Isa;
use crate::kernels::spmm;
use crate::scalar::RealScalar;

/// Column indices sampled to balance the column ranges of the `Aᵀ B` tasks.
const SCATTER_SAMPLE: usize = 4096;

/// Multiply-adds per parallel task: below this, rayon's scheduling overhead (a few
/// microseconds per task) outweighs the work, so small products run on one thread.
const MIN_FLOPS_PER_TASK: usize = 1 << 15;

impl<T: RealScalar> CsrMatrix<T> {
    /// The transpose, in CSR form (scipy `A.T.tocsr()`). Column indices of the result are
    /// sorted.
    ///
    /// Its `ncols + 1` row pointers are allocated without a check, whatever the number of
    /// entries: for a matrix read from an untrusted file (which may declare 2·10⁸ columns
    /// for two entries) use [`try_transpose`](Self::try_transpose), which returns an error
    /// instead of aborting when they do not fit in memory.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_triplets(2, 3, &[0, 1], &[2, 0], &[1.0, 2.0])?;
    /// let t = m.transpose();
    /// assert_eq!(t.shape(), (3, 2));
    /// assert_eq!(t.to_dense()?, m.to_dense()?.t());
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn transpose(&self) -> CsrMatrix<T> {
        let (indptr, indices, data) = self.transpose_parts(
            vec![0usize; self.ncols + 1],
            vec![0usize; self.nnz()],
            vec![T::zero(); self.nnz()],
        );
        CsrMatrix {
            nrows: self.ncols,
            ncols: self.nrows,
            indptr,
            indices,
            data,
        }
    }

    /// [`transpose`](Self::transpose), with every allocation checked against the memory
    /// available (a matrix of 2·10⁸ columns needs 1.6 GB of row pointers for its
    /// transpose, whatever its number of entries).
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the transpose does not fit in memory.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_triplets(2, 3, &[0, 1], &[2, 0], &[1.0, 2.0])?;
    /// assert_eq!(m.try_transpose()?, m.transpose());
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn try_transpose(&self) -> Result<CsrMatrix<T>> {
        const OP: &str = "transpose";
        let indptr = super::csr::try_index_vec(OP, self.ncols + 1)?;
        let mut indices = super::csr::try_with_capacity::<usize>(OP, self.nnz(), "column indices")?;
        indices.resize(self.nnz(), 0);
        let mut data = super::csr::try_with_capacity::<T>(OP, self.nnz(), "values")?;
        data.resize(self.nnz(), T::zero());
        let (indptr, indices, data) = self.transpose_parts(indptr, indices, data);
        Ok(CsrMatrix {
            nrows: self.ncols,
            ncols: self.nrows,
            indptr,
            indices,
            data,
        })
    }

    /// The CSR arrays of the transpose, filled into zeroed `indptr` (ncols + 1), `indices`
    /// and `data` (nnz each).
    fn transpose_parts(
        &self,
        mut indptr: Vec<usize>,
        mut indices: Vec<usize>,
        mut data: Vec<T>,
    ) -> (Vec<usize>, Vec<usize>, Vec<T>) {
        // Counting sort by column. Visiting rows in order makes the new column indices
        // (old row numbers) increasing within each new row. indptr[j] is the next free
        // slot of column j, then its end; one shift restores the pointers (no copy).
        for &j in &self.indices {
            indptr[j + 1] += 1;
        }
        for j in 0..self.ncols {
            indptr[j + 1] += indptr[j];
        }
        for i in 0..self.nrows {
            let (cols, vals) = self.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                let slot = &mut indptr[j];
                indices[*slot] = i;
                data[*slot] = v;
                *slot += 1;
            }
        }
        indptr.copy_within(0..self.ncols, 1);
        indptr[0] = 0;
        (indptr, indices, data)
    }

    /// Matrix–vector product `A x` (scipy `A @ x`), parallel over rows.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x.len() != ncols`.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_dense(ndarray::array![[1.0, 2.0], [0.0, 3.0]].view());
    /// assert_eq!(m.dot_vec(ndarray::array![1.0, 1.0].view())?, ndarray::array![3.0, 3.0]);
    /// let e = m.dot_vec(ndarray::array![1.0].view()).unwrap_err();
    /// assert_eq!(e.to_string(), "matmul: inner dimensions differ: (2, 2) @ (1,): 2 != 1");
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn dot_vec(&self, x: ArrayView1<'_, T>) -> Result<Array1<T>> {
        if x.len() != self.ncols {
            return Err(self.inner_mismatch("", &[x.len()]));
        }
        let x = x.as_standard_layout();
        let x: Cow<'_, [T]> = match x.as_slice() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(x.iter().copied().collect()),
        };
        let mut out = try_vec_uninit_of::<T>("matmul", self.nrows)?;
        out.resize(self.nrows, T::zero());
        let min_rows = (MIN_FLOPS_PER_TASK / (self.nnz() / self.nrows.max(1)).max(1)).max(1);
        out.par_iter_mut()
            .with_min_len(min_rows)
            .enumerate()
            .for_each(|(i, o)| {
                let (cols, vals) = self.row(i);
                *o = cols.iter().zip(vals).map(|(&j, &v)| v * x[j]).sum();
            });
        Ok(Array1::from_vec(out))
    }

    /// Sparse × dense product `A B` (scipy `A @ B`): `(m, n) @ (n, k) → (m, k)`, row-major,
    /// parallel over blocks of rows.
    ///
    /// # Errors
    /// [`Error::Shape`] if `b.nrows() != ncols`; [`Error::Unsupported`] if the result
    /// cannot be allocated.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let a = CsrMatrix::from_dense(ndarray::array![[1.0, 0.0], [2.0, 3.0]].view());
    /// let b = ndarray::array![[1.0, 2.0], [3.0, 4.0]];
    /// assert_eq!(a.dot_dense(b.view())?, ndarray::array![[1.0, 2.0], [11.0, 16.0]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn dot_dense(&self, b: ArrayView2<'_, T>) -> Result<Array2<T>> {
        if b.nrows() != self.ncols {
            return Err(self.inner_mismatch("", b.shape()));
        }
        self.spmm(b)
    }

    /// `Aᵀ B` without forming `Aᵀ` (scipy `A.T @ B`): `(m, n)ᵀ @ (m, k) → (n, k)`,
    /// row-major, parallel (see the module notes for the kernel). Used by truncated SVD,
    /// which needs both `A Q` and `Aᵀ Q`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `b.nrows() != nrows`; [`Error::Unsupported`] if the result
    /// cannot be allocated.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let a = CsrMatrix::from_dense(ndarray::array![[1.0, 0.0], [2.0, 3.0]].view());
    /// let b = ndarray::array![[1.0], [1.0]];
    /// assert_eq!(a.t_dot_dense(b.view())?, ndarray::array![[3.0], [3.0]]);
    /// let e = a.t_dot_dense(ndarray::array![[1.0]].view()).unwrap_err();
    /// assert_eq!(e.to_string(), "matmul: inner dimensions differ: (2, 2)ᵀ @ (1, 1): 2 != 1");
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn t_dot_dense(&self, b: ArrayView2<'_, T>) -> Result<Array2<T>> {
        if b.nrows() != self.nrows {
            return Err(self.inner_mismatch("ᵀ", b.shape()));
        }
        let k = b.ncols();
        let len = checked_len("matmul", &[self.ncols, k])?;
        let mut out = try_vec_uninit_of::<T>("matmul", len)?;
        self.scatter_t_into(b, &mut out.spare_capacity_mut()[..len], true);
        // SAFETY: `scatter_t_into` with `zero` initialised all `len` elements (its parts
        // tile the buffer, each zero-filled, then accumulated into).
        unsafe { out.set_len(len) };
        Array2::from_shape_vec((self.ncols, k), out)
            .map_err(|e| Error::shape("matmul", e.to_string()))
    }

    /// `out += Aᵀ B` (`out` is `n × k`), accumulating into `out` without a temporary:
    /// what a streamed `Aᵀ B` over row blocks needs. Each element of `out` gets the terms
    /// of the block in row order, as in one [`CsrMatrix::t_dot_dense`] of all the rows, so
    /// a sum over blocks equals the whole product bit for bit.
    ///
    /// # Errors
    /// [`Error::Shape`] if `b.nrows() != nrows` or `out` is not `ncols × b.ncols()`.
    pub(crate) fn t_dot_dense_add(&self, b: ArrayView2<'_, T>, out: &mut Array2<T>) -> Result<()> {
        if b.nrows() != self.nrows {
            return Err(self.inner_mismatch("ᵀ", b.shape()));
        }
        if out.dim() != (self.ncols, b.ncols()) {
            return Err(Error::shape(
                "matmul",
                format!(
                    "the output of {}ᵀ @ {} is {}, expected ({}, {})",
                    fmt_shape(&[self.nrows, self.ncols]),
                    fmt_shape(b.shape()),
                    fmt_shape(out.shape()),
                    self.ncols,
                    b.ncols()
                ),
            ));
        }
        match out.as_slice_mut() {
            Some(dst) => {
                let len = dst.len();
                // SAFETY: `MaybeUninit<T>` has the layout of `T`; without `zero`,
                // `scatter_t_into` only reads the (initialised) elements and writes
                // initialised values back, so `dst` stays initialised.
                let dst = unsafe {
                    std::slice::from_raw_parts_mut(dst.as_mut_ptr().cast::<MaybeUninit<T>>(), len)
                };
                self.scatter_t_into(b, dst, false);
            }
            None => *out += &self.t_dot_dense(b)?,
        }
        Ok(())
    }

    /// `dst (+)= Aᵀ B` for a row-major `ncols × b.ncols()` `dst`, in parallel over column
    /// ranges holding about equal numbers of stored entries. With `zero` each task first
    /// zero-fills its part (so `dst` may start uninitialised, and its pages are first
    /// touched by the thread that uses them); without it every element of `dst` must be
    /// initialised.
    fn scatter_t_into(&self, b: ArrayView2<'_, T>, dst: &mut [MaybeUninit<T>], zero: bool) {
        let k = b.ncols();
        let len = self.ncols * k;
        debug_assert_eq!(dst.len(), len);
        if len == 0 {
            return;
        }
        let b = b.as_standard_layout();
        let bs: Cow<'_, [T]> = match b.as_slice() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(b.iter().copied().collect()),
        };
        let flops = self.nnz().saturating_mul(k);
        let tasks = (flops / MIN_FLOPS_PER_TASK)
            .min(rayon::current_num_threads())
            .min(self.ncols)
            .max(1);
        let bounds = self.column_bounds(tasks);
        // Cut the output into the tasks' row ranges.
        let mut parts: Vec<(Range<usize>, &mut [MaybeUninit<T>])> = Vec::with_capacity(tasks);
        let mut rest = &mut dst[..len];
        for w in bounds.windows(2) {
            let (head, tail) = rest.split_at_mut((w[1] - w[0]) * k);
            parts.push((w[0]..w[1], head));
            rest = tail;
        }
        let isa = Isa::detect();
        parts.into_par_iter().for_each(|(cols, dst)| {
            if zero {
                for d in dst.iter_mut() {
                    d.write(T::zero());
                }
            }
            // SAFETY: every element of `dst` is initialised: zero-filled just above, or by
            // the caller (see the function's contract); `MaybeUninit<T>` has the layout
            // of `T`.
            let dst: &mut [T] =
                unsafe { std::slice::from_raw_parts_mut(dst.as_mut_ptr().cast(), dst.len()) };
            spmm::scatter_t(isa, self, 0..self.nrows, cols, &bs, k, dst);
        });
    }

    /// `tasks + 1` non-decreasing column boundaries from 0 to `ncols` that split the
    /// stored entries about evenly (quantiles of a sample of the column indices).
    fn column_bounds(&self, tasks: usize) -> Vec<usize> {
        let mut bounds = vec![0];
        if tasks > 1 && self.nnz() > 0 {
            let step = (self.nnz() / SCATTER_SAMPLE).max(1);
            let mut sample: Vec<usize> = self.indices.iter().copied().step_by(step).collect();
            sample.sort_unstable();
            for t in 1..tasks {
                let b = sample[sample.len() * t / tasks].max(*bounds.last().unwrap_or(&0));
                bounds.push(b);
            }
        }
        bounds.push(self.ncols);
        bounds
    }

    /// The "inner dimensions differ" error of `A{t} @ other`, worded as dense `matmul`'s.
    fn inner_mismatch(&self, t: &str, other: &[usize]) -> Error {
        let (shape, inner) = if t.is_empty() {
            ([self.nrows, self.ncols], self.ncols)
        } else {
            ([self.nrows, self.ncols], self.nrows)
        };
        Error::shape(
            "matmul",
            format!(
                "inner dimensions differ: {}{t} @ {}: {inner} != {}",
                fmt_shape(&shape),
                fmt_shape(other),
                other.first().copied().unwrap_or(0)
            ),
        )
    }

    /// `A B` with shapes already checked.
    ///
    /// Every element of the result is written exactly once (empty rows get zeros), so the
    /// buffer is not zero-filled first: its pages are faulted in by the threads that fill
    /// them, in parallel. Each row's sum runs over its entries in stored order whatever the
    /// instruction set or thread count, so results are bit-for-bit reproducible.
    fn spmm(&self, b: ArrayView2<'_, T>) -> Result<Array2<T>> {
        let k = b.ncols();
        let len = checked_len("matmul", &[self.nrows, k])?;
        let mut out = try_vec_uninit_of::<T>("matmul", len)?;
        if len > 0 {
            // Row j of B must be a contiguous slice for the inner loop to vectorise.
            let b = b.as_standard_layout();
            let bs: Cow<'_, [T]> = match b.as_slice() {
                Some(s) => Cow::Borrowed(s),
                None => Cow::Owned(b.iter().copied().collect()),
            };
            let flops_per_row = (self.nnz() / self.nrows.max(1)).max(1) * k;
            let rows_per_task = (MIN_FLOPS_PER_TASK / flops_per_row).max(1);
            let isa = Isa::detect();
            out.spare_capacity_mut()[..len]
                .par_chunks_mut(rows_per_task * k)
                .enumerate()
                .for_each(|(t, dst)| {
                    let start = t * rows_per_task;
                    let rows = start..start + dst.len() / k;
                    spmm::spmm(isa, self, rows, &bs, k, dst);
                });
            // SAFETY: the chunks above cover `..len` and `spmm_rows` writes every element
            // of its chunk (each row's k outputs, in column blocks that tile 0..k).
            unsafe { out.set_len(len) };
        }
        Array2::from_shape_vec((self.nrows, k), out)
            .map_err(|e| Error::shape("matmul", e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// A deterministic matrix with empty rows (every third row), rows of one entry and
    /// longer rows; values are small integers times 2⁻³ plus a fraction, so sums are exact
    /// enough to compare bitwise only when the order is the same.
    fn matrix(nrows: usize, ncols: usize) -> CsrMatrix {
        let (mut r, mut c, mut v) = (Vec::new(), Vec::new(), Vec::new());
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for i in 0..nrows {
            let len = if i % 3 == 0 { 0 } else { (i * 7) % 9 + 1 };
            for _ in 0..len {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                r.push(i);
                c.push((state >> 33) as usize % ncols);
                v.push(((state >> 20) % 1000) as f64 / 7.0 - 70.0);
            }
        }
        CsrMatrix::from_triplets(nrows, ncols, &r, &c, &v).unwrap()
    }

    fn dense(nrows: usize, ncols: usize, seed: u64) -> Array2<f64> {
        Array2::from_shape_fn((nrows, ncols), |(i, j)| {
            ((i * 31 + j * 17 + seed as usize) % 23) as f64 / 3.0 - 3.5
        })
    }

    /// `A B` summed in stored order, as every kernel must.
    fn reference<T: RealScalar>(a: &CsrMatrix<T>, b: &Array2<T>) -> Array2<T> {
        let mut out = Array2::zeros((a.nrows(), b.ncols()));
        for i in 0..a.nrows() {
            let (cols, vals) = a.row(i);
            for c in 0..b.ncols() {
                let mut s = T::zero();
                for (&j, &v) in cols.iter().zip(vals) {
                    s += v * b[[j, c]];
                }
                out[[i, c]] = s;
            }
        }
        out
    }

    fn all_simd() -> Vec<Isa> {
        Isa::all_available()
    }

    fn spmm_with<T: RealScalar>(
        simd: Isa,
        a: &CsrMatrix<T>,
        rows: Range<usize>,
        b: &Array2<T>,
    ) -> Vec<T> {
        let k = b.ncols();
        let bs = b.as_slice().unwrap();
        let mut out = vec![MaybeUninit::new(T::NAN); rows.len() * k];
        spmm::spmm(simd, a, rows, bs, k, &mut out);
        // SAFETY: initialised with NaN above (and overwritten by the kernel).
        out.iter().map(|x| unsafe { x.assume_init() }).collect()
    }

    #[test]
    fn every_kernel_and_block_width_matches_the_reference_bitwise() {
        let a = matrix(40, 90);
        // 1 column, every remainder of the 64/32/16/8/4/2/1 block chain, wider than 64
        for k in [
            1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 60, 63, 64, 65, 100, 131,
        ] {
            let b = dense(90, k, k as u64);
            let want = reference(&a, &b);
            for simd in all_simd() {
                let got = spmm_with(simd, &a, 0..a.nrows(), &b);
                assert_eq!(
                    got.as_slice(),
                    want.as_slice().unwrap(),
                    "{simd:?}, k = {k}"
                );
                // a sub-range of rows (a parallel task) writes exactly those rows
                let got = spmm_with(simd, &a, 7..19, &b);
                let want_rows = want.slice(ndarray::s![7..19, ..]).to_owned();
                assert_eq!(
                    got.as_slice(),
                    want_rows.as_slice().unwrap(),
                    "{simd:?}, k = {k}"
                );
            }
            // the public entry point, through the parallel split
            assert_eq!(a.dot_dense(b.view()).unwrap(), want, "k = {k}");
        }
    }

    #[test]
    fn parallel_split_boundaries_and_empty_rows() {
        // Enough rows for many tasks of `rows_per_task` rows, with a ragged last task.
        for (nrows, k) in [(1, 1), (2, 3), (1001, 1), (4099, 7), (3001, 64), (2047, 33)] {
            let a = matrix(nrows, 50);
            let b = dense(50, k, 3);
            let got = a.dot_dense(b.view()).unwrap();
            assert_eq!(got, reference(&a, &b), "({nrows}, {k})");
            // rows 0, 3, 6, … are empty: exact zeros
            assert!(got.row(0).iter().all(|&x| x == 0.0));
            assert!(
                got.row(nrows - 1 - (nrows - 1) % 3)
                    .iter()
                    .all(|&x| x == 0.0)
            );
        }
        // all rows empty; zero-row and zero-column outputs
        let z = CsrMatrix::from_triplets(5, 4, &[], &[], &[]).unwrap();
        assert_eq!(
            z.dot_dense(dense(4, 9, 0).view()).unwrap(),
            Array2::<f64>::zeros((5, 9))
        );
        assert_eq!(
            z.dot_dense(Array2::zeros((4, 0)).view()).unwrap().dim(),
            (5, 0)
        );
        let e = CsrMatrix::from_triplets(0, 4, &[], &[], &[]).unwrap();
        assert_eq!(e.dot_dense(dense(4, 3, 0).view()).unwrap().dim(), (0, 3));
    }

    /// `Aᵀ B` accumulated over row blocks of any size equals the whole product bit for
    /// bit (each output element takes its terms in row order either way), and a wrong
    /// output shape is refused.
    #[test]
    fn transpose_product_accumulated_over_row_blocks_is_the_whole_product() {
        let a = matrix(1000, 70);
        for k in [1, 7, 60, 65] {
            let b = dense(1000, k, 11);
            let whole = a.t_dot_dense(b.view()).unwrap();
            for rows in [1, 7, 333, 999, 1000] {
                let mut acc = Array2::<f64>::zeros((70, k));
                let mut start = 0;
                while start < a.nrows() {
                    let end = (start + rows).min(a.nrows());
                    let blk = a.slice_rows(start, end).unwrap();
                    let bb = b.slice(ndarray::s![start..end, ..]);
                    blk.t_dot_dense_add(bb, &mut acc).unwrap();
                    start = end;
                }
                assert_eq!(acc, whole, "k = {k}, blocks of {rows} rows");
            }
            // a column-major output takes the same sum (through a temporary)
            let mut f = Array2::<f64>::zeros(ndarray::ShapeBuilder::f((70, k)));
            a.t_dot_dense_add(b.view(), &mut f).unwrap();
            assert_eq!(f, whole, "k = {k}, column-major output");
        }
        let mut wrong = Array2::<f64>::zeros((69, 3));
        let e = a
            .t_dot_dense_add(dense(1000, 3, 0).view(), &mut wrong)
            .unwrap_err();
        assert!(e.to_string().contains("expected (70, 3)"), "{e}");
        assert!(matches!(
            a.t_dot_dense_add(dense(999, 3, 0).view(), &mut wrong),
            Err(Error::Shape { .. })
        ));
    }

    #[test]
    fn scatter_kernels_match_the_transpose_product() {
        let a = matrix(300, 40);
        for k in [1, 3, 8, 17, 60, 64, 70] {
            let b = dense(300, k, 5);
            let bs = b.as_slice().unwrap();
            // the transpose's rows hold their entries in row order of A: the same order
            // of additions as a sequential scatter
            let want = reference(&a.transpose(), &b);
            for simd in all_simd() {
                // the whole output, and the output split into column ranges (one empty)
                for bounds in [vec![0, 40], vec![0, 13, 13, 39, 40]] {
                    let mut out = vec![0.0; 40 * k];
                    let mut rest = out.as_mut_slice();
                    for w in bounds.windows(2) {
                        let (head, tail) = rest.split_at_mut((w[1] - w[0]) * k);
                        spmm::scatter_t(simd, &a, 0..300, w[0]..w[1], bs, k, head);
                        rest = tail;
                    }
                    assert_eq!(
                        out.as_slice(),
                        want.as_slice().unwrap(),
                        "{simd:?}, k = {k}"
                    );
                }
            }
            // the public entry point, whatever its number of tasks
            assert_eq!(a.t_dot_dense(b.view()).unwrap(), want, "k = {k}");
        }
    }

    #[test]
    fn scatter_column_bounds() {
        let a = matrix(3000, 500);
        for tasks in [1, 2, 3, 8, 64] {
            let b = a.column_bounds(tasks);
            assert_eq!(b.len(), tasks + 1);
            assert_eq!((b[0], b[tasks]), (0, 500));
            assert!(b.windows(2).all(|w| w[0] <= w[1]), "{b:?}");
        }
        // large enough for several tasks: bitwise the sequential scatter
        let b = dense(3000, 33, 1);
        assert_eq!(
            a.t_dot_dense(b.view()).unwrap(),
            reference(&a.transpose(), &b)
        );
        // all entries in one column: every other range is empty
        let one = CsrMatrix::from_triplets(
            2000,
            7,
            &(0..2000).collect::<Vec<_>>(),
            &[3; 2000],
            &[1.5; 2000],
        )
        .unwrap();
        let b = dense(2000, 40, 2);
        assert_eq!(
            one.t_dot_dense(b.view()).unwrap(),
            reference(&one.transpose(), &b)
        );
    }

    /// The `f32` kernels (blocks twice as wide: 128 columns with AVX-512, 64 with AVX2)
    /// against the `f32` reference summed in the same order: bitwise equal, at widths
    /// crossing every block of the 128/64/…/1 chain; and within `f32` rounding of the
    /// `f64` product.
    #[test]
    fn f32_kernels_match_the_reference_bitwise() {
        let a64 = matrix(40, 90);
        let a = a64.astype::<f32>();
        for k in [
            1, 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 191, 200, 255, 257,
        ] {
            let b64 = dense(90, k, k as u64);
            let b = b64.mapv(|x| x as f32);
            let want = reference(&a, &b);
            for simd in all_simd() {
                let got = spmm_with(simd, &a, 0..a.nrows(), &b);
                assert_eq!(
                    got.as_slice(),
                    want.as_slice().unwrap(),
                    "{simd:?}, k = {k}"
                );
                let got = spmm_with(simd, &a, 7..19, &b);
                let want_rows = want.slice(ndarray::s![7..19, ..]).to_owned();
                assert_eq!(
                    got.as_slice(),
                    want_rows.as_slice().unwrap(),
                    "{simd:?}, k = {k}"
                );
            }
            let got = a.dot_dense(b.view()).unwrap();
            assert_eq!(got, want, "k = {k}");
            // The same product in f64 (of the f32-rounded inputs): the f32 sums differ by
            // at most a few units of f32 rounding per term.
            let wide = reference(&a.astype::<f64>(), &b.mapv(f64::from));
            let a_abs = a.astype::<f64>();
            let a_abs = CsrMatrix::try_new(
                a_abs.nrows(),
                a_abs.ncols(),
                a_abs.indptr().to_vec(),
                a_abs.indices().to_vec(),
                a_abs.data().iter().map(|v| v.abs()).collect(),
            )
            .unwrap();
            let scale = reference(&a_abs, &b.mapv(|x| f64::from(x).abs()));
            for ((g, w), s) in got.iter().zip(&wide).zip(&scale) {
                assert!(
                    (f64::from(*g) - w).abs() <= 10.0 * f64::from(f32::EPSILON) * s,
                    "k = {k}: {g} vs {w}"
                );
            }
        }
    }

    #[test]
    fn f32_scatter_and_vector_products() {
        let a = matrix(300, 40).astype::<f32>();
        for k in [1, 17, 64, 127, 128, 129, 140] {
            let b = dense(300, k, 5).mapv(|x| x as f32);
            let want = reference(&a.transpose(), &b);
            let bs = b.as_slice().unwrap();
            for simd in all_simd() {
                let mut out = vec![0.0f32; 40 * k];
                spmm::scatter_t(simd, &a, 0..300, 0..40, bs, k, &mut out);
                assert_eq!(
                    out.as_slice(),
                    want.as_slice().unwrap(),
                    "{simd:?}, k = {k}"
                );
            }
            assert_eq!(a.t_dot_dense(b.view()).unwrap(), want, "k = {k}");
        }
        let x = dense(40, 1, 9).column(0).mapv(|x| x as f32);
        let want = reference(&a, &x.clone().insert_axis(ndarray::Axis(1)));
        assert_eq!(a.dot_vec(x.view()).unwrap(), want.column(0));
        assert_eq!(a.transpose().transpose(), a);
    }
}
