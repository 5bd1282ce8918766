//! The Monte Carlo of a Stage-2 round: the chains of Algorithm 1 (and its controls) from the
//! boundary start states, with the `(2c_{s−1}, ε_s)`-to-`v*` coupling (Definition D.2 =
//! [`StopSet::NearTruth`]) tracked along each real chain. The simulations are cached per process,
//! so that the claims D.1, D.3–D.6 share one simulation per run.

// `!(x <= y)` is used on purpose: a NaN must count as a failure of the inequality.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::sync::Arc;

use crate::claim::{Ctx, PerBudget};
use crate::claims::stage2::setting::{Instance, Round, gaussian_instance, literal_instance, printed_eta};
use crate::claims::stage2::states::boundary_starts;
use crate::engine::cache::cached;
use crate::engine::dynamics::Dynamics;
use crate::engine::lanes::PVec;
use crate::engine::model::Problem;
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{Batch, ChainEnd, Observer, StopSet, run_chains_par_map};
use crate::error::Result;
use crate::evidence::{Class, McCheck, Provenance, Role};
use crate::numfmt::fmt;

/// What one chain of a round produced: the stopped chain's quantities (Definition D.2) and the
/// real chain's final state.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, Default)]
pub struct RoundChain {
    /// `τ_exit = inf{t: v[t] ∉ G}`.
    pub exit_step: Option<u64>,
    /// The step at which the real chain diverged.
    pub diverged_at: Option<u64>,
    /// `‖ṽ_S[T] − 1‖∞` (∞ if the chain diverged before leaving `G`).
    pub stopped_dev: f64,
    /// `‖ṽ_S̄[T]‖₁`.
    pub stopped_off: f64,
    /// `|ṽ_k[T] − 1|`, `k ∈ S`.
    pub stopped_k_dev: Vec<f64>,
    /// `min_{t ≤ T} |ṽ_k[t] − 1|`, `k ∈ S`.
    pub min_dev: Vec<f64>,
    /// `‖v_S[T] − 1‖∞` of the real chain (∞ if it diverged).
    pub final_dev: f64,
    /// `‖v_S̄[T]‖₁` of the real chain (∞ if it diverged).
    pub final_off: f64,
    /// Snapshots of the real chain (for the exact checks), if requested.
    pub snapshots: Vec<PVec>,
}

impl RoundChain {
    /// The coupling never froze: `ṽ[T] ∈ G` (so `ṽ[T] = v[T]`).
    pub fn coupled(&self) -> bool {
        self.exit_step.is_none() && self.diverged_at.is_none()
    }
    /// D.3's event `‖ṽ_S[T] − 1‖∞ > 2c_{s−1}`.
    pub fn d3(&self, rd: &Round) -> bool {
        !(self.stopped_dev <= 2.0 * rd.c_prev)
    }
    /// D.4's event `‖ṽ_S̄[T]‖₁ > ε_s`.
    pub fn d4(&self, rd: &Round) -> bool {
        !(self.stopped_off <= rd.eps_s)
    }
    /// D.5's failure for some `k ∈ S`: coupled at `T` and `min_t |ṽ_k[t] − 1| > c_s/2`.
    pub fn d5(&self, rd: &Round) -> bool {
        self.coupled() && self.min_dev.iter().any(|&m| m > rd.c_s / 2.0)
    }
    /// D.6's event for some `k ∈ S`: `min_t |ṽ_k[t] − 1| ≤ c_s/2`, `|ṽ_k[T] − 1| > c_s`, coupled.
    pub fn d6(&self, rd: &Round) -> bool {
        self.coupled() && self.min_dev.iter().zip(&self.stopped_k_dev).any(|(&m, &e)| m <= rd.c_s / 2.0 && e > rd.c_s)
    }
    /// D.1's conclusion fails for the real chain: `‖v_S[T] − 1‖∞ > c_s` or `‖v_S̄[T]‖₁ > ε_s`.
    pub fn d1_fails(&self, rd: &Round) -> bool {
        self.diverged_at.is_some() || !(self.final_dev <= rd.c_s) || !(self.final_off <= rd.eps_s)
    }
    /// `(1 + η c_{s−1})^{−T} ‖ṽ_S̄[T]‖₁` (D.4's supermartingale at `T`).
    pub fn supermartingale(&self, rd: &Round) -> f64 {
        self.stopped_off / rd.growth()
    }
}

