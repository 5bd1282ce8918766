//! Statistics for the Monte Carlo layer: Clopper–Pearson intervals, exact binomial tests,
//! concentration-based intervals for bounded means, and Holm's step-down correction.
//!
//! Quantiles and tails come from statrs (`Beta`, `Binomial`, regularised incomplete beta).
//!
//! # Formula
//! * Clopper–Pearson, `k` events in `N` trials, level `α` per side:
//!   `lower = Beta⁻¹(α; k, N−k+1)` (0 if `k = 0`), `upper = Beta⁻¹(1−α; k+1, N−k)` (1 if `k = N`).
//! * Upper-bound claim `P(E) ≤ β`: `p_confirm = P(Bin(N, β) ≤ k)`, `p_violate = P(Bin(N, β) ≥ k)`;
//!   `upper < β ⇔ p_confirm < α` and `lower > β ⇔ p_violate < α` (Clopper–Pearson duality).
//! * Exact two-sided binomial test of `p = p0`: sum of `P(Bin(N, p0) = j)` over all `j` with
//!   `P(j) ≤ P(k)·(1 + 1e−7)` (the "minimum likelihood" rule of R's `binom.test`).
//! * Hoeffding interval for a mean of `N` values in `[a, b]`: `x̄ ± (b − a) √(ln(1/α)/(2N))` per side.
//! * Equivalence (TOST) of `p = p0` within `Δ`: `max(P(Bin(N, p0 − Δ) ≥ k), P(Bin(N, p0 + Δ) ≤ k))`;
//!   of a mean within `Δ`: `max(1 − Φ((x̄ − μ0 + Δ)/se), Φ((x̄ − μ0 − Δ)/se))`.
//! * Holm: sort the `m` p-values; reject `p_(j)` while `p_(j) ≤ α/(m − j + 1)`.

use statrs::distribution::{Beta, Binomial, ContinuousCDF, Discrete, DiscreteCDF, Normal};

pub use crate::tol::BINOM_TEST_REL_TOL;

/// One-sided Clopper–Pearson lower limit at level `alpha`.
pub fn cp_lower(k: u64, n: u64, alpha: f64) -> f64 {
    if k == 0 || n == 0 {
        return 0.0;
    }
    Beta::new(k as f64, (n - k + 1) as f64).map(|b| b.inverse_cdf(alpha)).unwrap_or(0.0)
}

/// One-sided Clopper–Pearson upper limit at level `alpha`.
pub fn cp_upper(k: u64, n: u64, alpha: f64) -> f64 {
    if n == 0 || k >= n {
        return 1.0;
    }
    Beta::new((k + 1) as f64, (n - k) as f64).map(|b| b.inverse_cdf(1.0 - alpha)).unwrap_or(1.0)
}

/// Two-sided Clopper–Pearson interval at confidence `1 − alpha`.
pub fn clopper_pearson(k: u64, n: u64, alpha: f64) -> (f64, f64) {
    (cp_lower(k, n, alpha / 2.0), cp_upper(k, n, alpha / 2.0))
}

/// `P(Bin(n, p) ≤ k)`.
pub fn binom_cdf(k: u64, n: u64, p: f64) -> f64 {
    if k >= n {
        return 1.0;
    }
    if p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    Binomial::new(p, n).map(|b| b.cdf(k)).unwrap_or(f64::NAN)
}

/// `P(Bin(n, p) ≥ k)`.
pub fn binom_sf_ge(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    Binomial::new(p, n).map(|b| b.sf(k - 1)).unwrap_or(f64::NAN)
}

/// Exact two-sided binomial test of `p = p0` (minimum-likelihood rule).
pub fn binom_test_two_sided(k: u64, n: u64, p0: f64) -> f64 {
    if p0 <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if p0 >= 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    let b = Binomial::new(p0, n).expect("valid binomial");
    let pk = b.pmf(k);
    let thr = pk * (1.0 + BINOM_TEST_REL_TOL);
    // Sum over both tails in a fixed order; the pmf is unimodal, so walk inwards from each end.
    let mut total = 0.0;
    for j in 0..=n {
        let pj = b.pmf(j);
        if pj <= thr {
            total += pj;
        }
    }
    total.min(1.0)
}

/// The standard normal quantile `Φ⁻¹(p)`.
pub fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// The standard normal distribution function `Φ(z)`.
pub fn normal_cdf(z: f64) -> f64 {
    Normal::standard().cdf(z)
}

/// Two-sided normal-approximation p-value of `z`.
pub fn normal_two_sided(z: f64) -> f64 {
    let nd = Normal::standard();
    (2.0 * (1.0 - nd.cdf(z.abs()))).clamp(0.0, 1.0)
}

