//! The chains of the Stage-0 claims: the literal runs of Algorithm 1 (unstopped, with the
//! `b0`-bounded coupling read off the path), the variant runs stopped by the engine at a level `b`,
//! and the practical runs; each cached per parameters, so the four claims of one process share them.

use std::sync::Arc;

use serde::Serialize;

use super::setting::{Constants, Instance, L2_LEVEL, PLAN, STREAM_CLAIM, VARIANT_LEVEL};
use crate::claim::{Ctx, PerBudget};
use crate::engine::cache::cached;
use crate::engine::dynamics::{Dynamics, Scratch, StepStatus};
use crate::engine::lanes::{self, PVec};
use crate::engine::rng::Stream;
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{Batch, StopSet, run_chain, sum_sqrt_all};
use crate::error::Result;

/// Which dynamics a run uses.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Kind {
    /// Algorithm 1 at the instance's `δ`.
    Alg1,
    /// Algorithm 1 with `δ = 0` (negative control: no label noise).
    NoNoise,
    /// SGD with spherical Gaussian noise of the matched variance (negative control).
    Gauss,
}

impl Kind {
    /// The engine dynamics.
    pub fn dynamics(self, inst: &Instance) -> Dynamics {
        match self {
            Kind::Alg1 => Dynamics::Alg1 { delta: inst.c.delta },
            Kind::NoNoise => Dynamics::Alg1 { delta: 0.0 },
            Kind::Gauss => Dynamics::SgdGauss { sigma: inst.matched_sigma() },
        }
    }
    /// Label used in stream names and reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Alg1 => "alg1",
            Kind::NoNoise => "delta0",
            Kind::Gauss => "gauss",
        }
    }
}

/// The end of a chain that ran to `T`.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, Default)]
pub struct End {
    /// `‖v[T]‖_∞` of the real chain (for the Gaussian control: `max_k |v_k|`).
    pub max_v: f64,
    /// `min_k ln v_k[T]` (`−∞` if some entry is not positive).
    pub min_log_v: f64,
    /// `max_k ln v_k[T]`.
    pub max_log_v: f64,
    /// `(1/d) Σ_k ln v_k[T]` (a typical coordinate).
    pub mean_log_v: f64,
    /// `Φ(ṽ[T])` for the `b0`-bounded coupling and potential.
    pub phi_stopped: f64,
    /// `‖ṽ[T]‖₁` of the `b0`-bounded coupling.
    pub l1_stopped: f64,
}

/// What one chain of a literal run recorded.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, Default)]
pub struct LitChain {
    /// `τ_b0 = min{t : ‖v[t]‖₁ > b0}`.
    pub exit_b0: Option<u64>,
    /// `min{t : ‖v[t]‖₂ > b0}`.
    pub l2_exit_b0: Option<u64>,
    /// `min{t : ‖v[t]‖₂ > b_ℓ2}` (the ℓ2 variant's level).
    pub l2_hit: Option<u64>,
    /// `max_{t ≤ T} ‖v[t]‖₁`.
    pub max_l1: f64,
    /// `Φ(ṽ[t_j])` at the checkpoints of the run.
    pub phi: Vec<f64>,
    /// The end (chains that ran to `T`; `None` for the short E Φ chains).
    pub end: Option<End>,
    pub diverged_at: Option<u64>,
    /// States `v[t]` recorded for the exact checks (the first chains only).
    pub states: Vec<(u64, PVec)>,
}

/// A run of chains at one instance.
#[derive(Clone, Debug)]
pub struct LitRun {
    pub kind: Kind,
    pub t: u64,
    pub checkpoints: Vec<u64>,
    pub b_l2: f64,
    pub chains: Vec<LitChain>,
    /// Chains that ran to `T` (the first `long` chains).
    pub long: usize,
}

impl LitRun {
    /// The chains that ran to `T`.
    pub fn long_chains(&self) -> &[LitChain] {
        &self.chains[..self.long]
    }
    /// Count of long chains satisfying `f`, and the number of long chains.
    pub fn count(&self, f: impl Fn(&LitChain) -> bool) -> (u64, u64) {
        let l = self.long_chains();
        (l.iter().filter(|c| f(c)).count() as u64, l.len() as u64)
    }
    /// The horizon of the short chains (the last checkpoint; `T` if there are none).
    pub fn t_short(&self) -> u64 {
        self.checkpoints.iter().copied().max().unwrap_or(self.t).min(self.t)
    }
    /// Count over all chains (long and short) of an event decided by time `t_short`, given the
    /// hitting time it depends on.
    pub fn count_by_short(&self, hit: impl Fn(&LitChain) -> Option<u64>) -> (u64, u64) {
        let ts = self.t_short();
        let k = self
            .chains
            .iter()
            .filter(|c| hit(c).is_some_and(|t| t <= ts) || c.diverged_at.is_some_and(|t| t <= ts))
            .count();
        (k as u64, self.chains.len() as u64)
    }
    /// Diverged long chains.
    pub fn diverged(&self) -> u64 {
        self.long_chains().iter().filter(|c| c.diverged_at.is_some()).count() as u64
    }
}

