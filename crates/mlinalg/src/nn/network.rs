//! A stack of dense layers: [`Sequential`], with a printable [`ShapeTrace`].

use std::fmt;

use ndarray::{Array2, ArrayView2};

use crate::array::fmt_shape;
use crate::error::{Error, Result};
use crate::nn::activation::Activation;
use crate::nn::dense::Dense;

const OP: &str = "sequential_forward";

/// Layers applied in order: `x → layers[0] → layers[1] → …`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sequential {
    /// The layers, first applied first.
    pub layers: Vec<Dense>,
}

/// The shapes seen by a forward pass, one line per step (see
/// [`Sequential::forward_traced`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShapeTrace {
    lines: Vec<String>,
}

impl ShapeTrace {
    /// The lines, in order.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.lines.clone()
    }
}

impl fmt::Display for ShapeTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.lines.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            f.write_str(line)?;
        }
        Ok(())
    }
}

impl Sequential {
    /// A network of `layers`.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::nn::{Activation, Dense, Init, Sequential};
    /// let mut rng = mlinalg::random::rng(0);
    /// let net = Sequential::new(vec![
    ///     Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut rng)?,
    ///     Dense::new(64, 3, Activation::Softmax, Init::XavierUniform, &mut rng)?,
    /// ]);
    /// let y = net.forward(mlinalg::random::randn2(32, 10, 1).view())?;
    /// assert_eq!(y.dim(), (32, 3));
    /// assert!(y.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    #[must_use]
    pub fn new(layers: Vec<Dense>) -> Self {
        Sequential { layers }
    }

    /// Checks the whole chain against an input of `width` columns before any computation:
    /// every layer's `d_in` must equal the width arriving at it, and every bias its `d_out`.
    fn validate(&self, input_shape: &[usize]) -> Result<()> {
        let rows = input_shape[0];
        let mut width = input_shape[1];
        for (i, layer) in self.layers.iter().enumerate() {
            layer.check_bias(OP).map_err(|e| match e {
                Error::Shape { detail, .. } => Error::shape(OP, format!("layer {i}: {detail}")),
                other => other,
            })?;
            if layer.d_in() != width {
                return Err(Error::shape(
                    OP,
                    format!(
                        "layer {i}: input {} does not fit weights {}: {} != {}",
                        fmt_shape(&[rows, width]),
                        fmt_shape(layer.weights.shape()),
                        width,
                        layer.d_in()
                    ),
                ));
            }
            width = layer.d_out();
        }
        Ok(())
    }

    /// The output for a batch `x` (n_samples, d_in of the first layer), any batch size.
    /// With no layers the output is `x` itself.
    ///
    /// # Errors
    /// [`Error::Shape`], raised before any computation, if some layer's `d_in` does not
    /// match the width arriving at it; the message names the layer index and both shapes,
    /// e.g. `sequential_forward: layer 1: input (32, 64) does not fit weights (32, 10): 64 != 32`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use mlinalg::nn::{Activation, Dense, Sequential};
    /// let net = Sequential::new(vec![
    ///     Dense::from_parts(array![[1., -1.]], array![0., 0.], Activation::Relu)?,
    /// ]);
    /// assert_eq!(net.forward(array![[2.], [-3.]].view())?, array![[2., 0.], [0., 3.]]);
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn forward(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.run(x, None)
    }

    /// [`forward`](Self::forward), also returning the shapes of every step: for each layer
    /// a line `(n, d_in) @ (d_in, d_out) + (d_out,) → (n, d_out)`, then, unless the
    /// activation is [`Activation::Identity`], a line `relu → (n, d_out)`.
    ///
    /// # Errors
    /// As [`forward`](Self::forward).
    ///
    /// # Examples
    /// ```
    /// use mlinalg::nn::{Activation, Dense, Init, Sequential};
    /// let mut rng = mlinalg::random::rng(0);
    /// let net = Sequential::new(vec![Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut rng)?]);
    /// let (y, trace) = net.forward_traced(ndarray::Array2::zeros((32, 10)).view())?;
    /// assert_eq!(y.dim(), (32, 64));
    /// assert_eq!(trace.to_string(), "(32, 10) @ (10, 64) + (64,) → (32, 64)\nrelu → (32, 64)");
    /// # Ok::<(), mlinalg::Error>(())
    /// ```
    pub fn forward_traced(&self, x: ArrayView2<'_, f64>) -> Result<(Array2<f64>, ShapeTrace)> {
        let mut trace = ShapeTrace::default();
        let y = self.run(x, Some(&mut trace))?;
        Ok((y, trace))
    }

    fn run(
        &self,
        x: ArrayView2<'_, f64>,
        mut trace: Option<&mut ShapeTrace>,
    ) -> Result<Array2<f64>> {
        self.validate(x.shape())?;
        let mut h = x.to_owned();
        for layer in &self.layers {
            let z = layer.affine(h.view())?;
            if let Some(t) = trace.as_deref_mut() {
                t.lines.push(format!(
                    "{} @ {} + {} → {}",
                    fmt_shape(h.shape()),
                    fmt_shape(layer.weights.shape()),
                    fmt_shape(layer.bias.shape()),
                    fmt_shape(z.shape())
                ));
            }
            h = match layer.activation {
                Activation::Identity => z,
                a => {
                    let out = a.apply(z.view());
                    if let Some(t) = trace.as_deref_mut() {
                        t.lines
                            .push(format!("{} → {}", a.name(), fmt_shape(out.shape())));
                    }
                    out
                }
            };
        }
        Ok(h)
    }
}
