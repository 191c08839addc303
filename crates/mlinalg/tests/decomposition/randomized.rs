//! `randomized_range_finder` and `randomized_svd` (Halko et al. 2011).

use mlinalg::Error;
use mlinalg::decomposition::{
    LinearOperator, PowerIterationNormalizer, RandomizedSvdOptions, auto_n_iter,
    randomized_range_finder, randomized_svd,
};
use mlinalg::linalg::{Svd, svd};
use mlinalg::sparse::CsrMatrix;
use ndarray::{Array2, ArrayView2, array, s};
use proptest::prelude::*;

use super::decaying;
use crate::common::{assert_close_norm, assert_cols_close_up_to_sign, orth_residual, out_of_span};

const AUTO: PowerIterationNormalizer = PowerIterationNormalizer::Auto;

/// [`randomized_svd`] with every keyword argument given, in scikit-learn's order.
fn rsvd(
    a: &dyn LinearOperator,
    n_components: usize,
    n_oversamples: usize,
    n_iter: Option<usize>,
    power_iteration_normalizer: PowerIterationNormalizer,
    transpose: Option<bool>,
    seed: u64,
) -> mlinalg::Result<Svd> {
    let opts = RandomizedSvdOptions {
        n_oversamples,
        n_iter,
        power_iteration_normalizer,
        transpose,
        seed,
    };
    randomized_svd(a, n_components, &opts)
}

#[test]
fn the_options_builder_sets_each_keyword_and_defaults_to_scikit_learns() {
    let d = RandomizedSvdOptions::default();
    assert_eq!(
        (
            d.n_oversamples,
            d.n_iter,
            d.power_iteration_normalizer,
            d.transpose,
            d.seed
        ),
        (10, None, AUTO, None, 0)
    );
    let o = RandomizedSvdOptions::default()
        .n_oversamples(3)
        .n_iter(Some(2))
        .power_iteration_normalizer(PowerIterationNormalizer::Qr)
        .transpose(Some(true))
        .seed(9);
    assert_eq!(
        o,
        RandomizedSvdOptions {
            n_oversamples: 3,
            n_iter: Some(2),
            power_iteration_normalizer: PowerIterationNormalizer::Qr,
            transpose: Some(true),
            seed: 9,
        }
    );
    let a = super::decaying(40, 30, 0.5, 1);
    let f = randomized_svd(&a.view(), 3, &o).unwrap();
    let g = rsvd(
        &a.view(),
        3,
        3,
        Some(2),
        PowerIterationNormalizer::Qr,
        Some(true),
        9,
    )
    .unwrap();
    assert_eq!(f.s, g.s);
}

#[test]
fn matches_exact_svd_on_decaying_spectrum_tall_and_wide() {
    for (m, n) in [(300, 80), (80, 300)] {
        let a = decaying(m, n, 0.4, 5);
        let exact = svd(a.view(), false).unwrap();
        let f = rsvd(&a.view(), 6, 10, None, AUTO, None, 0).unwrap();
        assert_eq!((f.u.dim(), f.s.len(), f.vt.dim()), ((m, 6), 6, (6, n)));
        assert_close_norm(&f.s, &exact.s.slice(s![..6]), 1e-10, "s");
        assert_cols_close_up_to_sign(f.u.view(), exact.u.view(), 6, 1e-8, "u");
        assert_cols_close_up_to_sign(f.vt.t(), exact.vt.t(), 6, 1e-8, "v");
        // flip_sign=True: the largest-|·| entry of each column of U is positive
        for col in f.u.columns() {
            let big = col
                .iter()
                .copied()
                .fold(0.0f64, |a, v| if v.abs() > a.abs() { v } else { a });
            assert!(big > 0.0);
        }
    }
}

