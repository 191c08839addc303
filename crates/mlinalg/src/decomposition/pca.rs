//! Principal component analysis: [`Pca`] (configuration) → [`FittedPca`] (scikit-learn
//! `sklearn.decomposition.PCA`).

use ndarray::{Array1, Array2, ArrayView2, Axis, s};

use crate::array::{check_finite, check_nonempty, fmt_shape};
use crate::decomposition::randomized::{
    PowerIterationNormalizer, RandomizedOptions, randomized_svd_impl,
};
use crate::decomposition::sign::{row_signs, scale_rows, svd_flip};
use crate::error::{Error, Result};
use crate::kernels::syrk::{gram, tall_times_small};
use crate::linalg::{eigh, svd};
use crate::ops::matmul_2d;
use crate::scalar::{RealScalar, Scalar, cast_view, convert, convert_scalar, same_type, widen};

const OP: &str = "pca";

/// Largest `n_components × n_features` for which [`FittedPca::transform`] uses the
/// one-pass tall × small product (the components then fit in L2).
const SMALL_PRODUCT: usize = 1 << 15;

/// How [`Pca`] computes the decomposition (scikit-learn's `svd_solver`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PcaSolver {
    /// scikit-learn 1.5+'s `'auto'` rule, resolved at fit time from the data's shape
    /// (see [`Pca::fit`]); [`FittedPca::solver_used`] tells which solver ran.
    #[default]
    Auto,
    /// Eigendecomposition of the covariance matrix `Xᵀ X / (n − 1)` (after centring):
    /// `'covariance_eigh'`. Fast for n_samples ≫ n_features; squares the condition number,
    /// so tiny variances lose relative accuracy.
    CovarianceEigh,
    /// Full thin SVD of the centred data: `'full'`. Exact, O(n·p·min(n, p)).
    Svd,
    /// Randomized truncated SVD of the centred data (Halko et al. 2011): `'randomized'`.
    Randomized,
}

/// PCA configuration: a consuming builder, then [`Pca::fit`] (scikit-learn `PCA`).
///
/// Defaults, as scikit-learn: all components (`None`), [`PcaSolver::Auto`], no whitening,
/// `n_oversamples = 10`, `n_iter = None` ('auto'), [`PowerIterationNormalizer::Auto`];
/// `seed = 0` (scikit-learn's `random_state=None` is not reproducible; ours always is).
///
/// Differences from scikit-learn, all deliberate: `n_components = 0` is an error for every
/// solver (scikit-learn's `'full'` accepts it); a single sample is an error instead of NaN
/// variances; all-constant data give ratios of 0 instead of NaN (0/0); no `'arpack'` solver,
/// no fractional or `'mle'` n_components, dense input only (use
/// [`TruncatedSvd`](crate::decomposition::TruncatedSvd) for sparse data).
///
/// # References
/// * N. Halko, P.-G. Martinsson, J. A. Tropp, *Finding structure with randomness*, SIAM
///   Review 53(2), 2011 (the randomized solver);
/// * M. E. Tipping, C. M. Bishop, *Probabilistic principal component analysis*, J. R.
///   Stat. Soc. B 61(3), 1999 ([`FittedPca::noise_variance`]).
#[derive(Debug, Clone)]
pub struct Pca {
    pub(crate) n_components: Option<usize>,
    pub(crate) solver: PcaSolver,
    pub(crate) whiten: bool,
    pub(crate) seed: u64,
    pub(crate) n_oversamples: usize,
    pub(crate) n_iter: Option<usize>,
    pub(crate) normalizer: PowerIterationNormalizer,
}

impl Default for Pca {
    fn default() -> Self {
        Pca::new(None)
    }
}

/// A fitted PCA model: the learned attributes of scikit-learn's `PCA` (without the
/// trailing `_`) and `transform` / `inverse_transform`.
///
/// `T` is the element type of the training data, `f64` (the default: `FittedPca` is the
/// `f64` model) or `f32`: as scikit-learn, a PCA fitted on float32 data keeps float32
/// attributes and transforms float32 data to float32.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FittedPca<T: RealScalar = f64> {
    pub(crate) components: Array2<T>,
    pub(crate) explained_variance: Array1<T>,
    pub(crate) explained_variance_ratio: Array1<T>,
    pub(crate) singular_values: Array1<T>,
    pub(crate) mean: Array1<T>,
    pub(crate) noise_variance: T,
    pub(crate) n_samples: usize,
    pub(crate) whiten: bool,
    pub(crate) solver_used: PcaSolver,
}

