//! Padded, 64-byte aligned vectors and the one fixed summation order used everywhere.
//!
//! Every vector of length `d` (a state `v`, a data row `x^(i)`, `v*⊙v*`) is stored as
//! `⌈d/8⌉` blocks of 8 `f64` lanes, aligned to 64 bytes, with the padding lanes equal to 0.
//!
//! # The summation order
//! A reduction `Σ_{j<d} a_j` is computed as 8 lane accumulators, lane `l` adding the elements
//! `j ≡ l (mod 8)` in increasing `j`, then combined by the fixed tree
//! `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`.
//! A product that feeds an addition is fused with it by `f64::mul_add` (IEEE 754
//! fusedMultiplyAdd: the exact `a·b + c`, rounded once), always at the same place of each
//! formula: `fma(a, b, s)` in `dot`, `fma(fma(v, v, −w), x, s)` in `residual`,
//! `fma(|a|, m, s)`, `fma(√a, m, s)`, `fma(e, e, s)` with `e = fma(v, v, −w)`, `|fma(v, v, −w)|`.
//! Rust never contracts `a * b + c` on its own, so nothing else is fused. A correctly rounded
//! FMA has one result, whether it is the hardware instruction (x86-64 with FMA, AVX-512, aarch64)
//! or libm's software `fma`: a scalar loop, an AVX2 loop (two 4-lane registers) and an AVX-512
//! loop (one 8-lane register) therefore produce the same bits, and so do chains that are
//! interleaved or run on any number of threads. (With a 0/1 mask `m` the product `|a|·m` is exact,
//! so the masked sums have the same value fused or not.)
//!
//! The reductions below are written here as the plain lane loops that define them
//! ([`portable`]); vectors of two or more blocks go to the dispatched SIMD instances in
//! [`super::kernels`] (same operations, same order, same bits — `tests/kernels.rs`).

use serde::{Deserialize, Serialize};

/// Number of lanes of the fixed summation order.
pub const LANES: usize = 8;

/// One block of 8 lanes, aligned to a 64-byte cache line.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C, align(64))]
pub struct F8(pub [f64; LANES]);

/// Number of blocks needed for `d` entries.
#[inline]
pub const fn blocks_for(d: usize) -> usize {
    d.div_ceil(LANES)
}

/// Combine 8 lane accumulators in the fixed tree order.
#[inline(always)]
pub fn reduce(s: [f64; LANES]) -> f64 {
    ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]))
}

/// A padded vector of logical length `d` (padding lanes are kept at 0).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<f64>", into = "Vec<f64>")]
pub struct PVec {
    d: usize,
    blocks: Vec<F8>,
}

impl From<Vec<f64>> for PVec {
    fn from(v: Vec<f64>) -> Self {
        PVec::from_slice(&v)
    }
}
impl From<PVec> for Vec<f64> {
    fn from(p: PVec) -> Self {
        p.as_slice().to_vec()
    }
}

impl PVec {
    /// All-zero vector of length `d`.
    pub fn zeros(d: usize) -> Self {
        PVec { d, blocks: vec![F8::default(); blocks_for(d)] }
    }
    /// Constant vector `c·1` of length `d` (padding stays 0).
    pub fn constant(d: usize, c: f64) -> Self {
        let mut p = Self::zeros(d);
        p.as_mut_slice().fill(c);
        p
    }
    /// Copy of a slice.
    pub fn from_slice(xs: &[f64]) -> Self {
        let mut p = Self::zeros(xs.len());
        p.as_mut_slice().copy_from_slice(xs);
        p
    }
    /// Logical length.
    #[inline]
    pub fn len(&self) -> usize {
        self.d
    }
    /// True when `d = 0`.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.d == 0
    }
    /// The blocks (padding included).
    #[inline]
    pub fn blocks(&self) -> &[F8] {
        &self.blocks
    }
    /// Mutable blocks. Callers must keep the padding lanes at 0.
    #[inline]
    pub fn blocks_mut(&mut self) -> &mut [F8] {
        &mut self.blocks
    }
    /// The `d` logical entries.
    #[inline]
    pub fn as_slice(&self) -> &[f64] {
        // SAFETY: F8 is repr(C) around [f64; 8]; the blocks are contiguous, so the memory is
        // `8 * blocks.len()` initialised f64 values; we expose the first `d` of them.
        unsafe { std::slice::from_raw_parts(self.blocks.as_ptr() as *const f64, self.d) }
    }
    /// Mutable logical entries (the padding is not exposed, so it stays 0).
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: as in `as_slice`; exclusive borrow of `self`.
        unsafe { std::slice::from_raw_parts_mut(self.blocks.as_mut_ptr() as *mut f64, self.d) }
    }
    /// True when every entry is finite.
    pub fn all_finite(&self) -> bool {
        self.as_slice().iter().all(|x| x.is_finite())
    }
}

