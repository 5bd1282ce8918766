//! Stage 2's exact one-step layer: the closed-form margins, the instances they are evaluated on,
//! and the window checks of Lemmas D.3, D.5 and D.6 as a table of keyed [`Ineq`] entries whose
//! evaluation is a [`Measure`].
//!
//! # Formula
//! One-step margins (SPEC §0.4), with `u = v_k − 1 > 0` (above) or `w = 1 − v_k > 0` (below):
//! * above: `(1 − γ)u − E[v'_k − 1 | v] = η v_k (Me)_k − γ u`;
//! * below: `(1 − γ)w − E[1 − v'_k | v] = −η v_k (Me)_k − γ w`.
//!
//! Both are `O(η u²)` at `γ = η` and are computed from `(Me)_k` (never as a difference of `O(1)`
//! numbers).

use crate::claim::Ctx;
use crate::claims::stage2::chains::{Variant, literal_run};
use crate::claims::stage2::setting::{ExactInst, Instance, Round, designed_instance, eps_prev_for, literal_instance};
use crate::claims::stage2::states::{Side, Window, describe_state, drift_states};
use crate::engine::exact::OneStep;
use crate::engine::lanes::PVec;
use crate::engine::model::Problem;
use crate::error::Result;
use crate::evidence::{ExactCheck, Ineq, Margin, Outcome, Provenance, Role, State};
use crate::numfmt::fmt;

/// Margin of `E[v'_k − 1 | v] ≤ (1 − γ)(v_k − 1)` (above) or `E[1 − v'_k | v] ≤ (1 − γ)(1 − v_k)`
/// (below), from the closed form of the mean increment.
pub fn drift_margin(os: &OneStep, k: usize, side: Side, gamma: f64) -> f64 {
    let v = os.v().as_slice()[k];
    match side {
        Side::Above => -os.mean_increment(k) - gamma * (v - 1.0),
        Side::Below => os.mean_increment(k) - gamma * (1.0 - v),
    }
}

/// The natural scale `η u²` of a drift margin at rate `η` (`u = |v_k − 1|`).
pub fn drift_scale(os: &OneStep, k: usize) -> f64 {
    let u = os.v().as_slice()[k] - 1.0;
    os.eta() * u * u
}

/// Evaluate `f(os)` at every state (Algorithm 1 with gradient sign `grad_sign`) and record it.
pub fn eval(
    check: &mut ExactCheck,
    inst: &Instance,
    grad_sign: f64,
    states: &[State],
    k: usize,
    f: impl Fn(&OneStep) -> Margin,
) {
    for s in states {
        let os = OneStep::with_grad_sign(&inst.problem, &s.v, inst.round.eta, inst.round.delta, grad_sign);
        check.record_margin(f(&os), || format!("[{}] {}", inst.name, describe_state(&inst.problem, &s.v, k, &s.label)));
    }
}

/// The exact probability that one SgdGauss step (`v' = v ⊙ (1 − η r_i x^(i)) + η σ ξ`) leaves
/// *every* interval of length `len` in coordinate `k`: at least `erfc(len / (2√2 ησ))` (each
/// mixture component puts at most its centred mass in any interval of that length).
pub fn sgd_gauss_outside_prob(eta: f64, sigma: f64, len: f64) -> f64 {
    statrs::function::erf::erfc(len / (2.0 * std::f64::consts::SQRT_2 * eta * sigma))
}