impl Pca {
    /// A PCA keeping `n_components` components (scikit-learn's `n_components`): a number,
    /// or `None` for all of them, `min(n_samples, n_features)` (scikit-learn's default).
    ///
    /// Takes `3`, `Some(3)` or `None` alike, as [`TruncatedSvd::new`] does.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{Pca, PcaSolver};
    /// let x = array![[1.0f64, 2.], [3., 4.], [5., 7.]];
    /// let pca = Pca::new(1).solver(PcaSolver::Svd).fit(x.view())?;
    /// assert_eq!(pca.components().dim(), (1, 2));
    /// assert!(pca.explained_variance_ratio()[0] > 0.99);
    /// // `Some(1)` is the same model; `None` keeps min(3, 2) = 2 components
    /// assert_eq!(Pca::new(Some(1)).fit(x.view())?, Pca::new(1).fit(x.view())?);
    /// assert_eq!(Pca::new(None).fit(x.view())?.n_components(), 2);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    ///
    /// [`TruncatedSvd::new`]: crate::decomposition::TruncatedSvd::new
    #[must_use]
    pub fn new(n_components: impl Into<Option<usize>>) -> Self {
        Pca {
            n_components: n_components.into(),
            solver: PcaSolver::Auto,
            whiten: false,
            seed: 0,
            // scikit-learn's defaults for the randomized solver
            n_oversamples: 10,
            n_iter: None,
            normalizer: PowerIterationNormalizer::Auto,
        }
    }

    /// Chooses the solver, scikit-learn's `svd_solver` (default [`PcaSolver::Auto`]).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::{Pca, PcaSolver};
    /// let x = array![[1.0f64, 2.], [3., 4.], [5., 7.], [2., 2.]];
    /// let exact = Pca::new(1).solver(PcaSolver::Svd).fit(x.view())?;
    /// let cov = Pca::new(1).solver(PcaSolver::CovarianceEigh).fit(x.view())?;
    /// assert_eq!(cov.solver_used(), PcaSolver::CovarianceEigh);
    /// assert!((exact.explained_variance()[0] - cov.explained_variance()[0]).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[doc(alias = "svd_solver")]
    #[must_use]
    pub fn solver(mut self, s: PcaSolver) -> Self {
        self.solver = s;
        self
    }

