//! Issue 8: every kernel path (portable, AVX2, AVX-512 where the CPU has them), every interleave
//! width and every thread count reproduces the pre-issue-8 engine bit for bit.
//!
//! The reference is `tests/reference/mod.rs`, a frozen copy of the scalar step code that produced
//! the committed snapshots; it runs on its own frozen streams, draws and reduction order
//! (`tests/reference/frozen.rs`), never on the live ones, and it and the test data are pinned by
//! golden values (`tests/reference/golden.rs`). Each test forces each available path explicitly (`*_with(path, …)`),
//! runs many steps at several `(n, d, r)` (sizes that are and are not multiples of 8, `n` that is
//! and is not a multiple of the kernels' row groups, support blocks and none), and compares final
//! states with `to_bits`, together with exit/divergence steps, every observer call and the
//! position of the random stream afterwards.

mod reference;

use std::process::Command;

use rand::Rng;
use shape_matters::engine::dynamics::{Dynamics, LabelNoise, Scratch, StepStatus, alg1_apply_with};
use shape_matters::engine::exact::OneStep;
use shape_matters::engine::kernels::{self, Path};
use shape_matters::engine::lanes::{self, F8, PVec};
use shape_matters::engine::model::{Data, Problem};
use shape_matters::engine::rng::{Stream, stream};
use shape_matters::engine::runner::Runner;
use shape_matters::engine::schedule::{Phase, Schedule};
use shape_matters::engine::stopped::{
    Batch, ChainEnd, INTERLEAVE, StopSet, run_chain, run_chains_par, run_chains_with,
};

fn problem(n: usize, d: usize, r: usize) -> Problem {
    Problem::new(Data::gaussian(n, d, &mut stream(8, "kernels", "data", (n * 10_000 + d) as u64)).unwrap(), r).unwrap()
}

fn bits(v: &PVec) -> Vec<u64> {
    v.as_slice().iter().map(|x| x.to_bits()).collect()
}

