//! Lemma F.1's exact layer: the hand-checkable values, Crofton = Wendel (exact integers and
//! floating point), the statrs cross-check, and the errata **E-F1a** (the printed hypothesis
//! `n ≤ d − 9√d`; SPEC §8.1(f)) and **E-F1c** (Theorem 2.2's `n ≤ d/3` against the corrected
//! lemma), both decided on the exact formula.

use crate::claims::section_f::lemma_f_1::{LEMMA_PROB, THEOREM_PROB};
use crate::claims::section_f::wendel::{
    corrected_threshold, crofton, exact_numerators, numerators_from_rows, pascal, wendel, wendel_meet, wendel_statrs,
};
use crate::evidence::{Erratum, ExactCheck, Grade, Outcome, Provenance, Reading, Role, Table};
use crate::numfmt::fmt;
use crate::tol;

/// Key of the hand-checkable values.
pub const HAND_VALUES: &str = "F.1-hand";
/// Key of Crofton = Wendel in integers.
pub const CROFTON: &str = "F.1-crofton";
/// Key of Crofton = Wendel in floating point.
pub const CROFTON_FLOAT: &str = "F.1-crofton-float";
/// Key of the statrs cross-check.
pub const STATRS: &str = "F.1-statrs";
/// Key of the printed lemma on the exact formula (E-F1a witness).
pub const PRINTED_EXACT: &str = "F.1-printed-exact";
/// Key of the repaired lemma on the exact formula (E-F1a repair).
pub const REPAIRED_EXACT: &str = "F.1-repaired-exact";
/// Key of `n ≤ d/3` inside the corrected lemma (E-F1c witness).
pub const INSIDE_CORRECTED: &str = "F.1-d3-inside-corrected";
/// Key of Theorem 2.2's probability at `n = ⌊d/3⌋` (E-F1c repair).
pub const THEOREM_PROB_EXACT: &str = "F.1-d3-prob";

