//! `Pca` / `FittedPca` against scikit-learn's `PCA`.

use mlinalg::Error;
use mlinalg::decomposition::{FittedPca, Pca, PcaSolver, PowerIterationNormalizer};
use ndarray::{Array2, Axis, array, s};
use proptest::prelude::*;

use super::{decaying, ml0, ml1, ml2};
use crate::common::{self, assert_close_norm, assert_err_contains, orth_residual};

/// Compares every learned attribute and both transforms with the sklearn fixture `case`.
fn check_against_sklearn(case: &str, p: &FittedPca, x: &Array2<f64>, tol: f64) {
    assert_close_norm(
        p.components(),
        &ml2(case, "components"),
        tol,
        &format!("{case} components"),
    );
    assert_close_norm(
        p.explained_variance(),
        &ml1(case, "explained_variance"),
        tol,
        &format!("{case} explained_variance"),
    );
    assert_close_norm(
        p.explained_variance_ratio(),
        &ml1(case, "explained_variance_ratio"),
        tol,
        &format!("{case} explained_variance_ratio"),
    );
    assert_close_norm(
        p.singular_values(),
        &ml1(case, "singular_values"),
        tol,
        &format!("{case} singular_values"),
    );
    assert_close_norm(p.mean(), &ml1(case, "mean"), 1e-14, &format!("{case} mean"));
    let nv = ml0(case, "noise_variance");
    assert!(
        (p.noise_variance() - nv).abs() <= tol * nv.abs().max(1e-300) + 1e-14,
        "{case} noise_variance: {} vs {nv}",
        p.noise_variance()
    );
    let z = p.transform(x.view()).unwrap();
    assert_close_norm(
        &z,
        &ml2(case, "transform"),
        tol,
        &format!("{case} transform"),
    );
    let back = p.inverse_transform(z.view()).unwrap();
    assert_close_norm(
        &back,
        &ml2(case, "inverse"),
        tol,
        &format!("{case} inverse_transform"),
    );
}

#[test]
fn full_svd_matches_sklearn() {
    let x = ml2("pca_small", "x");
    let p = Pca::new(Some(3))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    check_against_sklearn("pca_small_full_k3", &p, &x, 1e-10);
    let all = Pca::new(None).solver(PcaSolver::Svd).fit(x.view()).unwrap();
    check_against_sklearn("pca_small_full_all", &all, &x, 1e-10);
}

#[test]
fn covariance_eigh_matches_sklearn() {
    let x = ml2("pca_small", "x");
    let p = Pca::new(Some(3))
        .solver(PcaSolver::CovarianceEigh)
        .fit(x.view())
        .unwrap();
    check_against_sklearn("pca_small_covariance_eigh_k3", &p, &x, 1e-9);
    // The two exact solvers agree with each other too.
    let q = Pca::new(Some(3))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    assert_close_norm(
        p.components(),
        q.components(),
        1e-9,
        "eigh vs svd components",
    );
}

/// Columns whose mean (10⁸) is large against their spread (~1): the covariance solver
/// must not cancel every digit in XᵀX − n μ μᵀ (nor fail eigh's symmetry check on the
/// rounding of n μᵢ μⱼ). The reference is the same data shifted exactly by 10⁸ (X − 10⁸ is
/// exact for X within a factor of two of 10⁸).
#[test]
fn covariance_eigh_keeps_the_digits_of_a_large_mean() {
    let y = mlinalg::random::randn2(2000, 4, 7);
    let mut x = y.mapv(|v| 1e8 + v);
    x.column_mut(1).mapv_inplace(|v| v + 3.0 * (v - 1e8));
    let shifted = x.mapv(|v| v - 1e8);
    for solver in [PcaSolver::Auto, PcaSolver::CovarianceEigh] {
        let p = Pca::new(Some(3)).solver(solver).fit(x.view()).unwrap();
        let q = Pca::new(Some(3))
            .solver(PcaSolver::Svd)
            .fit(shifted.view())
            .unwrap();
        for (a, b) in p.explained_variance().iter().zip(q.explained_variance()) {
            assert!((a - b).abs() <= 1e-8 * b, "{solver:?}: variance {a} vs {b}");
        }
        assert_close_norm(
            p.components(),
            q.components(),
            1e-6,
            "large-mean components",
        );
        for (m, want) in p.mean().iter().zip(shifted.mean_axis(Axis(0)).unwrap()) {
            assert!((m - (1e8 + want)).abs() <= 1e-14 * 1e8, "mean {m}");
        }
    }
}

