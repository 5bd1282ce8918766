//! Stage 2 (Appendix D: Theorem D.1, Lemmas D.3–D.6) and the main result (Theorem 2.1).
//!
//! The claims D.1, D.3–D.6 share one simulation of the literal round per process (cached in
//! `stage2::chains`), so running them in one test binary pays for it once. The errata have their
//! own tests: each builds the concrete data and state where the printed inequality fails, checks
//! the failure from the closed forms, and checks the repaired statement on the same state.

mod common;

use common::{assert_sound, assert_verdict, exact, mc, measurement, run_quick, snapshot};
use shape_matters::claims::stage2::chains::{GaussVariant, Variant};
use shape_matters::claims::stage2::exact::{drift_margin, witness_instance};
use shape_matters::claims::stage2::search as s2s;
use shape_matters::claims::stage2::setting::{
    EPS_PREV_LITERAL, Instance, designed_instance, literal_instance, log_term, log40, printed_eta, steps_for,
};
use shape_matters::claims::stage2::states::{OffPattern, Side, Window, deviation, state};
use shape_matters::claims::stage2::{lemma_d_3 as d3, lemma_d_4 as d4, lemma_d_5 as d5, lemma_d_6 as d6};
use shape_matters::claims::stage2::{theorem_2_1 as t21, theorem_d_1 as d1};
use shape_matters::engine::exact::OneStep;
use shape_matters::engine::lanes::PVec;
use shape_matters::evidence::{Class, Outcome, Role, Verdict, key};

fn timed(id: &str) -> Outcome {
    let t0 = std::time::Instant::now();
    let o = run_quick(id);
    eprintln!("[stage2] {id}: {:.1} s (claim {:.1} s)", t0.elapsed().as_secs_f64(), o.elapsed_s.unwrap_or(0.0));
    o
}

/// The literal checks hold in the sample, are labelled literal by their audits, and (at the
/// quick budget, N·β ≪ 5) cannot confirm — they are INCONCLUSIVE, never silently CONFIRMED.
fn assert_literal_clean(o: &Outcome, keys: &[String]) {
    for id in keys {
        let c = mc(o, id);
        assert!(
            matches!(c.class, Class::Designed { .. }),
            "{}: {id} is not literal on designed data: {:?}",
            o.claim,
            c.class
        );
        assert_eq!(c.count, Some(0), "{}: {id}: bad events in the literal round", o.claim);
        assert_eq!(c.diverged, 0, "{}: {id}", o.claim);
        assert_eq!(c.verdict, Verdict::Inconclusive, "{}: {id}: quick budget has no power to confirm β", o.claim);
        assert!(c.detectable_rate.is_some_and(|r| r < 0.8), "{}: {id}: the check must be able to fail", o.claim);
    }
}

fn exact_worst(o: &Outcome, key: &str) -> f64 {
    exact(o, key).worst_scaled.expect("states evaluated")
}

/// The adversarial searches of a claim (issue 14): every listed search came out as its role
/// requires, with no inadmissible chart point, and its control was caught; the known witnesses
/// were rediscovered from random starts; every witness file re-verifies bitwise.
fn assert_searches(o: &Outcome, keys: &[&str], rediscover: &[&str]) {
    use shape_matters::claims::search::reverify;
    use shape_matters::evidence::control_key;
    assert_eq!(o.search.len(), 2 * keys.len(), "{}: every search and its control", o.claim);
    for &k in keys {
        let c = o.search_keyed(k).unwrap_or_else(|| panic!("{}: no search {k}", o.claim));
        assert!(c.as_expected(), "{k}: {} (worst {:?} at {})", c.result(), c.worst_scaled, c.worst_at);
        assert_eq!(c.violated(), c.role.must_fail(), "{k}: {}", c.result());
        assert_eq!(c.inadmissible, 0, "{k}: inadmissible chart points (the chart is the bug)");
        let ctl = o.search_keyed(&control_key(k)).unwrap_or_else(|| panic!("{k}: no control"));
        assert!(ctl.violated() && ctl.as_expected(), "{k}: control not caught: {}", ctl.result());
        assert_eq!(ctl.inadmissible, 0, "{k}: inadmissible chart points in the control");
        for w in [c, ctl].into_iter().filter_map(|c| c.witness.as_ref()) {
            let r = reverify(w, "test").unwrap();
            assert!(r.is_witness(), "{}: witness does not re-verify", w.key);
            assert_eq!(r.margin.margin.to_bits(), w.margin.to_bits(), "{}: margin not bitwise", w.key);
        }
    }
    for &k in rediscover {
        let c = o.search_keyed(k).unwrap();
        assert!(c.rediscover.is_some() && c.rediscovered() && c.violated(), "{k}: not rediscovered: {c:?}");
    }
}

