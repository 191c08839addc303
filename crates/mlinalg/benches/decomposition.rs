//! PCA and TruncatedSVD (`mlinalg::decomposition`), the baseline's settings at small sizes.

use std::hint::black_box;

use crate::must;
use criterion::{BenchmarkId, Criterion, criterion_group};
use mlinalg::decomposition::{Pca, TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::random::randn2;

use crate::sparse::random_csr;

/// `PCA(n_components=10).fit_transform` on tall data.
fn pca(c: &mut Criterion) {
    let mut g = c.benchmark_group("pca10");
    let pca = Pca::new(Some(10)).seed(0);
    for (m, k) in [(1000, 20), (5000, 50)] {
        let x = randn2(m, k, 30);
        g.bench_with_input(
            BenchmarkId::new("fit_transform", format!("{m}x{k}")),
            &x,
            |bch, x| bch.iter(|| must(pca.fit_transform(black_box(x.view())))),
        );
    }
    g.finish();
}

/// Randomized `TruncatedSVD(n_components=10, n_iter=5)` on dense and CSR input.
fn truncated_svd(c: &mut Criterion) {
    let mut g = c.benchmark_group("truncsvd10");
    let tsvd = TruncatedSvd::new(10)
        .algorithm(TruncatedSvdAlgorithm::Randomized)
        .n_iter(5)
        .seed(0);
    for (m, k) in [(1000, 200), (5000, 1000)] {
        let a = random_csr(m, k, 0.01, 31);
        g.bench_with_input(
            BenchmarkId::new("csr_fit_transform", format!("{m}x{k}")),
            &a,
            |bch, a| bch.iter(|| must(tsvd.fit_transform_sparse(black_box(a)))),
        );
    }
    let x = randn2(1000, 200, 32);
    g.bench_with_input(BenchmarkId::new("dense_fit", "1000x200"), &x, |bch, x| {
        bch.iter(|| must(tsvd.fit(black_box(x.view()))))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = crate::config();
    targets = pca, truncated_svd
}
