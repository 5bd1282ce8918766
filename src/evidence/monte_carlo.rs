//! Layer 3, Monte Carlo: counts and sample means turned into Clopper–Pearson / Hoeffding / normal
//! intervals and p-values, Holm's correction over every check of a run ([`finalize`]) and the
//! verdicts.

use serde::{Deserialize, Serialize};

use super::{Class, Outcome, Provenance, Role, errata};
use crate::engine::stats;
use crate::numfmt::fmt;

/// Family-wise significance level of a run (Holm over all statistical checks).
pub const FAMILY_ALPHA: f64 = 0.01;
/// Confidence level of the intervals printed with each check (two-sided).
pub const CI_LEVEL: f64 = 0.99;
/// The number of checks a run may have for which every negative control and erratum witness must
/// still be caught: each such Monte Carlo check needs `holm_p ≤ FAMILY_ALPHA / CONTROL_FAMILY_REFERENCE`
/// (enforced by the tests), so it stays VIOLATED under Holm's correction in any run of up to this many
/// checks — not only inside its own claim. (`cargo run --release` has about 200.)
pub const CONTROL_FAMILY_REFERENCE: usize = 1000;

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
        "Power of '{what}': N = {n} chains against β = {}: N·β = {} {} 5, so this check {}; {detect}; \
         confirming β with 0 events needs N ≥ {} chains (before the Holm correction).",
        fmt(beta),
        fmt(nb),
        if can { "≥" } else { "<" },
        if can {
            "can confirm the bound"
        } else {
            "has too few chains to confirm the bound (INCONCLUSIVE when no event occurs) and only detects \
             gross violations"
        },
        fmt(need)
    )
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

/// The kind of statistical statement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum McKind {
    /// `P(E) ≤ bound`.
    ProbUpper { bound: f64 },
    /// `P(E) = p0` (an exact law): CONFIRMED only by an equivalence test (TOST: `|p − p0| < margin`,
    /// two exact one-sided binomial tests), VIOLATED when the point null is rejected (exact
    /// two-sided binomial test). Both p-values enter Holm.
    ProbEquals { p0: f64, margin: f64, rationale: String },
    /// `E[X] ≤ bound` for `X` in an interval of width `range` (Hoeffding).
    MeanUpper { bound: f64, range: f64 },
    /// `E[X] = mu0`: CONFIRMED only by an equivalence test (TOST, normal approximation with the
    /// sample variance, `|E X − mu0| < margin`), VIOLATED when the point null is rejected. Both
    /// p-values enter Holm.
    MeanEquals { mu0: f64, margin: f64, rationale: String },
}

impl McKind {
    /// Is it an equality (an equivalence test)?
    pub fn is_equality(&self) -> bool {
        matches!(self, McKind::ProbEquals { .. } | McKind::MeanEquals { .. })
    }
}

/// The equivalence margin of an equality check, stated before the run with its rationale and its
/// provenance: CONFIRMED means `|θ − θ0| < margin` with significance.
#[derive(Clone, Debug, PartialEq)]
pub struct Equivalence {
    /// Absolute margin.
    pub margin: f64,
    /// Why this margin (printed).
    pub rationale: String,
    /// Where it comes from (normally [`Provenance::PreStated`]).
    pub provenance: Provenance,
}

impl Equivalence {
    /// An absolute margin, stated before the run.
    pub fn absolute(margin: f64, rationale: impl Into<String>) -> Equivalence {
        Equivalence { margin, rationale: rationale.into(), provenance: Provenance::PreStated }
    }
    /// A margin relative to the target value `target` (`rel·|target|`), stated before the run.
    pub fn relative(rel: f64, target: f64, rationale: impl Into<String>) -> Equivalence {
        Equivalence::absolute(rel * target.abs(), rationale)
    }
    /// The same margin with another provenance.
    pub fn provenance(mut self, p: Provenance) -> Equivalence {
        self.provenance = p;
        self
    }
}

