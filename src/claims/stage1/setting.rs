//! The Stage-1 setting at instantiated constants (SPEC §5): the scalar [`Setting`] every lemma's
//! hypotheses are audited at, Theorem 3.3's explicit choices [`T33Literal`], and the check
//! instances [`Inst`] of the exact one-step checks — designed data (columns of a
//! Sylvester–Hadamard matrix, slightly mixed) meeting the DERIVED conditions of SPEC §5.9 with a
//! generic coupling cap `ε̃`, and `(η, δ)` derived from those conditions.
//!
//! # Formula
//! Common setting (SPEC §5, RECONSTRUCTED\[m\]): `c1 = 1/10`, `ε̃1 = 12/ρ`, `C_x = max_{j≠k}|M_jk|`,
//! `max|x| ≤ b_x`, `M_kk ≥ 1/2`, `ṽ` the `(1 + c1, ε̃1)`-bounded coupling. At an in-set state,
//! `K_k(v) = |Σ_{j≠k} M_jk e_j| ≤ C_x(ε̃² + r) =: K1`.

use crate::engine::lanes::PVec;
use crate::engine::model::{Data, DataStats, Problem};
use crate::engine::rng::splitmix64;
use crate::error::Result;
use crate::overrides::Param;
pub use crate::paper::{C1, RHO};
use crate::paper::{STAGE1_D, STAGE1_EPS1, STAGE1_LOG_INV_EPS_MIN, STAGE1_R};

/// The overrides every Stage-1 claim accepts (they apply to the practical regime).
pub const ACCEPTS: &[Param] = &[Param::N, Param::Delta, Param::Eta, Param::Steps, Param::Chains];

/// `ε̃1 = 12/ρ` (SPEC §5: the crude off-support cap of the coupling).
pub fn eps_tilde1(rho: f64) -> f64 {
    12.0 / rho
}

/// The title of the audits at Theorem 3.3's literal instance (C.3–C.7).
pub const LITERAL_TITLE: &str = "Theorem 3.3's choices (d = 100, ε1 = 0.1, log(1/ε_min) = 250), \
     C_x at the largest value the theorem allows";

/// The common setting of SPEC §5 at instantiated constants (scalars only).
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    pub d: usize,
    pub r: usize,
    pub rho: f64,
    pub c1: f64,
    /// `ε̃` — the off-support cap of the coupling (`ε̃1 = 12/ρ` in the paper).
    pub cap: f64,
    /// Target `ε1` (Lemma C.7, Theorem 3.3).
    pub eps1: f64,
    /// `log(1/ε_min)` (initial entries `≥ ε_min`).
    pub log_inv_eps_min: f64,
    pub b_x: f64,
    pub c_x: f64,
    pub min_mkk: f64,
    pub eta: f64,
    pub delta: f64,
    /// Horizon `T` (a float: the literal `T` is ~1e33).
    pub t: f64,
}

impl Setting {
    /// `K1 = C_x (ε̃² + r)`.
    pub fn k1(&self) -> f64 {
        self.c_x * (self.cap * self.cap + self.r as f64)
    }
    /// `ε̃² + r`.
    pub fn er(&self) -> f64 {
        self.cap * self.cap + self.r as f64
    }
    /// `log(6 r T²/ρ)` (computed in logs).
    pub fn log_6rt2(&self) -> f64 {
        (6.0 * self.r as f64 / self.rho).ln() + 2.0 * self.t.ln()
    }
    /// Bound on the conditional range of `v'_k` for `k ∈ S` at in-set states:
    /// `2η(1 + c1)(δ b_x + (ε̃² + r) b_x²)` (SPEC §3.1(f)).
    pub fn range_support(&self) -> f64 {
        2.0 * self.eta * (1.0 + self.c1) * (self.delta * self.b_x + self.er() * self.b_x * self.b_x)
    }
    /// Bound on the range of `log F_k`: `4η(δ b_x + (ε̃² + r) b_x²)` (SPEC §5.4(f)).
    pub fn range_log(&self) -> f64 {
        4.0 * self.eta * (self.delta * self.b_x + self.er() * self.b_x * self.b_x)
    }
}

