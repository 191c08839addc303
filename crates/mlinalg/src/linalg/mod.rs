//! Dense linear algebra with NumPy's `numpy.linalg` semantics.
//!
//! | routine | identity | NumPy |
//! |---|---|---|
//! | [`solve`] | `A x = b` | `linalg.solve` |
//! | [`inv`] | `A A⁻¹ = I` | `linalg.inv` |
//! | [`lstsq`] | min ‖b − A x‖₂ | `linalg.lstsq` |
//! | [`det`], [`slogdet`] | `det A = sign · exp(logabsdet)` | `linalg.det`, `slogdet` |
//! | [`qr`] | `A = Q R` | `linalg.qr` |
//! | [`cholesky`], [`Cholesky`] | `A = L Lᵀ` | `linalg.cholesky` |
//! | [`eigh`], [`eigvalsh`] | `A V = V Λ`, `Vᵀ V = I` | `linalg.eigh` |
//! | [`eig`] | `A V = V Λ` | `linalg.eig` |
//! | [`svd`], [`svdvals`], [`low_rank`] | `A = U Σ Vᵀ` | `linalg.svd`, `svdvals` |
//! | [`norm`] | | `linalg.norm` |
//! | [`matrix_rank`], [`pinv`], [`cond`] | | `linalg.matrix_rank`, `pinv`, `cond` |
//! | [`matrix_power`], [`multi_dot`], [`tensordot`] | | `linalg.matrix_power`, `multi_dot`, `tensordot` |
//! | [`tensorsolve`], [`tensorinv`] | | `linalg.tensorsolve`, `tensorinv` |
//! | [`cross`], [`diagonal`], [`trace`] | | `linalg.cross`, `diagonal`, `trace` |
//! | [`norm_nd`], [`vector_norm`], [`matrix_norm`] | | `linalg.norm` (`axis`, `keepdims`), `vector_norm`, `matrix_norm` |
//! | [`stacked`] | | every routine above on stacks `(..., M, N)` |
//! | [`is_symmetric`], [`is_orthogonal`], [`is_positive_definite`] | | `allclose` checks |
//!
//! Every solver and decomposition rejects empty input ([`Error::Empty`](crate::Error::Empty))
//! and NaN/±∞ ([`Error::NonFinite`](crate::Error::NonFinite)).

pub(crate) mod bridge;
mod checks;
mod cholesky;
mod det;
mod eig;
mod lstsq;
mod lu;
mod norm;
mod norm_nd;
mod products;
mod qr;
mod rank;
mod solve;
pub mod stacked;
mod svd;

pub use checks::{is_orthogonal, is_positive_definite, is_symmetric};
pub use cholesky::{Cholesky, cholesky};
pub use det::{Slogdet, det, slogdet};
pub use eig::{Eig, Eigh, eig, eigh, eigvalsh};
pub use lstsq::{Lstsq, lstsq};
pub use norm::{NormOrd, norm};
pub use norm_nd::{matrix_norm, norm_nd, vector_norm};
pub use products::{
    TensordotAxes, cross, diagonal, matrix_power, multi_dot, tensordot, tensorinv, tensorsolve,
    trace,
};
pub use qr::{Qr, QrMode, qr};
pub use rank::{cond, matrix_rank, pinv};
pub use solve::{inv, solve};
pub use svd::{LowRank, Svd, low_rank, svd, svdvals};
