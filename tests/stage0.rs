//! Stage 0 (Appendix B, Section 3.2): Lemma B.2, Lemma 3.2, Lemma B.4, Theorem 3.1, at the
//! paper's literal constants. The four claims share their chains through a process-wide cache, so
//! running them in one test binary costs one set of chains.

mod common;

use common::{assert_sound, assert_verdict, exact, mc, run_quick, snapshot};
use shape_matters::claim::{Budget, Ctx, DEFAULT_SEED};
use shape_matters::claims::stage0::audits::{audit_t31, audit_t31_constants};
use shape_matters::claims::stage0::setting::{Constants, Spec, inst_l, instance, l_spec, l0};
use shape_matters::claims::stage0::{lemma_3_2 as l3_2, lemma_b_2 as b2, lemma_b_4 as b4, theorem_3_1 as t3_1};
use shape_matters::claims::{self};
use shape_matters::engine::dynamics::Dynamics;
use shape_matters::engine::lanes::{self, PVec};
use shape_matters::engine::rng::stream;
use shape_matters::engine::schedule::Schedule;
use shape_matters::engine::stopped::{Batch, NoObserver, StopSet, run_chain};
use shape_matters::evidence::{Class, Grade, McKind, Outcome, Provenance, Verdict, control_key, key};
use shape_matters::overrides::Overrides;

fn primary_verdicts(o: &shape_matters::Outcome) -> Vec<(String, Verdict)> {
    o.mc.iter()
        .filter(|c| c.role == shape_matters::evidence::Role::Primary)
        .map(|c| (c.id.clone(), c.verdict))
        .collect()
}

#[test]
fn lemma_b2() {
    let o = run_quick("B.2");
    assert_sound(&o);
    eprintln!("B.2 verdicts: {:?}", primary_verdicts(&o));
    // The check with real power: the proof at level b = 2τd, bound ≈ 1/2.
    assert_verdict(&o, b2::VARIANT_EXIT, Verdict::Confirmed);
    let c = mc(&o, b2::VARIANT_EXIT);
    assert!(c.estimate > 0.35 && c.ci[1] < 0.5, "the variant is nearly tight: {} in {:?}", c.estimate, c.ci);
    assert_verdict(&o, b2::VARIANT_MEAN, Verdict::Confirmed);
    assert_verdict(&o, b2::VARIANT_EXIT_GAUSS, Verdict::Violated);
    assert_verdict(&o, b2::VARIANT_MEAN_GAUSS, Verdict::Violated);
    // The literal lemma at ρ = 0.3 on every chain of instance M (short horizon).
    assert_verdict(&o, &key(b2::EXIT_SHORT, "M"), Verdict::Confirmed);
    // ρ = 0.01 with 8 chains cannot confirm (N·β ≪ 5): the power note says so.
    assert_verdict(&o, &key(b2::EXIT, "L"), Verdict::Inconclusive);
    assert!(o.notes.iter().any(|n| n.contains("Power of 'B.2 @ L") && n.contains("too few chains to confirm")));
    for id in ["B.2 @ L", "B.2 @ M", "B.2(b) @ L", "B.2 @ M (short T)"] {
        assert!(matches!(Class::of(o.audit(id).unwrap()), Class::Literal { .. }), "{id} must be literal");
    }
    for k in [b2::DRIFT_COORD, b2::GRADIENT_BOUND, b2::ERROR_BOUND, b2::DRIFT_L1, b2::POSITIVITY] {
        assert!(exact(&o, k).holds(), "{k}");
    }
    // The adversarial states reach ‖e‖₁ ≈ b0²: the bound (16)–(17) is nearly attained there.
    assert!(exact(&o, b2::ERROR_BOUND).worst_scaled.unwrap() < 0.01);
    assert!(o.notes.iter().any(|n| n.starts_with("Caveat 1")) && o.notes.iter().any(|n| n.starts_with("Caveat 2")));
    snapshot(&o);
}

