//! A process-wide memo, so that the claims of one family share one expensive simulation within a
//! process (e.g. `run` executes D.1 and D.3–D.6, which all read the same literal-round chains).
//!
//! A value is computed once per `(family, key)`; concurrent callers wait for it and share it. The
//! key must determine the value completely (seed, budget, overrides, constants, chain counts):
//! the memo never changes a result, it only avoids recomputing it.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

type Slot = Arc<OnceLock<Arc<dyn Any + Send + Sync>>>;

fn table() -> &'static Mutex<HashMap<(String, String), Slot>> {
    static T: OnceLock<Mutex<HashMap<(String, String), Slot>>> = OnceLock::new();
    T.get_or_init(Default::default)
}

/// `f()` computed once per `(family, key)` in this process.
///
/// # Panics
/// If the same `(family, key)` is requested with two different types (a programming error).
pub fn cached<T: Any + Send + Sync>(family: &str, key: String, f: impl FnOnce() -> T) -> Arc<T> {
    let slot = {
        let mut m = table().lock().unwrap_or_else(|e| e.into_inner());
        m.entry((family.to_string(), key)).or_insert_with(|| Arc::new(OnceLock::new())).clone()
    };
    let v = slot.get_or_init(|| Arc::new(f()) as Arc<dyn Any + Send + Sync>).clone();
    v.downcast::<T>().unwrap_or_else(|_| panic!("engine::cache: family '{family}' used one key with two types"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_family_and_key() {
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let f = || {
            calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            7u32
        };
        assert_eq!(*cached("t-a", "k".into(), f), 7);
        assert_eq!(*cached("t-a", "k".into(), f), 7);
        assert_eq!(*cached("t-b", "k".into(), f), 7);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    }
}
