//! The authors' experiment (Appendix A.1, Figure 1).

pub mod figure_1;
