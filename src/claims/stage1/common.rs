//! Shared pieces of the Stage-1 claims (Appendix C: Lemmas C.2–C.7, Theorem 3.3). Not a claim.
//!
//! * [`Setting`] — the common setting of SPEC §5 at instantiated constants, and the hypotheses
//!   audits of every Stage-1 lemma (printed and repaired), both sides printed;
//! * [`T33Literal`] — Theorem 3.3's explicit parameter choices and the scalar validator of the
//!   chain of inequalities (84)–(92) of its proof;
//! * [`Inst`] — check instances for the exact one-step checks: designed data (columns of a
//!   Sylvester–Hadamard matrix, slightly mixed) meeting the DERIVED conditions of SPEC §5.9 with a
//!   generic coupling cap `ε̃`, and `(η, δ)` derived from those conditions;
//! * [`State`] families — states visited by chains, random states in the `(1 + c1, ε̃)`-bounded
//!   coupling set, adversarial boundary states;
//! * [`Ineq`] and [`run_exact`] — one-step inequalities evaluated by exact enumeration over the
//!   `2n` outcomes ([`OneStep`]), margins from closed forms, worst margin per family;
//! * [`practical_run`] — the labelled practical regime (SPEC §5.9): Algorithm 1 (and the negative
//!   controls) from `v_k[0] ~ Unif[0.01, 1]/d`, cached per process so every Stage-1 claim reads
//!   the same chains.
//!
//! # Formula
//! Common setting (SPEC §5, RECONSTRUCTED[m]): `c1 = 1/10`, `ε̃1 = 12/ρ`, `C_x = max_{j≠k}|M_jk|`,
//! `max|x| ≤ b_x`, `M_kk ≥ 1/2`, `ṽ` the `(1 + c1, ε̃1)`-bounded coupling. At an in-set state,
//! `K_k(v) = |Σ_{j≠k} M_jk e_j| ≤ C_x(ε̃² + r) =: K1`.
//! Exact margins (SPEC §0.4): with `m_k = E[v'_k − v_k | v] = −η v_k (Me)_k` (closed form),
//! "above 1": `(1−γ)u − E[v'_k − 1] = −γu − m_k`; "below 1": `(1−γ)w − E[1 − v'_k] = m_k − γw`.

use std::sync::Arc;

use crate::claim::Ctx;
use crate::claims::martingale::lemma_g_3::g3r_exponent;
use crate::engine::cache::cached;
use crate::engine::dynamics::Dynamics;
use crate::engine::exact::OneStep;
use crate::engine::lanes::PVec;
use crate::engine::model::{Data, DataStats, Problem};
use crate::engine::rng::{Stream, splitmix64, uniform01};
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{ChainEnd, Observer, StopSet, run_chain, run_chains_par};
use crate::error::{Error, Result, check};
use crate::evidence::{Audit, ExactCheck, Outcome, Rel, Role, Table};
use crate::numfmt::fmt;

/// `c1` of Theorem 3.3 (the support accuracy of Stage 1).
pub const C1: f64 = 0.1;
/// Failure level of Theorem 3.3.
pub const RHO: f64 = 0.01;

/// `ε̃1 = 12/ρ` (SPEC §5: the crude off-support cap of the coupling).
pub fn eps_tilde1(rho: f64) -> f64 {
    12.0 / rho
}

