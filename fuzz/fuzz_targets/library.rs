//! Structure-aware: small matrices (any shape including 0, NaN, ±∞, subnormals, 1e±300)
//! through every entry point of the library. Invariants checked:
//! - no panic, no abort; every error message one printable line;
//! - shapes as documented;
//! - a non-empty input holding NaN or ±∞ is refused (`Error::NonFinite` or another
//!   error) by every routine documented to refuse it;
//! - for finite input of moderate magnitude (|x| ≤ 1e100, so no product overflows), `Ok`
//!   results of the decompositions are finite and bounded as documented (singular values
//!   non-negative and descending, orthonormal factors with entries in [-1, 1]).
#![no_main]

mod common;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ndarray::{Array1, Array2};

use mlinalg::Error;
use mlinalg::decomposition::{Pca, PcaSolver, TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::linalg::{self, NormOrd, QrMode};
use mlinalg::linear_model::{LinearRegression, Ridge};
use mlinalg::sparse::CsrMatrix;

/// A value from the awkward corners of f64 (or any f64).
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Val {
    Zero,
    NegZero,
    One,
    NegOne,
    Small(i8),
    Nan,
    Inf,
    NegInf,
    Subnormal,
    Tiny,
    Huge,
    NegHuge,
    Raw(f64),
}

impl Val {
    fn get(self) -> f64 {
        match self {
            Val::Zero => 0.0,
            Val::NegZero => -0.0,
            Val::One => 1.0,
            Val::NegOne => -1.0,
            Val::Small(i) => f64::from(i) / 4.0,
            Val::Nan => f64::NAN,
            Val::Inf => f64::INFINITY,
            Val::NegInf => f64::NEG_INFINITY,
            Val::Subnormal => 5e-324,
            Val::Tiny => 1e-300,
            Val::Huge => 1e300,
            Val::NegHuge => -1e300,
            Val::Raw(x) => x,
        }
    }
}

#[derive(Arbitrary, Debug)]
struct Case {
    rows: u8,
    cols: u8,
    vals: Vec<Val>,
    rhs: Vec<Val>,
    k: u8,
    seed: u8,
}

fn matrix(r: usize, c: usize, vals: &[Val]) -> Array2<f64> {
    Array2::from_shape_fn((r, c), |(i, j)| {
        vals.get(i * c + j).map_or(0.0, |v| v.get())
    })
}

fn all_finite(a: &Array2<f64>) -> bool {
    a.iter().all(|v| v.is_finite())
}

fn moderate(a: &Array2<f64>) -> bool {
    a.iter().all(|v| v.is_finite() && v.abs() <= 1e100)
}

fn finite<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>, what: &str) {
    assert!(
        a.iter().all(|v| v.is_finite()),
        "{what}: non-finite result {a:?}"
    );
}

fn bounded<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>, what: &str) {
    assert!(
        a.iter().all(|v| v.is_finite() && v.abs() <= 1.0 + 1e-6),
        "{what}: entries outside [-1, 1]: {a:?}"
    );
}

/// `Ok` value or `None`; an error's message is checked, and an error is required when
/// `must_fail` (a routine documented to refuse NaN/∞ given a non-empty non-finite input).
fn run<T: std::fmt::Debug>(r: mlinalg::Result<T>, must_fail: bool, what: &str) -> Option<T> {
    match r {
        Ok(v) => {
            assert!(!must_fail, "{what}: accepted non-finite input: {v:?}");
            Some(v)
        }
        Err(e) => {
            common::check_message(&e);
            if must_fail {
                // any refusal will do; NonFinite is the documented one
                let _ = matches!(e, Error::NonFinite { .. });
            }
            None
        }
    }
}

