//! The exact checks of Lemma B.4 as a keyed table: (B4.1) and (26) on grids, (24)–(25) and the
//! (H2) step per coordinate, (B4.2) and (B4.3) at states in the `b0`-ball, and the `δ = 0`
//! control. The formulas are in [`crate::claims::stage0::lemma_b_4`]'s module doc.

use super::{Site, record};
use crate::claims::stage0::lemma_b_4::{
    CONTRACTION, FACTOR, H2_STEP, PER_COORD, PER_OUTCOME, REMAINDER, SECOND_MOMENT, STEP_SIZE, TAYLOR,
};
use crate::claims::stage0::setting::Instance;
use crate::engine::exact::{OneStep, sqrt1pm1};
use crate::engine::lanes;
use crate::evidence::{ExactCheck, Ineq, Margin, Provenance, Role, State};
use crate::numfmt::fmt;

/// Margin of (B4.1) at `Δ`: `|Δ|³/2 − u³/2 − u⁴/8`, `u = √(1+Δ) − 1`.
pub fn taylor_margin(delta: f64) -> f64 {
    let u = sqrt1pm1(delta);
    let a = delta.abs();
    0.5 * a * a * a - 0.5 * u * u * u - 0.125 * u * u * u * u
}

/// A state in the `b0`-ball with what every inequality at it shares: the one-step laws with and
/// without label noise, `E u(Δ_k)` per coordinate, `Φ(v)`, `Σ_k √v_k (−c − E u(Δ_k))` and the
/// potential the exiting outcomes lose.
pub struct AtState<'a> {
    pub inst: &'a Instance,
    pub st: &'a State,
    pub os: OneStep<'a>,
    pub os0: OneStep<'a>,
    pub eu: Vec<f64>,
    pub phi: f64,
    pub lin: f64,
    pub lost: f64,
    /// `lin` and `lost` without label noise (`δ = 0`, the control of (B4.3)).
    pub lin0: f64,
    pub lost0: f64,
}

impl<'a> AtState<'a> {
    /// The shared quantities at `st`, or `None` outside the `b0`-ball (both sides of (B4.3) are
    /// 0 there, and (B4.2), (24) are stated in the ball).
    pub fn new(inst: &'a Instance, st: &'a State) -> Option<AtState<'a>> {
        let c = &inst.c;
        let v = &st.v;
        if lanes::sum_abs(v.blocks()) > c.b0 {
            return None;
        }
        let cc = c.contraction();
        let os = OneStep::new(&inst.p, v, c.eta, c.delta);
        let os0 = OneStep::new(&inst.p, v, c.eta, 0.0);
        let mut eu = Vec::with_capacity(c.d);
        let mut phi = 0.0;
        let mut lin = 0.0;
        let mut lin0 = 0.0;
        for k in 0..c.d {
            let vk = v.as_slice()[k];
            let e = os.sqrt_factor_minus_one(k);
            eu.push(e);
            phi += vk.sqrt();
            lin += vk.sqrt() * (-cc - e);
            lin0 += vk.sqrt() * (-cc - os0.sqrt_factor_minus_one(k));
        }
        // Outcomes that leave the ball lose their whole potential: E[1{out} Σ_k √v'_k].
        let lost_of = |os: &OneStep<'_>| {
            let mut lost = 0.0;
            for o in 0..os.outcomes() {
                if let Some(w) = os.next_state(o)
                    && lanes::sum_abs(w.blocks()) > c.b0
                {
                    lost += crate::engine::stopped::sum_sqrt_all(&w);
                }
            }
            lost / os.outcomes() as f64
        };
        let lost = lost_of(&os);
        let lost0 = lost_of(&os0);
        Some(AtState { inst, st, os, os0, eu, phi, lin, lost, lin0, lost0 })
    }
}

/// Where an inequality of Lemma B.4 is evaluated.
pub enum Point<'a> {
    /// `Δ` on the grid of (B4.1).
    Delta(f64),
    /// `ξ` on the grid of (26).
    Xi(f64),
    /// Coordinate `k` of an instance, with `M_kk`, `E u(Δ'_k)` and `max |Δ'_k|` over the outcomes
    /// (`Δ' = η s x_k + ηB`: state-independent).
    Coord { inst: &'a Instance, k: usize, mkk: f64, eu: f64, maxabs: f64 },
    /// Coordinate `k` at a state.
    StateCoord { at: &'a AtState<'a>, k: usize },
    /// Coordinate `k` and outcome `o` at a state.
    Outcome { at: &'a AtState<'a>, k: usize, o: usize },
    /// A state.
    State { at: &'a AtState<'a> },
}

