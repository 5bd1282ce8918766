//! Theorem 2.2's proof, (164)–(175): the construction `A = [a_1 … a_d]` from `X` and a positive
//! null vector `μ`, the box `S'` with the constant `c` of (169), and its exact checks on sampled
//! instances — orthonormality, `S' ⊂ S` (corrected `min_i min_j` and printed `min_i max_j`, the
//! erratum **E-F1b**), sampled points of `S'`, the bound (173) and the log-slope (175).

// NaN-safe comparisons (`!(x > 0.0)` is true for NaN) are deliberate, as in `claim.rs`.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use nalgebra::DMatrix;

use crate::claim::{Ctx, PerBudget};
use crate::claims::section_f::orthant_lp::gaussian_mat;
use crate::engine::lp::{self, Certificate, Mat};
use crate::engine::rng::{Stream, uniform01};
use crate::evidence::{Erratum, ExactCheck, Grade, Outcome, Provenance, Reading, Role};
use crate::numfmt::fmt;
use crate::tol;

/// Key of `A` orthonormal (164).
pub const ORTHONORMAL: &str = "2.2-A-orthonormal";
/// Key of `μ > 0` (164).
pub const MU_POSITIVE: &str = "2.2-mu-positive";
/// Key of `S' ⊂ S` with the corrected `c` (E-F1b repair).
pub const INCLUSION: &str = "2.2-inclusion";
/// Key of `S' ⊂ S` with the printed `c` (E-F1b witness).
pub const INCLUSION_PRINTED: &str = "2.2-inclusion-printed";
/// Key of the sampled points of `S'` (171)–(172).
pub const SAMPLED_POINTS: &str = "2.2-sampled-points";
/// Key of the integrand bound (173).
pub const BOUND_173: &str = "2.2-bound-173";
/// Key of the integrand's log-slope (175).
pub const LOG_SLOPE: &str = "2.2-log-slope";
/// Key of the extreme point of `S'` with the printed `c` (E-F1b witness).
pub const WITNESS_POINT: &str = "2.2-witness-point";

/// Instances (meeting draws) per `(d, n)` of the construction's checks.
const INSTANCES: PerBudget<u64> = PerBudget::new(2, 4, 10);

/// `A`, `μ`, and the two constants of (169).
#[derive(Clone, Debug)]
pub struct Construction {
    /// `d × d`, columns `a_1 … a_d` (0-based: columns `0..n` span `row(X)`, column `n` is `μ`).
    pub a: DMatrix<f64>,
    pub n: usize,
    pub d: usize,
    /// `c` with `min_i min_j` (the corrected (169)).
    pub c_minmin: f64,
    /// `c` with `min_i max_j` (as printed).
    pub c_minmax: f64,
}

