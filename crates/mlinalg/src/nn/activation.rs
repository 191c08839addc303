//! Element-wise and row-wise activation functions of a dense network.

use ndarray::{Array2, ArrayView2, Axis};

/// The activation applied after a [`Dense`](crate::nn::Dense) layer's affine map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Activation {
    /// `f(z) = z` (no activation: a linear output layer, e.g. for regression).
    #[default]
    Identity,
    /// [`relu`]: `max(z, 0)`.
    Relu,
    /// [`sigmoid`]: `1 / (1 + e⁻ᶻ)`.
    Sigmoid,
    /// [`tanh`].
    Tanh,
    /// [`softmax`], row by row (one probability vector per sample).
    Softmax,
}

impl Activation {
    /// Applies the activation to a batch `z` (n_samples, width).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::nn::Activation;
    /// assert_eq!(Activation::Relu.apply(array![[-1., 2.]].view()), array![[0., 2.]]);
    /// ```
    #[must_use]
    pub fn apply(self, z: ArrayView2<'_, f64>) -> Array2<f64> {
        match self {
            Activation::Identity => z.to_owned(),
            Activation::Relu => relu(z),
            Activation::Sigmoid => sigmoid(z),
            Activation::Tanh => tanh(z),
            Activation::Softmax => softmax(z),
        }
    }

    /// The lowercase name used in shape traces: `identity`, `relu`, `sigmoid`, `tanh`,
    /// `softmax`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(mlinalg::nn::Activation::Softmax.name(), "softmax");
    /// ```
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Softmax => "softmax",
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Rectified linear unit, `max(z, 0)` element-wise. NaN stays NaN (as NumPy `maximum`).
///
/// # Examples
/// ```
/// use ndarray::array;
/// assert_eq!(mlinalg::nn::relu(array![[-3., 0., 2.5]].view()), array![[0., 0., 2.5]]);
/// ```
#[must_use]
pub fn relu(z: ArrayView2<'_, f64>) -> Array2<f64> {
    // `if v > 0 { v } else if v.is_nan() {..}`: f64::max would turn NaN into 0 and hide it.
    z.mapv(|v| if v.is_nan() || v > 0.0 { v } else { 0.0 })
}

/// One logistic value, stable for any `z`.
///
/// `1 / (1 + e⁻ᶻ)` overflows `e⁻ᶻ` for z ≲ −709; the algebraically equal `eᶻ / (1 + eᶻ)`
/// only ever exponentiates a non-positive number, so neither form overflows on its side.
#[inline]
fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The logistic sigmoid `σ(z) = 1 / (1 + e⁻ᶻ)` element-wise, computed without overflow:
/// `σ(1000) = 1`, `σ(−1000) = 0` exactly, never NaN for finite input.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let s = mlinalg::nn::sigmoid(array![[-1000., 0., 1000.]].view());
/// assert_eq!(s, array![[0., 0.5, 1.]]);
/// ```
#[must_use]
pub fn sigmoid(z: ArrayView2<'_, f64>) -> Array2<f64> {
    z.mapv(logistic)
}

/// Hyperbolic tangent element-wise (saturates to ±1, no overflow).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let t = mlinalg::nn::tanh(array![[0., 1000.]].view());
/// assert_eq!(t, array![[0., 1.]]);
/// ```
#[must_use]
pub fn tanh(z: ArrayView2<'_, f64>) -> Array2<f64> {
    z.mapv(f64::tanh)
}

/// Row-wise softmax, `softmax(z)ᵢⱼ = e^{zᵢⱼ − mᵢ} / Σₖ e^{zᵢₖ − mᵢ}` with `mᵢ = maxₖ zᵢₖ`.
///
/// Subtracting the row maximum leaves the result unchanged mathematically and keeps every
/// exponent ≤ 0, so large logits (1000) neither overflow nor produce NaN. Each row sums
/// to 1. A row containing +∞ or NaN gives NaN (as SciPy `softmax`).
///
/// # Examples
/// ```
/// use ndarray::array;
/// let p = mlinalg::nn::softmax(array![[1000., 1000.], [0., f64::ln(3.0)]].view());
/// assert_eq!(p.row(0).to_vec(), vec![0.5, 0.5]);
/// assert!((p[[1, 1]] - 0.75).abs() < 1e-15);
/// ```
#[must_use]
pub fn softmax(z: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut out = z.to_owned();
    for mut row in out.axis_iter_mut(Axis(0)) {
        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.mapv_inplace(|v| (v - m).exp());
        let sum: f64 = row.sum();
        row.mapv_inplace(|v| v / sum);
    }
    out
}