    /// Whitening (scikit-learn's `whiten`, default false): transformed components get unit
    /// variance (divided by `√explained_variance`).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// let x = array![[2.0f64, 0.], [0., 1.], [-2., 0.], [0., -1.]];
    /// let (_, z) = Pca::new(2).whiten(true).fit_transform(x.view())?;
    /// let var0 = z.column(0).mapv(|v| v * v).sum() / 3.0; // n − 1 = 3
    /// assert!((var0 - 1.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn whiten(mut self, w: bool) -> Self {
        self.whiten = w;
        self
    }

    /// Seed of the randomized solver (default 0), in place of scikit-learn's
    /// `random_state`: the same seed gives the same model (numbers differ from
    /// scikit-learn's for the same value, whose generator is NumPy's).
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::{Pca, PcaSolver};
    /// let x = Array2::from_shape_fn((30, 8), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
    /// let fit = |seed| Pca::new(2).solver(PcaSolver::Randomized).seed(seed).fit(x.view());
    /// assert_eq!(fit(5)?, fit(5)?);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[doc(alias = "random_state")]
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Extra random vectors of the randomized solver, scikit-learn's `n_oversamples`
    /// (default 10, as scikit-learn).
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::{Pca, PcaSolver};
    /// let x = Array2::from_shape_fn((40, 10), |(i, j)| ((i * j) % 7) as f64 + i as f64);
    /// let p = Pca::new(2).solver(PcaSolver::Randomized).n_oversamples(8).fit(x.view())?;
    /// let exact = Pca::new(2).solver(PcaSolver::Svd).fit(x.view())?;
    /// assert!((p.singular_values()[0] - exact.singular_values()[0]).abs() < 1e-8);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn n_oversamples(mut self, n: usize) -> Self {
        self.n_oversamples = n;
        self
    }

    /// Power iterations of the randomized solver, scikit-learn's `n_iter`: a number, or
    /// `None` for scikit-learn's default `'auto'` ([`auto_n_iter`]: 7 if
    /// `n_components < 0.1·min(shape)` else 4).
    ///
    /// Takes `4`, `Some(4)` or `None` alike, as [`TruncatedSvd::n_iter`] does.
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::{Pca, PcaSolver};
    /// let x = Array2::from_shape_fn((40, 10), |(i, j)| ((i * j) % 7) as f64 + i as f64);
    /// let randomized = Pca::new(2).solver(PcaSolver::Randomized);
    /// // 'auto' is 4 here: 2 components are not fewer than 0.1 · min(40, 10) = 1
    /// assert_eq!(randomized.clone().n_iter(None).fit(x.view())?, randomized.clone().n_iter(4).fit(x.view())?);
    /// assert_eq!(randomized.clone().n_iter(Some(6)).fit(x.view())?, randomized.n_iter(6).fit(x.view())?);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    ///
    /// [`auto_n_iter`]: crate::decomposition::auto_n_iter
    /// [`TruncatedSvd::n_iter`]: crate::decomposition::TruncatedSvd::n_iter
    #[must_use]
    pub fn n_iter(mut self, n: impl Into<Option<usize>>) -> Self {
        self.n_iter = n.into();
        self
    }

    /// Normalisation of the randomized solver's power iterations, scikit-learn's
    /// `power_iteration_normalizer` (default [`PowerIterationNormalizer::Auto`]).
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::{Pca, PcaSolver, PowerIterationNormalizer};
    /// let x = Array2::from_shape_fn((40, 10), |(i, j)| ((i * j) % 7) as f64 + i as f64);
    /// let p = Pca::new(2)
    ///     .solver(PcaSolver::Randomized)
    ///     .power_iteration_normalizer(PowerIterationNormalizer::Qr)
    ///     .fit(x.view())?;
    /// let exact = Pca::new(2).solver(PcaSolver::Svd).fit(x.view())?;
    /// assert!((p.singular_values()[1] - exact.singular_values()[1]).abs() < 1e-8);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn power_iteration_normalizer(mut self, p: PowerIterationNormalizer) -> Self {
        self.normalizer = p;
        self
    }

    /// The solver [`PcaSolver::Auto`] picks for data of `shape` keeping `n_components`
    /// (scikit-learn ≥ 1.5, `PCA._fit`):
    ///
    /// 1. `CovarianceEigh` if `n_features ≤ 1000` and `n_samples ≥ 10·n_features` (tall and
    ///    skinny: the p×p covariance is cheap and small);
    /// 2. else `Svd` if `max(shape) ≤ 500` (small problem: exact is fast enough);
    /// 3. else `Randomized` if `n_components < 0.8·min(shape)` (few components of a big
    ///    matrix);
    /// 4. else `Svd`.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::decomposition::{Pca, PcaSolver};
    /// assert_eq!(Pca::auto_solver((10_000, 20), 2), PcaSolver::CovarianceEigh);
    /// assert_eq!(Pca::auto_solver((100, 50), 2), PcaSolver::Svd);
    /// assert_eq!(Pca::auto_solver((600, 800), 10), PcaSolver::Randomized);
    /// assert_eq!(Pca::auto_solver((600, 800), 500), PcaSolver::Svd);
    /// ```
    #[must_use]
    pub fn auto_solver(shape: (usize, usize), n_components: usize) -> PcaSolver {
        let (n_samples, n_features) = shape;
        // scikit-learn's cut-offs: 1000 features, 10× more samples than features, 500 for
        // "small", 0.8 of the smaller dimension for "few components".
        if n_features <= 1000 && n_samples >= n_features.saturating_mul(10) {
            PcaSolver::CovarianceEigh
        } else if n_samples.max(n_features) <= 500 {
            PcaSolver::Svd
        } else if (n_components as f64) < 0.8 * n_samples.min(n_features) as f64 {
            PcaSolver::Randomized
        } else {
            PcaSolver::Svd
        }
    }

    /// Fits the model to `x` (n_samples, n_features) of `f64` or `f32`; the model keeps
    /// `x`'s element type (scikit-learn: float32 in, float32 attributes out).
    ///
    /// `f32` data are fitted in `f64` (each value widened exactly) and the attributes
    /// rounded to `f32` at the end, as NumPy's `linalg` computes single precision in
    /// double: the `f32` model is the `f64` model of the same data, rounded.
    ///
    /// The data are centred (column means, kept as [`FittedPca::mean`]), then decomposed by
    /// the chosen solver; components are signed with scikit-learn's
    /// `svd_flip(u_based_decision=False)`: the largest-|·| entry of each component is
    /// positive.
    ///
    /// # Errors
    /// * [`Error::Empty`] for a 0-row or 0-column `x`; [`Error::NonFinite`] on NaN/∞;
    /// * [`Error::Shape`] for a single sample: the variances divide by `n_samples − 1`
    ///   (scikit-learn returns NaN there, with a warning);
    /// * [`Error::InvalidParameter`] unless `1 ≤ n_components ≤ min(n_samples, n_features)`,
    ///   e.g. `pca: invalid n_components: n_components=5 must be between 1 and
    ///   min(n_samples, n_features)=3`;
    /// * [`Error::NoConvergence`] if an SVD or eigensolver fails.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// let x = array![[2.0f64, 0.], [0., 1.], [-2., 0.], [0., -1.]];
    /// let pca = Pca::new(None).fit(x.view())?;
    /// // variance along x is 8/3, along y 2/3 (n − 1 = 3 degrees of freedom)
    /// assert!((pca.explained_variance()[0] - 8.0 / 3.0).abs() < 1e-12);
    /// assert!((pca.explained_variance_ratio()[0] - 0.8).abs() < 1e-12);
    /// assert!((pca.components()[[0, 0]] - 1.0).abs() < 1e-12);
    /// let e = Pca::new(Some(5)).fit(x.view()).unwrap_err();
    /// assert_eq!(
    ///     e.to_string(),
    ///     "pca: invalid n_components: n_components=5 must be between 1 and min(n_samples, n_features)=2"
    /// );
    /// // float32 data give a float32 model (scikit-learn's float32 components_)
    /// let x32 = x.mapv(|v| v as f32);
    /// let p32: mlinalg::decomposition::FittedPca<f32> = Pca::new(None).fit(x32.view())?;
    /// assert!((p32.explained_variance()[0] - 8.0 / 3.0).abs() < 1e-6);
    /// let z: ndarray::Array2<f32> = p32.transform(x32.view())?;
    /// assert_eq!(z.dim(), (4, 2));
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit<T: RealScalar>(&self, x: ArrayView2<'_, T>) -> Result<FittedPca<T>> {
        Ok(self.fit_impl(x)?.0.into_precision())
    }

    /// Fits and returns the transformed training data, `(model, X_new)` with X_new
    /// (n_samples, n_components) (scikit-learn `fit_transform`). For the SVD-based solvers
    /// X_new is `U Σ` (or `U √(n−1)` when whitening) from the fit itself, saving a product.
    ///
    /// # Errors
    /// As [`Pca::fit`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// let x = array![[1.0f64, 1.], [2., 2.], [3., 3.]];
    /// let (pca, z) = Pca::new(Some(1)).fit_transform(x.view())?;
    /// assert_eq!(z.dim(), (3, 1));
    /// assert!((z[[2, 0]] - 2f64.sqrt()).abs() < 1e-12);
    /// assert!((pca.transform(x.view())? - &z).iter().all(|d| d.abs() < 1e-12));
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit_transform<T: RealScalar>(
        &self,
        x: ArrayView2<'_, T>,
    ) -> Result<(FittedPca<T>, Array2<T>)> {
        let (model, u) = self.fit_impl(x)?;
        match u {
            Some(mut u) => {
                let k = model.n_components();
                let mut u = u.slice_mut(s![.., ..k]).to_owned();
                if model.whiten {
                    // X_new = X V / S · √(n−1) = U √(n−1)
                    let f = (model.n_samples as f64 - 1.0).sqrt();
                    u.mapv_inplace(|v| v * f);
                } else {
                    // X_new = X V = U S Vᵀ V = U S
                    u *= &model.singular_values;
                }
                Ok((model.into_precision(), convert(u)))
            }
            None => {
                // x was checked when fitting; projected in T's precision (an f32 model
                // transforms in single precision, as its `transform`)
                let model: FittedPca<T> = model.into_precision();
                let z = model.project(x)?;
                Ok((model, z))
            }
        }
    }

    /// The fit in `f64` of `x` of any real type: the covariance solver reads `x` in its own
    /// type (the Gram kernel widens `f32` rows chunk by chunk: no `f64` copy of X); the
    /// other solvers, and the covariance solver's large-mean fallback, widen X first.
    fn fit_impl<T: RealScalar>(
        &self,
        x: ArrayView2<'_, T>,
    ) -> Result<(FittedPca, Option<Array2<f64>>)> {
        check_nonempty(OP, &x)?;
        let (n_samples, n_features) = x.dim();
        let kmax = n_samples.min(n_features);
        let k = self.n_components.unwrap_or(kmax);
        let solver = match self.solver {
            PcaSolver::Auto => Pca::auto_solver((n_samples, n_features), k),
            s => s,
        };
        // The covariance solver checks finiteness in its own pass over X (the Gram
        // kernel's); every other path checks first, so errors keep their precedence
        // (non-finite data, then too few samples, then n_components).
        let fused_check =
            solver == PcaSolver::CovarianceEigh && n_samples >= 2 && (1..=kmax).contains(&k);
        if !fused_check {
            check_finite(OP, &x)?;
        }
        if n_samples < 2 {
            return Err(Error::shape(
                OP,
                format!(
                    "at least 2 samples are needed (variances divide by n_samples − 1), got shape {}",
                    fmt_shape(x.shape())
                ),
            ));
        }
        if k == 0 || k > kmax {
            return Err(Error::param(
                OP,
                "n_components",
                format!("n_components={k} must be between 1 and min(n_samples, n_features)={kmax}"),
            ));
        }
        // The covariance solver gets XᵀX and the column sums from one pass over X.
        let gram = if solver == PcaSolver::CovarianceEigh {
            let g = gram(x);
            if !g.finite {
                return Err(Error::NonFinite { op: OP });
            }
            Some(g)
        } else {
            None
        };
        // X in f64: borrowed for f64 data, a widened copy for f32 data, made only for the
        // solvers that read X beyond its Gram matrix
        let wide = || widen(x);
        let mean = match &gram {
            Some(g) => g.col_sums.mapv(|s| s / n_samples as f64),
            // safe because n_samples ≥ 2 was checked above
            None => wide()
                .mean_axis(Axis(0))
                .ok_or_else(|| Error::shape(OP, "no samples"))?,
        };
        // n_samples − 1 degrees of freedom, as scikit-learn (the unbiased sample variance).
        let dof = n_samples as f64 - 1.0;

        let (components, explained_variance, ratio, singular_values, noise_variance, u) =
            match solver {
                PcaSolver::CovarianceEigh => {
                    // safe because `gram` is computed for this solver above
                    let c = gram
                        .map(|g| g.xtx)
                        .ok_or_else(|| Error::shape(OP, "no Gram matrix"))?;
                    let (vt, ev) = if loses_digits(&c, n_samples, &mean) {
                        // A column whose mean is large against its spread (mean 1e8,
                        // spread 1): XᵀX − n μ μᵀ would cancel every digit. Centre a copy
                        // first (the memory the svd solver would use), then XᵀX of it.
                        let xc = &wide() - &mean;
                        let g = crate::kernels::syrk::gram(xc.view());
                        let m = g.col_sums.mapv(|s| s / n_samples as f64);
                        covariance_eigh(g.xtx, n_samples, &m, dof)?
                    } else {
                        covariance_eigh(c, n_samples, &mean, dof)?
                    };
                    // S = √(λ (n−1)): the singular values of the centred data.
                    let sv = ev.mapv(|l| (l * dof).sqrt());
                    let (ratio, noise) = full_ratio_noise(&ev, k, kmax);
                    (vt, ev, ratio, sv, noise, None)
                }
                PcaSolver::Svd | PcaSolver::Auto => {
                    let xc = &wide() - &mean;
                    let mut f = svd(xc.view(), false).map_err(|e| e.with_op(OP))?;
                    svd_flip(&mut f.u, &mut f.vt, false);
                    // Match scikit-learn: S² / (n_samples − 1), not / (n_components − 1).
                    let ev = f.s.mapv(|v| v * v / dof);
                    let (ratio, noise) = full_ratio_noise(&ev, k, kmax);
                    (f.vt, ev, ratio, f.s, noise, Some(f.u))
                }
                PcaSolver::Randomized => {
                    let xc = &wide() - &mean;
                    let opts = RandomizedOptions {
                        n_oversamples: self.n_oversamples,
                        n_iter: self.n_iter,
                        normalizer: self.normalizer,
                        transpose: None,
                        seed: self.seed,
                        want_u: true,
                    };
                    let mut f = randomized_svd_impl(OP, &xc.view(), k, &opts)?;
                    svd_flip(&mut f.u, &mut f.vt, false);
                    let ev = f.s.mapv(|v| v * v / dof);
                    // The ratio is of the TOTAL variance of the data, not of the kept
                    // components: Σᵢⱼ xcᵢⱼ² / (n − 1).
                    let total_var = xc.iter().map(|v| v * v).sum::<f64>() / dof;
                    let ratio = ev.mapv(|v| v / total_var);
                    // Probabilistic PCA (Tipping & Bishop): the average variance of the
                    // discarded directions.
                    let noise = if k < kmax {
                        (total_var - ev.sum()) / (kmax - k) as f64
                    } else {
                        0.0
                    };
                    (f.vt, ev, ratio, f.s, noise, Some(f.u))
                }
            };
        let model = FittedPca {
            components: components.slice(s![..k, ..]).to_owned(),
            explained_variance: explained_variance.slice(s![..k]).to_owned(),
            explained_variance_ratio: ratio.slice(s![..k]).to_owned(),
            singular_values: singular_values.slice(s![..k]).to_owned(),
            mean,
            noise_variance,
            n_samples,
            whiten: self.whiten,
            solver_used: solver,
        };
        Ok((model, u))
    }
}

