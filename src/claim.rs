//! The claim as data: a [`Claim`] per paper statement and the [`Outcome`] its run produces.
//!
//! An outcome carries the four evidence layers of a check:
//! 1. hypotheses audits ([`Audit`]): every hypothesis evaluated at the instantiated constants,
//!    both sides printed; the regime of a Monte Carlo check is *derived* from an audit
//!    ([`Regime::of`]) — literal iff every hypothesis holds;
//! 2. exact one-step checks ([`ExactCheck`]): worst margin over enumerated states;
//! 3. Monte Carlo checks ([`McCheck`]): counts, Clopper–Pearson interval, p-values, and after
//!    [`finalize`] (Holm over every check of the run) a [`Verdict`] and the slack;
//! 4. negative controls: checks with [`Role::Control`] that must come out the other way.
//!
//! Errata ([`Erratum`]) point at witness checks; an erratum counts as witnessed only when those
//! checks fail as the erratum predicts. The CLI table, `report.md`, `results.json`, the insta
//! snapshots and PAPER_MAP.md are all views of the same values.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::engine::rng::{Stream, stream};
use crate::engine::runner::Runner;
use crate::engine::stats;
use crate::error::{Error, Result};
use crate::report::fmt;

/// What a `P(E) ≤ β` check with `n` chains can say before the Holm correction: whether
/// `N·β ≥ 5` (so zero events can CONFIRM — the exact requirement `(1 − β)^N ≤ (1 − CI_LEVEL)/2` is
/// printed too), and the smallest observed rate the check flags VIOLATED.
pub fn power_note(what: &str, n: u64, beta: f64) -> String {
    let a2 = (1.0 - CI_LEVEL) / 2.0;
    let nb = n as f64 * beta;
    let can = nb >= 5.0;
    let need = (a2.ln() / (-beta).ln_1p()).ceil();
    let detect = match stats::min_violating_count(n, beta, a2) {
        Some(k) => {
            let r = k as f64 / n as f64;
            format!("it flags VIOLATED from an observed rate of {} ({}× the bound)", fmt(r), fmt(r / beta))
        }
        None => "no observed rate could flag it VIOLATED".into(),
    };
    format!(
        "Power of '{what}': N = {n} chains against β = {}: N·β = {} {} 5, so this check {}; {detect}; confirming β with 0 events needs N ≥ {} chains (before the Holm correction).",
        fmt(beta),
        fmt(nb),
        if can { "≥" } else { "<" },
        if can {
            "can confirm the bound"
        } else {
            "has too few chains to confirm the bound (INCONCLUSIVE when no event occurs) and only detects gross violations"
        },
        fmt(need)
    )
}

/// Family-wise significance level of a run (Holm over all statistical checks).
pub const FAMILY_ALPHA: f64 = 0.01;
/// Confidence level of the intervals printed with each check (two-sided).
pub const CI_LEVEL: f64 = 0.99;
/// The number of checks a run may have for which every negative control and erratum witness must
/// still be caught: each such Monte Carlo check needs `holm_p ≤ FAMILY_ALPHA / CONTROL_FAMILY_REFERENCE`
/// (enforced by the tests), so it stays VIOLATED under Holm's correction in any run of up to this many
/// checks — not only inside its own claim. (`cargo run --release` has about 200.)
pub const CONTROL_FAMILY_REFERENCE: usize = 1000;
/// Default master seed.
pub const DEFAULT_SEED: u64 = 2021;

/// How much work a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Budget {
    /// The smallest honest instances (used by `cargo test --release`).
    Quick,
    /// `cargo run --release`: minutes on 2 cores.
    Default,
    /// The largest instances (hours).
    Full,
}

impl Budget {
    /// Pick a value per budget.
    pub fn pick<T>(self, quick: T, default: T, full: T) -> T {
        match self {
            Budget::Quick => quick,
            Budget::Default => default,
            Budget::Full => full,
        }
    }
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Budget::Quick => "quick",
            Budget::Default => "default",
            Budget::Full => "full",
        }
    }
}

/// Where a statement is in the paper.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PaperRef {
    /// Section or appendix, e.g. "Appendix B".
    pub section: &'static str,
    /// Equation numbers, e.g. "(21)–(31)".
    pub equations: &'static str,
    /// SPEC.md section with the cleaned statement, e.g. "§4.5".
    pub spec: &'static str,
}

/// Command-line overrides a claim may accept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Param {
    D,
    N,
    R,
    Tau,
    Delta,
    Eta,
    Steps,
    Chains,
    Data,
    Instances,
    Rho,
    Sigma,
    Lambda,
}

