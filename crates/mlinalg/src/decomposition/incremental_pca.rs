//! Incremental PCA with scikit-learn's `partial_fit` semantics: [`IncrementalPca`]
//! (`sklearn.decomposition.IncrementalPCA`), for code ported from scikit-learn.

use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate, s};

use crate::array::{check_input, fmt_shape};
use crate::decomposition::sign::{row_signs, scale_rows};
use crate::decomposition::{FittedPca, PcaSolver};
use crate::error::{Error, Result};
use crate::linalg::svd;
use crate::scalar::{RealScalar, widen};
use crate::stream::{Block, RowSource, StreamOptions};

const OP: &str = "incremental_pca";

/// Incremental PCA (Ross et al. 2008, scikit-learn `IncrementalPCA`): one SVD per batch
/// of the previous components scaled by their singular values, the centred batch and a
/// mean-correction row. Approximate (the discarded directions of each batch are lost);
/// for the exact answer on data of any length use [`Pca::fit_stream`](super::Pca::fit_stream).
///
/// Like scikit-learn's estimator it holds its state: call
/// [`partial_fit`](Self::partial_fit) per batch (or [`fit`](Self::fit) /
/// [`fit_stream`](Self::fit_stream)), then read the attributes or
/// [`transform`](Self::transform). The same batches give scikit-learn's numbers (≤ 1e-10
/// in our fixture tests).
///
/// Batches may be `f64` or `f32`. As scikit-learn's `IncrementalPCA` (whose running mean
/// and variance are float64 whatever the input), the state and every attribute are `f64`,
/// and so is [`transform`](Self::transform)'s result for either input type: float32 data
/// widen exactly, so a float32 batch is fitted as the same values in float64.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use mlinalg::decomposition::IncrementalPca;
/// let x = array![[1., 2.], [3., 3.], [5., 7.], [2., 1.], [4., 4.], [6., 8.]];
/// let mut ipca = IncrementalPca::new(Some(1));
/// ipca.partial_fit(x.slice(ndarray::s![..3, ..]))?;
/// ipca.partial_fit(x.slice(ndarray::s![3.., ..]))?;
/// assert_eq!(ipca.n_samples_seen(), 6);
/// assert_eq!(ipca.components().dim(), (1, 2));
/// # Ok::<(), mlinalg::Error>(())
/// ```
///
/// # References
/// D. A. Ross, J. Lim, R.-S. Lin, M.-H. Yang, *Incremental learning for robust visual
/// tracking*, IJCV 77, 2008.
#[derive(Debug, Clone, Default, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IncrementalPca {
    pub(crate) n_components: Option<usize>,
    pub(crate) whiten: bool,
    pub(crate) batch_size: Option<usize>,
    pub(crate) state: Option<State>,
}

/// The fitted attributes (scikit-learn's names without the trailing `_`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct State {
    pub(crate) n_components: usize,
    pub(crate) components: Array2<f64>,
    pub(crate) singular_values: Array1<f64>,
    pub(crate) explained_variance: Array1<f64>,
    pub(crate) explained_variance_ratio: Array1<f64>,
    pub(crate) noise_variance: f64,
    pub(crate) mean: Array1<f64>,
    pub(crate) var: Array1<f64>,
    pub(crate) n_samples_seen: u64,
}

impl IncrementalPca {
    /// An estimator keeping `n_components` components (scikit-learn's `n_components`): a
    /// number, or `None` for min(n_samples of the first batch, n_features), as
    /// scikit-learn.
    ///
    /// Takes `3`, `Some(3)` or `None` alike, as [`Pca::new`](crate::decomposition::Pca::new).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::IncrementalPca;
    /// let x = array![[1., 2., 0.], [3., 4., 1.], [5., 7., 1.], [0., 1., 2.]];
    /// let mut ipca = IncrementalPca::new(2);
    /// ipca.partial_fit(x.view())?;
    /// assert_eq!(ipca.n_components(), 2);
    /// let mut all = IncrementalPca::new(None);
    /// all.partial_fit(x.view())?;
    /// assert_eq!(all.n_components(), 3); // min(4 samples, 3 features)
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn new(n_components: impl Into<Option<usize>>) -> Self {
        IncrementalPca {
            n_components: n_components.into(),
            ..IncrementalPca::default()
        }
    }

