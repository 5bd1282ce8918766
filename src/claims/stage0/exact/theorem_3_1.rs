//! The exact checks of Theorem 3.1's proof as keyed tables: (32)–(33) printed and repaired per
//! outcome and coordinate (E-T31a), the scalar steps of E-T31b and E-T31c, and the per-chain
//! lower bounds (34)–(35) and the implication to `‖v‖_∞ ≤ ε0`. The formulas are in
//! [`crate::claims::stage0::theorem_3_1`]'s module doc.

use super::{Site, checks, record};
use crate::claims::stage0::chains::{End, LitRun};
use crate::claims::stage0::setting::{Constants, Instance, Spec};
use crate::claims::stage0::theorem_3_1::{
    ETA_HI, ETA_LO, EXP_PRINTED, EXP_REPAIRED, IMPLICATION, LOWER_34, LOWER_35, STEP_32, STEP_32_PRINTED, STEP_33,
    STEP_33_PRINTED, STEP_35_PRINTED, STEP_35_REPAIRED,
};
use crate::engine::exact::OneStep;
use crate::engine::lanes;
use crate::error::Result;
use crate::evidence::{ExactCheck, Ineq, Margin, Provenance, Role, State};
use crate::numfmt::fmt;

/// An outcome `(i, s)` and coordinate `k` at a state in the `b0`-ball: where (32)–(33) are
/// evaluated (`g = r_i x_k^(i)`).
pub struct Factor<'a> {
    pub inst: &'a Instance,
    pub st: &'a State,
    pub i: usize,
    pub s: f64,
    pub k: usize,
    pub x: f64,
    pub g: f64,
}

impl Site for Factor<'_> {
    type At = ();
    fn describe(&self, _: ()) -> String {
        format!(
            "[{}] {}, outcome (i = {}, s = {}), k = {}, x = {}",
            self.inst.tag,
            self.st.label,
            self.i,
            if self.s > 0.0 { "+δ" } else { "−δ" },
            self.k,
            fmt(self.x)
        )
    }
}