/// A witness search at `b_x < 1` (E-C2bx): its point has `max|x| < 1`.
fn assert_c2bx(o: &Outcome, k: &str) {
    let c = o.search_keyed(k).unwrap();
    assert!(matches!(&c.role, Role::Witness { erratum } if erratum == "E-C2bx"), "{k}");
    let w = c.witness.as_ref().unwrap();
    let p: shape_matters::claims::search::OneStepPoint = serde_json::from_value(w.point.clone()).unwrap();
    let b_x = p.rows.iter().flatten().fold(0.0f64, |m, &x| m.max(x.abs()));
    assert!(b_x < 1.0, "{k}: b_x = {b_x}");
}

#[test]
fn theorem_d1() {
    let o = timed("D.1");
    assert_sound(&o);
    assert_literal_clean(
        &o,
        &[key(d1::EVENT, Variant::Literal0.key()), key(d1::EVENT, Variant::Literal1.key()), d1::UNION.to_string()],
    );
    for k in [
        key(d1::EVENT, Variant::Flipped.key()),
        key(d1::EVENT, Variant::Noisy.key()),
        key(d1::EVENT, GaussVariant::SgdGauss.key()),
        key(d1::EVENT, GaussVariant::Flipped.key()),
    ] {
        assert_verdict(&o, &k, Verdict::Violated);
    }
    // The Gaussian round is practical (its audit fails the data assumption), with no failure.
    let g = mc(&o, &key(d1::EVENT, GaussVariant::Alg1.key()));
    assert!(matches!(&g.class, Class::Practical { failing, .. } if failing.iter().any(|f| f == "(D.1-data)")));
    assert_eq!(g.count, Some(0));
    // Gaussian data at literal constants: the audit fails the data assumption and T is huge.
    let ga = o.audit("D.1 Gaussian (literal constants)").unwrap();
    assert!(!ga.all_hold());
    let data = ga.hypotheses.iter().find(|h| h.id == "(D.1-data)").unwrap();
    assert!(data.rhs <= 1e-3 && data.lhs > 100.0 * data.rhs, "{data:?}");
    // The literal step size and horizon (SPEC §6.7: 3.2e−7 / 1.17e7 and 1.5e−7 / 2.42e7).
    let l0 = literal_instance(0.0).round;
    let l1 = literal_instance(1.0).round;
    assert!((l0.eta - 3.17e-7).abs() < 0.01e-7 && (l0.t as f64 - 1.165e7).abs() < 0.01e7, "{}", l0.describe());
    assert!((l1.eta - 1.53e-7).abs() < 0.01e-7 && (l1.t as f64 - 2.416e7).abs() < 0.01e7, "{}", l1.describe());
    // The printed-rate Monte Carlo (E-D1) sees no failure either: the mismatch is in the proof.
    assert_eq!(mc(&o, &key(d1::EVENT, Variant::Printed.key())).count, Some(0));
    assert!(o.tables.iter().any(|t| t.title.starts_with("Literal round s = 2")));
    snapshot(&o);
}

#[test]
fn lemma_d3() {
    let o = timed("D.3");
    assert_sound(&o);
    assert_literal_clean(&o, &[key(d3::EVENT, Variant::Literal0.key()), key(d3::EVENT, Variant::Literal1.key())]);
    assert_verdict(&o, &key(d3::EVENT, Variant::Flipped.key()), Verdict::Violated);
    assert_verdict(&o, &key(d3::EVENT, GaussVariant::Flipped.key()), Verdict::Violated);
    for k in [d3::D31, d3::D32, d3::D33, d3::D33_RANGE, d3::PERTURBATION] {
        let c = exact(&o, k);
        assert!(c.holds() && c.states > 500, "{k}: {c:?}");
    }
    assert_searches(
        &o,
        &[
            d3::D31,
            d3::ED3A_REPAIR,
            d3::D32,
            d3::EC5_REPAIR,
            d3::D33,
            d3::D33_RANGE,
            d3::PERTURBATION,
            d3::ED3B_REPAIR,
            s2s::D3_CORRECTED_FREE_BX,
        ],
        &[d3::D31, d3::D32, d3::PERTURBATION],
    );
    assert_c2bx(&o, s2s::D3_CORRECTED_FREE_BX);
    snapshot(&o);
}

