//! The adversarial searches of Stage 1's one-step inequalities (Lemmas C.2, C.4, C.5, C.7) over
//! the admissible sets their lemmas allow (see [`crate::claims::search`]).
//!
//! # The Stage-1 admissible set ([`Stage1Set`])
//! * **constants**: `c1 = 1/10`, `ρ ∈ [10⁻³, 1/2]` and the literal cap `ε̃1 = 12/ρ` (SPEC §5), `r ∈
//!   {1, …, 4}`, `T ≥ 1` (the hypotheses only tighten as `T` grows, so `T = 1` gives the widest
//!   range of `η`); `δ` from its lower limit up to 100× it, `η` from its upper limit down to 10⁻⁶×
//!   it (the limits are the lemma's hypotheses, per lemma);
//! * **data**: the coupled-Hadamard family (`16 × 16`, module doc of [`crate::claims::search`]):
//!   target `M_kk ∈ [1/2, 8]`, support and off-support column energies in `[1/2, 8]`, the
//!   coupling signs of the `r` support columns and of the off-support columns free in `[−1, 1]`,
//!   and the coupling strength `c` a fraction of the largest value the lemma's data hypotheses
//!   allow at the realised `b_x` (found by bisection on the hypotheses audit itself);
//! * **state**: in the `(1 + c1, ε̃1)`-bounded coupling set, positive: `v_k` in the lemma's window,
//!   the other support coordinates in `(0, 1 + c1]`, off-support mass `μ ∈ [10⁻⁶ε̃1, ε̃1]` with a
//!   free share on one coordinate and the rest spread evenly.
//!
//! Every point's hypotheses are recomputed from its rows by the lemma's audit (`b_x = max|x|`,
//! `C_x`, `min M_kk` from the data), so the box chart is only a way to reach the set.

use std::sync::Arc;

use super::exact::{OneStepIneq, Scope, log_factor_range};
use super::setting::{C1, Inst, eps_tilde1};
use crate::claims::search::{CoupledHadamard, OneStepPoint, SEARCH_D, SEARCH_M, Searchable, Theta};
use crate::engine::model::DataStats;
use crate::evidence::{Audit, Margin, Rel, Role, key};

/// Largest support size searched.
pub const R_MAX: usize = 4;
/// Range of the failure level `ρ` (the cap is `ε̃1 = 12/ρ`).
pub const RHO_RANGE: (f64, f64) = (1e-3, 0.5);
/// Range of the column energies `M_jj` (and of the target `M_kk`): from `1/2` (with relative room
/// 1e−12, so that `M_kk` recomputed from the rows, with its rounding of a few ulps, is never below
/// `1/2`) to 8.
pub const ENERGY_RANGE: (f64, f64) = (0.5 * (1.0 + 1e-12), 8.0);
/// `δ` is searched over `[δ_lo, DELTA_SPAN · δ_lo]`, `η` over `[ETA_SPAN · η_hi, η_hi]`.
pub const DELTA_SPAN: f64 = 100.0;
pub const ETA_SPAN: f64 = 1e-6;
/// Relative room by which the chart meets each limit (the audit recomputes the same formulas
/// with their own rounding; 1e−12 is far above it and far below any effect on a margin).
pub const ROOM: f64 = 1e-12;
/// Relative room by which the coupling strength meets the data limit: `C_x` recomputed from the
/// rows carries a relative rounding up to ~1e−10 when the coupling is small against the column's
/// entries (the closed form used by the bisection does not), so 1e−12 left points at the limit
/// to be excluded by the audit; 1e−6 is far above that rounding and far below any effect on a margin.
pub const COUPLING_ROOM: f64 = 1e-6;
/// Smallest off-support mass, as a fraction of the cap.
pub const MASS_FLOOR: f64 = 1e-6;

/// Which coordinate an inequality is about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// `k = 0 ∈ S`, `v_k` in `[lo, hi]`.
    Support { lo: f64, hi: f64 },
    /// `k = r ∉ S` (its value is a share of the off-support mass).
    Off,
}

/// The scalar constants a Stage-1 lemma's hypotheses are stated in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Consts {
    pub r: usize,
    pub rho: f64,
    pub cap: f64,
    pub c1: f64,
    pub t: f64,
}

/// A Stage-1 lemma's admissible set: its coordinate window, its limits on `δ` and `η` (given the
/// realised `b_x` and the constants) and its hypotheses audit.
#[derive(Clone)]
pub struct Stage1Set {
    pub lemma: &'static str,
    pub target: Target,
    /// `δ_lo(b_x, consts)`: the smallest `δ` the hypotheses allow.
    pub delta_lo: fn(f64, &Consts) -> f64,
    /// `η_hi(δ, b_x, consts)`: the largest `η` the hypotheses allow at `δ`.
    pub eta_hi: fn(f64, f64, &Consts) -> f64,
    /// The hypotheses at a point (data statistics from its rows).
    pub hyps: fn(&mut Audit, &DataStats, &OneStepPoint, &Consts),
    /// The set in words (printed with every search of the lemma).
    pub words: &'static str,
    /// Upper end of the chart's column energies (`ENERGY_RANGE.1`, or [`BX_BELOW_ONE_ENERGY`] for a
    /// search region `b_x < 1`). The audit, not this value, decides admissibility.
    pub energy_hi: f64,
}

