//! `--plot FILE.svg` of `pca` and `tsvd`: a scree plot of `explained_variance_ratio` (one
//! bar per component and the cumulative ratio as a line) and, when the transformed data has
//! at least two columns, a scatter of its first two columns.
//!
//! Drawn with `plotters` on its SVG backend only. Text needs no font files: plotters lays it
//! out with a size estimate and writes `<text>` elements that the viewer renders, so the
//! build pulls no fontconfig or freetype. The file is staged and renamed into place with
//! the other output files ([`crate::output::files`]).
//!
//! Non-finite values (a ratio inf/inf when finite but huge data overflows the variance) are
//! left out of the drawing, and axis ranges are built from the finite values only, so the
//! SVG stays valid whatever the numbers are.

use std::ops::Range;
use std::path::Path;

use anyhow::{Result, anyhow, bail};
use ndarray::{ArrayD, ArrayView1, ArrayView2, Ix1, Ix2};
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::files::{self, Staged};
use crate::report::{Report, Value};

/// Bar fill of the scree plot (tests count the bars by it).
const BAR: RGBColor = RGBColor(76, 114, 176);
/// The cumulative line.
const LINE: RGBColor = RGBColor(221, 132, 82);
/// Scatter points.
const POINT: RGBColor = RGBColor(85, 168, 104);
/// Size of one panel in pixels.
const PANEL: (u32, u32) = (600, 450);
/// Up to this many components, each point of the cumulative line is marked.
const MAX_MARKERS: usize = 30;
/// Up to this many components, each bar is labelled with its percentage.
const MAX_BAR_LABELS: usize = 12;
/// The largest magnitude an axis range may reach, so that its width stays finite.
const LIMIT: f64 = f64::MAX / 4.0;
/// The smallest half-width of an axis range; narrower data is shown around its centre.
const MIN_PAD: f64 = 1e-200;

/// Checks `--plot FILE` before any work: an `.svg` name that is not an existing directory.
pub fn check_path(op: &str, path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("svg") => {}
        Some(ext) => bail!(
            "{op}: --plot {}: unknown extension '.{ext}' (supported: .svg)",
            path.display()
        ),
        None => bail!(
            "{op}: --plot {}: no file extension (supported: .svg)",
            path.display()
        ),
    }
    if path.is_dir() {
        bail!("{op}: --plot {}: is a directory", path.display());
    }
    Ok(())
}

/// Draws the plot of `report` and writes it to a temporary file next to `path`, to be
/// renamed into place by [`files::commit`].
pub fn stage(op: &str, report: &Report, path: &Path) -> Result<Staged> {
    check_path(op, path)?;
    let svg = render(op, report).map_err(|e| anyhow!("{op}: --plot: {e:#}"))?;
    files::stage(path, svg.as_bytes()).map_err(|e| anyhow!("{op}: --plot: {e:#}"))
}

/// The SVG document for the `explained_variance_ratio` and `transformed` results of
/// `report`.
pub fn render(op: &str, report: &Report) -> Result<String> {
    let ratio = result(report, "explained_variance_ratio")?
        .view()
        .into_dimensionality::<Ix1>()
        .map_err(|_| anyhow!("explained_variance_ratio is not a vector"))?;
    let transformed = result(report, "transformed")?
        .view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| anyhow!("transformed is not a matrix"))?;
    let with_scatter = transformed.ncols() >= 2;
    let width = if with_scatter { 2 * PANEL.0 } else { PANEL.0 };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, PANEL.1)).into_drawing_area();
        root.fill(&WHITE)?;
        if with_scatter {
            let (left, right) = root.split_horizontally(PANEL.0);
            scree(&left, op, ratio)?;
            scatter(&right, op, transformed)?;
        } else {
            scree(&root, op, ratio)?;
        }
        root.present()?;
    }
    Ok(svg)
}

