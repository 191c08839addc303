//! `mlinalg::decomposition`: PCA, TruncatedSVD and the randomized SVD, against scikit-learn
//! fixtures (`tests/fixtures/generate_ml.py` → `tests/fixtures/ml/`), exact-vs-randomized
//! agreement, properties and every error.

pub mod float32;
mod pca;
mod randomized;
mod truncated_svd;

use ndarray::{Array1, Array2, ArrayD};

use crate::common::{fixtures_dir, read_npy};

/// An ML fixture `ml/<case>__<key>.npy`.
pub fn ml(case: &str, key: &str) -> ArrayD<f64> {
    read_npy(&fixtures_dir().join("ml").join(format!("{case}__{key}.npy")))
}

/// An ML fixture as a 2-d array.
pub fn ml2(case: &str, key: &str) -> Array2<f64> {
    ml(case, key).into_dimensionality().expect("2-d fixture")
}

/// An ML fixture as a 1-d array.
pub fn ml1(case: &str, key: &str) -> Array1<f64> {
    ml(case, key).into_dimensionality().expect("1-d fixture")
}

/// An ML fixture holding one number.
pub fn ml0(case: &str, key: &str) -> f64 {
    let a = ml(case, key);
    assert_eq!(a.len(), 1, "{case}__{key}: expected a scalar");
    a.iter().copied().next().expect("one element")
}

/// A decaying-spectrum matrix `U diag(10·e^{−rate·i}) Vᵀ + 3` (m × n), seeded.
pub fn decaying(m: usize, n: usize, rate: f64, seed: u64) -> Array2<f64> {
    let k = m.min(n);
    let u = crate::common::orthonormal(m, k, seed);
    let v = crate::common::orthonormal(n, k, seed.wrapping_add(1));
    let s = Array1::from_shape_fn(k, |i| 10.0 * (-rate * i as f64).exp());
    (&u * &s).dot(&v.t()) + 3.0
}