/// A Monte Carlo check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct McCheck {
    /// Stable key the code and tests look the check up by; not serialized.
    #[serde(skip)]
    pub key: String,
    /// Label, e.g. `B.2: P(‖ṽ[T]‖₁ > b0) ≤ ρ/3`.
    pub id: String,
    /// The event or statistic, in words.
    pub event: String,
    /// What the check tests (statement literal / designed / practical, supporting, computed).
    pub class: Class,
    pub role: Role,
    pub kind: McKind,
    /// Where the threshold (bound, level or equivalence margin) comes from.
    pub threshold: Provenance,
    /// Chains / samples.
    pub trials: u64,
    /// Events (probability checks).
    pub count: Option<u64>,
    /// `p̂` or the sample mean.
    pub estimate: f64,
    /// Two-sided interval at [`CI_LEVEL`].
    pub ci: [f64; 2],
    /// p-value of "the claim fails" (small ⇒ evidence the claim holds); for an equality, the TOST
    /// p-value of `|θ − θ0| ≥ margin`.
    pub p_confirm: f64,
    /// p-value of "the claim holds" (small ⇒ evidence it fails); for an equality, the point null
    /// `θ = θ0`.
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
    /// Holm family size: the number of p-values of the run (set by [`finalize`]).
    pub holm_family: Option<u64>,
}

/// What a Monte Carlo check is about: its printed id, the event or statistic in words, the class
/// its audit decided and its role. [`McCheck::about`] makes one; its methods turn the data into a
/// check of one kind (`P(E) ≤ β`, `P(E) = p0`, `E X ≤ β`, `E X = μ0`).
#[derive(Clone, Debug)]
pub struct McSubject {
    id: String,
    event: String,
    class: Class,
    role: Role,
}

