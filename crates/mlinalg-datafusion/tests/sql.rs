//! In-process DataFusion: the aggregate functions over the committed 8-file Parquet table
//! with 1, 4 and 16 partitions against scikit-learn's results and the in-memory fits,
//! vector-column input, GROUP BY, the large-mean dataset, and the errors.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Float64Array, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::datasource::MemTable;
use mlinalg::decomposition::{Pca, PcaSolver};
use mlinalg::linear_model::{LinearRegression, Ridge};
use ndarray::{Array1, Array2, Axis, s};
use proptest::prelude::*;

use crate::common::*;

const TOL: f64 = 1e-10;

fn fixture_ctx(partitions: usize) -> datafusion::prelude::SessionContext {
    let ctx = context(partitions);
    let dir = fixture_dir();
    runtime()
        .block_on(ctx.register_parquet("t", dir.to_str().unwrap(), Default::default()))
        .unwrap();
    ctx
}

pub(crate) const FIT_SQL: &str = "SELECT mlinalg_pca(3, a, b, c, d, e), mlinalg_linreg(y, a, b, c, d, e), \
     mlinalg_ridge(2.5, y, a, b, c, d, e), mlinalg_lstsq(y, a, b, c, d, e), \
     mlinalg_moments(a, b, c, d, e) FROM t";

/// Checks the five results in `batch` (columns in FIT_SQL's order) against scikit-learn's
/// `want` and the in-memory fits of `x`, `y`.
pub(crate) fn check_fits(
    batch: &RecordBatch,
    row: usize,
    want: &serde_json::Value,
    x: &Array2<f64>,
    y: &Array1<f64>,
) {
    let xv = x.view();
    // PCA
    let pca = Fit::new(batch, 0, row);
    let mem = Pca::new(Some(3)).fit(xv).unwrap();
    let w = &want["pca"];
    let comps = pca.matrix("components");
    assert!(max_diff_rows_up_to_sign(comps.view(), mem.components().view()) <= TOL);
    assert!(max_diff_rows_up_to_sign(comps.view(), json_matrix(&w["components"]).view()) <= TOL);
    for (name, m) in [
        ("explained_variance", mem.explained_variance()),
        ("explained_variance_ratio", mem.explained_variance_ratio()),
        ("singular_values", mem.singular_values()),
        ("mean", mem.mean()),
    ] {
        let got = pca.vec(name);
        let rel = |a: &Array1<f64>, b: &Array1<f64>| {
            max_diff(a.view(), b.view()) / b.iter().fold(1.0_f64, |s, v| s.max(v.abs()))
        };
        assert!(rel(&got, m) <= TOL, "{name}: {got} vs in-memory {m}");
        assert!(
            rel(&got, &json_vec(&w[name])) <= TOL,
            "{name}: {got} vs scikit-learn"
        );
    }
    assert!((pca.f64("noise_variance") - w["noise_variance"].as_f64().unwrap()).abs() <= TOL);
    assert_eq!(pca.u64("n_samples"), x.nrows() as u64);
    // linear regression and ridge
    let lin = LinearRegression::new().fit(xv, y.view()).unwrap();
    let rid = Ridge::new(2.5).fit(xv, y.view()).unwrap();
    for (col, key, coef, intercept) in [
        (1, "linreg", lin.coef(), lin.intercept()),
        (2, "ridge", rid.coef(), rid.intercept()),
    ] {
        let f = Fit::new(batch, col, row);
        let w = &want[key];
        assert!(
            max_diff(f.vec("coef").view(), coef.view()) <= TOL,
            "{key} coef"
        );
        assert!(max_diff(f.vec("coef").view(), json_vec(&w["coef"]).view()) <= TOL);
        assert!(
            (f.f64("intercept") - intercept).abs() <= TOL,
            "{key} intercept"
        );
        assert!((f.f64("intercept") - w["intercept"].as_f64().unwrap()).abs() <= TOL);
        assert!(
            (f.f64("r2") - w["r2"].as_f64().unwrap()).abs() <= TOL,
            "{key} r2"
        );
        assert_eq!(f.u64("n_samples"), x.nrows() as u64);
    }
    // lstsq
    let f = Fit::new(batch, 3, row);
    let mem = mlinalg::linalg::lstsq(xv, y, None).unwrap();
    let w = &want["lstsq"];
    assert!(max_diff(f.vec("x").view(), mem.x.view()) <= TOL);
    assert!(max_diff(f.vec("x").view(), json_vec(&w["x"]).view()) <= TOL);
    let res = f.vec("residuals");
    let want_res = json_vec(&w["residuals"]);
    assert!((res[0] - want_res[0]).abs() <= TOL * want_res[0].max(1.0));
    assert_eq!(f.i64("rank"), w["rank"].as_i64().unwrap());
    assert!(
        max_diff(
            f.vec("singular_values").view(),
            json_vec(&w["singular_values"]).view()
        ) <= TOL * 1e3
    );
    // moments
    let f = Fit::new(batch, 4, row);
    assert!(max_diff(f.vec("mean").view(), json_vec(&want["mean"]).view()) <= TOL);
    assert!(max_diff(f.vec("var").view(), json_vec(&want["var"]).view()) <= TOL);
    assert!(max_diff(f.vec("var").view(), x.var_axis(Axis(0), 0.0).view()) <= TOL);
}