#[test]
fn lemma_d4() {
    let o = timed("D.4");
    assert_sound(&o);
    assert_literal_clean(&o, &[key(d4::EVENT, Variant::Literal0.key()), key(d4::EVENT, Variant::Literal1.key())]);
    assert_verdict(&o, &key(d4::EVENT, GaussVariant::SgdGauss.key()), Verdict::Violated);
    assert!(exact(&o, d4::D41).holds());
    assert!(exact(&o, d4::D43).holds());
    assert_searches(&o, &[d4::D41, s2s::D41_CORRECTED, s2s::D41_FREE_BX, d4::D43], &[]);
    assert_c2bx(&o, s2s::D41_FREE_BX);
    // The supermartingale mean: the estimate is below ε_(s−1) (at the quick budget the Hoeffding
    // interval is too wide to confirm).
    let m = mc(&o, d4::SUPERMARTINGALE);
    assert!(m.estimate < 0.01 && m.verdict != Verdict::Violated, "{m:?}");
    snapshot(&o);
}

#[test]
fn lemma_d5() {
    let o = timed("D.5");
    assert_sound(&o);
    assert_literal_clean(&o, &[key(d5::EVENT, Variant::Literal0.key()), key(d5::EVENT, Variant::Literal1.key())]);
    assert_verdict(&o, &key(d5::EVENT, Variant::Short.key()), Verdict::Violated);
    for k in [d5::D51_ABOVE, d5::D51_BELOW, d5::D52_RANGE] {
        assert!(exact(&o, k).holds(), "{k}");
    }
    assert_searches(
        &o,
        &[d5::D51_ABOVE, d5::ED5_REPAIR_ABOVE, d5::D51_BELOW, d5::ED5_REPAIR_BELOW, d5::D52_RANGE],
        &[d5::D51_ABOVE, d5::D51_BELOW],
    );
    snapshot(&o);
}

#[test]
fn lemma_d6() {
    let o = timed("D.6");
    assert_sound(&o);
    assert_literal_clean(&o, &[key(d6::EVENT, Variant::Literal0.key()), key(d6::EVENT, Variant::Literal1.key())]);
    assert_verdict(&o, &key(d6::EVENT, Variant::Noisy.key()), Verdict::Violated);
    for k in [d6::D61_ABOVE, d6::D61_BELOW, d6::D62, d6::D62_RANGE] {
        assert!(exact(&o, k).holds(), "{k}");
    }
    assert_searches(
        &o,
        &[
            d6::D61_ABOVE,
            d6::ED6_REPAIR_ABOVE,
            s2s::D6_REPAIR_ABOVE_FREE_BX,
            d6::D61_BELOW,
            d6::ED6_REPAIR_BELOW,
            s2s::D6_REPAIR_BELOW_FREE_BX,
            d6::D62,
            d6::D62_RANGE,
            d6::ED6_WITNESS_PERTURBATION,
            d6::ED6_REPAIR_PERTURBATION,
            s2s::D6_REPAIR_PERTURBATION_FREE_BX,
        ],
        &[d6::D61_ABOVE, d6::ED6_WITNESS_PERTURBATION],
    );
    for k in [s2s::D6_REPAIR_ABOVE_FREE_BX, s2s::D6_REPAIR_BELOW_FREE_BX, s2s::D6_REPAIR_PERTURBATION_FREE_BX] {
        assert_c2bx(&o, k);
    }
    snapshot(&o);
}

// ------------------------------------------------------------------------------------------
// Errata: a concrete state and data where the printed inequality fails, and the repair there.
// ------------------------------------------------------------------------------------------

/// Margin of the drift inequality at rate γ = factor·η for coordinate 0 at `v`.
fn margin(inst: &Instance, v: &PVec, side: Side, factor: f64) -> f64 {
    let os = OneStep::new(&inst.problem, v, inst.round.eta, inst.round.delta);
    drift_margin(&os, 0, side, factor * inst.round.eta)
}

/// The adversarial state: v_0 at `1 ± x`, the other support coordinates at `1 ± 2c_(s−1)`
/// (`osign`), off-support mass ε_s on one coordinate.
fn adversarial(inst: &Instance, x: f64, side: Side, osign: f64, lo: f64, hi: f64) -> PVec {
    let rd = &inst.round;
    let b = 2.0 * rd.c_prev;
    let mut sup = vec![deviation(b, osign, 0.0, b); inst.problem.r()];
    sup[0] = deviation(x, side.sign(), lo, hi);
    let v = state(&inst.problem, &sup, OffPattern::Concentrated, rd.eps_s);
    assert!(rd.coupling().contains(&v, &inst.problem), "the state is in the coupling set");
    v
}