/// Number of chains whose states are recorded for the exact checks.
pub const RECORDED_CHAINS: usize = 3;

fn record_times(t: u64) -> Vec<u64> {
    let mut v: Vec<u64> = [0u64, t / 4096, t / 256, t / 64, t / 16, t / 4, t].into_iter().collect();
    v.dedup();
    v
}

/// Run `long` chains to `inst.c.t` and `total − long` more to the last checkpoint; cached per
/// `(seed, instance, kind, counts, checkpoints)`. Streams: `(seed, "stage0", "<tag>-<kind>", j)`.
pub fn lit_run(ctx: &Ctx, inst: &Instance, kind: Kind, long: usize, total: usize, checkpoints: &[u64]) -> Arc<LitRun> {
    lit_run_opt(ctx, inst, kind, long, total, checkpoints, false)
}

/// Like [`lit_run`]; with `stop_l2` every chain stops at its first `‖v[t]‖₂ > (5/4)τd` (the ℓ2
/// variant's control: only the hitting time is used; such chains have no `end`).
pub fn lit_run_opt(
    ctx: &Ctx,
    inst: &Instance,
    kind: Kind,
    long: usize,
    total: usize,
    checkpoints: &[u64],
    stop_l2: bool,
) -> Arc<LitRun> {
    let c = &inst.c;
    let total = total.max(long);
    let t_short = checkpoints.iter().copied().max().unwrap_or(0).min(c.t);
    let b_l2 = L2_LEVEL * c.tau * c.d as f64;
    let key = format!("litrun|{}|{}|{:?}|{kind:?}|{long}|{total}|{checkpoints:?}|{stop_l2}", ctx.seed, inst.tag, c);
    let dynamics = kind.dynamics(inst);
    let purpose = format!("{}-{}", inst.tag, kind.label());
    let cps: Vec<u64> = checkpoints.to_vec();
    cached("stage0", key, || {
        let chains = ctx.runner.map(&format!("stage0 {purpose}"), total, |j| {
            let t_end = if j < long { c.t } else { t_short };
            let rec = if j < RECORDED_CHAINS { record_times(t_end) } else { Vec::new() };
            let mut rng = ctx.stream(STREAM_CLAIM, &purpose, j as u64);
            let walk = Walk { inst, dynamics: &dynamics, cps: &cps, b_l2, stop_l2 };
            one_chain(&walk, t_end, &rec, j < long, &mut rng)
        });
        LitRun { kind, t: c.t, checkpoints: cps.clone(), b_l2, chains, long }
    })
}

/// What every chain of a literal run shares: the instance, the dynamics, the `E Φ` checkpoints,
/// the ℓ2 variant's level and whether a chain stops when it reaches it.
struct Walk<'a> {
    inst: &'a Instance,
    dynamics: &'a Dynamics,
    cps: &'a [u64],
    b_l2: f64,
    stop_l2: bool,
}

