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
use crate::evidence::{ExactCheck, Ineq, Margin, Outcome, Role, State, Table, key};
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

/// A Stage-1 one-step inequality: the keyed entry, its scope, and whether the kernel is flipped.
pub struct OneStepIneq {
    pub ineq: Ineq<Eval>,
    pub scope: Scope,
    /// Evaluate with the gradient sign flipped (negative control: `OneStep::with_grad_sign(−1)`).
    pub flipped: bool,
}

impl OneStepIneq {
    /// An inequality about the coordinates of `scope`.
    pub fn new(key: &'static str, id: &str, statement: &str, role: Role, scope: Scope, eval: Box<Eval>) -> OneStepIneq {
        OneStepIneq { ineq: Ineq::new(key, id, statement, role, eval), scope, flipped: false }
    }
    /// The inequality `name` (e.g. `"(C2.2)"`) as a negative control with the gradient sign flipped:
    /// it must fail (`fails_where` narrows where, e.g. `" where M_kk ṽ_k² is large"`, or is empty).
    pub fn flipped_control(
        key: &'static str,
        name: &str,
        fails_where: &str,
        scope: Scope,
        eval: Box<Eval>,
    ) -> OneStepIneq {
        let id = format!("control: {name} with the gradient sign flipped");
        let statement =
            format!("the {name} margin for the kernel with the gradient sign flipped (must fail{fails_where})");
        let role = Role::Control { variant: "gradient sign flipped (OneStep::with_grad_sign(−1))".into() };
        OneStepIneq { ineq: Ineq::new(key, &id, &statement, role, eval), scope, flipped: true }
    }
}

/// The printed id of an inequality checked on the instance `tag`: `"id [tag]"`.
pub fn tagged(id: &str, tag: &str) -> String {
    format!("{id} [{tag}]")
}

/// Evaluate inequalities at every state; returns one merged check per inequality (id suffixed
/// with the instance tag, key [`key`]`(ineq key, tag)`) and a table of the worst scaled margin per
/// family.
pub fn run_exact(
    ctx: &Ctx,
    inst: &Inst,
    tag: &str,
    states: &[State],
    ineqs: &[OneStepIneq],
) -> (Vec<ExactCheck>, Table) {
    let p = &inst.problem;
    let (d, r) = (p.d(), p.r());
    let need_flip = ineqs.iter().any(|q| q.flipped);
    // Per state: (ineq index, k, margin).
    let results: Vec<Vec<(usize, usize, Margin)>> = ctx.runner.map("stage1 exact", states.len(), |j| {
        let v = &states[j].v;
        let os = OneStep::new(p, v, inst.eta, inst.delta);
        let osf = if need_flip { Some(os.flipped()) } else { None };
        let mut res = Vec::new();
        for (qi, q) in ineqs.iter().enumerate() {
            let o = if q.flipped { osf.as_ref().expect("flipped kernel") } else { &os };
            let ks = match q.scope {
                Scope::Support => 0..r,
                Scope::OffSupport => r..d,
            };
            for k in ks {
                if let Some(m) = (q.ineq.eval)(o, inst, k) {
                    res.push((qi, k, m));
                }
            }
        }
        res
    });
    let mut per: Vec<Vec<ExactCheck>> =
        ineqs.iter().map(|q| Family::ALL.iter().map(|_| q.ineq.check()).collect()).collect();
    for (j, res) in results.iter().enumerate() {
        let st = &states[j];
        let fam = Family::ALL.iter().position(|f| f.name() == st.family).unwrap_or(0);
        for &(qi, k, m) in res {
            per[qi][fam].record_margin(m, || format!("{} ({}), k = {k}", st.label, st.family));
        }
    }
    let mut checks = Vec::new();
    let mut rows = Vec::new();
    for (qi, q) in ineqs.iter().enumerate() {
        let id = tagged(&q.ineq.id, tag);
        let statement = format!("{} — {} data", q.ineq.statement, inst.name);
        let mut merged = ExactCheck::new(id.clone(), statement, q.ineq.role.clone()).keyed(key(q.ineq.key, tag));
        let mut row = vec![id];
        for c in &per[qi] {
            merged.merge(c);
            row.push(match c.worst_scaled {
                Some(w) => format!("{} ({} of {})", fmt(w), c.violations, c.states),
                None => "—".into(),
            });
        }
        rows.push(row);
        checks.push(merged);
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
    Some(Margin::scaled(inst.c1 / 6.0 - os.max_abs_change(k), inst.c1 / 6.0))
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
