//! The dtype-preserving reader and the writers of every element type, against files
//! written by NumPy (`tests/fixtures/generate_io.py`, `typed/`).

use std::path::Path;

use mlinalg::io::npy::{parse_npy_typed, to_npy_bytes};
use mlinalg::io::{
    Dtype, NpyOrder, TypedArray, load_typed, read_npy, read_npy_header, read_npy_typed, write_npy,
    write_npy_order, write_npy_to,
};
use ndarray::{Array, ArrayD, IxDyn, ShapeBuilder, array};
use num_complex::{Complex32, Complex64};
use proptest::prelude::*;

use super::{files_in, fixture, format_detail, tmpdir};

/// The fixtures' base matrix.
fn base() -> ArrayD<f64> {
    array![[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]].into_dyn()
}

/// `base + 1j · base[:, ::-1]`.
fn complex_base() -> ArrayD<Complex64> {
    let b = base();
    let rev = b.slice(ndarray::s![.., ..;-1]).to_owned().into_dyn();
    ndarray::Zip::from(&b)
        .and(&rev)
        .map_collect(|&re, &im| Complex64::new(re, im))
}

/// Reads a fixture with both the file reader and the in-memory parser, which must agree.
fn typed(rel: &str) -> mlinalg::io::TypedDense {
    let path = fixture(rel);
    let a = read_npy_typed(&path).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let b = parse_npy_typed(&std::fs::read(&path).unwrap(), &path).unwrap();
    assert_eq!(a, b, "{rel}");
    a
}

#[test]
fn every_dtype_in_both_byte_orders_and_memory_orders() {
    let real = [
        ("f8", Dtype::Float64),
        ("f4", Dtype::Float32),
        ("f2", Dtype::Float16),
        ("i8", Dtype::Int64),
        ("i4", Dtype::Int32),
        ("i2", Dtype::Int16),
        ("i1", Dtype::Int8),
        ("u8", Dtype::Uint64),
        ("u4", Dtype::Uint32),
        ("u2", Dtype::Uint16),
        ("u1", Dtype::Uint8),
    ];
    for (code, dtype) in real {
        let want = if code.starts_with('u') {
            base().mapv(f64::abs)
        } else {
            base()
        };
        for endian in ["le", "be"] {
            for order in ["c", "f"] {
                let rel = format!("typed/{code}_{endian}_{order}.npy");
                let a = typed(&rel);
                assert_eq!(a.dtype, dtype, "{rel}");
                assert_eq!(a.fortran_order, order == "f", "{rel}");
                // The memory order of the file is kept, without a copy.
                assert_eq!(a.data.is_standard_layout(), order == "c", "{rel}");
                match (&a.data, dtype) {
                    (TypedArray::Float32(x), Dtype::Float32 | Dtype::Float16) => {
                        assert_eq!(x.mapv(f64::from), want, "{rel}");
                    }
                    (TypedArray::Float64(x), _) => assert_eq!(x, &want, "{rel}"),
                    (other, _) => panic!("{rel}: read as {:?}", other.dtype()),
                }
                // The f64 reader agrees, in C layout.
                let d = read_npy(&fixture(&rel)).unwrap();
                assert_eq!(d.dtype, dtype);
                assert_eq!(d.data, want);
                assert!(d.data.is_standard_layout());
            }
        }
    }
}

#[test]
fn complex64_and_complex128_in_either_byte_order() {
    let want = complex_base();
    for endian in ["le", "be"] {
        for order in ["c", "f"] {
            let a = typed(&format!("typed/c16_{endian}_{order}.npy"));
            assert_eq!(a.dtype, Dtype::Complex128);
            assert_eq!(a.data, TypedArray::Complex128(want.clone()));
            let a = typed(&format!("typed/c8_{endian}_{order}.npy"));
            assert_eq!(a.dtype, Dtype::Complex64);
            let want32 = want.mapv(|z| Complex32::new(z.re as f32, z.im as f32));
            assert_eq!(a.data, TypedArray::Complex64(want32));
        }
    }
}

#[test]
fn load_typed_reads_every_format() {
    let a = load_typed(&fixture("typed/f4_le_c.npy")).unwrap();
    assert!(matches!(a.data, TypedArray::Float32(_)));
    let c = load_typed(&fixture("csv/plain.csv")).unwrap();
    assert_eq!(c.dtype, Dtype::Float64);
    let m = load_typed(&fixture("mtx/integer.mtx")).unwrap();
    assert_eq!(m.dtype, Dtype::Int64);
    assert_eq!(m.data.shape(), &[4, 6]);
}