/// Where a chain left the coupling set: the step, `‖v_S − 1‖∞`, `‖v_S̄‖₁` and `|v_k − 1|`, `k ∈ S`.
type Exit = (u64, f64, f64, Vec<f64>);

/// The observer of one chain of a round: tracks the coupling `g` (stopped at its first exit,
/// SPEC §0.5) along the real chain, and keeps snapshots of the real chain every `snap_every` steps.
struct RoundObs<'a> {
    p: &'a Problem,
    g: StopSet,
    min_dev: Vec<f64>,
    exit: Option<Exit>,
    snaps: Vec<PVec>,
    snap_every: u64,
}

impl Observer for RoundObs<'_> {
    fn observe(&mut self, t: u64, v: &PVec) {
        self.observe_off_l1(t, v, self.p.off_l1(v))
    }
    // `‖v_S̄‖₁` comes from the chain's own sweep (`Observer::WANTS_OFF_L1`): same bits, no second pass.
    const WANTS_OFF_L1: bool = true;
    fn observe_off_l1(&mut self, t: u64, v: &PVec, off: f64) {
        if self.exit.is_none() {
            let s = v.as_slice();
            for (m, &x) in self.min_dev.iter_mut().zip(s) {
                // A select, not a branch (new minima are unpredictable): the same values.
                let dv = (x - 1.0).abs();
                *m = if dv < *m { dv } else { *m };
            }
            if !self.g.contains_given_off_l1(v, self.p, off) {
                let p = self.p;
                self.exit = Some((t, p.support_dist_inf(v), off, (0..p.r()).map(|k| (s[k] - 1.0).abs()).collect()));
            }
        }
        if self.snap_every > 0 && t.is_multiple_of(self.snap_every) {
            self.snaps.push(v.clone());
        }
    }
}

impl RoundObs<'_> {
    /// The chain's record from its end and what the observer saw.
    fn into_chain(self, end: ChainEnd) -> RoundChain {
        let (p, r) = (self.p, self.p.r());
        let (final_dev, final_off) = if end.diverged_at.is_some() {
            (f64::INFINITY, f64::INFINITY)
        } else {
            (p.support_dist_inf(&end.v), p.off_l1(&end.v))
        };
        let (exit_step, stopped_dev, stopped_off, stopped_k_dev) = match self.exit {
            Some((t, d, o, kd)) => (Some(t), d, o, kd),
            None if end.diverged_at.is_some() => {
                (end.diverged_at, f64::INFINITY, f64::INFINITY, vec![f64::INFINITY; r])
            }
            None => (None, final_dev, final_off, (0..r).map(|k| (end.v.as_slice()[k] - 1.0).abs()).collect()),
        };
        RoundChain {
            exit_step,
            diverged_at: end.diverged_at,
            stopped_dev,
            stopped_off,
            stopped_k_dev,
            min_dev: self.min_dev,
            final_dev,
            final_off,
            snapshots: self.snaps,
        }
    }
}

/// The chains of one variant of a round.
#[derive(Clone, Debug)]
pub struct RoundRun {
    /// What was simulated.
    pub label: String,
    pub dynamics: Dynamics,
    pub round: Round,
    /// Steps simulated (`T`, or a deliberately wrong horizon for a control).
    pub steps: u64,
    pub chains: Vec<RoundChain>,
}

