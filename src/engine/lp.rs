//! Does the null space of `X` meet the open positive orthant? A linear program in normalized
//! form, solved with microlp, and every answer verified by a certificate (SPEC §8.2(d)).
//!
//! # Formula
//! *Primal (normalized form).* Maximize `t` subject to `Xμ = 0`, `μ = t·1 + w`, `w ≥ 0`,
//! `Σ_k μ_k = 1` (variables `t` free, `w ∈ R^d_+`). Since `d·t ≤ Σμ = 1`, the optimum `t*` is
//! finite, and `t* > 0` ⇔ `∃ μ > 0, Xμ = 0`. (The "always-feasible" form with `Σμ ≤ 1`, `t ≥ 0`
//! is feasible at `μ = 0, t = 0` and cannot tell "misses" from "meets only at the boundary";
//! it is kept here only as the negative control [`always_feasible_naive`].)
//!
//! *Dual.* With multipliers `a ∈ R^n` for `Xμ = 0` and `b` for `Σμ = 1` the LP dual is
//! `min b` s.t. `(X1)ᵀa + d b = 1`, `Xᵀa + b·1 ≥ 0`; equivalently (with `s = −b`) maximize `s`
//! subject to `Xᵀa ≥ s·1`, `1ᵀXᵀa = 1`, and `s* = −t*`. We solve it as a second LP when the
//! primal does not certify "meets".
//!
//! *Certificates* (Stiemke's alternative: `∃ μ > 0, Xμ = 0` ⇔ `∄ a: Xᵀa ≥ 0, Xᵀa ≠ 0`):
//! * primal: `μ` with `min_k μ_k > (‖Xμ‖₂ + ε_round)/σ⁺_min(X)`, where `σ⁺_min` is the smallest
//!   nonzero singular value; then the orthogonal projection of `μ` onto `null(X)` differs from
//!   `μ` by less than `min_k μ_k` in every coordinate and is itself positive;
//! * dual: `a` with `y = Xᵀa` satisfying `y_k ≥ err_k` for all `k` (strict, Gordan) where
//!   `err_k = n·u·Σ_i |x_ik a_i|` bounds the rounding of `y_k`; or (boundary case) every computed
//!   `y_k ≥ 0` exactly and some `y_k > err_k` (Stiemke).
//!
//! An instance where neither certificate verifies is *undecidable* and counted separately.
//! `d ≤ n`, zero or rank-deficient `X` give a normal result, never a solver error or panic.

// NaN-safe comparisons (`!(x > 0.0)` is true for NaN) are deliberate, as in `claim.rs`.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use nalgebra::DMatrix;

use crate::error::{Error, Result};

/// Unit roundoff of `f64`.
pub const UNIT_ROUNDOFF: f64 = f64::EPSILON / 2.0;
pub use crate::tol::RANK_REL_TOL;

/// A dense `n × d` matrix, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Mat {
    pub n: usize,
    pub d: usize,
    pub a: Vec<f64>,
}

