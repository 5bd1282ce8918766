//! Theorem 2.1's practical regime: the end-to-end chains (a dynamics over a schedule from
//! `v[0] = τ·1`, each on its own Gaussian data set), the Monte Carlo at τ = 1 against the
//! controls `δ = 0` and full-batch GD, and the large-initialization sweep. Not a claim: the claim
//! is [`super::theorem_2_1`].

// `!(x <= y)` is used on purpose: a NaN must count as a failure of the inequality.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::claim::Ctx;
use crate::claims::stage1::setting::T33Literal;
use crate::claims::stage2::theorem_2_1::{
    BEAT_FACTOR, BEATS_D0, BEATS_GD, D0_CHAINS, EPS_PRAC, GD_CHAINS, GD_SWEEP_CHAINS, PHASES, SUCCESS, SUCCESS_CHECK,
    SUCCESS_D0, SUCCESS_GD, TAU2_CHAINS, TAU4_CHAINS, TAUS, schedule,
};
use crate::engine::dynamics::Dynamics;
use crate::engine::lanes::PVec;
use crate::engine::model::{Data, Problem};
use crate::engine::schedule::Schedule;
use crate::engine::stats::{self, quantile};
use crate::engine::stopped::{Batch, StopSet, run_chain};
use crate::evidence::{Audit, Class, Figure, McCheck, Outcome, Provenance, Rel, Role, Table, key};
use crate::numfmt::fmt;
use crate::report::svg::{Scale, Series, line_plot};

/// How an end-to-end chain's data set is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Draw {
    /// `x^(i) ~ N(0, I_d)` (the paper's setting).
    Gaussian,
    /// i.i.d. Laplace entries (not the paper's setting).
    Laplace,
}

impl Draw {
    /// Draw an `n × d` data set.
    pub fn draw(self, n: usize, d: usize, rng: &mut crate::engine::rng::Stream) -> crate::error::Result<Data> {
        match self {
            Draw::Gaussian => Data::gaussian(n, d, rng),
            Draw::Laplace => Data::laplace(n, d, rng),
        }
    }
}

/// The draw of every end-to-end chain (the audit reads it).
pub const DATA: Draw = Draw::Gaussian;

/// One end-to-end chain's result.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, Default)]
pub struct E2e {
    /// `‖v[T] − v*‖∞` (∞ if diverged).
    pub dist: f64,
    /// `‖v⊙v − v*⊙v*‖²` after each phase (∞ if diverged).
    pub test: [f64; 3],
    /// Final training loss.
    pub loss: f64,
    /// `‖∇L(v[T])‖∞`.
    pub grad_inf: f64,
    /// `‖|v[T]| − v*‖∞`: the distance up to the signs of the coordinates (`v ↦ v⊙v` cannot see them).
    pub dist_abs: f64,
    /// Some coordinate changed sign (a factor `1 + η(s − r_i)x_k` was negative: positivity fails).
    pub sign_flip: bool,
    pub diverged: bool,
}

impl E2e {
    /// The record of a diverged chain.
    fn diverged() -> E2e {
        E2e {
            dist: f64::INFINITY,
            test: [f64::INFINITY; 3],
            loss: f64::INFINITY,
            grad_inf: f64::INFINITY,
            dist_abs: f64::INFINITY,
            sign_flip: false,
            diverged: true,
        }
    }
}

/// The problem sizes: dimension `d`, samples `n`, sparsity `r`.
#[derive(Clone, Copy, Debug)]
pub struct Sizes {
    pub d: usize,
    pub n: usize,
    pub r: usize,
}

/// The chains of one dynamics: chain `j` draws its data from the stream `(seed, "2.1", "data", j)`
/// and its noise from `(seed, "2.1", purpose, j)`.
pub struct E2eRun<'a> {
    pub ctx: &'a Ctx,
    pub sizes: Sizes,
    /// The initialization scale: `v[0] = τ·1`.
    pub tau: f64,
    pub dynamics: &'a Dynamics,
    pub sched: &'a Schedule,
    pub purpose: &'a str,
}

