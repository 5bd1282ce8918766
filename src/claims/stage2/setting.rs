//! The setting of a Stage-2 round (Appendix D): the round constants, Theorem D.1's step size
//! solved as a fixed point in `T`, and the instances (designed and Gaussian data) the claims
//! D.1, D.3–D.6 are checked on. Not a claim.
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

use crate::engine::lanes::PVec;
use crate::engine::model::{Data, Problem};
use crate::engine::stopped::StopSet;
use crate::error::Result;
use crate::numfmt::fmt;
use crate::paper::{C0, RHO};
use crate::tol;

/// `ε_{s−1}` of the literal round `s = 2` (SPEC §6.7).
pub const EPS_PREV_LITERAL: f64 = 0.01;
/// `n = d` of the designed (Sylvester–Hadamard) data.
pub const D_DESIGNED: usize = 16;
/// Relative safety factor when a designed data set is put at the boundary of a data condition
/// (the condition then holds with 0.1% to spare, so rounding cannot flip it).
pub const BOUNDARY_FACTOR: f64 = 0.999;
/// Sparsity of the designed one-step instances.
pub const R_DESIGNED: usize = 5;

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

/// `x − log(1 + x)` without cancellation (a series for `|x| <` [`tol::STAGE2_LN1P_SERIES`]).
pub fn x_minus_ln1p(x: f64) -> f64 {
    if x.abs() < tol::STAGE2_LN1P_SERIES {
        let x2 = x * x;
        x2 / 2.0 - x2 * x / 3.0 + x2 * x2 / 4.0 - x2 * x2 * x / 5.0
    } else {
        x - x.ln_1p()
    }
}

/// Theorem D.1's step size: the fixed point `η = c_s²/(8 X_s log(10 r T²/ρ))` with
/// `T = log(40)/η` (an upper bound of the integer `T`, so the condition holds there), times
/// `1 −` [`tol::STAGE2_ETA_SAFETY`].
pub fn eta_d1(c_s: f64, x_s: f64, r: usize, rho: f64) -> f64 {
    eta_fixed_point(c_s * c_s, 8.0 * x_s, 1.0, r, rho) * (1.0 - tol::STAGE2_ETA_SAFETY)
}

/// The fixed point of `η = num / (q · log(10 r T²/ρ))` with `T = h · log(40)/η`, from `η = num/q`.
pub fn eta_fixed_point(num: f64, q: f64, h: f64, r: usize, rho: f64) -> f64 {
    let mut eta = num / q;
    for _ in 0..500 {
        let t = h * log40() / eta;
        let next = num / (q * log_term(10.0, r, t, 2, rho));
        if (next - eta).abs() <= tol::STAGE2_FIXED_POINT * eta {
            return next;
        }
        eta = next;
    }
    eta
}

/// E-D1's reading of the printed step size `η ≤ Θ̃(c_s/(δ² + r²))` with the proof's own
/// polylog factor: the fixed point `η = c_s/(8 X_s log(10 r T²/ρ))`.
pub fn printed_eta(rd: &Round) -> f64 {
    eta_fixed_point(rd.c_s, 8.0 * rd.x_s(), 1.0, rd.r, rd.rho)
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
    /// The literal round `s = 2` (`ε_{s−1} = 0.01`, `ρ = 0.01`) with sparsity `r`, noise `δ`,
    /// `b_x`, and `η` from Theorem D.1's condition (`None`) or given.
    pub fn literal(r: usize, delta: f64, b_x: f64, eta: Option<f64>) -> Round {
        Round::new(2, EPS_PREV_LITERAL, RHO, r, delta, b_x, eta)
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
    /// `η (1 + 2c_{s−1}) b_x (δ + b_x (ε_s² + r))` (`|Δ_k| ≤ η(δ b_x + ‖e‖₁ b_x²)`, `‖e‖₁ ≤
    /// ε_s² + r`).
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

// ------------------------------------------------------------------------------------------
// Instances
// ------------------------------------------------------------------------------------------

/// A named problem instance with its round.
#[derive(Clone, Debug)]
pub struct Instance {
    pub name: String,
    pub problem: Problem,
    pub round: Round,
    /// Where the data come from: designed (Hadamard, tilted Hadamard, ±1 rows) or the paper's
    /// distribution (Gaussian); decides whether an audit's class is "literal on designed data".
    pub origin: crate::evidence::Data,
}

impl Instance {
    /// The same data with another round.
    pub fn with_round(&self, round: Round) -> Instance {
        Instance { round, ..self.clone() }
    }
}

/// An instance for the one-step checks, with trajectory snapshots (may be empty).
#[derive(Clone, Debug)]
pub struct ExactInst {
    pub inst: Instance,
    pub snaps: Vec<PVec>,
}

impl ExactInst {
    /// An instance without trajectory snapshots.
    pub fn bare(inst: Instance) -> ExactInst {
        ExactInst { inst, snaps: Vec::new() }
    }
}

/// The literal round on designed data (SPEC §6.7): `n = d = 16` Hadamard rows, `r = 1`, `s = 2`,
/// `ε_{s−1} = 0.01`, `ρ = 0.01`, `b_x = 1`, `η` from Theorem D.1's condition.
pub fn literal_instance(delta: f64) -> Instance {
    let problem = Problem::new(Data::hadamard(D_DESIGNED).expect("16 is a power of two"), 1).expect("r ≤ d");
    let b_x = problem.stats().b_x;
    let round = Round::literal(1, delta, b_x, None);
    Instance {
        name: format!("Hadamard 16×16, r = 1, δ = {delta}"),
        problem,
        round,
        origin: crate::evidence::Data::Designed,
    }
}

/// A designed instance for the one-step checks: `r = 5`, round `s`, column 0 of energy `m00`,
/// `M_0j = −C` at the boundary of the data assumption.
pub fn designed_instance(s: u32, eps_prev: f64, m00: f64, delta: f64) -> Result<Instance> {
    let r = R_DESIGNED;
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
        origin: crate::evidence::Data::Designed,
    })
}

/// The practical Gaussian instance: `d = 100`, `n = 40`, `r = 5`, data conditioned on
/// `min_k M_kk ≥ 1/2`, round `s = 2` with a practical step size.
pub fn gaussian_instance(seed: u64, delta: f64, eta: f64) -> Result<Instance> {
    let c = Problem::gaussian_mkk_half(40, 100, 5, seed, "stage2-gaussian")?;
    let b_x = c.problem.stats().b_x;
    let round = Round::literal(5, delta, b_x, Some(eta));
    Ok(Instance {
        name: format!("Gaussian d = 100, n = 40, r = 5 (draw {} conditioned on min M_kk ≥ 1/2)", c.rejected),
        problem: c.problem,
        round,
        origin: crate::evidence::Data::Paper,
    })
}