#[test]
fn whitening_matches_sklearn() {
    let x = ml2("pca_small", "x");
    let p = Pca::new(Some(3))
        .solver(PcaSolver::Svd)
        .whiten(true)
        .fit(x.view())
        .unwrap();
    check_against_sklearn("pca_small_full_k3_whiten", &p, &x, 1e-10);
    // Whitened training scores have unit variance (ddof 1).
    let z = p.transform(x.view()).unwrap();
    for v in z.var_axis(Axis(0), 1.0) {
        assert!((v - 1.0).abs() < 1e-10, "whitened variance {v}");
    }
}

#[test]
fn wide_data_matches_sklearn() {
    let x = ml2("pca_wide", "x");
    let p = Pca::new(Some(5))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    check_against_sklearn("pca_wide_full_k5", &p, &x, 1e-10);
    // scikit-learn's covariance_eigh averages the noise variance over all n_features − k
    // eigenvalues (zeros included), 'full' over min(n, p) − k: pinned, quirk included.
    let c = Pca::new(Some(5))
        .solver(PcaSolver::CovarianceEigh)
        .fit(x.view())
        .unwrap();
    check_against_sklearn("pca_wide_covariance_eigh_k5", &c, &x, 1e-8);
    assert!((c.noise_variance() * 15.0 - p.noise_variance() * 3.0).abs() < 1e-8);
}

#[test]
fn randomized_matches_exact_and_sklearn_on_a_decaying_spectrum() {
    let x = ml2("pca_decay", "x");
    let r = Pca::new(Some(5))
        .solver(PcaSolver::Randomized)
        .fit(x.view())
        .unwrap();
    // Against scikit-learn's exact ('full') and randomized answers: relative 1e-4.
    check_against_sklearn("pca_decay_full_k5", &r, &x, 1e-4);
    check_against_sklearn("pca_decay_randomized_k5", &r, &x, 1e-4);
    // Against our own exact solver.
    let e = Pca::new(Some(5))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    assert_close_norm(
        r.singular_values(),
        e.singular_values(),
        1e-4,
        "randomized vs exact s",
    );
    assert_close_norm(
        r.components(),
        e.components(),
        1e-4,
        "randomized vs exact components",
    );
    assert_close_norm(
        r.explained_variance_ratio(),
        e.explained_variance_ratio(),
        1e-4,
        "randomized vs exact ratio",
    );
    assert!(
        (r.noise_variance() - e.noise_variance()).abs()
            < 1e-4 * e.noise_variance().max(1e-12) + 1e-12
    );
}

#[test]
fn randomized_is_close_to_exact_on_a_bigger_matrix_with_stable_normalizers() {
    // 600 × 300, spectrum 10·e^{−0.3 i}: the regime the 'auto' rule sends to randomized.
    let x = decaying(600, 300, 0.3, 11);
    let exact = Pca::new(Some(10))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    for norm in [
        PowerIterationNormalizer::Auto,
        PowerIterationNormalizer::Lu,
        PowerIterationNormalizer::Qr,
    ] {
        // (`None` is not stable with 7 iterations: σ₁/σ₁₀ = 15 raised to 2·7 + 1 exceeds 1/ε.)
        let r = Pca::new(Some(10))
            .solver(PcaSolver::Randomized)
            .power_iteration_normalizer(norm)
            .fit(x.view())
            .unwrap();
        assert_close_norm(
            r.singular_values(),
            exact.singular_values(),
            1e-4,
            &format!("{norm:?} s"),
        );
        assert_close_norm(
            r.components(),
            exact.components(),
            1e-4,
            &format!("{norm:?} components"),
        );
    }
}

