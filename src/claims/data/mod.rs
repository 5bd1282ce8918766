//! The data lemmas of Appendix G: G.1 (sup-norm of Gaussian data), G.2 (column energies).

use crate::claim::Claim;

pub mod lemma_g_1;
pub mod lemma_g_2;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] = &[lemma_g_1::CLAIM, lemma_g_2::CLAIM];