#[test]
fn every_function_matches_scikit_learn_and_the_in_memory_fit_with_1_4_16_partitions() {
    let (x, y) = fixture_xy();
    let want = reference();
    let rt = runtime();
    for partitions in [1, 4, 16] {
        let ctx = fixture_ctx(partitions);
        let batch = rt.block_on(query(&ctx, FIT_SQL)).unwrap();
        assert_eq!(batch.num_rows(), 1);
        check_fits(&batch, 0, &want["all"], &x, &y);
    }
}

#[test]
fn sixteen_partitions_of_an_in_memory_table_merge_to_the_whole_fit() {
    // A MemTable keeps its 16 partitions: 16 partial states cross `state`/`merge_batch`.
    let (x, y) = fixture_xy();
    let ctx = context(16);
    let schema = Arc::new(Schema::new(
        ["a", "b", "c", "d", "e", "y"]
            .iter()
            .map(|c| Field::new(*c, DataType::Float64, false))
            .collect::<Vec<_>>(),
    ));
    let n = x.nrows();
    let parts: Vec<Vec<RecordBatch>> = (0..16)
        .map(|i| {
            let (lo, hi) = (i * n / 16, (i + 1) * n / 16);
            let mut cols: Vec<ArrayRef> = (0..5)
                .map(|j| Arc::new(Float64Array::from(x.slice(s![lo..hi, j]).to_vec())) as ArrayRef)
                .collect();
            cols.push(Arc::new(Float64Array::from(y.slice(s![lo..hi]).to_vec())));
            vec![RecordBatch::try_new(schema.clone(), cols).unwrap()]
        })
        .collect();
    ctx.register_table("t", Arc::new(MemTable::try_new(schema, parts).unwrap()))
        .unwrap();
    let batch = runtime().block_on(query(&ctx, FIT_SQL)).unwrap();
    check_fits(&batch, 0, &reference()["all"], &x, &y);
}

#[test]
fn a_fixed_size_list_column_gives_the_same_fits_as_separate_columns() {
    let ctx = fixture_ctx(4);
    let rt = runtime();
    let cols = rt.block_on(query(&ctx, FIT_SQL)).unwrap();
    let vec_sql = "SELECT mlinalg_pca(3, v), mlinalg_linreg(y, v), mlinalg_ridge(2.5, y, v), \
         mlinalg_lstsq(y, v), mlinalg_moments(v) FROM t";
    let vecs = rt.block_on(query(&ctx, vec_sql)).unwrap();
    let (x, y) = fixture_xy();
    check_fits(&vecs, 0, &reference()["all"], &x, &y);
    let (a, b) = (Fit::new(&cols, 0, 0), Fit::new(&vecs, 0, 0));
    assert!(
        max_diff_rows_up_to_sign(a.matrix("components").view(), b.matrix("components").view())
            <= TOL
    );
}

