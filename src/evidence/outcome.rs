//! The [`Outcome`] of a claim's run (every evidence layer together), its [`Role`]s and the
//! [`Summary`] the table and PAPER_MAP.md show.

use serde::{Deserialize, Serialize};

use super::{Audit, Class, Erratum, ExactCheck, Grade, McCheck, SearchCheck, Verdict};
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
    /// Adversarial searches of the one-step inequalities over their admissible sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub search: Vec<SearchCheck>,
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
            search: Vec::new(),
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
    /// The search with this stable key.
    pub fn search_keyed(&self, key: &str) -> Option<&SearchCheck> {
        self.search.iter().find(|c| c.key == key)
    }
    /// The printed ids of the checks (exact, search or Monte Carlo) with these keys: how an erratum names
    /// its witnesses without writing a printed id twice. Panics on an unknown key (a bug in the
    /// claim, caught by its test).
    pub fn witness_ids(&self, keys: &[&str]) -> Vec<String> {
        let id = |k: &str| {
            let exact = self.exact_keyed(k).map(|c| c.id.clone());
            let search = || self.search_keyed(k).map(|c| c.id.clone());
            exact.or_else(search).or_else(|| self.mc_keyed(k).map(|c| c.id.clone()))
        };
        keys.iter().map(|k| id(k).unwrap_or_else(|| panic!("{}: no check keyed {k}", self.claim))).collect()
    }
    /// The erratum with this SPEC id (errata ids, e.g. "E-C5", are already stable keys).
    pub fn erratum(&self, id: &str) -> Option<&Erratum> {
        self.errata.iter().find(|e| e.id == id)
    }
    /// Record a hypotheses audit; returns the class it decides.
    pub fn push_audit(&mut self, a: Audit) -> Class {
        let class = Class::of(&a);
        self.audits.push(a);
        class
    }
    /// Why the computation is not valid at these parameters: a self-check of the tool failed (a
    /// negative control not caught, a computed fact — an identity — that does not hold, a
    /// supporting cross-check or exact law VIOLATED, a non-finite number in the outcome). Empty when
    /// the computation is valid. An invalid outcome gives no verdict on the paper (after
    /// [`finalize`](super::finalize)).
    pub fn invalid_reasons(&self) -> Vec<String> {
        let mut r = Vec::new();
        for (id, caught) in self.controls() {
            if !caught {
                r.push(format!("negative control not caught: {id}"));
            }
        }
        for c in self.exact.iter().filter(|c| !c.counted() && !c.role.must_fail()) {
            if c.violations > 0 && !c.equality_by_rounding() {
                r.push(format!("computed fact fails: {}", c.id));
            }
        }
        for c in self.mc.iter().filter(|c| c.role == Role::Primary) {
            if matches!(c.class, Class::Supporting { .. } | Class::Computed { .. }) && c.verdict == Verdict::Violated {
                r.push(format!("supporting fact VIOLATED: {}", c.id));
            }
        }
        for c in self.search.iter().filter(|c| matches!(c.role, Role::Witness { .. })) {
            if !c.as_expected() {
                r.push(format!(
                    "search did not rediscover its known witness from random starts: {} (worst {} vs designed {})",
                    c.id,
                    c.worst_scaled.map(crate::numfmt::fmt).unwrap_or_else(|| "none".into()),
                    c.rediscover.map(crate::numfmt::fmt).unwrap_or_else(|| "–".into())
                ));
            }
        }
        let bad = super::non_finite_fields(self);
        if !bad.is_empty() {
            r.push(format!("non-finite values in {} field(s), e.g. {}", bad.len(), bad[0]));
        }
        r
    }
    /// The checks that did not come out as their role requires: primary/repair exact checks that
    /// fail, witnesses that do not fail, repairs not CONFIRMED, controls not caught (ids).
    pub fn unexpected(&self) -> Vec<String> {
        let mut v: Vec<String> =
            self.exact.iter().filter(|c| c.counted() && !c.as_expected()).map(|c| c.id.clone()).collect();
        v.extend(
            self.mc
                .iter()
                .filter(|c| c.role != Role::Primary && c.verdict != Verdict::Pending && !c.as_expected())
                .map(|c| c.id.clone()),
        );
        v.extend(self.search.iter().filter(|c| !c.as_expected()).map(|c| c.id.clone()));
        v
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
        v.extend(
            self.search
                .iter()
                .filter(|c| matches!(c.role, Role::Control { .. }))
                .map(|c| (c.id.clone(), c.as_expected())),
        );
        v
    }
    /// The exact checks that count: primary or repair, and not computed facts.
    pub fn counted_exact(&self) -> impl Iterator<Item = &ExactCheck> {
        self.exact.iter().filter(|c| matches!(c.role, Role::Primary | Role::Repair { .. }) && c.counted())
    }
    /// The controls linked to the exact check keyed `key` ([`ExactCheck::control_for`]).
    pub fn exact_controls_of<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a ExactCheck> + 'a {
        self.exact.iter().filter(move |c| !key.is_empty() && c.control_of_key == key)
    }
    /// Summary used by the table and PAPER_MAP.md.
    pub fn summary(&self) -> Summary {
        let counted: Vec<&McCheck> = self.mc.iter().filter(|c| c.role == Role::Primary && c.counts()).collect();
        let mut by_class: Vec<ClassCounts> = Vec::new();
        for label in ["literal", "designed", "practical", "supporting"] {
            let here: Vec<&&McCheck> = counted.iter().filter(|c| c.class.label() == label).collect();
            if here.is_empty() {
                continue;
            }
            let count = |v: Verdict| here.iter().filter(|c| c.verdict == v).count() as u64;
            by_class.push(ClassCounts {
                class: label.to_string(),
                confirmed: count(Verdict::Confirmed),
                violated: count(Verdict::Violated),
                inconclusive: count(Verdict::Inconclusive),
            });
        }
        let statement: Vec<&str> = by_class.iter().map(|r| r.class.as_str()).filter(|c| *c != "supporting").collect();
        let classes = if !statement.is_empty() {
            statement.join(" + ")
        } else if !by_class.is_empty() {
            "supporting".to_string()
        } else {
            "exact".to_string()
        };
        let mc_controls: Vec<bool> =
            self.mc.iter().filter(|c| matches!(c.role, Role::Control { .. })).map(|c| c.as_expected()).collect();
        let exact: Vec<&ExactCheck> = self.counted_exact().collect();
        let repairs_ok = self.mc.iter().filter(|c| matches!(c.role, Role::Repair { .. })).all(|c| c.as_expected());
        let witnessed = |g: Grade| self.errata.iter().filter(|e| e.witnessed && e.grade == g).count() as u64;
        Summary {
            classes,
            by_class,
            exact_held: exact.iter().filter(|c| c.holds() && !c.equality_by_rounding()).count() as u64,
            exact_total: exact.len() as u64,
            exact_by_rounding: exact.iter().filter(|c| c.equality_by_rounding()).count() as u64,
            exact_controlled: exact
                .iter()
                .filter(|c| {
                    let mut ctl = self.exact_controls_of(&c.key).peekable();
                    ctl.peek().is_some() && ctl.all(|k| k.as_expected())
                })
                .count() as u64,
            computed: (self.exact.iter().filter(|c| !c.counted()).count()
                + self.mc.iter().filter(|c| matches!(c.class, Class::Computed { .. })).count())
                as u64,
            exploratory: self.mc.iter().filter(|c| !c.threshold.counts()).count() as u64,
            controls_caught: mc_controls.iter().filter(|c| **c).count() as u64,
            controls_total: mc_controls.len() as u64,
            errata: ErrataCounts {
                s: witnessed(Grade::S),
                p: witnessed(Grade::P),
                r: witnessed(Grade::R),
                ungraded: witnessed(Grade::Ungraded),
                not_witnessed: self.errata.iter().filter(|e| !e.witnessed).count() as u64,
            },
            repairs_ok,
            search: SearchCounts::of(&self.search),
            invalid: self.invalid_reasons(),
        }
    }
}

