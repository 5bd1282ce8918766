//! The setting of Stage 0: the parameter validator that evaluates every constant of the proof of
//! Theorem 3.1 ([`Constants`]), the literal instances ([`Instance`]: constants and data conditioned
//! on the data event) and the [`PLAN`] of chain counts per budget.
//!
//! # Formula
//! Setting of Theorem 3.1 (SPEC §4, RECONSTRUCTED\[h\]): Algorithm 1 with constant `η`, noise `±δ`,
//! `v[0] = τ·1`, failure level `ρ`, `ε0 = 1/d`, and
//! * `b0 = 6τd/ρ`, `L0 = log(3 d √τ / (ρ √ε0)) = log(3 d^{3/2} √τ / ρ)`, `B = (b0² + r) b_x²`;
//! * `b_x = sqrt(2 log(2nd/ρ_x))` (Lemma G.1 at failure `ρ_x`; SPEC §4.6(c) takes `ρ_x = ρ/6`);
//! * `δ_min = 6·32²·b_x³ (b0² + r) L0 / ρ`, `η_lo = 6·32·b_x² (b0² + r) L0 / (ρ δ²)`,
//!   `η_hi = 1/(32 δ b_x)`, `T0 = ⌈32 L0 / (η² δ²)⌉`;
//! * Lemma B.2: `η ≤ ρ / (6 T b_x² (b0² + r))`; positivity `η (δ b_x + (b0² + r) b_x²) < 1`;
//! * Lemma B.4: (H1) `η δ b_x + η (b0² + r) b_x² ≤ 1/16`, (H2) `η δ² ≥ 32 (b0² + r) b_x²`,
//!   `min_k M_kk ≥ 1/2`, `T = ⌈32 L0/(η²δ²)⌉`;
//! * data event `D0 = {max|x| ≤ b_x} ∩ {min_k M_kk ≥ 1/2}` with `P(D0ᶜ) ≤ ρ/3` (exact values of
//!   Lemmas G.1 and G.2, union bound).
//!
//! Literal instances use `δ = 1.05 δ_min`, `η = η_hi` (SPEC §4.6(f), E-T31c: strictly inside the
//! interval).

use std::sync::Arc;

use serde::Serialize;

use crate::claim::{Budget, Ctx, PerBudget};
use crate::claims::data::{lemma_g_1 as g1, lemma_g_2 as g2};
use crate::engine::cache::cached;
use crate::engine::lanes::PVec;
use crate::engine::model::{DataEvent, DataStats, Problem};
use crate::error::{Error, Result, check};
use crate::evidence::Outcome;
use crate::numfmt::fmt;
use crate::overrides::Param;
use crate::paper::RHO;

/// `δ = DELTA_FACTOR · δ_min` in literal instances (SPEC's table; E-T31c: strictly inside).
pub const DELTA_FACTOR: f64 = 1.05;
/// The larger failure level of the second literal instance of the lemmas (they are stated for
/// every `ρ ∈ (0, 1)`; at `ρ = 0.3` a few dozen chains can confirm `P ≤ ρ/3`).
pub const LEMMA_RHO: f64 = 0.3;
/// Level of the non-vacuous variant of Lemma B.2 (SPEC §4.2(d)): `b = 2τd`.
pub const VARIANT_LEVEL: f64 = 2.0;
/// Level of the ℓ2 variant of Lemma 3.2: `b = (5/4) τd`, the smallest level where the variant's
/// bound `τd/b = 0.8` is below 1 and which the matched Gaussian walk reaches within `T0`.
pub const L2_LEVEL: f64 = 1.25;
/// Largest run length the validator accepts (cost guard: `T0 = 32 L0/(ηδ)²`).
pub const MAX_STEPS: u64 = 10_000_000_000;
/// Largest number of rejected data draws when conditioning on `D0`.
pub const MAX_DATA_TRIES: u64 = 100_000;

/// The overrides every Stage-0 claim accepts (they apply to instance L).
pub const ACCEPTS: &[Param] =
    &[Param::D, Param::N, Param::R, Param::Tau, Param::Delta, Param::Eta, Param::Steps, Param::Chains, Param::Rho];