// ==========================================================================================
// The setting at instantiated constants, and the hypotheses audits
// ==========================================================================================

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
    fn data_lines(&self, au: &mut Audit) {
        au.check("M_kk ≥ 1/2", "min_k M_kk ≥ 1/2 (data event, Lemma G.2)", self.min_mkk, Rel::Ge, 0.5);
    }
    /// Lemma C.2 as printed (SPEC §5.2(a)).
    pub fn audit_c2(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        self.data_lines(&mut au);
        au.check(
            "(C2-a)",
            "c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ)",
            self.c1 * self.c1 / (8.0 * self.eta * self.delta * self.delta * self.b_x * self.b_x),
            Rel::Ge,
            self.log_6rt2(),
        );
        au.check(
            "(C2-b)",
            "(ε̃² + r) C_x b_x ≤ c1²/20",
            self.er() * self.c_x * self.b_x,
            Rel::Le,
            self.c1 * self.c1 / 20.0,
        );
        au.check("(C2-c)", "δ ≥ b_x (ε̃² + r)", self.delta, Rel::Ge, self.b_x * self.er());
        au
    }
    /// Lemma C.2 repaired: G.3-R with the squared conditional range, and E-G3b.
    pub fn audit_c2_repaired(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        au.check(
            "(C2-a) G.3-R",
            "c1²/(32(1+c1)²ηδ²b_x²) ≥ log(6rT²/ρ) (range-based exponent, γ = η, range 4(1+c1)ηδb_x)",
            g3r_exponent(self.c1, self.eta, 4.0 * (1.0 + self.c1) * self.eta * self.delta * self.b_x),
            Rel::Ge,
            self.log_6rt2(),
        );
        au.check(
            "E-G3b",
            "per-step change (1+c1)η(δb_x + (ε̃²+r)b_x²) ≤ c1/6",
            self.range_support() / 2.0,
            Rel::Le,
            self.c1 / 6.0,
        );
        au
    }
    /// Lemma C.3 (SPEC §5.3(a)).
    pub fn audit_c3(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        self.data_lines(&mut au);
        au.check(
            "(C3-a)",
            "(ε̃² + r) C_x ≤ ρ/(12 T η b_x)",
            self.er() * self.c_x,
            Rel::Le,
            self.rho / (12.0 * self.t * self.eta * self.b_x),
        );
        au.check("cap", "ε̃ = 12/ρ (so that ‖v_S̄[0]‖₁/ε̃ ≤ ρ/12)", self.cap, Rel::Ge, eps_tilde1(self.rho));
        au
    }
    /// Lemma C.4 (SPEC §5.4(a), RECONSTRUCTED[l]).
    pub fn audit_c4(&self, id: &str, title: &str) -> Audit {
        let c1 = self.c1;
        let mut au = Audit::new(id, title);
        self.data_lines(&mut au);
        au.check(
            "(C4-a)",
            "(ε̃² + r) C_x b_x ≤ c1/4 − c1²/8",
            self.er() * self.c_x * self.b_x,
            Rel::Le,
            c1 / 4.0 - c1 * c1 / 8.0,
        );
        au.check("(C4-b)", "ηδ² ≤ c1/16", self.eta * self.delta * self.delta, Rel::Le, c1 / 16.0);
        au.check("(C4-c)", "Tη ≥ (16/c1) log(1/ε_min)", self.t * self.eta, Rel::Ge, 16.0 / c1 * self.log_inv_eps_min);
        au.check(
            "(C4-d)",
            "T ≥ (2⁹δ²/c1²) log(6r/ρ)",
            self.t,
            Rel::Ge,
            512.0 * self.delta * self.delta / (c1 * c1) * (6.0 * self.r as f64 / self.rho).ln(),
        );
        au.check("(C2-c)", "δ ≥ b_x (ε̃² + r) (used in (57))", self.delta, Rel::Ge, self.b_x * self.er());
        au
    }
    /// Lemma C.4 repaired (E-C4): range of `log F_k` in Azuma.
    pub fn audit_c4_repaired(&self, id: &str, title: &str) -> Audit {
        let c1 = self.c1;
        let l = self.range_log();
        let mut au = Audit::new(id, title);
        au.check(
            "(C4-d) E-C4",
            "T ≥ (2⁹ ℓ²/(4η²c1²)) log(6r/ρ), ℓ = 4η(δb_x + (ε̃²+r)b_x²) the range of log F_k",
            self.t,
            Rel::Ge,
            512.0 * l * l / (4.0 * self.eta * self.eta * c1 * c1) * (6.0 * self.r as f64 / self.rho).ln(),
        );
        au
    }
    /// Lemma C.5 (SPEC §5.5(a)).
    pub fn audit_c5(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        self.data_lines(&mut au);
        au.check(
            "(C5-a)",
            "(ε̃² + r) C_x b_x ≤ c1²/20",
            self.er() * self.c_x * self.b_x,
            Rel::Le,
            self.c1 * self.c1 / 20.0,
        );
        au.check(
            "(C5-b)",
            "c1²/(8ηδ²b_x²) ≥ log(6rT²/ρ)",
            self.c1 * self.c1 / (8.0 * self.eta * self.delta * self.delta * self.b_x * self.b_x),
            Rel::Ge,
            self.log_6rt2(),
        );
        au
    }
    /// Lemma C.5 repaired (E-C5: γ = η/4; E-G3a: range instead of variance).
    pub fn audit_c5_repaired(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        let range = 2.0 * self.eta * (self.delta * self.b_x + self.er() * self.b_x * self.b_x);
        au.check(
            "(C5-b) repaired",
            "c1²(η/4)/(2ℓ²) ≥ log(6rT²/ρ), ℓ = 2η(δb_x + (ε̃²+r)b_x²) (G.3-R with γ = η/4)",
            g3r_exponent(self.c1, self.eta / 4.0, range),
            Rel::Ge,
            self.log_6rt2(),
        );
        au.check(
            "(C5) K1 repaired",
            "C_x(ε̃² + r) ≤ (c1/3)(M_kk v(1+v) − 1/4)/v at v = 1 − c1/3, M_kk = 1/2",
            self.k1(),
            Rel::Le,
            {
                let v = 1.0 - self.c1 / 3.0;
                (self.c1 / 3.0) * (0.5 * v * (1.0 + v) - 0.25) / v
            },
        );
        au
    }
    /// Lemma C.7 (SPEC §5.7(a)).
    pub fn audit_c7(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        self.data_lines(&mut au);
        let ed2 = self.eta * self.delta * self.delta;
        au.check(
            "(C7-a)",
            "½ηδ² > 32 (ε̃² + r) C_x b_x²",
            0.5 * ed2,
            Rel::Gt,
            32.0 * self.er() * self.c_x * self.b_x * self.b_x,
        );
        au.check(
            "(C7-b)",
            "Tη²δ² ≥ 16 log(6√d/(ρ√ε1))",
            self.t * ed2 * self.eta,
            Rel::Ge,
            16.0 * c7_log(self.d, self.rho, self.eps1),
        );
        au.check(
            "|Δ| ≤ 1/16",
            "ηδb_x + η(ε̃² + r)b_x² ≤ 1/16 (implicit in the Taylor step)",
            self.eta * (self.delta * self.b_x + self.er() * self.b_x * self.b_x),
            Rel::Le,
            1.0 / 16.0,
        );
        au
    }
    /// Lemma C.7 repaired (E-C7: γ7 = η²δ²/32).
    pub fn audit_c7_repaired(&self, id: &str, title: &str) -> Audit {
        let mut au = Audit::new(id, title);
        let ed2 = self.eta * self.delta * self.delta;
        au.check(
            "(C7-a) repaired",
            "ηδ² ≥ 32 C_x (ε̃² + r) b_x² (so the drift costs at most η²δ²/64)",
            ed2,
            Rel::Ge,
            32.0 * self.k1() * self.b_x * self.b_x,
        );
        au.check(
            "(C7-b) repaired",
            "Tη²δ² ≥ 32 log(6√d/(ρ√ε1))",
            self.t * ed2 * self.eta,
            Rel::Ge,
            32.0 * c7_log(self.d, self.rho, self.eps1),
        );
        au
    }
}

/// `log(6√d/(ρ√ε1))`.
pub fn c7_log(d: usize, rho: f64, eps1: f64) -> f64 {
    (6.0 * (d as f64).sqrt() / (rho * eps1.sqrt())).ln()
}

// ==========================================================================================
// Theorem 3.3's explicit choices and the scalar validator (84)–(92)
// ==========================================================================================

