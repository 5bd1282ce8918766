//! A frozen copy of the engine's step code as it was before issue 8 (commit 89087e5:
//! `src/engine/dynamics.rs` and `src/engine/stopped.rs`, plain scalar lane loops), kept verbatim
//! except for free-function signatures and one rule change: since issue 16 every product that
//! feeds an addition is one `f64::mul_add` (IEEE fusedMultiplyAdd, rounded once) at the place the
//! engine fuses it (`factor = fma(c, x, 1)`, `fma(fma(v, v, −w), x, s)`, `fma(r, x, h)`, …; see
//! `src/engine/kernels.rs`). The snapshots other claims commit were produced by this code;
//! `tests/kernels.rs` (and the benches, for before/after timings) compare every kernel path of the
//! current engine against it bit for bit. The unfused loops of before issue 16 are kept in
//! [`unfused`], so a test can show that the rule changes the bits (a comparison that could not
//! tell the two apart would prove nothing). Do not "optimise" this file.
//!
//! # Self-contained
//! Nothing here calls live engine arithmetic or randomness, so a change there cannot move both
//! sides of a comparison together. Frozen copies (below, and in [`frozen`]): the lane reductions
//! of the old `src/engine/lanes.rs` and the fixed tree `reduce`; the ChaCha8 stream derivation
//! `stream` and the draws `index_and_sign`, `uniform_index`, `standard_normal` of
//! `src/engine/rng.rs`; the support norms of `Problem::support_max` / `support_dist_inf`. From the
//! crate it takes only types: the parameter enums (`Dynamics`, `LabelNoise`, `StopSet`), the
//! containers (`F8`, `PVec`, `Schedule`, `ChainEnd`, the `Observer` trait) and the data (`Problem`:
//! rows, `w*`, the off-support mask). The data generation itself (`Data::gaussian`,
//! `Problem::new`) and this file's results are pinned by the golden values in [`golden`].

#![allow(dead_code, clippy::all)]

pub mod frozen;
pub mod golden;
pub mod unfused;

use frozen::{LANES, index_and_sign, reduce, standard_normal, uniform_index};
pub use frozen::{Stream, stream};
use rand::Rng;
use shape_matters::engine::dynamics::{Dynamics, LabelNoise, StepStatus};
use shape_matters::engine::lanes::{F8, PVec};
use shape_matters::engine::model::Problem;
use shape_matters::engine::schedule::Schedule;
use shape_matters::engine::stopped::{ChainEnd, Observer, StopSet};

#[inline(always)]
pub fn factor(c: f64, x: f64) -> f64 {
    c.mul_add(x, 1.0)
}

/// Scratch buffers reused across steps.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    res: Vec<f64>,
    h: Vec<F8>,
    idx: Vec<usize>,
}

/// `h = (1/n) Σ_i r_i x^(i)` as blocks (sums over `i` in order), i.e. `M e(v)` when `r` are the
/// residuals. Returns false when a residual is not finite.
pub fn me_blocks(p: &Problem, res: &[f64], h: &mut Vec<F8>) {
    let nb = p.data().blocks_per_row();
    h.clear();
    h.resize(nb, F8::default());
    for (i, &r) in res.iter().enumerate() {
        for (hb, xb) in h.iter_mut().zip(p.data().row(i)) {
            for l in 0..LANES {
                hb.0[l] = r.mul_add(xb.0[l], hb.0[l]);
            }
        }
    }
    let inv = 1.0 / res.len() as f64;
    for hb in h.iter_mut() {
        for l in 0..LANES {
            hb.0[l] *= inv;
        }
    }
}

fn all_residuals(p: &Problem, v: &PVec, res: &mut Vec<f64>) -> bool {
    res.clear();
    let mut ok = true;
    for i in 0..p.n() {
        let r = residual(v.blocks(), p.w_star().blocks(), p.data().row(i));
        ok &= r.is_finite();
        res.push(r);
    }
    ok
}

/// Draw `bs` distinct indices from `[n]` (partial Fisher–Yates) into `out`.
fn sample_without_replacement(rng: &mut Stream, n: usize, bs: usize, out: &mut Vec<usize>) {
    out.clear();
    out.extend(0..n);
    for j in 0..bs.min(n) {
        let k = j + uniform_index(rng, n - j);
        out.swap(j, k);
    }
    out.truncate(bs.min(n));
}

