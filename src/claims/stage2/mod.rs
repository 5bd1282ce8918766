//! Stage 2 (Appendix D) and the main theorem (Appendix E): rounds of bootstrapping.
//!
//! Shared pieces (not claims): [`setting`] (the round's constants, D.1's step size, the
//! instances), [`states`] (the states of the exact checks and the start states), [`exact`] (the
//! closed-form one-step margins and the table of window checks), [`chains`] (the cached Monte
//! Carlo of a round), [`audits`] (the hypotheses validator) and [`end_to_end`] (Theorem 2.1's
//! end-to-end chains).

use crate::claim::Claim;

pub mod audits;
pub mod chains;
pub mod end_to_end;
pub mod exact;
pub mod lemma_d_3;
pub mod lemma_d_4;
pub mod lemma_d_5;
pub mod lemma_d_6;
pub mod search;
pub mod setting;
pub mod states;
pub mod theorem_2_1;
pub mod theorem_d_1;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] =
    &[theorem_d_1::CLAIM, lemma_d_3::CLAIM, lemma_d_4::CLAIM, lemma_d_5::CLAIM, lemma_d_6::CLAIM, theorem_2_1::CLAIM];
