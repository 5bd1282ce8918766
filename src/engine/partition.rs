//! The truncated Gibbs partition function `Z_R` of Theorem 2.2 (SPEC §8.4) and the small-ball
//! probability `F(ε) = P_θ(L(θ) ≤ ε)` that controls its growth.
//!
//! # Formula
//! With `v* = 0`, `L(v) = q(v⊙v)`, `q(w) = (c_L/n)‖Xw‖²` (`c_L = 1/4`, the paper's loss):
//! * `Z_R = ∫_{‖v‖₂² ≤ R} e^{−λL(v)} dv = ∫_{u ≥ 0, 1ᵀu ≤ R} e^{−λq(u)} Π_i u_i^{−1/2} du`
//!   (u-substitution `u = v⊙v`; the `2^d` sign orthants cancel the `2^{−d}` of the Jacobian);
//! * polar form over the simplex (`u = s w`), `W ~ Dirichlet(½,…,½)`, i.e. `W = θ⊙θ/‖θ‖²`,
//!   `θ ~ N(0, I_d)`:
//!   `Z_R = (π^{d/2}/Γ(d/2)) · E_W[ ∫_0^R s^{d/2−1} e^{−λ q(W) s²} ds ]`,
//!   `∫_{R_1}^{R_2} s^{d/2−1} e^{−b s²} ds = ½ b^{−a} [γ(a, bR_2²) − γ(a, bR_1²)]`, `a = d/4`;
//! * stable evaluation: `½ b^{−a} γ(a, bR²) = ½ R^{d/2} h(bR²)`, `h(y) = y^{−a} γ(a, y)`
//!   `= e^{−y} Σ_k y^k / (a(a+1)…(a+k))` (series, `y ≤ a + 1`) or `y^{−a} Γ(a) P(a, y)`; shells far
//!   in the tail use `Γ(a, x)` in log form (Lentz continued fraction), so a bounded `Z_R` shows
//!   increments like `e^{−λκ₀R²}` instead of an underflow to 0;
//! * exact sanity value: `n = 0` (`q ≡ 0`): `Z_R = π^{d/2} R^{d/2} / Γ(d/2 + 1)`.
//!
//! # Small-ball probability by importance sampling (charts of the zero set)
//! `F(ε) = P(‖z‖ ≤ r)`, `z = XU/1ᵀU`, `r = √(nε/c_L)`, `U_i ~ χ²_1` i.i.d. (so `U/1ᵀU ~ Dir(½)`).
//! A chart is a split `[d] = A ∪ B`, `|A| = n`, `X_A` invertible: given `U_B` the point
//! `U*_A = −X_A^{−1} X_B U_B` solves `XU = 0`, and with `S* = 1ᵀU*_A + 1ᵀU_B`,
//! `β = √n ‖X_A^{−1}‖₂`, every `U > 0` with `‖XU‖ ≤ r·1ᵀU` satisfies `‖X_A(U_A − U*_A)‖ ≤ ρ :=
//! r S*/(1 − rβ)` (needs `rβ < 1`). The proposal of chart `k` draws `U_B` from its law and `U_A`
//! uniformly in that ellipsoid; the estimator mixes `K` charts with disjoint `A`'s (balance
//! heuristic), weight `K / Σ_j 1{‖XU‖ ≤ ρ_j} / (f_{A_j}(U_{A_j}) vol_j)`,
//! `vol_j = V_n ρ_j^n / |det X_{A_j}|`. It is unbiased for every `ε` with `rβ_j < 1`, and its
//! relative variance does not grow as `ε → 0` (plain sampling needs `~ε^{−n/2}` samples).

// NaN-safe comparisons (`!(x > 0.0)` is true for NaN) are deliberate, as in `claim.rs`.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use nalgebra::DMatrix;
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur, ln_gamma};

use crate::error::{Error, Result};

/// statrs' regularized lower incomplete gamma `P(a, x)` as a typed error (never an unwrap).
pub fn try_gamma_lr(a: f64, x: f64) -> Result<f64> {
    checked_gamma_lr(a, x).map_err(|e| Error::Numerical(format!("P(a = {a}, x = {x}): {e}")))
}

