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

// --- stage 2 --------------------------------------------------------------------------------

// --- section F ------------------------------------------------------------------------------

// --- experiment -----------------------------------------------------------------------------
