//! Matrix norms of a [`CsrMatrix`] (SciPy `scipy.sparse.linalg.norm`).

use ndarray::{Array2, array, s};

use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::linalg::{NormOrd, QrMode, norm, qr};
use crate::sparse::CsrMatrix;
use crate::vector::l2_iter;

const OP: &str = "norm";

/// Up to this many entries (8 MiB of float64) a matrix is densified for the singular-value
/// norms, which then match the dense computation bit for bit.
const DENSE_LIMIT: usize = 1 << 20;
/// The largest small side `k = min(m, n)` for which the singular-value norms are computed
/// from R factors: each block QR works on at most `5k × k` values (40 MB at k = 1000).
const MAX_SIDE: usize = 1000;
/// The largest `rows × k²` (about the flop count of the block QRs, a few seconds) for which
/// the R factor is computed; beyond that the dense form is tried.
const MAX_WORK: f64 = 2e10;

impl CsrMatrix {
    /// The matrix norm of order `ord` (SciPy `scipy.sparse.linalg.norm(A, ord)`, NumPy
    /// `linalg.norm` of the dense matrix):
    ///
    /// | `ord` | norm |
    /// |---|---|
    /// | `None`, [`NormOrd::Fro`] | Frobenius, `√(Σ aᵢⱼ²)` (overflow-safe) |
    /// | [`NormOrd::Inf`] / [`NormOrd::NegInf`] | max / min row sum of \|aᵢⱼ\| |
    /// | `P(1.0)` / `P(-1.0)` | max / min column sum of \|aᵢⱼ\| |
    /// | `P(2.0)` / `P(-2.0)` / [`NormOrd::Nuc`] | largest / smallest / sum of the singular values |
    ///
    /// The first five read the stored entries only (implicit zeros add nothing). The
    /// singular-value norms densify a matrix of up to 2²⁰ entries; a larger one whose
    /// smaller side is at most 1000 gets them from the R factor of a blockwise QR of its
    /// non-zero rows (of Aᵀ when it is wide), which keeps the small singular values
    /// accurate (`P(-2.0)`); SciPy computes `2` with ARPACK and refuses `-2` and `nuc`.
    /// NaN entries give NaN, as NumPy's reductions do.
    ///
    /// # Errors
    /// [`Error::Empty`] for a matrix with no rows or no columns; [`Error::InvalidParameter`]
    /// for an order only vectors have (`0`, `3`, …), as the dense [`norm`];
    /// [`Error::Unsupported`] when a singular-value norm needs a dense form that cannot be
    /// allocated (`ord 2 needs the dense (m, n) matrix: …`).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::linalg::NormOrd;
    /// use mlinalg::sparse::CsrMatrix;
    /// // [[1, 0, -2], [0, 0, 0], [0, 3, 4]]
    /// let a = CsrMatrix::from_triplets(3, 3, &[0, 0, 2, 2], &[0, 2, 1, 2], &[1., -2., 3., 4.])?;
    /// assert_eq!(a.norm(None)?, 30f64.sqrt());              // 'fro'
    /// assert_eq!(a.norm(Some(NormOrd::Inf))?, 7.0);         // max row sum: |3| + |4|
    /// assert_eq!(a.norm(Some(NormOrd::NegInf))?, 0.0);      // the empty row
    /// assert_eq!(a.norm(Some(NormOrd::P(1.0)))?, 6.0);      // max column sum: |−2| + |4|
    /// assert_eq!(a.norm(Some(NormOrd::P(-1.0)))?, 1.0);
    /// let e = a.norm(Some(NormOrd::P(3.0))).unwrap_err();
    /// assert!(e.to_string().starts_with("norm: invalid ord: 3 is not a matrix norm order"));
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn norm(&self, ord: Option<NormOrd>) -> Result<f64> {
        let (m, n) = self.shape();
        if m == 0 || n == 0 {
            return Err(Error::Empty {
                op: OP,
                detail: format!("shape {}", fmt_shape(&[m, n])),
            });
        }
        let value = match ord {
            None | Some(NormOrd::Fro) => l2_iter(self.data.iter().copied()),
            Some(NormOrd::Inf) => extreme(self.row_abs_sums(), f64::max),
            Some(NormOrd::NegInf) => extreme(self.row_abs_sums(), f64::min),
            Some(NormOrd::P(1.0)) => extreme(self.col_abs_sums(), f64::max),
            Some(NormOrd::P(-1.0)) => extreme(self.col_abs_sums(), f64::min),
            Some(o @ (NormOrd::P(2.0) | NormOrd::P(-2.0) | NormOrd::Nuc)) => self.spectral(o)?,
            // An order only vectors have: the dense norm's error, from a 1 × 1 matrix (it
            // has no matrix semantics for any of these, so this is always an error).
            Some(o) => norm(&Array2::<f64>::zeros((1, 1)), Some(o))?,
        };
        // NumPy never returns −0.0 here, but a sum over an empty row does (Rust's f64 sum
        // starts from −0.0).
        Ok(if value == 0.0 { 0.0 } else { value })
    }