/// Explained-variance ratio over the total (all min(n, p) directions) and the noise
/// variance (mean of the discarded variances, 0 when nothing is discarded), for the solvers
/// that see the whole spectrum.
fn full_ratio_noise(ev: &Array1<f64>, k: usize, kmax: usize) -> (Array1<f64>, f64) {
    let total: f64 = ev.sum();
    // All-constant data: no variance anywhere; scikit-learn yields NaN (0/0), we say 0.
    let ratio = if total > 0.0 {
        ev.mapv(|v| v / total)
    } else {
        Array1::zeros(ev.len())
    };
    // scikit-learn averages over every remaining entry: min(n, p) − k of them for the SVD,
    // n_features − k for covariance_eigh (whose spectrum has n_features entries).
    let noise = if k < kmax {
        let rest = ev.slice(s![k..]);
        rest.sum() / rest.len() as f64
    } else {
        0.0
    };
    (ratio, noise)
}

/// Whether `XᵀX − n μ μᵀ` would lose more than half of float64's digits on some column:
/// its centred sum of squares below 10⁻⁸ of the raw one (n μᵢ² ≈ (XᵀX)ᵢᵢ).
fn loses_digits(xtx: &Array2<f64>, n_samples: usize, mean: &Array1<f64>) -> bool {
    let n = n_samples as f64;
    mean.iter().enumerate().any(|(i, &m)| {
        let raw = xtx[[i, i]];
        raw > 0.0 && (raw - n * m * m) < 1e-8 * raw
    })
}

