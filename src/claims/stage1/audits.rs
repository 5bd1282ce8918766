//! The hypotheses audits of the Stage-1 statements, every condition evaluated at instantiated
//! constants with both sides printed: each lemma as printed and repaired ([`Setting`]), the
//! scalar validator of the chain (84)–(92) of Theorem 3.3's proof ([`T33Literal`]), and the
//! DERIVED conditions of the check data ([`Inst`]).

use super::setting::{Inst, Setting, T33Literal, c7_log, eps_tilde1};
use crate::claims::martingale::lemma_g_3::g3r_exponent;
use crate::evidence::{Audit, Rel};
use crate::numfmt::fmt;

impl Setting {
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
    /// Lemma C.4 (SPEC §5.4(a), RECONSTRUCTED\[l\]).
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

impl T33Literal {
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

impl Inst {
    /// The DERIVED sufficient conditions of every one-step inequality (SPEC §5.2–§5.7), both sides.
    pub fn derived_audit(&self) -> Audit {
        let (c1, b, k1, eta, delta) = (self.c1, self.b(), self.k1(), self.eta, self.delta);
        let p = &self.problem;
        let mut au = Audit::new(
            format!("check data: {}", self.name),
            format!(
                "exact one-step checks: n = {}, d = {}, r = {}, ε̃ = {}, η = {}, δ = {}, b_x = {}, C_x = {}, M_kk ∈ \
                    [{}, {}]",
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
