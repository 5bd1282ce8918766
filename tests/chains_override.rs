//! `--chains K` applies to every literal statement variant of a claim (issue 16): every Monte Carlo
//! check of class "statement, literal" or "literal on designed data" with a statement role (primary
//! or repair) runs on exactly `K` chains, while controls keep their plan. Cheap: quick budget, small
//! `K` (different from every quick plan value, so a variant that ignores the override shows).

use shape_matters::claim::{Ctx, DEFAULT_SEED};
use shape_matters::evidence::{Class, Outcome, Role};
use shape_matters::{Budget, claims};

/// Run `id` at the quick budget with `--chains k` (and nothing else overridden).
fn run_with_chains(id: &str, k: usize) -> Outcome {
    let c = claims::find(id).expect("registered claim");
    let mut ctx = Ctx::new(Budget::Quick, DEFAULT_SEED);
    ctx.overrides.chains = Some(k);
    c.execute(&ctx).expect("claim runs")
}

/// The literal statement checks of an outcome: (id, trials).
fn literal_statement_checks(o: &Outcome) -> Vec<(String, u64)> {
    o.mc.iter()
        .filter(|c| matches!(c.class, Class::Literal { .. } | Class::Designed { .. }))
        .filter(|c| matches!(c.role, Role::Primary | Role::Repair { .. }))
        .map(|c| (c.id.clone(), c.trials))
        .collect()
}

/// Every literal statement check of `id` runs on `k` chains; returns how many there are.
fn assert_all_scaled(id: &str, k: usize) -> usize {
    let o = run_with_chains(id, k);
    let lit = literal_statement_checks(&o);
    assert!(!lit.is_empty(), "{id}: no literal statement check");
    for (check, trials) in &lit {
        assert_eq!(*trials, k as u64, "{id}: '{check}' ran {trials} chains, not --chains {k}");
    }
    lit.len()
}

#[test]
fn d1_chains_sets_both_literal_rounds() {
    let o = run_with_chains("D.1", 6);
    let lit = literal_statement_checks(&o);
    let delta0 = lit.iter().filter(|(id, _)| id.contains("δ = 0")).count();
    let delta1 = lit.iter().filter(|(id, _)| id.contains("δ = 1")).count();
    assert!(delta0 >= 1 && delta1 >= 1, "D.1 has checks of both rounds: {lit:?}");
    for (id, trials) in &lit {
        assert_eq!(*trials, 6, "D.1 '{id}'");
    }
    // The controls keep their plan (the flipped-gradient control: 4 chains at the quick budget).
    let flipped = o.mc.iter().find(|c| c.id.starts_with("control (flipped gradient)")).expect("flipped control");
    assert_eq!(flipped.trials, 4, "the controls are not scaled by --chains");
}

#[test]
fn stage2_lemmas_chains_sets_both_literal_rounds() {
    for id in ["D.3", "D.4", "D.5", "D.6"] {
        assert!(assert_all_scaled(id, 6) >= 2, "{id}: δ = 0 and δ = 1");
    }
}

#[test]
fn stage0_chains_sets_every_literal_run() {
    // Instances L and M, the variant at b = 2τd and its mean check: quick plan 8, 80/480, 800, 8000.
    assert!(assert_all_scaled("B.2", 6) >= 6);
    assert!(assert_all_scaled("3.2", 6) >= 5);
    assert!(assert_all_scaled("B.4", 6) >= 5);
    assert_eq!(assert_all_scaled("3.1", 6), 1);
}

#[test]
fn data_martingale_and_warmup_chains_set_every_literal_check() {
    // G.1: the data sets at (n, d) and at (40, 100) (quick plan 20 000 and 3000).
    assert_eq!(assert_all_scaled("G.1", 700), 2);
    assert_eq!(assert_all_scaled("G.2", 700), 1);
    assert!(assert_all_scaled("G.3", 700) >= 4);
    assert!(assert_all_scaled("G.4", 700) >= 3);
    // The warm-up walks: the long and the short horizon (quick plan 20 000 and 150 000).
    assert!(assert_all_scaled("warmup", 700) >= 4);
}
