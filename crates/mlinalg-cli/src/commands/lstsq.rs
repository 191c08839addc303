//! `lstsq A B [--rcond R]`: least squares with NumPy's `lstsq` results.

use anyhow::{Result, bail};
use mlinalg::RealScalar;
use mlinalg::array::fmt_shape;
use mlinalg::io::TypedArray;
use ndarray::{Array1, Array2, ArrayD, ArrayView2, Axis, Ix2};

use crate::cli::LstsqArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::input;
use crate::report::Report;
use crate::streaming;
use mlinalg::stream::{ZipSource, lstsq_stream};

const OP: &str = "lstsq";

pub fn run(args: &LstsqArgs) -> Result<Report> {
    if crate::engine::requested(&args.engine) {
        if args.rcond.is_some() {
            anyhow::bail!(
                "{OP}: --rcond is not available with --engine/--cluster (NumPy's default is used)"
            );
        }
        return crate::engine::lstsq(OP, &args.engine, &args.a, &args.b);
    }
    if let Some(plan) = streaming::plan(OP, &args.a, args.memory_limit)? {
        // A larger than the memory limit: [A | b] streamed into a TSQR state (QR then the
        // SVD of R, as the in-memory tall path).
        let b = streaming::plan(OP, &args.b, Some(mlinalg::MemoryLimit::from_bytes(1)))?
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{OP}: {}: a streamed A needs B as a .npy or Parquet file",
                    args.b.display()
                )
            })?;
        let b_is_vector =
            b.source.ncols() == 1 && !input::is_parquet(&args.b) && input::npy_ndim(&args.b)? == 1;
        let k = b.source.ncols();
        let mut zipped = ZipSource::new(plan.source, b.source);
        let f = lstsq_stream(&mut zipped, k, args.rcond, &plan.opts)?;
        let r = Report::new();
        let x = if b_is_vector {
            r.array("x", f.x.column(0).to_owned())
        } else {
            r.array("x", f.x)
        };
        return Ok(x
            .array("residuals", f.residuals)
            .int("rank", f.rank)
            .array("singular_values", f.singular_values));
    }
    dense(args)
}

/// The in-memory path: NumPy's `lstsq` on 2-d A and a 1-d or 2-d B, empty shapes included,
/// in the common type of A and B.
fn dense(args: &LstsqArgs) -> Result<Report> {
    let a = nd::load_finite(OP, &args.a)?;
    let b = nd::load_finite(OP, &args.b)?;
    let (a, b) = nd::promote(a.data, b.data);
    dispatch!(a, go, b, args.rcond)
}

fn go<T: Elem>(a: ArrayD<T>, b: TypedArray, rcond: Option<f64>) -> Result<Report> {
    let b = nd::downcast::<T>(b)?;
    if a.ndim() != 2 {
        bail!(
            "{OP}: expected A to be a 2-d matrix, got shape {}",
            fmt_shape(a.shape())
        );
    }
    let a2 = a.into_dimensionality::<Ix2>()?;
    let b_vec = b.ndim() == 1;
    if b.ndim() != 1 && b.ndim() != 2 {
        bail!(
            "{OP}: expected B to be a 1-d vector or a 2-d matrix, got shape {}",
            fmt_shape(b.shape())
        );
    }
    let b2 = if b_vec {
        b.insert_axis(Axis(1)).into_dimensionality::<Ix2>()?
    } else {
        b.into_dimensionality::<Ix2>()?
    };
    let (m, n) = a2.dim();
    let k = b2.ncols();
    if b2.nrows() != m {
        bail!(
            "{OP}: Incompatible dimensions: a is {} but b has {} rows",
            fmt_shape(&[m, n]),
            b2.nrows()
        );
    }
    // NumPy: rcond None → ε · max(M, N) (ε of the computing precision). LAPACK gelsd reads
    // rcond ≤ 0 as its machine precision 2⁻⁵³, applied to the singular values of its own
    // bidiagonal form; at that level only rounding noise is cut, and the noise differs
    // between SVD algorithms (NumPy's test_rcond expects full rank for an exactly
    // rank-deficient matrix whose σ_min is noise just above 2⁻⁵³ · σ_max in LAPACK). So
    // rcond ≤ 0 keeps every non-zero singular value.
    let rcond = match rcond {
        None => T::eps().to_f64() * m.max(n) as f64,
        Some(r) if r <= 0.0 => 0.0,
        Some(r) => r,
    };
    let f = if m == 0 || n == 0 || k == 0 {
        empty_lstsq(a2.view(), b2.view(), rcond)?
    } else {
        let f = mlinalg::linalg::lstsq(a2.view(), &b2, Some(rcond))?;
        Fit {
            x: f.x,
            residuals: f.residuals,
            rank: f.rank,
            sv: f.singular_values,
        }
    };
    // A 1-d b gives a 1-d x (and one residual).
    let x = if b_vec {
        f.x.index_axis_move(Axis(1), 0).into_dyn()
    } else {
        f.x.into_dyn()
    };
    Ok(Report::new()
        .value("x", nd::val(x))
        .value("residuals", nd::real::<T>(f.residuals.into_dyn()))
        .int("rank", f.rank)
        .value("singular_values", nd::real::<T>(f.sv.into_dyn())))
}

/// NumPy's `lstsq` when A or B has a zero dimension: x = 0 (n × k); residuals are the
/// squared column norms of B when M > N (x = 0 leaves all of B), else empty.
fn empty_lstsq<T: Elem>(a: ArrayView2<'_, T>, b: ArrayView2<'_, T>, rcond: f64) -> Result<Fit<T>> {
    let (m, n) = a.dim();
    let k = b.ncols();
    let sv = if m == 0 || n == 0 {
        Array1::zeros(0)
    } else {
        mlinalg::linalg::svdvals(a)?
    };
    let smax = sv.iter().map(|v| v.to_f64()).fold(0.0, f64::max);
    let rank = sv.iter().filter(|s| s.to_f64() > rcond * smax).count();
    let x = if m == 0 || n == 0 || k == 0 {
        Array2::zeros((n, k))
    } else {
        mlinalg::linalg::lstsq(a, &b, Some(rcond))?.x
    };
    let residuals = if m > n && rank == n {
        b.map_axis(Axis(0), |c| c.iter().map(|v| v.abs2()).sum::<T::Real>())
    } else {
        Array1::zeros(0)
    };
    Ok(Fit {
        x,
        residuals,
        rank,
        sv,
    })
}

/// `lstsq`'s four results.
struct Fit<T: Elem> {
    x: Array2<T>,
    residuals: Array1<T::Real>,
    rank: usize,
    sv: Array1<T::Real>,
}
