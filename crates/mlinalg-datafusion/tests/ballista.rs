//! A Ballista cluster of child processes on 127.0.0.1 (free ports): `mlinalg-scheduler` and
//! two `mlinalg-executor`s, started and always killed by the tests (a Drop guard). Every
//! wait is bounded.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use datafusion::prelude::{SessionConfig, SessionContext};
use mlinalg::decomposition::Pca;

use crate::common::*;

/// The child processes of one cluster; killed (and reaped) on drop, even when a test panics.
struct Cluster {
    scheduler: Option<Child>,
    executors: Vec<Option<Child>>,
    port: u16,
    logs: tempfile::TempDir,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for c in self
            .executors
            .iter_mut()
            .chain(std::iter::once(&mut self.scheduler))
        {
            if let Some(mut c) = c.take() {
                let _ = c.kill();
                let _ = c.wait();
            }
        }
        if std::thread::panicking() {
            // show what the processes said
            if let Ok(rd) = std::fs::read_dir(self.logs.path()) {
                for e in rd.flatten() {
                    let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                    let tail: Vec<&str> = text.lines().rev().take(30).collect();
                    eprintln!("--- {} (last lines)", e.path().display());
                    for l in tail.iter().rev() {
                        eprintln!("{l}");
                    }
                }
            }
        }
    }
}

/// Whether any regular file exists under `dir`.
fn has_file(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return false;
    };
    rd.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            has_file(&p)
        } else {
            p.is_file()
        }
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16, child: &mut Child, what: &str, limit: Duration) {
    let t0 = Instant::now();
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{what} exited before listening on port {port}: {status}");
        }
        assert!(
            t0.elapsed() < limit,
            "{what} did not listen on port {port} within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn(bin: &str, args: &[String], log: &Path) -> Child {
    let out = std::fs::File::create(log).unwrap();
    let err = out.try_clone().unwrap();
    Command::new(bin)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {bin}: {e}"))
}

