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

/// Ulps (of the larger compared side) within which an exact check's worst margin is an equality
/// decided by rounding, reported as "equality (by rounding)", not as a pass or a failure. Margins
/// are differences of sums of at most a few hundred terms, each rounded once, so a genuine gap is
/// far above 16 ulps while an identity that the arithmetic makes positive or negative lands within
/// a few (E-C5's (66) margin 9.4e-16 at magnitude ~1 is about 4 ulps).
pub const EQUALITY_BY_ROUNDING_ULPS: f64 = 16.0;

/// The largest equivalence margin for an exact law (Wendel, the binomial law of K, Lemma G.1/G.2's
/// exact probabilities), stated before any run: absolute, on a probability.
pub const EXACT_LAW_PROB_MARGIN: f64 = 0.02;
/// The largest equivalence margin for an exact law of a mean (E√v_t = κ^t, E‖ṽ‖₁ = τd), stated
/// before any run: relative to the target.
pub const EXACT_LAW_MEAN_REL_MARGIN: f64 = 0.02;

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

/// Equivalence margin of walk (6)'s mean `E v_t = 1`, in units of its standard deviation `η√t`
/// (stated before any run). The law is `N(1, η²t)` with `η√t ≫ 1`, so a margin relative to the
/// target 1 is meaningless (2% of 1 is 0.003 sd and would need ~2e6 chains); a shift of the mean
/// by `0.05` sd moves every probability of the law by at most `0.05/√(2π) = 0.0199`, within
/// [`EXACT_LAW_PROB_MARGIN`]. Replaces the hand-chosen `0.1` sd of issue 13's review.
pub const WARMUP_WALK6_MEAN_SD_MARGIN: f64 = 0.05;

// --- stage 0 --------------------------------------------------------------------------------

// (Lemma B.2's equality `E‖ṽ_b[t]‖₁ = τd` uses [`EXACT_LAW_MEAN_REL_MARGIN`]; the hand-chosen
// `S0_MEAN_L1_REL = 0.15` of before issue 13 is gone.)

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

/// Relative: the E-C7 witness's worst (79) margin over `(ηδ)²` (≈ −4.84e−9) computed in `f64`
/// (pairwise over `s = ±δ`, gradient part formed directly) against a 50-digit mpmath computation of
/// the same data (including the `1e−12` safety on `M_kk`). The `f64` data differ from the exact ones
/// by an ulp (shifting the scaled margin by ≲ 1e−16/16 ≈ 1e−17, i.e. ≲ 1e−8 of it) and the pairwise
/// sum adds a few ulps; 1e−6 is far above both and far below the 100% a sign error would give.
pub const STAGE1_EC7_REF_REL: f64 = 1e-6;

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

/// Absolute, per unit of `d`: `|AᵀA − I|` and `‖X a_j‖/‖X‖_F` for the proof's orthonormal `A`
/// (164). Gram–Schmidt applied twice leaves each entry within a few ULPs times `d`; `1e−12·d`
/// allows ~4500 ULPs per summed coordinate, far below any failure of orthogonality.
pub const F_ORTHONORMAL_PER_D: f64 = 1e-12;

/// Relative, in ULPs: the rounding allowance of `u = Aũ` at the sampled points of `S'`
/// (171)–(172), 64 ULPs of `Σ_j |a_ij ũ_j|`: a sum of `d ≤ 100` products loses at most `d`
/// half-ULPs in the worst case, typically `√d`.
pub const F_CONSTRUCTION_ROUND: f64 = 64.0 * f64::EPSILON;

/// Absolute, per unit of `d`: the rounding allowance of the bound (173),
/// `Σ_i ln((ū_i + 2a_(i,n+1)z)/u_i) ≥ 0`, a sum of `d` differences of logarithms of size
/// `|ln| ≲ 30`, each exact to a few ULPs (≈ 1e−14); 1e−12 per term.
pub const F_LOG_SUM_PER_D: f64 = 1e-12;

/// Absolute: the integrand's log-slope (175) at `z = 1e12` against its limit `d/2 − n − 1`
/// (analytic and finite differences over `[1e11, 1e12]`). The remainder is `O(ū/(a z)) ≈ 1e−11`
/// and the finite difference loses ~1e−16·ln(1e12)·d to rounding; 1e−6 is a wide margin.
pub const F_LOG_SLOPE: f64 = 1e-6;

