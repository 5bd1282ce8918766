//! Golden values in the style of rand_distr's `value_stability.rs`: fingerprints of the data the
//! kernel tests generate and of the frozen reference's trajectories, hard-coded.
//!
//! # How they were produced
//! Computed ONCE, by running `tests/kernels.rs::reference_and_data_match_the_golden_values` with
//! the tables below empty and pasting what it printed, on the commit that introduced this file
//! (engine refactor of issue 12; the engine then reproduced the committed snapshots bit for bit).
//! They pin (a) `Data::gaussian` + `Problem::new` under the test's seeds, (b) the frozen stream
//! derivation and draws of [`super::frozen`], and (c) the frozen reference step code, so that
//! none of them can drift together with the live engine it checks. Never regenerate them to make
//! a test pass: a mismatch means the data generation or the reference changed.
//!
//! Regenerated once, deliberately, in issue 16, when the reference (with the engine) adopted the
//! fused multiply-add rule (`tests/reference/mod.rs`): the 36 trajectory and 4 stopped-chain
//! fingerprints changed, the 4 problem fingerprints did not (the data are untouched). The values of
//! before are in that commit's message.

use shape_matters::engine::dynamics::{Dynamics, LabelNoise, StepStatus};
use shape_matters::engine::lanes::PVec;
use shape_matters::engine::model::Problem;
use shape_matters::engine::schedule::Schedule;
use shape_matters::engine::stopped::StopSet;