/// The constants of a point.
pub fn consts_of(p: &OneStepPoint) -> Consts {
    Consts { r: p.r, rho: p.c("rho"), cap: p.c("cap"), c1: p.c("c1"), t: p.c("T") }
}

/// The check instance of a point (for the Stage-1 margin closures).
pub fn inst_of(p: &OneStepPoint) -> Option<Inst> {
    let problem = p.problem().ok()?;
    let stats = problem.stats();
    Some(Inst { name: "search".into(), problem, stats, eta: p.eta, delta: p.delta, cap: p.c("cap"), c1: p.c("c1") })
}

impl Stage1Set {
    /// The common part of the audit: the coupling set, positivity, the window, `M_kk ≥ 1/2`,
    /// `c1`, `ε̃1 = 12/ρ`, `T ≥ 1`; then the lemma's own hypotheses.
    pub fn audit(&self, p: &OneStepPoint) -> Audit {
        crate::claims::search::audit_rows(self.lemma, p, |stats| self.audit_with(stats, p))
    }

    /// The audit with the data statistics given (closed form during the chart's bisection; from
    /// the rows in [`Stage1Set::audit`]).
    pub fn audit_with(&self, stats: &DataStats, p: &OneStepPoint) -> Audit {
        let mut a = crate::claims::search::set_audit(self.lemma);
        let c = consts_of(p);
        let stats = *stats;
        let v = &p.v;
        a.check("positive", "min_k v_k > 0", v.iter().fold(f64::INFINITY, |m, &x| m.min(x)), Rel::Gt, 0.0);
        let smax = v[..p.r].iter().fold(0.0f64, |m, &x| m.max(x));
        a.check("set-S", "‖ṽ_S‖_∞ ≤ 1 + c1", smax, Rel::Le, 1.0 + c.c1);
        let off: f64 = v[p.r..].iter().sum();
        a.check("set-S̄", "‖ṽ_S̄‖₁ ≤ ε̃1", off, Rel::Le, c.cap);
        match self.target {
            Target::Support { lo, hi } => {
                a.fact("k", "k ∈ S", p.k < p.r);
                a.check("window-lo", "v_k ≥ window low end", v[p.k], Rel::Ge, lo);
                a.check("window-hi", "v_k ≤ window high end", v[p.k], Rel::Le, hi);
            }
            Target::Off => {
                a.fact("k", "k ∉ S", p.k >= p.r && p.k < v.len());
            }
        }
        a.check("M_kk", "min_k M_kk ≥ 1/2", stats.min_mkk, Rel::Ge, 0.5);
        a.check("c1", "c1 = 1/10", c.c1, Rel::Le, C1);
        a.check("c1-lo", "c1 = 1/10", c.c1, Rel::Ge, C1);
        a.check("cap", "ε̃1 = 12/ρ", c.cap, Rel::Le, eps_tilde1(c.rho));
        a.check("cap-lo", "ε̃1 = 12/ρ", c.cap, Rel::Ge, eps_tilde1(c.rho));
        a.check("rho", "ρ < 1", c.rho, Rel::Lt, 1.0);
        a.check("T", "T ≥ 1", c.t, Rel::Ge, 1.0);
        (self.hyps)(&mut a, &stats, p, &c);
        a
    }

    /// The chart `θ → point`: constants, data (coupling by bisection on the audit), state, `δ`, `η`.
    pub fn chart(&self, th: &mut Theta<'_>) -> Option<OneStepPoint> {
        let r = th.int(1, R_MAX);
        let rho = th.log_range(RHO_RANGE.0, RHO_RANGE.1);
        let cap = eps_tilde1(rho);
        let c = Consts { r, rho, cap, c1: C1, t: 1.0 };
        let k = match self.target {
            Target::Support { .. } => 0,
            Target::Off => r,
        };
        // Data.
        let mkk = th.log_range(ENERGY_RANGE.0, self.energy_hi);
        let a_s = th.log_range(ENERGY_RANGE.0, self.energy_hi).sqrt();
        let a_o = th.log_range(ENERGY_RANGE.0, self.energy_hi).sqrt();
        let mut s = vec![0.0; SEARCH_D];
        let mut sj = [0.0; R_MAX];
        for x in sj.iter_mut() {
            *x = th.sign();
        }
        let s_off = th.sign();
        for (j, x) in s.iter_mut().enumerate() {
            *x = if j < r { sj[j] } else { s_off };
        }
        s[k] = 0.0;
        let alpha: Vec<f64> = (0..SEARCH_D).map(|j| if j < r { a_s } else { a_o }).collect();
        let frac_c = th.unit();
        // State.
        let vk = match self.target {
            Target::Support { lo, hi } => th.range(lo, hi),
            Target::Off => 0.0,
        };
        let mut others = [0.0; R_MAX];
        for x in others.iter_mut() {
            *x = th.range(0.0, 1.0 + C1).max(1e-12);
        }
        let mass = th.log_range(MASS_FLOOR * cap, cap);
        let share = th.unit();
        let th_delta = th.unit();
        let th_eta = th.unit();
        let mut v = vec![0.0; SEARCH_D];
        v[..r].copy_from_slice(&others[..r]);
        // Off-support: `share` of the mass on the first off-support coordinate (k itself when k ∉ S),
        // the rest spread evenly.
        let off: Vec<usize> = (r..SEARCH_D).collect();
        let rest = (1.0 - share) * mass / (off.len() - 1) as f64;
        for (i, &j) in off.iter().enumerate() {
            v[j] = if i == 0 { share * mass } else { rest }.max(mass * 1e-12);
        }
        if let Target::Support { .. } = self.target {
            v[k] = vk;
        }
        let total: f64 = v[r..].iter().sum();
        if total > cap * (1.0 - ROOM) {
            for x in v[r..].iter_mut() {
                *x *= cap * (1.0 - ROOM) / total;
            }
        }
        let fam = CoupledHadamard { m: SEARCH_M, d: SEARCH_D, k, mkk, alpha, s, c: 0.0 };
        // Limits are met with a relative room of `ROOM` so that the audit's own rounding of the
        // same formulas does not reject the boundary.
        let build = |rows: Vec<Vec<f64>>, b_x: f64| -> OneStepPoint {
            let d_lo = (self.delta_lo)(b_x, &c) * (1.0 + ROOM);
            let delta = d_lo * DELTA_SPAN.powf(th_delta);
            let e_hi = (self.eta_hi)(delta, b_x, &c) * (1.0 - ROOM);
            let eta = e_hi * ETA_SPAN.powf(th_eta);
            let mut p = OneStepPoint { r, rows, v: v.clone(), eta, delta, k, constants: Default::default() };
            p.set("rho", rho);
            p.set("cap", cap);
            p.set("c1", C1);
            p.set("T", 1.0);
            p
        };
        let c_max = fam.largest_coupling(1.0, |f| {
            let st = f.stats();
            self.audit_with(&st, &build(Vec::new(), st.b_x)).all_hold()
        });
        let fam = CoupledHadamard { c: frac_c * c_max * (1.0 - COUPLING_ROOM), ..fam };
        let rows = fam.rows();
        let b_x = rows.iter().flatten().fold(0.0f64, |m, &x| m.max(x.abs()));
        Some(build(rows, b_x))
    }
}

