//! Stage 0 (Appendix B, Section 3.2): from a large initialization to ‖v‖_∞ ≤ 1/d.

pub mod common;
pub mod lemma_3_2;
pub mod lemma_b_2;
pub mod lemma_b_4;
pub mod theorem_3_1;
