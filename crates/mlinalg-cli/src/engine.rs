//! `--engine datafusion` and `--cluster df://HOST:PORT` of `pca` and `lstsq`: the fit as an
//! Apache DataFusion aggregate query (the `mlinalg_*` functions of `mlinalg-datafusion`)
//! over Parquet input, in this process or on an Apache Ballista cluster. Compiled in with
//! the `cluster` cargo feature; without it the flags are an error naming the feature.

#[cfg(not(feature = "cluster"))]
use std::path::Path;

#[cfg(not(feature = "cluster"))]
use anyhow::Result;

use crate::cli::EngineArgs;
#[cfg(not(feature = "cluster"))]
use crate::report::Report;

/// Whether the command should run on DataFusion.
pub fn requested(e: &EngineArgs) -> bool {
    e.engine.is_some() || e.cluster.is_some()
}

/// `lstsq A B` on DataFusion: `B` is `TABLE:COLUMN`, a column of A's table (rows of two
/// tables cannot be paired in a distributed scan).
#[cfg(not(feature = "cluster"))]
pub fn lstsq(op: &str, _e: &EngineArgs, _a: &Path, _b: &Path) -> Result<Report> {
    Err(missing(op))
}

/// `linreg X Y [--alpha A]` on DataFusion: `Y` is `TABLE:COLUMN` of X's table.
#[cfg(not(feature = "cluster"))]
pub fn linreg(op: &str, _e: &EngineArgs, _x: &Path, _y: &Path, _alpha: f64) -> Result<Report> {
    Err(missing(op))
}

/// PCA on DataFusion.
#[cfg(not(feature = "cluster"))]
pub fn pca(op: &str, _e: &EngineArgs, _x: &Path, _k: Option<u64>) -> Result<Report> {
    Err(missing(op))
}

#[cfg(not(feature = "cluster"))]
fn missing(op: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{op}: --engine datafusion and --cluster need mlinalg built with the `cluster` feature \
         (cargo build --release -p mlinalg-cli --features cluster)"
    )
}

#[cfg(feature = "cluster")]
pub use imp::{linreg, lstsq, pca};

#[cfg(feature = "cluster")]
mod imp {
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use anyhow::{Result, anyhow, bail};
    use datafusion::arrow::array::{Array, AsArray, RecordBatch, StructArray};
    use datafusion::arrow::datatypes::{Float64Type, Int64Type};
    use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
    use mlinalg::stream::{ParquetSource, RowSource};
    use mlinalg_datafusion::datafusion;
    use ndarray::{Array1, Array2};

    use crate::cli::EngineArgs;
    use crate::report::Report;

    /// The validated Parquet table: its files (absolute paths, so executors on this
    /// machine or a shared file system find them) and the selected columns.
    struct Table {
        files: Vec<String>,
        columns: Vec<String>,
        rows: u64,
    }

    /// Opens the footers through the library's reader: mixed schemas, missing or
    /// non-numeric columns are one error naming the file and the column.
    fn table(op: &str, path: &Path, columns: Option<&[String]>) -> Result<Table> {
        if !crate::input::is_parquet(path) {
            bail!(
                "{op}: {}: --engine datafusion and --cluster read Parquet input (a .parquet file or a directory of them)",
                path.display()
            );
        }
        let src = ParquetSource::open(&[path.to_path_buf()], columns)
            .map_err(|e| anyhow!("{op}: {e}"))?;
        // DataFusion decodes the pages with the parquet crate itself: a page header its
        // Thrift reader would spin on is refused here (the footers were checked by `open`).
        src.check_page_headers().map_err(|e| anyhow!("{op}: {e}"))?;
        let files = src
            .files()
            .iter()
            .map(|f| {
                std::path::absolute(f)
                    .unwrap_or_else(|_| f.to_path_buf())
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        Ok(Table {
            files,
            columns: src.column_names(),
            rows: src.nrows().unwrap_or(0),
        })
    }

    fn quote(c: &str) -> String {
        format!("\"{}\"", c.replace('"', "\"\""))
    }

    /// Runs `select` (an aggregate over table `t`) in process or on the cluster.
    fn run_query(op: &str, e: &EngineArgs, t: &Table, select: &str) -> Result<RecordBatch> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| anyhow!("{op}: cannot start the query runtime: {e}"))?;
        rt.block_on(async {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            // many partitions even on few cores: partial states really merge
            let config = SessionConfig::new().with_target_partitions((cores * 2).max(8));
            let ctx = match &e.cluster {
                Some(url) => {
                    mlinalg_datafusion::cluster::connect(url, config, Duration::from_secs(5))
                        .await
                        .map_err(|e| anyhow!("{e}"))?
                }
                None => {
                    let ctx = SessionContext::new_with_config(config);
                    mlinalg_datafusion::register_all(&ctx);
                    ctx
                }
            };
            let df = ctx
                .read_parquet(t.files.clone(), ParquetReadOptions::default())
                .await
                .map_err(|e| anyhow!("{op}: {}", e.strip_backtrace()))?;
            ctx.register_table("t", df.into_view())
                .map_err(|e| anyhow!("{op}: {}", e.strip_backtrace()))?;
            let batches = ctx
                .sql(select)
                .await
                .map_err(|e| anyhow!("{op}: {}", e.strip_backtrace()))?
                .collect()
                .await
                .map_err(|e| anyhow!("{op}: {}", e.strip_backtrace()))?;
            let b = batches
                .into_iter()
                .find(|b| b.num_rows() > 0)
                .ok_or_else(|| anyhow!("{op}: the query returned no rows"))?;
            Ok(b)
        })
    }