/// Theorem 3.3's explicit parameter choices (SPEC §5.8(c), RECONSTRUCTED[m]).
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
    /// The scalar validator of the proof's chain (84)–(92): every step evaluated, both sides.
    pub fn chain_audit(&self, id: &str) -> Audit {
        let s = self.setting();
        let (eta, delta, bx, c1) = (self.eta, self.delta, self.b_x, self.c1);
        let log6r = (6.0 * self.r as f64 / self.rho).ln();
        let li = (1.0 / eta).ln();
        let er = s.er();
        let mut au = Audit::new(
            id,
            format!(
                "Theorem 3.3 proof, d = {}, r = {}, ρ = {}, ε1 = {}, log(1/ε_min) = {}",
                self.d, self.r, self.rho, self.eps1, self.log_inv_eps_min
            ),
        );
        au.check("δ: (16/δ²)L1 ≤ 1", "(16/δ²) L1 ≤ 1", 16.0 / (delta * delta) * self.l1, Rel::Le, 1.0);
        au.check("δ ≥ b_x(ε̃1²+r)", "δ ≥ b_x (ε̃1² + r)", delta, Rel::Ge, bx * er);
        au.check(
            "(84)–(85) T ≤ 1/η²",
            "T ≤ 1/η² (so log(6rT²/ρ) ≤ log(6r/ρ) + 4 log(1/η))",
            self.t,
            Rel::Le,
            1.0 / (eta * eta),
        );
        au.check("(85)", "log(6rT²/ρ) ≤ log(6r/ρ) + 4 log(1/η)", s.log_6rt2(), Rel::Le, log6r + 4.0 * li);
        au.check("(86)", "log(6r/ρ) + 4 log(1/η) ≤ 4 log(6r/ρ) log(1/η)", log6r + 4.0 * li, Rel::Le, 4.0 * log6r * li);
        au.check("(87)–(89)", "η log(1/η) ≤ Q log(1/Q) ≤ P", eta * li, Rel::Le, self.p);
        au.check("(89) Q", "Q log(1/Q) ≤ P", self.q * (1.0 / self.q).ln(), Rel::Le, self.p);
        au.check(
            "(84) ⇒ (C2-a)",
            "c1²/(8ηδ²b_x²) ≥ 4 log(6r/ρ) log(1/η)",
            c1 * c1 / (8.0 * eta * delta * delta * bx * bx),
            Rel::Ge,
            4.0 * log6r * li,
        );
        au.check("(90)", "C_x b_x(ε̃1²+r) ≤ ηδ²/48", self.c_x_max * bx * er, Rel::Le, eta * delta * delta / 48.0);
        au.check("(91)", "ηδ²/48 ≤ c1²/20 (from ηδ² ≤ Pδ²)", eta * delta * delta / 48.0, Rel::Le, c1 * c1 / 20.0);
        au.check(
            "(92) first",
            "T/δ² ≥ (16/(η²δ⁴)) log(6r/ρ)",
            self.t / (delta * delta),
            Rel::Ge,
            16.0 / (eta * eta * delta.powi(4)) * log6r,
        );
        au.check(
            "(92) second",
            "(16/(η²δ⁴)) log(6r/ρ) ≥ (2⁹/c1²) log(6r/ρ) ⇒ (C4-d) T ≥ (2⁹δ²/c1²) log(6r/ρ)",
            16.0 / (eta * eta * delta.powi(4)) * log6r,
            Rel::Ge,
            512.0 / (c1 * c1) * log6r,
        );
        au.check("(C4-c)", "Tη ≥ (16/c1) log(1/ε_min)", self.t * eta, Rel::Ge, 16.0 / c1 * self.log_inv_eps_min);
        au.check("(C4-b)", "ηδ² ≤ c1/16", eta * delta * delta, Rel::Le, c1 / 16.0);
        au.check(
            "(C3-a)",
            "(ε̃1² + r) C_x ≤ ρ/(12Tηb_x)",
            er * self.c_x_max,
            Rel::Le,
            self.rho / (12.0 * self.t * eta * bx),
        );
        au.check(
            "(C7-b)",
            "Tη²δ² ≥ 16 log(6√d/(ρ√ε1))",
            self.t * eta * eta * delta * delta,
            Rel::Ge,
            16.0 * c7_log(self.d, self.rho, self.eps1),
        );
        au.check(
            "(C7-a)",
            "½ηδ² > 32(ε̃1²+r)C_x b_x² at the largest C_x the data assumption allows",
            0.5 * eta * delta * delta,
            Rel::Gt,
            32.0 * er * self.c_x_max * bx * bx,
        );
        au
    }
    /// The repaired lemma conditions at the same choices (do the theorem's parameters absorb the
    /// repairs?).
    pub fn repaired_audit(&self, id: &str) -> Audit {
        let s = self.setting();
        let mut au = Audit::new(
            id,
            format!(
                "Theorem 3.3 proof with the repaired lemmas, d = {}, ε1 = {}, log(1/ε_min) = {}",
                self.d, self.eps1, self.log_inv_eps_min
            ),
        );
        for a in [
            s.audit_c2_repaired("", ""),
            s.audit_c4_repaired("", ""),
            s.audit_c5_repaired("", ""),
            s.audit_c7_repaired("", ""),
        ] {
            au.hypotheses.extend(a.hypotheses);
        }
        au
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
    /// The DERIVED sufficient conditions of every one-step inequality (SPEC §5.2–§5.7), both sides.
    pub fn derived_audit(&self) -> Audit {
        let (c1, b, k1, eta, delta) = (self.c1, self.b(), self.k1(), self.eta, self.delta);
        let p = &self.problem;
        let mut au = Audit::new(
            format!("check data: {}", self.name),
            format!(
                "exact one-step checks: n = {}, d = {}, r = {}, ε̃ = {}, η = {}, δ = {}, b_x = {}, C_x = {}, M_kk ∈ [{}, {}]",
                p.n(),
                p.d(),
                p.r(),
                fmt(self.cap),
                fmt(eta),
                fmt(delta),
                fmt(b),
                fmt(self.stats.c_x),
                fmt(self.stats.min_mkk),
                fmt(self.stats.max_mkk)
            ),
        );
        au.check("M_kk ≥ 1/2", "min_k M_kk ≥ 1/2", self.stats.min_mkk, Rel::Ge, 0.5);
        let u = c1 / 3.0;
        au.check(
            "(C2.2) derived",
            "K1 ≤ (3(c1/3)² + (c1/3)³)/(2(1 + c1/3)) (drift above 1 at rate η)",
            k1,
            Rel::Le,
            (3.0 * u * u + u * u * u) / (2.0 * (1.0 + u)),
        );
        au.check("(C2-b)", "(ε̃² + r) C_x b_x ≤ c1²/20", k1 * b, Rel::Le, c1 * c1 / 20.0);
        au.check("(C2-c)", "δ ≥ b_x (ε̃² + r)", delta, Rel::Ge, b * self.er());
        au.check(
            "(C4.1) derived",
            "η((c1 − c1²/4)/2 − K1) − η²b_x²(δ + (ε̃²+r)b_x)² ≥ c1η/4",
            eta * ((c1 - c1 * c1 / 4.0) / 2.0 - k1) - eta * eta * self.step_scale().powi(2),
            Rel::Ge,
            c1 * eta / 4.0,
        );
        au.check(
            "(C4) |Y| ≤ 1/2",
            "η(δb_x + (ε̃²+r)b_x²) ≤ 1/2 (log(1+Y) ≥ Y − Y²)",
            eta * self.step_scale(),
            Rel::Le,
            0.5,
        );
        au.check("(C4-a)", "(ε̃² + r) C_x b_x ≤ c1/4 − c1²/8", k1 * b, Rel::Le, c1 / 4.0 - c1 * c1 / 8.0);
        au.check("(C7-a)", "½ηδ² > 32 (ε̃² + r) C_x b_x²", 0.5 * eta * delta * delta, Rel::Gt, 32.0 * k1 * b * b);
        au.check("(C7) |Δ| ≤ 1/16", "ηδb_x + η(ε̃² + r)b_x² ≤ 1/16", eta * self.step_scale(), Rel::Le, 1.0 / 16.0);
        au.check(
            "E-G3b",
            "(1+c1)η(δb_x + (ε̃²+r)b_x²) ≤ c1/6 (one step moves v_k by at most c1/6)",
            (1.0 + c1) * eta * self.step_scale(),
            Rel::Le,
            c1 / 6.0,
        );
        au
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
    if (i & k).count_ones() % 2 == 0 { 1.0 } else { -1.0 }
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

// ==========================================================================================
// State families
// ==========================================================================================

/// The three families of states of the exact checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// States visited by chains (practical-regime chains and chains on the check data).
    Chain,
    /// Random states in the coupling set.
    Random,
    /// Adversarial boundary states.
    Adversarial,
}

impl Family {
    pub fn name(self) -> &'static str {
        match self {
            Family::Chain => "chain states",
            Family::Random => "random states",
            Family::Adversarial => "adversarial states",
        }
    }
    pub const ALL: [Family; 3] = [Family::Chain, Family::Random, Family::Adversarial];
}

