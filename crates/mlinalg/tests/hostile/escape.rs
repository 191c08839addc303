//! Every reader quotes file content through `mlinalg::error::escape_excerpt`: a file
//! holding `ESC ] 0 ; pwned BEL ESC [ 31 m` (set the terminal title, turn it red) must give
//! a message with those bytes escaped, on one line.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use mlinalg::Error;
use mlinalg::io::{TypedArray, load, read_csv, read_mtx, read_npy, write_npz_typed};
use mlinalg::stream::{Block, CsvSource, ParquetSource, RowSource};

/// Sets the terminal title and colour when printed raw.
const PWN: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31m";
/// How [`PWN`] reads in a message.
const PWN_ESCAPED: &str = r"\x1b]0;pwned\x07\x1b[31m";

/// The message of `e`, checked to be one printable line (no control characters, no
/// bidirectional overrides) that quotes the escaped payload when `quoted` says so.
fn assert_safe(e: &Error, quoted: bool) -> String {
    let msg = e.to_string();
    let bad: Vec<char> = msg
        .chars()
        .filter(|&c| {
            c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
        })
        .collect();
    assert!(bad.is_empty(), "raw control characters {bad:?} in {msg:?}");
    if quoted {
        assert!(msg.contains(PWN_ESCAPED), "{msg}");
    }
    msg
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write test file");
    p
}

/// A version 1.0 `.npy` file with the given header dict text and body.
fn npy_with_header(dict: &[u8], body: &[u8]) -> Vec<u8> {
    let mut header = dict.to_vec();
    let total = 10 + header.len() + 1;
    header.resize(header.len() + (64 - total % 64) % 64, b' ');
    header.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(body);
    out
}

#[test]
fn csv_cell() {
    let d = tmp();
    let p = write(d.path(), "esc.csv", format!("1,2\n3,{PWN}\n"));
    let msg = assert_safe(&read_csv(&p).unwrap_err(), true);
    assert!(
        msg.ends_with(&format!("row 2, column 2: '{PWN_ESCAPED}' is not a number")),
        "{msg}"
    );
    // the streaming reader quotes the same way
    let mut src = CsvSource::open(&p).unwrap();
    let mut b = Block::new();
    let e = loop {
        match src.read_block(&mut b, 16) {
            Ok(true) => {}
            Ok(false) => panic!("the bad cell was not reported"),
            Err(e) => break e,
        }
    };
    assert_safe(&e, true);
}

#[test]
fn csv_long_cell_is_cut() {
    let d = tmp();
    let long = format!("{PWN}{}", "x".repeat(100_000));
    let p = write(d.path(), "long.csv", format!("1\n{long}\n"));
    let msg = assert_safe(&read_csv(&p).unwrap_err(), true);
    assert!(msg.len() < 400, "{} bytes: {msg}", msg.len());
    assert!(msg.contains('…'), "{msg}");
}

