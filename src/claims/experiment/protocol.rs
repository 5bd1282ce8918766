//! Figure 1's protocol (Appendix A.1) as the experiment instantiates it: the `Config` from the
//! budget and the command line, and the `Variant`s — GD, minibatch, label noise (the script's
//! `s ~ N(0, δ²)`, Appendix A's `s = ±δ`, `δ = 0`), Algorithm 1 beside them, and the Gaussian σ
//! grid — each an engine [`Dynamics`] with its [`Schedule`].

use crate::claim::{Ctx, PerBudget};
use crate::engine::dynamics::{Dynamics, LabelNoise};
use crate::engine::model::Data;
use crate::engine::schedule::Schedule;
use crate::error::{Error, Result, check};

/// σ grid of the default and full budgets (brackets the best σ; 0.3 and 1 show the growth of ‖v‖).
pub const SIGMA_GRID: [f64; 7] = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0];
/// σ grid of the quick budget.
pub const SIGMA_GRID_QUICK: [f64; 3] = [1e-3, 1e-1, 1.0];
/// The σ grid per budget.
const SIGMAS: PerBudget<&[f64]> = PerBudget::new(&SIGMA_GRID_QUICK, &SIGMA_GRID, &SIGMA_GRID);
/// Data sets (seeds). Statements are "P(failure) ≤ 1/2" over data sets; with k data sets a control
/// that fails on all of them has p = 2·2^−k, which must be ≤ α/evidence::CONTROL_FAMILY_REFERENCE =
/// 1e−5: k ≥ 18.
const INSTANCES: PerBudget<usize> = PerBudget::new(18, 20, 40);
/// Short runs that measure the minibatch divergence rate (without `--instances`).
const MB_DIVERGENCE_RUNS: PerBudget<usize> = PerBudget::new(200, 400, 2000);
/// GD and minibatch length as a fraction of the label-noise schedule's.
const GDMB_LENGTH: PerBudget<Fraction> = PerBudget::new(Fraction(1, 3), Fraction(1, 1), Fraction(1, 1));
/// Gaussian length as a fraction of the label-noise schedule's (the paper: 4×).
const GAUSS_LENGTH: PerBudget<Fraction> = PerBudget::new(Fraction(1, 3), Fraction(1, 3), Fraction(4, 1));

/// A run length `num/den` of another, in integer steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fraction(u64, u64);

impl Fraction {
    /// `t·num/den` (`t/den` when `num = 1`, `num·t` when `den = 1`, as the protocol writes them).
    fn of(self, t: u64) -> u64 {
        t * self.0 / self.1
    }
}

/// A variant of the experiment (or Algorithm 1 beside it).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Variant {
    Gd,
    Minibatch,
    LnScript,
    LnPaper,
    LnZero,
    Alg1,
    Gauss(usize),
}

/// The instantiated protocol.
pub(super) struct Config {
    pub d: usize,
    pub n: usize,
    pub r: usize,
    pub alpha: f64,
    pub delta: f64,
    pub lr: f64,
    /// Label-noise schedule length (3e5), decays at t/3 and 2t/3.
    pub t_ln: u64,
    /// GD and minibatch length.
    pub t_gdmb: u64,
    /// Gaussian length (the paper: 4 · 3e5).
    pub t_gauss: u64,
    pub instances: usize,
    pub sigmas: Vec<f64>,
    pub mb_div_runs: usize,
    pub mb_div_steps: u64,
    pub data: Option<Data>,
}

impl Config {
    pub fn from_ctx(ctx: &Ctx) -> Result<Config> {
        let o = &ctx.overrides;
        let data = match &o.data {
            Some(path) => {
                if o.d.is_some() || o.n.is_some() {
                    return Err(Error::InvalidParam {
                        name: "--data".into(),
                        value: path.display().to_string(),
                        valid: "--d and --n come from the data file; do not combine them with --data".into(),
                    });
                }
                Some(Data::from_csv(path)?)
            }
            None => None,
        };
        let d = data.as_ref().map(|x| x.d()).unwrap_or(o.d.unwrap_or(100));
        let n = data.as_ref().map(|x| x.n()).unwrap_or(o.n.unwrap_or(40));
        check::at_least_one("d", d as u64)?;
        check::at_least_one("n", n as u64)?;
        let r = o.r.unwrap_or(5.min(d));
        check::sparsity(r, d)?;
        let alpha = check::positive("tau", o.tau.unwrap_or(1.0))?;
        let delta = check::non_negative("delta", o.delta.unwrap_or(1.0))?;
        let lr = check::positive("eta", o.eta.unwrap_or(0.01))?;
        let t_ln = o.steps.unwrap_or(300_000);
        check::int_range("steps", t_ln, 6, u64::MAX / 8)?;
        let b = ctx.budget;
        let t_gdmb = GDMB_LENGTH.at(b).of(t_ln);
        let t_gauss = GAUSS_LENGTH.at(b).of(t_ln);
        let instances = check::at_least_one("instances", o.instances.unwrap_or(INSTANCES.at(b)) as u64)? as usize;
        let sigmas = SIGMAS.at(b).to_vec();
        Ok(Config {
            d,
            n,
            r,
            alpha,
            delta,
            lr,
            t_ln,
            t_gdmb,
            t_gauss,
            instances,
            sigmas,
            // The side runs that measure the minibatch divergence rate (all divergences seen happen
            // within a few hundred steps); with --instances they scale with it.
            mb_div_runs: o.instances.map(|k| (20 * k).min(2000)).unwrap_or(MB_DIVERGENCE_RUNS.at(b)),
            mb_div_steps: 1000.min(t_gdmb),
            data,
        })
    }

