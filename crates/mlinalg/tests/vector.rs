//! `mlinalg::vector`: dot, axpy, norms, cosine and angle.

use mlinalg::vector::{
    angle, angle_degrees, axpy, cosine_similarity, dot, norm_inf, norm_l0, norm_l1, norm_l2,
    norm_neg_inf, norm_p,
};
use ndarray::{Array1, array};
use proptest::prelude::*;

use crate::common::{self, assert_close, assert_err_contains, fx0, fx1};

#[test]
fn dot_of_worked_example() {
    let d = dot(array![2., 3., -1.].view(), array![4., 1., 2.].view()).unwrap();
    assert_eq!(d, 9.0);
}

#[test]
fn dot_of_empty_vectors_is_zero() {
    let e = Array1::<f64>::zeros(0);
    assert_eq!(dot(e.view(), e.view()).unwrap(), 0.0);
}

#[test]
fn dot_length_mismatch_names_both_shapes() {
    let msg = assert_err_contains(dot(array![1., 2., 3.].view(), array![1., 2.].view()), "dot");
    assert!(msg.contains("(3,)") && msg.contains("(2,)"), "{msg}");
}

#[test]
fn axpy_is_alpha_x_plus_y() {
    let r = axpy(2.0, array![1., 2.].view(), array![3., 4.].view()).unwrap();
    assert_eq!(r, array![5., 8.]);
    let msg = assert_err_contains(axpy(1.0, array![1.].view(), array![1., 2.].view()), "axpy");
    assert!(msg.contains("(1,)") && msg.contains("(2,)"), "{msg}");
}

#[test]
fn norms_of_worked_example() {
    let x = array![2., 3., -1.];
    assert_eq!(norm_l0(x.view()), 3.0);
    assert_eq!(norm_l1(x.view()), 6.0);
    assert_close!(norm_l2(x.view()), 14f64.sqrt(), rtol = 1e-15);
    assert_eq!(norm_inf(x.view()), 3.0);
    assert_eq!(norm_neg_inf(x.view()), 1.0);
    assert_close!(
        norm_p(x.view(), 3.0).unwrap(),
        36f64.powf(1.0 / 3.0),
        rtol = 1e-14
    );
    let half = (2f64.sqrt() + 3f64.sqrt() + 1.0).powi(2);
    assert_close!(norm_p(x.view(), 0.5).unwrap(), half, rtol = 1e-14);
}

#[test]
fn norm_l0_counts_nonzeros() {
    assert_eq!(norm_l0(array![0., 1., 0., -2., 0.].view()), 2.0);
    assert_eq!(norm_l0(array![0., -0.].view()), 0.0);
}

#[test]
fn norm_l2_does_not_overflow_or_underflow() {
    assert_close!(
        norm_l2(array![1e200, 1e200].view()),
        1e200 * 2f64.sqrt(),
        rtol = 1e-15
    );
    assert_close!(
        norm_l2(array![1e-200, 1e-200].view()),
        1e-200 * 2f64.sqrt(),
        rtol = 1e-15
    );
    assert_close!(norm_l2(array![3e300, -4e300].view()), 5e300, rtol = 1e-15);
    assert_eq!(norm_l2(array![f64::INFINITY, 1.0].view()), f64::INFINITY);
    assert!(norm_l2(array![f64::NAN, 1.0].view()).is_nan());
}

#[test]
fn norms_of_empty_vector() {
    let e = Array1::<f64>::zeros(0);
    assert_eq!(norm_l1(e.view()), 0.0);
    assert_eq!(norm_l2(e.view()), 0.0);
    assert_eq!(norm_l0(e.view()), 0.0);
}

#[test]
fn norm_p_matches_numpy_fixture() {
    for case in ["norm_vec7", "norm_vec1"] {
        let x = fx1(case, "a");
        assert_close!(norm_p(x.view(), 0.0).unwrap(), fx0(case, "norm_0"));
        assert_close!(
            norm_p(x.view(), 1.0).unwrap(),
            fx0(case, "norm_1"),
            rtol = 1e-14
        );
        assert_close!(
            norm_p(x.view(), -1.0).unwrap(),
            fx0(case, "norm_-1"),
            rtol = 1e-13
        );
        assert_close!(
            norm_p(x.view(), 2.0).unwrap(),
            fx0(case, "norm_2"),
            rtol = 1e-14
        );
        assert_close!(
            norm_p(x.view(), -2.0).unwrap(),
            fx0(case, "norm_-2"),
            rtol = 1e-13
        );
        assert_close!(
            norm_p(x.view(), 3.0).unwrap(),
            fx0(case, "norm_3"),
            rtol = 1e-13
        );
        assert_close!(
            norm_p(x.view(), 0.5).unwrap(),
            fx0(case, "norm_0.5"),
            rtol = 1e-13
        );
        assert_close!(
            norm_p(x.view(), f64::INFINITY).unwrap(),
            fx0(case, "norm_inf")
        );
        assert_close!(
            norm_p(x.view(), f64::NEG_INFINITY).unwrap(),
            fx0(case, "norm_neginf")
        );
        assert_close!(norm_l1(x.view()), fx0(case, "norm_1"), rtol = 1e-14);
        assert_close!(norm_l2(x.view()), fx0(case, "norm_2"), rtol = 1e-14);
        assert_close!(norm_inf(x.view()), fx0(case, "norm_inf"));
        assert_close!(norm_neg_inf(x.view()), fx0(case, "norm_neginf"));
        assert_close!(norm_l0(x.view()), fx0(case, "norm_0"));
    }
}

