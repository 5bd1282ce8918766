//! Named tolerances, in the style of statrs' `prec.rs`: each says whether it is absolute,
//! relative or in ULPs, and why it has that value. A check never writes a bare `1e-9`.
//!
//! Sections are per part of the crate, so that a change to one part's tolerances is one hunk.

// --- engine ---------------------------------------------------------------------------------

// --- data and martingale lemmas -------------------------------------------------------------

// --- stage 0 --------------------------------------------------------------------------------

/// Relative tolerance (relative to `τd`) of Lemma B.2's equality check `E‖ṽ_b[T]‖₁ = τd` at the
/// variant level `b = 2τd`. Statistical, not numerical: the stopped ℓ1 norm is numerically a
/// martingale, so the mean equals `τd` up to `~1e−11`; CONFIRMED needs the 99% interval's
/// half-width below the tolerance (≈ 0.09 τd with the quick budget's 800 chains), and 0.15 leaves
/// room for that while still catching the Gaussian control, whose mean grows far beyond it.
pub const S0_MEAN_L1_REL: f64 = 0.15;

// --- stage 1 --------------------------------------------------------------------------------

/// Absolute, on data statistics of exact Sylvester–Hadamard data (`C_x`, `M_kk − 1/2` after
/// scaling a column by `1/√2`): the exact values are 0, and sums of 16 products of ±1 and ±1/√2
/// divided by 16 round to a few ULPs of 1, far below 1e−15.
pub const STAGE1_HADAMARD_EXACT_ABS: f64 = 1e-15;

/// Absolute: SPEC §5.5(f) quotes the E-C5 witness `E[1 − ṽ'_k] = 0.049953688` to 9 decimals, so a
/// correct computation agrees to half a unit in the last quoted place.
pub const STAGE1_SPEC_9_DECIMALS_ABS: f64 = 5e-10;

/// Absolute: the closed form and the 2n-outcome enumeration of `E[1 − ṽ'_0]` at the E-C5 witness
/// (values ≈ 0.05, 32 outcomes) agree to rounding, a few ULPs of 0.05 (≈ 7e−18 each), so 1e−15
/// shows that both compute the same quantity.
pub const STAGE1_CLOSED_VS_ENUM_ABS: f64 = 1e-15;

// --- stage 2 --------------------------------------------------------------------------------

// --- section F ------------------------------------------------------------------------------

// --- experiment -----------------------------------------------------------------------------
