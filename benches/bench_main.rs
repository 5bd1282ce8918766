//! Criterion benchmarks. Throughput is set so results read as chain-steps (or outcomes) per
//! second; "time" per element is the cost of one step of one chain.
//!
//! * `alg1_step`: one Algorithm-1 step through `Dynamics::step` (one chain, the unfused kernel on
//!   the active path), d = 100 and 1000, n = 40; `reference` = the pre-issue-8 scalar code;
//! * `alg1_chain`: `run_chain` (fused kernel, one chain): free (`StopSet::Never`, no observer) and
//!   the way claims run chains (a stop set checked and an observer called every step);
//! * `alg1_interleaved`: `run_chains` on a batch, `K` chains per kernel call — the per-chain-step
//!   cost when a claim runs many chains (the issue's ≤ 20 ns / ≤ 130 ns targets);
//! * `alg1_paths`: the same (`interleave_for(d)` chains, one call) on each CPU path (portable,
//!   AVX2, AVX-512);
//! * `gd_step`: one full-batch GD step at d = 100, n = 40, per path and the reference;
//! * `threads`: 1024 chains (d = 100, 2000 steps each) with 1 and 2 threads (`run_chains_par`);
//! * `exact_enumeration`: the 2n-outcome one-step law (E[√F_k] for every k) at d = 100, n = 40;
//! * `observer_overhead`: `run_chains` (`interleave_for(d)` chains per call, `StopSet::Never`) with
//!   no observer (`bare`) and with copies of the per-step work of the Stage-1 observer
//!   (`claims::stage1::chains::PracObs`) and the Stage-2 observer (`claims::stage2::chains::RoundObs`),
//!   d = 100 and 1000, n = 40, r = 5: the observers' cost per chain-step is the difference to `bare`;
//! * `arith_floor`: the fused sweep alone on fixed rows, per path (no draw, no bookkeeping): the
//!   arithmetic floor of a chain-step;
//! * `observer_alone`: the same two observer copies called on a fixed state with its `‖v_S̄‖₁`
//!   given (no step): the observers' own arithmetic per chain-step, so that `arith_floor` plus it
//!   is the floor of an observed chain-step.
//!
//! `BENCH_CLOCK=cpu` measures the calling thread's CPU time instead of wall time (Linux; the
//! machine is shared, so wall time includes waiting for a core); `threads` is skipped then.
//!
//! `BENCH_INSTR=<workload> BENCH_STEPS=<n>` skips Criterion and runs one fixed workload `n` steps
//! (for instruction counts: run it under `valgrind --tool=callgrind` with two values of `n`; the
//! difference divided by the difference of `n` is the count per chain-step, setup excluded).
//! Workloads: `alg1_step`, `alg1_step_ref` (d = `BENCH_D`, default 100), `chain`, `chain_ref`,
//! `chain_stopped`, `chain_stopped_ref`, `batch` (`BENCH_K` chains, one call), `batch_obs1`,
//! `batch_obs2` (the same with the Stage-1 / Stage-2 observer copies), `gd`, `gd_ref`.
//! With `BENCH_REPS=<r>` the workload is timed `r` times (thread CPU time and wall time) and the
//! minimum and median per chain-step are printed: on a shared machine the minimum is the
//! least-disturbed run.

#[path = "../tests/reference/mod.rs"]
#[allow(dead_code)]
mod reference;

use std::hint::black_box;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{BenchmarkId, Criterion, Throughput};
use shape_matters::engine::dynamics::{Dynamics, Scratch};
use shape_matters::engine::exact::OneStep;
use shape_matters::engine::kernels::{self, Path};
use shape_matters::engine::lanes::{self, PVec};
use shape_matters::engine::model::{Data, Problem};
use shape_matters::engine::rng::{Stream, stream};
use shape_matters::engine::runner::Runner;
use shape_matters::engine::schedule::Schedule;
use shape_matters::engine::stopped::{
    Batch, NoObserver, Observer, StopSet, interleave_for, run_chain, run_chains_par, run_chains_with,
};

const STEPS: u64 = 10_000;

fn problem(n: usize, d: usize) -> Problem {
    Problem::new(Data::gaussian(n, d, &mut stream(1, "bench", "data", d as u64)).unwrap(), 5).unwrap()
}

