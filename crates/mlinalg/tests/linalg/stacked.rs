//! Stacks `(..., M, N)` and the newer `numpy.linalg` routines: NumPy fixtures
//! (`tests/fixtures/generate_stacked.py`), properties (each matrix of a stack equals the
//! routine on that matrix alone; residuals) and NumPy's empty-array results.

use mlinalg::linalg::{self, NormOrd, QrMode, TensordotAxes, stacked};
use ndarray::{Array, Array2, Array3, ArrayD, Axis, IxDyn, array};
use proptest::prelude::*;

use crate::common::{self, fxd};

/// `got` and `want` agree elementwise within `rtol · max|want| + atol` (same shape).
fn close(got: &ArrayD<f64>, want: &ArrayD<f64>, rtol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    let scale = want.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1.0);
    for (g, w) in got.iter().zip(want.iter()) {
        let ok = (g - w).abs() <= rtol * scale || (g.is_infinite() && g == w);
        assert!(ok, "{what}: {g} vs {w}\ngot {got}\nwant {want}");
    }
}

#[test]
fn square_stack_matches_numpy() {
    let a = fxd("stk_sq", "a");
    let v = a.view();
    close(
        &stacked::inv(v.view()).unwrap(),
        &fxd("stk_sq", "inverse"),
        1e-12,
        "inv",
    );
    close(
        &stacked::det(v.view()).unwrap(),
        &fxd("stk_sq", "det"),
        1e-12,
        "det",
    );
    let s = stacked::slogdet(v.view()).unwrap();
    close(&s.sign, &fxd("stk_sq", "sign"), 0.0, "sign");
    close(
        &s.logabsdet,
        &fxd("stk_sq", "logabsdet"),
        1e-12,
        "logabsdet",
    );
    let x = stacked::solve(v.view(), fxd("stk_sq", "b").view()).unwrap();
    assert_eq!(
        x.shape(),
        &[3, 2, 4, 3],
        "solve broadcasts (3, 2) with (2,)"
    );
    close(&x, &fxd("stk_sq", "x"), 1e-12, "solve");
    let x1 = stacked::solve(v.view(), fxd("stk_sq", "b1").view()).unwrap();
    close(&x1, &fxd("stk_sq", "x1"), 1e-12, "solve vector b");
    for (p, key) in [
        (None, "none"),
        (Some(NormOrd::P(1.0)), "1"),
        (Some(NormOrd::P(-1.0)), "m1"),
        (Some(NormOrd::P(2.0)), "2"),
        (Some(NormOrd::P(-2.0)), "m2"),
        (Some(NormOrd::Inf), "inf"),
        (Some(NormOrd::NegInf), "minf"),
        (Some(NormOrd::Fro), "fro"),
    ] {
        let c = stacked::cond(v.view(), p).unwrap();
        close(&c, &fxd("stk_sq", &format!("cond_{key}")), 1e-10, key);
    }
    close(
        &stacked::svdvals(v.view()).unwrap(),
        &fxd("stk_sq", "svdvals"),
        1e-12,
        "svdvals",
    );
    let l = stacked::eigvalsh(v.view(), Some(stacked::Uplo::Lower)).unwrap();
    close(&l, &fxd("stk_sq", "eigvalsh_l"), 1e-12, "eigvalsh L");
    let u = stacked::eigvalsh(v.view(), Some(stacked::Uplo::Upper)).unwrap();
    close(&u, &fxd("stk_sq", "eigvalsh_u"), 1e-12, "eigvalsh U");
    for (n, key) in [(-3, "m3"), (0, "0"), (5, "5"), (13, "13")] {
        let p = linalg::matrix_power(v.view(), n).unwrap();
        close(&p, &fxd("stk_sq", &format!("power_{key}")), 1e-11, key);
    }
}

