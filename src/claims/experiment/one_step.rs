//! Figure 1's exact layer: one step from states of real trajectories, decoded. The label-noise
//! step *is* `v − η(∇L + ∇ℓ̃^(i) − ∇ℓ^(i))` for one `(i, s)` (and `|s| = δ` for the ±δ variant);
//! the minibatch step *is* `v − η(∇L + δ(∇ℓ^(i) − ∇ℓ^(j)))` for one pair `(i, j)`; `δ = 0` label
//! noise is GD bit for bit. Control: Algorithm 1's step is **not** of the experiment's form.

use crate::claim::Ctx;
use crate::claims::experiment::figure_1::ID;
use crate::claims::experiment::protocol::{Config, Variant};
use crate::claims::experiment::runs::{PROBE_SEEDS, Runs};
use crate::engine::dynamics::{Dynamics, Scratch, StepStatus};
use crate::engine::lanes::PVec;
use crate::engine::model::Problem;
use crate::evidence::{ExactCheck, Margin, Outcome, Provenance, Role};
use crate::numfmt::fmt;
use crate::tol::FIG1_DECODE_REL;

/// Steps decoded per probed state.
const PROBE_STEPS: u64 = 4;

/// Key of the script's label-noise step decoding.
pub const LN_SCRIPT_STEP: &str = "fig1-step-label-noise-script";
/// Key of the ±δ label-noise step decoding.
pub const LN_PAPER_STEP: &str = "fig1-step-label-noise-pm-delta";
/// Key of the minibatch step decoding.
pub const MB_STEP: &str = "fig1-step-minibatch";
/// Key of `δ = 0` label noise = GD.
pub const DELTA0_IS_GD: &str = "fig1-step-delta0-is-gd";
/// Key of the control of [`LN_SCRIPT_STEP`]: Algorithm 1's step decoded as the experiment's
/// (`control_key(LN_SCRIPT_STEP)`).
pub const ALG1_STEP_CONTROL: &str = "fig1-step-label-noise-script!control";

