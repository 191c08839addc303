//! The estimators on float32 data (issue 12): float32 in, float32 attributes and results
//! out, as scikit-learn. Each f32 fit is checked against the f64 fit of the same (rounded)
//! data, at f32 tolerances, and against scikit-learn's float32 results
//! (`tests/fixtures/generate_ml.py`, the `f32_*` cases).

use mlinalg::decomposition::{
    FittedPca, FittedTruncatedSvd, IncrementalPca, Pca, PcaSolver, TruncatedSvd,
    TruncatedSvdAlgorithm,
};
use mlinalg::linear_model::{FittedLinearRegression, FittedRidge, LinearRegression, Ridge};
use ndarray::{Array, Array1, Array2, Dimension};

use super::{decaying, ml0, ml1, ml2};
use crate::common::assert_close_norm;

/// f32 machine epsilon as f64.
pub const EPS32: f64 = f32::EPSILON as f64;

/// Widens (exactly).
pub fn wide<D: Dimension>(a: &Array<f32, D>) -> Array<f64, D> {
    a.mapv(f64::from)
}

/// Rounds to f32.
pub fn narrow<D: Dimension>(a: &Array<f64, D>) -> Array<f32, D> {
    a.mapv(|v| v as f32)
}

/// `‖got − round(want)‖ ≤ eps32 · ‖want‖`: `got` is `want` rounded to f32.
#[track_caller]
fn assert_rounded<D: Dimension>(got: &Array<f32, D>, want: &Array<f64, D>, what: &str) {
    assert_close_norm(&wide(got), want, EPS32, what);
}

/// A float32 fixture (stored as float64, exactly).
fn ml2_32(case: &str, key: &str) -> Array2<f32> {
    narrow(&ml2(case, key))
}

fn ml1_32(case: &str, key: &str) -> Array1<f32> {
    narrow(&ml1(case, key))
}

const SOLVERS: [PcaSolver; 3] = [
    PcaSolver::Svd,
    PcaSolver::CovarianceEigh,
    PcaSolver::Randomized,
];

#[test]
fn pca_f32_is_the_f64_fit_of_the_same_data_rounded() {
    let x = narrow(&decaying(120, 30, 0.4, 5));
    let x64 = wide(&x);
    for solver in SOLVERS {
        for whiten in [false, true] {
            let what = format!("{solver:?} whiten={whiten}");
            let cfg = Pca::new(Some(5)).solver(solver).whiten(whiten);
            let p32: FittedPca<f32> = cfg.fit(x.view()).unwrap();
            let p64: FittedPca = cfg.fit(x64.view()).unwrap();
            assert_rounded(p32.components(), p64.components(), &what);
            assert_rounded(p32.explained_variance(), p64.explained_variance(), &what);
            assert_rounded(
                p32.explained_variance_ratio(),
                p64.explained_variance_ratio(),
                &what,
            );
            assert_rounded(p32.singular_values(), p64.singular_values(), &what);
            assert_rounded(p32.mean(), p64.mean(), &what);
            let nv = p64.noise_variance();
            assert!(
                (f64::from(p32.noise_variance()) - nv).abs() <= EPS32 * nv.abs(),
                "{what}: noise variance {} vs {nv}",
                p32.noise_variance()
            );
            assert_eq!(p32.solver_used(), p64.solver_used());
            assert_eq!(p32.n_samples(), 120);
            // transform and inverse run in f32: backward error of a length-30 (or 5)
            // product, relative to the data (‖x‖ ≈ 3·√(120·30) ≫ ‖x − μ‖)
            let z32 = p32.transform(x.view()).unwrap();
            let z64 = p64.transform(x64.view()).unwrap();
            let scale = x64.iter().map(|v| v * v).sum::<f64>().sqrt()
                / z64.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert_close_norm(&wide(&z32), &z64, 30.0 * EPS32 * scale.max(1.0), &what);
            let back32 = p32.inverse_transform(z32.view()).unwrap();
            let back64 = p64.inverse_transform(z64.view()).unwrap();
            assert_close_norm(
                &wide(&back32),
                &back64,
                30.0 * EPS32 * scale.max(1.0),
                &what,
            );
            // fit_transform: the same model, the training data transformed in f32
            let (p, z) = cfg.fit_transform(x.view()).unwrap();
            assert_eq!(p, p32);
            assert_close_norm(&wide(&z), &z64, 30.0 * EPS32 * scale.max(1.0), &what);
            // and the model converts to f64 exactly
            let back: FittedPca = p32.clone().into_precision();
            assert_eq!(back.components(), &wide(p32.components()));
        }
    }
}

