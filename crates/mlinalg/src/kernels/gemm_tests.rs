//! The packed GEMM kernel against a Kahan-summed reference (as ndarray's numeric-tests):
//! every operand and output layout, sizes straddling the micro-tile and cache-block
//! boundaries, `k = 0`, accumulate mode, NaN/inf propagation.

use super::{Blocking, Isa, gemm_into, gemm_with, tile};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, ShapeBuilder, s};
use proptest::prelude::*;

/// How an operand is laid out in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// Row-major.
    C,
    /// Column-major.
    F,
    /// The transpose of a row-major array (`x.t()`).
    T,
    /// Rows reversed (`slice(s![..;-1, ..])`): negative row stride.
    NegRows,
    /// Columns reversed: negative column stride.
    NegCols,
    /// Every other column of a wider array: non-unit strides in both axes.
    Strided,
}

const LAYOUTS: [Layout; 6] = [
    Layout::C,
    Layout::F,
    Layout::T,
    Layout::NegRows,
    Layout::NegCols,
    Layout::Strided,
];

/// Backing storage whose [`Stored::view`] equals the source matrix in the given layout.
struct Stored {
    store: Array2<f64>,
    layout: Layout,
}

impl Stored {
    fn new(src: &Array2<f64>, layout: Layout) -> Self {
        let (m, n) = src.dim();
        let store = match layout {
            Layout::C => src.as_standard_layout().to_owned(),
            Layout::F => {
                let mut f = Array2::zeros((m, n).f());
                f.assign(src);
                f
            }
            Layout::T => src.t().as_standard_layout().to_owned(),
            Layout::NegRows => src.slice(s![..;-1, ..]).as_standard_layout().to_owned(),
            Layout::NegCols => src.slice(s![.., ..;-1]).as_standard_layout().to_owned(),
            Layout::Strided => {
                let mut w = Array2::from_elem((m, 2 * n + 1), f64::NAN);
                w.slice_mut(s![.., 1..;2]).assign(src);
                w
            }
        };
        Stored { store, layout }
    }

    fn view(&self) -> ArrayView2<'_, f64> {
        let v = self.store.view();
        match self.layout {
            Layout::C | Layout::F => v,
            Layout::T => v.reversed_axes(),
            Layout::NegRows => v.slice_move(s![..;-1, ..]),
            Layout::NegCols => v.slice_move(s![.., ..;-1]),
            Layout::Strided => v.slice_move(s![.., 1..;2]),
        }
    }

    fn view_mut(&mut self) -> ArrayViewMut2<'_, f64> {
        let v = self.store.view_mut();
        match self.layout {
            Layout::C | Layout::F => v,
            Layout::T => v.reversed_axes(),
            Layout::NegRows => v.slice_move(s![..;-1, ..]),
            Layout::NegCols => v.slice_move(s![.., ..;-1]),
            Layout::Strided => v.slice_move(s![.., 1..;2]),
        }
    }
}

/// Kahan-summed `a @ b` and, per element, `Σ |a_ip b_pj|` (the scale of the rounding error).
fn reference(a: &ArrayView2<'_, f64>, b: &ArrayView2<'_, f64>) -> (Array2<f64>, Array2<f64>) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let mut c = Array2::zeros((m, n));
    let mut scale = Array2::zeros((m, n));
    for i in 0..m {
        for j in 0..n {
            let (mut sum, mut comp, mut abs) = (0.0f64, 0.0f64, 0.0f64);
            for p in 0..k {
                let x = a[[i, p]] * b[[p, j]];
                abs += x.abs();
                let y = x - comp;
                let t = sum + y;
                comp = (t - sum) - y;
                sum = t;
            }
            c[[i, j]] = sum;
            scale[[i, j]] = abs;
        }
    }
    (c, scale)
}

/// Deterministic pseudo-random entries in [-1, 1) (SplitMix64).
fn matrix(m: usize, n: usize, seed: u64) -> Array2<f64> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    Array2::from_shape_simple_fn((m, n), || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    })
}

fn isas() -> Vec<Isa> {
    [Isa::Avx512, Isa::Avx2, Isa::Scalar]
        .into_iter()
        .filter(|i| i.available())
        .collect()
}