impl Construction {
    /// Build `A` from `X` and a positive null vector `μ` (projected onto `null(X)`, normalized).
    pub fn new(x: &Mat, mu: &[f64]) -> Construction {
        let (n, d) = (x.n, x.d);
        let basis = x.row_basis();
        let mut cols: Vec<Vec<f64>> = basis.v.clone();
        // μ ← μ − Σ_j ⟨μ, v_j⟩ v_j (exact projection onto null(X) up to rounding), twice.
        let mut m = mu.to_vec();
        for _ in 0..2 {
            for v in &basis.v {
                let c: f64 = m.iter().zip(v).map(|(a, b)| a * b).sum();
                m.iter_mut().zip(v).for_each(|(a, b)| *a -= c * b);
            }
        }
        let nm = m.iter().map(|a| a * a).sum::<f64>().sqrt();
        m.iter_mut().for_each(|a| *a /= nm);
        cols.push(m);
        // Complete with e_k by Gram–Schmidt (twice), keeping well-conditioned directions.
        for k in 0..d {
            if cols.len() == d {
                break;
            }
            let mut e = vec![0.0; d];
            e[k] = 1.0;
            for _ in 0..2 {
                for c in &cols {
                    let p: f64 = e.iter().zip(c).map(|(a, b)| a * b).sum();
                    e.iter_mut().zip(c).for_each(|(a, b)| *a -= p * b);
                }
            }
            let ne = e.iter().map(|a| a * a).sum::<f64>().sqrt();
            if ne > 0.1 {
                e.iter_mut().for_each(|a| *a /= ne);
                cols.push(e);
            }
        }
        let a = DMatrix::from_fn(d, d, |i, j| cols[j][i]);
        let (mut c_minmin, mut c_minmax) = (f64::INFINITY, f64::INFINITY);
        let m_free = (d - n - 1) as f64;
        for i in 0..d {
            let (mut mn, mut mx) = (f64::INFINITY, 0.0f64);
            for j in n + 1..d {
                let aij = a[(i, j)].abs();
                if aij > 0.0 {
                    mn = mn.min(a[(i, n)] / (m_free * aij));
                    mx = mx.max(a[(i, n)] / (m_free * aij));
                }
            }
            c_minmin = c_minmin.min(mn);
            c_minmax = c_minmax.min(mx);
        }
        if n + 1 >= d {
            // No free coordinates j ∈ [n+2 : d]: S' is the ray z ≥ 0 and c plays no role.
            (c_minmin, c_minmax) = (0.0, 0.0);
        }
        Construction { a, n, d, c_minmin, c_minmax }
    }

    /// `(169)–(172)` margin of row `i` for the constant `c`: `a_{i,n+1} − c Σ_{j≥n+2} |a_ij|`.
    pub fn row_margin(&self, i: usize, c: f64) -> f64 {
        let s: f64 = (self.n + 1..self.d).map(|j| self.a[(i, j)].abs()).sum();
        self.a[(i, self.n)] - c * s
    }

    /// `u = A ũ`.
    pub fn apply(&self, ut: &[f64]) -> Vec<f64> {
        (0..self.d).map(|i| (0..self.d).map(|j| self.a[(i, j)] * ut[j]).sum()).collect()
    }

    /// `ũ = Aᵀ u`.
    pub fn apply_t(&self, u: &[f64]) -> Vec<f64> {
        (0..self.d).map(|j| (0..self.d).map(|i| self.a[(i, j)] * u[i]).sum()).collect()
    }

    /// `d/dlog z` of `log I(z)`, `I(z) = (2cz)^{d−n−1} Π_i (ū_i + 2a_{i,n+1}z)^{−1/2}` (175).
    pub fn log_slope(&self, u_bar: &[f64], z: f64) -> f64 {
        let s: f64 = (0..self.d).map(|i| self.a[(i, self.n)] * z / (u_bar[i] + 2.0 * self.a[(i, self.n)] * z)).sum();
        (self.d - self.n - 1) as f64 - s
    }

    /// `log I(z)`.
    pub fn log_integrand(&self, u_bar: &[f64], z: f64) -> f64 {
        let s: f64 = (0..self.d).map(|i| (u_bar[i] + 2.0 * self.a[(i, self.n)] * z).ln()).sum();
        let m = self.d - self.n - 1;
        let box_term = if m == 0 { 0.0 } else { m as f64 * (2.0 * self.c_minmin * z).ln() };
        box_term - 0.5 * s
    }
}

/// The construction's exact checks, accumulated over instances, and the E-F1b witness rows.
struct ConstructionChecks {
    ortho: ExactCheck,
    mu_pos: ExactCheck,
    incl: ExactCheck,
    incl_printed: ExactCheck,
    points: ExactCheck,
    bound173: ExactCheck,
    slope: ExactCheck,
    witness_pt: ExactCheck,
    /// Controls of the counted checks (same loop, same instances, a deliberately wrong variant).
    ortho_ctl: ExactCheck,
    mu_pos_ctl: ExactCheck,
    incl_ctl: ExactCheck,
    points_ctl: ExactCheck,
    bound173_ctl: ExactCheck,
    slope_ctl: ExactCheck,
    witness_rows: Vec<String>,
}

