//! `lstsq` with NumPy semantics: x, residuals, rank, singular values, minimum-norm solutions.

use mlinalg::linalg::{Lstsq, lstsq, svdvals};
use ndarray::{Array1, Array2, Ix1, Ix2, array};
use proptest::prelude::*;

use crate::common::{
    self, assert_close, assert_close_norm, assert_err_contains, fro, fx0, fx1, fx2, fxd, normal,
    orthonormalize, out_of_span,
};

const CASES: [&str; 10] = [
    "lstsq_1x1",
    "lstsq_sq5",
    "lstsq_tall",
    "lstsq_tallm",
    "lstsq_wide",
    "lstsq_rankdef",
    "lstsq_rankdefm",
    "lstsq_ill5",
    "lstsq_bigtall",
    "lstsq_smalltall",
];

fn tol(case: &str) -> f64 {
    if case.contains("ill") {
        1e-4
    } else if case.contains("rankdef") {
        1e-8
    } else {
        1e-11
    }
}

#[test]
fn lstsq_matches_numpy() {
    for case in CASES {
        let a = fx2(case, "a");
        let b = fxd(case, "b");
        let want_rank = fx0(case, "rank") as usize;
        let want_res = fx1(case, "residuals");
        let want_s = fx1(case, "singular_values");
        let (x, residuals, rank, s) = if b.ndim() == 1 {
            let b = b.into_dimensionality::<Ix1>().unwrap();
            let r: Lstsq<Ix1> = lstsq(a.view(), &b, None).unwrap();
            assert_close_norm(&r.x, &fx1(case, "x"), tol(case), case);
            (r.x.into_dyn(), r.residuals, r.rank, r.singular_values)
        } else {
            let b = b.into_dimensionality::<Ix2>().unwrap();
            let r: Lstsq<Ix2> = lstsq(a.view(), &b, None).unwrap();
            assert_close_norm(&r.x, &fx2(case, "x"), tol(case), case);
            (r.x.into_dyn(), r.residuals, r.rank, r.singular_values)
        };
        assert_eq!(x.ndim(), b_ndim(case), "{case}: x has b's dimension");
        assert_eq!(rank, want_rank, "{case}: rank");
        assert_close_norm(&s, &want_s, 1e-12, case);
        // residuals: squared residual norms per column when rank == n < m, otherwise empty
        assert_eq!(
            residuals.len(),
            want_res.len(),
            "{case}: residuals {residuals} vs {want_res}"
        );
        let scale = fro(&fxd(case, "b")).powi(2);
        assert_close!(residuals, want_res, rtol = 1e-9, atol = 1e-12 * scale);
    }
}

fn b_ndim(case: &str) -> usize {
    fxd(case, "b").ndim()
}

#[test]
fn lstsq_of_exact_square_system_is_solve() {
    let a = array![[2., 1.], [1., 3.]];
    let r = lstsq(a.view(), &array![3., 5.], None).unwrap();
    assert_close!(r.x, array![0.8, 1.4]);
    assert_eq!(r.rank, 2);
    assert_eq!(
        r.residuals.len(),
        0,
        "square full-rank: residuals are empty as in NumPy"
    );
}

#[test]
fn lstsq_fits_a_line() {
    // y = 1 + 2 t exactly, plus one outlier-free overdetermined system
    let a = array![[1., 0.], [1., 1.], [1., 2.], [1., 3.]];
    let y = array![1., 3., 5., 7.];
    let r = lstsq(a.view(), &y, None).unwrap();
    assert_close!(r.x, array![1., 2.], rtol = 1e-12, atol = 1e-12);
    assert_eq!(r.residuals.len(), 1);
    assert!(r.residuals[0].abs() < 1e-24, "{}", r.residuals[0]);
    let y2 = array![0., 1., 0., 1.];
    let r = lstsq(a.view(), &y2, None).unwrap();
    let resid = &y2 - &a.dot(&r.x);
    assert_close!(r.residuals[0], resid.dot(&resid), rtol = 1e-12);
}

#[test]
fn lstsq_rcond_truncates_small_singular_values() {
    let a = array![[1., 0., 0.], [0., 0.1, 0.], [0., 0., 0.01]];
    let b = array![1., 1., 1.];
    let r = lstsq(a.view(), &b, Some(0.05)).unwrap();
    assert_eq!(r.rank, 2);
    assert_close!(r.x, array![1., 10., 0.], rtol = 1e-12, atol = 1e-12);
    let r = lstsq(a.view(), &b, None).unwrap();
    assert_eq!(r.rank, 3);
    assert_close!(r.x, array![1., 10., 100.], rtol = 1e-12);
}

#[test]
fn lstsq_of_zero_matrix_is_zero_with_rank_zero() {
    let a = Array2::<f64>::zeros((4, 3));
    let r = lstsq(a.view(), &array![1., 2., 3., 4.], None).unwrap();
    assert_eq!(r.rank, 0);
    assert_eq!(r.x, Array1::<f64>::zeros(3));
    assert_eq!(r.residuals.len(), 0);
    assert_eq!(r.singular_values, Array1::<f64>::zeros(3));
}

#[test]
fn lstsq_1x1() {
    let r = lstsq(array![[-2.5]].view(), &array![5.0], None).unwrap();
    assert_close!(r.x, array![-2.0]);
    assert_eq!(r.rank, 1);
    assert_close!(r.singular_values, array![2.5]);
}

