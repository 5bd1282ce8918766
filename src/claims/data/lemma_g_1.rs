//! Lemma G.1 (sup-norm of Gaussian data), eq. (176).
//!
//! > **Lemma G.1.** Suppose `x^(i) ~ N(0, I_{d×d})` where `i ∈ [n]` are random data. Then with
//! > probability at least `1 − ρ`, for every `i ∈ [n]` there is `‖x^(i)‖_∞ ≤ b_x = sqrt(2 log(2nd/ρ))` (176).
//! > *Proof.* By Gaussian tail bound, `Pr(|x_k^(i)| > b_x) ≤ 2e^{−b_x²/2}`. So by union bound
//! > `Pr(max_{i,k} |x_k^(i)| > b_x) ≤ 2nd e^{−b_x²/2}`. Let `b_x = sqrt(2 log(2nd/ρ))`. (SPEC §2.1,
//! > RECONSTRUCTED\[h\]: the OCR of (176) is garbled; the proof fixes the constant.)
//!
//! # Formula
//! Exact: `P(max_{i,k} |x_k^(i)| > b) = 1 − (1 − erfc(b/√2))^{nd} = −expm1(nd · ln_1p(−erfc(b/√2)))`.
//!
//! Checks: the exact probability against `ρ` on a grid of `(n, d, ρ)` (exact); the Gaussian tail
//! step `erfc(b/√2) ≤ 2e^{−b²/2}` (exact); Monte Carlo of the event against `ρ` and against the
//! exact law, on the engine's own data generator. Negative control: unit-variance Laplace data
//! (heavier tails, same covariance) at the same `b_x`; the same bound check must flag it.
//!
//! `--chains K` sets the data sets of both literal checks, `P(max|x| > b_x) ≤ ρ` at `(n, d)` (with the exact-law
//! check on the same sets) and at the paper's size `(40, 100)` (with its Laplace control).

use crate::claim::{Claim, Ctx, PaperRef, PerBudget};
use crate::engine::model::Data;
use crate::error::{Result, check};
use crate::evidence::{Audit, Class, ExactCheck, Margin, McCheck, Outcome, Rel, Role, Table};
use crate::evidence::{Equivalence, Provenance};
use crate::numfmt::fmt;
use crate::overrides::Param;
use crate::tol;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "G.1",
    title: "Lemma G.1 (sup-norm of Gaussian data)",
    paper: PaperRef { section: "Appendix G", equations: "(176)", spec: "§2.1" },
    statement: "w.p. ≥ 1 − ρ, max_{i,k} |x_k^(i)| ≤ b_x = sqrt(2 log(2nd/ρ))",
    module: file!(),
    test: "tests/foundation.rs",
    accepts: &[Param::N, Param::D, Param::Rho, Param::Chains],
    run,
};

/// `b_x(ρ) = sqrt(2 log(2nd/ρ))`.
pub fn b_x(n: usize, d: usize, rho: f64) -> f64 {
    (2.0 * (2.0 * n as f64 * d as f64 / rho).ln()).sqrt()
}

/// Exact `P(max_{i,k} |x_k^(i)| > b)` for i.i.d. standard normal entries.
pub fn exact_exceed(n: usize, d: usize, b: f64) -> f64 {
    let q = statrs::function::erf::erfc(b / std::f64::consts::SQRT_2);
    -((n as f64 * d as f64) * (-q).ln_1p()).exp_m1()
}

fn max_abs(data: &Data) -> f64 {
    let mut m: f64 = 0.0;
    for i in 0..data.n() {
        for k in 0..data.d() {
            m = m.max(data.x(i, k).abs());
        }
    }
    m
}

/// Chains (samples) per budget.
const CHAINS: PerBudget<usize> = PerBudget::new(20_000, 100_000, 1_000_000);
/// Data sets at the paper's experiment size, per budget.
const EXPERIMENT_SETS: PerBudget<usize> = PerBudget::new(3000, 20_000, 200_000);

/// Key of the exact check of (176) on a grid.
pub const EXACT_GRID: &str = "G1-exact-grid";
/// Key of the Gaussian tail bound check.
pub const GAUSSIAN_TAIL: &str = "G1-gaussian-tail";
/// Key of the Monte Carlo check of the bound.
pub const BOUND: &str = "G1-bound";
/// Key of the Monte Carlo check against the exact probability.
pub const EXACT_LAW: &str = "G1-exact-law";
/// Key of the bound at the experiment's size (n, d) = (40, 100).
pub const BOUND_EXPERIMENT: &str = "G1-bound-40-100";
/// Key of the negative control (Laplace data).
pub const CONTROL_LAPLACE: &str = "G1-control-laplace";

