//! `cholesky` and the reusable `Cholesky` factor.

use mlinalg::linalg::{Cholesky, cholesky};
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;

use crate::common::{
    self, assert_close, assert_close_norm, assert_err_contains, fro, fx2, normal, rel_residual,
};

fn assert_lower_with_positive_diagonal(l: &Array2<f64>, what: &str) {
    for ((i, j), &v) in l.indexed_iter() {
        assert!(
            j <= i || v == 0.0,
            "{what}: L[{i}, {j}] = {v:e} above the diagonal"
        );
    }
    assert!(
        l.diag().iter().all(|&d| d > 0.0),
        "{what}: diagonal {}",
        l.diag()
    );
}

#[test]
fn cholesky_matches_numpy() {
    for case in [
        "cholesky_1x1",
        "cholesky_spd5",
        "cholesky_ill5",
        "cholesky_big5",
        "cholesky_small5",
    ] {
        let a = fx2(case, "a");
        let l = cholesky(a.view()).unwrap();
        let tol = if case.contains("ill") { 1e-5 } else { 1e-12 };
        assert_close_norm(&l, &fx2(case, "l"), tol, case);
        assert_lower_with_positive_diagonal(&l, case);
        assert!(rel_residual(&a, &l.dot(&l.t())) < 30.0, "{case}: A != LLᵀ");
        assert_eq!(
            Cholesky::new(a.view()).unwrap().l(),
            &l,
            "{case}: Cholesky::l"
        );
    }
}

#[test]
fn cholesky_small_cases() {
    assert_close!(cholesky(array![[4.0]].view()).unwrap(), array![[2.0]]);
    let l = cholesky(array![[4., 2.], [2., 5.]].view()).unwrap();
    assert_close!(l, array![[2., 0.], [1., 2.]]);
    let f = Cholesky::new(array![[4., 2.], [2., 5.]].view()).unwrap();
    // A x = b with A = [[4, 2], [2, 5]], x = [1, -1] → b = [2, -3]
    assert_close!(f.solve(&array![2., -3.]).unwrap(), array![1., -1.]);
    let x2 = f.solve(&array![[2., 6.], [-3., 7.]]).unwrap();
    assert_close!(x2, array![[1., 1.], [-1., 1.]]);
}

#[test]
fn not_positive_definite_is_an_error() {
    for a in [
        array![[1., 2.], [2., 1.]],
        -Array2::<f64>::eye(3),
        Array2::<f64>::zeros((2, 2)),
        array![[-1.0]],
        array![[1., 1.], [1., 1.]], // positive semidefinite only
    ] {
        let msg = assert_err_contains(cholesky(a.view()), "not positive definite");
        assert!(msg.starts_with("cholesky"), "{msg}");
        assert_err_contains(Cholesky::new(a.view()), "not positive definite");
    }
}

#[test]
fn cholesky_errors() {
    assert_err_contains(cholesky(Array2::<f64>::zeros((0, 0)).view()), "empty");
    assert_err_contains(cholesky(array![[f64::NAN]].view()), "non-finite");
    assert_err_contains(
        Cholesky::new(array![[1., f64::INFINITY], [0., 1.]].view()),
        "non-finite",
    );
    let msg = assert_err_contains(cholesky(Array2::<f64>::ones((2, 3)).view()), "cholesky");
    assert!(msg.contains("square") && msg.contains("(2, 3)"), "{msg}");
    let f = Cholesky::new(Array2::<f64>::eye(3).view()).unwrap();
    let msg = assert_err_contains(f.solve(&Array1::<f64>::ones(2)), "cholesky");
    assert!(msg.contains('2') && msg.contains('3'), "{msg}");
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn cholesky_reconstructs(a in prop_oneof![
        common::spd_matrix(1..=12),
        (1usize..=12, any::<u64>()).prop_map(|(n, s)| common::ill_symmetric(n, 1e10, s)),
    ]) {
        let l = cholesky(a.view())?;
        let rr = rel_residual(&a, &l.dot(&l.t()));
        prop_assert!(rr < 30.0, "‖A − LLᵀ‖/(‖A‖ n ε) = {rr}");
        for ((i, j), &v) in l.indexed_iter() {
            prop_assert!(j <= i || v == 0.0);
        }
        prop_assert!(l.diag().iter().all(|&d| d > 0.0));
    }

    #[test]
    fn cholesky_solve_residual_is_small(a in common::spd_matrix(1..=12), k in 1usize..=3, seed: u64) {
        let n = a.nrows();
        let b = normal(n, k, seed);
        let f = Cholesky::new(a.view())?;
        let x = f.solve(&b)?;
        let r = &b - &a.dot(&x);
        let ratio = common::ratio(fro(&r), fro(&a) * fro(&x), n as f64);
        prop_assert!(ratio < 30.0, "‖b − Ax‖/(‖A‖‖x‖nε) = {ratio}");
        let x1 = f.solve(&b.column(0))?;
        prop_assert!(common::rel_diff(&x1, &x.column(0)) < 1e-12);
    }
}
