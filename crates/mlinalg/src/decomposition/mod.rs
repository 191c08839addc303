//! Matrix decompositions for machine learning, as scikit-learn's `sklearn.decomposition`
//! and the kernels of its `utils.extmath`.
//!
//! | scikit-learn | mlinalg |
//! |---|---|
//! | `PCA(n_components, svd_solver=…, whiten=…)` | [`Pca`] → [`FittedPca`] |
//! | `TruncatedSVD(n_components, algorithm=…)` | [`TruncatedSvd`] → [`FittedTruncatedSvd`] |
//! | `utils.extmath.randomized_range_finder` | [`randomized_range_finder`] |
//! | `utils.extmath.randomized_svd(M, n_components, n_oversamples=…, …)` | [`randomized_svd`] with [`RandomizedSvdOptions`] |
//! | `utils.extmath.svd_flip` | applied to every result (signs are API) |
//!
//! The builder methods take scikit-learn's parameter names; an optional parameter takes a
//! value or `None` alike (`Pca::new(3)`, `Pca::new(Some(3))`, `Pca::new(None)`), and `None`
//! is the estimator's scikit-learn default:
//!
//! | scikit-learn keyword | [`Pca`] | [`TruncatedSvd`] | [`IncrementalPca`] |
//! |---|---|---|---|
//! | `n_components` | `new(n)`; `None`: all | `new(n)`; `None`: 2 | `new(n)`; `None`: all (of the first batch) |
//! | `svd_solver` / `algorithm` | `solver(PcaSolver)` | `algorithm(TruncatedSvdAlgorithm)` | — |
//! | `whiten` | `whiten(bool)` | — | `whiten(bool)` |
//! | `n_iter` | `n_iter(n)`; `None`: `'auto'` | `n_iter(n)`; `None`: 5 | — |
//! | `n_oversamples` | `n_oversamples(n)` | `n_oversamples(n)` | — |
//! | `power_iteration_normalizer` | `power_iteration_normalizer(…)` | `power_iteration_normalizer(…)` | — |
//! | `random_state` | `seed(u64)` | `seed(u64)` | — |
//! | `batch_size` | — | — | `batch_size(n)`; `None`: 5·n_features |
//!
//! There is no `tol` (it only serves scikit-learn's ARPACK solver, which mlinalg does not
//! have) and no `copy` (inputs are borrowed views, never modified).
//!
//! Conventions kept from scikit-learn (and pinned by fixture tests):
//! * explained variance is `σ² / (n_samples − 1)` for PCA, and the ratio divides by the
//!   *total* variance of the data, not the sum over kept components;
//! * TruncatedSVD does not centre; its explained variance is the `ddof = 0` variance of the
//!   transformed columns, and the randomized solver's transform is `X Vᵀ`, not `U Σ`;
//! * components are signed so that the largest-|·| entry of each component is positive
//!   (`svd_flip(u_based_decision=False)`).
//!
//! Element types follow scikit-learn: [`Pca`] and [`TruncatedSvd`] fitted on `f32` data
//! give `f32` models ([`FittedPca<f32>`], [`FittedTruncatedSvd<f32>`]); [`IncrementalPca`]
//! takes `f32` batches and keeps `f64` state and attributes, as scikit-learn's
//! `IncrementalPCA` does. Sparse matrices ([`crate::sparse::CsrMatrix`]) hold `f64`; a
//! model fitted on one converts with `into_precision::<f32>()` (what the CLI does for a
//! float32 scipy.sparse file, whose values widen exactly).
//!
//! Randomized solvers take a `seed` (default 0) for mlinalg's named generator
//! ([`crate::random::Rng`]); results are reproducible across runs and platforms but differ
//! from scikit-learn's for the same seed.

mod incremental_pca;
mod lanczos;
mod pca;
pub(crate) mod randomized;
pub(crate) mod sign;
mod truncated_svd;

pub use incremental_pca::IncrementalPca;
pub(crate) use incremental_pca::State as IncrementalPcaState;
pub use pca::{FittedPca, Pca, PcaSolver};
pub use randomized::{
    LinearOperator, PowerIterationNormalizer, RandomizedSvdOptions, auto_n_iter,
    randomized_range_finder, randomized_svd,
};
pub use truncated_svd::{FittedTruncatedSvd, TruncatedSvd, TruncatedSvdAlgorithm};

/// The former name of [`TruncatedSvdAlgorithm`].
#[deprecated(since = "0.1.0", note = "renamed `TruncatedSvdAlgorithm`")]
pub type TsvdAlgorithm = TruncatedSvdAlgorithm;
