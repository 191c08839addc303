//! Shared input/output rules of the `numpy.linalg` commands: n-d inputs in their stored
//! dtype and NumPy's result dtypes.
//!
//! Every command computes in the input's own element type ([`Elem`]: float32, float64,
//! complex64, complex128), as NumPy's LAPACK `s*`/`d*`/`c*`/`z*` routines do, and returns
//! results in it (real results in the real type of that precision); int and bool input is
//! promoted to float64; `float16` and long double are refused by the linalg routines ("array
//! type float16 is unsupported in linalg") but kept by `norm`, `matrix-power`, `trace` and
//! `diagonal`, as NumPy does.

use std::path::Path;

use anyhow::{Result, bail};
use mlinalg::io::{Dtype, TypedArray};
use mlinalg::{Complex32, Complex64, ComplexOf, Scalar};
use ndarray::ArrayD;

use crate::input;
use crate::report::{StoreAs, Value};

/// An element type the commands compute in, with the [`TypedArray`] forms of its results
/// (its own type, its real type, its complex type).
pub trait Elem: Scalar {
    /// An array of this type.
    fn typed(a: ArrayD<Self>) -> TypedArray;
    /// An array of the real type of this precision.
    fn real_typed(a: ArrayD<Self::Real>) -> TypedArray;
    /// An array of the complex type of this precision.
    fn complex_typed(a: ArrayD<ComplexOf<Self>>) -> TypedArray;
}

impl Elem for f32 {
    fn typed(a: ArrayD<f32>) -> TypedArray {
        TypedArray::Float32(a)
    }
    fn real_typed(a: ArrayD<f32>) -> TypedArray {
        TypedArray::Float32(a)
    }
    fn complex_typed(a: ArrayD<Complex32>) -> TypedArray {
        TypedArray::Complex64(a)
    }
}

impl Elem for f64 {
    fn typed(a: ArrayD<f64>) -> TypedArray {
        TypedArray::Float64(a)
    }
    fn real_typed(a: ArrayD<f64>) -> TypedArray {
        TypedArray::Float64(a)
    }
    fn complex_typed(a: ArrayD<Complex64>) -> TypedArray {
        TypedArray::Complex128(a)
    }
}

impl Elem for Complex32 {
    fn typed(a: ArrayD<Complex32>) -> TypedArray {
        TypedArray::Complex64(a)
    }
    fn real_typed(a: ArrayD<f32>) -> TypedArray {
        TypedArray::Float32(a)
    }
    fn complex_typed(a: ArrayD<Complex32>) -> TypedArray {
        TypedArray::Complex64(a)
    }
}

impl Elem for Complex64 {
    fn typed(a: ArrayD<Complex64>) -> TypedArray {
        TypedArray::Complex128(a)
    }
    fn real_typed(a: ArrayD<f64>) -> TypedArray {
        TypedArray::Float64(a)
    }
    fn complex_typed(a: ArrayD<Complex64>) -> TypedArray {
        TypedArray::Complex128(a)
    }
}

/// A result in the input's element type.
pub fn val<T: Elem>(a: ArrayD<T>) -> Value {
    Value::Typed(T::typed(a))
}

/// A real result (singular values, norms, eigenvalues of a Hermitian matrix) in the
/// input's precision.
pub fn real<T: Elem>(a: ArrayD<T::Real>) -> Value {
    Value::Typed(T::real_typed(a))
}

/// A complex result in the input's precision.
pub fn complex<T: Elem>(a: ArrayD<ComplexOf<T>>) -> Value {
    Value::Typed(T::complex_typed(a))
}