/// One step at step size `eta`.
#[inline]
pub fn step(
    dynamics: &Dynamics,
    v: &mut PVec,
    p: &Problem,
    eta: f64,
    rng: &mut Stream,
    sc: &mut Scratch,
) -> StepStatus {
    match *dynamics {
        Dynamics::Alg1 { delta } => alg1_step(v, p, eta, delta, 1.0, rng),
        Dynamics::Alg1FlippedGradient { delta } => alg1_step(v, p, eta, delta, -1.0, rng),
        Dynamics::SgdGauss { sigma } => {
            let (i, _) = index_and_sign(rng.next_u64(), p.n());
            let r = residual(v.blocks(), p.w_star().blocks(), p.data().row(i));
            if !r.is_finite() {
                return StepStatus::Diverged;
            }
            let c = -eta * r;
            let a = eta * sigma;
            for (vb, xb) in v.blocks_mut().iter_mut().zip(p.data().row(i)) {
                for l in 0..LANES {
                    vb.0[l] *= factor(c, xb.0[l]);
                }
            }
            add_gaussian(v, a, rng);
            StepStatus::Ok
        }
        Dynamics::Gd => {
            if !all_residuals(p, v, &mut sc.res) {
                return StepStatus::Diverged;
            }
            me_blocks(p, &sc.res, &mut sc.h);
            for (vb, hb) in v.blocks_mut().iter_mut().zip(&sc.h) {
                for l in 0..LANES {
                    vb.0[l] *= factor(-eta, hb.0[l]);
                }
            }
            StepStatus::Ok
        }
        Dynamics::GdGauss { sigma } => {
            if !all_residuals(p, v, &mut sc.res) {
                return StepStatus::Diverged;
            }
            me_blocks(p, &sc.res, &mut sc.h);
            for (vb, hb) in v.blocks_mut().iter_mut().zip(&sc.h) {
                for l in 0..LANES {
                    vb.0[l] *= factor(-eta, hb.0[l]);
                }
            }
            add_gaussian(v, -eta * sigma, rng);
            StepStatus::Ok
        }
        Dynamics::Langevin { lambda } => {
            if !all_residuals(p, v, &mut sc.res) {
                return StepStatus::Diverged;
            }
            me_blocks(p, &sc.res, &mut sc.h);
            for (vb, hb) in v.blocks_mut().iter_mut().zip(&sc.h) {
                for l in 0..LANES {
                    vb.0[l] *= factor(-eta, hb.0[l]);
                }
            }
            add_gaussian(v, (2.0 * eta / lambda).sqrt(), rng);
            StepStatus::Ok
        }
        Dynamics::ExpLabelNoise { delta, noise } => {
            if !all_residuals(p, v, &mut sc.res) {
                return StepStatus::Diverged;
            }
            me_blocks(p, &sc.res, &mut sc.h);
            let i = uniform_index(rng, p.n());
            let s = match noise {
                LabelNoise::Rademacher => {
                    if rng.next_u64() & 1 == 1 {
                        delta
                    } else {
                        -delta
                    }
                }
                LabelNoise::Gaussian => delta * standard_normal(rng),
            };
            let es = eta * s;
            for ((vb, hb), xb) in v.blocks_mut().iter_mut().zip(&sc.h).zip(p.data().row(i)) {
                for l in 0..LANES {
                    vb.0[l] *= es.mul_add(xb.0[l], factor(-eta, hb.0[l]));
                }
            }
            StepStatus::Ok
        }
        Dynamics::ExpMinibatch { delta, bs } => {
            if !all_residuals(p, v, &mut sc.res) {
                return StepStatus::Diverged;
            }
            // ∇L + δ(∇L_B1 − ∇L_B2) = v ⊙ (Σ_i c_i r_i x^(i)) with c_i = 1/n + δ(1[i∈B1] − 1[i∈B2])/bs.
            let n = p.n();
            let mut w = vec![1.0 / n as f64; n];
            let bsf = bs as f64;
            sample_without_replacement(rng, n, bs, &mut sc.idx);
            for &i in &sc.idx {
                w[i] += delta / bsf;
            }
            sample_without_replacement(rng, n, bs, &mut sc.idx);
            for &i in &sc.idx {
                w[i] -= delta / bsf;
            }
            let nb = p.data().blocks_per_row();
            sc.h.clear();
            sc.h.resize(nb, F8::default());
            for i in 0..n {
                let ci = w[i] * sc.res[i];
                for (hb, xb) in sc.h.iter_mut().zip(p.data().row(i)) {
                    for l in 0..LANES {
                        hb.0[l] = ci.mul_add(xb.0[l], hb.0[l]);
                    }
                }
            }
            for (vb, hb) in v.blocks_mut().iter_mut().zip(&sc.h) {
                for l in 0..LANES {
                    vb.0[l] *= factor(-eta, hb.0[l]);
                }
            }
            StepStatus::Ok
        }
    }
}

