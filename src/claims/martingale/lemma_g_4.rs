//! Lemma G.4 (leaving a window downward), eqs. (185)–(189).
//!
//! > **Lemma G.4.** Let `0 < c1 < c2` be real constants. Let `A[0], A[1], …, A[T]` be a series of
//! > random variables, such that given `A[0], …, A[t]` for some `t < T` with `A[t] ∈ [c1, c2]`,
//! > there is either event `E_t` happens, or `E[A[t+1]] ≤ (1−γ)A[t]` with variance
//! > `Var[A[t+1] | A[0], …, A[t]] ≤ a`. Then when `A[0] ∈ [c1, c2]` and `(1−γ)^T c2 < c1` there is
//! > `Pr(min_{t≤T} A[t] > c1 ∧ max_{t≤T} A[t] ≤ c2 ∧ ¬E[0:T])`
//! > `≤ exp(−2(c1(1−γ)^{−T} − A[0])² / (a Σ_{t=1}^{T} (1−γ)^{−2t}))` (185)–(188)
//! > `≤ exp(−2γ(c1 − (1−γ)^T A[0])²/a)` (189), where `¬E[0:T]` means `E_t` does not happen for any `t < T`.
//!
//! (SPEC §3.2, RECONSTRUCTED\[m\]; the last form (189) RECONSTRUCTED\[l\].)
//!
//! # Formula
//! Bounds in [`crate::engine::martingale::g4_bound`] / [`g4_bound_simple`]; the corrected G.4-R is
//! the same formula with `a` = the squared conditional range ([`crate::claims::martingale::lemma_g_3::g4r_bound`]).
//!
//! **E-G3a** applies verbatim (the proof uses Azuma with a variance): exact `T = 1` counter-example
//! `c1 = 1/2`, `c2 = 1`, `γ = 0.6`, `A[0] = 1`, `A[1] = 0.4 ± 0.15`: every hypothesis holds with
//! `a = 0.0225` (and `(1−γ)c2 = 0.4 < c1`), the event has probability `1/2`, the bound is
//! `exp(−0.02/0.0225) = 0.411`.
//!
//! Graded **S** (issue 13): the variance hypothesis and the exponent of (185)/(188) are legible;
//! the asymmetric family (variance → 0 at a fixed event probability) violates any bound of the
//! form `exp(−K/a)`, whatever constant a reading gives. Every counted exact check has a control:
//! the G.4-R margins with Hoeffding's proxy `range²/4` in place of `range²`, and (188) ≤ (189)
//! with `2γ` in place of `γ`. The Monte Carlo cases use `a = range²`, which bounds the variance
//! too: they are instances of (185) as printed and of G.4-R.

use crate::claim::{Claim, Ctx, PaperRef, PerBudget};
use crate::claims::martingale::lemma_g_3::{g4_event, g4r_bound};
use crate::claims::martingale::process::{
    ArProcess, Case, Noise, PRINTED, Paths, PrintedAndRepaired, TwoPoint, exact_two_point_prob, mc_count,
};
use crate::engine::martingale::{g4_bound, g4_bound_simple};
use crate::error::Result;
use crate::evidence::Grade;
use crate::evidence::{
    Audit, Erratum, ExactCheck, Margin, McCheck, Outcome, Provenance, Reading, Rel, Role, Table, key,
};
use crate::numfmt::fmt;
use crate::overrides::Param;
use crate::tol;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "G.4",
    title: "Lemma G.4 (leaving a window downward)",
    paper: PaperRef { section: "Appendix G", equations: "(185)–(189)", spec: "§3.2" },
    statement: "if E[A[t+1]|F_t] ≤ (1−γ)A[t] and Var ≤ a on [c1, c2], A[0] ∈ [c1, c2] and (1−γ)^T c2 < c1, then P(A \
        stays in (c1, c2] up to T) ≤ exp(−2(c1(1−γ)^{−T} − A[0])²/(a Σ_{t=1}^T (1−γ)^{−2t}))",
    module: file!(),
    test: "tests/martingale.rs",
    accepts: &[Param::Chains],
    run,
};

/// `c1`, `c2`, `γ`, `A[0]` of the exact counter-example.
pub const CE_C1: f64 = 0.5;
pub const CE_C2: f64 = 1.0;
pub const CE_GAMMA: f64 = 0.6;
pub const CE_A0: f64 = 1.0;

