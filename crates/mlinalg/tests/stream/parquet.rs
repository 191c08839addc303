//! Parquet sources on pyarrow-written fixtures (`generate_stream.py`): several row groups
//! and files, float32/float64/int columns, a string column, a null, list columns, corrupt
//! footers and pages, mixed schemas.

use std::path::PathBuf;

use ndarray::{Array2, Axis, concatenate};

use mlinalg::decomposition::{Pca, PcaSolver};
use mlinalg::stream::{Block, ParquetSource, RowSource, StreamOptions};

use crate::common::{fixtures_dir, read_npy};

fn pq(name: &str) -> PathBuf {
    fixtures_dir().join("stream").join("pq").join(name)
}

fn want(name: &str) -> Array2<f64> {
    read_npy(&fixtures_dir().join("stream").join(format!("{name}.npy")))
        .into_dimensionality()
        .unwrap()
}

fn read_all(src: &mut dyn RowSource, size: usize) -> Array2<f64> {
    src.rewind().unwrap();
    let mut b = Block::new();
    let mut out = Array2::<f64>::zeros((0, src.ncols()));
    while src.read_block(&mut b, size).unwrap() {
        assert_eq!(b.first_row(), out.nrows() as u64);
        out = concatenate![Axis(0), out, b.view()];
    }
    out
}

#[test]
fn numeric_columns_of_a_file_with_row_groups() {
    let mut src = ParquetSource::open(&[pq("one.parquet")], None).unwrap();
    assert_eq!(src.column_names(), vec!["a", "b", "c"]); // the string column is skipped
    assert_eq!((src.nrows(), src.ncols()), (Some(100), 3));
    for size in [1, 7, 40, 97, 1000] {
        assert_eq!(read_all(&mut src, size), want("pq_one__x"), "block {size}");
    }
    // named columns, in the order asked
    let cols = vec!["c".to_string(), "a".to_string()];
    let mut src = ParquetSource::open(&[pq("one.parquet")], Some(&cols)).unwrap();
    assert_eq!(read_all(&mut src, 33), want("pq_one__ca"));
}

#[test]
fn a_directory_of_files_is_one_table() {
    let mut src = ParquetSource::open(&[pq("dir")], None).unwrap();
    assert_eq!(src.files().len(), 3);
    assert_eq!(src.nrows(), Some(76));
    for size in [1, 7, 16, 76] {
        assert_eq!(read_all(&mut src, size), want("pq_dir__x"), "block {size}");
    }
    // the same files listed one by one
    let files: Vec<PathBuf> = (0..3)
        .map(|i| pq(&format!("dir/part-{i}.parquet")))
        .collect();
    let mut src = ParquetSource::open(&files, None).unwrap();
    assert_eq!(read_all(&mut src, 10), want("pq_dir__x"));
}

#[test]
fn fixed_size_list_columns_are_matrix_rows() {
    for (file, w) in [
        ("list.parquet", "pq_list__x"),
        ("list32.parquet", "pq_list32__x"),
    ] {
        let mut src = ParquetSource::open(&[pq(file)], None).unwrap();
        assert_eq!(src.ncols(), 4);
        for size in [1, 7, 50] {
            assert_eq!(read_all(&mut src, size), want(w), "{file} block {size}");
        }
    }
    let v = vec!["v".to_string()];
    let mut src = ParquetSource::open(&[pq("list_id.parquet")], Some(&v)).unwrap();
    assert_eq!(read_all(&mut src, 9), want("pq_list__x"));
}

fn first_error(src: &mut dyn RowSource) -> String {
    let mut b = Block::new();
    loop {
        match src.read_block(&mut b, 16) {
            Err(e) => return e.to_string(),
            Ok(false) => panic!("no error"),
            Ok(true) => {}
        }
    }
}

#[test]
fn bad_files_and_columns_are_errors_naming_file_and_column() {
    let e = ParquetSource::open(&[pq("corrupt_footer.parquet")], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("corrupt_footer.parquet: not a valid Parquet file"),
        "{e}"
    );
    let mut src = ParquetSource::open(&[pq("corrupt_page.parquet")], None).unwrap();
    let e = first_error(&mut src);
    assert!(
        e.contains("corrupt_page.parquet: row group 0: cannot be read"),
        "{e}"
    );
    let mut src = ParquetSource::open(&[pq("null.parquet")], None).unwrap();
    let e = first_error(&mut src);
    assert!(
        e.ends_with("null.parquet: column 'b' has a null in row group 1"),
        "{e}"
    );
    let s = vec!["s".to_string()];
    let e = ParquetSource::open(&[pq("one.parquet")], Some(&s))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("one.parquet: column 's' is not numeric (Utf8"),
        "{e}"
    );
    let z = vec!["zz\n".to_string()];
    let e = ParquetSource::open(&[pq("one.parquet")], Some(&z))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no column 'zz\\n' (columns: a, s, b, c)") && !e.contains('\n'),
        "{e}"
    );
    let e = ParquetSource::open(&[pq("strings.parquet")], None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no numeric columns"), "{e}");
    let e = ParquetSource::open(&[pq("mixed")], None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("p1.parquet: its selected columns [a: Float64] differ"),
        "{e}"
    );
    let b = vec!["a".to_string(), "b".to_string()];
    let e = ParquetSource::open(&[pq("mixed")], Some(&b))
        .unwrap_err()
        .to_string();
    assert!(e.contains("p1.parquet: column 'b' is not numeric"), "{e}");
}

#[test]
fn pca_on_parquet_equals_in_memory() {
    let x = want("pq_one__x");
    let m = Pca::new(Some(2))
        .solver(PcaSolver::Svd)
        .fit(x.view())
        .unwrap();
    let mut src = ParquetSource::open(&[pq("one.parquet")], None).unwrap();
    let s = Pca::new(Some(2))
        .fit_stream(&mut src, &StreamOptions::with_block_rows(13))
        .unwrap();
    let d = (s.components() - m.components())
        .iter()
        .fold(0.0f64, |a, v| a.max(v.abs()));
    assert!(d < 1e-12, "{d}");
}
