//! SVG line plots with plotters (SVG backend only, no font libraries): a white background, tick
//! labels at round values (powers of ten on log axes, written `10⁻³`), axis titles, and the legend
//! in its own band below the plot, so it never hides a curve.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

/// One line of a plot.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Index into the palette.
    pub color: usize,
    /// Draw as dashed, thinner and lighter (a band edge, a reference line...).
    pub dashed: bool,
}

/// Axis scaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    Linear,
    Log10,
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Figure width and the height of the plot (the legend band below adds [`LEGEND_ROW`] per row).
const WIDTH: u32 = 900;
const PLOT_HEIGHT: u32 = 480;
/// Legend layout: entries per row, row height, the sample line's length, and the band's padding.
const LEGEND_COLUMNS: usize = 2;
const LEGEND_ROW: u32 = 24;
const LEGEND_SAMPLE: i32 = 30;
const LEGEND_PAD: u32 = 12;
/// Font sizes (plotters' units; the SVG gets about 0.8 of them in px): title, axis titles, tick
/// labels, legend.
const TITLE_FONT: u32 = 24;
const AXIS_FONT: u32 = 19;
const TICK_FONT: u32 = 17;
const LEGEND_FONT: u32 = 17;
/// Grid colours: lines at labelled ticks and the lighter minor lines (log axes: 2–9 × 10ᵏ).
const GRID: RGBColor = RGBColor(205, 205, 205);
const MINOR_GRID: RGBColor = RGBColor(236, 236, 236);
/// At most this many labelled ticks per axis.
const MAX_TICKS: usize = 8;
/// A log axis over at most this many decades also labels 2·10ᵏ and 5·10ᵏ.
const FEW_DECADES: f64 = 2.0;
/// Dash and gap length (px) of dashed series.
const DASH: u32 = 7;
const GAP: u32 = 4;

fn tr(s: Scale, v: f64) -> Option<f64> {
    match s {
        Scale::Linear => v.is_finite().then_some(v),
        Scale::Log10 => (v > 0.0 && v.is_finite()).then(|| v.log10()),
    }
}

/// One axis in plotted units (log10 of the value on a log axis), with its labelled ticks and minor
/// grid lines. Implementing [`Ranged`] lets one chart type serve linear and log axes.
#[derive(Clone, Debug)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
    minor: Vec<f64>,
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let s = (v - self.lo) / (self.hi - self.lo);
        (f64::from(limit.0) + s * f64::from(limit.1 - limit.0)).round() as i32
    }
    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() { self.minor.clone() } else { self.ticks.clone() }
    }
    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The smallest "nice" step (1, 2 or 5 × 10ᵏ) that cuts `span` into at most `max` intervals.
fn nice_step(span: f64, max: usize) -> f64 {
    let raw = span / max as f64;
    let p = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * p).find(|s| *s >= raw).unwrap_or(10.0 * p)
}

/// The axis over the plotted data range `[lo, hi]`: a log axis is widened to whole decades with a
/// labelled tick every one (or every few) decades; a linear axis gets round ticks and 5% padding.
fn axis(scale: Scale, lo: f64, hi: f64, pad: bool) -> Axis {
    match scale {
        Scale::Log10 => {
            let (lo, hi) = (lo.floor(), hi.ceil().max(lo.floor() + 1.0));
            let step = nice_step(hi - lo, MAX_TICKS).max(1.0).round();
            let first = (lo / step).ceil() * step;
            let mut ticks: Vec<f64> = (0..).map(|i| first + i as f64 * step).take_while(|t| *t <= hi).collect();
            if hi - lo <= FEW_DECADES {
                // Few decades: label 2·10ᵏ and 5·10ᵏ too.
                ticks = (lo as i64..=hi as i64)
                    .flat_map(|k| [1.0f64, 2.0, 5.0].map(|m| k as f64 + m.log10()))
                    .filter(|t| *t <= hi)
                    .collect();
            }
            let minor = if step == 1.0 {
                (lo as i64..hi as i64).flat_map(|k| (2..10).map(move |m| k as f64 + f64::from(m).log10())).collect()
            } else {
                (lo as i64..=hi as i64).map(|k| k as f64).collect()
            };
            Axis { lo, hi, ticks, minor }
        }
        Scale::Linear => {
            let margin = if pad { 0.05 * (hi - lo) } else { 0.0 };
            let (lo, hi) = (lo - margin, hi + margin);
            let step = nice_step(hi - lo, MAX_TICKS);
            let first = (lo / step).ceil() * step;
            let ticks = (0..).map(|i| first + i as f64 * step).take_while(|t| *t <= hi + 1e-9 * step).collect();
            Axis { lo, hi, ticks, minor: Vec::new() }
        }
    }
}

