//! Hostile input on the real binary (issue 11): messages that quote a file's content, a
//! file name or an argument never carry terminal escapes to the terminal.

use crate::util::{Run, Workdir};

/// Sets the terminal title (`ESC ] 0 ; … BEL`) and the colour (`ESC [ 31 m`) when printed raw.
const PWN: &str = "\u{1b}]0;pwned\u{7}\u{1b}[31m";
/// How [`PWN`] reads in a message.
const PWN_ESCAPED: &str = r"\x1b]0;pwned\x07\x1b[31m";

/// Asserts that stderr holds no raw control character but the newlines ending its lines.
fn assert_no_raw_controls(r: &Run) {
    let bad: Vec<char> = r
        .stderr
        .chars()
        .filter(|&c| c != '\n' && (c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)))
        .collect();
    assert!(
        bad.is_empty(),
        "raw control characters {bad:?} on stderr: {r:#?}"
    );
}

#[test]
fn info_on_a_csv_cell_with_terminal_escapes() {
    let d = Workdir::new();
    let p = d.write("esc.csv", format!("1,2\n3,{PWN}\n"));
    let r = d.run(&["info", &p]);
    let line = r.fails();
    assert_no_raw_controls(&r);
    assert!(line.contains(PWN_ESCAPED), "{line}");
    assert!(line.contains("row 2, column 2"), "{line}");
}

#[test]
fn matrix_market_banner_with_terminal_escapes() {
    let d = Workdir::new();
    let p = d.write(
        "esc.mtx",
        format!("%%MatrixMarket matrix coordinate real {PWN}\n1 1 1\n1 1 1\n"),
    );
    for cmd in ["info", "norm", "tsvd"] {
        let mut args = vec![cmd, p.as_str()];
        if cmd == "tsvd" {
            args.extend(["-k", "1"]);
        }
        let r = d.run(&args);
        let line = r.fails();
        assert_no_raw_controls(&r);
        assert!(line.contains(PWN_ESCAPED), "{cmd}: {line}");
    }
}

#[test]
fn file_names_and_arguments_with_terminal_escapes() {
    let d = Workdir::new();
    // a missing file named with the payload
    let r = d.run(&["info", &format!("{PWN}.npy")]);
    let line = r.fails();
    assert_no_raw_controls(&r);
    assert!(line.contains(PWN_ESCAPED), "{line}");
    // a usage error echoing an argument (clap's message)
    let r = d.run(&["svd", "a.npy", &format!("--{PWN}")]);
    r.usage();
    assert_no_raw_controls(&r);
    // (clap drops the escape sequences from the value it quotes; a lone control
    // character is shown escaped)
    let r = d.run(&["pca", "a.npy", "--solver", PWN]);
    r.usage();
    assert_no_raw_controls(&r);
    let r = d.run(&["pca", "a.npy", "--solver", "x\u{7}\u{9b}y"]);
    r.usage();
    assert_no_raw_controls(&r);
}

/// Runs the binary under `prlimit --as=2GiB` (an address-space limit: what a small
/// container or `ulimit -v` gives a process), or `None` with the reason printed where
/// `prlimit` cannot be run.
fn run_limited(d: &Workdir, args: &[&str]) -> Option<Run> {
    let probe = std::process::Command::new("prlimit")
        .args(["--as=2147483648", "--", "true"])
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!(
            "skipped: `prlimit --as` is not available here, so the 2 GiB limit cannot be set"
        );
        return None;
    }
    let out = std::process::Command::new("prlimit")
        .arg("--as=2147483648")
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_mlinalg"))
        .args(args)
        .current_dir(d.root())
        .output()
        .expect("run prlimit");
    Some(Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    })
}

/// A `.npy` whose header claims `shape` (float64) over an 8-byte body.
fn npy_claiming(shape: &str) -> Vec<u8> {
    let mut header =
        format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}").into_bytes();
    let total = 10 + header.len() + 1;
    header.resize(header.len() + (64 - total % 64) % 64, b' ');
    header.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&[0; 8]);
    out
}

/// Inputs whose headers or size lines claim far more memory than a 2 GiB process has:
/// each command ends with exit 1 and one `error:` line naming the problem, never a signal
/// (SIGABRT from a failed allocation) or the OOM killer.
#[test]
fn sizes_claimed_by_files_are_checked_under_a_memory_limit() {
    let d = Workdir::new();
    d.write("big.npy", npy_claiming("(100000, 1000000)")); // 10¹¹ elements, 800 GB
    d.write(
        "big.mtx",
        "%%MatrixMarket matrix coordinate real general\n200000000 200000000 2\n1 1 1.5\n200000000 200000000 2.5\n",
    );
    let cases: &[(&[&str], &str)] = &[
        (&["info", "big.npy"], "(100000, 1000000)"),
        (&["svd", "big.npy"], "(100000, 1000000)"),
        (&["tsvd", "big.mtx", "-k", "2"], "bytes"),
        (
            &["tsvd", "big.mtx", "-k", "2", "--algorithm", "exact"],
            "bytes",
        ),
        (&["pca", "big.mtx", "-k", "2"], "(200000000, 200000000)"),
        (&["svd", "big.mtx"], "(200000000, 200000000)"),
    ];
    for (args, needle) in cases {
        let Some(r) = run_limited(&d, args) else {
            return;
        };
        let line = r.fails();
        assert!(line.contains(needle), "{args:?}: {line}");
        assert!(!r.stderr.contains("memory allocation"), "{args:?}: {r:#?}");
    }
}

/// Peak resident memory (bytes) of one run of the binary, from `wait4`'s rusage of that
/// child alone (other tests' children do not count).
// The child is reaped by wait4 below (which, unlike `Child::wait`, returns its rusage).
#[allow(clippy::zombie_processes)]
fn peak_rss(d: &Workdir, args: &[&str]) -> u64 {
    let child = d
        .command(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn mlinalg");
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value; wait4 fills it for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child, not yet waited for; the pointers are valid and exclusive.
    let r = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    assert_eq!(r, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{args:?} failed"
    );
    // ru_maxrss is in KiB on Linux
    u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024
}

/// `transpose --out` writes `np.save(a.T)`'s Fortran order straight from the array read
/// (issue 16): beyond the binary's own footprint, the peak is the file's size (≤ 1.1×).
#[cfg(target_os = "linux")]
#[test]
fn transpose_out_peak_memory_is_the_file_size() {
    let d = Workdir::new();
    // 4 Mi float64 values: 32 MiB + header
    let (rows, cols) = (1 << 14, 256usize);
    let mut header =
        format!("{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {cols}), }}")
            .into_bytes();
    let total = 10 + header.len() + 1;
    header.resize(header.len() + (64 - total % 64) % 64, b' ');
    header.push(b'\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(&header);
    for k in 0..rows * cols {
        bytes.extend_from_slice(&((k % 1000) as f64 * 0.5).to_le_bytes());
    }
    let file = bytes.len() as u64;
    d.write("x.npy", &bytes);
    d.write("tiny.npy", npy_claiming("(1,)"));
    let base = peak_rss(&d, &["info", "tiny.npy"]);
    let peak = peak_rss(&d, &["transpose", "x.npy", "--out", "t.npy"]);
    let written = std::fs::metadata(d.path("t.npy")).unwrap().len();
    assert_eq!(written, file, "the transposed file has the input's size");
    let extra = peak.saturating_sub(base);
    assert!(
        extra as f64 <= 1.1 * file as f64,
        "peak {peak} bytes, {extra} above the binary's {base}: more than 1.1 × the {file}-byte file"
    );
}
