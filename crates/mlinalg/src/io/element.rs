//! The element types mlinalg reads and writes, and the conversions from every stored dtype.

use std::mem::MaybeUninit;

use num_complex::{Complex32, Complex64};

use super::Dtype;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
    impl Sealed for num_complex::Complex32 {}
    impl Sealed for num_complex::Complex64 {}
}

/// An element type of a `.npy` file that mlinalg computes with: `f32`, `f64`,
/// [`Complex32`] and [`Complex64`] (NumPy's float32, float64, complex64 and complex128).
///
/// The writers ([`write_npy`](super::write_npy), [`TypedArray`](super::TypedArray)) take
/// arrays of these types; the readers convert every stored dtype to one of them, as
/// `numpy.linalg` does (int and bool → float64, float16 → float32).
///
/// This trait is sealed: it cannot be implemented outside mlinalg.
pub trait NpyElement: Copy + Send + Sync + 'static + sealed::Sealed {
    /// The dtype of a file written from this type.
    const DTYPE: Dtype;
    /// The header's `descr` for little-endian files, e.g. `<f8`.
    const DESCR: &'static str;

    /// Whether the stored `dtype` converts to this type.
    #[doc(hidden)]
    fn accepts(dtype: Dtype) -> bool;

    /// Decodes whole items of `dtype` (byte order `big_endian`) from `src` into `dst`
    /// (`dst.len()` items; `src` holds at least as many). `accepts(dtype)` must hold.
    #[doc(hidden)]
    fn decode(dtype: Dtype, big_endian: bool, src: &[u8], dst: &mut [MaybeUninit<Self>]);

    /// Writes the little-endian bytes of `src` to `dst` (`dst.len() == size_of_val(src)`).
    #[doc(hidden)]
    fn encode_le(src: &[Self], dst: &mut [u8]);
}

/// Whether a stored `dtype` in this byte order has exactly the in-memory representation of
/// the element type `T`, so that the file's bytes can be read straight into the array.
pub(crate) fn is_native<T: NpyElement>(dtype: Dtype, big_endian: bool) -> bool {
    dtype == T::DTYPE && big_endian == cfg!(target_endian = "big")
}

/// Applies `f` to each `N`-byte item of `src`, writing `dst`. `chunks_exact` yields
/// exactly `N` bytes, so the conversion to `[u8; N]` cannot fail (the default is unused).
#[inline]
fn map_items<const N: usize, T>(src: &[u8], dst: &mut [MaybeUninit<T>], f: impl Fn([u8; N]) -> T) {
    for (d, c) in dst.iter_mut().zip(src.chunks_exact(N)) {
        d.write(f(<[u8; N]>::try_from(c).unwrap_or([0; N])));
    }
}

/// IEEE binary16 → binary32, exactly (every half value is a float).
#[must_use]
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let man = u32::from(h & 0x3ff);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: value = man · 2⁻²⁴; normalise into a binary32 normal.
            let shift = man.leading_zeros() - 21; // bring the top set bit to bit 10
            let man = (man << shift) & 0x3ff;
            let exp = 127 - 15 + 1 - shift;
            sign | (exp << 23) | (man << 13)
        }
        (0x1f, 0) => sign | 0x7f80_0000,
        (0x1f, _) => sign | 0x7fc0_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// binary32 → binary16 with round-to-nearest-even (as NumPy's `astype(float16)`), returned
