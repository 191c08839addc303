//! PCA of the handwritten digits: 1797 images of 8 × 8 pixels (scikit-learn's
//! `load_digits`, shipped in `examples/data/` by `tests/fixtures/generate_models.py`).
//!
//!     cargo run -p mlinalg --example pca_digits
//!
//! Prints how much of the variance the first components explain (scikit-learn:
//! 0.1489 and 0.1362 for the first two), how many components keep 90 % of it, and where
//! the mean image of each digit lands in the plane of the first two components.

use std::path::Path;

use mlinalg::decomposition::{Pca, PcaSolver};
use ndarray::{Array2, Axis, Ix1, Ix2};

fn main() -> mlinalg::Result<()> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    // uint8 pixel intensities 0..=16, read as float64
    let x = mlinalg::io::load_dense(&data.join("digits.npy"))?
        .data
        .into_dimensionality::<Ix2>()
        .map_err(|e| mlinalg::Error::Unsupported {
            op: "pca_digits",
            detail: e.to_string(),
        })?;
    let target = mlinalg::io::load_dense(&data.join("digits_target.npy"))?
        .data
        .into_dimensionality::<Ix1>()
        .map_err(|e| mlinalg::Error::Unsupported {
            op: "pca_digits",
            detail: e.to_string(),
        })?;
    println!("digits: {} images of {} pixels", x.nrows(), x.ncols());

    let all = Pca::new(None).solver(PcaSolver::Svd).fit(x.view())?;
    let ratio = all.explained_variance_ratio();
    println!(
        "explained variance ratio of the first 5 components: {:.4}",
        ratio.slice(ndarray::s![..5])
    );
    let mut total = 0.0;
    let keep = ratio
        .iter()
        .position(|r| {
            total += r;
            total >= 0.9
        })
        .map_or(ratio.len(), |i| i + 1);
    println!("{keep} of 64 components keep 90 % of the variance");

    let pca = Pca::new(Some(2)).solver(PcaSolver::Svd).fit(x.view())?;
    let z = pca.transform(x.view())?;
    println!("mean position of each digit on the first two components:");
    for digit in 0..10 {
        let rows: Vec<usize> = (0..x.nrows())
            .filter(|&i| target[i] == f64::from(digit))
            .collect();
        let zi: Array2<f64> = z.select(Axis(0), &rows);
        let m = zi.mean_axis(Axis(0)).unwrap_or_default();
        println!(
            "  {digit}: ({:7.2}, {:7.2})  {} images",
            m[0],
            m[1],
            rows.len()
        );
    }
    Ok(())
}
