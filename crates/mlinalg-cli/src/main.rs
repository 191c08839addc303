//! `mlinalg`: linear algebra for machine learning on `.npy`, `.csv` and `.mtx` files.
//!
//! `main` → [`run`] → [`ExitCode`]: 0 on success (a closed stdout included), 1 with exactly
//! one `error: …` line when the data cannot be computed on, 2 for usage errors (clap prints
//! them). A panic anywhere still ends as one `error:` line and exit 1.

mod cli;
mod commands;
mod engine;
mod input;
mod output;
mod progress;
mod report;
mod streaming;

use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

use clap::{CommandFactory, Parser};

use crate::cli::Cli;

/// A usage error found after parsing (e.g. `--out` on a command with several results):
/// printed by clap, exit 2.
#[derive(Debug)]
pub struct UsageError(pub clap::Error);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::error::Error for UsageError {}

/// The last panic's message, recorded by the hook and printed as the `error:` line.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    // The default hook prints "thread 'main' panicked at …" and maybe a backtrace; the
    // contract allows only one `error:` line, so the hook only records the message.
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "unknown panic".to_string()
        };
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            m.get_or_insert(msg);
        }
    }));
    match std::panic::catch_unwind(run) {
        Ok(code) => code,
        Err(_) => {
            let msg = PANIC_MESSAGE
                .lock()
                .ok()
                .and_then(|mut m| m.take())
                .unwrap_or_default();
            error_line(&format!("internal error: {msg}"));
            ExitCode::from(1)
        }
    }
}

/// Parses the arguments, runs the command and maps the outcome to an exit status.
fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                // `mlinalg` alone: still a usage error, so the `error:` line comes first.
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "error: a command is required\n");
                let _ = write!(err, "{}", Cli::command().render_help());
                return ExitCode::from(2);
            }
            // Help and --version go to stdout with exit 0; real usage errors to stderr, 2.
            print_clap_error(&e);
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    // Test hook (debug builds only): proves that a panic still ends as one `error:` line.
    if cfg!(debug_assertions) && std::env::var_os("MLINALG_TEST_PANIC").is_some() {
        panic!("forced by MLINALG_TEST_PANIC\nsecond line");
    }
    input::set_columns(cli.columns.clone());
    match commands::execute(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if let Some(UsageError(e)) = err.downcast_ref::<UsageError>() {
                print_clap_error(e);
                return ExitCode::from(2);
            }
            // See ripgrep's main: a closed pipe (`mlinalg svd a.npy | head -1`) is not an
            // error; the reader simply wanted no more.
            let broken_pipe = err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            });
            if broken_pipe {
                return ExitCode::SUCCESS;
            }
            error_line(&format!("{err:#}"));
            ExitCode::from(1)
        }
    }
}

/// Prints `error: <message>` as exactly one line on stderr. The message may quote file
/// names, arguments and file content: control characters (a hostile file's `ESC ] 0 ;` or
/// `ESC [ 31 m`), bidirectional overrides and invalid UTF-8 are shown escaped (`\x1b`),
/// never sent to the terminal.
fn error_line(msg: &str) {
    let one_line: String = msg.split_whitespace().collect::<Vec<_>>().join(" ");
    let safe = mlinalg::error::escape_controls(&one_line);
    let _ = writeln!(std::io::stderr().lock(), "error: {safe}");
}

/// Prints a clap error (usage errors echo the arguments given: a file name or value
/// holding terminal escapes). Help and `--version` go to stdout as clap formats them;
/// errors go to stderr as plain text, each line through
/// [`mlinalg::error::escape_controls`].
fn print_clap_error(e: &clap::Error) {
    if !e.use_stderr() {
        let _ = e.print();
        return;
    }
    let text = e.render().to_string();
    let mut err = std::io::stderr().lock();
    for line in text.lines() {
        let _ = writeln!(err, "{}", mlinalg::error::escape_controls(line));
    }
}

/// A clap usage error for the command `name` (exit 2, usage lines follow).
pub fn usage_error(name: &str, msg: String) -> anyhow::Error {
    let mut cmd = Cli::command();
    // Building propagates the binary name, so the usage line reads `mlinalg svd …`.
    cmd.build();
    let kind = clap::error::ErrorKind::ArgumentConflict;
    let e = match cmd.find_subcommand_mut(name) {
        Some(sub) => sub.error(kind, msg),
        None => cmd.error(kind, msg),
    };
    anyhow::Error::new(UsageError(e))
}
