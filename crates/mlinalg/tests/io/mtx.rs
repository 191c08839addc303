//! Matrix Market reading and writing.

use std::path::Path;

use mlinalg::io::mtx::{MtxField, parse_mtx, read_mtx, write_mtx};
use mlinalg::io::read_npy;
use mlinalg::sparse::CsrMatrix;
use ndarray::{Array2, Ix2, array};
use proptest::prelude::*;

use super::{files_in, fixture, format_detail, tmpdir};

fn dense_ref(rel: &str) -> Array2<f64> {
    read_npy(&fixture(rel))
        .unwrap()
        .data
        .into_dimensionality::<Ix2>()
        .unwrap()
}

fn assert_close(a: &Array2<f64>, b: &Array2<f64>) {
    assert_eq!(a.shape(), b.shape());
    for (x, y) in a.iter().zip(b.iter()) {
        assert!((x - y).abs() <= 1e-12 * y.abs(), "{x} vs {y}");
    }
}

fn parse_err(text: &str) -> String {
    format_detail(parse_mtx(text, Path::new("m.mtx")).unwrap_err())
}

const GENERAL: &str = "%%MatrixMarket matrix coordinate real general\n";

#[test]
fn scipy_files_match_dense_references() {
    for (name, field) in [
        ("general", MtxField::Real),
        ("integer", MtxField::Integer),
        ("pattern", MtxField::Pattern),
        ("symmetric", MtxField::Real),
        ("array", MtxField::Real),
    ] {
        let (m, f) = read_mtx(&fixture(&format!("mtx/{name}.mtx"))).unwrap();
        assert_eq!(f, field, "{name}");
        assert_close(
            &m.to_dense().unwrap(),
            &dense_ref(&format!("mtx/{name}_dense.npy")),
        );
    }
}

#[test]
fn symmetric_entries_are_mirrored_and_counted() {
    let (m, _) = read_mtx(&fixture("mtx/symmetric.mtx")).unwrap();
    let dense = dense_ref("mtx/symmetric_dense.npy");
    assert_eq!(m.nnz(), dense.iter().filter(|v| **v != 0.0).count());
}

#[test]
fn duplicates_summed_comments_and_blank_lines_skipped() {
    let text = format!("{GENERAL}% comment\n\n2 2 3\n% another\n1 1 1.5\n\n1 1 2.5\n2 2 -1\n");
    let (m, _) = parse_mtx(&text, Path::new("m.mtx")).unwrap();
    assert_eq!(m.nnz(), 2);
    assert_eq!(m.to_dense().unwrap(), array![[4.0, 0.0], [0.0, -1.0]]);
}

#[test]
fn explicit_zeros_are_stored_entries() {
    let (m, _) = parse_mtx(&format!("{GENERAL}2 2 1\n1 2 0.0\n"), Path::new("m.mtx")).unwrap();
    assert_eq!(m.nnz(), 1);
}

#[test]
fn keywords_are_case_insensitive() {
    let (m, f) = parse_mtx(
        "%%MatrixMarket MATRIX Coordinate Integer Symmetric\n2 2 1\n2 1 3\n",
        Path::new("m.mtx"),
    )
    .unwrap();
    assert_eq!(f, MtxField::Integer);
    assert_eq!(m.to_dense().unwrap(), array![[0.0, 3.0], [3.0, 0.0]]);
}

#[test]
fn array_symmetric_lower_triangle() {
    let (m, _) = parse_mtx(
        "%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n",
        Path::new("m.mtx"),
    )
    .unwrap();
    assert_eq!(m.to_dense().unwrap(), array![[1.0, 2.0], [2.0, 3.0]]);
}

#[test]
fn huge_declared_size_with_few_entries_stays_sparse() {
    let (m, _) = read_mtx(&fixture("mtx/huge_sparse.mtx")).unwrap();
    assert_eq!(m.shape(), (1_000_000, 1_000_000));
    assert_eq!(m.nnz(), 2);
    assert_eq!(m.sum(), 3.0);
}

#[test]
fn error_index_out_of_range() {
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/index_out_of_range.mtx")).unwrap_err()),
        "entry 2 (line 4): row index 11 outside 1..=10"
    );
    assert_eq!(
        parse_err(&format!("{GENERAL}2 3 1\n1 4 1.0\n")),
        "entry 1 (line 3): column index 4 outside 1..=3"
    );
}

#[test]
fn error_index_zero() {
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/index_zero.mtx")).unwrap_err()),
        "entry 1 (line 3): row index 0 outside 1..=3"
    );
    assert_eq!(
        parse_err(&format!("{GENERAL}2 3 1\n-1 1 1.0\n")),
        "entry 1 (line 3): row index '-1' is not a positive integer"
    );
}

#[test]
fn error_wrong_entry_count() {
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/too_few_entries.mtx")).unwrap_err()),
        "the size line declares 3 entries but the file holds 2"
    );
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/too_many_entries.mtx")).unwrap_err()),
        "the size line declares 1 entries but line 4 holds entry 2"
    );
}

