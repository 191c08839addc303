//! A spinner on stderr while a command computes, shown only when stderr is a terminal and
//! the work takes long enough to notice.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Work shorter than this never shows the spinner (no flicker on quick commands).
const DELAY: Duration = Duration::from_millis(300);

/// Stops and clears the spinner when dropped, also when the work fails or panics.
struct Guard {
    bar: ProgressBar,
    done: Arc<Mutex<bool>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        // Under the lock, so the delayed start cannot draw after this point.
        let mut done = self.done.lock().unwrap_or_else(|e| e.into_inner());
        *done = true;
        self.bar.finish_and_clear();
    }
}

/// Runs `work`, showing `label` with a spinner on an interactive stderr once `DELAY` has
/// passed. Scripts and pipes (stderr not a terminal) get nothing, so their stderr holds only
/// the `error:` line.
pub fn with_spinner<T>(label: &str, work: impl FnOnce() -> T) -> T {
    if !std::io::stderr().is_terminal() {
        return work();
    }
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar.set_message(label.to_string());
    let done = Arc::new(Mutex::new(false));
    let (bar2, done2) = (bar.clone(), Arc::clone(&done));
    std::thread::spawn(move || {
        std::thread::sleep(DELAY);
        let done = done2.lock().unwrap_or_else(|e| e.into_inner());
        // a streamed computation draws its own per-pass bar instead
        if !*done && !crate::streaming::PROGRESS_SHOWN.load(std::sync::atomic::Ordering::Relaxed) {
            bar2.set_draw_target(ProgressDrawTarget::stderr());
            bar2.enable_steady_tick(Duration::from_millis(100));
        }
    });
    let _guard = Guard { bar, done };
    work()
}
