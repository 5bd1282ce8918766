//! Lemma 3.2 (main text: the ℓ2 norm stays below `b0 = 6τd/ρ`), Section 3.2.
//!
//! > **Lemma 3.2.** In the setting of Theorem 3.1, for some failure probability `ρ > 0`, let
//! > `b0 = 6τd/ρ`. Then, with probability at least `1 − ρ/3`, we have that `‖v[t]‖₂ ≤ b0` for any
//! > `t ≤ T0`.
//! >
//! > *Proof of Lemma 3.2.* Notice that when `‖ṽ[T]‖₁ ≤ b0`, there is `ṽ[T] = v[T]`; Lemma 3.2
//! > naturally follows from Lemma B.2.
//!
//! (SPEC §4.3: "η, T0 as in Lemma B.2"; the text "the norm does not exceed τd" is the `Θ̃` reading,
//! the literal bound is `6τd/ρ = 600τd` at `ρ = 0.01`.)
//!
//! # Formula
//! `{‖ṽ[T0]‖₁ ≤ b0} ⊂ {τ_b0 > T0} ⊂ {‖v[t]‖₁ ≤ b0 ∀ t ≤ T0} ⊂ {‖v[t]‖₂ ≤ b0 ∀ t ≤ T0}` (a stopped
//! chain that ever left the ball stays outside it; `‖v‖₂ ≤ ‖v‖₁`). The same argument at a level `b`
//! gives `P(max_{t ≤ T} ‖v[t]‖₂ > b) ≤ (τd + Tηb b_x²(b² + r))/b`.
//!
//! Checks: the coupling identity on real chains (the engine's stopped chain against the unstopped
//! chain on the same stream: same exit step, same frozen state, and `‖ṽ[T]‖₁ > b ⇔ max_t ‖v[t]‖₁ > b`);
//! Monte Carlo of `P(max_{t ≤ T0} ‖v[t]‖₂ > b0) ≤ ρ/3` at the literal instances L (`ρ = 0.01`) and
//! M (`ρ = 0.3`); and at level `b = (5/4)τd` (bound 0.8) on instance M's chains, the level the
//! matched Gaussian walk reaches within `T0`. Negative control: spherical Gaussian noise of matched
//! per-step variance — "it distinguishes label noise from Gaussian noise, which empirically causes
//! the parameter to blow up" (Section 3.2): the ℓ2 check must flag it.
//!
//! `--chains K` sets the Algorithm-1 chains of every Stage-0 literal run (instances L and M, the variant at b = 2τd
//! and its mean check; the four Stage-0 claims share them): for 3.2, its literal checks at L and M (T and T0) and
//! the ℓ2 variant at M. Controls, the practical regime and the τ sweep keep their plan.

use super::audits::{Conclusion, audit_b2, audit_b2_level, caveats, short_horizon_checks, tightness_note};
use super::chains::{Kind, lit_run_opt, run_l, run_m, run_v, var_purpose};
use super::setting::{ACCEPTS, PLAN, STREAM_CLAIM, inst_l_m};
use crate::claim::{Claim, Ctx, PaperRef};
use crate::engine::dynamics::{Scratch, StepStatus};
use crate::engine::lanes;
use crate::engine::stats::quantile;
use crate::error::Result;
use crate::evidence::{Class, ExactCheck, Margin, McCheck, Outcome, Provenance, Role};
use crate::numfmt::fmt;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "3.2",
    title: "Lemma 3.2 (the ℓ2 norm stays below b0 = 6τd/ρ up to T0)",
    paper: PaperRef { section: "Section 3.2 / Appendix B", equations: "Lemma 3.2 (via (13)–(20))", spec: "§4.3" },
    statement: "with b0 = 6τd/ρ, w.p. ≥ 1 − ρ/3, ‖v[t]‖₂ ≤ b0 for all t ≤ T0",
    module: file!(),
    test: "tests/stage0.rs",
    accepts: ACCEPTS,
    run,
};

