//! Theorem 2.2 (the Gibbs partition function diverges), eq. (4), proof (164)–(175); Langevin
//! dynamics, eq. (2).
//!
//! > **Theorem 2.2.** Assume in addition to the setting in Section 2.1 that the ground truth
//! > `v* = 0`. When `n ≤ d/3`, with probability at least 0.9 over the randomness of the data, for
//! > any `λ > 0`, the Gibbs distribution is not well-defined because the partition function
//! > explodes: `∫_{R^d} e^{−λL(v)} dv = ∞` (4). As a consequence, Langevin diffusion does not
//! > converge to a proper stationary distribution.
//!
//! *Proof (SPEC §8.3(c)).* Pick `μ ∈ null(X)`, `μ > 0`, `‖μ‖₂ = 1` (Lemma F.1); an orthonormal
//! `A = [a_1 … a_d]` with `span{a_1..a_n} = row(X)`, `a_{n+1} = μ` (164); `u = v⊙v = Aũ` (165);
//! `Z ≥ 2^{−d} ∫ e^{−λL̃(ũ_{1:n})} (∫_{S(ũ_{1:n})} Π_i (Aũ)_i^{−1/2} dũ_{n+1:d}) dũ_{1:n}`
//! (166)–(168). For `ū = Aũ > 0` and
//! `c = min_{i∈[d]} min_{j∈[n+2:d], a_ij≠0} a_{i,n+1} / ((d−n−1)|a_ij|)` (169) [printed `min_i max_j`],
//! `S' = {ũ_{n+1:d}: z := ũ_{n+1} − ū_{n+1} ≥ 0, |ũ_j − ū_j| ≤ cz ∀j ∈ [n+2:d]} ⊂ S` (170) because
//! `u_i ∈ [ū_i, ū_i + 2a_{i,n+1}z]` (171)–(172), and the inner integral is at least
//! `∫_0^∞ (2cz)^{d−n−1} Π_i (ū_i + 2a_{i,n+1}z)^{−1/2} dz = ∞` (173)–(175): the integrand is
//! `~ z^{d/2−n−1}`, not integrable iff `n ≤ d/2`.
//!
//! # Formula
//! * `P(Z = ∞) = P(null(X) meets the open orthant) = P(Bin(d−1,½) ≥ n)` for `n ≤ d/2` (meets ⇒
//!   `Z = ∞` by the construction; misses ⇒ `q ≥ κ₀ > 0` on the simplex ⇒ `Z < ∞`, SPEC §8.4).
//! * `Z_R = ∫_{‖v‖₂² ≤ R} e^{−λL(v)} dv`
//!   `= (π^{d/2}/Γ(d/2)) E_{W∼Dir(½)}[∫_0^R s^{d/2−1}e^{−λq(W)s²} ds]`
//!   ([`crate::engine::partition`]); `F(ε) = P_θ(L(θ) ≤ ε) ∼ κ ε^{n/2}` when `null(X)` meets the
//!   orthant, hence `Z_R ∼ R^{d/2−n}` (`n < d/2`), `∼ log R` (`n = d/2`), bounded (`n > d/2`, or
//!   when `null(X)` misses the orthant: increments `~e^{−λκ₀R²}`).
//!
//! Checks: the probability (LP events against 0.9, Wendel exact); the construction on sampled `X`
//! (orthonormality, `S' ⊂ S` margins, sampled points of `S'`, the bound (173), the log-slope of the
//! integrand → `d/2 − n − 1`); `Z_R` (exact `n = 0` value, `d = 2` quadrature, an independent
//! v-space Monte Carlo, and on the SPEC §8.4 grid the growth exponent of `Z_R` three ways: the
//! plain uniform-θ estimator for `n = 1` (`R ≤ 1e4`, SPEC's variance caveat), the slope of
//! `log F(ε)` by importance sampling, and the increments of `Z_R` under a defensive mixture of the
//! plain law and multi-scale tubes around the zero set; log growth at `n = d/2`, a negative
//! exponent — bounded `Z_R` — at `n > d/2`); Langevin dynamics (eq. (2)) at `d = 100, n = 40`,
//! `v* = 0`: `‖v[t]‖₂` keeps growing while Algorithm 1 from the same start shrinks `v`.
//! **E-F1b** (grade P): with `max` over `j` in (169) the inclusion `S' ⊂ S` fails (witness on
//! concrete points).
//!
//! What is checked, by class: *statement* — `P(Z < ∞) ≤ 0.1` (literal at `n ≤ d/3`: (13,4),
//! (30,10), (100,33); practical at the experiment's (100,40)), and the consequence for Langevin
//! dynamics and the Section-2.2 contrast with Algorithm 1 (practical: `n = 40 > d/3`);
//! *supporting facts* — the `Z_R` growth law and the reduction/estimator cross-checks (how the
//! project exhibits `Z = ∞`, not the theorem); exact checks of the proof's construction. Negative controls: the same `Z_R` exponent check on instances whose null space misses
//! the orthant (bounded `Z_R`), the same Langevin check on such an instance (`n = 60`),
//! non-centred data for the probability, and SGD with spherical Gaussian noise of matched variance
//! for the Algorithm-1 shrinkage.