impl E2eRun<'_> {
    /// Chain `j`.
    pub fn chain(&self, j: usize) -> E2e {
        let Sizes { d, n, r } = self.sizes;
        let (ctx, sched) = (self.ctx, self.sched);
        let data = DATA.draw(n, d, &mut ctx.stream("2.1", "data", j as u64)).expect("validated sizes");
        let p = Problem::new(data, r).expect("validated r ≤ d");
        let b1 = sched.phases()[0].steps;
        let b2 = b1 + sched.phases().get(1).map(|ph| ph.steps).unwrap_or(0);
        let mut test = [f64::INFINITY; 3];
        let end = run_chain(
            Batch::new(&p, self.dynamics, sched, StopSet::Never),
            PVec::constant(d, self.tau),
            &mut ctx.stream("2.1", self.purpose, j as u64),
            &mut |t: u64, v: &PVec| {
                if t == b1 {
                    test[0] = p.test_error(v);
                }
                if t == b2 {
                    test[1] = p.test_error(v);
                }
            },
        );
        if end.diverged_at.is_some() {
            return E2e::diverged();
        }
        test[2] = p.test_error(&end.v);
        if sched.phases().len() == 1 {
            test = [test[2]; 3];
        }
        let grad_inf = p.grad(&end.v).iter().fold(0.0f64, |a, g| a.max(g.abs()));
        let dist_abs =
            end.v.as_slice().iter().zip(p.v_star().as_slice()).fold(0.0f64, |a, (x, w)| a.max((x.abs() - w).abs()));
        let sign_flip = end.v.as_slice().iter().any(|&x| x < 0.0);
        E2e { dist: p.dist_inf(&end.v), test, loss: p.loss(&end.v), grad_inf, dist_abs, sign_flip, diverged: false }
    }
    /// The first `n_chains` chains, through the context's runner (labelled `what`).
    pub fn chains(&self, what: &str, n_chains: usize) -> Vec<E2e> {
        self.ctx.runner.map(what, n_chains, |j| self.chain(j))
    }
}

/// A table row: the name, the count and the quantiles 0, 0.1, 0.5, 0.9, 1 of `xs`.
pub fn quantile_row(name: &str, xs: &[f64]) -> Vec<String> {
    let mut v = vec![name.to_string(), xs.len().to_string()];
    for q in [0.0, 0.1, 0.5, 0.9, 1.0] {
        v.push(fmt(quantile(xs, q)));
    }
    v
}