#[test]
fn transpose_and_normalizers_agree() {
    let a = decaying(120, 200, 0.5, 9);
    let base = rsvd(&a.view(), 5, 10, Some(4), AUTO, None, 3).unwrap();
    for t in [Some(false), Some(true)] {
        for norm in [PowerIterationNormalizer::Lu, PowerIterationNormalizer::Qr] {
            let f = rsvd(&a.view(), 5, 10, Some(4), norm, t, 3).unwrap();
            assert_close_norm(&f.s, &base.s, 1e-10, &format!("{t:?} {norm:?}"));
            // the same signs whichever way it was computed (flip is based on the result)
            assert_close_norm(&f.u, &base.u, 1e-8, &format!("{t:?} {norm:?} u"));
        }
    }
}

#[test]
fn no_normalization_is_fine_for_few_iterations_but_collapses_for_many() {
    // σ₁/σ₅ ≈ 200 (the +3 offset makes σ₁ large): after 2·n_iter + 1 products without
    // normalisation the block's columns differ by 200^(2·n_iter+1) in scale.
    let a = decaying(120, 200, 0.5, 9);
    let qr1 = rsvd(
        &a.view(),
        5,
        10,
        Some(1),
        PowerIterationNormalizer::Qr,
        None,
        3,
    )
    .unwrap();
    let none1 = rsvd(
        &a.view(),
        5,
        10,
        Some(1),
        PowerIterationNormalizer::None,
        None,
        3,
    )
    .unwrap();
    assert_close_norm(&none1.s, &qr1.s, 1e-8, "n_iter = 1");
    let lu4 = rsvd(
        &a.view(),
        5,
        10,
        Some(4),
        PowerIterationNormalizer::Lu,
        None,
        3,
    )
    .unwrap();
    let none4 = rsvd(
        &a.view(),
        5,
        10,
        Some(4),
        PowerIterationNormalizer::None,
        None,
        3,
    )
    .unwrap();
    assert!(
        common_rel(&none4.s, &lu4.s) > 1e-3,
        "expected collapse without normalisation"
    );
}

fn common_rel(a: &ndarray::Array1<f64>, b: &ndarray::Array1<f64>) -> f64 {
    crate::common::rel_diff(a, b)
}

#[test]
fn range_finder_returns_orthonormal_basis_of_the_range() {
    let b = crate::common::normal(50, 3, 1);
    let c = crate::common::normal(3, 40, 2);
    let a = b.dot(&c); // rank 3
    let q = randomized_range_finder(&a.view(), 5, 2, AUTO, 0).unwrap();
    assert_eq!(q.dim(), (50, 5));
    assert!(orth_residual(q.view()) < 50.0);
    for col in a.columns() {
        assert!(out_of_span(q.view(), col) < 1e-10);
    }
    // More columns requested than rows: Q has min(m, size) columns.
    let small = array![[1., 2., 3.], [4., 5., 6.]];
    assert_eq!(
        randomized_range_finder(&small.view(), 4, 1, AUTO, 0)
            .unwrap()
            .dim(),
        (2, 2)
    );
}

#[test]
fn auto_n_iter_is_sklearns_rule() {
    // 7 if n_components < 0.1·min(shape), else 4 (scikit-learn #5299)
    assert_eq!(auto_n_iter(9, (100, 1000)), 7);
    assert_eq!(auto_n_iter(10, (100, 1000)), 4);
    assert_eq!(auto_n_iter(1, (5, 5)), 4);
}

#[test]
fn same_seed_same_result() {
    let a = decaying(60, 30, 0.1, 2);
    let f1 = rsvd(&a.view(), 3, 2, Some(1), AUTO, None, 42).unwrap();
    let f2 = rsvd(&a.view(), 3, 2, Some(1), AUTO, None, 42).unwrap();
    assert_eq!(f1, f2);
}

#[test]
fn sparse_operator_gives_the_dense_answer() {
    let a = decaying(90, 40, 0.5, 4);
    // sparsify: drop small entries (the matrix stays well approximated)
    let a = a.mapv(|v| if v.abs() < 3.0 { 0.0 } else { v });
    let csr = CsrMatrix::from_dense(a.view());
    let d = rsvd(&a.view(), 4, 10, Some(3), AUTO, None, 1).unwrap();
    let sp = rsvd(&csr, 4, 10, Some(3), AUTO, None, 1).unwrap();
    assert_close_norm(&sp.s, &d.s, 1e-12, "sparse vs dense s");
    assert_close_norm(&sp.vt, &d.vt, 1e-10, "sparse vs dense vt");
}

