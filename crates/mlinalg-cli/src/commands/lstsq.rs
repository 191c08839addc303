//! `lstsq A B [--rcond R]`: least squares with NumPy's `lstsq` results.

use anyhow::Result;
use ndarray::{Ix1, Ix2};

use crate::cli::LstsqArgs;
use crate::input;
use crate::report::Report;
use crate::streaming;
use mlinalg::stream::{ZipSource, lstsq_stream};

const OP: &str = "lstsq";

pub fn run(args: &LstsqArgs) -> Result<Report> {
    if crate::engine::requested(&args.engine) {
        if args.rcond.is_some() {
            anyhow::bail!("{OP}: --rcond is not available with --engine/--cluster (NumPy's default is used)");
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
    let a = input::finite_matrix(OP, &args.a)?;
    let b = input::rhs(OP, &args.b)?;
    let r = Report::new();
    Ok(if b.ndim() == 1 {
        let f = mlinalg::linalg::lstsq(a.view(), &b.into_dimensionality::<Ix1>()?, args.rcond)?;
        r.array("x", f.x)
            .array("residuals", f.residuals)
            .int("rank", f.rank)
            .array("singular_values", f.singular_values)
    } else {
        let f = mlinalg::linalg::lstsq(a.view(), &b.into_dimensionality::<Ix2>()?, args.rcond)?;
        r.array("x", f.x)
            .array("residuals", f.residuals)
            .int("rank", f.rank)
            .array("singular_values", f.singular_values)
    })
}