/// The practical end-to-end Monte Carlo at τ = 1: label noise against the controls `δ = 0` and
/// full-batch GD. Returns the regime and the label-noise chains (the τ-sweep's τ = 1 point).
pub fn end_to_end(ctx: &Ctx, out: &mut Outcome, sizes: Sizes, delta: f64, n_ln: usize) -> (Class, Vec<E2e>) {
    let Sizes { d, n, r } = sizes;
    let b = ctx.budget;
    let n_d0 = D0_CHAINS.at(b).min(n_ln);
    let n_gd = GD_CHAINS.at(b).min(n_ln);
    let mut audit = Audit::new(
        "2.1 practical",
        format!(
            "Algorithm 1, d = {d}, n = {n}, r = {r}, τ = 1, δ = {delta}, η = 1e−2, 1e−3, 1e−4 × 1e5 \
                steps; fresh N(0, I) data per chain"
        ),
    );
    audit.check(
        "δ ≥ τ²d²",
        "δ ≥ τ²d² (the statement's Θ̃(τ²d²) without its polylog; the literal Stage 0 needs δ ≈ 5e18, \
            SPEC §4.6)",
        delta,
        Rel::Ge,
        (d * d) as f64,
    );
    audit.check(
        "n ≥ r²",
        "n ≥ r² (the statement's Θ̃(r²) without its \
        polylog)",
        n as f64,
        Rel::Ge,
        (r * r) as f64,
    );
    // The theorem is about the overparameterised regime n < d (a manifold of global minima, among
    // which label noise selects the sparse one). The row is shown where it fails (a command-line
    // (d, n) with n ≥ d), so the default report, where it holds, keeps its rows.
    if n >= d {
        audit.check(
            "n < d",
            "n < d (overparameterised: the global minima form a manifold; at n ≥ d the interpolating v is \
                generically unique and the controls δ = 0 and GD reach it too)",
            n as f64,
            Rel::Lt,
            d as f64,
        );
    }
    let sched1 = schedule(1.0);
    let ln_dynamics = Dynamics::Alg1 { delta };
    audit.fact(
        "Gaussian data",
        "x^(i) ~ N(0, I_d) i.i.d., fresh for every chain (the theorem's probability is over data and algorithm)",
        DATA == Draw::Gaussian,
    );
    audit.fact(
        "Algorithm 1",
        "the dynamics is Algorithm 1 exactly (not the experiment's full-gradient variant)",
        matches!(ln_dynamics, Dynamics::Alg1 { .. }),
    );
    let t1_literal = T33Literal::literal().t;
    audit.check(
        "literal T1",
        "phase-2 steps ≥ the proof's Stage-1 horizon T1 (Theorem 3.3 at SPEC §5.9's literal instance)",
        sched1.phases()[1].steps as f64,
        Rel::Ge,
        t1_literal,
    );
    let regime = out.push_audit(audit);

    let chains = |dynamics: &Dynamics, purpose: &str, what: &str, n_chains: usize| {
        E2eRun { ctx, sizes, tau: 1.0, dynamics, sched: &sched1, purpose }.chains(what, n_chains)
    };
    let ln = chains(&ln_dynamics, "ln-tau1", "2.1 label noise", n_ln);
    let d0 = chains(&Dynamics::Alg1 { delta: 0.0 }, "d0", "2.1 δ = 0", n_d0);
    let gd = chains(&Dynamics::Gd, "gd", "2.1 GD", n_gd);
    let id_main = format!("2.1 (practical): P(‖v[T] − v*‖∞ > ε_prac = {EPS_PRAC}) ≤ 1 − 0.9");
    let success = [
        (
            SUCCESS_CHECK,
            id_main.as_str(),
            "label-noise SGD (Algorithm 1, δ = 1) after the three-phase schedule; each chain on its own data set",
            Role::Primary,
            &ln,
        ),
        (
            SUCCESS_D0,
            "control δ = 0: P(‖v[T] − v*‖∞ > ε_prac) ≤ 1 − 0.9",
            "plain SGD (Algorithm 1 with δ = 0), same schedule, same data sets",
            Role::Control { variant: "no label noise (δ = 0)".into() },
            &d0,
        ),
        (
            SUCCESS_GD,
            "control GD: P(‖v[T] − v*‖∞ > ε_prac) ≤ 1 − 0.9",
            "full-batch gradient descent, same schedule, same data sets",
            Role::Control { variant: "full-batch GD".into() },
            &gd,
        ),
    ];
    for (key, id, event, role, xs) in success {
        // ε_prac was taken from the pilot runs (SPEC §7.3: max_(k∉S) v_k ≈ 0.17): exploratory, never
        // counted (the level 1 − 0.9 is the paper's).
        let c = McCheck::about(id, event, regime.clone(), role)
            .prob_upper(failures(xs), xs.len() as u64, 1.0 - SUCCESS)
            .threshold(Provenance::Exploratory);
        out.mc.push(c.with_diverged(diverged(xs)).keyed(key));
    }
    let beat = ln.iter().zip(&d0).filter(|(a, z)| !(a.test[2] * BEAT_FACTOR < z.test[2])).count() as u64;
    out.mc.push(
        McCheck::about(
            "2.1 (practical): P(test error of label noise ≥ test error of δ = 0 / 100) ≤ 0.1",
            "paired by data set: label noise must beat plain SGD by two orders of magnitude in ‖v⊙v − \
                v*⊙v*‖²",
            regime.clone(),
            Role::Primary,
        )
        .prob_upper(beat, d0.len() as u64, 0.1)
        .threshold(Provenance::PreStated)
        .keyed(BEATS_D0),
    );
    let c = out.mc_keyed(SUCCESS_CHECK).cloned().expect("just pushed");
    out.measure(
        "P̂(‖v[T] − v*‖∞ ≤ ε_prac), label noise",
        1.0 - c.estimate,
        format!(
            "{} of {} chains; 99% interval [{}, {}] vs 0.9",
            ln.len() as u64 - failures(&ln),
            ln.len(),
            fmt(1.0 - c.ci[1]),
            fmt(1.0 - c.ci[0])
        ),
    );
    let med = |xs: &[E2e], k: usize| quantile(&xs.iter().map(|c| c.test[k]).collect::<Vec<_>>(), 0.5);
    let flips = ln.iter().filter(|c| c.sign_flip).count();
    let fail_abs = ln.iter().filter(|c| !(c.dist_abs <= EPS_PRAC)).count();
    out.measure(
        "label-noise chains with a coordinate of flipped sign",
        flips as f64,
        format!(
            "of {}; failures up to sign (‖|v[T]| − v*‖∞ > ε_prac): {fail_abs}. At η0 = 1e−2 a \
            factor 1 + η(s − r_i)x_k can be negative early in phase 1 (|r_i| ≈ 10–30 at v = 1): the \
            positivity the theorem's η0 guarantees fails in this practical regime, and a support coordinate can \
            land at −1 (same v⊙v, ‖v − v*‖∞ ≈ 2)",
            ln.len()
        ),
    );
    out.measure("median test error, label noise", med(&ln, 2), "‖v⊙v − v*⊙v*‖² at T");
    out.measure("median test error, δ = 0", med(&d0, 2), "plain SGD converges to a dense interpolating solution");
    out.measure("median test error, GD", med(&gd, 2), "full-batch GD");
    out.measure(
        "median test-error ratio δ = 0 / label noise",
        med(&d0, 2) / med(&ln, 2),
        format!("must be ≥ {BEAT_FACTOR}"),
    );
    let mut rows = Vec::new();
    for (name, xs) in [("label noise", &ln), ("δ = 0", &d0), ("GD", &gd)] {
        for (k, ph) in [
            "after phase 1 (η = \
                1e−2)",
            "after phase 2 (η = 1e−3)",
            "after phase 3 (η = 1e−4)",
        ]
        .iter()
        .enumerate()
        {
            rows.push(quantile_row(
                &format!("{name}: ‖v⊙v − v*⊙v*‖² {ph}"),
                &xs.iter().map(|c| c.test[k]).collect::<Vec<_>>(),
            ));
        }
        rows.push(quantile_row(
            &format!(
                "{name}: ‖v[T] − \
            v*‖∞"
            ),
            &xs.iter().map(|c| c.dist).collect::<Vec<_>>(),
        ));
    }
    out.tables.push(Table {
        title: format!(
            "End-to-end practical regime (d = {d}, n = {n}, r = {r}, τ = 1, δ = {delta}; Algorithm 1 \
            exactly): distributions over chains (each on its own data set)"
        ),
        columns: vec![
            "quantity".into(),
            "chains".into(),
            "min".into(),
            "q10".into(),
            "median".into(),
            "q90".into(),
            "max".into(),
        ],
        rows,
    });
    (regime, ln)
}