impl Mat {
    /// Build from rows (validated: `n, d ≥ 1`, equal lengths, finite entries).
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Mat> {
        let n = rows.len();
        if n == 0 {
            return Err(Error::InvalidParam {
                name: "n".into(),
                value: "0".into(),
                valid: "must be an integer >= 1".into(),
            });
        }
        let d = rows[0].len();
        if d == 0 {
            return Err(Error::InvalidParam {
                name: "d".into(),
                value: "0".into(),
                valid: "must be an integer >= 1".into(),
            });
        }
        let mut a = Vec::with_capacity(n * d);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != d {
                return Err(Error::InvalidParam {
                    name: format!("row {i}"),
                    value: format!("{} entries", r.len()),
                    valid: format!("every row must have d = {d} entries"),
                });
            }
            for (k, &x) in r.iter().enumerate() {
                if !x.is_finite() {
                    return Err(Error::InvalidParam {
                        name: format!("x[{i}][{k}]"),
                        value: x.to_string(),
                        valid: "must be finite".into(),
                    });
                }
            }
            a.extend_from_slice(r);
        }
        Ok(Mat { n, d, a })
    }
    /// From the engine's data matrix.
    pub fn from_data(x: &crate::engine::model::Data) -> Mat {
        let (n, d) = (x.n(), x.d());
        let mut a = Vec::with_capacity(n * d);
        for i in 0..n {
            for k in 0..d {
                a.push(x.x(i, k));
            }
        }
        Mat { n, d, a }
    }
    /// Entry `(i, k)`.
    #[inline]
    pub fn at(&self, i: usize, k: usize) -> f64 {
        self.a[i * self.d + k]
    }
    /// `Xμ`.
    pub fn mul(&self, mu: &[f64]) -> Vec<f64> {
        (0..self.n).map(|i| (0..self.d).map(|k| self.at(i, k) * mu[k]).sum()).collect()
    }
    /// `Xᵀa`.
    pub fn tmul(&self, a: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.d];
        for i in 0..self.n {
            for (k, yk) in y.iter_mut().enumerate() {
                *yk += self.at(i, k) * a[i];
            }
        }
        y
    }
    /// Frobenius norm.
    pub fn frobenius(&self) -> f64 {
        self.a.iter().map(|x| x * x).sum::<f64>().sqrt()
    }
    /// As a nalgebra matrix.
    pub fn to_dmatrix(&self) -> DMatrix<f64> {
        DMatrix::from_row_slice(self.n, self.d, &self.a)
    }
}

/// The answer for one matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// `null(X)` meets the open orthant (primal certificate verified).
    Meets,
    /// It does not (dual certificate verified).
    Misses,
    /// Neither certificate verified.
    #[default]
    Undecidable,
}

/// A verified certificate.
#[derive(Clone, Debug, PartialEq)]
pub enum Certificate {
    /// `μ` (normalized `Σμ = 1`) with `min μ − (‖Xμ‖ + ε)/σ⁺ = margin > 0`.
    Primal { mu: Vec<f64>, min_mu: f64, residual: f64, margin: f64 },
    /// `a` with `y = Xᵀa`, `Σy = 1`; `strict`: every `y_k` exceeds its rounding bound.
    Dual { a: Vec<f64>, min_y: f64, strict: bool },
}

/// Result of [`decide`].
#[derive(Clone, Debug, PartialEq)]
pub struct OrthantResult {
    pub decision: Decision,
    /// Optimum of the normalized primal (`None`: infeasible or failed).
    pub t_star: Option<f64>,
    /// Optimum of the dual LP, `s* = −t*` (`None`: not solved, infeasible or failed).
    pub s_star: Option<f64>,
    pub certificate: Option<Certificate>,
    /// Numerical rank of `X`.
    pub rank: usize,
    /// What happened (solver statuses, why undecidable).
    pub note: String,
}

/// An orthonormal basis of the row space of `X` (`r × d`, rows) with the matching left factors:
/// `X = Σ_j σ_j u_j v_jᵀ`, `j < r` (numerical rank `r`).
#[derive(Clone, Debug)]
pub struct RowBasis {
    /// Singular values, descending (all `min(n, d)` of them).
    pub sigma: Vec<f64>,
    /// Numerical rank.
    pub rank: usize,
    /// `v_j` (length `d`), `j < r`.
    pub v: Vec<Vec<f64>>,
    /// `u_j` (length `n`), `j < r`.
    pub u: Vec<Vec<f64>>,
}

