//! Matrix Market: the in-memory parser, the file reader and the streamed row source.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mlinalg::stream::{CsrRowSource, MtxCsrSource};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    common::init();
    if let Ok(text) = std::str::from_utf8(data) {
        if let Some((m, _)) = common::checked(mlinalg::io::parse_mtx(text, Path::new("fuzz.mtx"))) {
            common::check_csr(&m);
        }
    }
    let path = common::file("f.mtx", data);
    if let Some((m, _)) = common::checked(mlinalg::io::read_mtx(&path)) {
        common::check_csr(&m);
    }
    if let Some(mut src) = common::checked(MtxCsrSource::open(&path)) {
        for _ in 0..64 {
            match src.read_block(4) {
                Ok(Some((_, m))) => {
                    common::check_csr(&m);
                    assert_eq!(m.ncols(), src.ncols());
                }
                Ok(None) => break,
                Err(e) => {
                    common::check_message(&e);
                    break;
                }
            }
        }
    }
    let _ = common::checked(mlinalg::io::summarize(&path));
});
