//! Stopped chains (the paper's "couplings") and bounded potentials, as reusable pieces.
//!
//! Definitions B.1, C.1 and D.2 all say: follow Algorithm 1 while the state is in a set `G`;
//! once it has left `G`, freeze (SPEC §0.5). With `τ_exit = inf{t : v[t] ∉ G}` the coupled chain
//! is `ṽ[t] = v[min(t, τ_exit)]`: the step that leaves `G` is applied, later steps are not.
//! Definitions B.3 and C.6 are "a sum of square roots while the state is in `G`, else 0".
//!
//! # Formula
//! * B.1 `(b)`-bounded: `G = {‖v‖_1 ≤ b}`.
//! * C.1 `(b, ε)`-bounded: `G = {‖v_S̄‖_1 ≤ ε, ‖v_S‖_∞ ≤ b}`.
//! * D.2 `(b, ε)`-to-`v*`: `G = {‖v_S̄‖_1 ≤ ε, ‖v_S − 1‖_∞ ≤ b}`.
//! * B.3 potential: `Φ(v) = Σ_k √v_k` on `{‖v‖_1 ≤ b}`, else 0.
//! * C.6 potential: `Φ(v) = Σ_{k∉S} √v_k` on the C.1 set, else 0.
//!
//! # Fast paths (issue 8)
//! [`run_chain`] runs Algorithm 1 (and its flipped-gradient control) through the fused kernel
//! ([`super::kernels::alg1_fused_with`]): the update of step `t` and the residual of step `t + 1`
//! in one sweep over the blocks. That needs step `t + 1`'s draw before step `t`'s observer and
//! stop check; if the chain then stops at `t`, the stream is rewound by that one `u64`
//! (`set_word_pos`), so the caller's stream ends exactly where the plain loop leaves it. States,
//! exit steps, divergence steps, observer calls and the stream position are bitwise those of the
//! plain step-by-step loop (`tests/kernels.rs` checks this on every CPU path).
//!
//! [`run_chains`] runs a batch of chains with the same problem, dynamics, schedule and set,
//! interleaving up to [`INTERLEAVE`] Algorithm-1 chains per kernel call (independent instruction
//! streams hide the step-to-step latency); each chain's result is bitwise what [`run_chain`]
//! gives it. [`run_chains_par`] spreads batches over a [`Runner`]'s threads. Observers must be
//! per chain: within one batch, the calls of different chains interleave.

use serde::{Deserialize, Serialize};

use super::dynamics::{Dynamics, Scratch, StepStatus};
use super::kernels::{self, Path};
use super::lanes::{PVec, blocks_for};
use super::model::Problem;
use super::rng::Stream;
use super::runner::{Runner, Unit};
use super::schedule::Schedule;

mod fused;
mod sets;

use fused::{Alg1Driver, Chain};
pub use sets::{BoundedPotential, Coords, StopSet, sum_sqrt_all};

/// Called with the state after every step (and once with `t = 0` before the first).
pub trait Observer {
    /// `v = v[t]` (for a stopped chain: `ṽ[t]`; not called after the chain froze or diverged).
    fn observe(&mut self, t: u64, v: &PVec);
    /// True when the observer reads `‖v_S̄‖₁` ([`Problem::off_l1`]) at every step. The chain
    /// drivers then call [`Observer::observe_off_l1`] instead of [`Observer::observe`], and the
    /// fused Algorithm-1 sweep accumulates the norm while it updates the state (no second pass).
    const WANTS_OFF_L1: bool = false;
    /// [`Observer::observe`] given `off_l1`, bitwise `Problem::off_l1(v)` (the same operations in
    /// the same order, on every kernel path).
    #[inline(always)]
    fn observe_off_l1(&mut self, t: u64, v: &PVec, off_l1: f64) {
        let _ = off_l1;
        self.observe(t, v)
    }
}

/// Report `v[t]` to `obs`: through [`Observer::observe_off_l1`] when it wants `‖v_S̄‖₁` (`off`
/// when the sweep computed it, else `p.off_l1(v)`), else through [`Observer::observe`].
#[inline(always)]
fn notify<O: Observer>(obs: &mut O, t: u64, v: &PVec, p: &Problem, off: Option<f64>) {
    if O::WANTS_OFF_L1 {
        let off = off.unwrap_or_else(|| p.off_l1(v));
        obs.observe_off_l1(t, v, off)
    } else {
        obs.observe(t, v)
    }
}

/// An observer that records nothing.
pub struct NoObserver;
impl Observer for NoObserver {
    #[inline(always)]
    fn observe(&mut self, _t: u64, _v: &PVec) {}
}