/// Wrap a Stage-1 [`OneStepIneq`] (the same margin closures as the designed exact checks) as a
/// searchable over `set`, evaluated at the point's coordinate `k`.
pub fn searchable(claim: &'static str, set: &Stage1Set, q: OneStepIneq, designed_tag: &str) -> Searchable {
    let q = Arc::new(q);
    let (chart_set, audit_set) = (set.clone(), set.clone());
    let margin_q = q.clone();
    let margin: Box<crate::claims::search::MarginFn> = Box::new(move |p| {
        let inst = inst_of(p)?;
        let os = p.one_step(&inst.problem, 1.0);
        (margin_q.ineq.eval)(&os, &inst, p.k).map(|m| (m, format!("k = {}", p.k)))
    });
    let mut s = Searchable::new(
        claim,
        q.ineq.key,
        q.ineq.id.clone(),
        q.ineq.statement.clone(),
        q.ineq.role.clone(),
        q.ineq.threshold,
        set.words,
        Box::new(move |th| chart_set.chart(th)),
        Box::new(move |p| audit_set.audit(p)),
        margin,
    )
    .compared_with(key(q.ineq.key, designed_tag));
    if q.ineq.control.is_some() {
        let (variant, flipped) = (q.ineq.control.as_ref().map(|c| c.0.clone()).unwrap_or_default(), q.control_flipped);
        let cq = q.clone();
        s = s.with_control(
            variant,
            Box::new(move |p| {
                let inst = inst_of(p)?;
                let os = p.one_step(&inst.problem, if flipped { -1.0 } else { 1.0 });
                let ctl = cq.ineq.control.as_ref()?;
                (ctl.1)(&os, &inst, p.k).map(|m| (m, format!("k = {}", p.k)))
            }),
        );
    }
    s
}

/// A new Stage-1 inequality for the searches only (not among the designed exact checks), with a
/// control on the same kernel.
#[allow(clippy::too_many_arguments)]
pub fn search_only(
    key: &'static str,
    id: &str,
    statement: &str,
    role: Role,
    threshold: crate::evidence::Provenance,
    eval: Box<super::exact::Eval>,
    variant: &str,
    control: Box<super::exact::Eval>,
) -> OneStepIneq {
    OneStepIneq::new(key, id, statement, role, threshold, Scope::Support, eval).control(variant, control)
}

/// The hypotheses Lemmas C.2 and C.5 share (their (a), (b) under their own labels, and C.2's
/// (C2-c) with its wording `c_text`): `c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ)`, `(ε̃1² + r)C_x b_x ≤ c1²/20`,
/// `δ ≥ b_x(ε̃1² + r)` and `η > 0`.
fn drift_setting(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts, ab: [&str; 2], c_text: &str) {
    let er = c.cap * c.cap + c.r as f64;
    a.check(
        ab[0],
        "c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ)",
        c.c1 * c.c1 / (8.0 * p.eta * p.delta * p.delta * st.b_x * st.b_x),
        Rel::Ge,
        (6.0 * c.r as f64 * c.t * c.t / c.rho).ln(),
    );
    a.check(ab[1], "(ε̃1² + r)C_x b_x ≤ c1²/20", er * st.c_x * st.b_x, Rel::Le, c.c1 * c.c1 / 20.0);
    a.check("(C2-c)", c_text, p.delta, Rel::Ge, st.b_x * er);
    a.check("η", "η > 0", p.eta, Rel::Gt, 0.0);
}

// ------------------------------------------------------------------------------------------
// Lemma C.5
// ------------------------------------------------------------------------------------------

