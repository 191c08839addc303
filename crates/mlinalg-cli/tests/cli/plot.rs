//! `pca --plot` and `tsvd --plot`: a well-formed SVG with one bar per component and one
//! point per sample, written atomically and only when the run succeeds.

use std::collections::HashSet;

use crate::util::{Workdir, fx};

/// Bar fill of the scree plot (`BAR` in src/output/plot.rs).
const BAR_FILL: &str = "#4C72B0";

/// One element of a parsed document: its name and attributes.
#[derive(Debug)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A minimal XML well-formedness check: one root element, properly nested and closed tags,
/// quoted and unique attributes, no bare `<` or `&` in text or values, known entities
/// only. Returns the elements in document order.
fn parse_xml(doc: &str) -> Result<Vec<Element>, String> {
    let s = doc.as_bytes();
    let mut i = 0;
    let mut stack: Vec<String> = Vec::new();
    let mut elements = Vec::new();
    let mut roots = 0;
    let is_name = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':');
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let name_at = |i: &mut usize| -> Result<String, String> {
        let start = *i;
        while *i < s.len() && is_name(s[*i]) {
            *i += 1;
        }
        if start == *i || s[start].is_ascii_digit() || s[start] == b'-' {
            return Err(format!("bad name at byte {start}"));
        }
        Ok(doc[start..*i].to_string())
    };
    // Checks the text between markup: no bare '&' and known entities only.
    let check_text = |text: &str, at: usize| -> Result<(), String> {
        let mut rest = text;
        while let Some(p) = rest.find('&') {
            let after = &rest[p + 1..];
            let end = after
                .find(';')
                .ok_or_else(|| format!("bare '&' near byte {at}"))?;
            let ent = &after[..end];
            let ok = matches!(ent, "lt" | "gt" | "amp" | "quot" | "apos")
                || ent
                    .strip_prefix("#x")
                    .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
                || ent
                    .strip_prefix('#')
                    .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            if !ok {
                return Err(format!("unknown entity &{ent}; near byte {at}"));
            }
            rest = &after[end + 1..];
        }
        Ok(())
    };
    while i < s.len() {
        if s[i] != b'<' {
            let start = i;
            while i < s.len() && s[i] != b'<' {
                i += 1;
            }
            let text = &doc[start..i];
            if stack.is_empty() && !text.trim().is_empty() {
                return Err(format!("text outside the root element at byte {start}"));
            }
            check_text(text, start)?;
            continue;
        }
        let rest = &doc[i..];
        if rest.starts_with("<?") {
            i += rest.find("?>").ok_or("unclosed <?")? + 2;
        } else if let Some(comment) = rest.strip_prefix("<!--") {
            i += comment.find("-->").ok_or("unclosed comment")? + 7;
        } else if rest.starts_with("<![CDATA[") {
            if stack.is_empty() {
                return Err("CDATA outside the root element".into());
            }
            i += rest.find("]]>").ok_or("unclosed CDATA")? + 3;
        } else if rest.starts_with("<!") {
            if roots > 0 || !stack.is_empty() {
                return Err("declaration inside the document".into());
            }
            i += rest.find('>').ok_or("unclosed <!")? + 1;
        } else if rest.starts_with("</") {
            i += 2;
            let name = name_at(&mut i)?;
            skip_ws(&mut i);
            if s.get(i) != Some(&b'>') {
                return Err(format!("bad end tag </{name} at byte {i}"));
            }
            i += 1;
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else {
            i += 1;
            let name = name_at(&mut i)?;
            if stack.is_empty() {
                roots += 1;
                if roots > 1 {
                    return Err(format!("second root element <{name}>"));
                }
            }
            let mut attrs: Vec<(String, String)> = Vec::new();
            let mut seen = HashSet::new();
            loop {
                let before = i;
                skip_ws(&mut i);
                match s.get(i) {
                    None => return Err(format!("unclosed tag <{name}")),
                    Some(b'>') => {
                        i += 1;
                        stack.push(name.clone());
                        break;
                    }
                    Some(b'/') => {
                        if s.get(i + 1) != Some(&b'>') {
                            return Err(format!("bad '/' in <{name}"));
                        }
                        i += 2;
                        break;
                    }
                    Some(_) => {
                        if before == i {
                            return Err(format!("no space before an attribute in <{name}"));
                        }
                        let attr = name_at(&mut i)?;
                        skip_ws(&mut i);
                        if s.get(i) != Some(&b'=') {
                            return Err(format!("attribute {attr} of <{name}> has no value"));
                        }
                        i += 1;
                        skip_ws(&mut i);
                        let quote = *s.get(i).ok_or("unexpected end")?;
                        if quote != b'"' && quote != b'\'' {
                            return Err(format!("unquoted value of {attr} in <{name}>"));
                        }
                        i += 1;
                        let start = i;
                        while i < s.len() && s[i] != quote {
                            if s[i] == b'<' {
                                return Err(format!("'<' in the value of {attr}"));
                            }
                            i += 1;
                        }
                        if i == s.len() {
                            return Err(format!("unclosed value of {attr}"));
                        }
                        let value = &doc[start..i];
                        check_text(value, start)?;
                        i += 1;
                        if !seen.insert(attr.clone()) {
                            return Err(format!("duplicate attribute {attr} in <{name}>"));
                        }
                        attrs.push((attr, value.to_string()));
                    }
                }
            }
            elements.push(Element { name, attrs });
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!("<{open}> is never closed"));
    }
    if roots != 1 {
        return Err("no root element".into());
    }
    Ok(elements)
}

