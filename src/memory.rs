//! How the process uses memory: the allocator's settings that the build's figures depend on.
//! The binary, the benchmark and the examples use mimalloc as their global allocator; these calls
//! are harmless when another allocator is in place.

/// Turns transparent huge pages off for this process (Linux), unless `MIMALLOC_ALLOW_THP` is set,
/// which then decides as mimalloc documents. mimalloc asks the kernel for 2 MiB pages on its
/// arenas; Pagefind allocates and frees a great deal while it indexes, and every huge page the
/// allocator touches afresh is zeroed whole. On a 10k-retro book that zeroing took about half
/// of a cold build's system time (6.2–7.6 s of system time with huge pages, 3.0–3.5 s without, for
/// the same build; docs/benchmarks.md). Call it first thing in `main`: it applies to the whole
/// process from then on, to memory mapped before the call too.
pub fn prefer_small_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        // A kernel without the flag (before 3.15) keeps huge pages; nothing else changes.
        let _ = rustix::thread::disable_transparent_huge_pages(true);
    }
}

/// Hands what the render freed back to the system before the search index is built. mimalloc keeps
/// the freed pages of a thread's heap until that thread allocates again, and the render's threads
/// sit idle while Pagefind's threads allocate afresh, so both used to add up: at 100,000 retros
/// about 1 GB of freed render memory stayed resident through the search phase.
pub(crate) fn give_back_freed_memory() {
    fn collect() {
        // SAFETY: mi_collect takes no pointers; it only returns the calling thread's free pages
        // (and, from any thread, abandoned ones) to the system, and is safe to call at any time,
        // also when mimalloc is not the global allocator (it then finds nothing to free).
        unsafe { libmimalloc_sys::mi_collect(true) }
    }
    rayon::broadcast(|_| collect());
    collect();
}

/// Frees `value` on a thread of its own, so that the caller need not wait for it. A loaded book of
/// 10,000 retros takes about 70 ms to free, all on one core, at the very end of a build: about 5%
/// of a warm build's wall time (docs/benchmarks.md, "Eleventh session"). When the process exits
/// first, the system takes the memory back whole. If no thread can be started, `value` is freed
/// here.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("retrobook-free".into()).spawn(move || drop(value));
}
