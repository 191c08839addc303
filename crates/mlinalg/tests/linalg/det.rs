//! `det` and `slogdet`.

use mlinalg::linalg::{det, slogdet};
use ndarray::{Array2, array};
use proptest::prelude::*;

use crate::common::{self, assert_close, assert_err_contains, fx0, fx2, normal};

/// Reference (sign, log|det|) from a textbook LU with partial pivoting: the sign is the
/// parity of the row swaps times the signs of the pivots.
fn reference_slogdet(a: &Array2<f64>) -> (f64, f64) {
    let mut lu = a.clone();
    let n = lu.nrows();
    let (mut sign, mut logabs) = (1.0f64, 0.0f64);
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| lu[[i, k]].abs().total_cmp(&lu[[j, k]].abs()))
            .expect("non-empty range");
        if lu[[p, k]] == 0.0 {
            return (0.0, f64::NEG_INFINITY);
        }
        if p != k {
            for j in 0..n {
                lu.swap([p, j], [k, j]);
            }
            sign = -sign;
        }
        let piv = lu[[k, k]];
        sign *= piv.signum();
        logabs += piv.abs().ln();
        for i in k + 1..n {
            let f = lu[[i, k]] / piv;
            for j in k..n {
                lu[[i, j]] -= f * lu[[k, j]];
            }
        }
    }
    (sign, logabs)
}

#[test]
fn det_and_slogdet_match_numpy() {
    for case in [
        "det_1x1",
        "det_sq5",
        "det_ill5",
        "det_big5",
        "det_small5",
        "det_big2",
        "det_perm3",
        "det_swap3",
        "det_zero3",
    ] {
        let a = fx2(case, "a");
        let (want_det, want_sign, want_log) =
            (fx0(case, "det"), fx0(case, "sign"), fx0(case, "logabsdet"));
        let rtol = if case.contains("ill") { 1e-5 } else { 1e-11 };
        let d = det(a.view()).unwrap();
        assert!(
            common::close(d, want_det, rtol, 0.0),
            "{case}: det {d:e} vs {want_det:e}"
        );
        let s = slogdet(a.view()).unwrap();
        assert_eq!(s.sign, want_sign, "{case}: sign");
        let atol = if case.contains("ill") { 1e-5 } else { 1e-12 };
        assert!(
            common::close(s.logabsdet, want_log, 1e-12, atol),
            "{case}: logabsdet {} vs {want_log}",
            s.logabsdet
        );
    }
}

#[test]
fn det_of_rank_deficient_matrix_is_tiny() {
    let a = fx2("det_rankdef5", "a");
    let d = det(a.view()).unwrap();
    let scale = common::fro(&a).powi(5);
    assert!(d.abs() < 1e-12 * scale, "det {d:e}");
}

#[test]
fn det_overflow_and_underflow_keep_slogdet_finite() {
    // 1e150 · A (5×5): det = 1e750·det(A) overflows, log|det| does not
    let a = fx2("det_sq5", "a");
    let base = slogdet(a.view()).unwrap();
    let big = slogdet((&a * 1e150).view()).unwrap();
    assert_eq!(big.sign, base.sign);
    assert_close!(
        big.logabsdet,
        base.logabsdet + 5.0 * 1e150f64.ln(),
        rtol = 1e-13
    );
    assert!(det((&a * 1e150).view()).unwrap().is_infinite());
    let small = slogdet((&a * 1e-150).view()).unwrap();
    assert_close!(
        small.logabsdet,
        base.logabsdet - 5.0 * 1e150f64.ln(),
        rtol = 1e-13
    );
    assert_eq!(det((&a * 1e-150).view()).unwrap(), 0.0);
}

#[test]
fn det_of_singular_matrix_is_zero_not_an_error() {
    // NumPy: det = 0.0, slogdet = (0.0, -inf); a zero column leaves a zero pivot
    for a in [
        array![[1., 2.], [2., 4.]],
        Array2::<f64>::zeros((3, 3)),
        array![[0., 1.], [0., 2.]],
        array![[0.0]],
    ] {
        let d = det(a.view()).unwrap();
        assert_eq!(d, 0.0, "det of singular {a}");
        let s = slogdet(a.view()).unwrap();
        assert_eq!(
            (s.sign, s.logabsdet),
            (0.0, f64::NEG_INFINITY),
            "slogdet of singular {a}"
        );
    }
}

