//! `CsrMatrix`: construction, validation, conversions, products, reductions, `.npz` files.

use std::path::{Path, PathBuf};

use mlinalg::Error;
use mlinalg::sparse::{CsrMatrix, MAX_DIM};
use ndarray::{Array1, Array2, ArrayView2, Ix2, array};
use proptest::prelude::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/io")
        .join(rel)
}

fn dense_ref(rel: &str) -> Array2<f64> {
    mlinalg::io::read_npy(&fixture(rel))
        .unwrap()
        .data
        .into_dimensionality::<Ix2>()
        .unwrap()
}

/// The 3 × 3 example of the module docs.
fn example() -> CsrMatrix {
    CsrMatrix::try_from_csr_data(
        3,
        3,
        vec![0, 2, 2, 4],
        vec![0, 2, 1, 2],
        vec![1.0, 2.0, 3.0, 4.0],
    )
    .unwrap()
}

/// Plain triple-loop product, the reference for the sparse kernels.
fn naive_matmul(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut c = Array2::zeros((a.nrows(), b.ncols()));
    for i in 0..a.nrows() {
        for j in 0..b.ncols() {
            c[[i, j]] = (0..a.ncols()).map(|k| a[[i, k]] * b[[k, j]]).sum();
        }
    }
    c
}

fn assert_close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) {
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.iter().zip(b.iter()) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{x} vs {y}");
    }
}

/// A deterministic pseudo-random sparse matrix (xorshift), about `density` filled.
fn pseudo_random(nrows: usize, ncols: usize, density: f64, seed: u64) -> CsrMatrix {
    let mut s = seed.max(1);
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let a = Array2::from_shape_fn((nrows, ncols), |_| {
        if next() < density {
            next() * 2.0 - 1.0
        } else {
            0.0
        }
    });
    CsrMatrix::from_dense(a.view())
}

#[test]
fn csr_data_is_validated_and_canonicalised() {
    let m = example();
    assert_eq!(m.shape(), (3, 3));
    assert_eq!((m.nrows(), m.ncols(), m.nnz()), (3, 3, 4));
    assert_eq!(m.indptr(), &[0, 2, 2, 4]);
    assert_eq!(
        m.to_dense().unwrap(),
        array![[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [0.0, 3.0, 4.0]]
    );
    // Unsorted columns with a duplicate: sorted, summed.
    let u = CsrMatrix::try_from_csr_data(
        2,
        3,
        vec![0, 3, 4],
        vec![2, 0, 2, 1],
        vec![1.0, 2.0, 3.0, 4.0],
    )
    .unwrap();
    assert_eq!(u.indptr(), &[0, 2, 3]);
    assert_eq!(u.indices(), &[0, 2, 1]);
    assert_eq!(u.data(), &[2.0, 4.0, 4.0]);
}

#[test]
fn error_csr_data_lengths() {
    let e = CsrMatrix::try_from_csr_data(2, 2, vec![0, 1], vec![0], vec![1.0]).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
    assert_eq!(
        e.to_string(),
        "csr_matrix: indptr has length 2, expected nrows + 1 = 3"
    );
    let e = CsrMatrix::try_from_csr_data(1, 2, vec![0, 2], vec![0], vec![1.0, 2.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "csr_matrix: indptr[-1] = 2 but indices has length 1 and data 2"
    );
}

#[test]
fn error_csr_data_indptr() {
    let e = CsrMatrix::try_from_csr_data(1, 2, vec![1, 1], vec![], vec![]).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }));
    assert_eq!(
        e.to_string(),
        "csr_matrix: invalid indptr: indptr[0] = 1, expected 0"
    );
    let e =
        CsrMatrix::try_from_csr_data(2, 2, vec![0, 2, 1], vec![0, 1], vec![1.0, 2.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "csr_matrix: invalid indptr: indptr decreases at row 1: 2 > 1"
    );
}

