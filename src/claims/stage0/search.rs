//! The adversarial searches of Stage 0's one-step inequalities (Lemma B.4) over the admissible
//! sets the lemma allows (see [`crate::claims::search`]).
//!
//! Every searchable evaluates the **same margin closure** as the designed exact check of the same
//! key (the table of [`crate::claims::stage0::exact::lemma_b_4`]), and its control is that
//! table's control.
//!
//! # The scalar sets
//! (B4.1) over `Δ ∈ [−1/2, 1/2] \ {0}` (its margin is scaled by `|Δ|³`), (26) over
//! `ξ ∈ [−1/2, 1/2]`: one coordinate, stored in [`OneStepPoint::constants`] (`Delta`, `xi`) with
//! no data and no state.
//!
//! # The Lemma B.4 admissible set ([`B4Set`], SPEC §4.5(a), §4.1, §4.4, §0.4)
//! * **constants**: `d = 16` (the data's dimension), `r ∈ {1, …, 4}`, `τ ∈ [10⁻², 10]`, `ρ ∈
//!   [10⁻³, 0.99]`, `b0 = 6τd/ρ`; `b_x` any number `≥ max|x|` (the lemma's "some `b_x > 0`"):
//!   `b_x = κ max|x|`, `κ ∈ [1, 4]`; `ηδ` from its (H1) limit `1/(16 b_x)` down to `10⁻⁶×` it,
//!   and the drift `ηB = η(b0² + r)b_x²` from `min((ηδ)²/32, 1/16 − ηδb_x)` (the (H2) and (H1)
//!   limits at that `ηδ`) down to `10⁻⁶×` it; then `η = ηB/B`, `δ = ηδ/η`. `T` and `ε0` do not
//!   enter a one-step inequality.
//! * **data**: the coupled-Hadamard family (`16 × 16`, module doc of [`crate::claims::search`]),
//!   column `k` (free) coupled with strength `c ∈ [0, 3]` and free signs to the support columns,
//!   to one "heavy" column `j0` (free) and to the rest; target `M_kk` and the column energies of
//!   the support, the heavy column and the rest in `[1/2, 8]`. No `C_x` hypothesis (B.4 has none).
//! * **state** (the one-step inequalities at states: (24), (B4.2), (B4.3)): positive, in the
//!   `b0`-ball `‖ṽ‖₁ ≤ b0` (where the `b0`-bounded coupling still moves, Definition B.1; outside
//!   it both sides of (B4.3) are 0): total mass `μ ∈ [10⁻⁶ b0, b0]`, a free share of it on `j0`
//!   (mass concentrated where `|g| ≤ (b0² + r) b_x²` is nearly tight), a free share of the rest on
//!   `k`, the remainder spread evenly; the other support coordinates raised to a free level in
//!   `[0, 1.1]`; rescaled into the ball. The per-coordinate inequalities ((25), `EΔ'²`, `|Δ'|`,
//!   the (H2) step) do not depend on the state; their points carry `ṽ = τ·1`.
//!
//! Every point's hypotheses are recomputed from its rows by [`audit`] (`max|x|`, `min M_kk` from
//! the data; (H1), (H2) from `η`, `δ`, `b_x`, `b0`, `r`), so the chart is only a way to reach the
//! set; each limit is met with the relative room [`ROOM`].

use std::sync::Arc;

use super::exact::lemma_b_4::{AtState, Eval, Point, coord_site, table};
use super::lemma_b_4 as b4;
use super::setting::{Constants, Instance, b0 as b0_of, l0 as l0_of, t0_real};
use crate::claims::search::{CoupledHadamard, MarginFn, OneStepPoint, SEARCH_D, SEARCH_M, Searchable, Theta};
use crate::evidence::{Audit, Ineq, Margin, Rel, State};