#[test]
fn tall_and_spd_stacks_match_numpy() {
    let t = fxd("stk_tall", "a");
    close(
        &stacked::pinv(t.view(), None).unwrap(),
        &fxd("stk_tall", "pinv"),
        1e-12,
        "pinv",
    );
    let r = stacked::matrix_rank(t.view(), None, None).unwrap();
    assert_eq!(r.mapv(|x| x as f64), fxd("stk_tall", "rank"));
    // R is unique up to the signs of its rows.
    let got = stacked::qr(t.view(), QrMode::Reduced)
        .unwrap()
        .r
        .mapv(f64::abs);
    close(&got, &fxd("stk_tall", "r").mapv(f64::abs), 1e-12, "qr r");
    let spd = fxd("stk_spd", "a");
    close(
        &stacked::cholesky(spd.view(), false).unwrap(),
        &fxd("stk_spd", "l"),
        1e-12,
        "l",
    );
    close(
        &stacked::cholesky(spd.view(), true).unwrap(),
        &fxd("stk_spd", "u"),
        1e-12,
        "u",
    );
}

#[test]
fn products_and_tensors_match_numpy() {
    let arrays: Vec<ArrayD<f64>> = (0..5).map(|k| fxd("stk_chain", &format!("a{k}"))).collect();
    let views: Vec<_> = arrays.iter().map(|a| a.view()).collect();
    let p = linalg::multi_dot(&views).unwrap();
    assert_eq!(p.ndim(), 0, "vector ends give a scalar");
    close(&p, &fxd("stk_chain", "product"), 1e-12, "multi_dot");
    let p = linalg::multi_dot(&views[1..4]).unwrap();
    close(
        &p,
        &fxd("stk_chain", "product_mats"),
        1e-12,
        "multi_dot matrices",
    );
    assert!(linalg::multi_dot(&views[..1]).is_err());

    let x = linalg::tensorsolve(
        fxd("stk_tensor", "a").view(),
        fxd("stk_tensor", "b").view(),
        None,
    )
    .unwrap();
    close(&x, &fxd("stk_tensor", "x"), 1e-10, "tensorsolve");
    let inv = linalg::tensorinv(fxd("stk_tensor", "ia").view(), 2).unwrap();
    close(&inv, &fxd("stk_tensor", "inverse"), 1e-9, "tensorinv");
    let c = linalg::cross(
        fxd("stk_tensor", "c1").view(),
        fxd("stk_tensor", "c2").view(),
        -1,
    )
    .unwrap();
    close(&c, &fxd("stk_tensor", "cross"), 1e-14, "cross");
    let d = fxd("stk_tensor", "d");
    for (off, key) in [(-1, "m1"), (0, "0"), (2, "2")] {
        let g = linalg::diagonal(d.view(), off).unwrap();
        close(
            &g,
            &fxd("stk_tensor", &format!("diagonal_{key}")),
            0.0,
            "diagonal",
        );
        let t = linalg::trace(d.view(), off).unwrap();
        close(
            &t,
            &fxd("stk_tensor", &format!("trace_{key}")),
            1e-14,
            "trace",
        );
    }
    let ones = ArrayD::<f64>::ones(IxDyn(&[5, 2]));
    let t1 = linalg::tensordot(d.view(), ones.view(), &TensordotAxes::Count(1)).unwrap();
    close(&t1, &fxd("stk_tensor", "tensordot_1"), 1e-14, "tensordot 1");
    let tp = linalg::tensordot(
        d.view(),
        d.view(),
        &TensordotAxes::Pairs(vec![0, 2], vec![0, 2]),
    )
    .unwrap();
    close(
        &tp,
        &fxd("stk_tensor", "tensordot_pairs"),
        1e-13,
        "tensordot pairs",
    );
}

