//! `eigh`, `eigvalsh` (symmetric) and `eig` (general, real or complex).

use mlinalg::Complex64;
use mlinalg::linalg::{Eig, eig, eigh, eigvalsh};
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;

use crate::common::{
    self, EPS, assert_close, assert_close_norm, assert_close_up_to_phase,
    assert_cols_close_up_to_sign, assert_err_contains, cfro, cmatmul, fro, fx1, fx1c, fx2, fx2c,
    orth_residual,
};

// --------------------------------------------------------------------------------- eigh

#[test]
fn eigh_matches_numpy() {
    for case in [
        "eigh_1x1",
        "eigh_sym5",
        "eigh_ill5",
        "eigh_big5",
        "eigh_small5",
        "eigh_repeated3",
    ] {
        let a = fx2(case, "a");
        let f = eigh(a.view()).unwrap();
        // eigenvalues are accurate to ε‖A‖ in absolute terms: compare normwise
        assert_close_norm(&f.eigenvalues, &fx1(case, "eigenvalues"), 1e-12, case);
        assert_close_norm(
            &eigvalsh(a.view()).unwrap(),
            &fx1(case, "eigenvalues"),
            1e-12,
            case,
        );
        if case != "eigh_repeated3" {
            let tol = if case.contains("ill") { 1e-6 } else { 1e-9 };
            let want = fx2(case, "eigenvectors");
            assert_cols_close_up_to_sign(f.eigenvectors.view(), want.view(), a.ncols(), tol, case);
        }
        assert!(
            orth_residual(f.eigenvectors.view()) < 60.0,
            "{case}: V not orthonormal"
        );
    }
}

#[test]
fn eigh_small_cases() {
    let f = eigh(array![[-2.5f64]].view()).unwrap();
    assert_eq!(f.eigenvalues, array![-2.5]);
    assert_eq!(f.eigenvectors[[0, 0]].abs(), 1.0);
    let f = eigh(array![[2f64, 1.], [1., 2.]].view()).unwrap();
    assert_close!(f.eigenvalues, array![1., 3.], rtol = 1e-14);
    let v = f.eigenvectors.column(1).to_owned() * f.eigenvectors[[0, 1]].signum();
    let h = std::f64::consts::FRAC_1_SQRT_2;
    assert_close!(v, array![h, h], rtol = 1e-14);
}

#[test]
fn eigh_rejects_non_symmetric_input() {
    let msg = assert_err_contains(eigh(array![[1., 2.], [0., 1.]].view()), "not symmetric");
    assert!(msg.starts_with("eigh"), "{msg}");
    assert_err_contains(eigvalsh(array![[4., 1.], [2., 3.]].view()), "not symmetric");
}

#[test]
fn eigh_accepts_rounding_level_asymmetry() {
    // a covariance computed in floating point is symmetric only up to rounding
    let mut a = common::symmetric(6, 3);
    a[[0, 5]] += 1e-14;
    let f = eigh(a.view()).unwrap();
    assert_eq!(f.eigenvalues.len(), 6);
}

#[test]
fn eigh_errors() {
    assert_err_contains(eigh(Array2::<f64>::zeros((0, 0)).view()), "empty");
    assert_err_contains(eigvalsh(Array2::<f64>::zeros((0, 0)).view()), "empty");
    assert_err_contains(eigh(array![[f64::NAN, 0.], [0., 1.]].view()), "non-finite");
    let msg = assert_err_contains(eigh(Array2::<f64>::ones((2, 3)).view()), "eigh");
    assert!(msg.contains("square") && msg.contains("(2, 3)"), "{msg}");
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn eigh_residual_orthonormality_and_order(a in common::symmetric_matrix(1..=12)) {
        let n = a.nrows();
        let f = eigh(a.view())?;
        let (w, v) = (&f.eigenvalues, &f.eigenvectors);
        prop_assert_eq!(w.len(), n);
        prop_assert_eq!(v.dim(), (n, n));
        prop_assert!(w.windows(2).into_iter().all(|p| p[0] <= p[1]), "not ascending: {w}");
        // ‖AV − VΛ‖ / (‖A‖ n ε)
        let r = a.dot(v) - &(v * w);
        let ratio = common::ratio(fro(&r), fro(&a), n as f64);
        prop_assert!(ratio < 60.0, "‖AV − VΛ‖/(‖A‖nε) = {ratio}");
        let orth = orth_residual(v.view());
        prop_assert!(orth < 60.0, "‖VᵀV − I‖/(nε) = {orth}");
        // eigvalsh = eigh's eigenvalues; Σλ = trace
        let w2 = eigvalsh(a.view())?;
        let scale = fro(&a);
        prop_assert!(fro(&(&w2 - w)) <= 60.0 * n as f64 * EPS * scale);
        let tr: f64 = a.diag().sum();
        prop_assert!((w.sum() - tr).abs() <= 60.0 * n as f64 * EPS * scale);
    }
}

