//! The synthetic processes Lemmas G.3 and G.4 are checked on, shared by both files: two-point and
//! uniform noise, the AR(1) process with drift and freezing, exact enumeration of two-point paths,
//! Monte Carlo event counts, and the printed-bound witness of E-G3a recorded with its repair and
//! the repair's control.

use crate::claim::Ctx;
use crate::engine::rng::{Stream, uniform01};
use crate::evidence::{ExactCheck, Margin, Outcome, Provenance, Role, key};
use crate::numfmt::fmt;
use crate::tol;

/// Mean-zero two-point noise: `+up` with probability `p`, `−down` otherwise, `p·up = (1−p)·down`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TwoPoint {
    pub up: f64,
    pub p: f64,
}

impl TwoPoint {
    /// `±h` with probability ½ each.
    pub fn symmetric(h: f64) -> TwoPoint {
        TwoPoint { up: h, p: 0.5 }
    }
    /// The down-step `p·up/(1−p)`.
    pub fn down(&self) -> f64 {
        self.p * self.up / (1.0 - self.p)
    }
    /// Variance `p(1−p)(up + down)²`.
    pub fn variance(&self) -> f64 {
        let w = self.up + self.down();
        self.p * (1.0 - self.p) * w * w
    }
    /// Range `up + down`.
    pub fn range(&self) -> f64 {
        self.up + self.down()
    }
}

/// Exact probability of `event(A[0..=T])` for `A[t+1] = (1−γ)A[t] + ξ_t`, `ξ_t` i.i.d.
/// [`TwoPoint`], by enumerating the `2^T` paths (`T ≤ 24`).
pub fn exact_two_point_prob(a0: f64, gamma: f64, noise: TwoPoint, t: usize, event: impl Fn(&[f64]) -> bool) -> f64 {
    assert!(t <= 24, "2^T paths");
    let mut total = 0.0;
    let mut path = vec![0.0; t + 1];
    for mask in 0u32..(1u32 << t) {
        path[0] = a0;
        let mut prob = 1.0;
        for s in 0..t {
            let up = mask >> s & 1 == 1;
            let xi = if up { noise.up } else { -noise.down() };
            prob *= if up { noise.p } else { 1.0 - noise.p };
            path[s + 1] = (1.0 - gamma) * path[s] + xi;
        }
        if event(&path) {
            total += prob;
        }
    }
    total
}

/// Noise of a synthetic process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Noise {
    /// `Unif[−h, h]` (range `2h`, variance `h²/3`).
    Uniform { h: f64 },
    /// Two-point, mean zero.
    TwoPoint(TwoPoint),
}

impl Noise {
    /// Conditional range of one increment.
    pub fn range(&self) -> f64 {
        match *self {
            Noise::Uniform { h } => 2.0 * h,
            Noise::TwoPoint(tp) => tp.range(),
        }
    }
    /// Conditional variance of one increment.
    pub fn variance(&self) -> f64 {
        match *self {
            Noise::Uniform { h } => h * h / 3.0,
            Noise::TwoPoint(tp) => tp.variance(),
        }
    }
    fn draw(&self, rng: &mut Stream) -> f64 {
        match *self {
            Noise::Uniform { h } => h * (2.0 * uniform01(rng) - 1.0),
            Noise::TwoPoint(tp) => {
                if uniform01(rng) < tp.p {
                    tp.up
                } else {
                    -tp.down()
                }
            }
        }
    }
}

/// A synthetic process `A[t+1] = (1−γ)A[t] + drift + ξ_t`, which freezes for good with
/// probability `freeze` at each step (the "either frozen" clause of G.3/G.4). With `drift = 0` it
/// meets the hypotheses of G.3-R/G.4-R with equality in the drift and `range = noise.range()`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArProcess {
    pub gamma: f64,
    pub drift: f64,
    pub noise: Noise,
    pub freeze: f64,
}

impl ArProcess {
    /// A contracting AR(1) process with no drift and no freezing.
    pub fn ar(gamma: f64, noise: Noise) -> ArProcess {
        ArProcess { gamma, drift: 0.0, noise, freeze: 0.0 }
    }
    /// One path `A[0..=T]`.
    pub fn path(&self, a0: f64, t: usize, rng: &mut Stream) -> Vec<f64> {
        let mut p = Vec::with_capacity(t + 1);
        p.push(a0);
        let mut frozen = false;
        for s in 0..t {
            let a = p[s];
            if !frozen && self.freeze > 0.0 && uniform01(rng) < self.freeze {
                frozen = true;
            }
            let next = if frozen { a } else { (1.0 - self.gamma) * a + self.drift + self.noise.draw(rng) };
            p.push(next);
        }
        p
    }
    /// The largest drift excess `E[A[t+1]|F_t] − (1−γ)A[t] = (γ − γ_proc)A + drift` over the window
    /// `[lo, hi]` (attained at an end, the excess being affine in `A`).
    pub fn window_drift_excess(&self, gamma: f64, lo: f64, hi: f64) -> f64 {
        [lo, hi].iter().map(|&x| (gamma - self.gamma) * x + self.drift).fold(f64::NEG_INFINITY, f64::max)
    }
    /// A short description.
    pub fn describe(&self) -> String {
        let noise = match self.noise {
            Noise::Uniform { h } => format!("ξ ~ Unif[−{}, {}]", fmt(h), fmt(h)),
            Noise::TwoPoint(tp) if tp.p == 0.5 => format!("ξ = ±{}", tp.up),
            Noise::TwoPoint(tp) => format!("ξ = +{} w.p. {}, −{} otherwise", tp.up, tp.p, fmt(tp.down())),
        };
        let mut s = format!("A[t+1] = (1−{})A[t]", self.gamma);
        if self.drift != 0.0 {
            s.push_str(&format!(" + {}", self.drift));
        }
        s.push_str(&format!(" + ξ_t, {noise}"));
        if self.freeze > 0.0 {
            s.push_str(&format!(", freezes w.p. {} per step", self.freeze));
        }
        s
    }
}

