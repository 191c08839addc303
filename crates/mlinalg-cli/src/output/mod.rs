//! Rendering a [`Report`]: the human summary or `--json` on stdout, and `.npy`/`.csv` files.

pub mod files;
pub mod human;
pub mod json;
pub mod plot;

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::OutputArgs;
use crate::report::Report;

/// Writes the requested files (and the `--plot` SVG), then prints the report to stdout.
///
/// Files come first so that a closed stdout (`| head`) still leaves them complete. An error
/// writing stdout is returned as an `io::Error`, which `main` turns into exit 0 when it is a
/// broken pipe.
pub fn emit(op: &str, report: &Report, args: &OutputArgs) -> Result<()> {
    // The plot is drawn and staged first, then the other files; if staging any of them
    // fails, the staged ones are dropped (deleted) unrenamed. All are then renamed into
    // place together, all or nothing.
    let plot = match &args.plot {
        Some(path) => Some(plot::stage(op, report, path)?),
        None => None,
    };
    let mut staging =
        files::stage_results(op, report, args.out.as_deref(), args.out_dir.as_deref())?;
    if let Some(staged) = plot {
        staging.push(staged.labelled("--plot"));
    }
    staging
        .commit()
        .map_err(|e| anyhow::anyhow!("{op}: {e:#}"))?;
    let text = if args.json {
        let mut s = json::render(report);
        s.push('\n');
        s
    } else {
        human::render(report)
    };
    let mut stdout = std::io::stdout().lock();
    // The io::Error stays in the chain (context wraps it), so main still sees BrokenPipe.
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .with_context(|| format!("{op}: writing stdout"))
}
