//! `.npy` and `.npz` reading and writing.

use std::path::Path;

use mlinalg::Error;
use mlinalg::io::npy::{parse_npy, read_npy, read_npz, to_npy_bytes, write_npy, write_npz};
use mlinalg::io::{DenseArray, Dtype};
use ndarray::{Array, ArrayD, IxDyn, array};
use proptest::prelude::*;

use super::{files_in, fixture, format_detail, tmpdir};

fn base() -> ArrayD<f64> {
    array![[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]].into_dyn()
}

fn read(rel: &str) -> DenseArray {
    let path = fixture(rel);
    let a = read_npy(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    // The in-memory parser must agree with the streaming reader.
    let b = parse_npy(&std::fs::read(&path).unwrap(), &path).unwrap();
    assert_eq!(a.dtype, b.dtype);
    assert!(
        a.data
            .iter()
            .zip(b.data.iter())
            .all(|(x, y)| x.to_bits() == y.to_bits())
    );
    a
}

fn read_err(rel: &str) -> String {
    let path = fixture(rel);
    let e1 = format_detail(read_npy(&path).unwrap_err());
    let e2 = format_detail(parse_npy(&std::fs::read(&path).unwrap(), &path).unwrap_err());
    assert_eq!(e1, e2, "streaming and in-memory readers disagree on {rel}");
    e1
}

#[test]
fn every_dtype_byte_order_and_memory_order() {
    for (code, dtype) in [
        ("f8", Dtype::Float64),
        ("f4", Dtype::Float32),
        ("i8", Dtype::Int64),
        ("i4", Dtype::Int32),
    ] {
        for endian in ["le", "be"] {
            for order in ["c", "f"] {
                let a = read(&format!("npy/base_{code}_{endian}_{order}.npy"));
                assert_eq!(a.dtype, dtype, "{code} {endian} {order}");
                assert_eq!(a.data, base(), "{code} {endian} {order}");
                assert!(a.data.is_standard_layout());
            }
        }
    }
    for order in ["c", "f"] {
        let a = read(&format!("npy/base_b1_{order}.npy"));
        assert_eq!(a.dtype, Dtype::Bool);
        assert_eq!(a.data, base().mapv(|v| if v > 0.0 { 1.0 } else { 0.0 }));
    }
}

#[test]
fn format_versions_1_2_3() {
    for v in 1..=3 {
        let path = fixture(&format!("npy/base_f8_v{v}.npy"));
        assert_eq!(std::fs::read(&path).unwrap()[6], v as u8);
        assert_eq!(read(&format!("npy/base_f8_v{v}.npy")).data, base());
    }
}

#[test]
fn fortran_order_3d() {
    let want = Array::from_shape_fn(IxDyn(&[2, 3, 4]), |ix| {
        (100 * ix[0] + 10 * ix[1] + ix[2]) as f64
    });
    assert_eq!(read("npy/cube_c.npy").data, want);
    assert_eq!(read("npy/cube_f.npy").data, want);
}

#[test]
fn zero_d_one_d_and_empty() {
    let s = read("npy/scalar.npy");
    assert_eq!(s.data.ndim(), 0);
    assert_eq!(s.data.first(), Some(&3.5));
    let v = read("npy/vector.npy").data;
    assert_eq!(v.as_slice().unwrap(), &[0.1, -2.5, 1e300, 5e-324]);
    let e = read("npy/empty_0x3.npy").data;
    assert_eq!(e.shape(), &[0, 3]);
}

#[test]
fn special_values_survive() {
    let v = read("npy/special.npy").data;
    assert!(v[0].is_nan());
    assert_eq!(v[1], f64::INFINITY);
    assert_eq!(v[2], f64::NEG_INFINITY);
    assert!(v[3] == 0.0 && v[3].is_sign_negative());
}

#[test]
fn float32_and_int64_conversions() {
    let f = read("npy/f4_fraction.npy");
    assert_eq!(
        f.data.as_slice().unwrap(),
        &[f64::from(0.1f32), f64::from(1.0f32 / 3.0)]
    );
    let i = read("npy/i8_big.npy");
    assert_eq!(i.dtype, Dtype::Int64);
    assert_eq!(
        i.data.as_slice().unwrap(),
        &[(2i64.pow(53) + 1) as f64, -(2f64.powi(62))]
    );
}

#[test]
fn header_in_any_key_order_with_odd_spacing() {
    assert_eq!(read("npy/odd_header.npy").data, base());
}

#[test]
fn header_variants_parse() {
    let body: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    for dict in [
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
        "{'descr':'<f8','fortran_order':False,'shape':(2,)}",
        "{'shape': [2], 'fortran_order': False, 'descr': '<f8', 'extra': None}",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2), }",
        "{'descr': '=f8', 'fortran_order': False, 'shape': (2,), }",
    ] {
        let bytes = npy_with_header(dict, &body);
        let a = parse_npy(&bytes, Path::new("<bytes>")).unwrap_or_else(|e| panic!("{dict}: {e}"));
        assert_eq!(a.data.as_slice().unwrap(), &[1.0, 2.0], "{dict}");
    }
}

