//! The adversarial searches of Stage 2's one-step inequalities (Lemmas D.3, D.4, D.5, D.6) over
//! the admissible sets their lemmas allow (see [`crate::claims::search`]).
//!
//! # The Stage-2 admissible set ([`Stage2Set`])
//! * **constants**: round `s ∈ {2, …, 5}` free, `c0 = 1/10`, `c_{s−1} = 10^{−(s−1)}`,
//!   `c_s = c0 c_{s−1}`, `ε_{s−1} ∈ [10⁻⁴c_{s−1}, c_{s−1}]` free, `ε_s = (4/c0)^{2c_{s−1}} ε_{s−1}`,
//!   `ρ ∈ [10⁻³, 1/2]`, `r ∈ {1, …, 12}`, `δ ∈ [0, 4]`; `η` from its upper limit (the lemma's
//!   step-size hypotheses, solved as a fixed point in `T = log(4/c0)/η`, which the integer
//!   `T = ⌊log(40)/η⌋` then meets) down to 10⁻⁶× it;
//! * **data**: the coupled-Hadamard family (`16 × 16`, module doc of [`crate::claims::search`]):
//!   target `M_kk ∈ [1/2, 8]`, support and off-support column energies in `[1/2, 8]`, the coupling
//!   signs of the first four other support columns free, one shared sign for the others and one for
//!   the off-support columns, and the coupling strength `c` a fraction of the largest value the
//!   lemma's data hypothesis (at the realised `b_x = max|x|` and `C_x`) allows, found by bisection
//!   on the hypotheses audit itself;
//! * **state**: in the `(2c_{s−1}, ε_s)`-to-`v*` coupling set: `ṽ_k` in the lemma's window on
//!   either side of 1 (for `k = 0 ∈ S`) or `k = r ∉ S`; the first four other support coordinates
//!   anywhere within `2c_{s−1}` of 1, the rest at one shared value; off-support mass
//!   `μ ∈ [10⁻⁶ε_s, ε_s]` with a free share on the first off-support coordinate, the rest spread.
//!
//! Every point's hypotheses are recomputed from its rows by the lemma's audit (`b_x = max|x|`,
//! `C_x`, `min M_kk` from the data; `T = ⌊log(40)/η⌋` from `η`), so the box chart is only a way
//! to reach the set. The margins are the designed checks' own ([`Measure::margin_at`]).

use super::exact::{FLIPPED_VARIANT, Measure, max_off_increment};
use super::setting::{Instance, Round, c_round, log_term, log40, x_minus_ln1p};
use super::states::{Side, Window, deviation};
use crate::claims::search::{CoupledHadamard, MarginFn, OneStepPoint, SEARCH_D, SEARCH_M, Searchable, Theta};
use crate::engine::model::DataStats;
use crate::evidence::{Audit, Margin, Provenance, Rel, Role};
use crate::numfmt::fmt;

/// Rounds searched: `s ∈ {2, …, S_MAX}`.
pub const S_MAX: usize = 5;
/// Largest support size searched (E-D3b needs `r ≥ 12`).
pub const R_MAX: usize = 12;
/// Other support coordinates with their own deviation and coupling sign (the rest share one).
pub const FREE_OTHERS: usize = 4;
/// `ε_{s−1}` is searched over `[EPS_PREV_FLOOR · c_{s−1}, c_{s−1}]`.
pub const EPS_PREV_FLOOR: f64 = 1e-4;
/// Range of the failure level `ρ`.
pub const RHO_RANGE: (f64, f64) = (1e-3, 0.5);
/// Range of the column energies `M_jj` (and of the target `M_kk`).
pub const ENERGY_RANGE: (f64, f64) = (0.5, 8.0);
/// Largest label-noise level searched.
pub const DELTA_MAX: f64 = 4.0;
/// `η` is searched over `[ETA_SPAN · η_hi, η_hi]`.
pub const ETA_SPAN: f64 = 1e-6;
/// Relative room by which the chart meets the data limits and the coupling set (the audit
/// recomputes the same formulas with their own rounding).
pub const ROOM: f64 = 1e-12;
/// Relative room by which the coupling strength meets the data limit: `C_x` realised from the rows
/// (`M = XᵀX/n`) carries a relative rounding error up to `~1e−10` when the coupling is small against
/// the column's entries (found: `1e−12` let 2% of a control's points fail (D3-b) by `5e−12`).
pub const DATA_ROOM: f64 = 1e-6;
/// Relative room below the step-size limit (the fixed point in `T` is solved to `1e−12`).
pub const ETA_ROOM: f64 = 1e-9;
/// Smallest coupling sign magnitude and smallest fraction of the largest admissible coupling
/// strength (so `C_x > 0` on the whole chart: a perturbation bound is then never `0 ≤ 0`).
pub const SIGN_FLOOR: f64 = 1e-3;
pub const C_FLOOR: f64 = 1e-6;
/// Smallest off-support mass, as a fraction of `ε_s`.
pub const MASS_FLOOR: f64 = 1e-6;

/// Which coordinate an inequality is about.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// `k = 0 ∈ S`, `|ṽ_k − 1|` in the window, on the given side (`None`: either, a chart
    /// coordinate chooses).
    Support { win: Window, side: Option<Side> },
    /// `k = r ∉ S`.
    Off,
}

/// A Stage-2 lemma's admissible set: its coordinate, its step-size limit and its hypotheses.
#[derive(Clone)]
pub struct Stage2Set {
    pub lemma: &'static str,
    pub target: Target,
    /// Adds the hypothesis `b_x ≥ 1` (the theorem's `b_x = √(2 log(30d²/ρ)) > 1`): the chart then
    /// draws every column other than `k` with energy in `[1, 8]`, so `max|x| ≥ 1`. Without it only
    /// `M_kk ≥ 1/2` bounds `b_x` (from below by `1/√2`).
    pub bx_floor: bool,
    /// The largest `η` the hypotheses allow at the round's `b_x`, `δ` (the round's own `η` unused).
    pub eta_hi: fn(&Round) -> f64,
    /// The lemma's data hypotheses (`C_x`, `b_x`; monotone in the coupling strength, which the
    /// chart finds by bisection on them).
    pub data: fn(&mut Audit, &Round, &DataStats),
    /// The lemma's other hypotheses at a point (step size; `T` from `η`).
    pub hyps: fn(&mut Audit, &Round, &DataStats),
    /// The set in words.
    pub words: &'static str,
}

/// The largest `η` with `num / (q · η · log(coef · r · T^pow / ρ)) ≥ 1` at `T = log(40)/η` (a
/// fixed point; `pow = 0` is closed form), capped at 1/2.
pub fn eta_limit(num: f64, q: f64, coef: f64, pow: i32, r: usize, rho: f64) -> f64 {
    let mut eta = (num / q).min(0.5);
    for _ in 0..500 {
        let t = log40() / eta;
        let next = (num / (q * log_term(coef, r, t, pow, rho))).min(0.5);
        if (next - eta).abs() <= 1e-13 * eta {
            return next;
        }
        eta = next;
    }
    eta
}

