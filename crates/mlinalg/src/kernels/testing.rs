//! Helpers shared by the kernels' unit tests.

use ndarray::Array2;

/// Deterministic uniform(−1, 1) matrix (64-bit LCG, top 53 bits).
pub(crate) fn matrix(m: usize, n: usize, seed: u64) -> Array2<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    Array2::from_shape_fn((m, n), |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    })
}

pub(crate) fn max_abs_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Sizes around the leaf widths (16, 32), two recursion levels, the parallel GEMM
/// threshold (128³ multiply-adds) and the in-pool path (n ≥ 256).
pub(crate) const SIZES: [usize; 14] = [1, 2, 3, 15, 16, 17, 31, 32, 33, 64, 65, 100, 130, 300];