impl Param {
    /// The flag name.
    pub fn flag(self) -> &'static str {
        match self {
            Param::D => "d",
            Param::N => "n",
            Param::R => "r",
            Param::Tau => "tau",
            Param::Delta => "delta",
            Param::Eta => "eta",
            Param::Steps => "steps",
            Param::Chains => "chains",
            Param::Data => "data",
            Param::Instances => "instances",
            Param::Rho => "rho",
            Param::Sigma => "sigma",
            Param::Lambda => "lambda",
        }
    }
}

/// Parameter overrides from the command line (`None`: the claim's default for the budget).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Overrides {
    pub d: Option<usize>,
    pub n: Option<usize>,
    pub r: Option<usize>,
    pub tau: Option<f64>,
    pub delta: Option<f64>,
    pub eta: Option<f64>,
    pub steps: Option<u64>,
    pub chains: Option<usize>,
    pub data: Option<PathBuf>,
    pub instances: Option<usize>,
    pub rho: Option<f64>,
    pub sigma: Option<f64>,
    pub lambda: Option<f64>,
}

impl Overrides {
    /// The overrides that are set.
    pub fn set_params(&self) -> Vec<Param> {
        let mut v = Vec::new();
        let mut add = |b: bool, p| {
            if b {
                v.push(p)
            }
        };
        add(self.d.is_some(), Param::D);
        add(self.n.is_some(), Param::N);
        add(self.r.is_some(), Param::R);
        add(self.tau.is_some(), Param::Tau);
        add(self.delta.is_some(), Param::Delta);
        add(self.eta.is_some(), Param::Eta);
        add(self.steps.is_some(), Param::Steps);
        add(self.chains.is_some(), Param::Chains);
        add(self.data.is_some(), Param::Data);
        add(self.instances.is_some(), Param::Instances);
        add(self.rho.is_some(), Param::Rho);
        add(self.sigma.is_some(), Param::Sigma);
        add(self.lambda.is_some(), Param::Lambda);
        v
    }
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.set_params().is_empty()
    }
}

/// Everything a claim's run needs.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub budget: Budget,
    pub seed: u64,
    pub overrides: Overrides,
    pub runner: Runner,
}

impl Ctx {
    /// A quiet context (tests).
    pub fn new(budget: Budget, seed: u64) -> Ctx {
        Ctx { budget, seed, overrides: Overrides::default(), runner: Runner::quiet() }
    }
    /// The stream `(seed, claim, purpose, index)`.
    pub fn stream(&self, claim: &str, purpose: &str, index: u64) -> Stream {
        stream(self.seed, claim, purpose, index)
    }
}

/// One paper statement, as data.
#[derive(Clone, Copy)]
pub struct Claim {
    /// Short id, e.g. "B.4", "3.1", "G.2", "warmup".
    pub id: &'static str,
    /// Title, e.g. "Lemma B.4 (the b-bounded potential contracts)".
    pub title: &'static str,
    /// Paper reference.
    pub paper: PaperRef,
    /// The statement in one line.
    pub statement: &'static str,
    /// Source file of the module.
    pub module: &'static str,
    /// Integration test that asserts it.
    pub test: &'static str,
    /// Overrides accepted by `check`.
    pub accepts: &'static [Param],
    /// Run the checks.
    pub run: fn(&Ctx) -> Result<Outcome>,
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Claim({})", self.id)
    }
}

impl Claim {
    /// The insta snapshot name of the claim's quick-budget report.
    pub fn snapshot_name(&self) -> String {
        let slug: String =
            self.id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        format!("claim_{slug}")
    }
    /// Path of the snapshot file, relative to the crate root.
    pub fn snapshot_path(&self) -> String {
        format!("snapshots/{}.snap", self.snapshot_name())
    }
    /// Reject overrides the claim does not accept.
    pub fn validate_overrides(&self, o: &Overrides) -> Result<()> {
        for p in o.set_params() {
            if !self.accepts.contains(&p) {
                return Err(Error::UnsupportedOverride {
                    claim: self.id.into(),
                    name: p.flag().into(),
                    accepted: self.accepts.iter().map(|a| format!("--{}", a.flag())).collect(),
                });
            }
        }
        Ok(())
    }
    /// Run with the context, time it, and stamp the outcome with the claim's metadata.
    pub fn execute(&self, ctx: &Ctx) -> Result<Outcome> {
        self.validate_overrides(&ctx.overrides)?;
        let t0 = std::time::Instant::now();
        let mut o = (self.run)(ctx)?;
        o.claim = self.id.to_string();
        o.title = self.title.to_string();
        o.budget = ctx.budget;
        o.seed = ctx.seed;
        o.overridden = !ctx.overrides.is_empty();
        o.elapsed_s = Some(t0.elapsed().as_secs_f64());
        Ok(o)
    }
}

