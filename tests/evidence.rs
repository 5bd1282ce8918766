//! The evidence harness on its own: equivalence tests (TOST) for equalities, the taxonomy of what a
//! check tests, exact checks that can be seen to fail, equalities decided by rounding, graded
//! errata and threshold provenance. Each test builds its checks by hand, so the harness's rules are
//! tested apart from any claim.

use shape_matters::evidence::{
    Audit, Class, Equivalence, ExactCheck, FAMILY_ALPHA, McCheck, Outcome, Provenance, Rel, Role, Verdict, finalize,
};

fn decided(checks: Vec<McCheck>) -> Vec<McCheck> {
    let mut o = Outcome::new();
    o.mc = checks;
    let mut v = vec![o];
    finalize(&mut v, FAMILY_ALPHA);
    v.pop().unwrap().mc
}

fn literal() -> Class {
    let mut a = Audit::new("A", "an instance");
    a.check("(H)", "n ≤ d", 3.0, Rel::Le, 4.0);
    Class::of(&a)
}

fn law(count: u64, trials: u64, p0: f64) -> McCheck {
    McCheck::about("law", "an exact law", Class::supporting("an exact law"), Role::Primary).prob_equals(
        count,
        trials,
        p0,
        Equivalence::absolute(0.02, "exact law: at most 0.02 absolute (stated before the run)"),
    )
}

/// The old rule confirmed Wendel at (3, 2) with 66/200 against p0 = 0.25 (interval [0.247, 0.421]):
/// "not rejected" is not evidence of equality. The equivalence test cannot confirm it.
#[test]
fn a_wide_interval_is_not_an_equality() {
    let c = decided(vec![law(66, 200, 0.25)]).pop().unwrap();
    assert_ne!(c.verdict, Verdict::Confirmed, "66/200 against 0.25 ± 0.02 confirmed: {c:?}");
    assert!(c.p_confirm > 0.5, "TOST p = {}", c.p_confirm);
}

/// Enough instances at the exact value confirm it at margin 0.02; the same data against p0 shifted
/// by 0.05 are VIOLATED (the deliberately wrong bound of the issue).
#[test]
fn equivalence_confirms_and_a_shifted_law_is_violated() {
    let n = 20_000;
    let k = 5_000; // p̂ = 0.25 exactly
    let v = decided(vec![law(k, n, 0.25), law(k, n, 0.30)]);
    assert_eq!(v[0].verdict, Verdict::Confirmed, "{:?}", v[0]);
    assert_eq!(v[1].verdict, Verdict::Violated, "{:?}", v[1]);
    // Both p-values of each equality enter Holm.
    assert_eq!(v[0].holm_family, Some(4));
}

#[test]
fn mean_equivalence() {
    let xs: Vec<f64> = (0..4000).map(|i| 1.0 + if i % 2 == 0 { 0.1 } else { -0.1 }).collect();
    let eq = || Equivalence::relative(0.02, 1.0, "2% of the target");
    let about = || McCheck::about("m", "a mean", literal(), Role::Primary);
    let v = decided(vec![
        about().mean_equals(&xs, 1.0, eq()),
        about().mean_equals(&xs, 1.05, Equivalence::relative(0.02, 1.05, "2% of the target")),
    ]);
    assert_eq!(v[0].verdict, Verdict::Confirmed);
    assert_eq!(v[1].verdict, Verdict::Violated);
    assert_eq!(v[0].threshold, Provenance::PreStated);
}

/// The class of a statement check comes from its audit: literal, literal on designed data, or
/// practical when a hypothesis fails.
#[test]
fn the_audit_decides_the_class() {
    let mut a = Audit::new("A", "x");
    a.check("(H1)", "n ≤ d/3", 40.0, Rel::Le, 100.0 / 3.0);
    assert!(matches!(Class::of(&a), Class::Practical { ref failing, .. } if failing == &["(H1)".to_string()]));
    let mut b = Audit::new("B", "Hadamard design").on_designed_data();
    b.check("(H1)", "n ≤ d", 16.0, Rel::Le, 16.0);
    assert_eq!(Class::of(&b).name(), "statement, literal on designed data");
    assert_eq!(literal().name(), "statement, literal");
}