#[test]
fn norms_over_axes_match_numpy() {
    let a = fxd("stk_norm", "a");
    for (ord, key) in [
        (None, "none"),
        (Some(NormOrd::P(1.0)), "1"),
        (Some(NormOrd::P(-1.0)), "m1"),
        (Some(NormOrd::P(2.0)), "2"),
        (Some(NormOrd::P(-2.0)), "m2"),
        (Some(NormOrd::Inf), "inf"),
        (Some(NormOrd::NegInf), "minf"),
        (Some(NormOrd::Fro), "fro"),
        (Some(NormOrd::Nuc), "nuc"),
    ] {
        let n = linalg::norm_nd(a.view(), ord, Some(&[2, 0]), false).unwrap();
        close(&n, &fxd("stk_norm", &format!("m_{key}")), 1e-12, key);
    }
    for (ord, key) in [
        (None, "none"),
        (Some(NormOrd::P(0.0)), "0"),
        (Some(NormOrd::P(1.0)), "1"),
        (Some(NormOrd::P(-1.0)), "m1"),
        (Some(NormOrd::P(3.0)), "3"),
        (Some(NormOrd::Inf), "inf"),
        (Some(NormOrd::NegInf), "minf"),
    ] {
        let n = linalg::norm_nd(a.view(), ord, Some(&[1]), false).unwrap();
        close(&n, &fxd("stk_norm", &format!("v_{key}")), 1e-12, key);
        let k = linalg::norm_nd(a.view(), ord, Some(&[1]), true).unwrap();
        assert_eq!(k.shape(), &[2, 1, 4]);
    }
}

/// NumPy's results for inputs with a zero dimension (contract amendment 1).
#[test]
fn empty_inputs_follow_numpy() {
    let e00 = ArrayD::<f64>::zeros(IxDyn(&[0, 0]));
    assert_eq!(stacked::det(e00.view()).unwrap()[[]], 1.0);
    let s = stacked::slogdet(e00.view()).unwrap();
    assert_eq!((s.sign[[]], s.logabsdet[[]]), (1.0, 0.0));
    assert_eq!(stacked::inv(e00.view()).unwrap().shape(), &[0, 0]);
    let e011 = ArrayD::<f64>::zeros(IxDyn(&[0, 1, 1]));
    assert_eq!(stacked::inv(e011.view()).unwrap().shape(), &[0, 1, 1]);
    assert_eq!(
        stacked::eigvalsh(e011.view(), None).unwrap().shape(),
        &[0, 1]
    );
    assert_eq!(
        stacked::cholesky(e011.view(), false).unwrap().shape(),
        &[0, 1, 1]
    );
    let e40 = ArrayD::<f64>::zeros(IxDyn(&[4, 0]));
    let f = stacked::svd(e40.view(), true).unwrap();
    assert_eq!(f.u, Array2::<f64>::eye(4).into_dyn());
    assert_eq!((f.s.shape(), f.vt.shape()), (&[0][..], &[0, 0][..]));
    let f = stacked::svd(e40.view(), false).unwrap();
    assert_eq!((f.u.shape(), f.vt.shape()), (&[4, 0][..], &[0, 0][..]));
    let q = stacked::qr(e40.view(), QrMode::Complete).unwrap();
    assert_eq!(q.q, Array2::<f64>::eye(4).into_dyn());
    let (h, tau) = stacked::qr_raw(e40.view()).unwrap();
    assert_eq!((h.shape(), tau.shape()), (&[0, 4][..], &[0][..]));
    assert_eq!(stacked::pinv(e40.view(), None).unwrap().shape(), &[0, 4]);
    let r =
        stacked::matrix_rank(ArrayD::<f64>::zeros(IxDyn(&[3, 0, 5])).view(), None, None).unwrap();
    assert_eq!(r, array![0, 0, 0].into_dyn());
    assert!(
        stacked::cond(e00.view(), None).is_err(),
        "NumPy raises for cond of 0 × 0"
    );
    // solve: 0 × 0 systems and zero right-hand sides.
    let a = Array3::<f64>::zeros((2, 0, 0)).into_dyn();
    let b = Array3::<f64>::zeros((1, 0, 3)).into_dyn();
    assert_eq!(
        stacked::solve(a.view(), b.view()).unwrap().shape(),
        &[2, 0, 3]
    );
    let b1 = ArrayD::<f64>::zeros(IxDyn(&[0]));
    assert_eq!(
        stacked::solve(a.view(), b1.view()).unwrap().shape(),
        &[2, 0]
    );
    assert!(stacked::solve(a.view(), ArrayD::zeros(IxDyn(&[1, 3])).view()).is_err());
    assert_eq!(
        linalg::norm_nd(ArrayD::<f64>::zeros(IxDyn(&[0])).view(), None, None, false).unwrap()[[]],
        0.0
    );
}