/// A labelled state.
#[derive(Clone, Debug)]
pub struct State {
    pub v: PVec,
    pub family: Family,
    pub label: String,
}

/// `v_k[0] = U_k/d`, `U_k ~ Unif[0.01, 1]` (the practical regime's initial law).
pub fn unif_init(d: usize, rng: &mut Stream) -> PVec {
    PVec::from_slice(&(0..d).map(|_| (0.01 + 0.99 * uniform01(rng)) / d as f64).collect::<Vec<_>>())
}

/// States visited by Algorithm-1 chains on the instance's data with its `(η, δ)` (kept when in
/// the coupling set).
pub fn chain_states(ctx: &Ctx, inst: &Inst, chains: usize, steps: u64, snaps: u64) -> Result<Vec<State>> {
    let p = &inst.problem;
    let dynamics = Dynamics::Alg1 { delta: inst.delta };
    let sched = Schedule::constant(inst.eta, steps)?;
    let every = (steps / snaps).max(1);
    let per: Vec<Vec<(u64, PVec)>> = ctx.runner.map("stage1 check chains", chains, |j| {
        let mut rng = ctx.stream("stage1", &format!("check-chain {}", inst.name), j as u64);
        let v0 = unif_init(p.d(), &mut rng);
        let mut snaps_v = Vec::new();
        run_chain(p, &dynamics, &sched, StopSet::Never, v0, &mut rng, &mut |t: u64, v: &PVec| {
            if t > 0 && t % every == 0 {
                snaps_v.push((t, v.clone()));
            }
        });
        snaps_v
    });
    let mut out = Vec::new();
    for (j, s) in per.into_iter().enumerate() {
        for (t, v) in s {
            if inst.in_set(&v) {
                out.push(State { v, family: Family::Chain, label: format!("chain {j} on the check data at t = {t}") });
            }
        }
    }
    Ok(out)
}

/// Snapshots of practical-regime chains (Gaussian data) used as states of the check data (same
/// `d`), kept when in the instance's coupling set.
pub fn transplanted_states(run: &PracticalRun, inst: &Inst) -> Vec<State> {
    if run.problem.d() != inst.problem.d() || run.problem.r() != inst.problem.r() {
        return Vec::new();
    }
    run.snapshots
        .iter()
        .filter(|(_, _, v)| inst.in_set(v))
        .map(|(j, t, v)| State {
            v: v.clone(),
            family: Family::Chain,
            label: format!("practical chain {j} (n = {}) at t = {t}", run.spec.n),
        })
        .collect()
}

/// Random states in the coupling set: support coordinates from a mixture (uniform on
/// `(0, 1 + c1]`, on the C.2 window, on the C.5 window, log-uniform small), off-support mass
/// `ε̃·U` split by Dirichlet(1) or concentrated (weights `E^6`).
pub fn random_states(ctx: &Ctx, inst: &Inst, count: usize) -> Vec<State> {
    let (d, r, c1, cap) = (inst.problem.d(), inst.problem.r(), inst.c1, inst.cap);
    let mut rng = ctx.stream("stage1", &format!("random states {}", inst.name), 0);
    let mut out = Vec::with_capacity(count);
    for j in 0..count {
        let mut v = vec![0.0; d];
        for x in v.iter_mut().take(r) {
            let u = uniform01(&mut rng);
            *x = match (uniform01(&mut rng) * 4.0) as usize {
                0 => (1.0 + c1) * (1.0 - u),
                1 => 1.0 + c1 / 3.0 + u * (2.0 * c1 / 3.0),
                2 => 1.0 - c1 + u * (2.0 * c1 / 3.0),
                _ => (-9.0 * u).exp() * (1.0 - c1 / 2.0),
            };
            if *x <= 0.0 {
                *x = 1e-12;
            }
        }
        let mass = cap * uniform01(&mut rng);
        let concentrated = uniform01(&mut rng) < 0.25;
        let mut w: Vec<f64> = (r..d).map(|_| -(1.0 - uniform01(&mut rng)).ln()).collect();
        if concentrated {
            w.iter_mut().for_each(|x| *x = x.powi(6));
        }
        let sw: f64 = w.iter().sum();
        for (x, wk) in v[r..].iter_mut().zip(&w) {
            *x = (mass * wk / sw).max(1e-300);
        }
        let pv = PVec::from_slice(&v);
        if inst.in_set(&pv) {
            out.push(State { v: pv, family: Family::Random, label: format!("random state {j}") });
        }
    }
    out
}

