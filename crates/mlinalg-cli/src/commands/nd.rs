//! Shared input/output rules of the `numpy.linalg` commands: n-d inputs in their stored
//! dtype and NumPy's result dtypes.
//!
//! NumPy computes `float32` input in single precision and returns `float32`; int and bool
//! input is promoted to `float64`; `float16` is refused by the linalg routines ("array type
//! float16 is unsupported in linalg"). The commands compute in `f64` and round results of
//! `float32` input to `float32` ([`Prec::value`]).

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use mlinalg::io::{Dtype, TypedArray};
use ndarray::ArrayD;

use crate::input;
use crate::report::Value;

/// The precision NumPy computes an input in (its result dtype for real results).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prec {
    /// `float32` input.
    F32,
    /// Everything else real (`float64`, ints, bool).
    F64,
}

impl Prec {
    /// NumPy's common type of two inputs: single precision only if both are.
    pub fn join(self, other: Prec) -> Prec {
        if self == Prec::F32 && other == Prec::F32 {
            Prec::F32
        } else {
            Prec::F64
        }
    }

    /// A real result in this precision (rounded to `f32` for float32 input).
    pub fn value(self, a: ArrayD<f64>) -> Value {
        match self {
            Prec::F32 => Value::Typed(TypedArray::Float32(a.mapv(|x| x as f32))),
            Prec::F64 => Value::Typed(TypedArray::Float64(a)),
        }
    }

    /// Machine ε of the precision (`finfo(dtype).eps`).
    pub fn eps(self) -> f64 {
        match self {
            Prec::F32 => f64::from(f32::EPSILON),
            Prec::F64 => f64::EPSILON,
        }
    }
}

/// An input file read for a linalg command.
pub struct Input {
    /// The values (`f64`; float32 values widened exactly).
    pub data: ArrayD<f64>,
    /// The precision NumPy computes in.
    pub prec: Prec,
    /// The dtype the file stored.
    pub stored: Dtype,
}

/// Reads `path` in its stored dtype, without refusing float16 (for `norm` and
/// `matrix-power`, which NumPy computes in any dtype).
pub fn load_any(op: &str, path: &Path) -> Result<Input> {
    if input::is_parquet(path) {
        return Ok(Input {
            data: input::dense(op, path)?,
            prec: Prec::F64,
            stored: Dtype::Float64,
        });
    }
    let d = mlinalg::io::load_typed(path).map_err(|e| anyhow!("{op}: {e}"))?;
    let (data, prec) = match d.data {
        TypedArray::Float64(a) => (a, Prec::F64),
        TypedArray::Float32(a) => (a.mapv(f64::from), Prec::F32),
        TypedArray::Complex64(_) | TypedArray::Complex128(_) => bail!(
            "{op}: complex input ({}) is not supported by this command yet",
            d.dtype.numpy_name()
        ),
    };
    Ok(Input {
        data,
        prec,
        stored: d.dtype,
    })
}

/// Reads `path` for a linalg routine: float16 is refused as NumPy refuses it.
pub fn load(op: &str, path: &Path) -> Result<Input> {
    let x = load_any(op, path)?;
    if x.stored == Dtype::Float16 {
        bail!("{op}: array type float16 is unsupported in linalg");
    }
    Ok(x)
}

/// Reads `path` and refuses NaN and ±∞ (the solvers and decompositions).
pub fn load_finite(op: &'static str, path: &Path) -> Result<Input> {
    let x = load(op, path)?;
    mlinalg::array::check_finite(op, &x.data)?;
    Ok(x)
}

impl Prec {
    /// A complex result in this precision (`complex64` for float32 input).
    pub fn complex_value(self, a: ArrayD<num_complex::Complex64>) -> Value {
        match self {
            Prec::F32 => Value::Typed(TypedArray::Complex64(
                a.mapv(|z| num_complex::Complex32::new(z.re as f32, z.im as f32)),
            )),
            Prec::F64 => Value::Typed(TypedArray::Complex128(a)),
        }
    }
}

/// NumPy's result dtype of an element-wise or product routine on an input stored as
/// `stored`: the stored dtype itself (ints stay ints, float16 stays float16), written from
/// the `f64` values computed.
pub fn stored_value(stored: Dtype, prec: Prec, a: ArrayD<f64>) -> Value {
    match stored {
        Dtype::Float64 => Value::Typed(TypedArray::Float64(a)),
        Dtype::Float32 => prec.value(a),
        other => Value::Stored(TypedArray::Float64(a), other),
    }
}
