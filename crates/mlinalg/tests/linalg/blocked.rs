//! The recursive blocked LU and Cholesky (`src/linalg/factor.rs`) behind `solve`, `inv`,
//! `det`, `slogdet`, `cholesky` and `Cholesky`, at sizes that take every path: LU leaves of
//! ≤ 32 columns and their splits (31/32/33, 64/65, 97, 150), Cholesky leaves of ≤ 32,
//! the dot-product substitution (≤ 4 right-hand sides) and the recursive triangular solves
//! (> 4), the parallel GEMM (products ≥ 128³) and the in-pool path (n ≥ 256).
//!
//! Two kinds of checks: NumPy fixtures (`tests/fixtures/generate_blocked.py`, files
//! `blocked_*`) with tolerances derived from each matrix's condition number, and residual
//! properties (LAPACK's test ratios, below 30 for a backward-stable result) on random
//! matrices up to n = 600.

use mlinalg::Error;
use mlinalg::linalg::{Cholesky, Slogdet, cholesky, det, inv, slogdet, solve, svdvals};
use ndarray::{Array1, Array2, ArrayView2, s};
use proptest::prelude::*;

use crate::common::{self, EPS, fro, normal, ratio, rel_diff};

/// The fixture `blocked_<case>__<key>` as a scalar.
fn fx0(case: &str, key: &str) -> f64 {
    common::fx0(&format!("blocked_{case}"), key)
}

/// The fixture `blocked_<case>__<key>` as a vector.
fn fx1(case: &str, key: &str) -> Array1<f64> {
    common::fx1(&format!("blocked_{case}"), key)
}

/// The fixture `blocked_<case>__<key>` as a matrix.
fn fx2(case: &str, key: &str) -> Array2<f64> {
    common::fx2(&format!("blocked_{case}"), key)
}

/// Sizes of the `blocked_n<N>` fixtures.
const SIZES: [usize; 7] = [31, 32, 33, 64, 65, 97, 150];

/// Sizes of the `blocked_spd<N>` fixtures.
const SPD_SIZES: [usize; 5] = [32, 33, 64, 65, 97];

/// ‖A X − B‖_F / (‖A‖_F ‖X‖_F n ε): below ~30 for a backward-stable solve.
fn solve_ratio(a: &Array2<f64>, x: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let r = a.dot(x) - b;
    ratio(fro(&r), fro(a) * fro(x), a.nrows() as f64)
}

/// ‖A A⁻¹ − I‖_F / (‖A‖_F ‖A⁻¹‖_F n ε).
fn inv_ratio(a: &Array2<f64>, ai: &Array2<f64>) -> f64 {
    let n = a.nrows();
    let r = a.dot(ai) - Array2::<f64>::eye(n);
    ratio(fro(&r), fro(a) * fro(ai), n as f64)
}

/// ‖A − L Lᵀ‖_F / (‖A‖_F n ε).
fn chol_ratio(a: &Array2<f64>, l: &Array2<f64>) -> f64 {
    let r = a - &l.dot(&l.t());
    ratio(fro(&r), fro(a), a.nrows() as f64)
}

/// Normwise tolerance for comparing two backward-stable solutions of a system with
/// condition number `cond`: each is within ~cond·n·ε of the exact one (forward error bound
/// of LU with partial pivoting and modest growth), so they are within twice that.
fn cond_tol(cond: f64, n: usize) -> f64 {
    2.0 * cond * n as f64 * EPS
}

/// A column-vector right-hand side as a matrix.
fn col(b: &Array1<f64>) -> Array2<f64> {
    b.clone().insert_axis(ndarray::Axis(1))
}

/// Sylvester's Hadamard matrix of order `n` (a power of two): entries ±1, `H Hᵀ = n I`.
fn hadamard(n: usize) -> Array2<f64> {
    let mut h = Array2::<f64>::ones((1, 1));
    while h.nrows() < n {
        let m = h.nrows();
        let mut g = Array2::<f64>::zeros((2 * m, 2 * m));
        g.slice_mut(s![..m, ..m]).assign(&h);
        g.slice_mut(s![..m, m..]).assign(&h);
        g.slice_mut(s![m.., ..m]).assign(&h);
        g.slice_mut(s![m.., m..]).assign(&(-&h));
        h = g;
    }
    h
}

