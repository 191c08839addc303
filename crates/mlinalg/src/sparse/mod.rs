//! Sparse matrices in compressed sparse row form (`scipy.sparse.csr_matrix`).
//!
//! A [`CsrMatrix`] stores, for each row, the column indices and values of its non-zero
//! entries. The matrix
//!
//! ```text
//! ⎡ 1 0 2 ⎤
//! ⎢ 0 0 0 ⎥
//! ⎣ 0 3 4 ⎦
//! ```
//!
//! is stored as three arrays: `data = [1, 2, 3, 4]` (the values, row by row),
//! `indices = [0, 2, 1, 2]` (the column of each value) and `indptr = [0, 2, 2, 4]`
//! (row `i` is `data[indptr[i]..indptr[i + 1]]`; the empty middle row has
//! `indptr[1] == indptr[2]`). Storage is `nnz` values and indices plus `nrows + 1` row
//! pointers instead of `nrows × ncols` values.
//!
//! | scipy | mlinalg |
//! |---|---|
//! | `csr_matrix((data, indices, indptr), shape)` | [`CsrMatrix::try_from_csr_data`] |
//! | `coo_matrix((v, (i, j)), shape).tocsr()` | [`CsrMatrix::from_triplets`] |
//! | `csr_matrix(dense)`, `A.toarray()` | [`CsrMatrix::from_dense`], [`CsrMatrix::to_dense`] |
//! | `A @ x`, `A @ B`, `A.T @ B` | [`CsrMatrix::dot_vec`], [`CsrMatrix::dot_dense`], [`CsrMatrix::t_dot_dense`] |
//! | `A.T`, `A[i:j]` | [`CsrMatrix::transpose`], [`CsrMatrix::slice_rows`] |
//! | `A.sum()`, `A.min()`, `A.max()`, `A.mean()` | [`CsrMatrix::sum`], … (implicit zeros included) |
//! | `sparse.linalg.norm(A, ord)` | [`CsrMatrix::norm`] |
//! | `sparse.save_npz`, `load_npz` | [`CsrMatrix::save_npz`], [`CsrMatrix::load_npz`] |
//!
//! # Examples
//! ```
//! use mlinalg::sparse::CsrMatrix;
//! let a = CsrMatrix::try_from_csr_data(3, 3, vec![0, 2, 2, 4], vec![0, 2, 1, 2], vec![1.0, 2.0, 3.0, 4.0])?;
//! let y = a.dot_vec(ndarray::array![1.0, 1.0, 1.0].view())?;
//! assert_eq!(y, ndarray::array![3.0, 0.0, 7.0]);
//! # Ok::<(), mlinalg::Error>(())
//! ```

mod csr;
mod norm;
mod ops;

pub use csr::{CsrMatrix, MAX_DIM};