/// One chain of a literal run to `t_end`, recording the states at the times `rec`; `full`: a chain
/// that runs to `T` (its `end` is filled in).
fn one_chain(walk: &Walk, t_end: u64, rec: &[u64], full: bool, rng: &mut Stream) -> LitChain {
    let Walk { inst, dynamics, cps, b_l2, stop_l2 } = *walk;
    let c = &inst.c;
    let p = &inst.p;
    let mut v = inst.v0();
    let mut sc = Scratch::default();
    let b0 = c.b0;
    let trigger = b0.min(b_l2);
    let mut out = LitChain {
        exit_b0: None,
        l2_exit_b0: None,
        l2_hit: None,
        max_l1: lanes::sum_abs(v.blocks()),
        phi: vec![0.0; cps.len()],
        end: None,
        diverged_at: None,
        states: Vec::new(),
    };
    let mut exit_l1 = 0.0;
    let phi_now = |v: &PVec, exited: bool| if exited { 0.0 } else { sum_sqrt_all(v) };
    for (q, &tc) in cps.iter().enumerate() {
        if tc == 0 {
            out.phi[q] = phi_now(&v, false);
        }
    }
    if rec.contains(&0) {
        out.states.push((0, v.clone()));
    }
    let mut next_cp = 0usize;
    while next_cp < cps.len() && cps[next_cp] == 0 {
        next_cp += 1;
    }
    let mut next_rec = rec.iter().position(|&x| x > 0).unwrap_or(rec.len());
    for t in 1..=t_end {
        if dynamics.step(&mut v, p, c.eta, rng, &mut sc) == StepStatus::Diverged {
            out.diverged_at = Some(t);
            break;
        }
        let l1 = lanes::sum_abs(v.blocks());
        if l1 > out.max_l1 {
            out.max_l1 = l1;
        }
        if l1 > trigger {
            let l2 = lanes::sum_sq(v.blocks()).sqrt();
            if l2 > b0 && out.l2_exit_b0.is_none() {
                out.l2_exit_b0 = Some(t);
            }
            if l2 > b_l2 && out.l2_hit.is_none() {
                out.l2_hit = Some(t);
                if stop_l2 {
                    return out;
                }
            }
            if l1 > b0 && out.exit_b0.is_none() {
                out.exit_b0 = Some(t);
                exit_l1 = l1;
            }
        }
        while next_cp < cps.len() && cps[next_cp] == t {
            out.phi[next_cp] = phi_now(&v, out.exit_b0.is_some());
            next_cp += 1;
        }
        if next_rec < rec.len() && rec[next_rec] == t {
            out.states.push((t, v.clone()));
            next_rec += 1;
        }
    }
    if full && out.diverged_at.is_none() {
        let s = v.as_slice();
        let max_v = max_abs(s);
        let min_log_v = min_log(s);
        let max_log_v = s.iter().fold(f64::NEG_INFINITY, |a, &x| a.max(log_pos(x)));
        let mean_log_v = s.iter().map(|&x| log_pos(x)).sum::<f64>() / s.len() as f64;
        let exited = out.exit_b0.is_some();
        out.end = Some(End {
            max_v,
            min_log_v,
            max_log_v,
            mean_log_v,
            phi_stopped: if exited { 0.0 } else { sum_sqrt_all(&v) },
            l1_stopped: if exited { exit_l1 } else { lanes::sum_abs(v.blocks()) },
        });
    }
    out
}

/// `ln x` for `x > 0`, `−∞` otherwise.
fn log_pos(x: f64) -> f64 {
    if x > 0.0 { x.ln() } else { f64::NEG_INFINITY }
}

/// `max_k |v_k|`.
fn max_abs(s: &[f64]) -> f64 {
    s.iter().fold(0.0f64, |a, &x| a.max(x.abs()))
}

/// `min_k ln v_k` (`−∞` if some entry is not positive).
fn min_log(s: &[f64]) -> f64 {
    s.iter().fold(f64::INFINITY, |a, &x| a.min(log_pos(x)))
}

/// What one chain of the variant run (the engine's stopped chain at level `b`) recorded.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize, Default)]
pub struct VarChain {
    /// `τ_b` (exit step of the `b`-ball).
    pub exit: Option<u64>,
    /// `‖ṽ_b[t_j]‖₁` at the checkpoints.
    pub l1: Vec<f64>,
    /// `Φ_b(ṽ_b[t_j])` (the `b`-bounded potential) at the checkpoints.
    pub phi: Vec<f64>,
    pub diverged_at: Option<u64>,
    /// Recorded states (first chains only).
    pub states: Vec<(u64, PVec)>,
}

/// The variant run: `kind` dynamics at `inst`'s constants, stopped at `‖v‖₁ > b` by the engine's
/// `run_chain` (Definition B.1 at level `b`).
#[derive(Clone, Debug)]
pub struct VarRun {
    pub b: f64,
    pub t: u64,
    pub checkpoints: Vec<u64>,
    pub chains: Vec<VarChain>,
}

/// The stream purpose of the stopped chains of `kind` at an instance.
pub fn var_purpose(tag: &str, kind: Kind) -> String {
    format!("{tag}-variant-{}", kind.label())
}

