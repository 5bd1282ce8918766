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
//! (RECONSTRUCTED[h], SPEC §4.5: the OCR's "≥ 3" is `1/2`; "M … less than 3 if |x| ≤ 1/2" is
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

use crate::claim::{Claim, Ctx, PaperRef};
use crate::claims::stage0::common::{self as s0, Instance, Kind};
use crate::engine::exact::{OneStep, sqrt1pm1};
use crate::engine::lanes;
use crate::error::Result;
use crate::evidence::{ExactCheck, McCheck, Outcome, Regime, Role, Table};
use crate::numfmt::fmt;
use crate::overrides::Param;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "B.4",
    title: "Lemma B.4 (the b0-bounded potential contracts), with Definition B.3",
    paper: PaperRef { section: "Appendix B", equations: "(21)–(31)", spec: "§4.4–4.5" },
    statement: "under (H1) ηδb_x + η(b0²+r)b_x² ≤ 1/16, (H2) ηδ² ≥ 32(b0²+r)b_x², M_kk ≥ 1/2 and T = ⌈32 L0/(η²δ²)⌉: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3",
    module: file!(),
    test: "tests/stage0.rs",
    accepts: &[
        Param::D,
        Param::N,
        Param::R,
        Param::Tau,
        Param::Delta,
        Param::Eta,
        Param::Steps,
        Param::Chains,
        Param::Rho,
    ],
    run,
};

/// Margin of (B4.1) at `Δ`: `|Δ|³/2 − u³/2 − u⁴/8`, `u = √(1+Δ) − 1`.
pub fn taylor_margin(delta: f64) -> f64 {
    let u = sqrt1pm1(delta);
    let a = delta.abs();
    0.5 * a * a * a - 0.5 * u * u * u - 0.125 * u * u * u * u
}

/// The exact checks of Lemma B.4, in order: (B4.1), (26) constant, (24), (25), EΔ'², |Δ'|, (H2)
/// step, (B4.2), (B4.3), and the δ = 0 control of (B4.2).
pub fn new_exact_checks() -> Vec<ExactCheck> {
    vec![
        ExactCheck::new(
            "(B4.1)",
            "1 + Δ/2 − Δ²/8 + |Δ|³/2 − √(1+Δ) = |Δ|³/2 − u³/2 − u⁴/8 ≥ 0 (u = √(1+Δ) − 1) on a grid of Δ ∈ [−1/2, 1/2]; scaled by |Δ|³",
            Role::Primary,
        ),
        ExactCheck::new(
            "(26) remainder constant",
            "3 − max|g'''(1+ξ)| ≥ 0 and 1/2 − max|g'''|/6 ≥ 0 with g''' = (3/8)(1+ξ)^(−5/2), ξ on a grid of [−1/2, 1/2]; the smaller margin",
            Role::Primary,
        ),
        ExactCheck::new(
            "(24)",
            "1 + Δ'_k − F_k = η((b0²+r)b_x² + g_k^(i)) ≥ 0 per outcome and k, Δ' = ηs x_k + η(b0²+r)b_x²; scaled by η(b0²+r)b_x²",
            Role::Primary,
        ),
        ExactCheck::new(
            "(25)",
            "1 − (ηδ)²/32 − E√(1+Δ'_k) = −(ηδ)²/32 − E[u(Δ')] ≥ 0 per k; scaled by (ηδ)²",
            Role::Primary,
        ),
        ExactCheck::new(
            "EΔ'² ≥ η²δ²/2",
            "(ηδ)²(M_kk − 1/2) + (η(b0²+r)b_x²)² ≥ 0 per k; scaled by (ηδ)²",
            Role::Primary,
        ),
        ExactCheck::new(
            "|Δ'| ≤ 1/16",
            "1/16 − max over outcomes of |ηs x_k^(i) + η(b0²+r)b_x²| ≥ 0 per k; scaled by 1/16",
            Role::Primary,
        ),
        ExactCheck::new("(H2) step", "EΔ'²/32 − EΔ'/2 ≥ 0 per k; scaled by (ηδ)²", Role::Primary),
        ExactCheck::new(
            "(B4.2)",
            "1 − (ηδ)²/32 − E√F_k = −(ηδ)²/32 − E[u(Δ_k)] ≥ 0 per k at states in the b0-ball (Δ_k = η(s − r_i)x_k, the chain's factor); scaled by (ηδ)²",
            Role::Primary,
        ),
        ExactCheck::new(
            "(B4.3)",
            "(1 − (ηδ)²/32)Φ(v) − E Φ(v') ≥ 0 at states in the b0-ball (Φ the b0-bounded potential; closed form with the exiting outcomes); scaled by (ηδ)²Φ(v)",
            Role::Primary,
        ),
        ExactCheck::new(
            "control: (B4.2) with δ = 0",
            "the same margin with the label noise removed (δ = 0), contraction (ηδ)²/32 kept: must fail",
            Role::Control { variant: "δ = 0 (no label noise)".into() },
        ),
    ]
}

