//! Exact one-step expectations: the 2n equally likely outcomes of one Algorithm-1 step.
//!
//! Given the state `v`, the data and `(η, δ)`, one step of Algorithm 1 has exactly `2n` equally
//! likely outcomes `(i, s) ∈ [n] × {−δ, +δ}`, so for any `h`
//! `E[h(v') | v] = (1/2n) Σ_i Σ_s h(v ⊙ F(i, s; v))` is a finite average (SPEC §0.4, EXACT-ENUM).
//! [`OneStep::next_state`] performs the same floating-point operations as the chain's step.
//!
//! # Formula
//! With `r_i = ⟨e(v), x^(i)⟩`, `g_k^(i) = r_i x_k^(i)` and `F_k(i,s) = 1 + η (s − r_i) x_k^(i)`:
//! * `E[v'_k | v] = v_k (1 − η (M e)_k)`, `(Me)_k = (1/n) Σ_i r_i x_k^(i)`;
//! * `Var[v'_k | v] = η² v_k² (δ² M_kk + Var_i g_k^(i))`;
//! * conditional range `ℓ_k = max_{(i,s)} v'_k − min_{(i,s)} v'_k = η v_k (max − min)_{(i,s)} (s − r_i) x_k^(i)`;
//! * `√F − 1 = Δ / (1 + √(1 + Δ))` with `Δ = F − 1 = η (s − r_i) x_k^(i)` (no cancellation).
//!
//! Margins of drift inequalities must be formed from these closed forms (they are `O(η u²)`),
//! never as the difference of two `O(1)` numbers.

use super::dynamics::{StepStatus, alg1_apply, alg1_coef};
use super::lanes::PVec;
use super::model::Problem;

/// `√(1 + x) − 1` without cancellation.
#[inline]
pub fn sqrt1pm1(x: f64) -> f64 {
    x / (1.0 + (1.0 + x).sqrt())
}

/// The one-step law of Algorithm 1 at a state.
#[derive(Clone, Debug)]
pub struct OneStep<'a> {
    p: &'a Problem,
    v: PVec,
    eta: f64,
    delta: f64,
    grad_sign: f64,
    res: Vec<f64>,
    me: Vec<f64>,
    /// `Σ_j |e_j x_j^(i)|` per row, computed on first use by [`OneStep::me_abs`] (once per state,
    /// not once per coordinate).
    res_abs: std::sync::OnceLock<Vec<f64>>,
}

