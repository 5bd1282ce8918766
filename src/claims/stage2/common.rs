//! Shared pieces of Stage 2 (Appendix D): the round setting, Theorem D.1's step size solved as a
//! fixed point in `T`, the `(2c_{s−1}, ε_s)`-to-`v*` coupling (Definition D.2 =
//! [`StopSet::NearTruth`]), the designed data sets, the admissible / adversarial state families,
//! the hypotheses validator, the exact one-step margins, and the Monte Carlo of a round (cached,
//! so that the claims D.1, D.3–D.6 share one simulation per run). Not a claim.
//!
//! # Formula
//! Setting (SPEC §6): round `s ≥ 2`, `c0 = 1/10`, `c_s = c0 c_{s−1}` (`c_1 = 1/10`, so
//! `c_s = 10^{−s}`), `ε_s = (4/c0)^{2c_{s−1}} ε_{s−1}`, `T = log(4/c0)/η` rounded **down**,
//! `X_s = b_x² (δ² + b_x² (ε_s² + r)²)`. Theorem D.1's step size: the largest `η` with
//! `c_s² / (8 η X_s) ≥ log(10 r T² / ρ)`, `T = log(40)/η` — a fixed point in `T`, solved by
//! iterating `η ← c_s² / (8 X_s log(10 r (log(40)/η)² / ρ))`.
//!
//! Why `⌊·⌋`: the proof uses `(1 + ηc_{s−1})^T ≤ e^{c_{s−1} log 40}` (150)–(151) and
//! `(1 − η)^T ≤ c0/4`. With `T = ⌊log(40)/η⌋` both hold strictly (the second by its second-order
//! term: `T log(1 − η) ≤ −log 40 − 0.84 η`); with `⌈·⌉` the first fails by a factor `1 + O(η)`.
//! The audits evaluate both at the integer `T`.
//!
//! One-step margins (SPEC §0.4), with `u = v_k − 1 > 0` (above) or `w = 1 − v_k > 0` (below):
//! * above: `(1 − γ)u − E[v'_k − 1 | v] = η v_k (Me)_k − γ u`;
//! * below: `(1 − γ)w − E[1 − v'_k | v] = −η v_k (Me)_k − γ w`.
//!
//! Both are `O(η u²)` at `γ = η` and are computed from `(Me)_k` (never as a difference of `O(1)`
//! numbers).

// `!(x <= y)` is used on purpose: a NaN must count as a failure of the inequality.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::sync::Arc;

use crate::claim::Ctx;
use crate::engine::cache::cached;
use crate::engine::dynamics::Dynamics;
use crate::engine::exact::OneStep;
use crate::engine::lanes::PVec;
use crate::engine::model::{Data, Problem};
use crate::engine::rng::{Stream, uniform01};
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{ChainEnd, Observer, StopSet, run_chains_par};
use crate::error::{Error, Result};
use crate::evidence::{Audit, ExactCheck, Rel};
use crate::numfmt::fmt;

/// `c0 = 1/10` (Theorem D.1).
pub const C0: f64 = 0.1;
/// The failure level of one round in the checks (Theorem 2.1 uses `ρ = 0.01/n_s` per round).
pub const RHO: f64 = 0.01;
/// `ε_{s−1}` of the literal round `s = 2` (SPEC §6.7).
pub const EPS_PREV_LITERAL: f64 = 0.01;
/// `n = d` of the designed (Sylvester–Hadamard) data.
pub const D_DESIGNED: usize = 16;
/// Relative safety factor when a designed data set is put at the boundary of a data condition
/// (the condition then holds with 0.1% to spare, so rounding cannot flip it).
pub const BOUNDARY_FACTOR: f64 = 0.999;

/// `log(4/c0) = log 40`.
pub fn log40() -> f64 {
    (4.0 / C0).ln()
}

/// `c_s = 10^{−s}` (`c_1 = 1/10` is Stage 1's output accuracy).
pub fn c_round(s: u32) -> f64 {
    1.0 / 10f64.powi(s as i32)
}

/// `T = ⌊log(4/c0)/η⌋`.
pub fn steps_for(eta: f64) -> u64 {
    (log40() / eta).floor() as u64
}

/// `log(10 r T²/ρ)` and friends: `log(coef · r · T^pow / ρ)` without overflow.
pub fn log_term(coef: f64, r: usize, t: f64, pow: i32, rho: f64) -> f64 {
    coef.ln() + (r as f64).ln() + pow as f64 * t.ln() - rho.ln()
}

/// Relative safety margin below the fixed point of D.1's step-size condition (so that the
/// condition holds strictly after rounding, not with a margin of `±1` ulp).
pub const ETA_SAFETY: f64 = 1e-9;

/// `x − log(1 + x)` without cancellation (a series for `|x| < 1e−3`).
pub fn x_minus_ln1p(x: f64) -> f64 {
    if x.abs() < 1e-3 {
        let x2 = x * x;
        x2 / 2.0 - x2 * x / 3.0 + x2 * x2 / 4.0 - x2 * x2 * x / 5.0
    } else {
        x - x.ln_1p()
    }
}

/// Theorem D.1's step size: the fixed point `η = c_s²/(8 X_s log(10 r T²/ρ))` with
/// `T = log(40)/η` (an upper bound of the integer `T`, so the condition holds there), times
/// `1 − ETA_SAFETY`.
pub fn eta_d1(c_s: f64, x_s: f64, r: usize, rho: f64) -> f64 {
    eta_fixed_point(c_s * c_s, 8.0 * x_s, 1.0, r, rho) * (1.0 - ETA_SAFETY)
}

/// The fixed point of `η = num / (q · log(10 r T²/ρ))` with `T = h · log(40)/η`, from `η = num/q`.
pub fn eta_fixed_point(num: f64, q: f64, h: f64, r: usize, rho: f64) -> f64 {
    let mut eta = num / q;
    for _ in 0..500 {
        let t = h * log40() / eta;
        let next = num / (q * log_term(10.0, r, t, 2, rho));
        if (next - eta).abs() <= 1e-15 * eta {
            return next;
        }
        eta = next;
    }
    eta
}

/// One round of Theorem D.1 with its constants.
#[derive(Clone, Debug, PartialEq)]
pub struct Round {
    /// Round index `s ≥ 2`.
    pub s: u32,
    /// `c_{s−1}`.
    pub c_prev: f64,
    /// `c_s = c0 c_{s−1}`.
    pub c_s: f64,
    /// `ε_{s−1}`.
    pub eps_prev: f64,
    /// `ε_s = (4/c0)^{2 c_{s−1}} ε_{s−1}`.
    pub eps_s: f64,
    /// Failure level `ρ`.
    pub rho: f64,
    /// Sparsity `r`.
    pub r: usize,
    /// Label-noise level `δ ≥ 0`.
    pub delta: f64,
    /// `b_x ≥ max |x|`.
    pub b_x: f64,
    /// Step size.
    pub eta: f64,
    /// `T = ⌊log(4/c0)/η⌋`.
    pub t: u64,
}

/// `X_s = b_x² (δ² + b_x² (ε_s² + r)²)`.
fn x_s_of(b_x: f64, delta: f64, eps_s: f64, r: usize) -> f64 {
    let b2 = b_x * b_x;
    b2 * (delta * delta + b2 * (eps_s * eps_s + r as f64).powi(2))
}

/// `ε_{s−1}` of round `s`: the literal value at `s = 2`, else `c_{s−1}/2` (Theorem 2.1's chain).
pub fn eps_prev_for(s: u32) -> f64 {
    if s == 2 { EPS_PREV_LITERAL } else { 0.5 * c_round(s - 1) }
}

