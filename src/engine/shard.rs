//! Sharded runs: `run --shard K/N` records its units of work in a partial file, and `merge` replays
//! them so the claims run exactly as in an unsharded run.
//!
//! A *unit* is `(claim, call number, label, index range)`: the `s`-th top-level call of
//! [`Runner::map`](crate::engine::runner::Runner::map) made by a claim, restricted to the indices
//! one shard owns. Index `j` of a call over `count` items belongs to shard `j / ⌈count/N⌉ + 1`
//! ([`owned_range`]), the same rule for every call, so a later call over the same chain indices is
//! owned by the same shard as the call that produced them.
//!
//! A partial file `shard-K-of-N.partial` is
//!
//! ```text
//! MAGIC (16 bytes) · format version (u32 LE) · total length in bytes (u64 LE)
//! · postcard(Partial) · CRC-32 of every byte before it (u32 LE)
//! ```
//!
//! `Partial` holds the [`Plan`] (budget, seed, claims, overrides, crate version) and its hash,
//! `K`, `N`, and per claim the full sequence of top-level calls (label, count, kind) with this
//! shard's outputs of the calls it owns indices of, serialized exactly (postcard: f64 bits as
//! they are, NaN and ±∞ included). Every shard records the whole call sequence, also when it owns
//! nothing, so `merge` can check that all shards ran the same plan the same way.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::engine::runner::Unit;
use crate::error::{Error, Result};

/// The first bytes of every partial file.
pub const MAGIC: &[u8; 16] = b"shape-matters-pf";
/// The partial-file format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes before the payload: magic, version, total length.
const HEAD_LEN: usize = 16 + 4 + 8;
/// Bytes of the trailing checksum.
const CRC_LEN: usize = 4;
/// The largest accepted `N` of `--shard K/N`.
pub const MAX_SHARDS: usize = 100_000;

/// The indices of `0..count` that shard `k` of `n` owns: chunk `⌈count/n⌉`, shard `k` owns
/// `[(k−1)·chunk, k·chunk) ∩ [0, count)`.
pub fn owned_range(k: usize, n: usize, count: usize) -> Range<usize> {
    let chunk = count.div_ceil(n.max(1));
    let lo = ((k - 1) * chunk).min(count);
    let hi = (k * chunk).min(count);
    lo..hi
}

/// The file name of shard `k` of `n`.
pub fn file_name(k: usize, n: usize) -> String {
    format!("shard-{k}-of-{n}.partial")
}

/// Parse `--shard K/N` (`1 ≤ K ≤ N ≤` [`MAX_SHARDS`]).
pub fn parse_spec(s: &str) -> Result<(usize, usize)> {
    let bad = || Error::InvalidParam {
        name: "--shard".into(),
        value: s.to_string(),
        valid: format!("must be K/N with integers 1 <= K <= N <= {MAX_SHARDS}, e.g. --shard 2/8"),
    };
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    let n: usize = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n || n > MAX_SHARDS {
        return Err(bad());
    }
    Ok((k, n))
}

/// What every shard of one run must agree on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// `--budget`.
    pub budget: String,
    /// `--seed`.
    pub seed: u64,
    /// The claims run, in order (`--only`, or every registered claim).
    pub claims: Vec<String>,
    /// The parameter overrides (`Debug` of the value; a `run` has none).
    pub overrides: String,
    /// The crate version.
    pub version: String,
}

impl Plan {
    /// The plan hash: CRC-32 of the plan's encoding.
    pub fn hash(&self) -> u32 {
        crc32fast::hash(&postcard::to_stdvec(self).expect("plan encodes"))
    }
    /// The first field in which `self` and `other` differ, as `name: self vs other`.
    fn first_difference(&self, other: &Plan) -> Option<String> {
        let f = |name: &str, a: String, b: String| (a != b).then(|| format!("{name} {a} vs {b}"));
        f("--budget", self.budget.clone(), other.budget.clone())
            .or_else(|| f("--seed", self.seed.to_string(), other.seed.to_string()))
            .or_else(|| f("claims (--only)", self.claims.join(","), other.claims.join(",")))
            .or_else(|| f("overrides", self.overrides.clone(), other.overrides.clone()))
            .or_else(|| f("crate version", self.version.clone(), other.version.clone()))
    }
}

/// How a top-level call is sharded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallKind {
    /// Indices split between the shards, outputs recorded ([`Runner::map`](super::runner::Runner::map)).
    Sharded,
    /// Computed in full by every shard and by `merge`, nothing recorded
    /// ([`Runner::map_full`](super::runner::Runner::map_full)).
    Full,
    /// Skipped by the shards, computed in full by `merge`
    /// ([`Runner::map_local`](super::runner::Runner::map_local)); its count is not recorded.
    Local,
}