/// The shared "claim id" of the Stage-0 random streams (the four claims share the chains).
pub const STREAM_CLAIM: &str = "stage0";

/// What a Stage-0 instance is built from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spec {
    pub d: usize,
    pub n: usize,
    pub r: usize,
    pub tau: f64,
    pub rho: f64,
    /// Failure level `ρ_x` of Lemma G.1 that defines `b_x` (SPEC §4.6(c): `ρ/6`; SPEC's table: `ρ/3`).
    pub bx_failure: f64,
    /// `None`: `1.05 δ_min`.
    pub delta: Option<f64>,
    /// `None`: `η_hi(δ)`.
    pub eta: Option<f64>,
    /// `None`: `T0`.
    pub steps: Option<u64>,
}

impl Spec {
    /// The literal recipe at `(d, n, r, τ, ρ)` with `b_x` from G.1 at `ρ/6`.
    pub fn literal(d: usize, n: usize, r: usize, tau: f64, rho: f64) -> Spec {
        Spec { d, n, r, tau, rho, bx_failure: rho / 6.0, delta: None, eta: None, steps: None }
    }
}

/// Every constant of the proof of Theorem 3.1 at one instance.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Constants {
    pub d: usize,
    pub n: usize,
    pub r: usize,
    pub tau: f64,
    pub rho: f64,
    pub eps0: f64,
    pub bx_failure: f64,
    pub b_x: f64,
    pub b0: f64,
    pub l0: f64,
    /// `B = (b0² + r) b_x²`, the bound on `|g_k^(i)|` in the `b0`-ball.
    pub big_b: f64,
    pub delta_min: f64,
    pub delta: f64,
    pub eta_lo: f64,
    pub eta_hi: f64,
    pub eta: f64,
    /// `⌈32 L0 / (η² δ²)⌉`.
    pub t0: u64,
    /// Run length `T` (`T0` unless overridden).
    pub t: u64,
}

/// `b0 = 6τd/ρ`.
pub fn b0(d: usize, tau: f64, rho: f64) -> f64 {
    6.0 * tau * d as f64 / rho
}

/// `L0 = log(3 d √τ / (ρ √ε0))`, `ε0 = 1/d`.
pub fn l0(d: usize, tau: f64, rho: f64) -> f64 {
    let eps0 = 1.0 / d as f64;
    (3.0 * d as f64 * tau.sqrt() / (rho * eps0.sqrt())).ln()
}

/// `T0 = ⌈32 L0/(ηδ)²⌉` (as f64, before the cost guard).
pub fn t0_real(l0: f64, eta: f64, delta: f64) -> f64 {
    (32.0 * l0 / ((eta * delta) * (eta * delta))).ceil()
}