/// Reference (sign, log|det|) from a textbook unblocked LU with partial pivoting (first
/// largest magnitude), independent of mlinalg's kernels.
fn reference_slogdet(a: &Array2<f64>) -> (f64, f64) {
    let mut lu = a.clone();
    let n = lu.nrows();
    let (mut sign, mut logabs) = (1.0f64, 0.0f64);
    for k in 0..n {
        let mut p = k;
        for i in k + 1..n {
            if lu[[i, k]].abs() > lu[[p, k]].abs() {
                p = i;
            }
        }
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
            if f != 0.0 {
                for j in k + 1..n {
                    lu[[i, j]] -= f * lu[[k, j]];
                }
            }
        }
    }
    (sign, logabs)
}

/// Checks solve (1-d and 2-d right-hand sides `b<k>` of the fixture case) against NumPy's
/// `x<k>` within `tol`, and the residual ratio.
#[track_caller]
fn check_solve_fixture(case: &str, a: &Array2<f64>, ks: &[usize], bscale: f64, tol: f64) {
    // the scaled cases share the right-hand sides of `scaled65`
    let src = if ["big65", "small65", "sub65"].contains(&case) {
        "scaled65"
    } else {
        case
    };
    let n = a.nrows();
    for &k in ks {
        let name = format!("{case} solve k={k}");
        let (x, want, b) = if k == 1 {
            let b = fx1(src, "b1") * bscale;
            let x = solve(a.view(), &b).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(x.dim(), n, "{name}: shape");
            (col(&x), col(&fx1(case, "x1")), col(&b))
        } else {
            let b = fx2(src, &format!("b{k}")) * bscale;
            let x = solve(a.view(), &b).unwrap_or_else(|e| panic!("{name}: {e}"));
            (x, fx2(case, &format!("x{k}")), b)
        };
        let d = rel_diff(&x, &want);
        assert!(d <= tol, "{name}: differs from NumPy by {d:e} > {tol:e}");
        let r = solve_ratio(a, &x, &b);
        assert!(r < 30.0, "{name}: residual ratio {r}");
    }
}

/// Checks det and slogdet against the fixture: the signs exactly, log|det| within `atol`
/// (absolute: a relative perturbation δ of the pivots moves it by δ) and det within the
/// matching relative tolerance.
#[track_caller]
fn check_det_fixture(case: &str, a: &Array2<f64>, atol: f64) {
    let (want_det, want_sign, want_log) =
        (fx0(case, "det"), fx0(case, "sign"), fx0(case, "logabsdet"));
    let Slogdet { sign, logabsdet } = slogdet(a.view()).unwrap();
    assert_eq!(sign, want_sign, "{case}: slogdet sign");
    assert!(
        (logabsdet - want_log).abs() <= atol,
        "{case}: logabsdet {logabsdet} vs NumPy {want_log} (atol {atol:e})"
    );
    let d = det(a.view()).unwrap();
    assert!(
        common::close(d, want_det, 2.0 * atol, 0.0),
        "{case}: det {d:e} vs NumPy {want_det:e}"
    );
}

#[test]
fn solve_inv_det_match_numpy_across_block_sizes() {
    for n in SIZES {
        let case = format!("n{n}");
        let a = fx2(&case, "a");
        let cond = fx0(&case, "cond");
        let tol = cond_tol(cond, n);
        check_solve_fixture(&case, &a, &[1, 3, 40], 1.0, tol);
        if n <= 97 {
            let ai = inv(a.view()).unwrap();
            let d = rel_diff(&ai, &fx2(&case, "inverse"));
            assert!(
                d <= tol,
                "{case}: inv differs from NumPy by {d:e} > {tol:e}"
            );
            let r = inv_ratio(&a, &ai);
            assert!(r < 30.0, "{case}: inv residual ratio {r}");
        }
        check_det_fixture(&case, &a, tol);
    }
}

