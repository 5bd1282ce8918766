//! Figure 1's runs: every (data set, variant) pair simulated through the engine's `run_chain`,
//! logged every `T/300` steps, with the states kept for the exact one-step checks, and the
//! minibatch variant re-drawn after a divergence (at most [`MB_MAX_ATTEMPTS`] attempts).

use crate::claim::Ctx;
use crate::claims::experiment::figure_1::ID;
use crate::claims::experiment::protocol::{Config, Variant};
use crate::engine::dynamics::Dynamics;
use crate::engine::lanes::{self, PVec};
use crate::engine::model::{Data, Problem};
use crate::engine::rng::Stream;
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{Batch, NoObserver, StopSet, run_chain};
use crate::error::Result;

/// Logged points per trajectory.
const POINTS: u64 = 300;
/// Attempts per data set for the minibatch variant: a run that diverges (they all do so within a
/// few hundred steps) is re-run with a fresh noise stream, so the minibatch statements are about
/// the law conditional on not diverging; the divergence rate itself is measured.
pub const MB_MAX_ATTEMPTS: u32 = 10;
/// Seeds whose trajectories provide the states of the exact checks.
pub const PROBE_SEEDS: usize = 2;

/// One simulated run: the logged trajectory and the final values (∞ after a divergence).
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub(super) struct Run {
    pub log_every: u64,
    pub train: Vec<f64>,
    pub test: Vec<f64>,
    pub norm: Vec<f64>,
    pub final_train: f64,
    pub final_test: f64,
    pub final_norm: f64,
    pub diverged_at: Option<u64>,
    pub probes: Vec<(u64, PVec)>,
    /// Runs drawn (minibatch: 1 + re-runs after a divergence; others: 1).
    pub attempts: u32,
    /// Divergence step of the first attempt.
    pub first_diverged_at: Option<u64>,
}

impl Run {
    pub fn diverged(&self) -> bool {
        self.diverged_at.is_some()
    }
}

fn finite_or_inf(x: f64) -> f64 {
    if x.is_finite() { x } else { f64::INFINITY }
}

fn norm2(v: &PVec) -> f64 {
    lanes::sum_sq(v.blocks()).sqrt()
}

/// Run one variant on one data set with the engine's `run_chain`, logging every `T/POINTS`.
fn simulate(
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    alpha: f64,
    rng: &mut Stream,
    probe_at: &[u64],
) -> Run {
    let total = schedule.total_steps();
    let log_every = (total / POINTS).max(1);
    let npts = (total / log_every + 1) as usize;
    let (mut train, mut test, mut norm) =
        (Vec::with_capacity(npts), Vec::with_capacity(npts), Vec::with_capacity(npts));
    let mut probes = Vec::new();
    let end = run_chain(
        Batch::new(p, dynamics, schedule, StopSet::Never),
        PVec::constant(p.d(), alpha),
        rng,
        &mut |t: u64, v: &PVec| {
            if t.is_multiple_of(log_every) {
                train.push(finite_or_inf(p.loss(v)));
                test.push(finite_or_inf(p.test_error(v)));
                norm.push(finite_or_inf(norm2(v)));
            }
            if probe_at.contains(&t) {
                probes.push((t, v.clone()));
            }
        },
    );
    for s in [&mut train, &mut test, &mut norm] {
        s.resize(npts, f64::INFINITY);
    }
    let (final_train, final_test, final_norm) = if end.diverged_at.is_none() {
        (finite_or_inf(p.loss(&end.v)), finite_or_inf(p.test_error(&end.v)), finite_or_inf(norm2(&end.v)))
    } else {
        (f64::INFINITY, f64::INFINITY, f64::INFINITY)
    };
    Run {
        log_every,
        train,
        test,
        norm,
        final_train,
        final_test,
        final_norm,
        diverged_at: end.diverged_at,
        probes,
        attempts: 1,
        first_diverged_at: end.diverged_at,
    }
}

/// Every (seed, variant) run, with the data sets, schedules and dynamics they used.
pub(super) struct Runs {
    pub nseeds: usize,
    pub variants: Vec<Variant>,
    pub schedules: Vec<Schedule>,
    pub dynamics: Vec<Dynamics>,
    pub problems: Vec<Problem>,
    runs: Vec<Run>,
}

