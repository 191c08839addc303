//! The stacked rows of issue 12: `inv`, `solve`, `det` and `cholesky` of 10⁵ 4×4 and
//! 10⁴ 32×32 matrices, `svd` of 10⁴ 8×8, through `mlinalg::linalg::stacked` (NumPy's
//! `(..., M, M)` broadcasting). Each matrix of a stack has the distribution of the
//! single-matrix op's input: `G/√n + I` (inv, solve, det), `G Gᵀ + n I` (cholesky),
//! standard normal (svd); `solve`'s right-hand sides are `(count, n, 1)`, one column per
//! matrix (NumPy 2 reads a `(count, n)` b as a stack of matrices too).

use std::hint::black_box;

use mlinalg::linalg::stacked;
use mlinalg::random::Rng;
use ndarray::{Array3, Axis};
use serde_json::json;

use crate::cases::{Case, case, run};
use crate::inputs::rand;

/// `count` standard normal n×n matrices.
fn normal_stack(r: &mut Rng, count: usize, n: usize) -> Array3<f64> {
    let g = rand(r, count * n, n);
    // safe because rand returns a C-order (count·n, n) array
    g.into_shape_with_order((count, n, n))
        .expect("a (count·n, n) array reshapes to (count, n, n)")
}

/// `G/√n + I` per matrix.
fn wellcond_stack(r: &mut Rng, count: usize, n: usize) -> Array3<f64> {
    let mut a = normal_stack(r, count, n) / (n as f64).sqrt();
    for mut m in a.axis_iter_mut(Axis(0)) {
        m.diag_mut().mapv_inplace(|d| d + 1.0);
    }
    a
}

/// `G Gᵀ + n I` per matrix.
fn spd_stack(r: &mut Rng, count: usize, n: usize) -> Array3<f64> {
    let g = normal_stack(r, count, n);
    let mut s = Array3::zeros((count, n, n));
    for (mut out, gi) in s.axis_iter_mut(Axis(0)).zip(g.axis_iter(Axis(0))) {
        out.assign(&gi.dot(&gi.t()));
        out.diag_mut().mapv_inplace(|d| d + n as f64);
    }
    s
}

/// Appends the stacked ops (full or `--quick` sizes).
pub fn cases(quick: bool, v: &mut Vec<Case>) {
    let shapes: [(usize, usize); 2] = if quick {
        [(10000, 4), (1000, 32)]
    } else {
        [(100000, 4), (10000, 32)]
    };
    for (count, n) in shapes {
        let size = json!([count, n, n]);
        let n3 = (count as f64) * (n as f64).powi(3);
        v.push(case(
            format!("inv_stack_{count}x{n}"),
            size.clone(),
            Some(2.0 * n3),
            move |r| {
                let a = wellcond_stack(r, count, n);
                run(move || {
                    black_box(stacked::inv(a.view().into_dyn())?);
                    Ok(())
                })
            },
        ));
        v.push(case(
            format!("solve_stack_{count}x{n}"),
            size.clone(),
            Some(2.0 / 3.0 * n3),
            move |r| {
                let a = wellcond_stack(r, count, n);
                let b = rand(r, count * n, 1)
                    .into_shape_with_order((count, n, 1))
                    .expect("a (count·n, 1) array reshapes to (count, n, 1)");
                run(move || {
                    black_box(stacked::solve(a.view().into_dyn(), b.view().into_dyn())?);
                    Ok(())
                })
            },
        ));
        v.push(case(
            format!("det_stack_{count}x{n}"),
            size.clone(),
            Some(2.0 / 3.0 * n3),
            move |r| {
                let a = wellcond_stack(r, count, n);
                run(move || {
                    black_box(stacked::det(a.view().into_dyn())?);
                    Ok(())
                })
            },
        ));
        v.push(case(
            format!("cholesky_stack_{count}x{n}"),
            size,
            Some(n3 / 3.0),
            move |r| {
                let s = spd_stack(r, count, n);
                run(move || {
                    black_box(stacked::cholesky(s.view().into_dyn(), false)?);
                    Ok(())
                })
            },
        ));
    }
    let (count, n) = if quick { (1000, 8) } else { (10000, 8) };
    v.push(case(
        format!("svd_stack_{count}x{n}"),
        json!([count, n, n]),
        None,
        move |r| {
            let a = normal_stack(r, count, n);
            run(move || {
                black_box(stacked::svd(a.view().into_dyn(), false)?);
                Ok(())
            })
        },
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_have_the_distributions_and_names() {
        let mut r = crate::inputs::rng_for("t");
        let s = spd_stack(&mut r, 3, 4);
        for m in s.axis_iter(Axis(0)) {
            assert!(mlinalg::linalg::is_positive_definite(m));
        }
        let a = wellcond_stack(&mut r, 2, 5);
        assert_eq!(a.dim(), (2, 5, 5));
        let mut v = Vec::new();
        cases(false, &mut v);
        let names: Vec<&str> = v.iter().map(|c| c.name.as_str()).collect();
        for want in [
            "inv_stack_100000x4",
            "solve_stack_100000x4",
            "det_stack_100000x4",
            "cholesky_stack_100000x4",
            "inv_stack_10000x32",
            "cholesky_stack_10000x32",
            "svd_stack_10000x8",
        ] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
    }
}
