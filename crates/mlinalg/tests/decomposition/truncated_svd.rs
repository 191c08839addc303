//! `TruncatedSvd` against scikit-learn's `TruncatedSVD`, dense and sparse.

use mlinalg::Error;
use mlinalg::decomposition::{FittedTruncatedSvd, TruncatedSvd, TruncatedSvdAlgorithm};
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
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_sparse(&x)
        .unwrap();
    let z = t.transform_sparse(&x).unwrap();
    check("tsvd_sparse_exact_k10", &t, &z, 1e-8);
    let (t2, z2) = TruncatedSvd::new(10)
        .algorithm(TruncatedSvdAlgorithm::Exact)
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
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit(x.view())
        .unwrap();
    let z = e.transform(x.view()).unwrap();
    check("tsvd_dense_exact_k3", &e, &z, 1e-10);
    // fit_transform: X Vᵀ (randomized) and U Σ (exact) both match sklearn's fit_transform
    for (alg, case) in [
        (
            TruncatedSvdAlgorithm::Randomized,
            "tsvd_dense_randomized_k3",
        ),
        (TruncatedSvdAlgorithm::Exact, "tsvd_dense_exact_k3"),
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
        .algorithm(TruncatedSvdAlgorithm::Exact)
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
    // scikit-learn: the randomized solver takes n_components ≤ n_features…
    let msg = assert_err_contains(TruncatedSvd::new(4).fit(x.view()), "n_components=4");
    assert_eq!(
        msg,
        "tsvd: invalid n_components: n_components=4 must be between 1 and n_features=3"
    );
    // …and returns min(n_components, n_samples, n_features) components (sklearn: (2, 3))
    let t = TruncatedSvd::new(3).fit(x.view()).unwrap();
    assert_eq!(t.components().dim(), (2, 3));
    assert_eq!(t.singular_values().len(), 2);
    // the exact solver needs n_components ≤ min(n_samples, n_features)
    let msg = assert_err_contains(
        TruncatedSvd::new(3)
            .algorithm(TruncatedSvdAlgorithm::Exact)
            .fit(x.view()),
        "n_components=3",
    );
    assert_eq!(
        msg,
        "tsvd: invalid n_components: n_components=3 must be between 1 and min(n_samples, n_features)=2"
    );
    // scikit-learn's ensure_min_features=2
    for algo in [
        TruncatedSvdAlgorithm::Randomized,
        TruncatedSvdAlgorithm::Exact,
    ] {
        let e = TruncatedSvd::new(1)
            .algorithm(algo)
            .fit(array![[1.], [2.], [3.]].view())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "tsvd: found 1 feature(s) (shape (3, 1)) while a minimum of 2 is required"
        );
    }
    let e = TruncatedSvd::new(0)
        .algorithm(TruncatedSvdAlgorithm::Exact)
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
    for alg in [
        TruncatedSvdAlgorithm::Randomized,
        TruncatedSvdAlgorithm::Exact,
    ] {
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

/// The exact solver on a sparse matrix too large to densify cheaply (more than 2²² cells)
/// iterates on the CSR matrix; its leading singular triplets agree with the dense SVD.
#[test]
fn exact_on_large_sparse_is_not_densified_and_matches_the_dense_svd() {
    let (m, n) = (3000usize, 2000usize);
    // deterministic pseudo-random pattern, ~0.2 % dense, plus a planted low-rank part so
    // the leading singular values are separated as in real data
    let mut s = 12345u64;
    let mut next = || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s >> 11
    };
    let (mut r, mut c, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..12000 {
        r.push((next() % m as u64) as usize);
        c.push((next() % n as u64) as usize);
        v.push((next() % 2000) as f64 / 1000.0 - 1.0);
    }
    for i in 0..m {
        for (j, w) in [(i % n, 3.0), ((7 * i + 3) % n, 2.0)] {
            r.push(i);
            c.push(j);
            v.push(w * (1.0 + (i % 5) as f64 / 10.0));
        }
    }
    let x = CsrMatrix::from_triplets(m, n, &r, &c, &v).unwrap();
    let k = 5;
    let (t, z) = TruncatedSvd::new(k)
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_transform_sparse(&x)
        .unwrap();
    let dense = x.to_dense().unwrap();
    let want = mlinalg::linalg::svdvals(dense.view()).unwrap();
    for i in 0..k {
        let rel = (t.singular_values()[i] - want[i]).abs() / want[i];
        assert!(
            rel < 1e-10,
            "σ{i}: {} vs {}: rel {rel:e}",
            t.singular_values()[i],
            want[i]
        );
    }
    // X Vᵀ = U Σ: the transformed columns have norms σ_i
    for i in 0..k {
        let norm = z.column(i).dot(&z.column(i)).sqrt();
        assert!((norm - want[i]).abs() < 1e-9 * want[i], "column {i}");
    }
    // orthonormal components
    let vvt = t.components().dot(&t.components().t());
    assert_close_norm(&vvt, &Array2::eye(k), 1e-12, "V Vᵀ = I");
}

/// A large, almost empty sparse matrix (1e8 cells, 6 entries): the exact solver's Krylov
/// space breaks down after the matrix's rank and restarts from fresh directions; the
/// result is exact and the matrix is never densified.
#[test]
fn exact_on_huge_nearly_empty_sparse_matrix() {
    let (r, c, v) = (
        [0usize, 1, 2, 9999, 19999, 4],
        [0usize, 1, 2, 3999, 4999, 6],
        [5.0, 4.0, 3.0, 2.0, 1.0, 0.5],
    );
    let x = CsrMatrix::from_triplets(20000, 5000, &r, &c, &v).unwrap();
    let (t, z) = TruncatedSvd::new(2)
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_transform_sparse(&x)
        .unwrap();
    let sv = t.singular_values();
    assert!(
        (sv[0] - 5.0).abs() < 1e-12 && (sv[1] - 4.0).abs() < 1e-12,
        "{sv}"
    );
    let comp = t.components();
    assert!((comp[(0, 0)] - 1.0).abs() < 1e-12 && (comp[(1, 1)] - 1.0).abs() < 1e-12);
    assert_eq!(z.dim(), (20000, 2));
    // k above the rank: the remaining singular values are 0, components still orthonormal
    let t = TruncatedSvd::new(8)
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_sparse(&x)
        .unwrap();
    let want = [5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.0, 0.0];
    for (got, want) in t.singular_values().iter().zip(want) {
        assert!(
            (got - want).abs() < 1e-12,
            "{} vs {want}",
            t.singular_values()
        );
    }
    let vvt = t.components().dot(&t.components().t());
    assert_close_norm(&vvt, &Array2::eye(8), 1e-12, "V Vᵀ = I");
}
