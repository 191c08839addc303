//! `mlinalg-executor`: Apache Ballista's executor with the `mlinalg_*` aggregate functions
//! registered. Takes `ballista-executor`'s flags (`--bind-host H --bind-port P
//! --bind-grpc-port G --scheduler-host H --scheduler-port P`, …). The HTTP health probes
//! are served only when `--bind-health-port` is given (so several executors share a host
//! without choosing one more port each).

use std::sync::Arc;

use ballista_core::object_store::{runtime_env_with_s3_support, session_config_with_s3_support};
use ballista_executor::config::Config;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_executor::health::spawn_health_server;
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cmd = Config::command()
        .name("mlinalg-executor")
        .bin_name("mlinalg-executor")
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "Apache Ballista executor with mlinalg's aggregate functions (mlinalg_pca, mlinalg_linreg, \
             mlinalg_ridge, mlinalg_lstsq, mlinalg_moments); registers with the scheduler at \
             --scheduler-host/--scheduler-port (an mlinalg-scheduler).",
        );
    let matches = cmd.get_matches();
    let health = matches.value_source("bind_health_port") == Some(ValueSource::CommandLine);
    let opt = match Config::from_arg_matches(&matches) {
        Ok(o) => o,
        Err(e) => e.exit(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(opt, health)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: mlinalg-executor: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(opt: Config, health: bool) -> ballista_core::error::Result<()> {
    let health_addr = format!("{}:{}", opt.bind_host, opt.bind_health_port);
    let mut config: ExecutorProcessConfig = opt.try_into()?;
    config.override_config_producer = Some(Arc::new(session_config_with_s3_support));
    config.override_runtime_producer = Some(Arc::new(runtime_env_with_s3_support));
    config.override_function_registry = Some(Arc::new(
        mlinalg_datafusion::cluster::executor_function_registry(),
    ));
    let filter =
        std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or(config.special_mod_log_level.clone());
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_env_filter(EnvFilter::new(filter))
        .init();
    if !health {
        return start_executor_process(Arc::new(config)).await;
    }
    let addr = health_addr.parse().map_err(|e| {
        ballista_core::error::BallistaError::General(format!(
            "--bind-health-port {health_addr}: {e}"
        ))
    })?;
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = spawn_health_server(addr, config.health.clone(), rx);
    let result = start_executor_process(Arc::new(config)).await;
    let _ = tx.send(());
    let _ = server.await;
    result
}