#[test]
fn cholesky_matches_numpy_across_block_sizes() {
    let mut cases: Vec<String> = SPD_SIZES.iter().map(|n| format!("spd{n}")).collect();
    // only the lower triangle is read: the upper one holds unrelated values
    cases.push("upper70".into());
    for case in &cases {
        let a = fx2(case, "a");
        let n = a.nrows();
        let l = cholesky(a.view()).unwrap_or_else(|e| panic!("{case}: {e}"));
        // B Bᵀ + n I has condition ≲ 5; L's forward error is ≲ cond·n·ε
        let d = rel_diff(&l, &fx2(case, "l"));
        assert!(d <= 1e-12, "{case}: L differs from NumPy by {d:e}");
        for i in 0..n {
            assert!(
                l.row(i).iter().skip(i + 1).all(|&v| v.to_bits() == 0),
                "{case}: row {i} not exactly +0 above the diagonal"
            );
            assert!(l[[i, i]] > 0.0, "{case}: diagonal {i}");
        }
        let sym = Array2::from_shape_fn((n, n), |(i, j)| a[[i.max(j), i.min(j)]]);
        let r = chol_ratio(&sym, &l);
        assert!(r < 30.0, "{case}: residual ratio {r}");
    }
}

#[test]
fn not_positive_definite_in_the_trailing_part_is_an_error() {
    for (case, k) in [("notpd70", 69), ("notpd65", 32)] {
        let a = fx2(case, "a");
        assert_eq!(fx0(case, "notpd"), 1.0);
        for r in [
            cholesky(a.view()).map(|_| ()),
            Cholesky::new(a.view()).map(|_| ()),
        ] {
            assert!(
                matches!(r, Err(Error::NotPositiveDefinite { op: "cholesky" })),
                "{case}: expected NotPositiveDefinite, got {r:?}"
            );
        }
        // the leading k × k block is positive definite
        let lead = a.slice(s![..k, ..k]).to_owned();
        let l = cholesky(lead.view()).unwrap_or_else(|e| panic!("{case} leading {k}: {e}"));
        assert!(chol_ratio(&lead, &l) < 30.0);
    }
}

#[test]
fn ill_conditioned_matches_numpy_within_its_condition() {
    let case = "ill64";
    let a = fx2(case, "a");
    let cond = fx0(case, "cond");
    assert!(cond > 5e11, "{case}: cond {cond:e}");
    let tol = cond_tol(cond, 64); // ≈ 0.03: the forward error bound, not the usual error
    check_solve_fixture(case, &a, &[1, 3, 40], 1.0, tol);
    let ai = inv(a.view()).unwrap();
    let d = rel_diff(&ai, &fx2(case, "inverse"));
    assert!(d <= tol, "{case}: inv differs by {d:e}");
    assert!(inv_ratio(&a, &ai) < 30.0, "{case}: inv residual");
    // δ log|det| = tr(A⁻¹ δA) ≤ n·cond·ε for a backward error ε‖A‖
    check_det_fixture(case, &a, tol);
}

#[test]
fn pivoting_at_every_step_and_zero_diagonal() {
    for case in ["cyclic65", "zerodiag65", "signs65"] {
        let a = fx2(case, "a");
        let tol = cond_tol(fx0(case, "cond"), a.nrows());
        check_solve_fixture(case, &a, &[1, 5], 1.0, tol);
        check_det_fixture(case, &a, tol);
        assert!(inv_ratio(&a, &inv(a.view()).unwrap()) < 30.0, "{case}: inv");
    }
    // the cyclic case: det = (−1)^(n−1) ∏ Uᵢᵢ with every Uᵢᵢ in [1, 2]: sign +1 at n = 65
    assert_eq!(slogdet(fx2("cyclic65", "a").view()).unwrap().sign, 1.0);
}