#[test]
fn erratum_e_d3a_witnessed_at_round_3_not_at_round_2() {
    // Designed data: M_00 = 1/2 (the smallest value the lemma allows), M_0j = −C_x with C_x at the
    // boundary of the theorem's data assumption; r = 5.
    for (s, expect_fail) in [(2u32, false), (3, true)] {
        let w = witness_instance(s).unwrap().inst;
        let st = w.problem.stats();
        assert!(st.min_mkk >= 0.5 && st.min_mkk < 0.5 + 1e-12, "M_00 = 1/2 up to rounding, ≥ 1/2: {}", st.min_mkk);
        assert!(w.round.k_corrected(st.c_x) <= w.round.c_s / 10.0 && w.round.k_printed(st.c_x) <= w.round.c_s / 10.0);
        let (lo, hi) = Window::D3.bounds(&w.round);
        let v = adversarial(&w, lo, Side::Above, 1.0, lo, hi);
        let m = margin(&w, &v, Side::Above, 1.0) / (w.round.eta * lo * lo);
        let rep = margin(&w, &v, Side::Above, 0.5) / (w.round.eta * lo * lo);
        eprintln!(
            "[E-D3a] s = {s}: scaled margin at u = 2c/3: printed {m:.4}, γ = η/2: {rep:.3}; K_0 = {:.3e}",
            w.problem.perturbation(&v, 0)
        );
        assert_eq!(m < 0.0, expect_fail, "s = {s}: scaled margin {m}");
        assert!(rep > 0.0);
    }
    let o = run_quick("D.3");
    assert!(exact(&o, d3::ED3A_WITNESS).violations > 0);
    assert!(exact(&o, d3::ED3A_REPAIR).holds());
    assert!(exact(&o, d3::D31_HALF_S2).holds(), "E-D3a is not triggered at round 2");
    assert!(o.erratum("E-D3a").is_some_and(|e| e.witnessed));
    // E-C5 on D.3's below side: fails at M_kk = 1/2 for every state of the window.
    let c = exact(&o, d3::EC5_WITNESS);
    assert_eq!(c.violations, c.states);
    assert!(exact(&o, d3::EC5_REPAIR).holds());
}

#[test]
fn erratum_e_d5() {
    let w = witness_instance(2).unwrap().inst;
    let (lo, hi) = Window::D5.bounds(&w.round);
    for side in [Side::Above, Side::Below] {
        let v = adversarial(&w, lo, side, side.sign(), lo, hi);
        let m = margin(&w, &v, side, 1.0);
        let rep = margin(&w, &v, side, 0.5);
        eprintln!(
            "[E-D5] {side:?}, |v_0 − 1| = c_s/2: printed margin {m:.3e}, γ = η/2: {rep:.3e} (η = {:.3e})",
            w.round.eta
        );
        assert!(m < 0.0 && rep > 0.0);
    }
    let o = run_quick("D.5");
    let e = o.erratum("E-D5").unwrap();
    assert!(e.witnessed);
    assert!(exact_worst(&o, d5::ED5_WITNESS_ABOVE) < 0.0);
    assert!(exact(&o, d5::ED5_REPAIR_ABOVE).holds());
    assert!(exact(&o, d5::ED5_REPAIR_BELOW).holds());
    assert!(exact(&o, d5::ED5_REPAIR_HORIZON).holds());
}