/// FNV-1a-style running hash of 64-bit words.
pub fn hash_words(mut h: u64, words: impl IntoIterator<Item = u64>) -> u64 {
    for w in words {
        h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// Every bit of a problem: `n`, `d`, `r`, all rows (padding included), `w*` and the mask.
pub fn problem_fingerprint(p: &Problem) -> u64 {
    let mut h = hash_words(SEED, [p.n() as u64, p.d() as u64, p.r() as u64]);
    for i in 0..p.n() {
        h = hash_words(h, p.data().row(i).iter().flat_map(|b| b.0).map(f64::to_bits));
    }
    h = hash_words(h, p.w_star().as_slice().iter().map(|x| x.to_bits()));
    hash_words(h, p.off_mask().as_slice().iter().map(|x| x.to_bits()))
}

/// A start without randomness: `v_k = (0.5 + ((7919 k) mod 97)/97)/√d`.
pub fn start(d: usize) -> PVec {
    let s = 1.0 / (d as f64).sqrt();
    PVec::from_slice(&(0..d).map(|k| s * (0.5 + ((7919 * k) % 97) as f64 / 97.0)).collect::<Vec<_>>())
}

/// Every dynamics the reference implements.
pub fn dynamics() -> [Dynamics; 9] {
    [
        Dynamics::Alg1 { delta: 0.6 },
        Dynamics::Alg1FlippedGradient { delta: 0.6 },
        Dynamics::Gd,
        Dynamics::GdGauss { sigma: 0.05 },
        Dynamics::Langevin { lambda: 500.0 },
        Dynamics::ExpLabelNoise { delta: 0.5, noise: LabelNoise::Rademacher },
        Dynamics::ExpLabelNoise { delta: 0.5, noise: LabelNoise::Gaussian },
        Dynamics::ExpMinibatch { delta: 0.5, bs: 3 },
        Dynamics::SgdGauss { sigma: 0.05 },
    ]
}

/// `steps` reference steps of `dynamics` from [`start`] on the frozen stream
/// `(8, "golden", "steps", j)`: the statuses, the final state's bits and the stream's next output.
pub fn trajectory_fingerprint(p: &Problem, dynamics: &Dynamics, j: u64, steps: usize) -> u64 {
    let mut v = start(p.d());
    let mut rng = super::stream(8, "golden", "steps", j);
    let mut sc = super::Scratch::default();
    let eta = 0.05 / (p.d() as f64 + p.n() as f64);
    let mut h = SEED;
    for _ in 0..steps {
        let st = super::step(dynamics, &mut v, p, eta, &mut rng, &mut sc);
        h = hash_words(h, [(st == StepStatus::Ok) as u64]);
    }
    h = hash_words(h, v.as_slice().iter().map(|x| x.to_bits()));
    hash_words(h, [rand::Rng::next_u64(&mut rng)])
}

/// A stopped Algorithm-1 reference chain on each kind of stop set: exit and divergence steps,
/// the final state's bits.
pub fn chain_fingerprint(p: &Problem, j: u64) -> u64 {
    let v0 = start(p.d());
    let l1 = super::sum_abs(v0.blocks());
    let off = super::masked_sum_abs(v0.blocks(), p.off_mask().blocks());
    let stops = [
        StopSet::Never,
        StopSet::L1Ball { b: l1 * 1.02 },
        StopSet::SupportBox { b: 1.5, eps: off * 1.05 },
        StopSet::NearTruth { b: 2.0, eps: off * 1.3 },
    ];
    let schedule = Schedule::constant(4e-3, 1_500).unwrap();
    let mut h = SEED;
    for (k, stop) in stops.into_iter().enumerate() {
        let mut rng = super::stream(8, "golden", "chain", j * 10 + k as u64);
        let mut obs = |_t: u64, _v: &PVec| {};
        let end = super::run_chain(p, &Dynamics::Alg1 { delta: 1.0 }, &schedule, stop, v0.clone(), &mut rng, &mut obs);
        h = hash_words(h, [end.steps_run, end.exit_step.unwrap_or(u64::MAX), end.diverged_at.unwrap_or(u64::MAX)]);
        h = hash_words(h, end.v.as_slice().iter().map(|x| x.to_bits()));
    }
    h
}

/// The problems fingerprinted: `(n, d, r)` of `tests/kernels.rs`'s `problem`.
pub const SIZES: [(usize, usize, usize); 4] = [(5, 7, 2), (9, 31, 4), (40, 100, 5), (20, 257, 9)];

/// Reference steps per trajectory.
pub const STEPS: usize = 300;

/// Per size: the problem's fingerprint, the fingerprints of the 9 dynamics' trajectories, and
/// the stopped chains' fingerprint.
pub const GOLDEN: [(u64, [u64; 9], u64); 4] = [
    (
        0x7c3943b96b4572f5,
        [
            0x6ba8549e70aaf4b1,
            0xcc2db782739346d1,
            0x305efdda39555a3d,
            0xed17354e433cf3dc,
            0x9a7385744bd73ccc,
            0x36e856bc49f46268,
            0x44b7782625bf6843,
            0xe479a8d21702ca78,
            0x44cf783fac19b147,
        ],
        0x13b37549cceb74a0,
    ),
    (
        0x65df56a165153255,
        [
            0xebde75d6a5dd26be,
            0xb7274e62068172a9,
            0x0670d97bdce70d1f,
            0xc4b72fd3c2714d26,
            0x33f718b599ef626c,
            0x312078cabbc4d350,
            0x24646a6304500061,
            0x93ba53370f4323a0,
            0x13ea32ac75aba49b,
        ],
        0x3c1d9e282888cc21,
    ),
    (
        0x2b4ae3658f66aefd,
        [
            0x9434295ba3f42ef4,
            0xdac67bccc431e7dc,
            0x89813ce02ee138fb,
            0xa1e3667d88ec46be,
            0xf6f023bf09045c1a,
            0xab3cfb563c6d7706,
            0xb565b24760e26df0,
            0x807a790e02a288fa,
            0xed6c38a94e3d672f,
        ],
        0x8e056f136748ba8c,
    ),
    (
        0x666b33a05f4db481,
        [
            0xcf2b2b71dc452632,
            0xa258b3dc08abdf20,
            0x1063cbee3fa34b4e,
            0xa699c083e3fbc8ea,
            0x85792bf8e0a3c299,
            0xa5282ed527868240,
            0x66c0933dadedc4d3,
            0x1ff7f5e4933b7c97,
            0x9eed71d4a6fd9901,
        ],
        0x448b3239ba99b747,
    ),
];
