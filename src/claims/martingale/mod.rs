//! The martingale lemmas of Appendix G: G.3 (escape above a level), G.4 (leaving a window).

use crate::claim::Claim;

pub mod lemma_g_3;
pub mod lemma_g_4;
pub mod process;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] = &[lemma_g_3::CLAIM, lemma_g_4::CLAIM];