#[test]
fn erratum_e_d6() {
    // (a) the perturbation term (ε_s² + 2rc_s): designed data with M_kk = 1, other support
    // coordinates at 1 + 2c_(s−1) (inside the coupling set).
    let b = designed_instance(2, EPS_PREV_LITERAL, 1.0, 1.0).unwrap();
    let (lo, hi) = Window::D6.bounds(&b.round);
    let v = adversarial(&b, lo, Side::Above, 1.0, lo, hi);
    let cx = b.problem.stats().c_x;
    let k = b.problem.perturbation(&v, 0);
    eprintln!(
        "[E-D6] K_0 = {k:.3e} vs printed (ε_s² + 2rc_s)C_x b_x² = {:.3e}, corrected {:.3e}",
        b.round.k_d6_printed(cx),
        b.round.k_corrected(cx)
    );
    assert!(k > b.round.k_d6_printed(cx) && k <= b.round.k_corrected(cx));
    // (b) the drift at M_kk = 1/2, u = c_s/3.
    let w = witness_instance(2).unwrap().inst;
    let v = adversarial(&w, lo, Side::Above, 1.0, lo, hi);
    assert!(w.round.k_d6_printed(w.problem.stats().c_x) <= w.round.c_s / 20.0, "D.6's own data hypothesis holds");
    let m = margin(&w, &v, Side::Above, 1.0);
    let rep = margin(&w, &v, Side::Above, 0.5);
    eprintln!("[E-D6] drift at u = c_s/3, M_00 = 1/2: printed {m:.3e}, γ = η/2: {rep:.3e}");
    assert!(m < 0.0 && rep > 0.0);
    let o = run_quick("D.6");
    assert!(o.erratum("E-D6").is_some_and(|e| e.witnessed));
    assert!(exact(&o, d6::ED6_REPAIR_PERTURBATION).holds());
    assert!(exact(&o, d6::ED6_REPAIR_ABOVE).holds());
    assert!(exact(&o, d6::ED6_REPAIR_BELOW).holds());
}

#[test]
fn erratum_e_d3b() {
    // ±1 data (b_x = 1), n = 16384, M_0j = −2/n for j ∈ S∖0, r = 12: the data assumption holds.
    let ei = d3::ed3b_instance().unwrap().inst;
    let st = ei.problem.stats();
    assert_eq!((st.b_x, st.min_mkk), (1.0, 1.0));
    assert!(ei.round.k_printed(st.c_x) <= ei.round.c_s / 10.0, "the data assumption holds");
    let (lo, hi) = Window::D3.bounds(&ei.round);
    let v = adversarial(&ei, lo, Side::Above, 1.0, lo, hi);
    let k = ei.problem.perturbation(&v, 0);
    eprintln!(
        "[E-D3b] K_0 = {k:.6e}, printed bound {:.6e}, corrected {:.6e}",
        ei.round.k_printed(st.c_x),
        ei.round.k_corrected(st.c_x)
    );
    assert!(k > ei.round.k_printed(st.c_x) && k <= ei.round.k_corrected(st.c_x));
    let o = run_quick("D.3");
    assert!(o.erratum("E-D3b").is_some_and(|e| e.witnessed));
    assert!(exact(&o, d3::ED3B_REPAIR).holds());
}

#[test]
fn erratum_e_d4() {
    let rd = literal_instance(0.0).round;
    let p = rd.p_bound();
    let lhs = (1.0 / p - 1.0 / (p * p)).powi(2);
    eprintln!(
        "[E-D4] P = {p:.5}: (P⁻¹ − P⁻²)² = {lhs:.5} vs printed (P − 1)² = {:.5}; log(40)/P⁴ = {:.4}",
        (p - 1.0).powi(2),
        log40() / p.powi(4)
    );
    assert!(lhs < (p - 1.0).powi(2));
    assert!((lhs - (p - 1.0).powi(2) / p.powi(4)).abs() < 1e-15, "the dropped factor is exactly P⁴");
    assert!((log40() / p.powi(4) - 0.844).abs() < 0.001, "SPEC §6.4(f): 0.84");
    let o = run_quick("D.4");
    assert!(o.erratum("E-D4").is_some_and(|e| e.witnessed));
    assert!(exact(&o, d4::ED4_REPAIR).holds());
}

#[test]
fn erratum_e_d1() {
    let rd = literal_instance(0.0).round;
    let eta_p = printed_eta(&rd);
    let tp = steps_for(eta_p) as f64;
    let lhs = rd.c_s * rd.c_s / (8.0 * eta_p * rd.x_s());
    let rhs = log_term(10.0, rd.r, tp, 2, rd.rho);
    eprintln!(
        "[E-D1] printed η = {eta_p:.3e} ({:.1}× D.1's {:.3e}): c_s²/(8ηX_s) = {lhs:.3} < log(10rT²/ρ) = {rhs:.2}",
        eta_p / rd.eta,
        rd.eta
    );
    assert!(lhs < rhs);
    assert!(eta_p / rd.eta > 50.0);
    let o = run_quick("D.1");
    assert!(o.erratum("E-D1").is_some_and(|e| e.witnessed));
    assert!(exact(&o, d1::ED1_REPAIR).holds());
    assert!(exact(&o, d1::GROWTH).holds());
    assert!(exact(&o, d1::CONTRACTION).holds());
}