/// A margin within a few ulps of 0 is an equality decided by rounding: neither a pass nor, for a
/// witness, a failure.
#[test]
fn equality_by_rounding() {
    let mut c = ExactCheck::new("(66)", "x ≤ y", Role::Primary);
    c.record_le(1.0 - 9.4e-16, 1.0, || "E-C5 data".into());
    assert!(c.holds() && c.equality_by_rounding());
    assert_eq!(c.result(), "equality (by rounding)");
    let mut w = ExactCheck::new("(66)", "x ≤ y", Role::Witness { erratum: "E".into() });
    w.record_le(1.0 + 4.0 * f64::EPSILON, 1.0, || "s".into());
    assert!(w.violations > 0 && !w.as_expected(), "a rounding-level violation witnesses nothing");
    let mut g = ExactCheck::new("(g)", "x ≤ y", Role::Primary);
    g.record_le(0.5, 1.0, || "s".into());
    assert!(g.holds() && !g.equality_by_rounding());
    let mut z = ExactCheck::new("(z)", "hi − x ≥ 0 at x = hi", Role::Primary);
    z.record(0.0, || "the interval's end".into());
    assert!(z.equality_by_rounding(), "an exact 0 is an equality");
}

/// The summary separates the classes: statement, supporting, exact with controls, computed,
/// exploratory, errata by grade.
#[test]
fn summary_separates_the_classes() {
    let mut o = Outcome::new();
    let lit = McCheck::about("s", "statement", literal(), Role::Primary)
        .prob_upper(0, 2000, 0.01)
        .threshold(Provenance::Paper);
    let sup = law(5000, 20_000, 0.25);
    let explo = McCheck::about("x", "exploratory", literal(), Role::Primary)
        .prob_upper(0, 2000, 0.01)
        .threshold(Provenance::Exploratory);
    o.mc = vec![lit, sup, explo];
    let mut e = ExactCheck::new("(E)", "a ≤ b", Role::Primary).keyed("E").threshold(Provenance::Paper);
    e.record_le(0.5, 1.0, || "s".into());
    let mut ctl = ExactCheck::control_for(&e, "b halved");
    ctl.record_le(0.5, 0.25, || "s".into());
    let mut f = ExactCheck::new("(F)", "Σ c_s = 1", Role::Primary).computed("the c_s are normalised");
    f.record(0.0, || "s".into());
    o.exact = vec![e, ctl, f];
    let mut v = vec![o];
    finalize(&mut v, FAMILY_ALPHA);
    let line = v[0].summary().line();
    assert_eq!(
        line,
        "statement literal: CONFIRMED 1/1 · supporting: CONFIRMED 1/1 · exact 1/1 (controls 1/1) · computed 1 · \
         exploratory 1"
    );
}

/// A self-check that fails (a control not caught, a computed fact that does not hold) makes the
/// outcome invalid at these parameters: the summary gives no verdict on the paper.
#[test]
fn a_failed_self_check_invalidates_the_outcome() {
    let mut o = Outcome::new();
    let mut e = ExactCheck::new("(E)", "a ≤ b", Role::Primary).keyed("E").threshold(Provenance::Paper);
    e.record_le(0.5, 1.0, || "s".into());
    let mut ctl = ExactCheck::control_for(&e, "b doubled (wrongly harmless)");
    ctl.record_le(0.5, 2.0, || "s".into());
    let mut f = ExactCheck::new("(F)", "an identity", Role::Primary).computed("true by construction");
    f.record(-0.5, || "underflow".into());
    o.exact = vec![e, ctl, f];
    let mut v = vec![o];
    finalize(&mut v, FAMILY_ALPHA);
    let reasons = v[0].invalid_reasons();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    let line = v[0].summary().line();
    assert!(line.starts_with("INVALID at these parameters"), "{line}");
    // The uncaught control is also an unexpected check (exit status 1).
    assert_eq!(v[0].unexpected(), vec!["(E) [control: b doubled (wrongly harmless)]".to_string()]);
}

/// An audit side that overflows is decided on its true value and recorded finite, named in the
/// statement: no report or JSON carries a non-finite number (found by the long property run:
/// `check C.2 --delta 1e-308` put a null in the JSON).
#[test]
fn an_overflowing_audit_side_is_named_not_null() {
    let mut a = Audit::new("A", "δ = 1e-308");
    let holds = a.check("(C2-a)", "b_x(ε̃1² + r)/δ ≤ 1", f64::INFINITY, Rel::Le, 1.0);
    assert!(!holds);
    let h = &a.hypotheses[0];
    assert!(h.lhs.is_finite() && !h.holds);
    assert!(h.statement.contains("lhs is +∞ (overflow)"), "{}", h.statement);
    let mut b = Audit::new("B", "NaN");
    assert!(!b.check("(H)", "x ≥ 0", f64::NAN, Rel::Ge, 0.0));
    assert!(b.hypotheses[0].statement.contains("undefined (NaN)"));
}
