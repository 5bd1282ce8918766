//! The first claims: the Section 3.1 warm-up walks, Lemma G.1 and Lemma G.2.

mod common;

use common::{assert_sound, assert_verdict, run_quick, snapshot};
use shape_matters::evidence::{Regime, Verdict};

#[test]
fn warmup_walks() {
    let o = run_quick("warmup");
    assert_sound(&o);
    for id in [
        "(5): P(v_t > 1) = P(Bin(t,½) ≥ k*)",
        "(5): E√v_t = κ(η)^t",
        "(5): E[(1/t) log v_t] = ½ log(1 − η²)",
        "(5): E v_t = 1 (short horizon)",
        "(5): P(v_t > ε) ≤ κ^t/√ε",
        "(6): P(v_t > 1 + η√t) = P(Z > 1)",
        "(6): E v_t = 1",
    ] {
        assert_verdict(&o, id, Verdict::Confirmed);
    }
    assert_verdict(&o, "control (6): P(v_t > ε) ≤ κ^t/√ε", Verdict::Violated);
    assert!(o.exact_check("κ(η) ≤ 1 − η²/8").unwrap().holds());
    snapshot(&o);
}

#[test]
fn lemma_g1() {
    let o = run_quick("G.1");
    assert_sound(&o);
    assert_verdict(&o, "G.1: P(max|x| > b_x) ≤ ρ", Verdict::Confirmed);
    assert_verdict(&o, "G.1: P(max|x| > b_x) = exact", Verdict::Confirmed);
    assert_verdict(&o, "G.1 (40,100): P(max|x| > b_x) ≤ ρ", Verdict::Confirmed);
    assert_verdict(&o, "control: Laplace data, P(max|x| > b_x) ≤ ρ", Verdict::Violated);
    // SPEC §2.1(c): b_x = 5.42 and exact 2.4e−4 at n = 40, d = 100, ρ = 0.01/3.
    let b = shape_matters::claims::data::lemma_g_1::b_x(40, 100, 0.01 / 3.0);
    assert!((b - 5.42).abs() < 0.005, "{b}");
    let p = shape_matters::claims::data::lemma_g_1::exact_exceed(40, 100, b);
    assert!((p - 2.4e-4).abs() < 0.05e-4, "{p}");
    snapshot(&o);
}

#[test]
fn lemma_g2_and_erratum_e_g2() {
    let o = run_quick("G.2");
    assert_sound(&o);
    assert_verdict(&o, "G.2: P(∃k: M_kk < 1/2) ≤ ρ", Verdict::Confirmed);
    assert_verdict(&o, "G.2 (40,100): P(∃k: M_kk < 1/2) = exact", Verdict::Confirmed);
    assert_verdict(&o, "control: Laplace data, P(∃k: M_kk < 1/2) ≤ ρ", Verdict::Violated);
    // The experiment's size fails the printed hypothesis: labelled practical, never literal.
    let c = o.mc_check("G.2 (40,100): P(∃k: M_kk < 1/2) = exact").unwrap();
    assert!(matches!(c.regime, Regime::Practical { .. }));
    // E-G2: the printed statement fails (exactly) at the smallest n > 24 log d for small ρ.
    let w = o.exact_check("(177) as printed").unwrap();
    assert!(w.violations > 0);
    assert!(o.exact_check("(177) repaired").unwrap().holds());
    // SPEC §2.2(c) table values.
    use shape_matters::claims::data::lemma_g_2::{exact_fail, per_column};
    assert!((per_column(40) - 3.45e-3).abs() < 0.01e-3);
    assert!((exact_fail(40, 100) - 0.29).abs() < 0.005);
    assert!((exact_fail(40, 1000) - 0.97).abs() < 0.005);
    assert!((per_column(100) - 6.95e-6).abs() < 0.01e-6);
    snapshot(&o);
}