#[test]
fn error_csr_data_column_index() {
    let e = CsrMatrix::try_from_csr_data(3, 2, vec![0, 0, 0, 1], vec![5], vec![1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "csr_matrix: invalid indices: column index 5 (entry 0, row 2) is not below ncols = 2"
    );
}

#[test]
fn error_dimension_too_large() {
    let e = CsrMatrix::try_from_csr_data(1, MAX_DIM + 1, vec![0, 0], vec![], vec![]).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }));
    assert!(
        e.to_string()
            .contains("exceeds the largest supported dimension 268435456"),
        "{e}"
    );
    assert!(CsrMatrix::from_triplets(MAX_DIM + 1, 1, &[], &[], &[]).is_err());
}

#[test]
fn triplets_sum_duplicates() {
    let m = CsrMatrix::from_triplets(2, 3, &[1, 0, 1, 1], &[2, 1, 0, 2], &[1.0, 2.0, 3.0, 4.0])
        .unwrap();
    assert_eq!(m.nnz(), 3);
    assert_eq!(
        m.to_dense().unwrap(),
        array![[0.0, 2.0, 0.0], [3.0, 0.0, 5.0]]
    );
    let empty = CsrMatrix::from_triplets(0, 0, &[], &[], &[]).unwrap();
    assert_eq!((empty.shape(), empty.nnz()), ((0, 0), 0));
}

#[test]
fn error_triplets() {
    let e = CsrMatrix::from_triplets(2, 2, &[0, 1], &[0], &[1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "from_triplets: rows, cols and vals must have the same length, got 2, 1 and 1"
    );
    let e = CsrMatrix::from_triplets(2, 2, &[0, 2], &[0, 0], &[1.0, 1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "from_triplets: invalid rows: rows[1] = 2 is not below nrows = 2"
    );
    let e = CsrMatrix::from_triplets(2, 2, &[0], &[7], &[1.0]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "from_triplets: invalid cols: cols[0] = 7 is not below ncols = 2"
    );
}

#[test]
fn dense_round_trip_drops_exact_zeros() {
    let a = array![[0.0, -0.0, 1.0], [f64::NAN, 0.0, 0.0]];
    let m = CsrMatrix::from_dense(a.view());
    assert_eq!(m.nnz(), 2);
    let d = m.to_dense().unwrap();
    assert_eq!(d[[0, 2]], 1.0);
    assert!(d[[1, 0]].is_nan());
    assert_eq!(
        CsrMatrix::identity(3).to_dense().unwrap(),
        Array2::<f64>::eye(3)
    );
}

#[test]
fn error_to_dense_too_large() {
    let m = CsrMatrix::from_triplets(1_000_000, 1_000_000, &[0], &[0], &[1.0]).unwrap();
    let e = m.to_dense().unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }));
    assert_eq!(
        e.to_string(),
        "to_dense: shape (1000000, 1000000) is too large to allocate"
    );
}

#[test]
fn transpose_and_slice() {
    let m = example();
    assert_eq!(m.transpose().to_dense().unwrap(), m.to_dense().unwrap().t());
    assert_eq!(m.transpose().transpose(), m);
    let s = m.slice_rows(1, 3).unwrap();
    assert_eq!(
        s.to_dense().unwrap(),
        array![[0.0, 0.0, 0.0], [0.0, 3.0, 4.0]]
    );
    assert_eq!(m.slice_rows(2, 2).unwrap().shape(), (0, 3));
}

#[test]
fn error_slice_rows() {
    let e = example().slice_rows(2, 4).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
    assert_eq!(
        e.to_string(),
        "slice_rows: rows 2..4 are not a range within the 3 rows of a matrix of shape (3, 3)"
    );
    assert!(example().slice_rows(2, 1).is_err());
}

