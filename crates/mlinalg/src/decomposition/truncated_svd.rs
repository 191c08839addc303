//! Truncated SVD without centring (latent semantic analysis): [`TruncatedSvd`] →
//! [`FittedTruncatedSvd`] (scikit-learn `sklearn.decomposition.TruncatedSVD`), on dense or
//! sparse (CSR) input.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use crate::array::{check_input, fmt_shape};
use crate::decomposition::randomized::{
    LinearOperator, PowerIterationNormalizer, RandomizedOptions, randomized_svd_impl,
};
use crate::decomposition::sign::{row_signs, scale_rows, svd_flip};
use crate::error::{Error, Result};
use crate::linalg::svd;
use crate::ops::matmul_2d;
use crate::scalar::{RealScalar, convert, widen};
use crate::sparse::CsrMatrix;

const OP: &str = "tsvd";

/// A fitted model with the transformed training data.
type Fit = (FittedTruncatedSvd, Array2<f64>);

/// How [`TruncatedSvd`] computes the decomposition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TruncatedSvdAlgorithm {
    /// Randomized SVD (Halko et al. 2011), scikit-learn's default `'randomized'`.
    #[default]
    Randomized,
    /// A full thin SVD, then truncation: exact, O(n·p·min(n, p)). Sparse input is
    /// densified for it. (scikit-learn has no such option; its `'arpack'` computes the same
    /// numbers iteratively. The transformed data are `U Σ`, as arpack's.)
    Exact,
}

/// TruncatedSVD configuration: consuming builder, then [`TruncatedSvd::fit`] (dense) or
/// [`TruncatedSvd::fit_sparse`] (CSR).
///
/// Defaults, as scikit-learn: `n_components = 2` ([`Default`], or `new(None)`),
/// [`TruncatedSvdAlgorithm::Randomized`], `n_iter = 5`, `n_oversamples = 10`,
/// [`PowerIterationNormalizer::Auto`] (LU, since `n_iter > 2`); `seed = 0`.
///
/// Differences from scikit-learn: no `'arpack'` (use [`TruncatedSvdAlgorithm::Exact`], which
/// allows `n_components = min(n_samples, n_features)` where ARPACK needs fewer); an
/// all-zero X gives ratios of 0 instead of NaN.
///
/// # References
/// N. Halko, P.-G. Martinsson, J. A. Tropp, *Finding structure with randomness*, SIAM
/// Review 53(2), 2011.
#[derive(Debug, Clone)]
pub struct TruncatedSvd {
    pub(crate) n_components: usize,
    pub(crate) algorithm: TruncatedSvdAlgorithm,
    pub(crate) n_iter: usize,
    pub(crate) n_oversamples: usize,
    pub(crate) normalizer: PowerIterationNormalizer,
    pub(crate) seed: u64,
}

/// A fitted truncated SVD: components, singular values, explained variances, `transform`.
///
/// `T` is the element type of the (dense) training data: `f64` (the default) or `f32`, as
/// scikit-learn keeps float32 attributes for float32 data. Sparse fits are `f64`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FittedTruncatedSvd<T: RealScalar = f64> {
    pub(crate) components: Array2<T>,
    pub(crate) singular_values: Array1<T>,
    pub(crate) explained_variance: Array1<T>,
    pub(crate) explained_variance_ratio: Array1<T>,
}

/// scikit-learn `TruncatedSVD`'s default `n_components`.
const DEFAULT_N_COMPONENTS: usize = 2;
/// scikit-learn `TruncatedSVD`'s default `n_iter` (PCA's `'auto'` rule is not used here).
const DEFAULT_N_ITER: usize = 5;

impl Default for TruncatedSvd {
    /// scikit-learn's `TruncatedSVD()`: 2 components, randomized, 5 power iterations.
    fn default() -> Self {
        TruncatedSvd::new(None)
    }
}

