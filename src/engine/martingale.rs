//! The martingale bounds of Lemmas G.3 and G.4, as printed and as corrected (SPEC §3).
//!
//! # Formula
//! * G.3 (179): `P(A[T] > c ∧ A[0] ≤ c/2 ∧ A[t] ∈ [c/3, c] ∀t<T) ≤ exp(−c² / (2a Σ_{t<T} (1−γ)^{2t}))
//!   ≤ exp(−c²γ/(2a))`.
//! * G.4 (185)–(189): `P(min A > c1 ∧ max A ≤ c2 ∧ no E_t) ≤ exp(−2 (c1(1−γ)^{−T} − A[0])² / (a Σ_{t=1}^T (1−γ)^{−2t}))
//!   ≤ exp(−2γ (c1 − (1−γ)^T A[0])² / a)`.
//! * The printed versions take `a` = a bound on the conditional *variance*; that is E-G3a (false).
//!   The corrected G.3-R / G.4-R take `a` = the square of a bound on the conditional *range*
//!   (Hoeffding–Azuma); the formulas are then the same.

/// `Σ_{t=0}^{T−1} (1−γ)^{2t}` (summed in order of `t`; closed form for large `T`).
pub fn geometric_sq_sum(gamma: f64, t: u64) -> f64 {
    let q = (1.0 - gamma) * (1.0 - gamma);
    if t <= 100_000 {
        let mut s = 0.0;
        let mut w = 1.0;
        for _ in 0..t {
            s += w;
            w *= q;
        }
        s
    } else {
        (1.0 - q.powf(t as f64)) / (1.0 - q)
    }
}

/// The bound of G.3 (179), first form, with `a` the variance (printed) or squared range (G.3-R).
pub fn g3_bound(c: f64, gamma: f64, a: f64, t: u64) -> f64 {
    (-(c * c) / (2.0 * a * geometric_sq_sum(gamma, t))).exp()
}

/// The bound of G.3 (179), second (T-free) form `exp(−c²γ/(2a))`.
pub fn g3_bound_simple(c: f64, gamma: f64, a: f64) -> f64 {
    (-(c * c) * gamma / (2.0 * a)).exp()
}

/// The bound of G.4 (185)–(189), first form.
pub fn g4_bound(c1: f64, gamma: f64, a: f64, t: u64, a0: f64) -> f64 {
    let q = 1.0 / (1.0 - gamma);
    let lambda = c1 * q.powf(t as f64) - a0;
    if lambda <= 0.0 {
        return 1.0;
    }
    // Σ_{t=1}^{T} (1−γ)^{−2t}
    let mut s = 0.0;
    let mut w = 1.0;
    for _ in 0..t {
        w *= q * q;
        s += w;
    }
    (-2.0 * lambda * lambda / (a * s)).exp().min(1.0)
}

/// The bound of G.4, second form `exp(−2γ (c1 − (1−γ)^T A[0])² / a)`.
pub fn g4_bound_simple(c1: f64, gamma: f64, a: f64, t: u64, a0: f64) -> f64 {
    let x = c1 - (1.0 - gamma).powf(t as f64) * a0;
    if x <= 0.0 {
        return 1.0;
    }
    (-2.0 * gamma * x * x / a).exp().min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC §3.1(f): the T = 1 counter-example's bound is exp(−1/0.72) = 0.249.
    #[test]
    fn e_g3a_numbers() {
        let b = g3_bound(1.0, 0.01, 0.36, 1);
        assert!((b - (-1.0f64 / 0.72).exp()).abs() < 1e-15);
        assert!((b - 0.2494).abs() < 1e-4);
    }
}
