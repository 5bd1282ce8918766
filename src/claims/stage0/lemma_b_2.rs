//! Lemma B.2 (the ℓ1 norm of the `b0`-bounded coupling stays bounded), eqs. (13)–(20), with
//! Definition B.1.
//!
//! > **Definition B.1** (b-bounded coupling). Let `v[0], …, v[T]` be a trajectory of label noise
//! > gradient descent. We call the following random sequence `ṽ[t]` a b-bounded coupling of `v[t]`:
//! > starting from `ṽ[0] = v[0]`, for each time `t < T`, if `‖ṽ[t]‖₁ ≤ b`, we let `ṽ[t+1] = v[t+1]`;
//! > otherwise we don't update, i.e. `ṽ[t+1] = ṽ[t]`.
//! >
//! > **Lemma B.2.** In the setting of Theorem 3.1, assume `‖x^(i)‖_∞ ≤ b_x` for any `i ∈ [n]`. Let
//! > `η ≤ ρ / (6 T b_x² (b0² + r))`, where `b0 = 6τd/ρ`. Let `ṽ[t]` be the `b0`-bounded coupling of
//! > `v[t]`. If `ṽ[t]` is always positive on each dimension, then with probability at least
//! > `1 − ρ/3`, there is `‖ṽ[T]‖₁ ≤ b0` (13).
//! >
//! > *Proof.* (14) `v[t+1] = v[t] − η(⟨v[t]⊙² − v*⊙², x^(i_t)⟩) x^(i_t) ⊙ v[t] − η s_t x^(i_t) ⊙ v[t]`;
//! > when `‖ṽ[t]‖₁ ≤ b0`: (15)–(17) `E ṽ_k[t+1] = ṽ_k[t] − η E[⟨ṽ⊙² − v*⊙², x⟩ x_k ṽ_k]
//! > ≤ ṽ_k + η(‖ṽ⊙²‖₁ + ‖v*⊙²‖₁) b_x² ṽ_k ≤ ṽ_k + η(b0² + r) b_x² ṽ_k`; summing,
//! > `E‖ṽ[t+1]‖₁ ≤ ‖ṽ[t]‖₁ + η b0 b_x² (b0² + r)` (also true when `‖ṽ[t]‖₁ > b0`). (18)–(20)
//! > Markov: `P(‖ṽ[T]‖₁ > b0) ≤ E‖ṽ[T]‖₁ / b0 ≤ (τd + Tη b0 b_x²(b0² + r)) / b0 ≤ ρ/3`.
//!
//! (RECONSTRUCTED\[h\], SPEC §4.2: the OCR's "η ≤ 6Tb2P2+7)" is `ρ/(6Tb_x²(b0²+r))`, `b0 = 6τd/ρ`, and
//! the probability is `1 − ρ/3`; the OCR's "by assumption of n" means `η`.)
//!
//! # Formula
//! Exact one-step forms (SPEC §0.4), for positive `v` with `‖v‖₁ ≤ b0`, `B = (b0² + r) b_x²`:
//! * (B2.1) margin `v_k(1 + ηB) − E[v'_k | v] = η v_k (B + (Me)_k)`, scaled by `η v_k B`;
//! * `|(Me)_k| ≤ max_i |g_k^(i)| ≤ ‖e‖₁ b_x²` and `‖e‖₁ ≤ ‖v‖₂² + r ≤ b0² + r` (16)–(17);
//! * (B2.2) margin `‖v‖₁ + η b0 B − E‖v'‖₁ = η (b0 B + Σ_k v_k (Me)_k)`, scaled by `η b0 B`;
//! * positivity: `min_{(i,s),k} F_k > 0`.
//!
//! Monte Carlo: at two literal instances (L: the paper's `ρ = 0.01`; M: `ρ = 0.3`, the lemma being
//! stated for every `ρ`) the count of `‖ṽ[T0]‖₁ > b0` against `ρ/3`; and the non-vacuous variant of
//! SPEC §4.2(d): the same proof at level `b = 2τd` gives `P(‖ṽ_b[T]‖₁ > b) ≤ (τd + Tηb b_x²(b²+r))/b
//! ≈ 1/2`, nearly attained because `‖ṽ‖₁` is numerically a positive martingale (Doob); its level
//! and horizon were picked from pilot runs, so that check is exploratory (reported, not counted).
//! Its Markov step is checked directly: `E‖ṽ_b[t]‖₁ = τd` at `t = T/10` (the bound (B2.3) is
//! attained up to `~1e−11`), an equivalence test at the pre-stated margin 2% of `τd`.
//! Negative control: spherical Gaussian noise of matched per-step variance
//! (`Dynamics::SgdGauss`, `η²σ² = η²δ²τ² tr(M)/d`, the label noise's per-coordinate variance at
//! `v[0]`): the norm is not bounded and the same checks must flag it.
//!
//! `--chains K` sets the Algorithm-1 chains of every Stage-0 literal run (instances L and M, the variant at b = 2τd
//! and its mean check; the four Stage-0 claims share them): for B.2, its literal checks at L and M (T and T0), the
//! variant at b = 2τd and its mean check. Controls, the practical regime and the τ sweep keep their plan.