/// as the binary32 value of the rounded half.
#[must_use]
pub(crate) fn round_to_f16(x: f32) -> f32 {
    if x.is_nan() {
        return x;
    }
    let bits = x.to_bits();
    let sign = bits & 0x8000_0000;
    let a = f32::from_bits(bits & 0x7fff_ffff);
    // Largest half is 65504; halfway to the next (65520) and above rounds to infinity.
    if a >= 65520.0 {
        return f32::from_bits(sign | 0x7f80_0000);
    }
    // Rounding to a multiple of the half's spacing at a's magnitude: 2^(e-10) for normal
    // halves (e ≥ -14), 2^-24 for subnormals. Adding and subtracting a power of two that
    // pushes the spacing to the float's last place rounds half-to-even in hardware.
    // 2⁻¹⁴, the smallest normal half.
    let e = if a < f32::from_bits(0x3880_0000) {
        -14
    } else {
        ((a.to_bits() >> 23) as i32) - 127
    };
    let spacing_exp = e - 10;
    // c = 2^(spacing_exp + 23): a + c has its last place at 2^spacing_exp.
    let c = f32::from_bits(((spacing_exp + 23 + 127) as u32) << 23);
    let r = (a + c) - c;
    f32::from_bits(sign | r.to_bits())
}

impl NpyElement for f64 {
    const DTYPE: Dtype = Dtype::Float64;
    const DESCR: &'static str = "<f8";

    fn accepts(dtype: Dtype) -> bool {
        !dtype.is_complex()
    }

    fn decode(dtype: Dtype, be: bool, src: &[u8], dst: &mut [MaybeUninit<f64>]) {
        macro_rules! m {
            ($n:literal, $t:ty) => {
                if be {
                    map_items::<$n, f64>(src, dst, |b| <$t>::from_be_bytes(b) as f64)
                } else {
                    map_items::<$n, f64>(src, dst, |b| <$t>::from_le_bytes(b) as f64)
                }
            };
        }
        match dtype {
            Dtype::Float64 => m!(8, f64),
            Dtype::Float32 => m!(4, f32),
            Dtype::Float16 => {
                if be {
                    map_items::<2, f64>(src, dst, |b| f64::from(f16_to_f32(u16::from_be_bytes(b))))
                } else {
                    map_items::<2, f64>(src, dst, |b| f64::from(f16_to_f32(u16::from_le_bytes(b))))
                }
            }
            // int64 and uint64 → f64 round beyond 2⁵³, as NumPy's astype(float64) does.
            Dtype::Int64 => m!(8, i64),
            Dtype::Int32 => m!(4, i32),
            Dtype::Int16 => m!(2, i16),
            Dtype::Int8 => m!(1, i8),
            Dtype::Uint64 => m!(8, u64),
            Dtype::Uint32 => m!(4, u32),
            Dtype::Uint16 => m!(2, u16),
            Dtype::Uint8 => m!(1, u8),
            // NumPy stores True as 1; any non-zero byte reads as True.
            Dtype::Bool => map_items::<1, f64>(src, dst, |b| if b[0] == 0 { 0.0 } else { 1.0 }),
            Dtype::Complex64 | Dtype::Complex128 => {
                debug_assert!(false, "complex dtype decoded as f64");
            }
        }
    }

    fn encode_le(src: &[f64], dst: &mut [u8]) {
        for (d, v) in dst.chunks_exact_mut(8).zip(src) {
            d.copy_from_slice(&v.to_le_bytes());
        }
    }
}

impl NpyElement for f32 {
    const DTYPE: Dtype = Dtype::Float32;
    const DESCR: &'static str = "<f4";

    fn accepts(dtype: Dtype) -> bool {
        matches!(dtype, Dtype::Float32 | Dtype::Float16)
    }

    fn decode(dtype: Dtype, be: bool, src: &[u8], dst: &mut [MaybeUninit<f32>]) {
        match (dtype, be) {
            (Dtype::Float32, false) => map_items::<4, f32>(src, dst, f32::from_le_bytes),
            (Dtype::Float32, true) => map_items::<4, f32>(src, dst, f32::from_be_bytes),
            (Dtype::Float16, false) => {
                map_items::<2, f32>(src, dst, |b| f16_to_f32(u16::from_le_bytes(b)))
            }
            (Dtype::Float16, true) => {
                map_items::<2, f32>(src, dst, |b| f16_to_f32(u16::from_be_bytes(b)))
            }
            _ => debug_assert!(false, "{dtype:?} decoded as f32"),
        }
    }