/// The admissible set of Lemma C.5's one-step inequalities: the common setting, the window
/// `ṽ_k ∈ [1 − c1, 1 − c1/3]`, (C5-a) `c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ)`, (C5-b)
/// `(ε̃1² + r)C_x b_x ≤ c1²/20`, and C.2's (C2-c) `δ ≥ b_x(ε̃1² + r)` ("in the setting of Lemma
/// C.2"; SPEC's (C5.2) bound goes through (C2.3), which uses it).
pub fn c5_set() -> Stage1Set {
    Stage1Set {
        energy_hi: ENERGY_RANGE.1,
        lemma: "C.5",
        target: Target::Support { lo: 1.0 - C1, hi: 1.0 - C1 / 3.0 },
        delta_lo: |b, c| b * (c.cap * c.cap + c.r as f64),
        eta_hi: |delta, b, c| c.c1 * c.c1 / (8.0 * delta * delta * b * b * (6.0 * c.r as f64 * c.t * c.t / c.rho).ln()),
        hyps: |a, st, p, c| drift_setting(a, st, p, c, ["(C5-a)", "(C5-b)"], "δ ≥ b_x(ε̃1² + r) (setting of Lemma C.2)"),
        words: "Lemma C.5: c1 = 1/10, ρ ∈ [1e−3, 1/2], ε̃1 = 12/ρ, r ≤ 4, T = 1 (widest η); k ∈ S with ṽ_k ∈ [1 − c1, \
                1 − c1/3], ṽ in the (1 + c1, ε̃1)-bounded coupling set; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2 \
                and energies ≤ 8; (C5-a), (C5-b) and C.2's (C2-c) δ ≥ b_x(ε̃1² + r) at the realised b_x and C_x",
    }
}

/// Lemma C.5's searchables: (66), the printed (67) (a known E-C5 witness, which the search must
/// rediscover), the repaired (67), the variance (C5.2) and the printed (68), the G.3-R range and
/// the E-G3b step size.
pub fn c5() -> Vec<Searchable> {
    use super::lemma_c_5 as c5;
    let set = c5_set();
    let designed = super::exact::ADVERSARIAL;
    let mut out = Vec::new();
    for q in c5::inequalities(Role::Witness { erratum: "E-C5".into() }) {
        let k = q.ineq.key;
        let q = match k {
            c5::VARIANCE => q.control(
                "the constant 4 of 4η²δ²b_x² replaced by 1/4",
                Box::new(|os, inst, k| {
                    let s = (inst.eta * inst.delta * inst.b()).powi(2);
                    Some(Margin::le(os.var(k), 0.25 * s).with_scale(s))
                }),
            ),
            c5::RANGE_G3R => q.control(
                "the range bound 2η(δb_x + (ε̃²+r)b_x²) divided by 4",
                Box::new(|os, inst, k| {
                    Some(
                        Margin::le(os.range(k), 0.5 * inst.eta * inst.step_scale())
                            .with_scale(inst.eta * inst.delta * inst.b()),
                    )
                }),
            ),
            c5::STEP_G3B => q.control(
                "the step bound c1/6 replaced by ηδb_x/4",
                Box::new(|os, inst, k| {
                    let bound = inst.eta * inst.delta * inst.b() / 4.0;
                    Some(Margin::le(os.max_abs_change(k), bound).with_scale(bound))
                }),
            ),
            _ => q,
        };
        let mut s = searchable("C.5", &set, q, designed);
        if k == c5::PRINTED_GAMMA {
            s = s.rediscovers(key(c5::PRINTED_GAMMA, c5::EC5_TAG));
        }
        if k == c5::INTERMEDIATE_66 {
            // (66) carries the perturbation term η(ε̃1² + r)C_x b_x ṽ_k of C.2's (38): it fails where
            // max|x| = b_x < 1 (E-C2bx, counted under C.2).
            s.role = Role::Witness { erratum: E_C2BX.into() };
        }
        out.push(s);
    }
    out.push(searchable(
        "C.5",
        &set,
        search_only(
            PRINTED_68,
            "(68) printed variance (2ηδ)²",
            "(2ηδ)² − Var[ṽ'_k | ṽ] ≥ 0 on the window (the bound printed in (68), without b_x); scaled by η²δ²",
            Role::Witness { erratum: E_C5B.into() },
            crate::evidence::Provenance::Paper,
            Box::new(|os, inst, k| {
                if !c5::window(inst, os.v().as_slice()[k]) {
                    return None;
                }
                let s = (inst.eta * inst.delta).powi(2);
                Some(Margin::le(os.var(k), 4.0 * s).with_scale(s))
            }),
            "the constant 4 of (2ηδ)² replaced by 1/4",
            Box::new(|os, inst, k| {
                let s = (inst.eta * inst.delta).powi(2);
                Some(Margin::le(os.var(k), 0.25 * s).with_scale(s))
            }),
        ),
        designed,
    ));
    out
}

/// The erratum found by the search in C.2's (38) and C.5's (66): the perturbation term carries a
/// factor `b_x` that `|p_k| ≤ C_x(ε̃1² + r)` does not have (counted under C.2).
pub const E_C2BX: &str = "E-C2bx";
/// The erratum found by the search in C.5's (68): the printed `Var ≤ (2ηδ)²` has no `b_x`.
pub const E_C5B: &str = "E-C5b";
/// Key of the printed (68) `Var ≤ (2ηδ)²` (searched only).
pub const PRINTED_68: &str = "C5-68-printed-variance";