#[test]
fn group_by_fits_each_group_on_its_own_rows() {
    let (x, y) = fixture_xy();
    let want = reference();
    let g: Vec<usize> = (0..x.nrows()).map(|i| i % 3).collect();
    let ctx = fixture_ctx(4);
    let sql = FIT_SQL.replace(" FROM t", ", g FROM t GROUP BY g ORDER BY g");
    let batch = runtime().block_on(query(&ctx, &sql)).unwrap();
    assert_eq!(batch.num_rows(), 3);
    for k in 0..3 {
        let rows: Vec<usize> = (0..x.nrows()).filter(|&i| g[i] == k).collect();
        let xs = x.select(Axis(0), &rows);
        let ys = y.select(Axis(0), &rows);
        check_fits(&batch, k, &want["groups"][k.to_string()], &xs, &ys);
    }
}

#[test]
fn large_mean_columns_keep_their_digits_where_raw_moments_keep_none() {
    // mean 1e8, spread 1: Σx² ≈ 1e16·n swamps the variance (≈ 1) in a raw-moment formula.
    let n = 20_000;
    let mut x = normal(7, n, 3);
    x.column_mut(1).mapv_inplace(|v| 2.0 * v);
    x.mapv_inplace(|v| v + 1e8);
    let dir = tempfile::tempdir().unwrap();
    write_parquet(dir.path(), x.view(), 8, 1000);
    // exact reference: two-pass in f64 (x − x̄ is exact here)
    let mean = x.mean_axis(Axis(0)).unwrap();
    let exact: Array1<f64> = (0..3)
        .map(|j| {
            x.column(j)
                .iter()
                .map(|v| (v - mean[j]).powi(2))
                .sum::<f64>()
                / n as f64
        })
        .collect();
    let raw: Array1<f64> = (0..3)
        .map(|j| {
            let (s1, s2) = x
                .column(j)
                .iter()
                .fold((0.0, 0.0), |(a, b), v| (a + v, b + v * v));
            s2 / n as f64 - (s1 / n as f64).powi(2)
        })
        .collect();
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs();
    // the raw-moment computation keeps no digit
    assert!(
        (0..3).any(|j| rel(raw[j], exact[j]) > 0.1),
        "raw {raw} vs exact {exact}"
    );
    let rt = runtime();
    for partitions in [1, 4, 16] {
        let ctx = context(partitions);
        rt.block_on(ctx.register_parquet("t", dir.path().to_str().unwrap(), Default::default()))
            .unwrap();
        let b = rt
            .block_on(query(
                &ctx,
                "SELECT mlinalg_moments(x0, x1, x2), mlinalg_pca(3, x0, x1, x2) FROM t",
            ))
            .unwrap();
        let var = Fit::new(&b, 0, 0).vec("var");
        for j in 0..3 {
            assert!(
                rel(var[j], exact[j]) < 1e-8,
                "{partitions} partitions: var {var} vs {exact}"
            );
        }
        let ev = Fit::new(&b, 1, 0).vec("explained_variance");
        // the SVD solver centres the data first (exact here)
        let mem = Pca::new(Some(3))
            .solver(PcaSolver::Svd)
            .fit(x.view())
            .unwrap();
        for j in 0..3 {
            assert!(rel(ev[j], mem.explained_variance()[j]) < 1e-8, "ev {ev}");
        }
    }
}

#[test]
fn an_empty_input_gives_null() {
    let ctx = fixture_ctx(4);
    let b = runtime()
        .block_on(query(
            &ctx,
            "SELECT mlinalg_pca(2, a, b), mlinalg_linreg(y, a) FROM t WHERE a > 1e300",
        ))
        .unwrap();
    assert!(Fit::new(&b, 0, 0).is_null());
    assert!(Fit::new(&b, 1, 0).is_null());
}