impl Constants {
    /// Evaluate the proof's constants and validate the inputs (typed errors naming the parameter).
    pub fn new(s: &Spec) -> Result<Constants> {
        check::at_least_one("d", s.d as u64)?;
        check::at_least_one("n", s.n as u64)?;
        check::sparsity(s.r, s.d)?;
        let tau = check::positive("tau", s.tau)?;
        let rho = check::open_interval("rho", s.rho, 0.0, 1.0)?;
        check::open_interval("b_x failure level", s.bx_failure, 0.0, 1.0)?;
        let (d, n, r) = (s.d, s.n, s.r);
        let b_x = g1::b_x(n, d, s.bx_failure);
        let b0 = b0(d, tau, rho);
        let l0 = l0(d, tau, rho);
        let q = b0 * b0 + r as f64;
        let delta_min = 6.0 * 1024.0 * b_x.powi(3) * q * l0 / rho;
        let delta = match s.delta {
            Some(x) => check::positive("delta", x)?,
            None => DELTA_FACTOR * delta_min,
        };
        let eta_lo = 6.0 * 32.0 * b_x * b_x * q * l0 / (rho * delta * delta);
        let eta_hi = 1.0 / (32.0 * delta * b_x);
        let eta = match s.eta {
            Some(x) => check::positive("eta", x)?,
            None => eta_hi,
        };
        // L0 = log(3d√τ/(ρ√ε0)) > 0 (the proof's T0 and δ_min are positive multiples of it).
        if l0.is_nan() || l0 <= 0.0 {
            return Err(Error::InvalidParam {
                name: "tau".into(),
                value: format!("{} (with d = {d}, ρ = {})", fmt(tau), fmt(rho)),
                valid: format!(
                    "L0 = log(3d√τ/(ρ√ε0)) = {} must be > 0: need τ > ρ²/(9d³) = {}",
                    fmt(l0),
                    fmt(rho * rho / (9.0 * (d as f64).powi(3)))
                ),
            });
        }
        // The proof's constants must be finite numbers (τ, δ, d enter through powers up to the sixth).
        for (what, x) in [("b0", b0), ("L0", l0), ("δ_min", delta_min), ("η_lo", eta_lo), ("η_hi", eta_hi)] {
            if !x.is_finite() || (what == "η_hi" && x <= 0.0) {
                let (name, value) = match (s.delta, s.eta) {
                    (Some(dl), _) if what != "b0" && what != "L0" && what != "δ_min" => ("delta", fmt(dl)),
                    _ => ("tau", fmt(tau)),
                };
                return Err(Error::InvalidParam {
                    name: name.into(),
                    value: format!("{value} (with d = {d}, n = {n}, ρ = {})", fmt(rho)),
                    valid: format!("the proof's constant {what} = {} is not a finite positive number", fmt(x)),
                });
            }
        }
        // Lemma B.4's contraction factor 1 − (ηδ)²/32 must be positive (else its bound
        // (1 − (ηδ)²/32)^t is not a decaying potential and has no finite logarithm).
        if (eta * delta).is_nan() || eta * delta >= 32f64.sqrt() {
            let (name, value) = if s.eta.is_some() || s.delta.is_none() { ("eta", eta) } else { ("delta", delta) };
            return Err(Error::InvalidParam {
                name: name.into(),
                value: format!("{} (with η = {}, δ = {})", fmt(value), fmt(eta), fmt(delta)),
                valid: format!(
                    "need ηδ < √32 (Lemma B.4's factor 1 − (ηδ)²/32 > 0): η < {} at this δ (the literal range is \
                     η ∈ [η_lo, η_hi] = [{}, {}])",
                    fmt(32f64.sqrt() / delta),
                    fmt(eta_lo),
                    fmt(eta_hi)
                ),
            });
        }
        let t0 = t0_real(l0, eta, delta);
        if t0.is_nan() || t0 > MAX_STEPS as f64 {
            // Name the flag the user set: η when given, else δ (η = η_hi(δ)), else τ (through L0).
            let name = if s.eta.is_some() {
                "eta"
            } else if s.delta.is_some() {
                "delta"
            } else {
                "tau"
            };
            return Err(Error::InvalidParam {
                name: name.into(),
                value: format!(
                    "{} (with η = {}, δ = {})",
                    fmt(if name == "eta" {
                        eta
                    } else if name == "delta" {
                        delta
                    } else {
                        tau
                    }),
                    fmt(eta),
                    fmt(delta)
                ),
                valid: format!(
                    "T0 = ⌈32 L0/(ηδ)²⌉ = {} exceeds {MAX_STEPS} steps: need ηδ ≥ {}",
                    fmt(t0),
                    fmt((32.0 * l0 / MAX_STEPS as f64).sqrt())
                ),
            });
        }
        let t0 = t0 as u64;
        let t = match s.steps {
            Some(x) => check::int_range("steps", x, 1, MAX_STEPS)?,
            None => t0,
        };
        Ok(Constants {
            d,
            n,
            r,
            tau,
            rho,
            eps0: 1.0 / d as f64,
            bx_failure: s.bx_failure,
            b_x,
            b0,
            l0,
            big_b: q * b_x * b_x,
            delta_min,
            delta,
            eta_lo,
            eta_hi,
            eta,
            t0,
            t,
        })
    }
    /// Positivity at the start `v[0] = τ·1` for a command-line instance (level `b = ‖v[0]‖₁ = τd`):
    /// every factor of the first updates, `1 − η(δ x_k + …)`, stays positive when
    /// `η(δ b_x + ((τd)² + r) b_x²) < 1`; beyond it the walk leaves the positive orthant at once and
    /// `Φ = Σ√v` is undefined. `user_eta`/`user_delta`: which of them the user set (named in the
    /// error). The built-in practical instances are exempt (they are audited instead).
    pub fn check_start_positivity(&self, user_eta: bool, user_delta: bool) -> Result<()> {
        let (eta, delta, tau, b_x) = (self.eta, self.delta, self.tau, self.b_x);
        let b_start = tau * self.d as f64;
        let level = delta * b_x + (b_start * b_start + self.r as f64) * b_x * b_x;
        let pos = eta * level;
        if pos < 1.0 {
            return Ok(());
        }
        let (name, value) = if user_eta || !user_delta { ("eta", eta) } else { ("delta", delta) };
        Err(Error::InvalidParam {
            name: name.into(),
            value: format!("{} (with η = {}, δ = {}, τ = {})", fmt(value), fmt(eta), fmt(delta), fmt(tau)),
            valid: format!(
                "positivity at v[0] = τ·1 needs η(δ b_x + ((τd)² + r) b_x²) < 1 (it is {}): η < {} at this δ",
                fmt(pos),
                fmt(1.0 / level)
            ),
        })
    }
    /// `ηδ`.
    pub fn eta_delta(&self) -> f64 {
        self.eta * self.delta
    }
    /// The contraction `(ηδ)²/32` of Lemma B.4.
    pub fn contraction(&self) -> f64 {
        let x = self.eta_delta();
        x * x / 32.0
    }
    /// `B(b) = (b² + r) b_x²` at a level `b`.
    pub fn big_b_at(&self, b: f64) -> f64 {
        (b * b + self.r as f64) * self.b_x * self.b_x
    }
    /// Lemma B.2's bound on `η` at run length `t`: `ρ / (6 t b_x² (b0² + r))`.
    pub fn b2_eta_max(&self, t: u64) -> f64 {
        self.rho / (6.0 * t as f64 * self.big_b)
    }
    /// Left side of (H1): `ηδ b_x + η (b0² + r) b_x²`.
    pub fn h1_lhs(&self) -> f64 {
        self.eta * self.delta * self.b_x + self.eta * self.big_b
    }
    /// Positivity at level `b`: `η (δ b_x + (b² + r) b_x²)` (must be `< 1`).
    pub fn positivity_lhs(&self, b: f64) -> f64 {
        self.eta * (self.delta * self.b_x + self.big_b_at(b))
    }
    /// The proof's bound on `P(‖ṽ_b[T]‖₁ > b)` at level `b`: `(τd + T η b b_x² (b² + r)) / b`.
    pub fn markov_bound(&self, b: f64, t: u64) -> f64 {
        (self.tau * self.d as f64 + t as f64 * self.eta * b * self.big_b_at(b)) / b
    }
    /// The bound of (B2.3) on `E‖ṽ_b[t]‖₁`: `τd + t η b b_x²(b² + r)`.
    pub fn mean_l1_bound(&self, b: f64, t: u64) -> f64 {
        self.tau * self.d as f64 + t as f64 * self.eta * b * self.big_b_at(b)
    }
    /// Lemma B.4's bound on `E Φ(ṽ[t])`: `(1 − (ηδ)²/32)^t d √τ`.
    pub fn phi_bound(&self, t: u64) -> f64 {
        (t as f64 * (-self.contraction()).ln_1p()).exp() * self.d as f64 * self.tau.sqrt()
    }
    /// The repaired per-chain lower bound (34) in log form: `ln τ + T ln(1 − 2ηδ b_x)`.
    pub fn lower_bound_log(&self, t: u64) -> f64 {
        self.tau.ln() + t as f64 * (-2.0 * self.eta_delta() * self.b_x).ln_1p()
    }
    /// The repaired closed form (35): `ln τ − (16/15)(64 b_x L0/(ηδ) + 2ηδ b_x)`.
    pub fn lower_bound_closed(&self) -> f64 {
        let x = self.eta_delta();
        self.tau.ln() - (16.0 / 15.0) * (64.0 * self.b_x * self.l0 / x + 2.0 * x * self.b_x)
    }
    /// The union of the exact probabilities of Lemmas G.1 and G.2: a bound on `P(D0ᶜ)`.
    pub fn d0_failure(&self) -> f64 {
        g1::exact_exceed(self.n, self.d, self.b_x) + g2::exact_fail(self.n, self.d)
    }
    /// Short description.
    pub fn describe(&self) -> String {
        format!(
            "d = {}, n = {}, r = {}, τ = {}, ρ = {}: b_x = {} (G.1 at {}), b0 = {}, L0 = {}, δ = {} (δ_min = {}), η = \
                {} ∈ [{}, {}], ηδ = {}, T = {} (T0 = {})",
            self.d,
            self.n,
            self.r,
            fmt(self.tau),
            fmt(self.rho),
            fmt(self.b_x),
            fmt(self.bx_failure),
            fmt(self.b0),
            fmt(self.l0),
            fmt(self.delta),
            fmt(self.delta_min),
            fmt(self.eta),
            fmt(self.eta_lo),
            fmt(self.eta_hi),
            fmt(self.eta_delta()),
            self.t,
            self.t0
        )
    }
}

