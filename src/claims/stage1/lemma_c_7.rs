//! Lemma C.7 (the off-support potential decays), Definition C.6, eqs. (76)–(83).
//!
//! > **Definition C.6.** For a vector `v` positive on each dimension, `Φ(v) = Σ_{k∉S} √v_k` if
//! > `‖v_S̄‖_1 ≤ ε` and `‖v_S‖_∞ ≤ b`; otherwise `Φ(v) = 0`.
//! >
//! > **Lemma C.7.** In the setting of Lemma C.2, assume `½ηδ² > 32(ε̃1² + r)C_x b_x²` and
//! > `Tη²δ² ≥ 16 log(6√d/(ρ√ε1))`. Then, with probability at least `1 − ρ/6`, there is
//! > `Φ(ṽ[T]) ≤ √ε1`.
//! > *Proof.* […] `E[Φ(ṽ[t+1])] ≤ Σ_{k∉S} √ṽ_k E_{s,i} √(1 + ηs x_k^(i) + η(ε̃1² + r)C_x b_x²)`
//! > `≤ (1 − η²δ²/16) Φ(ṽ[t])` (76)–(79) "by Taylor expansion"; Markov (80)–(83):
//! > `Pr(Φ(ṽ[T]) > √ε1) ≤ (1 − η²δ²/16)^T √d/√ε1 ≤ ρ/6`.
//!
//! (SPEC §5.6–§5.7, RECONSTRUCTED\[m\]; the coefficient of (C7-a) RECONSTRUCTED\[l\]; the OCR's
//! "`‖v_S‖_1 ≤ ε`" in C.6 is a typo for `‖v_S̄‖_1`.)
//!
//! # Formula
//! (C7.1) margin `1 − γ7 − E_{(i,s)} √F_k`, `k ∉ S`, at in-set states, `γ7 = η²δ²/16` (printed)
//! or `η²δ²/32` (repaired); `E√F_k − 1` is formed pairwise over `s = ±δ`
//! ([`sqrt_mean_minus_one_paired`]: no cancellation of the `±ηδx_k` terms; natural scale `η²δ²`).
//! (79) summed: `Σ_{k∉S} √ṽ_k (1 − γ7 − E√F_k)`.
//!
//! **E-C7** (SPEC §5.7(f), grade P: a proof step): `γ7 = η²δ²/16` is not derivable — the
//! second-order decrease is `EΔ²/8 ≥ η²δ²M_kk/8 ≥ η²δ²/16` *before* the drift `EΔ/2 = −η(Me)_k/2`,
//! which is positive when `M_jk > 0` for some `j ∈ S` with `ṽ_j < 1`. Witness at the literal cap
//! `ε̃1 = 12/ρ = 1200`: `16 × 16` Hadamard data, `S = {0}`, every off-support column with `M_kk =
//! 1/2` and `M_0k = C_x = 7.3e−7` (within (C7-a): `½ηδ² = 37.5 > 32(ε̃1² + r)C_x b_x² = 33.6`),
//! `δ = 1.5e6`, `ηδ = 5e−5`: (79) fails by `−4.84e−9·(ηδ)²` at `ṽ_0 = 0.01` (mpmath agrees).
//! Under (C7-a) the violation is at most `C_x/(2ηδ²) < 1/(128(ε̃1² + r)b_x²) ≈ 5.4e−9` of `(ηδ)²`.
//! Repair: `γ7 = η²δ²/32` (then (C7-b) needs `Tη²δ² ≥ 32 log(…)`).
//!
//! # Adversarial search
//! [`super::search::c7`] searches over C.7's admissible set ([`super::search::c7_set`]: `k = r ∉ S`
//! with its value a free share of the off-support mass, (C7-a) `½ηδ² > 32(ε̃1² + r)C_x b_x²`, `|Δ| ≤
//! 1/16`, C.2's (C2-c), `T` free, 16 × 16 coupled-Hadamard data with `M_kk ≥ 1/2`, `ρ ∈ [1e−3,
//! 1/2]`, `ε̃1 = 12/ρ`). From random starts it reaches far more negative (C7.1) and (79) margins
//! than the designed E-C7 witness (at `ρ = 1/2`, `ε̃1 = 24`, `b_x = 1/√2`, `r = 4` support
//! coordinates near 0 coupled positively to `k`, `C_x` at (C7-a)'s limit: about `−1.5e−3` per
//! coordinate against `−4.84e−9` at the literal cap), which it must rediscover; the repaired
//! `γ7 = η²δ²/32`, per coordinate and summed, shows no violation (worst ≈ 0.0297 of `η²δ²`).

