//! Layer 2, exact one-step checks: an inequality evaluated at many states, the worst margin kept
//! with the state where it occurs.

use serde::{Deserialize, Serialize};

use super::{Provenance, Role};
use crate::engine::lanes::PVec;
use crate::tol;

/// What an exact check is: a check that could fail (counted, and it needs a failing control), or a
/// computed fact (an identity or something true by construction: shown, never counted).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "kebab-case")]
pub enum ExactClass {
    /// An inequality that could fail at the evaluated states.
    #[default]
    Check,
    /// True by construction; `why` says why it cannot fail.
    Computed { why: String },
}

/// An inequality checked exactly at many states (margin ≥ 0 means it holds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExactCheck {
    /// Stable key the code and tests look the check up by ([`key`]); not serialized, so the
    /// reports and snapshots show only the printed id.
    #[serde(skip)]
    pub key: String,
    /// Label, e.g. "(B4.2)".
    pub id: String,
    /// The inequality, with the side convention of the margin.
    pub statement: String,
    pub role: Role,
    /// A check that could fail, or a computed fact.
    #[serde(default)]
    pub class: ExactClass,
    /// Where the inequality's constants come from.
    #[serde(default)]
    pub threshold: Provenance,
    /// For a control: the printed id of the check it is the deliberately wrong variant of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_of: Option<String>,
    /// For a control: the key of that check (not serialized).
    #[serde(skip)]
    pub control_of_key: String,
    /// Number of states (or grid points) evaluated.
    pub states: u64,
    /// States where the margin is negative.
    pub violations: u64,
    /// Smallest margin found.
    pub worst_margin: Option<f64>,
    /// Smallest margin divided by the check's natural scale (e.g. `(ηδ)²`), if given.
    pub worst_scaled: Option<f64>,
    /// Description of the state with the smallest margin.
    pub worst_at: String,
    /// Magnitude of the compared sides at the worst state (`max(|lhs|, |rhs|)`), when known: a
    /// worst margin within [`tol::EQUALITY_BY_ROUNDING_ULPS`] ulps of it is an equality decided
    /// by rounding, not a pass or a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_magnitude: Option<f64>,
}

