//! Step kernels with runtime CPU dispatch, in the one fixed summation order of [`super::lanes`].
//!
//! Every kernel here is written once, generically over an 8-lane vector type, and instantiated
//! three times: [`Path::Portable`] (`[f64; 8]` arithmetic, any target), [`Path::Avx2`] (two
//! 4-lane registers) and [`Path::Avx512`] (one 8-lane register); the x86 instances are compiled
//! with `#[target_feature]` and selected at run time. All instances perform, lane by lane, the
//! same IEEE-754 operations in the same order as the reference functions in [`super::lanes`]
//! and [`super::dynamics`]:
//!
//! * a reduction keeps 8 lane accumulators, lane `l` adding the terms `j ≡ l (mod 8)` in
//!   increasing `j` starting from `+0.0`, then combines them by the fixed tree
//!   `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))` ([`super::lanes::reduce`]);
//! * every product that feeds an addition is fused with it, in one fixed place: `a·b + c` is
//!   one fused multiply-add, rounded once (IEEE 754 fusedMultiplyAdd: `f64::mul_add` on the
//!   portable path, `_mm256_fmadd_pd`/`_mm256_fmsub_pd` on AVX2, `_mm512_fmadd_pd`/`_mm512_fmsub_pd`
//!   on AVX-512 — all correctly rounded, so all give the same bits). The fused operations are, lane
//!   by lane: the factor `fma(c, x, 1)`, the error `fma(v, v, −w)` (`v·v` alone where `w = 0`,
//!   which is the same number), the accumulations `fma(e, x, acc)`, `fma(a, b, acc)`,
//!   `fma(|a|, m, acc)`, `fma(√a, m, acc)`, `fma(e, e, acc)`, `fma(c_i, x, h)`. Every other
//!   operation (the product `v·f`, a sum `acc + |a|`, the tree) is a plain IEEE operation; Rust never
//!   contracts `a * b + c` on its own, so a multiply-add is fused exactly where the code says so;
//! * interleaving `K` chains only interleaves independent instruction streams; each chain's
//!   arithmetic is unchanged.
//!
//! Hence every path returns bitwise-identical results (NaN payloads excepted: Rust does not
//! specify them, and a non-finite residual is reported as divergence, never as a number).
//! `tests/kernels.rs` forces each available path and compares final states bit for bit.
//!
//! # Kernels
//! * [`alg1_update_with`] / [`alg1_update_multi_with`]: one Algorithm-1 step of 1 or `K` chains
//!   (residual pass, then update pass) — what `Dynamics::step` and `alg1_apply` use;
//! * [`alg1_fused_with`] + [`residual_multi_with`]: the fused pass (update of step `t` and the
//!   residual of step `t + 1` in one sweep); the chain driver of `stopped` (`run_chain`,
//!   `run_chains`, `run_chains_par`) runs the same sweep, compiled together with its whole step
//!   loop for each path (`with_lanes`), and also accumulates the stop set's norm in it;
//! * [`residuals_and_me_with`] (= [`residuals_with`] + [`accumulate_rows_with`]),
//!   [`scale_by_factor_with`]: the full-batch gradient (`r_i` for all `i`,
//!   `M e = (1/n) Σ_i r_i x^(i)`, `v ⊙ (1 − η M e)`), used by the GD family;
//! * [`dot_with`], [`residual_full_with`], [`sum_with`], [`sum_abs_with`],
//!   [`masked_sum_abs_with`], [`masked_sum_sqrt_with`], [`sq_dist_sq_with`], [`sq_dist_l1_with`]:
//!   the `lanes` reductions (which call them for vectors of two or more blocks).
//!
//! # Performance notes (Xeon, AVX-512, 2.97 GHz; see `benches/bench_main.rs`)
//! One block costs 4 floating-point operations per chain and step (`fma(c, x, 1)`, `v·f`,
//! `fma(v, v, −w)` or `v·v`, `fma(e, y, acc)`; before the fused rule, 6), so with two 512-bit FMA
//! ports the floor is 2 cycles per block: ≈ 8.8 ns per step at d = 100 (13 blocks) and ≈ 84 ns
//! at d = 1000 (125 blocks), plus ≈ 2.8 ns for the ChaCha8 draw. A single chain cannot reach it:
//! lane `l` must add its terms in order, so each step is a chain of `⌈d/8⌉` dependent
//! multiply-adds (4 cycles each); interleaving 2–4 chains per sweep fills the gap. A CPU without
//! FMA runs the portable path, whose `f64::mul_add` is then libm's (correctly rounded, slower).
//!
//! # Selecting a path
//! [`Path::active`] is the best available path, unless the environment variable
//! `SHAPE_MATTERS_KERNEL` is `portable`, `avx2` or `avx512` (read once; a path the CPU lacks
//! falls back to the best available one below it, with one warning line on stderr). Functions ending in `_with` take the path
//! explicitly (used by the determinism tests and the benches).

use std::sync::atomic::{AtomicU8, Ordering};

use super::lanes::{F8, LANES};
use super::model::Data;

/// A kernel implementation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Path {
    /// `[f64; 8]` lane arithmetic (auto-vectorised for the compile target; the reference).
    Portable,
    /// x86-64 AVX2 + FMA: two 256-bit registers per 8-lane block.
    Avx2,
    /// x86-64 AVX-512F: one 512-bit register per 8-lane block.
    Avx512,
}

impl Path {
    /// Every path, fastest last.
    pub const ALL: [Path; 3] = [Path::Portable, Path::Avx2, Path::Avx512];

