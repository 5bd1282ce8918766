//! The martingale lemmas of Appendix G: G.3 (escape above a level), G.4 (leaving a window).

pub mod lemma_g_3;
pub mod lemma_g_4;