#[test]
fn permutation_matrix_is_exact() {
    let case = "perm97";
    let perm = fx1(case, "perm");
    let n = perm.len();
    let mut a = Array2::<f64>::zeros((n, n));
    for (i, &p) in perm.iter().enumerate() {
        a[[i, p as usize]] = 1.0;
    }
    // every multiplier is 0 and every pivot 1: all results are exact
    assert_eq!(inv(a.view()).unwrap(), a.t());
    assert_eq!(det(a.view()).unwrap(), fx0(case, "det"));
    let sd = slogdet(a.view()).unwrap();
    assert_eq!((sd.sign, sd.logabsdet), (fx0(case, "sign"), 0.0));
    assert_eq!(solve(a.view(), &fx1(case, "b1")).unwrap(), fx1(case, "x1"));
    assert_eq!(
        solve(a.view(), &fx2(case, "b40")).unwrap(),
        fx2(case, "x40")
    );
}

#[test]
fn ties_in_the_pivot_column_hadamard_is_exact() {
    // every pivot column of Sylvester's Hadamard matrix is all ties; the elimination stays
    // in small dyadic numbers, so det, inverse and solution are exact. (NumPy's det is
    // 6.27710173538643e57, 4e-14 off 2^192: OpenBLAS's blocked LU rounds somewhere.)
    let h = hadamard(64);
    let d = det(h.view()).unwrap();
    assert_eq!(d, 2f64.powi(192));
    assert!(
        common::close(d, fx0("hadamard64", "det"), 1e-12, 0.0),
        "{d:e} vs NumPy"
    );
    let sd = slogdet(h.view()).unwrap();
    assert_eq!(sd.sign, fx0("hadamard64", "sign"));
    assert!((sd.logabsdet - 192.0 * std::f64::consts::LN_2).abs() < 1e-12);
    assert_eq!(inv(h.view()).unwrap(), h.t().mapv(|v| v / 64.0));
    assert_eq!(
        solve(h.view(), &fx1("hadamard64", "b1")).unwrap(),
        fx1("hadamard64", "x1")
    );
}

/// Ties decided as LAPACK's `idamax` does (first largest magnitude): the determinant of a
/// matrix factored entirely in the first unblocked panel has exactly the bits of a NumPy
/// emulation of that panel's operations with the first-tie rule (the last-tie rule gives
/// different bits), and agrees with NumPy's own `det`.
#[test]
fn ties_in_the_pivot_column_pick_the_first() {
    for case in ["ties32", "ties64"] {
        let a = fx2(case, "a");
        let d = det(a.view()).unwrap();
        let (first, last) = (fx0(case, "det_first_tie"), fx0(case, "det_last_tie"));
        assert_ne!(first, last, "{case}: fixture");
        assert_eq!(
            d.to_bits(),
            first.to_bits(),
            "{case}: det {d:e}, first-tie emulation {first:e}, last-tie {last:e}"
        );
        check_det_fixture(case, &a, cond_tol(1e3, a.nrows()));
    }
}

#[test]
fn scaled_entries_1e150_1e_minus150_and_subnormal() {
    let base = fx2("scaled65", "a");
    for (case, scale, bscale) in [
        ("big65", 1e150, 1.0),
        ("small65", 1e-150, 1.0),
        ("sub65", 1e-310, 1e-300),
    ] {
        let a = &base * scale;
        if case == "sub65" {
            assert!(
                a.iter().any(|v| v.is_subnormal()),
                "{case}: subnormal entries"
            );
        }
        let tol = cond_tol(fx0(case, "cond"), 65);
        check_solve_fixture(case, &a, &[1, 3, 40], bscale, tol);
        // det overflows to +∞ or underflows to 0 exactly as NumPy's; slogdet stays finite
        assert_eq!(det(a.view()).unwrap(), fx0(case, "det"), "{case}: det");
        let sd = slogdet(a.view()).unwrap();
        assert_eq!(sd.sign, fx0(case, "sign"), "{case}: sign");
        let want = fx0(case, "logabsdet");
        assert!(
            (sd.logabsdet - want).abs() <= 1e-12 * want.abs(),
            "{case}: logabsdet {} vs {want}",
            sd.logabsdet
        );
        if case == "sub65" {
            // ‖A⁻¹‖ ~ 1e310 overflows (NumPy's inverse is ±inf too)
            continue;
        }
        let ai = inv(a.view()).unwrap();
        assert!(ai.iter().all(|v| v.is_finite()), "{case}: inv finite");
        let r = inv_ratio(&a, &ai);
        assert!(r < 30.0, "{case}: inv residual ratio {r}");
    }
}