/// A Stage-0 instance: constants and a data set conditioned on `D0`.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Short tag, e.g. "L" (the paper's ρ = 0.01) or "M" (ρ = 0.3).
    pub tag: String,
    pub c: Constants,
    pub p: Problem,
    pub stats: DataStats,
    /// Data draws rejected before `D0` held.
    pub rejected: u64,
}

impl Instance {
    /// Draw `N(0,1)` data from the streams `(seed, "stage0/<tag>", "data", j)` until
    /// `max|x| ≤ b_x` and `min_k M_kk ≥ 1/2` (SPEC §0.6).
    pub fn draw(tag: &str, c: Constants, seed: u64) -> Result<Instance> {
        let bx = c.b_x;
        let claim = format!("{STREAM_CLAIM}/{tag}");
        let ev = DataEvent {
            master: seed,
            claim: &claim,
            event: "D0: max|x| ≤ b_x and min_k M_kk ≥ 1/2",
            max_tries: MAX_DATA_TRIES,
        };
        let cond = Problem::gaussian_conditioned(c.n, c.d, c.r, ev, |p| {
            let s = p.stats();
            s.b_x <= bx && s.min_mkk >= 0.5
        })?;
        let stats = cond.problem.stats();
        Ok(Instance { tag: tag.into(), c, p: cond.problem, stats, rejected: cond.rejected })
    }
    /// `σ` of the matched spherical Gaussian noise: `η²σ² = η²δ²τ² tr(M)/d`, the per-coordinate
    /// per-step variance of the label noise at `v[0] = τ·1` averaged over coordinates.
    pub fn matched_sigma(&self) -> f64 {
        let d = self.c.d;
        let tr: f64 = (0..d).map(|k| self.p.m_jk(k, k)).sum();
        self.c.delta * self.c.tau * (tr / d as f64).sqrt()
    }
    /// `v[0] = τ·1`.
    pub fn v0(&self) -> PVec {
        PVec::constant(self.c.d, self.c.tau)
    }
}

