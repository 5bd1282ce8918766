//! Layer 2b, adversarial searches: a one-step inequality minimized over the whole admissible set
//! its lemma allows (state, data, constants), not only at hand-picked states.
//!
//! A [`SearchCheck`] records what was searched (the admissible set in words), how much (restarts,
//! evaluations), the worst exact margin found and where, the worst margin of the same inequality
//! at the designed states (for comparison), and, when the worst margin is negative, the
//! reproducible [`Witness`] (data, state, constants as JSON) that `shape-matters witness FILE`
//! re-verifies from the file alone.
//!
//! Roles as for exact checks: a primary or repair search must find no violation; a control (the
//! same search on a deliberately wrong inequality) and an erratum witness must find one. A
//! witness search that names a designed witness ([`SearchCheck::rediscover`]) must also reach a
//! margin at least as negative as the designed witness's, from random starts.

use serde::{Deserialize, Serialize};

use super::{Provenance, Role};

/// The version tag of the witness file format.
pub const WITNESS_SCHEMA: &str = "shape-matters/witness/1";

/// One adversarial search of one inequality (or of its deliberately wrong control).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchCheck {
    /// Stable key (not serialized); a control is keyed [`control_key`](super::control_key) of
    /// its target.
    #[serde(skip)]
    pub key: String,
    /// Printed id, e.g. "search: (C5.1) printed γ = η".
    pub id: String,
    /// The inequality, margin ≥ 0 ⇔ holds.
    pub statement: String,
    pub role: Role,
    /// Where the inequality's constants come from.
    pub threshold: Provenance,
    /// The admissible set searched, in words: state, data, constants.
    pub admissible: String,
    /// For a control: the printed id of the search it is the deliberately wrong variant of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_of: Option<String>,
    /// For a control: the key of that search (not serialized).
    #[serde(skip)]
    pub control_of_key: String,
    /// Random restarts.
    pub restarts: u64,
    /// Exact margin evaluations in all.
    pub evaluations: u64,
    /// Evaluations excluded: points whose realised instance failed its hypotheses audit, or whose
    /// margin is decided by rounding (its sign carries no information).
    pub inadmissible: u64,
    /// The smallest scaled margin found (`None`: no admissible point was evaluated).
    pub worst_scaled: Option<f64>,
    /// Its unscaled margin.
    pub worst_margin: Option<f64>,
    /// Magnitude of the compared sides there (for the equality-by-rounding rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst_magnitude: Option<f64>,
    /// Where (the instance in one line).
    pub worst_at: String,
    /// The worst scaled margin of the same inequality at the designed (hand-picked) states, and
    /// the printed id of that exact check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designed: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designed_of: Option<String>,
    /// For a known-witness search: the designed witness's scaled margin, which the search must
    /// reach (or beat) without being started at it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rediscover: Option<f64>,
    /// File name of the witness when the worst margin is negative (written under `DIR/witnesses/`
    /// by `--out DIR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witness_file: Option<String>,
    /// The witness itself (not in the outcome's JSON: the CLI writes it to its own file).
    #[serde(skip)]
    pub witness: Option<Witness>,
}

impl SearchCheck {
    /// A search with nothing recorded yet.
    pub fn new(id: impl Into<String>, statement: impl Into<String>, role: Role, admissible: impl Into<String>) -> Self {
        SearchCheck {
            key: String::new(),
            id: id.into(),
            statement: statement.into(),
            role,
            threshold: Provenance::Unlabelled,
            admissible: admissible.into(),
            control_of: None,
            control_of_key: String::new(),
            restarts: 0,
            evaluations: 0,
            inadmissible: 0,
            worst_scaled: None,
            worst_margin: None,
            worst_magnitude: None,
            worst_at: String::new(),
            designed: None,
            designed_of: None,
            rediscover: None,
            witness_file: None,
            witness: None,
        }
    }
    /// The same search with its stable key.
    pub fn keyed(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }
    /// The deliberately wrong variant of `target`, searched over the same admissible set.
    pub fn control_for(target: &SearchCheck, variant: impl Into<String>) -> Self {
        let variant = variant.into();
        let mut c = SearchCheck::new(
            format!("{} [control: {variant}]", target.id),
            target.statement.clone(),
            Role::Control { variant },
            target.admissible.clone(),
        )
        .keyed(super::control_key(&target.key));
        c.threshold = target.threshold;
        c.control_of = Some(target.id.clone());
        c.control_of_key = target.key.clone();
        c
    }
    /// Is the worst margin negative (beyond rounding)?
    pub fn violated(&self) -> bool {
        self.worst_margin.is_some_and(|m| m < 0.0) && !self.equality_by_rounding()
    }
    /// Is the worst margin within [`crate::tol::EQUALITY_BY_ROUNDING_ULPS`] ulps of the compared sides
    /// (or exactly 0)?
    pub fn equality_by_rounding(&self) -> bool {
        super::exact::decided_by_rounding(self.worst_margin, self.worst_magnitude)
    }
    /// Did a known-witness search reach the designed witness's margin (true when it names none)?
    pub fn rediscovered(&self) -> bool {
        match (self.rediscover, self.worst_scaled) {
            (None, _) => true,
            (Some(target), Some(w)) => w <= target,
            (Some(_), None) => false,
        }
    }
    /// "no violation found in N evaluations", "VIOLATED at an admissible point", "equality (by
    /// rounding)" or "no admissible point".
    pub fn result(&self) -> String {
        if self.worst_margin.is_none() {
            "no admissible point".into()
        } else if self.equality_by_rounding() {
            "equality (by rounding)".into()
        } else if self.violated() {
            "VIOLATED at an admissible point".into()
        } else {
            format!("no violation found in {} evaluations", self.evaluations)
        }
    }
    /// Did the search come out as its role requires (no violation for primary/repair; a violation
    /// for control/witness, and a witness search reaches its designed witness's margin)?
    pub fn as_expected(&self) -> bool {
        if self.role.must_fail() {
            self.violated() && self.rediscovered()
        } else {
            self.worst_margin.is_some() && !self.violated()
        }
    }
}

/// A reproducible find: the instance (data, state, constants) as JSON, the inequality it was
/// evaluated on, and the margin the search computed there. `shape-matters witness FILE`
/// recomputes the audit and the margin from this file alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Witness {
    /// [`WITNESS_SCHEMA`].
    pub schema: String,
    /// Claim id, e.g. "C.5".
    pub claim: String,
    /// Stable key of the searched inequality (or of its control, `…!control`).
    pub key: String,
    /// Printed id and statement of the inequality.
    pub id: String,
    pub statement: String,
    /// The instance: its fields are those of the claim's admissible set (for the one-step
    /// inequalities: `r`, `rows`, `v`, `eta`, `delta`, `k` and the lemma's `constants`).
    pub point: serde_json::Value,
    /// The exact margin, its scale and the scaled margin found by the search.
    pub margin: f64,
    pub scale: f64,
    pub scaled: f64,
    /// How it was found (seed, budget, restart, evaluations).
    pub found_by: String,
}

impl Witness {
    /// The file name `<claim>-<key>.json`, with every character outside `[A-Za-z0-9.-]` replaced
    /// by `_`.
    pub fn file_name(&self) -> String {
        let clean = |s: &str| -> String {
            s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' }).collect()
        };
        format!("{}-{}.json", clean(&self.claim), clean(&self.key))
    }
}
