//! Products with a CSR matrix and its transpose.
//!
//! The kernels are row-oriented: output row `i` of `A B` is `Σₖ A[i, k] · B[k, :]` over the
//! stored entries of row `i`, so rows are independent and are computed in parallel with
//! rayon. `Aᵀ B` transposes `A` first (a counting sort, O(nnz + ncols)) and reuses the
//! same kernel: that costs one extra copy of the matrix but keeps a single, race-free,
//! parallel kernel, whereas scattering `A[k, i] · B[k, :]` into shared output rows would need
//! per-thread output buffers or atomics.

use std::borrow::Cow;

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use super::CsrMatrix;
use crate::array::{checked_len, fmt_shape, try_vec};
use crate::error::{Error, Result};

/// Multiply-adds per parallel task: below this, rayon's scheduling overhead (a few
/// microseconds per task) outweighs the work, so small products run on one thread.
const MIN_FLOPS_PER_TASK: usize = 1 << 15;

impl CsrMatrix {
    /// The transpose, in CSR form (scipy `A.T.tocsr()`). Column indices of the result are
    /// sorted.
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
    pub fn transpose(&self) -> CsrMatrix {
        // Counting sort by column. Visiting rows in order makes the new column indices
        // (old row numbers) increasing within each new row.
        let mut indptr = vec![0usize; self.ncols + 1];
        for &j in &self.indices {
            indptr[j + 1] += 1;
        }
        for j in 0..self.ncols {
            indptr[j + 1] += indptr[j];
        }
        let mut next = indptr.clone();
        let mut indices = vec![0usize; self.nnz()];
        let mut data = vec![0.0; self.nnz()];
        for i in 0..self.nrows {
            let (cols, vals) = self.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                let slot = &mut next[j];
                indices[*slot] = i;
                data[*slot] = v;
                *slot += 1;
            }
        }
        CsrMatrix {
            nrows: self.ncols,
            ncols: self.nrows,
            indptr,
            indices,
            data,
        }
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
    pub fn dot_vec(&self, x: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
        if x.len() != self.ncols {
            return Err(self.inner_mismatch("", &[x.len()]));
        }
        let x = x.as_standard_layout();
        let x: Cow<'_, [f64]> = match x.as_slice() {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(x.iter().copied().collect()),
        };
        let mut out = try_vec("matmul", self.nrows)?;
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
    pub fn dot_dense(&self, b: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if b.nrows() != self.ncols {
            return Err(self.inner_mismatch("", b.shape()));
        }
        self.spmm(b)
    }

    /// `Aᵀ B` without the caller forming `Aᵀ`: `(m, n)ᵀ @ (m, k) → (n, k)`, row-major,
    /// parallel. Used by truncated SVD, which needs both `A Q` and `Aᵀ Q`.
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
    pub fn t_dot_dense(&self, b: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if b.nrows() != self.nrows {
            return Err(self.inner_mismatch("ᵀ", b.shape()));
        }
        // Check the output size before paying for the transpose.
        checked_len("matmul", &[self.ncols, b.ncols()])?;
        self.transpose().spmm(b)
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
    fn spmm(&self, b: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let k = b.ncols();
        let len = checked_len("matmul", &[self.nrows, k])?;
        let mut out = try_vec("matmul", len)?;
        if len > 0 {
            // Row j of B must be a contiguous slice for the inner loop to vectorise.
            let b = b.as_standard_layout();
            let bs: Cow<'_, [f64]> = match b.as_slice() {
                Some(s) => Cow::Borrowed(s),
                None => Cow::Owned(b.iter().copied().collect()),
            };
            let flops_per_row = (self.nnz() / self.nrows.max(1)).max(1) * k;
            let min_rows = (MIN_FLOPS_PER_TASK / flops_per_row).max(1);
            out.par_chunks_mut(k)
                .with_min_len(min_rows)
                .enumerate()
                .for_each(|(i, out_row)| {
                    let (cols, vals) = self.row(i);
                    for (&j, &v) in cols.iter().zip(vals) {
                        let b_row = &bs[j * k..(j + 1) * k];
                        for (o, &bv) in out_row.iter_mut().zip(b_row) {
                            *o += v * bv;
                        }
                    }
                });
        }
        Array2::from_shape_vec((self.nrows, k), out)
            .map_err(|e| Error::shape("matmul", e.to_string()))
    }
}