impl RoundRun {
    /// Number of chains.
    pub fn n(&self) -> u64 {
        self.chains.len() as u64
    }
    /// Number of chains with the event.
    pub fn count(&self, f: impl Fn(&RoundChain) -> bool) -> u64 {
        self.chains.iter().filter(|c| f(c)).count() as u64
    }
    /// Chains that diverged.
    pub fn diverged(&self) -> u64 {
        self.count(|c| c.diverged_at.is_some())
    }
    /// All snapshots.
    pub fn snapshots(&self) -> Vec<PVec> {
        self.chains.iter().flat_map(|c| c.snapshots.iter().cloned()).collect()
    }
    /// The check `P(bad) ≤ bound` over the chains, with the diverged chains counted. The bound is
    /// a statement's printed level (ρ, ρ/5, ρ/(5r)): [`Provenance::Paper`]; a caller whose bound is
    /// derived (a union over `k ∈ S`) relabels it.
    pub fn prob_upper(
        &self,
        id: &str,
        event: &str,
        regime: Class,
        role: Role,
        bad: impl Fn(&RoundChain) -> bool,
        bound: f64,
    ) -> McCheck {
        McCheck::about(id, event, regime, role)
            .prob_upper(self.count(bad), self.n(), bound)
            .threshold(Provenance::Paper)
            .with_diverged(self.diverged())
    }
}

/// Snapshots per recorded chain (the first four chains of the literal rounds).
pub const SNAPSHOTS_PER_CHAIN: u64 = 80;

/// One simulation of a round: `n_chains` chains of `dynamics` on `inst` for `steps` steps at
/// `inst.round.eta`; the first `snap_chains` chains keep [`SNAPSHOTS_PER_CHAIN`] snapshots.
pub struct Sim<'a> {
    /// The stream purpose (`(seed, "stage2", purpose, j)`).
    pub purpose: String,
    /// What is simulated (printed).
    pub label: String,
    pub inst: &'a Instance,
    pub dynamics: Dynamics,
    pub steps: u64,
    pub n_chains: usize,
    pub snap_chains: usize,
}

/// Simulate (chain `j` starts from start state `j mod #starts`). Algorithm-1 chains run
/// interleaved ([`run_chains_par_map`]), bitwise as one by one.
pub fn simulate(ctx: &Ctx, sim: Sim<'_>) -> RoundRun {
    let Sim { purpose, label, inst, dynamics, steps, n_chains, snap_chains } = sim;
    let starts = boundary_starts(&inst.problem, &inst.round);
    let g = inst.round.coupling();
    let p = &inst.problem;
    let sched = Schedule::constant(inst.round.eta, steps).expect("η > 0");
    let batch = Batch::new(p, &dynamics, &sched, StopSet::Never);
    let chains = run_chains_par_map(
        &ctx.runner,
        &purpose,
        n_chains,
        batch,
        |j| {
            let snap_every = if j < snap_chains { (steps / SNAPSHOTS_PER_CHAIN.max(1)).max(1) } else { 0 };
            let obs = RoundObs { p, g, min_dev: vec![f64::INFINITY; p.r()], exit: None, snaps: Vec::new(), snap_every };
            (starts[j % starts.len()].v.clone(), ctx.stream("stage2", &purpose, j as u64), obs)
        },
        |end, obs| obs.into_chain(end),
    );
    RoundRun { label, dynamics, round: inst.round.clone(), steps, chains }
}

// ------------------------------------------------------------------------------------------
// The per-run cache (claims D.1, D.3–D.6 share one simulation)
// ------------------------------------------------------------------------------------------

/// The cache key of a context.
pub fn ctx_key(ctx: &Ctx, what: &str) -> String {
    format!("{what}|{}|{}|{:?}", ctx.budget.name(), ctx.seed, ctx.overrides)
}

/// The literal-round variants simulated for the claims (SPEC §6.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Algorithm 1, δ = 0, Theorem D.1's η and T.
    Literal0,
    /// Algorithm 1, δ = 1.
    Literal1,
    /// Control: flipped gradient sign (δ = 0).
    Flipped,
    /// Control: horizon T/4 (violates (D5-a)).
    Short,
    /// Control: δ = 10 at 100× the step size D.1 allows for δ = 1 (violates (D6-a)).
    Noisy,
    /// E-D1: the printed step size `c_s/(8 X_s log(10 r T²/ρ))` (δ = 0).
    Printed,
}