/// statrs' regularized upper incomplete gamma `Q(a, x)` as a typed error (never an unwrap).
pub fn try_gamma_ur(a: f64, x: f64) -> Result<f64> {
    checked_gamma_ur(a, x).map_err(|e| Error::Numerical(format!("Q(a = {a}, x = {x}): {e}")))
}

use super::lp::Mat;
use super::rng::{Stream, standard_normal, uniform_index, uniform01};

/// The paper's loss constant: `L = (1/(4n)) Σ_i ⟨v⊙v, x^(i)⟩²`.
pub const C_L: f64 = 0.25;

/// `ln(π^{d/2}/Γ(d/2))`, the total Dirichlet(½) mass of `Π w_i^{−1/2}` on the simplex.
pub fn ln_simplex_mass(d: usize) -> f64 {
    0.5 * d as f64 * std::f64::consts::PI.ln() - ln_gamma(0.5 * d as f64)
}

/// Exact `Z_R` for `n = 0` (`L ≡ 0`): the volume of the ball of radius `√R`.
pub fn z_r_n0(d: usize, r: f64) -> f64 {
    (0.5 * d as f64 * (std::f64::consts::PI * r).ln() - ln_gamma(0.5 * d as f64 + 1.0)).exp()
}

/// `h(a, y) = y^{−a} γ(a, y)` (`h(a, 0) = 1/a`, `h(a, ∞) = 0`; NaN only for a NaN argument or
/// `a ≤ 0`, which the callers never pass: see [`try_gamma_lr`]).
pub fn h(a: f64, y: f64) -> f64 {
    if y <= 0.0 {
        return 1.0 / a;
    }
    if y == f64::INFINITY {
        // y^{−a} Γ(a) P(a, y) → 0.
        return 0.0;
    }
    if y <= a + 1.0 {
        // e^{−y} Σ_k y^k / (a(a+1)…(a+k)), all terms positive.
        let mut term = 1.0 / a;
        let mut sum = term;
        for k in 1..500 {
            term *= y / (a + k as f64);
            sum += term;
            if term < sum * crate::tol::SERIES_REL_STOP {
                break;
            }
        }
        (-y).exp() * sum
    } else {
        (ln_gamma(a) - a * y.ln()).exp() * try_gamma_lr(a, y).unwrap_or(f64::NAN)
    }
}

/// `ln Γ(a, x)` (upper incomplete, unregularized), accurate far in the tail.
pub fn ln_upper_gamma(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return ln_gamma(a);
    }
    if x <= a + 1.0 {
        return ln_gamma(a) + try_gamma_ur(a, x).unwrap_or(f64::NAN).ln();
    }
    if x == f64::INFINITY {
        return f64::NEG_INFINITY;
    }
    // Modified Lentz for the continued fraction of Γ(a, x) e^{x} x^{−a}.
    const TINY: f64 = crate::tol::LENTZ_TINY;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut hh = d;
    for i in 1..10_000 {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        hh *= del;
        if (del - 1.0).abs() < crate::tol::LENTZ_REL_STOP {
            break;
        }
    }
    -x + a * x.ln() + hh.ln()
}

/// `ln ∫_{R_1}^{R_2} s^{d/2−1} e^{−b s²} ds` for `0 ≤ R_1 < R_2`, `b ≥ 0`.
pub fn ln_shell(d: usize, b: f64, r1: f64, r2: f64) -> f64 {
    let a = d as f64 / 4.0;
    let e = d as f64 / 2.0;
    if b <= 0.0 {
        return ((r2.powf(e) - r1.powf(e)) / e).ln();
    }
    let x1 = b * r1 * r1;
    let x2 = b * r2 * r2;
    if x1 <= a + 1.0 {
        let v = 0.5 * (r2.powf(e) * h(a, x2) - if r1 > 0.0 { r1.powf(e) * h(a, x1) } else { 0.0 });
        if v > 0.0 {
            return v.ln();
        }
    }
    let l1 = ln_upper_gamma(a, x1);
    let l2 = ln_upper_gamma(a, x2);
    l1 + (-(l2 - l1).exp()).ln_1p() - a * b.ln() - std::f64::consts::LN_2
}

