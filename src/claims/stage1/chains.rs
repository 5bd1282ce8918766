//! The labelled practical regime of Stage 1 (SPEC §5.9): Algorithm 1 (and the negative
//! controls) from `v_k[0] ~ Unif[0.01, 1]/d` or from given starts, on Gaussian data conditioned on
//! the data event, cached per process so every Stage-1 claim reads the same chains. Each chain
//! records the real chain `v` and the `(1 + c1, ε̃1)`-bounded coupling `ṽ` of Definition C.1
//! (frozen at its first exit) as one [`PathStats`] of [`PathRecord`]s.

use std::cmp::Ordering;
use std::hash::Hasher;
use std::sync::Arc;

use super::setting::{C1, RHO, Setting, eps_tilde1};
use crate::claim::{Ctx, PerBudget};
use crate::engine::cache::cached;
use crate::engine::dynamics::Dynamics;
use crate::engine::lanes::PVec;
use crate::engine::model::{Conditioned, DataStats, Problem};
use crate::engine::rng::{Stream, uniform01};
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{Batch, ChainEnd, Observer, StopSet, run_chains_par_map};
use crate::error::{Result, check};
use crate::evidence::{Audit, Class, McCheck, Outcome, PathStats, Provenance, Role, key};
use crate::numfmt::fmt;
use crate::paper::{STAGE1_D, STAGE1_R};

/// Label-noise chains per `n` (`--chains` overrides).
pub const CHAINS: PerBudget<usize> = PerBudget::new(12, 64, 2000);
/// Chains of each negative control (at most `max(chains, MIN_CONTROL_CHAINS)`).
pub const CONTROL_CHAINS: PerBudget<usize> = PerBudget::new(24, 32, 200);
/// Controls must be caught at Holm level α/evidence::CONTROL_FAMILY_REFERENCE even when every
/// chain fails: the weakest control bound is 1/θ = 0.556, and 0.556²⁴·2 ≤ 1e−5.
pub const MIN_CONTROL_CHAINS: usize = 24;

/// `v_k[0] = U_k/d`, `U_k ~ Unif[0.01, 1]` (the practical regime's initial law).
pub fn unif_init(d: usize, rng: &mut Stream) -> PVec {
    PVec::from_slice(&(0..d).map(|_| (0.01 + 0.99 * uniform01(rng)) / d as f64).collect::<Vec<_>>())
}

/// The dynamics of a practical run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PracticalDyn {
    /// Algorithm 1 with label noise `±δ`.
    LabelNoise,
    /// Negative control: SGD with spherical Gaussian noise `ησξ`, `σ = δ` (matched variance at `v*`).
    GaussNoise,
    /// Negative control: Algorithm 1 with `δ = 0` (plain SGD).
    NoNoise,
    /// Negative control: Algorithm 1 with the gradient sign flipped.
    FlippedGradient,
}

impl PracticalDyn {
    /// The dynamics' name in check ids and tables.
    pub fn name(self) -> &'static str {
        match self {
            PracticalDyn::LabelNoise => "label noise",
            PracticalDyn::GaussNoise => "Gaussian noise σ = δ",
            PracticalDyn::NoNoise => "δ = 0",
            PracticalDyn::FlippedGradient => "flipped gradient",
        }
    }
}

/// A practical-regime experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct PracticalSpec {
    pub n: usize,
    pub d: usize,
    pub r: usize,
    pub delta: f64,
    pub eta: f64,
    pub steps: u64,
    pub chains: usize,
    pub kind: PracticalDyn,
    pub rho: f64,
    /// `v[0]`: `None` = `Unif[0.01, 1]/d`; `Some(label)` = Stage-0 outputs (supplied by the caller).
    pub start: Option<String>,
}