#[test]
fn mtx_banner_size_line_and_entries() {
    let d = tmp();
    let cases = [
        format!("%%MatrixMarket matrix {PWN} real general\n1 1 1\n1 1 1\n"),
        format!("%%MatrixMarket matrix coordinate {PWN} general\n1 1 1\n1 1 1\n"),
        format!("%%MatrixMarket matrix coordinate real {PWN}\n1 1 1\n1 1 1\n"),
        format!("%%MatrixMarket {PWN} coordinate real general\n1 1 1\n1 1 1\n"),
        format!("%%MatrixMarket matrix coordinate real general {PWN}\n1 1 1\n1 1 1\n"),
        format!("%%MatrixMarket matrix coordinate real general\n1 1 {PWN}\n1 1 1\n"),
        format!("%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 {PWN}\n"),
        format!("%%MatrixMarket matrix coordinate real general\n1 1 1\n{PWN} 1 1\n"),
        format!("%%MatrixMarket matrix array real general\n1 1\n{PWN}\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let p = write(d.path(), &format!("c{i}.mtx"), text);
        let e = read_mtx(&p).unwrap_err();
        assert_safe(&e, true);
    }
    // the streaming row source of a row-ordered .mtx reads its own size line
    let p = write(
        d.path(),
        "s.mtx",
        format!("%%MatrixMarket matrix coordinate real general\n2 {PWN} 1\n1 1 1\n"),
    );
    if let Err(e) = mlinalg::stream::MtxCsrSource::open(&p) {
        assert_safe(&e, true);
    }
}

#[test]
fn npy_header_values() {
    let d = tmp();
    let descr = format!("{{'descr': '{PWN}', 'fortran_order': False, 'shape': (1,), }}");
    let p = write(
        d.path(),
        "descr.npy",
        npy_with_header(descr.as_bytes(), &[0; 8]),
    );
    assert_safe(&read_npy(&p).unwrap_err(), true);
    let shape = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ('{PWN}',), }}");
    let p = write(
        d.path(),
        "shape.npy",
        npy_with_header(shape.as_bytes(), &[0; 8]),
    );
    assert_safe(&read_npy(&p).unwrap_err(), true);
    let order = format!("{{'descr': '<f8', 'fortran_order': '{PWN}', 'shape': (1,), }}");
    let p = write(
        d.path(),
        "order.npy",
        npy_with_header(order.as_bytes(), &[0; 8]),
    );
    assert_safe(&read_npy(&p).unwrap_err(), true);
    // invalid UTF-8 and a raw ESC outside strings: shown as \xNN
    let p = write(
        d.path(),
        "bytes.npy",
        npy_with_header(b"{'descr': '<f8', \xff\xfe: 1}", &[]),
    );
    let msg = assert_safe(&read_npy(&p).unwrap_err(), false);
    assert!(msg.contains(r"'\xff'"), "{msg}");
    let p = write(
        d.path(),
        "esc.npy",
        npy_with_header(b"{'descr': '<f8', \x1b[31m: 1}", &[]),
    );
    let msg = assert_safe(&read_npy(&p).unwrap_err(), false);
    assert!(msg.contains(r"'\x1b'"), "{msg}");
    // a shape of a million entries is not quoted whole
    let mut huge = b"{'descr': '<f8', 'fortran_order': False, 'shape': '".to_vec();
    huge.extend(std::iter::repeat_n(b'7', 60_000));
    huge.extend_from_slice(b"', }");
    let p = write(d.path(), "huge.npy", npy_with_header(&huge, &[]));
    let msg = assert_safe(&read_npy(&p).unwrap_err(), false);
    assert!(msg.len() < 400, "{} bytes", msg.len());
}

#[test]
fn npz_member_names() {
    let d = tmp();
    let p = d.path().join("two.npz");
    let a = TypedArray::Float64(ndarray::array![1.0, 2.0].into_dyn());
    write_npz_typed(&p, &[(PWN, &a), ("b", &a)]).unwrap();
    // several arrays: the message lists them
    let msg = assert_safe(&load(&p).unwrap_err(), true);
    assert!(msg.contains("holds 2 arrays"), "{msg}");
    // a missing member asked for by name (user input) and the names it holds
    let asked = PathBuf::from(format!("{}:{PWN}x", p.display()));
    assert_safe(&load(&asked).unwrap_err(), true);
    // an archive of many members lists 20 of them
    let many: Vec<(String, TypedArray)> = (0..500).map(|i| (format!("m{i}"), a.clone())).collect();
    let refs: Vec<(&str, &TypedArray)> = many.iter().map(|(n, a)| (n.as_str(), a)).collect();
    let p = d.path().join("many.npz");
    write_npz_typed(&p, &refs).unwrap();
    let msg = assert_safe(&load(&p).unwrap_err(), false);
    assert!(msg.contains("(480 more)"), "{msg}");
    assert!(msg.len() < 600, "{} bytes", msg.len());
}