/// The margin closure of (32)–(33).
pub type FactorEval = dyn Fn(&Factor<'_>) -> Option<(Margin, ())> + Send + Sync;

/// The exact checks of (32)–(33), printed and repaired, in order: (32) b_x, (33) b_x, (32)
/// printed, (33) printed; every margin is scaled by `ηδ`.
pub fn step_table() -> Vec<Ineq<FactorEval>> {
    let rep = || Role::Repair { erratum: "E-T31a".into() };
    let wit = || Role::Witness { erratum: "E-T31a".into() };
    let scaled = |c: &Constants, m: f64| Some((Margin::scaled(m, c.eta * c.delta), ()));
    vec![
        Ineq::<FactorEval>::new(
            STEP_32,
            "(32) with b_x",
            "F_k − (1 − ηδb_x − η(b0²+r)b_x²) = η(δb_x + s x_k) + η((b0²+r)b_x² − g_k) ≥ 0 per outcome and k \
             (states in the b0-ball); scaled by ηδ",
            rep(),
            Box::new(move |f| {
                let c = &f.inst.c;
                scaled(c, c.eta * (c.delta * c.b_x + f.s * f.x) + c.eta * (c.big_b - f.g))
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "b_x halved in the bound: 1 − ηδb_x/2 − η(b0²+r)b_x²",
            Box::new(move |f| {
                let c = &f.inst.c;
                scaled(c, c.eta * (c.delta * c.b_x / 2.0 + f.s * f.x) + c.eta * (c.big_b - f.g))
            }),
        ),
        Ineq::<FactorEval>::new(
            STEP_33,
            "(33) with b_x",
            "F_k − (1 − 2ηδb_x) = η(δb_x + s x_k) + η(δb_x − g_k) ≥ 0 per outcome and k (needs δ ≥ (b0²+r)b_x); \
             scaled by ηδ",
            rep(),
            Box::new(move |f| {
                let c = &f.inst.c;
                scaled(c, c.eta * (c.delta * c.b_x + f.s * f.x) + c.eta * (c.delta * c.b_x - f.g))
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "b_x replaced by b_x/4 in the bound: 1 − ηδb_x/2 (with b_x/2 it would still hold, since ηδb_x ≥ \
             ηδ max|x| + η max|g|)",
            Box::new(move |f| {
                let c = &f.inst.c;
                scaled(c, c.eta * (c.delta * c.b_x / 4.0 + f.s * f.x) + c.eta * (c.delta * c.b_x / 4.0 - f.g))
            }),
        ),
        Ineq::<FactorEval>::new(
            STEP_32_PRINTED,
            "(32) as printed",
            "F_k − (1 − ηδ − η(b0²+r)) = η(δ + s x_k) + η((b0²+r) − g_k) ≥ 0 per outcome and k; scaled by ηδ",
            wit(),
            Box::new(move |f| {
                let c = &f.inst.c;
                let q = c.b0 * c.b0 + c.r as f64;
                scaled(c, c.eta * (c.delta + f.s * f.x) + c.eta * (q - f.g))
            }),
        )
        .threshold(Provenance::Paper),
        Ineq::<FactorEval>::new(
            STEP_33_PRINTED,
            "(33) as printed",
            "F_k − (1 − 2ηδ) = η(2δ + s x_k) − η g_k ≥ 0 per outcome and k; scaled by ηδ",
            wit(),
            Box::new(move |f| {
                let c = &f.inst.c;
                scaled(c, c.eta * (2.0 * c.delta + f.s * f.x) - c.eta * f.g)
            }),
        )
        .threshold(Provenance::Paper),
    ]
}

/// Record (32)–(33) at every state in the `b0`-ball.
pub fn step_checks(table: &[Ineq<FactorEval>], inst: &Instance, states: &[State], ex: &mut [ExactCheck]) {
    let c = &inst.c;
    for st in states {
        if lanes::sum_abs(st.v.blocks()) > c.b0 {
            continue;
        }
        let os = OneStep::new(&inst.p, &st.v, c.eta, c.delta);
        for o in 0..os.outcomes() {
            let (i, s) = os.outcome(o);
            let r = os.residual(i);
            for k in 0..c.d {
                let x = inst.p.data().x(i, k);
                record(table, ex, &Factor { inst, st, i, s, k, x, g: r * x });
            }
        }
    }
}

/// An instance's constants, with the constants at `η = η_lo` and at `η = η_hi` (same `δ`).
pub struct AtConstants<'a> {
    pub name: &'a str,
    pub c: &'a Constants,
    pub lo: Constants,
    pub hi: Constants,
}

impl AtConstants<'_> {
    /// The constants of `name` at `η = η_lo` and at `η = η_hi` (δ = 1.05 δ_min).
    pub fn new<'a>(name: &'a str, c: &'a Constants) -> Result<AtConstants<'a>> {
        let with_eta = |eta: f64| {
            let mut s = Spec::literal(c.d, c.n, c.r, c.tau, c.rho);
            s.bx_failure = c.bx_failure;
            s.delta = Some(c.delta);
            s.eta = Some(eta);
            Constants::new(&s)
        };
        Ok(AtConstants { name, c, lo: with_eta(c.eta_lo)?, hi: with_eta(c.eta_hi)? })
    }
}

/// Where the scalar inequalities of E-T31b and E-T31c are evaluated.
pub enum Scalar<'a> {
    /// `x` and `T` on the grid.
    Grid { x: f64, t: f64 },
    /// An instance's constants.
    Constants(&'a AtConstants<'a>),
}

/// How a [`Scalar`] point is described.
#[derive(Clone, Copy)]
pub enum ShowScalar {
    /// `x = 2ηδb_x` and `T0`.
    BxStep,
    /// `x = 2ηδb_x` only.
    X,
    /// `2ηδ` and `T0`.
    PrintedStep,
    /// The instance's name.
    Name,
    /// `η` and `T0` at `η_lo` (`false`) or `η_hi` (`true`).
    Eta(bool),
}

impl Site for Scalar<'_> {
    type At = ShowScalar;
    fn describe(&self, show: ShowScalar) -> String {
        match self {
            Scalar::Grid { x, t } => format!("x = {}, T = {t}", fmt(*x)),
            Scalar::Constants(AtConstants { name, c, lo, hi }) => match show {
                ShowScalar::BxStep => {
                    format!("{name}: x = 2ηδb_x = {}, T0 = {}", fmt(2.0 * c.eta_delta() * c.b_x), c.t0)
                }
                ShowScalar::X => format!("{name}: x = {}", fmt(2.0 * c.eta_delta() * c.b_x)),
                ShowScalar::PrintedStep => format!("{name}: 2ηδ = {}, T0 = {}", fmt(2.0 * c.eta_delta()), c.t0),
                ShowScalar::Name => name.to_string(),
                ShowScalar::Eta(high) => {
                    let ce = if high { hi } else { lo };
                    format!(
                        "{name}: η = {}, T0 = {} (32L0/(ηδ)² = {})",
                        fmt(ce.eta),
                        ce.t0,
                        32.0 * ce.l0 / (ce.eta_delta() * ce.eta_delta())
                    )
                }
            },
        }
    }
}

/// The margin closure of the scalar errata checks.
pub type ScalarEval = dyn Fn(&Scalar<'_>) -> Option<(Margin, ShowScalar)> + Send + Sync;

/// `T ln(1 − x) + xT ≥ 0` (printed) or `T ln(1 − x) + xT/(1 − x) ≥ 0` (repaired) at a point: on the
/// grid, and at `x = 2ηδb_x`, `T = T0` of the instances.
fn exp_margin(p: &Scalar<'_>, repaired: bool) -> Option<(Margin, ShowScalar)> {
    let (x, t, show) = match p {
        Scalar::Grid { x, t } => (*x, *t, ShowScalar::Name),
        Scalar::Constants(AtConstants { c, .. }) => {
            (2.0 * c.eta_delta() * c.b_x, c.t0 as f64, if repaired { ShowScalar::X } else { ShowScalar::BxStep })
        }
    };
    let l = (-x).ln_1p();
    let m = if repaired { t * (l + x / (1.0 - x)) } else { t * (l + x) };
    Some((Margin::scaled(m, t * x * x / 2.0), show))
}

/// The control of `(1−x)^T ≥ e^{−xT/(1−x)}`: `T ln(1 − x) + xT(1 − x) ≥ 0` (false for every
/// `x ∈ (0, 1)`).
fn exp_margin_wrong(p: &Scalar<'_>) -> Option<(Margin, ShowScalar)> {
    let (x, t, show) = match p {
        Scalar::Grid { x, t } => (*x, *t, ShowScalar::Name),
        Scalar::Constants(AtConstants { c, .. }) => (2.0 * c.eta_delta() * c.b_x, c.t0 as f64, ShowScalar::X),
    };
    let m = t * ((-x).ln_1p() + x * (1.0 - x));
    Some((Margin::scaled(m, t * x * x / 2.0), show))
}

/// B.2's `η` condition at `η_lo` (`high = false`) or `η_hi`: `ρ/(6 T0 b_x²(b0²+r)) − η`, scaled by
/// `η/T0`.
fn eta_margin(p: &Scalar<'_>, high: bool) -> Option<(Margin, ShowScalar)> {
    let Scalar::Constants(AtConstants { lo, hi, .. }) = p else { return None };
    let ce = if high { hi } else { lo };
    Some((Margin::le(ce.eta, ce.b2_eta_max(ce.t0)).with_scale(ce.eta / ce.t0 as f64), ShowScalar::Eta(high)))
}

/// The E-T31b and E-T31c scalar checks, in order: `(1−x)^T ≥ e^{−xT}` (witness), (34)→(35) printed
/// (witness), `(1−x)^T ≥ e^{−xT/(1−x)}` (repair), (35) repaired (repair), B.2's condition at
/// `η = η_lo` (witness), at `η = η_hi` (repair).
pub fn scalar_table() -> Vec<Ineq<ScalarEval>> {
    let wb = || Role::Witness { erratum: "E-T31b".into() };
    let rb = || Role::Repair { erratum: "E-T31b".into() };
    vec![
        Ineq::<ScalarEval>::new(
            EXP_PRINTED,
            "(1−x)^T ≥ e^{−xT}",
            "T ln(1 − x) + xT ≥ 0 (the step (34)→(35)) on a grid of x ∈ (0, 1/16], T ∈ [1, 1e8] and at \
             x = 2ηδb_x, T = T0 of each instance; scaled by T x²/2",
            wb(),
            Box::new(|p| exp_margin(p, false)),
        )
        .threshold(Provenance::Paper),
        Ineq::<ScalarEval>::new(
            STEP_35_PRINTED,
            "(34)→(35) as printed",
            "T0 ln(1 − 2ηδ) + 64 L0/(ηδ) ≥ 0, i.e. τ(1 − 2ηδ)^{T0} ≥ τ exp(−64 L0/(ηδ)), at each instance; \
             scaled by T0 (2ηδ)²/2",
            wb(),
            Box::new(|p| {
                let Scalar::Constants(AtConstants { c, .. }) = p else { return None };
                let (t0, xp) = (c.t0 as f64, 2.0 * c.eta_delta());
                let m = t0 * (-xp).ln_1p() + 64.0 * c.l0 / c.eta_delta();
                Some((Margin::scaled(m, t0 * xp * xp / 2.0), ShowScalar::PrintedStep))
            }),
        )
        .threshold(Provenance::Paper),
        Ineq::<ScalarEval>::new(
            EXP_REPAIRED,
            "(1−x)^T ≥ e^{−xT/(1−x)}",
            "T ln(1 − x) + xT/(1 − x) ≥ 0 on the same grid and instances; scaled by T x²/2",
            rb(),
            Box::new(|p| exp_margin(p, true)),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "e^(−xT(1−x)): the factor 1 − x moved from the denominator to the numerator",
            Box::new(exp_margin_wrong),
        ),
        Ineq::<ScalarEval>::new(
            STEP_35_REPAIRED,
            "(35) repaired",
            "T0 ln(1 − 2ηδb_x) + (16/15)(64 b_x L0/(ηδ) + 2ηδb_x) ≥ 0 at each instance; scaled by \
             |T0 ln(1 − 2ηδb_x)|",
            rb(),
            Box::new(|p| {
                let Scalar::Constants(AtConstants { c, .. }) = p else { return None };
                let t0 = c.t0 as f64;
                let l = (-(2.0 * c.eta_delta() * c.b_x)).ln_1p();
                let rep = t0 * l + (16.0 / 15.0) * (64.0 * c.b_x * c.l0 / c.eta_delta() + 2.0 * c.eta_delta() * c.b_x);
                Some((Margin::scaled(rep, (t0 * l).abs()), ShowScalar::Name))
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "without the factor 1/(1 − x) ≤ 16/15",
            Box::new(|p| {
                let Scalar::Constants(AtConstants { c, .. }) = p else { return None };
                let t0 = c.t0 as f64;
                let l = (-(2.0 * c.eta_delta() * c.b_x)).ln_1p();
                let wrong = t0 * l + 64.0 * c.b_x * c.l0 / c.eta_delta() + 2.0 * c.eta_delta() * c.b_x;
                Some((Margin::scaled(wrong, (t0 * l).abs()), ShowScalar::Name))
            }),
        ),
        Ineq::<ScalarEval>::new(
            ETA_LO,
            "E-T31c: B.2's η condition at η = η_lo",
            "ρ/(6 T0 b_x²(b0²+r)) − η ≥ 0 at δ = 1.05 δ_min, η = η_lo, T0 = ⌈32 L0/(η²δ²)⌉; scaled by η/T0",
            Role::Witness { erratum: "E-T31c".into() },
            Box::new(|p| eta_margin(p, false)),
        )
        .threshold(Provenance::Paper),
        Ineq::<ScalarEval>::new(
            ETA_HI,
            "E-T31c repaired: η = η_hi",
            "ρ/(6 T0 b_x²(b0²+r)) − η ≥ 0 at δ = 1.05 δ_min, η = η_hi; scaled by η/T0",
            Role::Repair { erratum: "E-T31c".into() },
            Box::new(|p| eta_margin(p, true)),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the run length doubled, T = 2T0 (B.2's η bound halves)",
            Box::new(|p| {
                let Scalar::Constants(AtConstants { hi, .. }) = p else { return None };
                Some((
                    Margin::le(hi.eta, hi.b2_eta_max(2 * hi.t0)).with_scale(hi.eta / hi.t0 as f64),
                    ShowScalar::Eta(true),
                ))
            }),
        ),
    ]
}

/// The scalar errata checks on the grid and at a list of constants.
pub fn scalar_errata(cs: &[(String, Constants)]) -> Result<Vec<ExactCheck>> {
    let table = scalar_table();
    let mut ex = checks(&table);
    let grid_x: Vec<f64> = (0..40).map(|j| (1.0 / 16.0) * 0.7f64.powi(j)).collect();
    for &x in &grid_x {
        for t in [1.0f64, 10.0, 1e3, 1e5, 1e7, 1e8] {
            record(&table, &mut ex, &Scalar::Grid { x, t });
        }
    }
    for (name, c) in cs {
        record(&table, &mut ex, &Scalar::Constants(&AtConstants::new(name, c)?));
    }
    Ok(ex)
}

/// A chain of a literal run that ran to `T` and never left the `b0`-ball.
pub struct ChainEnd<'a> {
    pub inst: &'a Instance,
    pub j: usize,
    pub end: &'a End,
}

/// How a [`ChainEnd`] is described: by `min_k ln v_k[T]` (`false`) or by `‖v[T]‖_∞` (`true`).
impl Site for ChainEnd<'_> {
    type At = bool;
    fn describe(&self, sup: bool) -> String {
        if sup {
            format!("[{}] chain {}: ‖v[T]‖_∞ = {}", self.inst.tag, self.j, fmt(self.end.max_v))
        } else {
            format!("[{}] chain {}: min_k ln v_k[T] = {}", self.inst.tag, self.j, fmt(self.end.min_log_v))
        }
    }
}

/// The margin closure of the per-chain checks.
pub type ChainEval = dyn Fn(&ChainEnd<'_>) -> Option<(Margin, bool)> + Send + Sync;

/// The per-chain checks: (34) repaired, (35) repaired (at `T = T0`) and the implication
/// `‖ṽ[T]‖₁ ≤ b0 ∧ Φ(ṽ[T]) ≤ √ε0 ⇒ ‖v[T]‖_∞ ≤ ε0`.
pub fn chain_table() -> Vec<Ineq<ChainEval>> {
    vec![
        Ineq::<ChainEval>::new(
            LOWER_34,
            "(34) repaired, per chain",
            "min_k ln v_k[T] − (ln τ + T ln(1 − 2ηδb_x)) ≥ 0 on every chain with max_t ‖v[t]‖₁ ≤ b0 (must hold \
             surely); scaled by |bound|",
            Role::Primary,
            Box::new(|p| {
                let lb = p.inst.c.lower_bound_log(p.inst.c.t);
                Some((Margin::le(lb, p.end.min_log_v).with_scale(lb.abs()), false))
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "Lemma B.4's mean contraction (ηδ)²/32 used as the sure per-step factor: ln τ + T ln(1 − (ηδ)²/32)",
            Box::new(|p| {
                let c = &p.inst.c;
                let lb = c.tau.ln() + c.t as f64 * (-c.contraction()).ln_1p();
                Some((Margin::le(lb, p.end.min_log_v).with_scale(lb.abs()), false))
            }),
        ),
        Ineq::<ChainEval>::new(
            LOWER_35,
            "(35) repaired, per chain",
            "min_k ln v_k[T0] − (ln τ − (16/15)(64 b_x L0/(ηδ) + 2ηδb_x)) ≥ 0 on the same chains; scaled by \
             |bound|",
            Role::Primary,
            Box::new(|p| {
                let c = &p.inst.c;
                let lbc = c.lower_bound_closed();
                (c.t == c.t0).then(|| (Margin::le(lbc, p.end.min_log_v).with_scale(lbc.abs()), false))
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "64 b_x L0/(ηδ) replaced by 2 L0, the decay of v that Lemma B.4's mean contraction of √v gives by T0",
            Box::new(|p| {
                let c = &p.inst.c;
                let lbc = c.tau.ln() - 2.0 * c.l0;
                (c.t == c.t0).then(|| (Margin::le(lbc, p.end.min_log_v).with_scale(lbc.abs()), false))
            }),
        ),
        Ineq::<ChainEval>::new(
            IMPLICATION,
            "‖ṽ‖₁ ≤ b0 ∧ Φ(ṽ) ≤ √ε0 ⇒ ‖v‖_∞ ≤ ε0",
            "ε0 − ‖v[T]‖_∞ ≥ 0 on every chain where the proof's two events hold; scaled by ε0",
            Role::Primary,
            Box::new(|p| {
                let c = &p.inst.c;
                (p.end.phi_stopped <= c.eps0.sqrt()).then(|| (Margin::scaled(c.eps0 - p.end.max_v, c.eps0), true))
            }),
        )
        .threshold(Provenance::Derived)
        .computed("Σ_k √v_k ≤ √ε0 implies √v_k ≤ √ε0, i.e. v_k ≤ ε0, for every positive vector: it cannot fail"),
    ]
}

/// Record the per-chain checks at the long chains of a run that never left the `b0`-ball.
pub fn chain_checks(table: &[Ineq<ChainEval>], inst: &Instance, run: &LitRun, ex: &mut [ExactCheck]) {
    for (j, ch) in run.long_chains().iter().enumerate() {
        let Some(end) = &ch.end else { continue };
        if ch.exit_b0.is_none() {
            record(table, ex, &ChainEnd { inst, j, end });
        }
    }
}
