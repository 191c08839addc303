//! The documentation's examples run against the built binary (as trycmd and snapbox do),
//! and its links stay inside the repository.
//!
//! Every ```` ```console ```` block of `docs/cli.md` and `README.md` is a transcript:
//!
//! * a line `$ COMMAND` runs `COMMAND` with `sh -c` (a line ending in `\` continues on the
//!   next one), with the built `mlinalg` first on `PATH`, in a temporary copy of
//!   `docs/examples/` that all blocks of one document share (a file written by one example
//!   is there for the next);
//! * the lines up to the next `$` line are its expected output, stdout and stderr
//!   together, compared line by line after trimming trailing spaces; numbers may differ
//!   in their last digits (relative 1e-9), as the rounding of a computed value can
//!   differ between CPUs;
//! * `...` alone on a line stands for any number of lines, and `[..]` inside a line for any
//!   text;
//! * a last line `? N` expects exit status `N` (otherwise 0 is expected).
//!
//! Blocks marked ```` ```sh ```` or ```` ```text ```` are not run. A failing example is
//! reported with its file, line, command and the whole output, and every example is run
//! before the test fails, so one run shows every stale example.
//!
//! `MLINALG_DOCS_BLESS=1 cargo test -p mlinalg-cli --test cli docs` rewrites the expected
//! output of every failing example with what the binary printed (review the diff: the
//! `...` and `[..]` of a rewritten example are gone).

use std::path::{Component, Path, PathBuf};
use std::process::Command;

/// The repository's root.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One `$` command of a console block and what it should print.
#[derive(Debug)]
struct Example {
    line: usize,
    command: String,
    expected: Vec<String>,
    status: i32,
    /// The 0-based lines of the expected output (and status line): `start..end`.
    output: std::ops::Range<usize>,
}

/// The examples of every ```` ```console ```` block of a Markdown text, in order.
fn examples(text: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut in_other = false;
    let mut continuing = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if !in_console && !in_other {
            if let Some(info) = line.strip_prefix("```") {
                if info.trim() == "console" {
                    in_console = true;
                } else {
                    in_other = true;
                }
            }
            continue;
        }
        if line.starts_with("```") {
            in_console = false;
            in_other = false;
            continue;
        }
        if in_other {
            continue;
        }
        if continuing {
            let ex = out.last_mut().expect("a command before its continuation");
            ex.command.push('\n');
            ex.command.push_str(line);
            ex.output = i + 1..i + 1;
            continuing = line.ends_with('\\');
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                line: i + 1,
                command: cmd.to_string(),
                expected: Vec::new(),
                status: 0,
                output: i + 1..i + 1,
            });
            continuing = line.ends_with('\\');
            continue;
        }
        let Some(ex) = out.last_mut() else {
            panic!("line {}: output before any `$` command", i + 1);
        };
        ex.output.end = i + 1;
        if let Some(code) = line.strip_prefix("? ") {
            ex.status = code
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("line {}: bad status line {line:?}", i + 1));
        } else {
            ex.expected.push(line.to_string());
        }
    }
    assert!(!in_console, "unterminated ```console block");
    out
}

/// A line cut into numbers and the text between them.
fn tokens(line: &str) -> Vec<&str> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i < b.len() {
        let starts_number = b[i].is_ascii_digit()
            || (matches!(b[i], b'-' | b'+' | b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit));
        if starts_number {
            if start < i {
                out.push(&line[start..i]);
            }
            let mut j = i + 1;
            while j < b.len()
                && (b[j].is_ascii_digit()
                    || b[j] == b'.'
                    || ((b[j] == b'e' || b[j] == b'E')
                        && b.get(j + 1)
                            .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+'))
                    || ((b[j] == b'-' || b[j] == b'+') && matches!(b[j - 1], b'e' | b'E')))
            {
                j += 1;
            }
            out.push(&line[i..j]);
            (i, start) = (j, j);
        } else {
            i += 1;
        }
    }
    if start < b.len() {
        out.push(&line[start..]);
    }
    out
}

/// Whether two lines are equal but for the last digits of their numbers (relative 1e-9):
/// the rounding of a computed value can differ between CPUs (cache blocking decides the
/// order of a sum).
fn numbers_agree(expected: &str, actual: &str) -> bool {
    let (e, a) = (tokens(expected), tokens(actual));
    e.len() == a.len()
        && e.iter().zip(&a).all(|(x, y)| {
            x == y
                || matches!((x.parse::<f64>(), y.parse::<f64>()), (Ok(p), Ok(q))
                    if (p - q).abs() <= 1e-9 * p.abs().max(q.abs()) + 1e-12)
        })
}

