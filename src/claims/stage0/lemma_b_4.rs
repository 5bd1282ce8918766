//! Lemma B.4 (the `b0`-bounded potential contracts), eqs. (21)–(31), with Definition B.3.
//!
//! > **Definition B.3** (b-bounded potential function). For a vector `v` that is positive on each
//! > dimension: if `‖v‖₁ ≤ b`, we let `Φ(v) = Σ_{k=1}^d √v_k`; otherwise `Φ(v) = 0`.
//! >
//! > **Lemma B.4.** In the setting of Theorem 3.1, let `ε0 = 1/d`. Assume `‖x^(i)‖_∞ ≤ b_x` for
//! > `i ∈ [n]` with some `b_x > 0`, `E_i[(x_k^(i))²] ≥ 1/2` for all `k ∈ [d]`. Let `b0 = 6τd/ρ`.
//! > Assume `ηδ b_x + η(b0² + r) b_x² ≤ 1/16`, `ηδ² ≥ 32 (b0² + r) b_x²` and
//! > `T = ⌈(32/(η²δ²)) log(3d√τ/(ρ√ε0))⌉`. Let `ṽ[t]` be the `b0`-bounded coupling of `v[t]`, and
//! > `Φ` the `b0`-bounded potential function. If `ṽ[t]` is always positive on each dimension, then
//! > with probability at least `1 − ρ/3`, there is `Φ(ṽ[T]) ≤ √ε0` (21).
//! >
//! > *Proof.* (22)–(25): `E Φ(ṽ[t+1]) ≤ Σ_k E sqrt(ṽ_k − η s x_k ṽ_k − η g_k ṽ_k)
//! > ≤ Σ_k √ṽ_k E sqrt(1 + η s x_k + η(b0² + r) b_x²)`. Taylor (26)–(27): for `|Δ| ≤ 1/2`,
//! > `√(1+Δ) ≤ 1 + Δ/2 − Δ²/8 + |Δ|³/2`. With `Δ = η s x_k + η(b0²+r)b_x²`, `EΔ = η(b0²+r)b_x²`,
//! > `EΔ² ≥ η²δ²/2`, `|Δ| ≤ 1/16` and (H2): `E√(1+Δ) ≤ 1 − EΔ²/16 ≤ 1 − η²δ²/32`, so (28)
//! > `E Φ(ṽ[t+1]) ≤ (1 − η²δ²/32) Φ(ṽ[t])` (trivially when `‖ṽ[t]‖₁ > b0`). (29)–(31) Markov:
//! > `P(Φ(ṽ[T]) > √ε0) ≤ (1 − η²δ²/32)^T d√τ/√ε0 ≤ ρ/3`.
//!
//! (RECONSTRUCTED\[h\], SPEC §4.5: the OCR's "≥ 3" is `1/2`; "M … less than 3 if |x| ≤ 1/2" is
//! `max|g'''| = (3/8)·2^{5/2} = 2.12 < 3`.)
//!
//! # Formula
//! With `u = √(1+Δ) − 1 = Δ/(1 + √(1+Δ))` (no cancellation) and `c = (ηδ)²/32`:
//! * (B4.1) margin `1 + Δ/2 − Δ²/8 + |Δ|³/2 − √(1+Δ) = |Δ|³/2 − u³/2 − u⁴/8` (exact identity,
//!   from `Δ = 2u + u²`), scaled by `|Δ|³`;
//! * (24) per outcome: `1 + Δ'_k − F_k = η(B + g_k^(i)) ≥ 0`, `Δ' = η s x_k + ηB`, `B = (b0²+r)b_x²`;
//! * (25) `−c − E[u(Δ')]`; `EΔ'² = (ηδ)² M_kk + (ηB)² ≥ (ηδ)²/2`; `|Δ'| ≤ 1/16`; `EΔ'/2 ≤ EΔ'²/32`;
//! * (B4.2) at a state: `−c − E[u(Δ_k)]`, `Δ_k = F_k − 1 = η(s − r_i) x_k` (the chain's own factor);
//! * (B4.3) at a state in the ball: `(1 − c)Φ(v) − E Φ(v') = Σ_k √v_k (−c − E u(Δ_k)) + E[1{‖v'‖₁ > b0} Σ_k √v'_k]`,
//!   scaled by `(ηδ)² Φ(v)` (out of the ball both sides are 0).
//!
//! All margins are in units of `(ηδ)²` (or the inequality's own scale): at literal constants the
//! gradient's share of them is `~1e−18` relative to 1.
//!
//! Monte Carlo: `P(Φ(ṽ[T]) > √ε0) ≤ ρ/3` at instances L (`ρ = 0.01`) and M (`ρ = 0.3`);
//! `E Φ(ṽ[t]) ≤ (1 − η²δ²/32)^t Φ(v[0])` at `t = x/(ηδ)²`, `x ∈ {8, 16, 24}` (Hoeffding on
//! `Φ ∈ [0, √(d b0)]`) at M; the same for the `b`-bounded potential at `b = 2τd` on the variant's
//! chains (L's constants; (H1), (H2) at `b0 ≥ b` cover it). Negative controls: `δ = 0` (no label
//! noise: the potential does not move) and spherical Gaussian noise of matched per-step variance;
//! and the exact (B4.2) at the same states with `δ = 0`.
//!
//! # Adversarial search
//! Each of the nine exact inequalities is also minimized over the lemma's admissible set
//! ([`crate::claims::stage0::search`]), with the same margin closure and the same control:
//! (B4.1) over `Δ ∈ [−1/2, 1/2] \ {0}`, (26) over `ξ ∈ [−1/2, 1/2]`; the others over `16 × 16`
//! coupled-Hadamard data with `M_kk ≥ 1/2`, `b_x ≥ max|x|` free, `τ`, `ρ`, `r` free, `ηδ` and
//! `η(b0²+r)b_x²` up to their (H1), (H2) limits (both reachable at once) and, for (24), (B4.2),
//! (B4.3), positive states in the `b0`-ball (mass up to `b0`, concentrated or spread). No
//! violation is found and every control is caught. The search reaches the analytic worst cases:
//! (B4.1) `7/16` as `Δ → 0+`, (26) `1/2 − 2^{5/2}/16 = 0.146` at `ξ = −1/2`, (25) `1/64` of
//! `(ηδ)²` at `M_kk = 1/2` with (H2) tight (the proof's chain of bounds is tight there up to the
//! Taylor remainder; designed states: 0.061); `EΔ'² ≥ η²δ²/2`, `|Δ'| ≤ 1/16` and the (H2) step
//! are tight at the boundary of `M_kk ≥ 1/2`, (H1) and (H2) (worst ≈ the chart's room `1e−12`);
//! (24) is tight (`|g| ≤ (b0²+r)b_x²` with the mass on one coordinate coupled to `x_k`, at the
//! default budget); (B4.2) and (B4.3) stay at ≈ 0.016–0.023 of `(ηδ)²`, above (25)'s `1/64`
//! (designed states: 0.061).
//!
//! `--chains K` sets the Algorithm-1 chains of every Stage-0 literal run (instances L and M, the variant at b = 2τd
//! and its mean check; the four Stage-0 claims share them): for B.4, its literal checks at L and M, E Φ at M and
//! the variant at b = 2τd. Controls, the practical regime and the τ sweep keep their plan.