impl ExactCheck {
    /// A new check with no states yet.
    pub fn new(id: impl Into<String>, statement: impl Into<String>, role: Role) -> ExactCheck {
        ExactCheck {
            key: String::new(),
            id: id.into(),
            statement: statement.into(),
            role,
            class: ExactClass::Check,
            threshold: Provenance::Unlabelled,
            control_of: None,
            control_of_key: String::new(),
            states: 0,
            violations: 0,
            worst_margin: None,
            worst_scaled: None,
            worst_at: String::new(),
            worst_magnitude: None,
        }
    }
    /// A deliberately wrong variant of `target` (a perturbed constant, sign, state or data) that
    /// the same code must flag: role [`Role::Control`], linked to `target` by key and id, keyed
    /// `"<target key>!control"`.
    pub fn control_for(target: &ExactCheck, variant: impl Into<String>) -> ExactCheck {
        let variant = variant.into();
        let mut c = ExactCheck::new(
            format!("{} [control: {variant}]", target.id),
            target.statement.clone(),
            Role::Control { variant },
        )
        .keyed(control_key(&target.key));
        c.control_of = Some(target.id.clone());
        c.control_of_key = target.key.clone();
        c.threshold = target.threshold;
        c
    }
    /// The same check, as a computed fact (true by construction; shown, never counted).
    pub fn computed(mut self, why: impl Into<String>) -> ExactCheck {
        self.class = ExactClass::Computed { why: why.into() };
        self
    }
    /// The same check with the provenance of its constants.
    pub fn threshold(mut self, p: Provenance) -> ExactCheck {
        self.threshold = p;
        self
    }
    /// Is it counted (a check that could fail, not a computed fact)?
    pub fn counted(&self) -> bool {
        self.class == ExactClass::Check
    }
    /// Is the worst margin within a few ulps of 0 (an exact 0, or within
    /// [`tol::EQUALITY_BY_ROUNDING_ULPS`] ulps of the magnitude of the compared sides)? Then the
    /// check is an equality decided by rounding, reported as such: not a pass, not a failure.
    pub fn equality_by_rounding(&self) -> bool {
        decided_by_rounding(self.worst_margin, self.worst_magnitude)
    }
    /// "holds", "equality (by rounding)", "VIOLATED" or "no states".
    pub fn result(&self) -> &'static str {
        if self.states == 0 {
            "no states"
        } else if self.equality_by_rounding() {
            "equality (by rounding)"
        } else if self.violations == 0 {
            "holds"
        } else {
            "VIOLATED"
        }
    }
    /// The same check with its stable key.
    pub fn keyed(mut self, key: impl Into<String>) -> ExactCheck {
        self.key = key.into();
        self
    }
    /// Record a [`Margin`] (the worst is by scaled margin).
    pub fn record_margin(&mut self, m: Margin, at: impl FnOnce() -> String) {
        self.record_full(m.margin, m.scale, m.magnitude, at)
    }
    /// Record a margin (scale 1).
    pub fn record(&mut self, margin: f64, at: impl FnOnce() -> String) {
        self.record_scaled(margin, 1.0, at)
    }
    /// Record a margin and its natural scale; the worst is by scaled margin. A NaN margin counts
    /// as a violation.
    pub fn record_scaled(&mut self, margin: f64, scale: f64, at: impl FnOnce() -> String) {
        self.record_full(margin, scale, None, at)
    }
    /// Record a yes/no fact decided exactly (an integer or bitwise comparison): margin +1 when it
    /// holds, −1 when it fails. Never 0, which would read as an equality decided by rounding.
    pub fn record_holds(&mut self, holds: bool, at: impl FnOnce() -> String) {
        self.record(if holds { 1.0 } else { -1.0 }, at)
    }
    /// Record `lhs ≤ rhs` (margin `rhs − lhs`, scale 1), keeping the sides' magnitude so that an
    /// equality decided by rounding is recognised.
    pub fn record_le(&mut self, lhs: f64, rhs: f64, at: impl FnOnce() -> String) {
        self.record_margin(Margin::le(lhs, rhs), at)
    }
    fn record_full(&mut self, margin: f64, scale: f64, magnitude: Option<f64>, at: impl FnOnce() -> String) {
        self.states += 1;
        // NaN counts as a violation.
        let bad = margin.is_nan() || margin < 0.0;
        if bad {
            self.violations += 1;
        }
        let scaled = if scale > 0.0 { margin / scale } else { margin };
        let worse = match self.worst_scaled {
            None => true,
            // A NaN scaled margin is the worst (the stored worst is never NaN).
            Some(w) => scaled.is_nan() || scaled < w,
        };
        if worse {
            self.worst_margin = Some(if margin.is_nan() { f64::NEG_INFINITY } else { margin });
            self.worst_scaled = Some(if scaled.is_nan() { f64::NEG_INFINITY } else { scaled });
            self.worst_at = at();
            self.worst_magnitude = magnitude;
        }
    }
    /// Merge another check's records (same inequality).
    pub fn merge(&mut self, other: &ExactCheck) {
        self.states += other.states;
        self.violations += other.violations;
        if let Some(ws) = other.worst_scaled
            && self.worst_scaled.is_none_or(|w| ws < w)
        {
            self.worst_scaled = Some(ws);
            self.worst_margin = other.worst_margin;
            self.worst_at = other.worst_at.clone();
            self.worst_magnitude = other.worst_magnitude;
        }
    }
    /// Did the inequality hold at every state?
    pub fn holds(&self) -> bool {
        self.states > 0 && self.violations == 0
    }
    /// Did the check come out as its role requires (holds for primary/repair, fails for
    /// control/witness)? A failure by rounding (worst margin within a few ulps of 0) is not a
    /// failure.
    pub fn as_expected(&self) -> bool {
        if self.role.must_fail() { self.violations > 0 && !self.equality_by_rounding() } else { self.holds() }
    }
}

/// Is `margin` an equality decided by rounding: exactly 0, or within
/// [`tol::EQUALITY_BY_ROUNDING_ULPS`] ulps of `magnitude` (the size of the compared sides)? The one
/// rule for exact checks and searches.
pub fn decided_by_rounding(margin: Option<f64>, magnitude: Option<f64>) -> bool {
    match margin {
        Some(m) if m.is_finite() => {
            m == 0.0 || magnitude.is_some_and(|g| m.abs() <= tol::EQUALITY_BY_ROUNDING_ULPS * f64::EPSILON * g.abs())
        }
        _ => false,
    }
}

/// A check's stable key with an instance tag, e.g. `key("C2.2", "typical")` = `"C2.2@typical"`:
/// one inequality checked on several instances has one key per instance.
pub fn key(base: &str, tag: &str) -> String {
    format!("{base}@{tag}")
}