/// `q(W) = (c_L/n)‖XW‖²`.
pub fn q_of(x: &Mat, w: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.n {
        let row = &x.a[i * x.d..(i + 1) * x.d];
        let mut z = 0.0;
        for (xk, wk) in row.iter().zip(w) {
            z += xk * wk;
        }
        s += z * z;
    }
    C_L / x.n as f64 * s
}

/// One draw of `q(W)`, `W = θ⊙θ/‖θ‖²`, `θ ~ N(0, I_d)` (uniform on the sphere).
pub fn draw_q(x: &Mat, rng: &mut Stream, w: &mut Vec<f64>) -> f64 {
    w.clear();
    let mut s = 0.0;
    for _ in 0..x.d {
        let g = standard_normal(rng);
        let u = g * g;
        s += u;
        w.push(u);
    }
    let inv = 1.0 / s;
    w.iter_mut().for_each(|u| *u *= inv);
    q_of(x, w)
}

/// `ln Σ_j exp(l_j)` (log-sum-exp about the largest term, summed in order; `−∞` for no terms).
pub fn ln_sum_exp(ls: &[f64]) -> f64 {
    let m = ls.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !m.is_finite() {
        return m;
    }
    m + ls.iter().map(|l| (l - m).exp()).sum::<f64>().ln()
}

/// `ln(π^{n/2}/Γ(n/2 + 1))`, the volume of the unit `n`-ball.
pub fn ln_ball_volume(n: usize) -> f64 {
    0.5 * n as f64 * std::f64::consts::PI.ln() - ln_gamma(0.5 * n as f64 + 1.0)
}

/// One chart `A ∪ B` of the zero set.
#[derive(Clone, Debug)]
pub struct Chart {
    pub a_idx: Vec<usize>,
    pub b_idx: Vec<usize>,
    /// `X_A^{−1}` (`n × n`).
    pub xa_inv: DMatrix<f64>,
    /// `G = X_A^{−1} X_B` (`n × (d − n)`).
    pub g: DMatrix<f64>,
    pub ln_abs_det_xa: f64,
    /// `√n ‖X_A^{−1}‖₂`.
    pub beta: f64,
}

/// Importance sampler of `F(ε)` with `K` disjoint charts (needs `K n ≤ d`, `K ≥ 1`).
#[derive(Clone, Debug)]
pub struct TubeSampler {
    pub x: Mat,
    pub charts: Vec<Chart>,
    /// Largest `ε` with `rβ_j ≤ 1/2` for every chart.
    pub eps_max: f64,
    /// `ln vol(B^n)` (the unit ball of the `n`-dimensional tube sections).
    ln_bv: f64,
}

