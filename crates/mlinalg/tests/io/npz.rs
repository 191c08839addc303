//! `.npz` files as inputs: one array, one of several by name, scipy.sparse, hostile
//! archives (`tests/fixtures/generate_io.py`, `npz_input/`).

use std::path::{Path, PathBuf};

use mlinalg::Error;
use mlinalg::io::{
    Dtype, Loaded, TypedArray, TypedLoaded, load, load_dense, load_typed, load_typed_keep_sparse,
    npz_names, read_npy, read_npz_member,
};

use super::{fixture, format_detail};

fn member(file: &str, name: &str) -> PathBuf {
    PathBuf::from(format!("{}:{name}", fixture(file).display()))
}

fn reference(rel: &str) -> ndarray::ArrayD<f64> {
    read_npy(&fixture(rel)).unwrap().data
}

#[test]
fn an_archive_of_one_array_reads_like_a_npy_file() {
    let want = reference("npz_input/single_ref.npy");
    for f in [
        "npz_input/single.npz",
        "npz_input/single_named.npz",
        "npz_input/single_compressed.npz",
    ] {
        assert_eq!(load_dense(&fixture(f)).unwrap().data, want, "{f}");
        let t = load_typed(&fixture(f)).unwrap();
        assert_eq!(t.data, TypedArray::Float64(want.clone()), "{f}");
    }
    // The single array also by its name.
    assert_eq!(
        load_dense(&member("npz_input/single.npz", "arr_0"))
            .unwrap()
            .data,
        want
    );
}

#[test]
fn a_member_is_picked_by_name_in_its_own_dtype_and_order() {
    let f = "npz_input/several.npz";
    assert_eq!(npz_names(&fixture(f)).unwrap(), ["x", "y", "z", "w", "f"]);
    let x = reference("npz_input/single_ref.npy");
    let y = load_typed(&member(f, "y")).unwrap();
    assert_eq!(y.data, TypedArray::Float64(x.t().to_owned()));
    let z = load_dense(&member(f, "z")).unwrap();
    assert_eq!(z.dtype, Dtype::Int32);
    assert_eq!(z.data.as_slice().unwrap(), &[0.0, 1.0, 2.0, 3.0]);
    let w = load_typed(&member(f, "w")).unwrap();
    assert_eq!(w.dtype, Dtype::Complex64);
    let fo = read_npz_member(&fixture(f), "f").unwrap();
    assert!(fo.fortran_order);
    assert!(!fo.data.is_standard_layout());
    assert_eq!(fo.data, TypedArray::Float64(x));
}

#[test]
fn several_arrays_without_a_name_or_a_missing_name_list_the_names() {
    let path = fixture("npz_input/several.npz");
    let e = load(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{0}: the archive holds 5 arrays (x, y, z, w, f): pick one with {0}:NAME",
            path.display()
        )
    );
    let e = load(&member("npz_input/several.npz", "nope")).unwrap_err();
    assert_eq!(
        format_detail(e),
        "no array named 'nope' in the archive (it holds: x, y, z, w, f)"
    );
    let e = load(&fixture("npz_input/empty.npz")).unwrap_err();
    assert_eq!(format_detail(e), "the archive holds no arrays");
}

#[test]
fn scipy_sparse_archives_are_sparse_inputs() {
    let path = fixture("npz_input/sparse.npz");
    match load(&path).unwrap() {
        Loaded::Sparse { matrix, dtype } => {
            assert_eq!(dtype, Dtype::Float64);
            assert_eq!(
                matrix.to_dense().unwrap().into_dyn(),
                reference("npz_input/sparse_ref.npy")
            );
        }
        Loaded::Dense(_) => panic!("a scipy.sparse file must load sparse"),
    }
    assert!(matches!(
        load_typed_keep_sparse(&path).unwrap(),
        TypedLoaded::Sparse { .. }
    ));
    // Densified where a dense array is needed.
    assert_eq!(
        load_dense(&path).unwrap().data,
        reference("npz_input/sparse_ref.npy")
    );
    // One of its arrays by name.
    let d = load_typed(&member("npz_input/sparse.npz", "indptr")).unwrap();
    assert_eq!(d.data.shape(), &[6]);
}

#[test]
fn hostile_archives_are_errors_not_crashes() {
    let err = |rel: &str| load(&fixture(rel)).unwrap_err();
    let msg = format_detail(err("npz_input/bad_crc.npz"));
    assert!(msg.contains("corrupt archive entry"), "{msg}");
    let msg = err("npz_input/truncated.npz").to_string();
    assert!(msg.contains("not a valid .npz (zip) archive"), "{msg}");
    let msg = format_detail(err("npz_input/not_zip.npz"));
    assert!(msg.starts_with("not a valid .npz (zip) archive"), "{msg}");
    // The header's shape is checked against the entry's size before allocating.
    let msg = format_detail(err("npz_input/lying_header.npz"));
    assert!(
        msg.contains("header shape (100000000, 100000000) needs 80000000000000000 bytes"),
        "{msg}"
    );
    // An entry that inflates beyond its declared size is cut at the declared size and
    // then found too long (or corrupt), never read into memory.
    let msg = format_detail(err("npz_input/bomb.npz"));
    assert!(
        msg.contains("longer than its declared size") || msg.contains("corrupt archive entry"),
        "{msg}"
    );
    // A missing archive.
    let e = load(Path::new("no/such/file.npz:x")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
}