impl TruncatedSvd {
    /// A truncated SVD keeping `n_components` components (scikit-learn's `n_components`):
    /// a number, or `None` for scikit-learn's default, 2.
    ///
    /// Takes `2`, `Some(2)` or `None` alike, as [`Pca::new`] does (whose `None` is all
    /// components: each `None` is its estimator's scikit-learn default).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
    /// let x = array![[3.0f64, 0., 0.], [0., 2., 0.], [0., 0., 1.]];
    /// let t = TruncatedSvd::new(2).algorithm(TruncatedSvdAlgorithm::Exact).fit(x.view())?;
    /// assert!((t.singular_values()[0] - 3.0).abs() < 1e-12);
    /// assert!((t.components()[[1, 1]] - 1.0).abs() < 1e-12);
    /// assert_eq!(TruncatedSvd::new(Some(2)).fit(x.view())?, TruncatedSvd::new(2).fit(x.view())?);
    /// assert_eq!(TruncatedSvd::new(None).fit(x.view())?.n_components(), 2);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    ///
    /// [`Pca::new`]: crate::decomposition::Pca::new
    #[must_use]
    pub fn new(n_components: impl Into<Option<usize>>) -> Self {
        TruncatedSvd {
            n_components: n_components.into().unwrap_or(DEFAULT_N_COMPONENTS),
            algorithm: TruncatedSvdAlgorithm::Randomized,
            n_iter: DEFAULT_N_ITER,
            n_oversamples: 10,
            normalizer: PowerIterationNormalizer::Auto,
            seed: 0,
        }
    }