impl TubeSampler {
    /// Charts from the best-conditioned of `tries` random coordinate permutations (drawn from
    /// `rng`; the score of a permutation is the smallest `σ_min(X_A)` over its charts):
    /// * `2n ≤ d`: disjoint blocks `A_k = π[kn .. (k+1)n)`, `k < min(⌊d/n⌋, 4)`; when that gives
    ///   only 2 charts, the 2 blocks of the second-best permutation are added (`K = 4`);
    /// * `2n > d`: `A_k = [d] \ B_k` with `B_k` the cyclic windows `π[k(d−n) .. (k+1)(d−n))` (mod d),
    ///   `k < min(⌈d/(d−n)⌉, 8)`, so every coordinate is outside some chart.
    ///
    /// `None` if `n ≥ d` or every candidate has a singular `X_A`.
    pub fn new(x: &Mat, rng: &mut Stream, tries: usize) -> Option<TubeSampler> {
        let (n, d) = (x.n, x.d);
        if n == 0 || n >= d {
            return None;
        }
        let full = x.to_dmatrix();
        let build = |a_idx: Vec<usize>| -> Option<Chart> {
            let b_idx: Vec<usize> = (0..d).filter(|j| !a_idx.contains(j)).collect();
            let xa = full.select_columns(a_idx.iter());
            let xb = full.select_columns(b_idx.iter());
            let det = xa.determinant();
            if !(det.abs() > 0.0) || !det.is_finite() {
                return None;
            }
            let xa_inv = xa.clone().try_inverse()?;
            let smin = xa.singular_values().iter().copied().fold(f64::INFINITY, f64::min);
            if !(smin > 0.0) {
                return None;
            }
            let g = &xa_inv * xb;
            Some(Chart { a_idx, b_idx, xa_inv, g, ln_abs_det_xa: det.abs().ln(), beta: (n as f64).sqrt() / smin })
        };
        let blocks = |perm: &[usize]| -> Vec<Vec<usize>> {
            if 2 * n <= d {
                (0..(d / n).min(4)).map(|k| perm[k * n..(k + 1) * n].to_vec()).collect()
            } else {
                let m = d - n;
                let kk = d.div_ceil(m).min(8);
                (0..kk)
                    .map(|k| {
                        let b: Vec<usize> = (0..m).map(|j| perm[(k * m + j) % d]).collect();
                        (0..d).map(|j| perm[j]).filter(|i| !b.contains(i)).collect()
                    })
                    .collect()
            }
        };
        let mut cands: Vec<(f64, Vec<Chart>)> = Vec::new();
        for _ in 0..tries.max(1) {
            let mut perm: Vec<usize> = (0..d).collect();
            for j in 0..d {
                let k = j + uniform_index(rng, d - j);
                perm.swap(j, k);
            }
            let charts: Option<Vec<Chart>> = blocks(&perm).into_iter().map(&build).collect();
            if let Some(ch) = charts {
                let score = ch.iter().map(|c| 1.0 / c.beta).fold(f64::INFINITY, f64::min);
                cands.push((score, ch));
            }
        }
        cands.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut it = cands.into_iter();
        let mut charts = it.next()?.1;
        if charts.len() == 2
            && 2 * n <= d
            && let Some((_, more)) = it.next()
        {
            charts.extend(more);
        }
        let beta_max = charts.iter().map(|c| c.beta).fold(0.0, f64::max);
        // rβ ≤ ½ with r = √(nε/c_L) ⇔ ε ≤ c_L/(4 n β²).
        let eps_max = C_L / (4.0 * n as f64 * beta_max * beta_max);
        Some(TubeSampler { x: x.clone(), charts, eps_max, ln_bv: ln_ball_volume(x.n) })
    }

    /// `(ln ρ_j, ln f_{A_j}(U_{A_j}) + ln vol_j)` for chart `j` at `U`; `None` if `S*_j ≤ 0`.
    fn chart_terms(&self, j: usize, u: &[f64], r: f64) -> Option<(f64, f64)> {
        let c = &self.charts[j];
        let n = self.x.n;
        let s_star = self.s_star(j, u)?;
        let ln_rho = (r * s_star / (1.0 - r * c.beta)).ln();
        let ln_vol = self.ln_bv + n as f64 * ln_rho - c.ln_abs_det_xa;
        let ln_fa: f64 = c.a_idx.iter().map(|&i| ln_chi2_1(u[i])).sum();
        Some((ln_rho, ln_fa + ln_vol))
    }

    /// A point of chart `k`'s tube of radius `r`: `U_B` from `f`, then `U_A = U*_A + X_A⁻¹ y` with
    /// `y` uniform in the `n`-ball of radius `ρ` (`u` is zero on entry). The ball point is drawn
    /// even when `S* ≤ 0`, so the stream advances the same way; returns `false` then.
    fn tube_point(&self, k: usize, r: f64, rng: &mut Stream, u: &mut [f64]) -> bool {
        let n = self.x.n;
        let c = &self.charts[k];
        for &i in &c.b_idx {
            let g = standard_normal(rng);
            u[i] = g * g;
        }
        // U*_A and S*.
        let mut s_star: f64 = c.b_idx.iter().map(|&i| u[i]).sum();
        let mut u_star = vec![0.0; n];
        for (row, us) in u_star.iter_mut().enumerate() {
            let mut v = 0.0;
            for (col, &i) in c.b_idx.iter().enumerate() {
                v -= c.g[(row, col)] * u[i];
            }
            *us = v;
            s_star += v;
        }
        // Uniform point of the n-ball (drawn even when unused, so the stream advances the same way).
        let mut y: Vec<f64> = (0..n).map(|_| standard_normal(rng)).collect();
        let radial = uniform01(rng).powf(1.0 / n as f64);
        if !(s_star > 0.0) {
            return false;
        }
        let rho = r * s_star / (1.0 - r * c.beta);
        let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
        y.iter_mut().for_each(|v| *v *= rho * radial / norm);
        for (row, &i) in c.a_idx.iter().enumerate() {
            let mut delta = 0.0;
            for (col, yc) in y.iter().enumerate() {
                delta += c.xa_inv[(row, col)] * yc;
            }
            u[i] = u_star[row] + delta;
        }
        true
    }

