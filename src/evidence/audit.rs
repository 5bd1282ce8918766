//! Layer 1, the hypotheses audit: every hypothesis evaluated at the instantiated constants, both
//! sides kept; the [`Class`] of a statement check is derived from it ([`Class::of`]). Also the
//! [`Provenance`] of a threshold.

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

/// Where the data of an audited instance come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Data {
    /// Drawn from the paper's distribution (x ~ N(0, I_d), or the statement's own random model).
    #[default]
    Paper,
    /// Deterministic data built to meet the hypotheses (e.g. a Hadamard design).
    Designed,
}

/// A hypotheses audit: a named list of evaluated hypotheses, and where the instance's data come
/// from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Audit {
    /// Short id, referenced by the checks whose class it decides.
    pub id: String,
    /// What instance was audited.
    pub title: String,
    /// The instance's data: the paper's distribution or designed.
    #[serde(default)]
    pub data: Data,
    pub hypotheses: Vec<Hypothesis>,
}

impl Audit {
    /// An empty audit of an instance whose data come from the paper's distribution.
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Audit {
        Audit { id: id.into(), title: title.into(), data: Data::Paper, hypotheses: Vec::new() }
    }
    /// The same audit, for an instance on designed (deterministic) data.
    pub fn on_designed_data(mut self) -> Audit {
        self.data = Data::Designed;
        self
    }
    /// Evaluate `lhs rel rhs` and record it; returns whether it holds.
    ///
    /// A side that is not finite in f64 (an overflow such as `1/δ²` at `δ = 1e-308`, or NaN) is
    /// decided on its true value (`+∞ ≤ x` fails, NaN fails), recorded as `±f64::MAX` so that no
    /// report or JSON carries a non-finite number, and named in the statement.
    pub fn check(&mut self, id: &str, statement: &str, lhs: f64, rel: Rel, rhs: f64) -> bool {
        let holds = rel.holds(lhs, rhs);
        let mut statement = statement.to_string();
        let mut finite = |x: f64, side: &str| {
            if x.is_finite() {
                return x;
            }
            let what = if x.is_nan() {
                "undefined (NaN)"
            } else if x > 0.0 {
                "+∞ (overflow)"
            } else {
                "−∞ (overflow)"
            };
            statement.push_str(&format!(" [{side} is {what} in f64; shown as ±f64::MAX]"));
            if x < 0.0 { -f64::MAX } else { f64::MAX }
        };
        let (lhs, rhs) = (finite(lhs, "lhs"), finite(rhs, "rhs"));
        self.hypotheses.push(Hypothesis { id: id.into(), statement, lhs, rel, rhs, holds });
        holds
    }
    /// Record a hypothesis that is a fact computed in code (1 if true, 0 if false, compared `≥ 1`).
    /// Never pass a constant: the argument must be computed from the instance.
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

/// What a check tests (the taxonomy of the evidence model). A statement check's class is decided by
/// an audit ([`Class::of`]); supporting and computed facts say what they are.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "class", rename_all = "kebab-case")]
pub enum Class {
    /// *statement, literal*: the statement's conclusion at an instance where the audit shows every
    /// hypothesis holds, on data from the paper's distribution.
    Literal { audit: String },
    /// *statement, literal on designed data*: the same, on deterministic data meeting the hypotheses.
    Designed { audit: String },
    /// *statement, practical*: some hypotheses fail; the check is an extrapolation.
    Practical { audit: String, failing: Vec<String> },
    /// *supporting fact*: an exact law or cross-check the proof or the project relies on (Wendel's
    /// law, the Z_R growth law, a reduction, an LP certificate); not the statement itself.
    Supporting { fact: String },
    /// *computed fact*: an identity or something true by construction. Shown, never counted.
    Computed { why: String },
}

impl Class {
    /// The class of a statement check decided by `audit`: literal (or literal on designed data)
    /// iff every hypothesis holds, else practical.
    pub fn of(audit: &Audit) -> Class {
        match (audit.all_hold(), audit.data) {
            (true, Data::Paper) => Class::Literal { audit: audit.id.clone() },
            (true, Data::Designed) => Class::Designed { audit: audit.id.clone() },
            (false, _) => Class::Practical { audit: audit.id.clone(), failing: audit.failing() },
        }
    }
    /// A supporting fact.
    pub fn supporting(fact: impl Into<String>) -> Class {
        Class::Supporting { fact: fact.into() }
    }
    /// A computed fact (true by construction; never counted).
    pub fn computed(why: impl Into<String>) -> Class {
        Class::Computed { why: why.into() }
    }
    /// Short label: "literal", "designed", "practical", "supporting", "computed".
    pub fn label(&self) -> &'static str {
        match self {
            Class::Literal { .. } => "literal",
            Class::Designed { .. } => "designed",
            Class::Practical { .. } => "practical",
            Class::Supporting { .. } => "supporting",
            Class::Computed { .. } => "computed",
        }
    }
    /// The taxonomy's full name, e.g. "statement, literal on designed data".
    pub fn name(&self) -> &'static str {
        match self {
            Class::Literal { .. } => "statement, literal",
            Class::Designed { .. } => "statement, literal on designed data",
            Class::Practical { .. } => "statement, practical",
            Class::Supporting { .. } => "supporting fact",
            Class::Computed { .. } => "computed fact",
        }
    }
    /// Is it a check of the statement (literal, designed or practical)?
    pub fn is_statement(&self) -> bool {
        matches!(self, Class::Literal { .. } | Class::Designed { .. } | Class::Practical { .. })
    }
    /// Does the statement's every hypothesis hold (literal or literal on designed data)?
    pub fn is_literal(&self) -> bool {
        matches!(self, Class::Literal { .. } | Class::Designed { .. })
    }
}

/// Where a threshold or level comes from. Printed with every check; an exploratory threshold was
/// chosen after looking at data, and its check is reported but never counted toward a verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Provenance {
    /// Printed in the paper (a bound, a constant, a probability level).
    Paper,
    /// Derived from the paper's proof (a constant the proof fixes, an intermediate bound).
    Derived,
    /// A rule the project stated before any run (e.g. an equivalence margin of 0.02 for exact laws).
    PreStated,
    /// Chosen after looking at pilot runs: reported, never counted.
    Exploratory,
    /// Not labelled yet (a test fails on it).
    #[default]
    Unlabelled,
}

impl Provenance {
    /// "paper", "derived", "pre-stated", "exploratory", "UNLABELLED".
    pub fn label(self) -> &'static str {
        match self {
            Provenance::Paper => "paper",
            Provenance::Derived => "derived",
            Provenance::PreStated => "pre-stated",
            Provenance::Exploratory => "exploratory",
            Provenance::Unlabelled => "UNLABELLED",
        }
    }
    /// Does a check with this threshold count toward a verdict?
    pub fn counts(self) -> bool {
        !matches!(self, Provenance::Exploratory)
    }
}
