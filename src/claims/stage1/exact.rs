//! The exact layer of the Stage-1 claims: one-step inequalities evaluated by exact enumeration
//! over the `2n` outcomes ([`OneStep`]), margins from closed forms, the worst margin per state
//! family.
//!
//! Each inequality is one keyed [`Ineq`] entry (its key, printed id and statement, role and margin
//! closure [`Eval`]) with the coordinates it is about ([`Scope`]) and whether it is evaluated
//! for the kernel with the gradient sign flipped (negative controls).
//!
//! # Formula
//! Exact margins (SPEC §0.4): with `m_k = E[v'_k − v_k | v] = −η v_k (Me)_k` (closed form),
//! "above 1": `(1−γ)u − E[v'_k − 1] = −γu − m_k`; "below 1": `(1−γ)w − E[1 − v'_k] = m_k − γw`.

use std::sync::Arc;

use super::chains::PracticalRun;
use super::setting::{Inst, adversarial_instance, typical_instance};
use super::states::{Family, all_states};
use crate::claim::Ctx;
use crate::engine::exact::OneStep;
use crate::error::Result;
use crate::evidence::{ExactCheck, Ineq, Margin, Outcome, Provenance, Role, State, Table, key};
use crate::numfmt::fmt;

/// Tag of the typical check instance ([`typical_instance`]).
pub const TYPICAL: &str = "typical";
/// Tag of the adversarial check instance ([`adversarial_instance`]).
pub const ADVERSARIAL: &str = "adversarial";

/// Which coordinates an inequality is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Support,
    OffSupport,
}

/// The evaluation of an inequality at `(state, k)`: `Some(margin)`, or `None` when the inequality
/// does not apply there (e.g. `v_k` outside the lemma's window).
pub type Eval = dyn Fn(&OneStep, &Inst, usize) -> Option<Margin> + Send + Sync;

/// The variant name of a control evaluated on the kernel with the gradient sign flipped.
pub const FLIPPED_VARIANT: &str = "gradient sign flipped (OneStep::with_grad_sign(−1))";

/// A Stage-1 one-step inequality: the keyed entry (with its control, if it is counted), its
/// scope, and whether the control is evaluated on the kernel with the gradient sign flipped.
pub struct OneStepIneq {
    pub ineq: Ineq<Eval>,
    pub scope: Scope,
    /// The control is evaluated on the kernel with the gradient sign flipped
    /// (`OneStep::flipped`), at the same states and coordinates.
    pub control_flipped: bool,
}

impl OneStepIneq {
    /// An inequality about the coordinates of `scope`, with the provenance of its constants.
    pub fn new(
        key: &'static str,
        id: &str,
        statement: &str,
        role: Role,
        threshold: Provenance,
        scope: Scope,
        eval: Box<Eval>,
    ) -> OneStepIneq {
        OneStepIneq {
            ineq: Ineq::new(key, id, statement, role, eval).threshold(threshold),
            scope,
            control_flipped: false,
        }
    }
    /// The same inequality with its control: the same margin (`eval`, the same closure) for the
    /// kernel with the gradient sign flipped, which must fail (`fails_where` narrows where, e.g.
    /// `" where M_kk ṽ_k² is large"`, or is empty).
    pub fn flipped_control(mut self, fails_where: &str, eval: Box<Eval>) -> OneStepIneq {
        self.ineq = self.ineq.with_control(format!("{FLIPPED_VARIANT}, must fail{fails_where}"), eval);
        self.control_flipped = true;
        self
    }
    /// The same inequality with a control on the same kernel: `variant` names the deliberate error
    /// (a perturbed constant), `eval` computes the wrong margin.
    pub fn control(mut self, variant: &str, eval: Box<Eval>) -> OneStepIneq {
        self.ineq = self.ineq.with_control(variant, eval);
        self.control_flipped = false;
        self
    }
    /// The same inequality as a computed fact (true by construction; shown, never counted).
    pub fn computed(mut self, why: &str) -> OneStepIneq {
        self.ineq = self.ineq.computed(why);
        self
    }
}

/// The printed id of an inequality checked on the instance `tag`: `"id [tag]"`.
pub fn tagged(id: &str, tag: &str) -> String {
    format!("{id} [{tag}]")
}

