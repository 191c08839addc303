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

/// Textbook `a @ b` (triple loop, in order of the inner index).
pub(crate) fn naive_matmul(a: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
    let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
    let mut c = Array2::zeros((m, n));
    for i in 0..m {
        for p in 0..k {
            let x = a[[i, p]];
            for j in 0..n {
                c[[i, j]] += x * b[[p, j]];
            }
        }
    }
    c
}

/// Textbook right-looking LU with partial pivoting (LAPACK's pivot rule: the first
/// largest magnitude), row-major; an all-zero column is left as it is (LAPACK's info > 0).
pub(crate) fn naive_lu(mut a: Array2<f64>) -> (Array2<f64>, Vec<usize>) {
    let (m, n) = a.dim();
    let mut ipiv = vec![0; n];
    for k in 0..n {
        let mut p = k;
        for i in k + 1..m {
            if a[[i, k]].abs() > a[[p, k]].abs() {
                p = i;
            }
        }
        ipiv[k] = p;
        for j in 0..n {
            a.swap([k, j], [p, j]);
        }
        let piv = a[[k, k]];
        if piv == 0.0 {
            continue;
        }
        for i in k + 1..m {
            a[[i, k]] /= piv;
            for j in k + 1..n {
                a[[i, j]] -= a[[i, k]] * a[[k, j]];
            }
        }
    }
    (a, ipiv)
}

/// Textbook Cholesky (dot-product form) of the lower triangle; `None` when a leading minor
/// is not positive definite.
pub(crate) fn naive_cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
    let n = a.nrows();
    let mut l = Array2::<f64>::zeros((n, n));
    for j in 0..n {
        let d = a[[j, j]] - (0..j).map(|p| l[[j, p]] * l[[j, p]]).sum::<f64>();
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        l[[j, j]] = d.sqrt();
        for i in j + 1..n {
            l[[i, j]] =
                (a[[i, j]] - (0..j).map(|p| l[[i, p]] * l[[j, p]]).sum::<f64>()) / l[[j, j]];
        }
    }
    Some(l)
}
