//! Langevin dynamics, eq. (2), against Algorithm 1 at `v* = 0` (helpers of Theorem 2.2; not a
//! claim).
//!
//! # Formula
//! Eq. (2): `v[t+1] = v[t] − η∇L(v[t]) + sqrt(2η/λ) ξ_t`, `ξ_t ~ N(0, I_d)`; with `v* = 0`,
//! `∇L(v) = v ⊙ (M(v⊙v))` and the Hessian is `∇²L(v) = diag(M(v⊙v)) + 2 diag(v) M diag(v)`.
//! The explicit step is linearly stable only while `η‖∇²L(v)‖₂ < 2`; on the zero set the
//! curvature grows like `‖v‖²`, so a Langevin chain that wanders out along the flat valleys
//! eventually meets the step-size limit. That is a property of the discretization, not of the
//! Gibbs measure: the monitor below stops a chain the first time `η‖∇²L‖₂ ≥ 2` (power iteration
//! on the exact Hessian) and reports it as *numerical instability*.

// NaN-safe comparisons (`!(x > 0.0)` is true for NaN) are deliberate, as in `claim.rs`.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use crate::engine::dynamics::{Dynamics, Scratch, StepStatus};
use crate::engine::lanes::PVec;
use crate::engine::model::Problem;
use crate::engine::rng::{Stream, stream};
use crate::engine::runner::Runner;
use crate::engine::stats::quantile;

/// The linear stability limit of an explicit gradient step: `η‖∇²L‖₂ < 2`.
pub const STABILITY_LIMIT: f64 = 2.0;
/// Steps between two evaluations of the stability monitor.
pub const MONITOR_EVERY: u64 = 500;
/// Above this value of `η‖∇²L‖₂` the monitor runs every [`MONITOR_CLOSE`] steps.
pub const CLOSE_TO_LIMIT: f64 = 1.5;
/// Monitoring interval close to the limit.
pub const MONITOR_CLOSE: u64 = 5;
/// Power-iteration steps of the monitor (started from the previous top eigenvector).
pub const POWER_ITERS: usize = 15;

/// `‖∇²L(v)‖₂` by power iteration (`x` is the warm start, updated in place).
pub fn hessian_norm(p: &Problem, v: &[f64], x: &mut Vec<f64>) -> f64 {
    let d = p.d();
    let m = p.m();
    let w: Vec<f64> = v.iter().map(|a| a * a).collect();
    let mw: Vec<f64> = (0..d).map(|j| (0..d).map(|k| m[j * d + k] * w[k]).sum()).collect();
    if x.len() != d || x.iter().all(|&a| a == 0.0) {
        *x = (0..d).map(|k| 1.0 + 0.01 * k as f64).collect();
    }
    let mut lam = 0.0;
    for _ in 0..POWER_ITERS {
        let nx = x.iter().map(|a| a * a).sum::<f64>().sqrt();
        if !(nx > 0.0) || !nx.is_finite() {
            return f64::INFINITY;
        }
        x.iter_mut().for_each(|a| *a /= nx);
        // y = diag(Mw) x + 2 v ⊙ (M (v ⊙ x))
        let vx: Vec<f64> = v.iter().zip(x.iter()).map(|(a, b)| a * b).collect();
        let mut y = vec![0.0; d];
        for j in 0..d {
            let s: f64 = (0..d).map(|k| m[j * d + k] * vx[k]).sum();
            y[j] = mw[j] * x[j] + 2.0 * v[j] * s;
        }
        lam = y.iter().map(|a| a * a).sum::<f64>().sqrt();
        *x = y;
    }
    lam
}

/// One monitored chain.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, Default)]
pub struct Trace {
    /// `(t, ‖v[t]‖₂)` at the recorded times.
    pub norms: Vec<(u64, f64)>,
    /// First monitored time with `η‖∇²L‖₂ ≥ 2` (the chain is stopped there).
    pub unstable_at: Option<u64>,
    /// The step at which the state overflowed (never expected with the monitor on).
    pub diverged_at: Option<u64>,
    /// Largest monitored `η‖∇²L‖₂`.
    pub max_stability: f64,
    /// `‖v‖₂` at `T/4` and at `T` (or at the stop).
    pub norm_quarter: f64,
    pub norm_final: f64,
}

/// Recording times: `0, 1, 2, 4, …` and every multiple of `T/64`, plus `T/4` and `T`.
fn record_time(t: u64, total: u64) -> bool {
    t == 0 || t.is_power_of_two() || t == total || t == total / 4 || (total >= 64 && t.is_multiple_of(total / 64))
}