/// `10^k` for an integer `k`: `1`, `10`, else `10` with a superscript exponent (`10⁻³`, `10⁴`).
fn power_of_ten(k: i64) -> String {
    match k {
        0 => "1".into(),
        1 => "10".into(),
        _ => {
            let sup: String = k
                .to_string()
                .chars()
                .map(|c| match c {
                    '-' => '⁻',
                    d => ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][d.to_digit(10).unwrap_or(0) as usize],
                })
                .collect();
            format!("10{sup}")
        }
    }
}

/// A linear tick label with as many decimals as the tick step needs (scientific beyond 10⁶).
fn linear_label(v: f64, step: f64) -> String {
    if v.abs() >= 1e6 || (v != 0.0 && v.abs() < 1e-4) {
        return format!("{v:.1e}");
    }
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    let s = format!("{v:.decimals$}");
    if s.trim_start_matches('-').chars().all(|c| c == '0' || c == '.') { "0".into() } else { s }
}

/// The label of the log-axis tick `log10(m·10ᵏ)`: `10ᵏ` or `m·10ᵏ`, written as a plain decimal
/// when `plain` and |k| ≤ 3 (an axis over few decades, whose ticks include 2·10ᵏ and 5·10ᵏ).
fn log_label(v: f64, plain: bool) -> String {
    let k = (v + 1e-9).floor();
    let m = 10f64.powf(v - k).round();
    if plain && (-3.0..=3.0).contains(&k) {
        let decimals = (-k).max(0.0) as usize;
        format!("{:.decimals$}", m * 10f64.powf(k))
    } else if m == 1.0 {
        power_of_ten(k as i64)
    } else {
        format!("{m}·{}", power_of_ten(k as i64))
    }
}

fn label(scale: Scale, axis: &Axis, v: f64) -> String {
    match scale {
        Scale::Log10 => log_label(v, axis.hi - axis.lo <= FEW_DECADES),
        Scale::Linear => {
            let step = if axis.ticks.len() > 1 { axis.ticks[1] - axis.ticks[0] } else { axis.hi - axis.lo };
            linear_label(v, step)
        }
    }
}

fn style(s: &Series) -> ShapeStyle {
    let c = PALETTE[s.color % PALETTE.len()];
    if s.dashed { c.stroke_width(1) } else { c.stroke_width(2) }
}