    /// Whitening of [`transform`](Self::transform)'s output (scikit-learn's `whiten`,
    /// default false).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::IncrementalPca;
    /// let x = array![[2., 0.], [0., 1.], [-2., 0.], [0., -1.]];
    /// let mut ipca = IncrementalPca::new(1).whiten(true);
    /// ipca.fit(x.view())?;
    /// let z = ipca.transform(x.view())?;
    /// let var = z.column(0).mapv(|v| v * v).sum() / 3.0; // n − 1 = 3
    /// assert!((var - 1.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn whiten(mut self, w: bool) -> Self {
        self.whiten = w;
        self
    }

    /// Rows per batch of [`fit`](Self::fit) and [`fit_stream`](Self::fit_stream)
    /// (scikit-learn's `batch_size`): a number, or `None` for `5 · n_features`, as
    /// scikit-learn. Takes `100`, `Some(100)` or `None` alike.
    ///
    /// # Examples
    /// ```
    /// use ndarray::Array2;
    /// use mlinalg::decomposition::IncrementalPca;
    /// let x = Array2::from_shape_fn((12, 3), |(i, j)| ((i * 5 + j * 3) % 7) as f64);
    /// let mut ipca = IncrementalPca::new(2).batch_size(4);
    /// ipca.fit(x.view())?;
    /// assert_eq!(ipca.n_samples_seen(), 12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn batch_size(mut self, b: impl Into<Option<usize>>) -> Self {
        self.batch_size = b.into();
        self
    }

    /// Updates the model with one batch (scikit-learn `partial_fit`).
    ///
    /// # Errors
    /// [`Error::Empty`] / [`Error::NonFinite`] for an empty or non-finite batch;
    /// [`Error::InvalidParameter`] if `n_components > n_features`, or exceeds the first
    /// batch's rows; [`Error::Shape`] if the number of features changes between calls.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::decomposition::IncrementalPca;
    /// // float32 batches: the attributes are float64, as scikit-learn's.
    /// let x = array![[1.0f32, 2.], [3., 3.], [5., 7.], [2., 1.]];
    /// let mut ipca = IncrementalPca::new(1);
    /// ipca.partial_fit(x.view())?;
    /// let mean: ndarray::Array1<f64> = ipca.mean();
    /// assert_eq!(mean[0], 2.75);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn partial_fit<T: RealScalar>(&mut self, x: ArrayView2<'_, T>) -> Result<()> {
        let first = self.state.is_none();
        self.partial_fit_impl(widen(x).view(), first)
    }

    fn partial_fit_impl(&mut self, x: ArrayView2<'_, f64>, first_pass: bool) -> Result<()> {
        check_input(OP, &x)?;
        let (n_samples, n_features) = x.dim();
        if let Some(st) = &self.state
            && st.mean.len() != n_features
        {
            return Err(Error::shape(
                OP,
                format!(
                    "x has {n_features} features, the model was fitted on {}: got shape {}",
                    st.mean.len(),
                    fmt_shape(x.shape())
                ),
            ));
        }
        let k = match (self.n_components, &self.state) {
            (None, None) => n_samples.min(n_features),
            (None, Some(st)) => st.n_components,
            (Some(k), _) if k > n_features => {
                return Err(Error::param(
                    OP,
                    "n_components",
                    format!(
                        "n_components={k} invalid for n_features={n_features}, need more rows than columns for IncrementalPCA processing"
                    ),
                ));
            }
            (Some(k), _) if k > n_samples && first_pass => {
                return Err(Error::param(
                    OP,
                    "n_components",
                    format!(
                        "n_components={k} must be less or equal to the batch number of samples {n_samples} for the first partial_fit call"
                    ),
                ));
            }
            (Some(k), _) => k,
        };
        if k == 0 {
            return Err(Error::param(
                OP,
                "n_components",
                "n_components=0 must be at least 1",
            ));
        }
        let (last_n, last_mean, last_var) = match &self.state {
            Some(st) => (st.n_samples_seen, st.mean.clone(), st.var.clone()),
            None => (0, Array1::zeros(n_features), Array1::zeros(n_features)),
        };
        let (col_mean, col_var, n_total) =
            incremental_mean_and_var(x, &last_mean, &last_var, last_n);
        let stacked = match &self.state {
            None => &x - &col_mean,
            Some(st) => {
                // safe because check_input rejected an empty batch
                let batch_mean = x
                    .mean_axis(Axis(0))
                    .ok_or_else(|| Error::shape(OP, "no samples"))?;
                let xc = &x - &batch_mean;
                let f = ((last_n as f64 / n_total as f64) * n_samples as f64).sqrt();
                let correction = ((&st.mean - &batch_mean) * f).insert_axis(Axis(0));
                let prev = &st.components * &st.singular_values.view().insert_axis(Axis(1));
                concatenate![Axis(0), prev, xc, correction]
            }
        };
        let mut f = svd(stacked.view(), false).map_err(|e| match e {
            Error::NoConvergence { .. } => Error::NoConvergence { op: OP },
            other => other,
        })?;
        // scikit-learn's svd_flip(u_based_decision=False): the largest |entry| of each row
        // of Vᵀ is positive
        let signs = row_signs(f.vt.view());
        scale_rows(&mut f.vt, &signs);
        let nt = n_total as f64;
        let ev = f.s.mapv(|v| v * v / (nt - 1.0));
        let total = (&col_var * nt).sum();
        let ratio = f.s.mapv(|v| v * v / total);
        let k = k.min(f.s.len());
        let noise = if k != n_samples && k != n_features {
            let rest = ev.slice(s![k..]);
            if rest.is_empty() {
                f64::NAN
            } else {
                rest.sum() / rest.len() as f64
            }
        } else {
            0.0
        };
        self.state = Some(State {
            n_components: k,
            components: f.vt.slice(s![..k, ..]).to_owned(),
            singular_values: f.s.slice(s![..k]).to_owned(),
            explained_variance: ev.slice(s![..k]).to_owned(),
            explained_variance_ratio: ratio.slice(s![..k]).to_owned(),
            noise_variance: noise,
            mean: col_mean,
            var: col_var,
            n_samples_seen: n_total,
        });
        Ok(())
    }

    /// Fits from scratch on `x` in batches of `batch_size` rows (scikit-learn `fit`: the
    /// last batch absorbs a remainder smaller than `n_components`).
    ///
    /// # Errors
    /// As [`partial_fit`](Self::partial_fit).
    pub fn fit<T: RealScalar>(&mut self, x: ArrayView2<'_, T>) -> Result<()> {
        let x = widen(x);
        let x = x.view();
        check_input(OP, &x)?;
        self.state = None;
        let (n, p) = x.dim();
        let bs = self.batch_size.unwrap_or(5 * p).max(1);
        let min_batch = self.n_components.unwrap_or(0);
        let mut start = 0;
        // scikit-learn's gen_batches(n, batch_size, min_batch_size=n_components or 0)
        for _ in 0..n / bs {
            let end = start + bs;
            if end + min_batch > n {
                continue;
            }
            // fit() resets components_ to None, so scikit-learn skips the first-call check
            self.partial_fit_impl(x.slice(s![start..end, ..]), false)?;
            start = end;
        }
        if start < n {
            self.partial_fit_impl(x.slice(s![start..n, ..]), false)?;
        }
        Ok(())
    }

    /// Calls [`partial_fit`](Self::partial_fit) on every block of `source`, in blocks of
    /// `batch_size` rows (default `5 · n_features`) or fewer at the end (`opts` supplies
    /// read-ahead and progress; its memory limit does not change the batches).
    ///
    /// # Errors
    /// As [`partial_fit`](Self::partial_fit); errors of the source.
    pub fn fit_stream(&mut self, source: &mut dyn RowSource, opts: &StreamOptions) -> Result<()> {
        let bs = self.batch_size.unwrap_or(5 * source.ncols()).max(1);
        let name = source.name().to_path_buf();
        crate::stream::for_each_block(source, bs, opts, (0, Some(1)), |b: &Block| {
            let first = self.state.is_none();
            self.partial_fit_impl(b.view(), first).map_err(|e| match e {
                Error::NonFinite { .. } => Error::format(
                    &name,
                    format!(
                        "rows {}..{}: non-finite value (NaN or infinity)",
                        b.first_row(),
                        b.first_row() + b.rows() as u64
                    ),
                ),
                other => other,
            })
        })
    }

    fn state(&self) -> Result<&State> {
        self.state.as_ref().ok_or_else(|| {
            Error::shape(
                OP,
                "the model is not fitted yet: call partial_fit or fit first",
            )
        })
    }

    /// The fitted model as a [`FittedPca`] (for `transform`, saving, …).
    ///
    /// # Errors
    /// [`Error::Shape`] before the first `partial_fit`.
    pub fn to_fitted(&self) -> Result<FittedPca> {
        let st = self.state()?;
        Ok(FittedPca {
            components: st.components.clone(),
            explained_variance: st.explained_variance.clone(),
            explained_variance_ratio: st.explained_variance_ratio.clone(),
            singular_values: st.singular_values.clone(),
            mean: st.mean.clone(),
            noise_variance: st.noise_variance,
            n_samples: usize::try_from(st.n_samples_seen).unwrap_or(usize::MAX),
            whiten: self.whiten,
            solver_used: PcaSolver::Svd,
        })
    }

    /// `(X − mean) Vᵀ` (whitened if asked), as scikit-learn's `transform`: `f64` for
    /// `f64` or `f32` data, as scikit-learn's float64 model gives.
    ///
    /// # Errors
    /// As [`FittedPca::transform`]; [`Error::Shape`] before fitting.
    pub fn transform<T: RealScalar>(&self, x: ArrayView2<'_, T>) -> Result<Array2<f64>> {
        self.to_fitted()?.transform(widen(x).view())
    }

    fn get<T: Default + Clone>(&self, f: impl Fn(&State) -> &T) -> T {
        self.state
            .as_ref()
            .map(|s| f(s).clone())
            .unwrap_or_default()
    }

    /// Principal axes as rows (`components_`); empty before fitting.
    #[must_use]
    pub fn components(&self) -> Array2<f64> {
        self.state
            .as_ref()
            .map_or_else(|| Array2::zeros((0, 0)), |s| s.components.clone())
    }
    /// `singular_values_`.
    #[must_use]
    pub fn singular_values(&self) -> Array1<f64> {
        self.get(|s| &s.singular_values)
    }
    /// `explained_variance_`.
    #[must_use]
    pub fn explained_variance(&self) -> Array1<f64> {
        self.get(|s| &s.explained_variance)
    }
    /// `explained_variance_ratio_`.
    #[must_use]
    pub fn explained_variance_ratio(&self) -> Array1<f64> {
        self.get(|s| &s.explained_variance_ratio)
    }
    /// `mean_`.
    #[must_use]
    pub fn mean(&self) -> Array1<f64> {
        self.get(|s| &s.mean)
    }
    /// `var_` (per-feature variance, ddof 0).
    #[must_use]
    pub fn var(&self) -> Array1<f64> {
        self.get(|s| &s.var)
    }
    /// `noise_variance_`.
    #[must_use]
    pub fn noise_variance(&self) -> f64 {
        self.state.as_ref().map_or(0.0, |s| s.noise_variance)
    }
    /// `n_samples_seen_`.
    #[must_use]
    pub fn n_samples_seen(&self) -> u64 {
        self.state.as_ref().map_or(0, |s| s.n_samples_seen)
    }
    /// `n_components_` (0 before fitting).
    #[must_use]
    pub fn n_components(&self) -> usize {
        self.state.as_ref().map_or(0, |s| s.n_components)
    }
}