use crate::claim::{Claim, Ctx, PaperRef, PerBudget};
use crate::claims::section_f::construction::construction_section;
use crate::claims::section_f::langevin_check::langevin;
use crate::claims::section_f::orthant_lp::{decide_instance, gaussian_mat};
use crate::claims::section_f::partition_growth::{POOL, zr_growth, zr_reduction_checks};
use crate::claims::section_f::wendel::wendel;
use crate::engine::lp::{Decision, Mat};
use crate::engine::partition as zr;
use crate::error::{Result, check};
use crate::evidence::{Audit, McCheck, Outcome, Provenance, Rel, Role, Table, key};
use crate::numfmt::fmt;
use crate::overrides::Param;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "2.2",
    title: "Theorem 2.2 (the Gibbs partition function diverges; Langevin dynamics)",
    paper: PaperRef {
        section: "Section 2.2, Appendix F", equations: "(2), (4), (164)–(175)", spec: "§8.3–8.4, §1.4"
    },
    statement: "with v* = 0 and n ≤ d/3, w.p. ≥ 0.9 over the data, ∫ e^{−λL(v)} dv = ∞ for every λ > 0, so \
        Langevin dynamics has no stationary law",
    module: file!(),
    test: "tests/section_f.rs",
    accepts: &[Param::D, Param::N, Param::Lambda],
    run,
};

/// The theorem's probability.
pub const PROB_BOUND: f64 = 0.9;
/// Groups of the grouped jackknife (pseudo-values enter a normal-approximation test).
pub const JACKKNIFE_GROUPS: usize = 40;
/// Default inverse temperature of the `Z_R` checks (the exponent does not depend on `λ`).
pub const LAMBDA: f64 = 1.0;
/// Largest `d` for command-line overrides (the construction is `O(d³)`, `Z_R` sampling `O(nd)`).
pub const MAX_D: usize = 400;

/// SPEC §8.4 pilot data for `(d, n) = (4, 1)`: meets (both signs) / misses (all positive).
pub const PILOT_MEETS: [f64; 4] = [1.0, -0.7, 0.4, -1.3];
pub const PILOT_MISSES: [f64; 4] = [1.0, 0.7, 0.4, 1.3];

/// LP instances at a command-line `(d, n)` (scaled by `(100/d)²` for `d > 100`, at least 20).
const POINT_INSTANCES: PerBudget<usize> = PerBudget::new(300, 1000, 5000);
/// LP instances at `(13, 4)`.
const INSTANCES_13_4: PerBudget<usize> = PerBudget::new(2000, 8000, 40_000);
/// LP instances at `(30, 10)` (and its non-centred control).
const INSTANCES_30_10: PerBudget<usize> = PerBudget::new(1000, 4000, 20_000);
/// LP instances at `(100, 33)`.
const INSTANCES_100_33: PerBudget<usize> = PerBudget::new(150, 600, 4000);
/// LP instances at `(100, 40)`.
const INSTANCES_100_40: PerBudget<usize> = PerBudget::new(200, 1000, 4000);