/// `log(6√d/(ρ√ε1))`.
pub fn c7_log(d: usize, rho: f64, eps1: f64) -> f64 {
    (6.0 * (d as f64).sqrt() / (rho * eps1.sqrt())).ln()
}

// ==========================================================================================
// Theorem 3.3's explicit choices and the scalar validator (84)–(92)
// ==========================================================================================

/// Theorem 3.3's explicit parameter choices (SPEC §5.8(c), RECONSTRUCTED\[m\]).
#[derive(Clone, Debug, PartialEq)]
pub struct T33Literal {
    pub d: usize,
    pub r: usize,
    pub rho: f64,
    pub c1: f64,
    pub eps1: f64,
    pub log_inv_eps_min: f64,
    pub eps_tilde1: f64,
    /// `b_x = √(2 log(30d²/ρ))`.
    pub b_x: f64,
    /// `L1 = log(6√d/(ρ ε_min √ε1))`.
    pub l1: f64,
    pub delta: f64,
    pub p: f64,
    pub q: f64,
    pub eta: f64,
    pub t: f64,
    /// Largest `C_x` allowed by the data assumption `C_x b_x(ε̃1² + r) ≤ min{ηδ²/48, ρ/(12Tηb_x)}`.
    pub c_x_max: f64,
}

impl T33Literal {
    /// The literal Stage-1 instance of SPEC §5.9: `d = 100`, `r = 5`, `ρ = 0.01`, `ε1 = 0.1`,
    /// `log(1/ε_min) = 250`.
    pub fn literal() -> T33Literal {
        T33Literal::literal_at(STAGE1_D, STAGE1_EPS1)
    }
    /// The literal instance at another `d` and `ε1` (same `r`, `ρ`, `log(1/ε_min)`).
    pub fn literal_at(d: usize, eps1: f64) -> T33Literal {
        T33Literal::new(d, STAGE1_R, RHO, eps1, STAGE1_LOG_INV_EPS_MIN)
    }
    /// The proof's choices for `(d, r, ρ, ε1, log(1/ε_min))`, `c1 = 0.1`.
    pub fn new(d: usize, r: usize, rho: f64, eps1: f64, log_inv_eps_min: f64) -> T33Literal {
        let c1 = C1;
        let et = eps_tilde1(rho);
        let b_x = (2.0 * (30.0 * (d * d) as f64 / rho).ln()).sqrt();
        let l1 = c7_log(d, rho, eps1) + log_inv_eps_min;
        let er = et * et + r as f64;
        // δ: the smallest value with (16/δ²) L1 ≤ 1 and δ ≥ b_x(ε̃1² + r).
        let delta = (4.0 * l1.sqrt()).max(b_x * er);
        let log6r = (6.0 * r as f64 / rho).ln();
        let p = c1 * c1 / (32.0 * delta * delta * b_x * b_x * log6r);
        let q = p / (2.0 * (1.0 / p).ln());
        let eta = q;
        let t = 16.0 / (eta * eta * delta * delta) * l1;
        let c_x_max = (eta * delta * delta / 48.0).min(rho / (12.0 * t * eta * b_x)) / (b_x * er);
        T33Literal { d, r, rho, c1, eps1, log_inv_eps_min, eps_tilde1: et, b_x, l1, delta, p, q, eta, t, c_x_max }
    }
    /// The same choices with another step size `eta` (the horizon `T = (16/(η²δ²))L1` and the
    /// largest allowed `C_x` recomputed): the deliberately wrong variant of the scalar chain's control.
    pub fn with_eta(&self, eta: f64) -> T33Literal {
        let t = 16.0 / (eta * eta * self.delta * self.delta) * self.l1;
        let er = self.eps_tilde1 * self.eps_tilde1 + self.r as f64;
        let c_x_max =
            (eta * self.delta * self.delta / 48.0).min(self.rho / (12.0 * t * eta * self.b_x)) / (self.b_x * er);
        T33Literal { eta, t, c_x_max, ..self.clone() }
    }
    /// The lemma setting implied by the choices, with `C_x` at the largest allowed value.
    pub fn setting(&self) -> Setting {
        Setting {
            d: self.d,
            r: self.r,
            rho: self.rho,
            c1: self.c1,
            cap: self.eps_tilde1,
            eps1: self.eps1,
            log_inv_eps_min: self.log_inv_eps_min,
            b_x: self.b_x,
            c_x: self.c_x_max,
            min_mkk: 0.5,
            eta: self.eta,
            delta: self.delta,
            t: self.t,
        }
    }
}