#[test]
fn products_match_dense() {
    let m = example();
    let d = m.to_dense().unwrap();
    let x = array![1.0, -2.0, 0.5];
    assert_eq!(m.dot_vec(x.view()).unwrap(), d.dot(&x));
    let b = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
    assert_eq!(
        m.dot_dense(b.view()).unwrap(),
        naive_matmul(d.view(), b.view())
    );
    assert_eq!(
        m.t_dot_dense(b.view()).unwrap(),
        naive_matmul(d.t(), b.view())
    );
    // Non-contiguous operands: a transposed view and a strided vector.
    let bt = array![[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]];
    assert_eq!(m.dot_dense(bt.t()).unwrap(), naive_matmul(d.view(), bt.t()));
    let xs = array![1.0, 9.0, -2.0, 9.0, 0.5];
    assert_eq!(m.dot_vec(xs.slice(ndarray::s![..;2])).unwrap(), d.dot(&x));
}

#[test]
fn products_with_empty_dimensions() {
    let m = example();
    assert_eq!(
        m.dot_dense(Array2::zeros((3, 0)).view()).unwrap().shape(),
        &[3, 0]
    );
    let z = CsrMatrix::from_triplets(0, 3, &[], &[], &[]).unwrap();
    assert_eq!(
        z.dot_dense(Array2::ones((3, 2)).view()).unwrap().shape(),
        &[0, 2]
    );
    assert_eq!(
        z.t_dot_dense(Array2::ones((0, 2)).view()).unwrap(),
        Array2::<f64>::zeros((3, 2))
    );
    assert_eq!(z.dot_vec(Array1::ones(3).view()).unwrap().len(), 0);
}

#[test]
fn error_product_shapes() {
    let m = example();
    let e = m.dot_vec(Array1::ones(2).view()).unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (3, 3) @ (2,): 3 != 2"
    );
    let e = m.dot_dense(Array2::ones((4, 2)).view()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (3, 3) @ (4, 2): 3 != 4"
    );
    let e = m.t_dot_dense(Array2::ones((2, 2)).view()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "matmul: inner dimensions differ: (3, 3)ᵀ @ (2, 2): 3 != 2"
    );
}

#[test]
fn parallel_products_match_naive() {
    // Large enough to be split across threads.
    let m = pseudo_random(600, 200, 0.05, 7);
    let d = m.to_dense().unwrap();
    let b = Array2::from_shape_fn((200, 16), |(i, j)| ((i * 16 + j) % 13) as f64 - 6.0);
    assert_close(
        &m.dot_dense(b.view()).unwrap(),
        &naive_matmul(d.view(), b.view()),
        1e-12,
    );
    let c = Array2::from_shape_fn((600, 8), |(i, j)| ((i + 3 * j) % 7) as f64 - 3.0);
    assert_close(
        &m.t_dot_dense(c.view()).unwrap(),
        &naive_matmul(d.t(), c.view()),
        1e-12,
    );
    let x = Array1::from_shape_fn(200, |i| (i % 5) as f64);
    let y = m.dot_vec(x.view()).unwrap();
    assert_close(
        &y.insert_axis(ndarray::Axis(1)),
        &naive_matmul(d.view(), x.view().insert_axis(ndarray::Axis(1))),
        1e-12,
    );
}

#[test]
fn reductions_include_implicit_zeros() {
    let m = CsrMatrix::from_triplets(2, 2, &[0, 1], &[0, 1], &[-1.0, -3.0]).unwrap();
    assert_eq!(m.sum(), -4.0);
    assert_eq!(m.min(), -3.0);
    assert_eq!(m.max(), 0.0); // implicit zeros
    assert_eq!(m.mean(), -1.0);
    // Full: no implicit zeros.
    let f = CsrMatrix::from_dense(array![[-1.0, -2.0]].view());
    assert_eq!((f.min(), f.max()), (-2.0, -1.0));
    // Empty matrix: NaN (scipy raises).
    let z = CsrMatrix::from_triplets(0, 3, &[], &[], &[]).unwrap();
    assert!(z.min().is_nan() && z.max().is_nan() && z.mean().is_nan());
    assert_eq!(z.sum(), 0.0);
    // All implicit zeros.
    let o = CsrMatrix::from_triplets(2, 2, &[], &[], &[]).unwrap();
    assert_eq!((o.min(), o.max(), o.mean()), (0.0, 0.0, 0.0));
    // NaN propagates.
    let n = CsrMatrix::from_dense(array![[f64::NAN, 1.0]].view());
    assert!(n.min().is_nan() && n.max().is_nan());
}