impl Mat {
    /// Thin SVD, sorted, truncated at the numerical rank.
    pub fn row_basis(&self) -> RowBasis {
        let svd = self.to_dmatrix().svd(true, true);
        let u = svd.u.expect("u requested");
        let vt = svd.v_t.expect("v_t requested");
        let mut idx: Vec<usize> = (0..svd.singular_values.len()).collect();
        idx.sort_by(|&a, &b| svd.singular_values[b].total_cmp(&svd.singular_values[a]).then(a.cmp(&b)));
        let sigma: Vec<f64> = idx.iter().map(|&j| svd.singular_values[j]).collect();
        let smax = sigma.first().copied().unwrap_or(0.0);
        let rank = sigma.iter().filter(|&&x| x > RANK_REL_TOL * smax && x > 0.0).count();
        let v = idx[..rank].iter().map(|&j| (0..self.d).map(|k| vt[(j, k)]).collect()).collect();
        let uu = idx[..rank].iter().map(|&j| (0..self.n).map(|i| u[(i, j)]).collect()).collect();
        RowBasis { sigma, rank, v, u: uu }
    }
}

/// Solve the normalized primal: returns `(t*, μ)`. The equality constraints are the rows of `X`
/// when `X` has full row rank, otherwise the `r` orthonormal rows `v_jᵀ` of its row space (the
/// same set `null(X)`, without redundant rows).
pub fn solve_primal(x: &Mat, basis: &RowBasis) -> std::result::Result<(f64, Vec<f64>), microlp::Error> {
    use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
    let d = x.d;
    let rows: Vec<Vec<f64>> =
        if basis.rank == x.n { (0..x.n).map(|i| x.a[i * d..(i + 1) * d].to_vec()).collect() } else { basis.v.clone() };
    let mut p = Problem::new(OptimizationDirection::Maximize);
    let t = p.add_var(1.0, (f64::NEG_INFINITY, f64::INFINITY));
    let w: Vec<_> = (0..d).map(|_| p.add_var(0.0, (0.0, f64::INFINITY))).collect();
    for row in &rows {
        // (row·(t1 + w)) = t·Σ_k row_k + Σ_k row_k w_k = 0
        let mut e = LinearExpr::empty();
        e.add(t, row.iter().sum());
        for (k, &wk) in w.iter().enumerate() {
            if row[k] != 0.0 {
                e.add(wk, row[k]);
            }
        }
        p.add_constraint(e, ComparisonOp::Eq, 0.0);
    }
    let mut e = LinearExpr::empty();
    e.add(t, d as f64);
    for &wk in &w {
        e.add(wk, 1.0);
    }
    p.add_constraint(e, ComparisonOp::Eq, 1.0);
    let sol = p.solve()?;
    let tv = sol[t];
    let mu: Vec<f64> = w.iter().map(|&wk| tv + sol[wk]).collect();
    Ok((tv, mu))
}

/// The row-space parametrization `y = Σ_j b_j v_j` of `range(Xᵀ)` (free `b ∈ R^r`, so no free
/// direction leaves the objective unchanged — microlp reports such LPs as unbounded), and the
/// certificate `a = Σ_j (b_j/σ_j) u_j` with `Xᵀa = y`.
fn dual_lp(x: &Mat, basis: &RowBasis, exact_dual: bool) -> std::result::Result<(f64, Vec<f64>), microlp::Error> {
    use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
    let (n, d, r) = (x.n, x.d, basis.rank);
    if r == 0 {
        return Err(microlp::Error::Infeasible);
    }
    let mut p = Problem::new(OptimizationDirection::Maximize);
    let s = p.add_var(1.0, (f64::NEG_INFINITY, f64::INFINITY));
    let b: Vec<_> = (0..r).map(|_| p.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY))).collect();
    for k in 0..d {
        let mut e = LinearExpr::empty();
        for (j, &bj) in b.iter().enumerate() {
            let c = basis.v[j][k];
            if c != 0.0 {
                e.add(bj, c);
            }
        }
        e.add(s, -1.0);
        p.add_constraint(e, ComparisonOp::Ge, 0.0);
    }
    let mut e = LinearExpr::empty();
    for (j, &bj) in b.iter().enumerate() {
        e.add(bj, basis.v[j].iter().sum());
    }
    if exact_dual {
        e.add(s, -(d as f64));
    }
    p.add_constraint(e, ComparisonOp::Eq, 1.0);
    let sol = p.solve()?;
    let sv = sol[s];
    let mut a = vec![0.0; n];
    for (j, &bj) in b.iter().enumerate() {
        let c = sol[bj] / basis.sigma[j];
        for (ai, ui) in a.iter_mut().zip(&basis.u[j]) {
            *ai += c * ui;
        }
    }
    Ok((sv, a))
}

