//! The adversarial searches of the one-step inequalities (Stages 0–2): the admissible set of each
//! inequality as code, a seeded search that minimizes its exact margin over that set, and the
//! reproducible witnesses it writes.
//!
//! A [`Searchable`] is one inequality with
//! * its **admissible set**: a chart `θ ∈ [0, 1]^m → (data, state, constants)` ([`OneStepPoint`])
//!   built so that every chart point is meant to be admissible (the box clamp is the projection),
//!   and the lemma's **hypotheses audit** recomputed at the realised point (a point whose audit
//!   fails is excluded and counted: a non-zero count is reported, and the chart is the bug);
//! * its **exact margin** (2n-outcome enumeration or closed forms, never simulation), scaled;
//! * a **control**: the same search on a deliberately wrong inequality (a halved constant, a
//!   flipped sign), which must find a violation;
//! * the designed exact check it is compared with, and, for a known erratum witness, the designed
//!   witness whose margin the search must reach from random starts.
//!
//! Every stage's `search.rs` lists its searchables; [`registry`] gathers them, so
//! `shape-matters witness FILE` re-verifies a witness from its file alone.
//!
//! # Formula
//! The data family ([`CoupledHadamard`]): `m = 16` Sylvester–Hadamard rows `h_j ∈ {±1}^m`
//! (`h_jᵀh_l = m·1[j = l]`); columns `x_j = α_j h_j` for `j ≠ k` and
//! `x_k = a h_k + c Σ_{j≠k} s_j h_j` with `s_j ∈ [−1, 1]`. Then exactly
//! `M_jj = α_j²`, `M_kk = a² + c² Σ s_j²`, `M_jk = c α_j s_j`, every other `M_jl = 0`, so
//! `C_x = c max_j α_j |s_j|`, the signs `s_j` steer the perturbation `p_k = Σ_j M_jk e_j` to either
//! extreme, and `M_kk`, the column energies and `C_x` are free up to the lemma's limits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::claim::{Budget, Ctx, PerBudget};
use crate::engine::exact::OneStep;
use crate::engine::lanes::PVec;
use crate::engine::model::{Data, DataStats, Problem};
use crate::engine::search::{SearchPlan, minimize};
use crate::error::{Error, Result};
use crate::evidence::{Audit, Margin, Outcome, Provenance, Role, SearchCheck, WITNESS_SCHEMA, Witness};
use crate::numfmt::fmt;

/// The search effort per budget, as tiers of (restarts, Nelder–Mead iterations per restart):
/// `quick` 8 × 300; `default` the same 8 × 300 (bit for bit) and 8 more × 900; `full` those and 112
/// more × 4000. Budgets nest, so a larger budget never finds a less negative margin than a smaller
/// one (the evaluation count, about 1.2 evaluations per iteration plus the compass sweeps, is
/// reported per search).
pub const PLAN: PerBudget<SearchPlan> = PerBudget::new(
    SearchPlan { tiers: &[(8, 300)] },
    SearchPlan { tiers: &[(8, 300), (8, 900)] },
    SearchPlan { tiers: &[(8, 300), (8, 900), (112, 4000)] },
);

/// The plan at `budget`.
pub fn plan(budget: Budget) -> SearchPlan {
    PLAN.at(budget)
}

// ------------------------------------------------------------------------------------------
// Points and the chart
// ------------------------------------------------------------------------------------------

/// One point of a one-step admissible set: data, support size, state, step size and noise, the
/// coordinate the inequality is about, and the lemma's other constants by name. This is what a
/// witness file stores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OneStepPoint {
    /// Support size (support `{0, …, r−1}`).
    pub r: usize,
    /// The data, one row per sample (empty for the scalar inequalities).
    pub rows: Vec<Vec<f64>>,
    /// The state.
    pub v: Vec<f64>,
    pub eta: f64,
    pub delta: f64,
    /// The coordinate the inequality is evaluated at (a per-coordinate inequality).
    pub k: usize,
    /// The lemma's other constants (`c1`, `cap`, `rho`, `c_prev`, …) and scalar variables.
    pub constants: BTreeMap<String, f64>,
}