/// The real array result `name` of `report`.
fn result<'a>(report: &'a Report, name: &str) -> Result<&'a ArrayD<f64>> {
    match report.results().find(|(n, _)| *n == name) {
        Some((_, Value::Array(a))) => Ok(a),
        _ => bail!("no real array result '{name}' to plot"),
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// Bars of the explained variance ratio per component and the cumulative ratio.
fn scree(area: &Area<'_>, op: &str, ratio: ArrayView1<'_, f64>) -> Result<()> {
    let k = ratio.len();
    let cumulative: Vec<f64> = ratio
        .iter()
        .scan(0.0, |sum, &r| {
            *sum += r;
            Some(*sum)
        })
        .collect();
    let y = scree_range(ratio.iter().chain(&cumulative).copied());
    let x = ComponentAxis {
        inner: (0.5..k as f64 + 0.5).into(),
        ticks: component_ticks(k),
    };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{op}: explained variance ratio"),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&|v| format!("{}", v.round()))
        .y_max_light_lines(1)
        .y_label_formatter(&|v| tick_label(*v))
        .x_desc("component")
        .y_desc("explained variance ratio")
        .label_style(("sans-serif", 14))
        .draw()?;
    chart
        .draw_series(
            ratio
                .iter()
                .enumerate()
                .filter(|(_, r)| r.is_finite())
                .map(|(i, &r)| {
                    let c = (i + 1) as f64;
                    Rectangle::new([(c - 0.3, 0.0), (c + 0.3, r)], BAR.filled())
                }),
        )?
        .label("per component")
        // Outlined, so that the only rectangles filled with BAR are the bars.
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BAR.stroke_width(2)));
    // The line is broken where the cumulative sum is not finite.
    let finite: Vec<(f64, f64)> = cumulative
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_finite())
        .map(|(i, &c)| ((i + 1) as f64, c))
        .collect();
    // A small square marks each value (not a circle: the scatter's points are the circles).
    chart
        .draw_series(LineSeries::new(
            finite.iter().copied(),
            LINE.stroke_width(2),
        ))?
        .label("cumulative")
        .legend(move |(x, y)| {
            EmptyElement::at((x, y))
                + PathElement::new([(0, 0), (14, 0)], LINE.stroke_width(2))
                + Rectangle::new([(4, -3), (10, 3)], LINE.filled())
        });
    if k <= MAX_MARKERS {
        chart.draw_series(
            finite
                .iter()
                .map(|&p| EmptyElement::at(p) + Rectangle::new([(-3, -3), (3, 3)], LINE.filled())),
        )?;
    }
    if k <= MAX_BAR_LABELS {
        let style = TextStyle::from(("sans-serif", 12).into_font())
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(ratio.iter().enumerate().filter(|(_, r)| r.is_finite()).map(
            |(i, &r)| {
                // Lifted above the first cumulative marker, which sits on the first bar.
                EmptyElement::at(((i + 1) as f64, r))
                    + Text::new(format!("{:.1}%", 100.0 * r), (0, -5), style.clone())
            },
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .label_font(("sans-serif", 14))
        .draw()?;
    Ok(())
}

/// Scatter of the first two columns of the transformed data.
fn scatter(area: &Area<'_>, op: &str, z: ArrayView2<'_, f64>) -> Result<()> {
    let points: Vec<(f64, f64)> = z
        .rows()
        .into_iter()
        .map(|r| (r[0], r[1]))
        .filter(|(a, b)| a.is_finite() && b.is_finite())
        .collect();
    let x = padded_range(points.iter().map(|p| p.0), 0.05);
    let y = padded_range(points.iter().map(|p| p.1), 0.05);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{op}: transformed data (n = {})", z.nrows()),
            ("sans-serif", 22),
        )
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .max_light_lines(1)
        .x_label_formatter(&|v| tick_label(*v))
        .y_label_formatter(&|v| tick_label(*v))
        .x_desc("component 1")
        .y_desc("component 2")
        .label_style(("sans-serif", 14))
        .draw()?;
    chart.draw_series(
        points
            .into_iter()
            .map(|p| Circle::new(p, 3, POINT.mix(0.75).filled())),
    )?;
    Ok(())
}

/// The scree plot's x axis: continuous (bars have a width), labelled at whole component
/// numbers only.
struct ComponentAxis {
    inner: RangedCoordf64,
    ticks: Vec<f64>,
}

impl Ranged for ComponentAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.clone()
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }
}