/// Algorithm 1's step; `grad_sign = −1` flips the gradient (negative control).
#[inline(always)]
fn alg1_step(v: &mut PVec, p: &Problem, eta: f64, delta: f64, grad_sign: f64, rng: &mut Stream) -> StepStatus {
    let (i, plus) = index_and_sign(rng.next_u64(), p.n());
    let s = if plus { delta } else { -delta };
    alg1_apply(v, p, eta, s, i, grad_sign)
}

/// Apply the Algorithm-1 update for the outcome `(i, s)`:
/// `v ← v ⊙ (1 + η (s − grad_sign·⟨e(v), x^(i)⟩) x^(i))`. Used by the chain and by the exact
/// enumeration, so both perform the same floating-point operations. Returns `Diverged` (and
/// leaves `v` unchanged) when the residual is not finite.
#[inline(always)]
pub fn alg1_apply(v: &mut PVec, p: &Problem, eta: f64, s: f64, i: usize, grad_sign: f64) -> StepStatus {
    let x = p.data().row(i);
    let r = residual(v.blocks(), p.w_star().blocks(), x);
    if !r.is_finite() {
        return StepStatus::Diverged;
    }
    let c = alg1_coef(eta, s, r, grad_sign);
    for (vb, xb) in v.blocks_mut().iter_mut().zip(x) {
        for l in 0..LANES {
            vb.0[l] *= factor(c, xb.0[l]);
        }
    }
    StepStatus::Ok
}

/// The coefficient `c = η (s − grad_sign·r)` of Algorithm 1's factor `1 + c x_k`.
#[inline(always)]
pub fn alg1_coef(eta: f64, s: f64, r: f64, grad_sign: f64) -> f64 {
    eta * (s - grad_sign * r)
}

/// `v_k += a ξ_k`, `ξ_k ~ N(0,1)` drawn for `k = 0..d` in order (padding untouched).
fn add_gaussian(v: &mut PVec, a: f64, rng: &mut Stream) {
    for x in v.as_mut_slice() {
        *x = a.mul_add(standard_normal(rng), *x);
    }
}

/// Is `v ∈ G`? (NaN entries are never inside a bounded set.)
#[inline]
pub fn contains(stop: &StopSet, v: &PVec, p: &Problem) -> bool {
    match *stop {
        StopSet::Never => true,
        StopSet::L1Ball { b } => sum_abs(v.blocks()) <= b,
        StopSet::SupportBox { b, eps } => {
            masked_sum_abs(v.blocks(), p.off_mask().blocks()) <= eps && frozen::support_max(v, p.r()) <= b
        }
        StopSet::NearTruth { b, eps } => {
            masked_sum_abs(v.blocks(), p.off_mask().blocks()) <= eps && frozen::support_dist_inf(v, p.r()) <= b
        }
    }
}

/// Run `dynamics` from `v0` over `schedule`, stopped when it leaves `stop` (SPEC §0.5).
pub fn run_chain<O: Observer>(
    p: &Problem,
    dynamics: &Dynamics,
    schedule: &Schedule,
    stop: StopSet,
    v0: PVec,
    rng: &mut Stream,
    obs: &mut O,
) -> ChainEnd {
    let mut v = v0;
    let mut sc = Scratch::default();
    obs.observe(0, &v);
    if !contains(&stop, &v, p) {
        return ChainEnd { v, steps_run: 0, exit_step: Some(0), diverged_at: None };
    }
    let check = !matches!(stop, StopSet::Never);
    let mut t: u64 = 0;
    for phase in schedule.phases() {
        for _ in 0..phase.steps {
            // Every dynamics detects a non-finite residual before it changes `v`.
            if step(dynamics, &mut v, p, phase.eta, rng, &mut sc) == StepStatus::Diverged {
                return ChainEnd { v, steps_run: t, exit_step: None, diverged_at: Some(t + 1) };
            }
            t += 1;
            obs.observe(t, &v);
            if check && !contains(&stop, &v, p) {
                return ChainEnd { v, steps_run: t, exit_step: Some(t), diverged_at: None };
            }
        }
    }
    if !v.all_finite() {
        return ChainEnd { v, steps_run: t, exit_step: None, diverged_at: Some(t) };
    }
    ChainEnd { v, steps_run: t, exit_step: None, diverged_at: None }
}

