//! Random data matrices and the LP decision "null(X) meets the open positive orthant", with the
//! evidence of each decision (certificate margin, LP duality, the closed forms for `n = 1, 2`);
//! shared by Lemma F.1 and Theorem 2.2.

use std::time::Instant;

use crate::engine::lp::{self, Certificate, Decision, Mat, OrthantResult};
use crate::engine::rng::{Stream, standard_normal, stream};

/// An `n × d` matrix of i.i.d. `N(shift, 1)` entries, drawn row by row.
pub fn gaussian_mat(n: usize, d: usize, shift: f64, rng: &mut Stream) -> Mat {
    let mut a = Vec::with_capacity(n * d);
    for _ in 0..n * d {
        a.push(shift + standard_normal(rng));
    }
    Mat { n, d, a }
}

/// What one LP instance produced.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, Default)]
pub struct InstanceResult {
    pub decision: Decision,
    /// Certificate margin scaled by `1/d` (primal: `min μ − dev`; dual: `min Xᵀa`); −1 if none.
    pub cert_margin: f64,
    /// `|t* + s*|` when both LPs were solved.
    pub duality_gap: Option<f64>,
    /// Agreement with the closed form (`n = 1, 2`).
    pub closed_form: Option<bool>,
    /// Control of [`cert_margin`](InstanceResult::cert_margin): the same margin (scaled by `d`)
    /// of the certificate with its sign flipped (`−μ` for a primal certificate, `−a` for a dual
    /// one), which the verification must reject; −1 if there is no certificate.
    pub cert_margin_flipped: f64,
    /// Control of [`duality_gap`](InstanceResult::duality_gap): `|t* − s*|`, the duality relation
    /// with the wrong sign (`t* = s*` instead of `t* = −s*`).
    pub duality_wrong_sign: Option<f64>,
    /// Control of [`closed_form`](InstanceResult::closed_form): agreement with a wrong closed form
    /// (`n = 1`: "some entry is positive" instead of "both signs present"; `n = 2`: the `n = 1`
    /// rule applied to the first row only, i.e. the second data row dropped).
    pub closed_form_wrong: Option<bool>,
    /// Decided by the LP (false: by [`decide_fast`]'s cheap certificate).
    pub by_lp: bool,
    pub seconds: f64,
}

/// Decide one matrix and collect the evidence.
pub fn decide_instance(x: &Mat) -> InstanceResult {
    let t0 = Instant::now();
    let r = lp::decide(x);
    let seconds = t0.elapsed().as_secs_f64();
    let d = x.d as f64;
    let cert_margin = match &r.certificate {
        Some(Certificate::Primal { margin, .. }) => margin * d,
        Some(Certificate::Dual { min_y, .. }) => min_y * d,
        None => -1.0,
    };
    let duality_gap = match (r.t_star, r.s_star) {
        (Some(t), Some(s)) => Some((t + s).abs()),
        _ => None,
    };
    let cert_margin_flipped = match &r.certificate {
        Some(Certificate::Primal { mu, min_mu, margin, .. }) => {
            // The same verification of −μ: min(−μ) − dev, with dev = min μ − margin unchanged.
            let max_mu = mu.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            (-max_mu - (min_mu - margin)) * d
        }
        Some(Certificate::Dual { a, .. }) => {
            let neg: Vec<f64> = a.iter().map(|v| -v).collect();
            lp::dual_check(x, &neg).2 * d
        }
        None => -1.0,
    };
    let duality_wrong_sign = match (r.t_star, r.s_star) {
        (Some(t), Some(s)) => Some((t - s).abs()),
        _ => None,
    };
    let meets = r.decision == Decision::Meets;
    let (closed_form, closed_form_wrong) = match x.n {
        1 => (Some(lp::meets_n1(&x.a) == meets), Some(x.a.iter().any(|&v| v > 0.0) == meets)),
        2 => {
            let cols: Vec<(f64, f64)> = (0..x.d).map(|k| (x.at(0, k), x.at(1, k))).collect();
            (Some(lp::meets_n2(&cols) == meets), Some(lp::meets_n1(&x.a[..x.d]) == meets))
        }
        _ => (None, None),
    };
    InstanceResult {
        decision: r.decision,
        cert_margin,
        duality_gap,
        closed_form,
        cert_margin_flipped,
        duality_wrong_sign,
        closed_form_wrong,
        by_lp: true,
        seconds,
    }
}

