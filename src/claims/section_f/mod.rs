//! Appendix F: Lemma F.1 (the null space meets the orthant), Theorem 2.2 (the partition function
//! diverges), Langevin dynamics.

use crate::claim::Claim;

pub mod construction;
pub mod exact;
pub mod langevin;
pub mod langevin_check;
pub mod lemma_f_1;
pub mod orthant_lp;
pub mod partition_estimators;
pub mod partition_growth;
pub mod theorem_2_2;
pub mod wendel;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] = &[lemma_f_1::CLAIM, theorem_2_2::CLAIM];