/// Chain counts, run lengths and state counts of the Stage-0 claims, each per budget
/// (quick, default, full).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// Instance L (ρ = 0.01): chains of length T0. Full: 3300, derived (README, "Full budget and scaling
    /// out"): 0 events in 3274 chains confirm `ρ/3 = 0.00333` by the one-sided Clopper–Pearson test at the
    /// worst-case Holm level α/(2m) of a run of m = 279 p-values.
    pub l_chains: PerBudget<usize>,
    /// Instance L: all chains (the extra ones stop at the last E Φ checkpoint, where the exits of
    /// Lemmas B.2 / 3.2 are essentially complete).
    pub l_total: PerBudget<usize>,
    /// Instance M (ρ = 0.3): chains of length T0.
    pub m_chains: PerBudget<usize>,
    /// Instance M: all chains (the extra ones stop at the last E Φ checkpoint).
    pub ephi_chains: PerBudget<usize>,
    /// The B.2 variant (b = 2τd) at L's constants.
    pub v_chains: PerBudget<usize>,
    /// Run length of the variant.
    pub v_steps: PerBudget<u64>,
    /// Chains of the variant's mean check `E‖ṽ_b[t]‖₁ = τd` at `t = T/10` (`(ηδ)²t ≈ 0.9` at L,
    /// where ‖ṽ_b\[t\]‖₁ has coefficient of variation ≈ 0.28): the 2% equivalence margin is ≈ 5.7
    /// standard errors at 8 000 chains and 7 at 12 000 (the one-sided test after Holm needs z ≈ 3.2
    /// within the claim, ≈ 4.1 in a run of ~250 p-values, plus room for the sampling error).
    pub v_mean_chains: PerBudget<usize>,
    /// Chains of the mean check's Gaussian control (same horizon).
    pub ctrl_v_mean: PerBudget<usize>,
    /// The practical regime (d = 100).
    pub p_chains: PerBudget<usize>,
    /// The τ sweep, per τ.
    pub s_chains: PerBudget<usize>,
    /// Controls: Gaussian noise / δ = 0 at L, at M; Gaussian at the variant; Gaussian for the ℓ2 variant.
    /// Each count is large enough that a control which fails every chain is caught at Holm level
    /// α/evidence::CONTROL_FAMILY_REFERENCE (e.g. ctrl_m: 0.1⁸·2 ≤ 1e−5; ctrl_l2: 0.8⁶⁴·2 ≤ 1e−5).
    pub ctrl_l: PerBudget<usize>,
    pub ctrl_m: PerBudget<usize>,
    pub ctrl_v: PerBudget<usize>,
    pub ctrl_l2: PerBudget<usize>,
    /// Controls in the practical regime.
    pub ctrl_p: PerBudget<usize>,
    /// Random admissible states per instance for the exact checks.
    pub random_states: PerBudget<usize>,
    /// Chains of the variant run whose coupling identity Lemma 3.2 re-checks against an unstopped
    /// re-run.
    pub identity_chains: PerBudget<usize>,
}