#[test]
fn pca_f32_errors_as_f64() {
    let one = Array2::<f32>::zeros((1, 3));
    let e = Pca::new(None).fit(one.view()).unwrap_err();
    assert!(e.to_string().contains("at least 2 samples"), "{e}");
    let mut x = Array2::<f32>::ones((4, 3));
    x[[1, 1]] = f32::NAN;
    assert!(Pca::new(Some(1)).fit(x.view()).is_err());
    let p = Pca::new(Some(1))
        .fit(narrow(&decaying(10, 3, 0.5, 1)).view())
        .unwrap();
    assert!(p.transform(Array2::<f32>::zeros((2, 4)).view()).is_err());
    assert!(
        p.inverse_transform(Array2::<f32>::zeros((2, 2)).view())
            .is_err()
    );
}

/// Every attribute and both transforms of an f32 PCA against scikit-learn on float32.
fn check_pca_sklearn(case: &str, p: &FittedPca<f32>, x: &Array2<f32>, tol: f64) {
    let attrs: [(&str, Array1<f32>); 4] = [
        ("explained_variance", p.explained_variance().clone()),
        (
            "explained_variance_ratio",
            p.explained_variance_ratio().clone(),
        ),
        ("singular_values", p.singular_values().clone()),
        ("mean", p.mean().clone()),
    ];
    for (key, got) in attrs {
        assert_close_norm(&wide(&got), &ml1(case, key), tol, &format!("{case} {key}"));
    }
    for (key, got) in [
        ("components", p.components().clone()),
        ("transform", p.transform(x.view()).unwrap()),
    ] {
        assert_close_norm(&wide(&got), &ml2(case, key), tol, &format!("{case} {key}"));
    }
    let z = narrow(&ml2(case, "transform"));
    let back = p.inverse_transform(z.view()).unwrap();
    assert_close_norm(
        &wide(&back),
        &ml2(case, "inverse"),
        tol,
        &format!("{case} inverse"),
    );
    let nv = ml0(case, "noise_variance");
    assert!(
        (f64::from(p.noise_variance()) - nv).abs() <= tol * nv.abs(),
        "{case} noise_variance {} vs {nv}",
        p.noise_variance()
    );
}

#[test]
fn pca_f32_matches_scikit_learn_on_float32() {
    let small = ml2_32("f32_pca_small", "x");
    let decay = ml2_32("f32_pca_decay", "x");
    // scikit-learn centres and decomposes in float32 LAPACK (or NumPy's double), we in
    // f64: agreement to a few hundred f32 ε (the spectra have gaps ≥ 10 %).
    let tol = 300.0 * EPS32;
    for (case, x, cfg) in [
        (
            "f32_pca_small_full_k3",
            &small,
            Pca::new(Some(3)).solver(PcaSolver::Svd),
        ),
        (
            "f32_pca_small_covariance_eigh_k3",
            &small,
            Pca::new(Some(3)).solver(PcaSolver::CovarianceEigh),
        ),
        (
            "f32_pca_small_full_k3_whiten",
            &small,
            Pca::new(Some(3)).solver(PcaSolver::Svd).whiten(true),
        ),
        (
            "f32_pca_decay_full_k5",
            &decay,
            Pca::new(Some(5)).solver(PcaSolver::Svd),
        ),
    ] {
        let p = cfg.fit(x.view()).unwrap();
        check_pca_sklearn(case, &p, x, tol);
    }
}

