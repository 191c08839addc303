//! Apache Ballista: the session state of a scheduler, the function registry of an executor
//! (both with the `mlinalg_*` functions), and a client context for `df://HOST:PORT`.

use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use ballista::prelude::SessionContextExt;
use ballista_core::registry::BallistaFunctionRegistry;
use datafusion::error::Result;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::session_state::SessionState;
use datafusion::prelude::{SessionConfig, SessionContext};

/// A scheduler's session state: Ballista's own (S3 support included) plus the `mlinalg_*`
/// aggregate functions, so it can decode and plan queries that call them.
///
/// # Errors
/// Ballista's, if the runtime environment cannot be built.
pub fn scheduler_session_state(config: SessionConfig) -> Result<SessionState> {
    let mut state = ballista_core::object_store::session_state_with_s3_support(config)?;
    crate::register_on(&mut state)?;
    Ok(state)
}

/// An executor's function registry: Ballista's defaults plus the `mlinalg_*` aggregate
/// functions, so it can decode the physical plans of its tasks.
///
/// # Examples
/// ```
/// let r = mlinalg_datafusion::cluster::executor_function_registry();
/// assert!(r.aggregate_functions.contains_key("mlinalg_pca"));
/// assert!(r.aggregate_functions.contains_key("sum"));
/// ```
pub fn executor_function_registry() -> BallistaFunctionRegistry {
    let mut r = BallistaFunctionRegistry::default();
    for f in crate::udafs() {
        r.aggregate_functions
            .insert(f.name().to_string(), Arc::new(f));
    }
    r
}

/// Why a cluster cannot be used: one line naming the URL, such as
/// `cluster df://127.0.0.1:50050: connection refused`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterError(pub String);

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClusterError {}

/// `HOST:PORT` of a `df://HOST:PORT` URL.
///
/// # Errors
/// [`ClusterError`] for another scheme, no host or no port.
///
/// # Examples
/// ```
/// use mlinalg_datafusion::cluster::parse_cluster_url;
/// assert_eq!(parse_cluster_url("df://127.0.0.1:50050").unwrap(), ("127.0.0.1".to_string(), 50050));
/// assert!(parse_cluster_url("http://x:1").is_err());
/// ```
pub fn parse_cluster_url(url: &str) -> std::result::Result<(String, u16), ClusterError> {
    let bad = |why: &str| {
        ClusterError(format!(
            "cluster {url}: {why}; expected df://HOST:PORT (a scheduler started with mlinalg-scheduler)"
        ))
    };
    let rest = url
        .strip_prefix("df://")
        .ok_or_else(|| bad("not a df:// URL"))?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = rest.rsplit_once(':').ok_or_else(|| bad("no port"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(bad("no host"));
    }
    let port: u16 = port.parse().map_err(|_| bad("the port is not a number"))?;
    Ok((host.to_string(), port))
}

/// A client context whose queries run on the Ballista scheduler at `url`
/// (`df://HOST:PORT`), with the `mlinalg_*` functions registered for planning. The
/// scheduler is reached first (TCP, `timeout`), so one that is not running is an error
/// within that time: `cluster df://…: connection refused`.
///
/// # Errors
/// [`ClusterError`] for a bad URL or an unreachable scheduler.
pub async fn connect(
    url: &str,
    config: SessionConfig,
    timeout: Duration,
) -> std::result::Result<SessionContext, ClusterError> {
    let (host, port) = parse_cluster_url(url)?;
    let unreachable = |why: String| ClusterError(format!("cluster {url}: {why}"));
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .collect();
    let mut last = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, timeout) {
            Ok(_) => {
                last = None;
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    if let Some(e) = last {
        let why = match e.kind() {
            std::io::ErrorKind::ConnectionRefused => "connection refused".to_string(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
                format!("no answer within {:.0?}", timeout)
            }
            _ => e.to_string(),
        };
        return Err(unreachable(why));
    }
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .build();
    let ctx = SessionContext::remote_with_state(&format!("df://{host}:{port}"), state)
        .await
        .map_err(|e| unreachable(e.strip_backtrace()))?;
    crate::register_all(&ctx);
    Ok(ctx)
}