// ------------------------------------------------------------------------------------------
// Lemma C.2
// ------------------------------------------------------------------------------------------

/// Where in Lemma C.2's admissible set a search runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BxRegion {
    /// The whole set.
    All,
    /// `b_x = max|x| < 1`: E-C2bx's predicted region (stated with the erratum before any search:
    /// the printed perturbation bound `ηK1 b_x ṽ_k` is smaller than `ηṽ_k|p_k|`'s bound
    /// `ηṽ_k C_x(ε̃1² + r)` only there). A search region, not a hypothesis of the lemma.
    BelowOne,
    /// `b_x ≥ 1`: the rest of the set, where the printed bound should hold.
    AtLeastOne,
}

/// Upper end of the chart's column energies in the region `b_x < 1`: Hadamard entries `±√M_jj`
/// are below 1 only when `M_jj < 1` (the coupling is then capped by the audit's region check).
pub const BX_BELOW_ONE_ENERGY: f64 = 1.0;

/// The admissible set of Lemma C.2's one-step inequalities: the common setting, the window
/// `ṽ_k ∈ [1 + c1/3, 1 + c1]` (`u = ṽ_k − 1 ∈ [c1/3, c1]`), (C2-a) `c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ)`,
/// (C2-b) `(ε̃1² + r)C_x b_x ≤ c1²/20`, (C2-c) `δ ≥ b_x(ε̃1² + r)`.
pub fn c2_set() -> Stage1Set {
    c2_set_in(BxRegion::All)
}

/// [`c2_set`] restricted to a [`BxRegion`] (the region is one more line of the audit, so a witness
/// file re-verified by `witness` shows it).
pub fn c2_set_in(region: BxRegion) -> Stage1Set {
    fn hyps(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts) {
        drift_setting(a, st, p, c, ["(C2-a)", "(C2-b)"], "δ ≥ b_x(ε̃1² + r)");
    }
    fn hyps_below(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts) {
        hyps(a, st, p, c);
        a.check("region b_x < 1", "search region of E-C2bx (not a hypothesis): b_x = max|x| < 1", st.b_x, Rel::Lt, 1.0);
    }
    fn hyps_above(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts) {
        hyps(a, st, p, c);
        a.check("region b_x ≥ 1", "search region (not a hypothesis): b_x = max|x| ≥ 1", st.b_x, Rel::Ge, 1.0);
    }
    Stage1Set {
        energy_hi: if region == BxRegion::BelowOne { BX_BELOW_ONE_ENERGY } else { ENERGY_RANGE.1 },
        lemma: "C.2",
        target: Target::Support { lo: 1.0 + C1 / 3.0, hi: 1.0 + C1 },
        delta_lo: |b, c| b * (c.cap * c.cap + c.r as f64),
        eta_hi: |delta, b, c| c.c1 * c.c1 / (8.0 * delta * delta * b * b * (6.0 * c.r as f64 * c.t * c.t / c.rho).ln()),
        hyps: match region {
            BxRegion::All => hyps,
            BxRegion::BelowOne => hyps_below,
            BxRegion::AtLeastOne => hyps_above,
        },
        words: match region {
            BxRegion::All => {
                "Lemma C.2: c1 = 1/10, ρ ∈ [1e−3, 1/2], ε̃1 = 12/ρ, r ≤ 4, T = 1 (widest η); k ∈ S with ṽ_k ∈ [1 + c1/3, \
                 1 + c1], ṽ in the (1 + c1, ε̃1)-bounded coupling set; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2 \
                 and energies ≤ 8 (so b_x ≥ 1/√2 is allowed); (C2-a), (C2-b), (C2-c) at the realised b_x and C_x"
            }
            BxRegion::BelowOne => {
                "Lemma C.2 in E-C2bx's region b_x < 1: as the whole set, with energies < 1 and b_x = max|x| < 1"
            }
            BxRegion::AtLeastOne => "Lemma C.2 at b_x ≥ 1: the whole set, with b_x = max|x| ≥ 1",
        },
    }
}

/// Lemma C.2's searchables: the drift (C2.2), the intermediate (38) (the witness of E-C2bx at
/// `b_x < 1`), the variance (C2.3), the G.3-R range and the E-G3b step size; the computed facts of
/// the designed layer get a control here (a constant divided by 16 or 4).
pub fn c2() -> Vec<Searchable> {
    use super::lemma_c_2 as c2;
    let set = c2_set();
    let designed = super::exact::ADVERSARIAL;
    let mut out = Vec::new();
    for mut q in c2::inequalities() {
        let k = q.ineq.key;
        if k == c2::INTERMEDIATE_38 {
            // The witness search runs in the erratum's predicted region b_x < 1; the same
            // inequality is searched again, as a check of the statement, over b_x ≥ 1 (below).
            q.ineq.role = Role::Witness { erratum: E_C2BX.into() };
            out.push(searchable("C.2", &c2_set_in(BxRegion::BelowOne), q, designed));
            continue;
        }
        let q = match k {
            c2::VARIANCE => q.control(
                "the constant 4 of 4η²δ²b_x² replaced by 1/4",
                Box::new(|os, inst, k| {
                    let s = (inst.eta * inst.delta * inst.b()).powi(2);
                    Some(Margin::le(os.var(k), 0.25 * s).with_scale(s))
                }),
            ),
            c2::RANGE_G3R => q.control(
                "the range bound 4(1+c1)ηδb_x divided by 4",
                Box::new(|os, inst, k| {
                    let s = inst.eta * inst.delta * inst.b();
                    Some(Margin::le(os.range(k), (1.0 + inst.c1) * s).with_scale(s))
                }),
            ),
            c2::STEP_G3B => q.control(
                "the step bound c1/6 replaced by ηδb_x/4",
                Box::new(|os, inst, k| {
                    let bound = inst.eta * inst.delta * inst.b() / 4.0;
                    Some(Margin::le(os.max_abs_change(k), bound).with_scale(bound))
                }),
            ),
            _ => q,
        };
        out.push(searchable("C.2", &set, q, designed));
    }
    for q in c2::inequalities().into_iter().filter(|q| q.ineq.key == c2::INTERMEDIATE_38) {
        let mut s = searchable("C.2", &c2_set_in(BxRegion::AtLeastOne), q, designed);
        s.key = c2::INTERMEDIATE_38_BX1.into();
        s.id = format!("{} at b_x ≥ 1", s.id);
        out.push(s);
    }
    out
}