// ==========================================================================================
// Check instances: designed data meeting the derived conditions (SPEC §5.9)
// ==========================================================================================

/// A check instance for the exact one-step inequalities.
#[derive(Clone, Debug)]
pub struct Inst {
    pub name: String,
    pub problem: Problem,
    pub stats: DataStats,
    pub eta: f64,
    pub delta: f64,
    /// Generic off-support cap `ε̃` of the coupling set.
    pub cap: f64,
    pub c1: f64,
}

impl Inst {
    /// `K1 = C_x (ε̃² + r)`.
    pub fn k1(&self) -> f64 {
        self.stats.c_x * self.er()
    }
    /// `ε̃² + r`.
    pub fn er(&self) -> f64 {
        self.cap * self.cap + self.problem.r() as f64
    }
    /// `b_x` (the data's `max|x|`).
    pub fn b(&self) -> f64 {
        self.stats.b_x
    }
    /// Is `v` positive and in the `(1 + c1, ε̃)`-bounded coupling set?
    pub fn in_set(&self, v: &PVec) -> bool {
        v.as_slice().iter().all(|&x| x > 0.0 && x.is_finite())
            && self.problem.support_max(v) <= 1.0 + self.c1
            && self.problem.off_l1(v) <= self.cap
    }
    /// `δb_x + (ε̃² + r)b_x²`: the bound on `|s − r_i| |x_k|`.
    pub fn step_scale(&self) -> f64 {
        self.delta * self.b() + self.er() * self.b() * self.b()
    }
}

/// `(η, δ)` meeting every derived condition with room: `δ = 1.05 b_x(ε̃² + r)`, `η` half the
/// smallest of the upper limits of (C4.1), `|Δ| ≤ 1/16` and E-G3b.
pub fn derive_eta_delta(b: f64, k1: f64, cap: f64, r: usize, c1: f64) -> (f64, f64) {
    let er = cap * cap + r as f64;
    let delta = 1.05 * b * er;
    let step = delta * b + er * b * b;
    let eta_c4 = ((c1 - c1 * c1 / 4.0) / 2.0 - k1 - c1 / 4.0) / (step * step);
    let eta_delta = 1.0 / (16.0 * step);
    let eta_g3b = c1 / (6.0 * (1.0 + c1) * step);
    (0.5 * eta_c4.min(eta_delta).min(eta_g3b), delta)
}

/// Sylvester–Hadamard entry `H_ik = (−1)^{popcount(i & k)}`.
fn hadamard_entry(i: usize, k: usize) -> f64 {
    if (i & k).count_ones().is_multiple_of(2) { 1.0 } else { -1.0 }
}

/// A deterministic sign for the pair `(j, k)` (hash, no RNG stream needed).
fn pair_sign(j: usize, k: usize) -> f64 {
    if splitmix64(((j as u64) << 32) ^ (k as u64) ^ 0x5354_4147_4531) & 1 == 1 { 1.0 } else { -1.0 }
}

