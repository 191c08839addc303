//! Moments, Gram and Tsqr: block sizes 1, 7, a prime near the row count and all rows give
//! the in-memory answer; merge order and grouping change nothing beyond 1e-13; the
//! serialised form round-trips and rejects hostile bytes.

use ndarray::{Array1, Array2, ArrayView2, Axis, concatenate, s};
use proptest::prelude::*;

use mlinalg::decomposition::{Pca, PcaSolver};
use mlinalg::linalg::lstsq;
use mlinalg::linear_model::{LinearRegression, Ridge};
use mlinalg::stream::{Gram, Moments, Tsqr, lstsq_tsqr};

use crate::common::{ill_conditioned, normal, rel_diff};

/// Block sizes of the issue: 1, 7, a prime near the row count, all rows.
fn block_sizes(n: usize) -> Vec<usize> {
    let prime = (2..n)
        .rev()
        .find(|&p| (2..p).take_while(|d| d * d <= p).all(|d| p % d != 0));
    vec![1, 7, prime.unwrap_or(n), n]
}

fn blocks(x: ArrayView2<'_, f64>, size: usize) -> Vec<ArrayView2<'_, f64>> {
    (0..x.nrows())
        .step_by(size)
        .map(move |i| x.slice_move(s![i..(i + size).min(x.nrows()), ..]))
        .collect()
}

/// Data with distinct scales per column and a large offset on some, `n × p`.
fn data(n: usize, p: usize, seed: u64) -> Array2<f64> {
    let mut x = normal(n, p, seed);
    for (j, mut c) in x.columns_mut().into_iter().enumerate() {
        c.mapv_inplace(|v| v * (1.0 + j as f64) + 10.0 * j as f64);
    }
    x
}

fn centred_scatter(x: &Array2<f64>) -> Array2<f64> {
    let m = x.mean_axis(Axis(0)).unwrap();
    let xc = x - &m;
    xc.t().dot(&xc)
}

fn max_rel(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    (a - b).iter().fold(0.0f64, |m, v| m.max(v.abs())) / scale
}

#[test]
fn moments_match_two_pass_for_every_block_size() {
    let x = data(211, 5, 1);
    let mean = x.mean_axis(Axis(0)).unwrap();
    let var = x.var_axis(Axis(0), 1.0);
    for size in block_sizes(x.nrows()) {
        let mut m = Moments::new(5);
        for b in blocks(x.view(), size) {
            m.update(b).unwrap();
        }
        assert_eq!(m.count(), 211);
        assert!(rel_diff(m.mean(), &mean) < 1e-14, "block {size}");
        assert!(rel_diff(&m.variance(1.0), &var) < 1e-13, "block {size}");
    }
}

/// A column with mean 10⁸ and variance 1 keeps ≥ 8 digits of its variance for every block
/// size, where Σx² − n·mean² keeps none.
#[test]
fn large_mean_keeps_the_variance() {
    let n = 1000;
    let z = normal(n, 1, 7).column(0).to_owned();
    let x = (&z + 1e8).insert_axis(Axis(1));
    // reference: the exact centred variance of z (shifting by 1e8 is exact to 2^-26 here)
    let zc = &x.column(0) - 1e8;
    let want = zc.var(1.0);
    for size in block_sizes(n) {
        let mut m = Moments::new(1);
        let mut g = Gram::new(1);
        let mut t = Tsqr::new(1);
        for b in blocks(x.view(), size) {
            m.update(b).unwrap();
            g.update(b).unwrap();
            t.update(b).unwrap();
        }
        let vm = m.variance(1.0)[0];
        let vg = g.covariance(1.0).unwrap()[[0, 0]];
        let r = t.r()[[0, 0]];
        let vt = r * r / (n as f64 - 1.0);
        for (what, v) in [("moments", vm), ("gram", vg), ("tsqr", vt)] {
            assert!(
                ((v - want) / want).abs() < 1e-8,
                "{what} block {size}: {v} vs {want}"
            );
        }
    }
    // the raw formula loses everything on the same data
    let s: f64 = x.iter().sum();
    let s2: f64 = x.iter().map(|v| v * v).sum();
    let raw = (s2 - s * s / n as f64) / (n as f64 - 1.0);
    assert!(((raw - want) / want).abs() > 1e-2, "raw {raw} vs {want}");
}

/// States built on parts, merged sequentially, in reverse and as a tree.
fn merged<S: Clone>(parts: &[S], merge: impl Fn(&mut S, &S)) -> [S; 3] {
    let mut seq = parts[0].clone();
    for p in &parts[1..] {
        merge(&mut seq, p);
    }
    let mut rev = parts[parts.len() - 1].clone();
    for p in parts[..parts.len() - 1].iter().rev() {
        merge(&mut rev, p);
    }
    let mut level: Vec<S> = parts.to_vec();
    while level.len() > 1 {
        let mut next = Vec::new();
        for pair in level.chunks(2) {
            let mut a = pair[0].clone();
            if let Some(b) = pair.get(1) {
                merge(&mut a, b);
            }
            next.push(a);
        }
        level = next;
    }
    [seq, rev, level.remove(0)]
}

#[test]
fn merge_order_does_not_matter() {
    let x = data(300, 4, 3);
    let parts: Vec<_> = blocks(x.view(), 37).into_iter().collect();
    let mut ms = Vec::new();
    let mut gs = Vec::new();
    let mut ts = Vec::new();
    for b in &parts {
        let mut m = Moments::new(4);
        m.update(*b).unwrap();
        ms.push(m);
        let mut g = Gram::new(4);
        g.update(*b).unwrap();
        gs.push(g);
        let mut t = Tsqr::new(4);
        t.update(*b).unwrap();
        ts.push(t);
    }
    let [a, b, c] = merged(&ms, |a, b| a.merge(b).unwrap());
    for o in [&b, &c] {
        assert!(rel_diff(o.m2(), a.m2()) < 1e-13);
        assert!(rel_diff(o.mean(), a.mean()) < 1e-13);
    }
    let [a, b, c] = merged(&gs, |a, b| a.merge(b).unwrap());
    for o in [&b, &c] {
        assert!(max_rel(&o.scatter(), &a.scatter()) < 1e-13);
    }
    assert!(max_rel(&a.scatter(), &centred_scatter(&x)) < 1e-13);
    let [a, b, c] = merged(&ts, |a, b| a.merge(b).unwrap());
    for o in [&b, &c] {
        assert!(
            max_rel(&o.r(), &a.r()) < 1e-13,
            "{}",
            max_rel(&o.r(), &a.r())
        );
    }
    let r = a.r();
    assert!(max_rel(&r.t().dot(&r), &centred_scatter(&x)) < 1e-13);
    assert_eq!(a.count(), 300);
}

#[test]
fn pca_from_gram_equals_in_memory_pca() {
    let x = data(230, 6, 5);
    let want = Pca::new(Some(3))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    for size in block_sizes(x.nrows()) {
        let mut g = Gram::new(6);
        for b in blocks(x.view(), size) {
            g.update(b).unwrap();
        }
        let got = Pca::new(Some(3)).fit_gram(&g).unwrap();
        assert!(
            max_rel(got.components(), want.components()) < 1e-12,
            "block {size}"
        );
        assert!(rel_diff(got.explained_variance(), want.explained_variance()) < 1e-12);
        assert!(
            rel_diff(
                got.explained_variance_ratio(),
                want.explained_variance_ratio()
            ) < 1e-12
        );
        assert!(rel_diff(got.singular_values(), want.singular_values()) < 1e-12);
        assert!(rel_diff(got.mean(), want.mean()) < 1e-14);
        assert!(
            (got.noise_variance() - want.noise_variance()).abs() < 1e-12 * want.noise_variance()
        );
        assert_eq!(got.n_samples(), 230);
        assert_eq!(got.solver_used(), PcaSolver::CovarianceEigh);
    }
    // the same errors as Pca::fit
    let mut one = Gram::new(6);
    one.update(x.slice(s![..1, ..])).unwrap();
    assert!(
        Pca::new(None)
            .fit_gram(&one)
            .unwrap_err()
            .to_string()
            .contains("at least 2 samples")
    );
    assert!(
        Pca::new(None)
            .fit_gram(&Gram::new(6))
            .unwrap_err()
            .to_string()
            .contains("empty")
    );
    let mut g = Gram::new(6);
    g.update(x.view()).unwrap();
    assert_eq!(
        Pca::new(Some(7)).fit_gram(&g).unwrap_err().to_string(),
        "pca: invalid n_components: n_components=7 must be between 1 and min(n_samples, n_features)=6"
    );
}

fn xy(n: usize, p: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let x = data(n, p, seed);
    let w = Array1::from_shape_fn(p, |i| (i as f64 - 1.5) * 0.7);
    let noise = normal(n, 1, seed + 100).column(0).to_owned();
    let y = x.dot(&w) + 3.0 + noise * 0.1;
    (x, y)
}

#[test]
fn regression_from_states_equals_in_memory() {
    let (x, y) = xy(190, 4, 11);
    let xyb = concatenate![Axis(1), x, y.clone().insert_axis(Axis(1))];
    for intercept in [true, false] {
        let lr = LinearRegression::new().fit_intercept(intercept);
        let want = lr.fit(x.view(), y.view()).unwrap();
        let ridge = Ridge::new(2.5).fit_intercept(intercept);
        let want_r = ridge.fit(x.view(), y.view()).unwrap();
        let want_r2 = want.score(x.view(), y.view()).unwrap();
        for size in block_sizes(x.nrows()) {
            let mut t = Tsqr::with_targets(4, 1);
            let mut g = Gram::with_targets(4, 1);
            for b in blocks(xyb.view(), size) {
                t.update(b).unwrap();
                g.update(b).unwrap();
            }
            for got in [lr.fit_tsqr(&t).unwrap(), lr.fit_gram(&g).unwrap()] {
                assert!(rel_diff(got.coef(), want.coef()) < 1e-10, "block {size}");
                assert!((got.intercept() - want.intercept()).abs() < 1e-10);
            }
            for got in [ridge.fit_tsqr(&t).unwrap(), ridge.fit_gram(&g).unwrap()] {
                assert!(
                    rel_diff(got.coef(), want_r.coef()) < 1e-10,
                    "ridge block {size}"
                );
                assert!((got.intercept() - want_r.intercept()).abs() < 1e-10);
            }
            let c = want.coef().view();
            assert!((t.score(c, want.intercept()).unwrap() - want_r2).abs() < 1e-12);
            assert!((g.score(c, want.intercept()).unwrap() - want_r2).abs() < 1e-12);
        }
    }
}

/// κ = 10⁷: lstsq from Tsqr stays within 10× of in-memory lstsq's error, while the
/// normal equations (the Gram path) lose about twice the digits.
#[test]
fn ill_conditioned_lstsq_keeps_qr_accuracy() {
    let a = ill_conditioned(400, 5, 1e7, 21);
    let w = Array1::from(vec![1.0, -2.0, 0.5, 3.0, -1.0]);
    let b = a.dot(&w);
    let ab = concatenate![Axis(1), a, b.clone().insert_axis(Axis(1))];
    let mem = lstsq(a.view(), &b, None).unwrap();
    let e_mem = rel_diff(&mem.x, &w);
    for size in block_sizes(a.nrows()) {
        let mut t = Tsqr::with_targets(5, 1);
        for blk in blocks(ab.view(), size) {
            t.update(blk).unwrap();
        }
        let got = lstsq_tsqr(&t, None).unwrap();
        let e = rel_diff(&got.x.column(0).to_owned(), &w);
        assert!(
            e < 10.0 * e_mem.max(1e-12),
            "block {size}: {e} vs in-memory {e_mem}"
        );
        assert_eq!(got.rank, mem.rank);
        assert!(rel_diff(&got.singular_values, &mem.singular_values) < 1e-9);
    }
}

#[test]
fn lstsq_tsqr_matches_numpy_semantics() {
    let a = data(50, 3, 4);
    let b = normal(50, 2, 9);
    let mut t = Tsqr::with_targets(3, 2);
    for blk in blocks(concatenate![Axis(1), a, b].view(), 7) {
        t.update(blk).unwrap();
    }
    let got = lstsq_tsqr(&t, None).unwrap();
    let want = lstsq(a.view(), &b, None).unwrap();
    assert!(rel_diff(&got.x, &want.x) < 1e-12);
    assert!(rel_diff(&got.residuals, &want.residuals) < 1e-10);
    assert_eq!(got.rank, 3);
    assert!(rel_diff(&got.singular_values, &want.singular_values) < 1e-12);
    // rank-deficient: minimum-norm solution, no residuals (NumPy)
    let mut a2 = a.clone();
    let c0 = a2.column(0).to_owned();
    a2.column_mut(2).assign(&(&c0 * 2.0));
    let mut t = Tsqr::with_targets(3, 2);
    t.update(concatenate![Axis(1), a2, b].view()).unwrap();
    let got = lstsq_tsqr(&t, None).unwrap();
    let want = lstsq(a2.view(), &b, None).unwrap();
    assert_eq!(got.rank, 2);
    assert_eq!(got.residuals.len(), 0);
    assert!(rel_diff(&got.x, &want.x) < 1e-10);
}

#[test]
fn shapes_and_values_are_checked() {
    let mut g = Gram::new(3);
    let e = g
        .update(Array2::zeros((2, 4)).view())
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "gram: block has 4 columns, the state has 3: got shape (2, 4)"
    );
    let mut bad = Array2::<f64>::zeros((2, 3));
    bad[[1, 2]] = f64::NAN;
    assert!(
        g.update(bad.view())
            .unwrap_err()
            .to_string()
            .contains("non-finite")
    );
    assert_eq!(g.count(), 0);
    let mut m = Moments::new(3);
    assert!(m.merge(&Moments::new(2)).is_err());
    let mut t = Tsqr::with_targets(3, 1);
    assert!(t.merge(&Tsqr::new(4)).is_err());
    assert!(
        t.update_xy(Array2::zeros((2, 3)).view(), Array1::zeros(3).view())
            .is_err()
    );
    // empty blocks and empty states are no-ops
    t.update(Array2::zeros((0, 4)).view()).unwrap();
    t.merge(&Tsqr::with_targets(3, 1)).unwrap();
    assert_eq!(t.count(), 0);
}

