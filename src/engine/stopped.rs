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

use super::dynamics::{Dynamics, Scratch, StepStatus, alg1_coef, alg1_draw};
use super::kernels::{self, Lane8, Path};
use super::lanes::{F8, PVec, blocks_for};
use super::model::Problem;
use super::rng::Stream;
use super::runner::Runner;
use super::schedule::Schedule;

/// The set `G` of a coupling.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "set", rename_all = "kebab-case")]
pub enum StopSet {
    /// No stopping.
    Never,
    /// Definition B.1: `‖v‖_1 ≤ b`.
    L1Ball { b: f64 },
    /// Definition C.1: `‖v_S‖_∞ ≤ b` and `‖v_S̄‖_1 ≤ eps`.
    SupportBox { b: f64, eps: f64 },
    /// Definition D.2: `‖v_S − 1‖_∞ ≤ b` and `‖v_S̄‖_1 ≤ eps`.
    NearTruth { b: f64, eps: f64 },
}

impl StopSet {
    /// Is `v ∈ G`? (NaN entries are never inside a bounded set.)
    #[inline]
    pub fn contains(&self, v: &PVec, p: &Problem) -> bool {
        self.contains_with(Path::active(), v, p)
    }
    /// [`StopSet::contains`] with the norms computed on an explicit kernel path (the same bits
    /// as `lanes::sum_abs` and `Problem::off_l1` on every path).
    #[inline]
    pub fn contains_with(&self, path: Path, v: &PVec, p: &Problem) -> bool {
        match *self {
            StopSet::Never => true,
            StopSet::L1Ball { b } => kernels::sum_abs_with(path, v.blocks()) <= b,
            StopSet::SupportBox { b, eps } => {
                kernels::masked_sum_abs_with(path, v.blocks(), p.off_mask().blocks()) <= eps && p.support_max(v) <= b
            }
            StopSet::NearTruth { b, eps } => {
                kernels::masked_sum_abs_with(path, v.blocks(), p.off_mask().blocks()) <= eps
                    && p.support_dist_inf(v) <= b
            }
        }
    }
    /// Paper reference of the set.
    pub fn describe(&self) -> String {
        match *self {
            StopSet::Never => "no stopping".into(),
            StopSet::L1Ball { b } => format!("Def. B.1: ‖v‖₁ ≤ {b}"),
            StopSet::SupportBox { b, eps } => format!("Def. C.1: ‖v_S‖∞ ≤ {b}, ‖v_S̄‖₁ ≤ {eps}"),
            StopSet::NearTruth { b, eps } => format!("Def. D.2: ‖v_S − 1‖∞ ≤ {b}, ‖v_S̄‖₁ ≤ {eps}"),
        }
    }
}

/// `Σ_k √max(v_k, 0)` over all coordinates (Definition B.3's sum, without the set condition).
pub fn sum_sqrt_all(v: &PVec) -> f64 {
    let ones = PVec::constant(v.len(), 1.0);
    super::lanes::masked_sum_sqrt(v.blocks(), ones.blocks())
}

/// Which coordinates a potential sums over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coords {
    /// All `k ∈ [d]` (Definition B.3).
    All,
    /// `k ∉ S` (Definition C.6).
    OffSupport,
}

/// A bounded potential: `Σ_{k ∈ coords} √v_k` while `v ∈ set`, else 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundedPotential {
    pub set: StopSet,
    pub coords: Coords,
}

impl BoundedPotential {
    /// Definition B.3 with level `b`.
    pub fn b3(b: f64) -> Self {
        BoundedPotential { set: StopSet::L1Ball { b }, coords: Coords::All }
    }
    /// Definition C.6 with `(b, ε)`.
    pub fn c6(b: f64, eps: f64) -> Self {
        BoundedPotential { set: StopSet::SupportBox { b, eps }, coords: Coords::OffSupport }
    }
    /// `Φ(v)`.
    pub fn value(&self, v: &PVec, p: &Problem) -> f64 {
        if !self.set.contains(v, p) {
            return 0.0;
        }
        self.unbounded(v, p)
    }
    /// `Σ_{k ∈ coords} √v_k` without the set condition.
    pub fn unbounded(&self, v: &PVec, p: &Problem) -> f64 {
        use super::lanes;
        match self.coords {
            Coords::All => sum_sqrt_all(v),
            Coords::OffSupport => lanes::masked_sum_sqrt(v.blocks(), p.off_mask().blocks()),
        }
    }
}

