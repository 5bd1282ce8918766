//! The [`Outcome`] of a claim's run (every evidence layer together), its [`Role`]s and the
//! [`Summary`] the table and PAPER_MAP.md show.

use serde::{Deserialize, Serialize};

use super::{Audit, Erratum, ExactCheck, McCheck, Regime, Verdict};
use crate::claim::Budget;

/// What a check is for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum Role {
    /// A check of the statement itself (or of a proof step).
    Primary,
    /// A negative control: the same check on a deliberately wrong variant; it must fail.
    Control { variant: String },
    /// An erratum witness: the printed inequality on purpose-built data; it must fail.
    Witness { erratum: String },
    /// The repaired statement of an erratum, on the same states; it must hold.
    Repair { erratum: String },
}

impl Role {
    /// Must the check fail (controls and witnesses)?
    pub fn must_fail(&self) -> bool {
        matches!(self, Role::Control { .. } | Role::Witness { .. })
    }
}

/// A named scalar measurement (rates, medians, timings of deterministic work...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    pub name: String,
    pub value: f64,
    pub note: String,
}

/// A small table of pre-formatted cells.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// An SVG figure produced by a claim (written next to the report; not in JSON or snapshots).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    /// File name, e.g. "fig1_test_error.svg".
    pub file: String,
    pub caption: String,
    #[serde(skip)]
    pub svg: String,
}

/// Everything one claim's run produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub claim: String,
    pub title: String,
    pub budget: Budget,
    pub seed: u64,
    /// True when command-line overrides changed the instance.
    pub overridden: bool,
    pub audits: Vec<Audit>,
    pub exact: Vec<ExactCheck>,
    pub mc: Vec<McCheck>,
    pub errata: Vec<Erratum>,
    pub measurements: Vec<Measurement>,
    pub tables: Vec<Table>,
    /// Caveats the reader must see (e.g. "the gradient term is below f64 resolution").
    pub notes: Vec<String>,
    pub figures: Vec<Figure>,
    /// Wall time (not part of snapshots).
    pub elapsed_s: Option<f64>,
}

impl Outcome {
    /// An empty outcome (metadata is filled in by [`Claim::execute`](crate::claim::Claim::execute)).
    pub fn new() -> Outcome {
        Outcome {
            claim: String::new(),
            title: String::new(),
            budget: Budget::Quick,
            seed: 0,
            overridden: false,
            audits: Vec::new(),
            exact: Vec::new(),
            mc: Vec::new(),
            errata: Vec::new(),
            measurements: Vec::new(),
            tables: Vec::new(),
            notes: Vec::new(),
            figures: Vec::new(),
            elapsed_s: None,
        }
    }
    /// Add a measurement.
    pub fn measure(&mut self, name: impl Into<String>, value: f64, note: impl Into<String>) {
        self.measurements.push(Measurement { name: name.into(), value, note: note.into() });
    }
    /// Add a note.
    pub fn note(&mut self, s: impl Into<String>) {
        self.notes.push(s.into());
    }
    /// The audit with this id.
    pub fn audit(&self, id: &str) -> Option<&Audit> {
        self.audits.iter().find(|a| a.id == id)
    }
    /// The Monte Carlo check with this stable key (checks are found by key, never by their
    /// printed id, which is free to change).
    pub fn mc_keyed(&self, key: &str) -> Option<&McCheck> {
        self.mc.iter().find(|c| c.key == key)
    }
    /// The exact check with this stable key.
    pub fn exact_keyed(&self, key: &str) -> Option<&ExactCheck> {
        self.exact.iter().find(|c| c.key == key)
    }
    /// The printed ids of the checks (exact or Monte Carlo) with these keys: how an erratum names
    /// its witnesses without writing a printed id twice. Panics on an unknown key (a bug in the
    /// claim, caught by its test).
    pub fn witness_ids(&self, keys: &[&str]) -> Vec<String> {
        let id = |k: &str| {
            let exact = self.exact_keyed(k).map(|c| c.id.clone());
            exact.or_else(|| self.mc_keyed(k).map(|c| c.id.clone()))
        };
        keys.iter().map(|k| id(k).unwrap_or_else(|| panic!("{}: no check keyed {k}", self.claim))).collect()
    }
    /// The erratum with this SPEC id (errata ids, e.g. "E-C5", are already stable keys).
    pub fn erratum(&self, id: &str) -> Option<&Erratum> {
        self.errata.iter().find(|e| e.id == id)
    }
    /// Record a hypotheses audit; returns the regime it decides.
    pub fn push_audit(&mut self, a: Audit) -> Regime {
        let regime = Regime::of(&a);
        self.audits.push(a);
        regime
    }
    /// Negative controls (MC and exact) as `(id, caught)`.
    pub fn controls(&self) -> Vec<(String, bool)> {
        let mut v: Vec<(String, bool)> = self
            .mc
            .iter()
            .filter(|c| matches!(c.role, Role::Control { .. }))
            .map(|c| (c.id.clone(), c.as_expected()))
            .collect();
        v.extend(
            self.exact
                .iter()
                .filter(|c| matches!(c.role, Role::Control { .. }))
                .map(|c| (c.id.clone(), c.as_expected())),
        );
        v
    }
    /// Summary used by the table and PAPER_MAP.md.
    pub fn summary(&self) -> Summary {
        let prim: Vec<&McCheck> = self.mc.iter().filter(|c| c.role == Role::Primary).collect();
        let mut by_regime: Vec<RegimeCounts> = Vec::new();
        for label in ["literal", "practical"] {
            let here: Vec<&&McCheck> = prim.iter().filter(|c| c.regime.label() == label).collect();
            if here.is_empty() {
                continue;
            }
            let count = |v: Verdict| here.iter().filter(|c| c.verdict == v).count() as u64;
            by_regime.push(RegimeCounts {
                regime: label.to_string(),
                confirmed: count(Verdict::Confirmed),
                violated: count(Verdict::Violated),
                inconclusive: count(Verdict::Inconclusive),
            });
        }
        let regime = if by_regime.is_empty() {
            "exact".to_string()
        } else {
            by_regime.iter().map(|r| r.regime.as_str()).collect::<Vec<_>>().join(" + ")
        };
        let controls = self.controls();
        let prim_exact: Vec<&ExactCheck> =
            self.exact.iter().filter(|c| matches!(c.role, Role::Primary | Role::Repair { .. })).collect();
        let repairs_ok = self.mc.iter().filter(|c| matches!(c.role, Role::Repair { .. })).all(|c| c.as_expected());
        Summary {
            regime,
            by_regime,
            exact_held: prim_exact.iter().filter(|c| c.holds()).count() as u64,
            exact_total: prim_exact.len() as u64,
            controls_caught: controls.iter().filter(|c| c.1).count() as u64,
            controls_total: controls.len() as u64,
            errata_witnessed: self.errata.iter().filter(|e| e.witnessed).count() as u64,
            errata_total: self.errata.len() as u64,
            repairs_ok,
        }
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Self::new()
    }
}

