//! The compressed sparse row matrix: construction, validation, conversion, reductions and
//! scipy `.npz` files.

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView2, Ix2};

use crate::array::try_zeros_of;
use crate::error::{Error, Result};
use crate::io::npy::raw_npy_bytes;
use crate::io::npz::{NpzEntry, RawNpy, read_npz_raw, write_npz_entries};
use crate::scalar::RealScalar;

/// Largest number of rows or columns a sparse matrix may have: 2²⁸ = 268 435 456.
///
/// CSR storage costs one row pointer per row whatever the number of entries (and one per
/// column once transposed), so a Matrix Market size line such as `2147483647 2147483647 1`
/// would otherwise make the reader allocate and fill 16 GiB. The cap bounds that cost at
/// 2 GiB; a real matrix that large has far more entries than row pointers anyway.
pub const MAX_DIM: usize = 1 << 28;

/// A sparse matrix in compressed sparse row (CSR) form, as `scipy.sparse.csr_matrix`.
///
/// Row `i` holds the entries `indices[k], data[k]` for `k` in `indptr[i]..indptr[i + 1]`.
/// The invariants, established by every constructor: `indptr` has `nrows + 1`
/// non-decreasing entries from 0 to `nnz`; column indices are `< ncols` and strictly
/// increasing within each row (duplicates are summed on construction, like scipy's
/// `sum_duplicates`). Explicit zeros may be stored (as scipy keeps them).
///
/// # Examples
/// ```
/// use mlinalg::sparse::CsrMatrix;
/// // [[1, 0, 2],
/// //  [0, 0, 3]]
/// let m = CsrMatrix::try_from_csr_data(2, 3, vec![0, 2, 3], vec![0, 2, 2], vec![1.0, 2.0, 3.0])?;
/// assert_eq!(m.nnz(), 3);
/// assert_eq!(m.to_dense()?, ndarray::array![[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]]);
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix<T = f64> {
    pub(super) nrows: usize,
    pub(super) ncols: usize,
    pub(super) indptr: Vec<usize>,
    pub(super) indices: Vec<usize>,
    pub(super) data: Vec<T>,
}

/// Sorts the column indices of every row and sums duplicates, compacting in place.
/// `indptr` must already be valid (non-decreasing, last = `indices.len()`).
fn canonicalize<T: Copy + std::ops::AddAssign>(
    indptr: &mut [usize],
    indices: &mut Vec<usize>,
    data: &mut Vec<T>,
) {
    let nrows = indptr.len().saturating_sub(1);
    let mut write = 0;
    let mut pairs: Vec<(usize, T)> = Vec::new();
    let mut start = 0;
    for r in 0..nrows {
        let end = indptr[r + 1];
        let row_start = write;
        let sorted = indices[start..end].windows(2).all(|w| w[0] < w[1]);
        if sorted {
            indices.copy_within(start..end, write);
            data.copy_within(start..end, write);
            write += end - start;
        } else {
            pairs.clear();
            pairs.extend(
                indices[start..end]
                    .iter()
                    .copied()
                    .zip(data[start..end].iter().copied()),
            );
            // A stable sort keeps duplicates in input order, so their sum is deterministic.
            pairs.sort_by_key(|p| p.0);
            for &(c, v) in &pairs {
                if write > row_start && indices[write - 1] == c {
                    data[write - 1] += v;
                } else {
                    indices[write] = c;
                    data[write] = v;
                    write += 1;
                }
            }
        }
        indptr[r + 1] = write;
        start = end;
    }
    indices.truncate(write);
    data.truncate(write);
}

