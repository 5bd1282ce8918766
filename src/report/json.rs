//! results.json: a small `summary` object first (run status, one verdict per claim, errata and
//! Monte Carlo totals), then `meta` and the complete `outcomes`. The file is serialized from the
//! [`Results`] struct, whose field order is the key order of the file (a `serde_json::Value` would
//! sort the keys).

use serde::{Deserialize, Serialize};

use super::RunMeta;
use super::index::page_path;
use crate::evidence::{Grade, Outcome, Role, Summary, Verdict};

/// What results.json holds, in this order.
#[derive(Serialize)]
pub struct Results<'a> {
    pub summary: RunSummary,
    pub meta: &'a RunMeta,
    pub outcomes: &'a [Outcome],
}

/// The summary at the top of results.json.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    pub status: RunStatus,
    /// One entry per claim, in run order.
    pub claims: Vec<ClaimSummary>,
    pub errata: ErrataTotals,
    pub monte_carlo: McTotals,
}

/// The run's exit status and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunStatus {
    /// 0: every check came out as its role requires; 1: some check is unexpected or an outcome is
    /// invalid at its parameters (the exit code of `run`).
    pub exit_code: i32,
    pub meaning: String,
    /// `<claim>: <reason>`, one per unexpected check or invalidity (empty when the code is 0).
    pub reasons: Vec<String>,
}

/// One claim's verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimSummary {
    pub claim: String,
    pub title: String,
    /// Its page, relative to the report directory (`claims/<id>.md`).
    pub page: String,
    /// The statement classes checked (as in the verdict table).
    pub classes: String,
    /// The one-line verdict (as in the verdict table).
    pub verdict: String,
    /// The counts the verdict line is made of.
    pub counts: Summary,
}

/// Errata of one grade: witnessed (every witness check failed as predicted) or not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeCount {
    pub witnessed: u64,
    pub not_witnessed: u64,
}

/// Errata over the run, per grade.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrataTotals {
    pub total: u64,
    pub witnessed: u64,
    /// The printed statement contradicted under its printed hypotheses.
    #[serde(rename = "S")]
    pub s: GradeCount,
    /// A proof step fails.
    #[serde(rename = "P")]
    pub p: GradeCount,
    /// Rests on a reconstructed reading or a project-chosen threshold.
    #[serde(rename = "R")]
    pub r: GradeCount,
    pub ungraded: GradeCount,
}

/// Monte Carlo checks over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct McTotals {
    /// Every Monte Carlo check (any role).
    pub checks: u64,
    /// Counted primary checks (not exploratory, not computed facts) and their verdicts.
    pub counted: u64,
    pub confirmed: u64,
    pub violated: u64,
    pub inconclusive: u64,
    /// Negative controls, and those caught.
    pub controls: u64,
    pub controls_caught: u64,
    /// Chains (trials) over every check, and those that diverged.
    pub trials: u64,
    pub diverged: u64,
    /// p-values in the Holm family of the run, and the family-wise α.
    pub holm_family: u64,
    pub family_alpha: f64,
}

/// The status `run` exits with (see [`RunStatus`]).
pub fn run_status(outcomes: &[Outcome]) -> RunStatus {
    let mut reasons = Vec::new();
    for o in outcomes {
        reasons
            .extend(o.invalid_reasons().into_iter().map(|r| format!("{}: INVALID at these parameters: {r}", o.claim)));
        reasons
            .extend(o.unexpected().into_iter().map(|id| format!("{}: check not as its role requires: {id}", o.claim)));
    }
    let exit_code = i32::from(!reasons.is_empty());
    let meaning = if exit_code == 0 {
        "every check came out as its role requires"
    } else {
        "the run finished, but some check is unexpected or a computation is invalid at its parameters"
    };
    RunStatus { exit_code, meaning: meaning.into(), reasons }
}

/// The summary of a finished run.
pub fn summary(outcomes: &[Outcome], family_alpha: f64) -> RunSummary {
    let claims = outcomes
        .iter()
        .map(|o| {
            let sm = o.summary();
            ClaimSummary {
                claim: o.claim.clone(),
                title: o.title.clone(),
                page: page_path(&o.claim),
                classes: sm.classes.clone(),
                verdict: sm.line(),
                counts: sm,
            }
        })
        .collect();
    let mut errata = ErrataTotals::default();
    for e in outcomes.iter().flat_map(|o| &o.errata) {
        errata.total += 1;
        errata.witnessed += u64::from(e.witnessed);
        let g = match e.grade {
            Grade::S => &mut errata.s,
            Grade::P => &mut errata.p,
            Grade::R => &mut errata.r,
            Grade::Ungraded => &mut errata.ungraded,
        };
        if e.witnessed {
            g.witnessed += 1;
        } else {
            g.not_witnessed += 1;
        }
    }
    let mut mc = McTotals { family_alpha, ..McTotals::default() };
    for c in outcomes.iter().flat_map(|o| &o.mc) {
        mc.checks += 1;
        mc.trials += c.trials;
        mc.diverged += c.diverged;
        mc.holm_family = mc.holm_family.max(c.holm_family.unwrap_or(0));
        if c.role == Role::Primary && c.counts() {
            mc.counted += 1;
            match c.verdict {
                Verdict::Confirmed => mc.confirmed += 1,
                Verdict::Violated => mc.violated += 1,
                Verdict::Inconclusive => mc.inconclusive += 1,
                Verdict::Pending => {}
            }
        }
        if matches!(c.role, Role::Control { .. }) {
            mc.controls += 1;
            mc.controls_caught += u64::from(c.as_expected());
        }
    }
    RunSummary { status: run_status(outcomes), claims, errata, monte_carlo: mc }
}