fn start(d: usize) -> PVec {
    PVec::constant(d, 1.0 / d as f64)
}

fn streams(m: usize) -> Vec<Stream> {
    (0..m).map(|j| stream(1, "bench", "chain", j as u64)).collect()
}

/// The calling thread's CPU time (Linux `CLOCK_THREAD_CPUTIME_ID`), in nanoseconds.
struct ThreadCpu;

fn thread_cpu_ns() -> u64 {
    cpu_clock_ns(3)
}

/// CPU time of the whole process (all threads; Linux `CLOCK_PROCESS_CPUTIME_ID`), in ns.
fn process_cpu_ns() -> u64 {
    cpu_clock_ns(2)
}

#[cfg(target_os = "linux")]
fn cpu_clock_ns(clock: i32) -> u64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
    }
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: `ts` is a valid out-pointer; the call only writes it.
    unsafe { clock_gettime(clock, &mut ts) };
    ts.sec as u64 * 1_000_000_000 + ts.nsec as u64
}
#[cfg(not(target_os = "linux"))]
fn cpu_clock_ns(_clock: i32) -> u64 {
    use std::sync::OnceLock;
    static T0: OnceLock<std::time::Instant> = OnceLock::new();
    T0.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, i: u64) -> u64 {
        thread_cpu_ns() - i
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn alg1_step<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("alg1_step");
    g.throughput(Throughput::Elements(STEPS));
    for d in [100usize, 1000] {
        let p = problem(40, d);
        g.bench_with_input(BenchmarkId::from_parameter(format!("d={d},n=40")), &p, |b, p| {
            let dynamics = Dynamics::Alg1 { delta: 1.0 };
            let mut rng = stream(1, "bench", "chain", 0);
            let mut sc = Scratch::default();
            let mut v = start(d);
            b.iter(|| {
                for _ in 0..STEPS {
                    dynamics.step(&mut v, p, 1e-3, &mut rng, &mut sc);
                }
                black_box(&v);
            });
        });
        g.bench_with_input(BenchmarkId::new("reference", format!("d={d},n=40")), &p, |b, p| {
            let dynamics = Dynamics::Alg1 { delta: 1.0 };
            let mut rng = stream(1, "bench", "chain", 0);
            let mut sc = reference::Scratch::default();
            let mut v = start(d);
            b.iter(|| {
                for _ in 0..STEPS {
                    reference::step(&dynamics, &mut v, p, 1e-3, &mut rng, &mut sc);
                }
                black_box(&v);
            });
        });
    }
    g.finish();
}

fn alg1_chain<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("alg1_chain");
    g.throughput(Throughput::Elements(STEPS));
    let dynamics = Dynamics::Alg1 { delta: 1.0 };
    let sched = Schedule::constant(1e-3, STEPS).unwrap();
    for d in [100usize, 1000] {
        let p = problem(40, d);
        let id = format!("d={d},n=40");
        g.bench_function(BenchmarkId::new("free", &id), |b| {
            b.iter(|| {
                black_box(run_chain(
                    Batch::new(&p, &dynamics, &sched, StopSet::Never),
                    start(d),
                    &mut stream(1, "bench", "chain", 0),
                    &mut NoObserver,
                ))
            });
        });
        // As claims run chains: a stop set checked every step (never left here) and an observer.
        let stop = StopSet::SupportBox { b: 1e6, eps: 1e6 };
        g.bench_function(BenchmarkId::new("stopped+observer", &id), |b| {
            b.iter(|| {
                let mut max_l1 = 0.0f64;
                let end = run_chain(
                    Batch::new(&p, &dynamics, &sched, stop),
                    start(d),
                    &mut stream(1, "bench", "chain", 0),
                    &mut |_t: u64, v: &PVec| max_l1 = max_l1.max(lanes::sum_abs(v.blocks())),
                );
                black_box((end, max_l1))
            });
        });
        g.bench_function(BenchmarkId::new("stopped+observer/reference", &id), |b| {
            b.iter(|| {
                let mut max_l1 = 0.0f64;
                let end = reference::run_chain(
                    &p,
                    &dynamics,
                    &sched,
                    stop,
                    start(d),
                    &mut stream(1, "bench", "chain", 0),
                    &mut |_t: u64, v: &PVec| max_l1 = max_l1.max(lanes::sum_abs(v.blocks())),
                );
                black_box((end, max_l1))
            });
        });
    }
    g.finish();
}