    fn encode_le(src: &[f32], dst: &mut [u8]) {
        for (d, v) in dst.chunks_exact_mut(4).zip(src) {
            d.copy_from_slice(&v.to_le_bytes());
        }
    }
}

impl NpyElement for Complex32 {
    const DTYPE: Dtype = Dtype::Complex64;
    const DESCR: &'static str = "<c8";

    fn accepts(dtype: Dtype) -> bool {
        dtype == Dtype::Complex64
    }

    fn decode(dtype: Dtype, be: bool, src: &[u8], dst: &mut [MaybeUninit<Complex32>]) {
        debug_assert_eq!(dtype, Dtype::Complex64);
        // A complex number is stored as its real and imaginary parts, each in the byte
        // order of the file.
        let f = if be {
            f32::from_be_bytes
        } else {
            f32::from_le_bytes
        };
        map_items::<8, Complex32>(src, dst, |b| {
            Complex32::new(f([b[0], b[1], b[2], b[3]]), f([b[4], b[5], b[6], b[7]]))
        });
    }

    fn encode_le(src: &[Complex32], dst: &mut [u8]) {
        for (d, z) in dst.chunks_exact_mut(8).zip(src) {
            d[..4].copy_from_slice(&z.re.to_le_bytes());
            d[4..].copy_from_slice(&z.im.to_le_bytes());
        }
    }
}

impl NpyElement for Complex64 {
    const DTYPE: Dtype = Dtype::Complex128;
    const DESCR: &'static str = "<c16";

    fn accepts(dtype: Dtype) -> bool {
        dtype == Dtype::Complex128
    }

    fn decode(dtype: Dtype, be: bool, src: &[u8], dst: &mut [MaybeUninit<Complex64>]) {
        debug_assert_eq!(dtype, Dtype::Complex128);
        let f = if be {
            f64::from_be_bytes
        } else {
            f64::from_le_bytes
        };
        map_items::<16, Complex64>(src, dst, |b| {
            let (re, im) = b.split_at(8);
            // split_at(8) of 16 bytes gives two 8-byte halves
            Complex64::new(
                f(<[u8; 8]>::try_from(re).unwrap_or([0; 8])),
                f(<[u8; 8]>::try_from(im).unwrap_or([0; 8])),
            )
        });
    }

    fn encode_le(src: &[Complex64], dst: &mut [u8]) {
        for (d, z) in dst.chunks_exact_mut(16).zip(src) {
            d[..8].copy_from_slice(&z.re.to_le_bytes());
            d[8..].copy_from_slice(&z.im.to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_conversions_are_exact_for_every_half() {
        for h in 0..=u16::MAX {
            let x = f16_to_f32(h);
            if x.is_nan() {
                assert_eq!((h >> 10) & 0x1f, 0x1f);
                continue;
            }
            // Every half is a fixed point of rounding to half.
            assert_eq!(round_to_f16(x).to_bits(), x.to_bits(), "{h:#06x}");
        }
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
    }

    #[test]
    fn rounding_to_f16_is_to_nearest_even() {
        // Halfway between 1 and 1 + 2⁻¹⁰: ties to the even 1.
        assert_eq!(round_to_f16(1.0 + 2f32.powi(-11)), 1.0);
        // Halfway between 1 + 2⁻¹⁰ and 1 + 2⁻⁹: ties to the even 1 + 2⁻⁹.
        assert_eq!(
            round_to_f16(1.0 + 3.0 * 2f32.powi(-11)),
            1.0 + 2f32.powi(-9)
        );
        assert_eq!(round_to_f16(0.1), 0.099_975_586);
        assert_eq!(round_to_f16(65519.0), 65504.0);
        assert_eq!(round_to_f16(65520.0), f32::INFINITY);
        assert_eq!(round_to_f16(-1e-9), -0.0);
        assert_eq!(round_to_f16(3e-8), 2f32.powi(-24) * 1.0);
    }
}