#[test]
fn error_non_numeric_value() {
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/not_numeric.mtx")).unwrap_err()),
        "entry 1 (line 3): value 'abc' is not a real number"
    );
    assert_eq!(
        parse_err("%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1.5\n"),
        "entry 1 (line 3): value '1.5' is not an integer"
    );
    assert_eq!(
        parse_err(&format!("{GENERAL}1 1 1\n1 1\n")),
        "entry 1 (line 3): expected 3 fields (row col value), got 2"
    );
}

#[test]
fn error_unsupported_kinds() {
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/skew.mtx")).unwrap_err()),
        "skew-symmetric Matrix Market files are not supported (supported: general, symmetric)"
    );
    assert_eq!(
        format_detail(read_mtx(&fixture("mtx/complex.mtx")).unwrap_err()),
        "complex Matrix Market files are not supported (supported: real, integer, pattern)"
    );
    assert!(
        parse_err("%%MatrixMarket matrix coordinate real hermitian\n").starts_with("hermitian")
    );
    assert!(
        parse_err("%%MatrixMarket vector coordinate real general\n").contains("object 'vector'")
    );
    assert!(
        parse_err("%%MatrixMarket matrix array pattern general\n")
            .contains("cannot have the pattern field")
    );
    assert!(parse_err("%%MatrixMarket matrix dense real general\n").contains("format 'dense'"));
    assert_eq!(
        parse_err("%%MatrixMarket matrix coordinate quaternion general\n"),
        "unsupported Matrix Market field 'quaternion' (supported: real, integer, pattern)"
    );
    assert_eq!(
        parse_err("%%MatrixMarket matrix coordinate real diagonal\n"),
        "unsupported Matrix Market symmetry 'diagonal' (supported: general, symmetric)"
    );
}

#[test]
fn error_bad_banner_and_size_line() {
    assert_eq!(
        parse_err("1 1 1\n1 1 1\n"),
        "not a Matrix Market file (the first line must start with %%MatrixMarket)"
    );
    assert!(
        parse_err("%%MatrixMarket matrix coordinate real\n")
            .starts_with("bad Matrix Market header")
    );
    assert_eq!(
        parse_err(GENERAL),
        "no size line after the Matrix Market header"
    );
    assert_eq!(
        parse_err(&format!("{GENERAL}2 2\n")),
        "line 2: bad size line '2 2': expected 'rows cols entries'"
    );
    assert_eq!(
        parse_err("%%MatrixMarket matrix coordinate real symmetric\n2 3 0\n"),
        "a symmetric matrix must be square, the size line says 2 x 3"
    );
}

#[test]
fn error_array_size_checked_before_allocation() {
    let msg = format_detail(read_mtx(&fixture("mtx/huge_array.mtx")).unwrap_err());
    assert!(
        msg.starts_with("the size line declares a 100000 x 100000 array but the file"),
        "{msg}"
    );
    assert_eq!(
        parse_err("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n"),
        "the size line declares 4 values (2 x 2) but the file holds 3"
    );
    assert_eq!(
        parse_err("%%MatrixMarket matrix array real general\n1 2\n1\n2\n3\n"),
        "line 5: more values than the 2 the size line declares"
    );
    assert_eq!(
        parse_err("%%MatrixMarket matrix array real general\n1 1\nx\n"),
        "value 1 (line 3): 'x' is not a number"
    );
}

#[test]
fn error_absurd_coordinate_size() {
    let msg = format_detail(read_mtx(&fixture("mtx/absurd_size.mtx")).unwrap_err());
    assert_eq!(
        msg,
        "the size line declares 100000000000 x 100000000000, beyond the largest supported \
         dimension 268435456"
    );
}

#[test]
fn write_then_read_is_exact() {
    let dir = tmpdir();
    let p = dir.path().join("w.mtx");
    let m =
        CsrMatrix::from_triplets(3, 4, &[0, 2, 2], &[3, 0, 1], &[0.1, -1e-300, 1.0 / 3.0]).unwrap();
    write_mtx(&p, &m).unwrap();
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.starts_with("%%MatrixMarket matrix coordinate real general\n"));
    assert!(
        text.contains("\n3 4 3\n1 4 1.0000000000000001e-1\n"),
        "{text}"
    );
    let (back, field) = read_mtx(&p).unwrap();
    assert_eq!(field, MtxField::Real);
    assert_eq!(back, m);
    assert_eq!(files_in(dir.path()), vec!["w.mtx"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn mtx_round_trip(
        nrows in 1usize..8,
        ncols in 1usize..8,
        entries in prop::collection::vec((0usize..8, 0usize..8, any::<f64>()), 0..20),
    ) {
        let (mut r, mut c, mut v) = (vec![], vec![], vec![]);
        for (i, j, x) in entries {
            if i < nrows && j < ncols && x.is_finite() {
                r.push(i);
                c.push(j);
                v.push(x);
            }
        }
        // Deduplicate first so that the sums are the same floating-point operations.
        let m = CsrMatrix::from_triplets(nrows, ncols, &r, &c, &v).unwrap();
        let dir = tmpdir();
        let p = dir.path().join("p.mtx");
        write_mtx(&p, &m).unwrap();
        prop_assert_eq!(read_mtx(&p).unwrap().0, m);
    }

    #[test]
    fn parser_never_panics(body in "[0-9 %\n.e-]{0,60}") {
        let _ = parse_mtx(&format!("{GENERAL}{body}"), Path::new("m.mtx"));
    }
}