/// Called with the state after every step (and once with `t = 0` before the first).
pub trait Observer {
    /// `v = v[t]` (for a stopped chain: `ṽ[t]`; not called after the chain froze or diverged).
    fn observe(&mut self, t: u64, v: &PVec);
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

/// Run `dynamics` from `v0` over `schedule`, stopped when it leaves `stop` (SPEC §0.5).
///
/// Algorithm 1 (and the flipped-gradient control) take the fused fast path (see the module
/// documentation); every other dynamics steps with [`Dynamics::step`]. Kernels run on
/// [`Path::active`].
pub fn run_chain<O: Observer>(
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    v0: PVec,
    rng: &mut Stream,
    obs: &mut O,
) -> ChainEnd {
    run_chain_with(Path::active(), p, dynamics, schedule, stop, v0, rng, obs)
}

/// [`run_chain`] on an explicit kernel path (every path gives the same bits).
#[allow(clippy::too_many_arguments)]
pub fn run_chain_with<O: Observer>(
    path: Path,
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    v0: PVec,
    rng: &mut Stream,
    obs: &mut O,
) -> ChainEnd {
    run_chains_with(
        path,
        p,
        dynamics,
        schedule,
        stop,
        vec![v0],
        std::slice::from_mut(rng),
        std::slice::from_mut(obs),
        1,
    )
    .pop()
    .expect("one chain")
}

/// The plain loop: one [`Dynamics::step_with`] per step, observer, stop check.
#[allow(clippy::too_many_arguments)]
fn run_chain_plain<O: Observer>(
    path: Path,
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    v0: PVec,
    rng: &mut Stream,
    obs: &mut O,
) -> ChainEnd {
    let mut v = v0;
    let mut sc = Scratch::default();
    obs.observe(0, &v);
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
            obs.observe(t, &v);
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

/// `max_k |x_k − c|` ignoring NaN terms, `0` for none: exactly `Problem::support_max` (`c = 0`)
/// and `Problem::support_dist_inf` (`c = 1`), whose `fold(0.0, f64::max)` keeps the larger of
/// two numbers and drops a NaN — the maximum of a set of non-negative numbers does not depend on
/// the order, so this branchy loop (cheaper than `f64::max`'s NaN handling) gives the same value.
#[inline(always)]
fn max_abs_ignoring_nan(xs: &[f64], c: f64) -> f64 {
    let mut m = 0.0f64;
    for &x in xs {
        let a = (x - c).abs();
        if a > m {
            m = a;
        }
    }
    m
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
pub fn run_chains<O: Observer>(
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    starts: Vec<PVec>,
    rngs: &mut [Stream],
    obs: &mut [O],
) -> Vec<ChainEnd> {
    run_chains_with(Path::active(), p, dynamics, schedule, stop, starts, rngs, obs, interleave_for(p.d()))
}

/// [`run_chains`] on an explicit kernel path with `interleave ∈ [1, INTERLEAVE]` chains per kernel
/// call (every choice gives the same bits).
#[allow(clippy::too_many_arguments)]
pub fn run_chains_with<O: Observer>(
    path: Path,
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    starts: Vec<PVec>,
    rngs: &mut [Stream],
    obs: &mut [O],
    interleave: usize,
) -> Vec<ChainEnd> {
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
                .map(|((v, rng), obs)| Chain { v, rng, obs, i: 0, s: 0.0, r: 0.0, out: false })
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
            .map(|((v, rng), o)| run_chain_plain(path, p, dynamics, schedule, stop, v, rng, o))
            .collect(),
    }
}

/// Run `count` chains on `runner`'s threads in batches of [`batch_for`]`(d)`: chain `j` is
/// `init(j) = (start, stream, observer)`. Returns `(end, observer)` in chain order, bitwise the
/// same for any number of threads and the same as calling [`run_chain`] on each chain.
///
/// ```no_run
/// # use shape_matters::engine::{dynamics::Dynamics, lanes::PVec, model::{Data, Problem}, rng::stream,
/// #     runner::Runner, schedule::Schedule, stopped::{StopSet, run_chains_par}};
/// # let p = Problem::new(Data::gaussian(40, 100, &mut stream(1, "x", "data", 0)).unwrap(), 5).unwrap();
/// let runner = Runner::new(None, false).unwrap();
/// let schedule = Schedule::constant(1e-3, 100_000).unwrap();
/// // observer: the largest ‖v‖₁ seen along the chain
/// let out = run_chains_par(&runner, "B.4 chains", 1024, &p, &Dynamics::Alg1 { delta: 1.0 }, &schedule,
///     StopSet::L1Ball { b: 10.0 }, |j| {
///         let mut max_l1 = 0.0f64;
///         (PVec::constant(100, 0.01), stream(2021, "B.4", "chain", j as u64),
///          move |_t: u64, v: &PVec| max_l1 = max_l1.max(v.as_slice().iter().map(|x| x.abs()).sum()))
///     });
/// let stayed = out.iter().filter(|(end, _)| end.stayed()).count();
/// ```
#[allow(clippy::too_many_arguments)]
pub fn run_chains_par<O, I>(
    runner: &Runner,
    label: &str,
    count: usize,
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    init: I,
) -> Vec<(ChainEnd, O)>
where
    O: Observer + Send,
    I: Fn(usize) -> (PVec, Stream, O) + Sync + Send,
{
    runner.map_batched(label, count, batch_for(p.d()), |range| {
        let mut starts = Vec::with_capacity(range.len());
        let mut rngs = Vec::with_capacity(range.len());
        let mut obs = Vec::with_capacity(range.len());
        for j in range {
            let (v, r, o) = init(j);
            starts.push(v);
            rngs.push(r);
            obs.push(o);
        }
        let ends = run_chains(p, dynamics, schedule, stop, starts, &mut rngs, &mut obs);
        ends.into_iter().zip(obs).collect()
    })
}

/// One live Algorithm-1 chain of a batch: its position in the batch, state, stream, observer, the
/// outcome `(i, s)` of its pending step and that step's residual `r = ⟨e(v), x^(i)⟩`.
struct Chain<'a, O> {
    v: PVec,
    rng: &'a mut Stream,
    obs: &'a mut O,
    i: usize,
    s: f64,
    r: f64,
    /// Left `G` at the current step (removed at the end of the step).
    out: bool,
}

/// The fused Algorithm-1 loop for a batch of chains.
struct Alg1Driver<'a> {
    path: Path,
    p: &'a Problem,
    w: *const F8,
    nbw: usize,
    nb: usize,
    delta: f64,
    grad_sign: f64,
    schedule: &'a Schedule,
    stop: StopSet,
}