/// Components (as rows, signed) and descending variances from the covariance matrix
/// `C = (Xᵀ X − n μ μᵀ) / (n − 1)`, given `Xᵀ X` (exactly symmetric, from [`gram`]):
/// centred afterwards to avoid a copy of X (as scikit-learn's `covariance_eigh`).
fn covariance_eigh(
    mut c: Array2<f64>,
    n_samples: usize,
    mean: &Array1<f64>,
    dof: f64,
) -> Result<(Array2<f64>, Array1<f64>)> {
    let n = n_samples as f64;
    let p = c.nrows();
    // One triangle, mirrored: (n μᵢ) μⱼ and (n μⱼ) μᵢ round differently, and eigh checks
    // symmetry.
    for i in 0..p {
        for j in i..p {
            let v = (c[[i, j]] - n * mean[i] * mean[j]) / dof;
            c[[i, j]] = v;
            c[[j, i]] = v;
        }
    }
    // X was checked finite; a non-finite covariance means XᵀX overflowed, which the
    // SVD-based solvers avoid: say so rather than blame the input.
    if c.iter().any(|v| !v.is_finite()) {
        return Err(Error::Unsupported {
            op: OP,
            detail: "the covariance matrix XᵀX overflows for this data; use the svd solver \
                     or scale the data"
                .to_string(),
        });
    }
    let e = eigh(c.view()).map_err(|e| e.with_op(OP))?;
    // eigh ascends; PCA wants descending. C is PSD, but rounding can give tiny negative
    // eigenvalues, which would make √ fail: clip them to 0 as scikit-learn does.
    let ev: Array1<f64> = e.eigenvalues.iter().rev().map(|&l| l.max(0.0)).collect();
    let mut vt = e.eigenvectors.slice(s![.., ..;-1]).t().to_owned();
    let signs = row_signs(vt.view());
    scale_rows(&mut vt, &signs);
    Ok((vt, ev))
}