/// One top-level call: its label, its count and its kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub label: String,
    pub count: u64,
    pub kind: CallKind,
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            CallKind::Sharded => write!(f, "'{}' × {} (sharded)", self.label, self.count),
            CallKind::Full => write!(f, "'{}' × {} (full)", self.label, self.count),
            CallKind::Local => write!(f, "'{}' (local)", self.label),
        }
    }
}

/// One shard's outputs of one call: indices `lo..hi`, postcard-encoded as a `Vec`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    pub lo: u64,
    pub hi: u64,
    pub bytes: Vec<u8>,
}

/// How a claim's execution ended in a shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Status {
    /// Ran to its end (on placeholder data where other shards own the work).
    Finished,
    /// Returned an error.
    Error(String),
    /// Panicked (typically on another shard's placeholder data): its later calls are missing.
    Panicked(String),
}

/// The calls of one claim in one shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimLog {
    pub id: String,
    pub status: Status,
    pub calls: Vec<Call>,
    /// Parallel to `calls`: this shard's outputs of a sharded call (`None` for a full call).
    pub chunks: Vec<Option<Chunk>>,
}

/// The content of a partial file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    pub plan: Plan,
    pub plan_hash: u32,
    pub k: u64,
    pub n: u64,
    pub claims: Vec<ClaimLog>,
}

impl Partial {
    /// The file's bytes (see the module doc).
    pub fn encode(&self) -> Vec<u8> {
        let body = postcard::to_stdvec(self).expect("partial encodes");
        let total = HEAD_LEN + body.len() + CRC_LEN;
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(total as u64).to_le_bytes());
        out.extend_from_slice(&body);
        let crc = crc32fast::hash(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decode and check a partial file's bytes; `file` names it in the error.
    pub fn decode(bytes: &[u8], file: &str) -> Result<Partial> {
        let err = |m: String| Error::Partial { file: file.to_string(), message: m };
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(err("not a shape-matters partial file (written by `run --shard K/N`)".into()));
        }
        if bytes.len() < HEAD_LEN + CRC_LEN {
            return Err(err(format!("truncated: {} bytes, shorter than the partial-file header", bytes.len())));
        }
        let version = u32::from_le_bytes(bytes[16..20].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(err(format!(
                "partial-file format version {version}; this build reads version {FORMAT_VERSION}"
            )));
        }
        let total = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes"));
        if (bytes.len() as u64) < total {
            return Err(err(format!("truncated: {} of {total} bytes", bytes.len())));
        }
        if (bytes.len() as u64) > total {
            return Err(err(format!(
                "corrupt: {} bytes, {} more than its header states",
                bytes.len(),
                bytes.len() as u64 - total
            )));
        }
        let (body, crc) = bytes.split_at(bytes.len() - CRC_LEN);
        let stored = u32::from_le_bytes(crc.try_into().expect("4 bytes"));
        if crc32fast::hash(body) != stored {
            return Err(err("corrupt: checksum (CRC-32) mismatch".into()));
        }
        let p: Partial =
            postcard::from_bytes(&body[HEAD_LEN..]).map_err(|e| err(format!("corrupt: cannot decode ({e})")))?;
        if p.plan.hash() != p.plan_hash {
            return Err(err("corrupt: the plan hash does not match the plan".into()));
        }
        let (k, n) = (p.k as usize, p.n as usize);
        if k == 0 || k > n || n > MAX_SHARDS {
            return Err(err(format!("corrupt: shard {k} of {n}")));
        }
        for c in &p.claims {
            if c.calls.len() != c.chunks.len() {
                return Err(err(format!(
                    "corrupt: claim {} has {} calls but {} chunks",
                    c.id,
                    c.calls.len(),
                    c.chunks.len()
                )));
            }
            for (s, (call, chunk)) in c.calls.iter().zip(&c.chunks).enumerate() {
                let own = owned_range(k, n, call.count as usize);
                let ok = match (call.kind, chunk) {
                    (CallKind::Sharded, Some(ch)) => ch.lo as usize == own.start && ch.hi as usize == own.end,
                    (CallKind::Full | CallKind::Local, None) => true,
                    _ => false,
                };
                if !ok {
                    return Err(err(format!("corrupt: claim {} call #{} {call} has the wrong chunk", c.id, s + 1)));
                }
            }
        }
        Ok(p)
    }

