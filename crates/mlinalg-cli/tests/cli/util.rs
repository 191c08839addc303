//! Running the binary (ripgrep's `TestCommand`, xsv's `Workdir`) and comparing JSON
//! results with the NumPy fixtures.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            // A run killed by a signal has no code; -1 fails every assertion on codes.
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts success and returns stdout.
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        assert!(self.stderr.is_empty(), "stderr not empty: {self:#?}");
        &self.stdout
    }

    /// Asserts exit 1 with exactly one `error:` line (no panic text, nothing on stdout) and
    /// returns that line.
    pub fn fails(&self) -> &str {
        assert_eq!(self.code, 1, "expected exit 1, got {self:#?}");
        assert!(self.stdout.is_empty(), "stdout not empty: {self:#?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "expected one stderr line: {self:#?}");
        assert!(lines[0].starts_with("error: "), "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        lines[0]
    }

    /// Asserts a usage error: exit 2, the first stderr line `error: …`; returns stderr.
    pub fn usage(&self) -> &str {
        assert_eq!(self.code, 2, "expected exit 2, got {self:#?}");
        assert!(self.stdout.is_empty(), "stdout not empty: {self:#?}");
        assert!(self.stderr.starts_with("error: "), "{self:#?}");
        &self.stderr
    }
}

/// A fresh temporary working directory to run the binary in.
pub struct Workdir {
    dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file into the directory and returns its path as a string.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let p = self.path(name);
        std::fs::write(&p, bytes).expect("write test file");
        p.to_string_lossy().into_owned()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mlinalg"));
        c.args(args).current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run mlinalg"))
    }

    /// File names in the directory (sorted), to check that nothing was left behind.
    pub fn listing(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}

/// Runs the binary in a fresh temporary directory.
pub fn mlinalg(args: &[&str]) -> Run {
    Workdir::new().run(args)
}

/// Runs with `--json` appended, asserts success and parses the single JSON object.
pub fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let run = mlinalg(&a);
    let out = run.ok();
    assert_eq!(out.lines().count(), 1, "one line of JSON expected: {out}");
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("bad JSON ({e}): {out}"));
    assert!(v.is_object(), "{out}");
    v
}

/// The absolute path of a fixture file, as a string argument.
pub fn fx(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    assert!(p.exists(), "missing fixture {}", p.display());
    p.to_string_lossy().into_owned()
}

/// The reference values of one case in `expected.json`.
pub fn expected(case: &str) -> &'static Value {
    static ALL: OnceLock<Value> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected.json"),
        )
        .expect("expected.json");
        serde_json::from_str(&text).expect("expected.json parses")
    });
    all.get(case)
        .unwrap_or_else(|| panic!("no case {case} in expected.json"))
}

/// A JSON number, or the CLI's spelling of a non-finite one.
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("finite number"),
        Value::String(s) if s == "nan" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// The shape of nested JSON lists.
pub fn nested_shape(v: &Value) -> Vec<usize> {
    let mut shape = Vec::new();
    let mut cur = v;
    while let Value::Array(items) = cur {
        shape.push(items.len());
        match items.first() {
            Some(first) => cur = first,
            None => break,
        }
    }
    shape
}

/// Flattened row-major numbers of nested JSON lists (or one number).
pub fn flat(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(items) => items.iter().flat_map(flat).collect(),
        other => vec![num(other)],
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * (1.0 + b.abs())
}

/// Asserts that the CLI result `actual` equals the NumPy value `expected` within `tol`
/// (relative, plus `tol` absolute): arrays as `{"shape", "data"}` against nested lists,
/// scalars, integers and booleans exactly as written.
pub fn assert_result(actual: &Value, expected: &Value, tol: f64, what: &str) {
    match (actual, expected) {
        (Value::Object(o), e) if o.contains_key("data") => {
            let shape: Vec<usize> = o["shape"]
                .as_array()
                .expect("shape")
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            let eshape = nested_shape(e);
            assert_eq!(shape, eshape, "{what}: shape");
            assert_eq!(nested_shape(&o["data"]), eshape, "{what}: data nesting");
            let (a, b) = (flat(&o["data"]), flat(e));
            for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                assert!(
                    close(*x, *y, tol),
                    "{what}[{i}]: {x} != {y}\nactual {a:?}\nexpected {b:?}"
                );
            }
        }
        (Value::Bool(a), Value::Bool(b)) => assert_eq!(a, b, "{what}"),
        (Value::String(a), Value::String(b)) => assert_eq!(a, b, "{what}"),
        (Value::Array(a), Value::Array(b)) => assert_eq!(a, b, "{what}"),
        (a, b) => {
            let (x, y) = (num(a), num(b));
            assert!(close(x, y, tol), "{what}: {x} != {y}");
            if b.is_u64() || b.is_i64() {
                assert!(
                    a.is_u64() || a.is_i64(),
                    "{what}: {a} should be a JSON integer"
                );
            }
        }
    }
}

/// Asserts every key of the fixture case against the CLI's JSON output.
pub fn assert_case(actual: &Value, case: &str, tol: f64) {
    let exp = expected(case).as_object().expect("case object");
    for (k, e) in exp {
        let a = actual
            .get(k)
            .unwrap_or_else(|| panic!("{case}: missing key {k} in {actual}"));
        assert_result(a, e, tol, &format!("{case}.{k}"));
    }
}

/// A matrix result as rows.
pub fn rows(v: &Value) -> Vec<Vec<f64>> {
    let data = v.get("data").unwrap_or(v);
    data.as_array().expect("matrix").iter().map(flat).collect()
}

/// Asserts equality up to the sign of each column (`by_rows = false`) or each row.
pub fn assert_up_to_sign(actual: &Value, expected: &Value, by_rows: bool, tol: f64, what: &str) {
    let (a, e) = (rows(actual), rows(expected));
    assert_eq!(
        (a.len(), a[0].len()),
        (e.len(), e[0].len()),
        "{what}: shape"
    );
    let (n_vec, n_el) = if by_rows {
        (a.len(), a[0].len())
    } else {
        (a[0].len(), a.len())
    };
    for k in 0..n_vec {
        let get = |m: &Vec<Vec<f64>>, i: usize| if by_rows { m[k][i] } else { m[i][k] };
        let dot: f64 = (0..n_el).map(|i| get(&a, i) * get(&e, i)).sum();
        let sign = if dot < 0.0 { -1.0 } else { 1.0 };
        for i in 0..n_el {
            let (x, y) = (sign * get(&a, i), get(&e, i));
            assert!(
                close(x, y, tol),
                "{what}: vector {k} element {i}: {x} != {y}"
            );
        }
    }
}