/// The plan of the Stage-0 claims.
pub const PLAN: Plan = Plan {
    l_chains: PerBudget::new(8, 32, 3300),
    l_total: PerBudget::new(8, 32, 12_000),
    m_chains: PerBudget::new(80, 96, 1000),
    ephi_chains: PerBudget::new(480, 800, 5000),
    v_chains: PerBudget::new(800, 1500, 20_000),
    v_steps: PerBudget::new(250_000, 250_000, 250_000),
    v_mean_chains: PerBudget::new(8000, 12_000, 40_000),
    ctrl_v_mean: PerBudget::new(256, 256, 1024),
    p_chains: PerBudget::new(300, 1200, 4000),
    s_chains: PerBudget::new(100, 200, 1000),
    ctrl_l: PerBudget::new(3, 3, 8),
    ctrl_m: PerBudget::new(8, 8, 16),
    ctrl_v: PerBudget::new(64, 64, 256),
    ctrl_l2: PerBudget::new(64, 64, 128),
    ctrl_p: PerBudget::new(32, 32, 128),
    random_states: PerBudget::new(60, 200, 1000),
    identity_chains: PerBudget::new(48, 96, 400),
};

/// The specification of instance L (the paper's ρ = 0.01) for a budget, with the command-line
/// overrides applied (they apply to this instance only).
pub fn l_spec(ctx: &Ctx) -> Result<Spec> {
    let o = &ctx.overrides;
    let (d0, n0, r0) = if ctx.budget == Budget::Full { (100, 100, 5) } else { (20, 100, 2) };
    let d = o.d.unwrap_or(d0);
    let n = o.n.unwrap_or(n0);
    let r = o.r.unwrap_or(if o.d.is_some() { r0.min(d) } else { r0 });
    let tau = o.tau.unwrap_or(1.0);
    let rho = o.rho.unwrap_or(RHO);
    check::at_least_one("d", d as u64)?;
    check::at_least_one("n", n as u64)?;
    check::sparsity(r, d)?;
    check::positive("tau", tau)?;
    check::open_interval("rho", rho, 0.0, 1.0)?;
    if let Some(x) = o.delta {
        check::positive("delta", x)?;
    }
    if let Some(x) = o.eta {
        check::positive("eta", x)?;
    }
    if let Some(x) = o.steps {
        check::int_range("steps", x, 1, MAX_STEPS)?;
    }
    let mut s = Spec::literal(d, n, r, tau, rho);
    s.delta = o.delta;
    s.eta = o.eta;
    s.steps = o.steps;
    if o.eta.is_some() || o.delta.is_some() || o.tau.is_some() || o.d.is_some() || o.r.is_some() {
        Constants::new(&s)?.check_start_positivity(o.eta.is_some(), o.delta.is_some())?;
    }
    Ok(s)
}