/// Runs one product and checks it elementwise: `|c − ref| ≤ 1e-14 · Σ|a b|` (+ the old
/// value of `c` when accumulating).
#[allow(clippy::too_many_arguments)]
fn check(
    (m, k, n): (usize, usize, usize),
    (la, lb, lc): (Layout, Layout, Layout),
    accumulate: bool,
    isa: Isa,
    blocking: Blocking,
    threads: usize,
    seed: u64,
) -> Result<(), String> {
    let a0 = matrix(m, k, seed);
    let b0 = matrix(k, n, seed + 1);
    let c0 = matrix(m, n, seed + 2);
    let (a, b) = (Stored::new(&a0, la), Stored::new(&b0, lb));
    let mut c = Stored::new(&c0, lc);
    if !accumulate {
        // the old contents must be ignored, NaN included
        c.view_mut().fill(f64::NAN);
    }
    gemm_with(
        &mut c.view_mut(),
        &a.view(),
        &b.view(),
        accumulate,
        isa,
        blocking,
        threads,
    );
    let (want, scale) = reference(&a0.view(), &b0.view());
    let got = c.view();
    for ((i, j), &g) in got.indexed_iter() {
        let w = if accumulate {
            want[[i, j]] + c0[[i, j]]
        } else {
            want[[i, j]]
        };
        let tol = 1e-14 * (scale[[i, j]] + if accumulate { c0[[i, j]].abs() } else { 0.0 });
        if (g - w).abs() > tol || g.is_nan() {
            return Err(format!(
                "({m}, {k}) @ ({k}, {n}) {la:?}/{lb:?}->{lc:?} acc={accumulate} {isa:?} \
                 {blocking:?} threads={threads}: c[{i},{j}] = {g}, want {w} (tol {tol:e})"
            ));
        }
    }
    // the strided output's gaps are untouched
    if lc == Layout::Strided {
        let gaps = c.store.slice(s![.., ..;2]);
        if gaps.iter().any(|v| !v.is_nan()) {
            return Err("gemm wrote outside the strided output view".to_string());
        }
    }
    Ok(())
}

