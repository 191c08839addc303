//! CSV reading and writing.

use std::path::Path;

use mlinalg::Error;
use mlinalg::io::csv::{parse_csv, read_csv, write_csv};
use ndarray::{Array2, ArrayD, IxDyn, array};
use proptest::prelude::*;

use super::{files_in, fixture, format_detail, tmpdir};

fn parse(text: &str) -> ArrayD<f64> {
    parse_csv(text, Path::new("t.csv")).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn parse_err(text: &str) -> String {
    format_detail(parse_csv(text, Path::new("t.csv")).unwrap_err())
}

#[test]
fn plain_table() {
    assert_eq!(
        read_csv(&fixture("csv/plain.csv")).unwrap(),
        array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]].into_dyn()
    );
}

#[test]
fn header_crlf_spaces_quotes_and_specials() {
    let a = read_csv(&fixture("csv/header_crlf_quoted.csv")).unwrap();
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(a[[0, 0]], 1.0);
    assert_eq!(a[[0, 1]], 2.5);
    assert_eq!(a[[0, 2]], -300.0);
    assert_eq!(a[[1, 0]], 4.0);
    assert!(a[[1, 1]].is_nan());
    assert_eq!(a[[1, 2]], f64::NEG_INFINITY);
}

#[test]
fn one_column_and_one_row_are_vectors() {
    assert_eq!(
        read_csv(&fixture("csv/one_column.csv")).unwrap(),
        array![1.0, 2.0, 3.0].into_dyn()
    );
    assert_eq!(
        read_csv(&fixture("csv/one_row.csv")).unwrap(),
        array![1.5, 2.5, 3.5].into_dyn()
    );
    assert_eq!(parse("42\n"), array![42.0].into_dyn());
}

#[test]
fn numpy_savetxt_reads_back_exactly() {
    let want = mlinalg::io::read_npy(&fixture("csv/savetxt_ref.npy"))
        .unwrap()
        .data;
    assert_eq!(read_csv(&fixture("csv/savetxt.csv")).unwrap(), want);
}

#[test]
fn number_forms() {
    let a = parse("1e5, +2, .5, 5., -0, Infinity, NaN, INF\n");
    let want = [
        1e5,
        2.0,
        0.5,
        5.0,
        -0.0,
        f64::INFINITY,
        f64::NAN,
        f64::INFINITY,
    ];
    for (x, y) in a.iter().zip(want) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{x} vs {y}"
        );
    }
}

#[test]
fn blank_lines_bom_and_no_final_newline() {
    assert_eq!(parse("\u{feff}a,b\n\n1,2\n   \n3,4").shape(), &[2, 2]);
}

#[test]
fn quoted_header_cells_may_hold_commas_and_quotes() {
    let a = parse("\"x, first\",\"say \"\"hi\"\"\"\n1,2\n3,4\n");
    assert_eq!(a, array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
}

#[test]
fn error_ragged_rows() {
    assert_eq!(
        format_detail(read_csv(&fixture("csv/ragged.csv")).unwrap_err()),
        "row 2 has 2 cells, expected 3"
    );
    assert_eq!(
        parse_err("a,b\n1,2\n\n3,4,5\n"),
        "row 4 has 3 cells, expected 2"
    );
}

#[test]
fn error_non_numeric_below_header() {
    assert_eq!(
        format_detail(read_csv(&fixture("csv/non_numeric.csv")).unwrap_err()),
        "row 3, column 2: 'oops' is not a number"
    );
    assert_eq!(parse_err("1,2\n3,\n"), "row 2, column 2: empty cell");
}

#[test]
fn error_no_data_rows() {
    assert_eq!(
        format_detail(read_csv(&fixture("csv/header_only.csv")).unwrap_err()),
        "no data rows below the header (row 1)"
    );
    assert_eq!(
        format_detail(read_csv(&fixture("csv/empty.csv")).unwrap_err()),
        "no data rows (the file is empty)"
    );
    assert_eq!(parse_err("\n\r\n  \n"), "no data rows (the file is empty)");
}

#[test]
fn error_unterminated_quote() {
    assert_eq!(
        parse_err("a,b\n1,\"2\n"),
        "row 2: unterminated double quote"
    );
}

#[test]
fn error_not_utf8() {
    let dir = tmpdir();
    let p = dir.path().join("bin.csv");
    std::fs::write(&p, b"1,2\n\xff\xfe\n").unwrap();
    assert_eq!(
        format_detail(read_csv(&p).unwrap_err()),
        "not UTF-8 text (invalid byte at offset 4)"
    );
}

#[test]
fn write_vector_one_value_per_line() {
    let dir = tmpdir();
    let p = dir.path().join("v.csv");
    write_csv(&p, &array![1.0, 0.1, -2.5e-300, f64::NAN, f64::INFINITY]).unwrap();
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "1.0\n0.1\n-2.5e-300\nNaN\ninf\n"
    );
    let back = read_csv(&p).unwrap();
    assert_eq!(back.shape(), &[5]);
    assert!(back[3].is_nan());
}

#[test]
fn write_matrix_rows() {
    let dir = tmpdir();
    let p = dir.path().join("m.csv");
    let a = array![[1.0, 2.0], [3.0, 1.0 / 3.0]];
    write_csv(&p, &a.t()).unwrap();
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "1.0,3.0\n2.0,0.3333333333333333\n"
    );
    assert_eq!(read_csv(&p).unwrap(), a.t().to_owned().into_dyn());
    assert_eq!(files_in(dir.path()), vec!["m.csv"]);
}

#[test]
fn write_rejects_3d() {
    let dir = tmpdir();
    let e = write_csv(
        &dir.path().join("c.csv"),
        &ArrayD::<f64>::zeros(IxDyn(&[2, 2, 2])),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Shape { .. }));
    assert_eq!(
        e.to_string(),
        "write_csv: expected a 0-d, 1-d or 2-d array, got shape (2, 2, 2)"
    );
    assert!(files_in(dir.path()).is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn csv_round_trip_is_exact(rows in 2usize..6, cols in 2usize..6, v in prop::collection::vec(any::<f64>(), 36)) {
        let a = Array2::from_shape_fn((rows, cols), |(i, j)| v[i * 6 + j]);
        let dir = tmpdir();
        let p = dir.path().join("r.csv");
        write_csv(&p, &a).unwrap();
        let back = read_csv(&p).unwrap();
        prop_assert_eq!(back.shape(), &[rows, cols]);
        for (x, y) in back.iter().zip(a.iter()) {
            prop_assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "{} vs {}", x, y);
        }
    }

    #[test]
    fn parser_never_panics(text in "[0-9a-z,\" \r\n.eE+-]{0,80}") {
        let _ = parse_csv(&text, Path::new("t.csv"));
    }
}
