//! The serialised form of the mergeable states: versioned, little-endian, validated.
//!
//! ```text
//! offset  size  field
//! 0       4     magic "MLST"
//! 4       1     kind: 1 = Moments, 2 = Gram, 3 = Tsqr
//! 5       1     format version (1)
//! 6       2     reserved, 0
//! 8       8     n_features (u64)
//! 16      8     n_targets (u64; 0 for Moments)
//! 24      8     count: rows seen (u64)
//! 32      8·k   the state's f64 values (k fixed by kind, n_features and n_targets)
//! end−8   8     FNV-1a 64 of every byte before it
//! ```
//!
//! Readers check every field before allocating: the magic, kind and version, that the
//! declared sizes give exactly the number of bytes present (computed without overflow),
//! the checksum, and that every value is finite. Hostile bytes are an [`Error::Format`]
//! naming what is wrong, never a panic or a huge allocation.

use crate::error::{Error, Result};

const MAGIC: &[u8; 4] = b"MLST";
/// The format version written; readers accept exactly the versions they know.
pub(crate) const VERSION: u8 = 1;
const HEADER: usize = 32;
const TRAILER: usize = 8;

/// Which state a byte string holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Moments = 1,
    Gram = 2,
    Tsqr = 3,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Moments => "Moments",
            Kind::Gram => "Gram",
            Kind::Tsqr => "Tsqr",
        }
    }
}

/// The fixed header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) n_features: usize,
    pub(crate) n_targets: usize,
    pub(crate) count: u64,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Serialises a state: the header, then each slice of values in order, then the checksum.
pub(crate) fn encode(kind: Kind, head: Head, parts: &[&[f64]]) -> Vec<u8> {
    let k: usize = parts.iter().map(|p| p.len()).sum();
    let mut out = Vec::with_capacity(HEADER + 8 * k + TRAILER);
    out.extend_from_slice(MAGIC);
    out.push(kind as u8);
    out.push(VERSION);
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(head.n_features as u64).to_le_bytes());
    out.extend_from_slice(&(head.n_targets as u64).to_le_bytes());
    out.extend_from_slice(&head.count.to_le_bytes());
    for p in parts {
        for v in *p {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    let h = fnv1a(&out);
    out.extend_from_slice(&h.to_le_bytes());
    out
}

fn bad(kind: Kind, detail: impl std::fmt::Display) -> Error {
    Error::format(
        format!("<{} bytes>", kind.name()),
        format!("invalid serialised state: {detail}"),
    )
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Parses and checks the header of `bytes` for `kind`; `values(n_features, n_targets)`
/// gives the number of f64 values the body must hold (`None` if it overflows). Returns the
/// header and the decoded values.
pub(crate) fn decode(
    kind: Kind,
    bytes: &[u8],
    values: impl Fn(usize, usize) -> Option<usize>,
) -> Result<(Head, Vec<f64>)> {
    if bytes.len() < HEADER + TRAILER {
        return Err(bad(
            kind,
            format!(
                "{} bytes, shorter than the {}-byte frame",
                bytes.len(),
                HEADER + TRAILER
            ),
        ));
    }
    if &bytes[..4] != MAGIC {
        return Err(bad(kind, "bad magic (not an mlinalg state)"));
    }
    if bytes[4] != kind as u8 {
        return Err(bad(
            kind,
            format!(
                "holds state kind {}, expected {} ({})",
                bytes[4],
                kind as u8,
                kind.name()
            ),
        ));
    }
    if bytes[5] != VERSION {
        return Err(bad(
            kind,
            format!(
                "format version {} is not supported (this build reads {VERSION})",
                bytes[5]
            ),
        ));
    }
    if bytes[6..8] != [0, 0] {
        return Err(bad(kind, "reserved bytes are not zero"));
    }
    let body_end = bytes.len() - TRAILER;
    if fnv1a(&bytes[..body_end]) != u64_at(bytes, body_end) {
        return Err(bad(kind, "checksum mismatch (corrupted bytes)"));
    }
    let nf = u64_at(bytes, 8);
    let nt = u64_at(bytes, 16);
    let count = u64_at(bytes, 24);
    let present = (body_end - HEADER) / 8;
    let need = usize::try_from(nf)
        .ok()
        .zip(usize::try_from(nt).ok())
        .and_then(|(f, t)| values(f, t));
    if need != Some(present) || !(body_end - HEADER).is_multiple_of(8) {
        return Err(bad(
            kind,
            format!(
                "n_features={nf}, n_targets={nt} need {} values, the bytes hold {}",
                need.map_or_else(|| "too many".to_string(), |n| n.to_string()),
                (body_end - HEADER) as f64 / 8.0
            ),
        ));
    }
    let vals: Vec<f64> = bytes[HEADER..body_end]
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            f64::from_le_bytes(b)
        })
        .collect();
    if let Some(i) = vals.iter().position(|v| !v.is_finite()) {
        return Err(bad(kind, format!("value {i} is not finite")));
    }
    // safe because `need` was computed from both converted values above
    let head = Head {
        n_features: nf as usize,
        n_targets: nt as usize,
        count,
    };
    Ok((head, vals))
}

/// The number of entries of a packed `d × d` triangle, `d(d+1)/2`, or `None` on overflow.
pub(crate) fn tri(d: usize) -> Option<usize> {
    d.checked_mul(d.checked_add(1)?).map(|v| v / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_corruption_is_an_error() {
        let head = Head {
            n_features: 2,
            n_targets: 1,
            count: 7,
        };
        let bytes = encode(Kind::Gram, head, &[&[1.0, 2.0, 3.0], &[4.0]]);
        let need = |f: usize, t: usize| Some((f + t) + 1);
        let (h, v) = decode(Kind::Gram, &bytes, need).unwrap();
        assert_eq!(h, head);
        assert_eq!(v, vec![1.0, 2.0, 3.0, 4.0]);
        // every truncation, every single-bit flip
        for len in 0..bytes.len() {
            assert!(
                decode(Kind::Gram, &bytes[..len], need).is_err(),
                "len {len}"
            );
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(decode(Kind::Gram, &b, need).is_err(), "byte {i} bit {bit}");
            }
        }
        let e = decode(Kind::Tsqr, &bytes, need).unwrap_err().to_string();
        assert!(e.contains("kind 2, expected 3"), "{e}");
        // a consistent frame whose sizes overflow
        let huge = Head {
            n_features: usize::MAX,
            n_targets: 0,
            count: 0,
        };
        let b = encode(Kind::Gram, huge, &[]);
        let e = decode(Kind::Gram, &b, |f, t| tri(f.checked_add(t)?))
            .unwrap_err()
            .to_string();
        assert!(e.contains("too many"), "{e}");
        // non-finite values
        let b = encode(Kind::Gram, head, &[&[1.0, f64::NAN, 3.0, 4.0]]);
        assert!(
            decode(Kind::Gram, &b, need)
                .unwrap_err()
                .to_string()
                .contains("value 1")
        );
    }
}