/// Hoeffding one-sided deviation `(b − a) √(ln(1/α)/(2N))`.
pub fn hoeffding_radius(n: u64, range: f64, alpha: f64) -> f64 {
    range * ((1.0 / alpha).ln() / (2.0 * n as f64)).sqrt()
}

/// Hoeffding p-value for a one-sided deviation `t ≥ 0` of a mean of `n` values in a range.
pub fn hoeffding_p(n: u64, range: f64, t: f64) -> f64 {
    if t <= 0.0 {
        return 1.0;
    }
    (-2.0 * n as f64 * t * t / (range * range)).exp().min(1.0)
}

/// Holm step-down: which hypotheses are rejected at family-wise level `alpha`.
/// Ties are broken by index, so the decision is deterministic.
pub fn holm(p: &[f64], alpha: f64) -> Vec<bool> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut rejected = vec![false; m];
    for (j, &idx) in order.iter().enumerate() {
        if p[idx] <= alpha / (m - j) as f64 {
            rejected[idx] = true;
        } else {
            break;
        }
    }
    rejected
}

/// Smallest event count `k` whose one-sided Clopper–Pearson lower limit (level `alpha`) exceeds
/// `beta`: a check with `N` trials flags a violation only with at least this many events.
pub fn min_violating_count(n: u64, beta: f64, alpha: f64) -> Option<u64> {
    // p_violate(k) = P(Bin(n, β) ≥ k) is decreasing in k: bisection.
    if binom_sf_ge(n, n, beta) >= alpha {
        return None;
    }
    let (mut lo, mut hi) = (0u64, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if binom_sf_ge(mid, n, beta) < alpha { hi = mid } else { lo = mid + 1 }
    }
    Some(lo)
}

/// Sample mean and unbiased variance (sums in index order).
pub fn mean_var(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mut s = 0.0;
    for &x in xs {
        s += x;
    }
    let m = s / n;
    if xs.len() < 2 {
        return (m, 0.0);
    }
    let mut q = 0.0;
    for &x in xs {
        q += (x - m) * (x - m);
    }
    (m, q / (n - 1.0))
}

/// Quantile `q ∈ [0,1]` of a sample: linear interpolation between order statistics. NaN counts
/// as `+∞` (a diverged run), and an interpolation that touches `±∞` returns that infinity, never
/// NaN. NaN only for an empty sample. The one quantile function of the crate.
pub fn quantile(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let mut v: Vec<f64> = xs.iter().map(|&x| if x.is_nan() { f64::INFINITY } else { x }).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let w = pos - lo as f64;
    if lo == hi || w == 0.0 {
        v[lo]
    } else if v[hi].is_infinite() {
        v[hi]
    } else if v[lo].is_infinite() {
        v[lo]
    } else {
        v[lo] + (v[hi] - v[lo]) * w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values from scipy 1.x: `binomtest(3, 20, 0.4).pvalue = 0.022427038142043`
    /// (also exact rational arithmetic), `binomtest(7, 20).proportion_ci(0.95, 'exact') =
    /// (0.1539092047845, 0.5921885345328)`, `beta.ppf(0.975, 1, 10) = 0.3084971078188`.
    #[test]
    fn agrees_with_scipy() {
        assert!((binom_test_two_sided(3, 20, 0.4) - 0.022_427_038_142_043).abs() < 1e-12);
        let (lo, hi) = clopper_pearson(7, 20, 0.05);
        assert!((lo - 0.153_909_204_784_5).abs() < 1e-9 && (hi - 0.592_188_534_532_8).abs() < 1e-9, "{lo} {hi}");
        assert_eq!(clopper_pearson(0, 10, 0.05).0, 0.0);
        assert!((cp_upper(0, 10, 0.025) - 0.308_497_107_818_8).abs() < 1e-9);
    }

    #[test]
    fn clopper_pearson_duality_with_the_binomial_tail() {
        let (n, beta, alpha) = (1500u64, 0.0033, 0.01);
        for k in 0..30 {
            assert_eq!(cp_upper(k, n, alpha) < beta, binom_cdf(k, n, beta) < alpha, "k={k}");
            assert_eq!(cp_lower(k, n, alpha) > beta, binom_sf_ge(k, n, beta) < alpha, "k={k}");
        }
        let k = min_violating_count(n, beta, alpha).unwrap();
        assert!(cp_lower(k, n, alpha) > beta && cp_lower(k - 1, n, alpha) <= beta);
    }

    #[test]
    fn holm_step_down() {
        assert_eq!(holm(&[0.01, 0.04, 0.03, 0.5], 0.05), vec![true, false, false, false]);
        assert_eq!(holm(&[0.001, 0.012, 0.02, 0.5], 0.05), vec![true, true, true, false]);
    }
}