// ---------------------------------------------------------------------------------- eig

/// Eigenvalues and eigenvectors as complex arrays, whichever variant.
fn complex_parts(e: &Eig) -> (Array1<Complex64>, Array2<Complex64>) {
    match e {
        Eig::Real {
            eigenvalues,
            eigenvectors,
        } => (
            eigenvalues.mapv(|x| Complex64::new(x, 0.0)),
            eigenvectors.mapv(|x| Complex64::new(x, 0.0)),
        ),
        Eig::Complex {
            eigenvalues,
            eigenvectors,
        } => (eigenvalues.clone(), eigenvectors.clone()),
        other => panic!("unexpected Eig variant {other:?}"),
    }
}

/// For each wanted eigenvalue, the index of the nearest unused one in `got`.
fn match_eigenvalues(got: &Array1<Complex64>, want: &Array1<Complex64>) -> Vec<usize> {
    let mut used = vec![false; got.len()];
    want.iter()
        .map(|w| {
            let (best, _) = got
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .map(|(i, g)| (i, (g - w).norm()))
                .min_by(|x, y| x.1.total_cmp(&y.1))
                .expect("as many eigenvalues as wanted");
            used[best] = true;
            best
        })
        .collect()
}

#[test]
fn eig_matches_numpy() {
    for (case, real) in [
        ("eig_1x1", true),
        ("eig_rot2", false),
        ("eig_4123", true),
        ("eig_upper3", true),
        ("eig_nonsym5", false),
        ("eig_big4123", true),
    ] {
        let a = fx2(case, "a");
        let e = eig(a.view()).unwrap();
        assert_eq!(matches!(e, Eig::Real { .. }), real, "{case}: variant {e:?}");
        let (w, v) = complex_parts(&e);
        let (want_w, want_v) = (fx1c(case, "eigenvalues"), fx2c(case, "eigenvectors"));
        assert_eq!(w.len(), want_w.len());
        let idx = match_eigenvalues(&w, &want_w);
        let scale = fro(&a);
        for (k, &i) in idx.iter().enumerate() {
            let d = (w[i] - want_w[k]).norm();
            assert!(
                d <= 1e-12 * scale,
                "{case}: eigenvalue {} vs {}",
                w[i],
                want_w[k]
            );
            assert_close_up_to_phase(v.column(i), want_v.column(k), 1e-9, case);
        }
    }
}

#[test]
fn eig_worked_examples() {
    // [[4, 1], [2, 3]]: eigenvalues 5 and 2, real
    let a = array![[4., 1.], [2., 3.]];
    let Eig::Real {
        eigenvalues,
        eigenvectors,
    } = eig(a.view()).unwrap()
    else {
        panic!("expected real eigenvalues");
    };
    let mut w = eigenvalues.to_vec();
    w.sort_by(f64::total_cmp);
    assert_close!(Array1::from(w), array![2., 5.], rtol = 1e-14);
    for j in 0..2 {
        let v = eigenvectors.column(j);
        assert_close!(a.dot(&v), &v * eigenvalues[j], rtol = 1e-13, atol = 1e-14);
        assert_close!(v.dot(&v), 1.0, rtol = 1e-14);
    }
    // a rotation by 90°: eigenvalues ±i
    let r = array![[0f64, -1.], [1., 0.]];
    let Eig::Complex {
        eigenvalues,
        eigenvectors,
    } = eig(r.view()).unwrap()
    else {
        panic!("expected complex eigenvalues");
    };
    let mut im: Vec<f64> = eigenvalues.iter().map(|z| z.im).collect();
    im.sort_by(f64::total_cmp);
    assert_close!(Array1::from(im), array![-1., 1.], rtol = 1e-14);
    assert!(eigenvalues.iter().all(|z| z.re.abs() < 1e-15));
    let rc = r.mapv(|x| Complex64::new(x, 0.0));
    for j in 0..2 {
        let v = eigenvectors.column(j);
        let av = rc.dot(&v);
        let lv = v.mapv(|x| x * eigenvalues[j]);
        let d: f64 = av.iter().zip(lv.iter()).map(|(p, q)| (p - q).norm()).sum();
        assert!(d < 1e-14, "rotation eigenpair {j}: {d}");
        let nrm: f64 = v.iter().map(|z| z.norm_sqr()).sum();
        assert_close!(nrm, 1.0, rtol = 1e-14);
    }
}

