//! The dynamics: Algorithm 1 and every variant the checks compare it with.
//!
//! Each dynamics is one function of `(state, data, step size, noise, rng)`: [`Dynamics::step`].
//! Every multiplicative update uses the single factor function [`factor`], which the exact
//! one-step enumeration (`engine::exact`) also uses, so "what the chain does" and "what the
//! enumeration averages" are the same floating-point operations.
//!
//! The hot loops (Algorithm 1's residual and update, the full-batch residuals and `M e`) run in
//! the dispatched SIMD kernels of [`super::kernels`], which perform exactly the operations
//! written here (`factor`, [`alg1_coef`], `lanes::residual`, [`me_blocks`]) lane by lane in the
//! fixed summation order, so every CPU path gives the same bits. A product that feeds an addition
//! is one `f64::mul_add` (`fma`, rounded once) at a fixed place: `factor = fma(c, x, 1)`, the
//! label-noise factor `fma(η s, x_k, fma(−η, (Me)_k, 1))`, the noise `fma(a, ξ_k, v_k)`.
//! (`alg1_coef`'s `grad_sign·r` is exact, `grad_sign = ±1`, so it is not fused.) [`Dynamics::step_with`] selects
//! the path explicitly (tests); [`Dynamics::step`] uses [`Path::active`].
//!
//! # Formula
//! * Algorithm 1, eq. (1)/(14): `v' = v − η⟨e(v), x^(i)⟩ x^(i)⊙v + η s x^(i)⊙v
//!   = v ⊙ (1 + η (s − ⟨e, x^(i)⟩) x^(i))`, `i ~ Unif[n]`, `s ~ Unif{±δ}`.
//!   (Eq. (8) prints the `s` term with the other sign; `s` is symmetric, so the law is the same.)
//! * Full-batch GD: `v' = v ⊙ (1 − η (M e(v)))`.
//! * GD + spherical Gaussian noise (the authors' "SGLD"): `v' = v − η(∇L(v) + σ ξ)`, `ξ ~ N(0, I_d)`.
//! * Langevin dynamics, eq. (2): `v' = v − η∇L(v) + sqrt(2η/λ) ξ`.
//! * SGD + spherical Gaussian noise (negative control): Algorithm 1 with `s x^(i)⊙v` replaced by
//!   `σ ξ`, i.e. `v' = v ⊙ (1 − η⟨e, x^(i)⟩ x^(i)) + η σ ξ`.
//! * Algorithm 1 with the gradient sign flipped (negative control): `v' = v ⊙ (1 + η (s + ⟨e, x^(i)⟩) x^(i))`.
//! * The experiment's label-noise variant (Appendix A, the authors' "LNGD"):
//!   `v' = v − η(∇L + ∇ℓ̃^(i) − ∇ℓ^(i)) = v ⊙ (1 − η (M e) + η s x^(i))`, `s ~ Unif{±δ}` or `N(0, δ²)`.
//! * The experiment's minibatch variant (the authors' "SGD"):
//!   `v' = v − η(∇L + δ(∇L_{B1} − ∇L_{B2}))`, `B1, B2` independent, each `bs` indices without replacement.
//! * Warm-up walks (5) `v' = v + ηξv`, `ξ ~ Unif{±1}`, and (6) `v' = v + ηξ`, `ξ ~ N(0,1)`.

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::kernels::{self, Path};
use super::lanes::{F8, LANES, PVec, blocks_for};
use super::model::Problem;
use super::rng::{Stream, index_and_sign, standard_normal, uniform_index};

/// The multiplicative factor `1 + c·x` of one coordinate (with `c = η(s − ⟨e, x^(i)⟩)` for
/// Algorithm 1), as one fused multiply-add `fma(c, x, 1)` (rounded once; the kernels use the
/// same operation). The only place this product is formed.
#[inline(always)]
pub fn factor(c: f64, x: f64) -> f64 {
    c.mul_add(x, 1.0)
}

/// Label-noise distribution of the experiment's variant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelNoise {
    /// `s ~ Unif{+δ, −δ}` (the paper's Appendix A and Algorithm 1).
    Rademacher,
    /// `s ~ N(0, δ²)` (the authors' script).
    Gaussian,
}