#[test]
fn lemma_3_2() {
    let o = run_quick("3.2");
    assert_sound(&o);
    eprintln!("3.2 verdicts: {:?}", primary_verdicts(&o));
    assert!(exact(&o, l3_2::COUPLING_IDENTITY).holds());
    assert!(exact(&o, l3_2::L2_BELOW_L1).holds());
    assert_verdict(&o, &key(l3_2::EXIT_SHORT, "M"), Verdict::Confirmed);
    assert_verdict(&o, l3_2::VARIANT_EXIT, Verdict::Confirmed);
    assert_verdict(&o, l3_2::VARIANT_EXIT_GAUSS, Verdict::Violated);
    assert_verdict(&o, &key(l3_2::EXIT, "L"), Verdict::Inconclusive);
    snapshot(&o);
}

#[test]
fn lemma_b4() {
    let o = run_quick("B.4");
    assert_sound(&o);
    eprintln!("B.4 verdicts: {:?}", primary_verdicts(&o));
    assert_verdict(&o, &key(b4::PHI_EXCEEDS, "M"), Verdict::Confirmed);
    assert_verdict(&o, &key(b4::PHI_EXCEEDS, "L"), Verdict::Inconclusive);
    let mean_phi = || o.mc.iter().filter(|c| c.key.starts_with(&key(b4::MEAN_PHI, "")));
    for c in mean_phi() {
        assert_eq!(c.verdict, Verdict::Confirmed, "{}", c.id);
    }
    assert!(mean_phi().count() >= 4, "E Φ at several t");
    assert_verdict(&o, &key(b4::PHI_EXCEEDS_NO_NOISE, "M"), Verdict::Violated);
    assert_verdict(&o, b4::PHI_EXCEEDS_GAUSS, Verdict::Violated);
    assert_verdict(&o, &key(b4::PHI_EXCEEDS_NO_NOISE, "L"), Verdict::Violated);
    // SPEC §4.5 pilot: max_k (E√F_k − 1)/(ηδ)² = −0.094 vs the claim −1/32 (margin ≈ 0.06 (ηδ)²).
    let w = exact(&o, b4::FACTOR).worst_scaled.unwrap();
    assert!(w > 0.03 && w < 0.1, "(B4.2) worst scaled margin {w}");
    assert!(exact(&o, b4::FACTOR_NO_NOISE).violations > 0);
    // (B4.1): the Taylor margin tends to 7/16 |Δ|³ as Δ → 0, computed without cancellation.
    let t = exact(&o, b4::TAYLOR).worst_scaled.unwrap();
    assert!((t - 7.0 / 16.0).abs() < 1e-3, "{t}");
    snapshot(&o);
}

#[test]
fn theorem_3_1() {
    let o = run_quick("3.1");
    assert_sound(&o);
    eprintln!("3.1 verdicts: {:?}", primary_verdicts(&o));
    assert!(matches!(Class::of(o.audit("3.1 @ L").unwrap()), Class::Literal { .. }));
    // ρ = 0.3 is not the theorem's 0.99: the audit refuses the literal label.
    match Class::of(o.audit("3.1 @ M").unwrap()) {
        Class::Practical { failing, .. } => assert_eq!(failing, vec!["ρ = 0.01".to_string()]),
        r => panic!("{r:?}"),
    }
    assert!(matches!(Class::of(o.audit("3.1 @ P0").unwrap()), Class::Practical { .. }));
    assert_verdict(&o, &key(t3_1::SUP_NORM, "L"), Verdict::Inconclusive);
    assert_verdict(&o, &key(t3_1::SUP_NORM, "M"), Verdict::Confirmed);
    // 300 chains cannot confirm 2ρ/3 = 0.0067 (N·β = 2); the default budget runs 1200.
    assert_verdict(&o, &key(t3_1::SUP_NORM, "P0"), Verdict::Inconclusive);
    for base in [t3_1::SUP_NORM_NO_NOISE, t3_1::SUP_NORM_GAUSS] {
        for tag in ["L", "P0"] {
            assert_verdict(&o, &key(base, tag), Verdict::Violated);
        }
    }
    // The lower bound must hold surely, on every chain.
    for k in [t3_1::LOWER_34, t3_1::LOWER_35, t3_1::IMPLICATION] {
        assert!(exact(&o, k).holds(), "{k}");
    }
    // Errata: witnesses fail, repairs hold.
    for e in ["E-T31a", "E-T31b", "E-T31c"] {
        assert!(o.erratum(e).is_some_and(|x| x.witnessed), "{e}");
    }
    // SPEC: a typical ln v_k[T0] ≈ −(ηδ)²T0 M_kk/2 ≈ −16 L0 (≈ −163 at d = 20).
    let m = o.measurements.iter().find(|m| m.name == "L: median over chains of (1/d) Σ_k ln v_k[T0]").unwrap();
    let l0 = l0(20, 1.0, 0.01);
    assert!((m.value / (-16.0 * l0) - 1.0).abs() < 0.15, "{} vs {}", m.value, -16.0 * l0);
    snapshot(&o);
}