/// Calls the generic function `$f::<T>(array, args…)` with the array of a [`TypedArray`]
/// in its own element type.
macro_rules! dispatch {
    ($t:expr, $f:ident $(, $arg:expr)*) => {
        match $t {
            mlinalg::io::TypedArray::Float32(a) => $f::<f32>(a $(, $arg)*),
            mlinalg::io::TypedArray::Float64(a) => $f::<f64>(a $(, $arg)*),
            mlinalg::io::TypedArray::Complex64(a) => $f::<mlinalg::Complex32>(a $(, $arg)*),
            mlinalg::io::TypedArray::Complex128(a) => $f::<mlinalg::Complex64>(a $(, $arg)*),
        }
    };
}
pub(crate) use dispatch;

/// An input file read for a linalg command.
pub struct Input {
    /// The values in the element type NumPy computes in (int and bool as float64, float16
    /// as float32, longdouble as float64, clongdouble as complex128).
    pub data: TypedArray,
    /// The dtype the file stored (`Float64`/`Complex128` for a long double file).
    pub stored: Dtype,
    /// The file stored NumPy's `longdouble` or `clongdouble`.
    pub long: bool,
}

/// Reads `path` in its stored dtype, without refusing float16 or long double (for the
/// commands NumPy computes in any dtype).
pub fn load_any(op: &str, path: &Path) -> Result<Input> {
    if input::is_parquet(path) {
        return Ok(Input {
            data: TypedArray::Float64(input::dense(op, path)?),
            stored: Dtype::Float64,
            long: false,
        });
    }
    match mlinalg::io::load_typed(path) {
        Ok(d) => Ok(Input {
            data: d.data,
            stored: d.dtype,
            long: false,
        }),
        Err(e) => match longdouble::read(op, path)? {
            Some(longdouble::Long::Real(a)) => Ok(Input {
                data: TypedArray::Float64(a),
                stored: Dtype::Float64,
                long: true,
            }),
            Some(longdouble::Long::Complex(a)) => Ok(Input {
                data: TypedArray::Complex128(a),
                stored: Dtype::Complex128,
                long: true,
            }),
            None => bail!("{op}: {e}"),
        },
    }
}

/// Reads `path` for a linalg routine: float16 and long double are refused as NumPy refuses
/// them ("unsupported in linalg").
pub fn load(op: &str, path: &Path) -> Result<Input> {
    let x = load_any(op, path)?;
    if x.stored == Dtype::Float16 || x.long {
        let name = match (x.long, x.stored) {
            (false, _) => "float16",
            (true, Dtype::Complex128) => "complex256",
            (true, _) => "float128",
        };
        bail!("{op}: array type {name} is unsupported in linalg");
    }
    Ok(x)
}

/// Whether every element is finite.
pub fn all_finite(t: &TypedArray) -> bool {
    match t {
        TypedArray::Float32(a) => a.iter().all(|x| x.is_finite()),
        TypedArray::Float64(a) => a.iter().all(|x| x.is_finite()),
        TypedArray::Complex64(a) => a.iter().all(|x| x.re.is_finite() && x.im.is_finite()),
        TypedArray::Complex128(a) => a.iter().all(|x| x.re.is_finite() && x.im.is_finite()),
    }
}

/// Reads `path` and refuses NaN and ±∞ (the solvers and decompositions).
pub fn load_finite(op: &'static str, path: &Path) -> Result<Input> {
    let x = load(op, path)?;
    if !all_finite(&x.data) {
        return Err(mlinalg::Error::NonFinite { op }.into());
    }
    Ok(x)
}

/// NumPy's common type of two operands: complex if either is, double precision if either
/// is. Both are converted to it.
pub fn promote(a: TypedArray, b: TypedArray) -> (TypedArray, TypedArray) {
    let complex = a.is_complex() || b.is_complex();
    let double = matches!(a, TypedArray::Float64(_) | TypedArray::Complex128(_))
        || matches!(b, TypedArray::Float64(_) | TypedArray::Complex128(_));
    (to_kind(a, complex, double), to_kind(b, complex, double))
}