impl PracticalSpec {
    /// `δ = 2, η = 1e-3, T = 2e6` for a check text, from the values actually used.
    pub fn params_text(&self) -> String {
        format!("δ = {}, η = {}, T = {}", short(self.delta), short(self.eta), short(self.steps as f64))
    }
    pub fn dynamics(&self) -> Dynamics {
        match self.kind {
            PracticalDyn::LabelNoise => Dynamics::Alg1 { delta: self.delta },
            PracticalDyn::GaussNoise => Dynamics::SgdGauss { sigma: self.delta },
            PracticalDyn::NoNoise => Dynamics::Alg1 { delta: 0.0 },
            PracticalDyn::FlippedGradient => Dynamics::Alg1FlippedGradient { delta: self.delta },
        }
    }
    /// The coupling set `(1 + c1, ε̃1)` of Definition C.1 at this `ρ`.
    pub fn cap(&self) -> f64 {
        eps_tilde1(self.rho)
    }
}

/// Why the `(1 + c1, ε̃1)` coupling froze.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
pub enum Exit {
    /// `‖v_S‖_∞ > 1 + c1`.
    #[default]
    Support,
    /// `‖v_S̄‖_1 > ε̃1`.
    OffSupport,
}

/// What one path of a practical chain recorded (the real chain `v` or the coupled chain `ṽ`).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, Default)]
pub struct PathRecord {
    /// `max_{t<T} v_k[t]`, `k ∈ S`.
    pub max_lt: Vec<f64>,
    /// `max_{t≤T} v_k[t] ≥ 1 − c1/2`, `k ∈ S`.
    pub reached: Vec<bool>,
    /// `v_k[T]`, `k ∈ S`.
    pub support_t: Vec<f64>,
    /// Real chain: `Σ_{k∉S} √|v_k[T]|`; coupled chain: `Φ(ṽ[T])` of Definition C.6 with
    /// `(1 + c1, ε̃1)` (0 outside the set).
    pub phi_t: f64,
}

impl PathRecord {
    /// The record before the first step.
    fn start(r: usize) -> PathRecord {
        PathRecord { max_lt: vec![f64::NEG_INFINITY; r], reached: vec![false; r], support_t: vec![0.0; r], phi_t: 0.0 }
    }
    /// Record the support `sv` at step `t` (maxima over `t < T`, reaching `1 − c1/2`).
    fn observe(&mut self, t: u64, big_t: u64, sv: &[f64], c1: f64) {
        // Selects, not branches (a chain's new maxima are unpredictable): the same values.
        let (before_t, level) = (t < big_t, 1.0 - c1 / 2.0);
        for ((&x, m), reached) in sv.iter().zip(&mut self.max_lt).zip(&mut self.reached) {
            *m = if before_t && x > *m { x } else { *m };
            *reached |= x >= level;
        }
    }
}

/// What one practical chain recorded: both paths, and the real chain's distances at `T`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize, Default)]
pub struct ChainRecord {
    /// `Σ_{k∉S} √v_k[0]`.
    pub phi0: f64,
    /// `max_k v_k[0]` and `min_k v_k[0]` (Theorem 3.3's start condition `v[0] ∈ [ε_min, 1/d]^d`).
    pub start_max: f64,
    pub start_min: f64,
    /// `τ_exit` of the `(1 + c1, ε̃1)` coupling and the reason.
    pub exit: Option<(u64, Exit)>,
    /// The real chain `v` and the coupled chain `ṽ`.
    pub paths: PathStats<PathRecord>,
    /// `‖v_S[T] − 1‖_∞`.
    pub dist_t: f64,
    /// `‖v_S̄[T]‖_1`.
    pub off_t: f64,
    /// `max_t ‖v_S̄[t]‖_1`.
    pub sup_off: f64,
    /// `max_t ‖v_S[t]‖_∞`.
    pub sup_support: f64,
    pub diverged_at: Option<u64>,
}

/// `x > bound`, a NaN counting as exceeding (a diverged chain is an event).
pub fn exceeds(x: f64, bound: f64) -> bool {
    !matches!(x.partial_cmp(&bound), Some(Ordering::Less | Ordering::Equal))
}