/// The arguments of one [`Alg1Driver::run`], as a [`kernels::WithLanes`] job.
struct Alg1Job<'d, 'c, O> {
    driver: &'d Alg1Driver<'d>,
    chains: Vec<Chain<'c, O>>,
    ends: &'d mut Vec<(usize, ChainEnd)>,
    interleave: usize,
}

impl<O: Observer> kernels::WithLanes for Alg1Job<'_, '_, O> {
    type Out = ();
    #[inline(always)]
    unsafe fn run<V: Lane8>(self) {
        // SAFETY: `with_lanes` runs this with `V` supported by the CPU.
        unsafe { self.driver.run_g::<V, O>(self.chains, self.ends, self.interleave) }
    }
}

impl<'a> Alg1Driver<'a> {
    fn new(path: Path, p: &'a Problem, delta: f64, grad_sign: f64, schedule: &'a Schedule, stop: StopSet) -> Self {
        let w = p.w_star().blocks();
        // v* vanishes off S = {0, …, r−1}: only the first ⌈r/8⌉ blocks need `v v − w`.
        let nbw = blocks_for(p.r());
        debug_assert!(kernels::nonzero_blocks(w) <= nbw);
        Alg1Driver { path, p, w: w.as_ptr(), nbw, nb: w.len(), delta, grad_sign, schedule, stop }
    }