/// Key base of the probability checks: `key(PROB, "d,n")`.
pub const PROB: &str = "2.2-P";
/// Key of the non-centred data control of the probability.
pub const PROB_CONTROL: &str = "2.2-P-control";

fn run(ctx: &Ctx) -> Result<Outcome> {
    let o = &ctx.overrides;
    let mut out = Outcome::new();
    let lambda = crate::overrides::check_lambda(o.lambda.unwrap_or(LAMBDA))?;
    let point = if o.d.is_some() || o.n.is_some() {
        let d = o.d.unwrap_or(100);
        let n = o.n.unwrap_or(40);
        check::int_range("d", d as u64, 2, MAX_D as u64)?;
        check::int_range("n", n as u64, 1, d as u64 - 1)?;
        Some((d, n))
    } else {
        None
    };
    let b = ctx.budget;

    probability_checks(ctx, &mut out, point);
    construction_section(ctx, &mut out, point);
    zr_reduction_checks(ctx, &mut out, lambda);
    zr_growth(ctx, &mut out, lambda, point);
    if point.is_none() {
        langevin(ctx, &mut out);
    } else {
        out.note(
            "Command-line (d, n): the Langevin comparison (fixed at d = 100, n = 40 and its n = 60 control) is \
                skipped; run without --d/--n for it.",
        );
    }
    out.note(
        "Classes: the probability checks P(Z < ∞) ≤ 0.1 are Theorem 2.2's statement (literal where n ≤ d/3); the \
            Langevin checks (the theorem's consequence) and Algorithm 1's shrinkage (the Section-2.2 contrast) run at \
            d = 100, n = 40 > d/3 and are practical; the Z_R growth exponents and the reduction cross-checks are \
            supporting facts (the law by which Z = ∞ is exhibited), with pre-stated margins. The Langevin and \
            Algorithm-1 levels (0.25, ‖v[0]‖/10) are project rules added in the commit that first ran these chains, \
            next to their results, so they are labelled exploratory: reported, never counted (the rule Figure 1's \
            levels follow); the Langevin horizon T = 8000·λ was fixed to stay inside the step-size stability region.",
    );
    out.note(format!(
        "Budget {}: exponents are estimated on instances chosen as the deepest of the first {}/{}/{} \
            (quick/default/full) seeded draws in their case (largest LP t* when meeting, largest dual margin when \
            missing), so the asymptotic regime starts at moderate R; the theorem concerns every meeting X.",
        b.name(),
        POOL.quick,
        POOL.default,
        POOL.full
    ));
    Ok(out)
}

