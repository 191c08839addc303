//! [`Gram`]: the centred cross-product matrix of [X | Y], merged by the matrix form of
//! Chan's update.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};

use super::codec::{self, Head, Kind, tri};
use super::moments::check_block;
use crate::array::{check_finite, fmt_shape, try_zeros2};
use crate::error::{Error, Result};

const OP: &str = "gram";

/// The centred cross products `S = Σ (z − z̄)(z − z̄)ᵀ` of the rows z = [x | y] (features
/// then targets), their mean and count: `S / (n − 1)` is the covariance matrix, and the
/// blocks of S give exact PCA (the covariance-eigh solver) and linear/ridge regression
/// with an intercept (`Sxx w = Sxy`).
///
/// A block is centred by its own mean before its cross products are formed, and states
/// merge by `S = S_a + S_b + (n_a n_b / n) δ δᵀ` with `δ = z̄_b − z̄_a`, so a column with a
/// large mean and a small spread keeps its digits. The `d × d` matrix (`d = n_features +
/// n_targets`) is allocated on the first update; [`Gram::memory_bytes`] says how much that
/// is before any data are read.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::stream::Gram;
/// let x = array![[1.0, 0.0], [2.0, 1.0], [3.0, 0.0], [4.0, 1.0]];
/// let y = array![1.0, 3.0, 3.0, 5.0];
/// let mut g = Gram::with_targets(2, 1);
/// g.update_xy(x.slice(ndarray::s![..2, ..]), y.slice(ndarray::s![..2]))?;
/// let mut h = Gram::with_targets(2, 1);
/// h.update_xy(x.slice(ndarray::s![2.., ..]), y.slice(ndarray::s![2..]))?;
/// g.merge(&h)?;
/// let c = g.covariance(1.0)?;
/// assert!((c[[0, 0]] - 5.0 / 3.0).abs() < 1e-14);
/// let g2 = Gram::from_bytes(&g.to_bytes())?;
/// assert_eq!(g2.scatter(), g.scatter());
/// # Ok::<(), mlinalg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gram {
    n_features: usize,
    n_targets: usize,
    count: u64,
    mean: Array1<f64>,
    /// `d × d`, exactly symmetric; empty (0 × 0) until the first update when d > 0.
    scatter: Array2<f64>,
}

impl Gram {
    /// An empty state for `n_features` columns and no target (PCA, covariance).
    #[must_use]
    pub fn new(n_features: usize) -> Self {
        Gram::with_targets(n_features, 0)
    }

    /// An empty state for rows `[x | y]` with `n_targets` target columns after the
    /// `n_features` feature columns (regression).
    #[must_use]
    pub fn with_targets(n_features: usize, n_targets: usize) -> Self {
        Gram {
            n_features,
            n_targets,
            count: 0,
            mean: Array1::zeros(n_features.saturating_add(n_targets)),
            scatter: Array2::zeros((0, 0)),
        }
    }

    /// Bytes the state of `n_features + n_targets` columns holds once allocated (the
    /// `d × d` matrix and the mean), or `None` if that overflows.
    ///
    /// # Examples
    /// ```
    /// // 10⁶ features: 8 TB, far beyond any memory
    /// assert_eq!(mlinalg::stream::Gram::memory_bytes(1_000_000, 0), Some(8_000_008_000_000));
    /// ```
    #[must_use]
    pub fn memory_bytes(n_features: usize, n_targets: usize) -> Option<u64> {
        let d = n_features.checked_add(n_targets)? as u64;
        d.checked_mul(d)?.checked_add(d)?.checked_mul(8)
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

    /// Means of the features then the targets, `(d,)`.
    #[must_use]
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// The centred cross products S of [X | Y], `(d, d)` (zeros before any update).
    #[must_use]
    pub fn scatter(&self) -> Array2<f64> {
        if self.scatter.nrows() == self.dim() {
            self.scatter.clone()
        } else {
            Array2::zeros((self.dim(), self.dim()))
        }
    }

    /// A view of the allocated matrix (`None` before the first update).
    pub(crate) fn scatter_view(&self) -> Option<ArrayView2<'_, f64>> {
        (self.scatter.nrows() == self.dim() && self.dim() > 0).then(|| self.scatter.view())
    }