impl<F: FnMut(u64, &PVec)> Observer for F {
    #[inline(always)]
    fn observe(&mut self, t: u64, v: &PVec) {
        self(t, v)
    }
}

/// How a chain ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChainEnd {
    /// Final state (`ṽ[T]` for a stopped chain; for a diverged chain the state whose residual was
    /// not finite — report `diverged_at`, never these entries).
    pub v: PVec,
    /// Steps actually simulated.
    pub steps_run: u64,
    /// `τ_exit`: the first `t` with `v[t] ∉ G` (`Some(0)` if the start is outside).
    pub exit_step: Option<u64>,
    /// The step at which a residual became non-finite (the chain diverged).
    pub diverged_at: Option<u64>,
}

impl ChainEnd {
    /// Did the chain stay in `G` for all `t ≤ T` and stay finite?
    pub fn stayed(&self) -> bool {
        self.exit_step.is_none() && self.diverged_at.is_none()
    }
}

/// What the chains of one batch share: the kernel path, problem, dynamics, schedule and stop set.
#[derive(Clone, Copy)]
pub struct Batch<'a> {
    pub path: Path,
    pub p: &'a Problem,
    pub dynamics: &'a Dynamics,
    pub schedule: &'a Schedule,
    pub stop: StopSet,
}

impl<'a> Batch<'a> {
    /// `dynamics` on `p` over `schedule`, stopped when it leaves `stop`, on [`Path::active`].
    pub fn new(p: &'a Problem, dynamics: &'a Dynamics, schedule: &'a Schedule, stop: StopSet) -> Batch<'a> {
        Batch { path: Path::active(), p, dynamics, schedule, stop }
    }
    /// The same batch on an explicit kernel path (every path gives the same bits).
    pub fn on(self, path: Path) -> Batch<'a> {
        Batch { path, ..self }
    }
}

/// Run `b.dynamics` from `v0` over `b.schedule`, stopped when it leaves `b.stop` (SPEC §0.5).
///
/// Algorithm 1 (and the flipped-gradient control) take the fused fast path (see the module
/// documentation); every other dynamics steps with [`Dynamics::step`]. Kernels run on `b.path`.
pub fn run_chain<O: Observer>(b: Batch<'_>, v0: PVec, rng: &mut Stream, obs: &mut O) -> ChainEnd {
    run_chains_with(b, vec![v0], std::slice::from_mut(rng), std::slice::from_mut(obs), 1).pop().expect("one chain")
}

/// The plain loop: one [`Dynamics::step_with`] per step, observer, stop check.
fn run_chain_plain<O: Observer>(batch: Batch<'_>, v0: PVec, rng: &mut Stream, obs: &mut O) -> ChainEnd {
    let Batch { path, p, dynamics, schedule, stop } = batch;
    let mut v = v0;
    let mut sc = Scratch::default();
    notify(obs, 0, &v, p, None);
    if !stop.contains_with(path, &v, p) {
        return ChainEnd { v, steps_run: 0, exit_step: Some(0), diverged_at: None };
    }
    let check = !matches!(stop, StopSet::Never);
    let mut t: u64 = 0;
    for phase in schedule.phases() {
        for _ in 0..phase.steps {
            // Every dynamics detects a non-finite residual before it changes `v`.
            if dynamics.step_with(path, &mut v, p, phase.eta, rng, &mut sc) == StepStatus::Diverged {
                return ChainEnd { v, steps_run: t, exit_step: None, diverged_at: Some(t + 1) };
            }
            t += 1;
            notify(obs, t, &v, p, None);
            if check && !stop.contains_with(path, &v, p) {
                return ChainEnd { v, steps_run: t, exit_step: Some(t), diverged_at: None };
            }
        }
    }
    finished(v, t)
}

/// The end of a chain that ran all `t` steps.
fn finished(v: PVec, t: u64) -> ChainEnd {
    if !v.all_finite() {
        return ChainEnd { v, steps_run: t, exit_step: None, diverged_at: Some(t) };
    }
    ChainEnd { v, steps_run: t, exit_step: None, diverged_at: None }
}

/// `(δ, grad_sign)` when `dynamics` is Algorithm 1 or its flipped-gradient control.
fn alg1_params(dynamics: &Dynamics) -> Option<(f64, f64)> {
    match *dynamics {
        Dynamics::Alg1 { delta } => Some((delta, 1.0)),
        Dynamics::Alg1FlippedGradient { delta } => Some((delta, -1.0)),
        _ => None,
    }
}

/// At most this many Algorithm-1 chains share one kernel call in [`run_chains`].
pub const INTERLEAVE: usize = 4;