    /// Σⱼ |aᵢⱼ| for every row.
    fn row_abs_sums(&self) -> Vec<f64> {
        self.indptr
            .windows(2)
            .map(|w| self.data[w[0]..w[1]].iter().map(|x| x.abs()).sum())
            .collect()
    }

    /// Σᵢ |aᵢⱼ| for every column.
    fn col_abs_sums(&self) -> Vec<f64> {
        let mut sums = vec![0.0; self.ncols];
        for (&j, &x) in self.indices.iter().zip(&self.data) {
            sums[j] += x.abs();
        }
        sums
    }

    /// A singular-value norm (`2`, `-2`, `nuc`).
    fn spectral(&self, ord: NormOrd) -> Result<f64> {
        let (m, n) = self.shape();
        // Non-finite entries: the dense rules (NaN gives NaN; ±∞ gives ∞, or NaN for −2),
        // which the dense norm applies to a 1 × 1 matrix holding the culprit just the same.
        if self.data.iter().any(|v| v.is_nan()) {
            return norm(&array![[f64::NAN]], Some(ord));
        }
        if self.data.iter().any(|v| v.is_infinite()) {
            return norm(&array![[f64::INFINITY]], Some(ord));
        }
        let small = m.checked_mul(n).is_some_and(|len| len <= DENSE_LIMIT);
        if !small && m.min(n) <= MAX_SIDE {
            // Wide: the singular values of Aᵀ are those of A.
            let t;
            let tall = if n <= m {
                self
            } else {
                // checked: a wide matrix may declare 2·10⁸ columns for a few entries
                t = self.try_transpose()?;
                &t
            };
            let k = tall.ncols();
            let rows = tall.indptr.windows(2).filter(|w| w[1] > w[0]).count();
            if rows as f64 * (k * k) as f64 <= MAX_WORK {
                return norm(&tall.r_factor()?, Some(ord));
            }
        }
        let dense = self.to_dense().map_err(|e| {
            let detail = match e {
                Error::Unsupported { detail, .. } => detail,
                e => e.to_string(),
            };
            Error::Unsupported {
                op: OP,
                detail: format!(
                    "ord {ord} needs the dense {} matrix: {detail} (computed sparsely only \
                     when min(rows, columns) <= {MAX_SIDE})",
                    fmt_shape(&[m, n])
                ),
            }
        })?;
        norm(&dense, Some(ord))
    }

    /// A `k × k` matrix with the singular values of this tall matrix (`k` = its number of
    /// columns): the R factor of a QR factorization of its non-zero rows, zero rows padded.
    ///
    /// The rows are densified a block at a time and stacked under the R of the rows before
    /// (`[R; B] = Q' R'`, so `AᵀA = RᵀR` throughout). Unlike the Gram matrix `AᵀA`, this
    /// does not square the condition number, so small singular values (`-2`) stay accurate.
    fn r_factor(&self) -> Result<Array2<f64>> {
        let k = self.ncols;
        // Blocks several times taller than R keep the re-factoring of R a small overhead.
        let block = (4 * k).max(256);
        let (indptr, indices, data) = (&self.indptr, &self.indices, &self.data);
        let mut r = Array2::<f64>::zeros((0, k));
        let mut pending: Vec<usize> = Vec::with_capacity(block);
        let flush = |r: &Array2<f64>, pending: &mut Vec<usize>| -> Result<Array2<f64>> {
            let h = r.nrows();
            let mut stack = Array2::<f64>::zeros((h + pending.len(), k));
            stack.slice_mut(s![..h, ..]).assign(r);
            for (row, &i) in pending.iter().enumerate() {
                for p in indptr[i]..indptr[i + 1] {
                    stack[[h + row, indices[p]]] = data[p];
                }
            }
            pending.clear();
            Ok(qr(stack.view(), QrMode::Reduced)
                .map_err(|e| e.with_op(OP))?
                .r)
        };
        for i in 0..self.nrows {
            if indptr[i + 1] > indptr[i] {
                pending.push(i);
                if pending.len() == block {
                    r = flush(&r, &mut pending)?;
                }
            }
        }
        if !pending.is_empty() {
            r = flush(&r, &mut pending)?;
        }
        // Fewer non-zero rows than columns: the missing singular values are zeros.
        let mut square = Array2::<f64>::zeros((k, k));
        square.slice_mut(s![..r.nrows(), ..]).assign(&r);
        Ok(square)
    }
}

/// The max or min of `v`, NaN if any element is NaN (NumPy's propagation).
fn extreme(v: Vec<f64>, pick: fn(f64, f64) -> f64) -> f64 {
    if v.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    v.into_iter().reduce(pick).unwrap_or(f64::NAN)
}
