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

/// The estimators' optional parameters take a value or an `Option` alike, and `None` is
/// each estimator's scikit-learn default (issue 14's API tidying).
#[test]
fn optional_parameters_take_a_value_or_an_option() {
    use mlinalg::decomposition::{
        IncrementalPca, Pca, PcaSolver, RandomizedSvdOptions, TruncatedSvd, auto_n_iter,
    };
    let x = Array2::from_shape_fn((60, 12), |(i, j)| {
        ((i * 7 + j * 13) % 17) as f64 + (i as f64) * 0.1
    });
    let pca = |p: Pca| p.solver(PcaSolver::Randomized).fit(x.view()).unwrap();
    assert_eq!(pca(Pca::new(3)), pca(Pca::new(Some(3))));
    assert_eq!(pca(Pca::new(None)).n_components(), 12);
    assert_eq!(pca(Pca::default()), pca(Pca::new(None)));
    // None is 'auto': 4 power iterations for 3 of min(60, 12) components
    assert_eq!(auto_n_iter(3, (60, 12)), 4);
    assert_eq!(pca(Pca::new(3).n_iter(None)), pca(Pca::new(3).n_iter(4)));
    assert_ne!(pca(Pca::new(3).n_iter(0)), pca(Pca::new(3).n_iter(Some(4))));

    let tsvd = |t: TruncatedSvd| t.fit(x.view()).unwrap();
    assert_eq!(tsvd(TruncatedSvd::new(3)), tsvd(TruncatedSvd::new(Some(3))));
    // scikit-learn's TruncatedSVD(): 2 components, 5 power iterations
    assert_eq!(
        tsvd(TruncatedSvd::default()),
        tsvd(TruncatedSvd::new(2).n_iter(5))
    );
    assert_eq!(tsvd(TruncatedSvd::new(None)).n_components(), 2);
    assert_eq!(
        tsvd(TruncatedSvd::new(3).n_iter(None)),
        tsvd(TruncatedSvd::new(3).n_iter(Some(5)))
    );
    assert_ne!(
        tsvd(TruncatedSvd::new(3).n_iter(0)),
        tsvd(TruncatedSvd::new(3))
    );

    let ipca = |p: IncrementalPca| {
        let mut p = p;
        p.fit(x.view()).unwrap();
        p.to_fitted().unwrap()
    };
    assert_eq!(
        ipca(IncrementalPca::new(3).batch_size(20)),
        ipca(IncrementalPca::new(Some(3)).batch_size(Some(20)))
    );
    // batch_size None is 5 · n_features = 60: one batch, the exact PCA
    assert_eq!(
        ipca(IncrementalPca::new(3).batch_size(None)),
        ipca(IncrementalPca::new(3).batch_size(60))
    );

    let opts = RandomizedSvdOptions::default().n_iter(2).transpose(true);
    assert_eq!(
        opts,
        RandomizedSvdOptions::default()
            .n_iter(Some(2))
            .transpose(Some(true))
    );
    assert_eq!(RandomizedSvdOptions::default().n_iter(None).n_iter, None);
}