/// A Gram of 10⁶ features cannot be allocated: the error names the size and suggests the
/// randomized solver, and nothing is left half-updated.
#[test]
fn a_gram_too_large_is_an_error_naming_the_size() {
    let mut g = Gram::new(1_000_000);
    let row = Array2::<f64>::zeros((1, 1_000_000));
    let e = g.update(row.view()).unwrap_err().to_string();
    assert!(
        e.contains("1000000 × 1000000") && e.contains("8000000000000 bytes"),
        "{e}"
    );
    assert!(e.contains("randomized"), "{e}");
    assert_eq!(g.count(), 0);
}

#[test]
fn serialised_states_round_trip() {
    let x = data(40, 3, 2);
    let mut m = Moments::new(3);
    let mut g = Gram::with_targets(2, 1);
    let mut t = Tsqr::with_targets(2, 1);
    m.update(x.view()).unwrap();
    g.update(x.view()).unwrap();
    t.update(x.view()).unwrap();
    assert_eq!(Moments::from_bytes(&m.to_bytes()).unwrap(), m);
    assert_eq!(Gram::from_bytes(&g.to_bytes()).unwrap(), g);
    assert_eq!(Tsqr::from_bytes(&t.to_bytes()).unwrap(), t);
    // empty states too
    assert_eq!(
        Gram::from_bytes(&Gram::new(5).to_bytes()).unwrap().count(),
        0
    );
    assert_eq!(
        Tsqr::from_bytes(&Tsqr::new(0).to_bytes()).unwrap().count(),
        0
    );
    // merging a deserialised state is merging the state
    let mut a = g.clone();
    a.merge(&Gram::from_bytes(&g.to_bytes()).unwrap()).unwrap();
    let mut b = g.clone();
    b.merge(&g).unwrap();
    assert_eq!(a, b);
    // the wrong kind is named
    let e = Gram::from_bytes(&t.to_bytes()).unwrap_err().to_string();
    assert!(e.contains("kind 3, expected 2 (Gram)"), "{e}");
    // every truncation and every bit flip is an error
    for bytes in [m.to_bytes(), g.to_bytes(), t.to_bytes()] {
        for len in 0..bytes.len() {
            assert!(Moments::from_bytes(&bytes[..len]).is_err());
            assert!(Gram::from_bytes(&bytes[..len]).is_err());
            assert!(Tsqr::from_bytes(&bytes[..len]).is_err());
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x10;
            assert!(
                Moments::from_bytes(&b).is_err()
                    && Gram::from_bytes(&b).is_err()
                    && Tsqr::from_bytes(&b).is_err(),
                "byte {i}"
            );
        }
    }
}

