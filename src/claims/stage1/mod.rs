//! Stage 1 (Appendix C, Section 3.3): the support climbs to within 0.1 of 1, the off-support mass decays.

pub mod common;
pub mod lemma_c_2;
pub mod lemma_c_3;
pub mod lemma_c_4;
pub mod lemma_c_5;
pub mod lemma_c_7;
pub mod theorem_3_3;
