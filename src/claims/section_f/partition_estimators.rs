//! Estimators of the truncated partition function `Z_R = ∫_{‖v‖₂² ≤ R} e^{−λL(v)} dv` of
//! Theorem 2.2 and of its growth exponent: the polar (Dirichlet/γ) estimator on a geometric grid
//! of radii, plain or under a defensive mixture with tubes around the zero set; the
//! importance-sampled slope of `log F(ε)`; grouped-jackknife pseudo-values; the asymptote
//! `Z_R ∼ pref·R^{d/2−n}`.

use crate::claim::Ctx;
use crate::claims::section_f::theorem_2_2::JACKKNIFE_GROUPS;
use crate::engine::lp::Mat;
use crate::engine::partition::{self as zr, TubeSampler, ln_sum_exp};
use crate::tol;

/// Least-squares slope of `ys` against `xs`.
pub fn ls_slope(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len() as f64;
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    sxy / sxx
}

/// Grouped-jackknife pseudo-values of `stat` over `g` groups (`stat` receives the kept groups).
pub fn jackknife<F: Fn(&[usize]) -> f64>(g: usize, stat: F) -> (f64, Vec<f64>) {
    let all: Vec<usize> = (0..g).collect();
    let full = stat(&all);
    let mut pv = Vec::with_capacity(g);
    for k in 0..g {
        let keep: Vec<usize> = (0..g).filter(|&i| i != k).collect();
        pv.push(g as f64 * full - (g as f64 - 1.0) * stat(&keep));
    }
    (full, pv)
}

/// Direct `Z_R` on a geometric grid: per group, the log of the summed shell integrals
/// `∫_{R_{k−1}}^{R_k}` (`R_{−1} = 0`); the draws are `q(W)`, `W` uniform-sphere squares.
pub struct DirectZr {
    pub rs: Vec<f64>,
    /// `[group][interval]` log-sums; interval 0 is `[0, R_0]`.
    pub ln_sums: Vec<Vec<f64>>,
    pub draws: usize,
    pub d: usize,
}

impl DirectZr {
    /// `tube = Some((sampler, scales))`: draws from the defensive mixture ½ plain + ½ multi-scale
    /// tube (importance weights `f/q_mix`); `None`: plain uniform-θ draws.
    pub fn run(
        ctx: &Ctx,
        purpose: &str,
        x: &Mat,
        lambda: f64,
        rs: &[f64],
        draws: usize,
        tube: Option<(&TubeSampler, &[f64])>,
    ) -> DirectZr {
        let g = JACKKNIFE_GROUPS;
        let per = draws.div_ceil(g);
        let d = x.d;
        let ln_sums = ctx.runner.map(purpose, g, |gi| {
            let mut rng = ctx.stream("2.2", purpose, gi as u64);
            let mut w = Vec::with_capacity(d);
            let mut per_draw: Vec<Vec<f64>> = vec![Vec::with_capacity(per); rs.len()];
            for _ in 0..per {
                let (q, ln_w) = match tube {
                    None => (zr::draw_q(x, &mut rng, &mut w), 0.0),
                    Some((ts, scales)) => {
                        let (q, wt) = ts.draw_mixture(scales, 0.5, &mut rng, &mut w);
                        (q, wt.ln())
                    }
                };
                let b = lambda * q;
                let mut lo = 0.0;
                for (k, &r) in rs.iter().enumerate() {
                    per_draw[k].push(if ln_w.is_finite() {
                        ln_w + zr::ln_shell(d, b, lo, r)
                    } else {
                        f64::NEG_INFINITY
                    });
                    lo = r;
                }
            }
            per_draw.iter().map(|v| ln_sum_exp(v)).collect::<Vec<f64>>()
        });
        DirectZr { rs: rs.to_vec(), ln_sums, draws: per * g, d }
    }
    /// `ln` of the mean shell integral of interval `k` over the kept groups.
    fn ln_shell_mean(&self, keep: &[usize], k: usize) -> f64 {
        let v: Vec<f64> = keep.iter().map(|&g| self.ln_sums[g][k]).collect();
        let per = self.draws / self.ln_sums.len();
        ln_sum_exp(&v) - ((keep.len() * per) as f64).ln()
    }
    /// `Z_{R_k}` estimates (all groups).
    pub fn z(&self) -> Vec<f64> {
        let all: Vec<usize> = (0..self.ln_sums.len()).collect();
        let c = zr::ln_simplex_mass(self.d);
        let mut acc = 0.0;
        (0..self.rs.len())
            .map(|k| {
                acc += (c + self.ln_shell_mean(&all, k)).exp();
                acc
            })
            .collect()
    }
    /// Growth exponent: LS slope of `ln ΔZ_k` against `ln R_{k−1}` over the intervals
    /// `[R_{k−1}, R_k]`, `k ∈ window` (geometric grid ⇒ exactly `p` for `Z_R = AR^p + B`).
    pub fn exponent(&self, keep: &[usize], window: std::ops::Range<usize>) -> f64 {
        let xs: Vec<f64> = window.clone().map(|k| self.rs[k - 1].ln()).collect();
        let ys: Vec<f64> = window.map(|k| self.ln_shell_mean(keep, k)).collect();
        ls_slope(&xs, &ys)
    }
}

