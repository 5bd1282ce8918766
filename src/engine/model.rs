//! The model of Section 2.1: data `X`, support `S`, ground truth `v*`, labels, loss and gradients.
//!
//! # Formula
//! `f_v(x) = ⟨v⊙v, x⟩`, `y^(i) = ⟨v*⊙v*, x^(i)⟩`, `e(v) = v⊙v − v*⊙v*`,
//! `ℓ^(i)(v) = ¼ (f_v(x^(i)) − y^(i))²` (SPEC §1.2, the authors' factor 0.25),
//! `L(v) = E_i ℓ^(i)(v)`, `∇ℓ^(i)(v) = ⟨e(v), x^(i)⟩ x^(i) ⊙ v`, `∇L(v) = v ⊙ (M e(v))`,
//! `M = XᵀX/n`, `C_x = max_{j≠k} |M_jk|`, `b_x = max_{i,k} |x_k^(i)|`.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::lanes::{self, F8, PVec, blocks_for};
use super::rng::{Stream, standard_normal};
use crate::error::{Error, Result, check};

/// The data matrix `X ∈ R^{n×d}`, one padded row per sample.
#[derive(Clone, Debug)]
pub struct Data {
    n: usize,
    d: usize,
    nb: usize,
    rows: Vec<F8>,
}

