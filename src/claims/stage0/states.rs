//! The states at which the exact one-step checks of Stage 0 are evaluated, as
//! [`evidence::State`](crate::evidence::State)s of three families: real trajectories
//! ("trajectory"), random admissible states ("random") and adversarial states ("adversarial").

use super::chains::{LitRun, RECORDED_CHAINS, VarRun};
use super::setting::{Instance, PLAN, STREAM_CLAIM};
use crate::claim::Ctx;
use crate::engine::lanes::PVec;
use crate::engine::rng::{Stream, uniform01};
use crate::evidence::State;
use crate::numfmt::fmt;

/// Random admissible states: uniform in `{v > 0, ‖v‖₁ ≤ b}` (a Dirichlet(1, …, 1) point of the
/// (d+1)-simplex scaled by `b`), and the same with the radius log-uniform in `[b·1e−8, b]`.
pub fn random_states(inst: &Instance, b: f64, count: usize, rng: &mut Stream) -> Vec<State> {
    let d = inst.c.d;
    let mut out = Vec::with_capacity(count);
    for j in 0..count {
        let e: Vec<f64> = (0..=d).map(|_| -(1.0 - uniform01(rng)).ln()).collect();
        let s: f64 = e.iter().sum();
        let log_radius = j % 2 == 1;
        let scale = if log_radius { b * 10f64.powf(-8.0 * uniform01(rng)) } else { b };
        let v: Vec<f64> = e[..d].iter().map(|x| (scale * x / s).max(f64::MIN_POSITIVE)).collect();
        let how = if log_radius { "log-uniform radius" } else { "uniform in the ball" };
        out.push(State::new(PVec::from_slice(&v), "random", format!("random admissible #{j} ({how})")));
    }
    out
}

/// Adversarial states: mass concentrated so that `‖v‖₁ = b(1 − θ)`, on the coordinate `j` that
/// makes `(Me)_k` most negative for some `k` (growth) or most positive (the largest gradient), plus
/// evenly spread states just inside the ball (some outcomes leave it).
pub fn adversarial_states(inst: &Instance, b: f64) -> Vec<State> {
    let d = inst.c.d;
    let p = &inst.p;
    let eps = 1e-3 * b / d as f64;
    let mut out = Vec::new();
    let mut push = |v: Vec<f64>, what: String| out.push(State::new(PVec::from_slice(&v), "adversarial", what));
    for k in 0..d {
        let (mut jmin, mut jmax) = (k, k);
        for j in 0..d {
            if j != k && (jmin == k || p.m_jk(k, j) < p.m_jk(k, jmin)) {
                jmin = j;
            }
            if j != k && (jmax == k || p.m_jk(k, j) > p.m_jk(k, jmax)) {
                jmax = j;
            }
        }
        for (j, why) in [(jmin, "most negative M_kj"), (k, "on k itself"), (jmax, "largest off-diagonal M_kj")] {
            if j == k && why != "on k itself" {
                continue;
            }
            let mut v = vec![eps; d];
            v[j] = b * (1.0 - 1e-9) - eps * (d - 1) as f64;
            push(v, format!("mass on coordinate {j} ({why} for k = {k}), ‖v‖₁ = b(1 − 1e−9)"));
        }
    }
    for theta in [1e-2, 1e-3, 1e-4] {
        push(vec![b * (1.0 - theta) / d as f64; d], format!("spread evenly, ‖v‖₁ = b(1 − {theta})"));
        let mut v = vec![eps; d];
        v[0] = b * (1.0 - theta) - eps * (d - 1) as f64;
        push(v, format!("mass on coordinate 0, ‖v‖₁ = b(1 − {theta})"));
    }
    out
}

/// States from real trajectories of a literal run and of the variant run.
pub fn trajectory_states(run: &LitRun, var: Option<&VarRun>) -> Vec<State> {
    let mut out = Vec::new();
    for (j, ch) in run.chains.iter().enumerate().take(RECORDED_CHAINS) {
        for (t, v) in &ch.states {
            out.push(State::new(v.clone(), "trajectory", format!("chain {j} of the literal run at t = {t}")));
        }
    }
    if let Some(vr) = var {
        for (j, ch) in vr.chains.iter().enumerate().take(RECORDED_CHAINS) {
            for (t, v) in &ch.states {
                let what = format!("chain {j} of the variant run (b = {}) at t = {t}", fmt(vr.b));
                out.push(State::new(v.clone(), "trajectory", what));
            }
        }
    }
    out
}

/// All three families at level `b0` for one instance.
/// `PLAN.random_states` random states.
pub fn all_states(ctx: &Ctx, inst: &Instance, run: &LitRun, var: Option<&VarRun>) -> Vec<State> {
    let random = PLAN.random_states.at(ctx.budget);
    let mut s = trajectory_states(run, var);
    let mut rng = ctx.stream(STREAM_CLAIM, &format!("{}-states", inst.tag), 0);
    s.extend(random_states(inst, inst.c.b0, random, &mut rng));
    s.extend(adversarial_states(inst, inst.c.b0));
    s
}

/// `max_{i,k} η |g_k^(i)(v)|` over the states (the gradient term relative to the factor's 1).
pub fn max_gradient_term(inst: &Instance, states: &[State]) -> (f64, String) {
    let mut best = (0.0f64, String::new());
    for s in states {
        let res = inst.p.residuals(&s.v);
        let mut m = 0.0f64;
        for (i, r) in res.iter().enumerate() {
            for k in 0..inst.c.d {
                m = m.max((r * inst.p.data().x(i, k)).abs());
            }
        }
        if inst.c.eta * m > best.0 {
            best = (inst.c.eta * m, s.label.clone());
        }
    }
    best
}