impl Round {
    /// Round `s` with `η` from Theorem D.1's condition (`eta = None`) or a given `η`.
    pub fn new(s: u32, eps_prev: f64, rho: f64, r: usize, delta: f64, b_x: f64, eta: Option<f64>) -> Round {
        let c_prev = c_round(s - 1);
        let c_s = c_round(s);
        let eps_s = (4.0 / C0).powf(2.0 * c_prev) * eps_prev;
        let x_s = x_s_of(b_x, delta, eps_s, r);
        let eta = eta.unwrap_or_else(|| eta_d1(c_s, x_s, r, rho));
        Round { s, c_prev, c_s, eps_prev, eps_s, rho, r, delta, b_x, eta, t: steps_for(eta) }
    }
    /// `X_s = b_x² (δ² + b_x² (ε_s² + r)²)`.
    pub fn x_s(&self) -> f64 {
        x_s_of(self.b_x, self.delta, self.eps_s, self.r)
    }
    /// Definition D.2's set `G = {‖v_S − 1‖∞ ≤ 2c_{s−1}, ‖v_S̄‖₁ ≤ ε_s}`.
    pub fn coupling(&self) -> StopSet {
        StopSet::NearTruth { b: 2.0 * self.c_prev, eps: self.eps_s }
    }
    /// The printed perturbation bound of (95)/(117)/(124): `(ε_s² + 4 c_{s−1} r) C_x b_x²`.
    pub fn k_printed(&self, c_x: f64) -> f64 {
        (self.eps_s * self.eps_s + 4.0 * self.c_prev * self.r as f64) * c_x * self.b_x * self.b_x
    }
    /// The corrected perturbation bound (E-D3b): `(ε_s² + 4 r c_{s−1}(1 + c_{s−1})) C_x b_x²`.
    pub fn k_corrected(&self, c_x: f64) -> f64 {
        (self.eps_s * self.eps_s + 4.0 * self.r as f64 * self.c_prev * (1.0 + self.c_prev)) * c_x * self.b_x * self.b_x
    }
    /// D.6's printed perturbation term (135): `(ε_s² + 2 r c_s) C_x b_x²`.
    pub fn k_d6_printed(&self, c_x: f64) -> f64 {
        (self.eps_s * self.eps_s + 2.0 * self.r as f64 * self.c_s) * c_x * self.b_x * self.b_x
    }
    /// `P̂ = (1 + η c_{s−1})^T` (exact power via `ln_1p`).
    pub fn growth(&self) -> f64 {
        (self.t as f64 * (self.eta * self.c_prev).ln_1p()).exp()
    }
    /// `log P − log(1 + ηc_{s−1})^T = c_{s−1}(L − Tη) + T(x − log(1 + x))`, `x = ηc_{s−1}`,
    /// `L = log 40`, without cancellation: `≥ 0` ⇔ (150)–(151) `(1 + ηc_{s−1})^T ≤ (4/c0)^{c_{s−1}}`.
    pub fn growth_log_margin(&self) -> f64 {
        let t = self.t as f64;
        let frac = log40() / self.eta - t;
        self.c_prev * self.eta * frac + t * x_minus_ln1p(self.eta * self.c_prev)
    }
    /// `log(c0/4) − T log(1 − η) = T(−η − log(1 − η)) − (L − Tη)`, without cancellation:
    /// `≥ 0` ⇔ `(1 − η)^T ≤ c0/4`.
    pub fn contraction_log_margin(&self) -> f64 {
        let t = self.t as f64;
        let frac = log40() / self.eta - t;
        t * x_minus_ln1p(-self.eta) - self.eta * frac
    }
    /// `(1 − η)^T`.
    pub fn contraction(&self) -> f64 {
        (self.t as f64 * (-self.eta).ln_1p()).exp()
    }
    /// `P = (4/c0)^{c_{s−1}}` (151).
    pub fn p_bound(&self) -> f64 {
        (4.0 / C0).powf(self.c_prev)
    }
    /// Upper bound of a one-step change of a support coordinate on the coupling set:
    /// `η (1 + 2c_{s−1}) b_x (δ + b_x (ε_s² + r))` (`|Δ_k| ≤ η(δ b_x + ‖e‖₁ b_x²)`, `‖e‖₁ ≤ ε_s² + r`).
    pub fn max_step(&self) -> f64 {
        self.eta
            * (1.0 + 2.0 * self.c_prev)
            * self.b_x
            * (self.delta + self.b_x * (self.eps_s * self.eps_s + self.r as f64))
    }
    /// `D4.3`'s increment factor `η (δ b_x + (ε_s² + r) b_x²)`.
    pub fn increment_factor(&self) -> f64 {
        self.eta * (self.delta * self.b_x + (self.eps_s * self.eps_s + self.r as f64) * self.b_x * self.b_x)
    }
    /// Short description.
    pub fn describe(&self) -> String {
        format!(
            "s = {}, c_(s−1) = {}, c_s = {}, ε_(s−1) = {}, ε_s = {}, r = {}, δ = {}, b_x = {}, η = {}, T = {}",
            self.s,
            fmt(self.c_prev),
            fmt(self.c_s),
            fmt(self.eps_prev),
            fmt(self.eps_s),
            self.r,
            fmt(self.delta),
            fmt(self.b_x),
            fmt(self.eta),
            self.t
        )
    }
}

// ------------------------------------------------------------------------------------------
// Floating-point boundary states
// ------------------------------------------------------------------------------------------

/// The next `f64` from `v > 0` in the direction of 1.
pub fn toward_one(v: f64) -> f64 {
    if v > 1.0 { f64::from_bits(v.to_bits() - 1) } else { f64::from_bits(v.to_bits() + 1) }
}

/// The next `f64` from `v > 0` away from 1.
pub fn away_from_one(v: f64) -> f64 {
    if v >= 1.0 { f64::from_bits(v.to_bits() + 1) } else { f64::from_bits(v.to_bits() - 1) }
}

/// A float `v` on the `sign` side of 1 with `lo ≤ |v − 1| ≤ hi` (as computed in f64), starting
/// from `1 + sign·x`.
pub fn deviation(x: f64, sign: f64, lo: f64, hi: f64) -> f64 {
    let mut v = 1.0 + sign * x;
    for _ in 0..64 {
        let dv = (v - 1.0).abs();
        if dv > hi {
            v = toward_one(v);
        } else if dv < lo {
            v = away_from_one(v);
        } else {
            break;
        }
    }
    v
}

/// How the off-support mass is laid out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OffPattern {
    /// All of it on the first off-support coordinate (the others `1e−12`).
    Concentrated,
    /// Evenly over `S̄`.
    Spread,
    /// Every off-support coordinate `1e−12` (no mass).
    Tiny,
}

/// Value of an off-support coordinate that carries no mass.
pub const TINY: f64 = 1e-12;

/// A positive state with the given support values and off-support mass `‖v_S̄‖₁ ≤ mass`
/// (shrunk by ulps until the engine's `off_l1` agrees).
pub fn state(p: &Problem, support: &[f64], pattern: OffPattern, mass: f64) -> PVec {
    let (d, r) = (p.d(), p.r());
    let mut v = vec![TINY; d];
    v[..r].copy_from_slice(support);
    let m = d - r;
    match pattern {
        OffPattern::Concentrated => v[r] = (mass - (m as f64 - 1.0) * TINY).max(TINY),
        OffPattern::Spread => v[r..].iter_mut().for_each(|x| *x = mass / m as f64),
        OffPattern::Tiny => {}
    }
    let mut pv = PVec::from_slice(&v);
    for _ in 0..200 {
        if p.off_l1(&pv) <= mass {
            break;
        }
        for x in &mut pv.as_mut_slice()[r..] {
            *x *= 1.0 - 4.0 * f64::EPSILON;
        }
    }
    pv
}

/// A positive state with random off-support mass `U(0,1)·mass` split by exponential weights.
pub fn random_off(p: &Problem, support: &[f64], mass: f64, rng: &mut Stream) -> PVec {
    let (d, r) = (p.d(), p.r());
    let mut v = vec![0.0; d];
    v[..r].copy_from_slice(support);
    let total = mass * uniform01(rng);
    let w: Vec<f64> = (r..d).map(|_| -(1.0 - uniform01(rng)).ln()).collect();
    let sw: f64 = w.iter().sum();
    for (x, wi) in v[r..].iter_mut().zip(&w) {
        *x = (total * wi / sw).max(TINY);
    }
    let mut pv = PVec::from_slice(&v);
    for _ in 0..200 {
        if p.off_l1(&pv) <= mass {
            break;
        }
        for x in &mut pv.as_mut_slice()[r..] {
            *x *= 1.0 - 4.0 * f64::EPSILON;
        }
    }
    pv
}

