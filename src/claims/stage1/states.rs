//! The states at which the Stage-1 one-step inequalities are evaluated, in three families:
//! states visited by chains (on the check data, and snapshots of the practical-regime chains),
//! random states in the `(1 + c1, ε̃)`-bounded coupling set, and adversarial boundary states.
//! Each is an [`evidence::State`](crate::evidence::State) whose family is [`Family::name`].

use std::sync::Arc;

use super::chains::{PracticalRun, unif_init};
use super::setting::Inst;
use crate::claim::{Ctx, PerBudget};
use crate::engine::dynamics::Dynamics;
use crate::engine::lanes::PVec;
use crate::engine::rng::uniform01;
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{Batch, StopSet, run_chain};
use crate::error::Result;
use crate::evidence::State;

/// The three families of states of the exact checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// States visited by chains (practical-regime chains and chains on the check data).
    Chain,
    /// Random states in the coupling set.
    Random,
    /// Adversarial boundary states.
    Adversarial,
}

impl Family {
    /// The family's name (the `family` of its [`State`]s and a column of the exact tables).
    pub fn name(self) -> &'static str {
        match self {
            Family::Chain => "chain states",
            Family::Random => "random states",
            Family::Adversarial => "adversarial states",
        }
    }
    /// The families in table order.
    pub const ALL: [Family; 3] = [Family::Chain, Family::Random, Family::Adversarial];
}

/// States visited by Algorithm-1 chains on the instance's data with its `(η, δ)` (kept when in
/// the coupling set).
pub fn chain_states(ctx: &Ctx, inst: &Inst, chains: usize, steps: u64, snaps: u64) -> Result<Vec<State>> {
    let p = &inst.problem;
    let dynamics = Dynamics::Alg1 { delta: inst.delta };
    let sched = Schedule::constant(inst.eta, steps)?;
    let every = (steps / snaps).max(1);
    let per: Vec<Vec<(u64, PVec)>> = ctx.runner.map_local("stage1 check chains", chains, |j| {
        let mut rng = ctx.stream("stage1", &format!("check-chain {}", inst.name), j as u64);
        let v0 = unif_init(p.d(), &mut rng);
        let mut snaps_v = Vec::new();
        run_chain(Batch::new(p, &dynamics, &sched, StopSet::Never), v0, &mut rng, &mut |t: u64, v: &PVec| {
            if t > 0 && t.is_multiple_of(every) {
                snaps_v.push((t, v.clone()));
            }
        });
        snaps_v
    });
    let mut out = Vec::new();
    for (j, s) in per.into_iter().enumerate() {
        for (t, v) in s {
            if inst.in_set(&v) {
                out.push(State::new(v, Family::Chain.name(), format!("chain {j} on the check data at t = {t}")));
            }
        }
    }
    Ok(out)
}

/// Snapshots of practical-regime chains (Gaussian data) used as states of the check data (same
/// `d`), kept when in the instance's coupling set.
pub fn transplanted_states(run: &PracticalRun, inst: &Inst) -> Vec<State> {
    if run.problem.d() != inst.problem.d() || run.problem.r() != inst.problem.r() {
        return Vec::new();
    }
    run.snapshots
        .iter()
        .filter(|(_, _, v)| inst.in_set(v))
        .map(|(j, t, v)| {
            State::new(v.clone(), Family::Chain.name(), format!("practical chain {j} (n = {}) at t = {t}", run.spec.n))
        })
        .collect()
}

/// Random states in the coupling set: support coordinates from a mixture (uniform on
/// `(0, 1 + c1]`, on the C.2 window, on the C.5 window, log-uniform small), off-support mass
/// `ε̃·U` split by Dirichlet(1) or concentrated (weights `E^6`).
pub fn random_states(ctx: &Ctx, inst: &Inst, count: usize) -> Vec<State> {
    let (d, r, c1, cap) = (inst.problem.d(), inst.problem.r(), inst.c1, inst.cap);
    let mut rng = ctx.stream("stage1", &format!("random states {}", inst.name), 0);
    let mut out = Vec::with_capacity(count);
    for j in 0..count {
        let mut v = vec![0.0; d];
        for x in v.iter_mut().take(r) {
            let u = uniform01(&mut rng);
            *x = match (uniform01(&mut rng) * 4.0) as usize {
                0 => (1.0 + c1) * (1.0 - u),
                1 => 1.0 + c1 / 3.0 + u * (2.0 * c1 / 3.0),
                2 => 1.0 - c1 + u * (2.0 * c1 / 3.0),
                _ => (-9.0 * u).exp() * (1.0 - c1 / 2.0),
            };
            if *x <= 0.0 {
                *x = 1e-12;
            }
        }
        let mass = cap * uniform01(&mut rng);
        let concentrated = uniform01(&mut rng) < 0.25;
        let mut w: Vec<f64> = (r..d).map(|_| -(1.0 - uniform01(&mut rng)).ln()).collect();
        if concentrated {
            w.iter_mut().for_each(|x| *x = x.powi(6));
        }
        let sw: f64 = w.iter().sum();
        for (x, wk) in v[r..].iter_mut().zip(&w) {
            *x = (mass * wk / sw).max(1e-300);
        }
        let pv = PVec::from_slice(&v);
        if inst.in_set(&pv) {
            out.push(State::new(pv, Family::Random.name(), format!("random state {j}")));
        }
    }
    out
}