/// A matrix-free operator: the identity scaled by column, A = diag(1..n) padded.
struct Diag(usize);

impl LinearOperator for Diag {
    fn shape(&self) -> (usize, usize) {
        (self.0 + 2, self.0)
    }
    fn dot_dense(&self, b: ArrayView2<'_, f64>) -> mlinalg::Result<Array2<f64>> {
        let mut out = Array2::zeros((self.0 + 2, b.ncols()));
        for i in 0..self.0 {
            out.row_mut(i).assign(&(&b.row(i) * (i + 1) as f64));
        }
        Ok(out)
    }
    fn t_dot_dense(&self, b: ArrayView2<'_, f64>) -> mlinalg::Result<Array2<f64>> {
        let mut out = Array2::zeros((self.0, b.ncols()));
        for i in 0..self.0 {
            out.row_mut(i).assign(&(&b.row(i) * (i + 1) as f64));
        }
        Ok(out)
    }
}

#[test]
fn custom_operator() {
    let f = rsvd(&Diag(20), 3, 17, Some(2), AUTO, None, 0).unwrap();
    assert_close_norm(&f.s, &array![20.0, 19.0, 18.0], 1e-10, "diag s");
}

#[test]
fn errors() {
    let a = array![[1., 2.], [3., 4.], [5., 6.]];
    let e = rsvd(&a.view(), 3, 10, None, AUTO, None, 0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "randomized_svd: invalid n_components: n_components=3 must be between 1 and min(n_samples, n_features)=2"
    );
    let e = rsvd(&a.view(), 0, 10, None, AUTO, None, 0).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }));
    let e = rsvd(&a.view(), 1, usize::MAX, None, AUTO, None, 0).unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidParameter {
                name: "n_oversamples",
                ..
            }
        ),
        "{e}"
    );
    let e = rsvd(&a.view(), 1, usize::MAX / 4, None, AUTO, None, 0).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    let empty = Array2::<f64>::zeros((0, 4));
    let e = rsvd(&empty.view(), 1, 10, None, AUTO, None, 0).unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    let e = randomized_range_finder(&a.view(), 0, 1, AUTO, 0).unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { name: "size", .. }),
        "{e}"
    );
    let bad = array![[1., f64::NAN], [3., 4.], [5., 6.]];
    let e = rsvd(
        &bad.view(),
        1,
        1,
        Some(3),
        PowerIterationNormalizer::Qr,
        None,
        0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            Error::NonFinite {
                op: "randomized_svd"
            }
        ),
        "{e}"
    );
}

proptest! {
    #![proptest_config(crate::common::config())]

    /// On a matrix of exact rank r ≤ k the range finder captures the whole range, so the
    /// randomized SVD reconstructs A to rounding error, whatever the shape.
    #[test]
    fn exact_on_low_rank_matrices(
        (m, n, r, seed) in (2usize..=40, 2usize..=40, 1usize..=4, any::<u64>()),
    ) {
        let r = r.min(m).min(n);
        let a = crate::common::rank_deficient(m, n, r, seed);
        let f = rsvd(&a.view(), r, 5, None, AUTO, None, seed).unwrap();
        let us = &f.u * &f.s;
        let back = us.dot(&f.vt);
        prop_assert!(crate::common::rel_diff(&back, &a) < 1e-10, "{}", crate::common::rel_diff(&back, &a));
        prop_assert!(orth_residual(f.u.view()) < 100.0);
        prop_assert!(orth_residual(f.vt.t()) < 100.0);
        prop_assert!(f.s.windows(2).into_iter().all(|w| w[0] >= w[1]));
    }
}
