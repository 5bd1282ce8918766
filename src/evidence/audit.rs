//! Layer 1, the hypotheses audit: every hypothesis evaluated at the instantiated constants, both
//! sides kept, and the [`Regime`] of a Monte Carlo check derived from it ([`Regime::of`]).

use serde::{Deserialize, Serialize};

/// A relation between the two sides of a hypothesis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rel {
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
}

impl Rel {
    /// Does `lhs rel rhs` hold? (false if either side is NaN).
    pub fn holds(self, lhs: f64, rhs: f64) -> bool {
        match self {
            Rel::Le => lhs <= rhs,
            Rel::Lt => lhs < rhs,
            Rel::Ge => lhs >= rhs,
            Rel::Gt => lhs > rhs,
        }
    }
    /// Symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Rel::Le => "≤",
            Rel::Lt => "<",
            Rel::Ge => "≥",
            Rel::Gt => ">",
        }
    }
}

/// One hypothesis evaluated at the instantiated constants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    /// Label, e.g. "(H1)".
    pub id: String,
    /// The inequality in words/symbols.
    pub statement: String,
    pub lhs: f64,
    pub rel: Rel,
    pub rhs: f64,
    pub holds: bool,
}

/// A hypotheses audit: a named list of evaluated hypotheses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// Short id, referenced by the checks whose regime it decides.
    pub id: String,
    /// What instance was audited.
    pub title: String,
    pub hypotheses: Vec<Hypothesis>,
}

impl Audit {
    /// An empty audit.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Audit {
        Audit { id: id.into(), title: title.into(), hypotheses: Vec::new() }
    }
    /// Evaluate `lhs rel rhs` and record it; returns whether it holds.
    pub fn check(&mut self, id: &str, statement: &str, lhs: f64, rel: Rel, rhs: f64) -> bool {
        let holds = rel.holds(lhs, rhs);
        self.hypotheses.push(Hypothesis { id: id.into(), statement: statement.into(), lhs, rel, rhs, holds });
        holds
    }
    /// Record a hypothesis that is a plain fact (1 if true, 0 if false, compared `≥ 1`).
    pub fn fact(&mut self, id: &str, statement: &str, holds: bool) -> bool {
        self.check(id, statement, if holds { 1.0 } else { 0.0 }, Rel::Ge, 1.0)
    }
    /// Do all hypotheses hold?
    pub fn all_hold(&self) -> bool {
        self.hypotheses.iter().all(|h| h.holds)
    }
    /// Ids of the hypotheses that fail.
    pub fn failing(&self) -> Vec<String> {
        self.hypotheses.iter().filter(|h| !h.holds).map(|h| h.id.clone()).collect()
    }
}

/// The regime of a Monte Carlo check, decided by an audit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "regime", rename_all = "lowercase")]
pub enum Regime {
    /// Every hypothesis of the statement holds at the instantiated constants.
    Literal { audit: String },
    /// Some hypotheses fail: the check is an extrapolation of the statement.
    Practical { audit: String, failing: Vec<String> },
}

impl Regime {
    /// The regime decided by `audit` (the only constructor).
    pub fn of(audit: &Audit) -> Regime {
        if audit.all_hold() {
            Regime::Literal { audit: audit.id.clone() }
        } else {
            Regime::Practical { audit: audit.id.clone(), failing: audit.failing() }
        }
    }
    /// "literal" or "practical".
    pub fn label(&self) -> &'static str {
        match self {
            Regime::Literal { .. } => "literal",
            Regime::Practical { .. } => "practical",
        }
    }
}
