//! Shared input/output rules of the `numpy.linalg` commands: n-d inputs in their stored
//! dtype and NumPy's result dtypes.
//!
//! NumPy computes `float32` input in single precision and returns `float32`; int and bool
//! input is promoted to `float64`; `float16` is refused by the linalg routines ("array type
//! float16 is unsupported in linalg"). The commands compute in `f64` and round results of
//! `float32` input to `float32` ([`Prec::value`]).

use std::path::Path;

use anyhow::{Result, bail};
use mlinalg::io::{Dtype, TypedArray};
use ndarray::ArrayD;

use crate::input;
use crate::report::{StoreAs, Value};

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
    /// The dtype the file stored (`Float64` for a long double file).
    pub stored: Dtype,
    /// The file stored NumPy's `longdouble` (read here as float64).
    pub long: bool,
}

/// Reads `path` in its stored dtype, without refusing float16 (for `norm` and
/// `matrix-power`, which NumPy computes in any dtype).
pub fn load_any(op: &str, path: &Path) -> Result<Input> {
    if input::is_parquet(path) {
        return Ok(Input {
            data: input::dense(op, path)?,
            prec: Prec::F64,
            stored: Dtype::Float64,
            long: false,
        });
    }
    let d = match mlinalg::io::load_typed(path) {
        Ok(d) => d,
        Err(e) => match longdouble::read(op, path)? {
            Some(longdouble::Long::Real(data)) => {
                return Ok(Input {
                    data,
                    prec: Prec::F64,
                    stored: Dtype::Float64,
                    long: true,
                });
            }
            Some(longdouble::Long::Complex(_)) => {
                bail!("{op}: complex input (clongdouble) is not supported by this command yet")
            }
            None => bail!("{op}: {e}"),
        },
    };
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
        long: false,
    })
}