/// The round of a point at data bound `b_x` (its `s`, `ε_{s−1}`, `ρ`, `r`, `δ`, `η`).
pub fn round_of(p: &OneStepPoint, b_x: f64) -> Round {
    Round::new(p.c("s") as u32, p.c("eps_prev"), p.c("rho"), p.r, p.delta, b_x, Some(p.eta))
}

/// The check instance of a point (for the designed checks' margins).
pub fn inst_of(p: &OneStepPoint) -> Option<Instance> {
    let problem = p.problem().ok()?;
    let b_x = problem.stats().b_x;
    let round = round_of(p, b_x);
    Some(Instance { name: "search".into(), problem, round, origin: crate::evidence::Data::Designed })
}

/// `T = ⌊log(40)/η⌋` as an `f64` (the round's integer `T` saturates for `η < 2e−19`; the
/// searched `η` go far below).
pub fn t_of(rd: &Round) -> f64 {
    (log40() / rd.eta).floor()
}

/// `log(c0/4) − T log(1 − η) = T(−η − log(1 − η)) − η(log 40/η − T)` at `T` = [`t_of`] (`> 0` ⇔
/// `(1 − η)^T 2c_{s−1} < c_s/2`), without cancellation.
pub fn contraction_log_margin(rd: &Round) -> f64 {
    let t = t_of(rd);
    t * x_minus_ln1p(-rd.eta) - rd.eta * (log40() / rd.eta - t)
}

/// `(1 + ηc_{s−1})^T` at `T` = [`t_of`].
pub fn growth(rd: &Round) -> f64 {
    (t_of(rd) * (rd.eta * rd.c_prev).ln_1p()).exp()
}

/// (D3-a) `c_{s−1}²/(2ηX_s) ≥ log(10rT²/ρ)`.
pub fn hyp_d3a(a: &mut Audit, rd: &Round) {
    a.check(
        "(D3-a)",
        "c_(s−1)²/(2ηX_s) ≥ log(10rT²/ρ)",
        rd.c_prev * rd.c_prev / (2.0 * rd.eta * rd.x_s()),
        Rel::Ge,
        log_term(10.0, rd.r, t_of(rd), 2, rd.rho),
    );
}

/// (D3-b) with the theorem's `κ₃ = c_s/10`: `(ε_s² + 4rc_{s−1}) C_x b_x² ≤ c_s/10`.
pub fn hyp_d3b(a: &mut Audit, rd: &Round, st: &DataStats) {
    a.check(
        "(D3-b)",
        "(ε_s² + 4rc_(s−1)) C_x b_x² ≤ κ₃ = c_s/10",
        (rd.eps_s * rd.eps_s + 4.0 * rd.r as f64 * rd.c_prev) * st.c_x * st.b_x * st.b_x,
        Rel::Le,
        rd.c_s / 10.0,
    );
}

/// The D.3 step-size limit (D3-a).
fn eta_d3a(rd: &Round) -> f64 {
    eta_limit(rd.c_prev * rd.c_prev, 2.0 * rd.x_s(), 10.0, 2, rd.r, rd.rho)
}

impl Stage2Set {
    /// The audit of a point (data statistics from its rows).
    pub fn audit(&self, p: &OneStepPoint) -> Audit {
        crate::claims::search::audit_rows(self.lemma, p, |stats| self.audit_with(stats, p))
    }

    /// The common part (coupling set, window, positivity, `M_kk ≥ 1/2`, the round's constants),
    /// then the lemma's hypotheses.
    pub fn audit_with(&self, stats: &DataStats, p: &OneStepPoint) -> Audit {
        let mut a = crate::claims::search::set_audit(self.lemma);
        let s = p.c("s");
        a.fact("s", "round s ∈ {2, 3, …} (an integer ≥ 2)", s.fract() == 0.0 && (2.0..=30.0).contains(&s));
        if !a.all_hold() {
            return a;
        }
        let rd = round_of(p, stats.b_x);
        let v = &p.v;
        a.fact("r", "1 ≤ r < d", p.r >= 1 && p.r < v.len());
        if !a.all_hold() {
            return a;
        }
        a.check("positive", "min_k ṽ_k > 0", v.iter().fold(f64::INFINITY, |m, &x| m.min(x)), Rel::Gt, 0.0);
        let smax = v[..p.r].iter().fold(0.0f64, |m, &x| m.max((x - 1.0).abs()));
        a.check("set-S", "‖ṽ_S − 1‖∞ ≤ 2c_(s−1)", smax, Rel::Le, 2.0 * rd.c_prev);
        let off: f64 = v[p.r..].iter().sum();
        a.check("set-S̄", "‖ṽ_S̄‖₁ ≤ ε_s", off, Rel::Le, rd.eps_s);
        match self.target {
            Target::Support { win, side } => {
                let (lo, hi) = win.bounds(&rd);
                a.fact("k", "k ∈ S", p.k < p.r);
                let x = v[p.k] - 1.0;
                if let Some(side) = side {
                    a.check("side", "ṽ_k on the inequality's side of 1", x * side.sign(), Rel::Gt, 0.0);
                }
                a.check("window-lo", "|ṽ_k − 1| ≥ window low end", x.abs(), Rel::Ge, lo);
                a.check("window-hi", "|ṽ_k − 1| ≤ window high end", x.abs(), Rel::Le, hi);
            }
            Target::Off => {
                a.fact("k", "k ∉ S", p.k >= p.r && p.k < v.len());
            }
        }
        a.check("M_kk", "min_k M_kk ≥ 1/2", stats.min_mkk, Rel::Ge, 0.5);
        if self.bx_floor {
            a.check("b_x ≥ 1", "b_x = max|x| ≥ 1 (the theorem's b_x > 1)", stats.b_x, Rel::Ge, 1.0);
        }
        a.check("ε_(s−1)", "0 < ε_(s−1)", p.c("eps_prev"), Rel::Gt, 0.0);
        a.check("ε_(s−1)-hi", "ε_(s−1) ≤ c_(s−1)", p.c("eps_prev"), Rel::Le, rd.c_prev);
        a.check("rho", "0 < ρ", rd.rho, Rel::Gt, 0.0);
        a.check("rho-hi", "ρ < 1", rd.rho, Rel::Lt, 1.0);
        a.check("δ", "δ ≥ 0", p.delta, Rel::Ge, 0.0);
        a.check("η", "η > 0", p.eta, Rel::Gt, 0.0);
        a.check("η-hi", "η < 1", p.eta, Rel::Lt, 1.0);
        (self.data)(&mut a, &rd, stats);
        (self.hyps)(&mut a, &rd, stats);
        a
    }