fn layout() -> impl Strategy<Value = Layout> {
    prop::sample::select(LAYOUTS.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Random shapes 0..=70 in each dimension, all layout combinations, small random
    /// blocking so that every kc/mc/nc loop runs several times with partial blocks.
    #[test]
    fn random_shapes_layouts_and_blocking(
        m in 0usize..=70, k in 0usize..=70, n in 0usize..=70,
        la in layout(), lb in layout(), lc in layout(),
        accumulate in any::<bool>(),
        kc in 1usize..=80, mc in 1usize..=80, nc in 1usize..=80,
        threads in 1usize..=3,
        isa_pick in 0usize..3,
        seed in any::<u32>(),
    ) {
        let isas = isas();
        let isa = isas[isa_pick % isas.len()];
        let r = check((m, k, n), (la, lb, lc), accumulate, isa, Blocking { kc, mc, nc }, threads,
            u64::from(seed));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// The same with each kernel's default blocking (the public entry point's blocking).
    #[test]
    fn random_shapes_default_blocking(
        m in 0usize..=70, k in 0usize..=70, n in 0usize..=70,
        la in layout(), lb in layout(), lc in layout(),
        accumulate in any::<bool>(),
        threads in 1usize..=2,
        seed in any::<u32>(),
    ) {
        for isa in isas() {
            let r = check((m, k, n), (la, lb, lc), accumulate, isa, Blocking::for_cpu(isa), threads,
                u64::from(seed));
            prop_assert!(r.is_ok(), "{}", r.unwrap_err());
        }
    }
}

#[test]
fn every_layout_combination_at_tile_edges() {
    for isa in isas() {
        let (mr, nr) = tile(isa);
        for &(m, k, n) in &[
            (mr, 3, nr),
            (mr - 1, 5, nr + 1),
            (mr + 1, 1, nr - 1),
            (2 * mr + 3, 9, 3 * nr + 2),
            (1, 7, 1),
        ] {
            for la in LAYOUTS {
                for lb in LAYOUTS {
                    for lc in LAYOUTS {
                        for accumulate in [false, true] {
                            check(
                                (m, k, n),
                                (la, lb, lc),
                                accumulate,
                                isa,
                                Blocking::for_cpu(isa),
                                1,
                                7,
                            )
                            .unwrap();
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn sizes_straddling_the_default_cache_blocks() {
    for isa in isas() {
        let (mr, nr) = tile(isa);
        let blk = Blocking::for_cpu(isa);
        for &(m, k, n) in &[
            (blk.mc + 1, blk.kc + 1, 2 * nr + 1),
            (blk.mc - 1, blk.kc - 1, nr),
            (2 * blk.mc + mr + 1, 2 * blk.kc + 3, 3),
            (mr + 2, 3, blk.nc + nr + 1),
            (3, 2, 2 * blk.nc + 1),
        ] {
            for (la, lb, lc) in [
                (Layout::C, Layout::C, Layout::C),
                (Layout::F, Layout::F, Layout::F),
                (Layout::T, Layout::C, Layout::C),
                (Layout::NegRows, Layout::Strided, Layout::F),
            ] {
                for threads in [1, 2] {
                    check((m, k, n), (la, lb, lc), true, isa, blk, threads, 11).unwrap();
                    check((m, k, n), (la, lb, lc), false, isa, blk, threads, 12).unwrap();
                }
            }
        }
    }
}

#[test]
fn parallel_products_above_the_threshold() {
    // gemm_into itself (threads from the rayon pool when m·n·k is large enough)
    for &(m, k, n) in &[(150, 130, 170), (300, 40, 90), (5, 300, 700)] {
        let (a, b) = (matrix(m, k, 1), matrix(k, n, 2));
        let mut c = Array2::from_elem((m, n), f64::NAN);
        gemm_into(&mut c.view_mut(), &a.view(), &b.view(), false);
        let (want, scale) = reference(&a.view(), &b.view());
        for ((i, j), &g) in c.indexed_iter() {
            assert!(
                (g - want[[i, j]]).abs() <= 1e-14 * scale[[i, j]],
                "({m},{k},{n}) [{i},{j}]: {g} vs {}",
                want[[i, j]]
            );
        }
    }
    for isa in isas() {
        check(
            (257, 300, 263),
            (Layout::C, Layout::T, Layout::C),
            false,
            isa,
            Blocking::for_cpu(isa),
            2,
            5,
        )
        .unwrap();
    }
}

#[test]
fn inner_dimension_zero() {
    for isa in isas() {
        let a = Array2::<f64>::zeros((4, 0));
        let b = Array2::<f64>::zeros((0, 3));
        let mut c = Array2::from_elem((4, 3), 7.0);
        gemm_with(
            &mut c.view_mut(),
            &a.view(),
            &b.view(),
            true,
            isa,
            Blocking::for_cpu(isa),
            1,
        );
        assert_eq!(c, Array2::from_elem((4, 3), 7.0));
        gemm_with(
            &mut c.view_mut(),
            &a.view(),
            &b.view(),
            false,
            isa,
            Blocking::for_cpu(isa),
            1,
        );
        assert_eq!(c, Array2::<f64>::zeros((4, 3)));
    }
    // empty outputs are left alone
    let mut e = Array2::<f64>::zeros((0, 5));
    gemm_into(
        &mut e.view_mut(),
        &Array2::zeros((0, 2)).view(),
        &Array2::zeros((2, 5)).view(),
        false,
    );
    assert_eq!(e.dim(), (0, 5));
}

#[test]
fn nan_and_inf_propagate_like_numpy() {
    // NumPy (OpenBLAS): np.array([[np.nan]]) @ np.zeros((1, 1)) -> [[nan]]; inf·0 -> nan.
    for isa in isas() {
        let blk = Blocking::for_cpu(isa);
        for bad in [f64::NAN, f64::INFINITY] {
            let mut c = Array2::zeros((1, 1));
            gemm_with(
                &mut c.view_mut(),
                &Array2::from_elem((1, 1), bad).view(),
                &Array2::zeros((1, 1)).view(),
                false,
                isa,
                blk,
                1,
            );
            assert!(c[[0, 0]].is_nan(), "{isa:?}: {bad} * 0 = {}", c[[0, 0]]);
        }
        // in full tiles and past a kc boundary: one NaN in A poisons its whole row of C,
        // one inf in B makes its column ±inf (or NaN where multiplied by zero)
        let (m, k, n) = (2 * 24 + 5, blk.kc + 7, 17);
        let mut a = matrix(m, k, 3);
        let b0 = Array2::<f64>::zeros((k, n));
        a[[5, blk.kc + 2]] = f64::NAN;
        let mut c = Array2::zeros((m, n));
        gemm_with(&mut c.view_mut(), &a.view(), &b0.view(), false, isa, blk, 2);
        for ((i, _), &v) in c.indexed_iter() {
            assert_eq!(v.is_nan(), i == 5, "{isa:?}: row {i}: {v}");
        }
        let a1 = Array2::from_elem((m, k), 1.0);
        let mut b = Array2::from_elem((k, n), 1.0);
        b[[3, 4]] = f64::INFINITY;
        gemm_with(&mut c.view_mut(), &a1.view(), &b.view(), false, isa, blk, 2);
        for ((_, j), &v) in c.indexed_iter() {
            if j == 4 {
                assert_eq!(v, f64::INFINITY);
            } else {
                assert_eq!(v, k as f64);
            }
        }
    }
}

#[test]
fn small_ml_shapes() {
    // e.g. a dense layer: (32, 10) @ (10, 64), and the matmul benchmark's small sizes
    for &(m, k, n) in &[
        (32, 10, 64),
        (8, 8, 8),
        (32, 32, 32),
        (64, 64, 64),
        (1, 10, 1),
    ] {
        for (la, lb) in [(Layout::C, Layout::C), (Layout::C, Layout::T)] {
            for isa in isas() {
                check(
                    (m, k, n),
                    (la, lb, Layout::C),
                    false,
                    isa,
                    Blocking::for_cpu(isa),
                    1,
                    (m * k + n) as u64,
                )
                .unwrap();
            }
        }
    }
}

#[test]
fn preferred_size_rule() {
    let big = Array2::<f64>::zeros((2048, 2048));
    let sq1024 = Array2::<f64>::zeros((1024, 1024));
    let small = Array2::<f64>::zeros((512, 512));
    let col = Array2::<f64>::zeros((2048, 1));
    let simd = Isa::detect() != Isa::Scalar;
    assert_eq!(super::preferred(&big.view(), &big.view()), simd);
    assert_eq!(super::preferred(&big.t(), &big.view()), simd);
    // 1024 × 1024 outputs: only the transposed-view case
    assert!(!super::preferred(&sq1024.view(), &sq1024.view()));
    assert_eq!(super::preferred(&sq1024.t(), &sq1024.view()), simd);
    // small, and matrix–vector, stay with faer
    assert!(!super::preferred(&small.view(), &small.view()));
    assert!(!super::preferred(&big.view(), &col.view()));
}

#[test]
fn preferred_f32_size_rule() {
    let big = Array2::<f32>::zeros((2048, 2048));
    let mid = Array2::<f32>::zeros((1536, 1536));
    let small = Array2::<f32>::zeros((512, 512));
    let col = Array2::<f32>::zeros((2048, 1));
    let avx2 = Isa::detect() == Isa::Avx2;
    assert_eq!(super::preferred_f32(&big.view(), &big.view()), avx2);
    assert_eq!(super::preferred_f32(&big.t(), &big.view()), avx2);
    // a 1536² output in C order stays with faer; transposed, ours
    assert!(!super::preferred_f32(&mid.view(), &mid.view()));
    assert_eq!(super::preferred_f32(&mid.t(), &mid.view()), avx2);
    assert!(!super::preferred_f32(&small.view(), &small.view()));
    assert!(!super::preferred_f32(&big.view(), &col.view()));
}

/// A [`Stored`] operand rounded to `f32`, in the same layout.
struct Stored32 {
    store: Array2<f32>,
    layout: Layout,
}

impl Stored32 {
    fn new(src: &Array2<f32>, layout: Layout) -> Self {
        let s = Stored::new(&src.mapv(f64::from), layout);
        // `mapv` of a contiguous array keeps its memory order (F stays F).
        let store = s.store.mapv(|x| x as f32);
        Stored32 { store, layout }
    }

    fn view(&self) -> ArrayView2<'_, f32> {
        let v = self.store.view();
        match self.layout {
            Layout::C | Layout::F => v,
            Layout::T => v.reversed_axes(),
            Layout::NegRows => v.slice_move(s![..;-1, ..]),
            Layout::NegCols => v.slice_move(s![.., ..;-1]),
            Layout::Strided => v.slice_move(s![.., 1..;2]),
        }
    }

    fn view_mut(&mut self) -> ArrayViewMut2<'_, f32> {
        let v = self.store.view_mut();
        match self.layout {
            Layout::C | Layout::F => v,
            Layout::T => v.reversed_axes(),
            Layout::NegRows => v.slice_move(s![..;-1, ..]),
            Layout::NegCols => v.slice_move(s![.., ..;-1]),
            Layout::Strided => v.slice_move(s![.., 1..;2]),
        }
    }
}

fn matrix32(m: usize, n: usize, seed: u64) -> Array2<f32> {
    matrix(m, n, seed).mapv(|x| x as f32)
}

/// The textbook triple loop in `f64` on the `f32` operands (each product exact in `f64`),
/// and per element `Σ |a_ip b_pj|`.
fn reference32(a: &Array2<f32>, b: &Array2<f32>) -> (Array2<f64>, Array2<f64>) {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let mut c = Array2::zeros((m, n));
    let mut scale = Array2::zeros((m, n));
    for i in 0..m {
        for j in 0..n {
            let (mut sum, mut abs) = (0.0f64, 0.0f64);
            for p in 0..k {
                let x = f64::from(a[[i, p]]) * f64::from(b[[p, j]]);
                sum += x;
                abs += x.abs();
            }
            c[[i, j]] = sum;
            scale[[i, j]] = abs;
        }
    }
    (c, scale)
}

/// The `f32` bound of a length-`k` dot product summed in `f32`: `|ĉ − c| ≤ γₖ Σ|a b|` with
/// `γₖ ≈ k·u` (Higham, Accuracy and Stability, §3.1), `u = ε/2`; we allow `(k + 2)·ε` (the
/// final rounding, and the accumulated old value of `c`).
fn tol32(k: usize, scale: f64, old: f64) -> f64 {
    (k as f64 + 2.0) * f64::from(f32::EPSILON) * (scale + old.abs())
}

/// [`check`] for the `f32` kernels, against [`reference32`] with [`tol32`].
#[allow(clippy::too_many_arguments)]
fn check32(
    (m, k, n): (usize, usize, usize),
    (la, lb, lc): (Layout, Layout, Layout),
    accumulate: bool,
    isa: Isa,
    blocking: Blocking,
    threads: usize,
    seed: u64,
) -> Result<(), String> {
    let a0 = matrix32(m, k, seed);
    let b0 = matrix32(k, n, seed + 1);
    let c0 = matrix32(m, n, seed + 2);
    let (a, b) = (Stored32::new(&a0, la), Stored32::new(&b0, lb));
    let mut c = Stored32::new(&c0, lc);
    if !accumulate {
        c.view_mut().fill(f32::NAN);
    }
    gemm_with(
        &mut c.view_mut(),
        &a.view(),
        &b.view(),
        accumulate,
        isa,
        blocking,
        threads,
    );
    let (want, scale) = reference32(&a0, &b0);
    for ((i, j), &g) in c.view().indexed_iter() {
        let old = if accumulate {
            f64::from(c0[[i, j]])
        } else {
            0.0
        };
        let w = want[[i, j]] + old;
        let tol = tol32(k, scale[[i, j]], old);
        if (f64::from(g) - w).abs() > tol || g.is_nan() {
            return Err(format!(
                "f32 ({m}, {k}) @ ({k}, {n}) {la:?}/{lb:?}->{lc:?} acc={accumulate} {isa:?} \
                 {blocking:?} threads={threads}: c[{i},{j}] = {g}, want {w} (tol {tol:e})"
            ));
        }
    }
    if lc == Layout::Strided && c.store.slice(s![.., ..;2]).iter().any(|v| !v.is_nan()) {
        return Err("f32 gemm wrote outside the strided output view".to_string());
    }
    Ok(())
}

fn f32_tile(isa: Isa) -> (usize, usize) {
    <f32 as super::Element>::tile(isa)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The `f32` kernels on random shapes 0..=110 (past two 48-row tiles), layouts and
    /// small random blockings.
    #[test]
    fn f32_random_shapes_layouts_and_blocking(
        m in 0usize..=110, k in 0usize..=70, n in 0usize..=40,
        la in layout(), lb in layout(), lc in layout(),
        accumulate in any::<bool>(),
        kc in 1usize..=80, mc in 1usize..=120, nc in 1usize..=40,
        threads in 1usize..=3,
        isa_pick in 0usize..3,
        seed in any::<u32>(),
    ) {
        let isas = isas();
        let isa = isas[isa_pick % isas.len()];
        let r = check32((m, k, n), (la, lb, lc), accumulate, isa, Blocking { kc, mc, nc },
            threads, u64::from(seed));
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

#[test]
fn f32_every_layout_combination_at_tile_edges() {
    for isa in isas() {
        let (mr, nr) = f32_tile(isa);
        let blk = Blocking::for_cpu_of::<f32>(isa);
        for &(m, k, n) in &[
            (mr, 3, nr),
            (mr - 1, 5, nr + 1),
            (mr + 1, 1, nr - 1),
            (2 * mr + 3, 9, 3 * nr + 2),
        ] {
            for la in LAYOUTS {
                for lb in LAYOUTS {
                    for lc in LAYOUTS {
                        check32((m, k, n), (la, lb, lc), la == lb, isa, blk, 1, 9).unwrap();
                    }
                }
            }
        }
    }
}

#[test]
fn f32_sizes_straddling_the_default_cache_blocks() {
    for isa in isas() {
        let (mr, nr) = f32_tile(isa);
        let blk = Blocking::for_cpu_of::<f32>(isa);
        // f32 blocks are twice as deep as f64's (same bytes per packed panel)
        let f64_blk = Blocking::for_cpu(isa);
        assert!(blk.kc >= f64_blk.kc, "{isa:?}: {blk:?} vs f64 {f64_blk:?}");
        assert_eq!(blk.mc % mr, 0, "{isa:?}: {blk:?}");
        for &(m, k, n) in &[
            (blk.mc + 1, blk.kc + 1, 2 * nr + 1),
            (blk.mc - 1, blk.kc - 1, nr),
            (2 * blk.mc + mr + 1, 2 * blk.kc + 3, 3),
            (mr + 2, 3, blk.nc + nr + 1),
        ] {
            for (la, lb, lc) in [
                (Layout::C, Layout::C, Layout::C),
                (Layout::F, Layout::F, Layout::F),
                (Layout::T, Layout::C, Layout::C),
                (Layout::NegRows, Layout::Strided, Layout::F),
            ] {
                for threads in [1, 2] {
                    check32((m, k, n), (la, lb, lc), true, isa, blk, threads, 21).unwrap();
                    check32((m, k, n), (la, lb, lc), false, isa, blk, threads, 22).unwrap();
                }
            }
        }
    }
}

#[test]
fn f32_gemm_into_above_the_threshold_and_specials() {
    for &(m, k, n) in &[(150, 130, 170), (97, 700, 61)] {
        let (a, b) = (matrix32(m, k, 1), matrix32(k, n, 2));
        let mut c = Array2::from_elem((m, n), f32::NAN);
        gemm_into(&mut c.view_mut(), &a.view(), &b.view(), false);
        let (want, scale) = reference32(&a, &b);
        for ((i, j), &g) in c.indexed_iter() {
            let tol = tol32(k, scale[[i, j]], 0.0);
            assert!(
                (f64::from(g) - want[[i, j]]).abs() <= tol,
                "({m},{k},{n}) [{i},{j}]"
            );
        }
    }
    for isa in isas() {
        let blk = Blocking::for_cpu_of::<f32>(isa);
        // k = 0: C = 0 or unchanged
        let mut c = Array2::from_elem((4, 3), 7.0f32);
        let (a, b) = (Array2::<f32>::zeros((4, 0)), Array2::<f32>::zeros((0, 3)));
        gemm_with(&mut c.view_mut(), &a.view(), &b.view(), true, isa, blk, 1);
        assert_eq!(c, Array2::from_elem((4, 3), 7.0f32));
        gemm_with(&mut c.view_mut(), &a.view(), &b.view(), false, isa, blk, 1);
        assert_eq!(c, Array2::<f32>::zeros((4, 3)));
        // NaN in A poisons its row past a kc boundary; inf in B its column
        let (m, k, n) = (2 * 48 + 5, blk.kc + 7, 17);
        let mut a = matrix32(m, k, 3);
        a[[5, blk.kc + 2]] = f32::NAN;
        let mut c = Array2::zeros((m, n));
        gemm_with(
            &mut c.view_mut(),
            &a.view(),
            &Array2::zeros((k, n)).view(),
            false,
            isa,
            blk,
            2,
        );
        for ((i, _), &v) in c.indexed_iter() {
            assert_eq!(v.is_nan(), i == 5, "{isa:?}: row {i}: {v}");
        }
        let mut b = Array2::from_elem((k, n), 1.0f32);
        b[[3, 4]] = f32::INFINITY;
        let ones = Array2::from_elem((m, k), 1.0f32);
        gemm_with(
            &mut c.view_mut(),
            &ones.view(),
            &b.view(),
            false,
            isa,
            blk,
            2,
        );
        for ((_, j), &v) in c.indexed_iter() {
            let want = if j == 4 { f32::INFINITY } else { k as f32 };
            assert_eq!(v, want);
        }
    }
}

/// Timing harness for tuning (not a test):
/// `GEMM_BENCH=1024,2048 cargo test --release -p mlinalg --lib kernels::gemm::tests::bench -- --ignored --nocapture`
/// Sizes are `n` (square) or `MxKxN`. Optional `GEMM_KC`, `GEMM_MC`, `GEMM_NC`,
/// `GEMM_THREADS`, `GEMM_REPS`, `GEMM_FAER=1` (also time the current faer path,
/// `crate::ops::matmul_2d`), `GEMM_T=1` (time `Aᵀ B` on a transposed view), `GEMM_F32=1`
/// (also time the `f32` kernel and faer's `f32` GEMM on the same operands rounded).
#[test]
#[ignore = "timing harness, run by hand"]
fn bench() {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<usize>().ok());
    let shapes: Vec<(usize, usize, usize)> = std::env::var("GEMM_BENCH")
        .unwrap_or_else(|_| "1024".to_string())
        .split(',')
        .filter_map(|s| {
            let d: Vec<usize> = s.split('x').filter_map(|x| x.trim().parse().ok()).collect();
            match d[..] {
                [n] => Some((n, n, n)),
                [m, k, n] => Some((m, k, n)),
                _ => None,
            }
        })
        .collect();
    let isa = Isa::detect();
    let d = Blocking::for_cpu(isa);
    let blk = Blocking {
        kc: env("GEMM_KC").unwrap_or(d.kc),
        mc: env("GEMM_MC").unwrap_or(d.mc),
        nc: env("GEMM_NC").unwrap_or(d.nc),
    };
    let threads = env("GEMM_THREADS").unwrap_or_else(rayon::current_num_threads);
    let reps = env("GEMM_REPS").unwrap_or(5);
    let transposed = env("GEMM_T") == Some(1);
    for (m, k, n) in shapes {
        let a = if transposed {
            matrix(k, m, 1)
        } else {
            matrix(m, k, 1)
        };
        let b = matrix(k, n, 2);
        let av = if transposed { a.t() } else { a.view() };
        let flops = 2.0 * (m * n * k) as f64;
        // small products: repeat inside each sample so that a sample lasts ~10 ms
        let inner = (1e8 / flops).clamp(1.0, 1e6) as usize;
        let time = |f: &mut dyn FnMut()| {
            f();
            let (busy0, own0, t0) = (sys_busy(), own_cpu(), std::time::Instant::now());
            let mut ts: Vec<f64> = (0..reps)
                .map(|_| {
                    let t = std::time::Instant::now();
                    for _ in 0..inner {
                        f();
                    }
                    t.elapsed().as_secs_f64() / inner as f64
                })
                .collect();
            let wall = t0.elapsed().as_secs_f64();
            let others = ((sys_busy() - busy0) - (own_cpu() - own0)).max(0.0) / wall;
            ts.sort_by(f64::total_cmp);
            (ts[ts.len() / 2], others)
        };
        let t = if m * n * k < super::PAR_THRESHOLD {
            1
        } else {
            threads
        };
        let (ours, others) = time(&mut || {
            let mut c = crate::array::try_zeros2("matmul", m, n).unwrap();
            gemm_with(&mut c.view_mut(), &av, &b.view(), false, isa, blk, t);
            std::hint::black_box(&c);
        });
        let mut line = format!(
            "{m}x{k}x{n} T={transposed} {isa:?} {blk:?} threads={t}: gemm {:.3e} s {:.1} GFLOP/s \
             (others_cpu {others:.2})",
            ours,
            flops / ours / 1e9
        );
        if env("GEMM_FAER") == Some(1) {
            let (faer, others) = time(&mut || {
                std::hint::black_box(crate::ops::matmul_2d(av, b.view()).unwrap());
            });
            line += &format!(
                " | faer {:.3e} s {:.1} GFLOP/s (others_cpu {others:.2}) | faer/gemm {:.3}",
                faer,
                flops / faer / 1e9,
                faer / ours
            );
        }
        if env("GEMM_F32") == Some(1) {
            let (a32, b32) = (a.mapv(|x| x as f32), b.mapv(|x| x as f32));
            let av32 = if transposed { a32.t() } else { a32.view() };
            let blk32 = Blocking::for_cpu_of::<f32>(isa);
            let (ours32, _) = time(&mut || {
                let mut c = Array2::<f32>::zeros((m, n));
                gemm_with(&mut c.view_mut(), &av32, &b32.view(), false, isa, blk32, t);
                std::hint::black_box(&c);
            });
            let (faer32, _) = time(&mut || {
                let mut c = Array2::<f32>::zeros((m, n));
                crate::linalg::bridge::generic::matmul_into(
                    &mut c.view_mut(),
                    &av32,
                    &b32.view(),
                    false,
                );
                std::hint::black_box(&c);
            });
            line += &format!(
                " | f32 {blk32:?}: gemm {:.1} GFLOP/s ({:.2}x f64 gemm), faer {:.1} GFLOP/s",
                flops / ours32 / 1e9,
                ours / ours32,
                flops / faer32 / 1e9
            );
        }
        println!("{line}");
    }
}

/// CPU seconds all processes spent busy since boot (`/proc/stat`), 0 off Linux.
fn sys_busy() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else {
        return 0.0;
    };
    let v: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    // user nice system irq softirq, in clock ticks (100 Hz)
    [0, 1, 2, 5, 6]
        .iter()
        .filter_map(|&i| v.get(i))
        .sum::<f64>()
        / 100.0
}

/// CPU seconds this process has used (`/proc/self/stat` utime + stime), 0 off Linux.
fn own_cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // fields after the ")" of the command name: state is field 3, utime 14, stime 15
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// Single-thread A/B harness that survives a loaded machine (not a test): each variant is
/// timed by this thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`, so time spent preempted by
/// other processes does not count), best of `KBENCH_REPS` (default 15), the variants
/// interleaved rep by rep.
/// `KBENCH=gemm:2048,gemv:4096 cargo test -p mlinalg --lib kernels::gemm::tests::kernel_ab -- --ignored --nocapture`
/// gemm: the derived blocking of this CPU against the Zen 5 table and the small-cache
/// derivation; gemv: the gemv kernel (row- and column-major `A`) against faer's product.
#[test]
#[ignore = "timing harness, run by hand"]
fn kernel_ab() {
    use crate::kernels::cache::{self, forced};
    let reps: usize = std::env::var("KBENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let spec = std::env::var("KBENCH").unwrap_or_else(|_| "gemm:1024,gemv:4096".into());
    let isa = Isa::detect();
    let (mr, nr) = tile(isa);
    let caches = cache::detect();
    println!("caches {caches:?}; isa {isa:?}");
    // faer's products single-threaded too
    crate::linalg::bridge::set_threads(1);
    for item in spec.split(',') {
        let Some((kind, n)) = item.split_once(':') else {
            continue;
        };
        let n: usize = n.parse().unwrap_or(1024);
        let mut best: Vec<(String, f64, f64)> = Vec::new();
        let mut record =
            |name: &str, secs: f64, flops: f64| match best.iter_mut().find(|b| b.0 == name) {
                Some(b) => b.1 = b.1.min(secs),
                None => best.push((name.to_string(), secs, flops)),
            };
        match kind {
            "gemm" => {
                let a = matrix(n, n, 1);
                let b = matrix(n, n, 2);
                let mut c = Array2::<f64>::zeros((n, n));
                let flops = 2.0 * (n * n * n) as f64;
                let variants = [
                    ("derived", Blocking::derive(&caches, mr, nr, 8)),
                    ("zen5 table", Blocking::table(isa)),
                    ("zen5 derived", Blocking::derive(&forced::ZEN5, mr, nr, 8)),
                    ("small derived", Blocking::derive(&forced::SMALL, mr, nr, 8)),
                ];
                // small products: repeat inside a sample so that it lasts ~20 ms
                let inner = ((4e7 / flops) as usize).max(1);
                for _ in 0..reps {
                    for (name, blk) in variants {
                        let t = thread_cpu();
                        for _ in 0..inner {
                            gemm_with(&mut c.view_mut(), &a.view(), &b.view(), false, isa, blk, 1);
                        }
                        record(
                            &format!("{name} {blk:?}"),
                            (thread_cpu() - t) / inner as f64,
                            flops,
                        );
                    }
                    let t = thread_cpu();
                    for _ in 0..inner {
                        crate::linalg::bridge::faer_gemm(
                            &mut c.view_mut(),
                            &a.view(),
                            &b.view(),
                            1.0,
                            false,
                        );
                    }
                    record("faer", (thread_cpu() - t) / inner as f64, flops);
                }
            }
            "gemv" => {
                let a = matrix(n, n, 3);
                let f = a.t().as_standard_layout().into_owned();
                let x = matrix(n, 1, 4);
                let mut y = Array2::<f64>::zeros((n, 1));
                let flops = 2.0 * (n * n) as f64;
                for _ in 0..reps {
                    for (name, av) in [("C", a.view()), ("F", f.t())] {
                        let t = thread_cpu();
                        crate::kernels::gemv::gemv_with(
                            isa,
                            1,
                            &av,
                            &x.column(0),
                            &mut y.column_mut(0),
                            false,
                        );
                        record(&format!("gemv {name}"), thread_cpu() - t, flops);
                        let t = thread_cpu();
                        crate::linalg::bridge::faer_gemm(
                            &mut y.view_mut(),
                            &av,
                            &x.view(),
                            1.0,
                            false,
                        );
                        record(&format!("faer {name}"), thread_cpu() - t, flops);
                    }
                }
            }
            _ => continue,
        }
        for (name, secs, flops) in best {
            println!(
                "{kind} n={n} {name}: best {secs:.3e} s, {:.2} GFLOP/s (1 thread, CPU time)",
                flops / secs / 1e9
            );
        }
    }
}

/// This thread's CPU time in seconds.
fn thread_cpu() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}
