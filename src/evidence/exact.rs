//! Layer 2, exact one-step checks: an inequality evaluated at many states, the worst margin kept
//! with the state where it occurs.

use serde::{Deserialize, Serialize};

use super::Role;
use crate::engine::lanes::PVec;

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
}

impl ExactCheck {
    /// A new check with no states yet.
    pub fn new(id: impl Into<String>, statement: impl Into<String>, role: Role) -> ExactCheck {
        ExactCheck {
            key: String::new(),
            id: id.into(),
            statement: statement.into(),
            role,
            states: 0,
            violations: 0,
            worst_margin: None,
            worst_scaled: None,
            worst_at: String::new(),
        }
    }
    /// The same check with its stable key.
    pub fn keyed(mut self, key: impl Into<String>) -> ExactCheck {
        self.key = key.into();
        self
    }
    /// Record a [`Margin`] (the worst is by scaled margin).
    pub fn record_margin(&mut self, m: Margin, at: impl FnOnce() -> String) {
        self.record_scaled(m.margin, m.scale, at)
    }
    /// Record a margin (scale 1).
    pub fn record(&mut self, margin: f64, at: impl FnOnce() -> String) {
        self.record_scaled(margin, 1.0, at)
    }
    /// Record a margin and its natural scale; the worst is by scaled margin. A NaN margin counts
    /// as a violation.
    pub fn record_scaled(&mut self, margin: f64, scale: f64, at: impl FnOnce() -> String) {
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
        }
    }
    /// Did the inequality hold at every state?
    pub fn holds(&self) -> bool {
        self.states > 0 && self.violations == 0
    }
    /// Did the check come out as its role requires (holds for primary/repair, fails for
    /// control/witness)?
    pub fn as_expected(&self) -> bool {
        if self.role.must_fail() { self.violations > 0 } else { self.holds() }
    }
}

/// A check's stable key with an instance tag, e.g. `key("C2.2", "typical")` = `"C2.2@typical"`:
/// one inequality checked on several instances has one key per instance.
pub fn key(base: &str, tag: &str) -> String {
    format!("{base}@{tag}")
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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Margin {
    pub margin: f64,
    pub scale: f64,
}

impl Margin {
    /// A margin with its natural scale.
    pub fn scaled(margin: f64, scale: f64) -> Margin {
        Margin { margin, scale }
    }
    /// A scale-free margin.
    pub fn plain(margin: f64) -> Margin {
        Margin { margin, scale: 1.0 }
    }
}

/// One entry of an exact table: a stable key, the printed id and statement, the role, and the
/// margin closure. `F` is the closure's signature, which is the stage's own (Stage 1 evaluates at
/// `(one-step law, instance, k)`, Stage 2 at `(one-step law, k)`, …); the form of the entry is the
/// same everywhere.
pub struct Ineq<F: ?Sized> {
    pub key: &'static str,
    pub id: String,
    pub statement: String,
    pub role: Role,
    pub eval: Box<F>,
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
        Ineq { key, id: id.into(), statement: statement.into(), role, eval }
    }
    /// A fresh check for this entry (no states yet), keyed.
    pub fn check(&self) -> ExactCheck {
        ExactCheck::new(self.id.clone(), self.statement.clone(), self.role.clone()).keyed(self.key)
    }
}