    /// The data hypotheses alone (`M_kk ≥ 1/2`, `b_x ≥ 1` if required, the lemma's `C_x` bound)
    /// at data statistics `st` (the chart's bisection on the coupling strength).
    fn data_ok(&self, rd: &Round, st: &DataStats) -> bool {
        let mut a = Audit::new("data", "data");
        a.check("M_kk", "min_k M_kk ≥ 1/2", st.min_mkk, Rel::Ge, 0.5);
        if self.bx_floor {
            a.check("b_x ≥ 1", "b_x ≥ 1", st.b_x, Rel::Ge, 1.0);
        }
        (self.data)(&mut a, rd, st);
        a.all_hold()
    }

    /// The chart `θ → point`.
    pub fn chart(&self, th: &mut Theta<'_>) -> Option<OneStepPoint> {
        let s = th.int(2, S_MAX) as u32;
        let r = th.int(1, R_MAX);
        let c_prev = c_round(s - 1);
        let eps_prev = c_prev * th.log_range(EPS_PREV_FLOOR, 1.0);
        let rho = th.log_range(RHO_RANGE.0, RHO_RANGE.1);
        let k = match self.target {
            Target::Support { .. } => 0,
            Target::Off => r,
        };
        // Data.
        // The lower ends carry a relative room: the audit recomputes M_jj from the rows.
        let mkk = th.log_range(ENERGY_RANGE.0 * (1.0 + ROOM), ENERGY_RANGE.1);
        let e_lo = if self.bx_floor { 1.0 } else { ENERGY_RANGE.0 } * (1.0 + ROOM);
        let a_s = th.log_range(e_lo, ENERGY_RANGE.1).sqrt();
        let a_o = th.log_range(e_lo, ENERGY_RANGE.1).sqrt();
        // Coupling signs bounded away from 0 (so that C_x > 0 whenever the strength is).
        let signed = |x: f64| if x < 0.0 { x.min(-SIGN_FLOOR) } else { x.max(SIGN_FLOOR) };
        let mut sig = [0.0; FREE_OTHERS + 1];
        for x in sig.iter_mut() {
            *x = signed(th.sign());
        }
        let s_off = signed(th.sign());
        let frac_c = th.unit();
        // State.
        let side_u = th.unit();
        let pos = th.unit();
        let mut dev = [0.0; FREE_OTHERS + 1];
        for x in dev.iter_mut() {
            *x = th.sign();
        }
        let mass_frac = th.log_range(MASS_FLOOR, 1.0);
        let share = th.unit();
        let th_delta = th.unit();
        let th_eta = th.unit();

        // The other support coordinates, in order: the first FREE_OTHERS free, the rest shared.
        let others: Vec<usize> = (0..r).filter(|&j| j != k).collect();
        let mut s_vec = vec![0.0; SEARCH_D];
        let mut v = vec![0.0; SEARCH_D];
        let b = 2.0 * c_prev;
        for (i, &j) in others.iter().enumerate() {
            let g = i.min(FREE_OTHERS);
            s_vec[j] = sig[g];
            let y = dev[g];
            v[j] = deviation(y.abs() * b, if y < 0.0 { -1.0 } else { 1.0 }, 0.0, b);
        }
        for x in s_vec[r..].iter_mut() {
            *x = s_off;
        }
        s_vec[k] = 0.0;
        let alpha: Vec<f64> = (0..SEARCH_D).map(|j| if j < r { a_s } else { a_o }).collect();
        // Constants that do not depend on the data.
        let probe = Round::new(s, eps_prev, rho, r, 0.0, 1.0, Some(0.5));
        let eps_s = probe.eps_s;
        // Off-support state.
        let mass = mass_frac * eps_s * (1.0 - ROOM);
        let off: Vec<usize> = (r..SEARCH_D).collect();
        let rest = (1.0 - share) * mass / (off.len().max(2) - 1) as f64;
        for (i, &j) in off.iter().enumerate() {
            v[j] = if i == 0 { share * mass } else { rest }.max(mass * 1e-12);
        }
        let total: f64 = v[r..].iter().sum();
        if total > eps_s * (1.0 - ROOM) {
            for x in v[r..].iter_mut() {
                *x *= eps_s * (1.0 - ROOM) / total;
            }
        }
        if let Target::Support { win, side } = self.target {
            let (lo, hi) = win.bounds(&probe);
            let side = side.unwrap_or(if side_u < 0.5 { Side::Below } else { Side::Above });
            v[k] = deviation(lo + pos * (hi - lo), side.sign(), lo, hi);
        }
        let delta = DELTA_MAX * th_delta;
        let build = |rows: Vec<Vec<f64>>, b_x: f64| -> OneStepPoint {
            let rd = Round::new(s, eps_prev, rho, r, delta, b_x, Some(0.5));
            let eta = (self.eta_hi)(&rd) * (1.0 - ETA_ROOM) * ETA_SPAN.powf(th_eta);
            let mut p = OneStepPoint { r, rows, v: v.clone(), eta, delta, k, constants: Default::default() };
            p.set("s", s as f64);
            p.set("eps_prev", eps_prev);
            p.set("rho", rho);
            p.set("c_prev", c_prev);
            p.set("c_s", rd.c_s);
            p.set("eps_s", eps_s);
            p
        };
        let fam = CoupledHadamard { m: SEARCH_M, d: SEARCH_D, k, mkk, alpha, s: s_vec, c: 0.0 };
        let c_max = fam.largest_coupling(1.0, |f| {
            let st = f.stats();
            self.data_ok(&Round::new(s, eps_prev, rho, r, delta, st.b_x, Some(0.5)), &st)
        });
        let fam = CoupledHadamard { c: frac_c.max(C_FLOOR) * c_max * (1.0 - DATA_ROOM), ..fam };
        let rows = fam.rows();
        let b_x = rows.iter().flatten().fold(0.0f64, |m, &x| m.max(x.abs()));
        Some(build(rows, b_x))
    }
}

/// Where a point's margin was evaluated, in one line.
fn where_at(p: &OneStepPoint) -> String {
    let x = p.v.get(p.k).map(|&x| x - 1.0).unwrap_or(f64::NAN);
    format!("s = {}, k = {}, ṽ_k − 1 = {}", p.c("s"), p.k, fmt(x))
}

/// A margin closure from a designed [`Measure`] (coordinate 0).
pub fn measure_margin(m: Measure) -> Box<MarginFn> {
    Box::new(move |p| {
        let inst = inst_of(p)?;
        let v = p.state();
        let mg = match m.margin_at(&inst, &v) {
            // The designed loop skips data with C_x = 0 (both sides are 0); the search keeps them
            // as the admissible points they are, with margin 0.
            None if matches!(m, Measure::Perturbation(_)) => {
                Margin::le(inst.problem.perturbation(&v, 0), 0.0).with_scale(f64::MIN_POSITIVE)
            }
            other => other?,
        };
        Some((mg, where_at(p)))
    })
}

/// A margin closure from any function of the instance and the point.
pub fn margin_fn(f: fn(&Instance, &OneStepPoint) -> Option<Margin>) -> Box<MarginFn> {
    Box::new(move |p| {
        let inst = inst_of(p)?;
        f(&inst, p).map(|mg| (mg, where_at(p)))
    })
}