    /// Chooses the algorithm, scikit-learn's `algorithm` (default
    /// [`TruncatedSvdAlgorithm::Randomized`]).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
    /// let x = array![[1.0f64, 1., 0.], [2., 2., 0.], [0., 0., 1.]];
    /// let exact = TruncatedSvd::new(1).algorithm(TruncatedSvdAlgorithm::Exact).fit(x.view())?;
    /// assert!((exact.singular_values()[0] - 10f64.sqrt()).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn algorithm(mut self, a: TruncatedSvdAlgorithm) -> Self {
        self.algorithm = a;
        self
    }

    /// Power iterations of the randomized solver, scikit-learn's `n_iter`: a number, or
    /// `None` for scikit-learn's default, 5.
    ///
    /// Takes `5`, `Some(5)` or `None` alike, as [`Pca::n_iter`] does (whose `None` is
    /// scikit-learn PCA's `'auto'`).
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::TruncatedSvd;
    /// let x = Array2::from_shape_fn((30, 6), |(i, j)| ((i + 2 * j) % 5) as f64);
    /// let fit = |t: TruncatedSvd| t.fit(x.view());
    /// assert_eq!(fit(TruncatedSvd::new(2).n_iter(None))?, fit(TruncatedSvd::new(2).n_iter(5))?);
    /// assert_eq!(fit(TruncatedSvd::new(2).n_iter(Some(3)))?, fit(TruncatedSvd::new(2).n_iter(3))?);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    ///
    /// [`Pca::n_iter`]: crate::decomposition::Pca::n_iter
    #[must_use]
    pub fn n_iter(mut self, n: impl Into<Option<usize>>) -> Self {
        self.n_iter = n.into().unwrap_or(DEFAULT_N_ITER);
        self
    }

    /// Seed of the randomized solver (default 0), in place of scikit-learn's
    /// `random_state`: the same seed gives the same model (numbers differ from
    /// scikit-learn's for the same value, whose generator is NumPy's).
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::TruncatedSvd;
    /// let x = Array2::from_shape_fn((30, 6), |(i, j)| ((i + 2 * j) % 5) as f64);
    /// assert_eq!(TruncatedSvd::new(2).seed(9).fit(x.view())?, TruncatedSvd::new(2).seed(9).fit(x.view())?);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[doc(alias = "random_state")]
    #[must_use]
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }

    /// Extra random vectors of the randomized solver, scikit-learn's `n_oversamples`
    /// (default 10).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::TruncatedSvd;
    /// let x = array![[1.0f64, 1., 0.], [2., 2., 0.], [0., 0., 1.]];
    /// let t = TruncatedSvd::new(1).n_oversamples(2).fit(x.view())?;
    /// assert!((t.singular_values()[0] - 10f64.sqrt()).abs() < 1e-10);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn n_oversamples(mut self, n: usize) -> Self {
        self.n_oversamples = n;
        self
    }

    /// Normalisation of the power iterations, scikit-learn's
    /// `power_iteration_normalizer` (default [`PowerIterationNormalizer::Auto`]).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{PowerIterationNormalizer, TruncatedSvd};
    /// let x = array![[1.0f64, 1., 0.], [2., 2., 0.], [0., 0., 1.]];
    /// let t = TruncatedSvd::new(1)
    ///     .power_iteration_normalizer(PowerIterationNormalizer::Qr)
    ///     .fit(x.view())?;
    /// assert!((t.singular_values()[0] - 10f64.sqrt()).abs() < 1e-10);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn power_iteration_normalizer(mut self, p: PowerIterationNormalizer) -> Self {
        self.normalizer = p;
        self
    }

    /// Fits a dense `x` (n_samples, n_features) of `f64` or `f32`; the model keeps `x`'s
    /// element type (`f32` data are decomposed in `f64`, the attributes rounded). No
    /// centring: for centred data use [`Pca`](crate::decomposition::Pca).
    ///
    /// Components are signed with scikit-learn's `svd_flip(u_based_decision=False)` (the
    /// largest-|·| entry of each component is positive). Explained variances are those of
    /// the transformed columns with `ddof = 0` (NumPy `var`, as scikit-learn), and the ratio
    /// divides by the summed column variances of `x`.
    ///
    /// # Errors
    /// [`Error::Empty`]; [`Error::NonFinite`]; [`Error::Shape`] for fewer than 2 features
    /// (scikit-learn's `ensure_min_features=2`); [`Error::InvalidParameter`] unless
    /// `1 ≤ n_components ≤ n_features` (randomized; as scikit-learn, at most
    /// `min(n_samples, n_features)` components come back) or
    /// `1 ≤ n_components ≤ min(n_samples, n_features)` (exact); [`Error::NoConvergence`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::TruncatedSvd;
    /// let x = array![[1.0f64, 1., 0.], [2., 2., 0.], [0., 0., 1.]];
    /// let t = TruncatedSvd::new(1).fit(x.view())?;
    /// assert!((t.singular_values()[0] - 10f64.sqrt()).abs() < 1e-10);
    /// let z = t.transform(x.view())?;
    /// assert!((z[[1, 0]] - 8f64.sqrt()).abs() < 1e-10);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit<T: RealScalar>(&self, x: ArrayView2<'_, T>) -> Result<FittedTruncatedSvd<T>> {
        Ok(self.fit_transform(x)?.0)
    }

    /// Fits a dense `x` and returns the transformed training data too, `(model, X_new)`
    /// (scikit-learn `fit_transform`): `X Vᵀ` for the randomized solver, `U Σ` for the exact
    /// one.
    ///
    /// # Errors
    /// As [`fit`](Self::fit).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::TruncatedSvd;
    /// let x = array![[1.0f64, 0.], [0., 2.], [0., 0.]];
    /// let (t, z) = TruncatedSvd::new(1).fit_transform(x.view())?;
    /// assert!((z[[1, 0]] - 2.0).abs() < 1e-12 && z[[0, 0]].abs() < 1e-12);
    /// assert_eq!(t.n_components(), 1);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_transform<T: RealScalar>(
        &self,
        x: ArrayView2<'_, T>,
    ) -> Result<(FittedTruncatedSvd<T>, Array2<T>)> {
        check_input(OP, &x)?;
        let x = widen(x);
        let x = x.view();
        let full_var = column_variances(x).sum();
        let (model, z) = match self.algorithm {
            TruncatedSvdAlgorithm::Exact => self.fit_exact(x, full_var),
            TruncatedSvdAlgorithm::Randomized => self.fit_randomized(&x, full_var),
        }?;
        Ok((model.into_precision(), convert(z)))
    }

    /// Fits a sparse `x` (CSR) without densifying it for [`TruncatedSvdAlgorithm::Randomized`]: the
    /// randomized solver only multiplies X and Xᵀ by dense blocks, and the column variances
    /// for the explained-variance ratio are computed from the stored entries (scikit-learn
    /// `mean_variance_axis`). [`TruncatedSvdAlgorithm::Exact`] densifies (a full SVD needs it).
    ///
    /// # Errors
    /// As [`fit`](Self::fit); [`Error::Unsupported`] if `Exact` cannot allocate the dense copy.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::decomposition::TruncatedSvd;
    /// use mlinalg::sparse::CsrMatrix;
    /// let x = CsrMatrix::from_triplets(3, 3, &[0, 1, 2], &[0, 1, 2], &[3.0, 2.0, 1.0])?;
    /// let t = TruncatedSvd::new(2).fit_sparse(&x)?;
    /// assert!((t.singular_values()[0] - 3.0).abs() < 1e-10);
    /// assert!((t.singular_values()[1] - 2.0).abs() < 1e-10);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_sparse<T: RealScalar>(&self, x: &CsrMatrix<T>) -> Result<FittedTruncatedSvd<T>> {
        Ok(self.fit_transform_sparse(x)?.0)
    }

    /// [`fit_sparse`](Self::fit_sparse), also returning the (dense) transformed training
    /// data `(model, X_new)`.
    ///
    /// # Errors
    /// As [`fit_sparse`](Self::fit_sparse).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::decomposition::TruncatedSvd;
    /// use mlinalg::sparse::CsrMatrix;
    /// let x = CsrMatrix::from_triplets(3, 2, &[0, 1], &[0, 1], &[1.0, 2.0])?;
    /// let (_, z) = TruncatedSvd::new(1).fit_transform_sparse(&x)?;
    /// assert_eq!(z.dim(), (3, 1));
    /// assert!((z[[1, 0]] - 2.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_transform_sparse<T: RealScalar>(
        &self,
        x: &CsrMatrix<T>,
    ) -> Result<(FittedTruncatedSvd<T>, Array2<T>)> {
        // A float32 matrix is fitted in double precision, as dense float32 input is (see
        // `fit`), and the results are rounded once to float32 (scikit-learn keeps the
        // input's dtype).
        let wide;
        let x64: &CsrMatrix = match (x as &dyn std::any::Any).downcast_ref::<CsrMatrix>() {
            Some(x) => x,
            None => {
                wide = x.astype::<f64>();
                &wide
            }
        };
        let (model, z) = self.fit_transform_sparse_f64(x64)?;
        Ok((model.into_precision(), convert(z)))
    }

    fn fit_transform_sparse_f64(&self, x: &CsrMatrix) -> Result<Fit> {
        let (m, n) = (x.nrows(), x.ncols());
        if m == 0 || n == 0 {
            return Err(Error::Empty {
                op: OP,
                detail: format!("shape {}", fmt_shape(&[m, n])),
            });
        }
        crate::array::check_finite(OP, &ndarray::ArrayView1::from(x.data()))?;
        let full_var = x
            .try_mean_variance_axis0()
            .map_err(|e| match e {
                Error::Unsupported { detail, .. } => Error::Unsupported { op: OP, detail },
                e => e,
            })?
            .1
            .sum();
        match self.algorithm {
            TruncatedSvdAlgorithm::Exact => {
                self.check_k((m, n))?;
                if m.saturating_mul(n) <= EXACT_DENSE_MAX {
                    let dense = x.to_dense()?;
                    self.fit_exact(dense.view(), full_var)
                } else {
                    self.fit_exact_sparse(x, full_var)
                }
            }
            TruncatedSvdAlgorithm::Randomized => self.fit_randomized(x, full_var),
        }
    }

    /// scikit-learn's checks: at least 2 features (`ensure_min_features=2`), then
    /// `1 ≤ n_components ≤ n_features` for the randomized solver (which returns
    /// `min(n_components, n_samples, n_features)` components) and
    /// `1 ≤ n_components ≤ min(n_samples, n_features)` for the exact one. Returns the number
    /// of components the fit returns.
    pub(crate) fn check_k(&self, shape: (usize, usize)) -> Result<usize> {
        let (m, n) = shape;
        if n < 2 {
            return Err(Error::shape(
                OP,
                format!(
                    "found {n} feature(s) (shape {}) while a minimum of 2 is required",
                    fmt_shape(&[m, n])
                ),
            ));
        }
        let (kmax, what) = match self.algorithm {
            TruncatedSvdAlgorithm::Exact => (m.min(n), "min(n_samples, n_features)"),
            TruncatedSvdAlgorithm::Randomized => (n, "n_features"),
        };
        if self.n_components == 0 || self.n_components > kmax {
            return Err(Error::param(
                OP,
                "n_components",
                format!(
                    "n_components={} must be between 1 and {what}={kmax}",
                    self.n_components
                ),
            ));
        }
        Ok(self.n_components.min(m).min(n))
    }

    fn fit_exact(&self, x: ArrayView2<'_, f64>, full_var: f64) -> Result<Fit> {
        let k = self.check_k(x.dim())?;
        let mut f = svd(x, false).map_err(|e| e.with_op(OP))?;
        svd_flip(&mut f.u, &mut f.vt, false);
        // X_new = U Σ for the exact solver (X V = U Σ Vᵀ V = U Σ exactly).
        let z = &f.u.slice(s![.., ..k]) * &f.s.slice(s![..k]);
        let model = finish(
            f.vt.slice(s![..k, ..]).to_owned(),
            f.s.slice(s![..k]).to_owned(),
            &z,
            full_var,
        );
        Ok((model, z))
    }

    /// The exact solver on a large sparse `x`, never densified: Golub–Kahan–Lanczos
    /// bidiagonalization with full reorthogonalization until the leading residuals are
    /// below 1e-14 · σ₁ (the role of scikit-learn's ARPACK `svds`).
    fn fit_exact_sparse(&self, x: &CsrMatrix, full_var: f64) -> Result<Fit> {
        let k = self.check_k(x.shape())?;
        let (s, vt) = crate::decomposition::lanczos::leading_svd(OP, x, k, self.seed)
            .map_err(|e| e.with_op(OP))?;
        flip_and_transform(x, s, vt, full_var)
    }

    fn fit_randomized(&self, x: &dyn LinearOperator, full_var: f64) -> Result<Fit> {
        let k = self.check_k(x.shape())?;
        let opts = RandomizedOptions {
            n_oversamples: self.n_oversamples,
            n_iter: Some(self.n_iter),
            normalizer: self.normalizer,
            transpose: None,
            seed: self.seed,
            // the transform is X Vᵀ, recomputed from X: U is not used
            want_u: false,
        };
        let f = randomized_svd_impl(OP, x, k, &opts)?;
        flip_and_transform(x, f.s, f.vt, full_var)
    }
}