/// Instance M (ρ = 0.3, the lemmas' second literal instance): d = 20, n = 100, r = 2, τ = 1.
pub fn m_spec() -> Spec {
    Spec::literal(20, 100, 2, 1.0, LEMMA_RHO)
}

/// Build (and cache) an instance.
pub fn instance(tag: &str, spec: &Spec, seed: u64) -> Result<Arc<Instance>> {
    let c = Constants::new(spec)?;
    let key = format!("instance|{tag}|{seed}|{spec:?}");
    let r: Arc<Result<Instance>> = cached("stage0", key, || Instance::draw(tag, c, seed));
    match &*r {
        Ok(i) => Ok(Arc::new(i.clone())),
        Err(e) => Err(e.clone()),
    }
}

/// Instance L (the paper's ρ = 0.01; the command-line overrides apply to it).
pub fn inst_l(ctx: &Ctx) -> Result<Arc<Instance>> {
    instance("L", &l_spec(ctx)?, ctx.seed)
}

/// Instance M (ρ = 0.3).
pub fn inst_m(ctx: &Ctx) -> Result<Arc<Instance>> {
    instance("M", &m_spec(), ctx.seed)
}

/// Instances L and M of a claim's run. Command-line overrides apply to L only: when there are any,
/// `out` notes so, with `keeps` saying what else keeps its defaults.
pub fn inst_l_m(ctx: &Ctx, out: &mut Outcome, keeps: &str) -> Result<(Arc<Instance>, Arc<Instance>)> {
    let l = inst_l(ctx)?;
    let m = inst_m(ctx)?;
    if !ctx.overrides.is_empty() {
        out.note(format!(
            "Command-line overrides apply to instance L only, except --chains, which sets the Algorithm-1 chains of \
            every literal run (instances L and M, the variant at b = 2τd and its mean check); {keeps}"
        ));
    }
    Ok((l, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPEC's literal table, row d = 20, n = 40, r = 2, τ = 1 (b_x from G.1 at ρ/3).
    #[test]
    fn spec_table_row_d20() {
        let mut s = Spec::literal(20, 40, 2, 1.0, 0.01);
        s.bx_failure = 0.01 / 3.0;
        let c = Constants::new(&s).unwrap();
        assert!((c.b_x - 5.12).abs() < 0.006, "{}", c.b_x);
        assert!((c.delta / 1.27e17 - 1.0).abs() < 0.01, "{}", c.delta);
        assert!((c.eta / 4.8e-20 - 1.0).abs() < 0.01, "{}", c.eta);
        assert!((c.t0 as f64 / 8.74e6 - 1.0).abs() < 0.002, "{}", c.t0);
    }
}
