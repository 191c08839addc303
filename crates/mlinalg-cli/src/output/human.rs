//! The human summary: NumPy's `print(a)` layout.
//!
//! Arrays follow `numpy.array2string` with its defaults: `precision=8`, `floatmode='maxprec'`,
//! `threshold=1000`, `edgeitems=3`, `linewidth=75`. One format is chosen per array (fixed or
//! scientific, from the values actually shown), numbers are aligned on the decimal point, a
//! row that is too long wraps, and an array of more than 1000 elements shows its first and
//! last three items along each long axis with `...` in between. Complex numbers print as
//! `a+bj`. Scalars print as Python's `repr` does (shortest round-trip digits).

use std::fmt::Write as _;

use mlinalg::array::fmt_shape;
use mlinalg::io::TypedArray;
use ndarray::{ArrayViewD, Axis, IxDyn};
use num_complex::Complex64;

use crate::report::{Item, Report, Value};

/// NumPy's print options.
const PRECISION: usize = 8;
const THRESHOLD: usize = 1000;
const EDGEITEMS: usize = 3;
const LINEWIDTH: usize = 75;

/// Renders a report as the human summary (ends with a newline unless empty).
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    render_into(report, &mut out, "");
    out
}

fn render_into(report: &Report, out: &mut String, indent: &str) {
    // Scalar names are padded to one width so the values line up in a column.
    let width = report
        .results()
        .filter(|(_, v)| is_inline(v))
        .map(|(n, _)| n.chars().count())
        .max()
        .unwrap_or(0);
    for item in report.items() {
        match item {
            Item::Note(text) => {
                for line in text.lines() {
                    let _ = writeln!(out, "{indent}{line}");
                }
                if text.is_empty() {
                    out.push('\n');
                }
            }
            Item::Result(name, value) => render_value(name, value, width, out, indent),
        }
    }
}

/// Values printed on the same line as their name.
fn is_inline(v: &Value) -> bool {
    match v {
        Value::Float(_)
        | Value::Complex(_)
        | Value::Int(_)
        | Value::Bool(_)
        | Value::Str(_)
        | Value::Shape(_) => true,
        Value::Array(a) => a.ndim() == 0,
        Value::ComplexArray(a) => a.ndim() == 0,
        Value::Typed(a) | Value::Stored(a, _) => a.ndim() == 0,
        Value::Lines(_) | Value::Section(_) => false,
    }
}

