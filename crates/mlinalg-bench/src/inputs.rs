//! Seeded float64 inputs with the distributions of `numpy_baseline.py`.
//!
//! The numbers differ from NumPy's (ChaCha8 instead of PCG64), the shapes and
//! distributions do not: standard normal `G`; `solve`/`inv`/`det` use `G/√n + I`;
//! `cholesky` uses `G Gᵀ + n I`; `eigh` uses `(G + Gᵀ)/2`.

use mlinalg::random::{Rng, randn2_with};
use ndarray::{Array1, Array2, Axis};

/// The baseline's seed. Each op derives its own generator from it and its name, so an
/// op's inputs do not depend on which other ops `--only` selected.
pub const SEED: u64 = 12345;

/// A generator for the op called `name`.
pub fn rng_for(name: &str) -> Rng {
    // FNV-1a: a fixed, dependency-free hash of the op name
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    mlinalg::random::rng(SEED ^ h)
}

/// `(m, n)` standard normal.
pub fn rand(rng: &mut Rng, m: usize, n: usize) -> Array2<f64> {
    randn2_with(rng, m, n)
}

/// `n` standard normal values.
pub fn rand1(rng: &mut Rng, n: usize) -> Array1<f64> {
    randn2_with(rng, n, 1).remove_axis(Axis(1))
}

/// Well-conditioned nonsymmetric `G/√n + I`, scaled so that `det` stays finite.
pub fn wellcond(rng: &mut Rng, n: usize) -> Array2<f64> {
    let mut a = rand(rng, n, n) / (n as f64).sqrt();
    a.diag_mut().mapv_inplace(|d| d + 1.0);
    a
}

/// Symmetric positive definite `G Gᵀ + n I`.
pub fn spd(rng: &mut Rng, n: usize) -> mlinalg::Result<Array2<f64>> {
    let g = rand(rng, n, n);
    let mut s = mlinalg::ops::matmul_2d(g.view(), g.t())?;
    s.diag_mut().mapv_inplace(|d| d + n as f64);
    Ok(s)
}

/// Symmetric `(G + Gᵀ)/2`.
pub fn sym(rng: &mut Rng, n: usize) -> Array2<f64> {
    let g = rand(rng, n, n);
    (&g + &g.t()) * 0.5
}

/// The sparsity pattern of `scipy.sparse.random(m, k, density)`: exactly
/// `round(density·m·k)` distinct positions drawn uniformly, as `(row, col)` sorted in
/// row-major order, with values uniform on `[0, 1)` (scipy's default `data_rvs`).
#[cfg_attr(not(feature = "ml"), allow(dead_code))]
pub fn sparse_random_triplets(
    rng: &mut Rng,
    m: usize,
    k: usize,
    density: f64,
) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    use rand::Rng as _;
    let total = (m as u64) * (k as u64);
    let nnz = (density * total as f64).round() as usize;
    let mut pos: Vec<u64> = Vec::with_capacity(nnz);
    // draw, sort, drop duplicates, top up: collisions are rare at density 0.001
    while pos.len() < nnz {
        let missing = nnz - pos.len();
        pos.extend((0..missing).map(|_| rng.random_range(0..total)));
        pos.sort_unstable();
        pos.dedup();
    }
    let rows = pos.iter().map(|&p| (p / k as u64) as usize).collect();
    let cols = pos.iter().map(|&p| (p % k as u64) as usize).collect();
    let vals = (0..nnz).map(|_| rng.random::<f64>()).collect();
    (rows, cols, vals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_symmetry() -> mlinalg::Result<()> {
        let mut r = rng_for("t");
        assert_eq!(rand(&mut r, 3, 4).dim(), (3, 4));
        assert_eq!(rand1(&mut r, 5).len(), 5);
        let s = sym(&mut r, 6);
        assert_eq!(s, s.t());
        let p = spd(&mut r, 6)?;
        assert!(mlinalg::linalg::is_positive_definite(p.view()));
        assert!(mlinalg::linalg::det(wellcond(&mut r, 50).view())?.is_finite());
        Ok(())
    }

    #[test]
    fn sparse_pattern_is_exact_and_distinct() {
        let (r, c, v) = sparse_random_triplets(&mut rng_for("s"), 200, 100, 0.01);
        assert_eq!(r.len(), 200);
        let mut p: Vec<_> = r.iter().zip(&c).collect();
        p.dedup();
        assert_eq!(p.len(), 200);
        assert!(r.iter().all(|&i| i < 200) && c.iter().all(|&j| j < 100));
        assert!(v.iter().all(|x| (0.0..1.0).contains(x)));
    }
}
