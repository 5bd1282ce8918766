//! The exact law of Lemma F.1 and Theorem 2.2's probability: Wendel (1962) / Stiemke,
//! `P(null(X) ∩ (0,∞)^d ≠ ∅) = P(Bin(d−1, ½) ≥ n)`, and the conic Crofton formula with the
//! orthant's intrinsic volumes `v_k = C(d,k)/2^d`, `P = 2(v_{n+1} + v_{n+3} + …)` (equal by Pascal's
//! rule, checked in exact integer arithmetic for `d ≤ 120`).

use statrs::distribution::{Binomial, DiscreteCDF};
use statrs::function::factorial::ln_binomial;

use crate::engine::partition::ln_sum_exp;

/// `P(meet)` and `P(miss) = 1 − P(meet)`, each accurate on its own (no cancellation).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tail {
    pub meet: f64,
    pub miss: f64,
}

/// Wendel's probability `P(Bin(d−1, ½) ≥ n)` and its complement: log-sum-exp of the binomial
/// terms, generated from `ln C(d−1, n)` by the ratio recurrence in both directions (`d ≥ 1`).
pub fn wendel(d: usize, n: usize) -> Tail {
    if n == 0 {
        return Tail { meet: 1.0, miss: 0.0 };
    }
    if n >= d {
        return Tail { meet: 0.0, miss: 1.0 };
    }
    let m = d - 1;
    let l0 = wendel_l0(m, n);
    // Lower: k = n−1 down to 0, ln C(m, k−1) = ln C(m, k) + ln(k/(m − k + 1)).
    let mut lo = Vec::with_capacity(n);
    let mut l = l0 + (n as f64 / (m - n + 1) as f64).ln();
    for k in (0..n).rev() {
        lo.push(l);
        if k > 0 {
            l += (k as f64 / (m - k + 1) as f64).ln();
        }
    }
    Tail { meet: ln_sum_exp(&wendel_upper_terms(m, n, l0)).exp(), miss: ln_sum_exp(&lo).exp() }
}

/// [`wendel`]'s `meet` alone (the same terms and operations, without the complement's).
pub fn wendel_meet(d: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    if n >= d {
        return 0.0;
    }
    let m = d - 1;
    ln_sum_exp(&wendel_upper_terms(m, n, wendel_l0(m, n))).exp()
}

/// `ln(C(m, n)/2^m)`.
fn wendel_l0(m: usize, n: usize) -> f64 {
    ln_binomial(m as u64, n as u64) - m as f64 * std::f64::consts::LN_2
}

/// `ln(C(m, k)/2^m)` for `k = n..=m`: `ln C(m, k+1) = ln C(m, k) + ln((m − k)/(k + 1))`.
fn wendel_upper_terms(m: usize, n: usize, l0: f64) -> Vec<f64> {
    let mut up = Vec::with_capacity(m - n + 1);
    let mut l = l0;
    for k in n..=m {
        up.push(l);
        if k < m {
            l += ((m - k) as f64 / (k + 1) as f64).ln();
        }
    }
    up
}

/// The same probability from statrs (`Binomial(½, d−1)` survival function), for cross-checks.
pub fn wendel_statrs(d: usize, n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    if n >= d {
        return 0.0;
    }
    Binomial::new(0.5, (d - 1) as u64).map(|b| b.sf(n as u64 - 1)).unwrap_or(f64::NAN)
}

/// Conic Crofton formula `2 Σ_{j ≥ 0} v_{n+1+2j}`, `v_k = C(d,k)/2^d` (floating point, log form).
pub fn crofton(d: usize, n: usize) -> f64 {
    if n >= d {
        return 0.0;
    }
    let ln2d = d as f64 * std::f64::consts::LN_2;
    let terms: Vec<f64> = (n + 1..=d).step_by(2).map(|k| ln_binomial(d as u64, k as u64) - ln2d).collect();
    2.0 * ln_sum_exp(&terms).exp()
}

/// Pascal row `C(m, 0..=m)` in `u128` (exact for `m ≤ 126`).
pub fn pascal(m: usize) -> Vec<u128> {
    let mut row = vec![1u128];
    for _ in 0..m {
        let mut next = vec![1u128; row.len() + 1];
        for k in 1..row.len() {
            next[k] = row[k - 1] + row[k];
        }
        row = next;
    }
    row
}

/// Exact Wendel and Crofton numerators over the common denominator `2^d`:
/// `(2 Σ_{k≥n} C(d−1,k), 2 Σ_j C(d, n+1+2j))` (`2 ≤ d ≤ 120`, `1 ≤ n < d`).
pub fn exact_numerators(d: usize, n: usize) -> (u128, u128) {
    numerators_from_rows(&pascal(d - 1), &pascal(d), n)
}

/// [`exact_numerators`] from the Pascal rows `r1 = C(d−1, ·)` and `r = C(d, ·)`.
pub fn numerators_from_rows(r1: &[u128], r: &[u128], n: usize) -> (u128, u128) {
    let d = r.len() - 1;
    let w: u128 = r1[n..].iter().sum();
    let c: u128 = (n + 1..=d).step_by(2).map(|k| r[k]).sum();
    (2 * w, 2 * c)
}

/// Theorem 2.2's `n = ⌊d/3⌋` against the corrected F.1 threshold `d/2 − 9√d`.
pub fn corrected_threshold(d: usize) -> f64 {
    d as f64 / 2.0 - 9.0 * (d as f64).sqrt()
}