/// Whether `actual` matches the pattern line `pattern` (`[..]` = any text; numbers may
/// differ in their last digits).
fn line_matches(pattern: &str, actual: &str) -> bool {
    let parts: Vec<&str> = pattern.split("[..]").collect();
    if parts.len() == 1 {
        return pattern == actual || numbers_agree(pattern, actual);
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &actual[first.len()..];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(p) => rest = &rest[p + mid.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Whether the output lines match the expected lines (`...` = any number of lines).
fn lines_match(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((e, rest)) if e == "..." => {
            (0..=actual.len()).any(|skip| lines_match(rest, &actual[skip..]))
        }
        Some((e, rest)) => {
            !actual.is_empty() && line_matches(e, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

/// Copies the files of `from` (not recursive) into `to`.
fn copy_examples(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("docs/examples") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy example file");
        }
    }
}

/// Runs every example of the Markdown file `doc` (relative to the repository) and returns
/// the failures, described.
fn run_document(doc: &str) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(repo().join(doc)).expect("read document");
    let examples = examples(&text);
    let dir = tempfile::tempdir().expect("temporary directory");
    copy_examples(&repo().join("docs/examples"), dir.path());
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_mlinalg"))
        .parent()
        .expect("binary directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    let mut failures = Vec::new();
    let mut blessed: Vec<(std::ops::Range<usize>, Vec<String>)> = Vec::new();
    for ex in &examples {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("exec 2>&1\n{}", ex.command))
            .current_dir(dir.path())
            .env("PATH", &path)
            .env_remove("MLINALG_TEST_PANIC")
            .output()
            .expect("run sh");
        let text = String::from_utf8_lossy(&out.stdout);
        let actual: Vec<&str> = text.lines().map(str::trim_end).collect();
        let code = out.status.code().unwrap_or(-1);
        if code != ex.status || !lines_match(&ex.expected, &actual) {
            let mut new: Vec<String> = actual.iter().map(|s| s.to_string()).collect();
            if code != 0 {
                new.push(format!("? {code}"));
            }
            blessed.push((ex.output.clone(), new));
            failures.push(format!(
                "{doc}:{}: $ {}\n-- expected (exit {}):\n{}\n-- got (exit {code}):\n{}",
                ex.line,
                ex.command,
                ex.status,
                ex.expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    if std::env::var_os("MLINALG_DOCS_BLESS").is_some() && !blessed.is_empty() {
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        for (range, new) in blessed.into_iter().rev() {
            lines.splice(range, new);
        }
        std::fs::write(repo().join(doc), lines.join("\n") + "\n").expect("bless");
    }
    (examples.len(), failures)
}

fn assert_document(doc: &str, at_least: usize) {
    let (n, failures) = run_document(doc);
    assert!(
        n >= at_least,
        "{doc}: only {n} console examples found (expected at least {at_least})"
    );
    assert!(
        failures.is_empty(),
        "{} of {n} examples of {doc} differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn cli_reference_examples_run_as_shown() {
    assert_document("docs/cli.md", 30);
}

#[test]
fn readme_examples_run_as_shown() {
    assert_document("README.md", 3);
}

#[test]
fn the_transcript_matcher_can_fail() {
    let ex = examples("```console\n$ echo a \\\n  b\na b\n$ false\n? 1\n```\n```sh\n$ no\n```\n");
    assert_eq!(ex.len(), 2);
    assert_eq!(ex[0].command, "echo a \\\n  b");
    assert_eq!((ex[1].status, ex[1].expected.len()), (1, 0));
    let want = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(lines_match(
        &want(&["a", "...", "z"]),
        &["a", "b", "c", "z"]
    ));
    assert!(lines_match(&want(&["a", "..."]), &["a"]));
    assert!(!lines_match(&want(&["a", "...", "z"]), &["a", "b"]));
    assert!(!lines_match(&want(&["a"]), &["a", "b"]));
    assert!(line_matches("x [..] z", "x yyy z"));
    assert!(line_matches(
        "r2  -0.8608742271742382",
        "r2  -0.8608742271742384"
    ));
    assert!(line_matches(
        "[[ 1.5e-03  2. ]]",
        "[[ 1.5000000001e-03  2. ]]"
    ));
    assert!(!line_matches("r2  -0.86087", "r2  -0.86088"));
    assert!(!line_matches("x  # (2, 3)", "x  # (2, 4)"));
    assert!(!line_matches("error: a", "error: b"));
    assert_eq!(tokens("a1 -2.5e-3,x"), ["a", "1", " ", "-2.5e-3", ",x"]);
    assert!(line_matches("[..]end", "the end"));
    assert!(!line_matches("x [..] z", "x y q"));
    assert!(!line_matches("ab[..]ba", "aba"));
}

// ---- links ------------------------------------------------------------------------------

/// The repository's files (`git ls-files`, or a walk without `target/` and `.git`).
fn repo_files() -> Vec<PathBuf> {
    let root = repo();
    if let Ok(out) = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(&root)
        .output()
        && out.status.success()
    {
        return out
            .stdout
            .split(|&b| b == 0)
            .filter(|s| !s.is_empty())
            .map(|s| PathBuf::from(String::from_utf8_lossy(s).into_owned()))
            .filter(|p| root.join(p).is_file())
            .collect();
    }
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&dir))
            .expect("read dir")
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = dir.join(&name);
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if name != "target" && name != ".git" {
                    stack.push(rel);
                }
            } else {
                files.push(rel);
            }
        }
    }
    files
}

/// The targets of the Markdown links `[text](target)` of a text, with their line numbers
/// (code spans and fenced blocks skipped).
fn markdown_links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fenced = false;
    for (i, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // drop code spans
        let mut plain = String::new();
        for (k, part) in line.split('`').enumerate() {
            if k % 2 == 0 {
                plain.push_str(part);
            }
        }
        let mut rest = plain.as_str();
        while let Some(p) = rest.find("](") {
            let after = &rest[p + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            out.push((i + 1, target.to_string()));
            rest = &after[end..];
        }
    }
    out
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces to `-`.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown text's headings (outside fenced blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(anchor(line.trim_start_matches('#')));
        }
    }
    out
}

/// `path` with `.` and `..` resolved lexically; `None` if it climbs above its start.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(p) => out.push(p),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// What is wrong with each relative link of the Markdown files.
fn link_problems(files: &[PathBuf]) -> Vec<String> {
    let root = repo();
    let mut problems = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "md"))
    {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_default();
        for (line, target) in markdown_links(&text) {
            let at = format!("{}:{line}: ({target})", file.display());
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, frag) = match target.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                Some(file.clone())
            } else if path.starts_with('/') {
                None
            } else {
                normalise(&file.parent().unwrap_or(Path::new("")).join(path))
            };
            let Some(resolved) = resolved else {
                problems.push(format!("{at}: leaves the repository"));
                continue;
            };
            if !root.join(&resolved).exists() {
                problems.push(format!("{at}: no such file"));
                continue;
            }
            if let Some(frag) = frag
                && resolved.extension().is_some_and(|e| e == "md")
            {
                let target_text = std::fs::read_to_string(root.join(&resolved)).unwrap_or_default();
                if !anchors(&target_text).iter().any(|a| a == frag) {
                    problems.push(format!("{at}: no heading with anchor #{frag}"));
                }
            }
        }
    }
    problems
}