/// Theorem 2.2's probability: `P(Z < ∞) = P(null(X) misses the orthant) ≤ 0.1`, by LP, against
/// the exact Wendel value; control: non-centred data.
fn probability_checks(ctx: &Ctx, out: &mut Outcome, point: Option<(usize, usize)>) {
    let b = ctx.budget;
    let mut pts: Vec<(usize, usize, usize)> = match point {
        // LP cost grows like d³ (~7 ms at d = 100, ~0.6 s at d = 400).
        Some((d, n)) => vec![(
            d,
            n,
            ((POINT_INSTANCES.at(b) as f64 * (100.0 / d as f64).powi(2)) as usize).clamp(20, POINT_INSTANCES.at(b)),
        )],
        None => vec![
            (13, 4, INSTANCES_13_4.at(b)),
            (30, 10, INSTANCES_30_10.at(b)),
            (100, 33, INSTANCES_100_33.at(b)),
            (100, 40, INSTANCES_100_40.at(b)),
        ],
    };
    pts.retain(|&(d, n, _)| n < d);
    let mut rows = Vec::new();
    for &(d, n, k) in &pts {
        let a = probability_audit(&format!("2.2 P ({d},{n})"), ctx, d, n, 0.0);
        let regime = out.push_audit(a);
        let (miss, und) = misses(ctx, "2.2 P", k, |j| {
            gaussian_mat(n, d, 0.0, &mut ctx.stream("2.2", &format!("p-{d}-{n}"), j as u64))
        });
        let exact = wendel(d, n);
        let c = McCheck::about(
            &format!("2.2 ({d},{n}): P(Z < ∞) ≤ 0.1"),
            &format!(
                "null(X) misses the open orthant (⇔ Z < ∞ for n ≤ d/2), decided by LP; exact P = {} ({und} \
                    undecidable)",
                fmt(exact.miss)
            ),
            regime,
            Role::Primary,
        )
        .prob_upper(miss, k as u64 - und, 1.0 - PROB_BOUND)
        .threshold(Provenance::Paper)
        .keyed(key(PROB, &format!("{d},{n}")));
        rows.push(vec![format!("({d}, {n})"), format!("{miss}/{}", k as u64 - und), fmt(exact.miss), fmt(c.ci[1])]);
        out.mc.push(c);
    }
    // Control: non-symmetric data, same check.
    let (d, n, k) = (30usize, 10usize, INSTANCES_30_10.at(b));
    let a = probability_audit("2.2 P control (30,10)", ctx, d, n, 0.5);
    let regime = out.push_audit(a);
    let (miss, und) =
        misses(ctx, "2.2 P control", k, |j| gaussian_mat(n, d, 0.5, &mut ctx.stream("2.2", "p-shifted", j as u64)));
    out.mc.push(
        McCheck::about(
            "control: shifted data (30,10): P(Z < ∞) ≤ 0.1",
            "the same event for entries N(½, 1) (non-centred data)",
            regime,
            Role::Control { variant: "non-centred data, entries N(½, 1)".into() },
        )
        .prob_upper(miss, k as u64 - und, 1.0 - PROB_BOUND)
        .threshold(Provenance::Paper)
        .keyed(PROB_CONTROL),
    );
    out.tables.push(Table {
        title: "Theorem 2.2's probability: P(Z < ∞) = P(null(X) misses the orthant) by LP vs the exact Wendel value \
            and the bound 0.1"
            .into(),
        columns: ["(d, n)", "misses", "exact P(miss)", "99% upper limit"].map(String::from).to_vec(),
        rows,
    });
}

/// The theorem's hypotheses at `(d, n)` for data with entries `N(shift, 1)`, computed: `v* = 0`
/// (the loss `L(v) = (1/(4n)) Σ_i ⟨v⊙v, x^(i)⟩²` vanishes at `v = 0`, evaluated on the first draw),
/// `n ≤ d/3`, and centred Gaussian data (the generator's shift is 0).
fn probability_audit(id: &str, ctx: &Ctx, d: usize, n: usize, shift: f64) -> Audit {
    let mut a = Audit::new(id, format!("d = {d}, n = {n}, entries N({shift}, 1), v* = 0"));
    let x0 = gaussian_mat(n, d, shift, &mut ctx.stream("2.2", "audit-draw", 0));
    a.check(
        "v* = 0",
        "L(0) = 0 on a draw of X (labels y = 0, i.e. v* = 0)",
        zr::q_of(&x0, &vec![0.0; d]),
        Rel::Le,
        0.0,
    );
    a.check("n ≤ d/3", "n ≤ d/3", n as f64, Rel::Le, d as f64 / 3.0);
    a.check("Gaussian data", "x^(i) ~ N(0, I_d) i.i.d.: |mean of the entries| = 0", shift.abs(), Rel::Le, 0.0);
    a
}

/// `(misses, undecidable)` among `k` LP decisions of the matrices `draw(j)`.
fn misses(ctx: &Ctx, what: &str, k: usize, draw: impl Fn(usize) -> Mat + Sync) -> (u64, u64) {
    let rs: Vec<Decision> = ctx.runner.map(what, k, |j| decide_instance(&draw(j)).decision);
    let count = |d: Decision| rs.iter().filter(|&&x| x == d).count() as u64;
    (count(Decision::Misses), count(Decision::Undecidable))
}