impl<'a> OneStep<'a> {
    /// Algorithm 1 at `v`.
    pub fn new(p: &'a Problem, v: &PVec, eta: f64, delta: f64) -> Self {
        Self::with_grad_sign(p, v, eta, delta, 1.0)
    }
    /// Algorithm 1 with the gradient multiplied by `grad_sign` (−1: the flipped-sign control).
    pub fn with_grad_sign(p: &'a Problem, v: &PVec, eta: f64, delta: f64, grad_sign: f64) -> Self {
        let res = p.residuals(v);
        let me = p.me_from_residuals(&res);
        OneStep { p, v: v.clone(), eta, delta, grad_sign, res, me, res_abs: Default::default() }
    }
    /// The same state with the gradient's sign flipped (the residuals and `M e` are reused).
    pub fn flipped(&self) -> Self {
        OneStep { grad_sign: -self.grad_sign, ..self.clone() }
    }
    /// The problem.
    pub fn problem(&self) -> &Problem {
        self.p
    }
    /// The state.
    pub fn v(&self) -> &PVec {
        &self.v
    }
    /// `η`.
    pub fn eta(&self) -> f64 {
        self.eta
    }
    /// `δ`.
    pub fn delta(&self) -> f64 {
        self.delta
    }
    /// Number of outcomes, `2n`.
    pub fn outcomes(&self) -> usize {
        2 * self.p.n()
    }
    /// Outcome `o ∈ [0, 2n)` as `(i, s)`: `o = 2i` is `s = −δ`, `o = 2i + 1` is `s = +δ`.
    #[inline]
    pub fn outcome(&self, o: usize) -> (usize, f64) {
        (o / 2, if o % 2 == 1 { self.delta } else { -self.delta })
    }
    /// Residual `r_i = ⟨e(v), x^(i)⟩`.
    #[inline]
    pub fn residual(&self, i: usize) -> f64 {
        self.res[i]
    }
    /// `(M e(v))_k`.
    #[inline]
    pub fn me(&self, k: usize) -> f64 {
        self.me[k]
    }
    /// `Δ_k(i, s) = F_k − 1 = η (s − r_i) x_k^(i)` (exact product, no `1 + … − 1`).
    #[inline]
    pub fn delta_k(&self, o: usize, k: usize) -> f64 {
        let (i, s) = self.outcome(o);
        alg1_coef(self.eta, s, self.res[i], self.grad_sign) * self.p.data().x(i, k)
    }
    /// The next state for outcome `o` (the chain's own arithmetic). `None` if it diverges.
    pub fn next_state(&self, o: usize) -> Option<PVec> {
        let (i, s) = self.outcome(o);
        let mut w = self.v.clone();
        match alg1_apply(&mut w, self.p, self.eta, s, i, self.grad_sign) {
            StepStatus::Ok => Some(w),
            StepStatus::Diverged => None,
        }
    }
    /// `E[h(v') | v]`: average over the `2n` outcomes in order `o = 0..2n`.
    pub fn expect<H: FnMut(&PVec) -> f64>(&self, mut h: H) -> f64 {
        let mut s = 0.0;
        for o in 0..self.outcomes() {
            let w = self.next_state(o).expect("finite state gives a finite step");
            s += h(&w);
        }
        s / self.outcomes() as f64
    }
    /// `E[h(Δ_k) | v]` for one coordinate, `Δ_k = F_k − 1`, outcomes in order.
    pub fn expect_coord<H: FnMut(f64) -> f64>(&self, k: usize, mut h: H) -> f64 {
        let mut s = 0.0;
        for o in 0..self.outcomes() {
            s += h(self.delta_k(o, k));
        }
        s / self.outcomes() as f64
    }
    /// Max and min of `Δ_k` over the outcomes.
    pub fn delta_k_range(&self, k: usize) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for o in 0..self.outcomes() {
            let x = self.delta_k(o, k);
            lo = lo.min(x);
            hi = hi.max(x);
        }
        (lo, hi)
    }
    /// `(1/n) Σ_i |x_k^(i)| Σ_j |e_j x_j^(i)|`: the size of every term summed into `(Me)_k`, those
    /// of the residuals `r_i = Σ_j e_j x_j^(i)` included (terms of size `‖e‖₁b_x` can be far larger
    /// than `(Me)_k` itself, e.g. orthogonal columns with a large off-support mass, and `r_i`
    /// itself can cancel): `η v_k` times it is the magnitude against which a margin built on
    /// [`OneStep::mean_increment`] is decided by rounding.
    pub fn me_abs(&self, k: usize) -> f64 {
        let x = self.p.data();
        let res_abs = self.res_abs.get_or_init(|| {
            let e = self.p.e(&self.v);
            (0..self.p.n()).map(|i| (0..e.len()).map(|j| (e[j] * x.x(i, j)).abs()).sum::<f64>()).collect()
        });
        res_abs.iter().enumerate().map(|(i, a)| x.x(i, k).abs() * a).sum::<f64>() / self.p.n() as f64
    }
    /// `E[v'_k − v_k | v] = −η v_k (Me)_k` (closed form).
    #[inline]
    pub fn mean_increment(&self, k: usize) -> f64 {
        -self.grad_sign * self.eta * self.v.as_slice()[k] * self.me[k]
    }
    /// `E[v'_k | v] = v_k (1 − η (Me)_k)` (closed form).
    #[inline]
    pub fn mean(&self, k: usize) -> f64 {
        self.v.as_slice()[k] + self.mean_increment(k)
    }
    /// `Var[v'_k | v] = η² v_k² (δ² M_kk + Var_i g_k^(i))` (closed form, two-pass variance).
    pub fn var(&self, k: usize) -> f64 {
        let n = self.p.n() as f64;
        let mean_g = self.me[k];
        let mut s = 0.0;
        let mut mkk = 0.0;
        for i in 0..self.p.n() {
            let x = self.p.data().x(i, k);
            let g = self.res[i] * x;
            s += (g - mean_g) * (g - mean_g);
            mkk += x * x;
        }
        let vk = self.v.as_slice()[k];
        self.eta * self.eta * vk * vk * (self.delta * self.delta * mkk / n + s / n)
    }
    /// Conditional range `ℓ_k = max v'_k − min v'_k = v_k (max Δ_k − min Δ_k)`.
    pub fn range(&self, k: usize) -> f64 {
        let (lo, hi) = self.delta_k_range(k);
        self.v.as_slice()[k].abs() * (hi - lo)
    }
    /// `max_{(i,s)} |v'_k − v_k| = |v_k| max |Δ_k|`.
    pub fn max_abs_change(&self, k: usize) -> f64 {
        let (lo, hi) = self.delta_k_range(k);
        self.v.as_slice()[k].abs() * lo.abs().max(hi.abs())
    }
    /// `E[√F_k] − 1 = E[Δ_k / (1 + √(1 + Δ_k))]` (exact average, no cancellation).
    pub fn sqrt_factor_minus_one(&self, k: usize) -> f64 {
        self.expect_coord(k, sqrt1pm1)
    }
    /// `E[log F_k]` (exact average with `ln_1p`).
    pub fn log_factor(&self, k: usize) -> f64 {
        self.expect_coord(k, f64::ln_1p)
    }
    /// `min_{(i,s)} F_k` (positivity of the next state).
    pub fn min_factor(&self, k: usize) -> f64 {
        1.0 + self.delta_k_range(k).0
    }
    /// `K_k(v) = |Σ_{j≠k} M_jk e_j(v)|`.
    pub fn perturbation(&self, k: usize) -> f64 {
        self.p.perturbation(&self.v, k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Data;
    use crate::engine::rng::stream;

    fn setup() -> (Problem, PVec) {
        let p = Problem::new(Data::gaussian(7, 9, &mut stream(2, "x", "d", 0)).unwrap(), 2).unwrap();
        let v = PVec::from_slice(&(0..9).map(|k| 0.2 + 0.13 * k as f64).collect::<Vec<_>>());
        (p, v)
    }

    /// SPEC §1.3 EXACT checks (b), (c): averaging over s gives SGD, over (i, s) gives GD; and the
    /// closed forms of §0.4 equal the enumeration.
    #[test]
    fn closed_forms_match_enumeration() {
        let (p, v) = setup();
        let os = OneStep::new(&p, &v, 1e-2, 0.8);
        let grad = p.grad(&v);
        for (k, gk) in grad.iter().enumerate().take(9) {
            let m_enum = os.expect(|w| w.as_slice()[k]);
            let m_gd = v.as_slice()[k] - 1e-2 * gk;
            assert!((m_enum - os.mean(k)).abs() < 1e-14, "mean k={k}");
            assert!((m_enum - m_gd).abs() < 1e-14, "GD k={k}");
            let var_enum = os.expect(|w| (w.as_slice()[k] - m_enum).powi(2));
            assert!((var_enum - os.var(k)).abs() < 1e-12 * (1.0 + var_enum), "var k={k}");
            let mut lo = f64::INFINITY;
            let mut hi = f64::NEG_INFINITY;
            for o in 0..os.outcomes() {
                let x = os.next_state(o).unwrap().as_slice()[k];
                lo = lo.min(x);
                hi = hi.max(x);
            }
            assert!((hi - lo - os.range(k)).abs() < 1e-13, "range k={k}");
            let sq = os.expect(|w| w.as_slice()[k].sqrt()) / v.as_slice()[k].sqrt() - 1.0;
            assert!((sq - os.sqrt_factor_minus_one(k)).abs() < 1e-12);
        }
    }

    #[test]
    fn sqrt1pm1_is_accurate_for_tiny_arguments() {
        let x = 1e-20;
        assert_eq!(sqrt1pm1(x), 0.5e-20);
        assert!((sqrt1pm1(0.21) - (1.1 - 1.0)).abs() < 1e-15);
    }
}