/// scikit-learn's `_incremental_mean_and_var` (the corrected two-pass batch variance and
/// Chan's update): `(mean, var (ddof 0), count)` after adding the batch `x`.
fn incremental_mean_and_var(
    x: ArrayView2<'_, f64>,
    last_mean: &Array1<f64>,
    last_var: &Array1<f64>,
    last_n: u64,
) -> (Array1<f64>, Array1<f64>, u64) {
    let new_n = x.nrows() as f64;
    let ln = last_n as f64;
    let last_sum = last_mean * ln;
    let new_sum = x.sum_axis(Axis(0));
    let updated_n = ln + new_n;
    let mean = (&last_sum + &new_sum) / updated_n;
    let t = &new_sum / new_n;
    let temp = &x - &t;
    let correction = temp.sum_axis(Axis(0));
    let mut new_unnorm = temp.mapv(|v| v * v).sum_axis(Axis(0));
    new_unnorm -= &(correction.mapv(|c| c * c) / new_n);
    let var = if last_n == 0 {
        new_unnorm / updated_n
    } else {
        let last_unnorm = last_var * ln;
        let lon = ln / new_n;
        let d = (&last_sum / lon - &new_sum).mapv(|v| v * v);
        (last_unnorm + new_unnorm + d * (lon / updated_n)) / updated_n
    };
    (mean, var, last_n + x.nrows() as u64)
}
