//! The states of Stage 2's exact one-step checks and of its Monte Carlo starts: floating-point
//! boundary points, the boundary start states of a round (SPEC §6.7), and the admissible states
//! of the coupling set — adversarial constructions, random ones and trajectory snapshots — each
//! an [`evidence::State`](crate::evidence::State) whose label is printed in `worst_at`.

use crate::claim::{Ctx, PerBudget};
use crate::claims::stage2::setting::{ExactInst, Round};
use crate::engine::lanes::PVec;
use crate::engine::model::Problem;
use crate::engine::rng::{Stream, uniform01};
use crate::evidence::State;
use crate::numfmt::fmt;
use crate::tol;

/// Family of the boundary start states of a round.
pub const BOUNDARY_START: &str = "boundary start";
/// Family of the constructed worst-case states (window ends, other coordinates at the band's edge).
pub const ADVERSARIAL: &str = "adversarial";
/// Family of the random admissible states.
pub const RANDOM: &str = "random";
/// Family of the snapshots of real chains.
pub const TRAJECTORY: &str = "trajectory";

/// Random states per instance and check.
pub const N_RANDOM: PerBudget<usize> = PerBudget::new(200, 1000, 10_000);

// ------------------------------------------------------------------------------------------
// Floating-point boundary states
// ------------------------------------------------------------------------------------------

/// The next `f64` from `v > 0` in the direction of 1.
pub fn toward_one(v: f64) -> f64 {
    if v > 1.0 { f64::from_bits(v.to_bits() - 1) } else { f64::from_bits(v.to_bits() + 1) }
}

/// The next `f64` from `v > 0` away from 1.
pub fn away_from_one(v: f64) -> f64 {
    if v >= 1.0 { f64::from_bits(v.to_bits() + 1) } else { f64::from_bits(v.to_bits() - 1) }
}

/// A float `v` on the `sign` side of 1 with `lo ≤ |v − 1| ≤ hi` (as computed in f64), starting
/// from `1 + sign·x`.
pub fn deviation(x: f64, sign: f64, lo: f64, hi: f64) -> f64 {
    let mut v = 1.0 + sign * x;
    for _ in 0..64 {
        let dv = (v - 1.0).abs();
        if dv > hi {
            v = toward_one(v);
        } else if dv < lo {
            v = away_from_one(v);
        } else {
            break;
        }
    }
    v
}

/// How the off-support mass is laid out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OffPattern {
    /// All of it on the first off-support coordinate (the others `1e−12`).
    Concentrated,
    /// Evenly over `S̄`.
    Spread,
    /// Every off-support coordinate `1e−12` (no mass).
    Tiny,
}

/// Value of an off-support coordinate that carries no mass.
pub const TINY: f64 = 1e-12;

/// Shrink the off-support coordinates by [`tol::STAGE2_OFF_SHRINK`] until the engine's `off_l1`
/// is at most `mass`.
fn shrink_off(p: &Problem, v: &[f64], mass: f64) -> PVec {
    let r = p.r();
    let mut pv = PVec::from_slice(v);
    for _ in 0..200 {
        if p.off_l1(&pv) <= mass {
            break;
        }
        for x in &mut pv.as_mut_slice()[r..] {
            *x *= 1.0 - tol::STAGE2_OFF_SHRINK;
        }
    }
    pv
}

/// A positive state with the given support values and off-support mass `‖v_S̄‖₁ ≤ mass`
/// (shrunk by ulps until the engine's `off_l1` agrees).
pub fn state(p: &Problem, support: &[f64], pattern: OffPattern, mass: f64) -> PVec {
    let (d, r) = (p.d(), p.r());
    let mut v = vec![TINY; d];
    v[..r].copy_from_slice(support);
    let m = d - r;
    match pattern {
        OffPattern::Concentrated => v[r] = (mass - (m as f64 - 1.0) * TINY).max(TINY),
        OffPattern::Spread => v[r..].iter_mut().for_each(|x| *x = mass / m as f64),
        OffPattern::Tiny => {}
    }
    shrink_off(p, &v, mass)
}

/// A positive state with random off-support mass `U(0,1)·mass` split by exponential weights.
pub fn random_off(p: &Problem, support: &[f64], mass: f64, rng: &mut Stream) -> PVec {
    let (d, r) = (p.d(), p.r());
    let mut v = vec![0.0; d];
    v[..r].copy_from_slice(support);
    let total = mass * uniform01(rng);
    let w: Vec<f64> = (r..d).map(|_| -(1.0 - uniform01(rng)).ln()).collect();
    let sw: f64 = w.iter().sum();
    for (x, wi) in v[r..].iter_mut().zip(&w) {
        *x = (total * wi / sw).max(TINY);
    }
    shrink_off(p, &v, mass)
}