/// Largest support size searched.
pub const R_MAX: usize = 4;
/// Range of the initial scale `τ`.
pub const TAU_RANGE: (f64, f64) = (1e-2, 10.0);
/// Range of the failure level `ρ`.
pub const RHO_RANGE: (f64, f64) = (1e-3, 0.99);
/// Range of the column energies `M_jj` (and of the target `M_kk`); the low end is met with room.
pub const ENERGY_RANGE: (f64, f64) = (0.5, 8.0);
/// Largest coupling strength `c` of column `k` to the other columns.
pub const COUPLING_MAX: f64 = 3.0;
/// `b_x = κ max|x|`, `κ ∈ [1, BX_SLACK_MAX]`.
pub const BX_SLACK_MAX: f64 = 4.0;
/// `ηδ` is searched over `[ED_SPAN · (ηδ)_hi, (ηδ)_hi]`, `ηB` over `[DRIFT_SPAN · (ηB)_hi, (ηB)_hi]`.
pub const ED_SPAN: f64 = 1e-6;
pub const DRIFT_SPAN: f64 = 1e-6;
/// Relative room by which the chart meets each limit (far above the audit's own rounding of the
/// same formulas, far below any effect on a margin).
pub const ROOM: f64 = 1e-12;
/// Smallest total mass of a state, as a fraction of `b0`.
pub const MASS_FLOOR: f64 = 1e-6;
/// Highest level of the support coordinates other than `j0` and `k` (before the rescaling).
pub const SUPPORT_LEVEL_MAX: f64 = 1.1;

/// The admissible set of Lemma B.4's one-step inequalities: with or without a free state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct B4Set {
    /// Does the inequality depend on the state (else the point carries `ṽ = τ·1`)?
    pub state: bool,
}

/// The set in words (printed with every one-step search of B.4).
pub const WORDS_STATE: &str = "Lemma B.4 (SPEC §4.5(a)): d = 16, r ≤ 4, τ ∈ [1e−2, 10], ρ ∈ [1e−3, 0.99], b0 = 6τd/ρ, \
     b_x ∈ [1, 4]·max|x|; (H1) ηδb_x + η(b0²+r)b_x² ≤ 1/16 and (H2) ηδ² ≥ 32(b0²+r)b_x² (ηδ and ηB each down to 1e−6× \
     their limits; both limits reachable at once); 16 × 16 coupled-Hadamard data, M_kk ≥ 1/2 for every k, energies ≤ 8, \
     coupling c ≤ 3 with free signs; state positive in the b0-ball ‖ṽ‖₁ ≤ b0 (mass 1e−6·b0 to b0, free shares on a \
     heavy coordinate and on k, support level ≤ 1.1); k free";
/// The set in words for the state-independent inequalities.
pub const WORDS_COORD: &str = "Lemma B.4 (SPEC §4.5(a)): d = 16, r ≤ 4, τ ∈ [1e−2, 10], ρ ∈ [1e−3, 0.99], b0 = 6τd/ρ, \
     b_x ∈ [1, 4]·max|x|; (H1) ηδb_x + η(b0²+r)b_x² ≤ 1/16 and (H2) ηδ² ≥ 32(b0²+r)b_x² (ηδ and ηB each down to 1e−6× \
     their limits; both limits reachable at once); 16 × 16 coupled-Hadamard data, M_kk ≥ 1/2 for every k, energies ≤ 8, \
     coupling c ≤ 3 with free signs; k free (Δ' = ηs x_k + η(b0²+r)b_x² does not depend on the state)";

/// The hypotheses of Lemma B.4 at a one-step point, recomputed from its rows.
pub fn audit(p: &OneStepPoint) -> Audit {
    crate::claims::search::audit_rows("B.4", p, |stats| audit_with(stats, p))
}

/// [`audit`] with the data statistics of the point's rows.
fn audit_with(stats: &crate::engine::model::DataStats, p: &OneStepPoint) -> Audit {
    let mut a = crate::claims::search::set_audit("B.4");
    let stats = *stats;
    let d = p.v.len();
    let (tau, rho, b_x, b0) = (p.c("tau"), p.c("rho"), p.c("b_x"), p.c("b0"));
    let q = b0 * b0 + p.r as f64;
    a.check("ρ", "ρ < 1", rho, Rel::Lt, 1.0);
    a.check("ρ-lo", "ρ > 0", rho, Rel::Gt, 0.0);
    a.check("τ", "τ > 0", tau, Rel::Gt, 0.0);
    a.check("b0", "b0 = 6τd/ρ", b0, Rel::Le, b0_of(d, tau, rho));
    a.check("b0-lo", "b0 = 6τd/ρ", b0, Rel::Ge, b0_of(d, tau, rho));
    a.check("b_x", "max|x| ≤ b_x", stats.b_x, Rel::Le, b_x);
    a.check("M_kk", "min_k M_kk ≥ 1/2", stats.min_mkk, Rel::Ge, 0.5);
    a.fact("k", "k ∈ [d]", p.k < d);
    a.check("positive", "min_k ṽ_k > 0", p.v.iter().fold(f64::INFINITY, |m, &x| m.min(x)), Rel::Gt, 0.0);
    a.check("ball", "‖ṽ‖₁ ≤ b0 (the b0-bounded coupling still moves)", p.v.iter().sum(), Rel::Le, b0);
    a.check("η", "η > 0", p.eta, Rel::Gt, 0.0);
    a.check("δ", "δ > 0", p.delta, Rel::Gt, 0.0);
    a.check("(H1)", "ηδb_x + η(b0²+r)b_x² ≤ 1/16", p.eta * p.delta * b_x + p.eta * q * b_x * b_x, Rel::Le, 1.0 / 16.0);
    a.check("(H2)", "ηδ² ≥ 32(b0²+r)b_x²", p.eta * p.delta * p.delta, Rel::Ge, 32.0 * q * b_x * b_x);
    a
}

