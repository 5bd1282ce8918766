//! Sizing the full budget (issue 16): how many chains a Monte Carlo check needs for a decisive
//! verdict, CONFIRMED or VIOLATED, at the family level after Holm's correction over a whole run.
//!
//! The rule is *derived* (stated before any full run): a check is decisive at `n` chains when its
//! p-value passes the **worst-case Holm level `α/m`**, `m` the number of Monte Carlo p-values of the
//! run (Holm's first step; every later step is more lenient). With the rate (or mean) observed at the
//! default budget taken as the truth, the expected count at `n` chains is `n·p`, rounded against
//! the verdict (up for CONFIRMED, down for VIOLATED), and:
//!
//! * `P(E) ≤ β`: the one-sided Clopper–Pearson test. A bound check enters Holm with
//!   `2·min(p_confirm, p_violate)`, so it needs `P(Bin(n, β) ≤ k) ≤ α/(2m)` (CONFIRMED) or
//!   `P(Bin(n, β) ≥ k) ≤ α/(2m)` (VIOLATED); equivalently the one-sided CP limit at level `α/(2m)`
//!   is on the right side of `β`;
//! * `P(E) = p0` within `Δ`: the equivalence test (TOST), `max(P(Bin(n, p0 − Δ) ≥ k),
//!   P(Bin(n, p0 + Δ) ≤ k)) ≤ α/m`;
//! * `E X ≤ β` for `X` in a range `R` (Hoeffding): `exp(−2n(β − μ)²/R²) ≤ α/(2m)`;
//! * `E X = μ0` within `Δ` (normal TOST): `Φ((|μ − μ0| − Δ)/(s/√n)) ≤ α/m`.
//!
//! To be conservative the rate is also taken at the end of the default run's 99% interval nearer
//! the bound (for equalities: farther from the target); when that end is on the bound's other side
//! the default run cannot tell on which side the rate lies, and only the estimate gives a count.
//! A rate exactly on the bound (an equality's deviation at or beyond its margin) cannot be decided
//! at any `n`: no count is given.

use serde::Serialize;

use super::monte_carlo::{CI_LEVEL, McCheck, McKind};
use crate::engine::stats;

/// Above this many chains a check is not sized into `--budget full`: the count is reported instead.
pub const MAX_SENSIBLE_CHAINS: u64 = 1_000_000;
/// Above this many CPU-hours a check is not sized into `--budget full`: the count is reported instead.
pub const MAX_SENSIBLE_CPU_HOURS: f64 = 1000.0;
/// The largest count the search tries (far beyond any budget; beyond it the answer is "more than").
pub const SEARCH_CAP: u64 = 1 << 50;

/// How many chains a check needs.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "need", rename_all = "kebab-case")]
pub enum Need {
    /// Decisive from this many chains on.
    Chains { n: u64 },
    /// Not decisive even at [`SEARCH_CAP`] chains.
    Beyond { cap: u64 },
    /// No number of chains decides it (the reason).
    Undecidable { why: String },
}

impl Need {
    /// The count, when there is one.
    pub fn chains(&self) -> Option<u64> {
        match self {
            Need::Chains { n } => Some(*n),
            _ => None,
        }
    }
}

/// The worst-case Holm level of a run of `m` p-values at family level `alpha`: `α/m`.
pub fn holm_worst_level(alpha: f64, m: u64) -> f64 {
    alpha / m.max(1) as f64
}

/// The smallest `n ≤ SEARCH_CAP` with `decided(n)`, assuming `decided` is monotone in `n` (doubling,
/// then bisection).
fn smallest(decided: impl Fn(u64) -> bool) -> Need {
    let mut hi = 1u64;
    while !decided(hi) {
        if hi >= SEARCH_CAP {
            return Need::Beyond { cap: SEARCH_CAP };
        }
        hi = (hi * 2).min(SEARCH_CAP);
    }
    let mut lo = hi / 2; // not decided (or 0)
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if decided(mid) { hi = mid } else { lo = mid }
    }
    Need::Chains { n: hi }
}

/// `P(E) ≤ bound` with true rate `rate`: the chains for the one-sided Clopper–Pearson test at
/// one-sided level `level` (`α/(2m)` for a bound check in a run of `m` p-values).
pub fn prob_bound_chains(rate: f64, bound: f64, level: f64) -> Need {
    if rate == bound {
        return Need::Undecidable { why: format!("the rate {rate} is on the bound: no n decides it") };
    }
    if rate < bound {
        // CONFIRMED: P(Bin(n, β) ≤ ⌈n·rate⌉) ≤ level.
        smallest(|n| stats::binom_cdf((n as f64 * rate).ceil() as u64, n, bound) <= level)
    } else {
        // VIOLATED: P(Bin(n, β) ≥ ⌊n·rate⌋) ≤ level.
        smallest(|n| stats::binom_sf_ge((n as f64 * rate).floor() as u64, n, bound) <= level)
    }
}