/// Every counted exact check of a claim has its linked control, caught (the control's key is
/// `<key>!control`); assert_sound checks the same, this names the keys.
fn controls_caught(o: &Outcome, keys: &[&str]) {
    for k in keys {
        let c = exact(o, k);
        assert!(c.counted(), "{k} must be counted");
        let ctl = exact(o, &control_key(k));
        assert!(ctl.violations > 0 && !ctl.equality_by_rounding(), "{k}: control not caught: {ctl:?}");
    }
}

/// No audit hypothesis is a fact recorded as a constant: the setting's old `setting` fact (always
/// `true`) is replaced by checks of δ > 0, η > 0 and v[0] = τ·1 at the instance.
fn no_constant_setting_fact(o: &Outcome) {
    for a in &o.audits {
        assert!(a.hypotheses.iter().all(|h| h.id != "setting"), "{}: constant setting fact", a.id);
    }
}

/// Issue 13, case 2: B.2's equality E‖ṽ_b‖₁ = τd has the exact-law margin 2% of τd (was the
/// hand-chosen 0.15·τd) and is confirmed at the quick budget (at t = T/10, more chains); the
/// variant's exit check, whose level and horizon were picked from pilot runs, is exploratory and
/// not counted; every exact check has a caught control.
#[test]
fn lemma_b2_labels() {
    let o = run_quick("B.2");
    let c = mc(&o, b2::VARIANT_MEAN);
    let McKind::MeanEquals { mu0, margin, .. } = c.kind else { panic!("{:?}", c.kind) };
    assert_eq!(mu0, 20.0);
    assert!((margin / mu0 - shape_matters::tol::EXACT_LAW_MEAN_REL_MARGIN).abs() < 1e-12, "{margin}");
    assert_eq!(c.threshold, Provenance::PreStated);
    assert_eq!(c.verdict, Verdict::Confirmed);
    assert_verdict(&o, b2::VARIANT_MEAN_GAUSS, Verdict::Violated);
    for k in [b2::VARIANT_EXIT, b2::VARIANT_EXIT_GAUSS] {
        assert_eq!(mc(&o, k).threshold, Provenance::Exploratory, "{k}");
        assert!(!mc(&o, k).counts());
    }
    for k in [key(b2::EXIT, "L"), key(b2::EXIT, "M"), key(b2::EXIT_SHORT, "M")] {
        assert_eq!(mc(&o, &k).threshold, Provenance::Paper, "{k}");
    }
    controls_caught(&o, &[b2::DRIFT_COORD, b2::GRADIENT_BOUND, b2::ERROR_BOUND, b2::DRIFT_L1, b2::POSITIVITY]);
    no_constant_setting_fact(&o);
    let line = o.summary().line();
    assert!(line.contains("exploratory 2") && line.contains("exact 5/5 (controls 5/5)"), "{line}");
}