/// The key of the control of the check keyed `target`: `"<target>!control"`.
pub fn control_key(target: &str) -> String {
    format!("{target}!control")
}

/// A state at which exact checks are evaluated: the vector, the family it comes from (a chain
/// snapshot, a random or adversarial construction, a boundary point, …) and a label saying how it
/// was built. Every stage uses this one type.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub v: PVec,
    pub family: &'static str,
    pub label: String,
}

impl State {
    /// A state of `family` with `label`.
    pub fn new(v: PVec, family: &'static str, label: impl Into<String>) -> State {
        State { v, family, label: label.into() }
    }
}

/// A margin (≥ 0 when the inequality holds) and the natural scale it is divided by when states
/// are compared (e.g. `(ηδ)²`; 1 when the margin is already scale-free).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize, Default)]
pub struct Margin {
    pub margin: f64,
    pub scale: f64,
    /// `max(|lhs|, |rhs|)` when known (see [`ExactCheck::equality_by_rounding`]).
    pub magnitude: Option<f64>,
}

impl Margin {
    /// A margin with its natural scale.
    pub fn scaled(margin: f64, scale: f64) -> Margin {
        Margin { margin, scale, magnitude: None }
    }
    /// A scale-free margin.
    pub fn plain(margin: f64) -> Margin {
        Margin { margin, scale: 1.0, magnitude: None }
    }
    /// The margin of `lhs ≤ rhs`: `rhs − lhs`, with the sides' magnitude kept.
    pub fn le(lhs: f64, rhs: f64) -> Margin {
        Margin { margin: rhs - lhs, scale: 1.0, magnitude: Some(lhs.abs().max(rhs.abs())) }
    }
    /// The same margin with the magnitude of the compared sides.
    pub fn with_magnitude(mut self, magnitude: f64) -> Margin {
        self.magnitude = Some(magnitude);
        self
    }
    /// The same margin with a natural scale.
    pub fn with_scale(mut self, scale: f64) -> Margin {
        self.scale = scale;
        self
    }
}

/// One entry of an exact table: a stable key, the printed id and statement, the role, the
/// provenance of its constants, the margin closure and, for a check that could fail, its control:
/// the same closure's deliberately wrong variant, evaluated by the same loop at the same states.
/// `F` is the closure's signature, which is the stage's own (Stage 1 evaluates at `(one-step law,
/// instance, k)`, Stage 2 at `(one-step law, k)`, …); the form of the entry is the same everywhere.
pub struct Ineq<F: ?Sized> {
    pub key: &'static str,
    pub id: String,
    pub statement: String,
    pub role: Role,
    pub threshold: Provenance,
    /// Computed fact (never counted): why it cannot fail.
    pub computed: Option<String>,
    pub eval: Box<F>,
    /// The control: its variant's name and margin closure.
    pub control: Option<(String, Box<F>)>,
}

impl<F: ?Sized> Ineq<F> {
    /// An entry.
    pub fn new(
        key: &'static str,
        id: impl Into<String>,
        statement: impl Into<String>,
        role: Role,
        eval: Box<F>,
    ) -> Ineq<F> {
        Ineq {
            key,
            id: id.into(),
            statement: statement.into(),
            role,
            threshold: Provenance::Unlabelled,
            computed: None,
            eval,
            control: None,
        }
    }
    /// The same entry with the provenance of its constants.
    pub fn threshold(mut self, p: Provenance) -> Ineq<F> {
        self.threshold = p;
        self
    }
    /// The same entry with its control: `variant` names the deliberate error, `eval` computes the
    /// wrong margin (which must come out negative somewhere).
    pub fn with_control(mut self, variant: impl Into<String>, eval: Box<F>) -> Ineq<F> {
        self.control = Some((variant.into(), eval));
        self
    }
    /// The same entry as a computed fact.
    pub fn computed(mut self, why: impl Into<String>) -> Ineq<F> {
        self.computed = Some(why.into());
        self
    }
    /// A fresh check for this entry (no states yet), keyed.
    pub fn check(&self) -> ExactCheck {
        let mut c = ExactCheck::new(self.id.clone(), self.statement.clone(), self.role.clone())
            .keyed(self.key)
            .threshold(self.threshold);
        if let Some(why) = &self.computed {
            c = c.computed(why.clone());
        }
        c
    }
    /// A fresh check for this entry's control, if it has one.
    pub fn control_check(&self) -> Option<ExactCheck> {
        self.control.as_ref().map(|(variant, _)| ExactCheck::control_for(&self.check(), variant.clone()))
    }
}