    /// Read and decode a partial file.
    pub fn read(path: &Path) -> Result<Partial> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::Partial { file: file.clone(), message: format!("cannot read: {e}") })?;
        Partial::decode(&bytes, &file)
    }

    /// Indices computed by this shard, and the total of sharded indices.
    pub fn units(&self) -> (u64, u64) {
        let mut own = 0;
        let mut all = 0;
        for c in &self.claims {
            for (call, chunk) in c.calls.iter().zip(&c.chunks) {
                if call.kind == CallKind::Sharded {
                    all += call.count;
                }
                if let Some(ch) = chunk {
                    own += ch.hi - ch.lo;
                }
            }
        }
        (own, all)
    }
}

/// Records the top-level calls of a sharded run.
#[derive(Debug)]
pub struct Recorder {
    k: usize,
    n: usize,
    claims: Mutex<Vec<ClaimLog>>,
    /// The current claim is recomputed in full (it panicked on placeholders): every index of a
    /// call is computed, the owned ones recorded.
    full: std::sync::atomic::AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Recorder {
    /// A recorder for shard `k` of `n`.
    pub fn new(k: usize, n: usize) -> Recorder {
        Recorder { k, n, claims: Mutex::new(Vec::new()), full: std::sync::atomic::AtomicBool::new(false) }
    }
    /// Shard number `K`.
    pub fn k(&self) -> usize {
        self.k
    }
    /// Number of shards `N`.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Start claim `id`'s call log.
    pub fn begin_claim(&self, id: &str) {
        lock(&self.claims).push(ClaimLog {
            id: id.to_string(),
            status: Status::Finished,
            calls: vec![],
            chunks: vec![],
        });
    }
    /// Set the current claim's calls aside and compute its calls in full (`on`), or go back to
    /// computing owned indices only. Returns the calls set aside.
    pub fn restart_claim_in_full(&self, on: bool) -> Option<ClaimLog> {
        let mut kept = None;
        if on && let Some(c) = lock(&self.claims).last_mut() {
            kept = Some(c.clone());
            c.calls.clear();
            c.chunks.clear();
            c.status = Status::Finished;
        }
        self.full.store(on, std::sync::atomic::Ordering::SeqCst);
        kept
    }
    /// After a claim was run again in full: keep the new log if its calls extend the first
    /// attempt's (`first`), else restore the first attempt's (e.g. the second attempt read a
    /// process-wide cached run that the first filled, so it did not repeat those calls).
    pub fn keep_full_or_restore(&self, first: ClaimLog) -> bool {
        let mut claims = lock(&self.claims);
        let Some(c) = claims.last_mut() else { return false };
        let extends = c.calls.len() >= first.calls.len() && c.calls[..first.calls.len()] == first.calls[..];
        if !extends {
            *c = first;
        }
        extends
    }
    /// Is the current claim computed in full?
    pub fn in_full(&self) -> bool {
        self.full.load(std::sync::atomic::Ordering::SeqCst)
    }
    /// Set the current claim's status.
    pub fn end_claim(&self, status: Status) {
        if let Some(c) = lock(&self.claims).last_mut() {
            c.status = status;
        }
    }
    /// Log a top-level call; returns its number within the claim.
    pub fn call(&self, label: &str, count: usize, kind: CallKind) -> usize {
        let mut claims = lock(&self.claims);
        if claims.is_empty() {
            claims.push(ClaimLog { id: String::new(), status: Status::Finished, calls: vec![], chunks: vec![] });
        }
        let c = claims.last_mut().expect("a claim");
        c.calls.push(Call { label: label.to_string(), count: count as u64, kind });
        c.chunks.push(None);
        c.calls.len() - 1
    }
    /// Store this shard's outputs `part` (indices `own`) of call `seq` of the current claim.
    pub fn store<T: Unit>(&self, seq: usize, own: Range<usize>, part: &[T]) {
        let bytes = postcard::to_stdvec(part).expect("map outputs encode (postcard)");
        let mut claims = lock(&self.claims);
        let c = claims.last_mut().expect("a claim");
        c.chunks[seq] = Some(Chunk { lo: own.start as u64, hi: own.end as u64, bytes });
    }
    /// The partial file's content for `plan`.
    pub fn finish(&self, plan: Plan) -> Partial {
        let plan_hash = plan.hash();
        Partial { plan, plan_hash, k: self.k as u64, n: self.n as u64, claims: lock(&self.claims).clone() }
    }
}

/// Check a set of partial files (named by `files`, same order) before anything is computed:
/// one plan, one `N`, every shard `1..=N` exactly once, the same call sequence in every shard.
/// Returns them sorted by `K`.
pub fn validate(parts: Vec<(String, Partial)>) -> Result<Vec<(String, Partial)>> {
    let merge_err = |file: &str, m: String| Error::Partial { file: file.to_string(), message: m };
    let Some((f0, p0)) = parts.first() else {
        return Err(Error::Usage("merge needs at least one partial file".into()));
    };
    for (f, p) in &parts[1..] {
        if p.n != p0.n {
            return Err(merge_err(f, format!("is a shard of N = {}, but {f0} is a shard of N = {}", p.n, p0.n)));
        }
        if let Some(d) = p.plan.first_difference(&p0.plan) {
            return Err(merge_err(
                f,
                format!(
                    "comes from a different plan than {f0}: {d} (plan hash {:08x} vs {:08x})",
                    p.plan_hash, p0.plan_hash
                ),
            ));
        }
    }
    let mut by_k: BTreeMap<u64, (String, Partial)> = BTreeMap::new();
    for (f, p) in parts {
        if let Some((g, _)) = by_k.get(&p.k) {
            return Err(merge_err(&f, format!("is shard {} of {}, and so is {g} (a shard given twice)", p.k, p.n)));
        }
        by_k.insert(p.k, (f, p));
    }
    let n = by_k.values().next().map(|(_, p)| p.n).unwrap_or(0);
    let missing: Vec<String> = (1..=n).filter(|k| !by_k.contains_key(k)).map(|k| k.to_string()).collect();
    if !missing.is_empty() {
        let got: Vec<String> = by_k.keys().map(|k| k.to_string()).collect();
        return Err(Error::Partial {
            file: "merge".into(),
            message: format!("missing shard(s) {} of {n} (given: {})", missing.join(", "), got.join(", ")),
        });
    }
    let sorted: Vec<(String, Partial)> = by_k.into_values().collect();
    let (fa, pa) = &sorted[0];
    for (fb, pb) in &sorted[1..] {
        if let Some(d) = sequence_difference(pa, pb) {
            return Err(merge_err(fb, format!("ran a different call sequence than {fa}: {d}")));
        }
    }
    Ok(sorted)
}

fn status_note(s: &Status) -> String {
    match s {
        Status::Finished => String::new(),
        Status::Error(m) => format!(" (there the claim returned an error: {m})"),
        Status::Panicked(m) => format!(" (there the claim stopped early: panicked: {m})"),
    }
}

/// Where the call sequences of two shards first differ.
fn sequence_difference(a: &Partial, b: &Partial) -> Option<String> {
    if a.claims.len() != b.claims.len() {
        return Some(format!("{} claims vs {}", b.claims.len(), a.claims.len()));
    }
    for (ca, cb) in a.claims.iter().zip(&b.claims) {
        if ca.id != cb.id {
            return Some(format!("claim {} vs {}", cb.id, ca.id));
        }
        for (s, (x, y)) in ca.calls.iter().zip(&cb.calls).enumerate() {
            if x != y {
                return Some(format!("claim {} call #{}: {y} vs {x}", ca.id, s + 1));
            }
        }
        if ca.calls.len() != cb.calls.len() {
            return Some(format!(
                "claim {}: {} calls{} vs {}{}",
                ca.id,
                cb.calls.len(),
                status_note(&cb.status),
                ca.calls.len(),
                status_note(&ca.status)
            ));
        }
    }
    None
}

/// One claim of a replayed run: its calls and, per call, the shards' chunks in shard order.
#[derive(Debug)]
struct ReplayClaim {
    id: String,
    calls: Vec<Call>,
    chunks: Vec<Vec<Chunk>>,
    /// A shard's status other than [`Status::Finished`], if any.
    note: String,
}

#[derive(Debug, Default)]
struct ReplayState {
    claim: Option<usize>,
    seq: usize,
    error: Option<String>,
}

/// Replays the recorded outputs of validated partial files.
#[derive(Debug)]
pub struct Replayer {
    claims: Vec<ReplayClaim>,
    state: Mutex<ReplayState>,
}

impl Replayer {
    /// From validated partial files sorted by shard ([`validate`]).
    pub fn new(parts: Vec<(String, Partial)>) -> Replayer {
        let mut claims: Vec<ReplayClaim> = Vec::new();
        for (_, p) in parts {
            for (i, c) in p.claims.into_iter().enumerate() {
                if claims.len() <= i {
                    claims.push(ReplayClaim {
                        id: c.id.clone(),
                        calls: c.calls.clone(),
                        chunks: vec![Vec::new(); c.calls.len()],
                        note: String::new(),
                    });
                }
                let rc = &mut claims[i];
                if rc.note.is_empty() {
                    rc.note = status_note(&c.status);
                }
                for (s, ch) in c.chunks.into_iter().enumerate() {
                    if let Some(ch) = ch {
                        rc.chunks[s].push(ch);
                    }
                }
            }
        }
        Replayer { claims, state: Mutex::new(ReplayState::default()) }
    }