/// Per path, the number of chains where `event` holds.
pub fn count_events(chains: &[ChainRecord], event: impl Fn(&ChainRecord) -> PathStats<bool>) -> PathStats<u64> {
    let mut k = PathStats { real: 0, coupled: 0 };
    for c in chains {
        let e = event(c);
        k.real += u64::from(e.real);
        k.coupled += u64::from(e.coupled);
    }
    k
}

/// The chains of one practical experiment.
#[derive(Debug)]
pub struct PracticalRun {
    pub spec: PracticalSpec,
    pub problem: Problem,
    /// Data sets rejected before one met `min_k M_kk ≥ 1/2`.
    pub rejected: u64,
    pub stats: DataStats,
    pub chains: Vec<ChainRecord>,
    /// `(chain, t, v[t])` snapshots of the first chains (states for the exact checks).
    pub snapshots: Vec<(usize, u64, PVec)>,
    /// Wall time of the simulation (seconds; not reported in snapshots).
    pub wall_s: f64,
}

impl PracticalRun {
    /// Chains that diverged.
    pub fn diverged(&self) -> u64 {
        self.chains.iter().filter(|c| c.diverged_at.is_some()).count() as u64
    }
}

/// The data of the practical regime at `n`: `N(0,1)` entries conditioned on the data event
/// `min_k M_kk ≥ 1/2` (Lemma G.2; SPEC §0.6).
pub fn practical_problem(seed: u64, n: usize, d: usize, r: usize) -> Result<Conditioned> {
    Problem::gaussian_mkk_half(n, d, r, seed, "stage1")
}

/// Number of chains whose snapshots are kept, and snapshots per chain.
const SNAP_CHAINS: usize = 4;
const SNAPS_PER_CHAIN: u64 = 25;

/// Run (or fetch from the per-process cache) the practical experiment `spec` from
/// `Unif[0.01, 1]/d` or from the given starts (`starts[j]` for chain `j`).
pub fn practical_run(ctx: &Ctx, spec: &PracticalSpec, starts: Option<&[PVec]>) -> Result<Arc<PracticalRun>> {
    let key = format!("{}|{:?}|{:?}|{}", ctx.seed, ctx.budget, spec, starts_key(starts));
    let res = cached("stage1", key, || simulate(ctx, spec, starts).map(Arc::new));
    (*res).clone()
}

/// The cache key of the starts: their number and a hash of every coordinate's bits (two start
/// sets of the same length share a cache entry only when they are equal).
fn starts_key(starts: Option<&[PVec]>) -> String {
    match starts {
        None => "uniform starts".into(),
        Some(s) => {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            for v in s {
                h.write_usize(v.len());
                for x in v.as_slice() {
                    h.write_u64(x.to_bits());
                }
            }
            format!("{} starts, bits {:016x}", s.len(), h.finish())
        }
    }
}

impl ChainRecord {
    /// The record of a chain before its first step.
    fn start(p: &Problem, v0: &PVec) -> ChainRecord {
        let r = p.r();
        let x = v0.as_slice();
        ChainRecord {
            phi0: off_phi(p, v0),
            start_max: x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b)),
            start_min: x.iter().fold(f64::INFINITY, |a, &b| a.min(b)),
            exit: None,
            paths: PathStats { real: PathRecord::start(r), coupled: PathRecord::start(r) },
            dist_t: 0.0,
            off_t: 0.0,
            sup_off: 0.0,
            sup_support: 0.0,
            diverged_at: None,
        }
    }
}

/// The observer of one practical chain: the real chain's record and the Definition C.1 coupling
/// (frozen at its first exit), read off the same unstopped path.
struct PracObs<'a> {
    p: &'a Problem,
    c1: f64,
    cap: f64,
    big_t: u64,
    every: u64,
    keep: bool,
    rec: ChainRecord,
    frozen: Option<PVec>,
    snaps: Vec<(u64, PVec)>,
}