impl OneStepPoint {
    /// The problem (data and support).
    pub fn problem(&self) -> Result<Problem> {
        Problem::new(Data::from_rows(&self.rows)?, self.r)
    }
    /// The state as a padded vector.
    pub fn state(&self) -> PVec {
        PVec::from_slice(&self.v)
    }
    /// A named constant (NaN when missing, which fails every audit and margin).
    pub fn c(&self, name: &str) -> f64 {
        self.constants.get(name).copied().unwrap_or(f64::NAN)
    }
    /// Set a named constant.
    pub fn set(&mut self, name: &str, value: f64) {
        self.constants.insert(name.to_string(), value);
    }
    /// The one-step law at this point (gradient sign `grad_sign`).
    pub fn one_step<'a>(&self, p: &'a Problem, grad_sign: f64) -> OneStep<'a> {
        OneStep::with_grad_sign(p, &self.state(), self.eta, self.delta, grad_sign)
    }
    /// One line: sizes, the coordinate, `η`, `δ`, the data statistics and the constants.
    pub fn describe(&self) -> String {
        let stats = self.problem().map(|p| p.stats()).ok();
        let mut s = format!(
            "n = {}, d = {}, r = {}, k = {}, v_k = {}, η = {}, δ = {}",
            self.rows.len(),
            self.v.len(),
            self.r,
            self.k,
            self.v.get(self.k).map(|&x| fmt(x)).unwrap_or_else(|| "–".into()),
            fmt(self.eta),
            fmt(self.delta)
        );
        if let Some(st) = stats {
            s.push_str(&format!(
                ", b_x = {}, C_x = {}, M_kk ∈ [{}, {}]",
                fmt(st.b_x),
                fmt(st.c_x),
                fmt(st.min_mkk),
                fmt(st.max_mkk)
            ));
        }
        for (name, v) in &self.constants {
            s.push_str(&format!(", {name} = {}", fmt(*v)));
        }
        s
    }
}

/// Reads the coordinates of `θ ∈ [0, 1]^m` in order; past the end it reads `1/2` and counts, so
/// running a chart once on an empty `θ` gives its dimension ([`Searchable::dim`]).
pub struct Theta<'a> {
    t: &'a [f64],
    used: usize,
}

impl<'a> Theta<'a> {
    /// A reader over `t`.
    pub fn new(t: &'a [f64]) -> Theta<'a> {
        Theta { t, used: 0 }
    }
    /// The next coordinate, in `[0, 1]`.
    pub fn unit(&mut self) -> f64 {
        let x = self.t.get(self.used).copied().unwrap_or(0.5).clamp(0.0, 1.0);
        self.used += 1;
        x
    }
    /// The next coordinate mapped linearly onto `[lo, hi]`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = self.unit();
        (lo + u * (hi - lo)).clamp(lo.min(hi), lo.max(hi))
    }
    /// The next coordinate mapped log-linearly onto `[lo, hi]` (`0 < lo ≤ hi`).
    pub fn log_range(&mut self, lo: f64, hi: f64) -> f64 {
        let u = self.unit();
        (lo.ln() + u * (hi.ln() - lo.ln())).exp().clamp(lo, hi)
    }
    /// The next coordinate as an integer in `lo..=hi`.
    pub fn int(&mut self, lo: usize, hi: usize) -> usize {
        let u = self.unit();
        (lo + (u * (hi - lo + 1) as f64).floor() as usize).min(hi)
    }
    /// The next coordinate mapped onto `[−1, 1]`.
    pub fn sign(&mut self) -> f64 {
        self.range(-1.0, 1.0)
    }
    /// Coordinates read so far.
    pub fn used(&self) -> usize {
        self.used
    }
}

/// Rows of the search data (a power of two: the Sylvester–Hadamard order).
pub const SEARCH_M: usize = 16;
/// Dimension of the search data (every Hadamard column).
pub const SEARCH_D: usize = 16;

/// Sylvester–Hadamard entry `H_ij = (−1)^{popcount(i & j)}`.
pub fn hadamard(i: usize, j: usize) -> f64 {
    if (i & j).count_ones().is_multiple_of(2) { 1.0 } else { -1.0 }
}