#[test]
fn norm_p_with_zero_entries_matches_numpy() {
    let case = "norm_veczeros";
    let x = fx1(case, "a");
    assert_eq!(norm_l0(x.view()), fx0(case, "norm_0"));
    assert_eq!(norm_neg_inf(x.view()), 0.0);
    assert_close!(
        norm_p(x.view(), 3.0).unwrap(),
        fx0(case, "norm_3"),
        rtol = 1e-14
    );
    assert_close!(
        norm_p(x.view(), 0.5).unwrap(),
        fx0(case, "norm_0.5"),
        rtol = 1e-14
    );
}

#[test]
fn norm_p_rejects_nan_order() {
    assert_err_contains(norm_p(array![1., 2.].view(), f64::NAN), "NaN");
}

#[test]
fn cosine_and_angle_of_worked_example() {
    let (a, b) = (array![2., 3., -1.], array![4., 1., 2.]);
    let c = cosine_similarity(a.view(), b.view()).unwrap();
    assert_close!(c, 9.0 / (14f64.sqrt() * 21f64.sqrt()), rtol = 1e-15);
    assert!((c - 0.5249).abs() < 1e-4);
    let deg = angle_degrees(a.view(), b.view()).unwrap();
    assert!((deg - 58.3).abs() < 0.05, "{deg}");
    assert_close!(angle(a.view(), b.view()).unwrap(), c.acos(), rtol = 1e-15);
}

#[test]
fn cosine_of_parallel_orthogonal_and_opposite_vectors() {
    let a = array![1., 2., 3.];
    assert_close!(
        cosine_similarity(a.view(), (&a * 7.0).view()).unwrap(),
        1.0,
        rtol = 1e-15
    );
    assert_close!(
        cosine_similarity(a.view(), (&a * -0.5).view()).unwrap(),
        -1.0,
        rtol = 1e-15
    );
    let c = cosine_similarity(array![1., 0.].view(), array![0., 5.].view()).unwrap();
    assert_eq!(c, 0.0);
    assert_close!(
        angle(a.view(), (&a * -2.0).view()).unwrap(),
        std::f64::consts::PI
    );
    assert_close!(
        angle_degrees(array![1., 0.].view(), array![0., 3.].view()).unwrap(),
        90.0
    );
}

#[test]
fn cosine_of_huge_and_tiny_vectors() {
    let c = cosine_similarity(array![1e200, 1e200].view(), array![1e200, 0.].view()).unwrap();
    assert_close!(c, 1.0 / 2f64.sqrt(), rtol = 1e-14);
    let c = cosine_similarity(array![1e-200, 1e-200].view(), array![1e-200, 0.].view()).unwrap();
    assert_close!(c, 1.0 / 2f64.sqrt(), rtol = 1e-14);
}

#[test]
fn cosine_length_mismatch_is_an_error() {
    let e = cosine_similarity(array![1., 2.].view(), array![1., 2., 3.].view());
    let msg = assert_err_contains(e, "(2,)");
    assert!(msg.contains("(3,)"), "{msg}");
    assert!(angle(array![1.].view(), array![1., 2.].view()).is_err());
}

#[test]
fn cosine_of_zero_vector_is_nan_not_a_panic() {
    let c = cosine_similarity(array![0., 0.].view(), array![1., 2.].view()).unwrap();
    assert!(c.is_nan());
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn angle_of_vector_with_itself_is_zero_not_nan(x in prop::collection::vec(-1e3..1e3f64, 1..=12)) {
        let x = Array1::from(x);
        prop_assume!(norm_l2(x.view()) > 0.0);
        let t = angle(x.view(), x.view())?;
        prop_assert!(t.is_finite() && t.abs() < 1e-7, "angle(x, x) = {t}");
        let c = cosine_similarity(x.view(), (-&x).view())?;
        prop_assert!((-1.0..=-1.0 + 1e-14).contains(&c), "cos(x, -x) = {c}");
    }

    #[test]
    fn norms_obey_identities(x in prop::collection::vec(-1e3..1e3f64, 1..=12), s in -1e3..1e3f64) {
        let x = Array1::from(x);
        let n2 = norm_l2(x.view());
        // ‖x‖∞ ≤ ‖x‖₂ ≤ ‖x‖₁ ≤ n ‖x‖∞
        let tol = 1e-12 * norm_l1(x.view());
        prop_assert!(norm_inf(x.view()) <= n2 + tol);
        prop_assert!(n2 <= norm_l1(x.view()) + tol);
        prop_assert!(norm_l1(x.view()) <= x.len() as f64 * norm_inf(x.view()) + tol);
        // homogeneity and ‖x‖₂² = x·x
        let sx = &x * s;
        prop_assert!((norm_l2(sx.view()) - s.abs() * n2).abs() <= 1e-12 * (s.abs() * n2 + 1e-300));
        let d = dot(x.view(), x.view())?;
        prop_assert!((n2 * n2 - d).abs() <= 1e-12 * d.max(1e-300));
        // norm_p at p = 1, 2 agrees with the dedicated forms
        prop_assert!((norm_p(x.view(), 1.0)? - norm_l1(x.view())).abs() <= tol);
        prop_assert!((norm_p(x.view(), 2.0)? - n2).abs() <= tol);
    }

    #[test]
    fn axpy_matches_elementwise(
        (x, y) in (1usize..=12).prop_flat_map(|n| (
            prop::collection::vec(-1e3..1e3f64, n),
            prop::collection::vec(-1e3..1e3f64, n),
        )),
        alpha in -10.0..10.0f64,
    ) {
        let (x, y) = (Array1::from(x), Array1::from(y));
        let r = axpy(alpha, x.view(), y.view())?;
        let want = &x * alpha + &y;
        for (g, w) in r.iter().zip(want.iter()) {
            prop_assert!((g - w).abs() <= 1e-12 * (1.0 + w.abs()));
        }
    }
}