impl Observer for PracObs<'_> {
    fn observe(&mut self, t: u64, v: &PVec) {
        self.observe_off_l1(t, v, self.p.off_l1(v))
    }
    // `‖v_S̄‖₁` comes from the chain's own sweep (`Observer::WANTS_OFF_L1`): same bits, no second pass.
    const WANTS_OFF_L1: bool = true;
    fn observe_off_l1(&mut self, t: u64, v: &PVec, off: f64) {
        let (rec, r, c1, big_t) = (&mut self.rec, self.p.r(), self.c1, self.big_t);
        let sv = &v.as_slice()[..r];
        let smax = sv.iter().fold(f64::NEG_INFINITY, |m, x| m.max(x.abs()));
        rec.paths.real.observe(t, big_t, sv, c1);
        rec.sup_off = rec.sup_off.max(off);
        rec.sup_support = rec.sup_support.max(smax);
        if self.frozen.is_none() {
            rec.paths.coupled.observe(t, big_t, sv, c1);
            let reason = if smax > 1.0 + c1 {
                Some(Exit::Support)
            } else if off > self.cap {
                Some(Exit::OffSupport)
            } else {
                None
            };
            if let Some(why) = reason {
                rec.exit = Some((t, why));
                self.frozen = Some(v.clone());
            }
        }
        if self.keep && t > 0 && t.is_multiple_of(self.every) {
            self.snaps.push((t, v.clone()));
        }
    }
}

impl PracObs<'_> {
    /// The chain's final record (real chain at `T`, coupling at `T`) and its snapshots.
    fn finish(self, end: ChainEnd) -> (ChainRecord, Vec<(u64, PVec)>) {
        let (p, r) = (self.p, self.p.r());
        let mut rec = self.rec;
        rec.diverged_at = end.diverged_at;
        let real = &mut rec.paths.real;
        if end.diverged_at.is_some() {
            rec.dist_t = f64::INFINITY;
            rec.off_t = f64::INFINITY;
            real.phi_t = f64::INFINITY;
            real.support_t = vec![f64::NEG_INFINITY; r];
        } else {
            let v = &end.v;
            real.support_t = v.as_slice()[..r].to_vec();
            rec.dist_t = p.support_dist_inf(v);
            rec.off_t = p.off_l1(v);
            real.phi_t = off_phi(p, v);
        }
        let coupled = &mut rec.paths.coupled;
        match &self.frozen {
            Some(vf) => {
                coupled.support_t = vf.as_slice()[..r].to_vec();
                coupled.phi_t = 0.0;
            }
            None => {
                coupled.support_t = rec.paths.real.support_t.clone();
                coupled.phi_t = if end.diverged_at.is_some() { f64::INFINITY } else { rec.paths.real.phi_t };
            }
        }
        (rec, self.snaps)
    }
}

fn simulate(ctx: &Ctx, spec: &PracticalSpec, starts: Option<&[PVec]>) -> Result<PracticalRun> {
    let t0 = std::time::Instant::now();
    let cond = practical_problem(ctx.seed, spec.n, spec.d, spec.r)?;
    let p = cond.problem;
    let stats = p.stats();
    let (c1, cap, big_t) = (C1, spec.cap(), spec.steps);
    let sched = Schedule::constant(spec.eta, big_t)?;
    let dynamics = spec.dynamics();
    let every = (big_t / SNAPS_PER_CHAIN).max(1);
    let kind_tag = format!("{:?}", spec.kind);
    let init_purpose = format!("init n={} d={}", spec.n, spec.d);
    let chain_purpose = format!("chain {kind_tag} n={} start={:?}", spec.n, spec.start);
    let results: Vec<(ChainRecord, Vec<(u64, PVec)>)> = run_chains_par_map(
        &ctx.runner,
        "stage1 practical",
        spec.chains,
        Batch::new(&p, &dynamics, &sched, StopSet::Never),
        |j| {
            let mut init = ctx.stream("stage1", &init_purpose, j as u64);
            let v0 = match starts {
                Some(s) => s[j % s.len()].clone(),
                None => unif_init(spec.d, &mut init),
            };
            let rng = ctx.stream("stage1", &chain_purpose, j as u64);
            let obs = PracObs {
                p: &p,
                c1,
                cap,
                big_t,
                every,
                keep: j < SNAP_CHAINS,
                rec: ChainRecord::start(&p, &v0),
                frozen: None,
                snaps: Vec::new(),
            };
            (v0, rng, obs)
        },
        |end, obs| obs.finish(end),
    );
    let mut chains = Vec::with_capacity(results.len());
    let mut snapshots = Vec::new();
    for (j, (rec, snaps)) in results.into_iter().enumerate() {
        chains.push(rec);
        for (t, v) in snaps {
            snapshots.push((j, t, v));
        }
    }
    Ok(PracticalRun {
        spec: spec.clone(),
        problem: p,
        rejected: cond.rejected,
        stats,
        chains,
        snapshots,
        wall_s: t0.elapsed().as_secs_f64(),
    })
}