/// `m` chains of `steps` steps through `run_chains_with(path, …, k)`.
fn batch(path: Path, p: &Problem, m: usize, steps: u64, k: usize) -> f64 {
    let sched = Schedule::constant(1e-3, steps).unwrap();
    let d = p.d();
    let mut rngs = streams(m);
    let mut obs: Vec<NoObserver> = (0..m).map(|_| NoObserver).collect();
    let ends = run_chains_with(
        Batch::new(p, &Dynamics::Alg1 { delta: 1.0 }, &sched, StopSet::Never).on(path),
        vec![start(d); m],
        &mut rngs,
        &mut obs,
        k,
    );
    ends[0].v.as_slice()[0]
}

fn alg1_interleaved<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("alg1_interleaved");
    for (d, steps) in [(100usize, 4_000u64), (1000, 1_000)] {
        let p = problem(40, d);
        for (m, k) in [(1, 1), (2, 2), (4, 4), (8, 4), (4, 2), (8, 2), (6, 3)] {
            if d >= 1000 && k > 3 {
                continue;
            }
            g.throughput(Throughput::Elements(m as u64 * steps));
            g.bench_function(BenchmarkId::new(format!("d={d},n=40"), format!("{m} chains, {k} per call")), |b| {
                b.iter(|| black_box(batch(Path::active(), &p, m, steps, k)));
            });
        }
    }
    g.finish();
}

fn alg1_paths<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("alg1_paths");
    for (d, steps) in [(100usize, 4_000u64), (1000, 1_000)] {
        let p = problem(40, d);
        let k = interleave_for(d);
        let m = k;
        g.throughput(Throughput::Elements(m as u64 * steps));
        for path in Path::available() {
            g.bench_function(BenchmarkId::new(format!("d={d},n=40,{m}x{k}"), path.name()), |b| {
                b.iter(|| black_box(batch(path, &p, m, steps, k)));
            });
        }
    }
    g.finish();
}

fn gd_step<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("gd_step");
    let steps = 1000u64;
    g.throughput(Throughput::Elements(steps));
    let p = problem(40, 100);
    g.bench_function("d=100,n=40", |b| {
        let mut rng = stream(1, "bench", "gd", 0);
        let mut sc = Scratch::default();
        let mut v = PVec::constant(100, 1.0);
        b.iter(|| {
            for _ in 0..steps {
                Dynamics::Gd.step(&mut v, &p, 1e-2, &mut rng, &mut sc);
            }
            black_box(&v);
        });
    });
    for path in Path::available() {
        g.bench_function(BenchmarkId::new("d=100,n=40", path.name()), |b| {
            let mut rng = stream(1, "bench", "gd", 0);
            let mut sc = Scratch::default();
            let mut v = PVec::constant(100, 1.0);
            b.iter(|| {
                for _ in 0..steps {
                    Dynamics::Gd.step_with(path, &mut v, &p, 1e-2, &mut rng, &mut sc);
                }
                black_box(&v);
            });
        });
    }
    g.bench_function(BenchmarkId::new("d=100,n=40", "reference"), |b| {
        let mut rng = stream(1, "bench", "gd", 0);
        let mut sc = reference::Scratch::default();
        let mut v = PVec::constant(100, 1.0);
        b.iter(|| {
            for _ in 0..steps {
                reference::step(&Dynamics::Gd, &mut v, &p, 1e-2, &mut rng, &mut sc);
            }
            black_box(&v);
        });
    });
    g.finish();
}

/// The "threads" workload: `count` Algorithm-1 chains from `start(100)` on `runner`; the number
/// of chains that ended.
fn thread_workload(runner: &Runner, p: &Problem, sched: &Schedule, count: usize) -> usize {
    let batch = Batch::new(p, &Dynamics::Alg1 { delta: 1.0 }, sched, StopSet::Never);
    run_chains_par(runner, "bench", count, batch, |j| (start(100), stream(1, "bench", "chain", j as u64), NoObserver))
        .len()
}

