//! Named tolerances, in the style of statrs' `prec.rs`: each says whether it is absolute,
//! relative or in ULPs, and why it has that value. A check never writes a bare `1e-9`.
//!
//! Sections are per part of the crate, so that a change to one part's tolerances is one hunk.

// --- engine ---------------------------------------------------------------------------------

// --- data and martingale lemmas -------------------------------------------------------------

// --- stage 0 --------------------------------------------------------------------------------

// --- stage 1 --------------------------------------------------------------------------------

// --- stage 2 --------------------------------------------------------------------------------

/// Relative safety margin below the fixed point of Theorem D.1's step-size condition: η is taken
/// `1 − 1e−9` times the fixed point so that the condition holds strictly after rounding (a margin
/// of `±1` ulp ≈ 1e−16 relative could flip it), while changing η by far less than any printed digit.
pub const STAGE2_ETA_SAFETY: f64 = 1e-9;

/// Relative convergence tolerance of the step-size fixed point `η = num/(q log(10rT²/ρ))`: the map
/// is a strong contraction (its derivative at the fixed point is `2/log(10rT²/ρ)`, ≈ 0.05 at the
/// literal round), so iterating to `1e−15` relative (≈ 5 ulps) reaches the fixed point to working
/// precision.
pub const STAGE2_FIXED_POINT: f64 = 1e-15;

/// Absolute threshold below which `x − log(1 + x)` is evaluated by its series `x²/2 − x³/3 + x⁴/4
/// − x⁵/5`: for `|x| < 1e−3` the truncation error `|x|⁶/6 < 2e−19` is below an ulp of `x²/2`,
/// while the direct difference would cancel all but `log10(1/|x|)` of its digits.
pub const STAGE2_LN1P_SERIES: f64 = 1e-3;

/// Relative shrink per pass (4 ulps) when a constructed state's off-support mass is brought
/// under its bound: small enough not to move the state visibly, large enough that the engine's
/// summed `‖v_S̄‖₁` (rounding error of a few ulps) falls below the bound within a few passes.
pub const STAGE2_OFF_SHRINK: f64 = 4.0 * f64::EPSILON;

// --- section F ------------------------------------------------------------------------------

// --- experiment -----------------------------------------------------------------------------
