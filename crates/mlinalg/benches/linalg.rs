//! Dense products, solvers and factorizations (`mlinalg::ops`, `mlinalg::linalg`).

use std::hint::black_box;

use crate::must;
use criterion::{BenchmarkId, Criterion, criterion_group};
use mlinalg::linalg::{self, QrMode};
use mlinalg::random::randn2;
use ndarray::Array2;

/// `G/√n + I`: well conditioned, finite determinant (the baseline's input for solve/inv/det).
fn wellcond(n: usize, seed: u64) -> Array2<f64> {
    let mut a = randn2(n, n, seed) / (n as f64).sqrt();
    a.diag_mut().mapv_inplace(|d| d + 1.0);
    a
}

/// `G Gᵀ + n I`: symmetric positive definite.
fn spd(n: usize, seed: u64) -> Array2<f64> {
    let g = randn2(n, n, seed);
    let mut s = g.dot(&g.t());
    s.diag_mut().mapv_inplace(|d| d + n as f64);
    s
}

/// `n×n @ n×n` from the small sizes of issue 6 (8, 32, 64) to 256, and a dense layer's
/// forward product `32×10 @ 10×64`.
fn matmul(c: &mut Criterion) {
    let mut g = c.benchmark_group("matmul");
    for n in [8, 32, 64, 256] {
        let (a, b) = (randn2(n, n, 0), randn2(n, n, 1));
        g.bench_with_input(BenchmarkId::new("square", n), &(a, b), |bch, (a, b)| {
            bch.iter(|| {
                must(mlinalg::ops::matmul_2d(
                    black_box(a.view()),
                    black_box(b.view()),
                ))
            })
        });
    }
    let (x, w) = (randn2(32, 10, 2), randn2(10, 64, 3));
    g.bench_with_input(
        BenchmarkId::new("forward", "32x10x64"),
        &(x, w),
        |bch, (x, w)| {
            bch.iter(|| {
                must(mlinalg::ops::matmul_2d(
                    black_box(x.view()),
                    black_box(w.view()),
                ))
            })
        },
    );
    for n in [64, 256] {
        let (a, x) = (randn2(n, n, 4), randn2(n, 1, 5).column(0).to_owned());
        g.bench_with_input(BenchmarkId::new("matvec", n), &(a, x), |bch, (a, x)| {
            bch.iter(|| {
                must(mlinalg::ops::matvec(
                    black_box(a.view()),
                    black_box(x.view()),
                ))
            })
        });
    }
    g.finish();
}

/// LU-based solve / inv / det, Cholesky, QR at small sizes.
fn factor(c: &mut Criterion) {
    let mut g = c.benchmark_group("factor");
    for n in [32, 128] {
        let a = wellcond(n, 10);
        let b = randn2(n, 1, 11).column(0).to_owned();
        g.bench_with_input(
            BenchmarkId::new("solve", n),
            &(a.clone(), b),
            |bch, (a, b)| bch.iter(|| must(linalg::solve(black_box(a.view()), black_box(b)))),
        );
        g.bench_with_input(BenchmarkId::new("inv", n), &a, |bch, a| {
            bch.iter(|| must(linalg::inv(black_box(a.view()))))
        });
        g.bench_with_input(BenchmarkId::new("det", n), &a, |bch, a| {
            bch.iter(|| must(linalg::det(black_box(a.view()))))
        });
        let s = spd(n, 12);
        g.bench_with_input(BenchmarkId::new("cholesky", n), &s, |bch, s| {
            bch.iter(|| must(linalg::cholesky(black_box(s.view()))))
        });
        let q = randn2(n, n, 13);
        g.bench_with_input(BenchmarkId::new("qr", n), &q, |bch, q| {
            bch.iter(|| must(linalg::qr(black_box(q.view()), QrMode::Reduced)))
        });
    }
    let (m, k) = (1000, 20);
    let (t, y) = (randn2(m, k, 14), randn2(m, 1, 15).column(0).to_owned());
    g.bench_with_input(
        BenchmarkId::new("lstsq", format!("{m}x{k}")),
        &(t, y),
        |bch, (t, y)| bch.iter(|| must(linalg::lstsq(black_box(t.view()), black_box(y), None))),
    );
    g.finish();
}

/// Symmetric and general eigenproblems and the thin SVD at small sizes.
fn spectral(c: &mut Criterion) {
    let mut g = c.benchmark_group("spectral");
    for n in [32, 128] {
        let a = randn2(n, n, 20);
        let s = (&a + &a.t()) * 0.5;
        g.bench_with_input(BenchmarkId::new("eigh", n), &s, |bch, s| {
            bch.iter(|| must(linalg::eigh(black_box(s.view()))))
        });
        g.bench_with_input(BenchmarkId::new("eig", n), &a, |bch, a| {
            bch.iter(|| must(linalg::eig(black_box(a.view()))))
        });
        g.bench_with_input(BenchmarkId::new("svd_thin", n), &a, |bch, a| {
            bch.iter(|| must(linalg::svd(black_box(a.view()), false)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = crate::config();
    targets = matmul, factor, spectral
}
