//! SVG line plots with plotters (SVG backend only, no font libraries).

use plotters::prelude::*;

/// One line of a plot.
#[derive(Clone, Debug)]
pub struct Series {
    pub label: String,
    pub points: Vec<(f64, f64)>,
    /// Index into the palette.
    pub color: usize,
    /// Draw as dashed (a band edge, a reference line...).
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

fn tr(s: Scale, v: f64) -> Option<f64> {
    match s {
        Scale::Linear => v.is_finite().then_some(v),
        Scale::Log10 => (v > 0.0 && v.is_finite()).then(|| v.log10()),
    }
}

/// A line plot; log axes are drawn by plotting `log10` values with labelled exponents.
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
    let pad = 0.05 * (y1 - y0);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (760, 460)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let fmt_axis = |s: Scale| {
            move |v: &f64| match s {
                Scale::Linear => format!("{v:.3}"),
                Scale::Log10 => format!("1e{v:.1}"),
            }
        };
        let chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, (y0 - pad)..(y1 + pad));
        if let Ok(mut chart) = chart {
            let fx = fmt_axis(xs);
            let fy = fmt_axis(ys);
            let _ = chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(y_label)
                .x_label_formatter(&fx)
                .y_label_formatter(&fy)
                .draw();
            for (s, p) in series.iter().zip(pts) {
                let c = PALETTE[s.color % PALETTE.len()];
                let style = if s.dashed { c.mix(0.5).stroke_width(1) } else { c.stroke_width(2) };
                if let Ok(a) = chart.draw_series(LineSeries::new(p, style)) {
                    a.label(s.label.clone())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
                }
            }
            let _ = chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw();
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
    }
}