/// Layer 2: exact one-step checks at states of real trajectories (the first [`PROBE_SEEDS`] seeds).
pub(super) fn one_step_checks(ctx: &Ctx, out: &mut Outcome, c: &Config, runs: &Runs) {
    let mut x_ln = ExactCheck::new(
        "one step: label noise (script) = v − η(∇L + ∇ℓ̃_i − ∇ℓ_i)",
        format!(
            "tol·scale − max_k |q_k − s x_k^(i)| ≥ 0 for the decoded (i, s), q = ((v' − v)/v + η M e)/η, \
                tol = {FIG1_DECODE_REL}"
        ),
        Role::Primary,
    )
    .keyed(LN_SCRIPT_STEP)
    .threshold(Provenance::PreStated);
    let mut x_lnp = ExactCheck::new(
        "one step: label noise (±δ) = v − η(∇L + ∇ℓ̃_i − ∇ℓ_i), |s| = δ",
        format!(
            "tol·scale − max(max_k |q_k − s x_k^(i)|, ||s| − δ|·max_k|x_k^(i)|) ≥ 0, tol = \
            {FIG1_DECODE_REL}"
        ),
        Role::Primary,
    )
    .keyed(LN_PAPER_STEP)
    .threshold(Provenance::PreStated);
    // Control: the script's steps (s ~ N(0, δ²)) decoded with the ±δ test, |s| = δ.
    let mut x_lnp_ctl = ExactCheck::control_for(&x_lnp, "the script's s ~ N(0, δ²) steps tested for |s| = δ");
    let mut x_mb = ExactCheck::new(
        "one step: minibatch = v − η(∇L + δ(∇ℓ_i − ∇ℓ_j))",
        format!(
            "tol·scale − max_k |q_k + δ(r_i x_k^(i) − r_j x_k^(j))| ≥ 0 for the decoded pair (i, j), tol = \
                {FIG1_DECODE_REL}"
        ),
        Role::Primary,
    )
    .keyed(MB_STEP)
    .threshold(Provenance::PreStated);
    // Control: the minibatch steps decoded with δ doubled.
    let mut x_mb_ctl = ExactCheck::control_for(&x_mb, "2δ in place of δ in the decoding");
    let mut x_zero = ExactCheck::new(
        "one step: label noise with δ = 0 = GD, bit for bit",
        "−max_k |v'_k(δ = 0) − v'_k(GD)| ≥ 0 (identical bits), one step from each probed state",
        Role::Primary,
    )
    .keyed(DELTA0_IS_GD)
    .threshold(Provenance::PreStated)
    .computed(
        "with δ = 0 the label-noise term η s x^(i) ⊙ v is exactly 0 and the step is GD's by construction of the \
            engine's dynamics (an identity of the code, not of the paper)",
    );
    let mut x_alg1 = ExactCheck::control_for(&x_ln, "Algorithm 1's steps (one-sample gradient, no full gradient)");
    for (s, p) in runs.problems.iter().enumerate().take(PROBE_SEEDS) {
        for v in [Variant::LnScript, Variant::LnPaper, Variant::Minibatch, Variant::Alg1] {
            let vi = runs.index(v);
            for (t, state) in &runs.run_of(s, v).probes {
                let eta = runs.schedules[vi].eta_at(*t);
                for k in 0..PROBE_STEPS {
                    let mut rng = ctx.stream(ID, &format!("probe/{}", v.key()), (s as u64) << 40 | t << 4 | k);
                    let mut next = state.clone();
                    let mut sc = Scratch::default();
                    if runs.dynamics[vi].step(&mut next, p, eta, &mut rng, &mut sc) != StepStatus::Ok
                        || !next.all_finite()
                    {
                        continue;
                    }
                    let (q, res, scale) = deviation_from_gd(p, state, &next, eta);
                    let tol = FIG1_DECODE_REL * scale;
                    let at = |what: String| format!("seed {s}, t = {t}, η = {}, probe {k}: {what}", fmt(eta));
                    match v {
                        Variant::LnScript | Variant::Alg1 => {
                            let (i, sd, err) = decode_label_noise(p, &q);
                            let chk = if v == Variant::Alg1 { &mut x_alg1 } else { &mut x_ln };
                            chk.record_margin(Margin::le(err, tol).with_scale(tol), || {
                                at(format!("decoded i = {i}, s = {}, deviation {}", fmt(sd), fmt(err)))
                            });
                            if v == Variant::LnScript {
                                let xmax = (0..p.d()).fold(0.0f64, |m, kk| m.max(p.data().x(i, kk).abs()));
                                let e2 = err.max((sd.abs() - c.delta).abs() * xmax);
                                x_lnp_ctl.record_margin(Margin::le(e2, tol).with_scale(tol), || {
                                    at(format!("decoded i = {i}, s = {}, deviation {}", fmt(sd), fmt(e2)))
                                });
                            }
                        }
                        Variant::LnPaper => {
                            let (i, sd, err) = decode_label_noise(p, &q);
                            let xmax = (0..p.d()).fold(0.0f64, |m, kk| m.max(p.data().x(i, kk).abs()));
                            let e2 = err.max((sd.abs() - c.delta).abs() * xmax);
                            x_lnp.record_margin(Margin::le(e2, tol).with_scale(tol), || {
                                at(format!("decoded i = {i}, s = {}, deviation {}", fmt(sd), fmt(e2)))
                            });
                        }
                        Variant::Minibatch => {
                            let (i, j, err) = decode_minibatch(p, &q, &res, c.delta);
                            x_mb.record_margin(Margin::le(err, tol).with_scale(tol), || {
                                at(format!("decoded (i, j) = ({i}, {j}), deviation {}", fmt(err)))
                            });
                            let (i, j, err) = decode_minibatch(p, &q, &res, 2.0 * c.delta);
                            x_mb_ctl.record_margin(Margin::le(err, tol).with_scale(tol), || {
                                at(format!("decoded with 2δ: (i, j) = ({i}, {j}), deviation {}", fmt(err)))
                            });
                        }
                        _ => {}
                    }
                    if v == Variant::LnScript {
                        let mut a = state.clone();
                        let mut b = state.clone();
                        let zero = Variant::LnZero.dynamics(c);
                        zero.step(
                            &mut a,
                            p,
                            eta,
                            &mut ctx.stream(ID, "probe/zero", (s as u64) << 40 | t << 4 | k),
                            &mut sc,
                        );
                        Dynamics::Gd.step(
                            &mut b,
                            p,
                            eta,
                            &mut ctx.stream(ID, "probe/gd", (s as u64) << 40 | t << 4 | k),
                            &mut sc,
                        );
                        let diff = a.as_slice().iter().zip(b.as_slice()).fold(0.0f64, |m, (x, y)| {
                            if x.to_bits() == y.to_bits() { m } else { m.max((x - y).abs().max(f64::MIN_POSITIVE)) }
                        });
                        x_zero.record(-diff, || at(format!("max |Δ| = {}", fmt(diff))));
                    }
                }
            }
        }
    }
    out.exact.extend([x_ln, x_alg1, x_lnp, x_lnp_ctl, x_mb, x_mb_ctl, x_zero]);
}