/// Adversarial boundary states: a target support coordinate at the window ends (and at tiny and
/// middle values), the other support coordinates at `1 ± c1`, alternating, tiny or at 1, and the
/// off-support mass `ε̃` concentrated on one coordinate (the first, the last, the one most coupled
/// to `S`), spread evenly, or tiny.
pub fn adversarial_states(inst: &Inst) -> Vec<State> {
    let p = &inst.problem;
    let (d, r, c1, cap) = (p.d(), p.r(), inst.c1, inst.cap);
    // The off-support coordinate most coupled to S: argmax Σ_{j∈S} |M_jk|.
    let coupled = (r..d)
        .max_by(|&a, &b| {
            let sa: f64 = (0..r).map(|j| p.m_jk(j, a).abs()).sum();
            let sb: f64 = (0..r).map(|j| p.m_jk(j, b).abs()).sum();
            sa.partial_cmp(&sb).unwrap_or(std::cmp::Ordering::Equal).then(b.cmp(&a))
        })
        .unwrap_or(r);
    let targets: Vec<(f64, &str)> = vec![
        (1.0 + c1 / 3.0, "1 + c1/3"),
        (1.0 + c1 / 2.0, "1 + c1/2"),
        (1.0 + c1, "1 + c1"),
        (1.0 - c1 / 3.0, "1 − c1/3"),
        (1.0 - c1 / 2.0, "1 − c1/2"),
        (1.0 - c1, "1 − c1"),
        (1e-6, "1e-6"),
        (1e-3, "1e-3"),
        (0.5, "0.5"),
        (1.0, "1"),
    ];
    let others: Vec<(&str, Box<dyn Fn(usize) -> f64>)> = vec![
        ("others at 1 + c1", Box::new(move |_| 1.0 + c1)),
        ("others at 1 − c1", Box::new(move |_| 1.0 - c1)),
        ("others alternating 1 ± c1", Box::new(move |j| if j % 2 == 0 { 1.0 + c1 } else { 1.0 - c1 })),
        ("others at 1e-3", Box::new(|_| 1e-3)),
        ("others at 1", Box::new(|_| 1.0)),
    ];
    let offs: Vec<(String, Vec<f64>)> = {
        let tiny = 1e-9;
        let mut list = Vec::new();
        for (name, k) in [("first", r), ("last", d - 1), ("most coupled", coupled)] {
            let mut w = vec![tiny; d - r];
            w[k - r] = cap * (1.0 - 1e-9) - tiny * (d - r - 1) as f64;
            list.push((format!("off-support mass ε̃ on coordinate {k} ({name})"), w));
        }
        list.push(("off-support mass ε̃ spread evenly".into(), vec![cap * (1.0 - 1e-9) / (d - r) as f64; d - r]));
        list.push(("off-support tiny (1e-9)".into(), vec![tiny; d - r]));
        list
    };
    let mut out = Vec::new();
    for kt in [0usize, 1] {
        for (tv, tname) in &targets {
            for (oname, of) in &others {
                for (offname, offv) in &offs {
                    let mut v = vec![0.0; d];
                    for (j, x) in v.iter_mut().enumerate().take(r) {
                        *x = if j == kt { *tv } else { of(j) };
                    }
                    v[r..].copy_from_slice(offv);
                    let pv = PVec::from_slice(&v);
                    if inst.in_set(&pv) {
                        out.push(State {
                            v: pv,
                            family: Family::Adversarial,
                            label: format!("v_{kt} = {tname}, {oname}, {offname}"),
                        });
                    }
                }
            }
        }
    }
    out
}

/// All three families for an instance (chain states include transplanted practical snapshots).
pub fn all_states(ctx: &Ctx, inst: &Inst, practical: &[Arc<PracticalRun>]) -> Result<Vec<State>> {
    let b = ctx.budget;
    let mut s = chain_states(ctx, inst, b.pick(3, 8, 32), b.pick(150_000, 300_000, 600_000), b.pick(40, 60, 100))?;
    for run in practical {
        s.extend(transplanted_states(run, inst));
    }
    s.extend(random_states(ctx, inst, b.pick(400, 3000, 30_000)));
    s.extend(adversarial_states(inst));
    Ok(s)
}

// ==========================================================================================
// Exact one-step inequalities
// ==========================================================================================

/// Which coordinates an inequality is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Support,
    OffSupport,
}

/// The evaluation of an inequality at `(state, k)`: `Some((margin, natural scale))`, or `None`
/// when the inequality does not apply there (e.g. `v_k` outside the lemma's window).
pub type IneqFn = Box<dyn Fn(&OneStep, &Inst, usize) -> Option<(f64, f64)> + Send + Sync>;

/// A one-step inequality.
pub struct Ineq {
    pub id: String,
    pub statement: String,
    pub role: Role,
    pub scope: Scope,
    /// Evaluate with the gradient sign flipped (negative control: `OneStep::with_grad_sign(−1)`).
    pub flipped: bool,
    pub eval: IneqFn,
}

impl Ineq {
    pub fn new(id: impl Into<String>, statement: impl Into<String>, role: Role, scope: Scope, eval: IneqFn) -> Ineq {
        Ineq { id: id.into(), statement: statement.into(), role, scope, flipped: false, eval }
    }
    /// The same inequality as a negative control with the gradient sign flipped.
    pub fn flipped_control(id: impl Into<String>, statement: impl Into<String>, scope: Scope, eval: IneqFn) -> Ineq {
        Ineq {
            id: id.into(),
            statement: statement.into(),
            role: Role::Control { variant: "gradient sign flipped (OneStep::with_grad_sign(−1))".into() },
            scope,
            flipped: true,
            eval,
        }
    }
}

/// Evaluate inequalities at every state; returns one merged check per inequality (id suffixed
/// with the instance tag) and a table of the worst scaled margin per family.
pub fn run_exact(ctx: &Ctx, inst: &Inst, tag: &str, states: &[State], ineqs: &[Ineq]) -> (Vec<ExactCheck>, Table) {
    let p = &inst.problem;
    let (d, r) = (p.d(), p.r());
    let need_flip = ineqs.iter().any(|q| q.flipped);
    // Per state: (ineq index, k, margin, scale).
    let results: Vec<Vec<(usize, usize, f64, f64)>> = ctx.runner.map("stage1 exact", states.len(), |j| {
        let v = &states[j].v;
        let os = OneStep::new(p, v, inst.eta, inst.delta);
        let osf = if need_flip { Some(os.flipped()) } else { None };
        let mut res = Vec::new();
        for (qi, q) in ineqs.iter().enumerate() {
            let o = if q.flipped { osf.as_ref().expect("flipped kernel") } else { &os };
            let ks = match q.scope {
                Scope::Support => 0..r,
                Scope::OffSupport => r..d,
            };
            for k in ks {
                if let Some((m, s)) = (q.eval)(o, inst, k) {
                    res.push((qi, k, m, s));
                }
            }
        }
        res
    });
    let mut per: Vec<Vec<ExactCheck>> = ineqs
        .iter()
        .map(|q| {
            Family::ALL.iter().map(|_| ExactCheck::new(q.id.clone(), q.statement.clone(), q.role.clone())).collect()
        })
        .collect();
    for (j, res) in results.iter().enumerate() {
        let fam = Family::ALL.iter().position(|&f| f == states[j].family).unwrap_or(0);
        for &(qi, k, m, s) in res {
            per[qi][fam].record_scaled(m, s, || format!("{} ({}), k = {k}", states[j].label, states[j].family.name()));
        }
    }
    let mut checks = Vec::new();
    let mut rows = Vec::new();
    for (qi, q) in ineqs.iter().enumerate() {
        let mut merged = ExactCheck::new(
            format!("{} [{tag}]", q.id),
            format!("{} — {} data", q.statement, inst.name),
            q.role.clone(),
        );
        let mut row = vec![format!("{} [{tag}]", q.id)];
        for c in &per[qi] {
            merged.merge(c);
            row.push(match c.worst_scaled {
                Some(w) => format!("{} ({} of {})", fmt(w), c.violations, c.states),
                None => "—".into(),
            });
        }
        rows.push(row);
        checks.push(merged);
    }
    let table = Table {
        title: format!(
            "Worst scaled margin per state family (violations of evaluated (state, k)) — {} data",
            inst.name
        ),
        columns: vec![
            "inequality".into(),
            Family::Chain.name().into(),
            Family::Random.name().into(),
            Family::Adversarial.name().into(),
        ],
        rows,
    };
    (checks, table)
}