/// The LP dual of the normalized primal: maximize `s` s.t. `y = Xᵀa`, `y ≥ s·1`,
/// `1ᵀ(y − s·1) = 1` (`y = s·1 + z`, `z ≥ 0`, `Σz = 1`). Strong duality: `s* = −t*`; unbounded iff
/// the primal is infeasible. Returns `(s*, a)`.
pub fn solve_dual(x: &Mat, basis: &RowBasis) -> std::result::Result<(f64, Vec<f64>), microlp::Error> {
    dual_lp(x, basis, true)
}

/// The normalized Gordan LP: maximize `s` s.t. `y = Xᵀa`, `y ≥ s·1`, `1ᵀy = 1` (bounded by `1/d`;
/// infeasible iff `X1 = 0`). Used when the exact dual is unbounded (primal infeasible). Returns
/// `(s*, a)`; `s* > 0` is a strict certificate that `null(X)` misses the closed orthant.
pub fn solve_gordan(x: &Mat, basis: &RowBasis) -> std::result::Result<(f64, Vec<f64>), microlp::Error> {
    dual_lp(x, basis, false)
}

/// Verify a primal certificate: `Some(margin)` with `margin = min μ − (‖Xμ‖ + ε)/σ⁺`.
pub fn primal_margin(x: &Mat, mu: &[f64], sigma_plus: f64) -> (f64, f64, f64) {
    let r = x.mul(mu);
    let res = r.iter().map(|v| v * v).sum::<f64>().sqrt();
    let mu_norm = mu.iter().map(|v| v * v).sum::<f64>().sqrt();
    let round = (x.d as f64 + 2.0) * UNIT_ROUNDOFF * x.frobenius() * mu_norm;
    let min_mu = mu.iter().copied().fold(f64::INFINITY, f64::min);
    let bound = res + round;
    let dev = if bound == 0.0 {
        0.0
    } else if sigma_plus > 0.0 {
        bound / sigma_plus
    } else {
        f64::INFINITY
    };
    (min_mu - dev, min_mu, res)
}

/// Verify a dual certificate: `(ok, strict, min_y)`.
pub fn dual_check(x: &Mat, a: &[f64]) -> (bool, bool, f64) {
    let y = x.tmul(a);
    let mut strict = true;
    let mut all_nonneg = true;
    let mut some_pos = false;
    let mut min_y = f64::INFINITY;
    for (k, &yk) in y.iter().enumerate() {
        let err: f64 = (x.n as f64 + 1.0) * UNIT_ROUNDOFF * (0..x.n).map(|i| (x.at(i, k) * a[i]).abs()).sum::<f64>();
        min_y = min_y.min(yk);
        if !(yk > err) {
            strict = false;
        } else {
            some_pos = true;
        }
        if !(yk >= 0.0) {
            all_nonneg = false;
        }
    }
    let ok = strict || (all_nonneg && some_pos);
    (ok, strict, min_y)
}

/// The dual certificate `a` (from the dual or the Gordan LP, `what` = "dual" / "Gordan") if
/// [`dual_check`] verifies it, noting which kind it is; else `Err(min Xᵀa)`.
fn dual_certificate(x: &Mat, a: Vec<f64>, what: &str, note: &mut String) -> std::result::Result<Certificate, f64> {
    let (ok, strict, min_y) = dual_check(x, &a);
    if !ok {
        return Err(min_y);
    }
    note.push_str(what);
    note.push_str(if strict { " certificate (strict)" } else { " certificate (Stiemke, boundary)" });
    Ok(Certificate::Dual { a, min_y, strict })
}