// ------------------------------------------------------------------------------------------
// Theorem 2.1
// ------------------------------------------------------------------------------------------

#[test]
fn theorem_2_1() {
    let o = timed("2.1");
    assert_sound(&o);
    assert_verdict(&o, t21::SUCCESS_CHECK, Verdict::Confirmed);
    assert!(matches!(mc(&o, t21::SUCCESS_CHECK).class, Class::Practical { .. }));
    assert_verdict(&o, t21::BEATS_D0, Verdict::Confirmed);
    assert_verdict(&o, t21::SUCCESS_D0, Verdict::Violated);
    assert_verdict(&o, t21::SUCCESS_GD, Verdict::Violated);
    let m = |name: &str| measurement(&o, name);
    assert!(m("median test-error ratio δ = 0 / label noise") >= 100.0);
    // The τ-sweep: label noise keeps a small test error, GD's grows with τ (kernel regime).
    let mut last_gd = 0.0;
    for tau in [1.0, 2.0, 4.0] {
        let ln = m(&format!("median test error at τ = {tau}: label noise"));
        let gd = m(&format!("median test error at τ = {tau}: GD"));
        assert!(ln < 0.05, "τ = {tau}: label noise test error {ln}");
        assert!(gd > 10.0 && gd > last_gd, "τ = {tau}: GD test error {gd}");
        last_gd = gd;
    }
    let f = o.figures.iter().find(|f| f.file == "t2_1_tau_sweep.svg").expect("the τ-sweep figure");
    assert!(f.svg.starts_with("<svg") && f.svg.contains("label noise"));
    // Interfaces: the reading with n_s rounds breaks D.1's input hypothesis; n_s − 1 rounds is fine.
    assert!(o.erratum("E-T21").is_some_and(|e| e.witnessed));
    for k in [
        t21::GEOMETRIC,
        t21::POWER,
        t21::EPS_FINAL,
        t21::FAILURE_BUDGET,
        t21::STAGE0_TO_1,
        t21::STAGE1_TO_2,
        t21::ET21_REPAIR,
        t21::COMMON_ETA2,
    ] {
        assert!(exact(&o, k).holds(), "{k}");
    }
    assert!(o.mc.iter().all(|c| c.role != Role::Primary || c.verdict != Verdict::Violated));
    snapshot(&o);
}

#[test]
fn theorem_2_1_round_bookkeeping() {
    use t21::{Rounds, n_s, round_chain};
    // ε = 0.05: n_s = 2. With n_s rounds, round 3 starts from ε_2 = 0.0306 > c_2 = 0.01.
    assert_eq!(n_s(0.05), 2);
    let (inputs, _, _) = round_chain(0.05, Rounds::NsRounds);
    let (s, c, e) = *inputs.last().unwrap();
    assert_eq!(s, 3);
    assert!((e - 0.0306).abs() < 5e-4 && e > c, "ε_2 = {e}, c_2 = {c}");
    // With n_s − 1 rounds the final accuracy is c_2 = 0.01 ≤ ε and ε_final ≤ ε.
    let (inputs, c_last, e_last) = round_chain(0.05, Rounds::FinalCns);
    assert_eq!(inputs.len(), 1);
    assert!(c_last <= 0.05 && e_last <= 0.05);
    // 40^{2/9} = 2.27 (SPEC §7.2).
    assert!((40f64.powf(2.0 / 9.0) - 2.27).abs() < 0.005);
}

// ------------------------------------------------------------------------------------------
// Issue 13: every label says exactly what was tested.
// ------------------------------------------------------------------------------------------