use super::audits::{Conclusion, audit_b4, caveats};
use super::chains::{Kind, LitChain, run_l, run_m, run_v};
use super::exact::checks;
use super::exact::lemma_b_4::{exact_at, table, taylor_checks};
use super::setting::{ACCEPTS, Instance, inst_l_m};
use super::states::all_states;
use crate::claim::{Claim, Ctx, PaperRef};
use crate::engine::stats::quantile;
use crate::error::Result;
use crate::evidence::{Class, McCheck, Outcome, Provenance, Role, Table, key};
use crate::numfmt::fmt;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "B.4",
    title: "Lemma B.4 (the b0-bounded potential contracts), with Definition B.3",
    paper: PaperRef { section: "Appendix B", equations: "(21)–(31)", spec: "§4.4–4.5" },
    statement: "under (H1) ηδb_x + η(b0²+r)b_x² ≤ 1/16, (H2) ηδ² ≥ 32(b0²+r)b_x², M_kk ≥ 1/2 and T = ⌈32 L0/(η²δ²)⌉: \
        P(Φ(ṽ[T]) > √ε0) ≤ ρ/3",
    module: file!(),
    test: "tests/stage0.rs",
    accepts: ACCEPTS,
    run,
};

/// Key of (B4.1), the Taylor bound (26)–(27).
pub const TAYLOR: &str = "B4.1-taylor";
/// Key of (26)'s remainder constant.
pub const REMAINDER: &str = "B4-26-remainder";
/// Key of (24), per outcome.
pub const PER_OUTCOME: &str = "B4-24";
/// Key of (25), per coordinate.
pub const PER_COORD: &str = "B4-25";
/// Key of `EΔ'² ≥ η²δ²/2`.
pub const SECOND_MOMENT: &str = "B4-second-moment";
/// Key of `|Δ'| ≤ 1/16`.
pub const STEP_SIZE: &str = "B4-step-size";
/// Key of the (H2) step `EΔ'/2 ≤ EΔ'²/32`.
pub const H2_STEP: &str = "B4-H2-step";
/// Key of (B4.2), the chain's own factor at states.
pub const FACTOR: &str = "B4.2-factor";
/// Key of (B4.3), the contraction of the `b0`-bounded potential at states.
pub const CONTRACTION: &str = "B4.3-contraction";
/// Key of the control of (B4.2): the same margin with `δ = 0` (`"<FACTOR>!control"`).
pub const FACTOR_NO_NOISE: &str = "B4.2-factor!control";
/// Key base of `P(Φ(ṽ[T]) > √ε0) ≤ ρ/3` (one per instance: `key(PHI_EXCEEDS, "M")`).
pub const PHI_EXCEEDS: &str = "B4-phi";
/// Key base of its `δ = 0` control (one per instance).
pub const PHI_EXCEEDS_NO_NOISE: &str = "B4-phi-delta0";
/// Key of its Gaussian control at M.
pub const PHI_EXCEEDS_GAUSS: &str = "B4-phi-gauss@M";
/// The lemma at `T`.
const AT_T: Conclusion = Conclusion { claim: "B.4", event: "P(Φ(ṽ[T]) > √ε0)", thirds: 1, key_base: PHI_EXCEEDS };