/// The Stage-0 instance of a point (for the designed margin closures): its data, and the
/// constants of [`Constants`] evaluated at its `τ`, `ρ`, `r`, `b_x`, `b0`, `η`, `δ` (`T = T0`).
pub fn instance_of(p: &OneStepPoint) -> Option<Instance> {
    let problem = p.problem().ok()?;
    let stats = problem.stats();
    let (d, n, r) = (p.v.len(), p.rows.len(), p.r);
    let (tau, rho, b_x, b0) = (p.c("tau"), p.c("rho"), p.c("b_x"), p.c("b0"));
    let q = b0 * b0 + r as f64;
    let l0 = l0_of(d, tau, rho);
    let (eta, delta) = (p.eta, p.delta);
    let t0 = t0_real(l0, eta, delta) as u64;
    let c = Constants {
        d,
        n,
        r,
        tau,
        rho,
        eps0: 1.0 / d as f64,
        // Not used: b_x is the point's own (any number ≥ max|x|), not Lemma G.1's.
        bx_failure: rho / 6.0,
        b_x,
        b0,
        l0,
        big_b: q * b_x * b_x,
        delta_min: 6.0 * 1024.0 * b_x.powi(3) * q * l0 / rho,
        delta,
        eta_lo: 6.0 * 32.0 * b_x * b_x * q * l0 / (rho * delta * delta),
        eta_hi: 1.0 / (32.0 * delta * b_x),
        eta,
        t0,
        t: t0,
    };
    Some(Instance { tag: "search".into(), c, p: problem, stats, rejected: 0 })
}