/// Exact checks: hand values, Crofton = Wendel, statrs, E-F1a, E-F1c.
pub(in crate::claims::section_f) fn exact_layer(out: &mut Outcome) {
    // Hand-checkable values (exact rationals).
    let mut hand = ExactCheck::new(
        "hand values",
        "exact P for (2,1) = 1/2, (3,1) = 3/4, (3,2) = 1/4, (5,2) = 11/16 (integer arithmetic; margin +1 if equal (exact comparison), −1 \
            if not)",
        Role::Primary,
    )
    .keyed(HAND_VALUES)
    .threshold(Provenance::Derived);
    let mut hand_ctl = ExactCheck::control_for(&hand, "Wendel's value at the wrong point (d, n + 1)");
    for &(d, n, num, den) in &[(2usize, 1usize, 1u128, 2u128), (3, 1, 3, 4), (3, 2, 1, 4), (5, 2, 11, 16)] {
        // w / 2^d == num / den
        let matches = |n: usize| {
            let (w, _) = exact_numerators(d, n);
            w * den == num * (1u128 << d)
        };
        hand.record_holds(matches(n), || format!("(d, n) = ({d}, {n})"));
        hand_ctl.record_holds(matches(n + 1), || format!("(d, n + 1) = ({d}, {})", n + 1));
        let f = wendel_meet(d, n);
        hand.record_scaled(tol::F_HAND_VALUE - (f - num as f64 / den as f64).abs(), tol::F_HAND_VALUE, || {
            format!("float value at ({d}, {n})")
        });
    }
    out.exact.push(hand);
    out.exact.push(hand_ctl);

    let mut crof = ExactCheck::new(
        "Crofton = Wendel",
        "2Σ_j C(d, n+1+2j) = 2Σ_{k≥n} C(d−1,k) exactly (u128, 2 ≤ d ≤ 120, 1 ≤ n < d); margin 0 if equal, \
            −1 if not",
        Role::Primary,
    )
    .keyed(CROFTON)
    .threshold(Provenance::Derived);
    let mut crof_ctl =
        ExactCheck::control_for(&crof, "Crofton sum with the wrong parity, 2Σ_j C(d, n+2j) (v_n + v_(n+2) + …)");
    for d in 2..=120usize {
        let (r1, r) = (pascal(d - 1), pascal(d));
        for n in 1..d {
            let (w, c) = numerators_from_rows(&r1, &r, n);
            crof.record_holds(w == c, || format!("(d, n) = ({d}, {n})"));
            let wrong: u128 = 2 * (n..=d).step_by(2).map(|k| r[k]).sum::<u128>();
            crof_ctl.record_holds(w == wrong, || format!("(d, n) = ({d}, {n})"));
        }
    }
    out.exact.push(crof);
    out.exact.push(crof_ctl);
    let mut crof_f = ExactCheck::new(
        "Crofton = Wendel (float)",
        "1e−10 − |crofton − wendel|/max(wendel, 1e−300) ≥ 0 for d ∈ {200, 400, 1000, 2000, 5000}, n on a \
            grid",
        Role::Primary,
    )
    .keyed(CROFTON_FLOAT)
    .threshold(Provenance::Derived);
    let mut crof_f_ctl = ExactCheck::control_for(&crof_f, "Crofton formula without its factor 2 (Σ_j v_(n+1+2j))");
    let mut stat = ExactCheck::new(
        "statrs cross-check",
        "1e−9 − |wendel − statrs sf|/wendel ≥ 0 where wendel ≥ 1e−12, and |meet + miss − 1| ≤ 1e−11",
        Role::Primary,
    )
    .keyed(STATRS)
    .threshold(Provenance::Derived);
    let mut stat_ctl =
        ExactCheck::control_for(&stat, "statrs survival function off by one, P(Bin(d−1,½) > n) instead of ≥ n");
    for &d in &[200usize, 400, 1000, 2000, 5000] {
        for j in 1..40 {
            let n = (d * j / 40).max(1);
            let w = wendel(d, n);
            let c = crofton(d, n);
            crof_f.record_scaled(
                tol::F_CROFTON_REL - (c - w.meet).abs() / w.meet.max(tol::F_PROB_FLOOR),
                tol::F_CROFTON_REL,
                || format!("(d, n) = ({d}, {n})"),
            );
            crof_f_ctl.record_scaled(
                tol::F_CROFTON_REL - (c / 2.0 - w.meet).abs() / w.meet.max(tol::F_PROB_FLOOR),
                tol::F_CROFTON_REL,
                || format!("(d, n) = ({d}, {n})"),
            );
            if w.meet >= tol::F_STATRS_MIN {
                let s = wendel_statrs(d, n);
                stat.record_scaled(tol::F_STATRS_REL - (w.meet - s).abs() / w.meet, tol::F_STATRS_REL, || {
                    format!("(d, n) = ({d}, {n}): {} vs {}", fmt(w.meet), fmt(s))
                });
                let s1 = wendel_statrs(d, n + 1);
                stat_ctl.record_scaled(tol::F_STATRS_REL - (w.meet - s1).abs() / w.meet, tol::F_STATRS_REL, || {
                    format!("(d, n) = ({d}, {n}): {} vs {}", fmt(w.meet), fmt(s1))
                });
            }
            stat.record_scaled(tol::F_COMPLEMENT - (w.meet + w.miss - 1.0).abs(), tol::F_COMPLEMENT, || {
                format!("meet + miss at ({d}, {n})")
            });
        }
    }
    out.exact.push(crof_f);
    out.exact.push(crof_f_ctl);
    out.exact.push(stat);
    out.exact.push(stat_ctl);

    // E-F1a.
    let mut printed = ExactCheck::new(
        "F.1 as printed (exact)",
        "P(meet) − 0.999 ≥ 0 at n = ⌊d − 9√d⌋, d = 83…5000 (the printed hypothesis with its largest n)",
        Role::Witness { erratum: "E-F1a".into() },
    )
    .keyed(PRINTED_EXACT)
    .threshold(Provenance::Paper);
    let mut first_fail = None;
    for d in 83..=5000usize {
        let n = (d as f64 - 9.0 * (d as f64).sqrt()).floor() as usize;
        if n < 1 {
            continue;
        }
        let p = wendel_meet(d, n);
        if p < LEMMA_PROB && first_fail.is_none() {
            first_fail = Some((d, n, p));
        }
        printed.record_scaled(p - LEMMA_PROB, LEMMA_PROB, || format!("d = {d}, n = {n}: P = {}", fmt(p)));
    }
    out.exact.push(printed);
    let mut repaired = ExactCheck::new(
        "F.1 repaired (exact)",
        "P(meet) − 0.999 ≥ 0 at n = ⌊d/2 − 9√d⌋, d = 328…5000 (the corrected hypothesis with its largest \
            n)",
        Role::Repair { erratum: "E-F1a".into() },
    )
    .keyed(REPAIRED_EXACT)
    .threshold(Provenance::Paper);
    let mut repaired_ctl = ExactCheck::control_for(
        &repaired,
        "ALMT's margin 9√d replaced by Wendel's transition width √d/2: n = ⌊d/2 − √d/2⌋",
    );
    for d in 328..=5000usize {
        let n = corrected_threshold(d).floor() as usize;
        if n < 1 {
            continue;
        }
        let w = wendel(d, n);
        repaired
            .record_scaled(w.meet - LEMMA_PROB, LEMMA_PROB, || format!("d = {d}, n = {n}: P(miss) = {}", fmt(w.miss)));
        let nw = (d as f64 / 2.0 - (d as f64).sqrt() / 2.0).floor() as usize;
        let pw = wendel_meet(d, nw);
        repaired_ctl.record_scaled(pw - LEMMA_PROB, LEMMA_PROB, || format!("d = {d}, n = {nw}: P(meet) = {}", fmt(pw)));
    }
    out.exact.push(repaired);
    out.exact.push(repaired_ctl);
    let p400 = wendel_meet(400, 220);
    let p1000 = wendel_meet(1000, 715);
    let (fd, fn_, fp) = first_fail.unwrap_or((0, 0, f64::NAN));
    out.errata.push(Erratum {
        id: "E-F1a".into(),
        location: "Lemma F.1, hypothesis; proof (162)–(163)".into(),
        printed: "n ≤ d − 9√d ⇒ P(K ∩ C ≠ {0}) ≥ 0.999; (162) δ(C) = d".into(),
        finding: format!(
            "δ(C) = E‖Π_C(g)‖² = d/2 (as (163)'s '(3/2)d − n' shows), so (163) δ(C) + δ(K) ≥ d + 9√d \
                holds iff n ≤ d/2 − 9√d. With the printed hypothesis the lemma is false: at d = 400, n = 220 = d \
                − 9√d the exact probability is {} (not ≥ 0.999); d = 1000, n = 715: {}; the first failure at the \
                largest admissible n is d = {fd}, n = {fn_} (P = {}). The corrected hypothesis n ≤ d/2 − 9√d \
                gives P ≥ 0.999 for every d ≤ 5000 where it is not vacuous (d ≥ 328), and the lemma's \
                statement check at (400, 20) (both hypotheses hold) is confirmed. The LP Monte Carlo at (400, 220) \
                agrees (witness check). Reading: the OCR prints the hypothesis as 'n ≤ d — 9∖fd', but the same OCR \
                demonstrably drops the '/2' of displayed fractions in this proof — (163) reads '3 d − n' for \
                (3/2)d − n, and (162) '= d' for d/2 — so the printed hypothesis may be n ≤ d/2 − 9√d with its \
                '/2' lost, in which case the lemma and its proof are correct. Graded R: the contradiction holds \
                under the OCR's reading only (it would be S if the printed text reads d − 9√d).",
            fmt(p400),
            fmt(p1000),
            fmt(fp)
        ),
        reading: Reading::ReconstructedMedium,
        witnesses: out.witness_ids(&[PRINTED_EXACT]),
        witnessed: false,
        grade: Grade::R,
        instance: format!(
            "d = 400, n = 220 = d − 9√d (the OCR's hypothesis; the corrected d/2 − 9√d = 20 fails), X ∈ R^{{220×400}} \
                i.i.d. N(0,1), K = null(X): exact P(K ∩ C ≠ {{0}}) = {} < 0.999 (Wendel), LP Monte Carlo of the \
                miss event against 0.001",
            fmt(p400)
        ),
    });

    // E-F1c.
    let mut incl = ExactCheck::new(
        "n ≤ d/3 inside corrected F.1",
        "(d/2 − 9√d) − d/3 ≥ 0 for d = 13…10000 (Theorem 2.2's hypothesis implies the corrected lemma's)",
        Role::Witness { erratum: "E-F1c".into() },
    )
    .keyed(INSIDE_CORRECTED)
    .threshold(Provenance::Paper);
    let mut last_fail = 0usize;
    for d in 13..=10_000usize {
        let m = corrected_threshold(d) - d as f64 / 3.0;
        if m < 0.0 {
            last_fail = d;
        }
        incl.record(m, || {
            format!("d = {d}: d/2 − 9√d = {}, d/3 = {}", fmt(corrected_threshold(d)), fmt(d as f64 / 3.0))
        });
    }
    out.exact.push(incl);
    let p_third: Vec<f64> = (0..=10_000usize).map(|d| if d >= 3 { wendel_meet(d, d / 3) } else { 0.0 }).collect();
    let mut thm = ExactCheck::new(
        "P ≥ 0.9 at n = ⌊d/3⌋ (exact)",
        "P(Bin(d−1,½) ≥ ⌊d/3⌋) − 0.9 ≥ 0 for d = 13…10000 (Theorem 2.2's probability, by Wendel)",
        Role::Repair { erratum: "E-F1c".into() },
    )
    .keyed(THEOREM_PROB_EXACT)
    .threshold(Provenance::Paper);
    let mut thm_ctl = ExactCheck::control_for(&thm, "Theorem 2.2 with n ≤ d/2 instead of n ≤ d/3: n = ⌊d/2⌋");
    for (d, &p) in p_third.iter().enumerate().skip(13) {
        thm.record_scaled(p - THEOREM_PROB, THEOREM_PROB, || format!("d = {d}, n = {}: P = {}", d / 3, fmt(p)));
        let pw = wendel_meet(d, d / 2);
        thm_ctl.record_scaled(pw - THEOREM_PROB, THEOREM_PROB, || format!("d = {d}, n = {}: P = {}", d / 2, fmt(pw)));
    }
    out.exact.push(thm);
    out.exact.push(thm_ctl);
    // Where does the theorem's 0.9 (and 0.99, 0.999) start to hold at n = ⌊d/3⌋?
    let first_from = |level: f64| -> usize {
        let mut last_bad = 2usize;
        for (d, &p) in p_third.iter().enumerate().skip(3) {
            if p < level {
                last_bad = d;
            }
        }
        last_bad + 1
    };
    let (d90, d99, d999) = (first_from(0.9), first_from(0.99), first_from(0.999));
    out.measure(
        "smallest d with d/3 ≤ d/2 − 9√d for all larger d",
        (last_fail + 1) as f64,
        "E-F1c: Theorem 2.2's n ≤ d/3 lies inside the corrected Lemma F.1 only from here on (54² = 2916)",
    );
    out.measure("P(meet) ≥ 0.9 at n = ⌊d/3⌋ for all d ≥", d90 as f64, "exact Wendel probability, d ≤ 10000");
    out.measure("P(meet) ≥ 0.99 at n = ⌊d/3⌋ for all d ≥", d99 as f64, "exact Wendel probability, d ≤ 10000");
    out.measure(
        "P(meet) ≥ 0.999 at n = ⌊d/3⌋ for all d ≥",
        d999 as f64,
        "exact Wendel probability, d ≤ \
        10000",
    );
    let mut rows = Vec::new();
    for &d in &[3usize, 6, 9, 12, 13, 15, 30, 46, 82, 100, 400, 1000, 2916, 5000] {
        rows.push(vec![
            d.to_string(),
            (d / 3).to_string(),
            fmt(wendel_meet(d, d / 3)),
            fmt(corrected_threshold(d)),
            if (d as f64) / 3.0 <= corrected_threshold(d) + tol::F_THRESHOLD_SLACK {
                "yes".into()
            } else {
                "no".into()
            },
        ]);
    }
    out.tables.push(Table {
        title: "E-F1c: Theorem 2.2 at n = ⌊d/3⌋ — exact probability vs the corrected Lemma F.1".into(),
        columns: vec![
            "d".into(),
            "n = ⌊d/3⌋".into(),
            "exact P(meet)".into(),
            "corrected threshold d/2 − 9√d".into(),
            "d/3 ≤ threshold".into(),
        ],
        rows,
    });
    out.errata.push(Erratum {
        id: "E-F1c".into(),
        location: "Theorem 2.2 (n ≤ d/3) vs Lemma F.1".into(),
        printed: "Theorem 2.2 assumes n ≤ d/3 and invokes Lemma F.1 for probability ≥ 0.999".into(),
        finding: format!(
            "d/3 ≤ d/2 − 9√d iff d ≥ 2916 (checked d = 13…10000: fails for every d ≤ {last_fail}), so for \
                d < 2916 the theorem's hypothesis is not covered by the (corrected) lemma, e.g. d = 100: threshold \
                −40 (vacuous). The theorem's probability claim is still true by the exact formula: P(meet) ≥ 0.9 \
                at n = ⌊d/3⌋ for every d ≥ {d90} (≥ 0.99 for d ≥ {d99}, ≥ 0.999 for d ≥ {d999}); it \
                fails for d ≤ 12 (d = 12, n = 4: {}), covered by the paper's 'n, d larger than a universal \
                constant'. Graded P: the proof's step (Lemma F.1 covers n ≤ d/3) fails, the theorem's probability \
                claim holds; the gap does not depend on E-F1a's reading (with the OCR's n ≤ d − 9√d the lemma is \
                false, and d/3 ≤ d − 9√d fails for d ≤ 182 as well).",
            fmt(wendel_meet(12, 4))
        ),
        reading: Reading::Legible,
        witnesses: out.witness_ids(&[INSIDE_CORRECTED]),
        witnessed: false,
        grade: Grade::P,
        instance: format!(
            "d = 100, n = 33 = ⌊d/3⌋: corrected Lemma F.1 threshold d/2 − 9√d = −40 < 33 (not covered), while the \
                exact P(meet) = {} ≥ 0.9",
            fmt(wendel_meet(100, 33))
        ),
    });
}