#[test]
fn truncated_svd_f32_matches_f64_and_scikit_learn() {
    let x = ml2_32("f32_tsvd_dense", "x");
    let x64 = wide(&x);
    for algo in [
        TruncatedSvdAlgorithm::Randomized,
        TruncatedSvdAlgorithm::Exact,
    ] {
        let cfg = TruncatedSvd::new(3).algorithm(algo);
        let (t32, z32): (FittedTruncatedSvd<f32>, Array2<f32>) =
            cfg.fit_transform(x.view()).unwrap();
        let (t64, z64) = cfg.fit_transform(x64.view()).unwrap();
        let what = format!("{algo:?}");
        assert_rounded(t32.components(), t64.components(), &what);
        assert_rounded(t32.singular_values(), t64.singular_values(), &what);
        assert_rounded(t32.explained_variance(), t64.explained_variance(), &what);
        assert_rounded(
            t32.explained_variance_ratio(),
            t64.explained_variance_ratio(),
            &what,
        );
        assert_rounded(&z32, &z64, &what);
        // transform in f32
        let z = t32.transform(x.view()).unwrap();
        assert_close_norm(&wide(&z), &z64, 30.0 * EPS32, &what);
        let back = t32.inverse_transform(z.view()).unwrap();
        let back64 = t64.inverse_transform(z64.view()).unwrap();
        assert_close_norm(&wide(&back), &back64, 30.0 * EPS32, &what);
        // scikit-learn's randomized solver is exact here (k + 10 ≥ n_features)
        let case = "f32_tsvd_dense_randomized_k3";
        let tol = 300.0 * EPS32;
        for (key, got) in [
            ("singular_values", t32.singular_values()),
            ("explained_variance", t32.explained_variance()),
            ("explained_variance_ratio", t32.explained_variance_ratio()),
        ] {
            assert_close_norm(&wide(got), &ml1(case, key), tol, &format!("{case} {key}"));
        }
        assert_close_norm(&wide(t32.components()), &ml2(case, "components"), tol, case);
        assert_close_norm(&wide(&z), &ml2(case, "transform"), tol, case);
    }
}

/// (x, y, xtest, ytest) of the float32 regression fixtures.
fn linreg32() -> (Array2<f32>, Array1<f32>, Array2<f32>, Array1<f32>) {
    (
        ml2_32("f32_linreg", "x"),
        ml1_32("f32_linreg", "y"),
        ml2_32("f32_linreg", "xtest"),
        ml1_32("f32_linreg", "ytest"),
    )
}

/// coef, intercept, predict and score of an f32 linear model against scikit-learn.
fn check_linear_sklearn(
    case: &str,
    coef: &Array1<f32>,
    intercept: f32,
    pred: &Array1<f32>,
    score: f64,
) {
    // least squares in float32 (scikit-learn: SciPy's sgelsd or a float32 Cholesky)
    // against ours in f64 then rounded: κ(X) ≈ 10 here, so a few hundred ε.
    let tol = 300.0 * EPS32;
    assert_close_norm(
        &wide(coef),
        &ml1(case, "coef"),
        tol,
        &format!("{case} coef"),
    );
    let b = ml0(case, "intercept");
    assert!(
        (f64::from(intercept) - b).abs() <= tol * b.abs().max(1.0),
        "{case} intercept {intercept} vs {b}"
    );
    assert_close_norm(
        &wide(pred),
        &ml1(case, "predict"),
        tol,
        &format!("{case} predict"),
    );
    let s = ml0(case, "score");
    assert!((score - s).abs() <= 1e-4, "{case} score {score} vs {s}");
}

#[test]
fn linear_models_f32_match_f64_and_scikit_learn() {
    let (x, y, xt, yt) = linreg32();
    let (x64, y64) = (wide(&x), wide(&y));
    let m32: FittedLinearRegression<f32> = LinearRegression::new().fit(x.view(), y.view()).unwrap();
    let m64 = LinearRegression::new().fit(x64.view(), y64.view()).unwrap();
    assert_rounded(m32.coef(), m64.coef(), "linreg coef");
    assert!((f64::from(m32.intercept()) - m64.intercept()).abs() <= EPS32 * m64.intercept().abs());
    let pred = m32.predict(xt.view()).unwrap();
    let score = m32.score(xt.view(), yt.view()).unwrap();
    check_linear_sklearn(
        "f32_linreg_intercept",
        m32.coef(),
        m32.intercept(),
        &pred,
        score,
    );

    for (case, cfg) in [
        ("f32_ridge_a1_intercept", Ridge::new(1.0)),
        (
            "f32_ridge_a05_nointercept",
            Ridge::new(0.5).fit_intercept(false),
        ),
    ] {
        let r32: FittedRidge<f32> = cfg.fit(x.view(), y.view()).unwrap();
        let r64 = cfg.fit(x64.view(), y64.view()).unwrap();
        assert_rounded(r32.coef(), r64.coef(), case);
        let pred = r32.predict(xt.view()).unwrap();
        // the prediction in f32: within a length-4 product's rounding of the f64 one
        let pred64 = r64.predict(wide(&xt).view()).unwrap();
        assert_close_norm(&wide(&pred), &pred64, 10.0 * EPS32, case);
        let score = r32.score(xt.view(), yt.view()).unwrap();
        check_linear_sklearn(case, r32.coef(), r32.intercept(), &pred, score);
    }
    // shape errors as for f64
    assert!(m32.predict(Array2::<f32>::zeros((2, 3)).view()).is_err());
    assert!(
        LinearRegression::new()
            .fit(x.view(), Array1::<f32>::zeros(3).view())
            .is_err()
    );
}

