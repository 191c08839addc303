//! The float32 rows of issue 12: `matmul`, `solve`, `eigh`, `svd` and PCA on float32
//! inputs, in float32 (the baseline times NumPy / scikit-learn on `x.astype(np.float32)`).
//! Inputs: the float64 distributions of [`crate::inputs`], rounded to `f32`.

use std::hint::black_box;

use mlinalg::linalg;
use ndarray::{Array, Dimension};
use serde_json::json;

use crate::cases::{Case, case, run};
use crate::inputs::{rand, rand1, sym, wellcond};

/// Rounds a float64 input to float32 (NumPy's `astype(np.float32)`).
pub fn single<D: Dimension>(a: &Array<f64, D>) -> Array<f32, D> {
    a.mapv(|v| v as f32)
}

/// Appends the float32 ops with the baseline's sizes (full or `--quick`).
pub fn cases(quick: bool, v: &mut Vec<Case>) {
    let q = quick;
    let sizes: &[usize] = if q { &[256, 1024] } else { &[1024, 4096] };
    for &n in sizes {
        v.push(case(
            format!("matmul_f32_{n}"),
            json!(n),
            Some(2.0 * (n as f64).powi(3)),
            move |r| {
                let (a, b) = (single(&rand(r, n, n)), single(&rand(r, n, n)));
                run(move || {
                    black_box(mlinalg::ops::matmul_2d(a.view(), b.view())?);
                    Ok(())
                })
            },
        ));
    }
    let n = if q { 512 } else { 1024 };
    v.push(case(
        format!("solve_f32_{n}"),
        json!(n),
        Some(2.0 / 3.0 * (n as f64).powi(3)),
        move |r| {
            let (a, b) = (single(&wellcond(r, n)), single(&rand1(r, n)));
            run(move || {
                black_box(linalg::solve(a.view(), &b)?);
                Ok(())
            })
        },
    ));
    let n = if q { 256 } else { 1024 };
    v.push(case(format!("eigh_f32_{n}"), json!(n), None, move |r| {
        let s = single(&sym(r, n));
        run(move || {
            black_box(linalg::eigh(s.view())?);
            Ok(())
        })
    }));
    v.push(case(format!("svd_f32_{n}"), json!(n), None, move |r| {
        let a = single(&rand(r, n, n));
        run(move || {
            black_box(linalg::svd(a.view(), false)?);
            Ok(())
        })
    }));
    pca(q, v);
}

#[cfg(feature = "ml")]
fn pca(q: bool, v: &mut Vec<Case>) {
    let (m, k) = if q { (20000, 100) } else { (100000, 100) };
    v.push(case(
        format!("pca10_f32_{m}x{k}"),
        json!([m, k]),
        None,
        move |r: &mut mlinalg::random::Rng| {
            let x = single(&rand(r, m, k));
            run(move || {
                let (model, z) = mlinalg::decomposition::Pca::new(Some(10))
                    .seed(0)
                    .fit_transform(x.view())?;
                black_box((model, z));
                Ok(())
            })
        },
    ));
}

#[cfg(not(feature = "ml"))]
fn pca(_q: bool, _v: &mut Vec<Case>) {}

/// The PCA op this build skips (without the `ml` feature).
pub fn skipped(quick: bool) -> Vec<String> {
    if cfg!(feature = "ml") {
        Vec::new()
    } else {
        let (m, k) = if quick { (20000, 100) } else { (100000, 100) };
        vec![format!("pca10_f32_{m}x{k}")]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_and_types() {
        let mut v = Vec::new();
        super::cases(true, &mut v);
        let names: Vec<&str> = v.iter().map(|c| c.name.as_str()).collect();
        assert!(names.contains(&"matmul_f32_1024") && names.contains(&"solve_f32_512"));
        let mut full = Vec::new();
        super::cases(false, &mut full);
        let names: Vec<&str> = full.iter().map(|c| c.name.as_str()).collect();
        for want in [
            "matmul_f32_1024",
            "matmul_f32_4096",
            "solve_f32_1024",
            "eigh_f32_1024",
            "svd_f32_1024",
        ] {
            assert!(names.contains(&want), "{want} in {names:?}");
        }
        assert_eq!(
            super::single(&ndarray::array![0.1f64]),
            ndarray::array![0.1f32]
        );
    }
}