/// Boundary start states of a round (SPEC §6.7): every support coordinate at `1 ± c_{s−1}`
/// (all +, all −, alternating), off-support mass `ε_{s−1}` concentrated on one coordinate or
/// spread.
pub fn boundary_starts(p: &Problem, rd: &Round) -> Vec<(PVec, String)> {
    let r = p.r();
    let mut out = Vec::new();
    let mut patterns: Vec<(Vec<f64>, &str)> =
        vec![(vec![1.0; r], "v_S = 1 + c_(s−1)"), (vec![-1.0; r], "v_S = 1 − c_(s−1)")];
    if r > 1 {
        patterns.push(((0..r).map(|k| if k % 2 == 0 { 1.0 } else { -1.0 }).collect(), "v_S = 1 ± c_(s−1) alternating"));
    }
    for (signs, name) in &patterns {
        let sup: Vec<f64> = signs.iter().map(|&sg| deviation(rd.c_prev, sg, 0.0, rd.c_prev)).collect();
        for (pat, pname) in
            [(OffPattern::Concentrated, "mass ε_(s−1) on one coordinate"), (OffPattern::Spread, "mass ε_(s−1) spread")]
        {
            out.push((state(p, &sup, pat, rd.eps_prev), format!("{name}, {pname}")));
        }
    }
    out
}

// ------------------------------------------------------------------------------------------
// Data
// ------------------------------------------------------------------------------------------

/// Designed `16 × 16` data (SPEC §6.7 and the errata witnesses): Sylvester–Hadamard columns
/// `H_k` (`H_0 = 1`), with column 0 scaled to energy `m00` and the columns `j = 1, …, r` (the
/// other support coordinates and the first off-support one) tilted towards it,
/// `x_j = a H_0 + √(1 − a²) H_j`, `a = −c/√m00`. Then `M_00 = m00`, `M_0j = −c`, `M_jj = 1`,
/// `M_jl = a²` (`j ≠ l ∈ {1, …, r}`), every other off-diagonal entry 0, so `C_x = c` (for
/// `c < 1/2`) and `b_x = max(√m00, |a| + √(1 − a²))`. The signs are adversarial: with the other
/// support coordinates above 1 the perturbation pushes `v_0` up, below 1 it pushes `v_0` down,
/// and it makes the first off-support coordinate grow. With `c = 0`, `m00 = 1` this is the
/// Hadamard matrix itself (`M = I`, `C_x = 0`, `b_x = 1`).
pub fn designed_data(r: usize, m00: f64, c: f64) -> Result<Data> {
    let h = Data::hadamard(D_DESIGNED)?;
    let n = h.n();
    let a = -c / m00.sqrt();
    let b = (1.0 - a * a).sqrt();
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..D_DESIGNED)
                .map(|k| {
                    if k == 0 {
                        m00.sqrt() * h.x(i, 0)
                    } else if k <= r {
                        a * h.x(i, 0) + b * h.x(i, k)
                    } else {
                        h.x(i, k)
                    }
                })
                .collect()
        })
        .collect();
    Data::from_rows(&rows)
}

/// The largest `c` for which the designed data meet Theorem D.1's data assumption with the
/// corrected perturbation term, `(ε_s² + 4 r c_{s−1}(1 + c_{s−1})) C_x b_x² ≤ c_s/10` (then the
/// printed `(ε_s² + 4 r c_{s−1}) C_x b_x² ≤ c_s/10` holds too), times [`BOUNDARY_FACTOR`].
pub fn boundary_c(rd: &Round, m00: f64) -> f64 {
    let k0 = rd.eps_s * rd.eps_s + 4.0 * rd.r as f64 * rd.c_prev * (1.0 + rd.c_prev);
    let target = rd.c_s / 10.0;
    let f = |c: f64| {
        let a = c / m00.sqrt();
        let bx = m00.sqrt().max(a + (1.0 - a * a).sqrt());
        c * bx * bx * k0
    };
    let (mut lo, mut hi) = (0.0, target / k0);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) <= target { lo = mid } else { hi = mid }
    }
    lo * BOUNDARY_FACTOR
}

/// E-D3b's data: `n × 16` entries `±1`, columns `k < 16` of the Sylvester–Hadamard matrix of
/// order `n` (`x_k^(i) = (−1)^{popcount(i ∧ k)}`, orthogonal), with the signs of row 0 flipped in
/// columns `1, …, r−1`. Then `M_0j = −2/n` for `j ∈ S \ {0}`, `C_x = 2/n`, `M_kk = 1`, `b_x = 1`:
/// every off-diagonal `M_0j` attains `−C_x` while `b_x = 1`, which is what it takes for the
/// perturbation to reach `C_x Σ_{j∈S∖k} |e_j|`.
pub fn ed3b_data(r: usize, n: usize) -> Result<Data> {
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|i| {
            (0..D_DESIGNED)
                .map(|k| {
                    let x = if (i & k).count_ones() % 2 == 0 { 1.0 } else { -1.0 };
                    if i == 0 && (1..r).contains(&k) { -x } else { x }
                })
                .collect()
        })
        .collect();
    Data::from_rows(&rows)
}

/// A named problem instance with its round.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub problem: Problem,
    pub round: Round,
}

/// The literal round on designed data (SPEC §6.7): `n = d = 16` Hadamard rows, `r = 1`, `s = 2`,
/// `ε_{s−1} = 0.01`, `ρ = 0.01`, `b_x = 1`, `η` from Theorem D.1's condition.
pub fn literal_instance(delta: f64) -> Instance {
    let problem = Problem::new(Data::hadamard(D_DESIGNED).expect("16 is a power of two"), 1).expect("r ≤ d");
    let b_x = problem.stats().b_x;
    let round = Round::new(2, EPS_PREV_LITERAL, RHO, 1, delta, b_x, None);
    Instance { name: format!("Hadamard 16×16, r = 1, δ = {delta}"), problem, round }
}

/// A designed instance for the one-step checks: `r = 5`, round `s`, column 0 of energy `m00`,
/// `M_0j = −C` at the boundary of the data assumption.
pub fn designed_instance(s: u32, eps_prev: f64, m00: f64, delta: f64) -> Result<Instance> {
    let r = 5;
    // b_x depends on C and C on b_x (through X_s only via η, not via the condition): first the
    // condition with b_x of the construction, then η with the realised b_x.
    let probe = Round::new(s, eps_prev, RHO, r, delta, 1.0, None);
    let c = boundary_c(&probe, m00);
    let problem = Problem::new(designed_data(r, m00, c)?, r)?;
    let b_x = problem.stats().b_x;
    let round = Round::new(s, eps_prev, RHO, r, delta, b_x, None);
    Ok(Instance {
        name: format!(
            "designed 16×16, r = 5, M_00 = {}, C_x = {}, s = {s}, δ = {delta}",
            fmt(m00),
            fmt(problem.stats().c_x)
        ),
        problem,
        round,
    })
}

/// The practical Gaussian instance: `d = 100`, `n = 40`, `r = 5`, data conditioned on
/// `min_k M_kk ≥ 1/2`, round `s = 2` with a practical step size.
pub fn gaussian_instance(seed: u64, delta: f64, eta: f64) -> Result<Instance> {
    let c = Problem::gaussian_conditioned(40, 100, 5, seed, "stage2-gaussian", "min_k M_kk ≥ 1/2", 1000, |p| {
        p.stats().min_mkk >= 0.5
    })?;
    let b_x = c.problem.stats().b_x;
    let round = Round::new(2, EPS_PREV_LITERAL, RHO, 5, delta, b_x, Some(eta));
    Ok(Instance {
        name: format!("Gaussian d = 100, n = 40, r = 5 (draw {} conditioned on min M_kk ≥ 1/2)", c.rejected),
        problem: c.problem,
        round,
    })
}

// ------------------------------------------------------------------------------------------
// The hypotheses validator
// ------------------------------------------------------------------------------------------

/// Which statement's hypotheses an audit evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lemma {
    D1,
    D3,
    D4,
    D5,
    D6,
}

