//! Deliberately wrong-shaped or wrongly laid-out calls of the kernels' safe entry points
//! are refused with a panic that names the problem, never run into undefined behaviour.

use ndarray::{Array2, ShapeBuilder};

use super::cholesky::cholesky_in_place;
use super::gemm::{Blocking, gemm_into, gemm_with};
use super::isa::Isa;
use super::lu::LuFactor;
use super::syrk::tall_times_small;

#[test]
#[should_panic(expected = "gemm: shapes (3, 4) @ (5, 2) -> (3, 2)")]
fn gemm_refuses_mismatched_inner_dimensions() {
    let mut c = Array2::<f64>::zeros((3, 2));
    gemm_into(
        &mut c.view_mut(),
        &Array2::zeros((3, 4)).view(),
        &Array2::zeros((5, 2)).view(),
        false,
    );
}

#[test]
#[should_panic(expected = "gemm: shapes (3, 4) @ (4, 2) -> (2, 2)")]
fn gemm_refuses_a_wrong_output_shape() {
    let isa = Isa::detect();
    let mut c = Array2::<f64>::zeros((2, 2));
    gemm_with(
        &mut c.view_mut(),
        &Array2::zeros((3, 4)).view(),
        &Array2::zeros((4, 2)).view(),
        false,
        isa,
        Blocking::for_cpu(isa),
        1,
    );
}

#[test]
#[should_panic(expected = "cholesky_in_place: 4 × 3 is not square")]
fn cholesky_refuses_a_non_square_matrix() {
    let _ = cholesky_in_place(&mut Array2::zeros((4, 3)));
}

#[test]
#[should_panic(expected = "is not in C order")]
fn cholesky_refuses_a_column_major_matrix() {
    let mut a = Array2::<f64>::eye(5);
    let mut f = Array2::<f64>::zeros((5, 5).f());
    f.assign(&a);
    a = f;
    let _ = cholesky_in_place(&mut a);
}

#[test]
#[should_panic(expected = "has more columns than rows")]
fn lu_refuses_a_wide_matrix() {
    let _ = LuFactor::factor(Array2::zeros((3, 4)));
}

#[test]
#[should_panic(expected = "is not in C order")]
fn lu_refuses_a_column_major_matrix() {
    let _ = LuFactor::factor(Array2::<f64>::zeros((6, 6).f()));
}

#[test]
#[should_panic(expected = "LuFactor::solve_in_place: (4, 4) factor, right-hand sides (3, 1)")]
fn lu_solve_refuses_wrong_right_hand_sides() {
    let f = LuFactor::factor(Array2::eye(4));
    f.solve_in_place(&mut Array2::zeros((3, 1)));
}

#[test]
#[should_panic(expected = "is not in C order")]
fn lu_solve_refuses_column_major_right_hand_sides() {
    let f = LuFactor::factor(Array2::eye(4));
    f.solve_in_place(&mut Array2::zeros((4, 3).f()));
}

#[test]
#[should_panic(expected = "LuFactor::solve_in_place")]
fn lu_solve_refuses_a_tampered_factor() {
    // a factor replaced by a column-major array (the field is crate-visible)
    let mut f = LuFactor::factor(Array2::eye(4));
    f.lu = Array2::zeros((4, 4).f());
    f.solve_in_place(&mut Array2::zeros((4, 1)));
}

#[test]
#[should_panic(expected = "tall_times_small: (5, 3) @ (2, 4)")]
fn tall_times_small_refuses_mismatched_shapes() {
    let _ = tall_times_small(Array2::zeros((5, 3)).view(), Array2::zeros((2, 4)).view());
}

/// Where the CPU has no AVX2 (every non-x86 target) the factorizations' updates run on
/// faer's GEMM, not on the portable 4 × 4 kernel.
#[test]
fn without_avx2_the_updates_use_faer() {
    use super::gemm::{Backend, gemm_sub_with};
    assert_eq!(Backend::for_isa(Isa::Scalar), Backend::Faer);
    #[cfg(not(target_arch = "x86_64"))]
    assert_eq!(Backend::for_isa(Isa::detect()), Backend::Faer);
    #[cfg(target_arch = "x86_64")]
    assert_eq!(
        Backend::for_isa(Isa::detect()),
        if Isa::Avx2.available() {
            Backend::Packed
        } else {
            Backend::Faer
        }
    );
    // the fallback computes c -= a b, for every layout of c
    let a = super::testing::matrix(70, 40, 1);
    let b = super::testing::matrix(40, 50, 2);
    let c0 = super::testing::matrix(70, 50, 3);
    let want = &c0 - &super::testing::naive_matmul(&a, &b);
    for f_order in [false, true] {
        let mut c = if f_order {
            let mut f = Array2::zeros((70, 50).f());
            f.assign(&c0);
            f
        } else {
            c0.clone()
        };
        gemm_sub_with(Isa::Scalar, &mut c.view_mut(), &a.view(), &b.view());
        assert!(super::testing::max_abs_diff(&c, &want) < 1e-12);
    }
}