impl<T: RealScalar> FittedPca<T> {
    /// The same model in another element type (`f32` ↔ `f64`; moved as it is when `U` is
    /// `T`).
    #[must_use]
    pub fn into_precision<U: RealScalar>(self) -> FittedPca<U> {
        FittedPca {
            components: convert(self.components),
            explained_variance: convert(self.explained_variance),
            explained_variance_ratio: convert(self.explained_variance_ratio),
            singular_values: convert(self.singular_values),
            mean: convert(self.mean),
            noise_variance: convert_scalar(self.noise_variance),
            n_samples: self.n_samples,
            whiten: self.whiten,
            solver_used: self.solver_used,
        }
    }

    /// Principal axes as rows, (n_components, n_features), orthonormal, ordered by
    /// decreasing explained variance; the largest-|·| entry of each row is positive.
    #[must_use]
    pub fn components(&self) -> &Array2<T> {
        &self.components
    }

    /// Variance along each component, `σᵢ² / (n_samples − 1)`.
    #[must_use]
    pub fn explained_variance(&self) -> &Array1<T> {
        &self.explained_variance
    }

    /// Share of the *total* variance (all directions, not only the kept ones) explained by
    /// each component; sums to 1 only when all components are kept.
    #[must_use]
    pub fn explained_variance_ratio(&self) -> &Array1<T> {
        &self.explained_variance_ratio
    }

