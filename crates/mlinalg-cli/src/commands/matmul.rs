//! `matmul A B`: `A @ B` with NumPy semantics; a `.mtx` left operand stays sparse.

use anyhow::{Result, anyhow, bail};
use mlinalg::array::{check_nonempty, fmt_shape};
use mlinalg::io::{Dtype, TypedArray};
use ndarray::{Ix1, Ix2};

use crate::cli::TwoInputs;
use crate::input::{self, Operand};
use crate::report::Report;

const OP: &str = "matmul";

pub fn run(args: &TwoInputs) -> Result<Report> {
    if let Some(product) = float32_product(args)? {
        return Ok(Report::new().value("product", input::f32_value(product)));
    }
    let a = input::load(OP, &args.a)?;
    let b = mlinalg::io::load_dense(&args.b).map_err(|e| anyhow!("{OP}: {e}"))?;
    let both_bool =
        matches!(&a, Operand::Dense(d) if d.dtype == Dtype::Bool) && b.dtype == Dtype::Bool;
    let b = b.data;
    let mut product = match a {
        Operand::Sparse { matrix, .. } => {
            let (m, n) = (matrix.nrows(), matrix.ncols());
            if m == 0 || n == 0 {
                bail!("{OP}: empty input: shape {}", fmt_shape(&[m, n]));
            }
            check_nonempty(OP, &b)?;
            match b.ndim() {
                1 => matrix
                    .dot_vec(b.view().into_dimensionality::<Ix1>()?)?
                    .into_dyn(),
                2 => matrix
                    .dot_dense(b.view().into_dimensionality::<Ix2>()?)?
                    .into_dyn(),
                // A stack of right operands: NumPy broadcasting needs the dense form.
                _ => mlinalg::ops::matmul(matrix.to_dense()?.into_dyn().view(), b.view())?,
            }
        }
        Operand::Dense(d) => {
            check_nonempty(OP, &d.data)?;
            check_nonempty(OP, &b)?;
            mlinalg::ops::matmul(d.data.view(), b.view())?
        }
    };
    if both_bool {
        // NumPy's bool @ bool is bool: the logical or of ands. The counts computed in
        // float64 are non-negative integers, so any count above 1 becomes True (1.0).
        product.mapv_inplace(|x| x.min(1.0));
    }
    Ok(Report::new().array("product", product))
}

/// `A @ B` in single precision when both operands are float32 `.npy` files: NumPy keeps
/// float32 for float32 @ float32 (any other mix is computed, and written, in float64).
fn float32_product(args: &TwoInputs) -> Result<Option<ndarray::ArrayD<f32>>> {
    let is_f32 = |p: &std::path::Path| {
        p.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"))
            && mlinalg::io::read_npy_header(p).is_ok_and(|h| h.dtype == Dtype::Float32)
    };
    if !is_f32(&args.a) || !is_f32(&args.b) {
        return Ok(None);
    }
    let load = |p: &std::path::Path| -> Result<Option<ndarray::ArrayD<f32>>> {
        match mlinalg::io::load_typed(p)
            .map_err(|e| anyhow!("{OP}: {e}"))?
            .data
        {
            TypedArray::Float32(a) => Ok(Some(a)),
            _ => Ok(None),
        }
    };
    let (Some(a), Some(b)) = (load(&args.a)?, load(&args.b)?) else {
        return Ok(None);
    };
    check_nonempty(OP, &a)?;
    check_nonempty(OP, &b)?;
    Ok(Some(mlinalg::ops::matmul(a.view(), b.view())?))
}