/// Exact `P(Σ_{k∉S} v'_k − Σ_{k∉S} v_k > bound)` for one SgdGauss step (a lower bound on
/// `P(|Δ‖v_S̄‖₁| > bound)`): `(1/n) Σ_i P(N(μ_i, (d − r) η²σ²) > bound)` with
/// `μ_i = −η r_i Σ_{k∉S} v_k x_k^(i)`.
pub fn sgd_gauss_off_exceed_prob(p: &Problem, v: &PVec, eta: f64, sigma: f64, bound: f64) -> f64 {
    let sd = eta * sigma * ((p.d() - p.r()) as f64).sqrt();
    let mut s = 0.0;
    for i in 0..p.n() {
        let ri = p.residual(i, v);
        let mu: f64 = (p.r()..p.d()).map(|k| -eta * ri * v.as_slice()[k] * p.data().x(i, k)).sum();
        s += 0.5 * statrs::function::erf::erfc((bound - mu) / (std::f64::consts::SQRT_2 * sd));
    }
    s / p.n() as f64
}

/// `max_o |Σ_{k∉S} (v'_k − v_k)|` over the `2n` outcomes, as `Σ_{k∉S} v_k Δ_k(o)`.
pub fn max_off_increment(os: &OneStep) -> f64 {
    let p = os.problem();
    let v = os.v().as_slice();
    let mut m: f64 = 0.0;
    for o in 0..os.outcomes() {
        let s: f64 = (p.r()..p.d()).map(|k| v[k] * os.delta_k(o, k)).sum();
        m = m.max(s.abs());
    }
    m
}

// ------------------------------------------------------------------------------------------
// Instances of the one-step checks
// ------------------------------------------------------------------------------------------

/// The instances of the primary one-step checks at round `s` (data with `M_kk ≥ 1`): the literal
/// Hadamard instance (δ = 0 and δ = 1, with trajectory snapshots of the literal chains) for
/// `s = 2`, and the designed data with `C_x` at the boundary of the data assumption (adversarial
/// signs, `M_00 = 1`), δ ∈ {0, 1}.
pub fn primary_instances(ctx: &Ctx, s: u32) -> Result<Vec<ExactInst>> {
    let mut v = Vec::new();
    if s == 2 {
        v.push(ExactInst { inst: literal_instance(0.0), snaps: literal_run(ctx, Variant::Literal0).snapshots() });
        v.push(ExactInst { inst: literal_instance(1.0), snaps: literal_run(ctx, Variant::Literal1).snapshots() });
    }
    let eps_prev = eps_prev_for(s);
    for delta in [0.0, 1.0] {
        v.push(ExactInst::bare(designed_instance(s, eps_prev, 1.0, delta)?));
    }
    Ok(v)
}

/// The witness instance of round `s`: designed data with `M_00 = 1/2` (the smallest value the
/// lemmas allow) and `C_x` at the boundary of the data assumption, δ = 1.
pub fn witness_instance(s: u32) -> Result<ExactInst> {
    let eps_prev = eps_prev_for(s);
    Ok(ExactInst::bare(designed_instance(s, eps_prev, 0.5, 1.0)?))
}

// ------------------------------------------------------------------------------------------
// The window checks: a table of keyed entries
// ------------------------------------------------------------------------------------------

/// What a window check evaluates at each state of its window, for `k = 0 ∈ S`.
#[derive(Clone, Copy, Debug)]
pub enum Measure {
    /// `E[…] ≤ (1 − γ)(…)` on one side with `γ = gamma · η`, for Algorithm 1 with gradient sign
    /// `grad_sign`; margin from the closed form, scaled by `η u²`.
    Drift { side: Side, gamma: f64, grad_sign: f64 },
    /// `Var[v'_k | v] ≤ 4 η² X_s` (D3.3)/(D6.2) on both sides, for Algorithm 1 with label noise
    /// `noise · δ` (`noise = 1`: the statement; `noise = 10`: its control, a step with ten times the
    /// label noise the bound is computed for); margin `4η²X_s − Var` (closed form), scaled by
    /// `η² X_s`.
    Variance { noise: f64 },
    /// The range check behind the corrected G.3-R (E-G3a): the conditional range of `v'_0` is at
    /// most `2η(1 + 2c_{s−1}) b_x (δ + b_x(ε_s² + r))`, both sides; margin scaled by the bound.
    Range,
    /// The control of [`Measure::Range`]: SGD + spherical Gaussian noise of matched variance
    /// (`σ = δ`, the per-coordinate variance label noise gives at `v_k = 1`) leaves every interval
    /// of the allowed length with probability `≥ erfc(ℓ/(2√2ησ)) > 0`; margin `−` that, at the
    /// first 8 states above 1 of each instance with `δ > 0`.
    RangeSgdGauss,
    /// `K_0(v) ≤ bound(round, C_x)` on both sides, on the instances with `C_x > 0` (with a diagonal
    /// `M` both sides are 0); scaled by the bound.
    Perturbation(fn(&Round, f64) -> f64),
}