impl Data {
    /// Build from rows; every row must have the same positive length and finite entries.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Data> {
        let n = rows.len();
        check::at_least_one("n", n as u64)?;
        let d = rows[0].len();
        check::at_least_one("d", d as u64)?;
        let nb = blocks_for(d);
        let mut blocks = vec![F8::default(); n * nb];
        for (i, row) in rows.iter().enumerate() {
            if row.len() != d {
                return Err(Error::InvalidParam {
                    name: format!("row {i}"),
                    value: format!("{} entries", row.len()),
                    valid: format!("every row must have d = {d} entries"),
                });
            }
            for (k, &x) in row.iter().enumerate() {
                if !x.is_finite() {
                    return Err(Error::InvalidParam {
                        name: format!("x[{i}][{k}]"),
                        value: x.to_string(),
                        valid: "must be finite".into(),
                    });
                }
                blocks[i * nb + k / 8].0[k % 8] = x;
            }
        }
        Ok(Data { n, d, nb, rows: blocks })
    }

    /// `n × d` i.i.d. entries drawn by `entry`, row by row (`n, d ≥ 1`).
    fn from_entries(n: usize, d: usize, mut entry: impl FnMut() -> f64) -> Result<Data> {
        check::at_least_one("n", n as u64)?;
        check::at_least_one("d", d as u64)?;
        let nb = blocks_for(d);
        let mut blocks = vec![F8::default(); n * nb];
        for i in 0..n {
            for k in 0..d {
                blocks[i * nb + k / 8].0[k % 8] = entry();
            }
        }
        Ok(Data { n, d, nb, rows: blocks })
    }

    /// `n × d` i.i.d. `N(0,1)` entries, drawn row by row from `rng`.
    pub fn gaussian(n: usize, d: usize, rng: &mut Stream) -> Result<Data> {
        Data::from_entries(n, d, || standard_normal(rng))
    }

    /// `n × d` i.i.d. Laplace entries with unit variance (`±Exp(1)/√2`): heavier-tailed data with
    /// the same covariance as `N(0, I)`; used by negative controls of the Gaussian data lemmas.
    pub fn laplace(n: usize, d: usize, rng: &mut Stream) -> Result<Data> {
        use rand::Rng;
        Data::from_entries(n, d, || {
            let u = rng.next_u64();
            // 63 bits for the magnitude, the lowest bit for the sign.
            let uni = ((u >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64);
            let mag = -uni.ln() * std::f64::consts::FRAC_1_SQRT_2;
            if u & 1 == 1 { mag } else { -mag }
        })
    }

    /// The `m × m` Sylvester–Hadamard matrix (`m` a power of two): entries ±1, `XᵀX = m I`.
    pub fn hadamard(m: usize) -> Result<Data> {
        if m == 0 || !m.is_power_of_two() {
            return Err(Error::InvalidParam {
                name: "n".into(),
                value: m.to_string(),
                valid: "a Sylvester-Hadamard matrix needs n = d = a power of two".into(),
            });
        }
        let rows: Vec<Vec<f64>> =
            (0..m).map(|i| (0..m).map(|k| if (i & k).count_ones() % 2 == 0 { 1.0 } else { -1.0 }).collect()).collect();
        Data::from_rows(&rows)
    }

    /// Read an `n × d` matrix from a CSV file: one row per sample, comma-separated, no header.
    /// Trailing empty lines are ignored; anything else that is not a number is an error naming
    /// the line.
    pub fn from_csv(path: &Path) -> Result<Data> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
        Self::parse_csv(&text, &path.display().to_string())
    }

    /// Parse CSV text (see [`Data::from_csv`]); `origin` names the source in errors.
    pub fn parse_csv(text: &str, origin: &str) -> Result<Data> {
        let err = |line: Option<usize>, message: String| Error::Data { path: origin.to_string(), line, message };
        let lines: Vec<&str> = text.lines().collect();
        let last = lines.iter().rposition(|l| !l.trim().is_empty());
        let Some(last) = last else {
            return Err(err(None, "empty file: expected at least one row of numbers".into()));
        };
        let mut rows: Vec<Vec<f64>> = Vec::with_capacity(last + 1);
        for (idx, line) in lines[..=last].iter().enumerate() {
            let lineno = idx + 1;
            if line.trim().is_empty() {
                return Err(err(Some(lineno), "empty line inside the data".into()));
            }
            let mut row = Vec::new();
            for (f, field) in line.split(',').enumerate() {
                let t = field.trim();
                let x: f64 =
                    t.parse().map_err(|_| err(Some(lineno), format!("field {}: '{t}' is not a number", f + 1)))?;
                if !x.is_finite() {
                    return Err(err(Some(lineno), format!("field {}: '{t}' is not finite", f + 1)));
                }
                if x.abs() > crate::tol::MAX_DATA_ABS {
                    return Err(err(
                        Some(lineno),
                        format!(
                            "field {}: '{t}' is outside the valid range [-{max:e}, {max:e}] (larger entries overflow \
                             the losses, which are quartic in the data)",
                            f + 1,
                            max = crate::tol::MAX_DATA_ABS
                        ),
                    ));
                }
                row.push(x);
            }
            if let Some(first) = rows.first()
                && row.len() != first.len()
            {
                return Err(err(
                    Some(lineno),
                    format!("ragged row: {} fields, but line 1 has {}", row.len(), first.len()),
                ));
            }
            rows.push(row);
        }
        Data::from_rows(&rows)
    }

    /// Number of samples.
    #[inline]
    pub fn n(&self) -> usize {
        self.n
    }
    /// Dimension.
    #[inline]
    pub fn d(&self) -> usize {
        self.d
    }
    /// Number of 8-lane blocks per row.
    #[inline]
    pub fn blocks_per_row(&self) -> usize {
        self.nb
    }
    /// Row `i` as blocks (padding 0).
    #[inline]
    pub fn row(&self, i: usize) -> &[F8] {
        &self.rows[i * self.nb..(i + 1) * self.nb]
    }
    /// Entry `x_k^(i)`.
    #[inline]
    pub fn x(&self, i: usize, k: usize) -> f64 {
        self.rows[i * self.nb + k / 8].0[k % 8]
    }
    /// Row `i` as a plain vector.
    pub fn row_vec(&self, i: usize) -> Vec<f64> {
        (0..self.d).map(|k| self.x(i, k)).collect()
    }
    /// Multiply column `k` by `a` (used to build adversarial data, e.g. `M_kk = 1/2`).
    pub fn scale_column(&mut self, k: usize, a: f64) {
        for i in 0..self.n {
            self.rows[i * self.nb + k / 8].0[k % 8] *= a;
        }
    }
    /// Multiply every entry by `a`.
    pub fn scale(&mut self, a: f64) {
        for b in &mut self.rows {
            for x in &mut b.0 {
                *x *= a;
            }
        }
    }
}

/// Data statistics used in the lemmas' hypotheses.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DataStats {
    /// `max_{i,k} |x_k^(i)|` (the smallest admissible `b_x`).
    pub b_x: f64,
    /// `C_x = max_{j≠k} |M_jk|`.
    pub c_x: f64,
    /// `min_k M_kk`.
    pub min_mkk: f64,
    /// `max_k M_kk`.
    pub max_mkk: f64,
}