/// `P(E) = p0` within `margin`, true rate `rate`: the chains for the equivalence test (TOST) at
/// level `level` (`α/m`).
pub fn prob_equal_chains(rate: f64, p0: f64, margin: f64, level: f64) -> Need {
    if (rate - p0).abs() >= margin {
        return Need::Undecidable {
            why: format!("|rate − p0| = {} is not inside the margin {margin}", (rate - p0).abs()),
        };
    }
    smallest(|n| {
        let k = n as f64 * rate;
        let lo = if p0 - margin < 0.0 { 0.0 } else { stats::binom_sf_ge(k.floor() as u64, n, p0 - margin) };
        let hi = if p0 + margin > 1.0 { 0.0 } else { stats::binom_cdf(k.ceil() as u64, n, p0 + margin) };
        lo.max(hi) <= level
    })
}

/// `E X ≤ bound` for `X` in a range of width `range`, true mean `mean`: the samples for
/// Hoeffding's test at one-sided level `level` (`α/(2m)`), `⌈R² ln(1/level) / (2(β − μ)²)⌉`.
pub fn mean_bound_chains(mean: f64, bound: f64, range: f64, level: f64) -> Need {
    let gap = (bound - mean).abs();
    if gap == 0.0 {
        return Need::Undecidable { why: format!("the mean {mean} is on the bound: no n decides it") };
    }
    ceil_count(range * range * (1.0 / level).ln() / (2.0 * gap * gap))
}

/// `E X = mu0` within `margin`, true mean `mean`, standard deviation `sd`: the samples for the
/// normal equivalence test at level `level` (`α/m`), `⌈(z_{1−level} s / (Δ − |μ − μ0|))²⌉`.
pub fn mean_equal_chains(mean: f64, sd: f64, mu0: f64, margin: f64, level: f64) -> Need {
    let room = margin - (mean - mu0).abs();
    if room <= 0.0 {
        return Need::Undecidable {
            why: format!("|mean − μ0| = {} is not inside the margin {margin}", (mean - mu0).abs()),
        };
    }
    let z = stats::normal_quantile(1.0 - level);
    ceil_count((z * sd / room).powi(2))
}

fn ceil_count(x: f64) -> Need {
    if !x.is_finite() || x > SEARCH_CAP as f64 {
        Need::Beyond { cap: SEARCH_CAP }
    } else {
        Need::Chains { n: (x.ceil() as u64).max(1) }
    }
}

/// The sizing of one check: at the observed estimate, and at the conservative end of its interval.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sizing {
    /// The level the check's p-value must pass (`α/(2m)` for bounds, `α/m` for equalities).
    pub level: f64,
    /// The bound (or target) the estimate is compared with.
    pub bound: f64,
    /// The rate or mean used as the truth for the conservative count.
    pub conservative_rate: f64,
    /// Chains needed if the estimate is the truth.
    pub at_estimate: Need,
    /// Chains needed if the interval's end nearer the bound is the truth.
    pub conservative: Need,
}

impl Sizing {
    /// The count the full budget is sized to: the conservative count when there is one, else the
    /// count at the estimate (when the interval straddles the bound, the estimate is all there is).
    pub fn chosen(&self) -> &Need {
        if self.conservative.chains().is_some() { &self.conservative } else { &self.at_estimate }
    }
}