/// The common end of the iterative fits: `svd_flip(u_based_decision=False)` (the signs come
/// from Vᵀ alone), then the transform `X Vᵀ` recomputed from X (scikit-learn: "As a result
/// of the SVD approximation error on X ~ U Σ Vᵀ, X V is not the same as U Σ").
fn flip_and_transform(
    x: &dyn LinearOperator,
    s: Array1<f64>,
    mut vt: Array2<f64>,
    full_var: f64,
) -> Result<Fit> {
    let signs = row_signs(vt.view());
    scale_rows(&mut vt, &signs);
    let z = x.dot_dense(vt.t())?;
    Ok((finish(vt, s, &z, full_var), z))
}

/// Largest sparse input (`n_samples · n_features` cells, 32 MiB dense) that the exact solver
/// densifies for a LAPACK-style SVD; above it, it iterates on the sparse matrix.
const EXACT_DENSE_MAX: usize = 1 << 22;

/// Per-column variance with `ddof = 0` (NumPy `var(axis=0)`), two-pass for accuracy.
fn column_variances(x: ArrayView2<'_, f64>) -> Array1<f64> {
    let n = x.nrows() as f64;
    // safe because callers reject empty input first; an empty x would give NaN means
    let mean = x
        .mean_axis(Axis(0))
        .unwrap_or_else(|| Array1::zeros(x.ncols()));
    let mut var = Array1::<f64>::zeros(x.ncols());
    for row in x.rows() {
        for ((v, &xi), &m) in var.iter_mut().zip(row.iter()).zip(mean.iter()) {
            let d = xi - m;
            *v += d * d;
        }
    }
    var / n
}

