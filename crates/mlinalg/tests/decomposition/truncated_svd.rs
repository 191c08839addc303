//! `TruncatedSvd` against scikit-learn's `TruncatedSVD`, dense and sparse.

use mlinalg::Error;
use mlinalg::decomposition::{FittedTruncatedSvd, TruncatedSvd, TsvdAlgorithm};
use mlinalg::sparse::CsrMatrix;
use ndarray::{Array2, array, s};

use super::{ml1, ml2};
use crate::common::{assert_close_norm, assert_err_contains, fixtures_dir};

fn sparse_input() -> CsrMatrix {
    CsrMatrix::load_npz(&fixtures_dir().join("ml").join("tsvd_sparse__x.npz")).unwrap()
}

fn check(case: &str, t: &FittedTruncatedSvd, z: &Array2<f64>, tol: f64) {
    assert_close_norm(
        t.components(),
        &ml2(case, "components"),
        tol,
        &format!("{case} components"),
    );
    assert_close_norm(
        t.singular_values(),
        &ml1(case, "singular_values"),
        tol,
        &format!("{case} s"),
    );
    assert_close_norm(
        t.explained_variance(),
        &ml1(case, "explained_variance"),
        tol,
        &format!("{case} explained_variance"),
    );
    assert_close_norm(
        t.explained_variance_ratio(),
        &ml1(case, "explained_variance_ratio"),
        tol,
        &format!("{case} explained_variance_ratio"),
    );
    let want = ml2(case, "transform");
    assert_close_norm(
        &z.slice(s![..want.nrows(), ..]),
        &want,
        tol,
        &format!("{case} transform"),
    );
}

#[test]
fn sparse_exact_matches_sklearn_to_1e_8() {
    let x = sparse_input();
    assert_eq!((x.nrows(), x.ncols(), x.nnz()), (2000, 500, 10_000));
    let t = TruncatedSvd::new(10)
        .algorithm(TsvdAlgorithm::Exact)
        .fit_sparse(&x)
        .unwrap();
    let z = t.transform_sparse(&x).unwrap();
    check("tsvd_sparse_exact_k10", &t, &z, 1e-8);
    let (t2, z2) = TruncatedSvd::new(10)
        .algorithm(TsvdAlgorithm::Exact)
        .fit_transform_sparse(&x)
        .unwrap();
    assert_eq!(t2, t);
    check("tsvd_sparse_exact_k10", &t2, &z2, 1e-8);
}

#[test]
fn sparse_randomized_matches_sklearn_top_singular_values_to_1e_2() {
    let x = sparse_input();
    let t = TruncatedSvd::new(10).fit_sparse(&x).unwrap();
    let exact = ml1("tsvd_sparse_exact_k10", "singular_values");
    let skl = ml1("tsvd_sparse_randomized_k10", "singular_values");
    for i in 0..10 {
        let s = t.singular_values()[i];
        assert!(
            (s - exact[i]).abs() <= 1e-2 * exact[i],
            "σ{i}: {s} vs exact {}",
            exact[i]
        );
        assert!(
            (s - skl[i]).abs() <= 1e-2 * skl[i],
            "σ{i}: {s} vs sklearn {}",
            skl[i]
        );
    }
    // explained variance ratio close to sklearn's randomized one too
    assert_close_norm(
        t.explained_variance_ratio(),
        &ml1("tsvd_sparse_randomized_k10", "explained_variance_ratio"),
        2e-2,
        "ratio",
    );
    // transform of the training data is X Vᵀ (not U Σ), and equal for sparse and dense input
    let dense = x.to_dense().unwrap();
    let zs = t.transform_sparse(&x).unwrap();
    let zd = t.transform(dense.view()).unwrap();
    assert_close_norm(&zs, &zd, 1e-12, "sparse vs dense transform");
    // the sparse fit equals the dense fit with the same seed
    let td = TruncatedSvd::new(10).fit(dense.view()).unwrap();
    assert_close_norm(
        td.singular_values(),
        t.singular_values(),
        1e-10,
        "dense vs sparse fit",
    );
    assert_close_norm(
        td.explained_variance_ratio(),
        t.explained_variance_ratio(),
        1e-10,
        "ratio",
    );
}

