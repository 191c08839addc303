//! `mlinalg::nn`: activations (stability at ±1000), seeded initialisers, Dense and
//! Sequential shapes, the shape trace and chain validation.

use mlinalg::Error;
use mlinalg::nn::{
    Activation, Dense, Init, Sequential, he_normal, relu, sigmoid, softmax, tanh, xavier_uniform,
};
use mlinalg::random::{randn2, rng};
use ndarray::{Array1, Array2, array};
use proptest::prelude::*;

use crate::common;

fn net(rng_seed: u64) -> Sequential {
    let mut r = rng(rng_seed);
    Sequential::new(vec![
        Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut r).unwrap(),
        Dense::new(64, 32, Activation::Tanh, Init::XavierUniform, &mut r).unwrap(),
        Dense::new(32, 3, Activation::Softmax, Init::XavierUniform, &mut r).unwrap(),
    ])
}

#[test]
fn shape_trace_prints_one_line_per_step() {
    let (y, trace) = net(0).forward_traced(randn2(32, 10, 1).view()).unwrap();
    assert_eq!(y.dim(), (32, 3));
    assert_eq!(
        trace.lines(),
        vec![
            "(32, 10) @ (10, 64) + (64,) → (32, 64)",
            "relu → (32, 64)",
            "(32, 64) @ (64, 32) + (32,) → (32, 32)",
            "tanh → (32, 32)",
            "(32, 32) @ (32, 3) + (3,) → (32, 3)",
            "softmax → (32, 3)",
        ]
    );
    assert_eq!(trace.to_string(), trace.lines().join("\n"));
}

#[test]
fn identity_layers_print_no_activation_line() {
    let mut r = rng(0);
    let n = Sequential::new(vec![
        Dense::new(3, 2, Activation::Identity, Init::HeNormal, &mut r).unwrap(),
    ]);
    let (_, trace) = n.forward_traced(Array2::zeros((5, 3)).view()).unwrap();
    assert_eq!(trace.lines(), vec!["(5, 3) @ (3, 2) + (2,) → (5, 2)"]);
}

#[test]
fn forward_works_on_any_batch_size_and_rows_are_independent() {
    let n = net(3);
    let x = randn2(17, 10, 4);
    let y = n.forward(x.view()).unwrap();
    for b in [0usize, 1, 5, 17] {
        let yb = n.forward(x.slice(ndarray::s![..b, ..])).unwrap();
        assert_eq!(yb.dim(), (b, 3));
        common::assert_close!(
            yb,
            y.slice(ndarray::s![..b, ..]).to_owned(),
            rtol = 1e-12,
            atol = 1e-15
        );
    }
    // softmax output: probability rows
    for row in y.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-12 && row.iter().all(|&p| p > 0.0));
    }
    // forward_traced computes the same numbers; an empty network is the identity
    assert_eq!(n.forward_traced(x.view()).unwrap().0, y);
    assert_eq!(Sequential::new(vec![]).forward(x.view()).unwrap(), x);
}

#[test]
fn dense_is_xw_plus_b_broadcast() {
    let l = Dense::from_parts(
        array![[1., 2.], [3., 4.]],
        array![10., 20.],
        Activation::Identity,
    )
    .unwrap();
    assert_eq!(
        l.forward(array![[1., 1.], [0., 1.], [0., 0.]].view())
            .unwrap(),
        array![[14., 26.], [13., 24.], [10., 20.]]
    );
    assert_eq!((l.d_in(), l.d_out()), (2, 2));
}

#[test]
fn chain_mismatch_fails_before_computing_naming_layer_and_shapes() {
    let mut r = rng(0);
    let n = Sequential::new(vec![
        Dense::new(10, 64, Activation::Relu, Init::HeNormal, &mut r).unwrap(),
        Dense::new(32, 10, Activation::Softmax, Init::XavierUniform, &mut r).unwrap(),
    ]);
    let e = n.forward(Array2::zeros((32, 10)).view()).unwrap_err();
    assert!(matches!(
        e,
        Error::Shape {
            op: "sequential_forward",
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "sequential_forward: layer 1: input (32, 64) does not fit weights (32, 10): 64 != 32"
    );
    // the first layer against the input width
    let e = n.forward_traced(Array2::zeros((4, 9)).view()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "sequential_forward: layer 0: input (4, 9) does not fit weights (10, 64): 9 != 10"
    );
    // a hand-edited bias that no longer matches is caught too
    let mut bad = n.clone();
    bad.layers[0].bias = Array1::zeros(3);
    let e = bad.forward(Array2::zeros((1, 10)).view()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("sequential_forward: layer 0: bias (3,) does not match weights (10, 64)"),
        "{e}"
    );
    assert!(Dense::from_parts(Array2::zeros((2, 2)), Array1::zeros(3), Activation::Relu).is_err());
    let l = Dense::from_parts(Array2::zeros((2, 2)), Array1::zeros(2), Activation::Relu).unwrap();
    let e = l.forward(Array2::zeros((1, 3)).view()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "dense_forward: input (1, 3) does not fit weights (2, 2): 3 != 2"
    );
}

#[test]
fn sigmoid_is_stable_at_plus_minus_1000() {
    let z = array![[
        -1000.,
        -745.,
        -40.,
        0.,
        40.,
        745.,
        1000.,
        f64::MAX,
        f64::MIN
    ]];
    let s = sigmoid(z.view());
    assert!(
        s.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)),
        "{s}"
    );
    assert_eq!(s[[0, 0]], 0.0);
    assert_eq!(s[[0, 3]], 0.5);
    assert_eq!(s[[0, 6]], 1.0);
    assert!(s[[0, 2]] > 0.0 && s[[0, 2]] < 1e-17); // e^-40 ≈ 4.2e-18, not flushed to 0
    // symmetry σ(−z) = 1 − σ(z)
    let a = sigmoid(array![[-3.0]].view())[[0, 0]];
    let b = sigmoid(array![[3.0]].view())[[0, 0]];
    assert!((a - (1.0 - b)).abs() < 1e-15);
}

