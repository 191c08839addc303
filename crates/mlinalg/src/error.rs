//! The one error type of mlinalg.
//!
//! Every variant names the operation (`op`) first, so every message reads
//! `op: what happened: got vs expected`, e.g.
//! `matmul: inner dimensions differ: (2, 3) @ (2, 3): 3 != 2`.
//!
//! # Messages are safe to print
//! Data files come from strangers, and a message quoting a file's content (a CSV cell, a
//! Matrix Market banner, a `.npy` header, a Parquet column name) or a file name would hand
//! a terminal whatever escape sequences the file holds (`ESC ] 0 ; title BEL` sets the
//! window title, `ESC [ 31 m` the colours). Two layers keep them out:
//!
//! - every reader quotes content through [`escape_excerpt`] (text) or
//!   [`escape_bytes_excerpt`] (raw bytes, invalid UTF-8 included): control characters,
//!   Unicode bidirectional overrides and line separators become `\x1b`/`\u{202e}`-style
//!   escapes, backslashes are doubled, and excerpts longer than [`EXCERPT_CHARS`]
//!   characters are cut with `…`;
//! - [`Error`]'s `Display` passes every string it holds (paths included) through
//!   [`escape_controls`], so a message stays one printable line even where some text was
//!   not quoted through the first layer.

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

/// Every error mlinalg returns. Messages start with the operation's name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Operand shapes do not fit the operation.
    #[error("{op}: {}", Clean(.detail))]
    Shape {
        /// The operation.
        op: &'static str,
        /// What was given and what was expected.
        detail: String,
    },
    /// An operand has a dimension of length zero where the operation needs data.
    #[error("{op}: empty input: {}", Clean(.detail))]
    Empty {
        /// The operation.
        op: &'static str,
        /// The offending shape.
        detail: String,
    },
    /// The matrix is (numerically) singular.
    #[error("{op}: singular matrix")]
    Singular {
        /// The operation.
        op: &'static str,
    },
    /// Cholesky-type factorizations of a matrix that is not positive definite.
    #[error("{op}: matrix is not positive definite")]
    NotPositiveDefinite {
        /// The operation.
        op: &'static str,
    },
    /// A symmetric routine was given a matrix that is not symmetric.
    #[error("{op}: matrix is not symmetric ({})", Clean(.detail))]
    NotSymmetric {
        /// The operation.
        op: &'static str,
        /// How far from symmetric, e.g. `max |A − Aᵀ| = 0.5`.
        detail: String,
    },
    /// An iterative algorithm did not converge.
    #[error("{op}: did not converge")]
    NoConvergence {
        /// The operation.
        op: &'static str,
    },
    /// NaN or ±∞ in the input of a solver or decomposition.
    #[error("{op}: input contains non-finite values (NaN or infinity)")]
    NonFinite {
        /// The operation.
        op: &'static str,
    },
    /// A parameter value is outside what the operation (or the data) allows.
    #[error("{op}: invalid {name}: {}", Clean(.detail))]
    InvalidParameter {
        /// The operation.
        op: &'static str,
        /// The parameter's name.
        name: &'static str,
        /// The value and the allowed range.
        detail: String,
    },
    /// A request that cannot be met, e.g. an allocation larger than memory allows.
    #[error("{op}: {}", Clean(.detail))]
    Unsupported {
        /// The operation.
        op: &'static str,
        /// Why.
        detail: String,
    },
    /// A file's content is not what its format says.
    #[error("{}: {}", CleanPath(.path), Clean(.detail))]
    Format {
        /// The file (or a description such as `<bytes>`).
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The operating system refused to read or write a file.
    #[error("{}: {}", CleanPath(.path), Clean(&.source.to_string()))]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Shape`] with the given detail.
    pub(crate) fn shape(op: &'static str, detail: impl Into<String>) -> Self {
        Error::Shape {
            op,
            detail: detail.into(),
        }
    }

    /// An [`Error::InvalidParameter`].
    pub(crate) fn param(op: &'static str, name: &'static str, detail: impl Into<String>) -> Self {
        Error::InvalidParameter {
            op,
            name,
            detail: detail.into(),
        }
    }

    /// The same error attributed to the operation `op`: the variants that carry nothing
    /// but an operation (non-finite input, singular or not positive definite matrix, no
    /// convergence) are re-labelled, so an estimator's error starts with its own name and
    /// not with that of the routine it called; every other variant is returned unchanged.
    ///
    /// # Examples
    /// ```
    /// use mlinalg::Error;
    /// let e = Error::NonFinite { op: "svd" }.with_op("pca");
    /// assert_eq!(e.to_string(), "pca: input contains non-finite values (NaN or infinity)");
    /// ```
    #[must_use]
    pub fn with_op(self, op: &'static str) -> Error {
        match self {
            Error::NonFinite { .. } => Error::NonFinite { op },
            Error::NoConvergence { .. } => Error::NoConvergence { op },
            Error::NotPositiveDefinite { .. } => Error::NotPositiveDefinite { op },
            Error::Singular { .. } => Error::Singular { op },
            other => other,
        }
    }

    /// A [`Error::Format`] for `path`.
    pub(crate) fn format(path: impl Into<PathBuf>, detail: impl Into<String>) -> Self {
        Error::Format {
            path: path.into(),
            detail: detail.into(),
        }
    }
}

