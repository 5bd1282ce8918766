//! The unfused arithmetic of before issue 16 (products rounded, then added), kept only so that
//! `tests/kernels.rs` can show that the fused rule changes the bits: a test that compares the
//! kernels with the reference must be able to tell these loops from the fused ones.

use super::frozen::{LANES, reduce};
use shape_matters::engine::dynamics::StepStatus;
use shape_matters::engine::lanes::{F8, PVec};
use shape_matters::engine::model::Problem;

/// `Σ_j a_j b_j`, products rounded before the addition.
pub fn dot(a: &[F8], b: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for (x, y) in a.iter().zip(b) {
        for l in 0..LANES {
            s[l] += x.0[l] * y.0[l];
        }
    }
    reduce(s)
}

/// `Σ_j (v_j v_j − w_j) x_j`, every product rounded.
pub fn residual(v: &[F8], w: &[F8], x: &[F8]) -> f64 {
    let mut s = [0.0f64; LANES];
    for ((vb, wb), xb) in v.iter().zip(w).zip(x) {
        for l in 0..LANES {
            s[l] += (vb.0[l] * vb.0[l] - wb.0[l]) * xb.0[l];
        }
    }
    reduce(s)
}

/// Algorithm 1's update with the unfused factor `1 + c·x` and the unfused residual.
pub fn alg1_apply(v: &mut PVec, p: &Problem, eta: f64, s: f64, i: usize, grad_sign: f64) -> StepStatus {
    let x = p.data().row(i);
    let r = residual(v.blocks(), p.w_star().blocks(), x);
    if !r.is_finite() {
        return StepStatus::Diverged;
    }
    let c = super::alg1_coef(eta, s, r, grad_sign);
    for (vb, xb) in v.blocks_mut().iter_mut().zip(x) {
        for l in 0..LANES {
            vb.0[l] *= 1.0 + c * xb.0[l];
        }
    }
    StepStatus::Ok
}