#[test]
fn headers_are_read_without_the_body() {
    let h = read_npy_header(&fixture("typed/c8_be_f.npy")).unwrap();
    assert_eq!(h.dtype, Dtype::Complex64);
    assert!(h.big_endian);
    assert!(h.fortran_order);
    assert_eq!(h.shape, vec![2, 3]);
    assert_eq!(h.len(), 6);
    assert_eq!(h.data_offset, 128);
    let e = read_npy_header(&fixture("npy/truncated.npy")).unwrap_err();
    assert!(format_detail(e).contains("truncated file or wrong shape"));
}

/// Fortran-order output is exactly what `np.save` writes for the same transposed array:
/// byte for byte, so NumPy reads it back as its own file.
#[test]
fn transposed_arrays_are_written_as_numpy_writes_them() {
    let x = read_npy(&fixture("typed/saved_source_f8.npy"))
        .unwrap()
        .data;
    let same = |rel: &str, bytes: Vec<u8>| {
        assert_eq!(bytes, std::fs::read(fixture(rel)).unwrap(), "{rel}");
    };
    same("typed/saved_t_f8.npy", to_npy_bytes(&x.t()));
    same("typed/saved_c_f8.npy", to_npy_bytes(&x));
    same(
        "typed/saved_t_f4.npy",
        to_npy_bytes(&x.mapv(|v| v as f32).t()),
    );
    let z = match read_npy_typed(&fixture("typed/saved_source_c16.npy"))
        .unwrap()
        .data
    {
        TypedArray::Complex128(z) => z,
        other => panic!("{:?}", other.dtype()),
    };
    same("typed/saved_t_c16.npy", to_npy_bytes(&z.t()));
    let z32 = z.mapv(|v| Complex32::new(v.re as f32, v.im as f32));
    same("typed/saved_t_c8.npy", to_npy_bytes(&z32.t()));
    same(
        "typed/saved_vector_c8.npy",
        to_npy_bytes(&z32.index_axis(ndarray::Axis(0), 0)),
    );
    let cube = read_npy(&fixture("typed/saved_source_cube.npy"))
        .unwrap()
        .data;
    same("typed/saved_t_cube.npy", to_npy_bytes(&cube.t()));
    // And mlinalg reads them back: the transposes, in Fortran layout, without a copy.
    let back = read_npy_typed(&fixture("typed/saved_t_cube.npy")).unwrap();
    assert!(back.fortran_order);
    assert_eq!(back.data, TypedArray::Float64(cube.t().to_owned()));
}

#[test]
fn write_and_read_back_every_element_type_and_order() {
    let dir = tmpdir();
    let x = Array::from_shape_fn((3, 4), |(i, j)| i as f64 * 10.0 - j as f64 * 0.25).into_dyn();
    let arrays = [
        TypedArray::Float64(x.clone()),
        TypedArray::Float32(x.mapv(|v| v as f32)),
        TypedArray::Complex128(x.mapv(|v| Complex64::new(v, -v))),
        TypedArray::Complex64(x.mapv(|v| Complex32::new(v as f32, 1.0))),
    ];
    for a in &arrays {
        for order in [NpyOrder::Auto, NpyOrder::C, NpyOrder::Fortran] {
            for transposed in [false, true] {
                let a = if transposed {
                    a.clone().reversed_axes()
                } else {
                    a.clone()
                };
                let p = dir.path().join("x.npy");
                a.write_npy_order(&p, order).unwrap();
                let h = read_npy_header(&p).unwrap();
                let fortran = match order {
                    NpyOrder::Auto => transposed,
                    NpyOrder::C => false,
                    _ => true,
                };
                assert_eq!(
                    h.fortran_order,
                    fortran,
                    "{:?} {order:?} {transposed}",
                    a.dtype()
                );
                assert_eq!(h.dtype, a.dtype());
                let back = read_npy_typed(&p).unwrap();
                assert_eq!(back.data, a, "{:?} {order:?} {transposed}", a.dtype());
                let std = back.data.into_standard_layout().unwrap();
                assert!(std.is_standard_layout());
                assert_eq!(std, a);
            }
        }
    }
    assert_eq!(files_in(dir.path()), vec!["x.npy"]);
}