    /// One importance-weighted draw of `1{q(W) ≤ ε}`; returns the weight (0 if the event fails).
    pub fn draw(&self, eps: f64, rng: &mut Stream) -> f64 {
        let (n, d) = (self.x.n, self.x.d);
        let r = (n as f64 * eps / C_L).sqrt();
        let kk = self.charts.len();
        let k = uniform_index(rng, kk);
        let mut u = vec![0.0; d];
        if !self.tube_point(k, r, rng, &mut u) {
            return 0.0;
        }
        if u.iter().any(|&v| !(v > 0.0)) {
            return 0.0;
        }
        let s: f64 = u.iter().sum();
        let xu = self.x.mul(&u);
        let norm_xu = xu.iter().map(|v| v * v).sum::<f64>().sqrt();
        if !(norm_xu <= r * s) {
            return 0.0;
        }
        // Balance-heuristic weight K / Σ_j 1{member_j} e^{−ℓ_j}, in log space.
        let mut terms = Vec::with_capacity(kk);
        for j in 0..kk {
            if let Some((ln_rho, l)) = self.chart_terms(j, &u, r)
                && (j == k || norm_xu <= ln_rho.exp())
            {
                terms.push(-l);
            }
        }
        let m = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + terms.iter().map(|t| (t - m).exp()).sum::<f64>().ln();
        ((kk as f64).ln() - lse).exp()
    }
}

impl TubeSampler {
    /// `S*_j = 1ᵀU*_A + 1ᵀU_B` of chart `j` at `U` (`None` if `≤ 0`).
    fn s_star(&self, j: usize, u: &[f64]) -> Option<f64> {
        let c = &self.charts[j];
        let mut s: f64 = c.b_idx.iter().map(|&i| u[i]).sum();
        for row in 0..self.x.n {
            let mut v = 0.0;
            for (col, &i) in c.b_idx.iter().enumerate() {
                v -= c.g[(row, col)] * u[i];
            }
            s += v;
        }
        (s > 0.0).then_some(s)
    }

    /// `ln(q_tube(U)/f(U))` for the multi-scale tube proposal (chart `j` and scale `ε_m`
    /// uniform) at a point `U > 0`; `forced = (k, m)` is the component that drew `U` (its
    /// membership holds by construction).
    fn ln_tube_ratio(&self, u: &[f64], scales: &[f64], forced: Option<(usize, usize)>) -> f64 {
        let n = self.x.n;
        let kk = self.charts.len();
        let xu = self.x.mul(u);
        let norm_xu = xu.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut terms = Vec::with_capacity(kk * scales.len());
        let radii: Vec<f64> = scales.iter().map(|&eps| (n as f64 * eps / C_L).sqrt()).collect();
        for j in 0..kk {
            let Some(s_star) = self.s_star(j, u) else { continue };
            let c = &self.charts[j];
            let ln_fa: f64 = c.a_idx.iter().map(|&i| ln_chi2_1(u[i])).sum();
            for (m, &r) in radii.iter().enumerate() {
                let rho = r * s_star / (1.0 - r * c.beta);
                if forced == Some((j, m)) || norm_xu <= rho {
                    let ln_vol = self.ln_bv + n as f64 * rho.ln() - c.ln_abs_det_xa;
                    terms.push(-(ln_fa + ln_vol));
                }
            }
        }
        let mx = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !mx.is_finite() {
            return f64::NEG_INFINITY;
        }
        mx + terms.iter().map(|t| (t - mx).exp()).sum::<f64>().ln() - ((kk * scales.len()) as f64).ln()
    }