/// Key of the coupling identity (engine's stopped chain vs the unstopped re-run).
pub const COUPLING_IDENTITY: &str = "3.2-coupling-identity";
/// Key of `‖v‖₂ ≤ ‖v‖₁` along the re-run chains.
pub const L2_BELOW_L1: &str = "3.2-l2-below-l1";
/// Key base of the lemma at `T0` (`key(EXIT, "L")`).
pub const EXIT: &str = "3.2-exit";
/// Key base of the lemma at the short horizon (`key(EXIT_SHORT, "M")`).
pub const EXIT_SHORT: &str = "3.2-exit-short";
/// Key of the ℓ2 variant at level `b = (5/4)τd`.
pub const VARIANT_EXIT: &str = "3.2-variant-exit";
/// Key of the Gaussian control of [`VARIANT_EXIT`].
pub const VARIANT_EXIT_GAUSS: &str = "3.2-variant-exit-gauss";

/// The lemma at `T0`.
const AT_T0: Conclusion =
    Conclusion { claim: "3.2", event: "P(max_(t≤T0) ‖v[t]‖₂ > b0)", thirds: 1, key_base: EXIT };
/// The lemma at the short horizon.
const AT_SHORT: Conclusion =
    Conclusion { claim: "3.2", event: "P(max_(t≤T) ‖v[t]‖₂ > b0)", thirds: 1, key_base: EXIT_SHORT };

