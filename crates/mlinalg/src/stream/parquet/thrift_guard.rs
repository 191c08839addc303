//! A bounded walk over the Thrift structures of a Parquet file (the footer's
//! `FileMetaData` and each page's `PageHeader`) before the `parquet` crate decodes them.
//!
//! Why: the crate (59.3) skips a field it does not know by walking the field's encoded
//! value, and its skip of a list, set or map of booleans loops over the declared count
//! without reading a byte per element (it treats each boolean as taking none). A footer of
//! a few kilobytes declaring an unknown field holding a list of 2³¹ − 1 booleans, or a
//! struct of many such lists, made it spin for seconds to hours (found by the `parquet`
//! fuzz target: 1.7 s for an 11 KB file, and nothing bounds it). No timeout can stop that
//! loop from the outside, so the walk here goes first, mirrors how the crate reads the
//! same bytes, counts the steps the crate's walk would take and refuses a structure whose
//! steps outnumber what any real file spends (every element of a real list takes at least
//! one byte), before the crate sees it.
//!
//! To follow the crate's reading exactly, the fields the crate knows are checked against
//! the types it reads them as (its typed readers read a known field as the declared type
//! whatever the encoded type says): a known field whose encoded type differs is refused
//! (no writer produces one), so from then on both walks see the same structure. Unknown
//! fields are walked by their encoded types, as the crate skips them.

use std::io::Read;

/// What a field of a known struct holds (the Thrift types of `parquet.thrift`).
#[derive(Clone, Copy, Debug)]
pub(super) enum Ty {
    Bool,
    Byte,
    I16,
    I32,
    I64,
    Double,
    Binary,
    List(&'static Ty),
    /// A struct or union, with its known fields (id, type); others are walked by their
    /// encoded types.
    Struct(&'static [(i16, Ty)]),
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Bool => "bool",
            Ty::Byte => "i8",
            Ty::I16 => "i16",
            Ty::I32 => "i32",
            Ty::I64 => "i64",
            Ty::Double => "double",
            Ty::Binary => "binary",
            Ty::List(_) => "list",
            Ty::Struct(_) => "struct",
        }
    }
}

