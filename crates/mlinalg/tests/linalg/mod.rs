//! `mlinalg::linalg`: one module per routine family, each with fixture comparisons against
//! NumPy (`tests/fixtures/generate.py`), residual properties and edge cases (STYLE.md C11).

mod checks;
mod cholesky;
mod det;
mod eig;
mod lstsq;
mod norm;
mod qr;
mod rank;
mod solve;
mod svd;
