//! The authors' experiment (Appendix A.1, Figure 1).

use crate::claim::Claim;

pub mod figure_1;
pub mod one_step;
pub mod plots;
pub mod protocol;
pub mod runs;
pub mod statements;
pub mod summaries;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] = &[figure_1::CLAIM];