/// A support coordinate uniformly within `b` of 1 (both sides).
fn random_within(b: f64, rng: &mut Stream) -> f64 {
    let y = b * (2.0 * uniform01(rng) - 1.0);
    deviation(y.abs(), y.signum(), 0.0, b)
}

/// Boundary start states of a round (SPEC §6.7): every support coordinate at `1 ± c_{s−1}`
/// (all +, all −, alternating), off-support mass `ε_{s−1}` concentrated on one coordinate or
/// spread.
pub fn boundary_starts(p: &Problem, rd: &Round) -> Vec<State> {
    let r = p.r();
    let mut out = Vec::new();
    let mut patterns: Vec<(Vec<f64>, &str)> =
        vec![(vec![1.0; r], "v_S = 1 + c_(s−1)"), (vec![-1.0; r], "v_S = 1 − c_(s−1)")];
    if r > 1 {
        patterns.push((
            (0..r).map(|k| if k % 2 == 0 { 1.0 } else { -1.0 }).collect(),
            "v_S = 1 ± c_(s−1) \
            alternating",
        ));
    }
    for (signs, name) in &patterns {
        let sup: Vec<f64> = signs.iter().map(|&sg| deviation(rd.c_prev, sg, 0.0, rd.c_prev)).collect();
        for (pat, pname) in [
            (
                OffPattern::Concentrated,
                "mass ε_(s−1) on one \
                coordinate",
            ),
            (OffPattern::Spread, "mass ε_(s−1) spread"),
        ] {
            out.push(State::new(state(p, &sup, pat, rd.eps_prev), BOUNDARY_START, format!("{name}, {pname}")));
        }
    }
    out
}

/// The vectors of the boundary start states.
pub fn boundary_start_vectors(p: &Problem, rd: &Round) -> Vec<PVec> {
    boundary_starts(p, rd).into_iter().map(|s| s.v).collect()
}

// ------------------------------------------------------------------------------------------
// Admissible states of the coupling set
// ------------------------------------------------------------------------------------------

/// Which side of 1 a drift inequality is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Above,
    Below,
}

impl Side {
    pub fn sign(self) -> f64 {
        match self {
            Side::Above => 1.0,
            Side::Below => -1.0,
        }
    }
}

/// The windows of the drift inequalities (values of `|v_k − 1|`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// D.3's G.3 window `[(2/3) c_{s−1}, 2 c_{s−1}]` (`c = 2c_{s−1}`, `[c/3, c]`).
    D3,
    /// D.5's G.4 window `[c_s/2, 2 c_{s−1}]`.
    D5,
    /// D.6's G.3 window `[c_s/3, c_s]`.
    D6,
}

impl Window {
    /// `(lo, hi)` for a round.
    pub fn bounds(self, rd: &Round) -> (f64, f64) {
        match self {
            Window::D3 => (2.0 * rd.c_prev / 3.0, 2.0 * rd.c_prev),
            Window::D5 => (rd.c_s / 2.0, 2.0 * rd.c_prev),
            Window::D6 => (rd.c_s / 3.0, rd.c_s),
        }
    }
}

/// A short description of a state for the report: the tested coordinate, the other support
/// coordinates' range, the off-support mass and the perturbation `K_k`.
pub fn describe_state(p: &Problem, v: &PVec, k: usize, label: &str) -> String {
    let s = v.as_slice();
    let others: Vec<f64> = (0..p.r()).filter(|&j| j != k).map(|j| s[j] - 1.0).collect();
    let (mn, mx) = others.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let oth = if others.is_empty() {
        String::new()
    } else {
        format!(", v_j − 1 ∈ [{}, {}] (j ∈ S∖k)", fmt(mn), fmt(mx))
    };
    format!(
        "{label}: v_{k} − 1 = {}{oth}, ‖v_S̄‖₁ = {}, K_{k} = {}",
        fmt(s[k] - 1.0),
        fmt(p.off_l1(v)),
        fmt(p.perturbation(v, k))
    )
}

/// A random admissible state (support within `2c_{s−1}`, off-support mass up to `ε_s`) with
/// coordinate 0 given.
fn random_admissible(p: &Problem, rd: &Round, v0: Option<f64>, rng: &mut Stream) -> State {
    let b = 2.0 * rd.c_prev;
    let mut sup = vec![0.0; p.r()];
    let first = match v0 {
        Some(v) => {
            sup[0] = v;
            1
        }
        None => 0,
    };
    for s in sup.iter_mut().skip(first) {
        *s = random_within(b, rng);
    }
    State::new(random_off(p, &sup, rd.eps_s, rng), RANDOM, "random admissible")
}

