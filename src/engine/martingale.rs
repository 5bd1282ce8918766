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
///
/// # Formula
/// With `q = 1/(1−γ)`, `λ = c1 q^T − A[0]` and `Σ_{t=1}^T q^{2t} = q^{2T} Σ_{j<T} (1−γ)^{2j}`, the
/// factors `q^T` cancel: `2λ²/(a Σ) = 2 (c1 − (1−γ)^T A[0])² / (a Σ_{j<T} (1−γ)^{2j})`, which is
/// evaluated in that form (no overflow for large `γT`).
pub fn g4_bound(c1: f64, gamma: f64, a: f64, t: u64, a0: f64) -> f64 {
    let x = c1 - (1.0 - gamma).powf(t as f64) * a0;
    if x <= 0.0 {
        return 1.0;
    }
    (-2.0 * x * x / (a * geometric_sq_sum(gamma, t))).exp().min(1.0)
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

    /// G.4's first form equals the direct sum for small γT and stays finite where `q^T` overflows.
    #[test]
    fn g4_first_form_is_stable() {
        let (c1, gamma, a, a0): (f64, f64, f64, f64) = (0.3, 0.01, 0.02, 0.5);
        for t in [1u64, 10, 100, 300] {
            let q = 1.0 / (1.0 - gamma);
            let lambda = c1 * q.powf(t as f64) - a0;
            let s: f64 = (1..=t).map(|k| q.powf(2.0 * k as f64)).sum();
            let direct = if lambda > 0.0 { (-2.0 * lambda * lambda / (a * s)).exp().min(1.0) } else { 1.0 };
            assert!((g4_bound(c1, gamma, a, t, a0) - direct).abs() < 1e-12 * direct.max(1e-300), "t = {t}");
        }
        let big = g4_bound(0.3, 0.5, 0.02, 100_000, 0.5);
        assert!(big.is_finite() && big < 1.0, "{big}");
        assert!(g4_bound(0.3, 0.5, 0.02, 100_000, 0.5) <= g4_bound_simple(0.3, 0.5, 0.02, 100_000, 0.5) + 1e-15);
    }

    /// SPEC §3.1(f): the T = 1 counter-example's bound is exp(−1/0.72) = 0.249.
    #[test]
    fn e_g3a_numbers() {
        let b = g3_bound(1.0, 0.01, 0.36, 1);
        assert!((b - (-1.0f64 / 0.72).exp()).abs() < 1e-15);
        assert!((b - 0.2494).abs() < 1e-4);
    }
}
