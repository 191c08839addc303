//! The course's worked examples, computed with mlinalg and checked against values worked out
//! by hand (or, for the random data, against the identities they illustrate).

use mlinalg::linalg::{
    Cholesky, Eig, QrMode, eig, eigh, is_orthogonal, is_positive_definite, is_symmetric, low_rank,
    lstsq, qr, solve, svd,
};
use mlinalg::ops::{matmul_2d, matvec};
use mlinalg::random::{randn, randn2};
use mlinalg::vector::{angle_degrees, cosine_similarity, dot, norm_inf, norm_l1, norm_l2};
use ndarray::{Array1, Array2, Axis, Ix1, array, concatenate, s};

use crate::common::{assert_close, fro, orth_residual, rel_residual};

#[test]
fn vectors_dot_norms_and_angle() {
    let (a, b) = (array![2., 3., -1.], array![4., 1., 2.]);
    // 2·4 + 3·1 + (−1)·2 = 9
    assert_eq!(dot(a.view(), b.view()).unwrap(), 9.0);
    assert_eq!(norm_l1(a.view()), 6.0);
    assert_close!(norm_l2(a.view()), 14f64.sqrt(), rtol = 1e-15);
    assert!((norm_l2(a.view()) - 3.7417).abs() < 1e-4);
    assert_eq!(norm_inf(a.view()), 3.0);
    // cos θ = 9 / (√14 · √21) ≈ 0.5249, θ ≈ 58.3°
    let c = cosine_similarity(a.view(), b.view()).unwrap();
    assert_close!(c, 9.0 / (14f64.sqrt() * 21f64.sqrt()), rtol = 1e-15);
    assert!((c - 0.5249).abs() < 5e-5, "{c}");
    let deg = angle_degrees(a.view(), b.view()).unwrap();
    assert!((deg - 58.3).abs() < 0.05, "{deg}");
}

#[test]
fn matrix_product() {
    let a = array![[1., 2., 3.], [4., 5., 6.]];
    let b = array![[7., 8.], [9., 10.], [11., 12.]];
    // [1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12] = [58, 64]; [139, 154] likewise
    assert_eq!(
        matmul_2d(a.view(), b.view()).unwrap(),
        array![[58., 64.], [139., 154.]]
    );
}

#[test]
fn eigenvalues_of_4_1_2_3() {
    // det(A − λI) = (4 − λ)(3 − λ) − 2 = λ² − 7λ + 10 = (λ − 5)(λ − 2)
    let a = array![[4., 1.], [2., 3.]];
    let Eig::Real {
        eigenvalues,
        eigenvectors,
    } = eig(a.view()).unwrap()
    else {
        panic!("[[4, 1], [2, 3]] has real eigenvalues");
    };
    let mut w = eigenvalues.to_vec();
    w.sort_by(f64::total_cmp);
    assert_close!(Array1::from(w), array![2., 5.], rtol = 1e-14);
    for (j, &lambda) in eigenvalues.iter().enumerate() {
        let v = eigenvectors.column(j);
        assert_close!(a.dot(&v), &v * lambda, rtol = 1e-13, atol = 1e-14);
    }
}

/// X = [1 | randn(100, 3)] (seed 0), y = X·[1, 2, −1, 3] + 0.1·noise.
fn regression_data() -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let feats = randn2(100, 3, 0);
    let x = concatenate(
        Axis(1),
        &[Array2::<f64>::ones((100, 1)).view(), feats.view()],
    )
    .expect("same number of rows");
    let w_true = array![1., 2., -1., 3.];
    let noise = randn(&[100], 1).into_dimensionality::<Ix1>().expect("1-d");
    let y = x.dot(&w_true) + noise * 0.1;
    (x, y, w_true)
}

#[test]
fn normal_equation_solve_and_lstsq_recover_the_weights() {
    let (x, y, w_true) = regression_data();
    let xtx = matmul_2d(x.t(), x.view()).unwrap();
    let xty = matvec(x.t(), y.view()).unwrap();
    assert!(is_symmetric(xtx.view()) && is_positive_definite(xtx.view()));
    // the normal equation XᵀX w = Xᵀy, via Cholesky
    let w_chol = Cholesky::new(xtx.view()).unwrap().solve(&xty).unwrap();
    // … via LU
    let w_solve = solve(xtx.view(), &xty).unwrap();
    // … and via least squares on X directly
    let w_lstsq = lstsq(x.view(), &y, None).unwrap().x;
    for w in [&w_chol, &w_solve, &w_lstsq] {
        for (got, want) in w.iter().zip(w_true.iter()) {
            assert!((got - want).abs() < 0.05, "w = {w}, true {w_true}");
        }
    }
    assert_close!(w_chol, w_lstsq, rtol = 1e-10, atol = 1e-12);
    assert_close!(w_solve, w_lstsq, rtol = 1e-10, atol = 1e-12);
}

#[test]
fn qr_of_random_4x4_has_orthogonal_q() {
    let a = randn2(4, 4, 7);
    let f = qr(a.view(), QrMode::Reduced).unwrap();
    assert_close!(f.q.t().dot(&f.q), Array2::<f64>::eye(4), atol = 1e-14);
    assert!(is_orthogonal(f.q.view()));
    assert!(orth_residual(f.q.view()) < 30.0);
    assert!(rel_residual(&a, &f.q.dot(&f.r)) < 30.0);
}

#[test]
fn covariance_is_symmetric_positive_definite() {
    let data = randn2(50, 4, 3);
    let centred = &data - &data.mean_axis(Axis(0)).expect("non-empty");
    let cov = matmul_2d(centred.t(), centred.view()).unwrap() / 49.0;
    assert!(is_symmetric(cov.view()));
    assert!(is_positive_definite(cov.view()));
    let e = eigh(cov.view()).unwrap();
    assert!(e.eigenvalues.iter().all(|&l| l > 0.0), "{}", e.eigenvalues);
    // standard-normal data: the covariance is near the identity
    assert!(fro(&(&cov - &Array2::<f64>::eye(4))) < 1.0);
}

#[test]
fn svd_reconstructs_and_rank_2_error_is_the_tail() {
    let a = randn2(4, 6, 11);
    let f = svd(a.view(), false).unwrap();
    let us = &f.u * &f.s;
    assert!(rel_residual(&a, &us.dot(&f.vt)) < 35.0);
    let lr = low_rank(a.view(), 2).unwrap();
    let tail = (f.s[2].powi(2) + f.s[3].powi(2)).sqrt();
    assert_close!(lr.frobenius_error, tail, rtol = 1e-12);
    assert_close!(fro(&(&a - &lr.approx)), tail, rtol = 1e-10);
    assert_close!(
        lr.energy,
        f.s.slice(s![..2]).sum() / f.s.sum(),
        rtol = 1e-12
    );
}