/// Sorts each row of valid CSR arrays by column in parallel (stably: duplicates stay in
/// input order); true if some row holds a column twice. Rows already strictly increasing,
/// the common case, are only checked.
fn sort_rows_par(indptr: &[usize], indices: &mut [usize], data: &mut [f64]) -> bool {
    use rayon::prelude::*;
    let nrows = indptr.len().saturating_sub(1);
    // Blocks of rows holding about `per` entries each, split off the arrays in order.
    let per = (indices.len() / (rayon::current_num_threads() * 8).max(1)).max(1 << 14);
    let mut blocks = Vec::new();
    let (mut rest_i, mut rest_d) = (indices, data);
    let mut r = 0;
    while r < nrows {
        let mut e = r + 1;
        while e < nrows && indptr[e] - indptr[r] < per {
            e += 1;
        }
        let len = indptr[e] - indptr[r];
        let (bi, ri) = std::mem::take(&mut rest_i).split_at_mut(len);
        let (bd, rd) = std::mem::take(&mut rest_d).split_at_mut(len);
        blocks.push((r, e, bi, bd));
        rest_i = ri;
        rest_d = rd;
        r = e;
    }
    blocks
        .into_par_iter()
        .map(|(r0, r1, bi, bd)| {
            let base = indptr[r0];
            let mut pairs: Vec<(usize, f64)> = Vec::new();
            let mut dup = false;
            for r in r0..r1 {
                let (s, e) = (indptr[r] - base, indptr[r + 1] - base);
                let cols = &mut bi[s..e];
                if cols.windows(2).all(|w| w[0] < w[1]) {
                    continue;
                }
                let vals = &mut bd[s..e];
                if cols.len() <= 32 && cols.iter().all(|&c| c >> 59 == 0) {
                    // Keys `column · 32 + position`: all distinct, so the unstable sort
                    // (a branch-free sorting network at this length) keeps duplicates in
                    // input order; the values follow their positions. Longer rows (and
                    // columns too large for a key) take the stable sort below.
                    let n = cols.len();
                    let mut keys = [0u64; 32];
                    let mut old = [0f64; 32];
                    for (k, (&c, &v)) in cols.iter().zip(vals.iter()).enumerate() {
                        keys[k] = ((c as u64) << 5) | k as u64;
                        old[k] = v;
                    }
                    keys[..n].sort_unstable();
                    for (k, &key) in keys[..n].iter().enumerate() {
                        cols[k] = (key >> 5) as usize;
                        vals[k] = old[(key & 31) as usize];
                    }
                    dup |= cols.windows(2).any(|w| w[0] == w[1]);
                    continue;
                }
                pairs.clear();
                pairs.extend(cols.iter().copied().zip(vals.iter().copied()));
                pairs.sort_by_key(|p| p.0);
                for (k, &(c, v)) in pairs.iter().enumerate() {
                    cols[k] = c;
                    vals[k] = v;
                }
                dup |= cols.windows(2).any(|w| w[0] == w[1]);
            }
            dup
        })
        .reduce(|| false, |a, b| a | b)
}

/// Errors unless both dimensions are at most [`MAX_DIM`].
fn check_dims(op: &'static str, nrows: usize, ncols: usize) -> Result<()> {
    if nrows > MAX_DIM || ncols > MAX_DIM {
        return Err(Error::Unsupported {
            op,
            detail: format!(
                "shape ({nrows}, {ncols}) exceeds the largest supported dimension {MAX_DIM}"
            ),
        });
    }
    Ok(())
}

/// A zero-filled `Vec<usize>` of `len` row pointers, failing instead of aborting (checked
/// against the memory available: a size line may declare 2·10⁸ rows for two entries).
pub(crate) fn try_index_vec(op: &'static str, len: usize) -> Result<Vec<usize>> {
    let mut v = try_with_capacity::<usize>(op, len, "row pointers")?;
    v.resize(len, 0);
    Ok(v)
}

/// An empty `Vec<T>` with room for `len` elements, checked against the memory available
/// ([`crate::memory::check_available`]); `what` names them in the error.
pub(crate) fn try_with_capacity<T>(op: &'static str, len: usize, what: &str) -> Result<Vec<T>> {
    let bytes = (len as u64).saturating_mul(std::mem::size_of::<T>() as u64);
    crate::memory::check_available(op, bytes, &format!("{len} {what}"))?;
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::Unsupported {
        op,
        detail: format!(
            "cannot allocate {len} {what}: {bytes} bytes ({})",
            crate::memory::human(bytes)
        ),
    })?;
    Ok(v)
}

impl CsrMatrix {
    /// Builds a matrix from its CSR arrays (scipy `csr_matrix((data, indices, indptr),
    /// shape=(nrows, ncols))`), validating them. Column indices need not be sorted within a
    /// row; they are sorted and duplicates summed. The `f64` form of
    /// [`try_new`](CsrMatrix::try_new), which takes values of any real type.
    ///
    /// # Errors
    /// As [`try_new`](CsrMatrix::try_new).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::try_from_csr_data(1, 3, vec![0, 3], vec![2, 0, 2], vec![1.0, 5.0, 2.0])?;
    /// assert_eq!(m.indices(), &[0, 2]);
    /// assert_eq!(m.data(), &[5.0, 3.0]);
    /// let e = CsrMatrix::try_from_csr_data(1, 3, vec![0, 1], vec![3], vec![1.0]).unwrap_err();
    /// assert_eq!(e.to_string(), "csr_matrix: invalid indices: column index 3 (entry 0, row 0) is not below ncols = 3");
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn try_from_csr_data(
        nrows: usize,
        ncols: usize,
        indptr: Vec<usize>,
        indices: Vec<usize>,
        data: Vec<f64>,
    ) -> Result<Self> {
        Self::try_new(nrows, ncols, indptr, indices, data)
    }
}