    /// Run the chains (batch positions `0..m`) to their ends; pushes `(position, end)`. The whole
    /// loop is compiled per path (`kernels::with_lanes`).
    fn run<O: Observer>(&self, chains: Vec<Chain<'_, O>>, ends: &mut Vec<(usize, ChainEnd)>, interleave: usize) {
        kernels::with_lanes(self.path, Alg1Job { driver: self, chains, ends, interleave })
    }

    #[inline(always)]
    fn row(&self, i: usize) -> *const F8 {
        self.p.data().row(i).as_ptr()
    }

    /// [`StopSet::contains`] given the norm the fused sweep computed (`Σ|v_j|` for B.1,
    /// `‖v_S̄‖₁` for C.1/D.2; same operations and order as `contains`, so the same answer).
    #[inline(always)]
    fn contains_from_norm(&self, v: &PVec, norm: f64) -> bool {
        let r = self.p.r();
        match self.stop {
            StopSet::Never => true,
            StopSet::L1Ball { b } => norm <= b,
            StopSet::SupportBox { b, eps } => norm <= eps && max_abs_ignoring_nan(&v.as_slice()[..r], 0.0) <= b,
            StopSet::NearTruth { b, eps } => norm <= eps && max_abs_ignoring_nan(&v.as_slice()[..r], 1.0) <= b,
        }
    }

    #[inline(always)]
    unsafe fn run_g<V: Lane8, O: Observer>(
        &self,
        chains: Vec<Chain<'_, O>>,
        ends: &mut Vec<(usize, ChainEnd)>,
        interleave: usize,
    ) {
        let p = self.p;
        let n = p.n();
        let total = self.schedule.total_steps();
        let check = !matches!(self.stop, StopSet::Never);
        // Step 0: observe, check the start, draw step 1's outcome.
        let mut live: Vec<(usize, Chain<'_, O>)> = Vec::with_capacity(chains.len());
        for (j, mut c) in chains.into_iter().enumerate() {
            c.obs.observe(0, &c.v);
            // SAFETY (all `unsafe` below): `V` is supported; the group functions get groups of
            // 1..=INTERLEAVE distinct chains whose states and rows have `nb` blocks.
            if !self.stop.contains_with(self.path, &c.v, p) {
                ends.push((j, ChainEnd { v: c.v, steps_run: 0, exit_step: Some(0), diverged_at: None }));
            } else if total == 0 {
                ends.push((j, finished(c.v, 0)));
            } else {
                (c.i, c.s) = alg1_draw(c.rng, n, self.delta);
                live.push((j, c));
            }
        }
        for g in live.chunks_mut(interleave) {
            unsafe { self.residual_group::<V, O>(g) };
        }
        let mut t: u64 = 0;
        'phases: for phase in self.schedule.phases() {
            for _ in 0..phase.steps {
                if live.is_empty() {
                    break 'phases;
                }
                t += 1;
                let last = t == total;
                // A non-finite residual: step t diverges before changing v (as `alg1_apply`).
                if live.iter().any(|(_, c)| !c.r.is_finite()) {
                    let mut k = 0;
                    while k < live.len() {
                        if live[k].1.r.is_finite() {
                            k += 1;
                        } else {
                            let (j, c) = live.swap_remove(k);
                            ends.push((
                                j,
                                ChainEnd { v: c.v, steps_run: t - 1, exit_step: None, diverged_at: Some(t) },
                            ));
                        }
                    }
                }
                let mut left = false;
                for g in live.chunks_mut(interleave) {
                    let norms = unsafe { self.fused_group::<V, O>(g, phase.eta, last) };
                    for (k, (_, c)) in g.iter_mut().enumerate() {
                        c.obs.observe(t, &c.v);
                        if check && !self.contains_from_norm(&c.v, norms[k]) {
                            c.out = true;
                            left = true;
                        }
                    }
                }
                if left {
                    let mut k = 0;
                    while k < live.len() {
                        if !live[k].1.out {
                            k += 1;
                            continue;
                        }
                        let (j, c) = live.swap_remove(k);
                        if !last {
                            // Undo the draw of step t + 1 (one u64 = two 32-bit words).
                            let pos = c.rng.get_word_pos();
                            c.rng.set_word_pos(pos - 2);
                        }
                        ends.push((j, ChainEnd { v: c.v, steps_run: t, exit_step: Some(t), diverged_at: None }));
                    }
                }
            }
        }
        for (j, c) in live {
            ends.push((j, finished(c.v, t)));
        }
    }

