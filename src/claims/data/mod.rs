//! The data lemmas of Appendix G: G.1 (sup-norm of Gaussian data), G.2 (column energies).

pub mod lemma_g_1;
pub mod lemma_g_2;