/// A dynamics; see the module documentation for the update of each.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Dynamics {
    /// Algorithm 1 (SGD with label noise `s ∈ {±δ}`).
    Alg1 { delta: f64 },
    /// Algorithm 1 with the gradient sign flipped (negative control).
    Alg1FlippedGradient { delta: f64 },
    /// SGD with spherical Gaussian noise `ησξ` instead of label noise (negative control).
    SgdGauss { sigma: f64 },
    /// Full-batch gradient descent.
    Gd,
    /// Gradient descent plus spherical Gaussian noise, `v − η(∇L + σξ)`.
    GdGauss { sigma: f64 },
    /// Langevin dynamics, eq. (2), inverse temperature `λ`.
    Langevin { lambda: f64 },
    /// The experiment's label-noise variant (full gradient + label-noise perturbation).
    ExpLabelNoise { delta: f64, noise: LabelNoise },
    /// The experiment's minibatch-noise variant.
    ExpMinibatch { delta: f64, bs: usize },
}

/// Result of one step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepStatus {
    /// The step was applied and every residual it used was finite.
    Ok,
    /// A residual was not finite: the chain has diverged (an observed event).
    Diverged,
}

/// Scratch buffers reused across steps.
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    res: Vec<f64>,
    h: Vec<F8>,
    e: Vec<F8>,
    idx: Vec<usize>,
    w: Vec<f64>,
}

/// `h = (1/n) Σ_i r_i x^(i)` as blocks (`n = res.len()`; lane by lane, `h ← fma(r_i, x^(i), h)`
/// over `i` in order from `+0.0`, then one multiplication by `1/n`), i.e. `M e(v)` when `r` are
/// the residuals.
pub fn me_blocks(p: &Problem, res: &[f64], h: &mut Vec<F8>) {
    kernels::accumulate_rows_with(Path::active(), res, p.data(), h, Some(1.0 / res.len() as f64));
}

/// Number of leading blocks of `v*⊙v*` that may be non-zero: `v*` vanishes off `S = {0, …, r−1}`.
#[inline(always)]
fn w_blocks(p: &Problem) -> usize {
    blocks_for(p.r())
}