impl Default for Outcome {
    fn default() -> Self {
        Self::new()
    }
}

/// Verdict counts of the counted primary Monte Carlo checks of one class.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// "literal", "designed", "practical" or "supporting".
    pub class: String,
    pub confirmed: u64,
    pub violated: u64,
    pub inconclusive: u64,
}

impl ClassCounts {
    /// E.g. "statement literal: CONFIRMED 3/4, INCONCLUSIVE 1/4" or "supporting: CONFIRMED 22/22"
    /// (zero counts omitted).
    pub fn line(&self) -> String {
        let total = self.confirmed + self.violated + self.inconclusive;
        let parts: Vec<String> =
            [("CONFIRMED", self.confirmed), ("VIOLATED", self.violated), ("INCONCLUSIVE", self.inconclusive)]
                .iter()
                .filter(|(_, k)| *k > 0)
                .map(|(name, k)| format!("{name} {k}/{total}"))
                .collect();
        let name = match self.class.as_str() {
            "literal" => "statement literal",
            "designed" => "statement literal on designed data",
            "practical" => "statement practical",
            other => other,
        };
        format!("{name}: {}", parts.join(", "))
    }
}

/// Witnessed errata per grade, and those not witnessed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrataCounts {
    pub s: u64,
    pub p: u64,
    pub r: u64,
    pub ungraded: u64,
    pub not_witnessed: u64,
}

