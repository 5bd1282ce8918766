//! The sets `G` of the couplings (Definitions B.1, C.1, D.2) and the bounded potentials
//! (Definitions B.3, C.6).

use serde::{Deserialize, Serialize};

use crate::engine::kernels::{self, Path};
use crate::engine::lanes::PVec;
use crate::engine::model::Problem;

/// The set `G` of a coupling.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "set", rename_all = "kebab-case")]
pub enum StopSet {
    /// No stopping.
    Never,
    /// Definition B.1: `‖v‖_1 ≤ b`.
    L1Ball { b: f64 },
    /// Definition C.1: `‖v_S‖_∞ ≤ b` and `‖v_S̄‖_1 ≤ eps`.
    SupportBox { b: f64, eps: f64 },
    /// Definition D.2: `‖v_S − 1‖_∞ ≤ b` and `‖v_S̄‖_1 ≤ eps`.
    NearTruth { b: f64, eps: f64 },
}

impl StopSet {
    /// Is `v ∈ G`? (NaN entries are never inside a bounded set.)
    #[inline]
    pub fn contains(&self, v: &PVec, p: &Problem) -> bool {
        self.contains_with(Path::active(), v, p)
    }
    /// [`StopSet::contains`] with the norms computed on an explicit kernel path (the same bits
    /// as `lanes::sum_abs` and `Problem::off_l1` on every path).
    #[inline]
    pub fn contains_with(&self, path: Path, v: &PVec, p: &Problem) -> bool {
        match *self {
            StopSet::Never => true,
            StopSet::L1Ball { b } => kernels::sum_abs_with(path, v.blocks()) <= b,
            StopSet::SupportBox { b, eps } => {
                kernels::masked_sum_abs_with(path, v.blocks(), p.off_mask().blocks()) <= eps && p.support_max(v) <= b
            }
            StopSet::NearTruth { b, eps } => {
                kernels::masked_sum_abs_with(path, v.blocks(), p.off_mask().blocks()) <= eps
                    && p.support_dist_inf(v) <= b
            }
        }
    }
    /// [`StopSet::contains`] given `off_l1 = ‖v_S̄‖₁` (bitwise `Problem::off_l1(v)`, e.g. from
    /// [`super::Observer::observe_off_l1`]): the same comparisons of the same numbers.
    #[inline]
    pub fn contains_given_off_l1(&self, v: &PVec, p: &Problem, off_l1: f64) -> bool {
        match *self {
            StopSet::Never | StopSet::L1Ball { .. } => self.contains(v, p),
            StopSet::SupportBox { b, eps } => off_l1 <= eps && p.support_max(v) <= b,
            StopSet::NearTruth { b, eps } => off_l1 <= eps && p.support_dist_inf(v) <= b,
        }
    }
    /// Paper reference of the set.
    pub fn describe(&self) -> String {
        match *self {
            StopSet::Never => "no stopping".into(),
            StopSet::L1Ball { b } => format!("Def. B.1: ‖v‖₁ ≤ {b}"),
            StopSet::SupportBox { b, eps } => format!("Def. C.1: ‖v_S‖∞ ≤ {b}, ‖v_S̄‖₁ ≤ {eps}"),
            StopSet::NearTruth { b, eps } => format!("Def. D.2: ‖v_S − 1‖∞ ≤ {b}, ‖v_S̄‖₁ ≤ {eps}"),
        }
    }
}

/// `Σ_k √max(v_k, 0)` over all coordinates (Definition B.3's sum, without the set condition).
pub fn sum_sqrt_all(v: &PVec) -> f64 {
    let ones = PVec::constant(v.len(), 1.0);
    crate::engine::lanes::masked_sum_sqrt(v.blocks(), ones.blocks())
}

/// Which coordinates a potential sums over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Coords {
    /// All `k ∈ [d]` (Definition B.3).
    All,
    /// `k ∉ S` (Definition C.6).
    OffSupport,
}

/// A bounded potential: `Σ_{k ∈ coords} √v_k` while `v ∈ set`, else 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundedPotential {
    pub set: StopSet,
    pub coords: Coords,
}

impl BoundedPotential {
    /// Definition B.3 with level `b`.
    pub fn b3(b: f64) -> Self {
        BoundedPotential { set: StopSet::L1Ball { b }, coords: Coords::All }
    }
    /// Definition C.6 with `(b, ε)`.
    pub fn c6(b: f64, eps: f64) -> Self {
        BoundedPotential { set: StopSet::SupportBox { b, eps }, coords: Coords::OffSupport }
    }
    /// `Φ(v)`.
    pub fn value(&self, v: &PVec, p: &Problem) -> f64 {
        if !self.set.contains(v, p) {
            return 0.0;
        }
        self.unbounded(v, p)
    }
    /// `Σ_{k ∈ coords} √v_k` without the set condition.
    pub fn unbounded(&self, v: &PVec, p: &Problem) -> f64 {
        use crate::engine::lanes;
        match self.coords {
            Coords::All => sum_sqrt_all(v),
            Coords::OffSupport => lanes::masked_sum_sqrt(v.blocks(), p.off_mask().blocks()),
        }
    }
}
