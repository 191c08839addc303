//! CSV: the in-memory parser, the file reader and the streamed source on the same text.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mlinalg::stream::{Block, CsvSource, RowSource};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    common::init();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some(a) = common::checked(mlinalg::io::parse_csv(text, Path::new("fuzz.csv"))) {
            assert!(a.ndim() <= 2);
            assert_eq!(a.shape().iter().product::<usize>(), a.len());
        }
    }
    let path = common::file("f.csv", data);
    let whole = common::checked(mlinalg::io::read_csv(&path));
    if let Some(mut src) = common::checked(CsvSource::open(&path)) {
        let mut b = Block::new();
        let mut values = 0usize;
        loop {
            match src.read_block(&mut b, 3) {
                Ok(true) => values += b.view().len(),
                Ok(false) => {
                    // Where both read everything, they read the same number of values.
                    if let Some(w) = &whole {
                        assert_eq!(values, w.len(), "streamed and whole CSV differ");
                    }
                    break;
                }
                Err(e) => {
                    common::check_message(&e);
                    break;
                }
            }
        }
    }
    let _ = common::checked(mlinalg::io::summarize(&path));
});
