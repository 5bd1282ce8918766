//! Lemmas G.3 and G.4 (Appendix G): the exact counter-examples to the printed (variance) versions
//! (erratum E-G3a), the corrected range versions G.3-R / G.4-R by Monte Carlo on synthetic
//! processes, and the unstated step-size condition of the applications (erratum E-G3b).

mod common;

use common::{assert_sound, assert_verdict, exact, mc, measurement, run_quick, snapshot};
use shape_matters::claims::martingale::lemma_g_3 as g3;
use shape_matters::claims::martingale::lemma_g_4 as g4;
use shape_matters::claims::martingale::process::{PRINTED, REPAIRED};
use shape_matters::evidence::{Class, Verdict, key};

#[test]
fn lemma_g3() {
    let o = run_quick("G.3");
    assert_sound(&o);
    for j in 0..g3::CASES {
        let k = key(g3::CASE, &j.to_string());
        assert_verdict(&o, &k, Verdict::Confirmed);
        assert!(
            matches!(mc(&o, &k).class, Class::Literal { .. }),
            "{k}: the synthetic process meets G.3-R's hypotheses"
        );
    }
    assert_verdict(&o, g3::CONTROL_DRIFT, Verdict::Violated);
    assert!(exact(&o, g3::FORMS).holds());
    snapshot(&o);
}

/// Erratum witness E-G3a (exact): T = 1, ξ = ±0.6, P = 0.5 against exp(−1/0.72) = 0.249.
#[test]
fn erratum_witness_e_g3a_exact() {
    let o = run_quick("G.3");
    let w = exact(&o, &key(g3::T1_EXAMPLE, PRINTED));
    assert_eq!(w.violations, 1, "the printed bound must fail at the T = 1 example");
    let p = measurement(&o, "E-G3a: P(event), T = 1");
    let b = measurement(&o, "E-G3a: printed bound, T = 1");
    assert_eq!(p, 0.5);
    assert!((b - (-1.0f64 / 0.72).exp()).abs() < 1e-15 && (b - 0.2494).abs() < 1e-4, "{b}");
    assert!(exact(&o, &key(g3::T1_EXAMPLE, REPAIRED)).holds());
    // The two-step family: exactly 1/4 on (0.2563, 0.505), violated on (0.2563, 0.427).
    assert_eq!(g3::two_step_prob(0.26), 0.25);
    assert_eq!(g3::two_step_prob(0.25), 0.0);
    let lo = o.measurements.iter().find(|m| m.name.ends_with("smallest violating h")).unwrap().value;
    let hi = o.measurements.iter().find(|m| m.name.ends_with("largest violating h")).unwrap().value;
    assert!((lo - 0.257).abs() < 1.5e-3 && (hi - 0.426).abs() < 1.5e-3, "{lo} {hi}");
    for family in [g3::TWO_STEP_FAMILY, g3::ASYMMETRIC_FAMILY] {
        assert!(exact(&o, &key(family, PRINTED)).violations > 0, "{family}");
        assert!(exact(&o, &key(family, REPAIRED)).holds(), "{family}");
    }
    assert_verdict(&o, g3::ASYMMETRIC_MC, Verdict::Violated);
    assert!(o.erratum("E-G3a").unwrap().witnessed);
}

/// Erratum witness E-G3b: the decomposition fails with jumps, holds with steps ≤ c/6.
#[test]
fn erratum_witness_e_g3b() {
    let o = run_quick("G.3");
    let w = exact(&o, g3::DECOMPOSITION_JUMPS);
    assert!(w.states > 100 && w.violations > 0, "{} of {}", w.violations, w.states);
    let r = exact(&o, g3::DECOMPOSITION_SMALL);
    assert!(r.states > 100 && r.holds());
    // The per-path test itself.
    assert_eq!(g3::decomposition_covers(&[0.3, 1.05], 1.0), Some(false));
    assert_eq!(g3::decomposition_covers(&[0.4, 0.6, 1.05], 1.0), Some(true));
    assert_eq!(g3::decomposition_covers(&[0.4, 0.6, 0.9], 1.0), None);
}

#[test]
fn lemma_g4() {
    let o = run_quick("G.4");
    assert_sound(&o);
    for j in 0..g4::CASES {
        assert_verdict(&o, &key(g4::CASE, &j.to_string()), Verdict::Confirmed);
    }
    assert_verdict(&o, g4::CONTROL_NO_CONTRACTION, Verdict::Violated);
    // Erratum witness E-G3a for G.4: P = 1/2 against 0.411.
    let w = exact(&o, &key(g4::T1_EXAMPLE, PRINTED));
    assert_eq!(w.violations, 1);
    let b = measurement(&o, "E-G3a (G.4): printed bound, T = 1");
    assert!((b - (-0.02f64 / 0.0225).exp()).abs() < 1e-12, "{b}");
    assert!(exact(&o, &key(g4::T1_EXAMPLE, REPAIRED)).holds());
    assert!(exact(&o, &key(g4::FAMILIES, PRINTED)).violations > 0);
    assert!(exact(&o, &key(g4::FAMILIES, REPAIRED)).holds());
    assert!(exact(&o, g4::FORMS).holds());
    assert_verdict(&o, g4::ASYMMETRIC_MC, Verdict::Violated);
    snapshot(&o);
}
