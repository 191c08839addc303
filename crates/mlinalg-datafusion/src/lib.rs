//! mlinalg's streaming fits as [Apache DataFusion](https://datafusion.apache.org) aggregate
//! functions, so the same PCA, linear regression and least squares run as SQL over Parquet on
//! one process (many partitions) or on an [Apache Ballista](https://datafusion.apache.org/ballista/)
//! cluster (the `mlinalg-scheduler` and `mlinalg-executor` binaries of this crate).
//!
//! | function | state | result (a struct) |
//! |---|---|---|
//! | `mlinalg_moments(x1, …)` | [`Moments`](mlinalg::stream::Moments) | `n_samples`, `mean`, `var` (NumPy's, ddof 0) |
//! | `mlinalg_pca(k, x1, …)` | [`Gram`](mlinalg::stream::Gram) | `components` (k rows), `explained_variance`, `explained_variance_ratio`, `singular_values`, `mean`, `noise_variance`, `n_samples` |
//! | `mlinalg_linreg(y, x1, …)` | [`Tsqr`](mlinalg::stream::Tsqr) | `coef`, `intercept`, `r2`, `n_samples` |
//! | `mlinalg_ridge(alpha, y, x1, …)` | [`Tsqr`](mlinalg::stream::Tsqr) | `coef`, `intercept`, `r2`, `n_samples` |
//! | `mlinalg_lstsq(y, x1, …)` | [`Tsqr`](mlinalg::stream::Tsqr) | NumPy's `x`, `residuals`, `rank`, `singular_values` (no intercept) |
//!
//! The features are numeric columns (any numeric type, read as float64) or one
//! `FixedSizeList` column of numbers; `k` and `alpha` are constants. Each partition updates
//! its own state; partial states travel as their checksummed serialised form and merge with
//! Chan's pairwise correction of the centred sums, so the answer equals the in-memory fit
//! (to rounding) however the rows are split, and a column with mean 10⁸ and spread 1 keeps
//! its digits (a raw `Σx²` keeps none). `GROUP BY` gives one fit per group; an empty input
//! gives `NULL`. Nulls and non-finite values are errors naming the column.
//!
//! ```sql
//! SELECT mlinalg_pca(3, a, b, c, d) FROM 'data/*.parquet';
//! SELECT g, mlinalg_linreg(y, a, b).coef FROM 'data/' GROUP BY g;
//! ```
//!
//! # Examples
//! ```
//! use datafusion::prelude::SessionContext;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> datafusion::error::Result<()> {
//! let ctx = SessionContext::new();
//! mlinalg_datafusion::register_all(&ctx);
//! ctx.sql("CREATE TABLE t (a DOUBLE, b DOUBLE) AS VALUES (1, 2), (2, 4.1), (3, 5.9), (4, 8.2)")
//!     .await?
//!     .collect()
//!     .await?;
//! let df = ctx.sql("SELECT mlinalg_pca(1, a, b)['explained_variance'][1] AS ev FROM t").await?;
//! let batches = df.collect().await?;
//! # use datafusion::arrow::array::AsArray;
//! # use datafusion::arrow::datatypes::Float64Type;
//! let ev = batches[0].column(0).as_primitive::<Float64Type>().value(0);
//! assert!(ev > 5.0);
//! # Ok(())
//! # }
//! ```

/// The DataFusion this crate is built on (so users name one version).
pub use datafusion;

pub mod cluster;
mod input;
mod udaf;

use datafusion::execution::FunctionRegistry;
use datafusion::logical_expr::AggregateUDF;
use datafusion::prelude::SessionContext;

use input::Kind;

/// Names of the aggregate functions, as registered.
pub const FUNCTION_NAMES: [&str; 5] = [
    "mlinalg_moments",
    "mlinalg_pca",
    "mlinalg_linreg",
    "mlinalg_ridge",
    "mlinalg_lstsq",
];

/// The aggregate functions, for registries other than a [`SessionContext`] (a
/// `SessionStateBuilder`, Ballista's function registry).
///
/// # Examples
/// ```
/// let names: Vec<String> = mlinalg_datafusion::udafs().iter().map(|f| f.name().to_string()).collect();
/// assert_eq!(names, mlinalg_datafusion::FUNCTION_NAMES);
/// ```
pub fn udafs() -> Vec<AggregateUDF> {
    Kind::ALL
        .into_iter()
        .map(|k| AggregateUDF::from(udaf::MlinalgUdaf::new(k)))
        .collect()
}

/// Registers every `mlinalg_*` aggregate function on `ctx`.
///
/// # Examples
/// ```
/// use datafusion::prelude::SessionContext;
/// let ctx = SessionContext::new();
/// mlinalg_datafusion::register_all(&ctx);
/// assert!(ctx.state().aggregate_functions().contains_key("mlinalg_pca"));
/// ```
pub fn register_all(ctx: &SessionContext) {
    for f in udafs() {
        ctx.register_udaf(f);
    }
}

/// Registers every `mlinalg_*` aggregate function on any DataFusion [`FunctionRegistry`]
/// (a `SessionState`, for instance).
///
/// # Errors
/// The registry's error, if it refuses one.
pub fn register_on(registry: &mut dyn FunctionRegistry) -> datafusion::error::Result<()> {
    for f in udafs() {
        registry.register_udaf(std::sync::Arc::new(f))?;
    }
    Ok(())
}