/// How many chains [`run_chains`] interleaves per kernel call at dimension `d`: enough
/// independent chains to hide the step-to-step latency (the `⌈d/8⌉` dependent additions of each
/// residual), few enough that their states and the `2K` rows one sweep reads (`3K⌈d/8⌉` blocks of
/// 64 bytes) stay in a 48 KB L1 cache. Measured on the project machine (min of repeated runs,
/// ns per chain-step): d = 100: K = 1, 2, 3, 4 → 40, 27, 24, 22; d = 400: K = 2, 3, 4 → 66, 66,
/// 128; d = 1000: K = 1, 2, 3 → 180, 161, 244.
pub fn interleave_for(d: usize) -> usize {
    match blocks_for(d) {
        0..=32 => INTERLEAVE,
        33..=50 => 3,
        _ => 2,
    }
}

/// How many chains [`run_chains_par`] gives one task at dimension `d`: one kernel group (a second
/// group sharing the thread gains nothing at d = 100 and evicts the first group's rows from L1 at
/// d = 1000; measured in `benches/`, group `alg1_interleaved`).
pub fn batch_for(d: usize) -> usize {
    interleave_for(d)
}

/// Run a batch of chains with the same problem, dynamics, schedule and stop set: chain `j` starts
/// at `starts[j]`, draws from `rngs[j]` and reports to `obs[j]`. Returns the ends in order; each is
/// bitwise what [`run_chain`] returns for that chain (and each stream is left where
/// [`run_chain`] leaves it). Algorithm-1 chains are interleaved, [`interleave_for`]`(d)` per
/// kernel call; other dynamics run one after the other.
pub fn run_chains<O: Observer>(b: Batch<'_>, starts: Vec<PVec>, rngs: &mut [Stream], obs: &mut [O]) -> Vec<ChainEnd> {
    run_chains_with(b, starts, rngs, obs, interleave_for(b.p.d()))
}

/// [`run_chains`] with `interleave ∈ [1, INTERLEAVE]` chains per kernel call (every choice gives
/// the same bits).
pub fn run_chains_with<O: Observer>(
    b: Batch<'_>,
    starts: Vec<PVec>,
    rngs: &mut [Stream],
    obs: &mut [O],
    interleave: usize,
) -> Vec<ChainEnd> {
    let Batch { path, p, dynamics, schedule, stop } = b;
    assert!(starts.len() == rngs.len() && rngs.len() == obs.len(), "one stream and one observer per chain");
    assert!((1..=INTERLEAVE).contains(&interleave), "interleave must be in 1..={INTERLEAVE}");
    let path = kernels::checked(path);
    let m = starts.len();
    match alg1_params(dynamics) {
        Some((delta, grad_sign)) => {
            let chains: Vec<Chain<O>> = starts
                .into_iter()
                .zip(rngs.iter_mut())
                .zip(obs.iter_mut())
                .map(|((v, rng), obs)| Chain::new(v, rng, obs))
                .collect();
            let mut ends = Vec::with_capacity(m);
            Alg1Driver::new(path, p, delta, grad_sign, schedule, stop).run(chains, &mut ends, interleave);
            ends.sort_unstable_by_key(|(j, _)| *j);
            ends.into_iter().map(|(_, e)| e).collect()
        }
        None => starts
            .into_iter()
            .zip(rngs.iter_mut())
            .zip(obs.iter_mut())
            .map(|((v, rng), o)| run_chain_plain(Batch { path, ..b }, v, rng, o))
            .collect(),
    }
}