/// Admissible states for a drift inequality about coordinate `k = 0 ∈ S` on one side, with
/// `|v_k − 1| ∈ [lo, hi]`, inside the coupling set: adversarial ones (window ends and interior
/// points × the other support coordinates at `1 + 2c_{s−1}`, `1 − 2c_{s−1}` or 1 × off-support
/// mass `ε_s` concentrated / spread / none) and `n_random` random ones.
pub fn window_states(
    p: &Problem,
    rd: &Round,
    side: Side,
    (lo, hi): (f64, f64),
    n_random: usize,
    rng: &mut Stream,
) -> Vec<State> {
    let r = p.r();
    let mut out = Vec::new();
    let b = 2.0 * rd.c_prev;
    let mut devs = vec![lo, hi];
    for j in 1..=3 {
        devs.push(lo * (hi / lo).powf(j as f64 / 4.0));
    }
    let other_patterns: Vec<(f64, &str)> = if r > 1 {
        vec![(1.0, "others at 1 + 2c_(s−1)"), (-1.0, "others at 1 − 2c_(s−1)"), (0.0, "others at 1")]
    } else {
        vec![(0.0, "")]
    };
    for &x in &devs {
        for &(osign, oname) in &other_patterns {
            let mut sup = vec![1.0; r];
            sup[0] = deviation(x, side.sign(), lo, hi);
            for s in sup.iter_mut().skip(1) {
                *s = if osign == 0.0 { 1.0 } else { deviation(b, osign, 0.0, b) };
            }
            for (pat, pname) in [
                (OffPattern::Concentrated, "ε_s on one coordinate"),
                (OffPattern::Spread, "ε_s spread"),
                (OffPattern::Tiny, "no off-support mass"),
            ] {
                let sep = if oname.is_empty() { "" } else { ", " };
                let label = format!("adversarial ({oname}{sep}{pname})");
                out.push(State::new(state(p, &sup, pat, rd.eps_s), ADVERSARIAL, label));
            }
        }
    }
    for _ in 0..n_random {
        let x = lo + (hi - lo) * uniform01(rng);
        let v0 = deviation(x, side.sign(), lo, hi);
        out.push(random_admissible(p, rd, Some(v0), rng));
    }
    out.retain(|s| rd.coupling().contains(&s.v, p));
    out
}

/// Trajectory states (snapshots of real chains) that lie in the coupling set, and (with a side
/// and a window) have `|v_0 − 1| ∈ [lo, hi]` on that side.
pub fn trajectory_states(p: &Problem, rd: &Round, window: Option<(Side, f64, f64)>, snaps: &[PVec]) -> Vec<State> {
    snaps
        .iter()
        .filter(|v| {
            let x = v.as_slice()[0] - 1.0;
            rd.coupling().contains(v, p)
                && window.is_none_or(|(side, lo, hi)| x * side.sign() >= lo && x * side.sign() <= hi)
        })
        .map(|v| State::new(v.clone(), TRAJECTORY, "trajectory"))
        .collect()
}

/// In-set states for the off-support inequalities (no window): random + adversarial.
pub fn inset_states(p: &Problem, rd: &Round, n_random: usize, rng: &mut Stream) -> Vec<State> {
    let r = p.r();
    let b = 2.0 * rd.c_prev;
    let mut out = Vec::new();
    for sg in [1.0, -1.0, 0.0] {
        let sup: Vec<f64> = (0..r).map(|_| if sg == 0.0 { 1.0 } else { deviation(b, sg, 0.0, b) }).collect();
        for pat in [OffPattern::Concentrated, OffPattern::Spread, OffPattern::Tiny] {
            let where_s = if sg > 0.0 {
                "1 + 2c_(s−1)"
            } else if sg < 0.0 {
                "1 − 2c_(s−1)"
            } else {
                "1"
            };
            let label = format!("adversarial (support at {where_s}, off-support {pat:?})");
            out.push(State::new(state(p, &sup, pat, rd.eps_s), ADVERSARIAL, label));
        }
    }
    for _ in 0..n_random {
        out.push(random_admissible(p, rd, None, rng));
    }
    out.retain(|s| rd.coupling().contains(&s.v, p));
    out
}

/// The states of a window check on instance `j` (adversarial + random + trajectory); the same
/// `(claim, j, window, side)` gives the same states (witness and repair are evaluated on the
/// same states).
pub fn drift_states(ctx: &Ctx, claim: &str, j: usize, ei: &ExactInst, win: Window, side: Side) -> Vec<State> {
    let rd = &ei.inst.round;
    let (lo, hi) = win.bounds(rd);
    let mut rng = ctx.stream("stage2-states", &format!("{claim}-{win:?}-{side:?}"), j as u64);
    let mut st = window_states(&ei.inst.problem, rd, side, (lo, hi), N_RANDOM.at(ctx.budget), &mut rng);
    st.extend(trajectory_states(&ei.inst.problem, rd, Some((side, lo, hi)), &ei.snaps));
    st
}