use super::states::Family;
use super::{chains::*, exact::*, setting::*};
use crate::claim::{Claim, Ctx, PaperRef};
use crate::engine::exact::OneStep;
use crate::engine::lanes::PVec;
use crate::engine::model::{Data, Problem};
use crate::engine::stats;
use crate::error::Result;
use crate::evidence::{
    Erratum, Grade, Margin, McCheck, Outcome, PathStats, Provenance, Reading, Rel, Role, State, Table, key,
};
use crate::numfmt::fmt;
use crate::paper::{STAGE1_EPS1, STAGE1_LOG_INV_EPS_MIN};

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "C.7",
    title: "Lemma C.7 and Definition C.6 (the off-support potential decays)",
    paper: PaperRef { section: "Appendix C", equations: "(76)–(83)", spec: "§5.6–§5.7" },
    statement: "w.p. ≥ 1 − ρ/6, Φ(ṽ[T]) ≤ √ε1, from E[Φ(ṽ[t+1])] ≤ (1 − η²δ²/16)Φ(ṽ[t])",
    module: file!(),
    test: "tests/stage1.rs",
    accepts: ACCEPTS,
    run,
};

/// Markov factor of the practical contraction check: `P(Φ[T] > θ(1−γ7)^T Φ[0]) ≤ 1/θ`. It was set
/// to 1.8, below 2, *after* seeing that plain SGD (δ = 0) grows Φ by ~1.2 over T while
/// `(1−γ7)^T ≈ 0.61`, so that the δ = 0 control is caught: an exploratory threshold, reported and
/// never counted (its controls likewise).
pub const THETA: f64 = 1.8;

/// Key of the printed (79) per coordinate, `γ7 = η²δ²/16` (witness of E-C7 on the E-C7 data).
pub const PRINTED_GAMMA7: &str = "C7.1-printed-gamma7";
/// Key of the printed (79) summed over `k ∉ S` (witness of E-C7 on the E-C7 data).
pub const PRINTED_SUMMED: &str = "C7-79-printed-summed";
/// Key of the repaired (79), `γ7 = η²δ²/32`.
pub const REPAIRED_GAMMA7: &str = "C7.1-repaired-gamma7";
/// Key of the summed supermartingale inequality.
pub const SUPERMARTINGALE: &str = "C7-supermartingale";
/// Tag of the E-C7 witness data.
pub const EC7_TAG: &str = "E-C7 literal cap";
/// Key of the practical check on the coupled chain: `Φ(ṽ[T]) > √ε1`.
pub const POTENTIAL: &str = "C7-potential";
/// Key of the same event on the real chain `v`.
pub const POTENTIAL_REAL: &str = "C7-potential-real";
/// Key of the contraction check on the real chain.
pub const CONTRACTION: &str = "C7-contraction";
/// Key of the negative control with `δ = 0`.
pub const CONTROL_NO_NOISE: &str = "C7-control-no-noise";
/// Key of the negative control with Gaussian noise.
pub const CONTROL_GAUSS: &str = "C7-control-gauss";

/// The key of the contraction check's negative control with the dynamics `kind`.
fn control_key(kind: PracticalDyn) -> &'static str {
    if kind == PracticalDyn::NoNoise { CONTROL_NO_NOISE } else { CONTROL_GAUSS }
}

/// A row of the potential table: `Φ[T]/Φ[0]` (min, median, max), `(1 − η²δ²/16)^T = fac16`,
/// `(1 − η²δ²/32)^T = fac32`, the median `Φ[T]` and the two counts.
fn phi_row(label: String, run: &PracticalRun, fac16: f64, fac32: f64, counts: [String; 2]) -> Vec<String> {
    let ratio: Vec<f64> = run.chains.iter().map(|c| c.paths.real.phi_t / c.phi0).collect();
    let phi: Vec<f64> = run.chains.iter().map(|c| c.paths.real.phi_t).collect();
    let [coupled, real] = counts;
    vec![
        label,
        fmt(stats::quantile(&ratio, 0.0)),
        fmt(stats::quantile(&ratio, 0.5)),
        fmt(stats::quantile(&ratio, 1.0)),
        fmt(fac16),
        fmt(fac32),
        fmt(stats::quantile(&phi, 0.5)),
        coupled,
        real,
    ]
}

