//! [`Tsqr`]: the R factor of the centred [X | Y], merged by stacked QR (tall-skinny QR).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};

use super::codec::{self, Head, Kind, tri};
use super::gram::{alloc_state, join_xy};
use super::moments::{block_mean, check_block};
use crate::array::{check_finite, try_zeros2};
use crate::error::{Error, Result};
use crate::linalg::bridge;

const OP: &str = "tsqr";

/// The upper-triangular factor R of the QR decomposition of the centred rows
/// `[x | y] − mean`, their mean and count: `RᵀR` is the centred cross-product matrix of
/// [`Gram`](super::Gram), but R is computed by orthogonal transformations, so least
/// squares solved from it keep QR's accuracy (a design of condition number 10⁷ loses ~7
/// digits, not the normal equations' ~14).
///
/// Each block is centred by its own mean and stacked under the running R together with
/// the Chan correction row `√(n_a n_b / n) · δᵀ`; the R of that stack is the new R. Two
/// states merge the same way (`[R_a; R_b; √(n_a n_b / n) δᵀ]`). R's diagonal is made
/// non-negative after every step, so it is unique for data of full column rank and merge
/// order changes it only by rounding.
///
/// The uncentred factor (for fits without an intercept, and NumPy's `lstsq`) is the R of
/// `[R; √n · meanᵀ]`: [`Tsqr::r_uncentered`].
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::stream::Tsqr;
/// let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]];
/// let y = array![1.0, 3.0, 3.0, 5.0];
/// let mut t = Tsqr::with_targets(2, 1);
/// t.update_xy(x.view(), y.view())?;
/// let r = t.r();
/// // RᵀR is the centred cross product: Σ (x₀ − 2.5)² = 5
/// assert!(((r.t().dot(&r))[[0, 0]] - 5.0).abs() < 1e-13);
/// let back = Tsqr::from_bytes(&t.to_bytes())?;
/// assert_eq!(back.r(), r);
/// # Ok::<(), mlinalg::Error>(())
/// ```
///
/// # References
/// J. Demmel, L. Grigori, M. Hoemmen, J. Langou, *Communication-optimal parallel and
/// sequential QR and LU factorizations*, SIAM J. Sci. Comput. 34(1), 2012.
#[derive(Debug, Clone, PartialEq)]
pub struct Tsqr {
    n_features: usize,
    n_targets: usize,
    count: u64,
    mean: Array1<f64>,
    /// `d × d` upper triangular with a non-negative diagonal; 0 × 0 until the first update.
    r: Array2<f64>,
}

impl Tsqr {
    /// An empty state for `n_features` columns and no target.
    #[must_use]
    pub fn new(n_features: usize) -> Self {
        Tsqr::with_targets(n_features, 0)
    }

    /// An empty state for rows `[x | y]` with `n_targets` target columns.
    #[must_use]
    pub fn with_targets(n_features: usize, n_targets: usize) -> Self {
        Tsqr {
            n_features,
            n_targets,
            count: 0,
            mean: Array1::zeros(n_features.saturating_add(n_targets)),
            r: Array2::zeros((0, 0)),
        }
    }

    /// Bytes the state holds once allocated, plus the stacking workspace of an update of
    /// `block_rows` rows (a copy of the stack and faer's Householder factors), or `None`
    /// if that overflows.
    #[must_use]
    pub fn memory_bytes(n_features: usize, n_targets: usize, block_rows: usize) -> Option<u64> {
        let d = n_features.checked_add(n_targets)? as u64;
        let rows = (block_rows as u64).checked_add(d)?.checked_add(1)?;
        // R, the stacked block, and faer's column-major copy of it
        d.checked_mul(d)?
            .checked_add(rows.checked_mul(d)?.checked_mul(2)?)?
            .checked_mul(8)
    }

    /// The number of feature columns.
    #[must_use]
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The number of target columns.
    #[must_use]
    pub fn n_targets(&self) -> usize {
        self.n_targets
    }

    fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The number of rows seen.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Means of the features then the targets.
    #[must_use]
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// R of the centred `[X | Y]`, `(d, d)` upper triangular with a non-negative diagonal
    /// (zeros before any update).
    #[must_use]
    pub fn r(&self) -> Array2<f64> {
        if self.allocated() {
            self.r.clone()
        } else {
            Array2::zeros((self.dim(), self.dim()))
        }
    }

    fn allocated(&self) -> bool {
        self.r.nrows() == self.dim() && self.dim() > 0
    }

    /// R of the uncentred `[X | Y]`: the R factor of `[R; √count · meanᵀ]`.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if the workspace cannot be allocated.
    pub fn r_uncentered(&self) -> Result<Array2<f64>> {
        let d = self.dim();
        let mut st = try_zeros2(OP, d + 1, d)?;
        st.slice_mut(s![..d, ..]).assign(&self.r());
        let f = (self.count as f64).sqrt();
        st.row_mut(d).assign(&self.mean.mapv(|m| m * f));
        r_factor(st.view())
    }