/// Evaluate every hypothesis of `lemma` (SPEC §6) at the round's constants, the data and the
/// start states. D.1 includes every lemma's hypotheses plus its own.
pub fn audit_round(id: &str, title: String, rd: &Round, p: &Problem, starts: &[PVec], lemma: Lemma) -> Audit {
    let st = p.stats();
    let x = rd.x_s();
    let t = rd.t as f64;
    let rr = rd.r as f64;
    let mut a = Audit::new(id, title);
    a.check("s ≥ 2", "round index s ≥ 2", rd.s as f64, Rel::Ge, 2.0);
    a.check("c_(s−1) ≤ c0", "c_(s−1) ≤ c0 = 1/10", rd.c_prev, Rel::Le, C0);
    a.check("ε_(s−1) ≤ c_(s−1)", "0 < ε_(s−1) ≤ c_(s−1)", rd.eps_prev, Rel::Le, rd.c_prev);
    a.check("ε_(s−1) > 0", "ε_(s−1) > 0", rd.eps_prev, Rel::Gt, 0.0);
    a.check("δ ≥ 0", "label-noise level δ ≥ 0", rd.delta, Rel::Ge, 0.0);
    a.check("T", "T = ⌊log(4/c0)/η⌋ ≤ log(4/c0)/η (the integer part of the paper's T)", t, Rel::Le, log40() / rd.eta);
    let max_dev = starts.iter().map(|v| p.support_dist_inf(v)).fold(0.0, f64::max);
    let max_off = starts.iter().map(|v| p.off_l1(v)).fold(0.0, f64::max);
    let min_v = starts.iter().flat_map(|v| v.as_slice().iter().copied()).fold(f64::INFINITY, f64::min);
    a.check("‖v_S[0] − 1‖∞ ≤ c_(s−1)", "every start state: ‖v_S[0] − v*_S‖∞ ≤ c_(s−1)", max_dev, Rel::Le, rd.c_prev);
    a.check("‖v_S̄[0]‖₁ ≤ ε_(s−1)", "every start state: ‖v_S̄[0]‖₁ ≤ ε_(s−1)", max_off, Rel::Le, rd.eps_prev);
    a.check("v[0] > 0", "start states positive (as Stages 0–1 produce)", min_v, Rel::Gt, 0.0);
    a.check("‖x‖∞ ≤ b_x", "max_{i,k} |x_k^(i)| ≤ b_x", st.b_x, Rel::Le, rd.b_x);
    a.check("M_kk ≥ 1/2", "min_k M_kk ≥ 1/2", st.min_mkk, Rel::Ge, 0.5);
    a.check(
        "positivity (DERIVED)",
        "η (δ b_x + (ε_s² + r) b_x²) < 1: every factor F_k > 0 on the coupling set (SPEC §0.4)",
        rd.increment_factor(),
        Rel::Lt,
        1.0,
    );
    let g3_level = match lemma {
        Lemma::D3 => Some(2.0 * rd.c_prev),
        Lemma::D6 | Lemma::D1 => Some(rd.c_s),
        _ => None,
    };
    if let Some(c) = g3_level {
        a.check(
            "step ≤ c/6 (E-G3b, DERIVED)",
            &format!("one step moves a support coordinate by ≤ η(1+2c_(s−1)) b_x (δ + b_x(ε_s² + r)) ≤ c/6, c = {} (G.3's window needs it)", fmt(c)),
            rd.max_step(),
            Rel::Le,
            c / 6.0,
        );
    }
    let kp = rd.k_printed(st.c_x);
    if matches!(lemma, Lemma::D3 | Lemma::D1) {
        a.check(
            "(D3-a)",
            "c_(s−1)² / (2 η X_s) ≥ log(10 r T²/ρ)",
            rd.c_prev * rd.c_prev / (2.0 * rd.eta * x),
            Rel::Ge,
            log_term(10.0, rd.r, t, 2, rd.rho),
        );
        a.check(
            "(D3-b)",
            "(ε_s² + 4 r c_(s−1)) C_x b_x² ≤ c_s/10 (κ₃ unreadable; the theorem supplies c_s/10)",
            kp,
            Rel::Le,
            rd.c_s / 10.0,
        );
    }
    if matches!(lemma, Lemma::D4 | Lemma::D1) {
        let lam = rd.eps_s / rd.growth() - rd.eps_prev;
        a.check("(D4-a)", "(ε_s² + 4 c_(s−1) r) C_x b_x² ≤ c_(s−1)", kp, Rel::Le, rd.c_prev);
        a.check("(D4-b)", "ε_s > (1 + η c_(s−1))^T ε_(s−1)", rd.eps_s, Rel::Gt, rd.growth() * rd.eps_prev);
        a.check(
            "(D4-c)",
            "((1 + η c_(s−1))^(−T) ε_s − ε_(s−1))² / (2 T η² X_s ε_s²) ≥ log(5/ρ)",
            lam * lam / (2.0 * t * rd.eta * rd.eta * x * rd.eps_s * rd.eps_s),
            Rel::Ge,
            (5.0 / rd.rho).ln(),
        );
    }
    if matches!(lemma, Lemma::D5 | Lemma::D1) {
        a.check(
            "(D5-a)",
            "(1 − η)^T · 2 c_(s−1) < c_s/2 (G.4 needs (1−γ)^T c₂ < c₁)",
            rd.contraction() * 2.0 * rd.c_prev,
            Rel::Lt,
            rd.c_s / 2.0,
        );
        a.check(
            "(D5-b) (DERIVED)",
            "c_s² / (32 η X_s) ≥ log(5r/ρ)",
            rd.c_s * rd.c_s / (32.0 * rd.eta * x),
            Rel::Ge,
            (5.0 * rr / rd.rho).ln(),
        );
        a.check("(D5-c)", "(ε_s² + 4 c_(s−1) r) C_x b_x² ≤ c_s/10", kp, Rel::Le, rd.c_s / 10.0);
    }
    if matches!(lemma, Lemma::D6 | Lemma::D1) {
        a.check(
            "(D6-a)",
            "c_s² / (8 η X_s) ≥ log(5 r T²/ρ)",
            rd.c_s * rd.c_s / (8.0 * rd.eta * x),
            Rel::Ge,
            log_term(5.0, rd.r, t, 2, rd.rho),
        );
        a.check("(D6-b)", "(ε_s² + 2 r c_s) C_x b_x² ≤ c_s/20", rd.k_d6_printed(st.c_x), Rel::Le, rd.c_s / 20.0);
    }
    if lemma == Lemma::D1 {
        a.check(
            "(D.1-η)",
            "c_s² / (8 η X_s) ≥ log(10 r T²/ρ) (the proof's choice of η)",
            rd.c_s * rd.c_s / (8.0 * rd.eta * x),
            Rel::Ge,
            log_term(10.0, rd.r, t, 2, rd.rho),
        );
        a.check(
            "(D.1-data)",
            "(ε_s² + 4 c_(s−1) r) C_x b_x² ≤ c_s/10 (the theorem's data assumption)",
            kp,
            Rel::Le,
            rd.c_s / 10.0,
        );
        a.check("n ≤ d", "n ≤ d (the proof's choice of b_x)", p.n() as f64, Rel::Le, p.d() as f64);
    }
    a
}

// ------------------------------------------------------------------------------------------
// Exact one-step states and margins
// ------------------------------------------------------------------------------------------

/// Which side of 1 a drift inequality is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Above,
    Below,
}

impl Side {
    pub fn sign(self) -> f64 {
        match self {
            Side::Above => 1.0,
            Side::Below => -1.0,
        }
    }
}

/// Margin of `E[v'_k − 1 | v] ≤ (1 − γ)(v_k − 1)` (above) or `E[1 − v'_k | v] ≤ (1 − γ)(1 − v_k)`
/// (below), from the closed form of the mean increment.
pub fn drift_margin(os: &OneStep, k: usize, side: Side, gamma: f64) -> f64 {
    let v = os.v().as_slice()[k];
    match side {
        Side::Above => -os.mean_increment(k) - gamma * (v - 1.0),
        Side::Below => os.mean_increment(k) - gamma * (1.0 - v),
    }
}

/// The natural scale `η u²` of a drift margin at rate `η` (`u = |v_k − 1|`).
pub fn drift_scale(os: &OneStep, k: usize) -> f64 {
    let u = os.v().as_slice()[k] - 1.0;
    os.eta() * u * u
}

/// A short description of a state for the report: the tested coordinate, the other support
/// coordinates' range, the off-support mass and the perturbation `K_k`.
pub fn describe_state(p: &Problem, v: &PVec, k: usize, label: &str) -> String {
    let s = v.as_slice();
    let others: Vec<f64> = (0..p.r()).filter(|&j| j != k).map(|j| s[j] - 1.0).collect();
    let (mn, mx) = others.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let oth = if others.is_empty() {
        String::new()
    } else {
        format!(", v_j − 1 ∈ [{}, {}] (j ∈ S∖k)", fmt(mn), fmt(mx))
    };
    format!(
        "{label}: v_{k} − 1 = {}{oth}, ‖v_S̄‖₁ = {}, K_{k} = {}",
        fmt(s[k] - 1.0),
        fmt(p.off_l1(v)),
        fmt(p.perturbation(v, k))
    )
}

