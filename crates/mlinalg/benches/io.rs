//! Parsing and serialising `.npy`, CSV and Matrix Market text in memory (`mlinalg::io`),
//! so that the timings do not include the disk.

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

use crate::must;
use criterion::{BenchmarkId, Criterion, criterion_group};
use mlinalg::io::{parse_csv, parse_mtx, parse_npy, to_npy_bytes};
use mlinalg::random::randn2;

use crate::sparse::random_csr;

/// `.npy` to and from bytes for square float64 arrays.
fn npy(c: &mut Criterion) {
    let mut g = c.benchmark_group("npy");
    for n in [64, 512] {
        let a = randn2(n, n, 50);
        g.bench_with_input(BenchmarkId::new("to_bytes", n), &a, |bch, a| {
            bch.iter(|| to_npy_bytes(black_box(a)))
        });
        let bytes = to_npy_bytes(&a);
        g.bench_with_input(BenchmarkId::new("parse", n), &bytes, |bch, b| {
            bch.iter(|| must(parse_npy(black_box(b), Path::new("bench.npy"))))
        });
    }
    g.finish();
}

/// CSV text of `rows×cols` values, 17 significant digits, with a header line.
fn csv_text(rows: usize, cols: usize) -> String {
    let a = randn2(rows, cols, 51);
    let mut s = (0..cols)
        .map(|j| format!("c{j}"))
        .collect::<Vec<_>>()
        .join(",");
    s.push('\n');
    for row in a.rows() {
        let line: Vec<String> = row.iter().map(|v| format!("{v:.17e}")).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    s
}

/// Matrix Market coordinate text of a seeded CSR matrix (1-based indices).
fn mtx_text(m: usize, k: usize) -> String {
    let a = random_csr(m, k, 0.01, 52);
    let mut s = String::from("%%MatrixMarket matrix coordinate real general\n");
    let _ = writeln!(s, "{m} {k} {}", a.nnz());
    for i in 0..m {
        for p in a.indptr()[i]..a.indptr()[i + 1] {
            let _ = writeln!(s, "{} {} {:.17e}", i + 1, a.indices()[p] + 1, a.data()[p]);
        }
    }
    s
}

/// `parse_csv` and `parse_mtx` on in-memory text.
fn text(c: &mut Criterion) {
    let mut g = c.benchmark_group("text");
    for rows in [100, 1000] {
        let t = csv_text(rows, 20);
        g.bench_with_input(
            BenchmarkId::new("parse_csv", format!("{rows}x20")),
            &t,
            |bch, t| bch.iter(|| must(parse_csv(black_box(t), Path::new("bench.csv")))),
        );
    }
    for m in [1000, 5000] {
        let t = mtx_text(m, 500);
        g.bench_with_input(
            BenchmarkId::new("parse_mtx", format!("{m}x500")),
            &t,
            |bch, t| bch.iter(|| must(parse_mtx(black_box(t), Path::new("bench.mtx")))),
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = crate::config();
    targets = npy, text
}