/// One searchable over `set`: key (= the designed check's key), printed id, statement, role,
/// threshold, margin, control.
#[allow(clippy::too_many_arguments)]
pub fn searchable(
    claim: &'static str,
    set: &Stage2Set,
    key: &str,
    id: &str,
    statement: &str,
    role: Role,
    threshold: Provenance,
    margin: Box<MarginFn>,
    variant: &str,
    control: Box<MarginFn>,
) -> Searchable {
    let (chart_set, audit_set) = (set.clone(), set.clone());
    let words = format!("{}; {}", set.words, if set.bx_floor { BX_FLOOR_WORDS } else { BX_FREE_WORDS });
    Searchable::new(
        claim,
        key,
        id,
        statement,
        role,
        threshold,
        words,
        Box::new(move |th| chart_set.chart(th)),
        Box::new(move |p| audit_set.audit(p)),
        margin,
    )
    .with_control(variant, control)
}

/// The admissible words of a set with `b_x ≥ 1`.
pub const BX_FLOOR_WORDS: &str =
    "b_x = max|x| ≥ 1 (the theorem's b_x = √(2 log(30d²/ρ)) > 1; every column but k of energy in [1, 8])";
/// The admissible words of a set without it.
pub const BX_FREE_WORDS: &str = "b_x = max|x| free (M_kk ≥ 1/2 alone allows it down to 1/√2)";
/// The erratum the searches at `b_x < 1` witness: a bound multiplied by a power of `b_x` that is an
/// upper bound only for `b_x ≥ 1` (Stage 1's E-C2bx, counted under C.2).
pub use crate::claims::stage1::search::E_C2BX;

/// A drift searchable at rate `γ = gamma · η`, its control the flipped gradient sign.
#[allow(clippy::too_many_arguments)]
fn drift(
    claim: &'static str,
    set: &Stage2Set,
    key: &str,
    id: &str,
    statement: &str,
    role: Role,
    side: Side,
    gamma: f64,
) -> Searchable {
    let prov = if matches!(role, Role::Repair { .. }) { Provenance::Derived } else { Provenance::Paper };
    searchable(
        claim,
        set,
        key,
        id,
        statement,
        role,
        prov,
        measure_margin(Measure::Drift { side, gamma, grad_sign: 1.0 }),
        FLIPPED_VARIANT,
        measure_margin(Measure::Drift { side, gamma, grad_sign: -1.0 }),
    )
    .compared_with(key)
}

/// The variance searchable `Var ≤ 4η²X_s`, its control a step with label noise 10δ.
fn variance(claim: &'static str, set: &Stage2Set, key: &str, id: &str, statement: &str) -> Searchable {
    searchable(
        claim,
        set,
        key,
        id,
        statement,
        Role::Primary,
        Provenance::Paper,
        measure_margin(Measure::Variance { noise: 1.0 }),
        super::exact::NOISY_VARIANT,
        measure_margin(Measure::Variance { noise: 10.0 }),
    )
    .compared_with(key)
}

/// The variant of the range searches' controls.
pub const RANGE_QUARTER_VARIANT: &str = "the range bound 2η(1 + 2c_(s−1))b_x(δ + b_x(ε_s² + r)) divided by 4";

/// The range searchable (E-G3a's range hypothesis), its control the bound divided by 4.
fn range(claim: &'static str, set: &Stage2Set, key: &str, id: &str) -> Searchable {
    searchable(
        claim,
        set,
        key,
        id,
        super::exact::RANGE_STATEMENT,
        Role::Primary,
        Provenance::Derived,
        measure_margin(Measure::Range),
        RANGE_QUARTER_VARIANT,
        margin_fn(|inst, p| {
            let rd = &inst.round;
            let bound = 2.0 * rd.max_step();
            let os = p.one_step(&inst.problem, 1.0);
            Some(Margin::le(os.range(0), bound / 4.0).with_scale(bound))
        }),
    )
    .compared_with(key)
}

/// The variant of the perturbation searches' controls.
pub const PERTURBATION_HALF_VARIANT: &str = "the perturbation bound halved";

/// A perturbation-bound searchable `K_0 ≤ bound(round, C_x)`, its control the bound halved
/// (`half`, a closure on the same bound).
#[allow(clippy::too_many_arguments)]
fn perturbation(
    claim: &'static str,
    set: &Stage2Set,
    key: &str,
    id: &str,
    statement: &str,
    role: Role,
    bound: fn(&Round, f64) -> f64,
    half: fn(&Instance, &OneStepPoint) -> Option<Margin>,
) -> Searchable {
    let prov = if matches!(role, Role::Repair { .. }) { Provenance::Derived } else { Provenance::Paper };
    searchable(
        claim,
        set,
        key,
        id,
        statement,
        role,
        prov,
        measure_margin(Measure::Perturbation(bound)),
        PERTURBATION_HALF_VARIANT,
        margin_fn(half),
    )
    .compared_with(key)
}

/// `K_0 ≤ bound/2` (the control of a perturbation search).
fn half_margin(inst: &Instance, p: &OneStepPoint, bound: fn(&Round, f64) -> f64) -> Option<Margin> {
    let c_x = inst.problem.stats().c_x;
    let b = bound(&inst.round, c_x);
    Some(Margin::le(inst.problem.perturbation(&p.state(), 0), b / 2.0).with_scale(b.max(f64::MIN_POSITIVE)))
}

// ------------------------------------------------------------------------------------------
// Lemma D.3
// ------------------------------------------------------------------------------------------

/// Words of D.3's set.
const D3_WORDS: &str = "Lemma D.3: round s ∈ {2,…,5} (c_(s−1) = 10^−(s−1), c_s = c_(s−1)/10), ε_(s−1) ∈ \
    [1e−4, 1]·c_(s−1), ε_s = 40^(2c_(s−1)) ε_(s−1), ρ ∈ [1e−3, 1/2], r ≤ 12, δ ∈ [0, 4]; η up to the limit of (D3-a) \
    c_(s−1)²/(2ηX_s) ≥ log(10rT²/ρ) at T = ⌊log 40/η⌋; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2, energies ≤ 8, \
    C_x up to (D3-b) (ε_s² + 4rc_(s−1))C_x b_x² ≤ κ₃ = c_s/10 (the theorem's κ₃) at the realised b_x = max|x|; \
    ṽ in the (2c_(s−1), ε_s)-to-v* coupling set, k = 0 with |ṽ_k − 1| ∈ [(2/3)c_(s−1), 2c_(s−1)]";

/// Lemma D.3's admissible set for one side (`None`: either side).
pub fn d3_set(side: Option<Side>, bx_floor: bool) -> Stage2Set {
    Stage2Set {
        bx_floor,
        lemma: "D.3",
        target: Target::Support { win: Window::D3, side },
        eta_hi: eta_d3a,
        data: hyp_d3b,
        hyps: |a, rd, _| hyp_d3a(a, rd),
        words: D3_WORDS,
    }
}

