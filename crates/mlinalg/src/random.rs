//! Seeded random data.
//!
//! Every random routine takes a `seed: u64` (or a [`Rng`] you seeded). The generator is a
//! *named* algorithm, ChaCha8 from `rand_chacha`, not `rand::rngs::StdRng`, whose algorithm
//! may change between rand versions: the same seed gives the same numbers in every
//! mlinalg version built on rand_chacha 0.9. The numbers differ from NumPy's for the same
//! seed (NumPy uses PCG64); only the distributions match.

use ndarray::{Array2, ArrayD, IxDyn};
use rand::{Rng as _, SeedableRng};
use rand_distr::StandardNormal;

/// The random generator used throughout mlinalg: ChaCha with 8 rounds.
pub type Rng = rand_chacha::ChaCha8Rng;

/// A generator seeded with `seed`.
///
/// # Examples
/// ```
/// use rand::Rng as _;
/// let mut a = mlinalg::random::rng(7);
/// let mut b = mlinalg::random::rng(7);
/// assert_eq!(a.random::<u64>(), b.random::<u64>());
/// ```
#[must_use]
pub fn rng(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

/// Standard-normal samples (mean 0, variance 1) of the given shape, from `rng`, in C order.
pub fn randn_with(rng: &mut Rng, shape: &[usize]) -> ArrayD<f64> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || rng.sample(StandardNormal))
}

/// Standard-normal samples of the given shape (NumPy `random.randn(*shape)`), seeded.
///
/// # Examples
/// ```
/// let x = mlinalg::random::randn(&[1000, 2], 0);
/// assert_eq!(x.shape(), &[1000, 2]);
/// assert!(x.mean().unwrap().abs() < 0.1);
/// assert_eq!(x, mlinalg::random::randn(&[1000, 2], 0));
/// ```
#[must_use]
pub fn randn(shape: &[usize], seed: u64) -> ArrayD<f64> {
    randn_with(&mut rng(seed), shape)
}

/// A `(nrows, ncols)` standard-normal matrix from `rng`.
pub fn randn2_with(rng: &mut Rng, nrows: usize, ncols: usize) -> Array2<f64> {
    Array2::from_shape_simple_fn((nrows, ncols), || rng.sample(StandardNormal))
}

/// A `(nrows, ncols)` standard-normal matrix, seeded: a dataset in the
/// `(n_samples, n_features)` layout.
///
/// # Examples
/// ```
/// let x = mlinalg::random::randn2(100, 3, 42);
/// assert_eq!(x.dim(), (100, 3));
/// ```
#[must_use]
pub fn randn2(nrows: usize, ncols: usize, seed: u64) -> Array2<f64> {
    randn2_with(&mut rng(seed), nrows, ncols)
}

/// Uniform samples on `[low, high)` of the given shape, from `rng`.
pub fn uniform_with(rng: &mut Rng, shape: &[usize], low: f64, high: f64) -> ArrayD<f64> {
    ArrayD::from_shape_simple_fn(IxDyn(shape), || low + (high - low) * rng.random::<f64>())
}

/// Uniform samples on `[low, high)` (NumPy `random.uniform(low, high, size)`), seeded.
///
/// # Examples
/// ```
/// let u = mlinalg::random::uniform(&[500], -1.0, 1.0, 3);
/// assert!(u.iter().all(|&v| (-1.0..1.0).contains(&v)));
/// ```
#[must_use]
pub fn uniform(shape: &[usize], low: f64, high: f64, seed: u64) -> ArrayD<f64> {
    uniform_with(&mut rng(seed), shape, low, high)
}
