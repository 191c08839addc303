//! Ridge regression (L2-penalised least squares): [`Ridge`] → [`FittedRidge`]
//! (scikit-learn `sklearn.linear_model.Ridge`).

use ndarray::{Array1, ArrayView1, ArrayView2};

use crate::error::{Error, Result};
use crate::linalg::Cholesky;
use crate::linear_model::linear_regression::{
    fit_linear, normal_equations, predict_linear, r2_score,
};
use crate::scalar::{RealScalar, convert, convert_scalar, widen};

const OP: &str = "ridge";

/// Ridge configuration: minimises `‖y − X w − b‖₂² + α ‖w‖₂²` (scikit-learn `Ridge`).
///
/// As scikit-learn, the intercept is not penalised: with `fit_intercept` (the default) X
/// and y are centred, `(Xcᵀ Xc + α I) w = Xcᵀ yc` is solved by Cholesky (scikit-learn's
/// `'cholesky'` solver, which its `'auto'` picks for dense input), and `b = ȳ − x̄·w`.
#[derive(Debug, Clone)]
pub struct Ridge {
    pub(crate) alpha: f64,
    pub(crate) fit_intercept: bool,
}

/// A fitted ridge model `ŷ = X w + b`, in the element type `T` of the training data
/// (`f64` by default, or `f32`, as scikit-learn keeps float32 `coef_`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FittedRidge<T: RealScalar = f64> {
    pub(crate) coef: Array1<T>,
    pub(crate) intercept: T,
}

impl Default for Ridge {
    /// scikit-learn's `Ridge()`: `alpha = 1.0`, with an intercept.
    fn default() -> Self {
        Ridge::new(1.0)
    }
}

impl Ridge {
    /// Ridge with penalty `alpha` (scikit-learn's default is 1.0) and an intercept.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::Ridge;
    /// // one feature, x = [1, −1], y = [1, −1]: w = Σxy / (Σx² + α) = 2 / (2 + 2)
    /// let m = Ridge::new(2.0).fit(array![[1.0f64], [-1.]].view(), array![1., -1.].view())?;
    /// assert!((m.coef()[0] - 0.5).abs() < 1e-12 && m.intercept().abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn new(alpha: f64) -> Self {
        Ridge {
            alpha,
            fit_intercept: true,
        }
    }

    /// Whether to fit an (unpenalised) intercept, scikit-learn's `fit_intercept`; default
    /// true.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::Ridge;
    /// let (x, y) = (array![[1.0f64], [2.]], array![3., 5.]);
    /// let m = Ridge::default().fit_intercept(false).fit(x.view(), y.view())?;
    /// // through 0: w = Σxy / (Σx² + α) = 13 / (5 + 1)
    /// assert!((m.coef()[0] - 13.0 / 6.0).abs() < 1e-12 && m.intercept() == 0.0);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn fit_intercept(mut self, f: bool) -> Self {
        self.fit_intercept = f;
        self
    }

    /// Fits `x` (n_samples, n_features) to `y` (n_samples,), both `f64` or both `f32`; the
    /// model keeps that type (`f32` data are solved in `f64`, the coefficients rounded).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if `alpha` is negative or not finite (scikit-learn:
    /// `alpha` in `[0, ∞)`); [`Error::Shape`]; [`Error::Empty`]; [`Error::NonFinite`];
    /// [`Error::NotPositiveDefinite`] when `alpha = 0` and X is rank deficient.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::Ridge;
    /// let e = Ridge::new(-1.0).fit(array![[1.0f64]].view(), array![1.].view()).unwrap_err();
    /// assert_eq!(e.to_string(), "ridge: invalid alpha: alpha=-1 must be a finite number >= 0");
    /// ```
    pub fn fit<T: RealScalar>(
        &self,
        x: ArrayView2<'_, T>,
        y: ArrayView1<'_, T>,
    ) -> Result<FittedRidge<T>> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::param(
                OP,
                "alpha",
                format!("alpha={} must be a finite number >= 0", self.alpha),
            ));
        }
        let alpha = self.alpha;
        let (x, y) = (widen(x), widen(y));
        let (coef, intercept) =
            fit_linear(OP, x.view(), y.view(), self.fit_intercept, |xc, yc| {
                let (mut a, b) = normal_equations(xc, yc)?;
                a.diag_mut().mapv_inplace(|d| d + alpha);
                Cholesky::new(a.view())
                    .map_err(|e| e.with_op(OP))?
                    .solve(&b)
                    .map_err(|e| e.with_op(OP))
            })?;
        Ok(FittedRidge {
            coef: convert(coef),
            intercept: convert_scalar(intercept),
        })
    }
}

impl<T: RealScalar> FittedRidge<T> {
    /// The same model in another element type (`f32` ↔ `f64`).
    #[must_use]
    pub fn into_precision<U: RealScalar>(self) -> FittedRidge<U> {
        FittedRidge {
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
    /// use mlinalg::linear_model::Ridge;
    /// let m = Ridge::new(0.0).fit(array![[0.0f64], [1.]].view(), array![1., 3.].view())?;
    /// assert!((m.predict(array![[2.]].view())?[0] - 5.0).abs() < 1e-12);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn predict(&self, x: ArrayView2<'_, T>) -> Result<Array1<T>> {
        predict_linear("ridge_predict", &self.coef, self.intercept, x)
    }

    /// R² of the predictions on `(x, y)`.
    ///
    /// # Errors
    /// As [`predict`](Self::predict); [`Error::Shape`] if `y.len() != x.nrows()`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::linear_model::Ridge;
    /// let x = array![[0.0f64], [1.], [2.]];
    /// let m = Ridge::new(1e-12).fit(x.view(), array![0., 1., 2.].view())?;
    /// assert!((m.score(x.view(), array![0., 1., 2.].view())? - 1.0).abs() < 1e-9);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn score(&self, x: ArrayView2<'_, T>, y: ArrayView1<'_, T>) -> Result<f64> {
        let pred = self.predict(x)?;
        r2_score("ridge_score", y, &pred)
    }
}