/// Key of the corrected (95) bound searched with `b_x` free (an E-C2bx witness).
pub const D3_CORRECTED_FREE_BX: &str = "E-D3b-repair-free-bx";

/// Lemma D.3's searchables.
pub fn d3() -> Vec<Searchable> {
    use super::lemma_d_3 as l;
    let (above, below, both) =
        (d3_set(Some(Side::Above), false), d3_set(Some(Side::Below), false), d3_set(None, false));
    let both1 = d3_set(None, true);
    let w = |e: &str| Role::Witness { erratum: e.into() };
    let rep = |e: &str| Role::Repair { erratum: e.into() };
    vec![
        drift(
            "D.3",
            &above,
            l::D31,
            "(D3.1) printed, γ = η",
            "(1−η)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.3's window above 1 (94)–(96); scaled by ηu². Over the whole set it \
             is E-D3a's step (M_kk = 1/2, s ≥ 3), so this search is E-D3a's witness",
            w("E-D3a"),
            Side::Above,
            1.0,
        )
        .rediscovers(l::ED3A_WITNESS),
        drift(
            "D.3",
            &above,
            l::ED3A_REPAIR,
            "E-D3a repair: (D3.1) with γ = η/2",
            "(1−η/2)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.3's window above 1; scaled by ηu²",
            rep("E-D3a"),
            Side::Above,
            0.5,
        ),
        drift(
            "D.3",
            &below,
            l::D32,
            "(D3.2) printed, γ = η",
            "(1−η)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.3's window below 1 (104)–(106); scaled by ηw². Over the whole set \
             it is E-C5's step (M_kk = 1/2), so this search is E-C5's witness (counted under C.5)",
            w("E-C5"),
            Side::Below,
            1.0,
        )
        .rediscovers(l::EC5_WITNESS),
        drift(
            "D.3",
            &below,
            l::EC5_REPAIR,
            "E-C5 repair: (D3.2) with γ = η/2",
            "(1−η/2)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.3's window below 1; scaled by ηw²",
            rep("E-C5"),
            Side::Below,
            0.5,
        ),
        variance("D.3", &both, l::D33, "(D3.3)", "4η²X_s − Var[ṽ'_k | ṽ] ≥ 0 (97)–(99), both sides; scaled by η²X_s"),
        range("D.3", &both, l::D33_RANGE, "(D3.3-R)"),
        perturbation(
            "D.3",
            &both1,
            l::PERTURBATION,
            "(95) perturbation, printed",
            "(ε_s² + 4rc_(s−1)) C_x b_x² − K_k(ṽ) ≥ 0 (first inequality of (95)); scaled by the bound. Over the \
             whole set (r up to 12) it is E-D3b's step, so this search is E-D3b's witness",
            w("E-D3b"),
            Round::k_printed,
            |i, p| half_margin(i, p, Round::k_printed),
        )
        .rediscovers(l::ED3B_WITNESS),
        perturbation(
            "D.3",
            &both1,
            l::ED3B_REPAIR,
            "E-D3b repair: corrected perturbation bound",
            "(ε_s² + 4rc_(s−1)(1 + c_(s−1))) C_x b_x² − K_k(ṽ) ≥ 0 at b_x ≥ 1; scaled by the bound",
            rep("E-D3b"),
            Round::k_corrected,
            |i, p| half_margin(i, p, Round::k_corrected),
        ),
        perturbation(
            "D.3",
            &both,
            D3_CORRECTED_FREE_BX,
            "E-C2bx witness at D.3: corrected perturbation bound with b_x free",
            "(ε_s² + 4rc_(s−1)(1 + c_(s−1))) C_x b_x² − K_k(ṽ) ≥ 0 with b_x = max|x| free: K_k ≤ C_x(ε_s² + \
             4rc_(s−1)(1 + c_(s−1))) has no factor b_x², so the bound fails for b_x < 1; scaled by the bound",
            w(E_C2BX),
            Round::k_corrected,
            |i, p| half_margin(i, p, Round::k_corrected),
        )
        .compared_with(l::ED3B_REPAIR),
    ]
}

// ------------------------------------------------------------------------------------------
// Lemma D.4
// ------------------------------------------------------------------------------------------

/// D.1's step-size condition `c_s²/(8ηX_s) ≥ log(10rT²/ρ)` (under which D.4's (D4-c) holds, E-D4's
/// repair).
fn eta_d1(rd: &Round) -> f64 {
    eta_limit(rd.c_s * rd.c_s, 8.0 * rd.x_s(), 10.0, 2, rd.r, rd.rho)
}

/// Lemma D.4's admissible set: `k ∉ S`, (D4-a) `(ε_s² + 4c_{s−1}r)C_x b_x² ≤ c_{s−1}` (its own data
/// hypothesis, the widest), `η` up to D.1's limit, and (D4-b), (D4-c) audited at the realised `η`.
pub fn d4_set(bx_floor: bool, corrected: bool) -> Stage2Set {
    Stage2Set {
        bx_floor,
        lemma: "D.4",
        target: Target::Off,
        eta_hi: eta_d1,
        data: if corrected {
            |a, rd, st| {
                a.check(
                    "(D4-a) corrected",
                    "(ε_s² + 4c_(s−1)(1 + c_(s−1))r) C_x b_x² ≤ c_(s−1) (E-D3b's corrected term)",
                    (rd.eps_s * rd.eps_s + 4.0 * rd.r as f64 * rd.c_prev * (1.0 + rd.c_prev))
                        * st.c_x
                        * st.b_x
                        * st.b_x,
                    Rel::Le,
                    rd.c_prev,
                );
            }
        } else {
            |a, rd, st| {
                a.check(
                    "(D4-a)",
                    "(ε_s² + 4c_(s−1)r) C_x b_x² ≤ c_(s−1)",
                    (rd.eps_s * rd.eps_s + 4.0 * rd.r as f64 * rd.c_prev) * st.c_x * st.b_x * st.b_x,
                    Rel::Le,
                    rd.c_prev,
                );
            }
        },
        hyps: |a, rd, _| {
            a.check("(D4-b)", "ε_s > (1 + ηc_(s−1))^T ε_(s−1)", rd.eps_s, Rel::Gt, growth(rd) * rd.eps_prev);
            let t = t_of(rd);
            let lam = rd.eps_s / growth(rd) - rd.eps_prev;
            a.check(
                "(D4-c)",
                "((1 + ηc_(s−1))^(−T) ε_s − ε_(s−1))²/(2Tη²X_s ε_s²) ≥ log(5/ρ)",
                lam * lam / (2.0 * t * rd.eta * rd.eta * rd.x_s() * rd.eps_s * rd.eps_s),
                Rel::Ge,
                (5.0 / rd.rho).ln(),
            );
        },
        words: "Lemma D.4: round s ∈ {2,…,5}, ε_(s−1) ∈ [1e−4, 1]·c_(s−1), ε_s = 40^(2c_(s−1)) ε_(s−1), ρ ∈ [1e−3, \
                1/2], r ≤ 12, δ ∈ [0, 4]; η up to D.1's limit c_s²/(8ηX_s) ≥ log(10rT²/ρ), with (D4-b) and (D4-c) \
                audited at T = ⌊log 40/η⌋; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2, energies ≤ 8, C_x up to \
                D.4's own (D4-a) (ε_s² + 4c_(s−1)r)C_x b_x² ≤ c_(s−1) (printed, or with E-D3b's corrected 4c_(s−1)(1 + \
                c_(s−1))r, per search) at the realised b_x; ṽ in the coupling set, \
                k = r ∉ S",
    }
}

