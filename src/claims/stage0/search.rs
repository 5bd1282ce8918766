//! The adversarial searches of this stage's one-step inequalities (see [`crate::claims::search`]).

use crate::claims::search::Searchable;

/// This stage's searchables, in paper order.
pub fn searchables() -> Vec<Searchable> {
    Vec::new()
}
