//! # mlinalg: linear algebra for machine learning
//!
//! NumPy's `linalg`, the dense part of `scipy.linalg` and the linear-algebra core of
//! scikit-learn for Rust, on [`ndarray`] arrays with [`faer`](https://docs.rs/faer) kernels.
//!
//! ## Map of the modules
//!
//! | module | what it holds | NumPy / SciPy / scikit-learn names |
//! |---|---|---|
//! | [`array`](mod@array) | constructors, shape formatting, checked allocation | `np.eye`, `np.zeros` |
//! | [`random`] | seeded generators | `np.random.default_rng`, `standard_normal`, `uniform` |
//! | [`vector`] | vector products and norms, cosine similarity | `np.dot`, `np.linalg.norm(x, ord)`, `scipy.spatial.distance.cosine` |
//! | [`ops`] | products and element-wise arithmetic with broadcasting | `a @ b` (`np.matmul`), `np.outer`, `a * b`, `np.trace`, `a.T` |
//! | [`linalg`] | dense linear algebra | `numpy.linalg`: `solve`, `inv`, `lstsq`, `det`, `slogdet`, `qr`, `cholesky`, `eigh`, `eigvalsh`, `eig`, `svd`, `svdvals`, `matrix_rank`, `pinv`, `cond`, `norm`; `scipy.linalg.cho_factor` ([`linalg::Cholesky`]) |
//! | [`sparse`] | compressed sparse rows | `scipy.sparse.csr_matrix`, `save_npz`, `load_npz`; `scipy.sparse.linalg.norm` ([`CsrMatrix::norm`](sparse::CsrMatrix::norm)) |
//! | [`decomposition`] | PCA, truncated SVD, randomized SVD | `sklearn.decomposition.PCA`, `IncrementalPCA`, `TruncatedSVD`; `sklearn.utils.extmath.randomized_svd`, `randomized_range_finder`, `svd_flip` |
//! | [`linear_model`] | least-squares and ridge regression | `sklearn.linear_model.LinearRegression`, `Ridge`; `sklearn.metrics.r2_score` (`score`) |
//! | [`persistence`] | fitted estimators saved to and loaded from `.npz` | scikit-learn's "model persistence"; `np.savez` / `np.load` of the fitted attributes |
//! | [`stream`] | fits on data larger than memory, mergeable states | `IncrementalPCA.partial_fit`; Spark `computeGramianMatrix`, Dask `tsqr` |
//! | [`io`] | files | `np.load`, `np.save`, `np.savez`, `np.loadtxt`, `scipy.io.mmread`/`mmwrite`; `np.lib.format.read_array_header_1_0` ([`io::read_npy_header`], [`io::read_npy_header_raw`]) |
//! | [`nn`] | a dense network's forward pass | `keras.layers.Dense`, `torch.nn.Linear`, `Sequential` |
//! | [`error`](mod@error) | the one error type, [`Error`] | `numpy.linalg.LinAlgError`, `ValueError` (each message starts with the operation) |
//! | [`memory`] | memory budgets | (cgroup-aware `psutil.virtual_memory().available`) |
//!
//! The same routines run from the shell as the `mlinalg` command (`crates/mlinalg-cli`; its
//! reference is `docs/cli.md` in the repository).
//!
//! Every fallible function returns [`Result`]; bad input never panics.
//!
//! ```
//! use mlinalg::prelude::*;
//! let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
//! let b = array![[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]];
//! let c = mlinalg::ops::matmul_2d(a.view(), b.view())?;
//! assert_eq!(c, array![[58.0, 64.0], [139.0, 154.0]]);
//! # Ok::<(), mlinalg::Error>(())
//! ```
#![warn(missing_docs)]
#![warn(rustdoc::broken_intra_doc_links)]
#![doc(test(attr(deny(warnings))))]

pub mod array;
pub mod decomposition;
pub mod error;
pub mod io;
mod kernels;
pub mod linalg;
pub mod linear_model;
pub mod memory;
pub mod nn;
pub mod ops;
pub mod persistence;
pub mod random;
mod scalar;
pub mod sparse;
pub mod stream;
pub mod vector;

pub use error::{Error, Result};
pub use memory::MemoryLimit;

// The README's Rust example runs as a doctest, so it cannot go stale.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
pub use scalar::{Complex32, Complex64, ComplexOf, RealScalar, Scalar};

/// Everything a typical program needs: `use mlinalg::prelude::*;`.
pub mod prelude {
    pub use crate::array::eye;
    pub use crate::random::{Rng, randn, uniform};
    pub use crate::{Complex32, Complex64, Error, RealScalar, Result, Scalar};
    pub use ndarray::{
        Array, Array1, Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewD, Axis, array, s,
    };
}

/// Sets the number of threads mlinalg's parallel kernels use (faer and rayon).
///
/// By default the global rayon pool is used, sized by `RAYON_NUM_THREADS` or the number
/// of cores. Call this before any computation; a second call returns an error for the
/// rayon pool (it can be built only once) but still updates faer's setting.
///
/// # Examples
/// ```
/// mlinalg::set_num_threads(2).ok();
/// assert!(mlinalg::num_threads() >= 1);
/// ```
pub fn set_num_threads(n: usize) -> Result<()> {
    if n == 0 {
        return Err(Error::param("set_num_threads", "n", "must be at least 1"));
    }
    linalg::bridge::set_threads(n);
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build_global()
        .map_err(|e| Error::Unsupported {
            op: "set_num_threads",
            detail: e.to_string(),
        })
}

/// The number of threads parallel kernels use.
#[must_use]
pub fn num_threads() -> usize {
    linalg::bridge::threads()
}

/// Enables or disables spin-waiting of mlinalg's worker threads (on by default).
///
/// While a factorization runs on the thread pool (LU in `solve`/`inv`/`det`, Cholesky, QR,
/// the eigen- and singular-value decompositions, large products), the pool's other
/// workers spin between its parallel steps instead of going to sleep, so that each step
/// starts on every core at once rather than after a thread wake-up (tens of microseconds
/// on a virtual machine). A worker stops spinning after 1 ms without work and when the
/// factorization ends; the cost is that CPU time on the other cores. Turn it off when
/// other work should have those cores (many independent computations side by side, a
/// shared host).
///
/// Without a call, the environment variable `MLINALG_SPIN_WAIT` decides, read once at the
/// first factorization: `0`, `false`, `off` or `no` turn spin-waiting off.
///
/// # Examples
/// ```
/// mlinalg::set_spin_wait(false);
/// assert!(!mlinalg::spin_wait());
/// mlinalg::set_spin_wait(true);
/// assert!(mlinalg::spin_wait());
/// ```
pub fn set_spin_wait(on: bool) {
    kernels::pool::set_spin_wait(on);
}

/// Whether mlinalg's worker threads spin-wait during factorizations (see
/// [`set_spin_wait`]).
///
/// # Examples
/// ```
/// // on unless turned off by `set_spin_wait(false)` or `MLINALG_SPIN_WAIT=0`
/// let on = mlinalg::spin_wait();
/// # let _ = on;
/// ```
#[must_use]
pub fn spin_wait() -> bool {
    kernels::pool::spin_wait()
}