/// `t` steps of `proc` from `a0`.
#[derive(Clone, Copy)]
pub struct Paths<'a> {
    pub proc: &'a ArProcess,
    pub a0: f64,
    pub t: usize,
}

/// Count of `event` over `chains` paths (streams `(claim, purpose, j)`).
pub fn mc_count(
    ctx: &Ctx,
    claim: &str,
    purpose: &str,
    paths: Paths<'_>,
    chains: usize,
    event: impl Fn(&[f64]) -> bool + Sync,
) -> u64 {
    let Paths { proc, a0, t } = paths;
    let hits = ctx.runner.map(purpose, chains, |j| {
        let mut rng = ctx.stream(claim, purpose, j as u64);
        event(&proc.path(a0, t, &mut rng))
    });
    hits.iter().filter(|&&h| h).count() as u64
}
/// One Monte Carlo case of a synthetic process: its check id, the process, the horizon `T` and
/// the start `A[0]`.
pub struct Case {
    pub id: &'static str,
    pub proc: ArProcess,
    pub t: usize,
    pub a0: f64,
}

impl Case {
    /// The case's paths.
    pub fn paths(&self) -> Paths<'_> {
        Paths { proc: &self.proc, a0: self.a0, t: self.t }
    }
}

/// Key tag of the printed check of a [`PrintedAndRepaired`] pair.
pub const PRINTED: &str = "printed";
/// Key tag of the repaired check of a [`PrintedAndRepaired`] pair.
pub const REPAIRED: &str = "repaired";

/// The E-G3a triple of exact checks on the same examples: the printed bound (`a` = the conditional
/// variance, a witness of E-G3a, provenance paper), its repair (`a` = the squared conditional
/// range, provenance derived: the printed formula under the repaired hypothesis) and the repair's
/// control (a deliberately wrong variant of the repaired margin that the same loop must flag),
/// each with the margin `bound − P(event)` recorded by [`Margin::le`] so that an equality decided
/// by rounding is recognised.
pub struct PrintedAndRepaired {
    printed: ExactCheck,
    repaired: ExactCheck,
    control: ExactCheck,
}

impl PrintedAndRepaired {
    /// The three checks, the first two given as `(id, statement)`, keyed `key(base, PRINTED)`,
    /// `key(base, REPAIRED)` and `control_key(key(base, REPAIRED))`; `control` names the control's
    /// deliberate error.
    pub fn new(base: &str, printed: (&str, &str), repaired: (&str, &str), control: &str) -> PrintedAndRepaired {
        let repaired = ExactCheck::new(repaired.0, repaired.1, Role::Repair { erratum: "E-G3a".into() })
            .keyed(key(base, REPAIRED))
            .threshold(Provenance::Derived);
        PrintedAndRepaired {
            printed: ExactCheck::new(printed.0, printed.1, Role::Witness { erratum: "E-G3a".into() })
                .keyed(key(base, PRINTED))
                .threshold(Provenance::Paper),
            control: ExactCheck::control_for(&repaired, control),
            repaired,
        }
    }
    /// Record one example: the margins of the printed bound, of the repaired bound and of the
    /// repair's control, each `P(event) ≤ bound` as a [`Margin::le`] scaled by `scale`.
    pub fn record(&mut self, p: [f64; 3], bounds: [f64; 3], scale: [f64; 3], at: impl Fn() -> String) {
        for (j, chk) in [&mut self.printed, &mut self.repaired, &mut self.control].into_iter().enumerate() {
            chk.record_margin(Margin::le(p[j], bounds[j]).with_scale(scale[j].max(tol::SCALE_FLOOR)), || {
                format!("{}: P = {}, bound = {}", at(), fmt(p[j]), fmt(bounds[j]))
            });
        }
    }
    /// Push the three checks (printed, repaired, control) to `out`.
    pub fn push(self, out: &mut Outcome) {
        out.exact.push(self.printed);
        out.exact.push(self.repaired);
        out.exact.push(self.control);
    }
}