/// Component numbers to label on the scree plot's x axis: all of them up to 12, then a
/// round step (1, 2, 5, 10, 20, 50, …) giving at most about 10 labels.
fn component_ticks(k: usize) -> Vec<f64> {
    let mut step = 1usize;
    let mut m = [2usize, 5, 10].into_iter().cycle();
    let mut scale = 1usize;
    while k > 12 && k / step > 10 {
        let f = m.next().unwrap_or(10);
        if f == 10 {
            scale = scale.saturating_mul(10);
            step = scale;
        } else {
            step = scale.saturating_mul(f);
        }
    }
    let mut ticks = vec![1.0];
    ticks.extend(
        (step..=k)
            .step_by(step)
            .filter(|&c| c > 1)
            .map(|c| c as f64),
    );
    ticks
}

/// An axis label: a short decimal (`0.25`, `-6`, `1200`), or `1.5e300` style for very large
/// or very small magnitudes.
fn tick_label(v: f64) -> String {
    if v == 0.0 {
        // Also -0.0.
        return "0".to_string();
    }
    // Ten significant digits hide the rounding of tick arithmetic (0.30000000000000004).
    let r: f64 = format!("{v:.9e}").parse().unwrap_or(v);
    let a = r.abs();
    if (1e-4..1e6).contains(&a) {
        format!("{r}")
    } else {
        format!("{r:e}")
    }
}

/// The scree plot's y range: from 0 (or a lower finite value) to 1 (or a higher one),
/// with room above for the legend.
fn scree_range(values: impl Iterator<Item = f64>) -> RangedCoordf64 {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (lo, hi) = (lo.clamp(-LIMIT, 0.0), hi.clamp(1.0, LIMIT));
    let width = hi - lo;
    let bottom = if lo < 0.0 { lo - 0.05 * width } else { 0.0 };
    let range: Range<f64> = bottom..hi + 0.2 * width;
    range.into()
}

/// An axis range covering the finite `values`, widened by `pad` of its width on each side;
/// kept finite and of non-zero width whatever the values are.
fn padded_range(values: impl Iterator<Item = f64>, pad: f64) -> RangedCoordf64 {
    let (mut lo, mut hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        // No finite value at all.
        (lo, hi) = (-1.0, 1.0);
    }
    lo = lo.clamp(-LIMIT, LIMIT);
    hi = hi.clamp(-LIMIT, LIMIT);
    let width = hi - lo;
    let magnitude = lo.abs().max(hi.abs());
    let margin = if width > 0.0 {
        // Not narrower than the values' precision allows ticks to be told apart.
        (width * pad).max(magnitude * 1e-9).max(MIN_PAD)
    } else if magnitude > 0.0 {
        (magnitude * 0.05).max(MIN_PAD)
    } else {
        1.0
    };
    let range: Range<f64> = (lo - margin)..(hi + margin);
    range.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_few() {
        assert_eq!(component_ticks(1), vec![1.0]);
        assert_eq!(component_ticks(4), vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(component_ticks(12).len(), 12);
        let t = component_ticks(50);
        assert_eq!(t[..3], [1.0, 5.0, 10.0]);
        assert_eq!(*t.last().unwrap(), 50.0);
        assert!(component_ticks(100_000).len() <= 12);
    }

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(-0.0), "0");
        assert_eq!(tick_label(-6.0), "-6");
        assert_eq!(tick_label(1200.0), "1200");
        assert_eq!(tick_label(1.5e300), "1.5e300");
        assert_eq!(tick_label(-2.5e-7), "-2.5e-7");
    }

    #[test]
    fn ranges_are_finite_and_wide() {
        let r = padded_range([f64::NAN, f64::INFINITY].into_iter(), 0.05).range();
        assert_eq!(r, -1.1..1.1);
        let r = padded_range([3.0, 3.0].into_iter(), 0.05).range();
        assert!(r.start < 3.0 && r.end > 3.0);
        let r = padded_range([-f64::MAX, f64::MAX].into_iter(), 0.05).range();
        assert!((r.end - r.start).is_finite());
        let r = padded_range([0.0, 0.0].into_iter(), 0.05).range();
        assert_eq!(r, -1.0..1.0);
    }
}