impl Cluster {
    /// A scheduler and `n` executors, each listening; dead executors are noticed within
    /// seconds (1 s heartbeats, 5 s timeout).
    fn start(n: usize) -> Cluster {
        let logs = tempfile::tempdir().unwrap();
        let port = free_port();
        let mut cluster = Cluster {
            scheduler: None,
            executors: Vec::new(),
            port,
            logs,
        };
        let args: Vec<String> = [
            "--bind-host",
            "127.0.0.1",
            "--bind-port",
            &port.to_string(),
            "--executor-timeout-seconds",
            "5",
            "--expire-dead-executor-interval-seconds",
            "1",
            // Ballista's default ("bias") fills one executor's slots first, so on a fast
            // machine one executor could run a whole query; spread the tasks instead.
            "--task-distribution",
            "round-robin",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let log = cluster.logs.path().join("scheduler.log");
        cluster.scheduler = Some(spawn(env!("CARGO_BIN_EXE_mlinalg-scheduler"), &args, &log));
        wait_for_port(
            port,
            cluster.scheduler.as_mut().unwrap(),
            "mlinalg-scheduler",
            Duration::from_secs(60),
        );
        for i in 0..n {
            let (p, g) = (free_port(), free_port());
            let work = cluster.logs.path().join(format!("work-{i}"));
            std::fs::create_dir_all(&work).unwrap();
            let args: Vec<String> = [
                "--bind-host",
                "127.0.0.1",
                "--bind-port",
                &p.to_string(),
                "--bind-grpc-port",
                &g.to_string(),
                "--scheduler-host",
                "127.0.0.1",
                "--scheduler-port",
                &port.to_string(),
                "--executor-heartbeat-interval-seconds",
                "1",
                // one task at a time whatever the core count: every executor gets work
                "--vcores",
                "1",
                "--work-dir",
                work.to_str().unwrap(),
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            let log = cluster.logs.path().join(format!("executor-{i}.log"));
            let mut c = spawn(env!("CARGO_BIN_EXE_mlinalg-executor"), &args, &log);
            wait_for_port(p, &mut c, "mlinalg-executor", Duration::from_secs(60));
            cluster.executors.push(Some(c));
        }
        cluster
    }

    fn url(&self) -> String {
        format!("df://127.0.0.1:{}", self.port)
    }

    fn kill_executor(&mut self, i: usize) {
        if let Some(mut c) = self.executors[i].take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn remote(url: &str) -> SessionContext {
    remote_with(url, SessionConfig::new()).await
}

async fn remote_with(url: &str, config: SessionConfig) -> SessionContext {
    mlinalg_datafusion::cluster::connect(url, config, Duration::from_secs(5))
        .await
        .unwrap()
}

fn bounded<T>(limit: Duration, f: impl std::future::Future<Output = T>) -> T {
    runtime().block_on(async {
        tokio::time::timeout(limit, f)
            .await
            .unwrap_or_else(|_| panic!("no answer within {limit:?}"))
    })
}

#[test]
fn a_scheduler_and_two_executors_give_the_in_memory_fits() {
    let cluster = Cluster::start(2);
    let (x, y) = fixture_xy();
    let want = reference();
    let batch = bounded(Duration::from_secs(180), async {
        let ctx = remote(&cluster.url()).await;
        ctx.register_parquet("t", fixture_dir().to_str().unwrap(), Default::default())
            .await
            .unwrap();
        query(&ctx, crate::sql::FIT_SQL).await.unwrap()
    });
    crate::sql::check_fits(&batch, 0, &want["all"], &x, &y);
    // GROUP BY on the cluster too
    let sql = crate::sql::FIT_SQL.replace(" FROM t", ", g FROM t GROUP BY g ORDER BY g");
    let batch = bounded(Duration::from_secs(180), async {
        let ctx = remote(&cluster.url()).await;
        ctx.register_parquet("t", fixture_dir().to_str().unwrap(), Default::default())
            .await
            .unwrap();
        query(&ctx, &sql).await.unwrap()
    });
    let g: Vec<usize> = (0..x.nrows()).map(|i| i % 3).collect();
    for k in 0..3 {
        let rows: Vec<usize> = (0..x.nrows()).filter(|&i| g[i] == k).collect();
        let xs = x.select(ndarray::Axis(0), &rows);
        let ys = y.select(ndarray::Axis(0), &rows);
        crate::sql::check_fits(&batch, k, &want["groups"][k.to_string()], &xs, &ys);
    }
}

#[test]
fn a_killed_executor_gives_the_right_fit_or_one_clear_error() {
    let mut cluster = Cluster::start(2);
    // 32 files: many tasks, so the executor dies with work queued and running
    let x = normal(3, 64_000, 6);
    let data = tempfile::tempdir().unwrap();
    write_parquet(data.path(), x.view(), 32, 500);
    let url = cluster.url();
    let dir: PathBuf = data.path().to_path_buf();
    let rt = Arc::new(runtime());
    let handle = rt.spawn(async move {
        // 16 partitions of the 32 files: many tasks, shared out one at a time
        let ctx = remote_with(&url, SessionConfig::new().with_target_partitions(16)).await;
        ctx.register_parquet("t", dir.to_str().unwrap(), Default::default())
            .await
            .unwrap();
        query(&ctx, "SELECT mlinalg_pca(3, x0, x1, x2, x3, x4, x5) FROM t").await
    });
    // Kill the first executor that writes a shuffle file: the first stage is under way and
    // the final stage will need that executor's outputs.
    let works: Vec<PathBuf> = (0..2)
        .map(|i| cluster.logs.path().join(format!("work-{i}")))
        .collect();
    let t0 = Instant::now();
    let victim = loop {
        if let Some(i) = works.iter().position(|w| has_file(w)) {
            break i;
        }
        assert!(
            !handle.is_finished(),
            "the query ended before any executor wrote a shuffle file"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "no executor wrote a shuffle file within 120 s"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    let running = !handle.is_finished();
    cluster.kill_executor(victim);
    assert!(
        running,
        "the query ended before executor {victim} was killed"
    );
    let result = rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(120), handle)
            .await
            .expect("the query neither finished nor failed within 120 s after the executor died")
            .unwrap()
    });
    match result {
        Ok(batch) => {
            // completed through Ballista's retries: it must be the right fit
            let mem = Pca::new(Some(3)).fit(x.view()).unwrap();
            let f = Fit::new(&batch, 0, 0);
            assert_eq!(f.u64("n_samples"), 64_000, "rows lost or counted twice");
            assert!(
                max_diff_rows_up_to_sign(f.matrix("components").view(), mem.components().view())
                    <= 1e-10
            );
            assert!(
                max_diff(
                    f.vec("explained_variance").view(),
                    mem.explained_variance().view()
                ) <= 1e-10
            );
        }
        Err(e) => {
            // or one clear error
            let msg = e.to_string();
            assert!(!msg.is_empty());
            eprintln!("the query failed cleanly: {msg}");
        }
    }
}

#[test]
fn no_scheduler_is_connection_refused_within_seconds() {
    let url = format!("df://127.0.0.1:{}", free_port());
    let t0 = Instant::now();
    let r = runtime().block_on(mlinalg_datafusion::cluster::connect(
        &url,
        SessionConfig::new(),
        Duration::from_secs(3),
    ));
    let e = r
        .err()
        .expect("connecting to nothing succeeded")
        .to_string();
    assert!(
        e.contains(&format!("cluster {url}: connection refused")),
        "{e}"
    );
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t0.elapsed()
    );
}