/// Issue 13, case 2 (Lemma 3.2): the ℓ2 variant's level b = (5/4)τd was picked from pilot runs, so
/// its check is exploratory; ‖v‖₂ ≤ ‖v‖₁ cannot fail (computed fact); the coupling identity records
/// +1 (not a margin of exactly 0, which reads as an equality by rounding) and its control, the
/// re-run compared with another chain, is caught.
#[test]
fn lemma_3_2_labels() {
    let o = run_quick("3.2");
    for k in [l3_2::VARIANT_EXIT, l3_2::VARIANT_EXIT_GAUSS] {
        assert_eq!(mc(&o, k).threshold, Provenance::Exploratory, "{k}");
    }
    assert!(!exact(&o, l3_2::L2_BELOW_L1).counted());
    let id = exact(&o, l3_2::COUPLING_IDENTITY);
    assert!(id.holds() && !id.equality_by_rounding() && id.worst_margin == Some(1.0));
    controls_caught(&o, &[l3_2::COUPLING_IDENTITY]);
    no_constant_setting_fact(&o);
}

/// Issue 13, case 5 (Lemma B.4): all nine exact checks are counted with a caught control each; the
/// old free-standing δ = 0 check is now (B4.2)'s linked control; E Φ's bound is derived from the
/// proof, P(Φ > √ε0) ≤ ρ/3 is printed.
#[test]
fn lemma_b4_labels() {
    let o = run_quick("B.4");
    controls_caught(
        &o,
        &[
            b4::TAYLOR,
            b4::REMAINDER,
            b4::PER_OUTCOME,
            b4::PER_COORD,
            b4::SECOND_MOMENT,
            b4::STEP_SIZE,
            b4::H2_STEP,
            b4::FACTOR,
            b4::CONTRACTION,
        ],
    );
    assert_eq!(b4::FACTOR_NO_NOISE, control_key(b4::FACTOR));
    assert_eq!(mc(&o, &key(b4::PHI_EXCEEDS, "M")).threshold, Provenance::Paper);
    assert!(o.mc.iter().filter(|c| c.key.starts_with(b4::MEAN_PHI)).all(|c| c.threshold == Provenance::Derived));
    no_constant_setting_fact(&o);
}

/// Issue 14 (Lemma B.4): every designed exact inequality is searched over the lemma's admissible
/// set (the scalar range of (B4.1)/(26); data with M_kk ≥ 1/2, (H1), (H2), states in the b0-ball):
/// no violation, every point admissible, each control caught, and each control's witness file
/// re-verifies from the file alone with the same margin bitwise. The search is at least as
/// adversarial as the designed states, and reaches the analytic worst cases: 7/16 for (B4.1) as
/// Δ → 0+, 1/2 − (1/16)·2^{5/2} at ξ = −1/2 for (26), ≈ 1/64 for (25) at M_kk = 1/2 with (H2)
/// tight (the proof's chain of bounds is tight there up to the Taylor remainder).
#[test]
fn lemma_b4_search() {
    let o = run_quick("B.4");
    let keys = [
        b4::TAYLOR,
        b4::REMAINDER,
        b4::PER_OUTCOME,
        b4::PER_COORD,
        b4::SECOND_MOMENT,
        b4::STEP_SIZE,
        b4::H2_STEP,
        b4::FACTOR,
        b4::CONTRACTION,
    ];
    assert_eq!(o.search.len(), 2 * keys.len());
    for k in keys {
        let c = o.search_keyed(k).unwrap_or_else(|| panic!("no search keyed {k}"));
        assert!(c.as_expected() && !c.violated(), "{k}: {}", c.result());
        assert!(c.evaluations > 0 && c.inadmissible == 0, "{k}: {} inadmissible", c.inadmissible);
        let (w, designed) = (c.worst_scaled.unwrap(), c.designed.unwrap());
        assert!(w > 0.0 && w <= designed + 1e-12, "{k}: search {w} vs designed {designed}");
        assert!(c.witness.is_none(), "{k}");
        let ctl = o.search_keyed(&control_key(k)).unwrap_or_else(|| panic!("no control of {k}"));
        assert!(ctl.violated() && ctl.as_expected(), "{k}: control not caught: {}", ctl.result());
        let file = ctl.witness.as_ref().expect("a caught control writes its witness");
        // From the file's text alone (JSON written, parsed back, recomputed).
        let text = serde_json::to_string_pretty(file).unwrap();
        let parsed = shape_matters::claims::search::parse_witness(&text, "test").unwrap();
        let r = shape_matters::claims::search::reverify(&parsed, "test").unwrap();
        assert!(r.is_witness(), "{k}: control witness does not re-verify");
        assert_eq!(r.margin.margin.to_bits(), file.margin.to_bits(), "{k}: margin not bitwise equal");
    }
    let w = |k: &str| o.search_keyed(k).unwrap().worst_scaled.unwrap();
    assert!((w(b4::TAYLOR) - 7.0 / 16.0).abs() < 1e-6, "{}", w(b4::TAYLOR));
    assert!((w(b4::REMAINDER) - (0.5 - 2f64.powf(2.5) / 16.0)).abs() < 1e-9, "{}", w(b4::REMAINDER));
    assert!((w(b4::PER_COORD) - 1.0 / 64.0).abs() < 1e-3, "{}", w(b4::PER_COORD));
    assert!(w(b4::FACTOR) > 0.0 && w(b4::FACTOR) < 0.03, "{}", w(b4::FACTOR));
}