/// Record the exact checks at one instance.
pub fn exact_at(inst: &Instance, states: &[s0::State], ex: &mut [ExactCheck]) {
    let c = &inst.c;
    let ed2 = c.eta_delta() * c.eta_delta();
    let cc = c.contraction();
    let eb = c.eta * c.big_b;
    let tag = &inst.tag;
    let n = c.n;
    // State-independent per-coordinate steps (25), EΔ'², |Δ'|, (H2) step.
    for k in 0..c.d {
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
        let eu = su / (2 * n) as f64;
        let e2 = ed2 * mkk + eb * eb;
        ex[3].record_scaled(-cc - eu, ed2, || format!("[{tag}] k = {k}"));
        ex[4].record_scaled(ed2 * (mkk - 0.5) + eb * eb, ed2, || format!("[{tag}] k = {k}, M_kk = {}", fmt(mkk)));
        ex[5].record_scaled(1.0 / 16.0 - maxabs, 1.0 / 16.0, || format!("[{tag}] k = {k}"));
        ex[6].record_scaled(e2 / 32.0 - eb / 2.0, ed2, || format!("[{tag}] k = {k}"));
    }
    for st in states {
        let v = &st.v;
        if lanes::sum_abs(v.blocks()) > c.b0 {
            continue;
        }
        let os = OneStep::new(&inst.p, v, c.eta, c.delta);
        let os0 = OneStep::new(&inst.p, v, c.eta, 0.0);
        let what = || format!("[{tag}] {}", st.what);
        let mut phi = 0.0;
        let mut lin = 0.0;
        for k in 0..c.d {
            let vk = v.as_slice()[k];
            let eu = os.sqrt_factor_minus_one(k);
            ex[7].record_scaled(-cc - eu, ed2, || format!("{}, k = {k}", what()));
            ex[9].record_scaled(-cc - os0.sqrt_factor_minus_one(k), ed2, || format!("{}, k = {k}", what()));
            phi += vk.sqrt();
            lin += vk.sqrt() * (-cc - eu);
            for o in 0..os.outcomes() {
                let (i, _) = os.outcome(o);
                let g = os.residual(i) * inst.p.data().x(i, k);
                ex[2].record_scaled(c.eta * (c.big_b + g), eb, || format!("{}, k = {k}, outcome {o}", what()));
            }
        }
        // Outcomes that leave the ball lose their whole potential: E[1{out} Σ_k √v'_k].
        let mut lost = 0.0;
        for o in 0..os.outcomes() {
            if let Some(w) = os.next_state(o)
                && lanes::sum_abs(w.blocks()) > c.b0
            {
                lost += crate::engine::stopped::sum_sqrt_all(&w);
            }
        }
        lost /= os.outcomes() as f64;
        ex[8].record_scaled(lin + lost, ed2 * phi, || {
            format!("{} (outcomes leaving the ball carry {} of E Σ√v')", what(), fmt(lost))
        });
    }
}

/// The Taylor-bound checks (B4.1) and (26) on fine grids.
pub fn taylor_checks(ex: &mut [ExactCheck]) {
    let m = 100_000;
    for j in -m..=m {
        if j == 0 {
            continue;
        }
        let d = 0.5 * j as f64 / m as f64;
        ex[0].record_scaled(taylor_margin(d), d.abs().powi(3), || format!("Δ = {d}"));
    }
    for e in 1..=16 {
        for sgn in [-1.0, 1.0] {
            let d = sgn * 10f64.powi(-e);
            ex[0].record_scaled(taylor_margin(d), d.abs().powi(3), || format!("Δ = {d}"));
        }
    }
    for j in 0..=10_000 {
        let xi = -0.5 + j as f64 / 10_000.0;
        let g3 = 0.375 * (1.0 + xi).powf(-2.5);
        let margin = (3.0 - g3).min(0.5 - g3 / 6.0);
        ex[1].record(margin, || format!("ξ = {xi}: |g'''| = {}", fmt(g3)));
    }
}

