//! Ordinary least squares: [`LinearRegression`] → [`FittedLinearRegression`]
//! (scikit-learn `sklearn.linear_model.LinearRegression`).

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

use crate::array::{check_input, fmt_shape};
use crate::error::{Error, Result};
use crate::linalg::{Cholesky, lstsq, solve};
use crate::ops::{matmul_2d, matvec};
use crate::scalar::{RealScalar, convert, convert_scalar, widen};

const OP: &str = "linear_regression";

/// How [`LinearRegression`] solves the least-squares problem `min ‖y − X w‖₂`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum LinearSolver {
    /// The normal equations `Xᵀ X w = Xᵀ y` by Cholesky. Fastest (one p×p factorisation),
    /// but squares the condition number: with κ(X) = 10⁸ it keeps no correct digit.
    /// Fails with [`Error::NotPositiveDefinite`] when X has dependent columns.
    NormalEquation,
    /// The normal equations by LU ([`solve`]): same conditioning as `NormalEquation`,
    /// [`Error::Singular`] only for an exactly singular `Xᵀ X`.
    Solve,
    /// SVD-based least squares ([`lstsq`], LAPACK `gelsd`), as scikit-learn (SciPy
    /// `lstsq`): backward stable, works on X directly (condition κ, not κ²), and returns
    /// the minimum-norm solution when X is rank deficient. The default.
    #[default]
    Lstsq,
}

/// Ordinary least-squares configuration (scikit-learn `LinearRegression`).
///
/// Defaults: [`LinearSolver::Lstsq`], `fit_intercept = true`.
#[derive(Debug, Clone)]
pub struct LinearRegression {
    pub(crate) solver: LinearSolver,
    pub(crate) fit_intercept: bool,
}

impl Default for LinearRegression {
    fn default() -> Self {
        LinearRegression::new()
    }
}

/// A fitted linear model `ŷ = X w + b`, in the element type `T` of the training data
/// (`f64` by default, or `f32`: scikit-learn keeps float32 `coef_` for float32 data).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FittedLinearRegression<T: RealScalar = f64> {
    pub(crate) coef: Array1<T>,
    pub(crate) intercept: T,
}

impl LinearRegression {
    /// A least-squares fit with the default solver (lstsq) and an intercept.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::LinearRegression;
    /// let x = array![[0.0f64], [1.], [2.], [3.]];
    /// let y = array![1., 3., 5., 7.];
    /// let m = LinearRegression::new().fit(x.view(), y.view())?;
    /// assert!((m.coef()[0] - 2.0).abs() < 1e-12 && (m.intercept() - 1.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn new() -> Self {
        LinearRegression {
            solver: LinearSolver::Lstsq,
            fit_intercept: true,
        }
    }

    /// Chooses the solver (default [`LinearSolver::Lstsq`], what scikit-learn's
    /// `LinearRegression` uses; scikit-learn has no such parameter).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::{LinearRegression, LinearSolver};
    /// let (x, y) = (array![[0.0f64], [1.], [2.]], array![1., 3., 5.]);
    /// let m = LinearRegression::new().solver(LinearSolver::NormalEquation).fit(x.view(), y.view())?;
    /// assert!((m.coef()[0] - 2.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn solver(mut self, s: LinearSolver) -> Self {
        self.solver = s;
        self
    }

    /// Whether to fit an intercept, scikit-learn's `fit_intercept` (default true). If true,
    /// X and y are centred before solving and `b = ȳ − x̄·w`, as scikit-learn; if false, the
    /// model goes through 0.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::LinearRegression;
    /// let (x, y) = (array![[1.0f64], [2.]], array![3., 5.]);
    /// let m = LinearRegression::new().fit_intercept(false).fit(x.view(), y.view())?;
    /// // through 0: w = Σxy / Σx² = 13 / 5
    /// assert!((m.coef()[0] - 2.6).abs() < 1e-12 && m.intercept() == 0.0);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn fit_intercept(mut self, f: bool) -> Self {
        self.fit_intercept = f;
        self
    }

    /// Fits `x` (n_samples, n_features) to `y` (n_samples,), both `f64` or both `f32`; the
    /// model keeps that type. `f32` data are solved in `f64` (widened exactly) and the
    /// coefficients rounded to `f32`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `y.len() != x.nrows()`; [`Error::Empty`]; [`Error::NonFinite`];
    /// for the normal-equation solvers [`Error::NotPositiveDefinite`] /
    /// [`Error::Singular`] on a rank-deficient X.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::{LinearRegression, LinearSolver};
    /// let x = array![[1.0f64, 0.], [0., 1.], [1., 1.]];
    /// let y = array![1., 2., 3.];
    /// let m = LinearRegression::new()
    ///     .solver(LinearSolver::NormalEquation)
    ///     .fit_intercept(false)
    ///     .fit(x.view(), y.view())?;
    /// assert!((m.coef()[1] - 2.0).abs() < 1e-12 && m.intercept() == 0.0);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn fit<T: RealScalar>(
        &self,
        x: ArrayView2<'_, T>,
        y: ArrayView1<'_, T>,
    ) -> Result<FittedLinearRegression<T>> {
        let (x, y) = (widen(x), widen(y));
        let (coef, intercept) =
            fit_linear(OP, x.view(), y.view(), self.fit_intercept, |xc, yc| {
                solve_ls(self.solver, xc, yc)
            })?;
        Ok(FittedLinearRegression {
            coef: convert(coef),
            intercept: convert_scalar(intercept),
        })
    }
}