// ---- frozen copies of the pre-issue-8 `lanes` reductions ----

/// `Σ_j a_j b_j` in the fixed order.
#[inline]
pub fn dot(a: &[F8], b: &[F8]) -> f64 {
    debug_assert_eq!(a.len(), b.len());
    let mut s = [0.0f64; LANES];
    for (x, y) in a.iter().zip(b) {
        for l in 0..LANES {
            s[l] = x.0[l].mul_add(y.0[l], s[l]);
        }
    }
    reduce(s)
}

/// The residual `⟨v⊙v − w, x⟩ = Σ_j (v_j v_j − w_j) x_j` in the fixed order.
///
/// With `w = v*⊙v*` and `x = x^(i)` this is `⟨e(v), x^(i)⟩`, the factor of every gradient in
/// the paper (SPEC §0.3). It is computed from `e = v⊙v − w` directly, never as
/// `⟨v⊙v, x⟩ − y` (which cancels near `v*`).
#[inline]
pub fn residual(v: &[F8], w: &[F8], x: &[F8]) -> f64 {
    debug_assert!(v.len() == w.len() && w.len() == x.len());
    let mut s = [0.0f64; LANES];
    for ((vb, wb), xb) in v.iter().zip(w).zip(x) {
        for l in 0..LANES {
            s[l] = vb.0[l].mul_add(vb.0[l], -wb.0[l]).mul_add(xb.0[l], s[l]);
        }
    }
    reduce(s)
}

/// `Σ_j a_j` in the fixed order.
#[inline]
pub fn sum(a: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for x in a {
        for l in 0..LANES {
            s[l] += x.0[l];
        }
    }
    reduce(s)
}

/// `Σ_j |a_j|` in the fixed order.
#[inline]
pub fn sum_abs(a: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for x in a {
        for l in 0..LANES {
            s[l] += x.0[l].abs();
        }
    }
    reduce(s)
}

/// `Σ_j a_j²` in the fixed order.
#[inline]
pub fn sum_sq(a: &[F8]) -> f64 {
    dot(a, a)
}

/// `Σ_j m_j a_j` for a 0/1 mask `m` in the fixed order.
#[inline]
pub fn masked_sum(a: &[F8], mask: &[F8]) -> f64 {
    dot(a, mask)
}

/// `Σ_j m_j |a_j|` for a 0/1 mask `m` in the fixed order.
#[inline]
pub fn masked_sum_abs(a: &[F8], mask: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for (x, m) in a.iter().zip(mask) {
        for l in 0..LANES {
            s[l] = x.0[l].abs().mul_add(m.0[l], s[l]);
        }
    }
    reduce(s)
}

/// `Σ_j m_j √a_j` for non-negative `a` and a 0/1 mask in the fixed order (negative entries
/// contribute `√max(a,0)`).
#[inline]
pub fn masked_sum_sqrt(a: &[F8], mask: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for (x, m) in a.iter().zip(mask) {
        for l in 0..LANES {
            s[l] = x.0[l].max(0.0).sqrt().mul_add(m.0[l], s[l]);
        }
    }
    reduce(s)
}

/// `‖v⊙v − w‖²` in the fixed order (the test error when `w = v*⊙v*`).
#[inline]
pub fn sq_dist_sq(v: &[F8], w: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for (vb, wb) in v.iter().zip(w) {
        for l in 0..LANES {
            let e = vb.0[l].mul_add(vb.0[l], -wb.0[l]);
            s[l] = e.mul_add(e, s[l]);
        }
    }
    reduce(s)
}

/// `Σ_j |v_j v_j − w_j|` (the ℓ1 norm of `e(v)`) in the fixed order.
#[inline]
pub fn sq_dist_l1(v: &[F8], w: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for (vb, wb) in v.iter().zip(w) {
        for l in 0..LANES {
            s[l] += vb.0[l].mul_add(vb.0[l], -wb.0[l]).abs();
        }
    }
    reduce(s)
}