fn run(ctx: &Ctx) -> Result<Outcome> {
    let mut out = Outcome::new();
    let l = s0::inst_l(ctx)?;
    let m = s0::inst_m(ctx)?;
    if !ctx.overrides.is_empty() {
        out.note("Command-line overrides apply to instance L only; instance M (ρ = 0.3) and the level-b variant keep their defaults.");
    }
    let l_run = s0::run_l(ctx, &l, Kind::Alg1)?;
    let m_run = s0::run_m(ctx, &m, Kind::Alg1);
    let v_run = s0::run_v(ctx, &l, Kind::Alg1);
    let l_z = s0::run_l(ctx, &l, Kind::NoNoise)?;
    let m_z = s0::run_m(ctx, &m, Kind::NoNoise);
    let m_g = s0::run_m(ctx, &m, Kind::Gauss);

    let a_l = s0::audit_b4("B.4 @ L", &l, l.c.t);
    let a_m = s0::audit_b4("B.4 @ M", &m, m.c.t);
    let mut a_v = s0::audit_b4("B.4(b) @ L", &l, l.c.t);
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
    let (r_l, r_m, r_v) = (Regime::of(&a_l), Regime::of(&a_m), Regime::of(&a_v));
    out.audits.extend([a_l, a_m, a_v]);

    // Exact checks.
    let mut ex = new_exact_checks();
    taylor_checks(&mut ex);
    for (inst, run, var) in [(&*l, &*l_run, Some(&*v_run)), (&*m, &*m_run, None)] {
        let states = s0::all_states(ctx, inst, run, var, s0::random_state_count(ctx.budget));
        exact_at(inst, &states, &mut ex);
    }
    out.exact.extend(ex);

    // Monte Carlo: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3, with the δ = 0 and Gaussian controls.
    let ctrl = |v: &str| Role::Control { variant: v.into() };
    for (inst, run, reg, zero) in [(&*m, &*m_run, &r_m, &*m_z), (&*l, &*l_run, &r_l, &*l_z)] {
        let thr = inst.c.eps0.sqrt();
        let ev = |c: &s0::LitChain| c.diverged_at.is_some() || c.end.as_ref().is_none_or(|e| e.phi_stopped > thr);
        let (k, n) = run.count(ev);
        let beta = inst.c.rho / 3.0;
        let id = format!("B.4 @ {}: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3 (ρ = {})", inst.tag, fmt(inst.c.rho));
        let phis: Vec<f64> = run.long_chains().iter().filter_map(|c| c.end.as_ref().map(|e| e.phi_stopped)).collect();
        let c = McCheck::prob_upper(
            &id,
            &format!("Φ(ṽ[T]) > √ε0 = {} at T = {} (median Φ(ṽ[T]) = {})", fmt(thr), inst.c.t, fmt(s0::median(&phis))),
            reg.clone(),
            Role::Primary,
            k,
            n,
            beta,
        )
        .with_diverged(run.diverged());
        out.note(crate::evidence::power_note(&id, n, beta));
        out.mc.push(c);
        let (kz, nz) = zero.count(ev);
        out.mc.push(McCheck::prob_upper(
            &format!("control (δ = 0) @ {}: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3", inst.tag),
            "the same event without label noise (Algorithm 1 with δ = 0, same η, T, v[0] = τ·1)",
            reg.clone(),
            ctrl("δ = 0 (no label noise) from v[0] = τ·1"),
            kz,
            nz,
            beta,
        ));
        if inst.tag == "M" {
            let (kg, ng) = m_g.count(ev);
            out.mc.push(McCheck::prob_upper(
                "control (Gaussian noise) @ M: P(Φ(ṽ[T]) > √ε0) ≤ ρ/3",
                &format!("the same event for SGD with spherical Gaussian noise of matched per-step variance (σ = {}; Φ uses max(v_k, 0))", fmt(inst.matched_sigma())),
                reg.clone(),
                ctrl("spherical Gaussian noise of matched per-step variance"),
                kg,
                ng,
                beta,
            ));
        }
    }

    // E Φ(ṽ[t]) ≤ (1 − η²δ²/32)^t Φ(v[0]) at instance M (long + short chains).
    let range_m = (m.c.d as f64 * m.c.b0).sqrt();
    let mut rows = Vec::new();
    for (q, &t) in m_run.checkpoints.iter().enumerate() {
        let xs: Vec<f64> = m_run.chains.iter().map(|c| c.phi[q]).collect();
        let bound = m.c.phi_bound(t);
        let x = t as f64 * m.c.eta_delta() * m.c.eta_delta();
        let c = McCheck::mean_upper(
            &format!("B.4 @ M: E Φ(ṽ[t]) ≤ (1 − η²δ²/32)^t Φ(v[0]), (ηδ)²t = {}", fmt(x.round())),
            &format!(
                "mean of Φ(ṽ[t]) at t = {t} over {} chains; Hoeffding with the a-priori range Φ ∈ [0, √(d b0)] = [0, {}]",
                xs.len(),
                fmt(range_m)
            ),
            r_m.clone(),
            Role::Primary,
            &xs,
            range_m,
            bound,
        );
        rows.push(vec![
            "M (b0)".into(),
            t.to_string(),
            fmt(x),
            fmt(c.estimate),
            format!("[{}, {}]", fmt(c.ci[0]), fmt(c.ci[1])),
            fmt(bound),
            fmt(m.c.d as f64 * m.c.tau.sqrt() * (-x / 8.0).exp()),
        ]);
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
        let c = McCheck::mean_upper(
            &format!("B.4(b) @ L: E Φ_b(ṽ_b[t]) ≤ (1 − η²δ²/32)^t Φ(v[0]), b = 2τd, t = {t}"),
            &format!(
                "mean of the b-bounded potential of the b-bounded coupling at t = {t} ((ηδ)²t = {}); Hoeffding on [0, √(d b)] = [0, {}]",
                fmt(x),
                fmt(range_v)
            ),
            r_v.clone(),
            Role::Primary,
            &xs,
            range_v,
            bound,
        );
        rows.push(vec![
            "L (b = 2τd)".into(),
            t.to_string(),
            fmt(x),
            fmt(c.estimate),
            format!("[{}, {}]", fmt(c.ci[0]), fmt(c.ci[1])),
            fmt(bound),
            fmt(l.c.d as f64 * l.c.tau.sqrt() * (-x / 8.0).exp()),
        ]);
        out.mc.push(c);
    }
    out.tables.push(Table {
        title: "E Φ(ṽ[t]) against the contraction bound (1 − η²δ²/32)^t d√τ; last column: the noise-only heuristic d√τ e^{−(ηδ)²t/8} (E√F ≈ 1 − (ηδ)²M_kk/8)".into(),
        columns: vec!["potential".into(), "t".into(), "(ηδ)²t".into(), "mean Φ".into(), "99% Hoeffding CI".into(), "bound".into(), "heuristic".into()],
        rows,
    });
    out.note(format!(
        "E Φ at instance L's literal level b0 = 600τd would need ~{} chains: Hoeffding's interval scales with the a-priori range √(d b0) = d·sqrt(6/(ρτ)) ({}× Φ(v[0]) at ρ = 0.01, {}× at ρ = 0.3); it is checked at M and, for the b-bounded potential at b = 2τd, at L's constants.",
        fmt((4.6 * 6.0 / 0.01 / 0.47f64.powi(2)).round()),
        fmt((6.0f64 / 0.01).sqrt()),
        fmt((6.0f64 / 0.3).sqrt())
    ));
    let phis: Vec<f64> = l_run.long_chains().iter().filter_map(|c| c.end.as_ref().map(|e| e.phi_stopped)).collect();
    out.measure("median Φ(ṽ[T0]) at L", s0::median(&phis), format!("vs √ε0 = {}", fmt(l.c.eps0.sqrt())));
    out.measure("contraction (ηδ)²/32 at L", l.c.contraction(), "per step");
    for n in s0::caveats(&l, &l_run, None) {
        out.note(n);
    }
    Ok(out)
}