    /// Singular values of the centred data for the kept components.
    #[must_use]
    pub fn singular_values(&self) -> &Array1<T> {
        &self.singular_values
    }

    /// Per-feature mean of the training data, (n_features,).
    #[must_use]
    pub fn mean(&self) -> &Array1<T> {
        &self.mean
    }

    /// The number of components kept.
    #[must_use]
    pub fn n_components(&self) -> usize {
        self.components.nrows()
    }

    /// Probabilistic-PCA noise variance (Tipping & Bishop 1999): the mean variance of the
    /// discarded directions; 0 when all `min(n_samples, n_features)` are kept.
    ///
    /// As scikit-learn, the mean runs over the `min(n_samples, n_features) − k` discarded
    /// singular directions for the SVD-based solvers, but over all `n_features − k`
    /// discarded eigenvalues (zeros included) for `CovarianceEigh`, so the two differ on
    /// wide data.
    #[must_use]
    pub fn noise_variance(&self) -> T {
        self.noise_variance
    }

    /// The number of training samples.
    #[must_use]
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// The solver that ran (what [`PcaSolver::Auto`] resolved to).
    #[must_use]
    pub fn solver_used(&self) -> PcaSolver {
        self.solver_used
    }

    /// Whether transformed data are whitened.
    #[must_use]
    pub fn whiten(&self) -> bool {
        self.whiten
    }