#[test]
fn eig_of_symmetric_matrix_is_real_and_matches_eigh() {
    let a = common::symmetric(6, 17);
    let e = eig(a.view()).unwrap();
    let Eig::Real { eigenvalues, .. } = &e else {
        panic!("symmetric input gave {e:?}")
    };
    let mut w = eigenvalues.to_vec();
    w.sort_by(f64::total_cmp);
    assert_close_norm(
        &Array1::from(w),
        &eigh(a.view()).unwrap().eigenvalues,
        1e-12,
        "eig vs eigh",
    );
}

#[test]
fn eig_errors() {
    assert_err_contains(eig(Array2::<f64>::zeros((0, 0)).view()), "empty");
    assert_err_contains(
        eig(array![[1., f64::INFINITY], [0., 1.]].view()),
        "non-finite",
    );
    let msg = assert_err_contains(eig(Array2::<f64>::ones((3, 2)).view()), "eig");
    assert!(msg.contains("square") && msg.contains("(3, 2)"), "{msg}");
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn eig_residual_and_unit_columns(a in prop_oneof![
        3 => common::square(1..=10),
        1 => (1usize..=10, any::<u64>(), any::<bool>()).prop_map(|(n, s, big)| {
            common::normal(n, n, s) * if big { 1e150 } else { 1e-150 }
        }),
    ]) {
        let n = a.nrows();
        let e = eig(a.view())?;
        let (w, v) = complex_parts(&e);
        prop_assert_eq!(w.len(), n);
        prop_assert_eq!(v.dim(), (n, n));
        // ‖AV − VΛ‖ / (‖A‖ n ε)
        let ac = a.mapv(|x| Complex64::new(x, 0.0));
        let av = cmatmul(ac.view(), v.view());
        let vl = Array2::from_shape_fn((n, n), |(i, j)| v[[i, j]] * w[j]);
        let ratio = common::ratio(cfro((&av - &vl).view()), fro(&a), n as f64);
        prop_assert!(ratio < 20.0, "‖AV − VΛ‖/(‖A‖nε) = {ratio}");
        for j in 0..n {
            let nrm: f64 = v.column(j).iter().map(|z| z.norm_sqr()).sum::<f64>().sqrt();
            prop_assert!((nrm - 1.0).abs() < 1e-12, "column {j} has norm {nrm}");
        }
        // a real matrix's complex eigenvalues come in conjugate pairs
        let scale = fro(&a);
        for z in w.iter() {
            let partner = w.iter().map(|y| (y - z.conj()).norm()).fold(f64::INFINITY, f64::min);
            prop_assert!(partner <= 1e-10 * scale, "no conjugate for {z}");
        }
        // Σλ = trace
        let tr: f64 = a.diag().sum();
        let s: Complex64 = w.sum();
        prop_assert!((s.re - tr).abs() <= 1e-12 * n as f64 * scale + 1e-300 && s.im.abs() <= 1e-12 * n as f64 * scale);
        prop_assert!(v.iter().all(|z| z.is_finite()));
    }
}

#[test]
fn eig_of_tiny_and_huge_matrices_scales_exactly() {
    // eig(c·A) = (c·λ, V): eigenvectors must not depend on the scale of the data
    let mut failures = Vec::new();
    for n in 2..=7 {
        for seed in 0..8 {
            let a = common::normal(n, n, seed);
            let (w, v) = complex_parts(&eig(a.view()).unwrap());
            for c in [1e-150, 1e150] {
                let (wc, vc) = complex_parts(&eig((&a * c).view()).unwrap());
                let idx = match_eigenvalues(&wc, &w.mapv(|z| z * c));
                for (k, &i) in idx.iter().enumerate() {
                    assert!(
                        (wc[i] / c - w[k]).norm() < 1e-12 * fro(&a),
                        "scale {c:e}: λ{k}"
                    );
                    let d = common::phase_rel_diff(vc.column(i), v.column(k));
                    if d > 1e-9 {
                        failures.push(format!(
                            "n {n}, seed {seed}, scale {c:e}, λ {}: {d:.2e}",
                            w[k]
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "eigenvectors change with scale: {failures:#?}"
    );
}