impl B4Set {
    /// The chart `θ → point`: constants, data, state, then `ηδ` and `ηB` at the realised `b_x`.
    pub fn chart(&self, th: &mut Theta<'_>) -> Option<OneStepPoint> {
        let d = SEARCH_D;
        let r = th.int(1, R_MAX);
        let tau = th.log_range(TAU_RANGE.0, TAU_RANGE.1);
        let rho = th.log_range(RHO_RANGE.0, RHO_RANGE.1);
        let b0 = b0_of(d, tau, rho);
        let k = th.int(0, d - 1);
        let j0 = th.int(0, d - 1);
        // Data.
        let e_lo = ENERGY_RANGE.0 * (1.0 + ROOM);
        let mkk = th.log_range(e_lo, ENERGY_RANGE.1);
        let a_s = th.log_range(e_lo, ENERGY_RANGE.1).sqrt();
        let a_h = th.log_range(e_lo, ENERGY_RANGE.1).sqrt();
        let a_o = th.log_range(e_lo, ENERGY_RANGE.1).sqrt();
        let mut s_s = [0.0; R_MAX];
        for x in s_s.iter_mut() {
            *x = th.sign();
        }
        let s_h = th.sign();
        let s_o = th.sign();
        let c = th.range(0.0, COUPLING_MAX);
        let kappa = th.range(1.0, BX_SLACK_MAX);
        let mut alpha = vec![0.0; d];
        let mut s = vec![0.0; d];
        for j in 0..d {
            (alpha[j], s[j]) = if j == j0 {
                (a_h, s_h)
            } else if j < r {
                (a_s, s_s[j])
            } else {
                (a_o, s_o)
            };
        }
        s[k] = 0.0;
        let fam = CoupledHadamard { m: SEARCH_M, d, k, mkk, alpha, s, c };
        let rows = fam.rows();
        let b_x = kappa * rows.iter().flatten().fold(0.0f64, |m, &x| m.max(x.abs()));
        // State.
        let v = if self.state {
            let mass = th.log_range(MASS_FLOOR, 1.0) * b0;
            let share_h = th.unit();
            let share_k = th.unit();
            let level = th.range(0.0, SUPPORT_LEVEL_MAX);
            let mut v = vec![0.0; d];
            v[j0] += share_h * mass;
            let rest = (1.0 - share_h) * mass;
            v[k] += share_k * rest;
            let others: Vec<usize> = (0..d).filter(|&j| j != j0 && j != k).collect();
            for &j in &others {
                v[j] += (1.0 - share_k) * rest / others.len() as f64;
                if j < r {
                    v[j] = v[j].max(level);
                }
            }
            for x in v.iter_mut() {
                *x = x.max(mass * 1e-12);
            }
            let total: f64 = v.iter().sum();
            let cap = b0 * (1.0 - ROOM);
            if total > cap {
                for x in v.iter_mut() {
                    *x *= cap / total;
                }
            }
            v
        } else {
            vec![tau; d]
        };
        // Constants: ηδ ≤ (1/16)(1 − ROOM)/b_x, then ηB ≤ min((ηδ)²/32, (1/16)(1 − ROOM) − ηδb_x).
        let h1 = (1.0 - ROOM) / 16.0;
        let a_hi = h1 / b_x * (1.0 - ROOM);
        let ed = a_hi * ED_SPAN.powf(th.unit());
        let drift_hi = (ed * ed / 32.0 * (1.0 - ROOM)).min(h1 - ed * b_x);
        let drift = drift_hi * DRIFT_SPAN.powf(th.unit());
        let big_b = (b0 * b0 + r as f64) * b_x * b_x;
        let eta = drift / big_b;
        let delta = ed / eta;
        let mut p = OneStepPoint { r, rows, v, eta, delta, k, constants: Default::default() };
        p.set("tau", tau);
        p.set("rho", rho);
        p.set("b0", b0);
        p.set("b_x", b_x);
        Some(p)
    }
}

/// Where a searchable evaluates its table entry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Site {
    /// (B4.1): `Δ` = the constant `Delta`.
    Delta,
    /// (26): `ξ` = the constant `xi`.
    Xi,
    /// A coordinate `k` (state-independent).
    Coord,
    /// Coordinate `k` at the state, the worst of the `2n` outcomes.
    Outcome,
    /// Coordinate `k` at the state.
    StateCoord,
    /// The state.
    State,
}

fn scaled(m: &Margin) -> f64 {
    if m.scale > 0.0 { m.margin / m.scale } else { m.margin }
}

/// Evaluate a table closure (the entry's margin or its control's) at a point.
pub fn eval_at(site: Site, f: &Eval, p: &OneStepPoint) -> Option<(Margin, String)> {
    let first = |x: Option<(Margin, super::exact::lemma_b_4::Show)>| x.map(|(m, _)| m);
    match site {
        Site::Delta => {
            let x = p.c("Delta");
            first(f(&Point::Delta(x))).map(|m| (m, format!("Δ = {x}")))
        }
        Site::Xi => {
            let x = p.c("xi");
            first(f(&Point::Xi(x))).map(|m| (m, format!("ξ = {x}")))
        }
        Site::Coord => {
            let inst = instance_of(p)?;
            let (mkk, eu, maxabs) = coord_site(&inst, p.k);
            first(f(&Point::Coord { inst: &inst, k: p.k, mkk, eu, maxabs }))
                .map(|m| (m, format!("k = {}, M_kk = {}", p.k, crate::numfmt::fmt(mkk))))
        }
        Site::Outcome | Site::StateCoord | Site::State => {
            let inst = instance_of(p)?;
            let st = State::new(p.state(), "search", "search state");
            let at = AtState::new(&inst, &st)?;
            match site {
                Site::StateCoord => {
                    first(f(&Point::StateCoord { at: &at, k: p.k })).map(|m| (m, format!("k = {}", p.k)))
                }
                Site::State => first(f(&Point::State { at: &at }))
                    .map(|m| (m, format!("outcomes leaving the ball carry {}", crate::numfmt::fmt(at.lost)))),
                _ => {
                    let mut worst: Option<(Margin, usize)> = None;
                    for o in 0..at.os.outcomes() {
                        if let Some(m) = first(f(&Point::Outcome { at: &at, k: p.k, o }))
                            && worst.as_ref().is_none_or(|(w, _)| scaled(&m) < scaled(w))
                        {
                            worst = Some((m, o));
                        }
                    }
                    worst.map(|(m, o)| (m, format!("k = {}, outcome {o} (worst of {})", p.k, at.os.outcomes())))
                }
            }
        }
    }
}