proptest! {
    #![proptest_config(crate::common::config())]

    /// Arbitrary bytes, and valid frames with arbitrary sizes, never panic.
    #[test]
    fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200),
                                 nf in any::<u64>(), nt in any::<u64>(), kind in 0u8..5) {
        let _ = Moments::from_bytes(&bytes);
        let _ = Gram::from_bytes(&bytes);
        let _ = Tsqr::from_bytes(&bytes);
        let mut framed = b"MLST".to_vec();
        framed.extend([kind, 1, 0, 0]);
        framed.extend(nf.to_le_bytes());
        framed.extend(nt.to_le_bytes());
        framed.extend(5u64.to_le_bytes());
        framed.extend(&bytes);
        let _ = Moments::from_bytes(&framed);
        let _ = Gram::from_bytes(&framed);
        let _ = Tsqr::from_bytes(&framed);
    }

    /// Any split of random rows into two states merges to the state of all rows.
    #[test]
    fn any_split_merges_to_the_whole(n in 2usize..40, p in 1usize..5, cut in 0usize..40, seed in 0u64..1000) {
        let x = data(n, p, seed);
        let cut = cut.min(n);
        let mut whole = Tsqr::new(p);
        whole.update(x.view()).unwrap();
        let mut a = Tsqr::new(p);
        a.update(x.slice(s![..cut, ..])).unwrap();
        let mut b = Tsqr::new(p);
        b.update(x.slice(s![cut.., ..])).unwrap();
        a.merge(&b).unwrap();
        let (ra, rw) = (a.r(), whole.r());
        prop_assert!(max_rel(&ra.t().dot(&ra), &rw.t().dot(&rw)) < 1e-12);
        let mut ga = Gram::new(p);
        ga.update(x.slice(s![..cut, ..])).unwrap();
        let mut gb = Gram::new(p);
        gb.update(x.slice(s![cut.., ..])).unwrap();
        ga.merge(&gb).unwrap();
        prop_assert!(max_rel(&ga.scatter(), &centred_scatter(&x)) < 1e-12);
    }
}