    /// Singular values of the feature columns, descending: of the centred data, or of X
    /// itself (`centered = false`, those of NumPy's `lstsq`).
    ///
    /// # Errors
    /// [`Error::NoConvergence`] if the SVD fails.
    pub fn singular_values(&self, centered: bool) -> Result<Array1<f64>> {
        let r = if centered {
            self.r()
        } else {
            self.r_uncentered()?
        };
        let p = self.n_features;
        if p == 0 {
            return Ok(Array1::zeros(0));
        }
        bridge::singular_values(OP, &r.slice(s![..p, ..p]))
    }

    fn ensure_allocated(&mut self) -> Result<()> {
        let d = self.dim();
        if self.r.nrows() != d {
            self.r = alloc_state(OP, d, self.n_features)?;
        }
        Ok(())
    }

    /// Adds a block of rows `[x | y]` (`n_features + n_targets` columns, any layout).
    ///
    /// # Errors
    /// [`Error::Shape`] for another number of columns; [`Error::NonFinite`] on NaN/∞;
    /// [`Error::Unsupported`] if the workspace cannot be allocated. The state is
    /// unchanged on error.
    pub fn update(&mut self, block: ArrayView2<'_, f64>) -> Result<()> {
        let d = self.dim();
        check_block(OP, block, d)?;
        let b = block.nrows();
        if b == 0 {
            return Ok(());
        }
        check_finite(OP, &block)?;
        if d == 0 {
            self.count += b as u64;
            return Ok(());
        }
        self.ensure_allocated()?;
        let mean_b = block_mean(block);
        // R_b of the centred block (a tree of QRs over cache-sized pieces), then the QR of
        // [R; √w δᵀ; R_b], which is that of [R; √w δᵀ; block − mean_b]
        let r_b = centred_r(block, &mean_b)?;
        let delta = &mean_b - &self.mean;
        if self.count == 0 {
            self.r = r_b;
            self.advance_mean(b as u64, &delta);
            return Ok(());
        }
        let mut st = try_zeros2(OP, 2 * d + 1, d)?;
        st.slice_mut(s![..d, ..]).assign(&self.r);
        let (na, nb) = (self.count as f64, b as f64);
        let w = (na * nb / (na + nb)).sqrt();
        st.row_mut(d).assign(&delta.mapv(|v| v * w));
        st.slice_mut(s![d + 1.., ..]).assign(&r_b);
        let r = r_factor(st.view())?;
        self.r = r;
        self.advance_mean(b as u64, &delta);
        Ok(())
    }

    /// Adds features `x` and their single target `y` (a state with one target).
    ///
    /// # Errors
    /// As [`Tsqr::update`]; [`Error::Shape`] if the lengths differ or the state does not
    /// have exactly one target.
    pub fn update_xy(&mut self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<()> {
        let block = join_xy(OP, x, y, self.n_features, self.n_targets)?;
        self.update(block.view())
    }

    /// Merges another state over the same columns (any order and grouping give the same
    /// R up to rounding).
    ///
    /// # Errors
    /// [`Error::Shape`] if the shapes differ; [`Error::Unsupported`] on allocation failure.
    pub fn merge(&mut self, other: &Tsqr) -> Result<()> {
        if (other.n_features, other.n_targets) != (self.n_features, self.n_targets) {
            return Err(Error::shape(
                OP,
                format!(
                    "cannot merge a state of {} features and {} targets into one of {} and {}",
                    other.n_features, other.n_targets, self.n_features, self.n_targets
                ),
            ));
        }
        if other.count == 0 {
            return Ok(());
        }
        let d = self.dim();
        if d == 0 || self.count == 0 {
            self.count += other.count;
            self.mean.assign(&other.mean);
            self.r = other.r.clone();
            return Ok(());
        }
        let mut st = try_zeros2(OP, 2 * d + 1, d)?;
        st.slice_mut(s![..d, ..]).assign(&self.r);
        st.slice_mut(s![d..2 * d, ..]).assign(&other.r());
        let (na, nb) = (self.count as f64, other.count as f64);
        let w = (na * nb / (na + nb)).sqrt();
        let delta = &other.mean - &self.mean;
        st.row_mut(2 * d).assign(&delta.mapv(|v| v * w));
        self.r = r_factor(st.view())?;
        self.advance_mean(other.count, &delta);
        Ok(())
    }

    fn advance_mean(&mut self, nb: u64, delta: &Array1<f64>) {
        let n = self.count as f64 + nb as f64;
        self.mean.scaled_add(nb as f64 / n, delta);
        self.count += nb;
    }

    /// The serialised state: header, mean, then the upper triangle of R by rows.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let d = self.dim();
        let r = self.r();
        let mut packed = Vec::with_capacity(tri(d).unwrap_or(0));
        for i in 0..d {
            packed.extend(r.row(i).iter().skip(i));
        }
        let head = Head {
            n_features: self.n_features,
            n_targets: self.n_targets,
            count: self.count,
        };
        codec::encode(
            Kind::Tsqr,
            head,
            &[self.mean.as_slice().unwrap_or(&[]), &packed],
        )
    }