/// Evaluate inequalities (and their controls) at every state; returns one merged check per
/// inequality (id suffixed with the instance tag, key [`key`]`(ineq key, tag)`), followed by its
/// control (keyed [`control_key`](crate::evidence::control_key) of it), and a table of the worst scaled margin per family.
pub fn run_exact(
    ctx: &Ctx,
    inst: &Inst,
    tag: &str,
    states: &[State],
    ineqs: &[OneStepIneq],
) -> (Vec<ExactCheck>, Table) {
    let p = &inst.problem;
    let (d, r) = (p.d(), p.r());
    let need_flip = ineqs.iter().any(|q| q.control_flipped && q.ineq.control.is_some());
    // Per state: (ineq index, is control, k, margin).
    let results: Vec<Vec<(usize, bool, usize, Margin)>> = ctx.runner.map_local("stage1 exact", states.len(), |j| {
        let v = &states[j].v;
        let os = OneStep::new(p, v, inst.eta, inst.delta);
        let osf = if need_flip { Some(os.flipped()) } else { None };
        let mut res = Vec::new();
        for (qi, q) in ineqs.iter().enumerate() {
            let ks = match q.scope {
                Scope::Support => 0..r,
                Scope::OffSupport => r..d,
            };
            for k in ks {
                if let Some(m) = (q.ineq.eval)(&os, inst, k) {
                    res.push((qi, false, k, m));
                }
                if let Some((_, ctl)) = &q.ineq.control {
                    let o = if q.control_flipped { osf.as_ref().expect("flipped kernel") } else { &os };
                    if let Some(m) = ctl(o, inst, k) {
                        res.push((qi, true, k, m));
                    }
                }
            }
        }
        res
    });
    let fresh = |q: &OneStepIneq, control: bool| -> Vec<ExactCheck> {
        Family::ALL
            .iter()
            .map(|_| if control { q.ineq.control_check().expect("control") } else { q.ineq.check() })
            .collect()
    };
    let mut per: Vec<[Vec<ExactCheck>; 2]> = ineqs
        .iter()
        .map(|q| [fresh(q, false), if q.ineq.control.is_some() { fresh(q, true) } else { Vec::new() }])
        .collect();
    for (j, res) in results.iter().enumerate() {
        let st = &states[j];
        let fam = Family::ALL.iter().position(|f| f.name() == st.family).unwrap_or(0);
        for &(qi, control, k, m) in res {
            per[qi][usize::from(control)][fam].record_margin(m, || format!("{} ({}), k = {k}", st.label, st.family));
        }
    }
    let mut checks = Vec::new();
    let mut rows = Vec::new();
    let row = |id: String, cs: &[ExactCheck]| -> Vec<String> {
        std::iter::once(id)
            .chain(cs.iter().map(|c| match c.worst_scaled {
                Some(w) => format!("{} ({} of {})", fmt(w), c.violations, c.states),
                None => "—".into(),
            }))
            .collect()
    };
    for (qi, q) in ineqs.iter().enumerate() {
        let id = tagged(&q.ineq.id, tag);
        let statement = format!("{} — {} data", q.ineq.statement, inst.name);
        let mut merged = q.ineq.check().keyed(key(q.ineq.key, tag));
        merged.id = id.clone();
        merged.statement = statement;
        for c in &per[qi][0] {
            merged.merge(c);
        }
        rows.push(row(id, &per[qi][0]));
        if let Some((variant, _)) = &q.ineq.control {
            let mut ctl = ExactCheck::control_for(&merged, variant.clone());
            for c in &per[qi][1] {
                ctl.merge(c);
            }
            rows.push(row(ctl.id.clone(), &per[qi][1]));
            checks.push(merged);
            checks.push(ctl);
        } else {
            checks.push(merged);
        }
    }
    let table = Table {
        title: format!(
            "Worst scaled margin per state family (violations of evaluated (state, k)) — {} data",
            inst.name
        ),
        columns: std::iter::once("inequality".into()).chain(Family::ALL.iter().map(|f| f.name().into())).collect(),
        rows,
    };
    (checks, table)
}

/// The typical and the adversarial check instances with their inequalities (the plan of
/// [`exact_layer`] most claims use).
pub fn both_instances(
    typical: Vec<OneStepIneq>,
    adversarial: Vec<OneStepIneq>,
) -> Result<Vec<(Inst, &'static str, Vec<OneStepIneq>)>> {
    Ok(vec![(typical_instance()?, TYPICAL, typical), (adversarial_instance()?, ADVERSARIAL, adversarial)])
}

/// The exact layer of a Stage-1 claim: for each `(instance, tag, inequalities)`, audit the derived
/// conditions, evaluate at the three state families, push the checks and the per-family table.
pub fn exact_layer(
    ctx: &Ctx,
    out: &mut Outcome,
    practical: &[Arc<PracticalRun>],
    plans: Vec<(Inst, &str, Vec<OneStepIneq>)>,
) -> Result<()> {
    for (inst, tag, ineqs) in plans {
        out.audits.push(inst.derived_audit());
        let states = all_states(ctx, &inst, practical)?;
        for f in Family::ALL {
            out.measure(
                format!("states [{tag}]: {}", f.name()),
                states.iter().filter(|s| s.family == f.name()).count() as f64,
                format!("in-set states of the {} check data", inst.name),
            );
        }
        let (checks, table) = run_exact(ctx, &inst, tag, &states, &ineqs);
        out.exact.extend(checks);
        out.tables.push(table);
    }
    Ok(())
}