impl<T: RealScalar> CsrMatrix<T> {
    /// Builds a matrix of `f32` or `f64` values from its CSR arrays (scipy
    /// `csr_matrix((data, indices, indptr), shape=(nrows, ncols))`), validating them. Column indices need not be sorted within a
    /// row; they are sorted and duplicates summed.
    ///
    /// # Errors
    /// [`Error::Shape`] if `indptr.len() != nrows + 1` or `indices` and `data` lengths differ
    /// from `indptr[nrows]`; [`Error::InvalidParameter`] if `indptr` does not start at 0 or
    /// decreases, or a column index is `>= ncols`; [`Error::Unsupported`] if a dimension
    /// exceeds [`MAX_DIM`].
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::try_new(1, 3, vec![0, 3], vec![2, 0, 2], vec![1.0f32, 5.0, 2.0])?;
    /// assert_eq!(m.indices(), &[0, 2]);
    /// assert_eq!(m.data(), &[5.0f32, 3.0]);
    /// let e = CsrMatrix::try_new(1, 3, vec![0, 1], vec![3], vec![1.0f32]).unwrap_err();
    /// assert_eq!(e.to_string(), "csr_matrix: invalid indices: column index 3 (entry 0, row 0) is not below ncols = 3");
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn try_new(
        nrows: usize,
        ncols: usize,
        mut indptr: Vec<usize>,
        mut indices: Vec<usize>,
        mut data: Vec<T>,
    ) -> Result<Self> {
        const OP: &str = "csr_matrix";
        check_dims(OP, nrows, ncols)?;
        if indptr.len() != nrows + 1 {
            return Err(Error::shape(
                OP,
                format!(
                    "indptr has length {}, expected nrows + 1 = {}",
                    indptr.len(),
                    nrows + 1
                ),
            ));
        }
        if indptr[0] != 0 {
            return Err(Error::param(
                OP,
                "indptr",
                format!("indptr[0] = {}, expected 0", indptr[0]),
            ));
        }
        if let Some(r) = indptr.windows(2).position(|w| w[1] < w[0]) {
            return Err(Error::param(
                OP,
                "indptr",
                format!(
                    "indptr decreases at row {r}: {} > {}",
                    indptr[r],
                    indptr[r + 1]
                ),
            ));
        }
        let nnz = indptr[nrows];
        if indices.len() != nnz || data.len() != nnz {
            return Err(Error::shape(
                OP,
                format!(
                    "indptr[-1] = {nnz} but indices has length {} and data {}",
                    indices.len(),
                    data.len()
                ),
            ));
        }
        if let Some(k) = indices.iter().position(|&c| c >= ncols) {
            let row = indptr.partition_point(|&p| p <= k) - 1;
            return Err(Error::param(
                OP,
                "indices",
                format!(
                    "column index {} (entry {k}, row {row}) is not below ncols = {ncols}",
                    indices[k]
                ),
            ));
        }
        canonicalize(&mut indptr, &mut indices, &mut data);
        Ok(CsrMatrix {
            nrows,
            ncols,
            indptr,
            indices,
            data,
        })
    }
}