/// A struct none of whose fields the crate reads (the unit members of unions).
const EMPTY: Ty = Ty::Struct(&[]);
const KEY_VALUE: Ty = Ty::Struct(&[(1, Ty::Binary), (2, Ty::Binary)]);
const TIME_UNIT: Ty = Ty::Struct(&[(1, EMPTY), (2, EMPTY), (3, EMPTY)]);
const TIMESTAMP: Ty = Ty::Struct(&[(1, Ty::Bool), (2, TIME_UNIT)]);
const LOGICAL_TYPE: Ty = Ty::Struct(&[
    (1, EMPTY),
    (2, EMPTY),
    (3, EMPTY),
    (4, EMPTY),
    (5, Ty::Struct(&[(1, Ty::I32), (2, Ty::I32)])),
    (6, EMPTY),
    (7, TIMESTAMP),
    (8, TIMESTAMP),
    (10, Ty::Struct(&[(1, Ty::Byte), (2, Ty::Bool)])),
    (11, EMPTY),
    (12, EMPTY),
    (13, EMPTY),
    (14, EMPTY),
    (15, EMPTY),
    (16, Ty::Struct(&[(1, Ty::Byte)])),
    (17, Ty::Struct(&[(1, Ty::Binary)])),
    (18, Ty::Struct(&[(1, Ty::Binary), (2, Ty::I32)])),
]);
const SCHEMA_ELEMENT: Ty = Ty::Struct(&[
    (1, Ty::I32),
    (2, Ty::I32),
    (3, Ty::I32),
    (4, Ty::Binary),
    (5, Ty::I32),
    (6, Ty::I32),
    (7, Ty::I32),
    (8, Ty::I32),
    (9, Ty::I32),
    (10, LOGICAL_TYPE),
]);
const STATISTICS: Ty = Ty::Struct(&[
    (1, Ty::Binary),
    (2, Ty::Binary),
    (3, Ty::I64),
    (4, Ty::I64),
    (5, Ty::Binary),
    (6, Ty::Binary),
    (7, Ty::Bool),
    (8, Ty::Bool),
]);
const GEOSPATIAL_STATISTICS: Ty = Ty::Struct(&[
    (
        1,
        Ty::Struct(&[
            (1, Ty::Double),
            (2, Ty::Double),
            (3, Ty::Double),
            (4, Ty::Double),
            (5, Ty::Double),
            (6, Ty::Double),
            (7, Ty::Double),
            (8, Ty::Double),
        ]),
    ),
    (2, Ty::List(&Ty::I32)),
]);
const COLUMN_META_DATA: Ty = Ty::Struct(&[
    (1, Ty::I32),
    (2, Ty::List(&Ty::I32)),
    (3, Ty::List(&Ty::Binary)),
    (4, Ty::I32),
    (5, Ty::I64),
    (6, Ty::I64),
    (7, Ty::I64),
    (8, Ty::List(&KEY_VALUE)),
    (9, Ty::I64),
    (10, Ty::I64),
    (11, Ty::I64),
    (12, STATISTICS),
    (
        13,
        Ty::List(&Ty::Struct(&[(1, Ty::I32), (2, Ty::I32), (3, Ty::I32)])),
    ),
    (14, Ty::I64),
    (15, Ty::I32),
    (
        16,
        Ty::Struct(&[
            (1, Ty::I64),
            (2, Ty::List(&Ty::I64)),
            (3, Ty::List(&Ty::I64)),
        ]),
    ),
    (17, GEOSPATIAL_STATISTICS),
]);
const COLUMN_CHUNK: Ty = Ty::Struct(&[
    (1, Ty::Binary),
    (2, Ty::I64),
    (3, COLUMN_META_DATA),
    (4, Ty::I64),
    (5, Ty::I32),
    (6, Ty::I64),
    (7, Ty::I32),
    (
        8,
        Ty::Struct(&[
            (1, EMPTY),
            (
                2,
                Ty::Struct(&[(1, Ty::List(&Ty::Binary)), (2, Ty::Binary)]),
            ),
        ]),
    ),
    (9, Ty::Binary),
]);
const ROW_GROUP: Ty = Ty::Struct(&[
    (1, Ty::List(&COLUMN_CHUNK)),
    (2, Ty::I64),
    (3, Ty::I64),
    (
        4,
        Ty::List(&Ty::Struct(&[(1, Ty::I32), (2, Ty::Bool), (3, Ty::Bool)])),
    ),
    (5, Ty::I64),
    (6, Ty::I64),
    (7, Ty::I16),
]);
/// The footer's `FileMetaData`.
pub(super) const FILE_META_DATA: Ty = Ty::Struct(&[
    (1, Ty::I32),
    (2, Ty::List(&SCHEMA_ELEMENT)),
    (3, Ty::I64),
    (4, Ty::List(&ROW_GROUP)),
    (5, Ty::List(&KEY_VALUE)),
    (6, Ty::Binary),
    (7, Ty::List(&Ty::Struct(&[(1, EMPTY)]))),
    (8, Ty::Struct(&[])),
    (9, Ty::Binary),
]);
/// A page's `PageHeader`.
pub(super) const PAGE_HEADER: Ty = Ty::Struct(&[
    (1, Ty::I32),
    (2, Ty::I32),
    (3, Ty::I32),
    (4, Ty::I32),
    (
        5,
        Ty::Struct(&[
            (1, Ty::I32),
            (2, Ty::I32),
            (3, Ty::I32),
            (4, Ty::I32),
            (5, STATISTICS),
        ]),
    ),
    (6, EMPTY),
    (7, Ty::Struct(&[(1, Ty::I32), (2, Ty::I32), (3, Ty::Bool)])),
    (
        8,
        Ty::Struct(&[
            (1, Ty::I32),
            (2, Ty::I32),
            (3, Ty::I32),
            (4, Ty::I32),
            (5, Ty::I32),
            (6, Ty::I32),
            (7, Ty::Bool),
            (8, STATISTICS),
        ]),
    ),
]);

/// Nesting deeper than this is refused (the crate's skip stops at 64 levels below the
/// field it skips; its known structures are at most 8 deep).
const MAX_DEPTH: usize = 96;

/// Thrift compact field types (`FieldType` of the crate).
const T_BOOL_TRUE: u8 = 1;
const T_BOOL_FALSE: u8 = 2;
const T_BYTE: u8 = 3;
const T_I16: u8 = 4;
const T_I32: u8 = 5;
const T_I64: u8 = 6;
const T_DOUBLE: u8 = 7;
const T_BINARY: u8 = 8;
const T_LIST: u8 = 9;
const T_SET: u8 = 10;
const T_MAP: u8 = 11;
const T_STRUCT: u8 = 12;
const T_UUID: u8 = 13;

/// The bytes walked: a slice (the footer) or a reader (a page header in the file).
pub(super) trait Input {
    /// The next byte, or `None` at the end.
    fn byte(&mut self) -> Option<u8>;
    /// Passes over `n` bytes; `false` if fewer are left.
    fn skip(&mut self, n: u64) -> bool;
}