impl Variant {
    /// The chain counts per budget (`--chains` sets both literal rounds', δ = 0 and δ = 1).
    pub const fn chains(self) -> PerBudget<usize> {
        match self {
            // Full: 5500, derived (README, "Full budget and scaling out"): 0 events in 5460 chains confirm
            // ρ/5 = 0.002 (D.3–D.6) by the one-sided Clopper–Pearson test at the worst-case Holm level α/(2m),
            // m = 279 p-values; the same for both rounds.
            Variant::Literal0 => PerBudget::new(12, 48, 5500),
            Variant::Literal1 => PerBudget::new(4, 16, 5500),
            Variant::Flipped | Variant::Short => PerBudget::new(4, 8, 64),
            Variant::Noisy => PerBudget::new(16, 32, 256),
            Variant::Printed => PerBudget::new(16, 64, 1024),
        }
    }
    /// The tag printed in the claims' check and audit ids.
    pub fn tag(self) -> &'static str {
        match self {
            Variant::Literal0 => "literal δ = 0",
            Variant::Literal1 => "literal δ = 1",
            Variant::Flipped => "control flipped",
            Variant::Short => "control horizon T/4",
            Variant::Noisy => "control δ = 10, 100η",
            Variant::Printed => "printed step size (E-D1)",
        }
    }
    /// The stable key tag of the variant's checks (see [`crate::evidence::key`]).
    pub fn key(self) -> &'static str {
        match self {
            Variant::Literal0 => "literal0",
            Variant::Literal1 => "literal1",
            Variant::Flipped => "flipped",
            Variant::Short => "short",
            Variant::Noisy => "noisy",
            Variant::Printed => "printed",
        }
    }
    /// Is it a literal round (a statement check at an instance meeting every hypothesis)?
    pub fn is_literal(self) -> bool {
        matches!(self, Variant::Literal0 | Variant::Literal1)
    }
    /// The number of chains: `--chains` for every literal round (δ = 0 and δ = 1), else the plan's.
    fn n_chains(self, ctx: &Ctx) -> usize {
        let plan = self.chains().at(ctx.budget);
        if self.is_literal() { ctx.overrides.chains.unwrap_or(plan) } else { plan }
    }
}

/// Validate the overrides the Stage-2 claims accept (`--chains ≥ 1`).
pub fn validate(ctx: &Ctx) -> Result<()> {
    if let Some(c) = ctx.overrides.chains {
        crate::error::check::at_least_one("chains", c as u64)?;
    }
    Ok(())
}

/// The simulation of a literal-round variant (cached per process).
pub fn literal_run(ctx: &Ctx, v: Variant) -> Arc<RoundRun> {
    cached("stage2", ctx_key(ctx, &format!("stage2-literal-{v:?}")), || {
        let (inst, dynamics, steps, snap_chains, label) = match v {
            Variant::Literal0 | Variant::Literal1 => {
                let delta = if v == Variant::Literal0 { 0.0 } else { 1.0 };
                let inst = literal_instance(delta);
                let (eta, t) = (inst.round.eta, inst.round.t);
                let label = format!("Algorithm 1, δ = {delta}, η = {}, T = {t} (literal)", fmt(eta));
                (inst, Dynamics::Alg1 { delta }, t, 4, label)
            }
            Variant::Flipped => {
                let inst = literal_instance(0.0);
                let t = inst.round.t;
                let label = "Algorithm 1 with flipped gradient sign, δ = 0 (control)".to_string();
                (inst, Dynamics::Alg1FlippedGradient { delta: 0.0 }, t, 0, label)
            }
            Variant::Short => {
                let inst = literal_instance(0.0);
                let t = inst.round.t / 4;
                let label = format!("Algorithm 1, δ = 0, horizon T/4 = {t} (control)");
                (inst, Dynamics::Alg1 { delta: 0.0 }, t, 0, label)
            }
            Variant::Noisy => {
                let base = literal_instance(1.0);
                let eta = 100.0 * base.round.eta;
                let inst = base.with_round(Round::literal(1, 10.0, base.round.b_x, Some(eta)));
                let t = inst.round.t;
                let label = format!(
                    "Algorithm 1, δ = 10 at η = 100 × η_D1(δ = 1) = {}, T = {t} \
                    (control)",
                    fmt(eta)
                );
                (inst, Dynamics::Alg1 { delta: 10.0 }, t, 0, label)
            }
            Variant::Printed => {
                let base = literal_instance(0.0);
                let eta = printed_eta(&base.round);
                let inst = base.with_round(Round::literal(1, 0.0, base.round.b_x, Some(eta)));
                let t = inst.round.t;
                let label = format!("Algorithm 1, δ = 0 at the printed step size η = {} (E-D1), T = {t}", fmt(eta));
                (inst, Dynamics::Alg1 { delta: 0.0 }, t, 0, label)
            }
        };
        let n_chains = v.n_chains(ctx);
        simulate(ctx, Sim { purpose: format!("{v:?}"), label, inst: &inst, dynamics, steps, n_chains, snap_chains })
    })
}