/// Largest `ln((1−γ)^{−2T})` kept in the grid of (188) ≤ (189) (f64 overflows near 709).
const F64_LOG_GUARD: f64 = 600.0;

/// The hypotheses of Lemma G.4 a process is audited against: the window `(c1, c2]`, the
/// contraction `γ`, the start `A[0]`, the horizon `T`, the variance bound `a`, and whether the
/// G.4-R form (range `≤ √a`) is meant.
struct Hyp {
    c1: f64,
    c2: f64,
    gamma: f64,
    a0: f64,
    t: usize,
    a: f64,
    range: bool,
}

/// A G.4-type audit of a synthetic process (start, horizon, drift, variance/range).
fn audit_g4(id: &str, title: &str, proc: &ArProcess, hyp: Hyp) -> Audit {
    let Hyp { c1, c2, gamma, a0, t, a, range } = hyp;
    let mut au = Audit::new(id, title);
    au.check("start low", "A[0] ≥ c1", a0, Rel::Ge, c1);
    au.check("start high", "A[0] ≤ c2", a0, Rel::Le, c2);
    au.check("horizon", "(1−γ)^T c2 < c1", (1.0 - gamma).powi(t as i32) * c2, Rel::Lt, c1);
    let excess = proc.window_drift_excess(gamma, c1, c2);
    au.check("drift", "max over [c1, c2] of E[A[t+1]|F_t] − (1−γ)A[t]", excess, Rel::Le, 0.0);
    // The printed hypothesis; with a = range² it holds too, so a G.4-R instance is also an instance
    // of (185) as printed.
    au.check("variance", "Var[A[t+1] | F_t] ≤ a (as printed)", proc.noise.variance(), Rel::Le, a);
    if range {
        au.check("range", "conditional range of A[t+1] ≤ √a (G.4-R)", proc.noise.range(), Rel::Le, a.sqrt());
    }
    au
}

/// The control of a G.4-R margin: Hoeffding's lemma misread, the sub-Gaussian proxy `range²/4`
/// put in place of `a = range²` (an exponent 4× too large).
const RANGE_QUARTER: &str = "a = range²/4 (Hoeffding's proxy range²/4 in place of range²)";

/// Chains (samples) per budget.
const CHAINS: PerBudget<usize> = PerBudget::new(4000, 20_000, 200_000);

/// Key base of the T = 1 example (printed and G.4-R).
pub const T1_EXAMPLE: &str = "G4-T1";
/// Key base of the two-point families (printed and G.4-R).
pub const FAMILIES: &str = "G4-families";
/// Key of the check (188) ≤ (189).
pub const FORMS: &str = "G4-forms";
/// Key base of the G.4-R Monte Carlo cases (`key(CASE, "0")` … `key(CASE, "2")`).
pub const CASE: &str = "G4R-case";
/// The number of G.4-R Monte Carlo cases.
pub const CASES: usize = 3;
/// Key of the Monte Carlo witness of E-G3a (asymmetric up-jumps, T = 1).
pub const ASYMMETRIC_MC: &str = "G4-printed-asymmetric";
/// Key of the negative control (no contraction).
pub const CONTROL_NO_CONTRACTION: &str = "G4-control-no-contraction";