/// `1 − η²δ²/denom − E√F_k` (pairwise over `s = ±δ`, no cancellation), scaled by `η²δ²`, with the
/// size of the averaged terms `max|Δ_k|` as the magnitude for rounding.
pub fn c71(os: &OneStep, inst: &Inst, k: usize, denom: f64) -> Option<Margin> {
    let s = (inst.eta * inst.delta).powi(2);
    Some(Margin::scaled(-s / denom - sqrt_mean_minus_one_paired(os, k), s).with_magnitude(max_abs_delta(os, k)))
}

/// `(1 − η²δ²/denom)Φ(ṽ) − E[Σ_{k∉S} √ṽ'_k] = Σ_{k∉S} √ṽ_k (1 − η²δ²/denom − E√F_k)` (one value per
/// state, at `k = r`), scaled by `η²δ²Φ(ṽ)`.
pub fn summed(os: &OneStep, inst: &Inst, k: usize, denom: f64) -> Option<Margin> {
    let p = os.problem();
    if k != p.r() {
        return None;
    }
    let s = (inst.eta * inst.delta).powi(2);
    let (mut m, mut phi, mut mag) = (0.0, 0.0, 0.0);
    for j in p.r()..p.d() {
        let sq = vk(os, j).sqrt();
        phi += sq;
        m += sq * (-s / denom - sqrt_mean_minus_one_paired(os, j));
        mag += sq * max_abs_delta(os, j);
    }
    Some(Margin::scaled(m, s * phi).with_magnitude(mag))
}

/// The one-step inequalities of C.7; `printed` is the role of the `1/16` versions (`None`: not run).
/// Counted checks carry their control: the same margin for the kernel with the gradient sign
/// flipped.
pub fn inequalities(printed: Option<Role>) -> Vec<OneStepIneq> {
    let c16 = |os: &OneStep, inst: &Inst, k: usize| c71(os, inst, k, 16.0);
    let c32 = |os: &OneStep, inst: &Inst, k: usize| c71(os, inst, k, 32.0);
    let s16 = |os: &OneStep, inst: &Inst, k: usize| summed(os, inst, k, 16.0);
    let s32 = |os: &OneStep, inst: &Inst, k: usize| summed(os, inst, k, 32.0);
    let large = " where M_kk ṽ_k² is large";
    let mut v = Vec::new();
    if let Some(role) = printed {
        let per = OneStepIneq::new(
            PRINTED_GAMMA7,
            "(C7.1) printed γ7 = η²δ²/16",
            "1 − η²δ²/16 − E√F_k ≥ 0 for k ∉ S at in-set states (the bound of each term of (76)–(79)); scaled by η²δ²",
            role.clone(),
            Provenance::Paper,
            Scope::OffSupport,
            Box::new(c16),
        );
        let sum = OneStepIneq::new(
            PRINTED_SUMMED,
            "(79) printed, summed",
            "(1 − η²δ²/16)Φ(ṽ) − E[Σ_{k∉S} √ṽ'_k] ≥ 0 (one value per state; (79) itself when every next state stays \
                in the set); scaled by η²δ²Φ(ṽ)",
            role.clone(),
            Provenance::Paper,
            Scope::OffSupport,
            Box::new(s16),
        );
        if role == Role::Primary {
            v.push(per.flipped_control(large, Box::new(c16)));
            v.push(sum.flipped_control(large, Box::new(s16)));
        } else {
            v.push(per);
            v.push(sum);
        }
    }
    v.push(
        OneStepIneq::new(
            REPAIRED_GAMMA7,
            "(C7.1) repaired γ7 = η²δ²/32",
            "1 − η²δ²/32 − E√F_k ≥ 0 for k ∉ S at in-set states; scaled by η²δ²",
            Role::Repair { erratum: "E-C7".into() },
            Provenance::Derived,
            Scope::OffSupport,
            Box::new(c32),
        )
        .flipped_control(large, Box::new(c32)),
    );
    v.push(
        OneStepIneq::new(
            SUPERMARTINGALE,
            "(C7) supermartingale, summed",
            "(1 − η²δ²/32)Φ(ṽ) − E[Σ_{k∉S} √ṽ'_k] ≥ 0 (one value per state; Φ(ṽ') ≤ Σ √ṽ'_k); scaled by η²δ²Φ(ṽ)",
            Role::Repair { erratum: "E-C7".into() },
            Provenance::Derived,
            Scope::OffSupport,
            Box::new(s32),
        )
        .flipped_control(large, Box::new(s32)),
    );
    v
}