/// Decide whether `null(X)` meets the open positive orthant, with a verified certificate.
pub fn decide(x: &Mat) -> OrthantResult {
    let basis = x.row_basis();
    let rank = basis.rank;
    let sigma_plus = if rank == 0 { 0.0 } else { basis.sigma[rank - 1] };
    let mut note = String::new();
    let primal = solve_primal(x, &basis);
    let t_star = match &primal {
        Ok((t, mu)) => {
            let (margin, min_mu, res) = primal_margin(x, mu, sigma_plus);
            if *t > 0.0 && margin > 0.0 {
                return OrthantResult {
                    decision: Decision::Meets,
                    t_star: Some(*t),
                    s_star: None,
                    certificate: Some(Certificate::Primal { mu: mu.clone(), min_mu, residual: res, margin }),
                    rank,
                    note: "primal certificate".into(),
                };
            }
            if *t > 0.0 {
                note.push_str(&format!("primal t* = {t:e} > 0 but certificate margin {margin:e} ≤ 0; "));
            }
            Some(*t)
        }
        Err(microlp::Error::Infeasible) => {
            note.push_str("primal infeasible (null(X) ⊂ {Σμ = 0}); ");
            None
        }
        Err(e) => {
            note.push_str(&format!("primal solver: {e}; "));
            None
        }
    };
    let misses = |s_star, certificate, note| OrthantResult {
        decision: Decision::Misses,
        t_star,
        s_star,
        certificate: Some(certificate),
        rank,
        note,
    };
    let mut s_star = None;
    match solve_dual(x, &basis) {
        Ok((sv, a)) => {
            s_star = Some(sv);
            match dual_certificate(x, a, "dual", &mut note) {
                Ok(certificate) => return misses(s_star, certificate, note),
                Err(min_y) => note.push_str(&format!("dual s* = {sv:e} but min Xᵀa = {min_y:e} fails the check; ")),
            }
        }
        Err(e) => note.push_str(&format!("dual solver: {e}; ")),
    }
    match solve_gordan(x, &basis) {
        Ok((_, a)) => match dual_certificate(x, a, "Gordan", &mut note) {
            Ok(certificate) => return misses(s_star, certificate, note),
            Err(min_y) => note.push_str(&format!("Gordan LP: min Xᵀa = {min_y:e} fails the check")),
        },
        Err(e) => note.push_str(&format!("Gordan LP: {e}")),
    }
    OrthantResult { decision: Decision::Undecidable, t_star, s_star, certificate: None, rank, note }
}

/// NEGATIVE CONTROL ONLY: the always-feasible form (maximize `t` s.t. `Xμ = 0`, `μ_k ≥ t`,
/// `Σμ ≤ 1`, `t ≥ 0`) decided by "`t* ≥ 0`" — which holds at `μ = 0, t = 0` for every `X`,
/// so every instance is reported as meeting. Returns the naive answer and `t*`.
pub fn always_feasible_naive(x: &Mat) -> (bool, f64) {
    use microlp::{ComparisonOp, LinearExpr, OptimizationDirection, Problem};
    let (n, d) = (x.n, x.d);
    let mut p = Problem::new(OptimizationDirection::Maximize);
    let t = p.add_var(1.0, (0.0, f64::INFINITY));
    let mu: Vec<_> = (0..d).map(|_| p.add_var(0.0, (f64::NEG_INFINITY, f64::INFINITY))).collect();
    for i in 0..n {
        let mut e = LinearExpr::empty();
        for (k, &m) in mu.iter().enumerate() {
            e.add(m, x.at(i, k));
        }
        p.add_constraint(e, ComparisonOp::Eq, 0.0);
    }
    for &m in &mu {
        let mut e = LinearExpr::empty();
        e.add(m, 1.0);
        e.add(t, -1.0);
        p.add_constraint(e, ComparisonOp::Ge, 0.0);
    }
    let mut e = LinearExpr::empty();
    for &m in &mu {
        e.add(m, 1.0);
    }
    p.add_constraint(e, ComparisonOp::Le, 1.0);
    match p.solve() {
        Ok(sol) => (sol[t] >= 0.0, sol[t]),
        Err(_) => (false, f64::NAN),
    }
}