    pub fn variants(&self) -> Vec<Variant> {
        let mut v =
            vec![Variant::Gd, Variant::Minibatch, Variant::LnScript, Variant::LnPaper, Variant::LnZero, Variant::Alg1];
        v.extend((0..self.sigmas.len()).map(Variant::Gauss));
        v
    }

    pub fn ln_schedule(&self) -> Result<Schedule> {
        Schedule::step_decay(self.lr, &[self.t_ln / 3, 2 * self.t_ln / 3], 10.0, self.t_ln)
    }

    /// Divide the Gaussian runs' iterations by this to plot them on the label-noise axis (4 in
    /// the paper; 1 when the Gaussian runs are not longer).
    pub fn gauss_x_scale(&self) -> f64 {
        (self.t_gauss as f64 / self.t_ln as f64).max(1.0)
    }
}

impl Variant {
    pub fn key(self) -> String {
        match self {
            Variant::Gd => "gd".into(),
            Variant::Minibatch => "minibatch".into(),
            Variant::LnScript => "label-noise-gaussian".into(),
            Variant::LnPaper => "label-noise-rademacher".into(),
            Variant::LnZero => "label-noise-delta0".into(),
            Variant::Alg1 => "alg1".into(),
            Variant::Gauss(j) => format!("gaussian-{j}"),
        }
    }
    pub fn label(self, c: &Config) -> String {
        match self {
            Variant::Gd => "GD".into(),
            Variant::Minibatch => format!("minibatch (δ = {})", c.delta),
            Variant::LnScript => "label noise, s ~ N(0,δ²) (script)".into(),
            Variant::LnPaper => "label noise, s = ±δ (App. A)".into(),
            Variant::LnZero => "label noise, δ = 0 (control)".into(),
            Variant::Alg1 => "Algorithm 1, same schedule".into(),
            Variant::Gauss(j) => format!("Gaussian σ = {}", c.sigmas[j]),
        }
    }
    pub fn what(self) -> &'static str {
        match self {
            Variant::Gd => "v − η∇L, constant η",
            Variant::Minibatch => "v − η(∇L + δ(∇ℓ_i − ∇ℓ_j)), constant η",
            Variant::LnScript => "v − η(∇L + ∇ℓ̃_i − ∇ℓ_i), s ~ N(0, δ²), η decayed ×0.1 twice",
            Variant::LnPaper => "v − η(∇L + ∇ℓ̃_i − ∇ℓ_i), s = ±δ, η decayed ×0.1 twice",
            Variant::LnZero => "the label-noise variant with δ = 0 (= GD), same schedule",
            Variant::Alg1 => "Algorithm 1: v − η∇ℓ̃_i (no full gradient), same schedule",
            Variant::Gauss(_) => "v − η(∇L + σξ), constant η",
        }
    }
    pub fn dynamics(self, c: &Config) -> Dynamics {
        match self {
            Variant::Gd => Dynamics::Gd,
            Variant::Minibatch => Dynamics::ExpMinibatch { delta: c.delta, bs: 1 },
            Variant::LnScript => Dynamics::ExpLabelNoise { delta: c.delta, noise: LabelNoise::Gaussian },
            Variant::LnPaper => Dynamics::ExpLabelNoise { delta: c.delta, noise: LabelNoise::Rademacher },
            Variant::LnZero => Dynamics::ExpLabelNoise { delta: 0.0, noise: LabelNoise::Gaussian },
            Variant::Alg1 => Dynamics::Alg1 { delta: c.delta },
            Variant::Gauss(j) => Dynamics::GdGauss { sigma: c.sigmas[j] },
        }
    }
    pub fn schedule(self, c: &Config) -> Result<Schedule> {
        match self {
            Variant::Gd | Variant::Minibatch => Schedule::constant(c.lr, c.t_gdmb),
            Variant::LnScript | Variant::LnPaper | Variant::LnZero | Variant::Alg1 => c.ln_schedule(),
            Variant::Gauss(_) => Schedule::constant(c.lr, c.t_gauss),
        }
    }
    pub fn color(self) -> usize {
        match self {
            Variant::Gd => 0,
            Variant::Minibatch => 3,
            Variant::LnScript => 2,
            Variant::LnPaper => 4,
            Variant::LnZero => 7,
            Variant::Alg1 => 5,
            Variant::Gauss(_) => 1,
        }
    }
    /// States of the first seeds are kept for the exact one-step checks.
    pub fn probed(self) -> bool {
        matches!(self, Variant::Minibatch | Variant::LnScript | Variant::LnPaper | Variant::Alg1)
    }
}