/// Case 1: the literal rounds run on designed Hadamard data, so their class is "statement, literal
/// on designed data" (not "literal"), their audits say the data are designed, and the outcome says
/// that the perturbation hypotheses are vacuous there. The Gaussian rounds keep the class their
/// audit decides (practical).
#[test]
fn issue13_literal_rounds_are_literal_on_designed_data() {
    use shape_matters::claims::stage2::audits::DESIGNED_DATA_NOTE;
    use shape_matters::evidence::Data;
    let cases: [(&str, &str, &str); 5] = [
        ("D.1", d1::EVENT, "D.1"),
        ("D.3", d3::EVENT, "D.3"),
        ("D.4", d4::EVENT, "D.4"),
        ("D.5", d5::EVENT, "D.5"),
        ("D.6", d6::EVENT, "D.6"),
    ];
    for (claim, event, _) in cases {
        let o = run_quick(claim);
        for v in [Variant::Literal0, Variant::Literal1] {
            let c = mc(&o, &key(event, v.key()));
            assert!(matches!(c.class, Class::Designed { .. }), "{claim} {v:?}: {:?}", c.class);
            assert_eq!(c.class.name(), "statement, literal on designed data");
            let Class::Designed { audit } = &c.class else { unreachable!() };
            assert_eq!(o.audit(audit).unwrap().data, Data::Designed, "{claim}: audit {audit}");
        }
        assert!(o.notes.iter().any(|n| n == DESIGNED_DATA_NOTE), "{claim}: the designed-data note is missing");
        // The Gaussian round is practical (its audit fails the data assumption), on the paper's data.
        let g = mc(&o, &key(event, GaussVariant::Alg1.key()));
        assert!(matches!(g.class, Class::Practical { .. }), "{claim}: {:?}", g.class);
        assert!(!o.summary().line().contains("statement literal:"), "{claim}: {}", o.summary().line());
    }
    // The vacuity the note states: on the literal instance C_x = 0, so the data hypotheses read 0 ≤ ….
    let lit = literal_instance(0.0);
    assert_eq!(lit.problem.stats().c_x, 0.0);
    assert_eq!(lit.round.k_printed(0.0), 0.0);
    let o = run_quick("D.1");
    assert_eq!(o.audit("D.1 Gaussian (literal constants)").unwrap().data, Data::Paper);
}

/// Cases 2 and 3: Theorem 2.1's checks that cannot fail are computed facts (shown, never counted):
/// the Stage 0 → 1 interface evaluates `(hi − x).min(x − lo)` at points of the same interval; the
/// Stage 1 → 2 interface margin is exactly 0 (c₁ = c0 = 0.1), an equality; Σc_s = 1/9, 40^(2/9) ≤
/// 40^(1/3), ε_final ≤ ε and the failure budget hold by construction.
#[test]
fn issue13_theorem_2_1_facts_that_cannot_fail_are_computed() {
    let o = run_quick("2.1");
    for k in [t21::STAGE0_TO_1, t21::STAGE1_TO_2, t21::GEOMETRIC, t21::POWER, t21::EPS_FINAL, t21::FAILURE_BUDGET] {
        let c = exact(&o, k);
        assert!(!c.counted(), "{k} is counted");
        assert!(!o.counted_exact().any(|x| x.key == k), "{k}");
        assert!(c.holds(), "{k}");
    }
    let s12 = exact(&o, t21::STAGE1_TO_2);
    assert_eq!(s12.worst_margin, Some(0.0), "c₁ = c0: the margin is exactly 0");
    assert!(s12.equality_by_rounding() && s12.result() == "equality (by rounding)");
    // What is counted can fail: the E-T21 repair and the common η2, each with a caught control.
    let counted: Vec<&str> = o.counted_exact().map(|c| c.key.as_str()).collect();
    assert_eq!(counted, [t21::ET21_REPAIR, t21::COMMON_ETA2]);
    for k in counted {
        let ctl: Vec<_> = o.exact_controls_of(k).collect();
        assert_eq!(ctl.len(), 1, "{k}");
        assert!(ctl[0].violations > 0 && ctl[0].as_expected(), "{k}: {:?}", ctl[0]);
    }
    assert_eq!(o.summary().computed, 6);
}

/// Case 4: ε_prac = 0.2 was taken from pilot runs, so the checks that use it are exploratory
/// (reported, never counted); every other threshold of Theorem 2.1 is labelled paper, derived or
/// pre-stated.
#[test]
fn issue13_eps_prac_is_exploratory() {
    use shape_matters::evidence::Provenance;
    let o = run_quick("2.1");
    for k in [t21::SUCCESS_CHECK, t21::SUCCESS_D0, t21::SUCCESS_GD] {
        let c = mc(&o, k);
        assert_eq!(c.threshold, Provenance::Exploratory, "{k}");
        assert!(!c.counts(), "{k}");
    }
    assert_eq!(mc(&o, t21::BEATS_D0).threshold, Provenance::PreStated);
    for tau in t21::TAUS {
        assert_eq!(mc(&o, &key(t21::BEATS_GD, &shape_matters::numfmt::fmt(tau))).threshold, Provenance::PreStated);
    }
    for c in o.mc.iter().filter(|c| c.counts()) {
        assert!(!c.id.contains("ε_prac"), "a check using ε_prac is counted: {}", c.id);
    }
    let s = o.summary();
    assert_eq!(s.exploratory, 3);
    assert!(s.line().contains("exploratory 3"), "{}", s.line());
    // The audit's facts are computed from the run, and the literal schedule is a check that fails.
    let a = o.audit("2.1 practical").unwrap();
    let t1 = a.hypotheses.iter().find(|h| h.id == "literal T1").unwrap();
    assert!(!t1.holds && t1.rhs > 1e30, "{t1:?}");
}