/// Verdict counts of the primary Monte Carlo checks of one regime.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeCounts {
    pub regime: String,
    pub confirmed: u64,
    pub violated: u64,
    pub inconclusive: u64,
}

impl RegimeCounts {
    /// E.g. "literal: CONFIRMED 3/4, INCONCLUSIVE 1/4" (zero counts omitted).
    pub fn line(&self) -> String {
        let total = self.confirmed + self.violated + self.inconclusive;
        let parts: Vec<String> =
            [("CONFIRMED", self.confirmed), ("VIOLATED", self.violated), ("INCONCLUSIVE", self.inconclusive)]
                .iter()
                .filter(|(_, k)| *k > 0)
                .map(|(name, k)| format!("{name} {k}/{total}"))
                .collect();
        format!("{}: {}", self.regime, parts.join(", "))
    }
}

/// Counts shown in the verdict table and PAPER_MAP.md.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// "literal", "practical", "literal + practical" or "exact" (no Monte Carlo).
    pub regime: String,
    /// Primary Monte Carlo verdicts per regime: a practical-regime VIOLATED is an extrapolation
    /// failing outside the statement's hypotheses, never a violation of the literal statement.
    pub by_regime: Vec<RegimeCounts>,
    pub exact_held: u64,
    pub exact_total: u64,
    pub controls_caught: u64,
    pub controls_total: u64,
    pub errata_witnessed: u64,
    pub errata_total: u64,
    pub repairs_ok: bool,
}

impl Summary {
    /// One-line verdict, e.g. "literal: CONFIRMED 3/3 · practical: VIOLATED 1/2, INCONCLUSIVE 1/2 ·
    /// exact 4/4 · controls 2/2 · errata witnessed 1/1".
    pub fn line(&self) -> String {
        let mut parts: Vec<String> = self.by_regime.iter().map(|r| r.line()).collect();
        if parts.is_empty() {
            parts.push("no Monte Carlo".into());
        }
        if self.exact_total > 0 {
            parts.push(format!("exact {}/{}", self.exact_held, self.exact_total));
        }
        parts.push(format!("controls {}/{}", self.controls_caught, self.controls_total));
        if self.errata_total > 0 {
            parts.push(format!("errata witnessed {}/{}", self.errata_witnessed, self.errata_total));
        }
        parts.join(" · ")
    }
    /// Primary checks VIOLATED in the literal regime (a finding against the paper as stated).
    pub fn literal_violations(&self) -> u64 {
        self.by_regime.iter().filter(|r| r.regime == "literal").map(|r| r.violated).sum()
    }
}

/// Every float of an outcome that a report shows is finite (reports never contain NaN).
pub fn non_finite_fields(o: &Outcome) -> Vec<String> {
    let v = serde_json::to_value(o).expect("outcome serializes");
    let mut bad = Vec::new();
    fn walk(v: &serde_json::Value, path: String, bad: &mut Vec<String>) {
        match v {
            serde_json::Value::Null => bad.push(path),
            serde_json::Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, format!("{path}[{i}]"), bad)),
            serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, format!("{path}.{k}"), bad)),
            _ => {}
        }
    }
    walk(&v, String::new(), &mut bad);
    // Optional fields are legitimately null; non-finite floats also serialize as null, so only
    // fields that are never optional are reported.
    bad.retain(|p| {
        let last = p.rsplit('.').next().unwrap_or("");
        !matches!(
            last,
            "count"
                | "slack"
                | "slack_at_least"
                | "detectable_rate"
                | "holm_family"
                | "worst_margin"
                | "worst_scaled"
                | "elapsed_s"
        )
    });
    bad
}

/// A statistic recorded on the real chain and on its coupled (stopped) chain: one field, two
/// paths, so a check over both is written once.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PathStats<T> {
    /// Along the real chain.
    pub real: T,
    /// Along the coupled chain (the process stopped at the coupling's exit).
    pub coupled: T,
}

impl<T> PathStats<T> {
    /// `(label, value)` for the real then the coupled path.
    pub fn labelled(&self) -> [(&'static str, &T); 2] {
        [("real", &self.real), ("coupled", &self.coupled)]
    }
    /// Apply `f` to both paths.
    pub fn map<U>(&self, f: impl Fn(&T) -> U) -> PathStats<U> {
        PathStats { real: f(&self.real), coupled: f(&self.coupled) }
    }
}