fn render_value(name: &str, value: &Value, width: usize, out: &mut String, indent: &str) {
    let pad = |out: &mut String, text: &str| {
        let _ = writeln!(out, "{indent}{name:<width$}  {text}");
    };
    match value {
        Value::Float(x) => pad(out, &repr_f64(*x)),
        Value::Complex(z) => pad(out, &repr_complex(*z)),
        Value::Int(i) => pad(out, &i.to_string()),
        Value::Bool(b) => pad(out, if *b { "true" } else { "false" }),
        Value::Str(s) => pad(out, s),
        Value::Shape(s) => pad(out, &fmt_shape(s)),
        Value::Array(a) if a.ndim() == 0 => {
            pad(out, &repr_f64(a.iter().next().copied().unwrap_or(f64::NAN)))
        }
        // A 0-d result (a determinant, a norm) prints as Python prints the scalar.
        Value::Typed(t) | Value::Stored(t, _) if t.ndim() == 0 => {
            let text = match t {
                TypedArray::Float64(a) => repr_f64(a.iter().copied().next().unwrap_or(f64::NAN)),
                TypedArray::Float32(a) => {
                    repr_f64(a.iter().copied().next().map_or(f64::NAN, f32_shown))
                }
                TypedArray::Complex128(a) => {
                    repr_complex(a.iter().copied().next().unwrap_or_default())
                }
                TypedArray::Complex64(a) => {
                    let z = a.iter().copied().next().unwrap_or_default();
                    repr_complex(Complex64::new(f32_shown(z.re), f32_shown(z.im)))
                }
            };
            pad(out, &text);
        }
        Value::ComplexArray(a) if a.ndim() == 0 => {
            let z = a.iter().next().copied().unwrap_or_default();
            pad(out, &repr_complex(z));
        }
        Value::Array(a) => {
            let _ = writeln!(out, "{indent}{name}  # {}", fmt_shape(a.shape()));
            for line in format_array(&a.view()).lines() {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        Value::ComplexArray(a) => {
            let _ = writeln!(out, "{indent}{name}  # {} complex", fmt_shape(a.shape()));
            for line in format_complex_array(&a.view()).lines() {
                let _ = writeln!(out, "{indent}{line}");
            }
        }
        Value::Typed(t) | Value::Stored(t, _) => {
            let text = format_typed(t);
            if t.ndim() == 0 {
                pad(out, &text);
            } else {
                let kind = match t {
                    TypedArray::Float64(_) => String::new(),
                    TypedArray::Complex128(_) => " complex".to_string(),
                    other => format!(" {}", other.dtype().numpy_name()),
                };
                let _ = writeln!(out, "{indent}{name}  # {}{kind}", fmt_shape(t.shape()));
                for line in text.lines() {
                    let _ = writeln!(out, "{indent}{line}");
                }
            }
        }
        Value::Lines(lines) => {
            let _ = writeln!(out, "{indent}{name}:");
            for line in lines {
                let _ = writeln!(out, "{indent}  {line}");
            }
        }
        Value::Section(r) => {
            let _ = writeln!(out, "{indent}== {name} ==");
            render_into(r, out, indent);
            out.push('\n');
        }
    }
}

/// A float as Python's `repr` writes it: `58.0`, `0.1`, `1e-07`, `1.5e+16`, `nan`, `-inf`.
pub fn repr_f64(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    // Rust's Debug is the shortest round-trip form and switches to an exponent at the same
    // thresholds as Python (|x| < 1e-4 or ≥ 1e16); only the exponent's spelling differs.
    let s = format!("{x:?}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// A complex scalar as Python writes it: `(1+2j)`.
fn repr_complex(z: Complex64) -> String {
    let im = repr_f64(z.im);
    let sign = if im.starts_with('-') { "" } else { "+" };
    format!("({}{sign}{im}j)", repr_f64(z.re))
}

/// How one array's numbers are written (NumPy's `FloatingFormat`).
struct FloatFormat {
    /// Scientific notation.
    exp: bool,
    /// Fractional digits in scientific mode (all numbers use the same count).
    exp_precision: usize,
    /// Digits of the exponent (at least 2).
    exp_size: usize,
    /// Width of the integer part, sign included.
    pad_left: usize,
    /// Width of the fractional part (fixed mode) or of `.ddd e±xx` (scientific mode).
    pad_right: usize,
    /// Write `+` before non-negative numbers (imaginary parts).
    plus: bool,
}

impl FloatFormat {
    /// Chooses the format from the values that will be shown.
    fn new(values: &[f64], plus: bool) -> Self {
        let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        let nonzero: Vec<f64> = finite
            .iter()
            .map(|x| x.abs())
            .filter(|&x| x != 0.0)
            .collect();
        let mut f = FloatFormat {
            exp: false,
            exp_precision: 0,
            exp_size: 0,
            pad_left: 0,
            pad_right: 0,
            plus,
        };
        if !nonzero.is_empty() {
            let max = nonzero.iter().copied().fold(0.0, f64::max);
            let min = nonzero.iter().copied().fold(f64::INFINITY, f64::min);
            // NumPy's rule: scientific when a number needs ≥ 1e8, or the smallest non-zero is
            // below 1e-4, or the values span more than three orders of magnitude.
            f.exp = max >= 1e8 || min < 1e-4 || max / min > 1e3;
        }
        if !finite.is_empty() {
            if f.exp {
                let parts: Vec<(String, String, i32)> =
                    finite.iter().map(|&x| sci_parts(x, plus)).collect();
                f.exp_precision = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
                f.exp_size = parts
                    .iter()
                    .map(|p| p.2.unsigned_abs().to_string().len())
                    .max()
                    .unwrap_or(0)
                    .max(2);
                f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
                f.pad_right = f.exp_size + 2 + f.exp_precision;
            } else {
                let parts: Vec<(String, String)> =
                    finite.iter().map(|&x| fixed_parts(x, plus)).collect();
                f.pad_left = parts.iter().map(|p| p.0.len()).max().unwrap_or(0);
                f.pad_right = parts.iter().map(|p| p.1.len()).max().unwrap_or(0);
            }
        }
        if finite.len() != values.len() {
            let neg_inf = values.contains(&f64::NEG_INFINITY);
            let offset = f.pad_right + 1;
            f.pad_left = f
                .pad_left
                .max(3usize.saturating_sub(offset))
                .max((3 + usize::from(neg_inf)).saturating_sub(offset));
        }
        f
    }

    fn format(&self, x: f64) -> String {
        if !x.is_finite() {
            let s = if x.is_nan() {
                "nan"
            } else if x > 0.0 {
                if self.plus { "+inf" } else { "inf" }
            } else {
                "-inf"
            };
            let w = self.pad_left + self.pad_right + 1;
            return format!("{s:>w$}");
        }
        if self.exp {
            let (int, frac, e) = sci_parts(x, self.plus);
            let sign = if e < 0 { '-' } else { '+' };
            format!(
                "{int:>pl$}.{frac:0<fp$}e{sign}{ex:0>es$}",
                pl = self.pad_left,
                fp = self.exp_precision,
                ex = e.unsigned_abs(),
                es = self.exp_size
            )
        } else {
            let (int, frac) = fixed_parts(x, self.plus);
            format!(
                "{int:>pl$}.{frac:<pr$}",
                pl = self.pad_left,
                pr = self.pad_right
            )
        }
    }
}

/// Integer and fractional digits of `x` in positional notation: shortest round-trip digits,
/// rounded to at most 8 decimals, trailing zeros trimmed (NumPy `dragon4_positional`,
/// `unique=True`, `trim='.'`).
fn fixed_parts(x: f64, plus: bool) -> (String, String) {
    let mut s = format!("{x}");
    if let Some((_, frac)) = s.split_once('.')
        && frac.len() > PRECISION
    {
        s = format!("{x:.PRECISION$}");
        while s.ends_with('0') {
            s.pop();
        }
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (s.clone(), String::new()),
    };
    let int = if plus && !int.starts_with('-') {
        format!("+{int}")
    } else {
        int
    };
    (int, frac)
}

/// Mantissa integer part, mantissa fractional digits and exponent of `x` in scientific
/// notation (shortest digits, at most 8 decimals, zeros trimmed).
fn sci_parts(x: f64, plus: bool) -> (String, String, i32) {
    let mut s = format!("{x:e}");
    if let Some((m, _)) = s.split_once('e')
        && m.split_once('.').is_some_and(|(_, f)| f.len() > PRECISION)
    {
        s = format!("{x:.PRECISION$e}");
    }
    let (m, e) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let e: i32 = e.parse().unwrap_or(0);
    let (int, frac) = match m.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (m.to_string(), String::new()),
    };
    let int = if plus && !int.starts_with('-') {
        format!("+{int}")
    } else {
        int
    };
    (int, frac, e)
}

/// Positions shown along an axis of length `len`.
fn shown(len: usize, summarize: bool) -> Vec<usize> {
    if summarize && len > 2 * EDGEITEMS {
        (0..EDGEITEMS).chain(len - EDGEITEMS..len).collect()
    } else {
        (0..len).collect()
    }
}

/// The elements that will be printed (NumPy `_leading_trailing`), which choose the format.
fn shown_values<T: Copy>(a: &ArrayViewD<'_, T>, summarize: bool) -> Vec<T> {
    if !summarize || a.ndim() == 0 {
        return a.iter().copied().collect();
    }
    // Select along the first axis from the view itself: never copy the whole array.
    let mut sub = a.select(Axis(0), &shown(a.shape()[0], true));
    for ax in 1..a.ndim() {
        let pos = shown(sub.shape()[ax], true);
        sub = sub.select(Axis(ax), &pos);
    }
    sub.iter().copied().collect()
}

/// A real array as `print(a)` shows it.
pub fn format_array(a: &ArrayViewD<'_, f64>) -> String {
    format_real(a, |x| x)
}

/// A float32 value as the `f64` with the same shortest decimal form, so that float32 data
/// prints with float32's digits (`0.1`, not `0.10000000149011612`), as NumPy prints it.
fn f32_shown(x: f32) -> f64 {
    if x.is_finite() {
        x.to_string().parse().unwrap_or(f64::from(x))
    } else {
        f64::from(x)
    }
}

/// An array of any of the four element types as `print(a)` shows it.
fn format_typed(t: &TypedArray) -> String {
    match t {
        TypedArray::Float64(a) => format_real(&a.view(), |x| x),
        TypedArray::Float32(a) => format_real(&a.view(), f32_shown),
        TypedArray::Complex128(a) => format_complex(&a.view(), |z| z),
        TypedArray::Complex64(a) => format_complex(&a.view(), |z| {
            Complex64::new(f32_shown(z.re), f32_shown(z.im))
        }),
    }
}

/// A real array as `print(a)` shows it, its elements read as `f64` through `val`.
fn format_real<T: Copy>(a: &ArrayViewD<'_, T>, val: impl Fn(T) -> f64) -> String {
    let summarize = a.len() > THRESHOLD;
    let shown: Vec<f64> = shown_values(a, summarize).into_iter().map(&val).collect();
    let f = FloatFormat::new(&shown, false);
    if a.ndim() == 0 {
        return f.format(val(a[IxDyn(&[])]));
    }
    layout(a.shape(), summarize, &|idx| f.format(val(a[IxDyn(idx)])))
}

/// A complex array as `print(a)` shows it: `[1.+2.j 3.-4.j]`.
pub fn format_complex_array(a: &ArrayViewD<'_, Complex64>) -> String {
    format_complex(a, |z| z)
}

/// A complex array as `print(a)` shows it, its elements read through `val`.
fn format_complex<T: Copy>(a: &ArrayViewD<'_, T>, val: impl Fn(T) -> Complex64) -> String {
    let summarize = a.len() > THRESHOLD;
    let vals: Vec<Complex64> = shown_values(a, summarize).into_iter().map(&val).collect();
    let re = FloatFormat::new(&vals.iter().map(|z| z.re).collect::<Vec<_>>(), false);
    let im = FloatFormat::new(&vals.iter().map(|z| z.im).collect::<Vec<_>>(), true);
    let one = |z: Complex64| {
        // NumPy moves the imaginary part's right padding after the `j`.
        let i = im.format(z.im);
        let trimmed = i.trim_end();
        format!(
            "{}{trimmed}j{}",
            re.format(z.re),
            " ".repeat(i.len() - trimmed.len())
        )
    };
    if a.ndim() == 0 {
        return one(val(a[IxDyn(&[])]));
    }
    layout(a.shape(), summarize, &|idx| one(val(a[IxDyn(idx)])))
}

/// NumPy's `_formatArray`: nested brackets, rows wrapped at the line width, `...` for
/// elided items.
fn layout(shape: &[usize], summarize: bool, elem: &dyn Fn(&[usize]) -> String) -> String {
    if shape.contains(&0) {
        return "[]".to_string();
    }
    let mut index = Vec::with_capacity(shape.len());
    recurse(shape, summarize, elem, &mut index, " ", LINEWIDTH)
}

fn recurse(
    shape: &[usize],
    summarize: bool,
    elem: &dyn Fn(&[usize]) -> String,
    index: &mut Vec<usize>,
    hanging: &str,
    width: usize,
) -> String {
    let axis = index.len();
    let axes_left = shape.len() - axis;
    if axes_left == 0 {
        return elem(index);
    }
    let next_hanging = format!("{hanging} ");
    let next_width = width.saturating_sub(1);
    let len = shape[axis];
    let summary = summarize && len > 2 * EDGEITEMS;
    let (leading, trailing) = if summary {
        (EDGEITEMS, EDGEITEMS)
    } else {
        (0, len)
    };
    let child = |i: usize, index: &mut Vec<usize>| {
        index.push(i);
        let s = recurse(shape, summarize, elem, index, &next_hanging, next_width);
        index.pop();
        s
    };
    let mut s = String::new();
    if axes_left == 1 {
        let elem_width = width.saturating_sub(1);
        let mut line = hanging.to_string();
        let extend = |s: &mut String, line: &mut String, word: &str, w: usize| {
            let wrap = line.len() + word.len() > w && line.len() > hanging.len();
            if wrap {
                s.push_str(line.trim_end());
                s.push('\n');
                *line = hanging.to_string();
            }
            line.push_str(word);
        };
        for i in 0..leading {
            let w = child(i, index);
            extend(&mut s, &mut line, &w, elem_width);
            line.push(' ');
        }
        if summary {
            extend(&mut s, &mut line, "...", elem_width);
            line.push(' ');
        }
        for i in (2..=trailing).rev() {
            let w = child(len - i, index);
            extend(&mut s, &mut line, &w, elem_width);
            line.push(' ');
        }
        let w = child(len - 1, index);
        extend(&mut s, &mut line, &w, elem_width);
        s.push_str(&line);
    } else {
        let line_sep = "\n".repeat(axes_left - 1);
        for i in 0..leading {
            let nested = child(i, index);
            s.push_str(hanging);
            s.push_str(&nested);
            s.push_str(&line_sep);
        }
        if summary {
            s.push_str(hanging);
            s.push_str("...");
            s.push_str(&line_sep);
        }
        for i in (2..=trailing).rev() {
            let nested = child(len - i, index);
            s.push_str(hanging);
            s.push_str(&nested);
            s.push_str(&line_sep);
        }
        let nested = child(len - 1, index);
        s.push_str(hanging);
        s.push_str(&nested);
    }
    format!("[{}]", &s[hanging.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, ArrayD, array};

    fn show(a: ArrayD<f64>) -> String {
        format_array(&a.view())
    }

    #[test]
    fn numpy_layouts() {
        assert_eq!(
            show(array![[58., 64.], [139., 154.]].into_dyn()),
            "[[ 58.  64.]\n [139. 154.]]"
        );
        assert_eq!(show(array![2., 3., -1.].into_dyn()), "[ 2.  3. -1.]");
        assert_eq!(show(array![1.5, 2.25].into_dyn()), "[1.5  2.25]");
        assert_eq!(show(array![1e-5, 1e3].into_dyn()), "[1.e-05 1.e+03]");
        assert_eq!(
            show(array![1.0 / 3.0, 1.0].into_dyn()),
            "[0.33333333 1.        ]"
        );
        assert_eq!(
            show(array![f64::NAN, 1.0, f64::NEG_INFINITY].into_dyn()),
            "[ nan   1. -inf]"
        );
        assert_eq!(show(Array::zeros((0, 3)).into_dyn()), "[]");
        let big = Array::range(0.0, 2000.0, 1.0).into_dyn();
        assert_eq!(
            show(big),
            "[0.000e+00 1.000e+00 2.000e+00 ... 1.997e+03 1.998e+03 1.999e+03]"
        );
        let r = Array::range(0.0, 30.0, 1.0).into_dyn();
        let s = show(r);
        assert!(s.lines().all(|l| l.len() <= 75), "{s}");
        assert!(s.starts_with("[ 0.  1.  2."));
    }

    #[test]
    fn summarized_matrix() {
        let a = Array::from_shape_fn((100, 100), |(i, j)| (i * 100 + j) as f64).into_dyn();
        let s = show(a);
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines.len(), 7);
        assert_eq!(lines[3], " ...");
        assert!(
            lines[0].starts_with("[[0.000e+00 1.000e+00 2.000e+00 ... "),
            "{s}"
        );
    }

    #[test]
    fn complex_and_scalars() {
        let z = array![Complex64::new(1.0, 2.0), Complex64::new(3.0, -4.0)].into_dyn();
        assert_eq!(format_complex_array(&z.view()), "[1.+2.j 3.-4.j]");
        assert_eq!(repr_f64(58.0), "58.0");
        assert_eq!(repr_f64(1e-7), "1e-07");
        assert_eq!(repr_f64(1.5e16), "1.5e+16");
        assert_eq!(repr_f64(f64::NEG_INFINITY), "-inf");
    }
}
