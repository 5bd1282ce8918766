//! The exact checks of Lemma B.2 as a keyed table: (B2.1) and its gradient bound per coordinate,
//! (16)–(17), (B2.2) and positivity per state (frozen states outside the `b0`-ball count for
//! (B2.2) only). The formulas are in [`crate::claims::stage0::lemma_b_2`]'s module doc.

use super::{Site, record};
use crate::claims::stage0::lemma_b_2::{DRIFT_COORD, DRIFT_L1, ERROR_BOUND, GRADIENT_BOUND, POSITIVITY};
use crate::claims::stage0::setting::Instance;
use crate::engine::exact::OneStep;
use crate::engine::lanes;
use crate::evidence::{ExactCheck, Ineq, Margin, Provenance, Role, State};
use crate::numfmt::fmt;

/// A state in the `b0`-ball with what the inequalities at it share: the one-step law,
/// `‖e(v)‖₁`, `(Me)_k` per coordinate, `Σ_k v_k (Me)_k` and `min F_k`.
pub struct AtState<'a> {
    pub inst: &'a Instance,
    pub st: &'a State,
    pub e1: f64,
    pub me: Vec<f64>,
    pub sum_vme: f64,
    pub min_f: f64,
}

impl<'a> AtState<'a> {
    /// The shared quantities at a state in the `b0`-ball.
    pub fn new(inst: &'a Instance, st: &'a State) -> AtState<'a> {
        let c = &inst.c;
        let v = &st.v;
        let os = OneStep::new(&inst.p, v, c.eta, c.delta);
        let e1 = lanes::sq_dist_l1(v.blocks(), inst.p.w_star().blocks());
        let mut me = Vec::with_capacity(c.d);
        let mut sum_vme = 0.0;
        let mut min_f = f64::INFINITY;
        for k in 0..c.d {
            let m = os.me(k);
            sum_vme += v.as_slice()[k] * m;
            me.push(m);
            min_f = min_f.min(os.min_factor(k));
        }
        AtState { inst, st, e1, me, sum_vme, min_f }
    }
}

/// Where an inequality of Lemma B.2 is evaluated.
pub enum Point<'a> {
    /// A state outside the `b0`-ball: the coupling is frozen there.
    Frozen { inst: &'a Instance, st: &'a State },
    /// Coordinate `k` at a state in the ball.
    Coord { at: &'a AtState<'a>, k: usize },
    /// A state in the ball.
    State { at: &'a AtState<'a> },
}

/// How a [`Point`] is described: as itself, or (a state) with its `‖e‖₁`.
#[derive(Clone, Copy)]
pub enum Show {
    Point,
    WithError,
}

impl Site for Point<'_> {
    type At = Show;
    fn describe(&self, show: Show) -> String {
        match (self, show) {
            (Point::Frozen { inst, st }, _) => format!("[{}] {} (frozen, outside the ball)", inst.tag, st.label),
            (Point::Coord { at, k }, _) => format!("[{}] {}, k = {k}", at.inst.tag, at.st.label),
            (Point::State { at }, Show::WithError) => {
                format!("[{}] {} (‖e‖₁ = {})", at.inst.tag, at.st.label, fmt(at.e1))
            }
            (Point::State { at }, Show::Point) => format!("[{}] {}", at.inst.tag, at.st.label),
        }
    }
}