impl ConstructionChecks {
    fn new() -> ConstructionChecks {
        let ortho = ExactCheck::new(
            "(164) A orthonormal",
            "1e−12·d − max|AᵀA − I| ≥ 0 and 1e−12·d − ‖X a_j‖/‖X‖_F ≥ 0 for j ≥ n+1",
            Role::Primary,
        )
        .keyed(ORTHONORMAL)
        .threshold(Provenance::Derived);
        let mu_pos = ExactCheck::new(
            "(164) μ > 0",
            "min_i μ_i > 0 for the LP's μ projected onto null(X), ‖μ‖ = 1",
            Role::Primary,
        )
        .keyed(MU_POSITIVE)
        .threshold(Provenance::Paper);
        let incl = ExactCheck::new(
            "(169)–(172) S' ⊂ S, c = min_i min_j",
            "a_(i,n+1) − c Σ_(j≥n+2) |a_ij| ≥ 0 ∀i (⇒ u_i ∈ [ū_i, ū_i + 2a_(i,n+1)z] on S'); scaled by a_(i,n+1)",
            Role::Repair { erratum: "E-F1b".into() },
        )
        .keyed(INCLUSION)
        .threshold(Provenance::Derived);
        let points = ExactCheck::new(
            "(171)–(172) sampled points of S'",
            "u = Aũ satisfies ū_i ≤ u_i ≤ ū_i + 2a_(i,n+1)z at random and extreme points of S' (c = min/min), z ∈ \
                {1e−3 … 1e6}; scaled by z·a_(i,n+1), rounding allowance 64u·Σ|a_ij ũ_j|",
            Role::Repair { erratum: "E-F1b".into() },
        )
        .keyed(SAMPLED_POINTS)
        .threshold(Provenance::Derived);
        let bound173 = ExactCheck::new(
            "(173) integrand bound",
            "Σ_i ln((ū_i + 2a_(i,n+1)z)/u_i) ≥ 0 at the same points (Π u_i^{−1/2} ≥ Π (ū_i + 2a_(i,n+1)z)^{−1/2})",
            Role::Primary,
        )
        .keyed(BOUND_173)
        .threshold(Provenance::Paper);
        let slope = ExactCheck::new(
            "(175) integrand log-slope",
            "|d log I/d log z − (d/2 − n − 1)| ≤ 1e−6 at z = 1e12 (analytic and finite differences), and d/2 − n − \
                1 ≥ −1 (I not integrable)",
            Role::Primary,
        )
        .keyed(LOG_SLOPE)
        .threshold(Provenance::Derived);
        ConstructionChecks {
            ortho_ctl: ExactCheck::control_for(
                &ortho,
                "a_(n+1) = 1/√d (a positive unit vector outside null(X)) instead of the projected μ",
            ),
            mu_pos_ctl: ExactCheck::control_for(
                &mu_pos,
                "a generic null vector (e_1 projected onto null(X)) instead of the LP's positive μ",
            ),
            incl_ctl: ExactCheck::control_for(&incl, "(169) without its factor 1/(d − n − 1)"),
            points_ctl: ExactCheck::control_for(
                &points,
                "extreme points of S' with c from (169) without 1/(d − n − 1)",
            ),
            bound173_ctl: ExactCheck::control_for(
                &bound173,
                "points outside S': z = −min_i ū_i/(4 max_i a_(i,n+1)) < 0, ũ_j = ū_j (excluded by (170))",
            ),
            slope_ctl: ExactCheck::control_for(
                &slope,
                "target exponent without the Jacobian Π u_i^(−1/2): d − n − 1 instead of d/2 − n − 1",
            ),
            ortho,
            mu_pos,
            incl,
            points,
            bound173,
            slope,
            incl_printed: ExactCheck::new(
                "(169)–(172) S' ⊂ S, c = min_i max_j (printed)",
                "a_(i,n+1) − c Σ_(j≥n+2) |a_ij| ≥ 0 ∀i with c as printed; scaled by a_(i,n+1)",
                Role::Witness { erratum: "E-F1b".into() },
            )
            .keyed(INCLUSION_PRINTED)
            .threshold(Provenance::Paper),
            witness_pt: ExactCheck::new(
                "(170) printed c: extreme point of S'",
                "(Aũ)_i > 0 at the point of S' (printed c) with ũ_j = ū_j − c z sign(a_ij), z = 2ū_i/|margin_i|, \
                    for the most violated row; scaled by ū_i",
                Role::Witness { erratum: "E-F1b".into() },
            )
            .keyed(WITNESS_POINT)
            .threshold(Provenance::Paper),
            witness_rows: Vec::new(),
        }
    }