impl CsrMatrix {
    /// Builds a matrix from coordinate triplets `(rows[k], cols[k], vals[k])` (scipy
    /// `coo_matrix((vals, (rows, cols)), shape).tocsr()`); duplicates are summed. Indices are
    /// 0-based.
    ///
    /// # Errors
    /// [`Error::Shape`] if the three slices differ in length; [`Error::InvalidParameter`]
    /// if an index is outside the shape; [`Error::Unsupported`] if a dimension exceeds
    /// [`MAX_DIM`].
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_triplets(2, 2, &[1, 0, 1], &[0, 1, 0], &[1.0, 2.0, 3.0])?;
    /// assert_eq!(m.to_dense()?, ndarray::array![[0.0, 2.0], [4.0, 0.0]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn from_triplets(
        nrows: usize,
        ncols: usize,
        rows: &[usize],
        cols: &[usize],
        vals: &[f64],
    ) -> Result<Self> {
        const OP: &str = "from_triplets";
        check_dims(OP, nrows, ncols)?;
        if rows.len() != cols.len() || rows.len() != vals.len() {
            return Err(Error::shape(
                OP,
                format!(
                    "rows, cols and vals must have the same length, got {}, {} and {}",
                    rows.len(),
                    cols.len(),
                    vals.len()
                ),
            ));
        }
        if let Some(k) = rows.iter().position(|&r| r >= nrows) {
            return Err(Error::param(
                OP,
                "rows",
                format!("rows[{k}] = {} is not below nrows = {nrows}", rows[k]),
            ));
        }
        if let Some(k) = cols.iter().position(|&c| c >= ncols) {
            return Err(Error::param(
                OP,
                "cols",
                format!("cols[{k}] = {} is not below ncols = {ncols}", cols[k]),
            ));
        }
        // Counting sort by row: O(nnz + nrows), with one array of row pointers (no copy of
        // it: a size line may declare 2·10⁸ rows, 1.6 GB of pointers, for two entries).
        let mut indptr = try_index_vec(OP, nrows + 1)?;
        for &r in rows {
            indptr[r + 1] += 1;
        }
        for r in 0..nrows {
            indptr[r + 1] += indptr[r];
        }
        let nnz = rows.len();
        let mut indices = try_with_capacity::<usize>(OP, nnz, "column indices")?;
        indices.resize(nnz, 0);
        let mut data = try_with_capacity::<f64>(OP, nnz, "values")?;
        data.resize(nnz, 0.0);
        // indptr[r] is the next free slot of row r; afterwards it is the end of row r, the
        // start of row r + 1, so one shift restores the row pointers.
        for k in 0..nnz {
            let slot = &mut indptr[rows[k]];
            indices[*slot] = cols[k];
            data[*slot] = vals[k];
            *slot += 1;
        }
        indptr.copy_within(0..nrows, 1);
        indptr[0] = 0;
        canonicalize(&mut indptr, &mut indices, &mut data);
        Ok(CsrMatrix {
            nrows,
            ncols,
            indptr,
            indices,
            data,
        })
    }

    /// [`from_triplets`](Self::from_triplets) over entries given in several pieces (the
    /// chunks of a parallel reader), in piece order: the same matrix as from the
    /// concatenation, built without concatenating (one counting pass over the pieces,
    /// duplicates summed in piece order).
    ///
    /// # Errors
    /// As [`from_triplets`](Self::from_triplets).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let a: (&[usize], &[usize], &[f64]) = (&[1, 0], &[0, 1], &[1.0, 2.0]);
    /// let b: (&[usize], &[usize], &[f64]) = (&[1], &[0], &[3.0]);
    /// let m = CsrMatrix::from_triplet_chunks(2, 2, &[a, b])?;
    /// assert_eq!(m, CsrMatrix::from_triplets(2, 2, &[1, 0, 1], &[0, 1, 0], &[1.0, 2.0, 3.0])?);
    /// assert_eq!(m.to_dense()?, ndarray::array![[0.0, 2.0], [4.0, 0.0]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn from_triplet_chunks(
        nrows: usize,
        ncols: usize,
        chunks: &[(&[usize], &[usize], &[f64])],
    ) -> Result<Self> {
        const OP: &str = "from_triplets";
        check_dims(OP, nrows, ncols)?;
        let mut before = 0usize;
        for &(rows, cols, vals) in chunks {
            if rows.len() != cols.len() || rows.len() != vals.len() {
                return Err(Error::shape(
                    OP,
                    format!(
                        "rows, cols and vals must have the same length, got {}, {} and {}",
                        rows.len(),
                        cols.len(),
                        vals.len()
                    ),
                ));
            }
            if let Some(k) = rows.iter().position(|&r| r >= nrows) {
                return Err(Error::param(
                    OP,
                    "rows",
                    format!(
                        "rows[{}] = {} is not below nrows = {nrows}",
                        before + k,
                        rows[k]
                    ),
                ));
            }
            if let Some(k) = cols.iter().position(|&c| c >= ncols) {
                return Err(Error::param(
                    OP,
                    "cols",
                    format!(
                        "cols[{}] = {} is not below ncols = {ncols}",
                        before + k,
                        cols[k]
                    ),
                ));
            }
            before += rows.len();
        }
        let nnz = before;
        let mut indptr = try_index_vec(OP, nrows + 1)?;
        for &(rows, _, _) in chunks {
            for &r in rows {
                indptr[r + 1] += 1;
            }
        }
        for r in 0..nrows {
            indptr[r + 1] += indptr[r];
        }
        let mut indices = try_with_capacity::<usize>(OP, nnz, "column indices")?;
        indices.resize(nnz, 0);
        let mut data = try_with_capacity::<f64>(OP, nnz, "values")?;
        data.resize(nnz, 0.0);
        for &(rows, cols, vals) in chunks {
            for k in 0..rows.len() {
                let slot = &mut indptr[rows[k]];
                indices[*slot] = cols[k];
                data[*slot] = vals[k];
                *slot += 1;
            }
        }
        indptr.copy_within(0..nrows, 1);
        indptr[0] = 0;
        canonicalize(&mut indptr, &mut indices, &mut data);
        Ok(CsrMatrix {
            nrows,
            ncols,
            indptr,
            indices,
            data,
        })
    }

    /// The matrix of CSR arrays whose rows hold their entries in input order, unsorted
    /// and possibly repeated: rows are sorted by column in parallel and duplicates summed in
    /// input order, as [`CsrMatrix::from_triplets`] does.
    ///
    /// `indptr` must be valid for `indices` and `data` (`nrows + 1` non-decreasing pointers
    /// from 0 to their common length) and every index below `ncols` (checked in debug
    /// builds).
    pub(crate) fn from_filled_rows(
        nrows: usize,
        ncols: usize,
        mut indptr: Vec<usize>,
        mut indices: Vec<usize>,
        mut data: Vec<f64>,
    ) -> CsrMatrix {
        debug_assert_eq!(indptr.len(), nrows + 1);
        debug_assert_eq!(indptr.last().copied(), Some(indices.len()));
        debug_assert_eq!(indices.len(), data.len());
        debug_assert!(indices.iter().all(|&c| c < ncols));
        if sort_rows_par(&indptr, &mut indices, &mut data) {
            canonicalize(&mut indptr, &mut indices, &mut data);
        }
        CsrMatrix {
            nrows,
            ncols,
            indptr,
            indices,
            data,
        }
    }
}