    /// The features' covariance matrix `Sxx / (count − ddof)`, `(n_features, n_features)`.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `count > ddof`.
    pub fn covariance(&self, ddof: f64) -> Result<Array2<f64>> {
        let dof = self.count as f64 - ddof;
        if dof <= 0.0 {
            return Err(Error::shape(
                OP,
                format!(
                    "covariance with ddof={ddof} needs more than {ddof} rows, got {}",
                    self.count
                ),
            ));
        }
        let p = self.n_features;
        let s = self.scatter();
        Ok(s.slice(s![..p, ..p]).mapv(|v| v / dof))
    }

    fn ensure_allocated(&mut self) -> Result<()> {
        let d = self.dim();
        if self.scatter.nrows() != d {
            self.scatter = alloc_state(OP, d, self.n_features)?;
        }
        Ok(())
    }

    /// Adds a block of rows `[x | y]` (`n_features + n_targets` columns, any layout).
    ///
    /// # Errors
    /// [`Error::Shape`] for another number of columns; [`Error::NonFinite`] on NaN/∞;
    /// [`Error::Unsupported`] if the `d × d` state cannot be allocated. The state is
    /// unchanged on error.
    pub fn update(&mut self, block: ArrayView2<'_, f64>) -> Result<()> {
        check_block(OP, block, self.dim())?;
        if block.nrows() == 0 {
            return Ok(());
        }
        // One pass over the block: the Gram kernel forms the cross products and column
        // sums of the rows minus a shift c as it packs them, and the centred scatter is
        // S_b = Σ (z − c)(z − c)ᵀ − n_b δ δᵀ with δ = z̄_b − c (the shifted-data algorithm).
        // c is the running mean (or, for the first block, its first row): within the
        // data's spread of the block mean, so δ δᵀ is small beside S_b and a column with a
        // large mean and a small spread keeps its digits, as when centring by z̄_b itself,
        // without a separate pass for z̄_b.
        // The d × d state is allocated (or refused) before any work; it joins `self` only
        // at the end, so that the state is unchanged on error.
        let fresh = if self.scatter.nrows() == self.dim() {
            None
        } else {
            Some(alloc_state(OP, self.dim(), self.n_features)?)
        };
        let shift: Vec<f64> = if self.count > 0 {
            self.mean.to_vec()
        } else {
            block.row(0).to_vec()
        };
        if !shift.iter().all(|v| v.is_finite()) {
            check_finite(OP, &block)?;
        }
        let g = crate::kernels::syrk::gram_shifted(block, Some(&shift));
        // A non-finite entry makes its column's sum non-finite; the exact check tells it
        // apart from an overflow of huge finite values.
        if !g.finite || !g.col_sums.iter().all(|v| v.is_finite()) {
            check_finite(OP, &block)?;
        }
        let nb = block.nrows() as f64;
        let delta = g.col_sums.mapv(|v| v / nb);
        let mean_b = Array1::from_shape_fn(shift.len(), |j| shift[j] + delta[j]);
        let mut s_b = g.xtx;
        let d = s_b.nrows();
        for i in 0..d {
            let wi = nb * delta[i];
            for j in 0..=i {
                let v = s_b[[i, j]] - wi * delta[j];
                s_b[[i, j]] = v;
                s_b[[j, i]] = v;
            }
        }
        if let Some(fresh) = fresh {
            self.scatter = fresh;
        }
        self.combine(block.nrows() as u64, mean_b.view(), s_b.view());
        Ok(())
    }