/// Run (and cache) the stopped chains at level `b`.
pub fn var_run(
    ctx: &Ctx,
    inst: &Instance,
    kind: Kind,
    b: f64,
    t: u64,
    chains: usize,
    checkpoints: &[u64],
) -> Arc<VarRun> {
    let c = &inst.c;
    let key = format!("varrun|{}|{}|{:?}|{kind:?}|{b}|{t}|{chains}|{checkpoints:?}", ctx.seed, inst.tag, c);
    let dynamics = kind.dynamics(inst);
    let purpose = var_purpose(&inst.tag, kind);
    let cps = checkpoints.to_vec();
    cached("stage0", key, || {
        let sched = Schedule::constant(c.eta, t).expect("η > 0");
        let out = ctx.runner.map(&format!("stage0 {purpose}"), chains, |j| {
            let mut rng = ctx.stream(STREAM_CLAIM, &purpose, j as u64);
            let mut l1 = vec![f64::NAN; cps.len()];
            let mut phi = vec![0.0; cps.len()];
            let rec = if j < RECORDED_CHAINS { [t / 16, t / 4, t / 2] } else { [u64::MAX; 3] };
            let mut states = Vec::new();
            let mut obs = |s: u64, v: &PVec| {
                for (q, &tc) in cps.iter().enumerate() {
                    if tc == s {
                        let n1 = lanes::sum_abs(v.blocks());
                        l1[q] = n1;
                        phi[q] = if n1 <= b { sum_sqrt_all(v) } else { 0.0 };
                    }
                }
                if rec.contains(&s) {
                    states.push((s, v.clone()));
                }
            };
            let end =
                run_chain(Batch::new(&inst.p, &dynamics, &sched, StopSet::L1Ball { b }), inst.v0(), &mut rng, &mut obs);
            // The observer is not called after the chain froze: the frozen value is ṽ[τ_b].
            let frozen = lanes::sum_abs(end.v.blocks());
            for q in 0..cps.len() {
                if l1[q].is_nan() {
                    l1[q] = frozen;
                    phi[q] = 0.0;
                }
            }
            VarChain { exit: end.exit_step, l1, phi, diverged_at: end.diverged_at, states }
        });
        VarRun { b, t, checkpoints: cps.clone(), chains: out }
    })
}

/// A chain of the practical regime: `‖v[t]‖_∞` and `min_k ln v_k[t]` at the checkpoints.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct PracChain {
    pub max_v: Vec<f64>,
    pub min_log_v: Vec<f64>,
    pub diverged_at: Option<u64>,
}

/// Checkpoints a placeholder [`PracChain`] has (more than any practical run records).
const PLACEHOLDER_CHECKPOINTS: usize = 8;

/// The stand-in a sharded run uses for another shard's chain (its outcome is discarded): NaN at
/// every checkpoint, so the claim code that indexes checkpoints runs on without panicking.
impl Default for PracChain {
    fn default() -> PracChain {
        PracChain {
            max_v: vec![f64::NAN; PLACEHOLDER_CHECKPOINTS],
            min_log_v: vec![f64::NAN; PLACEHOLDER_CHECKPOINTS],
            diverged_at: None,
        }
    }
}

/// Run (and cache) practical chains with `dynamics` from `v[0] = τ·1`, recording at `checkpoints`.
pub fn prac_run(
    ctx: &Ctx,
    tag: &str,
    inst: &Instance,
    dynamics: &Dynamics,
    eta: f64,
    chains: usize,
    checkpoints: &[u64],
) -> Arc<Vec<PracChain>> {
    let t = checkpoints.iter().copied().max().unwrap_or(0);
    let key = format!("pracrun|{}|{tag}|{:?}|{dynamics:?}|{eta}|{chains}|{checkpoints:?}", ctx.seed, inst.c);
    let purpose = format!("practical-{tag}");
    let cps = checkpoints.to_vec();
    cached("stage0", key, || {
        ctx.runner.map(&format!("stage0 {purpose}"), chains, |j| {
            let mut rng = ctx.stream(STREAM_CLAIM, &purpose, j as u64);
            let mut v = inst.v0();
            let mut sc = Scratch::default();
            let mut max_v = vec![f64::INFINITY; cps.len()];
            let mut min_log_v = vec![f64::NAN; cps.len()];
            let mut div = None;
            for s in 1..=t {
                if dynamics.step(&mut v, &inst.p, eta, &mut rng, &mut sc) == StepStatus::Diverged || !v.all_finite() {
                    div = Some(s);
                    break;
                }
                for (q, &tc) in cps.iter().enumerate() {
                    if tc == s {
                        max_v[q] = max_abs(v.as_slice());
                        min_log_v[q] = min_log(v.as_slice());
                    }
                }
            }
            PracChain { max_v, min_log_v, diverged_at: div }
        })
    })
}

// The shared runs (fixed parameters, so the four claims hit the same cache entries).