// ------------------------------------------------------------------------------------------
// Lemma C.4
// ------------------------------------------------------------------------------------------

/// Lowest `ṽ_k` of Lemma C.4's window (an `ε_min`-style floor: the log-drift only grows as `ṽ_k`
/// falls, since the signal is `M_kk(1 − ṽ_k²)`).
pub const C4_WINDOW_LO: f64 = 1e-6;

/// Id of the new erratum witnessed by the (C4.1) search under the OCR's (C4-b).
pub const E_C4AB: &str = "E-C4ab";

/// Key of the (C4.1) log-drift searched over the set with the OCR's `(C4-b) ηδ² ≤ c1/16`.
pub const C4_LOG_DRIFT_OCR: &str = "C4.1-log-drift-ocr-b";

/// `c1/4 − c1²/8`: the room (C4-a) and the derived (C4-b) share.
fn c4_room(c: &Consts) -> f64 {
    c.c1 / 4.0 - c.c1 * c.c1 / 8.0
}

/// `b_x²(δ + (ε̃1² + r)b_x)²`: SPEC's bound on `E Y²/η²` in (C4.1).
fn c4_quad(delta: f64, b: f64, c: &Consts) -> f64 {
    let er = c.cap * c.cap + c.r as f64;
    (b * (delta + er * b)).powi(2)
}

fn c4_common(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts) {
    let er = c.cap * c.cap + c.r as f64;
    a.check("(C4-a)", "(ε̃1² + r)C_x b_x ≤ c1/4 − c1²/8", er * st.c_x * st.b_x, Rel::Le, c4_room(c));
    a.check("(C2-c)", "δ ≥ b_x(ε̃1² + r) (setting of Lemma C.2; used in (57))", p.delta, Rel::Ge, st.b_x * er);
    a.check("η", "η > 0", p.eta, Rel::Gt, 0.0);
}

/// The admissible set of Lemma C.4's one-step inequalities, SPEC's reading: the common setting,
/// the window `ṽ_k ∈ [1e−6, 1 − c1/2]`, (C4-a), C.2's (C2-c), and (C4-b) read as SPEC §5.4's
/// DERIVED condition `(ε̃1² + r)C_x + ηb_x²(δ + (ε̃1² + r)b_x)² ≤ c1/4 − c1²/8` ("(C4-b) ηδ²
/// small; the DERIVED condition is (C4.1)"). (C4-c) and (C4-d) only bound `T` from below: `T` is
/// free and large enough.
pub fn c4_set() -> Stage1Set {
    Stage1Set {
        energy_hi: ENERGY_RANGE.1,
        lemma: "C.4",
        target: Target::Support { lo: C4_WINDOW_LO, hi: 1.0 - C1 / 2.0 },
        delta_lo: |b, c| b * (c.cap * c.cap + c.r as f64),
        eta_hi: |delta, b, c| c4_room(c) / c4_quad(delta, b, c),
        hyps: |a, st, p, c| {
            c4_common(a, st, p, c);
            let er = c.cap * c.cap + c.r as f64;
            a.check(
                "(C4-b) derived",
                "(ε̃1² + r)C_x + ηb_x²(δ + (ε̃1² + r)b_x)² ≤ c1/4 − c1²/8 (SPEC §5.4 (C4.1))",
                er * st.c_x + p.eta * c4_quad(p.delta, st.b_x, c),
                Rel::Le,
                c4_room(c),
            );
        },
        words: "Lemma C.4 (SPEC's reading): c1 = 1/10, ρ ∈ [1e−3, 1/2], ε̃1 = 12/ρ, r ≤ 4, T free and large ((C4-c), \
                (C4-d) only bound T below); k ∈ S with ṽ_k ∈ [1e−6, 1 − c1/2], ṽ in the (1 + c1, ε̃1)-bounded coupling \
                set; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2 and energies ≤ 8; (C4-a), C.2's (C2-c) δ ≥ b_x(ε̃1² + \
                r), and (C4-b) read as SPEC's DERIVED condition (ε̃1² + r)C_x + ηb_x²(δ + (ε̃1² + r)b_x)² ≤ c1/4 − c1²/8",
    }
}