/// A block of many rows is factored as a tree of QRs over cache-sized pieces, two halves
/// in parallel: the same least-squares accuracy on κ = 10⁷ as one block of a few hundred
/// rows, the in-memory singular values, and entries of magnitude 1e200 (the rescaling
/// path of each piece) give the same solution scaled.
#[test]
fn a_block_of_many_rows_is_factored_by_a_tree_of_qrs_with_qr_accuracy() {
    let a = ill_conditioned(20_000, 6, 1e7, 33);
    let w = Array1::from(vec![1.0, -2.0, 0.5, 3.0, -1.0, 2.5]);
    let b = a.dot(&w);
    let ab = concatenate![Axis(1), a, b.clone().insert_axis(Axis(1))];
    let mem = lstsq(a.view(), &b, None).unwrap();
    let e_mem = rel_diff(&mem.x, &w);
    for size in [20_000usize, 9_999, 2_049] {
        let mut t = Tsqr::with_targets(6, 1);
        for blk in blocks(ab.view(), size) {
            t.update(blk).unwrap();
        }
        let got = lstsq_tsqr(&t, None).unwrap();
        let e = rel_diff(&got.x.column(0).to_owned(), &w);
        assert!(
            e < 10.0 * e_mem.max(1e-12),
            "block {size}: {e} vs in-memory {e_mem}"
        );
        assert!(
            rel_diff(&got.singular_values, &mem.singular_values) < 1e-9,
            "block {size}"
        );
        // R is upper triangular with a non-negative diagonal, RᵀR the centred scatter
        let r = t.r();
        for i in 0..r.nrows() {
            assert!(r[[i, i]] >= 0.0, "block {size}: diagonal {i}");
            for j in 0..i {
                assert_eq!(r[[i, j]], 0.0, "block {size}: ({i}, {j})");
            }
        }
    }
    let huge = ab.mapv(|v| v * 1e200);
    let mut t = Tsqr::with_targets(6, 1);
    t.update(huge.view()).unwrap();
    let got = lstsq_tsqr(&t, None).unwrap();
    let e = rel_diff(&got.x.column(0).to_owned(), &w);
    assert!(
        e < 10.0 * e_mem.max(1e-12),
        "scaled by 1e200: {e} vs in-memory {e_mem}"
    );
}