/// `E[v'_k − v_k | v]` (closed form, gradient sign included).
#[inline]
pub fn mean_inc(os: &OneStep, k: usize) -> f64 {
    os.mean_increment(k)
}

/// The signed perturbation `p_k(v) = Σ_{j≠k} M_jk e_j(v)` (so `(Me)_k = M_kk e_k + p_k`), summed
/// directly (no cancellation against the diagonal term).
pub fn signed_perturbation(os: &OneStep, k: usize) -> f64 {
    os.problem().signed_perturbation(os.v(), k)
}

/// `v_k`.
#[inline]
pub fn vk(os: &OneStep, k: usize) -> f64 {
    os.v().as_slice()[k]
}

/// `Var[log F_k | v]` (two-pass over the outcomes).
pub fn log_factor_var(os: &OneStep, k: usize) -> f64 {
    let m = os.log_factor(k);
    os.expect_coord(k, |x| {
        let y = x.ln_1p() - m;
        y * y
    })
}

/// Range of `log F_k` over the outcomes.
pub fn log_factor_range(os: &OneStep, k: usize) -> f64 {
    let (lo, hi) = os.delta_k_range(k);
    hi.ln_1p() - lo.ln_1p()
}

// ==========================================================================================
// The practical regime (SPEC §5.9), cached per process
// ==========================================================================================

/// The dynamics of a practical run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PracticalDyn {
    /// Algorithm 1 with label noise `±δ`.
    LabelNoise,
    /// Negative control: SGD with spherical Gaussian noise `ησξ`, `σ = δ` (matched variance at `v*`).
    GaussNoise,
    /// Negative control: Algorithm 1 with `δ = 0` (plain SGD).
    NoNoise,
    /// Negative control: Algorithm 1 with the gradient sign flipped.
    FlippedGradient,
}

impl PracticalDyn {
    pub fn name(self) -> &'static str {
        match self {
            PracticalDyn::LabelNoise => "label noise",
            PracticalDyn::GaussNoise => "Gaussian noise σ = δ",
            PracticalDyn::NoNoise => "δ = 0",
            PracticalDyn::FlippedGradient => "flipped gradient",
        }
    }
}

/// A practical-regime experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct PracticalSpec {
    pub n: usize,
    pub d: usize,
    pub r: usize,
    pub delta: f64,
    pub eta: f64,
    pub steps: u64,
    pub chains: usize,
    pub kind: PracticalDyn,
    pub rho: f64,
    /// `v[0]`: `None` = `Unif[0.01, 1]/d`; `Some(label)` = Stage-0 outputs (supplied by the caller).
    pub start: Option<String>,
}

impl PracticalSpec {
    pub fn dynamics(&self) -> Dynamics {
        match self.kind {
            PracticalDyn::LabelNoise => Dynamics::Alg1 { delta: self.delta },
            PracticalDyn::GaussNoise => Dynamics::SgdGauss { sigma: self.delta },
            PracticalDyn::NoNoise => Dynamics::Alg1 { delta: 0.0 },
            PracticalDyn::FlippedGradient => Dynamics::Alg1FlippedGradient { delta: self.delta },
        }
    }
    /// The coupling set `(1 + c1, ε̃1)` of Definition C.1 at this `ρ`.
    pub fn cap(&self) -> f64 {
        eps_tilde1(self.rho)
    }
}

/// Why the `(1 + c1, ε̃1)` coupling froze.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `‖v_S‖_∞ > 1 + c1`.
    Support,
    /// `‖v_S̄‖_1 > ε̃1`.
    OffSupport,
}

/// What one practical chain recorded (real chain `v` and coupled chain `ṽ`).
#[derive(Clone, Debug, PartialEq)]
pub struct ChainRecord {
    /// `Σ_{k∉S} √v_k[0]`.
    pub phi0: f64,
    /// `τ_exit` of the `(1 + c1, ε̃1)` coupling and the reason.
    pub exit: Option<(u64, Exit)>,
    /// `max_{t<T} ṽ_k[t]`, `k ∈ S`.
    pub tilde_max_lt: Vec<f64>,
    /// `max_{t≤T} ṽ_k[t] ≥ 1 − c1/2`.
    pub tilde_reached: Vec<bool>,
    /// `ṽ_k[T]`, `k ∈ S`.
    pub tilde_support_t: Vec<f64>,
    /// `Φ(ṽ[T])` of Definition C.6 with `(1 + c1, ε̃1)` (0 outside the set).
    pub tilde_phi_t: f64,
    /// `max_{t<T} v_k[t]`, `k ∈ S` (real chain).
    pub max_lt: Vec<f64>,
    /// `max_{t≤T} v_k[t] ≥ 1 − c1/2` (real chain).
    pub reached: Vec<bool>,
    /// `v_k[T]`, `k ∈ S`.
    pub support_t: Vec<f64>,
    /// `‖v_S[T] − 1‖_∞`.
    pub dist_t: f64,
    /// `‖v_S̄[T]‖_1`.
    pub off_t: f64,
    /// `Σ_{k∉S} √|v_k[T]|`.
    pub phi_t: f64,
    /// `max_t ‖v_S̄[t]‖_1`.
    pub sup_off: f64,
    /// `max_t ‖v_S[t]‖_∞`.
    pub sup_support: f64,
    pub diverged_at: Option<u64>,
}

/// The chains of one practical experiment.
#[derive(Debug)]
pub struct PracticalRun {
    pub spec: PracticalSpec,
    pub problem: Problem,
    /// Data sets rejected before one met `min_k M_kk ≥ 1/2`.
    pub rejected: u64,
    pub stats: DataStats,
    pub chains: Vec<ChainRecord>,
    /// `(chain, t, v[t])` snapshots of the first chains (states for the exact checks).
    pub snapshots: Vec<(usize, u64, PVec)>,
    /// Wall time of the simulation (seconds; not reported in snapshots).
    pub wall_s: f64,
}