/// The value of the non-target support coordinate `j` of an adversarial state.
type OtherCoords = Box<dyn Fn(usize) -> f64>;

/// Adversarial boundary states: a target support coordinate at the window ends (and at tiny and
/// middle values), the other support coordinates at `1 ± c1`, alternating, tiny or at 1, and the
/// off-support mass `ε̃` concentrated on one coordinate (the first, the last, the one most coupled
/// to `S`), spread evenly, or tiny.
pub fn adversarial_states(inst: &Inst) -> Vec<State> {
    let p = &inst.problem;
    let (d, r, c1, cap) = (p.d(), p.r(), inst.c1, inst.cap);
    // The off-support coordinate most coupled to S: argmax Σ_{j∈S} |M_jk|.
    let coupled = (r..d)
        .max_by(|&a, &b| {
            let sa: f64 = (0..r).map(|j| p.m_jk(j, a).abs()).sum();
            let sb: f64 = (0..r).map(|j| p.m_jk(j, b).abs()).sum();
            sa.partial_cmp(&sb).unwrap_or(std::cmp::Ordering::Equal).then(b.cmp(&a))
        })
        .unwrap_or(r);
    let targets: Vec<(f64, &str)> = vec![
        (1.0 + c1 / 3.0, "1 + c1/3"),
        (1.0 + c1 / 2.0, "1 + c1/2"),
        (1.0 + c1, "1 + c1"),
        (1.0 - c1 / 3.0, "1 − c1/3"),
        (1.0 - c1 / 2.0, "1 − c1/2"),
        (1.0 - c1, "1 − c1"),
        (1e-6, "1e-6"),
        (1e-3, "1e-3"),
        (0.5, "0.5"),
        (1.0, "1"),
    ];
    let others: Vec<(&str, OtherCoords)> = vec![
        ("others at 1 + c1", Box::new(move |_| 1.0 + c1)),
        ("others at 1 − c1", Box::new(move |_| 1.0 - c1)),
        ("others alternating 1 ± c1", Box::new(move |j| if j % 2 == 0 { 1.0 + c1 } else { 1.0 - c1 })),
        ("others at 1e-3", Box::new(|_| 1e-3)),
        ("others at 1", Box::new(|_| 1.0)),
    ];
    let offs: Vec<(String, Vec<f64>)> = {
        let tiny = 1e-9;
        let mut list = Vec::new();
        for (name, k) in [("first", r), ("last", d - 1), ("most coupled", coupled)] {
            let mut w = vec![tiny; d - r];
            w[k - r] = cap * (1.0 - 1e-9) - tiny * (d - r - 1) as f64;
            list.push((format!("off-support mass ε̃ on coordinate {k} ({name})"), w));
        }
        list.push(("off-support mass ε̃ spread evenly".into(), vec![cap * (1.0 - 1e-9) / (d - r) as f64; d - r]));
        list.push(("off-support tiny (1e-9)".into(), vec![tiny; d - r]));
        list
    };
    let mut out = Vec::new();
    for kt in [0usize, 1] {
        for (tv, tname) in &targets {
            for (oname, of) in &others {
                for (offname, offv) in &offs {
                    let mut v = vec![0.0; d];
                    for (j, x) in v.iter_mut().enumerate().take(r) {
                        *x = if j == kt { *tv } else { of(j) };
                    }
                    v[r..].copy_from_slice(offv);
                    let pv = PVec::from_slice(&v);
                    if inst.in_set(&pv) {
                        let label = format!("v_{kt} = {tname}, {oname}, {offname}");
                        out.push(State::new(pv, Family::Adversarial.name(), label));
                    }
                }
            }
        }
    }
    out
}

/// Chains run on the check data for the chain-state family.
pub const CHECK_CHAINS: PerBudget<usize> = PerBudget::new(3, 8, 32);
/// Steps of each chain on the check data.
pub const CHECK_STEPS: PerBudget<u64> = PerBudget::new(150_000, 300_000, 600_000);
/// Snapshots kept per chain on the check data.
pub const CHECK_SNAPS: PerBudget<u64> = PerBudget::new(40, 60, 100);
/// Random states drawn per instance.
pub const RANDOM_STATES: PerBudget<usize> = PerBudget::new(400, 3000, 30_000);

/// All three families for an instance (chain states include transplanted practical snapshots).
pub fn all_states(ctx: &Ctx, inst: &Inst, practical: &[Arc<PracticalRun>]) -> Result<Vec<State>> {
    let b = ctx.budget;
    let mut s = chain_states(ctx, inst, CHECK_CHAINS.at(b), CHECK_STEPS.at(b), CHECK_SNAPS.at(b))?;
    for run in practical {
        s.extend(transplanted_states(run, inst));
    }
    s.extend(random_states(ctx, inst, RANDOM_STATES.at(b)));
    s.extend(adversarial_states(inst));
    Ok(s)
}