/// Admissible states for a drift inequality about coordinate `k = 0 ∈ S` on one side, with
/// `|v_k − 1| ∈ [lo, hi]`, inside the coupling set: adversarial ones (window ends and interior
/// points × the other support coordinates at `1 + 2c_{s−1}`, `1 − 2c_{s−1}` or 1 × off-support
/// mass `ε_s` concentrated / spread / none) and `n_random` random ones.
pub fn window_states(
    p: &Problem,
    rd: &Round,
    side: Side,
    lo: f64,
    hi: f64,
    n_random: usize,
    rng: &mut Stream,
) -> Vec<(PVec, String)> {
    let r = p.r();
    let mut out = Vec::new();
    let b = 2.0 * rd.c_prev;
    let mut devs = vec![lo, hi];
    for j in 1..=3 {
        devs.push(lo * (hi / lo).powf(j as f64 / 4.0));
    }
    let other_patterns: Vec<(f64, &str)> = if r > 1 {
        vec![(1.0, "others at 1 + 2c_(s−1)"), (-1.0, "others at 1 − 2c_(s−1)"), (0.0, "others at 1")]
    } else {
        vec![(0.0, "")]
    };
    for &x in &devs {
        for &(osign, oname) in &other_patterns {
            let mut sup = vec![1.0; r];
            sup[0] = deviation(x, side.sign(), lo, hi);
            for s in sup.iter_mut().skip(1) {
                *s = if osign == 0.0 { 1.0 } else { deviation(b, osign, 0.0, b) };
            }
            for (pat, pname) in [
                (OffPattern::Concentrated, "ε_s on one coordinate"),
                (OffPattern::Spread, "ε_s spread"),
                (OffPattern::Tiny, "no off-support mass"),
            ] {
                out.push((
                    state(p, &sup, pat, rd.eps_s),
                    format!("adversarial ({oname}{}{pname})", if oname.is_empty() { "" } else { ", " }),
                ));
            }
        }
    }
    for _ in 0..n_random {
        let x = lo + (hi - lo) * uniform01(rng);
        let mut sup = vec![0.0; r];
        sup[0] = deviation(x, side.sign(), lo, hi);
        for s in sup.iter_mut().skip(1) {
            let y = b * (2.0 * uniform01(rng) - 1.0);
            *s = deviation(y.abs(), y.signum(), 0.0, b);
        }
        out.push((random_off(p, &sup, rd.eps_s, rng), "random admissible".to_string()));
    }
    out.retain(|(v, _)| rd.coupling().contains(v, p));
    out
}

/// Trajectory states (snapshots of real chains) that lie in the coupling set with
/// `|v_0 − 1| ∈ [lo, hi]` on the given side.
pub fn trajectory_states(p: &Problem, rd: &Round, side: Side, lo: f64, hi: f64, snaps: &[PVec]) -> Vec<(PVec, String)> {
    snaps
        .iter()
        .filter(|v| {
            let x = v.as_slice()[0] - 1.0;
            rd.coupling().contains(v, p) && x * side.sign() >= lo && x * side.sign() <= hi
        })
        .map(|v| (v.clone(), "trajectory".to_string()))
        .collect()
}

/// In-set states for the off-support inequalities (no window): random + adversarial.
pub fn inset_states(p: &Problem, rd: &Round, n_random: usize, rng: &mut Stream) -> Vec<(PVec, String)> {
    let r = p.r();
    let b = 2.0 * rd.c_prev;
    let mut out = Vec::new();
    for sg in [1.0, -1.0, 0.0] {
        let sup: Vec<f64> = (0..r).map(|_| if sg == 0.0 { 1.0 } else { deviation(b, sg, 0.0, b) }).collect();
        for pat in [OffPattern::Concentrated, OffPattern::Spread, OffPattern::Tiny] {
            let where_s = if sg > 0.0 {
                "1 + 2c_(s−1)"
            } else if sg < 0.0 {
                "1 − 2c_(s−1)"
            } else {
                "1"
            };
            out.push((
                state(p, &sup, pat, rd.eps_s),
                format!("adversarial (support at {where_s}, off-support {pat:?})"),
            ));
        }
    }
    for _ in 0..n_random {
        let sup: Vec<f64> = (0..r)
            .map(|_| {
                let y = b * (2.0 * uniform01(rng) - 1.0);
                deviation(y.abs(), y.signum(), 0.0, b)
            })
            .collect();
        out.push((random_off(p, &sup, rd.eps_s, rng), "random admissible".to_string()));
    }
    out.retain(|(v, _)| rd.coupling().contains(v, p));
    out
}

/// Evaluate `f(os) = (margin, scale)` at every state and record it.
pub fn eval(
    check: &mut ExactCheck,
    inst: &Instance,
    grad_sign: f64,
    states: &[(PVec, String)],
    k: usize,
    f: impl Fn(&OneStep) -> (f64, f64),
) {
    for (v, label) in states {
        let os = OneStep::with_grad_sign(&inst.problem, v, inst.round.eta, inst.round.delta, grad_sign);
        let (m, sc) = f(&os);
        check.record_scaled(m, sc, || format!("[{}] {}", inst.name, describe_state(&inst.problem, v, k, label)));
    }
}

/// The exact probability that one SgdGauss step (`v' = v ⊙ (1 − η r_i x^(i)) + η σ ξ`) leaves
/// *every* interval of length `len` in coordinate `k`: at least `erfc(len / (2√2 ησ))` (each
/// mixture component puts at most its centred mass in any interval of that length).
pub fn sgd_gauss_outside_prob(eta: f64, sigma: f64, len: f64) -> f64 {
    statrs::function::erf::erfc(len / (2.0 * std::f64::consts::SQRT_2 * eta * sigma))
}

/// Exact `P(Σ_{k∉S} v'_k − Σ_{k∉S} v_k > bound)` for one SgdGauss step (a lower bound on
/// `P(|Δ‖v_S̄‖₁| > bound)`): `(1/n) Σ_i P(N(μ_i, (d − r) η²σ²) > bound)` with
/// `μ_i = −η r_i Σ_{k∉S} v_k x_k^(i)`.
pub fn sgd_gauss_off_exceed_prob(p: &Problem, v: &PVec, eta: f64, sigma: f64, bound: f64) -> f64 {
    let sd = eta * sigma * ((p.d() - p.r()) as f64).sqrt();
    let mut s = 0.0;
    for i in 0..p.n() {
        let ri = p.residual(i, v);
        let mu: f64 = (p.r()..p.d()).map(|k| -eta * ri * v.as_slice()[k] * p.data().x(i, k)).sum();
        s += 0.5 * statrs::function::erf::erfc((bound - mu) / (std::f64::consts::SQRT_2 * sd));
    }
    s / p.n() as f64
}

/// `max_o |Σ_{k∉S} (v'_k − v_k)|` over the `2n` outcomes, as `Σ_{k∉S} v_k Δ_k(o)`.
pub fn max_off_increment(os: &OneStep) -> f64 {
    let p = os.problem();
    let v = os.v().as_slice();
    let mut m: f64 = 0.0;
    for o in 0..os.outcomes() {
        let s: f64 = (p.r()..p.d()).map(|k| v[k] * os.delta_k(o, k)).sum();
        m = m.max(s.abs());
    }
    m
}

// ------------------------------------------------------------------------------------------
// Monte Carlo of a round
// ------------------------------------------------------------------------------------------

/// What one chain of a round produced: the stopped chain's quantities (Definition D.2) and the
/// real chain's final state.
#[derive(Clone, Debug)]
pub struct RoundChain {
    /// `τ_exit = inf{t: v[t] ∉ G}`.
    pub exit_step: Option<u64>,
    /// The step at which the real chain diverged.
    pub diverged_at: Option<u64>,
    /// `‖ṽ_S[T] − 1‖∞` (∞ if the chain diverged before leaving `G`).
    pub stopped_dev: f64,
    /// `‖ṽ_S̄[T]‖₁`.
    pub stopped_off: f64,
    /// `|ṽ_k[T] − 1|`, `k ∈ S`.
    pub stopped_k_dev: Vec<f64>,
    /// `min_{t ≤ T} |ṽ_k[t] − 1|`, `k ∈ S`.
    pub min_dev: Vec<f64>,
    /// `‖v_S[T] − 1‖∞` of the real chain (∞ if it diverged).
    pub final_dev: f64,
    /// `‖v_S̄[T]‖₁` of the real chain (∞ if it diverged).
    pub final_off: f64,
    /// Snapshots of the real chain (for the exact checks), if requested.
    pub snapshots: Vec<PVec>,
}