/// A subnormal column in an otherwise O(1) matrix (no rescaling): pivot 40 is subnormal
/// (~7.5e-313 ≈ 2³⁷ units of 2⁻¹⁰⁷⁴), so the LU divides by it (its reciprocal would
/// overflow). Each of the ≤ n operations on that column rounds by half a unit, 2⁻³⁸
/// relative, so log|det| agrees with the exactly rescaled reference to ≲ n·2⁻³⁸ ≈ 2.4e-10.
/// (NumPy's own answer is off by 0.49 here: its subnormal pivot is wrong by ~60 %.)
#[test]
fn subnormal_pivot_det_and_slogdet() {
    let case = "tinycol65";
    let a = fx2(case, "a");
    assert!(a.column(40).iter().all(|v| v.is_subnormal()));
    check_det_fixture(case, &a, 1e-9);
}

#[test]
fn singular_matrices_at_block_sizes() {
    for (case, numpy_singular) in [
        ("reprow64", true),
        ("zerocol65", true),
        // exactly singular, but LAPACK's last pivot is rounding noise (NumPy: det ≈ 3e27);
        // mlinalg counts a pivot below its own rounding error as zero (bridge::Lu)
        ("reprow_normal64", false),
    ] {
        let a = fx2(case, "a");
        let n = a.nrows();
        assert_eq!(
            fx0(case, "singular") == 1.0,
            numpy_singular,
            "{case}: fixture"
        );
        let r1 = solve(a.view(), &Array1::<f64>::ones(n));
        assert!(
            matches!(r1, Err(Error::Singular { op: "solve" })),
            "{case}: solve k=1 gave {r1:?}"
        );
        let r40 = solve(a.view(), &normal(n, 40, 1));
        assert!(
            matches!(r40, Err(Error::Singular { op: "solve" })),
            "{case}: solve k=40 gave {:?}",
            r40.map(|x| x.dim())
        );
        let ri = inv(a.view());
        assert!(
            matches!(ri, Err(Error::Singular { op: "inv" })),
            "{case}: inv gave {:?}",
            ri.map(|x| x.dim())
        );
        assert_eq!(det(a.view()).unwrap(), 0.0, "{case}: det");
        let sd = slogdet(a.view()).unwrap();
        assert_eq!((sd.sign, sd.logabsdet), (0.0, f64::NEG_INFINITY), "{case}");
        if numpy_singular {
            assert_eq!(fx0(case, "det"), 0.0);
            assert_eq!(fx0(case, "logabsdet"), f64::NEG_INFINITY);
        }
    }
}

/// Residual ratios at sizes through the in-pool path (n ≥ 256), for 1, 3 (substitution)
/// and 5, 40 (recursive triangular solves) right-hand sides, 1-d and 2-d.
#[test]
fn solve_and_inv_residuals_on_the_pool_path() {
    for (n, seed) in [(256, 1u64), (600, 2)] {
        let a = normal(n, n, seed);
        for k in [1, 3, 5, 40] {
            let b = normal(n, k, seed + 10);
            let x = solve(a.view(), &b).unwrap();
            let r = solve_ratio(&a, &x, &b);
            assert!(r < 30.0, "n={n} k={k}: residual ratio {r}");
            if k == 1 {
                let x1 = solve(a.view(), &b.column(0)).unwrap();
                assert_eq!(x1, x.column(0), "n={n}: 1-d and (n, 1) right-hand sides");
            }
        }
        if n == 256 {
            let ai = inv(a.view()).unwrap();
            let r = inv_ratio(&a, &ai);
            assert!(r < 30.0, "n={n}: inv residual ratio {r}");
        }
        let spd = common::spd(n, seed + 20);
        let l = cholesky(spd.view()).unwrap();
        assert!(chol_ratio(&spd, &l) < 30.0, "n={n}: cholesky");
        let b = normal(n, 40, seed + 30);
        let x = Cholesky::new(spd.view()).unwrap().solve(&b).unwrap();
        assert!(solve_ratio(&spd, &x, &b) < 30.0, "n={n}: Cholesky::solve");
    }
}