/// A 1-d integer `.npy` of `n` elements with the given little-endian bytes.
fn npy_ints(descr: &str, n: usize, body: &[u8]) -> Vec<u8> {
    let dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({n},), }}");
    npy_with_header(dict.as_bytes(), body)
}

/// A `.npy` of a 0-d byte string (`np.array(b"…")`), as scipy writes the `format` entry.
fn npy_bytes_scalar(text: &[u8]) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '|S{}', 'fortran_order': False, 'shape': (), }}",
        text.len()
    );
    npy_with_header(dict.as_bytes(), text)
}

#[test]
fn scipy_sparse_npz_format_entry() {
    let d = tmp();
    let p = d.path().join("sp.npz");
    let f = std::fs::File::create(&p).unwrap();
    let mut z = zip::ZipWriter::new(f);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let data = TypedArray::Float64(ndarray::array![1.0].into_dyn());
    let mut bytes = Vec::new();
    data.write_npy_to(&mut bytes, mlinalg::io::NpyOrder::Auto)
        .unwrap();
    let arrays: [(&str, Vec<u8>); 4] = [
        ("data", bytes),
        ("indices", npy_ints("<i4", 1, &0i32.to_le_bytes())),
        ("indptr", npy_ints("<i4", 2, &[0, 0, 0, 0, 1, 0, 0, 0])),
        (
            "shape",
            npy_ints("<i8", 2, &[1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]),
        ),
    ];
    for (name, bytes) in &arrays {
        z.start_file(format!("{name}.npy"), opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.start_file("format.npy", opts).unwrap();
    z.write_all(&npy_bytes_scalar(PWN.as_bytes())).unwrap();
    z.finish().unwrap();
    assert_safe(&load(&p).unwrap_err(), true);
    assert_safe(&mlinalg::sparse::CsrMatrix::load_npz(&p).unwrap_err(), true);
}

/// A Parquet file with one float64 column named `name`.
fn parquet_with_column(path: &Path, name: &str) {
    use arrow_array::{Float64Array, RecordBatch};
    use arrow_schema::{DataType, Field, Schema};
    let schema = Arc::new(Schema::new(vec![Field::new(
        name,
        DataType::Float64,
        false,
    )]));
    let col = Arc::new(Float64Array::from(vec![1.0, 2.0]));
    let batch = RecordBatch::try_new(schema.clone(), vec![col]).unwrap();
    let f = std::fs::File::create(path).unwrap();
    let mut w = parquet::arrow::ArrowWriter::try_new(f, schema, None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

#[test]
fn parquet_column_names() {
    let d = tmp();
    let p = d.path().join("t.parquet");
    parquet_with_column(&p, PWN);
    // the source opens fine; asking for another column lists the file's columns
    let cols = vec!["nope".to_string()];
    let e = ParquetSource::open(std::slice::from_ref(&p), Some(&cols)).unwrap_err();
    assert_safe(&e, true);
    // a column name asked for by the user is user input
    let cols = vec![format!("{PWN}!")];
    let e = ParquetSource::open(std::slice::from_ref(&p), Some(&cols)).unwrap_err();
    assert_safe(&e, true);
}

#[test]
fn file_names_are_escaped_too() {
    let d = tmp();
    // an unknown extension and a missing file, both named with the payload
    let e = load(&d.path().join(format!("{PWN}.txt"))).unwrap_err();
    assert_safe(&e, true);
    let e = load(&d.path().join(format!("x.{PWN}"))).unwrap_err();
    assert_safe(&e, true);
    let e = read_npy(&d.path().join(format!("{PWN}.npy"))).unwrap_err();
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert_safe(&e, true);
    // bytes that are not UTF-8 in a file name
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let name = std::ffi::OsStr::from_bytes(b"bad\xff\x1b.npy");
        let e = read_npy(&d.path().join(name)).unwrap_err();
        let msg = assert_safe(&e, false);
        assert!(msg.contains(r"bad\xff\x1b.npy"), "{msg}");
    }
}