/// A version 1.0 `.npy` file with the given header dict text.
pub(crate) fn npy_with_header(dict: &str, body: &[u8]) -> Vec<u8> {
    let total = (10 + dict.len() + 1).div_ceil(64) * 64;
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(total - 10).unwrap().to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.resize(total - 1, b' ');
    out.push(b'\n');
    out.extend_from_slice(body);
    out
}

fn header_err(dict: &str, body: &[u8]) -> String {
    format_detail(parse_npy(&npy_with_header(dict, body), Path::new("<bytes>")).unwrap_err())
}

#[test]
fn error_bad_magic() {
    assert_eq!(
        read_err("npy/bad_magic.npy"),
        "not a .npy file (bad magic string)"
    );
    let e = parse_npy(b"", Path::new("x.npy")).unwrap_err();
    assert_eq!(e.to_string(), "x.npy: not a .npy file (bad magic string)");
}

#[test]
fn error_truncated_body() {
    assert_eq!(
        read_err("npy/truncated.npy"),
        "header shape (2, 3) needs 48 bytes of float64 data but the file holds 43 after its \
         128-byte header (truncated file or wrong shape)"
    );
}

#[test]
fn error_extra_bytes() {
    assert_eq!(
        read_err("npy/extra_bytes.npy"),
        "header shape (2, 3) needs 48 bytes of float64 data but the file holds 56 after its 128-byte header"
    );
}

#[test]
fn error_huge_header_shape_before_allocation() {
    let msg = read_err("npy/huge_shape.npy");
    assert!(
        msg.starts_with(
            "header shape (100000000000, 100000000000) needs 80000000000000000000000 bytes"
        ),
        "{msg}"
    );
    assert!(msg.contains("the file holds 0"), "{msg}");
}

#[test]
fn error_shape_overflowing_u128() {
    let msg = read_err("npy/overflow_shape.npy");
    assert!(msg.contains("needs more than 2^128 bytes"), "{msg}");
}

#[test]
fn error_truncated_header() {
    assert_eq!(
        read_err("npy/header_only.npy"),
        "truncated .npy file (no header length)"
    );
    assert_eq!(
        read_err("npy/header_len_past_end.npy"),
        "truncated .npy file: the header length says 65535 bytes but the file holds 8"
    );
}

#[test]
fn error_unsupported_version() {
    assert_eq!(
        read_err("npy/bad_version.npy"),
        "unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)"
    );
}

#[test]
fn error_header_not_a_dict() {
    assert_eq!(
        read_err("npy/not_a_dict.npy"),
        "the .npy header is not a dict"
    );
    let msg = header_err(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2,)",
        &[],
    );
    assert!(
        msg.starts_with("cannot parse the header dict: expected ',' or '}'"),
        "{msg}"
    );
    let msg = header_err(
        "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,)}",
        &[],
    );
    assert!(msg.contains("unexpected name 'Maybe'"), "{msg}");
    let msg = header_err(&format!("{}{}", "(".repeat(100), ")".repeat(100)), &[]);
    assert!(msg.contains("nested too deeply"), "{msg}");
}

