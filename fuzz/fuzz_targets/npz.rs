//! `.npz` (zip) archives, NumPy's (`np.savez`, `np.savez_compressed`) and SciPy's sparse
//! (`scipy.sparse.save_npz`): every reader of an archive on the same bytes.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use mlinalg::stream::{CsrRowSource, NpzCsrSource};

fuzz_target!(|data: &[u8]| {
    // 128 KiB: see `common::init_capped`.
    common::init_capped(128 << 10);
    let path = common::file("f.npz", data);
    if let Some(names) = common::checked(mlinalg::io::npz_names(&path)) {
        for name in names.iter().take(4) {
            let _ = common::checked(mlinalg::io::read_npz_member(&path, name));
        }
    }
    let _ = common::checked(mlinalg::io::read_npz(&path));
    match common::checked(mlinalg::io::load_typed_keep_sparse(&path)) {
        Some(mlinalg::io::TypedLoaded::Sparse { matrix, .. }) => common::check_csr(&matrix),
        Some(mlinalg::io::TypedLoaded::Dense(d)) => {
            assert_eq!(d.data.shape().iter().product::<usize>(), d.data.len());
        }
        _ => {}
    }
    if let Some(m) = common::checked(mlinalg::sparse::CsrMatrix::load_npz(&path)) {
        common::check_csr(&m);
    }
    if let Some(mut src) = common::checked(NpzCsrSource::open(&path)) {
        for _ in 0..64 {
            match src.read_block(5) {
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