// ------------------------------------------------------------------------------------------
// Layer 1: hypotheses audit
// ------------------------------------------------------------------------------------------

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

// ------------------------------------------------------------------------------------------
// Roles, verdicts
// ------------------------------------------------------------------------------------------

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

/// Verdict of a Monte Carlo check after Holm's correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// The claim holds with significance (upper confidence limit below the bound).
    Confirmed,
    /// The claim is contradicted with significance (lower confidence limit above the bound).
    Violated,
    /// Neither.
    Inconclusive,
    /// Not yet decided (before [`finalize`]).
    Pending,
}

impl Verdict {
    /// Upper-case name.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Confirmed => "CONFIRMED",
            Verdict::Violated => "VIOLATED",
            Verdict::Inconclusive => "INCONCLUSIVE",
            Verdict::Pending => "PENDING",
        }
    }
}

// ------------------------------------------------------------------------------------------
// Layer 2: exact checks
// ------------------------------------------------------------------------------------------

/// An inequality checked exactly at many states (margin ≥ 0 means it holds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExactCheck {
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
    /// Record a margin (scale 1).
    pub fn record(&mut self, margin: f64, at: impl FnOnce() -> String) {
        self.record_scaled(margin, 1.0, at)
    }
    /// Record a margin and its natural scale; the worst is by scaled margin. A NaN margin counts
    /// as a violation.
    pub fn record_scaled(&mut self, margin: f64, scale: f64, at: impl FnOnce() -> String) {
        self.states += 1;
        let bad = !(margin >= 0.0);
        if bad {
            self.violations += 1;
        }
        let scaled = if scale > 0.0 { margin / scale } else { margin };
        let worse = match self.worst_scaled {
            None => true,
            Some(w) => !(scaled >= w),
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

// ------------------------------------------------------------------------------------------
// Layer 3: Monte Carlo
// ------------------------------------------------------------------------------------------

/// The kind of statistical statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum McKind {
    /// `P(E) ≤ bound`.
    ProbUpper { bound: f64 },
    /// `P(E) = p0` (an exact law). CONFIRMED when not rejected and the interval's half-width is
    /// at most `tol`.
    ProbEquals { p0: f64, tol: f64 },
    /// `E[X] ≤ bound` for `X` in an interval of width `range` (Hoeffding).
    MeanUpper { bound: f64, range: f64 },
    /// `E[X] = mu0` (normal approximation with the sample variance); CONFIRMED when not
    /// rejected and the interval's half-width is at most `tol`.
    MeanEquals { mu0: f64, tol: f64 },
}

/// A Monte Carlo check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McCheck {
    /// Label, e.g. "B.2: P(‖ṽ[T]‖₁ > b0) ≤ ρ/3".
    pub id: String,
    /// The event or statistic, in words.
    pub event: String,
    pub regime: Regime,
    pub role: Role,
    pub kind: McKind,
    /// Chains / samples.
    pub trials: u64,
    /// Events (probability checks).
    pub count: Option<u64>,
    /// `p̂` or the sample mean.
    pub estimate: f64,
    /// Two-sided interval at [`CI_LEVEL`].
    pub ci: [f64; 2],
    /// p-value of "the claim fails" (small ⇒ evidence the claim holds).
    pub p_confirm: f64,
    /// p-value of "the claim holds" (small ⇒ evidence it fails).
    pub p_violate: f64,
    /// Chains that diverged (already counted in the event where the event requires it).
    pub diverged: u64,
    /// Smallest rate a probability check with these trials would flag as VIOLATED.
    pub detectable_rate: Option<f64>,
    /// `bound / p̂` (probability upper bounds with `p̂ > 0`).
    pub slack: Option<f64>,
    /// `bound / upper confidence limit`: the slack is at least this.
    pub slack_at_least: Option<f64>,
    /// Set by [`finalize`].
    pub verdict: Verdict,
    /// Holm family size and the level at which the check was decided (set by [`finalize`]).
    pub holm_family: Option<u64>,
}