/// Size `check` (as reported by a run) for a decisive verdict in a run of `m` p-values at family
/// level `alpha`.
pub fn size(check: &McCheck, alpha: f64, m: u64) -> Sizing {
    let lv = holm_worst_level(alpha, m);
    let (est, [lo, hi]) = (check.estimate, check.ci);
    // An upper bound enters Holm as 2·min(p): sized at α/(2m), at the estimate and at the interval's
    // end nearer the bound (unless the interval straddles it).
    let upper = |bound: f64, need: &dyn Fn(f64) -> Need| {
        let c = nearer(est, lo, hi, bound);
        Sizing {
            level: lv / 2.0,
            bound,
            conservative_rate: c,
            at_estimate: need(est),
            conservative: straddle(est, c, bound).unwrap_or_else(|| need(c)),
        }
    };
    match &check.kind {
        McKind::ProbUpper { bound } => upper(*bound, &|x| prob_bound_chains(x, *bound, lv / 2.0)),
        McKind::MeanUpper { bound, range } => upper(*bound, &|x| mean_bound_chains(x, *bound, *range, lv / 2.0)),
        McKind::ProbEquals { p0, margin, .. } => {
            let c = if (lo - p0).abs() > (hi - p0).abs() { lo } else { hi };
            Sizing {
                level: lv,
                bound: *p0,
                conservative_rate: c,
                at_estimate: prob_equal_chains(est, *p0, *margin, lv),
                conservative: prob_equal_chains(c, *p0, *margin, lv),
            }
        }
        McKind::MeanEquals { mu0, margin, .. } => {
            // The printed interval is `x̄ ± z_{(1+CI)/2} s/√N`: recover s.
            let z = stats::normal_quantile(1.0 - (1.0 - CI_LEVEL) / 2.0);
            let sd = (hi - lo) / (2.0 * z) * (check.trials as f64).sqrt();
            let c = if (lo - mu0).abs() > (hi - mu0).abs() { lo } else { hi };
            Sizing {
                level: lv,
                bound: *mu0,
                conservative_rate: c,
                at_estimate: mean_equal_chains(est, sd, *mu0, *margin, lv),
                conservative: mean_equal_chains(c, sd, *mu0, *margin, lv),
            }
        }
    }
}

/// The end of `[lo, hi]` nearer `bound`, on the estimate's side.
fn nearer(est: f64, lo: f64, hi: f64, bound: f64) -> f64 {
    if est <= bound { hi } else { lo }
}

/// When the conservative end is on the bound or beyond it, the default run cannot tell the side.
fn straddle(est: f64, c: f64, bound: f64) -> Option<Need> {
    let crosses = if est < bound { c >= bound } else { c <= bound };
    crosses.then(|| Need::Undecidable {
        why: format!(
            "the {}% interval reaches the bound {bound}: the default run cannot tell the side",
            CI_LEVEL * 100.0
        ),
    })
}

/// CPU-hours of `chains` chains at `core_seconds` per chain.
pub fn cpu_hours(chains: u64, core_seconds: f64) -> f64 {
    chains as f64 * core_seconds / 3600.0
}

/// Wall-clock hours of `cpu_hours` on `shards` shards of `cores` cores each, perfectly balanced (the
/// shards split every check's chain-index range).
pub fn wall_hours(cpu_hours: f64, shards: u64, cores: u64) -> f64 {
    cpu_hours / (shards.max(1) * cores.max(1)) as f64
}

