//! A minimal dense neural network, forward pass only: the linear algebra of deep learning.
//!
//! A batch is `(n_samples, width)`; a [`Dense`] layer computes `f(X W + b)` with weights
//! `(d_in, d_out)` and the bias broadcast over the batch; a [`Sequential`] chains layers,
//! validates the whole chain's shapes before computing, and can report every step's shapes
//! ([`ShapeTrace`]). Initialisers ([`he_normal`], [`xavier_uniform`]) draw from mlinalg's
//! seeded generator ([`crate::random::Rng`]), so networks are reproducible.
//!
//! ```
//! use mlinalg::nn::{Activation, Dense, Init, Sequential};
//! let mut rng = mlinalg::random::rng(42);
//! let net = Sequential::new(vec![
//!     Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut rng)?,
//!     Dense::new(64, 10, Activation::Softmax, Init::XavierUniform, &mut rng)?,
//! ]);
//! let (probs, trace) = net.forward_traced(mlinalg::random::randn2(32, 10, 0).view())?;
//! assert_eq!(probs.dim(), (32, 10));
//! assert_eq!(trace.lines()[0], "(32, 10) @ (10, 64) + (64,) → (32, 64)");
//! assert_eq!(trace.lines()[1], "relu → (32, 64)");
//! # Ok::<(), mlinalg::Error>(())
//! ```

mod activation;
mod dense;
mod init;
mod network;

pub use activation::{Activation, relu, sigmoid, softmax, tanh};
pub use dense::Dense;
pub use init::{Init, he_normal, xavier_uniform};
pub use network::{Sequential, ShapeTrace};