/// The key of the (D4.3) search's control variant.
pub const D43_QUARTER_VARIANT: &str = "the increment bound η(δb_x + (ε_s² + r)b_x²)‖ṽ_S̄‖₁ divided by 4";

/// Key of (D4.1) under the corrected (D4-a) at `b_x ≥ 1` (E-D3b's repair at D.4).
pub const D41_CORRECTED: &str = "D4.1-corrected";
/// Key of (D4.1) searched with `b_x` free (an E-C2bx witness).
pub const D41_FREE_BX: &str = "D4.1-free-bx";

/// Lemma D.4's searchables: (D4.1) and (D4.3).
pub fn d4() -> Vec<Searchable> {
    use super::lemma_d_4 as l;
    let (set1, fixed1, fixed) = (d4_set(true, false), d4_set(true, true), d4_set(false, true));
    let d41 = |set: &Stage2Set, key: &str, id: &str, statement: &str, role: Role| {
        searchable(
            "D.4",
            set,
            key,
            id,
            statement,
            role,
            Provenance::Paper,
            margin_fn(|inst, p| {
                let os = p.one_step(&inst.problem, 1.0);
                let scale = inst.round.eta * inst.round.c_prev * p.v[p.k];
                Some(Margin::le(os.mean_increment(p.k), scale).with_scale(scale))
            }),
            l::D41_VARIANT,
            margin_fn(|inst, p| {
                let os = p.one_step(&inst.problem, 1.0);
                let scale = inst.round.eta * inst.round.c_prev * p.v[p.k];
                Some(Margin::le(os.mean_increment(p.k), 0.0).with_scale(scale))
            }),
        )
        .compared_with(l::D41)
    };
    vec![
        d41(
            &set1,
            l::D41,
            "(D4.1) under the printed (D4-a)",
            "(1 + ηc_(s−1)) ṽ_k − E[ṽ'_k | ṽ] = η ṽ_k (c_(s−1) + (Me)_k) ≥ 0 for k ∉ S at b_x ≥ 1, C_x up to the \
             printed (D4-a); scaled by η c_(s−1) ṽ_k. K_k ≤ C_x(ε_s² + 4rc_(s−1)(1 + c_(s−1))) exceeds c_(s−1) \
             when (D4-a) is tight (the printed 4rc_(s−1) of (117)): E-D3b's step, so this search is its witness",
            Role::Witness { erratum: "E-D3b".into() },
        ),
        d41(
            &fixed1,
            D41_CORRECTED,
            "E-D3b repair at D.4: (D4.1) under the corrected (D4-a)",
            "(1 + ηc_(s−1)) ṽ_k − E[ṽ'_k | ṽ] ≥ 0 for k ∉ S at b_x ≥ 1, C_x up to (ε_s² + 4c_(s−1)(1 + \
             c_(s−1))r) C_x b_x² ≤ c_(s−1); scaled by η c_(s−1) ṽ_k",
            Role::Repair { erratum: "E-D3b".into() },
        ),
        d41(
            &fixed,
            D41_FREE_BX,
            "E-C2bx witness at D.4: (D4.1) under the corrected (D4-a), b_x free",
            "(1 + ηc_(s−1)) ṽ_k − E[ṽ'_k | ṽ] ≥ 0 for k ∉ S with b_x = max|x| free, C_x up to the corrected (D4-a): \
             it bounds C_x b_x², while K_k ≤ C_x(ε_s² + 4rc_(s−1)(1 + c_(s−1))) has no b_x², so for b_x < 1 K_k can \
             exceed c_(s−1); scaled by η c_(s−1) ṽ_k",
            Role::Witness { erratum: E_C2BX.into() },
        )
        .compared_with(l::D41),
        searchable(
            "D.4",
            &d4_set(false, false),
            l::D43,
            "(D4.3)",
            "η(δ b_x + (ε_s² + r) b_x²)‖ṽ_S̄‖₁ − max_(i,s) |‖ṽ'_S̄‖₁ − ‖ṽ_S̄‖₁| ≥ 0 over the 2n outcomes; scaled by \
             the bound",
            Role::Primary,
            Provenance::Paper,
            margin_fn(|inst, p| {
                let os = p.one_step(&inst.problem, 1.0);
                let bound = inst.round.increment_factor() * inst.problem.off_l1(&p.state());
                Some(Margin::le(max_off_increment(&os), bound).with_scale(bound))
            }),
            D43_QUARTER_VARIANT,
            margin_fn(|inst, p| {
                let os = p.one_step(&inst.problem, 1.0);
                let bound = inst.round.increment_factor() * inst.problem.off_l1(&p.state());
                Some(Margin::le(max_off_increment(&os), bound / 4.0).with_scale(bound))
            }),
        )
        .compared_with(l::D43),
    ]
}

// ------------------------------------------------------------------------------------------
// Lemma D.5
// ------------------------------------------------------------------------------------------

/// D.5's step-size limit: (D5-b) `c_s²/(32ηX_s) ≥ log(5r/ρ)` and D.3's (D3-a) ("in the setting of
/// Lemma D.3").
fn eta_d5(rd: &Round) -> f64 {
    eta_limit(rd.c_s * rd.c_s, 32.0 * rd.x_s(), 5.0, 0, rd.r, rd.rho).min(eta_d3a(rd))
}

/// Lemma D.5's admissible set for one side (`None`: either side).
pub fn d5_set(side: Option<Side>, bx_floor: bool) -> Stage2Set {
    Stage2Set {
        bx_floor,
        lemma: "D.5",
        target: Target::Support { win: Window::D5, side },
        eta_hi: eta_d5,
        data: |a, rd, st| {
            a.check(
                "(D5-c)",
                "(ε_s² + 4c_(s−1)r) C_x b_x² ≤ c_s/10",
                (rd.eps_s * rd.eps_s + 4.0 * rd.r as f64 * rd.c_prev) * st.c_x * st.b_x * st.b_x,
                Rel::Le,
                rd.c_s / 10.0,
            );
        },
        hyps: |a, rd, _| {
            a.check(
                "(D5-a)",
                "(1 − η)^T 2c_(s−1) < c_s/2, as log(c0/4) − T log(1 − η) > 0",
                contraction_log_margin(rd),
                Rel::Gt,
                0.0,
            );
            a.check(
                "(D5-b)",
                "c_s²/(32ηX_s) ≥ log(5r/ρ)",
                rd.c_s * rd.c_s / (32.0 * rd.eta * rd.x_s()),
                Rel::Ge,
                (5.0 * rd.r as f64 / rd.rho).ln(),
            );
            hyp_d3a(a, rd);
        },
        words: "Lemma D.5: round s ∈ {2,…,5}, ε_(s−1) ∈ [1e−4, 1]·c_(s−1), ε_s = 40^(2c_(s−1)) ε_(s−1), ρ ∈ [1e−3, \
                1/2], r ≤ 12, δ ∈ [0, 4]; η up to the limits of (D5-b) c_s²/(32ηX_s) ≥ log(5r/ρ) and D.3's (D3-a), \
                (D5-a) audited at T = ⌊log 40/η⌋; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2, energies ≤ 8, C_x \
                up to (D5-c) (ε_s² + 4c_(s−1)r)C_x b_x² ≤ c_s/10 at the realised b_x; ṽ in the coupling set, k = 0 \
                with |ṽ_k − 1| ∈ [c_s/2, 2c_(s−1)]",
    }
}