/// Reads and parses an SVG written by the CLI; asserts it is a well-formed `<svg>` document
/// with no non-finite number anywhere.
fn read_svg(d: &Workdir, name: &str) -> (String, Vec<Element>) {
    let path = d.path(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let elements = parse_xml(&text).unwrap_or_else(|e| panic!("{name} is not XML: {e}"));
    assert_eq!(elements[0].name, "svg", "{name}: root element");
    assert_eq!(
        elements[0].attr("xmlns"),
        Some("http://www.w3.org/2000/svg")
    );
    for e in &elements {
        for (attr, v) in &e.attrs {
            let low = v.to_ascii_lowercase();
            assert!(
                !low.contains("nan") && !low.contains("inf"),
                "{name}: <{} {attr}=\"{v}\">",
                e.name
            );
        }
    }
    (text, elements)
}

fn bars(elements: &[Element]) -> usize {
    elements
        .iter()
        .filter(|e| e.name == "rect" && e.attr("fill") == Some(BAR_FILL))
        .count()
}

fn points(elements: &[Element]) -> usize {
    elements.iter().filter(|e| e.name == "circle").count()
}

#[test]
fn xml_checker_rejects_malformed_documents() {
    assert!(parse_xml("<svg a=\"1\"><rect/><text>a &lt; b</text></svg>").is_ok());
    assert!(parse_xml("<?xml version=\"1.0\"?>\n<!-- c --><svg/>\n").is_ok());
    for bad in [
        "<svg><rect></svg>",
        "<svg></svg><svg/>",
        "<svg a=1/>",
        "<svg a=\"1\" a=\"2\"/>",
        "<svg><text>a < b</text></svg>",
        "<svg><text>a & b</text></svg>",
        "<svg x=\"&nan;\"/>",
        "<svg>",
        "text<svg/>",
        "",
    ] {
        assert!(parse_xml(bad).is_err(), "accepted {bad:?}");
    }
}

#[test]
fn pca_plot_has_one_bar_per_component_and_one_point_per_sample() {
    let d = Workdir::new();
    // data.npy: 20 samples × 4 features.
    d.run(&["pca", &fx("data.npy"), "-k", "3", "--plot", "pca.svg"])
        .ok();
    let (text, el) = read_svg(&d, "pca.svg");
    assert_eq!(bars(&el), 3);
    assert_eq!(points(&el), 20);
    for label in [
        "pca: explained variance ratio",
        "pca: transformed data (n = 20)",
        "explained variance ratio",
        "component 1",
        "component 2",
        "cumulative",
    ] {
        assert!(text.contains(label), "missing {label:?}");
    }
    assert_eq!(d.listing(), vec!["pca.svg"], "no temporary file left");

    // The default k is min(n_samples, n_features) = 4; stdout is unchanged by --plot.
    let plain = d.run(&["pca", &fx("data.npy"), "--json"]);
    let with_plot = d.run(&["pca", &fx("data.npy"), "--json", "--plot", "all.svg"]);
    assert_eq!(with_plot.ok(), plain.ok());
    assert_eq!(bars(&read_svg(&d, "all.svg").1), 4);
}

#[test]
fn tsvd_plot_dense_and_sparse() {
    let d = Workdir::new();
    // Default k = 2: scree and scatter.
    d.run(&["tsvd", &fx("data.npy"), "--plot", "t.svg"]).ok();
    let (text, el) = read_svg(&d, "t.svg");
    assert_eq!(bars(&el), 2);
    assert_eq!(points(&el), 20);
    assert!(text.contains("tsvd: explained variance ratio"));
    // k = 1: the scree plot alone, half as wide.
    d.run(&["tsvd", &fx("sparse.mtx"), "-k", "1", "--plot", "one.SVG"])
        .ok();
    let (text, el) = read_svg(&d, "one.SVG");
    assert_eq!(bars(&el), 1);
    assert_eq!(points(&el), 0);
    assert!(!text.contains("transformed data"));
    assert_eq!(el[0].attr("width"), Some("600"));
}

#[test]
fn non_finite_ratios_still_give_a_valid_svg() {
    let d = Workdir::new();
    // Finite input whose variances overflow: explained_variance_ratio has NaN entries.
    let x = d.write(
        "huge.csv",
        "1e300,-1e300,0\n-1e300,1e300,1\n0,5e299,2\n3,4,5\n",
    );
    let run = d.run(&["pca", &x, "--json", "--plot", "huge.svg"]);
    let out: serde_json::Value = serde_json::from_str(run.ok()).expect("JSON");
    let ratio = crate::util::flat(&out["explained_variance_ratio"]["data"]);
    let finite_bars = ratio.iter().filter(|r| r.is_finite()).count();
    assert!(
        finite_bars < ratio.len(),
        "no non-finite ratio to test: {ratio:?}"
    );
    let (_, el) = read_svg(&d, "huge.svg");
    assert_eq!(bars(&el), finite_bars, "{ratio:?}");
    assert_eq!(points(&el), 4);
}

#[test]
fn failing_runs_write_no_plot() {
    let d = Workdir::new();
    d.write("old.svg", "old");
    // -k larger than the data allows: exit 1, no file, the existing one untouched.
    for (cmd, path) in [("pca", "new.svg"), ("tsvd", "new.svg"), ("pca", "old.svg")] {
        let r = d.run(&[cmd, &fx("data.npy"), "-k", "9", "--plot", path]);
        assert!(r.fails().contains(cmd), "{r:?}");
    }
    // Non-finite input.
    let r = d.run(&["pca", &fx("nan.npy"), "--plot", "new.svg"]);
    assert!(r.fails().contains("non-finite"), "{r:?}");
    assert_eq!(d.listing(), vec!["old.svg"]);
    assert_eq!(std::fs::read_to_string(d.path("old.svg")).unwrap(), "old");
}

#[test]
fn plot_in_a_missing_directory_is_one_error_line() {
    let d = Workdir::new();
    for cmd in ["pca", "tsvd"] {
        let r = d.run(&[
            cmd,
            &fx("data.npy"),
            "--plot",
            "missing/p.svg",
            "--out-dir",
            "out",
        ]);
        let line = r.fails();
        assert!(
            line.contains(cmd) && line.contains("--plot") && line.contains("missing/p.svg"),
            "{line}"
        );
    }
    // Neither the plot nor the --out-dir files were written.
    assert!(d.listing().is_empty(), "{:?}", d.listing());
}

#[test]
fn plot_name_must_be_an_svg_file() {
    let d = Workdir::new();
    std::fs::create_dir(d.path("dir.svg")).unwrap();
    for (path, msg) in [
        ("p.png", "unknown extension '.png'"),
        ("p", "no file extension"),
        ("dir.svg", "is a directory"),
    ] {
        let r = d.run(&["pca", &fx("data.npy"), "--plot", path]);
        assert!(r.fails().contains(msg), "{r:?}");
    }
    assert_eq!(d.listing(), vec!["dir.svg"]);
}

#[test]
fn plot_is_only_an_option_of_pca_and_tsvd() {
    for args in [
        vec!["svd", "A", "--plot", "p.svg"],
        vec!["lowrank", "A", "-k", "1", "--plot", "p.svg"],
        vec!["matmul", "A", "B", "--plot", "p.svg"],
        vec!["info", "A", "--plot", "p.svg"],
        vec!["tour", "--plot", "p.svg"],
    ] {
        let d = Workdir::new();
        let mut a: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        for s in a.iter_mut().filter(|s| *s == "A" || *s == "B") {
            *s = fx("sq4.npy");
        }
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let r = d.run(&a);
        assert!(r.usage().contains("--plot"), "{r:?}");
        assert!(d.listing().is_empty());
    }
    let help = crate::util::mlinalg(&["pca", "--help"]).ok().to_string();
    assert!(help.contains("--plot <FILE.svg>"), "{help}");
}