/// The same set with (C4-b) read as the OCR's `ηδ² ≤ c1/16` (and no derived condition).
pub fn c4_ocr_set() -> Stage1Set {
    Stage1Set {
        energy_hi: ENERGY_RANGE.1,
        lemma: "C.4",
        target: Target::Support { lo: C4_WINDOW_LO, hi: 1.0 - C1 / 2.0 },
        delta_lo: |b, c| b * (c.cap * c.cap + c.r as f64),
        eta_hi: |delta, _b, c| c.c1 / (16.0 * delta * delta),
        hyps: |a, st, p, c| {
            c4_common(a, st, p, c);
            a.check("(C4-b) OCR", "ηδ² ≤ c1/16", p.eta * p.delta * p.delta, Rel::Le, c.c1 / 16.0);
        },
        words: "Lemma C.4 (the OCR's (C4-b)): c1 = 1/10, ρ ∈ [1e−3, 1/2], ε̃1 = 12/ρ, r ≤ 4, T free and large; k ∈ S \
                with ṽ_k ∈ [1e−6, 1 − c1/2], ṽ in the (1 + c1, ε̃1)-bounded coupling set; 16 × 16 coupled-Hadamard data \
                with M_kk ≥ 1/2 and energies ≤ 8; (C4-a) (ε̃1² + r)C_x b_x ≤ c1/4 − c1²/8, C.2's (C2-c), and (C4-b) \
                ηδ² ≤ c1/16 as legible in the OCR",
    }
}

