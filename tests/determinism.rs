//! Results are bitwise identical across thread counts, and streams are pinned.

use shape_matters::claim::{Ctx, DEFAULT_SEED};
use shape_matters::engine::dynamics::Dynamics;
use shape_matters::engine::lanes::PVec;
use shape_matters::engine::model::{Data, Problem};
use shape_matters::engine::rng::stream;
use shape_matters::engine::runner::Runner;
use shape_matters::engine::schedule::Schedule;
use shape_matters::engine::stopped::{Batch, NoObserver, StopSet, run_chain};
use shape_matters::evidence;
use shape_matters::evidence::FAMILY_ALPHA;
use shape_matters::overrides::Overrides;
use shape_matters::{Budget, claims};

fn outcome_json(id: &str, threads: usize) -> String {
    let ctx = Ctx {
        budget: Budget::Quick,
        seed: DEFAULT_SEED,
        overrides: Overrides::default(),
        runner: Runner::new(Some(threads), false).unwrap(),
    };
    let mut o = vec![claims::find(id).unwrap().execute(&ctx).unwrap()];
    o[0].elapsed_s = None;
    evidence::finalize(&mut o, FAMILY_ALPHA);
    serde_json::to_string(&o[0]).unwrap()
}

#[test]
fn claims_are_bitwise_identical_with_one_or_two_threads() {
    for id in ["warmup", "G.1"] {
        assert_eq!(outcome_json(id, 1), outcome_json(id, 2), "{id}");
    }
}

#[test]
fn chains_are_bitwise_identical_with_one_or_two_threads() {
    let p = Problem::new(Data::gaussian(40, 100, &mut stream(7, "det", "data", 0)).unwrap(), 5).unwrap();
    let sched = Schedule::constant(1e-3, 20_000).unwrap();
    let run = |threads| {
        Runner::new(Some(threads), false).unwrap().map("det", 16, |j| {
            let mut rng = stream(7, "det", "chain", j as u64);
            run_chain(
                Batch::new(&p, &Dynamics::Alg1 { delta: 1.0 }, &sched, StopSet::Never),
                PVec::constant(100, 1.0),
                &mut rng,
                &mut NoObserver,
            )
            .v
        })
    };
    let (a, b) = (run(1), run(2));
    for (x, y) in a.iter().zip(&b) {
        let bx: Vec<u64> = x.as_slice().iter().map(|f| f.to_bits()).collect();
        let by: Vec<u64> = y.as_slice().iter().map(|f| f.to_bits()).collect();
        assert_eq!(bx, by);
    }
}

/// The fixed summation order: the kernel's residual equals an explicit 8-lane scalar reference,
/// bit for bit, at sizes that are and are not multiples of 8.
#[test]
fn residual_follows_the_documented_summation_order() {
    use shape_matters::engine::lanes::{LANES, residual};
    for d in [1usize, 7, 8, 13, 100, 1000] {
        let mut rng = stream(3, "order", "x", d as u64);
        let data = Data::gaussian(1, d, &mut rng).unwrap();
        let p = Problem::new(data, d.min(3)).unwrap();
        let v: Vec<f64> = (0..d).map(|k| 0.3 + (k as f64 * 0.37).sin()).collect();
        let pv = PVec::from_slice(&v);
        let got = residual(pv.blocks(), p.w_star().blocks(), p.data().row(0));
        let mut s = [0.0f64; LANES];
        for k in 0..d {
            let w = p.w_star().as_slice()[k];
            // The fused rule (issue 16): fma(fma(v, v, −w), x, s).
            s[k % LANES] = v[k].mul_add(v[k], -w).mul_add(p.data().x(0, k), s[k % LANES]);
        }
        let want = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        assert_eq!(got.to_bits(), want.to_bits(), "d = {d}");
    }
}