impl Input for &[u8] {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.split_first()?;
        *self = rest;
        Some(b)
    }

    fn skip(&mut self, n: u64) -> bool {
        match usize::try_from(n) {
            Ok(n) if n <= self.len() => {
                *self = &self[n..];
                true
            }
            _ => false,
        }
    }
}

/// A reader with the number of bytes left before the end of the file.
pub(super) struct Limited<R> {
    pub(super) inner: R,
    pub(super) left: u64,
}

impl<R: Read> Input for Limited<R> {
    fn byte(&mut self) -> Option<u8> {
        if self.left == 0 {
            return None;
        }
        let mut b = [0u8];
        self.inner.read_exact(&mut b).ok()?;
        self.left -= 1;
        Some(b[0])
    }

    fn skip(&mut self, n: u64) -> bool {
        if n > self.left {
            return false;
        }
        match std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink()) {
            Ok(k) if k == n => {
                self.left -= n;
                true
            }
            _ => false,
        }
    }
}

/// Walks one value of type `ty` (a struct: `FILE_META_DATA` or `PAGE_HEADER`) from
/// `input`, allowing at most `budget` steps (one per struct field and per collection
/// element). `Err` says why the structure is refused.
pub(super) fn check(input: &mut impl Input, ty: Ty, budget: u64) -> Result<(), String> {
    let mut w = Walk::new(input, budget);
    w.value(T_STRUCT, Some(ty), 0)
}

/// A page header's length in bytes and the sizes it declares.
pub(super) struct PageSizes {
    pub(super) header: u64,
    pub(super) compressed: u64,
    pub(super) uncompressed: u64,
    /// The values (levels) the page declares.
    pub(super) values: u64,
}

/// Walks a page header as [`check`] does and returns its length and the page's
/// `uncompressed_page_size` and `compressed_page_size` (fields 2 and 3; `Err` if either
/// is missing or negative).
pub(super) fn page_header<R: Read>(
    input: &mut Limited<R>,
    budget: u64,
) -> Result<PageSizes, String> {
    let before = input.left;
    let mut w = Walk::new(input, budget);
    w.value(T_STRUCT, Some(PAGE_HEADER), 0)?;
    let [uncompressed, compressed, values] = w.size;
    let size = |s: Option<i64>| {
        let s = s.ok_or_else(|| "it does not declare the page's sizes".to_string())?;
        u64::try_from(s).map_err(|_| format!("it declares a page of {s} bytes"))
    };
    Ok(PageSizes {
        header: before - input.left,
        compressed: size(compressed)?,
        uncompressed: size(uncompressed)?,
        // (absent from index pages; negative counts are the crate's to refuse)
        values: values.map_or(0, |v| u64::try_from(v).unwrap_or(0)),
    })
}

struct Walk<'a, I> {
    input: &'a mut I,
    steps: u64,
    budget: u64,
    /// Fields 2 and 3 of the outermost struct when they are i32s (a page header's
    /// uncompressed and compressed sizes), and field 1 of its field 5, 7 or 8 (the
    /// `num_values` of a data, dictionary or v2 data page header).
    size: [Option<i64>; 3],
    /// The id of the outermost struct's field being walked.
    outer: i16,
}

/// The compact type of a list/set/map element (`ElementType` of the crate: 1 and 2 are
/// both booleans).
fn element_type(nibble: u8) -> Result<u8, String> {
    match nibble {
        1 | 2 => Ok(T_BOOL_TRUE),
        3..=13 => Ok(nibble),
        _ => Err(format!("an invalid list element type {nibble}")),
    }
}

/// Whether encoded type `wire` is what the crate reads for `ty`.
fn matches(wire: u8, ty: Ty) -> bool {
    match ty {
        Ty::Bool => wire == T_BOOL_TRUE || wire == T_BOOL_FALSE,
        Ty::Byte => wire == T_BYTE,
        Ty::I16 => wire == T_I16,
        Ty::I32 => wire == T_I32,
        Ty::I64 => wire == T_I64,
        Ty::Double => wire == T_DOUBLE,
        Ty::Binary => wire == T_BINARY,
        Ty::List(_) => wire == T_LIST || wire == T_SET,
        Ty::Struct(_) => wire == T_STRUCT,
    }
}

const EOF: &str = "it ends inside a value";

/// A zigzag varint's value, as the crate decodes it (its callers truncate).
fn zigzag(z: u64) -> i64 {
    (z >> 1) as i64 ^ -((z & 1) as i64)
}

impl<'a, I: Input> Walk<'a, I> {
    fn new(input: &'a mut I, budget: u64) -> Self {
        Walk {
            input,
            steps: 0,
            budget,
            size: [None; 3],
            outer: 0,
        }
    }