/// A random start with entries in `scale·[0.5, 1.5)` (so chains are not all alike).
fn start(d: usize, scale: f64, seed: u64) -> PVec {
    let mut rng = stream(8, "kernels", "start", seed);
    PVec::from_slice(
        &(0..d).map(|_| scale * (0.5 + (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)).collect::<Vec<_>>(),
    )
}

/// Records every observer call as a running hash of `(t, bits of v)`.
#[derive(Clone, Debug, Default, PartialEq)]
struct Log {
    calls: u64,
    last_t: u64,
    hash: u64,
}

impl Log {
    fn record(&mut self, t: u64, v: &PVec) {
        self.calls += 1;
        self.last_t = t;
        let mut h = self.hash ^ t.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for x in v.as_slice() {
            h = (h ^ x.to_bits()).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.hash = h;
    }
}

impl shape_matters::engine::stopped::Observer for Log {
    fn observe(&mut self, t: u64, v: &PVec) {
        self.record(t, v)
    }
}

/// The reference engine's chains from `starts` (chain `j` on stream (8, "kernels", `purpose`, j)):
/// their ends, their observer logs and their streams after the run.
fn reference_batch(
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    starts: &[PVec],
    purpose: &str,
) -> (Vec<ChainEnd>, Vec<Log>, Vec<Stream>) {
    let m = starts.len();
    let mut rngs: Vec<Stream> = (0..m).map(|j| reference::stream(8, "kernels", purpose, j as u64)).collect();
    let mut logs = vec![Log::default(); m];
    let ends = (0..m)
        .map(|j| reference::run_chain(p, dynamics, schedule, stop, starts[j].clone(), &mut rngs[j], &mut logs[j]))
        .collect();
    (ends, logs, rngs)
}

fn assert_same_end(got: &ChainEnd, want: &ChainEnd, what: &str) {
    assert_eq!(
        (got.steps_run, got.exit_step, got.diverged_at),
        (want.steps_run, want.exit_step, want.diverged_at),
        "{what}"
    );
    // Diverged states hold the non-finite entries the step produced; compare finite chains fully.
    if want.diverged_at.is_none() {
        assert_eq!(bits(&got.v), bits(&want.v), "{what}: final state");
    }
}

/// The next outputs of two streams agree (so both were left at the same position).
fn assert_same_stream(a: &mut Stream, b: &mut Stream, what: &str) {
    assert_eq!(a.get_word_pos(), b.get_word_pos(), "{what}: stream position");
    for _ in 0..3 {
        assert_eq!(a.next_u64(), b.next_u64(), "{what}: stream output");
    }
}

const SIZES: [(usize, usize, usize); 8] =
    [(3, 1, 1), (5, 7, 2), (4, 8, 3), (6, 13, 0), (9, 31, 4), (40, 100, 5), (20, 257, 9), (40, 1000, 5)];

#[test]
fn portable_is_always_available_and_the_active_path_is_available() {
    let avail = Path::available();
    assert_eq!(avail[0], Path::Portable);
    assert!(avail.contains(&Path::active()), "{:?} not in {avail:?}", Path::active());
    assert_eq!(Path::best(), *avail.last().unwrap());
    eprintln!("kernel paths available on this CPU: {avail:?}; active: {}", Path::active());
}

#[test]
fn alg1_steps_match_the_reference_on_every_path() {
    for (n, d, r) in SIZES {
        let p = problem(n, d, r);
        let steps = if d >= 1000 { 2_000 } else { 6_000 };
        for dynamics in [Dynamics::Alg1 { delta: 0.6 }, Dynamics::Alg1FlippedGradient { delta: 0.6 }] {
            let eta = 0.2 / (d as f64 + n as f64);
            let v0 = start(d, 1.0 / (d as f64).sqrt(), d as u64);
            // Reference trajectory.
            let mut want = v0.clone();
            let mut want_rng = reference::stream(8, "kernels", "alg1", d as u64);
            let mut want_sc = reference::Scratch::default();
            let mut want_status = Vec::new();
            for _ in 0..steps {
                want_status.push(reference::step(&dynamics, &mut want, &p, eta, &mut want_rng, &mut want_sc));
            }
            for path in Path::available() {
                let mut v = v0.clone();
                let mut rng = stream(8, "kernels", "alg1", d as u64);
                let mut sc = Scratch::default();
                for (t, ws) in want_status.iter().enumerate() {
                    let st = dynamics.step_with(path, &mut v, &p, eta, &mut rng, &mut sc);
                    assert_eq!(st, *ws, "{path} {dynamics:?} n={n} d={d} status at step {t}");
                }
                assert_eq!(bits(&v), bits(&want), "{path} {dynamics:?} n={n} d={d}: state after {steps} steps");
                assert_same_stream(&mut rng, &mut want_rng.clone(), &format!("{path} n={n} d={d}"));
            }
        }
    }
}

#[test]
fn gradient_dynamics_match_the_reference_on_every_path() {
    let family = [
        Dynamics::Gd,
        Dynamics::GdGauss { sigma: 0.05 },
        Dynamics::Langevin { lambda: 500.0 },
        Dynamics::ExpLabelNoise { delta: 0.5, noise: LabelNoise::Rademacher },
        Dynamics::ExpLabelNoise { delta: 0.5, noise: LabelNoise::Gaussian },
        Dynamics::ExpMinibatch { delta: 0.5, bs: 3 },
        Dynamics::SgdGauss { sigma: 0.05 },
    ];
    // n: not a multiple of 8 (row groups 8/4/1); nb = 1, 5, 13, 25, 125 (accumulator chunks).
    for (n, d, r) in [(3, 5, 1), (8, 37, 3), (40, 100, 5), (17, 200, 4), (12, 1000, 5)] {
        let p = problem(n, d, r);
        let steps = if d >= 1000 { 60 } else { 300 };
        for dynamics in &family {
            let eta = 0.05 / (d as f64);
            let v0 = start(d, 1.0 / (d as f64).sqrt(), 3 + d as u64);
            let mut want = v0.clone();
            let mut want_rng = reference::stream(8, "kernels", "gd", d as u64);
            let mut want_sc = reference::Scratch::default();
            let want_status: Vec<StepStatus> = (0..steps)
                .map(|_| reference::step(dynamics, &mut want, &p, eta, &mut want_rng, &mut want_sc))
                .collect();
            for path in Path::available() {
                let mut v = v0.clone();
                let mut rng = stream(8, "kernels", "gd", d as u64);
                let mut sc = Scratch::default();
                let status: Vec<StepStatus> =
                    (0..steps).map(|_| dynamics.step_with(path, &mut v, &p, eta, &mut rng, &mut sc)).collect();
                assert_eq!(status, want_status, "{path} {dynamics:?} n={n} d={d}");
                assert_eq!(bits(&v), bits(&want), "{path} {dynamics:?} n={n} d={d}");
                assert_same_stream(&mut rng, &mut want_rng.clone(), &format!("{path} {dynamics:?} d={d}"));
            }
        }
    }
}

/// Stopped chains with observers (the way claims run them): fused fast path vs the plain loop.
#[test]
fn run_chain_matches_the_reference_on_every_path() {
    let schedules = [
        Schedule::constant(4e-3, 3_000).unwrap(),
        Schedule::new(vec![
            Phase { steps: 700, eta: 6e-3 },
            Phase { steps: 0, eta: 1.0 },
            Phase { steps: 1_300, eta: 2e-3 },
        ])
        .unwrap(),
        Schedule::constant(4e-3, 0).unwrap(),
        Schedule::constant(4e-3, 1).unwrap(),
    ];
    for (n, d, r) in [(5, 7, 2), (40, 100, 5), (20, 257, 9)] {
        let p = problem(n, d, r);
        let v0 = start(d, 1.0 / d as f64 * 3.0, 11);
        let l1 = lanes::sum_abs(v0.blocks());
        let stops = [
            StopSet::Never,
            StopSet::L1Ball { b: l1 * 1.02 },
            StopSet::L1Ball { b: l1 * 0.5 }, // outside at t = 0
            StopSet::SupportBox { b: 1.5, eps: p.off_l1(&v0) * 1.05 },
            StopSet::NearTruth { b: 2.0, eps: p.off_l1(&v0) * 1.3 },
        ];
        let mut exits = 0;
        for (si, stop) in stops.iter().enumerate() {
            for (ki, schedule) in schedules.iter().enumerate() {
                for dynamics in
                    [Dynamics::Alg1 { delta: 1.0 }, Dynamics::Alg1FlippedGradient { delta: 0.3 }, Dynamics::Gd]
                {
                    for seed in 0..3u64 {
                        let what = format!("n={n} d={d} stop#{si} schedule#{ki} {dynamics:?} seed {seed}");
                        let mut want_rng = reference::stream(8, "kernels", "chain", seed);
                        let mut want_log = Log::default();
                        let want = reference::run_chain(
                            &p,
                            &dynamics,
                            schedule,
                            *stop,
                            v0.clone(),
                            &mut want_rng,
                            &mut want_log,
                        );
                        exits += want.exit_step.is_some_and(|t| t > 0) as u32;
                        for path in Path::available() {
                            let mut rng = stream(8, "kernels", "chain", seed);
                            let mut log = Log::default();
                            let got = run_chain(
                                Batch::new(&p, &dynamics, schedule, *stop).on(path),
                                v0.clone(),
                                &mut rng,
                                &mut log,
                            );
                            let what = format!("{path} {what}");
                            assert_same_end(&got, &want, &what);
                            assert_eq!(log, want_log, "{what}: observer calls");
                            assert_same_stream(&mut rng, &mut want_rng.clone(), &what);
                        }
                    }
                }
            }
        }
        assert!(exits > 10, "the sets must actually stop some chains mid-run (got {exits})");
    }
}

#[test]
fn diverging_chains_end_at_the_same_step() {
    let p = problem(6, 20, 3);
    let mut diverged = 0;
    for (eta, scale) in [(0.9, 3.0), (0.3, 30.0), (2.0, 1.0)] {
        for dynamics in [Dynamics::Alg1 { delta: 2.0 }, Dynamics::Alg1FlippedGradient { delta: 2.0 }, Dynamics::Gd] {
            let schedule = Schedule::constant(eta, 500).unwrap();
            let v0 = start(20, scale, 5);
            // Huge sets: the state stays inside while its residual overflows (v v = ∞).
            for stop in [
                StopSet::Never,
                StopSet::L1Ball { b: 1e300 },
                StopSet::SupportBox { b: 1e300, eps: 1e300 },
                StopSet::NearTruth { b: 1e300, eps: 1e300 },
            ] {
                let mut want_rng = reference::stream(8, "kernels", "div", 0);
                let mut want_log = Log::default();
                let want =
                    reference::run_chain(&p, &dynamics, &schedule, stop, v0.clone(), &mut want_rng, &mut want_log);
                assert!(
                    want.diverged_at.is_some() || want.exit_step.is_some(),
                    "eta {eta}, scale {scale}, {dynamics:?} should blow up: {want:?}"
                );
                diverged += want.diverged_at.is_some() as u32;
                for path in Path::available() {
                    let mut rng = stream(8, "kernels", "div", 0);
                    let mut log = Log::default();
                    let got =
                        run_chain(Batch::new(&p, &dynamics, &schedule, stop).on(path), v0.clone(), &mut rng, &mut log);
                    assert_same_end(&got, &want, &format!("{path} eta {eta} {dynamics:?} {stop:?}"));
                    assert_eq!(log, want_log);
                    assert_same_stream(&mut rng, &mut want_rng.clone(), "diverged chain");
                }
            }
        }
    }
    assert!(diverged >= 18, "most of these chains must diverge inside the set: {diverged}");
}

/// Batches of chains, interleaved 1–4 per kernel call: each chain equals its own reference run,
/// whatever its neighbours do (leave the set early, diverge, run to the end).
#[test]
fn interleaved_batches_match_single_reference_chains() {
    for (n, d, r) in [(7, 13, 2), (40, 100, 5), (40, 1000, 5)] {
        let p = problem(n, d, r);
        let m = 11;
        let steps = if d >= 1000 { 400 } else { 2_500 };
        let schedule =
            Schedule::new(vec![Phase { steps: steps / 2, eta: 3e-3 }, Phase { steps: steps - steps / 2, eta: 1e-3 }])
                .unwrap();
        let starts: Vec<PVec> = (0..m)
            .map(|j| match j {
                3 => start(d, 40.0, j as u64), // diverges
                _ => start(d, (0.8 + 0.05 * j as f64) / d as f64, j as u64),
            })
            .collect();
        // Choose the ball so that as many chains as possible leave it mid-run: from the free runs'
        // starting and largest ‖v‖₁ (others start outside or never leave).
        let (mut lo, mut hi) = (vec![0.0; m], vec![0.0; m]);
        for j in 0..m {
            let mut max_l1 = 0.0f64;
            let mut obs = |_t: u64, v: &PVec| max_l1 = max_l1.max(lanes::sum_abs(v.blocks()));
            reference::run_chain(
                &p,
                &Dynamics::Alg1 { delta: 1.0 },
                &schedule,
                StopSet::Never,
                starts[j].clone(),
                &mut reference::stream(8, "kernels", "batch", j as u64),
                &mut obs,
            );
            (lo[j], hi[j]) = (lanes::sum_abs(starts[j].blocks()), max_l1);
        }
        let leaving = |b: f64| (0..m).filter(|&j| lo[j] <= b && b < hi[j]).count();
        let b = hi.iter().map(|h| h * 0.9999).max_by(|a, b| leaving(*a).cmp(&leaving(*b))).unwrap();
        for stop in [StopSet::Never, StopSet::L1Ball { b }] {
            for dynamics in [Dynamics::Alg1 { delta: 1.0 }, Dynamics::Alg1FlippedGradient { delta: 0.5 }] {
                let (want, want_logs, want_rngs) = reference_batch(&p, &dynamics, &schedule, stop, &starts, "batch");
                if matches!(stop, StopSet::L1Ball { .. }) {
                    let mids = want.iter().filter(|e| e.exit_step.is_some_and(|t| t > 0)).count();
                    assert!(mids >= 2, "some chains must leave the set mid-run: {mids}");
                }
                for path in Path::available() {
                    for interleave in 1..=INTERLEAVE {
                        let mut rngs: Vec<Stream> = (0..m).map(|j| stream(8, "kernels", "batch", j as u64)).collect();
                        let mut logs = vec![Log::default(); m];
                        let got = run_chains_with(
                            Batch::new(&p, &dynamics, &schedule, stop).on(path),
                            starts.clone(),
                            &mut rngs,
                            &mut logs,
                            interleave,
                        );
                        for j in 0..m {
                            let what = format!("{path} x{interleave} n={n} d={d} {stop:?} {dynamics:?} chain {j}");
                            assert_same_end(&got[j], &want[j], &what);
                            assert_eq!(logs[j], want_logs[j], "{what}: observer calls");
                            assert_same_stream(&mut rngs[j], &mut want_rngs[j].clone(), &what);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn parallel_batches_are_thread_invariant_and_equal_single_chains() {
    let p = problem(40, 100, 5);
    let schedule = Schedule::constant(2e-3, 3_000).unwrap();
    let dynamics = Dynamics::Alg1 { delta: 1.0 };
    let stop = StopSet::L1Ball { b: 4.0 };
    let count = 37; // not a multiple of the batch size
    let run = |threads: usize| {
        let runner = Runner::new(Some(threads), false).unwrap();
        run_chains_par(&runner, "kernels", count, Batch::new(&p, &dynamics, &schedule, stop), |j| {
            (start(100, 0.02 + 0.001 * j as f64, j as u64), stream(8, "kernels", "par", j as u64), Log::default())
        })
    };
    let (one, two) = (run(1), run(2));
    for j in 0..count {
        let mut rng = reference::stream(8, "kernels", "par", j as u64);
        let mut log = Log::default();
        let want = reference::run_chain(
            &p,
            &dynamics,
            &schedule,
            stop,
            start(100, 0.02 + 0.001 * j as f64, j as u64),
            &mut rng,
            &mut log,
        );
        for (threads, out) in [(1, &one), (2, &two)] {
            assert_same_end(&out[j].0, &want, &format!("{threads} threads, chain {j}"));
            assert_eq!(out[j].1, log, "{threads} threads, chain {j}: observer");
        }
    }
}

/// The reductions and the fused pass against the `lanes` reference on adversarial inputs:
/// cancellation, signed zeros, subnormals, huge and tiny magnitudes, infinities and NaN.
#[test]
fn kernel_reductions_match_lanes_bit_for_bit() {
    let special = [0.0, -0.0, 1e-310, -4e-320, 1e300, -1e300, 1e-160, 3.0, -3.0 + 1e-15, f64::MIN_POSITIVE, 0.1, -0.7];
    let mut rng = stream(8, "kernels", "adversarial", 0);
    let mut draw = |k: u64| -> f64 {
        let u = rng.next_u64();
        if u.is_multiple_of(5) {
            special[(u as usize >> 8) % special.len()]
        } else {
            ((u >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 10f64.powi((k % 7) as i32 - 3)
        }
    };
    for d in [1usize, 5, 8, 9, 16, 23, 64, 100, 129, 1000] {
        for trial in 0..20u64 {
            let v = PVec::from_slice(&(0..d).map(|k| draw(k as u64 + trial)).collect::<Vec<_>>());
            let x = PVec::from_slice(&(0..d).map(|k| draw(k as u64 * 3)).collect::<Vec<_>>());
            let mut w = PVec::zeros(d);
            let r = (trial as usize * 7) % (d + 1);
            w.as_mut_slice()[..r].fill(1.0);
            let mask = PVec::from_slice(&(0..d).map(|k| (k % 3 == 0) as u8 as f64).collect::<Vec<_>>());
            let want_r = reference::residual(v.blocks(), w.blocks(), x.blocks());
            let want_abs = reference::sum_abs(v.blocks());
            let want_mabs = reference::masked_sum_abs(v.blocks(), mask.blocks());
            for path in Path::available() {
                let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
                assert!(
                    same(kernels::residual_with(path, v.blocks(), w.blocks(), x.blocks()), want_r),
                    "{path} residual d={d}"
                );
                assert!(same(kernels::sum_abs_with(path, v.blocks()), want_abs), "{path} sum_abs d={d}");
                assert!(
                    same(kernels::masked_sum_abs_with(path, v.blocks(), mask.blocks()), want_mabs),
                    "{path} masked d={d}"
                );
                let nbw = kernels::nonzero_blocks(w.blocks());
                let multi = kernels::residual_multi_with::<3>(
                    path,
                    [v.blocks(), x.blocks(), v.blocks()],
                    [x.blocks(), v.blocks(), v.blocks()],
                    w.blocks(),
                    nbw,
                );
                assert!(same(multi[0], want_r), "{path} multi d={d}");
                assert!(same(multi[1], reference::residual(x.blocks(), w.blocks(), v.blocks())), "{path} multi d={d}");
                assert!(same(multi[2], reference::residual(v.blocks(), w.blocks(), v.blocks())), "{path} multi d={d}");
            }
        }
    }
}

/// Every `lanes` reduction (dispatched to the active path for vectors of two or more blocks)
/// and every explicit kernel path equal the frozen pre-issue-8 loops, on adversarial inputs.
#[test]
fn lanes_reductions_match_the_frozen_loops_on_every_path() {
    let special = [
        0.0,
        -0.0,
        1e-310,
        -4e-320,
        1e300,
        -1e300,
        1e-160,
        3.0,
        -2.5,
        f64::MIN_POSITIVE,
        0.1,
        -0.7,
        f64::INFINITY,
        f64::NAN,
    ];
    let mut rng = stream(8, "kernels", "lanes", 0);
    let mut draw = |k: u64, specials: bool| -> f64 {
        let u = rng.next_u64();
        let n = if specials { special.len() } else { special.len() - 2 };
        if u.is_multiple_of(4) {
            special[(u as usize >> 8) % n]
        } else {
            ((u >> 11) as f64 / (1u64 << 53) as f64 - 0.4) * 10f64.powi((k % 9) as i32 - 4)
        }
    };
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    for d in [1usize, 3, 8, 9, 16, 17, 40, 100, 129, 1000] {
        for trial in 0..30u64 {
            let specials = trial % 3 == 0; // non-finite entries in a third of the trials
            let a = PVec::from_slice(&(0..d).map(|k| draw(k as u64 + trial, specials)).collect::<Vec<_>>());
            let b = PVec::from_slice(&(0..d).map(|k| draw(3 * k as u64, false)).collect::<Vec<_>>());
            let w = PVec::from_slice(
                &(0..d)
                    .map(|k| if (k + trial as usize).is_multiple_of(5) { draw(k as u64, false) } else { 0.0 })
                    .collect::<Vec<_>>(),
            );
            let m = PVec::from_slice(
                &(0..d).map(|k| (k * 7 + trial as usize).is_multiple_of(3) as u8 as f64).collect::<Vec<_>>(),
            );
            let (a, b, w, m) = (a.blocks(), b.blocks(), w.blocks(), m.blocks());
            let cases: [(&str, f64, f64); 10] = [
                ("dot", lanes::dot(a, b), reference::dot(a, b)),
                ("residual", lanes::residual(a, w, b), reference::residual(a, w, b)),
                ("sum", lanes::sum(a), reference::sum(a)),
                ("sum_abs", lanes::sum_abs(a), reference::sum_abs(a)),
                ("sum_sq", lanes::sum_sq(a), reference::sum_sq(a)),
                ("masked_sum", lanes::masked_sum(a, m), reference::masked_sum(a, m)),
                ("masked_sum_abs", lanes::masked_sum_abs(a, m), reference::masked_sum_abs(a, m)),
                ("masked_sum_sqrt", lanes::masked_sum_sqrt(a, m), reference::masked_sum_sqrt(a, m)),
                ("sq_dist_sq", lanes::sq_dist_sq(a, w), reference::sq_dist_sq(a, w)),
                ("sq_dist_l1", lanes::sq_dist_l1(a, w), reference::sq_dist_l1(a, w)),
            ];
            for (name, got, want) in cases {
                assert!(same(got, want), "lanes::{name} d={d} trial {trial}: {got:e} vs {want:e}");
            }
            for path in Path::available() {
                let cases: [(&str, f64, f64); 9] = [
                    ("dot", kernels::dot_with(path, a, b), reference::dot(a, b)),
                    ("residual_full", kernels::residual_full_with(path, a, w, b), reference::residual(a, w, b)),
                    ("residual", kernels::residual_with(path, a, w, b), reference::residual(a, w, b)),
                    ("sum", kernels::sum_with(path, a), reference::sum(a)),
                    ("sum_abs", kernels::sum_abs_with(path, a), reference::sum_abs(a)),
                    ("masked_sum_abs", kernels::masked_sum_abs_with(path, a, m), reference::masked_sum_abs(a, m)),
                    ("masked_sum_sqrt", kernels::masked_sum_sqrt_with(path, a, m), reference::masked_sum_sqrt(a, m)),
                    ("sq_dist_sq", kernels::sq_dist_sq_with(path, a, w), reference::sq_dist_sq(a, w)),
                    ("sq_dist_l1", kernels::sq_dist_l1_with(path, a, w), reference::sq_dist_l1(a, w)),
                ];
                for (name, got, want) in cases {
                    assert!(same(got, want), "{path} {name} d={d} trial {trial}: {got:e} vs {want:e}");
                }
            }
        }
    }
}

/// The fused pass = `alg1_apply` followed by the next residual, and the multi-chain update =
/// single updates, for finite and non-finite residuals.
#[test]
fn fused_and_multi_updates_equal_single_updates() {
    let p = problem(9, 45, 4);
    let w = p.w_star().blocks();
    let nbw = kernels::nonzero_blocks(w);
    for path in Path::available() {
        for trial in 0..50u64 {
            let vs: Vec<PVec> =
                (0..4).map(|k| start(45, if trial % 7 == 3 && k == 1 { 1e160 } else { 0.3 }, trial * 4 + k)).collect();
            let (eta, s) = (0.01, [0.5, -0.5, 0.5, -0.5]);
            let rows = [1, 4, 4, 8];
            let next = [2, 0, 5, 8];
            // Reference: residual, coefficient, update, next residual — one chain at a time.
            let mut want = vs.clone();
            let mut want_next = [0.0; 4];
            let mut want_ok = [true; 4];
            for k in 0..4 {
                want_ok[k] = reference::alg1_apply(&mut want[k], &p, eta, s[k], rows[k], 1.0) == StepStatus::Ok;
                want_next[k] = reference::residual(want[k].blocks(), w, p.data().row(next[k]));
            }
            // Multi-chain unfused update.
            let mut got = vs.clone();
            let [a, b, c, d] = &mut got[..] else { unreachable!() };
            let ok = kernels::alg1_update_multi_with::<4>(
                path,
                [a.blocks_mut(), b.blocks_mut(), c.blocks_mut(), d.blocks_mut()],
                w,
                nbw,
                rows.map(|i| p.data().row(i)),
                eta,
                s,
                1.0,
            );
            assert_eq!(ok, want_ok, "{path} trial {trial}");
            for k in 0..4 {
                assert_eq!(bits(&got[k]), bits(&want[k]), "{path} multi trial {trial} chain {k}");
            }
            // Fused: coefficient from the current residual, update + next residual in one sweep.
            let mut got = vs.clone();
            let c: [f64; 4] = std::array::from_fn(|k| {
                let r = reference::residual(vs[k].blocks(), w, p.data().row(rows[k]));
                if r.is_finite() { reference::alg1_coef(eta, s[k], r, 1.0) } else { 0.0 }
            });
            let [a, b, cc, d] = &mut got[..] else { unreachable!() };
            let r = kernels::alg1_fused_with::<4>(
                path,
                [a.blocks_mut(), b.blocks_mut(), cc.blocks_mut(), d.blocks_mut()],
                p.data(),
                rows,
                c,
                Some(next),
                w,
                nbw,
            );
            for k in 0..4 {
                if want_ok[k] {
                    assert_eq!(bits(&got[k]), bits(&want[k]), "{path} fused trial {trial} chain {k}");
                    assert!(
                        r[k].to_bits() == want_next[k].to_bits() || (r[k].is_nan() && want_next[k].is_nan()),
                        "{path} fused residual"
                    );
                }
            }
        }
    }
}

/// The exact one-step enumeration performs the chain's arithmetic on every path.
#[test]
fn exact_enumeration_matches_the_reference_step() {
    let p = problem(12, 30, 3);
    let v = start(30, 0.4, 1);
    let os = OneStep::new(&p, &v, 0.02, 0.7);
    for o in 0..os.outcomes() {
        let (i, s) = os.outcome(o);
        let mut want = v.clone();
        reference::alg1_apply(&mut want, &p, 0.02, s, i, 1.0);
        assert_eq!(bits(&os.next_state(o).unwrap()), bits(&want), "outcome {o}");
        for path in Path::available() {
            let mut got = v.clone();
            alg1_apply_with(path, &mut got, &p, 0.02, s, i, 1.0);
            assert_eq!(bits(&got), bits(&want), "{path} outcome {o}");
        }
    }
    let res = p.residuals(&v);
    let mut want_h = Vec::new();
    reference::me_blocks(&p, &res, &mut want_h);
    let mut h: Vec<F8> = Vec::new();
    shape_matters::engine::dynamics::me_blocks(&p, &res, &mut h);
    assert_eq!(h, want_h);
}

/// End to end: the CLI's `simulate` prints the same numbers whichever path
/// `SHAPE_MATTERS_KERNEL` selects (and an unknown value falls back to auto).
#[test]
fn simulate_output_is_identical_for_every_kernel_env() {
    let run = |kernel: &str, dynamics: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_shape-matters"))
            .args([
                "simulate",
                "--dynamics",
                dynamics,
                "--d",
                "100",
                "--n",
                "40",
                "--r",
                "5",
                "--steps",
                "20000",
                "--log-every",
                "5000",
            ])
            .args(["--chains", "3", "--json"])
            .env("SHAPE_MATTERS_KERNEL", kernel)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    for dynamics in ["alg1", "gd"] {
        let want = run("portable", dynamics);
        assert!(want.contains("trajectory"));
        for path in Path::available() {
            assert_eq!(run(path.name(), dynamics), want, "SHAPE_MATTERS_KERNEL={path}, {dynamics}");
        }
        assert_eq!(run("no-such-path", dynamics), want);
    }
}

/// The frozen reference and the test data against hard-coded golden values (see
/// `tests/reference/golden.rs` for how they were produced): a change in `Data::gaussian`,
/// `Problem::new`, the frozen streams or the frozen step code fails here, even though it would
/// move both sides of the comparisons above together.
#[test]
fn reference_and_data_match_the_golden_values() {
    use reference::golden;
    let mut got = Vec::new();
    for (j, &(n, d, r)) in golden::SIZES.iter().enumerate() {
        let p = problem(n, d, r);
        let traj: Vec<u64> = golden::dynamics()
            .iter()
            .enumerate()
            .map(|(k, dy)| golden::trajectory_fingerprint(&p, dy, (j * 10 + k) as u64, golden::STEPS))
            .collect();
        got.push((golden::problem_fingerprint(&p), traj, golden::chain_fingerprint(&p, j as u64)));
    }
    let table: String = got
        .iter()
        .map(|(pf, traj, ch)| {
            let t: Vec<String> = traj.iter().map(|x| format!("{x:#018x}")).collect();
            format!("    ({pf:#018x}, [{}], {ch:#018x}),\n", t.join(", "))
        })
        .collect();
    for (j, ((pf, traj, ch), (gpf, gtraj, gch))) in got.iter().zip(golden::GOLDEN).enumerate() {
        let (n, d, r) = golden::SIZES[j];
        assert_eq!(*pf, gpf, "problem (n, d, r) = ({n}, {d}, {r}) changed; computed table:\n{table}");
        for (k, dy) in golden::dynamics().iter().enumerate() {
            assert_eq!(
                traj[k], gtraj[k],
                "reference {dy:?} at (n, d, r) = ({n}, {d}, {r}) changed; computed table:\n{table}"
            );
        }
        assert_eq!(
            *ch, gch,
            "reference stopped chains at (n, d, r) = ({n}, {d}, {r}) changed; computed table:\n{table}"
        );
    }
}

/// The frozen copies the reference runs on equal the live engine's: the ChaCha8 stream derivation,
/// the index/sign and normal draws, the reduction tree and the support norms. (A one-ulp change in
/// `lanes::reduce` fails here and in every portable-path comparison above.)
#[test]
fn frozen_rng_and_reduce_match_the_live_ones() {
    use reference::frozen;
    use shape_matters::engine::rng;
    for (claim, purpose, index) in [("", "", 0u64), ("B.4", "chain", 17), ("kernels", "data", 40_100), ("G.3", "x", 1)]
    {
        let (mut live, mut frz) = (stream(2021, claim, purpose, index), frozen::stream(2021, claim, purpose, index));
        for _ in 0..64 {
            assert_eq!(live.next_u64(), frz.next_u64(), "stream ({claim}, {purpose}, {index})");
        }
        for n in [1usize, 3, 7, 40, 1000] {
            let u = live.next_u64();
            assert_eq!(frz.next_u64(), u);
            assert_eq!(rng::index_and_sign(u, n), frozen::index_and_sign(u, n));
            assert_eq!(rng::uniform_index(&mut live, n), frozen::uniform_index(&mut frz, n));
            let (a, b) = (rng::standard_normal(&mut live), frozen::standard_normal(&mut frz));
            assert_eq!(a.to_bits(), b.to_bits());
        }
    }
    let mut rng = stream(8, "kernels", "reduce", 0);
    for _ in 0..10_000 {
        let s: [f64; 8] = std::array::from_fn(|_| {
            let e = (rng.next_u64() % 80) as i32 - 40;
            ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 2f64.powi(e)
        });
        assert_eq!(lanes::reduce(s).to_bits(), frozen::reduce(s).to_bits(), "{s:?}");
    }
    let p = problem(9, 31, 4);
    let v = start(31, 1.3, 5);
    assert_eq!(p.support_max(&v).to_bits(), frozen::support_max(&v, p.r()).to_bits());
    assert_eq!(p.support_dist_inf(&v).to_bits(), frozen::support_dist_inf(&v, p.r()).to_bits());
}

/// Issue 16: the AVX2 instance is compiled with FMA, so the path is offered only where the CPU
/// has both (a CPU with AVX2 but no FMA falls back to the portable path).
#[test]
fn the_avx2_path_requires_fma() {
    #[cfg(target_arch = "x86_64")]
    assert_eq!(
        Path::Avx2.is_available(),
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    );
    assert!(Path::Portable.is_available());
}

/// Issue 16: the fused rule is visible. The fused reference (which every path matches bit for bit
/// above) and the unfused loops of before issue 16 (`reference::unfused`) give different bits on
/// ordinary inputs, so the comparisons above would fail if a kernel rounded a product before
/// adding it (or fused one the reference does not).
#[test]
fn a_deliberately_unfused_variant_differs() {
    let p = problem(40, 100, 5);
    let w = p.w_star().blocks();
    let (mut differ_r, mut differ_dot, trials) = (0, 0, 400u64);
    for trial in 0..trials {
        let v = start(100, 0.3, 1000 + trial);
        let x = p.data().row((trial % 40) as usize);
        let fused = reference::residual(v.blocks(), w, x);
        let unfused = reference::unfused::residual(v.blocks(), w, x);
        assert!((fused - unfused).abs() <= 1e-12 * (1.0 + fused.abs()), "same value up to rounding");
        differ_r += (fused.to_bits() != unfused.to_bits()) as u32;
        differ_dot +=
            (reference::dot(v.blocks(), x).to_bits() != reference::unfused::dot(v.blocks(), x).to_bits()) as u32;
        for path in Path::available() {
            assert_eq!(kernels::residual_with(path, v.blocks(), w, x).to_bits(), fused.to_bits(), "{path}");
        }
    }
    assert!(differ_r > trials as u32 / 4, "fused and unfused residuals differ in {differ_r}/{trials} trials");
    assert!(differ_dot > trials as u32 / 4, "fused and unfused dots differ in {differ_dot}/{trials} trials");
    // A trajectory: 500 Algorithm-1 steps, fused (every path) vs unfused.
    let v0 = start(100, 0.1, 7);
    let (mut fused, mut unfused) = (v0.clone(), v0.clone());
    let mut rng = stream(8, "kernels", "unfused", 0);
    let mut moves = Vec::new();
    for _ in 0..500 {
        let (i, plus) = shape_matters::engine::rng::index_and_sign(rng.next_u64(), p.n());
        let s = if plus { 0.6 } else { -0.6 };
        moves.push((i, s));
        reference::alg1_apply(&mut fused, &p, 1e-3, s, i, 1.0);
        reference::unfused::alg1_apply(&mut unfused, &p, 1e-3, s, i, 1.0);
    }
    assert_ne!(bits(&fused), bits(&unfused), "500 fused steps must differ from 500 unfused steps");
    for path in Path::available() {
        let mut v = v0.clone();
        for &(i, s) in &moves {
            alg1_apply_with(path, &mut v, &p, 1e-3, s, i, 1.0);
        }
        assert_eq!(bits(&v), bits(&fused), "{path}: the fused trajectory");
    }
}

/// Every dispatched kernel gives the portable path's bits on every path, on random inputs (the
/// full-batch kernels directly, not only through the dynamics): `residuals_and_me_with`,
/// `accumulate_rows_with` (scaled and not), `scale_by_factor_with`, `alg1_update_multi_with`,
/// `alg1_fused_with`; and `Problem::me_from_residuals`, the scalar mirror of `me_blocks`, equals it.
#[test]
fn every_kernel_matches_the_portable_path_on_random_inputs() {
    for (n, d, r) in [(3, 5, 1), (9, 45, 4), (17, 200, 4), (12, 1000, 5)] {
        let p = problem(n, d, r);
        let w = p.w_star().blocks();
        let nbw = kernels::nonzero_blocks(w);
        for trial in 0..6u64 {
            let v = start(d, 0.9 / (d as f64).sqrt(), 50 + trial);
            let run = |path: Path| {
                let (mut e, mut res, mut h) = (Vec::new(), Vec::new(), Vec::new());
                let ok = kernels::residuals_and_me_with(path, v.blocks(), w, nbw, p.data(), &mut e, &mut res, &mut h);
                let coef: Vec<f64> = res.iter().enumerate().map(|(i, r)| r * (1.0 + 0.1 * i as f64)).collect();
                let mut h2 = Vec::new();
                kernels::accumulate_rows_with(path, &coef, p.data(), &mut h2, None);
                let mut v2 = v.clone();
                kernels::scale_by_factor_with(path, v2.blocks_mut(), &h, -0.03);
                let mut vs = [v.clone(), v2.clone()];
                let [a, b] = &mut vs;
                let ok2 = kernels::alg1_update_multi_with::<2>(
                    path,
                    [a.blocks_mut(), b.blocks_mut()],
                    w,
                    nbw,
                    [p.data().row(0), p.data().row(n - 1)],
                    0.01,
                    [0.5, -0.5],
                    1.0,
                );
                let [a, b] = &mut vs;
                let next = kernels::alg1_fused_with::<2>(
                    path,
                    [a.blocks_mut(), b.blocks_mut()],
                    p.data(),
                    [1 % n, 2 % n],
                    [0.02, -0.01],
                    Some([0, n - 1]),
                    w,
                    nbw,
                );
                let hb = |h: &[F8]| h.iter().flat_map(|b| b.0).map(f64::to_bits).collect::<Vec<_>>();
                (
                    ok,
                    res.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                    hb(&h),
                    hb(&h2),
                    bits(&v2),
                    ok2,
                    [bits(&vs[0]), bits(&vs[1])],
                    next.map(f64::to_bits),
                )
            };
            let want = run(Path::Portable);
            assert!(want.0, "finite residuals");
            for path in Path::available() {
                assert_eq!(run(path), want, "{path} n={n} d={d} trial {trial}");
            }
            let res = p.residuals(&v);
            let mut h = Vec::new();
            shape_matters::engine::dynamics::me_blocks(&p, &res, &mut h);
            let me = p.me_from_residuals(&res);
            let hs: Vec<u64> = h.iter().flat_map(|b| b.0).take(d).map(f64::to_bits).collect();
            assert_eq!(hs, me.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), "me_from_residuals = me_blocks");
        }
    }
}

/// An observer that reads `‖v_S̄‖₁` (`Observer::WANTS_OFF_L1`): the drivers hand it the norm the
/// fused sweep computed, which must be bitwise `Problem::off_l1(v)` at every call, on every path,
/// interleave width and stop set; the trajectories are those of an observer without it.
#[test]
fn observers_reading_the_off_support_norm_get_it_bitwise() {
    struct OffObs<'a> {
        p: &'a Problem,
        log: Log,
        calls: u64,
        mismatches: u64,
    }
    impl shape_matters::engine::stopped::Observer for OffObs<'_> {
        fn observe(&mut self, _t: u64, _v: &PVec) {
            panic!("an observer with WANTS_OFF_L1 is called through observe_off_l1");
        }
        const WANTS_OFF_L1: bool = true;
        fn observe_off_l1(&mut self, t: u64, v: &PVec, off: f64) {
            self.log.record(t, v);
            self.calls += 1;
            self.mismatches += (off.to_bits() != self.p.off_l1(v).to_bits()) as u64;
        }
    }
    for (n, d, r) in [(7, 13, 2), (40, 100, 5), (20, 257, 9)] {
        let p = problem(n, d, r);
        let schedule = Schedule::constant(3e-3, 1_500).unwrap();
        let m = 6;
        let starts: Vec<PVec> = (0..m).map(|j| start(d, (0.8 + 0.1 * j as f64) / d as f64, j as u64)).collect();
        let off0 = p.off_l1(&starts[0]);
        for stop in [
            StopSet::Never,
            StopSet::L1Ball { b: 1e3 },
            StopSet::SupportBox { b: 2.0, eps: off0 * 1.2 },
            StopSet::NearTruth { b: 2.0, eps: off0 * 1.2 },
        ] {
            for dynamics in [Dynamics::Alg1 { delta: 1.0 }, Dynamics::Gd] {
                let (want, want_logs, _) = reference_batch(&p, &dynamics, &schedule, stop, &starts, "off");
                for path in Path::available() {
                    for interleave in 1..=INTERLEAVE {
                        let mut rngs: Vec<Stream> = (0..m).map(|j| stream(8, "kernels", "off", j as u64)).collect();
                        let mut obs: Vec<OffObs> =
                            (0..m).map(|_| OffObs { p: &p, log: Log::default(), calls: 0, mismatches: 0 }).collect();
                        let got = run_chains_with(
                            Batch::new(&p, &dynamics, &schedule, stop).on(path),
                            starts.clone(),
                            &mut rngs,
                            &mut obs,
                            interleave,
                        );
                        for j in 0..m {
                            let what = format!("{path} x{interleave} d={d} {stop:?} {dynamics:?} chain {j}");
                            assert_same_end(&got[j], &want[j], &what);
                            assert_eq!(obs[j].log, want_logs[j], "{what}: observer calls");
                            assert!(obs[j].calls > 0, "{what}");
                            assert_eq!(obs[j].mismatches, 0, "{what}: off_l1 handed to the observer");
                        }
                    }
                }
            }
        }
    }
}