impl<T: RealScalar> CsrMatrix<T> {
    /// The sparse form of a dense matrix; exact zeros are not stored (NaN is).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_dense(ndarray::array![[0.0, 1.5], [0.0, 0.0]].view());
    /// assert_eq!(m.nnz(), 1);
    /// assert_eq!(m.shape(), (2, 2));
    /// ```
    #[must_use]
    pub fn from_dense(a: ArrayView2<'_, T>) -> Self {
        let (nrows, ncols) = a.dim();
        let mut indptr = Vec::with_capacity(nrows + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        indptr.push(0);
        for row in a.rows() {
            for (j, &v) in row.iter().enumerate() {
                if v != T::zero() {
                    indices.push(j);
                    data.push(v);
                }
            }
            indptr.push(indices.len());
        }
        CsrMatrix {
            nrows,
            ncols,
            indptr,
            indices,
            data,
        }
    }
}

impl CsrMatrix {
    /// The `n × n` identity matrix (scipy `sparse.identity(n, format="csr")`).
    ///
    /// # Examples
    /// ```
    /// let i = mlinalg::sparse::CsrMatrix::identity(3);
    /// assert_eq!(i.nnz(), 3);
    /// assert_eq!(i.sum(), 3.0);
    /// ```
    #[must_use]
    pub fn identity(n: usize) -> Self {
        CsrMatrix {
            nrows: n,
            ncols: n,
            indptr: (0..=n).collect(),
            indices: (0..n).collect(),
            data: vec![1.0; n],
        }
    }
}

impl<T: RealScalar> CsrMatrix<T> {
    /// The dense form (scipy `toarray()`).
    ///
    /// # Errors
    /// [`Error::Unsupported`] if `nrows × ncols` values cannot be allocated.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let d = CsrMatrix::identity(2).to_dense()?;
    /// assert_eq!(d, ndarray::array![[1.0, 0.0], [0.0, 1.0]]);
    /// let huge = CsrMatrix::from_triplets(1_000_000, 1_000_000, &[0], &[0], &[1.0])?;
    /// assert!(huge.to_dense().is_err());
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn to_dense(&self) -> Result<Array2<T>> {
        let mut out = try_zeros_of::<T>("to_dense", &[self.nrows, self.ncols])?
            .into_dimensionality::<Ix2>()
            .map_err(|e| Error::shape("to_dense", e.to_string()))?;
        for (i, mut row) in out.rows_mut().into_iter().enumerate() {
            let (cols, vals) = self.row(i);
            for (&j, &v) in cols.iter().zip(vals) {
                row[j] = v;
            }
        }
        Ok(out)
    }

    /// The column indices and values of row `i`.
    ///
    /// # Panics
    /// If `i >= nrows` (an internal helper contract; public callers use the accessors).
    pub(crate) fn row(&self, i: usize) -> (&[usize], &[T]) {
        let (s, e) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[s..e], &self.data[s..e])
    }

    /// Number of rows.
    #[must_use]
    pub fn nrows(&self) -> usize {
        self.nrows
    }

    /// Number of columns.
    #[must_use]
    pub fn ncols(&self) -> usize {
        self.ncols
    }

    /// `(nrows, ncols)`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(mlinalg::sparse::CsrMatrix::identity(4).shape(), (4, 4));
    /// ```
    #[must_use]
    pub fn shape(&self) -> (usize, usize) {
        (self.nrows, self.ncols)
    }

    /// Number of stored entries (explicit zeros included, as scipy's `nnz`).
    #[must_use]
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// The row pointers: `nrows + 1` offsets into [`indices`](Self::indices) and
    /// [`data`](Self::data).
    #[must_use]
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// The column index of each stored entry, increasing within each row.
    #[must_use]
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The value of each stored entry.
    #[must_use]
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The same matrix with its values converted to `U` (scipy `A.astype(np.float32)`):
    /// `f64` to `f32` rounds each value to nearest; `f32` to `f64` is exact. Entries that
    /// round to zero stay stored, as scipy keeps them.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let a = CsrMatrix::from_triplets(2, 2, &[0, 1], &[1, 0], &[0.1, 2.0])?;
    /// let s = a.astype::<f32>();
    /// assert_eq!(s.data(), &[0.1f32, 2.0]);
    /// assert_eq!((s.shape(), s.indices()), (a.shape(), a.indices()));
    /// assert_eq!(s.astype::<f64>().data(), &[f64::from(0.1f32), 2.0]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn astype<U: RealScalar>(&self) -> CsrMatrix<U> {
        CsrMatrix {
            nrows: self.nrows,
            ncols: self.ncols,
            indptr: self.indptr.clone(),
            indices: self.indices.clone(),
            data: self
                .data
                .iter()
                .map(|&v| <U as crate::Scalar>::from_f64(v.to_f64()))
                .collect(),
        }
    }
}