/// Lemma C.4's searchables: the log-drift (C4.1) over SPEC's reading (Primary) and over the OCR's
/// (C4-b) (the witness of E-C4ab), the repaired log-range and the printed variance `(2ηδ)²`
/// (E-C4, which the search must rediscover: the wide-column witness has `M_kk = 6.25`).
pub fn c4() -> Vec<Searchable> {
    use super::lemma_c_4 as c4;
    let set = c4_set();
    let designed = super::exact::ADVERSARIAL;
    let mut out = Vec::new();
    for q in c4::inequalities(Role::Witness { erratum: "E-C4".into() }) {
        let k = q.ineq.key;
        let q = match k {
            c4::LOG_RANGE_REPAIRED => q.control(
                "the range bound 4η(δb_x + (ε̃²+r)b_x²) divided by 4",
                Box::new(|os, inst, k| {
                    Some(
                        Margin::le(log_factor_range(os, k), inst.eta * inst.step_scale())
                            .with_scale(inst.eta * inst.delta * inst.b()),
                    )
                }),
            ),
            _ => q,
        };
        let mut s = searchable("C.4", &set, q, designed);
        if k == c4::PRINTED_VARIANCE {
            s = s.rediscovers(key(c4::PRINTED_VARIANCE, c4::WIDE_TAG));
        }
        out.push(s);
        if k == c4::LOG_DRIFT {
            let mut q =
                c4::inequalities(Role::Primary).into_iter().find(|q| q.ineq.key == c4::LOG_DRIFT).expect("(C4.1)");
            q.ineq.key = C4_LOG_DRIFT_OCR;
            q.ineq.id = "(C4.1) log-drift, OCR (C4-b) ηδ² ≤ c1/16".into();
            q.ineq.role = Role::Witness { erratum: E_C4AB.into() };
            out.push(searchable("C.4", &c4_ocr_set(), q, designed).compared_with(key(c4::LOG_DRIFT, designed)));
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Lemma C.7
// ------------------------------------------------------------------------------------------

/// The admissible set of Lemma C.7's one-step inequalities: the common setting, `k = r ∉ S` with
/// its value a free share of the off-support mass, (C7-a) `½ηδ² > 32(ε̃1² + r)C_x b_x²`, the
/// implicit `|Δ| ≤ 1/16` (`ηδb_x + η(ε̃1² + r)b_x² ≤ 1/16`) and C.2's (C2-c); (C7-b) only bounds
/// `T` below (free).
pub fn c7_set() -> Stage1Set {
    Stage1Set {
        energy_hi: ENERGY_RANGE.1,
        lemma: "C.7",
        target: Target::Off,
        delta_lo: |b, c| b * (c.cap * c.cap + c.r as f64),
        eta_hi: |delta, b, c| 1.0 / (16.0 * (delta * b + (c.cap * c.cap + c.r as f64) * b * b)),
        hyps: |a, st, p, c| {
            let er = c.cap * c.cap + c.r as f64;
            let b = st.b_x;
            a.check(
                "(C7-a)",
                "½ηδ² > 32(ε̃1² + r)C_x b_x²",
                0.5 * p.eta * p.delta * p.delta,
                Rel::Gt,
                32.0 * er * st.c_x * b * b,
            );
            a.check(
                "|Δ| ≤ 1/16",
                "ηδb_x + η(ε̃1² + r)b_x² ≤ 1/16",
                p.eta * (p.delta * b + er * b * b),
                Rel::Le,
                1.0 / 16.0,
            );
            a.check("(C2-c)", "δ ≥ b_x(ε̃1² + r) (setting of Lemma C.2)", p.delta, Rel::Ge, b * er);
            a.check("η", "η > 0", p.eta, Rel::Gt, 0.0);
        },
        words: "Lemma C.7: c1 = 1/10, ρ ∈ [1e−3, 1/2], ε̃1 = 12/ρ, r ≤ 4, T free and large ((C7-b) only bounds T \
                below); k = r ∉ S, ṽ in the (1 + c1, ε̃1)-bounded coupling set with ṽ_k a free share of the off-support \
                mass; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2 and energies ≤ 8; (C7-a) ½ηδ² > 32(ε̃1² + r)C_x b_x², \
                |Δ| ≤ 1/16 and C.2's (C2-c) δ ≥ b_x(ε̃1² + r) at the realised b_x and C_x",
    }
}

/// Lemma C.7's searchables: the printed (C7.1) and (79) with `γ7 = η²δ²/16` (E-C7 witnesses, which
/// must reach the designed E-C7 witness's margins), the repaired per-coordinate (C7.1) and the
/// summed supermartingale with `γ7 = η²δ²/32`.
pub fn c7() -> Vec<Searchable> {
    use super::lemma_c_7 as c7;
    let set = c7_set();
    let designed = super::exact::ADVERSARIAL;
    let mut out = Vec::new();
    for q in c7::inequalities(Some(Role::Witness { erratum: "E-C7".into() })) {
        let k = q.ineq.key;
        let mut s = searchable("C.7", &set, q, designed);
        if k == c7::PRINTED_GAMMA7 || k == c7::PRINTED_SUMMED {
            s = s.rediscovers(key(k, c7::EC7_TAG));
        }
        out.push(s);
    }
    out
}

// ------------------------------------------------------------------------------------------
// Lemma C.3
// ------------------------------------------------------------------------------------------

/// The admissible set of Lemma C.3's one-step inequalities: the common setting, `k = r ∉ S`,
/// (C3-a) `(ε̃1² + r)C_x ≤ ρ/(12Tηb_x)` and the setting of Lemma C.2's (C2-a), (C2-c) (which fix
/// the range of `η` and `δ`; the margins of (C3.1)/(C3.2) scaled by `η` depend on `η` only through
/// the data limit (C3-a)). With `bx_floor`, also `b_x ≥ 1` (the proofs' `b_x = √(2 log(30d²/ρ))`).
pub fn c3_set(bx_floor: bool) -> Stage1Set {
    fn hyps(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts) {
        let er = c.cap * c.cap + c.r as f64;
        let b = st.b_x;
        a.check("(C3-a)", "(ε̃1² + r)C_x ≤ ρ/(12Tηb_x)", er * st.c_x, Rel::Le, c.rho / (12.0 * c.t * p.eta * b));
        a.check(
            "(C2-a)",
            "c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ) (setting of Lemma C.2)",
            c.c1 * c.c1 / (8.0 * p.eta * p.delta * p.delta * b * b),
            Rel::Ge,
            (6.0 * c.r as f64 * c.t * c.t / c.rho).ln(),
        );
        a.check("(C2-c)", "δ ≥ b_x(ε̃1² + r) (setting of Lemma C.2)", p.delta, Rel::Ge, b * er);
        a.check("η", "η > 0", p.eta, Rel::Gt, 0.0);
    }
    fn hyps_bx1(a: &mut Audit, st: &DataStats, p: &OneStepPoint, c: &Consts) {
        hyps(a, st, p, c);
        a.check("b_x ≥ 1", "b_x ≥ 1 (the proofs' b_x = √(2 log(30d²/ρ)) > 1)", st.b_x, Rel::Ge, 1.0);
    }
    Stage1Set {
        energy_hi: ENERGY_RANGE.1,
        lemma: "C.3",
        target: Target::Off,
        delta_lo: |b, c| b * (c.cap * c.cap + c.r as f64),
        eta_hi: |delta, b, c| c.c1 * c.c1 / (8.0 * delta * delta * b * b * (6.0 * c.r as f64 * c.t * c.t / c.rho).ln()),
        hyps: if bx_floor { hyps_bx1 } else { hyps },
        words: if bx_floor {
            "Lemma C.3 at b_x ≥ 1: as below, and b_x = max|x| ≥ 1"
        } else {
            "Lemma C.3: c1 = 1/10, ρ ∈ [1e−3, 1/2], ε̃1 = 12/ρ, r ≤ 4, T = 1 (widest η and C_x); k = r ∉ S, ṽ in the \
             (1 + c1, ε̃1)-bounded coupling set with ṽ_k a free share of the off-support mass; 16 × 16 coupled-Hadamard \
             data with M_kk ≥ 1/2 and energies ≤ 8, b_x = max|x|; (C3-a) (ε̃1² + r)C_x ≤ ρ/(12Tηb_x) and the setting \
             of Lemma C.2's (C2-a), (C2-c) at the realised b_x and C_x"
        },
    }
}

/// Lemma C.3's searchables: (C3.1) and (C3.2) over the set with `b_x = max|x|` free, and again at
/// `b_x ≥ 1`.
pub fn c3() -> Vec<Searchable> {
    use super::lemma_c_3 as c3;
    let designed = super::exact::ADVERSARIAL;
    let mut out = Vec::new();
    for q in c3::inequalities() {
        out.push(searchable("C.3", &c3_set(false), q, designed));
    }
    for q in c3::inequalities() {
        let base = q.ineq.key;
        let mut s = searchable("C.3", &c3_set(true), q, designed);
        s.key = format!("{base}-bx1");
        s.id = format!("{} at b_x ≥ 1", s.id);
        out.push(s);
    }
    out
}

/// Stage 1's searchables, in paper order.
pub fn searchables() -> Vec<Searchable> {
    let mut v = Vec::new();
    v.extend(c2());
    v.extend(c3());
    v.extend(c4());
    v.extend(c5());
    v.extend(c7());
    v
}