#[test]
fn det_small_cases() {
    assert_eq!(det(array![[-2.5]].view()).unwrap(), -2.5);
    assert_close!(
        det(array![[4., 1.], [2., 3.]].view()).unwrap(),
        10.0,
        rtol = 1e-15
    );
    assert_close!(
        det(array![[0., 1.], [1., 0.]].view()).unwrap(),
        -1.0,
        rtol = 1e-15
    );
    let s = slogdet(array![[-2.0f64]].view()).unwrap();
    assert_eq!(s.sign, -1.0);
    assert_close!(s.logabsdet, 2f64.ln(), rtol = 1e-15);
    assert_close!(
        det(Array2::<f64>::eye(7).view()).unwrap(),
        1.0,
        rtol = 1e-15
    );
}

#[test]
fn det_errors() {
    assert_err_contains(det(Array2::<f64>::zeros((0, 0)).view()), "empty");
    assert_err_contains(slogdet(Array2::<f64>::zeros((0, 0)).view()), "empty");
    assert_err_contains(det(array![[1., f64::NAN], [0., 1.]].view()), "non-finite");
    assert_err_contains(slogdet(array![[f64::INFINITY]].view()), "non-finite");
    let msg = assert_err_contains(det(Array2::<f64>::ones((2, 3)).view()), "det");
    assert!(msg.contains("square") && msg.contains("(2, 3)"), "{msg}");
    assert_err_contains(slogdet(Array2::<f64>::ones((3, 2)).view()), "(3, 2)");
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn det_agrees_with_lu_pivot_product(a in common::square(1..=12)) {
        let (ref_sign, ref_log) = reference_slogdet(&a);
        let s = slogdet(a.view())?;
        prop_assert_eq!(s.sign, ref_sign);
        prop_assert!((s.logabsdet - ref_log).abs() < 1e-8 * (1.0 + ref_log.abs()),
            "logabsdet {} vs {ref_log}", s.logabsdet);
        let d = det(a.view())?;
        let want = ref_sign * ref_log.exp();
        prop_assert!((d - want).abs() <= 1e-7 * want.abs(), "det {d} vs {want}");
        // det = sign · exp(logabsdet)
        prop_assert!((d - s.sign * s.logabsdet.exp()).abs() <= 1e-12 * d.abs());
    }

    #[test]
    fn det_is_multiplicative_and_transpose_invariant(n in 1usize..=8, seed: u64) {
        let a = normal(n, n, seed);
        let b = normal(n, n, seed ^ 9);
        let (da, db) = (det(a.view())?, det(b.view())?);
        let dab = det(a.dot(&b).view())?;
        prop_assert!((dab - da * db).abs() <= 1e-6 * (da * db).abs().max(1e-300));
        let dat = det(a.t())?;
        prop_assert!((dat - da).abs() <= 1e-10 * da.abs());
    }

    #[test]
    fn det_of_scaled_and_swapped(n in 2usize..=12, seed: u64, big: bool) {
        let a = normal(n, n, seed);
        let base = slogdet(a.view())?;
        let c: f64 = if big { 1e150 } else { 1e-150 };
        let s = slogdet((&a * c).view())?;
        prop_assert_eq!(s.sign, base.sign);
        let want = base.logabsdet + n as f64 * c.ln();
        prop_assert!((s.logabsdet - want).abs() <= 1e-12 * want.abs().max(1.0) + 1e-9);
        // swapping two rows flips the sign
        let mut sw = a.clone();
        for j in 0..n {
            sw.swap([0, j], [n - 1, j]);
        }
        let t = slogdet(sw.view())?;
        prop_assert_eq!(t.sign, -base.sign);
        prop_assert!((t.logabsdet - base.logabsdet).abs() <= 1e-9 * (1.0 + base.logabsdet.abs()));
    }

    #[test]
    fn det_of_triangular_is_diagonal_product(n in 1usize..=12, seed: u64) {
        let mut a = normal(n, n, seed);
        for i in 0..n {
            for j in 0..i {
                a[[i, j]] = 0.0;
            }
        }
        let want: f64 = a.diag().iter().product();
        let d = det(a.view())?;
        prop_assert!((d - want).abs() <= 1e-13 * want.abs(), "det {d} vs {want}");
    }
}