/// A problem instance: data, sparsity `r` (support `S = {0, …, r−1}`, as in the paper's WLOG and
/// the authors' script), ground truth `v*` and labels.
#[derive(Clone, Debug)]
pub struct Problem {
    data: Data,
    r: usize,
    w_star: PVec,
    off_mask: PVec,
    y: Vec<f64>,
    m: OnceLock<Vec<f64>>,
}

impl Problem {
    /// A problem with support `{0, …, r−1}` (`r ≤ d`; `r = 0` gives `v* = 0`).
    pub fn new(data: Data, r: usize) -> Result<Problem> {
        check::sparsity(r, data.d())?;
        let d = data.d();
        let mut w = PVec::zeros(d);
        let mut om = PVec::zeros(d);
        for k in 0..d {
            if k < r {
                w.as_mut_slice()[k] = 1.0;
            } else {
                om.as_mut_slice()[k] = 1.0;
            }
        }
        let y = (0..data.n()).map(|i| lanes::dot(w.blocks(), data.row(i))).collect();
        Ok(Problem { data, r, w_star: w, off_mask: om, y, m: OnceLock::new() })
    }

    /// The data.
    #[inline]
    pub fn data(&self) -> &Data {
        &self.data
    }
    /// `n`.
    #[inline]
    pub fn n(&self) -> usize {
        self.data.n()
    }
    /// `d`.
    #[inline]
    pub fn d(&self) -> usize {
        self.data.d()
    }
    /// `r = |S|`.
    #[inline]
    pub fn r(&self) -> usize {
        self.r
    }
    /// `v*⊙v*` (padded).
    #[inline]
    pub fn w_star(&self) -> &PVec {
        &self.w_star
    }
    /// `v*` (equal to `v*⊙v*` because `v* ∈ {0,1}^d`).
    #[inline]
    pub fn v_star(&self) -> &PVec {
        &self.w_star
    }
    /// 0/1 mask of `S̄`.
    #[inline]
    pub fn off_mask(&self) -> &PVec {
        &self.off_mask
    }
    /// Labels `y^(i)`.
    #[inline]
    pub fn y(&self) -> &[f64] {
        &self.y
    }

