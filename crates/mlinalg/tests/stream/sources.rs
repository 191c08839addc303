//! Row-block sources: `.npy` in every order and dtype, in-memory arrays and zipped
//! sources give the rows of the in-memory array for every block size; truncated and
//! changing files are errors naming the file.

use std::path::PathBuf;

use ndarray::{Array2, Axis, array, concatenate, s};

use mlinalg::stream::{ArraySource, Block, NpySource, RowSource, ZipSource};

use crate::common::fixtures_dir;

fn fx(name: &str) -> PathBuf {
    fixtures_dir().join("stream").join(name)
}

/// Every row of a source, read in blocks of `size`, checking block bookkeeping.
fn read_all(src: &mut dyn RowSource, size: usize) -> Array2<f64> {
    src.rewind().unwrap();
    let mut b = Block::new();
    let mut out = Array2::<f64>::zeros((0, src.ncols()));
    while src.read_block(&mut b, size).unwrap() {
        assert!(b.rows() >= 1 && b.rows() <= size);
        assert_eq!(b.first_row(), out.nrows() as u64);
        out = concatenate![Axis(0), out, b.view()];
    }
    out
}

#[test]
fn npy_every_order_and_dtype_for_every_block_size() {
    let want = mlinalg::io::read_npy(&fx("x_c.npy"))
        .unwrap()
        .data
        .into_dimensionality()
        .unwrap();
    let want: Array2<f64> = want;
    for (file, w) in [
        ("x_c.npy", want.clone()),
        ("x_f.npy", want.clone()),
        ("x_be.npy", want.clone()),
        ("x_f32.npy", want.mapv(|v| f64::from(v as f32))),
        ("x_i32.npy", want.mapv(|v| (v * 10.0).round())),
    ] {
        let mut src = NpySource::open(&fx(file)).unwrap();
        assert_eq!(src.nrows(), Some(53));
        assert_eq!(src.ncols(), 4);
        assert_eq!(src.fortran_order(), file == "x_f.npy");
        for size in [1, 7, 53, 1000] {
            // two passes: rewind works
            for _ in 0..2 {
                assert_eq!(read_all(&mut src, size), w, "{file} block {size}");
            }
        }
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("mlinalg-stream-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn npy_one_d_is_a_column_and_other_shapes_are_refused() {
    let dir = temp_dir("shapes");
    let p = dir.join("v.npy");
    mlinalg::io::write_npy(&p, &array![1.0, 2.0, 3.0]).unwrap();
    let mut src = NpySource::open(&p).unwrap();
    assert_eq!(read_all(&mut src, 2), array![[1.0], [2.0], [3.0]]);
    let p3 = dir.join("c.npy");
    mlinalg::io::write_npy(&p3, &ndarray::Array3::<f64>::zeros((2, 2, 2))).unwrap();
    let e = NpySource::open(&p3).unwrap_err().to_string();
    assert!(
        e.contains("expected a 1-d or 2-d array, got shape (2, 2, 2)"),
        "{e}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn truncated_and_changing_npy_files_are_errors_naming_the_file() {
    let dir = temp_dir("trunc");
    let p = dir.join("t.npy");
    let bytes = std::fs::read(fx("x_c.npy")).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() - 5]).unwrap();
    let e = NpySource::open(&p).unwrap_err().to_string();
    assert!(
        e.starts_with(&p.display().to_string()) && e.contains("truncated"),
        "{e}"
    );

    // shrinks while being read
    std::fs::write(&p, &bytes).unwrap();
    let mut src = NpySource::open(&p).unwrap();
    let mut b = Block::new();
    assert!(src.read_block(&mut b, 10).unwrap());
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    let mut err = None;
    for _ in 0..10 {
        match src.read_block(&mut b, 10) {
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
            Ok(false) => break,
            Ok(true) => {}
        }
    }
    let e = err.expect("a shrunk file is an error");
    assert!(e.contains("changed while it was read"), "{e}");

    // grows while being read: noticed at the end of the pass
    std::fs::write(&p, &bytes).unwrap();
    let mut src = NpySource::open(&p).unwrap();
    assert!(src.read_block(&mut b, 50).unwrap());
    let mut longer = bytes.clone();
    longer.extend([0u8; 32]);
    std::fs::write(&p, &longer).unwrap();
    assert!(src.read_block(&mut b, 50).unwrap());
    let e = src.read_block(&mut b, 50).unwrap_err().to_string();
    assert!(e.contains("changed while it was read"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn zip_source_lines_up_rows_of_different_block_sizes() {
    let x = crate::common::normal(23, 3, 4);
    let y = crate::common::normal(23, 1, 5);
    let want = concatenate![Axis(1), x, y];
    for size in [1, 4, 7, 23, 50] {
        let mut z = ZipSource::new(
            Box::new(ArraySource::new(x.view())),
            Box::new(ArraySource::new(y.view())),
        );
        assert_eq!(z.ncols(), 4);
        assert_eq!(read_all(&mut z, size), want, "block {size}");
    }
    let short = y.slice(s![..20, ..]);
    let mut z = ZipSource::new(
        Box::new(ArraySource::new(x.view())),
        Box::new(ArraySource::new(short)),
    );
    let mut b = Block::new();
    let mut err = None;
    for _ in 0..30 {
        match z.read_block(&mut b, 6) {
            Err(e) => {
                err = Some(e.to_string());
                break;
            }
            Ok(false) => break,
            Ok(true) => {}
        }
    }
    assert!(
        err.expect("different lengths are an error")
            .contains("different numbers of rows")
    );
}
