//! Inputs found by the coverage-guided fuzz targets (`fuzz/`, issue 11), minimised where
//! minimisation was possible and kept in `tests/fixtures/fuzz/`: `gh_fuzz_<target>_<what>`.

use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mlinalg::stream::{Block, CsvSource, ParquetSource, RowSource};

fn fuzz_fixture(name: &str) -> PathBuf {
    crate::common::fixtures_dir().join("fuzz").join(name)
}

/// Runs `f` on another thread; fails the test if it has not returned after `limit`.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(_) => panic!("still running after {limit:?}"),
    }
}

/// Reads the Parquet file `p` to the end with the streamed source (blocks of 9 rows) and
/// with `read_parquet`: the two results, values dropped.
fn read_parquet_both(p: &std::path::Path) -> (mlinalg::Result<()>, mlinalg::Result<()>) {
    let paths = [p.to_path_buf()];
    let streamed = ParquetSource::open(&paths, None).and_then(|mut src| {
        let mut b = Block::new();
        while src.read_block(&mut b, 9)? {}
        Ok(())
    });
    let whole = mlinalg::stream::read_parquet(&paths, None).map(|_| ());
    (streamed, whole)
}

/// `fuzz/fuzz_targets/csv.rs`: a byte-order mark after a blank line (`\n\u{feff}5\n0`).
/// `read_csv` strips a BOM only at the start of the file, so the first row's cell
/// `\u{feff}5` is not a number and the row is a header (one value: 0); the streamed
/// `CsvSource` stripped a BOM from every cell, took the row as data and read two values.
#[test]
fn gh_fuzz_csv_bom_after_a_blank_line() {
    let p = fuzz_fixture("csv_bom_after_blank_line.csv");
    assert_eq!(std::fs::read(&p).unwrap(), b"\n\xef\xbb\xbf5\n0");
    let whole = mlinalg::io::read_csv(&p).unwrap();
    assert_eq!(whole.len(), 1);
    assert_eq!(whole.iter().copied().collect::<Vec<_>>(), [0.0]);
    let mut src = CsvSource::open(&p).unwrap();
    let mut b = Block::new();
    let mut values = Vec::new();
    while src.read_block(&mut b, 4).unwrap() {
        values.extend(b.view().iter().copied());
    }
    assert_eq!(
        values,
        [0.0],
        "the streamed reader reads what read_csv reads"
    );
}