/// Issue 13, case 3: Theorem 3.1's per-chain lower bound (34)/(35) holds with a margin of ≈ 0.9995
/// of the bound's magnitude; it stays a counted check because its control (Lemma B.4's mean
/// contraction used as a sure per-step factor) is caught by the same code, and its looseness is
/// printed as a measurement. The implication Σ√v ≤ √ε0 ⇒ max v ≤ ε0 cannot fail: computed. The
/// three errata are graded P (proof steps; the Õ statement stands), each with its instance at the
/// proof's literal constants.
#[test]
fn theorem_3_1_labels() {
    let o = run_quick("3.1");
    controls_caught(
        &o,
        &[
            t3_1::STEP_32,
            t3_1::STEP_33,
            t3_1::LOWER_34,
            t3_1::LOWER_35,
            t3_1::EXP_REPAIRED,
            t3_1::STEP_35_REPAIRED,
            t3_1::ETA_HI,
        ],
    );
    let l34 = exact(&o, t3_1::LOWER_34);
    let ratio = l34.worst_scaled.unwrap();
    assert!(ratio > 0.99 && ratio < 1.0, "(34)'s margin is {ratio} of the bound: loose, and must be shown as such");
    let loose = o.measurements.iter().find(|m| m.name.starts_with("L: looseness of (34)")).expect("looseness printed");
    assert!(loose.value > 100.0, "{}", loose.value);
    assert!(!exact(&o, t3_1::IMPLICATION).counted());
    for e in ["E-T31a", "E-T31b", "E-T31c"] {
        let x = o.erratum(e).unwrap();
        assert_eq!(x.grade, Grade::P, "{e}");
        assert!(x.witnessed, "{e}");
        assert!(!x.instance.is_empty(), "{e}");
    }
    assert!(o.erratum("E-T31a").unwrap().instance.contains("d = 20, n = 100"));
    assert!(o.erratum("E-T31c").unwrap().instance.contains("η_lo"));
    assert_eq!(mc(&o, &key(t3_1::SUP_NORM, "L")).threshold, Provenance::Derived);
    no_constant_setting_fact(&o);
}