#[test]
fn error_missing_or_bad_keys() {
    assert_eq!(
        header_err("{'descr': '<f8', 'shape': (2,)}", &[]),
        "the .npy header has no 'fortran_order' key"
    );
    assert_eq!(
        header_err("{'fortran_order': False, 'shape': (2,)}", &[]),
        "the .npy header has no 'descr' key"
    );
    assert_eq!(
        header_err("{'descr': '<f8', 'fortran_order': False}", &[]),
        "the .npy header has no 'shape' key"
    );
    let msg = header_err(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}",
        &[],
    );
    assert!(msg.contains("negative number"), "{msg}");
    let msg = header_err("{'descr': '<f8', 'fortran_order': 1, 'shape': (2,)}", &[]);
    assert!(
        msg.starts_with("'fortran_order' is not True or False"),
        "{msg}"
    );
    let msg = header_err(
        "{'descr': '<f8', 'fortran_order': False, 'shape': ('a',)}",
        &[],
    );
    assert!(msg.contains("is not an integer"), "{msg}");
    let msg = header_err(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
        &[],
    );
    assert!(msg.contains("integer too large"), "{msg}");
}

#[test]
fn error_unsupported_dtypes() {
    let msg = read_err("typed/unsupported_f16.npy");
    assert_eq!(
        msg,
        "unsupported dtype '<f16' (long double) (supported: float64, float32, float16, int64, \
         int32, int16, int8, uint64, uint32, uint16, uint8, bool, complex128, complex64)"
    );
    assert!(
        read_err("typed/unsupported_M8.npy").starts_with("unsupported dtype '<M8[s]' (datetimes)")
    );
    // Complex data read as real numbers.
    assert_eq!(
        read_err("typed/c16_le_c.npy"),
        "complex128 values cannot be read as real numbers (float64); this operation takes real input"
    );
}

#[test]
fn error_object_and_structured_dtypes() {
    assert!(read_err("npy/object.npy").starts_with("object arrays (dtype 'O') cannot be read"));
    assert!(
        read_err("npy/structured.npy").starts_with("structured dtypes (records with named fields)")
    );
}

#[test]
fn error_string_dtype_as_dense() {
    let msg = header_err(
        "{'descr': '|S3', 'fortran_order': False, 'shape': ()}",
        b"csr",
    );
    assert!(msg.starts_with("unsupported dtype |S3"), "{msg}");
}

