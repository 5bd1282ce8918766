//! One module per paper statement, and the registry every view reads.
//!
//! Each module's documentation quotes the statement with its equation numbers and exports one
//! `pub const CLAIM: Claim`. The order of [`all`] is the order of the report and of PAPER_MAP.md
//! (paper order: warm-up, data lemmas, Stage 0, Stage 1, Stage 2, main theorem, Section F,
//! experiment).

use crate::claim::Claim;
use crate::error::{Error, Result};

// Section 3.1 and the data lemmas of Appendix G.
pub mod g1;
pub mod g2;
pub mod warmup;

// Stage 0 (Appendix B, Section 3.2).
pub mod b2;
pub mod b4;
pub mod l3_2;
pub mod stage0_common;
pub mod t3_1;

// Martingale lemmas and Stage 1 (Appendices G, C; Section 3.3).
pub mod c2;
pub mod c3;
pub mod c4;
pub mod c5;
pub mod c7;
pub mod g3;
pub mod g4;
pub mod stage1_common;
pub mod t3_3;

// Stage 2 and the main theorem (Appendices D, E).
pub mod d1;
pub mod d3;
pub mod d4;
pub mod d5;
pub mod d6;
pub mod stage2_common;
pub mod t2_1;

// Section F: Lemma F.1, Theorem 2.2, Langevin dynamics.
pub mod f1;
pub mod section_f_langevin;
pub mod t2_2;

// The authors' experiment (Appendix A.1, Figure 1).
pub mod fig1;

static ALL: &[Claim] = &[
    warmup::CLAIM,
    g1::CLAIM,
    g2::CLAIM,
    // stage 0
    b2::CLAIM,
    l3_2::CLAIM,
    b4::CLAIM,
    t3_1::CLAIM,
    // stage 1
    g3::CLAIM,
    g4::CLAIM,
    c2::CLAIM,
    c3::CLAIM,
    c4::CLAIM,
    c5::CLAIM,
    c7::CLAIM,
    t3_3::CLAIM,
    // stage 2 + theorem 2.1
    d1::CLAIM,
    d3::CLAIM,
    d4::CLAIM,
    d5::CLAIM,
    d6::CLAIM,
    t2_1::CLAIM,
    // section F
    f1::CLAIM,
    t2_2::CLAIM,
    // experiment
    fig1::CLAIM,
];

/// Every claim, in paper order.
pub fn all() -> &'static [Claim] {
    ALL
}

/// The claim with this id (case-insensitive).
pub fn find(id: &str) -> Result<&'static Claim> {
    ALL.iter().find(|c| c.id.eq_ignore_ascii_case(id)).ok_or_else(|| Error::UnknownClaim {
        id: id.to_string(),
        known: ALL.iter().map(|c| c.id.to_string()).collect(),
    })
}
