//! `matrix_rank`, `pinv` and `cond`.

use mlinalg::linalg::{NormOrd, cond, inv, matrix_rank, pinv};
use ndarray::{Array2, array};
use proptest::prelude::*;

use crate::common::{
    self, assert_close, assert_close_norm, assert_err_contains, fro, fx0, fx2, has_fixture,
};

const CASES: [&str; 8] = [
    "rank_sq5",
    "rank_tall",
    "rank_wide",
    "rank_rankdef",
    "rank_rankdef5",
    "rank_ill5",
    "rank_1x1",
    "rank_zero",
];

#[test]
fn rank_pinv_cond_match_numpy() {
    for case in CASES {
        let a = fx2(case, "a");
        assert_eq!(
            matrix_rank(a.view(), None).unwrap(),
            fx0(case, "rank") as usize,
            "{case}"
        );
        let tol = if case.contains("ill") {
            1e-5
        } else if case.contains("rankdef") {
            1e-8
        } else {
            1e-11
        };
        let p = pinv(a.view(), None).unwrap();
        assert_close_norm(&p, &fx2(case, "pinv"), tol, case);
        if has_fixture(case, "cond") {
            let c = cond(a.view(), None).unwrap();
            let want = fx0(case, "cond");
            assert!(
                common::close(c, want, tol.max(1e-11), 0.0),
                "{case}: cond {c:e} vs {want:e}"
            );
        }
    }
    let a = fx2("rank_sq5", "a");
    for (key, ord) in [
        ("fro", NormOrd::Fro),
        ("1", NormOrd::P(1.0)),
        ("inf", NormOrd::Inf),
        ("-2", NormOrd::P(-2.0)),
    ] {
        let c = cond(a.view(), Some(ord)).unwrap();
        assert_close!(c, fx0("rank_sq5", &format!("cond_{key}")), rtol = 1e-10);
    }
}

#[test]
fn matrix_rank_with_tolerance() {
    let d = array![[1., 0., 0.], [0., 1e-3, 0.], [0., 0., 1e-6]];
    assert_eq!(matrix_rank(d.view(), None).unwrap(), 3);
    assert_eq!(matrix_rank(d.view(), Some(1e-4)).unwrap(), 2);
    assert_eq!(matrix_rank(d.view(), Some(1e-2)).unwrap(), 1);
    assert_eq!(
        matrix_rank(array![[1., 2.], [2., 4.]].view(), None).unwrap(),
        1
    );
    assert_eq!(
        matrix_rank(Array2::<f64>::zeros((3, 5)).view(), None).unwrap(),
        0
    );
}

#[test]
fn cond_of_special_matrices() {
    assert_close!(
        cond(Array2::<f64>::eye(4).view(), None).unwrap(),
        1.0,
        rtol = 1e-14
    );
    let q = common::orthonormal(6, 6, 5);
    assert_close!(cond(q.view(), None).unwrap(), 1.0, rtol = 1e-12);
    assert_close!(
        cond(array![[2., 0.], [0., 0.5]].view(), None).unwrap(),
        4.0,
        rtol = 1e-14
    );
    let c = cond(array![[1f64, 2.], [2., 4.]].view(), None).unwrap();
    assert!(
        c > 1e15 || c.is_infinite(),
        "cond of a singular matrix: {c}"
    );
}

#[test]
fn pinv_of_small_cases() {
    assert_close!(pinv(array![[-2.5]].view(), None).unwrap(), array![[-0.4]]);
    assert_close!(
        pinv(Array2::<f64>::zeros((2, 3)).view(), None).unwrap(),
        Array2::<f64>::zeros((3, 2))
    );
    // pinv of a column vector v is vᵀ / ‖v‖²
    assert_close!(
        pinv(array![[3.], [4.]].view(), None).unwrap(),
        array![[0.12, 0.16]]
    );
    // rcond drops the small singular value
    let d = array![[1., 0.], [0., 1e-8]];
    assert_close!(
        pinv(d.view(), Some(1e-6)).unwrap(),
        array![[1., 0.], [0., 0.]]
    );
    assert_close!(
        pinv(d.view(), None).unwrap(),
        array![[1., 0.], [0., 1e8]],
        rtol = 1e-12
    );
}

#[test]
fn rank_pinv_cond_errors() {
    assert_err_contains(pinv(Array2::<f64>::zeros((0, 2)).view(), None), "empty");
    assert_err_contains(cond(Array2::<f64>::zeros((0, 0)).view(), None), "empty");
    assert_err_contains(pinv(array![[f64::NAN]].view(), None), "non-finite");
    assert_err_contains(
        matrix_rank(array![[f64::NAN, 1.]].view(), None),
        "non-finite",
    );
    assert_err_contains(
        cond(array![[1., f64::INFINITY], [0., 1.]].view(), None),
        "non-finite",
    );
    // norms other than ±2 need the inverse: square only, as in NumPy
    assert_err_contains(
        cond(Array2::<f64>::ones((3, 2)).view(), Some(NormOrd::Fro)),
        "(3, 2)",
    );
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn pinv_satisfies_penrose_conditions(a in prop_oneof![
        common::matrix(1..=12, 1..=12),
        common::rank_deficient_matrix(2..=12, 2..=12).prop_map(|(a, _)| a),
        common::scaled_matrix(1..=12, 1..=12),
    ]) {
        let p = pinv(a.view(), Some(1e-10))?;
        prop_assert_eq!(p.dim(), (a.ncols(), a.nrows()));
        let ap = a.dot(&p);
        let pa = p.dot(&a);
        // A A⁺ A = A, A⁺ A A⁺ = A⁺, (A A⁺)ᵀ = A A⁺, (A⁺ A)ᵀ = A⁺ A
        prop_assert!(common::rel_diff(&ap.dot(&a), &a) < 1e-8);
        prop_assert!(common::rel_diff(&pa.dot(&p), &p) < 1e-8);
        prop_assert!(fro(&(&ap - &ap.t())) <= 1e-8 * fro(&ap).max(1.0));
        prop_assert!(fro(&(&pa - &pa.t())) <= 1e-8 * fro(&pa).max(1.0));
    }

    #[test]
    fn matrix_rank_of_products((a, r) in common::rank_deficient_matrix(2..=12, 2..=12)) {
        prop_assert_eq!(matrix_rank(a.view(), None)?, r);
    }

    #[test]
    fn full_rank_and_invertible(a in common::invertible(1..=12)) {
        let n = a.nrows();
        prop_assert_eq!(matrix_rank(a.view(), None)?, n);
        let p = pinv(a.view(), None)?;
        prop_assert!(common::rel_diff(&p, &inv(a.view())?) < 1e-10);
        let c = cond(a.view(), None)?;
        prop_assert!(c >= 1.0 - 1e-12);
        // cond(A) = ‖A‖₂‖A⁻¹‖₂, and the 1-norm condition number bounds it within a factor n
        let c1 = cond(a.view(), Some(NormOrd::P(1.0)))?;
        prop_assert!(c1 >= c / n as f64 * (1.0 - 1e-9) && c1 <= c * n as f64 * (1.0 + 1e-9));
    }
}

