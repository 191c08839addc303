//! `summarize` (the `info` statistics) against NumPy's `count_nonzero`, `min`, `max` and
//! `mean`, bit for bit (`tests/fixtures/generate_io.py`, `summary/`).

use mlinalg::io::{Dtype, SummaryValue, TypedArray, read_npy_typed, summarize, summarize_array};
use num_complex::Complex64;

use super::fixture;

/// NumPy's [nnz, min, max, mean] of a fixture, as complex numbers (real ones with im = 0).
fn expected(name: &str) -> Vec<Complex64> {
    match read_npy_typed(&fixture(&format!("summary/{name}_expected.npy")))
        .unwrap()
        .data
    {
        TypedArray::Float64(a) => a.iter().map(|&x| Complex64::new(x, 0.0)).collect(),
        TypedArray::Complex128(a) => a.iter().copied().collect(),
        other => panic!("{:?}", other.dtype()),
    }
}

/// Bitwise equality, NaN equal to NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn check(name: &str, complex: bool) {
    let path = fixture(&format!("summary/{name}.npy"));
    let want = expected(name);
    let from_file = summarize(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let a = read_npy_typed(&path).unwrap();
    let in_memory = summarize_array(&a.data, a.dtype);
    // Debug text, so that NaN compares equal to NaN.
    assert_eq!(
        format!("{from_file:?}"),
        format!("{in_memory:?}"),
        "{name}: file and memory disagree"
    );
    let s = from_file;
    assert_eq!(s.shape, a.data.shape(), "{name}");
    assert_eq!(s.nnz as f64, want[0].re, "{name}: nnz");
    for (what, got, w) in [
        ("min", s.min, want[1]),
        ("max", s.max, want[2]),
        ("mean", s.mean, want[3]),
    ] {
        match got {
            SummaryValue::Real(x) => {
                assert!(!complex, "{name}: {what} should be complex");
                // Signs of zeros aside (NumPy's SIMD min/max picks either), bit for bit.
                assert!(
                    same(x, w.re) || (x == 0.0 && w.re == 0.0 && what != "mean"),
                    "{name}: {what} {x:e} vs NumPy {:e}",
                    w.re
                );
            }
            SummaryValue::Complex(z) => {
                assert!(complex, "{name}: {what} should be real");
                assert!(
                    same(z.re, w.re) && same(z.im, w.im),
                    "{name}: {what} {z} vs NumPy {w}"
                );
            }
        }
    }
}

#[test]
fn float64_means_are_numpys_to_the_last_bit() {
    for n in [1, 7, 9, 129, 1000, 5001] {
        check(&format!("f8_{n}"), false);
    }
    check("f8_fortran", false);
    check("f8_be", false);
    check("f8_scalar", false);
}

#[test]
fn other_real_dtypes_follow_numpys_accumulation() {
    // float32 sums in float32; float16 sums in float32 per 8192-element buffer and rounds
    // the mean to float16; ints and bool sum as float64 per buffer.
    for name in [
        "f4_5000", "f2_20000", "i2_20000", "i8_big", "u1_9000", "b1_10000",
    ] {
        check(name, false);
    }
    assert_eq!(
        summarize(&fixture("summary/b1_10000.npy")).unwrap().dtype,
        Dtype::Bool
    );
}

#[test]
fn complex_statistics_are_complex() {
    for name in ["c16_3001", "c8_2000", "c16_fortran", "c16_nan", "c16_ties"] {
        check(name, true);
    }
}

#[test]
fn nan_and_empty() {
    check("f8_nan", false);
    let s = summarize(&fixture("summary/f8_empty.npy")).unwrap();
    assert_eq!(s.shape, vec![0, 4]);
    assert_eq!(s.nnz, 0);
    assert!(matches!(s.mean, SummaryValue::Real(m) if m.is_nan()));
}

#[test]
fn sparse_and_text_inputs() {
    let s = summarize(&fixture("mtx/symmetric.mtx")).unwrap();
    assert!(s.sparse);
    assert_eq!(s.shape, vec![4, 4]);
    let s = summarize(&fixture("npz/sparse_csr.npz")).unwrap();
    assert!(s.sparse);
    assert_eq!(s.dtype, Dtype::Float64);
    let s = summarize(&fixture("csv/plain.csv")).unwrap();
    assert_eq!(s.mean, SummaryValue::Real(3.5));
    assert_eq!(s.nnz, 6);
}

#[test]
fn a_truncated_file_is_an_error() {
    let e = summarize(&fixture("npy/truncated.npy")).unwrap_err();
    assert!(
        e.to_string().contains("truncated file or wrong shape"),
        "{e}"
    );
}
