//! Named tolerances, in the style of statrs' `prec.rs`: each says whether it is absolute,
//! relative or in ULPs, and why it has that value. A check never writes a bare `1e-9`.
//!
//! Sections are per part of the crate, so that a change to one part's tolerances is one hunk.

// --- engine ---------------------------------------------------------------------------------

/// Relative threshold below which a singular value counts as zero in rank decisions
/// (`σ ≤ RANK_REL_TOL · σ_max`). Relative: about `10⁴` units of `f64` roundoff times the
/// dimensions used (≤ 10³), so rounding noise in an SVD of a rank-deficient matrix is below it
/// while a genuinely non-zero singular value of a well-scaled instance is far above it.
pub const RANK_REL_TOL: f64 = 1e-12;

/// Relative tolerance of the "as or less likely" comparison `P(j) ≤ P(k)·(1 + tol)` in the
/// two-sided binomial test. Relative; the value of R's `binom.test` (`relErr = 1 + 1e-7`), so
/// that ties computed with different rounding count as ties and p-values match R's.
pub const BINOM_TEST_REL_TOL: f64 = 1e-7;

/// Stopping rule of the series for the lower incomplete gamma function: stop once a term is
/// below `SERIES_REL_STOP` times the partial sum. Relative; below the unit roundoff `2⁻⁵³ ≈
/// 1.1e-16`, so the remaining (geometrically decreasing) terms no longer change the sum.
pub const SERIES_REL_STOP: f64 = 1e-17;

/// Stopping rule of the modified Lentz continued fraction: stop once the update factor is within
/// `LENTZ_REL_STOP` of 1. Relative; about one ULP of 1 (`2⁻⁵² ≈ 2.2e-16` is the spacing above
/// 1), i.e. the factor no longer changes the product.
pub const LENTZ_REL_STOP: f64 = 1e-16;

/// The modified Lentz method's replacement for a zero denominator. Absolute; tiny but normal
/// (`f64::MIN_POSITIVE ≈ 2.2e-308` < 1e-300), so `1/LENTZ_TINY` stays finite.
pub const LENTZ_TINY: f64 = 1e-300;

// --- data and martingale lemmas -------------------------------------------------------------

/// Floor of the scale of an exact margin whose natural scale (a bound or a closed form) may be 0:
/// `scale = x.max(SCALE_FLOOR)`. Absolute; far below every scale that occurs (the bounds compared
/// are closed-form bounds of order 1e-3 and more, or exactly 0), it only keeps the scaled margin finite.
pub const SCALE_FLOOR: f64 = 1e-300;

/// Absolute distance under which two grid values written as decimal literals (multiples of 0.05
/// in `[0, 1]`) are the same grid point: their representation errors are ≤ 1e-16, distinct
/// points are ≥ 0.05 apart.
pub const GRID_EQ_ABS: f64 = 1e-9;

/// How far below its critical value `c/6 − drift` the uniform noise of G.3's "small steps"
/// process is put, so that steps are strictly below `c/6` after rounding. Absolute; much larger
/// than the rounding of `1/6 − 0.004` (≈ 1e-17) and negligible for the law of the process.
pub const STRICTLY_BELOW_ABS: f64 = 1e-9;

/// Equivalence margin of G.1's Monte-Carlo estimate of `P(max|x| > b_x)` against its exact
/// value. Absolute (probability); several standard errors of the quick budget's 20 000 sets.
pub const G1_PROB_EQ_ABS: f64 = 0.01;

/// Equivalence margin of G.2's Monte-Carlo estimate of `P(∃k: M_kk < 1/2)` at (n, d) = (40, 100)
/// against its exact value (≈ 0.29). Absolute (probability); several standard errors of 3000 sets.
pub const G2_PROB_EQ_ABS: f64 = 0.05;

/// Equivalence margin of the warm-up walks' probabilities (`P(v_t > 1)` for walk (5),
/// `P(v_t > 1 + η√t)` for walk (6)) against their exact values. Absolute (probability); several
/// standard errors of the quick budget's 4000 chains.
pub const WARMUP_PROB_EQ_ABS: f64 = 0.02;

/// Equivalence margin of the warm-up walk (5)'s means `E√v_t = κ^t` and `E v_t = 1` (short
/// horizon). Absolute; several standard errors (the variances are ≤ 1 at these horizons).
pub const WARMUP_MEAN_EQ_ABS: f64 = 0.05;

/// Equivalence margin of the warm-up walk (5)'s log-rate `E[(1/t) log v_t] = ½ log(1 − η²)`.
/// Absolute; `(1/t) log v_t` has sd ≈ η/√t, so several standard errors at the default sizes.
pub const WARMUP_LOG_RATE_EQ_ABS: f64 = 1e-3;

/// Equivalence margin of walk (6)'s mean `E v_t = 1`, relative to its sd `η√t`: a tenth of a
/// standard deviation of one walk, several standard errors of the mean over the chains.
pub const WARMUP_WALK6_MEAN_EQ_REL_SD: f64 = 0.1;

// --- stage 0 --------------------------------------------------------------------------------

// --- stage 1 --------------------------------------------------------------------------------

// --- stage 2 --------------------------------------------------------------------------------

// --- section F ------------------------------------------------------------------------------

// --- experiment -----------------------------------------------------------------------------