/// SPEC §4.6's literal table, recomputed by the validator (b_x from G.1 at ρ/3, δ = 1.05 δ_min,
/// η = η_hi).
#[test]
fn validator_reproduces_spec_table() {
    type Row = ((usize, usize, usize), f64, f64, f64, f64, f64);
    let rows: [Row; 4] = [
        ((20, 40, 2), 5.12, 1.27e17, 4.8e-20, 0.0061, 8.74e6),
        ((100, 40, 5), 5.42, 4.66e18, 1.24e-21, 0.0058, 1.21e7),
        ((100, 200, 5), 5.71, 5.45e18, 1.0e-21, 0.0055, 1.35e7),
        ((1000, 40, 5), 5.83, 7.39e20, 7.25e-24, 0.0054, 1.79e7),
    ];
    for ((d, n, r), bx, delta, eta, ed, t0) in rows {
        let c = Constants::new(&t3_1::spec_row(d, n, r)).unwrap();
        let rel = |a: f64, b: f64, tol: f64| (a / b - 1.0).abs() < tol;
        assert!((c.b_x - bx).abs() < 0.006, "d={d} n={n}: b_x {}", c.b_x);
        assert!(rel(c.delta, delta, 0.01), "d={d} n={n}: δ {}", c.delta);
        assert!(rel(c.eta, eta, 0.02), "d={d} n={n}: η {}", c.eta);
        assert!((c.eta_delta() - ed).abs() < 0.00006, "d={d} n={n}: ηδ {}", c.eta_delta());
        assert!(rel(c.t0 as f64, t0, 0.005), "d={d} n={n}: T0 {}", c.t0);
        assert_eq!(c.b0, 6.0 * d as f64 / 0.01);
        // Every parameter hypothesis holds …
        let a = audit_t31_constants("row", &c, c.t0);
        let failing = a.failing();
        assert!(failing.iter().all(|f| f == "P(D0ᶜ) ≤ ρ/3"), "d={d} n={n}: {failing:?}");
        // … but at n = 40 the data event is far more likely to fail than ρ/3: not literal for the
        // theorem (the lemmas assume the data event and stay literal).
        if n == 40 {
            assert_eq!(failing, vec!["P(D0ᶜ) ≤ ρ/3".to_string()], "d={d}");
            assert!(matches!(Class::of(&a), Class::Practical { .. }));
        } else {
            assert!(matches!(Class::of(&a), Class::Literal { .. }), "d={d} n={n}: {failing:?}");
        }
    }
}

/// The validator refuses the literal label whenever a hypothesis fails.
#[test]
fn validator_refuses_literal_when_a_hypothesis_fails() {
    let base = Spec::literal(20, 100, 2, 1.0, 0.01);
    let c = Constants::new(&base).unwrap();
    assert!(audit_t31_constants("ok", &c, c.t0).all_hold());
    let case = |f: &dyn Fn(&mut Spec), t: Option<u64>, must_fail: &[&str]| {
        let mut s = base.clone();
        f(&mut s);
        let c = Constants::new(&s).unwrap();
        let a = audit_t31_constants("case", &c, t.unwrap_or(c.t));
        let failing = a.failing();
        for m in must_fail {
            assert!(failing.iter().any(|x| x == m), "{s:?}: expected {m} among {failing:?}");
        }
        assert!(matches!(Class::of(&a), Class::Practical { .. }));
    };
    // δ below δ_min (η = η_hi(δ)): fails δ ≥ δ_min and then η ≥ η_lo.
    case(&|s| s.delta = Some(0.5 * c.delta_min), None, &["δ ≥ δ_min", "η ≥ η_lo"]);
    // η above η_hi: (H1) fails with it.
    case(&|s| s.eta = Some(4.0 * c.eta_hi), None, &["η ≤ η_hi", "(H1)"]);
    // η below η_lo: (H2) still holds but B.2's condition at T0 fails.
    case(&|s| s.eta = Some(0.5 * c.eta_lo), None, &["η ≥ η_lo", "B.2 η condition"]);
    // T different from T0.
    case(&|_| {}, Some(c.t0 / 2), &["T ≥ T0"]);
    case(&|_| {}, Some(c.t0 * 2), &["T ≤ T0", "B.2 η condition"]);
    // ρ other than 0.01 (the theorem's confidence 0.99).
    case(&|s| s.rho = 0.3, None, &["ρ = 0.01"]);
    // Too few samples for the data event.
    case(&|s| s.n = 40, None, &["P(D0ᶜ) ≤ ρ/3"]);
    // Invalid inputs are typed errors naming the parameter.
    let mut s = base.clone();
    s.rho = 1.5;
    assert!(Constants::new(&s).unwrap_err().to_string().contains("rho"));
    let mut s = base.clone();
    s.r = 21;
    assert!(Constants::new(&s).unwrap_err().to_string().contains("r = 21"));
    let mut s = base.clone();
    s.eta = Some(1e-40);
    let e = Constants::new(&s).unwrap_err().to_string();
    assert!(e.contains("eta") && e.contains("T0"), "{e}");
    let mut s = base.clone();
    s.delta = Some(-1.0);
    assert!(Constants::new(&s).unwrap_err().to_string().contains("delta"));
}