use super::audits::{Conclusion, audit_b2, audit_b2_level, caveats, short_horizon_checks, tightness_note};
use super::chains::{Kind, run_l, run_m, run_v, run_v_mean};
use super::exact::checks;
use super::exact::lemma_b_2::{exact_checks, table};
use super::setting::{ACCEPTS, inst_l_m};
use super::states::all_states;
use crate::claim::{Claim, Ctx, PaperRef};
use crate::error::Result;
use crate::evidence::{Class, McCheck, Outcome, Role, Table};
use crate::evidence::{Equivalence, Provenance};
use crate::numfmt::fmt;
use crate::tol;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "B.2",
    title: "Lemma B.2 (the ℓ1 norm of the b0-bounded coupling stays bounded), with Definition B.1",
    paper: PaperRef { section: "Appendix B", equations: "(13)–(20)", spec: "§4.1–4.2" },
    statement: "if |x| ≤ b_x, η ≤ ρ/(6T b_x²(b0²+r)) with b0 = 6τd/ρ, and ṽ stays positive, then P(‖ṽ[T]‖₁ > b0) ≤ ρ/3",
    module: file!(),
    test: "tests/stage0.rs",
    accepts: ACCEPTS,
    run,
};

/// Key of (B2.1), per coordinate.
pub const DRIFT_COORD: &str = "B2.1-drift";
/// Key of `|(Me)_k| ≤ ‖e‖₁ b_x²`.
pub const GRADIENT_BOUND: &str = "B2.1-gradient-bound";
/// Key of (16)–(17), `‖e‖₁ ≤ b0² + r` in the ball.
pub const ERROR_BOUND: &str = "B2-16-17";
/// Key of (B2.2), the drift of `‖v‖₁`.
pub const DRIFT_L1: &str = "B2.2-drift";
/// Key of the positivity of every factor.
pub const POSITIVITY: &str = "B2-positivity";
/// Key of the variant's `P(‖ṽ_b[T]‖₁ > b) ≤ bound` at `b = 2τd`.
pub const VARIANT_EXIT: &str = "B2-variant-exit";
/// Key of the variant's `E‖ṽ_b[T]‖₁ = τd`.
pub const VARIANT_MEAN: &str = "B2-variant-mean";
/// Key of the Gaussian control of [`VARIANT_EXIT`].
pub const VARIANT_EXIT_GAUSS: &str = "B2-variant-exit-gauss";
/// Key of the Gaussian control of [`VARIANT_MEAN`].
pub const VARIANT_MEAN_GAUSS: &str = "B2-variant-mean-gauss";
/// Key base of the lemma at `T0` (`key(EXIT, "L")`).
pub const EXIT: &str = "B2-exit";
/// Key base of the lemma at the short horizon (`key(EXIT_SHORT, "M")`).
pub const EXIT_SHORT: &str = "B2-exit-short";

