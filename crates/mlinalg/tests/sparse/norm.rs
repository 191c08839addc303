//! `CsrMatrix::norm` against SciPy's `scipy.sparse.linalg.norm` (and NumPy's `linalg.norm`
//! of the dense matrix for `2`, `-2`, `nuc`): fixtures from `tests/fixtures/generate.py`
//! (`gen_sparse_norm`).

use std::path::{Path, PathBuf};

use mlinalg::Error;
use mlinalg::linalg::{NormOrd, norm};
use mlinalg::sparse::CsrMatrix;
use ndarray::array;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sparse")
        .join(name)
}

/// The fixture key of each order.
const ORDS: [(&str, NormOrd); 8] = [
    ("fro", NormOrd::Fro),
    ("inf", NormOrd::Inf),
    ("-inf", NormOrd::NegInf),
    ("1", NormOrd::P(1.0)),
    ("-1", NormOrd::P(-1.0)),
    ("2", NormOrd::P(2.0)),
    ("-2", NormOrd::P(-2.0)),
    ("nuc", NormOrd::Nuc),
];

fn reference(case: &str, key: &str) -> f64 {
    let a = mlinalg::io::read_npy(&fixture(&format!("{case}__norm_{key}.npy")))
        .unwrap()
        .data;
    assert_eq!(a.len(), 1, "{case}__norm_{key}: not a scalar");
    a.iter().copied().next().unwrap()
}

#[test]
fn matches_scipy_sparse_linalg_norm() {
    for case in ["norm_small", "norm_wide", "norm_tall"] {
        let a = CsrMatrix::load_npz(&fixture(&format!("{case}__a.npz"))).unwrap();
        for (key, ord) in ORDS {
            let want = reference(case, key);
            let got = a.norm(Some(ord)).unwrap();
            // The sums and the Frobenius norm are exact to a few ulps; the singular-value
            // norms come from a different factorization (QR of the rows, or faer's SVD)
            // than LAPACK's, so they agree to a small multiple of ε·n.
            let tol = if matches!(key, "2" | "-2" | "nuc") {
                1e-12
            } else {
                4.0 * f64::EPSILON
            };
            assert!(
                (got - want).abs() <= tol * want.abs(),
                "{case} ord {key}: {got} != SciPy/NumPy {want}"
            );
        }
        assert_eq!(a.norm(None).unwrap(), a.norm(Some(NormOrd::Fro)).unwrap());
    }
}

#[test]
fn empty_rows_and_columns_give_zero_minimum_sums() {
    let a = CsrMatrix::load_npz(&fixture("norm_small__a.npz")).unwrap();
    let neg_inf = a.norm(Some(NormOrd::NegInf)).unwrap();
    let neg_one = a.norm(Some(NormOrd::P(-1.0))).unwrap();
    // +0.0, never the −0.0 of an empty f64 sum
    assert_eq!(neg_inf.to_bits(), 0.0f64.to_bits());
    assert_eq!(neg_one.to_bits(), 0.0f64.to_bits());
    let zero = CsrMatrix::from_triplets(2, 3, &[], &[], &[]).unwrap();
    for (key, ord) in ORDS {
        assert_eq!(
            zero.norm(Some(ord)).unwrap().to_bits(),
            0.0f64.to_bits(),
            "{key}"
        );
    }
}

#[test]
fn agrees_with_the_dense_norm() {
    let d = array![
        [1.0, 0.0, -2.0, 0.0],
        [0.0, 0.0, 0.0, 0.0],
        [0.0, 3.0, 4.0, -0.5]
    ];
    let a = CsrMatrix::from_dense(d.view());
    for (key, ord) in ORDS {
        let (got, want) = (a.norm(Some(ord)).unwrap(), norm(&d, Some(ord)).unwrap());
        assert!(
            (got - want).abs() <= 1e-14 * want.abs(),
            "{key}: {got} != {want}"
        );
    }
}

#[test]
fn non_finite_entries_follow_numpy() {
    let nan = CsrMatrix::from_triplets(2, 2, &[0, 1], &[0, 1], &[f64::NAN, 1.0]).unwrap();
    let inf = CsrMatrix::from_triplets(2, 2, &[0, 1], &[0, 1], &[f64::INFINITY, 1.0]).unwrap();
    for (key, ord) in ORDS {
        assert!(nan.norm(Some(ord)).unwrap().is_nan(), "NaN, ord {key}");
        let dense = norm(&inf.to_dense().unwrap(), Some(ord)).unwrap();
        let got = inf.norm(Some(ord)).unwrap();
        assert!(
            got == dense || (got.is_nan() && dense.is_nan()),
            "∞, ord {key}: {got} != dense {dense}"
        );
    }
}

#[test]
fn errors_name_norm() {
    let empty = CsrMatrix::from_triplets(0, 3, &[], &[], &[]).unwrap();
    assert_eq!(
        empty.norm(None).unwrap_err().to_string(),
        "norm: empty input: shape (0, 3)"
    );
    let a = CsrMatrix::identity(3);
    let e = a.norm(Some(NormOrd::P(0.0))).unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { op: "norm", .. }),
        "{e}"
    );
    // the singular values of a huge square matrix need its dense form, which cannot be had
    let huge = CsrMatrix::from_triplets(1_000_000, 1_000_000, &[0], &[0], &[2.0]).unwrap();
    for ord in [NormOrd::P(2.0), NormOrd::P(-2.0), NormOrd::Nuc] {
        let e = huge.norm(Some(ord)).unwrap_err();
        assert!(matches!(e, Error::Unsupported { op: "norm", .. }), "{e}");
        assert!(
            e.to_string().starts_with(&format!(
                "norm: ord {ord} needs the dense (1000000, 1000000) matrix"
            )),
            "{e}"
        );
    }
    // the sums need no dense form
    assert_eq!(huge.norm(Some(NormOrd::Inf)).unwrap(), 2.0);
}