/// Closed form for `n = 1`: `{μ > 0: ⟨x, μ⟩ = 0} ≠ ∅` ⇔ `x` has a strictly positive and a
/// strictly negative entry, or `x = 0`.
pub fn meets_n1(x: &[f64]) -> bool {
    let pos = x.iter().any(|&v| v > 0.0);
    let neg = x.iter().any(|&v| v < 0.0);
    (pos && neg) || (!pos && !neg)
}

/// Closed form for `n = 2` (columns `c_k ∈ R²` in general position, all nonzero): meets ⇔ the
/// column angles leave no circular gap `≥ π`.
pub fn meets_n2(cols: &[(f64, f64)]) -> bool {
    let mut ang: Vec<f64> = cols.iter().map(|&(a, b)| b.atan2(a)).collect();
    ang.sort_by(|a, b| a.total_cmp(b));
    let m = ang.len();
    if m == 0 {
        return false;
    }
    let mut max_gap = ang[0] + 2.0 * std::f64::consts::PI - ang[m - 1];
    for j in 1..m {
        max_gap = max_gap.max(ang[j] - ang[j - 1]);
    }
    max_gap < std::f64::consts::PI
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&[f64]]) -> Mat {
        Mat::from_rows(&rows.iter().map(|r| r.to_vec()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn small_cases() {
        assert_eq!(decide(&m(&[&[1.0, -1.0]])).decision, Decision::Meets);
        assert_eq!(decide(&m(&[&[1.0, 2.0]])).decision, Decision::Misses);
        // Boundary: null(X) = span(e2) lies on the boundary of the orthant: misses the open one.
        let r = decide(&m(&[&[1.0, 0.0]]));
        assert_eq!(r.decision, Decision::Misses, "{r:?}");
        // Zero matrix: everything is in the null space.
        assert_eq!(decide(&m(&[&[0.0, 0.0, 0.0]])).decision, Decision::Meets);
        // d ≤ n, full rank: null space {0}.
        let r = decide(&m(&[&[1.0, 0.0], &[0.0, 1.0], &[1.0, 1.0]]));
        assert_eq!(r.decision, Decision::Misses, "{r:?}");
        // d = 1.
        assert_eq!(decide(&m(&[&[2.0]])).decision, Decision::Misses);
        assert_eq!(decide(&m(&[&[0.0]])).decision, Decision::Meets);
        // Rank-deficient (repeated rows), meets.
        assert_eq!(decide(&m(&[&[1.0, -1.0, 0.5], &[1.0, -1.0, 0.5]])).decision, Decision::Meets);
        // X1 = 0: μ = 1/d.
        assert_eq!(decide(&m(&[&[1.0, -1.0], &[2.0, -2.0]])).decision, Decision::Meets);
    }

    #[test]
    fn naive_form_always_says_meets() {
        assert!(always_feasible_naive(&m(&[&[1.0, 2.0]])).0);
    }

    #[test]
    fn closed_forms() {
        assert!(meets_n1(&[1.0, -0.5, 2.0]));
        assert!(!meets_n1(&[1.0, 0.5, 2.0]));
        assert!(meets_n2(&[(1.0, 0.0), (-0.5, 0.8), (-0.5, -0.8)]));
        assert!(!meets_n2(&[(1.0, 0.0), (0.5, 0.8), (0.5, -0.8)]));
    }
}