/// Errors raised inside the pool (n ≥ 256) come back out of it, and many right-hand sides
/// with a small matrix also take the pool path (it is chosen by max(n, k)).
#[test]
fn pool_path_errors_and_wide_right_hand_sides() {
    for n in [65, 300] {
        // a negative diagonal entry: not positive definite, found at or before that pivot
        for k in [n / 2, n - 1] {
            let mut a = common::spd(n, 70 + k as u64);
            a[[k, k]] = -1.0;
            let r = cholesky(a.view());
            assert!(
                matches!(r, Err(Error::NotPositiveDefinite { .. })),
                "n={n}, negative a[{k}, {k}]: {:?}",
                r.map(|l| l.dim())
            );
        }
        // a zero column: pivot 50 is exactly zero
        let mut a = normal(n, n, 80);
        a.column_mut(50).fill(0.0);
        assert!(matches!(
            solve(a.view(), &normal(n, 40, 81)),
            Err(Error::Singular { .. })
        ));
        assert!(matches!(inv(a.view()), Err(Error::Singular { .. })));
        assert_eq!(det(a.view()).unwrap(), 0.0);
    }
    let a = normal(40, 40, 82);
    let b = normal(40, 300, 83);
    let x = solve(a.view(), &b).unwrap();
    let r = solve_ratio(&a, &x, &b);
    assert!(r < 30.0, "n=40, k=300: residual ratio {r}");
}

/// `slogdet` against two independent references: the sum of log singular values (SVD) for
/// log|det|, and a textbook unblocked LU for the sign.
#[test]
fn slogdet_against_singular_values_and_textbook_lu() {
    for (n, seed) in [(33, 5u64), (150, 6), (300, 7)] {
        let a = normal(n, n, seed);
        let sd = slogdet(a.view()).unwrap();
        let lsum: f64 = svdvals(a.view()).unwrap().iter().map(|s| s.ln()).sum();
        // normal matrices: cond ~ n, so log|det| agrees to ~n·cond·ε absolutely
        let atol = cond_tol(10.0 * n as f64, n);
        assert!(
            (sd.logabsdet - lsum).abs() <= atol,
            "n={n}: logabsdet {} vs Σ ln σ {lsum}",
            sd.logabsdet
        );
        let (sign, lref) = reference_slogdet(&a);
        assert_eq!(sd.sign, sign, "n={n}: sign");
        assert!((sd.logabsdet - lref).abs() <= atol, "n={n}: vs textbook LU");
    }
}

/// The four memory layouts of `super::layouts`, as views of the same logical matrix.
fn layout_views<'a>(
    storage: &'a [(&'static str, Array2<f64>)],
) -> Vec<(&'static str, ArrayView2<'a, f64>)> {
    storage
        .iter()
        .map(|(layout, st)| {
            let v = match *layout {
                "strided" => st.slice(s![..;2, ..;3]),
                "reversed" => st.slice(s![..;-1, ..;-1]),
                _ => st.view(),
            };
            (*layout, v)
        })
        .collect()
}

