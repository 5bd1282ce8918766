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
#[derive(Clone, Debug)]
pub struct InstanceResult {
    pub decision: Decision,
    /// Certificate margin scaled by `1/d` (primal: `min μ − dev`; dual: `min Xᵀa`); −1 if none.
    pub cert_margin: f64,
    /// `|t* + s*|` when both LPs were solved.
    pub duality_gap: Option<f64>,
    /// Agreement with the closed form (`n = 1, 2`).
    pub closed_form: Option<bool>,
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
    let closed_form = match x.n {
        1 => Some(lp::meets_n1(&x.a) == (r.decision == Decision::Meets)),
        2 => {
            let cols: Vec<(f64, f64)> = (0..x.d).map(|k| (x.at(0, k), x.at(1, k))).collect();
            Some(lp::meets_n2(&cols) == (r.decision == Decision::Meets))
        }
        _ => None,
    };
    InstanceResult { decision: r.decision, cert_margin, duality_gap, closed_form, seconds }
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
