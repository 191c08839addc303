//! The kernels' portable paths at sizes small enough for Miri: every raw-pointer routine of
//! the packed GEMM (any layout, partial tiles, several kc/mc/nc blocks, two threads), the
//! recursive LU, Cholesky and triangular solves (leaves and one GEMM level), the
//! lane-group Cholesky of small stacks, the matrix–vector kernel and the tall SYRK. Under
//! Miri the CPU-feature detection reports no AVX, so these are the scalar kernels; the
//! AVX2/AVX-512 micro-kernels (`std::arch` intrinsics) are not run by Miri.
//!
//! ```text
//! MIRIFLAGS="-Zmiri-tree-borrows -Zmiri-ignore-leaks" \
//!     cargo +nightly miri test -p mlinalg --lib kernels::miri_tests
//! ```
//!
//! Tree Borrows, because under Stacked Borrows Miri stops inside rayon's work-stealing
//! deque (`crossbeam-epoch` 0.9's intrusive list, `Local::element_of`), before any of our
//! code is reached on the worker thread; ignore-leaks, because rayon's global pool and the
//! kernels' pool threads are never joined. Run on 2026-12-07 (nightly 2026-05-19): every
//! test here passes, no undefined behaviour reported (about 5 minutes of interpretation).

use ndarray::{Array1, Array2, ShapeBuilder, s};

use super::cholesky::{LANES, cholesky_in_place, cholesky_lanes};
use super::gemm::{Blocking, gemm_sub_with, gemm_with};
use super::gemv::gemv_with;
use super::isa::Isa;
use super::lu::LuFactor;
use super::syrk::{gram, tall_times_small};
use super::testing::{matrix, max_abs_diff, naive_cholesky, naive_lu, naive_matmul};

#[test]
fn packed_gemm_every_layout_small_blocks() {
    let blk = Blocking {
        kc: 3,
        mc: 5,
        nc: 6,
    };
    let (m, k, n) = (9, 7, 11);
    let a = matrix(m, k, 1);
    let b = matrix(k, n, 2);
    let want = naive_matmul(&a, &b);
    let mut af = Array2::zeros((m, k).f());
    af.assign(&a);
    let bt = b.t().as_standard_layout().to_owned();
    let ar = a.slice(s![..;-1, ..]).to_owned();
    for threads in [1, 2] {
        for av in [a.view(), af.view(), ar.slice(s![..;-1, ..])] {
            for bv in [b.view(), bt.t()] {
                for f_out in [false, true] {
                    let mut c = if f_out {
                        Array2::from_elem((m, n).f(), f64::NAN)
                    } else {
                        Array2::from_elem((m, n), f64::NAN)
                    };
                    gemm_with(
                        &mut c.view_mut(),
                        &av,
                        &bv,
                        false,
                        Isa::Scalar,
                        blk,
                        threads,
                    );
                    assert!(max_abs_diff(&c, &want) < 1e-13);
                }
            }
        }
    }
    // a strided output view with negative strides
    let mut wide = Array2::from_elem((m, 2 * n), f64::NAN);
    let mut cv = wide.slice_mut(s![..;-1, ..;-2]);
    gemm_with(&mut cv, &a.view(), &b.view(), false, Isa::Scalar, blk, 1);
    assert!(max_abs_diff(&cv.to_owned(), &want) < 1e-13);
    assert!(wide.slice(s![.., ..;2]).iter().all(|v| v.is_nan()));
    // the faer fallback of the factorization update
    let mut c = want.clone();
    gemm_sub_with(Isa::Scalar, &mut c.view_mut(), &a.view(), &b.view());
    assert!(c.iter().all(|v| v.abs() < 1e-13));
}

#[test]
fn recursive_factorizations_and_solves() {
    // 40 columns: a 32-wide LU leaf and one recursion level with a GEMM update
    let n = 40;
    let a = matrix(n, n, 3) + Array2::<f64>::eye(n);
    let f = LuFactor::factor(a.clone());
    let (want, piv) = naive_lu(a.clone());
    assert_eq!(f.ipiv, piv);
    assert!(max_abs_diff(&f.lu, &want) < 1e-12);
    for k in [1, 6] {
        let b = matrix(n, k, 4);
        let mut x = b.clone();
        f.solve_in_place(&mut x);
        assert!(max_abs_diff(&naive_matmul(&a, &x), &b) < 1e-10);
    }
    let g = matrix(n, n, 5);
    let spd = naive_matmul(&g, &g.t().to_owned()) + Array2::<f64>::eye(n) * n as f64;
    let mut l = spd.clone();
    cholesky_in_place(&mut l).unwrap();
    assert!(max_abs_diff(&l, &naive_cholesky(&spd).unwrap()) < 1e-12);
}

#[test]
fn gemv_and_tall_kernels() {
    let a = matrix(13, 9, 6);
    let x = matrix(9, 1, 7).column(0).to_owned();
    let want = naive_matmul(&a, &x.clone().insert_axis(ndarray::Axis(1)))
        .column(0)
        .to_owned();
    let mut af = Array2::zeros((13, 9).f());
    af.assign(&a);
    for av in [a.view(), af.view()] {
        for threads in [1, 2] {
            let mut y = Array1::zeros(13);
            assert!(gemv_with(
                Isa::Scalar,
                threads,
                &av,
                &x.view(),
                &mut y.view_mut(),
                false
            ));
            assert!((&y - &want).iter().all(|d| d.abs() < 1e-13));
        }
    }
    let x = matrix(70, 5, 8);
    let g = gram(x.view());
    assert!(max_abs_diff(&g.xtx, &naive_matmul(&x.t().to_owned(), &x)) < 1e-12);
    let m = matrix(5, 3, 9);
    let p = tall_times_small(x.view(), m.view()).unwrap();
    assert!(max_abs_diff(&p, &naive_matmul(&x, &m)) < 1e-13);
}

/// [`cholesky_lanes`] (eight small matrices at once, into uninitialised memory) equals
/// [`cholesky_in_place`] of each, bit for bit.
#[test]
fn cholesky_lanes_small() {
    for m in [1usize, 3, 9] {
        let mut src = Vec::new();
        let mut want = Vec::new();
        for l in 0..LANES {
            let g = matrix(m, m, 50 + l as u64);
            let mut a = g.dot(&g.t()) + Array2::<f64>::eye(m);
            src.extend(a.iter().copied());
            cholesky_in_place(&mut a).unwrap();
            want.extend(a.iter().copied());
        }
        let mut dst = vec![std::mem::MaybeUninit::<f64>::uninit(); src.len()];
        assert!(cholesky_lanes(&src, &mut dst, m, false));
        for (d, w) in dst.iter().zip(&want) {
            // SAFETY: `cholesky_lanes` returned true: every element was written.
            assert_eq!(unsafe { d.assume_init() }.to_bits(), w.to_bits());
        }
    }
}