/// Overrides reach instance L and are validated; the data event is enforced.
#[test]
fn overrides_are_validated() {
    let c = claims::find("B.2").unwrap();
    let run = |o: Overrides| {
        let mut ctx = Ctx::new(Budget::Quick, DEFAULT_SEED);
        ctx.overrides = o;
        c.execute(&ctx)
    };
    let e = run(Overrides { rho: Some(1.0), ..Default::default() }).unwrap_err().to_string();
    assert!(e.contains("rho"), "{e}");
    let e = run(Overrides { d: Some(4), r: Some(5), ..Default::default() }).unwrap_err().to_string();
    assert!(e.contains("r = 5"), "{e}");
    let e = run(Overrides { chains: Some(0), ..Default::default() }).unwrap_err().to_string();
    assert!(e.contains("chains"), "{e}");
    // n = 2 cannot meet min_k M_kk ≥ 1/2 with b_x bounded … in reasonable time for d = 20: the
    // conditioning gives up with a message naming the event.
    let mut ctx = Ctx::new(Budget::Quick, DEFAULT_SEED);
    ctx.overrides = Overrides { n: Some(1), d: Some(60), r: Some(2), ..Default::default() };
    let spec = l_spec(&ctx).unwrap();
    let e = instance("L-override-test", &spec, DEFAULT_SEED).unwrap_err().to_string();
    assert!(e.contains("data event") && e.contains("larger n"), "{e}");
    // A δ override below δ_min is accepted but audited: the regime becomes practical.
    ctx.overrides = Overrides { delta: Some(1e10), steps: Some(1000), ..Default::default() };
    let spec = l_spec(&ctx).unwrap();
    let inst = instance("L", &spec, DEFAULT_SEED).unwrap();
    assert!(matches!(Class::of(&audit_t31("x", &inst, inst.c.t)), Class::Practical { .. }));
}

/// The b0-bounded coupling read off an unstopped chain equals the engine's stopped chain.
#[test]
fn derived_coupling_equals_engine_stopped_chain() {
    let ctx = Ctx::new(Budget::Quick, DEFAULT_SEED);
    let l = inst_l(&ctx).unwrap();
    let b = 2.0 * l.c.d as f64; // a level the chains do cross
    let t = 100_000;
    let sched = Schedule::constant(l.c.eta, t).unwrap();
    let dynamics = Dynamics::Alg1 { delta: l.c.delta };
    let mut crossed = 0;
    for j in 0..24u64 {
        let stopped = run_chain(
            Batch::new(&l.p, &dynamics, &sched, StopSet::L1Ball { b }),
            l.v0(),
            &mut stream(9, "coupling", "c", j),
            &mut NoObserver,
        );
        let mut exit = None;
        let mut at_exit: Option<PVec> = None;
        let free = run_chain(
            Batch::new(&l.p, &dynamics, &sched, StopSet::Never),
            l.v0(),
            &mut stream(9, "coupling", "c", j),
            &mut |s: u64, v: &PVec| {
                if exit.is_none() && lanes::sum_abs(v.blocks()) > b {
                    exit = Some(s);
                    at_exit = Some(v.clone());
                }
            },
        );
        assert_eq!(stopped.exit_step, exit, "chain {j}");
        match exit {
            Some(_) => {
                crossed += 1;
                assert_eq!(Some(stopped.v), at_exit);
            }
            None => assert_eq!(stopped.v, free.v),
        }
    }
    assert!(crossed > 0 && crossed < 24, "{crossed}");
}