impl CsrMatrix {
    /// Whether scipy would store the index arrays as `int32`: it does when the shape and
    /// the number of entries all fit (`scipy.sparse._sputils.get_index_dtype`).
    fn int32_indices(&self) -> bool {
        self.nrows.max(self.ncols).max(self.nnz()) <= i32::MAX as usize
    }

    /// Bytes the matrix takes in scipy: `data` (8 bytes per entry) plus `indices` and
    /// `indptr` at 4 bytes each when scipy would use `int32` indices (shape and nnz below
    /// 2³¹), 8 bytes otherwise. This is `A.data.nbytes + A.indices.nbytes + A.indptr.nbytes`,
    /// the figure to compare with the dense size; this crate itself stores `usize` indices.
    ///
    /// # Examples
    /// ```
    /// let i = mlinalg::sparse::CsrMatrix::identity(10);
    /// assert_eq!(i.memory_bytes(), 10 * 8 + 10 * 4 + 11 * 4);
    /// assert_eq!(i.dense_memory_bytes(), 800);
    /// ```
    #[must_use]
    pub fn memory_bytes(&self) -> usize {
        let index_bytes = if self.int32_indices() { 4 } else { 8 };
        self.nnz()
            .saturating_mul(8)
            .saturating_add(self.nnz().saturating_mul(index_bytes))
            .saturating_add((self.nrows + 1).saturating_mul(index_bytes))
    }

    /// Bytes of the dense float64 form, `nrows × ncols × 8` (saturating at `usize::MAX`).
    #[must_use]
    pub fn dense_memory_bytes(&self) -> usize {
        self.nrows.saturating_mul(self.ncols).saturating_mul(8)
    }