    /// `⟨e(v), x^(i)⟩`.
    #[inline]
    pub fn residual(&self, i: usize, v: &PVec) -> f64 {
        lanes::residual(v.blocks(), self.w_star.blocks(), self.data.row(i))
    }
    /// All residuals `⟨e(v), x^(i)⟩`, `i ∈ [n]`.
    pub fn residuals(&self, v: &PVec) -> Vec<f64> {
        (0..self.n()).map(|i| self.residual(i, v)).collect()
    }
    /// `e(v) = v⊙v − v*⊙v*` as a plain vector (`fma(v_k, v_k, −w_k)`, as the kernels form it).
    pub fn e(&self, v: &PVec) -> Vec<f64> {
        v.as_slice().iter().zip(self.w_star.as_slice()).map(|(a, w)| a.mul_add(*a, -w)).collect()
    }
    /// Train loss `L(v) = (1/n) Σ_i ¼ ⟨e, x^(i)⟩²` (summed over `i` in order).
    pub fn loss(&self, v: &PVec) -> f64 {
        let mut s = 0.0;
        for i in 0..self.n() {
            let r = self.residual(i, v);
            s += 0.25 * r * r;
        }
        s / self.n() as f64
    }
    /// Test error `‖v⊙v − v*⊙v*‖²`.
    pub fn test_error(&self, v: &PVec) -> f64 {
        lanes::sq_dist_sq(v.blocks(), self.w_star.blocks())
    }
    /// `(M e(v))_k = (1/n) Σ_i ⟨e, x^(i)⟩ x_k^(i)` for all `k`, given the residuals (summed over
    /// `i` in order from `+0.0` by `fma(r_i, x_k^(i), ·)`, then one multiplication by `1/n`: bitwise
    /// `dynamics::me_blocks`).
    pub fn me_from_residuals(&self, res: &[f64]) -> Vec<f64> {
        let d = self.d();
        let mut out = vec![0.0; d];
        for (i, &r) in res.iter().enumerate() {
            for (k, o) in out.iter_mut().enumerate() {
                *o = r.mul_add(self.data.x(i, k), *o);
            }
        }
        let inv = 1.0 / self.n() as f64;
        out.iter_mut().for_each(|o| *o *= inv);
        out
    }
    /// Full gradient `∇L(v) = v ⊙ (M e(v))`.
    pub fn grad(&self, v: &PVec) -> Vec<f64> {
        let me = self.me_from_residuals(&self.residuals(v));
        v.as_slice().iter().zip(me).map(|(a, m)| a * m).collect()
    }
    /// `M = XᵀX/n` (row-major `d×d`, computed once; `M_jk` sums over `i` in order).
    pub fn m(&self) -> &[f64] {
        self.m.get_or_init(|| {
            let (n, d) = (self.n(), self.d());
            let mut m = vec![0.0; d * d];
            for i in 0..n {
                let row = self.data.row_vec(i);
                for j in 0..d {
                    let xj = row[j];
                    for k in j..d {
                        m[j * d + k] += xj * row[k];
                    }
                }
            }
            let inv = 1.0 / n as f64;
            for j in 0..d {
                for k in j..d {
                    let val = m[j * d + k] * inv;
                    m[j * d + k] = val;
                    m[k * d + j] = val;
                }
            }
            m
        })
    }
    /// `M_jk`.
    #[inline]
    pub fn m_jk(&self, j: usize, k: usize) -> f64 {
        self.m()[j * self.d() + k]
    }
    /// Data statistics `b_x`, `C_x`, `min/max M_kk`.
    pub fn stats(&self) -> DataStats {
        let d = self.d();
        let m = self.m();
        let mut b_x: f64 = 0.0;
        for i in 0..self.n() {
            for k in 0..d {
                b_x = b_x.max(self.data.x(i, k).abs());
            }
        }
        let (mut c_x, mut mn, mut mx): (f64, f64, f64) = (0.0, f64::INFINITY, f64::NEG_INFINITY);
        for j in 0..d {
            mn = mn.min(m[j * d + j]);
            mx = mx.max(m[j * d + j]);
            for k in 0..d {
                if j != k {
                    c_x = c_x.max(m[j * d + k].abs());
                }
            }
        }
        DataStats { b_x, c_x, min_mkk: mn, max_mkk: mx }
    }
    /// Perturbation `K_k(v) = |Σ_{j≠k} M_jk e_j(v)|` (SPEC §0.4).
    pub fn perturbation(&self, v: &PVec, k: usize) -> f64 {
        self.signed_perturbation(v, k).abs()
    }
    /// `Σ_{j≠k} M_kj e_j(v)` with its sign (summed over `j` in order; `M` is exactly symmetric).
    pub fn signed_perturbation(&self, v: &PVec, k: usize) -> f64 {
        let (d, m) = (self.d(), self.m());
        let (v, w) = (v.as_slice(), self.w_star.as_slice());
        let mut s = 0.0;
        for j in 0..d {
            if j != k {
                s += m[k * d + j] * (v[j] * v[j] - w[j]);
            }
        }
        s
    }