    /// The checks on one instance `(X, μ)`.
    fn record(&mut self, label: &str, x: &Mat, mu: &[f64], rng: &mut Stream) {
        let cs = Construction::new(x, mu);
        let (n, d) = (cs.n, cs.d);
        // A orthonormal; columns ≥ n in null(X).
        let mut worst_o: f64 = 0.0;
        for i in 0..d {
            for j in 0..d {
                let dot: f64 = (0..d).map(|k| cs.a[(k, i)] * cs.a[(k, j)]).sum();
                worst_o = worst_o.max((dot - if i == j { 1.0 } else { 0.0 }).abs());
            }
        }
        let tol_o = tol::F_ORTHONORMAL_PER_D * d as f64;
        self.ortho.record_scaled(tol_o - worst_o, tol_o, || format!("{label}: max |AᵀA − I| = {}", fmt(worst_o)));
        let xf = x.frobenius();
        let mut worst_x: f64 = 0.0;
        for j in n..d {
            let col: Vec<f64> = (0..d).map(|i| cs.a[(i, j)]).collect();
            let r = x.mul(&col).iter().map(|v| v * v).sum::<f64>().sqrt();
            worst_x = worst_x.max(r / xf);
        }
        self.ortho.record_scaled(tol_o - worst_x, tol_o, || {
            format!(
                "{label}: max_j≥n+1 ‖X a_j‖/‖X‖_F = \
                {}",
                fmt(worst_x)
            )
        });
        // Control: a positive unit vector that is not in null(X).
        let flat: Vec<f64> = vec![1.0 / (d as f64).sqrt(); d];
        let r_flat = x.mul(&flat).iter().map(|v| v * v).sum::<f64>().sqrt() / xf;
        self.ortho_ctl.record_scaled(tol_o - r_flat, tol_o, || format!("{label}: ‖X 1/√d‖/‖X‖_F = {}", fmt(r_flat)));
        let min_mu = (0..d).map(|i| cs.a[(i, n)]).fold(f64::INFINITY, f64::min);
        self.mu_pos.record(min_mu, || format!("{label}: min_i a_(i,n+1) = {}", fmt(min_mu)));
        // Control: e_1 projected onto null(X) (a null vector, not the LP's positive one).
        let basis = x.row_basis();
        let mut e1 = vec![0.0; d];
        e1[0] = 1.0;
        for _ in 0..2 {
            for v in &basis.v {
                let c: f64 = e1.iter().zip(v).map(|(a, b)| a * b).sum();
                e1.iter_mut().zip(v).for_each(|(a, b)| *a -= c * b);
            }
        }
        let ne = e1.iter().map(|a| a * a).sum::<f64>().sqrt();
        let min_e = e1.iter().map(|a| a / ne).fold(f64::INFINITY, f64::min);
        self.mu_pos_ctl.record(min_e, || format!("{label}: min_i of e_1 projected onto null(X) = {}", fmt(min_e)));

        // (169)–(172) margins, corrected (min/min) and printed (min/max).
        let mut worst_i = 0usize;
        let mut worst_m = f64::INFINITY;
        let c_wrong = cs.c_minmin * (d - n - 1) as f64;
        for i in 0..d {
            let m = cs.row_margin(i, cs.c_minmin);
            self.incl.record_scaled(m, cs.a[(i, n)], || format!("{label}: row i = {i}"));
            let mw = cs.row_margin(i, c_wrong);
            self.incl_ctl.record_scaled(mw, cs.a[(i, n)], || format!("{label}: row i = {i}, c·(d − n − 1)"));
            let mp = cs.row_margin(i, cs.c_minmax);
            self.incl_printed.record_scaled(mp, cs.a[(i, n)], || {
                format!("{label}: row i = {i}, c(min/max) = {} vs c(min/min) = {}", fmt(cs.c_minmax), fmt(cs.c_minmin))
            });
            if mp < worst_m {
                worst_m = mp;
                worst_i = i;
            }
        }

        // ū > 0, ũ = Aᵀū, sampled points of S' (c = min/min) including the extreme ones per row.
        let u_bar: Vec<f64> = (0..d).map(|_| 0.5 + uniform01(rng)).collect();
        let ut = cs.apply_t(&u_bar);
        let c = cs.c_minmin;
        for &z in &[1e-3, 1e-1, 10.0, 1e3, 1e6] {
            let mut pts: Vec<Vec<f64>> = Vec::new();
            for _ in 0..8 {
                let mut p = ut.clone();
                p[n] += z;
                for pj in p.iter_mut().skip(n + 1) {
                    *pj += c * z * (2.0 * uniform01(rng) - 1.0);
                }
                pts.push(p);
            }
            for i in 0..d.min(24) {
                let mut p = ut.clone();
                p[n] += z;
                for (j, pj) in p.iter_mut().enumerate().skip(n + 1) {
                    *pj -= c * z * cs.a[(i, j)].signum();
                }
                pts.push(p);
            }
            // Control: the extreme points of the box S' built with the wrong constant.
            for i in 0..d.min(24) {
                let mut p = ut.clone();
                p[n] += z;
                for (j, pj) in p.iter_mut().enumerate().skip(n + 1) {
                    *pj -= c_wrong * z * cs.a[(i, j)].signum();
                }
                let u = cs.apply(&p);
                let mag: f64 = (0..d).map(|j| (cs.a[(i, j)] * p[j]).abs()).sum();
                let tol = tol::F_CONSTRUCTION_ROUND * mag;
                self.points_ctl.record_scaled(u[i] - u_bar[i] + tol, z * cs.a[(i, n)], || {
                    format!("{label}: z = {z}, lower bound u_i ≥ ū_i at i = {i}, c·(d − n − 1)")
                });
            }
            for p in &pts {
                let u = cs.apply(p);
                let mut ln_gap = 0.0;
                for i in 0..d {
                    let mag: f64 = (0..d).map(|j| (cs.a[(i, j)] * p[j]).abs()).sum();
                    let tol = tol::F_CONSTRUCTION_ROUND * mag;
                    let scale = z * cs.a[(i, n)];
                    self.points.record_scaled(u[i] - u_bar[i] + tol, scale, || {
                        format!("{label}: z = {z}, lower bound u_i ≥ ū_i at i = {i}")
                    });
                    self.points.record_scaled(u_bar[i] + 2.0 * scale - u[i] + tol, scale, || {
                        format!("{label}: z = {z}, upper bound u_i ≤ ū_i + 2a_(i,n+1)z at i = {i}")
                    });
                    ln_gap += (u_bar[i] + 2.0 * scale).ln() - u[i].ln();
                }
                self.bound173.record_scaled(ln_gap + tol::F_LOG_SUM_PER_D * d as f64, 1.0, || {
                    format!("{label}: z = {z}: Σ_i ln((ū_i + 2a_(i,n+1)z)/u_i) = {}", fmt(ln_gap))
                });
            }
        }
        // Control of (173): a point outside S' (z < 0, ũ_j = ū_j): u = ū + z a_(n+1).
        let a_max = (0..d).map(|i| cs.a[(i, n)]).fold(0.0f64, f64::max);
        let u_min = u_bar.iter().copied().fold(f64::INFINITY, f64::min);
        let z_neg = -u_min / (4.0 * a_max);
        let mut p = ut.clone();
        p[n] += z_neg;
        let u = cs.apply(&p);
        let ln_gap: f64 = (0..d).map(|i| (u_bar[i] + 2.0 * z_neg * cs.a[(i, n)]).ln() - u[i].ln()).sum();
        self.bound173_ctl.record_scaled(ln_gap + tol::F_LOG_SUM_PER_D * d as f64, 1.0, || {
            format!("{label}: z = {} < 0: Σ_i ln((ū_i + 2a_(i,n+1)z)/u_i) = {}", fmt(z_neg), fmt(ln_gap))
        });
        // (175): the integrand's log-slope → d/2 − n − 1; finite differences agree with it.
        let target = d as f64 / 2.0 - n as f64 - 1.0;
        let s12 = cs.log_slope(&u_bar, 1e12);
        self.slope.record_scaled(tol::F_LOG_SLOPE - (s12 - target).abs(), tol::F_LOG_SLOPE, || {
            format!("{label}: slope(1e12) = {s12}, target {target}")
        });
        let wrong = (d - n - 1) as f64;
        self.slope_ctl.record_scaled(tol::F_LOG_SLOPE - (s12 - wrong).abs(), tol::F_LOG_SLOPE, || {
            format!("{label}: slope(1e12) = {s12}, wrong target {wrong}")
        });
        let fd = (cs.log_integrand(&u_bar, 1e12) - cs.log_integrand(&u_bar, 1e11)) / std::f64::consts::LN_10;
        self.slope.record_scaled(
            tol::F_LOG_SLOPE - (fd - target).abs().min((fd - s12).abs()),
            tol::F_LOG_SLOPE,
            || format!("{label}: finite-difference slope on [1e11, 1e12] = {fd}"),
        );
        if 2 * n <= d {
            self.slope.record(target + 1.0, || {
                format!("{label}: exponent d/2 − n − 1 = {target} ≥ −1 (not integrable at ∞)")
            });
        }

        // E-F1b witness point: the extreme point of S' (printed c) for the worst row.
        if worst_m < 0.0 {
            let cp = cs.c_minmax;
            let zs = 2.0 * u_bar[worst_i] / (-worst_m);
            let mut p = ut.clone();
            p[n] += zs;
            for (j, pj) in p.iter_mut().enumerate().skip(n + 1) {
                *pj -= cp * zs * cs.a[(worst_i, j)].signum();
            }
            let u = cs.apply(&p);
            self.witness_pt.record_scaled(u[worst_i], u_bar[worst_i], || {
                format!(
                    "{label}: c(min/max) = {} (c(min/min) = {}), z = {}: (Aũ)_{worst_i} = {} < 0",
                    fmt(cp),
                    fmt(cs.c_minmin),
                    fmt(zs),
                    fmt(u[worst_i])
                )
            });
            self.witness_rows.push(format!(
                "{label}: c as printed (min_i max_j) = {}, corrected (min_i min_j) = {}; at row i = {worst_i}, z = {}, \
                    the point of S' with ũ_j = ū_j − c z sign(a_ij) has (Aũ)_i = {} < 0",
                fmt(cp),
                fmt(cs.c_minmin),
                fmt(zs),
                fmt(u[worst_i])
            ));
        } else {
            self.witness_pt.record(0.0, || format!("{label}: no violated row (d − n − 1 = {})", d - n - 1));
        }
    }
}

