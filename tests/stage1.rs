//! Stage 1 (Appendix C, Section 3.3): Lemmas C.2, C.3, C.4, C.5, C.7 (with Definition C.6) and
//! Theorem 3.3 — hypotheses audits, exact one-step checks at three state families, errata
//! witnesses with their repairs, the labelled practical-regime Monte Carlo and its negative
//! controls, and the scalar validator of (84)–(92).

mod common;

use common::{assert_sound, assert_verdict, exact, mc, run_quick, snapshot};
use shape_matters::claims::stage1::chains::n_tag;
use shape_matters::claims::stage1::exact::{ADVERSARIAL, TYPICAL};
use shape_matters::claims::stage1::setting::T33Literal;
use shape_matters::claims::stage1::{
    lemma_c_2 as c2, lemma_c_3 as c3, lemma_c_4 as c4, lemma_c_5 as c5, lemma_c_7 as c7, theorem_3_3 as t33,
};
use shape_matters::engine::exact::OneStep;
use shape_matters::evidence::{Class, ExactCheck, Outcome, Role, Verdict, key};
use shape_matters::tol;

/// The exact check with stable key `base@tag`.
fn exact_at<'a>(o: &'a Outcome, base: &str, tag: &str) -> &'a ExactCheck {
    exact(o, &key(base, tag))
}

fn exact_holds(o: &Outcome, base: &str, tag: &str) -> bool {
    exact_at(o, base, tag).holds()
}

fn exact_fails(o: &Outcome, base: &str, tag: &str) -> bool {
    exact_at(o, base, tag).violations > 0
}

/// Every practical-regime check is labelled practical by its audit (never literal).
fn assert_practical(o: &Outcome) {
    for c in &o.mc {
        assert!(matches!(c.class, Class::Practical { .. }), "{}: '{}' must be practical", o.claim, c.id);
    }
}

/// The derived conditions of the check data hold (the exact checks are about admissible data).
fn assert_check_data_admissible(o: &Outcome) {
    for a in o.audits.iter().filter(|a| a.id.starts_with("check data:")) {
        assert!(a.all_hold(), "{}: audit '{}' fails {:?}", o.claim, a.id, a.failing());
    }
}

#[test]
fn lemma_c2() {
    let o = run_quick("C.2");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    for tag in [TYPICAL, ADVERSARIAL] {
        for k in [c2::DRIFT_ABOVE, c2::INTERMEDIATE_38, c2::VARIANCE, c2::RANGE_G3R, c2::STEP_G3B] {
            assert!(exact_holds(&o, k, tag), "{k} [{tag}]");
        }
        assert!(exact_fails(&o, c2::CONTROL_FLIPPED, tag));
    }
    // The literal instance meets every printed hypothesis; Gaussian data cannot meet (C2-b).
    assert!(o.audit("C.2 literal").unwrap().all_hold());
    assert!(o.audit("C.2 literal, repaired").unwrap().all_hold());
    assert!(!o.audit("C.2 literal, Gaussian data").unwrap().all_hold());
    snapshot(&o);
}

/// Erratum witness E-G3a applied to C.2: the printed a = 4η²δ²b_x² is not a squared-range bound.
#[test]
fn erratum_witness_e_g3a_in_c2() {
    let o = run_quick("C.2");
    for tag in [TYPICAL, ADVERSARIAL] {
        assert!(exact_fails(&o, c2::PRINTED_A_AS_RANGE, tag));
        assert!(exact_holds(&o, c2::RANGE_G3R, tag));
    }
    assert!(o.erratum("E-G3a").unwrap().witnessed);
}

#[test]
fn lemma_c3() {
    let o = run_quick("C.3");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    for tag in [TYPICAL, ADVERSARIAL] {
        assert!(exact_holds(&o, c3::GROWTH, tag));
        assert!(exact_holds(&o, c3::SUMMED, tag));
        assert!(exact_fails(&o, c3::CONTROL_FLIPPED, tag));
    }
    // The crude cap 1200 is never approached in the practical regime.
    for c in o.mc.iter().filter(|c| c.role == Role::Primary) {
        assert_eq!(c.count, Some(0), "{}", c.id);
    }
    snapshot(&o);
}