impl ErrataCounts {
    /// Any errata at all?
    pub fn any(&self) -> bool {
        self.s + self.p + self.r + self.ungraded + self.not_witnessed > 0
    }
    /// E.g. "errata S1 P1 R1" or "errata S1 (1 not witnessed)".
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        for (g, k) in [("S", self.s), ("P", self.p), ("R", self.r), ("ungraded ", self.ungraded)] {
            if k > 0 {
                parts.push(format!("{g}{k}"));
            }
        }
        if parts.is_empty() {
            parts.push("none witnessed".into());
        }
        let mut s = format!("errata {}", parts.join(" "));
        if self.not_witnessed > 0 && !s.ends_with("none witnessed") {
            s.push_str(&format!(" ({} not witnessed)", self.not_witnessed));
        } else if self.not_witnessed > 0 {
            s.push_str(&format!(" of {}", self.not_witnessed));
        }
        s
    }
}

/// Counts shown in the verdict table and PAPER_MAP.md.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// The statement classes checked by Monte Carlo ("literal", "designed", "practical", joined by
    /// " + "), else "supporting" (only supporting facts) or "exact" (no Monte Carlo).
    pub classes: String,
    /// Counted primary Monte Carlo verdicts per class: a practical VIOLATED is an extrapolation
    /// failing outside the statement's hypotheses, never a violation of the literal statement; a
    /// supporting fact is not the statement. Exploratory thresholds and computed facts are not
    /// counted.
    pub by_class: Vec<ClassCounts>,
    /// Counted exact checks (primary or repair, not computed facts) that hold with a margin above
    /// rounding.
    pub exact_held: u64,
    pub exact_total: u64,
    /// Counted exact checks whose worst margin is an equality decided by rounding.
    pub exact_by_rounding: u64,
    /// Counted exact checks with a linked control, every one caught.
    pub exact_controlled: u64,
    /// Computed facts (exact or Monte Carlo): shown, never counted.
    pub computed: u64,
    /// Monte Carlo checks with an exploratory threshold: reported, never counted.
    pub exploratory: u64,
    /// Monte Carlo negative controls caught.
    pub controls_caught: u64,
    pub controls_total: u64,
    pub errata: ErrataCounts,
    pub repairs_ok: bool,
    /// The adversarial searches.
    #[serde(default, skip_serializing_if = "SearchCounts::is_empty")]
    pub search: SearchCounts,
    /// Why the computation is invalid at these parameters ([`Outcome::invalid_reasons`]); empty
    /// when valid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invalid: Vec<String>,
}