/// `Σ_{k∉S} √|v_k|` (the off-support potential without the set condition).
pub fn off_phi(p: &Problem, v: &PVec) -> f64 {
    v.as_slice()[p.r()..].iter().map(|x| x.abs().sqrt()).sum()
}

/// The practical regime's parameters from the budget and the overrides.
#[derive(Clone, Debug)]
pub struct PracticalParams {
    pub ns: Vec<usize>,
    /// The label-noise experiment at `ns[0]`: its `d, r, δ, η, T` are every experiment's, its chain
    /// count that of the label-noise runs ([`PracticalParams::spec`] varies `n`, dynamics and chains).
    pub base: PracticalSpec,
    pub control_chains: usize,
    /// `n` of the negative controls.
    pub control_n: usize,
}

/// A parameter for a check text: plain digits for `1e−2 ≤ |x| < 1e5`, else `1e-3`, `2e6`.
pub fn short(x: f64) -> String {
    if x == 0.0 || (1e-2..1e5).contains(&x.abs()) { x.to_string() } else { format!("{x:e}") }
}

impl PracticalParams {
    /// SPEC §5.9: `d = 100, r = 5, δ = 2, η = 1e−3, T = 2e6, n ∈ {40, 200}`.
    pub fn from_ctx(ctx: &Ctx) -> Result<PracticalParams> {
        let o = &ctx.overrides;
        let ns = match o.n {
            Some(n) => vec![check::at_least_one("n", n as u64)? as usize],
            None => vec![40, 200],
        };
        let delta = check::non_negative("delta", o.delta.unwrap_or(2.0))?;
        let eta = check::open_interval("eta", o.eta.unwrap_or(1e-3), 0.0, 1.0)?;
        let steps = check::at_least_one("steps", o.steps.unwrap_or(2_000_000))?;
        let chains = ctx.chains_or(CHAINS)?;
        let control_chains = CONTROL_CHAINS.at(ctx.budget).min(chains.max(MIN_CONTROL_CHAINS));
        let base = PracticalSpec {
            n: ns[0],
            d: STAGE1_D,
            r: STAGE1_R,
            delta,
            eta,
            steps,
            chains,
            kind: PracticalDyn::LabelNoise,
            rho: RHO,
            start: None,
        };
        Ok(PracticalParams { control_n: ns[0], ns, base, control_chains })
    }
    /// The spec of one experiment.
    pub fn spec(&self, n: usize, kind: PracticalDyn) -> PracticalSpec {
        let chains = if kind == PracticalDyn::LabelNoise { self.base.chains } else { self.control_chains };
        PracticalSpec { n, chains, kind, ..self.base.clone() }
    }
    /// Push the audit `audit` (a lemma's hypotheses) of the setting of `run` at `eps1`, with id `id`
    /// and the run's title; returns the regime it labels.
    pub fn push_audit(
        &self,
        out: &mut Outcome,
        run: &PracticalRun,
        eps1: f64,
        id: &str,
        audit: impl Fn(&Setting, &str, &str) -> Audit,
    ) -> Class {
        out.push_audit(audit(&self.setting(run, eps1), id, &practical_title(run)))
    }
    /// The setting of the practical regime at `n` (for the audits), with the data statistics.
    pub fn setting(&self, run: &PracticalRun, eps1: f64) -> Setting {
        let b = &self.base;
        Setting {
            d: b.d,
            r: b.r,
            rho: RHO,
            c1: C1,
            cap: eps_tilde1(RHO),
            eps1,
            log_inv_eps_min: (b.d as f64 / 0.01).ln(),
            b_x: run.stats.b_x,
            c_x: run.stats.c_x,
            min_mkk: run.stats.min_mkk,
            eta: b.eta,
            delta: b.delta,
            t: b.steps as f64,
        }
    }
}