    /// The rows `start..end` as a new matrix (scipy `A[start:end]`).
    ///
    /// # Errors
    /// [`Error::Shape`] unless `start <= end <= nrows`.
    ///
    /// # Examples
    /// ```
    /// let m = mlinalg::sparse::CsrMatrix::identity(4).slice_rows(1, 3)?;
    /// assert_eq!(m.shape(), (2, 4));
    /// assert_eq!(m.indices(), &[1, 2]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn slice_rows(&self, start: usize, end: usize) -> Result<CsrMatrix> {
        if start > end || end > self.nrows {
            return Err(Error::shape(
                "slice_rows",
                format!(
                    "rows {start}..{end} are not a range within the {} rows of a matrix of shape ({}, {})",
                    self.nrows, self.nrows, self.ncols
                ),
            ));
        }
        let (s, e) = (self.indptr[start], self.indptr[end]);
        Ok(CsrMatrix {
            nrows: end - start,
            ncols: self.ncols,
            indptr: self.indptr[start..=end].iter().map(|p| p - s).collect(),
            indices: self.indices[s..e].to_vec(),
            data: self.data[s..e].to_vec(),
        })
    }

    /// Number of entries `nrows × ncols` as `f64`, and whether some are implicit zeros.
    fn size_and_implicit_zeros(&self) -> (f64, bool) {
        let size = (self.nrows as u128) * (self.ncols as u128);
        (size as f64, (self.nnz() as u128) < size)
    }

    /// Sum of all entries (scipy `A.sum()`).
    ///
    /// # Examples
    /// ```
    /// let m = mlinalg::sparse::CsrMatrix::from_triplets(2, 2, &[0, 1], &[1, 1], &[2.0, -0.5])?;
    /// assert_eq!(m.sum(), 1.5);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn sum(&self) -> f64 {
        self.data.iter().sum()
    }

    /// Smallest entry, implicit zeros included (scipy `A.min()`); NaN if the matrix has no
    /// entries (scipy raises) or if any stored value is NaN (NumPy propagates NaN).
    ///
    /// # Examples
    /// ```
    /// let m = mlinalg::sparse::CsrMatrix::from_triplets(2, 2, &[0, 1], &[1, 1], &[2.0, 0.5])?;
    /// assert_eq!(m.min(), 0.0); // two implicit zeros
    /// assert_eq!(m.max(), 2.0);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn min(&self) -> f64 {
        self.extreme(f64::min)
    }

    /// Largest entry, implicit zeros included (scipy `A.max()`); NaN as for [`min`](Self::min).
    #[must_use]
    pub fn max(&self) -> f64 {
        self.extreme(f64::max)
    }

    fn extreme(&self, pick: fn(f64, f64) -> f64) -> f64 {
        let (size, implicit) = self.size_and_implicit_zeros();
        if size == 0.0 || self.data.iter().any(|v| v.is_nan()) {
            return f64::NAN;
        }
        let start = if implicit { Some(0.0) } else { None };
        self.data
            .iter()
            .copied()
            .fold(start, |acc, v| Some(acc.map_or(v, |a| pick(a, v))))
            .unwrap_or(f64::NAN)
    }

    /// Mean of all `nrows × ncols` entries, implicit zeros included (scipy `A.mean()`);
    /// NaN for a matrix with no entries.
    ///
    /// # Examples
    /// ```
    /// let m = mlinalg::sparse::CsrMatrix::identity(4);
    /// assert_eq!(m.mean(), 0.25);
    /// ```
    #[must_use]
    pub fn mean(&self) -> f64 {
        let (size, _) = self.size_and_implicit_zeros();
        if size == 0.0 {
            f64::NAN
        } else {
            self.sum() / size
        }
    }

    /// Per-column mean and variance (divided by `nrows`, ddof = 0), implicit zeros
    /// included: scikit-learn's `mean_variance_axis(A, axis=0)`, used for the explained
    /// variance ratio of a truncated SVD. Computed in two passes without densifying.
    ///
    /// Its three per-column arrays are allocated without a check: for a matrix read from
    /// an untrusted file use [`try_mean_variance_axis0`](Self::try_mean_variance_axis0),
    /// which returns an error instead of aborting when they do not fit in memory.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_dense(ndarray::array![[1.0, 0.0], [3.0, 2.0]].view());
    /// let (mean, var) = m.mean_variance_axis0();
    /// assert_eq!(mean, ndarray::array![2.0, 1.0]);
    /// assert_eq!(var, ndarray::array![1.0, 1.0]);
    /// ```
    #[must_use]
    pub fn mean_variance_axis0(&self) -> (Array1<f64>, Array1<f64>) {
        self.mean_variance_with(
            Array1::zeros(self.ncols),
            Array1::zeros(self.ncols),
            vec![0usize; self.ncols],
        )
    }

    /// [`mean_variance_axis0`](Self::mean_variance_axis0) with its three per-column
    /// arrays checked against the memory available first (a matrix may declare 2·10⁸
    /// columns for two entries).
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the arrays do not fit in memory.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let m = CsrMatrix::from_dense(ndarray::array![[1.0, 0.0], [3.0, 2.0]].view());
    /// assert_eq!(m.try_mean_variance_axis0()?, m.mean_variance_axis0());
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn try_mean_variance_axis0(&self) -> Result<(Array1<f64>, Array1<f64>)> {
        const OP: &str = "mean_variance_axis0";
        let n = self.ncols;
        crate::memory::check_available(
            OP,
            (n as u64).saturating_mul(24),
            &format!("the column means, variances and counts of {n} columns"),
        )?;
        let mut mean = try_with_capacity::<f64>(OP, n, "column means")?;
        mean.resize(n, 0.0);
        let mut var = try_with_capacity::<f64>(OP, n, "column variances")?;
        var.resize(n, 0.0);
        let mut count = try_with_capacity::<usize>(OP, n, "column counts")?;
        count.resize(n, 0);
        Ok(self.mean_variance_with(Array1::from_vec(mean), Array1::from_vec(var), count))
    }

    /// The mean and variance per column, accumulated in the given zeroed arrays.
    fn mean_variance_with(
        &self,
        mut mean: Array1<f64>,
        mut var: Array1<f64>,
        mut count: Vec<usize>,
    ) -> (Array1<f64>, Array1<f64>) {
        let n = self.nrows as f64;
        for (&j, &v) in self.indices.iter().zip(&self.data) {
            mean[j] += v;
            count[j] += 1;
        }
        mean.mapv_inplace(|s| s / n);
        // Σ (x − μ)² over stored entries, plus (nrows − stored) · μ² for the implicit zeros.
        for (&j, &v) in self.indices.iter().zip(&self.data) {
            let d = v - mean[j];
            var[j] += d * d;
        }
        for j in 0..self.ncols {
            let zeros = (self.nrows - count[j].min(self.nrows)) as f64;
            var[j] = (var[j] + zeros * mean[j] * mean[j]) / n;
        }
        (mean, var)
    }

    /// Writes the matrix in `scipy.sparse.save_npz` layout (compressed): entries `indices`,
    /// `indptr` (`int32` when they fit, else `int64`), `format` (`b'csr'`), `shape`
    /// (`int64`) and `data` (`float64`), readable by `scipy.sparse.load_npz`. Written to a
    /// temporary name and renamed into place.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be written.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let dir = std::env::temp_dir().join(format!("mlinalg-save-npz-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("m.npz");
    /// let m = CsrMatrix::from_triplets(2, 3, &[0, 1], &[2, 0], &[1.5, -2.0])?;
    /// m.save_npz(&path)?;
    /// assert_eq!(CsrMatrix::load_npz(&path)?, m);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn save_npz(&self, path: &Path) -> Result<()> {
        fn ints(values: &[usize], int32: bool) -> Vec<u8> {
            if int32 {
                // safe because int32_indices() checked every value fits
                values
                    .iter()
                    .flat_map(|&v| (v as i32).to_le_bytes())
                    .collect()
            } else {
                values
                    .iter()
                    .flat_map(|&v| (v as i64).to_le_bytes())
                    .collect()
            }
        }
        let int32 = self.int32_indices();
        let idx = if int32 { "<i4" } else { "<i8" };
        let shape: Vec<u8> = [self.nrows as i64, self.ncols as i64]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let data: Vec<u8> = self.data.iter().flat_map(|v| v.to_le_bytes()).collect();
        let entries = [
            NpzEntry {
                name: "indices.npy".into(),
                bytes: raw_npy_bytes(idx, &[self.nnz()], &ints(&self.indices, int32)),
            },
            NpzEntry {
                name: "indptr.npy".into(),
                bytes: raw_npy_bytes(idx, &[self.nrows + 1], &ints(&self.indptr, int32)),
            },
            NpzEntry {
                name: "format.npy".into(),
                bytes: raw_npy_bytes("|S3", &[], b"csr"),
            },
            NpzEntry {
                name: "shape.npy".into(),
                bytes: raw_npy_bytes("<i8", &[2], &shape),
            },
            NpzEntry {
                name: "data.npy".into(),
                bytes: raw_npy_bytes("<f8", &[self.nnz()], &data),
            },
        ];
        // scipy's save_npz compresses by default (np.savez_compressed).
        write_npz_entries(path, &entries, true)
    }

    /// Reads a `scipy.sparse.save_npz` file (compressed or not). CSR files are read as
    /// they are; CSC and COO files are converted. Values of any supported dtype are read
    /// as `f64`.
    ///
    /// # Errors
    /// [`Error::Format`] if an entry is missing or malformed, the format is not csr, csc or
    /// coo, or the arrays are inconsistent (e.g. an index outside the shape); [`Error::Io`]
    /// if the file cannot be read.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::sparse::CsrMatrix;
    /// let dir = std::env::temp_dir().join(format!("mlinalg-load-npz-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("i.npz");
    /// CsrMatrix::identity(3).save_npz(&path)?;
    /// assert_eq!(CsrMatrix::load_npz(&path)?.nnz(), 3);
    /// # std::fs::remove_dir_all(&dir).ok();
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn load_npz(path: &Path) -> Result<CsrMatrix> {
        let entries = read_npz_raw(path)?;
        let get = |name: &str| -> Result<&RawNpy> {
            entries
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, r)| r)
                .ok_or_else(|| {
                    Error::format(
                        path,
                        format!("not a scipy.sparse .npz file: no '{name}' array"),
                    )
                })
        };
        let format = get("format")?
            .to_text()
            .ok_or_else(|| Error::format(path, "'format' is not a string array"))?;
        let shape = get("shape")?.to_indices(path, "shape")?;
        let &[nrows, ncols] = shape.as_slice() else {
            return Err(Error::format(
                path,
                format!("'shape' has {} entries, expected 2", shape.len()),
            ));
        };
        if !matches!(format.as_str(), "csr" | "csc" | "coo") {
            return Err(Error::format(
                path,
                format!(
                    "scipy.sparse format '{}' is not supported (supported: csr, csc, coo)",
                    crate::error::escape_excerpt(&format)
                ),
            ));
        }
        let data = {
            let d = get("data")?.to_dense(&path.join("data.npy"))?.data;
            if d.ndim() != 1 {
                return Err(Error::format(path, "'data' is not a 1-d array"));
            }
            d.iter().copied().collect::<Vec<f64>>()
        };
        let fmt_err = |e: Error| Error::format(path, e.to_string());
        match format.as_str() {
            "csr" => {
                let indptr = get("indptr")?.to_indices(path, "indptr")?;
                let indices = get("indices")?.to_indices(path, "indices")?;
                CsrMatrix::try_from_csr_data(nrows, ncols, indptr, indices, data).map_err(fmt_err)
            }
            "csc" => {
                // The CSC arrays of A are the CSR arrays of Aᵀ.
                let indptr = get("indptr")?.to_indices(path, "indptr")?;
                let indices = get("indices")?.to_indices(path, "indices")?;
                CsrMatrix::try_from_csr_data(ncols, nrows, indptr, indices, data)
                    .map_err(fmt_err)?
                    .try_transpose()
            }
            "coo" => {
                // scipy writes the coordinates of a 2-d COO matrix as `row` and `col`.
                let row = get("row")?.to_indices(path, "row")?;
                let col = get("col")?.to_indices(path, "col")?;
                CsrMatrix::from_triplets(nrows, ncols, &row, &col, &data).map_err(fmt_err)
            }
            // safe because the format was checked above
            _ => Err(Error::format(
                path,
                format!(
                    "unexpected format '{}'",
                    crate::error::escape_excerpt(&format)
                ),
            )),
        }
    }
}