impl RoundChain {
    /// The coupling never froze: `ṽ[T] ∈ G` (so `ṽ[T] = v[T]`).
    pub fn coupled(&self) -> bool {
        self.exit_step.is_none() && self.diverged_at.is_none()
    }
    /// D.3's event `‖ṽ_S[T] − 1‖∞ > 2c_{s−1}`.
    pub fn d3(&self, rd: &Round) -> bool {
        !(self.stopped_dev <= 2.0 * rd.c_prev)
    }
    /// D.4's event `‖ṽ_S̄[T]‖₁ > ε_s`.
    pub fn d4(&self, rd: &Round) -> bool {
        !(self.stopped_off <= rd.eps_s)
    }
    /// D.5's failure for some `k ∈ S`: coupled at `T` and `min_t |ṽ_k[t] − 1| > c_s/2`.
    pub fn d5(&self, rd: &Round) -> bool {
        self.coupled() && self.min_dev.iter().any(|&m| m > rd.c_s / 2.0)
    }
    /// D.6's event for some `k ∈ S`: `min_t |ṽ_k[t] − 1| ≤ c_s/2`, `|ṽ_k[T] − 1| > c_s`, coupled.
    pub fn d6(&self, rd: &Round) -> bool {
        self.coupled() && self.min_dev.iter().zip(&self.stopped_k_dev).any(|(&m, &e)| m <= rd.c_s / 2.0 && e > rd.c_s)
    }
    /// D.1's conclusion fails for the real chain: `‖v_S[T] − 1‖∞ > c_s` or `‖v_S̄[T]‖₁ > ε_s`.
    pub fn d1_fails(&self, rd: &Round) -> bool {
        self.diverged_at.is_some() || !(self.final_dev <= rd.c_s) || !(self.final_off <= rd.eps_s)
    }
    /// `(1 + η c_{s−1})^{−T} ‖ṽ_S̄[T]‖₁` (D.4's supermartingale at `T`).
    pub fn supermartingale(&self, rd: &Round) -> f64 {
        self.stopped_off / rd.growth()
    }
}

/// The observer of one chain of a round: tracks the coupling `g` (stopped at its first exit,
/// SPEC §0.5) along the real chain, and keeps snapshots of the real chain every `snap_every` steps.
struct RoundObs<'a> {
    p: &'a Problem,
    g: StopSet,
    min_dev: Vec<f64>,
    exit: Option<(u64, f64, f64, Vec<f64>)>,
    snaps: Vec<PVec>,
    snap_every: u64,
}

impl Observer for RoundObs<'_> {
    fn observe(&mut self, t: u64, v: &PVec) {
        if self.exit.is_none() {
            let s = v.as_slice();
            for (k, m) in self.min_dev.iter_mut().enumerate() {
                let dv = (s[k] - 1.0).abs();
                if dv < *m {
                    *m = dv;
                }
            }
            if !self.g.contains(v, self.p) {
                let p = self.p;
                self.exit =
                    Some((t, p.support_dist_inf(v), p.off_l1(v), (0..p.r()).map(|k| (s[k] - 1.0).abs()).collect()));
            }
        }
        if self.snap_every > 0 && t % self.snap_every == 0 {
            self.snaps.push(v.clone());
        }
    }
}

impl RoundObs<'_> {
    /// The chain's record from its end and what the observer saw.
    fn into_chain(self, end: ChainEnd) -> RoundChain {
        let (p, r) = (self.p, self.p.r());
        let (final_dev, final_off) = if end.diverged_at.is_some() {
            (f64::INFINITY, f64::INFINITY)
        } else {
            (p.support_dist_inf(&end.v), p.off_l1(&end.v))
        };
        let (exit_step, stopped_dev, stopped_off, stopped_k_dev) = match self.exit {
            Some((t, d, o, kd)) => (Some(t), d, o, kd),
            None if end.diverged_at.is_some() => {
                (end.diverged_at, f64::INFINITY, f64::INFINITY, vec![f64::INFINITY; r])
            }
            None => (None, final_dev, final_off, (0..r).map(|k| (end.v.as_slice()[k] - 1.0).abs()).collect()),
        };
        RoundChain {
            exit_step,
            diverged_at: end.diverged_at,
            stopped_dev,
            stopped_off,
            stopped_k_dev,
            min_dev: self.min_dev,
            final_dev,
            final_off,
            snapshots: self.snaps,
        }
    }
}

/// The chains of one variant of a round.
#[derive(Clone, Debug)]
pub struct RoundRun {
    /// What was simulated.
    pub label: String,
    pub dynamics: Dynamics,
    pub round: Round,
    /// Steps simulated (`T`, or a deliberately wrong horizon for a control).
    pub steps: u64,
    pub chains: Vec<RoundChain>,
}

impl RoundRun {
    /// Number of chains.
    pub fn n(&self) -> u64 {
        self.chains.len() as u64
    }
    /// Number of chains with the event.
    pub fn count(&self, f: impl Fn(&RoundChain) -> bool) -> u64 {
        self.chains.iter().filter(|c| f(c)).count() as u64
    }
    /// Chains that diverged.
    pub fn diverged(&self) -> u64 {
        self.count(|c| c.diverged_at.is_some())
    }
    /// All snapshots.
    pub fn snapshots(&self) -> Vec<PVec> {
        self.chains.iter().flat_map(|c| c.snapshots.iter().cloned()).collect()
    }
}

/// Simulate `n_chains` chains of `dynamics` on `inst` for `steps` steps at step size `eta`
/// (chain `j` starts from start state `j mod #starts`; streams `(seed, "stage2", purpose, j)`).
/// Algorithm-1 chains run interleaved ([`run_chains_par`]), bitwise as one by one.
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    ctx: &Ctx,
    purpose: &str,
    label: String,
    inst: &Instance,
    dynamics: Dynamics,
    eta: f64,
    steps: u64,
    n_chains: usize,
    snap_chains: usize,
    snaps_per_chain: u64,
) -> RoundRun {
    let starts = boundary_starts(&inst.problem, &inst.round);
    let g = inst.round.coupling();
    let p = &inst.problem;
    let sched = Schedule::constant(eta, steps).expect("η > 0");
    let ends = run_chains_par(&ctx.runner, purpose, n_chains, p, &dynamics, &sched, StopSet::Never, |j| {
        let snap_every = if j < snap_chains { (steps / snaps_per_chain.max(1)).max(1) } else { 0 };
        let obs = RoundObs { p, g, min_dev: vec![f64::INFINITY; p.r()], exit: None, snaps: Vec::new(), snap_every };
        (starts[j % starts.len()].0.clone(), ctx.stream("stage2", purpose, j as u64), obs)
    });
    let chains = ends.into_iter().map(|(end, obs)| obs.into_chain(end)).collect();
    RoundRun { label, dynamics, round: inst.round.clone(), steps, chains }
}

// ------------------------------------------------------------------------------------------
// The per-run cache (claims D.1, D.3–D.6 share one simulation)
// ------------------------------------------------------------------------------------------

/// The cache key of a context.
pub fn ctx_key(ctx: &Ctx, what: &str) -> String {
    format!("{what}|{}|{}|{:?}", ctx.budget.name(), ctx.seed, ctx.overrides)
}

/// The literal-round variants simulated for the claims (SPEC §6.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Variant {
    /// Algorithm 1, δ = 0, Theorem D.1's η and T.
    Literal0,
    /// Algorithm 1, δ = 1.
    Literal1,
    /// Control: flipped gradient sign (δ = 0).
    Flipped,
    /// Control: horizon T/4 (violates (D5-a)).
    Short,
    /// Control: δ = 10 at 100× the step size D.1 allows for δ = 1 (violates (D6-a)).
    Noisy,
    /// E-D1: the printed step size `c_s/(8 X_s log(10 r T²/ρ))` (δ = 0).
    Printed,
}

/// The chain counts per budget of each variant (`--chains` sets the literal δ = 0 round's).
pub fn chains_for(ctx: &Ctx, v: Variant) -> usize {
    let b = ctx.budget;
    match v {
        Variant::Literal0 => ctx.overrides.chains.unwrap_or(b.pick(12, 48, 5000)),
        Variant::Literal1 => b.pick(4, 16, 2000),
        Variant::Flipped => b.pick(4, 8, 64),
        Variant::Short => b.pick(4, 8, 64),
        Variant::Noisy => b.pick(16, 32, 256),
        Variant::Printed => b.pick(16, 64, 1024),
    }
}

