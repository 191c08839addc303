//! `--json`: exactly one JSON object, one key per named result, in report order.
//!
//! Scalars are JSON numbers, counts JSON integers, booleans `true`/`false`; an array is
//! `{"shape": [...], "data": <nested lists>}` and a complex array
//! `{"shape": [...], "re": …, "im": …}`. NaN and ±∞ (which JSON cannot spell) are the
//! strings `"nan"`, `"inf"`, `"-inf"`. Numbers use the shortest digits that round-trip.

use std::fmt::Write as _;

use mlinalg::io::TypedArray;
use ndarray::ArrayViewD;
use num_complex::Complex64;

use crate::report::{Report, Value};

/// The report as one JSON object (no trailing newline).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    object(report, &mut out);
    out
}

fn object(report: &Report, out: &mut String) {
    out.push('{');
    for (i, (name, value)) in report.results().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        string(name, out);
        out.push_str(": ");
        value_into(value, out);
    }
    out.push('}');
}

fn string(s: &str, out: &mut String) {
    // serde_json escapes exactly what JSON requires; a &str always serializes.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string()));
}

/// A float as a JSON number with round-trip digits, or `"nan"`/`"inf"`/`"-inf"`.
pub fn number(x: f64, out: &mut String) {
    if x.is_nan() {
        out.push_str("\"nan\"");
    } else if x == f64::INFINITY {
        out.push_str("\"inf\"");
    } else if x == f64::NEG_INFINITY {
        out.push_str("\"-inf\"");
    } else {
        // Debug prints the shortest round-trip digits and keeps a `.0` on integral values
        // (`58.0`); its exponent form (`1e-7`, `1.5e300`) is valid JSON.
        let _ = write!(out, "{x:?}");
    }
}

fn value_into(value: &Value, out: &mut String) {
    match value {
        Value::Float(x) => number(*x, out),
        Value::Complex(z) => {
            out.push_str("{\"re\": ");
            number(z.re, out);
            out.push_str(", \"im\": ");
            number(z.im, out);
            out.push('}');
        }
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Str(s) => string(s, out),
        Value::Shape(s) => shape(s, out),
        Value::Array(a) if a.ndim() == 0 => {
            number(a.iter().next().copied().unwrap_or(f64::NAN), out)
        }
        Value::Array(a) => {
            out.push_str("{\"shape\": ");
            shape(a.shape(), out);
            out.push_str(", \"data\": ");
            nested(&a.view(), out, &|x, out| number(x, out));
            out.push('}');
        }
        Value::ComplexArray(a) => {
            out.push_str("{\"shape\": ");
            shape(a.shape(), out);
            out.push_str(", \"re\": ");
            nested(&a.view(), out, &|z: Complex64, out| number(z.re, out));
            out.push_str(", \"im\": ");
            nested(&a.view(), out, &|z: Complex64, out| number(z.im, out));
            out.push('}');
        }
        Value::Typed(t) | Value::Stored(t, _) => typed(t, out),
        Value::Lines(lines) => {
            out.push('[');
            for (i, l) in lines.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                string(l, out);
            }
            out.push(']');
        }
        Value::Section(r) => object(r, out),
    }
}

/// An array of one of the four element types: as a real or complex array of `f64` (float32
/// values widened exactly, as Python's `float()` of a NumPy float32 gives them).
fn typed(t: &TypedArray, out: &mut String) {
    fn real<T: Copy>(a: &ArrayViewD<'_, T>, f: fn(T) -> f64, out: &mut String) {
        if a.ndim() == 0 {
            if let Some(&x) = a.iter().next() {
                number(f(x), out);
            }
            return;
        }
        out.push_str("{\"shape\": ");
        shape(a.shape(), out);
        out.push_str(", \"data\": ");
        nested(a, out, &|x, out| number(f(x), out));
        out.push('}');
    }
    fn complex<T: Copy>(a: &ArrayViewD<'_, T>, f: fn(T) -> Complex64, out: &mut String) {
        out.push_str("{\"shape\": ");
        shape(a.shape(), out);
        out.push_str(", \"re\": ");
        nested(a, out, &|z, out| number(f(z).re, out));
        out.push_str(", \"im\": ");
        nested(a, out, &|z, out| number(f(z).im, out));
        out.push('}');
    }
    match t {
        TypedArray::Float64(a) => real(&a.view(), |x| x, out),
        TypedArray::Float32(a) => real(&a.view(), f64::from, out),
        TypedArray::Complex128(a) => complex(&a.view(), |z| z, out),
        TypedArray::Complex64(a) => complex(
            &a.view(),
            |z| Complex64::new(f64::from(z.re), f64::from(z.im)),
            out,
        ),
    }
}

fn shape(s: &[usize], out: &mut String) {
    out.push('[');
    for (i, d) in s.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{d}");
    }
    out.push(']');
}

/// Row-major nested lists of `a`'s elements.
fn nested<T: Copy>(a: &ArrayViewD<'_, T>, out: &mut String, elem: &dyn Fn(T, &mut String)) {
    if a.ndim() == 0 {
        if let Some(&x) = a.iter().next() {
            elem(x, out);
        }
        return;
    }
    out.push('[');
    for (i, sub) in a.outer_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        nested(&sub, out, elem);
    }
    out.push(']');
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn encodes_values() {
        let r = Report::new()
            .float("det", -2.0)
            .float("bad", f64::NAN)
            .int("rank", 2)
            .bool("symmetric", true)
            .array("x", array![[1.0, f64::INFINITY], [0.1, -f64::INFINITY]])
            .complex("z", array![Complex64::new(1.0, -2.0)]);
        let s = render(&r);
        assert_eq!(
            s,
            "{\"det\": -2.0, \"bad\": \"nan\", \"rank\": 2, \"symmetric\": true, \
             \"x\": {\"shape\": [2, 2], \"data\": [[1.0, \"inf\"], [0.1, \"-inf\"]]}, \
             \"z\": {\"shape\": [1], \"re\": [1.0], \"im\": [-2.0]}}"
        );
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["x"]["data"][1][0], 0.1);
    }
}