/// A line plot with axis titles, labelled ticks, and a legend band below the plot.
pub fn line_plot(title: &str, x_label: &str, y_label: &str, xs: Scale, ys: Scale, series: &[Series]) -> String {
    let mut pts: Vec<Vec<(f64, f64)>> = Vec::new();
    let (mut x0, mut x1, mut y0, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for s in series {
        let p: Vec<(f64, f64)> = s.points.iter().filter_map(|&(x, y)| Some((tr(xs, x)?, tr(ys, y)?))).collect();
        for &(x, y) in &p {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        pts.push(p);
    }
    if !x0.is_finite() {
        (x0, x1, y0, y1) = (0.0, 1.0, 0.0, 1.0);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let (xa, ya) = (axis(xs, x0, x1, false), axis(ys, y0, y1, true));
    let rows = series.len().div_ceil(LEGEND_COLUMNS) as u32;
    let height = PLOT_HEIGHT + if rows > 0 { rows * LEGEND_ROW + 2 * LEGEND_PAD } else { 0 };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let (top, bottom) = root.split_vertically(PLOT_HEIGHT);
        let chart = ChartBuilder::on(&top)
            .caption(title, ("sans-serif", TITLE_FONT))
            .margin(14)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d(xa.clone(), ya.clone());
        if let Ok(mut chart) = chart {
            let fx = |v: &f64| label(xs, &xa, *v);
            let fy = |v: &f64| label(ys, &ya, *v);
            let _ = chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label)
                .x_label_formatter(&fx)
                .y_label_formatter(&fy)
                .label_style(("sans-serif", TICK_FONT))
                .axis_desc_style(("sans-serif", AXIS_FONT))
                .bold_line_style(GRID)
                .light_line_style(MINOR_GRID)
                .axis_style(BLACK)
                .draw();
            for (s, p) in series.iter().zip(pts) {
                let _ = if s.dashed {
                    chart.draw_series(DashedLineSeries::new(p, DASH, GAP, style(s))).map(|_| ())
                } else {
                    chart.draw_series(LineSeries::new(p, style(s))).map(|_| ())
                };
            }
        }
        let cell = (WIDTH - 2 * LEGEND_PAD) as i32 / LEGEND_COLUMNS as i32;
        let font = ("sans-serif", LEGEND_FONT).into_font().color(&BLACK);
        for (i, s) in series.iter().enumerate() {
            let x = LEGEND_PAD as i32 + (i % LEGEND_COLUMNS) as i32 * cell;
            let y = (LEGEND_PAD + (i / LEGEND_COLUMNS) as u32 * LEGEND_ROW + LEGEND_ROW / 2) as i32;
            let sample = vec![(x, y), (x + LEGEND_SAMPLE, y)];
            let _ = if s.dashed {
                bottom
                    .draw(&PathElement::new(vec![(x, y), (x + 10, y)], style(s)))
                    .and_then(|_| bottom.draw(&PathElement::new(vec![(x + 15, y), (x + LEGEND_SAMPLE, y)], style(s))))
            } else {
                bottom.draw(&PathElement::new(sample, style(s)))
            };
            let _ = bottom.draw(&Text::new(
                s.label.clone(),
                (x + LEGEND_SAMPLE + 8, y - LEGEND_FONT as i32 / 2 - 1),
                font.clone(),
            ));
        }
        let _ = root.present();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_an_svg_with_text_and_paths() {
        let s =
            Series { label: "a".into(), points: vec![(1.0, 1.0), (10.0, 0.1), (100.0, 0.01)], color: 0, dashed: false };
        let svg = line_plot("t", "x", "y", Scale::Log10, Scale::Log10, &[s]);
        assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(200)]);
        assert!(svg.contains("<polyline") || svg.contains("<path"));
        assert!(svg.contains(">\nt\n</text>"), "{svg}");
        // Tick labels at powers of ten, the legend entry below the plot.
        for t in ["0.01", "0.02", "0.05", "0.1", "1", "10", "20", "50", "100"] {
            assert!(svg.contains(&format!(">\n{t}\n</text>")), "{t}: {svg}");
        }
        assert!(svg.contains(">\na\n</text>"), "legend: {svg}");
        let wide = Series { label: "b".into(), points: vec![(1.0, 1e-6), (2.0, 1.0)], color: 1, dashed: true };
        let svg = line_plot("t", "x", "y", Scale::Linear, Scale::Log10, &[wide]);
        assert!(svg.contains(">\n10⁻⁶\n</text>") && svg.contains(">\n10⁻²\n</text>"), "{svg}");
    }

    #[test]
    fn axis_ticks_are_round() {
        let a = axis(Scale::Log10, -3.4, 2.1, true);
        assert_eq!((a.lo, a.hi), (-4.0, 3.0));
        assert_eq!(a.ticks, (-4..=3).map(f64::from).collect::<Vec<_>>());
        assert_eq!(a.minor.len(), 7 * 8);
        let wide = axis(Scale::Log10, 0.0, 12.5, true);
        assert_eq!(wide.ticks, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
        let lin = axis(Scale::Linear, 0.0, 300.0, false);
        assert_eq!(lin.ticks, [0.0, 50.0, 100.0, 150.0, 200.0, 250.0, 300.0]);
        assert_eq!(linear_label(50.0, 50.0), "50");
        assert_eq!(linear_label(1.5, 0.5), "1.5");
        assert_eq!(linear_label(-0.0, 0.5), "0");
        assert_eq!(power_of_ten(-3), "10⁻³");
        assert_eq!(power_of_ten(12), "10¹²");
        let few = axis(Scale::Log10, 0.1, 1.9, true);
        let labels: Vec<String> = few.ticks.iter().map(|t| log_label(*t, true)).collect();
        assert_eq!(labels, ["1", "2", "5", "10", "20", "50", "100"]);
        assert_eq!(log_label(2f64.log10() - 3.0, true), "0.002");
        assert_eq!(log_label(5f64.log10() - 5.0, true), "5·10⁻⁵");
        assert_eq!(log_label(-3.0, false), "10⁻³");
    }
}