#[test]
fn lemma_c4() {
    let o = run_quick("C.4");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    for tag in [TYPICAL, ADVERSARIAL, c4::WIDE_TAG] {
        assert!(exact_holds(&o, c4::LOG_DRIFT, tag), "{tag}");
        assert!(exact_holds(&o, c4::LOG_RANGE_REPAIRED, tag), "{tag}");
        assert!(exact_fails(&o, c4::CONTROL_FLIPPED, tag), "{tag}");
    }
    assert!(exact_holds(&o, c4::PRINTED_VARIANCE, TYPICAL));
    assert_verdict(&o, &key(c4::CONTROL_FLIPPED_GRADIENT, &n_tag(40)), Verdict::Violated);
    // Every support coordinate of the real chain climbs past 0.95.
    for n in [40, 200] {
        assert_eq!(mc(&o, &key(c4::NEVER_CLIMBS_REAL, &n_tag(n))).count, Some(0));
    }
    snapshot(&o);
}

/// Erratum witness E-C4: the per-step bound (2ηδ)² (range and, with a wide column, variance).
#[test]
fn erratum_witness_e_c4() {
    let o = run_quick("C.4");
    assert!(exact_fails(&o, c4::PRINTED_INCREMENT, TYPICAL));
    assert!(exact_fails(&o, c4::PRINTED_INCREMENT, c4::WIDE_TAG));
    assert!(exact_fails(&o, c4::PRINTED_VARIANCE, c4::WIDE_TAG));
    assert!(o.erratum("E-C4").unwrap().witnessed);
    assert!(o.audit("C.4 literal, repaired").unwrap().all_hold());
}

#[test]
fn lemma_c5() {
    let o = run_quick("C.5");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    for tag in [TYPICAL, ADVERSARIAL] {
        for k in [c5::INTERMEDIATE_66, c5::REPAIRED_GAMMA, c5::VARIANCE, c5::RANGE_G3R, c5::STEP_G3B] {
            assert!(exact_holds(&o, k, tag), "{k} [{tag}]");
        }
    }
    // With typical data (M_kk ≈ 1) the printed (67) holds.
    assert!(exact_holds(&o, c5::PRINTED_GAMMA, TYPICAL));
    assert_verdict(&o, &key(c5::CONTROL_GAUSS, &n_tag(40)), Verdict::Violated);
    snapshot(&o);
}

/// Erratum witness E-C5 (SPEC §5.5(f)): E[1 − v'_k] = 0.049953688 > 0.04995 at v_k = 0.95.
#[test]
fn erratum_witness_e_c5() {
    let p = c5::ec5_problem().unwrap();
    let st = p.stats();
    assert!(st.b_x == 1.0 && st.c_x < tol::STAGE1_HADAMARD_EXACT_ABS, "b_x = {}, C_x = {}", st.b_x, st.c_x);
    assert!(st.min_mkk >= 0.5 && st.min_mkk - 0.5 < tol::STAGE1_HADAMARD_EXACT_ABS, "M_00 = {}", st.min_mkk);
    let (closed, enumerated) = c5::ec5_expectation(&p, 0.95, 1e-3, 1.0);
    assert!((closed - 0.049953688).abs() < tol::STAGE1_SPEC_9_DECIMALS_ABS, "{closed}");
    assert!((closed - enumerated).abs() < tol::STAGE1_CLOSED_VS_ENUM_ABS, "{closed} vs {enumerated}");
    let printed = (1.0 - 1e-3) * (1.0 - 0.95);
    assert!(closed > printed + 3e-6, "{closed} must exceed {printed}");
    let repaired = (1.0 - 1e-3 / 4.0) * (1.0 - 0.95);
    assert!(closed < repaired);
    // And in the claim's report: the witness fails on the Hadamard and the adversarial data,
    // the repair and (66) hold on the same states.
    let o = run_quick("C.5");
    assert!(exact_fails(&o, c5::PRINTED_GAMMA, c5::EC5_TAG));
    let printed = exact_at(&o, c5::PRINTED_GAMMA, c5::EC5_TAG);
    assert_eq!(printed.violations, printed.states, "it fails on the whole window");
    assert!(exact_holds(&o, c5::REPAIRED_GAMMA, c5::EC5_TAG));
    assert!(exact_holds(&o, c5::INTERMEDIATE_66, c5::EC5_TAG));
    assert!(exact_fails(&o, c5::PRINTED_GAMMA, ADVERSARIAL));
    let e = o.erratum("E-C5").unwrap();
    assert!(e.witnessed && e.finding.contains("0.049953688"), "{}", e.finding);
    // At η = 1e−6 every hypothesis of C.5 holds (T = 1e6) and the witness persists.
    assert!(o.audit("E-C5 witness data, η = 0.000001").unwrap().all_hold());
}

