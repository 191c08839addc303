//! Tests of `mlinalg::io`: `.npy`/`.npz`, CSV and Matrix Market readers and writers,
//! against fixtures written by NumPy and SciPy (`tests/fixtures/generate_io.py`).

mod csv;
mod mtx;
pub(crate) mod npy;
mod npz;
mod summary;
mod typed;

use std::path::{Path, PathBuf};

use mlinalg::Error;
use mlinalg::io::{Dtype, Loaded, load, load_dense};

/// The path of a fixture under `tests/fixtures/io/`.
pub(crate) fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/io")
        .join(rel)
}

/// A fresh temporary directory.
pub(crate) fn tmpdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// The `detail` of an `Error::Format`, or a panic naming the unexpected error.
pub(crate) fn format_detail(e: Error) -> String {
    match e {
        Error::Format { detail, .. } => detail,
        other => panic!("expected Error::Format, got {other:?}"),
    }
}

/// Names of the files in `dir` (to check that no temporary file is left behind).
pub(crate) fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn load_dispatches_on_extension() {
    match load(&fixture("npy/base_i4_le_c.npy")).unwrap() {
        Loaded::Dense(d) => {
            assert_eq!(d.dtype, Dtype::Int32);
            assert_eq!(d.data.shape(), &[2, 3]);
        }
        Loaded::Sparse { .. } => panic!("npy must load dense"),
    }
    match load(&fixture("csv/plain.csv")).unwrap() {
        Loaded::Dense(d) => assert_eq!(d.dtype, Dtype::Float64),
        Loaded::Sparse { .. } => panic!("csv must load dense"),
    }
    match load(&fixture("mtx/integer.mtx")).unwrap() {
        Loaded::Sparse { matrix, dtype } => {
            assert_eq!(dtype, Dtype::Int64);
            assert_eq!(matrix.shape(), (4, 6));
        }
        Loaded::Dense(_) => panic!("mtx must load sparse"),
    }
    match load(&fixture("mtx/pattern.mtx")).unwrap() {
        Loaded::Sparse { dtype, .. } => assert_eq!(dtype, Dtype::Float64),
        Loaded::Dense(_) => panic!("mtx must load sparse"),
    }
}

#[test]
fn load_extension_is_case_insensitive() {
    let dir = tmpdir();
    let p = dir.path().join("A.NPY");
    std::fs::copy(fixture("npy/base_f8_le_c.npy"), &p).unwrap();
    assert!(matches!(load(&p).unwrap(), Loaded::Dense(_)));
}

#[test]
fn load_rejects_unknown_extension() {
    let e = load(Path::new("data/matrix.txt")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "data/matrix.txt: unknown extension '.txt' (supported: .npy, .npz, .csv, .mtx)"
    );
    let e = load(Path::new("data/matrix")).unwrap_err();
    assert_eq!(
        format_detail(e),
        "no file extension (supported: .npy, .npz, .csv, .mtx)"
    );
}

#[test]
fn load_of_an_npz_of_several_arrays_lists_them() {
    let path = fixture("npz/savez.npz");
    let e = load(&path).unwrap_err();
    assert_eq!(
        format_detail(e),
        format!(
            "the archive holds 2 arrays (arr_0, arr_1): pick one with {}:NAME",
            path.display()
        )
    );
}

#[test]
fn load_missing_file_is_io_error() {
    let e = load(&fixture("npy/does_not_exist.npy")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert!(e.to_string().contains("does_not_exist.npy"));
}

#[test]
fn load_dense_densifies_mtx() {
    let d = load_dense(&fixture("mtx/general.mtx")).unwrap();
    let want = mlinalg::io::read_npy(&fixture("mtx/general_dense.npy"))
        .unwrap()
        .data;
    assert_eq!(d.data.shape(), want.shape());
    for (a, b) in d.data.iter().zip(want.iter()) {
        assert!((a - b).abs() <= 1e-12 * b.abs(), "{a} vs {b}");
    }
}

#[test]
fn load_dense_refuses_absurd_dense_size() {
    // 10⁶ × 10⁶ with two entries: fine as sparse, refused (not aborted) as dense.
    let e = load_dense(&fixture("mtx/huge_sparse.mtx")).unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("(1000000, 1000000)"), "{e}");
}