fn run(ctx: &Ctx) -> Result<Outcome> {
    let o = &ctx.overrides;
    let mut out = Outcome::new();

    // Exact layer: the bound over a grid, and the tail step.
    let mut grid = ExactCheck::new("(176) exact", "ρ − P(max|x| > b_x(ρ)) ≥ 0, exact; scaled by ρ", Role::Primary)
        .keyed(EXACT_GRID)
        .threshold(Provenance::Paper);
    // Control: the Gaussian tail e^{−b²/2} read as e^{−b²}, i.e. b_x = sqrt(log(2nd/ρ)).
    let mut grid_ctl = ExactCheck::control_for(&grid, "b_x = sqrt(log(2nd/ρ)) (the tail e^(−b²/2) read as e^(−b²))");
    let mut rows = Vec::new();
    for &(n, d) in &[(1usize, 1usize), (4, 5), (40, 100), (200, 100), (40, 1000), (1000, 1000)] {
        for &rho in &[0.5, 0.1, 0.01, 0.01 / 3.0, 1e-4, 1e-8] {
            let b = b_x(n, d, rho);
            let p = exact_exceed(n, d, b);
            let at = || format!("n = {n}, d = {d}, ρ = {}", fmt(rho));
            grid.record_margin(Margin::le(p, rho).with_scale(rho), at);
            let p_ctl = exact_exceed(n, d, b / std::f64::consts::SQRT_2);
            grid_ctl.record_margin(Margin::le(p_ctl, rho).with_scale(rho), at);
            if (n, d) == (40, 100) {
                rows.push(vec![fmt(rho), fmt(b), fmt(p), fmt(rho / p)]);
            }
        }
    }
    out.exact.push(grid);
    out.exact.push(grid_ctl);
    let mut tail = ExactCheck::new(
        "Gaussian tail",
        "2e^{−b²/2} − P(|x| > b) ≥ 0 for b on a grid of [0, 30] (both sides > 0 there); scaled by the bound",
        Role::Primary,
    )
    .keyed(GAUSSIAN_TAIL)
    .threshold(Provenance::Paper);
    let mut tail_ctl = ExactCheck::control_for(&tail, "the exponent b²/2 doubled: 2e^(−b²)");
    for j in 0..=3000 {
        let b = j as f64 / 100.0;
        let p = statrs::function::erf::erfc(b / std::f64::consts::SQRT_2);
        let bound = 2.0 * (-b * b / 2.0).exp();
        tail.record_margin(Margin::le(p, bound).with_scale(bound), || format!("b = {b}"));
        let wrong = 2.0 * (-b * b).exp();
        tail_ctl.record_margin(Margin::le(p, wrong).with_scale(p), || format!("b = {b}"));
    }
    out.exact.push(tail);
    out.exact.push(tail_ctl);
    out.tables.push(Table {
        title: "n = 40, d = 100: b_x(ρ) and the exact failure probability (the bound's slack)".into(),
        columns: vec!["ρ".into(), "b_x".into(), "exact P(max|x| > b_x)".into(), "slack ρ / exact".into()],
        rows,
    });

    // Monte Carlo on the engine's generator.
    let n_sets = ctx.chains_or(CHAINS)?;
    let (n, d) = (o.n.unwrap_or(4), o.d.unwrap_or(5));
    check::at_least_one("n", n as u64)?;
    check::at_least_one("d", d as u64)?;
    let rho = check::open_interval("rho", o.rho.unwrap_or(0.5), 0.0, 1.0)?;
    crate::overrides::bound_draws(n_sets, n, d)?;
    let b = b_x(n, d, rho);
    let mut audit = Audit::new("G.1", format!("n = {n}, d = {d}, ρ = {rho}, i.i.d. N(0,1) data"));
    audit.check("ρ ∈ (0,1)", "failure level ρ < 1", rho, Rel::Lt, 1.0);
    let regime = out.push_audit(audit);
    let hits: Vec<bool> = ctx.runner.map("G.1 data sets", n_sets, |j| {
        let data = Data::gaussian(n, d, &mut ctx.stream("G.1", "data", j as u64)).expect("valid sizes");
        max_abs(&data) > b
    });
    let k = hits.iter().filter(|&&h| h).count() as u64;
    let p_exact = exact_exceed(n, d, b);
    out.mc.push(
        McCheck::about(
            "G.1: P(max|x| > b_x) ≤ ρ",
            &format!("max_(i,k) |x_k^(i)| > b_x = {} over {n}×{d} Gaussian data", fmt(b)),
            regime.clone(),
            Role::Primary,
        )
        .prob_upper(k, n_sets as u64, rho)
        .threshold(Provenance::Paper)
        .keyed(BOUND),
    );
    out.mc.push(
        McCheck::about(
            "G.1: P(max|x| > b_x) = exact",
            &format!("the same event against its exact probability {}", fmt(p_exact)),
            Class::supporting("the exact law of max|x|: P(max > b) = 1 − (1 − erfc(b/√2))^(nd)"),
            Role::Primary,
        )
        .prob_equals(
            k,
            n_sets as u64,
            p_exact,
            Equivalence::absolute(
                tol::EXACT_LAW_PROB_MARGIN,
                "exact law: the project's pre-stated margin for an exact probability, 0.02 absolute \
                 (tol::EXACT_LAW_PROB_MARGIN), fixed before any run",
            ),
        )
        .keyed(EXACT_LAW),
    );

    // Paper-sized instance (n, d) = (40, 100), ρ = 0.01/3, and the Laplace control there.
    let (n2, d2, rho2) = (40usize, 100usize, 0.01 / 3.0);
    let b2 = b_x(n2, d2, rho2);
    // `--chains` sets both literal checks' data sets (the (40,100) check and its Laplace control too).
    let m_sets = ctx.chains_or(EXPERIMENT_SETS)?;
    crate::overrides::bound_draws(2 * m_sets, n2, d2)?;
    let mut audit2 = Audit::new(
        "G.1 (40,100)",
        format!("n = {n2}, d = {d2}, ρ = 0.01/3 (the failure budget of Theorem 3.1's data event)"),
    );
    audit2.check("ρ ∈ (0,1)", "failure level ρ < 1", rho2, Rel::Lt, 1.0);
    let regime2 = out.push_audit(audit2);
    let (hg, hl): (Vec<bool>, Vec<bool>) = ctx
        .runner
        .map("G.1 (40,100)", m_sets, |j| {
            let g = Data::gaussian(n2, d2, &mut ctx.stream("G.1", "data-40x100", j as u64)).expect("sizes");
            let l = Data::laplace(n2, d2, &mut ctx.stream("G.1", "laplace-40x100", j as u64)).expect("sizes");
            (max_abs(&g) > b2, max_abs(&l) > b2)
        })
        .into_iter()
        .unzip();
    let kg = hg.iter().filter(|&&h| h).count() as u64;
    let kl = hl.iter().filter(|&&h| h).count() as u64;
    out.mc.push(
        McCheck::about(
            "G.1 (40,100): P(max|x| > b_x) ≤ ρ",
            &format!(
                "max |x| > b_x = {} at n = 40, d = 100, ρ = 0.01/3 (exact probability {})",
                fmt(b2),
                fmt(exact_exceed(n2, d2, b2))
            ),
            regime2.clone(),
            Role::Primary,
        )
        .prob_upper(kg, m_sets as u64, rho2)
        .threshold(Provenance::Paper)
        .keyed(BOUND_EXPERIMENT),
    );
    out.mc.push(
        McCheck::about(
            "control: Laplace data, P(max|x| > b_x) ≤ ρ",
            "the same event for unit-variance Laplace data (same covariance, heavier tails)",
            regime2,
            Role::Control { variant: "Laplace data of unit variance".into() },
        )
        .prob_upper(kl, m_sets as u64, rho2)
        .threshold(Provenance::Paper)
        .keyed(CONTROL_LAPLACE),
    );
    out.measure("b_x at n = 40, d = 100, ρ = 0.01/3", b2, "SPEC §2.1(c): 5.42");
    out.measure(
        "exact P at n = 40, d = 100, ρ = 0.01/3",
        exact_exceed(n2, d2, b2),
        "SPEC §2.1(c): 2.4e-4, ~14× below ρ",
    );
    Ok(out)
}