    /// Reads a state written by [`Tsqr::to_bytes`].
    ///
    /// # Errors
    /// [`Error::Format`] for anything but a valid serialised `Tsqr` (also a negative
    /// diagonal of R).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (head, vals) = codec::decode(Kind::Tsqr, bytes, |f, t| {
            let d = f.checked_add(t)?;
            d.checked_add(tri(d)?)
        })?;
        let d = head.n_features + head.n_targets;
        let bad = |e: &str| Error::format("<Tsqr bytes>", format!("invalid serialised state: {e}"));
        let mut t = Tsqr::with_targets(head.n_features, head.n_targets);
        t.count = head.count;
        t.mean = Array1::from(vals[..d].to_vec());
        if head.count == 0 {
            if vals.iter().any(|&v| v != 0.0) {
                return Err(bad("non-zero values with a count of 0"));
            }
            return Ok(t);
        }
        if d > 0 {
            let mut r = try_zeros2(OP, d, d)?;
            let mut k = d;
            for i in 0..d {
                for j in i..d {
                    r[[i, j]] = vals[k];
                    k += 1;
                }
            }
            if r.diag().iter().any(|&v| v < 0.0) {
                return Err(bad("negative diagonal of R"));
            }
            t.r = r;
        }
        Ok(t)
    }
}

/// Rows of the pieces [`centred_r`] factors directly: at least this many, and at least
/// four times the number of columns (so that merging two R factors, ~4d³ flops, costs a
/// fraction of factoring a piece, ~2·rows·d² flops); about a megabyte of `f64` at d = 100,
/// so a piece stays in the core's cache while faer factors it.
const LEAF_ROWS: usize = 1024;

/// The R factor (upper triangular, non-negative diagonal; [`r_factor`]) of `block − mean`
/// (every row minus `mean`), by a binary tree of Householder QRs: pieces of at most
/// 2 · max([`LEAF_ROWS`], 4d) rows are centred into a small buffer and factored on one
/// thread, and two halves' R factors are merged by the QR of `[R₁; R₂]`. The halves run in
/// parallel (rayon), and every factorization works in cache; one QR of the whole block
/// is memory-bound (each Householder panel streams every row).
fn centred_r(block: ArrayView2<'_, f64>, mean: &Array1<f64>) -> Result<Array2<f64>> {
    let (b, d) = block.dim();
    let leaf = LEAF_ROWS.max(4 * d);
    if b <= 2 * leaf {
        let fill = |st: &mut ndarray::ArrayViewMut2<'_, f64>| {
            let mut top = st.slice_mut(s![..b, ..]);
            top.assign(&block);
            top -= mean;
        };
        if let Some(r) = bridge::qr_r_leaf(b.max(d), d, fill) {
            return Ok(normalise_r(r));
        }
        let mut st = try_zeros2(OP, b.max(d), d)?;
        fill(&mut st.view_mut());
        return r_factor(st.view());
    }
    let half = b / 2;
    let (r1, r2) = rayon::join(
        || centred_r(block.slice(s![..half, ..]), mean),
        || centred_r(block.slice(s![half.., ..]), mean),
    );
    let (r1, r2) = (r1?, r2?);
    let fill = |st: &mut ndarray::ArrayViewMut2<'_, f64>| {
        st.slice_mut(s![..d, ..]).assign(&r1);
        st.slice_mut(s![d.., ..]).assign(&r2);
    };
    if let Some(r) = bridge::qr_r_leaf(2 * d, d, fill) {
        return Ok(normalise_r(r));
    }
    let mut st = try_zeros2(OP, 2 * d, d)?;
    fill(&mut st.view_mut());
    r_factor(st.view())
}

/// The `d × d` R factor (non-negative diagonal, C order) of a tall stack (`rows ≥ d`).
pub(crate) fn r_factor(st: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let (m, d) = st.dim();
    debug_assert!(m >= d, "r_factor needs a tall stack");
    let mut none = Array2::<f64>::zeros((m, 0));
    let r = match bridge::qr_apply_qt(&st, &mut none.view_mut()) {
        Some(r) => r,
        // entries far outside [2^-64, 2^64]: the rescaling QR
        None => crate::linalg::qr(st, crate::linalg::QrMode::Reduced)?.r,
    };
    Ok(normalise_r(r))
}

/// `r` in C order with its strict lower triangle zeroed and each row's sign flipped so
/// that the diagonal is non-negative (R of a QR is unique up to those signs).
fn normalise_r(r: Array2<f64>) -> Array2<f64> {
    let mut out = r.as_standard_layout().into_owned();
    for (i, mut row) in out.rows_mut().into_iter().enumerate() {
        for v in row.iter_mut().take(i) {
            *v = 0.0;
        }
        if row[i] < 0.0 {
            row.mapv_inplace(|v| -v);
        }
    }
    out
}
