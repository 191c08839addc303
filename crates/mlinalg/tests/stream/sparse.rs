//! Sparse row-block sources (.npz CSR, row-ordered .mtx) and the streamed sparse
//! TruncatedSVD, never densified.

use ndarray::{Array2, Axis, concatenate};

use mlinalg::decomposition::{TruncatedSvd, TruncatedSvdAlgorithm};
use mlinalg::sparse::CsrMatrix;
use mlinalg::stream::{CsrRowSource, MtxCsrSource, NpzCsrSource, StreamOptions};

/// A 300 × 40 sparse matrix of rank 5: each row a multiple of one of five sparse rows.
fn low_rank_sparse() -> CsrMatrix {
    let (mut r, mut c, mut v) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..300usize {
        let base = i % 5;
        let f = 1.0 + (i * 7 % 13) as f64;
        for t in 0..4usize {
            r.push(i);
            c.push((base * 8 + t * 3 + base) % 40);
            v.push(f * (1.0 + t as f64 + base as f64 * 0.5));
        }
    }
    CsrMatrix::from_triplets(300, 40, &r, &c, &v).unwrap()
}

fn dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mlinalg-sparse-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn read_all(src: &mut dyn CsrRowSource, rows: usize) -> Array2<f64> {
    src.rewind().unwrap();
    let mut out = Array2::<f64>::zeros((0, src.ncols()));
    let mut next = 0u64;
    while let Some((first, m)) = src.read_block(rows).unwrap() {
        assert_eq!(first, next);
        next += m.nrows() as u64;
        out = concatenate![Axis(0), out, m.to_dense().unwrap()];
    }
    out
}

#[test]
fn npz_and_mtx_sources_give_the_matrix_for_every_block_size() {
    let m = low_rank_sparse();
    let d = dir("src");
    let npz = d.join("m.npz");
    m.save_npz(&npz).unwrap();
    let mtx = d.join("m.mtx");
    mlinalg::io::write_mtx(&mtx, &m).unwrap();
    let dense = m.to_dense().unwrap();
    let mut a = NpzCsrSource::open(&npz).unwrap();
    let mut b = MtxCsrSource::open(&mtx).unwrap();
    for rows in [1, 7, 293, 300, 1000] {
        assert_eq!(read_all(&mut a, rows), dense, "npz {rows}");
        assert_eq!(read_all(&mut b, rows), dense, "mtx {rows}");
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn out_of_order_and_symmetric_mtx_are_refused_with_the_line() {
    let d = dir("mtx");
    let p = d.join("u.mtx");
    std::fs::write(
        &p,
        "%%MatrixMarket matrix coordinate real general\n3 3 3\n2 1 1.0\n1 1 2.0\n3 3 1\n",
    )
    .unwrap();
    let mut s = MtxCsrSource::open(&p).unwrap();
    let e = s.read_block(10).unwrap_err().to_string();
    assert!(e.contains("line 4: entry in row 1 after row 2"), "{e}");
    let p = d.join("s.mtx");
    std::fs::write(
        &p,
        "%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 1 1\n",
    )
    .unwrap();
    assert!(
        MtxCsrSource::open(&p)
            .unwrap_err()
            .to_string()
            .contains("symmetric")
    );
    let p = d.join("short.mtx");
    std::fs::write(
        &p,
        "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n",
    )
    .unwrap();
    let mut s = MtxCsrSource::open(&p).unwrap();
    let e = s.read_block(10).unwrap_err().to_string();
    assert!(e.contains("promises 3 entries, the file holds 1"), "{e}");
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn sparse_tsvd_stream_equals_the_exact_svd() {
    let m = low_rank_sparse();
    let d = dir("tsvd");
    let npz = d.join("m.npz");
    m.save_npz(&npz).unwrap();
    let want = TruncatedSvd::new(3)
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_sparse(&m)
        .unwrap();
    for rows in [7, 300] {
        let got = TruncatedSvd::new(3)
            .fit_stream_sparse(
                &mut NpzCsrSource::open(&npz).unwrap(),
                &StreamOptions::with_block_rows(rows),
            )
            .unwrap();
        let dc = (got.components() - want.components())
            .iter()
            .fold(0.0f64, |a, v| a.max(v.abs()));
        assert!(dc < 1e-10, "rows {rows}: {dc}");
        for (a, b) in got.singular_values().iter().zip(want.singular_values()) {
            assert!((a - b).abs() < 1e-10 * b, "{a} vs {b}");
        }
        for (a, b) in got
            .explained_variance_ratio()
            .iter()
            .zip(want.explained_variance_ratio())
        {
            assert!((a - b).abs() < 1e-10, "{a} vs {b}");
        }
    }
    // the default options (blocks sized by the memory limit and the entries per row)
    let got = TruncatedSvd::new(3)
        .fit_stream_sparse(
            &mut NpzCsrSource::open(&npz).unwrap(),
            &StreamOptions::default(),
        )
        .unwrap();
    for (a, b) in got.singular_values().iter().zip(want.singular_values()) {
        assert!((a - b).abs() < 1e-10 * b, "{a} vs {b}");
    }
    let e = TruncatedSvd::new(3)
        .algorithm(TruncatedSvdAlgorithm::Exact)
        .fit_stream_sparse(
            &mut NpzCsrSource::open(&npz).unwrap(),
            &StreamOptions::default(),
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("randomized"), "{e}");
    std::fs::remove_dir_all(&d).ok();
}