#[test]
fn shape_errors_name_numpy_rules() {
    let v = ArrayD::<f64>::zeros(IxDyn(&[3]));
    let e = stacked::inv(v.view()).unwrap_err().to_string();
    assert!(e.contains("1-dimensional array given"), "{e}");
    let r = ArrayD::<f64>::zeros(IxDyn(&[2, 3, 2]));
    let e = linalg::matrix_power(r.view(), 1).unwrap_err().to_string();
    assert!(e.contains("must be square"), "{e}");
    let e = linalg::tensorinv(ArrayD::<f64>::ones(IxDyn(&[3, 3, 2])).view(), 1).unwrap_err();
    assert!(e.to_string().contains("not square"), "{e}");
    let e = linalg::tensorsolve(
        ArrayD::<f64>::ones(IxDyn(&[4, 6, 8, 2])).view(),
        ArrayD::<f64>::ones(IxDyn(&[4, 6])).view(),
        None,
    )
    .unwrap_err();
    assert!(e.to_string().contains("prod(a.shape[b.ndim:])"), "{e}");
    // A singular matrix anywhere in a stack fails the whole call, as NumPy.
    let mut s = Array3::<f64>::zeros((3, 2, 2));
    for k in [0, 2] {
        s[[k, 0, 0]] = 1.0;
        s[[k, 1, 1]] = 1.0;
    }
    assert!(stacked::inv(s.view().into_dyn()).is_err());
    // …but cond reports ∞ for the singular member only.
    let c = stacked::cond(s.view().into_dyn(), Some(NormOrd::P(1.0))).unwrap();
    assert_eq!(c, array![1.0, f64::INFINITY, 1.0].into_dyn());
}

/// A (count, n, n) stack of random, diagonally shifted matrices.
fn stack(count: usize, n: usize, seed: u64) -> Array3<f64> {
    let flat = common::normal(count * n, n, seed);
    let mut a = flat
        .into_shape_with_order((count, n, n))
        .expect("count · n rows");
    for mut m in a.outer_iter_mut() {
        for i in 0..n {
            m[[i, i]] += 2.0 * n as f64;
        }
    }
    a
}

proptest! {
    #![proptest_config(common::config())]

    /// Each matrix of a stack gives exactly what the 2-d routine gives for it alone (the
    /// parallel chunking changes nothing), and A · A⁻¹ ≈ I.
    #[test]
    fn stacks_equal_their_members(count in 1usize..40, n in 1usize..6, seed in 0u64..1000) {
        let a = stack(count, n, seed);
        let ad = a.view().into_dyn();
        let inv = stacked::inv(ad.view()).unwrap();
        let det = stacked::det(ad.view()).unwrap();
        let w = stacked::eigvalsh(ad.view(), Some(stacked::Uplo::Lower)).unwrap();
        for k in 0..count {
            let m = a.index_axis(Axis(0), k);
            let one = linalg::inv(m).unwrap();
            prop_assert_eq!(inv.index_axis(Axis(0), k), one.view().into_dyn());
            prop_assert_eq!(det[[k]], linalg::det(m).unwrap());
            let r = m.dot(&one) - Array2::<f64>::eye(n);
            prop_assert!(common::fro(&r) < 1e-10 * n as f64);
            // eigvalsh with UPLO=L is eigvalsh of the matrix mirrored from its lower half.
            let low = Array::from_shape_fn((n, n), |(i, j)| if i >= j { m[[i, j]] } else { m[[j, i]] });
            let want = linalg::eigvalsh(low.view()).unwrap();
            prop_assert_eq!(w.index_axis(Axis(0), k), want.view().into_dyn());
        }
    }

    /// matrix_power(A, p) · matrix_power(A, q) = matrix_power(A, p + q), with negative
    /// exponents through the inverse.
    #[test]
    fn matrix_power_adds_exponents(n in 1usize..5, p in -4i128..6, q in 0i128..6, seed in 0u64..500) {
        let a = stack(2, n, seed).mapv(|x| x / (3.0 * n as f64));
        let ad = a.view().into_dyn();
        let ap = linalg::matrix_power(ad.view(), p).unwrap();
        let aq = linalg::matrix_power(ad.view(), q).unwrap();
        let lhs = mlinalg::ops::matmul(ap.view(), aq.view()).unwrap();
        let rhs = linalg::matrix_power(ad.view(), p + q).unwrap();
        let d = common::fro(&(&lhs - &rhs)) / common::fro(&rhs).max(1.0);
        prop_assert!(d < 1e-10, "relative difference {d}");
    }

    /// The vector norm over axes flattens exactly those axes: it equals the norm of each
    /// flattened slice.
    #[test]
    fn vector_norm_over_axes_is_the_norm_of_slices(d0 in 1usize..4, d1 in 1usize..4, d2 in 1usize..4, seed in 0u64..100) {
        let x = common::normal(d0 * d1, d2, seed).into_shape_with_order((d0, d1, d2)).unwrap();
        let n = linalg::vector_norm(x.view().into_dyn(), None, Some(&[0, 2]), false).unwrap();
        prop_assert_eq!(n.shape(), &[d1]);
        for j in 0..d1 {
            let s = x.index_axis(Axis(1), j);
            let want = s.iter().map(|v| v * v).sum::<f64>().sqrt();
            prop_assert!((n[[j]] - want).abs() <= 1e-12 * want.max(1.0));
        }
    }
}