/// How a [`Point`] is described: as itself, or (a coordinate) with its `M_kk`.
#[derive(Clone, Copy)]
pub enum Show {
    Point,
    WithMkk,
}

impl Site for Point<'_> {
    type At = Show;
    fn describe(&self, show: Show) -> String {
        match (self, show) {
            (Point::Delta(d), _) => format!("Δ = {d}"),
            (Point::Xi(xi), _) => format!("ξ = {xi}: |g'''| = {}", fmt(remainder_g3(*xi))),
            (Point::Coord { inst, k, mkk, .. }, Show::WithMkk) => {
                format!("[{}] k = {k}, M_kk = {}", inst.tag, fmt(*mkk))
            }
            (Point::Coord { inst, k, .. }, Show::Point) => format!("[{}] k = {k}", inst.tag),
            (Point::StateCoord { at, k }, _) => format!("[{}] {}, k = {k}", at.inst.tag, at.st.label),
            (Point::Outcome { at, k, o }, _) => format!("[{}] {}, k = {k}, outcome {o}", at.inst.tag, at.st.label),
            (Point::State { at }, _) => format!(
                "[{}] {} (outcomes leaving the ball carry {} of E Σ√v')",
                at.inst.tag,
                at.st.label,
                fmt(at.lost)
            ),
        }
    }
}

/// `|g'''(1 + ξ)| = (3/8)(1 + ξ)^(−5/2)`.
fn remainder_g3(xi: f64) -> f64 {
    0.375 * (1.0 + xi).powf(-2.5)
}