/// The routines copy their input to C order first, so every layout gives bit-identical
/// results — also on the pool path (n = 300).
#[test]
fn every_memory_layout_gives_bit_identical_results() {
    for n in [65, 97, 300] {
        let a = normal(n, n, n as u64);
        let spd = common::spd(n, n as u64 + 1);
        let b = normal(n, 7, n as u64 + 2);
        let b1 = b.column(0).to_owned();
        let want_x = solve(a.view(), &b).unwrap();
        let want_x1 = solve(a.view(), &b1).unwrap();
        let want_inv = inv(a.view()).unwrap();
        let want_det = det(a.view()).unwrap();
        let want_sd = slogdet(a.view()).unwrap();
        let want_l = cholesky(spd.view()).unwrap();
        let want_cx = Cholesky::new(spd.view()).unwrap().solve(&b).unwrap();
        let sa = super::layouts(&a);
        let ss = super::layouts(&spd);
        let sb = super::layouts(&b);
        for (((layout, av), (_, sv)), (_, bv)) in layout_views(&sa)
            .into_iter()
            .zip(layout_views(&ss))
            .zip(layout_views(&sb))
        {
            let what = format!("n={n} {layout}");
            assert_eq!(av, a.view(), "{what}: layout helper");
            assert_eq!(solve(av, &b).unwrap(), want_x, "{what}: solve (a)");
            assert_eq!(solve(a.view(), &bv).unwrap(), want_x, "{what}: solve (b)");
            assert_eq!(solve(av, &b1).unwrap(), want_x1, "{what}: solve 1-d");
            assert_eq!(inv(av).unwrap(), want_inv, "{what}: inv");
            assert_eq!(
                det(av).unwrap().to_bits(),
                want_det.to_bits(),
                "{what}: det"
            );
            assert_eq!(slogdet(av).unwrap(), want_sd, "{what}: slogdet");
            assert_eq!(cholesky(sv).unwrap(), want_l, "{what}: cholesky");
            let c = Cholesky::new(sv).unwrap();
            assert_eq!(c.l(), &want_l, "{what}: Cholesky::l");
            let cx = c.solve(&bv).unwrap();
            // the right-hand side is not copied to C order here: close, not bitwise
            let d = rel_diff(&cx, &want_cx);
            assert!(d < 1e-13, "{what}: Cholesky::solve differs by {d:e}");
        }
    }
}

/// One thread, two threads inside a local pool (the GEMMs fork from a worker), and the
/// default global pool entered from outside (`in_pool`) give the same answers up to
/// rounding. Local pools only: the global `set_num_threads` could be called once per
/// process and would change the threads of every other test in this binary.
#[test]
fn thread_counts_agree() {
    let n = 300;
    let a = normal(n, n, 41);
    let b = normal(n, 40, 42);
    let spd = common::spd(n, 43);
    let run = || {
        (
            solve(a.view(), &b).unwrap(),
            inv(a.view()).unwrap(),
            slogdet(a.view()).unwrap(),
            cholesky(spd.view()).unwrap(),
        )
    };
    let want = run();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a local rayon pool");
        let got = pool.install(run);
        let what = format!("{threads} thread(s)");
        let tol = cond_tol(10.0 * n as f64, n);
        assert!(rel_diff(&got.0, &want.0) <= tol, "{what}: solve");
        assert!(rel_diff(&got.1, &want.1) <= tol, "{what}: inv");
        assert_eq!(got.2.sign, want.2.sign, "{what}: sign");
        assert!(
            (got.2.logabsdet - want.2.logabsdet).abs() <= tol,
            "{what}: logabsdet"
        );
        assert!(rel_diff(&got.3, &want.3) <= 1e-13, "{what}: cholesky");
    }
}