#[test]
fn softmax_is_max_subtracted_and_row_wise() {
    let z = array![
        [1000., 1000., -1000.],
        [1., 2., 3.],
        [-1000., -1000., -1000.]
    ];
    let p = softmax(z.view());
    assert!(p.iter().all(|v| v.is_finite()), "{p}");
    assert_eq!(p.row(0).to_vec(), vec![0.5, 0.5, 0.0]);
    let e: Vec<f64> = [1f64, 2., 3.].iter().map(|v| v.exp()).collect();
    let s: f64 = e.iter().sum();
    for j in 0..3 {
        assert!((p[[1, j]] - e[j] / s).abs() < 1e-15);
        assert!((p[[2, j]] - 1.0 / 3.0).abs() < 1e-15);
    }
    // shift invariance
    let shifted = softmax((&z + 123.0).view());
    common::assert_close!(shifted, p, rtol = 1e-12, atol = 1e-15);
}

#[test]
fn relu_and_tanh() {
    let z = array![[-2., 0., 3., f64::NAN]];
    let r = relu(z.view());
    assert_eq!(r.slice(ndarray::s![.., ..3]), array![[0., 0., 3.]]);
    assert!(r[[0, 3]].is_nan());
    let t = tanh(array![[-1000., 0., 0.5, 1000.]].view());
    assert_eq!(t[[0, 0]], -1.0);
    assert_eq!(t[[0, 3]], 1.0);
    assert!((t[[0, 2]] - 0.5f64.tanh()).abs() < 1e-16);
    assert_eq!(Activation::Tanh.apply(z.view()).dim(), (1, 4));
    assert_eq!(Activation::Identity.apply(z.view())[[0, 2]], 3.0);
    assert_eq!(format!("{}", Activation::Relu), "relu");
}

#[test]
fn initialisers_have_the_right_scale_and_are_seeded() {
    let w = he_normal(&mut rng(5), 400, 500).unwrap();
    let std = w.std(0.0);
    let want = (2.0f64 / 400.0).sqrt();
    assert!((std - want).abs() < 0.01 * want, "he std {std} vs {want}");
    assert!(w.mean().unwrap().abs() < 0.01 * want * 10.0);
    let limit = (6.0f64 / 900.0).sqrt();
    let u = xavier_uniform(&mut rng(5), 400, 500).unwrap();
    assert!(u.iter().all(|v| v.abs() <= limit));
    // variance of U(−a, a) is a²/3 = 2 / (d_in + d_out)
    let var = u.var(0.0);
    assert!(
        (var - 2.0 / 900.0).abs() < 0.02 * 2.0 / 900.0,
        "xavier var {var}"
    );
    // seeds are API: same seed, same weights; the network too
    assert_eq!(
        he_normal(&mut rng(9), 3, 4).unwrap(),
        he_normal(&mut rng(9), 3, 4).unwrap()
    );
    assert_ne!(
        he_normal(&mut rng(9), 3, 4).unwrap(),
        he_normal(&mut rng(10), 3, 4).unwrap()
    );
    assert_eq!(net(1), net(1));
    // absurd sizes are an error, not an abort
    let e = he_normal(&mut rng(0), 1 << 40, 1 << 40).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    assert!(
        Dense::new(
            1 << 40,
            1 << 40,
            Activation::Relu,
            Init::XavierUniform,
            &mut rng(0)
        )
        .is_err()
    );
}

proptest! {
    #![proptest_config(common::config())]

    #[test]
    fn sigmoid_and_softmax_never_nan(v in prop::collection::vec(-1e6f64..1e6, 1..20)) {
        let z = Array2::from_shape_vec((1, v.len()), v).unwrap();
        let s = sigmoid(z.view());
        prop_assert!(s.iter().all(|x| (0.0..=1.0).contains(x)));
        let p = softmax(z.view());
        prop_assert!(p.iter().all(|x| x.is_finite() && *x >= 0.0));
        prop_assert!((p.sum() - 1.0).abs() < 1e-12);
    }
}