#[test]
fn svd_based_routines_at_extreme_scales() {
    // LAPACK scales A into a safe range first; results must be scale-equivariant
    let t = common::normal(7, 4, 3);
    let (p0, c0) = (pinv(t.view(), None).unwrap(), cond(t.view(), None).unwrap());
    let mut failures = Vec::new();
    for c in [1e200, 1e-200, 1e300, 1e-300] {
        let tc = &t * c;
        match pinv(tc.view(), None) {
            Ok(p) => {
                let d = common::rel_diff(&(&p * c), &p0);
                if d > 1e-10 {
                    failures.push(format!(
                        "pinv(A·{c:e})·{c:e} differs from pinv(A) by {d:.2e}"
                    ));
                }
            }
            Err(e) => failures.push(format!("pinv(A·{c:e}): {e}")),
        }
        match cond(tc.view(), None) {
            Ok(k) if common::close(k, c0, 1e-10, 0.0) => {}
            other => failures.push(format!("cond(A·{c:e}) = {other:?}, want {c0}")),
        }
        match matrix_rank(tc.view(), None) {
            Ok(4) => {}
            other => failures.push(format!("matrix_rank(A·{c:e}) = {other:?}, want 4")),
        }
        match mlinalg::linalg::lstsq(tc.view(), &ndarray::Array1::<f64>::ones(7), None) {
            Ok(r) => {
                let d = common::rel_diff(&(&r.x * c), &p0.dot(&ndarray::Array1::<f64>::ones(7)));
                if d > 1e-10 {
                    failures.push(format!(
                        "lstsq(A·{c:e}) x·{c:e} differs from pinv(A)·b by {d:.2e}"
                    ));
                }
            }
            Err(e) => failures.push(format!("lstsq(A·{c:e}): {e}")),
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn default_tolerances_match_numpy() {
    // matrix_rank: S.max() · max(M, N) · ε (= 4.4e-16 here), counting σ > tol
    assert_eq!(
        matrix_rank(array![[1., 0.], [0., 1e-15]].view(), None).unwrap(),
        2
    );
    assert_eq!(
        matrix_rank(array![[1., 0.], [0., 3e-16]].view(), None).unwrap(),
        1
    );
    // lstsq: rcond = ε · max(M, N)
    let b = array![1., 1.];
    let r = mlinalg::linalg::lstsq(array![[1., 0.], [0., 1e-15]].view(), &b, None).unwrap();
    assert_eq!(r.rank, 2);
    let r = mlinalg::linalg::lstsq(array![[1., 0.], [0., 3e-16]].view(), &b, None).unwrap();
    assert_eq!(r.rank, 1);
    assert_close!(r.x, array![1., 0.]);
}

#[test]
fn pinv_default_rcond_is_numpys_1e_15() {
    // np.linalg.pinv(a) with neither rcond nor rtol uses rcond = 1e-15 (NumPy 2.4 source:
    // `if rtol is _NoValue: rcond = 1e-15`); max(M, N)·ε applies only to an explicit rtol=None.
    assert_close!(
        pinv(array![[1., 0.], [0., 1e-15]].view(), None).unwrap(),
        array![[1., 0.], [0., 0.]]
    );
    let p = pinv(array![[1., 0.], [0., 2e-15]].view(), None).unwrap();
    assert_close!(p, array![[1., 0.], [0., 5e14]], rtol = 1e-12);
}

#[test]
fn cond_of_singular_matrices_is_infinite_as_in_numpy() {
    let a = array![[1f64, 2.], [2., 4.]];
    for ord in [
        NormOrd::P(1.0),
        NormOrd::P(-1.0),
        NormOrd::Inf,
        NormOrd::NegInf,
        NormOrd::Fro,
    ] {
        let c =
            cond(a.view(), Some(ord)).unwrap_or_else(|e| panic!("cond(singular, {ord:?}): {e}"));
        assert_eq!(c, f64::INFINITY, "cond(singular, {ord:?})");
    }
    assert_eq!(
        cond(Array2::<f64>::zeros((3, 3)).view(), None).unwrap(),
        f64::INFINITY
    );
    assert_eq!(
        cond(Array2::<f64>::zeros((3, 2)).view(), None).unwrap(),
        f64::INFINITY
    );
}