fn threads(c: &mut Criterion) {
    let mut g = c.benchmark_group("threads");
    let (count, steps) = (1024usize, 2_000u64);
    g.throughput(Throughput::Elements(count as u64 * steps));
    g.sample_size(10);
    let p = problem(40, 100);
    let sched = Schedule::constant(1e-3, steps).unwrap();
    for t in [1usize, 2] {
        let runner = Runner::new(Some(t), false).unwrap();
        g.bench_function(BenchmarkId::new("1024 chains,d=100,n=40", format!("{t} threads")), |b| {
            b.iter(|| black_box(thread_workload(&runner, &p, &sched, count)));
        });
    }
    g.finish();
}

fn exact_enumeration<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("exact_enumeration");
    let p = problem(40, 100);
    let v = PVec::constant(100, 0.05);
    g.throughput(Throughput::Elements(2 * 40));
    g.bench_function("E[sqrt F_k] all k, d=100,n=40", |b| {
        b.iter(|| {
            let os = OneStep::new(&p, black_box(&v), 1e-3, 1.0);
            let mut s = 0.0;
            for k in 0..100 {
                s += os.sqrt_factor_minus_one(k);
            }
            black_box(s)
        });
    });
    g.finish();
}

/// The per-step work of the Stage-1 observer (`claims::stage1::chains::PracObs::observe`): the
/// support maxima and "reached" flags of the real and the coupled path, `‖v_S̄‖₁`, the running
/// suprema and the Definition C.1 exit test (keep this copy in step with the claim's observer).
struct Stage1Obs<'a> {
    p: &'a Problem,
    c1: f64,
    cap: f64,
    big_t: u64,
    max_lt: [Vec<f64>; 2],
    reached: [Vec<bool>; 2],
    sup_off: f64,
    sup_support: f64,
    exit: Option<u64>,
}

impl<'a> Stage1Obs<'a> {
    fn new(p: &'a Problem, big_t: u64) -> Self {
        let r = p.r();
        Stage1Obs {
            p,
            c1: 0.1,
            cap: 1e6,
            big_t,
            max_lt: [vec![f64::NEG_INFINITY; r], vec![f64::NEG_INFINITY; r]],
            reached: [vec![false; r], vec![false; r]],
            sup_off: 0.0,
            sup_support: 0.0,
            exit: None,
        }
    }
    fn path(&mut self, which: usize, t: u64, sv: &[f64]) {
        let (before_t, level) = (t < self.big_t, 1.0 - self.c1 / 2.0);
        for ((&x, m), reached) in sv.iter().zip(&mut self.max_lt[which]).zip(&mut self.reached[which]) {
            *m = if before_t && x > *m { x } else { *m };
            *reached |= x >= level;
        }
    }
}

impl Observer for Stage1Obs<'_> {
    fn observe(&mut self, t: u64, v: &PVec) {
        self.observe_off_l1(t, v, self.p.off_l1(v))
    }
    const WANTS_OFF_L1: bool = true;
    fn observe_off_l1(&mut self, t: u64, v: &PVec, off: f64) {
        let sv = &v.as_slice()[..self.p.r()];
        let smax = sv.iter().fold(f64::NEG_INFINITY, |m, x| m.max(x.abs()));
        self.path(0, t, sv);
        self.sup_off = self.sup_off.max(off);
        self.sup_support = self.sup_support.max(smax);
        if self.exit.is_none() {
            self.path(1, t, sv);
            if smax > 1.0 + self.c1 || off > self.cap {
                self.exit = Some(t);
            }
        }
    }
}

/// The per-step work of the Stage-2 observer (`claims::stage2::chains::RoundObs::observe`): the
/// running `min_t |v_k − 1|`, `k ∈ S`, and the Definition D.2 membership test of the coupling
/// (keep this copy in step with the claim's observer).
struct Stage2Obs<'a> {
    p: &'a Problem,
    g: StopSet,
    min_dev: Vec<f64>,
    exit: Option<(u64, f64, f64)>,
}

