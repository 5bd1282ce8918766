//! The authors' experiment (Appendix A.1, Figure 1).

pub mod figure_1;
pub mod one_step;
pub mod plots;
pub mod protocol;
pub mod runs;
pub mod statements;
pub mod summaries;