    /// Start replaying claim `id`'s calls.
    pub fn begin_claim(&self, id: &str) {
        let mut st = lock(&self.state);
        st.seq = 0;
        st.claim = self.claims.iter().position(|c| c.id == id);
        if st.claim.is_none() && st.error.is_none() {
            st.error = Some(format!("claim {id} is not in the partial files"));
        }
    }

    /// The first replay error (a call the shards did not record as the merge makes it).
    pub fn error(&self) -> Option<String> {
        lock(&self.state).error.clone()
    }

    /// Check that the current claim made every recorded call.
    pub fn end_claim(&self) -> Option<String> {
        let mut st = lock(&self.state);
        if st.error.is_none()
            && let Some(i) = st.claim
        {
            let c = &self.claims[i];
            if st.seq != c.calls.len() {
                st.error = Some(format!(
                    "claim {}: the merge made {} calls, the shards recorded {}{}",
                    c.id,
                    st.seq,
                    c.calls.len(),
                    c.note
                ));
            }
        }
        st.error.clone()
    }

    /// Take the next call of the current claim, checking label, count and kind.
    fn next(&self, label: &str, count: usize, kind: CallKind) -> std::result::Result<(usize, usize), ()> {
        let mut st = lock(&self.state);
        if st.error.is_some() {
            return Err(());
        }
        let Some(i) = st.claim else { return Err(()) };
        let c = &self.claims[i];
        let s = st.seq;
        st.seq += 1;
        let want = Call { label: label.to_string(), count: count as u64, kind };
        let problem = match c.calls.get(s) {
            None => Some(format!(
                "claim {}: the merge makes call #{} {want}, but the shards recorded only {} calls{}",
                c.id,
                s + 1,
                c.calls.len(),
                c.note
            )),
            Some(got) if *got != want => Some(format!(
                "claim {}: call #{} is {want} in the merge but {got} in the shards{}",
                c.id,
                s + 1,
                c.note
            )),
            Some(_) => None,
        };
        match problem {
            Some(p) => {
                st.error = Some(p);
                Err(())
            }
            None => Ok((i, s)),
        }
    }