#[test]
fn lemma_c7() {
    let o = run_quick("C.7");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    assert!(exact_holds(&o, c7::PRINTED_GAMMA7, TYPICAL));
    for tag in [TYPICAL, ADVERSARIAL] {
        assert!(exact_holds(&o, c7::REPAIRED_GAMMA7, tag));
        assert!(exact_holds(&o, c7::SUPERMARTINGALE, tag));
        assert!(exact_fails(&o, c7::CONTROL_FLIPPED, tag));
    }
    for n in [40, 200] {
        assert_verdict(&o, &key(c7::CONTRACTION, &n_tag(n)), Verdict::Confirmed);
    }
    assert_verdict(&o, &key(c7::CONTROL_NO_NOISE, &n_tag(40)), Verdict::Violated);
    assert_verdict(&o, &key(c7::CONTROL_GAUSS, &n_tag(40)), Verdict::Violated);
    snapshot(&o);
}

/// Erratum witness E-C7: γ7 = η²δ²/16 fails on purpose-built data within (C7-a); 1/32 holds.
#[test]
fn erratum_witness_e_c7() {
    let inst = c7::ec7_instance().unwrap();
    assert!(inst.derived_audit().hypotheses.iter().filter(|h| h.id.starts_with("(C7")).all(|h| h.holds));
    let mut v = vec![1e-9; c7::EC7_D];
    v[0] = 0.95;
    let pv = shape_matters::engine::lanes::PVec::from_slice(&v);
    assert!(inst.in_set(&pv));
    let os = OneStep::new(&inst.problem, &pv, inst.eta, inst.delta);
    let s = (inst.eta * inst.delta).powi(2);
    let m16 = -s / 16.0 - os.sqrt_factor_minus_one(1);
    let m32 = -s / 32.0 - os.sqrt_factor_minus_one(1);
    assert!(m16 < 0.0 && m16 / s < -1e-4, "1/16 margin {m16}");
    assert!(m32 > 0.0, "1/32 margin {m32}");
    let o = run_quick("C.7");
    assert!(exact_fails(&o, c7::PRINTED_GAMMA7, c7::EC7_TAG));
    assert!(exact_holds(&o, c7::REPAIRED_GAMMA7, c7::EC7_TAG));
    assert!(o.audit("E-C7 witness data").unwrap().all_hold());
    assert!(o.erratum("E-C7").unwrap().witnessed);
}

#[test]
fn theorem_3_3() {
    let o = run_quick("3.3");
    assert_sound(&o);
    assert_practical(&o);
    assert!(exact(&o, t33::SCALAR_CHAIN).holds());
    for id in [
        "3.3 literal d = 100, ε1 = 0.1",
        "3.3 literal d = 1000, ε1 = 0.1",
        "3.3 literal d = 100, ε1 = 0.1, repaired lemmas",
        "3.3 literal d = 1000, ε1 = 0.1, repaired lemmas",
    ] {
        assert!(o.audit(id).unwrap().all_hold(), "{id}");
    }
    assert_verdict(&o, &key(t33::CONTROL_NO_NOISE, &n_tag(40)), Verdict::Violated);
    assert_verdict(&o, &key(t33::CONTROL_GAUSS, &n_tag(40)), Verdict::Violated);
    assert!(o.mc_keyed(t33::INTERFACE).is_some());
    snapshot(&o);
}

/// The scalar validator reproduces SPEC §5.9's literal constants.
#[test]
fn theorem_3_3_literal_constants() {
    let a = T33Literal::literal();
    assert!((a.b_x - 5.87).abs() < 0.01 && (a.delta / 8.5e6 - 1.0).abs() < 0.01, "{} {}", a.b_x, a.delta);
    assert!((a.eta / 1.7e-22 - 1.0).abs() < 0.05 && (a.t / 1.9e33 - 1.0).abs() < 0.05, "{} {}", a.eta, a.t);
    assert!((a.eta * a.delta * a.delta / 1.2e-8 - 1.0).abs() < 0.05);
    let b = T33Literal::literal_at(1000, 0.1);
    assert!((b.b_x - 6.61).abs() < 0.01 && (b.delta / 9.5e6 - 1.0).abs() < 0.05, "{} {}", b.b_x, b.delta);
    assert!((b.t / 4.0e33 - 1.0).abs() < 0.05, "{}", b.t);
    assert!(a.c_x_max < 1e-21 && b.c_x_max < a.c_x_max);
}
