//! Data larger than memory: mergeable states updated one block of rows at a time.
//!
//! Every streamed fit is a pass (or a few) over row blocks that feeds a small state; states
//! built on different parts of the data merge, in any order and grouping, into the state
//! of the whole, so the same code runs on one core, on many, and on many machines (their
//! serialised form crosses the network).
//!
//! | state | holds | gives |
//! |---|---|---|
//! | [`Moments`] | count, mean, centred `Σ(x − x̄)²` per column | means, variances |
//! | [`Gram`] | count, mean, centred `Σ(z − z̄)(z − z̄)ᵀ` of z = [x \| y] | covariance, exact PCA ([`Pca::fit_gram`](crate::decomposition::Pca::fit_gram)), regression ([`LinearRegression::fit_gram`](crate::linear_model::LinearRegression::fit_gram), [`Ridge::fit_gram`](crate::linear_model::Ridge::fit_gram)) |
//! | [`Tsqr`] | count, mean, R of the centred [x \| y] | regression with QR accuracy ([`LinearRegression::fit_tsqr`](crate::linear_model::LinearRegression::fit_tsqr), [`Ridge::fit_tsqr`](crate::linear_model::Ridge::fit_tsqr)), [`lstsq_tsqr`], singular values |
//!
//! All three centre each block by its own mean and merge with Chan's pairwise correction,
//! never with raw sums of squares, so a column with mean 10⁸ and variance 1 keeps its
//! digits.
//!
//! # Serialised form
//! `to_bytes` / `from_bytes`: a 32-byte little-endian header (magic `MLST`, kind, format
//! version 1, n_features, n_targets, count), the f64 values (the mean, then `M2`, or the
//! packed lower triangle of the cross products by rows, or the packed upper triangle of R
//! by rows), and an FNV-1a 64 checksum. `from_bytes` validates everything and returns an
//! [`Error::Format`](crate::Error::Format) for hostile bytes.
//!
//! # Examples
//! ```
//! use ndarray::{array, s};
//! use mlinalg::stream::Gram;
//! use mlinalg::decomposition::Pca;
//! let x = array![[1.0, 2.0], [2.0, 4.1], [3.0, 5.9], [4.0, 8.2], [5.0, 9.8]];
//! // two workers, each with part of the rows
//! let mut a = Gram::new(2);
//! a.update(x.slice(s![..2, ..]))?;
//! let mut b = Gram::new(2);
//! b.update(x.slice(s![2.., ..]))?;
//! // b's state crosses the network, then merges
//! a.merge(&Gram::from_bytes(&b.to_bytes())?)?;
//! let streamed = Pca::new(Some(1)).fit_gram(&a)?;
//! let in_memory = Pca::new(Some(1)).fit(x.view())?;
//! let d = &streamed.components().row(0) - &in_memory.components().row(0);
//! assert!(d.iter().all(|v| v.abs() < 1e-12));
//! # Ok::<(), mlinalg::Error>(())
//! ```

mod codec;
mod gram;
mod moments;
mod solve;
mod tsqr;

pub use crate::memory::MemoryLimit;
pub use gram::Gram;
pub use moments::Moments;
pub use solve::lstsq_tsqr;
pub use tsqr::Tsqr;
