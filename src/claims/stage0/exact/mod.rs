//! The table form of the Stage-0 exact checks: each inequality is an [`Ineq`] entry (stable key,
//! printed id and statement, role) whose margin closure is evaluated at every *site* of a claim
//! (a grid point, a coordinate, a state, a state and coordinate, …). The closure returns `None`
//! where the inequality is not evaluated, else the [`Margin`] and how the site is described
//! ([`Site::At`]), so that the description is formatted only for a new worst margin.
//!
//! One file per statement with exact checks, each naming its sites and its closure type, e.g.
//! `dyn Fn(&Point<'_>) -> Option<(Margin, Show)> + Send + Sync`; the keys are the claims' own.

pub mod lemma_b_2;
pub mod lemma_b_4;
pub mod theorem_3_1;

use crate::evidence::{ExactCheck, Ineq, Margin};

/// A place where a claim's inequalities are evaluated.
pub trait Site {
    /// How an entry asks for the site to be described (the same site reads differently for
    /// different inequalities, e.g. with or without `M_kk`).
    type At: Copy;
    /// The description of the site, the `worst_at` of a check whose worst margin is here.
    fn describe(&self, at: Self::At) -> String;
}

/// The checks of a table, in its order, each keyed by its entry's key and followed by its control
/// (keyed `<key>!control`) when the entry has one.
pub fn checks<F: ?Sized>(table: &[Ineq<F>]) -> Vec<ExactCheck> {
    table.iter().flat_map(|i| std::iter::once(i.check()).chain(i.control_check())).collect()
}

/// Evaluate every entry of `table` and its control at `site` (the same loop, the same states) and
/// record the margins in `checks` (made by [`checks`] from the same table).
pub fn record<S: Site, F>(table: &[Ineq<F>], checks: &mut [ExactCheck], site: &S)
where
    F: ?Sized + Fn(&S) -> Option<(Margin, S::At)>,
{
    let mut j = 0;
    for ineq in table {
        if let Some((m, at)) = (ineq.eval)(site) {
            checks[j].record_margin(m, || site.describe(at));
        }
        j += 1;
        if let Some((_, eval)) = &ineq.control {
            if let Some((m, at)) = eval(site) {
                checks[j].record_margin(m, || site.describe(at));
            }
            j += 1;
        }
    }
}

/// The check with this key (the keys of a table are distinct).
pub fn keyed<'a>(checks: &'a [ExactCheck], key: &str) -> &'a ExactCheck {
    checks.iter().find(|c| c.key == key).unwrap_or_else(|| panic!("no exact check keyed {key}"))
}
