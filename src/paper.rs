//! The paper's constants, each named once, with where the paper (or SPEC.md) sets it.
//!
//! Constants that the project chose (budgets, instance sizes, tolerances) are not here: a claim's
//! plan names its sizes, and [`crate::tol`] names every tolerance with the reason for its value.

/// ρ, the failure probability of Theorems 3.1, 3.3 and D.1 as the main proof instantiates them
/// (SPEC §4 and §7.2: "the theorem uses ρ = 0.01").
pub const RHO: f64 = 0.01;

/// c1 = 1/10: Stage 1 brings every support coordinate within c1 of 1 (Theorem 3.3; SPEC §5, "c1 = 1/10").
pub const C1: f64 = 0.1;

/// c0 = 1/10: the ratio of Stage 2's rounds, c_s = c0·c_(s−1) (Theorem D.1; SPEC §6, "c0 = 1/10").
pub const C0: f64 = 0.1;

/// ε1 = 1/10 at the literal Stage-1 instance (SPEC §5.9: "Literal constants … ε1 = 0.1").
pub const STAGE1_EPS1: f64 = 0.1;

/// log(1/ε_min) = 250 at the literal Stage-1 instance: what Stage 0 produces (SPEC §5.9).
pub const STAGE1_LOG_INV_EPS_MIN: f64 = 250.0;

/// d = 100 at the literal Stage-1 instance (SPEC §5.9).
pub const STAGE1_D: usize = 100;

/// r = 5 at the literal Stage-1 instance (SPEC §5.9).
pub const STAGE1_R: usize = 5;