impl Runs {
    /// The data sets (one per seed, or the CSV data set for every seed) and every (seed, variant)
    /// run through the engine, in parallel, reduced in index order.
    pub fn simulate(ctx: &Ctx, c: &Config) -> Result<Runs> {
        let nseeds = c.instances;
        let problems: Vec<Problem> = (0..nseeds)
            .map(|s| {
                let data = match &c.data {
                    Some(x) => x.clone(),
                    None => Data::gaussian(c.n, c.d, &mut ctx.stream(ID, "data", s as u64))?,
                };
                Problem::new(data, c.r)
            })
            .collect::<Result<_>>()?;
        let variants = c.variants();
        let nv = variants.len();
        let schedules: Vec<Schedule> = variants.iter().map(|v| v.schedule(c)).collect::<Result<_>>()?;
        let dynamics: Vec<Dynamics> = variants.iter().map(|v| v.dynamics(c)).collect();
        let probe_times = |t: u64| vec![0, t / 100, t / 3 + 1, t - 1];
        let runs: Vec<Run> = ctx.runner.map("fig1 runs", nseeds * nv, |job| {
            let (s, vi) = (job / nv, job % nv);
            let v = variants[vi];
            let mut rng = ctx.stream(ID, &format!("noise/{}", v.key()), s as u64);
            let probe =
                if s < PROBE_SEEDS && v.probed() { probe_times(schedules[vi].total_steps()) } else { Vec::new() };
            let mut run = simulate(&problems[s], &dynamics[vi], &schedules[vi], c.alpha, &mut rng, &probe);
            if v == Variant::Minibatch {
                let first = run.diverged_at;
                let mut attempts = 1;
                while run.diverged() && attempts < MB_MAX_ATTEMPTS {
                    let mut rng = ctx.stream(ID, "noise/minibatch-retry", (s as u64) << 8 | attempts as u64);
                    run = simulate(&problems[s], &dynamics[vi], &schedules[vi], c.alpha, &mut rng, &probe);
                    attempts += 1;
                }
                run.attempts = attempts;
                run.first_diverged_at = first;
            }
            run
        });
        Ok(Runs { nseeds, variants, schedules, dynamics, problems, runs })
    }

    /// The index of `v` among the variants.
    pub fn index(&self, v: Variant) -> usize {
        self.variants.iter().position(|&w| w == v).expect("variant")
    }
    /// The run of `v` on seed `s`.
    pub fn run_of(&self, s: usize, v: Variant) -> &Run {
        &self.runs[s * self.variants.len() + self.index(v)]
    }
    /// The runs of `v`, one per seed.
    pub fn runs_of(&self, v: Variant) -> Vec<&Run> {
        (0..self.nseeds).map(|s| self.run_of(s, v)).collect()
    }
    fn finals(&self, v: Variant, f: fn(&Run) -> f64) -> Vec<f64> {
        (0..self.nseeds).map(|s| f(self.run_of(s, v))).collect()
    }
    /// Final test errors of `v` (∞ after a divergence).
    pub fn te(&self, v: Variant) -> Vec<f64> {
        self.finals(v, |r| r.final_test)
    }
    /// Final train errors of `v`.
    pub fn tr(&self, v: Variant) -> Vec<f64> {
        self.finals(v, |r| r.final_train)
    }
    /// Final `‖v‖₂` of `v`.
    pub fn nm(&self, v: Variant) -> Vec<f64> {
        self.finals(v, |r| r.final_norm)
    }
    /// Runs of `v` that diverged.
    pub fn ndiv(&self, v: Variant) -> u64 {
        self.runs_of(v).iter().filter(|r| r.diverged()).count() as u64
    }
}

/// The final values the statements, tables and erratum compare (one entry per seed).
pub(super) struct Finals {
    pub te_gd: Vec<f64>,
    pub tr_gd: Vec<f64>,
    pub nm_gd: Vec<f64>,
    pub te_ln: Vec<f64>,
    pub tr_ln: Vec<f64>,
    pub te_lnp: Vec<f64>,
    pub te_zero: Vec<f64>,
    pub te_alg1: Vec<f64>,
    pub te_mb: Vec<f64>,
    /// The Gaussian variants, one per σ of the grid, and their test errors and norms.
    pub gauss: Vec<Variant>,
    pub te_g: Vec<Vec<f64>>,
    pub nm_g: Vec<Vec<f64>>,
    /// Per seed, the smallest test error over the σ grid.
    pub best_g: Vec<f64>,
    /// Per seed, the test error of the trivial predictor `v = 0`, `‖v*⊙v*‖²` (computed on each
    /// data set's problem; it is `r` for 0/1 ground truth): the parameter-free baseline of
    /// "generalizes".
    pub te_trivial: Vec<f64>,
    /// Minibatch: data sets whose first attempt diverged, and the re-draws in all.
    pub k_div_mb: u64,
    pub mb_redraws: u32,
}