/// Designed data `X = H[:, :d] (I + εB)`: the first `d` columns of the `m × m` Sylvester–Hadamard
/// matrix (so `XᵀX/m = (I + εB)ᵀ(I + εB)`), mixed by a sign pattern `B` with zero diagonal and
/// `B_{j,k*} = B_{k*,j} = +1` for `j ∈ S` when `positive_to` is `Some(k*)`. `C_x ≈ 2ε`,
/// `b_x ≤ 1 + (d−1)ε`, `M_kk ≈ 1`.
pub fn designed_data(m: usize, d: usize, r: usize, eps: f64, positive_to: Option<usize>) -> Result<Data> {
    let b = |j: usize, k: usize| -> f64 {
        if j == k {
            return 0.0;
        }
        if let Some(ks) = positive_to
            && ((k == ks && j < r) || (j == ks && k < r))
        {
            return 1.0;
        }
        pair_sign(j, k)
    };
    let rows: Vec<Vec<f64>> = (0..m)
        .map(|i| {
            (0..d)
                .map(|k| {
                    let mut s = 0.0;
                    for j in 0..d {
                        if j != k {
                            s += hadamard_entry(i, j) * b(j, k);
                        }
                    }
                    hadamard_entry(i, k) + eps * s
                })
                .collect()
        })
        .collect();
    Data::from_rows(&rows)
}

/// Scale column `k` so that `M_kk` is `1/2` (to within one rounding, never below 1/2).
pub fn set_column_energy_half(data: &mut Data, k: usize) {
    let mkk = |data: &Data| (0..data.n()).map(|i| data.x(i, k) * data.x(i, k)).sum::<f64>() / data.n() as f64;
    let f = (0.5 / mkk(data)).sqrt() * (1.0 + 4.0 * f64::EPSILON);
    data.scale_column(k, f);
    while mkk(data) < 0.5 {
        data.scale_column(k, 1.0 + f64::EPSILON);
    }
}

/// Build an instance from a problem with `(η, δ)` derived from the conditions.
pub fn instance(name: &str, problem: Problem, cap: f64) -> Inst {
    let stats = problem.stats();
    let k1 = stats.c_x * (cap * cap + problem.r() as f64);
    let (eta, delta) = derive_eta_delta(stats.b_x, k1, cap, problem.r(), C1);
    Inst { name: name.into(), problem, stats, eta, delta, cap, c1: C1 }
}

/// Mixing level `ε` of the designed check data (`C_x ≈ 2ε`).
pub const DESIGN_EPS: f64 = 1e-6;
/// Rows of the designed data (a power of two ≥ d).
pub const DESIGN_M: usize = 128;
/// Dimension, sparsity and cap of the check instances (the practical regime's d and r).
pub const CHECK_D: usize = 100;
pub const CHECK_R: usize = 5;
pub const CHECK_CAP: f64 = 1.0;

/// Typical designed data: `M_kk ≈ 1`, `C_x ≈ 2e−6`, `b_x ≈ 1`.
pub fn typical_instance() -> Result<Inst> {
    let data = designed_data(DESIGN_M, CHECK_D, CHECK_R, DESIGN_EPS, None)?;
    Ok(instance("typical (mixed Hadamard, M_kk ≈ 1)", Problem::new(data, CHECK_R)?, CHECK_CAP))
}

/// The off-support column with `M_kk = 1/2` and positive coupling to `S` in the adversarial data.
pub const ADV_OFF: usize = CHECK_R;

/// Adversarial designed data: `M_00 = 1/2` (a support column), `M_{k*k*} = 1/2` for `k* = r` (an
/// off-support column coupled positively to every `j ∈ S`).
pub fn adversarial_instance() -> Result<Inst> {
    let mut data = designed_data(DESIGN_M, CHECK_D, CHECK_R, DESIGN_EPS, Some(ADV_OFF))?;
    set_column_energy_half(&mut data, 0);
    set_column_energy_half(&mut data, ADV_OFF);
    Ok(instance("adversarial (M_00 = M_55 = 1/2)", Problem::new(data, CHECK_R)?, CHECK_CAP))
}