/// The construction on meeting draws at each `(d, n)`, and the erratum E-F1b.
pub(super) fn construction_section(ctx: &Ctx, out: &mut Outcome, point: Option<(usize, usize)>) {
    let pts: Vec<(usize, usize)> = match point {
        Some((d, n)) => vec![(d, n)],
        None => vec![(8, 2), (12, 4), (20, 6), (40, 13), (100, 33)],
    };
    let per = INSTANCES.at(ctx.budget);
    let mut checks = ConstructionChecks::new();
    let mut built = 0;
    for &(d, n) in &pts {
        let mut found = 0;
        for j in 0..(50 * per) {
            if found >= per {
                break;
            }
            let x = gaussian_mat(n, d, 0.0, &mut ctx.stream("2.2", &format!("c-{d}-{n}"), j));
            let res = lp::decide(&x);
            let Some(Certificate::Primal { mu, .. }) = &res.certificate else { continue };
            found += 1;
            let mut rng = ctx.stream("2.2", &format!("c-pts-{d}-{n}"), j);
            checks.record(&format!("(d, n) = ({d}, {n}), draw {j}"), &x, mu, &mut rng);
        }
        built += found;
    }
    if built == 0 {
        out.note(
            "No drawn X met the orthant at the requested (d, n): the construction (164)–(175) has nothing to build \
                (Z < ∞ for those draws).",
        );
        return;
    }
    if let Some(&(d, n)) = pts.iter().find(|p| 2 * p.1 > p.0) {
        out.note(format!(
            "(d, n) = ({d}, {n}) has n > d/2: the integrand of (173) decays like z^(d/2−n−1) = z^({}), which is \
                integrable — the proof's last step (175) needs n ≤ d/2, and Z_R is bounded there even when the \
                null space meets the orthant (see the Z_R exponent).",
            fmt(d as f64 / 2.0 - n as f64 - 1.0)
        ));
    }
    let ConstructionChecks {
        ortho,
        mu_pos,
        incl,
        incl_printed,
        points,
        bound173,
        slope,
        witness_pt,
        ortho_ctl,
        mu_pos_ctl,
        incl_ctl,
        points_ctl,
        bound173_ctl,
        slope_ctl,
        witness_rows,
    } = checks;
    let (violations, states) = (incl_printed.violations, incl_printed.states);
    out.exact.extend([
        ortho,
        ortho_ctl,
        mu_pos,
        mu_pos_ctl,
        incl,
        incl_ctl,
        incl_printed,
        points,
        points_ctl,
        bound173,
        bound173_ctl,
        slope,
        slope_ctl,
        witness_pt,
    ]);
    let example = witness_rows.first().cloned().unwrap_or_default();
    out.errata.push(Erratum {
        id: "E-F1b".into(),
        location: "Theorem 2.2 proof, (169)–(172)".into(),
        printed: "c = min_{i≤[1:d]} max_{j∈[n+2:d]} a_(i,n+1)/((d−n−1)|a_ij|)".into(),
        finding: format!(
            "With max over j the inclusion S' ⊂ S fails: {} of {} rows violate a_(i,n+1) ≥ c Σ_j |a_ij|, and e.g. \
                {example}. With min over both i and j every row satisfies it ({} rows) and every sampled point of S' \
                satisfies ū_i ≤ u_i ≤ ū_i + 2a_(i,n+1)z, which is all (171)–(175) need. The OCR of (169) reads \
                'mm … max'; the reading of the first operator as min is RECONSTRUCTED[h], the 'max' over j on \
                which the finding rests is legible. Graded P: a proof step fails (S' ⊄ S with the printed c); the \
                theorem does not depend on it (the corrected c gives the same divergence).",
            violations, states, states
        ),
        reading: Reading::ReconstructedHigh,
        witnesses: out.witness_ids(&[INCLUSION_PRINTED, WITNESS_POINT]),
        witnessed: false,
        grade: Grade::P,
        instance: if example.is_empty() {
            "no violated row on the sampled instances".into()
        } else {
            format!("Gaussian X ∈ R^(n×d) meeting the orthant, A from the LP's μ (164), ū ∈ [0.5, 1.5]^d: {example}")
        },
    });
}
