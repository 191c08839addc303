//! Shared helpers: the committed fixture (8 Parquet files and scikit-learn's results), result
//! extraction, comparisons, and generated Parquet datasets.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, RecordBatch, StructArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema, UInt64Type};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::{SessionConfig, SessionContext};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde_json::Value;

/// The committed 8-file table (`a..e`, `y`, `g`, vector column `v`).
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fit")
}

/// scikit-learn's and NumPy's results on the fixture (`tests/fixtures/generate.py`).
pub fn reference() -> Value {
    let text = std::fs::read_to_string(fixture_dir().join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn json_vec(v: &Value) -> Array1<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

pub fn json_matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Array1<f64>> = v.as_array().unwrap().iter().map(json_vec).collect();
    let c = rows[0].len();
    Array2::from_shape_fn((rows.len(), c), |(i, j)| rows[i][j])
}

/// The fixture in memory: features a..e and the target y.
pub fn fixture_xy() -> (Array2<f64>, Array1<f64>) {
    let files: Vec<PathBuf> = (0..8)
        .map(|i| fixture_dir().join(format!("part-{i}.parquet")))
        .collect();
    let cols = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        mlinalg::stream::read_parquet(&files, Some(&names)).unwrap()
    };
    let x = cols(&["a", "b", "c", "d", "e"]);
    let y = cols(&["y"]).column(0).to_owned();
    (x, y)
}

/// A context with `partitions` target partitions and the mlinalg functions.
pub fn context(partitions: usize) -> SessionContext {
    let cfg = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(cfg);
    mlinalg_datafusion::register_all(&ctx);
    ctx
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Runs `sql` and returns its batches concatenated.
pub async fn query(ctx: &SessionContext, sql: &str) -> datafusion::error::Result<RecordBatch> {
    let batches = ctx.sql(sql).await?.collect().await?;
    let schema = batches
        .first()
        .map(|b| b.schema())
        .unwrap_or_else(|| Arc::new(Schema::empty()));
    Ok(datafusion::arrow::compute::concat_batches(
        &schema, &batches,
    )?)
}

/// One fit's result struct: row `row` of column `col`.
pub struct Fit {
    s: StructArray,
}

impl Fit {
    pub fn new(batch: &RecordBatch, col: usize, row: usize) -> Self {
        let a = batch.column(col).slice(row, 1);
        Fit {
            s: a.as_struct().clone(),
        }
    }

    fn field(&self, name: &str) -> &ArrayRef {
        self.s
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    pub fn vec(&self, name: &str) -> Array1<f64> {
        let l = self.field(name).as_list::<i32>();
        l.value(0)
            .as_primitive::<Float64Type>()
            .values()
            .iter()
            .copied()
            .collect()
    }

    pub fn matrix(&self, name: &str) -> Array2<f64> {
        let l = self.field(name).as_list::<i32>();
        let rows = l.value(0);
        let rows = rows.as_list::<i32>();
        let r: Vec<Vec<f64>> = (0..rows.len())
            .map(|i| {
                rows.value(i)
                    .as_primitive::<Float64Type>()
                    .values()
                    .to_vec()
            })
            .collect();
        Array2::from_shape_fn((r.len(), r[0].len()), |(i, j)| r[i][j])
    }

    pub fn f64(&self, name: &str) -> f64 {
        self.field(name).as_primitive::<Float64Type>().value(0)
    }

    pub fn u64(&self, name: &str) -> u64 {
        self.field(name).as_primitive::<UInt64Type>().value(0)
    }

    pub fn i64(&self, name: &str) -> i64 {
        self.field(name).as_primitive::<Int64Type>().value(0)
    }

    pub fn is_null(&self) -> bool {
        self.s.is_null(0)
    }
}

/// max |a − b|
pub fn max_diff(a: ArrayView1<'_, f64>, b: ArrayView1<'_, f64>) -> f64 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// max |a − b| over rows whose signs are aligned (PCA components are defined up to sign).
pub fn max_diff_rows_up_to_sign(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> f64 {
    assert_eq!(a.dim(), b.dim(), "shapes differ");
    let mut m: f64 = 0.0;
    for (ra, rb) in a.rows().into_iter().zip(b.rows()) {
        let s = if ra.dot(&rb) < 0.0 { -1.0 } else { 1.0 };
        for (x, y) in ra.iter().zip(rb) {
            m = m.max((x - s * y).abs());
        }
    }
    m
}

/// Writes `x` as float64 columns `x0..` in `files` Parquet files of `dir` (row groups of
/// `row_group` rows).
pub fn write_parquet(dir: &Path, x: ArrayView2<'_, f64>, files: usize, row_group: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let (n, p) = x.dim();
    let schema = Arc::new(Schema::new(
        (0..p)
            .map(|j| Field::new(format!("x{j}"), DataType::Float64, false))
            .collect::<Vec<_>>(),
    ));
    let per = n.div_ceil(files);
    for f in 0..files {
        let (lo, hi) = (f * per, ((f + 1) * per).min(n));
        let cols: Vec<ArrayRef> = (0..p)
            .map(|j| {
                let v: Vec<f64> = (lo..hi).map(|i| x[[i, j]]).collect();
                Arc::new(Float64Array::from(v)) as ArrayRef
            })
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), cols).unwrap();
        let file = std::fs::File::create(dir.join(format!("part-{f:03}.parquet"))).unwrap();
        let props = datafusion::parquet::file::properties::WriterProperties::builder()
            .set_max_row_group_row_count(Some(row_group))
            .build();
        let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
    }
}

/// A reproducible normal sample (Box–Muller on a SplitMix64 stream).
pub fn normal(seed: u64, n: usize, p: usize) -> Array2<f64> {
    let mut s = seed;
    let mut next = move || {
        s = s.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    Array2::from_shape_simple_fn((n, p), || {
        let (u, v) = (next(), next());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    })
}