/// IncrementalPCA on float32 batches: as scikit-learn's, the running state and every
/// attribute are float64 (scikit-learn asserts it in `generate_ml.py`), and the fit is the
/// float64 fit of the same (exactly widened) values, bit for bit; both match scikit-learn's
/// float32 fit.
#[test]
fn incremental_pca_takes_f32_batches_and_keeps_f64_state_as_scikit_learn() {
    let x = ml2_32("f32_pca_decay", "x");
    let x64 = wide(&x);
    let cfg = IncrementalPca::new(4).batch_size(25);
    let (mut a, mut b) = (cfg.clone(), cfg);
    a.fit(x.view()).unwrap();
    b.fit(x64.view()).unwrap();
    assert_eq!(a, b, "f32 fit equals the f64 fit of the widened data");
    let z = a.transform(x.view()).unwrap();
    assert_eq!(z, b.transform(x64.view()).unwrap());

    let case = "f32_ipca_decay_k4_b25";
    // scikit-learn centres each float32 batch in place (`X -= mean`), rounding the centred
    // values to float32 before its float64 SVD; mlinalg centres in float64. The two agree
    // to float32's precision, amplified a little by the spectrum's gaps (2.6e-7 measured).
    let tol = 100.0 * EPS32;
    assert_close_norm(&a.components(), &ml2(case, "components"), tol, case);
    for (got, key) in [
        (a.explained_variance(), "explained_variance"),
        (a.explained_variance_ratio(), "explained_variance_ratio"),
        (a.singular_values(), "singular_values"),
        (a.mean(), "mean"),
        (a.var(), "var"),
    ] {
        assert_close_norm(&got, &ml1(case, key), tol, key);
    }
    let nv = ml0(case, "noise_variance");
    assert!(
        (a.noise_variance() - nv).abs() <= tol * nv.abs(),
        "noise_variance"
    );
    assert_close_norm(&z, &ml2(case, "transform"), tol, "transform");

    // partial_fit batch by batch, f32 and f64 alike
    let (mut p32, mut p64) = (IncrementalPca::new(4), IncrementalPca::new(4));
    for r in (0..x.nrows()).step_by(25) {
        let end = (r + 25).min(x.nrows());
        p32.partial_fit(x.slice(ndarray::s![r..end, ..])).unwrap();
        p64.partial_fit(x64.slice(ndarray::s![r..end, ..])).unwrap();
    }
    assert_eq!(p32, p64);
    assert_close_norm(&p32.components(), &a.components(), 1e-12, "partial_fit");
    // errors as for f64: another number of features, non-finite values
    assert!(
        p32.partial_fit(Array2::<f32>::zeros((5, 3)).view())
            .is_err()
    );
    let mut bad = x.slice(ndarray::s![..10, ..]).to_owned();
    bad[[2, 1]] = f32::NAN;
    assert!(IncrementalPca::new(2).fit(bad.view()).is_err());
}

