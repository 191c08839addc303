//! `svd`, `svdvals` and `low_rank`.

use mlinalg::linalg::{low_rank, svd, svdvals};
use ndarray::{Array1, Array2, array, s};
use proptest::prelude::*;

use crate::common::{
    self, EPS, assert_close, assert_close_norm, assert_cols_close_up_to_sign, assert_err_contains,
    fro, fx0, fx1, fx2, orth_residual, rel_residual,
};

const CASES: [&str; 8] = [
    "svd_1x1",
    "svd_sq5",
    "svd_tall",
    "svd_wide",
    "svd_rankdef",
    "svd_ill5",
    "svd_bigtall",
    "svd_smalltall",
];

#[test]
fn svd_matches_numpy_up_to_signs() {
    for case in CASES {
        for full in [false, true] {
            let name = if full {
                format!("{case}_full")
            } else {
                case.to_string()
            };
            let a = fx2(&name, "a");
            let (m, n) = a.dim();
            let k = m.min(n);
            let f = svd(a.view(), full).unwrap();
            if full {
                assert_eq!(
                    (f.u.dim(), f.s.len(), f.vt.dim()),
                    ((m, m), k, (n, n)),
                    "{name}"
                );
            } else {
                assert_eq!(
                    (f.u.dim(), f.s.len(), f.vt.dim()),
                    ((m, k), k, (k, n)),
                    "{name}"
                );
            }
            assert_close_norm(&f.s, &fx1(&name, "s"), 1e-12, &name);
            // singular vectors are unique up to sign only for distinct non-zero singular values
            let ncmp = if case == "svd_rankdef" { 3 } else { k };
            let tol = if case.contains("ill") { 1e-5 } else { 1e-9 };
            let (want_u, want_vt) = (fx2(&name, "u"), fx2(&name, "vt"));
            let su = assert_cols_close_up_to_sign(f.u.view(), want_u.view(), ncmp, tol, &name);
            let sv = assert_cols_close_up_to_sign(f.vt.t(), want_vt.t(), ncmp, tol, &name);
            assert_eq!(su, sv, "{name}: the signs of u and v columns must pair up");
            assert!(
                orth_residual(f.u.view()) < 30.0,
                "{name}: U not orthonormal"
            );
            assert!(orth_residual(f.vt.t()) < 30.0, "{name}: V not orthonormal");
            let us = f.u.slice(s![.., ..k]).to_owned() * &f.s;
            assert!(
                rel_residual(&a, &us.dot(&f.vt.slice(s![..k, ..]))) < 35.0,
                "{name}"
            );
            assert_close_norm(&svdvals(a.view()).unwrap(), &f.s, 1e-13, &name);
        }
    }
}

#[test]
fn svd_1x1_and_diagonal() {
    let f = svd(array![[-2.5]].view(), false).unwrap();
    assert_eq!(f.s, array![2.5]);
    assert_close!(f.u[[0, 0]] * f.vt[[0, 0]], -1.0);
    let d = array![[1., 0., 0.], [0., -3., 0.], [0., 0., 2.]];
    assert_close!(svdvals(d.view()).unwrap(), array![3., 2., 1.], rtol = 1e-15);
    assert_close!(
        svd(Array2::<f64>::zeros((3, 2)).view(), false).unwrap().s,
        array![0., 0.]
    );
}

