//! The library's public API tests, compiled as one binary (STYLE.md C11): one module per
//! area, mirroring `src/`. Reference values come from the committed `.npy` fixtures written
//! by `tests/fixtures/generate.py` (NumPy/SciPy/scikit-learn); no Python is needed here.

mod common;
mod course;
mod decomposition;
mod hostile;
mod io;
mod linalg;
mod linear_model;
mod nn;
mod ops;
mod persistence;
mod regression;
mod sparse;
mod stream;
mod vector;