/// Lemma D.5's searchables.
pub fn d5() -> Vec<Searchable> {
    use super::lemma_d_5 as l;
    let (above, below, both) =
        (d5_set(Some(Side::Above), false), d5_set(Some(Side::Below), false), d5_set(None, false));
    let w = |e: &str| Role::Witness { erratum: e.into() };
    let rep = |e: &str| Role::Repair { erratum: e.into() };
    vec![
        drift(
            "D.5",
            &above,
            l::D51_ABOVE,
            "(D5.1) above, printed γ = η",
            "(1−η)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.5's window above 1 (122)–(125); scaled by ηu². Over the whole set \
             it is E-D5's step (M_kk = 1/2), so this search is E-D5's witness",
            w("E-D5"),
            Side::Above,
            1.0,
        )
        .rediscovers(l::ED5_WITNESS_ABOVE),
        drift(
            "D.5",
            &above,
            l::ED5_REPAIR_ABOVE,
            "E-D5 repair: (D5.1) above with γ = η/2",
            "(1−η/2)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.5's window above 1; scaled by ηu²",
            rep("E-D5"),
            Side::Above,
            0.5,
        ),
        drift(
            "D.5",
            &below,
            l::D51_BELOW,
            "(D5.1) below, printed γ = η",
            "(1−η)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.5's window below 1; scaled by ηw². Over the whole set it is E-C5's \
             step (M_kk = 1/2, counted under C.5), so this search is E-C5's witness",
            w("E-C5"),
            Side::Below,
            1.0,
        )
        .rediscovers(l::ED5_WITNESS_BELOW),
        drift(
            "D.5",
            &below,
            l::ED5_REPAIR_BELOW,
            "E-C5 repair at D.5: (D5.1) below with γ = η/2",
            "(1−η/2)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.5's window below 1; scaled by ηw²",
            rep("E-C5"),
            Side::Below,
            0.5,
        ),
        range("D.5", &both, l::D52_RANGE, "(D5.2-R)"),
    ]
}

// ------------------------------------------------------------------------------------------
// Lemma D.6
// ------------------------------------------------------------------------------------------

/// D.6's step-size limit: (D6-a) `c_s²/(8ηX_s) ≥ log(5rT²/ρ)` and D.3's (D3-a).
fn eta_d6(rd: &Round) -> f64 {
    eta_limit(rd.c_s * rd.c_s, 8.0 * rd.x_s(), 5.0, 2, rd.r, rd.rho).min(eta_d3a(rd))
}

/// Lemma D.6's admissible set for one side (`None`: either side).
pub fn d6_set(side: Option<Side>, bx_floor: bool) -> Stage2Set {
    Stage2Set {
        bx_floor,
        lemma: "D.6",
        target: Target::Support { win: Window::D6, side },
        eta_hi: eta_d6,
        data: |a, rd, st| {
            a.check(
                "(D6-b)",
                "(ε_s² + 2rc_s) C_x b_x² ≤ c_s/20",
                (rd.eps_s * rd.eps_s + 2.0 * rd.r as f64 * rd.c_s) * st.c_x * st.b_x * st.b_x,
                Rel::Le,
                rd.c_s / 20.0,
            );
            hyp_d3b(a, rd, st);
        },
        hyps: |a, rd, _| {
            a.check(
                "(D6-a)",
                "c_s²/(8ηX_s) ≥ log(5rT²/ρ)",
                rd.c_s * rd.c_s / (8.0 * rd.eta * rd.x_s()),
                Rel::Ge,
                log_term(5.0, rd.r, t_of(rd), 2, rd.rho),
            );
            hyp_d3a(a, rd);
        },
        words: "Lemma D.6: round s ∈ {2,…,5}, ε_(s−1) ∈ [1e−4, 1]·c_(s−1), ε_s = 40^(2c_(s−1)) ε_(s−1), ρ ∈ [1e−3, \
                1/2], r ≤ 12, δ ∈ [0, 4]; η up to the limits of (D6-a) c_s²/(8ηX_s) ≥ log(5rT²/ρ) and D.3's (D3-a) at \
                T = ⌊log 40/η⌋; 16 × 16 coupled-Hadamard data with M_kk ≥ 1/2, energies ≤ 8, C_x up to (D6-b) \
                (ε_s² + 2rc_s)C_x b_x² ≤ c_s/20 and the setting's (D3-b) (ε_s² + 4rc_(s−1))C_x b_x² ≤ c_s/10 (the \
                theorem's data assumption, which the designed witnesses use) at the realised b_x; ṽ in the coupling \
                set, k = 0 with |ṽ_k − 1| ∈ [c_s/3, c_s]",
    }
}

/// Key of D.6's γ = η/2 repair above 1 searched with `b_x` free (an E-C2bx witness).
pub const D6_REPAIR_ABOVE_FREE_BX: &str = "E-D6-repair-above-free-bx";
/// Key of D.6's γ = η/2 repair below 1 searched with `b_x` free (an E-C2bx witness).
pub const D6_REPAIR_BELOW_FREE_BX: &str = "E-D6-repair-below-free-bx";
/// Key of D.6's corrected perturbation term searched with `b_x` free (an E-C2bx witness).
pub const D6_REPAIR_PERTURBATION_FREE_BX: &str = "E-D6-repair-perturbation-free-bx";