/// The practical Gaussian round's variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GaussVariant {
    /// Algorithm 1, δ = 1.
    Alg1,
    /// Control: flipped gradient sign.
    Flipped,
    /// Control: SGD + spherical Gaussian noise of matched variance (σ = δ·√M_00 ≈ δ).
    SgdGauss,
}

impl GaussVariant {
    /// The chain counts per budget.
    pub const fn chains(self) -> PerBudget<usize> {
        match self {
            GaussVariant::Alg1 => PerBudget::new(32, 128, 4096),
            GaussVariant::Flipped | GaussVariant::SgdGauss => PerBudget::new(16, 16, 256),
        }
    }
    /// The stable key tag of the variant's checks.
    pub fn key(self) -> &'static str {
        match self {
            GaussVariant::Alg1 => "practical",
            GaussVariant::Flipped => "practical-flipped",
            GaussVariant::SgdGauss => "practical-sgd-gauss",
        }
    }
}

/// Practical Gaussian round: the step size (a practical choice, labelled; D.1's literal η is
/// ~1e−11 here) and the label-noise level.
pub const GAUSS_ETA: f64 = 1e-5;
/// Label-noise level of the practical Gaussian round.
pub const GAUSS_DELTA: f64 = 1.0;

/// The practical Gaussian instance (cached).
pub fn gaussian_inst(ctx: &Ctx) -> Result<Arc<Instance>> {
    let r = cached("stage2", ctx_key(ctx, "stage2-gaussian-instance"), || {
        gaussian_instance(ctx.seed, GAUSS_DELTA, GAUSS_ETA).map(Arc::new)
    });
    (*r).clone()
}

/// The practical Gaussian round's simulation (cached).
pub fn gaussian_run(ctx: &Ctx, v: GaussVariant) -> Result<Arc<RoundRun>> {
    let inst = gaussian_inst(ctx)?;
    let n_chains = v.chains().at(ctx.budget);
    Ok(cached("stage2", ctx_key(ctx, &format!("stage2-gaussian-{v:?}")), || {
        let rd = &inst.round;
        let (dynamics, label) = match v {
            GaussVariant::Alg1 => (
                Dynamics::Alg1 { delta: rd.delta },
                format!("Algorithm 1, δ = {}, η = {}, T = {} (practical)", rd.delta, fmt(rd.eta), rd.t),
            ),
            GaussVariant::Flipped => (
                Dynamics::Alg1FlippedGradient { delta: rd.delta },
                "Algorithm 1 with flipped gradient sign (control)".to_string(),
            ),
            GaussVariant::SgdGauss => {
                let sigma = rd.delta * inst.problem.m_jk(0, 0).sqrt();
                (
                    Dynamics::SgdGauss { sigma },
                    format!("SGD + spherical Gaussian noise σ = δ√M_00 = {} (control)", fmt(sigma)),
                )
            }
        };
        let purpose = format!("gauss-{v:?}");
        simulate(ctx, Sim { purpose, label, inst: &inst, dynamics, steps: rd.t, n_chains, snap_chains: 0 })
    }))
}