/// `E Φ` checkpoints: `t_x = ⌈x/(ηδ)²⌉` for `x ∈ {12, 16}` (capped at `T`). Hoeffding with the
/// a-priori range `√(d b0)` needs `N ≈ 4/g²` chains for a gap `g` (in units of the range) between
/// the bound `e^{−x/32}` and the mean `≈ e^{−x/8}`; `g ≈ 0.1` is largest around `x ∈ [12, 20]`.
pub fn phi_checkpoints(c: &Constants) -> Vec<u64> {
    let s = c.eta_delta() * c.eta_delta();
    let mut v: Vec<u64> = [12.0, 16.0].iter().map(|x: &f64| ((x / s).ceil() as u64).min(c.t)).collect();
    v.dedup();
    v
}

/// Checkpoints of the variant run.
pub fn v_checkpoints(t: u64) -> Vec<u64> {
    let mut v = vec![t / 10, t / 4, t / 2, t];
    v.retain(|&x| x > 0);
    v.dedup();
    v
}

/// The literal chains of instance L (`kind` = Alg1) or its controls.
pub fn run_l(ctx: &Ctx, inst: &Instance, kind: Kind) -> Result<Arc<LitRun>> {
    let b = ctx.budget;
    let (n, total) = match kind {
        Kind::Alg1 if ctx.overrides.chains.is_some() => {
            let n = ctx.chains_or(PLAN.l_chains)?;
            (n, n)
        }
        Kind::Alg1 => (PLAN.l_chains.at(b), PLAN.l_total.at(b)),
        _ => (PLAN.ctrl_l.at(b), PLAN.ctrl_l.at(b)),
    };
    Ok(lit_run(ctx, inst, kind, n, total, &phi_checkpoints(&inst.c)))
}

/// The literal chains of instance M (plus the short E Φ chains) or its controls. `--chains K` sets
/// the Algorithm-1 run's chains (all of length T0, as for instance L).
pub fn run_m(ctx: &Ctx, inst: &Instance, kind: Kind) -> Arc<LitRun> {
    let b = ctx.budget;
    let (long, total) = match kind {
        Kind::Alg1 if ctx.overrides.chains.is_some() => (scaled(ctx, PLAN.m_chains), scaled(ctx, PLAN.m_chains)),
        Kind::Alg1 => (PLAN.m_chains.at(b), PLAN.ephi_chains.at(b)),
        _ => (PLAN.ctrl_m.at(b), PLAN.ctrl_m.at(b)),
    };
    lit_run(ctx, inst, kind, long, total, &phi_checkpoints(&inst.c))
}

/// The chains of an Algorithm-1 run of a Stage-0 literal check: `--chains` when given (it sets every
/// such run: instances L and M and the variant at `b = 2τd`), else the plan's value for the budget.
/// `--chains ≥ 1` is checked by the overrides' validation and by [`run_l`], which every Stage-0 claim
/// calls first.
fn scaled(ctx: &Ctx, plan: PerBudget<usize>) -> usize {
    ctx.overrides.chains.unwrap_or(plan.at(ctx.budget))
}

/// The variant run at level `b = 2τd` with instance L's constants (`--chains` sets the
/// Algorithm-1 run's chains).
pub fn run_v(ctx: &Ctx, inst: &Instance, kind: Kind) -> Arc<VarRun> {
    let n = match kind {
        Kind::Alg1 => scaled(ctx, PLAN.v_chains),
        _ => PLAN.ctrl_v.at(ctx.budget),
    };
    let b = VARIANT_LEVEL * inst.c.tau * inst.c.d as f64;
    let steps = PLAN.v_steps.at(ctx.budget);
    var_run(ctx, inst, kind, b, steps, n, &v_checkpoints(steps))
}

/// The horizon of the variant's mean check: `T/10` of the variant run.
pub fn v_mean_horizon(ctx: &Ctx) -> u64 {
    (PLAN.v_steps.at(ctx.budget) / 10).max(1)
}

/// The stopped chains at level `b = 2τd` to the mean check's horizon `T/10` (instance L's
/// constants): more chains than the variant run, on the same streams (chain `j` of both runs is
/// the same path up to `T/10`).
pub fn run_v_mean(ctx: &Ctx, inst: &Instance, kind: Kind) -> Arc<VarRun> {
    let n = match kind {
        Kind::Alg1 => scaled(ctx, PLAN.v_mean_chains),
        _ => PLAN.ctrl_v_mean.at(ctx.budget),
    };
    let b = VARIANT_LEVEL * inst.c.tau * inst.c.d as f64;
    let t = v_mean_horizon(ctx);
    var_run(ctx, inst, kind, b, t, n, &[t])
}
