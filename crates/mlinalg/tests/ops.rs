//! `mlinalg::ops`: NumPy `@` semantics, GEMM, broadcasting element-wise ops, trace, transpose.

use mlinalg::ops::{
    add, broadcast_shapes, div, hadamard, matmul, matmul_2d, matvec, outer, sub, trace, transpose,
};
use ndarray::{Array, Array1, Array2, ArrayD, IxDyn, ShapeBuilder, array};
use proptest::prelude::*;

use crate::common::{self, assert_close, assert_err_contains, normal};

/// An n-d array with entries 0, 1, 2, … (then shifted) in C order.
fn arange(shape: &[usize], shift: f64) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    Array::from_shape_vec(
        IxDyn(shape),
        (0..n).map(|i| i as f64 * 0.5 + shift).collect(),
    )
    .expect("shape")
}

/// Reference `@` for batch × batch with broadcasting (`a`, `b` at least 2-d).
fn naive_batched(a: &ArrayD<f64>, b: &ArrayD<f64>) -> ArrayD<f64> {
    let (ra, rb) = (a.ndim(), b.ndim());
    let (m, k, n) = (a.shape()[ra - 2], a.shape()[ra - 1], b.shape()[rb - 1]);
    assert_eq!(k, b.shape()[rb - 2]);
    let batch = broadcast_shapes("test", &a.shape()[..ra - 2], &b.shape()[..rb - 2]).unwrap();
    let mut out_shape = batch.clone();
    out_shape.extend([m, n]);
    let mut out = ArrayD::<f64>::zeros(IxDyn(&out_shape));
    let nb: usize = batch.iter().product();
    for flat in 0..nb {
        // unravel the batch index and map it into each operand (size-1 axes broadcast)
        let mut idx = vec![0usize; batch.len()];
        let mut rem = flat;
        for ax in (0..batch.len()).rev() {
            idx[ax] = rem % batch[ax];
            rem /= batch[ax];
        }
        let pick = |shape: &[usize]| -> Vec<usize> {
            let off = batch.len() - (shape.len() - 2);
            (0..shape.len() - 2)
                .map(|i| if shape[i] == 1 { 0 } else { idx[off + i] })
                .collect()
        };
        let (ia, ib) = (pick(a.shape()), pick(b.shape()));
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0;
                for p in 0..k {
                    let mut ea = ia.clone();
                    ea.extend([i, p]);
                    let mut eb = ib.clone();
                    eb.extend([p, j]);
                    s += a[IxDyn(&ea)] * b[IxDyn(&eb)];
                }
                let mut eo = idx.clone();
                eo.extend([i, j]);
                out[IxDyn(&eo)] = s;
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------ matmul_2d

#[test]
fn matmul_2d_worked_example() {
    let a = array![[1., 2., 3.], [4., 5., 6.]];
    let b = array![[7., 8.], [9., 10.], [11., 12.]];
    assert_eq!(
        matmul_2d(a.view(), b.view()).unwrap(),
        array![[58., 64.], [139., 154.]]
    );
}

/// The former name still compiles (deprecated) and is the same function.
#[test]
#[allow(deprecated)]
fn matmul2_is_a_deprecated_alias_of_matmul_2d() {
    let a = array![[1., 2.], [3., 4.], [5., 6.]];
    let b = array![[1., -1., 0.5], [2., 0.25, -3.]];
    let got = mlinalg::ops::matmul2(a.view(), b.view()).unwrap();
    assert_eq!(got, matmul_2d(a.view(), b.view()).unwrap());
    assert_eq!(got[[2, 2]], 5. * 0.5 + 6. * -3.);
    assert_eq!(
        mlinalg::ops::matmul2(a.view(), a.view())
            .unwrap_err()
            .to_string(),
        matmul_2d(a.view(), a.view()).unwrap_err().to_string()
    );
}

#[test]
fn matmul_2d_inner_mismatch_message_is_exact() {
    let a = array![[1., 2., 3.], [4., 5., 6.]];
    let e = matmul_2d(a.view(), a.view()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2"
    );
    let e = matmul(a.view().into_dyn(), a.view().into_dyn()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2"
    );
}

#[test]
fn matmul_2d_with_zero_sized_dimensions() {
    // NumPy: (2, 0) @ (0, 3) is a (2, 3) matrix of zeros; (0, 3) @ (3, 2) is (0, 2).
    let c = matmul_2d(
        Array2::<f64>::zeros((2, 0)).view(),
        Array2::<f64>::zeros((0, 3)).view(),
    );
    assert_eq!(c.unwrap(), Array2::<f64>::zeros((2, 3)));
    let c = matmul_2d(
        Array2::<f64>::zeros((0, 3)).view(),
        Array2::<f64>::ones((3, 2)).view(),
    );
    assert_eq!(c.unwrap().shape(), &[0, 2]);
}

#[test]
fn matmul_2d_of_transposed_and_sliced_views() {
    let a = normal(7, 5, 1);
    let b = normal(7, 4, 2);
    let c = matmul_2d(a.t(), b.view()).unwrap();
    assert_close!(c, a.t().dot(&b), rtol = 1e-12, atol = 1e-12);
    let s = a.slice(ndarray::s![..;2, 1..]);
    let c = matmul_2d(s, b.slice(ndarray::s![..4, ..]).t().t()).unwrap();
    assert_close!(
        c,
        s.dot(&b.slice(ndarray::s![..4, ..])),
        rtol = 1e-12,
        atol = 1e-12
    );
}

#[test]
fn matvec_and_its_mismatch() {
    let a = array![[1., 2.], [3., 4.], [5., 6.]];
    assert_eq!(
        matvec(a.view(), array![1., -1.].view()).unwrap(),
        array![-1., -1., -1.]
    );
    let msg = assert_err_contains(matvec(a.view(), array![1., 2., 3.].view()), "matmul");
    assert!(msg.contains("(3, 2)") && msg.contains("(3,)"), "{msg}");
}

// ------------------------------------------------------------------- matmul: NumPy `@`

#[test]
fn matmul_1d_at_1d_is_a_0d_inner_product() {
    let v = array![1., 2., 3.].into_dyn();
    let r = matmul(v.view(), v.view()).unwrap();
    assert_eq!(r.shape(), &[] as &[usize]);
    assert_eq!(r.sum(), 14.0);
}

#[test]
fn matmul_2d_at_1d_and_1d_at_2d() {
    let a = array![[1., 2., 3.], [4., 5., 6.]].into_dyn();
    let r = matmul(a.view(), array![1., 0., -1.].into_dyn().view()).unwrap();
    assert_eq!(r, array![-2., -2.].into_dyn());
    let r = matmul(array![1., -1.].into_dyn().view(), a.view()).unwrap();
    assert_eq!(r, array![-3., -3., -3.].into_dyn());
}

#[test]
fn matmul_1d_mismatches_name_both_shapes() {
    let a = array![[1., 2., 3.], [4., 5., 6.]].into_dyn();
    let v2 = array![1., 2.].into_dyn();
    let v3 = array![1., 2., 3.].into_dyn();
    let msg = assert_err_contains(matmul(a.view(), v2.view()), "matmul");
    assert!(msg.contains("(2, 3)") && msg.contains("(2,)"), "{msg}");
    let msg = assert_err_contains(matmul(v3.view(), a.view()), "matmul");
    assert!(msg.contains("(3,)") && msg.contains("(2, 3)"), "{msg}");
    let msg = assert_err_contains(matmul(v2.view(), v3.view()), "matmul");
    assert!(msg.contains("(2,)") && msg.contains("(3,)"), "{msg}");
}

#[test]
fn matmul_rejects_0d_operands() {
    let s = ArrayD::from_elem(IxDyn(&[]), 2.0);
    let v = array![1., 2.].into_dyn();
    assert_err_contains(matmul(s.view(), v.view()), "matmul");
    assert_err_contains(matmul(v.view(), s.view()), "matmul");
}

#[test]
fn matmul_nd_at_2d_applies_to_every_matrix_of_the_batch() {
    let a = arange(&[2, 3, 4, 3], 1.0);
    let w = arange(&[3, 5], -2.0);
    let r = matmul(a.view(), w.view()).unwrap();
    assert_eq!(r.shape(), &[2, 3, 4, 5]);
    assert_close!(r, naive_batched(&a, &w), rtol = 1e-14, atol = 1e-12);
}

#[test]
fn matmul_nd_at_1d_and_1d_at_nd() {
    let a = arange(&[2, 4, 3], 0.0);
    let v = array![1., -2., 0.5].into_dyn();
    let r = matmul(a.view(), v.view()).unwrap();
    assert_eq!(r.shape(), &[2, 4]);
    let want = naive_batched(
        &a,
        &v.clone().into_shape_with_order(IxDyn(&[3, 1])).unwrap(),
    );
    assert_close!(
        r,
        want.into_shape_with_order(IxDyn(&[2, 4])).unwrap(),
        rtol = 1e-14
    );

    let b = arange(&[2, 3, 4], 1.0);
    let r = matmul(v.view(), b.view()).unwrap();
    assert_eq!(r.shape(), &[2, 4]);
    let want = naive_batched(
        &v.clone().into_shape_with_order(IxDyn(&[1, 3])).unwrap(),
        &b,
    );
    assert_close!(
        r,
        want.into_shape_with_order(IxDyn(&[2, 4])).unwrap(),
        rtol = 1e-14
    );
}

#[test]
fn matmul_broadcasts_batch_axes() {
    let a = arange(&[2, 1, 2, 3], 0.0);
    let b = arange(&[4, 3, 5], 1.0);
    let r = matmul(a.view(), b.view()).unwrap();
    assert_eq!(r.shape(), &[2, 4, 2, 5]);
    assert_close!(r, naive_batched(&a, &b), rtol = 1e-14, atol = 1e-12);
    // 2-d @ n-d also broadcasts
    let m = arange(&[2, 3], 0.0);
    let r = matmul(m.view(), b.view()).unwrap();
    assert_eq!(r.shape(), &[4, 2, 5]);
    assert_close!(r, naive_batched(&m, &b), rtol = 1e-14, atol = 1e-12);
}

#[test]
fn matmul_batch_axes_that_do_not_broadcast_are_an_error() {
    let a = arange(&[2, 2, 3], 0.0);
    let b = arange(&[3, 3, 2], 0.0);
    let msg = assert_err_contains(matmul(a.view(), b.view()), "matmul");
    assert!(
        msg.contains("(2, 2, 3)") && msg.contains("(3, 3, 2)"),
        "{msg}"
    );
}

#[test]
fn matmul_with_zero_sized_axes() {
    // NumPy: an empty batch stays empty; an empty inner dimension gives zeros
    let r = matmul(arange(&[0, 2, 3], 0.0).view(), arange(&[3, 4], 0.0).view()).unwrap();
    assert_eq!(r.shape(), &[0, 2, 4]);
    let r = matmul(arange(&[2, 3, 0], 0.0).view(), arange(&[0, 4], 0.0).view()).unwrap();
    assert_eq!(r, ArrayD::<f64>::zeros(IxDyn(&[2, 3, 4])));
    let e = arange(&[0], 0.0);
    let r = matmul(e.view(), e.view()).unwrap();
    assert_eq!((r.shape(), r.sum()), (&[] as &[usize], 0.0));
}

#[test]
fn matmul_nd_inner_mismatch() {
    let a = arange(&[2, 4, 3], 0.0);
    let w = arange(&[4, 5], 0.0);
    let e = matmul(a.view(), w.view()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (2, 4, 3) @ (4, 5): 3 != 4"
    );
}

#[test]
fn results_too_large_to_allocate_are_errors_not_aborts() {
    // (2²⁰, 1) @ (1, 2²⁰) would be 2⁴⁰ elements (8 TiB): refuse before allocating
    let col = ArrayD::<f64>::zeros(IxDyn(&[1 << 20, 1]));
    let row = ArrayD::<f64>::zeros(IxDyn(&[1, 1 << 20]));
    let msg = assert_err_contains(matmul(col.view(), row.view()), "matmul");
    assert!(msg.contains("1048576"), "{msg}");
    // broadcasting (2²⁰, 1) ⊙ (2²⁰,) is just as large
    let flat = ArrayD::<f64>::zeros(IxDyn(&[1 << 20]));
    assert_err_contains(hadamard(col.view(), flat.view()), "hadamard");
    assert_err_contains(add(col.view(), flat.view()), "add");
}

#[test]
fn matmul_and_elementwise_accept_any_memory_layout() {
    // a batch in Fortran order, a reversed-stride matrix and a stepped slice
    let a = arange(&[2, 3, 4], 0.25);
    let mut af = ArrayD::<f64>::zeros(IxDyn(&[2, 3, 4]).f());
    af.assign(&a);
    let w = arange(&[4, 5], -1.0);
    let wrev_store = w.slice(ndarray::s![..;-1, ..;-1]).to_owned();
    let wrev = wrev_store.slice(ndarray::s![..;-1, ..;-1]);
    let mut wbig = ArrayD::<f64>::from_elem(IxDyn(&[8, 10]), f64::NAN);
    wbig.slice_mut(ndarray::s![..;2, ..;2]).assign(&w);
    let wstep = wbig.slice(ndarray::s![..;2, ..;2]);
    let want = naive_batched(&a, &w);
    for lhs in [a.view(), af.view()] {
        for rhs in [w.view(), wrev.into_dyn(), wstep.into_dyn()] {
            let got = matmul(lhs.clone(), rhs).unwrap();
            assert_close!(got, want, rtol = 1e-14, atol = 1e-12);
        }
    }
    // element-wise: the result follows logical (C) order whatever the inputs' layout
    let h = hadamard(af.view(), a.view()).unwrap();
    assert_close!(h, a.mapv(|x| x * x));
    let row = arange(&[4], 1.0);
    let s = add(af.view(), row.view()).unwrap();
    assert_eq!(s[[1, 2, 3]], a[[1, 2, 3]] + row[[3]]);
    let t = transpose(af.view());
    assert_eq!(t.shape(), &[4, 3, 2]);
    assert_eq!(t[[3, 2, 1]], a[[1, 2, 3]]);
}

#[test]
fn vector_ops_accept_strided_views() {
    let m = normal(6, 4, 9);
    let (c0, c1) = (m.column(0), m.column(1));
    let d = mlinalg::vector::dot(c0, c1).unwrap();
    assert_close!(d, c0.to_owned().dot(&c1.to_owned()), rtol = 1e-14);
    let o = outer(c0, m.row(2));
    assert_eq!(o.dim(), (6, 4));
    assert_eq!(o[[5, 3]], m[[5, 0]] * m[[2, 3]]);
    let rev = m.slice(ndarray::s![..;-1, 0]);
    let n = mlinalg::vector::norm_l2(rev);
    assert_close!(n, c0.dot(&c0).sqrt(), rtol = 1e-14);
}

// --------------------------------------------------------------------- element-wise ops

#[test]
fn elementwise_ops_broadcast_like_numpy() {
    let a = array![[1., 2., 3.], [4., 5., 6.]].into_dyn();
    let row = array![10., 20., 30.].into_dyn();
    let col = array![[2.], [4.]].into_dyn();
    assert_eq!(
        hadamard(a.view(), row.view()).unwrap(),
        array![[10., 40., 90.], [40., 100., 180.]].into_dyn()
    );
    assert_eq!(
        add(a.view(), col.view()).unwrap(),
        array![[3., 4., 5.], [8., 9., 10.]].into_dyn()
    );
    assert_eq!(
        sub(row.view(), a.view()).unwrap(),
        array![[9., 18., 27.], [6., 15., 24.]].into_dyn()
    );
    assert_eq!(
        div(a.view(), col.view()).unwrap(),
        array![[0.5, 1., 1.5], [1., 1.25, 1.5]].into_dyn()
    );
    // (2, 1) with (1, 3) → (2, 3); a 0-d scalar broadcasts against anything
    let r = hadamard(col.view(), array![[1., 2., 3.]].into_dyn().view()).unwrap();
    assert_eq!(r, array![[2., 4., 6.], [4., 8., 12.]].into_dyn());
    let s = ArrayD::from_elem(IxDyn(&[]), 3.0);
    assert_eq!(
        hadamard(s.view(), row.view()).unwrap(),
        array![30., 60., 90.].into_dyn()
    );
    // IEEE division
    let z = div(
        array![1., -1., 0.].into_dyn().view(),
        array![0., 0., 0.].into_dyn().view(),
    )
    .unwrap();
    assert_eq!(z[0], f64::INFINITY);
    assert_eq!(z[1], f64::NEG_INFINITY);
    assert!(z[2].is_nan());
}

#[test]
fn broadcast_errors_name_both_shapes() {
    let a = ArrayD::<f64>::zeros(IxDyn(&[2, 3]));
    let b = ArrayD::<f64>::zeros(IxDyn(&[4]));
    for (op, r) in [
        ("hadamard", hadamard(a.view(), b.view())),
        ("add", add(a.view(), b.view())),
        ("sub", sub(a.view(), b.view())),
        ("div", div(a.view(), b.view())),
    ] {
        let msg = assert_err_contains(r, op);
        assert!(msg.starts_with(op), "{msg}");
        assert!(msg.contains("(2, 3)") && msg.contains("(4,)"), "{msg}");
    }
}

#[test]
fn broadcast_shapes_rules() {
    assert_eq!(
        broadcast_shapes("add", &[8, 1, 6, 1], &[7, 1, 5]).unwrap(),
        vec![8, 7, 6, 5]
    );
    assert_eq!(broadcast_shapes("add", &[], &[3]).unwrap(), vec![3]);
    assert_eq!(broadcast_shapes("add", &[0], &[1]).unwrap(), vec![0]);
    assert_eq!(broadcast_shapes("add", &[5, 4], &[1]).unwrap(), vec![5, 4]);
    let msg = assert_err_contains(broadcast_shapes("add", &[3, 2], &[3]), "add");
    assert!(msg.contains("(3, 2)") && msg.contains("(3,)"), "{msg}");
}

// ------------------------------------------------------------------- outer, trace, .T

#[test]
fn outer_trace_transpose() {
    let o = outer(array![1., 2.].view(), array![3., 4., 5.].view());
    assert_eq!(o, array![[3., 4., 5.], [6., 8., 10.]]);
    assert_eq!(
        outer(Array1::zeros(0).view(), array![1.].view()).shape(),
        &[0, 1]
    );
    assert_eq!(trace(array![[1., 2.], [3., 4.]].view()), 5.0);
    // NumPy trace of a non-square matrix sums the main diagonal
    assert_eq!(trace(array![[1., 2., 3.], [4., 5., 6.]].view()), 6.0);
    let t = transpose(array![[1., 2., 3.], [4., 5., 6.]].into_dyn().view());
    assert_eq!(t, array![[1., 4.], [2., 5.], [3., 6.]].into_dyn());
    let v = array![1., 2.].into_dyn();
    assert_eq!(transpose(v.view()), v);
    let c = arange(&[2, 3, 4], 0.0);
    let ct = transpose(c.view());
    assert_eq!(ct.shape(), &[4, 3, 2]);
    assert_eq!(ct[[3, 1, 0]], c[[0, 1, 3]]);
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn matmul_2d_matches_reference(m in 1usize..=12, k in 1usize..=12, n in 1usize..=12, seed: u64) {
        let a = normal(m, k, seed);
        let b = normal(k, n, seed ^ 0x5555);
        let c = matmul_2d(a.view(), b.view())?;
        let want = a.dot(&b);
        let scale = common::fro(&a) * common::fro(&b);
        prop_assert!(common::fro(&(&c - &want)) <= 8.0 * k as f64 * common::EPS * scale);
        // `matmul` of the same 2-d operands agrees
        let cd = matmul(a.view().into_dyn(), b.view().into_dyn())?;
        prop_assert_eq!(cd.shape(), &[m, n]);
        prop_assert!(common::fro(&(&cd - &want.into_dyn())) <= 8.0 * k as f64 * common::EPS * scale);
    }

    #[test]
    fn transpose_of_product(m in 1usize..=8, k in 1usize..=8, n in 1usize..=8, seed: u64) {
        // (AB)ᵀ = BᵀAᵀ
        let a = normal(m, k, seed);
        let b = normal(k, n, seed ^ 1);
        let ab_t = transpose(matmul_2d(a.view(), b.view())?.into_dyn().view());
        let bt_at = matmul_2d(b.t(), a.t())?;
        let scale = common::fro(&a) * common::fro(&b);
        prop_assert!(common::fro(&(&ab_t - &bt_at.into_dyn())) <= 8.0 * k as f64 * common::EPS * scale);
        // trace(AB) = trace(BA) for square products
        let c = normal(k, m, seed ^ 2);
        let t1 = trace(matmul_2d(a.view(), c.view())?.view());
        let t2 = trace(matmul_2d(c.view(), a.view())?.view());
        prop_assert!((t1 - t2).abs() <= 1e-12 * (common::fro(&a) * common::fro(&c)).max(1.0));
    }
}

/// `matmul_2d` and `matmul` on `f32` (issue 12) against the textbook triple loop in `f64` on
/// the same (rounded) operands: `|c − ref| ≤ (k + 2)·ε₃₂·Σ|a b|` per element, at sizes
/// past the kernels' micro-tiles and cache blocks (k up to 1100, the f32 `kc` being 512);
/// `matmul` of a stack goes through the same product.
#[test]
fn f32_matmul_matches_the_f64_triple_loop() {
    use ndarray::Array3;
    let eps = f64::from(f32::EPSILON);
    for &(m, k, n) in &[
        (1, 1, 1),
        (49, 7, 9),
        (130, 513, 70),
        (97, 1100, 33),
        (300, 64, 1),
    ] {
        let a = crate::common::normal(m, k, 3).mapv(|v| v as f32);
        let b = crate::common::normal(k, n, 4).mapv(|v| v as f32);
        let c = mlinalg::ops::matmul_2d(a.view(), b.view()).unwrap();
        for i in 0..m {
            for j in 0..n {
                let (mut sum, mut abs) = (0.0f64, 0.0f64);
                for p in 0..k {
                    let x = f64::from(a[[i, p]]) * f64::from(b[[p, j]]);
                    sum += x;
                    abs += x.abs();
                }
                let tol = (k as f64 + 2.0) * eps * abs;
                assert!(
                    (f64::from(c[[i, j]]) - sum).abs() <= tol,
                    "({m},{k},{n}) [{i},{j}]: {} vs {sum}",
                    c[[i, j]]
                );
            }
        }
        // a transposed view gives the transposed product, in f32
        let ct = mlinalg::ops::matmul_2d(b.t(), a.t()).unwrap();
        for ((i, j), v) in ct.indexed_iter() {
            let d = (f64::from(*v) - f64::from(c[[j, i]])).abs();
            assert!(d <= 2.0 * (k as f64 + 2.0) * eps * f64::from(c[[j, i]].abs()).max(1.0));
        }
    }
    // a (2, 5, 4) stack @ (4, 3): one product per matrix
    let s = Array3::from_shape_fn((2, 5, 4), |(b, i, j)| (b * 20 + i * 4 + j) as f32 * 0.25);
    let w = crate::common::normal(4, 3, 9).mapv(|v| v as f32);
    let out = mlinalg::ops::matmul(s.view().into_dyn(), w.view().into_dyn()).unwrap();
    assert_eq!(out.shape(), &[2, 5, 3]);
    for bi in 0..2 {
        let want = mlinalg::ops::matmul_2d(s.index_axis(ndarray::Axis(0), bi), w.view()).unwrap();
        let got = out.index_axis(ndarray::Axis(0), bi);
        for (g, w) in got.iter().zip(want.iter()) {
            assert!(
                (g - w).abs() <= 8.0 * f32::EPSILON * w.abs().max(1.0),
                "{g} vs {w}"
            );
        }
    }
}