// ------------------------------------------------------------------------------------------
// The E-C7 witness
// ------------------------------------------------------------------------------------------

/// Size of the witness data.
pub const EC7_D: usize = 16;
/// The coupling `M_0k = C_x` of the witness data (every off-support `k`): close to the largest
/// value (C7-a) allows at the literal cap, `½ηδ²/(32(ε̃1² + r)b_x²) = 8.1e−7`.
pub const EC7_CX: f64 = 7.3e-7;
/// `ηδ` of the witness instance.
pub const EC7_ETA_DELTA: f64 = 5e-5;
/// `δ` of the witness instance: `≥ b_x(ε̃1² + r) = 1 440 001` (C.2's (C2-c) holds too).
pub const EC7_DELTA: f64 = 1.5e6;
/// Horizon `T` of the witness instance: `Tη²δ² = 250 ≥ 16 log(6√d/(ρ√ε1))` (C7-b).
pub const EC7_T: f64 = 1e11;

/// The E-C7 data: `16 × 16` Sylvester–Hadamard (`S = {0}`, `h_0 = 1`), every off-support column
/// replaced by `a(h_k + ε h_0)` with `M_kk = a²(1 + ε²) = ½(1 + 1e−12)` (the `1e−12` keeps
/// `M_kk ≥ 1/2` after rounding) and `M_0k = aε = C_x`; between off-support columns `M_jk = (aε)²`.
/// `b_x = 1` (column 0).
pub fn ec7_problem() -> Result<Problem> {
    let h = Data::hadamard(EC7_D)?;
    let a = (0.5 * (1.0 + 1e-12) - EC7_CX * EC7_CX).sqrt();
    let eps = EC7_CX / a;
    let rows: Vec<Vec<f64>> = (0..EC7_D)
        .map(|i| {
            let mut row = h.row_vec(i);
            for (k, x) in row.iter_mut().enumerate().skip(1) {
                *x = a * (h.x(i, k) + eps * h.x(i, 0));
            }
            row
        })
        .collect();
    Problem::new(Data::from_rows(&rows)?, 1)
}

/// The E-C7 instance at the literal cap `ε̃1 = 12/ρ = 1200`.
pub fn ec7_instance() -> Result<Inst> {
    let p = ec7_problem()?;
    let stats = p.stats();
    Ok(Inst {
        name: "E-C7 literal cap (M_kk = 1/2, M_0k = 7.3e-7 for k ∉ S)".into(),
        problem: p,
        stats,
        eta: EC7_ETA_DELTA / EC7_DELTA,
        delta: EC7_DELTA,
        cap: eps_tilde1(RHO),
        c1: C1,
    })
}

/// Witness states: `ṽ_0` on `{0.01, 1/16}` and a grid of `[0.1, 1.05]`; the off-support
/// coordinates all `1e−9`, or `ṽ_1 = 1e−6` and the rest `1e−12`, or all `1/16`, or `ṽ_1 = 10` and the
/// rest `1e−9` (where the flipped-gradient control must fail). Every state is in the set.
pub fn ec7_states(inst: &Inst) -> Vec<State> {
    let d = inst.problem.d();
    let mut out = Vec::new();
    let grid = [0.01, 1.0 / d as f64].into_iter().chain((0..=19).map(|j| 0.1 + j as f64 * 0.05));
    for v0 in grid {
        for (v1, rest) in [(1e-9, 1e-9), (1e-6, 1e-12), (1.0 / d as f64, 1.0 / d as f64), (10.0, 1e-9)] {
            let mut v = vec![rest; d];
            v[0] = v0;
            v[1] = v1;
            let label = format!("ṽ_0 = {}, ṽ_1 = {}, others {}", fmt(v0), fmt(v1), fmt(rest));
            out.push(State::new(PVec::from_slice(&v), Family::Adversarial.name(), label));
        }
    }
    out
}

/// Does every next state of `v` (all `2n` outcomes) stay in the coupling set? Then `Φ(ṽ') =
/// Σ_{k∉S} √ṽ'_k` and the summed check is (79) itself.
pub fn next_states_in_set(inst: &Inst, v: &PVec) -> bool {
    let os = OneStep::new(&inst.problem, v, inst.eta, inst.delta);
    (0..os.outcomes()).all(|o| os.next_state(o).is_some_and(|w| inst.in_set(&w)))
}