/// Importance-sampled `F(ε_a)`, `F(ε_b)`: per group the summed weights.
pub struct IsSlope {
    pub eps: [f64; 2],
    pub sums: Vec<[f64; 2]>,
    pub per: usize,
}

impl IsSlope {
    pub fn run(ctx: &Ctx, purpose: &str, ts: &TubeSampler, eps: [f64; 2], draws: usize) -> IsSlope {
        let g = JACKKNIFE_GROUPS;
        let per = draws.div_ceil(g);
        let sums = ctx.runner.map(purpose, g, |gi| {
            let mut out = [0.0; 2];
            for (e, o) in eps.iter().zip(out.iter_mut()) {
                let mut rng = ctx.stream("2.2", &format!("{purpose}-{e:e}"), gi as u64);
                for _ in 0..per {
                    *o += ts.draw(*e, &mut rng);
                }
            }
            out
        });
        IsSlope { eps, sums, per }
    }
    pub fn f(&self, keep: &[usize], which: usize) -> f64 {
        keep.iter().map(|&g| self.sums[g][which]).sum::<f64>() / (keep.len() * self.per) as f64
    }
    /// Slope of `ln F` against `ln ε` between the two levels.
    pub fn slope(&self, keep: &[usize]) -> f64 {
        (self.f(keep, 1) / self.f(keep, 0)).ln() / (self.eps[1] / self.eps[0]).ln()
    }
}

/// `κ Γ(n/2+1) C λ^{−n/2}`-type prefactors: `Z_R ∼ pref · R^{d/2−n}` (`n < d/2`) or `pref · ln R`.
pub fn asymptote_prefactor(d: usize, n: usize, lambda: f64, kappa: f64) -> f64 {
    let c = 0.5 * zr::ln_simplex_mass(d).exp();
    let g = statrs::function::gamma::gamma(n as f64 / 2.0 + 1.0);
    let base = c * kappa * g * lambda.powf(-(n as f64) / 2.0);
    let e = d as f64 / 4.0 - n as f64 / 2.0;
    if e.abs() < tol::F_ZERO_EXPONENT { 2.0 * base } else { base / e }
}

/// Importance-sampling draws cost `O(K·n(d−n))` each: above `n(d−n) = 600` (command-line sizes)
/// the number of draws is scaled down so that the work stays bounded (wider intervals, honestly
/// reported), with at least 50 draws per jackknife group.
pub(super) fn work_capped(draws: usize, n: usize, d: usize) -> usize {
    let w = (n * (d - n)) as f64;
    if w <= 600.0 { draws } else { ((draws as f64 * 600.0 / w) as usize).max(50 * JACKKNIFE_GROUPS) }
}

/// Plain estimator (`n = 1`): `R_k = 10^{k/2}`, `k = 0..=10`; the exponent uses the intervals
/// with `R ∈ [1e2, 1e4]` (SPEC §8.4: direct estimation only for small `n` and `R ≤ 1e4`).
pub(super) fn plain_grid() -> (Vec<f64>, std::ops::Range<usize>) {
    let rs: Vec<f64> = (0..=10).map(|k| 10f64.powf(k as f64 / 2.0)).collect();
    (rs, 5..9)
}

/// Mixture estimator: `R_k = 10^{k/2}` from 1 up to `100·R_lo`, `R_lo = 10/√(λ ε_tube)` rounded
/// up to the grid; the exponent uses the 4 intervals above `R_lo`, whose increments come from
/// `q ~ 1/(λR²) ∈ [ε_tube/1e6, ε_tube/100]`. Tube widths `ε_tube·f^{−m}` down to `ε_tube·1e−7`,
/// `f = 10^{min(1, 2/n)}` (a tube of width `f·ε` puts mass `f^{−n/2} ≥ 0.1` below `ε`).
pub(super) fn mixture_grid(eps_tube: f64, lambda: f64, n: usize) -> (Vec<f64>, std::ops::Range<usize>, Vec<f64>) {
    let r_lo = 10.0 / (lambda * eps_tube).sqrt();
    let k_lo = ((2.0 * r_lo.log10()).ceil().max(1.0)) as usize;
    let rs: Vec<f64> = (0..=k_lo + 4).map(|k| 10f64.powf(k as f64 / 2.0)).collect();
    let step = (2.0 / n as f64).min(1.0);
    let m = (7.0 / step).ceil() as i32 + 1;
    let scales: Vec<f64> = (0..m).map(|k| eps_tube * 10f64.powf(-(k as f64) * step)).collect();
    (rs, k_lo + 1..k_lo + 5, scales)
}
