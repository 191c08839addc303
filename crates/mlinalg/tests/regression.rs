//! Regression tests, named after the issue under which the bug was found (`gh_<issue>_…`).

use mlinalg::decomposition::Pca;
use mlinalg::linalg::{
    NormOrd, QrMode, det, eigh, inv, matrix_rank, norm, qr, slogdet, solve, svdvals,
};
use ndarray::{Array2, array};

/// Subnormal input (largest magnitude ~1e-310): the power-of-two rescaling before faer's
/// SVD used a factor 2^1030 that overflowed to ∞, so the SVD "did not converge".
#[test]
fn gh_5_svd_and_eigh_of_subnormal_matrices() {
    let base = array![[3.0f64, 1.0, 0.5], [1.0, 2.0, 0.25], [0.5, 0.25, 1.0]];
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

/// faer's 2 × 2 symmetric eigen path lost the small eigenvalue to cancellation
/// (diag(1, 1e-17) gave 0); the closed form of LAPACK's dlaev2 keeps it.
#[test]
fn gh_3_eigh_2x2_small_eigenvalues_to_relative_accuracy() {
    for (a, small) in [
        (array![[1.0f64, 0.0], [0.0, 1e-17]], 1e-17f64),
        (array![[1.0, 0.0], [0.0, -1e-17]], -1e-17),
        (array![[1.0, 0.0], [0.0, 1e-12]], 1e-12),
        (array![[1.0, 1e-9], [1e-9, 2e-18]], 1e-18),
    ] {
        let e = eigh(a.view()).unwrap();
        assert!(
            (e.eigenvalues[0] - small).abs() <= small.abs() * 1e-12,
            "{a}: {}",
            e.eigenvalues
        );
        let v = &e.eigenvectors;
        let resid = (a.dot(v) - v * &e.eigenvalues)
            .iter()
            .fold(0.0f64, |m, x| m.max(x.abs()));
        assert!(resid < 1e-15);
        assert!(mlinalg::linalg::is_positive_definite(a.view()) == (small > 0.0));
    }
}

/// OpenBLAS-backed NumPy finds an exactly zero pivot in these classic singular matrices;
/// faer's fused multiply-adds left ±1e-16, so inv "succeeded" with 1e16 entries and det
/// was −9.5e-16 with sign −1 instead of NumPy's (0, −inf).
#[test]
fn gh_3_classic_singular_matrices_are_singular() {
    let a3 = Array2::from_shape_fn((3, 3), |(i, j)| (i * 3 + j + 1) as f64);
    let a4 = Array2::from_shape_fn((4, 4), |(i, j)| (i * 4 + j + 1) as f64);
    let mut dup = mlinalg::random::randn2(6, 6, 7);
    let c0 = dup.column(0).to_owned();
    dup.column_mut(3).assign(&c0);
    for a in [a3, a4, dup] {
        assert_eq!(
            inv(a.view()).unwrap_err().to_string(),
            "inv: singular matrix"
        );
        assert!(solve(a.view(), &ndarray::Array1::ones(a.nrows())).is_err());
        assert_eq!(det(a.view()).unwrap(), 0.0);
        let s = slogdet(a.view()).unwrap();
        assert_eq!((s.sign, s.logabsdet), (0.0, f64::NEG_INFINITY));
    }
    // tiny but exact pivots are data, not rounding noise: NumPy inverts these
    let d = array![[1.0, 0.0], [0.0, 1e-20]];
    assert_eq!(inv(d.view()).unwrap()[[1, 1]], 1e20);
    assert_eq!(det(d.view()).unwrap(), 1e-20);
    // ill-conditioned (Hilbert, cond ~1e13) but not singular: still inverted, as NumPy does
    let h = Array2::from_shape_fn((10, 10), |(i, j)| 1.0 / (i + j + 1) as f64);
    assert!(inv(h.view()).is_ok());
}

/// Subnormal matrices: 1/pivot overflowed (inv said "singular", det gave sign 0) and
/// Householder norms underflowed (QR returned R = 0). All now factor 2^-e · A.
#[test]
fn gh_3_lu_and_qr_of_subnormal_matrices() {
    let a = array![[1.0f64, 2.0], [3.0, 4.0]] * 1e-310;
    let s = slogdet(a.view()).unwrap();
    assert_eq!(s.sign, -1.0);
    assert!((s.logabsdet - (2.0f64.ln() + 2.0 * 1e-310f64.ln())).abs() < 1e-9);
    let i = Array2::<f64>::eye(3) * 1e-310;
    let s = slogdet(i.view()).unwrap();
    assert_eq!(s.sign, 1.0);
    assert!(
        inv(i.view())
            .unwrap()
            .iter()
            .all(|v| *v == 0.0 || v.is_infinite())
    );
    for m in [i.clone(), mlinalg::random::randn2(4, 4, 26) * 1e-308] {
        let f = qr(m.view(), QrMode::Reduced).unwrap();
        let err = (f.q.dot(&f.r) - &m)
            .iter()
            .fold(0.0f64, |x, v| x.max(v.abs()));
        let big = m.iter().fold(0.0f64, |x, v| x.max(v.abs()));
        assert!(err <= big * 1e-14, "QR residual {err} for max {big}");
    }
}

/// `S.max · max(M, N) · ε` overflowed for σ_max near f64::MAX, so every singular value
/// fell below an infinite tolerance and the rank came out 0 (NumPy: 4).
#[test]
fn gh_3_matrix_rank_near_overflow() {
    let a = mlinalg::random::randn2(4, 4, 26) * 1e307;
    assert_eq!(matrix_rank(a.view(), None).unwrap(), 4);
}

/// `norm(A, 2)` of a matrix holding NaN or ∞ came out −∞ (an empty fold); IEEE gives NaN / ∞.
#[test]
fn gh_3_matrix_2_norm_of_non_finite_input() {
    let n = array![[f64::NAN, 1.0], [2.0, 3.0]];
    assert!(norm(&n, Some(NormOrd::P(2.0))).unwrap().is_nan());
    let i = array![[f64::INFINITY, 1.0], [2.0, 3.0]];
    assert_eq!(norm(&i, Some(NormOrd::P(2.0))).unwrap(), f64::INFINITY);
    assert_eq!(norm(&i, Some(NormOrd::Nuc)).unwrap(), f64::INFINITY);
}

/// `ops::matmul_2d` routes large products to the packed AVX-512 GEMM (crate::gemm) on CPUs
/// that have it; check that path end to end against ndarray's own (matrixmultiply) product,
/// for a C-order product and a transposed view `Aᵀ @ B`.
#[test]
fn gh_6_large_matmul_through_the_packed_gemm_matches_ndarray() {
    let a = mlinalg::random::randn2(1600, 1024, 1);
    let b = mlinalg::random::randn2(1024, 1600, 2);
    let x = mlinalg::random::randn2(1024, 1100, 3);
    for (l, r) in [(a.view(), b.view()), (x.t(), x.view())] {
        let got = mlinalg::ops::matmul_2d(l, r).unwrap();
        let want = l.dot(&r);
        let scale = (l.ncols() as f64).sqrt();
        let err = (&got - &want).iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(err <= 1e-12 * scale, "max error {err}");
    }
}

/// PCA's covariance solver on finite data whose XᵀX overflows said "input contains
/// non-finite values"; the input is fine, the covariance is not.
#[test]
fn gh_5_pca_covariance_overflow_is_not_blamed_on_the_input() {
    use mlinalg::decomposition::PcaSolver;
    let x = mlinalg::random::randn2(50, 4, 0) * 1e200;
    let e = Pca::new(Some(2))
        .solver(PcaSolver::CovarianceEigh)
        .fit(x.view())
        .unwrap_err();
    assert!(
        e.to_string().starts_with("pca: the covariance matrix"),
        "{e}"
    );
    assert!(!e.to_string().contains("non-finite"));
}