impl Observer for Stage2Obs<'_> {
    fn observe(&mut self, t: u64, v: &PVec) {
        self.observe_off_l1(t, v, self.p.off_l1(v))
    }
    const WANTS_OFF_L1: bool = true;
    fn observe_off_l1(&mut self, t: u64, v: &PVec, off: f64) {
        if self.exit.is_none() {
            let s = v.as_slice();
            for (m, &x) in self.min_dev.iter_mut().zip(s) {
                let dv = (x - 1.0).abs();
                *m = if dv < *m { dv } else { *m };
            }
            if !self.g.contains_given_off_l1(v, self.p, off) {
                self.exit = Some((t, self.p.support_dist_inf(v), off));
            }
        }
    }
}

/// `m` chains of `steps` steps (`run_chains_with`, `k` per call, never stopped) observed by
/// `obs(j)`; returns a value of the observers so the work is kept.
fn observed_batch<O: Observer>(p: &Problem, m: usize, steps: u64, k: usize, obs: impl Fn(usize) -> O) -> usize {
    let sched = Schedule::constant(1e-3, steps).unwrap();
    let mut rngs = streams(m);
    let mut obs: Vec<O> = (0..m).map(obs).collect();
    let ends = run_chains_with(
        Batch::new(p, &Dynamics::Alg1 { delta: 1.0 }, &sched, StopSet::Never),
        vec![start(p.d()); m],
        &mut rngs,
        &mut obs,
        k,
    );
    ends.len() + obs.len()
}

fn observer_overhead<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("observer_overhead");
    for (d, steps) in [(100usize, 4_000u64), (1000, 1_000)] {
        let p = problem(40, d);
        let k = interleave_for(d);
        let m = 2 * k;
        g.throughput(Throughput::Elements(m as u64 * steps));
        let id = format!("d={d},n=40,{m}x{k}");
        g.bench_function(BenchmarkId::new("bare", &id), |b| {
            b.iter(|| black_box(observed_batch(&p, m, steps, k, |_| NoObserver)));
        });
        g.bench_function(BenchmarkId::new("stage1", &id), |b| {
            b.iter(|| black_box(observed_batch(&p, m, steps, k, |_| Stage1Obs::new(&p, steps))));
        });
        let coupling = StopSet::NearTruth { b: 1e6, eps: 1e6 };
        g.bench_function(BenchmarkId::new("stage2", &id), |b| {
            b.iter(|| {
                black_box(observed_batch(&p, m, steps, k, |_| Stage2Obs {
                    p: &p,
                    g: coupling,
                    min_dev: vec![f64::INFINITY; p.r()],
                    exit: None,
                }))
            });
        });
    }
    g.finish();
}

/// The arithmetic alone: the fused sweep (`kernels::alg1_fused_with`: update with `fma(c, x, 1)`,
/// the next residual with `fma(fma(v, v, −w), y, acc)`) of `K = interleave_for(d)` chains on fixed
/// rows, repeated, with no draw, coefficient, observer or stop test: the floor of a chain-step.
fn arith_floor<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("arith_floor");
    let reps = 1000u64;
    for d in [100usize, 1000] {
        let p = problem(40, d);
        let w = p.w_star().blocks();
        let nbw = kernels::nonzero_blocks(w);
        macro_rules! go {
            ($k:literal) => {{
                g.throughput(Throughput::Elements($k as u64 * reps));
                for path in Path::available() {
                    g.bench_function(BenchmarkId::new(format!("d={d},n=40,{}x", $k), path.name()), |b| {
                        let mut vs: [PVec; $k] = std::array::from_fn(|_| start(d));
                        b.iter(|| {
                            let mut acc = 0.0;
                            for t in 0..reps as usize {
                                let now: [usize; $k] = std::array::from_fn(|k| (t + 3 * k) % 40);
                                let next: [usize; $k] = std::array::from_fn(|k| (t + 3 * k + 1) % 40);
                                // c alternating in sign keeps the states bounded.
                                let c = [if t % 2 == 0 { 1e-9 } else { -1e-9 }; $k];
                                let r = kernels::alg1_fused_with::<$k>(
                                    path,
                                    vs.each_mut().map(|v| v.blocks_mut()),
                                    p.data(),
                                    now,
                                    c,
                                    Some(next),
                                    w,
                                    nbw,
                                );
                                acc += r[0];
                            }
                            black_box(acc)
                        });
                    });
                }
            }};
        }
        if interleave_for(d) == 4 { go!(4) } else { go!(2) }
    }
    g.finish();
}

