//! `norm` with NumPy semantics for vectors and matrices.

use mlinalg::linalg::{NormOrd, norm, svdvals};
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;

use crate::common::{self, assert_close, assert_err_contains, fro, fx0, fx1, fx2};

const MATRIX_ORDS: [(&str, Option<NormOrd>); 9] = [
    ("none", None),
    ("fro", Some(NormOrd::Fro)),
    ("nuc", Some(NormOrd::Nuc)),
    ("inf", Some(NormOrd::Inf)),
    ("neginf", Some(NormOrd::NegInf)),
    ("1", Some(NormOrd::P(1.0))),
    ("-1", Some(NormOrd::P(-1.0))),
    ("2", Some(NormOrd::P(2.0))),
    ("-2", Some(NormOrd::P(-2.0))),
];

const VECTOR_ORDS: [(&str, Option<NormOrd>); 10] = [
    ("none", None),
    ("0", Some(NormOrd::P(0.0))),
    ("1", Some(NormOrd::P(1.0))),
    ("-1", Some(NormOrd::P(-1.0))),
    ("2", Some(NormOrd::P(2.0))),
    ("-2", Some(NormOrd::P(-2.0))),
    ("inf", Some(NormOrd::Inf)),
    ("neginf", Some(NormOrd::NegInf)),
    ("3", Some(NormOrd::P(3.0))),
    ("0.5", Some(NormOrd::P(0.5))),
];

#[test]
fn matrix_norms_match_numpy() {
    for case in [
        "norm_sq5",
        "norm_tall",
        "norm_wide",
        "norm_1x1",
        "norm_bigsq5",
        "norm_smallsq5",
    ] {
        let a = fx2(case, "a");
        for (key, ord) in MATRIX_ORDS {
            let got = norm(&a, ord).unwrap_or_else(|e| panic!("{case} ord {key}: {e}"));
            let want = fx0(case, &format!("norm_{key}"));
            assert!(
                common::close(got, want, 1e-12, 0.0),
                "{case} ord {key}: {got:e} vs {want:e}"
            );
        }
    }
}

#[test]
fn vector_norms_match_numpy() {
    for case in ["norm_vec7", "norm_vec1", "norm_veczeros"] {
        let x = fx1(case, "a");
        for (key, ord) in VECTOR_ORDS {
            if !common::has_fixture(case, &format!("norm_{key}")) {
                continue;
            }
            let got = norm(&x, ord).unwrap_or_else(|e| panic!("{case} ord {key}: {e}"));
            let want = fx0(case, &format!("norm_{key}"));
            assert!(
                common::close(got, want, 1e-13, 0.0),
                "{case} ord {key}: {got:e} vs {want:e}"
            );
        }
    }
}

#[test]
fn norm_accepts_views() {
    let a = array![[3., 0.], [0., 4.]];
    assert_close!(norm(&a.view(), None).unwrap(), 5.0);
    assert_close!(norm(&a.row(1), None).unwrap(), 4.0);
    assert_close!(norm(&a.t(), Some(NormOrd::P(1.0))).unwrap(), 4.0);
}

#[test]
fn norms_do_not_overflow() {
    let x = array![1e200, 1e200];
    assert_close!(norm(&x, None).unwrap(), 1e200 * 2f64.sqrt(), rtol = 1e-15);
    assert_close!(
        norm(&x, Some(NormOrd::P(2.0))).unwrap(),
        1e200 * 2f64.sqrt(),
        rtol = 1e-15
    );
    let a = Array2::from_elem((2, 2), 1e200);
    assert_close!(norm(&a, None).unwrap(), 2e200, rtol = 1e-15);
    assert_close!(norm(&a, Some(NormOrd::Fro)).unwrap(), 2e200, rtol = 1e-15);
    assert_close!(
        norm(&a, Some(NormOrd::P(2.0))).unwrap(),
        2e200,
        rtol = 1e-14
    );
    let tiny = array![1e-200, 1e-200];
    assert_close!(
        norm(&tiny, None).unwrap(),
        1e-200 * 2f64.sqrt(),
        rtol = 1e-15
    );
}

#[test]
fn invalid_orders_are_errors() {
    let a = Array2::<f64>::eye(3);
    for ord in [NormOrd::P(3.0), NormOrd::P(0.0), NormOrd::P(0.5)] {
        assert_err_contains(norm(&a, Some(ord)), "norm");
    }
    let x = array![1., 2.];
    for ord in [NormOrd::Fro, NormOrd::Nuc] {
        assert_err_contains(norm(&x, Some(ord)), "norm");
    }
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn matrix_norm_identities(a in common::any_matrix(1..=12, 1..=12)) {
        let s = svdvals(a.view())?;
        let n2 = norm(&a, Some(NormOrd::P(2.0)))?;
        let nf = norm(&a, Some(NormOrd::Fro))?;
        let nn = norm(&a, Some(NormOrd::Nuc))?;
        let scale = fro(&a);
        let tol = 1e-12 * scale;
        prop_assert!((n2 - s[0]).abs() <= tol, "2-norm {n2} vs σ₁ {}", s[0]);
        prop_assert!((norm(&a, Some(NormOrd::P(-2.0)))? - s[s.len() - 1]).abs() <= tol);
        prop_assert!((nf - scale).abs() <= tol);
        prop_assert!((nn - s.sum()).abs() <= tol * s.len() as f64);
        prop_assert!((norm(&a, None)? - nf).abs() <= tol);
        // ‖A‖₁ = max column sum = ‖Aᵀ‖∞
        let col: Array1<f64> = a.mapv(f64::abs).sum_axis(ndarray::Axis(0));
        let n1 = norm(&a, Some(NormOrd::P(1.0)))?;
        prop_assert!((n1 - col.fold(0.0f64, |m, &x| m.max(x))).abs() <= tol);
        prop_assert!((norm(&a.t(), Some(NormOrd::Inf))? - n1).abs() <= tol);
        prop_assert!((norm(&a.t(), Some(NormOrd::NegInf))? - norm(&a, Some(NormOrd::P(-1.0)))?).abs() <= tol);
        // ‖A‖₂ ≤ ‖A‖_F ≤ ‖A‖_*
        prop_assert!(n2 <= nf + tol && nf <= nn + tol);
    }
}

#[test]
fn norm_of_other_dimensions_is_an_error_not_a_panic() {
    let cube = ndarray::Array3::<f64>::ones((2, 2, 2));
    let msg = assert_err_contains(norm(&cube, Some(NormOrd::P(2.0))), "norm");
    assert!(msg.contains("(2, 2, 2)"), "{msg}");
    // NumPy flattens n-d input when ord is None; an error is acceptable too, a panic is not
    if let Ok(n) = norm(&cube, None) {
        assert_close!(n, 8f64.sqrt());
    }
    let scalar = ndarray::arr0(3.0);
    let _ = norm(&scalar, None);
}