/// The coupled-Hadamard data family (module doc): column `k` coupled to every other column with
/// signs `s_j` and strength `c`; the other columns scaled by `α_j`.
#[derive(Clone, Debug, PartialEq)]
pub struct CoupledHadamard {
    pub m: usize,
    pub d: usize,
    /// The coupled column.
    pub k: usize,
    /// Target `M_kk` (the realised `M_kk` is `max(target, c² Σ s_j²)`).
    pub mkk: f64,
    /// Column scales `α_j` (entry `k` unused).
    pub alpha: Vec<f64>,
    /// Coupling signs `s_j ∈ [−1, 1]` (entry `k` unused).
    pub s: Vec<f64>,
    /// Coupling strength `c ≥ 0`.
    pub c: f64,
}

impl CoupledHadamard {
    /// The data rows.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        let ss: f64 = (0..self.d).filter(|&j| j != self.k).map(|j| self.s[j] * self.s[j]).sum();
        let a = (self.mkk - self.c * self.c * ss).max(0.0).sqrt();
        (0..self.m)
            .map(|i| {
                (0..self.d)
                    .map(|j| {
                        if j != self.k {
                            return self.alpha[j] * hadamard(i, j);
                        }
                        let mut x = a * hadamard(i, self.k);
                        for l in 0..self.d {
                            if l != self.k {
                                x += self.c * self.s[l] * hadamard(i, l);
                            }
                        }
                        x
                    })
                    .collect()
            })
            .collect()
    }
    /// `C_x` of the family in closed form: `c max_{j≠k} α_j |s_j|`.
    pub fn c_x(&self) -> f64 {
        (0..self.d).filter(|&j| j != self.k).map(|j| self.c * self.alpha[j] * self.s[j].abs()).fold(0.0, f64::max)
    }
    /// `b_x = max|x|`: the largest `α_j` (`|h_ij| = 1`) against the largest entry of column `k`
    /// (computed entry by entry, as in [`CoupledHadamard::rows`]).
    pub fn b_x(&self) -> f64 {
        let ss: f64 = (0..self.d).filter(|&j| j != self.k).map(|j| self.s[j] * self.s[j]).sum();
        let a = (self.mkk - self.c * self.c * ss).max(0.0).sqrt();
        let mut b = (0..self.d).filter(|&j| j != self.k).map(|j| self.alpha[j].abs()).fold(0.0f64, f64::max);
        for i in 0..self.m {
            let mut x = a * hadamard(i, self.k);
            for l in 0..self.d {
                if l != self.k {
                    x += self.c * self.s[l] * hadamard(i, l);
                }
            }
            b = b.max(x.abs());
        }
        b
    }
    /// The data statistics in closed form (no data matrix product): `b_x` from the rows, `C_x`,
    /// `min/max M_jj` from the Gram matrix of the module doc.
    pub fn stats(&self) -> DataStats {
        let ss: f64 = (0..self.d).filter(|&j| j != self.k).map(|j| self.s[j] * self.s[j]).sum();
        let mkk = self.mkk.max(self.c * self.c * ss);
        let (mut mn, mut mx) = (mkk, mkk);
        for j in (0..self.d).filter(|&j| j != self.k) {
            let e = self.alpha[j] * self.alpha[j];
            mn = mn.min(e);
            mx = mx.max(e);
        }
        DataStats { b_x: self.b_x(), c_x: self.c_x(), min_mkk: mn, max_mkk: mx }
    }
    /// The largest coupling strength `c ∈ [0, c_hi]` with `ok(self with c)` (bisection; `ok` must
    /// be monotone: true on `[0, c*]`, false above). Returns 0 when even `c = 0` fails.
    pub fn largest_coupling(&self, c_hi: f64, ok: impl Fn(&CoupledHadamard) -> bool) -> f64 {
        let at = |c: f64| CoupledHadamard { c, ..self.clone() };
        if !ok(&at(0.0)) {
            return 0.0;
        }
        if ok(&at(c_hi)) {
            return c_hi;
        }
        let (mut lo, mut hi) = (0.0, c_hi);
        for _ in 0..BISECTION_STEPS {
            let mid = 0.5 * (lo + hi);
            if ok(&at(mid)) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// A fresh audit of `lemma`'s admissible set (designed data).
pub fn set_audit(lemma: &str) -> Audit {
    Audit::new(format!("search-{lemma}"), format!("Lemma {lemma} admissible set")).on_designed_data()
}

/// The audit of a point by `with`, given its data statistics recomputed from its rows; a point
/// whose rows do not form a data set with `r ≤ d` columns and `d = dim ṽ` fails it.
pub fn audit_rows(lemma: &str, p: &OneStepPoint, with: impl FnOnce(&DataStats) -> Audit) -> Audit {
    let d = p.v.len();
    match stats_of(&p.rows, p.r) {
        Ok(stats) if p.rows.first().is_some_and(|row| row.len() == d) => with(&stats),
        _ => {
            let mut a = set_audit(lemma);
            a.fact("data", "the rows form a valid data set with r ≤ d columns, d = dim ṽ", false);
            a
        }
    }
}

/// Bisection steps for the largest admissible coupling (relative precision `2^−40`).
pub const BISECTION_STEPS: usize = 40;

/// Data statistics of a point's rows (`b_x`, `C_x`, `M_kk` range).
pub fn stats_of(rows: &[Vec<f64>], r: usize) -> Result<DataStats> {
    Ok(Problem::new(Data::from_rows(rows)?, r)?.stats())
}

// ------------------------------------------------------------------------------------------
// Searchables
// ------------------------------------------------------------------------------------------

/// The chart of an admissible set: `θ` (read through [`Theta`]) → a point, or `None`.
pub type Chart = dyn Fn(&mut Theta<'_>) -> Option<OneStepPoint> + Send + Sync;
/// The hypotheses audit of a point.
pub type AuditFn = dyn Fn(&OneStepPoint) -> Audit + Send + Sync;
/// The exact margin of a point (and where, e.g. the coordinate), or `None` where the inequality
/// does not apply.
pub type MarginFn = dyn Fn(&OneStepPoint) -> Option<(Margin, String)> + Send + Sync;

/// One inequality with its admissible set, its margin, its control and what it is compared with.
pub struct Searchable {
    pub claim: &'static str,
    /// Stable key of the search (the control's is [`control_key`](crate::evidence::control_key) of it).
    pub key: String,
    pub id: String,
    pub statement: String,
    pub role: Role,
    pub threshold: Provenance,
    /// The admissible set in words (state, data, constants).
    pub admissible: String,
    pub chart: Box<Chart>,
    pub audit: Box<AuditFn>,
    pub margin: Box<MarginFn>,
    /// The deliberately wrong variant: its name and margin (searched over the same set).
    pub control: Option<(String, Box<MarginFn>)>,
    /// Key of the exact check of the same inequality at the designed states.
    pub designed: Option<String>,
    /// Key of the designed erratum witness the search must rediscover (reach its margin).
    pub rediscover: Option<String>,
}

impl Searchable {
    /// A searchable with no control and no comparison yet.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        claim: &'static str,
        key: impl Into<String>,
        id: impl Into<String>,
        statement: impl Into<String>,
        role: Role,
        threshold: Provenance,
        admissible: impl Into<String>,
        chart: Box<Chart>,
        audit: Box<AuditFn>,
        margin: Box<MarginFn>,
    ) -> Searchable {
        Searchable {
            claim,
            key: key.into(),
            id: id.into(),
            statement: statement.into(),
            role,
            threshold,
            admissible: admissible.into(),
            chart,
            audit,
            margin,
            control: None,
            designed: None,
            rediscover: None,
        }
    }
    /// With its deliberately wrong variant.
    pub fn with_control(mut self, variant: impl Into<String>, margin: Box<MarginFn>) -> Searchable {
        self.control = Some((variant.into(), margin));
        self
    }
    /// Compared with the exact check keyed `key` (the designed states).
    pub fn compared_with(mut self, key: impl Into<String>) -> Searchable {
        self.designed = Some(key.into());
        self
    }
    /// Must rediscover the designed witness keyed `key`.
    pub fn rediscovers(mut self, key: impl Into<String>) -> Searchable {
        self.rediscover = Some(key.into());
        self
    }
    /// The chart's dimension.
    pub fn dim(&self) -> usize {
        let mut t = Theta::new(&[]);
        let _ = (self.chart)(&mut t);
        t.used()
    }
    /// The admissible point at `θ` (chart, then audit), or `None`.
    pub fn point(&self, theta: &[f64]) -> Option<OneStepPoint> {
        let p = (self.chart)(&mut Theta::new(theta))?;
        if (self.audit)(&p).all_hold() { Some(p) } else { None }
    }
}

/// The scaled value of a margin.
fn scaled(m: &Margin) -> f64 {
    if m.scale > 0.0 { m.margin / m.scale } else { m.margin }
}

/// The search's objective at a margin: its scaled value, or `None` (the point is excluded, like
/// one that fails its audit) when the margin is decided by rounding
/// ([`crate::evidence::exact::decided_by_rounding`]: within a few ulps of the terms it is computed
/// from). Such a margin's sign carries no information, so it must neither attract the search (as
/// a spurious negative value did: with fused multiply-adds, C.2's quick search for (38) ended at
/// η = 1.8e−25, δ = 3.2e8, where a margin of −2.7e−33 is far below the rounding of the terms
/// summed into (Me)_k) nor trap it on a plateau of zeros.
fn objective(m: &Margin) -> Option<f64> {
    if crate::evidence::exact::decided_by_rounding(Some(m.margin), m.magnitude) { None } else { Some(scaled(m)) }
}

/// The hypotheses of an audit in one line, `id lhs rel rhs`.
pub fn audit_line(a: &Audit) -> String {
    a.hypotheses
        .iter()
        .map(|h| format!("{} {} {} {}", h.id, fmt(h.lhs), h.rel.symbol(), fmt(h.rhs)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Search one margin over `s`'s admissible set; returns the check (without role/id details,
/// filled by the caller) and the witness data.
fn search_one(ctx: &Ctx, s: &Searchable, margin: &MarginFn, key: &str, mut check: SearchCheck) -> SearchCheck {
    let plan = plan(ctx.budget);
    let purpose = format!("search/{key}");
    let f = |theta: &[f64]| -> Option<f64> {
        let p = s.point(theta)?;
        let (m, _) = margin(&p)?;
        objective(&m)
    };
    let found = minimize(&ctx.runner, "search", s.dim(), plan, &|j| ctx.stream(s.claim, &purpose, j as u64), &f);
    check.restarts = plan.restarts() as u64;
    check.evaluations = found.evaluations;
    check.inadmissible = found.inadmissible;
    if let Some(theta) = &found.theta
        && let Some(p) = s.point(theta)
        && let Some((m, at)) = margin(&p)
    {
        let sc = scaled(&m);
        check.worst_scaled = Some(sc);
        check.worst_margin = Some(m.margin);
        check.worst_magnitude = m.magnitude;
        let audit = (s.audit)(&p);
        check.worst_at =
            format!("{} [{at}; restart {}; hypotheses: {}]", p.describe(), found.restart, audit_line(&audit));
        // A witness is a violation beyond rounding (an equality decided by rounding is none).
        if check.violated() {
            let w = Witness {
                schema: WITNESS_SCHEMA.into(),
                claim: s.claim.into(),
                key: key.into(),
                id: check.id.clone(),
                statement: check.statement.clone(),
                point: serde_json::to_value(&p).unwrap_or(serde_json::Value::Null),
                margin: m.margin,
                scale: m.scale,
                scaled: sc,
                found_by: format!(
                    "search seed {}, budget {}, restart {} of {}, {} evaluations",
                    ctx.seed,
                    ctx.budget.name(),
                    found.restart,
                    plan.restarts(),
                    found.evaluations
                ),
            };
            check.witness_file = Some(w.file_name());
            check.witness = Some(w);
        }
    }
    check
}

/// Run the searches of `list` (after the claim's exact layer, whose designed checks they are
/// compared with) and push them, each followed by its control, into `out.search`.
pub fn run_searches(ctx: &Ctx, out: &mut Outcome, list: &[Searchable]) {
    for s in list {
        let mut check =
            SearchCheck::new(format!("search: {}", s.id), s.statement.clone(), s.role.clone(), s.admissible.clone())
                .keyed(s.key.clone());
        check.threshold = s.threshold;
        if let Some(k) = &s.designed
            && let Some(c) = out.exact_keyed(k)
        {
            check.designed = c.worst_scaled;
            check.designed_of = Some(c.id.clone());
        }
        if let Some(k) = &s.rediscover
            && let Some(c) = out.exact_keyed(k)
        {
            check.rediscover = c.worst_scaled;
            if check.designed_of.is_none() {
                check.designed = c.worst_scaled;
                check.designed_of = Some(c.id.clone());
            }
        }
        let check = search_one(ctx, s, &*s.margin, &s.key, check);
        let control = s.control.as_ref().map(|(variant, m)| {
            let c = SearchCheck::control_for(&check, variant.clone());
            let key = c.key.clone();
            search_one(ctx, s, &**m, &key, c)
        });
        out.search.push(check);
        out.search.extend(control);
    }
}

// ------------------------------------------------------------------------------------------
// The registry and re-verification from a file
// ------------------------------------------------------------------------------------------

/// Every searchable of every stage (closures only: cheap to build).
pub fn registry() -> Vec<Searchable> {
    let mut v = Vec::new();
    v.extend(super::stage0::search::searchables());
    v.extend(super::stage1::search::searchables());
    v.extend(super::stage2::search::searchables());
    v
}

/// What re-verifying a witness file gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Reverified {
    /// The hypotheses audit at the file's point.
    pub audit: Audit,
    /// The margin recomputed from the file, and where.
    pub margin: Margin,
    pub at: String,
    /// The file's point in one line.
    pub point: String,
}

impl Reverified {
    /// Every hypothesis holds and the recomputed margin is negative.
    pub fn is_witness(&self) -> bool {
        self.audit.all_hold() && self.margin.margin < 0.0
    }
}

/// Parse a witness file's text (`origin` names the file in errors).
pub fn parse_witness(text: &str, origin: &str) -> Result<Witness> {
    let w: Witness = serde_json::from_str(text).map_err(|e| Error::Data {
        path: origin.into(),
        line: Some(e.line()),
        message: format!("not a witness: {e}"),
    })?;
    if w.schema != WITNESS_SCHEMA {
        return Err(Error::Data {
            path: origin.into(),
            line: None,
            message: format!("schema '{}', expected '{WITNESS_SCHEMA}'", w.schema),
        });
    }
    Ok(w)
}

/// Recompute a witness's audit and margin from the witness alone (its point, the inequality named
/// by its claim and key).
pub fn reverify(w: &Witness, origin: &str) -> Result<Reverified> {
    let bad = |message: String| Error::Data { path: origin.into(), line: None, message };
    let point: OneStepPoint =
        serde_json::from_value(w.point.clone()).map_err(|e| bad(format!("malformed point: {e}")))?;
    if point.v.iter().chain(point.rows.iter().flatten()).any(|x| !x.is_finite())
        || !point.eta.is_finite()
        || !point.delta.is_finite()
    {
        return Err(bad("the point has a non-finite entry".into()));
    }
    let reg = registry();
    let base = w.key.strip_suffix("!control").unwrap_or(&w.key);
    let s = reg
        .iter()
        .find(|s| s.claim == w.claim && s.key == base)
        .ok_or_else(|| bad(format!("no searchable inequality keyed '{}' in claim '{}'", w.key, w.claim)))?;
    let margin: &MarginFn = if base == w.key {
        &*s.margin
    } else {
        &**s.control.as_ref().map(|(_, m)| m).ok_or_else(|| bad(format!("'{base}' has no control")))?
    };
    if !point.rows.is_empty() {
        point.problem().map_err(|e| bad(format!("invalid data or support: {e}")))?;
    }
    let audit = (s.audit)(&point);
    let (m, at) = margin(&point).ok_or_else(|| bad("the inequality does not apply at this point".into()))?;
    Ok(Reverified { audit, margin: m, at, point: point.describe() })
}