/// The observers' own per-step work, alone: `reps` calls of each copy on a fixed state (d = 100
/// and 1000, n = 40, r = 5) with `‖v_S̄‖₁` passed in as the fused sweep passes it.
fn observer_alone<M: Measurement>(c: &mut Criterion<M>) {
    let mut g = c.benchmark_group("observer_alone");
    let reps = 4_000u64;
    for d in [100usize, 1000] {
        let p = problem(40, d);
        let v = start(d);
        let off = p.off_l1(&v);
        g.throughput(Throughput::Elements(reps));
        let id = format!("d={d},n=40");
        g.bench_function(BenchmarkId::new("stage1", &id), |b| {
            b.iter(|| {
                let mut o = Stage1Obs::new(&p, reps);
                for t in 0..reps {
                    o.observe_off_l1(t, black_box(&v), black_box(off));
                }
                black_box(o.exit.unwrap_or(0) as f64 + o.sup_off + o.sup_support)
            });
        });
        let coupling = StopSet::NearTruth { b: 1e6, eps: 1e6 };
        g.bench_function(BenchmarkId::new("stage2", &id), |b| {
            b.iter(|| {
                let mut o = Stage2Obs { p: &p, g: coupling, min_dev: vec![f64::INFINITY; p.r()], exit: None };
                for t in 0..reps {
                    o.observe_off_l1(t, black_box(&v), black_box(off));
                }
                black_box(o.min_dev[0] + o.exit.map(|e| e.1).unwrap_or(0.0))
            });
        });
    }
    g.finish();
}

fn single_thread_groups<M: Measurement>(c: &mut Criterion<M>) {
    alg1_step(c);
    alg1_chain(c);
    alg1_interleaved(c);
    alg1_paths(c);
    gd_step(c);
    exact_enumeration(c);
    observer_overhead(c);
    arith_floor(c);
    observer_alone(c);
}

/// One fixed workload of `steps` chain-steps (see the module documentation); the problem is built
/// before, the returned closure runs the steps.
fn make_workload(name: &str, steps: u64) -> Box<dyn FnMut() -> f64> {
    let env = |k: &str, default: usize| std::env::var(k).ok().and_then(|s| s.parse().ok()).unwrap_or(default);
    let d = env("BENCH_D", 100);
    let k = env("BENCH_K", interleave_for(d));
    let p = problem(40, d);
    let dynamics = Dynamics::Alg1 { delta: 1.0 };
    let sched = Schedule::constant(1e-3, steps).unwrap();
    let stop = StopSet::SupportBox { b: 1e6, eps: 1e6 };
    let name = name.to_string();
    Box::new(move || {
        let mut rng = stream(1, "bench", "chain", 0);
        let mut max_l1 = 0.0f64;
        let mut obs = |_t: u64, v: &PVec| max_l1 = max_l1.max(lanes::sum_abs(v.blocks()));
        match name.as_str() {
            "alg1_step" => {
                let (mut v, mut sc) = (start(d), Scratch::default());
                (0..steps).for_each(|_| _ = dynamics.step(&mut v, &p, 1e-3, &mut rng, &mut sc));
                v.as_slice()[0]
            }
            "alg1_step_ref" => {
                let (mut v, mut sc) = (start(d), reference::Scratch::default());
                (0..steps).for_each(|_| _ = reference::step(&dynamics, &mut v, &p, 1e-3, &mut rng, &mut sc));
                v.as_slice()[0]
            }
            "chain" => {
                run_chain(Batch::new(&p, &dynamics, &sched, StopSet::Never), start(d), &mut rng, &mut NoObserver)
                    .v
                    .as_slice()[0]
            }
            "chain_ref" => {
                reference::run_chain(&p, &dynamics, &sched, StopSet::Never, start(d), &mut rng, &mut NoObserver)
                    .v
                    .as_slice()[0]
            }
            "chain_stopped" => {
                run_chain(Batch::new(&p, &dynamics, &sched, stop), start(d), &mut rng, &mut obs).v.as_slice()[0]
            }
            "chain_stopped_ref" => {
                reference::run_chain(&p, &dynamics, &sched, stop, start(d), &mut rng, &mut obs).v.as_slice()[0]
            }
            "batch" => batch(Path::active(), &p, k, steps / k as u64, k),
            "batch_obs1" => observed_batch(&p, k, steps / k as u64, k, |_| Stage1Obs::new(&p, steps)) as f64,
            "batch_obs2" => observed_batch(&p, k, steps / k as u64, k, |_| Stage2Obs {
                p: &p,
                g: StopSet::NearTruth { b: 1e6, eps: 1e6 },
                min_dev: vec![f64::INFINITY; p.r()],
                exit: None,
            }) as f64,
            "gd" => {
                let (mut v, mut sc) = (PVec::constant(d, 1.0), Scratch::default());
                (0..steps).for_each(|_| _ = Dynamics::Gd.step(&mut v, &p, 1e-2, &mut rng, &mut sc));
                v.as_slice()[0]
            }
            "gd_ref" => {
                let (mut v, mut sc) = (PVec::constant(d, 1.0), reference::Scratch::default());
                (0..steps).for_each(|_| _ = reference::step(&Dynamics::Gd, &mut v, &p, 1e-2, &mut rng, &mut sc));
                v.as_slice()[0]
            }
            other => panic!("unknown BENCH_INSTR workload {other:?}"),
        }
    })
}

