//! Appendix F: Lemma F.1 (the null space meets the orthant), Theorem 2.2 (the partition function diverges), Langevin dynamics.

pub mod langevin;
pub mod lemma_f_1;
pub mod theorem_2_2;