    /// Short name (the values of `SHAPE_MATTERS_KERNEL`).
    pub fn name(self) -> &'static str {
        match self {
            Path::Portable => "portable",
            Path::Avx2 => "avx2",
            Path::Avx512 => "avx512",
        }
    }

    /// Does this CPU support the path?
    pub fn is_available(self) -> bool {
        match self {
            Path::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Path::Avx2 => std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Path::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The paths this CPU supports (always includes `Portable`).
    pub fn available() -> Vec<Path> {
        Path::ALL.into_iter().filter(|p| p.is_available()).collect()
    }

    /// The fastest path this CPU supports.
    pub fn best() -> Path {
        *Path::available().last().expect("portable is always available")
    }

    /// The path used by the engine: [`Path::best`] unless `SHAPE_MATTERS_KERNEL` asks for
    /// another one (cached after the first call).
    #[inline]
    pub fn active() -> Path {
        match ACTIVE.load(Ordering::Relaxed) {
            1 => Path::Portable,
            2 => Path::Avx2,
            3 => Path::Avx512,
            _ => init_active(),
        }
    }

    fn code(self) -> u8 {
        match self {
            Path::Portable => 1,
            Path::Avx2 => 2,
            Path::Avx512 => 3,
        }
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

static ACTIVE: AtomicU8 = AtomicU8::new(0);

#[cold]
fn init_active() -> Path {
    let requested = std::env::var("SHAPE_MATTERS_KERNEL").ok();
    let want = match requested.as_deref().map(str::trim) {
        Some("portable") => Path::Portable,
        Some("avx2") => Path::Avx2,
        Some("avx512") | Some("auto") | Some("") | None => Path::Avx512,
        Some(other) => {
            eprintln!("SHAPE_MATTERS_KERNEL={other:?} is not one of portable, avx2, avx512, auto; using auto");
            Path::Avx512
        }
    };
    let path =
        Path::ALL.into_iter().rev().find(|p| p.is_available() && *p as u8 <= want as u8).unwrap_or(Path::Portable);
    // An explicit request the CPU cannot honour falls back (every path gives identical bits,
    // so only the speed changes), but never silently: one warning line, once per process.
    if let Some(req @ ("avx2" | "avx512")) = requested.as_deref().map(str::trim)
        && path != want
    {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            eprintln!(
                "warning: SHAPE_MATTERS_KERNEL={req}: this CPU does not support it; using the {path} kernels \
                 (identical results, slower)"
            );
        });
    }
    ACTIVE.store(path.code(), Ordering::Relaxed);
    path
}

// ---------------------------------------------------------------------------------------------
// The 8-lane vector abstraction.

/// One 8-lane block in registers. Every method performs the named IEEE operation lane by lane.
///
/// A value of a `Lane8` type is a proof that the CPU has the type's features: the only ways to
/// make one are the `unsafe` constructors [`Lane8::load`] and [`Lane8::splat`] (whose callers
/// promise the features) and the operations on existing values. So the operations are safe, and
/// only the constructors and the memory accesses ([`Lane8::load`], [`Lane8::store`]) are `unsafe`.
///
/// # Safety
/// Implementors guarantee that (1) a value can only be created through `load`, `splat` or the
/// operations on existing values (private fields, no `Default`), so that the safe operations only
/// run where the constructors' feature precondition held; (2) `load` reads and `store` writes
/// exactly the one [`F8`] at `p` (64 bytes); (3) every method performs, lane by lane, the IEEE
/// operation its name says (`reduce`: the fixed tree), so all implementations give the same bits.
pub(crate) unsafe trait Lane8: Copy {
    /// How many blocks a register-resident accumulation may keep (bounded by the register file).
    const CHUNK: usize;
    /// The block at `p`.
    ///
    /// # Safety
    /// `p` is valid for reading one [`F8`] and aligned to it (64 bytes: `F8` is `repr(align(64))`,
    /// which the aligned vector loads rely on), and the CPU has the implementation's features.
    unsafe fn load(p: *const F8) -> Self;
    /// Write the block to `p`.
    ///
    /// # Safety
    /// `p` is valid for writing one [`F8`] and aligned to it (the CPU's features are proven by
    /// `self`).
    unsafe fn store(self, p: *mut F8);
    /// `x` in every lane.
    ///
    /// # Safety
    /// The CPU has the implementation's features.
    unsafe fn splat(x: f64) -> Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// `self·b + c` rounded once (IEEE 754 fusedMultiplyAdd, as `f64::mul_add`).
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `self·b − c` rounded once (`fusedMultiplyAdd(self, b, −c)`, as `f64::mul_add(self, b, -c)`).
    fn mul_sub(self, b: Self, c: Self) -> Self;
    fn abs(self) -> Self;
    /// `√max(x, 0)` lane by lane (`max` returns 0 for NaN, as `f64::max(x, 0.0)`).
    fn sqrt_max0(self) -> Self;
    /// `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))`.
    fn reduce(self) -> f64;
    /// [`Lane8::reduce`] of each of `K` vectors (implementations may transpose; the additions
    /// performed are the same).
    #[inline(always)]
    fn reduce_many<const K: usize>(a: [Self; K]) -> [f64; K] {
        a.map(Self::reduce)
    }
}

/// The reference lane type: `[f64; 8]` arithmetic, no CPU features needed.
#[derive(Clone, Copy)]
pub(crate) struct Portable([f64; LANES]);

// SAFETY: the field is private to this module and there is no `Default`, so values come only
// from `load`/`splat`/the operations (and no features are needed anyway); `load` and `store`
// access exactly `*p`; the operations are the plain `f64` operations and `reduce` is
// `lanes::reduce`, the fixed tree.
unsafe impl Lane8 for Portable {
    const CHUNK: usize = 2;
    #[inline(always)]
    unsafe fn load(p: *const F8) -> Self {
        // SAFETY: the caller guarantees that `p` is valid for reads of one aligned `F8`.
        unsafe { Portable((*p).0) }
    }
    #[inline(always)]
    unsafe fn store(self, p: *mut F8) {
        // SAFETY: the caller guarantees that `p` is valid for writes of one aligned `F8`.
        unsafe { (*p).0 = self.0 }
    }
    #[inline(always)]
    unsafe fn splat(x: f64) -> Self {
        Portable([x; LANES])
    }
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        let mut r = self.0;
        for (x, y) in r.iter_mut().zip(o.0) {
            *x += y;
        }
        Portable(r)
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let mut r = self.0;
        for (x, y) in r.iter_mut().zip(o.0) {
            *x *= y;
        }
        Portable(r)
    }
    #[inline(always)]
    fn mul_add(self, b: Self, c: Self) -> Self {
        let mut r = self.0;
        for ((x, y), z) in r.iter_mut().zip(b.0).zip(c.0) {
            *x = x.mul_add(y, z);
        }
        Portable(r)
    }
    #[inline(always)]
    fn mul_sub(self, b: Self, c: Self) -> Self {
        let mut r = self.0;
        for ((x, y), z) in r.iter_mut().zip(b.0).zip(c.0) {
            *x = x.mul_add(y, -z);
        }
        Portable(r)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        let mut r = self.0;
        for x in &mut r {
            *x = x.abs();
        }
        Portable(r)
    }
    #[inline(always)]
    fn sqrt_max0(self) -> Self {
        let mut r = self.0;
        for x in &mut r {
            *x = x.max(0.0).sqrt();
        }
        Portable(r)
    }
    #[inline(always)]
    fn reduce(self) -> f64 {
        super::lanes::reduce(self.0)
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod x86 {
    //! The x86-64 lane types. Every intrinsic call below sits in an `unsafe` block only because
    //! the functions are not themselves `#[target_feature]` functions (they are
    //! `#[inline(always)]`, inlined into the `#[target_feature]` instances of `instances!` and
    //! `with_lanes`); the features they need are proven by the `Lane8` value they operate on
    //! (see [`Lane8`]), or by the caller of an `unsafe` constructor or helper.

    use super::{F8, Lane8};
    use std::arch::x86_64::*;

    /// Lanes 0–3 and 4–7 in two AVX registers. Fields private: a value exists only where AVX2 and
    /// FMA are available (see [`Lane8`]).
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2(__m256d, __m256d);

    /// `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))` from `lo = s0..s3`, `hi = s4..s7`.
    ///
    /// # Safety
    /// The CPU has AVX (implied by both AVX2 and AVX-512F).
    #[inline(always)]
    unsafe fn tree(lo: __m256d, hi: __m256d) -> f64 {
        // SAFETY: register-only AVX/SSE2 intrinsics (no memory access); AVX by the caller's contract.
        unsafe {
            // [s0, s4, s2, s6] + [s1, s5, s3, s7] = [s0+s1, s4+s5, s2+s3, s6+s7]
            let p = _mm256_add_pd(_mm256_unpacklo_pd(lo, hi), _mm256_unpackhi_pd(lo, hi));
            // [s0+s1, s4+s5] + [s2+s3, s6+s7]
            let q = _mm_add_pd(_mm256_castpd256_pd128(p), _mm256_extractf128_pd::<1>(p));
            _mm_cvtsd_f64(_mm_add_sd(q, _mm_unpackhi_pd(q, q)))
        }
    }

    // SAFETY: (1) the fields are private to this module, there is no `Default`, and the only
    // constructors are `load`/`splat` (whose callers promise AVX2 and FMA) and the operations on
    // existing values; (2) `load`/`store` access the 8 `f64`s of the one `F8` at `p` as two aligned
    // 4-lane halves; (3) the operations are the lane-wise IEEE `vaddpd`/`vmulpd`/
    // `vfmadd`/`vfmsub` (fused, rounded once)/sign-mask `vandpd`/`vmaxpd`+`vsqrtpd`, and
    // `reduce`/`reduce_many` add in the fixed tree order.
    unsafe impl Lane8 for Avx2 {
        const CHUNK: usize = 6;
        #[inline(always)]
        unsafe fn load(p: *const F8) -> Self {
            // SAFETY: the caller guarantees that `p` points to one readable `F8`, 64-byte aligned
            // (so `p` and `p + 4` `f64`s are 32-byte aligned, as `vmovapd` needs), and AVX2 + FMA.
            unsafe {
                let p = p as *const f64;
                Avx2(_mm256_load_pd(p), _mm256_load_pd(p.add(4)))
            }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut F8) {
            // SAFETY: the caller guarantees that `p` points to one writable, 64-byte aligned `F8`
            // (both 32-byte halves aligned); AVX2 is proven by `self`.
            unsafe {
                let p = p as *mut f64;
                _mm256_store_pd(p, self.0);
                _mm256_store_pd(p.add(4), self.1);
            }
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            // SAFETY: register-only AVX intrinsic; the caller guarantees AVX2 and FMA.
            unsafe { Avx2(_mm256_set1_pd(x), _mm256_set1_pd(x)) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            // SAFETY: register-only AVX intrinsic; AVX2 is proven by `self` (see `Lane8`).
            unsafe { Avx2(_mm256_add_pd(self.0, o.0), _mm256_add_pd(self.1, o.1)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            // SAFETY: register-only AVX intrinsic; AVX2 is proven by `self` (see `Lane8`).
            unsafe { Avx2(_mm256_mul_pd(self.0, o.0), _mm256_mul_pd(self.1, o.1)) }
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            // SAFETY: register-only FMA intrinsic; AVX2 and FMA are proven by `self` (see `Lane8`).
            unsafe { Avx2(_mm256_fmadd_pd(self.0, b.0, c.0), _mm256_fmadd_pd(self.1, b.1, c.1)) }
        }
        #[inline(always)]
        fn mul_sub(self, b: Self, c: Self) -> Self {
            // SAFETY: register-only FMA intrinsic; AVX2 and FMA are proven by `self` (see `Lane8`).
            unsafe { Avx2(_mm256_fmsub_pd(self.0, b.0, c.0), _mm256_fmsub_pd(self.1, b.1, c.1)) }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            // SAFETY: register-only AVX intrinsics; AVX2 is proven by `self` (see `Lane8`).
            unsafe {
                let m = _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX));
                Avx2(_mm256_and_pd(self.0, m), _mm256_and_pd(self.1, m))
            }
        }
        #[inline(always)]
        fn sqrt_max0(self) -> Self {
            // maxpd returns its second operand (0) when the first is NaN, as f64::max(x, 0.0).
            // SAFETY: register-only AVX intrinsics; AVX2 is proven by `self` (see `Lane8`).
            unsafe {
                let z = _mm256_setzero_pd();
                Avx2(_mm256_sqrt_pd(_mm256_max_pd(self.0, z)), _mm256_sqrt_pd(_mm256_max_pd(self.1, z)))
            }
        }
        #[inline(always)]
        fn reduce(self) -> f64 {
            // SAFETY: `tree` needs AVX, proven by `self`.
            unsafe { tree(self.0, self.1) }
        }
        #[inline(always)]
        fn reduce_many<const K: usize>(a: [Self; K]) -> [f64; K] {
            let mut out = [0.0; K];
            let mut k = 0;
            while k + 4 <= K {
                // SAFETY: AVX (needed by `reduce4_256` and the store) is proven by the values `a`
                // (`K ≥ 4` here, so there is one); `out[k..k + 4]` is in bounds (`k + 4 ≤ K`) and
                // `_mm256_storeu_pd` needs no alignment.
                unsafe {
                    let r = reduce4_256([
                        (a[k].0, a[k].1),
                        (a[k + 1].0, a[k + 1].1),
                        (a[k + 2].0, a[k + 2].1),
                        (a[k + 3].0, a[k + 3].1),
                    ]);
                    _mm256_storeu_pd(out.as_mut_ptr().add(k), r);
                }
                k += 4;
            }
            while k < K {
                out[k] = a[k].reduce();
                k += 1;
            }
            out
        }
    }

    /// The tree of 4 vectors given as `(lanes 0–3, lanes 4–7)`: lane `k` of the result is
    /// `((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))` of vector `k`.
    ///
    /// # Safety
    /// The CPU has AVX.
    #[inline(always)]
    unsafe fn reduce4_256(a: [(__m256d, __m256d); 4]) -> __m256d {
        // SAFETY: register-only AVX intrinsics; AVX by the caller's contract.
        unsafe {
            // [A.p0, B.p0, A.p1, B.p1] with p_m = s_2m + s_2m+1 (low halves),
            // [A.p2, B.p2, A.p3, B.p3] (high).
            let pl = |x: __m256d, y: __m256d| _mm256_add_pd(_mm256_unpacklo_pd(x, y), _mm256_unpackhi_pd(x, y));
            let lab = pl(a[0].0, a[1].0);
            let lcd = pl(a[2].0, a[3].0);
            let hab = pl(a[0].1, a[1].1);
            let hcd = pl(a[2].1, a[3].1);
            // q0 = p0 + p1 for A..D, q1 = p2 + p3 for A..D.
            let q0 = _mm256_add_pd(_mm256_permute2f128_pd::<0x20>(lab, lcd), _mm256_permute2f128_pd::<0x31>(lab, lcd));
            let q1 = _mm256_add_pd(_mm256_permute2f128_pd::<0x20>(hab, hcd), _mm256_permute2f128_pd::<0x31>(hab, hcd));
            _mm256_add_pd(q0, q1)
        }
    }

    /// Lanes 0–7 in one AVX-512 register. Field private: a value exists only where AVX-512F is
    /// available (see [`Lane8`]).
    #[derive(Clone, Copy)]
    pub(crate) struct Avx512(__m512d);

    // SAFETY: (1) the field is private to this module, there is no `Default`, and the only
    // constructors are `load`/`splat` (whose callers promise AVX-512F) and the operations on
    // existing values; (2) `load`/`store` access exactly the 64-byte aligned `F8` at `p`; (3) the
    // operations are the lane-wise IEEE `vaddpd`/`vmulpd`/`vfmadd`/`vfmsub` (fused,
    // rounded once)/`vandpd` (abs)/`vmaxpd`+`vsqrtpd`, and `reduce`/`reduce_many` add in the fixed
    // tree order.
    unsafe impl Lane8 for Avx512 {
        const CHUNK: usize = 16;
        #[inline(always)]
        unsafe fn load(p: *const F8) -> Self {
            // SAFETY: the caller guarantees that `p` points to one readable, 64-byte aligned `F8`
            // (as the aligned `vmovapd` needs) and AVX-512F.
            unsafe { Avx512(_mm512_load_pd(p as *const f64)) }
        }
        #[inline(always)]
        unsafe fn store(self, p: *mut F8) {
            // SAFETY: the caller guarantees that `p` points to one writable, 64-byte aligned `F8`;
            // AVX-512F is proven by `self`.
            unsafe { _mm512_store_pd(p as *mut f64, self.0) }
        }
        #[inline(always)]
        unsafe fn splat(x: f64) -> Self {
            // SAFETY: register-only AVX-512F intrinsic; the caller guarantees AVX-512F.
            unsafe { Avx512(_mm512_set1_pd(x)) }
        }
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            // SAFETY: register-only AVX-512F intrinsic; AVX-512F is proven by `self`.
            unsafe { Avx512(_mm512_add_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            // SAFETY: register-only AVX-512F intrinsic; AVX-512F is proven by `self`.
            unsafe { Avx512(_mm512_mul_pd(self.0, o.0)) }
        }
        #[inline(always)]
        fn mul_add(self, b: Self, c: Self) -> Self {
            // SAFETY: register-only AVX-512F intrinsic; AVX-512F is proven by `self`.
            unsafe { Avx512(_mm512_fmadd_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn mul_sub(self, b: Self, c: Self) -> Self {
            // SAFETY: register-only AVX-512F intrinsic; AVX-512F is proven by `self`.
            unsafe { Avx512(_mm512_fmsub_pd(self.0, b.0, c.0)) }
        }
        #[inline(always)]
        fn abs(self) -> Self {
            // SAFETY: register-only AVX-512F intrinsic; AVX-512F is proven by `self`.
            unsafe { Avx512(_mm512_abs_pd(self.0)) }
        }
        #[inline(always)]
        fn sqrt_max0(self) -> Self {
            // vmaxpd returns its second operand (0) when the first is NaN, as f64::max(x, 0.0).
            // SAFETY: register-only AVX-512F intrinsics; AVX-512F is proven by `self`.
            unsafe { Avx512(_mm512_sqrt_pd(_mm512_max_pd(self.0, _mm512_setzero_pd()))) }
        }
        #[inline(always)]
        fn reduce(self) -> f64 {
            // SAFETY: AVX-512F (proven by `self`) covers the casts and implies the AVX `tree` needs.
            unsafe { tree(_mm512_castpd512_pd256(self.0), _mm512_extractf64x4_pd::<1>(self.0)) }
        }
        #[inline(always)]
        fn reduce_many<const K: usize>(a: [Self; K]) -> [f64; K] {
            let mut out = [0.0; K];
            let mut k = 0;
            while k + 8 <= K {
                // SAFETY: AVX-512F is proven by the values `a` (`K ≥ 8` here); `out[k..k + 8]` is in
                // bounds (`k + 8 ≤ K`) and `_mm512_storeu_pd` needs no alignment.
                unsafe {
                    let r = reduce8([
                        a[k].0,
                        a[k + 1].0,
                        a[k + 2].0,
                        a[k + 3].0,
                        a[k + 4].0,
                        a[k + 5].0,
                        a[k + 6].0,
                        a[k + 7].0,
                    ]);
                    _mm512_storeu_pd(out.as_mut_ptr().add(k), r);
                }
                k += 8;
            }
            while k + 4 <= K {
                // SAFETY: as above, with `out[k..k + 4]` in bounds (`k + 4 ≤ K`); AVX-512F implies
                // the AVX of `_mm256_storeu_pd`.
                unsafe {
                    let r = reduce4([a[k].0, a[k + 1].0, a[k + 2].0, a[k + 3].0]);
                    _mm256_storeu_pd(out.as_mut_ptr().add(k), r);
                }
                k += 4;
            }
            while k < K {
                out[k] = a[k].reduce();
                k += 1;
            }
            out
        }
    }

    /// Level 1 of the tree for two vectors: `[A.p0, B.p0, A.p1, B.p1, A.p2, B.p2, A.p3, B.p3]`
    /// with `p_m = s_{2m} + s_{2m+1}`.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn pairs(a: __m512d, b: __m512d) -> __m512d {
        // SAFETY: register-only AVX-512F intrinsics; AVX-512F by the caller's contract.
        unsafe { _mm512_add_pd(_mm512_unpacklo_pd(a, b), _mm512_unpackhi_pd(a, b)) }
    }
    /// Level 2 for `P01 = pairs(A0, A1)`, `P23 = pairs(A2, A3)`:
    /// `[A0.q0, A1.q0, A0.q1, A1.q1, A2.q0, A3.q0, A2.q1, A3.q1]`, `q0 = p0 + p1`, `q1 = p2 + p3`.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn quads(p01: __m512d, p23: __m512d) -> __m512d {
        // SAFETY: register-only AVX-512F intrinsics; AVX-512F by the caller's contract.
        unsafe {
            // chunks (128-bit): P01 = [A0p0 A1p0 | A0p1 A1p1 | A0p2 A1p2 | A0p3 A1p3]
            let x = _mm512_shuffle_f64x2::<0b10_00_10_00>(p01, p23); // [P01.c0, P01.c2, P23.c0, P23.c2]
            let y = _mm512_shuffle_f64x2::<0b11_01_11_01>(p01, p23); // [P01.c1, P01.c3, P23.c1, P23.c3]
            _mm512_add_pd(x, y)
        }
    }
    /// The tree of 4 vectors at once: lanes 0..4 of the result are `tree(A0..A3)`.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn reduce4(a: [__m512d; 4]) -> __m256d {
        // SAFETY: register-only AVX-512F intrinsics; AVX-512F by the caller's contract.
        unsafe {
            let q = quads(pairs(a[0], a[1]), pairs(a[2], a[3]));
            // q = [A0q0, A1q0, A0q1, A1q1, A2q0, A3q0, A2q1, A3q1]
            let x = _mm512_permutexvar_pd(_mm512_setr_epi64(0, 1, 4, 5, 0, 1, 4, 5), q);
            let y = _mm512_permutexvar_pd(_mm512_setr_epi64(2, 3, 6, 7, 2, 3, 6, 7), q);
            _mm512_castpd512_pd256(_mm512_add_pd(x, y))
        }
    }
    /// The tree of 8 vectors at once: lane `k` of the result is `tree(A_k)`.
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[inline(always)]
    unsafe fn reduce8(a: [__m512d; 8]) -> __m512d {
        // SAFETY: register-only AVX-512F intrinsics; AVX-512F by the caller's contract.
        unsafe {
            let q0 = quads(pairs(a[0], a[1]), pairs(a[2], a[3]));
            let q1 = quads(pairs(a[4], a[5]), pairs(a[6], a[7]));
            let x = _mm512_permutex2var_pd(q0, _mm512_setr_epi64(0, 1, 4, 5, 8, 9, 12, 13), q1);
            let y = _mm512_permutex2var_pd(q0, _mm512_setr_epi64(2, 3, 6, 7, 10, 11, 14, 15), q1);
            _mm512_add_pd(x, y)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generic kernels (always inlined into the per-path instances below).

/// Algorithm 1 for `K` independent chains, interleaved: for chain `k`,
/// `r = Σ_j (v_j v_j − w_j) x_j` (lanes, tree), then if `r` is finite
/// `v ← v ⊙ (1 + c x)` with `c = η (s − grad_sign·r)`; else `v` is left unchanged.
/// `w` is zero beyond its first `nbw` blocks (so `v v − 0` is skipped: it is exactly `v v`).
///
/// # Safety
/// The CPU has `V`'s features; for every `k`, `vs[k]` is valid for reads and writes and `xs[k]` for reads of `nb`
/// aligned blocks, `w` for reads of `nbw ≤ nb` blocks; no `vs[k]` overlaps another state, a row or `w`.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // raw kernel entry: `instances!` forwards the arguments verbatim
unsafe fn alg1_g<V: Lane8, const K: usize>(
    vs: [*mut F8; K],
    xs: [*const F8; K],
    w: *const F8,
    nbw: usize,
    nb: usize,
    eta: f64,
    s: [f64; K],
    grad_sign: f64,
) -> [bool; K] {
    // SAFETY: the residual pass is `residual_multi_g` on the same ranges (its contract is part of
    // this function's); the update pass accesses `p.add(b)` with `b < nb`, inside the blocks the
    // caller guarantees; `V::splat`/`V::load` need `V`'s features, guaranteed by the caller.
    unsafe {
        // Pass 1: the residuals `r_k` (inlined).
        let rs = residual_multi_g::<V, K>(vs.map(|p| p as *const F8), xs, w, nbw, nb);
        let mut ok = [true; K];
        let mut c = [V::splat(0.0); K];
        let mut any = false;
        for k in 0..K {
            let r = rs[k];
            if r.is_finite() {
                // `alg1_coef`: η (s − grad_sign·r).
                c[k] = V::splat(eta * (s[k] - grad_sign * r));
                any = true;
            } else {
                // c = 0 gives the factor 1 + 0·x = 1 exactly: the chain is left unchanged.
                ok[k] = false;
            }
        }
        if !any {
            return ok;
        }
        let one = V::splat(1.0);
        for b in 0..nb {
            for k in 0..K {
                let f = c[k].mul_add(V::load(xs[k].add(b)), one);
                let p = vs[k].add(b);
                V::load(p).mul(f).store(p);
            }
        }
        ok
    }
}

/// The fused pass of `K` interleaved Algorithm-1 chains: for every block, chain `k` is updated
/// `v_k ← v_k ⊙ (1 + c_k x_k)` (`x_k` = the row at block offset `now[k]` from `rows`), and when
/// `NEXT` the updated block is used at once for the next residual `Σ (v_k v_k − w) y_k` (`y_k` =
/// the row at `next[k]`), which is returned.
///
/// # Safety
/// as [`alg1_fused_norm_g`] (with `m = w`, which is never read when `NORM = NORM_NONE`).
#[inline(always)]
#[allow(clippy::too_many_arguments)] // one argument per kernel input (path, states, rows, step parameters)
pub(crate) unsafe fn alg1_fused_g<V: Lane8, const K: usize, const NEXT: bool>(
    vs: [*mut F8; K],
    rows: *const F8,
    now: [usize; K],
    c: [f64; K],
    next: [usize; K],
    w: *const F8,
    nbw: usize,
    nb: usize,
) -> [f64; K] {
    // SAFETY: the caller's contract is that of `alg1_fused_norm_g`, which is called with `m = w` (unread for
    // `NORM_NONE`).
    unsafe { alg1_fused_norm_g::<V, K, NEXT, NORM_NONE>(vs, rows, now, c, next, w, nbw, w, nb).0 }
}

/// No norm in [`alg1_fused_norm_g`].
pub(crate) const NORM_NONE: u8 = 0;
/// `Σ_j |v_j|` in [`alg1_fused_norm_g`] (the order of `lanes::sum_abs`).
pub(crate) const NORM_ABS: u8 = 1;
/// `Σ_j |v_j| m_j` in [`alg1_fused_norm_g`] (the order of `lanes::masked_sum_abs`).
pub(crate) const NORM_MASKED_ABS: u8 = 2;

/// [`alg1_fused_g`] that also returns a norm of each updated state, accumulated in the same sweep
/// in the fixed order (`NORM`: none, `Σ|v_j|`, or `Σ|v_j| m_j` with the 0/1 mask `m`): the stop
/// sets' norms, without a second pass over the states.
///
/// # Safety
/// The CPU has `V`'s features; for every `k`, `vs[k]` is valid for reads and writes of `nb` aligned blocks and does
/// not overlap another state, `rows`, `w` or `m`; `rows.add(now[k])` (and `rows.add(next[k])` when `NEXT`) is valid
/// for reads of `nb` blocks (offsets in blocks); `w` for reads of `nbw ≤ nb` blocks and, when `NORM =
/// NORM_MASKED_ABS`, `m` for reads of `nb` blocks.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // one argument per kernel input (path, states, rows, step parameters)
pub(crate) unsafe fn alg1_fused_norm_g<V: Lane8, const K: usize, const NEXT: bool, const NORM: u8>(
    vs: [*mut F8; K],
    rows: *const F8,
    now: [usize; K],
    c: [f64; K],
    next: [usize; K],
    w: *const F8,
    nbw: usize,
    m: *const F8,
    nb: usize,
) -> ([f64; K], [f64; K]) {
    // SAFETY: every access is at block `b < nb` of a range the caller guarantees (`b < nbw` for `w`; `m` and the
    // `next` rows only when the const flags say so); `V::splat`/`V::load` need `V`'s features, guaranteed by the
    // caller.
    unsafe {
        let one = V::splat(1.0);
        let cv = c.map(|x| V::splat(x));
        let mut acc = [V::splat(0.0); K];
        let mut norm = [V::splat(0.0); K];
        let mut b = 0;
        // All rows are addressed from one moving pointer plus a per-chain offset (one induction
        // variable instead of one per row: fewer integer µops competing for the FP ports).
        macro_rules! block {
            ($sub:expr) => {{
                let wb = if $sub { V::load(w.add(b)) } else { one };
                let mb = if NORM == NORM_MASKED_ABS { V::load(m.add(b)) } else { one };
                let rb = rows.add(b);
                for k in 0..K {
                    let p = vs[k].add(b);
                    let vn = V::load(p).mul(cv[k].mul_add(V::load(rb.add(now[k])), one));
                    vn.store(p);
                    if NEXT {
                        let e = if $sub { vn.mul_sub(vn, wb) } else { vn.mul(vn) };
                        acc[k] = e.mul_add(V::load(rb.add(next[k])), acc[k]);
                    }
                    if NORM == NORM_ABS {
                        norm[k] = norm[k].add(vn.abs());
                    } else if NORM == NORM_MASKED_ABS {
                        norm[k] = vn.abs().mul_add(mb, norm[k]);
                    }
                }
                b += 1;
            }};
        }
        while b < nbw {
            block!(true);
        }
        while b < nb {
            block!(false);
        }
        let r = if NEXT { V::reduce_many(acc) } else { [0.0; K] };
        let n = if NORM != NORM_NONE { V::reduce_many(norm) } else { [0.0; K] };
        (r, n)
    }
}

/// Residuals of `K` chains at once, `Σ (v_k v_k − w) x_k` (each in the fixed order).
///
/// # Safety
/// The CPU has `V`'s features; `vs[k]` and `xs[k]` are valid for reads of `nb` aligned blocks, `w` for `nbw ≤ nb`
/// blocks.
#[inline(always)]
pub(crate) unsafe fn residual_multi_g<V: Lane8, const K: usize>(
    vs: [*const F8; K],
    xs: [*const F8; K],
    w: *const F8,
    nbw: usize,
    nb: usize,
) -> [f64; K] {
    // SAFETY: reads at block `b < nb` (`b < nbw` for `w`) of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = [V::splat(0.0); K];
        let mut b = 0;
        while b < nbw {
            let wb = V::load(w.add(b));
            for k in 0..K {
                let vb = V::load(vs[k].add(b));
                acc[k] = vb.mul_sub(vb, wb).mul_add(V::load(xs[k].add(b)), acc[k]);
            }
            b += 1;
        }
        while b < nb {
            for k in 0..K {
                let vb = V::load(vs[k].add(b));
                acc[k] = vb.mul(vb).mul_add(V::load(xs[k].add(b)), acc[k]);
            }
            b += 1;
        }
        V::reduce_many(acc)
    }
}

/// `Σ_j (v_j v_j − w_j) x_j` in the fixed order (`w` zero beyond `nbw` blocks).
///
/// # Safety
/// The CPU has `V`'s features; `v` and `x` are valid for reads of `nb` aligned blocks, `w` for `nbw ≤ nb` blocks.
#[inline(always)]
unsafe fn residual_g<V: Lane8>(v: *const F8, w: *const F8, nbw: usize, x: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `b < nb` (`b < nbw` for `w`) of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        let mut b = 0;
        while b < nbw {
            let vb = V::load(v.add(b));
            acc = vb.mul_sub(vb, V::load(w.add(b))).mul_add(V::load(x.add(b)), acc);
            b += 1;
        }
        while b < nb {
            let vb = V::load(v.add(b));
            acc = vb.mul(vb).mul_add(V::load(x.add(b)), acc);
            b += 1;
        }
        acc.reduce()
    }
}

/// `e = v ⊙ v − w` (`w` zero beyond `nbw` blocks: there `e = v ⊙ v`).
///
/// # Safety
/// The CPU has `V`'s features; `v` is valid for reads and `e` for writes of `nb` aligned blocks (`e` not overlapping
/// `v` or `w`), `w` for reads of `nbw ≤ nb` blocks.
#[inline(always)]
unsafe fn error_g<V: Lane8>(v: *const F8, w: *const F8, nbw: usize, e: *mut F8, nb: usize) {
    // SAFETY: accesses at block `b < nb` (`b < nbw` for `w`) of the caller's ranges; `V`'s features by the caller.
    unsafe {
        for b in 0..nb {
            let vb = V::load(v.add(b));
            let eb = if b < nbw { vb.mul_sub(vb, V::load(w.add(b))) } else { vb.mul(vb) };
            eb.store(e.add(b));
        }
    }
}

/// `R` dot products `⟨e, x^(i)⟩` at once (each in the fixed order).
///
/// # Safety
/// The CPU has `V`'s features; `e` and every `xs[k]` are valid for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn dots_g<V: Lane8, const R: usize>(e: *const F8, xs: [*const F8; R], nb: usize) -> [f64; R] {
    // SAFETY: reads at block `b < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = [V::splat(0.0); R];
        for b in 0..nb {
            let eb = V::load(e.add(b));
            for k in 0..R {
                acc[k] = eb.mul_add(V::load(xs[k].add(b)), acc[k]);
            }
        }
        V::reduce_many(acc)
    }
}

/// All residuals `r_i = ⟨v⊙v − w, x^(i)⟩`, `i ∈ [n]`, into `res` (via `e` scratch of `nb`
/// blocks). Returns false when one is not finite.
///
/// # Safety
/// The CPU has `V`'s features; `v` is valid for reads and `e` for writes of `data.blocks_per_row()` aligned blocks
/// (`e` not overlapping `v`, `w` or `data`), `w` for reads of `nbw ≤ data.blocks_per_row()` blocks; `res.len() ==
/// data.n()`.
#[inline(always)]
unsafe fn residuals_g<V: Lane8>(
    v: *const F8,
    w: *const F8,
    nbw: usize,
    data: &Data,
    e: *mut F8,
    res: &mut [f64],
) -> bool {
    // SAFETY: `error_g` gets the caller's ranges with `nb = data.blocks_per_row()`; `dots_g` gets `e` (just written,
    // `nb` blocks) and rows `i < n` of `data`, each `nb` aligned blocks; `res[i..]` is bounds-checked; `V`'s features
    // by the caller.
    unsafe {
        let nb = data.blocks_per_row();
        error_g::<V>(v, w, nbw, e, nb);
        let n = data.n();
        let row = |i: usize| data.row(i).as_ptr();
        let mut i = 0;
        while i + 8 <= n {
            let r = dots_g::<V, 8>(
                e,
                [row(i), row(i + 1), row(i + 2), row(i + 3), row(i + 4), row(i + 5), row(i + 6), row(i + 7)],
                nb,
            );
            res[i..i + 8].copy_from_slice(&r);
            i += 8;
        }
        // The remaining rows as one group (independent sums in flight hide the add latency).
        macro_rules! tail {
            ($($r:literal)*) => {
                match n - i {
                    0 => {}
                    $($r => {
                        let xs: [*const F8; $r] = std::array::from_fn(|k| row(i + k));
                        res[i..n].copy_from_slice(&dots_g::<V, $r>(e, xs, nb));
                    })*
                    _ => unreachable!(),
                }
            };
        }
        tail!(1 2 3 4 5 6 7);
        res.iter().all(|r| r.is_finite())
    }
}

/// [`residuals_g`], then (if all are finite) `h = (Σ_i r_i x^(i))·scale` — `M e(v)` with
/// `scale = 1/n`.
///
/// # Safety
/// as [`residuals_g`], and `h` is valid for writes of `data.blocks_per_row()` aligned blocks, not overlapping the
/// other arguments.
#[inline(always)]
#[allow(clippy::too_many_arguments)] // raw kernel entry: `instances!` forwards the arguments verbatim
unsafe fn residuals_me_g<V: Lane8>(
    v: *const F8,
    w: *const F8,
    nbw: usize,
    data: &Data,
    e: *mut F8,
    res: &mut [f64],
    h: *mut F8,
    scale: f64,
) -> bool {
    // SAFETY: the two calls get exactly the ranges the caller guarantees (`res` has `data.n()` entries, the number of
    // rows `accumulate_g` reads).
    unsafe {
        if !residuals_g::<V>(v, w, nbw, data, e, res) {
            return false;
        }
        accumulate_g::<V>(res, data, h, Some(scale));
        true
    }
}

/// `CH` blocks of `h = Σ_i c_i x^(i)` (sum over `i` in order, from `+0.0`), then `h ← h·scale`
/// when `scale` is given.
///
/// # Safety
/// The CPU has `V`'s features; `coef.len() ≤ data.n()`; `b0 + CH ≤ data.blocks_per_row()`; `h` is valid for writes of
/// `data.blocks_per_row()` aligned blocks, not overlapping `data`.
#[inline(always)]
unsafe fn accumulate_chunk_g<V: Lane8, const CH: usize>(
    coef: &[f64],
    data: &Data,
    b0: usize,
    h: *mut F8,
    scale: Option<f64>,
) {
    // SAFETY: row `i < coef.len() ≤ n` of `data` has `blocks_per_row()` blocks, of which we read `b0 + j < b0 + CH`;
    // writes go to `h.add(b0 + j)` in the same range; `V`'s features by the caller.
    unsafe {
        let mut acc = [V::splat(0.0); CH];
        for (i, &ci) in coef.iter().enumerate() {
            let c = V::splat(ci);
            let x = data.row(i).as_ptr().add(b0);
            for (j, a) in acc.iter_mut().enumerate() {
                *a = c.mul_add(V::load(x.add(j)), *a);
            }
        }
        for (j, aj) in acc.into_iter().enumerate() {
            let a = match scale {
                Some(s) => aj.mul(V::splat(s)),
                None => aj,
            };
            a.store(h.add(b0 + j));
        }
    }
}

///
/// # Safety
/// The CPU has `V`'s features; `coef.len() ≤ data.n()`; `h` is valid for writes of `data.blocks_per_row()` aligned
/// blocks, not overlapping `data`.
#[inline(always)]
unsafe fn accumulate_g<V: Lane8>(coef: &[f64], data: &Data, h: *mut F8, scale: Option<f64>) {
    // SAFETY: the balanced chunks cover `[0, nb)` exactly (`b + size ≤ nb` for each, and `size ≤ V::CHUNK ≤ 16` has
    // an arm), so each `accumulate_chunk_g` call meets its contract; `V`'s features by the caller.
    unsafe {
        let nb = data.blocks_per_row();
        // Balanced chunks of at most V::CHUNK blocks, each kept in registers over all rows.
        let chunks = nb.div_ceil(V::CHUNK).max(1);
        let mut b = 0;
        for c in 0..chunks {
            let size = (nb - b).div_ceil(chunks - c);
            macro_rules! chunk {
                ($($n:literal)*) => {
                    match size {
                        $($n => accumulate_chunk_g::<V, $n>(coef, data, b, h, scale),)*
                        _ => unreachable!("chunk size {size} > {}", V::CHUNK),
                    }
                };
            }
            chunk!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
            b += size;
        }
    }
}

/// `v ← v ⊙ (1 + a·h)`.
///
/// # Safety
/// The CPU has `V`'s features; `v` is valid for reads and writes and `h` for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn scale_by_factor_g<V: Lane8>(v: *mut F8, h: *const F8, a: f64, nb: usize) {
    // SAFETY: accesses at block `b < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let one = V::splat(1.0);
        let av = V::splat(a);
        for b in 0..nb {
            let f = av.mul_add(V::load(h.add(b)), one);
            V::load(v.add(b)).mul(f).store(v.add(b));
        }
    }
}

/// `Σ_j a_j b_j` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `a` and `b` are valid for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn dot_g<V: Lane8>(a: *const F8, b: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `j < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for j in 0..nb {
            acc = V::load(a.add(j)).mul_add(V::load(b.add(j)), acc);
        }
        acc.reduce()
    }
}