/// The errata, each by a direct computation.
#[test]
fn errata_by_direct_computation() {
    let ctx = Ctx::new(Budget::Quick, DEFAULT_SEED);
    let l = inst_l(&ctx).unwrap();
    let c = &l.c;
    // E-T31a: the printed (32) without b_x fails for an outcome with s x_k = −δ|x_k|, |x_k| > 1, at
    // v = τ·1 (a real state: v[0]); with b_x restored it holds.
    let v = l.v0();
    let res = l.p.residuals(&v);
    let (mut printed_fails, mut repaired_fails) = (0, 0);
    for (i, r) in res.iter().enumerate() {
        for k in 0..c.d {
            let x = l.p.data().x(i, k);
            let s = -c.delta * x.signum();
            let f_minus_1 = c.eta * (s - r) * x; // F_k − 1
            let printed = -c.eta * c.delta - c.eta * (c.b0 * c.b0 + c.r as f64); // (1 − ηδ − η(b0²+r)) − 1
            let repaired = -c.eta * c.delta * c.b_x - c.eta * c.big_b;
            printed_fails += (f_minus_1 < printed) as u32;
            repaired_fails += (f_minus_1 < repaired) as u32;
        }
    }
    assert!(printed_fails > 0 && repaired_fails == 0, "{printed_fails} {repaired_fails}");
    // E-T31b: (1 − x)^T < e^{−xT} at the theorem's numbers x = 2ηδ, T = T0, so τ(1 − 2ηδ)^T0 ≥
    // τ exp(−64 L0/(ηδ)) is false; the repair e^{−xT/(1−x)} holds.
    let x = 2.0 * c.eta_delta();
    let t0 = c.t0 as f64;
    assert!(t0 * (-x).ln_1p() < -x * t0);
    assert!(t0 * (-x).ln_1p() < -64.0 * c.l0 / c.eta_delta());
    assert!(t0 * (-x).ln_1p() >= -x * t0 / (1.0 - x));
    // E-T31c: at η = η_lo exactly, B.2's condition fails because of the ceiling in T0.
    let mut s = l_spec(&ctx).unwrap();
    s.delta = Some(c.delta);
    s.eta = Some(c.eta_lo);
    let lo = Constants::new(&s).unwrap();
    assert!(lo.eta > lo.b2_eta_max(lo.t0), "{} vs {}", lo.eta, lo.b2_eta_max(lo.t0));
    assert!(c.eta <= c.b2_eta_max(c.t0));
}

/// The CLI refuses bad Stage-0 overrides with one line naming the parameter (before any chain runs).
#[test]
fn cli_rejects_bad_overrides() {
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_shape-matters"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("binary runs")
    };
    for (args, must) in [
        (vec!["check", "3.1", "--rho", "1.5"], vec!["--rho", "(0, 1)"]),
        (vec!["check", "B.4", "--sigma", "1"], vec!["does not accept --sigma", "--rho"]),
        (vec!["check", "B.2", "--d", "3", "--r", "5"], vec!["r = 5", "r <= d = 3"]),
        (vec!["check", "3.2", "--eta", "-1"], vec!["--eta", "> 0"]),
        (vec!["check", "B.4", "--eta", "1e-60"], vec!["eta", "T0"]),
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        for m in must {
            assert!(err.contains(m), "{args:?}: '{m}' not in '{err}'");
        }
    }
}