fn run(ctx: &Ctx) -> Result<Outcome> {
    let mut out = Outcome::new();
    let (pp, runs) = practical(ctx)?;
    let eps1 = 0.5;

    let lit = T33Literal::literal();
    out.audits.push(lit.setting().audit_c7("C.7 literal", LITERAL_TITLE));
    out.audits
        .push(lit.setting().audit_c7_repaired("C.7 literal, repaired", "the same instance with γ7 = η²δ²/32 (E-C7)"));

    // E-C7 witness at the literal cap ε̃1 = 12/ρ, every printed hypothesis of C.7 audited.
    let w = ec7_instance()?;
    let witness_setting = Setting {
        d: EC7_D,
        r: 1,
        rho: RHO,
        c1: C1,
        cap: w.cap,
        eps1: STAGE1_EPS1,
        log_inv_eps_min: STAGE1_LOG_INV_EPS_MIN,
        b_x: w.stats.b_x,
        c_x: w.stats.c_x,
        min_mkk: w.stats.min_mkk,
        eta: w.eta,
        delta: w.delta,
        t: EC7_T,
    };
    let mut wa = witness_setting.audit_c7(
        "E-C7 witness data",
        &format!(
            "16 × 16 Hadamard, S = {{0}}, every off-support column a(h_k + εh_0): M_kk = 1/2, M_0k = C_x = {}; ε̃1 = \
             12/ρ = {}, δ = {}, ηδ = {}, T = {}",
            fmt(EC7_CX),
            fmt(w.cap),
            fmt(w.delta),
            fmt(EC7_ETA_DELTA),
            fmt(EC7_T)
        ),
    );
    wa.check("ε̃1 = 12/ρ", "the coupling cap is the literal ε̃1 = 12/ρ", w.cap, Rel::Ge, eps_tilde1(RHO));
    wa.check(
        "(C2-c)",
        "δ ≥ b_x(ε̃1² + r) (C.2's hypothesis, if 'the setting of C.2' includes it)",
        w.delta,
        Rel::Ge,
        w.stats.b_x * witness_setting.er(),
    );
    let wstates = ec7_states(&w);
    wa.fact(
        "states in set",
        "every witness state and every one of its 2n next states is in the (1 + c1, ε̃1)-bounded coupling set (so \
         Φ(ṽ') = Σ_(k∉S) √ṽ'_k and the summed check is (79) itself)",
        wstates.iter().all(|st| w.in_set(&st.v) && next_states_in_set(&w, &st.v)),
    );
    wa.hypotheses
        .extend(w.derived_audit().hypotheses.into_iter().filter(|h| h.id.starts_with("(C7") || h.id == "M_kk ≥ 1/2"));
    out.audits.push(wa);
    let (wc, wt) = run_exact(ctx, &w, EC7_TAG, &wstates, &inequalities(Some(Role::Witness { erratum: "E-C7".into() })));
    let worst = wc.iter().find(|c| c.key == key(PRINTED_GAMMA7, EC7_TAG)).and_then(|c| c.worst_scaled);
    out.measure(
        "E-C7: worst (79) margin / (ηδ)² at the literal cap",
        worst.unwrap_or(f64::NAN),
        "per coordinate; an independent 50-digit computation (mpmath) gives −4.84e−9 at ṽ_0 = 0.01, off-support \
         1e−9 (and −4.50e−10 at ṽ_0 = 0.95); the margin is computed pairwise over s = ±δ (no cancellation), far \
         above 16 ulps of the averaged terms max|Δ_k| ≈ 3.5e−5",
    );
    out.exact.extend(wc);
    out.tables.push(wt);

    exact_layer(ctx, &mut out, &runs, both_instances(inequalities(Some(Role::Primary)), inequalities(None))?)?;
    crate::claims::search::run_searches(ctx, &mut out, &super::search::c7());

    // Practical Monte Carlo.
    let g16 = |s: &PracticalSpec| (1.0 - (s.eta * s.delta).powi(2) / 16.0).powf(s.steps as f64);
    let g32 = |s: &PracticalSpec| (1.0 - (s.eta * s.delta).powi(2) / 32.0).powf(s.steps as f64);
    let theta = THETA;
    let mut rows = Vec::new();
    let contraction = |run: &PracticalRun, fac: f64| -> u64 {
        run.chains.iter().filter(|c| exceeds(c.paths.real.phi_t, theta * fac * c.phi0)).count() as u64
    };
    for run in &runs {
        let id = format!("C.7 practical n = {}", run.spec.n);
        let regime = pp.push_audit(&mut out, run, eps1, &id, Setting::audit_c7);
        let n_ch = run.chains.len() as u64;
        let n = run.spec.n;
        let k = count_events(&run.chains, |c| c.paths.map(|p| exceeds(p.phi_t, eps1.sqrt())));
        let fac = g16(&run.spec);
        let km = contraction(run, fac);
        let checks = PathStats {
            coupled: PathCheck {
                key: POTENTIAL,
                id: format!("C.7 (n = {n}): P(Φ(ṽ[T]) > √ε1) ≤ ρ/6, ε1 = 0.5"),
                event: "the (1 + c1, ε̃1)-bounded potential of the coupled chain exceeds √ε1 at T (0 once the \
                        coupling froze)"
                    .into(),
            },
            real: PathCheck {
                key: POTENTIAL_REAL,
                id: format!("C.7 on v (n = {n}): P(Σ_(k∉S) √v_k[T] > √ε1) ≤ ρ/6, ε1 = 0.5"),
                event: "the off-support potential of the real chain v exceeds √ε1 at T".into(),
            },
        };
        push_on_paths(&mut out, &regime, n, checks, k, n_ch, RHO / 6.0);
        out.mc.push(
            McCheck::about(
                &format!("C.7 contraction on v (n = {n}): P(Φ[T] > θ(1 − η²δ²/16)^T Φ[0]) ≤ 1/θ, θ = 1.8"),
                &format!(
                    "Markov's inequality for the supermartingale (79) given v[0]: Φ = Σ_(k∉S) √v_k of the real \
                     chain, (1 − η²δ²/16)^T = {}",
                    fmt(fac)
                ),
                regime,
                Role::Primary,
            )
            .prob_upper(km, n_ch, 1.0 / theta)
            .threshold(Provenance::Exploratory)
            .keyed(key(CONTRACTION, &n_tag(n))),
        );
        let counts = [format!("{}/{n_ch}", k.coupled), format!("{}/{n_ch}", k.real)];
        rows.push(phi_row(format!("{n} (label noise)"), run, fac, g32(&run.spec), counts));
    }
    for kind in [PracticalDyn::NoNoise, PracticalDyn::GaussNoise] {
        let crun = practical_run(ctx, &pp.spec(pp.control_n, kind), None)?;
        let id = format!("C.7 control {} n = {}", kind.name(), crun.spec.n);
        let creg = pp.push_audit(&mut out, &crun, eps1, &id, Setting::audit_c7);
        // The same threshold as the label-noise check (γ7 from the label-noise δ).
        let fac = g16(&pp.spec(pp.control_n, PracticalDyn::LabelNoise));
        let km = contraction(&crun, fac);
        out.mc.push(
            McCheck::about(
                &format!("control: {}, C.7 contraction on v (n = {})", kind.name(), crun.spec.n),
                &format!("the same event Φ[T] > θ·{}·Φ[0] for {}", fmt(fac), crun.spec.dynamics().name()),
                creg,
                Role::Control { variant: kind.name().into() },
            )
            .prob_upper(km, crun.chains.len() as u64, 1.0 / theta)
            .threshold(Provenance::Exploratory)
            .with_diverged(crun.diverged())
            .keyed(key(control_key(kind), &n_tag(crun.spec.n))),
        );
        let label = format!("{} ({})", crun.spec.n, kind.name());
        let g = g32(&pp.spec(pp.control_n, PracticalDyn::LabelNoise));
        rows.push(phi_row(label, &crun, fac, g, ["—".into(), "—".into()]));
    }
    out.tables.push(Table {
        title: "Practical regime: the off-support potential Φ = Σ_(k∉S) √v_k of the real chain after T steps".into(),
        columns: vec![
            "n (dynamics)".into(),
            "min Φ[T]/Φ[0]".into(),
            "median Φ[T]/Φ[0]".into(),
            "max Φ[T]/Φ[0]".into(),
            "(1 − η²δ²/16)^T".into(),
            "(1 − η²δ²/32)^T".into(),
            "median Φ[T]".into(),
            "Φ(ṽ[T]) > √ε1".into(),
            "Φ(v[T]) > √ε1".into(),
        ],
        rows,
    });
    out.note(format!(
        "Practical regime: Tη²δ² = {} while (C7-b) asks for 16 log(6√d/(ρ√ε1)) = {}: T is ~{}× too short for the \
            lemma's conclusion Φ ≤ √ε1, which is much stronger than ‖v_S̄‖₁ ≤ ε1 (Φ² ≥ ‖v_S̄‖₁, by a factor up to d − \
            r). The potential does contract at the predicted rate (contraction check), and the coupled potential is 0 \
            for the chains whose coupling froze (C.2's overshoot).",
        fmt(pp.base.steps as f64 * (pp.base.eta * pp.base.delta).powi(2)),
        fmt(16.0 * c7_log(pp.base.d, RHO, eps1)),
        fmt(16.0 * c7_log(pp.base.d, RHO, eps1) / (pp.base.steps as f64 * (pp.base.eta * pp.base.delta).powi(2)))
    ));
    out.note(power_note(&pp, RHO / 6.0));
    out.note(format!(
        "The contraction checks use θ = {THETA}, set below 2 after seeing that plain SGD (δ = 0) grows Φ by ~1.2 over \
         T, so that the δ = 0 control is caught: the threshold is exploratory; these checks and their controls are \
         reported, never counted."
    ));
    out.errata.push(Erratum {
        id: "E-C7".into(),
        location: "Lemma C.7, (76)–(79): E√F_k ≤ 1 − η²δ²/16, hence E[Φ(ṽ[t+1])] ≤ (1 − η²δ²/16)Φ(ṽ[t])".into(),
        printed: "γ7 = η²δ²/16 by Taylor expansion".into(),
        finding: format!(
            "a proof step fails (grade P: the lemma's probability statement may still hold). With M_kk = 1/2 the \
             second-order decrease is exactly η²δ²/16 before the drift −η(Me)_k/2, which is positive when M_jk > 0 \
             for j ∈ S with ṽ_j < 1. At the literal cap ε̃1 = 12/ρ = 1200 with every printed hypothesis of C.7 \
             audited in code ((C7-a) ½ηδ² = {} > 32(ε̃1²+r)C_x b_x² = {}, (C7-b), |Δ| ≤ 1/16, M_kk ≥ 1/2; also C.2's δ \
             ≥ b_x(ε̃1²+r)), (79) fails per coordinate and summed, by {} (ηδ)² at worst (witness; an independent \
             50-digit mpmath computation of the same data gives −4.8417e−9), while 1 − η²δ²/32 holds at every state of every family (repair); \
             (C7-b) must then read Tη²δ² ≥ 32 log(6√d/(ρ√ε1)) (T doubles; absorbed by Theorem 3.3's T through \
             log(1/ε_min), audit 'C.7 literal, repaired'). The violation is small (C_x/(2ηδ²) ≤ 1/(128(ε̃1² + r)b_x²) \
             ≈ 5.4e−9 under (C7-a)) but decided: the margin is formed pairwise over s = ±δ without cancellation. With \
             typical data (M_kk ≈ 1) even 1/16 holds. The old witness used a generic cap ε̃ = 0.1, where (C7-a) \
             fails at the literal cap.",
            fmt(0.5 * w.eta * w.delta * w.delta),
            fmt(32.0 * witness_setting.er() * w.stats.c_x * w.stats.b_x * w.stats.b_x),
            worst.map(fmt).unwrap_or_else(|| "—".into())
        ),
        reading: Reading::ReconstructedMedium,
        witnesses: out.witness_ids(&[&key(PRINTED_GAMMA7, EC7_TAG), &key(PRINTED_SUMMED, EC7_TAG)]),
        witnessed: false,
        grade: Grade::P,
        instance: format!(
            "16 × 16 Sylvester–Hadamard, S = {{0}}, every off-support column a(h_k + εh_0) (M_kk = 1/2, M_0k = C_x = \
             {}, b_x = 1); ε̃1 = 12/ρ = 1200, δ = 1.5e6, ηδ = 5e−5, T = 1e11; states ṽ_0 ∈ [0.01, 1.05], off-support \
             1e−9 (worst at ṽ_0 = 0.01)",
            fmt(EC7_CX)
        ),
    });
    Ok(out)
}