/// Relative: `Z_R` at `n = 0` by the polar formula against the ball volume. Both are closed forms
/// through `ln Γ` and `exp` (a few ULPs each, amplified by `|ln Z| ≲ 300`): 1e−12.
pub const F_ZR_N0_REL: f64 = 1e-12;

/// Relative: `Z_R` at `d = 2` by the Dirichlet/γ formula (20 000-point midpoint rule) against a
/// brute-force 1500 × 4000 midpoint rule in `v`-space; both discretizations are `O(h²) ≈ 1e−7`.
pub const F_ZR_QUAD_REL: f64 = 1e-6;

/// Relative: finding the literal radii `10, 1e2, 1e3, 1e4` on the grid `R_k = 10^{k/2}` (`powf`
/// is accurate to an ULP or two; grid points differ by a factor `√10`).
pub const F_GRID_MATCH_REL: f64 = 1e-9;

/// Absolute: the exponent `d/4 − n/2` is a multiple of ¼, so it is zero (log growth of `Z_R`) iff
/// it is below this; any positive threshold below ¼ gives the same answer.
pub const F_ZERO_EXPONENT: f64 = 1e-12;

/// Absolute: `|t* + s*|` of the primal and dual orthant LPs (strong duality). microlp's internal
/// feasibility tolerance is 1e−8; ten times that allows for the normalization of both LPs.
pub const F_LP_DUALITY: f64 = 1e-7;

/// Absolute: the floating-point Wendel probability at the hand-checkable `(d, n)` against its
/// dyadic value (½, ¾, ¼, 11/16): log-sum-exp and `exp` of a few terms, ~4 ULPs of 1.
pub const F_HAND_VALUE: f64 = 1e-15;

/// Relative: the conic Crofton formula against Wendel's, both log-sum-exp of `ln C(·,·)` terms
/// from statrs' `ln_binomial` (relative error ~1e−14 each, amplified by `|ln P| ≲ 3500` at
/// `d = 5000`): 1e−10.
pub const F_CROFTON_REL: f64 = 1e-10;

/// Absolute floor of the denominator of [`F_CROFTON_REL`]'s relative error: a probability that
/// underflows to 0 is compared absolutely (no 0/0).
pub const F_PROB_FLOOR: f64 = 1e-300;

/// Relative: Wendel's probability against statrs' binomial survival function (regularized
/// incomplete beta, accurate to ~1e−10 relative where the probability is not tiny).
pub const F_STATRS_REL: f64 = 1e-9;

/// Absolute: below this probability statrs' survival function loses its relative accuracy
/// (complement of a sum near 1), so the cross-check with [`F_STATRS_REL`] is not made there.
pub const F_STATRS_MIN: f64 = 1e-12;

/// Absolute: `|P(meet) + P(miss) − 1|`, each computed on its own by log-sum-exp (a few ULPs of 1
/// each, over up to 5000 terms).
pub const F_COMPLEMENT: f64 = 1e-11;

/// Absolute: `d/3 ≤ d/2 − 9√d` in the E-F1c table is decided with this slack so that the equality
/// at `d = 2916` (`√2916 = 54`) is not lost to the rounding of `sqrt`.
pub const F_THRESHOLD_SLACK: f64 = 1e-12;

// --- experiment -----------------------------------------------------------------------------

/// Relative: the one-step decodings of Figure 1's experiment (a step minus GD's, divided by
/// `ηv_k`, matched to `s x^(i)` or `−δ(r_i x^(i) − r_j x^(j))`), in units of the step's scale.
/// Dividing by `η = 1e−4` amplifies the rounding of `v' − v` to ≲ 1e−11; 1e−8 leaves room, and
/// a step of another form misses by O(1).
pub const FIG1_DECODE_REL: f64 = 1e-8;

/// Largest `|x|` of a data entry read from a file (`--data`): the losses and gradients are
/// polynomials of degree up to 4 in the entries (`⟨v⊙v, x⟩²` and its gradient times `x`), so entries
/// beyond this leave f64 after a few steps and every statistic of the run would be non-finite.
/// Standardised data are `O(1)`; a file with larger entries is refused with the file, line and range.
pub const MAX_DATA_ABS: f64 = 1e6;