/// The longest excerpt of file content or user input a message quotes, in characters;
/// [`escape_excerpt`] cuts longer text with `…`.
pub const EXCERPT_CHARS: usize = 80;

/// Whether `c` must not reach a terminal as it is: C0 and C1 control characters and DEL
/// (ESC, BEL, CR, newline, …), the Unicode line and paragraph separators, and the
/// bidirectional embeddings, overrides and isolates that reorder what a line shows
/// ("Trojan Source"), plus the zero-width no-break space (BOM).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

/// Writes the escape of one character that [`needs_escape`]: `\n`, `\r`, `\t`, `\x1b`
/// (below U+0100) or `\u{202e}`.
fn push_escape(out: &mut String, c: char) {
    use fmt::Write as _;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// File content or user input as a message may quote it: control characters (ESC, BEL,
/// newline, …), Unicode bidirectional overrides and line separators escaped (`\x1b`,
/// `\n`, `\u{202e}`), backslashes doubled (so an escape in the message always means an
/// escaped character), and text longer than [`EXCERPT_CHARS`] characters cut with `…`.
/// Every reader of [`crate::io`] and [`crate::stream`] quotes content through it.
///
/// # Examples
/// ```
/// use mlinalg::error::escape_excerpt;
/// assert_eq!(escape_excerpt("abc"), "abc");
/// assert_eq!(escape_excerpt("\u{1b}]0;pwned\u{7}\u{1b}[31m"), "\\x1b]0;pwned\\x07\\x1b[31m");
/// assert_eq!(escape_excerpt("a\\b\tc\n"), "a\\\\b\\tc\\n");
/// let long = "x".repeat(1000);
/// assert_eq!(escape_excerpt(&long), format!("{}…", "x".repeat(80)));
/// ```
#[must_use]
pub fn escape_excerpt(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4 * EXCERPT_CHARS) + 3);
    let mut chars = text.chars();
    for c in chars.by_ref().take(EXCERPT_CHARS) {
        push_char(&mut out, c);
    }
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

/// How many names (columns, archive members) [`escape_list`] shows.
pub const LISTED_NAMES: usize = 20;

/// Names from a file as a message lists them: `a, b, c`, each through [`escape_excerpt`],
/// at most [`LISTED_NAMES`] of them followed by `, … (N more)` (a file may hold millions).
///
/// # Examples
/// ```
/// use mlinalg::error::escape_list;
/// assert_eq!(escape_list(["x", "y\u{1b}"]), "x, y\\x1b");
/// let many: Vec<String> = (0..25).map(|i| format!("c{i}")).collect();
/// assert!(escape_list(many.iter().map(String::as_str)).ends_with("c19, … (5 more)"));
/// ```
#[must_use]
pub fn escape_list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    let mut n = 0usize;
    for name in names {
        if n < LISTED_NAMES {
            if n > 0 {
                out.push_str(", ");
            }
            out.push_str(&escape_excerpt(name));
        }
        n += 1;
    }
    if n > LISTED_NAMES {
        use fmt::Write as _;
        let _ = write!(out, ", … ({} more)", n - LISTED_NAMES);
    }
    out
}

/// One character of an excerpt: escaped if it [`needs_escape`] or is a backslash.
fn push_char(out: &mut String, c: char) {
    if c == '\\' {
        out.push_str("\\\\");
    } else if needs_escape(c) {
        push_escape(out, c);
    } else {
        out.push(c);
    }
}

/// Raw bytes of a file as a message may quote them: valid UTF-8 as [`escape_excerpt`]
/// shows text, every byte that is not part of valid UTF-8 as `\xNN`, cut after
/// [`EXCERPT_CHARS`] characters (an escaped byte counts as one) with `…`.
///
/// # Examples
/// ```
/// use mlinalg::error::escape_bytes_excerpt;
/// assert_eq!(escape_bytes_excerpt(b"ok\xff\xfe\x1b[2J"), "ok\\xff\\xfe\\x1b[2J");
/// assert_eq!(escape_bytes_excerpt("é".as_bytes()), "é");
/// assert!(escape_bytes_excerpt(&[0xff; 500]).ends_with('…'));
/// ```
#[must_use]
pub fn escape_bytes_excerpt(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut shown = 0usize;
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if shown == EXCERPT_CHARS {
                out.push('…');
                return out;
            }
            push_char(&mut out, c);
            shown += 1;
        }
        for b in chunk.invalid() {
            if shown == EXCERPT_CHARS {
                out.push('…');
                return out;
            }
            push_escape(&mut out, char::from(*b));
            shown += 1;
        }
    }
    out
}

