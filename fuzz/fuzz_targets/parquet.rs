//! Parquet: the streamed source (footer, schema, row groups, pages) and the whole-table
//! reader.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mlinalg::stream::{Block, ParquetSource, RowSource};

fuzz_target!(|data: &[u8]| {
    common::init();
    let path = common::file("f.parquet", data);
    let paths = [path];
    if let Some(mut src) = common::checked(ParquetSource::open(&paths, None)) {
        let mut b = Block::new();
        for _ in 0..64 {
            match src.read_block(&mut b, 9) {
                Ok(true) => assert_eq!(b.view().ncols(), src.ncols()),
                Ok(false) => break,
                Err(e) => {
                    common::check_message(&e);
                    break;
                }
            }
        }
    }
    if let Some(a) = common::checked(mlinalg::stream::read_parquet(&paths, None)) {
        assert_eq!(a.len(), a.nrows() * a.ncols());
    }
});