#[test]
fn svd_of_huge_and_tiny_entries() {
    // LAPACK scales the matrix when ‖A‖ is near overflow or underflow: 1e±200 must work
    let a = common::normal(4, 3, 8);
    let s0 = svdvals(a.view()).unwrap();
    let mut failures = Vec::new();
    for c in [1e200, 1e-200, 1e300, 1e-300] {
        let ac = &a * c;
        let f = match svd(ac.view(), false) {
            Ok(f) => f,
            Err(e) => {
                failures.push(format!("svd(A·{c:e}): {e}"));
                continue;
            }
        };
        let d = common::rel_diff(&(&f.s / c), &s0);
        if d > 1e-13 {
            failures.push(format!("σ(A·{c:e})/{c:e} = {} vs σ(A) = {s0}", &f.s / c));
        }
        let us = &f.u * &f.s;
        let rr = rel_residual(&ac, &us.dot(&f.vt));
        let (ou, ov) = (orth_residual(f.u.view()), orth_residual(f.vt.t()));
        if !(rr < 35.0 && ou < 30.0 && ov < 30.0) {
            failures.push(format!(
                "A·{c:e}: reconstruction {rr:.3e}, orthonormality {ou:.3e} {ov:.3e}"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn svd_reconstruct_helper_matches_product() {
    let a = fx2("svd_tall", "a");
    let f = svd(a.view(), false).unwrap();
    assert!(rel_residual(&a, &f.reconstruct()) < 35.0);
    let f = svd(a.view(), true).unwrap();
    assert!(rel_residual(&a, &f.reconstruct()) < 35.0);
}

#[test]
fn low_rank_matches_numpy() {
    let case = "low_rank_6x4k2";
    let a = fx2(case, "a");
    let lr = low_rank(a.view(), 2).unwrap();
    assert_close_norm(&lr.approx, &fx2(case, "approx"), 1e-10, case);
    assert_close!(
        lr.frobenius_error,
        fx0(case, "frobenius_error"),
        rtol = 1e-10
    );
    assert_close!(lr.energy, fx0(case, "energy"), rtol = 1e-12);
    let err = fro(&(&a - &lr.approx));
    assert_close!(err, lr.frobenius_error, rtol = 1e-9);
}

#[test]
fn low_rank_full_rank_is_exact() {
    let a = fx2("svd_tall", "a");
    let lr = low_rank(a.view(), 3).unwrap();
    assert!(rel_residual(&a, &lr.approx) < 35.0);
    assert!(lr.frobenius_error.abs() <= 1e-14 * fro(&a));
    assert_close!(lr.energy, 1.0, rtol = 1e-14);
}

#[test]
fn low_rank_rejects_k_beyond_rank_bound() {
    let a = fx2("svd_tall", "a");
    let msg = assert_err_contains(low_rank(a.view(), 4), "invalid k");
    assert!(msg.contains('4') && msg.contains('3'), "{msg}");
}

#[test]
fn svd_errors() {
    assert_err_contains(svd(Array2::<f64>::zeros((0, 3)).view(), false), "empty");
    assert_err_contains(svdvals(Array2::<f64>::zeros((3, 0)).view()), "empty");
    assert_err_contains(low_rank(Array2::<f64>::zeros((0, 0)).view(), 1), "empty");
    assert_err_contains(svd(array![[1., f64::NAN]].view(), true), "non-finite");
    assert_err_contains(svdvals(array![[f64::NEG_INFINITY]].view()), "non-finite");
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn svd_reconstructs_with_orthonormal_factors(
        a in common::any_matrix(1..=12, 1..=12),
        full: bool,
    ) {
        let (m, n) = a.dim();
        let k = m.min(n);
        let f = svd(a.view(), full)?;
        prop_assert_eq!(f.s.len(), k);
        prop_assert_eq!(f.u.dim(), (m, if full { m } else { k }));
        prop_assert_eq!(f.vt.dim(), (if full { n } else { k }, n));
        prop_assert!(f.s.iter().all(|&x| x >= 0.0), "negative singular value: {}", f.s);
        prop_assert!(f.s.windows(2).into_iter().all(|p| p[0] >= p[1]), "not descending: {}", f.s);
        let us = f.u.slice(s![.., ..k]).to_owned() * &f.s;
        let rr = rel_residual(&a, &us.dot(&f.vt.slice(s![..k, ..])));
        prop_assert!(rr < 35.0, "‖A − UΣVᵀ‖/(‖A‖ max(m,n) ε) = {rr}");
        let (ou, ov) = (orth_residual(f.u.view()), orth_residual(f.vt.t()));
        prop_assert!(ou < 30.0 && ov < 30.0, "orthonormality U {ou}, V {ov}");
        // svdvals agrees; ‖A‖_F² = Σσ²
        let sv = svdvals(a.view())?;
        let scale = fro(&a);
        prop_assert!(fro(&(&sv - &f.s)) <= 35.0 * k as f64 * EPS * scale);
        prop_assert!((fro(&f.s) - scale).abs() <= 35.0 * k as f64 * EPS * scale);
    }

    #[test]
    fn low_rank_error_is_the_tail_of_the_spectrum(a in common::matrix(1..=12, 1..=12), kk: usize) {
        let s = svdvals(a.view())?;
        let k = 1 + kk % s.len();
        let lr = low_rank(a.view(), k)?;
        let tail = fro(&s.slice(s![k..]).to_owned());
        let scale = fro(&a);
        prop_assert!((lr.frobenius_error - tail).abs() <= 1e-12 * scale,
            "frobenius_error {} vs √Σσ² over the tail {tail}", lr.frobenius_error);
        let err = fro(&(&a - &lr.approx));
        prop_assert!((err - tail).abs() <= 1e-12 * scale, "‖A − A_k‖ {err} vs {tail}");
        let energy = s.slice(s![..k]).sum() / s.sum();
        prop_assert!((lr.energy - energy).abs() <= 1e-12);
        // the approximation has rank k at most
        let sa: Array1<f64> = svdvals(lr.approx.view())?;
        prop_assert!(sa.iter().skip(k).all(|&x| x <= 1e-12 * scale));
    }
}