/// The practical regime of a claim's run: its parameters and the label-noise runs for every `n`.
pub fn practical(ctx: &Ctx) -> Result<(PracticalParams, Vec<Arc<PracticalRun>>)> {
    let pp = PracticalParams::from_ctx(ctx)?;
    let runs = practical_runs(ctx, &pp)?;
    Ok((pp, runs))
}

/// The label-noise runs for every `n` of the practical regime.
pub fn practical_runs(ctx: &Ctx, pp: &PracticalParams) -> Result<Vec<Arc<PracticalRun>>> {
    pp.ns.iter().map(|&n| practical_run(ctx, &pp.spec(n, PracticalDyn::LabelNoise), None)).collect()
}

/// A note stating the power of the practical Monte Carlo checks.
pub fn power_note(pp: &PracticalParams, beta: f64) -> String {
    format!(
        "Practical-regime Monte Carlo: {} chains per n (controls {}), T = {} steps each. Against a bound \
         β = {} this gives N·β = {} (≳ 5 is needed to CONFIRM with zero events); the checks can still fail: \
         a rate a few times 1/N is flagged VIOLATED (see each check's 'detectable rate').",
        pp.base.chains,
        pp.control_chains,
        pp.base.steps,
        fmt(beta),
        fmt(pp.base.chains as f64 * beta)
    )
}

/// A title for the audit of a practical run.
pub fn practical_title(run: &PracticalRun) -> String {
    let s = &run.spec;
    format!(
        "practical regime ({}): Algorithm 1 from {}, d = {}, n = {}, r = {}, δ = {}, η = {}, T = {}, ρ = 0.01, ε̃1 = \
         1200; N(0,1) data conditioned on min M_kk ≥ 1/2 ({} rejected), b_x = {}, C_x = {}",
        s.kind.name(),
        s.start.as_deref().unwrap_or("v_k[0] ~ Unif[0.01, 1]/d"),
        s.d,
        s.n,
        s.r,
        s.delta,
        s.eta,
        s.steps,
        run.rejected,
        fmt(run.stats.b_x),
        fmt(run.stats.c_x)
    )
}

/// The key tag of a practical check at sample size `n`: `"n=<n>"`.
pub fn n_tag(n: usize) -> String {
    format!("n={n}")
}

/// A practical check of one lemma event on one path: its key (tagged with `n` when pushed), id
/// and event text.
pub struct PathCheck {
    pub key: &'static str,
    pub id: String,
    pub event: String,
}

/// Push `P(event) ≤ bound` for the coupled chain `ṽ` (the lemma's statement), then the same event
/// for the real chain `v`, with the per-path event counts over `trials` chains of sample size `n`.
pub fn push_on_paths(
    out: &mut Outcome,
    regime: &Class,
    n: usize,
    checks: PathStats<PathCheck>,
    counts: PathStats<u64>,
    trials: u64,
    bound: f64,
) {
    for (c, k) in [(checks.coupled, counts.coupled), (checks.real, counts.real)] {
        // The bound is the lemma's printed ρ/6 (or the union over k ∈ S of its printed ρ/(6r)).
        let mc = McCheck::about(&c.id, &c.event, regime.clone(), Role::Primary)
            .prob_upper(k, trials, bound)
            .threshold(Provenance::Paper);
        out.mc.push(mc.keyed(key(c.key, &n_tag(n))));
    }
}