    /// Projects `x` (n, n_features) onto the components: `(X − μ) Vᵀ`, divided by
    /// `√explained_variance` when whitening; returns (n, n_components).
    ///
    /// Computed as `X Vᵀ − μ Vᵀ` so that `x` is not copied (as scikit-learn). When
    /// whitening, variances below ε are clipped to ε so rank-deficient data stay finite.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has a different number of features than the training data;
    /// [`Error::NonFinite`] on NaN/∞.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// let x = array![[0.0f64, 0.], [2., 0.], [4., 0.]];
    /// let pca = Pca::new(Some(1)).fit(x.view())?;
    /// let z = pca.transform(array![[6., 5.]].view())?;
    /// assert!((z[[0, 0]] - 4.0).abs() < 1e-12);
    /// assert!(pca.transform(array![[1., 2., 3.]].view()).is_err());
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn transform(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>> {
        const TOP: &str = "pca_transform";
        if x.ncols() != self.mean.len() {
            return Err(Error::shape(
                TOP,
                format!(
                    "x has {} features, the model was fitted on {}: got shape {}",
                    x.ncols(),
                    self.mean.len(),
                    fmt_shape(x.shape())
                ),
            ));
        }
        crate::array::check_finite(TOP, &x)?;
        self.project(x)
    }

    /// [`transform`](Self::transform) of an `x` already checked.
    ///
    /// In `T`'s own precision (an `f32` model transforms in single precision, as
    /// scikit-learn's float32 `transform`).
    fn project(&self, x: ArrayView2<'_, T>) -> Result<Array2<T>> {
        // (X − μ) Vᵀ as X Vᵀ − μ Vᵀ. For the usual small Vᵀ one pass over X, in parallel
        // over rows, beats a general GEMM (the one-pass kernel is f64 only).
        let mut z = if self.components.len() <= SMALL_PRODUCT && same_type::<T, f64>() {
            // safe because T is f64 (checked just above)
            let x64 = cast_view::<T, f64, _>(x).expect("T is f64");
            let v64 = cast_view::<T, f64, _>(self.components.t()).expect("T is f64");
            convert(tall_times_small(x64, v64)?)
        } else {
            matmul_2d(x, self.components.t())?
        };
        let offset = self.components.dot(&self.mean);
        z -= &offset;
        if self.whiten {
            let scale = self.explained_variance.mapv(|v| v.sqrt().max(T::EPSILON));
            z /= &scale;
        }
        Ok(z)
    }

    /// Maps component scores back to feature space: `Z V + μ` (with `Z √explained_variance`
    /// first when whitening). Exact on the span of the components; the discarded
    /// directions are lost.
    ///
    /// # Errors
    /// [`Error::Shape`] unless `z` has `n_components` columns; [`Error::NonFinite`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::Pca;
    /// let x = array![[1.0f64, 2.], [3., 4.], [5., 7.]];
    /// let pca = Pca::new(None).fit(x.view())?;
    /// let back = pca.inverse_transform(pca.transform(x.view())?.view())?;
    /// assert!((back - &x).iter().all(|d| d.abs() < 1e-12));
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn inverse_transform(&self, z: ArrayView2<'_, T>) -> Result<Array2<T>> {
        const IOP: &str = "pca_inverse_transform";
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
        let mut x = if self.whiten {
            let scaled = &self.components
                * &self
                    .explained_variance
                    .mapv(|v| v.sqrt())
                    .insert_axis(Axis(1));
            matmul_2d(z, scaled.view())?
        } else {
            matmul_2d(z, self.components.view())?
        };
        x += &self.mean;
        Ok(x)
    }
}