fn run(ctx: &Ctx) -> Result<Outcome> {
    let chains = ctx.chains_or(CHAINS)?;
    let mut out = Outcome::new();
    let (c1, c2, gamma, a0) = (CE_C1, CE_C2, CE_GAMMA, CE_A0);
    let ev = |p: &[f64]| g4_event(p, c1, c2);

    // ---- exact T = 1 counter-example ---------------------------------------------------------
    let tp = TwoPoint::symmetric(0.15);
    let proc1 = ArProcess::ar(gamma, Noise::TwoPoint(tp));
    let p1 = exact_two_point_prob(a0, gamma, tp, 1, ev);
    let b1 = g4_bound(c1, gamma, tp.variance(), 1, a0);
    let b1r = g4r_bound(c1, gamma, tp.range(), 1, a0);
    out.audits.push(audit_g4(
        "G.4 T=1 example",
        &format!("{}, c1 = 1/2, c2 = 1, A[0] = 1, T = 1, a = Var = 0.0225", proc1.describe()),
        &proc1,
        Hyp { c1, c2, gamma, a0, t: 1, a: tp.variance(), range: false },
    ));
    let mut ce = PrintedAndRepaired::new(
        T1_EXAMPLE,
        ("(185) printed, T = 1 example", "bound − P(event) ≥ 0 with a = Var (exact enumeration); scaled by the bound"),
        ("(185) G.4-R, T = 1 example", "bound − P(event) ≥ 0 with a = (range)² = 0.09"),
        RANGE_QUARTER,
    );
    let b1q = g4_bound(c1, gamma, tp.range() * tp.range() / 4.0, 1, a0);
    ce.record([p1; 3], [b1, b1r, b1q], [b1, b1r, b1q], || "ξ = ±0.15".into());
    ce.push(&mut out);
    out.measure("E-G3a (G.4): P(event), T = 1", p1, "exact");
    out.measure("E-G3a (G.4): printed bound, T = 1", b1, "a = Var = 0.0225");
    out.measure("E-G3a (G.4): G.4-R bound, T = 1", b1r, "a = range² = 0.09");

    // ---- families: symmetric ±h and asymmetric jumps, T ∈ {1, 2, 3} ----------------------------
    let mut fam = PrintedAndRepaired::new(
        FAMILIES,
        (
            "(185) printed, two-point families",
            "bound − P(event) ≥ 0 over ξ = ±h and asymmetric up-jumps, T ∈ {1,2,3}, a = Var; scaled by the bound",
        ),
        ("(185) G.4-R, two-point families", "the same with a = (range)²"),
        RANGE_QUARTER,
    );
    let mut rows = Vec::new();
    let mut noises: Vec<TwoPoint> = (0..=20).map(|j| TwoPoint::symmetric(0.05 + 0.01 * j as f64)).collect();
    for &p in &[0.005, 0.01, 0.02, 0.05] {
        for &u in &[0.2, 0.35, 0.5] {
            noises.push(TwoPoint { up: u, p });
        }
    }
    for tpn in &noises {
        for t in 1..=3usize {
            let pe = exact_two_point_prob(a0, gamma, *tpn, t, ev);
            let b = g4_bound(c1, gamma, tpn.variance(), t as u64, a0);
            let br = g4r_bound(c1, gamma, tpn.range(), t as u64, a0);
            let bq = g4_bound(c1, gamma, tpn.range() * tpn.range() / 4.0, t as u64, a0);
            fam.record([pe; 3], [b, br, bq], [b.max(pe), br, bq.max(pe)], || {
                format!("ξ: up {} w.p. {}, T = {t}", fmt(tpn.up), tpn.p)
            });
            if t == 1
                && (tpn.p != 0.5 && tpn.up == 0.5
                    || tpn.p == 0.5 && [0.1, 0.15, 0.2].iter().any(|&h| (h - tpn.up).abs() < tol::GRID_EQ_ABS))
            {
                rows.push(vec![fmt(tpn.up), fmt(tpn.p), fmt(pe), fmt(b), fmt(br)]);
            }
        }
    }
    fam.push(&mut out);
    out.tables.push(Table {
        title: "E-G3a for G.4 (c1 = 1/2, c2 = 1, γ = 0.6, A[0] = 1, T = 1): exact probability of staying in (c1, c2] \
            vs (185)"
            .into(),
        columns: vec![
            "up".into(),
            "p(up)".into(),
            "P(event) (exact)".into(),
            "printed bound (a = Var)".into(),
            "G.4-R bound (a = range²)".into(),
        ],
        rows,
    });

    // ---- (188) ≤ (189) -----------------------------------------------------------------------
    let mut forms = ExactCheck::new(
        "(188) ≤ (189)",
        "exp(−2γ(c1 − (1−γ)^T A[0])²/a) − (188) ≥ 0 on a grid with (1−γ)^T c2 < c1; scaled by (189)",
        Role::Primary,
    )
    .keyed(FORMS)
    .threshold(Provenance::Paper);
    // Control: Σ_{t=1}^T (1−γ)^{−2t} bounded by (1−γ)^{−2T}/(2γ) instead of /γ (the second form with
    // 2γ), false for large T since the sum tends to (1−γ)^{−2T}/(γ(2−γ)).
    let mut forms_ctl = ExactCheck::control_for(&forms, "2γ in place of γ in (189)");
    for &g in &[1e-3f64, 0.01, 0.1, 0.5] {
        for &t in &[1u64, 5, 50, 500, 5000] {
            for &start in &[0.55, 0.8, 1.0] {
                for &a in &[0.01, 0.1, 1.0] {
                    // Skip the grid points where (1−γ)^{−2T} overflows f64 (engine::martingale::g4_bound
                    // then returns the trivial bound 1).
                    if (1.0 - g).powf(t as f64) * c2 >= c1 || 2.0 * t as f64 * (-(1.0 - g).ln()) > F64_LOG_GUARD {
                        continue;
                    }
                    let second = g4_bound_simple(c1, g, a, t, start);
                    let first = g4_bound(c1, g, a, t, start);
                    let at = || format!("γ = {g}, T = {t}, A[0] = {start}, a = {a}");
                    forms.record_margin(Margin::le(first, second).with_scale(second.max(tol::SCALE_FLOOR)), at);
                    // (189) with 2γ: exp(−4γ(c1 − (1−γ)^T A[0])²/a) = g4_bound_simple with a/2.
                    let wrong = g4_bound_simple(c1, g, a / 2.0, t, start);
                    forms_ctl.record_margin(Margin::le(first, wrong).with_scale(wrong.max(tol::SCALE_FLOOR)), at);
                }
            }
        }
    }
    out.exact.push(forms);
    out.exact.push(forms_ctl);

    // ---- Monte Carlo: G.4-R on synthetic processes ---------------------------------------------
    let cases = [
        Case { id: "G.4-R: uniform AR, T = 50", proc: ArProcess::ar(0.02, Noise::Uniform { h: 0.1 }), t: 50, a0: 0.9 },
        Case {
            id: "G.4-R: ±0.15 AR, T = 1",
            proc: ArProcess::ar(gamma, Noise::TwoPoint(TwoPoint::symmetric(0.15))),
            t: 1,
            a0,
        },
        Case {
            id: "G.4-R: ±0.12 AR, T = 3",
            proc: ArProcess::ar(0.25, Noise::TwoPoint(TwoPoint::symmetric(0.12))),
            t: 3,
            a0: 0.9,
        },
    ];
    let mut mrows = Vec::new();
    for (j, cs) in cases.iter().enumerate() {
        let rb = cs.proc.noise.range();
        let bound = g4r_bound(c1, cs.proc.gamma, rb, cs.t as u64, cs.a0);
        let au = audit_g4(
            cs.id,
            &format!("{}, c1 = 1/2, c2 = 1, A[0] = {}, T = {}", cs.proc.describe(), cs.a0, cs.t),
            &cs.proc,
            Hyp { c1, c2, gamma: cs.proc.gamma, a0: cs.a0, t: cs.t, a: rb * rb, range: true },
        );
        let regime = out.push_audit(au);
        let k = mc_count(ctx, "G.4", cs.id, cs.paths(), chains, ev);
        let printed = g4_bound(c1, cs.proc.gamma, cs.proc.noise.variance(), cs.t as u64, cs.a0);
        mrows.push(vec![cs.id.to_string(), fmt(k as f64 / chains as f64), fmt(bound), fmt(printed)]);
        out.mc.push(
            McCheck::about(
                cs.id,
                &format!(
                    "A stays in (1/2, 1] up to T for {}; bound (185) with a = (range {})², which bounds the variance \
                        too: an instance of (185) as printed and of G.4-R",
                    cs.proc.describe(),
                    fmt(rb)
                ),
                regime,
                Role::Primary,
            )
            .prob_upper(k, chains as u64, bound)
            .threshold(Provenance::Paper)
            .keyed(key(CASE, &j.to_string())),
        );
    }
    out.tables.push(Table {
        title: "Synthetic processes: frequency of staying in the window vs G.4-R and the printed bound".into(),
        columns: vec!["process".into(), "frequency".into(), "G.4-R bound".into(), "printed bound (a = Var)".into()],
        rows: mrows,
    });

    // MC witness: asymmetric up-jumps, T = 1, printed bound.
    let wtp = TwoPoint { up: 0.5, p: 0.01 };
    let wproc = ArProcess::ar(gamma, Noise::TwoPoint(wtp));
    let wau = audit_g4(
        "G.4 printed, asymmetric",
        &format!("{}, c1 = 1/2, c2 = 1, A[0] = 1, T = 1, a = Var", wproc.describe()),
        &wproc,
        Hyp { c1, c2, gamma, a0, t: 1, a: wtp.variance(), range: false },
    );
    let wreg = out.push_audit(wau);
    let kw = mc_count(ctx, "G.4", "printed-asymmetric", Paths { proc: &wproc, a0, t: 1 }, chains, ev);
    let wb = g4_bound(c1, gamma, wtp.variance(), 1, a0);
    out.mc.push(
        McCheck::about(
            "(185) printed: asymmetric jumps, T = 1",
            &format!(
                "A[1] ∈ (1/2, 1] for {} (exact probability {}), against the printed bound {}",
                wproc.describe(),
                fmt(wtp.p),
                fmt(wb)
            ),
            wreg,
            Role::Witness { erratum: "E-G3a".into() },
        )
        .prob_upper(kw, chains as u64, wb)
        .threshold(Provenance::Paper)
        .keyed(ASYMMETRIC_MC),
    );

    // Negative control: no contraction (a random walk with tiny steps), G.4-R check of case 1.
    let cproc = ArProcess { gamma: 0.0, drift: 0.0, noise: Noise::Uniform { h: 0.005 }, freeze: 0.0 };
    let cau = audit_g4(
        "G.4-R control",
        &format!("{} (no contraction), c1 = 1/2, c2 = 1, A[0] = 0.9, T = 50", cproc.describe()),
        &cproc,
        Hyp { c1, c2, gamma: 0.02, a0: 0.9, t: 50, a: cproc.noise.range().powi(2), range: true },
    );
    let creg = out.push_audit(cau);
    let kc = mc_count(ctx, "G.4", "control-no-contraction", Paths { proc: &cproc, a0: 0.9, t: 50 }, chains, ev);
    out.mc.push(
        McCheck::about(
            "control: no contraction, G.4-R bound",
            &format!("staying in (1/2, 1] for {} against the G.4-R bound for γ = 0.02", cproc.describe()),
            creg,
            Role::Control { variant: "random walk without contraction".into() },
        )
        .prob_upper(kc, chains as u64, g4r_bound(c1, 0.02, cproc.noise.range(), 50, 0.9))
        .threshold(Provenance::Paper)
        .keyed(CONTROL_NO_CONTRACTION),
    );

    out.errata.push(Erratum {
        id: "E-G3a".into(),
        location: "Lemma G.4, (185)–(188)".into(),
        printed: "Azuma's inequality applied with a conditional-variance bound a".into(),
        finding: format!(
            "false as stated: c1 = 1/2, c2 = 1, γ = 0.6, A[0] = 1, A[1] = 0.4 ± 0.15 meets every hypothesis with a = \
                0.0225 and stays in the window with probability {} > bound {}; asymmetric up-jumps (p = 0.01) give \
                {} vs {}. G.4-R (a = squared conditional range) holds on all of them and on the Monte Carlo processes. \
                The same defect as G.3's E-G3a, here contradicting G.4's own printed (185). Grade S although the \
                statement is RECONSTRUCTED[m]: the variance hypothesis and the exponent of (185)/(188) are legible, \
                and the asymmetric family (Var → 0 at a fixed event probability) violates any bound of the form \
                exp(−K/a), whatever constant K a reading gives.",
            fmt(p1),
            fmt(b1),
            fmt(wtp.p),
            fmt(wb)
        ),
        reading: Reading::ReconstructedMedium,
        witnesses: out.witness_ids(&[&key(T1_EXAMPLE, PRINTED), &key(FAMILIES, PRINTED), ASYMMETRIC_MC]),
        witnessed: false,
        grade: Grade::S,
        instance: format!(
            "c1 = 1/2, c2 = 1, γ = 0.6, T = 1, A[0] = 1, A[1] = 0.4 ± 0.15 w.p. ½ ((1−γ)c2 = 0.4 < c1, a = Var = \
                0.0225): P(A[1] ∈ (1/2, 1]) = {} > exp(−0.02/0.0225) = {}",
            fmt(p1),
            fmt(b1)
        ),
    });
    Ok(out)
}