/// Assembles the fitted model: explained variance = `np.var(X_new, axis=0)` (ddof 0, as
/// scikit-learn), ratio over the total column variance of X.
fn finish(
    components: Array2<f64>,
    singular_values: Array1<f64>,
    z: &Array2<f64>,
    full_var: f64,
) -> FittedTruncatedSvd {
    let explained_variance = column_variances(z.view());
    // All-zero X: no variance to explain; scikit-learn gives NaN (0/0), we give 0.
    let explained_variance_ratio = if full_var > 0.0 {
        explained_variance.mapv(|v| v / full_var)
    } else {
        Array1::zeros(explained_variance.len())
    };
    FittedTruncatedSvd {
        components,
        singular_values,
        explained_variance,
        explained_variance_ratio,
    }
}

impl<T: RealScalar> FittedTruncatedSvd<T> {
    /// The same model in another element type (`f32` ↔ `f64`; moved as it is when `U` is
    /// `T`).
    #[must_use]
    pub fn into_precision<U: RealScalar>(self) -> FittedTruncatedSvd<U> {
        FittedTruncatedSvd {
            components: convert(self.components),
            singular_values: convert(self.singular_values),
            explained_variance: convert(self.explained_variance),
            explained_variance_ratio: convert(self.explained_variance_ratio),
        }
    }