#[test]
fn missing_file_is_io_error() {
    assert!(matches!(
        read_npy(&fixture("npy/nope.npy")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn write_read_round_trip_and_layout() {
    let dir = tmpdir();
    let a = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    // A transposed (Fortran-layout) view is written as np.save writes it: in Fortran order,
    // straight from memory.
    let p = dir.path().join("t.npy");
    write_npy(&p, &a.t()).unwrap();
    let back = read_npy(&p).unwrap();
    assert_eq!(back.dtype, Dtype::Float64);
    assert_eq!(back.data, a.t().to_owned().into_dyn());
    assert!(back.data.is_standard_layout());
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!(bytes, to_npy_bytes(&a.t()));
    assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00\x76\x00");
    let header = std::str::from_utf8(&bytes[10..128]).unwrap();
    assert_eq!(
        header.trim_end(),
        "{'descr': '<f8', 'fortran_order': True, 'shape': (3, 2), }"
    );
    let body: Vec<f64> = bytes[128..]
        .chunks_exact(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(body, a.as_slice().unwrap());
    assert!(header.ends_with('\n'));
    assert_eq!(files_in(dir.path()), vec!["t.npy"]);
}

#[test]
fn write_0d_1d_and_empty() {
    let dir = tmpdir();
    for (name, a) in [
        ("s.npy", ArrayD::from_elem(IxDyn(&[]), 2.5)),
        ("v.npy", array![1.0, 2.0].into_dyn()),
        ("e.npy", ArrayD::zeros(IxDyn(&[0, 4]))),
        ("n.npy", ArrayD::from_elem(IxDyn(&[1, 2, 1, 2]), -1.0)),
    ] {
        let p = dir.path().join(name);
        write_npy(&p, &a).unwrap();
        assert_eq!(read_npy(&p).unwrap().data, a, "{name}");
    }
    let bytes = to_npy_bytes(&array![7.0]);
    assert!(String::from_utf8_lossy(&bytes).contains("'shape': (1,)"));
    let bytes = to_npy_bytes(&ArrayD::from_elem(IxDyn(&[]), 1.0));
    assert!(String::from_utf8_lossy(&bytes).contains("'shape': ()"));
}

#[test]
fn failing_write_leaves_no_partial_file() {
    let dir = tmpdir();
    // The destination is a directory: the rename fails after the data was written.
    let target = dir.path().join("out.npy");
    std::fs::create_dir(&target).unwrap();
    let e = write_npy(&target, &array![1.0]).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_eq!(files_in(dir.path()), vec!["out.npy"]);
    // A missing directory is an I/O error naming the destination.
    let e = write_npy(&dir.path().join("missing/x.npy"), &array![1.0]).unwrap_err();
    assert!(e.to_string().contains("missing/x.npy"), "{e}");
}

#[test]
fn overwrite_replaces_existing_file() {
    let dir = tmpdir();
    let p = dir.path().join("a.npy");
    write_npy(&p, &array![1.0, 2.0]).unwrap();
    write_npy(&p, &array![[3.0]]).unwrap();
    assert_eq!(read_npy(&p).unwrap().data, array![[3.0]].into_dyn());
    assert_eq!(files_in(dir.path()), vec!["a.npy"]);
}

#[test]
fn npz_from_numpy() {
    let plain = read_npz(&fixture("npz/savez.npz")).unwrap();
    let names: Vec<&str> = plain.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["arr_0", "arr_1"]);
    assert_eq!(plain[0].1.data, base());
    assert_eq!(plain[1].1.dtype, Dtype::Int32);
    for f in ["npz/savez_named.npz", "npz/savez_compressed.npz"] {
        let arrays = read_npz(&fixture(f)).unwrap();
        let names: Vec<&str> = arrays.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "v", "m"], "{f}");
        assert_eq!(arrays[0].1.data, base());
        assert_eq!(arrays[1].1.data.as_slice().unwrap(), &[1.0, 2.0, 3.0]);
        assert_eq!(arrays[2].1.dtype, Dtype::Bool);
        assert_eq!(arrays[2].1.data.as_slice().unwrap(), &[1.0, 0.0]);
    }
}

#[test]
fn npz_round_trip() {
    let dir = tmpdir();
    let p = dir.path().join("x.npz");
    let a = base();
    let b = ArrayD::from_elem(IxDyn(&[]), 4.0);
    write_npz(&p, &[("a", a.view()), ("b", b.view())]).unwrap();
    let back = read_npz(&p).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!((back[0].0.as_str(), &back[0].1.data), ("a", &a));
    assert_eq!((back[1].0.as_str(), &back[1].1.data), ("b", &b));
    assert_eq!(files_in(dir.path()), vec!["x.npz"]);
}

#[test]
fn npz_errors() {
    let dir = tmpdir();
    let a = base();
    let e = write_npz(
        &dir.path().join("d.npz"),
        &[("a", a.view()), ("a", a.view())],
    )
    .unwrap_err();
    assert_eq!(
        format_detail(e),
        "duplicate array name 'a.npy' in the archive"
    );
    assert!(files_in(dir.path()).is_empty());
    let msg = format_detail(read_npz(&fixture("npz/not_zip.npz")).unwrap_err());
    assert!(msg.starts_with("not a valid .npz (zip) archive"), "{msg}");
    let msg = format_detail(read_npz(&fixture("npz/sparse_csr.npz")).unwrap_err());
    assert!(msg.contains("scipy.sparse file"), "{msg}");
}

fn shape_strategy() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..5, 0..4)
}