    /// Adds a block of features `x` and its single target `y` (a state built with
    /// `with_targets(n_features, 1)`), without copying them side by side first.
    ///
    /// # Errors
    /// As [`Gram::update`]; [`Error::Shape`] if `y.len() != x.nrows()` or the state does
    /// not have exactly one target.
    pub fn update_xy(&mut self, x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<()> {
        let block = join_xy(OP, x, y, self.n_features, self.n_targets)?;
        self.update(block.view())
    }

    /// Merges another state over the same columns (any order and grouping give the same
    /// result up to rounding).
    ///
    /// # Errors
    /// [`Error::Shape`] if the shapes differ; [`Error::Unsupported`] if the state cannot
    /// be allocated.
    pub fn merge(&mut self, other: &Gram) -> Result<()> {
        if (other.n_features, other.n_targets) != (self.n_features, self.n_targets) {
            return Err(Error::shape(
                OP,
                format!(
                    "cannot merge a state of {} features and {} targets into one of {} and {}",
                    other.n_features, other.n_targets, self.n_features, self.n_targets
                ),
            ));
        }
        let Some(s_b) = other.scatter_view() else {
            // nothing allocated: no rows, or no columns (then only the count matters)
            if self.dim() == 0 {
                self.count += other.count;
            }
            return Ok(());
        };
        self.ensure_allocated()?;
        self.combine(other.count, other.mean.view(), s_b);
        Ok(())
    }

    fn combine(&mut self, nb: u64, mean_b: ArrayView1<'_, f64>, s_b: ArrayView2<'_, f64>) {
        if nb == 0 {
            return;
        }
        if self.count == 0 {
            self.count = nb;
            self.mean.assign(&mean_b);
            self.scatter.assign(&s_b);
            return;
        }
        let na = self.count as f64;
        let n = na + nb as f64;
        let w = na * nb as f64 / n;
        let delta = &mean_b - &self.mean;
        let d = self.dim();
        for i in 0..d {
            let di = delta[i] * w;
            for j in 0..d {
                self.scatter[[i, j]] += s_b[[i, j]] + di * delta[j];
            }
        }
        self.mean.scaled_add(nb as f64 / n, &delta);
        self.count += nb;
    }

    /// The serialised state: header, mean, then the lower triangle of S by rows.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let d = self.dim();
        let mut packed = Vec::with_capacity(tri(d).unwrap_or(0));
        if let Some(s) = self.scatter_view() {
            for i in 0..d {
                packed.extend(s.row(i).iter().take(i + 1));
            }
        } else {
            packed.resize(tri(d).unwrap_or(0), 0.0);
        }
        let head = Head {
            n_features: self.n_features,
            n_targets: self.n_targets,
            count: self.count,
        };
        codec::encode(
            Kind::Gram,
            head,
            &[self.mean.as_slice().unwrap_or(&[]), &packed],
        )
    }

    /// Reads a state written by [`Gram::to_bytes`].
    ///
    /// # Errors
    /// [`Error::Format`] for anything but a valid serialised `Gram` (see [`Moments`]'s
    /// checks; also a negative diagonal).
    ///
    /// [`Moments`]: super::Moments
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (head, vals) = codec::decode(Kind::Gram, bytes, |f, t| {
            let d = f.checked_add(t)?;
            d.checked_add(tri(d)?)
        })?;
        let d = head.n_features + head.n_targets;
        let bad = |e: &str| Error::format("<Gram bytes>", format!("invalid serialised state: {e}"));
        let mut g = Gram::with_targets(head.n_features, head.n_targets);
        g.count = head.count;
        g.mean = Array1::from(vals[..d].to_vec());
        if head.count == 0 {
            if vals.iter().any(|&v| v != 0.0) {
                return Err(bad("non-zero values with a count of 0"));
            }
            return Ok(g);
        }
        if d > 0 {
            // the bytes are present, so the matrix is at most 4× their size
            let mut s = try_zeros2(OP, d, d)?;
            let mut k = d;
            for i in 0..d {
                for j in 0..=i {
                    s[[i, j]] = vals[k];
                    s[[j, i]] = vals[k];
                    k += 1;
                }
            }
            if s.diag().iter().any(|&v| v < 0.0) {
                return Err(bad("negative diagonal"));
            }
            g.scatter = s;
        }
        Ok(g)
    }
}

/// A zero `d × d` state, or an error that names the size and suggests the randomized
/// solver (n_features is the caller's width, d may add targets).
pub(crate) fn alloc_state(op: &'static str, d: usize, n_features: usize) -> Result<Array2<f64>> {
    try_zeros2(op, d, d).map_err(|_| Error::Unsupported {
        op,
        detail: format!(
            "a {d} × {d} state for {n_features} features needs {} bytes, more than the memory \
             available; use the randomized solver (its memory grows with n_features · \
             n_components, not n_features²)",
            (d as u128) * (d as u128) * 8
        ),
    })
}

/// `[x | y]` as one row-major block, checking the shapes.
pub(crate) fn join_xy(
    op: &'static str,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    n_features: usize,
    n_targets: usize,
) -> Result<Array2<f64>> {
    if n_targets != 1 {
        return Err(Error::shape(
            op,
            format!("update_xy needs a state with one target, this one has {n_targets}"),
        ));
    }
    if y.len() != x.nrows() || x.ncols() != n_features {
        return Err(Error::shape(
            op,
            format!(
                "x is {} and y is {}: expected (n, {n_features}) and (n,)",
                fmt_shape(x.shape()),
                fmt_shape(y.shape())
            ),
        ));
    }
    let mut b = Array2::zeros((x.nrows(), n_features + 1));
    b.slice_mut(s![.., ..n_features]).assign(&x);
    b.column_mut(n_features).assign(&y);
    Ok(b)
}