/// `Σ_j a_j` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `a` is valid for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn sum_g<V: Lane8>(a: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `j < nb` of the caller's range; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for j in 0..nb {
            acc = acc.add(V::load(a.add(j)));
        }
        acc.reduce()
    }
}

/// `Σ_j √max(a_j, 0) m_j` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `a` and `m` are valid for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn masked_sum_sqrt_g<V: Lane8>(a: *const F8, m: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `j < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for j in 0..nb {
            acc = V::load(a.add(j)).sqrt_max0().mul_add(V::load(m.add(j)), acc);
        }
        acc.reduce()
    }
}

/// `Σ_j (v_j v_j − w_j)²` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `v` and `w` are valid for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn sq_dist_sq_g<V: Lane8>(v: *const F8, w: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `j < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for j in 0..nb {
            let vb = V::load(v.add(j));
            let e = vb.mul_sub(vb, V::load(w.add(j)));
            acc = e.mul_add(e, acc);
        }
        acc.reduce()
    }
}

/// `Σ_j |v_j v_j − w_j|` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `v` and `w` are valid for reads of `nb` aligned blocks.
#[inline(always)]
unsafe fn sq_dist_l1_g<V: Lane8>(v: *const F8, w: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `j < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for j in 0..nb {
            let vb = V::load(v.add(j));
            acc = acc.add(vb.mul_sub(vb, V::load(w.add(j))).abs());
        }
        acc.reduce()
    }
}

/// `Σ_j |a_j|` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `a` is valid for reads of `nb` aligned blocks.
#[inline(always)]
pub(crate) unsafe fn sum_abs_g<V: Lane8>(a: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `b < nb` of the caller's range; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for b in 0..nb {
            acc = acc.add(V::load(a.add(b)).abs());
        }
        acc.reduce()
    }
}

/// `Σ_j |a_j| m_j` in the fixed order.
///
/// # Safety
/// The CPU has `V`'s features; `a` and `m` are valid for reads of `nb` aligned blocks.
#[inline(always)]
pub(crate) unsafe fn masked_sum_abs_g<V: Lane8>(a: *const F8, m: *const F8, nb: usize) -> f64 {
    // SAFETY: reads at block `b < nb` of the caller's ranges; `V`'s features by the caller.
    unsafe {
        let mut acc = V::splat(0.0);
        for b in 0..nb {
            acc = V::load(a.add(b)).abs().mul_add(V::load(m.add(b)), acc);
        }
        acc.reduce()
    }
}

// ---------------------------------------------------------------------------------------------
// Running caller code generically over the lane type.

/// Code generic over the 8-lane type, run by [`with_lanes`] on one path. The engine's chain
/// driver uses it so that its whole step loop (draws, coefficients, fused sweeps, observer calls,
/// stop checks) is compiled once per path with that path's target features, instead of calling
/// a dispatched kernel per step.
pub(crate) trait WithLanes {
    type Out;
    /// # Safety
    /// The CPU has `V`'s features (only [`with_lanes`] calls it, after checking that).
    unsafe fn run<V: Lane8>(self) -> Self::Out;
}

/// Run `w` on `path` (panics if the CPU lacks it: see [`checked`]).
#[inline]
pub(crate) fn with_lanes<W: WithLanes>(path: Path, w: W) -> W::Out {
    /// # Safety
    /// The CPU has AVX2 and FMA.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn avx2<W: WithLanes>(w: W) -> W::Out {
        // SAFETY: AVX2 and FMA by this function's contract (and its `#[target_feature]`).
        unsafe { w.run::<x86::Avx2>() }
    }
    /// # Safety
    /// The CPU has AVX-512F.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn avx512<W: WithLanes>(w: W) -> W::Out {
        // SAFETY: AVX-512F by this function's contract (and its `#[target_feature]`).
        unsafe { w.run::<x86::Avx512>() }
    }
    let path = checked(path);
    // SAFETY: `checked` returned `path` only if the CPU supports it (`Path::is_available`, or the
    // active path, which `init_active` chose among the available ones), so calling the
    // `#[target_feature]` function of that path, and `run` with its lane type, is sound. The
    // portable arm needs no features (its `unsafe` is only `run`'s contract).
    unsafe {
        match path {
            #[cfg(target_arch = "x86_64")]
            Path::Avx512 => avx512(w),
            #[cfg(target_arch = "x86_64")]
            Path::Avx2 => avx2(w),
            _ => w.run::<Portable>(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Per-path instances and dispatch.

/// Expands to one function per path: `$name::<Portable>` plain, and the x86 instances with
/// `#[target_feature]`; `dispatch!` picks one.
macro_rules! instances {
    ($(fn $name:ident $(<$(const $c:ident: $ct:ty),*>)? ($($arg:ident: $ty:ty),*) -> $ret:ty => $body:ident;)*) => {
        $(
            #[allow(non_snake_case, clippy::too_many_arguments)]
            mod $name {
                use super::*;
                /// # Safety
                /// The pointer contract of the generic kernel.
                #[inline]
                pub(super) unsafe fn portable $(<$(const $c: $ct),*>)? ($($arg: $ty),*) -> $ret {
                    // SAFETY: the kernel's pointer contract is this function's; `Portable`
                    // needs no CPU features.
                    unsafe { $body::<Portable $($(, $c)*)?>($($arg),*) }
                }
                /// # Safety
                /// The CPU has AVX2 and FMA, and the pointer contract of the generic kernel.
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx2,fma")]
                pub(super) unsafe fn avx2 $(<$(const $c: $ct),*>)? ($($arg: $ty),*) -> $ret {
                    // SAFETY: the kernel's pointer contract and AVX2 + FMA are this function's contract.
                    unsafe { $body::<x86::Avx2 $($(, $c)*)?>($($arg),*) }
                }
                /// # Safety
                /// The CPU has AVX-512F, and the pointer contract of the generic kernel.
                #[cfg(target_arch = "x86_64")]
                #[target_feature(enable = "avx512f")]
                pub(super) unsafe fn avx512 $(<$(const $c: $ct),*>)? ($($arg: $ty),*) -> $ret {
                    // SAFETY: the kernel's pointer contract and AVX-512F are this function's
                    // contract.
                    unsafe { $body::<x86::Avx512 $($(, $c)*)?>($($arg),*) }
                }
            }
        )*
    };
}

/// Call the instance of `$name` for `checked($path)`. Every use must be preceded by a
/// `// SAFETY:` comment saying why the arguments meet the generic kernel's pointer contract;
/// the CPU features are this macro's part (see the comment inside).
macro_rules! dispatch {
    ($path:expr, $name:ident $(::<$($g:tt),*>)? ($($arg:expr),*)) => {{
        let path = checked($path);
        // SAFETY (features): `checked` returns a path only if the CPU supports it
        // (`Path::is_available`, or the active path, chosen among the available ones), so the
        // `#[target_feature]` instance of that path may be called. The pointer contract is
        // established by the caller (see the `// SAFETY:` comment at each use).
        #[allow(unused_unsafe)]
        unsafe {
            match path {
                #[cfg(target_arch = "x86_64")]
                Path::Avx512 => $name::avx512 $(::<$($g),*>)? ($($arg),*),
                #[cfg(target_arch = "x86_64")]
                Path::Avx2 => $name::avx2 $(::<$($g),*>)? ($($arg),*),
                _ => $name::portable $(::<$($g),*>)? ($($arg),*),
            }
        }
    }};
}

instances! {
    fn alg1_k<const K: usize>(
        vs: [*mut F8; K], xs: [*const F8; K], w: *const F8, nbw: usize, nb: usize, eta: f64, s: [f64; K],
        grad_sign: f64
    ) -> [bool; K] => alg1_g;
    fn fused_k<const K: usize, const NEXT: bool>(
        vs: [*mut F8; K], rows: *const F8, now: [usize; K], c: [f64; K], next: [usize; K], w: *const F8,
        nbw: usize, nb: usize
    ) -> [f64; K] => alg1_fused_g;
    fn residual_multi_k<const K: usize>(
        vs: [*const F8; K], xs: [*const F8; K], w: *const F8, nbw: usize, nb: usize
    ) -> [f64; K] => residual_multi_g;
    fn residual_k(v: *const F8, w: *const F8, nbw: usize, x: *const F8, nb: usize) -> f64 => residual_g;
    fn residuals_k(
        v: *const F8, w: *const F8, nbw: usize, data: &Data, e: *mut F8, res: &mut [f64]
    ) -> bool => residuals_g;
    fn residuals_me_k(
        v: *const F8, w: *const F8, nbw: usize, data: &Data, e: *mut F8, res: &mut [f64], h: *mut F8, scale: f64
    ) -> bool => residuals_me_g;
    fn accumulate_k(coef: &[f64], data: &Data, h: *mut F8, scale: Option<f64>) -> () => accumulate_g;
    fn scale_by_factor_k(v: *mut F8, h: *const F8, a: f64, nb: usize) -> () => scale_by_factor_g;
    fn sum_abs_k(a: *const F8, nb: usize) -> f64 => sum_abs_g;
    fn dot_k(a: *const F8, b: *const F8, nb: usize) -> f64 => dot_g;
    fn sum_k(a: *const F8, nb: usize) -> f64 => sum_g;
    fn masked_sum_sqrt_k(a: *const F8, m: *const F8, nb: usize) -> f64 => masked_sum_sqrt_g;
    fn sq_dist_sq_k(v: *const F8, w: *const F8, nb: usize) -> f64 => sq_dist_sq_g;
    fn sq_dist_l1_k(v: *const F8, w: *const F8, nb: usize) -> f64 => sq_dist_l1_g;
    fn masked_sum_abs_k(a: *const F8, m: *const F8, nb: usize) -> f64 => masked_sum_abs_g;
}

/// `path` if the CPU supports it, else a panic naming it (an explicit path must never run
/// instructions the CPU lacks).
#[inline]
pub fn checked(path: Path) -> Path {
    if path == Path::active() || path == Path::Portable || path.is_available() {
        path
    } else {
        panic!("kernel path {path} is not available on this CPU (available: {:?})", Path::available())
    }
}

/// Number of leading blocks of `w` that may be non-zero (every block after them is `±0`, where
/// `v v − w = v v` exactly, so the kernels skip the subtraction).
pub fn nonzero_blocks(w: &[F8]) -> usize {
    w.iter().rposition(|b| b.0.iter().any(|&x| x != 0.0)).map_or(0, |i| i + 1)
}

/// `⟨v⊙v − w, x⟩` in the fixed order (bitwise equal to [`super::lanes::residual`]).
#[inline]
pub fn residual_with(path: Path, v: &[F8], w: &[F8], x: &[F8]) -> f64 {
    assert!(v.len() == w.len() && w.len() == x.len());
    // SAFETY: `v`, `w`, `x` are slices of `v.len()` aligned blocks (asserted), and
    // `nonzero_blocks(w) ≤ w.len()`.
    dispatch!(path, residual_k(v.as_ptr(), w.as_ptr(), nonzero_blocks(w), x.as_ptr(), v.len()))
}

/// One Algorithm-1 update of one chain (bitwise equal to `dynamics::alg1_apply`):
/// `r = ⟨v⊙v − w, x⟩`; if `r` is finite, `v ← v ⊙ (1 + η (s − grad_sign·r) x)` and `true`;
/// else `v` is unchanged and `false`. `w` must be zero beyond its first `nbw` blocks
/// (see [`nonzero_blocks`]).
#[inline]
#[allow(clippy::too_many_arguments)] // one argument per kernel input (path, states, rows, step parameters)
pub fn alg1_update_with(
    path: Path,
    v: &mut [F8],
    w: &[F8],
    nbw: usize,
    x: &[F8],
    eta: f64,
    s: f64,
    grad_sign: f64,
) -> bool {
    let nb = v.len();
    assert!(w.len() == nb && x.len() == nb && nbw <= nb);
    debug_assert!(nonzero_blocks(w) <= nbw);
    // SAFETY: `v` (exclusive), `w`, `x` have `nb` blocks and `nbw ≤ nb` (asserted); `&mut v`
    // does not overlap `w` or `x`.
    dispatch!(path, alg1_k::<1>([v.as_mut_ptr()], [x.as_ptr()], w.as_ptr(), nbw, nb, eta, [s], grad_sign))[0]
}

/// [`alg1_update_with`] for `K` chains at once (their instruction streams interleaved; each
/// chain's arithmetic is unchanged). Returns, per chain, whether its residual was finite
/// (`false`: that chain is unchanged).
#[inline]
#[allow(clippy::too_many_arguments)] // one argument per kernel input (path, states, rows, step parameters)
pub fn alg1_update_multi_with<const K: usize>(
    path: Path,
    vs: [&mut [F8]; K],
    w: &[F8],
    nbw: usize,
    xs: [&[F8]; K],
    eta: f64,
    s: [f64; K],
    grad_sign: f64,
) -> [bool; K] {
    let nb = w.len();
    assert!(nbw <= nb && vs.iter().all(|v| v.len() == nb) && xs.iter().all(|x| x.len() == nb));
    debug_assert!(nonzero_blocks(w) <= nbw);
    let vp = vs.map(|v| v.as_mut_ptr());
    let xp = xs.map(|x| x.as_ptr());
    // SAFETY: every state and row has `nb` blocks and `nbw ≤ nb` (asserted); the `&mut` borrows
    // guarantee that the states overlap neither each other nor `w` and the rows.
    dispatch!(path, alg1_k::<K>(vp, xp, w.as_ptr(), nbw, nb, eta, s, grad_sign))
}

/// The fused Algorithm-1 pass for `K` chains: `vs[k] ← vs[k] ⊙ (1 + c[k]·x^(now[k]))` for every
/// block and, if `next` is given, the residuals `⟨vs[k]⊙vs[k] − w, x^(next[k])⟩` of the updated
/// states, computed in the same sweep (else zeros); rows are given by index into `data`. With
/// `c = η (s − grad_sign·r)` of the current residual this is one Algorithm-1 step followed by
/// the next step's residual; the results are bitwise those of `alg1_apply` followed by
/// `lanes::residual`. `w` must be zero beyond its first `nbw` blocks.
#[inline]
#[allow(clippy::too_many_arguments)] // one argument per kernel input (path, states, rows, step parameters)
pub fn alg1_fused_with<const K: usize>(
    path: Path,
    vs: [&mut [F8]; K],
    data: &Data,
    now: [usize; K],
    c: [f64; K],
    next: Option<[usize; K]>,
    w: &[F8],
    nbw: usize,
) -> [f64; K] {
    let nb = data.blocks_per_row();
    assert!(w.len() == nb && nbw <= nb && vs.iter().all(|v| v.len() == nb));
    assert!(now.iter().chain(next.iter().flatten()).all(|&i| i < data.n()), "row index out of range");
    debug_assert!(nonzero_blocks(w) <= nbw);
    let vp = vs.map(|v| v.as_mut_ptr());
    let rows = data.row(0).as_ptr();
    let now = now.map(|i| i * nb);
    // SAFETY: every state and `w` have `nb` blocks and `nbw ≤ nb`; the row indices are `< n`
    // (asserted), and all rows lie in `data`'s one allocation of `n·nb` blocks from `rows`, so the
    // block offsets `i·nb` address whole rows; the `&mut` borrows guarantee that the states overlap
    // neither each other nor `w` and `data`.
    match next {
        Some(nx) => {
            dispatch!(path, fused_k::<K, true>(vp, rows, now, c, nx.map(|i| i * nb), w.as_ptr(), nbw, nb))
        }
        None => dispatch!(path, fused_k::<K, false>(vp, rows, now, c, now, w.as_ptr(), nbw, nb)),
    }
}

/// Residuals `⟨vs[k]⊙vs[k] − w, xs[k]⟩` of `K` states at once (each bitwise equal to
/// `lanes::residual`). `w` must be zero beyond its first `nbw` blocks.
#[inline]
pub fn residual_multi_with<const K: usize>(
    path: Path,
    vs: [&[F8]; K],
    xs: [&[F8]; K],
    w: &[F8],
    nbw: usize,
) -> [f64; K] {
    let nb = w.len();
    assert!(nbw <= nb && vs.iter().all(|v| v.len() == nb) && xs.iter().all(|x| x.len() == nb));
    debug_assert!(nonzero_blocks(w) <= nbw);
    // SAFETY: every state and row has `nb` blocks and `nbw ≤ nb` (asserted); all are only read.
    dispatch!(path, residual_multi_k::<K>(vs.map(|v| v.as_ptr()), xs.map(|x| x.as_ptr()), w.as_ptr(), nbw, nb))
}

/// All residuals `r_i = ⟨v⊙v − w, x^(i)⟩`, `i ∈ [n]`, into `res` (each bitwise equal to
/// `lanes::residual`, i.e. to `Problem::residual`); `e` is scratch (it receives `v⊙v − w`).
/// Returns false when a residual is not finite.
pub fn residuals_with(path: Path, v: &[F8], w: &[F8], data: &Data, e: &mut Vec<F8>, res: &mut Vec<f64>) -> bool {
    let nb = data.blocks_per_row();
    assert!(v.len() == nb && w.len() == nb);
    e.resize(nb, F8::default());
    res.resize(data.n(), 0.0);
    let nbw = nonzero_blocks(w);
    // SAFETY: `v`, `w` have `nb = blocks_per_row` blocks (asserted), `e` was resized to `nb`
    // and `res` to `n`; `nbw ≤ nb`; the `&mut` scratch overlaps none of the inputs.
    dispatch!(path, residuals_k(v.as_ptr(), w.as_ptr(), nbw, data, e.as_mut_ptr(), res.as_mut_slice()))
}

/// [`residuals_with`] followed by `h = M e(v) = (1/n) Σ_i r_i x^(i)` ([`accumulate_rows_with`]
/// with `scale = 1/n`) in one dispatched call; false (and `h` unspecified) when a residual is not
/// finite. `w` must be zero beyond its first `nbw` blocks.
#[allow(clippy::too_many_arguments)] // one argument per kernel input (path, states, rows, step parameters)
pub fn residuals_and_me_with(
    path: Path,
    v: &[F8],
    w: &[F8],
    nbw: usize,
    data: &Data,
    e: &mut Vec<F8>,
    res: &mut Vec<f64>,
    h: &mut Vec<F8>,
) -> bool {
    let nb = data.blocks_per_row();
    assert!(v.len() == nb && w.len() == nb && nbw <= nb);
    debug_assert!(nonzero_blocks(w) <= nbw);
    e.resize(nb, F8::default());
    h.resize(nb, F8::default());
    res.resize(data.n(), 0.0);
    let scale = 1.0 / data.n() as f64;
    // SAFETY: `v`, `w` have `nb = blocks_per_row` blocks and `nbw ≤ nb` (asserted), `e` and `h`
    // were resized to `nb` and `res` to `n`; the `&mut` scratch overlaps none of the inputs.
    dispatch!(
        path,
        residuals_me_k(v.as_ptr(), w.as_ptr(), nbw, data, e.as_mut_ptr(), res.as_mut_slice(), h.as_mut_ptr(), scale)
    )
}

/// `h = (Σ_i c_i x^(i))·scale` over the first `coef.len()` rows: lane `l` of block `b` forms
/// `h ← fma(c_i, x^(i), h)` over `i` in order from `+0.0`, then multiplies once by `scale` (no
/// multiplication when `None`). With `c = residuals` and `scale = 1/n` this is `dynamics::me_blocks`, i.e.
/// `M e(v)`.
pub fn accumulate_rows_with(path: Path, coef: &[f64], data: &Data, h: &mut Vec<F8>, scale: Option<f64>) {
    assert!(coef.len() <= data.n(), "{} coefficients for {} rows", coef.len(), data.n());
    h.clear();
    h.resize(data.blocks_per_row(), F8::default());
    // SAFETY: `coef.len() ≤ n` (asserted), `h` has `blocks_per_row` blocks and, being `&mut`,
    // does not overlap `data`.
    dispatch!(path, accumulate_k(coef, data, h.as_mut_ptr(), scale))
}

/// `v ← v ⊙ (1 + a·h)` (the gradient-descent factor `dynamics::factor(a, h_k)` per coordinate).
pub fn scale_by_factor_with(path: Path, v: &mut [F8], h: &[F8], a: f64) {
    assert_eq!(v.len(), h.len());
    // SAFETY: `v` (exclusive) and `h` have `v.len()` blocks (asserted).
    dispatch!(path, scale_by_factor_k(v.as_mut_ptr(), h.as_ptr(), a, v.len()))
}

/// `Σ_j |a_j|` in the fixed order (bitwise equal to `lanes::sum_abs`).
pub fn sum_abs_with(path: Path, a: &[F8]) -> f64 {
    // SAFETY: `a` has `a.len()` blocks.
    dispatch!(path, sum_abs_k(a.as_ptr(), a.len()))
}

/// `Σ_j |a_j| m_j` in the fixed order (bitwise equal to `lanes::masked_sum_abs`).
pub fn masked_sum_abs_with(path: Path, a: &[F8], m: &[F8]) -> f64 {
    assert_eq!(a.len(), m.len());
    // SAFETY: `a` and `m` have `a.len()` blocks (asserted).
    dispatch!(path, masked_sum_abs_k(a.as_ptr(), m.as_ptr(), a.len()))
}

/// `Σ_j a_j b_j` in the fixed order (the order of `lanes::dot`).
pub fn dot_with(path: Path, a: &[F8], b: &[F8]) -> f64 {
    assert_eq!(a.len(), b.len());
    // SAFETY: `a` and `b` have `a.len()` blocks (asserted).
    dispatch!(path, dot_k(a.as_ptr(), b.as_ptr(), a.len()))
}

/// `Σ_j a_j` in the fixed order (the order of `lanes::sum`).
pub fn sum_with(path: Path, a: &[F8]) -> f64 {
    // SAFETY: `a` has `a.len()` blocks.
    dispatch!(path, sum_k(a.as_ptr(), a.len()))
}

/// `Σ_j √max(a_j, 0) m_j` in the fixed order (the order of `lanes::masked_sum_sqrt`).
pub fn masked_sum_sqrt_with(path: Path, a: &[F8], m: &[F8]) -> f64 {
    assert_eq!(a.len(), m.len());
    // SAFETY: `a` and `m` have `a.len()` blocks (asserted).
    dispatch!(path, masked_sum_sqrt_k(a.as_ptr(), m.as_ptr(), a.len()))
}

/// `‖v⊙v − w‖²` in the fixed order (the order of `lanes::sq_dist_sq`).
pub fn sq_dist_sq_with(path: Path, v: &[F8], w: &[F8]) -> f64 {
    assert_eq!(v.len(), w.len());
    // SAFETY: `v` and `w` have `v.len()` blocks (asserted).
    dispatch!(path, sq_dist_sq_k(v.as_ptr(), w.as_ptr(), v.len()))
}

/// `‖v⊙v − w‖₁` in the fixed order (the order of `lanes::sq_dist_l1`).
pub fn sq_dist_l1_with(path: Path, v: &[F8], w: &[F8]) -> f64 {
    assert_eq!(v.len(), w.len());
    // SAFETY: `v` and `w` have `v.len()` blocks (asserted).
    dispatch!(path, sq_dist_l1_k(v.as_ptr(), w.as_ptr(), v.len()))
}

/// `⟨v⊙v − w, x⟩` in the fixed order for any `w` (no zero-block skipping; the order of
/// `lanes::residual`).
pub fn residual_full_with(path: Path, v: &[F8], w: &[F8], x: &[F8]) -> f64 {
    assert!(v.len() == w.len() && w.len() == x.len());
    // SAFETY: `v`, `w`, `x` have `v.len()` blocks (asserted); `nbw = nb`.
    dispatch!(path, residual_k(v.as_ptr(), w.as_ptr(), v.len(), x.as_ptr(), v.len()))
}