    fn byte(&mut self) -> Result<u8, String> {
        self.input.byte().ok_or_else(|| EOF.to_string())
    }

    /// An unsigned varint as the crate reads it (`read_vlq`: shifts past 63 wrap).
    fn varint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        let mut shift = 0u32;
        loop {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f).wrapping_shl(shift);
            if b & 0x80 == 0 {
                return Ok(v);
            }
            shift = shift.wrapping_add(7);
        }
    }

    fn step(&mut self, n: u64) -> Result<(), String> {
        self.steps = self.steps.saturating_add(n.max(1));
        if self.steps > self.budget {
            return Err(format!(
                "its Thrift structure takes more than {} steps to read (a list, set or map \
                 declares more elements than the bytes that hold it)",
                self.budget
            ));
        }
        Ok(())
    }

    /// A collection's declared element count, as the crate reads it (`i32`).
    fn count(&mut self, what: &str) -> Result<u64, String> {
        let n = self.varint()?;
        let n = i32::try_from(n).map_err(|_| format!("a {what} of {n} elements"))?;
        Ok(n.max(0) as u64)
    }

    fn value(&mut self, wire: u8, expect: Option<Ty>, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(format!("it nests deeper than {MAX_DEPTH} levels"));
        }
        if let Some(ty) = expect
            && !matches(wire, ty)
        {
            return Err(format!(
                "a field the reader knows holds Thrift type {wire} instead of {}",
                ty.name()
            ));
        }
        match wire {
            T_BOOL_TRUE | T_BOOL_FALSE => Ok(()),
            T_BYTE => self.byte().map(drop),
            T_I16 | T_I32 | T_I64 => self.varint().map(drop),
            T_DOUBLE => self.skip(8),
            T_UUID => self.skip(16),
            T_BINARY => {
                let n = self.varint()?;
                self.skip(n)
            }
            T_LIST | T_SET => {
                let header = self.byte()?;
                if header == 0 {
                    return Ok(());
                }
                let elem = element_type(header & 0x0f)?;
                let n = match header >> 4 {
                    15 => self.count("list")?,
                    n => u64::from(n),
                };
                let elem_ty = match expect {
                    Some(Ty::List(t)) => Some(*t),
                    _ => None,
                };
                if n > 0
                    && let Some(t) = elem_ty
                    && !matches(elem, t)
                {
                    return Err(format!(
                        "a list the reader knows holds Thrift type {elem} instead of {}",
                        t.name()
                    ));
                }
                // The crate's skip of a boolean element reads nothing: the steps are what
                // bound it.
                if elem == T_BOOL_TRUE {
                    return self.step(n);
                }
                for _ in 0..n {
                    self.step(1)?;
                    self.value(elem, elem_ty, depth + 1)?;
                }
                Ok(())
            }
            T_MAP => {
                let n = self.count("map")?;
                if n == 0 {
                    return Ok(());
                }
                let kv = self.byte()?;
                let (k, v) = (element_type(kv >> 4)?, element_type(kv & 0x0f)?);
                if k == T_BOOL_TRUE && v == T_BOOL_TRUE {
                    return self.step(n);
                }
                for _ in 0..n {
                    self.step(1)?;
                    self.value(k, None, depth + 1)?;
                    self.value(v, None, depth + 1)?;
                }
                Ok(())
            }
            T_STRUCT => {
                let fields = match expect {
                    Some(Ty::Struct(f)) => f,
                    _ => &[],
                };
                let mut last: i16 = 0;
                loop {
                    let b = self.byte()?;
                    let ty = b & 0x0f;
                    if ty == 0 {
                        return Ok(());
                    }
                    if ty > T_UUID {
                        return Err(format!("an invalid field type {ty}"));
                    }
                    let delta = b >> 4;
                    let id = if delta != 0 {
                        last.checked_add(i16::from(delta))
                            .ok_or_else(|| "a field id past 32767".to_string())?
                    } else {
                        // A zigzag i16, truncated as the crate truncates it.
                        let z = self.varint()?;
                        zigzag(z) as i16
                    };
                    self.step(1)?;
                    let slot = match (depth, id) {
                        (0, 2 | 3) => Some(id as usize - 2),
                        (1, 1) if matches!(self.outer, 5 | 7 | 8) => Some(2),
                        _ => None,
                    };
                    if let Some(slot) = slot
                        && ty == T_I32
                    {
                        let z = self.varint()?;
                        // (as the crate reads an i32: zigzag i64, truncated)
                        let v = zigzag(z) as i32;
                        self.size[slot] = Some(i64::from(v));
                        last = id;
                        continue;
                    }
                    if depth == 0 {
                        self.outer = id;
                    }
                    let known = fields.iter().find(|f| f.0 == id).map(|f| f.1);
                    self.value(ty, known, depth + 1)?;
                    last = id;
                }
            }
            _ => Err(format!("an invalid field type {wire}")),
        }
    }

    fn skip(&mut self, n: u64) -> Result<(), String> {
        if self.input.skip(n) {
            Ok(())
        } else {
            Err(EOF.to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `FileMetaData` with version 1 and an unknown field 20 holding `tail`.
    fn footer_with(tail: &[u8]) -> Vec<u8> {
        // Field 1 (delta 1, i32), zigzag 2 = 1; field 20 in the long form (type list,
        // then zigzag 20 = 0x28).
        let mut v = vec![0x15, 0x02, 0x09, 0x28];
        v.extend_from_slice(tail);
        v.push(0x00);
        v
    }

    #[test]
    fn a_huge_unknown_list_of_booleans_is_refused() {
        // list header: size in a varint (0xF_), element type 1 (boolean); 2^31 - 1.
        let bytes = footer_with(&[0xF1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]);
        let e = check(&mut &bytes[..], FILE_META_DATA, bytes.len() as u64 + 64).unwrap_err();
        assert!(e.contains("steps"), "{e}");
        // Both encodings of the boolean element type, and sets.
        let bytes = footer_with(&[0xF2, 0xFF, 0xFF, 0xFF, 0xFF, 0x07]);
        assert!(check(&mut &bytes[..], FILE_META_DATA, 1000).is_err());
        // A map of booleans to booleans.
        let mut bytes = vec![0x15, 0x02, 0x0B, 0x28];
        bytes.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x11, 0x00]);
        assert!(check(&mut &bytes[..], FILE_META_DATA, 1000).is_err());
    }

    #[test]
    fn nested_lists_of_booleans_are_bounded_by_their_total() {
        // An unknown list of 14 lists, each of 14 booleans (0xE1): 14 + 196 steps.
        let mut tail = vec![0xE9];
        tail.extend(std::iter::repeat_n(0xE1, 14));
        let bytes = footer_with(&tail);
        assert!(check(&mut &bytes[..], FILE_META_DATA, 100).is_err());
        assert!(check(&mut &bytes[..], FILE_META_DATA, 1000).is_ok());
    }

    #[test]
    fn a_known_field_of_another_type_is_refused() {
        // Field 1 (version, i32) encoded as a list.
        let bytes = [0x19, 0xF1, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00];
        let e = check(&mut &bytes[..], FILE_META_DATA, 1000).unwrap_err();
        assert!(e.contains("instead of i32"), "{e}");
        // Row groups (field 4) as a list of i32 instead of structs.
        let bytes = [0x15, 0x02, 0x39, 0x15, 0x02, 0x00];
        let e = check(&mut &bytes[..], FILE_META_DATA, 1000).unwrap_err();
        assert!(e.contains("list the reader knows"), "{e}");
    }

    #[test]
    fn truncated_and_invalid_structures_are_refused() {
        let bytes = footer_with(&[0x15, 0x02]);
        assert!(check(&mut &bytes[..], FILE_META_DATA, 1000).is_ok());
        assert!(check(&mut &bytes[..bytes.len() - 1], FILE_META_DATA, 1000).is_err());
        // Field type 14 does not exist.
        assert!(check(&mut &[0x1E, 0x00][..], FILE_META_DATA, 1000).is_err());
        // A binary longer than what is left.
        assert!(check(&mut &[0x68, 0x7F, 0x00][..], FILE_META_DATA, 1000).is_err());
        // Deep nesting: unknown struct fields inside each other.
        let mut deep = vec![0x15, 0x02];
        for _ in 0..200 {
            deep.extend_from_slice(&[0x0C, 0x28]);
        }
        deep.extend(std::iter::repeat_n(0x00, 201));
        let e = check(&mut &deep[..], FILE_META_DATA, 10_000).unwrap_err();
        assert!(e.contains("deeper"), "{e}");
    }

    #[test]
    fn readers_and_slices_walk_alike() {
        let bytes = footer_with(&[0xE1]);
        let mut r = Limited {
            inner: &bytes[..],
            left: bytes.len() as u64,
        };
        assert!(check(&mut r, FILE_META_DATA, 1000).is_ok());
        let mut short = Limited {
            inner: &bytes[..],
            left: 3,
        };
        assert!(check(&mut short, FILE_META_DATA, 1000).is_err());
    }
}