impl McSubject {
    fn check(self, kind: McKind) -> McCheck {
        McCheck {
            key: String::new(),
            id: self.id,
            event: self.event,
            class: self.class,
            role: self.role,
            threshold: Provenance::Unlabelled,
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

    /// A check of `kind` with `count` events in `trials`: the estimate and the two-sided
    /// Clopper–Pearson interval at [`CI_LEVEL`].
    fn counted(self, kind: McKind, count: u64, trials: u64) -> McCheck {
        let mut c = self.check(kind);
        c.trials = trials;
        c.count = Some(count);
        c.estimate = if trials > 0 { count as f64 / trials as f64 } else { 0.0 };
        let (lo, hi) = stats::clopper_pearson(count, trials, 1.0 - CI_LEVEL);
        c.ci = [lo, hi];
        c
    }

    /// `P(E) ≤ bound` from `count` events in `trials`.
    pub fn prob_upper(self, count: u64, trials: u64, bound: f64) -> McCheck {
        let a2 = (1.0 - CI_LEVEL) / 2.0;
        let mut c = self.counted(McKind::ProbUpper { bound }, count, trials);
        let hi = c.ci[1];
        c.p_confirm = stats::binom_cdf(count, trials, bound);
        c.p_violate = stats::binom_sf_ge(count, trials, bound);
        c.detectable_rate = stats::min_violating_count(trials, bound, a2).map(|k| k as f64 / trials as f64);
        c.slack = if count > 0 { Some(bound / c.estimate) } else { None };
        c.slack_at_least = if hi > 0.0 { Some(bound / hi) } else { None };
        c
    }

    /// `P(E) = p0` from `count` events in `trials`: the exact two-sided binomial test of the point
    /// null, and the equivalence test (TOST) at `eq.margin`. The check's threshold provenance is the
    /// margin's.
    ///
    /// # Formula
    /// `p_equiv = max(P(Bin(N, p0 − Δ) ≥ k), P(Bin(N, p0 + Δ) ≤ k))`, a side being 0 when
    /// `p0 − Δ < 0` (resp. `p0 + Δ > 1`), where the null of that side is empty.
    pub fn prob_equals(self, count: u64, trials: u64, p0: f64, eq: Equivalence) -> McCheck {
        let d = eq.margin;
        let mut c = self.counted(McKind::ProbEquals { p0, margin: d, rationale: eq.rationale.clone() }, count, trials);
        c.threshold = eq.provenance;
        c.p_violate = stats::binom_test_two_sided(count, trials, p0);
        let lo = if p0 - d < 0.0 { 0.0 } else { stats::binom_sf_ge(count, trials, p0 - d) };
        let hi = if p0 + d > 1.0 { 0.0 } else { stats::binom_cdf(count, trials, p0 + d) };
        c.p_confirm = lo.max(hi);
        c
    }

    /// `E[X] ≤ bound` for samples in an interval of width `range` (Hoeffding).
    pub fn mean_upper(self, samples: &[f64], range: f64, bound: f64) -> McCheck {
        let a2 = (1.0 - CI_LEVEL) / 2.0;
        let mut c = self.check(McKind::MeanUpper { bound, range });
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

    /// `E[X] = mu0`: the point null (normal approximation, sample variance) and the equivalence
    /// test (TOST) at `eq.margin`.
    ///
    /// # Formula
    /// `se = s/√N`; `p_equiv = max(1 − Φ((x̄ − μ0 + Δ)/se), Φ((x̄ − μ0 − Δ)/se))`; with `se = 0`,
    /// `p_equiv = 0` iff `|x̄ − μ0| < Δ`.
    pub fn mean_equals(self, samples: &[f64], mu0: f64, eq: Equivalence) -> McCheck {
        let d = eq.margin;
        let mut c = self.check(McKind::MeanEquals { mu0, margin: d, rationale: eq.rationale.clone() });
        c.threshold = eq.provenance;
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
        c.p_confirm = if se > 0.0 {
            let upper_tail = 1.0 - stats::normal_cdf((m - mu0 + d) / se);
            let lower_tail = stats::normal_cdf((m - mu0 - d) / se);
            upper_tail.max(lower_tail)
        } else if (m - mu0).abs() < d {
            0.0
        } else {
            1.0
        };
        if !c.p_confirm.is_finite() {
            c.p_confirm = 1.0;
        }
        c
    }
}

impl McCheck {
    /// The subject of a new check: `McCheck::about(id, event, class, role).prob_upper(k, n, β)`.
    pub fn about(id: &str, event: &str, class: Class, role: Role) -> McSubject {
        McSubject { id: id.into(), event: event.into(), class, role }
    }

    /// The same check with the provenance of its threshold (bound or level).
    pub fn threshold(mut self, p: Provenance) -> McCheck {
        self.threshold = p;
        self
    }

    /// The same check with its stable key.
    pub fn keyed(mut self, key: impl Into<String>) -> McCheck {
        self.key = key.into();
        self
    }

    /// Attach the number of diverged chains.
    pub fn with_diverged(mut self, k: u64) -> McCheck {
        self.diverged = k;
        self
    }

    /// The p-values entering Holm's procedure. A bound check enters one, `2·min(p_confirm,
    /// p_violate)` (two directions); an equality enters two, the equivalence test's and the point
    /// null's.
    pub fn holm_ps(&self) -> Vec<f64> {
        if self.kind.is_equality() {
            vec![self.p_confirm, self.p_violate]
        } else {
            vec![(2.0 * self.p_confirm.min(self.p_violate)).min(1.0)]
        }
    }

    /// Set the verdict from Holm's decisions on [`holm_ps`](McCheck::holm_ps).
    fn decide(&mut self, rejected: &[bool]) {
        self.verdict = if self.kind.is_equality() {
            // The point null rejected: the law is contradicted, whatever the equivalence test says.
            if rejected[1] {
                Verdict::Violated
            } else if rejected[0] {
                Verdict::Confirmed
            } else {
                Verdict::Inconclusive
            }
        } else if !rejected[0] {
            Verdict::Inconclusive
        } else if self.p_confirm < self.p_violate {
            Verdict::Confirmed
        } else {
            Verdict::Violated
        };
    }

    /// Does the check count toward the claim's verdict? Not when its threshold is exploratory or
    /// when it is a computed fact.
    pub fn counts(&self) -> bool {
        self.threshold.counts() && !matches!(self.class, Class::Computed { .. })
    }

    /// Did the check come out as its role requires (after [`finalize`])? Primary and repair
    /// checks must be CONFIRMED, controls and witnesses VIOLATED.
    pub fn as_expected(&self) -> bool {
        if self.role.must_fail() { self.verdict == Verdict::Violated } else { self.verdict == Verdict::Confirmed }
    }
}

/// Apply Holm's correction over every MC check of the run (all outcomes together), set the
/// verdicts, and mark errata whose witnesses failed as predicted.
pub fn finalize(outcomes: &mut [Outcome], alpha: f64) {
    let mut ps = Vec::new();
    for o in outcomes.iter() {
        for c in &o.mc {
            ps.extend(c.holm_ps());
        }
    }
    let rejected = stats::holm(&ps, alpha);
    let m = ps.len() as u64;
    let mut j = 0;
    for o in outcomes.iter_mut() {
        for c in &mut o.mc {
            let k = c.holm_ps().len();
            c.decide(&rejected[j..j + k]);
            c.holm_family = Some(m);
            j += k;
        }
        let Outcome { exact, search, mc, errata, .. } = o;
        errata::mark_witnessed(errata, exact, search, mc);
    }
}