fuzz_target!(|case: Case| {
    common::init();
    let (r, c) = (usize::from(case.rows % 7), usize::from(case.cols % 7));
    let a = matrix(r, c, &case.vals);
    let nonempty = r > 0 && c > 0;
    let bad = nonempty && !all_finite(&a);
    let ok = nonempty && moderate(&a);
    let kmin = r.min(c);
    let k = usize::from(case.k) % 8;
    let seed = u64::from(case.seed);

    // --- decompositions of any shape
    if let Some(f) = run(linalg::svd(a.view(), false), bad, "svd") {
        assert_eq!(f.u.dim(), (r, kmin));
        assert_eq!(f.s.len(), kmin);
        assert_eq!(f.vt.dim(), (kmin, c));
        if ok {
            finite(&f.s, "svd s");
            assert!(f.s.iter().all(|&s| s >= 0.0), "svd s negative");
            assert!(
                f.s.windows(2).into_iter().all(|w| w[0] >= w[1]),
                "svd s not descending"
            );
            bounded(&f.u, "svd u");
            bounded(&f.vt, "svd vt");
        }
    }
    if let Some(f) = run(linalg::svd(a.view(), true), bad, "svd full") {
        assert_eq!(f.u.dim(), (r, r));
        assert_eq!(f.vt.dim(), (c, c));
    }
    if let Some(s) = run(linalg::svdvals(a.view()), bad, "svdvals") {
        assert_eq!(s.len(), kmin);
        if ok {
            finite(&s, "svdvals");
        }
    }
    for mode in [QrMode::Reduced, QrMode::Complete] {
        if let Some(f) = run(linalg::qr(a.view(), mode), bad, "qr") {
            assert_eq!(f.q.nrows(), r);
            assert_eq!(f.r.ncols(), c);
            if ok {
                bounded(&f.q, "qr q");
                finite(&f.r, "qr r");
            }
        }
    }
    let _ = run(linalg::matrix_rank(a.view(), None), bad, "matrix_rank")
        .map(|rank| assert!(rank <= kmin));
    if let Some(p) = run(linalg::pinv(a.view(), None), bad, "pinv") {
        assert_eq!(p.dim(), (c, r));
    }
    for ord in [
        None,
        Some(NormOrd::Fro),
        Some(NormOrd::Nuc),
        Some(NormOrd::Inf),
        Some(NormOrd::NegInf),
        Some(NormOrd::P(1.0)),
        Some(NormOrd::P(2.0)),
        Some(NormOrd::P(-2.0)),
    ] {
        if let Some(n) = common::checked(linalg::norm(&a, ord)) {
            if ok && ord != Some(NormOrd::P(-2.0)) {
                assert!(n.is_finite() && n >= 0.0, "norm {ord:?} = {n}");
            }
        }
        let _ = common::checked(linalg::cond(a.view(), ord));
    }
    let _ = common::checked(mlinalg::ops::matmul_2d(a.view(), a.t()));
    let _ = common::checked(mlinalg::ops::matmul_2d(a.t(), a.view()));

    // --- least squares and regression
    let y: Array1<f64> = Array1::from_shape_fn(r, |i| case.rhs.get(i).map_or(1.0, |v| v.get()));
    let ybad = bad || !y.iter().all(|v| v.is_finite());
    if let Some(f) = run(linalg::lstsq(a.view(), &y, None), ybad && nonempty, "lstsq") {
        assert_eq!(f.x.len(), c);
    }
    if let Some(m) = common::checked(LinearRegression::new().fit(a.view(), y.view())) {
        assert_eq!(m.coef().len(), c);
        let _ = common::checked(m.predict(a.view()));
    }
    if let Some(m) = common::checked(Ridge::new(1.0).fit(a.view(), y.view())) {
        let _ = common::checked(m.predict(a.view()));
    }

    // --- square routines on the leading square block
    let n = kmin;
    let sq = a.slice(ndarray::s![..n, ..n]).to_owned();
    let sqbad = n > 0 && !all_finite(&sq);
    let _ = run(linalg::det(sq.view()), sqbad, "det");
    let _ = run(linalg::slogdet(sq.view()), sqbad, "slogdet");
    if let Some(x) = run(linalg::inv(sq.view()), sqbad, "inv") {
        assert_eq!(x.dim(), (n, n));
    }
    let b = y.slice(ndarray::s![..n]).to_owned();
    let _ = run(
        linalg::solve(sq.view(), &b),
        sqbad || (n > 0 && !b.iter().all(|v| v.is_finite())),
        "solve",
    );
    let _ = run(linalg::cholesky(sq.view()), sqbad, "cholesky");
    if let Some(e) = run(linalg::eig(sq.view()), sqbad, "eig") {
        let _ = e;
    }
    let sym = (&sq + &sq.t()) * 0.5;
    let symbad = n > 0 && !all_finite(&sym);
    if let Some(e) = run(linalg::eigh(sym.view()), symbad, "eigh") {
        assert_eq!(e.eigenvalues.len(), n);
        assert_eq!(e.eigenvectors.dim(), (n, n));
        if n > 0 && moderate(&sym) {
            finite(&e.eigenvalues, "eigh values");
            assert!(
                e.eigenvalues.windows(2).into_iter().all(|w| w[0] <= w[1]),
                "eigh not ascending"
            );
            bounded(&e.eigenvectors, "eigh vectors");
        }
    }
    let _ = run(linalg::eigvalsh(sym.view()), symbad, "eigvalsh");

    // --- estimators
    for solver in [
        PcaSolver::Auto,
        PcaSolver::Svd,
        PcaSolver::CovarianceEigh,
        PcaSolver::Randomized,
    ] {
        let n_comp = if k == 0 { None } else { Some(k) };
        if let Some(f) = run(
            Pca::new(n_comp).solver(solver).seed(seed).fit(a.view()),
            bad,
            "pca",
        ) {
            let nc = f.n_components();
            assert!(nc <= kmin);
            assert_eq!(f.components().dim(), (nc, c));
            if ok {
                finite(f.explained_variance(), "pca variance");
                bounded(f.components(), "pca components");
            }
            if let Some(z) = common::checked(f.transform(a.view())) {
                assert_eq!(z.dim(), (r, nc));
            }
        }
    }
    for algorithm in [
        TruncatedSvdAlgorithm::Randomized,
        TruncatedSvdAlgorithm::Exact,
    ] {
        let _ = run(
            TruncatedSvd::new(k.max(1))
                .algorithm(algorithm)
                .seed(seed)
                .fit(a.view()),
            bad,
            "tsvd",
        );
    }

    // --- sparse
    let m = CsrMatrix::from_dense(a.view());
    common::check_csr(&m);
    let t = m.transpose();
    common::check_csr(&t);
    assert_eq!(t.shape(), (c, r));
    // the checked variant: the same matrix, bit for bit (NaN ≠ NaN for `==`; a 6 × 6
    // transpose always fits)
    let tt = m.try_transpose().expect("a 6 × 6 transpose fits");
    assert_eq!(
        (tt.shape(), tt.indptr(), tt.indices()),
        (t.shape(), t.indptr(), t.indices())
    );
    assert!(
        tt.data()
            .iter()
            .zip(t.data())
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    if let Some(d) = common::checked(m.to_dense()) {
        assert!(
            d.iter()
                .zip(a.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits()
                    || (*y == 0.0 && *x == 0.0)
                    || (x.is_nan() && y.is_nan()))
        );
    }
    let ones = Array2::<f64>::ones((c, 2));
    if let Some(p) = common::checked(m.dot_dense(ones.view())) {
        assert_eq!(p.dim(), (r, 2));
    }
    let ones_r = Array2::<f64>::ones((r, 2));
    if let Some(p) = common::checked(m.t_dot_dense(ones_r.view())) {
        assert_eq!(p.dim(), (c, 2));
    }
    // float32 CSR (the kernels' f32 path): the same structure; products of the right
    // shapes, and the transpose of the rounded matrix is the rounded transpose
    let m32 = m.astype::<f32>();
    assert_eq!(
        (m32.shape(), m32.indptr(), m32.indices()),
        (m.shape(), m.indptr(), m.indices())
    );
    let t32 = m32.transpose();
    assert_eq!((t32.indptr(), t32.indices()), (t.indptr(), t.indices()));
    assert!(
        t32.data()
            .iter()
            .zip(t.data())
            .all(|(x, y)| x.to_bits() == (*y as f32).to_bits())
    );
    if let Some(p) = common::checked(m32.dot_dense(Array2::<f32>::ones((c, 2)).view())) {
        assert_eq!(p.dim(), (r, 2));
    }
    if let Some(p) = common::checked(m32.t_dot_dense(Array2::<f32>::ones((r, 2)).view())) {
        assert_eq!(p.dim(), (c, 2));
    }
    let (mean, var) = m.mean_variance_axis0();
    if let Some((mean2, var2)) = common::checked(m.try_mean_variance_axis0()) {
        let same = |a: &Array1<f64>, b: &Array1<f64>| {
            a.iter()
                .zip(b.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits())
        };
        assert!(
            same(&mean, &mean2) && same(&var, &var2),
            "try_mean_variance_axis0 differs"
        );
    }
    if nonempty {
        let _ = run(
            TruncatedSvd::new(k.max(1)).seed(seed).fit_sparse(&m),
            bad,
            "tsvd sparse",
        );
    }
});
