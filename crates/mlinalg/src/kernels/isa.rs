//! The one CPU-feature dispatch of the kernels.
//!
//! Every kernel is compiled once per instruction set (`#[target_feature]` functions) and
//! the variant to run is chosen here, at run time, from what the running CPU reports. The
//! crate's own baseline is plain x86-64 (SSE2), so the wider variants are only ever entered
//! through an [`Isa`] that [`Isa::detect`] returned or that [`Isa::available`] confirmed.

/// An instruction-set level the kernels are compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Isa {
    /// AVX-512F (with the AVX2 + FMA it implies on every CPU that has it): 8 `f64` lanes.
    Avx512,
    /// AVX2 + FMA: 4 `f64` lanes.
    Avx2,
    /// Portable code at the target's baseline (SSE2 on x86-64, NEON on aarch64, …).
    Scalar,
}

impl Isa {
    /// The widest instruction set this CPU runs (cached by `std`'s feature detection).
    #[inline]
    pub(crate) fn detect() -> Isa {
        if Isa::Avx512.available() {
            Isa::Avx512
        } else if Isa::Avx2.available() {
            Isa::Avx2
        } else {
            Isa::Scalar
        }
    }

    /// Whether this CPU can run code compiled for `self`.
    #[inline]
    pub(crate) fn available(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// `self` if this CPU runs it, else the portable level.
    #[inline]
    pub(crate) fn or_scalar(self) -> Isa {
        if self.available() { self } else { Isa::Scalar }
    }

    /// Every level this CPU runs, widest first (for tests that compare them).
    #[cfg(test)]
    pub(crate) fn all_available() -> Vec<Isa> {
        [Isa::Avx512, Isa::Avx2, Isa::Scalar]
            .into_iter()
            .filter(|i| i.available())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detect_is_available_and_the_widest() {
        let d = Isa::detect();
        assert!(d.available());
        assert_eq!(Isa::all_available()[0], d);
        assert!(Isa::Scalar.available());
        assert_eq!(Isa::Scalar.or_scalar(), Isa::Scalar);
        #[cfg(not(target_arch = "x86_64"))]
        assert_eq!(d, Isa::Scalar);
    }
}