impl PracticalRun {
    /// Chains that diverged.
    pub fn diverged(&self) -> u64 {
        self.chains.iter().filter(|c| c.diverged_at.is_some()).count() as u64
    }
}

/// The data of the practical regime at `n`: `N(0,1)` entries conditioned on the data event
/// `min_k M_kk ≥ 1/2` (Lemma G.2; SPEC §0.6).
pub fn practical_problem(seed: u64, n: usize, d: usize, r: usize) -> Result<crate::engine::model::Conditioned> {
    Problem::gaussian_conditioned(n, d, r, seed, "stage1", "min_k M_kk ≥ 1/2", 1000, |p| p.stats().min_mkk >= 0.5)
}

/// Number of chains whose snapshots are kept, and snapshots per chain.
const SNAP_CHAINS: usize = 4;
const SNAPS_PER_CHAIN: u64 = 25;

/// Run (or fetch from the per-process cache) the practical experiment `spec` from
/// `Unif[0.01, 1]/d` or from the given starts (`starts[j]` for chain `j`).
pub fn practical_run(ctx: &Ctx, spec: &PracticalSpec, starts: Option<&[PVec]>) -> Result<Arc<PracticalRun>> {
    let key = format!("{}|{:?}|{:?}|{:?}", ctx.seed, ctx.budget, spec, starts.map(|s| s.len()));
    let res = cached("stage1", key, || simulate(ctx, spec, starts).map(Arc::new).map_err(|e| e.to_string()));
    (*res).clone().map_err(Error::Numerical)
}

impl ChainRecord {
    /// The record of a chain before its first step.
    fn start(phi0: f64, r: usize) -> ChainRecord {
        ChainRecord {
            phi0,
            exit: None,
            tilde_max_lt: vec![f64::NEG_INFINITY; r],
            tilde_reached: vec![false; r],
            tilde_support_t: vec![0.0; r],
            tilde_phi_t: 0.0,
            max_lt: vec![f64::NEG_INFINITY; r],
            reached: vec![false; r],
            support_t: vec![0.0; r],
            dist_t: 0.0,
            off_t: 0.0,
            phi_t: 0.0,
            sup_off: 0.0,
            sup_support: 0.0,
            diverged_at: None,
        }
    }
}

/// The observer of one practical chain: the real chain's record and the Definition C.1 coupling
/// (frozen at its first exit), read off the same unstopped path.
struct PracObs<'a> {
    p: &'a Problem,
    c1: f64,
    cap: f64,
    big_t: u64,
    every: u64,
    keep: bool,
    rec: ChainRecord,
    frozen: Option<PVec>,
    snaps: Vec<(u64, PVec)>,
}

impl Observer for PracObs<'_> {
    fn observe(&mut self, t: u64, v: &PVec) {
        let (rec, r, c1, big_t) = (&mut self.rec, self.p.r(), self.c1, self.big_t);
        let sv = &v.as_slice()[..r];
        let mut smax = f64::NEG_INFINITY;
        for k in 0..r {
            let x = sv[k];
            smax = smax.max(x.abs());
            if t < big_t && x > rec.max_lt[k] {
                rec.max_lt[k] = x;
            }
            if x >= 1.0 - c1 / 2.0 {
                rec.reached[k] = true;
            }
        }
        let off = self.p.off_l1(v);
        rec.sup_off = rec.sup_off.max(off);
        rec.sup_support = rec.sup_support.max(smax);
        if self.frozen.is_none() {
            for k in 0..r {
                if t < big_t && sv[k] > rec.tilde_max_lt[k] {
                    rec.tilde_max_lt[k] = sv[k];
                }
                if sv[k] >= 1.0 - c1 / 2.0 {
                    rec.tilde_reached[k] = true;
                }
            }
            let reason = if smax > 1.0 + c1 {
                Some(Exit::Support)
            } else if off > self.cap {
                Some(Exit::OffSupport)
            } else {
                None
            };
            if let Some(why) = reason {
                rec.exit = Some((t, why));
                self.frozen = Some(v.clone());
            }
        }
        if self.keep && t > 0 && t % self.every == 0 {
            self.snaps.push((t, v.clone()));
        }
    }
}

impl PracObs<'_> {
    /// The chain's final record (real chain at `T`, coupling at `T`) and its snapshots.
    fn finish(self, end: ChainEnd) -> (ChainRecord, Vec<(u64, PVec)>) {
        let (p, r) = (self.p, self.p.r());
        let mut rec = self.rec;
        rec.diverged_at = end.diverged_at;
        if end.diverged_at.is_some() {
            rec.dist_t = f64::INFINITY;
            rec.off_t = f64::INFINITY;
            rec.phi_t = f64::INFINITY;
            rec.support_t = vec![f64::NEG_INFINITY; r];
        } else {
            let v = &end.v;
            rec.support_t = v.as_slice()[..r].to_vec();
            rec.dist_t = p.support_dist_inf(v);
            rec.off_t = p.off_l1(v);
            rec.phi_t = off_phi(p, v);
        }
        match &self.frozen {
            Some(vf) => {
                rec.tilde_support_t = vf.as_slice()[..r].to_vec();
                rec.tilde_phi_t = 0.0;
            }
            None => {
                rec.tilde_support_t = rec.support_t.clone();
                rec.tilde_phi_t = if end.diverged_at.is_some() { f64::INFINITY } else { rec.phi_t };
            }
        }
        (rec, self.snaps)
    }
}

fn simulate(ctx: &Ctx, spec: &PracticalSpec, starts: Option<&[PVec]>) -> Result<PracticalRun> {
    let t0 = std::time::Instant::now();
    let cond = practical_problem(ctx.seed, spec.n, spec.d, spec.r)?;
    let p = cond.problem;
    let stats = p.stats();
    let (r, c1, cap, big_t) = (spec.r, C1, spec.cap(), spec.steps);
    let sched = Schedule::constant(spec.eta, big_t)?;
    let dynamics = spec.dynamics();
    let every = (big_t / SNAPS_PER_CHAIN).max(1);
    let kind_tag = format!("{:?}", spec.kind);
    let init_purpose = format!("init n={} d={}", spec.n, spec.d);
    let chain_purpose = format!("chain {kind_tag} n={} start={:?}", spec.n, spec.start);
    let ends =
        run_chains_par(&ctx.runner, "stage1 practical", spec.chains, &p, &dynamics, &sched, StopSet::Never, |j| {
            let mut init = ctx.stream("stage1", &init_purpose, j as u64);
            let v0 = match starts {
                Some(s) => s[j % s.len()].clone(),
                None => unif_init(spec.d, &mut init),
            };
            let rng = ctx.stream("stage1", &chain_purpose, j as u64);
            let obs = PracObs {
                p: &p,
                c1,
                cap,
                big_t,
                every,
                keep: j < SNAP_CHAINS,
                rec: ChainRecord::start(off_phi(&p, &v0), r),
                frozen: None,
                snaps: Vec::new(),
            };
            (v0, rng, obs)
        });
    let results: Vec<(ChainRecord, Vec<(u64, PVec)>)> = ends.into_iter().map(|(end, obs)| obs.finish(end)).collect();
    let mut chains = Vec::with_capacity(results.len());
    let mut snapshots = Vec::new();
    for (j, (rec, snaps)) in results.into_iter().enumerate() {
        chains.push(rec);
        for (t, v) in snaps {
            snapshots.push((j, t, v));
        }
    }
    Ok(PracticalRun {
        spec: spec.clone(),
        problem: p,
        rejected: cond.rejected,
        stats,
        chains,
        snapshots,
        wall_s: t0.elapsed().as_secs_f64(),
    })
}

