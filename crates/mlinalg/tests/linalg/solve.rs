//! `solve` and `inv`.

use mlinalg::linalg::{inv, solve};
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;

use crate::common::{
    self, EPS, assert_close, assert_close_norm, assert_err_contains, fro, fx1, fx2, fxd, normal,
};

/// Normwise tolerance of a fixture case: ill-conditioned cases lose ~cond·ε.
fn tol(case: &str) -> f64 {
    if case.contains("ill") { 1e-4 } else { 1e-11 }
}

#[test]
fn solve_matches_numpy() {
    for case in [
        "solve_1x1",
        "solve_sq5",
        "solve_sq5m",
        "solve_ill5",
        "solve_big5",
        "solve_small5",
    ] {
        let a = fx2(case, "a");
        let b = fxd(case, "b");
        if b.ndim() == 1 {
            let b: Array1<f64> = b.into_dimensionality().unwrap();
            let x = solve(a.view(), &b).unwrap();
            assert_close_norm(&x, &fx1(case, "x"), tol(case), case);
        } else {
            let b: Array2<f64> = b.into_dimensionality().unwrap();
            let x = solve(a.view(), &b).unwrap();
            assert_close_norm(&x, &fx2(case, "x"), tol(case), case);
        }
    }
}

#[test]
fn inv_matches_numpy() {
    for case in ["inv_1x1", "inv_sq5", "inv_ill5", "inv_big5", "inv_small5"] {
        let a = fx2(case, "a");
        let ai = inv(a.view()).unwrap();
        assert_close_norm(&ai, &fx2(case, "inverse"), tol(case), case);
    }
}

#[test]
fn solve_accepts_views_and_1x1() {
    let a = array![[2.0]];
    assert_close!(solve(a.view(), &array![4.0]).unwrap(), array![2.0]);
    let b = array![[1., 2.], [3., 4.]];
    let x = solve(array![[2., 0.], [0., 4.]].view(), &b.view()).unwrap();
    assert_close!(x, array![[0.5, 1.0], [0.75, 1.0]]);
    assert_close!(inv(array![[4.0]].view()).unwrap(), array![[0.25]]);
}

#[test]
fn solve_needs_pivoting() {
    // a zero in the (0, 0) position: no pivoting would divide by zero
    let a = array![[0., 1.], [1., 0.]];
    assert_close!(solve(a.view(), &array![3., 5.]).unwrap(), array![5., 3.]);
    assert_close!(inv(a.view()).unwrap(), a);
}

#[test]
fn singular_matrix_is_an_error() {
    for a in [
        array![[1., 2.], [2., 4.]],
        Array2::zeros((3, 3)),
        array![[0.0]],
    ] {
        let n = a.nrows();
        let e = solve(a.view(), &Array1::<f64>::ones(n)).unwrap_err();
        assert_eq!(e.to_string(), "solve: singular matrix");
        let e = inv(a.view()).unwrap_err();
        assert_eq!(e.to_string(), "inv: singular matrix");
    }
}

#[test]
fn nearly_singular_is_not_singular() {
    // NumPy raises only on an exactly zero pivot: cond ~4e15 and tiny scales still solve
    let a = array![[1., 1.], [1., 1. + 1e-15]];
    let x = solve(a.view(), &array![2., 2.]).unwrap();
    assert_close!(x, array![2., 0.], atol = 1e-12);
    let ai = inv(a.view()).unwrap();
    assert!(ai.iter().all(|v| v.is_finite() && v.abs() > 1e14));
    let tiny = array![[1e-300, 0.], [0., 1e-300]];
    assert_close!(
        solve(tiny.view(), &array![1., 1.]).unwrap(),
        array![1e300, 1e300],
        rtol = 1e-15
    );
    assert_close!(
        inv(tiny.view()).unwrap(),
        array![[1e300, 0.], [0., 1e300]],
        rtol = 1e-15
    );
}

#[test]
fn empty_input_is_an_error() {
    let a = Array2::<f64>::zeros((0, 0));
    assert_err_contains(solve(a.view(), &Array1::<f64>::zeros(0)), "empty");
    assert_err_contains(inv(a.view()), "empty");
}

#[test]
fn non_finite_input_is_an_error() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let a = array![[1., bad], [0., 1.]];
        assert_err_contains(solve(a.view(), &array![1., 1.]), "non-finite");
        assert_err_contains(inv(a.view()), "non-finite");
    }
}

#[test]
fn non_square_matrix_is_an_error() {
    let a = Array2::<f64>::ones((2, 3));
    let msg = assert_err_contains(solve(a.view(), &array![1., 1.]), "solve");
    assert!(msg.contains("square") && msg.contains("(2, 3)"), "{msg}");
    let msg = assert_err_contains(inv(a.view()), "inv");
    assert!(msg.contains("square") && msg.contains("(2, 3)"), "{msg}");
}

#[test]
fn rhs_shape_mismatch_names_both_shapes() {
    let a = Array2::<f64>::eye(3);
    let msg = assert_err_contains(solve(a.view(), &array![1., 2.]), "solve");
    assert!(msg.contains("(3, 3)") && msg.contains("(2,)"), "{msg}");
    let msg = assert_err_contains(solve(a.view(), &Array2::<f64>::ones((2, 4))), "solve");
    assert!(msg.contains("(3, 3)") && msg.contains("(2, 4)"), "{msg}");
}

/// ‖b − A x‖ / (‖A‖ ‖x‖ ε n), LAPACK's solve test ratio.
fn solve_ratio(a: &Array2<f64>, x: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let r = b - &a.dot(x);
    common::ratio(fro(&r), fro(a) * fro(x), a.nrows() as f64)
}

fn square_inputs() -> impl Strategy<Value = Array2<f64>> {
    prop_oneof![
        common::invertible(1..=12),
        common::square(1..=12),
        (1usize..=12, any::<u64>()).prop_map(|(n, s)| common::ill_conditioned(n, n, 1e10, s)),
    ]
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn solve_residual_is_small(a in square_inputs(), k in 1usize..=3, seed: u64) {
        let n = a.nrows();
        let b = normal(n, k, seed);
        let x = solve(a.view(), &b)?;
        prop_assert_eq!(x.shape(), &[n, k]);
        let r = solve_ratio(&a, &x, &b);
        prop_assert!(r < 30.0, "‖b − Ax‖/(‖A‖‖x‖nε) = {r}");
        // the 1-d right-hand side gives the first column
        let x1 = solve(a.view(), &b.column(0))?;
        prop_assert!(common::rel_diff(&x1, &x.column(0)) < 1e-12);
    }

    #[test]
    fn inv_residual_is_small(a in square_inputs()) {
        let n = a.nrows();
        let ai = inv(a.view())?;
        let r = &Array2::<f64>::eye(n) - &a.dot(&ai);
        // ‖I − A A⁻¹‖ / (n ‖A‖ ‖A⁻¹‖ ε)
        let ratio = fro(&r) / (n as f64 * fro(&a) * fro(&ai) * EPS);
        prop_assert!(ratio < 30.0, "inverse ratio {ratio}");
    }

    #[test]
    fn solve_agrees_with_inverse(a in common::invertible(1..=12), seed: u64) {
        let b = normal(a.nrows(), 1, seed).column(0).to_owned();
        let x = solve(a.view(), &b)?;
        let y = inv(a.view())?.dot(&b);
        prop_assert!(common::rel_diff(&x, &y) < 1e-10);
    }
}