fn main() {
    eprintln!("kernel path: {} (available: {:?})", Path::active(), Path::available());
    if std::env::var("BENCH_INSTR").as_deref() == Ok("threads") {
        // 1024 chains, d = 100: wall time and process CPU time with 1 and 2 threads (min of reps).
        let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
        let (count, steps) = (1024usize, 2_000u64);
        let p = problem(40, 100);
        let sched = Schedule::constant(1e-3, steps).unwrap();
        for t in [1usize, 2] {
            let runner = Runner::new(Some(t), false).unwrap();
            let (mut wall, mut cpu) = (f64::INFINITY, f64::INFINITY);
            for _ in 0..reps {
                let (c0, w0) = (process_cpu_ns(), std::time::Instant::now());
                black_box(thread_workload(&runner, &p, &sched, count));
                wall = wall.min(w0.elapsed().as_nanos() as f64 / (count as f64 * steps as f64));
                cpu = cpu.min((process_cpu_ns() - c0) as f64 / (count as f64 * steps as f64));
            }
            println!(
                "threads={t}: 1024 chains x {steps} steps, d=100: wall {wall:.2} ns/chain-step, process CPU {cpu:.2} \
                    ns/chain-step (min of {reps})"
            );
        }
        return;
    }
    if let Ok(name) = std::env::var("BENCH_INSTR") {
        let steps = std::env::var("BENCH_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
        let reps: usize = std::env::var("BENCH_REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut work = make_workload(&name, steps);
        if reps == 0 {
            let out = black_box(work());
            println!("{name} steps={steps} path={} -> {out}", Path::active());
            return;
        }
        let (mut cpu, mut wall) = (Vec::new(), Vec::new());
        for _ in 0..reps {
            let (c0, w0) = (thread_cpu_ns(), std::time::Instant::now());
            black_box(work());
            cpu.push((thread_cpu_ns() - c0) as f64 / steps as f64);
            wall.push(w0.elapsed().as_nanos() as f64 / steps as f64);
        }
        cpu.sort_by(f64::total_cmp);
        wall.sort_by(f64::total_cmp);
        println!(
            "{name} d={} k={} path={}: ns/chain-step cpu min {:.1} median {:.1} | wall min {:.1} median {:.1}",
            std::env::var("BENCH_D").unwrap_or("100".into()),
            std::env::var("BENCH_K").unwrap_or("-".into()),
            Path::active(),
            cpu[0],
            cpu[reps / 2],
            wall[0],
            wall[reps / 2]
        );
        return;
    }
    if std::env::var("BENCH_CLOCK").as_deref() == Ok("cpu") {
        let mut c = Criterion::default().with_measurement(ThreadCpu).configure_from_args();
        single_thread_groups(&mut c);
        c.final_summary();
    } else {
        let mut c = Criterion::default().configure_from_args();
        single_thread_groups(&mut c);
        threads(&mut c);
        c.final_summary();
    }
}
