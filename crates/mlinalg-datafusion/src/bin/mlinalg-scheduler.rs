//! `mlinalg-scheduler`: Apache Ballista's scheduler with the `mlinalg_*` aggregate functions
//! registered. Takes `ballista-scheduler`'s flags (`--bind-host H --bind-port P`, …).

use std::sync::Arc;

use ballista_core::object_store::session_config_with_s3_support;
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::{Config, SchedulerConfig};
use ballista_scheduler::scheduler_process::start_server;
use clap::{CommandFactory, FromArgMatches};
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    let cmd = Config::command()
        .name("mlinalg-scheduler")
        .bin_name("mlinalg-scheduler")
        .version(env!("CARGO_PKG_VERSION"))
        .about(
            "Apache Ballista scheduler with mlinalg's aggregate functions (mlinalg_pca, mlinalg_linreg, \
             mlinalg_ridge, mlinalg_lstsq, mlinalg_moments). Start executors with mlinalg-executor; \
             clients connect to df://HOST:PORT.",
        );
    let opt = match Config::from_arg_matches(&cmd.get_matches()) {
        Ok(o) => o,
        Err(e) => e.exit(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 * 1024 * 1024)
        .build()
        .expect("tokio runtime");
    match runtime.block_on(run(opt)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: mlinalg-scheduler: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(opt: Config) -> ballista_core::error::Result<()> {
    let filter = std::env::var(EnvFilter::DEFAULT_ENV).unwrap_or(opt.log_level_setting.clone());
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_env_filter(EnvFilter::new(filter))
        .init();
    let addr = format!("{}:{}", opt.bind_host, opt.bind_port);
    let addr = addr.parse().map_err(|e: std::net::AddrParseError| {
        ballista_core::error::BallistaError::Configuration(format!(
            "--bind-host/--bind-port {addr}: {e}"
        ))
    })?;
    let config: SchedulerConfig = opt.try_into()?;
    let config = config
        .with_override_config_producer(Arc::new(session_config_with_s3_support))
        .with_override_session_builder(Arc::new(
            mlinalg_datafusion::cluster::scheduler_session_state,
        ));
    let cluster = BallistaCluster::new_from_config(&config).await?;
    start_server(cluster, addr, Arc::new(config)).await
}