impl Measure {
    /// The sides of the window whose states are evaluated.
    fn sides(self) -> &'static [Side] {
        match self {
            Measure::Drift { side: Side::Above, .. } | Measure::RangeSgdGauss => &[Side::Above],
            Measure::Drift { side: Side::Below, .. } => &[Side::Below],
            Measure::Variance { .. } | Measure::Range | Measure::Perturbation(_) => &[Side::Above, Side::Below],
        }
    }
    /// Is the instance skipped by this measure (nothing to evaluate there)?
    fn skips(self, rd: &Round, c_x: f64) -> bool {
        match self {
            Measure::RangeSgdGauss => rd.delta <= 0.0,
            // M diagonal: K_k = 0 = bound, nothing to check.
            Measure::Perturbation(_) => c_x == 0.0,
            _ => false,
        }
    }
    /// Evaluate the measure at the states `st` of `inst` and record the margins in `ch`.
    fn record(self, ch: &mut ExactCheck, inst: &Instance, st: &[State]) {
        let rd = &inst.round;
        let c_x = inst.problem.stats().c_x;
        match self {
            Measure::Drift { side, gamma, grad_sign } => eval(ch, inst, grad_sign, st, 0, |os| {
                Margin::scaled(drift_margin(os, 0, side, gamma * os.eta()), drift_scale(os, 0))
            }),
            Measure::Variance { noise } => {
                let x = rd.x_s();
                for s in st {
                    let os = OneStep::new(&inst.problem, &s.v, rd.eta, noise * rd.delta);
                    let e2 = os.eta() * os.eta();
                    ch.record_margin(Margin::le(os.var(0), 4.0 * e2 * x).with_scale(e2 * x), || {
                        format!("[{}] {}", inst.name, describe_state(&inst.problem, &s.v, 0, &s.label))
                    });
                }
            }
            Measure::Range => {
                let bound = 2.0 * rd.max_step();
                eval(ch, inst, 1.0, st, 0, |os| Margin::le(os.range(0), bound).with_scale(bound))
            }
            Measure::RangeSgdGauss => {
                let p_out = sgd_gauss_outside_prob(rd.eta, rd.delta, 2.0 * rd.max_step());
                for s in st.iter().take(8) {
                    ch.record_scaled(-p_out, 1.0, || {
                        let at = describe_state(&inst.problem, &s.v, 0, &s.label);
                        format!("[{}] {at}: P(outside) ≥ {}", inst.name, fmt(p_out))
                    });
                }
            }
            Measure::Perturbation(bound) => {
                let b = bound(rd, c_x);
                for s in st {
                    let k = inst.problem.perturbation(&s.v, 0);
                    ch.record_margin(Margin::le(k, b).with_scale(b.max(f64::MIN_POSITIVE)), || {
                        let at = describe_state(&inst.problem, &s.v, 0, &s.label);
                        format!("[{}] {at}; bound {}", inst.name, fmt(b))
                    });
                }
            }
        }
    }
}