    /// `‖v_S‖_∞` (support coordinates).
    pub fn support_max(&self, v: &PVec) -> f64 {
        v.as_slice()[..self.r].iter().fold(0.0f64, |a, &x| a.max(x.abs()))
    }
    /// `‖v_S − 1‖_∞`.
    pub fn support_dist_inf(&self, v: &PVec) -> f64 {
        v.as_slice()[..self.r].iter().fold(0.0f64, |a, &x| a.max((x - 1.0).abs()))
    }
    /// `‖v_S̄‖_1`.
    pub fn off_l1(&self, v: &PVec) -> f64 {
        lanes::masked_sum_abs(v.blocks(), self.off_mask.blocks())
    }
    /// `‖v − v*‖_∞`.
    pub fn dist_inf(&self, v: &PVec) -> f64 {
        v.as_slice().iter().zip(self.w_star.as_slice()).fold(0.0f64, |a, (x, w)| a.max((x - w).abs()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    fn small() -> Problem {
        let data = Data::gaussian(5, 11, &mut stream(1, "model", "data", 0)).unwrap();
        Problem::new(data, 3).unwrap()
    }

    #[test]
    fn gradient_matches_finite_differences_of_the_loss() {
        let p = small();
        let v = PVec::from_slice(&(0..11).map(|k| 0.3 + 0.05 * k as f64).collect::<Vec<_>>());
        let g = p.grad(&v);
        for (k, &gk) in g.iter().enumerate().take(11) {
            let h = 1e-6;
            let mut a = v.clone();
            let mut b = v.clone();
            a.as_mut_slice()[k] += h;
            b.as_mut_slice()[k] -= h;
            let fd = (p.loss(&a) - p.loss(&b)) / (2.0 * h);
            assert!((fd - gk).abs() <= 1e-6 * (1.0 + gk.abs()), "k={k}: {fd} vs {gk}");
        }
    }

    #[test]
    fn labels_residual_and_hadamard() {
        let p = small();
        let vs = p.v_star().clone();
        for i in 0..p.n() {
            assert_eq!(p.residual(i, &vs), 0.0);
        }
        let h = Problem::new(Data::hadamard(16).unwrap(), 1).unwrap();
        let s = h.stats();
        assert_eq!((s.b_x, s.c_x, s.min_mkk, s.max_mkk), (1.0, 0.0, 1.0, 1.0));
    }

    #[test]
    fn csv_errors_name_the_line() {
        let e = Data::parse_csv("1,2\n3\n", "x.csv").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("ragged"), "{e}");
        let e = Data::parse_csv("1,2\n3,abc\n", "x.csv").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("abc"), "{e}");
        let e = Data::parse_csv("1,inf\n", "x.csv").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("not finite"), "{e}");
        let e = Data::parse_csv("\n \n", "x.csv").unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
        let e = Data::parse_csv("1,2\n\n3,4\n", "x.csv").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("empty line"), "{e}");
        let ok = Data::parse_csv("1, 2\n-3,4e-1\n\n", "x.csv").unwrap();
        assert_eq!((ok.n(), ok.d(), ok.x(1, 1)), (2, 2, 0.4));
    }

    #[test]
    fn sparsity_is_validated() {
        let data = Data::gaussian(2, 3, &mut stream(1, "m", "d", 0)).unwrap();
        let e = Problem::new(data, 4).unwrap_err().to_string();
        assert!(e.contains("r = 4") && e.contains("d = 3"), "{e}");
    }
}

/// A problem whose Gaussian data satisfy a data event (SPEC §0.6: the lemmas are statements about
/// the algorithm's randomness given data that meet their deterministic hypotheses).
#[derive(Clone, Debug)]
pub struct Conditioned {
    pub problem: Problem,
    /// Index of the accepted draw (the number of rejected draws before it).
    pub rejected: u64,
}

/// Where [`Problem::gaussian_conditioned`] draws its data sets and which event they must meet:
/// the streams `(master, claim, "data", 0), (…, 1), …`, at most `max_tries` of them; `event`
/// names the event in the error when none meets it.
#[derive(Clone, Copy, Debug)]
pub struct DataEvent<'a> {
    pub master: u64,
    pub claim: &'a str,
    pub event: &'a str,
    pub max_tries: u64,
}

impl Problem {
    /// Gaussian data with `min_k M_kk ≥ 1/2` (Lemma G.2's event), drawn from
    /// `(master, claim, "data", j)`, at most 1000 draws: the Stage-1 and Stage-2 Gaussian instances.
    pub fn gaussian_mkk_half(n: usize, d: usize, r: usize, master: u64, claim: &str) -> Result<Conditioned> {
        let ev = DataEvent { master, claim, event: "min_k M_kk ≥ 1/2", max_tries: 1000 };
        Problem::gaussian_conditioned(n, d, r, ev, |p| p.stats().min_mkk >= 0.5)
    }

    /// Draw `N(0,1)` data sets of size `n × d` (support size `r`) from `ev`'s streams until
    /// `accept` holds; at most `ev.max_tries` draws (an error naming the event otherwise).
    pub fn gaussian_conditioned(
        n: usize,
        d: usize,
        r: usize,
        ev: DataEvent<'_>,
        accept: impl Fn(&Problem) -> bool,
    ) -> Result<Conditioned> {
        let DataEvent { master, claim, event, max_tries } = ev;
        for j in 0..max_tries {
            let data = Data::gaussian(n, d, &mut super::rng::stream(master, claim, "data", j))?;
            let p = Problem::new(data, r)?;
            if accept(&p) {
                return Ok(Conditioned { problem: p, rejected: j });
            }
        }
        Err(Error::InvalidParam {
            name: "data event".into(),
            value: event.into(),
            valid: format!("no N(0,1) data set with n = {n}, d = {d} met it in {max_tries} draws; choose a larger n"),
        })
    }
}