/// The margin closure of Lemma B.4's inequalities.
pub type Eval = dyn Fn(&Point<'_>) -> Option<(Margin, Show)> + Send + Sync;

/// `(ηδ)²`, `c = (ηδ)²/32` and `ηB` of an instance.
fn scales(inst: &Instance) -> (f64, f64, f64) {
    let c = &inst.c;
    (c.eta_delta() * c.eta_delta(), c.contraction(), c.eta * c.big_b)
}

/// The exact checks of Lemma B.4, in their printed order: (B4.1), (26) constant, (24), (25), EΔ'²,
/// |Δ'|, (H2) step, (B4.2), (B4.3); each with its control (a deliberately wrong variant evaluated at
/// the same sites, keyed `<key>!control`).
pub fn table() -> Vec<Ineq<Eval>> {
    let shown = |m: Margin| Some((m, Show::Point));
    vec![
        Ineq::<Eval>::new(
            TAYLOR,
            "(B4.1)",
            "1 + Δ/2 − Δ²/8 + |Δ|³/2 − √(1+Δ) = |Δ|³/2 − u³/2 − u⁴/8 ≥ 0 (u = √(1+Δ) − 1) on a grid of \
             Δ ∈ [−1/2, 1/2]; scaled by |Δ|³",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Delta(d) => shown(Margin::scaled(taylor_margin(*d), d.abs().powi(3))),
                _ => None,
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "the remainder constant 1/2 replaced by 1/32, below the true sup 1/16 of the remainder over |Δ|³",
            Box::new(move |p| match p {
                Point::Delta(d) => {
                    shown(Margin::scaled(taylor_margin(*d) - (0.5 - 1.0 / 32.0) * d.abs().powi(3), d.abs().powi(3)))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            REMAINDER,
            "(26) remainder constant",
            "3 − max|g'''(1+ξ)| ≥ 0 and 1/2 − max|g'''|/6 ≥ 0 with g''' = (3/8)(1+ξ)^(−5/2), ξ on a grid of \
             [−1/2, 1/2]; the smaller margin",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Xi(xi) => {
                    let g3 = remainder_g3(*xi);
                    shown(Margin::plain((3.0 - g3).min(0.5 - g3 / 6.0)))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the constant 3 replaced by 2, below max|g‴| = (3/8)·2^(5/2) = 2.12",
            Box::new(move |p| match p {
                Point::Xi(xi) => {
                    let g3 = remainder_g3(*xi);
                    shown(Margin::plain((2.0 - g3).min(0.5 - g3 / 6.0)))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            PER_OUTCOME,
            "(24)",
            "1 + Δ'_k − F_k = η((b0²+r)b_x² + g_k^(i)) ≥ 0 per outcome and k, Δ' = ηs x_k + η(b0²+r)b_x²; \
             scaled by η(b0²+r)b_x²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Outcome { at, k, o } => {
                    let (inst, os) = (at.inst, &at.os);
                    let (i, _) = os.outcome(*o);
                    let g = os.residual(i) * inst.p.data().x(i, *k);
                    let c = &inst.c;
                    shown(Margin::scaled(c.eta * (c.big_b + g), scales(inst).2))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "Δ' without its drift term η(b0²+r)b_x² (Δ' = ηs x_k)",
            Box::new(move |p| match p {
                Point::Outcome { at, k, o } => {
                    let (inst, os) = (at.inst, &at.os);
                    let (i, _) = os.outcome(*o);
                    let g = os.residual(i) * inst.p.data().x(i, *k);
                    shown(Margin::scaled(inst.c.eta * g, scales(inst).2))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            PER_COORD,
            "(25)",
            "1 − (ηδ)²/32 − E√(1+Δ'_k) = −(ηδ)²/32 − E[u(Δ')] ≥ 0 per k; scaled by (ηδ)²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Coord { inst, eu, .. } => {
                    let (ed2, cc, _) = scales(inst);
                    shown(Margin::le(*eu, -cc).with_scale(ed2))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the contraction (ηδ)²/32 replaced by (ηδ)²/4, faster than the noise's ≈ (ηδ)² M_kk/8",
            Box::new(move |p| match p {
                Point::Coord { inst, eu, .. } => {
                    let (ed2, _, _) = scales(inst);
                    shown(Margin::le(*eu, -ed2 / 4.0).with_scale(ed2))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            SECOND_MOMENT,
            "EΔ'² ≥ η²δ²/2",
            "(ηδ)²(M_kk − 1/2) + (η(b0²+r)b_x²)² ≥ 0 per k; scaled by (ηδ)²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Coord { inst, mkk, .. } => {
                    let (ed2, _, eb) = scales(inst);
                    Some((Margin::le(ed2 / 2.0, ed2 * mkk + eb * eb).with_scale(ed2), Show::WithMkk))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the data condition M_kk ≥ 1/2 replaced by M_kk ≥ 1 (EΔ'² ≥ η²δ²)",
            Box::new(move |p| match p {
                Point::Coord { inst, mkk, .. } => {
                    let (ed2, _, eb) = scales(inst);
                    Some((Margin::le(ed2, ed2 * mkk + eb * eb).with_scale(ed2), Show::WithMkk))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            STEP_SIZE,
            "|Δ'| ≤ 1/16",
            "1/16 − max over outcomes of |ηs x_k^(i) + η(b0²+r)b_x²| ≥ 0 per k; scaled by 1/16",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Coord { maxabs, .. } => shown(Margin::le(*maxabs, 1.0 / 16.0).with_scale(1.0 / 16.0)),
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "η quadrupled, outside (H1) (Δ' is linear in η)",
            Box::new(move |p| match p {
                Point::Coord { maxabs, .. } => shown(Margin::le(4.0 * maxabs, 1.0 / 16.0).with_scale(1.0 / 16.0)),
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            H2_STEP,
            "(H2) step",
            "EΔ'²/32 − EΔ'/2 ≥ 0 per k; scaled by (ηδ)²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Coord { inst, mkk, .. } => {
                    let (ed2, _, eb) = scales(inst);
                    let e2 = ed2 * mkk + eb * eb;
                    shown(Margin::le(eb / 2.0, e2 / 32.0).with_scale(ed2))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "δ with ηδ² = 8(b0²+r)b_x², a quarter of (H2)'s 32(b0²+r)b_x²",
            Box::new(move |p| match p {
                Point::Coord { inst, mkk, .. } => {
                    let c = &inst.c;
                    let eb = c.eta * c.big_b;
                    // (ηδ')² = η²·8B/η = 8ηB.
                    let ed2 = 8.0 * eb;
                    let e2 = ed2 * mkk + eb * eb;
                    shown(Margin::le(eb / 2.0, e2 / 32.0).with_scale(ed2))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            FACTOR,
            "(B4.2)",
            "1 − (ηδ)²/32 − E√F_k = −(ηδ)²/32 − E[u(Δ_k)] ≥ 0 per k at states in the b0-ball \
             (Δ_k = η(s − r_i)x_k, the chain's factor); scaled by (ηδ)²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::StateCoord { at, k } => {
                    let (ed2, cc, _) = scales(at.inst);
                    shown(Margin::le(at.eu[*k], -cc).with_scale(ed2))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "δ = 0 (no label noise), contraction (ηδ)²/32 kept",
            Box::new(move |p| match p {
                Point::StateCoord { at, k } => {
                    let (ed2, cc, _) = scales(at.inst);
                    shown(Margin::le(at.os0.sqrt_factor_minus_one(*k), -cc).with_scale(ed2))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            CONTRACTION,
            "(B4.3)",
            "(1 − (ηδ)²/32)Φ(v) − E Φ(v') ≥ 0 at states in the b0-ball (Φ the b0-bounded potential; \
             closed form with the exiting outcomes); scaled by (ηδ)²Φ(v)",
            Role::Primary,
            Box::new(move |p| match p {
                Point::State { at } => {
                    let (ed2, _, _) = scales(at.inst);
                    shown(Margin::scaled(at.lin + at.lost, ed2 * at.phi))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "δ = 0 (no label noise), contraction (ηδ)²/32 kept",
            Box::new(move |p| match p {
                Point::State { at } => {
                    let (ed2, _, _) = scales(at.inst);
                    shown(Margin::scaled(at.lin0 + at.lost0, ed2 * at.phi))
                }
                _ => None,
            }),
        ),
    ]
}

/// Record the table at the grids of (B4.1) and (26).
pub fn taylor_checks(table: &[Ineq<Eval>], ex: &mut [ExactCheck]) {
    let m = 100_000;
    for j in -m..=m {
        if j == 0 {
            continue;
        }
        record(table, ex, &Point::Delta(0.5 * j as f64 / m as f64));
    }
    for e in 1..=16 {
        for sgn in [-1.0, 1.0] {
            record(table, ex, &Point::Delta(sgn * 10f64.powi(-e)));
        }
    }
    for j in 0..=10_000 {
        record(table, ex, &Point::Xi(-0.5 + j as f64 / 10_000.0));
    }
}

/// The state-independent quantities of coordinate `k` at an instance: `M_kk`, `E u(Δ'_k)` and
/// `max |Δ'_k|` over the `2n` outcomes (`Δ' = η s x_k + ηB`), the data of [`Point::Coord`]. The
/// loop [`exact_at`] runs per coordinate, and the adversarial search of `stage0::search` reuses.
pub fn coord_site(inst: &Instance, k: usize) -> (f64, f64, f64) {
    let c = &inst.c;
    let eb = c.eta * c.big_b;
    let n = c.n;
    let mkk = inst.p.m_jk(k, k);
    let mut su = 0.0;
    let mut maxabs = 0.0f64;
    for i in 0..n {
        let x = inst.p.data().x(i, k);
        for s in [-c.delta, c.delta] {
            let dp = c.eta * s * x + eb;
            su += sqrt1pm1(dp);
            maxabs = maxabs.max(dp.abs());
        }
    }
    (mkk, su / (2 * n) as f64, maxabs)
}

/// Record the table at one instance: per coordinate (state-independent), then at every state.
pub fn exact_at(table: &[Ineq<Eval>], inst: &Instance, states: &[State], ex: &mut [ExactCheck]) {
    let c = &inst.c;
    for k in 0..c.d {
        let (mkk, eu, maxabs) = coord_site(inst, k);
        record(table, ex, &Point::Coord { inst, k, mkk, eu, maxabs });
    }
    for st in states {
        let Some(at) = AtState::new(inst, st) else { continue };
        for k in 0..c.d {
            record(table, ex, &Point::StateCoord { at: &at, k });
            for o in 0..at.os.outcomes() {
                record(table, ex, &Point::Outcome { at: &at, k, o });
            }
        }
        record(table, ex, &Point::State { at: &at });
    }
}