impl Measure {
    /// The margin of this measure at one state `v` of `inst`, coordinate 0 — the same formulas as
    /// the designed checks' loop (the adversarial searches evaluate their points with it).
    /// `None` for [`Measure::RangeSgdGauss`] (a probability, not a margin at a state) and where
    /// the measure skips the instance.
    pub fn margin_at(self, inst: &Instance, v: &PVec) -> Option<Margin> {
        let rd = &inst.round;
        let c_x = inst.problem.stats().c_x;
        if self.skips(rd, c_x) {
            return None;
        }
        match self {
            Measure::Drift { side, gamma, grad_sign } => {
                let os = OneStep::with_grad_sign(&inst.problem, v, rd.eta, rd.delta, grad_sign);
                Some(Margin::scaled(drift_margin(&os, 0, side, gamma * os.eta()), drift_scale(&os, 0)))
            }
            Measure::Variance { noise } => {
                let x = rd.x_s();
                let os = OneStep::new(&inst.problem, v, rd.eta, noise * rd.delta);
                let e2 = os.eta() * os.eta();
                Some(Margin::le(os.var(0), 4.0 * e2 * x).with_scale(e2 * x))
            }
            Measure::Range => {
                let bound = 2.0 * rd.max_step();
                let os = OneStep::new(&inst.problem, v, rd.eta, rd.delta);
                Some(Margin::le(os.range(0), bound).with_scale(bound))
            }
            Measure::RangeSgdGauss => None,
            Measure::Perturbation(bound) => {
                let b = bound(rd, c_x);
                Some(Margin::le(inst.problem.perturbation(v, 0), b).with_scale(b.max(f64::MIN_POSITIVE)))
            }
        }
    }
}

/// One window check of the table.
pub type WindowIneq = Ineq<Measure>;

/// The statement of every [`Measure::Range`] check.
pub const RANGE_STATEMENT: &str = "conditional range ℓ_k = max v'_k − min v'_k ≤ 2η(1 + 2c_(s−1)) b_x \
     (δ + b_x(ε_s² + r)) (the hypothesis of the range-based G.3-R/G.4-R that replace the variance \
     bound, E-G3a); margin scaled by the bound";
/// The variant named by the SGD + Gaussian-noise controls.
pub const SGD_GAUSS_VARIANT: &str = "SGD + spherical Gaussian noise of matched variance";
/// The variant named by the flipped-gradient controls.
pub const FLIPPED_VARIANT: &str = "flipped gradient sign";
/// The variant named by the variance checks' controls.
pub const NOISY_VARIANT: &str = "a step with label noise 10δ against the bound 4η²X_s computed for δ";
/// The variant named by the perturbation checks' controls.
pub const SUPPORT_CS_VARIANT: &str = "support coordinates assumed within c_s of 1: the term (ε_s² + 2rc_s)C_x b_x² \
     on the same coupling-set states (the other support coordinates at 1 ± 2c_(s−1))";

/// The role of an erratum's witness check.
pub fn witness(erratum: &str) -> Role {
    Role::Witness { erratum: erratum.into() }
}

/// The role of an erratum's repair check.
pub fn repair(erratum: &str) -> Role {
    Role::Repair { erratum: erratum.into() }
}

/// Does a check with this role count (and so need a control)?
fn counted(role: &Role) -> bool {
    matches!(role, Role::Primary | Role::Repair { .. })
}

/// A drift check at rate `γ = gamma · η` on one side, printed in the proof (a witness or a
/// statement check: [`Provenance::Paper`]) or a repair ([`Provenance::Derived`]). A counted check
/// carries its control: the same rate for Algorithm 1 with the gradient sign flipped.
pub fn drift(key: &'static str, id: &str, statement: &str, role: Role, side: Side, gamma: f64) -> WindowIneq {
    let prov = if matches!(role, Role::Repair { .. }) { Provenance::Derived } else { Provenance::Paper };
    let with_control = counted(&role);
    let ineq =
        Ineq::new(key, id, statement, role, Box::new(Measure::Drift { side, gamma, grad_sign: 1.0 })).threshold(prov);
    if with_control {
        ineq.with_control(FLIPPED_VARIANT, Box::new(Measure::Drift { side, gamma, grad_sign: -1.0 }))
    } else {
        ineq
    }
}

