//! CSR construction and products (`mlinalg::sparse`).

use std::hint::black_box;

use crate::must;
use criterion::{BenchmarkId, Criterion, criterion_group};
use mlinalg::random::{randn2, rng};
use mlinalg::sparse::CsrMatrix;
use rand::Rng as _;

/// Seeded triplets of an `m×k` matrix with about `density·m·k` entries (duplicates summed),
/// values uniform on `[0, 1)` as `scipy.sparse.random`.
fn random_triplets(
    m: usize,
    k: usize,
    density: f64,
    seed: u64,
) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
    let mut r = rng(seed);
    let nnz = (density * (m * k) as f64).round() as usize;
    let rows = (0..nnz).map(|_| r.random_range(0..m)).collect();
    let cols = (0..nnz).map(|_| r.random_range(0..k)).collect();
    let vals = (0..nnz).map(|_| r.random::<f64>()).collect();
    (rows, cols, vals)
}

/// A seeded random CSR matrix (shared with the decomposition benches).
pub fn random_csr(m: usize, k: usize, density: f64, seed: u64) -> CsrMatrix {
    let (rows, cols, vals) = random_triplets(m, k, density, seed);
    CsrMatrix::from_triplets(m, k, &rows, &cols, &vals)
        .unwrap_or_else(|e| panic!("bench input {m}x{k}: {e}"))
}

/// `from_triplets`, `A @ x`, `A @ D` (64 columns) and `A.T` at density 0.01.
fn csr(c: &mut Criterion) {
    let mut g = c.benchmark_group("csr");
    for (m, k) in [(1000, 500), (10000, 2000)] {
        let id = format!("{m}x{k}");
        let (rows, cols, vals) = random_triplets(m, k, 0.01, 40);
        g.bench_with_input(
            BenchmarkId::new("from_triplets", &id),
            &(rows, cols, vals),
            |bch, (r, c, v)| bch.iter(|| must(CsrMatrix::from_triplets(m, k, r, c, black_box(v)))),
        );
        let a = random_csr(m, k, 0.01, 40);
        let x = randn2(k, 1, 41).column(0).to_owned();
        g.bench_with_input(BenchmarkId::new("dot_vec", &id), &(&a, x), |bch, (a, x)| {
            bch.iter(|| must(a.dot_vec(black_box(x.view()))))
        });
        let d = randn2(k, 64, 42);
        g.bench_with_input(
            BenchmarkId::new("dot_dense_x64", &id),
            &(&a, d),
            |bch, (a, d)| bch.iter(|| must(a.dot_dense(black_box(d.view())))),
        );
        g.bench_with_input(BenchmarkId::new("transpose", &id), &a, |bch, a| {
            bch.iter(|| black_box(a).transpose())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = crate::config();
    targets = csr
}
