//! Lemmas G.3 and G.4 (Appendix G): the exact counter-examples to the printed (variance) versions
//! (erratum E-G3a), the corrected range versions G.3-R / G.4-R by Monte Carlo on synthetic
//! processes, and the unstated step-size condition of the applications (erratum E-G3b).

mod common;

use common::{assert_sound, assert_verdict, measurement, run_quick, snapshot};
use shape_matters::claims::martingale::lemma_g_3 as g3;
use shape_matters::evidence::{Regime, Verdict};

#[test]
fn lemma_g3() {
    let o = run_quick("G.3");
    assert_sound(&o);
    for id in [
        "G.3-R: uniform AR, T = 50",
        "G.3-R: ±0.3 AR, T = 2",
        "G.3-R: ±0.18 AR, T = 3",
        "G.3-R: asymmetric jumps with freezing, T = 20",
    ] {
        assert_verdict(&o, id, Verdict::Confirmed);
        assert!(
            matches!(o.mc_check(id).unwrap().regime, Regime::Literal { .. }),
            "{id}: the synthetic process meets G.3-R's hypotheses"
        );
    }
    assert_verdict(&o, "control: upward drift, G.3-R bound", Verdict::Violated);
    assert!(o.exact_check("(179) first form ≤ T-free form").unwrap().holds());
    snapshot(&o);
}

/// Erratum witness E-G3a (exact): T = 1, ξ = ±0.6, P = 0.5 against exp(−1/0.72) = 0.249.
#[test]
fn erratum_witness_e_g3a_exact() {
    let o = run_quick("G.3");
    let w = o.exact_check("(179) printed, T = 1 example").unwrap();
    assert_eq!(w.violations, 1, "the printed bound must fail at the T = 1 example");
    let p = measurement(&o, "E-G3a: P(event), T = 1");
    let b = measurement(&o, "E-G3a: printed bound, T = 1");
    assert_eq!(p, 0.5);
    assert!((b - (-1.0f64 / 0.72).exp()).abs() < 1e-15 && (b - 0.2494).abs() < 1e-4, "{b}");
    assert!(o.exact_check("(179) G.3-R, T = 1 example").unwrap().holds());
    // The two-step family: exactly 1/4 on (0.2563, 0.505), violated on (0.2563, 0.427).
    assert_eq!(g3::two_step_prob(0.26), 0.25);
    assert_eq!(g3::two_step_prob(0.25), 0.0);
    let lo = o.measurements.iter().find(|m| m.name.ends_with("smallest violating h")).unwrap().value;
    let hi = o.measurements.iter().find(|m| m.name.ends_with("largest violating h")).unwrap().value;
    assert!((lo - 0.257).abs() < 1.5e-3 && (hi - 0.426).abs() < 1.5e-3, "{lo} {hi}");
    assert!(o.exact_check("(179) printed, two-step family").unwrap().violations > 0);
    assert!(o.exact_check("(179) G.3-R, two-step family").unwrap().holds());
    assert!(o.exact_check("(179) printed, asymmetric two-point family").unwrap().violations > 0);
    assert!(o.exact_check("(179) G.3-R, asymmetric two-point family").unwrap().holds());
    assert_verdict(&o, "(179) printed: asymmetric jumps, T = 3", Verdict::Violated);
    assert!(o.errata.iter().find(|e| e.id == "E-G3a").unwrap().witnessed);
}

/// Erratum witness E-G3b: the decomposition fails with jumps, holds with steps ≤ c/6.
#[test]
fn erratum_witness_e_g3b() {
    let o = run_quick("G.3");
    let w = o.exact_check("E-G3b decomposition, jumps > c/6").unwrap();
    assert!(w.states > 100 && w.violations > 0, "{} of {}", w.violations, w.states);
    let r = o.exact_check("E-G3b decomposition, steps ≤ c/6").unwrap();
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
    for id in ["G.4-R: uniform AR, T = 50", "G.4-R: ±0.15 AR, T = 1", "G.4-R: ±0.12 AR, T = 3"] {
        assert_verdict(&o, id, Verdict::Confirmed);
    }
    assert_verdict(&o, "control: no contraction, G.4-R bound", Verdict::Violated);
    // Erratum witness E-G3a for G.4: P = 1/2 against 0.411.
    let w = o.exact_check("(185) printed, T = 1 example").unwrap();
    assert_eq!(w.violations, 1);
    let b = measurement(&o, "E-G3a (G.4): printed bound, T = 1");
    assert!((b - (-0.02f64 / 0.0225).exp()).abs() < 1e-12, "{b}");
    assert!(o.exact_check("(185) G.4-R, T = 1 example").unwrap().holds());
    assert!(o.exact_check("(188) ≤ (189)").unwrap().holds());
    assert_verdict(&o, "(185) printed: asymmetric jumps, T = 1", Verdict::Violated);
    snapshot(&o);
}