impl Summary {
    /// One-line verdict, e.g. "statement literal: CONFIRMED 1/1 · supporting: CONFIRMED 22/22 ·
    /// exact 9/9 (controls 9/9) · computed 1 · MC controls 2/2 · errata S1 P1 R1".
    pub fn line(&self) -> String {
        if !self.invalid.is_empty() {
            return format!("INVALID at these parameters (no verdict on the paper): {}", self.invalid.join("; "));
        }
        let mut parts: Vec<String> = self.by_class.iter().map(|r| r.line()).collect();
        if parts.is_empty() {
            parts.push("no Monte Carlo".into());
        }
        if self.exact_total > 0 {
            let rounding = if self.exact_by_rounding > 0 {
                format!(", {} equality by rounding", self.exact_by_rounding)
            } else {
                String::new()
            };
            parts.push(format!(
                "exact {}/{} (controls {}/{}{rounding})",
                self.exact_held, self.exact_total, self.exact_controlled, self.exact_total
            ));
        }
        if !self.search.is_empty() {
            parts.push(self.search.line());
        }
        if self.computed > 0 {
            parts.push(format!("computed {}", self.computed));
        }
        if self.exploratory > 0 {
            parts.push(format!("exploratory {}", self.exploratory));
        }
        if self.controls_total > 0 {
            parts.push(format!("MC controls {}/{}", self.controls_caught, self.controls_total));
        }
        if self.errata.any() {
            parts.push(self.errata.line());
        }
        parts.join(" · ")
    }
    /// Counted primary checks VIOLATED in a literal class (paper or designed data): a finding
    /// against the paper as stated.
    pub fn literal_violations(&self) -> u64 {
        self.by_class.iter().filter(|r| r.class == "literal" || r.class == "designed").map(|r| r.violated).sum()
    }
}

/// Counts of the adversarial searches of an outcome.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchCounts {
    /// Primary and repair searches, and those that found no violation.
    pub clean: u64,
    pub total: u64,
    /// Erratum-witness searches that found a violation (and, where a designed witness is named,
    /// reached its margin).
    pub found: u64,
    pub witnesses: u64,
    /// Of these, the searches for a known designed witness (rediscovered from random starts).
    pub rediscovered: u64,
    pub known: u64,
    /// Search controls (deliberately wrong inequalities) that found a violation.
    pub controls_caught: u64,
    pub controls: u64,
    /// Exact margin evaluations over every search.
    pub evaluations: u64,
}

impl SearchCounts {
    /// Count the searches.
    pub fn of(s: &[SearchCheck]) -> SearchCounts {
        let mut c = SearchCounts::default();
        for x in s {
            c.evaluations += x.evaluations;
            match x.role {
                Role::Primary | Role::Repair { .. } => {
                    c.total += 1;
                    c.clean += u64::from(x.as_expected());
                }
                Role::Witness { .. } => {
                    c.witnesses += 1;
                    c.found += u64::from(x.as_expected());
                    if x.rediscover.is_some() {
                        c.known += 1;
                        c.rediscovered += u64::from(x.as_expected());
                    }
                }
                Role::Control { .. } => {
                    c.controls += 1;
                    c.controls_caught += u64::from(x.as_expected());
                }
            }
        }
        c
    }
    /// No searches.
    pub fn is_empty(&self) -> bool {
        self.total + self.witnesses + self.controls == 0
    }
    /// E.g. "search 4/5 no violation, witnesses 3/3 found (known 1/1 rediscovered) (controls 6/6;
    /// 12000 evaluations)".
    pub fn line(&self) -> String {
        let mut s = format!("search {}/{} no violation", self.clean, self.total);
        if self.witnesses > 0 {
            s.push_str(&format!(", witnesses {}/{} found", self.found, self.witnesses));
            if self.known > 0 {
                s.push_str(&format!(" (known {}/{} rediscovered)", self.rediscovered, self.known));
            }
        }
        s.push_str(&format!(
            " (controls {}/{}; {} evaluations)",
            self.controls_caught, self.controls, self.evaluations
        ));
        s
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
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
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
