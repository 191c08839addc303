//! Integration tests of the `mlinalg` binary: one test binary (fast to link), modules per
//! concern. Each test runs the built binary in a fresh temporary directory and checks its
//! stdout, `--json`, exit status, `error:` line and written files against NumPy-made
//! fixtures (`tests/fixtures/generate.py`).

#[path = "cli/util.rs"]
mod util;

#[path = "cli/acceptance.rs"]
mod acceptance;
#[path = "cli/contract.rs"]
mod contract;
#[path = "cli/docs.rs"]
mod docs;
#[path = "cli/engine.rs"]
mod engine;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/hostile.rs"]
mod hostile;
#[path = "cli/io.rs"]
mod io;
#[path = "cli/json.rs"]
mod json;
#[path = "cli/models.rs"]
mod models;
#[path = "cli/numpy.rs"]
mod numpy;
#[path = "cli/outputs.rs"]
mod outputs;
#[path = "cli/plot.rs"]
mod plot;
#[path = "cli/streaming.rs"]
mod streaming;
#[path = "cli/tour.rs"]
mod tour;
