//! A fully connected layer: [`Dense`].

use ndarray::{Array1, Array2, ArrayView2};

use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::nn::activation::Activation;
use crate::nn::init::Init;
use crate::ops::matmul_2d;
use crate::random::Rng;

/// A fully connected layer `f(X W + b)`.
///
/// Row-vector convention (as NumPy/Keras code): a batch X is `(n_samples, d_in)`, the
/// weights are `(d_in, d_out)` and the bias `(d_out,)` is broadcast over the batch, so the
/// output is `(n_samples, d_out)` for any batch size.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// Weights, `(d_in, d_out)`.
    pub weights: Array2<f64>,
    /// Bias, `(d_out,)`, added to every row.
    pub bias: Array1<f64>,
    /// Applied after the affine map.
    pub activation: Activation,
}

impl Dense {
    /// A layer with weights drawn by `init` from `rng` and a zero bias.
    ///
    /// # Errors
    /// [`Error::Unsupported`] if `d_in · d_out` is absurdly large.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::nn::{Activation, Dense, Init};
    /// let mut rng = mlinalg::random::rng(0);
    /// let layer = Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut rng)?;
    /// assert_eq!(layer.weights.dim(), (10, 64));
    /// assert_eq!(layer.bias.len(), 64);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn new(
        d_in: usize,
        d_out: usize,
        activation: Activation,
        init: Init,
        rng: &mut Rng,
    ) -> Result<Dense> {
        let weights = init.sample(rng, d_in, d_out)?;
        // Zero bias: the usual default (Keras, PyTorch's He-init recipes); the weights
        // already break the symmetry between units.
        Ok(Dense {
            weights,
            bias: Array1::zeros(d_out),
            activation,
        })
    }

    /// A layer from given weights and bias.
    ///
    /// # Errors
    /// [`Error::Shape`] if `bias.len() != weights.ncols()`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::nn::{Activation, Dense};
    /// let l = Dense::from_parts(array![[1., 0.], [0., 1.]], array![0.5, -0.5], Activation::Relu)?;
    /// assert_eq!(l.forward(array![[1., 0.]].view())?, array![[1.5, 0.]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn from_parts(
        weights: Array2<f64>,
        bias: Array1<f64>,
        activation: Activation,
    ) -> Result<Dense> {
        let layer = Dense {
            weights,
            bias,
            activation,
        };
        layer.check_bias("dense")?;
        Ok(layer)
    }

    /// Input width `d_in`.
    #[must_use]
    pub fn d_in(&self) -> usize {
        self.weights.nrows()
    }

    /// Output width `d_out`.
    #[must_use]
    pub fn d_out(&self) -> usize {
        self.weights.ncols()
    }

    /// The bias must match the weights (the fields are public, so check before use).
    pub(crate) fn check_bias(&self, op: &'static str) -> Result<()> {
        if self.bias.len() != self.weights.ncols() {
            return Err(Error::shape(
                op,
                format!(
                    "bias {} does not match weights {}: {} != {}",
                    fmt_shape(self.bias.shape()),
                    fmt_shape(self.weights.shape()),
                    self.bias.len(),
                    self.weights.ncols()
                ),
            ));
        }
        Ok(())
    }

    /// The pre-activation `X W + b` (bias broadcast over rows).
    pub(crate) fn affine(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut z = matmul_2d(x, self.weights.view())?;
        z += &self.bias;
        Ok(z)
    }

    /// `f(X W + b)` for a batch `x` (n_samples, d_in).
    ///
    /// # Errors
    /// [`Error::Shape`] if `x.ncols() != d_in` or the bias does not match the weights.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::nn::{Activation, Dense};
    /// let l = Dense::from_parts(array![[2.], [1.]], array![-1.], Activation::Identity)?;
    /// assert_eq!(l.forward(array![[1., 1.], [0., 0.]].view())?, array![[2.], [-1.]]);
    /// assert!(l.forward(array![[1., 1., 1.]].view()).is_err());
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn forward(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        const OP: &str = "dense_forward";
        self.check_bias(OP)?;
        if x.ncols() != self.d_in() {
            return Err(Error::shape(
                OP,
                format!(
                    "input {} does not fit weights {}: {} != {}",
                    fmt_shape(x.shape()),
                    fmt_shape(self.weights.shape()),
                    x.ncols(),
                    self.d_in()
                ),
            ));
        }
        let z = self.affine(x)?;
        Ok(match self.activation {
            Activation::Identity => z,
            a => a.apply(z.view()),
        })
    }
}