impl Finals {
    /// The final values of `runs`.
    pub fn of(c: &Config, runs: &Runs) -> Finals {
        let (te_gd, tr_gd, nm_gd) = (runs.te(Variant::Gd), runs.tr(Variant::Gd), runs.nm(Variant::Gd));
        let (te_ln, tr_ln) = (runs.te(Variant::LnScript), runs.tr(Variant::LnScript));
        let gauss: Vec<Variant> = (0..c.sigmas.len()).map(Variant::Gauss).collect();
        let te_g: Vec<Vec<f64>> = gauss.iter().map(|&g| runs.te(g)).collect();
        let nm_g: Vec<Vec<f64>> = gauss.iter().map(|&g| runs.nm(g)).collect();
        let best_g: Vec<f64> =
            (0..runs.nseeds).map(|s| te_g.iter().map(|x| x[s]).fold(f64::INFINITY, f64::min)).collect();
        // Minibatch: a run that diverges is re-drawn (fresh noise stream, same data set, at most
        // MB_MAX_ATTEMPTS): the statements are about the law conditional on not diverging; a data set
        // whose every attempt diverged counts as a failure. The divergence rate is measured from the
        // first attempts and from the short runs.
        let mb_runs = runs.runs_of(Variant::Minibatch);
        let k_div_mb = mb_runs.iter().filter(|r| r.first_diverged_at.is_some()).count() as u64;
        let mb_redraws: u32 = mb_runs.iter().map(|r| r.attempts - 1).sum();
        Finals {
            te_gd,
            tr_gd,
            nm_gd,
            te_ln,
            tr_ln,
            te_lnp: runs.te(Variant::LnPaper),
            te_zero: runs.te(Variant::LnZero),
            te_alg1: runs.te(Variant::Alg1),
            te_mb: runs.te(Variant::Minibatch),
            gauss,
            te_g,
            nm_g,
            best_g,
            te_trivial: runs.problems.iter().map(|p| p.test_error(&PVec::zeros(p.d()))).collect(),
            k_div_mb,
            mb_redraws,
        }
    }
}

/// The minibatch variant's divergence at the script's η: separate short runs (one fresh data set
/// each, or the CSV data set), and the first attempts of the main runs.
pub(super) struct MbDivergence {
    /// Short runs that diverged, and the latest divergence step among them.
    pub k_side: u64,
    pub latest_side: Option<u64>,
    /// The latest divergence step among the main runs' first attempts.
    pub latest_main: Option<u64>,
}

impl MbDivergence {
    /// The short runs (it diverges within a few dozen steps or not at all).
    pub fn measure(ctx: &Ctx, c: &Config, runs: &Runs) -> Result<MbDivergence> {
        let mb = Variant::Minibatch.dynamics(c);
        let mb_sched = Schedule::constant(c.lr, c.mb_div_steps)?;
        let div_side: Vec<Option<u64>> = ctx.runner.map("fig1 minibatch divergence", c.mb_div_runs, |j| {
            let p = match &c.data {
                Some(x) => Problem::new(x.clone(), c.r).expect("validated"),
                None => Problem::new(
                    Data::gaussian(c.n, c.d, &mut ctx.stream(ID, "mbdiv-data", j as u64)).expect("validated"),
                    c.r,
                )
                .expect("validated"),
            };
            run_chain(
                Batch::new(&p, &mb, &mb_sched, StopSet::Never),
                PVec::constant(c.d, c.alpha),
                &mut ctx.stream(ID, "mbdiv-noise", j as u64),
                &mut NoObserver,
            )
            .diverged_at
        });
        Ok(MbDivergence {
            k_side: div_side.iter().filter(|d| d.is_some()).count() as u64,
            latest_side: div_side.iter().flatten().max().copied(),
            latest_main: runs.runs_of(Variant::Minibatch).iter().filter_map(|r| r.first_diverged_at).max(),
        })
    }
}
