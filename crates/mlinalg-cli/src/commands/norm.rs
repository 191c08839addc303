//! `norm A [--ord ORD]`: NumPy `linalg.norm` of a vector or a matrix.
//!
//! A `.mtx` matrix stays sparse: [`CsrMatrix::norm`](mlinalg::sparse::CsrMatrix::norm)
//! needs only the stored entries for the Frobenius and row/column-sum norms, and gets the
//! singular-value norms (`2`, `-2`, `nuc`) of a large matrix with a small side from the R
//! factor of its non-zero rows.

use anyhow::{Result, anyhow, bail};
use mlinalg::Scalar;
use mlinalg::io::{Dtype, TypedLoaded};
use ndarray::ArrayD;

use crate::cli::NormArgs;
use crate::commands::nd::{self, Elem, dispatch};
use crate::input;
use crate::report::{Report, StoreAs, Value};

const OP: &str = "norm";

/// The norm of a dense array in its own element type (NumPy computes float32 and complex64
/// norms in single precision), written in NumPy's result dtype `out`.
fn dense<T: Elem>(x: ArrayD<T>, args: &NormArgs, out: Out) -> Result<Report> {
    let n = mlinalg::linalg::norm_nd(x.view(), args.ord, args.axis.as_deref(), args.keepdims)?;
    // NumPy never returns −0.0 here (a sum over nothing starts from −0.0 in Rust).
    let zero = <T::Real as Scalar>::from_f64(0.0);
    let n = n.mapv(|v| if v == zero { zero } else { v });
    let v = match out {
        Out::Same => nd::real::<T>(n),
        Out::F16 => Value::Stored(T::real_typed(n), StoreAs::Dtype(Dtype::Float16)),
        Out::Long => Value::Stored(T::real_typed(n), StoreAs::LongDouble),
    };
    Ok(Report::new().value("norm", v))
}

/// How a dense norm result is written: NumPy's norm has the input's real dtype.
#[derive(Clone, Copy)]
enum Out {
    /// The real type of the computing precision (float64 also for int and bool input).
    Same,
    /// float16.
    F16,
    /// longdouble (longdouble and clongdouble input).
    Long,
}

pub fn run(args: &NormArgs) -> Result<Report> {
    if input::is_parquet(&args.a) {
        return dense(input::dense(OP, &args.a)?, args, Out::Same);
    }
    if let Some(long) = nd::longdouble::read(OP, &args.a)? {
        return match long {
            nd::longdouble::Long::Real(x) => dense(x, args, Out::Long),
            nd::longdouble::Long::Complex(z) => dense(z, args, Out::Long),
        };
    }
    let loaded = mlinalg::io::load_typed_keep_sparse(&args.a).map_err(|e| anyhow!("{OP}: {e}"))?;
    let value = match loaded {
        TypedLoaded::Dense(d) => {
            let out = if d.dtype == Dtype::Float16 {
                Out::F16
            } else {
                Out::Same
            };
            return dispatch!(d.data, dense, args, out);
        }
        TypedLoaded::Sparse { matrix, .. } => {
            if args.axis.is_some() && matrix.nrows() > 0 && matrix.ncols() > 0 {
                bail!("{OP}: --axis needs a dense input (.npy), got a sparse matrix");
            }
            // The library's sparse norms (SciPy `sparse.linalg.norm`), which read only the
            // stored entries; its message for a dense form too large names the order,
            // which the command line spells as the option.
            matrix.norm(args.ord).map_err(|e| match e {
                mlinalg::Error::Unsupported { op, detail } if detail.starts_with("ord ") => {
                    anyhow!("{op}: --{detail}")
                }
                e => e.into(),
            })?
        }
    };
    Ok(Report::new().float("norm", value))
}