/// The chart of the scalar set `x ∈ [−1/2, 1/2]` stored as the constant `name`.
fn scalar_chart(name: &'static str) -> Box<crate::claims::search::Chart> {
    Box::new(move |th: &mut Theta<'_>| {
        let x = th.range(-0.5, 0.5);
        let mut p = OneStepPoint {
            r: 0,
            rows: Vec::new(),
            v: Vec::new(),
            eta: 0.0,
            delta: 0.0,
            k: 0,
            constants: Default::default(),
        };
        p.set(name, x);
        Some(p)
    })
}

/// The audit of the scalar set: `|x| ≤ 1/2` (and `x ≠ 0` when the margin is scaled by `|x|³`).
fn scalar_audit(name: &'static str, nonzero: bool) -> Box<crate::claims::search::AuditFn> {
    Box::new(move |p: &OneStepPoint| {
        let mut a = Audit::new("search-B.4-scalar", format!("{name} ∈ [−1/2, 1/2]")).on_designed_data();
        let x = p.c(name);
        a.check(name, "|x| ≤ 1/2", x.abs(), Rel::Le, 0.5);
        if nonzero {
            a.check("nonzero", "|Δ| > 0 (the margin is scaled by |Δ|³)", x.abs(), Rel::Gt, 0.0);
        }
        a
    })
}

/// Wrap the table entry keyed `key` as a searchable at `site`, with the entry's control.
fn searchable(t: &Arc<Vec<Ineq<Eval>>>, key: &'static str, site: Site) -> Searchable {
    let j = t.iter().position(|i| i.key == key).unwrap_or_else(|| panic!("no B.4 table entry keyed {key}"));
    let e = &t[j];
    let (chart, audit_fn, words): (Box<crate::claims::search::Chart>, Box<crate::claims::search::AuditFn>, &str) =
        match site {
            Site::Delta => {
                (scalar_chart("Delta"), scalar_audit("Delta", true), "Δ ∈ [−1/2, 1/2] \\ {0} (the range of (26)–(27))")
            }
            Site::Xi => (scalar_chart("xi"), scalar_audit("xi", false), "ξ ∈ [−1/2, 1/2] (the range of (26))"),
            Site::Coord => {
                let set = B4Set { state: false };
                (Box::new(move |th| set.chart(th)), Box::new(audit), WORDS_COORD)
            }
            _ => {
                let set = B4Set { state: true };
                (Box::new(move |th| set.chart(th)), Box::new(audit), WORDS_STATE)
            }
        };
    let tm = t.clone();
    let margin: Box<MarginFn> = Box::new(move |p| eval_at(site, &*tm[j].eval, p));
    let mut s = Searchable::new(
        "B.4",
        key,
        e.id.clone(),
        e.statement.clone(),
        e.role.clone(),
        e.threshold,
        words,
        chart,
        audit_fn,
        margin,
    )
    .compared_with(key);
    if let Some((variant, _)) = &e.control {
        let tc = t.clone();
        s = s.with_control(
            variant.clone(),
            Box::new(move |p| tc[j].control.as_ref().and_then(|(_, f)| eval_at(site, &**f, p))),
        );
    }
    s
}

/// Lemma B.4's searchables, in the table's order: (B4.1), (26), (24), (25), `EΔ'²`, `|Δ'|`, the
/// (H2) step, (B4.2), (B4.3).
pub fn b4() -> Vec<Searchable> {
    let t = Arc::new(table());
    [
        (b4::TAYLOR, Site::Delta),
        (b4::REMAINDER, Site::Xi),
        (b4::PER_OUTCOME, Site::Outcome),
        (b4::PER_COORD, Site::Coord),
        (b4::SECOND_MOMENT, Site::Coord),
        (b4::STEP_SIZE, Site::Coord),
        (b4::H2_STEP, Site::Coord),
        (b4::FACTOR, Site::StateCoord),
        (b4::CONTRACTION, Site::State),
    ]
    .into_iter()
    .map(|(key, site)| searchable(&t, key, site))
    .collect()
}

/// This stage's searchables, in paper order.
pub fn searchables() -> Vec<Searchable> {
    b4()
}