fn run(ctx: &Ctx) -> Result<Outcome> {
    let mut out = Outcome::new();
    let (l, m) = inst_l_m(ctx, &mut out, "instance M (ρ = 0.3) keeps its defaults.")?;
    let l_run = run_l(ctx, &l, Kind::Alg1)?;
    let m_run = run_m(ctx, &m, Kind::Alg1);
    let v_run = run_v(ctx, &l, Kind::Alg1);
    let ctrl_l2 = PLAN.ctrl_l2.at(ctx.budget);
    let g_l2 = lit_run_opt(ctx, &m, Kind::Gauss, ctrl_l2, ctrl_l2, &[], true);

    // Audits: Lemma 3.2 uses Lemma B.2's hypotheses ("η, T0 as in Lemma B.2").
    let a_l = audit_b2("3.2 @ L", &l, l.c.t);
    let a_m = audit_b2("3.2 @ M", &m, m.c.t);
    let b2 = m_run.b_l2;
    let a_b = audit_b2_level("3.2(b) @ M", &m, b2, m.c.t);
    let (r_l, r_m, r_b) = (Class::of(&a_l), Class::of(&a_m), Class::of(&a_b));
    out.audits.extend([a_l, a_m, a_b]);

    // Exact: the coupling identity on real chains (engine's stopped chain vs unstopped re-run).
    let mut ident = ExactCheck::new(
        "coupling identity",
        "engine's b-bounded coupling vs the unstopped chain on the same stream (b = 2τd, instance L): same exit step \
            τ_b, frozen ‖ṽ[t]‖₁ = ‖v[min(t, τ_b)]‖₁ bitwise at every checkpoint, and ‖ṽ[T]‖₁ > b ⇔ max_t ‖v[t]‖₁ > b; \
            margin +1 if all hold, −1 otherwise",
        Role::Primary,
    )
    .keyed(COUPLING_IDENTITY)
    .threshold(Provenance::Derived);
    let mut ident_ctl = ExactCheck::control_for(
        &ident,
        "the re-run of chain j compared with the engine's chain j + 1 (another stream)",
    );
    let mut l2l1 = ExactCheck::new(
        "‖v‖₂ ≤ ‖v‖₁",
        "max_t ‖v[t]‖₁ − max_t ‖v[t]‖₂ ≥ 0 along the re-run chains; scaled by max_t ‖v[t]‖₁",
        Role::Primary,
    )
    .keyed(L2_BELOW_L1)
    .threshold(Provenance::Derived)
    .computed("‖v‖₂ ≤ ‖v‖₁ holds for every vector: shown on the chains, it cannot fail");
    let k_id = PLAN.identity_chains.at(ctx.budget).min(v_run.chains.len());
    let b = v_run.b;
    let tv = v_run.t;
    let dynamics = Kind::Alg1.dynamics(&l);
    type Identity = (bool, bool, f64, f64, String);
    let checks: Vec<Identity> = ctx.runner.map_local("stage0 3.2 identity", k_id, |j| {
        let mut rng = ctx.stream(STREAM_CLAIM, &var_purpose(&l.tag, Kind::Alg1), j as u64);
        let mut v = l.v0();
        let mut sc = Scratch::default();
        let mut exit = None;
        let mut frozen = 0.0;
        let (mut max1, mut max2) = (lanes::sum_abs(v.blocks()), lanes::sum_sq(v.blocks()).sqrt());
        let mut at_cp = Vec::new();
        for t in 1..=tv {
            if dynamics.step(&mut v, &l.p, l.c.eta, &mut rng, &mut sc) == StepStatus::Diverged {
                break;
            }
            let n1 = lanes::sum_abs(v.blocks());
            max1 = max1.max(n1);
            max2 = max2.max(lanes::sum_sq(v.blocks()).sqrt());
            if n1 > b && exit.is_none() {
                exit = Some(t);
                frozen = n1;
            }
            if v_run.checkpoints.contains(&t) {
                at_cp.push(if exit.is_some() { frozen } else { n1 });
            }
        }
        let agrees = |ch: &super::chains::VarChain| {
            let same_exit = ch.exit == exit;
            let same_l1 =
                at_cp.len() == ch.l1.len() && at_cp.iter().zip(&ch.l1).all(|(a, c)| a.to_bits() == c.to_bits());
            let same_event = (ch.exit.is_some()) == (max1 > b);
            same_exit && same_l1 && same_event
        };
        let ch = &v_run.chains[j];
        // The control: the same comparison against the engine's next chain (another stream).
        let other = &v_run.chains[(j + 1) % v_run.chains.len()];
        (agrees(ch), agrees(other), max1, max2, format!("variant chain {j}: exit {:?} vs re-run {:?}", ch.exit, exit))
    });
    for (j, (ok, ok_other, max1, max2, what)) in checks.iter().enumerate() {
        ident.record_holds(*ok, || what.clone());
        ident_ctl.record_holds(*ok_other, || format!("re-run of chain {j} vs engine chain {}", j + 1));
        l2l1.record_margin(Margin::le(*max2, *max1).with_scale(*max1), || what.clone());
    }
    out.exact.push(ident);
    out.exact.push(ident_ctl);
    out.exact.push(l2l1);

    // Monte Carlo: the lemma at the literal instances; at M also at the short horizon with every
    // chain ("η, T0 as in Lemma B.2": any T meeting B.2's η condition).
    // At both instances also at the short horizon T_s = ⌈16/(ηδ)²⌉ with every chain (long and
    // short): the lemma holds for every T meeting B.2's η condition, and by T_s the walk has
    // collapsed ((ηδ)²T_s = 16), so the exits are essentially complete.
    let runs = [(&*m, &*m_run), (&*l, &*l_run)];
    short_horizon_checks(&mut out, &AT_SHORT, runs, |c| c.l2_exit_b0);
    for (inst, run, reg) in [(&*m, &*m_run, r_m), (&*l, &*l_run, r_l)] {
        let (k, n) = run.count(|c| c.l2_exit_b0.is_some() || c.diverged_at.is_some());
        let max2 = run.long_chains().iter().map(|c| c.max_l1).fold(0.0, f64::max);
        let evidence = format!(
            "max over t ≤ T0 = {} of ‖v[t]‖₂ exceeded b0 = {} (largest max_t ‖v[t]‖₁ over chains: {})",
            inst.c.t,
            fmt(inst.c.b0),
            fmt(max2)
        );
        AT_T0.push(&mut out, inst, "", reg, (k, n, run.diverged()), &evidence);
    }

    // Level b = (5/4)τd on instance M's chains, and the Gaussian control.
    let bound = m.c.markov_bound(b2, m.c.t);
    let (k, n) = m_run.count(|c| c.l2_hit.is_some() || c.diverged_at.is_some());
    let id = "3.2(b): P(max_(t≤T) ‖v[t]‖₂ > b) ≤ (τd + Tηb b_x²(b²+r))/b, b = (5/4)τd";
    out.mc.push(
        McCheck::about(
            id,
            &format!(
                "max over t ≤ T = {} of ‖v[t]‖₂ exceeded b = {} (instance M's constants); bound {}",
                m.c.t,
                fmt(b2),
                fmt(bound)
            ),
            r_b.clone(),
            Role::Primary,
        )
        .prob_upper(k, n, bound)
        .threshold(Provenance::Exploratory)
        .with_diverged(m_run.diverged())
        .keyed(VARIANT_EXIT),
    );
    let ng = g_l2.chains.len() as u64;
    let kg = g_l2.chains.iter().filter(|c| c.l2_hit.is_some() || c.diverged_at.is_some()).count() as u64;
    let hits: Vec<f64> = g_l2.chains.iter().filter_map(|c| c.l2_hit.map(|t| t as f64)).collect();
    out.mc.push(
        McCheck::about(
            "control (Gaussian noise): 3.2(b) P(max_t ‖v[t]‖₂ > b) ≤ bound",
            &format!(
                "the same event for SGD with spherical Gaussian noise of matched per-step variance (σ = {}); median \
                hitting step {}",
                fmt(m.matched_sigma()),
                fmt(quantile(&hits, 0.5))
            ),
            r_b,
            Role::Control { variant: "spherical Gaussian noise of matched per-step variance".into() },
        )
        .prob_upper(kg, ng, bound)
        .threshold(Provenance::Exploratory)
        .keyed(VARIANT_EXIT_GAUSS),
    );
    let (k12, n12) = m_run.count_by_short(|c| c.exit_b0.filter(|_| c.l2_exit_b0.is_none_or(|t2| t2 > m_run.t_short())));
    out.measure(
        "M: chains with ‖v‖₁ > b0 but ‖v‖₂ ≤ b0 by T_s",
        k12 as f64,
        format!(
            "of {n12}: the walk reaches 20τd only with its mass on one coordinate, so the ℓ1 and ℓ2 exits nearly \
            coincide"
        ),
    );
    let hits_l: Vec<f64> = m_run.long_chains().iter().filter_map(|c| c.l2_hit.map(|t| t as f64)).collect();
    out.measure(
        "3.2(b) observed rate (label noise)",
        k as f64 / n as f64,
        format!("P(max_t ‖v[t]‖₂ > (5/4)τd) at instance M, N = {n}; bound {}", fmt(bound)),
    );
    out.measure(
        "3.2(b) median hitting step (label noise)",
        quantile(&hits_l, 0.5),
        "among chains that reach the level: early, before the walk collapses",
    );
    out.measure("3.2(b) observed rate (Gaussian control)", kg as f64 / ng as f64, format!("N = {ng}"));
    out.note(
        "The level b = (5/4)τd of the ℓ2 variant and its horizon were chosen after pilot runs (below): its check is \
        exploratory, reported but never counted.",
    );
    out.note(
        "Why b = (5/4)τd for the ℓ2 variant: its bound τd/b is below 1 only for b > τd; the matched Gaussian \
        walk's ℓ2 norm grows like τ·sqrt(d(1 + (ηδ)²t)), so it passes (5/4)τd after ≈ 1.5d/(ηδ)² steps and 2τd after ≈ \
        4d/(ηδ)² (≈ 0.4 T0 at instance M), both within T0; at b = 2τd the label-noise rate (≈ 0.41 in a pilot) is \
        within 0.1 of its bound 1/2 and would need ~500 chains of length T0 to decide, at (5/4)τd (≈ 0.5 vs 0.8) the \
        long chains of instance M decide. At the literal level b0 (= 20τd at ρ = 0.3, 600τd at ρ = 0.01) the matched \
        Gaussian walk needs ≈ (b0/τ)²/(d(ηδ)²) ≫ T0 steps: Lemma 3.2's literal statement cannot tell the two noises \
        apart at these constants.",
    );
    out.note(format!(
        "Matched Gaussian noise: σ = δτ·sqrt(tr M/d) (η²σ² = the label noise's per-coordinate variance at v[0], \
            averaged over k); at instance M σ = {}.",
        fmt(m.matched_sigma())
    ));
    out.notes.extend(caveats(&l, &l_run, None));
    out.note(tightness_note(&m, &m_run, |c| c.l2_exit_b0, "P(max_t ‖v[t]‖₂ > b0)"));
    Ok(out)
}