/// Validate the overrides the Stage-2 claims accept (`--chains ≥ 1`).
pub fn validate(ctx: &Ctx) -> Result<()> {
    if let Some(c) = ctx.overrides.chains {
        crate::error::check::at_least_one("chains", c as u64)?;
    }
    Ok(())
}

/// Snapshots per recorded chain (the first four chains of the literal rounds).
pub const SNAPSHOTS_PER_CHAIN: u64 = 80;

/// The simulation of a literal-round variant (cached per process).
pub fn literal_run(ctx: &Ctx, v: Variant) -> Arc<RoundRun> {
    cached("stage2", ctx_key(ctx, &format!("stage2-literal-{v:?}")), || {
        let n = chains_for(ctx, v);
        match v {
            Variant::Literal0 | Variant::Literal1 => {
                let delta = if v == Variant::Literal0 { 0.0 } else { 1.0 };
                let inst = literal_instance(delta);
                let (eta, t) = (inst.round.eta, inst.round.t);
                simulate(
                    ctx,
                    &format!("{v:?}"),
                    format!("Algorithm 1, δ = {delta}, η = {}, T = {t} (literal)", fmt(eta)),
                    &inst,
                    Dynamics::Alg1 { delta },
                    eta,
                    t,
                    n,
                    4,
                    SNAPSHOTS_PER_CHAIN,
                )
            }
            Variant::Flipped => {
                let inst = literal_instance(0.0);
                let (eta, t) = (inst.round.eta, inst.round.t);
                simulate(
                    ctx,
                    "Flipped",
                    "Algorithm 1 with flipped gradient sign, δ = 0 (control)".into(),
                    &inst,
                    Dynamics::Alg1FlippedGradient { delta: 0.0 },
                    eta,
                    t,
                    n,
                    0,
                    0,
                )
            }
            Variant::Short => {
                let inst = literal_instance(0.0);
                let (eta, t) = (inst.round.eta, inst.round.t / 4);
                simulate(
                    ctx,
                    "Short",
                    format!("Algorithm 1, δ = 0, horizon T/4 = {t} (control)"),
                    &inst,
                    Dynamics::Alg1 { delta: 0.0 },
                    eta,
                    t,
                    n,
                    0,
                    0,
                )
            }
            Variant::Noisy => {
                let base = literal_instance(1.0);
                let eta = 100.0 * base.round.eta;
                let mut inst = base.clone();
                inst.round = Round::new(2, EPS_PREV_LITERAL, RHO, 1, 10.0, base.round.b_x, Some(eta));
                let t = inst.round.t;
                simulate(
                    ctx,
                    "Noisy",
                    format!("Algorithm 1, δ = 10 at η = 100 × η_D1(δ = 1) = {}, T = {t} (control)", fmt(eta)),
                    &inst,
                    Dynamics::Alg1 { delta: 10.0 },
                    eta,
                    t,
                    n,
                    0,
                    0,
                )
            }
            Variant::Printed => {
                let base = literal_instance(0.0);
                let eta = printed_eta(&base.round);
                let mut inst = base.clone();
                inst.round = Round::new(2, EPS_PREV_LITERAL, RHO, 1, 0.0, base.round.b_x, Some(eta));
                let t = inst.round.t;
                simulate(
                    ctx,
                    "Printed",
                    format!("Algorithm 1, δ = 0 at the printed step size η = {} (E-D1), T = {t}", fmt(eta)),
                    &inst,
                    Dynamics::Alg1 { delta: 0.0 },
                    eta,
                    t,
                    n,
                    0,
                    0,
                )
            }
        }
    })
}

/// E-D1's reading of the printed step size `η ≤ Θ̃(c_s/(δ² + r²))` with the proof's own
/// polylog factor: the fixed point `η = c_s/(8 X_s log(10 r T²/ρ))`.
pub fn printed_eta(rd: &Round) -> f64 {
    eta_fixed_point(rd.c_s, 8.0 * rd.x_s(), 1.0, rd.r, rd.rho)
}

/// The practical Gaussian round's variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GaussVariant {
    /// Algorithm 1, δ = 1.
    Alg1,
    /// Control: flipped gradient sign.
    Flipped,
    /// Control: SGD + spherical Gaussian noise of matched variance (σ = δ·√M_00 ≈ δ).
    SgdGauss,
}

/// Practical Gaussian round: the step size (a practical choice, labelled; D.1's literal η is
/// ~1e−11 here) and the label-noise level.
pub const GAUSS_ETA: f64 = 1e-5;
/// Label-noise level of the practical Gaussian round.
pub const GAUSS_DELTA: f64 = 1.0;

/// The practical Gaussian instance (cached).
pub fn gaussian_inst(ctx: &Ctx) -> Result<Arc<Instance>> {
    let r = cached("stage2", ctx_key(ctx, "stage2-gaussian-instance"), || {
        gaussian_instance(ctx.seed, GAUSS_DELTA, GAUSS_ETA).map(Arc::new).map_err(|e| e.to_string())
    });
    (*r).clone().map_err(Error::Numerical)
}

/// The practical Gaussian round's simulation (cached).
pub fn gaussian_run(ctx: &Ctx, v: GaussVariant) -> Result<Arc<RoundRun>> {
    let inst = gaussian_inst(ctx)?;
    let n = match v {
        GaussVariant::Alg1 => ctx.budget.pick(32, 128, 4096),
        _ => ctx.budget.pick(16, 16, 256),
    };
    Ok(cached("stage2", ctx_key(ctx, &format!("stage2-gaussian-{v:?}")), || {
        let rd = &inst.round;
        let (dynamics, label) = match v {
            GaussVariant::Alg1 => (
                Dynamics::Alg1 { delta: rd.delta },
                format!("Algorithm 1, δ = {}, η = {}, T = {} (practical)", rd.delta, fmt(rd.eta), rd.t),
            ),
            GaussVariant::Flipped => (
                Dynamics::Alg1FlippedGradient { delta: rd.delta },
                "Algorithm 1 with flipped gradient sign (control)".to_string(),
            ),
            GaussVariant::SgdGauss => {
                let sigma = rd.delta * inst.problem.m_jk(0, 0).sqrt();
                (
                    Dynamics::SgdGauss { sigma },
                    format!("SGD + spherical Gaussian noise σ = δ√M_00 = {} (control)", fmt(sigma)),
                )
            }
        };
        simulate(ctx, &format!("gauss-{v:?}"), label, &inst, dynamics, rd.eta, rd.t, n, 0, 0)
    }))
}

// ------------------------------------------------------------------------------------------
// Exact-check suites shared by the claims
// ------------------------------------------------------------------------------------------

/// An instance for the one-step checks, with trajectory snapshots (may be empty).
#[derive(Clone, Debug)]
pub struct ExactInst {
    pub inst: Instance,
    pub snaps: Vec<PVec>,
}

/// The windows of the drift inequalities (values of `|v_k − 1|`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    /// D.3's G.3 window `[(2/3) c_{s−1}, 2 c_{s−1}]` (`c = 2c_{s−1}`, `[c/3, c]`).
    D3,
    /// D.5's G.4 window `[c_s/2, 2 c_{s−1}]`.
    D5,
    /// D.6's G.3 window `[c_s/3, c_s]`.
    D6,
}

impl Window {
    /// `(lo, hi)` for a round.
    pub fn bounds(self, rd: &Round) -> (f64, f64) {
        match self {
            Window::D3 => (2.0 * rd.c_prev / 3.0, 2.0 * rd.c_prev),
            Window::D5 => (rd.c_s / 2.0, 2.0 * rd.c_prev),
            Window::D6 => (rd.c_s / 3.0, rd.c_s),
        }
    }
}

/// Random states per instance and check, by budget.
pub fn n_random(ctx: &Ctx) -> usize {
    ctx.budget.pick(200, 1000, 10_000)
}

/// The states of a drift check on one instance (adversarial + random + trajectory); the same
/// `key` gives the same states (witness and repair are evaluated on the same states).
pub fn drift_states(ctx: &Ctx, key: &str, j: usize, ei: &ExactInst, win: Window, side: Side) -> Vec<(PVec, String)> {
    let rd = &ei.inst.round;
    let (lo, hi) = win.bounds(rd);
    let mut rng = ctx.stream("stage2-states", &format!("{key}-{win:?}-{side:?}"), j as u64);
    let mut st = window_states(&ei.inst.problem, rd, side, lo, hi, n_random(ctx), &mut rng);
    st.extend(trajectory_states(&ei.inst.problem, rd, side, lo, hi, &ei.snaps));
    st
}