fn error_of(ctx: &datafusion::prelude::SessionContext, sql: &str) -> String {
    match runtime().block_on(query(ctx, sql)) {
        Ok(b) => panic!("{sql}: expected an error, got {b:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_arguments_are_errors_naming_the_function_and_column() {
    let ctx = fixture_ctx(2);
    runtime()
        .block_on(query(
            &ctx,
            "CREATE TABLE bad (a DOUBLE, b DOUBLE, s VARCHAR) AS VALUES (1, 2, 'x'), (2, NULL, 'y'), (3, 1, 'z')",
        ))
        .unwrap();
    let e = error_of(&ctx, "SELECT mlinalg_pca(1, a, s) FROM bad");
    assert!(
        e.contains("mlinalg_pca") && e.contains("`s`") && e.contains("Utf8"),
        "{e}"
    );
    let e = error_of(&ctx, "SELECT mlinalg_moments(a, b) FROM bad");
    assert!(
        e.contains("mlinalg_moments") && e.contains("`b`") && e.contains("null"),
        "{e}"
    );
    let e = error_of(&ctx, "SELECT mlinalg_pca(6, a, b, c, d, e) FROM t");
    assert!(e.contains("k=6") && e.contains("(5)"), "{e}");
    let e = error_of(&ctx, "SELECT mlinalg_pca(a, b, c) FROM t");
    assert!(e.contains("mlinalg_pca") && e.contains("constant"), "{e}");
    let e = error_of(&ctx, "SELECT mlinalg_ridge(-1, y, a) FROM t");
    assert!(e.contains("alpha=-1"), "{e}");
    let e = error_of(&ctx, "SELECT mlinalg_linreg(y) FROM t");
    assert!(e.contains("mlinalg_linreg(y, x1"), "{e}");
    // one row: the library's own error, prefixed with the function's name
    let e = error_of(&ctx, "SELECT mlinalg_pca(1, a, a) FROM bad WHERE b IS NULL");
    assert!(
        e.contains("mlinalg_pca: ") && e.contains("2 samples"),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    /// However the rows are cut into partitions (some empty), the merged states give the
    /// fit of all rows.
    #[test]
    fn any_partitioning_gives_the_whole_fit(cuts in proptest::collection::vec(0usize..=600, 1..12)) {
        let x = normal(11, 600, 4);
        let mut cuts = cuts;
        cuts.push(0);
        cuts.push(600);
        cuts.sort_unstable();
        let schema = Arc::new(Schema::new(
            (0..4).map(|j| Field::new(format!("x{j}"), DataType::Float64, false)).collect::<Vec<_>>(),
        ));
        let parts: Vec<Vec<RecordBatch>> = cuts
            .windows(2)
            .map(|w| {
                let cols: Vec<ArrayRef> = (0..4)
                    .map(|j| Arc::new(Float64Array::from(x.slice(s![w[0]..w[1], j]).to_vec())) as ArrayRef)
                    .collect();
                vec![RecordBatch::try_new(schema.clone(), cols).unwrap()]
            })
            .collect();
        let ctx = context(parts.len());
        ctx.register_table("t", Arc::new(MemTable::try_new(schema, parts).unwrap())).unwrap();
        let b = runtime()
            .block_on(query(&ctx, "SELECT mlinalg_pca(2, x0, x1, x2, x3), mlinalg_lstsq(x3, x0, x1, x2) FROM t"))
            .unwrap();
        let mem = Pca::new(Some(2)).fit(x.view()).unwrap();
        let f = Fit::new(&b, 0, 0);
        prop_assert!(max_diff_rows_up_to_sign(f.matrix("components").view(), mem.components().view()) <= TOL);
        prop_assert!(max_diff(f.vec("explained_variance").view(), mem.explained_variance().view()) <= TOL);
        let a = x.slice(s![.., 0..3]);
        let rhs = x.column(3).to_owned();
        let ls = mlinalg::linalg::lstsq(a, &rhs, None).unwrap();
        prop_assert!(max_diff(Fit::new(&b, 1, 0).vec("x").view(), ls.x.view()) <= TOL);
        // the residual is orthogonal to the columns of A
        let r = &rhs - &a.dot(&Fit::new(&b, 1, 0).vec("x"));
        prop_assert!(a.t().dot(&r).iter().all(|v| v.abs() < 1e-9 * 600.0));
    }
}
