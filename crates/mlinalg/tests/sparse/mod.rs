//! Tests of `mlinalg::sparse`.

mod csr;
mod norm;