#[test]
fn randomized_is_deterministic_per_seed() {
    let x = decaying(200, 40, 0.2, 3);
    let fit = |seed| {
        Pca::new(Some(4))
            .solver(PcaSolver::Randomized)
            .seed(seed)
            .fit(x.view())
            .unwrap()
    };
    assert_eq!(fit(7), fit(7));
    let (a, b) = (fit(1), fit(2));
    assert_close_norm(
        a.singular_values(),
        b.singular_values(),
        1e-6,
        "seed 1 vs 2",
    );
}

#[test]
fn auto_follows_sklearn_rule() {
    assert_eq!(Pca::auto_solver((1000, 100), 5), PcaSolver::CovarianceEigh);
    assert_eq!(Pca::auto_solver((999, 100), 5), PcaSolver::Randomized);
    assert_eq!(Pca::auto_solver((499, 100), 5), PcaSolver::Svd);
    assert_eq!(Pca::auto_solver((20_000, 1001), 5), PcaSolver::Randomized);
    assert_eq!(Pca::auto_solver((400, 500), 5), PcaSolver::Svd);
    assert_eq!(Pca::auto_solver((100, 600), 79), PcaSolver::Randomized);
    assert_eq!(Pca::auto_solver((100, 600), 80), PcaSolver::Svd);
    // and fit reports what ran
    let tall = crate::common::normal(200, 10, 1);
    let f = Pca::new(Some(2)).fit(tall.view()).unwrap();
    assert_eq!(f.solver_used(), PcaSolver::CovarianceEigh);
    let wide = crate::common::normal(60, 520, 2);
    let f = Pca::new(Some(5)).fit(wide.view()).unwrap();
    assert_eq!(f.solver_used(), PcaSolver::Randomized);
    let small = crate::common::normal(30, 20, 3);
    assert_eq!(
        Pca::new(None).fit(small.view()).unwrap().solver_used(),
        PcaSolver::Svd
    );
}

#[test]
fn fit_transform_equals_fit_then_transform() {
    let x = ml2("pca_small", "x");
    for solver in [
        PcaSolver::Svd,
        PcaSolver::CovarianceEigh,
        PcaSolver::Randomized,
    ] {
        for whiten in [false, true] {
            let cfg = Pca::new(Some(3)).solver(solver).whiten(whiten);
            let (m, z) = cfg.fit_transform(x.view()).unwrap();
            let z2 = m.transform(x.view()).unwrap();
            assert_close_norm(&z, &z2, 1e-10, &format!("{solver:?} whiten={whiten}"));
        }
    }
}

#[test]
fn ratio_is_of_total_variance_not_of_kept_components() {
    // linfa's drift (STYLE.md §4): with 1 of 6 components the ratio must stay < 1.
    let x = ml2("pca_small", "x");
    for solver in [
        PcaSolver::Svd,
        PcaSolver::CovarianceEigh,
        PcaSolver::Randomized,
    ] {
        let p = Pca::new(Some(1)).solver(solver).fit(x.view()).unwrap();
        let want = ml1("pca_small_full_all", "explained_variance_ratio")[0];
        assert!(
            (p.explained_variance_ratio()[0] - want).abs() < 1e-9,
            "{solver:?}"
        );
        assert!(p.explained_variance_ratio()[0] < 0.99);
        // S² / (n_samples − 1), not / (n_components − 1)
        let s0 = p.singular_values()[0];
        assert!((p.explained_variance()[0] - s0 * s0 / 39.0).abs() < 1e-9 * s0 * s0);
    }
}

#[test]
fn single_feature_and_constant_data() {
    let x = array![[1.0f64], [2.0], [4.0]];
    let p = Pca::new(None).fit(x.view()).unwrap();
    assert_eq!(p.components(), &array![[1.0]]);
    assert!((p.explained_variance()[0] - 7.0 / 3.0).abs() < 1e-12);
    assert_eq!(p.noise_variance(), 0.0);
    // constant columns: zero variance, a ratio of 0 rather than NaN
    let c = Array2::<f64>::from_elem((4, 2), 5.0);
    let p = Pca::new(None).solver(PcaSolver::Svd).fit(c.view()).unwrap();
    assert!(p.explained_variance_ratio().iter().all(|&r| r == 0.0));
    assert!(
        p.transform(c.view())
            .unwrap()
            .iter()
            .all(|v| v.abs() < 1e-12)
    );
}