/// The float32 sparse fixture (scipy.sparse `.npz`, float32 data) reads as the f64 CSR of
/// the same values; its TruncatedSVD, rounded to f32 (what the CLI writes), agrees with
/// scikit-learn's float32 randomized fit and with the exact float64 answer.
#[test]
fn float32_sparse_truncated_svd_rounds_to_scikit_learns_float32_fit() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ml");
    let (a, dtype) = match mlinalg::io::load(&dir.join("f32_tsvd_sparse__x.npz")).unwrap() {
        mlinalg::io::Loaded::Sparse { matrix, dtype } => (matrix, dtype),
        mlinalg::io::Loaded::Dense(_) => panic!("expected a sparse matrix"),
    };
    assert_eq!(dtype.numpy_name(), "float32");
    assert!(
        a.data().iter().all(|&v| f64::from(v as f32) == v),
        "f32 values"
    );
    let fit = TruncatedSvd::new(10)
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_sparse(&a)
        .unwrap();
    let f32fit: FittedTruncatedSvd<f32> = fit.clone().into_precision();
    let exact = "f32_tsvd_sparse_exact_k10";
    assert_rounded(f32fit.components(), &ml2(exact, "components"), exact);
    assert_rounded(
        f32fit.singular_values(),
        &ml1(exact, "singular_values"),
        exact,
    );
    // scikit-learn's randomized float32 fit: within its own accuracy (the spectrum decays
    // slowly, n_iter = 5), as the float64 sparse case
    let rnd = "f32_tsvd_sparse_randomized_k10";
    let sv = ml1(rnd, "singular_values");
    for (i, (&got, &want)) in f32fit.singular_values().iter().zip(&sv).enumerate() {
        let got = f64::from(got);
        assert!((got - want).abs() <= 1e-2 * want, "σ{i}: {got} vs {want}");
    }
    let ratio = ml1(rnd, "explained_variance_ratio");
    assert_close_norm(&wide(f32fit.explained_variance_ratio()), &ratio, 2e-2, rnd);
}

/// The same fixture as a float32 CSR matrix (`CsrMatrix<f32>`, scipy's float32 sparse
/// input): `fit_sparse` returns float32 attributes, those of the float64 fit rounded once
/// (the fit widens to float64, as for dense float32 input), and `transform_sparse` of a
/// float32 model multiplies in single precision (the CSR kernels' f32 path), within f32
/// rounding of the float64 transform.
#[test]
fn float32_csr_input_fits_and_transforms_in_float32() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ml");
    let a = match mlinalg::io::load(&dir.join("f32_tsvd_sparse__x.npz")).unwrap() {
        mlinalg::io::Loaded::Sparse { matrix, .. } => matrix,
        mlinalg::io::Loaded::Dense(_) => panic!("expected a sparse matrix"),
    };
    let a32: mlinalg::sparse::CsrMatrix<f32> = a.astype();
    assert_eq!(a32.astype::<f64>(), a, "the values are float32 values");
    for alg in [
        TruncatedSvdAlgorithm::Exact,
        TruncatedSvdAlgorithm::Randomized,
    ] {
        let tsvd = TruncatedSvd::new(10).algorithm(alg).seed(7);
        let (f64fit, z64) = tsvd.fit_transform_sparse(&a).unwrap();
        let (f32fit, z32): (FittedTruncatedSvd<f32>, Array2<f32>) =
            tsvd.fit_transform_sparse(&a32).unwrap();
        let rounded: FittedTruncatedSvd<f32> = f64fit.clone().into_precision();
        assert_eq!(f32fit.components(), rounded.components(), "{alg:?}");
        assert_eq!(
            f32fit.singular_values(),
            rounded.singular_values(),
            "{alg:?}"
        );
        assert_eq!(z32, narrow(&z64), "{alg:?}");
        // transform in f32: A (f32) times Vᵀ (f32), against the f64 product of the same
        // f32 values, within a few ε₃₂ of |A| |V|ᵀ
        let t32 = f32fit.transform_sparse(&a32).unwrap();
        let v = wide(f32fit.components());
        let t64 = a.dot_dense(v.t()).unwrap();
        let abs_a = mlinalg::sparse::CsrMatrix::try_from_csr_data(
            a.nrows(),
            a.ncols(),
            a.indptr().to_vec(),
            a.indices().to_vec(),
            a.data().iter().map(|x| x.abs()).collect(),
        )
        .unwrap();
        let scale = abs_a.dot_dense(v.mapv(f64::abs).t()).unwrap();
        for ((g, w), s) in t32.iter().zip(&t64).zip(&scale) {
            assert!(
                (f64::from(*g) - w).abs() <= 4.0 * EPS32 * s + f64::MIN_POSITIVE,
                "{alg:?}: {g} vs {w}"
            );
        }
        // the float32 model refuses a float32 matrix of the wrong width
        let narrow_a =
            mlinalg::sparse::CsrMatrix::<f32>::try_new(1, 3, vec![0, 1], vec![0], vec![1.0])
                .unwrap();
        assert!(f32fit.transform_sparse(&narrow_a).is_err());
    }
}