#[test]
fn mean_variance_axis0_matches_dense() {
    let m = pseudo_random(30, 7, 0.3, 11);
    let d = m.to_dense().unwrap();
    let (mean, var) = m.mean_variance_axis0();
    let dm = d.mean_axis(ndarray::Axis(0)).unwrap();
    let dv = d.var_axis(ndarray::Axis(0), 0.0);
    for j in 0..7 {
        assert!((mean[j] - dm[j]).abs() < 1e-14);
        assert!((var[j] - dv[j]).abs() < 1e-14);
    }
}

#[test]
fn memory_accounting() {
    let m = example();
    // scipy: data 4·8 + indices 4·4 + indptr 4·4 (int32 indices).
    assert_eq!(m.memory_bytes(), 32 + 16 + 16);
    assert_eq!(m.dense_memory_bytes(), 72);
    let huge = CsrMatrix::from_triplets(1, MAX_DIM, &[], &[], &[]).unwrap();
    assert_eq!(huge.dense_memory_bytes(), MAX_DIM * 8);
    let wide = CsrMatrix::from_dense(ndarray::Array2::zeros((0, 5)).view());
    assert_eq!(wide.dense_memory_bytes(), 0);
}

#[test]
fn scipy_save_npz_files() {
    let want = dense_ref("npz/sparse_dense.npy");
    for f in [
        "sparse_csr",
        "sparse_csr_stored",
        "sparse_csc",
        "sparse_coo",
        "sparse_csr_array",
    ] {
        let m = CsrMatrix::load_npz(&fixture(&format!("npz/{f}.npz")))
            .unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(m.to_dense().unwrap(), want, "{f}");
        assert_eq!(m.nnz(), want.iter().filter(|v| **v != 0.0).count(), "{f}");
    }
}

#[test]
fn error_load_npz() {
    let e = CsrMatrix::load_npz(&fixture("npz/sparse_bsr.npz")).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("scipy.sparse format 'bsr' is not supported (supported: csr, csc, coo)"),
        "{e}"
    );
    let e = CsrMatrix::load_npz(&fixture("npz/savez.npz")).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("not a scipy.sparse .npz file: no 'format' array"),
        "{e}"
    );
}

#[test]
fn error_load_npz_inconsistent_arrays() {
    use mlinalg::io::npy::write_npz;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.npz");
    // A dense .npz that has the sparse names but float indices and no format string.
    let z = ndarray::ArrayD::zeros(ndarray::IxDyn(&[2]));
    write_npz(
        &p,
        &[
            ("format", z.view()),
            ("shape", z.view()),
            ("data", z.view()),
        ],
    )
    .unwrap();
    let e = CsrMatrix::load_npz(&p).unwrap_err();
    assert!(
        e.to_string().ends_with("'format' is not a string array"),
        "{e}"
    );
}

#[test]
fn save_npz_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.npz");
    let m = pseudo_random(9, 5, 0.4, 3);
    m.save_npz(&p).unwrap();
    assert_eq!(CsrMatrix::load_npz(&p).unwrap(), m);
    // The entries scipy writes, in its order.
    let bytes = std::fs::read(&p).unwrap();
    let pos: Vec<usize> = [
        "indices.npy",
        "indptr.npy",
        "format.npy",
        "shape.npy",
        "data.npy",
    ]
    .iter()
    .map(|name| {
        bytes
            .windows(name.len())
            .position(|w| w == name.as_bytes())
            .expect(name)
    })
    .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
    let entries: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, vec!["m.npz"]);
}