#[test]
fn non_contiguous_views_are_written_in_logical_order() {
    let x = Array::from_shape_fn((70, 50), |(i, j)| (i * 1000 + j) as f64);
    let dir = tmpdir();
    let p = dir.path().join("v.npy");
    // A strided slice of a transposed array: neither C- nor F-contiguous.
    let v = x.t();
    let v = v.slice(ndarray::s![..;3, 1..;2]);
    write_npy(&p, &v).unwrap();
    assert!(!read_npy_header(&p).unwrap().fortran_order);
    assert_eq!(read_npy(&p).unwrap().data, v.to_owned().into_dyn());
    // Forcing C order of a Fortran array goes through the blocked copy.
    let f = x.t();
    write_npy_order(&p, &f, NpyOrder::C).unwrap();
    assert_eq!(read_npy(&p).unwrap().data, f.to_owned().into_dyn());
    // 3-d, not contiguous.
    let c = Array::from_shape_fn((4, 5, 6), |(i, j, k)| (i * 100 + j * 10 + k) as f32);
    let cv = c.slice(ndarray::s![.., ..;2, 1..]);
    let mut bytes = Vec::new();
    write_npy_to(&mut bytes, &cv, NpyOrder::Auto).unwrap();
    let back = parse_npy_typed(&bytes, Path::new("<bytes>")).unwrap();
    assert_eq!(back.data, TypedArray::Float32(cv.to_owned().into_dyn()));
}

#[test]
fn float16_values_are_exact() {
    let a = typed("typed/f2_le_c.npy");
    // Every float16 value is a float32; the largest half and the subnormals survive.
    let mut bytes = Vec::new();
    let dict = "{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }";
    bytes.extend_from_slice(&super::npy::npy_with_header(
        dict,
        &[0xff, 0x7b, 0x01, 0x00, 0x00, 0xfc, 0x00, 0x80],
    ));
    let h = parse_npy_typed(&bytes, Path::new("<bytes>")).unwrap();
    assert_eq!(h.dtype, Dtype::Float16);
    assert_eq!(
        h.data,
        TypedArray::Float32(array![65504.0f32, 2f32.powi(-24), f32::NEG_INFINITY, -0.0].into_dyn())
    );
    assert_eq!(a.dtype, Dtype::Float16);
}

#[test]
fn complex_data_is_refused_where_real_numbers_are_needed() {
    let e = mlinalg::io::load_dense(&fixture("typed/c8_le_c.npy")).unwrap_err();
    assert!(format_detail(e).starts_with("complex64 values cannot be read as real numbers"));
    let z = TypedArray::Complex64(array![Complex32::new(1.0, 0.0)].into_dyn());
    assert!(z.into_f64().is_err());
}

#[test]
fn huge_arrays_are_refused_before_allocating() {
    // A consistent header and body length but more elements than memory holds: a sparse
    // file of 2^40 bytes declared as (2^37,) float64 is refused by the allocation check.
    let dir = tmpdir();
    let p = dir.path().join("huge.npy");
    let dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (137438953472,), }";
    let head = super::npy::npy_with_header(dict, &[]);
    let f = std::fs::File::create(&p).unwrap();
    use std::io::Write;
    (&f).write_all(&head).unwrap();
    if f.set_len(head.len() as u64 + (1u64 << 40)).is_err() {
        return; // the file system cannot hold a sparse file this large
    }
    let e = read_npy_typed(&p).unwrap_err();
    assert!(matches!(e, mlinalg::Error::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("huge.npy"), "{e}");
}

fn typed_strategy() -> impl Strategy<Value = TypedArray> {
    (prop::collection::vec(0usize..5, 0..4), 0u8..4, any::<u64>()).prop_map(
        |(shape, kind, seed)| {
            let n: usize = shape.iter().product();
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    ((seed
                        .wrapping_add(i as u64)
                        .wrapping_mul(0x9E37_79B9_7F4A_7C15))
                        >> 11) as f64
                        / 1e3
                        - 4e12
                })
                .collect();
            let f = |s: &[usize], v: Vec<f64>| ArrayD::from_shape_vec(IxDyn(s).f(), v).unwrap();
            let a = f(&shape, v);
            match kind {
                0 => TypedArray::Float64(a),
                1 => TypedArray::Float32(a.mapv(|x| x as f32)),
                2 => TypedArray::Complex128(a.mapv(|x| Complex64::new(x, -x / 3.0))),
                _ => TypedArray::Complex64(a.mapv(|x| Complex32::new(x as f32, 0.5))),
            }
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn typed_bytes_round_trip_in_every_order(a in typed_strategy()) {
        for order in [NpyOrder::Auto, NpyOrder::C, NpyOrder::Fortran] {
            let mut bytes = Vec::new();
            a.write_npy_to(&mut bytes, order).unwrap();
            let back = parse_npy_typed(&bytes, Path::new("<bytes>")).unwrap();
            prop_assert_eq!(&back.data, &a);
        }
    }
}