/// All residuals into `sc.res` and `M e(v)` into `sc.h`; false (nothing else computed) when a
/// residual is not finite.
fn residuals_and_me(path: Path, p: &Problem, v: &PVec, sc: &mut Scratch) -> bool {
    kernels::residuals_and_me_with(
        path,
        v.blocks(),
        p.w_star().blocks(),
        w_blocks(p),
        p.data(),
        &mut sc.e,
        &mut sc.res,
        &mut sc.h,
    )
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

impl Dynamics {
    /// A short human-readable name.
    pub fn name(&self) -> String {
        match self {
            Dynamics::Alg1 { delta } => format!("Algorithm 1 (label noise ±{delta})"),
            Dynamics::Alg1FlippedGradient { delta } => format!("Algorithm 1 with flipped gradient sign (δ = {delta})"),
            Dynamics::SgdGauss { sigma } => format!("SGD + spherical Gaussian noise (σ = {sigma})"),
            Dynamics::Gd => "full-batch GD".into(),
            Dynamics::GdGauss { sigma } => format!("GD + spherical Gaussian noise (σ = {sigma})"),
            Dynamics::Langevin { lambda } => format!("Langevin dynamics (λ = {lambda})"),
            Dynamics::ExpLabelNoise { delta, noise } => format!("experiment label noise ({noise:?}, δ = {delta})"),
            Dynamics::ExpMinibatch { delta, bs } => format!("experiment minibatch noise (δ = {delta}, bs = {bs})"),
        }
    }

    /// One step at step size `eta` (kernels on [`Path::active`]).
    #[inline]
    pub fn step(&self, v: &mut PVec, p: &Problem, eta: f64, rng: &mut Stream, sc: &mut Scratch) -> StepStatus {
        self.step_with(Path::active(), v, p, eta, rng, sc)
    }

    /// [`Dynamics::step`] on an explicit kernel path (every path gives the same bits; panics if
    /// the CPU lacks the path).
    #[inline]
    pub fn step_with(
        &self,
        path: Path,
        v: &mut PVec,
        p: &Problem,
        eta: f64,
        rng: &mut Stream,
        sc: &mut Scratch,
    ) -> StepStatus {
        match *self {
            Dynamics::Alg1 { delta } => alg1_step(path, v, p, eta, delta, 1.0, rng),
            Dynamics::Alg1FlippedGradient { delta } => alg1_step(path, v, p, eta, delta, -1.0, rng),
            Dynamics::SgdGauss { sigma } => {
                let (i, _) = index_and_sign(rng.next_u64(), p.n());
                let r = p.residual(i, v);
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
            Dynamics::Gd | Dynamics::GdGauss { .. } | Dynamics::Langevin { .. } => {
                if !residuals_and_me(path, p, v, sc) {
                    return StepStatus::Diverged;
                }
                // v ⊙ factor(−η, (Me)_k), then the dynamics' spherical noise
                kernels::scale_by_factor_with(path, v.blocks_mut(), &sc.h, -eta);
                match *self {
                    Dynamics::GdGauss { sigma } => add_gaussian(v, -eta * sigma, rng),
                    Dynamics::Langevin { lambda } => add_gaussian(v, (2.0 * eta / lambda).sqrt(), rng),
                    _ => {}
                }
                StepStatus::Ok
            }
            Dynamics::ExpLabelNoise { delta, noise } => {
                if !residuals_and_me(path, p, v, sc) {
                    return StepStatus::Diverged;
                }
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
                if !kernels::residuals_with(path, v.blocks(), p.w_star().blocks(), p.data(), &mut sc.e, &mut sc.res) {
                    return StepStatus::Diverged;
                }
                // ∇L + δ(∇L_B1 − ∇L_B2) = v ⊙ (Σ_i c_i r_i x^(i)) with c_i = 1/n + δ(1[i∈B1] − 1[i∈B2])/bs.
                let n = p.n();
                let w = &mut sc.w;
                w.clear();
                w.resize(n, 1.0 / n as f64);
                let bsf = bs as f64;
                sample_without_replacement(rng, n, bs, &mut sc.idx);
                for &i in &sc.idx {
                    w[i] += delta / bsf;
                }
                sample_without_replacement(rng, n, bs, &mut sc.idx);
                for &i in &sc.idx {
                    w[i] -= delta / bsf;
                }
                // c_i = w_i r_i; h = Σ_i c_i x^(i) (over i in order, no scaling).
                for (wi, &r) in w.iter_mut().zip(&sc.res) {
                    *wi *= r;
                }
                kernels::accumulate_rows_with(path, &sc.w, p.data(), &mut sc.h, None);
                kernels::scale_by_factor_with(path, v.blocks_mut(), &sc.h, -eta);
                StepStatus::Ok
            }
        }
    }
}

/// One Algorithm-1 draw: the index `i` from the high 63 bits and the sign of `s = ±δ` from bit 0
/// of a single `u64` ([`index_and_sign`]). The chain drivers in `stopped` use the same function.
#[inline(always)]
pub fn alg1_draw(rng: &mut Stream, n: usize, delta: f64) -> (usize, f64) {
    let (i, plus) = index_and_sign(rng.next_u64(), n);
    (i, if plus { delta } else { -delta })
}

/// Algorithm 1's step; `grad_sign = −1` flips the gradient (negative control).
#[inline(always)]
fn alg1_step(
    path: Path,
    v: &mut PVec,
    p: &Problem,
    eta: f64,
    delta: f64,
    grad_sign: f64,
    rng: &mut Stream,
) -> StepStatus {
    let (i, s) = alg1_draw(rng, p.n(), delta);
    alg1_apply_with(path, v, p, eta, s, i, grad_sign)
}

/// Apply the Algorithm-1 update for the outcome `(i, s)`:
/// `v ← v ⊙ (1 + η (s − grad_sign·⟨e(v), x^(i)⟩) x^(i))`. Used by the chain and by the exact
/// enumeration, so both perform the same floating-point operations. Returns `Diverged` (and
/// leaves `v` unchanged) when the residual is not finite.
///
/// # Formula
/// `r = lanes::residual(v, v*⊙v*, x^(i))` (fixed order), `c = alg1_coef(η, s, r, grad_sign)`,
/// `v_k ← v_k · factor(c, x_k^(i))` — computed by [`kernels::alg1_update_with`].
#[inline(always)]
pub fn alg1_apply(v: &mut PVec, p: &Problem, eta: f64, s: f64, i: usize, grad_sign: f64) -> StepStatus {
    alg1_apply_with(Path::active(), v, p, eta, s, i, grad_sign)
}

/// [`alg1_apply`] on an explicit kernel path.
#[inline(always)]
pub fn alg1_apply_with(
    path: Path,
    v: &mut PVec,
    p: &Problem,
    eta: f64,
    s: f64,
    i: usize,
    grad_sign: f64,
) -> StepStatus {
    let ok = kernels::alg1_update_with(
        path,
        v.blocks_mut(),
        p.w_star().blocks(),
        w_blocks(p),
        p.data().row(i),
        eta,
        s,
        grad_sign,
    );
    if ok { StepStatus::Ok } else { StepStatus::Diverged }
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

/// One step of the multiplicative warm-up walk (5): `v' = v(1 + ηξ)`, `ξ ~ Unif{±1}`.
#[inline]
pub fn walk5_step(v: f64, eta: f64, rng: &mut Stream) -> f64 {
    let xi = if rng.next_u64() & 1 == 1 { 1.0 } else { -1.0 };
    v * factor(eta, xi)
}

/// One step of the Brownian warm-up walk (6): `v' = v + ηξ`, `ξ ~ N(0,1)`.
#[inline]
pub fn walk6_step(v: f64, eta: f64, rng: &mut Stream) -> f64 {
    eta.mul_add(standard_normal(rng), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::Data;
    use crate::engine::rng::stream;

    fn problem() -> Problem {
        Problem::new(Data::gaussian(6, 10, &mut stream(5, "dyn", "data", 0)).unwrap(), 2).unwrap()
    }

    /// SPEC §1.3 EXACT check (a): eq. (1) equals `v − η∇ℓ̃(v)` with `ℓ̃ = ¼(f − y − s)²`.
    #[test]
    fn alg1_is_a_gradient_step_on_the_noisy_loss() {
        let p = problem();
        let v0 = PVec::from_slice(&(0..10).map(|k| 0.5 + 0.1 * k as f64).collect::<Vec<_>>());
        let mut rng = stream(9, "dyn", "chain", 0);
        let mut probe = rng.clone();
        let (i, plus) = index_and_sign(probe.next_u64(), p.n());
        let (eta, delta) = (1e-3, 0.7);
        let s = if plus { delta } else { -delta };
        let mut v = v0.clone();
        Dynamics::Alg1 { delta }.step(&mut v, &p, eta, &mut rng, &mut Scratch::default());
        let r = p.residual(i, &v0);
        for k in 0..10 {
            let grad = (r - s) * p.data().x(i, k) * v0.as_slice()[k];
            let expect = v0.as_slice()[k] - eta * grad;
            assert!((v.as_slice()[k] - expect).abs() <= 1e-15 * expect.abs().max(1.0));
        }
    }

    #[test]
    fn gd_step_is_v_minus_eta_grad() {
        let p = problem();
        let v0 = PVec::constant(10, 0.8);
        let g = p.grad(&v0);
        let mut v = v0.clone();
        Dynamics::Gd.step(&mut v, &p, 1e-2, &mut stream(1, "a", "b", 0), &mut Scratch::default());
        for (k, gk) in g.iter().enumerate().take(10) {
            let expect = 0.8 - 1e-2 * gk;
            assert!((v.as_slice()[k] - expect).abs() < 1e-14);
        }
    }

    #[test]
    fn divergence_is_reported_not_panicked() {
        let p = problem();
        let mut v = PVec::constant(10, 1e200);
        let st =
            Dynamics::Alg1 { delta: 1.0 }.step(&mut v, &p, 1.0, &mut stream(1, "a", "b", 0), &mut Scratch::default());
        assert_eq!(st, StepStatus::Diverged);
    }

    #[test]
    fn minibatch_with_zero_delta_is_gd() {
        let p = problem();
        let mut a = PVec::constant(10, 0.9);
        let mut b = a.clone();
        let mut sc = Scratch::default();
        Dynamics::Gd.step(&mut a, &p, 1e-2, &mut stream(1, "a", "b", 0), &mut sc);
        Dynamics::ExpMinibatch { delta: 0.0, bs: 2 }.step(&mut b, &p, 1e-2, &mut stream(1, "a", "b", 0), &mut sc);
        for k in 0..10 {
            assert!((a.as_slice()[k] - b.as_slice()[k]).abs() < 1e-15);
        }
    }
}