/// `t` converted to the kind (complex?, double?), exactly where the kind is wider.
pub fn to_kind(t: TypedArray, complex: bool, double: bool) -> TypedArray {
    let c128 = |t: TypedArray| t.into_complex128();
    match (complex, double) {
        (false, false) => t,
        (false, true) => match t {
            TypedArray::Float32(a) => TypedArray::Float64(a.mapv(f64::from)),
            other => other,
        },
        (true, true) => TypedArray::Complex128(c128(t)),
        (true, false) => match t {
            TypedArray::Float32(a) => TypedArray::Complex64(a.mapv(|x| Complex32::new(x, 0.0))),
            other => other,
        },
    }
}

/// NumPy's result dtype of an element-wise or product routine on `x`: the stored dtype
/// itself (ints stay ints, float16 and long double stay), written from the values computed.
pub fn stored_value<T: Elem>(x: &Input, a: ArrayD<T>) -> Value {
    let t = T::typed(a);
    if x.long {
        let as_ = if t.is_complex() {
            StoreAs::CLongDouble
        } else {
            StoreAs::LongDouble
        };
        return Value::Stored(t, as_);
    }
    match x.stored {
        Dtype::Float64 | Dtype::Float32 | Dtype::Complex64 | Dtype::Complex128 => Value::Typed(t),
        other => Value::Stored(t, StoreAs::Dtype(other)),
    }
}

/// NumPy's `longdouble` (`<f16`) and `clongdouble` (`<c32`) on x86-64: the 80-bit x87
/// extended format padded to 16 bytes. `mlinalg::io` reads their headers
/// ([`read_npy_header_raw`](mlinalg::io::read_npy_header_raw)) but not their values; the
/// commands that NumPy computes in any dtype (`matrix-power`, `norm`) read the values here,
/// as float64 / complex128 (every float64 is exact in extended precision; extended values
/// are rounded to float64), and write results back in the same dtype.
pub mod longdouble {
    use std::path::Path;

    use anyhow::{Result, anyhow};
    use ndarray::{ArrayD, IxDyn, ShapeBuilder};
    use num_complex::Complex64;

    /// A long double file's values.
    pub enum Long {
        /// `<f16`.
        Real(ArrayD<f64>),
        /// `<c32`.
        Complex(ArrayD<Complex64>),
    }

    /// Reads `path` if it is a `.npy` file of `<f16` or `<c32`; `None` for any other file
    /// (or one whose header the library's reader refuses: the caller then reports the
    /// error of the ordinary reader).
    pub fn read(op: &str, path: &Path) -> Result<Option<Long>> {
        let Ok(h) = mlinalg::io::read_npy_header_raw(path) else {
            return Ok(None);
        };
        let complex = match h.descr.as_str() {
            "<f16" => false,
            "<c32" => true,
            _ => return Ok(None),
        };
        let bytes = std::fs::read(path).map_err(|e| anyhow!("{op}: {}: {e}", path.display()))?;
        // The library checked that the body holds exactly itemsize · Π shape bytes.
        let body = usize::try_from(h.data_offset)
            .ok()
            .and_then(|o| bytes.get(o..))
            .ok_or_else(|| anyhow!("{op}: {}: file changed while reading", path.display()))?;
        let vals: Vec<f64> = body.chunks_exact(16).map(to_f64).collect();
        let dim = IxDyn(&h.shape);
        let fortran = h.fortran_order;
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

/// The array of `t` as `ArrayD<T>` (after [`promote`], both operands have one type).
pub fn downcast<T: Elem>(t: TypedArray) -> Result<ArrayD<T>> {
    let any: Box<dyn std::any::Any> = match t {
        TypedArray::Float32(a) => Box::new(a),
        TypedArray::Float64(a) => Box::new(a),
        TypedArray::Complex64(a) => Box::new(a),
        TypedArray::Complex128(a) => Box::new(a),
    };
    any.downcast::<ArrayD<T>>()
        .map(|b| *b)
        .map_err(|_| anyhow::anyhow!("internal error: operands of different element types"))
}