/// The `f64` stack path (one copy, factored in place, parallel in chunks): every matrix of
/// a large stack of small SPD matrices, and of a strided view, equals `linalg::cholesky`
/// of that matrix alone, bit for bit; `upper` gives the transposes; one indefinite matrix
/// anywhere in the stack, or one NaN, is the whole call's error, as NumPy raises.
#[test]
fn cholesky_stack_of_many_small_matrices_equals_each_alone() {
    // (orders up to 32 run in lane groups of 8 matrices, the last group of 1003 or 13
    // alone; 33 one matrix at a time)
    for (count, n) in [(5000, 4), (1003, 32), (13, 5), (300, 33)] {
        cholesky_stack_case(count, n);
    }
}

fn cholesky_stack_case(count: usize, n: usize) {
    let g = mlinalg::random::randn2(count * n, n, 7);
    let mut a = Array3::<f64>::zeros((count, n, n));
    for (i, mut m) in a.outer_iter_mut().enumerate() {
        let gi = g.slice(ndarray::s![i * n..(i + 1) * n, ..]);
        m.assign(&(gi.dot(&gi.t()) + Array2::<f64>::eye(n)));
    }
    // a strided view: every other matrix, each transposed (still symmetric)
    let strided = a.slice(ndarray::s![..;2, .., ..]).permuted_axes([0, 2, 1]);
    for (stack, what) in [(a.view(), "contiguous"), (strided, "strided")] {
        let l = stacked::cholesky(stack.into_dyn(), false).unwrap();
        let u = stacked::cholesky(stack.into_dyn(), true).unwrap();
        assert_eq!(l.shape(), stack.shape(), "{what}");
        for i in 0..stack.shape()[0] {
            let want = linalg::cholesky(stack.index_axis(Axis(0), i)).unwrap();
            let got = l.index_axis(Axis(0), i);
            assert_eq!(got, want.view().into_dyn(), "{what}: matrix {i}");
            let got_u = u.index_axis(Axis(0), i);
            assert_eq!(got_u, want.t().into_dyn(), "{what}: U of matrix {i}");
        }
    }
    let mut bad = a.clone();
    bad[[count * 2 / 3, 2, 2]] = -5.0;
    let e = stacked::cholesky(bad.view().into_dyn(), false).unwrap_err();
    assert!(
        matches!(e, mlinalg::Error::NotPositiveDefinite { .. }),
        "{e}"
    );
    let mut nan = a.clone();
    nan[[count - 1, 0, 3]] = f64::NAN;
    let e = stacked::cholesky(nan.view().into_dyn(), false).unwrap_err();
    assert!(matches!(e, mlinalg::Error::NonFinite { .. }), "{e}");
    // a matrix that is not positive definite before a NaN one: the NaN is still the error
    // (the stack is checked finite first), whichever task meets its matrix first
    let mut both = bad.clone();
    both[[count - 1, 1, 1]] = f64::INFINITY;
    let e = stacked::cholesky(both.view().into_dyn(), true).unwrap_err();
    assert!(matches!(e, mlinalg::Error::NonFinite { .. }), "{e}");
}