    /// Residuals of the pending steps of a group.
    #[inline(always)]
    unsafe fn residual_group<V: Lane8, O>(&self, g: &mut [(usize, Chain<'_, O>)]) {
        macro_rules! go {
            ($k:literal) => {{
                let vs: [*const F8; $k] = std::array::from_fn(|k| g[k].1.v.blocks().as_ptr());
                let xs: [*const F8; $k] = std::array::from_fn(|k| self.row(g[k].1.i));
                // SAFETY: see `run_g`.
                let r = unsafe { kernels::residual_multi_g::<V, $k>(vs, xs, self.w, self.nbw, self.nb) };
                for k in 0..$k {
                    g[k].1.r = r[k];
                }
            }};
        }
        match g.len() {
            1 => go!(1),
            2 => go!(2),
            3 => go!(3),
            4 => go!(4),
            l => unreachable!("group of {l} > INTERLEAVE"),
        }
    }

    /// One step of a group (all residuals finite): update with the pending outcome and, unless
    /// this is the last step, draw the next outcome and compute its residual in the same sweep,
    /// together with the stop set's norm of each updated state (returned; 0 for `Never`).
    #[inline(always)]
    unsafe fn fused_group<V: Lane8, O>(
        &self,
        g: &mut [(usize, Chain<'_, O>)],
        eta: f64,
        last: bool,
    ) -> [f64; INTERLEAVE] {
        use kernels::{NORM_ABS, NORM_MASKED_ABS, NORM_NONE};
        let mask = self.p.off_mask().blocks().as_ptr();
        let rows = self.p.data().row(0).as_ptr();
        let mut norms = [0.0; INTERLEAVE];
        macro_rules! sweep {
            ($k:literal, $next:literal, $vs:expr, $now:expr, $c:expr, $nx:expr) => {
                // SAFETY (all arms): see `run_g`; the states are distinct vectors.
                match self.stop {
                    StopSet::Never => unsafe {
                        kernels::alg1_fused_norm_g::<V, $k, $next, NORM_NONE>(
                            $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                        )
                    },
                    StopSet::L1Ball { .. } => unsafe {
                        kernels::alg1_fused_norm_g::<V, $k, $next, NORM_ABS>(
                            $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                        )
                    },
                    StopSet::SupportBox { .. } | StopSet::NearTruth { .. } => unsafe {
                        kernels::alg1_fused_norm_g::<V, $k, $next, NORM_MASKED_ABS>(
                            $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                        )
                    },
                }
            };
        }
        macro_rules! go {
            ($k:literal) => {{
                let c: [f64; $k] = std::array::from_fn(|k| alg1_coef(eta, g[k].1.s, g[k].1.r, self.grad_sign));
                // Rows as block offsets from row 0 (all rows are in the data's one allocation).
                let now: [usize; $k] = std::array::from_fn(|k| g[k].1.i * self.nb);
                let vs: [*mut F8; $k] = std::array::from_fn(|k| g[k].1.v.blocks_mut().as_mut_ptr());
                let n = if last {
                    sweep!($k, false, vs, now, c, now).1
                } else {
                    let n = self.p.n();
                    for k in 0..$k {
                        let ch = &mut g[k].1;
                        (ch.i, ch.s) = alg1_draw(ch.rng, n, self.delta);
                    }
                    let next: [usize; $k] = std::array::from_fn(|k| g[k].1.i * self.nb);
                    let (r, n) = sweep!($k, true, vs, now, c, next);
                    for k in 0..$k {
                        g[k].1.r = r[k];
                    }
                    n
                };
                norms[..$k].copy_from_slice(&n);
            }};
        }
        match g.len() {
            1 => go!(1),
            2 => go!(2),
            3 => go!(3),
            4 => go!(4),
            l => unreachable!("group of {l} > INTERLEAVE"),
        }
        norms
    }
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
            &p,
            &dynamics,
            &sched,
            stop,
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
            &p,
            &dynamics,
            &Schedule::constant(0.05, tau).unwrap(),
            StopSet::Never,
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