use super::kernels::{self, Path};

/// Vectors shorter than this many blocks use the inline [`portable`] loop (a dispatched call
/// costs more than it saves); the result is the same either way.
const DISPATCH_MIN_BLOCKS: usize = 2;

/// `Σ_j a_j b_j` in the fixed order.
#[inline]
pub fn dot(a: &[F8], b: &[F8]) -> f64 {
    if a.len() < DISPATCH_MIN_BLOCKS { portable::dot(a, b) } else { kernels::dot_with(Path::active(), a, b) }
}

/// The residual `⟨v⊙v − w, x⟩ = Σ_j (v_j v_j − w_j) x_j` in the fixed order.
///
/// With `w = v*⊙v*` and `x = x^(i)` this is `⟨e(v), x^(i)⟩`, the factor of every gradient in
/// the paper (SPEC §0.3). It is computed from `e = v⊙v − w` directly, never as
/// `⟨v⊙v, x⟩ − y` (which cancels near `v*`).
#[inline]
pub fn residual(v: &[F8], w: &[F8], x: &[F8]) -> f64 {
    if v.len() < DISPATCH_MIN_BLOCKS {
        portable::residual(v, w, x)
    } else {
        kernels::residual_full_with(Path::active(), v, w, x)
    }
}

/// `Σ_j a_j` in the fixed order.
#[inline]
pub fn sum(a: &[F8]) -> f64 {
    if a.len() < DISPATCH_MIN_BLOCKS { portable::sum(a) } else { kernels::sum_with(Path::active(), a) }
}

/// `Σ_j |a_j|` in the fixed order.
#[inline]
pub fn sum_abs(a: &[F8]) -> f64 {
    if a.len() < DISPATCH_MIN_BLOCKS { portable::sum_abs(a) } else { kernels::sum_abs_with(Path::active(), a) }
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
    if a.len() < DISPATCH_MIN_BLOCKS {
        portable::masked_sum_abs(a, mask)
    } else {
        kernels::masked_sum_abs_with(Path::active(), a, mask)
    }
}

/// `Σ_j m_j √a_j` for non-negative `a` and a 0/1 mask in the fixed order (negative entries
/// contribute `√max(a,0)`).
#[inline]
pub fn masked_sum_sqrt(a: &[F8], mask: &[F8]) -> f64 {
    if a.len() < DISPATCH_MIN_BLOCKS {
        portable::masked_sum_sqrt(a, mask)
    } else {
        kernels::masked_sum_sqrt_with(Path::active(), a, mask)
    }
}

/// `‖v⊙v − w‖²` in the fixed order (the test error when `w = v*⊙v*`).
#[inline]
pub fn sq_dist_sq(v: &[F8], w: &[F8]) -> f64 {
    if v.len() < DISPATCH_MIN_BLOCKS {
        portable::sq_dist_sq(v, w)
    } else {
        kernels::sq_dist_sq_with(Path::active(), v, w)
    }
}

/// `Σ_j |v_j v_j − w_j|` (the ℓ1 norm of `e(v)`) in the fixed order.
#[inline]
pub fn sq_dist_l1(v: &[F8], w: &[F8]) -> f64 {
    if v.len() < DISPATCH_MIN_BLOCKS {
        portable::sq_dist_l1(v, w)
    } else {
        kernels::sq_dist_l1_with(Path::active(), v, w)
    }
}

/// The defining lane loops of the reductions (used inline for one-block vectors; the SIMD
/// kernels perform the same operations).
#[allow(clippy::needless_range_loop)]
pub mod portable {
    use super::{F8, LANES, reduce};

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_stays_zero_and_slices_round_trip() {
        let xs: Vec<f64> = (0..13).map(|i| i as f64).collect();
        let p = PVec::from_slice(&xs);
        assert_eq!(p.as_slice(), &xs[..]);
        assert_eq!(p.blocks().len(), 2);
        assert_eq!(&p.blocks()[1].0[5..], &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn dot_uses_the_documented_order() {
        // 16 entries: lane l sums a_l b_l + a_{l+8} b_{l+8}; then the tree.
        let a: Vec<f64> = (0..16).map(|i| 1.0 + 1e-16 * i as f64).collect();
        let b: Vec<f64> = (0..16).map(|i| if i % 3 == 0 { 1e16 } else { -1.0 }).collect();
        let (pa, pb) = (PVec::from_slice(&a), PVec::from_slice(&b));
        let mut s = [0.0; 8];
        for l in 0..8 {
            s[l] = a[l].mul_add(b[l], 0.0);
            s[l] = a[l + 8].mul_add(b[l + 8], s[l]);
        }
        let expect = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        assert_eq!(dot(pa.blocks(), pb.blocks()).to_bits(), expect.to_bits());
    }
}