impl McCheck {
    fn base(id: &str, event: &str, regime: Regime, role: Role, kind: McKind) -> McCheck {
        McCheck {
            id: id.into(),
            event: event.into(),
            regime,
            role,
            kind,
            trials: 0,
            count: None,
            estimate: 0.0,
            ci: [0.0, 1.0],
            p_confirm: 1.0,
            p_violate: 1.0,
            diverged: 0,
            detectable_rate: None,
            slack: None,
            slack_at_least: None,
            verdict: Verdict::Pending,
            holm_family: None,
        }
    }

    /// `P(E) ≤ bound` from `count` events in `trials`.
    pub fn prob_upper(
        id: &str,
        event: &str,
        regime: Regime,
        role: Role,
        count: u64,
        trials: u64,
        bound: f64,
    ) -> McCheck {
        let a2 = (1.0 - CI_LEVEL) / 2.0;
        let mut c = Self::base(id, event, regime, role, McKind::ProbUpper { bound });
        c.trials = trials;
        c.count = Some(count);
        c.estimate = if trials > 0 { count as f64 / trials as f64 } else { 0.0 };
        let (lo, hi) = stats::clopper_pearson(count, trials, 1.0 - CI_LEVEL);
        c.ci = [lo, hi];
        c.p_confirm = stats::binom_cdf(count, trials, bound);
        c.p_violate = stats::binom_sf_ge(count, trials, bound);
        c.detectable_rate = stats::min_violating_count(trials, bound, a2).map(|k| k as f64 / trials as f64);
        c.slack = if count > 0 { Some(bound / c.estimate) } else { None };
        c.slack_at_least = if hi > 0.0 { Some(bound / hi) } else { None };
        c
    }

    /// `P(E) = p0` from `count` events in `trials` (exact two-sided binomial test).
    pub fn prob_equals(
        id: &str,
        event: &str,
        regime: Regime,
        role: Role,
        count: u64,
        trials: u64,
        p0: f64,
        tol: f64,
    ) -> McCheck {
        let mut c = Self::base(id, event, regime, role, McKind::ProbEquals { p0, tol });
        c.trials = trials;
        c.count = Some(count);
        c.estimate = if trials > 0 { count as f64 / trials as f64 } else { 0.0 };
        let (lo, hi) = stats::clopper_pearson(count, trials, 1.0 - CI_LEVEL);
        c.ci = [lo, hi];
        c.p_violate = stats::binom_test_two_sided(count, trials, p0);
        c.p_confirm = 1.0;
        c
    }

    /// `E[X] ≤ bound` for samples in an interval of width `range` (Hoeffding).
    pub fn mean_upper(
        id: &str,
        event: &str,
        regime: Regime,
        role: Role,
        samples: &[f64],
        range: f64,
        bound: f64,
    ) -> McCheck {
        let a2 = (1.0 - CI_LEVEL) / 2.0;
        let mut c = Self::base(id, event, regime, role, McKind::MeanUpper { bound, range });
        let n = samples.len() as u64;
        let (m, _) = stats::mean_var(samples);
        c.trials = n;
        c.estimate = m;
        let rad = stats::hoeffding_radius(n, range, a2);
        c.ci = [m - rad, m + rad];
        c.p_confirm = stats::hoeffding_p(n, range, bound - m);
        c.p_violate = stats::hoeffding_p(n, range, m - bound);
        c.slack = if m > 0.0 { Some(bound / m) } else { None };
        c.slack_at_least = if m + rad > 0.0 { Some(bound / (m + rad)) } else { None };
        c
    }

    /// `E[X] = mu0` (normal approximation, sample variance).
    pub fn mean_equals(
        id: &str,
        event: &str,
        regime: Regime,
        role: Role,
        samples: &[f64],
        mu0: f64,
        tol: f64,
    ) -> McCheck {
        let mut c = Self::base(id, event, regime, role, McKind::MeanEquals { mu0, tol });
        let n = samples.len() as u64;
        let (m, var) = stats::mean_var(samples);
        let se = (var / n as f64).sqrt();
        let z_ci = stats::normal_quantile(1.0 - (1.0 - CI_LEVEL) / 2.0);
        c.trials = n;
        c.estimate = m;
        c.ci = [m - z_ci * se, m + z_ci * se];
        c.p_violate = if se > 0.0 {
            stats::normal_two_sided((m - mu0) / se)
        } else if m == mu0 {
            1.0
        } else {
            0.0
        };
        c.p_confirm = 1.0;
        c
    }

    /// Attach the number of diverged chains.
    pub fn with_diverged(mut self, k: u64) -> McCheck {
        self.diverged = k;
        self
    }