    /// One draw from the defensive mixture `α f + (1 − α) q_tube`, where `q_tube` picks a chart
    /// and a tube width `ε_m ∈ scales` (all `≤ eps_max`) uniformly: returns `q(W)` and the
    /// weight `f/q_mix ≤ 1/α` (0 for draws outside the support). Unbiased for `E_f[g(W)]` for
    /// every `g`; the tubes resolve `{q(W) ≲ ε_m}` at every scale (where `Z_R`'s large-`R`
    /// increments live).
    pub fn draw_mixture(&self, scales: &[f64], alpha: f64, rng: &mut Stream, u: &mut Vec<f64>) -> (f64, f64) {
        let (n, d) = (self.x.n, self.x.d);
        let kk = self.charts.len();
        u.clear();
        u.resize(d, 0.0);
        let plain = uniform01(rng) < alpha;
        let k = uniform_index(rng, kk);
        let m = uniform_index(rng, scales.len());
        let forced = if plain {
            for ui in u.iter_mut() {
                let g = standard_normal(rng);
                *ui = g * g;
            }
            None
        } else {
            let r = (n as f64 * scales[m] / C_L).sqrt();
            if !self.tube_point(k, r, rng, u) {
                return (0.0, 0.0);
            }
            Some((k, m))
        };
        if u.iter().any(|&v| !(v > 0.0)) {
            return (0.0, 0.0);
        }
        let lr = self.ln_tube_ratio(u, scales, forced);
        // ln(α + (1−α) e^{lr})
        let (a, b) = (alpha.ln(), (1.0 - alpha).ln() + lr);
        let ln_mix = if a > b { a + (b - a).exp().ln_1p() } else { b + (a - b).exp().ln_1p() };
        let s: f64 = u.iter().sum();
        let w: Vec<f64> = u.iter().map(|v| v / s).collect();
        (q_of(&self.x, &w), (-ln_mix).exp())
    }
}

/// `ln` of the `χ²_1` density.
#[inline]
pub fn ln_chi2_1(u: f64) -> f64 {
    -0.5 * (2.0 * std::f64::consts::PI * u).ln() - 0.5 * u
}

/// Plain Monte Carlo draw of `1{q(W) ≤ ε}` as 0/1 (for cross-checks).
pub fn plain_draw(x: &Mat, eps: f64, rng: &mut Stream, w: &mut Vec<f64>) -> f64 {
    if draw_q(x, rng, w) <= eps { 1.0 } else { 0.0 }
}

