//! `qr` in reduced and complete mode.

use mlinalg::linalg::{Qr, QrMode, qr};
use ndarray::{Array2, ArrayView2, array};
use proptest::prelude::*;

use crate::common::{
    self, assert_close, assert_cols_close_up_to_sign, assert_err_contains, fx2, orth_residual,
    rel_residual,
};

/// Panics unless every entry strictly below the diagonal is exactly zero.
fn assert_upper_triangular(r: ArrayView2<'_, f64>, what: &str) {
    for ((i, j), &v) in r.indexed_iter() {
        assert!(
            i <= j || v == 0.0,
            "{what}: R[{i}, {j}] = {v:e} below the diagonal"
        );
    }
}

fn check_shapes(f: &Qr, m: usize, n: usize, mode: QrMode) {
    let k = m.min(n);
    if mode == QrMode::Reduced {
        assert_eq!(f.q.dim(), (m, k), "reduced Q shape");
        assert_eq!(f.r.dim(), (k, n), "reduced R shape");
    } else {
        assert_eq!(f.q.dim(), (m, m), "complete Q shape");
        assert_eq!(f.r.dim(), (m, n), "complete R shape");
    }
}

#[test]
fn qr_matches_numpy_up_to_signs() {
    for case in [
        "qr_1x1",
        "qr_sq5",
        "qr_tall",
        "qr_wide",
        "qr_ill5",
        "qr_bigtall",
        "qr_smalltall",
    ] {
        for (mode, name) in [
            (QrMode::Reduced, case.to_string()),
            (QrMode::Complete, format!("{case}_complete")),
        ] {
            let a = fx2(&name, "a");
            let (m, n) = a.dim();
            let k = m.min(n);
            let f = qr(a.view(), mode).unwrap();
            check_shapes(&f, m, n, mode);
            let (want_q, want_r) = (fx2(&name, "q"), fx2(&name, "r"));
            let tol = if case.contains("ill") { 1e-5 } else { 1e-10 };
            // Q's first k columns are unique up to sign; R's rows take the same signs
            let signs = assert_cols_close_up_to_sign(f.q.view(), want_q.view(), k, tol, &name);
            for (i, s) in signs.iter().enumerate() {
                let got = f.r.row(i).mapv(|x| s * x);
                let d = common::rel_diff(&got, &want_r.row(i));
                assert!(
                    d < tol.max(1e-9),
                    "{name}: row {i} of R differs: {d:e}\n{got}\n{}",
                    want_r.row(i)
                );
            }
            // complete mode: the extra rows of R are zero, the extra columns of Q orthonormal
            for i in k..f.r.nrows() {
                assert!(
                    f.r.row(i).iter().all(|&v| v == 0.0),
                    "{name}: R row {i} not zero"
                );
            }
            assert!(
                orth_residual(f.q.view()) < 30.0,
                "{name}: Q not orthonormal"
            );
            assert_upper_triangular(f.r.view(), &name);
            assert!(rel_residual(&a, &f.q.dot(&f.r)) < 30.0, "{name}: A != QR");
        }
    }
}

#[test]
fn qr_1x1_and_vectors() {
    let f = qr(array![[-2.5f64]].view(), QrMode::Reduced).unwrap();
    assert_eq!(f.q[[0, 0]].abs(), 1.0);
    assert_close!(f.q[[0, 0]] * f.r[[0, 0]], -2.5);
    // a single column: Q is the normalised column, R its norm (up to sign)
    let f = qr(array![[3f64], [4.]].view(), QrMode::Reduced).unwrap();
    assert_close!(f.r[[0, 0]].abs(), 5.0);
    assert_close!(
        f.q.column(0).mapv(|x| x * f.r[[0, 0]].signum()),
        array![0.6, 0.8]
    );
    // a single row
    let f = qr(array![[3., 4.]].view(), QrMode::Complete).unwrap();
    assert_eq!(f.q.dim(), (1, 1));
    assert_close!(f.q.dot(&f.r), array![[3., 4.]]);
}

#[test]
fn qr_of_rank_deficient_and_zero_matrices_still_factorises() {
    for a in [
        common::rank_deficient(8, 5, 2, 11),
        Array2::zeros((4, 3)),
        array![[1., 2.], [2., 4.], [3., 6.]],
    ] {
        for mode in [QrMode::Reduced, QrMode::Complete] {
            let f = qr(a.view(), mode).unwrap();
            check_shapes(&f, a.nrows(), a.ncols(), mode);
            assert!(rel_residual(&a, &f.q.dot(&f.r)) < 30.0);
            assert!(orth_residual(f.q.view()) < 30.0);
            assert_upper_triangular(f.r.view(), "rank-deficient");
        }
    }
}

#[test]
fn qr_errors() {
    let e = qr(Array2::<f64>::zeros((0, 3)).view(), QrMode::Reduced);
    assert_err_contains(e, "empty");
    let e = qr(Array2::<f64>::zeros((3, 0)).view(), QrMode::Complete);
    assert_err_contains(e, "empty");
    let e = qr(array![[1., f64::NAN]].view(), QrMode::Reduced);
    assert_err_contains(e, "non-finite");
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn qr_reconstructs_with_orthonormal_q(a in common::any_matrix(1..=12, 1..=12), complete: bool) {
        let mode = if complete { QrMode::Complete } else { QrMode::Reduced };
        let (m, n) = a.dim();
        let f = qr(a.view(), mode)?;
        let k = if complete { m } else { m.min(n) };
        prop_assert_eq!(f.q.dim(), (m, k));
        prop_assert_eq!(f.r.dim(), (k, n));
        let rr = rel_residual(&a, &f.q.dot(&f.r));
        prop_assert!(rr < 30.0, "‖A − QR‖/(‖A‖ max(m,n) ε) = {rr}");
        let orth = orth_residual(f.q.view());
        prop_assert!(orth < 30.0, "‖QᵀQ − I‖/(n ε) = {orth}");
        for ((i, j), &v) in f.r.indexed_iter() {
            prop_assert!(i <= j || v == 0.0, "R[{i}, {j}] = {v:e}");
        }
    }

    #[test]
    fn complete_and_reduced_agree(a in common::matrix(1..=12, 1..=12)) {
        let (m, n) = a.dim();
        let k = m.min(n);
        let fr = qr(a.view(), QrMode::Reduced)?;
        let fc = qr(a.view(), QrMode::Complete)?;
        // same leading factor up to column signs
        let q1 = fc.q.slice(ndarray::s![.., ..k]);
        for j in 0..k {
            let s = fr.q.column(j).dot(&q1.column(j)).signum();
            let d = common::rel_diff(&fr.q.column(j).mapv(|x| s * x), &q1.column(j));
            prop_assert!(d < 1e-8, "column {j}: {d}");
        }
    }
}