fn array_strategy() -> impl Strategy<Value = ArrayD<f64>> {
    shape_strategy().prop_flat_map(|shape| {
        let n: usize = shape.iter().product();
        prop::collection::vec(any::<f64>(), n)
            .prop_map(move |v| ArrayD::from_shape_vec(IxDyn(&shape), v).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn npy_bytes_round_trip(a in array_strategy()) {
        let back = parse_npy(&to_npy_bytes(&a), Path::new("<bytes>")).unwrap();
        prop_assert_eq!(back.data.shape(), a.shape());
        prop_assert!(back.data.iter().zip(a.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
    }

    #[test]
    fn fortran_order_bytes_read_as_c(rows in 1usize..6, cols in 1usize..6, seed in any::<u64>()) {
        let a = Array::from_shape_fn((rows, cols), |(i, j)| (seed % 1000) as f64 + (i * 10 + j) as f64 * 0.5);
        let body: Vec<u8> = a.t().iter().flat_map(|v| v.to_le_bytes()).collect();
        let dict = format!("{{'descr': '<f8', 'fortran_order': True, 'shape': ({rows}, {cols}), }}");
        let back = parse_npy(&npy_with_header(&dict, &body), Path::new("<bytes>")).unwrap();
        prop_assert_eq!(back.data, a.into_dyn());
    }

    #[test]
    fn garbage_never_panics(tail in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&tail);
        let _ = parse_npy(&bytes, Path::new("<bytes>"));
        let _ = parse_npy(&tail, Path::new("<bytes>"));
    }
}

#[test]
fn error_zero_size_shape_too_large_for_ndarray() {
    // No data is needed, but ndarray cannot index an axis that long: an error, not a panic.
    let msg = header_err(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 18446744073709551615)}",
        &[],
    );
    assert!(
        msg.starts_with("header shape (0, 18446744073709551615) is not a valid array shape"),
        "{msg}"
    );
}

#[test]
fn error_truncated_preamble() {
    let e = parse_npy(b"\x93NUMPY", Path::new("x.npy")).unwrap_err();
    assert_eq!(format_detail(e), "truncated .npy file (no format version)");
}

#[test]
fn error_header_syntax() {
    for (dict, want) in [
        (
            "{",
            "cannot parse the header dict: unexpected end at character 1",
        ),
        (
            "{'descr': '<f8'} x",
            "cannot parse the header dict: unexpected text after the header dict at character 17",
        ),
        (
            "{'descr: '<f8'}",
            "cannot parse the header dict: expected ':' at character 10",
        ),
        (
            "{'descr': 'a\\b'}",
            "cannot parse the header dict: escape sequences in strings are not supported at character 12",
        ),
        (
            "{'descr': '<f8",
            "cannot parse the header dict: unterminated string at character 14",
        ),
        (
            "{'descr': @}",
            "cannot parse the header dict: unexpected character '@' at character 10",
        ),
    ] {
        assert_eq!(header_err(dict, &[]), want, "{dict}");
    }
}

#[test]
fn error_descr_and_shape_types() {
    assert_eq!(
        header_err("{'descr': 8, 'fortran_order': False, 'shape': (1,)}", &[]),
        "'descr' is not a string: 8"
    );
    assert_eq!(
        header_err(
            "{'descr': '<f8', 'fortran_order': False, 'shape': 'x'}",
            &[]
        ),
        "'shape' is not a tuple: 'x'"
    );
    // Values are quoted as Python writes them, tuples included.
    assert_eq!(
        header_err(
            "{'descr': '<f8', 'fortran_order': (1, ['a'], {'k': None}), 'shape': (1,)}",
            &[]
        ),
        "'fortran_order' is not True or False: (1, ['a'], {'k': None})"
    );
    assert_eq!(
        header_err(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (True,)}",
            &[]
        ),
        "shape entry True is not an integer"
    );
    // A bare integer shape is read as a 1-d shape, as NumPy would.
    let body: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|v| v.to_le_bytes()).collect();
    let bytes = npy_with_header(
        "{'descr': '>f8', 'fortran_order': False, 'shape': 2}",
        &body,
    );
    let a = parse_npy(&bytes, Path::new("<bytes>")).unwrap();
    assert_eq!(a.data.shape(), &[2]);
}

