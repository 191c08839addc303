//! Linear models, as scikit-learn's `sklearn.linear_model`.
//!
//! | scikit-learn | mlinalg |
//! |---|---|
//! | `LinearRegression(fit_intercept=True)` | [`LinearRegression`] → [`FittedLinearRegression`] |
//! | `Ridge(alpha=1.0, fit_intercept=True)` | [`Ridge`] → [`FittedRidge`] |
//!
//! With `fit_intercept`, X and y are centred before solving and the intercept is recovered
//! as `b = ȳ − x̄·w`; Ridge does not penalise it (scikit-learn semantics). `score` is R².
//!
//! Why [`LinearSolver::Lstsq`] is the default: the normal equations `Xᵀ X w = Xᵀ y` square
//! the condition number of X, so a design with κ(X) = 10⁶ keeps only ~4 correct digits
//! (ε·κ² ≈ 10⁻⁴) where SVD-based least squares keeps ~10 (ε·κ ≈ 10⁻¹⁰).
//!
//! ```
//! use ndarray::array;
//! use mlinalg::linear_model::{LinearRegression, LinearSolver};
//! let x = array![[1.0f64, 1.], [1., 2.], [1., 3.]];
//! let y = array![2., 3., 4.];
//! for solver in [LinearSolver::Lstsq, LinearSolver::NormalEquation, LinearSolver::Solve] {
//!     let m = LinearRegression::new().solver(solver).fit_intercept(false).fit(x.view(), y.view())?;
//!     assert!((m.coef()[0] - 1.0).abs() < 1e-10 && (m.coef()[1] - 1.0).abs() < 1e-10);
//! }
//! # Ok::<(), mlinalg::Error>(())
//! ```

mod linear_regression;
mod ridge;

pub use linear_regression::{FittedLinearRegression, LinearRegression, LinearSolver};
pub use ridge::{FittedRidge, Ridge};

pub(crate) use linear_regression::r2_score;