/// The large-initialization sweep: label noise with `δ_τ = τ²δ` and the schedule scaled as the
/// theorem prescribes, against full-batch GD, at each τ of [`TAUS`] (`ln`: the chains at τ = 1).
pub fn tau_sweep(ctx: &Ctx, out: &mut Outcome, sizes: Sizes, delta: f64, regime: &Class, ln: &[E2e]) {
    let Sizes { d, n, r } = sizes;
    let b = ctx.budget;
    let n_gd_sweep = GD_SWEEP_CHAINS.at(b);
    let mut sweep_rows = Vec::new();
    let mut ln_pts = Vec::new();
    let mut gd_pts = Vec::new();
    let (mut ln_q, mut gd_q) = (Vec::new(), Vec::new());
    for &tau in &TAUS {
        let dt = delta * tau * tau;
        let runs: Vec<E2e> = if tau == 1.0 {
            ln.to_vec()
        } else {
            let (sc, purpose) = (schedule(tau), format!("ln-tau{tau}"));
            let dynamics = Dynamics::Alg1 { delta: dt };
            let n_tau = if tau == 2.0 { TAU2_CHAINS.at(b) } else { TAU4_CHAINS.at(b) };
            let run = E2eRun { ctx, sizes, tau, dynamics: &dynamics, sched: &sc, purpose: &purpose };
            run.chains(&format!("2.1 τ = {tau}"), n_tau)
        };
        let gsched = Schedule::constant(PHASES[0].0 / (tau * tau), PHASES[0].1).expect("positive");
        let purpose = format!("gd-tau{tau}");
        let gd_run = E2eRun { ctx, sizes, tau, dynamics: &Dynamics::Gd, sched: &gsched, purpose: &purpose };
        let gds = gd_run.chains(&format!("2.1 GD τ = {tau}"), n_gd_sweep);
        let pairs = runs.len().min(gds.len());
        let worse = runs.iter().zip(&gds).filter(|(a, g)| !(a.test[2] * BEAT_FACTOR < g.test[2])).count() as u64;
        out.mc.push(
            McCheck::about(
                &format!("τ = {tau}: P(test error of label noise ≥ test error of GD / 100) ≤ 0.1"),
                &format!(
                    "paired by data set; label noise with δ = {}, schedule scaled as prescribed; GD with η = {} \
                for 1e5 steps",
                    fmt(dt),
                    fmt(PHASES[0].0 / (tau * tau))
                ),
                regime.clone(),
                Role::Primary,
            )
            .prob_upper(worse, pairs as u64, 0.1)
            .threshold(Provenance::PreStated)
            .keyed(key(BEATS_GD, &fmt(tau))),
        );
        let lt: Vec<f64> = runs.iter().map(|c| c.test[2]).collect();
        let gt: Vec<f64> = gds.iter().map(|c| c.test[2]).collect();
        let f = failures(&runs);
        let (lo, hi) = stats::clopper_pearson(f, runs.len() as u64, 0.01);
        ln_pts.push((tau, quantile(&lt, 0.5)));
        gd_pts.push((tau, quantile(&gt, 0.5)));
        ln_q.push((tau, quantile(&lt, 0.1), quantile(&lt, 0.9)));
        gd_q.push((tau, quantile(&gt, 0.1), quantile(&gt, 0.9)));
        let sc = schedule(tau);
        sweep_rows.push(vec![
            fmt(tau),
            fmt(dt),
            sc.phases()
                .iter()
                .map(|p| format!("{}×{}", fmt(p.eta), fmt(p.steps as f64)))
                .collect::<Vec<_>>()
                .join(", "),
            runs.len().to_string(),
            fmt(quantile(&lt, 0.5)),
            format!("{}/{} [{}, {}]", f, runs.len(), fmt(lo), fmt(hi)),
            gds.len().to_string(),
            fmt(quantile(&gt, 0.5)),
            fmt(gds.iter().map(|c| c.loss).fold(0.0, f64::max)),
            fmt(gds.iter().map(|c| c.grad_inf).fold(0.0, f64::max)),
        ]);
    }
    out.tables.push(Table {
        title: format!(
            "Large initialization: τ-sweep (label noise with δ_τ = τ²δ and the schedule scaled as \
            Theorem 2.1 prescribes; GD with η = 1e−2/τ² for 1e5 steps, converged: final train loss and \
            ‖∇L‖∞ shown). ε_prac = {EPS_PRAC}"
        ),
        columns: vec![
            "τ".into(),
            "δ_τ".into(),
            "label-noise schedule \
            (η×steps)"
                .into(),
            "LN chains".into(),
            "LN median test error".into(),
            "LN ‖v − v*‖∞ > ε_prac (99% CI)".into(),
            "GD chains".into(),
            "GD median test error".into(),
            "GD max train loss".into(),
            "GD max ‖∇L‖∞".into(),
        ],
        rows: sweep_rows,
    });
    let mut series = vec![
        Series { label: "label noise (median)".into(), points: ln_pts.clone(), color: 0, dashed: false },
        Series { label: "GD (median)".into(), points: gd_pts.clone(), color: 1, dashed: false },
    ];
    for (name, qs, color) in [("label noise", &ln_q, 0), ("GD", &gd_q, 1)] {
        for (q, pick) in [("q10", 1), ("q90", 2)] {
            let points = qs.iter().map(|x| (x.0, if pick == 1 { x.1 } else { x.2 })).collect();
            series.push(Series { label: format!("{name} {q}"), points, color, dashed: true });
        }
    }
    out.figures.push(Figure {
        file: "t2_1_tau_sweep.svg".into(),
        caption: "Theorem 2.1, practical regime: test error ‖v⊙v − v*⊙v*‖² vs initialization scale τ \
            for label-noise SGD (δ and schedule scaled with τ) and full-batch GD (kernel regime)"
            .into(),
        svg: line_plot(
            "Test error vs initialization \
            scale",
            "τ",
            "‖v⊙v − v*⊙v*‖²",
            Scale::Linear,
            Scale::Log10,
            &series,
        ),
    });
    for (k, &tau) in TAUS.iter().enumerate() {
        out.measure(format!("median test error at τ = {tau}: label noise"), ln_pts[k].1, "");
        out.measure(format!("median test error at τ = {tau}: GD"), gd_pts[k].1, "");
    }
    out.note(format!(
        "Practical regime, labelled: Algorithm 1 exactly with d = {d}, n = {n}, r = {r}, τ = 1, δ = {delta} and \
            the authors' three-phase step sizes — the theorem's constants are out of reach (Stage 1 alone needs \
            T1 ≈ 1e33 steps). The checks are the qualitative claim: P(‖v[T] − v*‖∞ ≤ ε_prac = \
            {EPS_PRAC}) ≥ 0.9, and label noise beating plain SGD (δ = 0) by ≥ 100× in test error; δ = 0 and \
            full-batch GD are the controls of the same check. ε_prac = 0.2 is the accuracy the pilot runs reach \
            (largest off-support coordinate ≈ 0.15–0.2), not the theorem's ε: the success checks that use it are \
            exploratory (reported, never counted). The test-error rule '≥ 100×' is SPEC §7.3's pass criterion \
            ('beats δ = 0 by ≥ 2 orders of magnitude'), stated before the project's runs (the SPEC pilot's ratio \
            was ≈ 9000, so the rule was not tuned to pass): pre-stated."
    ));
    out.note(
        "τ-sweep: δ_τ = τ²δ (δ ≥ Θ̃(τ²d²)), η0 ∝ 1/δ with T0 fixed (η0δ = Θ̃(1)), η1, \
        η2 ∝ 1/δ² with T1, T2 ∝ 1/η: τ = 4 runs 5.1e7 steps per chain, so the sweep has few chains at the \
        quick/default budgets; the per-τ success frequencies are reported with intervals in the table, not as \
        verdicts (ε_prac was calibrated at τ = 1; the theorem's Θ̃ hides polylog factors in τ). GD runs phase \
        1's step η = 1e−2/τ² for 1e5 steps, by which it has converged (train loss and gradient in the table), \
        so the later phases could not move it.",
    );
}

/// The chains that miss `‖v[T] − v*‖∞ ≤ ε_prac` (diverged ones included).
fn failures(xs: &[E2e]) -> u64 {
    xs.iter().filter(|c| !(c.dist <= EPS_PRAC)).count() as u64
}

/// The chains that diverged.
fn diverged(xs: &[E2e]) -> u64 {
    xs.iter().filter(|c| c.diverged).count() as u64
}
