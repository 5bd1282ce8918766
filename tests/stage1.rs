//! Stage 1 (Appendix C, Section 3.3): Lemmas C.2, C.3, C.4, C.5, C.7 (with Definition C.6) and
//! Theorem 3.3 — hypotheses audits, exact one-step checks at three state families, errata
//! witnesses with their repairs, the labelled practical-regime Monte Carlo and its negative
//! controls, and the scalar validator of (84)–(92).

mod common;

use common::{assert_sound, assert_verdict, run_quick, snapshot};
use shape_matters::claims::stage1::common::{RHO, T33Literal};
use shape_matters::claims::stage1::{lemma_c_5 as c5, lemma_c_7 as c7};
use shape_matters::engine::exact::OneStep;
use shape_matters::evidence::{Outcome, Regime, Role, Verdict};

fn exact_holds(o: &Outcome, id: &str) -> bool {
    o.exact_check(id).unwrap_or_else(|| panic!("{}: no exact check '{id}'", o.claim)).holds()
}

fn exact_fails(o: &Outcome, id: &str) -> bool {
    o.exact_check(id).unwrap_or_else(|| panic!("{}: no exact check '{id}'", o.claim)).violations > 0
}

/// Every practical-regime check is labelled practical by its audit (never literal).
fn assert_practical(o: &Outcome) {
    for c in &o.mc {
        assert!(matches!(c.regime, Regime::Practical { .. }), "{}: '{}' must be practical", o.claim, c.id);
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
    for tag in ["typical", "adversarial"] {
        for id in
            ["(C2.2) drift above 1", "(38) intermediate", "(C2.3) variance", "(C2) range, G.3-R", "E-G3b step ≤ c1/6"]
        {
            assert!(exact_holds(&o, &format!("{id} [{tag}]")), "{id} [{tag}]");
        }
        assert!(exact_fails(&o, &format!("control: (C2.2) with the gradient sign flipped [{tag}]")));
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
    for tag in ["typical", "adversarial"] {
        assert!(exact_fails(&o, &format!("(C2) printed a as squared range [{tag}]")));
        assert!(exact_holds(&o, &format!("(C2) range, G.3-R [{tag}]")));
    }
    assert!(o.errata.iter().find(|e| e.id == "E-G3a").unwrap().witnessed);
}

#[test]
fn lemma_c3() {
    let o = run_quick("C.3");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    for tag in ["typical", "adversarial"] {
        assert!(exact_holds(&o, &format!("(C3.1) off-support growth [{tag}]")));
        assert!(exact_holds(&o, &format!("(C3.2) summed [{tag}]")));
        assert!(exact_fails(&o, &format!("control: (C3.1) with the gradient sign flipped [{tag}]")));
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
    for tag in ["typical", "adversarial", "wide column"] {
        assert!(exact_holds(&o, &format!("(C4.1) log-drift [{tag}]")), "{tag}");
        assert!(exact_holds(&o, &format!("(C4) log-increment range, repaired [{tag}]")), "{tag}");
        assert!(exact_fails(&o, &format!("control: (C4.1) with the gradient sign flipped [{tag}]")), "{tag}");
    }
    assert!(exact_holds(&o, "(C4) printed variance (2ηδ)² [typical]"));
    assert_verdict(&o, "control: flipped gradient, C.4 on v (n = 40)", Verdict::Violated);
    // Every support coordinate of the real chain climbs past 0.95.
    for n in [40, 200] {
        assert_eq!(
            o.mc_check(&format!("C.4 on v (n = {n}): P(∃k ∈ S: max_t v_k[t] < 1 − c1/2) ≤ ρ/6")).unwrap().count,
            Some(0)
        );
    }
    snapshot(&o);
}

/// Erratum witness E-C4: the per-step bound (2ηδ)² (range and, with a wide column, variance).
#[test]
fn erratum_witness_e_c4() {
    let o = run_quick("C.4");
    assert!(exact_fails(&o, "(C4) printed increment bound 2ηδ [typical]"));
    assert!(exact_fails(&o, "(C4) printed increment bound 2ηδ [wide column]"));
    assert!(exact_fails(&o, "(C4) printed variance (2ηδ)² [wide column]"));
    assert!(o.errata.iter().find(|e| e.id == "E-C4").unwrap().witnessed);
    assert!(o.audit("C.4 literal, repaired").unwrap().all_hold());
}

#[test]
fn lemma_c5() {
    let o = run_quick("C.5");
    assert_sound(&o);
    assert_practical(&o);
    assert_check_data_admissible(&o);
    for tag in ["typical", "adversarial"] {
        for id in [
            "(66) intermediate",
            "(C5.1) repaired γ = η/4",
            "(C5.2) variance",
            "(C5) range, G.3-R",
            "E-G3b step ≤ c1/6",
        ] {
            assert!(exact_holds(&o, &format!("{id} [{tag}]")), "{id} [{tag}]");
        }
    }
    // With typical data (M_kk ≈ 1) the printed (67) holds.
    assert!(exact_holds(&o, "(C5.1) printed γ = η [typical]"));
    assert_verdict(&o, "control: Gaussian noise, C.5 on v (n = 40)", Verdict::Violated);
    snapshot(&o);
}

/// Erratum witness E-C5 (SPEC §5.5(f)): E[1 − v'_k] = 0.049953688 > 0.04995 at v_k = 0.95.
#[test]
fn erratum_witness_e_c5() {
    let p = c5::ec5_problem().unwrap();
    let st = p.stats();
    assert!(st.b_x == 1.0 && st.c_x < 1e-15, "b_x = {}, C_x = {}", st.b_x, st.c_x);
    assert!(st.min_mkk >= 0.5 && st.min_mkk - 0.5 < 1e-15, "M_00 = {}", st.min_mkk);
    let (closed, enumerated) = c5::ec5_expectation(&p, 0.95, 1e-3, 1.0);
    assert!((closed - 0.049953688).abs() < 5e-10, "{closed}");
    assert!((closed - enumerated).abs() < 1e-15, "{closed} vs {enumerated}");
    let printed = (1.0 - 1e-3) * (1.0 - 0.95);
    assert!(closed > printed + 3e-6, "{closed} must exceed {printed}");
    let repaired = (1.0 - 1e-3 / 4.0) * (1.0 - 0.95);
    assert!(closed < repaired);
    // And in the claim's report: the witness fails on the Hadamard and the adversarial data,
    // the repair and (66) hold on the same states.
    let o = run_quick("C.5");
    assert!(exact_fails(&o, "(C5.1) printed γ = η [E-C5 Hadamard]"));
    assert_eq!(
        o.exact_check("(C5.1) printed γ = η [E-C5 Hadamard]").unwrap().violations,
        o.exact_check("(C5.1) printed γ = η [E-C5 Hadamard]").unwrap().states,
        "it fails on the whole window"
    );
    assert!(exact_holds(&o, "(C5.1) repaired γ = η/4 [E-C5 Hadamard]"));
    assert!(exact_holds(&o, "(66) intermediate [E-C5 Hadamard]"));
    assert!(exact_fails(&o, "(C5.1) printed γ = η [adversarial]"));
    let e = o.errata.iter().find(|e| e.id == "E-C5").unwrap();
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
    assert!(exact_holds(&o, "(C7.1) printed γ7 = η²δ²/16 [typical]"));
    for tag in ["typical", "adversarial"] {
        assert!(exact_holds(&o, &format!("(C7.1) repaired γ7 = η²δ²/32 [{tag}]")));
        assert!(exact_holds(&o, &format!("(C7) supermartingale, summed [{tag}]")));
        assert!(exact_fails(&o, &format!("control: repaired (C7.1) with the gradient sign flipped [{tag}]")));
    }
    for n in [40, 200] {
        assert_verdict(
            &o,
            &format!("C.7 contraction on v (n = {n}): P(Φ[T] > θ(1 − η²δ²/16)^T Φ[0]) ≤ 1/θ, θ = 1.8"),
            Verdict::Confirmed,
        );
    }
    assert_verdict(&o, "control: δ = 0, C.7 contraction on v (n = 40)", Verdict::Violated);
    assert_verdict(&o, "control: Gaussian noise σ = δ, C.7 contraction on v (n = 40)", Verdict::Violated);
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
    assert!(exact_fails(&o, "(C7.1) printed γ7 = η²δ²/16 [E-C7 Hadamard]"));
    assert!(exact_holds(&o, "(C7.1) repaired γ7 = η²δ²/32 [E-C7 Hadamard]"));
    assert!(o.audit("E-C7 witness data").unwrap().all_hold());
    assert!(o.errata.iter().find(|e| e.id == "E-C7").unwrap().witnessed);
}

#[test]
fn theorem_3_3() {
    let o = run_quick("3.3");
    assert_sound(&o);
    assert_practical(&o);
    assert!(exact_holds(&o, "(84)–(92) scalar chain"));
    for id in [
        "3.3 literal d = 100, ε1 = 0.1",
        "3.3 literal d = 1000, ε1 = 0.1",
        "3.3 literal d = 100, ε1 = 0.1, repaired lemmas",
        "3.3 literal d = 1000, ε1 = 0.1, repaired lemmas",
    ] {
        assert!(o.audit(id).unwrap().all_hold(), "{id}");
    }
    assert_verdict(&o, "control: δ = 0, 3.3 (n = 40, ε1 = 0.5)", Verdict::Violated);
    assert_verdict(&o, "control: Gaussian noise σ = δ, 3.3 (n = 40, ε1 = 0.5)", Verdict::Violated);
    assert!(o.mc_check("3.3 interface: P(Stage-0 output ∉ [ε_min, 1/d]^d) ≤ 0.01").is_some());
    snapshot(&o);
}

/// The scalar validator reproduces SPEC §5.9's literal constants.
#[test]
fn theorem_3_3_literal_constants() {
    let a = T33Literal::new(100, 5, RHO, 0.1, 250.0);
    assert!((a.b_x - 5.87).abs() < 0.01 && (a.delta / 8.5e6 - 1.0).abs() < 0.01, "{} {}", a.b_x, a.delta);
    assert!((a.eta / 1.7e-22 - 1.0).abs() < 0.05 && (a.t / 1.9e33 - 1.0).abs() < 0.05, "{} {}", a.eta, a.t);
    assert!((a.eta * a.delta * a.delta / 1.2e-8 - 1.0).abs() < 0.05);
    let b = T33Literal::new(1000, 5, RHO, 0.1, 250.0);
    assert!((b.b_x - 6.61).abs() < 0.01 && (b.delta / 9.5e6 - 1.0).abs() < 0.05, "{} {}", b.b_x, b.delta);
    assert!((b.t / 4.0e33 - 1.0).abs() < 0.05, "{}", b.t);
    assert!(a.c_x_max < 1e-21 && b.c_x_max < a.c_x_max);
}
