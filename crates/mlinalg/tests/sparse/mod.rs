//! Tests of `mlinalg::sparse`.

mod csr;
