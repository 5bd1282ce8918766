//! The first claims: the Section 3.1 warm-up walks, Lemma G.1 and Lemma G.2.

mod common;

use common::{assert_sound, assert_verdict, exact, mc, run_quick, snapshot};
use shape_matters::claims::data::{lemma_g_1 as g1, lemma_g_2 as g2};
use shape_matters::claims::warmup;
use shape_matters::evidence::{Class, Verdict};

#[test]
fn warmup_walks() {
    let o = run_quick("warmup");
    assert_sound(&o);
    for k in [
        warmup::EXCEED_ONE_LAW,
        warmup::MEAN_SQRT,
        warmup::LOG_RATE,
        warmup::MEAN_ONE_5,
        warmup::MARKOV_5,
        warmup::CLT_6,
        warmup::MEAN_ONE_6,
    ] {
        assert_verdict(&o, k, Verdict::Confirmed);
    }
    assert_verdict(&o, warmup::CONTROL_MARKOV_6, Verdict::Violated);
    assert!(exact(&o, warmup::KAPPA_BOUND).holds());
    snapshot(&o);
}

#[test]
fn lemma_g1() {
    let o = run_quick("G.1");
    assert_sound(&o);
    assert_verdict(&o, g1::BOUND, Verdict::Confirmed);
    assert_verdict(&o, g1::EXACT_LAW, Verdict::Confirmed);
    assert_verdict(&o, g1::BOUND_EXPERIMENT, Verdict::Confirmed);
    assert_verdict(&o, g1::CONTROL_LAPLACE, Verdict::Violated);
    assert!(exact(&o, g1::EXACT_GRID).holds() && exact(&o, g1::GAUSSIAN_TAIL).holds());
    // SPEC §2.1(c): b_x = 5.42 and exact 2.4e−4 at n = 40, d = 100, ρ = 0.01/3.
    let b = g1::b_x(40, 100, 0.01 / 3.0);
    assert!((b - 5.42).abs() < 0.005, "{b}");
    let p = g1::exact_exceed(40, 100, b);
    assert!((p - 2.4e-4).abs() < 0.05e-4, "{p}");
    snapshot(&o);
}

#[test]
fn lemma_g2_and_erratum_e_g2() {
    let o = run_quick("G.2");
    assert_sound(&o);
    assert_verdict(&o, g2::BOUND, Verdict::Confirmed);
    assert_verdict(&o, g2::EXACT_EXPERIMENT, Verdict::Confirmed);
    assert_verdict(&o, g2::CONTROL_LAPLACE, Verdict::Violated);
    assert!(exact(&o, g2::CHI2_TAIL).holds());
    // The experiment's size fails the printed hypothesis: labelled practical, never literal.
    let c = mc(&o, g2::EXACT_EXPERIMENT);
    assert!(matches!(c.class, Class::Practical { .. }));
    // E-G2: the printed statement fails (exactly) at the smallest n > 24 log d for small ρ.
    assert!(exact(&o, g2::PRINTED).violations > 0);
    assert!(exact(&o, g2::REPAIRED).holds());
    // SPEC §2.2(c) table values.
    use g2::{exact_fail, per_column};
    assert!((per_column(40) - 3.45e-3).abs() < 0.01e-3);
    assert!((exact_fail(40, 100) - 0.29).abs() < 0.005);
    assert!((exact_fail(40, 1000) - 0.97).abs() < 0.005);
    assert!((per_column(100) - 6.95e-6).abs() < 0.01e-6);
    snapshot(&o);
}
