//! The streamed CSV source reads what `read_csv` reads, and reports errors where they are.

use ndarray::{Array2, Axis, concatenate};

use mlinalg::stream::{Block, CsvSource, RowSource};

fn temp(name: &str, text: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("mlinalg-csvsrc-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn read_all(src: &mut dyn RowSource, size: usize) -> mlinalg::Result<Array2<f64>> {
    src.rewind()?;
    let mut b = Block::new();
    let mut out = Array2::<f64>::zeros((0, src.ncols()));
    while src.read_block(&mut b, size)? {
        out = concatenate![Axis(0), out, b.view()];
    }
    Ok(out)
}

#[test]
fn same_rules_as_read_csv() {
    let text = "\u{feff}x, y ,z\r\n1, 2,3\r\n\n\"4\",\"5\"\"\" ,6e0\n 7 ,8,\"9\"\n-inf,nan,.5";
    // "5""" is not a number for either reader: replace it to compare values
    let text = text.replace("\"5\"\"\"", "\"5\"");
    let p = temp("rules.csv", &text);
    let want = mlinalg::io::read_csv(&p).unwrap();
    let want: Array2<f64> = want.into_dimensionality().unwrap();
    let mut src = CsvSource::open(&p).unwrap();
    assert_eq!(src.ncols(), 3);
    assert_eq!(src.nrows(), None);
    for size in [1, 2, 7] {
        let got = read_all(&mut src, size).unwrap();
        assert_eq!(got.dim(), want.dim());
        for (a, b) in got.iter().zip(want.iter()) {
            assert!(a == b || (a.is_nan() && b.is_nan()), "{a} vs {b}");
        }
    }
}

#[test]
fn quoted_cells_may_hold_commas_and_line_breaks_across_chunks() {
    // records spanning the 1 MiB read chunk, and a quoted cell with a newline
    let mut text = String::from("a,b\n");
    for i in 0..60_000 {
        text.push_str(&format!("{i},\"{}\"\n", i as f64 * 0.5));
    }
    let p = temp("big.csv", &text);
    let mut src = CsvSource::open(&p).unwrap();
    let got = read_all(&mut src, 4096).unwrap();
    assert_eq!(got.dim(), (60_000, 2));
    assert_eq!(got[[59_999, 1]], 59_999.0 * 0.5);
    // a first row with a non-numeric cell is a header (read_csv's rule), so the quoted
    // "2\n" of a later row is an error at the line its record starts on
    let p = temp("nl.csv", "0,0,0\n1,\"2\n\",3\n4,5,6\n");
    let mut src = CsvSource::open(&p).unwrap();
    let e = read_all(&mut src, 10).unwrap_err().to_string();
    assert!(
        e.ends_with("row 2, column 2: '2\\n' is not a number"),
        "{e}"
    );
    let p = temp("nl2.csv", "a,b\n\"1,5\",2\n\"3\",4\n");
    // the first data row is read when opening (to learn the width): the error comes there
    let e = CsvSource::open(&p).unwrap_err().to_string();
    assert!(e.ends_with("row 2, column 1: '1,5' is not a number"), "{e}");
}

#[test]
fn a_ragged_row_far_down_is_an_error_naming_its_row() {
    let mut text = String::new();
    for i in 0..50_000 {
        text.push_str(&format!("{i},{i}\n"));
    }
    text.push_str("1,2,3\n");
    let p = temp("ragged.csv", &text);
    let mut src = CsvSource::open(&p).unwrap();
    let e = read_all(&mut src, 1000).unwrap_err().to_string();
    assert_eq!(
        e,
        format!("{}: row 50001: has 3 cells, expected 2", p.display())
    );
    let p = temp("empty.csv", "x,y\n\n");
    assert!(
        CsvSource::open(&p)
            .unwrap_err()
            .to_string()
            .ends_with("no data rows")
    );
    let p = temp("unterminated.csv", "1,2\n3,\"4\n");
    let mut src = CsvSource::open(&p).unwrap();
    let e = read_all(&mut src, 10).unwrap_err().to_string();
    assert!(e.contains("row 2: unterminated double quote"), "{e}");
}

#[test]
fn a_ten_gigabyte_line_is_an_error_naming_file_and_line() {
    // Two rows, then 10 GB without a line end (a sparse file: no disk is used). The
    // reader stops at its record cap instead of buffering the line.
    let p = temp("endless.csv", "1,2\n3,4\n");
    let f = std::fs::OpenOptions::new().write(true).open(&p).unwrap();
    f.set_len(10 << 30).unwrap();
    drop(f);
    let mut src = CsvSource::open(&p).unwrap();
    let mut b = Block::new();
    let e = src.read_block(&mut b, 100).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("endless.csv"), "{msg}");
    assert!(
        msg.contains("line 3: a record longer than 67108864 bytes"),
        "{msg}"
    );
    std::fs::remove_file(&p).ok();
}

#[test]
fn a_record_longer_than_one_read_is_read_whole() {
    // 300 000 cells in one line (≈ 2 MB, more than one 1 MiB read) and a second row.
    let n = 300_000;
    let row = |k: usize| {
        (0..n)
            .map(|j| ((j + k) % 10).to_string())
            .collect::<Vec<_>>()
            .join(",")
    };
    let p = temp("wide.csv", &format!("{}\n{}\n", row(0), row(1)));
    let mut src = CsvSource::open(&p).unwrap();
    assert_eq!(src.ncols(), n);
    let got = read_all(&mut src, 2).unwrap();
    assert_eq!(got.dim(), (2, n));
    assert_eq!(got[[0, 9]], 9.0);
    assert_eq!(got[[1, 9]], 0.0);
    std::fs::remove_file(&p).ok();
}
