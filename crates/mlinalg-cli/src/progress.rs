//! A spinner on stderr while a command computes, shown only when stderr is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Clears the spinner when dropped, also when the work fails or panics.
struct Guard(ProgressBar);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Runs `work`, showing `label` with a spinner on an interactive stderr. Scripts and pipes
/// (stderr not a terminal) get nothing, so their stderr holds only the `error:` line.
pub fn with_spinner<T>(label: &str, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(label.to_string());
    // 100 ms ticks: smooth enough, and work shorter than one tick barely shows the spinner.
    bar.enable_steady_tick(Duration::from_millis(100));
    let _guard = Guard(bar);
    work()
}