/// `q_k = ((v'_k − v_k)/v_k + η (M e)_k)/η`: the step's deviation from GD in units of `η v_k`
/// (for the label-noise variant `q = s x^(i)`; for minibatch `q = −δ(r_i x^(i) − r_j x^(j))`).
pub(super) fn deviation_from_gd(p: &Problem, v: &PVec, v_next: &PVec, eta: f64) -> (Vec<f64>, Vec<f64>, f64) {
    let res = p.residuals(v);
    let me = p.me_from_residuals(&res);
    let mut q = vec![0.0; p.d()];
    for k in 0..p.d() {
        let (a, b) = (v.as_slice()[k], v_next.as_slice()[k]);
        q[k] = if a != 0.0 { ((b - a) / a + eta * me[k]) / eta } else { 0.0 };
    }
    let scale = 1.0 + q.iter().fold(0.0f64, |m, x| m.max(x.abs())) + me.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    (q, res, scale)
}

/// Decode a label-noise step: the `(i, s)` with `q ≈ s x^(i)` and the max deviation.
pub(super) fn decode_label_noise(p: &Problem, q: &[f64]) -> (usize, f64, f64) {
    let mut best = (0, 0.0, f64::INFINITY);
    for i in 0..p.n() {
        let (mut num, mut den) = (0.0, 0.0);
        for (k, &qk) in q.iter().enumerate() {
            let x = p.data().x(i, k);
            num += qk * x;
            den += x * x;
        }
        let s = if den > 0.0 { num / den } else { 0.0 };
        let err = q.iter().enumerate().fold(0.0f64, |m, (k, &qk)| m.max((qk - s * p.data().x(i, k)).abs()));
        if err < best.2 {
            best = (i, s, err);
        }
    }
    best
}

/// Decode a minibatch step (`bs = 1`): the pair `(i, j)` with `q ≈ −δ(r_i x^(i) − r_j x^(j))`.
pub(super) fn decode_minibatch(p: &Problem, q: &[f64], res: &[f64], delta: f64) -> (usize, usize, f64) {
    let mut best = (0, 0, f64::INFINITY);
    for i in 0..p.n() {
        for j in 0..p.n() {
            let err = q.iter().enumerate().fold(0.0f64, |m, (k, &qk)| {
                m.max((qk + delta * (res[i] * p.data().x(i, k) - res[j] * p.data().x(j, k))).abs())
            });
            if err < best.2 {
                best = (i, j, err);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dynamics::LabelNoise;
    use crate::engine::model::Data;
    use crate::engine::rng::stream;

    fn problem() -> Problem {
        Problem::new(Data::gaussian(6, 12, &mut stream(3, "fig1", "unit", 0)).unwrap(), 2).unwrap()
    }

    /// The decodings recover the engine's draw and reject other forms.
    #[test]
    fn decodings_recover_one_step() {
        let p = problem();
        let v = PVec::from_slice(&(0..12).map(|k| 0.4 + 0.05 * k as f64).collect::<Vec<_>>());
        let eta = 1e-3;
        let mut sc = Scratch::default();
        for (dynamics, mb) in [
            (Dynamics::ExpLabelNoise { delta: 0.7, noise: LabelNoise::Rademacher }, false),
            (Dynamics::ExpMinibatch { delta: 1.0, bs: 1 }, true),
        ] {
            let mut next = v.clone();
            dynamics.step(&mut next, &p, eta, &mut stream(1, "fig1", "unit-step", 0), &mut sc);
            let (q, res, scale) = deviation_from_gd(&p, &v, &next, eta);
            if mb {
                let (_, _, err) = decode_minibatch(&p, &q, &res, 1.0);
                assert!(err < FIG1_DECODE_REL * scale, "{err}");
            } else {
                let (_, s, err) = decode_label_noise(&p, &q);
                assert!(err < FIG1_DECODE_REL * scale, "{err}");
                assert!((s.abs() - 0.7).abs() < 1e-9, "{s}");
            }
        }
        let mut next = v.clone();
        Dynamics::Alg1 { delta: 0.7 }.step(&mut next, &p, eta, &mut stream(1, "fig1", "unit-step", 0), &mut sc);
        let (q, _, scale) = deviation_from_gd(&p, &v, &next, eta);
        assert!(decode_label_noise(&p, &q).2 > FIG1_DECODE_REL * scale);
    }

    /// The Algorithm-1 control is keyed as the control of the script's decoding.
    #[test]
    fn alg1_control_key() {
        assert_eq!(ALG1_STEP_CONTROL, crate::evidence::control_key(LN_SCRIPT_STEP));
    }
}
