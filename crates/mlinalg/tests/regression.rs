//! Regression tests, named after the issue under which the bug was found (`gh_<issue>_…`).

use mlinalg::decomposition::Pca;
use mlinalg::linalg::{eigh, svdvals};
use ndarray::{Array2, array};

/// Subnormal input (largest magnitude ~1e-310): the power-of-two rescaling before faer's
/// SVD used a factor 2^1030 that overflowed to ∞, so the SVD "did not converge".
#[test]
fn gh_5_svd_and_eigh_of_subnormal_matrices() {
    let base = array![[3.0, 1.0, 0.5], [1.0, 2.0, 0.25], [0.5, 0.25, 1.0]];
    let want = svdvals(base.view()).unwrap();
    for scale in [1e-310, 1e-320, 5e-324 / 0.25] {
        let a = &base * scale;
        let got = svdvals(a.view()).unwrap();
        for (g, w) in got.iter().zip(want.iter()) {
            // subnormals carry few significant bits: compare at their precision
            let tol = (w * scale).abs() * 1e-2 + 5e-324;
            assert!(
                (g - w * scale).abs() <= tol,
                "scale {scale}: {g} vs {}",
                w * scale
            );
        }
        let e = eigh(a.view()).unwrap();
        assert!(e.eigenvalues.iter().all(|v| v.is_finite() && *v >= 0.0));
    }
}

/// PCA of a 4 × 3 matrix with values ~1e-310 failed with "pca: did not converge".
#[test]
fn gh_5_pca_of_subnormal_data_does_not_fail() {
    let x = Array2::from_shape_fn((4, 3), |(i, j)| ((i * 3 + j) as f64 - 5.0) * 1e-310);
    let fitted = Pca::new(Some(2)).fit(x.view());
    assert!(fitted.is_ok(), "{:?}", fitted.err());
}
