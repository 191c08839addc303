//! `--engine datafusion` and `--cluster df://HOST:PORT` of `pca` and `lstsq`. Without the
//! `cluster` feature (the default build) the flags are exit 1 naming the feature; with it,
//! the fits equal the in-memory ones on the committed 8-file Parquet table of
//! `mlinalg-datafusion`, bad tables name file and column, and a scheduler that is not
//! running is exit 1 within seconds.

use std::path::PathBuf;

use crate::util::Workdir;

/// The 8-file table of mlinalg-datafusion's tests (columns a..e, y, g, v).
fn table() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../mlinalg-datafusion/tests/fixtures/fit")
        .to_string_lossy()
        .into_owned()
}

#[cfg(feature = "cluster")]
fn pq(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../mlinalg/tests/fixtures/stream/pq")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[cfg(not(feature = "cluster"))]
#[test]
fn without_the_cluster_feature_the_flags_name_the_feature() {
    let w = Workdir::new();
    let t = table();
    let y = format!("{t}:y");
    for args in [
        vec!["pca", &t, "-k", "2", "--engine", "datafusion"],
        vec!["pca", &t, "--cluster", "df://127.0.0.1:50050"],
        vec!["lstsq", &t, &y, "--engine", "datafusion"],
    ] {
        let r = w.run(&args);
        let e = r.fails();
        assert!(
            e.contains("`cluster` feature") && e.contains("--features cluster"),
            "{e}"
        );
    }
    // an unknown engine is a usage error
    w.run(&["pca", &t, "--engine", "spark"]).usage();
}

#[cfg(feature = "cluster")]
mod with_feature {
    use super::*;
    use serde_json::Value;

    fn flat(v: &Value) -> Vec<f64> {
        match v {
            Value::Array(a) => a.iter().flat_map(flat).collect(),
            Value::Number(n) => vec![n.as_f64().unwrap()],
            Value::Object(o) if o.contains_key("data") => flat(&o["data"]),
            other => panic!("not numeric: {other}"),
        }
    }

    fn json(w: &Workdir, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(w.run(&a).ok()).unwrap()
    }

    fn close(a: &Value, b: &Value, what: &str, up_to_sign_rows: Option<usize>) {
        let (a, b) = (flat(a), flat(b));
        assert_eq!(a.len(), b.len(), "{what}");
        match up_to_sign_rows {
            Some(cols) => {
                for (ra, rb) in a.chunks(cols).zip(b.chunks(cols)) {
                    let s: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum::<f64>().signum();
                    for (x, y) in ra.iter().zip(rb) {
                        assert!((x - s * y).abs() <= 1e-10, "{what}: {x} vs {y}");
                    }
                }
            }
            None => {
                let scale = b.iter().fold(1.0f64, |m, v| m.max(v.abs()));
                for (x, y) in a.iter().zip(&b) {
                    assert!((x - y).abs() <= 1e-10 * scale, "{what}: {x} vs {y}");
                }
            }
        }
    }

    #[test]
    fn engine_datafusion_pca_and_lstsq_equal_the_in_memory_results() {
        let w = Workdir::new();
        let t = table();
        let cols = ["--columns", "a,b,c,d,e"];
        let mut a = vec!["pca", t.as_str(), "-k", "3"];
        a.extend(cols);
        let mem = json(&w, &a);
        a.extend(["--engine", "datafusion"]);
        let df = json(&w, &a);
        close(&df["components"], &mem["components"], "components", Some(5));
        for k in [
            "explained_variance",
            "explained_variance_ratio",
            "singular_values",
            "mean",
        ] {
            close(&df[k], &mem[k], k, None);
        }
        assert!(df.get("transformed").is_none());
        // lstsq A A:y — y is excluded from A's columns
        let y = format!("{t}:y");
        let df = json(
            &w,
            &[
                "lstsq",
                &t,
                &y,
                "--columns",
                "a,b,c,d,e,y",
                "--engine",
                "datafusion",
            ],
        );
        assert_eq!(flat(&df["x"]).len(), 5);
        assert_eq!(df["rank"], 5);
        // the normal equations hold: Aᵀ(b − A x) = 0, through the in-memory lstsq's x
        let mem_a = mlinalg::stream::read_parquet(
            &[PathBuf::from(&t)],
            Some(&["a", "b", "c", "d", "e"].map(String::from)),
        )
        .unwrap();
        let mem_b =
            mlinalg::stream::read_parquet(&[PathBuf::from(&t)], Some(&["y".to_string()])).unwrap();
        let want = mlinalg::linalg::lstsq(mem_a.view(), &mem_b.column(0).to_owned(), None).unwrap();
        let x = flat(&df["x"]);
        for (g, e) in x.iter().zip(want.x.iter()) {
            assert!((g - e).abs() <= 1e-10, "{g} vs {e}");
        }
    }

    #[test]
    fn bad_tables_name_file_and_column() {
        let w = Workdir::new();
        let e = w
            .run(&["pca", &pq("mixed"), "--engine", "datafusion"])
            .fails()
            .to_string();
        assert!(e.contains("p1.parquet") && e.contains("b"), "{e}");
        let e = w
            .run(&[
                "pca",
                &pq("one.parquet"),
                "--columns",
                "a,s",
                "--engine",
                "datafusion",
            ])
            .fails()
            .to_string();
        assert!(e.contains("one.parquet") && e.contains("'s'"), "{e}");
        let e = w
            .run(&["pca", &pq("null.parquet"), "--engine", "datafusion"])
            .fails()
            .to_string();
        assert!(e.contains("null"), "{e}");
        let npy = w.path("x.npy");
        mlinalg::io::write_npy(&npy, &ndarray::Array2::<f64>::zeros((3, 2))).unwrap();
        let e = w
            .run(&["pca", npy.to_str().unwrap(), "--engine", "datafusion"])
            .fails()
            .to_string();
        assert!(e.contains("Parquet"), "{e}");
    }

    /// A page header the parquet crate's Thrift reader would spin on (a list of 2³¹ − 1
    /// booleans in ten bytes) is refused before DataFusion decodes the pages.
    #[test]
    fn a_page_header_bomb_is_refused_before_datafusion_reads_it() {
        let w = Workdir::new();
        let t0 = std::time::Instant::now();
        let e = w
            .run(&[
                "pca",
                &pq("bool_list_page.parquet"),
                "-k",
                "1",
                "--engine",
                "datafusion",
            ])
            .fails()
            .to_string();
        assert!(e.contains("corrupt page header at byte"), "{e}");
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            t0.elapsed()
        );
    }

    #[test]
    fn no_scheduler_is_exit_1_within_seconds() {
        let w = Workdir::new();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url = format!("df://127.0.0.1:{port}");
        let t0 = std::time::Instant::now();
        let r = w.run(&["pca", &table(), "--columns", "a,b", "--cluster", &url]);
        let e = r.fails();
        assert_eq!(e, format!("error: cluster {url}: connection refused"));
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(10),
            "{:?}",
            t0.elapsed()
        );
    }
}