/// Mean of the recorded `‖v[t]‖₂` over `lo < t ≤ hi` (NaN if none).
pub fn window_mean(tr: &Trace, lo: u64, hi: u64) -> f64 {
    let v: Vec<f64> = tr.norms.iter().filter(|p| p.0 > lo && p.0 <= hi).map(|p| p.1).collect();
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// Did the time-averaged norm fail to grow: `mean_{(7T/8, T]} ‖v‖ ≤ mean_{(T/8, T/4]} ‖v‖`? Chains
/// stopped for instability or overflow count as "did not grow".
pub fn no_growth(tr: &Trace, total: u64) -> bool {
    if tr.unstable_at.is_some() || tr.diverged_at.is_some() {
        return true;
    }
    let early = window_mean(tr, total / 8, total / 4);
    let late = window_mean(tr, total - total / 8, total);
    !(late > early)
}

/// Run `dynamics` for `total` steps from `v0` with the stability monitor (`monitor = false`
/// disables the stop, to show what happens without it).
pub fn run_monitored(
    p: &Problem,
    dynamics: &Dynamics,
    eta: f64,
    total: u64,
    v0: &PVec,
    mut rng: Stream,
    monitor: bool,
) -> Trace {
    let mut v = v0.clone();
    let mut sc = Scratch::default();
    let mut warm = Vec::new();
    let norm = |v: &PVec| v.as_slice().iter().map(|a| a * a).sum::<f64>().sqrt();
    let mut tr = Trace {
        norms: vec![(0, norm(&v))],
        unstable_at: None,
        diverged_at: None,
        max_stability: 0.0,
        norm_quarter: f64::NAN,
        norm_final: f64::NAN,
    };
    let check_stability = matches!(dynamics, Dynamics::Langevin { .. } | Dynamics::Gd);
    let mut next_check = MONITOR_EVERY;
    for t in 1..=total {
        if dynamics.step(&mut v, p, eta, &mut rng, &mut sc) == StepStatus::Diverged || !v.all_finite() {
            tr.diverged_at = Some(t);
            break;
        }
        if check_stability && (t >= next_check || t == total) {
            let s = eta * hessian_norm(p, v.as_slice(), &mut warm);
            // Close to the limit the monitor looks every few steps (blow-up is fast there).
            next_check = t + if s < CLOSE_TO_LIMIT { MONITOR_EVERY } else { MONITOR_CLOSE };
            tr.max_stability = tr.max_stability.max(if s.is_finite() { s } else { f64::MAX });
            if !(s < STABILITY_LIMIT) && tr.unstable_at.is_none() {
                tr.unstable_at = Some(t);
                if monitor {
                    tr.norms.push((t, norm(&v)));
                    break;
                }
            }
        }
        if t == total / 4 {
            tr.norm_quarter = norm(&v);
        }
        if record_time(t, total) {
            tr.norms.push((t, norm(&v)));
        }
    }
    tr.norm_final = tr.norms.last().map(|p| p.1).unwrap_or(f64::NAN);
    tr
}

/// The chains of one comparison: the same step size and start; chain `j` of `purpose` uses the
/// stream `(seed, "2.2", purpose, j)`.
pub struct Chains<'a> {
    pub runner: &'a Runner,
    pub seed: u64,
    pub eta: f64,
    pub v0: &'a PVec,
}

impl Chains<'_> {
    /// `chains` monitored runs of `dynamics` on `p` for `total` steps.
    pub fn run(&self, purpose: &str, p: &Problem, dynamics: &Dynamics, total: u64, chains: usize) -> Vec<Trace> {
        self.runner.map(purpose, chains, |j| {
            run_monitored(p, dynamics, self.eta, total, self.v0, stream(self.seed, "2.2", purpose, j as u64), true)
        })
    }
}

/// Pointwise median over chains of `‖v[t]‖₂` at the recording times of the first chain (chains
/// stopped early contribute up to their stop).
pub fn median_curve(traces: &[Trace]) -> Vec<(f64, f64)> {
    let Some(first) = traces.first() else { return Vec::new() };
    let mut out = Vec::new();
    for &(t, _) in &first.norms {
        let vals: Vec<f64> = traces
            .iter()
            .filter_map(|tr| tr.norms.iter().find(|p| p.0 == t).map(|p| p.1))
            .filter(|x| x.is_finite())
            .collect();
        if vals.len() * 2 >= traces.len() && t > 0 {
            out.push((t as f64, quantile(&vals, 0.5)));
        }
    }
    out
}