/// A whole message (or any text) made safe to print on one line: the characters
/// [`escape_excerpt`] escapes are escaped the same way, nothing else changes (no cut, no
/// doubled backslashes, so text that was already escaped stays as it is). [`Error`]'s
/// `Display` applies it to every string it holds; the command line applies it to every
/// line it writes to stderr.
///
/// # Examples
/// ```
/// use mlinalg::error::escape_controls;
/// assert_eq!(escape_controls("plain \\x1b text"), "plain \\x1b text");
/// assert_eq!(escape_controls("bad\u{1b}[31m\nline"), "bad\\x1b[31m\\nline");
/// ```
#[must_use]
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            push_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A path as a message shows it: its bytes through the rules of [`escape_controls`], and
/// bytes that are not UTF-8 as `\xNN` (a file name is user input too).
#[must_use]
pub fn escape_path(path: &Path) -> String {
    #[cfg(unix)]
    let bytes: Cow<'_, [u8]> = {
        use std::os::unix::ffi::OsStrExt as _;
        Cow::Borrowed(path.as_os_str().as_bytes())
    };
    #[cfg(not(unix))]
    let bytes: Cow<'_, [u8]> = match path.to_string_lossy() {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    };
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&escape_controls(chunk.valid()));
        for b in chunk.invalid() {
            push_escape(&mut out, char::from(*b));
        }
    }
    out
}

/// `Display` of a string through [`escape_controls`].
struct Clean<'a>(&'a str);

impl fmt::Display for Clean<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_controls(self.0))
    }
}

/// `Display` of a path through [`escape_path`].
struct CleanPath<'a>(&'a Path);

impl fmt::Display for CleanPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape_path(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    /// Every variant's message starts with the operation (or the file) and reads as one line.
    /// Most variants are also triggered through the public API in `tests/`; `NoConvergence`
    /// cannot be provoked on purpose (faer's iterations converge on every finite input we
    /// found), so its wording is pinned here.
    #[test]
    fn every_variant_formats_as_one_line_starting_with_the_operation() {
        let cases = [
            (
                Error::shape("matmul", "inner dimensions differ"),
                "matmul: inner dimensions differ",
            ),
            (
                Error::Empty {
                    op: "svd",
                    detail: "shape (0, 3)".into(),
                },
                "svd: empty input: shape (0, 3)",
            ),
            (Error::Singular { op: "inv" }, "inv: singular matrix"),
            (
                Error::NotPositiveDefinite { op: "cholesky" },
                "cholesky: matrix is not positive definite",
            ),
            (
                Error::NotSymmetric {
                    op: "eigh",
                    detail: "max |A − Aᵀ| = 0.5".into(),
                },
                "eigh: matrix is not symmetric (max |A − Aᵀ| = 0.5)",
            ),
            (Error::NoConvergence { op: "svd" }, "svd: did not converge"),
            (
                Error::NonFinite { op: "solve" },
                "solve: input contains non-finite values (NaN or infinity)",
            ),
            (
                Error::param("pca", "n_components", "must be ≥ 1"),
                "pca: invalid n_components: must be ≥ 1",
            ),
            (
                Error::Unsupported {
                    op: "zeros",
                    detail: "too large".into(),
                },
                "zeros: too large",
            ),
            (Error::format("a.npy", "bad magic"), "a.npy: bad magic"),
            (
                Error::Io {
                    path: "x.npy".into(),
                    source: std::io::Error::other("denied"),
                },
                "x.npy: denied",
            ),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
            assert!(!e.to_string().contains('\n'));
        }
    }

    /// Text that reached a message without going through `escape_excerpt` (a path, an
    /// error of a dependency) is still printed without control characters.
    #[test]
    fn display_escapes_control_characters_of_every_string() {
        let e = Error::format("a\u{1b}[2J.npy", "bad \u{7}bell\nline \u{202e}rtl");
        assert_eq!(
            e.to_string(),
            "a\\x1b[2J.npy: bad \\x07bell\\nline \\u{202e}rtl"
        );
        let e = Error::Io {
            path: "x\ty".into(),
            source: std::io::Error::other("denied\u{1b}"),
        };
        assert_eq!(e.to_string(), "x\\ty: denied\\x1b");
        let e = Error::param("op", "k", "\u{9b}31m");
        assert_eq!(e.to_string(), "op: invalid k: \\x9b31m");
        // already escaped text is left as it is
        let e = Error::shape("op", super::escape_excerpt("\\\u{1b}"));
        assert_eq!(e.to_string(), "op: \\\\\\x1b");
    }
}