/// Validates `x`, `y`, centres them when `fit_intercept`, calls `solver` on the (centred)
/// data and recovers the intercept `b = ȳ − x̄·w` (scikit-learn's `_preprocess_data`).
pub(crate) fn fit_linear(
    op: &'static str,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    fit_intercept: bool,
    solver: impl FnOnce(ArrayView2<'_, f64>, ArrayView1<'_, f64>) -> Result<Array1<f64>>,
) -> Result<(Array1<f64>, f64)> {
    check_input(op, &x)?;
    check_input(op, &y)?;
    if y.len() != x.nrows() {
        return Err(Error::shape(
            op,
            format!(
                "x and y have different numbers of samples: x is {}, y is {}: {} != {}",
                fmt_shape(x.shape()),
                fmt_shape(y.shape()),
                x.nrows(),
                y.len()
            ),
        ));
    }
    if fit_intercept {
        // safe because check_input rejected an empty x (so n_samples ≥ 1)
        let x_mean = x
            .mean_axis(Axis(0))
            .ok_or_else(|| Error::shape(op, "no samples"))?;
        let y_mean = y.mean().ok_or_else(|| Error::shape(op, "no samples"))?;
        let xc = &x - &x_mean;
        let yc = &y - y_mean;
        let w = solver(xc.view(), yc.view())?;
        let b = y_mean - x_mean.dot(&w);
        Ok((w, b))
    } else {
        Ok((solver(x, y)?, 0.0))
    }
}