/// Key base of the `E Φ` checks (`key(MEAN_PHI, "M t = …")`, `key(MEAN_PHI, "L(b) t = …")`).
pub const MEAN_PHI: &str = "B4-mean-phi";

/// A row of the `E Φ` table: the potential, `t`, `x = (ηδ)²t`, the mean with its interval, the
/// bound and the noise-only heuristic `d√τ e^{−x/8}`.
fn mean_phi_row(potential: &str, t: u64, x: f64, c: &McCheck, bound: f64, inst: &Instance) -> Vec<String> {
    vec![
        potential.into(),
        t.to_string(),
        fmt(x),
        fmt(c.estimate),
        format!("[{}, {}]", fmt(c.ci[0]), fmt(c.ci[1])),
        fmt(bound),
        fmt(inst.c.d as f64 * inst.c.tau.sqrt() * (-x / 8.0).exp()),
    ]
}

fn run(ctx: &Ctx) -> Result<Outcome> {
    let mut out = Outcome::new();
    let (l, m) = inst_l_m(ctx, &mut out, "instance M (ρ = 0.3) and the level-b variant keep their defaults.")?;
    let l_run = run_l(ctx, &l, Kind::Alg1)?;
    let m_run = run_m(ctx, &m, Kind::Alg1);
    let v_run = run_v(ctx, &l, Kind::Alg1);
    let l_z = run_l(ctx, &l, Kind::NoNoise)?;
    let m_z = run_m(ctx, &m, Kind::NoNoise);
    let m_g = run_m(ctx, &m, Kind::Gauss);

    let a_l = audit_b4("B.4 @ L", &l, l.c.t);
    let a_m = audit_b4("B.4 @ M", &m, m.c.t);
    let mut a_v = audit_b4("B.4(b) @ L", &l, l.c.t);
    a_v.title = format!(
        "the proof of (28) for the b-bounded potential and coupling at b = 2τd = {} (constants of instance L)",
        fmt(v_run.b)
    );
    a_v.check(
        "b ≤ b0",
        "level b ≤ b0 (so (H1), (H2) at b0 cover the b-ball)",
        v_run.b,
        crate::evidence::Rel::Le,
        l.c.b0,
    );
    let (r_l, r_m, r_v) = (Class::of(&a_l), Class::of(&a_m), Class::of(&a_v));
    out.audits.extend([a_l, a_m, a_v]);

    // Exact checks.
    let table = table();
    let mut ex = checks(&table);
    taylor_checks(&table, &mut ex);
    for (inst, run, var) in [(&*l, &*l_run, Some(&*v_run)), (&*m, &*m_run, None)] {
        let states = all_states(ctx, inst, run, var);
        exact_at(&table, inst, &states, &mut ex);
    }
    out.exact.extend(ex);
    // Adversarial search of the same inequalities over the lemma's admissible set.
    crate::claims::search::run_searches(ctx, &mut out, &super::search::b4());

    // Monte Carlo: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3, with the δ = 0 and Gaussian controls.
    let ctrl = |v: &str| Role::Control { variant: v.into() };
    for (inst, run, reg, zero) in [(&*m, &*m_run, &r_m, &*m_z), (&*l, &*l_run, &r_l, &*l_z)] {
        let thr = inst.c.eps0.sqrt();
        let ev = |c: &LitChain| c.diverged_at.is_some() || c.end.as_ref().is_none_or(|e| e.phi_stopped > thr);
        let (k, n) = run.count(ev);
        let beta = AT_T.beta(inst);
        let phis: Vec<f64> = run.long_chains().iter().filter_map(|c| c.end.as_ref().map(|e| e.phi_stopped)).collect();
        let evidence = format!(
            "Φ(ṽ[T]) > √ε0 = {} at T = {} (median Φ(ṽ[T]) = {})",
            fmt(thr),
            inst.c.t,
            fmt(quantile(&phis, 0.5))
        );
        AT_T.push(&mut out, inst, "", reg.clone(), (k, n, run.diverged()), &evidence);
        let (kz, nz) = zero.count(ev);
        out.mc.push(
            McCheck::about(
                &format!("control (δ = 0) @ {}: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3", inst.tag),
                "the same event without label noise (Algorithm 1 with δ = 0, same η, T, v[0] = τ·1)",
                reg.clone(),
                ctrl("δ = 0 (no label noise) from v[0] = τ·1"),
            )
            .prob_upper(kz, nz, beta)
            .threshold(Provenance::Paper)
            .keyed(key(PHI_EXCEEDS_NO_NOISE, &inst.tag)),
        );
        if inst.tag == "M" {
            let (kg, ng) = m_g.count(ev);
            out.mc.push(
                McCheck::about(
                    "control (Gaussian noise) @ M: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3",
                    &format!(
                        "the same event for SGD with spherical Gaussian noise of matched per-step variance (σ = {}; Φ \
                    uses max(v_k, 0))",
                        fmt(inst.matched_sigma())
                    ),
                    reg.clone(),
                    ctrl("spherical Gaussian noise of matched per-step variance"),
                )
                .prob_upper(kg, ng, beta)
                .threshold(Provenance::Paper)
                .keyed(PHI_EXCEEDS_GAUSS),
            );
        }
    }

    // E Φ(ṽ[t]) ≤ (1 − η²δ²/32)^t Φ(v[0]) at instance M (long + short chains).
    let range_m = (m.c.d as f64 * m.c.b0).sqrt();
    let mut rows = Vec::new();
    for (q, &t) in m_run.checkpoints.iter().enumerate() {
        let xs: Vec<f64> = m_run.chains.iter().map(|c| c.phi[q]).collect();
        let bound = m.c.phi_bound(t);
        let x = t as f64 * m.c.eta_delta() * m.c.eta_delta();
        let c = McCheck::about(
            &format!("B.4 @ M: E Φ(ṽ[t]) ≤ (1 − η²δ²/32)^t Φ(v[0]), (ηδ)²t = {}", fmt(x.round())),
            &format!(
                "mean of Φ(ṽ[t]) at t = {t} over {} chains; Hoeffding with the a-priori range Φ ∈ [0, √(d b0)] = [0, \
                    {}]",
                xs.len(),
                fmt(range_m)
            ),
            r_m.clone(),
            Role::Primary,
        )
        .mean_upper(&xs, range_m, bound)
        .threshold(Provenance::Derived)
        .keyed(key(MEAN_PHI, &format!("M t = {t}")));
        rows.push(mean_phi_row("M (b0)", t, x, &c, bound, &m));
        out.mc.push(c);
    }
    // The b-bounded potential on the variant's chains (L's constants).
    let range_v = (l.c.d as f64 * v_run.b).sqrt();
    for (q, &t) in v_run.checkpoints.iter().enumerate() {
        if q % 2 == 0 {
            continue;
        }
        let xs: Vec<f64> = v_run.chains.iter().map(|c| c.phi[q]).collect();
        let bound = l.c.phi_bound(t);
        let x = t as f64 * l.c.eta_delta() * l.c.eta_delta();
        let c = McCheck::about(
            &format!("B.4(b) @ L: E Φ_b(ṽ_b[t]) ≤ (1 − η²δ²/32)^t Φ(v[0]), b = 2τd, t = {t}"),
            &format!(
                "mean of the b-bounded potential of the b-bounded coupling at t = {t} ((ηδ)²t = {}); Hoeffding on [0, \
                    √(d b)] = [0, {}]",
                fmt(x),
                fmt(range_v)
            ),
            r_v.clone(),
            Role::Primary,
        )
        .mean_upper(&xs, range_v, bound)
        .threshold(Provenance::Derived)
        .keyed(key(MEAN_PHI, &format!("L(b) t = {t}")));
        rows.push(mean_phi_row("L (b = 2τd)", t, x, &c, bound, &l));
        out.mc.push(c);
    }
    out.tables.push(Table {
        title:
            "E Φ(ṽ[t]) against the contraction bound (1 − η²δ²/32)^t d√τ; last column: the noise-only heuristic d√τ \
            e^{−(ηδ)²t/8} (E√F ≈ 1 − (ηδ)²M_kk/8)"
                .into(),
        columns: vec![
            "potential".into(),
            "t".into(),
            "(ηδ)²t".into(),
            "mean Φ".into(),
            "99% Hoeffding \
            CI"
            .into(),
            "bound".into(),
            "heuristic".into(),
        ],
        rows,
    });
    out.note(format!(
        "E Φ at instance L's literal level b0 = 600τd would need ~{} chains: Hoeffding's interval scales with the \
            a-priori range √(d b0) = d·sqrt(6/(ρτ)) ({}× Φ(v[0]) at ρ = 0.01, {}× at ρ = 0.3); it is checked at M and, \
            for the b-bounded potential at b = 2τd, at L's constants.",
        fmt((4.6 * 6.0 / 0.01 / 0.47f64.powi(2)).round()),
        fmt((6.0f64 / 0.01).sqrt()),
        fmt((6.0f64 / 0.3).sqrt())
    ));
    let phis: Vec<f64> = l_run.long_chains().iter().filter_map(|c| c.end.as_ref().map(|e| e.phi_stopped)).collect();
    out.measure("median Φ(ṽ[T0]) at L", quantile(&phis, 0.5), format!("vs √ε0 = {}", fmt(l.c.eps0.sqrt())));
    out.measure("contraction (ηδ)²/32 at L", l.c.contraction(), "per step");
    for n in caveats(&l, &l_run, None) {
        out.note(n);
    }
    Ok(out)
}