/// The margin closure of Lemma B.2's inequalities.
pub type Eval = dyn Fn(&Point<'_>) -> Option<(Margin, Show)> + Send + Sync;

/// The exact checks of Lemma B.2, in their printed order: (B2.1), its gradient bound, (16)–(17),
/// (B2.2) and positivity.
pub fn table() -> Vec<Ineq<Eval>> {
    let shown = |m: Margin| Some((m, Show::Point));
    vec![
        Ineq::<Eval>::new(
            DRIFT_COORD,
            "(B2.1)",
            "v_k(1 + η(b0²+r)b_x²) − E[v'_k|v] = η v_k((b0²+r)b_x² + (Me)_k) ≥ 0 per coordinate (closed form); \
             scaled by η v_k (b0²+r) b_x²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Coord { at, k } => {
                    let (c, vk, me) = (&at.inst.c, at.st.v.as_slice()[*k], at.me[*k]);
                    shown(Margin::scaled(c.eta * vk * (c.big_b + me), c.eta * vk * c.big_b))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the drift bound η(b0²+r)b_x² dropped: E[v'_k|v] ≤ v_k",
            Box::new(move |p| match p {
                Point::Coord { at, k } => {
                    let (c, vk, me) = (&at.inst.c, at.st.v.as_slice()[*k], at.me[*k]);
                    shown(Margin::scaled(c.eta * vk * me, c.eta * vk * c.big_b))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            GRADIENT_BOUND,
            "(B2.1) |(Me)_k| ≤ ‖e‖₁ b_x²",
            "‖e(v)‖₁ b_x² − |(Me)_k| ≥ 0 per coordinate; scaled by ‖e‖₁ b_x²",
            Role::Primary,
            Box::new(move |p| match p {
                Point::Coord { at, k } => {
                    let c = &at.inst.c;
                    let bx2 = c.b_x * c.b_x;
                    shown(Margin::le(at.me[*k].abs(), at.e1 * bx2).with_scale(at.e1 * bx2))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the data bound b_x² dropped (|x| ≤ 1 assumed): |(Me)_k| ≤ ‖e‖₁",
            Box::new(move |p| match p {
                Point::Coord { at, k } => {
                    let c = &at.inst.c;
                    let bx2 = c.b_x * c.b_x;
                    shown(Margin::le(at.me[*k].abs(), at.e1).with_scale(at.e1 * bx2))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            ERROR_BOUND,
            "(16)–(17)",
            "(b0² + r) − ‖v⊙v − v*⊙v*‖₁ ≥ 0 in the b0-ball; scaled by b0² + r",
            Role::Primary,
            Box::new(move |p| match p {
                Point::State { at } => {
                    let c = &at.inst.c;
                    let q = c.b0 * c.b0 + c.r as f64;
                    Some((Margin::le(at.e1, q).with_scale(q), Show::WithError))
                }
                _ => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "b0 + r as in the OCR of (32) (the square of b0 dropped)",
            Box::new(move |p| match p {
                Point::State { at } => {
                    let c = &at.inst.c;
                    let q = c.b0 * c.b0 + c.r as f64;
                    Some((Margin::le(at.e1, c.b0 + c.r as f64).with_scale(q), Show::WithError))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            DRIFT_L1,
            "(B2.2)",
            "‖v‖₁ + η b0 (b0²+r) b_x² − E‖v'‖₁ = η(b0 (b0²+r) b_x² + Σ_k v_k (Me)_k) ≥ 0 (closed form; frozen \
             states: η b0 B); scaled by η b0 (b0²+r) b_x²",
            Role::Primary,
            Box::new(move |p| match p {
                // Frozen state: E‖ṽ'‖₁ = ‖ṽ‖₁, the margin of (B2.2) is η b0 B.
                Point::Frozen { inst, .. } => {
                    let c = &inst.c;
                    shown(Margin::scaled(c.eta * c.b0 * c.big_b, c.eta * c.b0 * c.big_b))
                }
                Point::State { at } => {
                    let c = &at.inst.c;
                    shown(Margin::scaled(c.eta * (c.b0 * c.big_b + at.sum_vme), c.eta * c.b0 * c.big_b))
                }
                Point::Coord { .. } => None,
            }),
        )
        .threshold(Provenance::Paper)
        .with_control(
            "the drift bound η b0 (b0²+r) b_x² dropped: E‖v'‖₁ ≤ ‖v‖₁ (states in the ball)",
            Box::new(move |p| match p {
                Point::State { at } => {
                    let c = &at.inst.c;
                    shown(Margin::scaled(c.eta * at.sum_vme, c.eta * c.b0 * c.big_b))
                }
                _ => None,
            }),
        ),
        Ineq::<Eval>::new(
            POSITIVITY,
            "positivity",
            "min over the 2n outcomes and k of F_k = 1 + η(s − r_i)x_k^(i) > 0 (so ṽ stays positive)",
            Role::Primary,
            Box::new(move |p| match p {
                Point::State { at } => shown(Margin::plain(at.min_f)),
                _ => None,
            }),
        )
        .threshold(Provenance::Derived)
        .with_control(
            "η = 2/(δ b_x), outside the positivity hypothesis η(δ b_x + (b0²+r) b_x²) < 1",
            Box::new(move |p| match p {
                // Δ_k = η(s − r_i)x_k is linear in η: min F at η' is 1 + (η'/η)(min F − 1).
                Point::State { at } => {
                    let c = &at.inst.c;
                    let ratio = 2.0 / (c.delta * c.b_x) / c.eta;
                    shown(Margin::plain(1.0 + ratio * (at.min_f - 1.0)))
                }
                _ => None,
            }),
        ),
    ]
}

/// Record the table at every state of `states`.
pub fn exact_checks(table: &[Ineq<Eval>], inst: &Instance, states: &[State], ex: &mut [ExactCheck]) {
    for st in states {
        if lanes::sum_abs(st.v.blocks()) > inst.c.b0 {
            record(table, ex, &Point::Frozen { inst, st });
            continue;
        }
        let at = AtState::new(inst, st);
        for k in 0..inst.c.d {
            record(table, ex, &Point::Coord { at: &at, k });
        }
        record(table, ex, &Point::State { at: &at });
    }
}
