//! The one error type of mlinalg.
//!
//! Every variant names the operation (`op`) first, so every message reads
//! `op: what happened: got vs expected`, e.g.
//! `matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2`.

use std::path::PathBuf;

/// Every error mlinalg returns. Messages start with the operation's name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Operand shapes do not fit the operation.
    #[error("{op}: {detail}")]
    Shape {
        /// The operation.
        op: &'static str,
        /// What was given and what was expected.
        detail: String,
    },
    /// An operand has a dimension of length zero where the operation needs data.
    #[error("{op}: empty input: {detail}")]
    Empty {
        /// The operation.
        op: &'static str,
        /// The offending shape.
        detail: String,
    },
    /// The matrix is (numerically) singular.
    #[error("{op}: singular matrix")]
    Singular {
        /// The operation.
        op: &'static str,
    },
    /// Cholesky-type factorizations of a matrix that is not positive definite.
    #[error("{op}: matrix is not positive definite")]
    NotPositiveDefinite {
        /// The operation.
        op: &'static str,
    },
    /// A symmetric routine was given a matrix that is not symmetric.
    #[error("{op}: matrix is not symmetric ({detail})")]
    NotSymmetric {
        /// The operation.
        op: &'static str,
        /// How far from symmetric, e.g. `max |A − Aᵀ| = 0.5`.
        detail: String,
    },
    /// An iterative algorithm did not converge.
    #[error("{op}: did not converge")]
    NoConvergence {
        /// The operation.
        op: &'static str,
    },
    /// NaN or ±∞ in the input of a solver or decomposition.
    #[error("{op}: input contains non-finite values (NaN or infinity)")]
    NonFinite {
        /// The operation.
        op: &'static str,
    },
    /// A parameter value is outside what the operation (or the data) allows.
    #[error("{op}: invalid {name}: {detail}")]
    InvalidParameter {
        /// The operation.
        op: &'static str,
        /// The parameter's name.
        name: &'static str,
        /// The value and the allowed range.
        detail: String,
    },
    /// A request that cannot be met, e.g. an allocation larger than memory allows.
    #[error("{op}: {detail}")]
    Unsupported {
        /// The operation.
        op: &'static str,
        /// Why.
        detail: String,
    },
    /// A file's content is not what its format says.
    #[error("{path}: {detail}")]
    Format {
        /// The file (or a description such as `<bytes>`).
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The operating system refused to read or write a file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Shape`] with the given detail.
    pub(crate) fn shape(op: &'static str, detail: impl Into<String>) -> Self {
        Error::Shape {
            op,
            detail: detail.into(),
        }
    }

    /// An [`Error::InvalidParameter`].
    pub(crate) fn param(op: &'static str, name: &'static str, detail: impl Into<String>) -> Self {
        Error::InvalidParameter {
            op,
            name,
            detail: detail.into(),
        }
    }

    /// The same error attributed to the operation `op`: the variants that carry nothing
    /// but an operation (non-finite input, singular or not positive definite matrix, no
    /// convergence) are re-labelled, so an estimator's error starts with its own name and
    /// not with that of the routine it called; every other variant is returned unchanged.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::Error;
    /// let e = Error::NonFinite { op: "svd" }.with_op("pca");
    /// assert_eq!(e.to_string(), "pca: input contains non-finite values (NaN or infinity)");
    /// ```
    #[must_use]
    pub fn with_op(self, op: &'static str) -> Error {
        match self {
            Error::NonFinite { .. } => Error::NonFinite { op },
            Error::NoConvergence { .. } => Error::NoConvergence { op },
            Error::NotPositiveDefinite { .. } => Error::NotPositiveDefinite { op },
            Error::Singular { .. } => Error::Singular { op },
            other => other,
        }
    }

    /// A [`Error::Format`] for `path`.
    pub(crate) fn format(path: impl Into<PathBuf>, detail: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    /// Every variant's message starts with the operation (or the file) and reads as one line.
    /// Most variants are also triggered through the public API in `tests/`; `NoConvergence`
    /// cannot be provoked on purpose (faer's iterations converge on every finite input we
    /// found), so its wording is pinned here.
    #[test]
    fn every_variant_formats_as_one_line_starting_with_the_operation() {
        let cases = [
            (
                Error::shape("matmul", "inner dimensions differ"),
                "matmul: inner dimensions differ",
            ),
            (
                Error::Empty {
                    op: "svd",
                    detail: "shape (0, 3)".into(),
                },
                "svd: empty input: shape (0, 3)",
            ),
            (Error::Singular { op: "inv" }, "inv: singular matrix"),
            (
                Error::NotPositiveDefinite { op: "cholesky" },
                "cholesky: matrix is not positive definite",
            ),
            (
                Error::NotSymmetric {
                    op: "eigh",
                    detail: "max |A − Aᵀ| = 0.5".into(),
                },
                "eigh: matrix is not symmetric (max |A − Aᵀ| = 0.5)",
            ),
            (Error::NoConvergence { op: "svd" }, "svd: did not converge"),
            (
                Error::NonFinite { op: "solve" },
                "solve: input contains non-finite values (NaN or infinity)",
            ),
            (
                Error::param("pca", "n_components", "must be ≥ 1"),
                "pca: invalid n_components: must be ≥ 1",
            ),
            (
                Error::Unsupported {
                    op: "zeros",
                    detail: "too large".into(),
                },
                "zeros: too large",
            ),
            (Error::format("a.npy", "bad magic"), "a.npy: bad magic"),
            (
                Error::Io {
                    path: "x.npy".into(),
                    source: std::io::Error::other("denied"),
                },
                "x.npy: denied",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
            assert!(!e.to_string().contains('\n'));
        }
    }
}