#[test]
fn lstsq_errors() {
    let e = Array2::<f64>::zeros((0, 3));
    assert_err_contains(lstsq(e.view(), &Array1::<f64>::zeros(0), None), "empty");
    let a = array![[1., f64::NAN], [0., 1.], [1., 1.]];
    assert_err_contains(lstsq(a.view(), &array![1., 2., 3.], None), "non-finite");
    let a = Array2::<f64>::ones((8, 3));
    let msg = assert_err_contains(lstsq(a.view(), &Array1::<f64>::ones(5), None), "lstsq");
    assert!(msg.contains("(8, 3)") && msg.contains("(5,)"), "{msg}");
    let msg = assert_err_contains(lstsq(a.view(), &Array2::<f64>::ones((5, 2)), None), "lstsq");
    assert!(msg.contains("(8, 3)") && msg.contains("(5, 2)"), "{msg}");
}

/// ‖Aᵀ(b − A x)‖ / (‖A‖ (‖A‖‖x‖ + ‖b‖) max(m, n) ε): the normal-equations optimality ratio.
fn optimality_ratio(a: &Array2<f64>, x: &Array1<f64>, b: &Array1<f64>) -> f64 {
    let r = b - &a.dot(x);
    let g = a.t().dot(&r);
    let denom = fro(a) * (fro(a) * fro(x) + fro(b));
    common::ratio(fro(&g), denom, a.nrows().max(a.ncols()) as f64)
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn lstsq_tall_full_rank_is_optimal((a, b) in (1usize..=12, 1usize..=12, any::<u64>())
        .prop_map(|(m, n, s)| {
            let (m, n) = (m.max(n), m.min(n));
            (normal(m, n, s), normal(m, 1, s ^ 3).column(0).to_owned())
        }))
    {
        let r = lstsq(a.view(), &b, None)?;
        let (m, n) = a.dim();
        prop_assert_eq!(r.rank, n);
        prop_assert_eq!(r.x.len(), n);
        let ratio = optimality_ratio(&a, &r.x, &b);
        prop_assert!(ratio < 30.0, "optimality ratio {ratio}");
        let s = svdvals(a.view())?;
        prop_assert!(common::rel_diff(&r.singular_values, &s) < 1e-12);
        if m > n {
            let resid = &b - &a.dot(&r.x);
            prop_assert_eq!(r.residuals.len(), 1);
            let want = resid.dot(&resid);
            prop_assert!((r.residuals[0] - want).abs() <= 1e-8 * want + 1e-12 * fro(&b).powi(2),
                "residuals {} vs {want}", r.residuals[0]);
        } else {
            prop_assert_eq!(r.residuals.len(), 0);
        }
    }

    #[test]
    fn lstsq_wide_gives_minimum_norm_solution((a, b) in (1usize..=12, 1usize..=12, any::<u64>())
        .prop_map(|(m, n, s)| {
            let (m, n) = (m.min(n), m.max(n));
            (normal(m, n, s), normal(m, 1, s ^ 5).column(0).to_owned())
        }))
    {
        let r = lstsq(a.view(), &b, None)?;
        prop_assert_eq!(r.rank, a.nrows());
        // exact fit (consistent system) …
        let resid = &b - &a.dot(&r.x);
        prop_assert!(common::ratio(fro(&resid), fro(&a) * fro(&r.x), a.ncols() as f64) < 30.0);
        // … and x in the row space of A, i.e. orthogonal to its null space
        let basis = orthonormalize(a.t());
        let off = out_of_span(basis.view(), r.x.view());
        prop_assert!(off < 1e-10, "x leaves the row space by {off}");
        prop_assert_eq!(r.residuals.len(), 0);
    }

    #[test]
    fn lstsq_rank_deficient_gives_minimum_norm_solution(
        (a, rank) in common::rank_deficient_matrix(2..=12, 2..=12),
        seed: u64,
    ) {
        // A = B C with B m×r, C r×n: the row space of A is the row space of C.
        let (m, n) = a.dim();
        let b = normal(m, 1, seed).column(0).to_owned();
        let r = lstsq(a.view(), &b, Some(1e-10))?;
        prop_assert_eq!(r.rank, rank);
        prop_assert_eq!(r.residuals.len(), 0, "rank-deficient: residuals are empty");
        let ratio = optimality_ratio(&a, &r.x, &b);
        prop_assert!(ratio < 30.0, "optimality ratio {ratio}");
        // the minimum-norm solution lies in the row space of A
        let basis = common::column_space(a.t(), 1e-8);
        prop_assert_eq!(basis.ncols(), rank);
        let off = out_of_span(basis.view(), r.x.view());
        prop_assert!(off < 1e-8, "x leaves the row space by {off} (m={m}, n={n}, rank={rank})");
    }

    #[test]
    fn lstsq_matrix_rhs_is_columnwise(a in common::matrix(1..=10, 1..=10), k in 1usize..=3, seed: u64) {
        let b = normal(a.nrows(), k, seed);
        let r2 = lstsq(a.view(), &b, Some(1e-12))?;
        prop_assert_eq!(r2.x.dim(), (a.ncols(), k));
        for j in 0..k {
            let r1 = lstsq(a.view(), &b.column(j), Some(1e-12))?;
            prop_assert!(common::rel_diff(&r2.x.column(j), &r1.x) < 1e-10);
            if !r1.residuals.is_empty() {
                prop_assert!((r2.residuals[j] - r1.residuals[0]).abs()
                    <= 1e-9 * r1.residuals[0] + 1e-14 * fro(&b).powi(2));
            }
        }
    }
}