/// Lemma D.6's searchables.
pub fn d6() -> Vec<Searchable> {
    use super::lemma_d_6 as l;
    let (above, below, both) =
        (d6_set(Some(Side::Above), false), d6_set(Some(Side::Below), false), d6_set(None, false));
    let (above1, below1, both1) =
        (d6_set(Some(Side::Above), true), d6_set(Some(Side::Below), true), d6_set(None, true));
    let bx = |s: Searchable, key: &str, id: &str, designed: &str| {
        let mut s = s;
        s.key = key.into();
        s.id = id.into();
        s.role = Role::Witness { erratum: E_C2BX.into() };
        s.statement = format!(
            "{} — searched with b_x = max|x| free: the printed/corrected terms carry b_x², an upper \
                               bound only for b_x ≥ 1",
            s.statement
        );
        s.compared_with(designed)
    };
    let w = |e: &str| Role::Witness { erratum: e.into() };
    let rep = |e: &str| Role::Repair { erratum: e.into() };
    vec![
        drift(
            "D.6",
            &above,
            l::D61_ABOVE,
            "(D6.1) above, printed γ = η",
            "(1−η)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.6's window above 1 (134)–(136); scaled by ηu². Over the whole set \
             it is E-D3a's step at D.6 (M_kk = 1/2; counted under D.3), so this search is its witness",
            w("E-D3a"),
            Side::Above,
            1.0,
        )
        .rediscovers(l::ED6_WITNESS_DRIFT),
        drift(
            "D.6",
            &above1,
            l::ED6_REPAIR_ABOVE,
            "E-D3a repair at D.6: (D6.1) above with γ = η/2",
            "(1−η/2)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.6's window above 1 at b_x ≥ 1; scaled by ηu²",
            rep("E-D3a"),
            Side::Above,
            0.5,
        ),
        bx(
            drift(
                "D.6",
                &above,
                l::ED6_REPAIR_ABOVE,
                "",
                "(1−η/2)u − E[ṽ'_k − 1 | ṽ] ≥ 0 on D.6's window above 1; scaled by ηu²",
                rep("E-D3a"),
                Side::Above,
                0.5,
            ),
            D6_REPAIR_ABOVE_FREE_BX,
            "E-C2bx witness at D.6: (D6.1) above with γ = η/2, b_x free",
            l::ED6_REPAIR_ABOVE,
        ),
        drift(
            "D.6",
            &below,
            l::D61_BELOW,
            "(D6.1) below, printed γ = η",
            "(1−η)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.6's window below 1; scaled by ηw². Over the whole set it is E-C5's \
             step (M_kk = 1/2, counted under C.5), so this search is E-C5's witness",
            w("E-C5"),
            Side::Below,
            1.0,
        ),
        drift(
            "D.6",
            &below1,
            l::ED6_REPAIR_BELOW,
            "E-C5 repair at D.6: (D6.1) below with γ = η/2",
            "(1−η/2)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.6's window below 1 at b_x ≥ 1; scaled by ηw²",
            rep("E-C5"),
            Side::Below,
            0.5,
        ),
        bx(
            drift(
                "D.6",
                &below,
                l::ED6_REPAIR_BELOW,
                "",
                "(1−η/2)w − E[1 − ṽ'_k | ṽ] ≥ 0 on D.6's window below 1; scaled by ηw²",
                rep("E-C5"),
                Side::Below,
                0.5,
            ),
            D6_REPAIR_BELOW_FREE_BX,
            "E-C2bx witness at D.6: (D6.1) below with γ = η/2, b_x free",
            l::ED6_REPAIR_BELOW,
        ),
        variance("D.6", &both, l::D62, "(D6.2)", "4η²X_s − Var[ṽ'_k | ṽ] ≥ 0 (137)–(139), both sides; scaled by η²X_s"),
        range("D.6", &both, l::D62_RANGE, "(D6.2-R)"),
        perturbation(
            "D.6",
            &both1,
            l::ED6_WITNESS_PERTURBATION,
            "E-D6 witness: (135) perturbation term",
            "(ε_s² + 2rc_s) C_x b_x² − K_k(ṽ) ≥ 0 on D.6's window; scaled by the bound",
            w("E-D6"),
            Round::k_d6_printed,
            |i, p| half_margin(i, p, Round::k_d6_printed),
        )
        .rediscovers(l::ED6_WITNESS_PERTURBATION),
        perturbation(
            "D.6",
            &both1,
            l::ED6_REPAIR_PERTURBATION,
            "E-D6 repair: corrected perturbation term",
            "(ε_s² + 4rc_(s−1)(1 + c_(s−1))) C_x b_x² − K_k(ṽ) ≥ 0 on D.6's window at b_x ≥ 1; scaled by the bound",
            rep("E-D6"),
            Round::k_corrected,
            |i, p| half_margin(i, p, Round::k_corrected),
        ),
        bx(
            perturbation(
                "D.6",
                &both,
                l::ED6_REPAIR_PERTURBATION,
                "",
                "(ε_s² + 4rc_(s−1)(1 + c_(s−1))) C_x b_x² − K_k(ṽ) ≥ 0 on D.6's window; scaled by the bound",
                rep("E-D6"),
                Round::k_corrected,
                |i, p| half_margin(i, p, Round::k_corrected),
            ),
            D6_REPAIR_PERTURBATION_FREE_BX,
            "E-C2bx witness at D.6: corrected perturbation term, b_x free",
            l::ED6_REPAIR_PERTURBATION,
        ),
    ]
}

/// This stage's searchables, in paper order.
pub fn searchables() -> Vec<Searchable> {
    let mut v = Vec::new();
    v.extend(d3());
    v.extend(d4());
    v.extend(d5());
    v.extend(d6());
    v
}

/// The note on E-C2bx at a Stage-2 claim: each `(free, floor)` pair of search keys — the same
/// inequality searched with `b_x` free (an E-C2bx witness) and at `b_x ≥ 1` — with the worst scaled
/// margins the run found.
pub fn c2bx_note(out: &crate::evidence::Outcome, pairs: &[(&str, &str)]) -> String {
    let worst = |k: &str| out.search_keyed(k).and_then(|c| c.worst_scaled).map(fmt).unwrap_or_else(|| "–".into());
    let bx = |k: &str| {
        out.search_keyed(k)
            .and_then(|c| c.witness.as_ref())
            .and_then(|w| serde_json::from_value::<OneStepPoint>(w.point.clone()).ok())
            .and_then(|p| crate::claims::search::stats_of(&p.rows, p.r).ok())
            .map(|st| fmt(st.b_x))
            .unwrap_or_else(|| "–".into())
    };
    let parts: Vec<String> = pairs
        .iter()
        .map(|(free, floor)| {
            let id = out.search_keyed(floor).map(|c| c.id.clone()).unwrap_or_default();
            format!(
                "{id}: worst scaled margin {} with b_x free (at b_x = {}), {} at b_x ≥ 1",
                worst(free),
                bx(free),
                worst(floor)
            )
        })
        .collect();
    format!(
        "E-C2bx (Stage 1's erratum, counted under C.2) reappears in Stage 2: the perturbation bounds and the data \
         assumptions multiply C_x by b_x², an upper bound on K_k ≤ C_x(ε_s² + 4rc_(s−1)(1 + c_(s−1))) only when \
         b_x ≥ 1, while the lemmas allow any b_x ≥ max|x| and M_kk ≥ 1/2 allows max|x| down to 1/√2. The \
         adversarial search finds it with b_x = max|x| free; at b_x ≥ 1 (the theorem's b_x = √(2 log(30d²/ρ)) > 1) the \
         same inequality holds. {}.",
        parts.join("; ")
    )
}
