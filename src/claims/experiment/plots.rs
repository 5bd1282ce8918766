//! Figure 1's figures (SVG): medians over seeds with quartile bands — train and test error of GD,
//! minibatch, label noise and the best σ (Figure 1 right); the label-noise family beside
//! Algorithm 1; the σ grid (test and train error, ‖v‖₂), the Gaussian x-axis divided by 4 when
//! the runs are 4× longer (`full`).

use crate::claims::experiment::protocol::{Config, Variant};
use crate::claims::experiment::runs::{Finals, Run, Runs};
use crate::engine::stats::quantile;
use crate::evidence::{Figure, Outcome};
use crate::numfmt::fmt;
use crate::report::svg::{Scale, Series, line_plot};

/// Pointwise quantile over seeds of logged curves.
fn curve_quantile(rows: &[&Vec<f64>], q: f64) -> Vec<f64> {
    let npts = rows.iter().map(|r| r.len()).min().unwrap_or(0);
    (0..npts).map(|t| quantile(&rows.iter().map(|r| r[t]).collect::<Vec<_>>(), q)).collect()
}

/// Plotted x unit: thousands of iterations.
const X_UNIT: f64 = 1000.0;

/// Palette index of σ_j in a grid of `m` (largest σ red; label noise keeps green, GD grey).
fn sigma_color(j: usize, m: usize) -> usize {
    const FROM_LARGEST: [usize; 7] = [1, 3, 6, 5, 4, 0, 7];
    FROM_LARGEST[(m - 1 - j).min(FROM_LARGEST.len() - 1)]
}

/// Median (solid) and quartile band (dashed outline: the 25% curve left to right, then the 75%
/// curve back, one legend entry) of one variant's curve.
fn band_series(label: &str, runs: &[&Run], pick: fn(&Run) -> &Vec<f64>, color: usize, x_div: f64) -> Vec<Series> {
    let Some(first) = runs.first() else { return Vec::new() };
    let le = first.log_every as f64;
    let rows: Vec<&Vec<f64>> = runs.iter().map(|r| pick(r)).collect();
    let pts =
        |c: Vec<f64>| c.into_iter().enumerate().map(|(t, y)| (t as f64 * le / x_div / X_UNIT, y)).collect::<Vec<_>>();
    let mut outline = pts(curve_quantile(&rows, 0.25));
    let mut upper = pts(curve_quantile(&rows, 0.75));
    upper.reverse();
    outline.extend(upper);
    vec![
        Series { label: format!("{label}: median"), points: pts(curve_quantile(&rows, 0.5)), color, dashed: false },
        Series { label: format!("{label}: quartiles"), points: outline, color, dashed: true },
    ]
}

fn median_series(
    label: &str,
    runs: &[&Run],
    pick: fn(&Run) -> &Vec<f64>,
    color: usize,
    x_div: f64,
    dashed: bool,
) -> Series {
    let le = runs.first().map(|r| r.log_every as f64).unwrap_or(1.0);
    let rows: Vec<&Vec<f64>> = runs.iter().map(|r| pick(r)).collect();
    let points =
        curve_quantile(&rows, 0.5).into_iter().enumerate().map(|(t, y)| (t as f64 * le / x_div / X_UNIT, y)).collect();
    Series { label: label.into(), points, color, dashed }
}

/// The figures of the claim.
pub(super) fn figures(out: &mut Outcome, c: &Config, runs: &Runs, f: &Finals) {
    let xg = c.gauss_x_scale();
    let nseeds = runs.nseeds;
    let Finals { gauss, te_g, .. } = f;
    let best_sigma =
        (0..c.sigmas.len()).min_by(|&a, &b| quantile(&te_g[a], 0.5).total_cmp(&quantile(&te_g[b], 0.5))).unwrap_or(0);
    let main = [Variant::Gd, Variant::Minibatch, Variant::LnScript];
    for (file, what, pick) in [
        ("fig1_test_error.svg", "test error ‖v⊙v − v*⊙v*‖²", (|r: &Run| &r.test) as fn(&Run) -> &Vec<f64>),
        ("fig1_train_error.svg", "train error L(v)", |r: &Run| &r.train),
    ] {
        let mut series = Vec::new();
        for v in main {
            series.extend(band_series(&v.label(c), &runs.runs_of(v), pick, v.color(), 1.0));
        }
        let gb = Variant::Gauss(best_sigma);
        series.extend(band_series(&format!("{} (best median)", gb.label(c)), &runs.runs_of(gb), pick, gb.color(), xg));
        out.figures.push(Figure {
            file: file.into(),
            caption: format!(
                "Figure 1 (right) reproduced: {what} vs iteration, median over {nseeds} data sets with quartiles; \
                    Gaussian x-axis ÷ {}",
                fmt(xg)
            ),
            svg: line_plot(
                &format!("Fig. 1 (right): {what}"),
                "iteration (thousands)",
                what,
                Scale::Linear,
                Scale::Log10,
                &series,
            ),
        });
    }
    for (file, what, pick) in [
        ("fig1_label_noise.svg", "test error", (|r: &Run| &r.test) as fn(&Run) -> &Vec<f64>),
        ("fig1_label_noise_train.svg", "train error", |r: &Run| &r.train),
    ] {
        let mut series = Vec::new();
        for v in [Variant::LnScript, Variant::LnPaper, Variant::Alg1, Variant::LnZero] {
            series.extend(band_series(&v.label(c), &runs.runs_of(v), pick, v.color(), 1.0));
        }
        out.figures.push(Figure {
            file: file.into(),
            caption: format!(
                "The experiment's label noise (s ~ N(0,δ²) and s = ±δ) beside Algorithm 1 and δ = 0, same \
                    schedule: {what}, median over {nseeds} data sets with quartiles"
            ),
            svg: line_plot(
                &format!("Label noise, the experiment vs Algorithm 1: {what}"),
                "iteration (thousands)",
                what,
                Scale::Linear,
                Scale::Log10,
                &series,
            ),
        });
    }
    for (file, what, pick, title) in [
        (
            "fig1_gaussian_test_error.svg",
            "test error",
            (|r: &Run| &r.test) as fn(&Run) -> &Vec<f64>,
            "Gaussian noise: test error per σ",
        ),
        ("fig1_gaussian_train_error.svg", "train error", |r: &Run| &r.train, "Gaussian noise: train error per σ"),
        ("fig1_gaussian_norm.svg", "‖v‖₂", |r: &Run| &r.norm, "Gaussian noise: ‖v‖₂ per σ"),
    ] {
        let mut series: Vec<Series> = gauss
            .iter()
            .enumerate()
            .map(|(j, &g)| {
                median_series(
                    &format!("σ = {}", fmt(c.sigmas[j])),
                    &runs.runs_of(g),
                    pick,
                    sigma_color(j, c.sigmas.len()),
                    xg,
                    false,
                )
            })
            .collect();
        series.push(median_series("GD", &runs.runs_of(Variant::Gd), pick, 7, 1.0, true));
        series.push(median_series("label noise (script)", &runs.runs_of(Variant::LnScript), pick, 2, 1.0, true));
        out.figures.push(Figure {
            file: file.into(),
            caption: format!(
                "{title}: median over {nseeds} data sets (x-axis ÷ {}); GD and label noise dashed",
                fmt(xg)
            ),
            svg: line_plot(title, "iteration (thousands)", what, Scale::Linear, Scale::Log10, &series),
        });
    }
}
