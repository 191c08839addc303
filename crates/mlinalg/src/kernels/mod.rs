//! mlinalg's own numerical kernels, one private module per kernel (faer's layout), each
//! stating and checking its preconditions:
//!
//! | module | kernel | BLAS/LAPACK analogue |
//! |---|---|---|
//! | [`isa`] | the one run-time CPU-feature dispatch | |
//! | [`cache`] | the running CPU's cache sizes, for the blocking | BLIS's `bli_cntx` |
//! | [`gemm`] | packed, cache-blocked matrix product on any layout | `dgemm` |
//! | [`gemv`] | matrix–vector products, streamed by every core | `dgemv` |
//! | [`syrk`] | `XᵀX` of tall blocks, `X M` for a small `M`, the trailing update of Cholesky | `dsyrk` |
//! | [`lu`] | recursive LU with partial pivoting | `dgetrf`, `dgetrs` |
//! | [`cholesky`] | recursive Cholesky | `dpotrf` |
//! | [`trsm`] | recursive triangular solves | `dtrsm` |
//! | [`spmm`] | CSR × dense and CSRᵀ × dense | `mkl_dcsrmm` |
//! | [`pool`] | the thread-pool hand-off around a factorization | OpenBLAS's server threads |
//!
//! Everything faer does for us stays behind [`crate::linalg::bridge`]; these modules name
//! no faer type.

pub(crate) mod block;
pub(crate) mod cache;
pub(crate) mod cholesky;
pub(crate) mod gemm;
pub(crate) mod gemv;
pub(crate) mod isa;
pub(crate) mod lu;
pub(crate) mod pool;
pub(crate) mod spmm;
pub(crate) mod syrk;
pub(crate) mod trsm;

#[cfg(test)]
mod blocking_tests;
#[cfg(test)]
mod contract_tests;
#[cfg(test)]
mod miri_tests;
#[cfg(test)]
pub(crate) mod testing;

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

/// A C-order (row-major) copy of `a`, in memory advised for huge pages when large (a
/// fresh 8 MiB buffer faults in 2048 small pages otherwise).
pub(crate) fn c_order(op: &'static str, a: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    let (m, n) = a.dim();
    let mut v = crate::array::try_vec_uninit(op, m * n)?;
    if let Some(src) = a.as_slice() {
        v.extend_from_slice(src);
    } else {
        v.extend(a.iter().copied());
    }
    Array2::from_shape_vec((m, n), v).map_err(|e| Error::shape(op, e.to_string()))
}