/// The lemma at `T0`.
const AT_T0: Conclusion = Conclusion { claim: "B.2", event: "P(‖ṽ[T0]‖₁ > b0)", thirds: 1, key_base: EXIT };
/// The lemma at the short horizon.
const AT_SHORT: Conclusion =
    Conclusion { claim: "B.2", event: "P(‖ṽ[T]‖₁ > b0)", thirds: 1, key_base: EXIT_SHORT };

fn run(ctx: &Ctx) -> Result<Outcome> {
    let mut out = Outcome::new();
    let keeps = "instance M (ρ = 0.3) and the variant at b = 2τd keep their defaults (the variant uses L's \
        constants).";
    let (l, m) = inst_l_m(ctx, &mut out, keeps)?;

    // Runs (shared with the other Stage-0 claims of this process).
    let l_run = run_l(ctx, &l, Kind::Alg1)?;
    let m_run = run_m(ctx, &m, Kind::Alg1);
    let v_run = run_v(ctx, &l, Kind::Alg1);
    let v_gauss = run_v(ctx, &l, Kind::Gauss);

    // Layer 1: audits.
    let a_l = audit_b2("B.2 @ L", &l, l.c.t);
    let a_m = audit_b2("B.2 @ M", &m, m.c.t);
    let b = v_run.b;
    let a_v = audit_b2_level("B.2(b) @ L", &l, b, v_run.t);
    let (r_l, r_m, r_v) = (Class::of(&a_l), Class::of(&a_m), Class::of(&a_v));
    out.audits.extend([a_l, a_m, a_v]);

    // Layer 2: exact one-step checks at trajectory, random and adversarial states.
    let table = table();
    let mut ex = checks(&table);
    for (inst, run, var) in [(&*l, &*l_run, Some(&*v_run)), (&*m, &*m_run, None)] {
        let states = all_states(ctx, inst, run, var);
        exact_checks(&table, inst, &states, &mut ex);
    }
    out.exact.extend(ex);

    // Layer 3: Monte Carlo. The non-vacuous variant first.
    let tv = v_run.t;
    let bound_v = l.c.markov_bound(b, tv);
    let nv = v_run.chains.len() as u64;
    let kv = v_run.chains.iter().filter(|c| c.exit.is_some() || c.diverged_at.is_some()).count() as u64;
    let id_v = "B.2(b): P(‖ṽ_b[T]‖₁ > b) ≤ (τd + Tηb b_x²(b²+r))/b, b = 2τd";
    let ev_v = format!(
        "the b-bounded coupling (engine's stopped chain) at b = 2τd = {} left the ball by T = {tv}; constants of \
            instance L (ηδ = {}); bound {}",
        fmt(b),
        fmt(l.c.eta_delta()),
        fmt(bound_v)
    );
    // The level b = 2τd and the horizon T were picked from pilot runs so that the bound ≈ 1/2 is
    // nearly attained: the check is exploratory (reported, never counted).
    out.mc.push(
        McCheck::about(id_v, &ev_v, r_v.clone(), Role::Primary)
            .prob_upper(kv, nv, bound_v)
            .threshold(Provenance::Exploratory)
            .keyed(VARIANT_EXIT),
    );
    let ng = v_gauss.chains.len() as u64;
    let kg = v_gauss.chains.iter().filter(|c| c.exit.is_some() || c.diverged_at.is_some()).count() as u64;
    out.mc.push(
        McCheck::about(
            "control (Gaussian noise): B.2(b) P(‖ṽ_b[T]‖₁ > b) ≤ bound",
            &format!(
                "the same event for SGD with spherical Gaussian noise ησξ, σ = {} (matched per-step variance at v[0])",
                fmt(l.matched_sigma())
            ),
            r_v.clone(),
            Role::Control { variant: "spherical Gaussian noise of matched per-step variance".into() },
        )
        .prob_upper(kg, ng, bound_v)
        .threshold(Provenance::Exploratory)
        .with_diverged(v_gauss.chains.iter().filter(|c| c.diverged_at.is_some()).count() as u64)
        .keyed(VARIANT_EXIT_GAUSS),
    );
    // The Markov step (B2.3) is attained: E‖ṽ_b[t]‖₁ = τd (the stopped ℓ1 norm is numerically a
    // martingale), at t = T/10 where the 2% margin can be confirmed.
    let vm = run_v_mean(ctx, &l, Kind::Alg1);
    let vm_gauss = run_v_mean(ctx, &l, Kind::Gauss);
    let tm = vm.t;
    let tau_d = l.c.tau * l.c.d as f64;
    let l1s: Vec<f64> = vm.chains.iter().map(|c| c.l1[0]).collect();
    let (_, var) = crate::engine::stats::mean_var(&l1s);
    let margin_why = "exact law of a mean (the stopped ℓ1 norm is a martingale up to the gradient drift, relative \
        size ~1e-11 here): the project's pre-stated margin, 2% of the target (tol::EXACT_LAW_MEAN_REL_MARGIN), fixed \
        before any run";
    out.mc.push(
        McCheck::about(
            "B.2(b): E‖ṽ_b[t]‖₁ = τd (the Markov step (B2.3) is attained), t = T/10",
            &format!(
                "mean of ‖ṽ_b[t]‖₁ at t = {tm} ((ηδ)²t = {}; sample sd {} = {}·τd) over {} chains; (B2.3) bounds it \
                    by τd + tηb b_x²(b²+r) = {} + {}: the stopped ℓ1 norm is numerically a martingale, so the bound \
                    is an equality and no sample can confirm it as '≤' — this checks the equality",
                fmt(tm as f64 * l.c.eta_delta() * l.c.eta_delta()),
                fmt(var.sqrt()),
                fmt(var.sqrt() / tau_d),
                l1s.len(),
                fmt(tau_d),
                fmt(l.c.mean_l1_bound(b, tm) - tau_d),
            ),
            r_v.clone(),
            Role::Primary,
        )
        .mean_equals(&l1s, tau_d, Equivalence::relative(tol::EXACT_LAW_MEAN_REL_MARGIN, tau_d, margin_why))
        .keyed(VARIANT_MEAN),
    );
    let l1g: Vec<f64> = vm_gauss.chains.iter().map(|c| c.l1[0]).collect();
    out.mc.push(
        McCheck::about(
            "control (Gaussian noise): E‖ṽ_b[t]‖₁ = τd, t = T/10",
            "the same mean for the matched spherical Gaussian noise (|v_k| is a submartingale: the mean grows)",
            r_v.clone(),
            Role::Control { variant: "spherical Gaussian noise of matched per-step variance".into() },
        )
        .mean_equals(&l1g, tau_d, Equivalence::relative(tol::EXACT_LAW_MEAN_REL_MARGIN, tau_d, margin_why))
        .keyed(VARIANT_MEAN_GAUSS),
    );

    // The lemma itself at the two literal instances.
    // At both instances also at the short horizon T_s = ⌈16/(ηδ)²⌉ with every chain (long and
    // short): the lemma holds for every T meeting B.2's η condition, and by T_s the walk has
    // collapsed ((ηδ)²T_s = 16), so the exits are essentially complete.
    let runs = [(&*m, &*m_run), (&*l, &*l_run)];
    short_horizon_checks(&mut out, &AT_SHORT, runs, |c| c.exit_b0);
    for (inst, run, reg) in [(&*m, &*m_run, r_m), (&*l, &*l_run, r_l)] {
        let (k, n) = run.count(|c| c.exit_b0.is_some() || c.diverged_at.is_some());
        let evidence = format!(
            "the b0-bounded coupling (b0 = {}) left the ball by T = T0 = {} (max over chains of max_t ‖v[t]‖₁ = {})",
            fmt(inst.c.b0),
            inst.c.t,
            fmt(run.long_chains().iter().map(|c| c.max_l1).fold(0.0, f64::max))
        );
        AT_T0.push(&mut out, inst, "", reg, (k, n, run.diverged()), &evidence);
    }

    // The variant's observed rate against its bound over time.
    let mut rows = Vec::new();
    for &t in &v_run.checkpoints {
        let k = v_run.chains.iter().filter(|c| c.exit.is_some_and(|e| e <= t)).count() as u64;
        let kg = v_gauss.chains.iter().filter(|c| c.exit.is_some_and(|e| e <= t)).count() as u64;
        let (lo, hi) = crate::engine::stats::clopper_pearson(k, nv, 0.01);
        rows.push(vec![
            t.to_string(),
            format!("{}/{nv} = {}", k, fmt(k as f64 / nv as f64)),
            format!("[{}, {}]", fmt(lo), fmt(hi)),
            fmt(l.c.markov_bound(b, t)),
            fmt(kg as f64 / ng as f64),
        ]);
    }
    out.tables.push(Table {
        title: format!(
            "Proof of B.2 at level b = 2τd = {}: observed P(‖ṽ_b[t]‖₁ > b) vs the bound (τd + tηb b_x²(b²+r))/b",
            fmt(b)
        ),
        columns: vec![
            "t".into(),
            "label noise".into(),
            "99% CI".into(),
            "bound".into(),
            "Gaussian noise (control)".into(),
        ],
        rows,
    });
    let p_v = kv as f64 / nv as f64;
    out.measure(
        "B.2(b) observed rate",
        p_v,
        format!("P(‖ṽ_b[T]‖₁ > 2τd) at T = {tv}, N = {nv} (SPEC pilot at T = 1e6: 0.44 ± 0.025)"),
    );
    out.measure("B.2(b) bound", bound_v, "(τd + Tηb b_x²(b²+r))/b");
    out.measure("B.2(b) slack", bound_v / p_v.max(f64::MIN_POSITIVE), "bound / observed rate");
    out.measure("b0 at L", l.c.b0, "6τd/ρ");
    out.measure("T0 at L", l.c.t0 as f64, "⌈32 L0/(ηδ)²⌉");
    out.measure("data draws rejected at L", l.rejected as f64, "draws before D0 held (SPEC §0.6)");
    out.note(format!(
        "Matched Gaussian noise: SGD step v ⊙ (1 − η r_i x^(i)) + ησξ with σ = δτ·sqrt(tr M/d) = {}, so that η²σ² \
            equals the label noise's per-coordinate variance η²δ²τ²M_kk at v[0] = τ·1, averaged over k.",
        fmt(l.matched_sigma())
    ));
    out.note(
        "The level b = 2τd and the horizon T of the variant B.2(b) were chosen after pilot runs (below), so that its \
        bound ≈ 1/2 is nearly attained: its exit check is exploratory, reported but never counted. Its mean check \
        E‖ṽ_b[t]‖₁ = τd is counted: the target τd and the 2% margin do not depend on b or t (the equality holds at \
        every level and time), and t = T/10 ((ηδ)²t ≈ 0.8) is where its sample sd (printed with the check, ≈ τd/4) lets the quick and default \
        budgets decide (at T the sd is ≈ τd: ~10⁵ chains would be needed).",
    );
    out.note(format!(
        "The variant's observed rate approaches its bound 1/2 as T grows (a pilot of 400 chains at these \
        constants gave 0.42 at T = 2.5e5, 0.485 at 5e5, 0.4975 ± 0.025 at 1e6; SPEC's pilot: 0.44 at 1e6): T = {tv} is \
        chosen so that a few hundred chains decide while the rate is still within 0.1 of the bound."
    ));
    out.notes.extend(caveats(&l, &l_run, Some((p_v, bound_v))));
    out.note(tightness_note(&m, &m_run, |c| c.exit_b0, "P(max_t ‖v[t]‖₁ > b0)"));
    Ok(out)
}
