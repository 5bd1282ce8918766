//! Criterion benchmarks. Throughput is set so results read as steps (or outcomes) per second.
//!
//! * `alg1_step`: one Algorithm-1 step at d = 100 and d = 1000 (n = 40);
//! * `gd_step`: one full-batch GD step at d = 100, n = 40;
//! * `exact_enumeration`: the 2n-outcome one-step law (E[√F_k] for every k) at d = 100, n = 40.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use shape_matters::engine::dynamics::{Dynamics, Scratch};
use shape_matters::engine::exact::OneStep;
use shape_matters::engine::lanes::PVec;
use shape_matters::engine::model::{Data, Problem};
use shape_matters::engine::rng::stream;

const STEPS: u64 = 10_000;

fn problem(n: usize, d: usize) -> Problem {
    Problem::new(Data::gaussian(n, d, &mut stream(1, "bench", "data", d as u64)).unwrap(), 5).unwrap()
}

fn alg1_step(c: &mut Criterion) {
    let mut g = c.benchmark_group("alg1_step");
    g.throughput(Throughput::Elements(STEPS));
    for d in [100usize, 1000] {
        let p = problem(40, d);
        g.bench_with_input(BenchmarkId::from_parameter(format!("d={d},n=40")), &p, |b, p| {
            let dynamics = Dynamics::Alg1 { delta: 1.0 };
            let mut rng = stream(1, "bench", "chain", 0);
            let mut sc = Scratch::default();
            let mut v = PVec::constant(d, 1.0 / d as f64);
            b.iter(|| {
                for _ in 0..STEPS {
                    dynamics.step(&mut v, p, 1e-3, &mut rng, &mut sc);
                }
                black_box(&v);
            });
        });
    }
    g.finish();
}

fn gd_step(c: &mut Criterion) {
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
    g.finish();
}

fn exact_enumeration(c: &mut Criterion) {
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

criterion_group!(benches, alg1_step, gd_step, exact_enumeration);
criterion_main!(benches);