/// The E-G3b margin `c1/6 − max_(i,s) |v'_k − v_k|` (scale `c1/6`): one step moves `v_k` by at
/// most `c1/6`.
pub fn step_g3b_margin(os: &OneStep, inst: &Inst, k: usize) -> Option<Margin> {
    Some(Margin::le(os.max_abs_change(k), inst.c1 / 6.0).with_scale(inst.c1 / 6.0))
}

/// `max_(i,s) |Δ_k|`: the size of the terms averaged in `E[√F_k]` or `E[log F_k]`, the magnitude
/// against which a margin of such an average is an equality decided by rounding.
pub fn max_abs_delta(os: &OneStep, k: usize) -> f64 {
    let (lo, hi) = os.delta_k_range(k);
    lo.abs().max(hi.abs())
}

/// `E_(i,s)[√F_k] − 1` computed pairwise over `s = ±δ` without cancellation.
///
/// # Formula
/// For one `i`, `Δ_± = c ± h` (`c = ½(Δ_+ + Δ_−)` the gradient part, `h = ½(Δ_+ − Δ_−)` the noise
/// part; `c = −σηr_i x_k` and `h = ηδ|x_k|` are formed directly). With `A = √(1 + c + h)`, `B = √(1 + c − h)`, `q = √((1 + c)² − h²) = AB`:
/// `½(A + B) − 1 = (c(q + 3 + c) − h²) / ((q + 1)(A + B + 2))`, exact algebra
/// (`(A + B)² = 2(1 + c) + 2q`, `q − 1 = (2c + c² − h²)/(q + 1)`), so the `±h` terms of size `ηδb_x`
/// never cancel: the rounding error is a few ulps of the result, not of the `2n` terms of size
/// `max|Δ_k|` that the plain average sums.
pub fn sqrt_mean_minus_one_paired(os: &OneStep, k: usize) -> f64 {
    let p = os.problem();
    let n = p.n();
    let mut s = 0.0;
    for i in 0..n {
        // Outcome 2i is s = −δ, 2i + 1 is s = +δ.
        let (dm, dp) = (os.delta_k(2 * i, k), os.delta_k(2 * i + 1, k));
        // The gradient part directly, `c = −σηr_i x_k` (σ = ±1 the kernel's gradient sign, read
        // off the pair: `½(Δ_+ + Δ_−)` has its sign but carries the rounding of `δ − σr_i`).
        let direct = -os.eta() * os.residual(i) * p.data().x(i, k);
        let pair = 0.5 * (dp + dm);
        let c = if direct * pair < 0.0 { -direct } else { direct };
        let h = os.eta() * os.delta() * p.data().x(i, k).abs();
        let a = (1.0 + c + h).sqrt();
        let b = (1.0 + c - h).sqrt();
        let q = a * b;
        s += (c * (q + 3.0 + c) - h * h) / ((q + 1.0) * (a + b + 2.0));
    }
    s / n as f64
}

/// `E[v'_k − v_k | v]` (closed form, gradient sign included).
#[inline]
pub fn mean_inc(os: &OneStep, k: usize) -> f64 {
    os.mean_increment(k)
}

/// The signed perturbation `p_k(v) = Σ_{j≠k} M_jk e_j(v)` (so `(Me)_k = M_kk e_k + p_k`), summed
/// directly (no cancellation against the diagonal term).
pub fn signed_perturbation(os: &OneStep, k: usize) -> f64 {
    os.problem().signed_perturbation(os.v(), k)
}

/// `v_k`.
#[inline]
pub fn vk(os: &OneStep, k: usize) -> f64 {
    os.v().as_slice()[k]
}

/// `Var[log F_k | v]` (two-pass over the outcomes).
pub fn log_factor_var(os: &OneStep, k: usize) -> f64 {
    let m = os.log_factor(k);
    os.expect_coord(k, |x| {
        let y = x.ln_1p() - m;
        y * y
    })
}

/// Range of `log F_k` over the outcomes.
pub fn log_factor_range(os: &OneStep, k: usize) -> f64 {
    let (lo, hi) = os.delta_k_range(k);
    hi.ln_1p() - lo.ln_1p()
}
