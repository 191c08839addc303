//! Seeded weight initialisers.

use ndarray::Array2;
use rand::Rng as _;
use rand_distr::StandardNormal;

use crate::array::checked_len;
use crate::error::Result;
use crate::random::Rng;

/// How [`Dense::new`](crate::nn::Dense::new) draws its initial weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Init {
    /// [`he_normal`]: for ReLU layers.
    #[default]
    HeNormal,
    /// [`xavier_uniform`]: for tanh / sigmoid layers.
    XavierUniform,
}

impl Init {
    /// Draws a `(d_in, d_out)` weight matrix from `rng`.
    ///
    /// # Errors
    /// [`Error::Unsupported`](crate::Error::Unsupported) if the matrix would be absurdly large.
    pub fn sample(self, rng: &mut Rng, d_in: usize, d_out: usize) -> Result<Array2<f64>> {
        match self {
            Init::HeNormal => he_normal(rng, d_in, d_out),
            Init::XavierUniform => xavier_uniform(rng, d_in, d_out),
        }
    }
}

/// He (Kaiming) normal initialisation: `W ~ N(0, 2 / d_in)`, shape `(d_in, d_out)`.
///
/// The factor 2 compensates for ReLU zeroing half of its inputs, so activations keep
/// their variance from layer to layer (He et al., ICCV 2015). A layer with `d_in = 0`
/// has no weights to draw.
///
/// # Errors
/// [`Error::Unsupported`](crate::Error::Unsupported) if `d_in · d_out` is absurdly large.
///
/// # Examples
/// ```
/// let mut rng = mlinalg::random::rng(0);
/// let w = mlinalg::nn::he_normal(&mut rng, 200, 300)?;
/// assert_eq!(w.dim(), (200, 300));
/// let std = w.std(0.0);
/// assert!((std - (2.0f64 / 200.0).sqrt()).abs() < 0.005);
/// // the same seed gives the same weights
/// assert_eq!(w, mlinalg::nn::he_normal(&mut mlinalg::random::rng(0), 200, 300)?);
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn he_normal(rng: &mut Rng, d_in: usize, d_out: usize) -> Result<Array2<f64>> {
    checked_len("he_normal", &[d_in, d_out])?;
    let std = (2.0 / d_in.max(1) as f64).sqrt();
    Ok(Array2::from_shape_simple_fn((d_in, d_out), || {
        std * rng.sample::<f64, _>(StandardNormal)
    }))
}

/// Xavier (Glorot) uniform initialisation: `W ~ U(−a, a)` with `a = √(6 / (d_in + d_out))`,
/// shape `(d_in, d_out)`: variance `2 / (d_in + d_out)`, balancing the forward and backward
/// passes (Glorot & Bengio, AISTATS 2010).
///
/// # Errors
/// [`Error::Unsupported`](crate::Error::Unsupported) if `d_in · d_out` is absurdly large.
///
/// # Examples
/// ```
/// let mut rng = mlinalg::random::rng(1);
/// let w = mlinalg::nn::xavier_uniform(&mut rng, 10, 5)?;
/// let limit = (6.0f64 / 15.0).sqrt();
/// assert!(w.iter().all(|&v| v.abs() < limit));
/// # Ok::<(), mlinalg::Error>(())
/// ```
pub fn xavier_uniform(rng: &mut Rng, d_in: usize, d_out: usize) -> Result<Array2<f64>> {
    checked_len("xavier_uniform", &[d_in, d_out])?;
    let limit = (6.0 / d_in.saturating_add(d_out).max(1) as f64).sqrt();
    Ok(Array2::from_shape_simple_fn((d_in, d_out), || {
        // uniform on [0, 1) mapped to [−limit, limit)
        limit * (2.0 * rng.random::<f64>() - 1.0)
    }))
}