/// Decide one matrix, trying first the cheap primal certificate `μ ∝ 1 − Xᵀ(XXᵀ)⁻¹X1` (the
/// projection of the all-ones vector onto `null(X)`), verified exactly as the LP's primal
/// certificate ([`lp::primal_margin`] with `σ⁺ = σ_min(X)`); when it does not verify (or `X` is
/// rank deficient), the full LP decision [`decide_instance`]. Meant for `n ≪ d/2`, where the
/// projection is almost always positive; a miss is still decided (and certified) by the LP.
pub fn decide_fast(x: &Mat) -> InstanceResult {
    let t0 = Instant::now();
    let (n, d) = (x.n, x.d);
    if n < d {
        let xm = x.to_dmatrix();
        let g = &xm * xm.transpose();
        let ones = nalgebra::DVector::from_element(d, 1.0);
        let b = &xm * &ones;
        if let Some(ch) = g.clone().cholesky() {
            let w = ch.solve(&b);
            let p = xm.transpose() * w;
            let mut mu: Vec<f64> = (0..d).map(|k| 1.0 - p[k]).collect();
            let s: f64 = mu.iter().sum();
            let lam_min = g.symmetric_eigenvalues().iter().copied().fold(f64::INFINITY, f64::min);
            if s > 0.0 && lam_min > 0.0 {
                mu.iter_mut().for_each(|v| *v /= s);
                let sigma_plus = lam_min.sqrt();
                let (margin, _, _) = lp::primal_margin(x, &mu, sigma_plus);
                if margin > 0.0 {
                    let max_mu = mu.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let min_mu = mu.iter().copied().fold(f64::INFINITY, f64::min);
                    return InstanceResult {
                        decision: Decision::Meets,
                        cert_margin: margin * d as f64,
                        duality_gap: None,
                        closed_form: None,
                        cert_margin_flipped: (-max_mu - (min_mu - margin)) * d as f64,
                        duality_wrong_sign: None,
                        closed_form_wrong: None,
                        by_lp: false,
                        seconds: t0.elapsed().as_secs_f64(),
                    };
                }
            }
        }
    }
    decide_instance(x)
}

/// A data matrix with its LP answer.
#[derive(Clone, Debug)]
pub struct Instance {
    pub x: Mat,
    pub res: OrthantResult,
    /// Index of the draw (stream index).
    pub draw: u64,
}

/// Draw Gaussian matrices from the streams `(seed, "2.2", purpose, j)`, `j < max_tries`, keep the
/// first `pool` whose LP decision is `want`, and return the one deepest inside its case: largest
/// LP `t*` when meeting, most negative `t*` (largest dual margin `s* = −t*`) when missing
/// (`pool = 1`: the first match).
pub fn find_instance(
    seed: u64,
    purpose: &str,
    n: usize,
    d: usize,
    max_tries: u64,
    want: Decision,
    pool: usize,
) -> Option<Instance> {
    let depth = |r: &OrthantResult| {
        let t = r.t_star.unwrap_or(f64::NEG_INFINITY);
        if want == Decision::Meets { t } else { -t }
    };
    let mut best: Option<Instance> = None;
    let mut found = 0;
    for j in 0..max_tries {
        if found >= pool {
            break;
        }
        let x = gaussian_mat(n, d, 0.0, &mut stream(seed, "2.2", purpose, j));
        let res = lp::decide(&x);
        if res.decision != want {
            continue;
        }
        found += 1;
        if best.as_ref().is_none_or(|b| depth(&res) > depth(&b.res)) {
            best = Some(Instance { x, res, draw: j });
        }
    }
    best
}