    fn fit_struct(op: &str, b: &RecordBatch) -> Result<StructArray> {
        let s = b.column(0).as_struct().clone();
        if s.is_null(0) {
            bail!("{op}: the input has no rows");
        }
        Ok(s)
    }

    fn vec_of(s: &StructArray, name: &str) -> Array1<f64> {
        let l = s
            .column_by_name(name)
            .expect("result field")
            .as_list::<i32>();
        l.value(0)
            .as_primitive::<Float64Type>()
            .values()
            .iter()
            .copied()
            .collect()
    }

    fn matrix_of(s: &StructArray, name: &str) -> Array2<f64> {
        let l = s
            .column_by_name(name)
            .expect("result field")
            .as_list::<i32>();
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
        let c = r.first().map_or(0, Vec::len);
        Array2::from_shape_fn((r.len(), c), |(i, j)| r[i][j])
    }

    /// `pca X -k K` as `SELECT mlinalg_pca(K, …) FROM X`.
    pub fn pca(op: &str, e: &EngineArgs, x: &Path, k: Option<u64>) -> Result<Report> {
        let t = table(op, x, crate::input::columns())?;
        let p = t.columns.len() as u64;
        let k = k.unwrap_or(p.min(t.rows.max(1)));
        let cols: Vec<String> = t.columns.iter().map(|c| quote(c)).collect();
        let sql = format!("SELECT mlinalg_pca({k}, {}) FROM t", cols.join(", "));
        let b = run_query(op, e, &t, &sql)?;
        let s = fit_struct(op, &b)?;
        Ok(Report::new()
            .array("components", matrix_of(&s, "components"))
            .array("explained_variance", vec_of(&s, "explained_variance"))
            .array(
                "explained_variance_ratio",
                vec_of(&s, "explained_variance_ratio"),
            )
            .array("singular_values", vec_of(&s, "singular_values"))
            .array("mean", vec_of(&s, "mean")))
    }

    /// A's table, and the columns of the fit: the target `COLUMN` of `b` (`TABLE:COLUMN`,
    /// TABLE being A's path) and the features (A's columns without the target).
    fn with_target(op: &str, a: &Path, b: &Path) -> Result<(Table, String, Vec<String>)> {
        let spec = b.to_string_lossy();
        let Some((table_path, target)) = spec.rsplit_once(':') else {
            bail!(
                "{op}: with --engine datafusion or --cluster, the target is a column of the data's table: TABLE:COLUMN (e.g. {}:y)",
                a.display()
            );
        };
        let same = |p: &str| -> bool {
            let (x, y) = (PathBuf::from(p), a.to_path_buf());
            x == y
                || std::fs::canonicalize(&x)
                    .ok()
                    .zip(std::fs::canonicalize(&y).ok())
                    .is_some_and(|(x, y)| x == y)
        };
        if !same(table_path) {
            bail!(
                "{op}: {spec} is not a column of the data's table {} (rows of two tables cannot be paired in a distributed scan)",
                a.display()
            );
        }
        let t = table(op, a, crate::input::columns())?;
        // the target must be one numeric column of the same files
        table(op, a, Some(&[target.to_string()]))?;
        let feats: Vec<String> = t
            .columns
            .iter()
            .filter(|c| c.as_str() != target)
            .map(|c| quote(c))
            .collect();
        if feats.is_empty() {
            bail!("{op}: {}: no feature columns besides {target}", a.display());
        }
        Ok((t, quote(target), feats))
    }

    /// `linreg X TABLE:COLUMN [--alpha A]` as `mlinalg_linreg` / `mlinalg_ridge`.
    pub fn linreg(op: &str, e: &EngineArgs, x: &Path, y: &Path, alpha: f64) -> Result<Report> {
        let (t, target, feats) = with_target(op, x, y)?;
        let call = if alpha > 0.0 {
            format!("mlinalg_ridge({alpha:?}, {target}, {})", feats.join(", "))
        } else {
            format!("mlinalg_linreg({target}, {})", feats.join(", "))
        };
        let b = run_query(op, e, &t, &format!("SELECT {call} FROM t"))?;
        let s = fit_struct(op, &b)?;
        let f = |name: &str| {
            s.column_by_name(name)
                .expect("result field")
                .as_primitive::<Float64Type>()
                .value(0)
        };
        Ok(Report::new()
            .array("coef", vec_of(&s, "coef"))
            .float("intercept", f("intercept"))
            .float("r2", f("r2")))
    }

    /// `lstsq A TABLE:COLUMN` as `SELECT mlinalg_lstsq(COLUMN, …) FROM A`.
    pub fn lstsq(op: &str, e: &EngineArgs, a: &Path, b: &Path) -> Result<Report> {
        let (t, target, feats) = with_target(op, a, b)?;
        let sql = format!(
            "SELECT mlinalg_lstsq({target}, {}) FROM t",
            feats.join(", ")
        );
        let b = run_query(op, e, &t, &sql)?;
        let s = fit_struct(op, &b)?;
        let rank = s
            .column_by_name("rank")
            .expect("result field")
            .as_primitive::<Int64Type>()
            .value(0);
        Ok(Report::new()
            .array("x", vec_of(&s, "x"))
            .array("residuals", vec_of(&s, "residuals"))
            .int("rank", usize::try_from(rank).unwrap_or(0))
            .array("singular_values", vec_of(&s, "singular_values")))
    }
}