#[test]
fn markdown_links_stay_inside_the_repository_and_resolve() {
    let files = repo_files();
    assert!(
        files.iter().any(|f| f == Path::new("README.md")),
        "{files:?}"
    );
    let problems = link_problems(&files);
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_file_refers_to_paths_outside_the_repository() {
    // The folder beside the repository that the project's planning files live in, and the
    // machine's own paths, do not exist in a clone.
    let needles = ["../shared", "/work/"];
    let mut problems = Vec::new();
    for file in repo_files() {
        let Ok(text) = std::fs::read_to_string(repo().join(&file)) else {
            continue; // binary
        };
        if file.ends_with("tests/cli/docs.rs") {
            continue; // this test names them
        }
        for (i, line) in text.lines().enumerate() {
            for n in needles {
                if line.contains(n) {
                    problems.push(format!("{}:{}: {}", file.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "references outside the repository:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_link_checker_can_fail() {
    let text = "# A title\n[ok](#a-title) [bad](../../x.md) `[code](nope)`\n```\n[x](y)\n```\n";
    let links = markdown_links(text);
    assert_eq!(
        links,
        [(2, "#a-title".to_string()), (2, "../../x.md".to_string())]
    );
    assert_eq!(anchors(text), ["a-title"]);
    assert_eq!(anchor("Exit status and errors"), "exit-status-and-errors");
    assert_eq!(
        anchor("`pca`: principal components"),
        "pca-principal-components"
    );
    assert!(normalise(Path::new("docs/../../x")).is_none());
    assert_eq!(
        normalise(Path::new("docs/./a/../b")),
        Some(PathBuf::from("docs/b"))
    );
}