/// A variance check (primary; the bound `4η²X_s` is printed), with its control: a step with ten
/// times the label noise.
pub fn variance(key: &'static str, id: &str, statement: &str) -> WindowIneq {
    Ineq::new(key, id, statement, Role::Primary, Box::new(Measure::Variance { noise: 1.0 }))
        .threshold(Provenance::Paper)
        .with_control(NOISY_VARIANT, Box::new(Measure::Variance { noise: 10.0 }))
}

/// A range check (primary; the bound is derived from the proof's one-step increment), with its
/// control: SGD + spherical Gaussian noise of matched variance.
pub fn range(key: &'static str, id: &str) -> WindowIneq {
    Ineq::new(key, id, RANGE_STATEMENT, Role::Primary, Box::new(Measure::Range))
        .threshold(Provenance::Derived)
        .with_control(SGD_GAUSS_VARIANT, Box::new(Measure::RangeSgdGauss))
}

/// A perturbation-bound check: printed (primary or witness: [`Provenance::Paper`]) or corrected
/// (repair: [`Provenance::Derived`]). A counted check carries its control: the term that assumes
/// the support within `c_s` of 1.
pub fn perturbation(
    key: &'static str,
    id: &str,
    statement: &str,
    role: Role,
    bound: fn(&Round, f64) -> f64,
) -> WindowIneq {
    let prov = if matches!(role, Role::Repair { .. }) { Provenance::Derived } else { Provenance::Paper };
    let with_control = counted(&role);
    let ineq = Ineq::new(key, id, statement, role, Box::new(Measure::Perturbation(bound))).threshold(prov);
    if with_control {
        ineq.with_control(SUPPORT_CS_VARIANT, Box::new(Measure::Perturbation(Round::k_d6_printed)))
    } else {
        ineq
    }
}

/// A claim's window: the context, the claim (it names the state streams) and the window.
#[derive(Clone, Copy)]
pub struct Windowed<'a> {
    pub ctx: &'a Ctx,
    pub claim: &'a str,
    pub win: Window,
}

impl Windowed<'_> {
    /// Evaluate one entry of the table over the instances' window states, and its control (if
    /// any) by the same loop at the same states: the check, then its control.
    pub fn check(&self, ineq: &WindowIneq, insts: &[ExactInst]) -> Vec<ExactCheck> {
        let mut ch = ineq.check();
        let mut ctl = ineq.control_check().zip(ineq.control.as_ref().map(|(_, m)| **m));
        let measure = *ineq.eval;
        for (j, ei) in insts.iter().enumerate() {
            let inst = &ei.inst;
            let c_x = inst.problem.stats().c_x;
            let sides: Vec<Side> = {
                let mut v: Vec<Side> = measure.sides().to_vec();
                if let Some((_, m)) = &ctl {
                    for s in m.sides() {
                        if !v.contains(s) {
                            v.push(*s);
                        }
                    }
                }
                v
            };
            for side in sides {
                let st = drift_states(self.ctx, self.claim, j, ei, self.win, side);
                if !measure.skips(&inst.round, c_x) && measure.sides().contains(&side) {
                    measure.record(&mut ch, inst, &st);
                }
                if let Some((c, m)) = ctl.as_mut()
                    && !m.skips(&inst.round, c_x)
                    && m.sides().contains(&side)
                {
                    m.record(c, inst, &st);
                }
            }
        }
        let mut v = vec![ch];
        v.extend(ctl.map(|(c, _)| c));
        v
    }
}

/// The worst scaled margin of the exact check with this key (NaN if absent or unscaled).
pub fn worst(out: &Outcome, key: &str) -> f64 {
    out.exact_keyed(key).and_then(|c| c.worst_scaled).unwrap_or(f64::NAN)
}