/// Run `count` chains on `runner`'s threads in batches of [`batch_for`]`(d)`: chain `j` is
/// `init(j) = (start, stream, observer)`. Returns `(end, observer)` in chain order, bitwise the
/// same for any number of threads and the same as calling [`run_chain`] on each chain. Every
/// chain is computed in every runner mode ([`Runner::map_full`]): a sharded run uses
/// [`run_chains_par_map`], whose results are recorded.
///
/// ```no_run
/// # use shape_matters::engine::{dynamics::Dynamics, lanes::PVec, model::{Data, Problem}, rng::stream,
/// #     runner::Runner, schedule::Schedule, stopped::{Batch, StopSet, run_chains_par}};
/// # let p = Problem::new(Data::gaussian(40, 100, &mut stream(1, "x", "data", 0)).unwrap(), 5).unwrap();
/// let runner = Runner::new(None, false).unwrap();
/// let schedule = Schedule::constant(1e-3, 100_000).unwrap();
/// // observer: the largest ‖v‖₁ seen along the chain
/// let batch = Batch::new(&p, &Dynamics::Alg1 { delta: 1.0 }, &schedule, StopSet::L1Ball { b: 10.0 });
/// let out = run_chains_par(&runner, "B.4 chains", 1024, batch, |j| {
///         let mut max_l1 = 0.0f64;
///         (PVec::constant(100, 0.01), stream(2021, "B.4", "chain", j as u64),
///          move |_t: u64, v: &PVec| max_l1 = max_l1.max(v.as_slice().iter().map(|x| x.abs()).sum()))
///     });
/// let stayed = out.iter().filter(|(end, _)| end.stayed()).count();
/// ```
pub fn run_chains_par<O, I>(runner: &Runner, label: &str, count: usize, b: Batch<'_>, init: I) -> Vec<(ChainEnd, O)>
where
    O: Observer + Send,
    I: Fn(usize) -> (PVec, Stream, O) + Sync + Send,
{
    runner.map_batched_full(label, count, batch_for(b.p.d()), |range| {
        let (ends, obs) = batch(b, range, &init);
        ends.into_iter().zip(obs).collect()
    })
}

/// The chains `range` of one task, interleaved by [`run_chains`]: their ends and observers.
fn batch<O, I>(b: Batch<'_>, range: std::ops::Range<usize>, init: &I) -> (Vec<ChainEnd>, Vec<O>)
where
    O: Observer,
    I: Fn(usize) -> (PVec, Stream, O),
{
    let mut starts = Vec::with_capacity(range.len());
    let mut rngs = Vec::with_capacity(range.len());
    let mut obs = Vec::with_capacity(range.len());
    for j in range {
        let (v, r, o) = init(j);
        starts.push(v);
        rngs.push(r);
        obs.push(o);
    }
    let ends = run_chains(b, starts, &mut rngs, &mut obs);
    (ends, obs)
}

/// [`run_chains_par`] that returns `finish(end, observer)` per chain, computed inside the batch:
/// the results are serializable, so a sharded run computes only its shard's batches and records
/// them ([`Runner::map_batched`]).
pub fn run_chains_par_map<O, I, R, G>(
    runner: &Runner,
    label: &str,
    count: usize,
    b: Batch<'_>,
    init: I,
    finish: G,
) -> Vec<R>
where
    O: Observer,
    I: Fn(usize) -> (PVec, Stream, O) + Sync + Send,
    R: Unit,
    G: Fn(ChainEnd, O) -> R + Sync + Send,
{
    runner.map_batched(label, count, batch_for(b.p.d()), |range| {
        let (ends, obs) = batch(b, range, &init);
        ends.into_iter().zip(obs).map(|(e, o)| finish(e, o)).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::lanes;
    use crate::engine::model::Data;
    use crate::engine::rng::stream;

    #[test]
    fn stopped_chain_freezes_after_the_exit_step() {
        let p = Problem::new(Data::gaussian(4, 6, &mut stream(1, "s", "d", 0)).unwrap(), 1).unwrap();
        let dynamics = Dynamics::Alg1 { delta: 5.0 };
        let sched = Schedule::constant(0.05, 10_000).unwrap();
        let stop = StopSet::L1Ball { b: 6.05 };
        let mut norms = Vec::new();
        let end = run_chain(
            Batch::new(&p, &dynamics, &sched, stop),
            PVec::constant(6, 1.0),
            &mut stream(1, "s", "c", 0),
            &mut |_t: u64, v: &PVec| norms.push(lanes::sum_abs(v.blocks())),
        );
        let tau = end.exit_step.expect("this chain leaves the ball");
        assert_eq!(norms.len() as u64, tau + 1);
        assert!(norms[..tau as usize].iter().all(|&x| x <= 6.05));
        assert!(norms[tau as usize] > 6.05);
        // Same stream without stopping: identical prefix.
        let free = run_chain(
            Batch::new(&p, &dynamics, &Schedule::constant(0.05, tau).unwrap(), StopSet::Never),
            PVec::constant(6, 1.0),
            &mut stream(1, "s", "c", 0),
            &mut NoObserver,
        );
        assert_eq!(free.v, end.v);
    }

    #[test]
    fn potentials_vanish_outside_their_set() {
        let p = Problem::new(Data::gaussian(3, 4, &mut stream(1, "s", "d", 0)).unwrap(), 1).unwrap();
        let v = PVec::from_slice(&[4.0, 1.0, 0.25, 0.0]);
        assert_eq!(BoundedPotential::b3(10.0).value(&v, &p), 3.5);
        assert_eq!(BoundedPotential::b3(5.0).value(&v, &p), 0.0);
        assert_eq!(BoundedPotential::c6(5.0, 2.0).value(&v, &p), 1.5);
        assert_eq!(BoundedPotential::c6(1.5, 2.0).value(&v, &p), 0.0);
    }
}