    /// p-value entering Holm's procedure (two directions for bound checks ⇒ factor 2).
    pub fn holm_p(&self) -> f64 {
        match self.kind {
            McKind::ProbUpper { .. } | McKind::MeanUpper { .. } => (2.0 * self.p_confirm.min(self.p_violate)).min(1.0),
            McKind::ProbEquals { .. } | McKind::MeanEquals { .. } => self.p_violate,
        }
    }

    fn decide(&mut self, rejected: bool) {
        self.verdict = match self.kind {
            McKind::ProbUpper { .. } | McKind::MeanUpper { .. } => {
                if !rejected {
                    Verdict::Inconclusive
                } else if self.p_confirm < self.p_violate {
                    Verdict::Confirmed
                } else {
                    Verdict::Violated
                }
            }
            McKind::ProbEquals { tol, .. } | McKind::MeanEquals { tol, .. } => {
                if rejected {
                    Verdict::Violated
                } else if (self.ci[1] - self.ci[0]) / 2.0 <= tol {
                    Verdict::Confirmed
                } else {
                    Verdict::Inconclusive
                }
            }
        };
    }

    /// Did the check come out as its role requires (after [`finalize`])? Primary and repair
    /// checks must be CONFIRMED, controls and witnesses VIOLATED.
    pub fn as_expected(&self) -> bool {
        if self.role.must_fail() { self.verdict == Verdict::Violated } else { self.verdict == Verdict::Confirmed }
    }
}

// ------------------------------------------------------------------------------------------
// Errata, measurements, figures
// ------------------------------------------------------------------------------------------

/// How legible the paper's text behind a statement is (SPEC §0.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reading {
    /// Legible in the OCR.
    Legible,
    /// RECONSTRUCTED[h]
    ReconstructedHigh,
    /// RECONSTRUCTED[m]
    ReconstructedMedium,
    /// RECONSTRUCTED[l]
    ReconstructedLow,
}

impl Reading {
    /// SPEC's notation: "legible", "RECONSTRUCTED[h]", "RECONSTRUCTED[m]", "RECONSTRUCTED[l]".
    pub fn label(self) -> &'static str {
        match self {
            Reading::Legible => "legible",
            Reading::ReconstructedHigh => "RECONSTRUCTED[h]",
            Reading::ReconstructedMedium => "RECONSTRUCTED[m]",
            Reading::ReconstructedLow => "RECONSTRUCTED[l]",
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
    /// Ids of the witness checks (exact or MC) in this outcome.
    pub witnesses: Vec<String>,
    /// True when every witness check failed as predicted (set by [`finalize`]).
    pub witnessed: bool,
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
    /// An empty outcome (metadata is filled in by [`Claim::execute`]).
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
    /// The MC check with this id.
    pub fn mc_check(&self, id: &str) -> Option<&McCheck> {
        self.mc.iter().find(|c| c.id == id)
    }
    /// The exact check with this id.
    pub fn exact_check(&self, id: &str) -> Option<&ExactCheck> {
        self.exact.iter().find(|c| c.id == id)
    }
    /// Record a hypotheses audit; returns the regime it decides.
    pub fn push_audit(&mut self, a: Audit) -> Regime {
        let regime = Regime::of(&a);
        self.audits.push(a);
        regime
    }
    /// The worst scaled margin of the exact check with this id (NaN if absent or unscaled).
    pub fn worst_scaled(&self, id: &str) -> f64 {
        self.exact_check(id).and_then(|c| c.worst_scaled).unwrap_or(f64::NAN)
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

/// Apply Holm's correction over every MC check of the run (all outcomes together), set the
/// verdicts, and mark errata whose witnesses failed as predicted.
pub fn finalize(outcomes: &mut [Outcome], alpha: f64) {
    let mut ps = Vec::new();
    for o in outcomes.iter() {
        for c in &o.mc {
            ps.push(c.holm_p());
        }
    }
    let rejected = stats::holm(&ps, alpha);
    let m = ps.len() as u64;
    let mut j = 0;
    for o in outcomes.iter_mut() {
        for c in &mut o.mc {
            c.decide(rejected[j]);
            c.holm_family = Some(m);
            j += 1;
        }
        let Outcome { exact, mc, errata, .. } = o;
        for e in errata.iter_mut() {
            e.witnessed = !e.witnesses.is_empty()
                && e.witnesses.iter().all(|w| {
                    exact
                        .iter()
                        .find(|c| &c.id == w)
                        .map(|c| c.violations > 0)
                        .or_else(|| mc.iter().find(|c| &c.id == w).map(|c| c.verdict == Verdict::Violated))
                        == Some(true)
                });
        }
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
