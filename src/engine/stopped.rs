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

use serde::{Deserialize, Serialize};

use super::dynamics::{Dynamics, Scratch, StepStatus};
use super::lanes::{self, PVec};
use super::model::Problem;
use super::rng::Stream;
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
        match *self {
            StopSet::Never => true,
            StopSet::L1Ball { b } => lanes::sum_abs(v.blocks()) <= b,
            StopSet::SupportBox { b, eps } => p.off_l1(v) <= eps && p.support_max(v) <= b,
            StopSet::NearTruth { b, eps } => p.off_l1(v) <= eps && p.support_dist_inf(v) <= b,
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
        match self.coords {
            Coords::All => {
                let ones = PVec::constant(v.len(), 1.0);
                lanes::masked_sum_sqrt(v.blocks(), ones.blocks())
            }
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
pub fn run_chain<O: Observer>(
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
    if !stop.contains(&v, p) {
        return ChainEnd { v, steps_run: 0, exit_step: Some(0), diverged_at: None };
    }
    let check = !matches!(stop, StopSet::Never);
    let mut t: u64 = 0;
    for phase in schedule.phases() {
        for _ in 0..phase.steps {
            // Every dynamics detects a non-finite residual before it changes `v`.
            if dynamics.step(&mut v, p, phase.eta, rng, &mut sc) == StepStatus::Diverged {
                return ChainEnd { v, steps_run: t, exit_step: None, diverged_at: Some(t + 1) };
            }
            t += 1;
            obs.observe(t, &v);
            if check && !stop.contains(&v, p) {
                return ChainEnd { v, steps_run: t, exit_step: Some(t), diverged_at: None };
            }
        }
    }
    if !v.all_finite() {
        return ChainEnd { v, steps_run: t, exit_step: None, diverged_at: Some(t) };
    }
    ChainEnd { v, steps_run: t, exit_step: None, diverged_at: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Data;
    use crate::engine::rng::stream;

    #[test]
    fn stopped_chain_freezes_after_the_exit_step() {
        let p = Problem::new(Data::gaussian(4, 6, &mut stream(1, "s", "d", 0)).unwrap(), 1).unwrap();
        let dynamics = Dynamics::Alg1 { delta: 5.0 };
        let sched = Schedule::constant(0.05, 10_000).unwrap();
        let stop = StopSet::L1Ball { b: 6.05 };
        let mut norms = Vec::new();
        let end = run_chain(&p, &dynamics, &sched, stop, PVec::constant(6, 1.0), &mut stream(1, "s", "c", 0), &mut |_t: u64, v: &PVec| {
            norms.push(lanes::sum_abs(v.blocks()))
        });
        let tau = end.exit_step.expect("this chain leaves the ball");
        assert_eq!(norms.len() as u64, tau + 1);
        assert!(norms[..tau as usize].iter().all(|&x| x <= 6.05));
        assert!(norms[tau as usize] > 6.05);
        // Same stream without stopping: identical prefix.
        let free = run_chain(&p, &dynamics, &Schedule::constant(0.05, tau).unwrap(), StopSet::Never, PVec::constant(6, 1.0), &mut stream(1, "s", "c", 0), &mut NoObserver);
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