/// `Σ_{k∉S} √|v_k|` (the off-support potential without the set condition).
pub fn off_phi(p: &Problem, v: &PVec) -> f64 {
    v.as_slice()[p.r()..].iter().map(|x| x.abs().sqrt()).sum()
}

/// The practical regime's parameters from the budget and the overrides.
#[derive(Clone, Debug)]
pub struct PracticalParams {
    pub ns: Vec<usize>,
    pub d: usize,
    pub r: usize,
    pub delta: f64,
    pub eta: f64,
    pub steps: u64,
    pub chains: usize,
    pub control_chains: usize,
    /// `n` of the negative controls.
    pub control_n: usize,
}

impl PracticalParams {
    /// SPEC §5.9: `d = 100, r = 5, δ = 2, η = 1e−3, T = 2e6, n ∈ {40, 200}`.
    pub fn from_ctx(ctx: &Ctx) -> Result<PracticalParams> {
        let o = &ctx.overrides;
        let b = ctx.budget;
        let ns = match o.n {
            Some(n) => vec![check::at_least_one("n", n as u64)? as usize],
            None => vec![40, 200],
        };
        let delta = check::non_negative("delta", o.delta.unwrap_or(2.0))?;
        let eta = check::open_interval("eta", o.eta.unwrap_or(1e-3), 0.0, 1.0)?;
        let steps = check::at_least_one("steps", o.steps.unwrap_or(2_000_000))?;
        let chains = check::at_least_one("chains", o.chains.unwrap_or(b.pick(12, 64, 2000)) as u64)? as usize;
        // Controls must be caught at Holm level α/evidence::CONTROL_FAMILY_REFERENCE even when every
        // chain fails: the weakest control bound is 1/θ = 0.556, and 0.556²⁴·2 ≤ 1e−5.
        let control_chains = b.pick(24, 32, 200).min(chains.max(24));
        Ok(PracticalParams { control_n: ns[0], ns, d: 100, r: 5, delta, eta, steps, chains, control_chains })
    }
    /// The spec of one experiment.
    pub fn spec(&self, n: usize, kind: PracticalDyn) -> PracticalSpec {
        let chains = if kind == PracticalDyn::LabelNoise { self.chains } else { self.control_chains };
        PracticalSpec {
            n,
            d: self.d,
            r: self.r,
            delta: self.delta,
            eta: self.eta,
            steps: self.steps,
            chains,
            kind,
            rho: RHO,
            start: None,
        }
    }
    /// The setting of the practical regime at `n` (for the audits), with the data statistics.
    pub fn setting(&self, run: &PracticalRun, eps1: f64) -> Setting {
        Setting {
            d: self.d,
            r: self.r,
            rho: RHO,
            c1: C1,
            cap: eps_tilde1(RHO),
            eps1,
            log_inv_eps_min: (self.d as f64 / 0.01).ln(),
            b_x: run.stats.b_x,
            c_x: run.stats.c_x,
            min_mkk: run.stats.min_mkk,
            eta: self.eta,
            delta: self.delta,
            t: self.steps as f64,
        }
    }
}

/// The label-noise runs for every `n` of the practical regime.
pub fn practical_runs(ctx: &Ctx, pp: &PracticalParams) -> Result<Vec<Arc<PracticalRun>>> {
    pp.ns.iter().map(|&n| practical_run(ctx, &pp.spec(n, PracticalDyn::LabelNoise), None)).collect()
}

/// A note stating the power of the practical Monte Carlo checks.
pub fn power_note(pp: &PracticalParams, beta: f64) -> String {
    format!(
        "Practical-regime Monte Carlo: {} chains per n (controls {}), T = {} steps each. Against a bound β = {} this gives N·β = {} (≳ 5 is needed to CONFIRM with zero events); the checks can still fail: a rate a few times 1/N is flagged VIOLATED (see each check's 'detectable rate').",
        pp.chains,
        pp.control_chains,
        pp.steps,
        fmt(beta),
        fmt(pp.chains as f64 * beta)
    )
}

/// A title for the audit of a practical run.
pub fn practical_title(run: &PracticalRun) -> String {
    let s = &run.spec;
    format!(
        "practical regime ({}): Algorithm 1 from v_k[0] ~ Unif[0.01, 1]/d, d = {}, n = {}, r = {}, δ = {}, η = {}, T = {}, ρ = 0.01, ε̃1 = 1200; N(0,1) data conditioned on min M_kk ≥ 1/2 ({} rejected), b_x = {}, C_x = {}",
        s.kind.name(),
        s.d,
        s.n,
        s.r,
        s.delta,
        s.eta,
        s.steps,
        run.rejected,
        fmt(run.stats.b_x),
        fmt(run.stats.c_x)
    )
}

/// The exact layer of a Stage-1 claim: for each `(instance, tag, inequalities)`, audit the derived
/// conditions, evaluate at the three state families, push the checks and the per-family table.
pub fn exact_layer(
    ctx: &Ctx,
    out: &mut Outcome,
    practical: &[Arc<PracticalRun>],
    plans: Vec<(Inst, &str, Vec<Ineq>)>,
) -> Result<()> {
    for (inst, tag, ineqs) in plans {
        out.audits.push(inst.derived_audit());
        let states = all_states(ctx, &inst, practical)?;
        for f in Family::ALL {
            out.measure(
                format!("states [{tag}]: {}", f.name()),
                states.iter().filter(|s| s.family == f).count() as f64,
                format!("in-set states of the {} check data", inst.name),
            );
        }
        let (checks, table) = run_exact(ctx, &inst, tag, &states, &ineqs);
        out.exact.extend(checks);
        out.tables.push(table);
    }
    Ok(())
}
