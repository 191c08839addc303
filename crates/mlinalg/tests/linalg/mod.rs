//! `mlinalg::linalg`: one module per routine family, each with fixture comparisons against
//! NumPy (`tests/fixtures/generate.py`), residual properties and edge cases (STYLE.md C11).

mod blocked;
mod checks;
mod cholesky;
mod det;
mod dtypes;
mod eig;
mod lstsq;
mod norm;
mod qr;
mod rank;
mod solve;
mod stacked;
mod svd;

use mlinalg::linalg::{
    Cholesky, QrMode, cholesky, cond, det, eig, eigh, eigvalsh, inv, low_rank, lstsq, matrix_rank,
    pinv, qr, slogdet, solve, svd, svdvals,
};
use ndarray::{Array1, Array2, ArrayView2, ShapeBuilder, array, s};

use crate::common;

/// The message of an error result (panics on `Ok`).
fn message<T>(r: mlinalg::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

/// Every routine names itself (its public function name) at the start of its messages, with
/// the exact wording of `Error`'s variants.
#[test]
fn error_messages_start_with_the_function_name() {
    let e = Array2::<f64>::zeros((0, 0));
    let e1 = Array1::<f64>::zeros(0);
    let empty: Vec<(&str, String)> = vec![
        ("solve", message(solve(e.view(), &e1))),
        ("inv", message(inv(e.view()))),
        ("lstsq", message(lstsq(e.view(), &e1, None))),
        ("det", message(det(e.view()))),
        ("slogdet", message(slogdet(e.view()))),
        ("qr", message(qr(e.view(), QrMode::Reduced))),
        ("cholesky", message(cholesky(e.view()))),
        ("cholesky", message(Cholesky::new(e.view()))),
        ("eigh", message(eigh(e.view()))),
        ("eigvalsh", message(eigvalsh(e.view()))),
        ("eig", message(eig(e.view()))),
        ("svd", message(svd(e.view(), false))),
        ("svdvals", message(svdvals(e.view()))),
        ("low_rank", message(low_rank(e.view(), 1))),
        ("pinv", message(pinv(e.view(), None))),
        ("matrix_rank", message(matrix_rank(e.view(), None))),
        ("cond", message(cond(e.view(), None))),
    ];
    let nan = array![[f64::NAN]];
    let non_finite: Vec<(&str, String)> = vec![
        ("solve", message(solve(nan.view(), &array![1.0]))),
        ("inv", message(inv(nan.view()))),
        ("lstsq", message(lstsq(nan.view(), &array![1.0], None))),
        ("det", message(det(nan.view()))),
        ("qr", message(qr(nan.view(), QrMode::Complete))),
        ("cholesky", message(cholesky(nan.view()))),
        ("eigh", message(eigh(nan.view()))),
        ("eig", message(eig(nan.view()))),
        ("svd", message(svd(nan.view(), true))),
        ("low_rank", message(low_rank(nan.view(), 1))),
        ("pinv", message(pinv(nan.view(), None))),
        ("matrix_rank", message(matrix_rank(nan.view(), None))),
    ];
    let mut wrong = Vec::new();
    for (op, msg) in &empty {
        if msg != &format!("{op}: empty input: shape (0, 0)") {
            wrong.push(format!("{op}: {msg:?}"));
        }
    }
    for (op, msg) in &non_finite {
        if msg != &format!("{op}: input contains non-finite values (NaN or infinity)") {
            wrong.push(format!("{op}: {msg:?}"));
        }
    }
    assert_eq!(
        message(cholesky(array![[-1.0]].view())),
        "cholesky: matrix is not positive definite"
    );
    assert!(
        wrong.is_empty(),
        "messages not of the form `<function>: …`: {wrong:#?}"
    );
}

/// The same logical matrix in four memory layouts: C order, Fortran order, a strided slice of a
/// larger array, and reversed (negative) strides.
fn layouts(a: &Array2<f64>) -> Vec<(&'static str, Array2<f64>)> {
    let (m, n) = a.dim();
    let f = {
        let mut f = Array2::<f64>::zeros((m, n).f());
        f.assign(a);
        f
    };
    let mut big = Array2::<f64>::from_elem((2 * m, 3 * n), f64::NAN);
    big.slice_mut(s![..;2, ..;3]).assign(a);
    let mut rev = Array2::<f64>::zeros((m, n));
    rev.assign(&a.slice(s![..;-1, ..;-1]));
    vec![
        ("c", a.clone()),
        ("fortran", f),
        ("strided", big),
        ("reversed", rev),
    ]
}

/// Runs `f` on each layout's view (the strided one as a slice of its NaN-padded parent, the
/// reversed one flipped back through negative strides) and compares with the C-order result.
fn check_layouts(name: &str, a: &Array2<f64>, f: impl Fn(ArrayView2<'_, f64>) -> Vec<f64>) {
    let want = f(a.view());
    for (layout, storage) in layouts(a) {
        let view = match layout {
            "strided" => storage.slice(s![..;2, ..;3]),
            "reversed" => storage.slice(s![..;-1, ..;-1]),
            _ => storage.view(),
        };
        assert_eq!(view, a.view(), "{name}/{layout}: layout helper");
        let got = f(view);
        let d = common::rel_diff(&Array1::from(got.clone()), &Array1::from(want.clone()));
        assert!(
            d < 1e-12,
            "{name} on a {layout} view differs by {d:e}: {got:?} vs {want:?}"
        );
    }
}

#[test]
fn routines_accept_any_memory_layout() {
    let sq = common::normal(5, 5, 21) + Array2::<f64>::eye(5) * 5.0;
    let tall = common::normal(7, 4, 22);
    let spd = common::spd(5, 23);
    let sym = common::symmetric(5, 24);
    let b = common::normal(5, 2, 25);
    let bt = common::normal(7, 1, 26).column(0).to_owned();
    let flat = |x: Array2<f64>| x.iter().copied().collect::<Vec<f64>>();
    check_layouts("solve", &sq, |v| flat(solve(v, &b).unwrap()));
    check_layouts("inv", &sq, |v| flat(inv(v).unwrap()));
    check_layouts("det", &sq, |v| vec![det(v).unwrap()]);
    check_layouts("lstsq", &tall, |v| lstsq(v, &bt, None).unwrap().x.to_vec());
    check_layouts("qr", &tall, |v| {
        let f = qr(v, QrMode::Reduced).unwrap();
        flat(f.q.dot(&f.r))
    });
    check_layouts("cholesky", &spd, |v| flat(cholesky(v).unwrap()));
    check_layouts("eigh", &sym, |v| eigvalsh(v).unwrap().to_vec());
    check_layouts("svdvals", &tall, |v| svdvals(v).unwrap().to_vec());
    check_layouts("svd", &tall, |v| flat(svd(v, false).unwrap().reconstruct()));
    check_layouts("pinv", &tall, |v| flat(pinv(v, None).unwrap()));
    check_layouts("eig", &sq, |v| {
        let w = eig(v).unwrap().eigenvalues_complex();
        let mut w: Vec<f64> = w.iter().flat_map(|z| [z.re, z.im.abs()]).collect();
        w.sort_by(f64::total_cmp);
        w
    });
    check_layouts("norm", &tall, |v| {
        use mlinalg::linalg::{NormOrd, norm};
        [
            None,
            Some(NormOrd::P(1.0)),
            Some(NormOrd::Inf),
            Some(NormOrd::P(2.0)),
            Some(NormOrd::Nuc),
        ]
        .into_iter()
        .map(|o| norm(&v, o).unwrap())
        .collect()
    });
    check_layouts("matmul_2d", &tall, |v| {
        flat(mlinalg::ops::matmul_2d(v.t(), v).unwrap())
    });
    check_layouts("matvec", &tall, |v| {
        mlinalg::ops::matvec(v.t(), bt.view()).unwrap().to_vec()
    });
}

/// faer switches to blocked (and parallel) kernels above a few dozen rows; the proptests stop at
/// 12, so check the residuals once at sizes past those thresholds.
#[test]
fn larger_sizes_take_the_blocked_paths() {
    use crate::common::{fro, orth_residual, ratio, rel_residual};
    for (m, n) in [(33, 33), (100, 100), (150, 40), (40, 150)] {
        let a = common::normal(m, n, (m * 1000 + n) as u64);
        let k = m.min(n);
        let f = qr(a.view(), QrMode::Reduced).unwrap();
        assert!(rel_residual(&a, &f.q.dot(&f.r)) < 30.0, "qr {m}×{n}");
        assert!(orth_residual(f.q.view()) < 30.0, "qr Q {m}×{n}");
        let s = svd(a.view(), false).unwrap();
        let us = &s.u * &s.s;
        assert!(rel_residual(&a, &us.dot(&s.vt)) < 35.0, "svd {m}×{n}");
        assert!(
            orth_residual(s.u.view()) < 30.0 && orth_residual(s.vt.t()) < 30.0,
            "svd {m}×{n}"
        );
        assert_eq!(s.s.len(), k);
        let b = common::normal(m, 1, 7).column(0).to_owned();
        let r = lstsq(a.view(), &b, None).unwrap();
        assert_eq!(r.rank, k, "lstsq rank {m}×{n}");
        let g = a.t().dot(&(&b - &a.dot(&r.x)));
        let denom = fro(&a) * (fro(&a) * fro(&r.x) + fro(&b));
        assert!(
            ratio(fro(&g), denom, m.max(n) as f64) < 30.0,
            "lstsq {m}×{n}"
        );
        if m == n {
            let bb = common::normal(n, 3, 8);
            let x = solve(a.view(), &bb).unwrap();
            let res = &bb - &a.dot(&x);
            assert!(
                ratio(fro(&res), fro(&a) * fro(&x), n as f64) < 30.0,
                "solve {n}"
            );
            let spd = common::spd(n, 9);
            let l = cholesky(spd.view()).unwrap();
            assert!(rel_residual(&spd, &l.dot(&l.t())) < 30.0, "cholesky {n}");
            let sym = common::symmetric(n, 10);
            let e = eigh(sym.view()).unwrap();
            let r = sym.dot(&e.eigenvectors) - &(&e.eigenvectors * &e.eigenvalues);
            assert!(ratio(fro(&r), fro(&sym), n as f64) < 60.0, "eigh {n}");
            assert!(orth_residual(e.eigenvectors.view()) < 60.0, "eigh V {n}");
            let ge = eig(a.view()).unwrap();
            let (w, v) = (ge.eigenvalues_complex(), ge.eigenvectors_complex());
            let ac = a.mapv(|x| mlinalg::Complex64::new(x, 0.0));
            let av = ac.dot(&v);
            let vl = Array2::from_shape_fn((n, n), |(i, j)| v[[i, j]] * w[j]);
            let d: f64 = (&av - &vl).iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
            assert!(
                ratio(d, fro(&a), n as f64) < 20.0,
                "eig {n}: {}",
                ratio(d, fro(&a), n as f64)
            );
            // log|det A| = Σ log σᵢ
            let sd = slogdet(a.view()).unwrap();
            let lsum: f64 = s.s.iter().map(|x| x.ln()).sum();
            assert!(
                (sd.logabsdet - lsum).abs() < 1e-9 * lsum.abs().max(1.0),
                "slogdet {n}"
            );
        }
    }
}