/// `Xᵀ X` and `Xᵀ y` (faer GEMM on the transposed view, no copy of X).
pub(crate) fn normal_equations(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<(Array2<f64>, Array1<f64>)> {
    let mut xtx = matmul_2d(x.t(), x)?;
    // Symmetrise: the GEMM's rounding may differ in the last bit between (i, j) and (j, i).
    let p = xtx.nrows();
    for i in 0..p {
        for j in 0..i {
            let avg = 0.5 * (xtx[[i, j]] + xtx[[j, i]]);
            xtx[[i, j]] = avg;
            xtx[[j, i]] = avg;
        }
    }
    let xty = matvec(x.t(), y)?;
    Ok((xtx, xty))
}

fn solve_ls(
    solver: LinearSolver,
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
) -> Result<Array1<f64>> {
    match solver {
        LinearSolver::Lstsq => Ok(lstsq(x, &y, None).map_err(|e| e.with_op(OP))?.x),
        LinearSolver::NormalEquation => {
            let (xtx, xty) = normal_equations(x, y)?;
            Cholesky::new(xtx.view())
                .map_err(|e| e.with_op(OP))?
                .solve(&xty)
                .map_err(|e| e.with_op(OP))
        }
        LinearSolver::Solve => {
            let (xtx, xty) = normal_equations(x, y)?;
            solve(xtx.view(), &xty).map_err(|e| e.with_op(OP))
        }
    }
}

/// `X w + b` for a fitted linear model, with the feature-count check, in `T`'s precision.
pub(crate) fn predict_linear<T: RealScalar>(
    op: &'static str,
    coef: &Array1<T>,
    intercept: T,
    x: ArrayView2<'_, T>,
) -> Result<Array1<T>> {
    if x.ncols() != coef.len() {
        return Err(Error::shape(
            op,
            format!(
                "x has {} features, the model was fitted on {}: got shape {}",
                x.ncols(),
                coef.len(),
                fmt_shape(x.shape())
            ),
        ));
    }
    crate::array::check_finite(op, &x)?;
    Ok(matvec(x, coef.view())? + intercept)
}

/// The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² (scikit-learn
/// `r2_score`): 1 for a perfect fit, 0 for predicting the mean, negative when worse. For a
/// constant `y` scikit-learn returns 1 if the prediction is perfect and 0 otherwise; so do we.
pub(crate) fn r2_score<T: RealScalar>(
    op: &'static str,
    y: ArrayView1<'_, T>,
    pred: &Array1<T>,
) -> Result<f64> {
    if y.len() != pred.len() {
        return Err(Error::shape(
            op,
            format!("y has {} samples, x has {}", y.len(), pred.len()),
        ));
    }
    check_input(op, &y)?;
    // The sums in f64 whatever T (scikit-learn's score is a Python float).
    let y = widen(y);
    let pred = widen(pred.view());
    // safe because check_input rejected an empty y
    let mean = y.mean().ok_or_else(|| Error::shape(op, "no samples"))?;
    let ss_res: f64 = y
        .iter()
        .zip(pred.iter())
        .map(|(a, b)| (a - b) * (a - b))
        .sum();
    let ss_tot: f64 = y.iter().map(|a| (a - mean) * (a - mean)).sum();
    Ok(if ss_tot == 0.0 {
        if ss_res == 0.0 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    })
}

impl<T: RealScalar> FittedLinearRegression<T> {
    /// The same model in another element type (`f32` ↔ `f64`).
    #[must_use]
    pub fn into_precision<U: RealScalar>(self) -> FittedLinearRegression<U> {
        FittedLinearRegression {
            coef: convert(self.coef),
            intercept: convert_scalar(self.intercept),
        }
    }

    /// The weights w, (n_features,).
    #[must_use]
    pub fn coef(&self) -> &Array1<T> {
        &self.coef
    }

    /// The intercept b (0 when `fit_intercept` is false).
    #[must_use]
    pub fn intercept(&self) -> T {
        self.intercept
    }

    /// `ŷ = X w + b`.
    ///
    /// # Errors
    /// [`Error::Shape`] if `x` has a different number of features; [`Error::NonFinite`].
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::LinearRegression;
    /// let m = LinearRegression::new().fit(array![[0.0f64], [1.]].view(), array![1., 3.].view())?;
    /// assert!((m.predict(array![[2.]].view())?[0] - 5.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn predict(&self, x: ArrayView2<'_, T>) -> Result<Array1<T>> {
        predict_linear("linear_regression_predict", &self.coef, self.intercept, x)
    }

    /// R² of the predictions on `(x, y)` (scikit-learn `score`).
    ///
    /// # Errors
    /// As [`predict`](Self::predict); [`Error::Shape`] if `y.len() != x.nrows()`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::LinearRegression;
    /// let x = array![[0.0f64], [1.], [2.]];
    /// let m = LinearRegression::new().fit(x.view(), array![0., 1., 2.].view())?;
    /// assert!((m.score(x.view(), array![0., 1., 2.].view())? - 1.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn score(&self, x: ArrayView2<'_, T>, y: ArrayView1<'_, T>) -> Result<f64> {
        let pred = self.predict(x)?;
        r2_score("linear_regression_score", y, &pred)
    }
}