/// Exact `F(ε)` for `d = 2`, `n = 1`: `W_1 ~ Beta(½, ½)` (arcsine law), `z = x_2 + (x_1 − x_2) W_1`.
pub fn f_exact_d2(x1: f64, x2: f64, eps: f64) -> f64 {
    let r = (eps / C_L).sqrt();
    // |x2 + (x1 − x2) w| ≤ r  ⇔  w in an interval; arcsine CDF (2/π) asin(√w).
    let slope = x1 - x2;
    if slope == 0.0 {
        return if x2.abs() <= r { 1.0 } else { 0.0 };
    }
    let (mut lo, mut hi) = ((-r - x2) / slope, (r - x2) / slope);
    if lo > hi {
        std::mem::swap(&mut lo, &mut hi);
    }
    let cdf = |w: f64| (2.0 / std::f64::consts::PI) * w.clamp(0.0, 1.0).sqrt().asin();
    cdf(hi) - cdf(lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    #[test]
    fn h_matches_closed_forms() {
        // a = 1: γ(1, y) = 1 − e^{−y}; a = 2: γ(2,y) = 1 − e^{−y}(1+y); a = 3: 2 − e^{−y}(y²+2y+2).
        for &y in &[1e-8f64, 0.1, 0.9, 1.5, 2.5, 3.9, 4.1, 10.0, 50.0, 300.0] {
            let want1 = -(-y).exp_m1() / y;
            let want2 = (1.0 - (-y).exp() * (1.0 + y)) / (y * y);
            let want3 = (2.0 - (-y).exp() * (y * y + 2.0 * y + 2.0)) / (y * y * y);
            assert!((h(1.0, y) - want1).abs() <= 1e-13 * want1, "a=1 y={y}");
            if y > 1e-3 {
                assert!((h(2.0, y) - want2).abs() <= 1e-11 * want2, "a=2 y={y}: {} vs {want2}", h(2.0, y));
                assert!((h(3.0, y) - want3).abs() <= 1e-9 * want3, "a=3 y={y}: {} vs {want3}", h(3.0, y));
            }
        }
        assert_eq!(h(0.75, 0.0), 1.0 / 0.75);
    }

    #[test]
    fn upper_gamma_in_log_form() {
        // Γ(1, x) = e^{−x}; Γ(2, x) = e^{−x}(1 + x).
        for &x in &[0.5, 3.0, 30.0, 1e3, 1e6] {
            assert!((ln_upper_gamma(1.0, x) + x).abs() < 1e-9 * x.max(1.0), "{x}");
            assert!((ln_upper_gamma(2.0, x) - (-x + (1.0 + x).ln())).abs() < 1e-9 * x.max(1.0), "{x}");
        }
        // Shells add up: ∫_0^{R2} = ∫_0^{R1} + ∫_{R1}^{R2}.
        for &b in &[0.0, 1e-6, 0.3, 5.0] {
            let whole = ln_shell(6, b, 0.0, 4.0).exp();
            let parts = ln_shell(6, b, 0.0, 1.5).exp() + ln_shell(6, b, 1.5, 4.0).exp();
            assert!((whole - parts).abs() < 1e-12 * whole, "b={b}");
        }
    }

    #[test]
    fn n0_closed_form() {
        // d = 2: disk of radius √R has area πR.
        assert!((z_r_n0(2, 3.0) - std::f64::consts::PI * 3.0).abs() < 1e-12);
        // The polar formula with q ≡ 0 gives the same number.
        for d in [2usize, 3, 4, 8, 12] {
            let polar = (ln_simplex_mass(d) + ln_shell(d, 0.0, 0.0, 7.0)).exp();
            assert!((polar - z_r_n0(d, 7.0)).abs() < 1e-10 * polar, "d={d}");
        }
    }

    #[test]
    fn mixture_is_unbiased_for_the_d2_law() {
        let x = Mat::from_rows(&[vec![1.0, -0.6]]).unwrap();
        let ts = TubeSampler::new(&x, &mut stream(1, "tube", "charts", 0), 4).unwrap();
        let mut rng = stream(1, "tube", "mix", 0);
        let mut u = Vec::new();
        let n = 200_000;
        let scales: Vec<f64> = (0..6).map(|m| ts.eps_max * 10f64.powi(-m)).collect();
        let draws: Vec<(f64, f64)> = (0..n).map(|_| ts.draw_mixture(&scales, 0.5, &mut rng, &mut u)).collect();
        for &eps in &[1e-1, 1e-3, 1e-7] {
            let exact = f_exact_d2(1.0, -0.6, eps);
            let ws: Vec<f64> = draws.iter().map(|&(q, w)| if q <= eps { w } else { 0.0 }).collect();
            let m = ws.iter().sum::<f64>() / n as f64;
            let v = ws.iter().map(|w| (w - m) * (w - m)).sum::<f64>() / (n - 1) as f64;
            let se = (v / n as f64).sqrt();
            assert!((m - exact).abs() < 4.0 * se, "eps={eps}: {m} ± {se} vs {exact}");
        }
        // Total mass: E[w] = 1.
        let tot = draws.iter().map(|d| d.1).sum::<f64>() / n as f64;
        assert!((tot - 1.0).abs() < 0.01, "{tot}");
    }

    #[test]
    fn tube_sampler_matches_the_exact_d2_law() {
        let x = Mat::from_rows(&[vec![1.0, -0.6]]).unwrap();
        let ts = TubeSampler::new(&x, &mut stream(1, "tube", "charts", 0), 4).unwrap();
        for &eps in &[1e-4, 1e-8] {
            let exact = f_exact_d2(1.0, -0.6, eps);
            let mut rng = stream(1, "tube", "t", 0);
            let n = 200_000;
            let ws: Vec<f64> = (0..n).map(|_| ts.draw(eps, &mut rng)).collect();
            let m = ws.iter().sum::<f64>() / n as f64;
            let v = ws.iter().map(|w| (w - m) * (w - m)).sum::<f64>() / (n - 1) as f64;
            let se = (v / n as f64).sqrt();
            assert!((m - exact).abs() < 4.0 * se, "eps={eps}: {m} ± {se} vs {exact}");
            assert!(se < 0.01 * exact, "relative error {}", se / exact);
        }
    }
}