/// Case 5: the errata are graded with their witness instances: E-T21 rests on a reading that the
/// text's own "final c_(n_s)" contradicts (R), E-D1 on reading Θ̃'s polylog (R); the D-lemma errata
/// are failing proof steps (P). E-C5 is C.5's and not counted again here; E-D6 is witnessed by its
/// own (135) step only.
#[test]
fn issue13_errata_graded_with_instances() {
    use shape_matters::evidence::Grade;
    let expect = [
        ("2.1", "E-T21", Grade::R),
        ("D.1", "E-D1", Grade::R),
        ("D.3", "E-D3a", Grade::P),
        ("D.3", "E-D3b", Grade::P),
        ("D.4", "E-D4", Grade::P),
        ("D.5", "E-D5", Grade::P),
        ("D.6", "E-D6", Grade::P),
    ];
    for (claim, id, grade) in expect {
        let o = run_quick(claim);
        let e = o.erratum(id).unwrap_or_else(|| panic!("{claim}: no {id}"));
        assert_eq!(e.grade, grade, "{claim} {id}");
        assert!(e.witnessed && !e.instance.is_empty(), "{claim} {id}");
    }
    let t = run_quick("2.1");
    let e = t.erratum("E-T21").unwrap();
    assert!(e.instance.contains("ε = 0.05") && e.finding.contains("final c_(n_s)"), "{e:?}");
    let d3o = run_quick("D.3");
    assert!(d3o.erratum("E-C5").is_none(), "E-C5 is counted under C.5, not again under D.3");
    assert_eq!(d3o.errata.len(), 2);
    let d6o = run_quick("D.6");
    assert_eq!(d6o.erratum("E-D6").unwrap().witnesses, d6o.witness_ids(&[d6::ED6_WITNESS_PERTURBATION]));
    let d5o = run_quick("D.5");
    assert_eq!(d5o.erratum("E-D5").unwrap().witnesses, d5o.witness_ids(&[d5::ED5_WITNESS_ABOVE]));
}

/// Case 6: every counted exact check of Stage 2 has a linked control that the same code flags
/// (violated, not by rounding), and checks that hold by construction are computed facts.
#[test]
fn issue13_every_counted_exact_check_has_a_caught_control() {
    use shape_matters::evidence::{Provenance, control_key};
    for claim in ["D.1", "D.3", "D.4", "D.5", "D.6", "2.1"] {
        let o = run_quick(claim);
        for c in o.counted_exact() {
            let ctl = exact(&o, &control_key(&c.key));
            assert!(ctl.violations > 0 && !ctl.equality_by_rounding(), "{claim}: control of {} not caught", c.key);
            assert_ne!(c.threshold, Provenance::Unlabelled);
            assert!(!c.equality_by_rounding(), "{claim}: {} is an equality by rounding", c.key);
        }
        for c in &o.mc {
            assert_ne!(c.threshold, Provenance::Unlabelled, "{claim}: {}", c.id);
        }
        let s = o.summary();
        assert_eq!(s.exact_controlled, s.exact_total, "{claim}: {}", s.line());
    }
    // D.1: (150)–(151) and the E-D1 repair hold by construction (T and η are solved from them).
    let o = run_quick("D.1");
    assert!(!exact(&o, d1::GROWTH).counted() && !exact(&o, d1::ED1_REPAIR).counted());
    assert!(exact(&o, d1::CONTRACTION).counted());
    // D.5: the doubled horizon is solved from its inequality.
    assert!(!exact(&run_quick("D.5"), d5::ED5_REPAIR_HORIZON).counted());
    // The flipped-gradient control of (D3.1) is linked to it and caught.
    let d3o = run_quick("D.3");
    let ctl = exact(&d3o, &control_key(d3::D31));
    assert_eq!(ctl.control_of.as_deref(), Some(exact(&d3o, d3::D31).id.as_str()));
    assert_eq!(ctl.violations, ctl.states, "a flipped gradient breaks the drift at every state");
}
