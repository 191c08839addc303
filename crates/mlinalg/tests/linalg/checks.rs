//! `is_symmetric`, `is_orthogonal`, `is_positive_definite`.

use mlinalg::linalg::{QrMode, is_orthogonal, is_positive_definite, is_symmetric, qr};
use ndarray::{Array2, array};
use proptest::prelude::*;

use crate::common::{self, orthonormal, spd, symmetric};

#[test]
fn symmetric_matrices() {
    assert!(is_symmetric(symmetric(6, 1).view()));
    assert!(is_symmetric(array![[5.0]].view()));
    assert!(is_symmetric(Array2::<f64>::eye(3).view()));
    assert!(!is_symmetric(array![[1., 2.], [3., 1.]].view()));
    assert!(
        !is_symmetric(Array2::<f64>::zeros((2, 3)).view()),
        "non-square is not symmetric"
    );
    // allclose-style tolerance: rounding-level asymmetry is accepted
    let mut a = symmetric(5, 2);
    a[[0, 4]] += 1e-13;
    assert!(is_symmetric(a.view()));
    assert!(!is_symmetric(array![[1., f64::NAN], [f64::NAN, 1.]].view()));
}

#[test]
fn orthogonal_matrices() {
    let t: f64 = 0.3;
    assert!(is_orthogonal(
        array![[t.cos(), -t.sin()], [t.sin(), t.cos()]].view()
    ));
    assert!(is_orthogonal(orthonormal(7, 7, 3).view()));
    assert!(is_orthogonal(
        array![[0., 1., 0.], [0., 0., 1.], [1., 0., 0.]].view()
    ));
    assert!(is_orthogonal(array![[-1.0]].view()));
    assert!(!is_orthogonal((Array2::<f64>::eye(3) * 2.0).view()));
    assert!(!is_orthogonal(array![[1., 1.], [0., 1.]].view()));
    assert!(!is_orthogonal(Array2::<f64>::zeros((2, 2)).view()));
}

#[test]
fn positive_definite_matrices() {
    assert!(is_positive_definite(spd(6, 4).view()));
    assert!(is_positive_definite(Array2::<f64>::eye(3).view()));
    assert!(is_positive_definite(array![[4.0]].view()));
    assert!(!is_positive_definite(array![[1., 2.], [2., 1.]].view()));
    assert!(!is_positive_definite(Array2::<f64>::zeros((3, 3)).view()));
    assert!(!is_positive_definite((-Array2::<f64>::eye(2)).view()));
    assert!(!is_positive_definite(array![[-1.0]].view()));
    assert!(!is_positive_definite(Array2::<f64>::ones((2, 3)).view()));
    assert!(!is_positive_definite(
        array![[f64::NAN, 0.], [0., 1.]].view()
    ));
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn checks_agree_with_constructions(n in 1usize..=12, seed: u64) {
        let q = qr(common::normal(n, n, seed).view(), QrMode::Complete)?.q;
        prop_assert!(is_orthogonal(q.view()));
        prop_assert!(is_symmetric(symmetric(n, seed).view()));
        prop_assert!(is_positive_definite(spd(n, seed).view()));
        prop_assert!(is_positive_definite((spd(n, seed) * 1e-150).view()));
        prop_assert!(is_positive_definite((spd(n, seed) * 1e150).view()));
        prop_assert!(!is_positive_definite((-spd(n, seed)).view()));
    }
}