    /// Right singular vectors as rows, (n_components, n_features); the largest-|·| entry of
    /// each row is positive.
    #[must_use]
    pub fn components(&self) -> &Array2<T> {
        &self.components
    }

    /// The top singular values of X, descending.
    #[must_use]
    pub fn singular_values(&self) -> &Array1<T> {
        &self.singular_values
    }

    /// Variance (ddof 0) of each column of the transformed training data.
    #[must_use]
    pub fn explained_variance(&self) -> &Array1<T> {
        &self.explained_variance
    }

    /// [`explained_variance`](Self::explained_variance) over the summed variance (ddof 0)
    /// of X's columns. Since X is not centred the ratios need not decrease.
    #[must_use]
    pub fn explained_variance_ratio(&self) -> &Array1<T> {
        &self.explained_variance_ratio
    }

    /// The number of components.
    #[must_use]
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    fn check_features(&self, op: &'static str, shape: &[usize]) -> Result<()> {
        if shape[1] != self.components.ncols() {
            return Err(Error::shape(
                op,
                format!(
                    "x has {} features, the model was fitted on {}: got shape {}",
                    shape[1],
                    self.components.ncols(),
                    fmt_shape(shape)
                ),
            ));
        }
        Ok(())
    }

    /// `X Vᵀ`: (n, n_features) → (n, n_components) (scikit-learn `transform`; no centring).
    ///
    /// # Errors
    /// [`Error::Shape`] on a feature-count mismatch; [`Error::NonFinite`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
    /// let x = array![[2.0f64, 0.], [0., 1.]];
    /// let t = TruncatedSvd::new(1).algorithm(TruncatedSvdAlgorithm::Exact).fit(x.view())?;
    /// assert_eq!(t.transform(array![[5., 7.]].view())?, array![[5.]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn transform(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>> {
        const TOP: &str = "tsvd_transform";
        self.check_features(TOP, x.shape())?;
        crate::array::check_finite(TOP, &x)?;
        matmul_2d(x, self.components.t())
    }

    /// `Z V`: back to feature space (scikit-learn `inverse_transform`), (n, n_features).
    ///
    /// # Errors
    /// [`Error::Shape`] unless `z` has n_components columns; [`Error::NonFinite`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
    /// let x = array![[2.0f64, 0.], [0., 1.]];
    /// let t = TruncatedSvd::new(2).algorithm(TruncatedSvdAlgorithm::Exact).fit(x.view())?;
    /// let back = t.inverse_transform(t.transform(x.view())?.view())?;
    /// assert!((back - &x).iter().all(|d| d.abs() < 1e-12));
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn inverse_transform(&self, z: ArrayView2<'_, T>) -> Result<Array2<T>> {
        const IOP: &str = "tsvd_inverse_transform";
        if z.ncols() != self.n_components() {
            return Err(Error::shape(
                IOP,
                format!(
                    "z has {} columns, expected n_components={}: got shape {}",
                    z.ncols(),
                    self.n_components(),
                    fmt_shape(z.shape())
                ),
            ));
        }
        crate::array::check_finite(IOP, &z)?;
        matmul_2d(z, self.components.view())
    }
}

impl<T: RealScalar> FittedTruncatedSvd<T> {
    /// `X Vᵀ` for a sparse `x` (CSR), a sparse × dense product: X is never
    /// densified. A float32 model transforms a float32 matrix in single precision (the
    /// CSR kernels' float32 path), as scikit-learn does.
    ///
    /// # Errors
    /// [`Error::Shape`] on a feature-count mismatch; [`Error::NonFinite`].
    ///
    /// # Examples
    /// ```
    /// use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
    /// use mlinalg::sparse::CsrMatrix;
    /// let x = CsrMatrix::from_triplets(2, 2, &[0, 1], &[0, 1], &[2.0, 1.0])?;
    /// let t = TruncatedSvd::new(1).algorithm(TruncatedSvdAlgorithm::Exact).fit_sparse(&x)?;
    /// assert_eq!(t.transform_sparse(&x)?, ndarray::array![[2.], [0.]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn transform_sparse(&self, x: &CsrMatrix<T>) -> Result<Array2<T>> {
        const TOP: &str = "tsvd_transform";
        self.check_features(TOP, &[x.nrows(), x.ncols()])?;
        crate::array::check_finite(TOP, &ndarray::ArrayView1::from(x.data()))?;
        x.dot_dense(self.components.t())
    }
}