/// Is a count sensible for `--budget full` ([`MAX_SENSIBLE_CHAINS`], [`MAX_SENSIBLE_CPU_HOURS`])?
pub fn sensible(chains: u64, cpu_hours: f64) -> bool {
    chains <= MAX_SENSIBLE_CHAINS && cpu_hours <= MAX_SENSIBLE_CPU_HOURS
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{Class, Role};

    fn n(need: Need) -> u64 {
        need.chains().unwrap_or_else(|| panic!("a count: {need:?}"))
    }

    #[test]
    fn zero_events_match_the_closed_form_and_the_cp_limit() {
        // 0 events: P(Bin(n, β) ≤ 0) = (1 − β)^n ≤ level ⇔ n ≥ ln(level)/ln(1 − β).
        for (beta, level) in [(0.01, 0.005), (0.002, 1e-5), (0.1, 0.05), (1e-3, 2e-5)] {
            let got = n(prob_bound_chains(0.0, beta, level));
            let closed = (level.ln() / (-beta).ln_1p()).ceil() as u64;
            assert_eq!(got, closed, "β = {beta}, level = {level}");
            // The one-sided Clopper–Pearson upper limit at `level` crosses β exactly there.
            assert!(stats::cp_upper(0, got, level) <= beta);
            assert!(stats::cp_upper(0, got - 1, level) > beta);
        }
        // Known values: the "rule of three" at 95% (n = 299 for β = 0.01) and ln(200)/0.01005 = 528.
        assert_eq!(n(prob_bound_chains(0.0, 0.01, 0.05)), 299);
        assert_eq!(n(prob_bound_chains(0.0, 0.01, 0.005)), 528);
    }

    #[test]
    fn counts_decide_at_the_returned_n_and_not_just_before() {
        for (rate, beta, level) in [(0.003, 0.01, 1e-5), (0.05, 0.1, 2e-5), (0.2, 0.1, 2e-5), (0.02, 0.01, 1e-4)] {
            let got = n(prob_bound_chains(rate, beta, level));
            let p = |m: u64| {
                if rate < beta {
                    stats::binom_cdf((m as f64 * rate).ceil() as u64, m, beta)
                } else {
                    stats::binom_sf_ge((m as f64 * rate).floor() as u64, m, beta)
                }
            };
            assert!(p(got) <= level, "rate {rate}: decided at {got}");
            assert!(got > 1, "rate {rate}");
        }
    }

    #[test]
    fn more_chains_the_nearer_the_rate_and_the_larger_the_run() {
        let beta = 0.01;
        let mut last = 0;
        for rate in [0.0, 0.002, 0.004, 0.006, 0.008, 0.009] {
            let got = n(prob_bound_chains(rate, beta, 1e-5));
            assert!(got > last, "rate {rate}: {got} after {last}");
            last = got;
        }
        let mut last = u64::MAX;
        for rate in [0.011, 0.012, 0.015, 0.02, 0.05] {
            let got = n(prob_bound_chains(rate, beta, 1e-5));
            assert!(got < last, "rate {rate}: {got} after {last}");
            last = got;
        }
        // A larger run (more p-values, a smaller worst-case Holm level) needs more chains.
        let small = n(prob_bound_chains(0.0, beta, holm_worst_level(0.01, 50) / 2.0));
        let large = n(prob_bound_chains(0.0, beta, holm_worst_level(0.01, 500) / 2.0));
        assert!(large > small);
        assert!(n(mean_bound_chains(0.5, 1.0, 2.0, 1e-5)) < n(mean_bound_chains(0.9, 1.0, 2.0, 1e-5)));
        assert!(n(mean_equal_chains(1.0, 1.0, 1.0, 0.1, 1e-5)) < n(mean_equal_chains(1.05, 1.0, 1.0, 0.1, 1e-5)));
        assert!(n(prob_equal_chains(0.5, 0.5, 0.02, 1e-5)) < n(prob_equal_chains(0.51, 0.5, 0.02, 1e-5)));
    }

    #[test]
    fn a_rate_on_the_bound_is_undecidable() {
        assert!(matches!(prob_bound_chains(0.01, 0.01, 1e-5), Need::Undecidable { .. }));
        assert!(matches!(mean_bound_chains(2.0, 2.0, 1.0, 1e-5), Need::Undecidable { .. }));
        assert!(matches!(prob_equal_chains(0.53, 0.5, 0.02, 1e-5), Need::Undecidable { .. }));
        assert!(matches!(mean_equal_chains(1.2, 1.0, 1.0, 0.1, 1e-5), Need::Undecidable { .. }));
    }

    #[test]
    fn hoeffding_and_normal_counts_are_the_closed_forms() {
        // R² ln(1/level)/(2 gap²) = 4 · ln(1e5) / (2 · 0.25) = 92.1 → 93.
        assert_eq!(n(mean_bound_chains(0.5, 1.0, 2.0, 1e-5)), 93);
        // (z_{1−1e−5} · 1 / 0.1)² = (4.2649 · 10)² = 1818.9 → 1819.
        assert_eq!(n(mean_equal_chains(1.0, 1.0, 1.0, 0.1, 1e-5)), 1819);
    }

    #[test]
    fn sizing_a_check_uses_the_estimate_and_the_interval_end_nearer_the_bound() {
        // 0/48 against β = 0.01: the 99% interval [0, 0.104] straddles the bound (conservative count
        // undecidable); the estimate needs the zero-event count.
        let c = McCheck::about("D.1", "event", Class::computed("test"), Role::Primary).prob_upper(0, 48, 0.01);
        let s = size(&c, 0.01, 250);
        assert_eq!(s.level, 0.01 / 250.0 / 2.0);
        assert!(matches!(s.conservative, Need::Undecidable { .. }));
        let closed = (s.level.ln() / (-0.01f64).ln_1p()).ceil() as u64;
        assert_eq!(s.chosen().chains(), Some(closed));
        // 30/10 000 against 0.01: the interval's upper end is below the bound, and the conservative
        // count (at that end) exceeds the estimate's.
        let c = McCheck::about("x", "event", Class::computed("test"), Role::Primary).prob_upper(30, 10_000, 0.01);
        let s = size(&c, 0.01, 250);
        let (e, k) = (n(s.at_estimate.clone()), n(s.conservative.clone()));
        assert!(k > e, "{k} > {e}");
        assert_eq!(s.chosen().chains(), Some(k));
    }
}
