//! `.npy` header and body: the in-memory parsers (`f64` and typed) and the file readers
//! (header only, whole file, streamed rows) on the same bytes.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mlinalg::stream::{Block, NpySource, RowSource};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    common::init();
    let name = Path::new("fuzz.npy");
    let dense = common::checked(mlinalg::io::parse_npy(data, name));
    if let Some(d) = &dense {
        let n: usize = d.data.shape().iter().product();
        assert_eq!(n, d.data.len());
    }
    let typed = common::checked(mlinalg::io::parse_npy_typed(data, name));
    // The two parsers agree on which files they accept (complex files are typed-only).
    if dense.is_some() {
        assert!(
            typed.is_some(),
            "parse_npy accepted what parse_npy_typed refused"
        );
    }
    let path = common::file("f.npy", data);
    let header = common::checked(mlinalg::io::read_npy_header(&path));
    let read = common::checked(mlinalg::io::read_npy(&path));
    assert_eq!(
        read.is_some(),
        dense.is_some(),
        "read_npy and parse_npy disagree"
    );
    if let (Some(a), Some(b)) = (&read, &dense) {
        assert_eq!(a.data.shape(), b.data.shape());
        assert!(
            a.data
                .iter()
                .zip(b.data.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
        );
    }
    if let Some(h) = header {
        let _ = h;
    }
    if let Some(mut src) = common::checked(NpySource::open(&path)) {
        let mut b = Block::new();
        let mut rows = 0u64;
        loop {
            match src.read_block(&mut b, 7) {
                Ok(true) => rows += b.view().nrows() as u64,
                Ok(false) => break,
                Err(e) => {
                    common::check_message(&e);
                    break;
                }
            }
            if rows > 1 << 20 {
                break;
            }
        }
    }
    let _ = common::checked(mlinalg::io::summarize(&path));
});