    /// A full or local call (computed by the caller): only checked against the sequence.
    pub fn full(&self, label: &str, count: usize, kind: CallKind) {
        let _ = self.next(label, count, kind);
    }

    /// The recorded outputs of the next sharded call, assembled in index order (placeholders
    /// after a replay error, which [`Replayer::error`] then reports).
    pub fn replay<T: Unit>(&self, label: &str, count: usize) -> Vec<T> {
        let placeholders = || (0..count).map(|_| T::default()).collect();
        let Ok((i, s)) = self.next(label, count, CallKind::Sharded) else { return placeholders() };
        let mut out: Vec<T> = Vec::with_capacity(count);
        for ch in &self.claims[i].chunks[s] {
            match postcard::from_bytes::<Vec<T>>(&ch.bytes) {
                Ok(v) if v.len() as u64 == ch.hi - ch.lo && ch.lo as usize == out.len() => out.extend(v),
                res => {
                    let why = res.err().map(|e| e.to_string()).unwrap_or_else(|| "wrong length".into());
                    let mut st = lock(&self.state);
                    st.error.get_or_insert(format!(
                        "claim {}: call #{} '{label}': a chunk [{}, {}) does not decode as the call's outputs ({why})",
                        self.claims[i].id,
                        s + 1,
                        ch.lo,
                        ch.hi
                    ));
                    return placeholders();
                }
            }
        }
        if out.len() != count {
            let mut st = lock(&self.state);
            st.error.get_or_insert(format!(
                "claim {}: call #{} '{label}': the shards hold {} of {count} outputs",
                self.claims[i].id,
                s + 1,
                out.len()
            ));
            return placeholders();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_ranges_partition_every_count() {
        for n in 1..=7 {
            for count in 0..=23 {
                let mut next = 0;
                for k in 1..=n {
                    let r = owned_range(k, n, count);
                    assert_eq!(r.start, next.min(count));
                    next = r.end.max(next);
                }
                assert_eq!(next, count, "n = {n}, count = {count}");
            }
        }
    }

    #[test]
    fn spec_parsing() {
        assert_eq!(parse_spec("2/8").unwrap(), (2, 8));
        for bad in ["0/2", "3/2", "2", "a/b", "1/0", "-1/2", ""] {
            assert!(parse_spec(bad).is_err(), "{bad}");
        }
    }
}