/// A stack of `count` random `n × n` matrices with the hard cases of the small-LU path in
/// it: an exactly singular matrix, a rank-deficient one (a repeated column, where rounding
/// leaves a tiny pivot), and matrices whose magnitudes need the power-of-two scaling.
fn lu_stack(count: usize, n: usize, seed: u64) -> Array3<f64> {
    let g = mlinalg::random::randn2(count * n, n, seed);
    let mut a = Array3::<f64>::zeros((count, n, n));
    for (i, mut m) in a.outer_iter_mut().enumerate() {
        m.assign(&g.slice(ndarray::s![i * n..(i + 1) * n, ..]));
    }
    if count > 4 {
        a.index_axis_mut(Axis(0), 1).fill(0.0);
        if n > 1 {
            let c0 = a.slice(ndarray::s![2, .., 0]).to_owned();
            a.slice_mut(ndarray::s![2, .., n - 1]).assign(&c0);
        }
        a.index_axis_mut(Axis(0), 3).mapv_inplace(|v| v * 1e-300);
        a.index_axis_mut(Axis(0), 4).mapv_inplace(|v| v * 1e250);
    }
    a
}

/// `inv`, `solve`, `det` and `slogdet` of stacks of small f64 matrices (the path that
/// factors each matrix in reused buffers) give, bit for bit, what the 2-D functions give
/// for each matrix alone, for contiguous, strided and broadcast input; NumPy's errors for
/// a singular or non-finite matrix anywhere in the stack.
#[test]
fn lu_stacks_of_small_matrices_equal_each_alone() {
    for n in [1usize, 2, 3, 4, 5, 8, 16, 32, 33] {
        let count = if n <= 8 { 3000 } else { 40 };
        let a = lu_stack(count, n, 11 + n as u64);
        let b = mlinalg::random::randn2(count * n, 3, 5);
        let b = b.into_shape_with_order((count, n, 3)).unwrap();
        let strided = a.slice(ndarray::s![..;2, .., ..]).permuted_axes([0, 2, 1]);
        let b_strided = b.slice(ndarray::s![..;2, .., ..]);
        for (stack, rhs, what) in [
            (a.view(), b.view(), "contiguous"),
            (strided, b_strided, "strided"),
        ] {
            let what = format!("{what}, n = {n}");
            let d = stacked::det(stack.into_dyn()).unwrap();
            let s = stacked::slogdet(stack.into_dyn()).unwrap();
            for i in 0..stack.shape()[0] {
                let x = stack.index_axis(Axis(0), i);
                assert_eq!(
                    d[[i]].to_bits(),
                    linalg::det(x).unwrap().to_bits(),
                    "{what}: det {i}"
                );
                let want = linalg::slogdet(x).unwrap();
                assert_eq!(s.sign[[i]], want.sign, "{what}: sign {i}");
                assert_eq!(s.logabsdet[[i]], want.logabsdet, "{what}: logabsdet {i}");
            }
            // inv and solve raise on the singular matrices: leave them out
            let regular: Vec<usize> = (0..stack.shape()[0])
                .filter(|&i| linalg::inv(stack.index_axis(Axis(0), i)).is_ok())
                .collect();
            assert!(regular.len() + 2 >= stack.shape()[0], "{what}");
            let sub = stack.select(Axis(0), &regular);
            let rhs = rhs.select(Axis(0), &regular);
            let inv = stacked::inv(sub.view().into_dyn()).unwrap();
            let x = stacked::solve(sub.view().into_dyn(), rhs.view().into_dyn()).unwrap();
            let v = rhs.index_axis(Axis(2), 0);
            let xv = stacked::solve(
                sub.view().into_dyn(),
                v.slice(ndarray::s![0, ..]).into_dyn(),
            )
            .unwrap();
            assert_eq!(xv.shape(), &[regular.len(), n], "{what}");
            for j in 0..regular.len() {
                let m = sub.index_axis(Axis(0), j);
                assert_eq!(
                    inv.index_axis(Axis(0), j),
                    linalg::inv(m).unwrap().into_dyn(),
                    "{what}: inv {j}"
                );
                let want = linalg::solve(m, &rhs.index_axis(Axis(0), j)).unwrap();
                assert_eq!(
                    x.index_axis(Axis(0), j),
                    want.into_dyn(),
                    "{what}: solve {j}"
                );
                let want = linalg::solve(m, &v.index_axis(Axis(0), 0)).unwrap();
                assert_eq!(
                    xv.index_axis(Axis(0), j),
                    want.into_dyn(),
                    "{what}: solve (M,) {j}"
                );
            }
            // one right-hand side stack broadcast against all the matrices
            let one = rhs.slice(ndarray::s![..1, .., ..]);
            let xb = stacked::solve(sub.view().into_dyn(), one.into_dyn()).unwrap();
            assert_eq!(xb.shape(), &[regular.len(), n, 3], "{what}");
            let j = regular.len() - 1;
            let want =
                linalg::solve(sub.index_axis(Axis(0), j), &one.index_axis(Axis(0), 0)).unwrap();
            assert_eq!(
                xb.index_axis(Axis(0), j),
                want.into_dyn(),
                "{what}: broadcast solve"
            );
        }
        if count > 4 {
            // the zero matrix (index 1) and the repeated column (index 2) are singular
            for bad in [1usize, 2] {
                if n == 1 && bad == 2 {
                    continue;
                }
                let one = a.slice(ndarray::s![bad..bad + 1, .., ..]);
                let e = stacked::inv(one.into_dyn()).unwrap_err();
                assert!(
                    matches!(e, mlinalg::Error::Singular { op: "inv" }),
                    "n = {n}: {e}"
                );
                let e =
                    stacked::solve(one.into_dyn(), b.slice(ndarray::s![..1, .., ..]).into_dyn())
                        .unwrap_err();
                assert!(
                    matches!(e, mlinalg::Error::Singular { op: "solve" }),
                    "n = {n}: {e}"
                );
                assert_eq!(stacked::det(one.into_dyn()).unwrap()[[0]], 0.0, "n = {n}");
                let s = stacked::slogdet(one.into_dyn()).unwrap();
                assert_eq!(
                    (s.sign[[0]], s.logabsdet[[0]]),
                    (0.0, f64::NEG_INFINITY),
                    "n = {n}"
                );
            }
        }
        // (from matrix 5 on: the general path, n > 32, meets the singular ones first)
        let a = a.slice(ndarray::s![5.., .., ..]).to_owned();
        let b = b.slice(ndarray::s![5.., .., ..]).to_owned();
        let count = count - 5;
        let mut nan = a.clone();
        nan[[count - 1, 0, n - 1]] = f64::NAN;
        for e in [
            stacked::inv(nan.view().into_dyn()).unwrap_err(),
            stacked::det(nan.view().into_dyn()).unwrap_err(),
            stacked::solve(nan.view().into_dyn(), b.view().into_dyn()).unwrap_err(),
        ] {
            assert!(
                matches!(e, mlinalg::Error::NonFinite { .. }),
                "n = {n}: {e}"
            );
        }
        let mut inf_b = b.clone();
        inf_b[[count - 1, n - 1, 2]] = f64::INFINITY;
        let e = stacked::solve(a.view().into_dyn(), inf_b.view().into_dyn()).unwrap_err();
        assert!(
            matches!(e, mlinalg::Error::NonFinite { .. }),
            "n = {n}: {e}"
        );
    }
}