fn sparse_strategy() -> impl Strategy<Value = CsrMatrix> {
    (1usize..12, 1usize..12).prop_flat_map(|(nrows, ncols)| {
        prop::collection::vec((0..nrows, 0..ncols, -10.0f64..10.0), 0..40).prop_map(move |t| {
            let (r, c, v): (Vec<usize>, Vec<usize>, Vec<f64>) = t.into_iter().fold(
                (vec![], vec![], vec![]),
                |(mut r, mut c, mut v), (i, j, x)| {
                    r.push(i);
                    c.push(j);
                    v.push(x);
                    (r, c, v)
                },
            );
            CsrMatrix::from_triplets(nrows, ncols, &r, &c, &v).unwrap()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn products_agree_with_dense(m in sparse_strategy(), k in 1usize..5) {
        let d = m.to_dense().unwrap();
        let b = Array2::from_shape_fn((m.ncols(), k), |(i, j)| (i as f64) - 0.5 * j as f64);
        let c = Array2::from_shape_fn((m.nrows(), k), |(i, j)| 1.0 + (i * j) as f64);
        let ab = m.dot_dense(b.view()).unwrap();
        let want = naive_matmul(d.view(), b.view());
        for (x, y) in ab.iter().zip(want.iter()) {
            prop_assert!((x - y).abs() <= 1e-9 * (1.0 + y.abs()));
        }
        let atc = m.t_dot_dense(c.view()).unwrap();
        let want = naive_matmul(d.t(), c.view());
        for (x, y) in atc.iter().zip(want.iter()) {
            prop_assert!((x - y).abs() <= 1e-9 * (1.0 + y.abs()));
        }
    }

    #[test]
    fn structure_invariants(m in sparse_strategy()) {
        prop_assert_eq!(m.indptr().len(), m.nrows() + 1);
        for i in 0..m.nrows() {
            let row = &m.indices()[m.indptr()[i]..m.indptr()[i + 1]];
            prop_assert!(row.windows(2).all(|w| w[0] < w[1]));
        }
        prop_assert_eq!(m.transpose().transpose(), m.clone());
        let d = m.to_dense().unwrap();
        let back = CsrMatrix::from_dense(d.view());
        prop_assert_eq!(back.to_dense().unwrap(), d.clone());
        prop_assert!((m.sum() - d.sum()).abs() <= 1e-9 * (1.0 + d.sum().abs()));
        prop_assert_eq!(m.max(), d.iter().copied().fold(f64::NEG_INFINITY, f64::max));
        prop_assert_eq!(m.min(), d.iter().copied().fold(f64::INFINITY, f64::min));
    }

    #[test]
    fn csr_data_round_trip(m in sparse_strategy()) {
        let again = CsrMatrix::try_from_csr_data(
            m.nrows(), m.ncols(), m.indptr().to_vec(), m.indices().to_vec(), m.data().to_vec(),
        ).unwrap();
        prop_assert_eq!(again, m);
    }
}

/// Writes a zip archive of `.npy` entries given as (name, header dict, body).
fn write_raw_npz(path: &Path, entries: &[(&str, &str, Vec<u8>)]) {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, dict, body) in entries {
        zip.start_file(
            format!("{name}.npy"),
            zip::write::SimpleFileOptions::default(),
        )
        .unwrap();
        zip.write_all(&crate::io::npy::npy_with_header(dict, body))
            .unwrap();
    }
    zip.finish().unwrap();
}

fn i4(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f8(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A scipy-layout CSR archive with the given pieces; returns the error of `load_npz`.
fn load_npz_err(
    shape: &[i32],
    indptr: &[i32],
    indices: &[i32],
    data_dict: &str,
    data: &[f64],
) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.npz");
    let d = |n: usize| format!("{{'descr': '<i4', 'fortran_order': False, 'shape': ({n},), }}");
    write_raw_npz(
        &p,
        &[
            ("indices", &d(indices.len()), i4(indices)),
            ("indptr", &d(indptr.len()), i4(indptr)),
            (
                "format",
                "{'descr': '|S3', 'fortran_order': False, 'shape': (), }",
                b"csr".to_vec(),
            ),
            ("shape", &d(shape.len()), i4(shape)),
            ("data", data_dict, f8(data)),
        ],
    );
    let e = CsrMatrix::load_npz(&p).unwrap_err();
    let msg = e.to_string();
    msg.split_once("m.npz")
        .map_or(msg.clone(), |(_, rest)| rest.to_string())
}

#[test]
fn load_npz_handcrafted_archive_reads() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.npz");
    let d = |n: usize| format!("{{'descr': '<i4', 'fortran_order': False, 'shape': ({n},), }}");
    write_raw_npz(
        &p,
        &[
            ("indices", &d(2), i4(&[1, 0])),
            ("indptr", &d(3), i4(&[0, 1, 2])),
            (
                "format",
                "{'descr': '<U3', 'fortran_order': False, 'shape': (), }",
                {
                    "csr"
                        .chars()
                        .flat_map(|c| (c as u32).to_le_bytes())
                        .collect()
                },
            ),
            ("shape", &d(2), i4(&[2, 2])),
            (
                "data",
                "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
                f8(&[5.0, 6.0]),
            ),
        ],
    );
    let m = CsrMatrix::load_npz(&p).unwrap();
    assert_eq!(m.to_dense().unwrap(), array![[0.0, 5.0], [6.0, 0.0]]);
}

#[test]
fn error_load_npz_bad_pieces() {
    let data1 = "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }";
    assert_eq!(
        load_npz_err(&[2, 2, 2], &[0, 1, 1], &[0], data1, &[1.0]),
        ": 'shape' has 3 entries, expected 2"
    );
    assert_eq!(
        load_npz_err(&[2, 2], &[0, 1, 1], &[-1], data1, &[1.0]),
        ": 'indices': negative index -1"
    );
    assert_eq!(
        load_npz_err(&[2, 2], &[0, 1, 1], &[5], data1, &[1.0]),
        ": csr_matrix: invalid indices: column index 5 (entry 0, row 0) is not below ncols = 2"
    );
    let data2d = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }";
    assert_eq!(
        load_npz_err(&[2, 2], &[0, 1, 1], &[0], data2d, &[1.0]),
        ": 'data' is not a 1-d array"
    );
}

#[test]
fn t_dot_dense_multi_block_scatter_matches_naive() {
    // nnz · k large enough for several scatter blocks, each with its own buffer.
    let m = pseudo_random(2000, 300, 0.1, 5);
    let d = m.to_dense().unwrap();
    let c = Array2::from_shape_fn((2000, 8), |(i, j)| ((i * 7 + j) % 11) as f64 - 5.0);
    assert_close(
        &m.t_dot_dense(c.view()).unwrap(),
        &naive_matmul(d.t(), c.view()),
        1e-12,
    );
    // Reproducible: the same bits on every call.
    assert_eq!(
        m.t_dot_dense(c.view()).unwrap(),
        m.t_dot_dense(c.view()).unwrap()
    );
}

#[test]
fn t_dot_dense_large_output_uses_transpose_path() {
    // Output (10⁶, 9) = 72 MB: too large to duplicate per block, so Aᵀ is formed instead.
    let n = 1_000_000;
    let rows: Vec<usize> = (0..10_000).map(|e| e % 100).collect();
    let cols: Vec<usize> = (0..10_000).map(|e| (e * 7919) % n).collect();
    let vals: Vec<f64> = (0..10_000).map(|e| e as f64 * 0.5 - 7.0).collect();
    let m = CsrMatrix::from_triplets(100, n, &rows, &cols, &vals).unwrap();
    let c = Array2::from_shape_fn((100, 9), |(i, j)| (i + j) as f64);
    let got = m.t_dot_dense(c.view()).unwrap();
    assert_eq!(got, m.transpose().dot_dense(c.view()).unwrap());
    assert_eq!(got[[7919 % n, 0]], vals[1] * c[[1, 0]]);
}