#[test]
fn dense_randomized_and_exact_match_sklearn() {
    let x = ml2("tsvd_dense", "x");
    let t = TruncatedSvd::new(3).fit(x.view()).unwrap();
    let z = t.transform(x.view()).unwrap();
    check("tsvd_dense_randomized_k3", &t, &z, 1e-8);
    let e = TruncatedSvd::new(3)
        .algorithm(TsvdAlgorithm::Exact)
        .fit(x.view())
        .unwrap();
    let z = e.transform(x.view()).unwrap();
    check("tsvd_dense_exact_k3", &e, &z, 1e-10);
    // fit_transform: X Vᵀ (randomized) and U Σ (exact) both match sklearn's fit_transform
    for (alg, case) in [
        (TsvdAlgorithm::Randomized, "tsvd_dense_randomized_k3"),
        (TsvdAlgorithm::Exact, "tsvd_dense_exact_k3"),
    ] {
        let (m, z) = TruncatedSvd::new(3)
            .algorithm(alg)
            .fit_transform(x.view())
            .unwrap();
        check(case, &m, &z, 1e-8);
    }
}

#[test]
fn no_centring_and_inverse_transform() {
    // Rank-1 data far from the origin: the first component is the mean direction.
    let x = array![[10., 10.], [11., 11.], [12., 12.]];
    let t = TruncatedSvd::new(1)
        .algorithm(TsvdAlgorithm::Exact)
        .fit(x.view())
        .unwrap();
    let c = t.components();
    assert!((c[[0, 0]] - 0.5f64.sqrt()).abs() < 1e-12 && (c[[0, 1]] - 0.5f64.sqrt()).abs() < 1e-12);
    let back = t
        .inverse_transform(t.transform(x.view()).unwrap().view())
        .unwrap();
    assert_close_norm(&back, &x, 1e-12, "round trip");
}

#[test]
fn errors() {
    let x = array![[1., 2., 3.], [4., 5., 6.]];
    let msg = assert_err_contains(TruncatedSvd::new(3).fit(x.view()), "n_components=3");
    assert_eq!(
        msg,
        "tsvd: invalid n_components: n_components=3 must be between 1 and min(n_samples, n_features)=2"
    );
    let e = TruncatedSvd::new(0)
        .algorithm(TsvdAlgorithm::Exact)
        .fit(x.view())
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }));
    let e = TruncatedSvd::new(1)
        .fit(Array2::<f64>::zeros((0, 2)).view())
        .unwrap_err();
    assert!(matches!(e, Error::Empty { op: "tsvd", .. }), "{e}");
    let e = TruncatedSvd::new(1)
        .fit(array![[f64::NAN, 1.], [1., 1.]].view())
        .unwrap_err();
    assert!(matches!(e, Error::NonFinite { op: "tsvd" }), "{e}");
    let sp = CsrMatrix::from_triplets(2, 2, &[0], &[0], &[f64::INFINITY]).unwrap();
    let e = TruncatedSvd::new(1).fit_sparse(&sp).unwrap_err();
    assert!(matches!(e, Error::NonFinite { .. }), "{e}");
    let t = TruncatedSvd::new(1).fit(x.view()).unwrap();
    let msg = assert_err_contains(t.transform(array![[1., 2.]].view()), "features");
    assert!(
        msg.starts_with("tsvd_transform: x has 2 features, the model was fitted on 3"),
        "{msg}"
    );
    let sp2 = CsrMatrix::from_triplets(1, 2, &[0], &[0], &[1.0]).unwrap();
    assert!(matches!(
        t.transform_sparse(&sp2).unwrap_err(),
        Error::Shape { .. }
    ));
    assert!(matches!(
        t.inverse_transform(array![[1., 2.]].view()).unwrap_err(),
        Error::Shape { .. }
    ));
}

#[test]
fn all_zero_and_empty_sparse_input() {
    let z = CsrMatrix::from_triplets(4, 3, &[], &[], &[]).unwrap();
    for alg in [TsvdAlgorithm::Randomized, TsvdAlgorithm::Exact] {
        let t = TruncatedSvd::new(2).algorithm(alg).fit_sparse(&z).unwrap();
        assert!(t.singular_values().iter().all(|&s| s == 0.0), "{alg:?}");
        // no variance to explain: 0, not NaN
        assert!(
            t.explained_variance_ratio().iter().all(|&r| r == 0.0),
            "{alg:?}"
        );
    }
    let empty = CsrMatrix::from_triplets(0, 3, &[], &[], &[]).unwrap();
    let e = TruncatedSvd::new(1).fit_sparse(&empty).unwrap_err();
    assert!(matches!(e, Error::Empty { op: "tsvd", .. }), "{e}");
}