/// A drift check `E[…] ≤ (1 − γ)(…)` with `γ = gamma_factor · η`, for `k = 0 ∈ S`, on one side,
/// over the instances' window states; margins from the closed form, scaled by `η u²`.
#[allow(clippy::too_many_arguments)]
pub fn drift_check(
    ctx: &Ctx,
    key: &str,
    id: &str,
    statement: &str,
    role: crate::evidence::Role,
    insts: &[ExactInst],
    win: Window,
    side: Side,
    gamma_factor: f64,
    grad_sign: f64,
) -> ExactCheck {
    let mut ch = ExactCheck::new(id, statement, role);
    for (j, ei) in insts.iter().enumerate() {
        let st = drift_states(ctx, key, j, ei, win, side);
        eval(&mut ch, &ei.inst, grad_sign, &st, 0, |os| {
            (drift_margin(os, 0, side, gamma_factor * os.eta()), drift_scale(os, 0))
        });
    }
    ch
}

/// The variance check `Var[v'_k | v] ≤ 4 η² X_s` (D3.3)/(D6.2) on both sides' window states;
/// margin `4η²X_s − Var` (closed form), scaled by `η² X_s`.
pub fn variance_check(ctx: &Ctx, key: &str, id: &str, statement: &str, insts: &[ExactInst], win: Window) -> ExactCheck {
    let mut ch = ExactCheck::new(id, statement, crate::evidence::Role::Primary);
    for (j, ei) in insts.iter().enumerate() {
        let x = ei.inst.round.x_s();
        for side in [Side::Above, Side::Below] {
            let st = drift_states(ctx, key, j, ei, win, side);
            eval(&mut ch, &ei.inst, 1.0, &st, 0, |os| {
                let e2 = os.eta() * os.eta();
                (4.0 * e2 * x - os.var(0), e2 * x)
            });
        }
    }
    ch
}

/// The range check behind the corrected G.3-R (E-G3a): the conditional range of `v'_0` is at most
/// `2η(1 + 2c_{s−1}) b_x (δ + b_x(ε_s² + r))`; margin scaled by the bound.
pub fn range_check(ctx: &Ctx, key: &str, id: &str, insts: &[ExactInst], win: Window) -> ExactCheck {
    let mut ch = ExactCheck::new(
        id,
        "conditional range ℓ_k = max v'_k − min v'_k ≤ 2η(1 + 2c_(s−1)) b_x (δ + b_x(ε_s² + r)) (the hypothesis of the range-based G.3-R/G.4-R that replace the variance bound, E-G3a); margin scaled by the bound",
        crate::evidence::Role::Primary,
    );
    for (j, ei) in insts.iter().enumerate() {
        let bound = 2.0 * ei.inst.round.max_step();
        for side in [Side::Above, Side::Below] {
            let st = drift_states(ctx, key, j, ei, win, side);
            eval(&mut ch, &ei.inst, 1.0, &st, 0, |os| (bound - os.range(0), bound));
        }
    }
    ch
}

/// The negative control of the range check: SGD + spherical Gaussian noise of matched
/// variance (`σ = δ`, the per-coordinate variance label noise gives at `v_k = 1`) leaves every
/// interval of the allowed length with probability `≥ erfc(ℓ/(2√2ησ)) > 0`; margin `−` that.
pub fn range_control_sgd_gauss(ctx: &Ctx, key: &str, id: &str, insts: &[ExactInst], win: Window) -> ExactCheck {
    let mut ch = ExactCheck::new(
        id,
        "SGD + Gaussian noise σ = δ: −P(v'_k outside every interval of length 2η(1 + 2c_(s−1)) b_x(δ + b_x(ε_s² + r))) ≥ 0 (exact normal tail, a lower bound on the mass outside)",
        crate::evidence::Role::Control { variant: "SGD + spherical Gaussian noise of matched variance".into() },
    );
    for (j, ei) in insts.iter().enumerate() {
        let rd = &ei.inst.round;
        if rd.delta <= 0.0 {
            continue;
        }
        let bound = 2.0 * rd.max_step();
        let p_out = sgd_gauss_outside_prob(rd.eta, rd.delta, bound);
        let st = drift_states(ctx, key, j, ei, win, Side::Above);
        for (v, label) in st.iter().take(8) {
            ch.record_scaled(-p_out, 1.0, || {
                format!(
                    "[{}] {}: P(outside) ≥ {}",
                    ei.inst.name,
                    describe_state(&ei.inst.problem, v, 0, label),
                    fmt(p_out)
                )
            });
        }
    }
    ch
}

/// A perturbation-bound check `K_0(v) ≤ bound(C_x)` on window states (both sides), on the
/// instances with `C_x > 0` (with a diagonal `M` both sides are 0).
#[allow(clippy::too_many_arguments)]
pub fn perturbation_check(
    ctx: &Ctx,
    key: &str,
    id: &str,
    statement: &str,
    role: crate::evidence::Role,
    insts: &[ExactInst],
    win: Window,
    bound: impl Fn(&Round, f64) -> f64,
) -> ExactCheck {
    let mut ch = ExactCheck::new(id, statement, role);
    for (j, ei) in insts.iter().enumerate() {
        let c_x = ei.inst.problem.stats().c_x;
        if c_x == 0.0 {
            // M diagonal: K_k = 0 = bound, nothing to check.
            continue;
        }
        let b = bound(&ei.inst.round, c_x);
        for side in [Side::Above, Side::Below] {
            for (v, label) in drift_states(ctx, key, j, ei, win, side) {
                let k = ei.inst.problem.perturbation(&v, 0);
                ch.record_scaled(b - k, b.max(f64::MIN_POSITIVE), || {
                    format!("[{}] {}; bound {}", ei.inst.name, describe_state(&ei.inst.problem, &v, 0, &label), fmt(b))
                });
            }
        }
    }
    ch
}

/// The instances of the primary one-step checks at round `s` (data with `M_kk ≥ 1`): the literal
/// Hadamard instance (δ = 0 and δ = 1, with trajectory snapshots of the literal chains) for
/// `s = 2`, and the designed data with `C_x` at the boundary of the data assumption (adversarial
/// signs, `M_00 = 1`), δ ∈ {0, 1}.
pub fn primary_instances(ctx: &Ctx, s: u32) -> Result<Vec<ExactInst>> {
    let mut v = Vec::new();
    if s == 2 {
        v.push(ExactInst { inst: literal_instance(0.0), snaps: literal_run(ctx, Variant::Literal0).snapshots() });
        v.push(ExactInst { inst: literal_instance(1.0), snaps: literal_run(ctx, Variant::Literal1).snapshots() });
    }
    let eps_prev = eps_prev_for(s);
    for delta in [0.0, 1.0] {
        v.push(ExactInst { inst: designed_instance(s, eps_prev, 1.0, delta)?, snaps: Vec::new() });
    }
    Ok(v)
}

/// The witness instance of round `s`: designed data with `M_00 = 1/2` (the smallest value the
/// lemmas allow) and `C_x` at the boundary of the data assumption, δ = 1.
pub fn witness_instance(s: u32) -> Result<ExactInst> {
    let eps_prev = eps_prev_for(s);
    Ok(ExactInst { inst: designed_instance(s, eps_prev, 0.5, 1.0)?, snaps: Vec::new() })
}

/// The audit of a simulated variant: the lemma's hypotheses at the variant's round, data and
/// start states, plus "the dynamics is Algorithm 1" and "the horizon is T".
pub fn run_audit(id: &str, run: &RoundRun, p: &Problem, lemma: Lemma) -> Audit {
    let starts: Vec<PVec> = boundary_starts(p, &run.round).into_iter().map(|s| s.0).collect();
    let mut a = audit_round(id, format!("{} — {}", run.label, run.round.describe()), &run.round, p, &starts, lemma);
    a.fact(
        "Algorithm 1",
        "the simulated dynamics is Algorithm 1 (label noise ±δ, gradient step)",
        matches!(run.dynamics, Dynamics::Alg1 { .. }),
    );
    a.check("horizon T", "simulated steps = T", run.steps as f64, Rel::Ge, run.round.t as f64);
    a
}