#[test]
fn error_n_components_out_of_range() {
    let x = crate::common::normal(3, 4, 0);
    let msg = assert_err_contains(Pca::new(Some(5)).fit(x.view()), "n_components=5");
    assert_eq!(
        msg,
        "pca: invalid n_components: n_components=5 must be between 1 and min(n_samples, n_features)=3"
    );
    for solver in [
        PcaSolver::Svd,
        PcaSolver::CovarianceEigh,
        PcaSolver::Randomized,
    ] {
        let e = Pca::new(Some(0)).solver(solver).fit(x.view()).unwrap_err();
        assert!(
            matches!(
                e,
                Error::InvalidParameter {
                    op: "pca",
                    name: "n_components",
                    ..
                }
            ),
            "{e}"
        );
    }
}

#[test]
fn error_empty_nonfinite_and_single_sample() {
    let e = Pca::new(None)
        .fit(Array2::<f64>::zeros((0, 3)).view())
        .unwrap_err();
    assert!(matches!(e, Error::Empty { op: "pca", .. }), "{e}");
    let e = Pca::new(None)
        .fit(Array2::<f64>::zeros((3, 0)).view())
        .unwrap_err();
    assert!(matches!(e, Error::Empty { .. }), "{e}");
    let e = Pca::new(None)
        .fit(array![[1.0, f64::NAN], [2.0, 3.0]].view())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "pca: input contains non-finite values (NaN or infinity)"
    );
    let e = Pca::new(None)
        .fit(array![[1.0, 2.0, 3.0]].view())
        .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }), "{e}");
    assert!(e.to_string().contains("at least 2 samples"), "{e}");
}

#[test]
fn error_transform_shapes() {
    let x = ml2("pca_small", "x");
    let p = Pca::new(Some(3)).fit(x.view()).unwrap();
    let msg = assert_err_contains(p.transform(x.slice(s![.., ..5]).view()), "features");
    assert!(
        msg.starts_with("pca_transform: x has 5 features, the model was fitted on 6"),
        "{msg}"
    );
    let msg = assert_err_contains(
        p.inverse_transform(Array2::zeros((2, 4)).view()),
        "n_components=3",
    );
    assert!(msg.starts_with("pca_inverse_transform:"), "{msg}");
    let e = p
        .transform(array![[f64::INFINITY, 0., 0., 0., 0., 0.]].view())
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { .. }));
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn components_orthonormal_and_round_trip(
        (m, n, seed) in (3usize..=30, 1usize..=12, any::<u64>()),
        solver in prop::sample::select(vec![PcaSolver::Svd, PcaSolver::CovarianceEigh, PcaSolver::Randomized]),
    ) {
        let x = common::normal(m, n, seed) * 3.0 + 1.0;
        let k = m.min(n);
        let p = Pca::new(None).solver(solver).fit(x.view()).unwrap();
        prop_assert_eq!(p.n_components(), k);
        // orthonormal rows (ratio to ε, LAPACK-style); CovarianceEigh and randomized too
        prop_assert!(orth_residual(p.components().t()) < 100.0, "orth {}", orth_residual(p.components().t()));
        // sorted, non-negative variances
        let ev = p.explained_variance();
        prop_assert!(ev.windows(2).into_iter().all(|w| w[0] >= w[1] - 1e-12 * ev[0]));
        // all components kept: the ratios sum to 1 (up to rank deficiency when m ≤ n)
        let total: f64 = p.explained_variance_ratio().sum();
        prop_assert!((total - 1.0).abs() < 1e-9, "sum of ratios {}", total);
        // largest-|·| entry of each component positive (svd_flip, u_based_decision=False)
        for row in p.components().rows() {
            let big = row.iter().copied().fold(0.0f64, |a, v| if v.abs() > a.abs() { v } else { a });
            prop_assert!(big > 0.0);
        }
        // inverse_transform ∘ transform is the identity when m > n (full column space)
        if m > n {
            let back = p.inverse_transform(p.transform(x.view()).unwrap().view()).unwrap();
            prop_assert!(common::rel_diff(&back, &x) < 1e-8, "round trip {}", common::rel_diff(&back, &x));
        }
    }
}
