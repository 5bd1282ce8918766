//! Stage 1 (Appendix C, Section 3.3): the support climbs to within 0.1 of 1, the off-support mass decays.
//!
//! Shared pieces (not claims): [`setting`] (the setting at instantiated constants, Theorem 3.3's
//! literal choices, the check instances), [`audits`] (every lemma's hypotheses, printed and
//! repaired), [`states`] (the three state families), [`exact`] (the one-step inequality table and
//! its evaluation), [`chains`] (the cached practical regime).

use crate::claim::Claim;

pub mod audits;
pub mod chains;
pub mod exact;
pub mod search;
pub mod setting;
pub mod states;

pub mod lemma_c_2;
pub mod lemma_c_3;
pub mod lemma_c_4;
pub mod lemma_c_5;
pub mod lemma_c_7;
pub mod theorem_3_3;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] =
    &[lemma_c_2::CLAIM, lemma_c_3::CLAIM, lemma_c_4::CLAIM, lemma_c_5::CLAIM, lemma_c_7::CLAIM, theorem_3_3::CLAIM];
