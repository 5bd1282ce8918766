//! Stage 2 (Appendix D) and the main theorem (Appendix E): rounds of bootstrapping.

pub mod common;
pub mod lemma_d_3;
pub mod lemma_d_4;
pub mod lemma_d_5;
pub mod lemma_d_6;
pub mod theorem_2_1;
pub mod theorem_d_1;
