//! Every blocked kernel (GEMM, the SYRK and TRSM updates, LU, Cholesky) against its
//! textbook reference at sizes that cross every cache-block boundary (`kc`, `mc`, `nc`) of
//! three blockings: the one derived from this CPU's caches, a Zen 5-like one and a
//! small-cache one (the last two forced through [`cache::forced`]).

use ndarray::{Array2, ShapeBuilder};

use super::block::{Block, LEAF};
use super::cache::{self, Caches, forced};
use super::cholesky::cholesky_in_place;
use super::gemm::{Blocking, gemm_into, tile};
use super::isa::Isa;
use super::lu::LuFactor;
use super::syrk::syrk_lower;
use super::testing::{matrix, max_abs_diff, naive_cholesky, naive_lu, naive_matmul};
use super::trsm::{trsm_lower_unit, trsm_right_lower_t, trsm_upper};

/// The three cache descriptions, by name.
fn configurations() -> [(&'static str, Caches); 3] {
    [
        ("this CPU", cache::detect()),
        ("Zen 5", forced::ZEN5),
        ("small caches", forced::SMALL),
    ]
}

/// Runs `f(name, blocking, (mr, nr))` under each configuration.
fn each_blocking(f: impl Fn(&str, Blocking, (usize, usize))) {
    let isa = Isa::detect();
    for (name, caches) in configurations() {
        forced::with(caches, || {
            let blk = Blocking::for_cpu(isa);
            f(name, blk, tile(isa));
        });
    }
}

#[test]
fn the_three_blockings_differ_and_follow_the_caches() {
    let isa = Isa::detect();
    let (mr, nr) = tile(isa);
    let small = Blocking::derive(&forced::SMALL, mr, nr, 8);
    let zen5 = Blocking::derive(&forced::ZEN5, mr, nr, 8);
    assert!(small.kc < zen5.kc && small.mc <= zen5.mc && small.nc < zen5.nc);
    for b in [small, zen5, Blocking::derive(&cache::detect(), mr, nr, 8)] {
        assert!(
            b.kc * nr * 8 <= 48 << 10 && b.kc >= 32 && b.kc % 8 == 0,
            "{b:?}"
        );
        assert!(b.mc >= mr && b.mc % mr == 0 && b.nc % nr == 0, "{b:?}");
    }
    // the forcing reaches the kernels' entry point
    forced::with(forced::SMALL, || assert_eq!(Blocking::for_cpu(isa), small));
    forced::with(forced::ZEN5, || assert_eq!(Blocking::for_cpu(isa), zen5));
    // the documented rows of `Blocking::derive`'s table
    if isa == Isa::Avx512 {
        assert_eq!(
            zen5,
            Blocking {
                kc: 384,
                mc: 168,
                nc: 1360
            }
        );
    }
    let zen4 = Caches {
        l1d: cache::Cache {
            size: 32 << 10,
            ways: 8,
            line: 64,
        },
        ..forced::ZEN5
    };
    assert_eq!(
        Blocking::derive(&zen4, 24, 8, 8),
        Blocking {
            kc: 256,
            mc: 240,
            nc: 2048
        }
    );
    assert_eq!(
        Blocking::derive(&zen4, 8, 6, 8),
        Blocking {
            kc: 336,
            mc: 192,
            nc: 1560
        }
    );
    // f32: the same bytes per packed panel, so twice the depth for the same NR
    assert_eq!(
        Blocking::derive(&zen4, 48, 8, 4),
        Blocking {
            kc: 512,
            mc: 240,
            nc: 2048
        }
    );
    assert_eq!(
        Blocking::derive(&zen4, 16, 6, 4),
        Blocking {
            kc: 680,
            mc: 192,
            nc: 1542
        }
    );
    // the f32 kernels' blocking on this CPU is derived with 4-byte elements
    let (mr, nr) = <f32 as super::gemm::Element>::tile(isa);
    forced::with(forced::ZEN5, || {
        assert_eq!(
            Blocking::for_cpu_of::<f32>(isa),
            Blocking::derive(&forced::ZEN5, mr, nr, 4)
        );
    });
}

#[test]
fn gemm_crosses_every_block_boundary() {
    each_blocking(|name, blk, (_, nr)| {
        // The kernel runs down columns of C: an F-order C keeps (m, n), a C-order C is
        // transposed (the kernel's m is C's column count), so each orientation gets the
        // shape whose kernel dimensions cross mc, kc and nc.
        for (m, k, n, f_order) in [
            (blk.mc + 1, blk.kc + 1, blk.nc + nr + 1, true),
            (blk.nc + nr + 1, blk.kc + 1, blk.mc + 1, false),
        ] {
            let a = matrix(m, k, 1);
            let b = matrix(k, n, 2);
            let mut c = if f_order {
                Array2::from_elem((m, n).f(), f64::NAN)
            } else {
                Array2::from_elem((m, n), f64::NAN)
            };
            gemm_into(&mut c.view_mut(), &a.view(), &b.view(), false);
            let d = max_abs_diff(&c, &naive_matmul(&a, &b));
            assert!(
                d < 1e-13 * k as f64,
                "{name} {blk:?}: ({m}, {k}, {n}): {d:e}"
            );
        }
    });
}

#[test]
fn lu_crosses_every_block_boundary() {
    each_blocking(|name, blk, (_, nr)| {
        // square: the top-level update has depth n/2 > kc and n/2 > mc columns; tall: it
        // has more than nc rows (the kernel's n)
        let sq = 2 * blk.kc.max(blk.mc) + 2 * LEAF + 7;
        for (m, n) in [(sq, sq), (blk.nc + nr + 2 * LEAF + 1, 2 * LEAF + 5)] {
            let a = matrix(m, n, (m + n) as u64);
            let f = LuFactor::factor(a.clone());
            let (want, want_piv) = naive_lu(a);
            assert_eq!(
                f.ipiv, want_piv,
                "{name} {blk:?}: ({m}, {n}): pivots differ"
            );
            let d = max_abs_diff(&f.lu, &want);
            assert!(
                d < 1e-10,
                "{name} {blk:?}: ({m}, {n}): factors differ by {d:e}"
            );
        }
    });
}

#[test]
fn cholesky_crosses_every_block_boundary() {
    each_blocking(|name, blk, _| {
        // the top-level SYRK update has depth n/2 > kc, and its off-diagonal GEMM is about
        // n/4 × n/4 > mc
        let n = (2 * blk.kc).max(4 * blk.mc) + 100;
        let g = matrix(n, n, 5);
        let a = naive_matmul(&g, &g.t().to_owned()) + Array2::<f64>::eye(n) * n as f64;
        let mut l = a.clone();
        cholesky_in_place(&mut l).unwrap();
        let want = naive_cholesky(&a).unwrap();
        let d = max_abs_diff(&l, &want);
        assert!(
            d < 1e-11 * (n as f64).sqrt(),
            "{name} {blk:?}: n = {n}: {d:e}"
        );
    });
}

#[test]
fn trsm_crosses_every_block_boundary() {
    each_blocking(|name, blk, (_, nr)| {
        let n = 2 * blk.kc.max(blk.mc) + LEAF + 3;
        // a well-conditioned lower triangle
        let mut l = matrix(n, n, 7) / n as f64;
        for i in 0..n {
            l[[i, i]] = 1.0 + i as f64 / n as f64;
        }
        // B ← B L⁻ᵀ with more than nc rows (the kernel's n of the transposed update)
        let rows = blk.nc + nr + 1;
        let b = matrix(rows, n, 8);
        let mut x = b.clone();
        let lt = l.clone();
        // SAFETY: distinct C-order arrays; the shapes match.
        unsafe {
            let mut l2 = lt.clone();
            trsm_right_lower_t(Block::of(&mut l2), Block::of(&mut x));
        }
        // textbook forward substitution on each row: x_j = (b_j − Σ_{p<j} x_p L_jp) / L_jj
        let mut want = b.clone();
        for r in 0..rows {
            for j in 0..n {
                let s: f64 = (0..j).map(|p| want[[r, p]] * lt[[j, p]]).sum();
                want[[r, j]] = (want[[r, j]] - s) / lt[[j, j]];
            }
        }
        let d = max_abs_diff(&x, &want);
        assert!(
            d < 1e-11,
            "{name} {blk:?}: right lower-transposed {rows} × {n}: {d:e}"
        );

        // L⁻¹ B (unit lower) and U⁻¹ B with more than mc columns (the kernel's m)
        let cols = blk.mc + nr + 1;
        let b = matrix(n, cols, 9);
        let u = l.t().as_standard_layout().into_owned();
        let mut x1 = b.clone();
        let mut x2 = b.clone();
        // SAFETY: distinct C-order arrays; the shapes match.
        unsafe {
            let (mut l2, mut u2) = (l.clone(), u.clone());
            trsm_lower_unit(Block::of(&mut l2), Block::of(&mut x1));
            trsm_upper(Block::of(&mut u2), Block::of(&mut x2));
        }
        let (mut w1, mut w2) = (b.clone(), b.clone());
        for c in 0..cols {
            for i in 0..n {
                let s: f64 = (0..i).map(|p| l[[i, p]] * w1[[p, c]]).sum();
                w1[[i, c]] -= s;
            }
            for i in (0..n).rev() {
                let s: f64 = (i + 1..n).map(|p| u[[i, p]] * w2[[p, c]]).sum();
                w2[[i, c]] = (w2[[i, c]] - s) / u[[i, i]];
            }
        }
        let d1 = max_abs_diff(&x1, &w1);
        let d2 = max_abs_diff(&x2, &w2);
        assert!(
            d1 < 1e-11 && d2 < 1e-11,
            "{name} {blk:?}: n = {n}, {cols} columns: {d1:e}, {d2:e}"
        );
    });
}

#[test]
fn syrk_update_crosses_every_block_boundary() {
    each_blocking(|name, blk, (_, nr)| {
        // depth > kc with an off-diagonal update > mc; then > nc rows in the update
        for (n, k) in [
            (4 * blk.mc + 2 * LEAF + 3, blk.kc + 9),
            (2 * (blk.nc + nr) + 40, 8),
        ] {
            let mut a = matrix(n, k, 10);
            let c0 = matrix(n, n, 11);
            let mut c = c0.clone();
            // SAFETY: distinct C-order arrays; c is n × n and a is n × k.
            unsafe { syrk_lower(Block::of(&mut c), Block::of(&mut a)) };
            for i in 0..n {
                for j in 0..=i {
                    let s: f64 = (0..k).map(|p| a[[i, p]] * a[[j, p]]).sum();
                    let want = c0[[i, j]] - s;
                    assert!(
                        (c[[i, j]] - want).abs() < 1e-13 * k as f64,
                        "{name} {blk:?}: ({n}, {k}): [{i}, {j}] = {}, want {want}",
                        c[[i, j]]
                    );
                }
            }
        }
    });
}
