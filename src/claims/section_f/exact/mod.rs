//! The exact layers of Section F, one file per statement (as in `stage0/exact/`).

pub mod lemma_f_1;