#[test]
fn raw_header_of_any_fixed_size_dtype() {
    use mlinalg::io::npy::{read_npy_header_raw, write_npy_raw_to};
    // the readers refuse long doubles; the raw header reader describes them
    let h = read_npy_header_raw(&fixture("typed/unsupported_f16.npy")).unwrap();
    assert_eq!(
        (
            h.descr.as_str(),
            h.itemsize,
            h.fortran_order,
            h.shape.as_slice()
        ),
        ("<f16", 16, false, &[2usize][..])
    );
    assert_eq!(h.data_offset, 128);
    // the same fields as read_npy_header for the dtypes the readers decode
    for name in [
        "typed/i2_be_f.npy",
        "typed/c8_le_f.npy",
        "typed/f8_le_c.npy",
    ] {
        let (raw, h) = (
            read_npy_header_raw(&fixture(name)).unwrap(),
            mlinalg::io::read_npy_header(&fixture(name)).unwrap(),
        );
        assert_eq!(raw.fortran_order, h.fortran_order, "{name}");
        assert_eq!(raw.shape, h.shape, "{name}");
        assert_eq!(raw.data_offset, h.data_offset, "{name}");
        assert_eq!(raw.itemsize, h.dtype.itemsize(), "{name}");
    }
    assert_eq!(
        read_npy_header_raw(&fixture("typed/i2_be_f.npy"))
            .unwrap()
            .descr,
        ">i2"
    );
    assert!(
        read_npy_header_raw(&fixture("typed/i2_be_f.npy"))
            .unwrap()
            .fortran_order
    );
    // a written clongdouble in Fortran order reads back; a short body is refused
    let dir = tmpdir();
    let path = dir.path().join("c32.npy");
    let mut bytes = Vec::new();
    write_npy_raw_to(&mut bytes, "<c32", &[2, 3], true, &[7u8; 6 * 32]).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let h = read_npy_header_raw(&path).unwrap();
    assert_eq!(
        (
            h.descr.as_str(),
            h.itemsize,
            h.fortran_order,
            h.shape.as_slice()
        ),
        ("<c32", 32, true, &[2usize, 3][..])
    );
    std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
    let e = read_npy_header_raw(&path).unwrap_err().to_string();
    assert!(e.contains("truncated file or wrong shape"), "{e}");
    // the readers still refuse it, with the same message as before
    std::fs::write(&path, &bytes).unwrap();
    let e = read_npy(&path).unwrap_err().to_string();
    assert!(
        e.contains("unsupported dtype '<c32' (complex long double)"),
        "{e}"
    );
    // the raw writer checks the descr and the body length before writing anything
    let mut out = Vec::new();
    assert!(write_npy_raw_to(&mut out, "<x9", &[1], false, &[0; 9]).is_err());
    assert!(write_npy_raw_to(&mut out, "<f8", &[2], false, &[0; 8]).is_err());
    assert!(out.is_empty());
    // its bytes are the typed writer's for a dtype both write
    let a = array![[1.5f64, -2.0], [3.0, 4.25]];
    let body: Vec<u8> = a.iter().flat_map(|v| v.to_le_bytes()).collect();
    write_npy_raw_to(&mut out, "<f8", &[2, 2], false, &body).unwrap();
    assert_eq!(out, to_npy_bytes(&a));
}
