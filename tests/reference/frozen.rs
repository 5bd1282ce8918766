//! Frozen copies of the engine's randomness and reduction order as they produced the committed
//! snapshots (`src/engine/rng.rs`, `src/engine/lanes.rs::reduce`, `Problem::support_max` and
//! `Problem::support_dist_inf`), so that the reference never runs the live code it is compared
//! with. Do not edit: `golden.rs` pins their outputs, and the live versions are compared with them
//! in `tests/kernels.rs` (`frozen_rng_and_reduce_match_the_live_ones`).

use rand::{Rng, SeedableRng};
use shape_matters::engine::lanes::PVec;

/// Lanes per block (`lanes::LANES`).
pub const LANES: usize = 8;

/// The generator of every stream (`rng::Stream`).
pub type Stream = rand_chacha::ChaCha8Rng;

/// 64-bit FNV-1a hash.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// SplitMix64 finaliser.
pub fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The ChaCha8 stream for `(master, claim, purpose, index)`: key words
/// `(master, h(claim), h(purpose), index)` through SplitMix64, `h` = FNV-1a.
pub fn stream(master: u64, claim: &str, purpose: &str, index: u64) -> Stream {
    let words = [
        splitmix64(master),
        splitmix64(fnv1a(claim.as_bytes())),
        splitmix64(fnv1a(purpose.as_bytes()) ^ 0x5348_4150_455f_4d41), // "SHAPE_MA"
        splitmix64(index ^ 0x5454_4552_5321_0000),
    ];
    let mut seed = [0u8; 32];
    for (chunk, w) in seed.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    Stream::from_seed(seed)
}

/// A uniform index in `[0, n)` from the high 63 bits (multiply-shift) and a sign from bit 0.
#[inline(always)]
pub fn index_and_sign(u: u64, n: usize) -> (usize, bool) {
    let i = (((u >> 1) as u128 * n as u128) >> 63) as usize;
    (i, u & 1 == 1)
}

/// A uniform index in `[0, n)` from one draw (multiply-shift on all 64 bits).
#[inline(always)]
pub fn uniform_index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((rng.next_u64() as u128 * n as u128) >> 64) as usize
}

/// A standard normal draw (rand_distr's ziggurat sampler, version pinned by `Cargo.lock`).
#[inline(always)]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    use rand_distr::Distribution;
    rand_distr::StandardNormal.sample(rng)
}

/// The fixed tree `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`.
#[inline(always)]
pub fn reduce(s: [f64; LANES]) -> f64 {
    ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

/// `max_{k < r} |v_k|` (`Problem::support_max`).
pub fn support_max(v: &PVec, r: usize) -> f64 {
    v.as_slice()[..r].iter().fold(0.0f64, |a, &x| a.max(x.abs()))
}

/// `max_{k < r} |v_k − 1|` (`Problem::support_dist_inf`).
pub fn support_dist_inf(v: &PVec, r: usize) -> f64 {
    v.as_slice()[..r].iter().fold(0.0f64, |a, &x| a.max((x - 1.0).abs()))
}