/// Factorizations running at the same time on the pool's workers, of different sizes (the
/// LU panel scratch is kept per thread and reused; a worker that steals another
/// factorization while its GEMM waits may nest one inside the other), give the same results as
/// the same calls made one at a time from this thread.
#[test]
fn concurrent_factorizations_match_sequential_ones() {
    use rayon::prelude::*;
    let sizes = [300, 40, 260, 97, 33, 280, 5, 150];
    let inputs: Vec<(Array2<f64>, Array2<f64>)> = sizes
        .iter()
        .enumerate()
        .map(|(i, &n)| (normal(n, n, 500 + i as u64), normal(n, 6, 600 + i as u64)))
        .collect();
    let run = |(a, b): &(Array2<f64>, Array2<f64>)| {
        (
            solve(a.view(), b).unwrap(),
            slogdet(a.view()).unwrap(),
            cholesky((a.dot(&a.t()) + Array2::<f64>::eye(a.nrows())).view()).unwrap(),
        )
    };
    let want: Vec<_> = inputs.iter().map(run).collect();
    for round in 0..2 {
        let got: Vec<_> = inputs.par_iter().map(run).collect();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            let (n, what) = (sizes[i], format!("round {round}, n = {}", sizes[i]));
            let tol = cond_tol(10.0 * n as f64, n);
            assert!(rel_diff(&g.0, &w.0) <= tol, "{what}: solve");
            assert_eq!(g.1.sign, w.1.sign, "{what}: sign");
            assert!(
                (g.1.logabsdet - w.1.logabsdet).abs() <= tol,
                "{what}: slogdet"
            );
            assert!(rel_diff(&g.2, &w.2) <= 1e-13, "{what}: cholesky");
        }
    }
}

/// A few cases only: the matrices go up to 600 × 600.
fn few_cases(cases: u32) -> proptest::test_runner::Config {
    let mut c = common::config();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    c
}

/// Sizes for the properties: small (leaves), medium (recursion, parallel GEMM) and the
/// in-pool range.
fn dim() -> impl Strategy<Value = usize> {
    prop_oneof![1usize..=70, 71usize..=255, 256usize..=600]
}

proptest! {
    #![proptest_config(few_cases(12))]

    #[test]
    fn solve_residual_is_small(n in dim(), k in prop_oneof![Just(1usize), Just(3), Just(5), Just(40)], seed: u64) {
        let a = normal(n, n, seed);
        let b = normal(n, k, seed ^ 1);
        let x = solve(a.view(), &b).unwrap();
        let r = solve_ratio(&a, &x, &b);
        prop_assert!(r < 30.0, "n={} k={}: residual ratio {}", n, k, r);
    }

    #[test]
    fn inv_residual_is_small(n in prop_oneof![1usize..=70, 71usize..=300], seed: u64) {
        let a = normal(n, n, seed);
        let ai = inv(a.view()).unwrap();
        let r = inv_ratio(&a, &ai);
        prop_assert!(r < 30.0, "n={}: inv residual ratio {}", n, r);
    }

    #[test]
    fn slogdet_matches_textbook_lu(n in prop_oneof![1usize..=70, 71usize..=300], seed: u64) {
        let a = normal(n, n, seed);
        let sd = slogdet(a.view()).unwrap();
        let (sign, lref) = reference_slogdet(&a);
        prop_assert_eq!(sd.sign, sign);
        let atol = cond_tol(10.0 * n as f64, n);
        prop_assert!((sd.logabsdet - lref).abs() <= atol, "n={}: {} vs {}", n, sd.logabsdet, lref);
    }

    #[test]
    fn cholesky_reconstructs_and_solves(n in dim(), k in prop_oneof![Just(1usize), Just(5), Just(40)], seed: u64) {
        let a = common::spd(n, seed);
        let c = Cholesky::new(a.view()).unwrap();
        let l = c.l();
        let r = chol_ratio(&a, l);
        prop_assert!(r < 30.0, "n={}: cholesky residual ratio {}", n, r);
        for i in 0..n {
            prop_assert!(l.row(i).iter().skip(i + 1).all(|&v| v == 0.0), "row {} above diagonal", i);
        }
        let b = normal(n, k, seed ^ 2);
        let x = c.solve(&b).unwrap();
        let rs = solve_ratio(&a, &x, &b);
        prop_assert!(rs < 30.0, "n={} k={}: Cholesky::solve residual ratio {}", n, k, rs);
    }
}