/// Reads `path` for a linalg routine: float16 is refused as NumPy refuses it.
pub fn load(op: &str, path: &Path) -> Result<Input> {
    let x = load_any(op, path)?;
    if x.stored == Dtype::Float16 || x.long {
        let name = if x.long { "float128" } else { "float16" };
        bail!("{op}: array type {name} is unsupported in linalg");
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
pub fn stored_value(x: &Input, a: ArrayD<f64>) -> Value {
    if x.long {
        return Value::Stored(TypedArray::Float64(a), StoreAs::LongDouble);
    }
    match x.stored {
        Dtype::Float64 => Value::Typed(TypedArray::Float64(a)),
        Dtype::Float32 => x.prec.value(a),
        other => Value::Stored(TypedArray::Float64(a), StoreAs::Dtype(other)),
    }
}

/// NumPy's `longdouble` (`<f16`) and `clongdouble` (`<c32`) on x86-64: the 80-bit x87
/// extended format padded to 16 bytes. `mlinalg::io` does not read them; the commands that
/// NumPy computes in any dtype (`matrix-power`, `norm`) read them here, as float64 /
/// complex128 values (every float64 is exact in extended precision; extended values are
/// rounded to float64), and write results back in the same dtype.
pub mod longdouble {
    use std::path::Path;

    use anyhow::{Result, anyhow, bail};
    use ndarray::{ArrayD, IxDyn, ShapeBuilder};
    use num_complex::Complex64;

    /// A long double file's values.
    pub enum Long {
        /// `<f16`.
        Real(ArrayD<f64>),
        /// `<c32`.
        Complex(ArrayD<Complex64>),
    }

    /// Reads `path` if it is a `.npy` file of `<f16` or `<c32`; `None` for any other file.
    pub fn read(op: &str, path: &Path) -> Result<Option<Long>> {
        let Ok(bytes) = std::fs::read(path) else {
            return Ok(None);
        };
        if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
            return Ok(None);
        }
        let (hlen, start) = match bytes[6] {
            1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
            _ if bytes.len() >= 12 => (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            ),
            _ => return Ok(None),
        };
        let Some(text) = bytes.get(start..start + hlen) else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(text);
        let complex = if text.contains("'descr': '<f16'") {
            false
        } else if text.contains("'descr': '<c32'") {
            true
        } else {
            return Ok(None);
        };
        let fortran = text.contains("'fortran_order': True");
        let shape_txt = text
            .split("'shape': (")
            .nth(1)
            .and_then(|s| s.split(')').next())
            .ok_or_else(|| anyhow!("{op}: {}: no shape in the header", path.display()))?;
        let shape: Vec<usize> = shape_txt
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<usize>())
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| anyhow!("{op}: {}: bad shape: {e}", path.display()))?;
        let count: usize = shape.iter().product();
        let item = if complex { 32 } else { 16 };
        let body = &bytes[start + hlen..];
        if body.len() != count * item {
            bail!(
                "{op}: {}: expected {} bytes of data for shape {shape:?}, found {}",
                path.display(),
                count * item,
                body.len()
            );
        }
        let vals: Vec<f64> = body.chunks_exact(16).map(to_f64).collect();
        let dim = IxDyn(&shape);
        let make = |v: Vec<f64>| -> Result<ArrayD<f64>> {
            Ok(if fortran {
                ArrayD::from_shape_vec(dim.clone().f(), v)?
                    .as_standard_layout()
                    .into_owned()
            } else {
                ArrayD::from_shape_vec(dim.clone(), v)?
            })
        };
        Ok(Some(if complex {
            let z: Vec<Complex64> = vals
                .chunks_exact(2)
                .map(|p| Complex64::new(p[0], p[1]))
                .collect();
            let a = if fortran {
                ArrayD::from_shape_vec(dim.clone().f(), z)?
                    .as_standard_layout()
                    .into_owned()
            } else {
                ArrayD::from_shape_vec(dim, z)?
            };
            Long::Complex(a)
        } else {
            Long::Real(make(vals)?)
        }))
    }

    /// An x87 80-bit extended value (16 bytes, little-endian) as the nearest f64.
    fn to_f64(b: &[u8]) -> f64 {
        let mut m = [0u8; 8];
        m.copy_from_slice(&b[..8]);
        let mant = u64::from_le_bytes(m);
        let se = u16::from_le_bytes([b[8], b[9]]);
        let sign = if se & 0x8000 != 0 { -1.0 } else { 1.0 };
        let exp = i32::from(se & 0x7fff);
        if exp == 0x7fff {
            return if mant << 1 == 0 {
                sign * f64::INFINITY
            } else {
                f64::NAN
            };
        }
        if mant == 0 {
            return sign * 0.0;
        }
        // value = mant · 2^(exp − 16383 − 63), applied in two steps to stay in range.
        let e = exp - 16383 - 63;
        let half = e / 2;
        sign * (mant as f64) * 2f64.powi(half) * 2f64.powi(e - half)
    }

    /// `x` as x87 80-bit extended (exact), padded to 16 bytes.
    pub fn from_f64(x: f64) -> [u8; 16] {
        let mut out = [0u8; 16];
        let bits = x.to_bits();
        let sign: u16 = if bits >> 63 == 1 { 0x8000 } else { 0 };
        let exp = ((bits >> 52) & 0x7ff) as i32;
        let frac = bits & ((1u64 << 52) - 1);
        let (se, mant) = if exp == 0x7ff {
            (
                sign | 0x7fff,
                if frac == 0 {
                    1u64 << 63
                } else {
                    (3u64 << 62) | (frac << 11)
                },
            )
        } else if exp == 0 && frac == 0 {
            (sign, 0)
        } else if exp == 0 {
            // Subnormal f64: normalise.
            let shift = frac.leading_zeros() - 11; // bring the top bit to bit 52
            let m = frac << shift;
            let e = 1 - 1023 - shift as i32;
            (sign | (e + 16383) as u16, m << 11)
        } else {
            (
                sign | (exp - 1023 + 16383) as u16,
                ((1u64 << 52) | frac) << 11,
            )
        };
        out[..8].copy_from_slice(&mant.to_le_bytes());
        out[8..10].copy_from_slice(&se.to_le_bytes());
        out
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn round_trips_through_extended() {
            for x in [
                0.0,
                -0.0,
                1.0,
                -2.5,
                1e300,
                5e-324,
                2.2e-308,
                f64::INFINITY,
                0.1,
            ] {
                let b = from_f64(x);
                assert_eq!(to_f64(&b).to_bits(), x.to_bits(), "{x}");
            }
            assert!(to_f64(&from_f64(f64::NAN)).is_nan());
            // 1.0 in x87 extended: mantissa 0x8000…0, exponent 16383.
            let one = from_f64(1.0);
            assert_eq!(&one[..10], &[0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0x3f]);
        }
    }
}