/// `fuzz/fuzz_targets/parquet.rs` (a 1 s timeout; the input as found, 30 KB: libFuzzer
/// cannot minimise an input that takes minutes per run). A corrupt page header declares a
/// long Thrift list in a field the `parquet` crate skips; its streaming parser skipped the
/// elements with reads whose short counts it ignored, so at the end of the file it spun
/// through the whole declared count of empty reads: 283 s in the fuzz build. The source's
/// strict file reader fails the first read past the end instead.
#[test]
fn gh_fuzz_parquet_page_header_skip_past_eof() {
    let p = fuzz_fixture("parquet_page_header_skip_past_eof.parquet");
    let started = Instant::now();
    let (streamed, whole) = within(Duration::from_secs(60), move || read_parquet_both(&p));
    for r in [&streamed, &whole] {
        let e = r.as_ref().expect_err("a corrupt page is an error");
        let msg = e.to_string();
        assert!(
            msg.contains("parquet_page_header_skip_past_eof.parquet"),
            "{msg}"
        );
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}

/// `fuzz/fuzz_targets/parquet.rs` (a 1 s timeout, 1.7 s per run in the fuzz build; the
/// input as found, 11.7 KB). The footer holds, in a field the `parquet` crate does not know,
/// a Thrift list of booleans with a count far beyond its bytes; the crate's skip of such a
/// list loops over the count without reading (it takes a boolean element as zero bytes),
/// and nothing bounds it: a count of 2³¹ − 1, nested, runs for hours. The source walks the
/// footer and every page header first (`stream/parquet/thrift_guard.rs`) and refuses one
/// whose steps outnumber its bytes.
#[test]
fn gh_fuzz_parquet_footer_bool_list_skip() {
    let p = fuzz_fixture("parquet_footer_bool_list_skip.parquet");
    let (streamed, whole) = within(Duration::from_secs(60), move || read_parquet_both(&p));
    for r in [&streamed, &whole] {
        let msg = r
            .as_ref()
            .expect_err("a corrupt footer is an error")
            .to_string();
        assert!(
            msg.contains("parquet_footer_bool_list_skip.parquet"),
            "{msg}"
        );
        assert!(msg.contains("corrupt footer metadata"), "{msg}");
    }
}

/// `fuzz/fuzz_targets/parquet.rs` (an abort; 2.7 KB as found): the row groups' declared
/// row counts (one negative, or a sum past `i64::MAX`). The `parquet` crate sums them as
/// `usize` when it builds a reader and overflowed (a panic with overflow checks on, a
/// wrapped count without). The source refuses such counts when it opens the file.
#[test]
fn gh_fuzz_parquet_row_counts_overflow() {
    let p = fuzz_fixture("parquet_row_counts_overflow.parquet");
    let (streamed, whole) = read_parquet_both(&p);
    for r in [&streamed, &whole] {
        let msg = r.as_ref().expect_err("refused").to_string();
        assert!(msg.contains("parquet_row_counts_overflow.parquet"), "{msg}");
        assert!(
            msg.contains("row group") && msg.contains("declares"),
            "{msg}"
        );
    }
}

/// `fuzz/fuzz_targets/parquet.rs` (out of memory: 2.5 GB for a 2.5 KB file; found with
/// `-malloc_limit_mb=32`, every allocation being small). The Arrow schema in the footer
/// declares a `FixedSizeList<Float32>` of 2²⁶ values per row over 50 rows and a few bytes
/// of data; the `parquet` crate builds a batch of the requested rows with 2²⁶ slots each,
/// null rows included, and copies it. The source now sizes its batches so that one holds
/// at most 64 MiB of values (here one row per batch, after checking that one row fits in
/// the memory there is), so the read ends at the first row's null with at most one row's
/// buffers (1 GiB here) allocated.
#[test]
fn gh_fuzz_parquet_huge_list_nulls() {
    let p = fuzz_fixture("parquet_huge_list_nulls.parquet");
    let (streamed, whole) = within(Duration::from_secs(60), move || read_parquet_both(&p));
    let msg = streamed.expect_err("a null row").to_string();
    assert!(msg.contains("parquet_huge_list_nulls.parquet"), "{msg}");
    // `read_parquet` refuses the 50 × 2²⁶ result before reading (unless 25 GiB are free,
    // when it too ends at the null).
    let msg = whole.expect_err("refused").to_string();
    assert!(msg.contains("bytes") || msg.contains("null"), "{msg}");
}

/// The same list made by hand in a valid pyarrow file (`generate_stream.py --bool-lists`):
/// 2³¹ − 1 booleans in ten bytes, in the footer's column statistics and in a data page
/// header's statistics. Without the walk the crate spins through the count and then reads
/// the file as if nothing were wrong; with it, both are errors naming the file and the place.
#[test]
fn parquet_lists_of_booleans_longer_than_their_bytes_are_refused() {
    let dir = crate::common::fixtures_dir().join("stream").join("pq");
    for (name, what) in [
        ("bool_list_footer.parquet", "corrupt footer metadata"),
        ("bool_list_page.parquet", "corrupt page header at byte"),
    ] {
        let p = dir.join(name);
        let started = Instant::now();
        let (streamed, whole) = within(Duration::from_secs(60), move || read_parquet_both(&p));
        for r in [&streamed, &whole] {
            let msg = r.as_ref().expect_err("refused").to_string();
            assert!(msg.contains(name) && msg.contains(what), "{msg}");
            assert!(msg.contains("steps"), "{msg}");
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
    // `check_page_headers` (for DataFusion, which decodes pages itself) finds the page one
    // without reading the data; the footer one is refused by `open`.
    let src = ParquetSource::open(&[dir.join("bool_list_page.parquet")], None).unwrap();
    let msg = src.check_page_headers().unwrap_err().to_string();
    assert!(
        msg.contains("bool_list_page.parquet") && msg.contains("row group 0: corrupt page header"),
        "{msg}"
    );
    assert!(ParquetSource::open(&[dir.join("bool_list_footer.parquet")], None).is_err());
    // Every page header of the committed pyarrow files passes.
    for name in [
        "one.parquet",
        "dir",
        "null.parquet",
        "list.parquet",
        "list_id.parquet",
    ] {
        let src = ParquetSource::open(&[dir.join(name)], None).unwrap();
        src.check_page_headers().unwrap();
    }
}

/// `fuzz/fuzz_targets/csv.rs`: two byte-order marks at the start (`\u{feff}\u{feff}1\n7`,
/// minimised). `read_csv` dropped one when reading the file and `parse_csv` another, so
/// it read `1` as data (two values); `parse_csv` and the streamed source drop one, see the
/// cell `\u{feff}1`, which is not a number, and take the row as a header (one value).
#[test]
fn gh_fuzz_csv_two_byte_order_marks() {
    let p = fuzz_fixture("csv_two_byte_order_marks.csv");
    let bytes = std::fs::read(&p).unwrap();
    assert_eq!(bytes, b"\xef\xbb\xbf\xef\xbb\xbf1\n7");
    let whole = mlinalg::io::read_csv(&p).unwrap();
    let parsed = mlinalg::io::parse_csv(std::str::from_utf8(&bytes).unwrap(), &p).unwrap();
    assert_eq!(whole.iter().copied().collect::<Vec<_>>(), [7.0]);
    assert_eq!(parsed, whole, "read_csv reads what parse_csv parses");
    let mut src = CsvSource::open(&p).unwrap();
    let mut b = Block::new();
    let mut values = Vec::new();
    while src.read_block(&mut b, 4).unwrap() {
        values.extend(b.view().iter().copied());
    }
    assert_eq!(values, [7.0]);
}

/// `fuzz/fuzz_targets/parquet.rs` (an abort, minimised to 1.6 KB): the Arrow schema a
/// writer embeds in the footer (`ARROW:schema`) declared a field of type tag 184, and
/// `arrow-ipc`, decoding it inside the parquet crate, panicked (`Type <UNKNOWN 184> not
/// supported`). The embedded schema is now checked first and ignored when it is not
/// one the reader can use; the file is then read by its Parquet schema (here it is
/// corrupt further on, so reading it is an error naming it).
#[test]
fn gh_fuzz_parquet_arrow_schema_of_unknown_type() {
    let p = fuzz_fixture("parquet_arrow_schema_unknown_type.parquet");
    let (streamed, whole) = read_parquet_both(&p);
    for r in [streamed, whole] {
        if let Err(e) = r {
            let msg = e.to_string();
            assert!(
                msg.contains("parquet_arrow_schema_unknown_type.parquet"),
                "{msg}"
            );
        }
    }
}

/// `fuzz/fuzz_targets/parquet.rs` (an abort; 2 KB as found): an optional column whose
/// definition levels (RLE/bit-packed hybrid, bit width 1) start a bit-packed run longer
/// than the page. parquet 59.3.3's `PackedDecoder` takes the run length from the header
/// unchecked and arrow-buffer panicked slicing past the buffer (`offset + len out of
/// bounds`). The reader now catches a panic inside the decoder and reports the file and
/// row group instead; both readers give that error, and reading it again gives it again.
#[test]
fn gh_fuzz_parquet_def_levels_bit_packed_run_past_page() {
    let p = fuzz_fixture("parquet_def_levels_bit_packed_run_past_page.parquet");
    for _ in 0..2 {
        let (streamed, whole) = read_parquet_both(&p);
        for r in [&streamed, &whole] {
            let e = r
                .as_ref()
                .expect_err("corrupt definition levels are an error");
            let msg = e.to_string();
            assert!(
                msg.contains("parquet_def_levels_bit_packed_run_past_page.parquet")
                    && msg.contains("row group"),
                "{msg}"
            );
            assert!(
                !msg.chars().any(char::is_control),
                "one printable line: {msg:?}"
            );
        }
    }
}
