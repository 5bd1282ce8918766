//! Errata: suspected errors of the paper, each a hypothesis until its witness checks fail as
//! predicted.

use serde::{Deserialize, Serialize};

use super::{ExactCheck, McCheck, SearchCheck, Verdict};

/// How legible the paper's text behind a statement is (SPEC §0.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// Legible in the OCR.
    Legible,
    /// `RECONSTRUCTED[h]`
    ReconstructedHigh,
    /// `RECONSTRUCTED[m]`
    ReconstructedMedium,
    /// `RECONSTRUCTED[l]`
    ReconstructedLow,
}

impl Reading {
    /// SPEC's notation: `legible`, `RECONSTRUCTED[h]`, `RECONSTRUCTED[m]`, `RECONSTRUCTED[l]`.
    pub fn label(self) -> &'static str {
        match self {
            Reading::Legible => "legible",
            Reading::ReconstructedHigh => "RECONSTRUCTED[h]",
            Reading::ReconstructedMedium => "RECONSTRUCTED[m]",
            Reading::ReconstructedLow => "RECONSTRUCTED[l]",
        }
    }
}

/// How strong an erratum is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Grade {
    /// The printed statement is contradicted at an instance meeting its printed hypotheses.
    S,
    /// A proof step fails; the statement may still hold.
    P,
    /// The finding rests on a reconstructed reading of the OCR or on a threshold the project chose.
    R,
    /// Not graded yet (a test fails on it).
    #[default]
    Ungraded,
}

impl Grade {
    /// "S", "P", "R" or "?".
    pub fn label(self) -> &'static str {
        match self {
            Grade::S => "S",
            Grade::P => "P",
            Grade::R => "R",
            Grade::Ungraded => "?",
        }
    }
    /// What the grade means, in words.
    pub fn meaning(self) -> &'static str {
        match self {
            Grade::S => "printed statement contradicted under its printed hypotheses",
            Grade::P => "a proof step fails; the statement may hold",
            Grade::R => "rests on a reconstructed reading or a project-chosen threshold",
            Grade::Ungraded => "not graded",
        }
    }
}

/// A suspected error of the paper, with the checks that witness it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Erratum {
    /// SPEC id, e.g. "E-G2".
    pub id: String,
    /// Where in the paper.
    pub location: String,
    /// What the paper says.
    pub printed: String,
    /// What the checks show, with numbers.
    pub finding: String,
    /// How legible the printed statement is.
    pub reading: Reading,
    /// S, P or R.
    #[serde(default)]
    pub grade: Grade,
    /// The witness's instance (constants, data), in one line.
    #[serde(default)]
    pub instance: String,
    /// Ids of the witness checks (exact, search or MC) in this outcome.
    pub witnesses: Vec<String>,
    /// True when every witness check failed as predicted (set by [`finalize`](super::finalize)).
    pub witnessed: bool,
}

/// Mark each erratum witnessed when every one of its witness checks failed as predicted: an exact
/// witness with a violation that is not an equality decided by rounding, a search witness that
/// found a violation at an admissible point, a Monte Carlo witness VIOLATED (called by
/// [`finalize`](super::finalize) once the verdicts are set).
pub fn mark_witnessed(errata: &mut [Erratum], exact: &[ExactCheck], search: &[SearchCheck], mc: &[McCheck]) {
    for e in errata.iter_mut() {
        e.witnessed = !e.witnesses.is_empty()
            && e.witnesses.iter().all(|w| {
                exact
                    .iter()
                    .find(|c| &c.id == w)
                    .map(|c| c.violations > 0 && !c.equality_by_rounding())
                    .or_else(|| search.iter().find(|c| &c.id == w).map(|c| c.violated()))
                    .or_else(|| mc.iter().find(|c| &c.id == w).map(|c| c.verdict == Verdict::Violated))
                    == Some(true)
            });
    }
}
